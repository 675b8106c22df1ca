//! Small text helpers shared by the reader and the writer: Java's decoding, trimming and boolean
//! rules, the [`Utf8Policy`] and where the input is.

use dxf2_model::TextPosition;

/// What a [`Reader`](crate::Reader) does with bytes that are not UTF-8 in the text it reads.
///
/// DHIS2 decodes CSV with Java's replacing decoder: every invalid byte sequence silently becomes
/// U+FFFD, so an identifier or a value written in another encoding (Latin-1 from a spreadsheet)
/// is imported changed. This crate refuses such input by default.
///
/// ```
/// use dxf2_csv::{ErrorKind, ReaderBuilder, Utf8Policy};
/// use dxf2_model::DataValue;
///
/// let input = &b"h\nd\xe9,201201\n"[..]; // Latin-1 `dé`
/// let mut reader = ReaderBuilder::new().from_reader(input)?;
/// let err = reader.read_value(&mut DataValue::new()).unwrap_err();
/// assert!(matches!(err.kind(), ErrorKind::InvalidUtf8 { .. }));
///
/// let mut reader = ReaderBuilder::new().invalid_utf8(Utf8Policy::Replace).from_reader(input)?;
/// let mut value = DataValue::new();
/// assert!(reader.read_value(&mut value)?);
/// assert_eq!(value.data_element(), Some("d\u{FFFD}"));
/// let (count, first) = reader.replaced_utf8().unwrap();
/// assert_eq!((count, first.line, first.column), (1, 2, 2));
/// # Ok::<(), dxf2_csv::Error>(())
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Utf8Policy {
    /// Fail with [`ErrorKind::InvalidUtf8`](crate::ErrorKind::InvalidUtf8) at the first invalid
    /// sequence (the default).
    #[default]
    Error,
    /// Replace each invalid sequence by U+FFFD, as DHIS2 does; the reader counts them and keeps
    /// the first place ([`Reader::replaced_utf8`](crate::Reader::replaced_utf8)) so that the
    /// caller can warn.
    Replace,
}

/// The replacements made under [`Utf8Policy::Replace`]: how many, and where the first was.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Replaced {
    pub(crate) count: u64,
    pub(crate) first: Option<TextPosition>,
}

impl Replaced {
    /// Notes `count` replaced sequences, the first of them at `at`.
    pub(crate) fn note(&mut self, count: u64, at: TextPosition) {
        if count > 0 {
            self.count = self.count.saturating_add(count);
            self.first.get_or_insert(at);
        }
    }

    /// What [`Reader::replaced_utf8`](crate::Reader::replaced_utf8) answers.
    pub(crate) fn summary(&self) -> Option<(u64, TextPosition)> {
        self.first.map(|at| (self.count, at))
    }
}

/// Number of invalid UTF-8 sequences in `bytes` (each becomes one U+FFFD when decoded lossily),
/// and the offset of the first.
pub(crate) fn invalid_sequences(bytes: &[u8]) -> (u64, Option<usize>) {
    let mut count = 0u64;
    let mut first = None;
    let mut offset = 0;
    for chunk in bytes.utf8_chunks() {
        offset += chunk.valid().len();
        if !chunk.invalid().is_empty() {
            count += 1;
            first.get_or_insert(offset);
            offset += chunk.invalid().len();
        }
    }
    (count, first)
}

/// The offset in `bytes` of the byte that became offset `decoded` of its lossy decoding
/// ([`push_lossy`]): each invalid sequence becomes the three bytes of U+FFFD.
pub(crate) fn raw_offset(bytes: &[u8], decoded: usize) -> usize {
    const FFFD_LEN: usize = 3;
    let (mut raw, mut seen) = (0usize, 0usize);
    for chunk in bytes.utf8_chunks() {
        let valid = chunk.valid().len();
        if decoded < seen + valid {
            return raw + (decoded - seen);
        }
        raw += valid;
        seen += valid;
        let invalid = chunk.invalid().len();
        if invalid > 0 {
            if decoded < seen + FFFD_LEN {
                return raw;
            }
            raw += invalid;
            seen += FFFD_LEN;
        }
    }
    raw + decoded.saturating_sub(seen)
}

