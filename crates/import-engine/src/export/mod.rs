//! The export (`GET /api/dataValueSets`): request parameters, DHIS2's checks with their error
//! codes, and the streaming of stored values to any [`DataValueSink`].
//!
//! The export's stages live in one module each: `params` (the request and its id schemes),
//! `resolve` (the request's identifiers under the input schemes), `checks` (DHIS2's checks and
//! access decisions), `query` (the store query and the rows it yields), `write` (the classic
//! header and values); `pipeline` holds every rule of DHIS2 2.43+'s export that differs.
//!
//!
//! Two DHIS2 generations are implemented, chosen with [`Exporter::with_profile`]: the classic
//! export of DHIS2 2.36–2.42 (the default, described below) and the export of DHIS2 2.43+
//! ([`ImporterProfile::Pipeline`]), whose rules that differ live in the child module
//! `pipeline` (first failing check wins, ids listed in `E2010`–`E2012`, the group header
//! of common data set / period / org unit / attribute option combo, values without the header's
//! fields, the order period start, period end, created, data element, and `E8200`–`E8204` before
//! anything is written). The writers of the codec crates have a matching 2.43 mode.
//!
//! The classic flow follows DHIS2's `DefaultDataValueSetService` (`GET /api/dataValueSets`):
//!
//! 1. **Resolve** the request's identifiers with the *input* id schemes (`getFromUrl`): data sets,
//!    data element groups and data elements with their own input scheme, else `inputIdScheme`,
//!    else UID; org units likewise; org unit groups and attribute option combos with
//!    `inputIdScheme`. Identifiers that do not resolve are silently dropped (which can then
//!    trigger `E2001`/`E2006`); period strings that do not parse are dropped too.
//! 2. **Check** (`validate`: `E2001`–`E2009`, every check evaluated and the **last** failing one
//!    reported) and **decide access** (`E2010` data set read sharing, `E2011` attribute option
//!    combo read sharing, `E2012` org unit in the user's data view hierarchy; the first violation
//!    reported). [`CheckOrder`] chooses which of the two comes first.
//! 3. **Query** the store ([`ValueQuery`]): the data elements of the data sets plus the explicit
//!    ones, or the members of the data element groups instead; the org units (with their
//!    subtrees when `children`) or the members of the org unit groups; exact periods or a
//!    start/end range; attribute option combos; deleted rows only on request; `lastUpdated` or
//!    `lastUpdatedDuration`; `limit`. For a user who is not a superuser, values whose attribute
//!    option combo has a category option the user cannot data-read are left out.
//! 4. **Write** each row with the *output* id schemes ([`Resolver::identifier`]; an object without
//!    the identifier is written without it, as classic DHIS2 writes a null id), ISO periods,
//!    `created`/`lastUpdated` as `yyyy-MM-dd'T'HH:mm:ss.SSS+0000`, `followup`, and `deleted` only
//!    when true. The set header (`dataSet`, `completeDate`, `period`, `orgUnit`) is written only
//!    when exactly one data set, one period and one org unit were requested and no data element
//!    group (even with `children`, when the header org unit is the requested parent);
//!    `completeDate` comes from the completion registration of the default attribute option
//!    combo.
//!
//! One [`DataValue`](dxf2_model::DataValue) is reused for every row: nothing is allocated per value.
//!
//! ```
//! use dxf2_model::metadata::{DataElement, DataSet, DataSetElement, Identity, OrganisationUnit, Sharing};
//! use dxf2_model::{DataValue, DataValueSetHeader, DataValueSink, Metadata, Period, PeriodType, Uid, ValueType};
//! use idscheme_resolver::MetadataResolver;
//! use import_engine::export::{ExportParams, Exporter};
//! use import_engine::store::{DataValueKey, DataValueStoreExt, StoredValue};
//! use import_engine::{DataValueStore, MemoryStore, Superuser};
//!
//! let uid = |s: &str| Uid::parse(s).unwrap();
//! let mut md = Metadata::new();
//! md.ensure_defaults();
//! md.add_org_unit(OrganisationUnit::new(Identity::new(uid("DiszpKrYNg8")), None));
//! md.add_data_element(DataElement {
//!     id: Identity::new(uid("f7n9E0hX8qk")), value_type: ValueType::Integer, aggregation_type: "SUM".into(),
//!     domain_type: "AGGREGATE".into(), zero_is_significant: false, category_combo: uid("bjDvmb4bfuf"),
//!     option_set: None, comment_option_set: None, sharing: Sharing::default(),
//! });
//! md.add_data_set(DataSet {
//!     id: Identity::new(uid("pBOMPrpg1QX")), period_type: PeriodType::Monthly,
//!     elements: vec![DataSetElement { data_element: uid("f7n9E0hX8qk"), category_combo: None }],
//!     org_units: vec![uid("DiszpKrYNg8")], category_combo: uid("bjDvmb4bfuf"), expiry_days: 0,
//!     open_future_periods: 0, open_periods_after_co_end_date: 0, data_input_periods: Vec::new(),
//!     no_value_requires_comment: false, workflow: None, sharing: Sharing::default(),
//! });
//! md.compute_hierarchy().unwrap();
//!
//! // One stored value.
//! let mut store = MemoryStore::new();
//! let default_coc = uid("HllvX50cXC0");
//! let key = DataValueKey {
//!     data_element: uid("f7n9E0hX8qk"), period: "202401".parse::<Period>().unwrap(), org_unit: uid("DiszpKrYNg8"),
//!     category_option_combo: default_coc, attribute_option_combo: default_coc,
//! };
//! let mut row = StoredValue::empty(key, chrono::DateTime::UNIX_EPOCH);
//! row.value = Some("12".into());
//! store.begin().unwrap();
//! store.insert(&row).unwrap();
//! store.commit().unwrap();
//!
//! // A sink that keeps what it is given (any codec writer works the same way).
//! #[derive(Default)]
//! struct Keep(DataValueSetHeader, Vec<DataValue>);
//! impl DataValueSink for Keep {
//!     type Error = std::io::Error;
//!     fn begin(&mut self, h: &DataValueSetHeader) -> std::io::Result<()> { self.0 = h.clone(); Ok(()) }
//!     fn write_value(&mut self, v: &DataValue) -> std::io::Result<()> { self.1.push(v.clone()); Ok(()) }
//!     fn finish(&mut self) -> std::io::Result<()> { Ok(()) }
//! }
//!
//! let access = Superuser::default();
//! let exporter = Exporter::new(&md, &access);
//! let mut resolver = MetadataResolver::new(&md);
//! let params = ExportParams {
//!     data_sets: vec!["pBOMPrpg1QX".into()],
//!     periods: vec!["202401".into()],
//!     org_units: vec!["DiszpKrYNg8".into()],
//!     ..ExportParams::default()
//! };
//! let mut out = Keep::default();
//! let summary = exporter.export(&params, &mut resolver, &mut store, &mut out).unwrap();
//! assert_eq!(summary.values, 1);
//! assert_eq!(out.0.data_set.as_deref(), Some("pBOMPrpg1QX")); // one set, period, org unit: a header
//! assert_eq!(out.1[0].value(), Some("12"));
//! assert_eq!(out.1[0].created(), Some("1970-01-01T00:00:00.000+0000"));
//!
//! // DHIS2's checks: the last failing one is reported.
//! let err = exporter.export(&ExportParams::default(), &mut resolver, &mut store, &mut out).unwrap_err();
//! assert_eq!(err.to_string(), "E2006: At least one organisation unit or organisation unit group must be specified");
//!
//! // DHIS2 2.43+: the group header; the value leaves out what the header says.
//! use dxf2_model::ImporterProfile;
//! let exporter = Exporter::new(&md, &access).with_profile(ImporterProfile::Pipeline);
//! let mut out = Keep::default();
//! exporter.export(&params, &mut resolver, &mut store, &mut out).unwrap();
//! assert_eq!(out.0.period.as_deref(), Some("202401"));
//! assert_eq!(out.0.attribute_option_combo.as_deref(), Some("HllvX50cXC0")); // shared by all
//! assert_eq!(out.0.complete_date, None);
//! assert_eq!((out.1[0].period(), out.1[0].attribute_option_combo()), (None, None));
//! // … and the first failing check.
//! let err = exporter.export(&ExportParams::default(), &mut resolver, &mut store, &mut out).unwrap_err();
//! assert_eq!(err.to_string(), "E2001: At least one data element, data set or data element group must be specified");
//! ```

