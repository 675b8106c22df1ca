//! Stores on the command line: which commands may create one (only `dxf2 metadata import`), how
//! the others refuse a path that is not a store, and `dxf2 store info`.

use std::collections::BTreeMap;
use std::io::Write;

use clap::{Args, Subcommand};
use dxf2_model::{Metadata, ObjectKind};
use dxf2_store_postgres::PostgresStore;
use dxf2_store_sqlite::SqliteStore;
use import_engine::store::ValueQuery;
use import_engine::StoreError;

use crate::location::{AnyStore, StoreLocation};
use crate::Exit;

/// How to make a store, said wherever a store is missing.
const CREATE: &str = "create one with `dxf2 metadata import META.json --store DB`";

/// Opens the existing store at `at` for a command that reads it (`import`, `validate`,
/// `export`): refuses, creating nothing, a path where there is no file, a directory, a file that
/// is not a dxf2 store, and a database that holds none. `read_only` opens it read-only (export,
/// `store info`); otherwise read-write, which an import needs.
pub fn open_existing(at: &StoreLocation, read_only: bool) -> Result<AnyStore, Exit> {
    let path = match at {
        StoreLocation::File(path) => path,
        StoreLocation::Postgres(url) => {
            let store = if read_only {
                PostgresStore::open_read_only(url)
            } else {
                PostgresStore::open(url)
            };
            return store
                .map(|s| Box::new(s) as AnyStore)
                .map_err(|e| store_error(at, &e));
        }
    };
    let shown = path.display();
    if path.is_dir() {
        return Err(Exit::usage(format!(
            "--store {shown}: is a directory, not a store ({CREATE})"
        )));
    }
    if !path.is_file() {
        return Err(Exit::usage(format!(
            "--store {shown}: no such store ({CREATE})"
        )));
    }
    // Read-only first: it creates nothing, and fails on a file that holds no store.
    let store = SqliteStore::open_read_only(path).map_err(|e| store_error(at, &e))?;
    if read_only {
        return Ok(Box::new(store));
    }
    drop(store);
    SqliteStore::open(path)
        .map(|s| Box::new(s) as AnyStore)
        .map_err(|e| store_error(at, &e))
}

/// Opens the store at `at` for `dxf2 metadata import`, creating it when there is none (a SQLite
/// file, or the store's schema and tables in a PostgreSQL database); refuses a directory, and a
/// missing directory to create a file in (naming that directory once).
pub fn open_or_create(at: &StoreLocation) -> Result<AnyStore, Exit> {
    let path = match at {
        StoreLocation::File(path) => path,
        StoreLocation::Postgres(url) => {
            return PostgresStore::open_or_create(url)
                .map(|s| Box::new(s) as AnyStore)
                .map_err(|e| store_error(at, &e))
        }
    };
    let shown = path.display();
    if path.is_dir() {
        return Err(Exit::usage(format!(
            "--store {shown}: is a directory; give a file name for the store, e.g. {}",
            path.join("store.sqlite").display()
        )));
    }
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        if !parent.is_dir() {
            return Err(Exit::usage(format!(
                "--store {shown}: cannot create the store: the directory {} does not exist",
                parent.display()
            )));
        }
    }
    SqliteStore::open(path)
        .map(|s| Box::new(s) as AnyStore)
        .map_err(|e| store_error(at, &e))
}

/// A store failure as the user reads it: the store's location once, then what went wrong.
pub fn store_error(at: &StoreLocation, e: &StoreError) -> Exit {
    let text = e.to_string();
    let shown = at.to_string();
    let location = format!("`{shown}`");
    // The store's own messages name the file (or database) already; say it once, first.
    let text = text
        .replace(&format!("cannot open the store {location}: "), "")
        .replace(&format!("cannot read the store {location}: "), "")
        .replace(&format!("{location} "), "")
        .replace(&location, "it");
    let message =
        if text.contains("is not a SQLite database") || text.contains("holds no dxf2 store") {
            format!("--store {shown}: not a dxf2 store ({text}); {CREATE}")
        } else {
            format!("--store {shown}: {text}")
        };
    Exit::usage(message)
}

/// `dxf2 store …`.
#[derive(Subcommand, Debug)]
pub enum StoreCommand {
    /// What a store holds: metadata objects per type, data values, periods.
    Info(InfoArgs),
}

/// Arguments of `dxf2 store info`.
#[derive(Args, Debug)]
pub struct InfoArgs {
    /// The store: a SQLite file, or a PostgreSQL database as `postgres://user@host:port/db`.
    #[arg(long, value_name = "DB", value_parser = StoreLocation::parse)]
    store: StoreLocation,
    /// Print a JSON document (for scripts) instead of a table.
    #[arg(long)]
    json: bool,
}

