//! The export parameters beyond selection (paging, `order`, `updatedWithin`, assigned users,
//! scheduled and enrollment dates, id schemes), event programs' hidden enrollment (S-E8 in
//! the v41 shape), and which store reads an import and an export make.
// Test code: a failed expectation should stop the test loudly.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::HashMap;

use dxf2_metadata::catalogue::MemoryCatalogue;
use dxf2_model::Uid;
use dxf2_store::MemoryStore;
use dxf2_tracker::export::{
    export, parse_order, write_export, AssignedUserMode, ExportError, ExportFormat, ExportQuery,
    Paging,
};
use dxf2_tracker::import::{import, ImportParams, Status, TrackerIdScheme};
use dxf2_tracker::{
    JsonReader, Payload, ReadOptions, Timestamp, TrackerObject, TrackerStore, TrackerStoreError,
    TrackerType, WriteOptions,
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
    // A user to assign events to (a superuser: no capture scope is checked).
    let user = serde_json::json!({"id": "M5zQapPyTZI", "username": "tracker",
        "userRoles": [{"id": "yrB6vc5Ip3r", "authorities": ["ALL"]}]});
    cat.insert("users", user.as_object().unwrap().clone());
    cat
}

fn payload(json: &str) -> Payload {
    JsonReader::new(ReadOptions::default())
        .read_payload_slice(json.as_bytes())
        .unwrap()
        .0
}

fn at(text: &str) -> Timestamp {
    Timestamp::parse(text, &Default::default()).unwrap()
}

fn params(now: &str) -> ImportParams {
    let mut p = ImportParams::default();
    p.now = Some(at(now));
    p
}

fn run<S: TrackerStore + ?Sized>(store: &mut S, cat: &MemoryCatalogue, json: &str, now: &str) {
    let out = import(store, cat, payload(json), &params(now)).unwrap();
    assert_eq!(out.report.status, Status::Ok, "{}", out.report.to_json());
    assert!(out.report.errors.is_empty(), "{}", out.report.to_json());
}

const S_E8: &str = include_str!("fixtures/s_e8_events_v41.json");

/// A tracker program's tracked entity with one enrollment and two events, one assigned.
const TRACKER: &str = r#"{"trackedEntities": [
  {"trackedEntity": "Kj6vYde4LHh", "trackedEntityType": "Q9GufDoplCL", "orgUnit": "O6uvpzGd5pu",
   "enrollments": [{"enrollment": "MNWZ6hnuhSw", "program": "f1AyMswryyQ", "orgUnit": "O6uvpzGd5pu",
     "enrolledAt": "2019-08-19", "occurredAt": "2019-08-10",
     "events": [
       {"event": "ZwwuwNp6gVd", "programStage": "nlXNK4b7LVr", "orgUnit": "O6uvpzGd5pu",
        "occurredAt": "2019-08-20", "scheduledAt": "2019-08-25",
        "assignedUser": {"uid": "M5zQapPyTZI", "username": "tracker"},
        "dataValues": [{"dataElement": "BuZ5LGNfGEU", "value": "5"}]},
       {"event": "Qb3Xz8mJp2L", "programStage": "PaOOjwLVW23", "orgUnit": "O6uvpzGd5pu",
        "occurredAt": "2019-09-20", "scheduledAt": "2019-09-25"}]}]}]}"#;

fn loaded() -> (MemoryStore, MemoryCatalogue) {
    let cat = metadata();
    let mut store = MemoryStore::new();
    run(&mut store, &cat, S_E8, "2024-06-01T12:00:00.000");
    run(&mut store, &cat, TRACKER, "2024-06-02T12:00:00.000");
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
) -> Result<Vec<String>, ExportError> {
    let mut q = ExportQuery::new(TrackerType::Event);
    f(&mut q);
    Ok(uids(&export(store, cat, &q)?.objects))
}

