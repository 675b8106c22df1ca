//! Property tests: geometries survive import → export → import (the second import finds every
//! geometry already there and changes nothing), 3-D positions come back as their x,y, and GML
//! coordinates come back as DHIS2 rounds them.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use dxf2_metadata::catalogue::MemoryCatalogue;
use dxf2_metadata::import::Timestamps;
use geometry_import::{
    export_geojson, import_geojson, import_gml, GeoJsonImportParams, GmlImportParams,
};
use proptest::prelude::*;
use serde_json::{json, Value};

fn catalogue(n: usize) -> MemoryCatalogue {
    let mut c = MemoryCatalogue::new();
    for i in 0..n {
        c.insert(
            "organisationUnits",
            json!({"id": format!("ou{i:09}"), "name": format!("Unit {i}"), "shortName": format!("Unit {i}"),
                   "openingDate": "2020-01-01T00:00:00.000", "path": format!("/ou{i:09}"), "level": 1})
            .as_object()
            .unwrap()
            .clone(),
        );
    }
    c
}

fn coordinate() -> impl Strategy<Value = f64> {
    (-180_000_000i64..180_000_000).prop_map(|n| n as f64 / 1_000_000.0)
}

/// A closed ring of 3 to 12 positions, each with 2 or (with `z`) 3 ordinates.
fn ring(z: bool) -> impl Strategy<Value = Vec<Vec<f64>>> {
    prop::collection::vec((coordinate(), coordinate(), coordinate()), 2..11).prop_map(move |ps| {
        let mut ring: Vec<Vec<f64>> = ps
            .into_iter()
            .map(|(x, y, h)| if z { vec![x, y, h] } else { vec![x, y] })
            .collect();
        let first = ring[0].clone();
        ring.push(first);
        ring
    })
}

/// A geometry: a point, a polygon or a multi-polygon, all positions 2-D or all 3-D.
fn geometry() -> impl Strategy<Value = Value> {
    any::<bool>().prop_flat_map(|z| {
        prop_oneof![
            (coordinate(), coordinate(), coordinate()).prop_map(move |(x, y, h)| {
                json!({"type": "Point", "coordinates": if z { json!([x, y, h]) } else { json!([x, y]) }})
            }),
            prop::collection::vec(ring(z), 1..3)
                .prop_map(|rings| json!({"type": "Polygon", "coordinates": rings})),
            prop::collection::vec(prop::collection::vec(ring(z), 1..3), 1..4)
                .prop_map(|polys| json!({"type": "MultiPolygon", "coordinates": polys})),
        ]
    })
}

/// The geometry with every position cut to x,y and every number a float.
fn pairs(v: &Value) -> Value {
    match v {
        Value::Array(items) if items.first().is_some_and(Value::is_number) => {
            json!(items
                .iter()
                .take(2)
                .map(|n| n.as_f64().unwrap())
                .collect::<Vec<f64>>())
        }
        Value::Array(items) => Value::Array(items.iter().map(pairs).collect()),
        other => other.clone(),
    }
}

fn keep_time() -> GeoJsonImportParams {
    GeoJsonImportParams {
        timestamps: Timestamps::Keep,
        ..GeoJsonImportParams::default()
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn geojson_import_export_import(geometries in prop::collection::vec(geometry(), 1..6)) {
        let mut c = catalogue(geometries.len());
        let features: Vec<Value> = geometries
            .iter()
            .enumerate()
            .map(|(i, g)| json!({"type": "Feature", "id": format!("ou{i:09}"), "geometry": g}))
            .collect();
        let file = serde_json::to_vec(&json!({"type": "FeatureCollection", "features": features})).unwrap();
        let first = import_geojson(&c, &file[..], &keep_time()).unwrap();
        prop_assert_eq!(first.report.count().imported, geometries.len() as u64);
        c.apply(&first.changes);
        for (i, g) in geometries.iter().enumerate() {
            let stored = &c.get("organisationUnits", &format!("ou{i:09}")).unwrap()["geometry"];
            prop_assert_eq!(&stored["type"], &g["type"]);
            prop_assert_eq!(&stored["coordinates"], &pairs(&g["coordinates"]));
        }
        let mut out = Vec::new();
        let summary = export_geojson(&c, None, &mut out).unwrap();
        prop_assert_eq!(summary.features, geometries.len());
        let again = import_geojson(&c, &out[..], &keep_time()).unwrap();
        prop_assert_eq!(again.report.count().updated, geometries.len() as u64);
        prop_assert_eq!(again.report.count().ignored, 0);
        prop_assert!(again.changes.is_empty());
    }

    #[test]
    fn gml_coordinates_come_back_rounded(points in prop::collection::vec((coordinate(), coordinate()), 3..20)) {
        let c = catalogue(1);
        let mut ring: Vec<(f64, f64)> = points;
        ring.push(ring[0]);
        let text: Vec<String> = ring.iter().map(|(x, y)| format!("{x},{y}")).collect();
        let gml = format!(
            r#"<c xmlns:gml="http://www.opengis.net/gml"><gml:featureMember><f><g><gml:Polygon><gml:outerBoundaryIs><gml:LinearRing><gml:coordinates>{}</gml:coordinates></gml:LinearRing></gml:outerBoundaryIs></gml:Polygon></g><name>Unit 0</name></f></gml:featureMember></c>"#,
            text.join(" ")
        );
        let mut params = GmlImportParams::default();
        params.metadata.timestamps = Timestamps::Keep;
        let r = import_gml(&c, gml.as_bytes(), &params).unwrap();
        prop_assert_eq!(r.report.stats.updated, 1);
        let stored = &r.changes.of("organisationUnits").unwrap().updated[0]["geometry"];
        let expected: Vec<Value> = ring
            .iter()
            .map(|(x, y)| json!([round4(*x), round4(*y)]))
            .collect();
        prop_assert_eq!(&stored["coordinates"], &json!([expected]));
    }
}

/// Half-up rounding to 4 decimals of a number with at most 6, on its decimal digits.
fn round4(x: f64) -> f64 {
    let micro = (x * 1_000_000.0).round() as i64;
    let sign = if micro < 0 { -1 } else { 1 };
    let abs = micro.abs();
    let rounded = (abs + 50) / 100 * sign;
    rounded as f64 / 10_000.0
}
