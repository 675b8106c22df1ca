//! The examples of tracker-spec.md and the scenarios of tracker-scenarios.md that concern the
//! model and its JSON codec: flattening (§3.2, S-W10), the export envelope (§3.3), object fields
//! (§4), request-level refusals (S-W4), empty references (S-E2).
// Test code: a failed expectation should stop the test loudly.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use dxf2_model::Uid;
use dxf2_tracker::{
    flatten, ErrorKind, Event, Fields, Item, JsonReader, JsonWriter, Pager, Payload, ReadOptions,
    TrackerType, WriteOptions,
};

fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn read(bytes: &[u8]) -> Payload {
    JsonReader::new(ReadOptions::default())
        .read_payload_slice(bytes)
        .unwrap()
        .0
}

fn counter() -> impl FnMut() -> Uid {
    let mut n = 0u32;
    move || {
        n += 1;
        Uid::parse(&format!("Gen{n:08}")).unwrap()
    }
}

/// The UIDs of the flat lists, per type.
fn uids(p: &Payload) -> [Vec<String>; 4] {
    let s = |u: Option<Uid>| u.map(|u| u.to_string()).unwrap_or_default();
    [
        p.tracked_entities
            .iter()
            .map(|t| s(t.tracked_entity))
            .collect(),
        p.enrollments.iter().map(|e| s(e.enrollment)).collect(),
        p.events.iter().map(|e| s(e.event)).collect(),
        p.relationships.iter().map(|r| s(r.relationship)).collect(),
    ]
}

/// S-W10 (`TrackerImportReportTest`): the nested and the flat payload give the same objects in
/// the same order: TE [IybbQIQt6te, daMwzsKN3te, FRM97UKN8te], EN [IybbQIQt6en, daMwzsKN3en],
/// EV [IybbQIQt6ev, daMwzsKN3ev], RL [IybbQIQtrel, daMwzsKNrel].
#[test]
fn nested_and_flat_payloads_flatten_alike() {
    let expected = [
        vec!["IybbQIQt6te", "daMwzsKN3te", "FRM97UKN8te"],
        vec!["IybbQIQt6en", "daMwzsKN3en"],
        vec!["IybbQIQt6ev", "daMwzsKN3ev"],
        vec!["IybbQIQtrel", "daMwzsKNrel"],
    ];
    let nested = flatten(read(&fixture("nested_payload.json")), &mut counter());
    let flat = flatten(read(&fixture("flat_payload.json")), &mut counter());
    assert_eq!(
        uids(&nested),
        expected.map(|v| v.iter().map(|s| s.to_string()).collect::<Vec<_>>())
    );
    assert_eq!(uids(&nested), uids(&flat));
    // Children point at their parents after flattening, in both.
    for p in [&nested, &flat] {
        assert_eq!(
            p.enrollments[1].tracked_entity.unwrap().as_str(),
            "daMwzsKN3te"
        );
        assert_eq!(p.events[0].enrollment.unwrap().as_str(), "IybbQIQt6en");
        assert!(p.tracked_entities.iter().all(|t| t.enrollments.is_empty()));
    }
    // Flattening is idempotent on a flat payload with UIDs: nothing to generate.
    let again = flatten(flat.clone(), &mut || -> Uid {
        panic!("no UID to generate")
    });
    assert_eq!(again, flat);
}

/// S-W10's third payload: a relationship repeated under two tracked entities stays twice after
/// flattening (as in DHIS2's `BodyConverter`); the importer drops the duplicate later.
#[test]
fn repeated_relationships_survive_flattening() {
    let p = flatten(
        read(&fixture("nested_repeated_relationships.json")),
        &mut counter(),
    );
    assert_eq!(
        uids(&p)[3],
        vec!["IybbQIQtrel", "daMwzsKNrel", "IybbQIQtrel"]
    );
}

