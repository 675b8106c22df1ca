//! The events and tracked entity CSV of tracker-spec.md §9–§10 and the golden lines of
//! tracker-scenarios.md §4.4 (DHIS2's `CsvEventServiceTest`, `CsvTrackedEntityServiceTest`) and
//! §6 (the Jackson CSV harness), byte for byte.
// Test code: a failed expectation should stop the test loudly.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use dxf2_model::{Uid, ValueType};
use dxf2_tracker::{
    Attribute, Coordinate, CsvWriteOptions, DataValue, ErrorKind, Event, EventCsvLayout,
    EventCsvReader, EventCsvWriter, EventStatus, Geometry, ReadOptions, Timestamp, TrackedEntity,
    TrackedEntityCsvWriter, TrackerVersion, User,
};

fn read(csv: &str, header: bool) -> Vec<Event> {
    read_with(csv, header, ReadOptions::default())
}

fn read_with(csv: &str, header: bool, options: ReadOptions) -> Vec<Event> {
    EventCsvReader::new(csv.as_bytes(), options, header)
        .unwrap()
        .events()
        .collect::<Result<Vec<_>, _>>()
        .unwrap()
}

fn read_err(csv: &str, header: bool) -> dxf2_tracker::Error {
    match EventCsvReader::new(csv.as_bytes(), ReadOptions::default(), header) {
        Err(e) => e,
        Ok(r) => r
            .events()
            .find_map(Result::err)
            .expect("the file should be refused"),
    }
}

fn write(events: &[Event], options: CsvWriteOptions) -> String {
    let mut w = EventCsvWriter::new(Vec::new(), options).unwrap();
    for e in events {
        w.write_event(e).unwrap();
    }
    String::from_utf8(w.finish().unwrap()).unwrap()
}

fn no_header() -> CsvWriteOptions {
    CsvWriteOptions::default().with_header(false)
}

fn uid(s: &str) -> Option<Uid> {
    Some(Uid::parse(s).unwrap())
}

fn ts(s: &str) -> Option<Timestamp> {
    Some(Timestamp::parse(s, &Default::default()).unwrap())
}

const COMPLETE_EVENT: &str = "FRM97UKN8te,COMPLETED,programId,programStageId,PSeMWi7rBgb,orgUnitId,2020-02-26T23:01:00Z,2020-02-26T23:02:00Z,,,,false,false,2020-02-26T23:03:00Z,2020-02-26T23:04:00Z,2020-02-26T23:05:00Z,2020-02-26T23:06:00Z,admin,2020-02-26T23:07:00Z,system,attributeOptionCombo,attributeCategoryOptions,assignedUser,dataElement,value,admin,false,admin,2020-02-26T23:08:00Z,2020-02-26T23:09:00Z\n";

/// S-CSV-1: one empty event, no header: 30 fields, status ACTIVE.
#[test]
fn s_csv_1_empty_event() {
    assert_eq!(
        write(&[Event::default()], no_header()),
        ",ACTIVE,,,,,,,,,,false,false,,,,,,,,,,,,,,,,,\n"
    );
}

/// S-CSV-2 and S-CSV-3: follow-up event without, then with two data values.
#[test]
fn s_csv_2_3_rows_per_data_value() {
    let mut e = Event {
        event: uid("BuA2R2Gr4vt"),
        follow_up: true,
        ..Event::default()
    };
    assert_eq!(
        write(std::slice::from_ref(&e), no_header()),
        "BuA2R2Gr4vt,ACTIVE,,,,,,,,,,true,false,,,,,,,,,,,,,,,,,\n"
    );
    for color in ["purple", "yellow"] {
        e.data_values.push(DataValue {
            data_element: "color".into(),
            value: color.into(),
            provided_elsewhere: true,
            ..DataValue::default()
        });
    }
    assert_eq!(
        write(&[e], no_header()),
        "BuA2R2Gr4vt,ACTIVE,,,,,,,,,,true,false,,,,,,,,,,,color,purple,,true,,,\n\
         BuA2R2Gr4vt,ACTIVE,,,,,,,,,,true,false,,,,,,,,,,,color,yellow,,true,,,\n"
    );
}

