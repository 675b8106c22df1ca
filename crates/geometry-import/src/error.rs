//! [`Error`]: why a geometry import or export could not run at all.
//!
//! What DHIS2 answers with a report — a file that is not GeoJSON (`E7701`), a feature without
//! an org unit (`E7708`), a hostile GML file (`E7010`) — is a report, not an error. Errors are
//! what DHIS2 has no report for: a store that fails, an input beyond this library's bounds, a
//! parameter DHIS2 would refuse, an output that cannot be written.

use dxf2_metadata::catalogue::CatalogueError;
use dxf2_metadata::Category;
use dxf2_model::limits::human_bytes;

/// Why a geometry import or export could not run.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The catalogue (a store) failed.
    #[error(transparent)]
    Catalogue(#[from] CatalogueError),
    /// The metadata import behind the GML import failed (a store failure, an org unit cycle).
    #[error(transparent)]
    Metadata(#[from] dxf2_metadata::Error),
    /// Part of the input is longer than a bound of [`ReadLimits`](dxf2_model::ReadLimits).
    #[error(
        "{what} is longer than the limit of {} (raise ReadLimits::{setting}, or --{flag} on the command line)",
        human_bytes(*limit)
    )]
    TooLong {
        /// What, and where (`GeoJSON feature 3 (from byte 1024)`).
        what: String,
        /// The limit in bytes.
        limit: usize,
        /// The `ReadLimits` field (`max_record_bytes`).
        setting: &'static str,
        /// The command-line flag (`max-record-bytes`).
        flag: &'static str,
    },
    /// A parameter DHIS2 would refuse.
    #[error("invalid {name} `{value}`: {expected}")]
    Parameter {
        /// The parameter (`orgUnitProperty`).
        name: &'static str,
        /// The value given.
        value: String,
        /// What is accepted.
        expected: &'static str,
    },
    /// The org unit an export is limited to does not exist.
    #[error("no organisation unit with UID `{0}`")]
    UnknownOrgUnit(String),
    /// Writing the output failed.
    #[error("writing GeoJSON: {0}")]
    Io(#[from] std::io::Error),
}

impl Error {
    /// A coarse category, for a command line to map onto exit codes and messages.
    pub fn classify(&self) -> Category {
        match self {
            Error::Catalogue(_) => Category::Store,
            Error::Metadata(e) => e.classify(),
            Error::TooLong { .. } => Category::Syntax,
            Error::Parameter { .. } | Error::UnknownOrgUnit(_) => Category::Usage,
            Error::Io(_) => Category::Io,
        }
    }
}
