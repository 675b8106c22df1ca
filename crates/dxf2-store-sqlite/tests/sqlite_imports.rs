//! Data value set B imported twice into the SQLite store (the second time all ignored), then a
//! classic dry run of deletes over the stored values: counted, rolled back, nothing written.
//! (Every other import is checked by the engine's own scenario tests, which run against the
//! SQLite store too: `tests/engine_*.rs`.)

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::field_reassign_with_default
)]

mod common;

use common::import::*;
use dxf2_model::{ImportOptions, ImportStatus, ImportStrategy};

#[test]
fn sqlite_store_reimport_and_rollback() {
    let Some(path) = common::corpus_file("datavalueset/dataValueSetB.xml") else {
        return;
    };
    let md = fixture("fixture_c.json");
    let mut store = dxf2_store_sqlite::SqliteStore::open_in_memory().unwrap();
    let s = import_file(&md, None, &path, &ImportOptions::default(), &mut store);
    assert_eq!(counts(&s), (12, 0, 0, 0));
    let s = import_file(&md, None, &path, &ImportOptions::default(), &mut store);
    assert_eq!(
        (s.status, counts(&s)),
        (ImportStatus::Success, (0, 0, 0, 12))
    );
    let mut o = ImportOptions::default();
    o.dry_run = true;
    o.strategy = ImportStrategy::Delete;
    let s = import_file(&md, None, &path, &o, &mut store);
    assert_eq!(counts(&s), (0, 0, 12, 0));
    assert_eq!(
        stored(&mut store, &md).len(),
        12,
        "a dry run writes nothing"
    );
}
