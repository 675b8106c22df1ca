//! The errors of the metadata reader: which object, which field, where in the text.

use std::fmt;
use std::io;

use dxf2_model::metadata::HierarchyError;

use crate::guard::GuardStop;

/// Which object of the document: its top-level array, its index there, and its `id` once read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ObjectRef {
    /// The top-level key (`dataElements`, `dataSets`, …).
    pub kind: &'static str,
    /// Zero-based index in that array (`null` elements count).
    pub index: usize,
    /// The object's `id` as written, when it was read.
    pub id: Option<String>,
}

impl fmt::Display for ObjectRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}[{}]", self.kind, self.index)?;
        if let Some(id) = &self.id {
            write!(f, " (id `{id}`)")?;
        }
        Ok(())
    }
}

/// A position in the JSON text (1-based line and column, as `serde_json` reports them).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Position {
    /// Line.
    pub line: usize,
    /// Column.
    pub column: usize,
}

/// Why a metadata document could not be read, or a catalogue could not be written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MetadataError {
    /// Reading the input failed (writing: [`MetadataError::WriteIo`]).
    #[error("I/O error while reading metadata JSON: {0}")]
    Io(#[source] io::Error),
    /// Malformed JSON, or a JSON value of the wrong type (e.g. an object where a string belongs).
    #[error("invalid metadata JSON{}: {message} at line {line}, column {column}", in_object(.object.as_deref()))]
    Json {
        /// The object being read, when inside one of the known top-level arrays.
        object: Option<Box<ObjectRef>>,
        /// `serde_json`'s description.
        message: String,
        /// Line.
        line: usize,
        /// Column.
        column: usize,
    },
    /// A required field is absent, `null` or `""`.
    #[error("{object}: missing `{field}`{}", at(.position))]
    MissingField {
        /// The object.
        object: Box<ObjectRef>,
        /// The field (a path such as `dataSetElements[2].dataElement`).
        field: String,
        /// Where reading stopped in the JSON text: just after the object.
        position: Option<Position>,
    },
    /// A field has a value DHIS2 would refuse.
    #[error("{object}: invalid `{field}` `{value}`: expected {expected}{}", at(.position))]
    InvalidField {
        /// The object.
        object: Box<ObjectRef>,
        /// The field (a path such as `dataInputPeriods[0].openingDate`).
        field: String,
        /// The value as written.
        value: String,
        /// What was expected.
        expected: &'static str,
        /// Where reading stopped in the JSON text: just after the object.
        position: Option<Position>,
    },
    /// A string or number longer than [`ReadLimits::max_token_bytes`](dxf2_model::ReadLimits::max_token_bytes) (as written) starts at
    /// `position`.
    #[error("invalid metadata JSON at line {}, column {}: {what} longer than {} starts here: raise ReadLimits::max_token_bytes, or --max-token-bytes on the command line", .position.line, .position.column, dxf2_model::limits::human_bytes(*.limit))]
    TokenTooLong {
        /// What was too long: `a string` or `a number`.
        what: &'static str,
        /// The limit, in bytes.
        limit: usize,
        /// Where the token starts.
        position: Position,
    },
    /// A `\u0000` escape: no DHIS2 database can hold U+0000 (PostgreSQL refuses it).
    #[error("invalid metadata JSON at line {}, column {}: `\\u0000` (U+0000, NUL) in a string: DHIS2's database (PostgreSQL) cannot store it; remove it from the file", .position.line, .position.column)]
    NulCharacter {
        /// Where the escape is.
        position: Position,
    },
    /// Objects and arrays nested deeper than `limit` levels.
    #[error("invalid metadata JSON at line {}, column {}: nested deeper than {limit} levels", .position.line, .position.column)]
    NestingTooDeep {
        /// The limit.
        limit: usize,
        /// Where the level too deep opens.
        position: Position,
    },
    /// The org units' parents form a cycle (or another hierarchy problem): nothing was merged.
    #[error("invalid metadata: {0}")]
    Hierarchy(#[source] HierarchyError),
    /// A reference (an option set's option, a user's role) to an object the document does not
    /// define.
    #[error("{object}: `{field}` refers to `{id}`, which the document does not define")]
    UnresolvedReference {
        /// The object.
        object: Box<ObjectRef>,
        /// The field (`options[3]`, `userRoles[0]`).
        field: String,
        /// The UID referred to.
        id: String,
    },
    /// Writing: the output failed ([`write_metadata`](super::write_metadata)).
    #[error("I/O error while writing metadata JSON: {0}")]
    WriteIo(#[source] io::Error),
    /// Writing: an object of the catalogue holds a value that no metadata document can carry so
    /// that it reads back the same ([`write_metadata`](super::write_metadata)); nothing was
    /// written. `object` names the catalogue's list (by its top-level key) and the position in
    /// it, which is also the object's index in the document.
    #[error("{object}: cannot write `{field}`{}: {reason}", value_text(.value.as_deref()))]
    Unwritable {
        /// The object.
        object: Box<ObjectRef>,
        /// The field (a path such as `options[2].code` or `dataInputPeriods[0].openingDate`).
        field: String,
        /// The value, as text (`None` when the value is missing).
        value: Option<String>,
        /// Why it cannot be written.
        reason: &'static str,
    },
}

fn value_text(value: Option<&str>) -> String {
    value.map(|v| format!(" `{v}`")).unwrap_or_default()
}

pub(super) fn in_object(object: Option<&ObjectRef>) -> String {
    object.map(|o| format!(" in {o}")).unwrap_or_default()
}

pub(super) fn at(position: &Option<Position>) -> String {
    position
        .map(|p| {
            format!(
                " (after the object, at line {}, column {})",
                p.line, p.column
            )
        })
        .unwrap_or_default()
}

impl MetadataError {
    /// The object the error is about, when known.
    pub fn object(&self) -> Option<&ObjectRef> {
        match self {
            MetadataError::Io(_)
            | MetadataError::WriteIo(_)
            | MetadataError::Hierarchy(_)
            | MetadataError::TokenTooLong { .. }
            | MetadataError::NulCharacter { .. }
            | MetadataError::NestingTooDeep { .. } => None,
            MetadataError::Json { object, .. } => object.as_deref(),
            MetadataError::MissingField { object, .. }
            | MetadataError::InvalidField { object, .. }
            | MetadataError::UnresolvedReference { object, .. }
            | MetadataError::Unwritable { object, .. } => Some(&**object),
        }
    }

    /// The field the error is about, when known.
    pub fn field(&self) -> Option<&str> {
        match self {
            MetadataError::Io(_)
            | MetadataError::WriteIo(_)
            | MetadataError::Json { .. }
            | MetadataError::Hierarchy(_)
            | MetadataError::TokenTooLong { .. }
            | MetadataError::NulCharacter { .. }
            | MetadataError::NestingTooDeep { .. } => None,
            MetadataError::MissingField { field, .. }
            | MetadataError::InvalidField { field, .. }
            | MetadataError::UnresolvedReference { field, .. }
            | MetadataError::Unwritable { field, .. } => Some(field),
        }
    }

    /// Where in the JSON text, when known (for field errors: where reading stopped, just after the
    /// object, past any white space).
    pub fn position(&self) -> Option<Position> {
        match self {
            MetadataError::Json { line, column, .. } => Some(Position {
                line: *line,
                column: *column,
            }),
            MetadataError::MissingField { position, .. }
            | MetadataError::InvalidField { position, .. } => *position,
            MetadataError::TokenTooLong { position, .. }
            | MetadataError::NulCharacter { position }
            | MetadataError::NestingTooDeep { position, .. } => Some(*position),
            MetadataError::Io(_)
            | MetadataError::WriteIo(_)
            | MetadataError::Hierarchy(_)
            | MetadataError::UnresolvedReference { .. }
            | MetadataError::Unwritable { .. } => None,
        }
    }

    pub(super) fn set_position(&mut self, new: Position) {
        if let MetadataError::MissingField { position, .. }
        | MetadataError::InvalidField { position, .. } = self
        {
            *position = Some(new);
        }
    }
}

pub(super) fn missing(object: &ObjectRef, field: impl Into<String>) -> MetadataError {
    MetadataError::MissingField {
        object: Box::new(object.clone()),
        field: field.into(),
        position: None,
    }
}

pub(super) fn invalid(
    object: &ObjectRef,
    field: impl Into<String>,
    value: &str,
    expected: &'static str,
) -> MetadataError {
    MetadataError::InvalidField {
        object: Box::new(object.clone()),
        field: field.into(),
        value: value.to_owned(),
        expected,
        position: None,
    }
}

pub(super) const EXPECT_UID: &str = "an 11-character UID (a letter, then 10 letters or digits)";
pub(super) const EXPECT_DATE: &str =
    "a date such as 2024-01-31 or 2024-01-31T12:00:00.000, or epoch milliseconds";

/// The error of an input the guard stopped.
pub(super) fn guard_error(stop: GuardStop) -> MetadataError {
    let at = |line: u64, column: u64| Position {
        line: usize::try_from(line).unwrap_or(usize::MAX),
        column: usize::try_from(column).unwrap_or(usize::MAX),
    };
    match stop {
        GuardStop::TooLong {
            what,
            limit,
            line,
            column,
        } => MetadataError::TokenTooLong {
            what,
            limit,
            position: at(line, column),
        },
        GuardStop::Nul { line, column } => MetadataError::NulCharacter {
            position: at(line, column),
        },
        GuardStop::TooDeep {
            limit,
            line,
            column,
        } => MetadataError::NestingTooDeep {
            limit,
            position: at(line, column),
        },
    }
}
