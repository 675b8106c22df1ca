//! Properties of the metadata CSV reader: any bytes as any class never panic; rows written by a
//! CSV writer come back as DHIS2 builds them (values whole, or cut to DHIS2's lengths).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use dxf2_metadata::csv::{read_csv, ClassKey, CsvOptions, UidGenerator};
use dxf2_metadata::Document;
use dxf2_model::{ReadLimits, Uid};
use proptest::prelude::*;
use serde_json::json;

/// A catalogue for the classes that look things up.
fn catalogue() -> Document {
    let stored = json!({
        "optionSets": [{"id": "SetUid00001", "code": "SET", "options": [{"id": "OptUid00001"}]}],
        "options": [{"id": "OptUid00001", "code": "A"}],
        "optionGroupSets": [{"id": "GrpSet00001", "name": "GS"}],
        "dataElementGroups": [{"id": "a", "name": "G"}],
        "organisationUnitGroups": [{"id": "a", "name": "G", "shortName": "G"}],
        "indicatorGroups": [{"id": "a", "name": "G"}],
        "indicatorTypes": [{"id": "a", "name": "T"}]
    });
    let mut doc = Document::new();
    for (key, list) in stored.as_object().unwrap() {
        for o in list.as_array().unwrap() {
            doc.push(key, o.as_object().unwrap().clone());
        }
    }
    doc
}

/// Text cut to `max` UTF-16 units, as Java's `substring` (a split pair left out).
fn cut(text: &str, max: usize) -> String {
    let mut units = 0;
    text.chars()
        .take_while(|c| {
            units += c.len_utf16();
            units <= max
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn any_bytes_as_any_class_never_panic(
        bytes in proptest::collection::vec(
            prop_oneof![
                Just(b','), Just(b'"'), Just(b'\n'), Just(b'\r'), Just(b' '),
                Just(b'a'), Just(b'1'), Just(b'['), Just(b']'), any::<u8>()
            ],
            0..400,
        ),
        header in any::<bool>(),
        minor in 36u32..=44,
    ) {
        let lookup = catalogue();
        let limits = ReadLimits::default().with_max_token_bytes(64).with_max_record_bytes(256);
        for class in ClassKey::ALL {
            let options = CsvOptions::new(class)
                .first_row_is_header(header)
                .dhis2_minor_version(minor)
                .limits(limits);
            match read_csv(&bytes[..], &options, &lookup, &mut UidGenerator::seeded(1)) {
                Ok(doc) => {
                    for (key, _) in &doc.types {
                        prop_assert!(class.collection_keys().contains(&key.as_str()));
                    }
                }
                Err(e) => {
                    let positional = e.line().is_some();
                    let version = matches!(e, dxf2_metadata::csv::CsvError::ClassNotInVersion { .. });
                    prop_assert!(positional || version, "{e}");
                    prop_assert!(e.line().unwrap_or(1) >= 1);
                }
            }
        }
    }

    #[test]
    fn written_rows_read_back_as_dhis2_builds_them(
        rows in proptest::collection::vec(
            (
                "[A-Za-zé😀][A-Za-z0-9 ,\"\n\té😀]{0,260}[A-Za-z0-9é😀]",
                proptest::option::of("[A-Za-z][A-Za-z0-9]{10,14}"),
                proptest::option::of("[A-Z_0-9]{1,60}"),
                proptest::option::of("[a-z][a-z ,\"]{0,70}[a-z]"),
            ),
            1..12,
        ),
    ) {
        let mut writer = csv::Writer::from_writer(Vec::new());
        writer.write_record(["name", "uid", "code", "shortName"]).unwrap();
        for (name, uid, code, short) in &rows {
            let record = [
                name.as_str(),
                uid.as_deref().unwrap_or(""),
                code.as_deref().unwrap_or(""),
                short.as_deref().unwrap_or(""),
            ];
            writer.write_record(record).unwrap();
        }
        let bytes = writer.into_inner().unwrap();
        let options = CsvOptions::new(ClassKey::CategoryOption);
        let doc = read_csv(&bytes[..], &options, &Document::new(), &mut UidGenerator::seeded(3))
            .unwrap();
        let objects = doc.objects("categoryOptions");
        prop_assert_eq!(objects.len(), rows.len());
        for ((name, uid, code, short), o) in rows.iter().zip(objects) {
            prop_assert_eq!(o["name"].as_str().unwrap(), cut(name, 230));
            let id = o["id"].as_str().unwrap();
            match uid {
                Some(uid) => prop_assert_eq!(id, cut(uid, 11)),
                None => prop_assert!(Uid::is_valid(id)),
            }
            let want_code = code.as_deref().map(|c| cut(c, 50));
            prop_assert_eq!(o.get("code").and_then(|c| c.as_str()), want_code.as_deref());
            let want_short = cut(short.as_deref().unwrap_or(name), 50);
            prop_assert_eq!(o["shortName"].as_str().unwrap(), want_short);
        }
    }
}
