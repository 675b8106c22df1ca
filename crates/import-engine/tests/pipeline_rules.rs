//! Further DHIS2 2.43+ rules of `datavalueset-spec.md` (§2.2, §3.7, §4.9, §5.5, §5.6) on
//! variations of fixture M: id scheme precedence, decoding failures, strategies, value errors,
//! data set detection and auto-grouping, user access, timeliness and attribute option
//! restrictions, JSON keys.
//!
//! The tests are in `scenarios/pipeline_rules.rs`, run here against `MemoryStore` and by the
//! store crates against their stores.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::field_reassign_with_default
)]

mod common;

include!("scenarios/pipeline_rules.rs");
