//! Unit tests of the CSV reader.

use super::*;
use crate::Category;

fn classic(input: &str, header: bool) -> Vec<DataValue> {
    ReaderBuilder::new()
        .first_row_is_header(header)
        .from_reader(input.as_bytes())
        .unwrap()
        .values()
        .collect::<Result<_>>()
        .unwrap()
}

fn pipeline(input: &str) -> Vec<DataValue> {
    ReaderBuilder::new()
        .profile(ImporterProfile::Pipeline)
        .from_reader(input.as_bytes())
        .unwrap()
        .values()
        .collect::<Result<_>>()
        .unwrap()
}

fn first_error(builder: &ReaderBuilder, input: &[u8]) -> Error {
    let mut reader = match builder.from_reader(input) {
        Ok(r) => r,
        Err(e) => return e,
    };
    let mut v = DataValue::new();
    loop {
        match reader.read_value(&mut v) {
            Ok(true) => {}
            Ok(false) => panic!("no error"),
            Err(e) => return e,
        }
    }
}

#[test]
fn value_positions_are_the_records_lines() {
    let input = "h1,h2\r\nde,pe,ou,,,\"a\r\nb\"\r\n\r\nde,pe,ou,,,2\rde,pe,ou,,,3";
    let at = |line| Some(TextPosition { line, column: 1 });
    for (profile, input, expected) in [
        (
            ImporterProfile::Classic,
            input.to_owned(),
            vec![at(2), at(5), at(6)],
        ),
        (
            ImporterProfile::Pipeline,
            "dataElement,period,orgUnit,value\nde,pe,ou,1\rde,pe,ou,\"x\"\n".to_owned(),
            vec![at(2), at(3)],
        ),
    ] {
        let mut r = ReaderBuilder::new()
            .profile(profile)
            .from_reader(input.as_bytes())
            .unwrap();
        assert_eq!(DataValueSource::value_position(&r), None);
        let mut dv = DataValue::new();
        let mut seen = Vec::new();
        while r.read_value(&mut dv).unwrap() {
            seen.push(DataValueSource::value_position(&r));
            assert_eq!(
                seen.last().copied().flatten().map(|p| p.line),
                Some(r.position().line())
            );
        }
        assert_eq!(seen, expected, "{profile:?}");
    }
}

#[test]
fn classic_positional_columns() {
    let v = classic(
        "h\nde,pe,ou,coc,aoc,val,by,2012-01-01,com,TRUE,True,x,y\n",
        true,
    );
    assert_eq!(v.len(), 1);
    let v = &v[0];
    assert_eq!(v.data_element(), Some("de"));
    assert_eq!(v.period(), Some("pe"));
    assert_eq!(v.org_unit(), Some("ou"));
    assert_eq!(v.category_option_combo(), Some("coc"));
    assert_eq!(v.attribute_option_combo(), Some("aoc"));
    assert_eq!(v.value(), Some("val"));
    assert_eq!(v.stored_by(), Some("by"));
    assert_eq!(v.last_updated(), Some("2012-01-01"));
    assert_eq!(v.comment(), Some("com"));
    assert_eq!(v.created(), None);
    assert_eq!(v.followup(), Some(true));
    assert_eq!(v.deleted(), Some(true));
}

#[test]
fn classic_missing_trailing_columns_are_empty_strings() {
    let v = classic("de,pe\n", false);
    let v = &v[0];
    assert_eq!(v.data_element(), Some("de"));
    assert_eq!(v.org_unit(), Some(""));
    assert_eq!(v.category_option_combo(), Some(""));
    assert_eq!(v.attribute_option_combo(), Some(""));
    assert_eq!(v.value(), Some(""));
    assert_eq!(v.comment(), Some(""));
    assert_eq!(v.followup(), Some(false));
    assert_eq!(v.deleted(), Some(false));
}

