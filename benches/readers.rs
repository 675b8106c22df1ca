//! Reader throughput: each DXF2 reader draining a generated file into one reused record, beside
//! the raw parser loop it is built on (quick-xml events, `csv` byte records, `serde_json`
//! tokenising into `IgnoredAny`) over the same file.
//!
//! Size: `DXF2_BENCH_VALUES` values (default 1,000,000); files live in `target/bench-data/`.
//! Run: `cargo bench --bench readers`; smoke test: `DXF2_BENCH_VALUES=10000 cargo bench --bench readers -- --test`.
// Benchmark harness code: a broken set-up should stop the run loudly.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

mod common;

use std::hint::black_box;
use std::path::Path;
use std::time::Duration;

use common::Format;
use criterion::{criterion_group, criterion_main, Criterion, SamplingMode, Throughput};
use serde::de::{Deserialize, IgnoredAny};

/// quick-xml's own event loop, touching every attribute of every element.
fn raw_xml(path: &Path) -> u64 {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_reader(common::open(path));
    let mut buf = Vec::with_capacity(1024);
    let mut attributes = 0u64;
    loop {
        match reader.read_event_into(&mut buf).expect("XML event") {
            Event::Start(e) | Event::Empty(e) => {
                for attr in e.attributes() {
                    let attr = attr.expect("XML attribute");
                    black_box((attr.key, &attr.value));
                    attributes += 1;
                }
            }
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    attributes
}

/// The `csv` crate's byte record loop.
fn raw_csv(path: &Path) -> u64 {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(common::open(path));
    let mut record = csv::ByteRecord::new();
    let mut records = 0u64;
    while reader.read_byte_record(&mut record).expect("CSV record") {
        black_box(&record);
        records += 1;
    }
    records
}

/// `serde_json` tokenising the whole document (deserialised into `IgnoredAny`).
fn raw_json(path: &Path) -> u64 {
    let mut de = serde_json::Deserializer::from_reader(common::open(path));
    black_box(IgnoredAny::deserialize(&mut de).expect("JSON document"));
    de.end().expect("end of JSON");
    1
}

fn readers(c: &mut Criterion) {
    let values = common::bench_values();
    for format in Format::ALL {
        let path = common::data_file(format, values);
        let bytes = common::file_size(&path);
        let mut group = c.benchmark_group(format!("read/{}", format.ext()));
        group
            .sampling_mode(SamplingMode::Flat)
            .sample_size(10)
            .measurement_time(Duration::from_secs(10))
            .throughput(Throughput::ElementsAndBytes {
                elements: values,
                bytes,
            });
        group.bench_function("dxf2", |b| {
            b.iter(|| assert_eq!(common::read_all(format, &path), values));
        });
        group.bench_function("raw", |b| {
            b.iter(|| match format {
                Format::Xml => raw_xml(&path),
                Format::Json => raw_json(&path),
                Format::Csv => raw_csv(&path),
            });
        });
        group.finish();
    }
}

criterion_group!(benches, readers);
criterion_main!(benches);
