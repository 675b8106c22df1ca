//! The PostgreSQL store on the spread workload: the classic import of N facilities × M months ×
//! K data elements (`dxf2_testdata::spread`, XML) into a new PostgreSQL store, beside the dry run
//! and the import into a new SQLite store of the same file, in the same run, for both orders of
//! the values:
//!
//! * `postgres/<order>/dry_run` — the import with `dryRun` into a new PostgreSQL store (one
//!   transaction, rolled back): the engine's own cost plus the store's lookups;
//! * `postgres/<order>/postgres` — the import into a new PostgreSQL store holding the metadata
//!   (one transaction; the commit is timed; creating the store's schema, saving the metadata and
//!   dropping the schema afterwards are not);
//! * `postgres/<order>/sqlite` — the import into a new SQLite store file, as `benches/stores.rs`
//!   measures it, for the ratio.
//!
//! `<order>` is `ordered` (period, then org unit: as real exports come) or `shuffled`. The target
//! (issue 10): `postgres` within 2.5× of `sqlite` at 1,000,000 values. Each measured import also
//! prints its time on stderr, so that a single run (`-- --test`) gives figures.
//!
//! The server: `DXF2_BENCH_POSTGRES`, else `DXF2_TEST_POSTGRES` (a libpq URL; `source
//! .ci/postgres.sh` starts a throwaway one — with `DXF2_POSTGRES_DURABLE=1` for PostgreSQL's
//! default durability, which is what to measure). Without either, the bench says so and measures
//! nothing. Size: about `DXF2_BENCH_SPREAD_VALUES` values (default 100,000); files live in
//! `target/bench-data/`. Run: `cargo bench --bench postgres`; one import of each:
//! `DXF2_BENCH_SPREAD_VALUES=1000000 cargo bench --bench postgres -- --test`.
// Benchmark harness code: a broken set-up should stop the run loudly.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

mod common;

use std::fs::{self, File};
use std::io::BufWriter;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion, SamplingMode, Throughput};
use dxf2_model::{ImportOptions, ImportStatus, Metadata};
use dxf2_store_postgres::{OpenOptions, PostgresStore};
use dxf2_store_sqlite::SqliteStore;
use dxf2_testdata::spread::{Spread, SpreadConfig, SpreadOrder};
use idscheme_resolver::MetadataResolver;
use import_engine::store::{DataValueStore, MetadataStore};
use import_engine::{Importer, Superuser};

/// Default number of values (`DXF2_BENCH_SPREAD_VALUES` overrides it).
const DEFAULT_VALUES: u64 = 100_000;

/// Bumped whenever the generator's output changes, so that stale files are not reused (the same
/// files as `benches/stores.rs`).
const DATA_VERSION: u32 = 1;

/// The schema of the bench's stores.
fn schema() -> String {
    format!("bench_{}", std::process::id())
}

/// The server's URL, if one is given.
fn server_url() -> Option<String> {
    ["DXF2_BENCH_POSTGRES", "DXF2_TEST_POSTGRES"]
        .iter()
        .find_map(|name| std::env::var(name).ok().filter(|url| !url.is_empty()))
}

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

/// Imports the XML file at `path` into `store` with the classic importer (as the superuser, as
/// `dxf2 import` does without `--user`); checks that every value was imported.
fn import(
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

/// A new store of its own schema holding `metadata` (an earlier one is dropped).
fn new_postgres(url: &str, metadata: &Metadata) -> PostgresStore {
    PostgresStore::drop_schema(url, &schema()).expect("drop the bench schema");
    let options = OpenOptions::new().schema(&schema()).create(true);
    let mut store = PostgresStore::open_with(url, &options).expect("create PostgreSQL store");
    store.save_metadata(metadata).expect("save metadata");
    store
}

/// A new SQLite store file at `path` holding `metadata`.
fn new_sqlite(path: &Path, metadata: &Metadata) -> SqliteStore {
    remove_sqlite(path);
    let mut store = SqliteStore::open(path).expect("create SQLite store");
    store.save_metadata(metadata).expect("save metadata");
    store
}

/// Removes a store file and its `-wal` / `-shm` companions.
fn remove_sqlite(path: &Path) {
    for suffix in ["", "-wal", "-shm"] {
        let mut name = path.as_os_str().to_owned();
        name.push(suffix);
        let _ = fs::remove_file(PathBuf::from(name));
    }
}

/// Where the time is measured.
#[derive(Clone, Copy)]
enum Target {
    DryRun,
    Postgres,
    Sqlite,
}

fn postgres(c: &mut Criterion) {
    let Some(url) = server_url() else {
        eprintln!(
            "postgres bench: no server (set DXF2_BENCH_POSTGRES or DXF2_TEST_POSTGRES, e.g. \
             after `source .ci/postgres.sh`); nothing measured"
        );
        return;
    };
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
    let db = common::data_dir().join(format!("postgres-bench-{}.sqlite", std::process::id()));

    for order in [SpreadOrder::PeriodThenOrgUnit, SpreadOrder::Shuffled] {
        let name = order_name(order);
        let path = data_file(&format!("{stem}-{name}.xml"), |w| {
            spread.write_xml(order, w)
        });
        let mut group = c.benchmark_group(format!("postgres/{name}"));
        group
            .sampling_mode(SamplingMode::Flat)
            .sample_size(10)
            .measurement_time(Duration::from_secs(10))
            .throughput(Throughput::ElementsAndBytes {
                elements: values,
                bytes: common::file_size(&path),
            });
        for (bench, target) in [
            ("dry_run", Target::DryRun),
            ("postgres", Target::Postgres),
            ("sqlite", Target::Sqlite),
        ] {
            group.bench_function(bench, |b| {
                b.iter_custom(|iters| {
                    let mut total = Duration::ZERO;
                    for _ in 0..iters {
                        let elapsed = match target {
                            Target::DryRun | Target::Postgres => {
                                let mut store = new_postgres(&url, &metadata);
                                let dry_run = matches!(target, Target::DryRun);
                                let start = Instant::now();
                                import(&metadata, &path, dry_run, &mut store, values);
                                let elapsed = start.elapsed();
                                drop(store);
                                elapsed
                            }
                            Target::Sqlite => {
                                let mut store = new_sqlite(&db, &metadata);
                                let start = Instant::now();
                                import(&metadata, &path, false, &mut store, values);
                                drop(store);
                                start.elapsed()
                            }
                        };
                        eprintln!(
                            "postgres/{name}/{bench}: {values} values in {:.2} s",
                            elapsed.as_secs_f64()
                        );
                        total += elapsed;
                    }
                    total
                });
            });
        }
        group.finish();
    }
    PostgresStore::drop_schema(&url, &schema()).expect("drop the bench schema");
    remove_sqlite(&db);
}

criterion_group!(benches, postgres);
criterion_main!(benches);
