//! The DHIS2 2.43+ "new pipeline" importer (`DataEntryIO` → `DefaultDataEntryService` →
//! `HibernateDataEntryStore`), selected by `ImporterProfile::Pipeline`: every rule of
//! datavalueset-spec §2–5 marked **[NEW]** that concerns the engine lives here (the reading rules
//! of §1.2–1.4 [NEW] live in the codec readers' pipeline mode).
//!
//! # How an import runs
//!
//! 1. **Options** (§2.1, §2.2 [NEW]). The payload's id schemes overwrite the request's, field by
//!    field ([`IdSchemes::pipeline_merge`]); each object type then takes its specific scheme, else
//!    the general one, else UID. Attribute option combos have their own scheme
//!    (`attributeOptionComboIdScheme`). `ID` means UID; `UUID` fails the import. The payload
//!    `dryRun` overwrites the request's. The strategy only matters when it is `DELETE`/`DELETES`
//!    (every value becomes a deletion); a payload strategy is never read. `skipExistingCheck`,
//!    `preheatCache`, `skipAudit` and the `strict…`/`require…` options have no effect: the strict
//!    rules always apply.
//! 2. **Decoding** (§3.7), in DHIS2's order: the group `period`; the data set (`E8005` not found
//!    under a non-UID scheme, `E8004` not a UID); `completeDate` (`E8008`, any `DateUtils` form);
//!    `E8009` when a completion lacks the group-level data set, org unit or period; then per value
//!    period (`E8100`), data element (`E8102`/`E8103`/`E8104`), org unit (`E8105`/`E8107`/`E8106`),
//!    category option combo (`E8108`/`E8109`) and attribute option combo (`E8110`/`E8111`). The
//!    value's own period, org unit and attribute option combo win; the group's are fallbacks. With
//!    the UID scheme an identifier is only checked for its shape, so an unknown but well-formed
//!    UID passes decoding and is caught by group validation (`E8020`, `E8022`, …). Any decoding
//!    error fails the whole import: status `ERROR`, counts 0, one conflict with `indexes` `[-1]`.
//!
//!    **Category options.** A set-level `attributeOptionCombo` given as a category → option map
//!    (JSON) needs the data set (`E8101` with index `*`); the categories of the data set's
//!    category combo, under `categoryIdScheme`, pick the map's options, and the option combo of
//!    that combo whose options (under `categoryOptionIdScheme`) are exactly that set becomes the
//!    group's attribute option combo — no match leaves the group without one (default). A
//!    value without a `categoryOptionCombo` but with category options (the JSON object form, or
//!    a 2.43 CSV file's extra columns) is decoded the same way through the data element's
//!    effective category combo in the data set (`E8101` without a data set, `E8108` with the
//!    map when no option combo matches). A value without an attribute option combo (its own or
//!    the group's) but with an `attributeCombo` (CSV) takes the option combo of that category
//!    combo (a UID; `E8126` when unknown or without option combos) whose options (UIDs) are
//!    exactly its `attributeOptions` (`E8127`); the combo found is then decoded with the AOC
//!    scheme like a written one. Maps and sets appear in messages as Java prints them
//!    (`{sex=F, age=null}`, `[a, b]`), in the order the reader kept.
//!
//!    **Deletion scope** (JSON `deletion`), decoded after the values: org units, periods, then
//!    each element's data element, category option combo and attribute option combo with their
//!    schemes (`E8034` not found, `E8035` not a UID; a bad period fails the import).
//! 3. **Groups**: one group per import, whose data set is the payload's (or, for CSV, the request
//!    option's) or is detected during validation; with the system setting
//!    [`SystemSettings::data_entry_auto_group`](crate::SystemSettings::data_entry_auto_group) a set
//!    without a data set is split into one group per data set (`E8003` when a data element is in
//!    none: a decoding-style failure).
//! 4. **Group validation** (§4.9), first failure wins and rejects the whole group (one conflict
//!    whose `indexes` are all the group's values, status `ERROR`). A deletion scope is validated
//!    first, as if its org unit × period × element combinations were values (data set detection
//!    from its data elements, access, key consistency and timeliness; no duplicate or value
//!    checks), then the values: data set detection
//!    (`E8003`/`E8002`); user access unless superuser (`E8010`, `E8011`, `E8012`); key consistency
//!    (`E8020` element not in the data set, `E8022` org unit not a source, `E8021` period of another
//!    type, `E8023` attribute option combo not of the data set's category combo, `E8024` category
//!    option combo not of the element's category combo, `E8025` org unit outside the attribute
//!    options' org units, `E8031` period outside the org unit's opening/closed dates); timeliness
//!    unless forced by a superuser (`E8030` data input periods, expiry days, future periods;
//!    `E8032` attribute option dates); duplicate keys (`E8128`).
//! 5. **Value validation**, unless every value is flagged deleted: boolean and integer
//!    normalisation ([`ValueType::normalize_pipeline`]); `E8120`/`E8121` empty value, `E8122`
//!    value type, `E8123` option, `E8124` comment option, `E8125` comment over 5,000 characters.
//!    A value error skips only that value (one conflict per value, `indexes` `[i]`); with `atomic`
//!    any value error rejects the group with `E8000` (or the single error of a one-value group).
//! 6. **Deletion** of the live rows the scope selects (soft delete, `DELETE` changelog row; a
//!    dry run counts them), then the **upsert** of the valid values: insert or overwrite,
//!    whatever was stored (no create/update distinction, no "unchanged" case, zero values
//!    stored); `storedBy` is the importing user,
//!    payload `storedBy`/`created`/`lastUpdated` are ignored; a deletion keeps the stored comment
//!    of a live row. Every upsert writes a changelog (audit) row.
//! 7. **Summary** (§5.5): `imported` is always 0; every value written counts as `updated`
//!    (added to `deleted` instead under the DELETE strategy); `deleted` counts the rows the
//!    deletion scope removed; `ignored` = value errors. Status `SUCCESS`
//!    without value errors, else `WARNING` when something was written and `ERROR` when nothing
//!    was; any group failure makes it `ERROR`. Value conflicts come first, then group conflicts;
//!    `rejectedIndexes` likewise. The summary has no description.
//! 8. **Completion** (§5.6 [NEW]): a group is registered complete only when it has no ignored value
//!    and the import is not a dry run; `dataSetComplete` is the completion date (`yyyy-MM-dd`)
//!    when every group was completed with the same date, else `"false"`.
//!
//! Conflicts have DHIS2 2.43's shape: no `object`, no `property`, `objects` = `{"args": …}` (the
//! message arguments joined with `-`), the message formatted as Java's `MessageFormat` does
//! (numbers with thousands separators, lists as `[a, b]`).
//!
//! # Memory
//!
//! Group validation looks at every value of a group before the first one is written, so this
//! importer keeps the decoded values of the import (about 50 bytes per value plus its value and
//! comment text; identifiers are interned), as DHIS2 itself does. The classic importer streams.
//!
//! # Inferred behaviour and choices of this module
//!
//! The specification marks these [inferred] or leaves them open; this is what is implemented:
//!
//! * A period string that is not a valid 2.43 ISO period fails the whole import ("The import
//!   process failed: …", no DHIS2 summary exists for it); so do an unknown or unsupported id
//!   scheme and an ambiguous CODE/NAME/ATTRIBUTE identifier.
//! * Reading errors are reported as for the classic profile ("The import process failed: …");
//!   DHIS2 answers them with an HTTP error and no summary. The whole input is read before a
//!   decoding error is reported, because DHIS2 parses the whole input first.
//! * Lists that DHIS2 builds with SQL `DISTINCT` (E8002, E8011, E8012, E8020, E8022, E8023,
//!   E8024) are in order of first appearance in the payload (data sets: metadata order).
//! * `E8024` also checks values without a category option combo, as the default combo (the SQL
//!   maps null to `default`).
//! * With data input periods, a period passes `E8030` when one of its input periods is open now
//!   (as the specification says; the DHIS2 code read for it inverts that filter).
//! * A period is after the latest open future period when it starts after that period's end.
//! * `E8032` with `openPeriodsAfterCoEndDate`: the period is moved back that many periods and
//!   checked again against the unchanged date range.
//! * No approval records exist offline, so `E8033` never fires (as `E7642` in the classic profile).
//! * Auto-grouping puts a value in the group of the first data set (metadata order) that contains
//!   its data element; groups are processed in order of first appearance. With `atomic`, the
//!   first failed group stops the import (groups before it stay written).
//! * `completeDate` accepts `DateUtils.parseDate`'s forms (Appendix A; fractions of 1–9 digits);
//!   an instant with an offset is completed on its UTC date; a future date is kept. Without a
//!   completion, `dataSetComplete` is `"false"`; a data set unknown to the metadata is never
//!   completed. The completion is keyed by the group's attribute option combo, else the default.
//! * Changelog rows: `CREATE` (holding the value written) for a new row, `DELETE` when a live row
//!   becomes deleted, `UPDATE` otherwise (holding the previous value).
//! * A `followUp` or `deleted` flag the payload leaves out is stored as `false`.
//!
//! * Deletion scope (the specification names the codes and the count, not the rows): a row is
//!   selected when its org unit and period are listed and an element names its data element
//!   and, when the element gives them, its category and attribute option combos (an absent one
//!   matches any, and is not checked by `E8023`/`E8024`); exact org units (no descendants); only
//!   live rows are deleted and counted. An empty `orgUnits`, `periods` or `elements` selects
//!   nothing and is not validated. A scope element without a data element fails the import
//!   (DHIS2 fails with a `NullPointerException`). With `dataEntryAutoGroup` each group keeps the
//!   first scope element of each of its values' data elements, so a scope without values is
//!   dropped (`splitGroup`). Under the DELETE strategy the upserted values are added to the
//!   scope's `deleted`.
//! * A value decoded through category options whose data element is not in the data set fails
//!   the import (DHIS2: `NullPointerException`). Two option combos with the same options: the
//!   first in metadata order wins (DHIS2 fails on the duplicate key). An option without an
//!   identifier under `categoryOptionIdScheme` takes its option combo out of the lookup.
//! * `categoryIdScheme`/`categoryOptionIdScheme` `UUID` fails the import like any other UUID
//!   scheme (`DataEntryGroup.Ids.of` converts them all).
//! * Category-option maps print in the order the reader kept: a 2.43 CSV file's in the iteration
//!   order of DHIS2's `HashMap` (exact), a JSON object's in document order (DHIS2's JSON tree
//!   map order was not determined).

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, NaiveTime, Utc};
use dxf2_model::metadata::{DataElement, DataSet, Identity};
use dxf2_model::{
    DataValue, DataValueSetHeader, DataValueSource, DeletionScope, IdScheme, IdSchemes,
    ImportConflict, ImportCount, ImportOptions, ImportStatus, ImportSummary, ImporterProfile,
    Metadata, ObjectKind, Period, SchemeTarget, Uid, ValueType,
};
use idscheme_resolver::Resolver;
use rustc_hash::{FxHashMap, FxHashSet};

use crate::codes::*;
use crate::conflicts::{format_message, ErrorCode};
use crate::store::{
    Audit, AuditType, Completion, DataValueKey, DataValueStore, Existing, StoredValue, ValueQuery,
};
use crate::{Failure, ImportOutcome, Importer, Progress};

