//! Faults during an import through the engine into [`PostgresStore`]: the connection lost mid-way
//! (the backend terminated from a second connection), and a second import into the same store at
//! the same moment. Each import is of the spread workload (`dxf2_testdata::spread`), read from
//! XML; the fault is set off when the engine reads a chosen value, after its first batch has been
//! applied, so nothing here depends on timing.
//!
//! Needs the test server (`DXF2_TEST_POSTGRES`).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod support;

use std::time::Duration;

use dxf2_model::{ImportStatus, Metadata};
use dxf2_store::{DataValueStore, StoreError, StoredValue, ValueQuery};
use dxf2_store_postgres::PostgresStore;
use import_engine::{Failure, ImportOutcome};
use support::engine::{import, workload};
use support::{fresh_schema_name, options, TestSchema};

/// Every stored row of the workload's data elements, in key order.
fn rows(store: &mut PostgresStore, md: &Metadata) -> Vec<StoredValue> {
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

fn assert_success(outcome: &ImportOutcome, values: u64) {
    assert!(outcome.failure.is_none(), "{:?}", outcome.failure);
    assert_eq!(outcome.summary.status, ImportStatus::Success);
    let c = &outcome.summary.import_count;
    assert_eq!(c.imported + c.updated, values, "{:?}", outcome.summary);
}

#[test]
fn a_lost_connection_fails_the_import_cleanly() {
    let Some(schema) = TestSchema::new("engine_lost") else {
        return;
    };
    let (spread, md, xml) = workload();
    let mut store = schema.create();
    assert_success(&import(&md, &xml, &mut store, None), spread.values());
    let before = rows(&mut store, &md);
    let last_change = store.last_change().unwrap();
    drop(store);

    // A connection of its own, named so that it can be found and terminated.
    let tag = fresh_schema_name("app");
    let separator = if schema.url.contains('?') { '&' } else { '?' };
    let url = format!("{}{separator}application_name={tag}", schema.url);
    let mut doomed = PostgresStore::open_with(&url, &options(&schema.name)).unwrap();
    let admin_url = schema.url.clone();
    let terminate = move || {
        let mut admin = postgres::Client::connect(&admin_url, postgres::NoTls).unwrap();
        let n: i64 = admin
            .query_one(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity \
                 WHERE application_name = $1",
                &[&tag],
            )
            .unwrap()
            .get(0);
        assert_eq!(n, 1, "the import's connection was not found");
    };
    let outcome = import(&md, &xml, &mut doomed, Some(Box::new(terminate)));
    match &outcome.failure {
        Some(Failure::Store(e @ StoreError::Backend { .. })) => {
            let text = e.to_string();
            assert!(text.contains("connection to the server was lost"), "{text}");
        }
        other => panic!("expected the store's failure, got {other:?}"),
    }
    drop(doomed);

    let mut store = schema.open();
    assert_eq!(store.last_change().unwrap(), last_change);
    assert_eq!(rows(&mut store, &md), before, "the store changed");
}

#[test]
fn a_second_import_at_the_same_moment_is_refused_as_busy() {
    let Some(schema) = TestSchema::new("engine_two") else {
        return;
    };
    let (spread, md, xml) = workload();
    let mut first = schema.create();
    let mut second = schema.open();
    second.set_lock_timeout(Duration::from_millis(300));

    // While the first import is half way (its first batch applied), the second one runs to its
    // end: its `begin` waits for the first one's writer lock, then gives up.
    let mut second_outcome = None;
    let outcome = std::thread::scope(|scope| {
        let (md, xml, second, second_outcome) = (&md, &xml, &mut second, &mut second_outcome);
        let run_second = move || {
            let handle = scope.spawn(move || import(md, xml, second, None));
            *second_outcome = Some(handle.join().unwrap());
        };
        import(md, xml, &mut first, Some(Box::new(run_second)))
    });
    assert_success(&outcome, spread.values());
    let second_outcome = second_outcome.unwrap();
    match &second_outcome.failure {
        Some(Failure::Store(StoreError::Busy(message))) => {
            assert!(message.contains("another import is writing"), "{message}")
        }
        other => panic!("expected the second import to be refused as busy, got {other:?}"),
    }
    assert_eq!(second_outcome.summary.import_count.imported, 0);

    // The store holds the first import, once.
    let stored = rows(&mut first, &md);
    assert_eq!(stored.len() as u64, spread.values());
    assert_eq!(first.last_change().unwrap(), 2, "one change per batch");

    // Now the second one goes ahead (every value is already there, unchanged).
    second.set_lock_timeout(Duration::from_secs(3));
    let again = import(&md, &xml, &mut second, None);
    assert!(again.failure.is_none(), "{:?}", again.failure);
    assert_eq!(rows(&mut second, &md).len() as u64, spread.values());
}
