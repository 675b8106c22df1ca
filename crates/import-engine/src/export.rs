//! The export (`GET /api/dataValueSets`): request parameters, DHIS2's checks with their error
//! codes, and the streaming of stored values to any [`DataValueSink`].
//!
//! Two DHIS2 generations are implemented, chosen with [`Exporter::with_profile`]: the classic
//! export of DHIS2 2.36–2.42 (the default, described below) and the export of DHIS2 2.43+
//! ([`ImporterProfile::Pipeline`]), whose rules that differ live in the sibling module
//! `export_pipeline` (first failing check wins, ids listed in `E2010`–`E2012`, the group header
//! of common data set / period / org unit / attribute option combo, values without the header's
//! fields, the order period start, period end, created, data element, and `E8200`–`E8204` before
//! anything is written). The writers of the codec crates have a matching 2.43 mode.
//!
//! The classic flow follows DHIS2 (datavalueset-spec §6):
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
//!    group (§6.4); `completeDate` comes from the completion registration of the default
//!    attribute option combo.
//!
//! One [`DataValue`] is reused for every row: nothing is allocated per value.
//!
//! ```
//! use dxf2_model::metadata::{DataElement, DataSet, DataSetElement, Identity, OrganisationUnit, Sharing};
//! use dxf2_model::{DataValue, DataValueSetHeader, DataValueSink, Metadata, Period, PeriodType, Uid, ValueType};
//! use idscheme_resolver::MetadataResolver;
//! use import_engine::export::{ExportParams, Exporter};
//! use import_engine::store::{DataValueKey, StoredValue};
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

use std::fmt::Write as _;

use chrono::{DateTime, Datelike, NaiveDate, TimeDelta, Timelike, Utc};
use dxf2_model::metadata::Identity;
use dxf2_model::{
    DataValue, DataValueSetHeader, DataValueSink, Field, IdScheme, IdSchemes, ImporterProfile,
    Metadata, ObjectKind, Period, SchemeTarget, Uid,
};
use idscheme_resolver::{ResolveError, Resolver};
use rustc_hash::FxHashSet;
use thiserror::Error;

use crate::access::AccessPolicy;
use crate::codes;
use crate::conflicts::{format_message, ErrorCode};
use crate::export_pipeline;
use crate::store::{DataValueStore, StoreError, StoredValue, ValueOrder, ValueQuery};

/// The input id schemes of an export request (`inputIdScheme`, `inputOrgUnitIdScheme`,
/// `inputDataElementIdScheme`, `inputDataSetIdScheme`, `inputDataElementGroupIdScheme`): how the
/// request names the objects it asks for. A specific scheme wins over the general one, which
/// wins over UID.
///
/// DHIS2 binds these as `IdentifiableProperty` enum names (no `ATTRIBUTE:<uid>` form); any
/// [`IdScheme`] is accepted here, `ATTRIBUTE:<uid>` included.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct InputIdSchemes {
    /// `inputIdScheme`: the general scheme (also used for org unit groups and attribute option
    /// combos).
    pub id_scheme: Option<IdScheme>,
    /// `inputOrgUnitIdScheme`.
    pub org_unit: Option<IdScheme>,
    /// `inputDataElementIdScheme`.
    pub data_element: Option<IdScheme>,
    /// `inputDataSetIdScheme`.
    pub data_set: Option<IdScheme>,
    /// `inputDataElementGroupIdScheme`.
    pub data_element_group: Option<IdScheme>,
}

impl InputIdSchemes {
    /// The scheme used to resolve objects of `kind`: the specific one, else the general one,
    /// else UID.
    pub fn effective(&self, kind: ObjectKind) -> &IdScheme {
        static UID: IdScheme = IdScheme::Uid;
        self.explicit(kind).unwrap_or(&UID)
    }

    /// The scheme the request gives for objects of `kind` (specific, else general), `None` when
    /// UID is only assumed (DHIS2 2.43+'s `inputUseCodeFallback` then also tries codes).
    pub fn explicit(&self, kind: ObjectKind) -> Option<&IdScheme> {
        let specific = match kind {
            ObjectKind::OrganisationUnit => self.org_unit.as_ref(),
            ObjectKind::DataElement => self.data_element.as_ref(),
            ObjectKind::DataSet => self.data_set.as_ref(),
            ObjectKind::DataElementGroup => self.data_element_group.as_ref(),
            _ => None,
        };
        specific.or(self.id_scheme.as_ref())
    }
}