const EDIT_EXPIRED_AUTHORITY: &str = "F_EDIT_EXPIRED";
/// Maximum comment length (UTF-16 units) on 2.43+.
const MAX_COMMENT: usize = 5_000;
/// "No identifier" in an interned slot (absent category or attribute option combo).
const NONE: u32 = u32::MAX;

// ---------------------------------------------------------------------------------------------
// Conflict arguments and messages
// ---------------------------------------------------------------------------------------------

/// One argument of a DHIS2 message, rendered as Java renders it.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Arg {
    /// A Java `int`: `MessageFormat` groups thousands (`1,234`), `String.valueOf` does not.
    Int(i64),
    /// A string (`null` when absent).
    Text(Option<String>),
    /// A Java `List`: `[a, b]`.
    List(Vec<String>),
}

impl Arg {
    fn text(s: impl Into<String>) -> Arg {
        Arg::Text(Some(s.into()))
    }

    fn opt(s: Option<&str>) -> Arg {
        Arg::Text(s.map(str::to_owned))
    }

    fn uids(uids: &[Uid]) -> Arg {
        Arg::List(uids.iter().map(|u| u.as_str().to_owned()).collect())
    }

    fn periods(periods: &[Period]) -> Arg {
        Arg::List(periods.iter().map(Period::to_string).collect())
    }

    /// As `MessageFormat` inserts it.
    fn in_message(&self) -> String {
        match self {
            Arg::Int(n) => java_grouped(*n),
            other => other.in_key(),
        }
    }

    /// As `String.valueOf` renders it.
    fn in_key(&self) -> String {
        match self {
            Arg::Int(n) => n.to_string(),
            Arg::Text(t) => t.clone().unwrap_or_else(|| "null".to_owned()),
            Arg::List(items) => format!("[{}]", items.join(", ")),
        }
    }
}

/// An integer as Java's default `NumberFormat` writes it: thousands separated by commas.
fn java_grouped(n: i64) -> String {
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

/// An error code with its arguments.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Problem {
    code: ErrorCode,
    args: Vec<Arg>,
}

impl Problem {
    fn new(code: ErrorCode, args: Vec<Arg>) -> Problem {
        Problem { code, args }
    }

    fn message(&self) -> String {
        let rendered: Vec<String> = self.args.iter().map(Arg::in_message).collect();
        let args: Vec<Option<&str>> = rendered.iter().map(|s| Some(s.as_str())).collect();
        format_message(self.code.template, &args)
    }

    fn key(&self) -> String {
        self.args
            .iter()
            .map(Arg::in_key)
            .collect::<Vec<_>>()
            .join("-")
    }

    /// `DataEntrySummary.toConflict`: no object, no property, `objects` = `{"args": key}`.
    fn conflict(&self, indexes: Vec<i64>) -> ImportConflict {
        ImportConflict {
            object: None,
            objects: vec![("args".to_owned(), Some(self.key()))],
            value: self.message(),
            error_code: Some(self.code.code.to_owned()),
            property: None,
            indexes: Some(indexes),
        }
    }
}

/// Conflicts as `ImportSummary.addConflict` keeps them: same code and objects merge their indexes.
#[derive(Default)]
struct Conflicts {
    list: Vec<ImportConflict>,
    at: FxHashMap<(String, String), usize>,
}

impl Conflicts {
    fn add(&mut self, conflict: ImportConflict) {
        let code = conflict.error_code.clone().unwrap_or_default();
        let key = conflict
            .objects
            .first()
            .and_then(|(_, v)| v.clone())
            .unwrap_or_default();
        match self
            .at
            .get(&(code.clone(), key.clone()))
            .and_then(|&i| self.list.get_mut(i))
        {
            Some(existing) => {
                if let (Some(list), Some(more)) = (existing.indexes.as_mut(), conflict.indexes) {
                    list.extend(more);
                }
            }
            None => {
                self.at.insert((code, key), self.list.len());
                self.list.push(conflict);
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Decoded values
// ---------------------------------------------------------------------------------------------

/// Distinct UIDs, each with a small number.
#[derive(Default)]
struct Interner {
    uids: Vec<Uid>,
    numbers: FxHashMap<Uid, u32>,
}

impl Interner {
    fn intern(&mut self, uid: Uid) -> Result<u32, Stop> {
        if let Some(&n) = self.numbers.get(&uid) {
            return Ok(n);
        }
        let n = u32::try_from(self.uids.len())
            .ok()
            .filter(|n| *n != NONE)
            .ok_or_else(|| Stop::Fail("too many distinct identifiers in one import".into()))?;
        self.uids.push(uid);
        self.numbers.insert(uid, n);
        Ok(n)
    }

    fn uid(&self, n: u32) -> Option<Uid> {
        if n == NONE {
            return None;
        }
        self.uids.get(n as usize).copied()
    }
}

/// A text in the arena; `start == usize::MAX` means absent.
#[derive(Clone, Copy, Debug)]
struct Span {
    start: usize,
    end: usize,
}

impl Span {
    const ABSENT: Span = Span {
        start: usize::MAX,
        end: 0,
    };
}

/// One decoded value: interned identifiers, texts in the arena.
#[derive(Clone, Copy, Debug)]
struct Entry {
    de: u32,
    ou: u32,
    coc: u32,
    aoc: u32,
    period: Period,
    value: Span,
    comment: Span,
    followup: Option<bool>,
    deleted: Option<bool>,
}

/// Every decoded value of the import, in payload order (the position is the value's index).
#[derive(Default)]
struct Values {
    entries: Vec<Entry>,
    text: String,
    ids: Interner,
}

impl Values {
    fn push_text(&mut self, text: Option<&str>) -> Span {
        match text {
            Some(t) => {
                let start = self.text.len();
                self.text.push_str(t);
                Span {
                    start,
                    end: self.text.len(),
                }
            }
            None => Span::ABSENT,
        }
    }

    fn text(&self, span: Span) -> Option<&str> {
        if span.start == usize::MAX {
            return None;
        }
        self.text.get(span.start..span.end)
    }

    fn entry(&self, position: u32) -> Option<&Entry> {
        self.entries.get(position as usize)
    }

    fn uid(&self, n: u32) -> Option<Uid> {
        self.ids.uid(n)
    }
}

/// Why decoding stopped the import.
#[derive(Debug)]
enum Stop {
    /// A DHIS2 `BadRequestException`/`ConflictException`: a summary with `indexes` `[-1]`.
    Conflict(Problem),
    /// Anything else: the import fails ("The import process failed: …").
    Fail(String),
}

/// The group-level fields after decoding.
struct GroupHeader {
    data_set: Option<Uid>,
    period: Option<Period>,
    org_unit: Option<String>,
    attribute_option_combo: Option<String>,
    completion: Option<NaiveDate>,
}

/// What an identifier decoded to.
enum Decoded {
    Found(Uid),
    /// Not found under a non-UID scheme.
    NotFound,
    /// Not a UID (under the UID scheme).
    Invalid,
}

/// A decoded `deletion` scope (`DataEntryGroup.Scope`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct Scope {
    org_units: Vec<Uid>,
    periods: Vec<Period>,
    elements: Vec<ScopeElement>,
}

impl Scope {
    /// An empty list of org units, periods or elements selects no stored value.
    fn selects_nothing(&self) -> bool {
        self.org_units.is_empty() || self.periods.is_empty() || self.elements.is_empty()
    }
}

/// One element of a deletion scope; an absent option combo matches every option combo.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct ScopeElement {
    de: Uid,
    coc: Option<Uid>,
    aoc: Option<Uid>,
}

impl ScopeElement {
    fn matches(&self, key: &DataValueKey) -> bool {
        self.de == key.data_element
            && self.coc.is_none_or(|c| c == key.category_option_combo)
            && self.aoc.is_none_or(|a| a == key.attribute_option_combo)
    }
}

/// The option combos of one category combo keyed by the identifiers of their options
/// (`HibernateDataEntryStore.getDataElementCocIdMapping` / `getDataSetAocIdMapping`).
struct ComboKey {
    /// The combo's categories under `categoryIdScheme` (`None`: the category lacks one).
    categories: Vec<Option<String>>,
    /// Each option combo (metadata order) with the sorted, distinct identifiers of its options
    /// under `categoryOptionIdScheme`; a combo with an option lacking one is left out.
    option_combos: Vec<(Vec<String>, Uid)>,
}

impl ComboKey {
    /// The option combo whose options are exactly the options `option_of` gives for the
    /// combo's categories (compared as sets, as DHIS2 compares `Set<String>` keys).
    fn find<'a>(&self, option_of: impl Fn(&str) -> Option<&'a str>) -> Option<Uid> {
        let mut wanted: Vec<&str> = Vec::with_capacity(self.categories.len());
        for category in &self.categories {
            // A category without an identifier, or without an option, looks up `null`, which
            // no option combo's key holds.
            wanted.push(category.as_deref().and_then(&option_of)?);
        }
        wanted.sort_unstable();
        wanted.dedup();
        self.option_combos
            .iter()
            .find(|(ids, _)| ids.iter().map(String::as_str).eq(wanted.iter().copied()))
            .map(|(_, uid)| *uid)
    }
}

/// What category decoding looks up, built on first use and kept for the import.
#[derive(Default)]
struct CategoryCache {
    /// Category combo → its option combos by option identifiers.
    combos: FxHashMap<Uid, ComboKey>,
    /// (data set, data element) → the element's effective category combo (`None`: the element
    /// is not in the data set).
    effective: FxHashMap<(Uid, Uid), Option<Uid>>,
}

/// The identifier of an object under a scheme (`ID` is the UID on 2.43+).
fn identifier<'a>(id: &'a Identity, scheme: &IdScheme) -> Option<&'a str> {
    match scheme {
        IdScheme::Uid | IdScheme::Id | IdScheme::Uuid => Some(id.uid.as_str()),
        IdScheme::Code => id.code.as_deref(),
        IdScheme::Name => id.name.as_deref(),
        IdScheme::Attribute(attribute) => id.attribute_value(attribute),
    }
}

/// A Java `Map` as `AbstractMap.toString` prints it: `{k=v, k2=null}` (pairs in iteration order).
fn java_map<'a>(pairs: impl Iterator<Item = (&'a str, Option<&'a str>)>) -> String {
    let mut out = String::from("{");
    for (i, (key, value)) in pairs.enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        out.push_str(key);
        out.push('=');
        out.push_str(value.unwrap_or("null"));
    }
    out.push('}');
    out
}

/// A Java `Set` as `AbstractCollection.toString` prints it: `[a, b]`.
fn java_set<'a>(items: impl Iterator<Item = &'a str>) -> String {
    format!("[{}]", items.collect::<Vec<_>>().join(", "))
}

// ---------------------------------------------------------------------------------------------
// Effective options
// ---------------------------------------------------------------------------------------------

/// Options after combining payload, request and system settings.
struct Settings {
    schemes: IdSchemes,
    dry_run: bool,
    delete: bool,
    atomic: bool,
    auto_group: bool,
    superuser: bool,
    skip_timeliness: bool,
    edit_expired: bool,
}

