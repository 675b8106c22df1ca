//! A process killed (SIGKILL) in the middle of an import leaves the PostgreSQL store holding
//! exactly what was committed before, and the next import goes ahead (the server rolls the dead
//! connection's transaction back and frees the writer lock).
//!
//! The writer is this test binary itself, started again with `DXF2_PG_KILL_SCHEMA` set: then the
//! test `kill_writer_child` either (store level) opens the store, commits [`COMMITTED`] rows,
//! begins a transaction and applies batches of inserts and updates in a bounded loop, or (with
//! `DXF2_PG_KILL_IMPORT=1`) imports the spread workload through the engine; either says on stdout
//! when it is mid-transaction. The parent kills it there and opens the store again.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod support;

use std::io::{BufRead, BufReader, Write as _};
use std::process::{Command, Stdio};

use chrono::{TimeZone, Utc};
use dxf2_model::{Period, Uid};
use dxf2_store::{
    Changes, DataValueKey, DataValueStore, DataValueStoreExt, Existing, StoredValue, ValueQuery,
    Write,
};
use dxf2_store_postgres::PostgresStore;
use support::engine::{import, workload, workload_with_seed};
use support::{options, TestSchema};

/// Set in the child: the schema of the store to write.
const SCHEMA_ENV: &str = "DXF2_PG_KILL_SCHEMA";
/// Set in the child: import through the engine rather than write batches.
const IMPORT_ENV: &str = "DXF2_PG_KILL_IMPORT";
/// What the child prints when it is mid-transaction.
const READY: &str = "KILL-WRITER: mid-transaction";
const COMMITTED: usize = 1_000;
/// The seed of the workload the child imports through the engine.
const OTHER_SEED: u64 = 4;
/// Rows per batch of the child's writes (as an import applies them).
const BATCH: usize = 2_000;

/// The `n`th key: distinct org units, one data element and period.
fn key(n: usize) -> DataValueKey {
    let default = Uid::parse("HllvX50cXC0").unwrap();
    DataValueKey {
        data_element: Uid::parse("f7n9E0hX8qk").unwrap(),
        period: "202401".parse::<Period>().unwrap(),
        org_unit: Uid::parse(&format!("ou{n:09}")).unwrap(),
        category_option_combo: default,
        attribute_option_combo: default,
    }
}

fn value_row(n: usize, value: &str) -> StoredValue {
    let now = Utc.with_ymd_and_hms(2024, 2, 1, 12, 0, 0).unwrap();
    let mut row = StoredValue::empty(key(n), now);
    row.value = Some(value.to_owned());
    row.stored_by = Some("kill-writer".into());
    row
}

/// The child's work. Never commits the second transaction; ends by itself (without committing)
/// only if nobody kills it.
fn write_until_killed(url: &str, schema: &str) {
    let mut store = PostgresStore::open_with(url, &options(schema)).unwrap();
    let mut changes = Changes::new();
    store.begin().unwrap();
    for n in 0..COMMITTED {
        changes.push_row(Write::Insert, &value_row(n, "committed"));
    }
    store.apply(&changes).unwrap();
    store.commit().unwrap();

    store.begin().unwrap();
    changes.clear();
    for n in 0..COMMITTED {
        changes.push_row(Write::Update, &value_row(n, "uncommitted"));
    }
    store.apply(&changes).unwrap();
    let mut stdout = std::io::stdout();
    let mut said = false;
    for first in (COMMITTED..COMMITTED + 100 * BATCH).step_by(BATCH) {
        changes.clear();
        for n in first..first + BATCH {
            changes.push_row(Write::Insert, &value_row(n, "uncommitted"));
        }
        store.apply(&changes).unwrap();
        if !said && first >= COMMITTED + 2 * BATCH {
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

/// Runs only as the child process of the test below (does nothing in a normal run).
#[test]
fn kill_writer_child() {
    let Some(schema) = std::env::var_os(SCHEMA_ENV) else {
        return;
    };
    let url = std::env::var("DXF2_TEST_POSTGRES").unwrap();
    if std::env::var_os(IMPORT_ENV).is_some() {
        import_until_killed(&url, &schema.to_string_lossy());
    } else {
        write_until_killed(&url, &schema.to_string_lossy());
    }
}

/// The child's import: the spread workload of another seed, stopped half way (its first batch
/// applied) until it is killed.
fn import_until_killed(url: &str, schema: &str) {
    let (_, md, xml) = workload_with_seed(OTHER_SEED);
    let mut store = PostgresStore::open_with(url, &options(schema)).unwrap();
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

/// Starts the child on `schema` (`import`: through the engine), waits until it says it is
/// mid-transaction, and kills it.
fn run_and_kill_child(schema: &TestSchema, import: bool) {
    let mut command = Command::new(std::env::current_exe().unwrap());
    command
        .args([
            "kill_writer_child",
            "--exact",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(SCHEMA_ENV, &schema.name)
        .env("DXF2_TEST_POSTGRES", &schema.url)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit());
    if import {
        command.env(IMPORT_ENV, "1");
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

#[test]
fn a_killed_import_leaves_only_committed_rows() {
    let Some(schema) = TestSchema::new("kill") else {
        return;
    };
    drop(schema.create());
    run_and_kill_child(&schema, false);

    let mut store = schema.open();
    assert_eq!(store.value_count().unwrap(), COMMITTED as u64);
    assert_eq!(store.last_change().unwrap(), 1);
    let mut read = value_row(0, "");
    for n in 0..COMMITTED {
        assert_eq!(store.get(&key(n), &mut read).unwrap(), Existing::Stored);
        assert_eq!(read, value_row(n, "committed"));
    }
    assert_eq!(
        store.get(&key(COMMITTED), &mut read).unwrap(),
        Existing::None
    );

    // The writer lock went with the dead connection: the next import goes ahead.
    store.begin().unwrap();
    store.insert(&value_row(COMMITTED, "next")).unwrap();
    assert_eq!(
        store.get(&key(COMMITTED), &mut read).unwrap(),
        Existing::InsertedInThisTransaction
    );
    store.commit().unwrap();
    assert_eq!(store.value_count().unwrap(), COMMITTED as u64 + 1);
    assert_eq!(store.last_change().unwrap(), 2);
}

#[test]
fn a_killed_engine_import_leaves_the_store_as_before() {
    let Some(schema) = TestSchema::new("kill_import") else {
        return;
    };
    let (spread, md, xml) = workload();
    let mut store = schema.create();
    let first = import(&md, &xml, &mut store, None);
    assert!(first.failure.is_none(), "{:?}", first.failure);
    let before = all_rows(&mut store, &md);
    assert_eq!(before.len() as u64, spread.values());
    let last_change = store.last_change().unwrap();
    drop(store);

    run_and_kill_child(&schema, true);

    let mut store = schema.open();
    assert_eq!(all_rows(&mut store, &md), before, "the store changed");
    assert_eq!(store.value_count().unwrap(), spread.values());
    assert_eq!(store.last_change().unwrap(), last_change);
    // The next import goes ahead.
    let (_, other_md, other_xml) = workload_with_seed(OTHER_SEED);
    let again = import(&other_md, &other_xml, &mut store, None);
    assert!(again.failure.is_none(), "{:?}", again.failure);
    assert!(store.last_change().unwrap() > last_change);
}

/// Every stored row of the workload's data elements, in key order.
fn all_rows(store: &mut PostgresStore, md: &dxf2_model::Metadata) -> Vec<StoredValue> {
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
