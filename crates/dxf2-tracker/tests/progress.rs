//! Progress events of the tracker import (`import_with_progress`,
//! `import_with_uids_and_progress`) against the e2e metadata of `tests/import.rs`: phases in
//! order (check, then write), `done` never going down within a phase, each phase ending with
//! `total == Some(done)`, the totals the objects of the payload, and no write phase when
//! nothing is written.
// Test code: a failed expectation should stop the test loudly.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use dxf2_metadata::catalogue::MemoryCatalogue;
use dxf2_model::{Phase, Progress, Uid};
use dxf2_store::MemoryStore;
use dxf2_testdata::corpus::corpus_file;
use dxf2_tracker::import::{
    import, import_with_progress, import_with_uids_and_progress, AtomicMode, ImportMode,
    ImportParams, ImportStrategy, Status, ValidationMode,
};
use dxf2_tracker::{JsonReader, Payload, ReadOptions, Timestamp};
use serde_json::{json, Value};

fn metadata() -> MemoryCatalogue {
    let text = include_str!("fixtures/tracker_metadata.json");
    let doc: Value = serde_json::from_str(text).unwrap();
    let mut cat = MemoryCatalogue::with_dhis2_defaults();
    for (key, list) in doc.as_object().unwrap() {
        for object in list.as_array().unwrap() {
            cat.insert(key, object.as_object().unwrap().clone());
        }
    }
    cat
}

fn payload(json: &str) -> Payload {
    JsonReader::new(ReadOptions::default())
        .read_payload_slice(json.as_bytes())
        .unwrap()
        .0
}

fn params() -> ImportParams {
    let mut p = ImportParams::default();
    p.now = Some(Timestamp::parse("2024-06-01T12:00:00.000", &Default::default()).unwrap());
    p
}

/// Checks the rules every progress stream keeps and answers each phase's total, in order.
fn phases(events: &[Progress]) -> Vec<(Phase, u64)> {
    let mut out: Vec<(Phase, u64)> = Vec::new();
    let mut current: Option<Progress> = None;
    for event in events {
        match current {
            Some(last) if last.phase == event.phase => {
                assert_eq!(
                    last.total, None,
                    "an event after the end of its phase: {events:?}"
                );
                assert!(event.done >= last.done, "done went down: {events:?}");
            }
            Some(last) => {
                assert_eq!(
                    last.total,
                    Some(last.done),
                    "a phase left unfinished: {events:?}"
                );
                assert!(
                    out.iter().all(|(p, _)| *p != event.phase),
                    "a phase came back: {events:?}"
                );
            }
            None => {}
        }
        if let Some(total) = event.total {
            assert_eq!(total, event.done, "total is not done: {event:?}");
            out.push((event.phase, total));
        }
        current = Some(*event);
    }
    let last = current.expect("at least one event");
    assert_eq!(last.total, Some(last.done), "the last phase is unfinished");
    out
}

/// Runs the import, answering its outcome's status and its phases.
fn run(json: &str, p: &ImportParams) -> (Status, Vec<(Phase, u64)>, Vec<Progress>) {
    let mut events = Vec::new();
    let outcome = import_with_progress(
        &mut MemoryStore::new(),
        &metadata(),
        payload(json),
        p,
        &mut |e: Progress| events.push(e),
    )
    .unwrap();
    (outcome.report.status, phases(&events), events)
}

/// `n` tracked entities (Person, in Bo), each enrolled in the tracker program.
fn tracked_entities(n: usize) -> String {
    let tes: Vec<Value> = (0..n)
        .map(|i| {
            json!({"trackedEntity": format!("T{i:010}"), "trackedEntityType": "Q9GufDoplCL",
                "orgUnit": "O6uvpzGd5pu",
                "enrollments": [{"enrollment": format!("E{i:010}"), "program": "f1AyMswryyQ",
                    "orgUnit": "O6uvpzGd5pu", "enrolledAt": "2019-08-19T00:00:00.000",
                    "occurredAt": "2019-08-19T00:00:00.000"}]})
        })
        .collect();
    json!({ "trackedEntities": tes }).to_string()
}

/// `n` events of the event program, each without a UID.
fn events(n: usize) -> String {
    let events: Vec<Value> = (0..n)
        .map(|_| {
            json!({"program": "Zd2rkv8FsWq", "programStage": "jKLB23QZS4I",
                "orgUnit": "O6uvpzGd5pu", "occurredAt": "2018-11-01T00:00:00.000",
                "status": "ACTIVE"})
        })
        .collect();
    json!({ "events": events }).to_string()
}

