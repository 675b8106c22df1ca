//! `dxf2 jobs list|show|recreate`: the store's import journal, as DHIS2's Import/Export app shows
//! its job overview (filter by kind, a job's details and summary, "recreate job").

use std::io::Write;
use std::path::PathBuf;

use chrono::{DateTime, NaiveDate, Utc};
use clap::{Args, Subcommand};
use dxf2::store::{DataValueStore, Job, JobFilter, JobKind, JobStatus, Journal};

use crate::location::StoreLocation;
use crate::summary::SummaryFormat;
use crate::{ui, write_stdout, Exit};

/// `dxf2 jobs …`.
#[derive(Subcommand, Debug)]
pub enum JobsCommand {
    /// List the store's jobs (every import, dry runs included), oldest first.
    List(ListArgs),
    /// Show a job: its details and its summary as the import printed it.
    Show(ShowArgs),
    /// Run a job's import again, as it was given (on the same or another file, into the same or
    /// another store), or print the equivalent command line.
    Recreate(RecreateArgs),
}

/// `dxf2 jobs list`.
#[derive(Args, Debug)]
pub struct ListArgs {
    /// The store.
    #[arg(long, value_name = "DB", value_parser = StoreLocation::parse)]
    pub store: StoreLocation,
    /// Only jobs of this kind: data, metadata, geometry or tracker.
    #[arg(long, value_name = "KIND", value_parser = str::parse::<JobKind>)]
    pub kind: Option<JobKind>,
    /// Only jobs that ended with this status: OK, WARNING or ERROR (any case).
    #[arg(long, value_name = "S", value_parser = str::parse::<JobStatus>)]
    pub status: Option<JobStatus>,
    /// Only jobs started at or after this time (`2024-05-01`, or RFC 3339 such as
    /// `2024-05-01T08:00:00Z`).
    #[arg(long, value_name = "T", value_parser = parse_since)]
    pub since: Option<DateTime<Utc>>,
    /// Print a JSON array (`id`, `kind`, `started`, `finished`, `status`, `dryRun`, `input`,
    /// `sha256`, …) instead of a table.
    #[arg(long)]
    pub json: bool,
}

/// `dxf2 jobs show`.
#[derive(Args, Debug)]
pub struct ShowArgs {
    /// The job's number (`dxf2 jobs list`).
    #[arg(value_name = "ID")]
    pub id: u64,
    /// The store.
    #[arg(long, value_name = "DB", value_parser = StoreLocation::parse)]
    pub store: StoreLocation,
    /// Print only the summary, in this format, exactly as the import printed it (without it:
    /// the job's details, then the summary in the format the import printed).
    #[arg(long, value_enum)]
    pub summary: Option<SummaryFormat>,
}

/// `dxf2 jobs recreate`.
#[derive(Args, Debug)]
pub struct RecreateArgs {
    /// The job's number (`dxf2 jobs list`).
    #[arg(value_name = "ID")]
    pub id: u64,
    /// The store whose journal holds the job (and that the import runs against, unless --into).
    #[arg(long, value_name = "DB", value_parser = StoreLocation::parse)]
    pub store: StoreLocation,
    /// The file to import instead of the job's own input.
    #[arg(value_name = "FILE")]
    pub file: Option<PathBuf>,
    /// Run the import against this store instead.
    #[arg(long, value_name = "DB", value_parser = StoreLocation::parse)]
    pub into: Option<StoreLocation>,
    /// Print the equivalent command line instead of running it.
    #[arg(long)]
    pub print: bool,
}

fn parse_since(text: &str) -> Result<DateTime<Utc>, String> {
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Ok(t.with_timezone(&Utc));
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| t.and_utc())
        .ok_or_else(|| format!("`{text}` is not a time: give 2024-05-01 or 2024-05-01T08:00:00Z"))
}

fn open(at: &StoreLocation) -> Result<crate::location::AnyStore, Exit> {
    crate::store::open_existing(at, true)
}

fn find(at: &StoreLocation, store: &mut dyn DataValueStore, id: u64) -> Result<Job, Exit> {
    match store.job(id) {
        Ok(Some(job)) => Ok(job),
        Ok(None) => Err(Exit {
            code: 1,
            message: format!(
                "job {id} is not in the journal of {at} (`dxf2 jobs list --store {at}` lists them)"
            ),
        }),
        Err(e) => Err(crate::store::store_error(at, &e)),
    }
}

/// `dxf2 jobs list`.
pub fn run_list(args: &ListArgs) -> Result<u8, Exit> {
    let mut store = open(&args.store)?;
    let filter = JobFilter {
        kind: args.kind,
        status: args.status,
        since: args.since,
    };
    let mut jobs = Vec::new();
    store
        .as_mut()
        .jobs(&filter, &mut |j| {
            jobs.push(j.clone());
            Ok(())
        })
        .map_err(|e| crate::store::store_error(&args.store, &e))?;
    let mut out = Vec::new();
    if args.json {
        let list: Vec<ListEntry<'_>> = jobs.iter().map(list_entry).collect();
        serde_json::to_writer_pretty(&mut out, &list)
            .map_err(|e| Exit::usage(format!("writing JSON: {e}")))?;
        out.push(b'\n');
    } else {
        write_table(&mut out, &jobs).map_err(|e| Exit::usage(e.to_string()))?;
    }
    write_stdout(&out)
}

