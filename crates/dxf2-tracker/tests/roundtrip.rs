//! Property tests: what the writers write, the readers read back — JSON (every field, nested),
//! events CSV lossless, and events CSV in DHIS2's lossy layout (what it keeps).
// Test code: a failed expectation should stop the test loudly.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use chrono::{FixedOffset, NaiveDate};
use dxf2_model::{Uid, ValueType};
use dxf2_tracker::{
    Attribute, Coordinate, CsvWriteOptions, DataValue, Enrollment, EnrollmentStatus, Event,
    EventCsvReader, EventCsvWriter, EventStatus, Fields, Geometry, JsonReader, JsonWriter, Note,
    Payload, ProgramOwner, ReadOptions, Relationship, RelationshipItem, ServerTimeZone, Timestamp,
    TrackedEntity, TrackerType, TrackerVersion, User, WriteOptions,
};
use proptest::collection::vec;
use proptest::option;
use proptest::prelude::*;

fn uid() -> BoxedStrategy<Uid> {
    "[a-zA-Z][a-zA-Z0-9]{10}"
        .prop_map(|s| Uid::parse(&s).unwrap())
        .boxed()
}

/// Any text, including quotes, commas, line breaks, controls and non-ASCII.
fn text() -> BoxedStrategy<String> {
    prop_oneof![
        Just(String::new()),
        "[a-zA-Z0-9]{1,12}",
        "[ -~]{0,30}",
        "\\PC{0,20}",
        "[a,\"\n\r\t\u{1}é€ ]{0,10}",
    ]
    .boxed()
}

fn timestamp() -> BoxedStrategy<Timestamp> {
    (0i64..4_102_444_800_000)
        .prop_map(|ms| Timestamp::from_epoch_millis(ms).unwrap())
        .boxed()
}

fn ts() -> BoxedStrategy<Option<Timestamp>> {
    option::of(timestamp()).boxed()
}

/// Coordinates to the nanodegree (DHIS2's coordinates have at most 15 significant digits:
/// `serde_json`'s default float parsing is exact for those, not always for 17).
fn coordinate(with_z: bool) -> BoxedStrategy<Coordinate> {
    let ord = |max: i64| (-max..=max).prop_map(|n| n as f64 / 1e9);
    (
        ord(180_000_000_000),
        ord(90_000_000_000),
        if with_z {
            option::of(ord(9_000_000_000_000)).boxed()
        } else {
            Just(None).boxed()
        },
    )
        .prop_map(|(x, y, z)| Coordinate { x, y, z })
        .boxed()
}

fn ring(with_z: bool) -> BoxedStrategy<Vec<Coordinate>> {
    vec(coordinate(with_z), 3..6)
        .prop_map(|mut c| {
            let first = c[0];
            c.push(first);
            c
        })
        .boxed()
}

fn geometry(with_z: bool) -> BoxedStrategy<Option<Geometry>> {
    option::of(prop_oneof![
        coordinate(with_z).prop_map(Geometry::Point),
        vec(coordinate(with_z), 2..4).prop_map(Geometry::LineString),
        vec(ring(with_z), 1..3).prop_map(Geometry::Polygon),
        vec(vec(ring(with_z), 1..2), 1..3).prop_map(Geometry::MultiPolygon),
        vec(coordinate(with_z), 1..3).prop_map(Geometry::MultiPoint),
    ])
    .boxed()
}

fn user() -> BoxedStrategy<Option<User>> {
    option::of((text(), text(), text(), text(), text()).prop_map(
        |(uid, username, first_name, surname, display_name)| User {
            uid,
            username,
            first_name,
            surname,
            display_name,
        },
    ))
    .boxed()
}

fn value_type() -> BoxedStrategy<Option<ValueType>> {
    option::of((0usize..ValueType::ALL.len()).prop_map(|i| ValueType::ALL[i])).boxed()
}

fn attribute() -> BoxedStrategy<Attribute> {
    (
        text(),
        text(),
        text(),
        ts(),
        ts(),
        text(),
        value_type(),
        text(),
    )
        .prop_map(
            |(
                attribute,
                code,
                display_name,
                created_at,
                updated_at,
                stored_by,
                value_type,
                value,
            )| {
                Attribute {
                    attribute,
                    code,
                    display_name,
                    created_at,
                    updated_at,
                    stored_by,
                    value_type,
                    value,
                }
            },
        )
        .boxed()
}

