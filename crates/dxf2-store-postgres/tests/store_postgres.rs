//! Behaviour of [`PostgresStore`] beyond the conformance suite: opening and creating (and
//! refusing what is not a store of this version), read-only handles, a busy writer, a lost
//! connection, batches of the engine's size, cursors longer than one chunk, and the summary.
//!
//! Every test makes a schema of its own on the test server (`DXF2_TEST_POSTGRES`) and skips
//! without one (except under `CI=true`).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod support;

use std::time::Duration;

use chrono::{TimeZone, Utc};
use dxf2_model::{Period, Uid};
use dxf2_store::{
    Changes, DataValueKey, DataValueStore, DataValueStoreExt, Existing, MetadataStore, StoreError,
    StoredValue, ValueQuery, Write,
};
use dxf2_store_postgres::{OpenOptions, PostgresStore};
use support::{fresh_schema_name, options, TestSchema};

fn uid(s: &str) -> Uid {
    Uid::parse(s).unwrap()
}

/// The `n`th key: 1,000 org units per period, months from 2020.
fn key(n: usize) -> DataValueKey {
    let month = n / 1_000;
    let period: Period = format!("{}{:02}", 2020 + month / 12, month % 12 + 1)
        .parse()
        .unwrap();
    DataValueKey {
        data_element: uid("f7n9E0hX8qk"),
        period,
        org_unit: uid(&format!("ou{:09}", n % 1_000)),
        category_option_combo: uid("HllvX50cXC0"),
        attribute_option_combo: uid("HllvX50cXC0"),
    }
}

fn row(n: usize, value: &str) -> StoredValue {
    let now = Utc.with_ymd_and_hms(2024, 2, 1, 12, 0, 0).unwrap();
    let mut row = StoredValue::empty(key(n), now);
    row.value = Some(value.to_owned());
    row.stored_by = Some("test".to_owned());
    row
}

fn apply_rows(store: &mut PostgresStore, rows: impl Iterator<Item = (Write, StoredValue)>) {
    let mut changes = Changes::new();
    for (write, row) in rows {
        changes.push_row(write, &row);
    }
    store.apply(&changes).unwrap();
}

fn all_values(store: &mut PostgresStore) -> Vec<StoredValue> {
    let query = ValueQuery {
        data_elements: vec![uid("f7n9E0hX8qk")],
        include_deleted: true,
        ..ValueQuery::default()
    };
    let mut out = Vec::new();
    store
        .query(&query, &mut |v| {
            out.push(v.clone());
            Ok(())
        })
        .unwrap();
    out
}

/// A plain connection to the test server, for what a test does behind the store's back.
fn raw(url: &str) -> postgres::Client {
    postgres::Client::connect(url, postgres::NoTls).unwrap()
}

#[test]
fn a_database_without_a_store_is_refused_and_left_alone() {
    let Some(schema) = TestSchema::new("absent") else {
        return;
    };
    for options in [options(&schema.name), options(&schema.name).read_only(true)] {
        match PostgresStore::open_with(&schema.url, &options) {
            Err(StoreError::Incompatible(message)) => {
                assert!(message.contains("holds no dxf2 store"), "{message}");
                assert!(message.contains(&schema.name), "{message}");
            }
            other => panic!("expected a refusal, got {other:?}"),
        }
    }
    let mut client = raw(&schema.url);
    let found = client
        .query_one(
            "SELECT count(*) FROM pg_namespace WHERE nspname = $1",
            &[&schema.name],
        )
        .unwrap();
    assert_eq!(found.get::<_, i64>(0), 0, "opening created the schema");
}

#[test]
fn creating_makes_one_store_that_later_opens_find() {
    let Some(schema) = TestSchema::new("create") else {
        return;
    };
    // Two connections creating the same store at once make one.
    let handles: Vec<_> = (0..2)
        .map(|_| {
            let (url, name) = (schema.url.clone(), schema.name.clone());
            std::thread::spawn(move || {
                let mut store =
                    PostgresStore::open_with(&url, &options(&name).create(true)).unwrap();
                store.store_id().unwrap()
            })
        })
        .collect();
    let ids: Vec<String> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    assert_eq!(ids[0], ids[1]);
    let mut store = schema.open();
    assert_eq!(store.store_id().unwrap(), ids[0]);
    assert_eq!(store.last_change().unwrap(), 0);
    assert!(store.location().contains(&schema.name));
    assert!(!store.location().contains("password"));
    // Creating again opens it.
    let mut again = schema.create();
    assert_eq!(again.store_id().unwrap(), ids[0]);
}

