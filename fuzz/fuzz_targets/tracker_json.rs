//! Fuzz the tracker JSON reader: arbitrary bytes, read from a slice and from a stream, never
//! panic and read alike; whatever reads is written (every field, 2.43 views) and read back, and a
//! second write-then-read changes nothing (geometries compared by type: `serde_json`'s default
//! float parsing may move a 17-digit coordinate by one unit in the last place).
//!
//! Run with `cargo fuzz run tracker_json` from the repository root.

#![no_main]

use dxf2_tracker::{
    Fields, JsonReader, JsonWriter, LegacyPolicy, Payload, ReadOptions, TrackerType,
    TrackerVersion, WriteOptions,
};
use libfuzzer_sys::fuzz_target;

fn write(p: &Payload) -> Vec<u8> {
    let options = WriteOptions::default()
        .with_version(TrackerVersion::V2_43)
        .with_fields(Fields::All);
    let mut w = JsonWriter::new(Vec::new(), options);
    w.begin_list(TrackerType::TrackedEntity).expect("begin");
    for t in &p.tracked_entities {
        w.write_tracked_entity(t).expect("write to memory");
    }
    w.begin_list(TrackerType::Enrollment).expect("begin");
    for e in &p.enrollments {
        w.write_enrollment(e).expect("write to memory");
    }
    w.begin_list(TrackerType::Event).expect("begin");
    for e in &p.events {
        w.write_event(e).expect("write to memory");
    }
    w.begin_list(TrackerType::Relationship).expect("begin");
    for r in &p.relationships {
        w.write_relationship(r).expect("write to memory");
    }
    w.finish().expect("write to memory")
}

/// The payload with every geometry replaced by a point at the origin of the same kind's name.
fn without_coordinates(bytes: &[u8]) -> String {
    let text = String::from_utf8(bytes.to_vec()).expect("the writer writes UTF-8");
    let mut out = String::with_capacity(text.len());
    let mut rest = text.as_str();
    while let Some(i) = rest.find("\"coordinates\":") {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        let end = tail.find('}').unwrap_or(tail.len());
        rest = &tail[end..];
    }
    out.push_str(rest);
    out
}

fuzz_target!(|data: &[u8]| {
    for legacy in [LegacyPolicy::Refuse, LegacyPolicy::Ignore] {
        let reader = JsonReader::new(ReadOptions::default().with_legacy(legacy));
        let from_slice = reader.read_payload_slice(data);
        let from_stream = reader.read_payload(data);
        let (payload, _) = match (from_slice, from_stream) {
            (Ok(a), Ok(b)) => {
                assert_eq!(a.0, b.0, "slice and stream read alike");
                a
            }
            (Err(_), Err(_)) => continue,
            (a, b) => panic!("slice and stream disagree: {:?} / {:?}", a.err(), b.err()),
        };
        let once = write(&payload);
        let (again, _) = reader
            .read_payload_slice(&once)
            .expect("the writer's output reads back");
        let twice = write(&again);
        let (third, _) = reader
            .read_payload_slice(&twice)
            .expect("the writer's output reads back");
        assert_eq!(
            without_coordinates(&write(&third)),
            without_coordinates(&twice)
        );
    }
});