#[test]
fn classic_booleans() {
    let v = classic(
        "a,,,,,,,,,true,null\nb,,,,,,,,,yes,\nc,,,,,,,,,\"tRUE\",\" true\"\nd,,,,,,,,, true ,false\n",
        false,
    );
    let flags: Vec<_> = v.iter().map(|v| (v.followup(), v.deleted())).collect();
    assert_eq!(
        flags,
        [
            (Some(true), Some(false)),
            (Some(false), Some(false)),
            (Some(true), Some(false)),
            (Some(true), Some(false)),
        ]
    );
}

#[test]
fn classic_header_row_skipped_unconditionally() {
    // Whatever the first record is, it is skipped: also data, also a misspelt header.
    let input = "f7n9E0hX8qk,201201,ou,,,1\nf7n9E0hX8qk,201202,ou,,,2\n";
    assert_eq!(classic(input, true).len(), 1);
    assert_eq!(classic(input, false).len(), 2);
    // A body `abc` imports nothing.
    assert!(classic("abc", true).is_empty());
    assert!(classic("", true).is_empty());
    // Leading empty lines are skipped before the header record.
    let v = classic("\n\r\nheader\nde\n", true);
    assert_eq!(v[0].data_element(), Some("de"));
}

#[test]
fn classic_bom_stays_in_first_field() {
    let input = "\u{FEFF}\"f7n9E0hX8qk\",\"201201\"\n";
    let v = classic(input, false);
    assert_eq!(v[0].data_element(), Some("\u{FEFF}\"f7n9E0hX8qk\""));
    assert_eq!(v[0].period(), Some("201201"));
    assert!(classic(input, true).is_empty());
}

fn replacing() -> ReaderBuilder {
    let mut b = ReaderBuilder::new();
    b.first_row_is_header(false)
        .invalid_utf8(Utf8Policy::Replace);
    b
}

#[test]
fn classic_invalid_utf8_is_replaced() {
    let mut r = replacing().from_reader(&b"d\xffe,\xc3\n"[..]).unwrap();
    let mut v = DataValue::new();
    assert!(r.read_value(&mut v).unwrap());
    assert_eq!(v.data_element(), Some("d\u{FFFD}e"));
    assert_eq!(v.period(), Some("\u{FFFD}"));
    assert_eq!(
        r.replaced_utf8(),
        Some((2, TextPosition { line: 1, column: 2 }))
    );
}

#[test]
fn classic_invalid_utf8_is_refused_by_default() {
    let at = |line, column| TextPosition { line, column };
    for (input, record, column, position) in [
        (&b"h\nd\xffe,\xc3\n"[..], 1, 0, at(2, 2)),
        (b"h\nde,pe\nde,\"p\"\"\ne\xc3\"\n", 2, 1, at(4, 2)),
        (b"h\nde,\"\xc3\",\"\xa9\"\n", 1, 1, at(2, 5)),
        (b"h\na,,,,,,,,,tru\xe9,\n", 1, 9, at(2, 14)),
    ] {
        let err = first_error(&ReaderBuilder::new(), input);
        assert!(
            matches!(err.kind(), ErrorKind::InvalidUtf8 { at } if *at == position),
            "{input:?}: {err:?}"
        );
        assert_eq!(err.position().map(|p| p.record()), Some(record));
        assert_eq!(err.column_index(), Some(column));
        assert_eq!(err.category(), Category::Syntax);
    }
    // The skipped header row and columns 12+ are never decoded.
    let mut r = Reader::from_reader(&b"h\xff\nde,,,,,,,,,,,\xff\n"[..]).unwrap();
    let mut v = DataValue::new();
    assert!(r.read_value(&mut v).unwrap());
    assert_eq!(v.data_element(), Some("de"));
}