fn message(e: ExportError) -> String {
    match e {
        ExportError::BadRequest(m) => m,
        other => panic!("not a 400: {other:?}"),
    }
}

#[test]
fn paging_as_dhis2_pages() {
    let (mut store, cat) = loaded();
    let q = ExportQuery::new(TrackerType::Event);
    let all = export(&mut store, &cat, &q).unwrap();
    assert_eq!(all.len(), 6);
    let pager = all.pager.unwrap();
    assert_eq!((pager.page, pager.page_size, pager.total), (1, 50, None));

    let mut q = ExportQuery::new(TrackerType::Event);
    q.paging = Paging {
        page: Some(2),
        page_size: Some(4),
        total_pages: true,
        ..Paging::default()
    };
    let mut page = export(&mut store, &cat, &q).unwrap();
    assert_eq!(page.len(), 2);
    let json = write_export(
        Vec::new(),
        TrackerType::Event,
        &mut page.objects,
        false,
        page.pager.as_ref(),
        ExportFormat::Json,
        WriteOptions::default(),
    )
    .unwrap();
    let json = String::from_utf8(json).unwrap();
    assert!(
        json.starts_with(r#"{"pager":{"page":2,"pageSize":4,"total":6,"pageCount":2},"events":[{"#),
        "{json}"
    );
    // Past the last page: an empty list, the pager still there.
    q.paging.page = Some(9);
    let past = export(&mut store, &cat, &q).unwrap();
    assert!(past.is_empty());
    assert_eq!(past.pager.unwrap().page, 9);

    // paging=false: every object, no pager; with page/pageSize/totalPages, DHIS2's 400.
    let mut q = ExportQuery::new(TrackerType::Event);
    q.paging = Paging::unpaged();
    let all = export(&mut store, &cat, &q).unwrap();
    assert_eq!((all.len(), all.pager), (6, None));
    q.paging.total_pages = true;
    assert_eq!(
        message(export(&mut store, &cat, &q).unwrap_err()),
        "Paging cannot be disabled with paging=false while also requesting a paginated \
         response with page, pageSize and/or totalPages=true"
    );
    let mut q = ExportQuery::new(TrackerType::Event);
    q.paging.page = Some(0);
    assert_eq!(
        message(export(&mut store, &cat, &q).unwrap_err()),
        "page must be greater than or equal to 1 if specified"
    );
    // A single object has no pager.
    let mut q = ExportQuery::new(TrackerType::Event);
    q.uids = vec![Uid::parse("ZwwuwNp6gVd").unwrap()];
    assert_eq!(export(&mut store, &cat, &q).unwrap().pager, None);
}

#[test]
fn order_fields_and_default_order() {
    let (mut store, cat) = loaded();
    // Default: newest first (the second import's events, then the first's); objects of one
    // import in UID order, descending.
    let newest = events(&mut store, &cat, |_| {}).unwrap();
    assert_eq!(
        newest,
        [
            "ZwwuwNp6gVd",
            "Qb3Xz8mJp2L",
            "uairHTqZ5ye",
            "pHhZHG4go5k",
            "lwBnlOXhd9P",
            "XVPPQHHIE1q"
        ]
    );
    let by = |spec: &'static str| move |q: &mut ExportQuery| q.order = parse_order(spec);
    assert_eq!(
        events(&mut store, &cat, by("occurredAt:asc")).unwrap(),
        [
            "uairHTqZ5ye",
            "lwBnlOXhd9P",
            "XVPPQHHIE1q",
            "pHhZHG4go5k",
            "ZwwuwNp6gVd",
            "Qb3Xz8mJp2L"
        ]
    );
    assert_eq!(
        events(&mut store, &cat, by("occurredAt:desc")).unwrap()[0],
        "Qb3Xz8mJp2L"
    );
    // By a data element's value, as a number; no value sorts last ascending.
    assert_eq!(
        events(&mut store, &cat, by("BuZ5LGNfGEU")).unwrap(),
        [
            "ZwwuwNp6gVd",
            "lwBnlOXhd9P",
            "XVPPQHHIE1q",
            "pHhZHG4go5k",
            "uairHTqZ5ye",
            "Qb3Xz8mJp2L"
        ]
    );
    // Several fields (texts compare by their bytes: `f1AyMswryyQ` after `Zd2rkv8FsWq`).
    assert_eq!(
        events(&mut store, &cat, by("program:desc,occurredAt")).unwrap()[..3],
        ["ZwwuwNp6gVd", "Qb3Xz8mJp2L", "uairHTqZ5ye"]
    );
    let bad = events(&mut store, &cat, by("eventDate")).unwrap_err();
    assert!(message(bad).starts_with(
        "order parameter is invalid. Cannot order by 'eventDate'. Supported are data element \
         and attribute UIDs and fields 'assignedUser, assignedUserDisplayName, \
         attributeOptionCombo, completedAt,"
    ));
    let bad = events(&mut store, &cat, by("occurredAt,occurredAt:desc")).unwrap_err();
    assert!(message(bad).starts_with("order parameter is invalid. 'occurredAt' are repeated."));
    // Enrollments order by their own fields only.
    let mut q = ExportQuery::new(TrackerType::Enrollment);
    q.order = parse_order("BuZ5LGNfGEU");
    assert!(
        message(export(&mut store, &cat, &q).unwrap_err()).starts_with(
            "order parameter is invalid. Cannot order by 'BuZ5LGNfGEU'. Supported fields are \
         'completedAt, createdAt,"
        )
    );
}

#[test]
fn dates_durations_and_assigned_users() {
    let (mut store, cat) = loaded();
    // updatedWithin counts back from now: only the second import (a day after the first).
    let within = |d: &'static str| {
        move |q: &mut ExportQuery| {
            q.now = Some(at("2024-06-02T13:00:00.000"));
            q.updated_within = Some(d.into());
        }
    };
    let mut recent = events(&mut store, &cat, within("2h")).unwrap();
    recent.sort();
    assert_eq!(recent, ["Qb3Xz8mJp2L", "ZwwuwNp6gVd"]);
    assert_eq!(events(&mut store, &cat, within("2d")).unwrap().len(), 6);
    assert_eq!(events(&mut store, &cat, within("30m")).unwrap().len(), 0);
    assert_eq!(
        message(events(&mut store, &cat, within("P1D")).unwrap_err()),
        "Duration is not valid: P1D"
    );
    let both = |q: &mut ExportQuery| {
        q.updated_within = Some("1d".into());
        q.updated_after = Some(at("2024-01-01"));
    };
    assert_eq!(
        message(events(&mut store, &cat, both).unwrap_err()),
        "Last updated from and/or to and last updated duration cannot be specified \
         simultaneously"
    );
    // updatedBefore.
    let before = |q: &mut ExportQuery| q.updated_before = Some(at("2024-06-01T23:00:00.000"));
    assert_eq!(events(&mut store, &cat, before).unwrap().len(), 4);

    // Scheduled dates.
    let scheduled = |q: &mut ExportQuery| {
        q.scheduled_after = Some(at("2019-08-01"));
        q.scheduled_before = Some(at("2019-08-31T23:59:59.999"));
    };
    assert_eq!(
        events(&mut store, &cat, scheduled).unwrap(),
        ["ZwwuwNp6gVd"]
    );
    // Enrollment dates: the tracker program's enrollment (enrolled 2019-08-19, occurred
    // 2019-08-10); event programs' hidden enrollment is dated by the import.
    let enrolled = |q: &mut ExportQuery| {
        q.enrolled_after = Some(at("2019-08-01"));
        q.enrolled_before = Some(at("2019-08-31"));
    };
    let mut found = events(&mut store, &cat, enrolled).unwrap();
    found.sort();
    assert_eq!(found, ["Qb3Xz8mJp2L", "ZwwuwNp6gVd"]);
    let occurred = |q: &mut ExportQuery| q.enrollment_occurred_before = Some(at("2019-08-09"));
    assert!(events(&mut store, &cat, occurred).unwrap().is_empty());

    // Assigned users.
    let mode = |m: Option<AssignedUserMode>, users: &'static [&'static str]| {
        move |q: &mut ExportQuery| {
            q.assigned_user_mode = m;
            q.assigned_users = users.iter().map(|u| (*u).to_owned()).collect();
            q.user = Some("tracker".into());
        }
    };
    assert_eq!(
        events(&mut store, &cat, mode(None, &["M5zQapPyTZI"])).unwrap(),
        ["ZwwuwNp6gVd"]
    );
    assert_eq!(
        events(&mut store, &cat, mode(Some(AssignedUserMode::Current), &[])).unwrap(),
        ["ZwwuwNp6gVd"]
    );
    assert_eq!(
        events(&mut store, &cat, mode(Some(AssignedUserMode::Any), &[])).unwrap(),
        ["ZwwuwNp6gVd"]
    );
    assert_eq!(
        events(&mut store, &cat, mode(Some(AssignedUserMode::None), &[]))
            .unwrap()
            .len(),
        5
    );
    assert_eq!(
        message(
            events(
                &mut store,
                &cat,
                mode(Some(AssignedUserMode::Provided), &[])
            )
            .unwrap_err()
        ),
        "Assigned User uid(s) must be specified if selectionMode is PROVIDED"
    );
    assert_eq!(
        message(
            events(
                &mut store,
                &cat,
                mode(Some(AssignedUserMode::All), &["M5zQapPyTZI"])
            )
            .unwrap_err()
        ),
        "Assigned User uid(s) cannot be specified if selectionMode is not PROVIDED"
    );
    // Tracked entities: assigned through one of their events; enrollment dates need a program.
    let mut q = ExportQuery::new(TrackerType::TrackedEntity);
    q.tracked_entity_type = Some("Q9GufDoplCL".into());
    q.assigned_user_mode = Some(AssignedUserMode::Any);
    assert_eq!(
        uids(&export(&mut store, &cat, &q).unwrap().objects),
        ["Kj6vYde4LHh"]
    );
    q.enrolled_after = Some(at("2019-01-01"));
    assert_eq!(
        message(export(&mut store, &cat, &q).unwrap_err()),
        "Program must be defined when program enrollment start date is specified"
    );
    q.tracked_entity_type = None;
    q.program = Some("f1AyMswryyQ".into());
    assert_eq!(export(&mut store, &cat, &q).unwrap().len(), 1);
    q.enrolled_after = Some(at("2019-09-01"));
    assert_eq!(export(&mut store, &cat, &q).unwrap().len(), 0);
    // Enrollments: enrolledAfter/enrolledBefore.
    let mut q = ExportQuery::new(TrackerType::Enrollment);
    q.enrolled_before = Some(at("2019-08-18"));
    assert!(export(&mut store, &cat, &q).unwrap().is_empty());
    q.enrolled_before = Some(at("2019-08-19"));
    assert_eq!(export(&mut store, &cat, &q).unwrap().len(), 1);
}

