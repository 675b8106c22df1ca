//! The three tracker payloads of DHIS2's e2e tests in the shared corpus
//! (`../shared/corpus/dhis2-core/tracker/`): the v41 tracked entity payload reads and writes back;
//! the two event files are in the pre-2.41 format and are refused with what changed.
// Test code: a failed expectation should stop the test loudly.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use dxf2_testdata::corpus::corpus_file;
use dxf2_tracker::{
    flatten, ErrorKind, EventCsvReader, Fields, JsonReader, JsonWriter, LegacyPolicy, ReadOptions,
    TrackerType, WriteOptions,
};

fn corpus(name: &str) -> Option<Vec<u8>> {
    let path = corpus_file(&format!("tracker/{name}"))?;
    Some(std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display())))
}

/// `trackedEntitiesWithEnrollmentsAndEvents.json` (S-E4): two tracked entities, each with one
/// enrollment and one event; it reads, flattens, and a `fields=*` export of it reads back equal.
#[test]
fn tracked_entities_with_enrollments_and_events() {
    let Some(bytes) = corpus("trackedEntitiesWithEnrollmentsAndEvents.json") else {
        return;
    };
    let reader = JsonReader::new(ReadOptions::default());
    let (payload, summary) = reader.read_payload_slice(&bytes).unwrap();
    assert_eq!(summary.tracked_entities, 2);
    assert!(summary.legacy.is_empty());
    let te = &payload.tracked_entities[0];
    assert_eq!(te.tracked_entity.unwrap().as_str(), "Kj6vYde4LHh");
    assert_eq!(te.attributes.len(), 2);
    let ev = &te.enrollments[0].events[0];
    assert_eq!(ev.event.unwrap().as_str(), "ZwwuwNp6gVd");
    assert_eq!(ev.data_values.len(), 3);
    assert_eq!(ev.data_values[2].value, "[-11.566044,9.477801]");
    assert_eq!(
        ev.scheduled_at.unwrap().to_json_string(&Default::default()),
        "2019-08-19T13:59:13.688"
    );
    let second = &payload.tracked_entities[1];
    assert!(second.potential_duplicate);
    assert_eq!(second.attributes[0].value, "Test,Test");
    // The second enrollment has no trackedEntity of its own: flattening gives it its parent's.
    assert_eq!(second.enrollments[0].tracked_entity, None);
    let flat = flatten(payload.clone(), &mut dxf2_tracker::RandomUids);
    assert_eq!(flat.enrollments.len(), 2);
    assert_eq!(flat.events.len(), 2);
    assert_eq!(
        flat.enrollments[1].tracked_entity.unwrap().as_str(),
        "Nav6inZRw1u"
    );
    // The stream reader agrees with the whole-payload reader, from a stream.
    let (streamed, _) = reader.read_payload(&bytes[..]).unwrap();
    assert_eq!(streamed, payload);

    // Written back as DHIS2 exports it with fields=* (S-E29), it reads back the same.
    let mut w = JsonWriter::new(Vec::new(), WriteOptions::default().with_fields(Fields::All));
    w.begin_list(TrackerType::TrackedEntity).unwrap();
    for t in &payload.tracked_entities {
        w.write_tracked_entity(t).unwrap();
    }
    let out = w.finish().unwrap();
    let (again, _) = reader.read_payload_slice(&out).unwrap();
    assert_eq!(again, payload);
    let text = String::from_utf8(out).unwrap();
    assert!(text.contains(r#""dataValues":[{"updatedAt":"2019-08-19T13:58:37.477","storedBy":"admin","providedElsewhere":false,"dataElement":"BuZ5LGNfGEU","value":"20"}"#), "{text}");
}

/// `events.json` is a pre-2.41 export (`eventDate`, `dueDate`, `created`, `lastUpdated`):
/// refused, naming the first old key and what it became; with `LegacyPolicy::Ignore` it reads as
/// DHIS2 2.41+ would (the old keys dropped) and the summary lists them.
#[test]
fn pre_v41_events_json_is_refused() {
    let Some(bytes) = corpus("events.json") else {
        return;
    };
    let err = JsonReader::new(ReadOptions::default())
        .read_payload_slice(&bytes)
        .unwrap_err();
    let ErrorKind::Deprecated(d) = err.kind() else {
        panic!("{err}");
    };
    assert_eq!((d.old.as_str(), d.new), ("dueDate", "scheduledAt"));
    assert_eq!(err.location().object.as_deref(), Some("events[0]"));
    assert!(err.to_string().contains("pre-2.41 tracker file"), "{err}");

    let options = ReadOptions::default().with_legacy(LegacyPolicy::Ignore);
    let (payload, summary) = JsonReader::new(options).read_payload_slice(&bytes).unwrap();
    assert_eq!(payload.events.len(), 4);
    assert!(payload.events.iter().all(|e| e.occurred_at.is_none()));
    assert_eq!(payload.events[0].data_values.len(), 4);
    let old: Vec<(&str, &str)> = summary
        .legacy
        .iter()
        .map(|u| (u.deprecation.object, u.deprecation.old.as_str()))
        .collect();
    for expected in [
        ("an event", "dueDate"),
        ("an event", "eventDate"),
        ("an event", "lastUpdated"),
        ("an event", "created"),
        ("a data value", "created"),
    ] {
        assert!(old.contains(&expected), "{expected:?} in {old:?}");
    }
    let due = summary
        .legacy
        .iter()
        .find(|u| u.deprecation.old == "dueDate")
        .unwrap();
    assert_eq!((due.count, due.first_at.as_str()), (4, "events[0]"));
}

/// `events.csv` has the pre-2.41 17-column header (`eventDate`, `dueDate`, `completedDate`):
/// DHIS2 2.41+ refuses it (Unrecognized field), and so does this reader, saying what changed.
#[test]
fn pre_v41_events_csv_is_refused() {
    let Some(bytes) = corpus("events.csv") else {
        return;
    };
    for legacy in [LegacyPolicy::Refuse, LegacyPolicy::Ignore] {
        let options = ReadOptions::default().with_legacy(legacy);
        let err = EventCsvReader::new(&bytes[..], options, true).unwrap_err();
        let ErrorKind::Deprecated(d) = err.kind() else {
            panic!("{err}");
        };
        assert_eq!((d.old.as_str(), d.new), ("eventDate", "occurredAt"));
        assert_eq!(err.location().line, Some(1));
    }
}