/// Appends `bytes` to `out` as UTF-8, replacing each invalid sequence by U+FFFD, as Java's UTF-8
/// `InputStreamReader` does.
pub(crate) fn push_lossy(out: &mut String, bytes: &[u8]) {
    // Valid text (the usual case) is checked once and copied whole.
    if let Ok(text) = std::str::from_utf8(bytes) {
        out.push_str(text);
        return;
    }
    for chunk in bytes.utf8_chunks() {
        out.push_str(chunk.valid());
        if !chunk.invalid().is_empty() {
            out.push(char::REPLACEMENT_CHARACTER);
        }
    }
}

/// How many UTF-16 code units (Java `char`s) the UTF-8 byte `b` adds to a text: 1 for a lead
/// byte of a 1- to 3-byte sequence, 2 for the lead byte of a 4-byte sequence (a surrogate pair),
/// 0 for a continuation byte. Exact for valid UTF-8, close for invalid input.
#[inline]
pub(crate) fn utf16_units(b: u8) -> usize {
    if b & 0xC0 == 0x80 {
        0
    } else if b >= 0xF0 {
        2
    } else {
        1
    }
}

/// How many UTF-16 code units (Java `char`s) `bytes` hold: the sum of [`utf16_units`]. Never more
/// than `bytes.len()`.
pub(crate) fn utf16_len(bytes: &[u8]) -> usize {
    if bytes.is_ascii() {
        return bytes.len();
    }
    bytes.iter().map(|&b| utf16_units(b)).sum()
}

/// Java's `String.trim()`: removes every leading and trailing code point up to U+0020 (space and
/// all ASCII control characters), which is what javacsv's writer applies to each value.
///
/// Works on bytes: every character up to U+0020 is one ASCII byte, and every byte of a longer
/// character is above 0x20, so the first and last bytes above 0x20 bound the trimmed text. (The
/// CSV writer trims every field; `str::trim_matches` with a `char` predicate decoded each one
/// and cost 3% of an XML → CSV conversion.)
#[inline]
pub fn java_trim(text: &str) -> &str {
    let bytes = text.as_bytes();
    let start = bytes.iter().position(|&b| b > b' ').unwrap_or(bytes.len());
    let end = bytes
        .iter()
        .rposition(|&b| b > b' ')
        .map_or(start, |i| i + 1);
    text.get(start..end).unwrap_or_default()
}

/// Java's `Boolean.parseBoolean`: `true` exactly when the text is `true` in any case.
pub fn parse_boolean(text: &str) -> bool {
    text.eq_ignore_ascii_case("true")
}

/// `(start, end)` of `line[start..end]` without its leading and trailing spaces and tabs (both
/// dialects trim only those).
pub(crate) fn trimmed(line: &[u8], start: usize, end: usize) -> (usize, usize) {
    let field = line.get(start..end).unwrap_or(&[]);
    let lead = field.iter().take_while(|&&b| is_blank(b)).count();
    let rest = field.get(lead..).unwrap_or(&[]);
    let trail = rest.iter().rev().take_while(|&&b| is_blank(b)).count();
    (start + lead, end - trail)
}

/// A space or a tab.
pub(crate) fn is_blank(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

/// Calls `f` with the offset of each `,` in `bytes`, in order.
///
/// Eight bytes at a time (SWAR): in `x = word ^ ",,,,,,,,"` a comma is a zero byte, and
/// `!(((x & 0x7F..) + 0x7F..) | x | 0x7F..)` sets the high bit of exactly the zero bytes (the
/// addition cannot carry from one byte into the next).
pub(crate) fn for_each_comma(bytes: &[u8], mut f: impl FnMut(usize)) {
    const COMMAS: u64 = u64::from_ne_bytes([b','; 8]);
    const LOW7: u64 = u64::from_ne_bytes([0x7F; 8]);
    let mut words = bytes.chunks_exact(8);
    let mut base = 0;
    for word in &mut words {
        let Ok(word) = <[u8; 8]>::try_from(word) else {
            continue;
        };
        let x = u64::from_le_bytes(word) ^ COMMAS;
        let mut found = !(((x & LOW7).wrapping_add(LOW7)) | x | LOW7);
        while found != 0 {
            f(base + (found.trailing_zeros() / 8) as usize);
            found &= found - 1;
        }
        base += 8;
    }
    for (i, &b) in words.remainder().iter().enumerate() {
        if b == b',' {
            f(base + i);
        }
    }
}

/// Counts bytes and lines of consumed input. A line ends at CR, LF or CRLF (counted once).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Tracker {
    /// Bytes consumed so far.
    pub byte: u64,
    /// 1-based line of the next byte.
    pub line: u64,
    /// Byte offset of the first byte of the current line.
    line_start: u64,
    prev_cr: bool,
    /// `(byte, line)` of the current record's first byte, once seen.
    pub record_start: Option<(u64, u64)>,
}

