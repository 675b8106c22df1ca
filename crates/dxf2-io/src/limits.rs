//! Bounds on decompression: how large a compressed input may expand, in all and relative to its
//! compressed size, so that a decompression bomb (1 MB of gzip expanding to 1 GiB of zeros) costs
//! neither memory nor unbounded time.

use std::fmt;
use std::io;

/// Bounds on what a compressed input (gzip or zip) may expand to.
///
/// ```
/// use dxf2_io::DecompressionLimits;
///
/// let limits = DecompressionLimits::default().with_max_ratio(1000);
/// assert_eq!(limits.max_ratio, 1000);
/// assert_eq!(limits.max_expanded_bytes, 64 * 1024 * 1024 * 1024);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct DecompressionLimits {
    /// The most bytes a compressed input may expand to (default 64 GiB).
    pub max_expanded_bytes: u64,
    /// The most an input may expand relative to the compressed bytes read so far (default 200),
    /// checked once more than [`DecompressionLimits::ratio_grace_bytes`] came out.
    pub max_ratio: u64,
    /// How many expanded bytes are allowed before the ratio is checked (default 16 MiB), so
    /// that small, very compressible files pass.
    pub ratio_grace_bytes: u64,
}

impl DecompressionLimits {
    /// The default expanded size limit: 64 GiB.
    pub const DEFAULT_MAX_EXPANDED_BYTES: u64 = 64 * 1024 * 1024 * 1024;
    /// The default ratio limit: 200 (real DXF2 files compress 10 to 50 times).
    pub const DEFAULT_MAX_RATIO: u64 = 200;
    /// The default size before the ratio counts: 16 MiB.
    pub const DEFAULT_RATIO_GRACE_BYTES: u64 = 16 * 1024 * 1024;

    /// The same limits with another expanded size limit.
    pub fn with_max_expanded_bytes(mut self, bytes: u64) -> DecompressionLimits {
        self.max_expanded_bytes = bytes;
        self
    }

    /// The same limits with another ratio limit.
    pub fn with_max_ratio(mut self, ratio: u64) -> DecompressionLimits {
        self.max_ratio = ratio;
        self
    }

    /// The same limits with another size before the ratio counts.
    pub fn with_ratio_grace_bytes(mut self, bytes: u64) -> DecompressionLimits {
        self.ratio_grace_bytes = bytes;
        self
    }

    /// No bounds (for trusted inputs only).
    pub fn unlimited() -> DecompressionLimits {
        DecompressionLimits {
            max_expanded_bytes: u64::MAX,
            max_ratio: u64::MAX,
            ratio_grace_bytes: u64::MAX,
        }
    }

    /// Checks `expanded` bytes out of `compressed` bytes read.
    pub(crate) fn check(&self, expanded: u64, compressed: u64) -> Result<(), LimitExceeded> {
        if expanded > self.max_expanded_bytes {
            return Err(LimitExceeded::ExpandedSize {
                limit: self.max_expanded_bytes,
            });
        }
        if expanded > self.ratio_grace_bytes
            && expanded / compressed.max(1) >= self.max_ratio.saturating_add(1)
        {
            return Err(LimitExceeded::Ratio {
                limit: self.max_ratio,
                expanded,
                compressed,
            });
        }
        Ok(())
    }
}

impl Default for DecompressionLimits {
    fn default() -> DecompressionLimits {
        DecompressionLimits {
            max_expanded_bytes: DecompressionLimits::DEFAULT_MAX_EXPANDED_BYTES,
            max_ratio: DecompressionLimits::DEFAULT_MAX_RATIO,
            ratio_grace_bytes: DecompressionLimits::DEFAULT_RATIO_GRACE_BYTES,
        }
    }
}

/// A compressed input that expanded past a [`DecompressionLimits`] bound. Readers report it as
/// an [`io::Error`] of kind `InvalidData` whose inner error is this value.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LimitExceeded {
    /// More expanded bytes than `max_expanded_bytes`.
    #[error(
        "the decompressed input is larger than the limit of {} (raise \
         DecompressionLimits::max_expanded_bytes, or --max-expanded-bytes on the command line)",
        Bytes(*limit)
    )]
    ExpandedSize {
        /// The limit.
        limit: u64,
    },
    /// The input expands more than `max_ratio` times its compressed size.
    #[error(
        "the compressed input expands more than {limit} times ({} from {}): a decompression \
         bomb? (raise DecompressionLimits::max_ratio, or --max-ratio on the command line)",
        Bytes(*expanded),
        Bytes(*compressed)
    )]
    Ratio {
        /// The limit.
        limit: u64,
        /// Expanded bytes when it was hit.
        expanded: u64,
        /// Compressed bytes read when it was hit.
        compressed: u64,
    },
}

impl From<LimitExceeded> for io::Error {
    fn from(e: LimitExceeded) -> io::Error {
        io::Error::new(io::ErrorKind::InvalidData, e)
    }
}

/// A byte count shown as `dxf2_model::limits::human_bytes` shows it.
struct Bytes(u64);

impl fmt::Display for Bytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match usize::try_from(self.0) {
            Ok(n) => f.write_str(&dxf2_model::limits::human_bytes(n)),
            Err(_) => write!(f, "{} bytes", self.0),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratio_counts_only_after_the_grace() {
        let l = DecompressionLimits::default();
        assert!(l.check(16 * 1024 * 1024, 1).is_ok());
        assert!(matches!(
            l.check(32 * 1024 * 1024, 1024),
            Err(LimitExceeded::Ratio { .. })
        ));
        assert!(l.check(32 * 1024 * 1024, 1024 * 1024).is_ok());
        let l = l.with_max_expanded_bytes(10);
        let e = l.check(11, 11).unwrap_err();
        assert!(e.to_string().contains("--max-expanded-bytes"), "{e}");
        assert!(e.to_string().contains("10 bytes"), "{e}");
    }
}
