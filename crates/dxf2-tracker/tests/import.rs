//! The tracker import against the metadata of DHIS2's e2e suite (`tests/fixtures/
//! tracker_metadata.json`, our subset of dhis2-core's `dhis-test-e2e/.../setup/
//! tracker_metadata.json` plus the Sierra Leone org units it assumes and DHIS2's default
//! category objects): the scenarios of `tracker-scenarios.md` that need no program rules,
//! users or sharing, and the corpus payload `trackedEntitiesWithEnrollmentsAndEvents.json`.
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
use dxf2_testdata::corpus::corpus_file;
use dxf2_tracker::import::{
    import, AtomicMode, ImportMode, ImportOutcome, ImportParams, ImportStrategy, ReportMode,
    Status, TrackerIdScheme, TrackerIdSchemes,
};
use dxf2_tracker::{
    JsonReader, Payload, ReadOptions, Timestamp, TrackerObject, TrackerStore, TrackerType,
};
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

fn run(
    store: &mut MemoryStore,
    cat: &MemoryCatalogue,
    json: &str,
    p: &ImportParams,
) -> ImportOutcome {
    import(store, cat, payload(json), p).unwrap()
}

fn codes(outcome: &ImportOutcome) -> Vec<&'static str> {
    let mut c = outcome.report.codes();
    c.sort_unstable();
    c
}

fn uid(s: &str) -> Uid {
    Uid::parse(s).unwrap()
}

const TE: &str = r#"{"trackedEntities": [{"trackedEntity": "Kj6vYde4LHh", "trackedEntityType": "Q9GufDoplCL",
  "orgUnit": "O6uvpzGd5pu"}],
  "enrollments": [{"enrollment": "MNWZ6hnuhSw", "trackedEntity": "Kj6vYde4LHh", "program": "f1AyMswryyQ",
  "orgUnit": "O6uvpzGd5pu", "enrolledAt": "2019-08-19T00:00:00.000", "occurredAt": "2019-08-19T00:00:00.000"}]}"#;

fn event_json(extra: Value) -> String {
    let mut ev = json!({"orgUnit": "O6uvpzGd5pu", "program": "f1AyMswryyQ",
        "programStage": "PaOOjwLVW23", "enrollment": "MNWZ6hnuhSw",
        "occurredAt": "2019-08-20T00:00:00.000", "status": "ACTIVE"});
    for (k, v) in extra.as_object().unwrap() {
        if v.is_null() {
            ev.as_object_mut().unwrap().remove(k);
        } else {
            ev[k] = v.clone();
        }
    }
    json!({ "events": [ev] }).to_string()
}

/// The corpus payload: 2 tracked entities with one enrollment and one event each (S-E4), then
/// deleted with `importStrategy=DELETE`, then re-sent: the deleted objects cannot be written.
#[test]
fn corpus_tracked_entities_with_enrollments_and_events() {
    let Some(path) = corpus_file("tracker/trackedEntitiesWithEnrollmentsAndEvents.json") else {
        return;
    };
    let json = std::fs::read_to_string(path).unwrap();
    let cat = metadata();
    let mut store = MemoryStore::new();
    let out = run(&mut store, &cat, &json, &params());
    assert_eq!(out.report.status, Status::Ok, "{}", out.report.to_json());
    assert!(out.report.errors.is_empty(), "{}", out.report.to_json());
    assert_eq!(out.report.stats.created, 6);
    assert_eq!(out.report.stats.ignored, 0);
    for kind in [
        TrackerType::TrackedEntity,
        TrackerType::Enrollment,
        TrackerType::Event,
    ] {
        assert_eq!(out.report.type_report(kind).unwrap().stats.created, 2);
    }
    // The tracker program has a program rule: said, not run.
    assert!(out
        .notes
        .iter()
        .any(|n| n.contains("f1AyMswryyQ") && n.contains("TA Calculate age")));
    let stored = store
        .tracker_object(TrackerType::Event, &uid("ZwwuwNp6gVd"))
        .unwrap()
        .unwrap();
    let TrackerObject::Event(ev) = stored else {
        panic!()
    };
    assert_eq!(ev.data_values.len(), 3);
    assert_eq!(ev.attribute_option_combo, "HllvX50cXC0");
    assert_eq!(ev.tracked_entity, Some(uid("Kj6vYde4LHh")));

    // Again: every object is an update.
    let out = run(&mut store, &cat, &json, &params());
    assert_eq!(out.report.stats.updated, 6, "{}", out.report.to_json());

    let mut delete = params();
    delete.import_strategy = ImportStrategy::Delete;
    let out = run(&mut store, &cat, &json, &delete);
    assert_eq!(out.report.status, Status::Ok, "{}", out.report.to_json());
    assert_eq!(out.report.stats.deleted, 6);

    let out = run(&mut store, &cat, &json, &params());
    assert_eq!(out.report.status, Status::Error);
    assert_eq!(
        codes(&out),
        ["E1082", "E1082", "E1113", "E1113", "E1114", "E1114"]
    );
}

