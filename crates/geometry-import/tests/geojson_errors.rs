//! DHIS2's `GeoJsonImportControllerTest` error and single-unit scenarios, files from outside our
//! corpus (DHIS2's end-to-end test payload, DHIS2's documentation example), and hostile inputs:
//! each gives a clear conflict or error, and changes nothing it should not.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::{catalogue_with, fixture, geometry, metadata, org_unit};
use dxf2_metadata::catalogue::MemoryCatalogue;
use dxf2_metadata::import::Timestamps;
use dxf2_model::{ImportStatus, ReadLimits};
use geometry_import::{
    import_geojson, import_org_unit_geometry, ConflictCode, Error, FeatureId, GeoJsonImport,
    GeoJsonImportParams, OrgUnitProperty,
};
use serde_json::{json, Value};

const KARENE: &str = "Kare5678901";
const MULTI: &str = r#"{"type":"MultiPolygon","coordinates":[[[[1,1],[2,2],[1,3],[1,1]]]]}"#;

/// The districts' catalogue with org unit 0 (Karene) only, or none.
fn karene_only() -> MemoryCatalogue {
    catalogue_with(&metadata("sierra-leone-districts.json"), |i| i == 0)
}

fn no_units() -> MemoryCatalogue {
    catalogue_with(&metadata("sierra-leone-districts.json"), |_| false)
}

fn import(catalogue: &MemoryCatalogue, body: &str, params: &GeoJsonImportParams) -> GeoJsonImport {
    import_geojson(catalogue, body.as_bytes(), params).unwrap()
}

fn failed(r: &GeoJsonImport) {
    assert_eq!(r.report.status(), ImportStatus::Error);
    assert_eq!(r.report.web_message(), ("ERROR", "Import failed."));
    assert!(r.changes.is_empty());
}

fn only_conflict(r: &GeoJsonImport, code: ConflictCode, indexes: Option<Vec<usize>>) {
    assert_eq!(r.report.conflicts().len(), 1, "{:?}", r.report.conflicts());
    let c = &r.report.conflicts()[0];
    assert_eq!(c.error_code.as_deref(), Some(code.code()));
    assert_eq!(c.indexes, indexes);
}

fn attribute(uid: &str) -> GeoJsonImportParams {
    GeoJsonImportParams {
        attribute: Some(uid.to_owned()),
        ..GeoJsonImportParams::default()
    }
}

#[test]
fn input_not_geojson() {
    let r = import(
        &no_units(),
        r#"{"is":"not-valid-geojson"}"#,
        &Default::default(),
    );
    failed(&r);
    only_conflict(&r, ConflictCode::E7701, None);
    assert_eq!(
        r.report.conflicts()[0].value,
        "Input is not a valid GeoJSON document: No list of features found"
    );
    // DHIS2 2.39's variant: not JSON at all.
    let r = import(&no_units(), "not-valid-geojson", &Default::default());
    failed(&r);
    only_conflict(&r, ConflictCode::E7701, None);
    assert!(r.report.is_unreadable_input());
}

#[test]
fn attribute_checks_come_first() {
    let c = no_units();
    let r = import(&c, "\"does not matter\"", &attribute("fake"));
    failed(&r);
    only_conflict(&r, ConflictCode::E7702, None);
    assert_eq!(
        r.report.conflicts()[0].value,
        "GeoJSON attribute does not exist: fake"
    );
    let r = import(&c, "\"does not matter\"", &attribute("geo2TextAtt"));
    only_conflict(&r, ConflictCode::E7703, None);
    assert_eq!(
        r.report.conflicts()[0].value,
        "GeoJSON attribute is not of type GEOJSON but: TEXT"
    );
    let r = import(&c, "\"does not matter\"", &attribute("geo2CategAt"));
    only_conflict(&r, ConflictCode::E7704, None);
    failed(&r);
}

