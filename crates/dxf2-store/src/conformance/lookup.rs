//! Cases: `lookup`. Only stored keys answer, each once, with its own row; rows inserted by the
//! open transaction are told from stored ones; large batches, keys that differ in one part,
//! every period type and soft-deleted rows.

use std::collections::BTreeSet;

use dxf2_model::PeriodType;

use super::fixtures::*;
use super::Harness;
use crate::{DataValueKey, DataValueStore, Existing, StoredValue, ValueQuery, Write};

/// A lookup answers only for keys that have a row, with that row (an empty list of keys, and an
/// empty store, answer nothing), the same inside a transaction.
pub fn lookup_reports_only_stored_keys<H: Harness>(h: &mut H) {
    let mut s = h.fresh();
    let (a, b, c, d) = (
        key(DE_A, "202001", F1),
        key(DE_A, "202002", F1),
        key(DE_B, "202001", F1),
        key(DE_B, "202002", F1),
    );
    assert!(lookup(&mut s, &[]).is_empty());
    assert_eq!(lookup(&mut s, &[a, b]), [None, None], "an empty store");

    let mut ra = row(a, "1");
    ra.comment = Some("first".to_owned());
    let rc = row(c, "3");
    commit_rows(&mut s, &[ra.clone(), rc.clone()]);
    let expected = [
        None,
        Some((ra.clone(), Existing::Stored)),
        None,
        Some((rc.clone(), Existing::Stored)),
    ];
    assert_eq!(lookup(&mut s, &[b, a, d, c]), expected);
    must(s.begin(), "to begin");
    assert_eq!(lookup(&mut s, &[b, a, d, c]), expected, "in a transaction");
    assert!(lookup(&mut s, &[]).is_empty());
    must(s.rollback(), "to roll back");
}

/// A row inserted by an `apply` of the open transaction is
/// [`Existing::InsertedInThisTransaction`] (also once updated or soft-deleted in a later batch of
/// it); rows of earlier transactions, also updated in this one, are [`Existing::Stored`], as is
/// every row once committed; a rolled-back transaction's inserts are gone and its number is not
/// mistaken for the next one's.
pub fn lookup_tells_inserted_in_this_transaction_from_stored<H: Harness>(h: &mut H) {
    let mut s = h.fresh();
    let (a, b, c, e) = (
        key(DE_A, "202001", F1),
        key(DE_B, "202001", F1),
        key(DE_C, "202001", F1),
        key(DE_C, "202002", F1),
    );
    let inserted = Existing::InsertedInThisTransaction;

    must(s.begin(), "to begin");
    must(s.apply(&inserts(&[row(a, "1")])), "to insert");
    assert_row(&mut s, &row(a, "1"), inserted);
    must(
        s.apply(&batch(&[(Write::Update, &row(a, "2"))])),
        "to update",
    );
    assert_row(&mut s, &row(a, "2"), inserted);
    must(s.apply(&inserts(&[row(e, "9")])), "to insert");
    let gone = deleted(row(e, "9"));
    must(s.apply(&batch(&[(Write::Update, &gone)])), "to soft-delete");
    assert_row(&mut s, &gone, inserted);
    must(s.commit(), "to commit");

    // After commit, outside any transaction and in the next one: stored.
    assert_row(&mut s, &row(a, "2"), Existing::Stored);
    must(s.begin(), "to begin");
    assert_row(&mut s, &row(a, "2"), Existing::Stored);
    assert_row(&mut s, &gone, Existing::Stored);
    // A stored row updated in this transaction stays stored; a new one beside it is inserted.
    let changes = batch(&[(Write::Update, &row(a, "3")), (Write::Insert, &row(b, "4"))]);
    must(s.apply(&changes), "to apply a batch");
    assert_eq!(
        lookup(&mut s, &[c, b, a]),
        [
            None,
            Some((row(b, "4"), inserted)),
            Some((row(a, "3"), Existing::Stored))
        ]
    );
    must(s.commit(), "to commit");
    must(s.begin(), "to begin");
    assert_row(&mut s, &row(b, "4"), Existing::Stored);
    must(s.commit(), "to commit");

    // A rolled-back insert is gone; the next transaction's inserts are its own.
    must(s.begin(), "to begin");
    must(s.apply(&inserts(&[row(c, "5")])), "to insert");
    must(s.rollback(), "to roll back");
    must(s.begin(), "to begin");
    assert_no_row(&mut s, &c);
    assert_row(&mut s, &row(b, "4"), Existing::Stored);
    must(s.apply(&inserts(&[row(c, "6")])), "to insert");
    assert_row(&mut s, &row(c, "6"), inserted);
    must(s.commit(), "to commit");
    assert_row(&mut s, &row(c, "6"), Existing::Stored);
}

