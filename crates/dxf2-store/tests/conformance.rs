//! The conformance suite against [`MemoryStore`], twice: alone (as the engine, dry runs and
//! hosts use it), and shared by several handles as connections share a database
//! ([`shared_memory`]), which also runs the cases that need a second handle and a real reopen.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod shared_memory;

use dxf2_store::conformance::Harness;
use dxf2_store::{DataValueStore, MemoryStore};

/// One [`MemoryStore`] per case. It keeps nothing when closed, so reopening hands the same store
/// back, ending an open transaction as closing a store does; it has no second handle.
struct MemoryHarness;

impl Harness for MemoryHarness {
    type Store = MemoryStore;

    fn fresh(&mut self) -> MemoryStore {
        MemoryStore::new()
    }

    fn reopen(&mut self, mut store: MemoryStore) -> MemoryStore {
        let _ = store.rollback();
        store
    }

    fn second_handle(&mut self, _store: &MemoryStore) -> Option<MemoryStore> {
        None
    }
}

mod memory {
    dxf2_store::conformance_tests!(super::MemoryHarness);
}

mod shared {
    dxf2_store::conformance_tests!(super::shared_memory::SharedHarness);
}
