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
mod spread_common;

use spread_common::{import, new_sqlite, order_name, remove_sqlite, Workload};

use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion, SamplingMode, Throughput};
use dxf2_testdata::spread::SpreadOrder;

fn stores(c: &mut Criterion) {
    let workload = Workload::new();
    let (values, metadata) = (workload.values, &workload.metadata);
    let db = common::data_dir().join(format!("stores-bench-{}.sqlite", std::process::id()));

    for order in [SpreadOrder::PeriodThenOrgUnit, SpreadOrder::Shuffled] {
        let name = order_name(order);
        let path = workload.xml(order);
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
                        let mut store = new_sqlite(&db, metadata);
                        let start = Instant::now();
                        import(metadata, &path, dry_run, &mut store, values);
                        drop(store);
                        total += start.elapsed();
                    }
                    total
                });
            });
        }
        group.finish();
    }
    remove_sqlite(&db);
}

criterion_group!(benches, stores);
criterion_main!(benches);