#[test]
fn feature_without_identifier() {
    let body = r#"{"features":[{"geometry":{"type":"MultiPolygon","coordinates":[[[[-12,9],[-13,10],[-11,8]]]]}}]}"#;
    let r = import(&no_units(), body, &Default::default());
    failed(&r);
    only_conflict(&r, ConflictCode::E7705, Some(vec![0]));
    assert_eq!(
        r.report.conflicts()[0].value,
        "GeoJSON feature lacks identifier property: `id`"
    );
    assert_eq!(r.report.conflicts()[0].property.as_deref(), Some("feature"));
    // A number is no text identifier (DHIS2 fails the request).
    let r = import(
        &no_units(),
        r#"{"features":[{"id":5,"geometry":null}]}"#,
        &Default::default(),
    );
    only_conflict(&r, ConflictCode::E7705, Some(vec![0]));
    let by_code = GeoJsonImportParams {
        feature_id: FeatureId::Property("code".into()),
        ..GeoJsonImportParams::default()
    };
    let r = import(
        &no_units(),
        r#"{"features":[{"properties":{"name":"x"},"geometry":null}]}"#,
        &by_code,
    );
    assert!(r.report.conflicts()[0].value.ends_with("`properties.code`"));
}

#[test]
fn feature_without_geometry() {
    let r = import(
        &karene_only(),
        r#"{"features":[{"id":"Kare5678901"}]}"#,
        &Default::default(),
    );
    failed(&r);
    only_conflict(&r, ConflictCode::E7706, Some(vec![0]));
}

#[test]
fn geometry_not_valid() {
    let body =
        r#"{"features":[{"id":"Kare5678901","geometry":{"type":"Invalid","coordinates":[1,2]}}]}"#;
    let r = import(&karene_only(), body, &Default::default());
    failed(&r);
    only_conflict(&r, ConflictCode::E7707, Some(vec![0]));
}

#[test]
fn geometry_coordinates_empty() {
    let body =
        r#"{"features":[{"id":"Kare5678901","geometry":{"type":"Polygon","coordinates":[]}}]}"#;
    let r = import(&karene_only(), body, &Default::default());
    failed(&r);
    only_conflict(&r, ConflictCode::E7712, Some(vec![0]));
    assert_eq!(
        r.report.conflicts()[0].value,
        "GeoJSON geometry coordinates must be non empty but was: `[]`"
    );
    for empty in [
        r#"{"type":"Polygon"}"#,
        r#"{"type":"Polygon","coordinates":null}"#,
        r#"{"type":"Polygon","coordinates":[[[]]]}"#,
        r#"{"type":"GeometryCollection","geometries":[]}"#,
    ] {
        let body = format!(r#"{{"features":[{{"id":"Kare5678901","geometry":{empty}}}]}}"#);
        let r = import(&karene_only(), &body, &Default::default());
        only_conflict(&r, ConflictCode::E7712, Some(vec![0]));
    }
}

#[test]
fn org_unit_does_not_exist() {
    let body = r#"{"features":[{"id":"foo","geometry":{"type":"MultiPolygon","coordinates":[[[[-12,9],[-13,10],[-11,8]]]]}}]}"#;
    let r = import(&no_units(), body, &Default::default());
    failed(&r);
    only_conflict(&r, ConflictCode::E7708, Some(vec![0]));
}

#[test]
fn org_unit_not_unique() {
    let mut c = no_units();
    for (id, code, short) in [
        ("Alph5678901", "ALP", "Alpha"),
        ("Beta5678901", "BET", "Beta"),
    ] {
        c.insert(
            "organisationUnits",
            json!({"id": id, "name": "Alpha", "shortName": short, "code": code,
                   "openingDate": "2021-01-01T00:00:00.000"})
            .as_object()
            .unwrap()
            .clone(),
        );
    }
    let params = GeoJsonImportParams {
        feature_id: FeatureId::Property("name".into()),
        org_unit_property: OrgUnitProperty::Name,
        ..GeoJsonImportParams::default()
    };
    let body =
        format!(r#"{{"features":[{{"properties":{{"name":"Alpha"}},"geometry":{MULTI}}}]}}"#);
    let r = import(&c, &body, &params);
    failed(&r);
    only_conflict(&r, ConflictCode::E7711, Some(vec![0]));
}

#[test]
fn single_import_and_deletion() {
    for attribute in [None, Some("geo2GeoJson")] {
        let params = GeoJsonImportParams {
            attribute: attribute.map(str::to_owned),
            ..GeoJsonImportParams::default()
        };
        let mut c = karene_only();
        let r = import_org_unit_geometry(&c, KARENE, MULTI, &params).unwrap();
        assert_eq!(r.report.web_message(), ("OK", "Import successful."));
        assert_eq!(
            (r.report.count().imported, r.report.count().ignored),
            (1, 0)
        );
        c.apply(&r.changes);
        let o = org_unit(&c, KARENE);
        match attribute {
            None => assert_eq!(geometry(&o)["type"], "MultiPolygon"),
            Some(a) => {
                assert_eq!(geometry(&o), Value::Null);
                assert_eq!(
                    o["attributeValues"],
                    json!([{"attribute": {"id": a}, "value": MULTI}])
                );
            }
        }
        let r = import_org_unit_geometry(&c, KARENE, "null", &params).unwrap();
        assert_eq!(r.report.web_message(), ("OK", "Import successful."));
        let n = r.report.count();
        assert_eq!((n.deleted, n.ignored, n.imported, n.updated), (1, 0, 0, 0));
        c.apply(&r.changes);
        let o = org_unit(&c, KARENE);
        assert_eq!(geometry(&o), Value::Null);
        assert!(o
            .get("attributeValues")
            .and_then(Value::as_array)
            .is_none_or(Vec::is_empty));
        // Deleting what is not there counts, and changes nothing.
        let r = import_org_unit_geometry(&c, KARENE, "null", &params).unwrap();
        assert_eq!(r.report.count().deleted, 1);
        assert!(r.changes.is_empty());
    }
}

#[test]
fn a_later_feature_sees_an_earlier_one() {
    let body = format!(
        r#"{{"features":[{{"id":"Kare5678901","geometry":{MULTI}}},
            {{"id":"Kare5678901","geometry":{{"type":"Point","coordinates":[1,2]}}}}]}}"#
    );
    let r = import(&karene_only(), &body, &Default::default());
    let c = r.report.count();
    assert_eq!((c.imported, c.updated), (1, 1));
    let updated = &r.changes.of("organisationUnits").unwrap().updated;
    assert_eq!(updated.len(), 1);
    assert_eq!(
        updated[0]["geometry"],
        json!({"type": "Point", "coordinates": [1.0, 2.0]})
    );
}

