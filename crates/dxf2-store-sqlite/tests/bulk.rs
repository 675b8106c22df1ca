//! The bulk path of an import into an empty store: its rows wait in memory and are written in
//! sorted runs of 100,000, which is invisible to the importer — lookups find waiting and written
//! rows as inserted in this transaction, updates change them, inserts of keys that have a row
//! are refused, queries and counts see them, a commit keeps them all and a rollback none.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::PathBuf;

use chrono::{TimeZone, Utc};
use dxf2_model::Uid;
use dxf2_store::{
    Changes, DataValueKey, DataValueStore, DataValueStoreExt, Existing, StoreError, StoredValue,
    ValueQuery, Write,
};
use dxf2_store_sqlite::SqliteStore;

/// More than the 100,000 rows the bulk path holds before it writes them.
const ROWS: usize = 110_000;

/// The `n`th key: 1,000 org units × 10 data elements × 11 months, in no particular order.
fn key(n: usize) -> DataValueKey {
    let n = (n * 7_919) % ROWS;
    let default = Uid::parse("HllvX50cXC0").unwrap();
    DataValueKey {
        data_element: Uid::parse(&format!("de{:09}", n % 10)).unwrap(),
        period: format!("2024{:02}", n / 10_000 + 1).parse().unwrap(),
        org_unit: Uid::parse(&format!("ou{:09}", n / 10 % 1_000)).unwrap(),
        category_option_combo: default,
        attribute_option_combo: default,
    }
}

fn row(n: usize, value: &str) -> StoredValue {
    let now = Utc.with_ymd_and_hms(2024, 12, 1, 8, 0, 0).unwrap();
    let mut row = StoredValue::empty(key(n), now);
    row.value = Some(value.to_owned());
    row.stored_by = Some("admin".to_owned());
    row
}

fn inserts(range: std::ops::Range<usize>) -> Changes {
    let mut changes = Changes::new();
    for n in range {
        changes.push_row(Write::Insert, &row(n, &n.to_string()));
    }
    changes
}

/// What a lookup of `keys` finds: (index, value, existing), by index.
fn lookup(s: &mut SqliteStore, keys: &[DataValueKey]) -> Vec<(usize, String, Existing)> {
    let mut found = Vec::new();
    s.lookup(keys, &mut |i, r, e| {
        found.push((i, r.value.clone().unwrap_or_default(), e));
        Ok(())
    })
    .unwrap();
    found.sort_by_key(|f| f.0);
    found
}

fn temp_path(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("bulk");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("{name}-{}.sqlite", std::process::id()));
    remove(&path);
    path
}

fn remove(path: &std::path::Path) {
    for suffix in ["", "-wal", "-shm"] {
        let mut p = path.as_os_str().to_owned();
        p.push(suffix);
        let _ = std::fs::remove_file(p);
    }
}

