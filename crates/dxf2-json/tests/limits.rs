//! Hostile inputs, generated on the fly and never held in memory: every reader of `dxf2-json`
//! stops at the token limit (also in values it skips), at deep nesting, at `\u0000` in data,
//! and refuses JSON objects that are not data value sets.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::io::{BufReader, Cursor, Read};

use dxf2_json::metadata::{read_metadata, read_metadata_with_limits, MetadataError};
use dxf2_json::{
    read_import_summary, read_import_summary_with_limits, DocumentKind, Error, ErrorKind, Reader,
};
use dxf2_model::{DataValue, ImporterProfile, ReadLimits};
use dxf2_testdata::hostile::{Counter, Hostile};

const MIB: u64 = 1024 * 1024;
const HUNDRED_MIB: u64 = 100 * MIB;
const DEFAULT_LIMIT: usize = ReadLimits::DEFAULT_MAX_TOKEN_BYTES;

/// Opens a data value set and reads every value, returning the first error.
fn read_all<R: Read>(input: R) -> Result<Vec<DataValue>, Error> {
    let mut reader = Reader::new(BufReader::new(input))?;
    reader.values().collect()
}

/// Checks a token error: variant, what, limit, start and a message telling how to raise it.
fn assert_too_long(e: &Error, what: &str, line: u64, column: u64) {
    match e.kind() {
        ErrorKind::TokenTooLong { what: w, limit } => {
            assert_eq!(*w, what, "{e}");
            assert_eq!(*limit, DEFAULT_LIMIT);
        }
        other => panic!("expected TokenTooLong, got {other:?}: {e}"),
    }
    assert_eq!((e.line(), e.column()), (Some(line), Some(column)), "{e}");
    let message = e.to_string();
    assert!(
        message.contains(&format!("line {line}, column {column}")),
        "{message}"
    );
    assert!(message.contains("4 MiB"), "{message}");
    assert!(
        message.contains(
            "raise ReadLimits::max_token_bytes, or --max-token-bytes on the command line"
        ),
        "{message}"
    );
}

/// Checks that a reader stopped soon after the limit instead of reading the whole input.
fn assert_stopped_early(handed_out: &Counter) {
    assert_stopped_within(handed_out, DEFAULT_LIMIT as u64 + MIB);
}

/// Checks that a reader stopped after at most `bytes` of the input.
fn assert_stopped_within(handed_out: &Counter, bytes: u64) {
    let read = handed_out.get();
    assert!(
        read < bytes,
        "read {read} bytes of a hostile input instead of stopping at the limit"
    );
}

#[test]
fn a_100_mib_string_in_a_data_value() {
    let input = Hostile::new()
        .text(
            "{\"dataSet\":\"pBOMPrpg1QX\",\n\"dataValues\":[{\"dataElement\":\"a\",\"comment\":\"",
        )
        .run(b'a', HUNDRED_MIB)
        .text("\"}]}");
    let counter = input.counter();
    let mut reader = Reader::new(BufReader::new(input)).unwrap();
    let mut value = DataValue::new();
    let e = reader.read_value(&mut value).unwrap_err();
    assert_too_long(&e, "a string", 2, 44);
    assert_eq!(e.value_index(), Some(0));
    assert!(e.to_string().contains("(value #1, index 0)"), "{e}");
    assert_stopped_early(&counter);
    assert!(
        !reader.read_value(&mut value).unwrap(),
        "finished after an error"
    );
}

#[test]
fn a_100_mib_string_with_escapes_in_the_header() {
    let input = Hostile::new()
        .text("{\"orgUnit\":\"")
        .run(b'\\', 2 * HUNDRED_MIB)
        .text("\"}");
    let counter = input.counter();
    let e = read_all(input).unwrap_err();
    assert_too_long(&e, "a string", 1, 12);
    // Each `\\` escape holds one byte: the limit is reached after twice as many bytes.
    assert_stopped_within(&counter, 2 * DEFAULT_LIMIT as u64 + MIB);
}