/// S-W1: `{}` with importMode=VALIDATE gives DHIS2's empty report byte for byte.
#[test]
fn empty_payload_validate() {
    let mut p = params();
    p.import_mode = ImportMode::Validate;
    let out = run(&mut MemoryStore::new(), &metadata(), "{}", &p);
    assert_eq!(
        out.report.to_json(),
        r#"{"status":"OK","validationReport":{"errorReports":[],"warningReports":[]},"stats":{"created":0,"updated":0,"deleted":0,"ignored":0,"total":0},"bundleReport":{"typeReportMap":{}}}"#
    );
    let out = run(&mut MemoryStore::new(), &metadata(), "{}", &params());
    assert_eq!(out.report.status, Status::Ok);
    assert!(out.report.to_json().contains(r#""TRACKED_ENTITY":{"trackerType":"TRACKED_ENTITY","stats":{"created":0,"updated":0,"deleted":0,"ignored":0,"total":0},"objectReports":[]}"#));
}

/// S-E1: a valid tracked entity with importMode=VALIDATE: OK, nothing created, total 0.
#[test]
fn validate_mode_writes_nothing() {
    let mut p = params();
    p.import_mode = ImportMode::Validate;
    let mut store = MemoryStore::new();
    let out = run(
        &mut store,
        &metadata(),
        include_str!("fixtures/tracked_entity_polygon.json"),
        &p,
    );
    assert_eq!(out.report.status, Status::Ok);
    assert_eq!(out.report.stats.total(), 0);
    assert!(out.report.errors.is_empty() && out.report.warnings.is_empty());
    let mut n = 0;
    store
        .tracker_objects(TrackerType::TrackedEntity, &mut |_| {
            n += 1;
            Ok(())
        })
        .unwrap();
    assert_eq!(n, 0);
}

/// S-E2 / S-E3: an empty `trackedEntityType` is missing (E1121), and the relationship to that
/// tracked entity fails its constraint (E4014); ALL stops everything, OBJECT keeps status OK.
#[test]
fn atomic_modes() {
    let json = include_str!("fixtures/tracked_entities_and_relationship.json");
    let cat = metadata();
    let out = run(&mut MemoryStore::new(), &cat, json, &params());
    assert_eq!(out.report.status, Status::Error);
    assert_eq!(out.report.stats.ignored, 3);
    assert_eq!(out.report.stats.total(), 3);
    assert!(out.report.bundle.is_none());
    assert_eq!(codes(&out), ["E1121", "E4014"]);

    let mut p = params();
    p.atomic_mode = AtomicMode::Object;
    let out = run(&mut MemoryStore::new(), &cat, json, &p);
    assert_eq!(out.report.status, Status::Ok);
    assert_eq!(out.report.stats.created, 1);
    assert_eq!(out.report.stats.ignored, 2);
    assert_eq!(codes(&out), ["E1121", "E4014"]);
}

/// S-E5 / S-E7: a flat tracked entity + enrollment; deleting the tracked entity alone cascades
/// to its enrollment (not counted); a payload of UIDs only deletes.
#[test]
fn delete_cascades() {
    let cat = metadata();
    let mut store = MemoryStore::new();
    let out = run(
        &mut store,
        &cat,
        include_str!("fixtures/tracked_entity_and_enrollment.json"),
        &params(),
    );
    assert_eq!(out.report.stats.created, 2, "{}", out.report.to_json());
    let mut p = params();
    p.import_strategy = ImportStrategy::Delete;
    let out = run(
        &mut store,
        &cat,
        r#"{"trackedEntities":[{"trackedEntity":"JjZ2Nwds92D"}]}"#,
        &p,
    );
    assert_eq!(out.report.status, Status::Ok, "{}", out.report.to_json());
    assert_eq!(out.report.stats.deleted, 1);
    let Some(TrackerObject::Enrollment(en)) = store
        .tracker_object(TrackerType::Enrollment, &uid("JjZ2Nwds92E"))
        .unwrap()
    else {
        panic!()
    };
    assert!(en.deleted);
    // Deleting what does not exist.
    let out = run(
        &mut store,
        &cat,
        r#"{"events":[{"event":"ZwwuwNp6gVd"}]}"#,
        &p,
    );
    assert_eq!(codes(&out), ["E1032"]);
}

/// S-E11: the same event twice without UID in a non-repeatable stage gives E1039; in a
/// repeatable one both are created.
#[test]
fn repeatable_stages() {
    let cat = metadata();
    let mut store = MemoryStore::new();
    assert_eq!(run(&mut store, &cat, TE, &params()).report.stats.created, 2);
    let ev = json!({"orgUnit": "O6uvpzGd5pu", "program": "f1AyMswryyQ", "programStage": "PaOOjwLVW23",
        "enrollment": "MNWZ6hnuhSw", "occurredAt": "2019-08-20"});
    let two = json!({"events": [ev.clone(), ev.clone()]}).to_string();
    let out = run(&mut store, &cat, &two, &params());
    assert_eq!(out.report.stats.created, 2, "{}", out.report.to_json());
    let mut ev = ev;
    ev["programStage"] = json!("nlXNK4b7LVr");
    let two = json!({"events": [ev.clone(), ev]}).to_string();
    let out = run(&mut store, &cat, &two, &params());
    assert_eq!(codes(&out), ["E1039"]);
}

/// S-E14 to S-E17: references of events.
#[test]
fn event_references() {
    let cat = metadata();
    let mut store = MemoryStore::new();
    run(&mut store, &cat, TE, &params());
    let check = |store: &mut MemoryStore, extra: Value, expected: &[&str]| {
        let out = run(store, &cat, &event_json(extra.clone()), &params());
        assert_eq!(codes(&out), expected, "{extra}: {}", out.report.to_json());
    };
    check(
        &mut store,
        json!({"enrollment": null, "orgUnit": "DiszpKrYNg8"}),
        &["E1033"],
    );
    check(
        &mut store,
        json!({"orgUnit": null, "program": "Zd2rkv8FsWq", "programStage": "jKLB23QZS4I", "enrollment": null}),
        &["E1123"],
    );
    check(
        &mut store,
        json!({"orgUnit": "PMa2VCrupOd", "program": "Zd2rkv8FsWq", "programStage": "jKLB23QZS4I", "enrollment": null}),
        &["E1029"],
    );
    check(&mut store, json!({"programStage": null}), &["E1123"]);
    check(
        &mut store,
        json!({"programStage": "jKLB23QZS4I"}),
        &["E1089"],
    );
    check(
        &mut store,
        json!({"program": "f1AyMswryyX", "programStage": "PaOOjwLVW2X"}),
        &["E1079"],
    );
    check(&mut store, json!({"occurredAt": null}), &["E1031"]);
    check(
        &mut store,
        json!({"occurredAt": null, "status": "SCHEDULE"}),
        &["E1050"],
    );
    check(&mut store, json!({"completedAt": "2019-08-20"}), &["E1051"]);
    check(&mut store, json!({"orgUnit": "nonexisting"}), &["E1011"]);
    check(
        &mut store,
        json!({"programStage": "nonexistin"}),
        &["E1013"],
    );
    check(
        &mut store,
        json!({"dataValues": [{"dataElement": "BuZ5LGNfGEU", "value": "x"}]}),
        &["E1305"],
    );
    check(
        &mut store,
        json!({"dataValues": [{"dataElement": "BuZ5LGNfGET", "value": "x"}]}),
        &["E1302"],
    );
    check(
        &mut store,
        json!({"dataValues": [{"dataElement": "nonexistent", "value": "x"}]}),
        &["E1304"],
    );
    check(
        &mut store,
        json!({"attributeCategoryOptions": "invalidopti"}),
        &["E1116"],
    );
    check(
        &mut store,
        json!({"attributeOptionCombo": "invalidaoc1"}),
        &["E1115"],
    );
    check(
        &mut store,
        json!({"geometry": {"type": "Point", "coordinates": [1, 2]}}),
        &["E1074"],
    );
    check(
        &mut store,
        json!({"assignedUser": {"username": "nobody"}}),
        &["E1118"],
    );
    // S-E17: an event program's stage is derived.
    let out = run(
        &mut store,
        &cat,
        &event_json(json!({"program": "Zd2rkv8FsWq", "programStage": null, "enrollment": null})),
        &params(),
    );
    assert_eq!(out.report.status, Status::Ok, "{}", out.report.to_json());
    assert_eq!(out.report.stats.created, 1);
}

/// S-E19: a deleted event cannot be written again (E1082).
#[test]
fn deleted_event_cannot_be_updated() {
    let cat = metadata();
    let mut store = MemoryStore::new();
    let json = include_str!("fixtures/events.json");
    let out = run(&mut store, &cat, json, &params());
    assert_eq!(out.report.stats.created, 2, "{}", out.report.to_json());
    let mut p = params();
    p.import_strategy = ImportStrategy::Delete;
    let out = run(
        &mut store,
        &cat,
        r#"{"events":[{"event":"uairHTqZ5ye"}]}"#,
        &p,
    );
    assert_eq!(out.report.stats.deleted, 1);
    let out = run(&mut store, &cat, json, &params());
    assert_eq!(codes(&out), ["E1082"]);
}

/// S-E21: an enrollment in the future (not allowed by the program) and its event: E1020 and
/// E5000.
#[test]
fn future_enrollment_drops_its_event() {
    let cat = metadata();
    let json = r#"{"trackedEntities": [{"trackedEntity": "Kj6vYde4LHh", "trackedEntityType": "Q9GufDoplCL",
      "orgUnit": "O6uvpzGd5pu", "enrollments": [{"enrollment": "MNWZ6hnuhSw", "program": "f1AyMswryyQ",
      "orgUnit": "O6uvpzGd5pu", "enrolledAt": "2024-06-03", "occurredAt": "2024-05-03",
      "events": [{"event": "ZwwuwNp6gVd", "programStage": "nlXNK4b7LVr", "orgUnit": "O6uvpzGd5pu",
        "occurredAt": "2024-05-03"}]}]}]}"#;
    let out = run(&mut MemoryStore::new(), &cat, json, &params());
    assert_eq!(codes(&out), ["E1020", "E5000"]);
    let e1020 = &out
        .report
        .errors
        .iter()
        .find(|e| e.code.code() == "E1020")
        .unwrap();
    assert_eq!(
        e1020.message,
        "Enrollment date: `2024-06-03T00:00:00.000` cannot be a future date."
    );
    let e5000 = &out
        .report
        .errors
        .iter()
        .find(|e| e.code.code() == "E5000")
        .unwrap();
    assert_eq!(
        e5000.message,
        "event `ZwwuwNp6gVd` cannot be created because enrollment `MNWZ6hnuhSw` referenced by it could not be created."
    );
}

