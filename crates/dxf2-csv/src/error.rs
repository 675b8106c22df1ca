//! The one error type of `dxf2-csv`, and where in the input it happened.

use std::fmt;
use std::io;

use dxf2_model::codec::ErrorLocation;
use dxf2_model::limits::human_bytes;
use dxf2_model::TextPosition;
use thiserror::Error as ThisError;

/// A `Result` whose error is this crate's [`Error`].
pub type Result<T> = std::result::Result<T, Error>;

/// Where a record starts in the input.
///
/// * `byte`: 0-based byte offset of the record's first byte;
/// * `line`: 1-based line of that byte (CR, LF and CRLF each end one line, also inside quoted
///   fields);
/// * `record`: 1-based number of the data record, i.e. the importer's value index + 1. The header
///   row is record 0.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Position {
    byte: u64,
    line: u64,
    record: u64,
}

impl Position {
    /// A position from its parts.
    pub const fn new(byte: u64, line: u64, record: u64) -> Position {
        Position { byte, line, record }
    }

    /// 0-based byte offset of the record's first byte.
    pub fn byte(&self) -> u64 {
        self.byte
    }

    /// 1-based line of the record's first byte.
    pub fn line(&self) -> u64 {
        self.line
    }

    /// 1-based data record number; 0 for the header row.
    pub fn record(&self) -> u64 {
        self.record
    }
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.record == 0 {
            write!(f, "header row (line {})", self.line)
        } else {
            write!(f, "record {} (line {})", self.record, self.line)
        }
    }
}

/// `line L, byte column C`: a [`TextPosition`] of this crate, whose column counts bytes.
struct At(TextPosition);

impl fmt::Display for At {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}, byte column {}", self.0.line, self.0.column)
    }
}

/// What went wrong.
///
/// The [`TextPosition`]s carried here count their `column` in **bytes** from the start of the
/// line (1-based), not in characters: the reader never decodes the text it skips.
#[derive(Debug, ThisError)]
#[non_exhaustive]
pub enum ErrorKind {
    /// Reading or writing the underlying stream failed.
    #[error("I/O error: {0}")]
    Io(#[source] io::Error),
    /// Classic profile: a field is longer than javacsv's safety limit (DHIS2 aborts the import).
    /// Counted in UTF-16 code units, as Java counts characters. The limit is DHIS2's own and
    /// cannot be raised.
    #[error(
        "field longer than {limit} characters (javacsv's limit, as DHIS2 2.36-2.42 reads CSV), \
         starting at {}",
        At(*start)
    )]
    FieldTooLong {
        /// The limit ([`crate::MAX_FIELD_CHARS`]).
        limit: usize,
        /// Where the field's content starts (byte column).
        start: TextPosition,
    },
    /// A field is longer than [`ReadLimits::max_token_bytes`](dxf2_model::ReadLimits) (its text
    /// as read: without enclosing quotes, `""` counted once).
    #[error(
        "field longer than {} (ReadLimits::max_token_bytes), starting at {}; raise \
         ReadLimits::max_token_bytes, or --max-token-bytes on the command line",
        human_bytes(*limit),
        At(*start)
    )]
    TokenTooLong {
        /// The limit in bytes.
        limit: usize,
        /// Where the field's content starts (byte column).
        start: TextPosition,
    },
    /// A record (a line, with its quoted line breaks) is longer than
    /// [`ReadLimits::max_record_bytes`](dxf2_model::ReadLimits), not counting its line end. The
    /// error's [`Position`] is where the record starts.
    #[error(
        "record longer than {} (ReadLimits::max_record_bytes); raise \
         ReadLimits::max_record_bytes, or --max-record-bytes on the command line",
        human_bytes(*limit)
    )]
    RecordTooLong {
        /// The limit in bytes.
        limit: usize,
    },
    /// A quoted field is never closed. Classic profile: the input ends inside it (javacsv, and
    /// so DHIS2 2.36-2.42, would silently read the rest of the file as this one field). Pipeline
    /// profile: its line ends inside it (DHIS2 2.43 would read the rest of the line as the field,
    /// and the next line as a new row).
    #[error("the quoted field opened at {} is never closed", At(*start))]
    UnterminatedQuote {
        /// Where the opening `"` is (byte column).
        start: TextPosition,
    },
    /// Bytes that are not UTF-8, under [`Utf8Policy::Error`](crate::Utf8Policy::Error) (the
    /// default). DHIS2 would replace them by U+FFFD.
    #[error(
        "invalid UTF-8 at {}; DHIS2 would replace it by U+FFFD: read with \
         Utf8Policy::Replace, or --invalid-utf8 replace on the command line, to do the same",
        At(*at)
    )]
    InvalidUtf8 {
        /// Where the first invalid byte is (byte column).
        at: TextPosition,
    },
    /// Classic profile: a record has more columns than javacsv's safety limit.
    #[error("record has more than {limit} columns")]
    TooManyColumns {
        /// The limit ([`crate::MAX_COLUMNS`]).
        limit: usize,
    },
    /// Pipeline profile with `firstRowIsHeader=false`: DHIS2 2.43 refuses it before reading.
    #[error("CSV without header row is no longer supported.")]
    HeaderRowRequired,
    /// Pipeline profile: the input is empty, there is no header line.
    #[error("No header line provided.")]
    NoHeaderLine,
    /// Pipeline profile: the header line is empty (no columns) and a non-empty data line follows
    /// (DHIS2 2.43 then fails with an index error).
    #[error("the header line has no columns but data follows")]
    EmptyHeader,
    /// Pipeline profile: a header cell that is a single `"` (DHIS2 2.43 fails to unquote it).
    #[error("header cell `{cell}` cannot be unquoted")]
    InvalidHeaderCell {
        /// The cell as written.
        cell: String,
    },
    /// The input starts with a ZIP or GZIP signature. DHIS2 decompresses such input;
    /// this crate reads plain CSV only, so decompress first.
    #[error("input is {format}-compressed: decompress it before reading it as CSV")]
    Compressed {
        /// `ZIP` or `GZIP`.
        format: &'static str,
    },
}

