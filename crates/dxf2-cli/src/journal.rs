//! Recording each import in its store's journal (`dxf2::store::Journal`): the words of the
//! command as given, the input's name, size and SHA-256, the status, counts and summaries.
//!
//! An import that writes records its job in its own transaction (through
//! `dxf2::store::HeldCommit`); a dry run, or an import that failed and was rolled back, records
//! its job afterwards in a short transaction of its own (opening the store for writing only
//! then, so that `validate` never holds the write lock while it reads). Imports into a memory
//! store (`--metadata` instead of `--store`) keep no journal.

use std::path::PathBuf;
use std::sync::Mutex;

use chrono::{DateTime, Utc};
use dxf2::store::{
    DataValueStore, Job, JobCounts, JobInput, JobKind, JobStatus, Journal, StoreError,
};
use dxf2_model::ImportSummary;

use crate::location::StoreLocation;
use crate::Exit;

/// The words of the command being run (after `dxf2`), as given: set by `main` (and by `dxf2 jobs
/// recreate` for the import it runs).
static WORDS: Mutex<Vec<String>> = Mutex::new(Vec::new());

/// Sets the words of the command being run.
pub fn set_words(words: Vec<String>) {
    if let Ok(mut w) = WORDS.lock() {
        *w = words;
    }
}

/// The words of the command being run, PostgreSQL passwords left out (the journal is no place
/// for them; `dxf2 jobs recreate` takes the store anew).
fn words() -> Vec<String> {
    let words = WORDS.lock().map(|w| w.clone()).unwrap_or_default();
    words.iter().map(|w| redact(w)).collect()
}

/// `word` with the password of a PostgreSQL URL in it left out.
pub fn redact(word: &str) -> String {
    let (flag, value) = match word.split_once('=') {
        Some((flag, value)) if flag.starts_with("--") => (Some(flag), value),
        _ => (None, word),
    };
    match StoreLocation::parse(value) {
        Ok(StoreLocation::Postgres(url)) => {
            let url = dxf2_store_postgres::redact(&url);
            match flag {
                Some(flag) => format!("{flag}={url}"),
                None => url,
            }
        }
        _ => word.to_owned(),
    }
}

/// What is known of a job when it starts.
#[derive(Debug)]
pub struct Draft {
    kind: JobKind,
    started: DateTime<Utc>,
    inputs: Vec<JobInput>,
    dry_run: bool,
}

impl Draft {
    /// A job of `kind` starting now, reading `files` (each hashed now, from start to end;
    /// standard input, `-`, is hashed as the import reads it when the command taps it, see
    /// [`read_stdin`](Draft::read_stdin); else its SHA-256 stays empty).
    pub fn start(kind: JobKind, files: &[PathBuf], dry_run: bool) -> Draft {
        let inputs = files
            .iter()
            .filter_map(|file| {
                if file.as_os_str() == "-" {
                    Some(JobInput {
                        name: "-".to_owned(),
                        size: 0,
                        sha256: String::new(),
                    })
                } else {
                    // A file that cannot be read is reported by the import itself.
                    dxf2::jobs::input_of_file(file).ok()
                }
            })
            .collect();
        Draft {
            kind,
            started: Utc::now(),
            inputs,
            dry_run,
        }
    }

    /// Standard input as it was read (hashed while the import read it): its size and SHA-256.
    pub fn read_stdin(&mut self, read: JobInput) {
        for input in self.inputs.iter_mut().filter(|i| i.name == "-") {
            input.size = read.size;
            input.sha256.clone_from(&read.sha256);
        }
    }

    /// The finished job: status, profile, counts, summaries by format (`printed`: the one
    /// printed) and notes.
    pub fn finish(
        &self,
        status: JobStatus,
        profile: Option<String>,
        counts: JobCounts,
        (summaries, printed): (std::collections::BTreeMap<String, String>, &str),
        notes: Vec<String>,
    ) -> Job {
        let mut job = Job::new(self.kind, self.started);
        job.finished = Utc::now();
        job.dry_run = self.dry_run;
        job.status = status;
        job.parameters = words();
        let mut inputs = self.inputs.iter().cloned();
        job.input = inputs.next();
        job.other_inputs = inputs.collect();
        job.profile = profile;
        job.counts = counts;
        job.summaries = summaries;
        job.printed = printed.to_owned();
        job.notes = notes;
        job.program = concat!("dxf2 ", env!("CARGO_PKG_VERSION")).to_owned();
        job
    }
}