#[test]
fn a_100_mib_string_in_a_skipped_unknown_member() {
    // Inside a value.
    let input = Hostile::new()
        .text("{\"dataValues\":[{\"dataElement\":\"a\"},\n  {\"extra\":{\"deep\":[1,\"")
        .run(b'x', HUNDRED_MIB)
        .text("\"]}}]}");
    let counter = input.counter();
    let e = read_all(input).unwrap_err();
    assert_too_long(&e, "a string (in a skipped value)", 2, 23);
    assert_eq!(e.value_index(), Some(1));
    assert_stopped_early(&counter);

    // At the top level, before any value: opening the reader fails.
    let input = Hostile::new()
        .text("{\"notes\":\"")
        .run(b'x', HUNDRED_MIB)
        .text("\",\"dataValues\":[]}");
    let counter = input.counter();
    let e = read_all(input).unwrap_err();
    assert_too_long(&e, "a string (in a skipped value)", 1, 10);
    assert_stopped_early(&counter);

    // An unknown key of 100 MiB.
    let input = Hostile::new()
        .text("{\"dataValues\":[{\"")
        .run(b'k', HUNDRED_MIB)
        .text("\":1}]}");
    let counter = input.counter();
    let e = read_all(input).unwrap_err();
    assert_too_long(&e, "an object key", 1, 17);
    assert_stopped_early(&counter);
}

#[test]
fn a_100_mib_number() {
    let input = Hostile::new()
        .text("{\"dataValues\":[{\"value\":-1")
        .run(b'0', HUNDRED_MIB)
        .text("}]}");
    let counter = input.counter();
    let e = read_all(input).unwrap_err();
    assert_too_long(&e, "a number", 1, 25);
    assert_stopped_early(&counter);

    // Skipped, in an exponent.
    let input = Hostile::new()
        .text("{\"dataValues\":[{\"x\":1e")
        .run(b'9', HUNDRED_MIB)
        .text("}]}");
    let counter = input.counter();
    let e = read_all(input).unwrap_err();
    assert_too_long(&e, "a number", 1, 21);
    assert_stopped_early(&counter);
}

#[test]
fn repeated_keys_and_long_lists_are_bounded_too() {
    // 100 MiB of `comment` keys in one value, each under the token limit.
    let comment = format!("\"comment\":\"{}\",", "c".repeat(1024 * 1024));
    let input = Hostile::new()
        .text("{\"dataValues\":[{\"dataElement\":\"a\"},\n  ")
        .text("{")
        .repeat(&comment, 100)
        .text("\"value\":\"1\"}]}");
    let counter = input.counter();
    let e = read_all(input).unwrap_err();
    assert!(
        matches!(e.kind(), ErrorKind::RecordTooLong { what: "a data value", limit } if *limit == ReadLimits::DEFAULT_MAX_RECORD_BYTES),
        "{e}"
    );
    assert_eq!(
        (e.line(), e.column(), e.value_index()),
        (Some(2), Some(3), Some(1))
    );
    assert!(e.to_string().contains("more than 16 MiB of text"), "{e}");
    assert!(
        e.to_string().contains("raise ReadLimits::max_record_bytes"),
        "{e}"
    );
    assert_stopped_within(&counter, 18 * MIB);

    // A list of ten million short texts in the header.
    let input = Hostile::new()
        .text("{\"attributeCategoryOptions\":[\"x\"")
        .repeat(",\"x\"", 10_000_000)
        .text("]}");
    let counter = input.counter();
    let e = read_all(input).unwrap_err();
    assert!(
        matches!(
            e.kind(),
            ErrorKind::RecordTooLong {
                what: "a set-level member",
                ..
            }
        ),
        "{e}"
    );
    assert_eq!((e.line(), e.column()), (Some(1), Some(29)));
    assert_stopped_within(&counter, 4 * MIB);

    // Skipped values keep nothing, however long: a million unknown members are fine.
    let input = Hostile::new()
        .text("{\"dataValues\":[{")
        .repeat("\"x\":\"yyyyyyyyyyyyyyyyyyyy\",", 1_000_000)
        .text("\"dataElement\":\"a\"}]}");
    assert_eq!(read_all(input).unwrap().len(), 1);
}

