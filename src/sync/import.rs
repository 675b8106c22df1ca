//! [`import`]: a checked bundle applied to a district's store — the replay and gap checks, the
//! metadata, the conflict pre-pass, the data through DHIS2's importer, the completions and the
//! sync records, in one transaction.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use dxf2_metadata::import::{ImportParams, ImportReport, Session, Status};
use dxf2_model::{ImportSummary, Period, Uid};
use idscheme_resolver::MetadataResolver;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::bundle::{Bundle, COMPLETIONS_ENTRY, DATA_ENTRY, METADATA_ENTRY};
use super::manifest::Manifest;
use super::objects::{fingerprint, object_hash, object_id, value_hash, Refs, DATA_SETS};
use super::objects::{OPTION_COMBOS, ORG_UNITS};
use super::prepass::{prepass, Skipping};
use super::status::{received_state, ReceivedState};
use super::{bundle_record_id, decode, encode, timestamp, Error, BUNDLE, RECEIVED};
use crate::engine::{AccessPolicy, Importer};
use crate::metadata_store::StoredCatalogue;
use crate::store::HeldCommit;
use crate::store::{Changes, Completion, DataValueStore, Job, Journal, ObjectStore, StoredObject};

/// The most bundles a gap may leave missing (see `import`).
const MAX_GAP: u64 = 10_000;

pub use super::prepass::{Conflict, ConflictSide, Winner};

/// How [`import`] applies a bundle.
#[derive(Clone, Debug, PartialEq)]
pub struct ImportOptions {
    /// The data import's options (the profile, `dry_run`; DHIS2's defaults otherwise: strategy
    /// CREATE_AND_UPDATE, UIDs).
    pub data: dxf2_model::ImportOptions,
    /// Apply a bundle whose predecessors from its source are missing (they are noted as missing
    /// and refused if they come later).
    pub allow_gap: bool,
    /// The time of the import (the importer's "now", the records' times).
    pub now: DateTime<Utc>,
}

impl ImportOptions {
    /// DHIS2 2.42's classic importer, no dry run, no gap allowed, at `now`.
    pub fn new(now: DateTime<Utc>) -> ImportOptions {
        ImportOptions {
            data: dxf2_model::ImportOptions::default(),
            allow_gap: false,
            now,
        }
    }
}

/// Whether the bundle was applied.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Applied {
    /// Applied (or, in a dry run, checked).
    Imported,
    /// Applied before (same source, sequence and SHA-256): nothing was changed.
    Replay {
        /// When it was applied.
        applied: String,
    },
}

/// What happened to the bundle's completions.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CompletionCounts {
    /// Written (or, in a dry run, to be written).
    pub applied: u64,
    /// Not written: the district's registration is newer.
    pub kept: u64,
}

/// What happened to the bundle's metadata.
#[derive(Clone, Debug, PartialEq)]
pub struct MetadataOutcome {
    /// DHIS2's import report of the objects imported.
    pub report: ImportReport,
    /// Objects identical to the district's: left out of the import.
    pub unchanged: u64,
    /// Objects the district changed later (its `lastUpdated` is later): kept, left out of the
    /// import (`key/uid`).
    pub kept: Vec<String>,
}

/// The outcome of [`import`].
#[derive(Clone, Debug, PartialEq)]
pub struct SyncImport {
    /// The bundle's manifest.
    pub manifest: Manifest,
    /// The bundle's SHA-256.
    pub sha256: String,
    /// Applied, or a replay.
    pub applied: Applied,
    /// A dry run: nothing but the journal's job was written.
    pub dry_run: bool,
    /// DHIS2's import summary of the data values (`None` for a replay).
    pub summary: Option<ImportSummary>,
    /// Why the data import failed as a whole (the summary says it too): nothing was applied.
    pub failure: Option<String>,
    /// The metadata applied, when the bundle had some.
    pub metadata: Option<MetadataOutcome>,
    /// Values changed at both ends since the last exchange, and which change was kept.
    pub conflicts: Vec<Conflict>,
    /// The completions.
    pub completions: CompletionCounts,
    /// Sequences from this source skipped by this bundle (a gap allowed).
    pub missing: Vec<u64>,
    /// Notes for the sync report (never in DHIS2's summary).
    pub notes: Vec<String>,
    /// The journal's job number, when one was recorded.
    pub job: Option<u64>,
}

