// One file: one conformance suite, written once and run by a macro on every store alike.
//! Behaviour of the stores: one conformance suite, written once over `DataValueStore +
//! MetadataStore`, run against [`MemoryStore`], [`SqliteStore`] in memory and [`SqliteStore`] in a
//! file; then what only the file store does (reopening, refusing foreign files).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeZone, Utc};
use dxf2_model::metadata::{
    Attribute, Category, CategoryCombo, CategoryOption, CategoryOptionCombo, DataElement,
    DataElementGroup, DataInputPeriod, DataSet, DataSetElement, Identity, OptionItem, OptionSet,
    OrganisationUnit, OrganisationUnitGroup, Sharing, User,
};
use dxf2_model::{Metadata, Period, PeriodType, Uid, ValueType};
use dxf2_store::{
    Audit, AuditType, Completion, DataValueKey, DataValueStore, DataValueStoreExt, Existing,
    MemoryStore, MetadataStore, StoreError, StoredValue, ValueQuery,
};
use dxf2_store_sqlite::SqliteStore;

// ---------------------------------------------------------------------------------------------
// Fixtures

const DEFAULT: &str = "HllvX50cXC0";
const COC_X: &str = "cocXXXXXXXX";
const AOC_X: &str = "aocXXXXXXXX";
const DE_A: &str = "deAAAAAAAAA";
const DE_B: &str = "deBBBBBBBBB";
const DE_C: &str = "deCCCCCCCCC";
const DS_A: &str = "dsAAAAAAAAA";
/// Org unit tree: ROOT → D1 → {F1, F2}; ROOT → D2 → F3.
const ROOT: &str = "ouRootAAAAA";
const D1: &str = "ouDist1AAAA";
const D2: &str = "ouDist2AAAA";
const F1: &str = "ouFac1AAAAA";
const F2: &str = "ouFac2AAAAA";
const F3: &str = "ouFac3AAAAA";

fn uid(s: &str) -> Uid {
    Uid::parse(s).unwrap()
}

fn pe(s: &str) -> Period {
    s.parse().unwrap()
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// An instant on 2024-03-01 (millisecond precision, as the SQLite store keeps).
fn at(hour: u32, minute: u32, millis: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 3, 1, hour, minute, 0).unwrap()
        + chrono::Duration::milliseconds(millis)
}

fn key_full(de: &str, period: &str, ou: &str, coc: &str, aoc: &str) -> DataValueKey {
    DataValueKey {
        data_element: uid(de),
        period: pe(period),
        org_unit: uid(ou),
        category_option_combo: uid(coc),
        attribute_option_combo: uid(aoc),
    }
}

fn key(de: &str, period: &str, ou: &str) -> DataValueKey {
    key_full(de, period, ou, DEFAULT, DEFAULT)
}

fn row(key: DataValueKey, value: &str) -> StoredValue {
    let mut r = StoredValue::empty(key, at(10, 0, 0));
    r.value = Some(value.to_owned());
    r.stored_by = Some("admin".to_owned());
    r
}

fn org_unit(id: &str, parent: Option<&str>) -> OrganisationUnit {
    OrganisationUnit::new(Identity::new(uid(id)), parent.map(uid))
}

fn org_unit_tree() -> Metadata {
    let mut m = Metadata::new();
    // Children before parents: paths must not depend on the order.
    m.add_org_unit(org_unit(F1, Some(D1)));
    m.add_org_unit(org_unit(F2, Some(D1)));
    m.add_org_unit(org_unit(F3, Some(D2)));
    m.add_org_unit(org_unit(D1, Some(ROOT)));
    m.add_org_unit(org_unit(D2, Some(ROOT)));
    m.add_org_unit(org_unit(ROOT, None));
    m.compute_hierarchy().unwrap();
    m
}

/// Every unit of the subtrees of `roots` in [`org_unit_tree`] (as an export with `children`
/// queries them).
fn subtrees(roots: &[&str]) -> Option<Vec<Uid>> {
    let m = org_unit_tree();
    Some(
        roots
            .iter()
            .flat_map(|r| m.org_unit_subtree(&uid(r)).map(|o| o.id.uid))
            .collect(),
    )
}

/// Every row of `store` matching `query`, in the store's order.
fn rows<S: DataValueStore + ?Sized>(store: &mut S, query: &ValueQuery) -> Vec<StoredValue> {
    let mut out = Vec::new();
    store
        .query(query, &mut |v| {
            out.push(v.clone());
            Ok(())
        })
        .unwrap();
    out
}

/// The values of the rows `query` matches, in the store's order.
fn values<S: DataValueStore + ?Sized>(store: &mut S, query: &ValueQuery) -> Vec<String> {
    rows(store, query)
        .into_iter()
        .map(|r| r.value.unwrap_or_default())
        .collect()
}

fn all_elements() -> ValueQuery {
    ValueQuery {
        data_elements: vec![uid(DE_A), uid(DE_B), uid(DE_C)],
        ..ValueQuery::default()
    }
}

/// What the suite needs beyond the traits: adding lock exceptions (they do not come from imports).
trait TestStore: DataValueStore + MetadataStore {
    fn add_lock(&mut self, data_set: &Uid, period: &Period, org_unit: &Uid);
}

impl TestStore for MemoryStore {
    fn add_lock(&mut self, data_set: &Uid, period: &Period, org_unit: &Uid) {
        self.add_lock_exception(data_set, period, org_unit).unwrap();
    }
}

impl TestStore for SqliteStore {
    fn add_lock(&mut self, data_set: &Uid, period: &Period, org_unit: &Uid) {
        self.add_lock_exception(data_set, period, org_unit).unwrap();
    }
}

/// A fresh file name in the test scratch directory; the file and its WAL files are removed when
/// this is dropped.
struct TempPath(PathBuf);

impl TempPath {
    fn new(name: &str) -> TempPath {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("store_sqlite");
        std::fs::create_dir_all(&dir).unwrap();
        let path = TempPath(dir.join(format!("{name}-{}-{n}.sqlite", std::process::id())));
        path.remove();
        path
    }

    fn remove(&self) {
        for suffix in ["", "-wal", "-shm"] {
            let mut p = self.0.as_os_str().to_owned();
            p.push(suffix);
            let _ = std::fs::remove_file(p);
        }
    }
}

