//! Importing metadata documents as DHIS2's object bundle does (`POST /api/metadata`), against a
//! [`Catalogue`] of what the target holds. The result is the report, in DHIS2's JSON shape, and
//! the [`Changes`] to apply; nothing is written here.
//!
//! The pipeline, per document:
//!
//! 1. the payload's objects are read as DHIS2's Jackson reads them (a value it cannot read fails
//!    the whole import: [`Error::Value`]); types this crate does not model are kept aside and
//!    passed through unchanged ([`ImportResult::skipped`]); top-level keys DHIS2 does not import
//!    are named in [`ImportResult::ignored`];
//! 2. the bundle: objects are matched to stored ones by the identifier (`id`, or `code` with
//!    `identifier=CODE`; users and user roles always by UID), new objects without an `id` get a
//!    generated UID (DHIS2's alphabet, a letter first), payload objects are registered under
//!    their identifier (the first one wins); the target's default category objects are found by
//!    name `default`, and the payload's defaults are left out (their `code` and attribute values
//!    update the target's defaults — the one deliberate difference from DHIS2);
//! 3. validation, type by type in DHIS2's order, the checks of the strategy in DHIS2's order
//!    (below), with DHIS2's codes, messages and counting (one `ignored` per failed check and
//!    object);
//! 4. with no error, or with atomic mode `NONE`, the commit: the changes (see the commit rules);
//!    with errors under atomic mode `ALL`, nothing changes, every count moves to `ignored` and the
//!    status is `ERROR`;
//! 5. the report mode's post-processing (not for `VALIDATE`): type reports with nothing counted
//!    removed, object reports without errors removed (`ERRORS`), names removed (but for `DEBUG`).
//!
//! | strategy | checks, in order |
//! |---|---|
//! | `CREATE_AND_UPDATE` | duplicate ids (`E5004`) → type hooks (`E4013`, `E4028`, `E1118`, `E1120`–`E1133`, `E4053`) → schema (`E4000`, `E4001`, `E4003`, `E4004`) → uniqueness (`E5003`) → unique program rule variables (`E5005`) → mandatory attributes (`E4011`) → unique attributes (`E4009`) → references (`E5002`, `E5007`) → translations (`E4000`, `E1106`) → GeoJSON attributes (`E6004`, `E6005`) → attribute assignment and values (`E6012`, `E6006`–`E6021`) → UID format (`E4014`) |
//! | `CREATE` | the same, with `E5000` (the object exists) after the hooks |
//! | `UPDATE` | the same, with `E5001` (it does not) after the hooks, and no UID format check |
//! | `DELETE` | `E5001`; at commit, deletions DHIS2's handlers veto get `E4030` |
//!
//! Not run, as they need what this library has not: DHIS2's security check (users'
//! authorities and sharing access: `E3000`…, `E5008`), org unit move authorities (`E1520`…),
//! `ERRORS_NOT_OWNER`'s `E5006`, the dashboard check. References to types not modelled here
//! (data entry forms, approval workflows, …) are kept as written and not checked.
//!
//! Where this differs from DHIS2, deliberately or for want of what a server has:
//!
//! * a payload's default category objects update the target's defaults' `code` and attribute
//!   values (DHIS2 drops them; set-ups written as metadata files need it);
//! * orders DHIS2 leaves to hash maps are fixed: type reports in import order, object reports by
//!   index, the option sets of `E1131`/`E1132` messages sorted;
//! * `E4013` writes the dates as the payload does (DHIS2 writes Java `Date`s);
//! * a reference inside a non-identifiable embedded object (a data set element) that does not
//!   resolve is worded `… on object DataSetElement …` (DHIS2's arguments are malformed there);
//! * deletion vetoes cover DHIS2's handlers for the modelled types (org unit children, a category
//!   in a combo, an option set used by a data element, an indicator type or data element used by
//!   an indicator, data values through [`Catalogue::has_data_values`]);
//! * option set and data set `version` bumps, `metadataSyncImport` section removal and the
//!   `ERRORS_NOT_OWNER` check (`E5006`) are not done.
//!
//! Several documents are imported in order in one [`Session`]: each is its own bundle, later ones
//! see what earlier ones changed, the reports are merged into one, and the changes folded into
//! one set. With atomic mode `ALL`, a document with errors makes the whole session change nothing
//! (the documents are one transaction).
//!
//! Memory: an import holds one copy of the payload's objects, made as they are read from the
//! document (which it borrows); that copy moves through the bundle into the [`Changes`] it
//! returns. Stored objects are lent by the catalogue, not copied; a session's view of earlier
//! documents is their changes themselves, indexed only when a later document comes; object
//! reports the report mode drops are not made. On the workload of `benches/metadata.rs` (55,001
//! objects, a 133 MB document in memory; `examples/memprobe.rs`), an import into an empty
//! catalogue rises 177 MB above its start, nearly all of it the changes it returns (it was
//! 397 MB), and the re-import over the result 177 MB (it was 450 MB).
//!
//! ```
//! use dxf2_metadata::catalogue::MemoryCatalogue;
//! use dxf2_metadata::import::{import, ImportParams, Status};
//! use dxf2_metadata::read_json_str;
//!
//! let doc = read_json_str(r#"{"dataElements": [
//!   {"id": "f7n9E0hX8qk", "name": "ANC 1st visit", "shortName": "ANC1", "valueType": "INTEGER",
//!    "domainType": "AGGREGATE", "aggregationType": "SUM", "optionSet": {"id": "pQYCiuosBnZ"}},
//!   {"name": "ANC 2nd visit", "shortName": "ANC2", "valueType": "INTEGER",
//!    "domainType": "AGGREGATE", "aggregationType": "SUM"}]}"#).unwrap().document;
//! let mut catalogue = MemoryCatalogue::with_dhis2_defaults();
//! let result = import(&catalogue, &doc, &ImportParams::default()).unwrap();
//! assert_eq!(result.report.status, Status::Error);
//! let e = result.report.error_reports().next().unwrap();
//! assert_eq!(e.error_code, "E5002");
//! assert_eq!(e.message, "Invalid reference [pQYCiuosBnZ] (OptionSet) on object ANC 1st visit [f7n9E0hX8qk] (DataElement) for association `optionSet`");
//! assert_eq!(result.report.stats.ignored, 3); // 2 objects + 1 for the type's reference errors
//! assert!(result.changes.is_empty());
//!
//! let ok = read_json_str(r#"{"dataElements": [{"name": "ANC 2nd visit", "shortName": "ANC2",
//!   "valueType": "INTEGER", "domainType": "AGGREGATE", "aggregationType": "SUM"}]}"#).unwrap().document;
//! let result = import(&catalogue, &ok, &ImportParams::default()).unwrap();
//! assert_eq!(result.report.status, Status::Ok);
//! assert_eq!(result.report.stats.created, 1);
//! let created = &result.changes.of("dataElements").unwrap().created[0];
//! assert_eq!(created["categoryCombo"]["id"], "bjDvmb4bfuf"); // the default combo
//! catalogue.apply(&result.changes);
//! assert_eq!(catalogue.count("dataElements"), 1);
//! ```

