//! The tracker export over imported objects: org unit modes, program and stage, dates,
//! deleted objects, follow-up, filters, a single object not found, JSON and CSV, and an
//! exported tracked entity imported again (S-E29).
// Test code: a failed expectation should stop the test loudly.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use dxf2_metadata::catalogue::MemoryCatalogue;
use dxf2_model::Uid;
use dxf2_store::MemoryStore;
use dxf2_tracker::export::{
    export, write_export, ExportError, ExportFormat, ExportQuery, ItemFilter, OrgUnitMode,
};
use dxf2_tracker::import::{import, ImportParams, ImportStrategy, Status};
use dxf2_tracker::{
    FieldFilter, Fields, JsonReader, Payload, ReadOptions, Timestamp, TrackerObject, TrackerType,
    WriteOptions,
};
use serde_json::Value;

fn metadata() -> MemoryCatalogue {
    let doc: Value = serde_json::from_str(include_str!("fixtures/tracker_metadata.json")).unwrap();
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

const DATA: &str = r#"{"trackedEntities": [
  {"trackedEntity": "Kj6vYde4LHh", "trackedEntityType": "Q9GufDoplCL", "orgUnit": "O6uvpzGd5pu",
   "attributes": [{"attribute": "kZeSYCgaHTk", "value": "Test,Test"}],
   "enrollments": [{"enrollment": "MNWZ6hnuhSw", "program": "f1AyMswryyQ", "orgUnit": "g8upMTyEZGZ",
     "enrolledAt": "2019-08-19", "occurredAt": "2019-08-19", "followUp": true,
     "events": [{"event": "ZwwuwNp6gVd", "programStage": "nlXNK4b7LVr", "orgUnit": "DiszpKrYNg8",
       "occurredAt": "2019-08-01", "dataValues": [{"dataElement": "BuZ5LGNfGEU", "value": "20"}]}]}]}],
  "events": [
    {"event": "uairHTqZ5ye", "program": "Zd2rkv8FsWq", "programStage": "jKLB23QZS4I", "orgUnit": "O6uvpzGd5pu",
     "occurredAt": "2018-11-01", "dataValues": [{"dataElement": "BuZ5LGNfGEU", "value": "33"}]},
    {"event": "lwBnlOXhd9P", "program": "Zd2rkv8FsWq", "programStage": "jKLB23QZS4I", "orgUnit": "ImspTQPwCqd",
     "occurredAt": "2018-12-01"}]}"#;

fn loaded() -> (MemoryStore, MemoryCatalogue) {
    let cat = metadata();
    let mut store = MemoryStore::new();
    let out = import(&mut store, &cat, payload(DATA), &params()).unwrap();
    assert_eq!(out.report.status, Status::Ok, "{}", out.report.to_json());
    (store, cat)
}

fn uids(objects: &[TrackerObject]) -> Vec<String> {
    objects
        .iter()
        .map(|o| o.uid().unwrap().to_string())
        .collect()
}

fn events(
    store: &mut MemoryStore,
    cat: &MemoryCatalogue,
    f: impl Fn(&mut ExportQuery),
) -> Vec<String> {
    let mut q = ExportQuery::new(TrackerType::Event);
    f(&mut q);
    let mut out = uids(&export(store, cat, &q).unwrap().objects);
    out.sort();
    out
}

#[test]
fn org_unit_modes_program_and_dates() {
    let (mut store, cat) = loaded();
    let all = events(&mut store, &cat, |_| {});
    assert_eq!(all, ["ZwwuwNp6gVd", "lwBnlOXhd9P", "uairHTqZ5ye"]);
    let bo = |mode| {
        move |q: &mut ExportQuery| {
            q.org_units = vec!["O6uvpzGd5pu".into()];
            q.org_unit_mode = Some(mode);
        }
    };
    assert_eq!(
        events(&mut store, &cat, bo(OrgUnitMode::Selected)),
        ["uairHTqZ5ye"]
    );
    assert_eq!(
        events(&mut store, &cat, bo(OrgUnitMode::Children)),
        ["uairHTqZ5ye"]
    );
    // S-E12: the event keeps its own org unit, found under Bo's descendants.
    assert_eq!(
        events(&mut store, &cat, bo(OrgUnitMode::Descendants)),
        ["ZwwuwNp6gVd", "uairHTqZ5ye"]
    );
    assert_eq!(
        events(&mut store, &cat, |q| q.program = Some("Zd2rkv8FsWq".into())),
        ["lwBnlOXhd9P", "uairHTqZ5ye"]
    );
    assert_eq!(
        events(&mut store, &cat, |q| q.program_stage =
            Some("nlXNK4b7LVr".into())),
        ["ZwwuwNp6gVd"]
    );
    let zone = Default::default();
    assert_eq!(
        events(&mut store, &cat, |q| {
            q.occurred_after = Some(Timestamp::parse("2018-11-15", &zone).unwrap());
            q.occurred_before = Some(Timestamp::parse("2018-12-31", &zone).unwrap());
        }),
        ["lwBnlOXhd9P"]
    );
    assert_eq!(
        events(&mut store, &cat, |q| q.follow_up = Some(true)),
        ["ZwwuwNp6gVd"]
    );
    assert_eq!(
        events(&mut store, &cat, |q| q.filters =
            vec![ItemFilter::parse("BuZ5LGNfGEU:gt:25").unwrap()]),
        ["uairHTqZ5ye"]
    );
    assert!(events(&mut store, &cat, |q| q.status = Some("COMPLETED".into())).is_empty());
}

