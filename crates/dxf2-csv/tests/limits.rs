//! Hostile inputs, generated lazily (never held in memory): over-long lines and fields,
//! unterminated quotes and invalid UTF-8, in both dialects. The reader must stop early with a
//! typed error that says where and how to raise the limit, having read little more than the limit.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::io::BufReader;

use dxf2_csv::{Category, Error, ErrorKind, Reader, ReaderBuilder, Utf8Policy, MAX_FIELD_CHARS};
use dxf2_model::{DataValue, ImporterProfile, ReadLimits, TextPosition};
use dxf2_testdata::hostile::Hostile;

const MB: u64 = 1_000_000;
const MIB: usize = 1024 * 1024;

/// `prefix`, then `pattern` repeated up to `body` bytes, then `suffix`, produced as it is read.
fn hostile(prefix: &[u8], pattern: &[u8], body: u64, suffix: &[u8]) -> Hostile {
    Hostile::new()
        .fill(prefix, prefix.len() as u64)
        .fill(pattern, body)
        .fill(suffix, suffix.len() as u64)
}

/// A 64 KiB buffer: what the reader may hold beyond a limit is at most one of these.
const CAPACITY: usize = 64 * 1024;

fn builder(profile: ImporterProfile) -> ReaderBuilder {
    let mut b = ReaderBuilder::new();
    b.profile(profile);
    b
}

/// Reads until the first error: the values read before it, the error, and how many bytes of the
/// input were read.
fn first_error(builder: &ReaderBuilder, input: Hostile) -> (u64, Error, u64) {
    let mut reader = match builder.from_reader(BufReader::with_capacity(CAPACITY, input)) {
        Ok(r) => r,
        Err(e) => return (0, e, 0),
    };
    let mut v = DataValue::new();
    let mut values = 0;
    loop {
        match reader.read_value(&mut v) {
            Ok(true) => values += 1,
            Ok(false) => panic!("no error after {values} values"),
            Err(e) => {
                let read = reader.get_ref().get_ref().handed_out();
                return (values, e, read);
            }
        }
    }
}

fn at(line: u64, column: u64) -> TextPosition {
    TextPosition { line, column }
}

const HEADER: &[u8] =
    b"dataelement,period,orgunit,categoryoptioncombo,attributeoptioncombo,value\n";
const ROW: &[u8] = b"f7n9E0hX8qk,201201,DiszpKrYNg8,,,10\n";

fn rows(n: usize) -> Vec<u8> {
    let mut out = HEADER.to_vec();
    for _ in 0..n {
        out.extend_from_slice(ROW);
    }
    out
}

#[test]
fn classic_500_mb_line_stops_at_javacsv_limit() {
    // One unquoted field: javacsv's 100,000 characters decide (lower than 4 MiB).
    let input = hostile(&rows(2), b"x", 500 * MB, b"\n");
    let (values, err, read) = first_error(&builder(ImporterProfile::Classic), input);
    assert_eq!(values, 2);
    assert!(matches!(
        err.kind(),
        ErrorKind::FieldTooLong { limit: MAX_FIELD_CHARS, start } if *start == at(4, 1)
    ));
    assert_eq!(err.category(), Category::Limit);
    assert_eq!(
        err.to_string(),
        "line 4 (value #3, index 2), column 1: field longer than 100000 characters (javacsv's limit, as \
         DHIS2 2.36-2.42 reads CSV), starting at line 4, byte column 1"
    );
    assert!(read < (MAX_FIELD_CHARS + 2 * CAPACITY) as u64, "{read}");
}

#[test]
fn classic_500_mb_line_of_fields_stops_at_the_record_limit() {
    // Fields of 1000 bytes, quoted and not: no field is too long, the record is.
    for pattern in [
        format!("{},", "y".repeat(999)),
        format!("\"{}\",", "y".repeat(997)),
        format!("\"{}\"{},", "y".repeat(9), "j".repeat(988)),
    ] {
        let input = hostile(&rows(1), pattern.as_bytes(), 500 * MB, b"\n");
        // javacsv's column limit would stop a line of 100,000 such fields (100 MB) long
        // after the record limit.
        let (values, err, read) = first_error(&builder(ImporterProfile::Classic), input);
        assert_eq!(values, 1);
        assert!(
            matches!(err.kind(), ErrorKind::RecordTooLong { limit } if *limit == 16 * MIB),
            "{err:?}"
        );
        assert_eq!(
            err.to_string(),
            "line 3 (value #2, index 1): record longer than 16 MiB (ReadLimits::max_record_bytes); raise \
             ReadLimits::max_record_bytes, or --max-record-bytes on the command line"
        );
        assert!(read < (16 * MIB + 2 * CAPACITY) as u64, "{read}");
    }
}

