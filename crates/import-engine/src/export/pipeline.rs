//! The export of DHIS2 2.43+ (`DataExportParams`, `DefaultDataExportService`, `DataExportOutput`),
//! selected with [`Exporter::with_profile`]`(ImporterProfile::Pipeline)`: every request, check,
//! header and output rule in which 2.43+ differs from the classic export lives here. Resolution
//! of the request, the store query and the filtering of unreadable attribute option combos are
//! shared with the classic export (the parent module).
//!
//! # How a 2.43+ export runs
//!
//! 1. **Decoding**: the request's identifiers are resolved as in the classic export, periods with
//!    the 2.43 parser; with `inputUseCodeFallback` and no input scheme, identifiers that are not
//!    UID-shaped are also looked up by code. An invalid `lastUpdatedDuration` fails here with
//!    `E2005` (its text in the message).
//! 2. **Checks**, the **first** failing one reported: `E2001` no data element, data set or data
//!    element group; `E2002` no period, start/end pair, `lastUpdated` or `lastUpdatedDuration`;
//!    `E2006` no org unit and no org unit group (also with `children`: `E2008` no longer
//!    exists); `E2003` periods and start/end; `E2004` start after end; `E2007` children with org
//!    unit groups; `E2009` negative limit. Then access, unless superuser: `E2010`, `E2011`,
//!    `E2012`, each listing every offending UID (``… data set(s): `[a, b]` ``).
//! 3. **Group**: the header carries the data set, the period, the attribute option combo when
//!    exactly one was requested, and the org unit when exactly one was requested without
//!    children or org unit groups; otherwise the org unit / attribute option combo that every
//!    exported value shares, if any. Id scheme keys (`dataSetIdScheme`, `dataElementIdScheme`,
//!    `orgUnitIdScheme`, `categoryOptionComboIdScheme`, `attributeOptionComboIdScheme`,
//!    `categoryIdScheme`, `categoryOptionIdScheme`) are set for output schemes that are not UID
//!    (`CODE`, `NAME`, `ATTRIBUTE:<uid>`). There is no `completeDate`.
//! 4. **Encoding** before anything is written: the header data set must have an identifier under
//!    the data set scheme (`E8200`), and every data element, org unit, category option combo and
//!    attribute option combo of the exported values under its scheme (`E8201`, `E8202`,
//!    `E8203`, the missing UIDs listed in order of first appearance); `{0}` is DHIS2's
//!    `IdProperty.Name` (`CODE`, `NAME`, `ATTR`). A header org unit or attribute option combo
//!    without an identifier (possible only when no value has it) is left out, as DHIS2 does.
//! 5. **Values**, in the order period start, period end, `created`, data element: a value is
//!    written without `period`, `orgUnit`, `attributeOptionCombo` equal to the header's; empty
//!    `storedBy`/`comment` are absent; `followup` is always known; `deleted` is `true`/`false`
//!    (the 2.43 writers write it only when true, CSV writes `false`).
//!
//! # Two passes, constant memory
//!
//! The XML and JSON header comes before the values, but a shared org unit or attribute option
//! combo and a missing identifier are only known after every value was seen. Instead of keeping
//! the values, `write` runs the store query twice: a first pass compares keys and looks up
//! identifiers (memory: the distinct UIDs that lack an identifier), the second writes. The first
//! pass is skipped when the request fixes the header's org unit and attribute option combo and
//! every value column is written as UID. If the store changes between the passes, values are
//! still written correctly (a field is only left out when it equals the header's), and an
//! identifier found missing in the second pass stops the export with its `E820x` error.

use std::fmt::Write as _;

use dxf2_model::{
    DataValue, DataValueSetHeader, DataValueSink, Field, IdScheme, IdSchemes, ImporterProfile,
    ObjectKind, Period, SchemeTarget, Uid,
};
use idscheme_resolver::Resolver;

