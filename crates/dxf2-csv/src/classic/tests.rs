//! Unit tests of the classic dialect.
use super::*;

/// Every record of `input` as lossily decoded fields (kept columns only).
fn records(input: &[u8]) -> Vec<Vec<String>> {
    let mut p = Classic::new(ReadLimits::default());
    let mut t = Tracker::new();
    let mut rdr = input;
    let mut out = Vec::new();
    while p.read_record(&mut rdr, &mut t).unwrap() {
        let n = p.columns().min(KEPT_COLUMNS);
        out.push(
            (0..n)
                .map(|i| String::from_utf8_lossy(p.field(i)).into_owned())
                .collect(),
        );
    }
    out
}

fn rec(fields: &[&str]) -> Vec<String> {
    fields.iter().map(|s| s.to_string()).collect()
}

/// One record as seen by a test: where it starts (byte, line), its column count and its kept
/// fields.
type Seen = ((u64, u64), usize, Vec<Vec<u8>>);

/// What a test sees of a whole input: its records, then where an unclosed quote opened.
type Outcome = (Vec<Seen>, Option<TextPosition>);

/// javacsv's rules byte by byte, in the plainest form: the model the parser must agree with
/// (except that an unclosed quote at the end is refused rather than completed).
fn model(input: &[u8]) -> Outcome {
    #[derive(PartialEq)]
    enum S {
        Start,
        Unquoted,
        Quoted,
        QuoteSeen,
        Junk,
    }
    fn end_field(fields: &mut Vec<Vec<u8>>, cur: &mut Vec<u8>, trim: bool) {
        while trim && matches!(cur.last(), Some(b' ' | b'\t')) {
            cur.pop();
        }
        fields.push(std::mem::take(cur));
    }
    let mut out = Vec::new();
    let mut t = Tracker::new();
    let (mut fields, mut cur) = (Vec::new(), Vec::new());
    let (mut s, mut started, mut start) = (S::Start, false, None);
    let mut quote = TextPosition::START;
    let mut record = |fields: &mut Vec<Vec<u8>>, start: &mut Option<(u64, u64)>| {
        let n = fields.len();
        fields.truncate(KEPT_COLUMNS);
        out.push((start.take().unwrap(), n, std::mem::take(fields)));
    };
    for &b in input {
        let line_end = b == b'\r' || b == b'\n';
        if line_end && s == S::Start && !started && fields.is_empty() {
            t.advance(b);
            continue;
        }
        start.get_or_insert((t.byte, t.line));
        if s == S::Start && b == b'"' {
            quote = t.here();
        }
        t.advance(b);
        let ends = match s {
            S::Start => match b {
                b'"' => {
                    s = S::Quoted;
                    None
                }
                b' ' | b'\t' => {
                    started = true;
                    None
                }
                b',' | b'\r' | b'\n' => Some(false),
                _ => {
                    s = S::Unquoted;
                    cur.push(b);
                    None
                }
            },
            S::Unquoted => match b {
                b',' | b'\r' | b'\n' => Some(true),
                _ => {
                    cur.push(b);
                    None
                }
            },
            S::Quoted => {
                if b == b'"' {
                    s = S::QuoteSeen;
                } else {
                    cur.push(b);
                }
                None
            }
            S::QuoteSeen => match b {
                b'"' => {
                    s = S::Quoted;
                    cur.push(b);
                    None
                }
                b',' | b'\r' | b'\n' => Some(false),
                _ => {
                    s = S::Junk;
                    None
                }
            },
            S::Junk => match b {
                b',' | b'\r' | b'\n' => Some(false),
                _ => None,
            },
        };
        if let Some(trim) = ends {
            end_field(&mut fields, &mut cur, trim);
            s = S::Start;
            started = false;
            if line_end {
                record(&mut fields, &mut start);
            }
        }
    }
    if s == S::Quoted {
        return (out, Some(quote));
    }
    if s != S::Start || started || !fields.is_empty() {
        end_field(&mut fields, &mut cur, s == S::Unquoted);
        record(&mut fields, &mut start);
    }
    (out, None)
}

