//! Unit tests of the pipeline dialect.
use super::*;

fn rules() -> Rules {
    Rules {
        limits: ReadLimits::default(),
        utf8: Utf8Policy::Error,
    }
}

fn open(input: &str) -> (Pipeline, &[u8], Tracker) {
    let mut rdr = input.as_bytes();
    let mut t = Tracker::new();
    let p = Pipeline::open(&mut rdr, &mut t, rules(), &mut Replaced::default()).unwrap();
    (p, rdr, t)
}

fn lines(input: &str) -> Vec<Vec<Option<String>>> {
    let (mut p, mut rdr, mut t) = open(input);
    let mut out = Vec::new();
    while p
        .read_line(&mut rdr, &mut t, &mut Replaced::default())
        .unwrap()
    {
        out.push(
            (0..p.cell_count())
                .map(|i| p.cell(i).map(str::to_owned))
                .collect(),
        );
    }
    out
}

fn s(t: &str) -> Option<String> {
    Some(t.to_owned())
}

#[test]
fn header_split_unquote_and_map() {
    let (p, _, _) = open(
        " \"dataelement\" , Period,ORGUNIT,categoryOptionCombo,x y,,storedBy,TimeStamp,\"\",a,\n",
    );
    let names: Vec<&str> = p.columns.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "dataelement",
            "Period",
            "ORGUNIT",
            "categoryOptionCombo",
            "x y",
            "",
            "storedBy",
            "TimeStamp",
            "",
            "a"
        ]
    );
    let targets: Vec<Target> = p.columns.iter().map(|c| c.target).collect();
    assert_eq!(
        targets,
        [
            Target::Field(Field::DataElement),
            Target::Field(Field::Period),
            Target::Field(Field::OrgUnit),
            Target::Field(Field::CategoryOptionCombo),
            Target::Extra,
            Target::Extra,
            Target::Ignored,
            Target::Ignored,
            Target::Extra,
            Target::Extra
        ]
    );
    assert!(!p.category_options_active);
    let (p, _, _) = open("categoryoptioncombo,age\n");
    assert!(p.category_options_active);
}

#[test]
fn header_quotes_do_not_protect_commas() {
    let (p, _, _) = open("\"a,b\",c");
    let names: Vec<&str> = p.columns.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["\"a", "b\"", "c"]);
}

#[test]
fn header_errors() {
    let mut t = Tracker::new();
    let mut r = Replaced::default();
    assert!(matches!(
        Pipeline::open(&mut &b""[..], &mut t, rules(), &mut r),
        Err(Fail::NoHeaderLine)
    ));
    assert!(matches!(
        Pipeline::open(&mut &b"a,\",b"[..], &mut t, rules(), &mut r),
        Err(Fail::InvalidHeaderCell(c)) if c == "\""
    ));
    // An empty first line is a header without columns: fine until data follows.
    let (mut p, mut rdr, mut t) = open("\n");
    assert!(!p.read_line(&mut rdr, &mut t, &mut r).unwrap());
    let (mut p, mut rdr, mut t) = open("\nx\n");
    assert!(matches!(
        p.read_line(&mut rdr, &mut t, &mut r),
        Err(Fail::EmptyHeader)
    ));
}

#[test]
fn fields_quoting_and_nulls() {
    assert_eq!(
        lines("h\n a b ,,\"\",\" q \" junk , \"x\"\"y\",null,\"null\",\"closed\"\n"),
        vec![vec![
            s("a b"),
            None,
            s(""),
            s(" q "),
            s("x"),
            s("null"),
            s("null"),
            s("closed")
        ]]
    );
}

fn first_fail(input: &[u8], rules: Rules, capacity: usize) -> Fail {
    let mut rdr = io::BufReader::with_capacity(capacity, input);
    let mut t = Tracker::new();
    let mut r = Replaced::default();
    let mut p = match Pipeline::open(&mut rdr, &mut t, rules, &mut r) {
        Ok(p) => p,
        Err(f) => return f,
    };
    loop {
        match p.read_line(&mut rdr, &mut t, &mut r) {
            Ok(true) => {}
            Ok(false) => panic!("no failure"),
            Err(f) => return f,
        }
    }
}

fn at(line: u64, column: u64) -> TextPosition {
    TextPosition { line, column }
}

#[test]
fn unclosed_quote_is_refused_where_it_opened() {
    // DHIS2 2.43 would read `unterminated` (the rest of the line) as the field.
    let fail = first_fail(b"h\na,\"b\",  \"unterminated\nc\n", rules(), 8192);
    assert!(
        matches!(fail, Fail::UnterminatedQuote { column: 2, start } if start == at(2, 9)),
        "{fail:?}"
    );
    // At the end of the input too.
    let fail = first_fail(b"h\na\n\"b", rules(), 3);
    assert!(
        matches!(fail, Fail::UnterminatedQuote { column: 0, start } if start == at(3, 1)),
        "{fail:?}"
    );
}