#[test]
fn classic_fields_are_decoded_each_on_its_own() {
    // Quoted fields lie back to back in the parser's buffer, where `\xc3` + `\xa9` would
    // read as `é`: each field still decodes on its own, as Java's decoder sees them.
    for input in [
        &b"\"\xc3\",\"\xa9\"\n"[..],
        b"\xc3,\xa9\n",
        b"\"\xc3\"\xa9,\"\xa9\"\n",
    ] {
        let mut r = replacing().from_reader(input).unwrap();
        let mut v = DataValue::new();
        assert!(r.read_value(&mut v).unwrap());
        assert_eq!(v.data_element(), Some("\u{FFFD}"), "{input:?}");
        assert_eq!(v.period(), Some("\u{FFFD}"), "{input:?}");
    }
    // Valid text beside invalid text in one record.
    let mut r = replacing()
        .from_reader(&b"\"\xc3\xa9\",\xff, \xe2\x82\xac \n"[..])
        .unwrap();
    let mut v = DataValue::new();
    assert!(r.read_value(&mut v).unwrap());
    assert_eq!(v.data_element(), Some("é"));
    assert_eq!(v.period(), Some("\u{FFFD}"));
    assert_eq!(v.org_unit(), Some("€"));
}

#[test]
fn classic_position_and_columns() {
    let mut r = ReaderBuilder::new()
        .from_reader(&b"h\n\na,b\r\n\"c\nd\",e,f\n\ng"[..])
        .unwrap();
    assert_eq!(r.position(), Position::new(0, 1, 0));
    let mut v = DataValue::new();
    assert!(r.read_value(&mut v).unwrap());
    assert_eq!(r.position(), Position::new(3, 3, 1));
    assert_eq!(r.record_columns(), 2);
    assert!(r.read_value(&mut v).unwrap());
    assert_eq!(r.position(), Position::new(8, 4, 2));
    assert_eq!(r.record_columns(), 3);
    assert!(r.read_value(&mut v).unwrap());
    assert_eq!(r.position(), Position::new(19, 7, 3));
    assert!(!r.read_value(&mut v).unwrap());
    assert!(v.is_empty());
    assert_eq!(r.records_read(), 3);
}

#[test]
fn classic_field_too_long_error_has_position() {
    let long = "x".repeat(MAX_FIELD_CHARS + 1);
    let mut input = String::from("header\n");
    for i in 0..11 {
        input.push_str(&format!("de{i},pe\n"));
    }
    input.push_str(&format!("de,pe,ou,,,{long}\n"));
    let err = first_error(&ReaderBuilder::new(), input.as_bytes());
    assert_eq!(err.category(), Category::Limit);
    assert!(matches!(
        err.kind(),
        ErrorKind::FieldTooLong { limit: 100_000, .. }
    ));
    assert_eq!(err.column_index(), Some(5));
    assert_eq!(
        err.position().map(|p| (p.record(), p.line())),
        Some((12, 13))
    );
    assert_eq!(
        err.to_string(),
        "line 13 (value #12, index 11), column 6: field longer than 100000 characters (javacsv's \
         limit, as DHIS2 2.36-2.42 reads CSV), starting at line 13, byte column 12"
    );
}

#[test]
fn classic_limits_apply_to_the_header_row() {
    let input = format!("{}\nde\n", ",".repeat(MAX_COLUMNS));
    let err = first_error(&ReaderBuilder::new(), input.as_bytes());
    assert!(matches!(err.kind(), ErrorKind::TooManyColumns { .. }));
    assert_eq!(err.position(), Some(Position::new(0, 1, 0)));
    assert_eq!(
        err.to_string(),
        "line 1 (header row): record has more than 100000 columns"
    );
}

#[test]
fn reader_is_finished_after_an_error() {
    let input = format!("h\n{}\nde\n", "x".repeat(MAX_FIELD_CHARS + 1));
    let mut r = ReaderBuilder::new().from_reader(input.as_bytes()).unwrap();
    let mut v = DataValue::new();
    assert!(r.read_value(&mut v).is_err());
    assert!(!r.read_value(&mut v).unwrap());
    let mut r = ReaderBuilder::new().from_reader(input.as_bytes()).unwrap();
    let values: Vec<_> = r.values().collect();
    assert_eq!(values.len(), 1);
    assert!(values[0].is_err());
}