/// The streaming reader + flattener hand out the same flat lists as the batch flattening.
#[test]
fn streaming_flattening_matches_batch() {
    for name in [
        "nested_payload.json",
        "flat_payload.json",
        "nested_repeated_relationships.json",
    ] {
        let bytes = fixture(name);
        let batch = flatten(read(&bytes), &mut counter());
        let mut flattener = dxf2_tracker::Flattener::new(counter());
        let mut out = Payload::default();
        let mut sink = |item: Item<'_>| {
            out.push(item);
            Ok(())
        };
        JsonReader::new(ReadOptions::default())
            .read_slice(&bytes, |item| flattener.push(item, &mut sink))
            .unwrap();
        flattener.finish(&mut sink).unwrap();
        assert_eq!(uids(&out), uids(&batch), "{name}");
        assert_eq!(out, batch, "{name}");
    }
}

/// §3.2: UIDs are generated for objects and notes without one; empty notes are dropped; a
/// nested enrollment's `trackedEntity` is overwritten, a root one's is kept.
#[test]
fn flattening_generates_uids_and_drops_empty_notes() {
    let json = br#"{
      "trackedEntities": [{"enrollments": [{"trackedEntity": "XXXXXXXXXXX",
         "notes": [{"value": "kept"}, {"value": ""}, {"note": "IybbQIQtnot", "value": "mine"}]}]}],
      "enrollments": [{"trackedEntity": "daMwzsKN3te"}],
      "events": [{"enrollment": "daMwzsKN3en", "notes": [{}]}]
    }"#;
    let p = flatten(read(json), &mut counter());
    let te = p.tracked_entities[0].tracked_entity.unwrap();
    assert_eq!(te.as_str(), "Gen00000001");
    assert_eq!(p.enrollments[0].tracked_entity, Some(te));
    assert_eq!(
        p.enrollments[1].tracked_entity.unwrap().as_str(),
        "daMwzsKN3te"
    );
    let notes = &p.enrollments[0].notes;
    assert_eq!(notes.len(), 2);
    assert_eq!(notes[1].note.unwrap().as_str(), "IybbQIQtnot");
    assert!(notes[0].note.is_some());
    assert!(p.events[0].notes.is_empty());
    assert_eq!(p.events[0].enrollment.unwrap().as_str(), "daMwzsKN3en");
}

/// S-W4: one bad UID refuses the whole request with DHIS2's message.
#[test]
fn a_bad_uid_refuses_the_document() {
    let json =
        br#"{"trackedEntities": [{"trackedEntity": "invalid_uid", "orgUnit": "PSeMWi7rBgb"}]}"#;
    let err = JsonReader::new(ReadOptions::default())
        .read_payload_slice(json)
        .unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::InvalidUid { value } if value == "invalid_uid"));
    assert_eq!(
        err.kind().to_string(),
        "UID must be an alphanumeric string of 11 characters starting with a letter, but was: invalid_uid"
    );
    let loc = err.location();
    assert_eq!(loc.object.as_deref(), Some("trackedEntities[0]"));
    assert_eq!(loc.field.as_deref(), Some("trackedEntity"));
    assert_eq!(loc.line, Some(1));
    assert_eq!(loc.index, Some(0));
    // Also in a relationship item and on a note.
    for json in [
        &br#"{"relationships": [{"from": {"event": {"event": "bad"}}}]}"#[..],
        br#"{"events": [{"notes": [{"note": "x", "value": "v"}]}]}"#,
        br#"{"events": [{"event": ""}]}"#,
    ] {
        let err = JsonReader::new(ReadOptions::default())
            .read_payload_slice(json)
            .unwrap_err();
        assert!(matches!(err.kind(), ErrorKind::InvalidUid { .. }), "{err}");
    }
}

