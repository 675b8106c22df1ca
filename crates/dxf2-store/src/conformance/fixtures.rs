//! What the cases share: UIDs, keys, rows and instants, and helpers that read a store whole
//! (every row of a lookup, a query, the records of a kind) so that a case compares plain values.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use dxf2_model::metadata::{Identity, OrganisationUnit};
use dxf2_model::{Metadata, Period, Uid};

use crate::{
    Audit, AuditType, Changes, Completion, DataValueKey, DataValueStore, Existing, StoreError,
    StoredValue, ValueQuery, Write,
};

/// The default category option combo (also the default attribute option combo).
pub(super) const DEFAULT: &str = "HllvX50cXC0";
/// Another category option combo. Upper case `H` sorts before lower case `c` as text (byte
/// order), unlike in most locales' collations.
pub(super) const COC_X: &str = "cocXXXXXXXX";
/// Another attribute option combo (sorts after [`DEFAULT`] as text).
pub(super) const AOC_X: &str = "aocXXXXXXXX";
pub(super) const DE_A: &str = "deAAAAAAAAA";
pub(super) const DE_B: &str = "deBBBBBBBBB";
pub(super) const DE_C: &str = "deCCCCCCCCC";
pub(super) const DS_A: &str = "dsAAAAAAAAA";
pub(super) const DS_B: &str = "dsBBBBBBBBB";
/// Org unit tree ([`org_unit_tree`]): ROOT → D1 → {F1, F2}; ROOT → D2 → F3.
pub(super) const ROOT: &str = "ouRootAAAAA";
pub(super) const D1: &str = "ouDist1AAAA";
pub(super) const D2: &str = "ouDist2AAAA";
pub(super) const F1: &str = "ouFac1AAAAA";
pub(super) const F2: &str = "ouFac2AAAAA";
pub(super) const F3: &str = "ouFac3AAAAA";

/// A UID from a constant of this module.
pub(super) fn uid(s: &str) -> Uid {
    Uid::parse(s).unwrap_or_else(|e| panic!("test UID `{s}`: {e}"))
}

/// A period from its ISO form.
pub(super) fn pe(s: &str) -> Period {
    s.parse()
        .unwrap_or_else(|e| panic!("test period `{s}`: {e}"))
}

/// A calendar day.
pub(super) fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_else(|| panic!("test date {y}-{m}-{d}"))
}

/// An instant on 2024-03-01, to the millisecond (the precision every store keeps).
pub(super) fn at(hour: u32, minute: u32, millis: i64) -> DateTime<Utc> {
    instant(2024, 3, 1, hour, minute, millis)
}

/// An instant, to the millisecond.
pub(super) fn instant(y: i32, mo: u32, d: u32, h: u32, mi: u32, millis: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, mo, d, h, mi, 0)
        .single()
        .unwrap_or_else(|| panic!("test instant {y}-{mo}-{d} {h}:{mi}"))
        + chrono::TimeDelta::milliseconds(millis)
}

/// A key from its five parts.
pub(super) fn key5(de: &str, period: &str, ou: &str, coc: &str, aoc: &str) -> DataValueKey {
    DataValueKey {
        data_element: uid(de),
        period: pe(period),
        org_unit: uid(ou),
        category_option_combo: uid(coc),
        attribute_option_combo: uid(aoc),
    }
}

/// A key with the default combos.
pub(super) fn key(de: &str, period: &str, ou: &str) -> DataValueKey {
    key5(de, period, ou, DEFAULT, DEFAULT)
}

/// A row holding `value`, stored by `admin`, created and updated at 10:00.
pub(super) fn row(key: DataValueKey, value: &str) -> StoredValue {
    let mut r = StoredValue::empty(key, at(10, 0, 0));
    r.value = Some(value.to_owned());
    r.stored_by = Some("admin".to_owned());
    r
}

/// The same row, soft-deleted.
pub(super) fn deleted(mut r: StoredValue) -> StoredValue {
    r.deleted = true;
    r
}

