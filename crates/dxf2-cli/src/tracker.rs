//! `dxf2 tracker import|export`: tracker data (tracked entities, enrollments, events,
//! relationships) into and out of a store, as `POST /api/tracker` and `GET /api/tracker/…` of
//! DHIS2 2.42 do.
//!
//! Import: exit 0 for OK (and WARNING), 1 for ERROR (with `--atomic-mode ALL`, nothing was
//! written), 2 for unusable input (what DHIS2 answers with HTTP 400: a bad UID or date, JSON
//! that is not a tracker payload, a bad parameter value). Export: exit 1 when a single object
//! asked for by UID does not exist (DHIS2's 404, no file written), 2 when DHIS2 would refuse the
//! parameters (HTTP 400) or the metadata lacks an identifier in the requested id scheme (HTTP
//! 422). Export writes every object (`{"events":[…]}`, what the Import/Export app asks for with
//! `paging=false`) unless `--page`, `--page-size`, `--total-pages` or `--paging true` asks for
//! DHIS2's paged document (`{"pager":{"page":1,"pageSize":50},"events":[…]}`).

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::{Args, Subcommand, ValueEnum};
use dxf2_io::{Compression, Input, OutputBuilder};
use dxf2_model::Uid;
use dxf2_tracker::export::{
    export, parse_order, write_export, AssignedUserMode, ExportError, ExportFormat, ExportQuery,
    ItemFilter, OrgUnitMode, Paging,
};
use dxf2_tracker::import::{
    import_with_progress, parse_bool_param, AtomicMode, FlushMode, ImportMode, ImportParams,
    ImportReport, ImportStrategy, ParamEnum, ReportMode, Status, TrackerIdScheme, TrackerIdSchemes,
    ValidationMode,
};
use dxf2_tracker::{
    Event, EventCsvReader, FieldFilter, Fields, ItemRef, JsonReader, Payload, ReadOptions,
    ServerTimeZone, Timestamp, TrackerType, WriteOptions,
};

use crate::args::LimitArgs;
use crate::location::StoreLocation;
use crate::metadata::{load_catalogue, open_for_reading};
use crate::{ui, Exit};
use dxf2::store::{HeldCommit, JobCounts, JobKind, JobStatus};

/// `dxf2 tracker …`.
#[derive(Subcommand, Debug)]
pub enum TrackerCommand {
    /// Import tracker data (JSON, nested or flat; events CSV) into a store, as `POST
    /// /api/tracker` does, and print DHIS2's import report.
    Import(Box<TrackerImportArgs>),
    /// Export a store's tracker data as `GET /api/tracker/events` (trackedEntities,
    /// enrollments, relationships) does: JSON or CSV.
    Export(Box<TrackerExportArgs>),
}

/// The file format of a tracker import or export.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum TrackerFormat {
    /// JSON (`{"trackedEntities": […], …}`).
    Json,
    /// CSV (events; tracked entities on export).
    Csv,
}

/// How the import report is printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum TrackerSummary {
    /// Counts per type and the errors, for people.
    Table,
    /// DHIS2's import report itself.
    Json,
}

fn enum_param<T: ParamEnum>(s: &str) -> Result<T, String> {
    T::parse_param(s).map_err(|e| e.message)
}

fn scheme_parser(
    parameter: &'static str,
) -> impl Fn(&str) -> Result<TrackerIdScheme, String> + Clone {
    move |s: &str| TrackerIdScheme::parse(parameter, s).map_err(|e| e.message)
}

fn bool_param(s: &str) -> Result<bool, String> {
    parse_bool_param("followUp", s).map_err(|e| e.message)
}

fn paging_param(s: &str) -> Result<bool, String> {
    parse_bool_param("paging", s).map_err(|e| e.message)
}

/// `page`/`pageSize`: a whole number (DHIS2 refuses one below 1 with its message, after
/// binding).
fn count_param(s: &str) -> Result<u32, String> {
    match s.parse::<i64>() {
        Ok(n) if n < 1 => Ok(0),
        Ok(n) => u32::try_from(n).map_err(|_| format!("Value '{s}' is too large")),
        Err(_) => Err(format!("Value '{s}' is not a whole number")),
    }
}