impl Tracker {
    pub(crate) fn new() -> Tracker {
        Tracker {
            byte: 0,
            line: 1,
            line_start: 0,
            prev_cr: false,
            record_start: None,
        }
    }

    /// Where the next byte is: its line and its 1-based byte column (bytes, not characters).
    #[inline]
    pub(crate) fn here(&self) -> TextPosition {
        TextPosition {
            line: self.line,
            column: self.byte.saturating_sub(self.line_start).saturating_add(1),
        }
    }

    /// Remembers the current place as the start of the record, unless already set.
    #[inline]
    pub(crate) fn mark_record_start(&mut self) {
        if self.record_start.is_none() {
            self.record_start = Some((self.byte, self.line));
        }
    }

    /// Accounts for one consumed byte.
    #[inline]
    pub(crate) fn advance(&mut self, b: u8) {
        self.byte = self.byte.saturating_add(1);
        match b {
            b'\n' => {
                if !self.prev_cr {
                    self.line = self.line.saturating_add(1);
                }
                self.line_start = self.byte;
                self.prev_cr = false;
            }
            b'\r' => {
                self.line = self.line.saturating_add(1);
                self.line_start = self.byte;
                self.prev_cr = true;
            }
            _ => self.prev_cr = false,
        }
    }

    /// Accounts for `n` consumed bytes that are known to hold no CR and no LF.
    #[inline]
    pub(crate) fn advance_plain(&mut self, n: usize) {
        if n > 0 {
            self.byte = self.byte.saturating_add(n as u64);
            self.prev_cr = false;
        }
    }

