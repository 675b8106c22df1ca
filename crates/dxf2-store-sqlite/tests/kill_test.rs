//! Durability of the SQLite store: a process killed (SIGKILL) in the middle of an import leaves
//! the file consistent and holding exactly what was committed before.
//!
//! The writer is this test binary itself, started again with `DXF2_KILL_WRITER_DB` set: then the
//! test `kill_writer_child` opens the store, commits 1,000 rows (or none: then the killed
//! transaction is the bulk path of an import into an empty store, which has written rows to the
//! table before it is killed), begins a transaction and inserts rows in batches of [`BATCH`] in a
//! (bounded) loop, saying on stdout when it is mid-transaction. With `DXF2_KILL_WRITER_IMPORT`
//! set it imports the spread workload through the engine instead, stopping (its first batch
//! applied) to say so. The parent kills it there and reopens the file.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::io::{BufRead, BufReader, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use chrono::{TimeZone, Utc};
use dxf2_model::{Period, Uid};
use dxf2_store::{
    Changes, DataValueKey, DataValueStore, DataValueStoreExt, Existing, StoredValue, ValueQuery,
    Write,
};
use dxf2_store_sqlite::SqliteStore;
use engine::{import, workload, workload_with_seed};

// Imports through the engine with a hook at a chosen value: the PostgreSQL store's fault tests'
// helper, shared as source.
#[path = "../../dxf2-store-postgres/tests/support/engine.rs"]
mod engine;

/// Set in the child: the store file to write.
const DB_ENV: &str = "DXF2_KILL_WRITER_DB";
/// Set in the child: how many uncommitted rows to insert before saying it may be killed.
const KILL_AFTER_ENV: &str = "DXF2_KILL_WRITER_AFTER";
/// Set in the child: the length of each uncommitted row's comment.
const COMMENT_ENV: &str = "DXF2_KILL_WRITER_COMMENT";
/// Set in the child: how many rows to commit first.
const COMMITTED_ENV: &str = "DXF2_KILL_WRITER_COMMITTED";
/// Set in the child: import through the engine rather than write batches.
const IMPORT_ENV: &str = "DXF2_KILL_WRITER_IMPORT";
/// The seed of the workload the child imports through the engine.
const OTHER_SEED: u64 = 4;
/// What the child prints when it is mid-transaction.
const READY: &str = "KILL-WRITER: mid-transaction";
/// Rows committed before the killed transaction (unless a test says otherwise).
const COMMITTED: usize = 1_000;
/// Rows per batch of the child's writes (as an import applies them).
const BATCH: usize = 500;

/// The `n`th key: distinct org units, one data element and period.
fn key(n: usize) -> DataValueKey {
    let ou = Uid::parse(&format!("ou{n:09}")).unwrap();
    let default = Uid::parse("HllvX50cXC0").unwrap();
    DataValueKey {
        data_element: Uid::parse("f7n9E0hX8qk").unwrap(),
        period: "202401".parse::<Period>().unwrap(),
        org_unit: ou,
        category_option_combo: default,
        attribute_option_combo: default,
    }
}

fn value_row(n: usize) -> StoredValue {
    let now = Utc.with_ymd_and_hms(2024, 2, 1, 12, 0, 0).unwrap();
    let mut row = StoredValue::empty(key(n), now);
    row.value = Some(n.to_string());
    row.stored_by = Some("kill-writer".into());
    row
}

