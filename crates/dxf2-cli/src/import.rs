//! `dxf2 import`, `dxf2 validate` and `dxf2 metadata import`.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use clap::{ArgAction, Args, ValueEnum};
use dxf2_model::{
    IdScheme, ImportOptions, ImportStatus, ImportStrategy, ImportSummary, ImporterProfile,
    Metadata, ReadLimits,
};
use dxf2_store_sqlite::SqliteStore;
use idscheme_resolver::MetadataResolver;
use import_engine::{
    AccessPolicy, DataValueStore, Failure, Importer, MemoryStore, MetadataStore, Progress,
    Superuser, UserAccess,
};

use dxf2_io::{AnyReader, DecompressionLimits, Format, Input, ReaderOptions, Utf8Policy};

use crate::args::{FormatArg, LimitArgs};
use crate::Exit;

/// How to print the import summary.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum SummaryFormat {
    /// A readable table.
    Table,
    /// DHIS2's import summary JSON document.
    Json,
    /// DHIS2's import summary XML document.
    Xml,
}

/// Where metadata and data live for an import.
#[derive(Args, Debug, Clone)]
pub struct StoreArgs {
    /// The SQLite store file (created when missing).
    #[arg(long, value_name = "DB")]
    pub store: Option<PathBuf>,
    /// DXF2 metadata JSON files for a throwaway in-memory store (instead of --store).
    #[arg(long, value_name = "META.json", num_args = 1.., conflicts_with = "store")]
    pub metadata: Vec<PathBuf>,
}

/// Arguments of `dxf2 import` / `dxf2 validate`.
#[derive(Args, Debug)]
pub struct ImportArgs {
    /// The data value set file (`-` for stdin); gzip/zip detected by magic bytes.
    pub file: PathBuf,
    #[command(flatten)]
    pub stores: StoreArgs,
    /// Payload format (default: from the extension, else the content).
    #[arg(long, value_enum)]
    pub format: Option<FormatArg>,
    /// Import strategy (CREATE, UPDATE, CREATE_AND_UPDATE, DELETE, NEW_AND_UPDATES, NEW, UPDATES, DELETES, SYNC; any case).
    #[arg(long, value_parser = parse_strategy)]
    pub strategy: Option<ImportStrategy>,
    /// Validate and count, write nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// General id scheme (UID, CODE, NAME, ID, ATTRIBUTE:uid).
    #[arg(long, value_parser = parse_scheme)]
    pub id_scheme: Option<IdScheme>,
    /// Data element id scheme.
    #[arg(long, value_parser = parse_scheme)]
    pub data_element_id_scheme: Option<IdScheme>,
    /// Org unit id scheme.
    #[arg(long, value_parser = parse_scheme)]
    pub org_unit_id_scheme: Option<IdScheme>,
    /// Category option combo id scheme (also used for attribute option combos by the classic importer).
    #[arg(long, value_parser = parse_scheme)]
    pub category_option_combo_id_scheme: Option<IdScheme>,
    /// Data set id scheme.
    #[arg(long, value_parser = parse_scheme)]
    pub data_set_id_scheme: Option<IdScheme>,
    /// The data set of a CSV payload.
    #[arg(long)]
    pub data_set: Option<String>,
    /// Treat every value as new.
    #[arg(long)]
    pub skip_existing_check: bool,
    /// Preheat lookup caches (as DHIS2: also bypasses the sharing filter of option combo lookups).
    #[arg(long)]
    pub preheat_cache: bool,
    /// Reject periods whose type is not a data set's of the element.
    #[arg(long)]
    pub strict_periods: bool,
    /// Reject data elements not in the data set(s).
    #[arg(long)]
    pub strict_data_elements: bool,
    /// Reject category option combos not of the element's category combo.
    #[arg(long)]
    pub strict_category_option_combos: bool,
    /// Reject attribute option combos not of the data sets' category combos.
    #[arg(long)]
    pub strict_attribute_option_combos: bool,
    /// Reject org units to which no data set of the element is assigned.
    #[arg(long)]
    pub strict_org_units: bool,
    /// Reject values without a category option combo.
    #[arg(long)]
    pub require_category_option_combo: bool,
    /// Reject values without an attribute option combo.
    #[arg(long)]
    pub require_attribute_option_combo: bool,
    /// CSV: whether the first row is a header.
    #[arg(long, default_value_t = true, action = ArgAction::Set)]
    pub first_row_is_header: bool,
    /// Do not write audit rows (needs authority F_SKIP_DATA_IMPORT_AUDIT).
    #[arg(long)]
    pub skip_audit: bool,
    /// Skip locking and timeliness checks (superusers only).
    #[arg(long)]
    pub force: bool,
    /// 2.43+ only: any invalid value rejects its whole data set group (E8000).
    #[arg(long)]
    pub atomic: bool,
    /// Import as this user of the metadata (default: a superuser reaching every org unit).
    #[arg(long, value_name = "NAME")]
    pub user: Option<String>,
    /// Behave like this DHIS2 version: 2.36–2.42 the classic importer, 2.43 and later the new
    /// pipeline (groups per data set, E8000–E8128, every write counted as updated).
    #[arg(long, default_value = "2.42")]
    pub dhis2_version: String,
    /// How to print the summary.
    #[arg(long, value_enum, default_value_t = SummaryFormat::Table)]
    pub summary: SummaryFormat,
    #[command(flatten)]
    pub limits: LimitArgs,
}

