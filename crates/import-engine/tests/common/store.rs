//! The store the scenario tests run on: here `MemoryStore`, the reference store.
//!
//! The scenario bodies (`tests/scenarios/`) name only [`TestStore`], [`fresh_store`],
//! [`store_skipped`], [`value_count`] and the store traits, so that `dxf2-store-sqlite` and
//! `dxf2-store-postgres` run the same bodies (by `include!`) with a `common/store.rs` of their own.
#![allow(dead_code)]

use import_engine::MemoryStore;

/// The store of these tests.
pub type TestStore = MemoryStore;

/// A new, empty store.
pub fn fresh_store() -> TestStore {
    MemoryStore::new()
}

/// Whether this run skips the store's tests (only the PostgreSQL tests do, without a test
/// server): every scenario test starts with `if store_skipped() { return; }`.
pub fn store_skipped() -> bool {
    false
}

/// Number of stored value rows of any data element, soft-deleted ones included.
pub fn value_count(store: &mut TestStore) -> usize {
    store.len()
}
