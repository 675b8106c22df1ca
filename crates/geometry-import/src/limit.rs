//! Bounds on what the readers take from their input at once.
//!
//! * [`Budget`] (GeoJSON): `serde_json` reads through it; the reader opens a budget at each
//!   feature (and each other top-level member), and the input fails once one of them is longer
//!   than the limit, so no feature larger than the limit is ever held.
//! * [`Limited`] (GML): quick-xml copies each event (a text run, a tag, a comment, a DOCTYPE)
//!   into one buffer; the reader starts a token before each event and the adapter hands out at
//!   most `limit + 1` bytes of it. It also counts lines, for positions in messages.

use std::cell::Cell;
use std::io::{self, BufRead, Read};
use std::rc::Rc;

/// The marker error of a budget or token that ran out.
#[derive(Debug)]
pub(crate) struct OverLimit;

impl std::fmt::Display for OverLimit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("input longer than the limit")
    }
}

impl std::error::Error for OverLimit {}

/// Shared state of a [`Budget`]: bytes read in all and since the budget was opened.
#[derive(Clone, Debug, Default)]
pub(crate) struct Meter {
    total: Rc<Cell<u64>>,
    used: Rc<Cell<usize>>,
    exceeded: Rc<Cell<bool>>,
}

impl Meter {
    /// Opens a new budget at the current position; returns that position (bytes read so far).
    pub(crate) fn open(&self) -> u64 {
        self.used.set(0);
        self.total.get()
    }

    /// Whether a budget ran out.
    pub(crate) fn exceeded(&self) -> bool {
        self.exceeded.get()
    }
}

/// A reader that fails once more than `limit` bytes were read since [`Meter::open`].
pub(crate) struct Budget<R> {
    inner: R,
    limit: usize,
    meter: Meter,
}

impl<R: BufRead> Budget<R> {
    pub(crate) fn new(inner: R, limit: usize) -> (Budget<R>, Meter) {
        let meter = Meter::default();
        (
            Budget {
                inner,
                limit,
                meter: meter.clone(),
            },
            meter,
        )
    }
}

impl<R: BufRead> Read for Budget<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let used = self.meter.used.get();
        let allowed = self.limit.saturating_add(1).saturating_sub(used);
        if allowed == 0 {
            self.meter.exceeded.set(true);
            return Err(io::Error::other(OverLimit));
        }
        let available = self.inner.fill_buf()?;
        let n = available.len().min(out.len()).min(allowed);
        if let (Some(to), Some(from)) = (out.get_mut(..n), available.get(..n)) {
            to.copy_from_slice(from);
        }
        self.inner.consume(n);
        self.meter.used.set(used.saturating_add(n));
        self.meter
            .total
            .set(self.meter.total.get().saturating_add(n as u64));
        if self.meter.used.get() > self.limit {
            self.meter.exceeded.set(true);
            return Err(io::Error::other(OverLimit));
        }
        Ok(n)
    }
}

/// A line and column (both 1-based; the column counts bytes).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Position {
    /// Line, from 1.
    pub line: u64,
    /// Column, from 1 (in bytes).
    pub column: u64,
}

/// See the module docs.
pub(crate) struct Limited<R> {
    inner: R,
    limit: usize,
    used: usize,
    line: u64,
    /// Bytes consumed so far, and the offset just after the last line end.
    offset: u64,
    line_start: u64,
}

impl<R: BufRead> Limited<R> {
    pub(crate) fn new(inner: R, limit: usize) -> Limited<R> {
        Limited {
            inner,
            limit,
            used: 0,
            line: 1,
            offset: 0,
            line_start: 0,
        }
    }

    /// Starts counting a new token.
    pub(crate) fn start_token(&mut self) {
        self.used = 0;
    }

    /// Whether the current token is longer than the limit.
    pub(crate) fn exceeded(&self) -> bool {
        self.used > self.limit
    }

    /// Where reading stands.
    pub(crate) fn position(&self) -> Position {
        Position {
            line: self.line,
            column: self.offset - self.line_start + 1,
        }
    }
}

impl<R: BufRead> Read for Limited<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let available = self.fill_buf()?;
        let n = available.len().min(out.len());
        if let (Some(to), Some(from)) = (out.get_mut(..n), available.get(..n)) {
            to.copy_from_slice(from);
        }
        self.consume(n);
        Ok(n)
    }
}

impl<R: BufRead> BufRead for Limited<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        // One byte past the limit may pass, so that a token of exactly `limit` bytes still sees
        // what ends it; consuming it makes the token too long.
        let allowed = self.limit.saturating_add(1).saturating_sub(self.used);
        if allowed == 0 {
            return Err(io::Error::other(OverLimit));
        }
        let available = self.inner.fill_buf()?;
        Ok(available.get(..allowed).unwrap_or(available))
    }

    fn consume(&mut self, amount: usize) {
        if let Ok(buf) = self.inner.fill_buf() {
            let taken = buf.get(..amount).unwrap_or(buf);
            for (i, b) in taken.iter().enumerate() {
                if *b == b'\n' {
                    self.line += 1;
                    self.line_start = self.offset + i as u64 + 1;
                }
            }
        }
        self.offset += amount as u64;
        self.used = self.used.saturating_add(amount);
        self.inner.consume(amount);
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn a_budget_runs_out_and_reopens() {
        let (mut input, meter) = Budget::new(&b"abcdefgh"[..], 3);
        let mut two = [0; 2];
        assert_eq!(input.read(&mut two).unwrap(), 2);
        assert!(!meter.exceeded());
        assert!(
            input.read(&mut two).is_err(),
            "4 bytes are over the limit of 3"
        );
        assert!(meter.exceeded());
        assert_eq!(meter.open(), 4);
        assert_eq!(input.read(&mut two).unwrap(), 2);
    }

    #[test]
    fn tokens_are_bounded_and_lines_counted() {
        let mut input = Limited::new(&b"ab\ncdefgh"[..], 3);
        input.start_token();
        assert_eq!(input.fill_buf().unwrap(), b"ab\nc");
        input.consume(3);
        assert!(!input.exceeded());
        assert_eq!(input.position(), Position { line: 2, column: 1 });
        input.consume(1);
        assert!(input.exceeded());
        assert!(input.fill_buf().is_err());
        input.start_token();
        assert_eq!(input.fill_buf().unwrap(), b"defg");
        assert_eq!(input.position(), Position { line: 2, column: 2 });
    }
}