fn data_value() -> BoxedStrategy<DataValue> {
    (
        ts(),
        ts(),
        text(),
        any::<bool>(),
        text(),
        text(),
        user(),
        user(),
    )
        .prop_map(
            |(
                created_at,
                updated_at,
                stored_by,
                provided_elsewhere,
                data_element,
                value,
                cb,
                ub,
            )| {
                DataValue {
                    created_at,
                    updated_at,
                    stored_by,
                    provided_elsewhere,
                    data_element,
                    value,
                    created_by: cb,
                    updated_by: ub,
                }
            },
        )
        .boxed()
}

fn note() -> BoxedStrategy<Note> {
    (option::of(uid()), ts(), text(), user(), text())
        .prop_map(|(note, stored_at, value, created_by, stored_by)| Note {
            note,
            stored_at,
            value,
            created_by,
            stored_by,
        })
        .boxed()
}

fn item() -> BoxedStrategy<Option<RelationshipItem>> {
    option::of(prop_oneof![
        uid().prop_map(RelationshipItem::tracked_entity),
        uid().prop_map(RelationshipItem::enrollment),
        uid().prop_map(RelationshipItem::event),
        Just(RelationshipItem::default()),
    ])
    .boxed()
}

fn relationship() -> BoxedStrategy<Relationship> {
    (
        option::of(uid()),
        (text(), text()),
        (ts(), ts(), ts()),
        (any::<bool>(), any::<bool>()),
        (item(), item()),
    )
        .prop_map(
            |(
                relationship,
                (relationship_name, relationship_type),
                (c, cc, u),
                (b, d),
                (from, to),
            )| {
                Relationship {
                    relationship,
                    relationship_name,
                    relationship_type,
                    created_at: c,
                    created_at_client: cc,
                    updated_at: u,
                    bidirectional: b,
                    deleted: d,
                    from,
                    to,
                }
            },
        )
        .boxed()
}

fn status() -> BoxedStrategy<EventStatus> {
    (0usize..6)
        .prop_map(|i| {
            [
                EventStatus::Active,
                EventStatus::Completed,
                EventStatus::Visited,
                EventStatus::Schedule,
                EventStatus::Overdue,
                EventStatus::Skipped,
            ][i]
        })
        .boxed()
}

fn unique_values(mut values: Vec<DataValue>) -> Vec<DataValue> {
    let mut seen = Vec::new();
    values.retain(|v| {
        let new = !seen.contains(v);
        seen.push(v.clone());
        new
    });
    values
}

prop_compose! {
    fn event(with_z: bool, nested: bool)(
        ids in (option::of(uid()), option::of(uid()), option::of(uid())),
        status in status(),
        refs in (text(), text(), text()),
        rels in vec(relationship(), 0..2),
        times in (ts(), ts(), ts(), ts(), ts(), ts(), ts()),
        texts in (text(), text(), text(), text()),
        flags in (any::<bool>(), any::<bool>()),
        geometry in geometry(with_z),
        users in (user(), user(), user()),
        data_values in vec(data_value(), 0..4),
        notes in vec(note(), 0..2),
    ) -> Event {
        Event {
            event: ids.0,
            status,
            program: refs.0,
            program_stage: refs.1,
            enrollment: ids.1,
            tracked_entity: ids.2,
            org_unit: refs.2,
            relationships: if nested { rels } else { Vec::new() },
            occurred_at: times.0,
            scheduled_at: times.1,
            stored_by: texts.0,
            follow_up: flags.0,
            deleted: flags.1,
            created_at: times.2,
            created_at_client: times.3,
            updated_at: times.4,
            updated_at_client: times.5,
            attribute_option_combo: texts.1,
            attribute_category_options: texts.2,
            completed_by: texts.3,
            completed_at: times.6,
            geometry,
            assigned_user: users.0,
            created_by: users.1,
            updated_by: users.2,
            data_values: unique_values(data_values),
            notes,
        }
    }
}

