//! The store the engine's scenario bodies (`../../import-engine/tests/scenarios/`) and the export
//! bodies (`../../dxf2-store-sqlite/tests/scenarios/`) run on here: a [`PostgresStore`] in a new
//! schema of its own on the test server (`DXF2_TEST_POSTGRES`), dropped when the store is.
//!
//! Without a test server every such test returns at once ([`store_skipped`], after a note),
//! except under `CI=true`, where it fails.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use dxf2_store_postgres::PostgresStore;

use super::temp_store::TempStore;
use crate::support::{server_url, TestSchema};

/// The store of these tests.
pub type TestStore = TempStore<PostgresStore, TestSchema>;

/// How the tests that compare stores name this one.
pub const STORE_NAME: &str = "postgres";

/// A new, empty store in a new schema.
///
/// # Panics
///
/// Without a test server: a test checks [`store_skipped`] first.
pub fn fresh_store() -> TestStore {
    let Some(schema) = TestSchema::new("scenario") else {
        panic!("no PostgreSQL test server: a test must return when `store_skipped()`");
    };
    TempStore::new(schema.create(), schema)
}

/// Whether this run skips the store's tests: without `DXF2_TEST_POSTGRES` (after a note, once
/// per test binary).
///
/// # Panics
///
/// Without `DXF2_TEST_POSTGRES` under `CI=true`.
pub fn store_skipped() -> bool {
    server_url().is_none()
}

/// Number of stored value rows of any data element, soft-deleted ones included.
pub fn value_count(store: &mut TestStore) -> usize {
    usize::try_from(store.store.value_count().unwrap()).unwrap()
}
