//! What an import returns: [`ImportOutcome`] (DHIS2's summary), and [`Failure`] when the import
//! failed as a whole, carrying the typed cause (the reader's error, the store's, or the DHIS2
//! rule that stopped it), and [`ValueNote`]s: where the values the summary names are in the
//! source, and the strings that were wrong.

use std::collections::BTreeMap;
use std::fmt;

use dxf2_model::{BoxError, Field, ImportStatus, ImportSummary, ModelError, TextPosition};
use idscheme_resolver::ResolveError;
use thiserror::Error;

use crate::store::{DataValueStore, StoreError};

/// The prefix of DHIS2's description of an import that failed as a whole.
const FAILED: &str = "The import process failed: ";

/// A rule of DHIS2 that fails a whole import (nothing is written).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum ImportError {
    /// An identifier could not be resolved in a way that fails the import: an ambiguous `CODE`
    /// or `NAME`, an unknown `ATTRIBUTE:<uid>` attribute, an `ID` key that is not a number, a
    /// scheme that cannot be used (`UUID`).
    #[error(transparent)]
    Resolve(#[from] ResolveError),
    /// An option of the payload is not valid (an unknown `importStrategy`, a malformed id scheme,
    /// a period that is not a period).
    #[error(transparent)]
    Options(#[from] ModelError),
    /// Another rule of DHIS2 (an unparsable `completeDate`, `attributeCategoryOptions` that do
    /// not name one option combo, metadata without a default category option combo, …), with
    /// DHIS2's message.
    #[error("{0}")]
    Rule(String),
}

/// Why an import failed as a whole (the summary then has status `ERROR` and "The import process
/// failed: …"); nothing of it was written.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum Failure {
    /// The input could not be read (malformed or truncated file).
    #[error("cannot read the input after {values_read} values: {source}")]
    Input {
        /// Values read before the failure.
        values_read: u64,
        /// The reader's error (with its position).
        #[source]
        source: BoxError,
    },
    /// A rule of DHIS2 fails the whole import (bad strategy or id scheme, ambiguous identifier,
    /// bad `completeDate`, …).
    #[error(transparent)]
    Import(#[from] ImportError),
    /// The store failed; its error (and, for a host's own store, the host's error as its
    /// source) is kept.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<ResolveError> for Failure {
    fn from(e: ResolveError) -> Self {
        Failure::Import(ImportError::Resolve(e))
    }
}

impl From<ModelError> for Failure {
    fn from(e: ModelError) -> Self {
        Failure::Import(ImportError::Options(e))
    }
}

impl Failure {
    /// A DHIS2 rule that fails the import, with DHIS2's message.
    pub(crate) fn rule(message: impl Into<String>) -> Failure {
        Failure::Import(ImportError::Rule(message.into()))
    }

    /// The reader failed after `values_read` values.
    pub(crate) fn input(values_read: u64, source: impl Into<BoxError>) -> Failure {
        Failure::Input {
            values_read,
            source: source.into(),
        }
    }

    /// DHIS2's description of the failed import: "The import process failed: …" followed by
    /// the cause's message.
    pub fn description(&self) -> String {
        let message = match self {
            Failure::Input { source, .. } => source.to_string(),
            other => other.to_string(),
        };
        if message.starts_with(FAILED) {
            message
        } else {
            format!("{FAILED}{message}")
        }
    }
}

/// The longest offending string a [`ValueNote`] keeps, in characters; a longer one (a comment of
/// 50,000 characters) is cut there and ends with `…`.
pub const MAX_NOTE_CHARS: usize = 200;

/// What the engine knows about one value that the summary names (in a conflict or in
/// `rejectedIndexes`) beyond DHIS2's own text: where the value is in the source file, and which
/// of its strings was wrong.
///
/// DHIS2's conflict texts do not always show the bad string: the classic `E7611` says
/// ``Period not valid: `null` `` when the value has no period of its own and the set-level
/// `period` (`202413`) did not parse, `E7619` names the data element and the error but not the
/// value, and DHIS2 2.43+'s `E8020` lists data elements without saying which value holds them.
/// A note says it: `period` `202413` at line 3, column 5. Notes are for people (tables, error
/// output); DHIS2's JSON and XML summaries never contain them.
///
/// ```
/// use dxf2_model::{Field, TextPosition};
/// use import_engine::ValueNote;
///
/// let note = ValueNote::new(
///     Some(TextPosition { line: 3, column: 5 }),
///     Some(Field::Period),
///     Some("202413"),
/// );
/// assert_eq!(note.to_string(), "line 3, column 5: period `202413`");
/// let missing = ValueNote::new(None, Some(Field::Value), None);
/// assert_eq!(missing.to_string(), "value missing");
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ValueNote {
    /// Where the value starts in the source text (the XML reader: the `<` of its `dataValue`
    /// tag; JSON: the `{` of its object; CSV: its record, column 1); `None` when the source
    /// gives no positions.
    pub position: Option<TextPosition>,
    /// The field whose string was wrong (or missing); `None` when no single field is at fault
    /// (a value rejected by the import strategy, a data set the user cannot write).
    pub field: Option<Field>,
    /// The offending string as the file has it (or, for an identifier taken from the data value
    /// set's header, as the header has it), at most [`MAX_NOTE_CHARS`] characters; `None` when
    /// the field is missing. DHIS2 2.43+ keeps decoded identifiers only, so its group conflicts
    /// give the UID or ISO period that was wrong.
    pub raw: Option<String>,
}

impl ValueNote {
    /// A note; `raw` is cut to [`MAX_NOTE_CHARS`] characters.
    pub fn new(
        position: Option<TextPosition>,
        field: Option<Field>,
        raw: Option<&str>,
    ) -> ValueNote {
        ValueNote {
            position,
            field,
            raw: raw.map(excerpt),
        }
    }

    /// Whether the note says nothing (no position, field or string).
    pub fn is_empty(&self) -> bool {
        self.position.is_none() && self.field.is_none() && self.raw.is_none()
    }
}

/// `text`, or its first [`MAX_NOTE_CHARS`] characters followed by `…`.
fn excerpt(text: &str) -> String {
    match text.char_indices().nth(MAX_NOTE_CHARS) {
        Some((cut, _)) => format!("{}…", text.get(..cut).unwrap_or_default()),
        None => text.to_owned(),
    }
}

impl fmt::Display for ValueNote {
    /// `line 3, column 5: period `202413``, `line 7, column 1: value missing`,
    /// `line 2, column 3` (position only), `value `x`` (no position).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(position) = self.position {
            write!(f, "{position}")?;
            if self.field.is_some() || self.raw.is_some() {
                f.write_str(": ")?;
            }
        }
        match (self.field, self.raw.as_deref()) {
            (Some(field), Some(raw)) => write!(f, "{} `{raw}`", field.name()),
            (Some(field), None) => write!(f, "{} missing", field.name()),
            (None, Some(raw)) => write!(f, "`{raw}`"),
            (None, None) => Ok(()),
        }
    }
}