mod checks;
mod params;
mod pipeline;
mod query;
mod resolve;
mod write;

use chrono::{DateTime, Utc};
use dxf2_model::{DataValueSink, IdScheme, ImporterProfile, Metadata, Period, Uid};
use idscheme_resolver::{ResolveError, Resolver};
use rustc_hash::FxHashSet;
use thiserror::Error;

use crate::access::AccessPolicy;
use crate::conflicts::{format_message, ErrorCode};
use crate::store::{DataValueStore, StoreError, ValueQuery};

pub use self::params::{parse_duration, CheckOrder, ExportParams, InputIdSchemes};
pub use self::write::write_timestamp;

use self::checks::validate;
use self::params::OutputSchemes;

/// What an export wrote.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ExportSummary {
    /// Values written.
    pub values: u64,
    /// Values left out because their attribute option combo is not data-readable by the user.
    pub skipped: u64,
    /// Whether a set header was written: classic `dataSet`, `completeDate`, `period`, `orgUnit`
    /// (one data set, period and org unit requested); 2.43+ any of `dataSet`, `period`,
    /// `orgUnit`, `attributeOptionCombo`.
    pub header: bool,
}

/// Why an export failed. Nothing is written when the request is refused (every variant but
/// [`ExportError::Store`] and [`ExportError::Write`] happens before the first byte).
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum ExportError {
    /// DHIS2 refuses the request ("illegal query", HTTP 409): `E2000`–`E2012`; with the 2.43+
    /// profile also `E8200`–`E8204` (an object to be written lacks its identifier under the
    /// output scheme), found before anything is written.
    #[error("{}: {message}", code.code)]
    IllegalQuery {
        /// The code and template.
        code: ErrorCode,
        /// The formatted message, exactly as DHIS2 words it.
        message: String,
    },
    /// An identifier of the request cannot be looked up under its input scheme in a way that
    /// fails the request (a non-numeric `ID`, `UUID`, an unknown `ATTRIBUTE:<uid>`).
    #[error("parameter `{parameter}`: {source}")]
    Resolve {
        /// The request parameter (`dataSet`, `orgUnit`, …).
        parameter: &'static str,
        /// The resolver's reason.
        source: ResolveError,
    },
    /// An output id scheme DHIS2 cannot export with: `ID` and `UUID` for the classic export (its
    /// SQL references columns that do not exist, and the request fails), `UUID` for 2.43+.
    #[error("output id scheme `{scheme}` for {target} is not supported: use UID, CODE, NAME or ATTRIBUTE:<uid>")]
    UnsupportedOutputScheme {
        /// The request parameter (`dataElementIdScheme`, …).
        target: &'static str,
        /// The scheme.
        scheme: IdScheme,
    },
    /// The requested data sets and data element groups hold no data element (DHIS2's export SQL
    /// builder fails such a request with an internal error).
    #[error(
        "the requested data sets, data elements and data element groups contain no data element"
    )]
    NoDataElements,
    /// The store failed while values were read.
    #[error("reading the store after {values_written} values: {source}")]
    Store {
        /// Values written before the failure.
        values_written: u64,
        /// The store's error.
        source: StoreError,
    },
    /// The sink failed (begin: `values_written` 0).
    #[error("writing the export after {values_written} values: {source}")]
    Write {
        /// Values written before the failure.
        values_written: u64,
        /// The sink's error.
        source: Box<dyn std::error::Error + Send + Sync>,
    },
}