/// A `sync-bundle` record: a bundle applied.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct BundleRecord {
    sha256: String,
    applied: String,
    job: Option<u64>,
}

/// How far [`apply`] got.
enum Step {
    /// Everything applied (or checked) in the open transaction.
    Done,
    /// The data import failed; the importer rolled the transaction back when it had one.
    Failed { rolled_back: bool },
}

/// Applies a checked bundle to `store` (see the [module docs](super)): refuses a bundle of
/// this store, one of the same number with other bytes, a late one and (unless
/// [`ImportOptions::allow_gap`]) one after a gap; answers a replay without changing anything;
/// otherwise applies the metadata, the data values (the district's newer changes kept), the
/// completions and the sync records in one transaction, with the journal's job `job` returns
/// (called once the outcome is known, before the commit; a dry run records it afterwards in a
/// transaction of its own).
pub fn import<S: DataValueStore + ObjectStore + ?Sized>(
    store: &mut S,
    bundle: &Bundle,
    options: &ImportOptions,
    access: &dyn AccessPolicy,
    job: &mut dyn FnMut(&SyncImport) -> Option<Job>,
) -> Result<SyncImport, Error> {
    let manifest = bundle.manifest();
    let source = manifest.source.as_str();
    let own = store.store_id()?;
    if source == own {
        return Err(Error::OwnBundle(own));
    }
    let dry_run = options.data.dry_run;
    let mut result = SyncImport {
        manifest: manifest.clone(),
        sha256: bundle.sha256().to_owned(),
        applied: Applied::Imported,
        dry_run,
        summary: None,
        failure: None,
        metadata: None,
        conflicts: Vec::new(),
        completions: CompletionCounts::default(),
        missing: Vec::new(),
        notes: Vec::new(),
        job: None,
    };

    // The same bundle again, or another with its number.
    let record_id = bundle_record_id(source, manifest.sequence);
    if let Some(body) = store.record(BUNDLE, &record_id)? {
        let before: BundleRecord = decode(BUNDLE, &record_id, &body)?;
        if before.sha256 != bundle.sha256() {
            return Err(Error::Different {
                source_id: source.to_owned(),
                sequence: manifest.sequence,
                applied: before.applied,
                applied_sha256: before.sha256,
                sha256: bundle.sha256().to_owned(),
            });
        }
        result.notes.push(format!(
            "bundle {} from {source} was applied on {}{}: applying it again changes nothing",
            manifest.sequence,
            before.applied,
            before
                .job
                .map(|j| format!(" (job {j})"))
                .unwrap_or_default()
        ));
        result.applied = Applied::Replay {
            applied: before.applied,
        };
        record_job_alone(store, &mut result, job)?;
        return Ok(result);
    }

    // The order of bundles from this source.
    let received = received_state(store, source)?;
    let last = received.as_ref().map_or(0, |r| r.sequence);
    if manifest.sequence <= last {
        return Err(Error::Late {
            source_id: source.to_owned(),
            sequence: manifest.sequence,
            last,
        });
    }
    if manifest.sequence - last > MAX_GAP {
        // More missing bundles than a facility could ever have made (one a day for 27 years):
        // a damaged or forged number, refused even with `allow_gap`.
        return Err(Error::Damaged(format!(
            "its manifest says sequence {}, {} after the last bundle applied from {source} \
             ({last}): more than {MAX_GAP} missing bundles is not a sequence a facility makes",
            manifest.sequence,
            manifest.sequence - last
        )));
    }
    if manifest.sequence > last + 1 {
        if !options.allow_gap {
            return Err(Error::Gap {
                source_id: source.to_owned(),
                last,
                sequence: manifest.sequence,
            });
        }
        result.missing = (last + 1..manifest.sequence).collect();
        result.notes.push(format!(
            "bundles {} to {} from {source} were never applied (the gap was allowed); they \
             will be refused if they come later",
            last + 1,
            manifest.sequence - 1
        ));
    }

    let has_metadata = bundle.entry(METADATA_ENTRY).is_some();
    // A dry run only reads, unless the metadata must be applied (then rolled back) for the
    // data to be checked against it.
    let in_transaction = !dry_run || has_metadata;
    if in_transaction {
        store.begin()?;
    }
    let mark = received.as_ref().map_or(0, |r| r.change_mark);
    match apply(store, bundle, options, access, mark, &mut result) {
        Ok(Step::Done) => {}
        Ok(Step::Failed { rolled_back }) => {
            if in_transaction && !rolled_back {
                store.rollback()?;
            }
            return Ok(result);
        }
        Err(e) => {
            if in_transaction {
                let _ = store.rollback();
            }
            return Err(e);
        }
    }
    if dry_run {
        if in_transaction {
            store.rollback()?;
        }
        record_job_alone(store, &mut result, job)?;
        return Ok(result);
    }
    let recorded = record(store, received, &mut result, options, job);
    match recorded.and_then(|()| store.commit().map_err(Error::from)) {
        Ok(()) => Ok(result),
        Err(e) => {
            let _ = store.rollback();
            result.job = None;
            Err(e)
        }
    }
}

