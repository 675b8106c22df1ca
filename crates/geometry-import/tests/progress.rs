//! Progress events of the GeoJSON and GML imports (`import_geojson_with_progress`,
//! `import_gml_with_progress`): phases in order, `done` never going down within a phase, each
//! phase ending with `total == Some(done)`, the totals the features of the file, and the same
//! result as the functions without progress.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::{catalogue_with, corpus, fixture, metadata};
use dxf2_metadata::catalogue::MemoryCatalogue;
use dxf2_metadata::import::Timestamps;
use dxf2_model::{Phase, Progress};
use geometry_import::{
    import_geojson, import_geojson_with_progress, import_gml, import_gml_with_progress,
    ConflictCode, GeoJsonImportParams, GmlImportParams,
};
use serde_json::json;

/// Checks the rules every progress stream keeps and answers each phase's total, in order.
fn phases(events: &[Progress]) -> Vec<(Phase, u64)> {
    let mut out: Vec<(Phase, u64)> = Vec::new();
    let mut current: Option<Progress> = None;
    for event in events {
        match current {
            Some(last) if last.phase == event.phase => {
                assert_eq!(
                    last.total, None,
                    "an event after the end of its phase: {events:?}"
                );
                assert!(event.done >= last.done, "done went down: {events:?}");
            }
            Some(last) => {
                assert_eq!(
                    last.total,
                    Some(last.done),
                    "a phase left unfinished: {events:?}"
                );
                assert!(
                    out.iter().all(|(p, _)| *p != event.phase),
                    "a phase came back: {events:?}"
                );
            }
            None => {}
        }
        if let Some(total) = event.total {
            assert_eq!(total, event.done, "total is not done: {event:?}");
            out.push((event.phase, total));
        }
        current = Some(*event);
    }
    let last = current.expect("at least one event");
    assert_eq!(last.total, Some(last.done), "the last phase is unfinished");
    out
}

fn record(events: &mut Vec<Progress>) -> impl FnMut(Progress) + '_ {
    |p| events.push(p)
}

/// A catalogue of `n` org units, `OU<i>` named `Unit <i>`.
fn org_units(n: usize) -> MemoryCatalogue {
    let mut catalogue = MemoryCatalogue::new();
    for i in 0..n {
        let object = json!({"id": format!("OU{i:09}"), "code": format!("C{i}"), "name": format!("Unit {i}"),
            "shortName": format!("Unit {i}"), "openingDate": "1994-01-01T00:00:00.000"});
        catalogue.insert("organisationUnits", object.as_object().unwrap().clone());
    }
    catalogue
}

/// A `FeatureCollection` of `n` point features, feature `i` for org unit `OU<i>`.
fn collection(n: usize) -> String {
    let features: Vec<String> = (0..n)
        .map(|i| {
            format!(
                r#"{{"type": "Feature", "id": "OU{i:09}", "geometry": {{"type": "Point", "coordinates": [{}.5, 8.25]}}}}"#,
                i % 90
            )
        })
        .collect();
    format!(
        r#"{{"type": "FeatureCollection", "features": [{}]}}"#,
        features.join(",\n")
    )
}

fn geojson_params() -> GeoJsonImportParams {
    GeoJsonImportParams {
        timestamps: Timestamps::Keep,
        ..GeoJsonImportParams::default()
    }
}

#[test]
fn geojson_counts_every_feature_in_one_import_phase() {
    let catalogue = org_units(2_000);
    let file = collection(2_345); // 345 features name no org unit: E7708, still counted
    let mut events = Vec::new();
    let result = import_geojson_with_progress(
        &catalogue,
        file.as_bytes(),
        &geojson_params(),
        &mut record(&mut events),
    )
    .unwrap();
    assert_eq!(phases(&events), [(Phase::Import, 2_345)]);
    let done: Vec<u64> = events.iter().map(|p| p.done).collect();
    assert_eq!(done, [0, 1_000, 2_000, 2_345]);
    assert_eq!(result.report.count().imported, 2_000);
    assert_eq!(result.report.count().ignored, 345);

    let without = import_geojson(&catalogue, file.as_bytes(), &geojson_params()).unwrap();
    assert_eq!(without, result);
}