impl AsRef<Path> for TempPath {
    fn as_ref(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempPath {
    fn drop(&mut self) {
        self.remove();
    }
}

/// A store in a temporary file (removed when dropped).
struct TempStore {
    store: SqliteStore,
    _path: TempPath,
}

impl TempStore {
    fn open(name: &str) -> TempStore {
        let path = TempPath::new(name);
        TempStore {
            store: SqliteStore::open(&path).unwrap(),
            _path: path,
        }
    }
}

impl std::ops::Deref for TempStore {
    type Target = SqliteStore;
    fn deref(&self) -> &SqliteStore {
        &self.store
    }
}

impl std::ops::DerefMut for TempStore {
    fn deref_mut(&mut self) -> &mut SqliteStore {
        &mut self.store
    }
}

// ---------------------------------------------------------------------------------------------
// The conformance suite

fn insert_get_update_soft_delete(s: &mut impl TestStore) {
    let k = key(DE_A, "202001", F1);
    let mut read = row(key(DE_B, "202002", F2), "untouched");

    // Nothing there: the caller's row is left alone.
    assert_eq!(s.get(&k, &mut read).unwrap(), Existing::None);
    assert_eq!(read.value.as_deref(), Some("untouched"));

    let mut r = row(k, "12");
    r.comment = Some("a comment".into());
    r.followup = true;
    r.created = at(9, 0, 123);
    r.last_updated = at(9, 30, 456);
    s.begin().unwrap();
    s.insert(&r).unwrap();
    s.commit().unwrap();
    assert_eq!(s.get(&k, &mut read).unwrap(), Existing::Stored);
    assert_eq!(read, r);

    // Update: every field is replaced.
    let mut u = r.clone();
    u.value = Some("13".into());
    u.comment = None;
    u.stored_by = Some("someone else".into());
    u.followup = false;
    u.last_updated = at(11, 0, 789);
    s.begin().unwrap();
    s.update(&u).unwrap();
    s.commit().unwrap();
    assert_eq!(s.get(&k, &mut read).unwrap(), Existing::Stored);
    assert_eq!(read, u);

    // A value with no value at all.
    let k2 = key(DE_B, "202001", F1);
    let empty = StoredValue::empty(k2, at(8, 0, 0));
    s.begin().unwrap();
    s.insert(&empty).unwrap();
    s.commit().unwrap();
    assert_eq!(s.get(&k2, &mut read).unwrap(), Existing::Stored);
    assert_eq!(read, empty);

    // Soft delete: the row stays, marked deleted, and leaves normal queries.
    let mut d = u.clone();
    d.deleted = true;
    d.value = None;
    s.begin().unwrap();
    s.update(&d).unwrap();
    s.commit().unwrap();
    assert_eq!(s.get(&k, &mut read).unwrap(), Existing::Stored);
    assert_eq!(read, d);
    let q = all_elements();
    assert_eq!(rows(s, &q), vec![empty.clone()]);
    let with_deleted = ValueQuery {
        include_deleted: true,
        ..all_elements()
    };
    assert_eq!(rows(s, &with_deleted), vec![d.clone(), empty.clone()]);

    // A row can be stored already deleted, and revived by an update.
    let k3 = key(DE_C, "202001", F1);
    let mut gone = row(k3, "1");
    gone.deleted = true;
    s.begin().unwrap();
    s.insert(&gone).unwrap();
    s.commit().unwrap();
    assert_eq!(s.get(&k3, &mut read).unwrap(), Existing::Stored);
    assert!(read.deleted);
    let revived = row(k3, "2");
    s.begin().unwrap();
    s.update(&revived).unwrap();
    s.commit().unwrap();
    assert_eq!(s.get(&k3, &mut read).unwrap(), Existing::Stored);
    assert_eq!(read, revived);

    // Keys differ in every component.
    for other in [
        key_full(DE_A, "202001", F1, COC_X, DEFAULT),
        key_full(DE_A, "202001", F1, DEFAULT, AOC_X),
        key(DE_A, "2020Q1", F1),
        key(DE_A, "202001", F2),
    ] {
        assert_eq!(
            s.get(&other, &mut read).unwrap(),
            Existing::None,
            "{other:?}"
        );
    }
}

fn inserted_in_this_transaction(s: &mut impl TestStore) {
    let a = key(DE_A, "202001", F1);
    let b = key(DE_B, "202001", F1);
    let mut read = row(a, "");

    s.begin().unwrap();
    s.insert(&row(a, "1")).unwrap();
    assert_eq!(
        s.get(&a, &mut read).unwrap(),
        Existing::InsertedInThisTransaction
    );
    assert_eq!(read.value.as_deref(), Some("1"));
    // Updating a row inserted in this transaction keeps it "inserted".
    s.update(&row(a, "2")).unwrap();
    assert_eq!(
        s.get(&a, &mut read).unwrap(),
        Existing::InsertedInThisTransaction
    );
    assert_eq!(read.value.as_deref(), Some("2"));
    s.commit().unwrap();

    // After commit (outside any transaction) and in the next transaction: stored.
    assert_eq!(s.get(&a, &mut read).unwrap(), Existing::Stored);
    s.begin().unwrap();
    assert_eq!(s.get(&a, &mut read).unwrap(), Existing::Stored);
    // An old row updated in this transaction stays "stored".
    s.update(&row(a, "3")).unwrap();
    assert_eq!(s.get(&a, &mut read).unwrap(), Existing::Stored);
    assert_eq!(read.value.as_deref(), Some("3"));
    s.insert(&row(b, "4")).unwrap();
    assert_eq!(
        s.get(&b, &mut read).unwrap(),
        Existing::InsertedInThisTransaction
    );
    s.commit().unwrap();

    s.begin().unwrap();
    assert_eq!(s.get(&b, &mut read).unwrap(), Existing::Stored);
    s.commit().unwrap();

    // A rolled-back transaction's number is not mistaken for the next one's.
    let c = key(DE_C, "202001", F1);
    s.begin().unwrap();
    s.insert(&row(c, "5")).unwrap();
    s.rollback().unwrap();
    s.begin().unwrap();
    assert_eq!(s.get(&c, &mut read).unwrap(), Existing::None);
    assert_eq!(s.get(&b, &mut read).unwrap(), Existing::Stored);
    s.insert(&row(c, "6")).unwrap();
    assert_eq!(
        s.get(&c, &mut read).unwrap(),
        Existing::InsertedInThisTransaction
    );
    s.commit().unwrap();
}

fn audit(k: DataValueKey, previous: Option<&str>, minute: u32, audit_type: AuditType) -> Audit {
    Audit {
        key: k,
        previous_value: previous.map(str::to_owned),
        modified_by: "admin".into(),
        created: at(12, minute, 5),
        audit_type,
    }
}

fn completion(period: &str, aoc: &str, day: u32, completed: bool) -> Completion {
    Completion {
        data_set: uid(DS_A),
        period: pe(period),
        org_unit: uid(F1),
        attribute_option_combo: uid(aoc),
        date: date(2024, 2, day),
        stored_by: "admin".into(),
        last_updated: at(13, day, 0),
        completed,
    }
}

fn get_completion(s: &mut impl TestStore, period: &str, aoc: &str) -> Option<Completion> {
    s.completion(&uid(DS_A), &pe(period), &uid(F1), &uid(aoc))
        .unwrap()
}

fn rollback_restores(s: &mut impl TestStore) {
    let a = key(DE_A, "202001", F1);
    let b = key(DE_B, "202001", F1);
    let c = key(DE_C, "202001", F1);
    let before_a = row(a, "1");
    let before_b = row(b, "2");
    s.begin().unwrap();
    s.insert(&before_a).unwrap();
    s.insert(&before_b).unwrap();
    s.audit(&audit(a, Some("0"), 1, AuditType::Update)).unwrap();
    s.set_completion(&completion("202001", DEFAULT, 1, true))
        .unwrap();
    s.commit().unwrap();

    s.begin().unwrap();
    let mut a2 = row(a, "10");
    a2.comment = Some("changed".into());
    s.update(&a2).unwrap();
    s.update(&row(a, "11")).unwrap();
    let mut b_deleted = before_b.clone();
    b_deleted.deleted = true;
    s.update(&b_deleted).unwrap();
    s.insert(&row(c, "3")).unwrap();
    s.update(&row(c, "4")).unwrap();
    s.audit(&audit(a, Some("1"), 2, AuditType::Update)).unwrap();
    s.audit(&audit(b, Some("2"), 3, AuditType::Delete)).unwrap();
    s.set_completion(&completion("202001", DEFAULT, 2, false))
        .unwrap();
    s.set_completion(&completion("202002", DEFAULT, 3, true))
        .unwrap();
    s.rollback().unwrap();

    let mut read = row(a, "");
    assert_eq!(s.get(&a, &mut read).unwrap(), Existing::Stored);
    assert_eq!(read, before_a);
    assert_eq!(s.get(&b, &mut read).unwrap(), Existing::Stored);
    assert_eq!(read, before_b);
    assert_eq!(s.get(&c, &mut read).unwrap(), Existing::None);
    assert_eq!(
        s.audits(&a).unwrap(),
        vec![audit(a, Some("0"), 1, AuditType::Update)]
    );
    assert!(s.audits(&b).unwrap().is_empty());
    assert_eq!(
        get_completion(s, "202001", DEFAULT),
        Some(completion("202001", DEFAULT, 1, true))
    );
    assert_eq!(get_completion(s, "202002", DEFAULT), None);
    assert_eq!(values(s, &all_elements()), ["1", "2"]);

    // The store is usable after a rollback.
    s.begin().unwrap();
    s.insert(&row(c, "5")).unwrap();
    s.commit().unwrap();
    assert_eq!(values(s, &all_elements()), ["1", "2", "5"]);
}

fn misuse_is_refused(s: &mut impl TestStore) {
    assert!(matches!(s.commit(), Err(StoreError::Misuse(_))));
    assert!(matches!(s.rollback(), Err(StoreError::Misuse(_))));
    s.begin().unwrap();
    assert!(matches!(s.begin(), Err(StoreError::Misuse(_))));
    let k = key(DE_A, "202001", F1);
    assert!(matches!(s.update(&row(k, "1")), Err(StoreError::Misuse(_))));
    s.insert(&row(k, "1")).unwrap();
    assert!(matches!(s.insert(&row(k, "2")), Err(StoreError::Misuse(_))));
    // The transaction is still usable after refused calls.
    s.commit().unwrap();
    let mut read = row(k, "");
    assert_eq!(s.get(&k, &mut read).unwrap(), Existing::Stored);
    assert_eq!(read.value.as_deref(), Some("1"));
}

fn audits_are_kept_in_order(s: &mut impl TestStore) {
    let a = key(DE_A, "202001", F1);
    let b = key(DE_A, "202001", F2);
    s.begin().unwrap();
    s.audit(&audit(a, Some("1"), 1, AuditType::Update)).unwrap();
    s.audit(&audit(b, Some("x"), 2, AuditType::Update)).unwrap();
    s.audit(&audit(a, None, 3, AuditType::Update)).unwrap();
    s.audit(&audit(a, Some("3"), 4, AuditType::Delete)).unwrap();
    s.commit().unwrap();
    assert_eq!(
        s.audits(&a).unwrap(),
        vec![
            audit(a, Some("1"), 1, AuditType::Update),
            audit(a, None, 3, AuditType::Update),
            audit(a, Some("3"), 4, AuditType::Delete),
        ]
    );
    assert_eq!(
        s.audits(&b).unwrap(),
        vec![audit(b, Some("x"), 2, AuditType::Update)]
    );
    assert!(s.audits(&key(DE_B, "202001", F1)).unwrap().is_empty());
}

fn completions_are_created_and_replaced(s: &mut impl TestStore) {
    assert_eq!(get_completion(s, "202001", DEFAULT), None);
    s.begin().unwrap();
    s.set_completion(&completion("202001", DEFAULT, 1, true))
        .unwrap();
    s.set_completion(&completion("202001", AOC_X, 2, true))
        .unwrap();
    s.commit().unwrap();
    assert_eq!(
        get_completion(s, "202001", DEFAULT),
        Some(completion("202001", DEFAULT, 1, true))
    );
    assert_eq!(
        get_completion(s, "202001", AOC_X),
        Some(completion("202001", AOC_X, 2, true))
    );
    assert_eq!(get_completion(s, "202002", DEFAULT), None);
    assert_eq!(
        s.completion(&uid(DS_A), &pe("202001"), &uid(F2), &uid(DEFAULT))
            .unwrap(),
        None
    );

    // Replaced, not duplicated.
    let mut replaced = completion("202001", DEFAULT, 5, false);
    replaced.stored_by = "another".into();
    s.begin().unwrap();
    s.set_completion(&replaced).unwrap();
    s.commit().unwrap();
    assert_eq!(get_completion(s, "202001", DEFAULT), Some(replaced));
}

fn lock_exceptions_are_found(s: &mut impl TestStore) {
    let (ds, ou) = (uid(DS_A), uid(F1));
    assert!(!s.has_lock_exception(&ds, &pe("202001"), &ou).unwrap());
    s.add_lock(&ds, &pe("202001"), &ou);
    s.add_lock(&ds, &pe("202001"), &ou);
    assert!(s.has_lock_exception(&ds, &pe("202001"), &ou).unwrap());
    assert!(!s.has_lock_exception(&ds, &pe("202002"), &ou).unwrap());
    assert!(!s.has_lock_exception(&ds, &pe("202001"), &uid(F2)).unwrap());
    assert!(!s
        .has_lock_exception(&uid(DE_A), &pe("202001"), &ou)
        .unwrap());
}

/// The rows of the query tests: (data element, period, org unit, COC, AOC, value), inserted in
/// this (scrambled) order.
const QUERY_ROWS: &[(&str, &str, &str, &str, &str, &str)] = &[
    (DE_B, "202002", F1, DEFAULT, DEFAULT, "b-202002-f1"),
    (DE_A, "2020Q1", D1, DEFAULT, DEFAULT, "a-2020Q1-d1"),
    (DE_A, "202003", F3, DEFAULT, DEFAULT, "a-202003-f3"),
    (DE_A, "202001", F2, DEFAULT, DEFAULT, "a-202001-f2"),
    (DE_A, "202001", F1, COC_X, DEFAULT, "a-202001-f1-cocx"),
    (DE_A, "202001", F1, DEFAULT, AOC_X, "a-202001-f1-aocx"),
    (DE_A, "202001", F1, DEFAULT, DEFAULT, "a-202001-f1"),
    (DE_B, "2020", ROOT, DEFAULT, DEFAULT, "b-2020-root"),
    (DE_A, "20200101", F1, DEFAULT, DEFAULT, "a-20200101-f1"),
    (DE_A, "2020W1", F1, DEFAULT, DEFAULT, "a-2020W1-f1"),
    (DE_C, "202004", F2, DEFAULT, DEFAULT, "c-202004-f2"),
    (DE_A, "202001", D2, DEFAULT, DEFAULT, "a-202001-d2"),
    (DE_B, "202003", F1, DEFAULT, DEFAULT, "b-202003-f1"),
];

/// Fills the store with [`QUERY_ROWS`] (the one with value `a-202003-f3` soft-deleted, the one
/// with value `b-202003-f1` updated later) and the org unit tree.
fn fill_query_rows(s: &mut impl TestStore) {
    s.save_metadata(&org_unit_tree()).unwrap();
    s.begin().unwrap();
    for (i, (de, period, ou, coc, aoc, value)) in QUERY_ROWS.iter().enumerate() {
        let mut r = row(key_full(de, period, ou, coc, aoc), value);
        r.deleted = *value == "a-202003-f3";
        r.last_updated = at(10, 0, i64::try_from(i).unwrap());
        if *value == "b-202003-f1" {
            r.last_updated = at(15, 0, 0);
        }
        s.insert(&r).unwrap();
    }
    s.commit().unwrap();
}

fn query_orders_rows(s: &mut impl TestStore) {
    fill_query_rows(s);
    let q = ValueQuery {
        include_deleted: true,
        ..all_elements()
    };
    // Period start date first (2020W1 starts 2019-12-30), then period type by name (Daily <
    // Monthly < Quarterly < Yearly), data element, org unit, COC, AOC (UIDs as strings).
    assert_eq!(
        values(s, &q),
        [
            "a-2020W1-f1",
            "a-20200101-f1",
            "a-202001-d2",
            "a-202001-f1",
            "a-202001-f1-aocx",
            "a-202001-f1-cocx",
            "a-202001-f2",
            "a-2020Q1-d1",
            "b-2020-root",
            "b-202002-f1",
            "a-202003-f3",
            "b-202003-f1",
            "c-202004-f2",
        ]
    );
    // limit keeps the first rows of that order.
    let limited = ValueQuery {
        limit: Some(3),
        ..q.clone()
    };
    assert_eq!(
        values(s, &limited),
        ["a-2020W1-f1", "a-20200101-f1", "a-202001-d2"]
    );
    let zero = ValueQuery {
        limit: Some(0),
        ..q.clone()
    };
    assert!(values(s, &zero).is_empty());
    // Rows come back whole.
    let all = rows(s, &q);
    let first = all.first().unwrap();
    assert_eq!(first, &{
        let mut r = row(key(DE_A, "2020W1", F1), "a-2020W1-f1");
        r.last_updated = at(10, 0, 9);
        r
    });
}

fn query_filters(s: &mut impl TestStore) {
    fill_query_rows(s);
    let base = all_elements();

    // Data elements: only those named; none named → nothing.
    let q = ValueQuery {
        data_elements: vec![uid(DE_B)],
        ..base.clone()
    };
    assert_eq!(values(s, &q), ["b-2020-root", "b-202002-f1", "b-202003-f1"]);
    let q = ValueQuery {
        data_elements: Vec::new(),
        ..base.clone()
    };
    assert!(values(s, &q).is_empty());

    // Exact periods.
    let q = ValueQuery {
        periods: vec![pe("2020Q1"), pe("202002")],
        ..base.clone()
    };
    assert_eq!(values(s, &q), ["a-2020Q1-d1", "b-202002-f1"]);

    // Date range: periods fully inside, any type (the quarter and the day are in; the week that
    // starts in 2019, the year and April are out; March is in, its soft-deleted row is not).
    let q = ValueQuery {
        date_range: Some((date(2020, 1, 1), date(2020, 3, 31))),
        ..base.clone()
    };
    assert_eq!(
        values(s, &q),
        [
            "a-20200101-f1",
            "a-202001-d2",
            "a-202001-f1",
            "a-202001-f1-aocx",
            "a-202001-f1-cocx",
            "a-202001-f2",
            "a-2020Q1-d1",
            "b-202002-f1",
            "b-202003-f1",
        ]
    );
    // A month straddling the end of the range is out, and so is the quarter.
    let q = ValueQuery {
        date_range: Some((date(2020, 1, 1), date(2020, 3, 15))),
        ..base.clone()
    };
    assert_eq!(
        values(s, &q),
        [
            "a-20200101-f1",
            "a-202001-d2",
            "a-202001-f1",
            "a-202001-f1-aocx",
            "a-202001-f1-cocx",
            "a-202001-f2",
            "b-202002-f1",
        ]
    );
    // A week straddling the start is in with a range that covers it.
    let q = ValueQuery {
        date_range: Some((date(2019, 12, 30), date(2020, 1, 5))),
        ..base.clone()
    };
    assert_eq!(values(s, &q), ["a-2020W1-f1", "a-20200101-f1"]);

    // Periods and date range together: both apply.
    let q = ValueQuery {
        periods: vec![pe("2020Q1"), pe("202004")],
        date_range: Some((date(2020, 1, 1), date(2020, 3, 31))),
        ..base.clone()
    };
    assert_eq!(values(s, &q), ["a-2020Q1-d1"]);

    // Org unit subtree from the hierarchy (the unit itself included).
    let q = ValueQuery {
        org_units: subtrees(&[D1]),
        ..base.clone()
    };
    assert_eq!(
        values(s, &q),
        [
            "a-2020W1-f1",
            "a-20200101-f1",
            "a-202001-f1",
            "a-202001-f1-aocx",
            "a-202001-f1-cocx",
            "a-202001-f2",
            "a-2020Q1-d1",
            "b-202002-f1",
            "b-202003-f1",
            "c-202004-f2",
        ]
    );
    let q = ValueQuery {
        org_units: subtrees(&[D2, F2]),
        ..base.clone()
    };
    assert_eq!(values(s, &q), ["a-202001-d2", "a-202001-f2", "c-202004-f2"]);
    let q = ValueQuery {
        org_units: subtrees(&[ROOT]),
        ..base.clone()
    };
    assert_eq!(values(s, &q).len(), 12);
    // A unit outside the catalogue has no subtree.
    assert_eq!(subtrees(&["ouDistAAAAA"]), Some(Vec::new()));

    // Org unit list (exact units, no children).
    let q = ValueQuery {
        org_units: Some(vec![uid(D1), uid(F2), uid(ROOT)]),
        ..base.clone()
    };
    assert_eq!(
        values(s, &q),
        ["a-202001-f2", "a-2020Q1-d1", "b-2020-root", "c-202004-f2"]
    );
    let q = ValueQuery {
        org_units: Some(Vec::new()),
        ..base.clone()
    };
    assert!(values(s, &q).is_empty());

    // Attribute option combos.
    let q = ValueQuery {
        attribute_option_combos: vec![uid(AOC_X)],
        ..base.clone()
    };
    assert_eq!(values(s, &q), ["a-202001-f1-aocx"]);

    // Deleted rows only on request.
    let q = ValueQuery {
        data_elements: vec![uid(DE_A)],
        periods: vec![pe("202003")],
        ..base.clone()
    };
    assert!(values(s, &q).is_empty());
    let q = ValueQuery {
        include_deleted: true,
        ..q
    };
    let deleted = rows(s, &q);
    assert_eq!(deleted.len(), 1);
    assert!(deleted[0].deleted);

    // lastUpdated: from that instant on, inclusive.
    let q = ValueQuery {
        last_updated_since: Some(at(10, 0, 11)),
        ..base.clone()
    };
    assert_eq!(values(s, &q), ["a-202001-d2", "b-202003-f1"]);
    let q = ValueQuery {
        last_updated_since: Some(at(15, 0, 0)),
        ..base.clone()
    };
    assert_eq!(values(s, &q), ["b-202003-f1"]);
    let q = ValueQuery {
        last_updated_since: Some(at(15, 0, 1)),
        ..base.clone()
    };
    assert!(values(s, &q).is_empty());

    // Everything at once.
    let q = ValueQuery {
        data_elements: vec![uid(DE_A), uid(DE_C)],
        date_range: Some((date(2020, 1, 1), date(2020, 12, 31))),
        org_units: Some(vec![uid(F1), uid(F2)]),
        attribute_option_combos: vec![uid(DEFAULT)],
        include_deleted: true,
        last_updated_since: Some(at(10, 0, 3)),
        limit: Some(2),
        ..ValueQuery::default()
    };
    assert_eq!(values(s, &q), ["a-20200101-f1", "a-202001-f1"]);
}

fn query_callback_errors_stop_the_query(s: &mut impl TestStore) {
    fill_query_rows(s);
    let mut seen = 0;
    let result = s.query(&all_elements(), &mut |_| {
        seen += 1;
        if seen == 2 {
            Err(StoreError::Misuse("stop"))
        } else {
            Ok(())
        }
    });
    assert!(matches!(result, Err(StoreError::Misuse("stop"))));
    assert_eq!(seen, 2);
}

/// A catalogue with every kind of object and every field filled.
fn full_metadata() -> Metadata {
    let id = |u: &str, code: &str, name: &str| Identity {
        uid: uid(u),
        code: Some(code.to_owned()),
        name: Some(name.to_owned()),
        attribute_values: vec![(uid("attrAAAAAAA"), format!("{code}-attr"))],
    };
    let sharing = Sharing {
        public: Some("rw------".into()),
        users: vec![(uid("userAAAAAAA"), "rwrw----".into())],
        user_groups: vec![(uid("ugrpAAAAAAA"), "r-r-----".into())],
    };
    let mut m = Metadata::new();
    m.add_org_unit(OrganisationUnit {
        id: id(ROOT, "ROOT", "Root \"unit\" ü"),
        parent: None,
        opening_date: Some(date(1990, 1, 1)),
        closed_date: Some(date(2030, 12, 31)),
    });
    m.add_org_unit(OrganisationUnit::new(
        Identity::new(uid(F1)),
        Some(uid(ROOT)),
    ));
    m.add_category_option(CategoryOption {
        id: id("coptAAAAAAA", "OPT_A", "Option A"),
        start_date: Some(date(2020, 1, 1)),
        end_date: Some(date(2020, 12, 31)),
        org_units: vec![uid(ROOT), uid(F1)],
        sharing: sharing.clone(),
    });
    m.add_category(Category {
        id: id("catgAAAAAAA", "CAT_A", "Category A"),
        data_dimension_type: "ATTRIBUTE".into(),
        options: vec![uid("coptAAAAAAA")],
    });
    m.add_category_combo(CategoryCombo {
        id: id("ccmbAAAAAAA", "CC_A", "Combo A"),
        data_dimension_type: "ATTRIBUTE".into(),
        categories: vec![uid("catgAAAAAAA")],
    });
    m.add_category_option_combo(CategoryOptionCombo {
        id: id(AOC_X, "AOC_X", "Option A"),
        category_combo: uid("ccmbAAAAAAA"),
        options: vec![uid("coptAAAAAAA")],
        ignore_approval: true,
    });
    m.add_option_set(OptionSet {
        id: id("osetAAAAAAA", "OS_A", "Option set A"),
        value_type: ValueType::Text,
        options: vec![
            OptionItem {
                id: id("optnAAAAAAA", "ONE", "One"),
            },
            OptionItem {
                id: Identity {
                    uid: uid("optnBBBBBBB"),
                    code: Some("TWO".into()),
                    name: None,
                    attribute_values: Vec::new(),
                },
            },
        ],
    });
    m.add_attribute(Attribute {
        id: id("attrAAAAAAA", "ATTR", "An attribute"),
        value_type: ValueType::Text,
        unique: true,
    });
    m.add_data_element(DataElement {
        id: id(DE_A, "DE_A", "Data element A"),
        value_type: ValueType::Integer,
        aggregation_type: "AVERAGE".into(),
        domain_type: "AGGREGATE".into(),
        zero_is_significant: true,
        category_combo: uid("ccmbAAAAAAA"),
        option_set: Some(uid("osetAAAAAAA")),
        comment_option_set: Some(uid("osetAAAAAAA")),
        sharing: sharing.clone(),
    });
    m.add_data_element(DataElement {
        id: Identity::new(uid(DE_B)),
        value_type: ValueType::Number,
        aggregation_type: "SUM".into(),
        domain_type: "AGGREGATE".into(),
        zero_is_significant: false,
        category_combo: uid("bjDvmb4bfuf"),
        option_set: None,
        comment_option_set: None,
        sharing: Sharing::default(),
    });
    m.add_data_set(DataSet {
        id: id(DS_A, "DS_A", "Data set A"),
        period_type: PeriodType::Quarterly,
        elements: vec![
            DataSetElement {
                data_element: uid(DE_A),
                category_combo: Some(uid("ccmbAAAAAAA")),
            },
            DataSetElement {
                data_element: uid(DE_B),
                category_combo: None,
            },
        ],
        org_units: vec![uid(ROOT), uid(F1)],
        category_combo: uid("ccmbAAAAAAA"),
        expiry_days: 10,
        open_future_periods: 2,
        open_periods_after_co_end_date: 1,
        data_input_periods: vec![
            DataInputPeriod {
                period: pe("2020Q1"),
                opening_date: Some(
                    NaiveDateTime::parse_from_str(
                        "2020-01-01T08:30:00.250",
                        "%Y-%m-%dT%H:%M:%S%.f",
                    )
                    .unwrap(),
                ),
                closing_date: Some(
                    NaiveDateTime::parse_from_str("2020-04-15T00:00:00", "%Y-%m-%dT%H:%M:%S")
                        .unwrap(),
                ),
            },
            DataInputPeriod {
                period: pe("2020Q2"),
                opening_date: None,
                closing_date: None,
            },
        ],
        no_value_requires_comment: true,
        workflow: Some(uid("wflwAAAAAAA")),
        sharing: sharing.clone(),
    });
    m.add_data_element_group(DataElementGroup {
        id: id("degrAAAAAAA", "DEG", "Group"),
        data_elements: vec![uid(DE_A), uid(DE_B)],
    });
    m.add_org_unit_group(OrganisationUnitGroup {
        id: id("ougrAAAAAAA", "OUG", "Unit group"),
        org_units: vec![uid(F1)],
    });
    m.add_user(User {
        id: id("userAAAAAAA", "USER", "A User"),
        username: "auser".into(),
        org_units: vec![uid(F1)],
        data_view_org_units: vec![uid(ROOT)],
        authorities: vec!["F_DATAVALUE_ADD".into(), "ALL".into()],
        user_groups: vec![uid("ugrpAAAAAAA")],
    });
    m.ensure_defaults();
    m.compute_hierarchy().unwrap();
    m
}

fn assert_same_metadata(a: &Metadata, b: &Metadata) {
    assert_eq!(a.org_units(), b.org_units());
    assert_eq!(a.data_elements(), b.data_elements());
    assert_eq!(a.category_options(), b.category_options());
    assert_eq!(a.categories(), b.categories());
    assert_eq!(a.category_combos(), b.category_combos());
    assert_eq!(a.category_option_combos(), b.category_option_combos());
    assert_eq!(a.data_sets(), b.data_sets());
    assert_eq!(a.option_sets(), b.option_sets());
    assert_eq!(a.attributes(), b.attributes());
    assert_eq!(a.data_element_groups(), b.data_element_groups());
    assert_eq!(a.org_unit_groups(), b.org_unit_groups());
    assert_eq!(a.users(), b.users());
}

fn metadata_round_trips(s: &mut impl TestStore) {
    // Nothing saved: nothing loaded (not even the defaults).
    let empty = s.load_metadata().unwrap();
    assert!(empty.org_units().is_empty() && empty.category_option_combos().is_empty());

    let m = full_metadata();
    s.save_metadata(&m).unwrap();
    let loaded = s.load_metadata().unwrap();
    assert_same_metadata(&loaded, &m);
    assert_eq!(
        loaded.org_unit_path(&uid(F1)).unwrap().to_string(),
        format!("/{ROOT}/{F1}")
    );
    assert!(loaded.default_category_option_combo().is_some());

    // Saving again adds and replaces by UID, keeping positions.
    let mut more = Metadata::new();
    let mut renamed = m.data_elements()[1].clone();
    renamed.id.name = Some("Renamed".into());
    more.add_data_element(renamed.clone());
    more.add_org_unit(org_unit(F2, Some(F1)));
    s.save_metadata(&more).unwrap();
    let loaded = s.load_metadata().unwrap();
    assert_eq!(loaded.data_elements().len(), 2);
    assert_eq!(loaded.data_elements()[1], renamed);
    assert_eq!(loaded.data_elements()[0], m.data_elements()[0]);
    assert_eq!(
        loaded.org_unit_path(&uid(F2)).unwrap().to_string(),
        format!("/{ROOT}/{F1}/{F2}")
    );
    assert_eq!(loaded.org_unit_level(&uid(F2)), Some(3));

    // The hierarchy of metadata saved later serves subtree queries.
    s.begin().unwrap();
    s.insert(&row(key(DE_A, "202001", F2), "in-f2")).unwrap();
    s.commit().unwrap();
    let q = ValueQuery {
        org_units: Some(
            loaded
                .org_unit_subtree(&uid(F1))
                .map(|o| o.id.uid)
                .collect(),
        ),
        ..all_elements()
    };
    assert_eq!(values(s, &q), ["in-f2"]);

    // Saving units whose parents would close a cycle with the stored ones fails and saves
    // nothing: the store stays loadable.
    let mut cycle = Metadata::new();
    cycle.add_org_unit(org_unit(ROOT, Some(F2)));
    cycle.add_org_unit(org_unit(DE_A, None));
    let err = s.save_metadata(&cycle).unwrap_err();
    assert!(matches!(err, StoreError::Hierarchy(_)), "{err:?}");
    assert_eq!(
        err.to_string(),
        format!("store metadata: org unit hierarchy has a cycle: {ROOT} → {F2} → {F1} → {ROOT}")
    );
    let loaded = s.load_metadata().unwrap();
    assert_eq!(loaded.org_unit(&uid(ROOT)).unwrap().parent, None);
    assert!(loaded.org_unit(&uid(DE_A)).is_none());
}

fn metadata_saved_in_a_rolled_back_transaction_is_gone(s: &mut impl TestStore) {
    s.save_metadata(&org_unit_tree()).unwrap();
    s.begin().unwrap();
    s.save_metadata(&full_metadata()).unwrap();
    s.rollback().unwrap();
    let loaded = s.load_metadata().unwrap();
    assert_eq!(loaded.org_units().len(), 6);
    assert!(loaded.data_sets().is_empty());
}

macro_rules! conformance {
    ($module:ident, $make:expr) => {
        mod $module {
            use super::*;

            #[test]
            fn insert_get_update_soft_delete() {
                super::insert_get_update_soft_delete(&mut *$make);
            }
            #[test]
            fn inserted_in_this_transaction() {
                super::inserted_in_this_transaction(&mut *$make);
            }
            #[test]
            fn rollback_restores() {
                super::rollback_restores(&mut *$make);
            }
            #[test]
            fn misuse_is_refused() {
                super::misuse_is_refused(&mut *$make);
            }
            #[test]
            fn audits_are_kept_in_order() {
                super::audits_are_kept_in_order(&mut *$make);
            }
            #[test]
            fn completions_are_created_and_replaced() {
                super::completions_are_created_and_replaced(&mut *$make);
            }
            #[test]
            fn lock_exceptions_are_found() {
                super::lock_exceptions_are_found(&mut *$make);
            }
            #[test]
            fn query_orders_rows() {
                super::query_orders_rows(&mut *$make);
            }
            #[test]
            fn query_filters() {
                super::query_filters(&mut *$make);
            }
            #[test]
            fn query_callback_errors_stop_the_query() {
                super::query_callback_errors_stop_the_query(&mut *$make);
            }
            #[test]
            fn metadata_round_trips() {
                super::metadata_round_trips(&mut *$make);
            }
            #[test]
            fn metadata_saved_in_a_rolled_back_transaction_is_gone() {
                super::metadata_saved_in_a_rolled_back_transaction_is_gone(&mut *$make);
            }
        }
    };
}

conformance!(memory, Box::new(MemoryStore::new()));
conformance!(
    sqlite_in_memory,
    Box::new(SqliteStore::open_in_memory().unwrap())
);
conformance!(sqlite_file, TempStore::open("conformance"));

// ---------------------------------------------------------------------------------------------
// Both stores give the same answers

#[test]
fn memory_and_sqlite_agree_on_a_larger_data_set() {
    let mut memory = MemoryStore::new();
    let mut sqlite = SqliteStore::open_in_memory().unwrap();
    let periods = [
        "2020W1",
        "2020W2",
        "20200101",
        "202001",
        "202002",
        "2020Q1",
        "2020",
        "2020S1",
        "2020April",
        "202001B",
    ];
    let units = [ROOT, D1, D2, F1, F2, F3];
    let elements = [DE_A, DE_B, DE_C];
    let combos = [DEFAULT, COC_X];
    let tree = org_unit_tree();
    for store in [&mut memory as &mut dyn DataValueStore, &mut sqlite] {
        store.begin().unwrap();
        // A scrambled but fixed insertion order.
        let mut n: usize = 0;
        for i in 0..(periods.len() * units.len() * elements.len() * combos.len()) {
            let j = (i * 37) % (periods.len() * units.len() * elements.len() * combos.len());
            let (p, rest) = (j % periods.len(), j / periods.len());
            let (u, rest) = (rest % units.len(), rest / units.len());
            let (e, c) = (rest % elements.len(), rest / elements.len());
            let mut r = row(
                key_full(elements[e], periods[p], units[u], combos[c], DEFAULT),
                &format!("v{j}"),
            );
            r.deleted = matches!(j % 7, 0);
            r.last_updated = at(10, 0, i64::try_from(j % 50).unwrap());
            store.insert(&r).unwrap();
            n += 1;
        }
        assert_eq!(n, 360);
        store.commit().unwrap();
    }
    memory.save_metadata(&tree).unwrap();
    sqlite.save_metadata(&tree).unwrap();

    let queries = [
        ValueQuery {
            include_deleted: true,
            ..all_elements()
        },
        all_elements(),
        ValueQuery {
            date_range: Some((date(2020, 1, 1), date(2020, 6, 30))),
            ..all_elements()
        },
        ValueQuery {
            periods: vec![pe("2020W2"), pe("2020")],
            ..all_elements()
        },
        ValueQuery {
            org_units: subtrees(&[D1]),
            limit: Some(17),
            ..all_elements()
        },
        ValueQuery {
            org_units: Some(vec![uid(F3), uid(ROOT)]),
            last_updated_since: Some(at(10, 0, 25)),
            ..all_elements()
        },
        ValueQuery {
            data_elements: vec![uid(DE_C)],
            attribute_option_combos: vec![uid(DEFAULT)],
            ..ValueQuery::default()
        },
    ];
    for q in &queries {
        let from_memory = rows(&mut memory, q);
        assert!(!from_memory.is_empty(), "{q:?}");
        assert_eq!(from_memory, rows(&mut sqlite, q), "{q:?}");
    }
    let all = rows(&mut memory, &queries[0]);
    assert_eq!(all.len(), 360);
    // The order is the documented one.
    let sort_key = |r: &StoredValue| {
        (
            r.key.period.start_date(),
            r.key.period.period_type().name(),
            r.key.data_element.to_string(),
            r.key.org_unit.to_string(),
            r.key.category_option_combo.to_string(),
            r.key.attribute_option_combo.to_string(),
        )
    };
    assert!(all.windows(2).all(|w| sort_key(&w[0]) < sort_key(&w[1])));
}

// ---------------------------------------------------------------------------------------------
// The file store

#[test]
fn reopening_a_file_keeps_everything() {
    let path = TempPath::new("reopen");
    let a = key(DE_A, "202001", F1);
    let b = key(DE_B, "2020Q1", F1);
    let mut ra = row(a, "1");
    ra.comment = Some("kept".into());
    ra.followup = true;
    let mut rb = row(b, "2");
    rb.deleted = true;
    {
        let mut s = SqliteStore::open(&path).unwrap();
        s.save_metadata(&full_metadata()).unwrap();
        s.begin().unwrap();
        s.insert(&ra).unwrap();
        s.insert(&rb).unwrap();
        s.audit(&audit(a, Some("0"), 1, AuditType::Update)).unwrap();
        s.set_completion(&completion("202001", DEFAULT, 1, true))
            .unwrap();
        s.commit().unwrap();
        s.add_lock_exception(&uid(DS_A), &pe("202001"), &uid(F1))
            .unwrap();
        // An uncommitted transaction when the store is dropped is rolled back.
        s.begin().unwrap();
        s.insert(&row(key(DE_C, "202001", F1), "lost")).unwrap();
    }
    let mut s = SqliteStore::open(&path).unwrap();
    s.integrity_check().unwrap();
    assert_eq!(s.value_count().unwrap(), 2);
    let mut read = row(a, "");
    s.begin().unwrap();
    // Rows of earlier sessions are not "inserted in this transaction" (transaction numbers go on
    // across sessions).
    assert_eq!(s.get(&a, &mut read).unwrap(), Existing::Stored);
    assert_eq!(read, ra);
    assert_eq!(s.get(&b, &mut read).unwrap(), Existing::Stored);
    assert_eq!(read, rb);
    assert_eq!(
        s.get(&key(DE_C, "202001", F1), &mut read).unwrap(),
        Existing::None
    );
    s.commit().unwrap();
    assert_eq!(
        s.audits(&a).unwrap(),
        vec![audit(a, Some("0"), 1, AuditType::Update)]
    );
    assert_eq!(
        get_completion(&mut s, "202001", DEFAULT),
        Some(completion("202001", DEFAULT, 1, true))
    );
    assert!(s
        .has_lock_exception(&uid(DS_A), &pe("202001"), &uid(F1))
        .unwrap());
    assert_same_metadata(&s.load_metadata().unwrap(), &full_metadata());
    let loaded = s.load_metadata().unwrap();
    let q = ValueQuery {
        org_units: Some(
            loaded
                .org_unit_subtree(&uid(ROOT))
                .map(|o| o.id.uid)
                .collect(),
        ),
        include_deleted: true,
        ..all_elements()
    };
    assert_eq!(values(&mut s, &q), ["1", "2"]);
}

#[test]
fn a_file_that_is_not_a_database_is_refused() {
    let path = TempPath::new("not-a-database");
    std::fs::write(
        &path,
        "dataelement,period,orgunit\nf7n9E0hX8qk,202001,DiszpKrYNg8\n".repeat(100),
    )
    .unwrap();
    let err = SqliteStore::open(&path).unwrap_err();
    assert!(matches!(err, StoreError::Incompatible(_)), "{err:?}");
    let message = err.to_string();
    assert!(message.contains("is not a SQLite database"), "{message}");
    assert!(message.contains("not-a-database"), "{message}");
    // The file is left as it was.
    assert!(std::fs::read_to_string(&path)
        .unwrap()
        .starts_with("dataelement,period"));
}

#[test]
fn a_directory_cannot_be_opened() {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    let err = SqliteStore::open(&dir).unwrap_err();
    assert!(
        err.to_string().contains(&dir.display().to_string()),
        "{err}"
    );
}

#[test]
fn an_empty_file_becomes_a_store() {
    let path = TempPath::new("empty");
    std::fs::write(&path, "").unwrap();
    let mut s = SqliteStore::open(&path).unwrap();
    assert_eq!(s.value_count().unwrap(), 0);
    s.integrity_check().unwrap();
}

#[test]
fn a_store_of_another_schema_version_is_refused() {
    let path = TempPath::new("other-version");
    drop(SqliteStore::open(&path).unwrap());
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute("UPDATE schema_version SET version = 99", [])
            .unwrap();
    }
    let err = SqliteStore::open(&path).unwrap_err();
    assert!(matches!(err, StoreError::Incompatible(_)), "{err:?}");
    let message = err.to_string();
    assert!(message.contains("schema version 99"), "{message}");
    assert!(
        message.contains(&format!(
            "reads schema versions 1 to {} only",
            dxf2_store_sqlite::SCHEMA_VERSION
        )),
        "{message}"
    );
}

#[test]
fn another_sqlite_database_is_refused() {
    let path = TempPath::new("foreign");
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch("CREATE TABLE datavalue (x INTEGER); INSERT INTO datavalue VALUES (1);")
            .unwrap();
    }
    let err = SqliteStore::open(&path).unwrap_err();
    assert!(matches!(err, StoreError::Incompatible(_)), "{err:?}");
    assert!(err.to_string().contains("not a dxf2 store"), "{err}");
}