/// Number of keys of the large lookup.
const LARGE: usize = 25_000;
/// Most rows the large case writes in one batch (what the engine does).
const BATCH: usize = 10_000;

/// Key `i` of the large lookup: 5 data elements × 10 months × 500 org units.
fn large_key(i: usize) -> DataValueKey {
    let de = format!("deLarge{:04}", i % 5);
    let month = format!("2020{:02}", (i / 5) % 10 + 1);
    let ou = format!("ou{:09}", i / 50);
    key(&de, &month, &ou)
}

/// Whether key `i` of the large lookup is stored before the transaction.
fn large_stored(i: usize) -> bool {
    i % 3 != 1
}

/// Whether key `i` of the large lookup is inserted by the transaction.
fn large_inserted(i: usize) -> bool {
    !large_stored(i) && i.is_multiple_of(2)
}

/// A lookup of 25,000 keys, in scrambled order, two thirds of them stored (written in batches of
/// at most 10,000 rows): every stored key answers at its own index with its own row, the others
/// do not; inside a transaction that inserted some of the others, those answer as
/// [`Existing::InsertedInThisTransaction`].
pub fn lookup_answers_large_batches_at_the_right_indices<H: Harness>(h: &mut H) {
    let mut s = h.fresh();
    let value = |i: usize| row(large_key(i), &i.to_string());
    let stored: Vec<StoredValue> = (0..LARGE).filter(|i| large_stored(*i)).map(value).collect();
    must(s.begin(), "to begin");
    for chunk in stored.chunks(BATCH) {
        must(s.apply(&inserts(chunk)), "to insert a batch");
    }
    must(s.commit(), "to commit");

    // 7,919 is prime to 25,000: `order` visits every key once, scrambled.
    let order: Vec<usize> = (0..LARGE).map(|j| (j * 7_919) % LARGE).collect();
    let keys: Vec<DataValueKey> = order.iter().map(|i| large_key(*i)).collect();
    let check = |found: Vec<Option<(StoredValue, Existing)>>, in_txn: bool| {
        for (j, answer) in found.into_iter().enumerate() {
            let i = order[j];
            let expected = if large_stored(i) {
                Some((value(i), Existing::Stored))
            } else if in_txn && large_inserted(i) {
                Some((value(i), Existing::InsertedInThisTransaction))
            } else {
                None
            };
            assert_eq!(answer, expected, "key {i} (index {j} of the lookup)");
        }
    };
    check(lookup(&mut s, &keys), false);

    must(s.begin(), "to begin");
    let new: Vec<StoredValue> = (0..LARGE)
        .filter(|i| large_inserted(*i))
        .map(value)
        .collect();
    must(s.apply(&inserts(&new)), "to insert a batch");
    check(lookup(&mut s, &keys), true);
    must(s.rollback(), "to roll back");
    check(lookup(&mut s, &keys), false);
}