prop_compose! {
    fn enrollment()(
        ids in (option::of(uid()), option::of(uid())),
        times in (ts(), ts(), ts(), ts(), ts(), ts(), ts()),
        texts in (text(), text(), text(), text(), text()),
        status in (0usize..3).prop_map(|i| [EnrollmentStatus::Active, EnrollmentStatus::Completed, EnrollmentStatus::Cancelled][i]),
        flags in (any::<bool>(), any::<bool>()),
        users in (user(), user()),
        geometry in geometry(true),
        events in vec(event(true, true), 0..2),
        relationships in vec(relationship(), 0..2),
        attributes in vec(attribute(), 0..2),
        notes in vec(note(), 0..2),
    ) -> Enrollment {
        Enrollment {
            enrollment: ids.0,
            created_at: times.0,
            created_at_client: times.1,
            updated_at: times.2,
            updated_at_client: times.3,
            tracked_entity: ids.1,
            program: texts.0,
            status,
            org_unit: texts.1,
            enrolled_at: times.4,
            occurred_at: times.5,
            follow_up: flags.0,
            completed_by: texts.2,
            completed_at: times.6,
            deleted: flags.1,
            stored_by: texts.3,
            created_by: users.0,
            updated_by: users.1,
            geometry,
            attribute_option_combo: texts.4,
            events,
            relationships,
            attributes,
            notes,
        }
    }
}

prop_compose! {
    fn tracked_entity()(
        id in option::of(uid()),
        times in (ts(), ts(), ts(), ts()),
        texts in (text(), text(), text()),
        flags in (any::<bool>(), any::<bool>(), any::<bool>()),
        geometry in geometry(true),
        users in (user(), user()),
        relationships in vec(relationship(), 0..2),
        attributes in vec(attribute(), 0..3),
        enrollments in vec(enrollment(), 0..2),
        owners in vec((text(), text(), text()).prop_map(|(org_unit, tracked_entity, program)| ProgramOwner { org_unit, tracked_entity, program }), 0..2),
    ) -> TrackedEntity {
        TrackedEntity {
            tracked_entity: id,
            tracked_entity_type: texts.0,
            created_at: times.0,
            created_at_client: times.1,
            updated_at: times.2,
            updated_at_client: times.3,
            org_unit: texts.1,
            inactive: flags.0,
            deleted: flags.1,
            potential_duplicate: flags.2,
            geometry,
            stored_by: texts.2,
            created_by: users.0,
            updated_by: users.1,
            relationships,
            attributes,
            enrollments,
            program_owners: owners,
        }
    }
}

prop_compose! {
    fn payload()(
        tracked_entities in vec(tracked_entity(), 0..3),
        enrollments in vec(enrollment(), 0..2),
        events in vec(event(true, true), 0..3),
        relationships in vec(relationship(), 0..2),
    ) -> Payload {
        Payload { tracked_entities, enrollments, events, relationships }
    }
}

fn zone() -> impl Strategy<Value = ServerTimeZone> {
    (-12i32..14).prop_map(|h| ServerTimeZone::fixed(FixedOffset::east_opt(h * 3600).unwrap()))
}

fn write_json(p: &Payload, zone: &ServerTimeZone) -> Vec<u8> {
    let options = WriteOptions::default()
        .with_time_zone(zone.clone())
        .with_version(TrackerVersion::V2_43)
        .with_fields(Fields::All);
    let mut w = JsonWriter::new(Vec::new(), options);
    w.begin_list(TrackerType::TrackedEntity).unwrap();
    for t in &p.tracked_entities {
        w.write_tracked_entity(t).unwrap();
    }
    w.begin_list(TrackerType::Enrollment).unwrap();
    for e in &p.enrollments {
        w.write_enrollment(e).unwrap();
    }
    w.begin_list(TrackerType::Event).unwrap();
    for e in &p.events {
        w.write_event(e).unwrap();
    }
    w.begin_list(TrackerType::Relationship).unwrap();
    for r in &p.relationships {
        w.write_relationship(r).unwrap();
    }
    w.finish().unwrap()
}

fn write_csv(events: &[Event], options: CsvWriteOptions) -> Vec<u8> {
    let mut w = EventCsvWriter::new(Vec::new(), options).unwrap();
    for e in events {
        w.write_event(e).unwrap();
    }
    w.finish().unwrap()
}

fn read_csv(bytes: &[u8], zone: &ServerTimeZone) -> Vec<Event> {
    EventCsvReader::new(
        bytes,
        ReadOptions::default().with_time_zone(zone.clone()),
        true,
    )
    .unwrap()
    .events()
    .collect::<Result<Vec<_>, _>>()
    .unwrap()
}