impl ExportError {
    /// DHIS2's error code, for refused requests.
    pub fn error_code(&self) -> Option<ErrorCode> {
        match self {
            ExportError::IllegalQuery { code, .. } => Some(*code),
            _ => None,
        }
    }

    pub(crate) fn illegal(code: ErrorCode, args: &[Option<&str>]) -> ExportError {
        ExportError::IllegalQuery {
            code,
            message: format_message(code.template, args),
        }
    }
}

/// The single data value set of the header rule: one data set, one period, one org unit.
#[derive(Clone, Debug)]
pub(crate) struct SingleSet {
    data_set: Uid,
    period: Period,
    org_unit: Uid,
}

/// A checked export request, ready to run against a store ([`Exporter::plan`]).
///
/// Planning happens before any output exists, so a caller can refuse a request without creating
/// a file.
#[derive(Clone, Debug)]
pub struct ExportPlan {
    pub(crate) query: ValueQuery,
    pub(crate) form: Form,
    pub(crate) schemes: OutputSchemes,
    /// Attribute option combos the (non-super) user cannot read.
    pub(crate) hidden_aocs: FxHashSet<Uid>,
    /// The limit, applied by the exporter when rows are filtered after the store.
    pub(crate) limit: Option<u64>,
}

/// What the header and the values look like: the rules of one DHIS2 generation.
#[derive(Clone, Debug)]
pub(crate) enum Form {
    /// 2.36–2.42: the single-set header, when one data set, period and org unit were requested.
    Classic(Option<SingleSet>),
    /// 2.43+: the group of the request.
    Pipeline(pipeline::Group),
}

impl ExportPlan {
    /// The store query the export runs.
    pub fn query(&self) -> &ValueQuery {
        &self.query
    }

    /// Which DHIS2 generation's export this plan writes.
    pub fn profile(&self) -> ImporterProfile {
        match self.form {
            Form::Classic(_) => ImporterProfile::Classic,
            Form::Pipeline(_) => ImporterProfile::Pipeline,
        }
    }