/// One job in `jobs list --json` (fields in this order).
#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct ListEntry<'a> {
    id: u64,
    kind: &'static str,
    started: String,
    finished: String,
    status: &'static str,
    dry_run: bool,
    input: Option<&'a str>,
    size: Option<u64>,
    sha256: Option<&'a str>,
    profile: Option<&'a str>,
    counts: &'a dxf2::store::JobCounts,
    same_input_as: &'a [u64],
    parameters: &'a [String],
}

fn list_entry(j: &Job) -> ListEntry<'_> {
    ListEntry {
        id: j.id,
        kind: j.kind.name(),
        started: stamp(&j.started),
        finished: stamp(&j.finished),
        status: j.status.name(),
        dry_run: j.dry_run,
        input: j.input.as_ref().map(|i| i.name.as_str()),
        size: j.input.as_ref().map(|i| i.size),
        sha256: j.input.as_ref().map(|i| i.sha256.as_str()),
        profile: j.profile.as_deref(),
        counts: &j.counts,
        same_input_as: &j.same_input_as,
        parameters: &j.parameters,
    }
}

fn stamp(t: &DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

fn write_table(out: &mut impl Write, jobs: &[Job]) -> std::io::Result<()> {
    if jobs.is_empty() {
        return writeln!(out, "no jobs");
    }
    writeln!(
        out,
        "{:>5}  {:<8}  {:<20}  {:>7}  {:<7}  {:>8} {:>8} {:>8} {:>8} {:>9}  INPUT",
        "ID",
        "KIND",
        "STARTED (UTC)",
        "SECONDS",
        "STATUS",
        "IMPORTED",
        "UPDATED",
        "DELETED",
        "IGNORED",
        "CONFLICTS"
    )?;
    for j in jobs {
        let seconds = (j.finished - j.started).num_milliseconds() as f64 / 1000.0;
        let mut input = j.input.as_ref().map_or("-", |i| i.name.as_str()).to_owned();
        if j.dry_run {
            input.push_str("  (dry run)");
        }
        if let Some(first) = j.same_input_as.first() {
            input.push_str(&format!("  (same input as job {first})"));
        }
        writeln!(
            out,
            "{:>5}  {:<8}  {:<20}  {:>7.1}  {:<7}  {:>8} {:>8} {:>8} {:>8} {:>9}  {input}",
            j.id,
            j.kind.name(),
            j.started.format("%Y-%m-%d %H:%M:%S"),
            seconds,
            j.status.name(),
            j.counts.imported,
            j.counts.updated,
            j.counts.deleted,
            j.counts.ignored,
            j.counts.conflicts
        )?;
    }
    Ok(())
}

/// `dxf2 jobs show`.
pub fn run_show(args: &ShowArgs) -> Result<u8, Exit> {
    let mut store = open(&args.store)?;
    let job = find(&args.store, store.as_mut(), args.id)?;
    let mut out = Vec::new();
    match args.summary {
        Some(format) => {
            let name = format.name();
            let Some(text) = job.summaries.get(name) else {
                let kept: Vec<&str> = job.summaries.keys().map(String::as_str).collect();
                return Err(Exit::usage(format!(
                    "job {} ({} import) has no {name} summary; it has: {}",
                    job.id,
                    job.kind,
                    kept.join(", ")
                )));
            };
            out.extend_from_slice(text.as_bytes());
        }
        None => {
            write_details(&mut out, &job).map_err(|e| Exit::usage(e.to_string()))?;
            if let Some(text) = job.summaries.get(&job.printed) {
                out.extend_from_slice(text.as_bytes());
            }
        }
    }
    write_stdout(&out)
}

fn write_details(out: &mut impl Write, j: &Job) -> std::io::Result<()> {
    writeln!(out, "Job:         {} ({} import)", j.id, j.kind)?;
    writeln!(out, "Started:     {}", stamp(&j.started))?;
    writeln!(out, "Finished:    {}", stamp(&j.finished))?;
    writeln!(out, "Status:      {}", j.status)?;
    if j.dry_run {
        writeln!(out, "Dry run:     yes, nothing but this job was written")?;
    }
    if let Some(i) = &j.input {
        writeln!(out, "Input:       {} ({} bytes)", i.name, i.size)?;
        if !i.sha256.is_empty() {
            writeln!(out, "SHA-256:     {}", i.sha256)?;
        }
    }
    if !j.same_input_as.is_empty() {
        let ids: Vec<String> = j.same_input_as.iter().map(u64::to_string).collect();
        writeln!(out, "Same input:  as job {}", ids.join(", "))?;
    }
    if let Some(p) = &j.profile {
        writeln!(out, "Profile:     DHIS2 {p}")?;
    }
    writeln!(out, "Command:     dxf2 {}", shell_words(&j.parameters))?;
    writeln!(out, "Program:     {}", j.program)?;
    for n in &j.notes {
        writeln!(out, "Note:        {n}")?;
    }
    writeln!(out, "Summary ({}):", j.printed)?;
    Ok(())
}

/// `dxf2 jobs recreate`.
pub fn run_recreate(args: &RecreateArgs) -> Result<u8, Exit> {
    let job = {
        let mut store = open(&args.store)?;
        find(&args.store, store.as_mut(), args.id)?
    };
    let target = args.into.as_ref().unwrap_or(&args.store);
    let words = recreated_words(&job, args.file.as_deref(), target)?;
    if args.print {
        let shown: Vec<String> = words.iter().map(|w| crate::journal::redact(w)).collect();
        return write_stdout(format!("dxf2 {}\n", shell_words(&shown)).as_bytes());
    }
    let shown: Vec<String> = words.iter().map(|w| crate::journal::redact(w)).collect();
    ui::note(&format!(
        "running job {}: dxf2 {}",
        job.id,
        shell_words(&shown)
    ));
    crate::run_words(words)
}

/// The job's words with its input replaced by `file` (when given) and its store by `target`.
fn recreated_words(
    job: &Job,
    file: Option<&std::path::Path>,
    target: &StoreLocation,
) -> Result<Vec<String>, Exit> {
    let mut words = job.parameters.clone();
    if words.first().map(String::as_str) == Some("jobs") || words.is_empty() {
        return Err(Exit::usage(format!(
            "job {} has no import command to run again",
            job.id
        )));
    }
    if let Some(file) = file {
        let original = job.input.as_ref().map(|i| i.name.as_str());
        let at = original.and_then(|name| words.iter().position(|w| w == name));
        match at.and_then(|i| words.get_mut(i)) {
            Some(word) => *word = file.display().to_string(),
            None => {
                return Err(Exit::usage(format!(
                    "job {}'s input is not among its words: give the whole command instead",
                    job.id
                )))
            }
        }
    }
    let target = target.as_given();
    let mut replaced = false;
    let mut i = 0;
    while i < words.len() {
        if words.get(i).map(String::as_str) == Some("--store") {
            if let Some(value) = words.get_mut(i + 1) {
                *value = target.clone();
                replaced = true;
            }
            i += 2;
            continue;
        }
        if let Some(word) = words.get_mut(i) {
            if word.starts_with("--store=") {
                *word = format!("--store={target}");
                replaced = true;
            }
        }
        i += 1;
    }
    if !replaced {
        words.push("--store".to_owned());
        words.push(target);
    }
    Ok(words)
}

/// Words as a shell would need them: plain when safe, else in single quotes.
fn shell_words(words: &[String]) -> String {
    let safe = |w: &str| {
        !w.is_empty()
            && w.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"_-./:=@%+,".contains(&b))
    };
    words
        .iter()
        .map(|w| {
            if safe(w) {
                w.clone()
            } else {
                format!("'{}'", w.replace('\'', r"'\''"))
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use chrono::TimeZone;
    use dxf2::store::JobInput;

    fn job(words: &[&str]) -> Job {
        let mut job = Job::new(
            JobKind::Data,
            Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap(),
        );
        job.id = 4;
        job.parameters = words.iter().map(|w| (*w).to_owned()).collect();
        job.input = Some(JobInput {
            name: "in.csv".into(),
            size: 1,
            sha256: "x".into(),
        });
        job
    }

    #[test]
    fn recreate_replaces_the_input_and_the_store() {
        let target = StoreLocation::parse("b.sqlite").unwrap();
        let j = job(&["import", "in.csv", "--store", "a.sqlite", "--dry-run"]);
        let words =
            recreated_words(&j, Some(std::path::Path::new("new file.csv")), &target).unwrap();
        assert_eq!(
            words,
            ["import", "new file.csv", "--store", "b.sqlite", "--dry-run"]
        );
        assert_eq!(
            shell_words(&words),
            "import 'new file.csv' --store b.sqlite --dry-run"
        );
        let j = job(&["import", "--store=a.sqlite", "in.csv"]);
        let words = recreated_words(&j, None, &target).unwrap();
        assert_eq!(words, ["import", "--store=b.sqlite", "in.csv"]);
    }

    #[test]
    fn since_takes_dates_and_times() {
        assert_eq!(
            parse_since("2024-05-01").unwrap(),
            Utc.with_ymd_and_hms(2024, 5, 1, 0, 0, 0).unwrap()
        );
        assert_eq!(
            parse_since("2024-05-01T08:00:00+02:00").unwrap(),
            Utc.with_ymd_and_hms(2024, 5, 1, 6, 0, 0).unwrap()
        );
        assert!(parse_since("May").is_err());
    }
}