#[test]
fn classic_500_mb_quoted_field() {
    // Commas, line breaks and `""` are data inside quotes: javacsv's limit stops the field,
    // naming where its text starts (after the opening quote).
    let mut prefix = rows(1);
    prefix.extend_from_slice(b"de,\"");
    let input = hostile(&prefix, b"q,\r\n\"\"", 500 * MB, b"\"\n");
    let (values, err, read) = first_error(&builder(ImporterProfile::Classic), input);
    assert_eq!(values, 1);
    assert!(
        matches!(err.kind(), ErrorKind::FieldTooLong { start, .. } if *start == at(3, 5)),
        "{err:?}"
    );
    assert_eq!(err.column_index(), Some(1));
    assert!(read < (2 * MAX_FIELD_CHARS + 2 * CAPACITY) as u64, "{read}");
    // A quoted field javacsv cannot measure (continuation bytes count no character) stops at
    // max_token_bytes, whose message says how to raise it.
    let mut prefix = rows(1);
    prefix.extend_from_slice(b"de,\"");
    let input = hostile(&prefix, &[0x80], 500 * MB, b"\"\n");
    let (_, err, read) = first_error(&builder(ImporterProfile::Classic), input);
    assert!(
        matches!(err.kind(), ErrorKind::TokenTooLong { limit, start } if *limit == 4 * MIB && *start == at(3, 5)),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "line 3 (value #2, index 1), column 2: field longer than 4 MiB (ReadLimits::max_token_bytes), \
         starting at line 3, byte column 5; raise ReadLimits::max_token_bytes, or \
         --max-token-bytes on the command line"
    );
    assert!(read < (4 * MIB + 2 * CAPACITY) as u64, "{read}");
}

#[test]
fn pipeline_500_mb_line_and_field() {
    let pipeline = builder(ImporterProfile::Pipeline);
    // One field, unquoted and quoted: the token limit, found while the line is read.
    for (pattern, start) in [(&b"x"[..], at(3, 1)), (b"\"", at(3, 2))] {
        let mut prefix = rows(1);
        prefix.extend_from_slice(pattern);
        let input = hostile(&prefix, b"xyz", 500 * MB, b"\n");
        let (values, err, read) = first_error(&pipeline, input);
        assert_eq!(values, 1);
        assert!(
            matches!(err.kind(), ErrorKind::TokenTooLong { limit, start: s } if *limit == 4 * MIB && *s == start),
            "{err:?}"
        );
        assert_eq!(err.column_index(), Some(0));
        assert!(
            err.to_string().starts_with(&format!(
                "line 3 (value #2, index 1), column 1: field longer than 4 MiB \
                 (ReadLimits::max_token_bytes), starting at line 3, byte column {}; raise",
                start.column
            )),
            "{err}"
        );
        assert!(read < (4 * MIB + 2 * CAPACITY) as u64, "{read}");
    }
    // Many short fields, quoted or not: the record limit.
    for pattern in [&b"abcdefghi,"[..], b"\"abcdefg\","] {
        let input = hostile(&rows(1), pattern, 500 * MB, b"\n");
        let (_, err, read) = first_error(&pipeline, input);
        assert!(
            matches!(err.kind(), ErrorKind::RecordTooLong { limit } if *limit == 16 * MIB),
            "{err:?}"
        );
        assert_eq!(err.position().map(|p| p.line()), Some(3));
        assert!(read < (16 * MIB + 2 * CAPACITY) as u64, "{read}");
    }
    // A 500 MB header line.
    let input = hostile(b"", b"dataElement,", 500 * MB, b"\n");
    let (_, err, _) = first_error(&pipeline, input);
    assert!(
        matches!(err.kind(), ErrorKind::RecordTooLong { .. }),
        "{err:?}"
    );
    assert!(err
        .to_string()
        .starts_with("line 1 (header row): record longer than 16 MiB"));
}