/// An export request: the parameters of `GET /api/dataValueSets` (classic
/// `DataValueSetQueryParams`), with identifiers as the requester wrote them.
///
/// Unlike the URL binding of DHIS2 (which drops `startDate`/`endDate` when periods are given),
/// periods and dates are both kept, so that `E2003` is reported as DHIS2's service does.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ExportParams {
    /// `dataSet`: their data elements are exported.
    pub data_sets: Vec<String>,
    /// `dataElement`.
    pub data_elements: Vec<String>,
    /// `dataElementGroup`: their members are exported *instead of* the data sets' and the
    /// explicit data elements.
    pub data_element_groups: Vec<String>,
    /// `period`: ISO periods; strings that do not parse are dropped.
    pub periods: Vec<String>,
    /// `startDate`: with `endDate`, periods fully inside the range (any period type).
    pub start_date: Option<NaiveDate>,
    /// `endDate`.
    pub end_date: Option<NaiveDate>,
    /// `orgUnit`.
    pub org_units: Vec<String>,
    /// `children`: include the whole subtree of each org unit.
    pub children: bool,
    /// `orgUnitGroup`: values of the groups' members (resolved with `inputIdScheme`).
    pub org_unit_groups: Vec<String>,
    /// `attributeOptionCombo`: only these attribute option combos (resolved with
    /// `inputIdScheme`).
    pub attribute_option_combos: Vec<String>,
    /// `includeDeleted`: soft-deleted values too (written with `deleted` true).
    pub include_deleted: bool,
    /// `lastUpdated`: only values updated at or after this instant.
    pub last_updated: Option<DateTime<Utc>>,
    /// `lastUpdatedDuration` (`^(\d+)(d|h|m|s)$`, e.g. `10d`): only values updated within that
    /// long before now; ignored when `last_updated` is given.
    pub last_updated_duration: Option<String>,
    /// `limit`: at most this many values.
    pub limit: Option<i64>,
    /// The input id schemes.
    pub input_id_schemes: InputIdSchemes,
    /// The output id schemes (`idScheme`, `dataElementIdScheme`, `orgUnitIdScheme`,
    /// `categoryOptionComboIdScheme`, `attributeOptionComboIdScheme`, `dataSetIdScheme`): specific,
    /// else general, else UID. `UID`, `CODE`, `NAME` and `ATTRIBUTE:<uid>` are supported (2.43+
    /// also takes `ID` as UID, and writes `categoryIdScheme`/`categoryOptionIdScheme` in its
    /// header).
    pub output_id_schemes: IdSchemes,
    /// `inputUseCodeFallback` (2.43+ only; the classic export ignores it): when no input scheme is
    /// given for an object type, identifiers that are not UID-shaped are also looked up by code.
    pub input_use_code_fallback: bool,
}

/// Which of DHIS2's two groups of checks runs first in the classic export. Both are DHIS2's: they
/// differ only for a request that breaks a rule of each group. (2.43+ always checks the parameters
/// first, then access.)
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum CheckOrder {
    /// The service (`DataValueSetService.exportDataValueSet*`, what DHIS2's export tests call):
    /// access (`E2010`–`E2012`) first, then the parameter checks (`E2001`–`E2009`).
    #[default]
    Service,
    /// The web API (`GET /api/dataValueSets`): the controller runs the parameter checks before
    /// calling the service, so `E2001`–`E2009` come first, then access.
    WebApi,
}

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

/// The output id schemes, one per column, checked.
#[derive(Clone, Debug)]
pub(crate) struct OutputSchemes {
    pub(crate) data_element: IdScheme,
    pub(crate) org_unit: IdScheme,
    pub(crate) category_option_combo: IdScheme,
    pub(crate) attribute_option_combo: IdScheme,
    pub(crate) data_set: IdScheme,
}

impl OutputSchemes {
    /// The classic export's schemes: `ID` and `UUID` refused.
    fn new(schemes: &IdSchemes) -> Result<OutputSchemes, ExportError> {
        OutputSchemes::with(schemes, false)
    }

