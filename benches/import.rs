//! Import throughput: the classic importer over the generated XML workload (with its metadata),
//! beside the XML reader alone.
//!
//! * `import/xml/read` — `dxf2_xml::Reader` draining the file into one reused record (the
//!   baseline, measured in the same run);
//! * `import/xml/engine` — a full classic import into a store that keeps nothing (`get` finds no
//!   row, writes are dropped): decode + resolve + validate + decide, the engine's own cost;
//! * `import/xml/memory` — into a fresh `MemoryStore`;
//! * `import/xml/sqlite` — into a fresh `SqliteStore` file (one transaction; the commit and
//!   closing the file are timed, creating it is not).
//!
//! Each iteration starts from an empty store; creating and dropping stores is not timed (closing
//! the SQLite file is: it is part of what `dxf2 import` costs).
//!
//! Size: `DXF2_BENCH_VALUES` values (default 1,000,000); files live in `target/bench-data/`.
//! Run: `cargo bench --bench import`; smoke test: `DXF2_BENCH_VALUES=10000 cargo bench --bench import -- --test`.
// Benchmark harness code: a broken set-up should stop the run loudly.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

mod common;
mod import_common;

use std::time::{Duration, Instant};

use common::Format;
use criterion::{criterion_group, criterion_main, Criterion, SamplingMode, Throughput};
use import_common::NullStore;
use import_engine::MemoryStore;

fn import(c: &mut Criterion) {
    let values = common::bench_values();
    let path = common::data_file(Format::Xml, values);
    let bytes = common::file_size(&path);
    let metadata = import_common::metadata(values);
    let db = common::data_dir().join(format!("import-bench-{}.sqlite", std::process::id()));

    let mut group = c.benchmark_group("import/xml");
    group
        .sampling_mode(SamplingMode::Flat)
        .sample_size(10)
        .measurement_time(Duration::from_secs(10))
        .throughput(Throughput::ElementsAndBytes {
            elements: values,
            bytes,
        });
    group.bench_function("read", |b| {
        b.iter(|| assert_eq!(common::read_all(Format::Xml, &path), values));
    });
    group.bench_function("engine", |b| {
        b.iter(|| {
            let mut store = NullStore::default();
            let imported = import_common::import_xml(&metadata, &path, &mut store);
            assert_eq!(store.inserts, imported);
        });
    });
    group.bench_function("memory", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                let mut store = MemoryStore::new();
                let start = Instant::now();
                let imported = import_common::import_xml(&metadata, &path, &mut store);
                total += start.elapsed();
                assert_eq!(store.len() as u64, imported);
                drop(store);
            }
            total
        });
    });
    group.bench_function("sqlite", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                let mut store = import_common::fresh_sqlite(&db);
                let start = Instant::now();
                let imported = import_common::import_xml(&metadata, &path, &mut store);
                drop(store);
                total += start.elapsed();
                assert!(imported > values * 9 / 10);
            }
            total
        });
    });
    group.finish();
    import_common::remove_sqlite(&db);
}

criterion_group!(benches, import);
criterion_main!(benches);