/// What the events CSV carries: no relationships, notes, users but the assigned username, no
/// tracked entity, `followUp` or `deleted`, WKT in two dimensions; every event has a distinct
/// UID (rows without one, or repeating the previous one, group differently).
fn csv_event(e: Event, n: usize) -> Event {
    let uid = Uid::parse(&format!("Ev{n:09}")).unwrap();
    Event {
        event: Some(uid),
        relationships: Vec::new(),
        tracked_entity: None,
        follow_up: false,
        deleted: false,
        created_by: None,
        updated_by: None,
        notes: Vec::new(),
        assigned_user: e
            .assigned_user
            .as_ref()
            .filter(|u| !u.username.is_empty())
            .map(|u| User::with_username(u.username.clone())),
        data_values: unique_values(
            e.data_values
                .iter()
                .map(|dv| DataValue {
                    created_by: None,
                    updated_by: None,
                    ..dv.clone()
                })
                .collect(),
        ),
        ..e
    }
}

/// What DHIS2's lossy rows keep of an event (§9.3): on data value rows no client dates and no
/// assigned user; `storedBy` of the first row (its data value's, else the event's) becomes the
/// event's; data values lose `storedBy`.
fn lossy(e: &Event) -> Event {
    let mut out = e.clone();
    if let Some(first) = e.data_values.first() {
        out.created_at_client = None;
        out.updated_at_client = None;
        out.assigned_user = None;
        if !first.stored_by.is_empty() {
            out.stored_by = first.stored_by.clone();
        }
    }
    for dv in &mut out.data_values {
        dv.stored_by.clear();
    }
    out.data_values = unique_values(out.data_values);
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn json_round_trips(p in payload(), zone in zone()) {
        let bytes = write_json(&p, &zone);
        let options = ReadOptions::default().with_time_zone(zone.clone());
        let reader = JsonReader::new(options);
        let (back, _) = reader.read_payload_slice(&bytes).unwrap();
        prop_assert_eq!(&back, &p);
        let (streamed, _) = reader.read_payload(&bytes[..]).unwrap();
        prop_assert_eq!(&streamed, &p);
        // Written again, the same bytes.
        prop_assert_eq!(write_json(&back, &zone), bytes);
    }

    #[test]
    fn csv_round_trips_losslessly(events in vec(event(false, false), 0..6), zone in zone()) {
        let events: Vec<Event> = events.into_iter().enumerate().map(|(n, e)| csv_event(e, n)).collect();
        let bytes = write_csv(&events, CsvWriteOptions::default().with_lossless(true));
        prop_assert_eq!(read_csv(&bytes, &zone), events);
    }

    #[test]
    fn csv_keeps_what_dhis2_keeps(events in vec(event(false, false), 0..6), zone in zone()) {
        let events: Vec<Event> = events.into_iter().enumerate().map(|(n, e)| csv_event(e, n)).collect();
        let bytes = write_csv(&events, CsvWriteOptions::default());
        let back = read_csv(&bytes, &zone);
        let expected: Vec<Event> = events.iter().map(lossy).collect();
        prop_assert_eq!(&back, &expected);
        // CSV → JSON → CSV keeps every event and data value, byte for byte.
        let json = {
            let mut w = JsonWriter::new(Vec::new(), WriteOptions::default().with_time_zone(zone.clone()));
            w.begin_list(TrackerType::Event).unwrap();
            for e in &back {
                w.write_event(e).unwrap();
            }
            w.finish().unwrap()
        };
        let (p, _) = JsonReader::new(ReadOptions::default().with_time_zone(zone.clone()))
            .read_payload_slice(&json)
            .unwrap();
        prop_assert_eq!(&p.events, &back);
        // One lossy trip is a fixed point: CSV → JSON → CSV keeps every event and data value.
        let again = write_csv(&p.events, CsvWriteOptions::default());
        prop_assert_eq!(&read_csv(&again, &zone), &back);
        prop_assert_eq!(write_csv(&read_csv(&again, &zone), CsvWriteOptions::default()), again);
    }

    #[test]
    fn readers_never_panic(bytes in vec(any::<u8>(), 0..400)) {
        let _ = JsonReader::new(ReadOptions::default()).read_slice(&bytes, |_| Ok(()));
        if let Ok(r) = EventCsvReader::new(&bytes[..], ReadOptions::default(), true) {
            for e in r.events() {
                if e.is_err() {
                    break;
                }
            }
        }
    }

    #[test]
    fn dates_write_and_read_back(t in timestamp(), zone in zone()) {
        let json = t.to_json_string(&zone);
        prop_assert_eq!(Timestamp::parse(&json, &zone).unwrap(), t);
        prop_assert_eq!(Timestamp::parse(&t.to_csv_string(), &zone).unwrap(), t);
    }
}

