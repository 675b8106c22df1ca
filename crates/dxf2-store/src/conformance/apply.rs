//! Cases: `apply`. Every field of a row round-trips exactly through inserts, updates, soft
//! deletes and revivals (also after reopening); one batch mixes every kind of write.

use super::fixtures::*;
use super::Harness;
use crate::{AuditType, Changes, DataValueStore, Existing, StoredValue, Write};

/// A comment of exactly 50,000 characters (not bytes), mixing scripts.
fn long_comment() -> String {
    "αβγ abc 12345 ✓ 漢字 "
        .chars()
        .cycle()
        .take(50_000)
        .collect()
}

/// Text that trips naive encodings: accents, combining marks, astral characters, right-to-left
/// script, quotes, a backslash, control characters, and white space at both ends.
const AWKWARD: &str =
    "  Ünïcödé e\u{301} ✓ 𝄞 😀 漢字 עברית \"double\" 'single' back\\slash\nnew line\ttab\r  ";

/// The rows of [`apply_round_trips_every_field`], as first inserted.
fn first_rows() -> Vec<StoredValue> {
    let mut nothing = StoredValue::empty(key(DE_A, "202001", F1), at(9, 0, 123));
    nothing.last_updated = at(9, 30, 456);

    let mut empty_texts = row(key(DE_A, "202002", F1), "");
    empty_texts.comment = Some(String::new());
    empty_texts.stored_by = Some(String::new());
    empty_texts.followup = true;

    let mut unicode = row(key(DE_A, "202003", F1), AWKWARD);
    unicode.comment = Some(AWKWARD.to_owned());
    unicode.stored_by = Some("usér ✓".to_owned());

    let mut long = row(key(DE_A, "202004", F1), "1.5");
    long.comment = Some(long_comment());

    let mut far = row(key(DE_A, "202005", F1), "0");
    far.created = instant(1999, 12, 31, 23, 59, 59_999);
    far.last_updated = instant(2038, 1, 19, 3, 14, 8_001);

    let mut gone = deleted(row(key(DE_A, "202006", F1), "7"));
    gone.comment = Some("deleted with its value".to_owned());
    vec![nothing, empty_texts, unicode, long, far, gone]
}

/// The same rows with every field changed (the last one revived).
fn updated_rows() -> Vec<StoredValue> {
    let mut rows = first_rows();
    for (i, r) in rows.iter_mut().enumerate() {
        let n = i64::try_from(i).unwrap_or_default();
        if r.value.is_none() {
            r.value = Some("now set".to_owned());
            r.comment = Some("now commented".to_owned());
            r.stored_by = Some("someone".to_owned());
        } else if r.value.as_deref() == Some("") {
            r.value = None;
            r.comment = None;
            r.stored_by = None;
        } else {
            r.value = Some(format!("{}+", r.value.clone().unwrap_or_default()));
        }
        r.followup = !r.followup;
        r.created = at(7, 0, n);
        r.last_updated = at(11, 0, 999 - n);
        r.deleted = !r.deleted;
    }
    rows
}

/// Inserts, then updates, soft deletes and revivals round-trip every field exactly: no value vs
/// an empty one, unicode, a 50,000-character comment, `stored_by`, `followup`, `deleted`, and
/// `created`/`last_updated` to the millisecond (before 2000 and after 2038 too), read back by
/// lookup and query, in the transaction and after reopening.
pub fn apply_round_trips_every_field<H: Harness>(h: &mut H) {
    let mut s = h.fresh();
    let first = first_rows();
    must(s.begin(), "to begin");
    must(s.apply(&inserts(&first)), "to insert");
    for r in &first {
        assert_row(&mut s, r, Existing::InsertedInThisTransaction);
    }
    must(s.commit(), "to commit");
    for r in &first {
        assert_row(&mut s, r, Existing::Stored);
    }
    assert_eq!(query_rows(&mut s, &everything()), first);

    let updated = updated_rows();
    let mut changes = Changes::new();
    for r in &updated {
        changes.push_row(Write::Update, r);
    }
    commit(&mut s, &changes);
    for r in &updated {
        assert_row(&mut s, r, Existing::Stored);
    }
    assert_eq!(query_rows(&mut s, &everything()), updated);

    let mut s = h.reopen(s);
    for r in &updated {
        assert_row(&mut s, r, Existing::Stored);
    }
    assert_eq!(query_rows(&mut s, &everything()), updated);
}

/// One batch mixes inserts, updates, a soft delete, a revival, audits and completions, with its
/// rows in no particular order; a reused [`Changes`] (cleared, refilled) writes only its new
/// contents; an empty batch is accepted.
pub fn apply_writes_a_mixed_batch<H: Harness>(h: &mut H) {
    let mut s = h.fresh();
    let a = row(key(DE_A, "202001", F1), "1");
    let b = row(key(DE_B, "202001", F1), "2");
    let c = deleted(row(key(DE_C, "202001", F1), "3"));
    commit_rows(&mut s, &[a.clone(), b.clone(), c.clone()]);

    let new_late = row(key(DE_C, "202012", F3), "late");
    let new_early = row(key(DE_A, "201912", F1), "early");
    let a2 = row(a.key, "10");
    let b_gone = deleted(b.clone());
    let mut c_back = c.clone();
    c_back.deleted = false;
    c_back.value = Some("back".to_owned());
    let mut changes = batch(&[
        (Write::Insert, &new_late),
        (Write::Update, &b_gone),
        (Write::Update, &c_back),
        (Write::Insert, &new_early),
        (Write::Update, &a2),
    ]);
    let audits = [
        audit(a.key, Some("1"), 1, AuditType::Update),
        audit(b.key, Some("2"), 2, AuditType::Delete),
        audit(new_late.key, Some("late"), 3, AuditType::Create),
    ];
    for x in &audits {
        changes.push_audit(x);
    }
    let done = completion(DS_A, "202001", F1, DEFAULT, 4, true);
    changes.push_completion(&done);
    commit(&mut s, &changes);

    for r in [&new_late, &b_gone, &c_back, &new_early, &a2] {
        assert_row(&mut s, r, Existing::Stored);
    }
    assert_eq!(
        must(s.audits(&a.key), "to read audits"),
        [audits[0].clone()]
    );
    assert_eq!(
        must(s.audits(&b.key), "to read audits"),
        [audits[1].clone()]
    );
    assert_eq!(
        must(s.audits(&new_late.key), "to read audits"),
        [audits[2].clone()]
    );
    assert_eq!(
        completion_of(&mut s, DS_A, "202001", F1, DEFAULT),
        Some(done)
    );

    // A reused batch: cleared and refilled with one row, it writes that row only.
    changes.clear();
    let d = row(key(DE_B, "202002", F2), "4");
    changes.push_row(Write::Insert, &d);
    commit(&mut s, &changes);
    assert_row(&mut s, &d, Existing::Stored);
    assert_eq!(
        must(s.audits(&a.key), "to read audits").len(),
        1,
        "a cleared batch's audits are not written again"
    );
    assert_eq!(query_rows(&mut s, &everything()).len(), 6);

    commit(&mut s, &Changes::new());
    assert_eq!(query_rows(&mut s, &everything()).len(), 6);
}
