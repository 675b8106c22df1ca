//! `dxf2 geometry import|export`: org unit geometry from GeoJSON (`POST
//! /api/organisationUnits/geometry`) and GML (`POST /api/metadata/gml`) into a store, with
//! DHIS2's matching and report, and the store's geometries out as a GeoJSON FeatureCollection.
//!
//! The store must exist (its org units are what the features are matched to); the changes are
//! written in one transaction, with the typed metadata. Exit 0 for OK/WARNING, 1 for ERROR (a
//! GML refused with E7010 included), 2 for unusable input (not GeoJSON at all, a feature beyond
//! the bounds, bad arguments).

use std::io::{BufReader, Write};
use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};
use dxf2::geometry::{
    export_geojson, import_geojson_with_progress, import_gml_with_progress, Error as GeometryError,
    ExportScope, FeatureId, GeoJsonImportParams, GeoJsonImportReport, GmlImportParams,
    OrgUnitProperty,
};
use dxf2::metadata::import::{ImportMode, ImportParams, Status};
use dxf2_io::{Compression, Input, OutputBuilder};
use dxf2_model::ImportStatus;

use crate::args::LimitArgs;
use crate::location::AnyStore;
use crate::location::StoreLocation;
use crate::metadata::report::SummaryFormat;
use crate::metadata::{apply_with_job, load_catalogue, open_for_reading};
use crate::{ui, Exit};
use dxf2::metadata_store::StoredCatalogue;
use dxf2::store::{Job, JobCounts, JobKind, JobStatus};

/// `dxf2 geometry …`.
#[derive(Subcommand, Debug)]
pub enum GeometryCommand {
    /// Import org unit geometry from a GeoJSON or GML file into a store, as DHIS2 does.
    Import(GeometryImportArgs),
    /// Export the store's org unit geometries as a GeoJSON FeatureCollection.
    Export(GeometryExportArgs),
}

/// Arguments of `dxf2 geometry import`.
#[derive(Args, Debug)]
pub struct GeometryImportArgs {
    /// A GeoJSON file (FeatureCollection or Feature) or a GML 2 file (`.gml`, or XML content);
    /// gzip and zip are read too.
    pub file: PathBuf,
    /// The store whose org units get the geometries (it must exist).
    #[arg(long, value_name = "DB", value_parser = StoreLocation::parse)]
    pub store: StoreLocation,
    /// GeoJSON: match features by this member of their `properties` instead of their `id`.
    #[arg(long, value_name = "NAME")]
    pub id_property: Option<String>,
    /// GeoJSON: what the feature identifiers are: UID (default), CODE or NAME.
    #[arg(long, value_name = "SCHEME", default_value = "UID", value_parser = parse_property)]
    pub org_unit_id_scheme: OrgUnitProperty,
    /// GeoJSON: store each geometry as the value of this GEOJSON attribute (UID) of the org
    /// unit, instead of its geometry.
    #[arg(long, value_name = "UID")]
    pub attribute: Option<String>,
    /// Check only: DHIS2's report, nothing written.
    #[arg(long)]
    pub dry_run: bool,
    /// table (default) or json (DHIS2's import report itself).
    #[arg(long, value_enum, default_value_t = SummaryFormat::Table)]
    pub summary: SummaryFormat,
    #[command(flatten)]
    pub limits: LimitArgs,
}

/// Arguments of `dxf2 geometry export`.
#[derive(Args, Debug)]
pub struct GeometryExportArgs {
    /// The store (opened read-only).
    #[arg(long, value_name = "DB", value_parser = StoreLocation::parse)]
    pub store: StoreLocation,
    /// Only this org unit (UID).
    #[arg(long, value_name = "OU")]
    pub org_unit: Option<String>,
    /// With --org-unit: its descendants too.
    #[arg(long, requires = "org_unit")]
    pub children: bool,
    /// The output file (`.geojson`, `.json`; `.gz` or `.zip` compress it), written whole or not
    /// at all.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: PathBuf,
}

fn parse_property(s: &str) -> Result<OrgUnitProperty, String> {
    match s.to_ascii_uppercase().as_str() {
        "UID" | "ID" => Ok(OrgUnitProperty::Uid),
        "CODE" => Ok(OrgUnitProperty::Code),
        "NAME" => Ok(OrgUnitProperty::Name),
        other => Err(format!("`{other}`: expected UID, CODE or NAME")),
    }
}

