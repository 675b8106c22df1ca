//! Writer throughput: each DXF2 writer writing the generated values from memory-resident
//! records (generated once into a `Vec<DataValue>`) to `std::io::sink()` (through a `black_box`).
//!
//! Size: `DXF2_BENCH_VALUES` values (default 1,000,000).
//! Run: `cargo bench --bench writers`; smoke test: `DXF2_BENCH_VALUES=10000 cargo bench --bench writers -- --test`.
// Benchmark harness code: a broken set-up should stop the run loudly.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

mod common;

use std::io;
use std::time::Duration;

use common::{CountingSink, Format};
use criterion::{criterion_group, criterion_main, Criterion, SamplingMode, Throughput};
use dxf2_model::{DataValue, DataValueSetHeader, DataValueSink};

fn write_all<S: DataValueSink>(mut sink: S, values: &[DataValue]) -> S {
    sink.begin(&DataValueSetHeader::default()).expect("begin");
    for value in values {
        sink.write_value(value).expect("write value");
    }
    sink.finish().expect("finish");
    sink
}

fn write_to<W: io::Write>(format: Format, values: &[DataValue], out: W) {
    match format {
        Format::Xml => drop(write_all(dxf2_xml::Writer::new(out), values)),
        Format::Json => drop(write_all(dxf2_json::Writer::new(out), values)),
        Format::Csv => drop(write_all(dxf2_csv::Writer::from_writer(out), values)),
    }
}

fn writers(c: &mut Criterion) {
    let count = common::bench_values();
    let values = common::workload(count).collect_values();
    for format in Format::ALL {
        // The output size, for the bytes/s figure.
        let mut counter = CountingSink::default();
        write_to(format, &values, &mut counter);
        let mut group = c.benchmark_group(format!("write/{}", format.ext()));
        group
            .sampling_mode(SamplingMode::Flat)
            .sample_size(10)
            .measurement_time(Duration::from_secs(10))
            .throughput(Throughput::ElementsAndBytes {
                elements: count,
                bytes: counter.0,
            });
        group.bench_function("dxf2", |b| {
            b.iter(|| write_to(format, &values, common::Sink::new()))
        });
        group.finish();
    }
}

criterion_group!(benches, writers);
criterion_main!(benches);
