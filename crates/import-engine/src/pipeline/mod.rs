//! The DHIS2 2.43+ "new pipeline" importer (`DataEntryIO` → `DefaultDataEntryService` →
//! `HibernateDataEntryStore`), selected by `ImporterProfile::Pipeline`: every option, decoding,
//! validation, write and summary rule in which 2.43+ differs from the classic importer lives
//! here (how 2.43+ reads XML, JSON and CSV lives in the codec readers' pipeline mode).
//!
//! One stage per child module: `decode` (step 2) with `categories` (category option decoding)
//! and `dates` (`completeDate`), `values` (the decoded values kept until validation), `groups`
//! (step 3 and the deletion scope), `validate` (steps 4–5), `apply` (steps 6 and 8), `summary`
//! (step 7), `messages` (conflict messages as Java renders them) and `notes` (where each value
//! a conflict names is in the source, and its offending string: the outcome's `value_notes`,
//! never part of DHIS2's summary). This module holds the effective options (step 1) and the run
//! that chains the stages.
//!
//! # How an import runs
//!
//! 1. **Options**. The payload's id schemes overwrite the request's, field by
//!    field ([`IdSchemes::pipeline_merge`]); each object type then takes its specific scheme, else
//!    the general one, else UID. Attribute option combos have their own scheme
//!    (`attributeOptionComboIdScheme`). `ID` means UID; `UUID` fails the import. The payload
//!    `dryRun` overwrites the request's. The strategy only matters when it is `DELETE`/`DELETES`
//!    (every value becomes a deletion); a payload strategy is never read. `skipExistingCheck`,
//!    `preheatCache`, `skipAudit` and the `strict…`/`require…` options have no effect: the strict
//!    rules always apply.
//! 2. **Decoding**, in DHIS2's order: the group `period`; the data set (`E8005` not found
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
//! 4. **Group validation**, first failure wins and rejects the whole group (one conflict
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
//!    normalisation ([`ValueType::normalize_pipeline`](dxf2_model::ValueType::normalize_pipeline)); `E8120`/`E8121` empty value, `E8122`
//!    value type, `E8123` option, `E8124` comment option, `E8125` comment over 5,000 characters.
//!    A value error skips only that value (one conflict per value, `indexes` `[i]`); with `atomic`
//!    any value error rejects the group with `E8000` (or the single error of a one-value group).
//! 6. **Deletion** of the live rows the scope selects (soft delete, `DELETE` changelog row; a
//!    dry run counts them), then the **upsert** of the valid values: insert or overwrite,
//!    whatever was stored (no create/update distinction, no "unchanged" case, zero values
//!    stored); `storedBy` is the importing user,
//!    payload `storedBy`/`created`/`lastUpdated` are ignored; a deletion keeps the stored comment
//!    of a live row. Every upsert writes a changelog (audit) row.
//! 7. **Summary**: `imported` is always 0; every value written counts as `updated`
//!    (added to `deleted` instead under the DELETE strategy); `deleted` counts the rows the
//!    deletion scope removed; `ignored` = value errors. Status `SUCCESS`
//!    without value errors, else `WARNING` when something was written and `ERROR` when nothing
//!    was; any group failure makes it `ERROR`. Value conflicts come first, then group conflicts;
//!    `rejectedIndexes` likewise. The summary has no description.
//! 8. **Completion**: a group is registered complete only when it has no ignored value and the
//!    import is not a dry run; `dataSetComplete` is the completion date (`yyyy-MM-dd`) when
//!    every group was completed with the same date, else `"false"`.
//!
//! Conflicts have DHIS2 2.43's shape: no `object`, no `property`, `objects` = `{"args": …}` (the
//! message arguments joined with `-`), the message formatted as Java's `MessageFormat` does
//! (numbers with thousands separators, lists as `[a, b]`).
//!
//! # Memory
//!
//! Group validation looks at every value of a group before the first one is written, so this
//! importer keeps the decoded values of the import (about 60 bytes per value plus its value and
//! comment text; identifiers are interned), as DHIS2 itself does. The classic importer streams.
//!
//! # Inferred behaviour and choices of this module
//!
//! DHIS2's tests do not pin these, or its code leaves them open; this is what is implemented:
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
//!   (DHIS2's intent; the filter in the DHIS2 code read for it is inverted).
//! * A period is after the latest open future period when it starts after that period's end.
//! * `E8032` with `openPeriodsAfterCoEndDate`: the period is moved back that many periods and
//!   checked again against the unchanged date range.
//! * No approval records exist offline, so `E8033` never fires (as `E7642` in the classic profile).
//! * Auto-grouping puts a value in the group of the first data set (metadata order) that contains
//!   its data element; groups are processed in order of first appearance. With `atomic`, the
//!   first failed group stops the import (groups before it stay written).
//! * `completeDate` accepts `DateUtils.parseDate`'s forms (`yyyyMMdd`, `yyyy-MM-dd`, `yyyy-MM`,
//!   `yyyy`, `yyyy-MM-dd'T'HH[:mm[:ss[.fraction]]]` with an optional offset, and
//!   `yyyy-MM-dd HH:mm:ssZ`; fractions of 1–9 digits); an instant with an offset is completed
//!   on its UTC date; a future date is kept. Without a completion, `dataSetComplete` is
//!   `"false"`; a data set unknown to the metadata is never completed. The completion is keyed
//!   by the group's attribute option combo, else the default.
//! * Changelog rows: `CREATE` (holding the value written) for a new row, `DELETE` when a live row
//!   becomes deleted, `UPDATE` otherwise (holding the previous value).
//! * A `followUp` or `deleted` flag the payload leaves out is stored as `false`.
//!
//! * Deletion scope (DHIS2 names the codes and the count, not the rows): a row is
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