#[test]
fn a_feature_at_the_root() {
    let body = format!(
        r#"{{"type":"Feature","id":"Kare5678901","geometry":{MULTI},"features":[{{"id":"x"}}]}}"#
    );
    let r = import(&karene_only(), &body, &Default::default());
    assert_eq!(r.report.status(), ImportStatus::Success);
    assert_eq!(r.report.count().imported, 1);
}

#[test]
fn timestamps_and_user_of_changed_org_units() {
    let params = GeoJsonImportParams {
        timestamps: Timestamps::At("2024-05-01T10:00:00.000".into()),
        user: Some("M5zQapPyTZI".into()),
        ..GeoJsonImportParams::default()
    };
    let r = import_org_unit_geometry(&karene_only(), KARENE, MULTI, &params).unwrap();
    let o = &r.changes.of("organisationUnits").unwrap().updated[0];
    assert_eq!(o["lastUpdated"], "2024-05-01T10:00:00.000");
    assert_eq!(o["lastUpdatedBy"], json!({"id": "M5zQapPyTZI"}));
    assert_eq!(
        o["name"], "Karene District",
        "the rest of the org unit is kept"
    );
    let keep = GeoJsonImportParams {
        timestamps: Timestamps::Keep,
        ..GeoJsonImportParams::default()
    };
    let r = import_org_unit_geometry(&karene_only(), KARENE, MULTI, &keep).unwrap();
    assert!(r.changes.of("organisationUnits").unwrap().updated[0]
        .get("lastUpdated")
        .is_none());
}