    /// The effective schemes of `schemes`: `UID`, `CODE`, `NAME` and `ATTRIBUTE:<uid>`; `ID` is
    /// written as UID when `id_is_uid` (2.43+) and refused otherwise, like `UUID`.
    pub(crate) fn with(schemes: &IdSchemes, id_is_uid: bool) -> Result<OutputSchemes, ExportError> {
        let pick = |target: SchemeTarget| -> Result<IdScheme, ExportError> {
            let scheme = schemes.effective(target);
            match scheme {
                IdScheme::Id if id_is_uid => Ok(IdScheme::Uid),
                IdScheme::Id | IdScheme::Uuid => Err(ExportError::UnsupportedOutputScheme {
                    target: if schemes.specific(target).is_some() {
                        target.parameter_name()
                    } else {
                        "idScheme"
                    },
                    scheme: scheme.clone(),
                }),
                other => Ok(other.clone()),
            }
        };
        Ok(OutputSchemes {
            data_element: pick(SchemeTarget::DataElement)?,
            org_unit: pick(SchemeTarget::OrgUnit)?,
            category_option_combo: pick(SchemeTarget::CategoryOptionCombo)?,
            attribute_option_combo: pick(SchemeTarget::AttributeOptionCombo)?,
            data_set: pick(SchemeTarget::DataSet)?,
        })
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
    Pipeline(export_pipeline::Group),
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
            return export_pipeline::plan(self, params, resolver);
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
        let single = match &plan.form {
            Form::Classic(single) => single,
            Form::Pipeline(group) => {
                return export_pipeline::write(plan, group, resolver, store, sink)
            }
        };
        let mut summary = ExportSummary::default();
        let header = match single {
            Some(single) => {
                summary.header = true;
                self.header(single, &plan.schemes, resolver, store)?
            }
            None => DataValueSetHeader::default(),
        };
        begin(sink, &header)?;

        let mut record = DataValue::new();
        let mut sink_error: Option<S::Error> = None;
        let mut skipped = 0;
        let queried = for_each_row(plan, store, &mut skipped, &mut |row: &StoredValue| {
            fill_record(&mut record, row, &plan.schemes, resolver);
            if let Err(e) = sink.write_value(&record) {
                sink_error = Some(e);
                return Err(StoreError::Misuse("export stopped: the output failed"));
            }
            summary.values = summary.values.saturating_add(1);
            Ok(())
        });
        summary.skipped = skipped;
        finish(sink, sink_error, queried, summary)
    }

    // -----------------------------------------------------------------------------------------
    // Resolution (`getFromUrl`)
    // -----------------------------------------------------------------------------------------

    /// Resolves the request's identifiers; periods are parsed as `profile` parses them, and
    /// with 2.43+'s `inputUseCodeFallback` identifiers without an input scheme that are not
    /// UID-shaped are looked up by code too.
    pub(crate) fn resolve(
        &self,
        params: &ExportParams,
        resolver: &dyn Resolver,
        profile: ImporterProfile,
    ) -> Result<Resolved, ExportError> {
        let schemes = &params.input_id_schemes;
        let general = schemes.id_scheme.as_ref().unwrap_or(&IdScheme::Uid);
        let fallback = profile == ImporterProfile::Pipeline && params.input_use_code_fallback;
        let list = |kind: ObjectKind, scheme: &IdScheme, keys: &[String], parameter| {
            let explicit = match kind {
                ObjectKind::OrganisationUnitGroup | ObjectKind::CategoryOptionCombo => {
                    schemes.id_scheme.is_some()
                }
                _ => schemes.explicit(kind).is_some(),
            };
            let code_fallback = fallback && !explicit;
            self.resolve_list(resolver, kind, scheme, keys, parameter, code_fallback)
        };
        let mut periods = Vec::new();
        for text in &params.periods {
            if let Ok(period) = Period::parse_with(text, profile) {
                if !periods.contains(&period) {
                    periods.push(period);
                }
            }
        }
        Ok(Resolved {
            data_sets: list(
                ObjectKind::DataSet,
                schemes.effective(ObjectKind::DataSet),
                &params.data_sets,
                "dataSet",
            )?,
            data_element_groups: list(
                ObjectKind::DataElementGroup,
                schemes.effective(ObjectKind::DataElementGroup),
                &params.data_element_groups,
                "dataElementGroup",
            )?,
            data_elements: list(
                ObjectKind::DataElement,
                schemes.effective(ObjectKind::DataElement),
                &params.data_elements,
                "dataElement",
            )?,
            periods,
            org_units: list(
                ObjectKind::OrganisationUnit,
                schemes.effective(ObjectKind::OrganisationUnit),
                &params.org_units,
                "orgUnit",
            )?,
            org_unit_groups: list(
                ObjectKind::OrganisationUnitGroup,
                general,
                &params.org_unit_groups,
                "orgUnitGroup",
            )?,
            attribute_option_combos: list(
                ObjectKind::CategoryOptionCombo,
                general,
                &params.attribute_option_combos,
                "attributeOptionCombo",
            )?,
        })
    }