/// S-CSV-4: a header naming a subset of the columns, in another order.
#[test]
fn s_csv_4_header_subset() {
    let events = read(
        "event,orgUnit,program,programStage,attributeOptionCombo,occurredAt\n\
         FRM97UKN8te,orgUnitId,programId,programStageId,attributeOptionComboId,2018-11-01T00:00:00Z\n",
        true,
    );
    assert_eq!(events.len(), 1);
    let e = &events[0];
    assert_eq!(e.event, uid("FRM97UKN8te"));
    assert_eq!(e.status, EventStatus::Active);
    assert_eq!(e.program, "programId");
    assert_eq!(e.program_stage, "programStageId");
    assert_eq!(e.org_unit, "orgUnitId");
    assert_eq!(e.attribute_option_combo, "attributeOptionComboId");
    assert_eq!(e.occurred_at, ts("2018-11-01T00:00:00Z"));
    assert_eq!(e.enrollment, None);
    assert_eq!(e.scheduled_at, None);
    assert_eq!(e.completed_at, None);
    assert_eq!(e.stored_by, "");
    assert_eq!(e.attribute_category_options, "");
    assert!(e.assigned_user.is_none() && e.data_values.is_empty() && e.notes.is_empty());
}

/// S-CSV-5: a headerless 30-column row; `createdAtDataValue` is the last column.
#[test]
fn s_csv_5_positional() {
    let events = read(COMPLETE_EVENT, false);
    let e = &events[0];
    assert_eq!(e.status, EventStatus::Completed);
    assert_eq!(e.enrollment, uid("PSeMWi7rBgb"));
    assert_eq!(e.occurred_at, ts("2020-02-26T23:01:00Z"));
    assert_eq!(e.scheduled_at, ts("2020-02-26T23:02:00Z"));
    assert_eq!(e.created_at, ts("2020-02-26T23:03:00Z"));
    assert_eq!(e.created_at_client, ts("2020-02-26T23:04:00Z"));
    assert_eq!(e.updated_at, ts("2020-02-26T23:05:00Z"));
    assert_eq!(e.updated_at_client, ts("2020-02-26T23:06:00Z"));
    assert_eq!(e.completed_at, ts("2020-02-26T23:07:00Z"));
    assert_eq!(e.completed_by, "admin");
    assert_eq!(e.stored_by, "admin");
    assert_eq!(e.attribute_option_combo, "attributeOptionCombo");
    assert_eq!(e.attribute_category_options, "attributeCategoryOptions");
    assert_eq!(e.assigned_user.as_ref().unwrap().username, "assignedUser");
    assert_eq!(e.data_values.len(), 1);
    let dv = &e.data_values[0];
    assert_eq!(
        (dv.data_element.as_str(), dv.value.as_str()),
        ("dataElement", "value")
    );
    assert_eq!(dv.created_at, ts("2020-02-26T23:09:00Z"));
    assert_eq!(dv.updated_at, ts("2020-02-26T23:08:00Z"));
    assert_eq!(dv.stored_by, "admin");
    assert!(!dv.provided_elsewhere);
}

/// S-CSV-6: writing S-CSV-5's event loses `createdAtClient`, `updatedAtClient`, `updatedBy`,
/// `assignedUser`, `storedByDataValue` — exactly DHIS2's line.
#[test]
fn s_csv_6_lossy_write() {
    let events = read(COMPLETE_EVENT, false);
    assert_eq!(
        write(&events, no_header()),
        "FRM97UKN8te,COMPLETED,programId,programStageId,PSeMWi7rBgb,orgUnitId,2020-02-26T23:01:00Z,2020-02-26T23:02:00Z,,,,false,false,2020-02-26T23:03:00Z,,2020-02-26T23:05:00Z,,admin,2020-02-26T23:07:00Z,,attributeOptionCombo,attributeCategoryOptions,,dataElement,value,admin,false,,2020-02-26T23:08:00Z,2020-02-26T23:09:00Z\n"
    );
    // The lossless mode keeps what DHIS2's rows lose, except `updatedBy`, which the reader
    // does not read (as DHIS2).
    assert_eq!(
        write(&events, no_header().with_lossless(true)),
        COMPLETE_EVENT.replace(",system,", ",,")
    );
}