#[test]
fn strict_refuses_a_geometry_without_type() {
    let body = r#"{"features":[{"id":"Kare5678901","geometry":{"coordinates":[1,2]}}]}"#;
    let r = import(&karene_only(), body, &Default::default());
    assert_eq!(
        r.report.count(),
        &Default::default(),
        "skipped silently, as DHIS2 does"
    );
    assert!(r.changes.is_empty());
    let strict = GeoJsonImportParams {
        strict: true,
        ..GeoJsonImportParams::default()
    };
    let r = import(&karene_only(), body, &strict);
    only_conflict(&r, ConflictCode::E7707, Some(vec![0]));
}

/// `tests/fixtures/e2e-sierra-leone-point.geojson`: DHIS2's end-to-end `GeoJsonImportTest`.
#[test]
fn dhis2_end_to_end_payload() {
    let mut c = MemoryCatalogue::new();
    c.insert(
        "organisationUnits",
        json!({"id": "ImspTQPwCqd", "name": "Sierra Leone", "shortName": "Sierra Leone",
               "code": "OU_525", "openingDate": "1994-01-01T00:00:00.000"})
        .as_object()
        .unwrap()
        .clone(),
    );
    let file = std::fs::read(fixture("e2e-sierra-leone-point.geojson")).unwrap();
    let r = import_geojson(&c, &file[..], &Default::default()).unwrap();
    assert_eq!(r.report.web_message().1, "Import successful.");
    c.apply(&r.changes);
    let g = geometry(&org_unit(&c, "ImspTQPwCqd"));
    assert_eq!(g["type"], "Point");
    assert_eq!(g["coordinates"].as_array().unwrap().len(), 2);
}

/// `tests/fixtures/docs-code-property.geojson`: DHIS2's documentation example, by code.
#[test]
fn dhis2_documentation_example() {
    let mut c = MemoryCatalogue::new();
    for (id, code, geometry) in [
        ("a1234567890", "OU1_CODE", Value::Null),
        (
            "b1234567890",
            "OU2_CODE",
            json!({"type": "Point", "coordinates": [1.0, 2.0]}),
        ),
    ] {
        let mut o = json!({"id": id, "code": code, "name": code});
        if !geometry.is_null() {
            o["geometry"] = geometry;
        }
        c.insert("organisationUnits", o.as_object().unwrap().clone());
    }
    let params = GeoJsonImportParams {
        feature_id: FeatureId::Property("code".into()),
        org_unit_property: "code".parse().unwrap(),
        ..GeoJsonImportParams::default()
    };
    let file = std::fs::read(fixture("docs-code-property.geojson")).unwrap();
    let r = import_geojson(&c, &file[..], &params).unwrap();
    let n = r.report.count();
    assert_eq!((n.imported, n.deleted, n.ignored), (1, 1, 0));
    assert_eq!(r.report.status(), ImportStatus::Success);
    c.apply(&r.changes);
    assert_eq!(geometry(&org_unit(&c, "a1234567890"))["type"], "Polygon");
    assert_eq!(geometry(&org_unit(&c, "b1234567890")), Value::Null);
}

// Hostile inputs.

#[test]
fn a_truncated_file_changes_nothing() {
    let good = format!(
        r#"{{"features":[{{"id":"Kare5678901","geometry":{MULTI}}},{{"id":"Kare5678901","geometry":"#
    );
    let r = import(&karene_only(), &good, &Default::default());
    failed(&r);
    only_conflict(&r, ConflictCode::E7701, None);
    assert!(
        r.report.conflicts()[0].value.contains("EOF"),
        "{}",
        r.report.conflicts()[0].value
    );
    let r = import(&karene_only(), "", &Default::default());
    only_conflict(&r, ConflictCode::E7701, None);
}

