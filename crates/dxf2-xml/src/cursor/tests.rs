//! Unit tests of the checked event stream.

use super::*;

/// Reads a whole document, returning a trace of the events.
fn trace(xml: &str) -> Result<Vec<String>, Error> {
    trace_bytes(xml.as_bytes(), ReadLimits::default())
}

fn trace_bytes(xml: &[u8], limits: ReadLimits) -> Result<Vec<String>, Error> {
    let mut cursor = Cursor::new(xml, limits);
    let mut out = Vec::new();
    loop {
        let item = cursor.next(|pos, ev| {
            Ok(match ev {
                Ev::Start { tag, empty, depth } => format!(
                    "{}:{} start {} {empty} {depth}",
                    pos.line,
                    pos.column,
                    tag.name().into_inner()
                ),
                Ev::End { depth } => format!("{}:{} end {depth}", pos.line, pos.column),
                Ev::Text(t) => format!("text {:?}", &*t),
                Ev::Ref(c) => format!("ref {c}"),
                Ev::CData(c) => format!("cdata {:?}", &*c),
                Ev::Eof => "eof".to_owned(),
            })
        })?;
        let eof = item == "eof";
        out.push(item);
        if eof {
            return Ok(out);
        }
    }
}

fn fails(xml: &str) -> Error {
    trace(xml).expect_err(xml)
}

/// Reads `xml` with a token limit of `limit` bytes.
fn limited(xml: &str, limit: usize) -> Result<Vec<String>, Error> {
    trace_bytes(
        xml.as_bytes(),
        ReadLimits::default().with_max_token_bytes(limit),
    )
}

/// The error of a token longer than `limit`: what, line and column.
fn too_long(xml: &str, limit: usize) -> (String, u64, u64) {
    let e = limited(xml, limit).expect_err(xml);
    match e.kind() {
        ErrorKind::TokenTooLong { what, limit: l } => {
            assert_eq!(*l, limit);
            assert_eq!(e.category(), crate::Category::Limit);
            (what.clone(), e.line().unwrap(), e.column().unwrap())
        }
        _ => panic!("{xml}: {e}"),
    }
}

#[test]
fn events_with_positions() {
    let t = trace("<?xml version='1.0'?>\n<!-- c -->\n<a>\n  <b x=\"1\"/>&amp;<![CDATA[z]]></a>\n")
        .unwrap();
    assert_eq!(
        t,
        vec![
            "3:1 start a false 1",
            "text \"\\n  \"",
            "4:3 start b true 2",
            "ref &",
            "cdata \"z\"",
            "4:31 end 1",
            "eof"
        ]
    );
}

#[test]
fn the_fast_advance_is_the_model_advance() {
    for text in [
        "",
        "abc",
        "\n",
        "\n  ",
        "a\nb\n\ncd",
        "é\nab",
        "ab\né",
        "€",
        "a\r\nb",
        "\u{feff}x",
    ] {
        for pos in [
            Position::START,
            Position {
                line: 7,
                column: 30,
            },
        ] {
            assert_eq!(
                advance(pos, text.as_bytes()),
                pos.advance(text.as_bytes()),
                "{text:?}"
            );
        }
    }
    let long = format!("{}\n{}", "é".repeat(50), "x".repeat(70));
    assert_eq!(
        advance(Position::START, long.as_bytes()),
        Position::START.advance(long.as_bytes())
    );
}

#[test]
fn byte_order_mark_is_skipped() {
    assert_eq!(
        trace("\u{feff}<a/>").unwrap(),
        vec!["1:1 start a true 1", "eof"]
    );
}

