//! The store conformance suite (`dxf2_store::conformance`) against [`PostgresStore`]: every case
//! in a schema of its own on the test server (`DXF2_TEST_POSTGRES`; skipped without one, except
//! under `CI=true`).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod support;

dxf2_store::conformance_tests!(match support::PgHarness::new() {
    Some(harness) => harness,
    None => return,
});
