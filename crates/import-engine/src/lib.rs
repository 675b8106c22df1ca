//! `import-engine`: import DHIS2 data value sets exactly as DHIS2 does, without a server.
//!
//! The pipeline: a [`DataValueSource`] (any reader of the codec crates) yields raw values; a
//! [`Resolver`] maps their identifiers to UIDs under the effective id
//! schemes; each value is validated against the [`Metadata`] in DHIS2's order with DHIS2's error
//! codes; the strategy decides create / update / delete / ignore; the changes go to a
//! [`DataValueStore`]; the result is DHIS2's [`ImportSummary`].
//!
//! Behaviour follows the importer generation chosen by [`ImportOptions::profile`]: the classic
//! importer of DHIS2 2.36–2.42 (module `classic`) is the default; `ImporterProfile::Pipeline`
//! imports as DHIS2 2.43+ does (module `pipeline`: groups per data set, E8000–E8128, every write
//! counted as updated). Rules that differ between generations live in one module per generation.
//!
//! ```
//! use dxf2_model::metadata::{DataElement, Identity, OrganisationUnit, Sharing};
//! use dxf2_model::{DataValue, DataValueSetHeader, DataValueSource, Field, ImportOptions, Metadata, Uid, ValueType};
//! use idscheme_resolver::MetadataResolver;
//! use import_engine::{Importer, MemoryStore, Superuser};
//!
//! // Metadata: one org unit, one integer data element.
//! let mut md = Metadata::new();
//! md.ensure_defaults();
//! let ou = Uid::parse("DiszpKrYNg8").unwrap();
//! md.add_org_unit(OrganisationUnit::new(Identity::new(ou), None));
//! let de = Uid::parse("f7n9E0hX8qk").unwrap();
//! let cc = Uid::parse("bjDvmb4bfuf").unwrap();
//! md.add_data_element(DataElement {
//!     id: Identity::new(de), value_type: ValueType::Integer, aggregation_type: "SUM".into(),
//!     domain_type: "AGGREGATE".into(), zero_is_significant: false, category_combo: cc,
//!     option_set: None, comment_option_set: None, sharing: Sharing::default(),
//! });
//! md.compute_hierarchy().unwrap();
//!
//! // A source of two values (any codec reader works the same way).
//! struct Values(Vec<DataValue>, DataValueSetHeader);
//! impl DataValueSource for Values {
//!     type Error = std::io::Error;
//!     fn header(&self) -> &DataValueSetHeader { &self.1 }
//!     fn read_value(&mut self, record: &mut DataValue) -> Result<bool, Self::Error> {
//!         match self.0.pop() { Some(v) => { *record = v; Ok(true) } None => Ok(false) }
//!     }
//! }
//! let v = |value: &str| DataValue::from_fields(&[
//!     (Field::DataElement, "f7n9E0hX8qk"), (Field::Period, "202401"),
//!     (Field::OrgUnit, "DiszpKrYNg8"), (Field::Value, value),
//! ]);
//! let mut source = Values(vec![v("x"), v("12")], DataValueSetHeader::default());
//!
//! let access = Superuser::default();
//! let importer = Importer::new(&md, &access);
//! let mut resolver = MetadataResolver::new(&md);
//! let mut store = MemoryStore::new();
//! let outcome = importer.import(&mut source, &ImportOptions::default(), &mut resolver, &mut store, &mut |_| {});
//! let s = outcome.summary;
//! assert_eq!((s.import_count.imported, s.import_count.ignored), (1, 1));
//! assert_eq!(s.conflicts[0].error_code.as_deref(), Some("E7619"));
//! ```

#![forbid(unsafe_code)]

pub mod access;
mod classic;
pub mod codes;
pub mod conflicts;
pub mod export;
mod export_pipeline;
pub mod index;
pub mod memory;
mod pipeline;
pub mod store;

use chrono::{DateTime, Utc};
use dxf2_model::{
    DataValueSource, ImportOptions, ImportStatus, ImportSummary, ImporterProfile, Metadata,
};
use idscheme_resolver::Resolver;

pub use access::{AccessPolicy, Superuser, UserAccess};
pub use export::{
    CheckOrder, ExportError, ExportParams, ExportPlan, ExportSummary, Exporter, InputIdSchemes,
};
pub use index::MetadataIndex;
pub use memory::MemoryStore;
pub use store::{DataValueStore, MetadataStore, StoreError};