mod attributes;
mod bundle;
mod coc;
mod commit;
mod delete;
mod hierarchy;
mod hooks;
mod jackson;
mod message;
mod params;
mod references;
mod report;
mod schema_check;
mod validate;

use dxf2_model::{Phase, Progress};
use serde::Serialize;

pub use coc::{combinations, option_combo_name};
pub use message::template;
pub use params::{
    AtomicMode, FlushMode, Identifier, ImportMode, ImportParams, ImportReportMode, ImportStrategy,
    InclusionStrategy, MergeMode, PreheatMode, Timestamps, DEFAULT_MINOR,
};
pub use report::{ErrorReport, ImportReport, ObjectReport, Stats, Status, TypeReport};

use crate::catalogue::{Catalogue, Overlay};
use crate::changes::Changes;
use crate::document::{Document, Object};
use crate::error::Error;
use crate::schema::{self, TypeSchema};

/// Objects of a DHIS2 metadata type this crate does not model: not imported, passed through.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Skipped {
    /// The collection key (`validationRules`).
    pub key: String,
    /// How many objects.
    pub objects: usize,
}

/// What an import did.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ImportResult {
    /// DHIS2's import report.
    pub report: ImportReport,
    /// The changes to apply (empty for `VALIDATE`, and for atomic mode `ALL` with errors).
    pub changes: Changes,
    /// Types not modelled, passed through unchanged (in [`Changes::unmodelled`]).
    pub skipped: Vec<Skipped>,
    /// Top-level keys DHIS2 does not import (`system` aside).
    pub ignored: Vec<String>,
    /// Category option combos generated ([`ImportParams::generate_option_combos`]).
    pub generated_option_combos: usize,
}

/// Imports one document (see the [module docs](self)).
pub fn import<C: Catalogue + ?Sized>(
    catalogue: &C,
    doc: &Document,
    params: &ImportParams,
) -> Result<ImportResult, Error> {
    let mut session = Session::new(catalogue, params.clone());
    let report = session.run(doc)?;
    session.keep_report(report);
    Ok(session.finish())
}

