//! The one error type of `dxf2-model`.

use thiserror::Error;

/// What went wrong when text was turned into a model type.
///
/// Every variant carries the offending input so that a message can say what was wrong and why.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum ModelError {
    /// Not an 11-character DHIS2 UID (letter first, then 10 ASCII letters or digits).
    #[error("invalid UID `{0}`: expected 11 ASCII letters or digits, the first a letter")]
    InvalidUid(String),
    /// Not an id scheme DHIS2 knows (`UID`, `ID`, `CODE`, `NAME`, `UUID`, `ATTRIBUTE:<uid>`).
    #[error("invalid id scheme `{0}`: expected UID, ID, CODE, NAME, UUID or ATTRIBUTE:<uid>")]
    InvalidIdScheme(String),
    /// Not an ISO period of any DHIS2 period type.
    #[error("invalid period `{input}`: {reason}")]
    InvalidPeriod {
        /// The text as given.
        input: String,
        /// Why it was refused.
        reason: String,
    },
    /// Not a DHIS2 period type name.
    #[error("unknown period type `{0}`")]
    InvalidPeriodType(String),
    /// Not an import strategy name.
    #[error("invalid import strategy `{0}`: expected one of CREATE, UPDATE, CREATE_AND_UPDATE, DELETE, SYNC, NEW_AND_UPDATES, NEW, UPDATES, DELETES")]
    InvalidStrategy(String),
    /// Not a value type name.
    #[error("unknown value type `{0}`")]
    InvalidValueType(String),
    /// Not an import status name.
    #[error("invalid import status `{0}`: expected SUCCESS, WARNING or ERROR")]
    InvalidStatus(String),
    /// Not a DHIS2 version this library knows.
    #[error(
        "invalid DHIS2 version `{0}`: expected a version from 2.36 to 2.44, such as 2.40 or 2.43"
    )]
    InvalidVersion(String),
    /// Not a date in any form DHIS2's `DateUtils` reads (see [`crate::date`]).
    #[error("invalid date `{0}`: expected yyyy-MM-dd, yyyyMMdd, yyyy-MM, yyyy or an ISO 8601 date-time such as 2024-01-15T10:20:30.123+0000")]
    InvalidDate(String),
}