fn uid_param(s: &str) -> Result<Uid, String> {
    Uid::parse(s).map_err(|_| {
        format!(
            "UID must be an alphanumeric string of 11 characters starting with a letter, but was: {s}"
        )
    })
}

/// Arguments of `dxf2 tracker import`.
#[derive(Args, Debug)]
pub struct TrackerImportArgs {
    /// The tracker file: JSON (nested or flat payload, or an export document) or events CSV
    /// with a header line; gzip and zip are read too.
    pub file: PathBuf,
    /// The store (it must exist: `dxf2 metadata import` creates one with the programs).
    #[arg(long, value_name = "DB", value_parser = StoreLocation::parse)]
    pub store: StoreLocation,
    /// The file's format (default: from its name, `.csv` is CSV, anything else JSON).
    #[arg(long, value_enum)]
    pub format: Option<TrackerFormat>,
    /// COMMIT (default) or VALIDATE (check only, nothing written).
    #[arg(long, value_name = "MODE", default_value = "COMMIT", value_parser = enum_param::<ImportMode>)]
    pub import_mode: ImportMode,
    /// CREATE, UPDATE, CREATE_AND_UPDATE (default) or DELETE (only UIDs needed).
    #[arg(long, value_name = "STRATEGY", default_value = "CREATE_AND_UPDATE", value_parser = enum_param::<ImportStrategy>)]
    pub strategy: ImportStrategy,
    /// ALL (default: one error and nothing is written) or OBJECT.
    #[arg(long, value_name = "MODE", default_value = "ALL", value_parser = enum_param::<AtomicMode>)]
    pub atomic_mode: AtomicMode,
    /// FULL, ERRORS (default: no warnings in the report) or WARNINGS.
    #[arg(long, value_name = "MODE", default_value = "ERRORS", value_parser = enum_param::<ReportMode>)]
    pub report_mode: ReportMode,
    /// AUTO (default) or OBJECT: a DHIS2 server's database flushing; accepted, no effect here.
    #[arg(long, value_name = "MODE", default_value = "AUTO", value_parser = enum_param::<FlushMode>)]
    pub flush_mode: FlushMode,
    /// FULL (default), FAIL_FAST (stop at the first error) or SKIP (no validation).
    #[arg(long, value_name = "MODE", default_value = "FULL", value_parser = enum_param::<ValidationMode>)]
    pub validation_mode: ValidationMode,
    /// Skip notifications and other side effects (there are none here).
    #[arg(long)]
    pub skip_side_effects: bool,
    /// How metadata references are written: UID (default), CODE, NAME or ATTRIBUTE:<uid>.
    #[arg(long, value_name = "S", value_parser = scheme_parser("idScheme"))]
    pub id_scheme: Option<TrackerIdScheme>,
    /// The scheme of `orgUnit` (default: --id-scheme).
    #[arg(long, value_name = "S", value_parser = scheme_parser("orgUnitIdScheme"))]
    pub org_unit_id_scheme: Option<TrackerIdScheme>,
    /// The scheme of `program` (default: --id-scheme).
    #[arg(long, value_name = "S", value_parser = scheme_parser("programIdScheme"))]
    pub program_id_scheme: Option<TrackerIdScheme>,
    /// The scheme of `programStage` (default: --id-scheme).
    #[arg(long, value_name = "S", value_parser = scheme_parser("programStageIdScheme"))]
    pub program_stage_id_scheme: Option<TrackerIdScheme>,
    /// The scheme of `dataValues[].dataElement` (default: --id-scheme).
    #[arg(long, value_name = "S", value_parser = scheme_parser("dataElementIdScheme"))]
    pub data_element_id_scheme: Option<TrackerIdScheme>,
    /// The scheme of `attributeOptionCombo` (default: --id-scheme).
    #[arg(long, value_name = "S", value_parser = scheme_parser("categoryOptionComboIdScheme"))]
    pub category_option_combo_id_scheme: Option<TrackerIdScheme>,
    /// The scheme of `attributeCategoryOptions` (default: --id-scheme).
    #[arg(long, value_name = "S", value_parser = scheme_parser("categoryOptionIdScheme"))]
    pub category_option_id_scheme: Option<TrackerIdScheme>,
    /// The importing user (recorded as storedBy, createdBy, updatedBy and on notes; a user of
    /// the metadata who is not a superuser has its capture scope checked). Default: admin, a
    /// superuser.
    #[arg(long, value_name = "NAME")]
    pub user: Option<String>,
    /// table (default) or json (DHIS2's import report itself).
    #[arg(long, value_enum, default_value_t = TrackerSummary::Table)]
    pub summary: TrackerSummary,
    #[command(flatten)]
    pub limits: LimitArgs,
}

