//! Hostile inputs stream through the readers in bounded memory: every one of them is generated
//! lazily (nothing is materialised), and each reader stops with a typed error after reading at
//! most about one token limit of it — so nothing can have accumulated.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::io::{self, BufReader};

use dxf2_model::{DataValue, DataValueSource, ImportStatus, ImporterProfile, ReadLimits};
use dxf2_testdata::hostile::{Counter, Hostile};
use dxf2_xml::{read_import_summary_with_limits, Category, Error, ErrorKind, Reader};

const MIB: u64 = 1024 * 1024;
const GIB: u64 = 1024 * MIB;

/// The document `head`, then `len` copies of `fill`, then `tail`, generated as it is read, behind
/// a `BufReader`, and the counter of bytes read from it.
fn generate(head: &str, fill: u8, len: u64, tail: &str) -> (BufReader<Hostile>, Counter) {
    generate_cycle(head, &[fill], len, tail)
}

/// Like [`generate`], with a repeated pattern (cut after `len` bytes).
fn generate_cycle(
    head: &str,
    pattern: &[u8],
    len: u64,
    tail: &str,
) -> (BufReader<Hostile>, Counter) {
    let doc = Hostile::new().text(head).fill(pattern, len).text(tail);
    let produced = doc.counter();
    (BufReader::with_capacity(64 * 1024, doc), produced)
}

/// Reads a whole data value set; the error it ends with.
fn read_set(input: impl io::BufRead, profile: ImporterProfile, limits: ReadLimits) -> Error {
    let mut reader = match Reader::with_limits(input, profile, limits) {
        Ok(reader) => reader,
        Err(e) => return e,
    };
    let mut value = DataValue::new();
    loop {
        match reader.read_value(&mut value) {
            Ok(true) => {}
            Ok(false) => panic!("a hostile document was accepted"),
            Err(e) => return e,
        }
    }
}

/// Asserts a `TokenTooLong` error about `what` at `line`:`column` with the default limit, and
/// that the reader read at most a little more than the limit.
fn assert_too_long(e: &Error, what: &str, line: u64, column: u64, produced: u64) {
    let limit = ReadLimits::default().max_token_bytes;
    match e.kind() {
        ErrorKind::TokenTooLong { what: w, limit: l } => {
            assert_eq!(w, what, "{e}");
            assert_eq!(*l, limit);
        }
        _ => panic!("expected TokenTooLong, got {e}"),
    }
    assert_eq!(e.category(), Category::Limit);
    assert_eq!((e.line(), e.column()), (Some(line), Some(column)), "{e}");
    let message = e.to_string();
    assert!(message.contains("4 MiB"), "{message}");
    assert!(
        message.contains(
            "raise ReadLimits::max_token_bytes, or --max-token-bytes on the command line"
        ),
        "{message}"
    );
    assert!(
        produced <= limit as u64 + MIB,
        "read {produced} bytes for a limit of {limit}"
    );
}

#[test]
fn a_200_mib_comment() {
    let (input, produced) = generate(
        "<dataValueSet>\n  <!--",
        b'a',
        200 * MIB,
        "-->\n</dataValueSet>",
    );
    let e = read_set(input, ImporterProfile::Classic, ReadLimits::default());
    assert_too_long(&e, "a comment", 2, 3, produced.get());
    assert_eq!(e.value_index(), Some(0));
    assert_eq!(
        e.to_string(),
        "line 2, column 3 (value #1, index 0): a comment starting here is longer than the limit of 4 MiB \
         for one token (raise ReadLimits::max_token_bytes, or --max-token-bytes on the command line)"
    );
}

#[test]
fn a_200_mib_text_run() {
    let (input, produced) = generate(
        "<dataValueSet><dataValue dataElement=\"a\"/>",
        b'a',
        200 * MIB,
        "</dataValueSet>",
    );
    let e = read_set(input, ImporterProfile::Pipeline, ReadLimits::default());
    assert_too_long(&e, "a text run", 1, 43, produced.get());
    assert_eq!(e.value_index(), Some(1));
}

#[test]
fn a_200_mib_doctype() {
    let (input, produced) = generate(
        "<?xml version=\"1.0\"?>\n<!DOCTYPE dataValueSet [",
        b'a',
        200 * MIB,
        "]>\n<dataValueSet/>",
    );
    let e = read_set(input, ImporterProfile::Classic, ReadLimits::default());
    assert_too_long(&e, "a DOCTYPE", 2, 1, produced.get());
}

#[test]
fn a_100_mib_attribute() {
    let (input, produced) = generate(
        "<dataValueSet>\n<dataValue dataElement=\"a\" comment=\"",
        b'a',
        100 * MIB,
        "\"/></dataValueSet>",
    );
    let e = read_set(input, ImporterProfile::Classic, ReadLimits::default());
    assert_too_long(
        &e,
        "the value of attribute `comment`",
        2,
        37,
        produced.get(),
    );
    // In the set's own start tag too.
    let (input, produced) = generate("<dataValueSet dataSet='", b'a', 100 * MIB, "'/>");
    let e = read_set(input, ImporterProfile::Classic, ReadLimits::default());
    assert_too_long(
        &e,
        "the value of attribute `dataSet`",
        1,
        24,
        produced.get(),
    );
}

