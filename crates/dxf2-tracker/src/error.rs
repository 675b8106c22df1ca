//! The one error type of `dxf2-tracker`: what went wrong ([`ErrorKind`]) and where
//! ([`Location`]).

use std::fmt;
use std::io;

use thiserror::Error as ThisError;

/// A coarse classification of errors, for exit codes and user messages; the same for every codec
/// of the workspace. Here: [`Category::Syntax`] for input that is not well-formed JSON or CSV
/// (including truncated input and invalid UTF-8), [`Category::Data`] for well-formed input that
/// DHIS2 refuses (an invalid UID, date, enum or geometry, a pre-2.41 file, an unknown CSV
/// column), [`Category::Limit`] for an object or record past
/// [`ReadLimits`](dxf2_model::ReadLimits), [`Category::Io`] for the stream itself.
pub use dxf2_model::codec::Category;

/// The error type a reader's sink may return; it comes back as [`ErrorKind::Sink`].
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Where an error happened, as far as known: line and column (JSON), line and record (CSV), the
/// object (`trackedEntities[0].enrollments[1].events[0]`, or `event #3` in CSV) and the field.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Location {
    /// 1-based line in the input.
    pub line: Option<u64>,
    /// 1-based column in the input (JSON only).
    pub column: Option<u64>,
    /// 1-based CSV record (the header, when there is one, is record 1).
    pub record: Option<u64>,
    /// The object being read or written: a JSON path such as
    /// `trackedEntities[0].enrollments[1]`, or `event #3` in CSV.
    pub object: Option<String>,
    /// 0-based index of the top-level object in its list (JSON) or of the event (CSV).
    pub index: Option<u64>,
    /// The JSON key or CSV column being read or written.
    pub field: Option<String>,
}

impl Location {
    /// Whether nothing is known.
    pub fn is_unknown(&self) -> bool {
        *self == Location::default()
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts: Vec<String> = Vec::new();
        match (self.line, self.column) {
            (Some(l), Some(c)) => parts.push(format!("line {l}, column {c}")),
            (Some(l), None) => parts.push(format!("line {l}")),
            _ => {}
        }
        if let Some(r) = self.record {
            parts.push(format!("record {r}"));
        }
        if let Some(o) = &self.object {
            parts.push(o.clone());
        }
        if let Some(field) = &self.field {
            parts.push(format!("field `{field}`"));
        }
        f.write_str(&parts.join(", "))
    }
}

