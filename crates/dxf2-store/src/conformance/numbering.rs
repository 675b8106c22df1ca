//! Cases: what the jobs and sync work builds on. Change numbers (counted by batches, restored by
//! rollback, kept on reopen, selecting later writes), the store id, and records.

use super::fixtures::*;
use super::Harness;
use crate::{Changes, DataValueStore, StoreError, ValueOrder, ValueQuery, Write};

/// A fresh store's last change number is 0; every `apply` that writes rows, completions or both
/// takes the next number, across transactions.
pub fn change_numbers_count_batches<H: Harness>(h: &mut H) {
    let mut s = h.fresh();
    assert_eq!(last_change(&mut s), 0, "a fresh store");
    let a = row(key(DE_A, "202001", F1), "1");
    let b = row(key(DE_B, "202001", F1), "2");

    must(s.begin(), "to begin");
    assert_eq!(last_change(&mut s), 0, "begin takes no number");
    must(s.apply(&inserts(std::slice::from_ref(&a))), "to insert");
    assert_eq!(last_change(&mut s), 1, "a batch of rows");
    let mut only_completion = Changes::new();
    only_completion.push_completion(&completion(DS_A, "202001", F1, DEFAULT, 1, true));
    must(s.apply(&only_completion), "to apply a completion");
    assert_eq!(last_change(&mut s), 2, "a batch of one completion");
    let mut both = batch(&[(Write::Update, &row(a.key, "3")), (Write::Insert, &b)]);
    both.push_completion(&completion(DS_A, "202002", F1, DEFAULT, 2, true));
    must(s.apply(&both), "to apply a batch");
    assert_eq!(last_change(&mut s), 3, "a batch of rows and completions");
    must(s.commit(), "to commit");
    assert_eq!(last_change(&mut s), 3, "commit takes no number");

    commit(&mut s, &batch(&[(Write::Update, &row(b.key, "4"))]));
    assert_eq!(last_change(&mut s), 4, "the next transaction goes on");
}

/// A rollback restores the last change number, and the rows and completions of the rolled-back
/// batches are not selected as changed; the next batch takes the next number after the
/// restored one.
pub fn rollback_restores_the_change_number<H: Harness>(h: &mut H) {
    let mut s = h.fresh();
    let a = row(key(DE_A, "202001", F1), "1");
    commit_rows(&mut s, std::slice::from_ref(&a));
    assert_eq!(last_change(&mut s), 1);

    must(s.begin(), "to begin");
    must(
        s.apply(&batch(&[(Write::Update, &row(a.key, "2"))])),
        "to update",
    );
    let mut more = inserts(&[row(key(DE_B, "202001", F1), "3")]);
    more.push_completion(&completion(DS_A, "202001", F1, DEFAULT, 1, true));
    must(s.apply(&more), "to apply a batch");
    assert_eq!(last_change(&mut s), 3);
    must(s.rollback(), "to roll back");
    assert_eq!(last_change(&mut s), 1, "after the rollback");
    let since_1 = |s: &mut H::Store| {
        query_values(
            s,
            &ValueQuery {
                changed_since: Some(1),
                ..everything()
            },
        )
    };
    assert!(since_1(&mut s).is_empty());
    assert!(changed_completions(&mut s, 1).is_empty());
    assert!(changed_completions(&mut s, 0).is_empty());

    let c = row(key(DE_C, "202001", F1), "4");
    commit_rows(&mut s, std::slice::from_ref(&c));
    assert_eq!(last_change(&mut s), 2);
    assert_eq!(since_1(&mut s), ["4"]);
}

/// The last change number and the numbers of the rows survive reopening the store.
pub fn change_numbers_survive_reopen<H: Harness>(h: &mut H) {
    let mut s = h.fresh();
    commit_rows(&mut s, &[row(key(DE_A, "202001", F1), "1")]);
    commit_rows(&mut s, &[row(key(DE_B, "202001", F1), "2")]);
    assert_eq!(last_change(&mut s), 2);
    let mut s = h.reopen(s);
    assert_eq!(last_change(&mut s), 2, "after reopening");
    let q = ValueQuery {
        changed_since: Some(1),
        ..everything()
    };
    assert_eq!(query_values(&mut s, &q), ["2"]);
    commit_rows(&mut s, &[row(key(DE_C, "202001", F1), "3")]);
    assert_eq!(last_change(&mut s), 3);
    assert_eq!(query_values(&mut s, &q), ["2", "3"]);
}