/// The result of an import: DHIS2's summary, plus why it failed when it failed as a whole, and
/// notes on the values the summary names.
#[derive(Debug)]
#[non_exhaustive]
pub struct ImportOutcome {
    /// The summary, as DHIS2 would answer.
    pub summary: ImportSummary,
    /// Set when the import failed as a whole.
    pub failure: Option<Failure>,
    /// Set when undoing a failed import failed too: the store's error from
    /// [`rollback`](DataValueStore::rollback), reported beside [`failure`](Self::failure) (the
    /// store may then hold part of the import).
    pub rollback_error: Option<StoreError>,
    /// Notes on the values the summary names, by 0-based value index (DHIS2's index): where
    /// each is in the source and which string was wrong ([`ValueNote`]). Only values in a
    /// conflict or in `rejectedIndexes` have one, so the table grows with the conflicts, not
    /// with the input. A DHIS2 2.43+ decoding failure (conflict index `-1`) notes the value
    /// whose decoding failed under its own index; a group failure (every value of the group
    /// rejected) notes the first value holding each object its message lists. Not part of
    /// DHIS2's summary documents.
    pub value_notes: BTreeMap<i64, ValueNote>,
}

impl ImportOutcome {
    /// An outcome with `summary` and no failure.
    pub(crate) fn completed(summary: ImportSummary) -> ImportOutcome {
        ImportOutcome {
            summary,
            failure: None,
            rollback_error: None,
            value_notes: BTreeMap::new(),
        }
    }

