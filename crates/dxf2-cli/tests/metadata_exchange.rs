//! `dxf2 metadata import|export|diff` (issue 11) as a user runs them: DHIS2's options and report,
//! exit codes, several files in one transaction, atomic mode ALL changing nothing, dry runs
//! writing nothing, CSV classes, export round trips and the diff before an import.

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

/// WHO's aggregate package in small (`crates/dxf2-metadata/tests/fixtures/who/`), made for
/// DHIS2 2.36.
fn who_package() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../dxf2-metadata/tests/fixtures/who/aggregate_package.json")
}

const UNITS: &str = r#"{"organisationUnits": [
  {"id": "ImspTQPwCqd", "name": "Sierra Leone", "shortName": "SL", "openingDate": "1970-01-01"},
  {"id": "O6uvpzGd5pu", "name": "Bo", "shortName": "Bo", "openingDate": "1970-01-01",
   "parent": {"id": "ImspTQPwCqd"}, "geometry": {"type": "Point", "coordinates": [-11.7, 7.9]}}
]}"#;

fn json(o: &std::process::Output) -> Value {
    serde_json::from_str(&out(o)).unwrap_or_else(|e| panic!("{e}: {}", out(o)))
}

#[test]
fn import_reports_as_dhis2_and_the_store_keeps_whole_objects() {
    let dir = tmp("mx-import");
    let db = dir.join("store.sqlite");
    let units = file(&dir, "units.json", UNITS);
    let o = dxf2(&["metadata", "import", s(&units), "--store", s(&db)]);
    says(&o, 0, &["OK", "OrganisationUnit", "2.42"]);
    assert!(out(&o).contains("Metadata imported into"), "{}", out(&o));

    // Again, as JSON: every object an update; the report is DHIS2's (no web envelope).
    let o = dxf2(&[
        "metadata",
        "import",
        s(&units),
        "--store",
        s(&db),
        "--summary",
        "json",
    ]);
    says(&o, 0, &[]);
    let report = json(&o);
    assert_eq!(report["status"], "OK");
    assert_eq!(report["stats"]["updated"], 2);
    assert_eq!(report["stats"]["created"], 0);
    assert!(report.get("response").is_none());

    // The export gives the objects back whole (geometry included).
    let exported = dir.join("out.json");
    let o = dxf2(&["metadata", "export", "--store", s(&db), "-o", s(&exported)]);
    says(&o, 0, &["exported"]);
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(&exported).unwrap()).unwrap();
    let bo = doc["organisationUnits"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["id"] == "O6uvpzGd5pu")
        .unwrap();
    assert_eq!(bo["geometry"]["type"], "Point");
    assert_eq!(bo["parent"]["id"], "ImspTQPwCqd");

    // Data can be imported against it: the typed catalogue has the units.
    let o = dxf2(&["store", "info", "--store", s(&db)]);
    says(&o, 0, &["organisation units"]);
}

#[test]
fn errors_exit_1_and_atomic_mode_all_changes_nothing() {
    let dir = tmp("mx-errors");
    let db = dir.join("store.sqlite");
    let bad = file(
        &dir,
        "bad.json",
        r#"{"dataElements": [
          {"id": "f7n9E0hX8qk", "name": "ANC 1st visit", "shortName": "ANC1", "valueType": "INTEGER",
           "domainType": "AGGREGATE", "aggregationType": "SUM", "optionSet": {"id": "pQYCiuosBnZ"}},
          {"id": "g7n9E0hX8qk", "name": "ANC 2nd visit", "shortName": "ANC2", "valueType": "INTEGER",
           "domainType": "AGGREGATE", "aggregationType": "SUM"}]}"#,
    );
    let o = dxf2(&["metadata", "import", s(&bad), "--store", s(&db)]);
    says(&o, 1, &["ERROR", "E5002", "pQYCiuosBnZ"]);
    let exported = dir.join("after.json");
    let o = dxf2(&[
        "metadata",
        "export",
        "--store",
        s(&db),
        "--type",
        "dataElements",
        "-o",
        s(&exported),
    ]);
    says(&o, 0, &[]);
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(&exported).unwrap()).unwrap();
    assert!(doc.get("dataElements").is_none(), "nothing imported: {doc}");

    // Atomic mode NONE imports both, as DHIS2 does: a reference error (E5002) leaves the
    // reference out rather than the object. WARNING, exit 0.
    let o = dxf2(&[
        "metadata",
        "import",
        s(&bad),
        "--store",
        s(&db),
        "--atomic-mode",
        "NONE",
    ]);
    says(&o, 0, &["WARNING", "E5002"]);
    let o = dxf2(&[
        "metadata",
        "export",
        "--store",
        s(&db),
        "--type",
        "dataElements",
        "-o",
        s(&exported),
    ]);
    says(&o, 0, &[]);
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(&exported).unwrap()).unwrap();
    let elements = doc["dataElements"].as_array().unwrap();
    assert_eq!(elements.len(), 2);
    assert!(
        elements.iter().all(|e| e.get("optionSet").is_none()),
        "{doc}"
    );
}

