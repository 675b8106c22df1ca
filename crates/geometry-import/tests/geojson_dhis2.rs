//! DHIS2's `GeoJsonImportControllerTest` on the corpus file `geojson/sierra-leone-districts.geojson`
//! (and its `-triplets` variant, made here from it as DHIS2's test resource differs: features 0–3
//! with a third ordinate `0`, feature 7's id `Bo D5678901`), against the test's org units
//! (`tests/fixtures/sierra-leone-districts.json`). The numbers are those DHIS2 asserts
//! (`../shared/spec/adx-pdf-geo-scenarios.md` §3.2).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::{catalogue_with, corpus, district_uids, geometry, metadata, org_unit};
use dxf2_metadata::catalogue::MemoryCatalogue;
use dxf2_model::ImportStatus;
use geometry_import::{
    import_geojson, ConflictCode, FeatureId, GeoJsonImport, GeoJsonImportParams, OrgUnitProperty,
};
use serde_json::{json, Value};

const GEO2: &str = "geo2GeoJson";

fn districts() -> Option<Vec<u8>> {
    corpus("geojson/sierra-leone-districts.geojson")
}

/// DHIS2's triplets resource, from the districts file.
fn triplets(districts: &[u8]) -> Vec<u8> {
    let mut doc: Value = serde_json::from_slice(districts).unwrap();
    let features = doc["features"].as_array_mut().unwrap();
    for feature in features.iter_mut().take(4) {
        for polygon in feature["geometry"]["coordinates"].as_array_mut().unwrap() {
            for ring in polygon.as_array_mut().unwrap() {
                for position in ring.as_array_mut().unwrap() {
                    position.as_array_mut().unwrap().push(json!(0));
                }
            }
        }
    }
    features[7]["id"] = json!("Bo D5678901");
    serde_json::to_vec_pretty(&doc).unwrap()
}

fn by_name(attribute: Option<&str>) -> GeoJsonImportParams {
    GeoJsonImportParams {
        feature_id: FeatureId::Property("name".into()),
        org_unit_property: OrgUnitProperty::Name,
        attribute: attribute.map(str::to_owned),
        ..GeoJsonImportParams::default()
    }
}

fn by_code(attribute: Option<&str>) -> GeoJsonImportParams {
    GeoJsonImportParams {
        feature_id: FeatureId::Property("code".into()),
        org_unit_property: OrgUnitProperty::Code,
        attribute: attribute.map(str::to_owned),
        ..GeoJsonImportParams::default()
    }
}

fn by_id(attribute: Option<&str>) -> GeoJsonImportParams {
    GeoJsonImportParams {
        attribute: attribute.map(str::to_owned),
        ..GeoJsonImportParams::default()
    }
}

/// DHIS2's `assertImportedAndIgnored`.
fn assert_imported_and_ignored(r: &GeoJsonImport, imported: u64, ignored: u64) {
    let c = r.report.count();
    assert_eq!(
        (c.imported, c.ignored, c.deleted, c.updated),
        (imported, ignored, 0, 0)
    );
    assert_eq!(
        r.report.total_conflict_occurrence_count(),
        usize::try_from(ignored).unwrap()
    );
}

/// DHIS2's `assertReportError`.
fn assert_report_error(r: &GeoJsonImport, code: ConflictCode, indexes: &[usize]) {
    let conflict = r.report.conflict(code).expect("the conflict");
    assert_eq!(
        conflict.indexes.as_deref().unwrap_or(&[]),
        indexes,
        "{code}"
    );
}

/// DHIS2's geometry checks: a `MultiPolygon` whose first ring has at least 3 positions, in the
/// geometry (no attribute values) or in attribute `geo2` (no geometry).
fn assert_geometry_set(
    catalogue: &MemoryCatalogue,
    uids: &[String],
    on: &[usize],
    attribute: bool,
) {
    for &i in on {
        let o = org_unit(catalogue, &uids[i]);
        let g = if attribute {
            assert_eq!(geometry(&o), Value::Null, "{i}");
            let values = o["attributeValues"].as_array().unwrap();
            assert_eq!(values.len(), 1);
            assert_eq!(values[0]["attribute"]["id"], GEO2);
            serde_json::from_str(values[0]["value"].as_str().unwrap()).unwrap()
        } else {
            assert!(o.get("attributeValues").is_none(), "{i}");
            geometry(&o)
        };
        assert_eq!(g["type"], "MultiPolygon", "{i}");
        assert!(g["coordinates"][0][0].as_array().unwrap().len() >= 3, "{i}");
    }
    for (i, uid) in uids.iter().enumerate() {
        if !on.contains(&i) {
            if let Some(o) = catalogue.get("organisationUnits", uid) {
                assert!(
                    o.get("geometry").is_none() && o.get("attributeValues").is_none(),
                    "{i}"
                );
            }
        }
    }
}

fn run(
    file: &[u8],
    keep: impl Fn(usize) -> bool,
    params: &GeoJsonImportParams,
) -> (GeoJsonImport, MemoryCatalogue, Vec<String>) {
    let doc = metadata("sierra-leone-districts.json");
    let mut catalogue = catalogue_with(&doc, keep);
    let result = import_geojson(&catalogue, file, params).unwrap();
    catalogue.apply(&result.changes);
    (result, catalogue, district_uids(&doc))
}

fn partially(r: &GeoJsonImport) {
    assert_eq!(r.report.status(), ImportStatus::Warning);
    assert_eq!(
        r.report.web_message(),
        ("WARNING", "Import partially successful.")
    );
}

