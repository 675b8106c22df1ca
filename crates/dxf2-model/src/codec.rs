//! What the errors of the codecs (`dxf2-xml`, `dxf2-json`, `dxf2-csv`) share: where an error
//! happened ([`ErrorLocation`]: line, column, which data value), a coarse [`Category`], and the
//! error type of the XML and JSON codecs ([`CodecError`], one per crate through its own kind).
//!
//! # Numbering of data values
//!
//! Messages count data values as a person does, from 1: `value #1` is the first value of the
//! document. DHIS2 itself numbers them from 0 (the `indexes` of an import conflict), so messages
//! show that index beside the number, and [`ErrorLocation::value_index`] returns it:
//!
//! ```
//! use dxf2_model::codec::ErrorLocation;
//! use dxf2_model::TextPosition;
//!
//! let at = ErrorLocation::at(TextPosition { line: 4, column: 3 }).with_value_index(2);
//! assert_eq!(at.value_index(), Some(2));
//! assert_eq!(at.value_number(), Some(3));
//! assert_eq!(at.to_string(), "line 4, column 3 (value #3, index 2)");
//! ```

use std::fmt;
use std::io;

use crate::TextPosition;

/// A coarse classification of codec errors, for exit codes and user messages (in the spirit of
/// `serde_json::error::Category`). The same for every codec.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Category {
    /// Reading or writing the underlying stream failed.
    Io,
    /// The input is not well-formed in its format (XML, JSON, CSV), including truncated input
    /// and bytes that are not UTF-8.
    Syntax,
    /// Well-formed input that is not a document this library accepts (no data value set, a
    /// value of the wrong shape, an unusable CSV header), or data that cannot be written.
    Data,
    /// The input goes past a bound: one of [`ReadLimits`](crate::ReadLimits) (it may be fine
    /// with a higher limit) or one of DHIS2's own safety limits.
    Limit,
    /// The input's form or an option is not supported: another encoding than UTF-8,
    /// compressed input given to a plain reader, a format this crate does not read.
    Unsupported,
}

/// Where a codec error happened: the line and column in the input (1-based, columns counted in
/// characters) and the data value being read or written, each when known.
///
/// Displayed as the prefix of the codecs' messages: `line L, column C (value #N, index I)`,
/// where `N` counts values from 1 and `I` is DHIS2's 0-based index of the same value (see the
/// [module docs](self)). Parts that are not known are left out: `line L (value #N, index I)`,
/// `value #N, index I`, `line L, column C`, or nothing at all.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct ErrorLocation {
    line: Option<u64>,
    column: Option<u64>,
    value_index: Option<u64>,
}

impl ErrorLocation {
    /// Nothing known.
    pub const UNKNOWN: ErrorLocation = ErrorLocation {
        line: None,
        column: None,
        value_index: None,
    };

    /// At a line and column.
    pub const fn at(position: TextPosition) -> ErrorLocation {
        ErrorLocation {
            line: Some(position.line),
            column: Some(position.column),
            value_index: None,
        }
    }

    /// At a line, the column unknown (or meaningless, as for a CSV record).
    pub const fn at_line(line: u64) -> ErrorLocation {
        ErrorLocation {
            line: Some(line),
            column: None,
            value_index: None,
        }
    }

    /// Adds the 0-based index of the data value being read or written, unless one is already
    /// set (the innermost code that knows it wins).
    #[must_use]
    pub const fn with_value_index(mut self, index: u64) -> ErrorLocation {
        if self.value_index.is_none() {
            self.value_index = Some(index);
        }
        self
    }

    /// The line and column, when both are known.
    pub fn position(&self) -> Option<TextPosition> {
        match (self.line, self.column) {
            (Some(line), Some(column)) => Some(TextPosition { line, column }),
            _ => None,
        }
    }

    /// The 1-based line, when known.
    pub fn line(&self) -> Option<u64> {
        self.line
    }

    /// The 1-based column in characters, when known.
    pub fn column(&self) -> Option<u64> {
        self.column
    }

    /// The 0-based index of the data value (DHIS2's numbering, as in an import conflict's
    /// `indexes`), when the error belongs to one.
    pub fn value_index(&self) -> Option<u64> {
        self.value_index
    }

