//! Fuzz the GML reader (`geometry_import::gml::GmlReader`) and the GML import
//! (`geometry_import::import_gml`): arbitrary bytes never panic, never hold a token longer than
//! the limit, and a document DHIS2 refuses (`E7010`) changes nothing.
//!
//! Run with `cargo fuzz run gml_reader` from the repository root.

#![no_main]

use dxf2_metadata::catalogue::MemoryCatalogue;
use dxf2_metadata::import::{Status, Timestamps};
use dxf2_model::ReadLimits;
use geometry_import::gml::{GmlFeature, GmlReader};
use geometry_import::{import_gml, GmlImportParams};
use libfuzzer_sys::fuzz_target;
use serde_json::json;

fn catalogue() -> MemoryCatalogue {
    let mut c = MemoryCatalogue::new();
    for (id, code, name) in [
        ("ouabcdefghA", "A", "Bo"),
        ("ImspTQPwCqd", "SL", "Sierra Leone"),
    ] {
        let o = json!({"id": id, "code": code, "name": name, "shortName": name,
                       "openingDate": "2021-01-01T00:00:00.000", "path": format!("/{id}"), "level": 1});
        if let Some(o) = o.as_object() {
            c.insert("organisationUnits", o.clone());
        }
    }
    c
}

fuzz_target!(|data: &[u8]| {
    let limits = ReadLimits::default().with_max_token_bytes(16 * 1024);
    let mut reader = GmlReader::with_limits(data, limits);
    let mut feature = GmlFeature::default();
    let mut seen = 0usize;
    while let Ok(true) = reader.read_feature(&mut feature) {
        seen += 1;
        assert!(seen <= data.len());
    }
    let mut params = GmlImportParams {
        limits,
        ..GmlImportParams::default()
    };
    params.metadata.timestamps = Timestamps::Keep;
    if let Ok(result) = import_gml(&catalogue(), data, &params) {
        let refused = result
            .report
            .error_reports()
            .any(|e| e.error_code == "E7010");
        if refused {
            assert_eq!(result.report.status, Status::Error);
            assert!(result.changes.is_empty());
        }
    }
});
