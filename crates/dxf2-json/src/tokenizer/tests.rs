//! Unit tests of the tokenizer.

use super::scan::{is_string_special, number_len};
use super::*;
use std::io::BufReader;

fn tok(s: &[u8]) -> Tokenizer<&[u8]> {
    Tokenizer::new(s)
}

fn string(s: &[u8]) -> Result<String> {
    let mut out = String::new();
    tok(s).read_string_into(&mut out)?;
    Ok(out)
}

#[test]
fn strings_with_every_escape() {
    assert_eq!(
        string(br#""a\"b\\c\/d\be\ff\ng\rh\ti\u00e9\u20AC""#).unwrap(),
        "a\"b\\c/d\u{8}e\u{c}f\ng\rh\ti\u{e9}\u{20ac}"
    );
    assert_eq!(string(br#""\ud83d\ude00""#).unwrap(), "\u{1F600}");
    assert_eq!(string("\"héllo 😀\"".as_bytes()).unwrap(), "héllo 😀");
}

#[test]
fn bad_strings() {
    let kind = |s: &[u8]| string(s).unwrap_err().into_kind();
    assert!(matches!(kind(br#""\ud83d""#), ErrorKind::UnpairedSurrogate));
    assert!(matches!(
        kind(br#""\ud83dx""#),
        ErrorKind::UnpairedSurrogate
    ));
    assert!(matches!(kind(br#""\ude00""#), ErrorKind::UnpairedSurrogate));
    assert!(matches!(
        kind(br#""\ud83d\u0041""#),
        ErrorKind::UnpairedSurrogate
    ));
    assert!(matches!(kind(br#""\x""#), ErrorKind::InvalidEscape { .. }));
    assert!(matches!(
        kind(br#""\u12G4""#),
        ErrorKind::InvalidEscape { .. }
    ));
    assert!(matches!(
        kind(b"\"a\nb\""),
        ErrorKind::ControlCharacter { byte: b'\n' }
    ));
    assert!(matches!(kind(b"\"a\xFFb\""), ErrorKind::InvalidUtf8));
    assert!(matches!(kind(b"\"a\xC3\""), ErrorKind::InvalidUtf8));
    assert!(matches!(kind(b"\"abc"), ErrorKind::UnexpectedEof { .. }));
    assert!(matches!(kind(b"\"abc\\"), ErrorKind::UnexpectedEof { .. }));
}

#[test]
fn utf8_split_across_refills() {
    let text = "\"aé€😀z\"";
    for cap in 1..8 {
        let mut t = Tokenizer::new(BufReader::with_capacity(cap, text.as_bytes()));
        let mut out = String::new();
        t.read_string_into(&mut out).unwrap();
        assert_eq!(out, "aé€😀z");
        assert_eq!(t.position().column, 8);
    }
    let mut t = Tokenizer::new(BufReader::with_capacity(1, &b"\"a\xE2\x82z\""[..]));
    assert!(matches!(
        t.read_string_into(&mut String::new()).unwrap_err().kind(),
        ErrorKind::InvalidUtf8
    ));
}

#[test]
fn numbers_as_written() {
    for ok in ["0", "-0", "10", "1.50", "-1e5", "2E+3", "0.0e-1"] {
        let mut out = String::new();
        tok(ok.as_bytes()).read_number_into(&mut out).unwrap();
        assert_eq!(out, ok);
    }
    for bad in ["01", "-,", "1.,", "1e,", "-x", "1.e3", "1e+}"] {
        let mut out = String::new();
        let e = tok(bad.as_bytes()).read_number_into(&mut out).unwrap_err();
        assert!(matches!(e.kind(), ErrorKind::InvalidNumber { .. }), "{bad}");
    }
    for truncated in ["-", "1.", "1e", "1E-"] {
        let e = tok(truncated.as_bytes())
            .read_number_into(&mut String::new())
            .unwrap_err();
        assert!(e.is_eof(), "{truncated}");
    }
}

#[test]
fn skips_any_value() {
    let doc = br#"{"a":[1,{"b":[[],{}]},"x\"]",true,null,-2.5e1],"c":{}} ,"#;
    let mut t = tok(doc);
    t.skip_value().unwrap();
    assert_eq!(t.skip_ws().unwrap(), Some(b','));
    for bad in [
        &b"[1,]"[..],
        b"{\"a\" 1}",
        b"{\"a\":1,}",
        b"[1 2]",
        b"{1:2}",
        b"[",
        b"tru",
    ] {
        assert!(
            tok(bad).skip_value().is_err(),
            "{:?}",
            String::from_utf8_lossy(bad)
        );
    }
}

#[test]
fn deep_nesting_is_refused_without_overflowing() {
    let doc = "[".repeat(100_000);
    let e = tok(doc.as_bytes()).skip_value().unwrap_err();
    assert!(matches!(e.kind(), ErrorKind::NestingTooDeep { .. }));
    let ok = format!("{}{}", "[".repeat(999), "]".repeat(999));
    tok(ok.as_bytes()).skip_value().unwrap();
}

#[test]
fn positions_count_lines_and_characters() {
    let mut t = tok("  \n\t é\"x".as_bytes());
    assert_eq!(t.skip_ws().unwrap(), Some(0xC3));
    assert_eq!(t.position(), Position { line: 2, column: 3 });
    t.bump(0xC3);
    t.bump(0xA9);
    assert_eq!(t.position(), Position { line: 2, column: 4 });
}

#[test]
fn columns_are_computed_from_the_line_start() {
    // Fast path (whole buffer) and careful path (one byte at a time) agree.
    for cap in [1, 2, 3, 1024] {
        let doc = "{\"\u{e9}\u{1F600}\":\n  \"\u{4e2d}x\\n\" ,\r\n\t\"k\" : 12 x";
        let mut t = Tokenizer::new(BufReader::with_capacity(cap, doc.as_bytes()));
        assert_eq!(t.peek_type().unwrap(), JsonType::Object);
        t.open(b'{').unwrap();
        assert!(t.next_member(true).unwrap());
        assert_eq!(
            t.read_key_with(|k| k.to_vec()).unwrap(),
            "\u{e9}\u{1F600}".as_bytes()
        );
        assert_eq!(t.position(), Position { line: 1, column: 7 });
        let mut text = String::new();
        assert_eq!(t.read_text_into(&mut text).unwrap(), None);
        assert_eq!(text, "\u{4e2d}x\n");
        assert_eq!(t.position(), Position { line: 2, column: 9 }, "cap {cap}");
        assert!(t.next_member(false).unwrap());
        assert_eq!(t.position(), Position { line: 3, column: 2 });
        assert!(t.read_key_with(|k| k == b"k").unwrap());
        text.clear();
        t.read_text_into(&mut text).unwrap();
        assert_eq!(text, "12");
        let e = t.next_member(false).unwrap_err();
        assert_eq!(
            e.position(),
            Some(Position {
                line: 3,
                column: 11
            })
        );
    }
}

#[test]
fn the_reader_is_left_after_what_was_read() {
    let mut t = tok(b"\"ab\" : rest");
    t.read_key_with(|_| ()).unwrap();
    let mut rest = t.into_inner();
    assert_eq!(rest.fill_buf().unwrap(), b" rest");
    let mut t = Tokenizer::new(BufReader::with_capacity(2, &b"[1, 2]tail"[..]));
    t.skip_value().unwrap();
    t.sync();
    let mut rest = Vec::new();
    std::io::Read::read_to_end(t.get_mut(), &mut rest).unwrap();
    assert_eq!(rest, b"tail");
}

#[test]
fn string_runs_stop_at_every_special_byte() {
    for len in 0..20 {
        for special in [
            b'"', b'\\', 0x00, 0x1F, 0x7F, 0x80, 0xC3, 0xFF, b' ', b'!', b'#',
        ] {
            let mut bytes = vec![b'a'; len];
            bytes.push(special);
            bytes.extend_from_slice(b"bcdefghijklmnop");
            let stops = is_string_special(special);
            let (n, high) = string_run(&bytes);
            if stops {
                assert_eq!((n, high), (len, false), "{len} {special:#x}");
            } else {
                assert_eq!(
                    (n, high),
                    (bytes.len(), special >= 0x80),
                    "{len} {special:#x}"
                );
            }
        }
    }
}

#[test]
fn number_fast_path_needs_the_byte_after() {
    assert_eq!(number_len(b"12,"), Some(2));
    assert_eq!(number_len(b"-0.5e+3}"), Some(7));
    assert_eq!(number_len(b"12"), None, "cut by the end of the buffer");
    assert_eq!(number_len(b"01,"), None, "an error for the careful path");
    assert_eq!(number_len(b"1.e3,"), None);
    assert_eq!(number_len(b"1-"), None);
}

#[test]
fn tokens_longer_than_the_limit_are_refused_on_every_path() {
    let limits = ReadLimits::default().with_max_token_bytes(4);
    for cap in [1, 2, 3, 1024] {
        let t = |s: &'static [u8]| Tokenizer::with_limits(BufReader::with_capacity(cap, s), limits);
        let too_long = |e: Error, what: &str| {
            assert!(
                matches!(e.kind(), ErrorKind::TokenTooLong { what: w, limit: 4 } if *w == what),
                "cap {cap}: {e}"
            );
            assert_eq!(e.position(), Some(Position { line: 1, column: 1 }));
        };
        let mut out = String::new();
        t(b"\"ab\\nd\"").read_string_into(&mut out).unwrap();
        assert_eq!(out, "ab\nd");
        for bad in [&b"\"abcde\""[..], b"\"ab\\ncd\"", b"\"\xC3\xA9\xC3\xA9x\""] {
            out.clear();
            too_long(t(bad).read_string_into(&mut out).unwrap_err(), "a string");
            assert!(out.len() <= 4, "never more than the limit is kept");
            too_long(
                t(bad).skip_value().unwrap_err(),
                "a string (in a skipped value)",
            );
        }
        let mut number = String::new();
        t(b"-123,").read_number_into(&mut number).unwrap();
        assert_eq!(number, "-123");
        for bad in [&b"12345,"[..], b"-1234", b"1.5e10"] {
            too_long(
                t(bad).read_number_into(&mut number).unwrap_err(),
                "a number",
            );
            too_long(t(bad).skip_value().unwrap_err(), "a number");
        }
        let mut key = t(b"\"abcde\":1");
        too_long(key.read_key_with(|_| ()).unwrap_err(), "an object key");
        let mut text = t(b"\"abcde\"");
        too_long(text.read_text_into(&mut out).unwrap_err(), "a string");
        let mut skipped = t(b"{\"abcde\":1}");
        let e = skipped.skip_value().unwrap_err();
        assert!(matches!(e.kind(), ErrorKind::TokenTooLong { .. }), "{e}");
        t(b"{\"abcd\":[1234,\"wxyz\",true]}").skip_value().unwrap();
    }
}

#[test]
fn nul_is_refused_in_kept_strings_only() {
    let e = string(br#""ab\u0000""#).unwrap_err();
    assert!(matches!(e.kind(), ErrorKind::NulCharacter));
    assert_eq!(e.position(), Some(Position { line: 1, column: 4 }));
    tok(br#"{"\u0000":["\u0000"]}"#).skip_value().unwrap();
    let mut t = tok(br#""k\u0000":"#);
    assert_eq!(t.read_key_with(|k| k.to_vec()).unwrap(), b"k\0");
    assert_eq!(string(br#""\u0001\u001f""#).unwrap(), "\u{1}\u{1f}");
}

#[test]
fn invalid_utf8_points_at_the_bad_byte() {
    for cap in [1, 2, 4, 1024] {
        let mut t = Tokenizer::new(BufReader::with_capacity(cap, &b"\"a\xC3\xA9b\xFFc\""[..]));
        let e = t.read_string_into(&mut String::new()).unwrap_err();
        assert!(matches!(e.kind(), ErrorKind::InvalidUtf8));
        assert_eq!(
            e.position(),
            Some(Position { line: 1, column: 5 }),
            "cap {cap}"
        );
    }
}

#[test]
fn bom_and_wide_encodings() {
    let mut t = tok(b"\xEF\xBB\xBF{}");
    t.skip_bom().unwrap();
    assert_eq!(t.peek().unwrap(), Some(b'{'));
    for wide in [&b"\xFF\xFE{\0"[..], b"\xFE\xFF\0{", b"{\0\"\0", b"\0\0\0{"] {
        let e = tok(wide).skip_bom().unwrap_err();
        assert!(matches!(e.kind(), ErrorKind::UnsupportedEncoding { .. }));
    }
    assert!(matches!(
        tok(b"\xEF\xBB{").skip_bom().unwrap_err().kind(),
        ErrorKind::InvalidUtf8
    ));
}