/// S-E22: a second ACTIVE enrollment after a COMPLETED one when the program enrolls once.
#[test]
fn only_enroll_once() {
    let mut cat = metadata();
    let mut program = cat.get("programs", "f1AyMswryyX").unwrap().clone();
    program.insert("onlyEnrollOnce".into(), json!(true));
    cat.insert("programs", program);
    let mut store = MemoryStore::new();
    let first = r#"{"trackedEntities": [{"trackedEntity": "Kj6vYde4LHh", "trackedEntityType": "Q9GufDoplCL",
      "orgUnit": "O6uvpzGd5pu"}], "enrollments": [{"enrollment": "MNWZ6hnuhSw", "trackedEntity": "Kj6vYde4LHh",
      "program": "f1AyMswryyX", "orgUnit": "O6uvpzGd5pu", "enrolledAt": "2019-08-19", "occurredAt": "2019-08-19",
      "status": "COMPLETED"}]}"#;
    assert_eq!(
        run(&mut store, &cat, first, &params()).report.stats.created,
        2
    );
    let second = r#"{"enrollments": [{"trackedEntity": "Kj6vYde4LHh", "program": "f1AyMswryyX",
      "orgUnit": "O6uvpzGd5pu", "enrolledAt": "2019-09-19", "occurredAt": "2019-09-19"}]}"#;
    assert_eq!(codes(&run(&mut store, &cat, second, &params())), ["E1016"]);
}

