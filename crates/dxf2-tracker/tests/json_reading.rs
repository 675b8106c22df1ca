//! How the JSON reader binds values, as DHIS2's Jackson does (tracker-spec.md §2, §4, §13), and
//! where its errors point.
// Test code: a failed expectation should stop the test loudly.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use dxf2_model::{ReadLimits, ValueType};
use dxf2_tracker::{
    Category, EnrollmentStatus, ErrorKind, EventStatus, Item, JsonReader, LegacyPolicy, Payload,
    ReadOptions, TrackerType, TrackerVersion,
};

fn read(json: &str) -> Payload {
    JsonReader::new(ReadOptions::default())
        .read_payload_slice(json.as_bytes())
        .unwrap_or_else(|e| panic!("{json}: {e}"))
        .0
}

fn fail(json: &str) -> dxf2_tracker::Error {
    JsonReader::new(ReadOptions::default())
        .read_payload_slice(json.as_bytes())
        .expect_err(json)
}

#[test]
fn unknown_keys_are_ignored() {
    let p = read(
        r#"{"pager": {"page": 1}, "page": 1, "foo": [1, {"a": null}],
            "events": [{"orgUnitName": "x", "event": "ZwwuwNp6gVd", "extra": {"deep": [1,2]}}],
            "trackedEntities": [{"notes": [{"value": "TE notes do not exist"}]}]}"#,
    );
    assert_eq!(p.events[0].event.unwrap().as_str(), "ZwwuwNp6gVd");
    assert_eq!(p.tracked_entities.len(), 1);
}

#[test]
fn texts_coerce_like_jackson() {
    let p = read(
        r#"{"events": [{"program": 12, "programStage": true, "orgUnit": null,
            "attributeOptionCombo": "", "dataValues": [{"dataElement": "de", "value": 1.5},
            {"dataElement": "de2", "value": -7}]}]}"#,
    );
    let e = &p.events[0];
    assert_eq!(e.program, "12");
    assert_eq!(e.program_stage, "true");
    assert_eq!(e.org_unit, "");
    assert_eq!(e.attribute_option_combo, "");
    assert_eq!(e.data_values[0].value, "1.5");
    assert_eq!(e.data_values[1].value, "-7");
    let err = fail(r#"{"events": [{"program": {"id": "x"}}]}"#);
    assert_eq!(err.category(), Category::Data);
    assert!(err.to_string().contains("invalid type: map"), "{err}");
}

