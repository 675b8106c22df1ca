//! The import summary (`ImportSummary`) DHIS2 answers an import with.

use std::fmt;
use std::str::FromStr;

use crate::{ImportOptions, ImporterProfile, ModelError};

/// `ImportStatus`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum ImportStatus {
    /// No conflicts.
    #[default]
    Success,
    /// Conflicts, but the import completed.
    Warning,
    /// The import was aborted or failed.
    Error,
}

impl ImportStatus {
    /// DHIS2's name (`SUCCESS`, `WARNING`, `ERROR`).
    pub fn name(self) -> &'static str {
        match self {
            ImportStatus::Success => "SUCCESS",
            ImportStatus::Warning => "WARNING",
            ImportStatus::Error => "ERROR",
        }
    }
}

impl FromStr for ImportStatus {
    type Err = ModelError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "SUCCESS" | "OK" => Ok(ImportStatus::Success),
            "WARNING" => Ok(ImportStatus::Warning),
            "ERROR" => Ok(ImportStatus::Error),
            _ => Err(ModelError::InvalidStatus(s.to_owned())),
        }
    }
}

impl fmt::Display for ImportStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// `ImportCount`: how many values were imported, updated, ignored and deleted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct ImportCount {
    /// New values stored.
    pub imported: u64,
    /// Existing values changed.
    pub updated: u64,
    /// Values not stored (rejected, unchanged, or not applicable to the strategy).
    pub ignored: u64,
    /// Values (soft-)deleted.
    pub deleted: u64,
}

/// One grouped conflict (`ImportConflict`).
///
/// *Formal* conflicts have an error code and `objects`; *legacy* ones only `object` and `value`.
/// Conflicts with the same code and the same object values are merged by the importer, whose
/// `indexes` then list every affected value.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct ImportConflict {
    /// The first value of `objects` (or the legacy object name).
    pub object: Option<String>,
    /// Ordered `(key, value)` pairs, e.g. `("dataElement", "f7n9E0hX8qk")`; values can be null.
    pub objects: Vec<(String, Option<String>)>,
    /// The formatted message.
    pub value: String,
    /// The error code (`E7610`, …), absent on legacy conflicts.
    pub error_code: Option<String>,
    /// The property the conflict is about (`dataElement`, `period`, …).
    pub property: Option<String>,
    /// Indexes of the affected values (absent for set-level conflicts).
    pub indexes: Option<Vec<i64>>,
}

/// `ImportSummary`: the outcome of a data value set import.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct ImportSummary {
    /// `status`.
    pub status: ImportStatus,
    /// `importOptions`: the echo of the request options (absent when not known).
    pub import_options: Option<ImportOptions>,
    /// `description`.
    pub description: Option<String>,
    /// `importCount`.
    pub import_count: ImportCount,
    /// `conflicts`, grouped.
    pub conflicts: Vec<ImportConflict>,
    /// `rejectedIndexes`.
    pub rejected_indexes: Vec<i64>,
    /// `dataSetComplete`: `"false"` or a `yyyy-MM-dd` date; absent in some outcomes.
    pub data_set_complete: Option<String>,
    /// Which importer generation produced the summary (our addition; not in DHIS2's document).
    pub profile: Option<ImporterProfile>,
}

impl ImportSummary {
    /// Total number of conflict occurrences (one per index, at least one per conflict).
    pub fn conflict_occurrences(&self) -> usize {
        self.conflicts
            .iter()
            .map(|c| c.indexes.as_ref().map_or(1, |i| i.len().max(1)))
            .sum()
    }
}