    /// Resolves every key; unknown keys are dropped, duplicates collapse (DHIS2 collects the
    /// objects in a set). A key several objects carry (a shared name) yields all of them, as
    /// DHIS2's `IN` query does.
    ///
    /// With `code_fallback` (2.43+ `inputUseCodeFallback`, UID only assumed) and a key that is
    /// not UID-shaped, the UID-shaped keys are taken as UIDs and every key is also looked up by
    /// code (DHIS2's `decodeIds`).
    fn resolve_list(
        &self,
        resolver: &dyn Resolver,
        kind: ObjectKind,
        scheme: &IdScheme,
        keys: &[String],
        parameter: &'static str,
        code_fallback: bool,
    ) -> Result<Vec<Uid>, ExportError> {
        let mut out = self.resolve_keys(resolver, kind, scheme, keys, parameter)?;
        if code_fallback && keys.iter().any(|k| Uid::parse(k).is_err()) {
            for uid in self.resolve_keys(resolver, kind, &IdScheme::Code, keys, parameter)? {
                push_unique(&mut out, uid);
            }
        }
        Ok(out)
    }

    fn resolve_keys(
        &self,
        resolver: &dyn Resolver,
        kind: ObjectKind,
        scheme: &IdScheme,
        keys: &[String],
        parameter: &'static str,
    ) -> Result<Vec<Uid>, ExportError> {
        let mut out = Vec::new();
        for key in keys {
            match resolver.resolve(kind, scheme, key) {
                Ok(Some(uid)) => push_unique(&mut out, uid),
                Ok(None) => {}
                Err(ResolveError::Ambiguous { .. }) => {
                    for id in self.metadata.identities(kind) {
                        if identifier_of(id, scheme) == Some(key.as_str()) {
                            push_unique(&mut out, id.uid);
                        }
                    }
                }
                Err(source) => return Err(ExportError::Resolve { parameter, source }),
            }
        }
        Ok(out)
    }

    // -----------------------------------------------------------------------------------------
    // Access (`decideAccess`)
    // -----------------------------------------------------------------------------------------

    fn decide_access(&self, r: &Resolved) -> Result<(), ExportError> {
        for uid in &r.data_sets {
            if let Some(ds) = self.metadata.data_set(uid) {
                if !self.access.can_read_data_set(ds) {
                    return Err(ExportError::illegal(codes::E2010, &[Some(uid.as_str())]));
                }
            }
        }
        for uid in &r.attribute_option_combos {
            if !self.can_read_option_combo(uid) {
                return Err(ExportError::illegal(codes::E2011, &[Some(uid.as_str())]));
            }
        }
        for uid in &r.org_units {
            if let Some(ou) = self.metadata.org_unit(uid) {
                if !self.access.in_view_hierarchy(ou) {
                    return Err(ExportError::illegal(codes::E2012, &[Some(uid.as_str())]));
                }
            }
        }
        Ok(())
    }

    /// DHIS2's `canDataRead` on a category option combo: superusers, the default combo and a
    /// combo without options always; otherwise every option must grant data read (an option
    /// missing from the catalogue grants nothing).
    pub(crate) fn can_read_option_combo(&self, uid: &Uid) -> bool {
        if self.access.is_superuser() {
            return true;
        }
        let Some(coc) = self.metadata.category_option_combo(uid) else {
            return true;
        };
        if coc.id.name.as_deref() == Some("default") {
            return true;
        }
        coc.options.iter().all(|o| {
            self.metadata
                .category_option(o)
                .is_some_and(|option| self.access.can_read_category_option(option))
        })
    }

    // -----------------------------------------------------------------------------------------
    // Query (`SpringDataValueSetStore.getDataValueSql`)
    // -----------------------------------------------------------------------------------------