impl TrackerImportArgs {
    fn params(&self) -> ImportParams {
        let mut p = ImportParams::default();
        p.import_mode = self.import_mode;
        p.import_strategy = self.strategy;
        p.atomic_mode = self.atomic_mode;
        p.report_mode = self.report_mode;
        p.flush_mode = self.flush_mode;
        p.validation_mode = self.validation_mode;
        p.skip_side_effects = self.skip_side_effects;
        p.user = self.user.clone();
        p.time_zone = ServerTimeZone::from_environment();
        if let Some(s) = &self.id_scheme {
            p.id_schemes.id_scheme = s.clone();
        }
        p.id_schemes.org_unit = self.org_unit_id_scheme.clone();
        p.id_schemes.program = self.program_id_scheme.clone();
        p.id_schemes.program_stage = self.program_stage_id_scheme.clone();
        p.id_schemes.data_element = self.data_element_id_scheme.clone();
        p.id_schemes.category_option_combo = self.category_option_combo_id_scheme.clone();
        p.id_schemes.category_option = self.category_option_id_scheme.clone();
        p
    }
}

fn is_csv(path: &Path) -> bool {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    [".csv", ".csv.gz", ".csv.zip"]
        .iter()
        .any(|e| name.ends_with(e))
}

fn print(text: &str) -> Result<(), Exit> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(Exit::usage(format!("writing to stdout: {e}"))),
        Ok(()) => Ok(()),
    }
}

/// The report as a table: counts per type, then the errors and warnings.
fn table(report: &ImportReport, name: &str, validate: bool) -> String {
    let mut t = format!(
        "{name}: status {}{}\n",
        report.status.name(),
        if validate {
            " (VALIDATE: nothing written)"
        } else {
            ""
        }
    );
    t.push_str(&format!(
        "{:<16}{:>9}{:>9}{:>9}{:>9}{:>9}\n",
        "", "created", "updated", "deleted", "ignored", "total"
    ));
    let row = |t: &mut String, label: &str, s: &dxf2_tracker::import::Stats| {
        t.push_str(&format!(
            "{label:<16}{:>9}{:>9}{:>9}{:>9}{:>9}\n",
            s.created,
            s.updated,
            s.deleted,
            s.ignored,
            s.total()
        ));
    };
    if let Some(bundle) = &report.bundle {
        for (kind, r) in bundle {
            row(&mut t, kind.name(), &r.stats);
        }
    }
    row(&mut t, "total", &report.stats);
    for e in &report.errors {
        t.push_str(&format!(
            "error {} {} {}: {}\n",
            e.code,
            e.tracker_type.name(),
            e.uid,
            e.message
        ));
    }
    for w in &report.warnings {
        t.push_str(&format!(
            "warning {} {} {}: {}\n",
            w.code,
            w.tracker_type.name(),
            w.uid,
            w.message
        ));
    }
    t
}

fn read_payload(args: &TrackerImportArgs, zone: &ServerTimeZone) -> Result<Payload, Exit> {
    let mut input = Input::open(&args.file, &args.limits.decompression())
        .map_err(|e| Exit::usage(e.to_string()))?;
    let name = input.name().to_owned();
    crate::print_warnings(&input.warnings());
    let head = input.head().map_err(|e| Exit::usage(e.to_string()))?;
    if head.is_empty() {
        return Err(Exit::usage(format!(
            "{name}: No content to map due to end-of-input (the file is empty)"
        )));
    }
    let options = ReadOptions::default()
        .with_time_zone(zone.clone())
        .with_limits(args.limits.read_limits());
    let csv = match args.format {
        Some(f) => f == TrackerFormat::Csv,
        None => is_csv(&args.file),
    };
    if csv {
        let reader = EventCsvReader::new(input, options, true)
            .map_err(|e| Exit::usage(format!("{name}: {e}")))?;
        let events: Result<Vec<Event>, _> = reader.events().collect();
        let events = events.map_err(|e| Exit::usage(format!("{name}: {e}")))?;
        return Ok(Payload {
            events,
            ..Payload::default()
        });
    }
    let (payload, summary) = JsonReader::new(options)
        .read_payload(input)
        .map_err(|e| Exit::usage(format!("{name}: {e}")))?;
    for legacy in &summary.legacy {
        ui::warning(&format!("{name}: {legacy:?}"));
    }
    Ok(payload)
}

