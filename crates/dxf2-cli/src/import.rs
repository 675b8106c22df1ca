//! `dxf2 import` and `dxf2 validate`.
//!
//! Exit status: 0 for SUCCESS and WARNING (1 for WARNING with `--fail-on-warning`), 1 for ERROR,
//! 2 for an unusable input (a 0-byte file, a file of another kind or format, a CSV that is not
//! DHIS2's) or arguments. An unusable input still prints DHIS2's ERROR summary (`The import process
//! failed: …`) and says on stderr what the file looks like and what to run instead.
//!
//! ADX (`--format adx`, a `.adx.xml` name, or a `.xml` file whose root element is `adx`) is
//! mapped against the store's (or `--metadata`'s) metadata, with DHIS2's ADX id scheme defaults;
//! a mapping DHIS2 refuses (an unknown code, a missing category, options matching no combo)
//! fails the import as DHIS2 does — an ERROR summary with DHIS2's description and conflicts,
//! the error with its line and column on stderr, exit 1.
//!
//! A filled DHIS2 PDF data entry form (content `%PDF-`, a `.pdf` name, or `--format pdf`) is read
//! as DHIS2's PDF import reads it (the org unit and period fields, every `TXFDDV_` field a value;
//! see `pdf.rs`), with `--empty-fields` and `--password`. A form DHIS2 refuses prints DHIS2's
//! ERROR summary (2.36–2.42: `The import process failed: …`; 2.43+ answers HTTP 400 with
//! `E8006`/`E8001` and no summary, which stderr says): exit 1 for DHIS2's checks of the org unit
//! and period fields, 2 for a file that is not a usable form (not a PDF, damaged, encrypted, no
//! form fields).

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use clap::{ArgAction, Args};
use dxf2_model::{
    IdScheme, ImportOptions, ImportStatus, ImportStrategy, ImportSummary, ImporterProfile,
    Metadata, ReadLimits,
};
use idscheme_resolver::MetadataResolver;
use import_engine::{
    AccessPolicy, DataValueStore, Failure, Importer, MemoryStore, Progress, StoreError, Superuser,
    UserAccess,
};

use dxf2_io::{AnyReader, DecompressionLimits, Format, Input, ReaderOptions, Utf8Policy};

use crate::args::{
    parse_scheme, parse_version, Dhis2Version, EmptyFieldsArg, FormatArg, LimitArgs,
};
use crate::summary::{Extras, SummaryFormat};
use crate::{ui, Exit};
use dxf2::store::{HeldCommit, JobKind};