/// The object types a data value set names by identifier, with the scheme target and kind of
/// each.
const DECODED_TYPES: [(SchemeTarget, ObjectKind); 5] = [
    (SchemeTarget::DataSet, ObjectKind::DataSet),
    (SchemeTarget::DataElement, ObjectKind::DataElement),
    (SchemeTarget::OrgUnit, ObjectKind::OrganisationUnit),
    (
        SchemeTarget::CategoryOptionCombo,
        ObjectKind::CategoryOptionCombo,
    ),
    (
        SchemeTarget::AttributeOptionCombo,
        ObjectKind::CategoryOptionCombo,
    ),
];

fn uses_lookup(scheme: &IdScheme) -> bool {
    !matches!(scheme, IdScheme::Uid | IdScheme::Id)
}

fn fail(message: String) -> ImportOutcome {
    ImportOutcome::failed(message, Failure::Import)
}

/// The summary of a decoding failure: status `ERROR`, counts 0, one conflict at index `-1`.
fn decode_failed(problem: &Problem, options: &ImportOptions) -> ImportOutcome {
    ImportOutcome {
        summary: ImportSummary {
            status: ImportStatus::Error,
            conflicts: vec![problem.conflict(vec![-1])],
            profile: Some(options.profile),
            ..ImportSummary::default()
        },
        failure: None,
    }
}

// ---------------------------------------------------------------------------------------------
// The import
// ---------------------------------------------------------------------------------------------

/// The outcome of one group that passed group validation.
#[derive(Default)]
struct GroupDone {
    attempted: u64,
    succeeded: u64,
    /// Rows removed by the deletion scope (counted in a dry run too).
    deleted: u64,
    /// Value errors: (value index, problem).
    errors: Vec<(i64, Problem)>,
    /// The completion date written, if the group was completed.
    completed: Option<NaiveDate>,
}

/// Why a group was not imported.
enum GroupError {
    /// A group validation failure (a `ConflictException`).
    Conflict(Problem),
    /// The store failed.
    Store(String),
}

impl From<crate::store::StoreError> for GroupError {
    fn from(e: crate::store::StoreError) -> Self {
        GroupError::Store(e.to_string())
    }
}

/// One group: its data set (when given), the positions of its values and its deletion scope.
struct Group {
    data_set: Option<Uid>,
    members: Vec<u32>,
    scope: Option<Scope>,
}

/// Everything one import shares.
struct Run<'a, 'm> {
    importer: &'a Importer<'m>,
    md: &'m Metadata,
    resolver: &'a dyn Resolver,
    settings: Settings,
    default_coc: Uid,
}

impl<'m> Importer<'m> {
    /// Runs the 2.43+ pipeline import over `source` (see the module docs).
    pub(crate) fn import_pipeline<S: DataValueSource>(
        &self,
        source: &mut S,
        options: &ImportOptions,
        resolver: &mut dyn Resolver,
        store: &mut dyn DataValueStore,
        progress: &mut dyn FnMut(Progress),
    ) -> ImportOutcome {
        let header = source.header().clone();
        let settings = match self.pipeline_settings(&header, options) {
            Ok(s) => s,
            Err(message) => return fail(message),
        };
        for (target, kind) in DECODED_TYPES {
            let scheme = settings.schemes.effective(target);
            if uses_lookup(scheme) {
                // A scheme that cannot be preheated (unknown attribute, …) fails the import only
                // when an identifier is actually decoded with it, as in DHIS2.
                let _ = resolver.preheat(kind, scheme);
            }
        }
        let Some(default_coc) = self.index.default_coc else {
            return fail("no default category option combo in the metadata".into());
        };
        let run = Run {
            importer: self,
            md: self.index.metadata,
            resolver,
            settings,
            default_coc,
        };

        // Decoding: the group first, then every value. The whole input is read even after a
        // decoding error, because DHIS2 parses it all before decoding.
        let mut stop: Option<Stop> = None;
        let mut cache = CategoryCache::default();
        let group_header = match run.decode_group(&header, &mut cache) {
            Ok(g) => Some(g),
            Err(s) => {
                stop = Some(s);
                None
            }
        };
        let mut values = Values::default();
        let mut record = DataValue::new();
        let mut index: i64 = 0;
        loop {
            match source.read_value(&mut record) {
                Ok(true) => {}
                Ok(false) => break,
                Err(e) => {
                    return ImportOutcome::failed(
                        format!("The import process failed: {e}"),
                        Failure::Input {
                            values_read: index.unsigned_abs(),
                            message: e.to_string(),
                        },
                    );
                }
            }
            if let (None, Some(group)) = (&stop, &group_header) {
                if let Err(s) = run.decode_value(group, &record, index, &mut values, &mut cache) {
                    stop = Some(s);
                }
            }
            index += 1;
            if index % 1000 == 0 {
                progress(Progress {
                    values_done: index.unsigned_abs(),
                    total: None,
                });
            }
        }
        progress(Progress {
            values_done: index.unsigned_abs(),
            total: Some(index.unsigned_abs()),
        });
        // The deletion scope is decoded after the values (`decodeGroup`), from the header as it
        // stands once the whole input is read.
        let mut scope = None;
        if stop.is_none() {
            if let Some(deletion) = &source.header().deletion {
                match run.decode_scope(deletion) {
                    Ok(s) => scope = Some(s),
                    Err(s) => stop = Some(s),
                }
            }
        }
        let group_header = match (stop, group_header) {
            (Some(Stop::Conflict(p)), _) => return decode_failed(&p, options),
            (Some(Stop::Fail(m)), _) => return fail(m),
            (None, Some(g)) => g,
            (None, None) => return fail("the data value set header could not be decoded".into()),
        };
        if run.settings.delete {
            for e in &mut values.entries {
                e.deleted = Some(true);
            }
        }
        let groups = match run.groups(&group_header, &values, scope.as_ref()) {
            Ok(g) => g,
            Err(Stop::Conflict(p)) => return decode_failed(&p, options),
            Err(Stop::Fail(m)) => return fail(m),
        };

        if let Err(e) = store.begin() {
            return ImportOutcome::failed(e.to_string(), Failure::Store);
        }
        let mut done: Vec<GroupDone> = Vec::with_capacity(groups.len());
        let mut failed: Vec<(Problem, Vec<i64>)> = Vec::new();
        for group in &groups {
            match run.import_group(group, &group_header, &values, store) {
                Ok(d) => done.push(d),
                Err(GroupError::Conflict(p)) => {
                    let indexes = group.members.iter().map(|&m| i64::from(m)).collect();
                    failed.push((p, indexes));
                    if run.settings.atomic {
                        break;
                    }
                }
                Err(GroupError::Store(message)) => {
                    let _ = store.rollback();
                    return ImportOutcome::failed(
                        format!("The import process failed: {message}"),
                        Failure::Store,
                    );
                }
            }
        }
        let finished = if run.settings.dry_run {
            store.rollback()
        } else {
            store.commit()
        };
        if let Err(e) = finished {
            return ImportOutcome::failed(
                format!("The import process failed: {e}"),
                Failure::Store,
            );
        }
        // DHIS2's readers write the payload's `dryRun` and id schemes into the request options,
        // which the summary echoes.
        let mut echo = options.clone();
        echo.dry_run = run.settings.dry_run;
        echo.id_schemes = run.settings.schemes.clone();
        let summary = summarise(&run.settings, &echo, &done, failed, groups.len());
        ImportOutcome {
            summary,
            failure: None,
        }
    }

    fn pipeline_settings(
        &self,
        header: &DataValueSetHeader,
        options: &ImportOptions,
    ) -> Result<Settings, String> {
        let payload = header.id_schemes(true).map_err(|e| e.to_string())?;
        let schemes = IdSchemes::pipeline_merge(&payload, &options.id_schemes);
        // `DataEntryGroup.Ids.of` converts every scheme, the category ones included.
        for target in SchemeTarget::ALL {
            if *schemes.effective(target) == IdScheme::Uuid {
                return Err(format!(
                    "id scheme UUID ({}) is not supported by the DHIS2 2.43+ importer",
                    target.parameter_name()
                ));
            }
        }
        let superuser = self.access.is_superuser();
        Ok(Settings {
            schemes,
            dry_run: header.dry_run.unwrap_or(options.dry_run),
            delete: options.strategy.is_delete(),
            atomic: options.atomic,
            auto_group: self.settings.data_entry_auto_group,
            superuser,
            skip_timeliness: options.force && superuser,
            edit_expired: self.access.has_authority(EDIT_EXPIRED_AUTHORITY),
        })
    }
}

/// Builds the import summary from the groups (`DataEntrySummary.toImportSummary` and
/// `DataEntryIO`).
fn summarise(
    settings: &Settings,
    options: &ImportOptions,
    done: &[GroupDone],
    failed: Vec<(Problem, Vec<i64>)>,
    group_count: usize,
) -> ImportSummary {
    let mut conflicts = Conflicts::default();
    let mut rejected = Vec::new();
    let (mut attempted, mut succeeded, mut errors, mut deleted) = (0u64, 0u64, 0u64, 0u64);
    for d in done {
        attempted += d.attempted;
        succeeded += d.succeeded;
        deleted += d.deleted;
        for (index, problem) in &d.errors {
            errors += 1;
            rejected.push(*index);
            conflicts.add(problem.conflict(vec![*index]));
        }
    }
    let mut count = ImportCount {
        imported: 0,
        updated: succeeded,
        ignored: attempted.saturating_sub(succeeded) + errors,
        deleted,
    };
    if settings.delete {
        count.deleted += count.updated;
        count.updated = 0;
    }
    let mut status = if errors == 0 {
        ImportStatus::Success
    } else if succeeded > 0 {
        ImportStatus::Warning
    } else {
        ImportStatus::Error
    };
    if !failed.is_empty() {
        status = ImportStatus::Error;
    }
    for (problem, indexes) in failed {
        rejected.extend(indexes.iter().copied());
        conflicts.add(problem.conflict(indexes));
    }
    let first = done.first().and_then(|d| d.completed);
    let all_same = done.len() == group_count && done.iter().all(|d| d.completed == first);
    let data_set_complete = match first {
        Some(date) if all_same => date.format("%Y-%m-%d").to_string(),
        _ => "false".to_owned(),
    };
    ImportSummary {
        status,
        import_options: Some(options.clone()),
        description: None,
        import_count: count,
        conflicts: conflicts.list,
        rejected_indexes: rejected,
        data_set_complete: Some(data_set_complete),
        profile: Some(options.profile),
    }
}

// ---------------------------------------------------------------------------------------------
// Decoding (§3.7)
// ---------------------------------------------------------------------------------------------

