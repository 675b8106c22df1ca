//! The one error type of `dxf2-xml`: a boxed kind plus where it happened.

use std::io;

use dxf2_model::codec::{CodecError, CodecErrorKind};
use dxf2_model::limits::human_bytes;
use thiserror::Error as ThisError;

/// Where an error happened in the input: 1-based line and column, shared with the other codecs
/// ([`dxf2_model::position::TextPosition`]).
///
/// Lines end at LF (a CR before it is part of the line); columns count characters (not bytes)
/// from the start of the line. A UTF-8 byte order mark is not counted.
pub use dxf2_model::position::TextPosition as Position;

/// A coarse classification of errors, for exit codes and user messages; the same for every
/// codec. Here: [`Category::Syntax`] for XML that is not well-formed (or not UTF-8, or truncated),
/// [`Category::Data`] for well-formed XML that is not a document this library accepts and for
/// data that cannot be written, [`Category::Limit`] for a token longer than
/// [`ReadLimits::max_token_bytes`](dxf2_model::ReadLimits), [`Category::Unsupported`] for another
/// encoding than UTF-8.
pub use dxf2_model::codec::Category;

/// What went wrong.
#[derive(Debug, ThisError)]
#[non_exhaustive]
pub enum ErrorKind {
    /// Reading or writing the underlying stream failed.
    #[error("I/O error: {0}")]
    Io(#[from] io::Error),
    /// Bytes that are not UTF-8.
    #[error("invalid UTF-8 (only UTF-8 XML is supported)")]
    InvalidUtf8,
    /// The XML declaration names an encoding other than UTF-8 (or ASCII).
    #[error(
        "unsupported encoding `{encoding}`: only UTF-8 XML is supported, convert the file to UTF-8"
    )]
    UnsupportedEncoding {
        /// The encoding named in the declaration.
        encoding: String,
    },
    /// An end tag that does not close the element opened last.
    #[error("mismatched end tag: expected </{expected}>, found </{found}>")]
    MismatchedEndTag {
        /// The name of the open element.
        expected: String,
        /// The name in the end tag.
        found: String,
    },
    /// An end tag while no element is open.
    #[error("end tag </{name}> without a start tag")]
    UnmatchedEndTag {
        /// The name in the end tag.
        name: String,
    },
    /// The input ended in the middle of the document (a truncated file).
    #[error("unexpected end of input: expected {expected}")]
    UnexpectedEof {
        /// What was expected, e.g. `</dataValueSet>`.
        expected: String,
    },
    /// Any other violation of XML well-formedness (unclosed markup, text outside the root
    /// element, a second root element, a misplaced declaration, …).
    #[error("malformed XML: {message}")]
    Syntax {
        /// What is wrong.
        message: String,
    },
    /// An attribute value with a bad character or entity reference.
    #[error("invalid value of attribute `{attribute}`: {message}")]
    InvalidAttributeValue {
        /// The attribute's (qualified) name.
        attribute: String,
        /// What is wrong.
        message: String,
    },
    /// A character XML 1.0 does not allow (U+0000, another C0 control character than tab, LF
    /// and CR, U+FFFE or U+FFFF) written literally in the document.
    #[error("character {} is not allowed in XML ({context}); write it as a character reference, or remove it", char_name(*found))]
    InvalidChar {
        /// The character.
        found: char,
        /// Where it was found, e.g. "text" or "a comment".
        context: &'static str,
    },
    /// An element or attribute name that is not an XML name (with at most one `:`, between a
    /// prefix and a local name).
    #[error("`{name}` is not a valid XML {what} name")]
    InvalidName {
        /// "element" or "attribute".
        what: &'static str,
        /// The name as written.
        name: String,
    },
    /// A token longer than [`ReadLimits::max_token_bytes`](dxf2_model::ReadLimits): a text
    /// run, comment, CDATA section, DOCTYPE, processing instruction, tag, attribute value or
    /// reference; or the names of the open elements together. Nothing longer is ever held in
    /// memory. The position is where the token starts.
    #[error("{what} starting here is longer than the limit of {} for one token (raise ReadLimits::max_token_bytes, or --max-token-bytes on the command line)", human_bytes(*limit))]
    TokenTooLong {
        /// What was too long, e.g. "a comment" or "the value of attribute `comment`".
        what: String,
        /// The limit in bytes.
        limit: usize,
    },
    /// Elements nested deeper than the limit (1000 levels).
    #[error("XML nested deeper than {limit} levels")]
    NestingTooDeep {
        /// The limit.
        limit: usize,
    },
    /// An entity or character reference that is not one XML predefines (DTDs are never read, so
    /// no other entity is known).
    #[error("invalid reference `&{reference};`: {message}")]
    InvalidReference {
        /// The text between `&` and `;`.
        reference: String,
        /// What is wrong.
        message: &'static str,
    },
    /// The same attribute twice on one element.
    #[error("duplicate attribute `{name}`")]
    DuplicateAttribute {
        /// The attribute's (qualified) name.
        name: String,
    },
    /// Classic reader: no element named `dataValueSet` anywhere in the document.
    #[error("no <dataValueSet> element found")]
    NoDataValueSet,
    /// 2.43+ pipeline reader: the document has no element at all (DHIS2 error E8007).
    #[error("No root tag found")]
    NoRootElement,
    /// 2.43+ pipeline reader: the first element is neither `dataValueSet` nor `adx` (DHIS2
    /// error E8007, same wording).
    #[error("Neither <dataValueSet> nor <adx> root tag found but: <{found}>")]
    UnexpectedRoot {
        /// The local name of the first element.
        found: String,
    },
    /// 2.43+ pipeline reader: an ADX document, which this crate does not read.
    #[error("the document is ADX (root element <adx>): ADX is handled by the adx crate, not by dxf2-xml")]
    Adx,
    /// An import summary document whose root element is not `importSummary` or `webMessage`.
    #[error("expected an <importSummary> or <webMessage> root element, found <{found}>")]
    NotAnImportSummary {
        /// The local name of the root element.
        found: String,
    },
    /// A required element is missing (e.g. `response` in a web message).
    #[error("missing element <{name}>")]
    MissingElement {
        /// The element's local name.
        name: &'static str,
    },
    /// An element or attribute whose text is not of the expected form.
    #[error("invalid {name} `{text}`: expected {expected}")]
    InvalidValue {
        /// The element or attribute name.
        name: String,
        /// The text found.
        text: String,
        /// The accepted form.
        expected: &'static str,
    },
    /// A text that XML cannot carry (U+0000), or a name that is not an XML name.
    #[error("cannot write {what}: {reason}")]
    Unwritable {
        /// What was being written, e.g. "attribute `comment`".
        what: String,
        /// Why it cannot be written.
        reason: &'static str,
    },
    /// A writer was used out of order (a value before `begin`, anything after `finish`).
    #[error("writer used out of order: {message}")]
    WriterState {
        /// What was wrong.
        message: &'static str,
    },
}

