//! Notes on the values a summary names ([`ImportOutcome::value_notes`]): the line and column of
//! each value in conflict in XML, JSON and CSV files, and the string that was wrong, under both
//! importer profiles; and DHIS2's JSON and XML summary documents byte-identical to those of a
//! run whose source gives no positions (the notes never reach them).
//!
//! The tests are in `scenarios/positions.rs`, run here against `MemoryStore` and by the
//! store crates against their stores.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::field_reassign_with_default
)]

mod common;

include!("scenarios/positions.rs");