/// Keys that differ from another in one part only (data element, period of the same type,
/// period of another type with the same start, org unit, COC, AOC) are different keys.
pub fn lookup_tells_keys_apart_by_every_part<H: Harness>(h: &mut H) {
    let mut s = h.fresh();
    let base = key(DE_A, "202001", F1);
    let others = [
        key(DE_B, "202001", F1),
        key(DE_A, "202002", F1),
        key(DE_A, "2020Q1", F1),
        key(DE_A, "20200101", F1),
        key(DE_A, "2020", F1),
        key(DE_A, "202001", F2),
        key5(DE_A, "202001", F1, COC_X, DEFAULT),
        key5(DE_A, "202001", F1, DEFAULT, AOC_X),
    ];
    let mut all = vec![base];
    all.extend(others);

    commit_rows(&mut s, &[row(base, "base")]);
    let found = lookup(&mut s, &all);
    assert_eq!(found[0], Some((row(base, "base"), Existing::Stored)));
    for (k, answer) in others.iter().zip(found.iter().skip(1)) {
        assert_eq!(answer, &None, "{k:?} differs from the stored key");
    }

    let rows: Vec<StoredValue> = others
        .iter()
        .enumerate()
        .map(|(i, k)| row(*k, &format!("other-{i}")))
        .collect();
    commit_rows(&mut s, &rows);
    let found = lookup(&mut s, &all);
    assert_eq!(found[0], Some((row(base, "base"), Existing::Stored)));
    for (r, answer) in rows.iter().zip(found.iter().skip(1)) {
        assert_eq!(answer, &Some((r.clone(), Existing::Stored)));
    }
    assert_eq!(query_rows(&mut s, &everything()).len(), all.len());
}

/// Two periods of every period type that data values use (every type with an ISO form: daily,
/// the weekly types, bi-weekly, monthly, bi-monthly, the quarterly, six-monthly and financial
/// types, yearly), around a turn of the year: each is its own key, read back as written, and a
/// query returns them in period start, period type name order.
pub fn lookup_keeps_every_period_type<H: Harness>(h: &mut H) {
    let mut s = h.fresh();
    let mut periods: BTreeSet<(chrono::NaiveDate, &'static str, String)> = BTreeSet::new();
    let mut keys: Vec<DataValueKey> = Vec::new();
    for t in PeriodType::ALL.iter().filter(|t| t.has_iso_form()) {
        for day in [date(2024, 1, 15), date(2023, 12, 31)] {
            let period = t
                .period_containing(day)
                .unwrap_or_else(|| panic!("a {} period containing {day}", t.name()));
            if periods.insert((period.start_date(), t.name(), period.to_string())) {
                keys.push(DataValueKey {
                    period,
                    ..key(DE_A, "202001", F1)
                });
            }
        }
    }
    let rows: Vec<StoredValue> = keys
        .iter()
        .map(|k| row(*k, &k.period.to_string()))
        .collect();
    commit_rows(&mut s, &rows);

    let found = lookup(&mut s, &keys);
    for (r, answer) in rows.iter().zip(found) {
        assert_eq!(
            answer,
            Some((r.clone(), Existing::Stored)),
            "{}",
            r.key.period
        );
    }
    let in_order: Vec<String> = periods.into_iter().map(|(_, _, iso)| iso).collect();
    assert_eq!(query_values(&mut s, &everything()), in_order);
    for r in &rows {
        let q = ValueQuery {
            periods: vec![r.key.period],
            ..everything()
        };
        assert_eq!(
            query_rows(&mut s, &q),
            std::slice::from_ref(r),
            "{}",
            r.key.period
        );
    }
}

/// Soft-deleted rows answer a lookup, whole, with `deleted` set (with or without a value).
pub fn lookup_finds_soft_deleted_rows<H: Harness>(h: &mut H) {
    let mut s = h.fresh();
    let mut without_value = deleted(row(key(DE_A, "202001", F1), "x"));
    without_value.value = None;
    let mut with_value = deleted(row(key(DE_A, "202002", F1), "5"));
    with_value.comment = Some("why".to_owned());
    let alive = row(key(DE_A, "202003", F1), "6");
    commit_rows(
        &mut s,
        &[without_value.clone(), with_value.clone(), alive.clone()],
    );
    let found = lookup(&mut s, &[with_value.key, alive.key, without_value.key]);
    assert_eq!(
        found,
        [
            Some((with_value, Existing::Stored)),
            Some((alive, Existing::Stored)),
            Some((without_value, Existing::Stored)),
        ]
    );
}