#[test]
fn wrong_types_are_conflicts() {
    let cases = [
        (r#""a string""#, ConflictCode::E7707),
        ("[1,2]", ConflictCode::E7707),
        (
            r#"{"type":"Point","coordinates":"1,2"}"#,
            ConflictCode::E7707,
        ),
        (
            r#"{"type":"Point","coordinates":{"x":1}}"#,
            ConflictCode::E7707,
        ),
        (
            r#"{"type":"LineString","coordinates":[[1,2,3],4]}"#,
            ConflictCode::E7707,
        ),
        (r#"{"type":"Point","coordinates":[1]}"#, ConflictCode::E7707),
        (
            r#"{"type":"Polygon","coordinates":[[[0,0],[1,1]]]}"#,
            ConflictCode::E7707,
        ),
        (
            r#"{"type":"Polygon","coordinates":[[[0,0],[1,1],[1,0],[0,1]]]}"#,
            ConflictCode::E7707,
        ),
        (
            r#"{"type":"Feature","coordinates":[1,2]}"#,
            ConflictCode::E7707,
        ),
        (
            r#"{"type":"Point","coordinates":[[]]}"#,
            ConflictCode::E7712,
        ),
    ];
    for (g, code) in cases {
        let body = format!(r#"{{"features":[{{"id":"Kare5678901","geometry":{g}}}]}}"#);
        let r = import(&karene_only(), &body, &Default::default());
        failed(&r);
        only_conflict(&r, code, Some(vec![0]));
    }
    for body in [r#"{"features":{"id":"x"}}"#, "[{}]", "42", "null"] {
        let r = import(&karene_only(), body, &Default::default());
        only_conflict(&r, ConflictCode::E7701, None);
    }
    let r = import(
        &karene_only(),
        r#"{"features":[1,"x",null,[]]}"#,
        &Default::default(),
    );
    only_conflict(&r, ConflictCode::E7705, Some(vec![0, 1, 2, 3]));
}

#[test]
fn a_huge_coordinate_array_is_refused_within_its_bound() {
    let ring: Vec<String> = (0..200_000).map(|i| format!("[{i}.5,{i}.25]")).collect();
    let body = format!(
        r#"{{"features":[{{"id":"Kare5678901","geometry":{{"type":"LineString","coordinates":[{}]}}}}]}}"#,
        ring.join(",")
    );
    let params = GeoJsonImportParams {
        limits: ReadLimits::default()
            .with_max_token_bytes(1024 * 1024)
            .with_max_record_bytes(1024 * 1024),
        ..GeoJsonImportParams::default()
    };
    let Err(e) = import_geojson(&karene_only(), body.as_bytes(), &params) else {
        panic!("a feature of {} bytes passed a limit of 1 MiB", body.len());
    };
    assert!(matches!(e, Error::TooLong { .. }));
    let message = e.to_string();
    assert!(message.contains("GeoJSON feature 0"), "{message}");
    assert!(message.contains("--max-record-bytes"), "{message}");
    // Within the default bound it imports.
    let r = import_geojson(&karene_only(), body.as_bytes(), &Default::default()).unwrap();
    assert_eq!(r.report.count().imported, 1);
}

#[test]
fn deep_nesting_is_a_conflict_not_a_crash() {
    let deep = format!("{}1{}", "[".repeat(100_000), "]".repeat(100_000));
    let body = format!(
        r#"{{"features":[{{"id":"Kare5678901","geometry":{{"type":"Point","coordinates":{deep}}}}}]}}"#
    );
    let r = import(&karene_only(), &body, &Default::default());
    failed(&r);
    assert_eq!(r.report.conflicts().len(), 1);
}

#[test]
fn invalid_utf8_is_a_conflict() {
    let mut body = br#"{"features":[{"id":"Kare"#.to_vec();
    body.extend_from_slice(&[0xff, 0xfe]);
    body.extend_from_slice(br#"5678901","geometry":null}]}"#);
    let r = import_geojson(&karene_only(), &body[..], &Default::default()).unwrap();
    only_conflict(&r, ConflictCode::E7701, None);
}

#[test]
fn an_unknown_org_unit_property_is_refused() {
    assert!("name".parse::<OrgUnitProperty>().is_ok());
    assert_eq!(
        "ATTRIBUTE".parse::<OrgUnitProperty>().unwrap(),
        OrgUnitProperty::Uid
    );
    let e = "shortName".parse::<OrgUnitProperty>().unwrap_err();
    assert!(e.to_string().contains("orgUnitProperty"));
}
