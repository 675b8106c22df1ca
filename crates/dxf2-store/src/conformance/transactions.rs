//! Cases: transactions. `begin`/`commit`/`rollback` are refused out of order, a rollback undoes
//! every kind of change exactly, a commit keeps every kind, and a refused batch is an error that
//! a rollback undoes.

use dxf2_model::Metadata;

use super::fixtures::*;
use super::Harness;
use crate::{AuditType, DataValueStore, Existing, MetadataStore, Write};

/// `commit` or `rollback` without `begin`, and `begin` twice, fail with
/// [`StoreError::Misuse`](crate::StoreError::Misuse); the open transaction stays usable after a
/// refused `begin`; empty transactions commit and roll back.
pub fn transaction_misuse_is_refused<H: Harness>(h: &mut H) {
    let mut s = h.fresh();
    must_be_misuse(s.commit(), "commit without begin");
    must_be_misuse(s.rollback(), "rollback without begin");

    must(s.begin(), "to begin");
    must_be_misuse(s.begin(), "a second begin");
    let a = row(key(DE_A, "202001", F1), "1");
    must(
        s.apply(&inserts(std::slice::from_ref(&a))),
        "to insert a row",
    );
    must(s.commit(), "to commit after a refused begin");
    must_be_misuse(s.commit(), "commit after commit");
    must_be_misuse(s.rollback(), "rollback after commit");

    must(s.begin(), "to begin");
    must(s.rollback(), "to roll back an empty transaction");
    must_be_misuse(s.rollback(), "rollback after rollback");
    must(s.begin(), "to begin");
    must(s.commit(), "to commit an empty transaction");

    assert_row(&mut s, &a, Existing::Stored);
}

/// A rollback undoes every row write (insert, update, soft delete, insert then update in a
/// later batch), audit and completion (new and replaced) of the transaction, and the change
/// number; the store is usable afterwards.
pub fn rollback_undoes_rows_audits_and_completions<H: Harness>(h: &mut H) {
    let mut s = h.fresh();
    let a = row(key(DE_A, "202001", F1), "1");
    let mut b = row(key(DE_B, "202001", F1), "2");
    b.comment = Some("kept".to_owned());
    let c = key(DE_C, "202001", F1);
    let d = key(DE_C, "202002", F1);
    let first_audit = audit(a.key, Some("0"), 1, AuditType::Update);
    let done = completion(DS_A, "202001", F1, DEFAULT, 1, true);

    let mut baseline = inserts(&[a.clone(), b.clone()]);
    baseline.push_audit(&first_audit);
    baseline.push_completion(&done);
    commit(&mut s, &baseline);
    let before = last_change(&mut s);

    must(s.begin(), "to begin");
    let mut a2 = row(a.key, "10");
    a2.comment = Some("changed".to_owned());
    a2.followup = true;
    let mut first = batch(&[
        (Write::Update, &a2),
        (Write::Update, &deleted(b.clone())),
        (Write::Insert, &row(c, "3")),
    ]);
    first.push_audit(&audit(a.key, Some("1"), 2, AuditType::Update));
    first.push_audit(&audit(b.key, Some("2"), 3, AuditType::Delete));
    first.push_completion(&completion(DS_A, "202001", F1, DEFAULT, 2, false));
    first.push_completion(&completion(DS_A, "202002", F1, DEFAULT, 3, true));
    must(s.apply(&first), "to apply the first batch");
    let second = batch(&[(Write::Update, &row(c, "4")), (Write::Insert, &row(d, "5"))]);
    must(s.apply(&second), "to apply the second batch");
    must(s.rollback(), "to roll back");

    assert_row(&mut s, &a, Existing::Stored);
    assert_row(&mut s, &b, Existing::Stored);
    assert_no_row(&mut s, &c);
    assert_no_row(&mut s, &d);
    assert_eq!(must(s.audits(&a.key), "to read audits"), vec![first_audit]);
    assert!(must(s.audits(&b.key), "to read audits").is_empty());
    assert_eq!(
        completion_of(&mut s, DS_A, "202001", F1, DEFAULT),
        Some(done)
    );
    assert_eq!(completion_of(&mut s, DS_A, "202002", F1, DEFAULT), None);
    assert_eq!(query_values(&mut s, &everything()), ["1", "2"]);
    assert_eq!(
        last_change(&mut s),
        before,
        "a rollback restores the change number"
    );

    // The store is usable after a rollback.
    commit_rows(&mut s, &[row(c, "6")]);
    assert_eq!(query_values(&mut s, &everything()), ["1", "2", "6"]);
}