/// S-CSV-7 and S-E10: an invalid event UID refuses the file with DHIS2's message.
#[test]
fn s_csv_7_invalid_uid() {
    let bad = COMPLETE_EVENT.replacen("FRM97UKN8te", "invalid_uid", 1);
    let err = read_err(&bad, false);
    assert!(err
        .to_string()
        .contains("UID must be an alphanumeric string of 11 characters starting with a letter"));
    assert_eq!(err.location().line, Some(1));
    assert_eq!(err.location().field.as_deref(), Some("event"));
    let err = read_err(
        "event,orgUnit,program,programStage,occurredAt\ninvalid_uid,g8upMTyEZGZ,Zd2rkv8FsWq,jKLB23QZS4I,2018-11-01T00:00:00.000\n",
        true,
    );
    assert!(matches!(err.kind(), ErrorKind::InvalidUid { .. }));
    assert_eq!(err.location().line, Some(2));
}

/// S-CSV-8 (DHIS2-21588): a full header and a row whose data value columns are empty: one
/// event, no data values.
#[test]
fn s_csv_8_no_phantom_values() {
    let header = EventCsvLayout::Events.header();
    let events = read(
        &format!("{header}\nBuA2R2Gr4vt,ACTIVE,programId,programStageId,,orgUnitId,,,,,,false,false,,,,,,,,,,,,,,,,,\n"),
        true,
    );
    assert_eq!(events.len(), 1);
    assert!(events[0].data_values.is_empty());
}

/// S-CSV-9: write then read an event without data values, with header.
#[test]
fn s_csv_9_write_read_without_values() {
    let e = Event {
        event: uid("BuA2R2Gr4vt"),
        program: "programId".into(),
        ..Event::default()
    };
    let csv = write(std::slice::from_ref(&e), CsvWriteOptions::default());
    assert!(csv.starts_with(&(EventCsvLayout::Events.header() + "\n")));
    let back = read(&csv, true);
    assert_eq!(back, vec![e]);
}

/// S-CSV-10: WKT with and without quotes around it.
#[test]
fn s_csv_10_geometry() {
    let point = Geometry::Point(Coordinate::xy(-11.4283223849698, 8.06311527044516));
    for cell in [
        "POINT (-11.4283223849698 8.06311527044516)",
        "\"POINT (-11.4283223849698 8.06311527044516)\"",
        "'POINT (-11.4283223849698 8.06311527044516)'",
    ] {
        let events = read(&format!(",,,,,,,,{cell}\n"), false);
        assert_eq!(events[0].geometry.as_ref(), Some(&point), "{cell}");
    }
    // Blank geometry with latitude and longitude: a point.
    let events = read(",,,,,,,,,8.06311527044516,-11.4283223849698\n", false);
    assert_eq!(events[0].geometry.as_ref(), Some(&point));
    // Written back: WKT quoted, latitude and longitude as Java doubles.
    let csv = write(&events, no_header());
    assert_eq!(
        csv,
        ",ACTIVE,,,,,,,\"POINT (-11.4283223849698 8.06311527044516)\",8.06311527044516,-11.4283223849698,false,false,,,,,,,,,,,,,,,,,\n"
    );
}

