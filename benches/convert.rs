//! Conversion: XML → CSV and JSON → XML of the generated file (our reader feeding our writer,
//! written to `std::io::sink()` through a `black_box`), beside the raw quick-xml event loop
//! over the same XML file, for the "conversion costs at most twice the raw parse" comparison.
//! `cli-path` is what `dxf2 convert` runs, file to file: `dxf2::io::Input` (format and
//! compression sniffing, progress counting), `AnyReader`, `copy`, `AnyWriter` into an `Output`
//! (a temporary file beside the target, fsynced and renamed over it on commit).
//!
//! Size: `DXF2_BENCH_VALUES` values (default 1,000,000); files live in `target/bench-data/`.
//! Run: `cargo bench --bench convert`; smoke test: `DXF2_BENCH_VALUES=10000 cargo bench --bench convert -- --test`.
// Benchmark harness code: a broken set-up should stop the run loudly.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

mod common;

use std::hint::black_box;
use std::time::Duration;

use common::Format;
use criterion::{criterion_group, criterion_main, Criterion, SamplingMode, Throughput};

/// quick-xml's event loop touching every attribute (the same loop as in the readers bench).
fn raw_xml(path: &std::path::Path) -> u64 {
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

/// `dxf2 convert IN -o OUT` without the argument parsing: file to file through `dxf2::io`.
fn cli_path(path: &std::path::Path, output: &std::path::Path, to: Format) -> u64 {
    use dxf2::io::{
        AnyReader, AnyWriter, DecompressionLimits, Input, OutputBuilder, ReaderOptions,
    };
    let to = match to {
        Format::Xml => dxf2::io::Format::Xml,
        Format::Json => dxf2::io::Format::Json,
        Format::Csv => dxf2::io::Format::Csv,
    };
    let mut input = Input::open(path, &DecompressionLimits::default()).unwrap();
    let from = dxf2::io::Format::detect(None, path, input.head().unwrap());
    let mut reader = AnyReader::open(input, from, &ReaderOptions::default()).unwrap();
    let out = OutputBuilder::new().create(output).unwrap();
    let mut writer = AnyWriter::new(to, out);
    let copied = dxf2::io::copy(&mut reader, &mut writer).unwrap();
    writer.into_inner().unwrap().commit().unwrap();
    copied.values
}

fn convert(c: &mut Criterion) {
    let values = common::bench_values();
    for (from, to) in [(Format::Xml, Format::Csv), (Format::Json, Format::Xml)] {
        let path = common::data_file(from, values);
        let bytes = common::file_size(&path);
        let mut group = c.benchmark_group(format!("convert/{}-to-{}", from.ext(), to.ext()));
        group
            .sampling_mode(SamplingMode::Flat)
            .sample_size(10)
            .measurement_time(Duration::from_secs(10))
            .throughput(Throughput::ElementsAndBytes {
                elements: values,
                bytes,
            });
        group.bench_function("dxf2", |b| {
            b.iter(|| {
                assert_eq!(
                    common::convert(from, to, &path, common::Sink::new()),
                    values
                )
            });
        });
        group.bench_function("cli-path", |b| {
            let out = common::data_dir().join(format!("cli-path-out.{}", to.ext()));
            b.iter(|| assert_eq!(cli_path(&path, &out, to), values));
            let _ = std::fs::remove_file(&out);
        });
        if from == Format::Xml {
            group.bench_function("raw-xml-parse", |b| b.iter(|| raw_xml(&path)));
        }
        group.finish();
    }
}

criterion_group!(benches, convert);
criterion_main!(benches);
