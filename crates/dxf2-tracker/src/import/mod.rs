//! The tracker import (`POST /api/tracker`, DHIS2 2.42): a payload checked against the
//! metadata of a [`Catalogue`] and the tracker objects of a [`TrackerStore`], with DHIS2's
//! parameters, validation codes and import report.
//!
//! The pipeline is DHIS2's (spec §6.1): flatten; preheat the metadata (each reference read with
//! its id scheme, falling back to `idScheme`) and the stored objects; resolve each object's
//! strategy; preprocess (an event's program from its stage or its stage from an event program,
//! its attribute option combo from its category options, `VISITED` → `ACTIVE`, duplicate
//! relationships dropped); validate (see [`ValidationCode`]); drop the children of invalid
//! parents (`E5000`); then stop (`atomicMode=ALL` with errors, or `importMode=VALIDATE`) or
//! write the valid objects in one transaction. [`import_with_progress`] reports
//! [`Progress`] events while it checks and writes.
//!
//! ```
//! use dxf2_metadata::catalogue::MemoryCatalogue;
//! use dxf2_store::MemoryStore;
//! use dxf2_tracker::import::{import, ImportParams, Status};
//! use dxf2_tracker::{JsonReader, ReadOptions, TrackerType};
//! use serde_json::json;
//!
//! let mut metadata = MemoryCatalogue::with_dhis2_defaults();
//! let mut add = |key: &str, o: serde_json::Value| {
//!     metadata.insert(key, o.as_object().unwrap().clone());
//! };
//! add("organisationUnits", json!({"id": "O6uvpzGd5pu", "name": "Bo"}));
//! add("trackedEntityTypes", json!({"id": "Q9GufDoplCL", "name": "Person"}));
//!
//! let json = br#"{"trackedEntities": [{"trackedEntity": "Kj6vYde4LHh",
//!     "trackedEntityType": "Q9GufDoplCL", "orgUnit": "O6uvpzGd5pu"}]}"#;
//! let (payload, _) = JsonReader::new(ReadOptions::default()).read_payload_slice(json)?;
//! let mut store = MemoryStore::new();
//! let outcome = import(&mut store, &metadata, payload, &ImportParams::default()).unwrap();
//! assert_eq!(outcome.report.status, Status::Ok);
//! assert_eq!(outcome.report.stats.created, 1);
//! assert_eq!(
//!     outcome.report.type_report(TrackerType::TrackedEntity).unwrap().object_reports[0].uid,
//!     "Kj6vYde4LHh"
//! );
//! # Ok::<(), dxf2_tracker::Error>(())
//! ```
//!
//! # Not reproduced
//!
//! * Program rules (`E13xx` from rules) are not run: the outcome's
//!   [`notes`](ImportOutcome::notes) name each program of the payload that has rules.
//! * Sharing and authorities: the importer acts as a superuser, except that `user` naming a
//!   user of the metadata who is not a superuser (no role with authority `ALL`) checks the
//!   capture scope (`E1000`). File resources are not kept, so `E1009` is never raised.
//! * Event programs: as DHIS2 does, their events are linked to the program's hidden
//!   enrollment (one per program, no tracked entity or org unit, `ACTIVE`, stored by
//!   `system-process`, not counted in the report); DHIS2 makes it with the program, this
//!   crate with the program's first event (kept as record [`EVENT_PROGRAM_ENROLLMENT`](crate::EVENT_PROGRAM_ENROLLMENT)).
//! * An object sent twice under the same UID in one payload: the first one is imported and
//!   the others dropped, with a note (DHIS2's behaviour was not traced).
//! * `E1007`/`E1302` carry DHIS2's value type error key (`value_not_numeric`) as their second
//!   argument.

mod codes;
mod commit;
mod context;
mod params;
mod preheat;
mod relationships;
mod report;
mod validate;

use std::collections::HashSet;

