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
//! 3. **Groups**: one group per import, whose data set is the payload's (or, for CSV, the request
//!    option's) or is detected during validation; with the system setting
//!    [`SystemSettings::data_entry_auto_group`](crate::SystemSettings::data_entry_auto_group) a set
//!    without a data set is split into one group per data set (`E8003` when a data element is in
//!    none: a decoding-style failure).
//! 4. **Group validation** (§4.9), first failure wins and rejects the whole group (one conflict
//!    whose `indexes` are all the group's values, status `ERROR`): data set detection
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
//! 6. **Upsert** of the valid values: insert or overwrite, whatever was stored (no create/update
//!    distinction, no "unchanged" case, zero values stored); `storedBy` is the importing user,
//!    payload `storedBy`/`created`/`lastUpdated` are ignored; a deletion keeps the stored comment
//!    of a live row. Every upsert writes a changelog (audit) row.
//! 7. **Summary** (§5.5): `imported` is always 0; every value written counts as `updated`
//!    (`deleted` instead under the DELETE strategy); `ignored` = value errors. Status `SUCCESS`
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
//! Not implemented, because a [`DataValueSource`] does not carry them: the CSV columns
//! `attributeCombo`/`attributeOptions` (`E8126`/`E8127`) and category-option columns (`E8101`,
//! `E8108` from category options), and the JSON `deletion` scope (`E8034`/`E8035`); the readers
//! refuse the JSON object forms and the deletion scope.

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, NaiveTime, Utc};
use dxf2_model::metadata::{DataElement, DataSet};
use dxf2_model::{
    DataValue, DataValueSetHeader, DataValueSource, IdScheme, IdSchemes, ImportConflict,
    ImportCount, ImportOptions, ImportStatus, ImportSummary, ImporterProfile, Metadata, ObjectKind,
    Period, SchemeTarget, Uid, ValueType,
};
use idscheme_resolver::Resolver;
use rustc_hash::{FxHashMap, FxHashSet};

use crate::codes::*;
use crate::conflicts::{format_message, ErrorCode};
use crate::store::{
    Audit, AuditType, Completion, DataValueKey, DataValueStore, Existing, StoredValue,
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

/// The object types a data value set names, with the scheme target and kind of each.
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

/// One group: its data set (when given) and the positions of its values.
struct Group {
    data_set: Option<Uid>,
    members: Vec<u32>,
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
        let group_header = match run.decode_group(&header) {
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
                if let Err(s) = run.decode_value(group, &record, index, &mut values) {
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
        let groups = match run.groups(&group_header, &values) {
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
        for (target, _) in DECODED_TYPES {
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
    let (mut attempted, mut succeeded, mut errors) = (0u64, 0u64, 0u64);
    for d in done {
        attempted += d.attempted;
        succeeded += d.succeeded;
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
        deleted: 0,
    };
    if settings.delete {
        count.deleted = count.updated;
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

    fn decode_group(&self, header: &DataValueSetHeader) -> Result<GroupHeader, Stop> {
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
        if completion.is_some()
            && (header.data_set.is_none() || header.org_unit.is_none() || period.is_none())
        {
            return Err(Stop::Conflict(Problem::new(E8009, Vec::new())));
        }
        Ok(GroupHeader {
            data_set,
            period,
            org_unit: header.org_unit.clone(),
            attribute_option_combo: header.attribute_option_combo.clone(),
            completion,
        })
    }

    /// `decodeGroup`'s loop body for one value.
    fn decode_value(
        &self,
        group: &GroupHeader,
        dv: &DataValue,
        index: i64,
        values: &mut Values,
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
        // COC
        let coc = match dv.category_option_combo().filter(|c| !c.is_empty()) {
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
        // AOC
        let aoc_raw = dv
            .attribute_option_combo()
            .filter(|a| !a.is_empty())
            .or(group.attribute_option_combo.as_deref());
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

    /// The groups of the import (§4.9 step 2).
    fn groups(&self, header: &GroupHeader, values: &Values) -> Result<Vec<Group>, Stop> {
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
                });
                groups.len() - 1
            });
            if let Some(g) = groups.get_mut(at) {
                g.members.push(position);
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
    format!(
        "Input[dataElement={}, orgUnit={}, categoryOptionCombo={}, categoryOptions=null, \
         attributeOptionCombo={}, attributeCombo=null, attributeOptions=null, period={}, \
         value={}, comment={}, followUp={}, deleted={}]",
        s(dv.data_element()),
        s(dv.org_unit()),
        s(dv.category_option_combo()),
        s(dv.attribute_option_combo()),
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

    /// `upsertGroup` / `deleteGroup` for one group.
    fn import_group(
        &self,
        group: &Group,
        header: &GroupHeader,
        values: &Values,
        store: &mut dyn DataValueStore,
    ) -> Result<GroupDone, GroupError> {
        if group.members.is_empty() {
            let completed = self.complete(group.data_set, header, store)?;
            return Ok(GroupDone {
                completed,
                ..GroupDone::default()
            });
        }
        let ds_uid = match group.data_set {
            Some(ds) => ds,
            None => self.detect_data_set(group, values)?,
        };
        let ds = self.md.data_set(&ds_uid);
        let ds_arg = || Arg::text(ds_uid.as_str());
        if !self.settings.superuser {
            self.check_access(ds, group, values)?;
        }
        let Some(ds) = ds else {
            // An unknown data set contains no data element.
            let des = distinct(self.members(group, values).map(|e| e.de));
            return Err(GroupError::Conflict(Problem::new(
                E8020,
                vec![ds_arg(), Arg::uids(&Self::uids(values, &des))],
            )));
        };
        self.check_keys(ds, group, values)?;
        if !self.settings.skip_timeliness {
            self.check_timeliness(ds, group, values, store)?;
        }
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
            errors,
            completed,
        })
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

    /// `validateKeyConsistency`.
    fn check_keys(&self, ds: &DataSet, group: &Group, values: &Values) -> Result<(), GroupError> {
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
            let Some(aoc) = md.category_option_combo(&aoc_uid) else {
                continue;
            };
            let lists = index.aoc_restrictions(aoc).org_unit_lists;
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
                .filter(|ou| {
                    let path = md.org_unit(ou).map(|u| u.path.as_str()).unwrap_or_default();
                    !lists.iter().all(|list| {
                        list.iter().any(|unit| {
                            md.org_unit(unit).is_some_and(|u| {
                                !u.path.is_empty()
                                    && (path == u.path
                                        || path
                                            .strip_prefix(u.path.as_str())
                                            .is_some_and(|rest| rest.starts_with('/')))
                            })
                        })
                    })
                })
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
            let r = self.importer.index.aoc_restrictions(aoc);
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