impl CodecErrorKind for ErrorKind {
    fn category(&self) -> Category {
        ErrorKind::category(self)
    }

    fn is_eof(&self) -> bool {
        matches!(self, ErrorKind::UnexpectedEof { .. })
    }
}

impl ErrorKind {
    /// The coarse category of this kind.
    pub fn category(&self) -> Category {
        match self {
            ErrorKind::Io(_) => Category::Io,
            ErrorKind::UnsupportedEncoding { .. } => Category::Unsupported,
            ErrorKind::InvalidUtf8
            | ErrorKind::MismatchedEndTag { .. }
            | ErrorKind::UnmatchedEndTag { .. }
            | ErrorKind::UnexpectedEof { .. }
            | ErrorKind::Syntax { .. }
            | ErrorKind::InvalidAttributeValue { .. }
            | ErrorKind::InvalidReference { .. }
            | ErrorKind::DuplicateAttribute { .. }
            | ErrorKind::InvalidChar { .. }
            | ErrorKind::InvalidName { .. }
            | ErrorKind::NestingTooDeep { .. } => Category::Syntax,
            ErrorKind::TokenTooLong { .. } => Category::Limit,
            ErrorKind::NoDataValueSet
            | ErrorKind::NoRootElement
            | ErrorKind::UnexpectedRoot { .. }
            | ErrorKind::Adx
            | ErrorKind::NotAnImportSummary { .. }
            | ErrorKind::MissingElement { .. }
            | ErrorKind::InvalidValue { .. }
            | ErrorKind::Unwritable { .. }
            | ErrorKind::WriterState { .. } => Category::Data,
        }
    }

