//! `dxf2 sync export|import|status`: offline sync bundles from a facility's store to a
//! district's (see `dxf2::sync` and docs/sync.md).
//!
//! Exit status: 0 done (a bundle applied again changes nothing: 0, with a note), 1 a refused
//! bundle (a gap, a damaged or late bundle, another bundle with its number, the store's own,
//! metadata DHIS2 refuses) or a data import with status ERROR, 2 unusable input or arguments.

use std::io::Write;
use std::path::PathBuf;

use chrono::Utc;
use clap::{Args, Subcommand};
use dxf2::store::JobKind;
use dxf2::sync::{self, Applied, Bundle, Direction, ExportOptions, SyncImport};
use dxf2_io::OutputBuilder;
use dxf2_model::{ImportOptions, ImportStatus};
use import_engine::Superuser;

use crate::args::{parse_version, Dhis2Version};
use crate::location::StoreLocation;
use crate::summary::{Extras, SummaryFormat};
use crate::{ui, Exit};

/// `dxf2 sync …`.
#[derive(Subcommand, Debug)]
pub enum SyncCommand {
    /// Write everything the store changed since the last bundle for a destination (values with
    /// soft deletions, completions, metadata changed since) as a bundle: a zip of a DXF2 JSON
    /// data value set and a manifest.
    Export(ExportArgs),
    /// Check a bundle (manifest, checksums, order) and apply it: metadata first, then the data
    /// through DHIS2's importer, values changed at both ends decided by the newer lastUpdated.
    Import(ImportArgs),
    /// Per peer: the last bundle sent and received, and when.
    Status(StatusArgs),
}

/// Arguments of `dxf2 sync export`.
#[derive(Args, Debug)]
pub struct ExportArgs {
    /// The facility's store: a SQLite file, or a PostgreSQL database as
    /// `postgres://user@host:port/db`.
    #[arg(long, value_name = "FACILITY", value_parser = StoreLocation::parse)]
    pub store: StoreLocation,
    /// The destination's name (bundles are numbered per destination: 1, 2, …).
    #[arg(long, value_name = "NAME")]
    pub to: String,
    /// The bundle file to write (a zip).
    #[arg(short, long, value_name = "FILE.zip")]
    pub output: PathBuf,
}

/// Arguments of `dxf2 sync import`.
#[derive(Args, Debug)]
pub struct ImportArgs {
    /// The bundle (made by `dxf2 sync export`).
    pub file: PathBuf,
    /// The district's store: a SQLite file, or a PostgreSQL database as
    /// `postgres://user@host:port/db`.
    #[arg(long, value_name = "DISTRICT", value_parser = StoreLocation::parse)]
    pub store: StoreLocation,
    /// Check and count, write nothing (but the journal's job).
    #[arg(long)]
    pub dry_run: bool,
    /// Apply the bundle although bundles before it from the same facility are missing (they
    /// are then refused if they come later).
    #[arg(long)]
    pub allow_gap: bool,
    #[doc = "Import the data as this DHIS2 version does: 2.36 to 2.42 the classic importer (default 2.42), 2.43 and 2.44 the new pipeline."]
    #[arg(long, value_name = "V", default_value = "2.42", value_parser = parse_version)]
    pub dhis2_version: Dhis2Version,
    /// How to print DHIS2's import summary of the data values (json and xml are DHIS2's
    /// documents); the sync report goes to stderr.
    #[arg(long, value_enum, default_value_t = SummaryFormat::Table)]
    pub summary: SummaryFormat,
}

/// Arguments of `dxf2 sync status`.
#[derive(Args, Debug)]
pub struct StatusArgs {
    /// The store: a SQLite file, or a PostgreSQL database as `postgres://user@host:port/db`.
    #[arg(long, value_name = "DB", value_parser = StoreLocation::parse)]
    pub store: StoreLocation,
    /// Print a JSON document (for scripts) instead of a table.
    #[arg(long)]
    pub json: bool,
}

