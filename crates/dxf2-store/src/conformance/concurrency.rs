//! Cases: several handles and closing. Writers are serialised (a second `begin` waits or is
//! refused with [`StoreError::Busy`], never interleaves), readers see only committed rows,
//! committed data survives reopening, and a transaction dropped without commit leaves nothing.
//!
//! The cases with two handles run only when [`Harness::second_handle`] gives one.

use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use super::fixtures::*;
use super::Harness;
use crate::{
    AuditType, DataValueKey, DataValueStore, Existing, MetadataStore, StoreError, StoredValue,
    Write,
};

/// How long the first writer keeps its transaction open once the second writer has started:
/// time for the second one's `begin` to be waiting. Nothing is asserted about time: a store
/// that waits and one that refuses both pass, whatever the scheduler does.
const HOLD: Duration = Duration::from_millis(300);

/// How long a reader may take before the case calls it blocked by the writer: a guard against a
/// hung test, far above any real query of a few rows, not a measure of speed.
const HANG_GUARD: Duration = Duration::from_secs(120);

/// Says that a case was skipped for want of a second handle (shown with `--nocapture`).
fn skipped(case: &str) {
    eprintln!("conformance case `{case}` skipped: the harness gives no second handle");
}

/// Runs a panicking thread's panic again in the case's thread.
fn join<T>(handle: thread::JoinHandle<T>) -> T {
    match handle.join() {
        Ok(t) => t,
        Err(panic) => std::panic::resume_unwind(panic),
    }
}

/// What the second writer did.
#[derive(Debug)]
enum Second {
    /// Its `begin` failed with [`StoreError::Busy`] (the message).
    Refused(String),
    /// Its `begin` succeeded; what its lookup of the first writer's keys answered.
    WentAhead(Vec<Option<(StoredValue, Existing)>>),
}

/// While handle A holds an open transaction, handle B's `begin` (in another thread) either fails
/// with [`StoreError::Busy`] or waits until A has committed, and then B sees all of A's rows
/// (also those A wrote after B began waiting) as stored; never do both proceed interleaved. The
/// store ends with A's rows plus, if B went ahead, B's; once A has committed, B can write.
pub fn second_writer_waits_or_is_refused<H: Harness>(h: &mut H) {
    let mut a = h.fresh();
    let Some(mut b) = h.second_handle(&a) else {
        skipped("second_writer_waits_or_is_refused");
        return;
    };
    let old = row(key(DE_A, "202001", F1), "old");
    commit_rows(&mut a, std::slice::from_ref(&old));

    let early = row(key(DE_A, "202002", F1), "a-early");
    let late = row(key(DE_A, "202003", F1), "a-late");
    let old_changed = row(old.key, "a-changed");
    let theirs = row(key(DE_B, "202001", F1), "b");
    let a_keys: Vec<DataValueKey> = vec![old.key, early.key, late.key];

    must(a.begin(), "to begin (writer A)");
    must(
        a.apply(&inserts(std::slice::from_ref(&early))),
        "to insert (writer A)",
    );

    let (started_tx, started_rx) = mpsc::channel();
    let b_row = theirs.clone();
    let b_keys = a_keys.clone();
    let second = thread::spawn(move || {
        let _ = started_tx.send(());
        let outcome = match b.begin() {
            Err(StoreError::Busy(message)) => Second::Refused(message),
            Err(e) => panic!("writer B's begin must wait or fail with Busy, got {e} ({e:?})"),
            Ok(()) => {
                let seen = lookup(&mut b, &b_keys);
                must(
                    b.apply(&inserts(std::slice::from_ref(&b_row))),
                    "to insert (writer B, after its begin succeeded)",
                );
                must(b.commit(), "to commit (writer B)");
                Second::WentAhead(seen)
            }
        };
        (b, outcome)
    });
    let _ = started_rx.recv();
    thread::sleep(HOLD);
    let more = batch(&[(Write::Insert, &late), (Write::Update, &old_changed)]);
    must(a.apply(&more), "to apply a batch (writer A, B waiting)");
    must(a.commit(), "to commit (writer A)");
    let (mut b, outcome) = join(second);

    let a_rows = vec![old_changed.clone(), early.clone(), late.clone()];
    let mut expected = vec![old_changed.clone(), early, late];
    match outcome {
        Second::Refused(message) => {
            assert!(!message.is_empty(), "a Busy error says who holds the store");
            // Once A has committed, B can write.
            commit_rows(&mut b, std::slice::from_ref(&theirs));
        }
        Second::WentAhead(seen) => {
            let stored: Vec<_> = a_rows
                .into_iter()
                .map(|r| Some((r, Existing::Stored)))
                .collect();
            assert_eq!(
                seen, stored,
                "writer B's begin returned before writer A committed: B must wait for A's \
                 commit (then see all of A's rows) or fail with StoreError::Busy"
            );
        }
    }
    expected.push(theirs);
    expected.sort_by_key(|r| (r.key.period.start_date(), r.key.data_element));
    assert_eq!(query_rows(&mut a, &everything()), expected, "handle A");
    assert_eq!(query_rows(&mut b, &everything()), expected, "handle B");
}