fn parse_strategy(s: &str) -> Result<ImportStrategy, String> {
    ImportStrategy::parse_ignore_case(s).map_err(|e| e.to_string())
}

fn parse_scheme(s: &str) -> Result<IdScheme, String> {
    IdScheme::parse(s).map_err(|e| e.to_string())
}

impl ImportArgs {
    fn options(&self, dry_run: bool) -> Result<ImportOptions, Exit> {
        let mut o = ImportOptions {
            profile: ImporterProfile::from_version(&self.dhis2_version)
                .map_err(|e| Exit::usage(e.to_string()))?,
            ..ImportOptions::default()
        };
        if let Some(s) = self.strategy {
            o.strategy = s;
        }
        o.dry_run = self.dry_run || dry_run;
        o.id_schemes.id_scheme = self.id_scheme.clone();
        o.id_schemes.data_element = self.data_element_id_scheme.clone();
        o.id_schemes.org_unit = self.org_unit_id_scheme.clone();
        o.id_schemes.category_option_combo = self.category_option_combo_id_scheme.clone();
        o.id_schemes.data_set = self.data_set_id_scheme.clone();
        o.data_set = self.data_set.clone();
        o.skip_existing_check = self.skip_existing_check;
        o.preheat_cache = self.preheat_cache.then_some(true);
        o.strict_periods = self.strict_periods;
        o.strict_data_elements = self.strict_data_elements;
        o.strict_category_option_combos = self.strict_category_option_combos;
        o.strict_attribute_option_combos = self.strict_attribute_option_combos;
        o.strict_organisation_units = self.strict_org_units;
        o.require_category_option_combo = self.require_category_option_combo;
        o.require_attribute_option_combo = self.require_attribute_option_combo;
        o.first_row_is_header = self.first_row_is_header;
        o.skip_audit = self.skip_audit;
        o.force = self.force;
        o.atomic = self.atomic;
        Ok(o)
    }
}

/// A store opened for a command: the SQLite file or a memory store.
pub enum OpenStore {
    /// SQLite.
    Sqlite(Box<SqliteStore>),
    /// In memory.
    Memory(Box<MemoryStore>),
}

impl OpenStore {
    /// The data value store.
    pub fn values(&mut self) -> &mut dyn DataValueStore {
        match self {
            OpenStore::Sqlite(s) => s.as_mut(),
            OpenStore::Memory(s) => s.as_mut(),
        }
    }
}

/// Opens the store and loads the metadata (`--metadata` files read within `limits`).
pub fn open_store(
    args: &StoreArgs,
    limits: &DecompressionLimits,
    read_limits: ReadLimits,
) -> Result<(OpenStore, Metadata), Exit> {
    if let Some(path) = &args.store {
        let mut store =
            SqliteStore::open(path).map_err(|e| Exit::usage(format!("{}: {e}", path.display())))?;
        let metadata = store
            .load_metadata()
            .map_err(|e| Exit::usage(format!("{}: {e}", path.display())))?;
        return Ok((OpenStore::Sqlite(Box::new(store)), metadata));
    }
    if args.metadata.is_empty() {
        return Err(Exit::usage("give --store DB or --metadata META.json"));
    }
    let metadata = read_metadata_files(&args.metadata, limits, read_limits)?;
    Ok((OpenStore::Memory(Box::new(MemoryStore::new())), metadata))
}

