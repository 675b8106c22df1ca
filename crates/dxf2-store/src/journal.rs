//! [`Journal`]: the import journal every store keeps — DHIS2's job overview, offline.
//!
//! Each import (data values, metadata, geometry, tracker) is a [`Job`]: its kind, start and end,
//! the parameters that run it again, the input's name, size and SHA-256, the DHIS2 profile, the
//! status and counts, and the summary documents exactly as the import printed them. A job is
//! recorded in the same transaction as the import's effects (a killed import leaves neither); a
//! dry run is recorded after it, in a short transaction of its own, marked
//! [`dry_run`](Job::dry_run).
//!
//! The journal is built on the store's records ([`DataValueStore::put_record`] and friends), so
//! every store that keeps records — memory, SQLite, PostgreSQL, a host's own — keeps a journal:
//! records of kind `job` (id: the job number, zero-padded, so that records come in job order),
//! `job-input` (by SHA-256: the jobs that read that input) and `job-seq` (the last number given).
//!
//! [`HeldCommit`] lets a host run an importer that commits its own transaction and still add the
//! job to that transaction: the importer's `commit` is held, the job recorded, then
//! [`HeldCommit::commit_held`] commits both.
//!
//! ```
//! use chrono::{TimeZone, Utc};
//! use dxf2_store::{DataValueStore, Job, JobFilter, JobKind, JobStatus, Journal, MemoryStore};
//!
//! let mut store = MemoryStore::new();
//! let at = Utc.with_ymd_and_hms(2024, 5, 1, 8, 0, 0).unwrap();
//! let mut job = Job::new(JobKind::Data, at);
//! job.status = JobStatus::Ok;
//! job.parameters = vec!["import".into(), "--dry-run".into()];
//! job.dry_run = true;
//! store.begin().unwrap();
//! let id = store.record_job(&mut job).unwrap();
//! store.commit().unwrap();
//! assert_eq!(id, 1);
//!
//! let back = store.job(1).unwrap().unwrap();
//! assert_eq!(back, job);
//! let mut seen = Vec::new();
//! store.jobs(&JobFilter { kind: Some(JobKind::Data), ..JobFilter::default() }, &mut |j| {
//!     seen.push(j.id);
//!     Ok(())
//! }).unwrap();
//! assert_eq!(seen, [1]);
//! ```

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use dxf2_model::{Period, Uid};
use serde::{Deserialize, Serialize};

use crate::changes::Changes;
use crate::error::StoreError;
use crate::traits::DataValueStore;
use crate::types::{Audit, Completion, DataValueKey, Existing, StoredValue, ValueQuery};

/// Record kind of the jobs (id: the job number, 20 digits).
const JOB: &str = "job";
/// Record kind of the input index (id: SHA-256 in hex; body: the job numbers, a JSON array).
const JOB_INPUT: &str = "job-input";
/// Record kind of the counter (id `last`; body: the last job number given).
const JOB_SEQ: &str = "job-seq";

/// What a job imported.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum JobKind {
    /// Data values (a data value set in any format, a PDF form, a sync bundle).
    Data,
    /// Metadata (a metadata package, CSV metadata).
    Metadata,
    /// Org unit geometry (GeoJSON, GML).
    Geometry,
    /// Tracker data (tracked entities, enrollments, events, relationships).
    Tracker,
}

impl JobKind {
    /// Every kind, in the order `dxf2 jobs list --kind` names them.
    pub const ALL: [JobKind; 4] = [
        JobKind::Data,
        JobKind::Metadata,
        JobKind::Geometry,
        JobKind::Tracker,
    ];

    /// The kind's name: `data`, `metadata`, `geometry`, `tracker`.
    pub fn name(self) -> &'static str {
        match self {
            JobKind::Data => "data",
            JobKind::Metadata => "metadata",
            JobKind::Geometry => "geometry",
            JobKind::Tracker => "tracker",
        }
    }
}