/// S-CSV-11 to S-CSV-14: the tracked entity CSV (no header).
#[test]
fn s_csv_11_to_14_tracked_entity_csv() {
    let created = ts("2022-09-29T15:15:30Z");
    let te = |geometry: Option<Geometry>, attributes: Vec<Attribute>| TrackedEntity {
        tracked_entity: uid("h4w96yEMlzO"),
        org_unit: "Test org unit".into(),
        created_at: created,
        geometry,
        attributes,
        ..TrackedEntity::default()
    };
    let write_te = |t: &TrackedEntity| {
        let mut w = TrackedEntityCsvWriter::new(Vec::new(), TrackerVersion::V2_42, false).unwrap();
        w.write_tracked_entity(t).unwrap();
        String::from_utf8(w.finish().unwrap()).unwrap()
    };
    let point = Geometry::Point(Coordinate::xy(40.0, 5.0));
    assert_eq!(
        write_te(&te(Some(point.clone()), vec![])),
        "h4w96yEMlzO,,2022-09-29T15:15:30Z,,,,\"Test org unit\",false,false,false,\"POINT (40 5)\",5.0,40.0,,,,,,,,,\n"
    );
    let line = Geometry::LineString(vec![Coordinate::xy(40.0, 5.0), Coordinate::xy(41.0, 6.0)]);
    assert!(
        write_te(&te(Some(line), vec![])).ends_with(",\"LINESTRING (40 5, 41 6)\",,,,,,,,,,,\n")
    );
    let attrs = vec![
        Attribute {
            attribute: "attribute 1".into(),
            value: "Age test".into(),
            value_type: Some(ValueType::Age),
            ..Attribute::default()
        },
        Attribute {
            attribute: "attribute 2".into(),
            value: "Text test".into(),
            value_type: Some(ValueType::Text),
            ..Attribute::default()
        },
    ];
    assert_eq!(
        write_te(&te(None, attrs.clone())),
        "h4w96yEMlzO,,2022-09-29T15:15:30Z,,,,\"Test org unit\",false,false,false,,,,,,,,,\"attribute 1\",,\"Age test\",AGE\n\
         h4w96yEMlzO,,2022-09-29T15:15:30Z,,,,\"Test org unit\",false,false,false,,,,,,,,,\"attribute 2\",,\"Text test\",TEXT\n"
    );
    assert_eq!(
        write_te(&te(Some(point), attrs)),
        "h4w96yEMlzO,,2022-09-29T15:15:30Z,,,,\"Test org unit\",false,false,false,\"POINT (40 5)\",5.0,40.0,,,,,,\"attribute 1\",,\"Age test\",AGE\n\
         h4w96yEMlzO,,2022-09-29T15:15:30Z,,,,\"Test org unit\",false,false,false,\"POINT (40 5)\",5.0,40.0,,,,,,\"attribute 2\",,\"Text test\",TEXT\n"
    );
}

/// S-W12 / S-X1: the tracked entity CSV header, and the record's columns (users by username).
#[test]
fn tracked_entity_csv_header_and_columns() {
    let mut w = TrackedEntityCsvWriter::new(Vec::new(), TrackerVersion::V2_42, true).unwrap();
    w.write_tracked_entity(&TrackedEntity {
        tracked_entity: uid("h4w96yEMlzO"),
        tracked_entity_type: "Q9GufDoplCL".into(),
        org_unit: "O6uvpzGd5pu".into(),
        created_by: Some(User::with_username("admin")),
        updated_by: Some(User::with_username("admin")),
        attributes: vec![Attribute {
            attribute: "dIVt4l5vIOa".into(),
            value: "attribute_value".into(),
            ..Attribute::default()
        }],
        ..TrackedEntity::default()
    })
    .unwrap();
    let csv = String::from_utf8(w.finish().unwrap()).unwrap();
    let mut lines = csv.lines();
    assert_eq!(
        lines.next().unwrap(),
        "trackedEntity,trackedEntityType,createdAt,createdAtClient,updatedAt,updatedAtClient,orgUnit,inactive,deleted,potentialDuplicate,geometry,latitude,longitude,storedBy,createdBy,updatedBy,attrCreatedAt,attrUpdatedAt,attribute,displayName,value,valueType"
    );
    let record: Vec<&str> = lines.next().unwrap().split(',').collect();
    assert_eq!(record.len(), 22);
    assert_eq!(
        (record[1], record[6], record[7]),
        ("Q9GufDoplCL", "O6uvpzGd5pu", "false")
    );
    assert_eq!((record[14], record[15]), ("admin", "admin"));
    assert_eq!((record[18], record[20]), ("dIVt4l5vIOa", "attribute_value"));
    // After 2.43: no storedBy, 21 columns.
    let w = TrackedEntityCsvWriter::new(Vec::new(), TrackerVersion::Master, true).unwrap();
    let csv = String::from_utf8(w.finish().unwrap()).unwrap();
    assert_eq!(csv.trim_end().split(',').count(), 21);
}

