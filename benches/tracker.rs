//! Tracker codecs throughput: a generated file of flat events (4 data values each, a point on
//! every tenth, a note on every twentieth) read with `dxf2-tracker`'s streaming readers, and read
//! and written again (JSON → JSON, CSV → CSV), beside the raw parser loops they are built on over
//! the same bytes: `serde_json` tokenising into `IgnoredAny`, and the `csv` crate's byte record
//! loop. The figure that matters is the ratio of each to its raw loop.
//!
//! Size: `DXF2_BENCH_EVENTS` events (default 1,000,000; about 400 MB of JSON); files live in
//! `target/bench-data/`. Run: `cargo bench --bench tracker`; smoke test:
//! `DXF2_BENCH_EVENTS=10000 DXF2_BENCH_TRACKER_IMPORT_EVENTS=1000 cargo bench --bench tracker
//! -- --test`.
//!
//! Import (`tracker_import/*`): `DXF2_BENCH_TRACKER_IMPORT_EVENTS` events (default 200,000;
//! the figure is 1,000,000: `DXF2_BENCH_TRACKER_IMPORT_EVENTS=1000000 cargo bench
//! --bench tracker -- tracker_import`) of the e2e event program (`Zd2rkv8FsWq`, three data
//! values each) imported with DHIS2's defaults through `dxf2_tracker::import::import`: into an
//! empty memory store and an empty SQLite file (`create`), and again into the memory store
//! that holds them (`update`: every event read back by key). The payload is built before
//! each timed run; the time is validation, merging and the store's transaction.
// Benchmark harness code: a broken set-up should stop the run loudly.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::fs::{self, File};
use std::hint::black_box;
use std::io::{self, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, SamplingMode, Throughput};
use dxf2_metadata::catalogue::MemoryCatalogue;
use dxf2_model::Uid;
use dxf2_store::MemoryStore;
use dxf2_store_sqlite::SqliteStore;
use dxf2_tracker::import::{import, ImportParams, Status};
use dxf2_tracker::{
    Coordinate, CsvWriteOptions, DataValue, Event, EventCsvReader, EventCsvWriter, Geometry, Item,
    JsonReader, JsonWriter, Note, Payload, ReadOptions, Timestamp, TrackerStore, TrackerType,
    WriteOptions,
};
use serde::de::{Deserialize, IgnoredAny};

/// Bumped whenever the generated files change.
const DATA_VERSION: u32 = 1;
const BUF_SIZE: usize = 64 * 1024;

fn bench_events() -> u64 {
    std::env::var("DXF2_BENCH_EVENTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000)
}

fn data_dir() -> PathBuf {
    let target = match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("target"),
    };
    target.join("bench-data")
}

/// A deterministic UID from a number.
fn uid(prefix: u8, n: u64) -> Uid {
    Uid::parse(&format!("{}{:010}", prefix as char, n)).expect("valid UID")
}

/// The `n`th generated event.
fn event(n: u64) -> Event {
    let day = Timestamp::from_epoch_millis(1_546_300_800_000 + (n % 1000) as i64 * 86_400_000)
        .expect("date");
    let data_values = (0..4u64)
        .map(|i| DataValue {
            data_element: uid(b'D', i).to_string(),
            value: ((n * 7 + i * 13) % 1000).to_string(),
            ..DataValue::default()
        })
        .collect();
    Event {
        event: Some(uid(b'E', n)),
        program: "Zd2rkv8FsWq".into(),
        program_stage: "jKLB23QZS4I".into(),
        enrollment: Some(uid(b'N', n / 3)),
        org_unit: uid(b'O', n % 500).to_string(),
        occurred_at: Some(day),
        created_at_client: Some(day),
        attribute_option_combo: "HllvX50cXC0".into(),
        geometry: n.is_multiple_of(10).then(|| {
            Geometry::Point(Coordinate::xy(
                -11.0 - (n % 97) as f64 / 100.0,
                8.0 + (n % 89) as f64 / 100.0,
            ))
        }),
        data_values,
        notes: if n.is_multiple_of(20) {
            vec![Note {
                value: "Follow-up visit, see register".into(),
                ..Note::default()
            }]
        } else {
            Vec::new()
        },
        ..Event::default()
    }
}