/// What went wrong.
#[derive(Debug, ThisError)]
#[non_exhaustive]
pub enum ErrorKind {
    /// Reading or writing the underlying stream failed.
    #[error("I/O error: {0}")]
    Io(#[source] io::Error),
    /// The JSON is not well-formed, or a value has a shape DHIS2 cannot bind (an object where a
    /// text is expected, `null` in a list); the message is `serde_json`'s.
    #[error("{message}")]
    Json {
        /// `serde_json`'s message, without its position (the [`Location`] has it).
        message: String,
        /// The coarse category `serde_json` gave.
        category: Category,
    },
    /// The CSV is not well-formed (or not UTF-8).
    #[error("invalid CSV: {message}")]
    Csv {
        /// What is wrong.
        message: String,
    },
    /// The JSON document is not an object.
    #[error("expected a JSON object at the top level (a tracker payload: {{\"trackedEntities\": […], \"enrollments\": […], \"events\": […], \"relationships\": […]}}), found {found}")]
    NotAnObject {
        /// What was found (`an array`, `a string`, …).
        found: &'static str,
    },
    /// A UID field holds something that is not a UID (DHIS2 2.42+ refuses the whole request,
    /// HTTP 400, with this message).
    #[error("UID must be an alphanumeric string of 11 characters starting with a letter, but was: {value}")]
    InvalidUid {
        /// The text found.
        value: String,
    },
    /// A date that none of DHIS2's date formats reads.
    #[error("Invalid date format '{value}', only 'yyyy-MM-dd'T'HH:mm:ss.SSS' format end epoch milliseconds are supported.")]
    InvalidDate {
        /// The text found.
        value: String,
    },
    /// An enum value that is not one of DHIS2's (case-sensitive) names.
    #[error("`{value}` is not a valid {type_name}: expected one of {allowed} (case-sensitive)")]
    InvalidEnum {
        /// The text found.
        value: String,
        /// DHIS2's enum (`EventStatus`, `EnrollmentStatus`, `ValueType`).
        type_name: &'static str,
        /// The accepted names, comma-separated.
        allowed: String,
    },
    /// A boolean that is neither a JSON boolean nor one of the texts DHIS2 accepts.
    #[error("invalid boolean `{value}`: expected true or false (True, TRUE, False and FALSE too)")]
    InvalidBoolean {
        /// The text found (`null` for a JSON null, which DHIS2 refuses for these primitives).
        value: String,
    },
    /// A number (CSV `latitude`/`longitude`) that does not parse.
    #[error("invalid number `{value}`")]
    InvalidNumber {
        /// The text found.
        value: String,
    },
    /// A geometry that is not valid GeoJSON (JSON) or WKT (CSV), or that JTS would refuse
    /// (an unclosed polygon ring, a one-point line).
    #[error("invalid geometry: {message}")]
    InvalidGeometry {
        /// What is wrong.
        message: String,
    },
    /// A file in the pre-2.41 tracker format (the deprecated `/api/events`,
    /// `/api/trackedEntityInstances`, … endpoints, removed in 2.42), refused with what changed.
    #[error("{0}")]
    Deprecated(Box<Deprecation>),
    /// A CSV header names a column DHIS2 does not know (DHIS2 fails the request: `Unrecognized
    /// field`).
    #[error("unknown column `{name}` in the CSV header (DHIS2 refuses it: Unrecognized field \"{name}\"); the columns are {known}")]
    UnknownColumn {
        /// The column name (case-sensitive).
        name: String,
        /// The columns the chosen version reads, comma-separated.
        known: String,
    },
    /// A CSV header names a column twice.
    #[error("column `{name}` appears twice in the CSV header")]
    DuplicateColumn {
        /// The column name.
        name: String,
    },
    /// A CSV row has more fields than the header (or, without header, than the layout).
    #[error("too many fields: {found}, but only {expected} columns")]
    TooManyFields {
        /// Fields in the row.
        found: usize,
        /// Columns known.
        expected: usize,
    },
    /// A root list (`events`, …) appears twice: DHIS2 keeps only the last, which a streaming
    /// reader cannot do once objects of the first were handed out.
    #[error("the key `{key}` appears twice at the top level: DHIS2 would keep only the last one; merge the lists")]
    DuplicateKey {
        /// The key.
        key: &'static str,
    },
    /// A top-level object (a tracked entity with everything nested in it, an enrollment, an
    /// event, a relationship) or a CSV record larger than the limit.
    #[error("{what} larger than {} starts here: raise ReadLimits::max_record_bytes", dxf2_model::limits::human_bytes(*.limit))]
    TooLarge {
        /// What was too large.
        what: &'static str,
        /// The limit, in bytes.
        limit: usize,
    },
    /// A field filter (`fields`) DHIS2 would not understand.
    #[error("invalid field filter `{filter}`: {message}")]
    InvalidFieldFilter {
        /// The filter.
        filter: String,
        /// What is wrong.
        message: String,
    },
    /// The sink handed to a reader returned an error; reading stopped.
    #[error("{0}")]
    Sink(#[source] BoxError),
    /// A writer was used out of order.
    #[error("writer used out of order: {0}")]
    WriterState(&'static str),
}

impl ErrorKind {
    /// The coarse category of this kind.
    pub fn category(&self) -> Category {
        match self {
            ErrorKind::Io(_) => Category::Io,
            ErrorKind::Json { category, .. } => *category,
            ErrorKind::Csv { .. } => Category::Syntax,
            ErrorKind::TooLarge { .. } => Category::Limit,
            ErrorKind::NotAnObject { .. }
            | ErrorKind::InvalidUid { .. }
            | ErrorKind::InvalidDate { .. }
            | ErrorKind::InvalidEnum { .. }
            | ErrorKind::InvalidBoolean { .. }
            | ErrorKind::InvalidNumber { .. }
            | ErrorKind::InvalidGeometry { .. }
            | ErrorKind::Deprecated(_)
            | ErrorKind::UnknownColumn { .. }
            | ErrorKind::DuplicateColumn { .. }
            | ErrorKind::TooManyFields { .. }
            | ErrorKind::DuplicateKey { .. }
            | ErrorKind::InvalidFieldFilter { .. }
            | ErrorKind::Sink(_)
            | ErrorKind::WriterState(_) => Category::Data,
        }
    }
}

/// Why a pre-2.41 file is refused: the key (or CSV column) found, what it became in DHIS2 2.41,
/// and what DHIS2 2.41+ would silently do with the file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Deprecation {
    /// The object the key belongs to: `event`, `enrollment`, `tracked entity`, `the payload`, ….
    pub object: &'static str,
    /// The old key or column, as found.
    pub old: String,
    /// What it is since 2.41.
    pub new: &'static str,
    /// What DHIS2 2.41+ would do with it (it does not refuse these files itself).
    pub consequence: &'static str,
}

impl fmt::Display for Deprecation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "this is a pre-2.41 tracker file (DHIS2's deprecated /api/trackedEntityInstances, /api/enrollments, \
             /api/events and /api/relationships, removed in 2.42): `{}` of {} is `{}` since DHIS2 2.41 \
             ({}); convert the file to the /api/tracker format (docs: \"Tracker API migration\")",
            self.old, self.object, self.new, self.consequence
        )
    }
}

