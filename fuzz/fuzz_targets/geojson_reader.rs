//! Fuzz the GeoJSON geometry import (`geometry_import::import_geojson`) and the GeoTools
//! emulation (`geometry_import::read_geometry`): arbitrary bytes never panic, the reader stays
//! within its limit, and the outcome is consistent — a document that is not GeoJSON
//! (`E7700`/`E7701`) changes nothing, a dry run changes nothing, and every change is an org unit
//! of the catalogue that a feature named.
//!
//! Run with `cargo fuzz run geojson_reader` from the repository root.

#![no_main]

use dxf2_metadata::catalogue::MemoryCatalogue;
use dxf2_metadata::import::Timestamps;
use dxf2_model::ReadLimits;
use geometry_import::{
    import_geojson, read_geometry, FeatureId, GeoJsonImportParams, OrgUnitProperty,
};
use libfuzzer_sys::fuzz_target;
use serde_json::json;

fn catalogue() -> MemoryCatalogue {
    let mut c = MemoryCatalogue::new();
    for (id, code, name) in [
        ("Kare5678901", "KAR", "Karene"),
        ("West5678901", "WES", "Western"),
        ("Alph5678901", "ALP", "Alpha"),
        ("Beta5678901", "BET", "Alpha"),
    ] {
        let o = json!({"id": id, "code": code, "name": name,
                       "geometry": {"type": "Point", "coordinates": [1.0, 2.0]}});
        if let Some(o) = o.as_object() {
            c.insert("organisationUnits", o.clone());
        }
    }
    let a = json!({"id": "geo2GeoJson", "name": "geo2", "valueType": "GEOJSON",
                   "organisationUnitAttribute": true});
    if let Some(a) = a.as_object() {
        c.insert("attributes", a.clone());
    }
    c
}

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = read_geometry(text);
    }
    let catalogue = catalogue();
    let limits = ReadLimits::default()
        .with_max_token_bytes(64 * 1024)
        .with_max_record_bytes(64 * 1024);
    let variants = [
        GeoJsonImportParams::default(),
        GeoJsonImportParams {
            feature_id: FeatureId::Property("name".into()),
            org_unit_property: OrgUnitProperty::Name,
            attribute: Some("geo2GeoJson".into()),
            ..GeoJsonImportParams::default()
        },
        GeoJsonImportParams {
            dry_run: true,
            strict: true,
            ..GeoJsonImportParams::default()
        },
    ];
    for params in variants {
        let params = GeoJsonImportParams {
            limits,
            timestamps: Timestamps::Keep,
            ..params
        };
        let Ok(result) = import_geojson(&catalogue, data, &params) else {
            continue;
        };
        if result.report.is_unreadable_input() || params.dry_run {
            assert!(result.changes.is_empty());
        }
        for t in &result.changes.types {
            assert_eq!(t.key, "organisationUnits");
            assert!(t.created.is_empty() && t.deleted.is_empty());
            for o in &t.updated {
                let uid = o.get("id").and_then(|v| v.as_str()).unwrap_or_default();
                assert!(catalogue.get("organisationUnits", uid).is_some());
            }
        }
        let count = result.report.count();
        let total = result.report.total_conflict_occurrence_count() as u64;
        assert!(count.ignored <= total || result.report.is_unreadable_input());
    }
});