#[test]
fn a_100_mib_string_in_an_import_summary() {
    let input = Hostile::new()
        .text("{\"status\":\"WARNING\",\n \"conflicts\":[{\"value\":\"")
        .run(b'v', HUNDRED_MIB)
        .text("\"}]}");
    let counter = input.counter();
    let e = read_import_summary(input).unwrap_err();
    assert_too_long(&e, "a string", 2, 24);
    assert_stopped_early(&counter);

    // In a member the summary reader ignores.
    let input = Hostile::new()
        .text("{\"ignored\":[\"")
        .run(b'v', HUNDRED_MIB)
        .text("\"],\"status\":\"OK\"}");
    let counter = input.counter();
    let e = read_import_summary(input).unwrap_err();
    assert_too_long(&e, "a string", 1, 13);
    assert_stopped_early(&counter);

    // A 100 MiB number.
    let input = Hostile::new()
        .text("{\"status\":\"OK\",\"importCount\":{\"imported\":")
        .run(b'7', HUNDRED_MIB)
        .text("}}");
    let counter = input.counter();
    let e = read_import_summary(input).unwrap_err();
    assert_too_long(&e, "a number", 1, 42);
    assert_stopped_early(&counter);
}

fn assert_metadata_too_long(e: &MetadataError, what: &str, line: usize, column: usize) {
    match e {
        MetadataError::TokenTooLong {
            what: w,
            limit,
            position,
        } => {
            assert_eq!(*w, what);
            assert_eq!(*limit, DEFAULT_LIMIT);
            assert_eq!((position.line, position.column), (line, column));
        }
        other => panic!("expected TokenTooLong, got {other:?}"),
    }
    let message = e.to_string();
    assert!(
        message.contains(&format!("line {line}, column {column}")),
        "{message}"
    );
    assert!(message.contains("4 MiB"), "{message}");
    assert!(
        message.contains(
            "raise ReadLimits::max_token_bytes, or --max-token-bytes on the command line"
        ),
        "{message}"
    );
}

#[test]
fn a_100_mib_string_in_metadata() {
    let input = Hostile::new()
        .text("{\"dataElements\":[\n{\"id\":\"f7n9E0hX8qk\",\"name\":\"")
        .run(b'n', HUNDRED_MIB)
        .text("\",\"valueType\":\"NUMBER\"}]}");
    let counter = input.counter();
    let e = read_metadata(input).unwrap_err();
    assert_metadata_too_long(&e, "a string", 2, 28);
    assert_stopped_early(&counter);

    // In a top-level key the metadata reader skips, and as a number.
    let input = Hostile::new()
        .text("{\"indicators\":[{\"description\":\"")
        .run(b'n', HUNDRED_MIB)
        .text("\"}]}");
    let counter = input.counter();
    let e = read_metadata(input).unwrap_err();
    assert_metadata_too_long(&e, "a string", 1, 31);
    assert_stopped_early(&counter);
    let input = Hostile::new()
        .text("{\"system\":{\"rev\":")
        .run(b'1', HUNDRED_MIB)
        .text("}}");
    let counter = input.counter();
    let e = read_metadata(input).unwrap_err();
    assert_metadata_too_long(&e, "a number", 1, 18);
    assert_stopped_early(&counter);
}