/// Several documents imported in order, as one transaction.
pub struct Session<'c, C: Catalogue + ?Sized> {
    params: ImportParams,
    /// The catalogue seen through the changes of the documents so far, which it holds.
    view: Overlay<'c, C>,
    report: Option<ImportReport>,
    skipped: Vec<Skipped>,
    ignored: Vec<String>,
    uids: bundle::UidSource,
    failed: bool,
    generated: usize,
    progress: Option<Box<dyn FnMut(Progress) + 'c>>,
}

impl<'c, C: Catalogue + ?Sized> Session<'c, C> {
    /// Reports progress to `progress` while documents are imported: per document,
    /// [`Phase::Read`] (objects read, after each collection), [`Phase::Check`] (the objects
    /// checked: at its start and its end) and [`Phase::Write`] (the objects committed, for a
    /// document whose changes take effect), each phase ending with [`Progress::finished`].
    ///
    /// ```
    /// use dxf2_metadata::catalogue::MemoryCatalogue;
    /// use dxf2_metadata::import::{ImportParams, Session};
    /// use dxf2_metadata::read_json_str;
    /// use dxf2_model::{Phase, Progress};
    /// use std::sync::{Arc, Mutex};
    ///
    /// let catalogue = MemoryCatalogue::with_dhis2_defaults();
    /// let doc = read_json_str(r#"{"organisationUnits": [{"id": "ImspTQPwCqd",
    ///     "name": "Sierra Leone", "shortName": "SL", "openingDate": "1970-01-01"}]}"#)
    /// .unwrap()
    /// .document;
    /// let seen = Arc::new(Mutex::new(Vec::new()));
    /// let log = Arc::clone(&seen);
    /// let mut session = Session::new(&catalogue, ImportParams::default());
    /// session.set_progress(move |p: Progress| log.lock().unwrap().push((p.phase, p.total)));
    /// session.import(&doc).unwrap();
    /// let seen = seen.lock().unwrap();
    /// assert!(seen.contains(&(Phase::Read, Some(1))));
    /// assert!(seen.contains(&(Phase::Check, Some(1))));
    /// assert_eq!(seen.last(), Some(&(Phase::Write, Some(1))));
    /// ```
    pub fn set_progress(&mut self, progress: impl FnMut(Progress) + 'c) {
        self.progress = Some(Box::new(progress));
    }