/// `dxf2 tracker import`.
pub fn run_import(args: &TrackerImportArgs) -> Result<u8, Exit> {
    let at = &args.store;
    let validate = args.import_mode == ImportMode::Validate;
    let mut store = if validate {
        open_for_reading(at, false)?
    } else {
        crate::store::open_existing(at, false)?
    };
    let stored = load_catalogue(at, &mut store)?;
    let draft =
        crate::journal::Draft::start(JobKind::Tracker, std::slice::from_ref(&args.file), validate);
    let params = args.params();
    let payload = read_payload(args, &params.time_zone)?;
    let objects = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
    let ticker = crate::progress::Ticker::start(
        "check",
        crate::progress::Counters {
            bytes: std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0)),
            size: None,
            values: Some(std::sync::Arc::clone(&objects)),
        },
    );
    let mut progress = ticker.handle().events(objects);
    // The import's commit is held until its job is recorded in the same transaction.
    let mut held = HeldCommit::new(&mut *store);
    let outcome = import_with_progress(
        &mut held,
        stored.catalogue(),
        payload,
        &params,
        &mut progress,
    )
    .map_err(|e| Exit {
        code: 1,
        message: format!("--store {at}: {e}"),
    })?;
    let name = args.file.display().to_string();
    let report = &outcome.report;
    let mut json = report.to_json();
    json.push('\n');
    let texts = [
        ("json".to_owned(), json),
        ("table".to_owned(), table(report, &name, validate)),
    ]
    .into_iter()
    .collect();
    let status = match report.status {
        Status::Ok => JobStatus::Ok,
        Status::Warning => JobStatus::Warning,
        Status::Error => JobStatus::Error,
    };
    let counts = JobCounts {
        imported: report.stats.created,
        updated: report.stats.updated,
        deleted: report.stats.deleted,
        ignored: report.stats.ignored,
        conflicts: report.errors.len() as u64,
    };
    let printed = match args.summary {
        TrackerSummary::Json => "json",
        TrackerSummary::Table => "table",
    };
    let mut job = draft.finish(
        status,
        None,
        counts,
        (texts, printed),
        outcome.notes.clone(),
    );
    let note = if held.is_held() {
        ticker.phase("commit");
        crate::journal::commit_held(&mut held, at, &mut job)?
    } else {
        // VALIDATE, or an import that wrote nothing: the job in a short transaction of its own.
        job.dry_run = validate;
        drop(store);
        crate::journal::record_after_or_warn(at, &mut job)
    };
    ticker.finish();
    for n in &outcome.notes {
        ui::note(n);
    }
    crate::journal::say(note);
    print(job.summaries.get(printed).map_or("", String::as_str))?;
    Ok(if outcome.report.status == Status::Error {
        1
    } else {
        0
    })
}

/// Arguments of `dxf2 tracker export`.
#[derive(Args, Debug)]
#[command(group(clap::ArgGroup::new("what").required(true)
    .args(["events", "tracked_entities", "enrollments", "relationships"])))]