/// S-E31 to S-E37: relationships.
#[test]
fn relationships() {
    let cat = metadata();
    let mut store = MemoryStore::new();
    let tes = r#"{"trackedEntities": [
      {"trackedEntity": "JjZ2Nwds90v", "trackedEntityType": "Q9GufDoplCL", "orgUnit": "g8upMTyEZGZ"},
      {"trackedEntity": "JjZ2Nwds89v", "trackedEntityType": "Q9GufDoplCL", "orgUnit": "g8upMTyEZGZ"}]}"#;
    assert_eq!(
        run(&mut store, &cat, tes, &params()).report.stats.created,
        2
    );
    let rel = |uid: &str, ty: &str, from: &str, to: &str| {
        format!(
            r#"{{"relationships": [{{"relationship": "{uid}", "relationshipType": "{ty}",
              "from": {{"trackedEntity": {{"trackedEntity": "{from}"}}}},
              "to": {{"trackedEntity": {{"trackedEntity": "{to}"}}}}}}]}}"#
        )
    };
    let out = run(
        &mut store,
        &cat,
        &rel("Nva3Xj2j79U", "TV9oB9LT3sh", "JjZ2Nwds90v", "JjZ2Nwds89v"),
        &params(),
    );
    assert_eq!(
        out.report
            .type_report(TrackerType::Relationship)
            .unwrap()
            .stats
            .created,
        1
    );
    // S-E32: sent again with UPDATE: a warning, ignored.
    let mut update = params();
    update.import_strategy = ImportStrategy::Update;
    update.report_mode = ReportMode::Full;
    let out = run(
        &mut store,
        &cat,
        &rel("Nva3Xj2j79U", "TV9oB9LT3sh", "JjZ2Nwds90v", "JjZ2Nwds89v"),
        &update,
    );
    assert_eq!(out.report.status, Status::Ok);
    assert_eq!(out.report.warnings[0].code.code(), "E4015");
    assert!(out.report.warnings[0].message.contains("already exists"));
    assert_eq!(out.report.stats.ignored, 1);
    // S-E33: the same link under another UID; reversed, a new one.
    let out = run(
        &mut store,
        &cat,
        &rel("Nva3Xj2j75W", "TV9oB9LT3sh", "JjZ2Nwds90v", "JjZ2Nwds89v"),
        &params(),
    );
    assert_eq!(codes(&out), ["E4018"]);
    let out = run(
        &mut store,
        &cat,
        &rel("Nva3Xj2j75W", "TV9oB9LT3sh", "JjZ2Nwds89v", "JjZ2Nwds90v"),
        &params(),
    );
    assert_eq!(out.report.stats.created, 1, "{}", out.report.to_json());
    // S-E34: bidirectional: reversed is the same link.
    run(
        &mut store,
        &cat,
        &rel("Nva3Xj2j71A", "xLmPUYJX8Ks", "JjZ2Nwds90v", "JjZ2Nwds89v"),
        &params(),
    );
    let out = run(
        &mut store,
        &cat,
        &rel("Nva3Xj2j72A", "xLmPUYJX8Ks", "JjZ2Nwds89v", "JjZ2Nwds90v"),
        &params(),
    );
    assert_eq!(codes(&out), ["E4018"]);
    // S-E37: both ends missing.
    let out = run(
        &mut store,
        &cat,
        &rel("Nva3Xj2j73A", "xLmPUYJX8Ks", "xLmPUYJXXXX", "xLmPUYJXYYY"),
        &params(),
    );
    assert_eq!(codes(&out), ["E4012", "E4012"]);
    // S-E36: an event where a tracked entity is required.
    let json = r#"{"relationships": [{"relationshipType": "xLmPUYJX8Ks",
      "from": {"event": {"event": "ZwwuwNp6gVd"}}, "to": {"trackedEntity": {"trackedEntity": "JjZ2Nwds90v"}}}]}"#;
    assert_eq!(codes(&run(&mut store, &cat, json, &params())), ["E4010"]);
    // S-E35: deleted with DELETE.
    let mut delete = params();
    delete.import_strategy = ImportStrategy::Delete;
    let out = run(
        &mut store,
        &cat,
        r#"{"relationships":[{"relationship":"Nva3Xj2j79U"}]}"#,
        &delete,
    );
    assert_eq!(out.report.stats.deleted, 1);
    // S-E38: a deleted relationship cannot be written.
    let out = run(
        &mut store,
        &cat,
        &rel("Nva3Xj2j79U", "TV9oB9LT3sh", "JjZ2Nwds90v", "JjZ2Nwds89v"),
        &params(),
    );
    assert_eq!(codes(&out), ["E4017"]);
}