impl<'m> Run<'_, 'm> {
    fn decode_id(
        &self,
        target: SchemeTarget,
        kind: ObjectKind,
        raw: &str,
    ) -> Result<Decoded, Stop> {
        let scheme = self.settings.schemes.effective(target);
        if !uses_lookup(scheme) {
            return Ok(match Uid::parse(raw) {
                Ok(uid) => Decoded::Found(uid),
                Err(_) => Decoded::Invalid,
            });
        }
        match self.resolver.resolve(kind, scheme, raw) {
            Ok(Some(uid)) => Ok(Decoded::Found(uid)),
            Ok(None) => Ok(Decoded::NotFound),
            Err(e) => Err(Stop::Fail(e.to_string())),
        }
    }

    fn decode_group(
        &self,
        header: &DataValueSetHeader,
        cache: &mut CategoryCache,
    ) -> Result<GroupHeader, Stop> {
        let period = match header.period.as_deref().filter(|p| !p.is_empty()) {
            Some(p) => Some(parse_period(p)?),
            None => None,
        };
        let data_set = match header.data_set.as_deref() {
            Some(raw) => match self.decode_id(SchemeTarget::DataSet, ObjectKind::DataSet, raw)? {
                Decoded::Found(uid) => Some(uid),
                Decoded::NotFound => {
                    return Err(Stop::Conflict(Problem::new(E8005, vec![Arg::text(raw)])))
                }
                Decoded::Invalid => {
                    return Err(Stop::Conflict(Problem::new(E8004, vec![Arg::text(raw)])))
                }
            },
            None => None,
        };
        let completion = match header.complete_date.as_deref().filter(|d| !d.is_empty()) {
            Some(raw) => match parse_date(raw) {
                Some(date) => Some(date),
                None => return Err(Stop::Conflict(Problem::new(E8008, vec![Arg::text(raw)]))),
            },
            None => None,
        };
        // The object form of `attributeOptionCombo`: category → option, decoded through the data
        // set's category combo; no match silently leaves the group without an AOC.
        let mut attribute_option_combo = header.attribute_option_combo.clone();
        let options = header
            .attribute_option_combo_options
            .as_deref()
            .filter(|o| !o.is_empty());
        if let (None, Some(options)) = (&attribute_option_combo, options) {
            let pairs = || options.iter().map(|(c, o)| (c.as_str(), o.as_deref()));
            let Some(ds) = data_set else {
                return Err(Stop::Conflict(Problem::new(
                    E8101,
                    vec![Arg::text("*"), Arg::text(java_map(pairs()))],
                )));
            };
            let found = self.data_set_combo(&ds).and_then(|cc| {
                let option_of = |category: &str| {
                    options
                        .iter()
                        .find(|(c, _)| c == category)
                        .and_then(|(_, o)| o.as_deref())
                };
                self.combo_key(cc, cache).find(option_of)
            });
            attribute_option_combo = found.map(|uid| uid.as_str().to_owned());
        }
        if completion.is_some()
            && (header.data_set.is_none() || header.org_unit.is_none() || period.is_none())
        {
            return Err(Stop::Conflict(Problem::new(E8009, Vec::new())));
        }
        Ok(GroupHeader {
            data_set,
            period,
            org_unit: header.org_unit.clone(),
            attribute_option_combo,
            completion,
        })
    }

    /// The category combo of a data set known to the metadata.
    fn data_set_combo(&self, ds: &Uid) -> Option<Uid> {
        self.md.data_set(ds).map(|d| d.category_combo)
    }

    /// The option combos of `cc` keyed by option identifiers (built once per import).
    fn combo_key<'c>(&self, cc: Uid, cache: &'c mut CategoryCache) -> &'c ComboKey {
        let md = self.md;
        let category_scheme = self.settings.schemes.effective(SchemeTarget::Category);
        let option_scheme = self
            .settings
            .schemes
            .effective(SchemeTarget::CategoryOption);
        cache.combos.entry(cc).or_insert_with(|| {
            let categories = md
                .category_combo(&cc)
                .map(|combo| {
                    combo
                        .categories
                        .iter()
                        .map(|c| {
                            md.category(c)
                                .and_then(|c| identifier(&c.id, category_scheme))
                                .map(str::to_owned)
                        })
                        .collect()
                })
                .unwrap_or_default();
            let option_combos = md
                .category_option_combos
                .iter()
                .filter(|coc| coc.category_combo == cc)
                .filter_map(|coc| {
                    let mut ids = coc
                        .options
                        .iter()
                        .map(|o| {
                            md.category_option(o)
                                .and_then(|o| identifier(&o.id, option_scheme))
                                .map(str::to_owned)
                        })
                        .collect::<Option<Vec<String>>>()?;
                    ids.sort_unstable();
                    ids.dedup();
                    Some((ids, coc.id.uid))
                })
                .collect();
            ComboKey {
                categories,
                option_combos,
            }
        })
    }

    /// A value's category option combo from its category options (`decodeGroup`, COC part):
    /// the categories of the data element's effective category combo in the data set.
    fn coc_from_options(
        &self,
        ds: Uid,
        de: Uid,
        de_raw: &str,
        dv: &DataValue,
        index: i64,
        cache: &mut CategoryCache,
    ) -> Result<Uid, Stop> {
        let md = self.md;
        let cc = *cache.effective.entry((ds, de)).or_insert_with(|| {
            let data_set = md.data_set(&ds)?;
            let element = md.data_element(&de)?;
            data_set
                .elements
                .iter()
                .any(|e| e.data_element == de)
                .then(|| element_category_combo(data_set, element))
        });
        let Some(cc) = cc else {
            // DHIS2 has no categories for an element outside the data set and fails with a
            // NullPointerException.
            return Err(Stop::Fail(format!(
                "value #{index}: the category options of data element `{de_raw}` cannot be \
                 decoded: it is not in data set `{ds}`"
            )));
        };
        let option_of = |category: &str| {
            dv.category_options()
                .find(|(c, _)| *c == category)
                .and_then(|(_, o)| o)
        };
        self.combo_key(cc, cache).find(option_of).ok_or_else(|| {
            Stop::Conflict(Problem::new(
                E8108,
                vec![Arg::Int(index), Arg::text(java_map(dv.category_options()))],
            ))
        })
    }

    /// A value's attribute option combo from `attributeCombo` and `attributeOptions`
    /// (`getCategoryComboAocIdMapping`: UIDs only, whatever the id schemes).
    fn aoc_from_attribute_options(
        &self,
        combo: &str,
        dv: &DataValue,
        index: i64,
    ) -> Result<Uid, Stop> {
        let md = self.md;
        let cc = Uid::parse(combo).ok().filter(|cc| {
            md.category_combo(cc).is_some()
                && md
                    .category_option_combos
                    .iter()
                    .any(|coc| coc.category_combo == *cc)
        });
        let Some(cc) = cc else {
            return Err(Stop::Conflict(Problem::new(
                E8126,
                vec![Arg::Int(index), Arg::text(combo)],
            )));
        };
        let found = dv.has_attribute_options().then(|| {
            // Both sides are sets: the reader keeps the options distinct.
            let mut given: Vec<&str> = dv.attribute_options().collect();
            given.sort_unstable();
            md.category_option_combos
                .iter()
                .filter(|coc| coc.category_combo == cc)
                .find(|coc| {
                    let mut ids: Vec<&str> = coc.options.iter().map(Uid::as_str).collect();
                    ids.sort_unstable();
                    ids.dedup();
                    ids == given
                })
                .map(|coc| coc.id.uid)
        });
        found.flatten().ok_or_else(|| {
            let options = dv
                .has_attribute_options()
                .then(|| java_set(dv.attribute_options()));
            Stop::Conflict(Problem::new(
                E8127,
                vec![Arg::Int(index), Arg::text(combo), Arg::Text(options)],
            ))
        })
    }

    /// The `deletion` scope (`decodeGroup`, after the values): `E8034` for an identifier not
    /// found under its scheme, `E8035` for one that is not a UID; a bad period fails the import.
    fn decode_scope(&self, deletion: &DeletionScope) -> Result<Scope, Stop> {
        let id = |target, kind, raw: &str| -> Result<Uid, Stop> {
            match self.decode_id(target, kind, raw)? {
                Decoded::Found(uid) => Ok(uid),
                Decoded::NotFound => Err(Stop::Conflict(Problem::new(E8034, vec![Arg::text(raw)]))),
                Decoded::Invalid => Err(Stop::Conflict(Problem::new(E8035, vec![Arg::text(raw)]))),
            }
        };
        let org_units = deletion
            .org_units
            .iter()
            .map(|ou| id(SchemeTarget::OrgUnit, ObjectKind::OrganisationUnit, ou))
            .collect::<Result<Vec<_>, _>>()?;
        let periods = deletion
            .periods
            .iter()
            .map(|p| parse_period(p))
            .collect::<Result<Vec<_>, _>>()?;
        let mut elements = Vec::with_capacity(deletion.elements.len());
        for e in &deletion.elements {
            let Some(de_raw) = e.data_element.as_deref() else {
                // DHIS2 keeps a `null` data element and fails later (NullPointerException).
                return Err(Stop::Fail(
                    "a deletion scope element has no data element".to_owned(),
                ));
            };
            let de = id(SchemeTarget::DataElement, ObjectKind::DataElement, de_raw)?;
            let coc = e
                .category_option_combo
                .as_deref()
                .map(|raw| {
                    id(
                        SchemeTarget::CategoryOptionCombo,
                        ObjectKind::CategoryOptionCombo,
                        raw,
                    )
                })
                .transpose()?;
            let aoc = e
                .attribute_option_combo
                .as_deref()
                .map(|raw| {
                    id(
                        SchemeTarget::AttributeOptionCombo,
                        ObjectKind::CategoryOptionCombo,
                        raw,
                    )
                })
                .transpose()?;
            elements.push(ScopeElement { de, coc, aoc });
        }
        Ok(Scope {
            org_units,
            periods,
            elements,
        })
    }

    /// `decodeGroup`'s loop body for one value.
    fn decode_value(
        &self,
        group: &GroupHeader,
        dv: &DataValue,
        index: i64,
        values: &mut Values,
        cache: &mut CategoryCache,
    ) -> Result<(), Stop> {
        let at = Arg::Int(index);
        let input = || Arg::text(render_input(dv));
        let conflict =
            |code, arg: Arg| Stop::Conflict(Problem::new(code, vec![Arg::Int(index), arg]));
        // PE
        let period = match dv.period() {
            Some("") => None,
            Some(p) => Some(parse_period(p)?),
            None => group.period,
        };
        let Some(period) = period else {
            return Err(Stop::Conflict(Problem::new(E8100, vec![at, input()])));
        };
        // DE
        let Some(de_raw) = dv.data_element() else {
            return Err(Stop::Conflict(Problem::new(E8102, vec![at, input()])));
        };
        let de = match self.decode_id(SchemeTarget::DataElement, ObjectKind::DataElement, de_raw)? {
            Decoded::Found(uid) => uid,
            Decoded::NotFound => return Err(conflict(E8103, Arg::text(de_raw))),
            Decoded::Invalid => return Err(conflict(E8104, Arg::text(de_raw))),
        };
        // OU
        let Some(ou_raw) = dv.org_unit().or(group.org_unit.as_deref()) else {
            return Err(Stop::Conflict(Problem::new(E8105, vec![at, input()])));
        };
        let ou =
            match self.decode_id(SchemeTarget::OrgUnit, ObjectKind::OrganisationUnit, ou_raw)? {
                Decoded::Found(uid) => uid,
                Decoded::NotFound => return Err(conflict(E8107, Arg::text(ou_raw))),
                Decoded::Invalid => return Err(conflict(E8106, Arg::text(ou_raw))),
            };
        // COC: the identifier, else the category options (decoded through the data set)
        let coc_raw = dv.category_option_combo().filter(|c| !c.is_empty());
        let coc = match coc_raw {
            None if dv.has_category_options() => {
                let Some(ds) = group.data_set else {
                    return Err(conflict(E8101, Arg::text(java_map(dv.category_options()))));
                };
                Some(self.coc_from_options(ds, de, de_raw, dv, index, cache)?)
            }
            Some(raw) => match self.decode_id(
                SchemeTarget::CategoryOptionCombo,
                ObjectKind::CategoryOptionCombo,
                raw,
            )? {
                Decoded::Found(uid) => Some(uid),
                Decoded::NotFound => return Err(conflict(E8108, Arg::text(raw))),
                Decoded::Invalid => return Err(conflict(E8109, Arg::text(raw))),
            },
            None => None,
        };
        // AOC: the value's, else the group's, else from `attributeCombo` + `attributeOptions`
        // (the combo found is then decoded with the AOC scheme, as DHIS2 does)
        let mut aoc_raw = dv
            .attribute_option_combo()
            .filter(|a| !a.is_empty())
            .or(group.attribute_option_combo.as_deref());
        let from_options = match (aoc_raw, dv.attribute_combo()) {
            (None, Some(combo)) => Some(self.aoc_from_attribute_options(combo, dv, index)?),
            _ => None,
        };
        if let Some(found) = &from_options {
            aoc_raw = Some(found.as_str());
        }
        let aoc = match aoc_raw {
            Some(raw) => match self.decode_id(
                SchemeTarget::AttributeOptionCombo,
                ObjectKind::CategoryOptionCombo,
                raw,
            )? {
                Decoded::Found(uid) => Some(uid),
                Decoded::NotFound => return Err(conflict(E8110, Arg::text(raw))),
                Decoded::Invalid => return Err(conflict(E8111, Arg::text(raw))),
            },
            None => None,
        };
        let entry = Entry {
            de: values.ids.intern(de)?,
            ou: values.ids.intern(ou)?,
            coc: coc
                .map(|c| values.ids.intern(c))
                .transpose()?
                .unwrap_or(NONE),
            aoc: aoc
                .map(|a| values.ids.intern(a))
                .transpose()?
                .unwrap_or(NONE),
            period,
            value: values.push_text(dv.value()),
            comment: values.push_text(dv.comment()),
            followup: dv.followup(),
            deleted: dv.deleted(),
        };
        values.entries.push(entry);
        Ok(())
    }

    /// The groups of the import (§4.9 step 2), each with its part of the deletion scope.
    fn groups(
        &self,
        header: &GroupHeader,
        values: &Values,
        scope: Option<&Scope>,
    ) -> Result<Vec<Group>, Stop> {
        let all = || -> Result<Vec<u32>, Stop> {
            (0..values.entries.len())
                .map(|p| {
                    u32::try_from(p).map_err(|_| Stop::Fail("too many values in one import".into()))
                })
                .collect()
        };
        if header.data_set.is_some() || !self.settings.auto_group {
            return Ok(vec![Group {
                data_set: header.data_set,
                members: all()?,
                scope: scope.cloned(),
            }]);
        }
        // `splitGroup`: every value goes to the first data set of its data element.
        let mut without: Vec<Uid> = Vec::new();
        let mut groups: Vec<Group> = Vec::new();
        let mut group_of: FxHashMap<Uid, usize> = FxHashMap::default();
        for (position, e) in (0u32..).zip(&values.entries) {
            let Some(de) = values.uid(e.de) else { continue };
            let Some(ds) = self.importer.index.data_sets_of_element(&de).first() else {
                if !without.contains(&de) {
                    without.push(de);
                }
                continue;
            };
            let ds = ds.id.uid;
            let at = *group_of.entry(ds).or_insert_with(|| {
                groups.push(Group {
                    data_set: Some(ds),
                    members: Vec::new(),
                    scope: None,
                });
                groups.len() - 1
            });
            if let Some(g) = groups.get_mut(at) {
                g.members.push(position);
                // `splitGroup`: a group's scope keeps the first scope element of each of its
                // values' data elements (scope elements of other data elements are dropped).
                let element = scope.and_then(|s| s.elements.iter().find(|e| e.de == de));
                if let (Some(scope), Some(element)) = (scope, element) {
                    let part = g.scope.get_or_insert_with(|| Scope {
                        org_units: scope.org_units.clone(),
                        periods: scope.periods.clone(),
                        elements: Vec::new(),
                    });
                    if !part.elements.contains(element) {
                        part.elements.push(*element);
                    }
                }
            }
        }
        if !without.is_empty() {
            return Err(Stop::Conflict(Problem::new(
                E8003,
                vec![Arg::uids(&without)],
            )));
        }
        if groups.is_empty() {
            groups.push(Group {
                data_set: None,
                members: Vec::new(),
                scope: None,
            });
        }
        Ok(groups)
    }
}

