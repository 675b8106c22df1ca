//! A small hand-written JSON pull tokenizer over `BufRead`.
//!
//! It works on the reader's buffer in place: `fill_buf` shows the buffered bytes, a cursor moves
//! through them, and the reader is told to `consume` them only when the buffer is used up (or
//! when the caller asks, [`Tokenizer::sync`]). The hot paths (whitespace, separators, keys,
//! strings without escapes, `null`, booleans, simple numbers) scan the buffered slice in one go
//! and fall back to a byte-by-byte path for what is cut by the end of the buffer, escapes and
//! errors. Strings are decoded (all escapes, surrogate pairs, UTF-8 validated across buffer
//! boundaries) into a caller's `String`, numbers copied as written, whole values of any shape
//! skipped without recursion. It never holds more of the document than one string or number.
//!
//! Positions: only the byte offset and the line are kept up to date; the column (in
//! characters) is computed when a position is asked for, from the offset of the line's start
//! and the number of UTF-8 continuation bytes read on the line (they occur only in strings).

use std::io::{self, BufRead};

use dxf2_model::ReadLimits;

use crate::error::{Error, ErrorKind, JsonType, Position, Result};
use scan::{continuation_bytes, is_continuation, push_utf8, quoted, quoted_bytes, string_run};

mod numbers;
mod scan;
#[cfg(test)]
mod tests;

pub(crate) use scan::describe_byte;

/// What a key is expected as, in messages.
const EXPECTED_KEY: &str = "a key (a string in double quotes)";

/// Deepest nesting accepted (Jackson's default `maxNestingDepth` since 2.15 is also 1000).
pub(crate) const MAX_DEPTH: usize = 1000;

/// Where the tokenizer is: in the reader's buffer, and in the document.
#[derive(Clone, Copy, Debug, Default)]
struct Cursor {
    /// Bytes of the reader's buffer already read (not yet consumed).
    pos: usize,
    /// Length of the reader's buffer when it was last looked at.
    len: usize,
    /// Bytes consumed from the reader: the document offset of the buffer's first byte.
    base: u64,
    /// The current line, from 1.
    line: u64,
    /// Document offset of the current line's first byte.
    line_start: u64,
    /// UTF-8 continuation bytes read since `line_start` (columns count characters).
    line_wide: u64,
}

impl Cursor {
    fn start() -> Cursor {
        Cursor {
            line: 1,
            ..Cursor::default()
        }
    }

    /// The document offset of the next byte.
    #[inline]
    fn offset(&self) -> u64 {
        self.base.wrapping_add(self.pos as u64)
    }

    /// The position of the next byte (the column is computed here, not tracked).
    fn position(&self) -> Position {
        let bytes = self.offset().saturating_sub(self.line_start);
        Position {
            line: self.line,
            column: bytes.saturating_sub(self.line_wide).saturating_add(1),
        }
    }

    /// Moves past one byte of the buffer.
    #[inline]
    fn bump(&mut self, b: u8) {
        self.pos += 1;
        if b == b'\n' {
            self.line += 1;
            self.line_start = self.offset();
            self.line_wide = 0;
        } else if is_continuation(b) {
            self.line_wide += 1;
        }
    }

    /// Moves past the whitespace at the start of `buf` (the unread bytes); returns its length.
    #[inline]
    fn skip_ws_in(&mut self, buf: &[u8]) -> usize {
        let mut n = 0;
        for &b in buf {
            match b {
                b' ' | b'\t' | b'\r' => {}
                b'\n' => {
                    self.line += 1;
                    self.line_start = self.offset().wrapping_add(n as u64 + 1);
                    self.line_wide = 0;
                }
                _ => break,
            }
            n += 1;
        }
        self.pos += n;
        n
    }
}

/// Makes the reader's buffer hold unread bytes, consuming the read ones first; leaves nothing
/// unread only at the end of input.
fn refill<R: BufRead>(rd: &mut R, cur: &mut Cursor) -> Result<()> {
    loop {
        match rd.fill_buf() {
            Ok(buf) => {
                let len = buf.len();
                if cur.pos < len || len == 0 {
                    cur.len = len;
                    return Ok(());
                }
                rd.consume(cur.pos);
                cur.base = cur.offset();
                cur.pos = 0;
                cur.len = 0;
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(io_error(e, cur)),
        }
    }
}

/// An I/O error at the cursor.
#[cold]
#[inline(never)]
fn io_error(e: io::Error, cur: &Cursor) -> Error {
    Error::at(ErrorKind::Io(e), cur.position())
}

/// The unread bytes of the reader's buffer, refilled when all were read (an empty slice means
/// end of input). Borrows only the reader and the cursor, so the tokenizer's other fields stay
/// usable while the slice is looked at.
#[inline]
fn buffered<'a, R: BufRead>(rd: &'a mut R, cur: &mut Cursor) -> Result<&'a [u8]> {
    if cur.pos >= cur.len {
        return refilled(rd, cur);
    }
    match rd.fill_buf() {
        Ok(buf) => Ok(buf.get(cur.pos..).unwrap_or_default()),
        Err(e) => Err(io_error(e, cur)),
    }
}