use super::params::OutputSchemes;
use super::query::for_each_row;
use super::resolve::{push_unique, Resolved};
use super::write::{begin, output_id, write_rows};
use super::{
    parse_duration, write_timestamp, ExportError, ExportParams, ExportPlan, ExportSummary,
    Exporter, Form,
};
use crate::codes;
use crate::conflicts::{group_thousands, java_list, ErrorCode};
use crate::schemes::object_kind;
use crate::store::{DataValueStore, StoredValue, ValueOrder};

/// `E2010` as 2.43+ words it (every unreadable data set listed).
const E2010: ErrorCode = ErrorCode {
    code: "E2010",
    template: "User is not allowed to read data for data set(s): `{0}`",
};
/// `E2011` as 2.43+ words it.
const E2011: ErrorCode = ErrorCode {
    code: "E2011",
    template: "User is not allowed to read data for attribute option combo(s): `{0}`",
};
/// `E2012` as 2.43+ words it.
const E2012: ErrorCode = ErrorCode {
    code: "E2012",
    template: "User is not allowed to view org unit(s): `{0}`",
};

/// What the request alone puts in the group header, and the header's id scheme keys.
#[derive(Clone, Debug, Default)]
pub(crate) struct Group {
    data_set: Option<Uid>,
    period: Option<Period>,
    org_unit: Option<Uid>,
    attribute_option_combo: Option<Uid>,
    /// The header's `…IdScheme` keys, in DHIS2's order, for schemes that are not UID.
    schemes: Vec<(SchemeTarget, String)>,
}

impl Group {
    fn of(params: &ExportParams, r: &Resolved) -> Group {
        fn unique<T: Copy>(items: &[T]) -> Option<T> {
            match items {
                [one] => Some(*one),
                _ => None,
            }
        }
        let exact_units = !params.children && r.org_unit_groups.is_empty();
        Group {
            data_set: unique(&r.data_sets),
            period: unique(&r.periods),
            org_unit: unique(&r.org_units).filter(|_| exact_units),
            attribute_option_combo: unique(&r.attribute_option_combos),
            schemes: header_schemes(&params.output_id_schemes),
        }
    }

    /// Whether the request alone puts something in the header.
    pub(crate) fn set_by_request(&self) -> bool {
        self.data_set.is_some()
            || self.period.is_some()
            || self.org_unit.is_some()
            || self.attribute_option_combo.is_some()
    }
}

/// The header's id scheme keys in DHIS2's order (`DataExportOutput`): only schemes that are not
/// UID (`ID` is UID in 2.43+), written as DHIS2's `IdProperty.toString` (`CODE`, `NAME`,
/// `ATTRIBUTE:<uid>`).
fn header_schemes(schemes: &IdSchemes) -> Vec<(SchemeTarget, String)> {
    [
        SchemeTarget::DataSet,
        SchemeTarget::DataElement,
        SchemeTarget::OrgUnit,
        SchemeTarget::CategoryOptionCombo,
        SchemeTarget::AttributeOptionCombo,
        SchemeTarget::Category,
        SchemeTarget::CategoryOption,
    ]
    .into_iter()
    .filter_map(|target| match schemes.effective(target) {
        IdScheme::Uid | IdScheme::Id => None,
        other => Some((target, other.to_string())),
    })
    .collect()
}

/// Resolves and checks a request the 2.43+ way and builds its plan.
pub(crate) fn plan(
    exporter: &Exporter<'_>,
    params: &ExportParams,
    resolver: &dyn Resolver,
) -> Result<ExportPlan, ExportError> {
    let r = exporter.resolve(params, resolver, ImporterProfile::Pipeline)?;
    if let Some(duration) = &params.last_updated_duration {
        if parse_duration(duration).is_none() {
            return Err(ExportError::illegal(codes::E2005, &[Some(duration)]));
        }
    }
    validate(params, &r)?;
    decide_access(exporter, &r)?;
    let schemes = OutputSchemes::with(&params.output_id_schemes, true)?;
    for target in [SchemeTarget::Category, SchemeTarget::CategoryOption] {
        let scheme = params.output_id_schemes.effective(target);
        if *scheme == IdScheme::Uuid {
            let specific = params.output_id_schemes.specific(target).is_some();
            return Err(ExportError::UnsupportedOutputScheme {
                target: if specific {
                    target.parameter_name()
                } else {
                    "idScheme"
                },
                scheme: scheme.clone(),
            });
        }
    }
    let mut plan = exporter.build_plan(params, &r, schemes)?;
    plan.query.order = ValueOrder::Created;
    plan.form = Form::Pipeline(Group::of(params, &r));
    Ok(plan)
}

