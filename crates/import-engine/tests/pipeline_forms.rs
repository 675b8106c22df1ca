//! The DHIS2 2.43+ input forms: category-option maps in JSON and CSV, `attributeCombo` /
//! `attributeOptions`, and the deletion scope (deleted before the values are written, validated
//! like values, following auto-grouping).
//!
//! The tests are in `scenarios/pipeline_forms.rs`, run here against `MemoryStore` and by the
//! store crates against their stores.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::field_reassign_with_default
)]

mod common;

include!("scenarios/pipeline_forms.rs");
