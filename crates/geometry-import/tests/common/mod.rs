//! Helpers of the behaviour tests: fixtures, catalogues, corpus files.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::PathBuf;

use dxf2_metadata::catalogue::MemoryCatalogue;
use dxf2_metadata::{Document, Object};
use serde_json::Value;

/// A fixture of ours (`tests/fixtures/NAME`).
pub fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// A DXF2 metadata JSON fixture, read as the stores read metadata.
pub fn metadata(name: &str) -> Document {
    let file = std::fs::File::open(fixture(name)).expect("fixture");
    dxf2_metadata::read_json(file)
        .expect("metadata JSON")
        .document
}

/// A catalogue with every object of `doc` but the org units whose position `keep` refuses.
pub fn catalogue_with(doc: &Document, keep: impl Fn(usize) -> bool) -> MemoryCatalogue {
    let mut catalogue = MemoryCatalogue::new();
    for (key, objects) in &doc.types {
        for (i, object) in objects.iter().enumerate() {
            if key != "organisationUnits" || keep(i) {
                catalogue.insert(key, object.clone());
            }
        }
    }
    catalogue
}

/// The org unit `uid` of the catalogue.
pub fn org_unit(catalogue: &MemoryCatalogue, uid: &str) -> Object {
    catalogue
        .get("organisationUnits", uid)
        .cloned()
        .unwrap_or_else(|| panic!("org unit {uid}"))
}

/// A corpus file's bytes, or `None` when the corpus is skipped.
pub fn corpus(rel: &str) -> Option<Vec<u8>> {
    let path = dxf2_testdata::corpus::corpus_file(rel)?;
    Some(std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display())))
}

/// The org units' UIDs of the Sierra Leone districts fixture, by feature position.
pub fn district_uids(doc: &Document) -> Vec<String> {
    doc.objects("organisationUnits")
        .iter()
        .map(|o| o["id"].as_str().unwrap().to_owned())
        .collect()
}

/// The geometry of an org unit (`Value::Null` when it has none).
pub fn geometry(o: &Object) -> Value {
    o.get("geometry").cloned().unwrap_or(Value::Null)
}