#[test]
fn booleans_and_enums() {
    let p = read(
        r#"{"trackedEntities": [{"inactive": "TRUE", "deleted": 1, "potentialDuplicate": 0}],
            "enrollments": [{"status": "CANCELLED", "followUp": "False"}, {"status": 1}, {"status": ""}],
            "events": [{"status": "SCHEDULE"}, {"status": null}],
            "relationships": [{"bidirectional": true}]}"#,
    );
    let t = &p.tracked_entities[0];
    assert!(t.inactive && t.deleted && !t.potential_duplicate);
    assert_eq!(p.enrollments[0].status, EnrollmentStatus::Cancelled);
    assert_eq!(p.enrollments[1].status, EnrollmentStatus::Completed);
    assert_eq!(p.enrollments[2].status, EnrollmentStatus::Active);
    assert_eq!(p.events[0].status, EventStatus::Schedule);
    assert_eq!(p.events[1].status, EventStatus::Active);
    assert!(p.relationships[0].bidirectional);
    // Case-sensitive enums fail the whole request (§2).
    let err = fail(r#"{"events": [{"status": "active"}]}"#);
    assert!(
        matches!(err.kind(), ErrorKind::InvalidEnum { value, type_name: "EventStatus", .. } if value == "active")
    );
    assert!(err
        .to_string()
        .contains("ACTIVE, COMPLETED, VISITED, SCHEDULE, OVERDUE, SKIPPED"));
    // Null for a primitive boolean fails (FAIL_ON_NULL_FOR_PRIMITIVES).
    let err = fail(r#"{"trackedEntities": [{"inactive": null}]}"#);
    assert!(matches!(err.kind(), ErrorKind::InvalidBoolean { value } if value == "null"));
    let err = fail(r#"{"trackedEntities": [{"inactive": "yes"}]}"#);
    assert!(matches!(err.kind(), ErrorKind::InvalidBoolean { .. }));
    // Attribute value types.
    let p =
        read(r#"{"trackedEntities": [{"attributes": [{"attribute": "a", "valueType": "AGE"}]}]}"#);
    assert_eq!(
        p.tracked_entities[0].attributes[0].value_type,
        Some(ValueType::Age)
    );
    assert!(matches!(
        fail(r#"{"trackedEntities": [{"attributes": [{"valueType": "Age"}]}]}"#).kind(),
        ErrorKind::InvalidEnum {
            type_name: "ValueType",
            ..
        }
    ));
}

#[test]
fn users_relationship_items_and_owners() {
    let p = read(
        r#"{"events": [{"assignedUser": {"uid": "M5zQapPyTZI", "username": "admin", "firstName": "John"},
                        "createdBy": null}],
            "trackedEntities": [{"programOwners": [{"orgUnit": "ou", "trackedEntity": "not a uid", "program": "p"}]}],
            "relationships": [{"from": {"enrollment": {"enrollment": "MNWZ6hnuhSw", "trackedEntity": "whatever",
                                "relationships": [{"relationship": "not checked"}]}},
                               "to": {"event": {"event": "ZwwuwNp6gVd", "trackedEntity": "ignored",
                                "enrollment": "ignored too"}}}]}"#,
    );
    let u = p.events[0].assigned_user.as_ref().unwrap();
    assert_eq!(
        (u.uid.as_str(), u.username.as_str(), u.first_name.as_str()),
        ("M5zQapPyTZI", "admin", "John")
    );
    assert_eq!(
        p.tracked_entities[0].program_owners[0].tracked_entity,
        "not a uid"
    );
    let r = &p.relationships[0];
    assert_eq!(
        r.from.as_ref().unwrap().single(),
        Some(dxf2_tracker::ItemRef::Enrollment(
            dxf2_model::Uid::parse("MNWZ6hnuhSw").unwrap()
        ))
    );
    let to = r.to.as_ref().unwrap().event.as_ref().unwrap();
    assert_eq!((to.tracked_entity, to.enrollment), (None, None));
    // An item with two objects (E4001 for the importer) reads; `single` says it names none.
    let p = read(
        r#"{"relationships": [{"from": {"trackedEntity": {"trackedEntity": "Kj6vYde4LHh"}, "event": {"event": "ZwwuwNp6gVd"}}}]}"#,
    );
    assert_eq!(p.relationships[0].from.as_ref().unwrap().single(), None);
}

#[test]
fn pre_v41_keys_are_refused_with_what_changed() {
    for (json, old, new) in [
        (
            r#"{"trackedEntityInstances": []}"#,
            "trackedEntityInstances",
            "trackedEntities",
        ),
        (
            r#"{"instances": []}"#,
            "instances",
            "trackedEntities, enrollments, events or relationships",
        ),
        (
            r#"{"events": [{"eventDate": "2020-01-01"}]}"#,
            "eventDate",
            "occurredAt",
        ),
        (
            r#"{"enrollments": [{"enrollmentDate": "2020-01-01"}]}"#,
            "enrollmentDate",
            "enrolledAt",
        ),
        (
            r#"{"enrollments": [{"incidentDate": "2020-01-01"}]}"#,
            "incidentDate",
            "occurredAt",
        ),
        (
            r#"{"enrollments": [{"trackedEntityInstance": "Kj6vYde4LHh"}]}"#,
            "trackedEntityInstance",
            "trackedEntity",
        ),
        (
            r#"{"events": [{"followup": true}]}"#,
            "followup",
            "followUp",
        ),
        (
            r#"{"events": [{"notes": [{"storedDate": "2020-01-01"}]}]}"#,
            "storedDate",
            "storedAt",
        ),
        (
            r#"{"trackedEntities": [{"programOwners": [{"ownerOrgUnit": "x"}]}]}"#,
            "ownerOrgUnit",
            "orgUnit",
        ),
        (
            r#"{"relationships": [{"from": {"trackedEntityInstance": {"trackedEntityInstance": "Kj6vYde4LHh"}}}]}"#,
            "trackedEntityInstance",
            "trackedEntity ({\"trackedEntity\": {\"trackedEntity\": UID}})",
        ),
    ] {
        let err = fail(json);
        let ErrorKind::Deprecated(d) = err.kind() else {
            panic!("{json}: {err}");
        };
        assert_eq!((d.old.as_str(), d.new), (old, new), "{json}");
    }
    // The string assignedUser of the old event API.
    let err = fail(r#"{"events": [{"assignedUser": "M5zQapPyTZI"}]}"#);
    assert!(matches!(err.kind(), ErrorKind::Deprecated(d) if d.old.starts_with("assignedUser")));
    assert!(err.to_string().contains("HTTP 400"));
    // 2.41 still read `followup`.
    let options = ReadOptions::default().with_version(TrackerVersion::V2_41);
    assert!(JsonReader::new(options)
        .read_payload_slice(br#"{"events": [{"followup": true}]}"#)
        .is_ok());
    // The message says what DHIS2 2.41+ would do.
    let err = fail(r#"{"events": [{"event": "ZwwuwNp6gVd", "eventDate": "2020-01-01"}]}"#);
    assert_eq!(
        err.to_string(),
        "line 1, column 48, events[0], field `eventDate`: this is a pre-2.41 tracker file (DHIS2's \
         deprecated /api/trackedEntityInstances, /api/enrollments, /api/events and \
         /api/relationships, removed in 2.42): `eventDate` of an event is `occurredAt` since \
         DHIS2 2.41 (DHIS2 2.41+ ignores it: E1031, occurredAt is missing, for every active or \
         completed event); convert the file to the /api/tracker format (docs: \"Tracker API \
         migration\")"
    );
}

#[test]
fn ignoring_legacy_keys_reads_what_dhis2_reads() {
    let options = ReadOptions::default().with_legacy(LegacyPolicy::Ignore);
    let (p, summary) = JsonReader::new(options)
        .read_payload_slice(
            br#"{"trackedEntityInstances": [{"trackedEntityInstance": "Kj6vYde4LHh"}],
                 "events": [{"eventDate": "2020-01-01"}, {"eventDate": "2020-01-02"}]}"#,
        )
        .unwrap();
    assert!(p.tracked_entities.is_empty());
    assert_eq!(p.events.len(), 2);
    assert!(p.events[0].occurred_at.is_none());
    assert_eq!(summary.legacy.len(), 2);
    assert_eq!(summary.legacy[0].first_at, "the top level");
    assert_eq!(summary.legacy[1].count, 2);
}

#[test]
fn errors_say_where() {
    let json = "{\n  \"trackedEntities\": [\n    {},\n    {\"enrollments\": [{\"events\": [{}, {\"occurredAt\": \"2020-13-01\"}]}]}\n  ]\n}";
    let err = fail(json);
    assert!(matches!(err.kind(), ErrorKind::InvalidDate { value } if value == "2020-13-01"));
    let loc = err.location();
    assert_eq!(loc.line, Some(4));
    assert_eq!(
        loc.object.as_deref(),
        Some("trackedEntities[1].enrollments[0].events[1]")
    );
    assert_eq!(loc.field.as_deref(), Some("occurredAt"));
    assert_eq!(loc.index, Some(1));
    // Syntax errors.
    for (json, category) in [
        ("{\"events\": [}", Category::Syntax),
        ("{\"events\": [", Category::Syntax),
        ("", Category::Syntax),
        ("{} x", Category::Syntax),
        ("{\"events\": null}", Category::Data),
        ("{\"events\": [null]}", Category::Data),
        ("{\"events\": [{\"dataValues\": {}}]}", Category::Data),
    ] {
        let err = fail(json);
        assert_eq!(err.category(), category, "{json}: {err}");
    }
    let err = fail("[1, 2]");
    assert!(matches!(
        err.kind(),
        ErrorKind::NotAnObject { found: "an array" }
    ));
    let err = fail(r#"{"events": [], "events": []}"#);
    assert!(matches!(
        err.kind(),
        ErrorKind::DuplicateKey { key: "events" }
    ));
    let err = fail(r#"{"events": [{"geometry": {"type": "Point", "coordinates": [1]}}]}"#);
    assert!(matches!(err.kind(), ErrorKind::InvalidGeometry { .. }));
    assert_eq!(err.location().field.as_deref(), Some("geometry"));
}

#[test]
fn bom_and_streaming_reuse() {
    let json = "\u{feff}{\"events\": [{\"event\": \"ZwwuwNp6gVd\", \"dataValues\": [{\"dataElement\": \"a\"}, {\"dataElement\": \"b\"}]},\n {\"dataValues\": [{\"dataElement\": \"c\"}]}, {}]}";
    let mut seen = Vec::new();
    let summary = JsonReader::new(ReadOptions::default())
        .read(json.as_bytes(), |item| {
            let Item::Event(e) = item else {
                panic!("only events");
            };
            seen.push((e.event.is_some(), e.data_values.len()));
            Ok(())
        })
        .unwrap();
    assert_eq!(seen, vec![(true, 2), (false, 1), (false, 0)]);
    assert_eq!(summary.count(TrackerType::Event), 3);
}

#[test]
fn the_sink_can_stop_the_reader() {
    let err = JsonReader::new(ReadOptions::default())
        .read_slice(br#"{"events": [{}, {}, {}]}"#, |_| Err("enough".into()))
        .unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::Sink(_)));
    assert_eq!(err.location().object.as_deref(), Some("events[0]"));
}

#[test]
fn objects_past_the_limit_are_refused() {
    let big = format!(
        r#"{{"events": [{{"event": "ZwwuwNp6gVd"}}, {{"notes": [{{"value": "{}"}}]}}]}}"#,
        "x".repeat(300_000)
    );
    let limits = ReadLimits::default()
        .with_max_token_bytes(100_000)
        .with_max_record_bytes(100_000);
    let options = ReadOptions::default().with_limits(limits);
    let mut read = 0;
    let err = JsonReader::new(options)
        .read(big.as_bytes(), |_| {
            read += 1;
            Ok(())
        })
        .unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::TooLarge { .. }), "{err}");
    assert_eq!(err.category(), Category::Limit);
    assert_eq!(read, 1);
    // Many small objects pass however large the file.
    let many = format!(
        r#"{{"events": [{}]}}"#,
        vec![r#"{"event": "ZwwuwNp6gVd", "orgUnit": "O6uvpzGd5pu"}"#; 10_000].join(",")
    );
    let options = ReadOptions::default().with_limits(limits);
    let summary = JsonReader::new(options)
        .read(many.as_bytes(), |_| Ok(()))
        .unwrap();
    assert_eq!(summary.events, 10_000);
}
