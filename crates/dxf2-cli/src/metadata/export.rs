//! `dxf2 metadata export` (everything, chosen types, or an object with its dependencies, as
//! DHIS2's `/api/metadata` and `/api/{type}/{uid}/metadata` export) and `dxf2 metadata diff`
//! (what an import would change, before it does).

use std::io::Write;
use std::path::PathBuf;

use clap::Args;
use dxf2::metadata::csv::ClassKey;
use dxf2::metadata::diff::{diff, Diff};
use dxf2::metadata::export::{export, with_dependencies, ExportParams};
use dxf2::metadata::import::ImportParams;
use dxf2::metadata::{schema, write_json};
use dxf2_io::{Compression, OutputBuilder};

use super::{load_catalogue, open_for_reading, read_metadata_file};
use crate::args::LimitArgs;
use crate::location::StoreLocation;
use crate::{ui, Exit};

/// Arguments of `dxf2 metadata export`.
#[derive(Args, Debug)]
pub struct MetadataExportArgs {
    /// The store to export from (opened read-only).
    #[arg(long, value_name = "DB", value_parser = StoreLocation::parse)]
    pub store: StoreLocation,
    /// Export only these types, by DHIS2's collection name (`dataElements`,
    /// `organisationUnits`, …); repeat or separate with commas. Default: every type.
    #[arg(long = "type", value_name = "T", value_delimiter = ',')]
    pub types: Vec<String>,
    /// Export one object with what it needs, as DHIS2 collects it
    /// (`dataSets:UID`, `programs:UID`, `categoryCombos:UID`, `dataElementGroups:UID`,
    /// `optionSets:UID`, `dataElements:UID`; other types: the object alone).
    #[arg(long, value_name = "TYPE:UID", conflicts_with = "types")]
    pub dependencies: Option<String>,
    /// Leave out sharing (`sharing`, `publicAccess`, `userGroupAccesses`, `userAccesses`,
    /// `user`).
    #[arg(long)]
    pub skip_sharing: bool,
    /// The output file: `.json`, `.json.gz` or `.zip` (written whole or not at all).
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: PathBuf,
}

/// Arguments of `dxf2 metadata diff`.
#[derive(Args, Debug)]
pub struct MetadataDiffArgs {
    /// The package: DHIS2 metadata JSON (or CSV with --class-key).
    pub file: PathBuf,
    /// The store to compare with (opened read-only; a SQLite file that does not exist compares
    /// with an empty store).
    #[arg(long, value_name = "DB", value_parser = StoreLocation::parse)]
    pub store: StoreLocation,
    /// How payload objects are matched to stored ones: UID (default) or CODE.
    #[arg(long, value_name = "ID", default_value = "UID", value_parser = super::import::parse_param::<dxf2::metadata::import::Identifier>)]
    pub identifier: dxf2::metadata::import::Identifier,
    /// CREATE_AND_UPDATE (default), CREATE, UPDATE or DELETE, as for `metadata import`.
    #[arg(long, value_name = "STRATEGY", default_value = "CREATE_AND_UPDATE", value_parser = super::import::parse_param::<dxf2::metadata::import::ImportStrategy>)]
    pub strategy: dxf2::metadata::import::ImportStrategy,
    /// The class of a CSV package (DHIS2's classKey).
    #[arg(long, value_name = "K", value_parser = super::import::parse_class_key)]
    pub class_key: Option<ClassKey>,
    /// Whose rules apply: a DHIS2 version from 2.36 to 2.44 (default 2.42).
    #[arg(long, value_name = "V")]
    pub dhis2_version: Option<String>,
    /// table (default) or json (`types` with created, updated with fields, deleted and
    /// collisions, and the import `report`).
    #[arg(long, value_enum, default_value_t = super::report::SummaryFormat::Table)]
    pub summary: super::report::SummaryFormat,
    #[command(flatten)]
    pub limits: LimitArgs,
}

/// `dxf2 metadata export`.
pub fn run_export(args: &MetadataExportArgs) -> Result<u8, Exit> {
    for t in &args.types {
        if schema::by_key(t).is_none() && !schema::is_dhis2_metadata_key(t) {
            return Err(Exit::usage(format!(
                "--type {t}: not a DHIS2 metadata type (use DHIS2's collection names, such as \
                 dataElements, organisationUnits, categoryCombos)"
            )));
        }
    }
    let at = &args.store;
    let mut store = open_for_reading(at, false)?;
    let stored = load_catalogue(at, &mut store)?;
    let params = ExportParams {
        types: args.types.clone(),
        skip_sharing: args.skip_sharing,
        ..ExportParams::default()
    };
    let doc = match &args.dependencies {
        Some(spec) => {
            let Some((key, uid)) = spec.split_once(':') else {
                return Err(Exit::usage(format!(
                    "--dependencies {spec}: expected TYPE:UID, such as dataSets:lyLU2wR22tC"
                )));
            };
            if schema::by_key(key).is_none() {
                return Err(Exit::usage(format!(
                    "--dependencies {spec}: `{key}` is not a DHIS2 metadata type this version \
                     knows (dataSets, programs, categoryCombos, dataElementGroups, optionSets, \
                     dataElements, …)"
                )));
            }
            if stored.catalogue().get(key, uid).is_none() {
                return Err(Exit::usage(format!(
                    "--dependencies {spec}: the store holds no {key} `{uid}`"
                )));
            }
            with_dependencies(stored.catalogue(), key, uid, &params)
        }
        None => export(stored.catalogue(), &params),
    }
    .map_err(|e| Exit::usage(format!("exporting from {at}: {e}")))?;
    let mut output = OutputBuilder::new()
        .compression(Compression::from_path(&args.output))
        .zip_entry(dxf2::metadata::ZIP_ENTRY_NAME)
        .create(&args.output)
        .map_err(|e| Exit::usage(e.to_string()))?;
    let written = write_json(&doc, &mut output)
        .map_err(|e| e.to_string())
        .and_then(|()| output.commit().map_err(|e| e.to_string()));
    if let Err(e) = written {
        return Err(Exit {
            code: 1,
            message: format!("writing {}: {e}", args.output.display()),
        });
    }
    let objects: usize = doc.types.iter().map(|(_, o)| o.len()).sum();
    let types: Vec<String> = doc
        .types
        .iter()
        .map(|(k, o)| format!("{} {k}", o.len()))
        .collect();
    ui::note(&format!(
        "exported {objects} objects to {}: {}",
        args.output.display(),
        types.join(", ")
    ));
    Ok(0)
}