    /// Adds notes on the values of the summary (see [`value_notes`](Self::value_notes)).
    pub(crate) fn with_notes(mut self, notes: BTreeMap<i64, ValueNote>) -> ImportOutcome {
        self.value_notes = notes;
        self
    }

    /// The note on value `index` (0-based, DHIS2's index), if the summary names it.
    pub fn note(&self, index: i64) -> Option<&ValueNote> {
        self.value_notes.get(&index)
    }

    /// Where value `index` (0-based, DHIS2's index) starts in the source, if the summary names
    /// it and the source gives positions.
    pub fn position(&self, index: i64) -> Option<TextPosition> {
        self.note(index).and_then(|n| n.position)
    }

    /// The outcome of an import that failed as a whole: status `ERROR` and DHIS2's
    /// "The import process failed: …".
    pub(crate) fn failed(failure: Failure) -> ImportOutcome {
        ImportOutcome {
            summary: ImportSummary {
                status: ImportStatus::Error,
                description: Some(failure.description()),
                ..ImportSummary::default()
            },
            failure: Some(failure),
            rollback_error: None,
            value_notes: BTreeMap::new(),
        }
    }

    /// [`failed`](Self::failed) after a transaction was opened: rolls `store` back and keeps
    /// the rollback's own failure, if any, beside the first one.
    pub(crate) fn rolled_back(failure: Failure, store: &mut dyn DataValueStore) -> ImportOutcome {
        let mut outcome = ImportOutcome::failed(failure);
        outcome.rollback_error = store.rollback().err();
        outcome
    }
}

#[cfg(test)]
mod tests {
    use std::error::Error as StdError;

    use super::*;

    #[test]
    fn descriptions_start_once_with_dhis2s_words() {
        let f = Failure::rule("The import process failed: Category option combo not found");
        assert_eq!(
            f.description(),
            "The import process failed: Category option combo not found"
        );
        let f = Failure::rule("no default category option combo in the metadata");
        assert_eq!(
            f.description(),
            "The import process failed: no default category option combo in the metadata"
        );
        let io = std::io::Error::new(std::io::ErrorKind::InvalidData, "line 3: bad quote");
        let f = Failure::input(2, io);
        assert_eq!(
            f.description(),
            "The import process failed: line 3: bad quote"
        );
        assert_eq!(
            f.to_string(),
            "cannot read the input after 2 values: line 3: bad quote"
        );
    }

    #[test]
    fn notes_cut_long_strings_and_print_what_they_know() {
        let long = "é".repeat(MAX_NOTE_CHARS + 5);
        let note = ValueNote::new(None, Some(Field::Comment), Some(&long));
        let raw = note.raw.as_deref().unwrap_or_default();
        assert_eq!(raw.chars().count(), MAX_NOTE_CHARS + 1);
        assert!(raw.ends_with("é…"));
        let exact = "a".repeat(MAX_NOTE_CHARS);
        let note = ValueNote::new(None, None, Some(&exact));
        assert_eq!(note.raw.as_deref(), Some(exact.as_str()));
        assert_eq!(note.to_string(), format!("`{exact}`"));
        let at = TextPosition { line: 2, column: 1 };
        assert_eq!(
            ValueNote::new(Some(at), None, None).to_string(),
            "line 2, column 1"
        );
        assert!(ValueNote::default().is_empty());
    }

    #[test]
    fn a_store_failure_keeps_its_source() {
        let io = std::io::Error::other("disk full");
        let f = Failure::from(StoreError::backend("insert", io));
        let Some(Failure::Store(store)) = Some(&f) else {
            panic!("not a store failure: {f:?}");
        };
        let source = StdError::source(store).and_then(|s| s.downcast_ref::<std::io::Error>());
        assert_eq!(source.map(|e| e.to_string()).as_deref(), Some("disk full"));
        assert_eq!(
            f.description(),
            "The import process failed: store error: insert: disk full"
        );
    }
}