    /// Whether the request alone puts a set header in the output: classic, one data set, one
    /// period, one org unit and no data element group; 2.43+, one data set, one period, one
    /// attribute option combo, or one org unit without children or groups (a 2.43+ export also
    /// writes an org unit or attribute option combo that every exported value shares).
    pub fn has_header(&self) -> bool {
        match &self.form {
            Form::Classic(single) => single.is_some(),
            Form::Pipeline(group) => group.set_by_request(),
        }
    }
}

/// Exports stored data values as DHIS2 does (2.36–2.42 by default, or 2.43+), for one acting
/// user.
pub struct Exporter<'m> {
    pub(crate) metadata: &'m Metadata,
    pub(crate) access: &'m dyn AccessPolicy,
    now: DateTime<Utc>,
    order: CheckOrder,
    profile: ImporterProfile,
}

impl<'m> Exporter<'m> {
    /// An exporter over `metadata` acting as `access`, at the current time, with the service's
    /// check order.
    pub fn new(metadata: &'m Metadata, access: &'m dyn AccessPolicy) -> Exporter<'m> {
        Exporter {
            metadata,
            access,
            now: Utc::now(),
            order: CheckOrder::default(),
            profile: ImporterProfile::Classic,
        }
    }

    /// Exports as this DHIS2 generation does: [`ImporterProfile::Classic`] (2.36–2.42, the
    /// default) or [`ImporterProfile::Pipeline`] (2.43+).
    pub fn with_profile(mut self, profile: ImporterProfile) -> Self {
        self.profile = profile;
        self
    }

    /// Pretends the export runs at `now` (`lastUpdatedDuration` counts back from it).
    pub fn with_now(mut self, now: DateTime<Utc>) -> Self {
        self.now = now;
        self
    }

    /// Runs DHIS2's two groups of checks in this order (classic only: 2.43+ checks the parameters
    /// first).
    pub fn with_check_order(mut self, order: CheckOrder) -> Self {
        self.order = order;
        self
    }

    /// Resolves and checks a request, and builds its store query. Nothing is read or written.
    pub fn plan(
        &self,
        params: &ExportParams,
        resolver: &dyn Resolver,
    ) -> Result<ExportPlan, ExportError> {
        if self.profile == ImporterProfile::Pipeline {
            return pipeline::plan(self, params, resolver);
        }
        let r = self.resolve(params, resolver, ImporterProfile::Classic)?;
        match self.order {
            CheckOrder::Service => {
                self.decide_access(&r)?;
                validate(params, &r)?;
            }
            CheckOrder::WebApi => {
                validate(params, &r)?;
                self.decide_access(&r)?;
            }
        }
        let schemes = OutputSchemes::new(&params.output_id_schemes)?;
        let mut plan = self.build_plan(params, &r, schemes)?;
        let single = match (
            r.data_sets.as_slice(),
            r.periods.as_slice(),
            r.org_units.as_slice(),
        ) {
            ([data_set], [period], [org_unit]) if r.data_element_groups.is_empty() => {
                Some(SingleSet {
                    data_set: *data_set,
                    period: *period,
                    org_unit: *org_unit,
                })
            }
            _ => None,
        };
        plan.form = Form::Classic(single);
        Ok(plan)
    }

    /// Exports: [`plan`](Exporter::plan), then [`write`](Exporter::write).
    pub fn export<S: DataValueSink>(
        &self,
        params: &ExportParams,
        resolver: &mut dyn Resolver,
        store: &mut dyn DataValueStore,
        sink: &mut S,
    ) -> Result<ExportSummary, ExportError> {
        let plan = self.plan(params, resolver)?;
        self.write(&plan, resolver, store, sink)
    }

    /// Streams the values of a plan from `store` to `sink`: `begin` (with the header), one
    /// `write_value` per row in the query's order, `finish`.
    ///
    /// Classic: the header of the single-set case. 2.43+ ([`ImporterProfile::Pipeline`]): the
    /// group header; when it depends on the values (a shared org unit or attribute option combo)
    /// or an output scheme is not UID, a first pass over the same query compares keys and checks
    /// identifiers (`E8200`–`E8204`) before anything is written, in constant memory.
    pub fn write<S: DataValueSink>(
        &self,
        plan: &ExportPlan,
        resolver: &dyn Resolver,
        store: &mut dyn DataValueStore,
        sink: &mut S,
    ) -> Result<ExportSummary, ExportError> {
        match &plan.form {
            Form::Classic(single) => {
                self.write_classic(plan, single.as_ref(), resolver, store, sink)
            }
            Form::Pipeline(group) => pipeline::write(plan, group, resolver, store, sink),
        }
    }
}