/// S-E8 (`EventsTests.shouldImportEvents`) with the corpus-era events written in the v41
/// shape the e2e test imports: 4 events created, no errors, each exported again as sent; all
/// linked to the event program's hidden enrollment, which no export shows.
#[test]
fn event_program_events_share_a_hidden_enrollment() {
    let cat = metadata();
    let mut store = MemoryStore::new();
    let sent = payload(S_E8);
    let out = import(
        &mut store,
        &cat,
        sent.clone(),
        &params("2024-06-01T12:00:00.000"),
    )
    .unwrap();
    let report = &out.report;
    assert_eq!(report.status, Status::Ok);
    assert!(report.errors.is_empty());
    assert_eq!(report.stats.created, 4);
    assert_eq!(report.stats.total(), 4);
    let ev_report = report.type_report(TrackerType::Event).unwrap();
    assert_eq!(ev_report.stats.created, 4);
    assert_eq!(
        report
            .type_report(TrackerType::Enrollment)
            .unwrap()
            .stats
            .created,
        0
    );

    let hidden = store
        .event_program_enrollment("Zd2rkv8FsWq")
        .unwrap()
        .unwrap();
    let Some(TrackerObject::Enrollment(en)) = store
        .tracker_object(TrackerType::Enrollment, &hidden)
        .unwrap()
    else {
        panic!("no hidden enrollment");
    };
    assert_eq!(en.program, "Zd2rkv8FsWq");
    assert_eq!(en.tracked_entity, None);
    assert_eq!(en.org_unit, "");
    assert_eq!(en.stored_by, "system-process");
    assert_eq!(en.enrolled_at, Some(at("2024-06-01T12:00:00.000")));

    for ev in &sent.events {
        let mut q = ExportQuery::new(TrackerType::Event);
        q.uids = vec![ev.event.unwrap()];
        let found = export(&mut store, &cat, &q).unwrap().objects;
        let [TrackerObject::Event(got)] = found.as_slice() else {
            panic!("{:?} not exported", ev.event);
        };
        assert_eq!(got.enrollment, Some(hidden));
        assert_eq!(got.tracked_entity, None);
        assert_eq!(
            (&got.program, &got.program_stage, &got.org_unit),
            (&ev.program, &ev.program_stage, &ev.org_unit)
        );
        assert_eq!(
            (got.occurred_at, got.scheduled_at),
            (ev.occurred_at, ev.scheduled_at)
        );
        assert_eq!(got.attribute_option_combo, ev.attribute_option_combo);
        let values = |e: &dxf2_tracker::Event| {
            let mut v: Vec<(String, String)> = e
                .data_values
                .iter()
                .map(|d| (d.data_element.clone(), d.value.clone()))
                .collect();
            v.sort();
            v
        };
        assert_eq!(values(got), values(ev));
        assert_eq!(got.notes.len(), ev.notes.len());
    }

    // A later import of the program's events reuses the hidden enrollment.
    let more = r#"{"events": [{"event": "Xq7Tp3LmN2a", "program": "Zd2rkv8FsWq",
        "orgUnit": "O6uvpzGd5pu", "occurredAt": "2019-04-01"}]}"#;
    run(&mut store, &cat, more, "2024-06-03T12:00:00.000");
    let mut q = ExportQuery::new(TrackerType::Event);
    q.uids = vec![Uid::parse("Xq7Tp3LmN2a").unwrap()];
    let found = export(&mut store, &cat, &q).unwrap().objects;
    let [TrackerObject::Event(got)] = found.as_slice() else {
        panic!("not exported");
    };
    assert_eq!(got.enrollment, Some(hidden));
    assert_eq!(got.program_stage, "jKLB23QZS4I");
    let mut count = 0;
    store
        .tracker_objects(TrackerType::Enrollment, &mut |_| {
            count += 1;
            Ok(())
        })
        .unwrap();
    assert_eq!(count, 1);

    // Hidden: neither the enrollments export nor its single-object form shows it.
    let mut q = ExportQuery::new(TrackerType::Enrollment);
    q.program = Some("Zd2rkv8FsWq".into());
    assert!(export(&mut store, &cat, &q).unwrap().is_empty());
    q.program = None;
    q.uids = vec![hidden];
    assert!(matches!(
        export(&mut store, &cat, &q),
        Err(ExportError::NotFound(_))
    ));
}