#[test]
fn well_formedness_errors() {
    let e = fails("<a>x</b>");
    assert!(
        matches!(e.kind(), ErrorKind::MismatchedEndTag { expected, found } if expected == "a" && found == "b")
    );
    assert_eq!(e.position(), Some(Position { line: 1, column: 5 }));
    let e = fails("<a>\n<b>\n");
    assert!(matches!(e.kind(), ErrorKind::UnexpectedEof { expected } if expected == "</b>"));
    assert!(e.is_eof());
    assert_eq!(e.position(), Some(Position { line: 3, column: 1 }));
    let e = fails("<a/>\n  junk");
    assert_eq!(e.position(), Some(Position { line: 2, column: 3 }));
    assert!(
        e.to_string().contains("after the end of the root element"),
        "{e}"
    );
    assert!(fails("junk<a/>")
        .to_string()
        .contains("before the root element"));
    assert!(fails("<a/><b/>").to_string().contains("second root"));
    assert!(fails("</a>").to_string().contains("without a start tag"));
    assert!(fails(" <?xml version='1.0'?><a/>")
        .to_string()
        .contains("declaration"));
    assert!(matches!(
        fails("<?xml version='1.0' encoding='ISO-8859-1'?><a/>").kind(),
        ErrorKind::UnsupportedEncoding { .. }
    ));
    assert!(trace("<?xml version='1.0' encoding='utf-8'?><a/>").is_ok());
    assert!(matches!(
        fails("<a>&nbsp;</a>").kind(),
        ErrorKind::InvalidReference { .. }
    ));
    assert!(fails("<a>a & b</a>").to_string().contains("&amp;"));
    assert!(fails("<a><!-- a -- b --></a>").category() == crate::Category::Syntax);
    let e = fails("<a>\n<b x=\"1");
    assert!(e.is_eof());
    assert_eq!(e.position(), Some(Position { line: 2, column: 1 }));
    assert_eq!(
        e.to_string(),
        "line 2, column 1: unexpected end of input: expected `\"` closing the attribute value"
    );
    assert!(fails("<a><b").is_eof());
    assert!(!fails("<a><![CDAX[x]]></a>").is_eof());
    assert!(fails("<a/><!DOCTYPE a>").to_string().contains("DOCTYPE"));
    assert!(fails("<>").to_string().contains("element name"));
    assert_eq!(trace("").unwrap(), vec!["eof"]);
}

#[test]
fn invalid_utf8_is_located() {
    let mut cursor = Cursor::new(&b"<a>\n  <b x=\"\xff\"/></a>"[..], ReadLimits::default());
    let mut result = Ok(());
    for _ in 0..5 {
        result = cursor.next(|_, _| Ok(()));
        if result.is_err() {
            break;
        }
    }
    let e = result.unwrap_err();
    assert!(matches!(e.kind(), ErrorKind::InvalidUtf8));
    assert_eq!(e.position(), Some(Position { line: 2, column: 9 }));
}

#[test]
fn doctype_entities_are_never_expanded() {
    let xml = "<!DOCTYPE a [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><a>&e;</a>";
    assert!(
        matches!(fails(xml).kind(), ErrorKind::InvalidReference { reference, .. } if reference == "e")
    );
    assert!(trace("<!DOCTYPE a><a/>").is_ok());
}

#[test]
fn every_kind_of_token_is_bounded() {
    let x = "x".repeat(100);
    let cases = [
        (format!("<a>\n <!--{x}--></a>"), "a comment", 2, 2),
        (format!("<a>\n {x}</a>"), "a text run", 1, 4),
        (format!("<!DOCTYPE a [{x}]>\n<a/>"), "a DOCTYPE", 1, 1),
        (format!("<a><![CDATA[{x}]]></a>"), "a CDATA section", 1, 4),
        (
            format!("<a><?pi {x}?></a>"),
            "a processing instruction",
            1,
            4,
        ),
        (
            format!("<?xml version='1.0'{}?><a/>", " ".repeat(100)),
            "the XML declaration",
            1,
            1,
        ),
        (
            format!("<a>&#{}65;</a>", "0".repeat(100)),
            "a reference",
            1,
            4,
        ),
        (format!("<a></a{}>", " ".repeat(100)), "an end tag", 1, 4),
        (
            format!("<a>\n<b c='1' {x}='2'/></a>"),
            "the start tag <b>",
            2,
            1,
        ),
        (format!("<a{x}/>"), "a start tag", 1, 1),
        (
            format!("<a>\n <b c='1'\n  value = \"{x}\"/></a>"),
            "the value of attribute `value`",
            3,
            12,
        ),
        (
            format!("<a>\n<b c='1' d=\"{x}"),
            "the value of attribute `d`",
            2,
            13,
        ),
    ];
    for (xml, what, line, column) in cases {
        assert_eq!(too_long(&xml, 64), (what.to_owned(), line, column), "{xml}");
        assert!(limited(&xml, 200).is_ok() || !xml.ends_with('>'), "{xml}");
    }
}