/// Whether the file is GML: its name (`.gml`, `.gml.gz`, `.gml.zip`, `.xml…`) or its first
/// non-blank byte (`<`).
fn is_gml(path: &Path, head: &[u8]) -> bool {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    if [".gml", ".gml.gz", ".gml.zip"]
        .iter()
        .any(|e| name.ends_with(e))
    {
        return true;
    }
    let text = String::from_utf8_lossy(head);
    text.trim_start_matches('\u{FEFF}')
        .trim_start()
        .starts_with('<')
}

fn geometry_error(name: &str, e: &GeometryError) -> Exit {
    Exit::usage(format!("{name}: {e}"))
}

fn print(text: &str) {
    let mut out = std::io::stdout().lock();
    if let Err(e) = out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            ui::error(&format!("writing the report to stdout: {e}"));
        }
    }
}

/// `dxf2 geometry import`.
pub fn run_import(args: &GeometryImportArgs) -> Result<u8, Exit> {
    let at = &args.store;
    let mut store = if args.dry_run {
        open_for_reading(at, false)?
    } else {
        crate::store::open_existing(at, false)?
    };
    let mut stored = load_catalogue(at, &mut store)?;
    let draft = crate::journal::Draft::start(
        JobKind::Geometry,
        std::slice::from_ref(&args.file),
        args.dry_run,
    );
    let mut input = Input::open(&args.file, &args.limits.decompression())
        .map_err(|e| Exit::usage(e.to_string()))?;
    let name = input.name().to_owned();
    let warnings = input.warnings();
    crate::print_warnings(&warnings);
    let features = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
    let ticker = crate::progress::Ticker::start(
        "import",
        crate::progress::Counters {
            bytes: input.consumed(),
            size: input.size(),
            values: Some(std::sync::Arc::clone(&features)),
        },
    );
    let mut progress = ticker.handle().events(features);
    let head = input.head().map_err(|e| Exit::usage(e.to_string()))?;
    if head.is_empty() {
        return Err(Exit::usage(format!("{name} is empty (0 bytes)")));
    }
    let gml = is_gml(&args.file, head);
    let mode = if args.dry_run {
        "dry run, nothing written"
    } else {
        "written"
    };
    if gml {
        if args.id_property.is_some() || args.attribute.is_some() {
            return Err(Exit::usage(
                "--id-property and --attribute apply to GeoJSON only (GML features are matched \
                 by uid, code or name)",
            ));
        }
        let params = GmlImportParams {
            metadata: ImportParams {
                import_mode: if args.dry_run {
                    ImportMode::Validate
                } else {
                    ImportMode::Commit
                },
                ..ImportParams::default()
            },
            limits: args.limits.read_limits(),
        };
        let mut result = import_gml_with_progress(
            stored.catalogue(),
            BufReader::new(input),
            &params,
            &mut progress,
        )
        .map_err(|e| geometry_error(&name, &e))?;
        crate::print_warnings(&warnings);
        let table = crate::metadata::report::table(
            &result.report,
            &format!(
                "GML geometry import of {name} into {at} ({} features, {mode})",
                result.features
            ),
            0,
        );
        let texts = [
            ("json".to_owned(), json(&result.report)?),
            ("table".to_owned(), table),
        ]
        .into_iter()
        .collect();
        let (status, counts) = crate::metadata::report::job_counts(&result.report);
        let mut job = draft.finish(
            status,
            None,
            counts,
            (texts, args.summary.name()),
            Vec::new(),
        );
        ticker.phase("commit");
        save(
            args,
            &mut stored,
            &mut store,
            std::mem::take(&mut result.changes),
            &mut job,
        )?;
        ticker.finish();
        print(job.summaries.get(&job.printed).map_or("", String::as_str));
        return Ok(match result.report.status {
            Status::Error => 1,
            _ => 0,
        });
    }
    let params = GeoJsonImportParams {
        feature_id: match &args.id_property {
            Some(p) => FeatureId::Property(p.clone()),
            None => FeatureId::Id,
        },
        org_unit_property: args.org_unit_id_scheme,
        attribute: args.attribute.clone(),
        dry_run: args.dry_run,
        limits: args.limits.read_limits(),
        ..GeoJsonImportParams::default()
    };
    let mut result =
        import_geojson_with_progress(stored.catalogue(), input, &params, &mut progress)
            .map_err(|e| geometry_error(&name, &e))?;
    crate::print_warnings(&warnings);
    let report = &result.report;
    let table = geojson_table(
        report,
        &format!("GeoJSON geometry import of {name} into {at} ({mode})"),
    );
    let texts = [
        ("json".to_owned(), json(report)?),
        ("table".to_owned(), table),
    ]
    .into_iter()
    .collect();
    let c = report.count();
    let counts = JobCounts {
        imported: c.imported,
        updated: c.updated,
        deleted: c.deleted,
        ignored: c.ignored,
        conflicts: report.conflicts().len() as u64,
    };
    let status = JobStatus::from(report.status());
    let mut job = draft.finish(
        status,
        None,
        counts,
        (texts, args.summary.name()),
        Vec::new(),
    );
    let unreadable = report.is_unreadable_input();
    let exit = match report.status() {
        ImportStatus::Error => 1,
        _ => 0,
    };
    ticker.phase("commit");
    save(
        args,
        &mut stored,
        &mut store,
        std::mem::take(&mut result.changes),
        &mut job,
    )?;
    ticker.finish();
    print(job.summaries.get(&job.printed).map_or("", String::as_str));
    if unreadable {
        return Ok(2);
    }
    Ok(exit)
}

