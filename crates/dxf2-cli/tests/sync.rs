//! `dxf2 sync export|import|status` (issue 16) as a facility and a district run them, with two
//! SQLite stores made by `dxf2 metadata import` of the example's malaria metadata: the first
//! bundle, a replay, edits and deletions, a gap, a conflict at both ends, a damaged bundle, and
//! the bundle's data value set imported by plain `dxf2 import`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::path::{Path, PathBuf};

use common::*;
use serde_json::Value;

/// A facility's April report (our own fixture, on the example's metadata).
const APRIL: &str = r#"{"dataSet": "MalariaMth1", "period": "202404", "orgUnit": "KaHealthC01",
  "dataValues": [
    {"dataElement": "MalConfCase", "categoryOptionCombo": "FemaleCoc01", "value": "14"},
    {"dataElement": "MalConfCase", "categoryOptionCombo": "MaleCoc0001", "value": "11"},
    {"dataElement": "MalRdtTest1", "value": "61"}
  ]}"#;

fn stores(dir: &Path) -> (PathBuf, PathBuf) {
    let meta = example("malaria-metadata.json");
    let facility = dir.join("facility.sqlite");
    let district = dir.join("district.sqlite");
    for db in [&facility, &district] {
        exits(
            &dxf2(&["metadata", "import", s(&meta), "--store", s(db)]),
            0,
            &[],
        );
    }
    let april = file(dir, "april.json", APRIL);
    exits(
        &dxf2(&["import", s(&april), "--store", s(&facility)]),
        0,
        &[],
    );
    (facility, district)
}

fn export(facility: &Path, bundle: &Path) -> std::process::Output {
    dxf2(&[
        "sync",
        "export",
        "--store",
        s(facility),
        "--to",
        "district",
        "-o",
        s(bundle),
    ])
}

fn import(bundle: &Path, district: &Path, extra: &[&str]) -> std::process::Output {
    let mut args = vec!["sync", "import", s(bundle), "--store", s(district)];
    args.extend_from_slice(extra);
    dxf2(&args)
}

/// The stored value (as `dxf2 value get --json` answers: `["61"]`), `Null` when there is none.
fn value(store: &Path, de: &str, co: &str) -> Value {
    let o = dxf2(&[
        "value",
        "get",
        "--store",
        s(store),
        "--de",
        de,
        "--pe",
        "202404",
        "--ou",
        "KaHealthC01",
        "--co",
        co,
        "--json",
    ]);
    let answer: Value = serde_json::from_str(&out(&o)).unwrap_or(Value::Null);
    answer.get(0).cloned().unwrap_or(Value::Null)
}

fn set(store: &Path, de: &str, co: &str, v: &str) {
    let o = dxf2(&[
        "value",
        "set",
        "--store",
        s(store),
        "--de",
        de,
        "--pe",
        "202404",
        "--ou",
        "KaHealthC01",
        "--co",
        co,
        "--value",
        v,
    ]);
    exits(&o, 0, &[]);
}

#[test]
fn first_bundle_replay_edits_deletions_and_status() {
    let dir = tmp("sync-flow");
    let (facility, district) = stores(&dir);
    let b1 = dir.join("b1.zip");
    let o = export(&facility, &b1);
    says(&o, 0, &["Bundle 1 for district: 3 data values (0 deleted)"]);

    let o = import(&b1, &district, &["--summary", "json"]);
    exits(&o, 0, &["bundle 1 from", "journal job"]);
    let summary: Value = serde_json::from_str(&out(&o)).unwrap();
    assert_eq!(summary["importCount"]["imported"], 3, "{summary}");
    assert_eq!(value(&district, "MalRdtTest1", "HllvX50cXC0"), "61");

    // Replay: exit 0, nothing changed, said so.
    let o = import(&b1, &district, &[]);
    exits(&o, 0, &["applying it again changes nothing"]);
    assert!(
        out(&o).is_empty(),
        "no DHIS2 summary for a replay: {}",
        out(&o)
    );

    // An edit and a deletion at the facility travel in bundle 2.
    set(&facility, "MalRdtTest1", "HllvX50cXC0", "62");
    let o = dxf2(&[
        "value",
        "delete",
        "--store",
        s(&facility),
        "--de",
        "MalConfCase",
        "--pe",
        "202404",
        "--ou",
        "KaHealthC01",
        "--co",
        "MaleCoc0001",
    ]);
    exits(&o, 0, &[]);
    let b2 = dir.join("b2.zip");
    says(
        &export(&facility, &b2),
        0,
        &["Bundle 2 for district: 2 data values (1 deleted)"],
    );
    let o = import(&b2, &district, &["--summary", "json"]);
    exits(&o, 0, &[]);
    let summary: Value = serde_json::from_str(&out(&o)).unwrap();
    assert_eq!(summary["importCount"]["updated"], 1, "{summary}");
    assert_eq!(summary["importCount"]["deleted"], 1, "{summary}");
    assert_eq!(value(&district, "MalRdtTest1", "HllvX50cXC0"), "62");

    let o = dxf2(&["sync", "status", "--store", s(&district), "--json"]);
    exits(&o, 0, &[]);
    let status: Value = serde_json::from_str(&out(&o)).unwrap();
    assert_eq!(status["peers"][0]["direction"], "received");
    assert_eq!(status["peers"][0]["sequence"], 2);
    let o = dxf2(&["sync", "status", "--store", s(&facility)]);
    says(&o, 0, &["district", "sent", "2"]);

    // The journal has the sync imports as data jobs.
    let o = dxf2(&["jobs", "list", "--store", s(&district), "--json"]);
    exits(&o, 0, &[]);
    let jobs: Value = serde_json::from_str(&out(&o)).unwrap();
    assert!(jobs.as_array().unwrap().len() >= 3, "{jobs}");
}

