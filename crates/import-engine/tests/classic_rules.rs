//! Classic (2.36–2.42) rules that DHIS2's scenario table does not show: the decision table of
//! datavalueset-spec §5.1 (update, delete, un-delete, strategies, zero values, duplicates), the
//! validation rules and codes of §4.3 one by one, whole-import failures (§5.8), completion (§5.6),
//! and Appendix D's worked example. Fixture C, imported as a superuser unless said otherwise.
//!
//! The tests are in `scenarios/classic_rules.rs`, run here against `MemoryStore` and by the
//! store crates against their stores.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::field_reassign_with_default
)]

mod common;

include!("scenarios/classic_rules.rs");