/// `changed_since = Some(n)` selects exactly the rows written by batches numbered above `n`
/// (inserted, updated or soft-deleted there), with the other filters, both orders and `limit`.
pub fn changed_since_selects_later_writes<H: Harness>(h: &mut H) {
    let mut s = h.fresh();
    let a = row(key(DE_A, "202001", F1), "a");
    let b = row(key(DE_B, "202001", F1), "b");
    let c = row(key(DE_C, "202001", F1), "c");
    let d = row(key(DE_A, "202002", F2), "d");
    must(s.begin(), "to begin");
    must(
        s.apply(&inserts(&[a.clone(), b.clone(), c.clone()])),
        "to insert",
    );
    let n1 = last_change(&mut s);
    let second = batch(&[(Write::Insert, &d), (Write::Update, &row(a.key, "a2"))]);
    must(s.apply(&second), "to apply a batch");
    let n2 = last_change(&mut s);
    must(s.commit(), "to commit");
    commit(&mut s, &batch(&[(Write::Update, &deleted(b.clone()))]));
    let n3 = last_change(&mut s);
    assert!(n1 < n2 && n2 < n3, "numbers grow: {n1}, {n2}, {n3}");

    let since = |s: &mut H::Store, n: Option<u64>, change: &dyn Fn(&mut ValueQuery)| {
        let mut q = ValueQuery {
            changed_since: n,
            ..everything()
        };
        change(&mut q);
        query_values(s, &q)
    };
    let all = |_: &mut ValueQuery| {};
    assert_eq!(since(&mut s, None, &all), ["a2", "b", "c", "d"]);
    assert_eq!(since(&mut s, Some(0), &all), ["a2", "b", "c", "d"]);
    assert_eq!(since(&mut s, Some(n1), &all), ["a2", "b", "d"]);
    assert_eq!(since(&mut s, Some(n2), &all), ["b"]);
    assert!(since(&mut s, Some(n3), &all).is_empty());
    let alive = |q: &mut ValueQuery| q.include_deleted = false;
    assert_eq!(since(&mut s, Some(n1), &alive), ["a2", "d"]);
    assert!(since(&mut s, Some(n2), &alive).is_empty());
    let narrow = |q: &mut ValueQuery| {
        q.data_elements = vec![uid(DE_A)];
        q.org_units = Some(vec![uid(F2)]);
    };
    assert_eq!(since(&mut s, Some(n1), &narrow), ["d"]);
    let created_first = |q: &mut ValueQuery| {
        q.order = ValueOrder::Created;
        q.limit = Some(2);
    };
    assert_eq!(since(&mut s, Some(n1), &created_first), ["a2", "b"]);
}

/// `changed_completions(n)` lists exactly the completions written by batches numbered above `n`
/// (a replaced one with its new contents), by data set UID, period start, period type name, org
/// unit UID and AOC UID.
pub fn changed_completions_select_later_writes<H: Harness>(h: &mut H) {
    let mut s = h.fresh();
    let c1 = completion(DS_B, "202001", F1, DEFAULT, 1, true);
    let c2 = completion(DS_A, "202002", F1, DEFAULT, 2, true);
    let c3 = completion(DS_A, "202001", F2, AOC_X, 3, true);
    let c4 = completion(DS_A, "202001", F2, DEFAULT, 4, true);
    let c5 = completion(DS_A, "2020Q1", F1, DEFAULT, 5, true);
    let c6 = completion(DS_A, "202001", F1, DEFAULT, 6, true);
    let mut replaced = c1.clone();
    replaced.completed = false;
    replaced.stored_by = "someone else".to_owned();

    let mut changes = Changes::new();
    for c in [&c1, &c2] {
        changes.push_completion(c);
    }
    commit(&mut s, &changes);
    let n1 = last_change(&mut s);
    changes.clear();
    for c in [&c3, &c4, &c5, &c6] {
        changes.push_completion(c);
    }
    commit(&mut s, &changes);
    let n2 = last_change(&mut s);
    changes.clear();
    changes.push_completion(&replaced);
    commit(&mut s, &changes);
    let n3 = last_change(&mut s);

    assert_eq!(
        changed_completions(&mut s, 0),
        [
            c6.clone(),
            c4.clone(),
            c3.clone(),
            c5.clone(),
            c2,
            replaced.clone()
        ]
    );
    assert_eq!(
        changed_completions(&mut s, n1),
        [c6, c4, c3, c5, replaced.clone()]
    );
    assert_eq!(changed_completions(&mut s, n2), [replaced]);
    assert!(changed_completions(&mut s, n3).is_empty());
}

