//! The classic (2.36–2.42) scenarios C19–C57 of `datavalueset-scenarios.md` §3: each corpus
//! payload imported against fixture C, with DHIS2's asserted (and derived) outcome.
//!
//! The corpus holds the master versions of a few files (`dataValueSetE.xml`,
//! `dataValueSetBooleanTest.csv`); the expectations below are what the classic rules give for the
//! files as they are, and the 2.42 version of the boolean test is `dataValueSetBooleanDuplicatesTest.csv`.
//!
//! The tests are in `scenarios/classic_scenarios.rs`, run here against `MemoryStore` and by the
//! store crates against their stores.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::field_reassign_with_default
)]

mod common;

include!("scenarios/classic_scenarios.rs");