/// The data file of `events` events, generated once.
fn data_file(events: u64, ext: &str) -> PathBuf {
    let dir = data_dir();
    let path = dir.join(format!("tracker-events-{events}-v{DATA_VERSION}.{ext}"));
    if path.is_file() {
        return path;
    }
    fs::create_dir_all(&dir).expect("create target/bench-data");
    let tmp = path.with_extension(format!("{ext}.tmp{}", std::process::id()));
    eprintln!("generating {} ...", path.display());
    let out = BufWriter::with_capacity(BUF_SIZE, File::create(&tmp).expect("create data file"));
    let out = if ext == "json" {
        let mut w = JsonWriter::new(out, WriteOptions::default());
        w.begin_list(TrackerType::Event).expect("begin");
        for n in 0..events {
            w.write_event(&event(n)).expect("write event");
        }
        w.finish().expect("finish")
    } else {
        let mut w = EventCsvWriter::new(out, CsvWriteOptions::default()).expect("header");
        for n in 0..events {
            w.write_event(&event(n)).expect("write event");
        }
        w.finish().expect("finish")
    };
    out.into_inner()
        .map_err(|e| e.into_error())
        .and_then(|f| f.sync_all())
        .expect("flush data file");
    fs::rename(&tmp, &path).expect("rename data file");
    path
}

fn open(path: &Path) -> BufReader<File> {
    BufReader::with_capacity(BUF_SIZE, File::open(path).expect("open data file"))
}

/// `serde_json` tokenising the whole document.
fn raw_json(path: &Path) {
    let mut de = serde_json::Deserializer::from_reader(open(path));
    black_box(IgnoredAny::deserialize(&mut de).expect("JSON document"));
    de.end().expect("end of JSON");
}

/// The `csv` crate's byte record loop.
fn raw_csv(path: &Path) -> u64 {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(open(path));
    let mut record = csv::ByteRecord::new();
    let mut records = 0u64;
    while reader.read_byte_record(&mut record).expect("CSV record") {
        black_box(&record);
        records += 1;
    }
    records
}

/// Reads every event of the JSON file into the reused record; with `write`, writes each to
/// `io::sink()` as DHIS2's export does.
fn read_json(path: &Path, write: bool) -> u64 {
    let mut writer = JsonWriter::new(io::sink(), WriteOptions::default());
    writer.begin_list(TrackerType::Event).expect("begin");
    let summary = JsonReader::new(ReadOptions::default())
        .read(open(path), |item| {
            if write {
                writer.write_item(&item)?;
            } else if let Item::Event(e) = item {
                black_box(&e.data_values);
            }
            Ok(())
        })
        .expect("read JSON");
    writer.finish().expect("finish");
    summary.events
}

/// Reads every event of the CSV file into one reused record; with `write`, writes it back.
fn read_csv(path: &Path, write: bool) -> u64 {
    let mut reader =
        EventCsvReader::new(open(path), ReadOptions::default(), true).expect("CSV header");
    let mut writer = EventCsvWriter::new(io::sink(), CsvWriteOptions::default()).expect("header");
    let mut event = Event::default();
    let mut n = 0u64;
    while reader.read_event(&mut event).expect("read CSV") {
        if write {
            writer.write_event(&event).expect("write CSV");
        } else {
            black_box(&event.data_values);
        }
        n += 1;
    }
    writer.finish().expect("finish").flush().expect("flush");
    n
}

fn tracker(c: &mut Criterion) {
    let events = bench_events();
    for ext in ["json", "csv"] {
        let path = data_file(events, ext);
        let bytes = fs::metadata(&path).map(|m| m.len()).expect("file size");
        let mut group = c.benchmark_group(format!("tracker/{ext}"));
        group
            .sampling_mode(SamplingMode::Flat)
            .sample_size(10)
            .measurement_time(Duration::from_secs(10))
            .throughput(Throughput::ElementsAndBytes {
                elements: events,
                bytes,
            });
        group.bench_function("raw", |b| {
            b.iter(|| {
                if ext == "json" {
                    raw_json(&path);
                } else {
                    black_box(raw_csv(&path));
                }
            });
        });
        group.bench_function("read", |b| {
            b.iter(|| {
                let n = if ext == "json" {
                    read_json(&path, false)
                } else {
                    read_csv(&path, false)
                };
                assert_eq!(n, events);
            });
        });
        group.bench_function("read_write", |b| {
            b.iter(|| {
                let n = if ext == "json" {
                    read_json(&path, true)
                } else {
                    read_csv(&path, true)
                };
                assert_eq!(n, events);
            });
        });
        group.finish();
    }
}