use dxf2_metadata::catalogue::{Catalogue, CatalogueError};
use dxf2_model::{Phase, Progress, Uid};

pub use codes::ValidationCode;
pub use params::{
    parse_bool_param, AtomicMode, FlushMode, ImportMode, ImportParams, ImportStrategy,
    MetadataKind, ParamEnum, ParamError, ReportMode, TrackerIdScheme, TrackerIdSchemes,
    ValidationMode,
};
pub use preheat::{FeatureType, Preheat, Table, DEFAULT_CATEGORY_COMBO};
pub use report::{Entry, ImportReport, ObjectReport, Stats, Status, TypeReport};

use crate::flatten::{flatten, RandomUids, UidSource};
use crate::model::{Payload, TrackerType};
use crate::store::{TrackerStore, TrackerStoreError};
use crate::time::Timestamp;
use context::{Context, Existing};
use dxf2_model::progress::{self, PhaseCounter as Counter};

/// Why an import could not run (not a validation outcome: those are in the report).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ImportError {
    /// The store failed; nothing was written.
    #[error(transparent)]
    Store(#[from] TrackerStoreError),
    /// The metadata could not be read.
    #[error(transparent)]
    Catalogue(#[from] CatalogueError),
}

/// The result of an import: DHIS2's report, and what this tool adds to it.
#[derive(Clone, Debug, Default)]
pub struct ImportOutcome {
    /// DHIS2's import report.
    pub report: ImportReport,
    /// Notes that are not part of DHIS2's report (programs with rules that were not run,
    /// duplicates dropped).
    pub notes: Vec<String>,
}

/// Imports a payload (nested or flat) into `store`, checked against `metadata`, with UIDs
/// generated at random for objects without one.
pub fn import<S: TrackerStore + ?Sized>(
    store: &mut S,
    metadata: &dyn Catalogue,
    payload: Payload,
    params: &ImportParams,
) -> Result<ImportOutcome, ImportError> {
    import_with_uids(store, metadata, payload, params, &mut RandomUids)
}

/// [`import`] with the UIDs of objects without one taken from `uids` (deterministic tests).
pub fn import_with_uids<S: TrackerStore + ?Sized>(
    store: &mut S,
    metadata: &dyn Catalogue,
    payload: Payload,
    params: &ImportParams,
    uids: &mut impl UidSource,
) -> Result<ImportOutcome, ImportError> {
    import_with_uids_and_progress(
        store,
        metadata,
        payload,
        params,
        uids,
        &mut progress::ignore,
    )
}

/// [`import`], reporting its progress to `progress`, counting tracker objects (tracked
/// entities, enrollments, events and relationships) in two phases:
///
/// * [`Phase::Check`]: from the start (the metadata and the stored objects are read first)
///   while the objects are validated; it ends with the number of objects of the flattened
///   payload (objects sent twice under one UID counted once), all of them checked, skipped
///   (`validationMode=SKIP`) or left after a `FAIL_FAST` stop;
/// * [`Phase::Write`], only when the import writes (not for `importMode=VALIDATE`, nor when
///   `atomicMode=ALL` meets errors): while the objects are written to the store; it ends, once
///   the transaction is committed, with the number of objects written — those of the payload
///   created, updated or deleted, and what the import writes besides them: an event program's
///   hidden enrollment when it is made, a stored tracked entity whose program attributes an
///   enrollment changes, the objects a deletion cascades to.
///
/// Each phase has an event when it starts (`done` 0), one every 1,000 objects, and
/// [`Progress::finished`] at its end. An [`Err`] ends without a
/// last event.
///
/// ```
/// use dxf2_metadata::catalogue::MemoryCatalogue;
/// use dxf2_model::{Phase, Progress};
/// use dxf2_store::MemoryStore;
/// use dxf2_tracker::import::{import_with_progress, ImportParams};
/// use dxf2_tracker::{JsonReader, ReadOptions};
/// use serde_json::json;
///
/// let mut metadata = MemoryCatalogue::with_dhis2_defaults();
/// let mut add = |key: &str, o: serde_json::Value| {
///     metadata.insert(key, o.as_object().unwrap().clone());
/// };
/// add("organisationUnits", json!({"id": "O6uvpzGd5pu", "name": "Bo"}));
/// add("trackedEntityTypes", json!({"id": "Q9GufDoplCL", "name": "Person"}));
///
/// let json = br#"{"trackedEntities": [{"trackedEntity": "Kj6vYde4LHh",
///     "trackedEntityType": "Q9GufDoplCL", "orgUnit": "O6uvpzGd5pu"}]}"#;
/// let (payload, _) = JsonReader::new(ReadOptions::default()).read_payload_slice(json)?;
/// let mut events = Vec::new();
/// let outcome = import_with_progress(&mut MemoryStore::new(), &metadata, payload,
///     &ImportParams::default(), &mut |p: Progress| events.push(p)).unwrap();
/// assert_eq!(outcome.report.stats.created, 1);
/// assert_eq!(events, [
///     Progress::new(Phase::Check, 0),
///     Progress::finished(Phase::Check, 1),
///     Progress::new(Phase::Write, 0),
///     Progress::finished(Phase::Write, 1),
/// ]);
/// # Ok::<(), dxf2_tracker::Error>(())
/// ```
pub fn import_with_progress<S: TrackerStore + ?Sized>(
    store: &mut S,
    metadata: &dyn Catalogue,
    payload: Payload,
    params: &ImportParams,
    progress: &mut dyn FnMut(Progress),
) -> Result<ImportOutcome, ImportError> {
    import_with_uids_and_progress(store, metadata, payload, params, &mut RandomUids, progress)
}

/// [`import_with_progress`] with the UIDs of objects without one taken from `uids`
/// (deterministic tests).
pub fn import_with_uids_and_progress<S: TrackerStore + ?Sized>(
    store: &mut S,
    metadata: &dyn Catalogue,
    payload: Payload,
    params: &ImportParams,
    uids: &mut impl UidSource,
    progress: &mut dyn FnMut(Progress),
) -> Result<ImportOutcome, ImportError> {
    let mut checked = Counter::start(Phase::Check, progress);
    let now = params
        .now
        .unwrap_or_else(|| Timestamp::from_utc(chrono::Utc::now().naive_utc()));
    let pre = Preheat::load(metadata, &params.id_schemes)?;
    let mut notes = Vec::new();
    let note_uids = sends_note_uids(&payload);
    let mut flat = flatten(payload, uids);
    drop_duplicates(&pre, &mut flat, &mut notes);
    program_rule_notes(&pre, &flat, &mut notes);
    let existing = Existing::load(store, &pre, &flat, params, note_uids)?;
    let cx = Context::new(params, &pre, &existing, &flat, now);
    let validation = validate::validate(&cx, &mut checked, progress);
    let mut report = ImportReport {
        errors: validation.errors,
        warnings: if params.report_mode == ReportMode::Errors {
            Vec::new()
        } else {
            validation.warnings
        },
        ..ImportReport::default()
    };
    let total: u64 = TrackerType::ALL.iter().map(|k| flat.len(*k) as u64).sum();
    checked.finish(total, progress);
    let has_errors = !report.errors.is_empty();
    if has_errors && params.atomic_mode == AtomicMode::All {
        report.status = Status::Error;
        report.stats.ignored = total;
        return Ok(ImportOutcome { report, notes });
    }
    if params.import_mode == ImportMode::Validate {
        report.stats = commit::ignored_stats(&cx, &validation.invalid);
        report.stats.ignored += validation.ignored.len() as u64;
        report.bundle = Some(Vec::new());
        return Ok(ImportOutcome { report, notes });
    }
    let bundle = commit::commit(
        &cx,
        store,
        &validation.invalid,
        &validation.ignored,
        uids,
        progress,
    )?;
    for (_, r) in &bundle {
        report.stats.add(&r.stats);
    }
    report.bundle = Some(bundle);
    Ok(ImportOutcome { report, notes })
}

/// Whether a payload (nested or flat) names a note by UID.
fn sends_note_uids(payload: &Payload) -> bool {
    fn named(notes: &[crate::model::Note]) -> bool {
        notes.iter().any(|n| n.note.is_some())
    }
    fn events(list: &[crate::model::Event]) -> bool {
        list.iter().any(|e| named(&e.notes))
    }
    fn enrollments(list: &[crate::model::Enrollment]) -> bool {
        list.iter().any(|e| named(&e.notes) || events(&e.events))
    }
    payload
        .tracked_entities
        .iter()
        .any(|t| enrollments(&t.enrollments))
        || enrollments(&payload.enrollments)
        || events(&payload.events)
}

/// Drops objects sent again under a UID already in the payload (the first is kept) and
/// duplicate relationships (same type and ends, either direction when bidirectional), as
/// DHIS2's preprocessing drops them.
fn drop_duplicates(pre: &Preheat, flat: &mut Payload, notes: &mut Vec<String>) {
    fn keep_first<T>(list: &mut Vec<T>, uid: impl Fn(&T) -> Option<Uid>) -> usize {
        let mut seen = HashSet::new();
        let before = list.len();
        list.retain(|o| uid(o).is_none_or(|u| seen.insert(u)));
        before - list.len()
    }
    let dropped = keep_first(&mut flat.tracked_entities, |o| o.tracked_entity)
        + keep_first(&mut flat.enrollments, |o| o.enrollment)
        + keep_first(&mut flat.events, |o| o.event);
    if dropped > 0 {
        notes.push(format!(
            "{dropped} object(s) sent again under a UID already in the payload were left out \
             (the first of each was imported)"
        ));
    }
    keep_first(&mut flat.relationships, |o| o.relationship);
    let mut links: Vec<(String, crate::model::ItemRef, crate::model::ItemRef)> = Vec::new();
    flat.relationships.retain(|r| {
        let Some((from, to)) = relationships::ends(r) else {
            return true;
        };
        let type_uid = pre
            .relationship_types
            .uid_of(&r.relationship_type)
            .unwrap_or_else(|| r.relationship_type.clone());
        let bidirectional = pre
            .relationship_types
            .get(&type_uid)
            .is_some_and(|t| t.bidirectional);
        let duplicate = links.iter().any(|(t, f, to2)| {
            relationships::same_link((t, *f, *to2), (&type_uid, from, to), bidirectional)
        });
        if !duplicate {
            links.push((type_uid, from, to));
        }
        !duplicate
    });
}

/// Names each program of the payload that has program rules (not run here).
fn program_rule_notes(pre: &Preheat, flat: &Payload, notes: &mut Vec<String>) {
    let mut programs: Vec<String> = flat
        .enrollments
        .iter()
        .filter_map(|e| pre.programs.uid_of(&e.program))
        .chain(flat.events.iter().filter_map(|e| {
            pre.programs.uid_of(&e.program).or_else(|| {
                pre.stages
                    .get(&pre.stages.uid_of(&e.program_stage)?)
                    .and_then(|s| s.program.clone())
            })
        }))
        .collect();
    programs.sort();
    programs.dedup();
    for uid in programs {
        let Some(program) = pre.programs.get(&uid) else {
            continue;
        };
        if !program.rules.is_empty() {
            notes.push(format!(
                "program `{}` ({uid}) has {} program rule(s) ({}), which this tool does not run: \
                 DHIS2 would evaluate them and may report E1300-E1317",
                pre.programs.name(&uid),
                program.rules.len(),
                program.rules.join(", ")
            ));
        }
    }
}