/// S-W10: nested, flat and repeated-relationship payloads report the same objects, in order.
#[test]
fn object_reports_in_payload_order() {
    let mut cat = MemoryCatalogue::with_dhis2_defaults();
    let mut add = |key: &str, o: Value| {
        cat.insert(key, o.as_object().unwrap().clone());
    };
    add(
        "organisationUnits",
        json!({"id": "PSeMWi7rBgb", "name": "OU"}),
    );
    add(
        "trackedEntityTypes",
        json!({"id": "PrZMWi7rBga", "name": "Person"}),
    );
    add(
        "programs",
        json!({"id": "XrZRFi7rU9e", "name": "P", "programType": "WITH_REGISTRATION",
        "trackedEntityType": {"id": "PrZMWi7rBga"}, "organisationUnits": [{"id": "PSeMWi7rBgb"}],
        "programStages": [{"id": "I8RRFi7rUps"}]}),
    );
    add(
        "programStages",
        json!({"id": "I8RRFi7rUps", "name": "S", "program": {"id": "XrZRFi7rU9e"}, "repeatable": true}),
    );
    add(
        "relationshipTypes",
        json!({"id": "A4ORFi7rReL", "name": "R", "bidirectional": false,
        "fromConstraint": {"relationshipEntity": "TRACKED_ENTITY_INSTANCE", "trackedEntityType": {"id": "PrZMWi7rBga"}},
        "toConstraint": {"relationshipEntity": "TRACKED_ENTITY_INSTANCE", "trackedEntityType": {"id": "PrZMWi7rBga"}}}),
    );
    let mut p = params();
    p.validation_mode = dxf2_tracker::import::ValidationMode::Skip;
    p.atomic_mode = AtomicMode::Object;
    p.report_mode = ReportMode::Full;
    for file in [
        include_str!("fixtures/flat_payload.json"),
        include_str!("fixtures/nested_payload.json"),
        include_str!("fixtures/nested_repeated_relationships.json"),
    ] {
        let out = run(&mut MemoryStore::new(), &cat, file, &p);
        let uids = |kind| -> Vec<String> {
            out.report
                .type_report(kind)
                .unwrap()
                .object_reports
                .iter()
                .map(|o| o.uid.clone())
                .collect()
        };
        assert_eq!(
            uids(TrackerType::TrackedEntity),
            ["IybbQIQt6te", "daMwzsKN3te", "FRM97UKN8te"]
        );
        assert_eq!(
            uids(TrackerType::Enrollment),
            ["IybbQIQt6en", "daMwzsKN3en"]
        );
        assert_eq!(uids(TrackerType::Event), ["IybbQIQt6ev", "daMwzsKN3ev"]);
        assert_eq!(
            uids(TrackerType::Relationship),
            ["IybbQIQtrel", "daMwzsKNrel"]
        );
    }
}

