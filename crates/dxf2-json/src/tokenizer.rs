//! A small hand-written JSON pull tokenizer over `BufRead`.
//!
//! It reads straight from the reader's buffer (`fill_buf`/`consume`), tracks line and column,
//! decodes strings (all escapes, surrogate pairs, UTF-8 validated across buffer boundaries)
//! into a caller's `String`, copies numbers as written, and skips whole values of any shape
//! without recursion. It never holds more of the document than one string or number.

use std::io::{self, BufRead};

use crate::error::{Error, ErrorKind, JsonType, Position, Result};

/// Deepest nesting accepted (Jackson's default `maxNestingDepth` since 2.15 is also 1000).
pub(crate) const MAX_DEPTH: usize = 1000;

/// What the string scanner must stop at: quote, backslash and control characters.
fn is_string_special(b: u8) -> bool {
    b == b'"' || b == b'\\' || b < 0x20
}

/// Number of characters in a run of UTF-8 bytes (continuation bytes are not counted).
fn char_count(bytes: &[u8]) -> u64 {
    bytes.iter().filter(|&&b| (b & 0xC0) != 0x80).count() as u64
}

/// Length of the UTF-8 sequence announced by a lead byte.
fn utf8_width(lead: u8) -> usize {
    match lead {
        0xC0..=0xDF => 2,
        0xE0..=0xEF => 3,
        0xF0..=0xF7 => 4,
        _ => 1,
    }
}

/// How a byte found where it was not expected is shown in messages.
pub(crate) fn describe_byte(b: u8) -> String {
    match b {
        b'`' => "a backtick".to_owned(),
        0x21..=0x7E => format!("`{}`", b as char),
        b' ' => "a space".to_owned(),
        0x00..=0x1F | 0x7F => format!("control character U+{b:04X}"),
        _ => format!("byte 0x{b:02X}"),
    }
}

/// Appends a run of raw string bytes to `out`, validating UTF-8. A sequence cut at the end of
/// the run is kept in `carry` and completed by the next run.
fn push_utf8(
    carry: &mut [u8; 4],
    carry_len: &mut usize,
    mut run: &[u8],
    out: &mut String,
) -> std::result::Result<(), ()> {
    if *carry_len > 0 {
        let need = carry.first().copied().map_or(1, utf8_width);
        while *carry_len < need {
            match run.split_first() {
                Some((b, rest)) => {
                    let slot = carry.get_mut(*carry_len).ok_or(())?;
                    *slot = *b;
                    *carry_len += 1;
                    run = rest;
                }
                None => return Ok(()),
            }
        }
        let bytes = carry.get(..need).ok_or(())?;
        out.push_str(std::str::from_utf8(bytes).map_err(|_| ())?);
        *carry_len = 0;
    }
    match std::str::from_utf8(run) {
        Ok(s) => out.push_str(s),
        Err(e) => {
            let (valid, rest) = run.split_at(e.valid_up_to());
            out.push_str(std::str::from_utf8(valid).map_err(|_| ())?);
            if e.error_len().is_some() || rest.len() > 3 {
                return Err(());
            }
            carry.get_mut(..rest.len()).ok_or(())?.copy_from_slice(rest);
            *carry_len = rest.len();
        }
    }
    Ok(())
}

/// The reader's buffered bytes, refilled when empty (an empty slice means end of input).
/// Borrows only the reader, so the tokenizer's other fields stay usable.
fn fill<R: BufRead>(rd: &mut R, at: Position) -> Result<&[u8]> {
    loop {
        match rd.fill_buf() {
            Ok([]) => return Ok(&[]),
            Ok(_) => break,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(Error::at(ErrorKind::Io(e), at)),
        }
    }
    // Data is buffered now: asking again returns it without reading.
    rd.fill_buf().map_err(|e| Error::at(ErrorKind::Io(e), at))
}

/// The pull tokenizer.
pub(crate) struct Tokenizer<R> {
    rd: R,
    line: u64,
    column: u64,
    /// Depth of the containers the caller entered (`enter`/`leave`).
    depth: usize,
    /// Bytes of a UTF-8 sequence split across two buffer refills.
    carry: [u8; 4],
    carry_len: usize,
    /// The last object key read (reused).
    key: String,
    /// Scratch text for skipped strings and coerced booleans (reused).
    scratch: String,
    /// Container stack of `skip_value` (`true` = object), reused.
    stack: Vec<bool>,
}

