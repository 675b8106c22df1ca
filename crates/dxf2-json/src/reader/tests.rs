//! Unit tests of the data value set reader.

use dxf2_model::{DeletionElement, DeletionScope};

use super::*;
use std::io::Cursor;

fn read_all(json: &str) -> Result<(DataValueSetHeader, Vec<DataValue>)> {
    read_all_with(json, ImporterProfile::Classic)
}

fn read_all_with(
    json: &str,
    profile: ImporterProfile,
) -> Result<(DataValueSetHeader, Vec<DataValue>)> {
    let mut r = Reader::with_profile(json.as_bytes(), profile)?;
    let values = r.values().collect::<Result<Vec<_>>>()?;
    Ok((r.header().clone(), values))
}

fn read_seekable(
    json: &str,
    profile: ImporterProfile,
) -> Result<(DataValueSetHeader, Vec<DataValue>)> {
    let mut r = Reader::from_seekable_with_profile(Cursor::new(json.as_bytes()), profile)?;
    let values = r.values().collect::<Result<Vec<_>>>()?;
    Ok((r.header().clone(), values))
}

fn err(json: &str) -> Error {
    read_all(json).unwrap_err()
}

#[test]
fn value_positions_are_the_objects_starts() {
    for profile in [ImporterProfile::Classic, ImporterProfile::Pipeline] {
        let json = "{\"dataSet\": \"é\", \"dataValues\": [{\"value\": \"1\"},\n\
                    \t{\"value\": \"2\"} ,   {\"comment\": \"é\\n\"},\n{}]}";
        let mut r = ReaderBuilder::new()
            .profile(profile)
            .from_reader(json.as_bytes())
            .unwrap();
        assert_eq!(DataValueSource::value_position(&r), None);
        let mut dv = DataValue::new();
        let mut seen = Vec::new();
        while r.read_value(&mut dv).unwrap() {
            seen.push(r.value_position());
        }
        let at = |line, column| Some(Position { line, column });
        assert_eq!(seen, [at(1, 33), at(2, 2), at(2, 21), at(3, 1)]);
        assert_eq!(DataValueSource::value_position(&r), at(3, 1));
    }
}

#[test]
fn reads_header_and_values() {
    let json = r#"{"dataSet":"pBOMPrpg1QX","completeDate":"2024-02-01","period":"202401",
        "orgUnit":"DiszpKrYNg8","attributeOptionCombo":"HllvX50cXC0","idScheme":"CODE",
        "dataElementIdScheme":"NAME","orgUnitIdScheme":"UID","categoryOptionComboIdScheme":"CODE",
        "dataSetIdScheme":"CODE","dryRun":true,"strategy":"DELETE",
        "attributeCategoryOptions":["a",2],
        "dataValues":[{"dataElement":"f7n9E0hX8qk","period":"202401","orgUnit":"DiszpKrYNg8",
          "categoryOptionCombo":"coc","attributeOptionCombo":"aoc","value":"5","storedBy":"admin",
          "created":"2024-01-01","lastUpdated":"2024-01-02","comment":"c","followup":true,"deleted":false}]}"#;
    let (h, v) = read_all(json).unwrap();
    assert_eq!(h.data_set.as_deref(), Some("pBOMPrpg1QX"));
    assert_eq!(h.complete_date.as_deref(), Some("2024-02-01"));
    assert_eq!(h.attribute_option_combo.as_deref(), Some("HllvX50cXC0"));
    assert_eq!(h.id_scheme.as_deref(), Some("CODE"));
    assert_eq!(h.data_element_id_scheme.as_deref(), Some("NAME"));
    assert_eq!(h.org_unit_id_scheme.as_deref(), Some("UID"));
    assert_eq!(h.category_option_combo_id_scheme.as_deref(), Some("CODE"));
    assert_eq!(h.data_set_id_scheme.as_deref(), Some("CODE"));
    assert_eq!(h.dry_run, Some(true));
    assert_eq!(h.strategy.as_deref(), Some("DELETE"));
    assert_eq!(
        h.attribute_category_options,
        Some(vec!["a".to_owned(), "2".to_owned()])
    );
    assert_eq!(v.len(), 1);
    let d = &v[0];
    let texts: Vec<_> = d.fields().map(|(_, t)| t).collect();
    assert_eq!(
        texts,
        [
            "f7n9E0hX8qk",
            "202401",
            "DiszpKrYNg8",
            "coc",
            "aoc",
            "5",
            "admin",
            "2024-01-01",
            "2024-01-02",
            "c"
        ]
    );
    assert_eq!(d.followup(), Some(true));
    assert_eq!(d.deleted(), Some(false));
}