/// A coarse classification of errors, for callers that only need to know what kind of problem it
/// is; the same for every codec. Here: [`Category::Limit`] for DHIS2's safety limits and the
/// reader's [`ReadLimits`](dxf2_model::ReadLimits), [`Category::Syntax`] for an unterminated
/// quote or bytes that are not UTF-8, [`Category::Data`] for a missing or unusable header line
/// (pipeline profile), [`Category::Unsupported`] for options or input forms not supported (no
/// header row on 2.43+, compressed input).
pub use dxf2_model::codec::Category;

/// The error of every reader and writer operation: what went wrong ([`ErrorKind`]) and where
/// ([`Position`] of the record and, when relevant, the 0-based column index).
///
/// Messages start with where, as every codec says it: `line L (value #N, index I), column C: …`
/// for a data record (`N` counts values from 1 and is the record number, `I` is DHIS2's 0-based
/// index of the same value, `C` the 1-based CSV column), `line L (header row): …` for the header
/// row.
///
/// Boxed, so a `Result<T, Error>` stays one pointer wide.
///
/// ```
/// use dxf2_csv::{Category, ReaderBuilder};
/// use dxf2_model::ImporterProfile;
///
/// let err = ReaderBuilder::new()
///     .profile(ImporterProfile::Pipeline)
///     .first_row_is_header(false)
///     .from_reader(&b"a,b\n"[..])
///     .err()
///     .unwrap();
/// assert_eq!(err.category(), Category::Unsupported);
/// assert_eq!(err.to_string(), "CSV without header row is no longer supported.");
/// ```
pub struct Error(Box<Inner>);

#[derive(Debug)]
struct Inner {
    kind: ErrorKind,
    position: Option<Position>,
    column: Option<usize>,
}

impl Error {
    pub(crate) fn new(kind: ErrorKind, position: Option<Position>, column: Option<usize>) -> Error {
        Error(Box::new(Inner {
            kind,
            position,
            column,
        }))
    }

    pub(crate) fn io(err: io::Error, position: Option<Position>) -> Error {
        Error::new(ErrorKind::Io(err), position, None)
    }

    /// What went wrong.
    pub fn kind(&self) -> &ErrorKind {
        &self.0.kind
    }

    /// Consumes the error, returning what went wrong.
    pub fn into_kind(self) -> ErrorKind {
        self.0.kind
    }

    /// The record where it went wrong, when the error is tied to one.
    pub fn position(&self) -> Option<Position> {
        self.0.position
    }

    /// Where it went wrong as every codec says it: the record's line and, for a data record, the
    /// value's 0-based index (DHIS2's numbering: record number − 1) — shown as
    /// `line L (value #N, index I)`, `N` counting values from 1 as the record number does.
    pub fn location(&self) -> ErrorLocation {
        match self.0.position {
            Some(p) if p.record > 0 => {
                ErrorLocation::at_line(p.line).with_value_index(p.record - 1)
            }
            Some(p) => ErrorLocation::at_line(p.line),
            None => ErrorLocation::UNKNOWN,
        }
    }

    /// The 1-based line where the record starts, when the error is tied to one.
    pub fn line(&self) -> Option<u64> {
        self.0.position.map(|p| p.line)
    }

    /// The 0-based index of the data value (DHIS2's numbering), when the error is tied to a data
    /// record (not the header row).
    pub fn value_index(&self) -> Option<u64> {
        self.location().value_index()
    }

    /// The 1-based number of the data value (`value #N` in messages, the record number), when
    /// the error is tied to a data record.
    pub fn value_number(&self) -> Option<u64> {
        self.location().value_number()
    }

    /// The 0-based column index, when the error is tied to one column (0 = `dataElement`).
    /// The message shows it 1-based.
    pub fn column_index(&self) -> Option<usize> {
        self.0.column
    }

