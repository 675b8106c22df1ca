//! Readers of a SQLite store never wait for a writer: an export (a read-only open, or a plain open
//! of an existing store) runs and succeeds while another connection holds the write lock in an
//! open import transaction for longer than the readers' busy timeout, and sees the last committed
//! state (issue 7).
//!
//! No timing assertions: the writer holds its lock until the end of each test, so any attempt of
//! a reader to take the write lock would fail after its (short) busy timeout.
//!
//! Writers are serialised (issue 10): two imports into one store at the same moment both
//! succeed, one after the other, and the store holds exactly the values once; an import that
//! finds the store held past its busy timeout fails with `StoreError::Busy`, saying that another
//! import is writing to the store, and changes nothing.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Barrier};
use std::time::Duration;

use common::export::*;
use common::import::key;
use dxf2_model::{DataValue, ImportOptions, ImportStatus, Metadata};
use dxf2_store_sqlite::{OpenOptions, SqliteStore};
use dxf2_testdata::spread::{Spread, SpreadConfig, SpreadOrder};
use idscheme_resolver::MetadataResolver;
use import_engine::export::Exporter;
use import_engine::store::{
    DataValueStore, DataValueStoreExt, MetadataStore, StoreError, ValueQuery,
};
use import_engine::{Failure, ImportOutcome, Importer, Superuser};

/// The readers' busy timeout: far below the time the writer holds its lock (the whole test).
const SHORT: Duration = Duration::from_millis(50);

/// A fresh file name in the test scratch directory, removed (with its WAL files) when dropped.
struct TempPath(PathBuf);

impl TempPath {
    fn new(name: &str) -> TempPath {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("store_concurrency");
        std::fs::create_dir_all(&dir).unwrap();
        let path = TempPath(dir.join(format!("{name}-{}-{n}.sqlite", std::process::id())));
        path.remove();
        path
    }

    fn remove(&self) {
        for suffix in ["", "-wal", "-shm"] {
            let mut p = self.0.as_os_str().to_owned();
            p.push(suffix);
            let _ = std::fs::remove_file(p);
        }
    }
}