    /// The store query of a resolved request (the form is filled in by the caller).
    pub(crate) fn build_plan(
        &self,
        params: &ExportParams,
        r: &Resolved,
        schemes: OutputSchemes,
    ) -> Result<ExportPlan, ExportError> {
        let md = self.metadata;
        let mut group_members = Vec::new();
        for uid in &r.data_element_groups {
            if let Some(group) = md.data_element_group(uid) {
                for de in &group.data_elements {
                    push_unique(&mut group_members, *de);
                }
            }
        }
        let mut elements = r.data_elements.clone();
        for uid in &r.data_sets {
            if let Some(ds) = md.data_set(uid) {
                for e in &ds.elements {
                    push_unique(&mut elements, e.data_element);
                }
            }
        }
        if elements.is_empty() && group_members.is_empty() {
            return Err(ExportError::NoDataElements);
        }
        let data_elements = if r.data_element_groups.is_empty() {
            elements
        } else {
            group_members
        };

        let org_units = if params.children {
            // Every unit of the subtrees, from the hierarchy (a unit outside the catalogue has
            // no subtree: nothing of it is exported).
            let mut seen = FxHashSet::default();
            let mut units = Vec::new();
            for uid in &r.org_units {
                for ou in md.org_unit_subtree(uid) {
                    if seen.insert(ou.id.uid) {
                        units.push(ou.id.uid);
                    }
                }
            }
            Some(units)
        } else {
            let mut units = r.org_units.clone();
            for uid in &r.org_unit_groups {
                if let Some(group) = md.org_unit_group(uid) {
                    for ou in &group.org_units {
                        push_unique(&mut units, *ou);
                    }
                }
            }
            Some(units)
        };

        let date_range = match (params.start_date, params.end_date) {
            (Some(start), Some(end)) => Some((start, end)),
            _ => None,
        };
        let periods = if date_range.is_some() {
            Vec::new()
        } else {
            r.periods.clone()
        };
        let last_updated_since = match (&params.last_updated, &params.last_updated_duration) {
            (Some(instant), _) => Some(*instant),
            (None, Some(text)) => parse_duration(text).map(|d| {
                self.now
                    .checked_sub_signed(d)
                    .unwrap_or(DateTime::<Utc>::MIN_UTC)
            }),
            (None, None) => None,
        };
        let limit = params.limit.and_then(|l| u64::try_from(l).ok());

        let hidden_aocs = self.hidden_option_combos();
        let query = ValueQuery {
            data_elements,
            periods,
            date_range,
            org_units,
            attribute_option_combos: r.attribute_option_combos.clone(),
            include_deleted: params.include_deleted,
            last_updated_since,
            // With rows left out after the store, the exporter counts the limit itself.
            limit: if hidden_aocs.is_empty() { limit } else { None },
            order: ValueOrder::Key,
        };

        Ok(ExportPlan {
            query,
            form: Form::Classic(None),
            schemes,
            hidden_aocs,
            limit,
        })
    }

    /// For a user who is not a superuser: the option combos with a category option the user
    /// cannot data-read (DHIS2's `getAttributeOptionComboClause`).
    pub(crate) fn hidden_option_combos(&self) -> FxHashSet<Uid> {
        if self.access.is_superuser() {
            return FxHashSet::default();
        }
        self.metadata
            .category_option_combos
            .iter()
            .filter(|coc| {
                coc.options.iter().any(|o| {
                    !self
                        .metadata
                        .category_option(o)
                        .is_some_and(|option| self.access.can_read_category_option(option))
                })
            })
            .map(|coc| coc.id.uid)
            .collect()
    }

    fn header(
        &self,
        single: &SingleSet,
        schemes: &OutputSchemes,
        resolver: &dyn Resolver,
        store: &mut dyn DataValueStore,
    ) -> Result<DataValueSetHeader, ExportError> {
        let complete_date = match self.metadata.default_category_option_combo() {
            Some(default) => store
                .completion(
                    &single.data_set,
                    &single.period,
                    &single.org_unit,
                    &default.id.uid,
                )
                .map_err(|source| ExportError::Store {
                    values_written: 0,
                    source,
                })?
                .map(|c| {
                    let mut text = String::with_capacity(28);
                    let _ = write_date_midnight(&mut text, c.date);
                    text
                }),
            None => None,
        };
        Ok(DataValueSetHeader {
            data_set: output_id(
                resolver,
                ObjectKind::DataSet,
                &schemes.data_set,
                &single.data_set,
            )
            .map(str::to_owned),
            complete_date,
            period: Some(single.period.to_string()),
            org_unit: output_id(
                resolver,
                ObjectKind::OrganisationUnit,
                &schemes.org_unit,
                &single.org_unit,
            )
            .map(str::to_owned),
            ..DataValueSetHeader::default()
        })
    }
}