impl fmt::Display for JobKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for JobKind {
    type Err = String;
    fn from_str(s: &str) -> Result<JobKind, String> {
        JobKind::ALL
            .into_iter()
            .find(|k| k.name().eq_ignore_ascii_case(s))
            .ok_or_else(|| format!("`{s}` is not a job kind (data, metadata, geometry, tracker)"))
    }
}

/// How a job ended: the status of DHIS2's import summary or report.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum JobStatus {
    /// `OK`.
    Ok,
    /// `WARNING`.
    Warning,
    /// `ERROR` (also an input that could not be used: DHIS2's ERROR summary).
    Error,
}

impl JobStatus {
    /// DHIS2's name: `OK`, `WARNING`, `ERROR`.
    pub fn name(self) -> &'static str {
        match self {
            JobStatus::Ok => "OK",
            JobStatus::Warning => "WARNING",
            JobStatus::Error => "ERROR",
        }
    }
}

impl fmt::Display for JobStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl From<dxf2_model::ImportStatus> for JobStatus {
    /// A data value import summary's status (`SUCCESS` is the journal's `OK`).
    fn from(status: dxf2_model::ImportStatus) -> JobStatus {
        match status {
            dxf2_model::ImportStatus::Success => JobStatus::Ok,
            dxf2_model::ImportStatus::Warning => JobStatus::Warning,
            dxf2_model::ImportStatus::Error => JobStatus::Error,
        }
    }
}

impl FromStr for JobStatus {
    type Err = String;
    fn from_str(s: &str) -> Result<JobStatus, String> {
        [JobStatus::Ok, JobStatus::Warning, JobStatus::Error]
            .into_iter()
            .find(|k| k.name().eq_ignore_ascii_case(s))
            .ok_or_else(|| format!("`{s}` is not a job status (OK, WARNING, ERROR)"))
    }
}

/// The input a job read.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobInput {
    /// Its name as given (a path, `-` for standard input).
    pub name: String,
    /// Its size in bytes, as read (compressed, for a compressed file).
    pub size: u64,
    /// The SHA-256 of its bytes as read, 64 lowercase hexadecimal digits (empty when the input
    /// was a stream that was not hashed; such inputs are not compared with earlier ones).
    pub sha256: String,
}

/// A job's counts, in DHIS2's words for data values (`imported` for metadata and tracker
/// imports is DHIS2's `created`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobCounts {
    /// Created (imported).
    pub imported: u64,
    /// Updated.
    pub updated: u64,
    /// Deleted.
    pub deleted: u64,
    /// Ignored.
    pub ignored: u64,
    /// Conflicts (data values) or error reports (metadata, tracker).
    pub conflicts: u64,
}

/// One import, as the journal keeps it. See the module docs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Job {
    /// The job number, given by [`Journal::record_job`] (1, 2, …; 0 before).
    pub id: u64,
    /// What was imported.
    pub kind: JobKind,
    /// When the import started.
    #[serde(with = "rfc3339")]
    pub started: DateTime<Utc>,
    /// When it ended.
    #[serde(with = "rfc3339")]
    pub finished: DateTime<Utc>,
    /// A dry run (`validate`, `--dry-run`): nothing but the job was written.
    pub dry_run: bool,
    /// How it ended.
    pub status: JobStatus,
    /// The parameters that run it again, as given (for the `dxf2` CLI: the words of the command
    /// line after `dxf2`).
    pub parameters: Vec<String>,
    /// The input, when there was one (the first, when there were several).
    pub input: Option<JobInput>,
    /// The second and later inputs of an import of several files (a metadata import can take
    /// several).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub other_inputs: Vec<JobInput>,
    /// The DHIS2 profile that imported it (`2.42`, `2.43`, …), when the import has one.
    pub profile: Option<String>,
    /// The counts.
    pub counts: JobCounts,
    /// The summary in every format the import can print (`json`, `xml`, `table`), each exactly
    /// as the import prints it in that format.
    pub summaries: BTreeMap<String, String>,
    /// The format the import printed (a key of [`summaries`](Job::summaries)).
    #[serde(default)]
    pub printed: String,
    /// Earlier jobs of this store that read the same input (same SHA-256): an input imported
    /// again (DHIS2 would import it again, so this is a note, not a refusal).
    pub same_input_as: Vec<u64>,
    /// Notes the import wrote beside its summary (on stderr).
    pub notes: Vec<String>,
    /// The program and version that ran it (`dxf2 0.1.0`).
    pub program: String,
}