/// An audit of `key` by `admin` at 12:`minute`.
pub(super) fn audit(
    key: DataValueKey,
    previous: Option<&str>,
    minute: u32,
    audit_type: AuditType,
) -> Audit {
    Audit {
        key,
        previous_value: previous.map(str::to_owned),
        modified_by: "admin".to_owned(),
        created: at(12, minute, 5),
        audit_type,
    }
}

/// A completion of a data set for (period, org unit, AOC), dated 2024-02-`day`.
pub(super) fn completion(
    data_set: &str,
    period: &str,
    ou: &str,
    aoc: &str,
    day: u32,
    completed: bool,
) -> Completion {
    Completion {
        data_set: uid(data_set),
        period: pe(period),
        org_unit: uid(ou),
        attribute_option_combo: uid(aoc),
        date: date(2024, 2, day),
        stored_by: "admin".to_owned(),
        last_updated: at(13, day, 7),
        completed,
    }
}

/// An org unit with only a UID and a parent.
pub(super) fn org_unit(id: &str, parent: Option<&str>) -> OrganisationUnit {
    OrganisationUnit::new(Identity::new(uid(id)), parent.map(uid))
}

/// The org unit tree ROOT → D1 → {F1, F2}; ROOT → D2 → F3 (children listed before parents).
pub(super) fn org_unit_tree() -> Metadata {
    let mut m = Metadata::new();
    m.add_org_unit(org_unit(F1, Some(D1)));
    m.add_org_unit(org_unit(F2, Some(D1)));
    m.add_org_unit(org_unit(F3, Some(D2)));
    m.add_org_unit(org_unit(D1, Some(ROOT)));
    m.add_org_unit(org_unit(D2, Some(ROOT)));
    m.add_org_unit(org_unit(ROOT, None));
    m
}

/// Unwraps a store call, failing the case with what the store was asked and its error.
#[track_caller]
pub(super) fn must<T>(result: Result<T, StoreError>, what: &str) -> T {
    match result {
        Ok(t) => t,
        Err(e) => panic!("the store failed {what}: {e} ({e:?})"),
    }
}

/// Fails the case unless `result` is a [`StoreError::Misuse`].
#[track_caller]
pub(super) fn must_be_misuse<T: std::fmt::Debug>(result: Result<T, StoreError>, what: &str) {
    match result {
        Err(StoreError::Misuse(_)) => {}
        other => panic!("{what} must fail with StoreError::Misuse, got {other:?}"),
    }
}

/// A batch of row writes.
pub(super) fn batch(writes: &[(Write, &StoredValue)]) -> Changes {
    let mut changes = Changes::new();
    for (write, row) in writes {
        changes.push_row(*write, row);
    }
    changes
}

/// A batch inserting `rows`.
pub(super) fn inserts(rows: &[StoredValue]) -> Changes {
    let mut changes = Changes::new();
    for row in rows {
        changes.push_row(Write::Insert, row);
    }
    changes
}

/// Applies `changes` in a transaction of its own and commits it.
#[track_caller]
pub(super) fn commit<S: DataValueStore + ?Sized>(store: &mut S, changes: &Changes) {
    must(store.begin(), "to begin a transaction");
    must(store.apply(changes), "to apply a batch");
    must(store.commit(), "to commit");
}

/// Inserts `rows` in one batch of a transaction of its own, committed.
#[track_caller]
pub(super) fn commit_rows<S: DataValueStore + ?Sized>(store: &mut S, rows: &[StoredValue]) {
    commit(store, &inserts(rows));
}

/// Looks `keys` up in one call: for every key, its row and how it exists, or `None`. Fails the
/// case when the store reports an index out of range, an index twice or [`Existing::None`].
#[track_caller]
pub(super) fn lookup<S: DataValueStore + ?Sized>(
    store: &mut S,
    keys: &[DataValueKey],
) -> Vec<Option<(StoredValue, Existing)>> {
    let mut found: Vec<(usize, StoredValue, Existing)> = Vec::new();
    must(
        store.lookup(keys, &mut |i, row, existing| {
            found.push((i, row.clone(), existing));
            Ok(())
        }),
        "to look keys up",
    );
    let mut out: Vec<Option<(StoredValue, Existing)>> = vec![None; keys.len()];
    for (i, row, existing) in found {
        assert!(
            existing != Existing::None,
            "lookup reported key {i} with Existing::None"
        );
        let Some(slot) = out.get_mut(i) else {
            panic!("lookup reported index {i} for {} keys", keys.len());
        };
        assert!(slot.is_none(), "lookup reported key {i} twice");
        assert_eq!(
            row.key, keys[i],
            "lookup reported, for key {i}, a row of another key"
        );
        *slot = Some((row, existing));
    }
    out
}