/// The request's objects, resolved.
#[derive(Debug, Default)]
pub(crate) struct Resolved {
    pub(crate) data_sets: Vec<Uid>,
    pub(crate) data_element_groups: Vec<Uid>,
    pub(crate) data_elements: Vec<Uid>,
    pub(crate) periods: Vec<Period>,
    pub(crate) org_units: Vec<Uid>,
    pub(crate) org_unit_groups: Vec<Uid>,
    pub(crate) attribute_option_combos: Vec<Uid>,
}

/// Calls `each` for every row a plan exports, in the query's order: the store's rows without
/// those of attribute option combos the user cannot read (counted in `skipped`), at most the
/// plan's limit.
pub(crate) fn for_each_row(
    plan: &ExportPlan,
    store: &mut dyn DataValueStore,
    skipped: &mut u64,
    each: &mut dyn FnMut(&StoredValue) -> Result<(), StoreError>,
) -> Result<(), StoreError> {
    let limit = plan.limit.unwrap_or(u64::MAX);
    let filtering = !plan.hidden_aocs.is_empty();
    let mut passed: u64 = 0;
    store.query(&plan.query, &mut |row: &StoredValue| {
        if filtering {
            if plan.hidden_aocs.contains(&row.key.attribute_option_combo) {
                *skipped = skipped.saturating_add(1);
                return Ok(());
            }
            if passed >= limit {
                return Ok(());
            }
        }
        passed = passed.saturating_add(1);
        each(row)
    })
}

/// `sink.begin(header)`, its failure as [`ExportError::Write`].
pub(crate) fn begin<S: DataValueSink>(
    sink: &mut S,
    header: &DataValueSetHeader,
) -> Result<(), ExportError> {
    sink.begin(header).map_err(|e| ExportError::Write {
        values_written: 0,
        source: Box::new(e),
    })
}

/// Ends a write: the sink's failure (which stopped the query), else the store's, else
/// `sink.finish()`.
pub(crate) fn finish<S: DataValueSink>(
    sink: &mut S,
    sink_error: Option<S::Error>,
    queried: Result<(), StoreError>,
    summary: ExportSummary,
) -> Result<ExportSummary, ExportError> {
    if let Some(e) = sink_error {
        return Err(ExportError::Write {
            values_written: summary.values,
            source: Box::new(e),
        });
    }
    queried.map_err(|source| ExportError::Store {
        values_written: summary.values,
        source,
    })?;
    sink.finish().map_err(|e| ExportError::Write {
        values_written: summary.values,
        source: Box::new(e),
    })?;
    Ok(summary)
}

