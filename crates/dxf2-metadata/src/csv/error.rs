//! [`CsvError`]: why a metadata CSV file could not be read, and where.

use std::io;

use super::ClassKey;

/// Why a metadata CSV file could not be read. Every error about the file names its class, the
/// line (of the record's first character, counted from 1) and, for a value, its column (counted
/// from 1: DHIS2's columns are positional).
///
/// Like DHIS2, which fails the whole request when it meets one of these, the reader stops at the
/// first.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CsvError {
    /// The class key is not one of DHIS2's (DHIS2 answers 409 with the message quoted).
    #[error(
        "Cannot find Csv import class:  {0} (the metadata CSV classes are {list})",
        list = ClassKey::ALL.map(ClassKey::name).join(", ")
    )]
    UnknownClassKey(String),

    /// The class does not exist in the DHIS2 version read for.
    #[error("Cannot find Csv import class:  {class} (DHIS2 has it since 2.{since}; reading as 2.{minor})")]
    ClassNotInVersion {
        /// The class asked for.
        class: ClassKey,
        /// The first version that has it.
        since: u32,
        /// The version read for.
        minor: u32,
    },

    /// The input could not be read.
    #[error("{class}: reading the record at line {line}: {source}")]
    Io {
        /// The class being read.
        class: ClassKey,
        /// The line of the record being read.
        line: u64,
        /// The cause.
        #[source]
        source: io::Error,
    },

    /// A record is longer than the reader's bound (`ReadLimits::max_record_bytes`).
    #[error(
        "{class}: the record at line {line} is longer than {limit} bytes \
         (the bound on one CSV record: raise it with --max-record-bytes)"
    )]
    RecordTooLong {
        /// The class being read.
        class: ClassKey,
        /// The line of the record.
        line: u64,
        /// The bound, in bytes.
        limit: usize,
    },

    /// A value is longer than the reader's bound (`ReadLimits::max_token_bytes`).
    #[error(
        "{class}: line {line}, column {column}: the value is longer than {limit} bytes \
         (the bound on one CSV field: raise it with --max-token-bytes)"
    )]
    FieldTooLong {
        /// The class being read.
        class: ClassKey,
        /// The line of the record.
        line: u64,
        /// The column, from 1.
        column: usize,
        /// The bound, in bytes.
        limit: usize,
    },

    /// A value is not one of the constants of a Java enum DHIS2 reads with `valueOf`: DHIS2 fails
    /// the whole request (`No enum constant …`).
    #[error(
        "{class}: line {line}, column {column} ({field}): `{value}` is not a {kind} \
         (one of {expected}); DHIS2 fails the whole request: No enum constant \
         org.hisp.dhis.{java_class}.{value}",
        expected = expected.join(", ")
    )]
    InvalidEnum {
        /// The class being read.
        class: ClassKey,
        /// The line of the record.
        line: u64,
        /// The column, from 1.
        column: usize,
        /// The property the column sets, e.g. `valueType`.
        field: &'static str,
        /// The Java enum, e.g. `ValueType`.
        kind: &'static str,
        /// Its fully qualified name below `org.hisp.dhis.`, e.g. `common.ValueType`.
        java_class: &'static str,
        /// The constants the version read for knows.
        expected: Vec<&'static str>,
        /// The value as DHIS2 reads it (after truncation), shortened for the message.
        value: String,
    },

    /// A date column is not `yyyy-MM-dd`: DHIS2 fails the whole request.
    #[error(
        "{class}: line {line}, column {column} ({field}): `{value}` is not a date of the form \
         yyyy-MM-dd; DHIS2 fails the whole request"
    )]
    InvalidDate {
        /// The class being read.
        class: ClassKey,
        /// The line of the record.
        line: u64,
        /// The column, from 1.
        column: usize,
        /// The property the column sets, e.g. `openingDate`.
        field: &'static str,
        /// The value, shortened for the message.
        value: String,
    },

    /// An org unit's coordinates do not make a geometry of its feature type: DHIS2 (GeoTools)
    /// fails the whole request.
    #[error(
        "{class}: line {line}, column {column} (coordinates): not a {feature_type} geometry: \
         {reason}; DHIS2 fails the whole request"
    )]
    InvalidGeometry {
        /// The class being read.
        class: ClassKey,
        /// The line of the record.
        line: u64,
        /// The column of the coordinates, from 1.
        column: usize,
        /// The feature type of column 10, e.g. `POLYGON`.
        feature_type: String,
        /// What is wrong.
        reason: String,
    },

    /// A membership row lacks its second column: DHIS2 reads `values[1]` without a check and
    /// fails the whole request (`ArrayIndexOutOfBoundsException`).
    #[error(
        "{class}: line {line}: the row has no column {column} (the member's uid); \
         DHIS2 fails the whole request"
    )]
    MissingColumn {
        /// The class being read.
        class: ClassKey,
        /// The line of the record.
        line: u64,
        /// The missing column, from 1.
        column: usize,
    },
}

impl CsvError {
    /// The line the error is about, when it is about a place in the file.
    pub fn line(&self) -> Option<u64> {
        match self {
            CsvError::UnknownClassKey(_) | CsvError::ClassNotInVersion { .. } => None,
            CsvError::Io { line, .. }
            | CsvError::RecordTooLong { line, .. }
            | CsvError::FieldTooLong { line, .. }
            | CsvError::InvalidEnum { line, .. }
            | CsvError::InvalidDate { line, .. }
            | CsvError::InvalidGeometry { line, .. }
            | CsvError::MissingColumn { line, .. } => Some(*line),
        }
    }

    /// The column (from 1) the error is about, when it is about one value.
    pub fn column(&self) -> Option<usize> {
        match self {
            CsvError::FieldTooLong { column, .. }
            | CsvError::InvalidEnum { column, .. }
            | CsvError::InvalidDate { column, .. }
            | CsvError::InvalidGeometry { column, .. }
            | CsvError::MissingColumn { column, .. } => Some(*column),
            _ => None,
        }
    }
}

/// `value` shortened to 100 characters for a message (with `…` when cut).
pub(crate) fn excerpt(value: &str) -> String {
    const MAX: usize = 100;
    match value.char_indices().nth(MAX) {
        Some((cut, _)) => format!("{}…", value.get(..cut).unwrap_or_default()),
        None => value.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excerpt_cuts_long_values_on_a_character() {
        assert_eq!(excerpt("short"), "short");
        let long = "é".repeat(150);
        let cut = excerpt(&long);
        assert_eq!(cut.chars().count(), 101);
        assert!(cut.ends_with('…'));
    }
}