impl Job {
    /// A job of `kind` started at `started` (and, until set, finished then), status OK, no
    /// parameters, input or summaries.
    pub fn new(kind: JobKind, started: DateTime<Utc>) -> Job {
        Job {
            id: 0,
            kind,
            started,
            finished: started,
            dry_run: false,
            status: JobStatus::Ok,
            parameters: Vec::new(),
            input: None,
            other_inputs: Vec::new(),
            profile: None,
            counts: JobCounts::default(),
            summaries: BTreeMap::new(),
            printed: String::new(),
            same_input_as: Vec::new(),
            notes: Vec::new(),
            program: String::new(),
        }
    }
}

/// Which jobs [`Journal::jobs`] lists (every job by default).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct JobFilter {
    /// Only jobs of this kind.
    pub kind: Option<JobKind>,
    /// Only jobs that ended so.
    pub status: Option<JobStatus>,
    /// Only jobs started at or after this time.
    pub since: Option<DateTime<Utc>>,
}

impl JobFilter {
    /// Whether `job` passes.
    pub fn matches(&self, job: &Job) -> bool {
        self.kind.is_none_or(|k| k == job.kind)
            && self.status.is_none_or(|s| s == job.status)
            && self.since.is_none_or(|t| job.started >= t)
    }
}

/// A store's import journal; see the module docs. Every [`DataValueStore`] that keeps records
/// has one.
pub trait Journal {
    /// Records `job` under the next job number, which it sets in `job.id` and returns; also
    /// notes in [`same_input_as`](Job::same_input_as) the earlier jobs that read the same input
    /// (the same SHA-256; an empty one is not compared).
    /// Call it inside the import's transaction (it is then part of it; the numbers are taken
    /// under the store's write lock).
    fn record_job(&mut self, job: &mut Job) -> Result<u64, StoreError>;

    /// Job number `id`, if there is one.
    fn job(&mut self, id: u64) -> Result<Option<Job>, StoreError>;

    /// Calls `each` for every job `filter` passes, oldest (lowest number) first.
    fn jobs(
        &mut self,
        filter: &JobFilter,
        each: &mut dyn FnMut(&Job) -> Result<(), StoreError>,
    ) -> Result<(), StoreError>;

    /// The numbers of the jobs that read an input with this SHA-256, oldest first.
    fn jobs_with_input(&mut self, sha256: &str) -> Result<Vec<u64>, StoreError>;
}

fn job_record_id(id: u64) -> String {
    format!("{id:020}")
}

fn decode<T: serde::de::DeserializeOwned>(
    kind: &str,
    id: &str,
    body: &str,
) -> Result<T, StoreError> {
    serde_json::from_str(body).map_err(|e| {
        StoreError::Incompatible(format!("journal record {kind}/{id} cannot be read: {e}"))
    })
}

fn encode<T: Serialize>(value: &T) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(|e| StoreError::backend("writing a journal record", e))
}

impl<S: DataValueStore + ?Sized> Journal for S {
    fn record_job(&mut self, job: &mut Job) -> Result<u64, StoreError> {
        let last: u64 = match self.record(JOB_SEQ, "last")? {
            Some(body) => decode(JOB_SEQ, "last", &body)?,
            None => 0,
        };
        let id = last + 1;
        job.id = id;
        let mut shas: Vec<String> = job
            .input
            .iter()
            .chain(&job.other_inputs)
            .filter(|i| !i.sha256.is_empty())
            .map(|i| i.sha256.clone())
            .collect();
        shas.sort();
        shas.dedup();
        job.same_input_as.clear();
        for sha in &shas {
            let mut earlier: Vec<u64> = match self.record(JOB_INPUT, sha)? {
                Some(body) => decode(JOB_INPUT, sha, &body)?,
                None => Vec::new(),
            };
            job.same_input_as.extend(&earlier);
            earlier.push(id);
            self.put_record(JOB_INPUT, sha, &encode(&earlier)?)?;
        }
        job.same_input_as.sort_unstable();
        job.same_input_as.dedup();
        self.put_record(JOB, &job_record_id(id), &encode(job)?)?;
        self.put_record(JOB_SEQ, "last", &id.to_string())?;
        Ok(id)
    }