pub struct TrackerExportArgs {
    /// The store (opened read-only).
    #[arg(long, value_name = "DB", value_parser = StoreLocation::parse)]
    pub store: StoreLocation,
    /// Export events (only these, when UIDs are given; one UID is a single object).
    #[arg(long, value_name = "UID", num_args = 0.., value_parser = uid_param)]
    pub events: Option<Vec<Uid>>,
    /// Export tracked entities (only these, when UIDs are given).
    #[arg(long, value_name = "UID", num_args = 0.., value_parser = uid_param)]
    pub tracked_entities: Option<Vec<Uid>>,
    /// Export enrollments (only these, when UIDs are given).
    #[arg(long, value_name = "UID", num_args = 0.., value_parser = uid_param)]
    pub enrollments: Option<Vec<Uid>>,
    /// Export the relationships of the one object named with --tracked-entities,
    /// --enrollments or --events.
    #[arg(long)]
    pub relationships: bool,
    /// `program` (UID).
    #[arg(long, value_name = "P")]
    pub program: Option<String>,
    /// `programStage` (UID).
    #[arg(long, value_name = "S")]
    pub program_stage: Option<String>,
    /// `trackedEntityType` (UID).
    #[arg(long, value_name = "T")]
    pub tracked_entity_type: Option<String>,
    /// `orgUnit(s)` (UIDs).
    #[arg(long, value_name = "OU", num_args = 1..)]
    pub org_unit: Vec<String>,
    /// SELECTED (default with --org-unit), CHILDREN, DESCENDANTS, ACCESSIBLE (default without),
    /// CAPTURE or ALL.
    #[arg(long, value_name = "MODE", value_parser = enum_param::<OrgUnitMode>)]
    pub org_unit_mode: Option<OrgUnitMode>,
    /// `occurredAfter` (any date DHIS2 reads).
    #[arg(long, value_name = "D")]
    pub occurred_after: Option<String>,
    /// `occurredBefore` (a date alone means the end of that day).
    #[arg(long, value_name = "D")]
    pub occurred_before: Option<String>,
    /// `updatedAfter`.
    #[arg(long, value_name = "T")]
    pub updated_after: Option<String>,
    /// `status`: the event status (events) or the enrollment status.
    #[arg(long, value_name = "S")]
    pub status: Option<String>,
    /// `followUp`: true or false.
    #[arg(long, value_name = "BOOL", value_parser = bool_param)]
    pub follow_up: Option<bool>,
    /// `includeDeleted`.
    #[arg(long)]
    pub include_deleted: bool,
    /// `filter`: ATTR:OP:VALUE (data elements for events, attributes otherwise; `/` escapes
    /// `:` and `,`).
    #[arg(long, value_name = "ATTR:OP:VALUE")]
    pub filter: Vec<String>,
    /// `updatedBefore` (a date alone means the end of that day).
    #[arg(long, value_name = "T")]
    pub updated_before: Option<String>,
    /// `updatedWithin`: a duration back from now, `<n>d`, `<n>h`, `<n>m` or `<n>s` (`10m`,
    /// `2h`, `1d`); not with --updated-after/--updated-before.
    #[arg(long, value_name = "DURATION")]
    pub updated_within: Option<String>,
    /// `scheduledAfter` (events).
    #[arg(long, value_name = "D")]
    pub scheduled_after: Option<String>,
    /// `scheduledBefore` (events; a date alone means the end of that day).
    #[arg(long, value_name = "D")]
    pub scheduled_before: Option<String>,
    /// `enrollmentEnrolledAfter` (events, tracked entities: needs --program) or
    /// `enrolledAfter` (enrollments).
    #[arg(long, value_name = "D")]
    pub enrolled_after: Option<String>,
    /// `enrollmentEnrolledBefore` / `enrolledBefore`.
    #[arg(long, value_name = "D")]
    pub enrolled_before: Option<String>,
    /// `enrollmentOccurredAfter` (events, tracked entities: needs --program).
    #[arg(long, value_name = "D")]
    pub enrollment_occurred_after: Option<String>,
    /// `enrollmentOccurredBefore` (events, tracked entities: needs --program).
    #[arg(long, value_name = "D")]
    pub enrollment_occurred_before: Option<String>,
    /// `assignedUserMode`: CURRENT (the --user), PROVIDED (--assigned-users), NONE, ANY or
    /// ALL (default).
    #[arg(long, value_name = "MODE", value_parser = enum_param::<AssignedUserMode>)]
    pub assigned_user_mode: Option<AssignedUserMode>,
    /// `assignedUsers`: user UIDs (space- or comma-separated).
    #[arg(long, value_name = "UID", num_args = 1.., value_delimiter = ',')]
    pub assigned_users: Vec<String>,
    /// The user exporting (`--assigned-user-mode CURRENT`): a username or UID. Default: admin.
    #[arg(long, value_name = "NAME")]
    pub user: Option<String>,
    /// `order`: FIELD[:asc|desc],… (the endpoint's fields, or a data element or attribute
    /// UID); default: newest first.
    #[arg(long, value_name = "FIELD:asc|desc,…")]
    pub order: Option<String>,
    /// `page` (from 1): asks for a paged document, `{"pager":{…},"events":[…]}`.
    #[arg(long, value_name = "N", value_parser = count_param)]
    pub page: Option<u32>,
    /// `pageSize` (DHIS2's default: 50): asks for a paged document.
    #[arg(long, value_name = "N", value_parser = count_param)]
    pub page_size: Option<u32>,
    /// `totalPages`: the pager also carries `total` and `pageCount`.
    #[arg(long)]
    pub total_pages: bool,
    /// `paging`: true for DHIS2's paged answer (page 1 of 50 unless --page/--page-size),
    /// false for every object. Default: false, as the Import/Export app asks, unless --page,
    /// --page-size or --total-pages is given.
    #[arg(long, value_name = "BOOL", value_parser = paging_param)]
    pub paging: Option<bool>,
    /// How metadata is written (events, tracked entities): UID (default), CODE, NAME or
    /// ATTRIBUTE:<uid>.
    #[arg(long, value_name = "S", value_parser = scheme_parser("idScheme"))]
    pub id_scheme: Option<TrackerIdScheme>,
    /// The scheme of `orgUnit` (default: --id-scheme).
    #[arg(long, value_name = "S", value_parser = scheme_parser("orgUnitIdScheme"))]
    pub org_unit_id_scheme: Option<TrackerIdScheme>,
    /// The scheme of an event's `program` (default: --id-scheme).
    #[arg(long, value_name = "S", value_parser = scheme_parser("programIdScheme"))]
    pub program_id_scheme: Option<TrackerIdScheme>,
    /// The scheme of an event's `programStage` (default: --id-scheme).
    #[arg(long, value_name = "S", value_parser = scheme_parser("programStageIdScheme"))]
    pub program_stage_id_scheme: Option<TrackerIdScheme>,
    /// The scheme of `dataValues[].dataElement` (default: --id-scheme).
    #[arg(long, value_name = "S", value_parser = scheme_parser("dataElementIdScheme"))]
    pub data_element_id_scheme: Option<TrackerIdScheme>,
    /// The scheme of an event's `attributeOptionCombo` (default: --id-scheme).
    #[arg(long, value_name = "S", value_parser = scheme_parser("categoryOptionComboIdScheme"))]
    pub category_option_combo_id_scheme: Option<TrackerIdScheme>,
    /// The scheme of an event's `attributeCategoryOptions` (default: --id-scheme).
    #[arg(long, value_name = "S", value_parser = scheme_parser("categoryOptionIdScheme"))]
    pub category_option_id_scheme: Option<TrackerIdScheme>,
    /// DHIS2's field filter (`*`, `a,b`, `a[b,c[d]]`); default: the endpoint's.
    #[arg(long, value_name = "SPEC")]
    pub fields: Option<String>,
    /// json or csv (default: from the output name, else json).
    #[arg(long, value_enum)]
    pub format: Option<TrackerFormat>,
    /// The output file (`.gz`/`.zip` compress it) or `-` for stdout (the default).
    #[arg(short = 'o', long = "output", value_name = "FILE|-")]
    pub output: Option<PathBuf>,
}

