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

/// What a key is expected as, in messages.
const EXPECTED_KEY: &str = "a key (a string in double quotes)";

/// Deepest nesting accepted (Jackson's default `maxNestingDepth` since 2.15 is also 1000).
pub(crate) const MAX_DEPTH: usize = 1000;

/// What the string scanner must stop at: quote, backslash and control characters.
#[inline]
fn is_string_special(b: u8) -> bool {
    b == b'"' || b == b'\\' || b < 0x20
}

/// Whether a byte is a UTF-8 continuation byte (it does not start a character).
#[inline]
fn is_continuation(b: u8) -> bool {
    (b & 0xC0) == 0x80
}

/// Number of UTF-8 continuation bytes in a run.
fn continuation_bytes(bytes: &[u8]) -> u64 {
    bytes.iter().filter(|&&b| is_continuation(b)).count() as u64
}

/// The length of the run of ordinary string bytes at the start of `bytes`, and whether the
/// run holds a non-ASCII byte.
#[inline]
fn string_run(bytes: &[u8]) -> (usize, bool) {
    let mut high = 0u8;
    for (i, &b) in bytes.iter().enumerate() {
        if is_string_special(b) {
            return (i, high >= 0x80);
        }
        high |= b;
    }
    (bytes.len(), high >= 0x80)
}

/// The raw bytes of a whole string at the start of `bytes` (which begin with its opening
/// quote), when it is there complete and without escapes or control characters: its content,
/// the number of bytes up to and including the closing quote, and whether the content holds a
/// non-ASCII byte (when it does not, it is valid UTF-8 without further checking).
#[inline]
fn quoted_bytes(bytes: &[u8]) -> Option<(&[u8], usize, bool)> {
    let (&b'"', rest) = bytes.split_first()? else {
        return None;
    };
    let (n, high) = string_run(rest);
    if rest.get(n) != Some(&b'"') {
        return None;
    }
    Some((rest.get(..n)?, n + 2, high))
}

/// [`quoted_bytes`] as text, when it is valid UTF-8: the text, the number of bytes up to and
/// including the closing quote, and the number of UTF-8 continuation bytes in it.
#[inline]
fn quoted(bytes: &[u8]) -> Option<(&str, usize, u64)> {
    let (run, n, high) = quoted_bytes(bytes)?;
    let text = std::str::from_utf8(run).ok()?;
    let wide = if high { continuation_bytes(run) } else { 0 };
    Some((text, n, wide))
}