mod apply;
mod categories;
mod dates;
mod decode;
mod groups;
mod messages;
mod notes;
mod summary;
mod validate;
mod values;

use chrono::NaiveDate;
use dxf2_model::{
    DataValueSetHeader, DataValueSource, IdScheme, IdSchemes, ImportOptions, ImportStatus,
    ImportSummary, Metadata, SchemeTarget, Uid,
};
use idscheme_resolver::Resolver;

use crate::batch::{Batched, WINDOW};
use crate::codes::*;
use crate::schemes::object_kind;
use crate::store::{DataValueStore, StoredValue};
use crate::{read_values, Failure, ImportOutcome, Importer, Progress};

use self::categories::CategoryCache;
use self::decode::{uses_lookup, GroupHeader, Stop};
use self::groups::{scope_source, Group};
use self::messages::{Arg, Problem};
use self::notes::{note_group_failure, note_value_errors, value_note, Notes};
use self::summary::summarise;
use self::values::{Spot, Values};

const EDIT_EXPIRED_AUTHORITY: &str = "F_EDIT_EXPIRED";

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

/// The object types a data value set names by identifier (each is preheated under its scheme).
const DECODED_TARGETS: [SchemeTarget; 5] = [
    SchemeTarget::DataSet,
    SchemeTarget::DataElement,
    SchemeTarget::OrgUnit,
    SchemeTarget::CategoryOptionCombo,
    SchemeTarget::AttributeOptionCombo,
];

fn fail(message: &str) -> ImportOutcome {
    ImportOutcome::failed(Failure::rule(message))
}

/// The summary of a decoding failure: status `ERROR`, counts 0, one conflict at index `-1`.
fn decode_failed(problem: &Problem, options: &ImportOptions) -> ImportOutcome {
    ImportOutcome::completed(ImportSummary {
        status: ImportStatus::Error,
        conflicts: vec![problem.conflict(vec![-1])],
        profile: Some(options.profile),
        ..ImportSummary::default()
    })
}

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
    /// With `atomic`, value errors rejected the group: the group's conflict (`E8000`, or the
    /// single value error of a one-value group) and the value errors behind it (for the notes).
    Atomic(Problem, Vec<(i64, Problem)>),
    /// The import fails as a whole (the store failed, or a rule of DHIS2 stops it).
    Fail(Failure),
}