#[test]
fn limits_can_be_raised() {
    // Pipeline: a 6 MiB value reads with a raised token limit.
    let raised = ReadLimits::default().with_max_token_bytes(8 * MIB);
    let value = || {
        hostile(
            b"dataElement,value\nde,\"",
            b"long value ",
            6 * MIB as u64,
            b"\"\n",
        )
    };
    let (_, err, _) = first_error(&builder(ImporterProfile::Pipeline), value());
    assert!(
        matches!(err.kind(), ErrorKind::TokenTooLong { .. }),
        "{err:?}"
    );
    let mut b = builder(ImporterProfile::Pipeline);
    b.limits(raised);
    let mut r = b
        .from_reader(BufReader::with_capacity(CAPACITY, value()))
        .unwrap();
    assert_eq!(r.limits(), raised);
    let mut v = DataValue::new();
    assert!(r.read_value(&mut v).unwrap());
    assert_eq!(v.value().map(str::len), Some(6 * MIB));
    assert!(!r.read_value(&mut v).unwrap());

    // Classic: a 20 MiB record of 50 KB fields reads with a raised record limit.
    let field = format!("{},", "z".repeat(49_999));
    let record = || hostile(b"h\n", field.as_bytes(), 20 * MIB as u64, b"\n");
    let (_, err, _) = first_error(&builder(ImporterProfile::Classic), record());
    assert!(
        matches!(err.kind(), ErrorKind::RecordTooLong { .. }),
        "{err:?}"
    );
    let mut b = builder(ImporterProfile::Classic);
    b.limits(ReadLimits::default().with_max_record_bytes(32 * MIB));
    let mut r = b
        .from_reader(BufReader::with_capacity(CAPACITY, record()))
        .unwrap();
    assert!(r.read_value(&mut v).unwrap());
    assert_eq!(v.data_element().map(str::len), Some(49_999));
    assert!(!r.read_value(&mut v).unwrap());

    // Unlimited: javacsv's own limit still holds in the classic dialect.
    let mut b = builder(ImporterProfile::Classic);
    b.limits(ReadLimits::unlimited());
    let input = hostile(b"h\n", b"x", 200_000, b"\n");
    let (_, err, _) = first_error(&b, input);
    assert!(matches!(err.kind(), ErrorKind::FieldTooLong { .. }));
}

/// The reader's error for `input`, through both buffer sizes.
fn error_of(builder: &ReaderBuilder, input: &[u8]) -> (u64, Error) {
    let mut result = None;
    for capacity in [1, 8192] {
        let mut reader = match builder.from_reader(BufReader::with_capacity(capacity, input)) {
            Ok(r) => r,
            Err(e) => return (0, e),
        };
        let mut v = DataValue::new();
        let mut values = 0;
        let err = loop {
            match reader.read_value(&mut v) {
                Ok(true) => values += 1,
                Ok(false) => panic!("no error in {:?}", String::from_utf8_lossy(input)),
                Err(e) => break e,
            }
        };
        if let Some((n, first)) = &result {
            let first: &Error = first;
            assert_eq!((*n, first.to_string()), (values, err.to_string()));
        }
        result = Some((values, err));
    }
    result.unwrap()
}

#[test]
fn unterminated_quote_at_the_start_of_the_last_record() {
    let input = b"dataElement,period,orgUnit\nde1,201201,ou\n\"de2,201201,ou\n";
    for profile in [ImporterProfile::Classic, ImporterProfile::Pipeline] {
        let (values, err) = error_of(&builder(profile), input);
        assert_eq!(values, 1, "{profile:?}");
        assert!(
            matches!(err.kind(), ErrorKind::UnterminatedQuote { start } if *start == at(3, 1)),
            "{err:?}"
        );
        assert_eq!(err.category(), Category::Syntax);
        assert_eq!(
            err.to_string(),
            "line 3 (value #2, index 1), column 1: the quoted field opened at line 3, byte column 1 is \
             never closed"
        );
    }
}

#[test]
fn unterminated_quote_in_the_middle() {
    let input = b"dataElement,period,orgUnit,coc,aoc,value\r\n\
                  de1,201201,ou,,,1\r\n\
                  de2,201201,ou,,, \"2\r\n\
                  de3,201201,ou,,,3\r\n\
                  de4,201201,ou,,,4\r\n";
    // Classic: javacsv would import `2\r\nde3,…\r\n` as the value of de2 and nothing after.
    let (values, err) = error_of(&builder(ImporterProfile::Classic), input);
    assert_eq!(values, 1);
    assert!(
        matches!(err.kind(), ErrorKind::UnterminatedQuote { start } if *start == at(3, 18)),
        "{err:?}"
    );
    assert_eq!(err.column_index(), Some(5));
    assert_eq!(
        err.to_string(),
        "line 3 (value #2, index 1), column 6: the quoted field opened at line 3, byte column 18 is never \
         closed"
    );
    // Pipeline (LF lines: a CRLF file stops after its first row, as in DHIS2 2.43): the line
    // ends inside the field.
    let lf: Vec<u8> = input.iter().copied().filter(|&b| b != b'\r').collect();
    let (values, err) = error_of(&builder(ImporterProfile::Pipeline), &lf);
    assert_eq!(values, 1);
    assert!(
        matches!(err.kind(), ErrorKind::UnterminatedQuote { start } if *start == at(3, 18)),
        "{err:?}"
    );
    // Classic, with 500 MB after the quote: javacsv's field limit stops it, at the quote.
    let mut prefix = rows(1);
    prefix.extend_from_slice(b"de,201201,ou,,,\"");
    let input = hostile(&prefix, ROW, 500 * MB, b"");
    let (values, err, read) = first_error(&builder(ImporterProfile::Classic), input);
    assert_eq!(values, 1);
    assert!(
        matches!(err.kind(), ErrorKind::FieldTooLong { start, .. } if *start == at(3, 17)),
        "{err:?}"
    );
    assert!(read < (MAX_FIELD_CHARS + 2 * CAPACITY) as u64, "{read}");
}