fn date_param(
    flag: &str,
    text: Option<&String>,
    end_of_day: bool,
) -> Result<Option<Timestamp>, Exit> {
    let Some(text) = text else { return Ok(None) };
    let zone = ServerTimeZone::from_environment();
    let t =
        Timestamp::parse(text, &zone).map_err(|e| Exit::usage(format!("{flag} {text}: {e}")))?;
    let date_only = !text.contains('T') && !text.contains(' ') && text.len() <= 10;
    if end_of_day && date_only {
        let end = t.utc() + chrono::Duration::milliseconds(86_400_000 - 1);
        return Ok(Some(Timestamp::from_utc(end)));
    }
    Ok(Some(t))
}

impl TrackerExportArgs {
    fn query(&self) -> Result<ExportQuery, Exit> {
        let (kind, uids) = if self.relationships {
            (TrackerType::Relationship, Vec::new())
        } else if let Some(u) = &self.events {
            (TrackerType::Event, u.clone())
        } else if let Some(u) = &self.tracked_entities {
            (TrackerType::TrackedEntity, u.clone())
        } else {
            (
                TrackerType::Enrollment,
                self.enrollments.clone().unwrap_or_default(),
            )
        };
        let mut q = ExportQuery::new(kind);
        q.uids = uids;
        if self.relationships {
            let of: Vec<ItemRef> = self
                .tracked_entities
                .iter()
                .flatten()
                .map(|u| ItemRef::TrackedEntity(*u))
                .chain(
                    self.enrollments
                        .iter()
                        .flatten()
                        .map(|u| ItemRef::Enrollment(*u)),
                )
                .chain(self.events.iter().flatten().map(|u| ItemRef::Event(*u)))
                .collect();
            match of.as_slice() {
                [one] => q.relationships_of = Some(*one),
                _ => {
                    return Err(Exit::usage(
                        "--relationships lists the relationships of one object: give exactly one \
                         UID with --tracked-entities, --enrollments or --events",
                    ))
                }
            }
        }
        q.program = self.program.clone();
        q.program_stage = self.program_stage.clone();
        q.tracked_entity_type = self.tracked_entity_type.clone();
        q.org_units = self.org_unit.clone();
        q.org_unit_mode = self.org_unit_mode;
        q.occurred_after = date_param("--occurred-after", self.occurred_after.as_ref(), false)?;
        q.occurred_before = date_param("--occurred-before", self.occurred_before.as_ref(), true)?;
        q.updated_after = date_param("--updated-after", self.updated_after.as_ref(), false)?;
        q.updated_before = date_param("--updated-before", self.updated_before.as_ref(), true)?;
        q.updated_within = self.updated_within.clone();
        q.scheduled_after = date_param("--scheduled-after", self.scheduled_after.as_ref(), false)?;
        q.scheduled_before =
            date_param("--scheduled-before", self.scheduled_before.as_ref(), true)?;
        q.enrolled_after = date_param("--enrolled-after", self.enrolled_after.as_ref(), false)?;
        q.enrolled_before = date_param("--enrolled-before", self.enrolled_before.as_ref(), true)?;
        q.enrollment_occurred_after = date_param(
            "--enrollment-occurred-after",
            self.enrollment_occurred_after.as_ref(),
            false,
        )?;
        q.enrollment_occurred_before = date_param(
            "--enrollment-occurred-before",
            self.enrollment_occurred_before.as_ref(),
            true,
        )?;
        q.assigned_user_mode = self.assigned_user_mode;
        q.assigned_users = self
            .assigned_users
            .iter()
            .map(|u| u.trim().to_owned())
            .filter(|u| !u.is_empty())
            .collect();
        q.user = self.user.clone();
        q.order = self.order.as_deref().map(parse_order).unwrap_or_default();
        let asks_pages = self.page.is_some() || self.page_size.is_some() || self.total_pages;
        q.paging = Paging {
            paging: self.paging.unwrap_or(asks_pages),
            page: self.page,
            page_size: self.page_size,
            total_pages: self.total_pages,
        };
        let mut schemes = TrackerIdSchemes::default();
        if let Some(s) = &self.id_scheme {
            schemes.id_scheme = s.clone();
        }
        schemes.org_unit = self.org_unit_id_scheme.clone();
        schemes.program = self.program_id_scheme.clone();
        schemes.program_stage = self.program_stage_id_scheme.clone();
        schemes.data_element = self.data_element_id_scheme.clone();
        schemes.category_option_combo = self.category_option_combo_id_scheme.clone();
        schemes.category_option = self.category_option_id_scheme.clone();
        q.id_schemes = schemes;
        q.status = self.status.clone();
        q.follow_up = self.follow_up;
        q.include_deleted = self.include_deleted;
        for f in &self.filter {
            q.filters
                .push(ItemFilter::parse(f).map_err(|e| Exit::usage(e.message))?);
        }
        Ok(q)
    }
}