impl<R: BufRead> Tokenizer<R> {
    pub(crate) fn new(rd: R) -> Tokenizer<R> {
        Tokenizer {
            rd,
            line: 1,
            column: 1,
            depth: 0,
            carry: [0; 4],
            carry_len: 0,
            key: String::new(),
            scratch: String::new(),
            stack: Vec::new(),
        }
    }

    /// Forgets the position and nesting (after the underlying reader was rewound).
    pub(crate) fn reset(&mut self) {
        self.line = 1;
        self.column = 1;
        self.depth = 0;
        self.carry_len = 0;
    }

    pub(crate) fn get_mut(&mut self) -> &mut R {
        &mut self.rd
    }

    pub(crate) fn get_ref(&self) -> &R {
        &self.rd
    }

    pub(crate) fn into_inner(self) -> R {
        self.rd
    }

    /// The position of the next byte.
    pub(crate) fn position(&self) -> Position {
        Position {
            line: self.line,
            column: self.column,
        }
    }

    /// The last key read by [`Tokenizer::read_key`].
    pub(crate) fn key(&self) -> &str {
        &self.key
    }

    fn err(&self, kind: ErrorKind) -> Error {
        Error::at(kind, self.position())
    }

    fn here(&self) -> Position {
        self.position()
    }

    /// The next byte, without consuming it.
    pub(crate) fn peek(&mut self) -> Result<Option<u8>> {
        let at = self.here();
        Ok(fill(&mut self.rd, at)?.first().copied())
    }

    /// Consumes one byte that `peek` returned.
    pub(crate) fn bump(&mut self, b: u8) {
        self.rd.consume(1);
        if b == b'\n' {
            self.line += 1;
            self.column = 1;
        } else if (b & 0xC0) != 0x80 {
            self.column += 1;
        }
    }

    fn unexpected(&self, expected: &'static str, found: Option<u8>) -> Error {
        match found {
            Some(b) => self.err(ErrorKind::UnexpectedCharacter {
                expected,
                found: describe_byte(b),
            }),
            None => self.err(ErrorKind::UnexpectedEof { expected }),
        }
    }

    /// Skips whitespace and returns the next byte, not consumed.
    pub(crate) fn skip_ws(&mut self) -> Result<Option<u8>> {
        loop {
            let (line, column) = (self.line, self.column);
            let buf = fill(&mut self.rd, Position { line, column })?;
            if buf.is_empty() {
                return Ok(None);
            }
            let (mut l, mut c, mut n) = (line, column, 0usize);
            let mut stop = None;
            for &b in buf {
                match b {
                    b'\n' => {
                        l += 1;
                        c = 1;
                    }
                    b' ' | b'\t' | b'\r' => c += 1,
                    other => {
                        stop = Some(other);
                        break;
                    }
                }
                n += 1;
            }
            self.rd.consume(n);
            self.line = l;
            self.column = c;
            if stop.is_some() {
                return Ok(stop);
            }
        }
    }

    /// Skips a UTF-8 byte order mark at the very start (Jackson does the same for byte input)
    /// and refuses input that looks like UTF-16 or UTF-32.
    pub(crate) fn skip_bom(&mut self) -> Result<()> {
        let (first, second) = {
            let at = self.here();
            let buf = fill(&mut self.rd, at)?;
            (buf.first().copied(), buf.get(1).copied())
        };
        match (first, second) {
            (Some(0xEF), _) => {
                self.rd.consume(1);
                for expected in [0xBB, 0xBF] {
                    if self.peek()? != Some(expected) {
                        return Err(self.err(ErrorKind::InvalidUtf8));
                    }
                    self.rd.consume(1);
                }
                Ok(())
            }
            (Some(0xFE | 0xFF), _) | (Some(0), _) | (Some(_), Some(0)) => {
                Err(self.err(ErrorKind::UnsupportedEncoding {
                    encoding: "UTF-16 or UTF-32",
                }))
            }
            _ => Ok(()),
        }
    }

    /// After the document: only whitespace may follow.
    pub(crate) fn expect_end(&mut self) -> Result<()> {
        match self.skip_ws()? {
            None => Ok(()),
            Some(_) => Err(self.err(ErrorKind::TrailingCharacters)),
        }
    }

    /// Notes that the caller entered a container (checks the nesting limit).
    pub(crate) fn enter(&mut self) -> Result<()> {
        if self.depth + self.stack.len() >= MAX_DEPTH {
            return Err(self.err(ErrorKind::NestingTooDeep { limit: MAX_DEPTH }));
        }
        self.depth += 1;
        Ok(())
    }