#[test]
fn invalid_utf8_is_refused_by_default() {
    let input =
        b"dataElement,period,orgUnit,coc,aoc,value\nde1,201201,ou,,,1\nde2,201201,Kanem\xe9,,,2\n";
    for profile in [ImporterProfile::Classic, ImporterProfile::Pipeline] {
        let (values, err) = error_of(&builder(profile), input);
        assert_eq!(values, 1);
        assert!(
            matches!(err.kind(), ErrorKind::InvalidUtf8 { at: a } if *a == at(3, 17)),
            "{profile:?}: {err:?}"
        );
        assert_eq!(err.category(), Category::Syntax);
        assert!(
            err.to_string().ends_with(
                "invalid UTF-8 at line 3, byte column 17; DHIS2 would replace it by U+FFFD: \
                 read with Utf8Policy::Replace, or --invalid-utf8 replace on the command line, \
                 to do the same"
            ),
            "{err}"
        );
    }
}

#[test]
fn invalid_utf8_replaced_on_request_and_reported() {
    let input = b"dataElement,period,orgUnit,coc,aoc,value,storedBy,lastUpdated,comment\n\
                  de1,201201,ou,,,1\n\
                  de2,201201,Kanem\xe9,,,2,,,\"line\r\nbr\xffeak \xc3\"\n\
                  de3,201201,\xe2\x82,,,3\n";
    let mut b = builder(ImporterProfile::Classic);
    b.invalid_utf8(Utf8Policy::Replace);
    let mut r = b.from_reader(&input[..]).unwrap();
    assert_eq!(r.replaced_utf8(), None);
    let values: Vec<DataValue> = r.values().collect::<Result<_, _>>().unwrap();
    assert_eq!(values.len(), 3);
    assert_eq!(values[1].org_unit(), Some("Kanem\u{FFFD}"));
    assert_eq!(values[1].comment(), Some("line\r\nbr\u{FFFD}eak \u{FFFD}"));
    assert_eq!(values[2].org_unit(), Some("\u{FFFD}"));
    assert_eq!(r.replaced_utf8(), Some((4, at(3, 17))));

    // The pipeline checks whole lines; the same count, the same first place.
    let lf = b"dataElement,period,orgUnit,coc,aoc,value\n\
               de1,201201,ou,,,1\n\
               de2,201201,Kanem\xe9,,,2\n\
               de3,201201,\xe2\x82,,,\"3\xff\"\n";
    let mut b = builder(ImporterProfile::Pipeline);
    b.invalid_utf8(Utf8Policy::Replace);
    let mut r: Reader<&[u8]> = b.from_reader(&lf[..]).unwrap();
    let values: Vec<DataValue> = r.values().collect::<Result<_, _>>().unwrap();
    assert_eq!(values.len(), 3);
    assert_eq!(values[2].value(), Some("3\u{FFFD}"));
    assert_eq!(r.replaced_utf8(), Some((3, at(3, 17))));
}

#[test]
fn corpus_like_input_reads_unchanged_under_the_defaults() {
    // Valid UTF-8, closed quotes, short lines: nothing changes.
    let input = "\"dataelement\",\"period\",\"orgunit\",\"categoryoptioncombo\",\"attributeoptioncombo\",\"value\",\"storedby\",\"lastupdated\",\"comment\"\n\
                 \"f7n9E0hX8qk\",\"201201\",\"DiszpKrYNg8\",\"\",\"\",\"10001\",\"\",\"\",\"Kanem, é €\"\n";
    for profile in [ImporterProfile::Classic, ImporterProfile::Pipeline] {
        let mut r = builder(profile).from_reader(input.as_bytes()).unwrap();
        let values: Vec<DataValue> = r.values().collect::<Result<_, _>>().unwrap();
        assert_eq!(values.len(), 1);
        assert_eq!(values[0].comment(), Some("Kanem, é €"));
        assert_eq!(r.replaced_utf8(), None);
    }
}