/// `dxf2 tracker export`.
pub fn run_export(args: &TrackerExportArgs) -> Result<u8, Exit> {
    let mut query = args.query()?;
    let output = args.output.as_ref().filter(|p| p.as_os_str() != "-");
    let format = match (args.format, output) {
        (Some(f), _) => f,
        (None, Some(p)) if is_csv(p) => TrackerFormat::Csv,
        _ => TrackerFormat::Json,
    };
    let fields = match &args.fields {
        None => Fields::Dhis2Default,
        Some(spec) => Fields::Filter(
            FieldFilter::parse(spec).map_err(|e| Exit::usage(format!("--fields: {e}")))?,
        ),
    };
    // Nested objects are read only when the fields written show them.
    let shows = |field: &str| match &fields {
        _ if format == TrackerFormat::Csv => false,
        Fields::All => true,
        Fields::Dhis2Default => FieldFilter::dhis2_default(query.kind).includes(field),
        Fields::Filter(f) => f.includes(field),
    };
    query.with_children = shows("enrollments") || shows("events");
    query.with_relationships = shows("relationships");
    let at = &args.store;
    let mut store = crate::store::open_existing(at, true)?;
    let stored = load_catalogue(at, &mut store)?;
    let exported = match export(&mut *store, stored.catalogue(), &query) {
        Ok(o) => o,
        Err(ExportError::NotFound(m)) => {
            return Err(Exit {
                code: 1,
                message: m,
            })
        }
        Err(ExportError::BadRequest(m)) => return Err(Exit::usage(m)),
        Err(ExportError::Unprocessable { message, details }) => {
            return Err(Exit::usage(format!("{message}\n{details}")))
        }
        Err(e) => return Err(Exit::usage(format!("--store {at}: {e}"))),
    };
    let pager = exported.pager;
    let mut objects = exported.objects;
    if format == TrackerFormat::Csv
        && matches!(
            query.kind,
            TrackerType::Enrollment | TrackerType::Relationship
        )
    {
        return Err(Exit::usage(format!(
            "DHIS2 exports {} as JSON only (CSV is offered for events and tracked entities)",
            query.kind.list_key()
        )));
    }
    let options = WriteOptions::default()
        .with_time_zone(ServerTimeZone::from_environment())
        .with_fields(fields);
    let export_format = match format {
        TrackerFormat::Json => ExportFormat::Json,
        TrackerFormat::Csv => ExportFormat::Csv,
    };
    let single = query.is_single() && format == TrackerFormat::Json;
    let fail = |e: dxf2_tracker::Error| Exit {
        code: 1,
        message: format!("writing the export: {e}"),
    };
    match output {
        None => {
            let bytes = write_export(
                Vec::new(),
                query.kind,
                &mut objects,
                single,
                pager.as_ref(),
                export_format,
                options,
            )
            .map_err(fail)?;
            print(&String::from_utf8_lossy(&bytes))?;
        }
        Some(path) => {
            let extension = match format {
                TrackerFormat::Json => "json",
                TrackerFormat::Csv => "csv",
            };
            let mut out = OutputBuilder::new()
                .compression(Compression::from_path(path))
                .zip_entry(format!("{}.{extension}", query.kind.list_key()))
                .protect(stored_path(at))
                .create(path)
                .map_err(|e| Exit::usage(e.to_string()))?;
            let bytes = write_export(
                Vec::new(),
                query.kind,
                &mut objects,
                single,
                pager.as_ref(),
                export_format,
                options,
            )
            .map_err(fail)?;
            out.write_all(&bytes).map_err(|e| Exit {
                code: 1,
                message: format!("writing {}: {e}", path.display()),
            })?;
            out.commit().map_err(|e| Exit {
                code: 1,
                message: format!("writing {}: {e}", path.display()),
            })?;
        }
    }
    Ok(0)
}

fn stored_path(at: &StoreLocation) -> PathBuf {
    at.file().map(Path::to_path_buf).unwrap_or_default()
}
