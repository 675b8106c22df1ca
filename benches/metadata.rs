//! Metadata import (issue 11): a package of 50,000 org units (a country → 10 regions → 100
//! districts → 49,889 facilities), 5,000 data elements and one data set holding them all, read
//! from metadata JSON and imported with DHIS2's object bundle rules (`dxf2_metadata::import`)
//! into an empty in-memory catalogue, and imported again over the result (every object an
//! update), beside the read alone:
//!
//! * `metadata/read` — `read_json` of the package (11 MB of JSON, 133 MB once read);
//! * `metadata/import-new` — the import into a catalogue holding DHIS2's defaults only;
//! * `metadata/import-again` — the same import over the catalogue the first one made.
//!
//! Run: `cargo bench --bench metadata`; smoke test: `cargo bench --bench metadata -- --test`.
// Benchmark harness code: a broken set-up should stop the run loudly.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, SamplingMode};
use dxf2_metadata::catalogue::MemoryCatalogue;
use dxf2_metadata::import::{import, ImportParams, Status};
use dxf2_metadata::read_json_str;
use serde_json::{json, Value};

const ORG_UNITS: usize = 50_000;
const DATA_ELEMENTS: usize = 5_000;

/// A UID of DHIS2's alphabet (a letter, then 10 letters or digits) made from `prefix` and `n`.
fn uid(prefix: char, n: usize) -> String {
    format!("{prefix}{n:010}")
}

/// The package as metadata JSON.
fn package() -> String {
    let mut units: Vec<Value> = Vec::with_capacity(ORG_UNITS);
    let unit = |n: usize, parent: Option<usize>, level: &str| {
        let mut o = json!({
            "id": uid('o', n),
            "code": format!("OU_{n}"),
            "name": format!("{level} {n}"),
            "shortName": format!("{level} {n}"),
            "openingDate": "1990-01-01T00:00:00.000",
        });
        if let (Some(p), Some(map)) = (parent, o.as_object_mut()) {
            map.insert("parent".to_owned(), json!({"id": uid('o', p)}));
        }
        o
    };
    units.push(unit(0, None, "Country"));
    for r in 1..=10 {
        units.push(unit(r, Some(0), "Region"));
    }
    for d in 11..=110 {
        units.push(unit(d, Some(1 + (d - 11) / 10), "District"));
    }
    for f in 111..ORG_UNITS {
        units.push(unit(f, Some(11 + (f - 111) % 100), "Facility"));
    }
    let elements: Vec<Value> = (0..DATA_ELEMENTS)
        .map(|n| {
            json!({
                "id": uid('d', n),
                "code": format!("DE_{n}"),
                "name": format!("Data element {n}"),
                "shortName": format!("DE {n}"),
                "valueType": "INTEGER_ZERO_OR_POSITIVE",
                "domainType": "AGGREGATE",
                "aggregationType": "SUM",
            })
        })
        .collect();
    let data_set = json!({
        "id": uid('s', 0),
        "code": "MONTHLY",
        "name": "Monthly report",
        "shortName": "Monthly report",
        "periodType": "Monthly",
        "dataSetElements": (0..DATA_ELEMENTS)
            .map(|n| json!({"dataElement": {"id": uid('d', n)}, "dataSet": {"id": uid('s', 0)}}))
            .collect::<Vec<_>>(),
        "organisationUnits": (111..ORG_UNITS).map(|f| json!({"id": uid('o', f)})).collect::<Vec<_>>(),
    });
    json!({
        "organisationUnits": units,
        "dataElements": elements,
        "dataSets": [data_set],
    })
    .to_string()
}

fn metadata(c: &mut Criterion) {
    let text = package();
    let doc = read_json_str(&text).expect("read the package").document;
    let params = ImportParams::default();
    let mut first = MemoryCatalogue::with_dhis2_defaults();
    let result = import(&first, &doc, &params).expect("import");
    assert_eq!(result.report.status, Status::Ok, "{:?}", result.report);
    assert_eq!(result.report.stats.created, ORG_UNITS + DATA_ELEMENTS + 1);
    first.apply(&result.changes);

    let mut group = c.benchmark_group("metadata");
    group.sampling_mode(SamplingMode::Flat);
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(20));
    group.bench_function("read", |b| {
        b.iter(|| read_json_str(&text).expect("read").document.len())
    });
    group.bench_function("import-new", |b| {
        b.iter(|| {
            let target = MemoryCatalogue::with_dhis2_defaults();
            import(&target, &doc, &params)
                .expect("import")
                .report
                .stats
                .created
        })
    });
    group.bench_function("import-again", |b| {
        b.iter(|| {
            import(&first, &doc, &params)
                .expect("import")
                .report
                .stats
                .updated
        })
    });
    group.finish();
}

criterion_group!(benches, metadata);
criterion_main!(benches);