/// `validateFilters` of 2.43+: the first failing check is reported.
fn validate(params: &ExportParams, r: &Resolved) -> Result<(), ExportError> {
    let has_start_end = params.start_date.is_some() && params.end_date.is_some();
    let has_periods = !r.periods.is_empty();
    let has_groups = !r.org_unit_groups.is_empty();
    let fail = |code| Err(ExportError::illegal(code, &[]));
    if r.data_elements.is_empty() && r.data_sets.is_empty() && r.data_element_groups.is_empty() {
        return fail(codes::E2001);
    }
    if !has_periods
        && !has_start_end
        && params.last_updated.is_none()
        && params.last_updated_duration.is_none()
    {
        return fail(codes::E2002);
    }
    if r.org_units.is_empty() && !has_groups {
        return fail(codes::E2006);
    }
    if has_periods && has_start_end {
        return fail(codes::E2003);
    }
    if let (Some(start), Some(end)) = (params.start_date, params.end_date) {
        if start > end {
            return fail(codes::E2004);
        }
    }
    if params.children && has_groups {
        return fail(codes::E2007);
    }
    if let Some(limit) = params.limit.filter(|l| *l < 0) {
        let text = group_thousands(limit);
        return Err(ExportError::illegal(codes::E2009, &[Some(&text)]));
    }
    Ok(())
}

/// Access of 2.43+: superusers pass; otherwise every requested data set must be data-readable
/// (`E2010`), every requested attribute option combo (`E2011`), every requested org unit in the
/// user's data view hierarchy (`E2012`); the first kind that fails is reported with all its
/// offending UIDs.
fn decide_access(exporter: &Exporter<'_>, r: &Resolved) -> Result<(), ExportError> {
    let access = exporter.access;
    if access.is_superuser() {
        return Ok(());
    }
    let md = exporter.metadata;
    let data_sets: Vec<&str> = r
        .data_sets
        .iter()
        .filter(|uid| {
            md.data_set(uid)
                .is_some_and(|ds| !access.can_read_data_set(ds))
        })
        .map(Uid::as_str)
        .collect();
    if !data_sets.is_empty() {
        return Err(ExportError::illegal(E2010, &[Some(&java_list(&data_sets))]));
    }
    let combos: Vec<&str> = r
        .attribute_option_combos
        .iter()
        .filter(|uid| !exporter.can_read_option_combo(uid))
        .map(Uid::as_str)
        .collect();
    if !combos.is_empty() {
        return Err(ExportError::illegal(E2011, &[Some(&java_list(&combos))]));
    }
    let units: Vec<&str> = r
        .org_units
        .iter()
        .filter(|uid| {
            md.org_unit(uid)
                .is_some_and(|ou| !access.in_view_hierarchy(ou))
        })
        .map(Uid::as_str)
        .collect();
    if !units.is_empty() {
        return Err(ExportError::illegal(E2012, &[Some(&java_list(&units))]));
    }
    Ok(())
}

/// DHIS2's `IdProperty.Name` of an output scheme, the `{0}` of `E8200`–`E8203`.
fn property_name(scheme: &IdScheme) -> &'static str {
    match scheme {
        IdScheme::Uid | IdScheme::Id => "UID",
        IdScheme::Code => "CODE",
        IdScheme::Name => "NAME",
        IdScheme::Attribute(_) => "ATTR",
        IdScheme::Uuid => "UUID",
    }
}

/// The value columns that carry identifiers, with their kind and `E820x` code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Column {
    DataElement,
    OrgUnit,
    CategoryOptionCombo,
    AttributeOptionCombo,
}