impl From<crate::store::StoreError> for GroupError {
    fn from(e: crate::store::StoreError) -> Self {
        GroupError::Fail(e.into())
    }
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
            Err(failure) => return ImportOutcome::failed(failure),
        };
        for target in DECODED_TARGETS {
            let scheme = settings.schemes.effective(target);
            if uses_lookup(scheme) {
                // A scheme that cannot be preheated (unknown attribute, …) fails the import only
                // when an identifier is actually decoded with it, as in DHIS2.
                let _ = resolver.preheat(object_kind(target), scheme);
            }
        }
        let Some(default_coc) = self.index.default_coc else {
            return fail("no default category option combo in the metadata");
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
        let mut notes = Notes::new();
        let read = read_values(source, progress, |record, index, position| {
            if let (None, Some(group)) = (&stop, &group_header) {
                let spot = Spot::new(position);
                if let Err(s) =
                    run.decode_value(group, record, index, spot, &mut values, &mut cache)
                {
                    // The value whose decoding failed (DHIS2's conflict says index -1).
                    if let Some(note) = match &s {
                        Stop::Conflict(p) => value_note(p, position, None),
                        Stop::Fail(_) => None,
                    } {
                        notes.insert(index, note);
                    }
                    stop = Some(s);
                }
            }
            Ok(())
        });
        if let Err(failure) = read {
            return ImportOutcome::failed(failure);
        }
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
            (Some(Stop::Conflict(p)), _) => return decode_failed(&p, options).with_notes(notes),
            (Some(Stop::Fail(failure)), _) => return ImportOutcome::failed(failure),
            (None, Some(g)) => g,
            (None, None) => return fail("the data value set header could not be decoded"),
        };
        if run.settings.delete {
            for e in &mut values.entries {
                e.deleted = Some(true);
            }
        }
        let groups = match run.groups(&group_header, &values, scope.as_ref()) {
            Ok(g) => g,
            Err(Stop::Conflict(p)) => {
                // Auto-grouping found data elements in no data set (`E8003`).
                let all: Vec<u32> = (0..values.entries.len())
                    .filter_map(|p| u32::try_from(p).ok())
                    .collect();
                note_group_failure(&p, &all, &values, run.default_coc, &mut notes);
                return decode_failed(&p, options).with_notes(notes);
            }
            Err(Stop::Fail(failure)) => return ImportOutcome::failed(failure),
        };

        let mut batched = Batched::new(store, run.settings.dry_run);
        if let Err(e) = batched.begin() {
            return ImportOutcome::failed(e.into());
        }
        let store = &mut batched;
        let mut done: Vec<GroupDone> = Vec::with_capacity(groups.len());
        let mut failed: Vec<(Problem, Vec<i64>)> = Vec::new();
        for group in &groups {
            match run.import_group(group, &group_header, &values, store) {
                Ok(d) => done.push(d),
                Err(GroupError::Conflict(p)) => {
                    note_group_failure(&p, &group.members, &values, run.default_coc, &mut notes);
                    failed.push((p, group.indexes()));
                    if run.settings.atomic {
                        break;
                    }
                }
                Err(GroupError::Atomic(p, errors)) => {
                    // Only `atomic` rejects a group for its value errors.
                    note_value_errors(&errors, &values, &mut notes);
                    failed.push((p, group.indexes()));
                    break;
                }
                Err(GroupError::Fail(failure)) => {
                    return store.fail(failure);
                }
            }
        }
        if let Some(outcome) = store.commit() {
            return outcome;
        }
        // DHIS2's readers write the payload's `dryRun` and id schemes into the request options,
        // which the summary echoes.
        let mut echo = options.clone();
        echo.dry_run = run.settings.dry_run;
        echo.id_schemes = run.settings.schemes.clone();
        for d in &done {
            note_value_errors(&d.errors, &values, &mut notes);
        }
        let summary = summarise(&run.settings, &echo, &done, failed, groups.len());
        ImportOutcome::completed(summary).with_notes(notes)
    }

    fn pipeline_settings(
        &self,
        header: &DataValueSetHeader,
        options: &ImportOptions,
    ) -> Result<Settings, Failure> {
        let payload = header.id_schemes(true)?;
        let schemes = IdSchemes::pipeline_merge(&payload, &options.id_schemes);
        // `DataEntryGroup.Ids.of` converts every scheme, the category ones included.
        for target in SchemeTarget::ALL {
            if *schemes.effective(target) == IdScheme::Uuid {
                return Err(Failure::rule(format!(
                    "id scheme UUID ({}) is not supported by the DHIS2 2.43+ importer",
                    target.parameter_name()
                )));
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

impl<'m> Run<'_, 'm> {
    /// `upsertGroup` / `deleteGroup` for one group: the deletion scope is validated first, then
    /// the values; the scope's rows are deleted before the values are written.
    fn import_group(
        &self,
        group: &Group,
        header: &GroupHeader,
        values: &Values,
        store: &mut Batched<'_>,
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
                return Err(GroupError::Atomic(single.clone(), errors));
            }
            let first = errors.first().map(|(_, p)| p.message()).unwrap_or_default();
            let conflict = Problem::new(
                E8000,
                vec![
                    Arg::Int(i64::try_from(attempted).unwrap_or(i64::MAX)),
                    Arg::Int(i64::try_from(entered).unwrap_or(i64::MAX)),
                    Arg::text(first),
                ],
            );
            return Err(GroupError::Atomic(conflict, errors));
        }
        let deleted = self.delete_scope(scope, store)?;
        if !self.settings.dry_run {
            // A window at a time: the stored rows read in one lookup, the writes applied in
            // one batch.
            let mut buf: Option<StoredValue> = None;
            for chunk in valid.chunks(WINDOW) {
                store.prefetch(
                    chunk
                        .iter()
                        .filter_map(|&p| values.entry(p))
                        .map(|e| self.key_of(values, e)),
                )?;
                for &position in chunk {
                    if let Some(e) = values.entry(position) {
                        self.upsert(e, values, store, &mut buf)?;
                    }
                }
                store.flush()?;
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
}