fn read_metadata_files(
    files: &[PathBuf],
    limits: &DecompressionLimits,
    read_limits: ReadLimits,
) -> Result<Metadata, Exit> {
    let mut metadata = Metadata::new();
    for path in files {
        let input = Input::open(path, limits).map_err(|e| Exit::usage(e.to_string()))?;
        let warnings = input.warnings();
        crate::print_warnings(&warnings);
        dxf2_json::metadata::read_metadata_into_with_limits(input, &mut metadata, read_limits)
            .map_err(|e| Exit::usage(format!("{}: {e}", path.display())))?;
        crate::print_warnings(&warnings);
    }
    Ok(metadata)
}

/// `dxf2 import` (and `validate` with `dry_run`).
pub fn run(args: &ImportArgs, dry_run: bool) -> Result<u8, Exit> {
    let options = args.options(dry_run)?;
    let limits = args.limits.decompression();
    let (mut store, metadata) = open_store(&args.stores, &limits, args.limits.read_limits())?;
    let superuser = Superuser::default();
    let user_access;
    let access: &dyn AccessPolicy = match &args.user {
        Some(name) => {
            user_access = UserAccess::by_username(&metadata, name)
                .ok_or_else(|| Exit::usage(format!("no user named `{name}` in the metadata")))?;
            &user_access
        }
        None => &superuser,
    };
    let mut input = Input::open(&args.file, &limits).map_err(|e| Exit::usage(e.to_string()))?;
    let warnings = input.warnings();
    crate::print_warnings(&warnings);
    let head = input.head().map_err(|e| Exit::usage(e.to_string()))?;
    let format = Format::detect(args.format.map(Format::from), &args.file, head);
    let (consumed, size) = (input.consumed(), input.size());
    let reader_options = ReaderOptions::default()
        .with_profile(options.profile)
        .with_first_row_is_header(options.first_row_is_header)
        .with_data_set(options.data_set.clone())
        .with_limits(args.limits.read_limits())
        .with_invalid_utf8(args.limits.invalid_utf8(Utf8Policy::Replace));
    let mut reader = match AnyReader::open(input, format, &reader_options) {
        Ok(r) => r,
        Err(e) => {
            let summary = failed_summary(&options, &e.to_string());
            if let Err(e) = print_summary(&summary, args.summary) {
                eprintln!("dxf2: {e}");
            }
            return Ok(2);
        }
    };
    let importer = Importer::new(&metadata, access);
    let mut resolver = MetadataResolver::new(&metadata);
    let mut bar = crate::progress::Bar::new(std::io::stderr().is_terminal(), consumed, size);
    let mut progress = |p: Progress| bar.update(p);
    let outcome = importer.import(
        &mut reader,
        &options,
        &mut resolver,
        store.values(),
        &mut progress,
    );
    crate::print_warnings(&warnings);
    if let Some((count, first)) = reader.replaced_utf8() {
        eprintln!(
            "dxf2: warning: {}: {count} invalid UTF-8 sequence{} read as U+FFFD (as DHIS2 does), \
             the first at line {}, byte column {}; give --invalid-utf8 error to refuse such files",
            reader.name(),
            if count == 1 { "" } else { "s" },
            first.line,
            first.column
        );
    }
    let code = match (&outcome.failure, outcome.summary.status) {
        (Some(Failure::Input { .. }), _) => 2,
        (_, ImportStatus::Error) => 1,
        _ => 0,
    };
    if let Err(e) = print_summary(&outcome.summary, args.summary) {
        // The import is done (committed, unless a dry run): its status decides the exit, and
        // what was lost is said where it can still be read.
        let s = &outcome.summary;
        let c = s.import_count;
        let done = if options.dry_run {
            "the check ran (a dry run: nothing was written)"
        } else {
            "the import is done and stays in the store"
        };
        eprintln!(
            "dxf2: {done}, but its summary was lost: {e}\n\
             dxf2: status {}: imported {}, updated {}, ignored {}, deleted {}, {} conflicts\n\
             dxf2: to see the summary again, run `dxf2 validate` with the same arguments \
             (a dry run against the store as it is now) with stdout going to a file",
            s.status,
            c.imported,
            c.updated,
            c.ignored,
            c.deleted,
            s.conflicts.len()
        );
    }
    Ok(code)
}