impl Column {
    const ALL: [Column; 4] = [
        Column::DataElement,
        Column::OrgUnit,
        Column::CategoryOptionCombo,
        Column::AttributeOptionCombo,
    ];

    /// The id scheme target of the column.
    fn target(self) -> SchemeTarget {
        match self {
            Column::DataElement => SchemeTarget::DataElement,
            Column::OrgUnit => SchemeTarget::OrgUnit,
            Column::CategoryOptionCombo => SchemeTarget::CategoryOptionCombo,
            Column::AttributeOptionCombo => SchemeTarget::AttributeOptionCombo,
        }
    }

    fn kind(self) -> ObjectKind {
        object_kind(self.target())
    }

    fn field(self) -> Field {
        match self {
            Column::DataElement => Field::DataElement,
            Column::OrgUnit => Field::OrgUnit,
            Column::CategoryOptionCombo => Field::CategoryOptionCombo,
            Column::AttributeOptionCombo => Field::AttributeOptionCombo,
        }
    }

    fn code(self) -> ErrorCode {
        match self {
            Column::DataElement => codes::E8201,
            Column::OrgUnit => codes::E8202,
            Column::CategoryOptionCombo | Column::AttributeOptionCombo => codes::E8203,
        }
    }

    fn scheme(self, schemes: &OutputSchemes) -> &IdScheme {
        match self {
            Column::DataElement => &schemes.data_element,
            Column::OrgUnit => &schemes.org_unit,
            Column::CategoryOptionCombo => &schemes.category_option_combo,
            Column::AttributeOptionCombo => &schemes.attribute_option_combo,
        }
    }

    fn uid(self, row: &StoredValue) -> &Uid {
        match self {
            Column::DataElement => &row.key.data_element,
            Column::OrgUnit => &row.key.org_unit,
            Column::CategoryOptionCombo => &row.key.category_option_combo,
            Column::AttributeOptionCombo => &row.key.attribute_option_combo,
        }
    }

    fn slot(self) -> usize {
        match self {
            Column::DataElement => 0,
            Column::OrgUnit => 1,
            Column::CategoryOptionCombo => 2,
            Column::AttributeOptionCombo => 3,
        }
    }
}

/// `E8201`–`E8203`: objects of a column without an identifier under its scheme.
fn missing(column: Column, schemes: &OutputSchemes, uids: &[Uid]) -> ExportError {
    let list = java_list(&uids.iter().map(Uid::as_str).collect::<Vec<_>>());
    ExportError::illegal(
        column.code(),
        &[Some(property_name(column.scheme(schemes))), Some(&list)],
    )
}

/// Whether every value seen so far had the same org unit (or attribute option combo).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
enum Shared {
    /// No value yet.
    #[default]
    Nothing,
    /// Every value had this one.
    One(Uid),
    /// At least two differ.
    Several,
}

impl Shared {
    fn see(&mut self, uid: &Uid) {
        *self = match *self {
            Shared::Nothing => Shared::One(*uid),
            Shared::One(one) if one == *uid => Shared::One(one),
            _ => Shared::Several,
        };
    }

    fn one(self) -> Option<Uid> {
        match self {
            Shared::One(uid) => Some(uid),
            Shared::Nothing | Shared::Several => None,
        }
    }
}

/// What the first pass learns: shared org unit and attribute option combo, and the UIDs of each
/// column that have no identifier (distinct, in order of first appearance).
#[derive(Debug, Default)]
struct Scan {
    org_unit: Shared,
    attribute_option_combo: Shared,
    missing: [Vec<Uid>; 4],
}

/// The first pass over the plan's rows (see the module docs).
fn scan(
    plan: &ExportPlan,
    resolver: &dyn Resolver,
    store: &mut dyn DataValueStore,
) -> Result<Scan, ExportError> {
    let mut scan = Scan::default();
    let checked: Vec<Column> = Column::ALL
        .into_iter()
        .filter(|c| *c.scheme(&plan.schemes) != IdScheme::Uid)
        .collect();
    let mut skipped = 0;
    for_each_row(plan, store, &mut skipped, &mut |row: &StoredValue| {
        scan.org_unit.see(&row.key.org_unit);
        scan.attribute_option_combo
            .see(&row.key.attribute_option_combo);
        for column in &checked {
            let uid = column.uid(row);
            if resolver
                .identifier(column.kind(), column.scheme(&plan.schemes), uid)
                .is_none()
            {
                if let Some(list) = scan.missing.get_mut(column.slot()) {
                    push_unique(list, *uid);
                }
            }
        }
        Ok(())
    })
    .map_err(|source| ExportError::Store {
        values_written: 0,
        source,
    })?;
    Ok(scan)
}