    /// Notes that the caller left a container.
    pub(crate) fn leave(&mut self) {
        self.depth = self.depth.saturating_sub(1);
    }

    /// Skips whitespace and tells the type of the next value from its first byte.
    pub(crate) fn peek_type(&mut self) -> Result<JsonType> {
        let next = self.skip_ws()?;
        match next {
            Some(b'{') => Ok(JsonType::Object),
            Some(b'[') => Ok(JsonType::Array),
            Some(b'"') => Ok(JsonType::String),
            Some(b'-' | b'0'..=b'9') => Ok(JsonType::Number),
            Some(b't' | b'f') => Ok(JsonType::Boolean),
            Some(b'n') => Ok(JsonType::Null),
            other => Err(self.unexpected("a JSON value", other)),
        }
    }

    /// Consumes `{` or `[` (already peeked) and enters it.
    pub(crate) fn open(&mut self, b: u8) -> Result<()> {
        self.enter()?;
        self.bump(b);
        Ok(())
    }

    /// Inside an object: consumes the separator before the next member and returns `true` when
    /// a key follows, or consumes `}` and returns `false`.
    pub(crate) fn next_member(&mut self, first: bool) -> Result<bool> {
        let next = self.skip_ws()?;
        match next {
            Some(b'}') => {
                self.bump(b'}');
                Ok(false)
            }
            Some(b'"') if first => Ok(true),
            Some(b',') if !first => {
                self.bump(b',');
                match self.skip_ws()? {
                    Some(b'"') => Ok(true),
                    other => Err(self.unexpected("a key (a string in double quotes)", other)),
                }
            }
            other => Err(self.unexpected(
                if first {
                    "a key (a string in double quotes) or `}`"
                } else {
                    "`,` or `}`"
                },
                other,
            )),
        }
    }

    /// Inside an array: consumes the separator before the next element and returns `true` when
    /// a value follows, or consumes `]` and returns `false`.
    pub(crate) fn next_element(&mut self, first: bool) -> Result<bool> {
        let next = self.skip_ws()?;
        match next {
            Some(b']') => {
                self.bump(b']');
                Ok(false)
            }
            Some(b',') if !first => {
                self.bump(b',');
                match self.skip_ws()? {
                    Some(b']') | None => {
                        let found = self.peek()?;
                        Err(self.unexpected("a JSON value", found))
                    }
                    Some(_) => Ok(true),
                }
            }
            Some(_) if first => Ok(true),
            other => Err(self.unexpected("`,` or `]`", other)),
        }
    }

    /// Reads an object key (the next byte is `"`) into [`Tokenizer::key`] and the `:` after it.
    pub(crate) fn read_key(&mut self) -> Result<()> {
        let mut key = std::mem::take(&mut self.key);
        key.clear();
        let result = self.read_string_into(&mut key);
        self.key = key;
        result?;
        match self.skip_ws()? {
            Some(b':') => {
                self.bump(b':');
                Ok(())
            }
            other => Err(self.unexpected("`:` after the key", other)),
        }
    }

    /// Decodes a string (the next byte is `"`) and appends its text to `out`.
    pub(crate) fn read_string_into(&mut self, out: &mut String) -> Result<()> {
        match self.peek()? {
            Some(b'"') => self.bump(b'"'),
            other => return Err(self.unexpected("a string", other)),
        }
        self.carry_len = 0;
        loop {
            let (line, column) = (self.line, self.column);
            let buf = fill(&mut self.rd, Position { line, column })?;
            if buf.is_empty() {
                return Err(self.err(ErrorKind::UnexpectedEof {
                    expected: "the closing `\"` of a string",
                }));
            }
            let n = buf
                .iter()
                .position(|&b| is_string_special(b))
                .unwrap_or(buf.len());
            let stop = buf.get(n).copied();
            let run = buf.get(..n).unwrap_or_default();
            let decoded = push_utf8(&mut self.carry, &mut self.carry_len, run, out);
            let chars = char_count(run);
            if decoded.is_err() {
                return Err(Error::at(ErrorKind::InvalidUtf8, Position { line, column }));
            }
            self.rd.consume(n);
            self.column += chars;
            let Some(b) = stop else { continue };
            if self.carry_len != 0 {
                return Err(self.err(ErrorKind::InvalidUtf8));
            }
            match b {
                b'"' => {
                    self.bump(b);
                    return Ok(());
                }
                b'\\' => {
                    let at = self.position();
                    self.bump(b);
                    self.read_escape(out, at)?;
                }
                _ => return Err(self.err(ErrorKind::ControlCharacter { byte: b })),
            }
        }
    }