/// The metadata types shown by `store info`: label, JSON member, kind.
const KINDS: [(&str, &str, ObjectKind); 12] = [
    (
        "organisation units",
        "organisationUnits",
        ObjectKind::OrganisationUnit,
    ),
    (
        "organisation unit groups",
        "organisationUnitGroups",
        ObjectKind::OrganisationUnitGroup,
    ),
    ("data sets", "dataSets", ObjectKind::DataSet),
    ("data elements", "dataElements", ObjectKind::DataElement),
    (
        "data element groups",
        "dataElementGroups",
        ObjectKind::DataElementGroup,
    ),
    (
        "category options",
        "categoryOptions",
        ObjectKind::CategoryOption,
    ),
    ("categories", "categories", ObjectKind::Category),
    (
        "category combos",
        "categoryCombos",
        ObjectKind::CategoryCombo,
    ),
    (
        "category option combos",
        "categoryOptionCombos",
        ObjectKind::CategoryOptionCombo,
    ),
    ("option sets", "optionSets", ObjectKind::OptionSet),
    ("attributes", "attributes", ObjectKind::Attribute),
    ("users", "users", ObjectKind::User),
];

/// How many objects of each kind `metadata` holds, in [`KINDS`] order.
pub fn metadata_counts(metadata: &Metadata) -> Vec<(&'static str, &'static str, usize)> {
    KINDS
        .iter()
        .map(|(label, member, kind)| (*label, *member, metadata.identities(*kind).count()))
        .collect()
}

/// What the values of a store are: rows (soft-deleted included), soft-deleted rows, and rows per
/// period (ISO form), in period order.
struct ValueCounts {
    rows: u64,
    deleted: u64,
    periods: BTreeMap<(chrono::NaiveDate, String), u64>,
}

/// Reads every stored row once (the store has no aggregate query yet: see the report on
/// `SqliteStore::summary`).
fn value_counts(store: &mut AnyStore, metadata: &Metadata) -> Result<ValueCounts, StoreError> {
    let mut counts = ValueCounts {
        rows: 0,
        deleted: 0,
        periods: BTreeMap::new(),
    };
    let data_elements: Vec<_> = metadata
        .identities(ObjectKind::DataElement)
        .map(|id| id.uid)
        .collect();
    let query = ValueQuery {
        data_elements,
        include_deleted: true,
        ..ValueQuery::default()
    };
    store.query(&query, &mut |row| {
        counts.rows += 1;
        if row.deleted {
            counts.deleted += 1;
        }
        let period = &row.key.period;
        *counts
            .periods
            .entry((period.start_date(), period.to_string()))
            .or_default() += 1;
        Ok(())
    })?;
    Ok(counts)
}

/// `dxf2 store info`.
pub fn run_info(args: &InfoArgs) -> Result<u8, Exit> {
    let path = &args.store;
    let mut store = open_existing(path, true)?;
    let metadata = store.load_metadata().map_err(|e| store_error(path, &e))?;
    let total = store.value_count().map_err(|e| store_error(path, &e))?;
    let values = value_counts(&mut store, &metadata).map_err(|e| store_error(path, &e))?;
    let counts = metadata_counts(&metadata);
    let mut text = String::new();
    if args.json {
        let mut members = serde_json::Map::new();
        for (_, member, n) in &counts {
            members.insert((*member).to_owned(), serde_json::Value::from(*n));
        }
        let periods: Vec<serde_json::Value> = values
            .periods
            .iter()
            .map(|((_, iso), n)| serde_json::json!({"period": iso, "dataValues": n}))
            .collect();
        let doc = serde_json::json!({
            "store": path.to_string(),
            "metadata": members,
            "dataValues": total,
            "deletedDataValues": values.deleted,
            "dataValuesOfUnknownDataElements": total.saturating_sub(values.rows),
            "periods": periods,
        });
        text.push_str(&doc.to_string());
        text.push('\n');
    } else {
        text.push_str(&format!("Store: {path}\nMetadata:\n"));
        for (label, _, n) in &counts {
            text.push_str(&format!("  {label:<26}{n:>10}\n"));
        }
        text.push_str(&format!(
            "Data values: {total} ({} soft-deleted)\n",
            values.deleted
        ));
        if total > values.rows {
            text.push_str(&format!(
                "  {} of them of data elements the metadata does not have\n",
                total - values.rows
            ));
        }
        if values.periods.is_empty() {
            text.push_str("Periods: none\n");
        } else {
            text.push_str(&format!("Periods ({}):\n", values.periods.len()));
            for ((_, iso), n) in &values.periods {
                text.push_str(&format!("  {iso:<26}{n:>10} values\n"));
            }
        }
    }
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => Ok(0),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(0),
        Err(e) => Err(Exit::usage(format!("writing to stdout: {e}"))),
    }
}
