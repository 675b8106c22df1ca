//! The store the engine's scenario bodies (`../../import-engine/tests/scenarios/`) and the export
//! bodies (`tests/scenarios/`) run on here: a [`SqliteStore`] in a new file of its own, removed
//! (with its write-ahead log) when the store is dropped.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};

use dxf2_store_sqlite::SqliteStore;

use super::temp_store::TempStore;

/// The store of these tests.
pub type TestStore = TempStore<SqliteStore, TempFile>;

/// How the tests that compare stores name this one.
pub const STORE_NAME: &str = "sqlite";

/// A new, empty store in a new file.
pub fn fresh_store() -> TestStore {
    let file = TempFile::new();
    let store = SqliteStore::open(&file.0)
        .unwrap_or_else(|e| panic!("cannot create a store in {}: {e}", file.0.display()));
    TempStore::new(store, file)
}

/// Whether this run skips the store's tests: never for SQLite.
pub fn store_skipped() -> bool {
    false
}

/// Number of stored value rows of any data element, soft-deleted ones included.
pub fn value_count(store: &mut TestStore) -> usize {
    usize::try_from(store.store.value_count().unwrap()).unwrap()
}

/// A store file name no other store of this test run uses, in the test scratch directory
/// (`CARGO_TARGET_TMPDIR/scenarios`); the file and its write-ahead log files are removed when
/// this is dropped.
pub struct TempFile(pub PathBuf);

impl TempFile {
    fn new() -> TempFile {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("scenarios");
        std::fs::create_dir_all(&dir).unwrap();
        let file = TempFile(dir.join(format!("store-{}-{n}.sqlite", std::process::id())));
        file.remove();
        file
    }

    fn remove(&self) {
        for suffix in ["", "-wal", "-shm"] {
            let mut path = self.0.as_os_str().to_owned();
            path.push(suffix);
            let _ = std::fs::remove_file(path);
        }
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        self.remove();
    }
}