    /// The next byte, consumed; end of input is an error.
    fn next_byte(&mut self, expected: &'static str) -> Result<u8> {
        match self.peek()? {
            Some(b) => {
                self.bump(b);
                Ok(b)
            }
            None => Err(self.err(ErrorKind::UnexpectedEof { expected })),
        }
    }

    fn read_hex4(&mut self, at: Position) -> Result<u32> {
        let mut code = 0u32;
        for _ in 0..4 {
            let b = self.next_byte("four hex digits after `\\u`")?;
            let digit = match b {
                b'0'..=b'9' => b - b'0',
                b'a'..=b'f' => b - b'a' + 10,
                b'A'..=b'F' => b - b'A' + 10,
                _ => {
                    return Err(Error::at(
                        ErrorKind::InvalidEscape {
                            found: format!("u… with {}", describe_byte(b)),
                        },
                        at,
                    ))
                }
            };
            code = code * 16 + u32::from(digit);
        }
        Ok(code)
    }

    /// Decodes the escape after a backslash (consumed) at `at`.
    fn read_escape(&mut self, out: &mut String, at: Position) -> Result<()> {
        let b = self.next_byte("an escape sequence")?;
        let c = match b {
            b'"' => '"',
            b'\\' => '\\',
            b'/' => '/',
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'u' => {
                let unit = self.read_hex4(at)?;
                let code = match unit {
                    0xD800..=0xDBFF => {
                        if self.peek()? != Some(b'\\') {
                            return Err(Error::at(ErrorKind::UnpairedSurrogate, at));
                        }
                        self.bump(b'\\');
                        if self.peek()? != Some(b'u') {
                            return Err(Error::at(ErrorKind::UnpairedSurrogate, at));
                        }
                        self.bump(b'u');
                        let low = self.read_hex4(at)?;
                        if !(0xDC00..=0xDFFF).contains(&low) {
                            return Err(Error::at(ErrorKind::UnpairedSurrogate, at));
                        }
                        0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)
                    }
                    0xDC00..=0xDFFF => return Err(Error::at(ErrorKind::UnpairedSurrogate, at)),
                    other => other,
                };
                char::from_u32(code).ok_or_else(|| Error::at(ErrorKind::UnpairedSurrogate, at))?
            }
            other => {
                return Err(Error::at(
                    ErrorKind::InvalidEscape {
                        found: if other.is_ascii_graphic() {
                            (other as char).to_string()
                        } else {
                            describe_byte(other)
                        },
                    },
                    at,
                ))
            }
        };
        out.push(c);
        Ok(())
    }

    /// A number ended where a digit was required.
    fn missing_digit(&mut self, reason: &'static str) -> Error {
        match self.peek() {
            Ok(Some(_)) => self.err(ErrorKind::InvalidNumber { reason }),
            Ok(None) => self.err(ErrorKind::UnexpectedEof {
                expected: "a digit",
            }),
            Err(e) => e,
        }
    }

    fn push_digits(&mut self, out: &mut String) -> Result<usize> {
        let mut n = 0;
        while let Some(b @ b'0'..=b'9') = self.peek()? {
            out.push(b as char);
            self.bump(b);
            n += 1;
        }
        Ok(n)
    }

    /// Copies a number (the next byte is `-` or a digit) as written, checking JSON's grammar.
    pub(crate) fn read_number_into(&mut self, out: &mut String) -> Result<()> {
        if self.peek()? == Some(b'-') {
            out.push('-');
            self.bump(b'-');
        }
        match self.peek()? {
            Some(b'0') => {
                out.push('0');
                self.bump(b'0');
                if let Some(b'0'..=b'9') = self.peek()? {
                    return Err(self.err(ErrorKind::InvalidNumber {
                        reason: "leading zeros are not allowed",
                    }));
                }
            }
            Some(b'1'..=b'9') => {
                self.push_digits(out)?;
            }
            _ => return Err(self.missing_digit("expected a digit")),
        }
        if self.peek()? == Some(b'.') {
            out.push('.');
            self.bump(b'.');
            if self.push_digits(out)? == 0 {
                return Err(self.missing_digit("expected a digit after the decimal point"));
            }
        }
        if let Some(e @ (b'e' | b'E')) = self.peek()? {
            out.push(e as char);
            self.bump(e);
            if let Some(sign @ (b'+' | b'-')) = self.peek()? {
                out.push(sign as char);
                self.bump(sign);
            }
            if self.push_digits(out)? == 0 {
                return Err(self.missing_digit("expected a digit in the exponent"));
            }
        }
        Ok(())
    }

    /// Consumes the literal `true`, `false` or `null` (its first byte was peeked).
    pub(crate) fn read_literal(&mut self, literal: &'static str) -> Result<()> {
        let expected = match literal {
            "true" => "`true`",
            "false" => "`false`",
            _ => "`null`",
        };
        for want in literal.bytes() {
            match self.peek()? {
                Some(b) if b == want => self.bump(b),
                other => return Err(self.unexpected(expected, other)),
            }
        }
        Ok(())
    }

    /// Reads a scalar of type `ty` (from [`Tokenizer::peek_type`]) and appends its text as
    /// Jackson's `getValueAsString` gives it: a string's text, a number as written, `true` or
    /// `false`; `null` appends nothing. Objects and arrays are the caller's business.
    pub(crate) fn read_scalar_into(&mut self, ty: JsonType, out: &mut String) -> Result<()> {
        match ty {
            JsonType::String => self.read_string_into(out),
            JsonType::Number => self.read_number_into(out),
            JsonType::Boolean => {
                if self.peek()? == Some(b't') {
                    self.read_literal("true")?;
                    out.push_str("true");
                } else {
                    self.read_literal("false")?;
                    out.push_str("false");
                }
                Ok(())
            }
            JsonType::Null => self.read_literal("null"),
            JsonType::Object | JsonType::Array => {
                let found = self.peek()?;
                Err(self.unexpected("a string, number, boolean or null", found))
            }
        }
    }

    /// Reads a scalar into the reusable scratch text and returns it.
    pub(crate) fn read_scalar_scratch(&mut self, ty: JsonType) -> Result<&str> {
        let mut scratch = std::mem::take(&mut self.scratch);
        scratch.clear();
        let result = self.read_scalar_into(ty, &mut scratch);
        self.scratch = scratch;
        result?;
        Ok(&self.scratch)
    }

    /// Skips one complete value of any shape, checking its syntax, without recursion.
    pub(crate) fn skip_value(&mut self) -> Result<()> {
        let mut stack = std::mem::take(&mut self.stack);
        stack.clear();
        let result = self.skip_value_with(&mut stack);
        stack.clear();
        self.stack = stack;
        result
    }

    fn skip_value_with(&mut self, stack: &mut Vec<bool>) -> Result<()> {
        'value: loop {
            // A value starts here.
            let ty = self.peek_type()?;
            match ty {
                JsonType::Object | JsonType::Array => {
                    if self.depth + stack.len() >= MAX_DEPTH {
                        return Err(self.err(ErrorKind::NestingTooDeep { limit: MAX_DEPTH }));
                    }
                    let is_object = ty == JsonType::Object;
                    self.bump(if is_object { b'{' } else { b'[' });
                    stack.push(is_object);
                    let more = if is_object {
                        self.next_member(true)?
                    } else {
                        self.next_element(true)?
                    };
                    if more {
                        if is_object {
                            self.skip_key()?;
                        }
                        continue 'value;
                    }
                    stack.pop();
                }
                _ => {
                    let mut scratch = std::mem::take(&mut self.scratch);
                    scratch.clear();
                    let result = self.read_scalar_into(ty, &mut scratch);
                    self.scratch = scratch;
                    result?;
                }
            }
            // A value ended: close finished containers, or move to the next element.
            loop {
                let Some(&is_object) = stack.last() else {
                    return Ok(());
                };
                let more = if is_object {
                    self.next_member(false)?
                } else {
                    self.next_element(false)?
                };
                if more {
                    if is_object {
                        self.skip_key()?;
                    }
                    continue 'value;
                }
                stack.pop();
            }
        }
    }

    fn skip_key(&mut self) -> Result<()> {
        let mut key = std::mem::take(&mut self.scratch);
        key.clear();
        let result = self.read_string_into(&mut key);
        self.scratch = key;
        result?;
        match self.skip_ws()? {
            Some(b':') => {
                self.bump(b':');
                Ok(())
            }
            other => Err(self.unexpected("`:` after the key", other)),
        }
    }
}

#[cfg(test)]
mod tests {
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
}