#[test]
fn corrupt_metadata_is_reported_with_its_object() {
    // The error loading a store holding `full_metadata` changed by `sql`.
    let load_error = |sql: &str| -> String {
        let path = TempPath::new("bad-metadata");
        SqliteStore::open(&path)
            .unwrap()
            .save_metadata(&full_metadata())
            .unwrap();
        rusqlite::Connection::open(&path)
            .unwrap()
            .execute_batch(sql)
            .unwrap();
        let err = SqliteStore::open(&path)
            .unwrap()
            .load_metadata()
            .unwrap_err();
        let message = err.to_string();
        assert!(matches!(err, StoreError::Incompatible(_)), "{message}");
        message
    };
    // A column of an org unit's row.
    let message = load_error(&format!(
        "UPDATE organisationunit SET openingdate = 'soon' WHERE uid = '{F1}'"
    ));
    assert!(
        message.contains(F1) && message.contains("`openingdate`") && message.contains("soon"),
        "{message}"
    );
    // A list-valued column of a data element's row.
    let message = load_error(&format!(
        "UPDATE dataelement SET sharing = '{{\"public\": 7}}' WHERE uid = '{DE_A}'"
    ));
    assert!(
        message.contains(DE_A) && message.contains("`public`"),
        "{message}"
    );
    // An object kept as JSON.
    let message = load_error(&format!(
        "UPDATE metadata_object SET json = '{{\"id\": \"{DS_A}\", \"periodType\": 7}}' WHERE uid = '{DS_A}'"
    ));
    assert!(
        message.contains(DS_A) && message.contains("`periodType`"),
        "{message}"
    );
}