/// What the parser reads from `input` through a buffer of `capacity` bytes.
fn parsed(input: &[u8], capacity: usize) -> Outcome {
    let mut p = Classic::new(ReadLimits::default());
    let mut t = Tracker::new();
    let mut rdr = io::BufReader::with_capacity(capacity, input);
    let mut out = Vec::new();
    loop {
        match p.read_record(&mut rdr, &mut t) {
            Ok(true) => {}
            Ok(false) => return (out, None),
            Err(Fail::UnterminatedQuote { start, .. }) => return (out, Some(start)),
            Err(e) => panic!("{e:?}"),
        }
        let n = p.columns().min(KEPT_COLUMNS);
        let fields = (0..n).map(|i| p.field(i).to_vec()).collect();
        out.push((t.record_start.unwrap(), p.columns(), fields));
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2000))]

    /// The fast path and the run-based state machine, over any chunking, agree with the
    /// byte-by-byte model: same records, columns and record starts.
    #[test]
    fn agrees_with_the_byte_by_byte_model(
        input in proptest::collection::vec(
            proptest::sample::select(vec![
                b'a', b'b', b',', b',', b'"', b'"', b' ', b'\t', b'\r', b'\n', b'\n', 0xC3,
                0xA9, 0xFF,
            ]),
            0..120,
        ),
        capacity in 1usize..40,
    ) {
        let want = model(&input);
        proptest::prop_assert_eq!(&parsed(&input, 1), &want);
        proptest::prop_assert_eq!(&parsed(&input, capacity), &want);
        proptest::prop_assert_eq!(&parsed(&input, 8192), &want);
    }
}

#[test]
fn unquoted_trimmed_quoted_verbatim() {
    assert_eq!(
        records(b"  a b \t, \" x \" ,\tc\n"),
        vec![rec(&["a b", " x ", "c"])]
    );
}

#[test]
fn doubled_quotes_and_specials_inside_quotes() {
    assert_eq!(
        records(b"\"a\"\"b\",\"c,d\",\"e\nf\",\"\"\"\"\n"),
        vec![rec(&["a\"b", "c,d", "e\nf", "\""])]
    );
}

#[test]
fn junk_after_closing_quote_is_dropped() {
    assert_eq!(records(b"\"a\"xyz,b\n"), vec![rec(&["a", "b"])]);
    assert_eq!(records(b"\"a\"  \n"), vec![rec(&["a"])]);
}

#[test]
fn quote_inside_unquoted_is_data() {
    assert_eq!(records(b"a\"b\"c,d\n"), vec![rec(&["a\"b\"c", "d"])]);
}

#[test]
fn record_ends_cr_lf_crlf_and_empty_lines_skipped() {
    let want = vec![rec(&["a"]), rec(&["b"]), rec(&["c"]), rec(&["d"])];
    assert_eq!(records(b"a\rb\nc\r\nd"), want);
    assert_eq!(records(b"\n\r\n\ra\n\n\nb\r\r\nc\n\nd\n\n"), want);
}

#[test]
fn whitespace_only_line_is_a_record() {
    assert_eq!(
        records(b"a\n  \t\nb\n"),
        vec![rec(&["a"]), rec(&[""]), rec(&["b"])]
    );
}

#[test]
fn trailing_delimiter_and_empty_fields() {
    assert_eq!(
        records(b"a,\n,,\n"),
        vec![rec(&["a", ""]), rec(&["", "", ""])]
    );
    // At the end of the input too.
    assert_eq!(records(b"a,"), vec![rec(&["a", ""])]);
    assert_eq!(records(b"a, "), vec![rec(&["a", ""])]);
    assert_eq!(records(b"\"\""), vec![rec(&[""])]);
    assert_eq!(records(b"   "), vec![rec(&[""])]);
    assert_eq!(records(b""), Vec::<Vec<String>>::new());
    assert_eq!(records(b"\n\r\n"), Vec::<Vec<String>>::new());
}

fn first_fail(input: &[u8], limits: ReadLimits) -> Fail {
    let mut p = Classic::new(limits);
    let mut t = Tracker::new();
    let mut rdr = io::BufReader::with_capacity(7, input);
    loop {
        match p.read_record(&mut rdr, &mut t) {
            Ok(true) => {}
            Ok(false) => panic!("no failure"),
            Err(e) => return e,
        }
    }
}

fn at(line: u64, column: u64) -> TextPosition {
    TextPosition { line, column }
}

