//! Every date form DHIS2 accepts (tracker-spec.md §2.1, `DateUtils.parseDate`), through the JSON
//! and CSV readers, in a server time zone that is not UTC, and how each writer writes them.
// Test code: a failed expectation should stop the test loudly.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use chrono::FixedOffset;
use dxf2_tracker::{
    CsvWriteOptions, ErrorKind, EventCsvReader, EventCsvWriter, JsonReader, JsonWriter,
    ReadOptions, ServerTimeZone, TrackerType, WriteOptions,
};

fn nairobi() -> ServerTimeZone {
    ServerTimeZone::fixed(FixedOffset::east_opt(3 * 3600).unwrap())
}

/// (as written, UTC instant as CSV writes it, as JSON writes it in the server's zone +03:00)
const FORMS: &[(&str, &str, &str)] = &[
    (
        "20190819",
        "2019-08-18T21:00:00Z",
        "2019-08-19T00:00:00.000",
    ),
    (
        "2019-08-19",
        "2019-08-18T21:00:00Z",
        "2019-08-19T00:00:00.000",
    ),
    ("2019-08", "2019-07-31T21:00:00Z", "2019-08-01T00:00:00.000"),
    ("2019", "2018-12-31T21:00:00Z", "2019-01-01T00:00:00.000"),
    (
        "2019-08-19T13:59:13.123456789+0000",
        "2019-08-19T13:59:13.123Z",
        "2019-08-19T16:59:13.123",
    ),
    (
        "2019-08-19T13:59:13.123456Z",
        "2019-08-19T13:59:13.123Z",
        "2019-08-19T16:59:13.123",
    ),
    (
        "2019-08-19T13:59:13.123456",
        "2019-08-19T10:59:13.123Z",
        "2019-08-19T13:59:13.123",
    ),
    (
        "2019-08-19T13:59:13.1234+01:00",
        "2019-08-19T12:59:13.123Z",
        "2019-08-19T15:59:13.123",
    ),
    (
        "2019-08-19T13:59:13.1234",
        "2019-08-19T10:59:13.123Z",
        "2019-08-19T13:59:13.123",
    ),
    (
        "2016-03-17T01:51:39.609+0000",
        "2016-03-17T01:51:39.609Z",
        "2016-03-17T04:51:39.609",
    ),
    (
        "2019-08-19T13:59:13.688",
        "2019-08-19T10:59:13.688Z",
        "2019-08-19T13:59:13.688",
    ),
    (
        "2020-02-26T23:01:00Z",
        "2020-02-26T23:01:00Z",
        "2020-02-27T02:01:00.000",
    ),
    (
        "2019-08-19T13:59:13",
        "2019-08-19T10:59:13Z",
        "2019-08-19T13:59:13.000",
    ),
    (
        "2019-08-19T13:59-0230",
        "2019-08-19T16:29:00Z",
        "2019-08-19T19:29:00.000",
    ),
    (
        "2019-08-19T13:59",
        "2019-08-19T10:59:00Z",
        "2019-08-19T13:59:00.000",
    ),
    (
        "2019-08-19T13Z",
        "2019-08-19T13:00:00Z",
        "2019-08-19T16:00:00.000",
    ),
    (
        "2019-08-19T13",
        "2019-08-19T10:00:00Z",
        "2019-08-19T13:00:00.000",
    ),
    (
        "2019-08-19 13:59:13+0000",
        "2019-08-19T13:59:13Z",
        "2019-08-19T16:59:13.000",
    ),
    (
        "2019-8-1T1:2:3",
        "2019-07-31T22:02:03Z",
        "2019-08-01T01:02:03.000",
    ),
];

#[test]
fn every_form_through_json() {
    let zone = nairobi();
    let options = ReadOptions::default().with_time_zone(zone.clone());
    for (text, csv, json) in FORMS {
        let doc = format!(r#"{{"events": [{{"occurredAt": "{text}"}}]}}"#);
        let (p, _) = JsonReader::new(options.clone())
            .read_payload_slice(doc.as_bytes())
            .unwrap_or_else(|e| panic!("{text}: {e}"));
        let t = p.events[0].occurred_at.unwrap();
        assert_eq!(t.to_csv_string(), *csv, "{text}");
        let mut w = JsonWriter::new(
            Vec::new(),
            WriteOptions::default().with_time_zone(zone.clone()),
        );
        w.begin_list(TrackerType::Event).unwrap();
        w.write_event(&p.events[0]).unwrap();
        let out = String::from_utf8(w.finish().unwrap()).unwrap();
        assert!(
            out.contains(&format!(r#""occurredAt":"{json}""#)),
            "{text}: {out}"
        );
    }
    // JSON only: epoch milliseconds (text or number), blank is no date.
    let (p, _) = JsonReader::new(options.clone())
        .read_payload_slice(
            br#"{"events": [{"occurredAt": "1566223153688", "scheduledAt": 1566223153688, "completedAt": "  "}]}"#,
        )
        .unwrap();
    let e = &p.events[0];
    assert_eq!(
        e.occurred_at.unwrap().to_csv_string(),
        "2019-08-19T13:59:13.688Z"
    );
    assert_eq!(e.scheduled_at, e.occurred_at);
    assert_eq!(e.completed_at, None);
    for bad in ["2019-13-01", "19/08/2019", "2019-08-19 13:59:13", "true"] {
        let doc = format!(r#"{{"events": [{{"occurredAt": "{bad}"}}]}}"#);
        let err = JsonReader::new(options.clone())
            .read_payload_slice(doc.as_bytes())
            .unwrap_err();
        assert!(matches!(err.kind(), ErrorKind::InvalidDate { .. }), "{bad}");
        assert_eq!(
            err.kind().to_string(),
            format!("Invalid date format '{bad}', only 'yyyy-MM-dd'T'HH:mm:ss.SSS' format end epoch milliseconds are supported.")
        );
    }
}

#[test]
fn every_form_through_csv() {
    let zone = nairobi();
    let options = ReadOptions::default().with_time_zone(zone);
    for (text, csv, _) in FORMS {
        let cell = if text.contains(' ') {
            format!("\"{text}\"")
        } else {
            text.to_string()
        };
        let input = format!("event,occurredAt\nZwwuwNp6gVd,{cell}\n");
        let events: Vec<_> = EventCsvReader::new(input.as_bytes(), options.clone(), true)
            .unwrap()
            .events()
            .collect::<Result<_, _>>()
            .unwrap_or_else(|e| panic!("{text}: {e}"));
        assert_eq!(
            events[0].occurred_at.unwrap().to_csv_string(),
            *csv,
            "{text}"
        );
        // CSV is written in UTC, whatever the zone.
        let mut w =
            EventCsvWriter::new(Vec::new(), CsvWriteOptions::default().with_header(false)).unwrap();
        w.write_event(&events[0]).unwrap();
        let out = String::from_utf8(w.finish().unwrap()).unwrap();
        assert!(
            out.starts_with(&format!("ZwwuwNp6gVd,ACTIVE,,,,,{csv},")),
            "{out}"
        );
    }
    // No epoch milliseconds in CSV; a blank (not empty) cell fails.
    for bad in ["1566223153688", " "] {
        let input = format!("event,occurredAt\nZwwuwNp6gVd,{bad}\n");
        let err = EventCsvReader::new(input.as_bytes(), options.clone(), true)
            .unwrap()
            .events()
            .find_map(Result::err)
            .unwrap();
        assert!(
            matches!(err.kind(), ErrorKind::InvalidDate { .. }),
            "{bad:?}"
        );
    }
}