/// S-E2/S-E3: `"trackedEntityType": ""` is a missing reference (E1121 for the importer).
#[test]
fn an_empty_reference_is_missing() {
    let p = read(&fixture("tracked_entities_and_relationship.json"));
    assert_eq!(p.tracked_entities[0].tracked_entity_type, "");
    assert_eq!(p.tracked_entities[1].tracked_entity_type, "Q9GufDoplCL");
    assert_eq!(p.relationships.len(), 1);
    assert!(p.relationships[0].relationship.is_none());
}

/// S-E5/S-E20: a flat tracked entity + enrollment; the enrollment's `trackedEntityType` is an
/// unknown key, ignored.
#[test]
fn flat_tracked_entity_and_enrollment() {
    let p = read(&fixture("tracked_entity_and_enrollment.json"));
    let en = &p.enrollments[0];
    assert_eq!(en.tracked_entity.unwrap().as_str(), "JjZ2Nwds92D");
    assert_eq!(en.program, "f1AyMswryyQ");
    assert_eq!(
        en.occurred_at.unwrap().to_json_string(&Default::default()),
        "2018-10-01T00:00:00.000"
    );
}

/// S-E8: v41 events with notes, a microsecond DATETIME value kept as text, a coordinate value.
#[test]
fn v41_events_read() {
    let p = read(&fixture("events.json"));
    assert_eq!(p.events.len(), 2);
    let e = &p.events[0];
    assert_eq!(e.event.unwrap().as_str(), "uairHTqZ5ye");
    assert_eq!(e.data_values.len(), 5);
    assert_eq!(e.data_values[3].value, "[89,-89]");
    assert_eq!(e.data_values[4].value, "2021-08-30T13:56:20.417000");
    assert_eq!(e.notes[0].value, "note");
    assert!(e.notes[0].note.is_none(), "generated when flattening");
}