/// The header fields a value leaves out when it has the same.
#[derive(Clone, Copy, Debug, Default)]
struct Omitted {
    period: Option<Period>,
    org_unit: Option<Uid>,
    attribute_option_combo: Option<Uid>,
}

/// Writes a planned 2.43+ export (see the module docs).
pub(crate) fn write<S: DataValueSink>(
    plan: &ExportPlan,
    group: &Group,
    resolver: &dyn Resolver,
    store: &mut dyn DataValueStore,
    sink: &mut S,
) -> Result<ExportSummary, ExportError> {
    let schemes = &plan.schemes;
    let data_set = match &group.data_set {
        Some(uid) => Some(
            output_id(resolver, ObjectKind::DataSet, &schemes.data_set, uid).ok_or_else(|| {
                ExportError::illegal(
                    codes::E8200,
                    &[Some(property_name(&schemes.data_set)), Some(uid.as_str())],
                )
            })?,
        ),
        None => None,
    };

    let all_uid = Column::ALL
        .iter()
        .all(|c| *c.scheme(schemes) == IdScheme::Uid);
    let scanned = if group.org_unit.is_some() && group.attribute_option_combo.is_some() && all_uid {
        Scan::default()
    } else {
        scan(plan, resolver, store)?
    };
    for column in Column::ALL {
        if let Some(uids) = scanned.missing.get(column.slot()).filter(|l| !l.is_empty()) {
            return Err(missing(column, schemes, uids));
        }
    }

    let mut omitted = Omitted {
        period: group.period,
        ..Omitted::default()
    };
    let mut header = DataValueSetHeader {
        data_set: data_set.map(str::to_owned),
        period: group.period.map(|p| p.to_string()),
        ..DataValueSetHeader::default()
    };
    if let Some(uid) = group.org_unit.or(scanned.org_unit.one()) {
        header.org_unit = output_id(
            resolver,
            ObjectKind::OrganisationUnit,
            &schemes.org_unit,
            &uid,
        )
        .map(str::to_owned);
        omitted.org_unit = header.org_unit.as_ref().map(|_| uid);
    }
    let aoc = group
        .attribute_option_combo
        .or(scanned.attribute_option_combo.one());
    if let Some(uid) = aoc {
        header.attribute_option_combo = output_id(
            resolver,
            ObjectKind::CategoryOptionCombo,
            &schemes.attribute_option_combo,
            &uid,
        )
        .map(str::to_owned);
        omitted.attribute_option_combo = header.attribute_option_combo.as_ref().map(|_| uid);
    }
    for (target, text) in &group.schemes {
        let slot = match target {
            SchemeTarget::DataSet => &mut header.data_set_id_scheme,
            SchemeTarget::DataElement => &mut header.data_element_id_scheme,
            SchemeTarget::OrgUnit => &mut header.org_unit_id_scheme,
            SchemeTarget::CategoryOptionCombo => &mut header.category_option_combo_id_scheme,
            SchemeTarget::AttributeOptionCombo => &mut header.attribute_option_combo_id_scheme,
            SchemeTarget::Category => &mut header.category_id_scheme,
            SchemeTarget::CategoryOption => &mut header.category_option_id_scheme,
        };
        *slot = Some(text.clone());
    }

    let summary = ExportSummary {
        header: header.data_set.is_some()
            || header.period.is_some()
            || header.org_unit.is_some()
            || header.attribute_option_combo.is_some(),
        ..ExportSummary::default()
    };
    begin(sink, &header)?;
    // An identifier found missing now (the store changed since the first pass) stops the export.
    write_rows(plan, store, sink, summary, |record, row| {
        fill_record(record, row, schemes, resolver, &omitted)
            .map_err(|column| missing(column, schemes, &[*column.uid(row)]))
    })
}