    /// The 1-based number of the data value (`value #N` in messages), when the error belongs to
    /// one: [`value_index`](ErrorLocation::value_index) + 1.
    pub fn value_number(&self) -> Option<u64> {
        self.value_index.map(|i| i.saturating_add(1))
    }

    /// Whether nothing is known (the message then has no prefix).
    pub fn is_unknown(&self) -> bool {
        *self == ErrorLocation::UNKNOWN
    }

    /// Writes `message` behind this location's prefix: `prefix: message`, or `message` alone
    /// when nothing is known.
    pub fn write_message(
        &self,
        f: &mut fmt::Formatter<'_>,
        message: &dyn fmt::Display,
    ) -> fmt::Result {
        if self.is_unknown() {
            write!(f, "{message}")
        } else {
            write!(f, "{self}: {message}")
        }
    }
}

impl From<TextPosition> for ErrorLocation {
    fn from(position: TextPosition) -> ErrorLocation {
        ErrorLocation::at(position)
    }
}

impl fmt::Display for ErrorLocation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let value = self.value_index.map(|i| (i.saturating_add(1), i));
        match (self.line, self.column, value) {
            (Some(l), Some(c), Some((n, i))) => {
                write!(f, "line {l}, column {c} (value #{n}, index {i})")
            }
            (Some(l), Some(c), None) => write!(f, "line {l}, column {c}"),
            (Some(l), None, Some((n, i))) => write!(f, "line {l} (value #{n}, index {i})"),
            (Some(l), None, None) => write!(f, "line {l}"),
            (None, _, Some((n, i))) => write!(f, "value #{n}, index {i}"),
            (None, _, None) => Ok(()),
        }
    }
}

/// What a codec's error kind tells about itself; implemented by `dxf2_xml::ErrorKind` and
/// `dxf2_json::ErrorKind`, whose crates' `Error` is a [`CodecError`] of their kind.
pub trait CodecErrorKind: std::error::Error + Send + Sync + 'static {
    /// The coarse category of this kind.
    fn category(&self) -> Category;

    /// Whether the input ended in the middle of the document (a truncated file).
    fn is_eof(&self) -> bool;
}

/// The error of a codec: what went wrong (its crate's kind `K`) and where
/// ([`ErrorLocation`]). `dxf2_xml::Error` and `dxf2_json::Error` are this type with their
/// crate's kind.
///
/// Boxed, so that `Result<T, CodecError<K>>` stays one pointer wide. Displayed as
/// `line L, column C (value #N, index I): what went wrong` (see [`ErrorLocation`]).
pub struct CodecError<K>(Box<Inner<K>>);

struct Inner<K> {
    kind: K,
    location: ErrorLocation,
}

impl<K: CodecErrorKind> CodecError<K> {
    /// An error without a location.
    pub fn new(kind: K) -> CodecError<K> {
        CodecError::with_location(kind, ErrorLocation::UNKNOWN)
    }

    /// An error at a line and column.
    pub fn at(kind: K, position: TextPosition) -> CodecError<K> {
        CodecError::with_location(kind, ErrorLocation::at(position))
    }

    /// An error at a location.
    pub fn with_location(kind: K, location: ErrorLocation) -> CodecError<K> {
        CodecError(Box::new(Inner { kind, location }))
    }

    /// Adds the 0-based index of the data value being read or written, unless one is already
    /// set.
    #[must_use]
    pub fn with_value_index(mut self, index: u64) -> CodecError<K> {
        self.0.location = self.0.location.with_value_index(index);
        self
    }

    /// What went wrong.
    pub fn kind(&self) -> &K {
        &self.0.kind
    }

    /// What went wrong, by value.
    pub fn into_kind(self) -> K {
        self.0.kind
    }

    /// The coarse category.
    pub fn category(&self) -> Category {
        self.0.kind.category()
    }

    /// Where it went wrong, as far as known.
    pub fn location(&self) -> ErrorLocation {
        self.0.location
    }