/// Where metadata and data live for an import.
#[derive(Args, Debug, Clone)]
pub struct StoreArgs {
    /// An existing store (made by `dxf2 metadata import META.json --store DB`; this command
    /// never creates one): a SQLite file, or a PostgreSQL database as
    /// `postgres://user@host:port/db`.
    #[arg(long, value_name = "DB", value_parser = crate::location::StoreLocation::parse)]
    pub store: Option<crate::location::StoreLocation>,
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
    /// The format of the file read (default: from its extension, else its content); an extension
    /// that says otherwise is refused.
    #[arg(long, value_enum)]
    pub format: Option<FormatArg>,
    /// Import strategy (CREATE, UPDATE, CREATE_AND_UPDATE, DELETE, NEW_AND_UPDATES, NEW, UPDATES, DELETES, SYNC; any case).
    #[arg(long, value_parser = parse_strategy)]
    pub strategy: Option<ImportStrategy>,
    /// Validate and count, write nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// General id scheme: UID, CODE, NAME, ID, UUID or ATTRIBUTE:<attribute uid>.
    #[arg(long, value_parser = parse_scheme)]
    pub id_scheme: Option<IdScheme>,
    /// Data element id scheme (the same schemes).
    #[arg(long, value_parser = parse_scheme)]
    pub data_element_id_scheme: Option<IdScheme>,
    /// Org unit id scheme (the same schemes).
    #[arg(long, value_parser = parse_scheme)]
    pub org_unit_id_scheme: Option<IdScheme>,
    /// Category option combo id scheme (the same schemes; also used for attribute option combos
    /// by the classic importer).
    #[arg(long, value_parser = parse_scheme)]
    pub category_option_combo_id_scheme: Option<IdScheme>,
    /// Data set id scheme (the same schemes).
    #[arg(long, value_parser = parse_scheme)]
    pub data_set_id_scheme: Option<IdScheme>,
    /// Category id scheme (the same schemes): how ADX category attributes name categories
    /// (DHIS2 2.43+ also decodes category option maps with it).
    #[arg(long, value_parser = parse_scheme)]
    pub category_id_scheme: Option<IdScheme>,
    /// Category option id scheme (the same schemes): how ADX category attribute values name
    /// category options (DHIS2 2.43+ also decodes category option maps with it).
    #[arg(long, value_parser = parse_scheme)]
    pub category_option_id_scheme: Option<IdScheme>,
    /// The data set of a CSV payload.
    #[arg(long)]
    pub data_set: Option<String>,
    /// 2.36–2.42 only: treat every value as new.
    #[arg(long)]
    pub skip_existing_check: bool,
    /// 2.36–2.42 only: preheat lookup caches (as DHIS2: also bypasses the sharing filter of
    /// option combo lookups).
    #[arg(long)]
    pub preheat_cache: bool,
    /// Reject periods whose type is not a data set's of the element (always so in 2.43+).
    #[arg(long)]
    pub strict_periods: bool,
    /// Reject data elements not in the data set(s) (always so in 2.43+).
    #[arg(long)]
    pub strict_data_elements: bool,
    /// Reject category option combos not of the element's category combo (always so in 2.43+).
    #[arg(long)]
    pub strict_category_option_combos: bool,
    /// Reject attribute option combos not of the data sets' category combos (always so in 2.43+).
    #[arg(long)]
    pub strict_attribute_option_combos: bool,
    /// Reject org units to which no data set of the element is assigned (always so in 2.43+).
    #[arg(long)]
    pub strict_org_units: bool,
    /// 2.36–2.42 only: reject values without a category option combo.
    #[arg(long)]
    pub require_category_option_combo: bool,
    /// 2.36–2.42 only: reject values without an attribute option combo.
    #[arg(long)]
    pub require_attribute_option_combo: bool,
    /// CSV: whether the first row is a header.
    #[arg(long, default_value_t = true, action = ArgAction::Set)]
    pub first_row_is_header: bool,
    /// 2.36–2.42 only: do not write audit rows (needs authority F_SKIP_DATA_IMPORT_AUDIT).
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
    #[doc = "Behave like this DHIS2 version: 2.36 to 2.42 the classic importer, 2.43 and 2.44 the new pipeline (groups per data set, E8000-E8128, every write counted as updated); others are refused."]
    #[arg(long, value_name = "V", default_value = "2.42", value_parser = parse_version)]
    pub dhis2_version: Dhis2Version,
    /// How to print the summary (json and xml are DHIS2's documents; notes go to stderr).
    #[arg(long, value_enum, default_value_t = SummaryFormat::Table)]
    pub summary: SummaryFormat,
    /// Exit with status 1 when the import ends with status WARNING (for scripts).
    #[arg(long)]
    pub fail_on_warning: bool,
    /// PDF forms: what to do with data fields nobody filled in. `skip` imports exactly what was
    /// filled in. `keep` hands every field on, as DHIS2 does: DHIS2 2.36-2.42 then stores an empty
    /// field as a comment-only value ("Imported by PDF Data Entry Form"), replacing a value stored
    /// before; 2.43+ refuses each with E8120 ("value is required").
    #[arg(long, value_enum, value_name = "WHAT", default_value_t = EmptyFieldsArg::Skip)]
    pub empty_fields: EmptyFieldsArg,
    /// PDF forms: the password of an encrypted form (a form encrypted with an empty password, as
    /// "protected" forms usually are, opens without one).
    #[arg(long, value_name = "PASSWORD")]
    pub password: Option<String>,
    #[command(flatten)]
    pub limits: LimitArgs,
}