#[test]
fn data_set_goes_to_the_header() {
    for profile in [ImporterProfile::Classic, ImporterProfile::Pipeline] {
        let r = ReaderBuilder::new()
            .profile(profile)
            .data_set("pBOMPrpg1QX")
            .from_reader(&b"dataElement\n"[..])
            .unwrap();
        assert_eq!(r.header().data_set.as_deref(), Some("pBOMPrpg1QX"));
        assert_eq!(r.profile(), profile);
        let r = ReaderBuilder::new()
            .profile(profile)
            .from_reader(&b"dataElement\n"[..])
            .unwrap();
        assert!(r.header().is_empty());
    }
}

#[test]
fn builder_from_options() {
    let options = ImportOptions {
        profile: ImporterProfile::Pipeline,
        first_row_is_header: false,
        data_set: Some("ds".into()),
        ..ImportOptions::default()
    };
    let err = ReaderBuilder::from_options(&options)
        .from_reader(&b"dataElement\n"[..])
        .unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::HeaderRowRequired));
}

#[test]
fn compressed_input_is_refused() {
    for (bytes, format) in [
        (&b"PK\x03\x04rest"[..], "ZIP"),
        (&b"\x1f\x8b\x08"[..], "GZIP"),
    ] {
        for profile in [ImporterProfile::Classic, ImporterProfile::Pipeline] {
            let err = ReaderBuilder::new()
                .profile(profile)
                .from_reader(bytes)
                .unwrap_err();
            assert!(matches!(err.kind(), ErrorKind::Compressed { format: f } if *f == format));
            assert_eq!(err.category(), Category::Unsupported);
        }
    }
}

#[test]
fn pipeline_requires_a_header() {
    let err = ReaderBuilder::new()
        .profile(ImporterProfile::Pipeline)
        .first_row_is_header(false)
        .from_reader(&b"dataElement\nx\n"[..])
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "CSV without header row is no longer supported."
    );
    assert_eq!(err.category(), Category::Unsupported);
    let err = ReaderBuilder::new()
        .profile(ImporterProfile::Pipeline)
        .from_reader(&b""[..])
        .unwrap_err();
    assert_eq!(err.to_string(), "No header line provided.");
    // A missing header line is unusable input: `Category::Data` (the codecs share one
    // category enum; CSV's own `Header` category became `Data`).
    assert_eq!(err.category(), Category::Data);
}

#[test]
fn pipeline_maps_export_header_case_insensitively() {
    let v = pipeline(
        "\"dataelement\",\"period\",\"orgunit\",\"categoryoptioncombo\",\"attributeoptioncombo\",\"value\",\"storedby\",\"lastupdated\",\"comment\",\"followup\",\"deleted\"\n\
         \"de\",\"201201\",\"ou\",\"\",\"\",\"10\",\"john\",\"2012-01-01\",\"c\",\"false\",\"TRUE\"\n",
    );
    assert_eq!(v.len(), 1);
    let v = &v[0];
    assert_eq!(v.data_element(), Some("de"));
    assert_eq!(v.period(), Some("201201"));
    assert_eq!(v.org_unit(), Some("ou"));
    assert_eq!(v.category_option_combo(), Some(""));
    assert_eq!(v.attribute_option_combo(), Some(""));
    assert_eq!(v.value(), Some("10"));
    assert_eq!(v.stored_by(), None);
    assert_eq!(v.last_updated(), None);
    assert_eq!(v.comment(), Some("c"));
    assert_eq!(v.followup(), Some(false));
    assert_eq!(v.deleted(), Some(true));
}

