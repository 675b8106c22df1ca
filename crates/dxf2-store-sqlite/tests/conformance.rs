//! The conformance suite of `dxf2-store` (every store passes it) against [`SqliteStore`] files:
//! each case gets a fresh file in the test scratch directory, reopening closes and opens the file
//! again, and a second handle is a second connection on the same file.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

use dxf2_store::conformance::Harness;
use dxf2_store_sqlite::SqliteStore;

/// Makes store files and removes them (with their write-ahead logs) when dropped.
struct Files {
    paths: Vec<PathBuf>,
}

impl Files {
    fn new() -> Files {
        Files { paths: Vec::new() }
    }
}

impl Drop for Files {
    fn drop(&mut self) {
        for path in &self.paths {
            for suffix in ["", "-wal", "-shm"] {
                let mut p = path.as_os_str().to_owned();
                p.push(suffix);
                let _ = std::fs::remove_file(p);
            }
        }
    }
}

impl Harness for Files {
    type Store = SqliteStore;

    fn fresh(&mut self) -> SqliteStore {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("conformance");
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(format!("store-{}-{n}.sqlite", std::process::id()));
        for suffix in ["", "-wal", "-shm"] {
            let mut p = path.as_os_str().to_owned();
            p.push(suffix);
            let _ = std::fs::remove_file(p);
        }
        self.paths.push(path.clone());
        SqliteStore::open(&path).unwrap()
    }

    fn reopen(&mut self, store: SqliteStore) -> SqliteStore {
        let path = store.location().to_owned();
        // Closing the connection ends an open transaction without committing it.
        drop(store);
        SqliteStore::open(path).unwrap()
    }

    fn second_handle(&mut self, store: &SqliteStore) -> Option<SqliteStore> {
        Some(SqliteStore::open(store.location()).unwrap())
    }
}

dxf2_store::conformance_tests!(Files::new());