#[test]
fn a_million_nested_arrays() {
    const MILLION: u64 = 1_000_000;
    // The data value set reader: as an unknown member, in a value, and at the top level.
    for prefix in ["{\"x\":", "{\"dataValues\":[{\"x\":", "{\"x\":{\"y\":"] {
        let input = Hostile::new().text(prefix).run(b'[', MILLION);
        let counter = input.counter();
        let e = read_all(input).unwrap_err();
        assert!(
            matches!(e.kind(), ErrorKind::NestingTooDeep { limit: 1000 }),
            "{prefix}: {e}"
        );
        assert!(e.to_string().contains("nested deeper than 1000 levels"));
        assert!(e.line().is_some());
        assert!(counter.get() < MIB, "{prefix}: stopped early");
    }
    let input = Hostile::new().text("{\"dataValues\":").run(b'[', MILLION);
    let e = read_all(input).unwrap_err();
    assert!(
        matches!(e.kind(), ErrorKind::WrongType { key, .. } if key == "dataValues"),
        "{e}"
    );
    let input = Hostile::new().run(b'[', MILLION);
    let e = read_all(input).unwrap_err();
    assert!(matches!(e.kind(), ErrorKind::NotAnObject { .. }), "{e}");

    // The summary and metadata readers (serde_json's own limit or ours, whichever comes first).
    for prefix in [
        "{\"status\":\"OK\",\"x\":",
        "{\"status\":\"OK\",\"importOptions\":",
    ] {
        let input = Hostile::new().text(prefix).run(b'[', MILLION);
        let e = read_import_summary(input).unwrap_err();
        assert!(e.line().is_some(), "{prefix}: {e}");
        assert!(
            e.to_string().contains("recursion limit") || e.to_string().contains("nested deeper"),
            "{e}"
        );
    }
    for prefix in ["{\"x\":", "{\"dataElements\":[{\"id\":"] {
        let input = Hostile::new().text(prefix).run(b'[', MILLION);
        let e = read_metadata(input).unwrap_err();
        assert!(e.position().is_some(), "{prefix}: {e}");
        assert!(
            matches!(
                e,
                MetadataError::NestingTooDeep { limit: 1000, .. } | MetadataError::Json { .. }
            ),
            "{prefix}: {e}"
        );
    }
}

#[test]
fn limits_can_be_raised_and_lowered() {
    let json =
        r#"{"period":"202401","dataValues":[{"dataElement":"a","comment":"0123456789ABCDEF"}]}"#;
    // The longest key is `dataElement` (11 bytes).
    let small = ReadLimits::default().with_max_token_bytes(12);
    let e = Reader::builder()
        .limits(small)
        .from_reader(json.as_bytes())
        .and_then(|mut r| r.values().collect::<Result<Vec<_>, _>>())
        .unwrap_err();
    assert!(
        matches!(
            e.kind(),
            ErrorKind::TokenTooLong {
                what: "a string",
                limit: 12
            }
        ),
        "{e}"
    );
    assert!(e.to_string().contains("longer than 12 bytes"), "{e}");
    // The seekable reader applies them in both passes.
    let e = Reader::builder()
        .limits(small)
        .from_seekable(Cursor::new(json.as_bytes()))
        .and_then(|mut r| r.values().collect::<Result<Vec<_>, _>>())
        .unwrap_err();
    assert!(matches!(e.kind(), ErrorKind::TokenTooLong { .. }), "{e}");
    for limits in [
        ReadLimits::default().with_max_token_bytes(16),
        ReadLimits::unlimited(),
    ] {
        let mut r = Reader::builder()
            .limits(limits)
            .from_reader(json.as_bytes())
            .unwrap();
        let values = r.values().collect::<Result<Vec<_>, _>>().unwrap();
        assert_eq!(values[0].comment(), Some("0123456789ABCDEF"));
    }
    let summary = r#"{"status":"OK","description":"0123456789ABCDEF"}"#;
    assert!(read_import_summary_with_limits(summary.as_bytes(), small).is_err());
    assert!(read_import_summary_with_limits(
        summary.as_bytes(),
        ReadLimits::default().with_max_token_bytes(16)
    )
    .is_ok());
    let metadata = r#"{"system":{"version":"0123456789ABCDEF"}}"#;
    assert!(read_metadata_with_limits(metadata.as_bytes(), small).is_err());
    assert!(read_metadata_with_limits(
        metadata.as_bytes(),
        ReadLimits::default().with_max_token_bytes(16)
    )
    .is_ok());
}

/// Opens with the streaming and the seekable reader; both must agree.
fn open_both(json: &str) -> Result<(), (Error, Error)> {
    let streaming = Reader::new(json.as_bytes())
        .and_then(|mut r| r.values().collect::<Result<Vec<_>, _>>())
        .map(drop);
    let seekable = Reader::from_seekable(Cursor::new(json.as_bytes()))
        .and_then(|mut r| r.values().collect::<Result<Vec<_>, _>>())
        .map(drop);
    match (streaming, seekable) {
        (Ok(()), Ok(())) => Ok(()),
        (Err(a), Err(b)) => Err((a, b)),
        (a, b) => panic!("streaming and seekable disagree on {json}: {a:?} / {b:?}"),
    }
}