/// [`buffered`] when everything buffered was read.
#[cold]
#[inline(never)]
fn refilled<'a, R: BufRead>(rd: &'a mut R, cur: &mut Cursor) -> Result<&'a [u8]> {
    refill(rd, cur)?;
    if cur.len == 0 {
        return Ok(&[]);
    }
    match rd.fill_buf() {
        Ok(buf) => Ok(buf.get(cur.pos..).unwrap_or_default()),
        Err(e) => Err(io_error(e, cur)),
    }
}

/// The pull tokenizer.
pub(crate) struct Tokenizer<R> {
    rd: R,
    cur: Cursor,
    /// Depth of the containers the caller entered (`enter`/`leave`).
    depth: usize,
    /// Bytes of a UTF-8 sequence split across two buffer refills.
    carry: [u8; 4],
    carry_len: usize,
    /// The last object key read on the careful path (reused).
    key: String,
    /// Scratch text for skipped strings and coerced booleans (reused).
    scratch: String,
    /// Container stack of `skip_value` (`true` = object), reused.
    stack: Vec<bool>,
    /// The longest string or number accepted, in bytes (`ReadLimits::max_token_bytes`).
    max_token: usize,
    /// The most text one record (a data value, a set-level member) may hold, in bytes
    /// (`ReadLimits::max_record_bytes`), what the current record is, where it started, and
    /// how much it holds so far.
    max_record: usize,
    record_what: &'static str,
    record_start: Position,
    record_used: usize,
}

/// What kind of string is being read: it decides what a token too long is called and whether
/// `\u0000` is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum StringUse {
    /// A string whose text the caller keeps (it may become data): U+0000 is refused.
    Text,
    /// An object key (only compared with known names).
    Key,
    /// A string being skipped (checked, not kept).
    Skipped,
}

impl StringUse {
    fn what(self) -> &'static str {
        match self {
            StringUse::Text => "a string",
            StringUse::Key => "an object key",
            StringUse::Skipped => "a string (in a skipped value)",
        }
    }
}

impl<R: BufRead> Tokenizer<R> {
    /// A tokenizer with the default limits.
    #[cfg(test)]
    pub(crate) fn new(rd: R) -> Tokenizer<R> {
        Tokenizer::with_limits(rd, ReadLimits::default())
    }

    /// A tokenizer that refuses strings and numbers longer than `limits.max_token_bytes`.
    pub(crate) fn with_limits(rd: R, limits: ReadLimits) -> Tokenizer<R> {
        Tokenizer {
            rd,
            cur: Cursor::start(),
            depth: 0,
            carry: [0; 4],
            carry_len: 0,
            key: String::new(),
            scratch: String::new(),
            stack: Vec::new(),
            max_token: limits.max_token_bytes,
            max_record: limits.max_record_bytes,
            record_what: "a record",
            record_start: Position { line: 1, column: 1 },
            record_used: 0,
        }
    }

    /// Starts counting the text kept for a record (`what`, for messages) that starts at the
    /// next byte.
    pub(crate) fn start_record(&mut self, what: &'static str) {
        self.record_what = what;
        self.record_start = self.position();
        self.record_used = 0;
    }

    /// Counts `bytes` more kept for the current record; more than the record limit in all is
    /// an error (repeated keys or long lists would otherwise grow without bound).
    pub(crate) fn spend(&mut self, bytes: usize) -> Result<()> {
        self.record_used = self.record_used.saturating_add(bytes);
        if self.record_used > self.max_record {
            return Err(Error::at(
                ErrorKind::RecordTooLong {
                    what: self.record_what,
                    limit: self.max_record,
                },
                self.record_start,
            ));
        }
        Ok(())
    }

    /// The error of a string or number longer than the token limit, which started at `start`.
    #[cold]
    #[inline(never)]
    fn too_long(&self, what: &'static str, start: Position) -> Error {
        Error::at(
            ErrorKind::TokenTooLong {
                what,
                limit: self.max_token,
            },
            start,
        )
    }