/// A reader handle queries and looks up committed rows while a writer's transaction is open
/// (without waiting for it) and does not see the writer's uncommitted rows; once the writer
/// commits, the reader sees them.
pub fn reader_sees_only_committed_rows<H: Harness>(h: &mut H) {
    let mut writer = h.fresh();
    let Some(reader) = h.second_handle(&writer) else {
        skipped("reader_sees_only_committed_rows");
        return;
    };
    let a = row(key(DE_A, "202001", F1), "1");
    let b = row(key(DE_B, "202001", F1), "2");
    commit_rows(&mut writer, &[a.clone(), b.clone()]);

    must(writer.begin(), "to begin (writer)");
    let new = row(key(DE_C, "202001", F1), "new");
    let changes = batch(&[
        (Write::Update, &row(a.key, "changed")),
        (Write::Update, &deleted(b.clone())),
        (Write::Insert, &new),
    ]);
    must(writer.apply(&changes), "to apply a batch (writer)");

    let (done_tx, done_rx) = mpsc::channel();
    let keys = [a.key, b.key, new.key];
    let read = thread::spawn(move || {
        let mut reader = reader;
        let rows = query_rows(&mut reader, &everything());
        let found = lookup(&mut reader, &keys);
        let _ = done_tx.send(());
        (reader, rows, found)
    });
    if done_rx.recv_timeout(HANG_GUARD).is_err() {
        panic!("the reader did not finish while a writer's transaction was open: blocked by it?");
    }
    let (mut reader, rows, found) = join(read);
    assert_eq!(rows, [a.clone(), b.clone()], "the reader's query");
    assert_eq!(
        found,
        [
            Some((a.clone(), Existing::Stored)),
            Some((b.clone(), Existing::Stored)),
            None
        ],
        "the reader's lookup"
    );

    must(writer.commit(), "to commit (writer)");
    assert_eq!(
        query_values(&mut reader, &everything()),
        ["changed", "2", "new"],
        "the reader after the commit"
    );
}