#[test]
fn pipeline_nulls_and_missing_fields() {
    let v =
        pipeline("dataElement,period,value,comment,followUp,deleted\nde, null ,\"null\",,\n de2\n");
    assert_eq!(v.len(), 2);
    assert_eq!(v[0].data_element(), Some("de"));
    assert_eq!(v[0].period(), None);
    assert_eq!(v[0].value(), None);
    assert_eq!(v[0].comment(), None);
    assert_eq!(v[0].followup(), None);
    assert_eq!(v[0].deleted(), None);
    assert_eq!(v[1].data_element(), Some("de2"));
    assert_eq!(v[1].period(), None);
    // Columns not in the header are absent, not empty.
    assert_eq!(v[1].org_unit(), None);
}

#[test]
fn pipeline_booleans_parse_boolean() {
    let v = pipeline("dataElement,followup,deleted\na,TRUE,yes\nb,\"\",1\n");
    assert_eq!((v[0].followup(), v[0].deleted()), (Some(true), Some(false)));
    assert_eq!(
        (v[1].followup(), v[1].deleted()),
        (Some(false), Some(false))
    );
}

#[test]
fn pipeline_extra_fields_ignored_and_empty_line_stops() {
    let v = pipeline("dataElement,value\na,1,extra,more\n\nb,2\n");
    assert_eq!(v.len(), 1);
    assert_eq!(v[0].value(), Some("1"));
}

#[test]
fn pipeline_crlf_stops_after_the_first_row() {
    let input = "dataelement,period,orgunit,value\r\nde,201201,ou,1\r\nde,201202,ou,2\r\n";
    let v = pipeline(input);
    assert_eq!(v.len(), 1, "DHIS2 2.43 reads one row of a CRLF file");
    assert_eq!(v[0].value(), Some("1"));
    // The classic reader reads both.
    assert_eq!(classic(input, true).len(), 2);
    // CR alone is fine for both.
    let cr = input.replace("\r\n", "\r");
    assert_eq!(pipeline(&cr).len(), 2);
    assert_eq!(classic(&cr, true).len(), 2);
}

#[test]
fn pipeline_extra_columns_and_attribute_components() {
    let mut r = ReaderBuilder::new()
        .profile(ImporterProfile::Pipeline)
        .from_reader(
            &b"dataElement,storedBy,Timestamp,lastupdated,age,attributeCombo,attributeOptions\nde,john,t,2020,>15,cc,o1 o2\nde2,x,,null\n"[..],
        )
        .unwrap();
    assert_eq!(
        r.extra_columns().collect::<Vec<_>>(),
        ["lastupdated", "age"]
    );
    assert!(r.extra_columns_are_category_options());
    assert_eq!(r.header_names().count(), 7);
    let mut v = DataValue::new();
    assert!(r.read_value(&mut v).unwrap());
    assert_eq!(v.stored_by(), None);
    assert_eq!(
        r.extra_values().collect::<Vec<_>>(),
        [("lastupdated", Some("2020")), ("age", Some(">15"))]
    );
    assert_eq!(r.attribute_combo(), Some("cc"));
    assert_eq!(r.attribute_options(), Some("o1 o2"));
    assert!(r.read_value(&mut v).unwrap());
    assert_eq!(
        r.extra_values().collect::<Vec<_>>(),
        [("lastupdated", Some("null"))]
    );
    assert_eq!(r.attribute_combo(), None);
    assert_eq!(r.record_columns(), 4);

    let r = ReaderBuilder::new()
        .profile(ImporterProfile::Pipeline)
        .from_reader(&b"dataElement,categoryOptionCombo,age\n"[..])
        .unwrap();
    assert!(!r.extra_columns_are_category_options());
    let r = ReaderBuilder::new()
        .from_reader(&b"dataElement,age\n"[..])
        .unwrap();
    assert_eq!(r.extra_columns().count(), 0);
    assert!(!r.extra_columns_are_category_options());
}

fn category_options(v: &DataValue) -> Vec<(&str, Option<&str>)> {
    v.category_options().collect()
}

