//! Durability of the SQLite store: a process killed (SIGKILL) in the middle of an import leaves
//! the file consistent and holding exactly what was committed before.
//!
//! The writer is this test binary itself, started again with `DXF2_KILL_WRITER_DB` set: then the
//! test `kill_writer_child` opens the store, commits 1,000 rows, begins a transaction and inserts
//! rows in a (bounded) loop, saying on stdout when it is mid-transaction. The parent kills it
//! there and reopens the file.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use chrono::{TimeZone, Utc};
use dxf2_model::{Period, Uid};
use dxf2_store_sqlite::SqliteStore;
use import_engine::store::{DataValueKey, DataValueStore, Existing, StoredValue};

/// Set in the child: the store file to write.
const DB_ENV: &str = "DXF2_KILL_WRITER_DB";
/// Set in the child: how many uncommitted rows to insert before saying it may be killed.
const KILL_AFTER_ENV: &str = "DXF2_KILL_WRITER_AFTER";
/// Set in the child: the length of each uncommitted row's comment.
const COMMENT_ENV: &str = "DXF2_KILL_WRITER_COMMENT";
/// What the child prints when it is mid-transaction.
const READY: &str = "KILL-WRITER: mid-transaction";
const COMMITTED: usize = 1_000;

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
fn write_until_killed(path: &Path, kill_after: usize, comment_len: usize) {
    let mut store = SqliteStore::open(path).unwrap();
    store.begin().unwrap();
    for n in 0..COMMITTED {
        store.insert(&value_row(n)).unwrap();
    }
    store.commit().unwrap();

    store.begin().unwrap();
    let comment = "x".repeat(comment_len);
    let mut stdout = std::io::stdout();
    let limit = COMMITTED + kill_after + 200_000;
    for n in COMMITTED..limit {
        let mut row = value_row(n);
        row.comment = Some(comment.clone());
        store.insert(&row).unwrap();
        if n == COMMITTED + kill_after {
            writeln!(stdout, "{READY}").unwrap();
            stdout.flush().unwrap();
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
    let number = |name: &str| -> usize { std::env::var(name).unwrap().parse().unwrap() };
    write_until_killed(
        Path::new(&path),
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

fn kill_mid_transaction_and_check(name: &str, kill_after: usize, comment_len: usize) {
    let path = temp_db(name);
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([
            "kill_writer_child",
            "--exact",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(DB_ENV, &path)
        .env(KILL_AFTER_ENV, kill_after.to_string())
        .env(COMMENT_ENV, comment_len.to_string())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
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

    let mut store = SqliteStore::open(&path).unwrap();
    store.integrity_check().unwrap();
    assert_eq!(store.value_count().unwrap(), COMMITTED as u64);
    let mut read = value_row(0);
    for n in 0..COMMITTED {
        assert_eq!(store.get(&key(n), &mut read).unwrap(), Existing::Stored);
        assert_eq!(read, value_row(n));
    }
    assert_eq!(
        store.get(&key(COMMITTED), &mut read).unwrap(),
        Existing::None
    );
    assert_eq!(
        store.get(&key(COMMITTED + kill_after), &mut read).unwrap(),
        Existing::None
    );

    // The store takes new imports.
    store.begin().unwrap();
    store.insert(&value_row(COMMITTED)).unwrap();
    assert_eq!(
        store.get(&key(COMMITTED), &mut read).unwrap(),
        Existing::InsertedInThisTransaction
    );
    store.commit().unwrap();
    assert_eq!(store.value_count().unwrap(), COMMITTED as u64 + 1);
    store.integrity_check().unwrap();
    drop(store);
    remove_db(&path);
}

/// Killed just after the transaction began writing: the uncommitted rows are only in SQLite's
/// page cache.
#[test]
fn killed_early_in_an_import_keeps_only_committed_rows() {
    kill_mid_transaction_and_check("early", 10, 0);
}

/// Killed after the transaction outgrew the page cache (64 MiB): uncommitted pages have been
/// spilled to the write-ahead log on disk, and recovery must ignore them.
#[test]
fn killed_after_spilling_to_the_log_keeps_only_committed_rows() {
    kill_mid_transaction_and_check("spilled", 60_000, 1_500);
}