#[test]
fn the_limit_is_exact() {
    // A text run of exactly the limit passes, one byte more does not.
    assert!(limited("<a>xxxx</a>", 4).is_ok());
    assert_eq!(too_long("<a>xxxxx</a>", 4), ("a text run".to_owned(), 1, 4));
    // Markup counts its delimiters: `<a/>` is four bytes.
    assert!(limited("<a/>", 4).is_ok());
    assert_eq!(too_long("<a/>", 3), ("the start tag <a>".to_owned(), 1, 1));
    assert!(limited("<a><!--x--></a>", 8).is_ok());
    assert_eq!(
        too_long("<a><!--x--></a>", 7),
        ("a comment".to_owned(), 1, 4)
    );
    // A long document of short tokens is fine.
    let many = format!("<a>{}</a>", "<b/>\n".repeat(10_000));
    assert!(limited(&many, 5).is_ok());
    assert!(trace_bytes(many.as_bytes(), ReadLimits::unlimited()).is_ok());
}

#[test]
fn the_message_says_how_to_raise_the_limit() {
    let e = limited("<a>\n  <!-- a long comment --></a>", 16).unwrap_err();
    assert_eq!(
        e.to_string(),
        "line 2, column 3: a comment starting here is longer than the limit of 16 bytes for \
         one token (raise ReadLimits::max_token_bytes, or --max-token-bytes on the command line)"
    );
}

#[test]
fn characters_xml_does_not_allow_are_refused() {
    let bad = |xml: &str| {
        let e = fails(xml);
        match e.kind() {
            ErrorKind::InvalidChar { found, context } => {
                assert_eq!(e.category(), crate::Category::Syntax);
                (*found, *context, e.line().unwrap(), e.column().unwrap())
            }
            _ => panic!("{xml}: {e}"),
        }
    };
    assert_eq!(bad("<a>\n x\0y</a>"), ('\0', "text", 2, 3));
    assert_eq!(bad("\0<a/>"), ('\0', "text", 1, 1));
    assert_eq!(bad("<a/>\u{1}"), ('\u{1}', "text", 1, 5));
    assert_eq!(bad("<a>\u{b}</a>"), ('\u{b}', "text", 1, 4));
    assert_eq!(bad("<a>\u{fffe}</a>"), ('\u{fffe}', "text", 1, 4));
    assert_eq!(
        bad("<a><![CDATA[ab\u{1f}]]></a>"),
        ('\u{1f}', "a CDATA section", 1, 15)
    );
    assert_eq!(bad("<a><!-- \u{7} --></a>"), ('\u{7}', "a comment", 1, 9));
    assert_eq!(
        bad("<a><?pi \0?></a>"),
        ('\0', "a processing instruction", 1, 9)
    );
    assert_eq!(bad("<!DOCTYPE a [\0]><a/>"), ('\0', "the DOCTYPE", 1, 14));
    assert_eq!(
        bad("<?xml version='1.0\u{2}'?><a/>"),
        ('\u{2}', "the XML declaration", 1, 19)
    );
    assert_eq!(
        fails("<a>\0</a>").to_string(),
        "line 1, column 4: character U+0000 is not allowed in XML (text); write it as a \
         character reference, or remove it"
    );
    // Allowed: tab, LF, CR, DEL, C1 controls, U+FFFD.
    assert!(trace("<a>\t\r\n\u{7f}\u{85}\u{fffd}</a>").is_ok());
}