/// A sync error as the user reads it, with its exit status.
fn sync_error(at: &StoreLocation, e: sync::Error) -> Exit {
    match e {
        sync::Error::Store(e) => crate::store::store_error(at, &e),
        other => Exit {
            code: if other.is_refusal() { 1 } else { 2 },
            message: other.to_string(),
        },
    }
}

/// `dxf2 sync export`.
pub fn run_export(args: &ExportArgs) -> Result<u8, Exit> {
    let at = &args.store;
    let mut store = crate::store::open_existing(at, false)?;
    let export = sync::export(&mut *store, &ExportOptions::new(&args.to, Utc::now()))
        .map_err(|e| sync_error(at, e))?;
    let out_err = |e: &dyn std::fmt::Display| Exit::usage(e.to_string());
    let mut builder = OutputBuilder::new();
    if let Some(file) = at.file() {
        builder.protect(file);
    }
    let mut output = builder.create(&args.output).map_err(|e| out_err(&e))?;
    output
        .write_all(export.bytes())
        .map_err(|e| out_err(&format!("{}: {e}", args.output.display())))?;
    output.commit().map_err(|e| out_err(&e))?;
    if let Err(e) = export.record(&mut *store) {
        // Not recorded as sent: the next export makes this bundle again.
        let _ = std::fs::remove_file(&args.output);
        let mut exit = sync_error(at, e);
        exit.message = format!("the bundle was not written: {}", exit.message);
        return Err(exit);
    }
    let m = export.manifest();
    let c = m.counts;
    let text = format!(
        "Bundle {} for {}: {} data value{} ({} deleted), {} completion{}, {} metadata object{}; \
         changes {} to {} of store {}\nWritten: {} ({} bytes, SHA-256 {})\n",
        m.sequence,
        m.destination,
        c.data_values,
        plural(c.data_values),
        c.deleted_data_values,
        c.completions,
        plural(c.completions),
        c.metadata_objects,
        plural(c.metadata_objects),
        m.changes.after + 1,
        m.changes.through,
        m.source,
        args.output.display(),
        export.bytes().len(),
        export.sha256()
    );
    if c.data_values + c.completions + c.metadata_objects == 0 {
        ui::note(&format!(
            "nothing changed since bundle {} for {}: this bundle is empty (it keeps the numbering)",
            m.sequence - 1,
            m.destination
        ));
    }
    print_stdout(&text)
}

fn plural(n: u64) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

fn print_stdout(text: &str) -> Result<u8, Exit> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => Ok(0),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(0),
        Err(e) => Err(Exit::usage(format!("writing to stdout: {e}"))),
    }
}

/// The sync report of an import: what the bundle is, the metadata, the conflicts, the
/// completions, the notes (never in DHIS2's summary document).
fn report(outcome: &SyncImport) -> Vec<String> {
    let m = &outcome.manifest;
    let mut lines = vec![format!(
        "bundle {} from {} (made {} for {}; changes {} to {})",
        m.sequence,
        m.source,
        m.created,
        m.destination,
        m.changes.after.saturating_add(1),
        m.changes.through
    )];
    if let Some(md) = &outcome.metadata {
        let s = &md.report.stats;
        lines.push(format!(
            "metadata applied first: {} created, {} updated, {} unchanged, {} kept (the \
             district's are newer{})",
            s.created,
            s.updated,
            md.unchanged,
            md.kept.len(),
            if md.kept.is_empty() {
                String::new()
            } else {
                format!(": {}", md.kept.join(", "))
            }
        ));
    }
    for c in &outcome.conflicts {
        lines.push(format!("changed at both ends: {c}"));
    }
    let done = outcome.completions;
    if done.applied + done.kept > 0 {
        lines.push(format!(
            "completions: {} applied, {} kept (the district's are newer)",
            done.applied, done.kept
        ));
    }
    lines.extend(outcome.notes.iter().cloned());
    lines
}