/// A data value import's status and counts, in the journal's terms.
pub fn data_counts(summary: &ImportSummary) -> (JobStatus, JobCounts) {
    let c = summary.import_count;
    let status = JobStatus::from(summary.status);
    let counts = JobCounts {
        imported: c.imported,
        updated: c.updated,
        deleted: c.deleted,
        ignored: c.ignored,
        conflicts: summary.conflicts.len() as u64,
    };
    (status, counts)
}

/// Records `job` in `store`'s open transaction; the note for stderr when its input was read by
/// earlier jobs (see [`say`]).
pub fn record_in(
    store: &mut dyn DataValueStore,
    job: &mut Job,
) -> Result<Option<String>, StoreError> {
    store.record_job(job)?;
    Ok(repeat_note(store, job))
}

/// Records `job` in the transaction whose commit `held` holds (an importer's), then commits
/// both; on failure rolls both back and says that nothing was written (exit 1).
pub fn commit_held<S: DataValueStore + ?Sized>(
    held: &mut dxf2::store::HeldCommit<'_, S>,
    at: &StoreLocation,
    job: &mut Job,
) -> Result<Option<String>, Exit> {
    let recorded = record_in(held, job).and_then(|note| {
        held.commit_held()?;
        Ok(note)
    });
    recorded.map_err(|e| {
        let _ = held.rollback_held();
        let exit = crate::store::store_error(at, &e);
        Exit {
            code: 1,
            message: format!(
                "the import was not saved (nothing was written): {}",
                exit.message
            ),
        }
    })
}

/// Records `job` in a short transaction of its own, opening the store at `at` for writing; the
/// note for stderr when its input was read by earlier jobs.
pub fn record_after(at: &StoreLocation, job: &mut Job) -> Result<Option<String>, Exit> {
    let mut store = crate::store::open_existing(at, false)?;
    let s: &mut dyn DataValueStore = store.as_mut();
    let mut note = None;
    let done = s.begin().and_then(|()| record_in(s, job)).and_then(|n| {
        note = n;
        s.commit()
    });
    if let Err(e) = done {
        let _ = s.rollback();
        return Err(crate::store::store_error(at, &e));
    }
    Ok(note)
}

/// Records `job` after the run (see [`record_after`]) — a dry run's, or an import's that wrote
/// nothing; the repeat note for stderr, if any. When the journal cannot be written it warns
/// instead (the run itself stands).
pub fn record_after_or_warn(at: &StoreLocation, job: &mut Job) -> Option<String> {
    match record_after(at, job) {
        Ok(note) => note,
        Err(e) => {
            crate::ui::warning(&format!(
                "the job was not recorded in the store's journal: {}",
                e.message
            ));
            None
        }
    }
}

/// Prints the repeat note, if any, on stderr.
pub fn say(note: Option<String>) {
    if let Some(note) = note {
        crate::ui::note(&note);
    }
}

/// The note for an input the store has seen before (DHIS2 would import it again, and so does
/// this: a note, not a refusal).
fn repeat_note(store: &mut dyn DataValueStore, job: &Job) -> Option<String> {
    if job.same_input_as.is_empty() {
        return None;
    }
    let mut earlier = Vec::new();
    for id in &job.same_input_as {
        match store.job(*id) {
            Ok(Some(j)) => earlier.push(format!(
                "job {id} on {}{}",
                j.started.format("%Y-%m-%d %H:%M UTC"),
                if j.dry_run { " (a dry run)" } else { "" }
            )),
            _ => earlier.push(format!("job {id}")),
        }
    }
    let (name, sha) = job
        .input
        .as_ref()
        .map(|i| (i.name.as_str(), i.sha256.as_str()))
        .unwrap_or_default();
    Some(format!(
        "{name} (SHA-256 {}…) was read into this store before: {} — DHIS2 would import it \
         again, and so did this {}; see `dxf2 jobs show ID`",
        sha.get(..12).unwrap_or(sha),
        earlier.join(", "),
        if job.dry_run { "check" } else { "import" }
    ))
}