    /// The line and column in the input, when known (reading errors have one; writing errors do
    /// not).
    pub fn position(&self) -> Option<TextPosition> {
        self.0.location.position()
    }

    /// The 1-based line, when known.
    pub fn line(&self) -> Option<u64> {
        self.0.location.line()
    }

    /// The 1-based column (in characters), when known.
    pub fn column(&self) -> Option<u64> {
        self.0.location.column()
    }

    /// The 0-based index of the data value being read or written (DHIS2's numbering): the
    /// number of values completely read (or written) before the error. Set only for errors
    /// inside the values.
    pub fn value_index(&self) -> Option<u64> {
        self.0.location.value_index()
    }

    /// The 1-based number of that data value, as messages show it (`value #N`).
    pub fn value_number(&self) -> Option<u64> {
        self.0.location.value_number()
    }

    /// Whether the error is an unexpected end of input (a truncated document).
    pub fn is_eof(&self) -> bool {
        self.0.kind.is_eof()
    }
}

impl<K: fmt::Display> fmt::Display for CodecError<K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.location.write_message(f, &self.0.kind)
    }
}

impl<K: fmt::Debug> fmt::Debug for CodecError<K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Error")
            .field("kind", &self.0.kind)
            .field("position", &self.0.location.position())
            .field("value_index", &self.0.location.value_index())
            .finish()
    }
}

impl<K: CodecErrorKind> std::error::Error for CodecError<K> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.0.kind.source()
    }
}

impl<K: CodecErrorKind> From<K> for CodecError<K> {
    fn from(kind: K) -> CodecError<K> {
        CodecError::new(kind)
    }
}

impl<K: CodecErrorKind + From<io::Error>> From<io::Error> for CodecError<K> {
    fn from(e: io::Error) -> CodecError<K> {
        CodecError::new(K::from(e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, thiserror::Error)]
    enum Kind {
        #[error("I/O error: {0}")]
        Io(#[from] io::Error),
        #[error("unexpected end of input")]
        Eof,
    }

    impl CodecErrorKind for Kind {
        fn category(&self) -> Category {
            match self {
                Kind::Io(_) => Category::Io,
                Kind::Eof => Category::Syntax,
            }
        }
        fn is_eof(&self) -> bool {
            matches!(self, Kind::Eof)
        }
    }

    #[test]
    fn locations_display_what_is_known() {
        let p = TextPosition { line: 2, column: 3 };
        assert_eq!(ErrorLocation::UNKNOWN.to_string(), "");
        assert_eq!(ErrorLocation::at(p).to_string(), "line 2, column 3");
        assert_eq!(ErrorLocation::at_line(7).to_string(), "line 7");
        assert_eq!(
            ErrorLocation::at_line(7).with_value_index(0).to_string(),
            "line 7 (value #1, index 0)"
        );
        assert_eq!(
            ErrorLocation::UNKNOWN.with_value_index(9).to_string(),
            "value #10, index 9"
        );
        let at = ErrorLocation::at(p).with_value_index(4).with_value_index(7);
        assert_eq!(at.value_index(), Some(4));
        assert_eq!(at.value_number(), Some(5));
        assert_eq!(at.position(), Some(p));
        assert_eq!(ErrorLocation::at_line(7).position(), None);
    }

    #[test]
    fn codec_errors_are_one_pointer_and_keep_their_source() {
        assert_eq!(
            std::mem::size_of::<Result<(), CodecError<Kind>>>(),
            std::mem::size_of::<usize>()
        );
        let e = CodecError::<Kind>::from(io::Error::other("disk full"));
        assert_eq!(e.category(), Category::Io);
        assert!(std::error::Error::source(&e).is_some());
        assert_eq!(e.to_string(), "I/O error: disk full");
        let e = CodecError::at(Kind::Eof, TextPosition { line: 1, column: 5 }).with_value_index(0);
        assert!(e.is_eof());
        assert_eq!(
            (e.line(), e.column(), e.value_number()),
            (Some(1), Some(5), Some(1))
        );
        assert_eq!(
            e.to_string(),
            "line 1, column 5 (value #1, index 0): unexpected end of input"
        );
        assert!(format!("{e:?}").contains("Eof"));
    }
}