    /// Accounts for consumed bytes: runs without line ends are counted whole.
    pub(crate) fn advance_all(&mut self, bytes: &[u8]) {
        let mut rest = bytes;
        while let Some(i) = memchr::memchr2(b'\r', b'\n', rest) {
            let (plain, tail) = rest.split_at(i);
            self.advance_plain(plain.len());
            let Some((&end, tail)) = tail.split_first() else {
                return;
            };
            self.advance(end);
            rest = tail;
        }
        self.advance_plain(rest.len());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lossy_like_java() {
        let mut s = String::new();
        push_lossy(&mut s, b"a\xffb\xe2\x82");
        assert_eq!(s, "a\u{FFFD}b\u{FFFD}");
        s.clear();
        push_lossy(&mut s, "\u{FEFF}é".as_bytes());
        assert_eq!(s, "\u{FEFF}é");
    }

    #[test]
    fn invalid_sequences_counted_as_replaced() {
        assert_eq!(invalid_sequences(b"abc"), (0, None));
        assert_eq!(invalid_sequences(b"a\xffb\xe2\x82"), (2, Some(1)));
        let mut s = String::new();
        push_lossy(&mut s, b"a\xffb\xe2\x82");
        assert_eq!(s.matches('\u{FFFD}').count(), 2);
        assert_eq!(invalid_sequences("é€".as_bytes()), (0, None));
        assert_eq!(invalid_sequences(b"\xc3\xa9\xc3"), (1, Some(2)));
    }

    #[test]
    fn raw_offsets_of_lossy_text() {
        let raw = b"a\xff\xfebc\xe2\x82d";
        let text = String::from_utf8_lossy(raw);
        assert_eq!(text, "a\u{FFFD}\u{FFFD}bc\u{FFFD}d");
        let want = [0, 1, 1, 1, 2, 2, 2, 3, 4, 5, 5, 5, 7, 8];
        for (decoded, raw_at) in want.iter().enumerate() {
            assert_eq!(raw_offset(raw, decoded), *raw_at, "{decoded}");
        }
    }

    #[test]
    fn replacements_keep_the_first_place() {
        let mut r = Replaced::default();
        assert_eq!(r.summary(), None);
        r.note(0, TextPosition { line: 1, column: 1 });
        assert_eq!(r.summary(), None);
        r.note(2, TextPosition { line: 3, column: 4 });
        r.note(1, TextPosition { line: 5, column: 1 });
        assert_eq!(r.summary(), Some((3, TextPosition { line: 3, column: 4 })));
    }

    #[test]
    fn tracker_knows_the_byte_column() {
        let mut t = Tracker::new();
        assert_eq!(t.here(), TextPosition::START);
        t.advance_all("aé\r\nbc".as_bytes());
        assert_eq!(t.here(), TextPosition { line: 2, column: 3 });
        t.advance(b'\r');
        assert_eq!(t.here(), TextPosition { line: 3, column: 1 });
        t.advance_plain(4);
        assert_eq!(t.here(), TextPosition { line: 3, column: 5 });
    }

    #[test]
    fn units_count_java_chars() {
        let count = |s: &str| s.bytes().map(utf16_units).sum::<usize>();
        assert_eq!(count("abc"), 3);
        assert_eq!(count("é€"), 2);
        assert_eq!(count("😀"), 2);
        assert_eq!(count("😀"), "😀".encode_utf16().count());
    }

    proptest::proptest! {
        /// The byte-wise trim is `String.trim()` read on characters.
        #[test]
        fn java_trim_trims_characters_up_to_space(
            text in "[ \t\r\n\u{0}-\u{1f}a\u{7f}\u{a0}é€😀\u{2000}]{0,12}"
        ) {
            proptest::prop_assert_eq!(java_trim(&text), text.trim_matches(|c: char| c <= ' '));
        }
    }

    #[test]
    fn java_trim_and_boolean() {
        assert_eq!(java_trim(" \t\r\n\u{0}a b\u{1f} "), "a b");
        assert_eq!(java_trim("\u{a0}x\u{a0}"), "\u{a0}x\u{a0}");
        assert!(parse_boolean("TRUE"));
        assert!(parse_boolean("tRuE"));
        assert!(!parse_boolean(" true"));
        assert!(!parse_boolean("1"));
        assert!(!parse_boolean(""));
    }

    #[test]
    fn commas_found_word_by_word() {
        let naive = |b: &[u8]| -> Vec<usize> {
            b.iter()
                .enumerate()
                .filter(|(_, &c)| c == b',')
                .map(|(i, _)| i)
                .collect()
        };
        let inputs: [&[u8]; 6] = [
            b"",
            b",",
            b"abcdefgh,ijklmnop,,,-,-\x2d\x2b\xac\x01,",
            b",,,,,,,,,,,,,,,,,",
            b"\xff\x2c\x00\x2c\x2d\x2c\x7f\xac,x",
            "é,€,😀,a".as_bytes(),
        ];
        for input in inputs {
            for start in 0..input.len().min(9) {
                let bytes = &input[start..];
                let mut found = Vec::new();
                for_each_comma(bytes, |i| found.push(i));
                assert_eq!(found, naive(bytes), "{bytes:?}");
            }
        }
    }

    #[test]
    fn units_len_matches_units() {
        for s in ["", "abc", "é€x", "😀a😀", "\u{FEFF}\"x\""] {
            assert_eq!(utf16_len(s.as_bytes()), s.encode_utf16().count());
        }
        assert_eq!(utf16_len(b"a\xff\xf0\x80"), 5);
    }

    #[test]
    fn tracker_counts_cr_lf_crlf_once() {
        let mut t = Tracker::new();
        t.advance_all(b"a\r\nb\rc\nd");
        assert_eq!(t.line, 4);
        assert_eq!(t.byte, 8);
        // Split anywhere, also between CR and LF, the count is the same.
        let input = b"\r\nab\r\r\n\n\rc\r";
        for cut in 0..=input.len() {
            let (a, b) = input.split_at(cut);
            let mut t = Tracker::new();
            t.advance_all(a);
            t.advance_all(b);
            assert_eq!((t.line, t.byte), (7, 11), "cut at {cut}");
        }
        let mut t = Tracker::new();
        t.advance(b'\r');
        t.advance_plain(0);
        t.advance(b'\n');
        t.advance_plain(2);
        t.advance(b'\n');
        assert_eq!((t.line, t.byte), (3, 5));
    }
}