#[test]
fn name_as_identifier() {
    let Some(file) = districts() else { return };
    for attribute in [None, Some(GEO2)] {
        let (r, catalogue, uids) = run(&file, |i| i <= 6, &by_name(attribute));
        partially(&r);
        assert_imported_and_ignored(&r, 7, 8);
        assert_report_error(&r, ConflictCode::E7708, &[7, 8, 9, 10, 11, 12, 13, 14]);
        assert_eq!(r.report.conflicts().len(), 1);
        assert_geometry_set(
            &catalogue,
            &uids,
            &[0, 1, 2, 3, 4, 5, 6],
            attribute.is_some(),
        );
    }
}

#[test]
fn name_as_identifier_with_coordinate_triplets() {
    let Some(file) = districts() else { return };
    let (r, catalogue, uids) = run(&triplets(&file), |i| i <= 6, &by_name(None));
    partially(&r);
    assert_imported_and_ignored(&r, 7, 8);
    assert_report_error(&r, ConflictCode::E7708, &[7, 8, 9, 10, 11, 12, 13, 14]);
    assert_geometry_set(&catalogue, &uids, &[0, 1, 2, 3, 4, 5, 6], false);
    let karene = org_unit(&catalogue, "Kare5678901");
    assert_eq!(karene["code"], "KAR");
    assert_eq!(
        serde_json::to_string(&karene["geometry"]["coordinates"]).unwrap(),
        "[[[[-12.644405338,9.013335116],[-12.6461979,9.0122874],[-12.644405338,9.013335116]]]]"
    );
}

#[test]
fn triplets_in_attributes_are_cut_to_pairs_as_written() {
    let Some(file) = districts() else { return };
    let (r, catalogue, _) = run(&triplets(&file), |i| i <= 6, &by_name(Some(GEO2)));
    assert_imported_and_ignored(&r, 7, 8);
    let karene = org_unit(&catalogue, "Kare5678901");
    let value = karene["attributeValues"][0]["value"].as_str().unwrap();
    assert!(
        value.contains(
            "[[[[-12.644405338,9.013335116],[-12.6461979,9.0122874],[-12.644405338,9.013335116]]]]"
        ),
        "{value}"
    );
    // The rest of the geometry is kept as written (here: as `to_vec_pretty` wrote it).
    assert!(value.starts_with("{\n"), "{value}");
}

#[test]
fn id_as_identifier() {
    let Some(file) = districts() else { return };
    for attribute in [None, Some(GEO2)] {
        let (r, catalogue, uids) = run(&file, |i| i % 2 == 1, &by_id(attribute));
        partially(&r);
        assert_imported_and_ignored(&r, 4, 11);
        assert_report_error(&r, ConflictCode::E7708, &[0, 2, 4, 6, 8, 10, 12, 14]);
        assert_report_error(&r, ConflictCode::E7707, &[9, 11, 13]);
        assert_geometry_set(&catalogue, &uids, &[1, 3, 5, 7], attribute.is_some());
    }
}

#[test]
fn code_as_identifier() {
    let Some(file) = districts() else { return };
    for attribute in [None, Some(GEO2)] {
        let (r, catalogue, uids) = run(&file, |i| (3..=13).contains(&i), &by_code(attribute));
        partially(&r);
        assert_imported_and_ignored(&r, 6, 9);
        assert_report_error(&r, ConflictCode::E7708, &[0, 1, 2, 14]);
        assert_report_error(&r, ConflictCode::E7707, &[8, 9, 11, 12, 13]);
        assert_geometry_set(&catalogue, &uids, &[3, 4, 5, 6, 7, 10], attribute.is_some());
    }
}

#[test]
fn the_report_is_dhis2s_json() {
    let Some(file) = districts() else { return };
    let (r, _, _) = run(&file, |i| (3..=13).contains(&i), &by_code(None));
    let json = serde_json::to_value(&r.report).unwrap();
    assert_eq!(
        json,
        json!({
            "responseType": "GeoJsonImportReport",
            "status": "WARNING",
            "importCount": {"imported": 6, "updated": 0, "ignored": 9, "deleted": 0},
            "totalConflictOccurrenceCount": 9,
            "conflicts": [
                {"objects": {}, "value": "GeoJSON target organisation unit does not exist",
                 "errorCode": "E7708", "property": "", "indexes": [0, 1, 2, 14]},
                {"objects": {}, "value": "GeoJSON geometry is not valid",
                 "errorCode": "E7707", "property": "geometry", "indexes": [8, 9, 11, 12, 13]}
            ]
        })
    );
}

#[test]
fn importing_again_updates_without_changes() {
    let Some(file) = districts() else { return };
    let (_, catalogue, _) = run(&file, |i| i <= 6, &by_name(None));
    let again = import_geojson(&catalogue, &file[..], &by_name(None)).unwrap();
    let c = again.report.count();
    assert_eq!((c.imported, c.updated, c.ignored), (0, 7, 8));
    assert!(
        again.changes.is_empty(),
        "the same geometries change nothing"
    );
}

#[test]
fn a_dry_run_counts_and_changes_nothing() {
    let Some(file) = districts() else { return };
    let doc = metadata("sierra-leone-districts.json");
    let catalogue = catalogue_with(&doc, |i| i <= 6);
    let params = GeoJsonImportParams {
        dry_run: true,
        ..by_name(None)
    };
    let r = import_geojson(&catalogue, &file[..], &params).unwrap();
    assert_imported_and_ignored(&r, 7, 8);
    assert!(r.changes.is_empty());
}
