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
mod spread_common;

use dxf2_model::Metadata;
use spread_common::{import, new_sqlite, order_name, remove_sqlite, Workload};

use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion, SamplingMode, Throughput};
use dxf2_store_postgres::{OpenOptions, PostgresStore};
use dxf2_testdata::spread::SpreadOrder;
use import_engine::store::MetadataStore;

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

/// A new store of its own schema holding `metadata` (an earlier one is dropped).
fn new_postgres(url: &str, metadata: &Metadata) -> PostgresStore {
    PostgresStore::drop_schema(url, &schema()).expect("drop the bench schema");
    let options = OpenOptions::new().schema(&schema()).create(true);
    let mut store = PostgresStore::open_with(url, &options).expect("create PostgreSQL store");
    store.save_metadata(metadata).expect("save metadata");
    store
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
    let workload = Workload::new();
    let (values, metadata) = (workload.values, &workload.metadata);
    let db = common::data_dir().join(format!("postgres-bench-{}.sqlite", std::process::id()));

    for order in [SpreadOrder::PeriodThenOrgUnit, SpreadOrder::Shuffled] {
        let name = order_name(order);
        let path = workload.xml(order);
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
                                let mut store = new_postgres(&url, metadata);
                                let dry_run = matches!(target, Target::DryRun);
                                let start = Instant::now();
                                import(metadata, &path, dry_run, &mut store, values);
                                let elapsed = start.elapsed();
                                drop(store);
                                elapsed
                            }
                            Target::Sqlite => {
                                let mut store = new_sqlite(&db, metadata);
                                let start = Instant::now();
                                import(metadata, &path, false, &mut store, values);
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