/// DHIS2's `validate`: every check is evaluated and the last failing one is reported.
fn validate(params: &ExportParams, r: &Resolved) -> Result<(), ExportError> {
    let has_start_end = params.start_date.is_some() && params.end_date.is_some();
    let has_periods = !r.periods.is_empty();
    let has_org_units = !r.org_units.is_empty();
    let has_groups = !r.org_unit_groups.is_empty();
    let mut error: Option<ExportError> = None;
    let mut fail = |e: ExportError| error = Some(e);

    if r.data_elements.is_empty() && r.data_sets.is_empty() && r.data_element_groups.is_empty() {
        fail(ExportError::illegal(codes::E2001, &[]));
    }
    if !has_periods
        && !has_start_end
        && params.last_updated.is_none()
        && params.last_updated_duration.is_none()
    {
        fail(ExportError::illegal(codes::E2002, &[]));
    }
    if has_periods && has_start_end {
        fail(ExportError::illegal(codes::E2003, &[]));
    }
    if let (Some(start), Some(end)) = (params.start_date, params.end_date) {
        if start > end {
            fail(ExportError::illegal(codes::E2004, &[]));
        }
    }
    if let Some(duration) = &params.last_updated_duration {
        if parse_duration(duration).is_none() {
            // DHIS2 builds this message without its argument: MessageFormat leaves `{0}` as is.
            fail(ExportError::IllegalQuery {
                code: codes::E2005,
                message: codes::E2005.template.to_owned(),
            });
        }
    }
    if !has_org_units && !has_groups {
        fail(ExportError::illegal(codes::E2006, &[]));
    }
    if params.children && has_groups {
        fail(ExportError::illegal(codes::E2007, &[]));
    }
    if params.children && !has_org_units {
        fail(ExportError::illegal(codes::E2008, &[]));
    }
    if let Some(limit) = params.limit {
        if limit < 0 {
            let text = group_thousands(limit);
            fail(ExportError::illegal(codes::E2009, &[Some(&text)]));
        }
    }
    match error {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

/// `DateUtils.getDuration`: `^(\d+)(d|h|m|s)$` (Java's `$` also matches before one final line
/// terminator). An amount too large for a Java `long` or for the clock is refused too.
pub fn parse_duration(text: &str) -> Option<TimeDelta> {
    let text = ["\r\n", "\n", "\r", "\u{85}", "\u{2028}", "\u{2029}"]
        .iter()
        .find_map(|t| text.strip_suffix(t))
        .unwrap_or(text);
    let unit = text.chars().last()?;
    let digits = text.get(..text.len().checked_sub(unit.len_utf8())?)?;
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let amount: i64 = digits.parse().ok()?;
    let seconds_per_unit: i64 = match unit {
        'd' => 86_400,
        'h' => 3_600,
        'm' => 60,
        's' => 1,
        _ => return None,
    };
    TimeDelta::try_seconds(amount.checked_mul(seconds_per_unit)?)
}

/// A Java `MessageFormat` number: digits grouped by three with `,` (English locale).
pub(crate) fn group_thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    let len = digits.len();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (len - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

pub(crate) fn push_unique(list: &mut Vec<Uid>, uid: Uid) {
    if !list.contains(&uid) {
        list.push(uid);
    }
}

/// The value an object is looked up by under an input scheme (for shared names and codes).
fn identifier_of<'a>(id: &'a Identity, scheme: &IdScheme) -> Option<&'a str> {
    match scheme {
        IdScheme::Uid => Some(id.uid.as_str()),
        IdScheme::Code => id.code.as_deref(),
        IdScheme::Name => id.name.as_deref(),
        IdScheme::Attribute(attribute) => id.attribute_value(attribute),
        IdScheme::Id | IdScheme::Uuid => None,
    }
}

/// An object's identifier under an output scheme (UIDs are written as stored).
pub(crate) fn output_id<'r>(
    resolver: &'r dyn Resolver,
    kind: ObjectKind,
    scheme: &IdScheme,
    uid: &'r Uid,
) -> Option<&'r str> {
    match scheme {
        IdScheme::Uid => Some(uid.as_str()),
        other => resolver.identifier(kind, other, uid),
    }
}

/// Fills the reusable record with one stored row.
fn fill_record(
    record: &mut DataValue,
    row: &StoredValue,
    schemes: &OutputSchemes,
    resolver: &dyn Resolver,
) {
    let key = &row.key;
    record.clear();
    let ids = [
        (
            Field::DataElement,
            ObjectKind::DataElement,
            &schemes.data_element,
            &key.data_element,
        ),
        (
            Field::OrgUnit,
            ObjectKind::OrganisationUnit,
            &schemes.org_unit,
            &key.org_unit,
        ),
        (
            Field::CategoryOptionCombo,
            ObjectKind::CategoryOptionCombo,
            &schemes.category_option_combo,
            &key.category_option_combo,
        ),
        (
            Field::AttributeOptionCombo,
            ObjectKind::CategoryOptionCombo,
            &schemes.attribute_option_combo,
            &key.attribute_option_combo,
        ),
    ];
    for (field, kind, scheme, uid) in ids {
        if let Some(id) = output_id(resolver, kind, scheme, uid) {
            record.set(field, id);
        }
    }
    let _ = record.set_with(Field::Period, |buf| write!(buf, "{}", key.period));
    let texts = [
        (Field::Value, &row.value),
        (Field::StoredBy, &row.stored_by),
        (Field::Comment, &row.comment),
    ];
    for (field, text) in texts {
        if let Some(text) = text {
            record.set(field, text);
        }
    }
    let _ = record.set_with(Field::Created, |buf| write_timestamp(buf, &row.created));
    let _ = record.set_with(Field::LastUpdated, |buf| {
        write_timestamp(buf, &row.last_updated)
    });
    record.set_followup(Some(row.followup));
    record.set_deleted(row.deleted.then_some(true));
}