fn parse_period(raw: &str) -> Result<Period, Stop> {
    Period::parse_with(raw, ImporterProfile::Pipeline).map_err(|e| Stop::Fail(e.to_string()))
}

/// A value as DHIS2's `DataEntryValue.Input` record prints itself (E8100, E8102, E8105).
fn render_input(dv: &DataValue) -> String {
    let s = |v: Option<&str>| v.unwrap_or("null").to_owned();
    let b = |v: Option<bool>| v.map_or_else(|| "null".to_owned(), |b| b.to_string());
    let category_options = if dv.has_category_options() {
        java_map(dv.category_options())
    } else {
        "null".to_owned()
    };
    let attribute_options = if dv.has_attribute_options() {
        java_set(dv.attribute_options())
    } else {
        "null".to_owned()
    };
    format!(
        "Input[dataElement={}, orgUnit={}, categoryOptionCombo={}, categoryOptions={}, \
         attributeOptionCombo={}, attributeCombo={}, attributeOptions={}, period={}, \
         value={}, comment={}, followUp={}, deleted={}]",
        s(dv.data_element()),
        s(dv.org_unit()),
        s(dv.category_option_combo()),
        category_options,
        s(dv.attribute_option_combo()),
        s(dv.attribute_combo()),
        attribute_options,
        s(dv.period()),
        s(dv.value()),
        s(dv.comment()),
        b(dv.followup()),
        b(dv.deleted()),
    )
}

// ---------------------------------------------------------------------------------------------
// Group validation (§4.9) and upsert
// ---------------------------------------------------------------------------------------------

/// The distinct items of an iterator, in order of first appearance.
fn distinct<T: Copy + Eq + std::hash::Hash>(items: impl Iterator<Item = T>) -> Vec<T> {
    let mut seen = FxHashSet::default();
    items.filter(|i| seen.insert(*i)).collect()
}

/// A data set's data element with its effective category combo.
fn element_category_combo(ds: &DataSet, de: &DataElement) -> Uid {
    ds.elements
        .iter()
        .find(|e| e.data_element == de.id.uid)
        .and_then(|e| e.category_combo)
        .unwrap_or(de.category_combo)
}