/// S-X2: an export row's columns at DHIS2's indexes.
#[test]
fn s_x2_event_columns() {
    let e = Event {
        event: uid("sG8YkED6Opj"),
        program: "f1AyMswryyQ".into(),
        program_stage: "nlXNK4b7LVr".into(),
        enrollment: uid("iqH6ZOxuxcf"),
        org_unit: "O6uvpzGd5pu".into(),
        follow_up: true,
        attribute_option_combo: "HllvX50cXC0".into(),
        attribute_category_options: "xYerKDKCefk".into(),
        data_values: vec![DataValue {
            data_element: "BuZ5LGNfGEU".into(),
            value: "20".into(),
            ..DataValue::default()
        }],
        ..Event::default()
    };
    let csv = write(&[e], no_header());
    let r: Vec<&str> = csv.trim_end().split(',').collect();
    assert_eq!(r[0], "sG8YkED6Opj");
    assert_eq!(r[1], "ACTIVE");
    assert_eq!(
        (r[2], r[3], r[4], r[5]),
        ("f1AyMswryyQ", "nlXNK4b7LVr", "iqH6ZOxuxcf", "O6uvpzGd5pu")
    );
    assert_eq!((r[11], r[12]), ("true", "false"));
    assert_eq!(
        (r[20], r[21], r[23], r[24]),
        ("HllvX50cXC0", "xYerKDKCefk", "BuZ5LGNfGEU", "20")
    );
}

/// §9.4: the column list of every version and endpoint, written as headers.
#[test]
fn columns_per_version() {
    for (options, columns) in [
        (CsvWriteOptions::dhis2(TrackerVersion::V2_41, true), 30),
        (CsvWriteOptions::dhis2(TrackerVersion::V2_42, true), 30),
        (CsvWriteOptions::dhis2(TrackerVersion::V2_43, true), 30),
        (CsvWriteOptions::dhis2(TrackerVersion::Master, true), 28),
    ] {
        let csv = write(&[Event::default()], options);
        let mut lines = csv.lines();
        assert_eq!(lines.next().unwrap().split(',').count(), columns);
        assert_eq!(lines.next().unwrap().split(',').count(), columns);
    }
    let single = CsvWriteOptions::default().with_layout(EventCsvLayout::SingleEvents);
    let csv = write(&[Event::default()], single);
    assert!(csv.starts_with("event,status,program,orgUnit,occurredAt,geometry,"));
    assert_eq!(
        csv.lines().nth(1).unwrap(),
        ",ACTIVE,,,,,,,false,,,,,,,,,,,,,,,,,"
    );
    // A master file names no `storedBy`; a 2.42 header with `storedBy` is unknown to master.
    let header = EventCsvLayout::Events.header();
    let master = ReadOptions::default().with_version(TrackerVersion::Master);
    match EventCsvReader::new(format!("{header}\n").as_bytes(), master, true) {
        Err(e) => {
            assert!(matches!(e.kind(), ErrorKind::UnknownColumn { name, .. } if name == "storedBy"))
        }
        Ok(_) => panic!("storedBy is not a master column"),
    }
}