/// DHIS2's export timestamp (`DateUtils.toLongGmtDate`): `yyyy-MM-dd'T'HH:mm:ss.SSS+0000`, UTC.
pub fn write_timestamp(out: &mut String, t: &DateTime<Utc>) -> std::fmt::Result {
    write!(
        out,
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}+0000",
        t.year(),
        t.month(),
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
        t.timestamp_subsec_millis().min(999)
    )
}

/// A date as DHIS2's export writes a date-only instant (`completeDate`): midnight UTC.
fn write_date_midnight(out: &mut String, d: NaiveDate) -> std::fmt::Result {
    write!(
        out,
        "{:04}-{:02}-{:02}T00:00:00.000+0000",
        d.year(),
        d.month(),
        d.day()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn durations_follow_dhis2s_pattern() {
        assert_eq!(parse_duration("10d"), TimeDelta::try_days(10));
        assert_eq!(parse_duration("12h"), TimeDelta::try_hours(12));
        assert_eq!(parse_duration("5m"), TimeDelta::try_minutes(5));
        assert_eq!(parse_duration("30s"), TimeDelta::try_seconds(30));
        assert_eq!(parse_duration("0s"), TimeDelta::try_seconds(0));
        assert_eq!(parse_duration("10d\n"), TimeDelta::try_days(10));
        for bad in [
            "",
            "d",
            "10",
            "10D",
            "10w",
            "-1d",
            "+1d",
            " 10d",
            "10d ",
            "1.5h",
            "10dd",
            "١d",
            "99999999999999999999d",
            "9223372036854775807d",
        ] {
            assert_eq!(parse_duration(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn numbers_are_grouped_like_message_format() {
        assert_eq!(group_thousands(-2), "-2");
        assert_eq!(group_thousands(-999), "-999");
        assert_eq!(group_thousands(-1000), "-1,000");
        assert_eq!(group_thousands(-1_234_567), "-1,234,567");
        assert_eq!(group_thousands(i64::MIN), "-9,223,372,036,854,775,808");
        assert_eq!(group_thousands(12), "12");
    }

    #[test]
    fn timestamps_are_dhis2s_long_gmt_form() {
        let t = Utc
            .with_ymd_and_hms(2024, 1, 15, 10, 20, 30)
            .single()
            .unwrap()
            + TimeDelta::try_milliseconds(123).unwrap();
        let mut s = String::new();
        write_timestamp(&mut s, &t).unwrap();
        assert_eq!(s, "2024-01-15T10:20:30.123+0000");
        s.clear();
        write_date_midnight(&mut s, NaiveDate::from_ymd_opt(2012, 1, 9).unwrap()).unwrap();
        assert_eq!(s, "2012-01-09T00:00:00.000+0000");
    }

    #[test]
    fn input_schemes_fall_back_to_general_then_uid() {
        let mut s = InputIdSchemes::default();
        assert_eq!(s.effective(ObjectKind::DataSet), &IdScheme::Uid);
        s.id_scheme = Some(IdScheme::Code);
        s.org_unit = Some(IdScheme::Name);
        assert_eq!(s.effective(ObjectKind::DataSet), &IdScheme::Code);
        assert_eq!(s.effective(ObjectKind::OrganisationUnit), &IdScheme::Name);
        assert_eq!(
            s.effective(ObjectKind::OrganisationUnitGroup),
            &IdScheme::Code
        );
    }

    #[test]
    fn id_and_uuid_output_schemes_are_refused() {
        let schemes = IdSchemes {
            data_element: Some(IdScheme::Id),
            ..IdSchemes::default()
        };
        let err = OutputSchemes::new(&schemes).unwrap_err();
        assert!(err.to_string().contains("dataElementIdScheme"), "{err}");
        let schemes = IdSchemes {
            id_scheme: Some(IdScheme::Uuid),
            ..IdSchemes::default()
        };
        let err = OutputSchemes::new(&schemes).unwrap_err();
        assert!(err.to_string().contains("idScheme"), "{err}");
    }
}