/// Fills the reusable record with one stored row as 2.43+ encodes it; the column whose object
/// lacks an identifier otherwise.
fn fill_record(
    record: &mut DataValue,
    row: &StoredValue,
    schemes: &OutputSchemes,
    resolver: &dyn Resolver,
    omitted: &Omitted,
) -> Result<(), Column> {
    let key = &row.key;
    record.clear();
    for column in Column::ALL {
        let uid = column.uid(row);
        let left_out = match column {
            Column::OrgUnit => omitted.org_unit == Some(*uid),
            Column::AttributeOptionCombo => omitted.attribute_option_combo == Some(*uid),
            Column::DataElement | Column::CategoryOptionCombo => false,
        };
        if left_out {
            continue;
        }
        let id = output_id(resolver, column.kind(), column.scheme(schemes), uid).ok_or(column)?;
        record.set(column.field(), id);
    }
    if omitted.period != Some(key.period) {
        let _ = record.set_with(Field::Period, |buf| write!(buf, "{}", key.period));
    }
    if let Some(value) = &row.value {
        record.set(Field::Value, value);
    }
    if let Some(stored_by) = row.stored_by.as_deref().filter(|s| !s.is_empty()) {
        record.set(Field::StoredBy, stored_by);
    }
    let _ = record.set_with(Field::Created, |buf| write_timestamp(buf, &row.created));
    let _ = record.set_with(Field::LastUpdated, |buf| {
        write_timestamp(buf, &row.last_updated)
    });
    if let Some(comment) = row.comment.as_deref().filter(|s| !s.is_empty()) {
        record.set(Field::Comment, comment);
    }
    record.set_followup(Some(row.followup));
    record.set_deleted(Some(row.deleted));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_are_written_as_java_does() {
        assert_eq!(java_list::<&str>(&[]), "[]");
        assert_eq!(java_list(&["a"]), "[a]");
        assert_eq!(java_list(&["a", "b"]), "[a, b]");
    }

    #[test]
    fn property_names_are_dhis2s() {
        assert_eq!(property_name(&IdScheme::Code), "CODE");
        assert_eq!(property_name(&IdScheme::Name), "NAME");
        assert_eq!(
            property_name(&IdScheme::Attribute("atabcdefghA".into())),
            "ATTR"
        );
    }

    #[test]
    fn header_schemes_in_dhis2s_order_only_when_not_uid() {
        let schemes = IdSchemes {
            id_scheme: Some(IdScheme::Code),
            org_unit: Some(IdScheme::Uid),
            data_set: Some(IdScheme::Id),
            category_option: Some(IdScheme::Attribute("atabcdefghA".into())),
            ..IdSchemes::default()
        };
        let keys: Vec<(&str, String)> = header_schemes(&schemes)
            .into_iter()
            .map(|(t, s)| (t.parameter_name(), s))
            .collect();
        assert_eq!(
            keys,
            [
                ("dataElementIdScheme", "CODE".to_owned()),
                ("categoryOptionComboIdScheme", "CODE".to_owned()),
                ("attributeOptionComboIdScheme", "CODE".to_owned()),
                ("categoryIdScheme", "CODE".to_owned()),
                ("categoryOptionIdScheme", "ATTRIBUTE:atabcdefghA".to_owned()),
            ]
        );
        assert!(header_schemes(&IdSchemes::default()).is_empty());
    }

    #[test]
    fn shared_tracks_one_or_several() {
        let a = Uid::parse("ouabcdefghA").unwrap();
        let b = Uid::parse("ouabcdefghB").unwrap();
        let mut s = Shared::default();
        assert_eq!(s.one(), None);
        s.see(&a);
        s.see(&a);
        assert_eq!(s.one(), Some(a));
        s.see(&b);
        s.see(&a);
        assert_eq!(s.one(), None);
    }
}
