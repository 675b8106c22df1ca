//! Stores on a spread workload: the classic import of N facilities × M months × K data elements
//! (`dxf2_testdata::spread`, XML) into a new SQLite store, beside the dry run of the same file, in
//! the same run, for both orders of the values:
//!
//! * `stores/<order>/dry_run` — the import with `dryRun` into a new store (no transaction is
//!   opened and nothing is written): the engine's own cost plus the store's lookups;
//! * `stores/<order>/sqlite` — the import into a new store file holding the metadata (one
//!   transaction; the commit and closing the file are timed, creating the store and saving the
//!   metadata are not).
//!
//! `<order>` is `ordered` (period, then org unit: as real exports come) or `shuffled` (the same
//! values in a seeded random order). The target (issue 10): `sqlite` at most 2.5× `dry_run`, in
//! both orders, at ≥ 1,000 facilities × 36 months.
//!
//! Size: about `DXF2_BENCH_SPREAD_VALUES` values (default 100,000; 1,000,000 gives 1,158
//! facilities × 36 months × 24 data elements); files live in `target/bench-data/`.
//! Run: `cargo bench --bench stores`; smoke test: `DXF2_BENCH_SPREAD_VALUES=20000 cargo bench
//! --bench stores -- --test`.
// Benchmark harness code: a broken set-up should stop the run loudly.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

mod common;

use std::fs::{self, File};
use std::io::BufWriter;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion, SamplingMode, Throughput};
use dxf2_model::{ImportOptions, ImportStatus, Metadata};
use dxf2_store_sqlite::SqliteStore;
use dxf2_testdata::spread::{Spread, SpreadConfig, SpreadOrder};
use idscheme_resolver::MetadataResolver;
use import_engine::store::MetadataStore;
use import_engine::{Importer, Superuser};

/// Default number of values (`DXF2_BENCH_SPREAD_VALUES` overrides it).
const DEFAULT_VALUES: u64 = 100_000;

/// Bumped whenever the generator's output changes, so that stale files are not reused.
const DATA_VERSION: u32 = 1;

/// The number of values to benchmark with.
fn bench_values() -> u64 {
    match std::env::var("DXF2_BENCH_SPREAD_VALUES") {
        Ok(text) => text.trim().replace('_', "").parse().unwrap_or_else(|_| {
            panic!("DXF2_BENCH_SPREAD_VALUES must be a number of values, not {text:?}")
        }),
        Err(_) => DEFAULT_VALUES,
    }
}

/// A file of `target/bench-data/` made once by `write` (to a temporary name, then renamed).
fn data_file(name: &str, write: impl FnOnce(BufWriter<File>) -> std::io::Result<()>) -> PathBuf {
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
fn order_name(order: SpreadOrder) -> &'static str {
    match order {
        SpreadOrder::PeriodThenOrgUnit => "ordered",
        SpreadOrder::Shuffled => "shuffled",
    }
}

/// Imports the XML file at `path` into `store` with the classic importer (acting as the
/// superuser, as `dxf2 import` does without `--user`); checks that every value was imported.
fn import(metadata: &Metadata, path: &Path, dry_run: bool, store: &mut SqliteStore, values: u64) {
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

/// A new store file at `path` holding `metadata` (an earlier file and its WAL are removed).
fn new_store(path: &Path, metadata: &Metadata) -> SqliteStore {
    remove_store(path);
    let mut store = SqliteStore::open(path).expect("create SQLite store");
    store.save_metadata(metadata).expect("save metadata");
    store
}

/// Removes a store file and its `-wal` / `-shm` companions.
fn remove_store(path: &Path) {
    for suffix in ["", "-wal", "-shm"] {
        let mut name = path.as_os_str().to_owned();
        name.push(suffix);
        let _ = fs::remove_file(PathBuf::from(name));
    }
}

fn stores(c: &mut Criterion) {
    let config = SpreadConfig::with_values(bench_values());
    let spread = Spread::new(config);
    let values = spread.values();
    let stem = format!(
        "spread-{}x{}x{}-seed{}-v{DATA_VERSION}",
        config.org_units, config.months, config.data_elements, config.seed
    );
    let metadata_path = data_file(&format!("{stem}.json"), |w| spread.write_metadata_json(w));
    let metadata =
        dxf2_json::metadata::read_metadata(common::open(&metadata_path)).expect("read metadata");
    let db = common::data_dir().join(format!("stores-bench-{}.sqlite", std::process::id()));

    for order in [SpreadOrder::PeriodThenOrgUnit, SpreadOrder::Shuffled] {
        let name = order_name(order);
        let path = data_file(&format!("{stem}-{name}.xml"), |w| {
            spread.write_xml(order, w)
        });
        let mut group = c.benchmark_group(format!("stores/{name}"));
        group
            .sampling_mode(SamplingMode::Flat)
            .sample_size(10)
            .measurement_time(Duration::from_secs(10))
            .throughput(Throughput::ElementsAndBytes {
                elements: values,
                bytes: common::file_size(&path),
            });
        for (bench, dry_run) in [("dry_run", true), ("sqlite", false)] {
            group.bench_function(bench, |b| {
                b.iter_custom(|iters| {
                    let mut total = Duration::ZERO;
                    for _ in 0..iters {
                        let mut store = new_store(&db, &metadata);
                        let start = Instant::now();
                        import(&metadata, &path, dry_run, &mut store, values);
                        drop(store);
                        total += start.elapsed();
                    }
                    total
                });
            });
        }
        group.finish();
    }
    remove_store(&db);
}

criterion_group!(benches, stores);
criterion_main!(benches);