/// Attributes: option codes (S-V15), unique values (S-V15, S-V27), value types (S-V28),
/// enrollment attributes outside the program (S-V23).
#[test]
fn attributes() {
    let cat = metadata();
    let te = |uid: &str, attrs: Value| {
        json!({"trackedEntities": [{"trackedEntity": uid, "trackedEntityType": "Q9GufDoplCL",
            "orgUnit": "O6uvpzGd5pu", "attributes": attrs}]})
        .to_string()
    };
    let mut store = MemoryStore::new();
    let out = run(
        &mut store,
        &cat,
        &te(
            "Kj6vYde4LHh",
            json!([{"attribute": "aIga5mPOFOJ", "value": "MALE"}]),
        ),
        &params(),
    );
    assert_eq!(codes(&out), ["E1125"]);
    let out = run(
        &mut store,
        &cat,
        &te(
            "Kj6vYde4LHh",
            json!([{"attribute": "aIga5mPOFOJ", "value": "TA_MALE"},
        {"attribute": "zaFORM1InP3", "value": "OU_1/001"}]),
        ),
        &params(),
    );
    assert_eq!(out.report.stats.created, 1, "{}", out.report.to_json());
    let out = run(
        &mut store,
        &cat,
        &te(
            "Nav6inZRw1u",
            json!([{"attribute": "zaFORM1InP3", "value": "OU_1/001"}]),
        ),
        &params(),
    );
    assert_eq!(codes(&out), ["E1064"]);
    let out = run(
        &mut store,
        &cat,
        &te(
            "Nav6inZRw1u",
            json!([{"attribute": "ypGAwVRNtVY", "value": "-1"}]),
        ),
        &params(),
    );
    assert_eq!(codes(&out), ["E1007"]);
    let out = run(
        &mut store,
        &cat,
        &te(
            "Nav6inZRw1u",
            json!([{"attribute": "nonexisting", "value": "1"},
        {"attribute": "nonexistin2", "value": "1"}]),
        ),
        &params(),
    );
    assert_eq!(codes(&out), ["E1006", "E1006"]);
    let out = run(
        &mut store,
        &cat,
        &te(
            "Nav6inZRw1u",
            json!([{"attribute": "xuAl9UIMcmI", "value": "g8upMTyEZGZ"}]),
        ),
        &params(),
    );
    assert_eq!(out.report.stats.created, 1, "{}", out.report.to_json());
    // An enrollment with a tracked entity type attribute that is not a program attribute.
    let json = r#"{"enrollments": [{"trackedEntity": "Kj6vYde4LHh", "program": "f1AyMswryyX",
      "orgUnit": "O6uvpzGd5pu", "enrolledAt": "2019-09-19", "occurredAt": "2019-09-19",
      "attributes": [{"attribute": "dIVt4l5vIOa", "value": "x"}]}]}"#;
    assert_eq!(codes(&run(&mut store, &cat, json, &params())), ["E1019"]);
}

