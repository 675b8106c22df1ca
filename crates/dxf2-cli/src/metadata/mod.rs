//! `dxf2 metadata …`: import (the one command that creates a store), export and diff, as DHIS2's
//! Import/Export app does them, against a store's DHIS2 objects.
//!
//! The options are the app's (and `/api/metadata`'s), with DHIS2's defaults; the outcome is
//! DHIS2's import report. `typed` reads metadata files into the typed catalogue for
//! `dxf2 import --metadata`.

mod export;
mod import;
pub mod report;
pub mod typed;

use std::path::Path;

use clap::Subcommand;
use dxf2::metadata::csv::{read_csv, CatalogueLookup, ClassKey, CsvOptions, UidGenerator};
use dxf2::metadata::{Document, Error as MetadataError};
use dxf2::metadata_store::StoredCatalogue;
use dxf2_io::{DecompressionLimits, Input};
use dxf2_model::ReadLimits;

use crate::location::{AnyStore, StoreLocation};
use crate::Exit;

pub use export::{run_diff, run_export, MetadataDiffArgs, MetadataExportArgs};
pub use import::{run_import, MetadataImportArgs};

/// `dxf2 metadata …`.
#[derive(Subcommand, Debug)]
pub enum MetadataCommand {
    /// Import DHIS2 metadata (JSON, or CSV with --class-key) into a store, creating the store
    /// when there is none: DHIS2's object bundle import, with its checks and report.
    Import(MetadataImportArgs),
    /// Export a store's metadata (every type, chosen types, or an object with its
    /// dependencies) as DHIS2 metadata JSON (`.json`, `.json.gz`, `.zip`).
    Export(MetadataExportArgs),
    /// What importing a package would create, update (field by field) and delete, and the
    /// collisions (same code or name, another UID), without changing the store.
    Diff(MetadataDiffArgs),
}

/// A metadata file read: its name (for messages), the document, top-level keys dropped and the
/// DHIS2 version the package says it was made for.
pub struct ReadFile {
    /// The file's name as given.
    pub name: String,
    /// Its path.
    pub path: std::path::PathBuf,
    /// The objects.
    pub document: Document,
    /// Top-level keys whose values were dropped.
    pub ignored: Vec<String>,
}

impl ReadFile {
    /// The `system.version` of the document, if it has one.
    pub fn system_version(&self) -> Option<&str> {
        self.document
            .system
            .as_ref()
            .and_then(|s| s.get("version"))
            .and_then(|v| v.as_str())
    }
}

/// Reads one metadata file: CSV of class `class_key` when given, else JSON. A file that is not
/// metadata (a data value set, XML, `{"foo": 1}`) is refused saying what it looks like.
pub fn read_metadata_file(
    path: &Path,
    class_key: Option<ClassKey>,
    dhis2_minor: u32,
    catalogue: &StoredCatalogue,
    limits: &DecompressionLimits,
    read_limits: ReadLimits,
) -> Result<ReadFile, Exit> {
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
    let Some(class_key) = class_key else {
        if dxf2_io::Format::from_path(path) == Some(dxf2_io::Format::Csv) {
            return Err(Exit::usage(format!(
                "{name}: a metadata CSV file needs --class-key (the class of its rows: {})",
                ClassKey::ALL.map(|c| c.name()).join(", ")
            )));
        }
        if let Some(what) = crate::inspect::not_json_metadata(head, path) {
            return Err(Exit::usage(format!(
                "{name} is not DHIS2 metadata JSON: {what}"
            )));
        }
        let parsed = dxf2::metadata::read_json(input).map_err(|e| read_error(&name, &e))?;
        crate::print_warnings(&warnings);
        return Ok(ReadFile {
            name,
            path: path.to_owned(),
            document: parsed.document,
            ignored: parsed.ignored,
        });
    };
    let mut options = CsvOptions::new(class_key);
    options.dhis2_minor_version = dhis2_minor;
    options.limits = read_limits;
    let mut uids = UidGenerator::random();
    let document = read_csv(
        input,
        &options,
        &CatalogueLookup(catalogue.catalogue()),
        &mut uids,
    )
    .map_err(|e| Exit::usage(format!("{name}: {e}")))?;
    crate::print_warnings(&warnings);
    Ok(ReadFile {
        name,
        path: path.to_owned(),
        document,
        ignored: Vec::new(),
    })
}

fn read_error(name: &str, e: &MetadataError) -> Exit {
    Exit::usage(format!("{name}: {e}"))
}

/// The store at `at`, for reading its metadata (`export`, `diff`, a dry run): opened read-only;
/// when `missing_is_empty`, a SQLite file that does not exist is an empty store in memory (a
/// dry run or a diff against nothing: DHIS2's defaults only), and nothing is created.
pub fn open_for_reading(at: &StoreLocation, missing_is_empty: bool) -> Result<AnyStore, Exit> {
    if let StoreLocation::File(path) = at {
        if missing_is_empty && !path.exists() {
            return dxf2::sqlite::SqliteStore::open_in_memory()
                .map(|s| Box::new(s) as AnyStore)
                .map_err(|e| crate::store::store_error(at, &e));
        }
    }
    crate::store::open_existing(at, true)
}

/// The DHIS2 objects of `store`.
pub fn load_catalogue(at: &StoreLocation, store: &mut AnyStore) -> Result<StoredCatalogue, Exit> {
    StoredCatalogue::load(&mut **store).map_err(|e| match e {
        dxf2::metadata_store::Error::Store(e) => crate::store::store_error(at, &e),
        other => Exit::usage(format!("--store {at}: {other}")),
    })
}

/// Writes an import's `changes` into `store` (see [`StoredCatalogue::apply`]): a store failure
/// is reported as the store's, anything else (the typed catalogue cannot read the result) is an
/// ERROR (exit 1).
/// In one transaction: applies `changes` (and the objects adopted from typed metadata, when
/// there are any) and records `job` in the journal; the repeat note, if any, is for stderr.
pub fn apply_with_job(
    stored: &mut StoredCatalogue,
    store: &mut AnyStore,
    at: &StoreLocation,
    changes: dxf2::metadata::Changes,
    job: &mut dxf2::store::Job,
) -> Result<Option<String>, Exit> {
    use dxf2::store::DataValueStore;
    store
        .begin()
        .map_err(|e| crate::store::store_error(at, &e))?;
    let mut done = Ok(());
    if !changes.is_empty() || stored.adopted() > 0 {
        done = apply_changes(stored, store, at, changes);
    }
    let s: &mut dyn DataValueStore = &mut **store;
    let done = done.and_then(|()| {
        crate::journal::record_in(s, job)
            .and_then(|note| s.commit().map(|()| note))
            .map_err(|e| crate::store::store_error(at, &e))
    });
    if done.is_err() {
        let _ = s.rollback();
    }
    done
}

pub fn apply_changes(
    stored: &mut StoredCatalogue,
    store: &mut AnyStore,
    at: &StoreLocation,
    changes: dxf2::metadata::Changes,
) -> Result<(), Exit> {
    stored.apply(&mut **store, changes).map_err(|e| match e {
        dxf2::metadata_store::Error::Store(e) => crate::store::store_error(at, &e),
        other => Exit {
            code: 1,
            message: format!("--store {at}: {other}"),
        },
    })
}