/// The deletion scope as values to validate (`ScopeValidationSource`): every element × org unit ×
/// period, in that nesting, so that DHIS2's lists come in its order; no value, no comment.
fn scope_source(data_set: Option<Uid>, scope: &Scope) -> Result<(Group, Values), GroupError> {
    let intern = |values: &mut Values, uid: Uid| {
        values.ids.intern(uid).map_err(|stop| match stop {
            Stop::Fail(m) => GroupError::Store(m),
            Stop::Conflict(p) => GroupError::Conflict(p),
        })
    };
    let mut values = Values::default();
    for e in &scope.elements {
        let de = intern(&mut values, e.de)?;
        let coc = e.coc.map(|c| intern(&mut values, c)).transpose()?;
        let aoc = e.aoc.map(|a| intern(&mut values, a)).transpose()?;
        for ou in &scope.org_units {
            let ou = intern(&mut values, *ou)?;
            for period in &scope.periods {
                values.entries.push(Entry {
                    de,
                    ou,
                    coc: coc.unwrap_or(NONE),
                    aoc: aoc.unwrap_or(NONE),
                    period: *period,
                    value: Span::ABSENT,
                    comment: Span::ABSENT,
                    followup: None,
                    deleted: Some(true),
                });
            }
        }
    }
    let members = (0..values.entries.len())
        .map(|p| {
            u32::try_from(p).map_err(|_| GroupError::Store("deletion scope too large".to_owned()))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let group = Group {
        data_set,
        members,
        scope: None,
    };
    Ok((group, values))
}

/// Whether `date` is within `[start, end]` (open ends allowed), as DHIS2's `DateRange.includes`.
fn in_range<T: PartialOrd>(start: Option<T>, end: Option<T>, date: T) -> bool {
    start.is_none_or(|s| s <= date) && end.is_none_or(|e| date <= e)
}

impl<'m> Run<'_, 'm> {
    fn members<'v>(
        &self,
        group: &'v Group,
        values: &'v Values,
    ) -> impl Iterator<Item = &'v Entry> + 'v {
        group.members.iter().filter_map(move |&p| values.entry(p))
    }

    fn uids(values: &Values, numbers: &[u32]) -> Vec<Uid> {
        numbers.iter().filter_map(|&n| values.uid(n)).collect()
    }

    /// `upsertGroup` / `deleteGroup` for one group: the deletion scope is validated first, then
    /// the values; the scope's rows are deleted before the values are written.
    fn import_group(
        &self,
        group: &Group,
        header: &GroupHeader,
        values: &Values,
        store: &mut dyn DataValueStore,
    ) -> Result<GroupDone, GroupError> {
        let scope = group.scope.as_ref().filter(|s| !s.selects_nothing());
        if let Some(scope) = scope {
            let (scope_group, scope_values) = scope_source(group.data_set, scope)?;
            self.validate_keys_and_time(&scope_group, &scope_values, store, true)?;
        }
        if group.members.is_empty() {
            let deleted = self.delete_scope(scope, store)?;
            let completed = self.complete(group.data_set, header, store)?;
            return Ok(GroupDone {
                completed,
                deleted,
                ..GroupDone::default()
            });
        }
        let (ds_uid, ds) = self.validate_keys_and_time(group, values, store, false)?;
        self.check_duplicates(group, values)?;
        let mut errors = Vec::new();
        let valid = self.check_values(ds, group, values, &mut errors);
        let entered = group.members.len() as u64;
        let attempted = valid.len() as u64;
        if self.settings.atomic && entered > attempted {
            if let ([(_, single)], 1) = (errors.as_slice(), entered) {
                return Err(GroupError::Conflict(single.clone()));
            }
            let first = errors.first().map(|(_, p)| p.message()).unwrap_or_default();
            return Err(GroupError::Conflict(Problem::new(
                E8000,
                vec![
                    Arg::Int(i64::try_from(attempted).unwrap_or(i64::MAX)),
                    Arg::Int(i64::try_from(entered).unwrap_or(i64::MAX)),
                    Arg::text(first),
                ],
            )));
        }
        let deleted = self.delete_scope(scope, store)?;
        if !self.settings.dry_run {
            let mut buf: Option<StoredValue> = None;
            for &position in &valid {
                if let Some(e) = values.entry(position) {
                    self.upsert(e, values, store, &mut buf)?;
                }
            }
        }
        let completed = if errors.is_empty() {
            self.complete(Some(ds_uid), header, store)?
        } else {
            None
        };
        Ok(GroupDone {
            attempted,
            succeeded: attempted,
            deleted,
            errors,
            completed,
        })
    }

    /// `validate` up to the value checks, for the values of a group or for its deletion scope
    /// (`wildcards`: an absent option combo is "any", not the default): data set detection,
    /// user access, key consistency and timeliness. Returns the data set.
    fn validate_keys_and_time(
        &self,
        group: &Group,
        values: &Values,
        store: &mut dyn DataValueStore,
        wildcards: bool,
    ) -> Result<(Uid, &'m DataSet), GroupError> {
        let ds_uid = match group.data_set {
            Some(ds) => ds,
            None => self.detect_data_set(group, values)?,
        };
        let ds = self.md.data_set(&ds_uid);
        if !self.settings.superuser {
            self.check_access(ds, group, values)?;
        }
        let Some(ds) = ds else {
            // An unknown data set contains no data element.
            let des = distinct(self.members(group, values).map(|e| e.de));
            return Err(GroupError::Conflict(Problem::new(
                E8020,
                vec![
                    Arg::text(ds_uid.as_str()),
                    Arg::uids(&Self::uids(values, &des)),
                ],
            )));
        };
        self.check_keys(ds, group, values, wildcards)?;
        if !self.settings.skip_timeliness {
            self.check_timeliness(ds, group, values, store)?;
        }
        Ok((ds_uid, ds))
    }

    /// Deletes the live rows a deletion scope selects (soft delete, with a `DELETE` changelog
    /// row each) and returns how many; a dry run only counts them (`countScope`).
    fn delete_scope(
        &self,
        scope: Option<&Scope>,
        store: &mut dyn DataValueStore,
    ) -> Result<u64, GroupError> {
        let Some(scope) = scope else {
            return Ok(0);
        };
        let query = ValueQuery {
            data_elements: distinct(scope.elements.iter().map(|e| e.de)),
            periods: scope.periods.clone(),
            org_units: Some(scope.org_units.clone()),
            include_deleted: false,
            ..ValueQuery::default()
        };
        let mut rows: Vec<StoredValue> = Vec::new();
        store.query(&query, &mut |row| {
            if scope.elements.iter().any(|e| e.matches(&row.key)) {
                rows.push(row.clone());
            }
            Ok(())
        })?;
        let count = rows.len() as u64;
        if self.settings.dry_run {
            return Ok(count);
        }
        let now = self.importer.now;
        let username = self.importer.access.username();
        for mut row in rows {
            let previous = row.value.clone();
            row.deleted = true;
            row.last_updated = now;
            set_text(&mut row.stored_by, Some(username));
            store.update(&row)?;
            store.audit(&Audit {
                key: row.key,
                previous_value: previous,
                modified_by: username.to_owned(),
                created: now,
                audit_type: AuditType::Delete,
            })?;
        }
        Ok(count)
    }

    /// `autoTargetDataSet`: the one data set of the group's data elements.
    fn detect_data_set(&self, group: &Group, values: &Values) -> Result<Uid, GroupError> {
        let des = Self::uids(values, &distinct(self.members(group, values).map(|e| e.de)));
        let sets = distinct(
            des.iter()
                .flat_map(|de| self.importer.index.data_sets_of_element(de))
                .map(|ds| ds.id.uid),
        );
        match sets.as_slice() {
            [] => Err(GroupError::Conflict(Problem::new(
                E8003,
                vec![Arg::uids(&des)],
            ))),
            [one] => Ok(*one),
            many => Err(GroupError::Conflict(Problem::new(
                E8002,
                vec![Arg::uids(many)],
            ))),
        }
    }

    /// `validateUserAccess` (non-superusers only).
    fn check_access(
        &self,
        ds: Option<&DataSet>,
        group: &Group,
        values: &Values,
    ) -> Result<(), GroupError> {
        let access = self.importer.access;
        if let Some(ds) = ds {
            if !access.can_write_data_set(ds) {
                return Err(GroupError::Conflict(Problem::new(
                    E8010,
                    vec![Arg::text(ds.id.uid.as_str())],
                )));
            }
        }
        let ous: Vec<Uid> =
            Self::uids(values, &distinct(self.members(group, values).map(|e| e.ou)))
                .into_iter()
                .filter(|ou| {
                    self.md
                        .org_unit(ou)
                        .is_some_and(|unit| !access.in_capture_hierarchy(unit))
                })
                .collect();
        if !ous.is_empty() {
            return Err(GroupError::Conflict(Problem::new(
                E8011,
                vec![Arg::uids(&ous)],
            )));
        }
        let combos = distinct(
            self.members(group, values)
                .map(|e| e.aoc)
                .chain(self.members(group, values).map(|e| e.coc))
                .filter(|&n| n != NONE),
        );
        let options = distinct(
            Self::uids(values, &combos)
                .iter()
                .filter_map(|c| self.md.category_option_combo(c))
                .flat_map(|c| c.options.iter().copied())
                .filter(|o| {
                    self.md
                        .category_option(o)
                        .is_some_and(|opt| !access.can_write_category_option(opt))
                }),
        );
        if !options.is_empty() {
            return Err(GroupError::Conflict(Problem::new(
                E8012,
                vec![Arg::uids(&options)],
            )));
        }
        Ok(())
    }

    /// `validateKeyConsistency`. With `wildcards` (a deletion scope) an absent option combo
    /// is not checked; for values it is the default combo.
    fn check_keys(
        &self,
        ds: &DataSet,
        group: &Group,
        values: &Values,
        wildcards: bool,
    ) -> Result<(), GroupError> {
        let md = self.md;
        let index = &self.importer.index;
        let ds_arg = || Arg::text(ds.id.uid.as_str());
        let conflict = |code, args| Err(GroupError::Conflict(Problem::new(code, args)));
        // E8020: data elements of the data set.
        let des = distinct(self.members(group, values).map(|e| e.de));
        let in_ds = |sets: &[&DataSet]| sets.iter().any(|d| d.id.uid == ds.id.uid);
        let not_in: Vec<Uid> = Self::uids(values, &des)
            .into_iter()
            .filter(|de| !in_ds(index.data_sets_of_element(de)))
            .collect();
        if !not_in.is_empty() {
            return conflict(E8020, vec![ds_arg(), Arg::uids(&not_in)]);
        }
        // E8022: org units that are sources of the data set.
        let ous = distinct(self.members(group, values).map(|e| e.ou));
        let not_source: Vec<Uid> = Self::uids(values, &ous)
            .into_iter()
            .filter(|ou| md.org_unit(ou).is_none() || !in_ds(index.data_sets_of_org_unit(ou)))
            .collect();
        if !not_source.is_empty() {
            return conflict(E8022, vec![ds_arg(), Arg::uids(&not_source)]);
        }
        // E8021: periods of the data set's period type.
        let other_type: Vec<Period> = distinct(self.members(group, values).map(|e| e.period))
            .into_iter()
            .filter(|p| p.period_type() != ds.period_type)
            .collect();
        if !other_type.is_empty() {
            return conflict(E8021, vec![ds_arg(), Arg::periods(&other_type)]);
        }
        // E8023: attribute option combos of the data set's category combo (absent = default).
        let default_cc = md
            .category_combo(&ds.category_combo)
            .is_some_and(|cc| cc.id.name.as_deref() == Some("default"));
        let aocs = distinct(
            self.members(group, values)
                .filter(|e| !(wildcards && e.aoc == NONE))
                .map(|e| values.uid(e.aoc).unwrap_or(self.default_coc)),
        );
        let bad_aocs: Vec<Uid> = aocs
            .into_iter()
            .filter(|aoc| match md.category_option_combo(aoc) {
                None => true,
                Some(c) => {
                    (default_cc && c.id.name.as_deref() != Some("default"))
                        || !index.combo_has_option_combo(&ds.category_combo, aoc)
                }
            })
            .collect();
        if !bad_aocs.is_empty() {
            return conflict(E8023, vec![ds_arg(), Arg::uids(&bad_aocs)]);
        }
        // E8024: category option combos of the element's category combo (absent = default).
        let mut cocs_of: FxHashMap<u32, Vec<Uid>> = FxHashMap::default();
        for e in self.members(group, values) {
            if wildcards && e.coc == NONE {
                continue;
            }
            let coc = values.uid(e.coc).unwrap_or(self.default_coc);
            let list = cocs_of.entry(e.de).or_default();
            if !list.contains(&coc) {
                list.push(coc);
            }
        }
        for &de_n in &des {
            let (Some(de_uid), Some(cocs)) = (values.uid(de_n), cocs_of.get(&de_n)) else {
                continue;
            };
            let Some(de) = md.data_element(&de_uid) else {
                continue;
            };
            let cc = element_category_combo(ds, de);
            let bad: Vec<Uid> = cocs
                .iter()
                .copied()
                .filter(|coc| {
                    md.category_option_combo(coc).is_none()
                        || !index.combo_has_option_combo(&cc, coc)
                })
                .collect();
            if !bad.is_empty() {
                return conflict(
                    E8024,
                    vec![ds_arg(), Arg::text(de_uid.as_str()), Arg::uids(&bad)],
                );
            }
        }
        // E8025: org units within the org units of the attribute options.
        let restricted = distinct(
            self.members(group, values)
                .map(|e| e.aoc)
                .filter(|&n| n != NONE),
        );
        for aoc_n in restricted {
            let Some(aoc_uid) = values.uid(aoc_n) else {
                continue;
            };
            let lists = &index.restrictions_of(&aoc_uid).org_unit_lists;
            if lists.is_empty() {
                continue;
            }
            let ous = distinct(
                self.members(group, values)
                    .filter(|e| e.aoc == aoc_n)
                    .map(|e| e.ou),
            );
            let outside: Vec<Uid> = Self::uids(values, &ous)
                .into_iter()
                .filter(|ou| !lists.iter().all(|list| md.is_org_unit_within_any(ou, list)))
                .collect();
            if !outside.is_empty() {
                return conflict(
                    E8025,
                    vec![Arg::text(aoc_uid.as_str()), Arg::uids(&outside)],
                );
            }
        }
        // E8031: periods within the org unit's opening and closed dates.
        let pairs = distinct(self.members(group, values).map(|e| (e.ou, e.period)));
        let mut offending: Option<(u32, Vec<Period>)> = None;
        for (ou_n, period) in pairs {
            let Some(unit) = values.uid(ou_n).and_then(|u| md.org_unit(&u)) else {
                continue;
            };
            if in_range(unit.opening_date, unit.closed_date, period.start_date()) {
                continue;
            }
            match &mut offending {
                None => offending = Some((ou_n, vec![period])),
                Some((first, periods)) if *first == ou_n && !periods.contains(&period) => {
                    periods.push(period)
                }
                Some(_) => {}
            }
        }
        if let Some((ou_n, periods)) = offending {
            let ou = values.uid(ou_n).map(|u| u.as_str().to_owned());
            return conflict(E8031, vec![Arg::Text(ou), Arg::periods(&periods)]);
        }
        Ok(())
    }

    /// `validateEntryTimeliness` (skipped when a superuser forces).
    fn check_timeliness(
        &self,
        ds: &DataSet,
        group: &Group,
        values: &Values,
        store: &mut dyn DataValueStore,
    ) -> Result<(), GroupError> {
        let now = self.importer.now;
        let today = now.date_naive();
        let ds_arg = || Arg::text(ds.id.uid.as_str());
        let untimely = |periods: &[Period]| {
            Err(GroupError::Conflict(Problem::new(
                E8030,
                vec![ds_arg(), Arg::periods(periods)],
            )))
        };
        let periods = distinct(self.members(group, values).map(|e| e.period));
        if !ds.data_input_periods.is_empty() {
            let now = now.naive_utc();
            let closed: Vec<Period> = periods
                .iter()
                .copied()
                .filter(|p| {
                    !ds.data_input_periods.iter().any(|dip| {
                        dip.period == *p && in_range(dip.opening_date, dip.closing_date, now)
                    })
                })
                .collect();
            if !closed.is_empty() {
                return untimely(&closed);
            }
        } else if !self.settings.edit_expired {
            if ds.expiry_days > 0 {
                let mut expired: Vec<Period> = Vec::new();
                for (ou_n, period) in
                    distinct(self.members(group, values).map(|e| (e.ou, e.period)))
                {
                    if expired.contains(&period) {
                        continue;
                    }
                    let Some(deadline) = period
                        .end_date()
                        .checked_add_signed(Duration::days(ds.expiry_days.saturating_add(1)))
                    else {
                        continue;
                    };
                    if now.naive_utc() <= deadline.and_time(NaiveTime::MIN) {
                        continue;
                    }
                    let Some(ou) = values.uid(ou_n) else { continue };
                    if !store.has_lock_exception(&ds.id.uid, &period, &ou)? {
                        expired.push(period);
                    }
                }
                if !expired.is_empty() {
                    return untimely(&expired);
                }
            }
            if ds.expiry_days >= 0 {
                let latest = periods
                    .first()
                    .and_then(|p| p.period_type().future_period(today, ds.open_future_periods));
                if let Some(latest) = latest {
                    let early: Vec<Period> = periods
                        .iter()
                        .copied()
                        .filter(|p| p.start_date() > latest.end_date())
                        .collect();
                    if !early.is_empty() {
                        return untimely(&early);
                    }
                }
            }
        }
        // E8033 (approvals): no approval records exist offline.
        // E8032: periods within the attribute options' dates.
        let pairs = distinct(
            self.members(group, values)
                .filter(|e| e.aoc != NONE)
                .map(|e| (e.aoc, e.period)),
        );
        let mut offending: Option<(u32, Vec<Period>)> = None;
        for (aoc_n, period) in pairs {
            let Some(aoc) = values
                .uid(aoc_n)
                .and_then(|u| self.md.category_option_combo(&u))
            else {
                continue;
            };
            let r = self.importer.index.restrictions_of(&aoc.id.uid);
            let fits = |p: &Period| {
                in_range(r.start, r.end, p.start_date()) && in_range(r.start, r.end, p.end_date())
            };
            let ok = fits(&period)
                || (ds.open_periods_after_co_end_date > 0
                    && period
                        .offset(-ds.open_periods_after_co_end_date)
                        .is_some_and(|back| fits(&back)));
            if ok {
                continue;
            }
            match &mut offending {
                None => offending = Some((aoc_n, vec![period])),
                Some((first, list)) if *first == aoc_n && !list.contains(&period) => {
                    list.push(period)
                }
                Some(_) => {}
            }
        }
        if let Some((aoc_n, periods)) = offending {
            let aoc = values.uid(aoc_n).map(|u| u.as_str().to_owned());
            return Err(GroupError::Conflict(Problem::new(
                E8032,
                vec![Arg::Text(aoc), Arg::periods(&periods)],
            )));
        }
        Ok(())
    }

    /// E8128: no two values of the group may write the same row. Reports the duplicate set whose
    /// first value comes first.
    fn check_duplicates(&self, group: &Group, values: &Values) -> Result<(), GroupError> {
        type Key = (u32, u32, u32, u32, Period);
        let key = |e: &Entry| -> Key { (e.de, e.ou, e.coc, e.aoc, e.period) };
        let mut first: FxHashMap<Key, u32> =
            FxHashMap::with_capacity_and_hasher(group.members.len(), Default::default());
        let mut lowest: Option<u32> = None;
        for &p in &group.members {
            let Some(e) = values.entry(p) else { continue };
            match first.get(&key(e)) {
                Some(&f) => lowest = Some(lowest.map_or(f, |l| l.min(f))),
                None => {
                    first.insert(key(e), p);
                }
            }
        }
        let Some(lowest) = lowest else { return Ok(()) };
        let Some(dup) = values.entry(lowest).map(key) else {
            return Ok(());
        };
        let indexes: Vec<String> = group
            .members
            .iter()
            .filter(|&&p| values.entry(p).map(key) == Some(dup))
            .map(u32::to_string)
            .collect();
        let id = |n: u32| {
            values
                .uid(n)
                .map_or_else(|| "null".to_owned(), |u| u.as_str().to_owned())
        };
        let rendered = format!(
            "DataValueKey[dataElement={}, orgUnit={}, categoryOptionCombo={}, attributeOptionCombo={}, period={}]",
            id(dup.0),
            id(dup.1),
            id(dup.2),
            id(dup.3),
            dup.4
        );
        Err(GroupError::Conflict(Problem::new(
            E8128,
            vec![Arg::List(indexes), Arg::text(rendered)],
        )))
    }

    /// `validateValues`: returns the positions of the valid values; errors go to `errors`.
    fn check_values(
        &self,
        ds: &DataSet,
        group: &Group,
        values: &Values,
        errors: &mut Vec<(i64, Problem)>,
    ) -> Vec<u32> {
        if self.members(group, values).all(|e| e.deleted == Some(true)) {
            return group.members.clone();
        }
        let md = self.md;
        let comment_allows_empty = ds.no_value_requires_comment;
        let mut valid = Vec::with_capacity(group.members.len());
        for &position in &group.members {
            let Some(e) = values.entry(position) else {
                continue;
            };
            let index = i64::from(position);
            let at = Arg::Int(index);
            let Some(de) = values.uid(e.de).and_then(|u| md.data_element(&u)) else {
                continue;
            };
            let raw = values.text(e.value);
            let val = raw.map(|v| de.value_type.normalize_pipeline(v));
            let val = val.as_deref();
            let comment = values.text(e.comment);
            let comment_empty = comment.is_none_or(str::is_empty);
            let allow_empty = e.deleted == Some(true) || (comment_allows_empty && comment_empty);
            let empty = val.is_none_or(str::is_empty);
            let problem = if empty && !allow_empty {
                let code = if comment_allows_empty { E8121 } else { E8120 };
                Some(Problem::new(code, vec![at]))
            } else if let Some(error) = val
                .filter(|_| !empty)
                .and_then(|v| de.value_type.validate(Some(v), true).err())
            {
                Some(Problem::new(
                    E8122,
                    vec![
                        at,
                        Arg::opt(val),
                        Arg::text(de.value_type.name()),
                        Arg::text(error.key()),
                    ],
                ))
            } else if let Some(bad) = val
                .filter(|_| !empty)
                .and_then(|v| self.not_an_option(de, v))
            {
                Some(Problem::new(
                    E8123,
                    vec![at, Arg::text(bad), Arg::text(de.id.uid.as_str())],
                ))
            } else if self.comment_not_an_option(de, comment) {
                Some(Problem::new(E8124, vec![at, Arg::opt(comment)]))
            } else if comment.is_some_and(|c| c.encode_utf16().count() > MAX_COMMENT) {
                Some(Problem::new(E8125, vec![at, Arg::Int(MAX_COMMENT as i64)]))
            } else {
                None
            };
            match problem {
                Some(p) => errors.push((index, p)),
                None => valid.push(position),
            }
        }
        valid
    }

    /// Whether an option set exists and has option codes (DHIS2 only checks elements whose
    /// option set has options: `getOptionsByDataElements`).
    fn has_codes(&self, option_set: &Uid) -> bool {
        self.md
            .option_set(option_set)
            .is_some_and(|s| s.options.iter().any(|o| o.id.code.is_some()))
    }

    /// E8123: the value (or, for MULTI_TEXT, its first part) that is not an option code.
    fn not_an_option<'v>(&self, de: &DataElement, value: &'v str) -> Option<&'v str> {
        let os = de.option_set?;
        let index = &self.importer.index;
        if index.is_option_code(&os, value) || !self.has_codes(&os) {
            return None;
        }
        if de.value_type == ValueType::MultiText {
            let parts = java_split_comma(value);
            return parts.into_iter().find(|p| !index.is_option_code(&os, p));
        }
        Some(value)
    }

    /// E8124: the element has a comment option set and the comment is not one of its codes.
    fn comment_not_an_option(&self, de: &DataElement, comment: Option<&str>) -> bool {
        let Some(os) = de.comment_option_set else {
            return false;
        };
        let index = &self.importer.index;
        !comment.is_some_and(|c| index.is_option_code(&os, c)) && self.has_codes(&os)
    }

    fn key_of(&self, values: &Values, e: &Entry) -> DataValueKey {
        DataValueKey {
            data_element: values.uid(e.de).unwrap_or(self.default_coc),
            period: e.period,
            org_unit: values.uid(e.ou).unwrap_or(self.default_coc),
            category_option_combo: values.uid(e.coc).unwrap_or(self.default_coc),
            attribute_option_combo: values.uid(e.aoc).unwrap_or(self.default_coc),
        }
    }

    /// `HibernateDataEntryStore.upsertValues` for one value, with its changelog row.
    fn upsert(
        &self,
        e: &Entry,
        values: &Values,
        store: &mut dyn DataValueStore,
        buf: &mut Option<StoredValue>,
    ) -> Result<(), GroupError> {
        let now = self.importer.now;
        let key = self.key_of(values, e);
        let buf = buf.get_or_insert_with(|| StoredValue::empty(key, now));
        let de_type = self
            .md
            .data_element(&key.data_element)
            .map(|d| d.value_type);
        let value = values
            .text(e.value)
            .map(|v| de_type.map_or(std::borrow::Cow::Borrowed(v), |t| t.normalize_pipeline(v)));
        let value = value.as_deref();
        let comment = values.text(e.comment);
        let deleted = e.deleted == Some(true);
        let username = self.importer.access.username();
        let existing = store.get(&key, buf)?;
        let new = existing == Existing::None;
        let was_live = !new && !buf.deleted;
        let (audit_type, audited) = if new {
            // `get` left the buffer as it was: start the row afresh.
            buf.created = now;
            (AuditType::Create, value.map(str::to_owned))
        } else if was_live && deleted {
            (AuditType::Delete, buf.value.clone())
        } else {
            (AuditType::Update, buf.value.clone())
        };
        buf.key = key;
        set_text(&mut buf.value, value);
        // `CASE WHEN datavalue.deleted = false AND EXCLUDED.deleted = true THEN datavalue.comment`
        if !(was_live && deleted) {
            set_text(&mut buf.comment, comment);
        }
        set_text(&mut buf.stored_by, Some(username));
        buf.followup = e.followup == Some(true);
        buf.deleted = deleted;
        buf.last_updated = now;
        if new {
            store.insert(buf)?;
        } else {
            store.update(buf)?;
        }
        store.audit(&Audit {
            key,
            previous_value: audited,
            modified_by: username.to_owned(),
            created: now,
            audit_type,
        })?;
        Ok(())
    }

    /// Registers the completion of a group that had no ignored value (not in dry runs).
    fn complete(
        &self,
        data_set: Option<Uid>,
        header: &GroupHeader,
        store: &mut dyn DataValueStore,
    ) -> Result<Option<NaiveDate>, GroupError> {
        let (Some(date), Some(ds), Some(period), Some(ou_raw)) = (
            header.completion,
            data_set,
            header.period,
            header.org_unit.as_deref(),
        ) else {
            return Ok(None);
        };
        if self.settings.dry_run || self.md.data_set(&ds).is_none() {
            return Ok(None);
        }
        let ou = match self.decode_id(SchemeTarget::OrgUnit, ObjectKind::OrganisationUnit, ou_raw) {
            Ok(Decoded::Found(uid)) => uid,
            Ok(_) => {
                return Err(GroupError::Store(format!(
                    "the completion's org unit `{ou_raw}` could not be decoded"
                )))
            }
            Err(Stop::Fail(m)) => return Err(GroupError::Store(m)),
            Err(Stop::Conflict(p)) => return Err(GroupError::Store(p.message())),
        };
        let aoc = match header.attribute_option_combo.as_deref() {
            Some(raw) => match self.decode_id(
                SchemeTarget::AttributeOptionCombo,
                ObjectKind::CategoryOptionCombo,
                raw,
            ) {
                Ok(Decoded::Found(uid)) => uid,
                _ => self.default_coc,
            },
            None => self.default_coc,
        };
        store.set_completion(&Completion {
            data_set: ds,
            period,
            org_unit: ou,
            attribute_option_combo: aoc,
            date,
            stored_by: self.importer.access.username().to_owned(),
            last_updated: self.importer.now,
            completed: true,
        })?;
        Ok(Some(date))
    }
}

