//! `dxf2 metadata import FILE… --store DB`: DHIS2's metadata import (`POST /api/metadata`, the
//! Import/Export app's metadata import) into a store, with DHIS2's options and report.
//!
//! Every file is read (and refused) before the store is changed; the files are imported in
//! order, each as its own bundle (later files see what earlier ones changed), in one
//! transaction, with one combined report. Exit 0 for OK and WARNING, 1 for ERROR, 2 for unusable
//! input.

use std::path::PathBuf;

use clap::Args;
use dxf2::metadata::csv::ClassKey;
use dxf2::metadata::import::{
    AtomicMode, FlushMode, Identifier, ImportMode, ImportParams, ImportReportMode, ImportStrategy,
    InclusionStrategy, MergeMode, PreheatMode, Session, Status,
};
use dxf2::metadata::schema;

use super::report::{print_report, SummaryFormat};
use super::{load_catalogue, open_for_reading, read_metadata_file, ReadFile};
use crate::args::LimitArgs;
use crate::location::StoreLocation;
use crate::{ui, Exit};

/// Arguments of `dxf2 metadata import`.
#[derive(Args, Debug)]
pub struct MetadataImportArgs {
    /// DHIS2 metadata files: JSON (`.json`, `.json.gz`, `.zip`), or CSV of one class with
    /// --class-key. Imported in order, each as its own bundle, in one transaction.
    #[arg(required = true, num_args = 1..)]
    pub files: Vec<PathBuf>,
    /// The store, created when missing (not by --dry-run): a SQLite file (its directory must
    /// exist), or a PostgreSQL database as `postgres://user@host:port/db`.
    #[arg(long, value_name = "DB", value_parser = StoreLocation::parse)]
    pub store: StoreLocation,
    /// CREATE (new objects only: E5000 for existing ones), UPDATE (existing only: E5001),
    /// CREATE_AND_UPDATE (DHIS2's default) or DELETE.
    #[arg(long, value_name = "STRATEGY", default_value = "CREATE_AND_UPDATE", value_parser = parse_param::<ImportStrategy>)]
    pub strategy: ImportStrategy,
    /// How payload objects are matched to stored ones: UID (default; AUTO is the same) or CODE.
    #[arg(long, value_name = "ID", default_value = "UID", value_parser = parse_param::<Identifier>)]
    pub identifier: Identifier,
    /// ALL (default): any error imports nothing. NONE: valid objects are imported, the others
    /// reported (status WARNING).
    #[arg(long, value_name = "MODE", default_value = "ALL", value_parser = parse_param::<AtomicMode>)]
    pub atomic_mode: AtomicMode,
    /// Check only (DHIS2's importMode=VALIDATE): the report of what would happen; nothing is
    /// written and no store is created.
    #[arg(long)]
    pub dry_run: bool,
    /// FULL (every object report), ERRORS (DHIS2's default: object reports with errors only) or
    /// DEBUG (as FULL, with object names).
    #[arg(long, value_name = "MODE", default_value = "ERRORS", value_parser = parse_param::<ImportReportMode>)]
    pub report_mode: ImportReportMode,
    /// Accepted for DHIS2's API (REFERENCE, ALL, NONE): how a server loads what the payload
    /// references. Here the whole store is read either way; the outcome is the same.
    #[arg(long, value_name = "MODE", default_value = "REFERENCE", value_parser = parse_param::<PreheatMode>)]
    pub preheat_mode: PreheatMode,
    /// REPLACE (default): an updated object is the payload's object. MERGE: fields the payload
    /// leaves out (null) keep their stored values.
    #[arg(long, value_name = "MODE", default_value = "REPLACE", value_parser = parse_param::<MergeMode>)]
    pub merge_mode: MergeMode,
    /// Accepted for DHIS2's API (AUTO, OBJECT): when a server flushes its session. Here the
    /// changes are written once, in one transaction; the outcome is the same.
    #[arg(long, value_name = "MODE", default_value = "AUTO", value_parser = parse_param::<FlushMode>)]
    pub flush_mode: FlushMode,
    /// Accepted for DHIS2's API (NON_NULL, ALWAYS, NON_EMPTY): which fields a server writes in
    /// its JSON. Objects are kept as given here.
    #[arg(long, value_name = "STRATEGY", default_value = "NON_NULL", value_parser = parse_param::<InclusionStrategy>)]
    pub inclusion_strategy: InclusionStrategy,
    /// Leave sharing out: payload objects keep the stored objects' sharing (new ones get none).
    #[arg(long)]
    pub skip_sharing: bool,
    /// Skip DHIS2's validation checks (objects are stored without them, as DHIS2 does).
    #[arg(long)]
    pub skip_validation: bool,
    /// The class of CSV files (DATA_ELEMENT, ORGANISATION_UNIT, OPTION_SET, …; DHIS2's
    /// classKey): every file is read as CSV of this class.
    #[arg(long, value_name = "K", value_parser = parse_class_key)]
    pub class_key: Option<ClassKey>,
    /// Generate the category option combos a category combo lacks (DHIS2's names and order),
    /// which DHIS2's import never does.
    #[arg(long)]
    pub generate_option_combos: bool,
    /// Whose rules apply: a DHIS2 version from 2.36 to 2.44 (default 2.42). A package made for
    /// an older version may need its version's rules.
    #[arg(long, value_name = "V")]
    pub dhis2_version: Option<String>,
    /// How to print the report: table (default) or json (DHIS2's import report itself).
    #[arg(long, value_enum, default_value_t = SummaryFormat::Table)]
    pub summary: SummaryFormat,
    #[command(flatten)]
    pub limits: LimitArgs,
}