impl AsRef<Path> for TempPath {
    fn as_ref(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempPath {
    fn drop(&mut self) {
        self.remove();
    }
}

/// A store file holding fixture E and its 12 values (value `1`), committed.
fn committed_store(name: &str) -> TempPath {
    let path = TempPath::new(name);
    let mut store = SqliteStore::open(&path).unwrap();
    let rows: Vec<_> = fixture_keys()
        .into_iter()
        .enumerate()
        .map(|(i, k)| stored_row(i as i64, k, "1"))
        .collect();
    fill(&mut store, &fixture_e(), &rows, &[]);
    path
}

/// A writer in the middle of an import: the write lock is held, one stored value is changed to
/// `2` and one value added, neither committed.
fn writer_mid_import(path: &TempPath) -> SqliteStore {
    let mut writer = SqliteStore::open(path).unwrap();
    writer.begin().unwrap();
    let changed = key(DE_A, PE_A, OU_A, COC_A, COC_A);
    writer.update(&stored_row(0, changed, "2")).unwrap();
    let added = key(DE_C, PE_A, OU_A, DEFAULT_COC, DEFAULT_COC);
    writer.insert(&stored_row(20, added, "new")).unwrap();
    writer
}

/// Asserts that another writer cannot get the lock: it is really held (the other writer waits
/// for its busy timeout, then is told the store is busy).
fn assert_write_lock_held(path: &TempPath) {
    let mut other = SqliteStore::open_with(path, OpenOptions::new().busy_timeout(SHORT)).unwrap();
    let err = other.begin().unwrap_err();
    assert!(
        matches!(err, StoreError::Busy(_))
            && err
                .to_string()
                .contains("another import is writing to this store"),
        "{err}"
    );
}

/// Exports data set A, period A, org unit A with its children (fixture E's 8 values) from
/// `store`, with the metadata the store holds, as `dxf2 export` does; returns the values.
fn export_children_of_a(store: &mut SqliteStore) -> Vec<String> {
    let md = store.load_metadata().unwrap();
    let access = Superuser::default();
    let exporter = Exporter::new(&md, &access).with_now(now());
    let mut resolver = MetadataResolver::new(&md);
    let mut params = params(&[DS_A], &[PE_A], &[OU_A]);
    params.children = true;
    let mut out = Collect::default();
    exporter
        .export(&params, &mut resolver, store, &mut out)
        .unwrap();
    assert!(out.finished);
    out.column(DataValue::value)
}

#[test]
fn a_read_only_export_runs_while_an_import_holds_the_write_lock() {
    let path = committed_store("read-only");
    let mut writer = writer_mid_import(&path);
    assert_write_lock_held(&path);

    let mut reader = SqliteStore::open_with(
        &path,
        OpenOptions::new().read_only(true).busy_timeout(SHORT),
    )
    .unwrap();
    assert!(reader.is_read_only());
    // The last committed state: eight values `1`, not the writer's `2`.
    assert_eq!(export_children_of_a(&mut reader), ["1"; 8]);
    assert_write_lock_held(&path);

    // Once the import commits, a new export sees it.
    writer.commit().unwrap();
    let values = export_children_of_a(&mut reader);
    assert_eq!(values.len(), 8);
    assert_eq!(values.iter().filter(|v| *v == "2").count(), 1);
}

#[test]
fn a_plain_open_of_an_existing_store_takes_no_write_lock() {
    let path = committed_store("plain-open");
    let mut writer = writer_mid_import(&path);

    let mut reader = SqliteStore::open_with(&path, OpenOptions::new().busy_timeout(SHORT)).unwrap();
    assert!(!reader.is_read_only());
    assert_eq!(export_children_of_a(&mut reader), ["1"; 8]);
    assert_eq!(reader.value_count().unwrap(), 12);
    // Writing is what waits: the reader's own import fails after its busy timeout.
    assert!(reader.begin().is_err());

    writer.rollback().unwrap();
    assert_eq!(export_children_of_a(&mut reader), ["1"; 8]);
}

#[test]
fn the_default_read_only_open_reads_while_an_import_runs() {
    let path = committed_store("default-read-only");
    let _writer = writer_mid_import(&path);
    let mut reader = SqliteStore::open_read_only(&path).unwrap();
    // The default busy timeout is long; the reader never waits on it.
    reader.set_busy_timeout(SHORT).unwrap();
    assert_eq!(export_children_of_a(&mut reader), ["1"; 8]);
}

#[test]
fn a_read_only_store_refuses_writes() {
    let path = committed_store("refuses-writes");
    let mut reader = SqliteStore::open_read_only(&path).unwrap();
    let misuse = |r: Result<(), StoreError>| {
        let err = r.unwrap_err();
        assert!(matches!(err, StoreError::Misuse(_)), "{err:?}");
        assert!(err.to_string().contains("read-only"), "{err}");
    };
    misuse(reader.begin());
    misuse(reader.save_metadata(&fixture_e()));
    misuse(reader.insert(&stored_row(
        0,
        key(DE_C, PE_B, OU_C, DEFAULT_COC, DEFAULT_COC),
        "1",
    )));
    assert_eq!(reader.value_count().unwrap(), 12);
}

#[test]
fn a_read_only_open_needs_an_existing_store() {
    let missing = TempPath::new("missing");
    let err = SqliteStore::open_read_only(&missing).unwrap_err();
    assert!(err.to_string().contains("cannot open the store"), "{err}");
    assert!(!missing.0.exists(), "a read-only open creates no file");

    let empty = TempPath::new("empty");
    std::fs::write(&empty, "").unwrap();
    let err = SqliteStore::open_read_only(&empty).unwrap_err();
    assert!(matches!(err, StoreError::Incompatible(_)), "{err:?}");
    assert!(err.to_string().contains("holds no dxf2 store"), "{err}");
    assert_eq!(std::fs::metadata(&empty).unwrap().len(), 0);
}

/// A small spread workload (20 facilities × 3 months × 5 data elements): its metadata and its
/// values as XML, in both orders.
fn spread() -> (Metadata, Vec<u8>, Vec<u8>) {
    let spread = Spread::new(SpreadConfig {
        org_units: 20,
        months: 3,
        data_elements: 5,
        seed: 4,
    });
    let mut json = Vec::new();
    spread.write_metadata_json(&mut json).unwrap();
    let md = dxf2_json::metadata::read_metadata(json.as_slice()).unwrap();
    let mut ordered = Vec::new();
    spread
        .write_xml(SpreadOrder::PeriodThenOrgUnit, &mut ordered)
        .unwrap();
    let mut shuffled = Vec::new();
    spread
        .write_xml(SpreadOrder::Shuffled, &mut shuffled)
        .unwrap();
    (md, ordered, shuffled)
}

/// Imports `xml` into the store at `path` (opened with `timeout`) as the superuser.
fn import_into(path: &Path, timeout: Duration, md: &Metadata, xml: &[u8]) -> ImportOutcome {
    let mut store = SqliteStore::open_with(path, OpenOptions::new().busy_timeout(timeout)).unwrap();
    let access = Superuser::default();
    let mut resolver = MetadataResolver::new(md);
    let mut source = dxf2_xml::Reader::new(xml).unwrap();
    Importer::new(md, &access).import(
        &mut source,
        &ImportOptions::default(),
        &mut resolver,
        &mut store,
        &mut |_| {},
    )
}

/// Every stored value of the spread workload: (period, org unit, data element, value).
fn stored_values(path: &Path, md: &Metadata) -> Vec<(String, String, String, String)> {
    let mut store = SqliteStore::open_read_only(path).unwrap();
    store.integrity_check().unwrap();
    let query = ValueQuery {
        data_elements: md.data_elements().iter().map(|de| de.id.uid).collect(),
        include_deleted: true,
        ..ValueQuery::default()
    };
    let mut rows = Vec::new();
    store
        .query(&query, &mut |v| {
            rows.push((
                v.key.period.to_string(),
                v.key.org_unit.to_string(),
                v.key.data_element.to_string(),
                v.value.clone().unwrap_or_default(),
            ));
            Ok(())
        })
        .unwrap();
    rows
}

#[test]
fn two_imports_into_one_store_at_once_are_serialised() {
    let (md, ordered, shuffled) = spread();
    let path = TempPath::new("two-imports");
    SqliteStore::open(&path)
        .unwrap()
        .save_metadata(&md)
        .unwrap();

    // Both start together; each waits for the other as long as the default busy timeout.
    let start = Arc::new(Barrier::new(2));
    let imports: Vec<_> = [ordered, shuffled]
        .into_iter()
        .map(|xml| {
            let (start, path, md) = (Arc::clone(&start), path.0.clone(), md.clone());
            std::thread::spawn(move || {
                start.wait();
                import_into(&path, DEFAULT_TIMEOUT, &md, &xml).summary
            })
        })
        .collect();
    let summaries: Vec<_> = imports.into_iter().map(|t| t.join().unwrap()).collect();

    // One imported every value; the other, coming second, found them all there.
    for s in &summaries {
        assert_eq!(s.status, ImportStatus::Success, "{s:#?}");
        let c = &s.import_count;
        assert_eq!(c.imported + c.updated + c.ignored, 300, "{s:#?}");
    }
    let mut imported: Vec<u64> = summaries.iter().map(|s| s.import_count.imported).collect();
    imported.sort_unstable();
    assert_eq!(imported, [0, 300]);

    let stored = stored_values(path.as_ref(), &md);
    assert_eq!(stored.len(), 300);
    let mut expected = Vec::new();
    let spread = Spread::new(SpreadConfig {
        org_units: 20,
        months: 3,
        data_elements: 5,
        seed: 4,
    });
    let mut sink = dxf2_testdata::VecSink::default();
    spread
        .write_values(SpreadOrder::PeriodThenOrgUnit, &mut sink)
        .unwrap();
    for v in &sink.values {
        expected.push((
            v.period().unwrap().to_owned(),
            v.org_unit().unwrap().to_owned(),
            v.data_element().unwrap().to_owned(),
            v.value().unwrap().to_owned(),
        ));
    }
    let mut stored_sorted = stored;
    stored_sorted.sort();
    expected.sort();
    assert_eq!(stored_sorted, expected);
}

/// The busy timeout of the imports that wait for each other: long enough for any import here.
const DEFAULT_TIMEOUT: Duration = dxf2_store_sqlite::DEFAULT_BUSY_TIMEOUT;

#[test]
fn an_import_into_a_store_held_by_another_is_refused_as_busy_and_changes_nothing() {
    let (md, ordered, _) = spread();
    let path = TempPath::new("busy-import");
    SqliteStore::open(&path)
        .unwrap()
        .save_metadata(&md)
        .unwrap();

    // Another import holds the store (its transaction open) for the whole attempt.
    let mut holder = SqliteStore::open(&path).unwrap();
    holder.begin().unwrap();
    let outcome = import_into(path.as_ref(), SHORT, &md, &ordered);
    let Some(Failure::Store(StoreError::Busy(message))) = &outcome.failure else {
        panic!("expected a Busy failure, got {:?}", outcome.failure);
    };
    assert!(
        message.contains("another import is writing to this store"),
        "{message}"
    );
    assert_eq!(outcome.summary.status, ImportStatus::Error);
    holder.rollback().unwrap();
    assert!(stored_values(path.as_ref(), &md).is_empty());

    // Once the other import is done, the same import goes through.
    let outcome = import_into(path.as_ref(), SHORT, &md, &ordered);
    assert!(outcome.failure.is_none(), "{:?}", outcome.failure);
    assert_eq!(outcome.summary.import_count.imported, 300);
    assert_eq!(stored_values(path.as_ref(), &md).len(), 300);
}