#[test]
fn not_xml_at_all_fails_after_one_token() {
    // `/dev/zero`: the NUL at the very start is reported, after at most one token.
    let zeros = vec![0u8; 10_000];
    let e = trace_bytes(&zeros, ReadLimits::default().with_max_token_bytes(100)).unwrap_err();
    assert!(
        matches!(e.kind(), ErrorKind::InvalidChar { found: '\0', .. }),
        "{e}"
    );
    assert_eq!(e.position(), Some(Position { line: 1, column: 1 }));
    let mut xml = b"<a>\nabc".to_vec();
    xml.extend_from_slice(&zeros);
    let e = trace_bytes(&xml, ReadLimits::default().with_max_token_bytes(100)).unwrap_err();
    assert!(
        matches!(e.kind(), ErrorKind::InvalidChar { found: '\0', .. }),
        "{e}"
    );
    assert_eq!(e.position(), Some(Position { line: 2, column: 4 }));
    // Bytes that are not UTF-8 in a long token.
    let mut xml = b"<a>".to_vec();
    xml.extend(std::iter::repeat_n(0xffu8, 1000));
    let e = trace_bytes(&xml, ReadLimits::default().with_max_token_bytes(100)).unwrap_err();
    assert!(matches!(e.kind(), ErrorKind::InvalidUtf8), "{e}");
    assert_eq!(e.position(), Some(Position { line: 1, column: 4 }));
}

#[test]
fn element_names_must_be_xml_names() {
    for (xml, name) in [
        ("<+e/>", "+e"),
        ("<a><1b></1b></a>", "1b"),
        ("<a:b:c/>", "a:b:c"),
        ("<:a/>", ":a"),
        ("<a><b\u{1}/></a>", "b\u{1}"),
    ] {
        let e = fails(xml);
        assert!(
            matches!(e.kind(), ErrorKind::InvalidName { what: "element", name: n } if n == name),
            "{xml}: {e}"
        );
    }
    let e = fails("<a>\n  <+e/></a>");
    assert_eq!(
        e.to_string(),
        "line 2, column 4: `+e` is not a valid XML element name"
    );
    assert!(trace("<d:a xmlns:d='urn:x'><\u{e9}l\u{e9}ment/><_x.y-z/></d:a>").is_ok());
}

#[test]
fn nesting_is_bounded() {
    let deep = |n: usize| format!("{}{}", "<a>".repeat(n), "</a>".repeat(n));
    assert!(trace(&deep(MAX_DEPTH)).is_ok());
    let e = fails(&deep(MAX_DEPTH + 1));
    assert!(
        matches!(e.kind(), ErrorKind::NestingTooDeep { limit: MAX_DEPTH }),
        "{e}"
    );
    assert_eq!(e.column(), Some(3 * MAX_DEPTH as u64 + 1));
    let e = fails(&format!(
        "{}<a/>{}",
        "<a>".repeat(MAX_DEPTH),
        "</a>".repeat(MAX_DEPTH)
    ));
    assert!(matches!(e.kind(), ErrorKind::NestingTooDeep { .. }), "{e}");
    // The names of the open elements together are bounded by the token limit.
    let name = "n".repeat(30);
    let xml = format!("<{name}><{name}><{name}></{name}></{name}></{name}>");
    assert!(limited(&xml, 90).is_ok());
    let e = limited(&xml, 89).unwrap_err();
    assert!(
        matches!(e.kind(), ErrorKind::TokenTooLong { what, .. } if what == "the names of the open elements together"),
        "{e}"
    );
    assert_eq!(e.column(), Some(65));
}