#[test]
fn a_gap_is_refused_unless_allowed() {
    let dir = tmp("sync-gap");
    let (facility, district) = stores(&dir);
    let b1 = dir.join("b1.zip");
    exits(&export(&facility, &b1), 0, &[]);
    set(&facility, "MalRdtTest1", "HllvX50cXC0", "70");
    let b2 = dir.join("b2.zip");
    exits(&export(&facility, &b2), 0, &[]);
    let o = import(&b2, &district, &[]);
    exits(&o, 1, &["bundle 1 is missing", "allow the gap"]);
    assert!(value(&district, "MalRdtTest1", "HllvX50cXC0").is_null());
    let o = import(&b2, &district, &["--allow-gap"]);
    exits(&o, 0, &["never applied"]);
    let o = import(&b1, &district, &[]);
    exits(&o, 1, &["would overwrite newer values"]);
}

#[test]
fn a_value_changed_at_both_ends_keeps_the_newer_and_is_reported() {
    let dir = tmp("sync-conflict");
    let (facility, district) = stores(&dir);
    let b1 = dir.join("b1.zip");
    exits(&export(&facility, &b1), 0, &[]);
    exits(&import(&b1, &district, &[]), 0, &[]);
    // The facility edits first, the district corrects later: the district's is newer.
    set(&facility, "MalRdtTest1", "HllvX50cXC0", "63");
    std::thread::sleep(std::time::Duration::from_millis(20));
    set(&district, "MalRdtTest1", "HllvX50cXC0", "64");
    let b2 = dir.join("b2.zip");
    exits(&export(&facility, &b2), 0, &[]);
    let o = import(&b2, &district, &["--summary", "json"]);
    exits(
        &o,
        0,
        &[
            "changed at both ends: MalRdtTest1 202404 KaHealthC01",
            "district's value (newer) is kept",
        ],
    );
    let summary: Value = serde_json::from_str(&out(&o)).unwrap();
    assert!(!out(&o).contains("both ends"), "not in DHIS2's document");
    assert_eq!(summary["importCount"]["updated"], 0, "{summary}");
    assert_eq!(value(&district, "MalRdtTest1", "HllvX50cXC0"), "64");
}

#[test]
fn a_changed_byte_is_refused() {
    let dir = tmp("sync-tamper");
    let (facility, district) = stores(&dir);
    let b1 = dir.join("b1.zip");
    exits(&export(&facility, &b1), 0, &[]);
    let mut bytes = std::fs::read(&b1).unwrap();
    let (start, len) = {
        let mut zip = zip::ZipArchive::new(std::fs::File::open(&b1).unwrap()).unwrap();
        let f = zip.by_name("dataValues.json").unwrap();
        (
            f.data_start().unwrap() as usize,
            f.compressed_size() as usize,
        )
    };
    bytes[start + len / 2] ^= 0x20;
    let tampered = dir.join("tampered.zip");
    std::fs::write(&tampered, &bytes).unwrap();
    let o = import(&tampered, &district, &[]);
    exits(&o, 1, &["damaged", "nothing was applied"]);
    assert!(value(&district, "MalRdtTest1", "HllvX50cXC0").is_null());
    // Not a bundle at all: unusable input.
    let o = import(&example("malaria-metadata.json"), &district, &[]);
    exits(&o, 2, &["not a sync bundle"]);
}

#[test]
fn the_bundle_s_data_value_set_imports_with_plain_dxf2_import() {
    let dir = tmp("sync-plain");
    let (facility, _) = stores(&dir);
    let other = malaria_store(&dir);
    let b1 = dir.join("b1.zip");
    exits(&export(&facility, &b1), 0, &[]);
    // DHIS2 reads a zip's first entry: the data value set.
    let o = dxf2(&["import", s(&b1), "--store", s(&other), "--summary", "json"]);
    exits(&o, 0, &[]);
    let summary: Value = serde_json::from_str(&out(&o)).unwrap();
    assert_eq!(summary["importCount"]["imported"], 3, "{summary}");
    // And the entry alone, as a file.
    let mut zip = zip::ZipArchive::new(std::fs::File::open(&b1).unwrap()).unwrap();
    let mut data = String::new();
    std::io::Read::read_to_string(&mut zip.by_name("dataValues.json").unwrap(), &mut data).unwrap();
    let doc: Value = serde_json::from_str(&data).unwrap();
    assert_eq!(doc["dataValues"].as_array().unwrap().len(), 3);
    let data = file(&dir, "data.json", &data);
    let o = dxf2(&[
        "import",
        s(&data),
        "--store",
        s(&other),
        "--summary",
        "json",
    ]);
    exits(&o, 0, &[]);
    let summary: Value = serde_json::from_str(&out(&o)).unwrap();
    assert_eq!(
        summary["importCount"]["ignored"], 3,
        "the same values again: {summary}"
    );
}