/// Writes the sync records and the job into the open transaction.
fn record<S: DataValueStore + ?Sized>(
    store: &mut S,
    received: Option<ReceivedState>,
    result: &mut SyncImport,
    options: &ImportOptions,
    job: &mut dyn FnMut(&SyncImport) -> Option<Job>,
) -> Result<(), Error> {
    let manifest = &result.manifest;
    let applied = timestamp(&options.now);
    let mut missing = received.map(|r| r.missing).unwrap_or_default();
    missing.extend(result.missing.iter().copied());
    let state = ReceivedState {
        sequence: manifest.sequence,
        sha256: result.sha256.clone(),
        applied: applied.clone(),
        change_mark: store.last_change()?,
        destination: manifest.destination.clone(),
        missing,
    };
    store.put_record(RECEIVED, &manifest.source, &encode(&state)?)?;
    if let Some(mut j) = job(result) {
        result.job = Some(store.record_job(&mut j)?);
    }
    let rec = BundleRecord {
        sha256: result.sha256.clone(),
        applied,
        job: result.job,
    };
    let id = bundle_record_id(&result.manifest.source, result.manifest.sequence);
    store.put_record(BUNDLE, &id, &encode(&rec)?)?;
    Ok(())
}

/// Records the job of a dry run or a replay, in a short transaction of its own.
fn record_job_alone<S: DataValueStore + ?Sized>(
    store: &mut S,
    result: &mut SyncImport,
    job: &mut dyn FnMut(&SyncImport) -> Option<Job>,
) -> Result<(), Error> {
    let Some(mut j) = job(result) else {
        return Ok(());
    };
    store.begin()?;
    match store.record_job(&mut j) {
        Ok(id) => {
            store.commit()?;
            result.job = Some(id);
            Ok(())
        }
        Err(e) => {
            let _ = store.rollback();
            Err(e.into())
        }
    }
}