/// §9.2 grouping: consecutive rows with the same `event` form one event; non-adjacent rows with
/// the same UID are two events; rows without `event` are one event each (2.42), consecutive
/// ones merge in 2.41.
#[test]
fn grouping_rules() {
    let csv = "event,dataElement,value\n\
               BuA2R2Gr4vt,a,1\nBuA2R2Gr4vt,b,2\nFRM97UKN8te,a,3\nBuA2R2Gr4vt,c,4\n,a,5\n,b,6\n";
    let events = read(csv, true);
    let shape: Vec<(Option<Uid>, usize)> = events
        .iter()
        .map(|e| (e.event, e.data_values.len()))
        .collect();
    assert_eq!(
        shape,
        vec![
            (uid("BuA2R2Gr4vt"), 2),
            (uid("FRM97UKN8te"), 1),
            (uid("BuA2R2Gr4vt"), 1),
            (None, 1),
            (None, 1),
        ]
    );
    let v241 = read_with(
        csv,
        true,
        ReadOptions::default().with_version(TrackerVersion::V2_41),
    );
    assert_eq!(v241.len(), 4);
    assert_eq!(v241[3].data_values.len(), 2);
    // Identical data values collapse (a set for DHIS2).
    let events = read(
        "event,dataElement,value\nBuA2R2Gr4vt,a,1\nBuA2R2Gr4vt,a,1\n",
        true,
    );
    assert_eq!(events[0].data_values.len(), 1);
}

/// Harness H1–H9 (tracker-scenarios §6).
#[test]
fn jackson_harness_behaviour() {
    // H1: a pre-2.41 header is refused, saying what changed.
    let err = read_err(
        "event,status,program,programStage,enrollment,orgUnit,eventDate,dueDate\n",
        true,
    );
    assert!(
        matches!(err.kind(), ErrorKind::Deprecated(d) if d.old == "eventDate" && d.new == "occurredAt")
    );
    // H2: names are case-sensitive.
    let err = read_err("Event,ORGUNIT\n", true);
    assert!(matches!(err.kind(), ErrorKind::UnknownColumn { name, .. } if name == "Event"));
    // H3: any order.
    let e = &read(
        "orgUnit,event,occurredAt,program\nou,BuA2R2Gr4vt,2020-01-01,p\n",
        true,
    )[0];
    assert_eq!((e.org_unit.as_str(), e.program.as_str()), ("ou", "p"));
    // H4: TRUE reads (DHIS2 checks followUp but does not keep it), 1 does not.
    assert_eq!(read("event,followUp\nBuA2R2Gr4vt,TRUE\n", true).len(), 1);
    let err = read_err("event,followUp\nBuA2R2Gr4vt,1\n", true);
    assert!(matches!(err.kind(), ErrorKind::InvalidBoolean { value } if value == "1"));
    // H5: empty followUp / providedElsewhere / latitude.
    let e = &read(
        "event,followUp,providedElsewhere,latitude\nBuA2R2Gr4vt,,,\n",
        true,
    )[0];
    assert!(e.data_values.is_empty() && e.geometry.is_none());
    // H6: quotes.
    let e = &read(
        "event,dataElement,value\nBuA2R2Gr4vt,de,\"a,\"\"b\"\"\"\n",
        true,
    )[0];
    assert_eq!(e.data_values[0].value, "a,\"b\"");
    // H7: a blank line between two rows is an empty event; a trailing newline is not.
    let events = read(
        "event,dataElement,value\nBuA2R2Gr4vt,a,1\n\nFRM97UKN8te,a,1\n",
        true,
    );
    assert_eq!(events.len(), 3);
    assert_eq!(events[1], Event::default());
    // H8: a byte order mark.
    let events = read("\u{feff}event,orgUnit\nBuA2R2Gr4vt,ou\n", true);
    assert_eq!(events[0].org_unit, "ou");
    // H9: quoting on write.
    let e = Event {
        program: "a b".into(),
        program_stage: "x,y".into(),
        org_unit: "q\"uote".into(),
        completed_by: " lead".into(),
        stored_by: "multi\nline".into(),
        attribute_option_combo: "plain".into(),
        ..Event::default()
    };
    let csv = write(std::slice::from_ref(&e), no_header());
    assert!(csv.starts_with(",ACTIVE,\"a b\",\"x,y\",,\"q\"\"uote\","));
    assert!(csv.contains(",\" lead\","));
    assert!(csv.contains(",\"multi\nline\","));
    assert!(csv.contains(",plain,"));
    assert_eq!(read(&csv, false), vec![e]);
}

