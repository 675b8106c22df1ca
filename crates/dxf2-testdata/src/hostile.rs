//! Hostile inputs for the bounded-memory tests: documents of any size produced as they are read,
//! never held in memory, that count the bytes they hand out (so a test can check that a reader
//! stopped early).
//!
//! ```
//! use std::io::Read;
//! use dxf2_testdata::hostile::Hostile;
//!
//! // `<dataValueSet><!--`, then 1 GiB of `a`, then `-->`: 1 GiB that never exists at once.
//! let doc = Hostile::new().text("<dataValueSet><!--").run(b'a', 1 << 30).text("-->");
//! let counter = doc.counter();
//! let mut head = [0u8; 20];
//! doc.take(20).read_exact(&mut head).unwrap();
//! assert_eq!(&head[..], b"<dataValueSet><!--aa");
//! assert_eq!(counter.get(), 20);
//! ```

use std::io::{self, Read};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// How many bytes a [`Hostile`] document has handed out so far (shared with the document, which
/// may be read on another thread).
#[derive(Clone, Debug, Default)]
pub struct Counter(Arc<AtomicU64>);

impl Counter {
    /// The bytes handed out so far.
    pub fn get(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }
}

/// A document made of pieces, each a byte string repeated (cycled) up to a length in bytes,
/// produced as it is read.
#[derive(Debug, Default)]
pub struct Hostile {
    /// `(piece, bytes)`: `piece` cycled until `bytes` bytes were produced.
    parts: Vec<(Vec<u8>, u64)>,
    part: usize,
    done_in_part: u64,
    handed_out: Counter,
}

impl Hostile {
    /// An empty document.
    pub fn new() -> Hostile {
        Hostile::default()
    }

    /// Appends literal text.
    pub fn text(self, text: &str) -> Hostile {
        let len = text.len() as u64;
        self.fill(text.as_bytes(), len)
    }

    /// Appends `count` copies of `byte`.
    pub fn run(self, byte: u8, count: u64) -> Hostile {
        self.fill(&[byte], count)
    }

    /// Appends `count` copies of `text`.
    pub fn repeat(self, text: &str, count: u64) -> Hostile {
        let len = (text.len() as u64).saturating_mul(count);
        self.fill(text.as_bytes(), len)
    }

    /// Appends `pattern` cycled until exactly `bytes` bytes (the last copy may be cut).
    pub fn fill(mut self, pattern: &[u8], bytes: u64) -> Hostile {
        if !pattern.is_empty() && bytes > 0 {
            self.parts.push((pattern.to_vec(), bytes));
        }
        self
    }

    /// The counter of bytes handed out (shared: keep it before the document is moved).
    pub fn counter(&self) -> Counter {
        self.handed_out.clone()
    }

    /// The bytes handed out so far.
    pub fn handed_out(&self) -> u64 {
        self.handed_out.get()
    }
}

impl Read for Hostile {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let mut n = 0;
        while n < buf.len() {
            let Some((piece, total)) = self.parts.get(self.part) else {
                break;
            };
            if self.done_in_part >= *total {
                self.part += 1;
                self.done_in_part = 0;
                continue;
            }
            let at = (self.done_in_part % piece.len() as u64) as usize;
            let left_in_part = usize::try_from(total - self.done_in_part).unwrap_or(usize::MAX);
            let take = (piece.len() - at).min(buf.len() - n).min(left_in_part);
            let (Some(to), Some(from)) = (buf.get_mut(n..n + take), piece.get(at..at + take))
            else {
                break;
            };
            to.copy_from_slice(from);
            n += take;
            self.done_in_part += take as u64;
        }
        self.handed_out.0.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    fn all(mut h: Hostile) -> Vec<u8> {
        let mut out = Vec::new();
        // One byte at a time and in big reads must give the same bytes.
        let mut byte = [0u8; 1];
        while h.read(&mut byte).unwrap_or(0) == 1 {
            out.push(byte[0]);
        }
        out
    }

    #[test]
    fn pieces_come_in_order_and_patterns_are_cut_at_their_length() {
        let h = Hostile::new()
            .text("<a>")
            .fill(b"xyz", 7)
            .run(b'0', 2)
            .repeat("ab", 2)
            .text("</a>");
        assert_eq!(all(h), b"<a>xyzxyzx00abab</a>");
        let mut h = Hostile::new().text("<a>").fill(b"xyz", 7).text("</a>");
        let counter = h.counter();
        let mut out = Vec::new();
        h.read_to_end(&mut out).unwrap();
        assert_eq!(out, b"<a>xyzxyzx</a>");
        assert_eq!(counter.get(), 14);
    }
}