/// Metadata, data values, completions, fingerprint: everything but the records.
fn apply<S: DataValueStore + ObjectStore + ?Sized>(
    store: &mut S,
    bundle: &Bundle,
    options: &ImportOptions,
    access: &dyn AccessPolicy,
    mark: u64,
    result: &mut SyncImport,
) -> Result<Step, Error> {
    if let Some(metadata) = bundle.entry(METADATA_ENTRY) {
        result.metadata = Some(apply_metadata(store, metadata)?);
    }
    let typed = store.load_metadata()?;
    let data = bundle.entry(DATA_ENTRY).ok_or(Error::Entry {
        entry: DATA_ENTRY,
        message: "the bundle has none".to_owned(),
    })?;
    let mut found = prepass(store, data, mark)?;
    result.conflicts = std::mem::take(&mut found.conflicts);

    let reader =
        dxf2_json::Reader::with_profile(data, options.data.profile).map_err(|e| Error::Entry {
            entry: DATA_ENTRY,
            message: e.to_string(),
        })?;
    let mut source = Skipping::new(reader, &found.skip);
    let importer = Importer::new(&typed, access).with_now(options.now);
    let mut resolver = MetadataResolver::new(&typed);
    let mut within = HeldCommit::joining(store);
    let outcome = importer.import(
        &mut source,
        &options.data,
        &mut resolver,
        &mut within,
        &mut |_| {},
    );
    let rolled_back = within.rolled_back();
    result.summary = Some(outcome.summary);
    if let Some(failure) = outcome.failure {
        result.failure = Some(failure.to_string());
        return Ok(Step::Failed { rolled_back });
    }

    if let Some(completions) = bundle.entry(COMPLETIONS_ENTRY) {
        result.completions =
            apply_completions(store, completions, options.data.dry_run, &mut found.refs)?;
    }

    // The district's objects the data refers to, against the facility's.
    let mut hashes = BTreeMap::new();
    let refs = &found.refs;
    store.for_each_object(&mut |o: &StoredObject| {
        if let Some(key) = [
            super::objects::DATA_ELEMENTS,
            ORG_UNITS,
            OPTION_COMBOS,
            DATA_SETS,
        ]
        .into_iter()
        .find(|k| *k == o.key)
        {
            if refs.contains(&(key, o.uid.clone())) {
                hashes.insert(object_id(&o.key, &o.uid), object_hash(&o.json));
            }
        }
        Ok(())
    })?;
    if fingerprint(refs, &hashes) != result.manifest.metadata_fingerprint {
        result.notes.push(format!(
            "the district's metadata for the {} objects the bundle's data refers to (data \
             elements, org units, option combos, data sets) is not the facility's (the \
             metadata fingerprints differ): the values were checked against the district's",
            refs.len()
        ));
    }
    Ok(Step::Done)
}

/// DHIS2's metadata `lastUpdated` (`2024-05-02T09:00:00.000`, with or without a zone).
fn object_time(object: &dxf2_metadata::Object) -> Option<NaiveDateTime> {
    let text = object.get("lastUpdated")?.as_str()?;
    NaiveDateTime::parse_from_str(text.get(..19)?, "%Y-%m-%dT%H:%M:%S").ok()
}

