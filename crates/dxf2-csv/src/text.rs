//! Small text helpers shared by the reader and the writer: Java's decoding, trimming and boolean
//! rules.

/// Appends `bytes` to `out` as UTF-8, replacing each invalid sequence by U+FFFD, as Java's UTF-8
/// `InputStreamReader` does.
pub(crate) fn push_lossy(out: &mut String, bytes: &[u8]) {
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

/// Java's `String.trim()`: removes every leading and trailing code point up to U+0020 (space and
/// all ASCII control characters), which is what javacsv's writer applies to each value.
pub fn java_trim(text: &str) -> &str {
    text.trim_matches(|c: char| c <= ' ')
}

/// Java's `Boolean.parseBoolean`: `true` exactly when the text is `true` in any case.
pub fn parse_boolean(text: &str) -> bool {
    text.eq_ignore_ascii_case("true")
}

/// Counts bytes and lines of consumed input. A line ends at CR, LF or CRLF (counted once).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Tracker {
    /// Bytes consumed so far.
    pub byte: u64,
    /// 1-based line of the next byte.
    pub line: u64,
    prev_cr: bool,
    /// `(byte, line)` of the current record's first byte, once seen.
    pub record_start: Option<(u64, u64)>,
}

impl Tracker {
    pub(crate) fn new() -> Tracker {
        Tracker {
            byte: 0,
            line: 1,
            prev_cr: false,
            record_start: None,
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
                self.prev_cr = false;
            }
            b'\r' => {
                self.line = self.line.saturating_add(1);
                self.prev_cr = true;
            }
            _ => self.prev_cr = false,
        }
    }

    /// Accounts for consumed bytes.
    pub(crate) fn advance_all(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.advance(b);
        }
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
    fn units_count_java_chars() {
        let count = |s: &str| s.bytes().map(utf16_units).sum::<usize>();
        assert_eq!(count("abc"), 3);
        assert_eq!(count("é€"), 2);
        assert_eq!(count("😀"), 2);
        assert_eq!(count("😀"), "😀".encode_utf16().count());
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
    fn tracker_counts_cr_lf_crlf_once() {
        let mut t = Tracker::new();
        t.advance_all(b"a\r\nb\rc\nd");
        assert_eq!(t.line, 4);
        assert_eq!(t.byte, 8);
    }
}
