//! Fuzz the metadata CSV reader (`dxf2_metadata::csv`): arbitrary bytes read as every class,
//! with and without a header row, against a small catalogue, never panic and stay within the
//! reader's bounds; an error names a line; a document holds only its class's collections, and
//! the same UID seed gives the same document.
//!
//! Run with `cargo fuzz run metadata_csv` from the repository root.

#![no_main]

use dxf2_metadata::csv::{read_csv, ClassKey, CsvError, CsvOptions, UidGenerator};
use dxf2_metadata::{Document, Object};
use dxf2_model::ReadLimits;
use libfuzzer_sys::fuzz_target;
use serde_json::{json, Value};

/// Stored groups, option sets and types, so the membership and option classes get past their
/// lookups (uids short enough for a fuzzer to find: `a`, `b`).
fn catalogue() -> Document {
    let stored = json!({
        "optionSets": [{"id": "a", "code": "a", "options": [{"id": "a"}, {"id": "b", "code": "b"}]}],
        "options": [{"id": "a", "code": "a"}],
        "optionGroupSets": [{"id": "a", "name": "a"}],
        "dataElementGroups": [{"id": "a", "name": "a"}],
        "indicatorGroups": [{"id": "a", "name": "a"}],
        "organisationUnitGroups": [{"id": "a", "name": "a", "shortName": "a"}],
        "indicatorTypes": [{"id": "a", "name": "a"}]
    });
    let mut doc = Document::new();
    if let Value::Object(collections) = stored {
        for (key, list) in collections {
            for o in list.as_array().into_iter().flatten() {
                if let Value::Object(o) = o {
                    doc.push(&key, Object::clone(o));
                }
            }
        }
    }
    doc
}

fuzz_target!(|data: &[u8]| {
    let lookup = catalogue();
    let limits = ReadLimits::default()
        .with_max_token_bytes(4096)
        .with_max_record_bytes(16 * 1024);
    // The version follows from the input, so that every corpus file tries several.
    let minor = 36 + (data.len() % 9) as u32;
    for class in ClassKey::ALL {
        for header in [true, false] {
            let options = CsvOptions::new(class)
                .first_row_is_header(header)
                .dhis2_minor_version(minor)
                .limits(limits);
            let first = read_csv(data, &options, &lookup, &mut UidGenerator::seeded(7));
            match first {
                Ok(doc) => {
                    for (key, _) in &doc.types {
                        assert!(class.collection_keys().contains(&key.as_str()));
                    }
                    let again = read_csv(data, &options, &lookup, &mut UidGenerator::seeded(7));
                    assert_eq!(again.ok().as_ref(), Some(&doc), "same seed, same document");
                }
                Err(CsvError::ClassNotInVersion { .. }) => {}
                Err(e) => {
                    assert!(e.line().is_some_and(|l| l >= 1), "{e}");
                    let _ = e.to_string();
                }
            }
        }
    }
});