/// Id schemes: references by code, with the specific scheme falling back to `idScheme`.
#[test]
fn id_schemes() {
    let cat = metadata();
    let mut p = params();
    p.id_schemes = TrackerIdSchemes::default();
    p.id_schemes.id_scheme = TrackerIdScheme::Code;
    p.id_schemes.org_unit = Some(TrackerIdScheme::Name);
    let json = r#"{"events": [{"event": "uairHTqZ5ye", "program": "TA EVENT_PROGRAM",
      "programStage": "TA_EVENT_PROGRAM_STAGE", "orgUnit": "Bo", "occurredAt": "2018-11-01",
      "dataValues": [{"dataElement": "TA_NUMBER_DE", "value": "33"}]}]}"#;
    let mut store = MemoryStore::new();
    let out = run(&mut store, &cat, json, &p);
    assert_eq!(out.report.stats.created, 1, "{}", out.report.to_json());
    let Some(TrackerObject::Event(ev)) = store
        .tracker_object(TrackerType::Event, &uid("uairHTqZ5ye"))
        .unwrap()
    else {
        panic!()
    };
    assert_eq!(
        (
            ev.program.as_str(),
            ev.program_stage.as_str(),
            ev.org_unit.as_str()
        ),
        ("Zd2rkv8FsWq", "jKLB23QZS4I", "O6uvpzGd5pu")
    );
    assert_eq!(ev.data_values[0].data_element, "BuZ5LGNfGEU");
    // The same payload read as UIDs: nothing found, named as sent.
    let out = run(&mut MemoryStore::new(), &cat, json, &params());
    assert_eq!(codes(&out), ["E1010", "E1011", "E1013"]);
    assert!(out
        .report
        .errors
        .iter()
        .any(|e| e.message == "Could not find OrganisationUnit: `Bo`, linked to Event."));
}

/// FAIL_FAST keeps the first error only.
#[test]
fn fail_fast() {
    let cat = metadata();
    let mut p = params();
    p.validation_mode = dxf2_tracker::import::ValidationMode::FailFast;
    let json = r#"{"trackedEntities": [
      {"trackedEntity": "JjZ2Nwds90v", "trackedEntityType": "", "orgUnit": "g8upMTyEZGZ"},
      {"trackedEntity": "JjZ2Nwds89v", "trackedEntityType": "", "orgUnit": ""}]}"#;
    let out = run(&mut MemoryStore::new(), &cat, json, &p);
    assert_eq!(codes(&out), ["E1121"]);
    assert_eq!(out.report.stats.ignored, 2);
}
