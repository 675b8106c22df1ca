//! Where something is in a text input: the line and column that the codecs' errors and value
//! positions report.

use std::fmt;

/// A place in a text input: 1-based line and column.
///
/// Lines end at LF (a CR before it is part of the line); columns count characters (not bytes)
/// from the start of the line. The XML and JSON codecs report their reading errors with it (as
/// `dxf2_xml::Position` and `dxf2_json::Position`), and every reader says with it where each
/// value starts ([`DataValueSource::value_position`](crate::DataValueSource::value_position)).
///
/// ```
/// use dxf2_model::position::TextPosition;
///
/// let after = TextPosition::START.advance("<a>\n  é".as_bytes());
/// assert_eq!(after, TextPosition { line: 2, column: 4 });
/// assert_eq!(after.to_string(), "line 2, column 4");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct TextPosition {
    /// Line, starting at 1.
    pub line: u64,
    /// Column, starting at 1, counted in characters (not bytes).
    pub column: u64,
}

impl TextPosition {
    /// The first character of the input.
    pub const START: TextPosition = TextPosition { line: 1, column: 1 };

    /// The position just after `bytes` (UTF-8), when `bytes` start at `self`.
    ///
    /// Cheap next to parsing: start tags rarely hold a line break, so the common case is one
    /// fast search for LF and one fast ASCII check; counting loops run only when needed.
    #[inline]
    pub fn advance(self, bytes: &[u8]) -> TextPosition {
        if !bytes.contains(&b'\n') {
            return TextPosition {
                line: self.line,
                column: self.column.saturating_add(count_chars(bytes)),
            };
        }
        let newlines = count_matching(bytes, |b| b == b'\n');
        let tail = match bytes.iter().rposition(|&b| b == b'\n') {
            Some(i) => bytes.get(i + 1..).unwrap_or_default(),
            None => bytes,
        };
        TextPosition {
            line: self.line.saturating_add(newlines),
            column: 1 + count_chars(tail),
        }
    }
}

/// Number of UTF-8 characters in `bytes` (bytes that are not continuation bytes).
#[inline]
fn count_chars(bytes: &[u8]) -> u64 {
    if bytes.is_ascii() {
        bytes.len() as u64
    } else {
        count_matching(bytes, |b| (b as i8) >= -0x40)
    }
}

/// Number of bytes matching `pred`, counted in blocks of 32 with a byte-wide accumulator so that
/// the compiler can vectorise the inner loop.
#[inline]
fn count_matching(bytes: &[u8], pred: impl Fn(u8) -> bool) -> u64 {
    let mut chunks = bytes.chunks_exact(32);
    let mut total = 0u64;
    for chunk in &mut chunks {
        let mut block = 0u8;
        for &b in chunk {
            block += u8::from(pred(b));
        }
        total += u64::from(block);
    }
    total + chunks.remainder().iter().filter(|&&b| pred(b)).count() as u64
}

impl fmt::Display for TextPosition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}, column {}", self.line, self.column)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_advance_by_lines_and_characters() {
        let p = TextPosition::START;
        assert_eq!(p.advance(b"abc"), TextPosition { line: 1, column: 4 });
        assert_eq!(p.advance(b"a\nbc"), TextPosition { line: 2, column: 3 });
        assert_eq!(p.advance(b"a\r\n\n"), TextPosition { line: 3, column: 1 });
        assert_eq!(
            p.advance("é€x".as_bytes()),
            TextPosition { line: 1, column: 4 }
        );
        assert_eq!(p.advance(b""), p);
        let long = "é\n".repeat(40) + &"x".repeat(70) + "€";
        assert_eq!(
            p.advance(long.as_bytes()),
            TextPosition {
                line: 41,
                column: 72
            }
        );
        let long = "é".repeat(70);
        assert_eq!(
            p.advance(long.as_bytes()),
            TextPosition {
                line: 1,
                column: 71
            }
        );
    }

    #[test]
    fn displays_line_and_column() {
        assert_eq!(
            TextPosition { line: 2, column: 3 }.to_string(),
            "line 2, column 3"
        );
    }
}