/// A rollback undoes lock exceptions added, records put (new and replaced) and metadata saved in
/// the transaction, and leaves those from before it (a lock exception added again in it stays).
pub fn rollback_undoes_lock_exceptions_records_and_metadata<H: Harness>(h: &mut H) {
    let mut s = h.fresh();
    let (ds, ou) = (uid(DS_A), uid(F1));
    must(
        s.add_lock_exception(&ds, &pe("202001"), &ou),
        "to add a lock exception",
    );
    must(s.put_record("journal", "1", "first"), "to put a record");
    must(s.save_metadata(&org_unit_tree()), "to save metadata");

    must(s.begin(), "to begin");
    must(
        s.add_lock_exception(&ds, &pe("202002"), &ou),
        "to add a lock exception",
    );
    must(
        s.add_lock_exception(&ds, &pe("202001"), &ou),
        "to add an existing lock exception",
    );
    must(
        s.put_record("journal", "1", "replaced"),
        "to replace a record",
    );
    must(s.put_record("journal", "2", "new"), "to put a record");
    must(s.put_record("other", "1", "x"), "to put a record");
    let mut more = Metadata::new();
    more.add_org_unit(org_unit("ouFac4AAAAA", Some(F3)));
    more.add_org_unit(org_unit(F1, None));
    more.add_data_element(dxf2_model::metadata::DataElement::new(
        dxf2_model::metadata::Identity::new(uid(DE_A)),
        dxf2_model::ValueType::Integer,
    ));
    must(s.save_metadata(&more), "to save metadata");
    must(s.rollback(), "to roll back");

    let lock = |s: &mut H::Store, period: &str| {
        must(
            s.has_lock_exception(&ds, &pe(period), &ou),
            "to read a lock exception",
        )
    };
    assert!(lock(&mut s, "202001"), "the earlier lock exception stays");
    assert!(
        !lock(&mut s, "202002"),
        "the lock exception added is undone"
    );
    assert_eq!(
        must(s.record("journal", "1"), "to read a record").as_deref(),
        Some("first")
    );
    assert_eq!(must(s.record("journal", "2"), "to read a record"), None);
    assert_eq!(
        records(&mut s, "journal"),
        [("1".to_owned(), "first".to_owned())]
    );
    assert!(records(&mut s, "other").is_empty());
    let md = must(s.load_metadata(), "to load metadata");
    assert_eq!(md.org_units().len(), 6, "the org units saved before stay");
    assert!(md.org_unit(&uid("ouFac4AAAAA")).is_none());
    assert_eq!(md.org_unit(&ou).and_then(|o| o.parent), Some(uid(D1)));
    assert!(md.data_element(&uid(DE_A)).is_none());
}

/// A commit keeps every kind of change made in the transaction: rows, audits, completions, lock
/// exceptions, records and metadata, as read in the next transaction.
pub fn commit_keeps_every_kind_of_change<H: Harness>(h: &mut H) {
    let mut s = h.fresh();
    let a = row(key(DE_A, "202001", F1), "1");
    let the_audit = audit(a.key, None, 1, AuditType::Create);
    let done = completion(DS_A, "202001", F1, DEFAULT, 1, true);
    let (ds, ou) = (uid(DS_A), uid(F1));

    must(s.begin(), "to begin");
    let mut changes = inserts(std::slice::from_ref(&a));
    changes.push_audit(&the_audit);
    changes.push_completion(&done);
    must(s.apply(&changes), "to apply a batch");
    must(
        s.add_lock_exception(&ds, &pe("202001"), &ou),
        "to add a lock exception",
    );
    must(s.put_record("journal", "1", "entry"), "to put a record");
    must(s.save_metadata(&org_unit_tree()), "to save metadata");
    must(s.commit(), "to commit");

    must(s.begin(), "to begin");
    assert_row(&mut s, &a, Existing::Stored);
    assert_eq!(must(s.audits(&a.key), "to read audits"), vec![the_audit]);
    assert_eq!(
        completion_of(&mut s, DS_A, "202001", F1, DEFAULT),
        Some(done)
    );
    assert!(must(
        s.has_lock_exception(&ds, &pe("202001"), &ou),
        "to read a lock exception"
    ));
    assert_eq!(
        must(s.record("journal", "1"), "to read a record").as_deref(),
        Some("entry")
    );
    let md = must(s.load_metadata(), "to load metadata");
    assert_eq!(md.org_units().len(), 6);
    must(s.rollback(), "to roll back");
}

/// A batch that inserts a key that has a row (also a soft-deleted one) or updates a key without
/// one is refused with an error; rolled back, the transaction leaves nothing of it or of the
/// batches before it, and the store is usable afterwards.
pub fn refused_batches_are_errors<H: Harness>(h: &mut H) {
    let mut s = h.fresh();
    let a = row(key(DE_A, "202001", F1), "1");
    let gone = deleted(row(key(DE_A, "202002", F1), "x"));
    commit_rows(&mut s, &[a.clone(), gone.clone()]);
    let before = last_change(&mut s);
    let b = row(key(DE_B, "202001", F1), "2");
    let c = row(key(DE_C, "202001", F1), "3");
    let missing = row(key(DE_C, "202002", F1), "4");

    let refused = [
        ("an insert of a key that has a row", Write::Insert, &a),
        (
            "an insert of a key that has a soft-deleted row",
            Write::Insert,
            &gone,
        ),
        ("an update of a key without a row", Write::Update, &missing),
    ];
    for (what, write, bad) in refused {
        must(s.begin(), "to begin");
        must(
            s.apply(&inserts(std::slice::from_ref(&b))),
            "to insert a row",
        );
        let mut changed = a.clone();
        changed.value = Some("changed".to_owned());
        let mut changes = batch(&[(Write::Insert, &c), (write, bad)]);
        if write != Write::Insert {
            changes.push_row(Write::Update, &changed);
        }
        changes.push_audit(&audit(a.key, Some("1"), 1, AuditType::Update));
        changes.push_completion(&completion(DS_A, "202001", F1, DEFAULT, 1, true));
        if let Ok(()) = s.apply(&changes) {
            panic!("{what} must be refused with an error");
        }
        must(s.rollback(), "to roll back after a refused batch");

        assert_row(&mut s, &a, Existing::Stored);
        assert_row(&mut s, &gone, Existing::Stored);
        for k in [b.key, c.key, missing.key] {
            assert_no_row(&mut s, &k);
        }
        assert!(must(s.audits(&a.key), "to read audits").is_empty());
        assert_eq!(completion_of(&mut s, DS_A, "202001", F1, DEFAULT), None);
        assert_eq!(last_change(&mut s), before, "after {what}");
    }

    commit_rows(&mut s, std::slice::from_ref(&b));
    assert_row(&mut s, &b, Existing::Stored);
}
