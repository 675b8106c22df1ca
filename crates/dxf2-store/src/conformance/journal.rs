//! The import journal ([`Journal`](crate::Journal)) on the store's records: jobs numbered in
//! order, written with the import's transaction (gone with its rollback), kept across a reopen.

use super::fixtures::*;
use super::Harness;
use crate::{DataValueStore, HeldCommit, Job, JobFilter, JobInput, JobKind, Journal};
use chrono::{TimeZone, Utc};

fn job(kind: JobKind, sha: &str) -> Job {
    let started = Utc
        .with_ymd_and_hms(2024, 5, 1, 8, 0, 0)
        .single()
        .unwrap_or_default();
    let mut job = Job::new(kind, started);
    job.input = Some(JobInput {
        name: "in.json".to_owned(),
        size: 3,
        sha256: sha.to_owned(),
    });
    job.summaries
        .insert("json".to_owned(), "{\"status\":\"OK\"}".to_owned());
    job
}

fn ids<S: DataValueStore>(s: &mut S) -> Vec<u64> {
    let mut ids = Vec::new();
    must(
        s.jobs(&JobFilter::default(), &mut |j| {
            ids.push(j.id);
            Ok(())
        }),
        "to list jobs",
    );
    ids
}

/// Jobs: numbered 1, 2, …; a job recorded in a rolled-back import (through [`HeldCommit`]) is
/// not kept and its number is given again; repeated inputs are noted; all of it survives a
/// reopen.
pub fn journal_follows_transactions_and_survives_reopen<H: Harness>(h: &mut H) {
    let mut s = h.fresh();
    {
        let mut held = HeldCommit::new(&mut s);
        must(held.begin(), "to begin");
        must(
            held.apply(&inserts(&[row(key(DE_A, "202001", F1), "1")])),
            "to insert",
        );
        must(held.commit(), "to hold the commit");
        let mut first = job(JobKind::Data, "aa");
        assert_eq!(must(held.record_job(&mut first), "to record a job"), 1);
        must(held.commit_held(), "to commit");
    }
    {
        let mut held = HeldCommit::new(&mut s);
        must(held.begin(), "to begin");
        must(held.commit(), "to hold the commit");
        let mut lost = job(JobKind::Metadata, "bb");
        must(held.record_job(&mut lost), "to record a job");
        must(held.rollback_held(), "to roll back");
    }
    assert_eq!(ids(&mut s), [1], "the rolled-back job is gone");
    assert!(must(s.jobs_with_input("bb"), "to look up an input").is_empty());

    must(s.begin(), "to begin");
    let mut again = job(JobKind::Data, "aa");
    assert_eq!(must(s.record_job(&mut again), "to record a job"), 2);
    must(s.commit(), "to commit");
    assert_eq!(again.same_input_as, [1]);

    let mut s = h.reopen(s);
    assert_eq!(ids(&mut s), [1, 2]);
    let back = must(s.job(2), "to read a job");
    assert_eq!(back.as_ref(), Some(&again));
    assert_eq!(must(s.jobs_with_input("aa"), "to look up an input"), [1, 2]);
}