#[test]
fn empty_sets() {
    for json in [
        "{}",
        " \n{ } \n",
        r#"{"dataValues":[]}"#,
        r#"{"dataValues":null}"#,
    ] {
        let (h, v) = read_all(json).unwrap();
        assert!(h.is_empty() && v.is_empty(), "{json}");
        let (h, v) = read_seekable(json, ImporterProfile::Classic).unwrap();
        assert!(h.is_empty() && v.is_empty(), "{json}");
    }
}

#[test]
fn jackson_text_coercions() {
    let json = r#"{"period":202401,"orgUnit":true,"dataSet":"","completeDate":null,
        "dataValues":[{"dataElement":"a","value":10,"comment":-1.50e3,"storedBy":false,
          "period":"","orgUnit":null,"created":"x","created":""}]}"#;
    let (h, v) = read_all(json).unwrap();
    assert_eq!(h.period.as_deref(), Some("202401"));
    assert_eq!(h.org_unit.as_deref(), Some("true"));
    assert_eq!(h.data_set, None);
    assert_eq!(h.complete_date, None);
    let d = &v[0];
    assert_eq!(d.value(), Some("10"));
    assert_eq!(d.comment(), Some("-1.50e3"));
    assert_eq!(d.stored_by(), Some("false"));
    assert_eq!(d.period(), None);
    assert_eq!(d.org_unit(), None);
    assert_eq!(d.created(), None, "last duplicate (empty) wins");
}