    /// A [`ErrorKind::Syntax`] with a message.
    pub(crate) fn syntax(message: impl Into<String>) -> ErrorKind {
        ErrorKind::Syntax {
            message: message.into(),
        }
    }
}

/// `U+0000`, or `U+FFFE`.
fn char_name(c: char) -> String {
    format!("U+{:04X}", u32::from(c))
}

/// The error of every operation of this crate: an [`ErrorKind`] plus, when known, the
/// [`Position`] in the input and the data value being read or written — the error type every
/// codec shares ([`CodecError`]), with this crate's kind.
///
/// Messages start with where: `line L, column C (value #N, index I): …`, where `N` counts data
/// values from 1 and `I` is DHIS2's 0-based index of the same value (the number of `dataValue`
/// elements completely read, or values written, before the error; set only for errors between
/// the set's start tag and its end tag). [`Error::value_index`] returns `I`,
/// [`Error::value_number`] returns `N`.
///
/// Boxed so that `Result<T, Error>` stays one pointer wide.
///
/// ```
/// use dxf2_model::{DataValue, DataValueSource};
/// use dxf2_xml::{Category, ErrorKind, Reader};
///
/// let xml = "<dataValueSet>\n  <dataValue dataElement=\"a\"/>\n  <dataValue dataElement=\"b\">\n  </dataValues>";
/// let mut reader = Reader::new(xml.as_bytes()).unwrap();
/// let mut dv = DataValue::new();
/// assert!(reader.read_value(&mut dv).unwrap());
/// assert!(reader.read_value(&mut dv).unwrap());
/// let err = reader.read_value(&mut dv).unwrap_err();
/// assert!(matches!(err.kind(), ErrorKind::MismatchedEndTag { .. }));
/// assert_eq!(err.category(), Category::Syntax);
/// assert_eq!((err.line(), err.column(), err.value_index()), (Some(4), Some(3), Some(2)));
/// assert_eq!(
///     err.to_string(),
///     "line 4, column 3 (value #3, index 2): mismatched end tag: expected </dataValue>, found </dataValues>"
/// );
/// ```
pub type Error = CodecError<ErrorKind>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn result_is_small() {
        assert_eq!(
            std::mem::size_of::<Result<(), Error>>(),
            std::mem::size_of::<usize>()
        );
    }

    #[test]
    fn display_with_and_without_position() {
        let e = Error::at(ErrorKind::NoDataValueSet, Position { line: 2, column: 3 });
        assert_eq!(
            e.to_string(),
            "line 2, column 3: no <dataValueSet> element found"
        );
        assert_eq!(e.category(), Category::Data);
        let e = e.with_value_index(4).with_value_index(7);
        assert_eq!(e.value_index(), Some(4));
        assert_eq!(
            e.to_string(),
            "line 2, column 3 (value #5, index 4): no <dataValueSet> element found"
        );
        let e = Error::new(ErrorKind::WriterState {
            message: "a value before begin",
        });
        assert_eq!(
            e.to_string(),
            "writer used out of order: a value before begin"
        );
        assert_eq!(e.position(), None);
        let e = Error::from(io::Error::other("disk full"));
        assert_eq!(e.category(), Category::Io);
        assert!(std::error::Error::source(&e).is_some());
    }
}
