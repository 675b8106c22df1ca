//! `dxf2 geometry import|export` (issue 13) as a user runs them, on DHIS2's corpus files against
//! the org units DHIS2's tests create (written as metadata fixtures in
//! `crates/geometry-import/tests/fixtures/`), with DHIS2's numbers
//! (`../shared/spec/adx-pdf-geo-scenarios.md` §3); hostile and broken inputs change nothing.

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

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../geometry-import/tests/fixtures")
        .join(name)
}

/// A store holding the first 7 of the 15 Sierra Leone districts, as DHIS2's
/// `GeoJsonImportControllerTest` creates them.
fn districts_store(dir: &Path) -> PathBuf {
    let mut doc: Value = serde_json::from_str(
        &std::fs::read_to_string(fixture("sierra-leone-districts.json")).unwrap(),
    )
    .unwrap();
    doc["organisationUnits"].as_array_mut().unwrap().truncate(7);
    let meta = file(dir, "districts.json", &doc.to_string());
    let db = dir.join("store.sqlite");
    says(
        &dxf2(&["metadata", "import", s(&meta), "--store", s(&db)]),
        0,
        &[],
    );
    db
}

fn features(path: &Path) -> Vec<Value> {
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    doc["features"].as_array().unwrap().clone()
}

#[test]
fn geojson_by_name_imports_as_dhis2s_test_says() {
    let Some(districts) =
        dxf2_testdata::corpus::corpus_file("geojson/sierra-leone-districts.geojson")
    else {
        return;
    };
    let dir = tmp("geo-name");
    let db = districts_store(&dir);
    let args = [
        "geometry",
        "import",
        s(&districts),
        "--store",
        s(&db),
        "--id-property",
        "name",
        "--org-unit-id-scheme",
        "NAME",
    ];
    // A dry run: DHIS2's report, nothing written.
    let mut dry = args.to_vec();
    dry.push("--dry-run");
    says(&dxf2(&dry), 0, &["WARNING", "dry run"]);
    let exported = dir.join("dry.geojson");
    says(
        &dxf2(&["geometry", "export", "--store", s(&db), "-o", s(&exported)]),
        0,
        &[],
    );
    assert!(features(&exported).is_empty(), "a dry run wrote geometry");

    let mut json = args.to_vec();
    json.extend(["--summary", "json"]);
    let o = dxf2(&json);
    says(&o, 0, &[]);
    let report: Value = serde_json::from_str(&out(&o)).unwrap();
    assert_eq!(report["responseType"], "GeoJsonImportReport");
    assert_eq!(report["status"], "WARNING");
    assert_eq!(report["importCount"]["imported"], 7);
    assert_eq!(report["importCount"]["ignored"], 8);
    assert_eq!(report["conflicts"][0]["errorCode"], "E7708");
    assert_eq!(
        report["conflicts"][0]["indexes"],
        serde_json::json!([7, 8, 9, 10, 11, 12, 13, 14])
    );

    // The store keeps the geometries: one feature per district, its id the UID.
    let exported = dir.join("districts.geojson.gz");
    says(
        &dxf2(&["geometry", "export", "--store", s(&db), "-o", s(&exported)]),
        0,
        &["7 org unit geometries"],
    );
    let plain = dir.join("districts.geojson");
    says(
        &dxf2(&["geometry", "export", "--store", s(&db), "-o", s(&plain)]),
        0,
        &[],
    );
    let list = features(&plain);
    assert_eq!(list.len(), 7);
    assert!(list
        .iter()
        .all(|f| f["geometry"]["type"] == "MultiPolygon" && f["id"].as_str().unwrap().len() == 11));
    // ... and so does the metadata export.
    let meta = dir.join("meta.json");
    says(
        &dxf2(&[
            "metadata",
            "export",
            "--store",
            s(&db),
            "--type",
            "organisationUnits",
            "-o",
            s(&meta),
        ]),
        0,
        &[],
    );
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(&meta).unwrap()).unwrap();
    let with_geometry = doc["organisationUnits"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|o| o.get("geometry").is_some())
        .count();
    assert_eq!(with_geometry, 7);
}

#[test]
fn gml_updates_only_the_geometry_and_hostile_gml_changes_nothing() {
    let Some(gml) = dxf2_testdata::corpus::corpus_file("gml/testGmlPayload.gml") else {
        return;
    };
    let dir = tmp("geo-gml");
    let db = dir.join("store.sqlite");
    says(
        &dxf2(&[
            "metadata",
            "import",
            s(&fixture("gml-org-units.json")),
            "--store",
            s(&db),
        ]),
        0,
        &[],
    );
    let hostile = fixture("malicious-xxe.gml");
    says(
        &dxf2(&["geometry", "import", s(&hostile), "--store", s(&db)]),
        1,
        &["E7010", "ERROR"],
    );
    let exported = dir.join("none.geojson");
    says(
        &dxf2(&["geometry", "export", "--store", s(&db), "-o", s(&exported)]),
        0,
        &[],
    );
    assert!(features(&exported).is_empty());

    let o = dxf2(&[
        "geometry",
        "import",
        s(&gml),
        "--store",
        s(&db),
        "--summary",
        "json",
    ]);
    says(&o, 0, &[]);
    let report: Value = serde_json::from_str(&out(&o)).unwrap();
    assert_eq!(report["status"], "OK");
    assert_eq!(report["stats"]["updated"], 5);
    says(
        &dxf2(&["geometry", "export", "--store", s(&db), "-o", s(&exported)]),
        0,
        &[],
    );
    assert_eq!(features(&exported).len(), 5);
}

#[test]
fn unusable_input_exits_2_and_needs_an_existing_store() {
    let dir = tmp("geo-bad");
    let db = dir.join("store.sqlite");
    let broken = file(
        &dir,
        "broken.geojson",
        r#"{"type": "FeatureCollection", "features": ["#,
    );
    says(
        &dxf2(&["geometry", "import", s(&broken), "--store", s(&db)]),
        2,
        &["no such store"],
    );
    assert!(!db.exists());
    says(
        &dxf2(&[
            "metadata",
            "import",
            s(&fixture("gml-org-units.json")),
            "--store",
            s(&db),
        ]),
        0,
        &[],
    );
    says(
        &dxf2(&["geometry", "import", s(&broken), "--store", s(&db)]),
        2,
        &["E7701"],
    );
    says(
        &dxf2(&[
            "geometry",
            "export",
            "--store",
            s(&db),
            "--org-unit",
            "NoSuchUnit1",
            "-o",
            s(&dir.join("x.geojson")),
        ]),
        2,
        &["NoSuchUnit1"],
    );
}