/// Applies `changes` (unless a dry run) and records `job` in the same transaction; a dry run's
/// job is recorded in a short transaction of its own.
fn save(
    args: &GeometryImportArgs,
    stored: &mut StoredCatalogue,
    store: &mut AnyStore,
    changes: dxf2::metadata::Changes,
    job: &mut Job,
) -> Result<(), Exit> {
    let at = &args.store;
    if args.dry_run {
        crate::journal::say(crate::journal::record_after_or_warn(at, job));
        return Ok(());
    }
    let note = apply_with_job(stored, store, at, changes, job)?;
    crate::journal::say(note);
    Ok(())
}

/// The table of a GeoJSON import's report, under `heading`.
fn geojson_table(report: &GeoJsonImportReport, heading: &str) -> String {
    let c = report.count();
    let mut text = format!(
        "{heading}: {}\n  imported {}  updated {}  ignored {}  deleted {}\n",
        report.status(),
        c.imported,
        c.updated,
        c.ignored,
        c.deleted
    );
    if !report.conflicts().is_empty() {
        text.push_str(&format!(
            "Conflicts ({} occurrences):\n",
            report.total_conflict_occurrence_count()
        ));
        for conflict in report.conflicts() {
            let indexes = conflict
                .indexes
                .as_ref()
                .map(|i| {
                    let shown: Vec<String> = i.iter().take(20).map(|n| n.to_string()).collect();
                    let more = if i.len() > 20 { ", …" } else { "" };
                    format!(" (features {}{more})", shown.join(", "))
                })
                .unwrap_or_default();
            text.push_str(&format!(
                "  {} {}{indexes}\n",
                conflict.error_code.as_deref().unwrap_or("-"),
                conflict.value
            ));
        }
    }
    text
}

fn json<T: serde::Serialize>(report: &T) -> Result<String, Exit> {
    let mut text = serde_json::to_string_pretty(report)
        .map_err(|e| Exit::usage(format!("writing the report: {e}")))?;
    text.push('\n');
    Ok(text)
}

/// `dxf2 geometry export`.
pub fn run_export(args: &GeometryExportArgs) -> Result<u8, Exit> {
    let at = &args.store;
    let mut store = open_for_reading(at, false)?;
    let stored = load_catalogue(at, &mut store)?;
    let scope = args.org_unit.as_ref().map(|ou| {
        if args.children {
            ExportScope::with_descendants(ou.clone())
        } else {
            ExportScope::org_unit(ou.clone())
        }
    });
    let mut output = OutputBuilder::new()
        .compression(Compression::from_path(&args.output))
        .zip_entry("geometry.geojson")
        .create(&args.output)
        .map_err(|e| Exit::usage(e.to_string()))?;
    let summary = match export_geojson(stored.catalogue(), scope.as_ref(), &mut output) {
        Ok(s) => s,
        Err(GeometryError::UnknownOrgUnit(ou)) => {
            return Err(Exit::usage(format!(
                "--org-unit {ou}: the store holds no such org unit"
            )))
        }
        Err(e) => {
            return Err(Exit {
                code: 1,
                message: format!("writing {}: {e}", args.output.display()),
            })
        }
    };
    output.commit().map_err(|e| Exit {
        code: 1,
        message: format!("writing {}: {e}", args.output.display()),
    })?;
    for (uid, why) in &summary.skipped {
        ui::warning(&format!("org unit {uid} left out: {why}"));
    }
    ui::note(&format!(
        "{} org unit geometries written to {}",
        summary.features,
        args.output.display()
    ));
    Ok(0)
}