    fn job(&mut self, id: u64) -> Result<Option<Job>, StoreError> {
        let rid = job_record_id(id);
        match self.record(JOB, &rid)? {
            Some(body) => decode(JOB, &rid, &body).map(Some),
            None => Ok(None),
        }
    }

    fn jobs(
        &mut self,
        filter: &JobFilter,
        each: &mut dyn FnMut(&Job) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        self.records(JOB, &mut |id, body| {
            let job: Job = decode(JOB, id, body)?;
            if filter.matches(&job) {
                each(&job)?;
            }
            Ok(())
        })
    }

    fn jobs_with_input(&mut self, sha256: &str) -> Result<Vec<u64>, StoreError> {
        match self.record(JOB_INPUT, sha256)? {
            Some(body) => decode(JOB_INPUT, sha256, &body),
            None => Ok(Vec::new()),
        }
    }
}

/// A store whose `commit` is held: an importer that ends its own transaction runs against it,
/// the host then adds to the same transaction (a [`Job`]) and commits with
/// [`commit_held`](HeldCommit::commit_held). Everything else passes through.
///
/// ```
/// use chrono::{TimeZone, Utc};
/// use dxf2_store::{DataValueStore, HeldCommit, Job, JobKind, Journal, MemoryStore};
///
/// let mut store = MemoryStore::new();
/// let mut held = HeldCommit::new(&mut store);
/// held.begin().unwrap();
/// held.commit().unwrap(); // the importer's commit: held
/// assert!(held.is_held());
/// let mut job = Job::new(JobKind::Data, Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap());
/// held.record_job(&mut job).unwrap();
/// held.commit_held().unwrap();
/// assert!(store.job(1).unwrap().is_some());
/// ```
pub struct HeldCommit<'s, S: DataValueStore + ?Sized> {
    store: &'s mut S,
    held: bool,
    joined: bool,
    rolled_back: bool,
}