/// The child's work. Never commits the second transaction; ends by itself (without committing)
/// only if nobody kills it.
fn write_until_killed(path: &Path, committed: usize, kill_after: usize, comment_len: usize) {
    let mut store = SqliteStore::open(path).unwrap();
    let mut changes = Changes::new();
    if committed > 0 {
        store.begin().unwrap();
        for n in 0..committed {
            changes.push_row(Write::Insert, &value_row(n));
        }
        store.apply(&changes).unwrap();
        store.commit().unwrap();
    }

    store.begin().unwrap();
    let comment = "x".repeat(comment_len);
    let mut stdout = std::io::stdout();
    let limit = committed + kill_after + 200_000;
    let mut said = false;
    for first in (committed..limit).step_by(BATCH) {
        changes.clear();
        for n in first..(first + BATCH).min(limit) {
            let mut row = value_row(n);
            row.comment = Some(comment.clone());
            changes.push_row(Write::Insert, &row);
        }
        store.apply(&changes).unwrap();
        if !said && first + BATCH > committed + kill_after {
            writeln!(stdout, "{READY}").unwrap();
            stdout.flush().unwrap();
            said = true;
        }
    }
    // Nobody killed us: wait a bounded time, then leave without committing or rolling back.
    for _ in 0..600 {
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    std::process::abort();
}

/// Runs only as the child process of the tests below (does nothing in a normal run).
#[test]
fn kill_writer_child() {
    let Some(path) = std::env::var_os(DB_ENV) else {
        return;
    };
    if std::env::var_os(IMPORT_ENV).is_some() {
        import_until_killed(Path::new(&path));
    }
    let number = |name: &str| -> usize { std::env::var(name).unwrap().parse().unwrap() };
    write_until_killed(
        Path::new(&path),
        number(COMMITTED_ENV),
        number(KILL_AFTER_ENV),
        number(COMMENT_ENV),
    );
}

fn temp_db(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("kill_test");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("{name}-{}.sqlite", std::process::id()));
    remove_db(&path);
    path
}

fn remove_db(path: &Path) {
    for suffix in ["", "-wal", "-shm"] {
        let mut p = path.as_os_str().to_owned();
        p.push(suffix);
        let _ = std::fs::remove_file(p);
    }
}

/// The child's import through the engine: the spread workload of another seed, stopped half way
/// (its first batch applied) until it is killed.
fn import_until_killed(path: &Path) -> ! {
    let (_, md, xml) = workload_with_seed(OTHER_SEED);
    let mut store = SqliteStore::open(path).unwrap();
    let wait = || {
        let mut stdout = std::io::stdout();
        writeln!(stdout, "{READY}").unwrap();
        stdout.flush().unwrap();
        // Nobody killed us: wait a bounded time, then leave without committing.
        std::thread::sleep(std::time::Duration::from_secs(60));
        std::process::abort();
    };
    import(&md, &xml, &mut store, Some(Box::new(wait)));
    std::process::abort();
}