#[test]
fn unclosed_quote_is_refused_where_it_opened() {
    // javacsv would read `abc\ndef` as one field.
    let fail = first_fail(b"\"abc\ndef", ReadLimits::default());
    assert!(
        matches!(fail, Fail::UnterminatedQuote { column: 0, start } if start == at(1, 1)),
        "{fail:?}"
    );
    let fail = first_fail(b"a,b\r\nde,pe, \"ou\n\"\"x,y\nz\n", ReadLimits::default());
    assert!(
        matches!(fail, Fail::UnterminatedQuote { column: 2, start } if start == at(2, 8)),
        "{fail:?}"
    );
    // Closed at the very end: fine.
    assert_eq!(records(b"\"abc\ndef\""), vec![rec(&["abc\ndef"])]);
}

#[test]
fn token_limit_in_bytes() {
    let limits = ReadLimits::default().with_max_token_bytes(10);
    // Ten bytes are fine, in both paths.
    let mut p = Classic::new(limits);
    let mut t = Tracker::new();
    let mut rdr = &b"0123456789,\"0123456789\"\n"[..];
    assert!(p.read_record(&mut rdr, &mut t).unwrap());
    assert_eq!(p.field(1), b"0123456789");
    // Eleven are not; `""` counts one byte, as kept.
    let fail = first_fail(b"x\n\"\"\"012345678\"\"\"", limits);
    assert!(
        matches!(fail, Fail::TokenTooLong { column: 0, start } if start == at(2, 2)),
        "{fail:?}"
    );
    let fail = first_fail(b"a, 01234567890 ,c", limits);
    assert!(
        matches!(fail, Fail::TokenTooLong { column: 1, start } if start == at(1, 4)),
        "{fail:?}"
    );
    // Columns that are not kept are held to it too.
    let long = format!("{}x12345678901\n", ",".repeat(12));
    assert!(matches!(
        first_fail(long.as_bytes(), limits),
        Fail::TokenTooLong { column: 12, .. }
    ));
    // Multi-byte text: bytes, not characters.
    assert!(matches!(
        first_fail("éééééé".as_bytes(), limits),
        Fail::TokenTooLong { .. }
    ));
}

#[test]
fn javacsv_limit_wins_over_an_equal_byte_limit() {
    let limits = ReadLimits::default().with_max_token_bytes(MAX_FIELD_CHARS);
    let long = "x".repeat(MAX_FIELD_CHARS + 1);
    assert!(matches!(
        first_fail(long.as_bytes(), limits),
        Fail::FieldTooLong { column: 0, .. }
    ));
    // A field of continuation bytes counts no UTF-16 unit: only the byte limit stops it.
    let junk = vec![0x80u8; ReadLimits::DEFAULT_MAX_TOKEN_BYTES + 1];
    assert!(matches!(
        first_fail(&junk, ReadLimits::default()),
        Fail::TokenTooLong { column: 0, .. }
    ));
}

#[test]
fn record_limit_counts_raw_bytes() {
    let limits = ReadLimits::default()
        .with_max_token_bytes(8)
        .with_max_record_bytes(12);
    // Twelve bytes (the line end not counted) are fine.
    let mut p = Classic::new(limits);
    let mut t = Tracker::new();
    let mut rdr = &b"\"ab\"xx,cd,e\r\n"[..];
    assert!(p.read_record(&mut rdr, &mut t).unwrap());
    assert_eq!(p.columns(), 3);
    // Junk after a closing quote, blanks and empty fields are never stored but still count.
    for input in [
        &b"\"ab\"xxxxxxxxxxxxxxxxx\n"[..],
        b"                       \n",
        b"a,,,,,,,,,,,,,,,,,,,,,,,,,,,\n",
        b"h\n\"ab\n\ncd\",\"ef\n\n\",x",
    ] {
        assert!(
            matches!(first_fail(input, limits), Fail::RecordTooLong),
            "{input:?}"
        );
    }
}

#[test]
fn positions_in_fields() {
    let mut p = Classic::new(ReadLimits::default());
    let mut t = Tracker::new();
    // Fast path: the line as written.
    let mut rdr = &b"ab, cd\n x\"\"y, \"p\"\"q\r\nr\", z\n"[..];
    assert!(p.read_record(&mut rdr, &mut t).unwrap());
    assert_eq!(p.position_in_field(1, 1), at(1, 6));
    // State machine: `""` is two bytes, a line break inside quotes starts a line.
    assert!(p.read_record(&mut rdr, &mut t).unwrap());
    assert_eq!(p.field(0), b"x\"\"y");
    assert_eq!(p.position_in_field(0, 3), at(2, 5));
    assert_eq!(p.field(1), b"p\"q\r\nr");
    assert_eq!(p.position_in_field(1, 2), at(2, 12));
    assert_eq!(p.position_in_field(1, 5), at(3, 1));
    assert_eq!(p.position_in_field(2, 0), at(3, 5));
}