#[test]
fn id_schemes_on_export() {
    let (mut store, cat) = loaded();
    let mut q = ExportQuery::new(TrackerType::Event);
    q.uids = vec![Uid::parse("uairHTqZ5ye").unwrap()];
    q.id_schemes.org_unit = Some(TrackerIdScheme::Code);
    q.id_schemes.program = Some(TrackerIdScheme::Name);
    q.id_schemes.data_element = Some(TrackerIdScheme::Code);
    let found = export(&mut store, &cat, &q).unwrap().objects;
    let [TrackerObject::Event(ev)] = found.as_slice() else {
        panic!()
    };
    assert_eq!(ev.org_unit, "OU_264");
    assert_eq!(ev.program, "TA Event_program");
    // Without its own scheme, the stage follows idScheme (UID).
    assert_eq!(ev.program_stage, "jKLB23QZS4I");
    assert!(ev
        .data_values
        .iter()
        .any(|d| d.data_element == "TA_NUMBER_DE" && d.value == "33"));
    // idScheme=CODE: every reference of the event, the default combo and option as `default`.
    let mut q = ExportQuery::new(TrackerType::Event);
    q.uids = vec![Uid::parse("uairHTqZ5ye").unwrap()];
    q.id_schemes.id_scheme = TrackerIdScheme::Code;
    let found = export(&mut store, &cat, &q).unwrap().objects;
    let [TrackerObject::Event(ev)] = found.as_slice() else {
        panic!()
    };
    assert_eq!(
        (
            ev.org_unit.as_str(),
            ev.program.as_str(),
            ev.program_stage.as_str(),
            ev.attribute_option_combo.as_str(),
            ev.attribute_category_options.as_str()
        ),
        (
            "OU_264",
            "TA EVENT_PROGRAM",
            "TA_EVENT_PROGRAM_STAGE",
            "default",
            "default"
        )
    );
    // Enrollments keep UIDs.
    let mut q = ExportQuery::new(TrackerType::Enrollment);
    q.id_schemes.id_scheme = TrackerIdScheme::Code;
    let found = export(&mut store, &cat, &q).unwrap().objects;
    let [TrackerObject::Enrollment(en)] = found.as_slice() else {
        panic!()
    };
    assert_eq!(
        (en.program.as_str(), en.org_unit.as_str()),
        ("f1AyMswryyQ", "O6uvpzGd5pu")
    );
    // Metadata without a code fails the request (DHIS2's 422): TA Sex has none.
    run(
        &mut store,
        &cat,
        r#"{"trackedEntities": [{"trackedEntity": "Kj6vYde4LHh", "trackedEntityType": "Q9GufDoplCL",
            "orgUnit": "O6uvpzGd5pu", "attributes": [{"attribute": "aIga5mPOFOJ", "value": "TA_MALE"}]}]}"#,
        "2024-06-04T12:00:00.000",
    );
    let mut q = ExportQuery::new(TrackerType::TrackedEntity);
    q.tracked_entity_type = Some("Q9GufDoplCL".into());
    q.id_schemes.id_scheme = TrackerIdScheme::Code;
    match export(&mut store, &cat, &q) {
        Err(ExportError::Unprocessable { message, details }) => {
            assert!(message
                .starts_with("Not all metadata has an identifier for the requested idScheme."));
            assert_eq!(details, "TrackedEntityAttribute[CODE]=aIga5mPOFOJ");
        }
        other => panic!("{other:?}"),
    }
    q.id_schemes.id_scheme = TrackerIdScheme::Name;
    let found = export(&mut store, &cat, &q).unwrap().objects;
    let [TrackerObject::TrackedEntity(te)] = found.as_slice() else {
        panic!()
    };
    assert_eq!(
        (te.tracked_entity_type.as_str(), te.org_unit.as_str()),
        ("TA Person", "Bo")
    );
    assert_eq!(te.attributes[0].attribute, "TA Sex");
}