#[test]
fn pipeline_values_carry_the_extras_in_java_order() {
    // Checked against Java 17: `new HashMap<>(12)` iterates these keys as
    // {sex, lastupdated, x1, x2, zzz, x3, x4, age}; `new HashMap<>(3)` {age, sex}.
    let v = pipeline(
        "dataElement,zzz,sex,age,lastupdated,x1,x2,x3,x4,storedby,attributeCombo,attributeOptions\n\
         de,v,v,,v,v,v,v,v,john,cc,\"cOptBbbbb01 cOptAaaaa01  cOptBbbbb01  \"\n\
         de,v,v,null\n\
         de\n",
    );
    assert_eq!(
        category_options(&v[0]),
        [
            ("sex", Some("v")),
            ("lastupdated", Some("v")),
            ("x1", Some("v")),
            ("x2", Some("v")),
            ("zzz", Some("v")),
            ("x3", Some("v")),
            ("x4", Some("v")),
            ("age", None),
        ]
    );
    assert_eq!(v[0].attribute_combo(), Some("cc"));
    // `Collectors.toSet()` of the parts split on blanks (a trailing run of two blanks
    // gives an empty part).
    assert_eq!(
        v[0].attribute_options().collect::<Vec<_>>(),
        ["", "cOptAaaaa01", "cOptBbbbb01"]
    );
    // Only the columns the line has a field for; the literal `null` is kept.
    assert_eq!(
        category_options(&v[1]),
        [
            ("sex", Some("v")),
            ("zzz", Some("v")),
            ("age", Some("null"))
        ]
    );
    assert!(!v[1].has_attribute_options());
    assert_eq!(v[1].attribute_combo(), None);
    // No field for any extra column: no map at all.
    assert!(!v[2].has_category_options());

    let v = pipeline("dataElement,sex,age\nde,F\nde,F,<5\n");
    assert_eq!(category_options(&v[0]), [("sex", Some("F"))]);
    assert_eq!(
        category_options(&v[1]),
        [("age", Some("<5")), ("sex", Some("F"))]
    );
    // A repeated name keeps its first place and takes the later cell (`Map.put`).
    let v = pipeline("dataElement,sex,age,sex\nde,F,<5,M\n");
    assert_eq!(
        category_options(&v[0]),
        [("age", Some("<5")), ("sex", Some("M"))]
    );
    // A header cell spelt exactly `categoryOptionCombo` switches the map off; the
    // lower-case spelling does not.
    let v = pipeline("dataElement,categoryOptionCombo,sex\nde,,F\n");
    assert!(!v[0].has_category_options());
    let v = pipeline("dataElement,categoryoptioncombo,sex\nde,coc,F\n");
    assert_eq!(v[0].category_option_combo(), Some("coc"));
    assert_eq!(category_options(&v[0]), [("sex", Some("F"))]);
    // `attributeOptions`: `null` is no set, a quoted empty cell a set of one empty option.
    let v = pipeline("dataElement,attributeOptions\nde,null\nde,\"\"\nde,\"b\ta\"\n");
    assert!(!v[0].has_attribute_options());
    assert_eq!(v[1].attribute_options().collect::<Vec<_>>(), [""]);
    assert_eq!(v[2].attribute_options().collect::<Vec<_>>(), ["a", "b"]);
    // The classic reader keeps none of it.
    let v = classic("h\nde,pe,ou,coc,aoc,val,by,lu,com,f,d,x\n", true);
    assert!(!v[0].has_category_options());
}

#[test]
fn java_hash_and_table_size() {
    use crate::pipeline::{java_hash, java_table_size};
    assert_eq!(java_hash("a"), 97);
    assert_eq!(java_hash("Aa"), java_hash("BB"));
    assert_eq!(java_hash(""), 0);
    // "polygenelubricants".hashCode() == Integer.MIN_VALUE; spread: h ^ (h >>> 16).
    assert_eq!(java_hash("polygenelubricants"), 0x8000_8000);
    assert_eq!(java_table_size(0, 1), 2);
    assert_eq!(java_table_size(0, 3), 4);
    assert_eq!(java_table_size(6, 6), 8);
    assert_eq!(java_table_size(6, 7), 16);
    assert_eq!(java_table_size(16, 12), 16);
    assert_eq!(java_table_size(16, 13), 32);
}