/// DHIS2 system settings that change import behaviour (`SystemSettings`), with DHIS2's defaults:
/// approval, locking and input-period strictness on; everything else off.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SystemSettings {
    /// `keyDataImportStrictPeriods`.
    pub strict_periods: bool,
    /// `keyDataImportStrictDataElements`.
    pub strict_data_elements: bool,
    /// `keyDataImportStrictCategoryOptionCombos`.
    pub strict_category_option_combos: bool,
    /// `keyDataImportStrictAttributeOptionCombos`.
    pub strict_attribute_option_combos: bool,
    /// `keyDataImportStrictOrganisationUnits`.
    pub strict_organisation_units: bool,
    /// `keyDataImportStrictDataSetApproval` (default on).
    pub strict_data_set_approval: bool,
    /// `keyDataImportStrictDataSetLocking` (default on).
    pub strict_data_set_locking: bool,
    /// `keyDataImportStrictDataSetInputPeriods` (default on).
    pub strict_data_set_input_periods: bool,
    /// `keyDataImportRequireCategoryOptionCombo`.
    pub require_category_option_combo: bool,
    /// `keyDataImportRequireAttributeOptionCombo`.
    pub require_attribute_option_combo: bool,
    /// `dataEntryAutoGroup` (2.43+ only): a data value set without a data set is split into one
    /// group per data set instead of needing its data elements to belong to exactly one.
    pub data_entry_auto_group: bool,
}

impl Default for SystemSettings {
    fn default() -> Self {
        SystemSettings {
            strict_periods: false,
            strict_data_elements: false,
            strict_category_option_combos: false,
            strict_attribute_option_combos: false,
            strict_organisation_units: false,
            strict_data_set_approval: true,
            strict_data_set_locking: true,
            strict_data_set_input_periods: true,
            require_category_option_combo: false,
            require_attribute_option_combo: false,
            data_entry_auto_group: false,
        }
    }
}

/// Progress of a running import.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Progress {
    /// Values processed so far.
    pub values_done: u64,
    /// Total values, when known (at the end).
    pub total: Option<u64>,
}

/// Why an import failed as a whole (the summary then has status `ERROR` and
/// "The import process failed: …"); nothing of it was written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Failure {
    /// The input could not be read (malformed or truncated file).
    Input {
        /// Values read before the failure.
        values_read: u64,
        /// The reader's message (with its position).
        message: String,
    },
    /// A rule of DHIS2 fails the whole import (bad strategy or id scheme, ambiguous identifier,
    /// bad `completeDate`, …).
    Import,
    /// The store failed.
    Store,
}

/// The result of an import: DHIS2's summary, plus why it failed when it failed as a whole.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportOutcome {
    /// The summary, as DHIS2 would answer.
    pub summary: ImportSummary,
    /// Set when the import failed as a whole.
    pub failure: Option<Failure>,
}

impl ImportOutcome {
    fn failed(message: String, failure: Failure) -> ImportOutcome {
        let description = if message.starts_with("The import process failed") {
            message
        } else {
            format!("The import process failed: {message}")
        };
        ImportOutcome {
            summary: ImportSummary {
                status: ImportStatus::Error,
                description: Some(description),
                ..ImportSummary::default()
            },
            failure: Some(failure),
        }
    }
}

/// Imports data value sets against one metadata catalogue, for one acting user.
pub struct Importer<'m> {
    index: MetadataIndex<'m>,
    access: &'m dyn AccessPolicy,
    settings: SystemSettings,
    now: DateTime<Utc>,
}

impl<'m> Importer<'m> {
    /// An importer over `metadata` acting as `access`, with default system settings and the current
    /// time.
    pub fn new(metadata: &'m Metadata, access: &'m dyn AccessPolicy) -> Importer<'m> {
        Importer {
            index: MetadataIndex::new(metadata),
            access,
            settings: SystemSettings::default(),
            now: Utc::now(),
        }
    }

    /// Uses these system settings.
    pub fn with_settings(mut self, settings: SystemSettings) -> Self {
        self.settings = settings;
        self
    }

    /// Pretends the import runs at `now` (locking and future-period rules depend on it).
    pub fn with_now(mut self, now: DateTime<Utc>) -> Self {
        self.now = now;
        self
    }

    /// The metadata tables.
    pub fn index(&self) -> &MetadataIndex<'m> {
        &self.index
    }

    /// Imports every value of `source` into `store`, calling `progress` now and then.
    ///
    /// Everything the import writes happens in one store transaction: a failed import, a dry run
    /// or a store failure leaves the store as it was.
    pub fn import<S: DataValueSource>(
        &self,
        source: &mut S,
        options: &ImportOptions,
        resolver: &mut dyn Resolver,
        store: &mut dyn DataValueStore,
        progress: &mut dyn FnMut(Progress),
    ) -> ImportOutcome {
        let mut outcome = match options.profile {
            ImporterProfile::Classic => {
                self.import_classic(source, options, resolver, store, progress)
            }
            ImporterProfile::Pipeline => {
                self.import_pipeline(source, options, resolver, store, progress)
            }
        };
        if outcome.summary.import_options.is_none() {
            outcome.summary.import_options = Some(options.clone());
        }
        outcome.summary.profile = Some(options.profile);
        outcome
    }
}