fn refused_as(json: &str) -> (DocumentKind, Vec<String>, String) {
    let (e, seekable) = open_both(json).unwrap_err();
    assert_eq!(e.to_string(), seekable.to_string());
    match e.kind() {
        ErrorKind::NotADataValueSet {
            looks_like, keys, ..
        } => (*looks_like, keys.clone(), e.to_string()),
        other => panic!("expected NotADataValueSet for {json}, got {other:?}"),
    }
}

#[test]
fn documents_that_are_not_data_value_sets_are_refused() {
    let (kind, keys, message) = refused_as(
        r#"{"system":{"version":"2.40"},"organisationUnits":[{"id":"DiszpKrYNg8"}],"dataElements":[]}"#,
    );
    assert_eq!(kind, DocumentKind::Metadata);
    assert_eq!(keys, ["system", "organisationUnits", "dataElements"]);
    assert_eq!(
        message,
        "line 1, column 2: not a data value set: top-level keys `system`, `organisationUnits`, \
         `dataElements`, but neither `dataValues` nor a set-level key such as `dataSet`, `period` \
         or `orgUnit`; this looks like DHIS2 metadata (read it with `dxf2 metadata import`)"
    );

    for tracker in [
        r#"{"trackedEntities":[{"trackedEntity":"x","enrollments":[]}]}"#,
        r#"{"events":[{"event":"x","dataValues":[]}]}"#,
        r#"{"trackedEntityInstances":[]}"#,
        r#"{"enrollments":[],"relationships":[]}"#,
    ] {
        assert_eq!(refused_as(tracker).0, DocumentKind::Tracker, "{tracker}");
    }
    let (kind, _, message) = refused_as(
        r#"{"type":"FeatureCollection","features":[{"type":"Feature","geometry":null,"properties":{}}]}"#,
    );
    assert_eq!(kind, DocumentKind::GeoJson);
    assert!(message.contains("GeoJSON"), "{message}");
    assert_eq!(
        refused_as(r#"{"type":"Feature","geometry":{"type":"Point","coordinates":[1,2]}}"#).0,
        DocumentKind::GeoJson
    );
    assert_eq!(
        refused_as(
            r#"{"responseType":"ImportSummary","status":"SUCCESS","importCount":{"imported":1}}"#
        )
        .0,
        DocumentKind::ImportSummary
    );
    let (kind, keys, message) = refused_as("{\n  \"foo\": 1\n}");
    assert_eq!(kind, DocumentKind::Unknown);
    assert_eq!(keys, ["foo"]);
    assert!(
        message.starts_with("line 2, column 3: not a data value set"),
        "{message}"
    );

    // Only a few keys are listed.
    let many = r#"{"a":1,"b":2,"c":3,"d":4,"e":5,"f":6,"g":7}"#;
    let (_, keys, message) = refused_as(many);
    assert_eq!(keys, ["a", "b", "c", "d", "e"]);
    assert!(message.contains("`e`, …, but neither"), "{message}");
}

#[test]
fn data_value_sets_and_lax_reading_are_accepted() {
    for json in [
        "{}",
        r#"{"dataValues":[]}"#,
        r#"{"dataValues":null}"#,
        r#"{"period":"202401"}"#,
        r#"{"completeDate":"2024-02-01","notes":"x"}"#,
        r#"{"idScheme":"CODE","events":[]}"#,
        r#"{"dryRun":true}"#,
        // A 2.43 header key counts whatever the profile.
        r#"{"categoryIdScheme":"CODE"}"#,
        r#"{"type":"FeatureCollection","dataValues":[{"dataElement":"a"}]}"#,
        r#"{"foo":1,"dataValues":[{"dataElement":"a"}],"bar":2}"#,
    ] {
        assert!(open_both(json).is_ok(), "{json}");
    }
    // DHIS2's lax reading on request: an empty data value set.
    for json in [r#"{"foo":1}"#, r#"{"trackedEntities":[]}"#] {
        let mut reader = Reader::builder()
            .accept_any_object(true)
            .from_reader(json.as_bytes())
            .unwrap();
        assert!(reader.header().is_empty());
        assert_eq!(reader.values().count(), 0);
        let mut reader = Reader::builder()
            .accept_any_object(true)
            .profile(ImporterProfile::Pipeline)
            .from_seekable(Cursor::new(json.as_bytes()))
            .unwrap();
        assert_eq!(reader.values().count(), 0);
    }
}

#[test]
fn top_level_arrays_and_scalars_are_refused_clearly() {
    for (json, found) in [
        ("[{\"dataElement\":\"a\"}]", "an array"),
        ("12", "a number"),
        ("\"x\"", "a string"),
        ("null", "null"),
    ] {
        let (e, _) = open_both(json).unwrap_err();
        assert!(
            matches!(e.kind(), ErrorKind::NotAnObject { .. }),
            "{json}: {e}"
        );
        let message = e.to_string();
        assert!(
            message.starts_with("line 1, column 1: expected a JSON object at the top level"),
            "{message}"
        );
        assert!(
            message.contains(&format!("found {found}: this is not a DXF2 data value set")),
            "{message}"
        );
    }
}

#[test]
fn nul_is_refused_in_data_but_not_in_what_is_skipped() {
    let json = "{\"dataValues\":[\n  {\"dataElement\":\"a\",\"comment\":\"before\\u0000after\"}]}";
    let (e, seekable) = open_both(json).unwrap_err();
    assert!(matches!(e.kind(), ErrorKind::NulCharacter), "{e}");
    assert_eq!((e.line(), e.column()), (Some(2), Some(39)));
    assert_eq!(e.value_index(), Some(0));
    assert!(e.to_string().contains("PostgreSQL"), "{e}");
    assert!(matches!(seekable.kind(), ErrorKind::NulCharacter));
    let (e, _) = open_both(r#"{"orgUnit":"\u0000"}"#).unwrap_err();
    assert!(matches!(e.kind(), ErrorKind::NulCharacter), "{e}");
    // Other control characters are data the XML writer can write (as character references).
    let mut r = Reader::new(&br#"{"dataValues":[{"comment":"a\u0001\u001f\t\n"}]}"#[..]).unwrap();
    let values = r.values().collect::<Result<Vec<_>, _>>().unwrap();
    assert_eq!(values[0].comment(), Some("a\u{1}\u{1f}\t\n"));
    // Unknown members are ignored whatever they hold, as DHIS2 does.
    assert!(
        open_both(r#"{"x":"\u0000","dataValues":[{"y":{"z":"\u0000"},"dataElement":"a"}]}"#)
            .is_ok()
    );
    // Metadata comes from a DHIS2 database, which cannot hold U+0000 anywhere.
    let e = read_metadata(r#"{"system":{"name":"a\u0000"}}"#.as_bytes()).unwrap_err();
    assert!(matches!(e, MetadataError::NulCharacter { .. }), "{e}");
    assert_eq!(e.position().map(|p| (p.line, p.column)), Some((1, 21)));
}

#[test]
fn invalid_utf8_has_a_line_and_column() {
    let json = b"{\"dataValues\":[\n{\"comment\":\"ab\xC3\xA9cd\xFFef\"}]}";
    let e = read_all(&json[..]).unwrap_err();
    assert!(matches!(e.kind(), ErrorKind::InvalidUtf8), "{e}");
    assert_eq!((e.line(), e.column()), (Some(2), Some(18)), "{e}");
    assert!(
        e.to_string()
            .starts_with("line 2, column 18 (value #1, index 0): invalid UTF-8"),
        "{e}"
    );
    // Split across tiny buffers, the position is the same.
    let mut r = Reader::new(BufReader::with_capacity(3, &json[..])).unwrap();
    let e = r.values().collect::<Result<Vec<_>, _>>().unwrap_err();
    assert!(matches!(e.kind(), ErrorKind::InvalidUtf8));
    assert_eq!(e.line(), Some(2));
    // In a key and outside strings.
    let e = read_all(&b"{\"k\xFF\":1}"[..]).unwrap_err();
    assert!(matches!(e.kind(), ErrorKind::InvalidUtf8), "{e}");
    assert_eq!((e.line(), e.column()), (Some(1), Some(4)));
    let e = read_all(&b"{\"dataValues\":[\xFF]}"[..]).unwrap_err();
    assert_eq!((e.line(), e.column()), (Some(1), Some(16)));
}