#[test]
fn pipeline_duplicate_columns_last_wins() {
    let v = pipeline("value,VALUE\n1,2\n3,null\n");
    assert_eq!(v[0].value(), Some("2"));
    assert_eq!(v[1].value(), None);
}

#[test]
fn pipeline_bom_makes_first_column_extra() {
    let mut r = ReaderBuilder::new()
        .profile(ImporterProfile::Pipeline)
        .from_reader("\u{FEFF}\"dataelement\",\"value\"\n\"de\",\"1\"\n".as_bytes())
        .unwrap();
    assert_eq!(
        r.extra_columns().collect::<Vec<_>>(),
        ["\u{FEFF}\"dataelement\""]
    );
    let mut v = DataValue::new();
    assert!(r.read_value(&mut v).unwrap());
    assert_eq!(v.data_element(), None);
    assert_eq!(v.value(), Some("1"));
}

#[test]
fn pipeline_empty_header_with_data_fails_at_that_line() {
    let err = first_error(
        ReaderBuilder::new().profile(ImporterProfile::Pipeline),
        b"\nde\n",
    );
    assert!(matches!(err.kind(), ErrorKind::EmptyHeader));
    assert_eq!(err.position(), Some(Position::new(1, 2, 1)));
    let err = ReaderBuilder::new()
        .profile(ImporterProfile::Pipeline)
        .from_reader(&b"a,\"\n"[..])
        .unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::InvalidHeaderCell { cell } if cell == "\""));
}

#[test]
fn pipeline_positions() {
    let mut r = ReaderBuilder::new()
        .profile(ImporterProfile::Pipeline)
        .from_reader(&b"value\r1\r22\r"[..])
        .unwrap();
    let mut v = DataValue::new();
    assert!(r.read_value(&mut v).unwrap());
    assert_eq!(r.position(), Position::new(6, 2, 1));
    assert!(r.read_value(&mut v).unwrap());
    assert_eq!(r.position(), Position::new(8, 3, 2));
    assert!(!r.read_value(&mut v).unwrap());
}

#[test]
fn reusable_record_keeps_its_buffer() {
    let input =
        "h\n".to_string() + &"de,201201,ou,coc,aoc,12345,john,2012,comment,false,\n".repeat(50);
    let mut r = Reader::from_reader(input.as_bytes()).unwrap();
    let mut v = DataValue::new();
    assert!(r.read_value(&mut v).unwrap());
    let first = v.clone();
    let mut n = 1;
    while r.read_value(&mut v).unwrap() {
        assert_eq!(v, first);
        n += 1;
    }
    assert_eq!(n, 50);
}

/// Reads `input` to its end (through a 1-byte buffer too, so that records cross chunks) and
/// returns [`Reader::last_record_unterminated`], checked to be `None` before the end.
fn unterminated(profile: ImporterProfile, header: bool, input: &str) -> Option<u64> {
    let builder = {
        let mut b = ReaderBuilder::new();
        b.profile(profile).first_row_is_header(header);
        b
    };
    let mut answers = Vec::new();
    for capacity in [1, 8 * 1024] {
        let rdr = io::BufReader::with_capacity(capacity, input.as_bytes());
        let mut reader = builder.from_reader(rdr).unwrap();
        let mut v = DataValue::new();
        while reader.read_value(&mut v).unwrap() {
            assert_eq!(reader.last_record_unterminated(), None, "before the end");
        }
        // Asked again after the end: the same answer.
        assert!(!reader.read_value(&mut v).unwrap());
        answers.push(reader.last_record_unterminated());
    }
    assert_eq!(answers[0], answers[1], "{input:?}");
    answers[0]
}