#[test]
fn a_dry_run_writes_nothing_and_creates_no_store() {
    let dir = tmp("mx-dry");
    let db = dir.join("store.sqlite");
    let units = file(&dir, "units.json", UNITS);
    let o = dxf2(&[
        "metadata",
        "import",
        s(&units),
        "--store",
        s(&db),
        "--dry-run",
    ]);
    says(&o, 0, &["dry run", "nothing was written"]);
    assert!(!db.exists(), "a dry run created the store");
}

#[test]
fn several_files_are_one_transaction_and_later_files_see_earlier_ones() {
    let dir = tmp("mx-several");
    let db = dir.join("store.sqlite");
    let units = file(&dir, "units.json", UNITS);
    let child = file(
        &dir,
        "child.json",
        r#"{"organisationUnits": [{"id": "DiszpKrYNg8", "name": "Ngelehun", "shortName": "Ng",
            "openingDate": "1970-01-01", "parent": {"id": "O6uvpzGd5pu"}}]}"#,
    );
    let o = dxf2(&[
        "metadata",
        "import",
        s(&units),
        s(&child),
        "--store",
        s(&db),
        "--summary",
        "json",
    ]);
    says(&o, 0, &[]);
    assert_eq!(json(&o)["stats"]["created"], 3);

    // A refused later file leaves the earlier one out too (atomic mode ALL).
    let db2 = dir.join("store2.sqlite");
    let broken = file(
        &dir,
        "broken.json",
        r#"{"organisationUnits": [{"id": "EiszpKrYNg8", "name": "X", "shortName": "X",
            "openingDate": "1970-01-01", "parent": {"id": "NoSuchUnit1"}}]}"#,
    );
    let o = dxf2(&[
        "metadata",
        "import",
        s(&units),
        s(&broken),
        "--store",
        s(&db2),
    ]);
    says(&o, 1, &["E5002"]);
    let exported = dir.join("x.json");
    let o = dxf2(&["metadata", "export", "--store", s(&db2), "-o", s(&exported)]);
    says(&o, 0, &[]);
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(&exported).unwrap()).unwrap();
    assert!(doc.get("organisationUnits").is_none(), "{doc}");
}

#[test]
fn a_who_package_imports_at_its_version_and_round_trips_through_a_new_store() {
    let dir = tmp("mx-who");
    let db = dir.join("store.sqlite");
    let package = who_package();
    // Under the default rules (2.42) it is refused, and the user is told why.
    let o = dxf2(&["metadata", "import", s(&package), "--store", s(&db)]);
    if o.status.code() == Some(1) {
        says(&o, 1, &["2.42's rules", "--dhis2-version"]);
    }
    let o = dxf2(&[
        "metadata",
        "import",
        s(&package),
        "--store",
        s(&db),
        "--dhis2-version",
        "2.36",
    ]);
    says(&o, 0, &["OK", "2.36"]);
    let exported = dir.join("package.json.gz");
    let o = dxf2(&["metadata", "export", "--store", s(&db), "-o", s(&exported)]);
    says(&o, 0, &[]);
    let db2 = dir.join("second.sqlite");
    let o = dxf2(&[
        "metadata",
        "import",
        s(&exported),
        "--store",
        s(&db2),
        "--dhis2-version",
        "2.36",
        "--summary",
        "json",
    ]);
    says(&o, 0, &[]);
    assert_eq!(json(&o)["status"], "OK");
    // Nothing differs between the two stores.
    let o = dxf2(&[
        "metadata",
        "diff",
        s(&exported),
        "--store",
        s(&db2),
        "--dhis2-version",
        "2.36",
    ]);
    says(&o, 0, &["change nothing"]);
}