/// `dxf2 sync import`.
pub fn run_import(args: &ImportArgs) -> Result<u8, Exit> {
    let at = &args.store;
    let shown = args.file.display();
    let bytes = std::fs::read(&args.file).map_err(|e| Exit::usage(format!("{shown}: {e}")))?;
    let bundle = Bundle::read(&bytes).map_err(|e| {
        let mut exit = sync_error(at, e);
        exit.message = format!("{shown}: {}", exit.message);
        exit
    })?;
    let mut store = crate::store::open_existing(at, false)?;
    let options = sync::ImportOptions {
        data: ImportOptions {
            profile: args.dhis2_version.profile,
            dry_run: args.dry_run,
            ..ImportOptions::default()
        },
        allow_gap: args.allow_gap,
        now: Utc::now(),
    };
    let access = Superuser::default();
    let draft = crate::journal::Draft::start(
        JobKind::Data,
        std::slice::from_ref(&args.file),
        args.dry_run,
    );
    let profile = args.dhis2_version.text.clone();
    let format = args.summary;
    let outcome = sync::import(&mut *store, &bundle, &options, &access, &mut |outcome| {
        let extras = Extras {
            dry_run: outcome.dry_run,
            ..Extras::default()
        };
        let (status, counts, summaries) = match &outcome.summary {
            Some(s) => {
                let (status, counts) = crate::journal::data_counts(s);
                (status, counts, crate::summary::renderings(s, &extras))
            }
            None => (
                dxf2::store::JobStatus::Ok,
                dxf2::store::JobCounts::default(),
                Default::default(),
            ),
        };
        Some(draft.finish(
            status,
            Some(profile.clone()),
            counts,
            (summaries, format.name()),
            report(outcome),
        ))
    })
    .map_err(|e| {
        let mut exit = sync_error(at, e);
        exit.message = format!("{shown}: {}", exit.message);
        exit
    })?;
    drop(store);
    for line in report(&outcome) {
        ui::note(&line);
    }
    let Some(summary) = &outcome.summary else {
        // A replay: nothing was imported, so there is no summary of DHIS2's to print.
        debug_assert!(matches!(outcome.applied, Applied::Replay { .. }));
        return Ok(0);
    };
    let extras = Extras {
        dry_run: outcome.dry_run,
        ..Extras::default()
    };
    if let Err(e) = crate::summary::print(summary, format, &extras) {
        if !ui::is_broken_pipe(&e) {
            ui::error(&format!("writing the summary to stdout: {e}"));
        }
    }
    if let Some(failure) = &outcome.failure {
        ui::error(&format!("{shown}: nothing was applied: {failure}"));
        return Ok(2);
    }
    if let Some(job) = outcome.job {
        let what = if outcome.dry_run {
            "checked (a dry run: nothing was written)"
        } else {
            "applied"
        };
        ui::note(&format!("bundle {what}; journal job {job}"));
    }
    Ok(match summary.status {
        ImportStatus::Error => 1,
        _ => 0,
    })
}

/// `dxf2 sync status`.
pub fn run_status(args: &StatusArgs) -> Result<u8, Exit> {
    let at = &args.store;
    let mut store = crate::store::open_existing(at, true)?;
    let status = sync::status(&mut *store).map_err(|e| sync_error(at, e))?;
    let mut text = String::new();
    if args.json {
        let doc = serde_json::to_string(&status)
            .map_err(|e| Exit::usage(format!("writing the status: {e}")))?;
        text.push_str(&doc);
        text.push('\n');
    } else {
        text.push_str(&format!("Store: {at} (id {})\n", status.store_id));
        if status.peers.is_empty() {
            text.push_str("No bundles sent or received.\n");
        } else {
            text.push_str(&format!(
                "{:<34} {:<9} {:>7}  {:<25} {}\n",
                "Peer", "Direction", "Bundle", "When", "Missing"
            ));
        }
        for p in &status.peers {
            let direction = match p.direction {
                Direction::Sent => "sent",
                Direction::Received => "received",
            };
            let missing: Vec<String> = p.missing.iter().map(u64::to_string).collect();
            text.push_str(&format!(
                "{:<34} {:<9} {:>7}  {:<25} {}\n",
                p.peer,
                direction,
                p.sequence,
                p.at,
                missing.join(", ")
            ));
        }
    }
    print_stdout(&text)
}