/// A value of one of DHIS2's parameter enums, any case.
pub(super) fn parse_param<T: std::str::FromStr<Err = dxf2::metadata::Error>>(
    s: &str,
) -> Result<T, String> {
    s.parse::<T>().map_err(|e| e.to_string())
}

pub(super) fn parse_class_key(s: &str) -> Result<ClassKey, String> {
    s.parse::<ClassKey>().map_err(|e| e.to_string())
}

impl MetadataImportArgs {
    /// DHIS2's parameters.
    pub fn params(&self) -> Result<ImportParams, Exit> {
        let mut params = ImportParams {
            import_mode: if self.dry_run {
                ImportMode::Validate
            } else {
                ImportMode::Commit
            },
            identifier: self.identifier,
            import_strategy: self.strategy,
            atomic_mode: self.atomic_mode,
            import_report_mode: self.report_mode,
            preheat_mode: self.preheat_mode,
            merge_mode: self.merge_mode,
            flush_mode: self.flush_mode,
            inclusion_strategy: self.inclusion_strategy,
            skip_sharing: self.skip_sharing,
            skip_validation: self.skip_validation,
            generate_option_combos: self.generate_option_combos,
            ..ImportParams::default()
        };
        if let Some(v) = &self.dhis2_version {
            params = params
                .with_dhis2_version(v)
                .map_err(|e| Exit::usage(format!("--dhis2-version: {e}")))?;
        }
        Ok(params)
    }
}

/// `dxf2 metadata import`.
pub fn run_import(args: &MetadataImportArgs) -> Result<u8, Exit> {
    let params = args.params()?;
    let limits = args.limits.decompression();
    let at = &args.store;
    // A dry run changes nothing: it reads the store if there is one (else DHIS2's defaults).
    // A SQLite store is created only once every file is read; a PostgreSQL one first.
    let missing = matches!(at, StoreLocation::File(path) if !path.exists());
    let draft =
        crate::journal::Draft::start(dxf2::store::JobKind::Metadata, &args.files, args.dry_run);
    let mut store = if args.dry_run || missing {
        open_for_reading(at, true)?
    } else {
        crate::store::open_or_create(at)?
    };
    let size: u64 = args
        .files
        .iter()
        .filter_map(|f| std::fs::metadata(f).ok())
        .map(|m| m.len())
        .sum();
    let read = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
    let objects = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
    let ticker = crate::progress::Ticker::start(
        "read",
        crate::progress::Counters {
            bytes: std::sync::Arc::clone(&read),
            size: Some(size),
            values: Some(std::sync::Arc::clone(&objects)),
        },
    );
    let mut stored = load_catalogue(at, &mut store)?;
    let mut files = Vec::with_capacity(args.files.len());
    for path in &args.files {
        files.push(read_metadata_file(
            path,
            args.class_key,
            params.dhis2_minor(),
            &stored,
            &limits,
            args.limits.read_limits(),
        )?);
    }
    for f in &files {
        if !f.ignored.is_empty() {
            ui::note(&format!(
                "{}: top-level keys that are not DHIS2 metadata were left out: {}",
                f.name,
                f.ignored.join(", ")
            ));
        }
        let modelled = f
            .document
            .types
            .iter()
            .any(|(key, objects)| !objects.is_empty() && schema::by_key(key).is_some());
        if !modelled && args.class_key.is_none() {
            if let Some(what) = crate::inspect::not_metadata(&f.path) {
                return Err(Exit::usage(format!(
                    "{} is not DHIS2 metadata: {what}",
                    f.name
                )));
            }
        }
        if f.document.is_empty() {
            ui::note(&format!(
                "{} holds no metadata objects: nothing was imported from it",
                f.name
            ));
        }
    }
    if missing && !args.dry_run {
        store = crate::store::open_or_create(at)?;
    }
    read.store(size, std::sync::atomic::Ordering::Relaxed);
    let mut result = {
        let view = stored.view(&mut *store);
        let mut session = Session::new(&view, params.clone());
        session.set_progress(ticker.handle().events(std::sync::Arc::clone(&objects)));
        for f in &files {
            session.import(&f.document).map_err(|e| match e {
                dxf2::metadata::Error::Catalogue(_) => Exit {
                    code: 2,
                    message: format!("--store {at}: {e}"),
                },
                other => Exit::usage(format!("{}: {other}", f.name)),
            })?;
        }
        session.finish()
    };
    for s in &result.skipped {
        ui::note(&format!(
            "{} {}: a type this version does not check; kept and stored as given",
            s.objects, s.key
        ));
    }
    if args.skip_validation && !result.changes.is_empty() {
        let stored_objects: usize = result
            .changes
            .types
            .iter()
            .map(|t| t.created.len() + t.updated.len() + t.deleted.len())
            .sum();
        ui::note(&format!(
            "--skip-validation: DHIS2's report counts nothing without validation; {stored_objects} \
             objects are written"
        ));
    }
    let version = format!("2.{}", params.dhis2_minor());
    let written = !args.dry_run && !result.changes.is_empty();
    let heading = if args.dry_run {
        format!("Metadata import checked against {at} (dry run, DHIS2 {version} rules): nothing was written")
    } else if written {
        format!("Metadata imported into {at} (DHIS2 {version} rules)")
    } else {
        format!("Metadata import into {at} (DHIS2 {version} rules): nothing was changed")
    };
    let (status, counts) = super::report::job_counts(&result.report);
    let mut job = draft.finish(
        status,
        Some(version.clone()),
        counts,
        (
            super::report::renderings(&result.report, &heading, result.generated_option_combos),
            args.summary.name(),
        ),
        Vec::new(),
    );
    if args.dry_run {
        // Recorded after the check, in a transaction of its own (a dry run against a store
        // that does not exist yet has no journal).
        if !missing {
            drop(store);
            crate::journal::say(crate::journal::record_after_or_warn(at, &mut job));
        }
    } else {
        // The changes and the job in one transaction.
        ticker.phase("commit");
        let note = super::apply_with_job(
            &mut stored,
            &mut store,
            at,
            std::mem::take(&mut result.changes),
            &mut job,
        )?;
        crate::journal::say(note);
    }
    ticker.finish();
    print_report(
        &result.report,
        args.summary,
        &heading,
        result.generated_option_combos,
    )?;
    if result.report.status == Status::Error {
        hint_version(&files, params.dhis2_minor(), args.dhis2_version.is_some());
        if args.atomic_mode == AtomicMode::All && !args.dry_run {
            ui::note("atomic mode ALL: an error imports nothing (--atomic-mode NONE imports the valid objects)");
        }
    }
    Ok(match result.report.status {
        Status::Error => 1,
        _ => 0,
    })
}