fn failed_summary(options: &ImportOptions, message: &str) -> ImportSummary {
    ImportSummary {
        status: ImportStatus::Error,
        import_options: Some(options.clone()),
        description: Some(format!("The import process failed: {message}")),
        profile: Some(options.profile),
        ..ImportSummary::default()
    }
}

/// Prints a summary on stdout (and flushes it); the error says what failed.
pub fn print_summary(summary: &ImportSummary, format: SummaryFormat) -> Result<(), String> {
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let written = match format {
        SummaryFormat::Json => dxf2_json::write_import_summary(&mut out, summary)
            .map_err(|e| e.to_string())
            .and_then(|_| writeln!(out).map_err(|e| e.to_string())),
        SummaryFormat::Xml => dxf2_xml::write_import_summary(&mut out, summary)
            .map_err(|e| e.to_string())
            .and_then(|_| writeln!(out).map_err(|e| e.to_string())),
        SummaryFormat::Table => write_table(&mut out, summary).map_err(|e| e.to_string()),
    };
    written
        .and_then(|()| out.flush().map_err(|e| e.to_string()))
        .map_err(|e| format!("writing the summary to stdout: {e}"))
}

fn write_table(out: &mut impl Write, s: &ImportSummary) -> std::io::Result<()> {
    let c = s.import_count;
    writeln!(out, "Status:      {}", s.status)?;
    if let Some(d) = &s.description {
        writeln!(out, "Description: {d}")?;
    }
    if let Some(p) = s.profile {
        writeln!(out, "Importer:    DHIS2 {}", p.label())?;
    }
    writeln!(
        out,
        "Imported: {}  Updated: {}  Ignored: {}  Deleted: {}",
        c.imported, c.updated, c.ignored, c.deleted
    )?;
    if let Some(d) = &s.data_set_complete {
        writeln!(out, "Data set complete: {d}")?;
    }
    if !s.conflicts.is_empty() {
        writeln!(out, "Conflicts ({}):", s.conflicts.len())?;
        for conflict in &s.conflicts {
            let code = conflict.error_code.as_deref().unwrap_or("-");
            let indexes = match &conflict.indexes {
                Some(list) => format_indexes(list),
                None => "(set level)".to_owned(),
            };
            writeln!(out, "  {code}  values {indexes}: {}", conflict.value)?;
        }
    }
    if !s.rejected_indexes.is_empty() {
        writeln!(
            out,
            "Rejected values: {}",
            format_indexes(&s.rejected_indexes)
        )?;
    }
    Ok(())
}

fn format_indexes(list: &[i64]) -> String {
    const SHOWN: usize = 20;
    let mut text: Vec<String> = list.iter().take(SHOWN).map(i64::to_string).collect();
    if list.len() > SHOWN {
        text.push(format!("… ({} in all)", list.len()));
    }
    text.join(", ")
}

/// Arguments of `dxf2 metadata import`.
#[derive(Args, Debug)]
pub struct MetadataImportArgs {
    /// DXF2 metadata JSON files (later files replace objects of earlier ones by UID).
    #[arg(required = true, num_args = 1..)]
    pub files: Vec<PathBuf>,
    /// The SQLite store file (created when missing).
    #[arg(long, value_name = "DB")]
    pub store: PathBuf,
    #[command(flatten)]
    pub limits: LimitArgs,
}

/// `dxf2 metadata import`.
pub fn run_metadata_import(args: &MetadataImportArgs) -> Result<u8, Exit> {
    let mut store = SqliteStore::open(&args.store)
        .map_err(|e| Exit::usage(format!("{}: {e}", args.store.display())))?;
    let mut metadata = store
        .load_metadata()
        .map_err(|e| Exit::usage(e.to_string()))?;
    let incoming = read_metadata_files(
        &args.files,
        &args.limits.decompression(),
        args.limits.read_limits(),
    )?;
    let counts = [
        ("organisation units", incoming.org_units.len()),
        ("data elements", incoming.data_elements.len()),
        (
            "category option combos",
            incoming.category_option_combos.len(),
        ),
        ("data sets", incoming.data_sets.len()),
        ("users", incoming.users.len()),
    ];
    metadata
        .merge(incoming)
        .map_err(|e| Exit::usage(e.to_string()))?;
    store
        .save_metadata(&metadata)
        .map_err(|e| Exit::usage(e.to_string()))?;
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "Metadata imported into {}:", args.store.display());
    for (what, n) in counts {
        let _ = writeln!(out, "  {n} {what}");
    }
    Ok(0)
}
