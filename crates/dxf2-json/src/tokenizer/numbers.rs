//! Numbers: copied or skipped as written, with JSON's grammar checked.

use std::io::BufRead;

use crate::error::{Error, ErrorKind, Position, Result};

use super::scan::number_len;
use super::{buffered, Tokenizer};

/// A number being read on the careful path: where its text goes (if kept), its length so far
/// and where it started.
pub(super) struct NumberText<'a> {
    out: Option<&'a mut String>,
    len: usize,
    start: Position,
}

impl<R: BufRead> Tokenizer<R> {
    /// A number ended where a digit was required.
    pub(super) fn missing_digit(&mut self, reason: &'static str) -> Error {
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
    #[inline]
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
    #[inline]
    pub(super) fn skip_number(&mut self) -> Result<()> {
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
    pub(super) fn read_number_slow(&mut self, out: Option<&mut String>) -> Result<()> {
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
    pub(super) fn number_byte(&mut self, number: &mut NumberText<'_>, b: u8) -> Result<()> {
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

    pub(super) fn push_digits(&mut self, number: &mut NumberText<'_>) -> Result<usize> {
        let mut n = 0;
        while let Some(b @ b'0'..=b'9') = self.peek()? {
            self.number_byte(number, b)?;
            n += 1;
        }
        Ok(n)
    }
}