#[test]
fn jackson_boolean_coercions() {
    let cases = [
        ("true", Some(true)),
        ("false", Some(false)),
        ("null", None),
        (r#""true""#, Some(true)),
        (r#""True""#, Some(true)),
        (r#"" TRUE ""#, Some(true)),
        (r#""false""#, Some(false)),
        (r#""FALSE""#, Some(false)),
        (r#""""#, None),
        (r#""null""#, None),
        ("0", Some(false)),
        ("-0", Some(false)),
        ("1", Some(true)),
        ("-7", Some(true)),
        ("100000000000000000000000", Some(true)),
    ];
    for (text, expected) in cases {
        let json =
            format!(r#"{{"dryRun":{text},"dataValues":[{{"followup":{text},"deleted":{text}}}]}}"#);
        let (h, v) = read_all(&json).unwrap();
        assert_eq!(h.dry_run, expected, "{text}");
        assert_eq!(v[0].followup(), expected, "{text}");
        assert_eq!(v[0].deleted(), expected, "{text}");
    }
    for bad in [r#""yes""#, r#""tru""#, "1.0", "1e3", r#""1""#] {
        let json = format!(r#"{{"dataValues":[{{"followup":{bad}}}]}}"#);
        let e = err(&json);
        assert!(
            matches!(e.kind(), ErrorKind::InvalidBoolean { key, .. } if key == "followup"),
            "{bad}: {e}"
        );
        assert_eq!(e.value_index(), Some(0));
    }
    let e = err(r#"{"dryRun":{}}"#);
    assert!(
        matches!(e.kind(), ErrorKind::WrongType { key, found: JsonType::Object, .. } if key == "dryRun")
    );
}

#[test]
fn unknown_keys_of_every_shape_are_skipped() {
    let json = r#"{"u1":{"a":{"b":[1,{"c":null}]},"d":"}"},"u2":[[],[[]],{}],"u3":"x\"y",
        "u4":-0.5E-3,"u5":true,"u6":false,"u7":null,"importStrategy":"DELETE","completeData":"2020-01-01",
        "dataValues":[{"x":{"value":"no"},"value":"1","followUp":true,"y":[{"dataElement":"no"}],"z":"",
          "dataElement":"a"},{"dataElement":"b","nested":{"deep":{"deeper":[{"deepest":{}}]}}}],
        "tail":{"dataValues":[1,2,3]}}"#;
    let (h, v) = read_all(json).unwrap();
    assert!(h.is_empty(), "{h:?}");
    assert_eq!(v.len(), 2);
    assert_eq!(v[0].value(), Some("1"));
    assert_eq!(v[0].data_element(), Some("a"));
    assert_eq!(v[0].followup(), None, "followUp is not a classic JSON key");
    assert_eq!(v[1].data_element(), Some("b"));
    assert_eq!(
        read_seekable(json, ImporterProfile::Classic).unwrap(),
        (h, v)
    );
}

#[test]
fn object_for_a_text_key_is_refused_with_its_position() {
    let json = "{\n  \"dataValues\": [\n    {\"dataElement\": \"a\"},\n    {\"dataElement\": \"b\"},\n    {\"dataElement\": \"c\", \"value\": {\"x\": 1}}\n  ]\n}";
    let e = err(json);
    assert_eq!(
        e.to_string(),
        "line 5, column 35 (value #3, index 2): expected a string, number, boolean or null for key `value`, found an object"
    );
    assert_eq!(e.category(), crate::Category::Data);
    let e = err(r#"{"period":["202401"]}"#);
    assert_eq!(
        e.to_string(),
        "line 1, column 11: expected a string, number, boolean or null for key `period`, found an array"
    );
    assert_eq!(e.value_index(), None);
}

#[test]
fn header_after_values_streaming_and_seekable() {
    let json = r#"{"dataSet":"ds","dataValues":[{"dataElement":"a"},{"dataElement":"b"}],"orgUnit":"ou","x":1}"#;
    let mut r = Reader::new(json.as_bytes()).unwrap();
    let mut dv = DataValue::new();
    assert!(r.read_value(&mut dv).unwrap());
    assert!(r.read_value(&mut dv).unwrap());
    let e = r.read_value(&mut dv).unwrap_err();
    assert!(matches!(e.kind(), ErrorKind::HeaderAfterValues { key } if key == "orgUnit"));
    assert_eq!(
        e.position(),
        Some(Position {
            line: 1,
            column: 72
        })
    );
    assert!(e.to_string().contains("move it before `dataValues`"));
    assert!(!r.read_value(&mut dv).unwrap(), "finished after an error");

    let (h, v) = read_seekable(json, ImporterProfile::Classic).unwrap();
    assert_eq!(h.data_set.as_deref(), Some("ds"));
    assert_eq!(h.org_unit.as_deref(), Some("ou"));
    assert_eq!(v.len(), 2);

    // Keys after an empty array, or repeating the same value, change nothing read.
    let (h, _) = read_all(r#"{"dataValues":[],"period":"p","dryRun":false}"#).unwrap();
    assert_eq!(h.period.as_deref(), Some("p"));
    assert_eq!(h.dry_run, Some(false));
    let (h, v) =
        read_all(r#"{"period":"p","dataValues":[{"dataElement":"a"}],"period":"p","other":{}}"#)
            .unwrap();
    assert_eq!((h.period.as_deref(), v.len()), (Some("p"), 1));
    // An unchanged-but-empty key after values still changes the header when set before.
    let e = err(r#"{"period":"p","dataValues":[{"dataElement":"a"}],"period":""}"#);
    assert!(matches!(e.kind(), ErrorKind::HeaderAfterValues { key } if key == "period"));
    // The header is known when the reader is open.
    let r = Reader::new(&br#"{"period":"p","dataValues":[{"dataElement":"a"}]}"#[..]).unwrap();
    assert_eq!(r.header().period.as_deref(), Some("p"));
}

#[test]
fn duplicate_data_values_last_wins() {
    let json = r#"{"dataValues":[{"dataElement":"first"}],"period":"p","dataValues":[{"dataElement":"second"},{"dataElement":"third"}]}"#;
    let (h, v) = read_seekable(json, ImporterProfile::Classic).unwrap();
    assert_eq!(h.period.as_deref(), Some("p"));
    let names: Vec<_> = v.iter().map(|d| d.data_element().unwrap()).collect();
    assert_eq!(names, ["second", "third"]);
    let e = err(r#"{"dataValues":[{"dataElement":"first"}],"dataValues":[]}"#);
    assert!(matches!(e.kind(), ErrorKind::DuplicateDataValues));
    // A first empty array does no harm when streaming.
    let (_, v) = read_all(r#"{"dataValues":[],"dataValues":[{"dataElement":"x"}]}"#).unwrap();
    assert_eq!(v.len(), 1);
}

#[test]
fn duplicate_keys_last_wins() {
    let (h, v) = read_all(
        r#"{"period":"a","period":"b","dataValues":[{"value":"1","value":"22","followup":true,"followup":null}]}"#,
    )
    .unwrap();
    assert_eq!(h.period.as_deref(), Some("b"));
    assert_eq!(v[0].value(), Some("22"));
    assert_eq!(v[0].followup(), None);
}

#[test]
fn structural_errors() {
    let kind_of = |json: &str| err(json).into_kind();
    assert!(matches!(
        kind_of("[]"),
        ErrorKind::NotAnObject {
            found: JsonType::Array
        }
    ));
    assert!(matches!(
        kind_of("null"),
        ErrorKind::NotAnObject {
            found: JsonType::Null
        }
    ));
    assert!(matches!(
        kind_of("\"x\""),
        ErrorKind::NotAnObject {
            found: JsonType::String
        }
    ));
    assert!(matches!(kind_of(""), ErrorKind::UnexpectedEof { .. }));
    assert!(matches!(kind_of("  "), ErrorKind::UnexpectedEof { .. }));
    assert!(matches!(
        kind_of("<xml/>"),
        ErrorKind::UnexpectedCharacter { .. }
    ));
    assert!(matches!(kind_of("{} x"), ErrorKind::TrailingCharacters));
    assert!(matches!(kind_of("{}{}"), ErrorKind::TrailingCharacters));
    assert!(matches!(
        kind_of(r#"{"a":1,}"#),
        ErrorKind::UnexpectedCharacter { .. }
    ));
    assert!(matches!(
        kind_of(r#"{"dataValues":[{},]}"#),
        ErrorKind::UnexpectedCharacter { .. }
    ));
    assert!(matches!(
        kind_of(r#"{'a':1}"#),
        ErrorKind::UnexpectedCharacter { .. }
    ));
    assert!(matches!(
        kind_of("{\"a\":\"\u{1}\"}"),
        ErrorKind::ControlCharacter { byte: 1 }
    ));
    assert!(matches!(
        kind_of(r#"{"dataValues":{}}"#),
        ErrorKind::WrongType {
            found: JsonType::Object,
            ..
        }
    ));
    assert!(matches!(
        kind_of(r#"{"dataValues":[null]}"#),
        ErrorKind::WrongType {
            found: JsonType::Null,
            ..
        }
    ));
    assert!(matches!(
        kind_of(r#"{"dataValues":["a"]}"#),
        ErrorKind::WrongType {
            found: JsonType::String,
            ..
        }
    ));
    assert!(matches!(
        kind_of(r#"{"attributeCategoryOptions":"a"}"#),
        ErrorKind::WrongType { .. }
    ));
    assert!(matches!(
        kind_of(r#"{"attributeCategoryOptions":["a",""]}"#),
        ErrorKind::EmptyElement { .. }
    ));
    assert!(matches!(
        kind_of(r#"{"attributeCategoryOptions":[null]}"#),
        ErrorKind::EmptyElement { .. }
    ));
    assert!(matches!(
        kind_of(r#"{"attributeCategoryOptions":[{}]}"#),
        ErrorKind::WrongType { .. }
    ));
    let e = Reader::new(&b"{\"dataValues\":[{\"value\":\"\xFF\"}]}"[..])
        .and_then(|mut r| r.values().collect::<Result<Vec<_>>>())
        .unwrap_err();
    assert!(matches!(e.kind(), ErrorKind::InvalidUtf8));
    assert_eq!(e.value_index(), Some(0));
    let e = err(r#"{"dataValues":[{"value":01}]}"#);
    assert!(matches!(e.kind(), ErrorKind::InvalidNumber { .. }));
    assert_eq!(
        e.to_string(),
        "line 1, column 26 (value #1, index 0): invalid number: leading zeros are not allowed"
    );
}

#[test]
fn every_truncation_is_an_error() {
    let json = r#"{"dataSet":"d\u00e9","dataValues":[{"dataElement":"a","value":-1.5e2,"followup":true},{"comment":null}],"x":[{}]}"#;
    read_all(json).unwrap();
    for end in 0..json.len() {
        let cut = &json[..end];
        let e = read_all(cut).unwrap_err();
        assert!(e.is_eof(), "{cut:?}: {e}");
        let e = read_seekable(cut, ImporterProfile::Classic).unwrap_err();
        assert!(e.is_eof(), "{cut:?}: {e}");
    }
}

#[test]
fn byte_order_mark() {
    // Jackson's byte-source bootstrapper skips a UTF-8 BOM; so do we.
    let json = "\u{FEFF}{\"period\":\"p\",\"dataValues\":[{\"dataElement\":\"a\"}]}";
    let (h, v) = read_all(json).unwrap();
    assert_eq!((h.period.as_deref(), v.len()), (Some("p"), 1));
    let (h, v) = read_seekable(json, ImporterProfile::Classic).unwrap();
    assert_eq!((h.period.as_deref(), v.len()), (Some("p"), 1));
    // Only at the very start.
    assert!(read_all(" \u{FEFF}{}").is_err());
    let e = read_all("\u{FEFF}\u{FEFF}{}").unwrap_err();
    assert_eq!(e.category(), crate::Category::Syntax);
}

#[test]
fn pipeline_key_rules() {
    let json = r#"{"strategy":"DELETE","attributeCategoryOptions":[{}],"idScheme":"CODE",
        "attributeOptionComboIdScheme":"NAME","categoryIdScheme":"CODE","categoryOptionIdScheme":"UID",
        "deletion":null,"dryRun":"false",
        "dataValues":[{"dataElement":"a","followup":true,"followUp":"true","storedBy":"x","created":"c",
          "lastUpdated":"l","comment":"k","deleted":1}]}"#;
    let (h, v) = read_all_with(json, ImporterProfile::Pipeline).unwrap();
    assert_eq!(h.strategy, None);
    assert_eq!(h.attribute_category_options, None);
    assert_eq!(h.id_scheme.as_deref(), Some("CODE"));
    assert_eq!(h.attribute_option_combo_id_scheme.as_deref(), Some("NAME"));
    assert_eq!(h.category_id_scheme.as_deref(), Some("CODE"));
    assert_eq!(h.category_option_id_scheme.as_deref(), Some("UID"));
    assert_eq!(h.dry_run, Some(false));
    let d = &v[0];
    assert_eq!(d.followup(), Some(true));
    assert_eq!(d.stored_by(), None);
    assert_eq!(d.created(), None);
    assert_eq!(d.last_updated(), None);
    assert_eq!(d.comment(), Some("k"));
    assert_eq!(d.deleted(), Some(true));
    assert_eq!(
        read_seekable(json, ImporterProfile::Pipeline).unwrap(),
        (h, v)
    );

    // Classic ignores the pipeline-only scheme keys.
    let (h, _) = read_all(r#"{"categoryIdScheme":"CODE","deletion":{"x":1}}"#).unwrap();
    assert!(h.is_empty());

    // An object COC or AOC in classic is a plain wrong type.
    let e = err(r#"{"dataValues":[{"categoryOptionCombo":{"cat":"opt"}}]}"#);
    assert!(matches!(e.kind(), ErrorKind::WrongType { .. }));
    let e = err(r#"{"attributeOptionCombo":{"cat":"opt"}}"#);
    assert!(matches!(e.kind(), ErrorKind::WrongType { .. }));
}

#[test]
fn pipeline_object_forms_and_deletion_scope() {
    let json = r#"{"attributeOptionCombo":{"catAaaaaa01":"cOptAaaaa01","x":null,"y":"","x":"2"},
        "deletion":{"orgUnits":["DiszpKrYNg8","OU_B"],"periods":["202401"],"other":{"a":[]},
          "elements":[{"dataElement":"f7n9E0hX8qk"},
            {"dataElement":"DE_B","categoryOptionCombo":"c","attributeOptionCombo":"a","z":1}]},
        "dataValues":[
          {"dataElement":"a","categoryOptionCombo":{"sex":"F","age":null,"sex":"M"},"value":"1"},
          {"dataElement":"b","categoryOptionCombo":{}},
          {"dataElement":"c","categoryOptionCombo":{"sex":"F"},"categoryOptionCombo":"coc"},
          {"dataElement":"d","categoryOptionCombo":"coc","categoryOptionCombo":{"k":7}}]}"#;
    let (h, v) = read_all_with(json, ImporterProfile::Pipeline).unwrap();
    assert_eq!(h.attribute_option_combo, None);
    assert_eq!(
        h.attribute_option_combo_options,
        Some(vec![
            ("catAaaaaa01".to_owned(), Some("cOptAaaaa01".to_owned())),
            ("x".to_owned(), Some("2".to_owned())),
            ("y".to_owned(), Some(String::new())),
        ])
    );
    let scope = h.deletion.clone().unwrap();
    assert_eq!(scope.org_units, ["DiszpKrYNg8", "OU_B"]);
    assert_eq!(scope.periods, ["202401"]);
    assert_eq!(
        scope.elements,
        [
            DeletionElement {
                data_element: Some("f7n9E0hX8qk".into()),
                ..DeletionElement::default()
            },
            DeletionElement {
                data_element: Some("DE_B".into()),
                category_option_combo: Some("c".into()),
                attribute_option_combo: Some("a".into()),
            }
        ]
    );
    let pairs = |d: &DataValue| {
        d.category_options()
            .map(|(c, o)| (c.to_owned(), o.map(str::to_owned)))
            .collect::<Vec<_>>()
    };
    assert!(v[0].has_category_options());
    assert_eq!(v[0].category_option_combo(), None);
    assert_eq!(
        pairs(&v[0]),
        [
            ("sex".to_owned(), Some("M".to_owned())),
            ("age".to_owned(), None)
        ]
    );
    assert_eq!(v[0].value(), Some("1"));
    assert!(v[1].has_category_options());
    assert!(pairs(&v[1]).is_empty());
    assert!(!v[2].has_category_options(), "the last key wins");
    assert_eq!(v[2].category_option_combo(), Some("coc"));
    assert_eq!(v[3].category_option_combo(), None);
    assert_eq!(pairs(&v[3]), [("k".to_owned(), Some("7".to_owned()))]);
    assert_eq!(
        read_seekable(json, ImporterProfile::Pipeline).unwrap(),
        (h, v)
    );

    // A later string form replaces the map, and the reverse.
    let (h, _) = read_all_with(
        r#"{"attributeOptionCombo":{"a":"b"},"attributeOptionCombo":"aoc"}"#,
        ImporterProfile::Pipeline,
    )
    .unwrap();
    assert_eq!(h.attribute_option_combo.as_deref(), Some("aoc"));
    assert_eq!(h.attribute_option_combo_options, None);

    // `null` and empty scopes; absent arrays are empty.
    let (h, _) = read_all_with(r#"{"deletion":null}"#, ImporterProfile::Pipeline).unwrap();
    assert_eq!(h.deletion, None);
    let (h, _) = read_all_with(
        r#"{"deletion":{"orgUnits":null,"elements":null}}"#,
        ImporterProfile::Pipeline,
    )
    .unwrap();
    assert_eq!(h.deletion, Some(DeletionScope::default()));

    // Wrong shapes are refused with the key and position.
    for (json, key) in [
        (r#"{"deletion":[]}"#, "deletion"),
        (r#"{"deletion":{"orgUnits":"a"}}"#, "orgUnits"),
        (r#"{"deletion":{"periods":[{}]}}"#, "periods"),
        (r#"{"deletion":{"elements":["a"]}}"#, "elements"),
        (
            r#"{"deletion":{"elements":[{"dataElement":{}}]}}"#,
            "dataElement",
        ),
        (
            r#"{"attributeOptionCombo":{"a":[]}}"#,
            "attributeOptionCombo",
        ),
        (
            r#"{"dataValues":[{"categoryOptionCombo":{"a":{}}}]}"#,
            "categoryOptionCombo",
        ),
        (
            r#"{"dataValues":[{"categoryOptionCombo":[]}]}"#,
            "categoryOptionCombo",
        ),
        (
            r#"{"dataValues":[{"attributeOptionCombo":{}}]}"#,
            "attributeOptionCombo",
        ),
    ] {
        let e = read_all_with(json, ImporterProfile::Pipeline).unwrap_err();
        assert!(
            matches!(e.kind(), ErrorKind::WrongType { key: k, .. } if k == key),
            "{json}: {e}"
        );
    }
    let e = read_all_with(
        r#"{"deletion":{"orgUnits":["a",null]}}"#,
        ImporterProfile::Pipeline,
    )
    .unwrap_err();
    assert!(matches!(e.kind(), ErrorKind::EmptyElement { key } if key == "orgUnits"));

    // A scope or map after `dataValues` changes the header: refused when streaming.
    let e = read_all_with(
        r#"{"dataValues":[{}],"deletion":{"orgUnits":["a"]}}"#,
        ImporterProfile::Pipeline,
    )
    .unwrap_err();
    assert!(matches!(e.kind(), ErrorKind::HeaderAfterValues { key } if key == "deletion"));
}

#[test]
fn category_option_maps_reuse_the_record() {
    let json =
        r#"{"dataValues":[{"categoryOptionCombo":{"sex":"F","age":"<5"}},{"dataElement":"x"}]}"#;
    let mut r = Reader::with_profile(json.as_bytes(), ImporterProfile::Pipeline).unwrap();
    let mut dv = DataValue::new();
    assert!(r.read_value(&mut dv).unwrap());
    assert_eq!(dv.category_options().count(), 2);
    assert!(r.read_value(&mut dv).unwrap());
    assert!(!dv.has_category_options());
    assert_eq!(dv, DataValue::from_fields(&[(Field::DataElement, "x")]));
}

#[test]
fn tiny_buffers_read_the_same() {
    let json = "{\"dataSet\":\"d\u{e9}\u{20ac}\",\"dataValues\":[{\"dataElement\":\"\u{1F600}x\",\"value\":\"a\\u00e9\\ud83d\\ude00\"},\n {\"comment\":\"\u{4e2d}\u{6587}\",\"u\":{\"k\":[\"\u{e9}\"]}}]}";
    let expected = read_all(json).unwrap();
    for cap in 1..6 {
        let mut r = Reader::new(std::io::BufReader::with_capacity(cap, json.as_bytes())).unwrap();
        let values = r.values().collect::<Result<Vec<_>>>().unwrap();
        assert_eq!((r.header().clone(), values), expected);
    }
    assert_eq!(expected.1[0].value(), Some("aé😀"));
}

#[test]
fn seekable_starts_where_the_input_is() {
    let mut cursor = Cursor::new(b"garbage{\"period\":\"p\",\"dataValues\":[{}]}".to_vec());
    cursor.set_position(7);
    let mut r = Reader::from_seekable(cursor).unwrap();
    assert_eq!(r.header().period.as_deref(), Some("p"));
    assert_eq!(r.values().count(), 1);
}

#[test]
fn records_are_reused() {
    let json = r#"{"dataValues":[{"dataElement":"a","value":"1","followup":true,"deleted":true},{"dataElement":"b"}]}"#;
    let mut r = Reader::new(json.as_bytes()).unwrap();
    let mut dv = DataValue::new();
    assert!(r.read_value(&mut dv).unwrap());
    assert!(r.read_value(&mut dv).unwrap());
    assert_eq!(dv, DataValue::from_fields(&[(Field::DataElement, "b")]));
    assert!(!r.read_value(&mut dv).unwrap());
    assert!(dv.is_empty());
    assert_eq!(r.values_read(), 2);
}

#[test]
fn data_value_source_trait() {
    fn count<S: DataValueSource>(mut s: S) -> u64 {
        let mut dv = DataValue::new();
        let mut n = 0;
        while s.read_value(&mut dv).unwrap() {
            n += 1;
        }
        n
    }
    let r = Reader::new(&br#"{"dataValues":[{},{},{}]}"#[..]).unwrap();
    assert_eq!(count(r), 3);
}