/// When a refused package says it was made for another DHIS2 version than the rules applied,
/// says so.
fn hint_version(files: &[ReadFile], minor: u32, chosen: bool) {
    for f in files {
        let Some(version) = f.system_version() else {
            continue;
        };
        let made_for = version
            .split('.')
            .nth(1)
            .and_then(|m| m.split(|c: char| !c.is_ascii_digit()).next())
            .and_then(|m| m.parse::<u32>().ok());
        if let Some(made_for) = made_for {
            if made_for != minor {
                let default = if chosen { "" } else { " (the default)" };
                ui::hint(&format!(
                    "{} was made for DHIS2 {version} (its system.version); these are DHIS2 2.{minor}'s rules{default}: --dhis2-version 2.{} applies that version's rules",
                    f.name,
                    made_for.clamp(36, 44)
                ));
                return;
            }
        }
    }
    if !chosen {
        ui::hint(&format!(
            "these are DHIS2 2.{minor}'s rules (the default): a package made for an older DHIS2 \
             may need its version's rules (--dhis2-version 2.36 to 2.44)"
        ));
    }
}

/// For tests of the argument wiring.
#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        args: MetadataImportArgs,
    }

    #[test]
    fn defaults_are_dhis2s() {
        let cli = Cli::try_parse_from(["x", "a.json", "--store", "s.db"]).unwrap();
        let p = cli.args.params().unwrap();
        assert_eq!(p, ImportParams::default());
    }

    #[test]
    fn options_take_dhis2s_names_in_any_case() {
        let cli = Cli::try_parse_from([
            "x",
            "a.json",
            "--store",
            "s.db",
            "--strategy",
            "delete",
            "--identifier",
            "CODE",
            "--atomic-mode",
            "NONE",
            "--report-mode",
            "FULL",
            "--merge-mode",
            "MERGE",
            "--dhis2-version",
            "2.36",
            "--dry-run",
        ])
        .unwrap();
        let p = cli.args.params().unwrap();
        assert_eq!(p.import_strategy, ImportStrategy::Delete);
        assert_eq!(p.identifier, Identifier::Code);
        assert_eq!(p.atomic_mode, AtomicMode::None);
        assert_eq!(p.import_report_mode, ImportReportMode::Full);
        assert_eq!(p.merge_mode, MergeMode::Merge);
        assert_eq!(p.import_mode, ImportMode::Validate);
        assert_eq!(p.dhis2_minor(), 36);
        assert!(
            Cli::try_parse_from(["x", "a.json", "--store", "s.db", "--strategy", "MERGE"]).is_err()
        );
    }
}