    /// Forgets the position and nesting (after the underlying reader was rewound).
    pub(crate) fn reset(&mut self) {
        self.cur = Cursor::start();
        self.depth = 0;
        self.carry_len = 0;
    }

    /// Tells the reader that the bytes read so far are consumed, so that it is positioned
    /// right after them.
    pub(crate) fn sync(&mut self) {
        if self.cur.pos > 0 {
            self.rd.consume(self.cur.pos);
            self.cur.base = self.cur.offset();
            self.cur.len = self.cur.len.saturating_sub(self.cur.pos);
            self.cur.pos = 0;
        }
    }

    /// The underlying reader, positioned after what was read.
    pub(crate) fn get_mut(&mut self) -> &mut R {
        self.sync();
        &mut self.rd
    }

    /// The underlying reader (positioned after what was read when [`Tokenizer::sync`] was
    /// called last).
    pub(crate) fn get_ref(&self) -> &R {
        &self.rd
    }

    /// The underlying reader, positioned after what was read.
    pub(crate) fn into_inner(mut self) -> R {
        self.sync();
        self.rd
    }

    /// The position of the next byte.
    pub(crate) fn position(&self) -> Position {
        self.cur.position()
    }

    fn err(&self, kind: ErrorKind) -> Error {
        Error::at(kind, self.position())
    }

    /// The next byte, without consuming it.
    pub(crate) fn peek(&mut self) -> Result<Option<u8>> {
        Ok(buffered(&mut self.rd, &mut self.cur)?.first().copied())
    }

