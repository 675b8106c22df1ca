//! [`Error`]: why metadata could not be read, written, imported or exported.

use std::fmt;
use std::io;

use dxf2_model::metadata::HierarchyError;

use crate::catalogue::CatalogueError;

/// Which object of a document: its collection, its index there (null elements not counted), its
/// `id` when it has one, and the field concerned.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Location {
    /// The collection key (`dataElements`).
    pub collection: String,
    /// Zero-based index among the collection's objects.
    pub index: usize,
    /// The object's `id`, when it has one.
    pub id: Option<String>,
    /// The field (a path such as `dataSetElements[2].dataElement`).
    pub field: String,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}[{}]", self.collection, self.index)?;
        if let Some(id) = &self.id {
            write!(f, " (id `{id}`)")?;
        }
        write!(f, ", field `{}`", self.field)
    }
}

/// Why metadata could not be read, written, imported or exported.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Reading or writing failed.
    #[error("I/O error: {0}")]
    Io(#[from] io::Error),
    /// The text is not JSON, or not a JSON object at the top.
    #[error("invalid metadata JSON at line {line}, column {column}: {message}")]
    Json {
        /// `serde_json`'s description.
        message: String,
        /// Line (1-based).
        line: usize,
        /// Column (1-based).
        column: usize,
    },
    /// A value DHIS2 (Jackson) cannot read into its type, which fails DHIS2's whole import: an
    /// unknown enum constant (`valueType: "NUMBERX"`), an object where text belongs, a
    /// reference that is not an object, a bad date.
    #[error("{location}: {message}")]
    Value {
        /// Where.
        location: Box<Location>,
        /// What is wrong.
        message: String,
    },
    /// The org units' parents would form a cycle: the import was refused (nothing changes).
    #[error("{0}")]
    Hierarchy(#[from] HierarchyError),
    /// The catalogue (a store) failed.
    #[error(transparent)]
    Catalogue(#[from] CatalogueError),
    /// An import or export parameter DHIS2 would not accept.
    #[error("invalid {name} `{value}`: {expected}")]
    Parameter {
        /// The parameter.
        name: &'static str,
        /// The value given.
        value: String,
        /// What is accepted.
        expected: &'static str,
    },
    /// Writing a zip archive failed.
    #[error("zip: {0}")]
    Zip(String),
}

impl Error {
    /// A coarse category, for a command line to map onto exit codes and messages.
    pub fn classify(&self) -> Category {
        match self {
            Error::Io(_) | Error::Zip(_) => Category::Io,
            Error::Json { .. } | Error::Value { .. } => Category::Syntax,
            Error::Hierarchy(_) => Category::Validation,
            Error::Catalogue(_) => Category::Store,
            Error::Parameter { .. } => Category::Usage,
        }
    }

    pub(crate) fn value(
        collection: &str,
        index: usize,
        id: Option<&str>,
        field: &str,
        message: impl Into<String>,
    ) -> Error {
        Error::Value {
            location: Box::new(Location {
                collection: collection.to_owned(),
                index,
                id: id.map(str::to_owned),
                field: field.to_owned(),
            }),
            message: message.into(),
        }
    }
}

/// A coarse category of [`Error`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Category {
    /// Reading or writing bytes failed.
    Io,
    /// The document is not what DHIS2 reads.
    Syntax,
    /// The document was read but refused as a whole.
    Validation,
    /// The catalogue (store) failed.
    Store,
    /// A parameter was wrong.
    Usage,
}

impl From<serde_json::Error> for Error {
    fn from(e: serde_json::Error) -> Error {
        if e.is_io() {
            return Error::Io(io::Error::other(e.to_string()));
        }
        Error::Json {
            message: strip_position(&e.to_string()),
            line: e.line(),
            column: e.column(),
        }
    }
}

/// `serde_json` appends " at line L column C" to its messages; the error says it once.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message.get(..i).unwrap_or(message).to_owned(),
        None => message.to_owned(),
    }
}