/// Replaces an optional text, reusing the string's allocation.
fn set_text(slot: &mut Option<String>, text: Option<&str>) {
    match (slot.as_mut(), text) {
        (Some(s), Some(t)) => {
            s.clear();
            s.push_str(t);
        }
        (None, Some(t)) => *slot = Some(t.to_owned()),
        (_, None) => *slot = None,
    }
}

/// Java's `String.split(",")`: trailing empty strings are removed.
fn java_split_comma(value: &str) -> Vec<&str> {
    let mut parts: Vec<&str> = value.split(',').collect();
    while parts.last().is_some_and(|p| p.is_empty()) {
        parts.pop();
    }
    parts
}

// ---------------------------------------------------------------------------------------------
// Dates (`DateUtils.parseDate`, Appendix A)
// ---------------------------------------------------------------------------------------------

/// Parses a date in one of `DateUtils.parseDate`'s forms, as a UTC calendar date.
fn parse_date(s: &str) -> Option<NaiveDate> {
    let b = s.as_bytes();
    let digits = |from: usize, to: usize| -> Option<u32> {
        let part = s.get(from..to)?;
        if part.is_empty() || !part.bytes().all(|c| c.is_ascii_digit()) {
            return None;
        }
        part.parse().ok()
    };
    let year = |from: usize| digits(from, from + 4).and_then(|y| i32::try_from(y).ok());
    match b.len() {
        4 => return NaiveDate::from_ymd_opt(year(0)?, 1, 1),
        7 if b.get(4) == Some(&b'-') => return NaiveDate::from_ymd_opt(year(0)?, digits(5, 7)?, 1),
        8 => return NaiveDate::from_ymd_opt(year(0)?, digits(4, 6)?, digits(6, 8)?),
        _ => {}
    }
    if b.len() < 10 || b.get(4) != Some(&b'-') || b.get(7) != Some(&b'-') {
        return None;
    }
    let date = NaiveDate::from_ymd_opt(year(0)?, digits(5, 7)?, digits(8, 10)?)?;
    let rest = s.get(10..)?;
    if rest.is_empty() {
        return Some(date);
    }
    let (time_part, offset_required) = if let Some(t) = rest.strip_prefix('T') {
        (t, false)
    } else if let Some(t) = rest.strip_prefix(' ') {
        (t, true)
    } else {
        return None;
    };
    let (time, offset) = split_offset(time_part)?;
    if offset_required && (offset.is_none() || time.len() != 8) {
        return None;
    }
    let t = parse_time(time)?;
    let local = NaiveDateTime::new(date, t);
    let utc = match offset {
        Some(seconds) => local.checked_sub_signed(Duration::seconds(seconds))?,
        None => local,
    };
    Some(DateTime::<Utc>::from_naive_utc_and_offset(utc, Utc).date_naive())
}

