//! `import-engine`: import DHIS2 data value sets exactly as DHIS2 does, without a server.
//!
//! The pipeline: a [`DataValueSource`] (any reader of the codec crates) yields raw values; a
//! [`Resolver`] maps their identifiers to UIDs under the effective id
//! schemes; each value is validated against the [`Metadata`] in DHIS2's order with DHIS2's error
//! codes; the strategy decides create / update / delete / ignore; the changes go to a
//! [`DataValueStore`]; the result is DHIS2's [`ImportSummary`](dxf2_model::ImportSummary), in an
//! [`ImportOutcome`] that also says, typed, why an import failed as a whole ([`Failure`]), and,
//! for each value the summary names, where it is in the source file and which of its strings was
//! wrong ([`ValueNote`]; never written into DHIS2's summary documents).
//!
//! Beside imports and exports ([`export`]): DHIS2's data value set templates ([`template`]),
//! its single-value API `/api/dataValues` with the files of file values ([`single_value`],
//! [`file_resource`]).
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
//! // Beside DHIS2's summary: the string that was wrong (and, for a reader of text, its line).
//! assert_eq!(outcome.note(1).map(|n| n.to_string()).as_deref(), Some("value `x`"));
//! let s = outcome.summary;
//! assert_eq!((s.import_count.imported, s.import_count.ignored), (1, 1));
//! assert_eq!(s.conflicts[0].error_code.as_deref(), Some("E7619"));
//! ```

#![forbid(unsafe_code)]

pub mod access;
mod batch;
mod classic;
pub mod codes;
pub mod conflicts;
pub mod export;
pub mod file_resource;
pub mod index;
mod outcome;
mod pipeline;
mod schemes;
pub mod single_value;
pub mod template;

use chrono::{DateTime, Utc};
use dxf2_model::{
    DataValue, DataValueSource, ImportOptions, ImporterProfile, Metadata, TextPosition,
};
use idscheme_resolver::Resolver;

pub use access::{AccessPolicy, Superuser, UserAccess};
/// The store seam (re-exported from `dxf2-store`, where a host's store finds it without
/// depending on the engine).
pub use dxf2_store as store;
pub use dxf2_store::memory;
pub use dxf2_store::MemoryStore;
pub use export::{
    CheckOrder, ExportError, ExportParams, ExportPlan, ExportSummary, Exporter, InputIdSchemes,
};
pub use index::MetadataIndex;
pub use outcome::{Failure, ImportError, ImportOutcome, ValueNote, MAX_NOTE_CHARS};
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

/// Progress of a running import: the workspace's one progress event (`dxf2_model::Progress`),
/// here in [`Phase::Import`] counting values.
pub use dxf2_model::{Phase, Progress};

/// Reads every value of `source` into one reused record and calls `each` with it, its index
/// (from 0) and where it starts in the source text ([`DataValueSource::value_position`], a copy:
/// nothing is allocated per value), reporting `progress` every 1,000 values and once at the end.
/// Stops at the first failure: the reader's ([`Failure::Input`], with the number of values read)
/// or `each`'s.
fn read_values<S: DataValueSource>(
    source: &mut S,
    progress: &mut dyn FnMut(Progress),
    mut each: impl FnMut(&DataValue, i64, Option<TextPosition>) -> Result<(), Failure>,
) -> Result<(), Failure> {
    let mut record = DataValue::new();
    let mut index: i64 = 0;
    loop {
        match source.read_value(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => return Err(Failure::input(index.unsigned_abs(), e)),
        }
        each(&record, index, source.value_position())?;
        index += 1;
        if index % 1000 == 0 {
            progress(Progress::new(Phase::Import, index.unsigned_abs()));
        }
    }
    progress(Progress::finished(Phase::Import, index.unsigned_abs()));
    Ok(())
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