#[test]
fn limits_on_lines_and_fields() {
    let limits = ReadLimits::default()
        .with_max_token_bytes(8)
        .with_max_record_bytes(20);
    let rules = Rules {
        limits,
        utf8: Utf8Policy::Error,
    };
    for capacity in [1, 3, 8192] {
        // A long line of short fields: the record limit.
        let fail = first_fail(b"h\n1,2,3,4,5,6,7,8,9,10,11\n", rules, capacity);
        assert!(matches!(fail, Fail::RecordTooLong), "{fail:?}");
        // A long field: the token limit, found while the line is read.
        let fail = first_fail(b"h\nde, 123456789,x\n", rules, capacity);
        assert!(
            matches!(fail, Fail::TokenTooLong { column: 1, start } if start == at(2, 5)),
            "{fail:?}"
        );
        // No `""` escape: the field ends at the second quote.
        let fail = first_fail(b"h\n,,\"\"x,\"123456789\"\n", rules, capacity);
        assert!(
            matches!(fail, Fail::TokenTooLong { column: 3, start } if start == at(2, 8)),
            "{fail:?}"
        );
        // A header cell.
        let fail = first_fail(b"dataElement\n", rules, capacity);
        assert!(
            matches!(fail, Fail::TokenTooLong { column: 0, start } if start == at(1, 1)),
            "{fail:?}"
        );
        let fail = first_fail(b"a,b,c,d,e,f,g,h,i,j,k\n", rules, capacity);
        assert!(matches!(fail, Fail::RecordTooLong), "{fail:?}");
    }
    // At the limits: fine. Junk after a closing quote is no field.
    let mut rdr = &b"de\n\"12345678\"j,12345678\n"[..];
    let mut t = Tracker::new();
    let mut r = Replaced::default();
    let mut p = Pipeline::open(&mut rdr, &mut t, rules, &mut r).unwrap();
    assert!(p.read_line(&mut rdr, &mut t, &mut r).unwrap());
    assert_eq!(p.cell(0), Some("12345678"));
    assert_eq!(p.cell(1), Some("12345678"));
}

#[test]
fn invalid_utf8_refused_or_replaced() {
    let input = b"h,i\nab,c\xffd\xe2\x82\nx\xc3\n";
    let fail = first_fail(input, rules(), 8192);
    assert!(
        matches!(fail, Fail::InvalidUtf8 { at: a } if a == at(2, 5)),
        "{fail:?}"
    );
    let fail = first_fail(b"h\xe9,i\n", rules(), 8192);
    assert!(
        matches!(fail, Fail::InvalidUtf8 { at: a } if a == at(1, 2)),
        "{fail:?}"
    );
    let replace = Rules {
        limits: ReadLimits::default(),
        utf8: Utf8Policy::Replace,
    };
    let mut rdr = &input[..];
    let mut t = Tracker::new();
    let mut r = Replaced::default();
    let mut p = Pipeline::open(&mut rdr, &mut t, replace, &mut r).unwrap();
    assert!(p.read_line(&mut rdr, &mut t, &mut r).unwrap());
    assert_eq!(p.cell(1), Some("c\u{FFFD}d\u{FFFD}"));
    assert!(p.read_line(&mut rdr, &mut t, &mut r).unwrap());
    assert_eq!(p.cell(0), Some("x\u{FFFD}"));
    assert_eq!(r.summary(), Some((3, at(2, 5))));
    // A position after a replacement is a position in the input.
    let input = b"h\n\xff\xff,\"x\n";
    let mut rdr = &input[..];
    let mut p = Pipeline::open(&mut rdr, &mut t, replace, &mut r).unwrap();
    assert!(matches!(
        p.read_line(&mut rdr, &mut t, &mut r),
        Err(Fail::UnterminatedQuote { column: 1, start }) if start.column == 4
    ));
}

#[test]
fn trailing_comma_adds_no_field_leading_comma_is_null() {
    assert_eq!(lines("h\na,\n,b\n"), vec![vec![s("a")], vec![None, s("b")]]);
    assert_eq!(lines("h\n\"a\",\n"), vec![vec![s("a")]]);
}

#[test]
fn empty_line_ends_input() {
    assert_eq!(lines("h\na\n\nb\n"), vec![vec![s("a")]]);
}

#[test]
fn crlf_stops_after_first_row_but_header_crlf_is_fine() {
    assert_eq!(lines("h\r\na\r\nb\r\n"), vec![vec![s("a")]]);
    assert_eq!(lines("h\ra\rb\r"), vec![vec![s("a")], vec![s("b")]]);
    // LF after a CR-ended header is skipped once.
    assert_eq!(lines("h\r\n\na"), Vec::<Vec<Option<String>>>::new());
}

#[test]
fn small_chunks() {
    let input = "h,i\r\n \"a\" , b \nc,d";
    let mut rdr = io::BufReader::with_capacity(1, input.as_bytes());
    let mut t = Tracker::new();
    let mut r = Replaced::default();
    let mut p = Pipeline::open(&mut rdr, &mut t, rules(), &mut r).unwrap();
    let mut out = Vec::new();
    while p.read_line(&mut rdr, &mut t, &mut r).unwrap() {
        out.push(
            (0..p.cell_count())
                .map(|i| p.cell(i).map(str::to_owned))
                .collect::<Vec<_>>(),
        );
    }
    assert_eq!(out, vec![vec![s("a"), s("b")], vec![s("c"), s("d")]]);
}