/// Splits `HH[:mm[:ss[.f…]]]` from a trailing offset (`Z`, `±HH:mm`, `±HHmm`); the offset in
/// seconds east of UTC.
fn split_offset(s: &str) -> Option<(&str, Option<i64>)> {
    if let Some(time) = s.strip_suffix('Z') {
        return Some((time, Some(0)));
    }
    let Some(at) = s.rfind(['+', '-']) else {
        return Some((s, None));
    };
    let (time, offset) = s.split_at(at);
    let sign = if offset.starts_with('-') { -1 } else { 1 };
    let body = offset.get(1..)?.replace(':', "");
    if body.len() != 4 || !body.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let hours: i64 = body.get(..2)?.parse().ok()?;
    let minutes: i64 = body.get(2..)?.parse().ok()?;
    if hours > 23 || minutes > 59 {
        return None;
    }
    Some((time, Some(sign * (hours * 3600 + minutes * 60))))
}

fn parse_time(s: &str) -> Option<NaiveTime> {
    let two = |from: usize| -> Option<u32> {
        let part = s.get(from..from + 2)?;
        part.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| part.parse().ok())?
    };
    let hour = two(0)?;
    let (minute, second, nanos) = match s.len() {
        2 => (0, 0, 0),
        5 if s.get(2..3) == Some(":") => (two(3)?, 0, 0),
        8.. if s.get(2..3) == Some(":") && s.get(5..6) == Some(":") => {
            let fraction = s.get(8..)?;
            let nanos = match fraction.strip_prefix('.') {
                None if fraction.is_empty() => 0,
                Some(f) if (1..=9).contains(&f.len()) && f.bytes().all(|c| c.is_ascii_digit()) => {
                    let padded = format!("{f:0<9}");
                    padded.parse().ok()?
                }
                _ => return None,
            };
            (two(3)?, two(6)?, nanos)
        }
        _ => return None,
    };
    NaiveTime::from_hms_nano_opt(hour, minute, second, nanos)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn java_numbers_group_thousands() {
        assert_eq!(java_grouped(0), "0");
        assert_eq!(java_grouped(999), "999");
        assert_eq!(java_grouped(1000), "1,000");
        assert_eq!(java_grouped(5000), "5,000");
        assert_eq!(java_grouped(1234567), "1,234,567");
        assert_eq!(java_grouped(-1234), "-1,234");
    }

    #[test]
    fn problems_render_like_dhis2() {
        let p = Problem::new(
            E8020,
            vec![
                Arg::text("pBOMPrpg1QX"),
                Arg::List(vec!["nonEx1sting".into()]),
            ],
        );
        assert_eq!(
            p.message(),
            "Data set pBOMPrpg1QX not usable with data element(s): `[nonEx1sting]`"
        );
        let c = p.conflict(vec![0, 1]);
        assert_eq!(c.object, None);
        assert_eq!(c.property, None);
        assert_eq!(
            c.objects,
            [("args".into(), Some("pBOMPrpg1QX-[nonEx1sting]".into()))]
        );
        let long = Problem::new(E8125, vec![Arg::Int(1200), Arg::Int(5000)]);
        assert_eq!(
            long.message(),
            "Value #1,200 comment too long (max 5,000 characters)`"
        );
        assert_eq!(long.key(), "1200-5000");
        assert_eq!(Problem::new(E8009, vec![]).key(), "");
        assert_eq!(Arg::Text(None).in_message(), "null");
    }

    #[test]
    fn conflicts_merge_same_code_and_args() {
        let mut c = Conflicts::default();
        let p = Problem::new(E8020, vec![Arg::text("a")]);
        c.add(p.conflict(vec![0]));
        c.add(p.conflict(vec![3]));
        c.add(Problem::new(E8020, vec![Arg::text("b")]).conflict(vec![4]));
        assert_eq!(c.list.len(), 2);
        assert_eq!(c.list[0].indexes, Some(vec![0, 3]));
    }

    #[test]
    fn dates_parse_like_date_utils() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day);
        assert_eq!(parse_date("2012-01-09"), d(2012, 1, 9));
        assert_eq!(parse_date("20120109"), d(2012, 1, 9));
        assert_eq!(parse_date("2012-01"), d(2012, 1, 1));
        assert_eq!(parse_date("2012"), d(2012, 1, 1));
        assert_eq!(parse_date("2012-01-09T10:20:30.123+0000"), d(2012, 1, 9));
        assert_eq!(parse_date("2012-01-09T23:30:00-02:00"), d(2012, 1, 10));
        assert_eq!(parse_date("2012-01-09T10:20"), d(2012, 1, 9));
        assert_eq!(parse_date("2012-01-09T10"), d(2012, 1, 9));
        assert_eq!(parse_date("2012-01-09T10:20:30.123456789Z"), d(2012, 1, 9));
        assert_eq!(parse_date("2012-01-09 10:20:30+0100"), d(2012, 1, 9));
        assert_eq!(parse_date("2012-01-09 10:20:30"), None);
        assert_eq!(parse_date("true"), None);
        assert_eq!(parse_date("2012-13-01"), None);
        assert_eq!(parse_date("2012-02-30"), None);
        assert_eq!(parse_date("09/01/2012"), None);
        assert_eq!(parse_date(""), None);
    }

    #[test]
    fn java_split_drops_trailing_empty_parts() {
        assert_eq!(java_split_comma("1,2,,"), ["1", "2"]);
        assert_eq!(java_split_comma("1,,2"), ["1", "", "2"]);
    }

    #[test]
    fn input_renders_as_a_java_record() {
        let dv = DataValue::from_fields(&[
            (dxf2_model::Field::DataElement, "f7n9E0hX8qk"),
            (dxf2_model::Field::Value, "1"),
        ]);
        assert_eq!(
            render_input(&dv),
            "Input[dataElement=f7n9E0hX8qk, orgUnit=null, categoryOptionCombo=null, \
             categoryOptions=null, attributeOptionCombo=null, attributeCombo=null, \
             attributeOptions=null, period=null, value=1, comment=null, followUp=null, deleted=null]"
        );
    }
}