/// The store id is not empty, the same on every call, after writes and after reopening, the same
/// through a second handle, and differs between two fresh stores.
pub fn store_ids_are_stable_and_distinct<H: Harness>(h: &mut H) {
    let mut s = h.fresh();
    let id = must(s.store_id(), "to read the store id");
    assert!(!id.is_empty(), "the store id is empty");
    assert_eq!(must(s.store_id(), "to read the store id"), id);
    commit_rows(&mut s, &[row(key(DE_A, "202001", F1), "1")]);
    must(s.begin(), "to begin");
    assert_eq!(must(s.store_id(), "to read the store id"), id);
    must(s.rollback(), "to roll back");
    if let Some(mut other) = h.second_handle(&s) {
        assert_eq!(
            must(other.store_id(), "to read the store id"),
            id,
            "through a second handle"
        );
    }
    let mut s = h.reopen(s);
    assert_eq!(
        must(s.store_id(), "to read the store id"),
        id,
        "after reopening"
    );
    let mut t = h.fresh();
    assert_ne!(
        must(t.store_id(), "to read the store id"),
        id,
        "two fresh stores"
    );
}

/// Records are put, read, replaced and listed by id (ids compared as text, byte order), kind by
/// kind; bodies come back exactly (empty, unicode, 100,000 characters); a callback's error ends
/// the listing.
pub fn records_round_trip<H: Harness>(h: &mut H) {
    let mut s = h.fresh();
    assert_eq!(must(s.record("journal", "a"), "to read a record"), None);
    assert!(records(&mut s, "journal").is_empty());

    let long: String = "{\"k\": \"v ✓\"}\n".chars().cycle().take(100_000).collect();
    let puts = [
        ("journal", "a", "body a"),
        ("journal", "B", ""),
        ("journal", "9", "Ünïcödé ✓ 𝄞 \"quoted\" back\\slash\nline"),
        ("journal", "10", long.as_str()),
        ("sync", "a", "another kind"),
    ];
    for (kind, id, body) in puts {
        must(s.put_record(kind, id, body), "to put a record");
    }
    for (kind, id, body) in puts {
        assert_eq!(
            must(s.record(kind, id), "to read a record").as_deref(),
            Some(body),
            "record {kind}/{id}"
        );
    }
    let listed = records(&mut s, "journal");
    let ids: Vec<&str> = listed.iter().map(|(id, _)| id.as_str()).collect();
    assert_eq!(ids, ["10", "9", "B", "a"], "ids in text order");
    assert_eq!(
        records(&mut s, "sync"),
        [("a".to_owned(), "another kind".to_owned())]
    );
    assert!(records(&mut s, "none").is_empty());
    assert_eq!(must(s.record("sync", "B"), "to read a record"), None);

    must(
        s.put_record("journal", "a", "replaced"),
        "to replace a record",
    );
    assert_eq!(
        must(s.record("journal", "a"), "to read a record").as_deref(),
        Some("replaced")
    );
    assert_eq!(records(&mut s, "journal").len(), 4);

    let mut seen = 0;
    let result = s.records("journal", &mut |_, _| {
        seen += 1;
        Err(StoreError::Misuse("stop here"))
    });
    assert!(
        matches!(result, Err(StoreError::Misuse("stop here"))),
        "{result:?}"
    );
    assert_eq!(seen, 1);
}