#[test]
fn checks_then_writes_every_object() {
    let (status, phases, events) = run(&tracked_entities(1_200), &params());
    assert_eq!(status, Status::Ok);
    assert_eq!(phases, [(Phase::Check, 2_400), (Phase::Write, 2_400)]);
    let check: Vec<u64> = events
        .iter()
        .filter(|p| p.phase == Phase::Check)
        .map(|p| p.done)
        .collect();
    assert_eq!(check, [0, 1_000, 2_000, 2_400]);
}

#[test]
fn the_same_outcome_as_without_progress() {
    let json = tracked_entities(3);
    let mut a = MemoryStore::new();
    let mut b = MemoryStore::new();
    let without = import(&mut a, &metadata(), payload(&json), &params()).unwrap();
    let with =
        import_with_progress(&mut b, &metadata(), payload(&json), &params(), &mut |_| {}).unwrap();
    assert_eq!(with.report.to_json(), without.report.to_json());
    assert_eq!(with.notes, without.notes);
}

#[test]
fn an_event_program_writes_its_hidden_enrollment_too() {
    let mut next = 0u32;
    let mut uids = || {
        next += 1;
        Uid::parse(&format!("U{next:010}")).unwrap()
    };
    let mut events = Vec::new();
    let outcome = import_with_uids_and_progress(
        &mut MemoryStore::new(),
        &metadata(),
        payload(&self::events(1_005)),
        &params(),
        &mut uids,
        &mut |e: Progress| events.push(e),
    )
    .unwrap();
    assert_eq!(
        outcome.report.stats.created,
        1_005,
        "{}",
        outcome.report.to_json()
    );
    assert_eq!(
        phases(&events),
        [(Phase::Check, 1_005), (Phase::Write, 1_006)]
    );
}

#[test]
fn a_dry_run_checks_and_writes_nothing() {
    let mut p = params();
    p.import_mode = ImportMode::Validate;
    let (status, phases, _) = run(&tracked_entities(2), &p);
    assert_eq!(status, Status::Ok);
    assert_eq!(phases, [(Phase::Check, 4)]);
}

/// Two tracked entities, the second of an unknown type (`E1005`), each enrolled.
fn one_invalid() -> String {
    let mut doc: Value = serde_json::from_str(&tracked_entities(2)).unwrap();
    doc["trackedEntities"][1]["trackedEntityType"] = json!("NoSuchType1");
    doc.to_string()
}

#[test]
fn errors_under_atomic_mode_all_write_nothing() {
    let (status, phases, _) = run(&one_invalid(), &params());
    assert_eq!(status, Status::Error);
    assert_eq!(phases, [(Phase::Check, 4)]);
}

#[test]
fn atomic_mode_object_writes_the_valid_objects() {
    let mut p = params();
    p.atomic_mode = AtomicMode::Object;
    let (_, phases, _) = run(&one_invalid(), &p);
    // The invalid tracked entity and its enrollment (E5000) are not written.
    assert_eq!(phases, [(Phase::Check, 4), (Phase::Write, 2)]);
}

#[test]
fn fail_fast_and_skip_still_end_the_check_phase_with_every_object() {
    for mode in [ValidationMode::FailFast, ValidationMode::Skip] {
        let mut p = params();
        p.validation_mode = mode;
        p.atomic_mode = AtomicMode::Object;
        let (_, phases, _) = run(&one_invalid(), &p);
        assert_eq!(phases[0], (Phase::Check, 4), "{mode:?}");
    }
}

#[test]
fn a_deletion_counts_the_objects_it_cascades_to() {
    let json = tracked_entities(2);
    let mut store = MemoryStore::new();
    import(&mut store, &metadata(), payload(&json), &params()).unwrap();
    // Delete the tracked entities only: their enrollments go with them.
    let mut doc: Value = serde_json::from_str(&json).unwrap();
    for te in doc["trackedEntities"].as_array_mut().unwrap() {
        te.as_object_mut().unwrap().remove("enrollments");
    }
    let mut p = params();
    p.import_strategy = ImportStrategy::Delete;
    let mut events = Vec::new();
    let outcome = import_with_progress(
        &mut store,
        &metadata(),
        payload(&doc.to_string()),
        &p,
        &mut |e: Progress| events.push(e),
    )
    .unwrap();
    assert_eq!(
        outcome.report.stats.deleted,
        2,
        "{}",
        outcome.report.to_json()
    );
    assert_eq!(phases(&events), [(Phase::Check, 2), (Phase::Write, 4)]);
}

/// The corpus payload: 2 tracked entities, each with one enrollment and one event (S-E4).
#[test]
fn the_corpus_payload_counts_its_six_objects() {
    let Some(path) = corpus_file("tracker/trackedEntitiesWithEnrollmentsAndEvents.json") else {
        return;
    };
    let json = std::fs::read_to_string(path).unwrap();
    let (status, phases, _) = run(&json, &params());
    assert_eq!(status, Status::Ok);
    assert_eq!(phases, [(Phase::Check, 6), (Phase::Write, 6)]);
}
