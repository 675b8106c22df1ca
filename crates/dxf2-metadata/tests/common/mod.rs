//! Helpers shared by the import behaviour tests.
#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use dxf2_metadata::catalogue::MemoryCatalogue;
use dxf2_metadata::import::{import, ImportParams, ImportResult, Timestamps};
use dxf2_metadata::{read_json_str, Document, Object};
use serde_json::{json, Value};

/// A document from JSON text.
pub fn doc(text: &str) -> Document {
    read_json_str(text).expect("fixture JSON").document
}

/// A document from `tests/fixtures/<name>`.
pub fn fixture(name: &str) -> Document {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    doc(&text)
}

/// DHIS2's defaults, reproducible: no timestamps written, seeded UIDs, DHIS2 2.42's rules.
pub fn params() -> ImportParams {
    ImportParams {
        timestamps: Timestamps::Keep,
        uid_seed: Some(7),
        ..ImportParams::default()
    }
}

/// The same, following DHIS2 `version`'s rules.
pub fn params_for(version: &str) -> ImportParams {
    params().with_dhis2_version(version).unwrap()
}

/// Imports `doc` (nothing applied).
pub fn run(cat: &MemoryCatalogue, d: &Document, p: &ImportParams) -> ImportResult {
    import(cat, d, p).expect("import")
}

/// Imports `doc` and applies its changes.
pub fn commit(cat: &mut MemoryCatalogue, d: &Document, p: &ImportParams) -> ImportResult {
    let r = run(cat, d, p);
    cat.apply(&r.changes);
    r
}

/// The error codes of a report, in order.
pub fn codes(r: &ImportResult) -> Vec<String> {
    r.report
        .error_reports()
        .map(|e| e.error_code.clone())
        .collect()
}

/// `(created, updated, deleted, ignored, total)` of the report.
pub fn stats(r: &ImportResult) -> (usize, usize, usize, usize, usize) {
    let s = r.report.stats;
    (s.created, s.updated, s.deleted, s.ignored, s.total())
}

pub fn obj(v: Value) -> Object {
    v.as_object().cloned().expect("an object")
}

/// ObjectBundleServiceTest's `defaultSetup`: data elements `deabcdefghA`..`D` (codes
/// `DataElementCodeA`..`D`, names `DataElementA`..`D`), a user and user group `ugabcdefghA`, on a
/// target holding DHIS2's default category objects.
pub fn default_setup() -> MemoryCatalogue {
    let mut cat = MemoryCatalogue::with_dhis2_defaults();
    for l in ["A", "B", "C", "D"] {
        cat.insert(
            "dataElements",
            obj(json!({
                "id": format!("deabcdefgh{l}"), "code": format!("DataElementCode{l}"),
                "name": format!("DataElement{l}"), "shortName": format!("DataElementShort{l}"),
                "valueType": "INTEGER", "domainType": "AGGREGATE", "aggregationType": "SUM",
                "categoryCombo": {"id": "bjDvmb4bfuf"}
            })),
        );
    }
    cat.insert(
        "userGroups",
        obj(json!({"id": "ugabcdefghA", "name": "UserGroupA"})),
    );
    cat.insert(
        "users",
        obj(json!({"id": "userabcdefA", "username": "usera", "firstName": "A", "surname": "User"})),
    );
    cat
}
