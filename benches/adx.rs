//! ADX throughput: reading an ADX file and mapping it to DXF2 values against the metadata
//! (`adx::AdxSource`, DHIS2 2.42's rules: codes, category attributes exploded into option
//! combos, the annotation of text values), and writing DXF2 values as ADX (`adx::AdxWriter`),
//! beside quick-xml's raw event loop over the same file.
//!
//! The file is the generated workload (~200 org units, 100 data elements, monthly and quarterly
//! periods over several years) written as ADX with DHIS2's export defaults: groups of one data
//! set, period and org unit, disaggregations as `sex`/`age` category attributes.
//!
//! Size: `DXF2_BENCH_VALUES` values (default 1,000,000); files live in `target/bench-data/`.
//! Run: `cargo bench --bench adx`; smoke test: `DXF2_BENCH_VALUES=10000 cargo bench --bench adx -- --test`.
// Benchmark harness code: a broken set-up should stop the run loudly.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

mod common;

use std::fs::{self, File};
use std::hint::black_box;
use std::io::BufWriter;
use std::path::{Path, PathBuf};
use std::time::Duration;

use adx::{AdxSourceBuilder, AdxWriterBuilder};
use criterion::{criterion_group, criterion_main, Criterion, SamplingMode, Throughput};
use dxf2_model::{DataValue, DataValueSource, IdScheme, IdSchemes, Metadata};

/// The workload's metadata, read as a store would load it.
fn metadata(values: u64) -> Metadata {
    let mut json = Vec::new();
    common::workload(values)
        .write_metadata_json(&mut json)
        .expect("metadata JSON");
    dxf2_json::metadata::read_metadata(json.as_slice()).expect("metadata")
}

/// The workload as an ADX file (generated once per size).
fn adx_file(md: &Metadata, values: u64) -> PathBuf {
    let dir = common::data_dir();
    let path = dir.join(format!("values-{values}-seed{}-v1.adx.xml", common::SEED));
    if path.is_file() {
        return path;
    }
    fs::create_dir_all(&dir).expect("create target/bench-data");
    let tmp = path.with_extension(format!("xml.tmp{}", std::process::id()));
    eprintln!("generating {} ...", path.display());
    let out = BufWriter::with_capacity(common::BUF_SIZE, File::create(&tmp).expect("create"));
    let mut writer = AdxWriterBuilder::new().build(md, out);
    common::workload(values)
        .write_values(&mut writer)
        .expect("write ADX");
    writer
        .into_inner()
        .into_inner()
        .map_err(|e| e.into_error())
        .and_then(|f| f.sync_all())
        .expect("flush ADX");
    fs::rename(&tmp, &path).expect("rename bench data file");
    path
}

/// ADX read and mapped, each value into one reused record. The workload's option combos have
/// no codes, so they are handed on by UID (`categoryOptionComboIdScheme=UID`).
fn read_adx(md: &Metadata, path: &Path) -> u64 {
    let schemes = IdSchemes {
        category_option_combo: Some(IdScheme::Uid),
        ..IdSchemes::default()
    };
    let mut source = AdxSourceBuilder::new()
        .id_schemes(schemes)
        .build(md, common::open(path));
    let mut record = DataValue::new();
    let mut count = 0;
    while source.read_value(&mut record).expect("read ADX value") {
        black_box(&record);
        count += 1;
    }
    count
}

/// quick-xml's own event loop, touching every attribute of every element and every text.
fn raw_xml(path: &Path) -> u64 {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_reader(common::open(path));
    let mut buf = Vec::with_capacity(1024);
    let mut values = 0u64;
    loop {
        match reader.read_event_into(&mut buf).expect("XML event") {
            Event::Start(e) | Event::Empty(e) => {
                if e.name().as_ref() == "dataValue" {
                    values += 1;
                }
                for attr in e.attributes() {
                    let attr = attr.expect("XML attribute");
                    black_box((attr.key, &attr.value));
                }
            }
            Event::Text(t) => {
                black_box(&t);
            }
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    values
}

fn adx(c: &mut Criterion) {
    let values = common::bench_values();
    let md = metadata(values);
    let path = adx_file(&md, values);
    let bytes = common::file_size(&path);
    let mut group = c.benchmark_group("read/adx");
    group
        .sampling_mode(SamplingMode::Flat)
        .sample_size(10)
        .measurement_time(Duration::from_secs(10))
        .throughput(Throughput::ElementsAndBytes {
            elements: values,
            bytes,
        });
    group.bench_function("adx", |b| {
        b.iter(|| assert_eq!(read_adx(&md, &path), values));
    });
    group.bench_function("raw", |b| {
        b.iter(|| assert_eq!(raw_xml(&path), values));
    });
    group.finish();

    let mut group = c.benchmark_group("write/adx");
    group
        .sampling_mode(SamplingMode::Flat)
        .sample_size(10)
        .measurement_time(Duration::from_secs(10))
        .throughput(Throughput::ElementsAndBytes {
            elements: values,
            bytes,
        });
    let workload = common::workload(values);
    group.bench_function("adx", |b| {
        b.iter(|| {
            let mut writer = AdxWriterBuilder::new().build(&md, common::Sink::new());
            workload.write_values(&mut writer).expect("write ADX");
            assert_eq!(writer.values_written(), values);
        });
    });
    group.finish();
}

criterion_group!(benches, adx);
criterion_main!(benches);