/// A store that counts its reads: keyed ones, and whole kinds.
struct Counting {
    inner: MemoryStore,
    keyed: usize,
    whole: HashMap<TrackerType, usize>,
}

impl TrackerStore for Counting {
    fn tracker_object(
        &mut self,
        kind: TrackerType,
        uid: &Uid,
    ) -> Result<Option<TrackerObject>, TrackerStoreError> {
        self.keyed += 1;
        self.inner.tracker_object(kind, uid)
    }
    fn put_tracker_object(&mut self, object: &TrackerObject) -> Result<(), TrackerStoreError> {
        self.inner.put_tracker_object(object)
    }
    fn tracker_objects(
        &mut self,
        kind: TrackerType,
        each: &mut dyn FnMut(TrackerObject) -> Result<(), TrackerStoreError>,
    ) -> Result<(), TrackerStoreError> {
        *self.whole.entry(kind).or_default() += 1;
        self.inner.tracker_objects(kind, each)
    }
    fn event_program_enrollment(
        &mut self,
        program: &str,
    ) -> Result<Option<Uid>, TrackerStoreError> {
        self.inner.event_program_enrollment(program)
    }
    fn put_event_program_enrollment(
        &mut self,
        program: &str,
        enrollment: &Uid,
    ) -> Result<(), TrackerStoreError> {
        self.inner.put_event_program_enrollment(program, enrollment)
    }
    fn begin_tracker(&mut self) -> Result<(), TrackerStoreError> {
        self.inner.begin_tracker()
    }
    fn commit_tracker(&mut self) -> Result<(), TrackerStoreError> {
        self.inner.commit_tracker()
    }
    fn rollback_tracker(&mut self) -> Result<(), TrackerStoreError> {
        self.inner.rollback_tracker()
    }
}