/// Imports the bundle's metadata package into `store` (in the open transaction): objects
/// identical to the district's and objects the district changed later are left out; the rest
/// goes through DHIS2's metadata import (CREATE_AND_UPDATE, atomic ALL); an ERROR report
/// refuses the bundle.
fn apply_metadata<S: DataValueStore + ObjectStore + ?Sized>(
    store: &mut S,
    bytes: &[u8],
) -> Result<MetadataOutcome, Error> {
    let mut doc = dxf2_metadata::read_json(bytes)
        .map_err(|e| Error::Entry {
            entry: METADATA_ENTRY,
            message: e.to_string(),
        })?
        .document;
    let mut stored = StoredCatalogue::load(store)?;
    let mut unchanged = 0;
    let mut kept = Vec::new();
    for (key, objects) in &mut doc.types {
        objects.retain(|incoming| {
            let Some(uid) = incoming.get("id").and_then(Value::as_str) else {
                return true;
            };
            let Some(existing) = stored.catalogue().get(key, uid) else {
                return true;
            };
            let as_value = |o: &dxf2_metadata::Object| Value::Object(o.clone());
            if value_hash(&as_value(existing)) == value_hash(&as_value(incoming)) {
                unchanged += 1;
                return false;
            }
            match (object_time(existing), object_time(incoming)) {
                (Some(district), Some(facility)) if district > facility => {
                    kept.push(object_id(key, uid));
                    false
                }
                _ => true,
            }
        });
    }
    doc.types.retain(|(_, objects)| !objects.is_empty());
    let mut report = ImportReport::default();
    if !doc.types.is_empty() {
        let outcome = {
            let view = stored.view(store);
            let mut session = Session::new(&view, ImportParams::default());
            session
                .import(&doc)
                .map_err(|e| Error::Metadata(e.to_string()))?;
            session.finish()
        };
        if outcome.report.status == Status::Error {
            let reasons: Vec<String> = outcome
                .report
                .error_reports()
                .take(5)
                .map(|e| format!("{} {}", e.error_code, e.message))
                .collect();
            return Err(Error::Metadata(reasons.join("; ")));
        }
        stored.apply(store, outcome.changes)?;
        report = outcome.report;
    }
    Ok(MetadataOutcome {
        report,
        unchanged,
        kept,
    })
}

/// Writes the bundle's completions (each unless the district's registration is newer), adding
/// the objects they refer to to `refs`.
fn apply_completions<S: DataValueStore + ?Sized>(
    store: &mut S,
    bytes: &[u8],
    dry_run: bool,
    refs: &mut Refs,
) -> Result<CompletionCounts, Error> {
    let bad = |message: String| Error::Entry {
        entry: COMPLETIONS_ENTRY,
        message,
    };
    let doc: Value = serde_json::from_slice(bytes).map_err(|e| bad(e.to_string()))?;
    let list = doc
        .get("completeDataSetRegistrations")
        .and_then(Value::as_array)
        .ok_or_else(|| bad("no completeDataSetRegistrations array".to_owned()))?;
    let mut counts = CompletionCounts::default();
    let mut changes = Changes::new();
    for (i, item) in list.iter().enumerate() {
        let text = |field: &str| item.get(field).and_then(Value::as_str).unwrap_or_default();
        let uid = |field: &str| {
            Uid::parse(text(field)).map_err(|e| bad(format!("registration {i}: {field}: {e}")))
        };
        let completion = Completion {
            data_set: uid("dataSet")?,
            period: text("period")
                .parse::<Period>()
                .map_err(|e| bad(format!("registration {i}: period: {e}")))?,
            org_unit: uid("organisationUnit")?,
            attribute_option_combo: uid("attributeOptionCombo")?,
            date: text("date")
                .get(..10)
                .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
                .ok_or_else(|| bad(format!("registration {i}: date {:?}", text("date"))))?,
            stored_by: text("storedBy").to_owned(),
            last_updated: DateTime::parse_from_str(text("lastUpdated"), "%Y-%m-%dT%H:%M:%S%.f%z")
                .map(|t| t.with_timezone(&Utc))
                .map_err(|e| bad(format!("registration {i}: lastUpdated: {e}")))?,
            completed: item
                .get("completed")
                .and_then(Value::as_bool)
                .unwrap_or(true),
        };
        refs.insert((DATA_SETS, completion.data_set.to_string()));
        refs.insert((ORG_UNITS, completion.org_unit.to_string()));
        refs.insert((OPTION_COMBOS, completion.attribute_option_combo.to_string()));
        let existing = store.completion(
            &completion.data_set,
            &completion.period,
            &completion.org_unit,
            &completion.attribute_option_combo,
        )?;
        if existing.is_some_and(|e| e.last_updated > completion.last_updated) {
            counts.kept += 1;
            continue;
        }
        counts.applied += 1;
        changes.push_completion(&completion);
    }
    if !dry_run && !changes.is_empty() {
        store.apply(&changes)?;
    }
    Ok(counts)
}