#[test]
fn geojson_counts_a_single_feature_an_empty_collection_and_a_broken_document() {
    let catalogue = org_units(1);
    let cases: [(&str, u64); 4] = [
        (
            r#"{"type": "Feature", "id": "OU000000000", "geometry": null}"#,
            1,
        ),
        (r#"{"type": "FeatureCollection", "features": []}"#, 0),
        (r#"{"type": "FeatureCollection"}"#, 0), // E7701: no features
        (
            r#"{"features": [{"id": "OU000000000", "geometry": null}, {"id": "#,
            1,
        ), // E7701: cut short after one feature
    ];
    for (file, features) in cases {
        let mut events = Vec::new();
        import_geojson_with_progress(
            &catalogue,
            file.as_bytes(),
            &geojson_params(),
            &mut record(&mut events),
        )
        .unwrap();
        assert_eq!(phases(&events), [(Phase::Import, features)], "{file}");
    }
}

#[test]
fn geojson_a_refused_attribute_ends_the_phase_with_nothing_done() {
    let params = GeoJsonImportParams {
        attribute: Some("NoSuchAttr1".into()),
        ..geojson_params()
    };
    let mut events = Vec::new();
    let result = import_geojson_with_progress(
        &org_units(1),
        collection(3).as_bytes(),
        &params,
        &mut record(&mut events),
    )
    .unwrap();
    assert!(result.report.conflict(ConflictCode::E7702).is_some());
    assert_eq!(phases(&events), [(Phase::Import, 0)]);
}

#[test]
fn geojson_the_districts_file_counts_its_features() {
    let Some(file) = corpus("geojson/sierra-leone-districts.geojson") else {
        return;
    };
    let doc: serde_json::Value = serde_json::from_slice(&file).unwrap();
    let features = doc["features"].as_array().unwrap().len() as u64;
    let catalogue = catalogue_with(&metadata("sierra-leone-districts.json"), |_| true);
    let mut events = Vec::new();
    import_geojson_with_progress(
        &catalogue,
        file.as_slice(),
        &geojson_params(),
        &mut record(&mut events),
    )
    .unwrap();
    assert_eq!(phases(&events), [(Phase::Import, features)]);
}

/// A GML document of `n` point features, feature `i` named `Unit <i>`.
fn gml(n: usize) -> String {
    let mut out = String::from(
        r#"<ogr:FeatureCollection xmlns:ogr="http://ogr.maptools.org/" xmlns:gml="http://www.opengis.net/gml">"#,
    );
    for i in 0..n {
        out.push_str(&format!(
            "<gml:featureMember><ogr:admin><ogr:geometryProperty><gml:Point><gml:pos>{}.5 8.25</gml:pos>\
             </gml:Point></ogr:geometryProperty><ogr:Name>Unit {i}</ogr:Name></ogr:admin></gml:featureMember>\n",
            i % 90
        ));
    }
    out.push_str("</ogr:FeatureCollection>");
    out
}

fn gml_params() -> GmlImportParams {
    let mut p = GmlImportParams::default();
    p.metadata.timestamps = Timestamps::Keep;
    p
}

#[test]
fn gml_reads_then_checks_every_feature() {
    let catalogue = org_units(2_100);
    let file = gml(2_100);
    let mut events = Vec::new();
    let result = import_gml_with_progress(
        &catalogue,
        file.as_bytes(),
        &gml_params(),
        &mut record(&mut events),
    )
    .unwrap();
    assert_eq!(result.features, 2_100, "{:?}", result.report);
    assert_eq!(result.report.stats.updated, 2_100);
    assert_eq!(
        phases(&events),
        [(Phase::Read, 2_100), (Phase::Check, 2_100)]
    );
    let read: Vec<u64> = events
        .iter()
        .filter(|p| p.phase == Phase::Read)
        .map(|p| p.done)
        .collect();
    assert_eq!(read, [0, 1_000, 2_000, 2_100]);

    let without = import_gml(&catalogue, file.as_bytes(), &gml_params()).unwrap();
    assert_eq!(without, result);
}

#[test]
fn gml_the_test_payload_counts_its_five_features() {
    let Some(file) = corpus("gml/testGmlPayload.gml") else {
        return;
    };
    let catalogue = catalogue_with(&metadata("gml-org-units.json"), |_| true);
    let mut events = Vec::new();
    let result = import_gml_with_progress(
        &catalogue,
        file.as_slice(),
        &gml_params(),
        &mut record(&mut events),
    )
    .unwrap();
    assert_eq!(result.features, 5);
    assert_eq!(phases(&events), [(Phase::Read, 5), (Phase::Check, 5)]);
}

#[test]
fn gml_a_refused_document_ends_the_read_phase_and_checks_nothing() {
    let file = std::fs::read(fixture("malicious-xxe.gml")).unwrap();
    let mut events = Vec::new();
    let result = import_gml_with_progress(
        &org_units(1),
        file.as_slice(),
        &gml_params(),
        &mut record(&mut events),
    )
    .unwrap();
    assert_eq!(
        result.report.error_reports().next().unwrap().error_code,
        "E7010"
    );
    assert_eq!(phases(&events), [(Phase::Read, 0)]);
}

#[test]
fn gml_a_geometry_geotools_refuses_ends_the_check_phase() {
    // A polygon whose ring is not closed: GeoTools refuses it, and the import with it.
    let file = r#"<ogr:FeatureCollection xmlns:ogr="http://ogr.maptools.org/" xmlns:gml="http://www.opengis.net/gml">
      <gml:featureMember><ogr:a><ogr:geometryProperty><gml:Point><gml:pos>1 2</gml:pos></gml:Point>
      </ogr:geometryProperty><ogr:Name>Unit 0</ogr:Name></ogr:a></gml:featureMember>
      <gml:featureMember><ogr:a><ogr:geometryProperty><gml:Polygon><gml:outerBoundaryIs><gml:LinearRing>
      <gml:coordinates>1,1 2,2 3,1</gml:coordinates></gml:LinearRing></gml:outerBoundaryIs></gml:Polygon>
      </ogr:geometryProperty><ogr:Name>Unit 1</ogr:Name></ogr:a></gml:featureMember>
    </ogr:FeatureCollection>"#;
    let mut events = Vec::new();
    let result = import_gml_with_progress(
        &org_units(2),
        file.as_bytes(),
        &gml_params(),
        &mut record(&mut events),
    )
    .unwrap();
    assert_eq!(
        result.report.error_reports().next().unwrap().error_code,
        "E7010"
    );
    assert_eq!(phases(&events), [(Phase::Read, 2), (Phase::Check, 1)]);
}