    /// The coarse category.
    pub fn category(&self) -> Category {
        match self.0.kind {
            ErrorKind::Io(_) => Category::Io,
            ErrorKind::FieldTooLong { .. }
            | ErrorKind::TooManyColumns { .. }
            | ErrorKind::TokenTooLong { .. }
            | ErrorKind::RecordTooLong { .. } => Category::Limit,
            ErrorKind::UnterminatedQuote { .. } | ErrorKind::InvalidUtf8 { .. } => Category::Syntax,
            ErrorKind::NoHeaderLine
            | ErrorKind::EmptyHeader
            | ErrorKind::InvalidHeaderCell { .. } => Category::Data,
            ErrorKind::HeaderRowRequired | ErrorKind::Compressed { .. } => Category::Unsupported,
        }
    }

    /// Whether this is an I/O error.
    pub fn is_io(&self) -> bool {
        self.category() == Category::Io
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Error")
            .field("kind", &self.0.kind)
            .field("position", &self.0.position)
            .field("column", &self.0.column)
            .finish()
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let location = self.location();
        if !location.is_unknown() {
            write!(f, "{location}")?;
        }
        if self.0.position.is_some_and(|p| p.record == 0) {
            f.write_str(" (header row)")?;
        }
        match (location.is_unknown(), self.0.column) {
            (false, Some(col)) => write!(f, ", column {}: ", col.saturating_add(1))?,
            (false, None) => f.write_str(": ")?,
            (true, Some(col)) => write!(f, "column {}: ", col.saturating_add(1))?,
            (true, None) => {}
        }
        write!(f, "{}", self.0.kind)
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &self.0.kind {
            ErrorKind::Io(e) => Some(e),
            _ => None,
        }
    }
}

impl From<Error> for io::Error {
    fn from(err: Error) -> io::Error {
        match err.into_kind() {
            ErrorKind::Io(e) => e,
            other => io::Error::new(io::ErrorKind::InvalidData, other.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_with_position_and_column() {
        let start = TextPosition {
            line: 13,
            column: 12,
        };
        let e = Error::new(
            ErrorKind::FieldTooLong {
                limit: 100_000,
                start,
            },
            Some(Position::new(10, 13, 12)),
            Some(5),
        );
        assert_eq!(
            e.to_string(),
            "line 13 (value #12, index 11), column 6: field longer than 100000 characters \
             (javacsv's limit, as DHIS2 2.36-2.42 reads CSV), starting at line 13, byte column 12"
        );
        assert_eq!(e.category(), Category::Limit);
        assert_eq!(e.column_index(), Some(5));
        assert_eq!(
            (e.line(), e.value_index(), e.value_number()),
            (Some(13), Some(11), Some(12))
        );
        assert_eq!(e.position().map(|p| p.byte()), Some(10));
    }

    #[test]
    fn header_row_position() {
        let e = Error::new(
            ErrorKind::TooManyColumns { limit: 100_000 },
            Some(Position::new(0, 1, 0)),
            None,
        );
        assert_eq!(
            e.to_string(),
            "line 1 (header row): record has more than 100000 columns"
        );
    }

    #[test]
    fn limit_messages_say_how_to_raise_them() {
        let start = TextPosition { line: 4, column: 1 };
        let e = Error::new(
            ErrorKind::TokenTooLong {
                limit: 4 * 1024 * 1024,
                start,
            },
            Some(Position::new(0, 4, 3)),
            Some(0),
        );
        assert_eq!(
            e.to_string(),
            "line 4 (value #3, index 2), column 1: field longer than 4 MiB \
             (ReadLimits::max_token_bytes), \
             starting at line 4, byte column 1; raise ReadLimits::max_token_bytes, or \
             --max-token-bytes on the command line"
        );
        let e = Error::new(
            ErrorKind::RecordTooLong {
                limit: 16 * 1024 * 1024,
            },
            Some(Position::new(0, 1, 0)),
            None,
        );
        assert_eq!(
            e.to_string(),
            "line 1 (header row): record longer than 16 MiB (ReadLimits::max_record_bytes); \
             raise ReadLimits::max_record_bytes, or --max-record-bytes on the command line"
        );
        assert_eq!(e.category(), Category::Limit);
        let e = Error::new(ErrorKind::UnterminatedQuote { start }, None, None);
        assert_eq!(
            e.to_string(),
            "the quoted field opened at line 4, byte column 1 is never closed"
        );
        assert_eq!(e.category(), Category::Syntax);
        let e = Error::new(ErrorKind::InvalidUtf8 { at: start }, None, None);
        assert!(e
            .to_string()
            .starts_with("invalid UTF-8 at line 4, byte column 1; "));
        assert_eq!(e.category(), Category::Syntax);
    }

    #[test]
    fn io_source_and_size() {
        use std::error::Error as _;
        let e = Error::io(io::Error::other("boom"), None);
        assert!(e.is_io());
        assert!(e.source().is_some());
        assert_eq!(
            std::mem::size_of::<Result<()>>(),
            std::mem::size_of::<usize>()
        );
    }
}
