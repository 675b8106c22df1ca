//! What the spread-workload benches (`stores`, `postgres`) share: the workload's size, its files
//! in `target/bench-data/` (made once), the import they time, and new SQLite store files.
// Benchmark harness code: a broken set-up should stop the run loudly.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic, dead_code)]

use std::fs::{self, File};
use std::io::BufWriter;
use std::path::{Path, PathBuf};

use dxf2_model::{ImportOptions, ImportStatus, Metadata};
use dxf2_store_sqlite::SqliteStore;
use dxf2_testdata::spread::{Spread, SpreadConfig, SpreadOrder};
use idscheme_resolver::MetadataResolver;
use import_engine::store::{DataValueStore, MetadataStore};
use import_engine::{Importer, Superuser};

use crate::common;

/// Default number of values (`DXF2_BENCH_SPREAD_VALUES` overrides it).
pub const DEFAULT_VALUES: u64 = 100_000;

/// Bumped whenever the generator's output changes, so that stale files are not reused.
pub const DATA_VERSION: u32 = 1;

/// The number of values to benchmark with.
pub fn bench_values() -> u64 {
    match std::env::var("DXF2_BENCH_SPREAD_VALUES") {
        Ok(text) => text.trim().replace('_', "").parse().unwrap_or_else(|_| {
            panic!("DXF2_BENCH_SPREAD_VALUES must be a number of values, not {text:?}")
        }),
        Err(_) => DEFAULT_VALUES,
    }
}

/// A file of `target/bench-data/` made once by `write` (to a temporary name, then renamed).
pub fn data_file(
    name: &str,
    write: impl FnOnce(BufWriter<File>) -> std::io::Result<()>,
) -> PathBuf {
    let dir = common::data_dir();
    let path = dir.join(name);
    if path.is_file() {
        return path;
    }
    fs::create_dir_all(&dir).expect("create target/bench-data");
    let tmp = dir.join(format!("{name}.tmp{}", std::process::id()));
    write(BufWriter::new(
        File::create(&tmp).expect("create data file"),
    ))
    .expect("write data");
    fs::rename(&tmp, &path).expect("rename data file");
    path
}

/// The name of an order in file and benchmark names.
pub fn order_name(order: SpreadOrder) -> &'static str {
    match order {
        SpreadOrder::PeriodThenOrgUnit => "ordered",
        SpreadOrder::Shuffled => "shuffled",
    }
}

/// Imports the XML file at `path` into `store` with the classic importer (as the superuser, as
/// `dxf2 import` does without `--user`); checks that every value was imported.
pub fn import(
    metadata: &Metadata,
    path: &Path,
    dry_run: bool,
    store: &mut dyn DataValueStore,
    values: u64,
) {
    let access = Superuser::default();
    let importer = Importer::new(metadata, &access);
    let mut resolver = MetadataResolver::new(metadata);
    let mut source = dxf2_xml::Reader::new(common::open(path)).expect("open XML");
    let options = ImportOptions {
        dry_run,
        ..ImportOptions::default()
    };
    let outcome = importer.import(&mut source, &options, &mut resolver, store, &mut |_| {});
    let summary = outcome.summary;
    assert_eq!(
        summary.status,
        ImportStatus::Success,
        "{:?} {:?}",
        outcome.failure,
        summary.conflicts.first()
    );
    assert_eq!(summary.import_count.imported, values);
}

/// A new SQLite store file at `path` holding `metadata`.
pub fn new_sqlite(path: &Path, metadata: &Metadata) -> SqliteStore {
    remove_sqlite(path);
    let mut store = SqliteStore::open(path).expect("create SQLite store");
    store.save_metadata(metadata).expect("save metadata");
    store
}

/// Removes a store file and its `-wal` / `-shm` companions.
pub fn remove_sqlite(path: &Path) {
    for suffix in ["", "-wal", "-shm"] {
        let mut name = path.as_os_str().to_owned();
        name.push(suffix);
        let _ = fs::remove_file(PathBuf::from(name));
    }
}

/// The spread workload of `bench_values()` values: its metadata (read from its file) and the
/// XML file of each order.
pub struct Workload {
    /// The generator.
    pub spread: Spread,
    /// Values in each file.
    pub values: u64,
    /// The workload's metadata.
    pub metadata: Metadata,
    stem: String,
}

impl Workload {
    /// The workload, its metadata file made when missing.
    pub fn new() -> Workload {
        let config = SpreadConfig::with_values(bench_values());
        let spread = Spread::new(config);
        let values = spread.values();
        let stem = format!(
            "spread-{}x{}x{}-seed{}-v{DATA_VERSION}",
            config.org_units, config.months, config.data_elements, config.seed
        );
        let metadata_path = data_file(&format!("{stem}.json"), |w| spread.write_metadata_json(w));
        let metadata = dxf2_json::metadata::read_metadata(common::open(&metadata_path))
            .expect("read metadata");
        Workload {
            spread,
            values,
            metadata,
            stem,
        }
    }

    /// The XML file of the values in `order`, made when missing.
    pub fn xml(&self, order: SpreadOrder) -> PathBuf {
        data_file(&format!("{}-{}.xml", self.stem, order_name(order)), |w| {
            self.spread.write_xml(order, w)
        })
    }
}