/// Everything committed — rows (and their "stored" state in the next transaction), audits,
/// completions, lock exceptions, records, metadata, the change number — survives reopening.
pub fn committed_data_survives_reopen<H: Harness>(h: &mut H) {
    let mut s = h.fresh();
    let mut a = row(key(DE_A, "202001", F1), "1");
    a.comment = Some("kept".to_owned());
    a.followup = true;
    let b = deleted(row(key(DE_B, "2020Q1", F1), "2"));
    let the_audit = audit(a.key, Some("0"), 1, AuditType::Update);
    let done = completion(DS_A, "202001", F1, DEFAULT, 1, true);
    must(s.save_metadata(&org_unit_tree()), "to save metadata");
    let mut changes = inserts(&[a.clone(), b.clone()]);
    changes.push_audit(&the_audit);
    changes.push_completion(&done);
    commit(&mut s, &changes);
    must(
        s.add_lock_exception(&uid(DS_A), &pe("202001"), &uid(F1)),
        "to add a lock exception",
    );
    must(s.put_record("journal", "1", "entry"), "to put a record");
    let change = last_change(&mut s);
    let metadata = must(s.load_metadata(), "to load metadata");

    let mut s = h.reopen(s);
    must(s.begin(), "to begin after reopening");
    assert_row(&mut s, &a, Existing::Stored);
    assert_row(&mut s, &b, Existing::Stored);
    must(s.rollback(), "to roll back");
    assert_eq!(must(s.audits(&a.key), "to read audits"), [the_audit]);
    assert_eq!(
        completion_of(&mut s, DS_A, "202001", F1, DEFAULT),
        Some(done)
    );
    assert!(must(
        s.has_lock_exception(&uid(DS_A), &pe("202001"), &uid(F1)),
        "to read a lock exception"
    ));
    assert_eq!(
        must(s.record("journal", "1"), "to read a record").as_deref(),
        Some("entry")
    );
    assert_eq!(last_change(&mut s), change);
    let loaded = must(s.load_metadata(), "to load metadata");
    assert_eq!(loaded.org_units().len(), metadata.org_units().len());
    assert!(loaded.is_org_unit_within(&uid(F3), &uid(ROOT)));
}

/// A store dropped (or closed) with a transaction open — rows, audits, completions, lock
/// exceptions, records and metadata written in it — comes back as it was before that
/// transaction, with its change number, and takes a new writer at once.
pub fn dropped_transaction_leaves_the_store_as_before<H: Harness>(h: &mut H) {
    let mut s = h.fresh();
    let a = row(key(DE_A, "202001", F1), "1");
    commit_rows(&mut s, std::slice::from_ref(&a));
    let change = last_change(&mut s);
    // A handle to reopen the store with once `s` is dropped (when the harness gives one).
    let spare = h.second_handle(&s);

    must(s.begin(), "to begin");
    let b = row(key(DE_B, "202001", F1), "lost");
    let mut changes = batch(&[(Write::Update, &row(a.key, "lost")), (Write::Insert, &b)]);
    changes.push_audit(&audit(a.key, Some("1"), 1, AuditType::Update));
    changes.push_completion(&completion(DS_A, "202001", F1, DEFAULT, 1, true));
    must(s.apply(&changes), "to apply a batch");
    must(
        s.add_lock_exception(&uid(DS_A), &pe("202001"), &uid(F1)),
        "to add a lock exception",
    );
    must(s.put_record("journal", "1", "lost"), "to put a record");
    must(s.save_metadata(&org_unit_tree()), "to save metadata");
    let mut s = match spare {
        Some(spare) => {
            drop(s);
            h.reopen(spare)
        }
        None => h.reopen(s),
    };

    assert_row(&mut s, &a, Existing::Stored);
    assert_no_row(&mut s, &b.key);
    assert!(must(s.audits(&a.key), "to read audits").is_empty());
    assert_eq!(completion_of(&mut s, DS_A, "202001", F1, DEFAULT), None);
    assert!(!must(
        s.has_lock_exception(&uid(DS_A), &pe("202001"), &uid(F1)),
        "to read a lock exception"
    ));
    assert_eq!(must(s.record("journal", "1"), "to read a record"), None);
    assert!(must(s.load_metadata(), "to load metadata")
        .org_units()
        .is_empty());
    assert_eq!(last_change(&mut s), change);

    // The dropped writer's lock is gone.
    let c = row(key(DE_C, "202001", F1), "3");
    commit_rows(&mut s, std::slice::from_ref(&c));
    assert_eq!(query_values(&mut s, &everything()), ["1", "3"]);
}
