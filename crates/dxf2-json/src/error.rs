//! The one error type of `dxf2-json`: a boxed kind plus where it happened.

use std::fmt;
use std::io;

use dxf2_model::codec::{CodecError, CodecErrorKind};
use thiserror::Error as ThisError;

/// Where an error happened in the input: 1-based line and column (columns count characters),
/// shared with the other codecs ([`dxf2_model::position::TextPosition`]).
pub use dxf2_model::position::TextPosition as Position;

/// The shape of a JSON value, used in messages ("found an object").
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum JsonType {
    /// `{…}`.
    Object,
    /// `[…]`.
    Array,
    /// `"…"`.
    String,
    /// `12`, `-1.5e3`.
    Number,
    /// `true` / `false`.
    Boolean,
    /// `null`.
    Null,
}

impl fmt::Display for JsonType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            JsonType::Object => "an object",
            JsonType::Array => "an array",
            JsonType::String => "a string",
            JsonType::Number => "a number",
            JsonType::Boolean => "a boolean",
            JsonType::Null => "null",
        })
    }
}

/// What a JSON object that is not a data value set looks like, from its top-level keys
/// ([`ErrorKind::NotADataValueSet`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DocumentKind {
    /// A DHIS2 metadata package (`organisationUnits`, `dataElements`, `dataSets`, `system`, …).
    Metadata,
    /// A DHIS2 tracker payload (`trackedEntities`, `enrollments`, `events`, `relationships`, or
    /// the pre-2.41 `trackedEntityInstances`).
    Tracker,
    /// GeoJSON (`"type": "FeatureCollection"` or `"Feature"`).
    GeoJson,
    /// A DHIS2 import summary or web message (`importCount`, `conflicts`, `status`, …).
    ImportSummary,
    /// None of the above.
    Unknown,
}

impl fmt::Display for DocumentKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            DocumentKind::Metadata => "DHIS2 metadata (read it with `dxf2 metadata import`)",
            DocumentKind::Tracker => "a DHIS2 tracker payload (tracked entities, enrollments or events), which is not aggregate data",
            DocumentKind::GeoJson => "GeoJSON (org unit geometry), which is not aggregate data",
            DocumentKind::ImportSummary => "a DHIS2 import summary (the answer to an import, not data to import)",
            DocumentKind::Unknown => {
                "an unknown JSON object, which DHIS2 would read as an empty data value set"
            }
        })
    }
}