fn parse_strategy(s: &str) -> Result<ImportStrategy, String> {
    ImportStrategy::parse_ignore_case(s).map_err(|e| e.to_string())
}

impl ImportArgs {
    fn options(&self, dry_run: bool) -> Result<ImportOptions, Exit> {
        let profile = self.dhis2_version.profile;
        self.check_profile_flags(profile)?;
        let mut o = ImportOptions {
            profile,
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
        o.id_schemes.category = self.category_id_scheme.clone();
        o.id_schemes.category_option = self.category_option_id_scheme.clone();
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

    /// Refuses flags the chosen generation does not understand (DHIS2 ignores them silently;
    /// a user giving one expects it to act).
    fn check_profile_flags(&self, profile: ImporterProfile) -> Result<(), Exit> {
        let version = &self.dhis2_version.text;
        match profile {
            ImporterProfile::Classic => {
                if self.atomic {
                    return Err(Exit::usage(format!(
                        "--atomic is understood by DHIS2 2.43 and later only, not {version}: \
                         add --dhis2-version 2.43, or leave --atomic out"
                    )));
                }
            }
            ImporterProfile::Pipeline => {
                let classic_only = [
                    (self.skip_existing_check, "--skip-existing-check"),
                    (self.preheat_cache, "--preheat-cache"),
                    (self.skip_audit, "--skip-audit"),
                    (
                        self.require_category_option_combo,
                        "--require-category-option-combo",
                    ),
                    (
                        self.require_attribute_option_combo,
                        "--require-attribute-option-combo",
                    ),
                ];
                if let Some((_, flag)) = classic_only.iter().find(|(given, _)| *given) {
                    return Err(Exit::usage(format!(
                        "{flag} is understood by DHIS2 2.36-2.42 only; DHIS2 {version} ignores \
                         it: leave it out, or give --dhis2-version 2.42"
                    )));
                }
            }
        }
        Ok(())
    }
}

/// A store opened for a command: a SQLite or PostgreSQL store, or a memory store.
pub enum OpenStore {
    /// SQLite or PostgreSQL.
    Stored(crate::location::AnyStore),
    /// In memory.
    Memory(Box<MemoryStore>),
}

impl OpenStore {
    /// The data value store.
    pub fn values(&mut self) -> &mut dyn DataValueStore {
        match self {
            OpenStore::Stored(s) => s.as_mut(),
            OpenStore::Memory(s) => s.as_mut(),
        }
    }
}

/// Opens the existing store (never creating one; read-only for `validate`, which must never
/// write, even when a 2.43+ payload says `dryRun="false"`) or reads the `--metadata` files
/// (within `limits`) into a memory store, and loads the metadata.
pub fn open_store(
    args: &StoreArgs,
    limits: &DecompressionLimits,
    read_limits: ReadLimits,
    read_only: bool,
) -> Result<(OpenStore, Metadata), Exit> {
    if let Some(path) = &args.store {
        let mut store = crate::store::open_existing(path, read_only)?;
        let metadata = store
            .load_metadata()
            .map_err(|e| crate::store::store_error(path, &e))?;
        return Ok((OpenStore::Stored(store), metadata));
    }
    if args.metadata.is_empty() {
        return Err(Exit::usage(
            "give --store DB (a store made by `dxf2 metadata import META.json --store DB`) or \
             --metadata META.json",
        ));
    }
    let mut metadata = Metadata::new();
    for path in &args.metadata {
        crate::metadata::typed::read_file(path, &mut metadata, limits, read_limits)?;
    }
    Ok((OpenStore::Memory(Box::new(MemoryStore::new())), metadata))
}

/// An input refused before it was read: DHIS2's ERROR summary on stdout, the reason (and what
/// to do) on stderr, exit 2.
fn refuse(
    options: &ImportOptions,
    args: &ImportArgs,
    description: &str,
    message: &str,
    hint: Option<String>,
) -> Result<u8, Exit> {
    let summary = failed_summary(options, description);
    if let Err(e) = crate::summary::print(&summary, args.summary, &Extras::default()) {
        if !ui::is_broken_pipe(&e) {
            ui::error(&format!("writing the summary to stdout: {e}"));
        }
    }
    ui::error(message);
    if let Some(hint) = hint {
        ui::hint(&hint);
    }
    Ok(2)
}

/// `dxf2 import` (and `validate` with `dry_run`).
pub fn run(args: &ImportArgs, dry_run: bool) -> Result<u8, Exit> {
    let options = args.options(dry_run)?;
    let explicit = args.format.map(Format::from);
    crate::args::check_format_extension(&args.file, explicit, "--format")?;
    let limits = args.limits.decompression();
    // The input first: a missing file is reported before any store is touched.
    // Standard input is hashed as it is read, for the journal (a file is hashed on its own).
    let stdin_tap = dxf2::jobs::Sha256Tap::new();
    let mut input = if args.file.as_os_str() == "-" {
        Input::from_reader("<stdin>", stdin_tap.reader(std::io::stdin()), &limits)
    } else {
        Input::open(&args.file, &limits)
    }
    .map_err(|e| Exit::usage(e.to_string()))?;
    let (mut store, metadata) =
        open_store(&args.stores, &limits, args.limits.read_limits(), dry_run)?;
    // The journal of a persistent store records the import (not a memory store's).
    let mut draft = matches!(store, OpenStore::Stored(_)).then(|| {
        crate::journal::Draft::start(
            JobKind::Data,
            std::slice::from_ref(&args.file),
            options.dry_run,
        )
    });
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
    let warnings = input.warnings();
    crate::print_warnings(&warnings);
    let name = input.name().to_owned();
    let head = input.head().map_err(|e| Exit::usage(e.to_string()))?;
    let format = Format::detect(explicit, &args.file, head);
    if head.is_empty() {
        // DHIS2 reads a JSON body with Jackson, which fails on no content at all.
        let description = match format {
            Format::Json => "No content to map due to end-of-input".to_owned(),
            Format::Xml | Format::Csv | Format::Adx | Format::Pdf => {
                "the input is empty (0 bytes)".to_owned()
            }
        };
        return refuse(
            &options,
            args,
            &description,
            &format!("{name} is empty (0 bytes): there is nothing to import"),
            None,
        );
    }
    if let Some(looks) = crate::inspect::other_format(head, format) {
        let how = if explicit.is_some() {
            format!("give --format {}, or leave --format out", looks.name())
        } else {
            format!(
                "its name says {}: rename it to end in .{}",
                format.name().to_uppercase(),
                looks.extension()
            )
        };
        let message = format!(
            "{name} looks like {}, not {}",
            looks.name().to_uppercase(),
            format.name().to_uppercase()
        );
        return refuse(&options, args, &message, &message, Some(how));
    }
    if format == Format::Csv {
        if let Some(problem) = crate::inspect::csv_problem(head, options.first_row_is_header) {
            let message = format!("{name} is not a DHIS2 data value set CSV: {problem}");
            return refuse(&options, args, &message, &message, None);
        }
    }
    let counters = crate::progress::Counters {
        bytes: input.consumed(),
        size: input.size(),
        values: Some(Arc::new(AtomicU64::new(0))),
    };
    let reader_options = ReaderOptions::for_import(&options)
        .with_limits(args.limits.read_limits())
        .with_invalid_utf8(args.limits.invalid_utf8(Utf8Policy::Replace))
        .with_pdf_empty_fields(args.empty_fields.into())
        .with_pdf_password(args.password.clone());
    let mut reader = match AnyReader::open_with(input, format, &reader_options, Some(&metadata)) {
        Ok(r) => r,
        Err(e) => {
            if let Some(pdf) = e.as_pdf() {
                return refuse_pdf(&options, args, &e, pdf);
            }
            let hint = wrong_kind_hint(&e, &args.file);
            return refuse(&options, args, &e.to_string(), &e.to_string(), hint);
        }
    };
    let pdf_notes = reader
        .pdf_form()
        .map(|form| crate::pdf::read_notes(form, &name, args.empty_fields, &metadata));
    let importer = Importer::new(&metadata, access);
    let mut resolver = MetadataResolver::new(&metadata);
    let label = if options.dry_run {
        "validate"
    } else {
        "import"
    };
    let ticker = crate::progress::Ticker::start(label, counters.clone());
    let values_done = counters.values.clone().unwrap_or_default();
    let mut total: Option<u64> = None;
    let mut progress = |p: Progress| {
        values_done.store(p.done, Ordering::Relaxed);
        if p.total.is_some() {
            total = p.total;
        }
    };
    // The importer's commit is held until its job is recorded in the same transaction.
    let mut held = HeldCommit::new(store.values());
    let mut outcome = importer.import(
        &mut reader,
        &options,
        &mut resolver,
        &mut held,
        &mut progress,
    );
    let failed = outcome.failure.is_some();
    let utf8 = reader.replaced_utf8();
    let mut extras = Extras {
        dry_run: options.dry_run,
        notes: Vec::new(),
        value_notes: std::mem::take(&mut outcome.value_notes),
    };
    if outcome.failure.is_none() {
        if let Some(notes) = pdf_notes {
            extras.notes.extend(notes);
        }
        if total == Some(0) {
            extras.notes.push(match format {
                Format::Csv if options.first_row_is_header => format!(
                    "{name} has no data rows (only a header line, or nothing): no values to import"
                ),
                _ => format!("{name} holds no data values: there was nothing to import"),
            });
        }
        // The reader tells it for every input (file, stdin, gzip, zip), once it has read to the
        // end (always, when the import did not fail).
        if let Some(line) = reader.last_record_unterminated() {
            extras
                .notes
                .push(crate::inspect::cut_short_note(&name, line));
        }
    }
    // DHIS2 refused the ADX mapping: its ERROR summary (description and conflicts as DHIS2
    // words them), the error with where it is on stderr, exit 1.
    let refused = adx_refusal(outcome.failure.as_ref()).map(|(file, e)| {
        outcome.summary.description = e.dhis2_description(options.profile);
        outcome.summary.conflicts = e.dhis2_conflicts(options.profile);
        // The file, the line and column, the group and value, and DHIS2's message.
        file.to_string()
    });
    let mut repeat_note = None;
    if let Some(draft) = &mut draft {
        draft.read_stdin(stdin_tap.input());
    }
    if let (Some(draft), Some(at)) = (&draft, &args.stores.store) {
        let (status, counts) = crate::journal::data_counts(&outcome.summary);
        let mut job = draft.finish(
            status,
            outcome.summary.profile.map(|p| p.label().to_owned()),
            counts,
            (
                crate::summary::renderings(&outcome.summary, &extras),
                args.summary.name(),
            ),
            extras.notes.clone(),
        );
        if held.is_held() {
            ticker.phase("commit");
            match crate::journal::commit_held(&mut held, at, &mut job) {
                Ok(note) => repeat_note = note,
                Err(exit) => {
                    drop(ticker);
                    return Err(exit);
                }
            }
        } else {
            // A dry run (asked, or turned on by a 2.43+ payload) or a failed import, rolled
            // back: its job is recorded in a short transaction of its own.
            job.dry_run = options.dry_run || outcome.failure.is_none();
            drop(store);
            match crate::journal::record_after(at, &mut job) {
                Ok(note) => repeat_note = note,
                Err(e) => extras.notes.push(format!(
                    "the job was not recorded in the store's journal: {}",
                    e.message
                )),
            }
        }
    }
    if failed {
        drop(ticker);
    } else {
        ticker.finish();
    }
    crate::print_warnings(&warnings);
    crate::journal::say(repeat_note);
    if let Some((count, first)) = utf8 {
        ui::warning(&format!(
            "{}: {count} invalid UTF-8 sequence{} read as U+FFFD (as DHIS2 does), the first at \
             line {}, byte column {}; give --invalid-utf8 error to refuse such files",
            reader.name(),
            if count == 1 { "" } else { "s" },
            first.line,
            first.column
        ));
    }
    let s = &outcome.summary;
    let code = match (&outcome.failure, s.status) {
        (Some(Failure::Input { .. }), _) if refused.is_some() => 1,
        (Some(Failure::Input { .. }), _) => 2,
        (_, ImportStatus::Error) => 1,
        (_, ImportStatus::Warning) if args.fail_on_warning => 1,
        _ => 0,
    };
    let printed = crate::summary::print(s, args.summary, &extras);
    if let Some(message) = &refused {
        ui::error(message);
    } else if let Some(failure) = &outcome.failure {
        if args.summary != SummaryFormat::Table {
            ui::error(&failure.to_string());
        }
    }
    if dry_run
        && matches!(
            &outcome.failure,
            Some(Failure::Store(StoreError::Misuse(_)))
        )
    {
        // The store was opened read-only for `validate`, and the import tried to write: a 2.43+
        // payload's `dryRun="false"` overrides the request, as in DHIS2.
        ui::error(
            "`dxf2 validate` never writes, but the file turns the dry run off (dryRun=\"false\", \
             which DHIS2 2.43+ obeys): remove that attribute to check the file, or run `dxf2 \
             import` to import it",
        );
    }
    if let Some(e) = &outcome.rollback_error {
        ui::error(&format!(
            "undoing the failed import failed too, the store may hold part of it: {e}"
        ));
    }
    match printed {
        Ok(()) => {}
        // `| head` has gone: the import is done; end quietly, by its status.
        Err(e) if ui::is_broken_pipe(&e) => {}
        Err(e) => {
            // The import is done (committed, unless a dry run): its status decides the exit,
            // and what was lost is said where it can still be read.
            let c = s.import_count;
            let done = if options.dry_run {
                "the check ran (a dry run: nothing was written)"
            } else {
                "the import is done and stays in the store"
            };
            ui::error(&format!(
                "{done}, but its summary was lost: writing the summary to stdout: {e}\n\
                 status {}: imported {}, updated {}, ignored {}, deleted {}, {} conflicts\n\
                 to see the summary again, run `dxf2 validate` with the same arguments (a dry \
                 run against the store as it is now) with stdout going to a file",
                s.status,
                c.imported,
                c.updated,
                c.ignored,
                c.deleted,
                s.conflicts.len()
            ));
        }
    }
    if code == 1 && s.status == ImportStatus::Warning {
        ui::error("the import ended with status WARNING (--fail-on-warning)");
    }
    Ok(code)
}

/// A PDF form refused when it was opened: DHIS2's ERROR summary (2.36–2.42: `The import process
/// failed: <message>`; 2.43+, which answers without a summary, its message), the error (with the
/// field, and `E8006`/`E8001` when DHIS2 gives one) and what to do on stderr; exit 1 for DHIS2's
/// checks of the org unit and period, 2 for a file that is not a usable form.
fn refuse_pdf(
    options: &ImportOptions,
    args: &ImportArgs,
    e: &dxf2_io::Error,
    pdf: &dxf2_io::pdf::Error,
) -> Result<u8, Exit> {
    use dxf2_io::pdf::ErrorKind;
    let description = pdf
        .dhis2_description(options.profile)
        .unwrap_or_else(|| format!("The import process failed: {}", pdf.dhis2_message()));
    let mut summary = failed_summary(options, "");
    summary.description = Some(description);
    if let Err(err) = crate::summary::print(&summary, args.summary, &Extras::default()) {
        if !ui::is_broken_pipe(&err) {
            ui::error(&format!("writing the summary to stdout: {err}"));
        }
    }
    let name = e.name().unwrap_or("the form");
    let mut message = match pdf.code() {
        Some(code) => format!("{name}: {code} {}", pdf.dhis2_message()),
        None => e.to_string(),
    };
    if let Some(field) = pdf.field().filter(|_| pdf.code().is_some()) {
        message.push_str(&format!(" (field `{field}`)"));
    }
    if options.profile == ImporterProfile::Pipeline && pdf.code().is_some() {
        message.push_str(" — DHIS2 2.43+ answers 400 Bad Request, without an import summary");
    }
    ui::error(&message);
    let make = "make a DHIS2 form with `dxf2 pdf form --store DB --data-set DS -o form.pdf`";
    let hint = match pdf.kind() {
        ErrorKind::Encrypted {
            password_given: false,
        } => Some("the form is encrypted: give its password with --password".to_owned()),
        ErrorKind::Encrypted { .. } => Some("check the password given with --password".to_owned()),
        ErrorKind::NoAcroForm | ErrorKind::MissingField { .. } => Some(format!(
            "this PDF is not a fillable DHIS2 data entry form; {make}"
        )),
        ErrorKind::PeriodNotSpecified | ErrorKind::InvalidPeriod { .. } => Some(
            "choose the period in the form's Period field (TXFD_PeriodID) and save it again"
                .to_owned(),
        ),
        ErrorKind::OrgUnitNotSpecified => Some(
            "type the org unit's identifier into the form's \"Organization unit identifier\" \
             field (TXFD_OrgID) and save it again"
                .to_owned(),
        ),
        _ => None,
    };
    if let Some(hint) = hint {
        ui::hint(&hint);
    }
    let dhis2_refusal = matches!(
        pdf.kind(),
        ErrorKind::PeriodNotSpecified
            | ErrorKind::OrgUnitNotSpecified
            | ErrorKind::InvalidPeriod { .. }
    );
    Ok(if dhis2_refusal { 1 } else { 2 })
}

/// The error of an import that failed because DHIS2 refuses the ADX file's mapping (an unknown
/// code, a missing category attribute, options matching no combo, a period DHIS2 cannot read),
/// with its ADX error; `None` for any other failure (XML that is not well-formed stays an
/// unusable input).
fn adx_refusal(failure: Option<&Failure>) -> Option<(&dxf2_io::Error, &adx::Error)> {
    let Some(Failure::Input { source, .. }) = failure else {
        return None;
    };
    let file = source.downcast_ref::<dxf2_io::Error>()?;
    let adx = file.as_adx().filter(|e| e.kind().is_dhis2_refusal())?;
    Some((file, adx))
}

/// What to run instead, for a file of another kind (DHIS2 metadata given to `dxf2 import`).
fn wrong_kind_hint(e: &dxf2_io::Error, file: &Path) -> Option<String> {
    let dxf2_io::ErrorKind::Json(j) = e.kind() else {
        return None;
    };
    match j.kind() {
        dxf2_json::ErrorKind::NotADataValueSet { looks_like, .. } => Some(match looks_like {
            dxf2_json::DocumentKind::Metadata => format!(
                "to load metadata into a store, run `dxf2 metadata import {} --store DB`",
                file.display()
            ),
            dxf2_json::DocumentKind::Unknown => format!(
                "if {} is DHIS2 metadata, run `dxf2 metadata import {} --store DB`; a data value \
                 set has `dataValues` (and `dataSet`, `period`, `orgUnit`)",
                file.display(),
                file.display()
            ),
            _ => "dxf2 reads aggregate data value sets (and metadata with `dxf2 metadata import`)"
                .to_owned(),
        }),
        _ => None,
    }
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