#[test]
fn dates_before_1970_and_far_ahead() {
    let zone = ServerTimeZone::utc();
    for (y, m, d) in [(1900, 1, 1), (1969, 12, 31), (2262, 4, 11)] {
        let t = Timestamp::from_utc(
            NaiveDate::from_ymd_opt(y, m, d)
                .unwrap()
                .and_hms_milli_opt(23, 59, 59, 999)
                .unwrap(),
        );
        assert_eq!(
            Timestamp::parse(&t.to_json_string(&zone), &zone).unwrap(),
            t
        );
    }
}

/// A few byte edits (replace, insert, delete) of a document.
fn mutate(mut bytes: Vec<u8>, edits: &[(usize, u8, u8)]) -> Vec<u8> {
    for &(at, op, b) in edits {
        if bytes.is_empty() {
            bytes.push(b);
            continue;
        }
        let i = at % bytes.len();
        match op % 3 {
            0 => bytes[i] = b,
            1 => bytes.insert(i, b),
            _ => {
                bytes.remove(i);
            }
        }
    }
    bytes
}

fn edit() -> impl Strategy<Value = (usize, u8, u8)> {
    (
        any::<usize>(),
        any::<u8>(),
        prop_oneof![
            Just(b','),
            Just(b'"'),
            Just(b'\n'),
            Just(b'{'),
            Just(b'}'),
            Just(b'['),
            Just(b']'),
            Just(b':'),
            Just(b'0'),
            Just(b'a'),
            Just(b' '),
            any::<u8>()
        ],
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    /// What the `tracker_json` fuzz target checks, on mutated valid documents: slice and stream
    /// read alike; a second write-then-read changes nothing.
    #[test]
    fn mutated_json_reaches_a_fixed_point(p in payload(), edits in vec(edit(), 0..4)) {
        let zone = ServerTimeZone::utc();
        let data = mutate(write_json(&p, &zone), &edits);
        let reader = JsonReader::new(ReadOptions::default());
        match (reader.read_payload_slice(&data), reader.read_payload(&data[..])) {
            (Ok(a), Ok(b)) => {
                prop_assert_eq!(&a.0, &b.0);
                let again = reader.read_payload_slice(&write_json(&a.0, &zone)).unwrap().0;
                let twice = write_json(&again, &zone);
                let third = reader.read_payload_slice(&twice).unwrap().0;
                prop_assert_eq!(write_json(&third, &zone), twice);
            }
            (Err(_), Err(_)) => {}
            (a, b) => prop_assert!(false, "slice and stream disagree: {:?} / {:?}", a.err(), b.err()),
        }
    }

    /// What the `tracker_csv` fuzz target checks, on mutated valid files.
    #[test]
    fn mutated_csv_reaches_a_fixed_point(
        events in vec(event(true, false), 0..4),
        edits in vec(edit(), 0..4),
        header in any::<bool>(),
        v241 in any::<bool>(),
    ) {
        let zone = ServerTimeZone::utc();
        let version = if v241 { TrackerVersion::V2_41 } else { TrackerVersion::V2_42 };
        let options = ReadOptions::default().with_version(version);
        let data = mutate(
            write_csv(&events, CsvWriteOptions::default().with_header(header).with_lossless(true)),
            &edits,
        );
        let read = |bytes: &[u8], header: bool| -> Option<Vec<Event>> {
            EventCsvReader::new(bytes, options.clone(), header)
                .ok()?
                .events()
                .collect::<Result<Vec<_>, _>>()
                .ok()
        };
        if let Some(first) = read(&data, header) {
            let lossless = CsvWriteOptions::default().with_lossless(true);
            let again = read(&write_csv(&first, lossless), true).unwrap();
            let twice = write_csv(&again, lossless);
            let third = read(&twice, true).unwrap();
            prop_assert_eq!(&third, &again);
            prop_assert_eq!(write_csv(&third, lossless), twice);
        }
        let _ = zone;
    }
}