fn import_events() -> u64 {
    std::env::var("DXF2_BENCH_TRACKER_IMPORT_EVENTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200_000)
}

/// The e2e metadata the tracker tests use (event program `Zd2rkv8FsWq`, its stage, data
/// elements and org units), over DHIS2's default category objects.
fn import_metadata() -> MemoryCatalogue {
    let doc: serde_json::Value = serde_json::from_str(include_str!(
        "../crates/dxf2-tracker/tests/fixtures/tracker_metadata.json"
    ))
    .expect("metadata fixture");
    let mut cat = MemoryCatalogue::with_dhis2_defaults();
    for (key, list) in doc.as_object().expect("metadata document") {
        for object in list.as_array().expect("metadata list") {
            cat.insert(key, object.as_object().expect("metadata object").clone());
        }
    }
    cat
}

/// `events` valid events of the e2e event program.
fn import_payload(events: u64) -> Payload {
    let events = (0..events)
        .map(|n| {
            let day =
                Timestamp::from_epoch_millis(1_546_300_800_000 + (n % 1000) as i64 * 86_400_000)
                    .expect("date");
            let value = |de: &str, v: String| DataValue {
                data_element: de.into(),
                value: v,
                ..DataValue::default()
            };
            Event {
                event: Some(uid(b'E', n)),
                program: "Zd2rkv8FsWq".into(),
                program_stage: "jKLB23QZS4I".into(),
                org_unit: "O6uvpzGd5pu".into(),
                occurred_at: Some(day),
                data_values: vec![
                    value("BuZ5LGNfGEU", ((n * 7) % 1000).to_string()),
                    value("ILRgzHhzFkg", (n % 2 == 0).to_string()),
                    value("ZrqtjjveTFc", format!("visit {n}")),
                ],
                ..Event::default()
            }
        })
        .collect();
    Payload {
        events,
        ..Payload::default()
    }
}

fn import_into<S: TrackerStore + ?Sized>(
    store: &mut S,
    metadata: &MemoryCatalogue,
    payload: Payload,
    events: u64,
) {
    let out = import(store, metadata, payload, &ImportParams::default()).expect("import");
    assert_eq!(out.report.status, Status::Ok, "{}", out.report.to_json());
    assert_eq!(out.report.stats.total(), events);
}

fn tracker_import(c: &mut Criterion) {
    let events = import_events();
    let metadata = import_metadata();
    let mut group = c.benchmark_group("tracker_import");
    group
        .sampling_mode(SamplingMode::Flat)
        .sample_size(10)
        .measurement_time(Duration::from_secs(20))
        .throughput(Throughput::Elements(events));
    group.bench_function("memory/create", |b| {
        b.iter_batched(
            || (MemoryStore::new(), import_payload(events)),
            |(mut store, payload)| {
                import_into(&mut store, &metadata, payload, events);
                store
            },
            BatchSize::PerIteration,
        );
    });
    let dir = data_dir();
    fs::create_dir_all(&dir).expect("create target/bench-data");
    let db = dir.join(format!("tracker-import-{}.sqlite", std::process::id()));
    let remove_db = || {
        for suffix in ["", "-wal", "-shm", "-journal"] {
            let mut name = db.clone().into_os_string();
            name.push(suffix);
            let _ = fs::remove_file(name);
        }
    };
    group.bench_function("sqlite/create", |b| {
        b.iter_batched(
            || {
                remove_db();
                (
                    SqliteStore::open(&db).expect("SQLite store"),
                    import_payload(events),
                )
            },
            |(mut store, payload)| {
                import_into(&mut store, &metadata, payload, events);
                store
            },
            BatchSize::PerIteration,
        );
    });
    remove_db();
    let mut loaded = MemoryStore::new();
    import_into(&mut loaded, &metadata, import_payload(events), events);
    group.bench_function("memory/update", |b| {
        b.iter_batched(
            || import_payload(events),
            |payload| import_into(&mut loaded, &metadata, payload, events),
            BatchSize::PerIteration,
        );
    });
    group.finish();
}

criterion_group!(benches, tracker, tracker_import);
criterion_main!(benches);
