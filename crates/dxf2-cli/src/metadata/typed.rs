//! `dxf2 metadata import`: the one command that creates a store.
//!
//! A file that holds no DHIS2 metadata (a data value set, `{"foo": 1}`, XML) is refused, saying
//! what it looks like and what to run instead; an empty document (`{}`) imports nothing, with a
//! note.

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};
use dxf2_io::{DecompressionLimits, Input};
use dxf2_model::{Metadata, ReadLimits};

use crate::args::LimitArgs;
use crate::store::metadata_counts;
use crate::{ui, Exit};

/// `dxf2 metadata …`.
#[derive(Subcommand, Debug)]
pub enum MetadataCommand {
    /// Import DXF2 metadata JSON into a store, creating the store when there is none.
    Import(MetadataImportArgs),
}

/// Arguments of `dxf2 metadata import`.
#[derive(Args, Debug)]
pub struct MetadataImportArgs {
    /// DXF2 metadata JSON files (later files replace objects of earlier ones by UID).
    #[arg(required = true, num_args = 1..)]
    pub files: Vec<PathBuf>,
    /// The store, created when missing: a SQLite file (its directory must exist), or a
    /// PostgreSQL database as `postgres://user@host:port/db` (the store's tables are created
    /// in it).
    #[arg(long, value_name = "DB", value_parser = crate::location::StoreLocation::parse)]
    pub store: crate::location::StoreLocation,
    #[command(flatten)]
    pub limits: LimitArgs,
}

/// The objects of `metadata` beyond DHIS2's defaults (the `default` category option, category,
/// category combo and category option combo every catalogue has).
fn objects_beyond_defaults(metadata: &Metadata) -> usize {
    let mut defaults = Metadata::new();
    defaults.ensure_defaults();
    let base: usize = metadata_counts(&defaults).iter().map(|(_, _, n)| n).sum();
    let all: usize = metadata_counts(metadata).iter().map(|(_, _, n)| n).sum();
    all.saturating_sub(base)
}

/// Reads one metadata file into `metadata`, refusing a file that is not DHIS2 metadata JSON;
/// returns how many objects it held (beyond the defaults).
pub fn read_file(
    path: &Path,
    metadata: &mut Metadata,
    limits: &DecompressionLimits,
    read_limits: ReadLimits,
) -> Result<usize, Exit> {
    let mut input = Input::open(path, limits).map_err(|e| Exit::usage(e.to_string()))?;
    let name = input.name().to_owned();
    let warnings = input.warnings();
    crate::print_warnings(&warnings);
    let head = input.head().map_err(|e| Exit::usage(e.to_string()))?;
    if head.is_empty() {
        return Err(Exit::usage(format!(
            "{name} is empty (0 bytes): there is no metadata in it"
        )));
    }
    if let Some(what) = crate::inspect::not_json_metadata(head, path) {
        return Err(Exit::usage(format!(
            "{name} is not DHIS2 metadata JSON: {what}"
        )));
    }
    let counters = crate::progress::Counters {
        bytes: input.consumed(),
        size: input.size(),
        values: None,
    };
    let ticker = crate::progress::Ticker::start("metadata", counters);
    let mut incoming = Metadata::new();
    dxf2_json::metadata::read_metadata_into_with_limits(input, &mut incoming, read_limits)
        .map_err(|e| Exit::usage(format!("{name}: {e}")))?;
    ticker.finish();
    crate::print_warnings(&warnings);
    let objects = objects_beyond_defaults(&incoming);
    if objects == 0 && path.as_os_str() != "-" {
        if let Some(what) = crate::inspect::not_metadata(path) {
            return Err(Exit::usage(format!("{name} is not DHIS2 metadata: {what}")));
        }
    }
    metadata
        .merge(incoming)
        .map_err(|e| Exit::usage(format!("{name}: {e}")))?;
    metadata.ensure_defaults();
    Ok(objects)
}

/// `dxf2 metadata import`.
pub fn run_import(args: &MetadataImportArgs) -> Result<u8, Exit> {
    // Every file is read (and refused) before the store is created or changed.
    let limits = args.limits.decompression();
    let mut incoming = Metadata::new();
    let mut empty = Vec::new();
    for path in &args.files {
        let objects = read_file(path, &mut incoming, &limits, args.limits.read_limits())?;
        if objects == 0 {
            empty.push(path.display().to_string());
        }
    }
    let mut store = crate::store::open_or_create(&args.store)?;
    let store_err = |e: import_engine::StoreError| crate::store::store_error(&args.store, &e);
    let mut metadata = store.load_metadata().map_err(store_err)?;
    let counts = metadata_counts(&incoming);
    metadata
        .merge(incoming)
        .map_err(|e| Exit::usage(format!("--store {}: {e}", args.store)))?;
    store.save_metadata(&metadata).map_err(store_err)?;
    for name in &empty {
        ui::note(&format!(
            "{name} holds no metadata objects: nothing was imported from it"
        ));
    }
    let mut text = format!("Metadata imported into {}:\n", args.store);
    for (label, _, n) in counts.iter().filter(|(_, _, n)| *n > 0) {
        text.push_str(&format!("  {n} {label}\n"));
    }
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => ui::warning(&format!(
            "the metadata is imported, but writing what was imported to stdout failed: {e}"
        )),
        _ => {}
    }
    Ok(0)
}
