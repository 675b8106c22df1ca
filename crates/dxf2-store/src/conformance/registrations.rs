//! Cases: what is kept beside the values. Audits keep their order and fields, completions are
//! created and replaced, lock exceptions are found on their exact key.

use super::fixtures::*;
use super::Harness;
use crate::{Audit, AuditType, DataValueStore, Write};

/// `audits(key)` returns the key's audit rows in the order they were written (across batches and
/// within one, also with equal timestamps), oldest first, with every field as written (no
/// previous value vs an empty one, unicode, every [`AuditType`], the instant to the
/// millisecond); the audits of keys differing in one part are kept apart.
pub fn audits_keep_order_and_fields<H: Harness>(h: &mut H) {
    let mut s = h.fresh();
    let a = key(DE_A, "202001", F1);
    let a_aoc = key5(DE_A, "202001", F1, DEFAULT, AOC_X);
    let b = key(DE_B, "202001", F1);
    let quiet = key(DE_C, "202001", F1);
    let mut unicode = audit(a, Some("ü ✓ 漢字 \"q\"\n"), 3, AuditType::Create);
    unicode.modified_by = "usér ✓".to_owned();
    let mut same_instant = audit(a, Some("x"), 3, AuditType::Update);
    same_instant.created = unicode.created;
    let written_first = [
        audit(a, Some("1"), 1, AuditType::Update),
        audit(b, Some("x"), 2, AuditType::Create),
        audit(a, None, 2, AuditType::Update),
        audit(a_aoc, Some("aoc"), 2, AuditType::Update),
        audit(a, Some(""), 2, AuditType::Delete),
    ];
    let written_next = [unicode.clone(), same_instant.clone()];

    let rows = [row(a, "1"), row(a_aoc, "2"), row(b, "3"), row(quiet, "4")];
    let mut changes = inserts(&rows);
    for x in &written_first {
        changes.push_audit(x);
    }
    commit(&mut s, &changes);
    let mut next = batch(&[(Write::Update, &row(a, "5"))]);
    for x in &written_next {
        next.push_audit(x);
    }
    commit(&mut s, &next);

    let audits_of = |s: &mut H::Store, k| -> Vec<Audit> { must(s.audits(k), "to read audits") };
    assert_eq!(
        audits_of(&mut s, &a),
        [
            written_first[0].clone(),
            written_first[2].clone(),
            written_first[4].clone(),
            unicode,
            same_instant,
        ]
    );
    assert_eq!(audits_of(&mut s, &b), [written_first[1].clone()]);
    assert_eq!(audits_of(&mut s, &a_aoc), [written_first[3].clone()]);
    assert!(audits_of(&mut s, &quiet).is_empty());
    assert!(audits_of(&mut s, &key(DE_A, "202002", F1)).is_empty());
}

/// Completions are created, read back whole, and replaced (not duplicated) by a later one with
/// the same data set, period, org unit and AOC; registrations differing in any one of those
/// (a period of another type with the same start too) are distinct.
pub fn completions_are_created_and_replaced<H: Harness>(h: &mut H) {
    let mut s = h.fresh();
    assert_eq!(completion_of(&mut s, DS_A, "202001", F1, DEFAULT), None);

    let base = completion(DS_A, "202001", F1, DEFAULT, 1, true);
    let others = [
        completion(DS_B, "202001", F1, DEFAULT, 2, true),
        completion(DS_A, "202002", F1, DEFAULT, 3, false),
        completion(DS_A, "2020Q1", F1, DEFAULT, 4, true),
        completion(DS_A, "202001", F2, DEFAULT, 5, true),
        completion(DS_A, "202001", F1, AOC_X, 6, true),
    ];
    let mut changes = crate::Changes::new();
    changes.push_completion(&base);
    commit(&mut s, &changes);
    let read = |s: &mut H::Store, c: &crate::Completion| {
        must(
            s.completion(
                &c.data_set,
                &c.period,
                &c.org_unit,
                &c.attribute_option_combo,
            ),
            "to read a completion",
        )
    };
    assert_eq!(read(&mut s, &base), Some(base.clone()));
    for c in &others {
        assert_eq!(read(&mut s, c), None, "{c:?} differs from the stored one");
    }

    changes.clear();
    for c in &others {
        changes.push_completion(c);
    }
    commit(&mut s, &changes);
    assert_eq!(read(&mut s, &base), Some(base.clone()));
    for c in &others {
        assert_eq!(read(&mut s, c), Some(c.clone()));
    }

    // Replaced, every field.
    let mut replaced = completion(DS_A, "202001", F1, DEFAULT, 9, false);
    replaced.stored_by = "another ✓".to_owned();
    replaced.last_updated = at(23, 59, 999);
    changes.clear();
    changes.push_completion(&replaced);
    commit(&mut s, &changes);
    assert_eq!(read(&mut s, &base), Some(replaced.clone()));
    assert_eq!(changed_completions(&mut s, 0).len(), 1 + others.len());
}

/// A lock exception is found on its exact (data set, period, org unit) and on no key differing in
/// one part (a period of another type with the same start too); adding one that exists does
/// nothing, also inside a transaction that commits.
pub fn lock_exceptions_are_exact<H: Harness>(h: &mut H) {
    let mut s = h.fresh();
    let has = |s: &mut H::Store, ds: &str, period: &str, ou: &str| {
        must(
            s.has_lock_exception(&uid(ds), &pe(period), &uid(ou)),
            "to read a lock exception",
        )
    };
    let add = |s: &mut H::Store, ds: &str, period: &str, ou: &str| {
        must(
            s.add_lock_exception(&uid(ds), &pe(period), &uid(ou)),
            "to add a lock exception",
        );
    };
    assert!(!has(&mut s, DS_A, "202001", F1));
    add(&mut s, DS_A, "202001", F1);
    add(&mut s, DS_A, "202001", F1);
    assert!(has(&mut s, DS_A, "202001", F1));
    for (ds, period, ou) in [
        (DS_B, "202001", F1),
        (DS_A, "202002", F1),
        (DS_A, "2020Q1", F1),
        (DS_A, "20200101", F1),
        (DS_A, "202001", F2),
    ] {
        assert!(!has(&mut s, ds, period, ou), "{ds} {period} {ou}");
    }

    must(s.begin(), "to begin");
    add(&mut s, DS_A, "202001", F1);
    add(&mut s, DS_A, "2020Q1", F1);
    add(&mut s, DS_A, "2020Q1", F1);
    assert!(has(&mut s, DS_A, "2020Q1", F1), "inside the transaction");
    must(s.commit(), "to commit");
    assert!(has(&mut s, DS_A, "202001", F1));
    assert!(has(&mut s, DS_A, "2020Q1", F1));
    assert!(!has(&mut s, DS_A, "202001", F2));
}