#[test]
fn two_stores_on_one_file_see_committed_rows() {
    let path = TempPath::new("two-handles");
    let mut writer = SqliteStore::open(&path).unwrap();
    let mut reader = SqliteStore::open(&path).unwrap();
    let k = key(DE_A, "202001", F1);
    writer.begin().unwrap();
    writer.insert(&row(k, "1")).unwrap();
    let mut read = row(k, "");
    // Not visible before commit (WAL readers see the last committed state).
    assert_eq!(reader.get(&k, &mut read).unwrap(), Existing::None);
    writer.commit().unwrap();
    assert_eq!(reader.get(&k, &mut read).unwrap(), Existing::Stored);
    assert_eq!(read.value.as_deref(), Some("1"));
}

#[test]
fn metadata_saved_with_a_cycle_inside_an_import_is_undone_alone() {
    let mut s = SqliteStore::open_in_memory().unwrap();
    s.save_metadata(&org_unit_tree()).unwrap();
    s.begin().unwrap();
    s.insert(&row(key(DE_A, "202001", F1), "kept")).unwrap();
    let mut cycle = Metadata::new();
    cycle.add_org_unit(org_unit(ROOT, Some(F1)));
    let err = s.save_metadata(&cycle).unwrap_err();
    assert!(matches!(err, StoreError::Hierarchy(_)), "{err:?}");
    s.commit().unwrap();
    assert_eq!(values(&mut s, &all_elements()), ["kept"]);
    let md = s.load_metadata().unwrap();
    assert_eq!(md.org_unit(&uid(ROOT)).unwrap().parent, None);
}
