//! Bounds on what a reader holds in memory at once, whatever its input.
//!
//! Every streaming reader of the workspace (XML, JSON, CSV and the import-summary and metadata
//! readers) keeps at most one token of its input in memory: an XML text run, comment, DOCTYPE or
//! attribute value, a JSON string or number, a CSV field or line. A hostile or broken file (a 1 GiB
//! text run, `/dev/zero`, a decompression bomb) would otherwise cost memory in proportion to its size.
//! [`ReadLimits`] caps that token; a reader that meets a longer one fails with an error that names the
//! limit, the line where the token started and how to raise it.
//!
//! ```
//! use dxf2_model::ReadLimits;
//!
//! let limits = ReadLimits::default();
//! assert_eq!(limits.max_token_bytes, 4 * 1024 * 1024);
//! let generous = ReadLimits::default().with_max_token_bytes(64 * 1024 * 1024);
//! assert!(generous.max_record_bytes >= generous.max_token_bytes);
//! ```

/// Bounds on a reader's memory: the longest single token and the longest CSV record, in bytes.
///
/// The defaults (4 MiB a token, 16 MiB a CSV record) are far above anything DHIS2 itself writes
/// (a data value's comment or text value is at most tens of kilobytes) and keep a reader's peak memory
/// well under 64 MB on any input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ReadLimits {
    /// The longest single token in bytes: an XML text run, comment, CDATA section, DOCTYPE,
    /// processing instruction, tag or attribute value; a JSON string or number; a CSV field.
    pub max_token_bytes: usize,
    /// The longest CSV record (line, with its quoted line breaks) in bytes. Never below
    /// `max_token_bytes`.
    pub max_record_bytes: usize,
}

impl ReadLimits {
    /// The default token limit: 4 MiB.
    pub const DEFAULT_MAX_TOKEN_BYTES: usize = 4 * 1024 * 1024;
    /// The default CSV record limit: 16 MiB.
    pub const DEFAULT_MAX_RECORD_BYTES: usize = 16 * 1024 * 1024;

    /// The same limits with another token limit (the record limit is raised to match when lower).
    pub fn with_max_token_bytes(mut self, bytes: usize) -> ReadLimits {
        self.max_token_bytes = bytes;
        self.max_record_bytes = self.max_record_bytes.max(bytes);
        self
    }

    /// The same limits with another CSV record limit (never below the token limit).
    pub fn with_max_record_bytes(mut self, bytes: usize) -> ReadLimits {
        self.max_record_bytes = bytes.max(self.max_token_bytes);
        self
    }

    /// No bounds at all (for trusted inputs; a hostile input can then exhaust memory).
    pub fn unlimited() -> ReadLimits {
        ReadLimits {
            max_token_bytes: usize::MAX,
            max_record_bytes: usize::MAX,
        }
    }
}

impl Default for ReadLimits {
    fn default() -> ReadLimits {
        ReadLimits {
            max_token_bytes: ReadLimits::DEFAULT_MAX_TOKEN_BYTES,
            max_record_bytes: ReadLimits::DEFAULT_MAX_RECORD_BYTES,
        }
    }
}

/// Formats a byte count as users write limits: `4 MiB`, `512 KiB`, `100 bytes`.
pub fn human_bytes(bytes: usize) -> String {
    const KIB: usize = 1024;
    const MIB: usize = 1024 * KIB;
    const GIB: usize = 1024 * MIB;
    if bytes >= GIB && bytes.is_multiple_of(GIB) {
        format!("{} GiB", bytes / GIB)
    } else if bytes >= MIB && bytes.is_multiple_of(MIB) {
        format!("{} MiB", bytes / MIB)
    } else if bytes >= KIB && bytes.is_multiple_of(KIB) {
        format!("{} KiB", bytes / KIB)
    } else {
        format!("{bytes} bytes")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn record_limit_never_below_token_limit() {
        let l = ReadLimits::default().with_max_token_bytes(100 * 1024 * 1024);
        assert_eq!(l.max_record_bytes, 100 * 1024 * 1024);
        let l = ReadLimits::default().with_max_record_bytes(10);
        assert_eq!(l.max_record_bytes, ReadLimits::DEFAULT_MAX_TOKEN_BYTES);
    }

    #[test]
    fn human_sizes() {
        assert_eq!(human_bytes(4 * 1024 * 1024), "4 MiB");
        assert_eq!(human_bytes(2048), "2 KiB");
        assert_eq!(human_bytes(100), "100 bytes");
        assert_eq!(human_bytes(3 * 1024 * 1024 * 1024), "3 GiB");
    }
}