#[test]
fn diff_lists_creates_updates_and_collisions() {
    let dir = tmp("mx-diff");
    let db = dir.join("store.sqlite");
    let units = file(&dir, "units.json", UNITS);
    says(
        &dxf2(&["metadata", "import", s(&units), "--store", s(&db)]),
        0,
        &[],
    );
    let next = file(
        &dir,
        "next.json",
        r#"{"organisationUnits": [
          {"id": "O6uvpzGd5pu", "name": "Bo District", "shortName": "Bo", "openingDate": "1970-01-01",
           "parent": {"id": "ImspTQPwCqd"}},
          {"id": "FiszpKrYNg8", "name": "Sierra Leone", "shortName": "SL2", "openingDate": "1970-01-01"}]}"#,
    );
    let o = dxf2(&["metadata", "diff", s(&next), "--store", s(&db)]);
    says(
        &o,
        0,
        &[
            "+ FiszpKrYNg8",
            "~ O6uvpzGd5pu",
            "name: \"Bo\" -> \"Bo District\"",
            "! FiszpKrYNg8 has name `Sierra Leone`",
        ],
    );
    // The diff changed nothing.
    let o = dxf2(&["metadata", "diff", s(&units), "--store", s(&db)]);
    says(&o, 0, &["change nothing"]);
}

#[test]
fn csv_needs_its_class_and_imports_with_it() {
    let dir = tmp("mx-csv");
    let db = dir.join("store.sqlite");
    let csv = file(
        &dir,
        "elements.csv",
        "name,uid,code,shortName\n\"Malaria cases\",,MAL_CASES,\n\"Malaria deaths\",,MAL_DEATHS,\n",
    );
    let o = dxf2(&["metadata", "import", s(&csv), "--store", s(&db)]);
    says(&o, 2, &["--class-key", "DATA_ELEMENT"]);
    assert!(!db.exists());
    let o = dxf2(&[
        "metadata",
        "import",
        s(&csv),
        "--store",
        s(&db),
        "--class-key",
        "DATA_ELEMENT",
        "--summary",
        "json",
    ]);
    says(&o, 0, &[]);
    assert_eq!(json(&o)["stats"]["created"], 2);
}

#[test]
fn bad_options_are_refused_with_dhis2s_values() {
    let dir = tmp("mx-options");
    let units = file(&dir, "units.json", UNITS);
    let db = dir.join("store.sqlite");
    let o = dxf2(&[
        "metadata",
        "import",
        s(&units),
        "--store",
        s(&db),
        "--strategy",
        "MERGE",
    ]);
    says(&o, 2, &["CREATE_AND_UPDATE"]);
    let o = dxf2(&[
        "metadata",
        "import",
        s(&units),
        "--store",
        s(&db),
        "--dhis2-version",
        "2.20",
    ]);
    says(&o, 2, &["2.36"]);
    let o = dxf2(&[
        "metadata",
        "export",
        "--store",
        s(&db),
        "--dependencies",
        "dataSets",
        "-o",
        "x.json",
    ]);
    says(&o, 2, &[]);
}

#[test]
fn dependencies_export_collects_what_a_data_element_needs() {
    let dir = tmp("mx-deps");
    let db = dir.join("store.sqlite");
    let package = who_package();
    says(
        &dxf2(&[
            "metadata",
            "import",
            s(&package),
            "--store",
            s(&db),
            "--dhis2-version",
            "2.36",
        ]),
        0,
        &[],
    );
    let text = std::fs::read_to_string(&package).unwrap();
    let doc: Value = serde_json::from_str(&text).unwrap();
    let set = doc["dataSets"][0]["id"].as_str().unwrap().to_owned();
    let out_path = dir.join("set.zip");
    let spec = format!("dataSets:{set}");
    let o = dxf2(&[
        "metadata",
        "export",
        "--store",
        s(&db),
        "--dependencies",
        &spec,
        "-o",
        s(&out_path),
    ]);
    says(&o, 0, &["dataSets", "dataElements"]);
    assert!(out_path.is_file());
}
