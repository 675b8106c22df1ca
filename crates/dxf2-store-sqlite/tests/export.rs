//! The classic export (DHIS2 2.42 `GET /api/dataValueSets`) against fixture E of
//! `../shared/spec/datavalueset-scenarios.md` §1.3 (`DataValueSetServiceExportTest.setUp`):
//! the scenarios of DHIS2's own export tests, DHIS2's checks `E2001`–`E2012`, and the rules of
//! datavalueset-spec §6. Every scenario runs against the memory store and the SQLite store.
//!
//! The tests are in `scenarios/export.rs`, shared with `dxf2-store-postgres`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

include!("scenarios/export.rs");