#[test]
fn deleted_and_not_found() {
    let (mut store, cat) = loaded();
    let mut p = params();
    p.import_strategy = ImportStrategy::Delete;
    let out = import(
        &mut store,
        &cat,
        payload(r#"{"events":[{"event":"uairHTqZ5ye"}]}"#),
        &p,
    )
    .unwrap();
    assert_eq!(out.report.stats.deleted, 1);
    assert_eq!(
        events(&mut store, &cat, |_| {}),
        ["ZwwuwNp6gVd", "lwBnlOXhd9P"]
    );
    assert_eq!(
        events(&mut store, &cat, |q| q.include_deleted = true),
        ["ZwwuwNp6gVd", "lwBnlOXhd9P", "uairHTqZ5ye"]
    );
    let mut q = ExportQuery::new(TrackerType::Event);
    q.uids = vec![Uid::parse("uairHTqZ5ye").unwrap()];
    match export(&mut store, &cat, &q) {
        Err(ExportError::NotFound(m)) => {
            assert_eq!(m, "Event with id uairHTqZ5ye could not be found.")
        }
        other => panic!("{other:?}"),
    }
    // Several UIDs are a collection filter: an empty result is not an error.
    q.uids.push(Uid::parse("Nav6inZRw1u").unwrap());
    assert!(export(&mut store, &cat, &q).unwrap().is_empty());
}

#[test]
fn json_and_csv_documents() {
    let (mut store, cat) = loaded();
    let mut q = ExportQuery::new(TrackerType::Event);
    q.uids = vec![
        Uid::parse("ZwwuwNp6gVd").unwrap(),
        Uid::parse("Nav6inZRw1u").unwrap(),
    ];
    let mut found = export(&mut store, &cat, &q).unwrap().objects;
    let csv = write_export(
        Vec::new(),
        TrackerType::Event,
        &mut found,
        false,
        None,
        ExportFormat::Csv,
        WriteOptions::default(),
    )
    .unwrap();
    let csv = String::from_utf8(csv).unwrap();
    let row = csv.lines().nth(1).unwrap();
    let cells: Vec<&str> = row.split(',').collect();
    // S-X2's columns: event, status, program, stage, enrollment, org unit, followUp, deleted,
    // attribute option combo and options, data element, value.
    assert_eq!(
        (cells[0], cells[1], cells[2], cells[3], cells[4], cells[5], cells[11], cells[12]),
        (
            "ZwwuwNp6gVd",
            "ACTIVE",
            "f1AyMswryyQ",
            "nlXNK4b7LVr",
            "MNWZ6hnuhSw",
            "DiszpKrYNg8",
            "true",
            "false"
        )
    );
    assert_eq!(
        (cells[20], cells[21], cells[23], cells[24]),
        ("HllvX50cXC0", "xYerKDKCefk", "BuZ5LGNfGEU", "20")
    );
    let json = write_export(
        Vec::new(),
        TrackerType::Event,
        &mut found,
        false,
        None,
        ExportFormat::Json,
        WriteOptions::default(),
    )
    .unwrap();
    let json: Value = serde_json::from_slice(&json).unwrap();
    assert_eq!(json["events"][0]["trackedEntity"], "Kj6vYde4LHh");
    assert_eq!(json["events"][0]["followUp"], true);
    // A filter on a tracked entity attribute with an escaped comma (S-X4).
    let mut q = ExportQuery::new(TrackerType::TrackedEntity);
    q.tracked_entity_type = Some("Q9GufDoplCL".into());
    q.filters = vec![ItemFilter::parse("kZeSYCgaHTk:eq:Test/,Test").unwrap()];
    assert_eq!(
        uids(&export(&mut store, &cat, &q).unwrap().objects),
        ["Kj6vYde4LHh"]
    );
}

/// S-E29: a tracked entity exported with `fields=*`, its UIDs removed, imports again as three
/// new objects.
#[test]
fn exported_tracked_entity_imports_again() {
    let (mut store, cat) = loaded();
    let mut q = ExportQuery::new(TrackerType::TrackedEntity);
    q.uids = vec![Uid::parse("Kj6vYde4LHh").unwrap()];
    q.program = Some("f1AyMswryyQ".into());
    q.org_units = vec!["ImspTQPwCqd".into()];
    q.org_unit_mode = Some(OrgUnitMode::Descendants);
    let mut found = export(&mut store, &cat, &q).unwrap().objects;
    let options =
        WriteOptions::default().with_fields(Fields::Filter(FieldFilter::parse("*").unwrap()));
    let body = write_export(
        Vec::new(),
        TrackerType::TrackedEntity,
        &mut found,
        false,
        None,
        ExportFormat::Json,
        options,
    )
    .unwrap();
    let mut doc: Value = serde_json::from_slice(&body).unwrap();
    let te = &mut doc["trackedEntities"][0];
    te.as_object_mut().unwrap().remove("trackedEntity");
    let en = &mut te["enrollments"][0];
    en.as_object_mut().unwrap().remove("enrollment");
    en.as_object_mut().unwrap().remove("trackedEntity");
    let ev = &mut en["events"][0];
    ev.as_object_mut().unwrap().remove("event");
    ev.as_object_mut().unwrap().remove("enrollment");
    let again = import(
        &mut MemoryStore::new(),
        &cat,
        payload(&doc.to_string()),
        &params(),
    )
    .unwrap();
    assert_eq!(
        again.report.status,
        Status::Ok,
        "{}",
        again.report.to_json()
    );
    assert_eq!(again.report.stats.created, 3);
}