impl<'s, S: DataValueStore + ?Sized> HeldCommit<'s, S> {
    /// Wraps `store`.
    pub fn new(store: &'s mut S) -> HeldCommit<'s, S> {
        HeldCommit {
            store,
            held: false,
            joined: false,
            rolled_back: false,
        }
    }

    /// Wraps `store`, whose transaction the host has already opened (to write more in it
    /// before the importer runs): the importer's `begin` joins that transaction instead of
    /// starting one, its `commit` is held as with [`new`](Self::new).
    pub fn joining(store: &'s mut S) -> HeldCommit<'s, S> {
        HeldCommit {
            joined: true,
            ..HeldCommit::new(store)
        }
    }

    /// Whether the importer rolled the transaction back (everything in it is gone).
    pub fn rolled_back(&self) -> bool {
        self.rolled_back
    }

    /// Whether the importer committed (and the commit waits for [`commit_held`](Self::commit_held)).
    pub fn is_held(&self) -> bool {
        self.held
    }

    /// Commits the held transaction (an error when none is held).
    pub fn commit_held(&mut self) -> Result<(), StoreError> {
        if !self.held {
            return Err(StoreError::Misuse("commit_held without a held commit"));
        }
        self.held = false;
        self.store.commit()
    }

    /// Rolls the held transaction back (nothing of it, nor what was added, is kept).
    pub fn rollback_held(&mut self) -> Result<(), StoreError> {
        if !self.held {
            return Err(StoreError::Misuse("rollback_held without a held commit"));
        }
        self.held = false;
        self.store.rollback()
    }
}

impl<S: DataValueStore + ?Sized> DataValueStore for HeldCommit<'_, S> {
    fn begin(&mut self) -> Result<(), StoreError> {
        if self.held {
            return Err(StoreError::Misuse("begin while a commit is held"));
        }
        if self.joined {
            return Ok(());
        }
        self.store.begin()
    }
    fn commit(&mut self) -> Result<(), StoreError> {
        if self.held {
            return Err(StoreError::Misuse("commit while a commit is held"));
        }
        self.held = true;
        Ok(())
    }
    fn rollback(&mut self) -> Result<(), StoreError> {
        self.held = false;
        if self.rolled_back && self.joined {
            // The joined transaction is gone already.
            return Ok(());
        }
        self.rolled_back = true;
        self.store.rollback()
    }
    fn lookup(
        &mut self,
        keys: &[DataValueKey],
        found: &mut dyn FnMut(usize, &StoredValue, Existing) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        self.store.lookup(keys, found)
    }
    fn apply(&mut self, changes: &Changes) -> Result<(), StoreError> {
        self.store.apply(changes)
    }
    fn completion(
        &mut self,
        data_set: &Uid,
        period: &Period,
        org_unit: &Uid,
        attribute_option_combo: &Uid,
    ) -> Result<Option<Completion>, StoreError> {
        self.store
            .completion(data_set, period, org_unit, attribute_option_combo)
    }
    fn has_lock_exception(
        &mut self,
        data_set: &Uid,
        period: &Period,
        org_unit: &Uid,
    ) -> Result<bool, StoreError> {
        self.store.has_lock_exception(data_set, period, org_unit)
    }
    fn query(
        &mut self,
        query: &ValueQuery,
        each: &mut dyn FnMut(&StoredValue) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        self.store.query(query, each)
    }
    fn audits(&mut self, key: &DataValueKey) -> Result<Vec<Audit>, StoreError> {
        self.store.audits(key)
    }
    fn add_lock_exception(
        &mut self,
        data_set: &Uid,
        period: &Period,
        org_unit: &Uid,
    ) -> Result<(), StoreError> {
        self.store.add_lock_exception(data_set, period, org_unit)
    }
    fn store_id(&mut self) -> Result<String, StoreError> {
        self.store.store_id()
    }
    fn last_change(&mut self) -> Result<u64, StoreError> {
        self.store.last_change()
    }
    fn changed_completions(
        &mut self,
        since: u64,
        each: &mut dyn FnMut(&Completion) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        self.store.changed_completions(since, each)
    }
    fn put_record(&mut self, kind: &str, id: &str, body: &str) -> Result<(), StoreError> {
        self.store.put_record(kind, id, body)
    }
    fn record(&mut self, kind: &str, id: &str) -> Result<Option<String>, StoreError> {
        self.store.record(kind, id)
    }
    fn delete_record(&mut self, kind: &str, id: &str) -> Result<bool, StoreError> {
        self.store.delete_record(kind, id)
    }
    fn records(
        &mut self,
        kind: &str,
        each: &mut dyn FnMut(&str, &str) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        self.store.records(kind, each)
    }
}

/// Times as RFC 3339 text with milliseconds (`2024-05-01T08:00:00.000Z`).
mod rfc3339 {
    use chrono::{DateTime, SecondsFormat, Utc};
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(t: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&t.to_rfc3339_opts(SecondsFormat::Millis, true))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<DateTime<Utc>, D::Error> {
        let text = String::deserialize(d)?;
        DateTime::parse_from_rfc3339(&text)
            .map(|t| t.with_timezone(&Utc))
            .map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::MemoryStore;
    use chrono::TimeZone;

    fn job(kind: JobKind, sha: &str, minute: u32) -> Job {
        let mut job = Job::new(
            kind,
            Utc.with_ymd_and_hms(2024, 5, 1, 8, minute, 0).unwrap(),
        );
        job.input = Some(JobInput {
            name: "in.json".into(),
            size: 10,
            sha256: sha.into(),
        });
        job
    }

    #[test]
    fn numbers_grow_and_repeated_inputs_are_noted() {
        let mut store = MemoryStore::new();
        store.begin().unwrap();
        let mut a = job(JobKind::Data, "aa", 1);
        let mut b = job(JobKind::Metadata, "bb", 2);
        let mut c = job(JobKind::Data, "aa", 3);
        c.status = JobStatus::Error;
        assert_eq!(store.record_job(&mut a).unwrap(), 1);
        assert_eq!(store.record_job(&mut b).unwrap(), 2);
        assert_eq!(store.record_job(&mut c).unwrap(), 3);
        store.commit().unwrap();
        assert_eq!(c.same_input_as, [1]);
        assert!(a.same_input_as.is_empty());
        assert_eq!(store.jobs_with_input("aa").unwrap(), [1, 3]);
        assert_eq!(store.job(3).unwrap().unwrap(), c);
        assert!(store.job(4).unwrap().is_none());

        let list = |store: &mut MemoryStore, filter: JobFilter| {
            let mut ids = Vec::new();
            store
                .jobs(&filter, &mut |j| {
                    ids.push(j.id);
                    Ok(())
                })
                .unwrap();
            ids
        };
        assert_eq!(list(&mut store, JobFilter::default()), [1, 2, 3]);
        let data = JobFilter {
            kind: Some(JobKind::Data),
            ..JobFilter::default()
        };
        assert_eq!(list(&mut store, data), [1, 3]);
        let errors = JobFilter {
            status: Some(JobStatus::Error),
            ..JobFilter::default()
        };
        assert_eq!(list(&mut store, errors), [3]);
        let since = JobFilter {
            since: Some(Utc.with_ymd_and_hms(2024, 5, 1, 8, 2, 0).unwrap()),
            ..JobFilter::default()
        };
        assert_eq!(list(&mut store, since), [2, 3]);
    }

    #[test]
    fn a_rolled_back_import_leaves_no_job() {
        let mut store = MemoryStore::new();
        let mut held = HeldCommit::new(&mut store);
        held.begin().unwrap();
        held.commit().unwrap();
        held.record_job(&mut job(JobKind::Data, "aa", 1)).unwrap();
        held.rollback_held().unwrap();
        assert!(store.job(1).unwrap().is_none());
        assert!(store.jobs_with_input("aa").unwrap().is_empty());
    }

    #[test]
    fn a_joined_transaction_is_not_begun_again() {
        let mut store = MemoryStore::new();
        store.begin().unwrap();
        {
            let mut held = HeldCommit::joining(&mut store);
            held.begin().unwrap();
            held.record_job(&mut job(JobKind::Data, "aa", 1)).unwrap();
            held.commit().unwrap();
            assert!(held.is_held() && !held.rolled_back());
        }
        store.commit().unwrap();
        assert!(store.job(1).unwrap().is_some());

        store.begin().unwrap();
        let mut held = HeldCommit::joining(&mut store);
        held.begin().unwrap();
        held.record_job(&mut job(JobKind::Data, "bb", 2)).unwrap();
        held.rollback().unwrap();
        held.rollback().unwrap();
        assert!(held.rolled_back());
        assert!(store.job(2).unwrap().is_none());
    }

    #[test]
    fn kinds_and_statuses_parse() {
        assert_eq!("Tracker".parse::<JobKind>().unwrap(), JobKind::Tracker);
        assert_eq!("warning".parse::<JobStatus>().unwrap(), JobStatus::Warning);
        assert!("x".parse::<JobKind>().is_err());
        let text = serde_json::to_string(&job(JobKind::Geometry, "s", 0)).unwrap();
        assert!(text.contains(r#""kind":"geometry""#), "{text}");
        assert!(
            text.contains(r#""started":"2024-05-01T08:00:00.000Z""#),
            "{text}"
        );
        assert!(text.contains(r#""dryRun":false"#), "{text}");
    }
}