#[test]
fn lookups_by_uid_are_keyed_reads() {
    let (inner, cat) = loaded();
    let mut store = Counting {
        inner,
        keyed: 0,
        whole: HashMap::new(),
    };
    // Events of an event program, updated: each read by key, no kind read whole.
    run(&mut store, &cat, S_E8, "2024-06-05T12:00:00.000");
    assert!(store.whole.is_empty(), "{:?}", store.whole);
    assert!(store.keyed >= 4);

    // Single events and lists of UIDs: keyed reads only (the default fields show no
    // relationships).
    store.keyed = 0;
    let mut q = ExportQuery::new(TrackerType::Event);
    q.uids = vec![
        Uid::parse("ZwwuwNp6gVd").unwrap(),
        Uid::parse("uairHTqZ5ye").unwrap(),
    ];
    q.with_relationships = false;
    assert_eq!(export(&mut store, &cat, &q).unwrap().len(), 2);
    assert!(store.whole.is_empty(), "{:?}", store.whole);
    // The two events, and the enrollment of each for its followUp and tracked entity.
    assert_eq!(store.keyed, 4);

    // A collection reads its own kind whole, nothing else.
    let mut q = ExportQuery::new(TrackerType::Event);
    q.program = Some("Zd2rkv8FsWq".into());
    q.with_relationships = false;
    assert_eq!(export(&mut store, &cat, &q).unwrap().len(), 4);
    assert_eq!(store.whole.get(&TrackerType::Event), Some(&1));
    assert_eq!(store.whole.len(), 1);

    // A tracked entity with its enrollments (fields asking for them) reads enrollments whole.
    let mut q = ExportQuery::new(TrackerType::TrackedEntity);
    q.uids = vec![Uid::parse("Kj6vYde4LHh").unwrap()];
    q.with_relationships = false;
    let found = export(&mut store, &cat, &q).unwrap().objects;
    let [TrackerObject::TrackedEntity(te)] = found.as_slice() else {
        panic!()
    };
    assert_eq!(te.enrollments.len(), 1);
    assert_eq!(te.enrollments[0].events.len(), 2);
    assert_eq!(store.whole.get(&TrackerType::TrackedEntity), None);
    assert_eq!(store.whole.get(&TrackerType::Enrollment), Some(&1));
}