#[test]
fn foreign_tables_and_newer_versions_are_refused() {
    let Some(schema) = TestSchema::new("foreign") else {
        return;
    };
    let mut client = raw(&schema.url);
    client
        .batch_execute(&format!(
            "CREATE SCHEMA {0}; CREATE TABLE {0}.patients (id integer)",
            schema.name
        ))
        .unwrap();
    for create in [false, true] {
        match PostgresStore::open_with(&schema.url, &options(&schema.name).create(create)) {
            Err(StoreError::Incompatible(message)) => {
                assert!(message.contains("not a dxf2 store"), "{message}")
            }
            other => panic!("expected a refusal, got {other:?}"),
        }
    }
    // The foreign table is not ours to drop either.
    assert!(PostgresStore::drop_schema(&schema.url, &schema.name).is_err());
    client
        .batch_execute(&format!("DROP TABLE {}.patients", schema.name))
        .unwrap();

    drop(schema.create());
    client
        .batch_execute(&format!(
            "UPDATE {}.schema_version SET version = 99",
            schema.name
        ))
        .unwrap();
    match PostgresStore::open_with(&schema.url, &options(&schema.name)) {
        Err(StoreError::Incompatible(message)) => {
            assert!(message.contains("schema version 99"), "{message}");
            assert!(message.contains("newer"), "{message}");
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[test]
fn bad_urls_and_schema_names_are_refused_clearly() {
    match PostgresStore::open("postgres://dhis:secret@127.0.0.1:notaport/dhis2") {
        Err(e @ StoreError::Backend { .. }) => {
            let text = e.to_string();
            assert!(text.contains("cannot read the PostgreSQL URL"), "{text}");
            assert!(!text.contains("secret"), "{text}");
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
    // Port 1 on the loopback: nobody listens there.
    match PostgresStore::open("postgres://dhis:secret@127.0.0.1:1/dhis2") {
        Err(e @ StoreError::Backend { .. }) => {
            let text = e.to_string();
            assert!(
                text.contains("cannot connect to postgres://dhis@127.0.0.1:1/dhis2"),
                "{text}"
            );
            assert!(!text.contains("secret"), "{text}");
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
    let bad = OpenOptions::new().schema("Robert'); DROP TABLE x;--");
    assert!(matches!(
        PostgresStore::open_with("postgres://127.0.0.1:1/x", &bad),
        Err(StoreError::Misuse(_))
    ));
}

#[test]
fn a_read_only_store_reads_and_refuses_writes() {
    let Some(schema) = TestSchema::new("readonly") else {
        return;
    };
    let mut writer = schema.create();
    writer.insert(&row(0, "1")).unwrap();
    let mut reader = schema.open_read_only();
    assert!(reader.is_read_only());
    assert_eq!(all_values(&mut reader), [row(0, "1")]);
    let mut read = row(0, "");
    assert_eq!(reader.get(&key(0), &mut read).unwrap(), Existing::Stored);
    assert!(matches!(reader.begin(), Err(StoreError::Misuse(_))));
    assert!(matches!(
        reader.insert(&row(1, "2")),
        Err(StoreError::Misuse(_))
    ));
    assert!(matches!(
        reader.put_record("journal", "1", "{}"),
        Err(StoreError::Misuse(_))
    ));
    assert!(matches!(
        reader.save_metadata(&dxf2_model::Metadata::new()),
        Err(StoreError::Misuse(_))
    ));
    assert!(reader.load_metadata().unwrap().is_empty());
}

#[test]
fn a_second_writer_is_refused_as_busy_then_goes_ahead() {
    let Some(schema) = TestSchema::new("busy") else {
        return;
    };
    let mut first = schema.create();
    let mut second = schema.open();
    second.set_lock_timeout(Duration::from_millis(200));
    first.begin().unwrap();
    first.insert(&row(0, "first")).unwrap();
    match second.begin() {
        Err(StoreError::Busy(message)) => {
            assert!(message.contains("another import is writing"), "{message}")
        }
        other => panic!("expected Busy, got {other:?}"),
    }
    // Refused, the second handle is as before: no transaction, reads work.
    assert!(matches!(second.commit(), Err(StoreError::Misuse(_))));
    assert!(all_values(&mut second).is_empty());
    first.commit().unwrap();
    second.begin().unwrap();
    second.update(&row(0, "second")).unwrap();
    second.commit().unwrap();
    assert_eq!(all_values(&mut first), [row(0, "second")]);
    assert_eq!(first.last_change().unwrap(), 2);
}

#[test]
fn a_lost_connection_fails_cleanly_and_leaves_the_store_as_before() {
    let Some(schema) = TestSchema::new("lost") else {
        return;
    };
    let mut store = schema.create();
    store.begin().unwrap();
    apply_rows(
        &mut store,
        (0..100).map(|n| (Write::Insert, row(n, "kept"))),
    );
    store.commit().unwrap();

    // A connection of its own, named so that it can be found and terminated.
    let tag = fresh_schema_name("app");
    let separator = if schema.url.contains('?') { '&' } else { '?' };
    let url = format!("{}{separator}application_name={tag}", schema.url);
    let mut doomed = PostgresStore::open_with(&url, &options(&schema.name)).unwrap();
    doomed.begin().unwrap();
    apply_rows(
        &mut doomed,
        (0..100)
            .map(|n| (Write::Update, row(n, "lost")))
            .chain((100..200).map(|n| (Write::Insert, row(n, "lost")))),
    );
    let mut admin = raw(&schema.url);
    let terminated = admin
        .query_one(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity \
             WHERE application_name = $1",
            &[&tag],
        )
        .unwrap();
    assert_eq!(terminated.get::<_, i64>(0), 1);

    let mut changes = Changes::new();
    changes.push_row(Write::Insert, &row(200, "lost"));
    match doomed.apply(&changes) {
        Err(e @ StoreError::Backend { .. }) => {
            let text = e.to_string();
            assert!(text.contains("connection to the server was lost"), "{text}");
        }
        other => panic!("expected a backend error, got {other:?}"),
    }
    assert!(
        doomed.rollback().is_err(),
        "rolling back on a lost connection"
    );
    drop(doomed);

    let mut store = schema.open();
    let values = all_values(&mut store);
    assert_eq!(values.len(), 100);
    assert!(values.iter().all(|v| v.value.as_deref() == Some("kept")));
    assert_eq!(store.last_change().unwrap(), 1);
    // The store takes the next import.
    store.begin().unwrap();
    store.insert(&row(100, "next")).unwrap();
    store.commit().unwrap();
    assert_eq!(store.value_count().unwrap(), 101);
}

#[test]
fn batches_of_the_engines_size_round_trip() {
    let Some(schema) = TestSchema::new("batches") else {
        return;
    };
    let mut store = schema.create();
    store.begin().unwrap();
    for first in (0..30_000).step_by(10_000) {
        apply_rows(
            &mut store,
            (first..first + 10_000).map(|n| (Write::Insert, row(n, &n.to_string()))),
        );
    }
    store.commit().unwrap();

    // One batch: 10,000 updates (every other one a soft delete) and 10,000 inserts.
    store.begin().unwrap();
    apply_rows(
        &mut store,
        (20_000..30_000)
            .map(|n| {
                let mut r = row(n, "changed");
                r.deleted = n % 2 == 0;
                (Write::Update, r)
            })
            .chain((30_000..40_000).map(|n| (Write::Insert, row(n, "new")))),
    );
    let keys: Vec<DataValueKey> = (15_000..45_000).step_by(3).map(key).collect();
    let mut found = vec![None; keys.len()];
    store
        .lookup(&keys, &mut |i, r, existing| {
            found[i] = Some((r.value.clone(), r.deleted, existing));
            Ok(())
        })
        .unwrap();
    for (i, k) in keys.iter().enumerate() {
        let n = 15_000 + 3 * i;
        let expected = match n {
            ..20_000 => Some((Some(n.to_string()), false, Existing::Stored)),
            20_000..30_000 => Some((Some("changed".to_owned()), n % 2 == 0, Existing::Stored)),
            30_000..40_000 => Some((
                Some("new".to_owned()),
                false,
                Existing::InsertedInThisTransaction,
            )),
            _ => None,
        };
        assert_eq!(found[i], expected, "{k:?}");
    }
    store.commit().unwrap();
    assert_eq!(store.value_count().unwrap(), 40_000);
    assert_eq!(store.last_change().unwrap(), 4);

    // The export cursor goes through many chunks, in key order.
    let values = all_values(&mut store);
    assert_eq!(values.len(), 40_000);
    assert!(values.windows(2).all(
        |w| (w[0].key.period.start_date(), w[0].key.org_unit.as_str())
            < (w[1].key.period.start_date(), w[1].key.org_unit.as_str())
    ));

    let summary = store.summary().unwrap();
    assert_eq!(summary.values, 40_000);
    assert_eq!(summary.deleted, 5_000);
    assert_eq!(summary.values_of_unknown_data_elements, 40_000);
    assert_eq!(summary.periods.len(), 40);
    assert_eq!(summary.periods[0], ("202001".parse().unwrap(), 1_000));
}

#[test]
fn a_lookup_after_analysing_an_empty_table_uses_the_primary_key() {
    let Some(schema) = TestSchema::new("plan") else {
        return;
    };
    let mut store = schema.create();
    let mut client = raw(&schema.url);
    // Statistics that say "empty", as after a VACUUM ANALYZE of a new store.
    client
        .batch_execute(&format!("VACUUM ANALYZE {}.datavalue", schema.name))
        .unwrap();
    store.begin().unwrap();
    for first in (0..50_000).step_by(10_000) {
        apply_rows(
            &mut store,
            (first..first + 10_000).map(|n| (Write::Insert, row(n, "1"))),
        );
    }
    store.commit().unwrap();
    // Nothing here measures time: the scans are counted by the server's statistics, which a
    // connection reports when it ends.
    let scans = |client: &mut postgres::Client| -> (i64, i64) {
        client
            .batch_execute("SELECT pg_stat_clear_snapshot()")
            .unwrap();
        let row = client
            .query_one(
                "SELECT coalesce(seq_scan, 0), coalesce(idx_scan, 0) FROM pg_stat_user_tables \
                 WHERE schemaname = $1 AND relname = 'datavalue'",
                &[&schema.name],
            )
            .unwrap();
        (row.get(0), row.get(1))
    };
    drop(store);
    let mut store = schema.open();
    let before = wait_for_stats(|| scans(&mut client), |_| true);
    store.begin().unwrap();
    for round in 0..5 {
        let keys: Vec<DataValueKey> = (round * 10_000..(round + 1) * 10_000).map(key).collect();
        let mut n = 0;
        store
            .lookup(&keys, &mut |_, _, _| {
                n += 1;
                Ok(())
            })
            .unwrap();
        assert_eq!(n, 10_000);
        apply_rows(
            &mut store,
            keys.iter().take(5_000).map(|k| {
                (
                    Write::Update,
                    StoredValue {
                        key: *k,
                        ..row(0, "2")
                    },
                )
            }),
        );
    }
    store.commit().unwrap();
    drop(store);
    // Wait until the connection's counters have arrived, then compare the scans.
    let after = wait_for_stats(|| scans(&mut client), |now| *now != before);
    assert_eq!(
        after.0, before.0,
        "lookups and merges of an import must not scan the whole table ({before:?} -> {after:?})"
    );
}

/// Reads statistics until `ready` (they arrive when a connection has ended), at most 10 s.
fn wait_for_stats(
    mut read: impl FnMut() -> (i64, i64),
    ready: impl Fn(&(i64, i64)) -> bool,
) -> (i64, i64) {
    for _ in 0..100 {
        let now = read();
        if ready(&now) {
            return now;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("the server's statistics did not arrive")
}

#[test]
fn a_store_of_schema_version_1_gets_the_dhis2_object_table_when_opened_for_writing() {
    use dxf2_store::ObjectStore;
    let Some(schema) = TestSchema::new("version1") else {
        return;
    };
    drop(schema.create());
    let mut client = raw(&schema.url);
    client
        .batch_execute(&format!(
            "DROP TABLE {0}.dhis2_object; UPDATE {0}.schema_version SET version = 1",
            schema.name
        ))
        .unwrap();
    match PostgresStore::open_with(&schema.url, &options(&schema.name).read_only(true)) {
        Err(StoreError::Incompatible(message)) => {
            assert!(message.contains("schema version 1"), "{message}");
            assert!(message.contains("read-write"), "{message}");
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
    let mut store = schema.open();
    let mut objects = 0;
    store
        .for_each_object(&mut |_| {
            objects += 1;
            Ok(())
        })
        .unwrap();
    assert_eq!(objects, 0);
    let version = client
        .query_one(
            &format!("SELECT max(version) FROM {}.schema_version", schema.name),
            &[],
        )
        .unwrap();
    assert_eq!(
        version.get::<_, i32>(0),
        dxf2_store_postgres::SCHEMA_VERSION
    );
}