#[test]
fn a_gib_of_newlines_inside_an_element() {
    let (input, produced) = generate("<dataValueSet>", b'\n', GIB, "</dataValueSet>");
    let e = read_set(input, ImporterProfile::Classic, ReadLimits::default());
    assert_too_long(&e, "a text run", 1, 15, produced.get());
}

#[test]
fn a_stream_of_zeros_is_not_xml() {
    // `/dev/zero`.
    let (input, produced) = generate("", 0, u64::MAX, "");
    let e = read_set(input, ImporterProfile::Classic, ReadLimits::default());
    assert!(
        matches!(e.kind(), ErrorKind::InvalidChar { found: '\0', .. }),
        "{e}"
    );
    assert_eq!(e.category(), Category::Syntax);
    assert_eq!((e.line(), e.column()), (Some(1), Some(1)));
    assert_eq!(
        e.to_string(),
        "line 1, column 1: character U+0000 is not allowed in XML (text); write it as a character \
         reference, or remove it"
    );
    assert!(produced.get() <= 5 * MIB, "read {}", produced.get());
    // Zeros after a valid start.
    let (input, produced) = generate("<dataValueSet>\n  ", 0, u64::MAX, "");
    let e = read_set(input, ImporterProfile::Classic, ReadLimits::default());
    assert!(
        matches!(e.kind(), ErrorKind::InvalidChar { found: '\0', .. }),
        "{e}"
    );
    assert_eq!((e.line(), e.column()), (Some(2), Some(3)));
    assert!(produced.get() <= 5 * MIB, "read {}", produced.get());
}

#[test]
fn the_import_summary_reader_is_bounded_too() {
    let limits = ReadLimits::default();
    let (input, produced) = generate("<importSummary><!--", b'a', 200 * MIB, "-->");
    let e = read_import_summary_with_limits(input, limits).unwrap_err();
    assert_too_long(&e, "a comment", 1, 16, produced.get());

    let (input, produced) = generate(
        "<importSummary>\n<description>",
        b'a',
        200 * MIB,
        "</description></importSummary>",
    );
    let e = read_import_summary_with_limits(input, limits).unwrap_err();
    assert_too_long(&e, "a text run", 2, 14, produced.get());

    // Short events that add up: the text of one element is bounded as one token.
    let (input, produced) = generate_cycle(
        "<importSummary>\n<description>",
        b"abcdefghijklmnopqrstuvwxyz&amp;",
        200 * MIB,
        "</description></importSummary>",
    );
    let e = read_import_summary_with_limits(input, limits).unwrap_err();
    // 27 bytes of text for every 31 read.
    assert_too_long(
        &e,
        "the text of <description>",
        2,
        1,
        produced.get() * 27 / 31,
    );
    // The same in an element the reader does not know is skipped, keeping nothing: 1.5 MiB
    // of text pass a 64 KiB limit.
    let small = ReadLimits::default().with_max_token_bytes(64 * 1024);
    let (input, produced) = generate_cycle(
        "<importSummary>\n<unknown>",
        b"ab&amp;",
        7 * 512 * 1024,
        "</unknown><status>ERROR</status></importSummary>",
    );
    let summary = read_import_summary_with_limits(input, small).unwrap();
    assert_eq!(summary.status, ImportStatus::Error);
    assert_eq!(produced.get(), 7 * 512 * 1024 + 73);

    let (input, produced) = generate("<importSummary><description>", 0, u64::MAX, "");
    let e = read_import_summary_with_limits(input, limits).unwrap_err();
    assert!(
        matches!(e.kind(), ErrorKind::InvalidChar { found: '\0', .. }),
        "{e}"
    );
    assert!(produced.get() <= 5 * MIB);
}

#[test]
fn a_raised_limit_lets_a_long_token_through() {
    let doc = || {
        generate(
            "<dataValueSet><!--",
            b'a',
            5 * MIB,
            "--><dataValue dataElement=\"a\"/></dataValueSet>",
        )
        .0
    };
    let e = read_set(doc(), ImporterProfile::Classic, ReadLimits::default());
    assert!(matches!(e.kind(), ErrorKind::TokenTooLong { .. }), "{e}");
    let limits = ReadLimits::default().with_max_token_bytes(8 * 1024 * 1024);
    let mut reader = Reader::with_limits(doc(), ImporterProfile::Classic, limits).unwrap();
    let values = reader.values().collect::<Result<Vec<_>, _>>().unwrap();
    assert_eq!(values.len(), 1);
}
