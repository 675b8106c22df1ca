//! Fuzz the metadata JSON document reader (`dxf2_metadata::read_json`): arbitrary bytes never
//! panic, and whatever reads successfully is kept whole — written back as a JSON document
//! (`system` and each collection as an array of its objects) it reads again into the same
//! document, with nothing ignored.
//!
//! Run with `cargo fuzz run metadata_document` from the repository root.

#![no_main]

use dxf2_metadata::{read_json, Document};
use libfuzzer_sys::fuzz_target;
use serde_json::{Map, Value};

/// The document as a JSON object: `system`, then every collection as an array.
fn to_json(doc: &Document) -> Vec<u8> {
    let mut top = Map::new();
    if let Some(system) = &doc.system {
        top.insert("system".to_owned(), Value::Object(system.clone()));
    }
    for (key, objects) in &doc.types {
        let list = objects.iter().cloned().map(Value::Object).collect();
        top.insert(key.clone(), Value::Array(list));
    }
    serde_json::to_vec(&Value::Object(top)).unwrap_or_default()
}

fuzz_target!(|data: &[u8]| {
    let Ok(parsed) = read_json(data) else {
        return;
    };
    let doc = parsed.document;
    assert_eq!(
        doc.len(),
        doc.types.iter().map(|(_, o)| o.len()).sum::<usize>()
    );
    let written = to_json(&doc);
    let again = match read_json(&written[..]) {
        Ok(again) => again,
        Err(e) => panic!("a document read back fails: {e}"),
    };
    assert!(again.ignored.is_empty(), "{:?}", again.ignored);
    // The written form keeps one of each key: compare as sets of collections.
    let mut want = doc.types.clone();
    let mut got = again.document.types.clone();
    want.sort_by(|a, b| a.0.cmp(&b.0));
    got.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(got, want);
    assert_eq!(again.document.system, doc.system);
});