/// Records put inside a transaction are read back in it and commit or roll back with it; put
/// outside one, they are written at once (a second handle sees them); they survive reopening.
pub fn records_follow_transactions<H: Harness>(h: &mut H) {
    let mut s = h.fresh();
    must(s.put_record("journal", "1", "at once"), "to put a record");
    if let Some(mut other) = h.second_handle(&s) {
        assert_eq!(
            must(other.record("journal", "1"), "to read a record").as_deref(),
            Some("at once"),
            "through a second handle"
        );
    }

    must(s.begin(), "to begin");
    must(
        s.put_record("journal", "1", "replaced"),
        "to replace a record",
    );
    must(s.put_record("journal", "2", "new"), "to put a record");
    assert_eq!(
        must(s.record("journal", "2"), "to read a record").as_deref(),
        Some("new"),
        "inside the transaction"
    );
    must(s.rollback(), "to roll back");
    assert_eq!(
        records(&mut s, "journal"),
        [("1".to_owned(), "at once".to_owned())]
    );

    must(s.begin(), "to begin");
    must(
        s.apply(&inserts(&[row(key(DE_A, "202001", F1), "1")])),
        "to insert",
    );
    must(
        s.put_record("journal", "2", "with the import"),
        "to put a record",
    );
    must(s.commit(), "to commit");
    let expected = [
        ("1".to_owned(), "at once".to_owned()),
        ("2".to_owned(), "with the import".to_owned()),
    ];
    assert_eq!(records(&mut s, "journal"), expected);
    let mut s = h.reopen(s);
    assert_eq!(records(&mut s, "journal"), expected, "after reopening");
}

/// Records are deleted by (kind, id): the answer says whether one was there; other records,
/// other kinds and records of the same id in another kind stay; a deletion inside a transaction
/// is undone by a rollback and kept by a commit; outside one it happens at once (a second handle
/// sees it).
pub fn records_are_deleted<H: Harness>(h: &mut H) {
    let mut s = h.fresh();
    for (kind, id, body) in [
        ("fileResource", "a", "file a"),
        ("fileResource", "b", "file b"),
        ("journal", "a", "journal a"),
    ] {
        must(s.put_record(kind, id, body), "to put a record");
    }
    assert!(must(
        s.delete_record("fileResource", "a"),
        "to delete a record"
    ));
    assert!(!must(
        s.delete_record("fileResource", "a"),
        "to delete it again"
    ));
    assert!(!must(
        s.delete_record("none", "b"),
        "to delete in another kind"
    ));
    assert_eq!(
        must(s.record("fileResource", "a"), "to read a record"),
        None
    );
    assert_eq!(
        must(s.record("journal", "a"), "to read a record").as_deref(),
        Some("journal a"),
        "the same id in another kind"
    );
    if let Some(mut other) = h.second_handle(&s) {
        assert_eq!(
            must(other.record("fileResource", "a"), "to read a record"),
            None,
            "through a second handle"
        );
    }

    must(s.begin(), "to begin");
    assert!(must(
        s.delete_record("fileResource", "b"),
        "to delete a record"
    ));
    assert_eq!(
        must(s.record("fileResource", "b"), "to read a record"),
        None,
        "inside the transaction"
    );
    must(s.rollback(), "to roll back");
    assert_eq!(
        records(&mut s, "fileResource"),
        [("b".to_owned(), "file b".to_owned())],
        "after the rollback"
    );

    must(s.begin(), "to begin");
    must(
        s.put_record("fileResource", "c", "file c"),
        "to put a record",
    );
    assert!(must(
        s.delete_record("fileResource", "b"),
        "to delete a record"
    ));
    must(s.commit(), "to commit");
    let mut s = h.reopen(s);
    assert_eq!(
        records(&mut s, "fileResource"),
        [("c".to_owned(), "file c".to_owned())],
        "after reopening"
    );
}