/// `dxf2 metadata diff`.
pub fn run_diff(args: &MetadataDiffArgs) -> Result<u8, Exit> {
    let mut params = ImportParams {
        identifier: args.identifier,
        import_strategy: args.strategy,
        ..ImportParams::default()
    };
    if let Some(v) = &args.dhis2_version {
        params = params
            .with_dhis2_version(v)
            .map_err(|e| Exit::usage(format!("--dhis2-version: {e}")))?;
    }
    let at = &args.store;
    let mut store = open_for_reading(at, true)?;
    let stored = load_catalogue(at, &mut store)?;
    let file = read_metadata_file(
        &args.file,
        args.class_key,
        params.dhis2_minor(),
        &stored,
        &args.limits.decompression(),
        args.limits.read_limits(),
    )?;
    let d = {
        let view = stored.view(&mut *store);
        diff(&view, &file.document, &params)
            .map_err(|e| Exit::usage(format!("{}: {e}", file.name)))?
    };
    let text = match args.summary {
        super::report::SummaryFormat::Table => diff_table(&d, &file.name, at),
        super::report::SummaryFormat::Json => {
            let mut json = serde_json::to_string_pretty(&d)
                .map_err(|e| Exit::usage(format!("writing the diff: {e}")))?;
            json.push('\n');
            json
        }
    };
    let mut out = std::io::stdout().lock();
    if let Err(e) = out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            ui::error(&format!("writing the diff to stdout: {e}"));
        }
    }
    Ok(0)
}

/// One value of a field difference, short.
fn shown(v: Option<&serde_json::Value>) -> String {
    let text = match v {
        None => "(absent)".to_owned(),
        Some(v) => v.to_string(),
    };
    if text.chars().count() > 60 {
        let cut: String = text.chars().take(57).collect();
        format!("{cut}...")
    } else {
        text
    }
}

/// The table form of a diff.
fn diff_table(d: &Diff, name: &str, at: &StoreLocation) -> String {
    let mut text = format!("Importing {name} into {at} would:\n");
    let mut any = false;
    for t in &d.types {
        if t.created.is_empty()
            && t.updated.iter().all(|u| u.fields.is_empty())
            && t.deleted.is_empty()
            && t.collisions.is_empty()
        {
            continue;
        }
        any = true;
        let changed = t.updated.iter().filter(|u| !u.fields.is_empty()).count();
        text.push_str(&format!(
            "{}: {} created, {changed} updated, {} deleted, {} collisions\n",
            t.key,
            t.created.len(),
            t.deleted.len(),
            t.collisions.len()
        ));
        for c in &t.created {
            text.push_str(&format!(
                "  + {} {}\n",
                c.uid,
                c.name.as_deref().unwrap_or("")
            ));
        }
        for u in t.updated.iter().filter(|u| !u.fields.is_empty()) {
            text.push_str(&format!(
                "  ~ {} {}\n",
                u.uid,
                u.name.as_deref().unwrap_or("")
            ));
            for f in &u.fields {
                text.push_str(&format!(
                    "      {}: {} -> {}\n",
                    f.field,
                    shown(f.before.as_ref()),
                    shown(f.after.as_ref())
                ));
            }
        }
        for x in &t.deleted {
            text.push_str(&format!(
                "  - {} {}\n",
                x.uid,
                x.name.as_deref().unwrap_or("")
            ));
        }
        for c in &t.collisions {
            text.push_str(&format!(
                "  ! {} has {} `{}`, which stored {} has too\n",
                c.uid, c.property, c.value, c.stored_uid
            ));
        }
    }
    if !any {
        text.push_str("  change nothing\n");
    }
    let errors = d.report.error_reports().count();
    if errors > 0 {
        text.push_str(&format!(
            "The import would report {errors} errors (status {}); those objects are not counted above:\n",
            d.report.status
        ));
        for e in d.report.error_reports() {
            text.push_str(&format!("  {} {}\n", e.error_code, e.message));
        }
    }
    text
}