/// The row of one key and how it exists.
#[track_caller]
pub(super) fn get<S: DataValueStore + ?Sized>(
    store: &mut S,
    key: &DataValueKey,
) -> Option<(StoredValue, Existing)> {
    lookup(store, std::slice::from_ref(key)).pop().flatten()
}

/// Fails the case unless `key` has exactly the row `expected`, existing as `existing`.
#[track_caller]
pub(super) fn assert_row<S: DataValueStore + ?Sized>(
    store: &mut S,
    expected: &StoredValue,
    existing: Existing,
) {
    match get(store, &expected.key) {
        Some((row, e)) => {
            assert_eq!(
                &row, expected,
                "the row read back differs from the one written"
            );
            assert_eq!(e, existing, "how the row exists, for {:?}", expected.key);
        }
        None => panic!("no row for {:?}", expected.key),
    }
}

/// Fails the case unless `key` has no row.
#[track_caller]
pub(super) fn assert_no_row<S: DataValueStore + ?Sized>(store: &mut S, key: &DataValueKey) {
    if let Some((row, existing)) = get(store, key) {
        panic!("expected no row for {key:?}, found {row:?} ({existing:?})");
    }
}

/// Every row `query` matches, in the store's order.
#[track_caller]
pub(super) fn query_rows<S: DataValueStore + ?Sized>(
    store: &mut S,
    query: &ValueQuery,
) -> Vec<StoredValue> {
    let mut out = Vec::new();
    must(
        store.query(query, &mut |row| {
            out.push(row.clone());
            Ok(())
        }),
        "to query rows",
    );
    out
}

/// The values of the rows `query` matches, in the store's order (`<null>` for no value).
#[track_caller]
pub(super) fn query_values<S: DataValueStore + ?Sized>(
    store: &mut S,
    query: &ValueQuery,
) -> Vec<String> {
    query_rows(store, query)
        .into_iter()
        .map(|r| r.value.unwrap_or_else(|| "<null>".to_owned()))
        .collect()
}

/// A query of every row (soft-deleted ones too) of the data elements A, B and C.
pub(super) fn everything() -> ValueQuery {
    ValueQuery {
        data_elements: vec![uid(DE_A), uid(DE_B), uid(DE_C)],
        include_deleted: true,
        ..ValueQuery::default()
    }
}

/// Every record of `kind`, as the store lists them.
#[track_caller]
pub(super) fn records<S: DataValueStore + ?Sized>(
    store: &mut S,
    kind: &str,
) -> Vec<(String, String)> {
    let mut out = Vec::new();
    must(
        store.records(kind, &mut |id, body| {
            out.push((id.to_owned(), body.to_owned()));
            Ok(())
        }),
        "to list records",
    );
    out
}

/// Every completion changed after `since`, as the store lists them.
#[track_caller]
pub(super) fn changed_completions<S: DataValueStore + ?Sized>(
    store: &mut S,
    since: u64,
) -> Vec<Completion> {
    let mut out = Vec::new();
    must(
        store.changed_completions(since, &mut |c| {
            out.push(c.clone());
            Ok(())
        }),
        "to list changed completions",
    );
    out
}

/// The completion of (data set, period, org unit, AOC).
#[track_caller]
pub(super) fn completion_of<S: DataValueStore + ?Sized>(
    store: &mut S,
    data_set: &str,
    period: &str,
    ou: &str,
    aoc: &str,
) -> Option<Completion> {
    must(
        store.completion(&uid(data_set), &pe(period), &uid(ou), &uid(aoc)),
        "to read a completion",
    )
}

/// The store's last change number.
#[track_caller]
pub(super) fn last_change<S: DataValueStore + ?Sized>(store: &mut S) -> u64 {
    must(store.last_change(), "to read the last change number")
}