    /// Consumes one byte that `peek` returned.
    pub(crate) fn bump(&mut self, b: u8) {
        self.cur.bump(b);
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
            let buf = buffered(&mut self.rd, &mut self.cur)?;
            let n = self.cur.skip_ws_in(buf);
            match buf.get(n) {
                Some(&b) => return Ok(Some(b)),
                None if buf.is_empty() => return Ok(None),
                None => {}
            }
        }
    }

    /// Moves past one byte of a byte order mark (which counts for no column).
    fn skip_bom_byte(&mut self) {
        self.cur.pos += 1;
        self.cur.line_start = self.cur.offset();
    }

    /// Skips a UTF-8 byte order mark at the very start (Jackson does the same for byte input)
    /// and refuses input that looks like UTF-16 or UTF-32.
    pub(crate) fn skip_bom(&mut self) -> Result<()> {
        let (first, second) = {
            let buf = buffered(&mut self.rd, &mut self.cur)?;
            (buf.first().copied(), buf.get(1).copied())
        };
        match (first, second) {
            (Some(0xEF), _) => {
                self.skip_bom_byte();
                for expected in [0xBB, 0xBF] {
                    if self.peek()? != Some(expected) {
                        return Err(self.err(ErrorKind::InvalidUtf8));
                    }
                    self.skip_bom_byte();
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
        loop {
            let buf = buffered(&mut self.rd, &mut self.cur)?;
            let n = self.cur.skip_ws_in(buf);
            return match buf.get(n) {
                Some(b'}') => {
                    self.cur.pos += 1;
                    Ok(false)
                }
                Some(b'"') if first => Ok(true),
                Some(b',') if !first => {
                    self.cur.pos += 1;
                    let rest = buf.get(n + 1..).unwrap_or_default();
                    let m = self.cur.skip_ws_in(rest);
                    match rest.get(m) {
                        Some(b'"') => Ok(true),
                        Some(&b) => Err(self.unexpected(EXPECTED_KEY, Some(b))),
                        None => self.key_after_comma(),
                    }
                }
                // Only whitespace up to the end of the buffer: look again after refilling.
                None if !buf.is_empty() => continue,
                found => {
                    let found = found.copied();
                    Err(self.unexpected(
                        if first {
                            "a key (a string in double quotes) or `}`"
                        } else {
                            "`,` or `}`"
                        },
                        found,
                    ))
                }
            };
        }
    }

    /// After the `,` between two members: the key's opening quote must follow.
    fn key_after_comma(&mut self) -> Result<bool> {
        match self.skip_ws()? {
            Some(b'"') => Ok(true),
            other => Err(self.unexpected(EXPECTED_KEY, other)),
        }
    }

    /// Inside an array: consumes the separator before the next element and returns `true` when
    /// a value follows, or consumes `]` and returns `false`.
    pub(crate) fn next_element(&mut self, first: bool) -> Result<bool> {
        loop {
            let buf = buffered(&mut self.rd, &mut self.cur)?;
            let n = self.cur.skip_ws_in(buf);
            return match buf.get(n) {
                Some(b']') => {
                    self.cur.pos += 1;
                    Ok(false)
                }
                Some(b',') if !first => {
                    self.cur.pos += 1;
                    let rest = buf.get(n + 1..).unwrap_or_default();
                    let m = self.cur.skip_ws_in(rest);
                    match rest.get(m) {
                        Some(b']') => Err(self.unexpected("a JSON value", Some(b']'))),
                        Some(_) => Ok(true),
                        None => self.value_after_comma(),
                    }
                }
                Some(_) if first => Ok(true),
                // Only whitespace up to the end of the buffer: look again after refilling.
                None if !buf.is_empty() => continue,
                found => {
                    let found = found.copied();
                    Err(self.unexpected("`,` or `]`", found))
                }
            };
        }
    }

    /// After the `,` between two elements: a value must follow.
    fn value_after_comma(&mut self) -> Result<bool> {
        match self.skip_ws()? {
            Some(b']') | None => {
                let found = self.peek()?;
                Err(self.unexpected("a JSON value", found))
            }
            Some(_) => Ok(true),
        }
    }

    /// Reads an object key (the next byte is `"`) and the `:` after it, and returns what
    /// `classify` makes of the key's bytes (valid UTF-8). A key that is in the buffer whole and
    /// has no escape is classified where it lies, without being copied.
    pub(crate) fn read_key_with<T>(&mut self, classify: impl FnOnce(&[u8]) -> T) -> Result<T> {
        let buf = buffered(&mut self.rd, &mut self.cur)?;
        if let Some((key, n, high)) = quoted_bytes(buf) {
            let after = buf.get(n..).unwrap_or_default();
            let ws = after
                .iter()
                .take_while(|&&b| matches!(b, b' ' | b'\t' | b'\r'))
                .count();
            // An ASCII key is valid UTF-8 as it is; others are checked.
            if after.get(ws) == Some(&b':')
                && key.len() <= self.max_token
                && (!high || std::str::from_utf8(key).is_ok())
            {
                let kind = classify(key);
                self.cur.pos += n + ws + 1;
                if high {
                    self.cur.line_wide += continuation_bytes(key);
                }
                return Ok(kind);
            }
        }
        self.read_key()?;
        Ok(classify(self.key.as_bytes()))
    }

    /// Reads an object key (the next byte is `"`) into `self.key` and the `:` after it.
    fn read_key(&mut self) -> Result<()> {
        let mut key = std::mem::take(&mut self.key);
        key.clear();
        let result = self.read_string_slow(Some(&mut key), StringUse::Key);
        self.key = key;
        result?;
        self.colon_after_key()
    }

    /// Consumes the `:` after a key (white space around it allowed).
    fn colon_after_key(&mut self) -> Result<()> {
        match self.skip_ws()? {
            Some(b':') => {
                self.bump(b':');
                Ok(())
            }
            other => Err(self.unexpected("`:` after the key", other)),
        }
    }

    /// Skips an object key (the next byte is `"`) and the `:` after it, keeping nothing.
    fn skip_key(&mut self) -> Result<()> {
        let buf = buffered(&mut self.rd, &mut self.cur)?;
        if let Some((key, n, high)) = quoted_bytes(buf) {
            if key.len() <= self.max_token && (!high || std::str::from_utf8(key).is_ok()) {
                let wide = if high { continuation_bytes(key) } else { 0 };
                self.cur.pos += n;
                self.cur.line_wide += wide;
                return self.colon_after_key();
            }
        }
        self.read_string_slow(None, StringUse::Skipped)?;
        self.colon_after_key()
    }

    /// Decodes a string (the next byte is `"`) and appends its text to `out`. A string longer
    /// than the token limit, and `\u0000` (which no DHIS2 database can store), are refused.
    pub(crate) fn read_string_into(&mut self, out: &mut String) -> Result<()> {
        // Fast path: the whole string is in the buffer, without escapes.
        let buf = buffered(&mut self.rd, &mut self.cur)?;
        if let Some((text, n, wide)) = quoted(buf) {
            if text.len() <= self.max_token {
                out.push_str(text);
                self.cur.pos += n;
                self.cur.line_wide += wide;
                return Ok(());
            }
        }
        self.read_string_slow(Some(out), StringUse::Text)
    }

    /// Skips a string (the next byte is `"`), checking it without keeping it.
    fn skip_string(&mut self) -> Result<()> {
        let buf = buffered(&mut self.rd, &mut self.cur)?;
        if let Some((text, n, wide)) = quoted(buf) {
            if text.len() <= self.max_token {
                self.cur.pos += n;
                self.cur.line_wide += wide;
                return Ok(());
            }
        }
        self.read_string_slow(None, StringUse::Skipped)
    }

    /// The careful path of strings: decodes into `out` (or only checks, without `out`), run by
    /// run and escape by escape, never holding more than the token limit.
    fn read_string_slow(&mut self, mut out: Option<&mut String>, usage: StringUse) -> Result<()> {
        let start = self.position();
        match self.peek()? {
            Some(b'"') => self.bump(b'"'),
            other => return Err(self.unexpected("a string", other)),
        }
        self.carry_len = 0;
        // Decoded bytes of this string so far.
        let mut len = 0usize;
        loop {
            let at = self.position();
            let buf = buffered(&mut self.rd, &mut self.cur)?;
            if buf.is_empty() {
                return Err(self.err(ErrorKind::UnexpectedEof {
                    expected: "the closing `\"` of a string",
                }));
            }
            let (n, _) = string_run(buf);
            let stop = buf.get(n).copied();
            let run = buf.get(..n).unwrap_or_default();
            if n > self.max_token.saturating_sub(len) {
                return Err(self.too_long(usage.what(), start));
            }
            let decoded = push_utf8(
                &mut self.carry,
                &mut self.carry_len,
                run,
                out.as_deref_mut(),
            );
            if let Err(bad) = decoded {
                let before = run.get(..bad).unwrap_or_default();
                let chars = (before.len() as u64).saturating_sub(continuation_bytes(before));
                let position = Position {
                    line: at.line,
                    column: at.column.saturating_add(chars),
                };
                return Err(Error::at(ErrorKind::InvalidUtf8, position));
            }
            let wide = continuation_bytes(run);
            len += n;
            self.cur.pos += n;
            self.cur.line_wide += wide;
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
                    let c = self.read_escape(at)?;
                    if c == '\0' && usage == StringUse::Text {
                        return Err(Error::at(ErrorKind::NulCharacter, at));
                    }
                    len = len.saturating_add(c.len_utf8());
                    if len > self.max_token {
                        return Err(self.too_long(usage.what(), start));
                    }
                    if let Some(out) = out.as_deref_mut() {
                        out.push(c);
                    }
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
    fn read_escape(&mut self, at: Position) -> Result<char> {
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
        Ok(c)
    }
    /// Consumes the literal `true`, `false` or `null` (its first byte was peeked).
    pub(crate) fn read_literal(&mut self, literal: &'static str) -> Result<()> {
        if buffered(&mut self.rd, &mut self.cur)?.starts_with(literal.as_bytes()) {
            self.cur.pos += literal.len();
            return Ok(());
        }
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
                let literal = if self.peek()? == Some(b't') {
                    "true"
                } else {
                    "false"
                };
                self.read_literal(literal)?;
                out.push_str(literal);
                Ok(())
            }
            JsonType::Null => self.read_literal("null"),
            JsonType::Object | JsonType::Array => {
                let found = self.peek()?;
                Err(self.unexpected("a string, number, boolean or null", found))
            }
        }
    }

    /// Reads the next value (after whitespace) when it is a scalar, appending its text as
    /// [`Tokenizer::read_scalar_into`] does (`null` appends nothing), and returns `None`; an
    /// object or array is left unread and its type returned.
    pub(crate) fn read_text_into(&mut self, out: &mut String) -> Result<Option<JsonType>> {
        // Fast path: a string without escapes, or `null`, in the buffer.
        let buf = buffered(&mut self.rd, &mut self.cur)?;
        let n = self.cur.skip_ws_in(buf);
        let rest = buf.get(n..).unwrap_or_default();
        match rest.first() {
            Some(b'"') => {
                if let Some((text, len, wide)) = quoted(rest) {
                    if text.len() <= self.max_token {
                        out.push_str(text);
                        self.cur.pos += len;
                        self.cur.line_wide += wide;
                        return Ok(None);
                    }
                }
            }
            Some(b'n') if rest.starts_with(b"null") => {
                self.cur.pos += 4;
                return Ok(None);
            }
            _ => {}
        }
        let ty = self.peek_type()?;
        match ty {
            JsonType::Object | JsonType::Array => Ok(Some(ty)),
            _ => {
                self.read_scalar_into(ty, out)?;
                Ok(None)
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
                JsonType::String => self.skip_string()?,
                JsonType::Number => self.skip_number()?,
                JsonType::Boolean => {
                    let literal = if self.peek()? == Some(b't') {
                        "true"
                    } else {
                        "false"
                    };
                    self.read_literal(literal)?;
                }
                JsonType::Null => self.read_literal("null")?,
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
}