#[test]
fn bom_is_kept_and_makes_the_field_unquoted() {
    let input = "\u{FEFF}\"de\",\"x\"\n";
    assert_eq!(
        records(input.as_bytes()),
        vec![rec(&["\u{FEFF}\"de\"", "x"])]
    );
}

#[test]
fn columns_beyond_eleven_are_counted_not_kept() {
    let line = (0..15).map(|i| i.to_string()).collect::<Vec<_>>().join(",");
    let mut p = Classic::new(ReadLimits::default());
    let mut t = Tracker::new();
    let mut rdr = line.as_bytes();
    assert!(p.read_record(&mut rdr, &mut t).unwrap());
    assert_eq!(p.columns(), 15);
    assert_eq!(p.field(10), b"10");
    assert_eq!(p.field(11), b"");
}

#[test]
fn field_limit_counts_java_chars() {
    let ok = "a".repeat(MAX_FIELD_CHARS);
    assert_eq!(records(ok.as_bytes())[0][0].len(), MAX_FIELD_CHARS);
    // Trailing whitespace counts before it is trimmed.
    let mut p = Classic::new(ReadLimits::default());
    let mut t = Tracker::new();
    let long = format!("{ok} ,x");
    let mut rdr = long.as_bytes();
    assert!(matches!(
        p.read_record(&mut rdr, &mut t),
        Err(Fail::FieldTooLong { column: 0, .. })
    ));
    // Quoted: the decoded length counts (`""` is one).
    let q = format!("x,\"{}\"\"\"", "b".repeat(MAX_FIELD_CHARS - 1));
    assert_eq!(records(q.as_bytes())[0][1].len(), MAX_FIELD_CHARS);
    let q = format!("x,\"{}\"\"\"", "b".repeat(MAX_FIELD_CHARS));
    let mut rdr = q.as_bytes();
    let mut p = Classic::new(ReadLimits::default());
    assert!(matches!(
        p.read_record(&mut rdr, &mut t),
        Err(Fail::FieldTooLong { column: 1, .. })
    ));
    // Leading whitespace does not count.
    let lead = format!("{}{ok}", " ".repeat(10));
    assert_eq!(records(lead.as_bytes())[0][0].len(), MAX_FIELD_CHARS);
    // A surrogate pair counts 2.
    let emoji = "😀".repeat(MAX_FIELD_CHARS / 2 + 1);
    let mut rdr = emoji.as_bytes();
    let mut p = Classic::new(ReadLimits::default());
    assert!(matches!(
        p.read_record(&mut rdr, &mut t),
        Err(Fail::FieldTooLong { column: 0, .. })
    ));
}

#[test]
fn column_limit() {
    let ok = ",".repeat(MAX_COLUMNS - 1);
    let mut p = Classic::new(ReadLimits::default());
    let mut t = Tracker::new();
    let mut rdr = ok.as_bytes();
    assert!(p.read_record(&mut rdr, &mut t).unwrap());
    assert_eq!(p.columns(), MAX_COLUMNS);
    let bad = ",".repeat(MAX_COLUMNS);
    let mut rdr = bad.as_bytes();
    assert!(matches!(
        p.read_record(&mut rdr, &mut t),
        Err(Fail::TooManyColumns)
    ));
}

#[test]
fn small_chunks_give_the_same_records() {
    let input: &[u8] = b" a ,\"b\"\"c\" x,\r\n\r\n\"d\ne\",f\rg";
    let whole = records(input);
    let mut p = Classic::new(ReadLimits::default());
    let mut t = Tracker::new();
    let mut rdr = io::BufReader::with_capacity(1, input);
    let mut out = Vec::new();
    while p.read_record(&mut rdr, &mut t).unwrap() {
        let n = p.columns().min(KEPT_COLUMNS);
        out.push(
            (0..n)
                .map(|i| String::from_utf8_lossy(p.field(i)).into_owned())
                .collect::<Vec<_>>(),
        );
    }
    assert_eq!(out, whole);
    assert_eq!(
        whole,
        vec![rec(&["a", "b\"c", ""]), rec(&["d\ne", "f"]), rec(&["g"])]
    );
}