/// Starts the child on the store file `path` with `env` set, waits until it says it is
/// mid-transaction, and kills it.
fn run_and_kill_child(path: &Path, env: &[(&str, String)]) {
    let mut command = Command::new(std::env::current_exe().unwrap());
    command
        .args([
            "kill_writer_child",
            "--exact",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(DB_ENV, path)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit());
    for (name, value) in env {
        command.env(name, value);
    }
    let mut child = command.spawn().unwrap();
    let stdout = BufReader::new(child.stdout.take().unwrap());
    let mut ready = false;
    for line in stdout.lines() {
        if line.unwrap().contains(READY) {
            ready = true;
            break;
        }
    }
    if !ready {
        let status = child.wait().unwrap();
        panic!("the writer ended ({status}) before reaching the middle of its transaction");
    }
    child.kill().unwrap(); // SIGKILL
    let status = child.wait().unwrap();
    assert!(!status.success(), "the writer was not killed: {status}");
}

fn kill_mid_transaction_and_check(
    name: &str,
    committed: usize,
    kill_after: usize,
    comment_len: usize,
) {
    let path = temp_db(name);
    run_and_kill_child(
        &path,
        &[
            (COMMITTED_ENV, committed.to_string()),
            (KILL_AFTER_ENV, kill_after.to_string()),
            (COMMENT_ENV, comment_len.to_string()),
        ],
    );

    let mut store = SqliteStore::open(&path).unwrap();
    store.integrity_check().unwrap();
    assert_eq!(store.value_count().unwrap(), committed as u64);
    let mut read = value_row(0);
    for n in 0..committed {
        assert_eq!(store.get(&key(n), &mut read).unwrap(), Existing::Stored);
        assert_eq!(read, value_row(n));
    }
    assert_eq!(
        store.get(&key(committed), &mut read).unwrap(),
        Existing::None
    );
    assert_eq!(
        store.get(&key(committed + kill_after), &mut read).unwrap(),
        Existing::None
    );

    // The store takes new imports.
    store.begin().unwrap();
    store.insert(&value_row(committed)).unwrap();
    assert_eq!(
        store.get(&key(committed), &mut read).unwrap(),
        Existing::InsertedInThisTransaction
    );
    store.commit().unwrap();
    assert_eq!(store.value_count().unwrap(), committed as u64 + 1);
    store.integrity_check().unwrap();
    drop(store);
    remove_db(&path);
}

/// Killed just after the transaction began writing: the uncommitted rows are only in SQLite's
/// page cache.
#[test]
fn killed_early_in_an_import_keeps_only_committed_rows() {
    kill_mid_transaction_and_check("early", COMMITTED, 10, 0);
}

/// Killed after the transaction outgrew the page cache (32 MiB): uncommitted pages have been
/// spilled to the write-ahead log on disk, and recovery must ignore them.
#[test]
fn killed_after_spilling_to_the_log_keeps_only_committed_rows() {
    kill_mid_transaction_and_check("spilled", COMMITTED, 60_000, 1_500);
}

/// Killed in the first import into an empty store, after its bulk path has written 200,000 rows
/// to the table (and more wait in memory): the store is as new.
#[test]
fn killed_in_a_bulk_import_into_an_empty_store_leaves_it_empty() {
    kill_mid_transaction_and_check("bulk", 0, 205_000, 0);
}

/// Killed in the middle of an engine import over a store holding an earlier import (its first
/// batch of updates and inserts applied): the store is as it was, and the next import goes ahead.
#[test]
fn a_killed_engine_import_leaves_the_store_as_before() {
    let path = temp_db("engine");
    let (spread, md, xml) = workload();
    let mut store = SqliteStore::open(&path).unwrap();
    let first = import(&md, &xml, &mut store, None);
    assert!(first.failure.is_none(), "{:?}", first.failure);
    let before = all_rows(&mut store, &md);
    assert_eq!(before.len() as u64, spread.values());
    let last_change = store.last_change().unwrap();
    drop(store);

    run_and_kill_child(&path, &[(IMPORT_ENV, "1".to_owned())]);

    let mut store = SqliteStore::open(&path).unwrap();
    store.integrity_check().unwrap();
    assert_eq!(all_rows(&mut store, &md), before, "the store changed");
    assert_eq!(store.value_count().unwrap(), spread.values());
    assert_eq!(store.last_change().unwrap(), last_change);
    let (_, other_md, other_xml) = workload_with_seed(OTHER_SEED);
    let again = import(&other_md, &other_xml, &mut store, None);
    assert!(again.failure.is_none(), "{:?}", again.failure);
    assert!(store.last_change().unwrap() > last_change);
    store.integrity_check().unwrap();
    drop(store);
    remove_db(&path);
}

/// Killed in the middle of the first engine import into a new store (the bulk path, its first
/// batch applied): the store is empty, and the next import goes ahead.
#[test]
fn a_killed_first_engine_import_leaves_the_store_empty() {
    let path = temp_db("engine-empty");
    drop(SqliteStore::open(&path).unwrap());

    run_and_kill_child(&path, &[(IMPORT_ENV, "1".to_owned())]);

    let mut store = SqliteStore::open(&path).unwrap();
    store.integrity_check().unwrap();
    assert_eq!(store.value_count().unwrap(), 0);
    assert_eq!(store.last_change().unwrap(), 0);
    let (spread, md, xml) = workload_with_seed(OTHER_SEED);
    let again = import(&md, &xml, &mut store, None);
    assert!(again.failure.is_none(), "{:?}", again.failure);
    assert_eq!(all_rows(&mut store, &md).len() as u64, spread.values());
    store.integrity_check().unwrap();
    drop(store);
    remove_db(&path);
}

/// Every stored row of the workload's data elements, in key order.
fn all_rows(store: &mut SqliteStore, md: &dxf2_model::Metadata) -> Vec<StoredValue> {
    let query = ValueQuery {
        data_elements: md.data_elements().iter().map(|d| d.id.uid).collect(),
        include_deleted: true,
        ..ValueQuery::default()
    };
    let mut out = Vec::new();
    store
        .query(&query, &mut |r| {
            out.push(r.clone());
            Ok(())
        })
        .unwrap();
    out
}
