//! Shared set-up of the import benchmark (`benches/import.rs`) and of
//! `examples/import_mem.rs`: the generated workload's metadata, a store that discards writes,
//! and one classic import of a generated XML file.
//!
//! Needs `benches/common/mod.rs` declared as `mod common` beside it (for the data files).
#![allow(dead_code)]

use std::fs::{self, File};
use std::io::BufWriter;
use std::path::{Path, PathBuf};

use dxf2_model::{ImportOptions, ImportStatus, Metadata, Period, Uid};
use idscheme_resolver::MetadataResolver;
use import_engine::store::{
    Changes, Completion, DataValueKey, DataValueStore, Existing, StoreError, StoredValue,
    ValueQuery, Write,
};
use import_engine::{Importer, Superuser};

use crate::common;

/// The generated workload's metadata JSON for `values` values, written once into
/// `target/bench-data/` (beside the value files) and reused.
pub fn metadata_file(values: u64) -> PathBuf {
    let dir = common::data_dir();
    let path = dir.join(format!("metadata-{values}-seed{}-v1.json", common::SEED));
    if path.is_file() {
        return path;
    }
    fs::create_dir_all(&dir).expect("create target/bench-data");
    let tmp = path.with_extension(format!("json.tmp{}", std::process::id()));
    let mut out = BufWriter::new(File::create(&tmp).expect("create metadata file"));
    common::workload(values)
        .write_metadata_json(&mut out)
        .expect("write metadata");
    out.into_inner()
        .map_err(|e| e.into_error())
        .and_then(|f| f.sync_all())
        .expect("flush metadata");
    fs::rename(&tmp, &path).expect("rename metadata file");
    path
}

/// The generated workload's metadata, read with the DXF2 metadata reader (as `dxf2 import
/// --metadata` does).
pub fn metadata(values: u64) -> Metadata {
    let path = metadata_file(values);
    dxf2_json::metadata::read_metadata(common::open(&path)).expect("read metadata")
}

/// A [`DataValueStore`] that stores nothing: `lookup` finds no row, writes are dropped. Importing
/// into it measures the engine's own cost (decode, resolve, validate, decide).
#[derive(Debug, Default)]
pub struct NullStore {
    /// Rows the engine asked to insert.
    pub inserts: u64,
}

impl DataValueStore for NullStore {
    fn begin(&mut self) -> Result<(), StoreError> {
        Ok(())
    }
    fn commit(&mut self) -> Result<(), StoreError> {
        Ok(())
    }
    fn rollback(&mut self) -> Result<(), StoreError> {
        Ok(())
    }
    fn lookup(
        &mut self,
        _keys: &[DataValueKey],
        _found: &mut dyn FnMut(usize, &StoredValue, Existing) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        Ok(())
    }
    fn apply(&mut self, changes: &Changes) -> Result<(), StoreError> {
        std::hint::black_box(changes);
        self.inserts += changes
            .rows()
            .iter()
            .filter(|w| w.write == Write::Insert)
            .count() as u64;
        Ok(())
    }
    fn completion(
        &mut self,
        _data_set: &Uid,
        _period: &Period,
        _org_unit: &Uid,
        _attribute_option_combo: &Uid,
    ) -> Result<Option<Completion>, StoreError> {
        Ok(None)
    }
    fn has_lock_exception(
        &mut self,
        _data_set: &Uid,
        _period: &Period,
        _org_unit: &Uid,
    ) -> Result<bool, StoreError> {
        Ok(false)
    }
    fn query(
        &mut self,
        _query: &ValueQuery,
        _each: &mut dyn FnMut(&StoredValue) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        Ok(())
    }
}

/// Imports the XML file at `path` into `store` with the classic importer (default options,
/// acting as [`Superuser::default`], what `dxf2 import` does without `--user`), and checks that
/// no value had a conflict. Returns the number imported (the generated files hold a few blank
/// values, ignored, and zeros that DHIS2 does not store).
pub fn import_xml(metadata: &Metadata, path: &Path, store: &mut dyn DataValueStore) -> u64 {
    let access = Superuser::default();
    let importer = Importer::new(metadata, &access);
    let mut resolver = MetadataResolver::new(metadata);
    let mut source = dxf2_xml::Reader::new(common::open(path)).expect("open XML");
    let outcome = importer.import(
        &mut source,
        &ImportOptions::default(),
        &mut resolver,
        store,
        &mut |_| {},
    );
    let summary = outcome.summary;
    assert_eq!(
        summary.status,
        ImportStatus::Success,
        "{:?} {:?}",
        outcome.failure,
        summary.conflicts.first()
    );
    assert!(summary.rejected_indexes.is_empty());
    summary.import_count.imported
}

/// A fresh SQLite store file at `path` (any earlier file and its WAL are removed first).
pub fn fresh_sqlite(path: &Path) -> dxf2_store_sqlite::SqliteStore {
    remove_sqlite(path);
    dxf2_store_sqlite::SqliteStore::open(path).expect("create SQLite store")
}

/// Removes a SQLite store file and its `-wal` / `-shm` companions.
pub fn remove_sqlite(path: &Path) {
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let mut name = path.as_os_str().to_owned();
        name.push(suffix);
        let _ = fs::remove_file(PathBuf::from(name));
    }
}