#[test]
fn an_import_into_an_empty_store_keeps_every_row_through_the_bulk_path() {
    use Existing::InsertedInThisTransaction as Inserted;
    let path = temp_path("bulk");
    let mut s = SqliteStore::open(&path).unwrap();
    s.begin().unwrap();

    // Waiting rows are found, and absent ones are not.
    s.apply(&inserts(0..60_000)).unwrap();
    assert_eq!(
        lookup(&mut s, &[key(0), key(60_000), key(59_999)]),
        [(0, "0".into(), Inserted), (2, "59999".into(), Inserted)]
    );
    // This batch makes more than 100,000 rows wait: they are written.
    s.apply(&inserts(60_000..ROWS - 10)).unwrap();
    s.apply(&inserts(ROWS - 10..ROWS)).unwrap();
    assert_eq!(
        lookup(&mut s, &[key(0), key(ROWS - 11), key(ROWS - 1)]),
        [
            (0, "0".into(), Inserted),
            (1, (ROWS - 11).to_string(), Inserted),
            (2, (ROWS - 1).to_string(), Inserted)
        ]
    );

    // Updates of a written and of a waiting row, in one batch.
    let mut changes = Changes::new();
    changes.push_row(Write::Update, &row(5, "five"));
    let mut gone = row(ROWS - 2, "gone");
    gone.deleted = true;
    changes.push_row(Write::Update, &gone);
    s.apply(&changes).unwrap();
    let found = lookup(&mut s, &[key(5), key(ROWS - 2)]);
    assert_eq!(
        found,
        [(0, "five".into(), Inserted), (1, "gone".into(), Inserted)]
    );
    let mut read = row(0, "");
    assert_eq!(s.get(&key(ROWS - 2), &mut read).unwrap(), Inserted);
    assert!(read.deleted);

    // Queries and counts see every row, waiting or written.
    assert_eq!(s.value_count().unwrap(), ROWS as u64);
    let mut changed = Vec::new();
    let q = ValueQuery {
        data_elements: (0..10).map(|n| key(n * 7).data_element).collect(),
        include_deleted: true,
        changed_since: Some(3),
        ..ValueQuery::default()
    };
    s.query(&q, &mut |r| {
        changed.push(r.value.clone().unwrap_or_default());
        Ok(())
    })
    .unwrap();
    changed.sort();
    assert_eq!(changed, ["five", "gone"], "the updates of batch 4 only");

    s.commit().unwrap();
    assert_eq!(s.value_count().unwrap(), ROWS as u64);
    s.integrity_check().unwrap();
    drop(s);

    // A later import: the ordinary path; the rows are stored.
    let mut s = SqliteStore::open(&path).unwrap();
    s.begin().unwrap();
    assert_eq!(
        lookup(&mut s, &[key(5), key(1), key(ROWS - 1)]),
        [
            (0, "five".into(), Existing::Stored),
            (1, "1".into(), Existing::Stored),
            (2, (ROWS - 1).to_string(), Existing::Stored)
        ]
    );
    s.rollback().unwrap();
    drop(s);
    remove(&path);
}

#[test]
fn on_the_bulk_path_inserts_of_keys_with_rows_are_refused() {
    let path = temp_path("refused");
    let mut s = SqliteStore::open(&path).unwrap();
    let refused = |r: Result<(), StoreError>| {
        let err = r.unwrap_err();
        assert!(matches!(err, StoreError::Misuse(_)), "{err:?}");
    };
    s.begin().unwrap();
    s.apply(&inserts(0..ROWS - 10)).unwrap();
    s.apply(&inserts(ROWS - 10..ROWS)).unwrap();
    // A written row, then a waiting one.
    refused(s.apply(&inserts(3..4)));
    refused(s.apply(&inserts(ROWS - 3..ROWS - 2)));
    s.rollback().unwrap();
    assert_eq!(s.value_count().unwrap(), 0);

    // The rolled-back rows are forgotten: the same keys go in again.
    s.begin().unwrap();
    s.apply(&inserts(0..10)).unwrap();
    s.commit().unwrap();
    assert_eq!(s.value_count().unwrap(), 10);
    drop(s);
    remove(&path);
}

#[test]
fn one_row_batches_in_random_order_take_the_bulk_path_too() {
    let path = temp_path("one-by-one");
    let mut s = SqliteStore::open(&path).unwrap();
    s.begin().unwrap();
    // Keys in scrambled order, one batch each: many short runs of waiting rows.
    for n in 0..3_000 {
        s.insert(&row(n * 31 % 3_000, "x")).unwrap();
    }
    let keys: Vec<DataValueKey> = (0..3_000).map(key).collect();
    let found = lookup(&mut s, &keys);
    assert_eq!(found.len(), 3_000);
    assert!(found
        .iter()
        .all(|(_, value, e)| value == "x" && *e == Existing::InsertedInThisTransaction));
    let err = s.insert(&row(17, "again")).unwrap_err();
    assert!(matches!(err, StoreError::Misuse(_)), "{err:?}");
    s.rollback().unwrap();
    s.begin().unwrap();
    for n in (0..3_000).rev() {
        s.insert(&row(n, "y")).unwrap();
    }
    s.commit().unwrap();
    assert_eq!(s.value_count().unwrap(), 3_000);
    s.integrity_check().unwrap();
    drop(s);
    remove(&path);
}