/// The error of every operation of this crate: an [`ErrorKind`] and a [`Location`].
///
/// Boxed, so that `Result<T, Error>` stays one pointer wide. Displayed as
/// `line 3, column 17, trackedEntities[0].enrollments[0], field `enrolledAt`: …`.
pub struct Error(Box<Inner>);

struct Inner {
    kind: ErrorKind,
    location: Location,
}

impl Error {
    /// An error without a location.
    pub fn new(kind: ErrorKind) -> Error {
        Error::with_location(kind, Location::default())
    }

    /// An error at a location.
    pub fn with_location(kind: ErrorKind, location: Location) -> Error {
        Error(Box::new(Inner { kind, location }))
    }

    /// What went wrong.
    pub fn kind(&self) -> &ErrorKind {
        &self.0.kind
    }

    /// What went wrong, by value.
    pub fn into_kind(self) -> ErrorKind {
        self.0.kind
    }

    /// Where it went wrong.
    pub fn location(&self) -> &Location {
        &self.0.location
    }

    /// The coarse category.
    pub fn category(&self) -> Category {
        self.0.kind.category()
    }

    /// The 1-based line, when known.
    pub fn line(&self) -> Option<u64> {
        self.0.location.line
    }

    /// The 1-based column, when known.
    pub fn column(&self) -> Option<u64> {
        self.0.location.column
    }

    pub(crate) fn location_mut(&mut self) -> &mut Location {
        &mut self.0.location
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.location.is_unknown() {
            write!(f, "{}", self.0.kind)
        } else {
            write!(f, "{}: {}", self.0.location, self.0.kind)
        }
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Error")
            .field("kind", &self.0.kind)
            .field("location", &self.0.location)
            .finish()
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        std::error::Error::source(&self.0.kind)
    }
}

impl From<ErrorKind> for Error {
    fn from(kind: ErrorKind) -> Error {
        Error::new(kind)
    }
}

impl From<io::Error> for Error {
    fn from(e: io::Error) -> Error {
        Error::new(ErrorKind::Io(e))
    }
}

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
    fn displays_location_then_cause() {
        let e = Error::with_location(
            ErrorKind::InvalidUid {
                value: "abc".into(),
            },
            Location {
                line: Some(3),
                column: Some(17),
                object: Some("trackedEntities[0]".into()),
                index: Some(0),
                field: Some("trackedEntity".into()),
                ..Location::default()
            },
        );
        assert_eq!(
            e.to_string(),
            "line 3, column 17, trackedEntities[0], field `trackedEntity`: UID must be an \
             alphanumeric string of 11 characters starting with a letter, but was: abc"
        );
        assert_eq!(e.category(), Category::Data);
        let e = Error::from(io::Error::other("disk full"));
        assert_eq!(e.to_string(), "I/O error: disk full");
        assert_eq!(e.category(), Category::Io);
    }
}