/// The deletion payload of §4.6: only UIDs.
#[test]
fn deletion_payload() {
    let p = read(br#"{"events": [{"event": "ZwwuwNp6gVd"}]}"#);
    assert_eq!(p.events[0].event.unwrap().as_str(), "ZwwuwNp6gVd");
    assert_eq!(
        p.events[0],
        Event {
            event: p.events[0].event,
            ..Event::default()
        }
    );
}

/// A nested payload written whole reads back equal.
#[test]
fn payloads_write_whole() {
    let p = read(&fixture("nested_payload.json"));
    let mut w = JsonWriter::new(Vec::new(), WriteOptions::default().with_fields(Fields::All));
    w.write_payload(&p).unwrap();
    let out = w.finish().unwrap();
    assert!(out.starts_with(br#"{"trackedEntities":[{"trackedEntity":"IybbQIQt6te""#));
    assert_eq!(read(&out), p);
    let mut w = JsonWriter::new(Vec::new(), WriteOptions::default());
    w.write_payload(&Payload::default()).unwrap();
    assert_eq!(w.finish().unwrap(), b"{}");
}

/// S-W1: `{}` is a valid, empty payload; an empty writer writes `{}`.
#[test]
fn the_empty_payload() {
    let (p, summary) = JsonReader::new(ReadOptions::default())
        .read_payload_slice(b"{}")
        .unwrap();
    assert!(p.is_empty());
    assert_eq!(summary.events, 0);
    let w = JsonWriter::new(Vec::new(), WriteOptions::default());
    assert_eq!(w.finish().unwrap(), b"{}");
}

/// §3.3: the export envelopes — paged, `paging=false`, single object.
#[test]
fn export_envelopes() {
    let p = read(&fixture("events.json"));
    let write = |pager: Option<Pager>| {
        let mut w = JsonWriter::new(Vec::new(), WriteOptions::default());
        if let Some(pager) = pager {
            w.write_pager(&pager).unwrap();
        }
        w.begin_list(TrackerType::Event).unwrap();
        for e in &p.events {
            w.write_event(e).unwrap();
        }
        String::from_utf8(w.finish().unwrap()).unwrap()
    };
    let unpaged = write(None);
    assert!(unpaged.starts_with(
        r#"{"events":[{"event":"uairHTqZ5ye","status":"ACTIVE","program":"Zd2rkv8FsWq","programStage":"jKLB23QZS4I","orgUnit":"O6uvpzGd5pu","occurredAt":"2018-11-01T00:00:00.000","scheduledAt":"2019-03-04T15:13:25.845","followUp":false,"deleted":false,"createdAtClient":"2019-03-04T15:13:15.240","updatedAtClient":"2019-03-04T15:13:15.240","dataValues":[{"providedElsewhere":false,"dataElement":"BuZ5LGNfGEU","value":"33"},"#
    ));
    assert!(unpaged.contains(r#""notes":[{"value":"note"}]}"#));
    let paged = write(Some(Pager {
        page: 1,
        page_size: 50,
        total: Some(2),
        page_count: Some(1),
        ..Pager::default()
    }));
    assert!(paged.starts_with(r#"{"pager":{"page":1,"pageSize":50,"total":2,"pageCount":1},"events":[{"event":"uairHTqZ5ye""#));
    // The export reads back as a payload (S-E29: an export envelope is directly importable).
    assert_eq!(read(unpaged.as_bytes()), p);
    assert_eq!(read(paged.as_bytes()), p);
    // A single object is the bare object.
    let mut w = JsonWriter::new(Vec::new(), WriteOptions::default());
    let mut e = p.events[1].clone();
    w.write_single(&Item::Event(&mut e)).unwrap();
    let single = String::from_utf8(w.finish().unwrap()).unwrap();
    assert!(single.starts_with(r#"{"event":"lwBnlOXhd9P","status":"ACTIVE""#));
}

/// S-E29: an export of a tracked entity with `fields=*` (every read-only field, nested
/// enrollments and events) reads back as the same payload.
#[test]
fn a_full_export_round_trips() {
    let nested = read(&fixture("nested_payload.json"));
    let mut w = JsonWriter::new(Vec::new(), WriteOptions::default().with_fields(Fields::All));
    w.begin_list(TrackerType::TrackedEntity).unwrap();
    for t in &nested.tracked_entities {
        w.write_tracked_entity(t).unwrap();
    }
    let out = w.finish().unwrap();
    assert_eq!(read(&out), nested);
    let text = String::from_utf8(out).unwrap();
    assert!(text.contains(r#""relationships":[{"relationship":"IybbQIQtrel","relationshipType":"A4ORFi7rReL","bidirectional":false,"deleted":false,"from":{"trackedEntity":{"trackedEntity":"IybbQIQt6te","inactive":false,"deleted":false,"potentialDuplicate":false,"attributes":[],"enrollments":[],"programOwners":[]}}"#), "{text}");
}

/// §3.3's default `fields` per endpoint: tracked entities without enrollments, relationships
/// with only the items' UIDs.
#[test]
fn default_export_fields() {
    let nested = read(&fixture("nested_payload.json"));
    let mut w = JsonWriter::new(Vec::new(), WriteOptions::default());
    w.begin_list(TrackerType::TrackedEntity).unwrap();
    w.write_tracked_entity(&nested.tracked_entities[2]).unwrap();
    let te = String::from_utf8(w.finish().unwrap()).unwrap();
    assert_eq!(
        te,
        r#"{"trackedEntities":[{"trackedEntity":"FRM97UKN8te","trackedEntityType":"PrZMWi7rBga","orgUnit":"PSeMWi7rBgb","inactive":false,"deleted":false,"potentialDuplicate":false,"attributes":[]}]}"#
    );
    let mut w = JsonWriter::new(Vec::new(), WriteOptions::default());
    w.begin_list(TrackerType::Relationship).unwrap();
    w.write_relationship(&nested.tracked_entities[0].relationships[0])
        .unwrap();
    let rl = String::from_utf8(w.finish().unwrap()).unwrap();
    assert_eq!(
        rl,
        r#"{"relationships":[{"relationship":"IybbQIQtrel","relationshipType":"A4ORFi7rReL","from":{"trackedEntity":{"trackedEntity":"IybbQIQt6te"}},"to":{"trackedEntity":{"trackedEntity":"daMwzsKN3te"}}}]}"#
    );
}

/// §2.2: a Polygon on a tracked entity reads and writes as GeoJSON with Java's numbers.
#[test]
fn geometry_round_trips() {
    let p = read(&fixture("tracked_entity_polygon.json"));
    let g = p.tracked_entities[0].geometry.as_ref().unwrap();
    assert_eq!(g.geometry_type(), "Polygon");
    assert_eq!(
        g.to_wkt(),
        "POLYGON ((-12.305267 8.777237, -11.770837 8.98885, -11.55937 8.311341, -12.495765 8.368669, -12.305267 8.777237))"
    );
    assert_eq!(
        g.to_geojson_string(),
        r#"{"type":"Polygon","coordinates":[[[-12.305267,8.777237],[-11.770837,8.98885],[-11.55937,8.311341],[-12.495765,8.368669],[-12.305267,8.777237]]]}"#
    );
}

/// §14: what each version's views carry — `storedBy` up to 2.43, a relationship's `deleted`
/// from 2.42, an enrollment's `attributeOptionCombo` from 2.43, 2.41's legacy `followup`.
#[test]
fn views_per_version() {
    use dxf2_tracker::{Enrollment, Relationship, TrackerVersion};
    let write = |version: TrackerVersion, kind: TrackerType| {
        let mut w = JsonWriter::new(Vec::new(), WriteOptions::default().with_version(version));
        w.begin_list(kind).unwrap();
        match kind {
            TrackerType::Event => w
                .write_event(&Event {
                    stored_by: "admin".into(),
                    follow_up: true,
                    ..Event::default()
                })
                .unwrap(),
            TrackerType::Enrollment => w
                .write_enrollment(&Enrollment {
                    attribute_option_combo: "HllvX50cXC0".into(),
                    ..Enrollment::default()
                })
                .unwrap(),
            _ => w
                .write_relationship(&Relationship {
                    relationship_type: "xLmPUYJX8Ks".into(),
                    ..Relationship::default()
                })
                .unwrap(),
        }
        String::from_utf8(w.finish().unwrap()).unwrap()
    };
    let ev = |v| write(v, TrackerType::Event);
    assert!(ev(TrackerVersion::V2_41)
        .contains(r#""storedBy":"admin","followUp":true,"followup":true,"deleted":false"#));
    assert!(
        ev(TrackerVersion::V2_43).contains(r#""storedBy":"admin","followUp":true,"deleted":false"#)
    );
    assert!(!ev(TrackerVersion::Master).contains("storedBy"));
    let en = |v| write(v, TrackerType::Enrollment);
    assert!(!en(TrackerVersion::V2_42).contains("attributeOptionCombo"));
    assert!(en(TrackerVersion::V2_43).contains(r#""attributeOptionCombo":"HllvX50cXC0""#));
    // Relationships are written with DHIS2's default fields, which leave `deleted` out: ask for
    // every field.
    let rl = |v: TrackerVersion| {
        let mut w = JsonWriter::new(
            Vec::new(),
            WriteOptions::default()
                .with_version(v)
                .with_fields(Fields::All),
        );
        w.begin_list(TrackerType::Relationship).unwrap();
        w.write_relationship(&Relationship::default()).unwrap();
        String::from_utf8(w.finish().unwrap()).unwrap()
    };
    assert_eq!(
        rl(TrackerVersion::V2_41),
        r#"{"relationships":[{"bidirectional":false}]}"#
    );
    assert_eq!(
        rl(TrackerVersion::V2_42),
        r#"{"relationships":[{"bidirectional":false,"deleted":false}]}"#
    );
    assert!(write(TrackerVersion::V2_42, TrackerType::Relationship).contains("xLmPUYJX8Ks"));
}