/// Errors say where: line, record, event number, column.
#[test]
fn errors_name_their_place() {
    let err = read_err(
        "event,occurredAt\nBuA2R2Gr4vt,2020-01-01\nFRM97UKN8te,yesterday\n",
        true,
    );
    assert!(matches!(err.kind(), ErrorKind::InvalidDate { value } if value == "yesterday"));
    assert_eq!(
        err.to_string(),
        "line 3, record 3, event #2, field `occurredAt`: Invalid date format 'yesterday', only \
         'yyyy-MM-dd'T'HH:mm:ss.SSS' format end epoch milliseconds are supported."
    );
    let err = read_err("event,status\nBuA2R2Gr4vt,active\n", true);
    assert!(matches!(err.kind(), ErrorKind::InvalidEnum { value, .. } if value == "active"));
    let err = read_err("event,orgUnit\nBuA2R2Gr4vt,ou,extra\n", true);
    assert!(matches!(
        err.kind(),
        ErrorKind::TooManyFields {
            found: 3,
            expected: 2
        }
    ));
    let err = read_err("event,event\n", true);
    assert!(matches!(err.kind(), ErrorKind::DuplicateColumn { .. }));
    let err = read_err(
        "event,geometry\nBuA2R2Gr4vt,\"POLYGON ((0 0, 1 1))\"\n",
        true,
    );
    assert!(matches!(err.kind(), ErrorKind::InvalidGeometry { .. }));
    let err = read_err("event,latitude\nBuA2R2Gr4vt,north\n", true);
    assert!(matches!(err.kind(), ErrorKind::InvalidNumber { .. }));
    // A trailing empty field is tolerated (Jackson's ALLOW_TRAILING_COMMA).
    assert_eq!(read("event,orgUnit\nBuA2R2Gr4vt,ou,\n", true).len(), 1);
    // Header only, or nothing at all: no events.
    assert!(read("event,orgUnit\n", true).is_empty());
    assert!(read("", true).is_empty());
    assert!(read("", false).is_empty());
}

/// The reader reuses one record: reading a second event into it leaves nothing of the first.
#[test]
fn reused_records_are_reset() {
    let csv = format!("{COMPLETE_EVENT},ACTIVE\n");
    let mut r = EventCsvReader::new(csv.as_bytes(), ReadOptions::default(), false).unwrap();
    let mut e = Event::default();
    assert!(r.read_event(&mut e).unwrap());
    assert_eq!(e.data_values.len(), 1);
    assert!(r.read_event(&mut e).unwrap());
    assert_eq!(e, Event::default());
    assert!(!r.read_event(&mut e).unwrap());
}

/// §9.3: data value rows carry the data value's `storedBy` in `storedBy`, else the event's.
#[test]
fn stored_by_is_overloaded() {
    let e = Event {
        stored_by: "event-user".into(),
        data_values: vec![
            DataValue {
                data_element: "a".into(),
                stored_by: "value-user".into(),
                ..DataValue::default()
            },
            DataValue {
                data_element: "b".into(),
                ..DataValue::default()
            },
        ],
        ..Event::default()
    };
    let csv = write(&[e], no_header());
    let rows: Vec<Vec<&str>> = csv.lines().map(|l| l.split(',').collect()).collect();
    assert_eq!(rows[0][25], "value-user");
    assert_eq!(rows[1][25], "event-user");
    assert_eq!(rows[0][27], "");
}
