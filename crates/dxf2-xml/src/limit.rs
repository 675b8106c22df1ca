//! A [`BufRead`] adapter that bounds how many bytes quick-xml may take for one event.
//!
//! quick-xml copies every byte of an event (a text run, a comment, a tag with its attributes…)
//! into one buffer before it hands the event over, so a 1 GiB comment would cost 1 GiB of
//! memory. [`Limited`] sits between quick-xml and the input: the cursor calls
//! [`Limited::start_token`] before each event, and from then on the adapter hands out at most
//! `limit + 1` bytes. Once more than `limit` bytes have been consumed the token is too long:
//! [`BufRead::fill_buf`] fails, and [`Limited::exceeded`] says so, so quick-xml's buffer never
//! holds more than `limit + 1` bytes of one event.

use std::io::{self, BufRead, Read};

/// See the module docs.
pub(crate) struct Limited<R> {
    inner: R,
    /// The longest token in bytes.
    limit: usize,
    /// Bytes consumed since the start of the current token.
    used: usize,
}

impl<R: BufRead> Limited<R> {
    /// Wraps `inner`; tokens of at most `limit` bytes pass.
    pub(crate) fn new(inner: R, limit: usize) -> Limited<R> {
        Limited {
            inner,
            limit,
            used: 0,
        }
    }

    /// Starts counting a new token.
    #[inline]
    pub(crate) fn start_token(&mut self) {
        self.used = 0;
    }

    /// Whether the current token is longer than the limit.
    #[inline]
    pub(crate) fn exceeded(&self) -> bool {
        self.used > self.limit
    }

    /// The token limit in bytes.
    pub(crate) fn limit(&self) -> usize {
        self.limit
    }

    /// The input, for the end-of-input check after an error (not limited).
    pub(crate) fn inner_mut(&mut self) -> &mut R {
        &mut self.inner
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
    #[inline]
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        // One byte more than the limit may pass, so that a text run of exactly `limit` bytes
        // still sees the `<` that ends it; consuming it makes the token too long.
        let allowed = self.limit.saturating_add(1).saturating_sub(self.used);
        if allowed == 0 {
            return Err(io::Error::other(TokenLimit));
        }
        let available = self.inner.fill_buf()?;
        Ok(available.get(..allowed).unwrap_or(available))
    }

    #[inline]
    fn consume(&mut self, amount: usize) {
        self.used = self.used.saturating_add(amount);
        self.inner.consume(amount);
    }
}

/// The I/O error [`Limited`] gives once a token is too long (the cursor reports
/// [`ErrorKind::TokenTooLong`](crate::ErrorKind::TokenTooLong) instead).
#[derive(Debug)]
struct TokenLimit;

impl std::fmt::Display for TokenLimit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("token longer than the limit")
    }
}

impl std::error::Error for TokenLimit {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn at_most_one_byte_past_the_limit_is_handed_out() {
        let mut input = Limited::new(&b"abcdefgh"[..], 3);
        input.start_token();
        assert_eq!(input.fill_buf().unwrap(), b"abcd");
        input.consume(3);
        assert!(!input.exceeded());
        assert_eq!(input.fill_buf().unwrap(), b"d");
        input.consume(1);
        assert!(input.exceeded());
        assert!(input.fill_buf().is_err());
        input.start_token();
        assert!(!input.exceeded());
        let mut two = [0; 2];
        assert_eq!(input.read(&mut two).unwrap(), 2);
        assert_eq!(&two, b"ef");
        assert!(!input.exceeded());
        assert_eq!(input.limit(), 3);
    }

    #[test]
    fn unlimited_never_fails() {
        let mut input = Limited::new(&b"abc"[..], usize::MAX);
        input.start_token();
        assert_eq!(input.fill_buf().unwrap(), b"abc");
        input.consume(3);
        assert!(!input.exceeded());
        assert_eq!(input.fill_buf().unwrap(), b"");
    }
}