#[test]
fn classic_last_record_without_line_end() {
    let c = |input: &str| unterminated(ImporterProfile::Classic, true, input);
    let h = "de,pe,ou,coc,aoc,value";
    assert_eq!(
        c(&format!("{h}\nDE1,202401,OU1,,,61\nDE2,202401,OU1,,,6")),
        Some(3)
    );
    assert_eq!(
        c(&format!("{h}\nDE1,202401,OU1,,,61\nDE2,202401,OU1,,,6\n")),
        None
    );
    // Cut after the org unit: the value is empty, the record still completed.
    assert_eq!(c(&format!("{h}\nDE1,202401,OU1,")), Some(2));
    // CRLF, CR alone, and empty lines at the end are line ends.
    assert_eq!(c(&format!("{h}\r\nDE1,202401,OU1,,,6\r\n")), None);
    assert_eq!(c(&format!("{h}\r\nDE1,202401,OU1,,,6\r\n\r\n")), None);
    assert_eq!(c(&format!("{h}\rDE1,202401,OU1,,,6\r")), None);
    assert_eq!(c(&format!("{h}\r\nDE1,202401,OU1,,,6")), Some(2));
    // A quoted last field: closed without a line end, and one holding a line break (the input
    // ends on the record's second line).
    assert_eq!(c(&format!("{h}\nDE1,202401,OU1,,,\"6\"")), Some(2));
    assert_eq!(c(&format!("{h}\nDE1,202401,OU1,,,\"6\"\n")), None);
    assert_eq!(c(&format!("{h}\nDE1,202401,OU1,,,\"a\nb\"")), Some(3));
    // Spaces after the last line end are a record (javacsv reads one empty field).
    assert_eq!(c(&format!("{h}\nDE1,202401,OU1,,,6\n  ")), Some(3));
    // Empty input; header only, with and without its line end.
    assert_eq!(c(""), None);
    assert_eq!(c(&format!("{h}\n")), None);
    assert_eq!(c(h), Some(1));
    // No header row: the first record is data.
    let no_header = |input: &str| unterminated(ImporterProfile::Classic, false, input);
    assert_eq!(no_header("DE1,202401,OU1,,,6"), Some(1));
    assert_eq!(no_header("DE1,202401,OU1,,,6\n"), None);
    assert_eq!(no_header(""), None);
}

#[test]
fn pipeline_last_line_without_line_end() {
    let p = |input: &str| unterminated(ImporterProfile::Pipeline, true, input);
    let h = "dataElement,period,orgUnit,value";
    assert_eq!(
        p(&format!("{h}\nDE1,202401,OU1,61\nDE2,202401,OU1,6")),
        Some(3)
    );
    assert_eq!(
        p(&format!("{h}\nDE1,202401,OU1,61\nDE2,202401,OU1,6\n")),
        None
    );
    assert_eq!(p(&format!("{h}\nDE1,202401,OU1,")), Some(2));
    // A quoted last field.
    assert_eq!(p(&format!("{h}\nDE1,202401,OU1,\"6\"")), Some(2));
    assert_eq!(p(&format!("{h}\nDE1,202401,OU1,\"6\"\n")), None);
    // CRLF: the header's LF is skipped; after a data row the LF is an empty line, which ends
    // the data (DHIS2 2.43), so the row has its line end.
    assert_eq!(p(&format!("{h}\r\nDE1,202401,OU1,6")), Some(2));
    assert_eq!(p(&format!("{h}\r\nDE1,202401,OU1,6\r\n")), None);
    assert_eq!(p(&format!("{h}\rDE1,202401,OU1,6\r")), None);
    // An empty line ends the data: what follows is not read.
    assert_eq!(
        p(&format!("{h}\nDE1,202401,OU1,6\n\nDE2,202401,OU1,7")),
        None
    );
    // Header only, with and without its line end (an empty input has no header: an error).
    assert_eq!(p(&format!("{h}\n")), None);
    assert_eq!(p(h), Some(1));
}