    /// A session importing into `catalogue` with `params`.
    pub fn new(catalogue: &'c C, params: ImportParams) -> Session<'c, C> {
        let uids = bundle::UidSource::new(params.uid_seed);
        Session {
            params,
            view: Overlay::new(catalogue),
            report: None,
            skipped: Vec::new(),
            ignored: Vec::new(),
            uids,
            failed: false,
            generated: 0,
            progress: None,
        }
    }

    /// Imports the next document, returning its own report (the session keeps the merged one).
    /// An error (a value DHIS2 cannot read, an org unit cycle, a catalogue failure) leaves the
    /// session as it was before the document.
    pub fn import(&mut self, doc: &Document) -> Result<ImportReport, Error> {
        let report = self.run(doc)?;
        self.keep_report(report.clone());
        Ok(report)
    }

    /// Imports the next document, returning its report (not yet merged into the session's).
    fn run(&mut self, doc: &Document) -> Result<ImportReport, Error> {
        // The changes of the documents before enter the view only now that one needs them.
        self.view.show()?;
        let mut none = |_: Progress| {};
        let progress: &mut dyn FnMut(Progress) = match &mut self.progress {
            Some(p) => p,
            None => &mut none,
        };
        let outcome = import_document(&self.view, &self.params, doc, &mut self.uids, progress)?;
        if outcome.applied {
            self.view.push(outcome.changes);
        } else if self.params.atomic_mode == AtomicMode::All {
            self.failed = true;
        }
        self.generated += outcome.generated;
        for s in outcome.skipped {
            match self.skipped.iter_mut().find(|x| x.key == s.key) {
                Some(x) => x.objects += s.objects,
                None => self.skipped.push(s),
            }
        }
        for k in outcome.ignored {
            if !self.ignored.contains(&k) {
                self.ignored.push(k);
            }
        }
        Ok(outcome.report)
    }

    /// Merges a document's report into the session's.
    fn keep_report(&mut self, report: ImportReport) {
        match &mut self.report {
            Some(r) => r.merge(report),
            None => self.report = Some(report),
        }
    }

    /// The merged report and the changes of all documents.
    pub fn finish(self) -> ImportResult {
        let keep = !self.failed && self.params.import_mode == ImportMode::Commit;
        ImportResult {
            report: self.report.unwrap_or_default(),
            changes: if keep {
                self.view.into_changes()
            } else {
                Changes::new()
            },
            skipped: self.skipped,
            ignored: self.ignored,
            generated_option_combos: if keep { self.generated } else { 0 },
        }
    }
}

struct Outcome {
    report: ImportReport,
    changes: Changes,
    /// Whether the changes take effect (no errors, or atomic mode `NONE`).
    applied: bool,
    skipped: Vec<Skipped>,
    ignored: Vec<String>,
    generated: usize,
}

fn now(params: &ImportParams) -> Option<String> {
    match &params.timestamps {
        Timestamps::Now => Some(
            chrono::Utc::now()
                .naive_utc()
                .format("%Y-%m-%dT%H:%M:%S%.3f")
                .to_string(),
        ),
        Timestamps::At(t) => Some(t.clone()),
        Timestamps::Keep => None,
    }
}

fn import_document<C: Catalogue + ?Sized>(
    cat: &C,
    params: &ImportParams,
    doc: &Document,
    uids: &mut bundle::UidSource,
    progress: &mut dyn FnMut(Progress),
) -> Result<Outcome, Error> {
    let minor = params.dhis2_minor();
    let mut read_objects: u64 = 0;
    let mut modelled: Vec<(&'static TypeSchema, Vec<Object>)> = Vec::new();
    let mut unmodelled: Vec<(String, Vec<Object>)> = Vec::new();
    let mut skipped = Vec::new();
    let mut ignored = Vec::new();
    for (key, objects) in &doc.types {
        if let Some(schema) = schema::by_key(key) {
            let mut read = Vec::with_capacity(objects.len());
            for (index, object) in objects.iter().enumerate() {
                let mut object = object.clone();
                let at = jackson::At {
                    collection: key,
                    index,
                };
                jackson::read_object(schema, &mut object, &at, minor)?;
                read.push(object);
            }
            read_objects += read.len() as u64;
            progress(Progress::new(Phase::Read, read_objects));
            match modelled.iter_mut().find(|(s, _)| s.key == schema.key) {
                Some((_, list)) => list.extend(read),
                None => modelled.push((schema, read)),
            }
        } else if schema::is_dhis2_metadata_key(key) {
            skipped.push(Skipped {
                key: key.clone(),
                objects: objects.len(),
            });
            unmodelled.push((key.clone(), objects.clone()));
        } else {
            ignored.push(key.clone());
        }
    }

    progress(Progress::finished(Phase::Read, read_objects));
    let mut b = bundle::Bundle::build(params, cat, modelled, uids)?;
    progress(Progress {
        phase: Phase::Check,
        done: 0,
        total: Some(read_objects),
    });
    let type_reports = if params.skip_validation {
        Vec::new()
    } else {
        validate::validate(&mut b)?
    };
    progress(Progress::finished(Phase::Check, read_objects));
    let mut report = ImportReport::default();
    for (t, r) in type_reports.into_iter().enumerate() {
        let order = b.types.get(t).map_or(u32::MAX, |tb| tb.schema.order);
        report.add_type_report(r, order);
    }

    let applied = !report.has_errors() || params.atomic_mode == AtomicMode::None;
    let mut changes = Changes::new();
    let mut generated = 0;
    if applied {
        progress(Progress {
            phase: Phase::Write,
            done: 0,
            total: Some(read_objects),
        });
        let committed = commit::commit(&mut b, now(params).as_deref())?;
        progress(Progress::finished(Phase::Write, read_objects));
        if params.import_mode == ImportMode::Commit {
            for (t, r) in committed.reports.into_iter().enumerate() {
                let order = b.types.get(t).map_or(u32::MAX, |tb| tb.schema.order);
                report.add_type_report(r, order);
            }
            for (klass, n) in committed.vetoed {
                if let Some(t) = report.type_reports.iter_mut().find(|t| t.klass == klass) {
                    t.stats.deleted = t.stats.deleted.saturating_sub(n);
                    t.stats.ignored += n;
                }
            }
            report.recount();
        }
        changes = committed.changes;
        changes.unmodelled = unmodelled;
        generated = committed.generated;
        report.status = if report.has_errors() {
            Status::Warning
        } else {
            Status::Ok
        };
    } else {
        for t in &mut report.type_reports {
            t.ignore_all();
        }
        report.recount();
        report.status = Status::Error;
    }

    if params.import_mode == ImportMode::Commit {
        let clean = params.import_report_mode == ImportReportMode::Errors;
        let names = params.import_report_mode == ImportReportMode::Debug;
        report.post_process(clean, names);
    }
    Ok(Outcome {
        report,
        changes,
        applied,
        skipped,
        ignored,
        generated,
    })
}