/// Formats the top-level keys of a refused document: `` `a`, `b`, `c` ``.
fn key_list(keys: &[String]) -> String {
    keys.iter()
        .map(|k| format!("`{k}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A coarse classification of errors, for exit codes and user messages; the same for every
/// codec. Here: [`Category::Syntax`] for input that is not well-formed UTF-8 JSON (including
/// truncated input), [`Category::Data`] for well-formed JSON that is not a data value set (or
/// import summary) this library accepts, [`Category::Limit`] for a token or data value past
/// [`ReadLimits`](dxf2_model::ReadLimits), [`Category::Unsupported`] for UTF-16/UTF-32 input and
/// DHIS2 features not implemented yet.
pub use dxf2_model::codec::Category;

/// What went wrong.
#[derive(Debug, ThisError)]
#[non_exhaustive]
pub enum ErrorKind {
    /// Reading or writing the underlying stream failed.
    #[error("I/O error: {0}")]
    Io(#[from] io::Error),
    /// The input ended in the middle of the document.
    #[error("unexpected end of input: expected {expected}")]
    UnexpectedEof {
        /// What the grammar expected next.
        expected: &'static str,
    },
    /// A character the JSON grammar does not allow here.
    #[error("expected {expected}, found {found}")]
    UnexpectedCharacter {
        /// What the grammar expected.
        expected: &'static str,
        /// The character (or byte) found, quoted for display.
        found: String,
    },
    /// A backslash escape that JSON does not define.
    #[error("invalid escape sequence `\\{found}` in a string")]
    InvalidEscape {
        /// The character after the backslash.
        found: String,
    },
    /// A `\u` escape naming half of a UTF-16 surrogate pair without its other half.
    #[error("invalid `\\u` escape: unpaired UTF-16 surrogate (it cannot be represented in UTF-8)")]
    UnpairedSurrogate,
    /// A raw control character (U+0000 to U+001F) inside a string.
    #[error("unescaped control character U+{byte:04X} in a string (write it as an escape, e.g. \\n or \\u{byte:04X})")]
    ControlCharacter {
        /// The byte.
        byte: u8,
    },
    /// A number that does not follow JSON's grammar.
    #[error("invalid number: {reason}")]
    InvalidNumber {
        /// Why.
        reason: &'static str,
    },
    /// Bytes that are not UTF-8.
    #[error("invalid UTF-8 (DXF2 JSON must be UTF-8: convert the file, e.g. with iconv)")]
    InvalidUtf8,
    /// A string or number longer than [`ReadLimits::max_token_bytes`](dxf2_model::ReadLimits)
    /// (the error's position is where it starts).
    #[error("{what} longer than {} starts here: raise ReadLimits::max_token_bytes, or --max-token-bytes on the command line", dxf2_model::limits::human_bytes(*.limit))]
    TokenTooLong {
        /// What was too long: `a string`, `a number`, `an object key`, ….
        what: &'static str,
        /// The limit, in bytes.
        limit: usize,
    },
    /// A data value (or a set-level member) holding more text than
    /// [`ReadLimits::max_record_bytes`](dxf2_model::ReadLimits) in all, through repeated keys or
    /// a long list (the error's position is where it starts).
    #[error("{what} holding more than {} of text (repeated keys or a very long list) starts here: raise ReadLimits::max_record_bytes", dxf2_model::limits::human_bytes(*.limit))]
    RecordTooLong {
        /// What was too large: `a data value`, `a set-level member`.
        what: &'static str,
        /// The limit, in bytes.
        limit: usize,
    },
    /// `\u0000` in a string that becomes data: PostgreSQL (DHIS2's database) cannot store it
    /// and XML cannot carry it.
    #[error("`\\u0000` (U+0000, NUL) in a string: DHIS2's database (PostgreSQL) cannot store it and XML cannot carry it; remove it from the file")]
    NulCharacter,
    /// The input looks like UTF-16 or UTF-32, which DHIS2's Jackson would detect but we do not read.
    #[error(
        "the input looks like {encoding}: only UTF-8 JSON is supported, convert the file to UTF-8"
    )]
    UnsupportedEncoding {
        /// The encoding recognised.
        encoding: &'static str,
    },
    /// Something other than whitespace after the end of the JSON document.
    #[error("unexpected characters after the end of the JSON document")]
    TrailingCharacters,
    /// Objects and arrays nested deeper than the limit.
    #[error("JSON nested deeper than {limit} levels (Jackson's limit too): not a DXF2 document")]
    NestingTooDeep {
        /// The limit.
        limit: usize,
    },
    /// The document is not a JSON object.
    #[error("expected a JSON object at the top level (a data value set: {{\"dataSet\": …, \"dataValues\": [ … ]}}), found {found}: this is not a DXF2 data value set")]
    NotAnObject {
        /// What was found.
        found: JsonType,
    },
    /// A non-empty JSON object with neither `dataValues` nor any set-level key (`dataSet`,
    /// `period`, `orgUnit`, …), which DHIS2 would read as an empty data value set. Refused unless
    /// the reader was built with `accept_any_object(true)`.
    #[error("not a data value set: top-level keys {}{}, but neither `dataValues` nor a set-level key such as `dataSet`, `period` or `orgUnit`; this looks like {looks_like}", key_list(.keys), if *.more_keys { ", …" } else { "" })]
    NotADataValueSet {
        /// What the document looks like.
        looks_like: DocumentKind,
        /// Its first top-level keys, in document order (long keys shortened).
        keys: Vec<String>,
        /// Whether it has more top-level keys than `keys` lists.
        more_keys: bool,
    },
    /// A known key whose value has the wrong shape.
    #[error("expected {expected} for key `{key}`, found {found}")]
    WrongType {
        /// The key.
        key: String,
        /// What is accepted.
        expected: &'static str,
        /// What was found.
        found: JsonType,
    },
    /// A boolean key whose value is neither a boolean nor a text Jackson coerces to one.
    #[error("invalid boolean {text:?} for key `{key}`: expected true or false")]
    InvalidBoolean {
        /// The key.
        key: String,
        /// The text found.
        text: String,
    },
    /// A `null` or empty string inside a list of identifiers (`attributeCategoryOptions`).
    #[error("null or empty element in `{key}`: every element must be a non-empty string")]
    EmptyElement {
        /// The key.
        key: String,
    },
    /// A set-level key after `dataValues` that changes the meaning of values already read.
    #[error("set-level key `{key}` comes after `dataValues` and changes the meaning of the values already read: move it before `dataValues`, or read from a seekable input (`Reader::from_seekable`), which reads the whole header first as DHIS2 does")]
    HeaderAfterValues {
        /// The key.
        key: String,
    },
    /// A second `dataValues` key after values of a first one were read.
    #[error("a second `dataValues` key after values were read: DHIS2 keeps only the last `dataValues`; read from a seekable input (`Reader::from_seekable`) to get exactly that")]
    DuplicateDataValues,
    /// A DHIS2 feature this library does not implement yet.
    #[error("{what} is not supported yet")]
    Unsupported {
        /// The feature.
        what: &'static str,
    },
    /// An import summary document without the expected content.
    #[error("invalid import summary: {message}")]
    InvalidSummary {
        /// What is wrong.
        message: String,
    },
    /// `serde_json` could not parse an import summary.
    #[error("invalid import summary JSON: {0}")]
    Json(#[source] serde_json::Error),
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
            ErrorKind::UnexpectedEof { .. }
            | ErrorKind::UnexpectedCharacter { .. }
            | ErrorKind::InvalidEscape { .. }
            | ErrorKind::UnpairedSurrogate
            | ErrorKind::ControlCharacter { .. }
            | ErrorKind::InvalidNumber { .. }
            | ErrorKind::InvalidUtf8
            | ErrorKind::TrailingCharacters
            | ErrorKind::NestingTooDeep { .. } => Category::Syntax,
            ErrorKind::Json(e) => match e.classify() {
                serde_json::error::Category::Io => Category::Io,
                serde_json::error::Category::Syntax | serde_json::error::Category::Eof => {
                    Category::Syntax
                }
                serde_json::error::Category::Data => Category::Data,
            },
            ErrorKind::TokenTooLong { .. } | ErrorKind::RecordTooLong { .. } => Category::Limit,
            ErrorKind::UnsupportedEncoding { .. } | ErrorKind::Unsupported { .. } => {
                Category::Unsupported
            }
            ErrorKind::NotAnObject { .. }
            | ErrorKind::NulCharacter
            | ErrorKind::NotADataValueSet { .. }
            | ErrorKind::WrongType { .. }
            | ErrorKind::InvalidBoolean { .. }
            | ErrorKind::EmptyElement { .. }
            | ErrorKind::HeaderAfterValues { .. }
            | ErrorKind::DuplicateDataValues
            | ErrorKind::InvalidSummary { .. }
            | ErrorKind::WriterState { .. } => Category::Data,
        }
    }
}

/// The error of every operation of this crate: an [`ErrorKind`] plus, when known, the
/// [`Position`] in the input and the data value being read — the error type every codec shares
/// ([`CodecError`]), with this crate's kind.
///
/// Messages start with where: `line L, column C (value #N, index I): …`, where `N` counts data
/// values from 1 and `I` is DHIS2's 0-based index of the same value (set when the error
/// happened inside `dataValues`). [`Error::value_index`] returns `I`, [`Error::value_number`]
/// returns `N`.
///
/// Boxed so that `Result<T, Error>` stays one pointer wide.
///
/// ```
/// use dxf2_json::{Category, ErrorKind, Reader};
/// use dxf2_model::DataValue;
///
/// let json = "{\"dataValues\": [\n  {\"dataElement\": \"a\"},\n  {\"value\": {\"x\": 1}}\n]}";
/// let mut reader = Reader::new(json.as_bytes()).unwrap();
/// let mut dv = DataValue::new();
/// assert!(reader.read_value(&mut dv).unwrap());
/// let err = reader.read_value(&mut dv).unwrap_err();
/// assert!(matches!(err.kind(), ErrorKind::WrongType { key, .. } if key == "value"));
/// assert_eq!(err.category(), Category::Data);
/// assert_eq!((err.line(), err.column(), err.value_index()), (Some(3), Some(13), Some(1)));
/// assert_eq!(err.value_number(), Some(2));
/// assert_eq!(
///     err.to_string(),
///     "line 3, column 13 (value #2, index 1): expected a string, number, boolean or null \
///      for key `value`, found an object"
/// );
/// ```
pub type Error = CodecError<ErrorKind>;

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn result_is_small() {
        assert_eq!(
            std::mem::size_of::<Result<()>>(),
            std::mem::size_of::<usize>()
        );
    }

    #[test]
    fn display_with_and_without_position() {
        let e = Error::at(
            ErrorKind::TrailingCharacters,
            Position { line: 2, column: 3 },
        );
        assert_eq!(
            e.to_string(),
            "line 2, column 3: unexpected characters after the end of the JSON document"
        );
        assert_eq!(e.category(), Category::Syntax);
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