/// The length of a number at the start of `bytes` when it is valid JSON and followed, within
/// `bytes`, by a byte that cannot continue it; `None` sends the caller to the careful path
/// (which reports errors).
#[inline]
fn number_len(bytes: &[u8]) -> Option<usize> {
    let digits_from = |mut i: usize| {
        while let Some(b'0'..=b'9') = bytes.get(i) {
            i += 1;
        }
        i
    };
    let mut i = usize::from(bytes.first() == Some(&b'-'));
    match bytes.get(i)? {
        b'0' => i += 1,
        b'1'..=b'9' => i = digits_from(i + 1),
        _ => return None,
    }
    if bytes.get(i) == Some(&b'.') {
        let end = digits_from(i + 1);
        if end == i + 1 {
            return None;
        }
        i = end;
    }
    if let Some(b'e' | b'E') = bytes.get(i) {
        i += 1;
        if let Some(b'+' | b'-') = bytes.get(i) {
            i += 1;
        }
        let end = digits_from(i);
        if end == i {
            return None;
        }
        i = end;
    }
    match bytes.get(i)? {
        b'0'..=b'9' | b'.' | b'e' | b'E' | b'+' | b'-' => None,
        _ => Some(i),
    }
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

/// Appends a run of raw string bytes to `out` (when given; a skipped string is only checked),
/// validating UTF-8. A sequence cut at the end of the run is kept in `carry` and completed by
/// the next run. On invalid UTF-8, the error holds the offset in `run` of the first byte that
/// cannot be decoded (0 when the sequence began in an earlier run).
fn push_utf8(
    carry: &mut [u8; 4],
    carry_len: &mut usize,
    mut run: &[u8],
    mut out: Option<&mut String>,
) -> std::result::Result<(), usize> {
    let mut used = 0;
    if *carry_len > 0 {
        let need = carry.first().copied().map_or(1, utf8_width);
        while *carry_len < need {
            match run.split_first() {
                Some((b, rest)) => {
                    let slot = carry.get_mut(*carry_len).ok_or(0usize)?;
                    *slot = *b;
                    *carry_len += 1;
                    run = rest;
                    used += 1;
                }
                None => return Ok(()),
            }
        }
        let bytes = carry.get(..need).ok_or(0usize)?;
        let text = std::str::from_utf8(bytes).map_err(|_| 0usize)?;
        if let Some(out) = out.as_deref_mut() {
            out.push_str(text);
        }
        *carry_len = 0;
    }
    match std::str::from_utf8(run) {
        Ok(s) => {
            if let Some(out) = out {
                out.push_str(s);
            }
        }
        Err(e) => {
            let (valid, rest) = run.split_at(e.valid_up_to());
            if let Some(out) = out {
                out.push_str(std::str::from_utf8(valid).map_err(|_| used)?);
            }
            let bad = used + e.valid_up_to();
            if e.error_len().is_some() || rest.len() > 3 {
                return Err(bad);
            }
            carry
                .get_mut(..rest.len())
                .ok_or(bad)?
                .copy_from_slice(rest);
            *carry_len = rest.len();
        }
    }
    Ok(())
}

/// A number being read on the careful path: where its text goes (if kept), its length so far
/// and where it started.
struct NumberText<'a> {
    out: Option<&'a mut String>,
    len: usize,
    start: Position,
}

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

    /// Copies a number (the next byte is `-` or a digit) as written, checking JSON's grammar.
    /// A number longer than the token limit is refused.
    pub(crate) fn read_number_into(&mut self, out: &mut String) -> Result<()> {
        // Fast path: the whole number and the byte after it are in the buffer, and it is valid.
        let buf = buffered(&mut self.rd, &mut self.cur)?;
        if let Some(n) = number_len(buf) {
            if let Some(text) = buf.get(..n).and_then(|b| std::str::from_utf8(b).ok()) {
                if n <= self.max_token {
                    out.push_str(text);
                    self.cur.pos += n;
                    return Ok(());
                }
            }
        }
        self.read_number_slow(Some(out))
    }

    /// Skips a number (the next byte is `-` or a digit), checking it without keeping it.
    fn skip_number(&mut self) -> Result<()> {
        let buf = buffered(&mut self.rd, &mut self.cur)?;
        if let Some(n) = number_len(buf) {
            if n <= self.max_token {
                self.cur.pos += n;
                return Ok(());
            }
        }
        self.read_number_slow(None)
    }

    /// The careful path of numbers, byte by byte, into `out` (or only checked, without it).
    fn read_number_slow(&mut self, out: Option<&mut String>) -> Result<()> {
        let mut number = NumberText {
            out,
            len: 0,
            start: self.position(),
        };
        if self.peek()? == Some(b'-') {
            self.number_byte(&mut number, b'-')?;
        }
        match self.peek()? {
            Some(b'0') => {
                self.number_byte(&mut number, b'0')?;
                if let Some(b'0'..=b'9') = self.peek()? {
                    return Err(self.err(ErrorKind::InvalidNumber {
                        reason: "leading zeros are not allowed",
                    }));
                }
            }
            Some(b'1'..=b'9') => {
                self.push_digits(&mut number)?;
            }
            _ => return Err(self.missing_digit("expected a digit")),
        }
        if self.peek()? == Some(b'.') {
            self.number_byte(&mut number, b'.')?;
            if self.push_digits(&mut number)? == 0 {
                return Err(self.missing_digit("expected a digit after the decimal point"));
            }
        }
        if let Some(e @ (b'e' | b'E')) = self.peek()? {
            self.number_byte(&mut number, e)?;
            if let Some(sign @ (b'+' | b'-')) = self.peek()? {
                self.number_byte(&mut number, sign)?;
            }
            if self.push_digits(&mut number)? == 0 {
                return Err(self.missing_digit("expected a digit in the exponent"));
            }
        }
        Ok(())
    }

    /// Consumes one byte of a number (peeked), keeping it when the number is kept.
    fn number_byte(&mut self, number: &mut NumberText<'_>, b: u8) -> Result<()> {
        if number.len >= self.max_token {
            return Err(self.too_long("a number", number.start));
        }
        number.len += 1;
        if let Some(out) = number.out.as_deref_mut() {
            out.push(b as char);
        }
        self.bump(b);
        Ok(())
    }

    fn push_digits(&mut self, number: &mut NumberText<'_>) -> Result<usize> {
        let mut n = 0;
        while let Some(b @ b'0'..=b'9') = self.peek()? {
            self.number_byte(number, b)?;
            n += 1;
        }
        Ok(n)
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
            let t =
                |s: &'static [u8]| Tokenizer::with_limits(BufReader::with_capacity(cap, s), limits);
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
}
