//! The attribute scanner ([`Attrs`]) against a plain byte-at-a-time reading of the same grammar
//! (the scanner as it was before it was hand-written for speed): same attributes, same offsets,
//! same problems, for any tag text.

use proptest::prelude::*;

use super::*;

/// What the reference reading gives for one attribute: name, value, name and value offsets.
type Plain = (String, String, usize, usize);

/// The attribute grammar read one byte at a time with iterator searches.
fn reference(tag: &str, name_len: usize, check_names: bool) -> Vec<Result<Plain, TagProblem>> {
    let bytes = tag.as_bytes();
    let after_space = |i: usize| {
        bytes
            .get(i..)
            .and_then(|rest| rest.iter().position(|&b| !is_xml_space(b)))
            .map_or(bytes.len(), |n| i + n)
    };
    let mut out = Vec::new();
    let mut pos = name_len;
    loop {
        let name_start = after_space(pos);
        if name_start >= bytes.len() {
            return out;
        }
        if name_start == pos {
            out.push(Err(TagProblem::Syntax(
                name_start,
                "expected white space between attributes",
            )));
            return out;
        }
        let rest = &bytes[name_start..];
        let name_len = rest
            .iter()
            .position(|&b| {
                is_xml_space(b) || matches!(b, b'=' | b'"' | b'\'' | b'<' | b'>' | b'&' | b'/')
            })
            .unwrap_or(rest.len());
        let name_end = name_start + name_len;
        let problem = match bytes.get(name_end) {
            _ if name_len == 0 => Some(TagProblem::Syntax(name_end, "expected an attribute name")),
            Some(b'"' | b'\'' | b'<' | b'>' | b'&' | b'/') => Some(TagProblem::Syntax(
                name_end,
                "invalid character in an attribute name",
            )),
            _ if check_names && !is_qualified_name(&tag[name_start..name_end]) => {
                Some(TagProblem::Name(name_start, name_end))
            }
            _ => None,
        };
        if let Some(problem) = problem {
            out.push(Err(problem));
            return out;
        }
        let eq = after_space(name_end);
        if bytes.get(eq) != Some(&b'=') {
            out.push(Err(TagProblem::Syntax(
                eq,
                "expected `=` after the attribute name",
            )));
            return out;
        }
        let open = after_space(eq + 1);
        let quote = match bytes.get(open) {
            Some(&q @ (b'"' | b'\'')) => q,
            _ => {
                out.push(Err(TagProblem::Syntax(
                    open,
                    "expected a quoted attribute value",
                )));
                return out;
            }
        };
        let value_start = open + 1;
        let Some(value_len) = bytes[value_start..].iter().position(|&b| b == quote) else {
            out.push(Err(TagProblem::Syntax(open, "attribute value not closed")));
            return out;
        };
        let value_end = value_start + value_len;
        pos = value_end + 1;
        out.push(Ok((
            tag[name_start..name_end].to_owned(),
            tag[value_start..value_end].to_owned(),
            name_start,
            value_start,
        )));
    }
}

/// Reads `tag` with the scanner, checking what the reference does not give: the local name
/// and whether the value is plain.
fn scanned(tag: &str, name_len: usize, check_names: bool) -> Vec<Result<Plain, TagProblem>> {
    let attrs = if check_names {
        Attrs::new(tag, name_len)
    } else {
        Attrs::without_name_check(tag, name_len)
    };
    attrs
        .map(|attr| {
            attr.map(|a| {
                assert_eq!(a.local_name(), local_name(a.name), "{tag:?}");
                let plain = !a
                    .value
                    .bytes()
                    .any(|b| b == b'&' || b == b'<' || b < 0x20 || b == 0xEF);
                assert_eq!(a.plain, plain, "{tag:?}");
                if a.plain {
                    let mut decoded = String::new();
                    unescape_attribute(a.value, Some(&mut decoded)).unwrap();
                    assert_eq!(decoded, a.value);
                }
                (
                    a.name.to_owned(),
                    a.value.to_owned(),
                    a.name_start,
                    a.value_start,
                )
            })
        })
        .collect()
}

/// Tag texts made of the bytes the grammar cares about, long runs of name characters (so that
/// the eight-byte steps are taken and left at every offset) and characters of two, three and
/// four bytes.
fn tag_text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        4 => "[a-zA-Z_]{1,20}",
        2 => Just(" ".to_owned()),
        1 => "[ \t\r\n]{1,3}",
        2 => Just("=".to_owned()),
        2 => Just("\"".to_owned()),
        1 => Just("'".to_owned()),
        1 => "[0-9.:-]{1,3}",
        1 => "[&<>/;#!,()]",
        1 => "[\u{0}-\u{1f}]",
        1 => "[é€😀\u{f000}\u{fffd}\u{fffe}\u{ffff}]",
        2 => "value=\"[a-zA-Z0-9 &;<]{0,20}\"",
        1 => "[a-z]{1,9}:[a-z]{1,12}='[^']{0,17}'",
    ];
    proptest::collection::vec(piece, 0..24).prop_map(|pieces| format!("dv {}", pieces.concat()))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn the_scanner_reads_as_the_reference(tag in tag_text(), check_names: bool) {
        prop_assert_eq!(scanned(&tag, 2, check_names), reference(&tag, 2, check_names));
    }

    #[test]
    fn well_formed_tags_read_as_the_reference(
        attrs in proptest::collection::vec(
            ("[a-zA-Z_][a-zA-Z0-9_.:-]{0,24}", "[^\"]{0,40}", "[ \t\n]{1,2}"),
            0..10,
        )
    ) {
        let mut tag = "dataValue".to_owned();
        for (name, value, space) in &attrs {
            tag.push_str(space);
            tag.push_str(&format!("{name}=\"{value}\""));
        }
        let read = scanned(&tag, 9, false);
        prop_assert_eq!(&read, &reference(&tag, 9, false));
        prop_assert_eq!(read.len(), attrs.len());
    }
}

#[test]
fn eight_byte_steps_stop_at_every_offset() {
    for n in 0..40 {
        for stop in [
            "=\"v\"", " =\"v\"", "'", "<", "/", "&", ":b=\"\"", "8=\"\"", "-=''",
        ] {
            let tag = format!("dv {}{stop}", "n".repeat(n));
            assert_eq!(scanned(&tag, 2, false), reference(&tag, 2, false), "{tag}");
        }
        for inner in ["", "&amp;", "<", "\t", "\u{f000}", "é", "'", "(", " "] {
            let tag = format!("dv a=\"{}{inner}{}\"", "v".repeat(n), "w".repeat(n % 9));
            assert_eq!(scanned(&tag, 2, false), reference(&tag, 2, false), "{tag}");
        }
    }
}

#[test]
fn masks_mark_the_lowest_byte_exactly() {
    let word = |bytes: &[u8]| word_at(bytes, 0).unwrap();
    assert_eq!(word_at(b"1234567", 0), None);
    assert_eq!(word_at(b"12345678", 1), None);
    assert_eq!(first_marked(bytes_below(word(b"abc\x01defg"), b' ')), 3);
    assert_eq!(first_marked(bytes_equal(word(b"abcdefg\""), b'"')), 7);
    // A match below another byte that matches falsely after the borrow.
    assert_eq!(first_marked(bytes_equal(word(b"a\"\x01cdefg"), b'"')), 1);
    assert_eq!(bytes_below(word("é€ab€".as_bytes()), b'('), 0);
    assert_eq!(bytes_equal(word(b"\xff\xfe\x80\x81abcd"), 0x7f), 0);
}
