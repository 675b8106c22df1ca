//! `dxf2 tracker import|export` end to end: a store made by `dxf2 metadata import` from the
//! e2e metadata fixture of dxf2-tracker, the corpus payload imported, DHIS2's report, exit
//! codes, and the export documents.

// Test code: a failed expectation should stop the test loudly.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::path::Path;

use common::{dxf2, err, exits, out, tmp};

const METADATA: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../dxf2-tracker/tests/fixtures/tracker_metadata.json"
);
const EVENTS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../dxf2-tracker/tests/fixtures/events.json"
);
const BAD_TYPE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../dxf2-tracker/tests/fixtures/tracked_entities_and_relationship.json"
);

fn store(dir: &Path) -> String {
    let db = dir.join("store.sqlite");
    let o = dxf2(&[
        "metadata",
        "import",
        METADATA,
        "--store",
        db.to_str().unwrap(),
    ]);
    exits(&o, 0, &[]);
    db.to_str().unwrap().to_owned()
}

fn write(dir: &Path, file: &str, text: &str) -> String {
    let path = dir.join(file);
    std::fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_owned()
}

#[test]
fn import_reports_and_exports_events() {
    let dir = tmp("tracker-import");
    let db = store(&dir);
    let o = dxf2(&[
        "tracker",
        "import",
        EVENTS,
        "--store",
        &db,
        "--summary",
        "json",
    ]);
    exits(&o, 0, &[]);
    let report: serde_json::Value = serde_json::from_str(&out(&o)).unwrap();
    assert_eq!(report["status"], "OK");
    assert_eq!(report["stats"]["created"], 2);
    assert_eq!(
        report["bundleReport"]["typeReportMap"]["EVENT"]["objectReports"][0]["uid"],
        "uairHTqZ5ye"
    );
    // Exported as DHIS2 does: JSON by default, CSV with its header.
    let o = dxf2(&[
        "tracker",
        "export",
        "--store",
        &db,
        "--events",
        "--program",
        "Zd2rkv8FsWq",
    ]);
    exits(&o, 0, &[]);
    let doc: serde_json::Value = serde_json::from_str(&out(&o)).unwrap();
    assert_eq!(doc["events"].as_array().unwrap().len(), 2);
    let csv = dir.join("events.csv");
    let o = dxf2(&[
        "tracker",
        "export",
        "--store",
        &db,
        "--events",
        "--org-unit",
        "ImspTQPwCqd",
        "--org-unit-mode",
        "DESCENDANTS",
        "-o",
        csv.to_str().unwrap(),
    ]);
    exits(&o, 0, &[]);
    let text = std::fs::read_to_string(&csv).unwrap();
    assert!(text.starts_with("event,status,program,programStage,enrollment,orgUnit,occurredAt,"));
    // The event program's events name its hidden enrollment, as DHIS2 2.42 writes them.
    let row = text
        .lines()
        .find(|l| l.starts_with("uairHTqZ5ye,"))
        .unwrap();
    let cells: Vec<&str> = row.split(',').collect();
    assert_eq!(
        (cells[1], cells[2], cells[3], cells[5], cells[6]),
        (
            "ACTIVE",
            "Zd2rkv8FsWq",
            "jKLB23QZS4I",
            "O6uvpzGd5pu",
            "2018-11-01T00:00:00Z"
        )
    );
    assert_eq!(cells[4].len(), 11);
    // A single event by UID: the bare object; a missing one: exit 1, DHIS2's message.
    let o = dxf2(&[
        "tracker",
        "export",
        "--store",
        &db,
        "--events",
        "uairHTqZ5ye",
    ]);
    exits(&o, 0, &[]);
    assert!(out(&o).starts_with(r#"{"event":"uairHTqZ5ye""#));
    let o = dxf2(&[
        "tracker",
        "export",
        "--store",
        &db,
        "--events",
        "Nav6inZRw1u",
    ]);
    exits(&o, 1, &["Event with id Nav6inZRw1u could not be found."]);
    assert!(out(&o).is_empty());
    // DHIS2's parameter rules.
    let o = dxf2(&[
        "tracker",
        "export",
        "--store",
        &db,
        "--events",
        "--org-unit",
        "O6uvpzGd5pu",
        "--org-unit-mode",
        "ALL",
    ]);
    exits(&o, 2, &["orgUnitMode ALL cannot be used with orgUnits."]);
    // Deleted with DELETE: gone from the export unless asked for.
    let delete = write(
        &dir,
        "delete.json",
        r#"{"events":[{"event":"uairHTqZ5ye"}]}"#,
    );
    let o = dxf2(&[
        "tracker",
        "import",
        &delete,
        "--store",
        &db,
        "--strategy",
        "delete",
    ]);
    exits(&o, 0, &[]);
    assert!(out(&o).contains("status OK"));
    let o = dxf2(&[
        "tracker",
        "export",
        "--store",
        &db,
        "--events",
        "--include-deleted",
    ]);
    let doc: serde_json::Value = serde_json::from_str(&out(&o)).unwrap();
    assert_eq!(doc["events"].as_array().unwrap().len(), 2);
    let o = dxf2(&["tracker", "export", "--store", &db, "--events"]);
    let doc: serde_json::Value = serde_json::from_str(&out(&o)).unwrap();
    assert_eq!(doc["events"].as_array().unwrap().len(), 1);
}

#[test]
fn errors_exit_1_and_bad_input_exits_2() {
    let dir = tmp("tracker-errors");
    let db = store(&dir);
    let o = dxf2(&[
        "tracker",
        "import",
        BAD_TYPE,
        "--store",
        &db,
        "--summary",
        "json",
    ]);
    exits(&o, 1, &[]);
    let report: serde_json::Value = serde_json::from_str(&out(&o)).unwrap();
    assert_eq!(report["status"], "ERROR");
    assert_eq!(report["stats"]["ignored"], 3);
    assert!(report.get("bundleReport").is_none());
    // OBJECT keeps the valid tracked entity: status OK.
    let o = dxf2(&[
        "tracker",
        "import",
        BAD_TYPE,
        "--store",
        &db,
        "--atomic-mode",
        "OBJECT",
        "--summary",
        "json",
    ]);
    exits(&o, 0, &[]);
    let report: serde_json::Value = serde_json::from_str(&out(&o)).unwrap();
    assert_eq!(report["stats"]["created"], 1);
    // VALIDATE of `{}`: DHIS2's empty report, exactly.
    let empty = write(&dir, "empty.json", "{}");
    let o = dxf2(&[
        "tracker",
        "import",
        &empty,
        "--store",
        &db,
        "--import-mode",
        "VALIDATE",
        "--summary",
        "json",
    ]);
    exits(&o, 0, &[]);
    assert_eq!(
        out(&o).trim_end(),
        r#"{"status":"OK","validationReport":{"errorReports":[],"warningReports":[]},"stats":{"created":0,"updated":0,"deleted":0,"ignored":0,"total":0},"bundleReport":{"typeReportMap":{}}}"#
    );
    // A bad UID: DHIS2's 400.
    let bad = write(
        &dir,
        "bad.json",
        r#"{"trackedEntities":[{"trackedEntity":"invalid_uid"}]}"#,
    );
    let o = dxf2(&["tracker", "import", &bad, "--store", &db]);
    exits(&o, 2, &["UID must be an alphanumeric string of 11 characters starting with a letter, but was: invalid_uid"]);
    // A bad parameter value: DHIS2's message.
    let o = dxf2(&[
        "tracker",
        "import",
        &empty,
        "--store",
        &db,
        "--atomic-mode",
        "INVALID",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(err(&o).contains(
        "Value 'INVALID' is not valid for parameter atomicMode. Valid values are: [ALL, OBJECT]"
    ));
    // Events CSV with a header naming a subset of the columns (S-E9).
    let csv = write(
        &dir,
        "event.csv",
        "event,orgUnit,program,programStage,occurredAt\nFRM97UKN8te,g8upMTyEZGZ,Zd2rkv8FsWq,jKLB23QZS4I,2018-11-01T00:00:00.000\n",
    );
    let o = dxf2(&["tracker", "import", &csv, "--store", &db]);
    exits(&o, 0, &[]);
    assert!(out(&o).contains("status OK"), "{}", out(&o));
}

fn export(db: &str, args: &[&str]) -> std::process::Output {
    let mut all = vec!["tracker", "export", "--store", db];
    all.extend_from_slice(args);
    dxf2(&all)
}

fn json(o: &std::process::Output) -> serde_json::Value {
    serde_json::from_str(&out(o)).unwrap()
}

fn event_uids(doc: &serde_json::Value) -> Vec<String> {
    doc["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["event"].as_str().unwrap().to_owned())
        .collect()
}

/// Paging (`--page`, `--page-size`, `--total-pages`, `--paging`), `--order`, the date and
/// duration filters, assigned users and id schemes, with DHIS2's messages (exit 2).
#[test]
fn export_paging_order_filters_and_id_schemes() {
    let dir = tmp("tracker-export-queries");
    let db = store(&dir);
    let o = dxf2(&["tracker", "import", EVENTS, "--store", &db]);
    exits(&o, 0, &[]);
    let assigned = write(
        &dir,
        "assigned.json",
        r#"{"events": [{"event": "Xq7Tp3LmN2a", "program": "Zd2rkv8FsWq",
            "orgUnit": "DiszpKrYNg8", "occurredAt": "2019-04-01", "scheduledAt": "2019-04-05",
            "assignedUser": {"uid": "M5zQapPyTZI", "username": "tracker"}}]}"#,
    );
    // The user is unknown to the metadata: DHIS2's E1118 (no user, no assignment here).
    let o = dxf2(&[
        "tracker",
        "import",
        &assigned,
        "--store",
        &db,
        "--summary",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(out(&o).contains("E1118"));

    // Default: every object, no pager (what the Import/Export app asks for).
    let all = json(&export(&db, &["--events", "--program", "Zd2rkv8FsWq"]));
    assert!(all.get("pager").is_none());
    assert_eq!(event_uids(&all).len(), 2);
    // --page-size alone: DHIS2's paged document.
    let o = export(
        &db,
        &[
            "--events",
            "--program",
            "Zd2rkv8FsWq",
            "--page-size",
            "1",
            "--total-pages",
        ],
    );
    exits(&o, 0, &[]);
    assert!(out(&o)
        .starts_with(r#"{"pager":{"page":1,"pageSize":1,"total":2,"pageCount":2},"events":[{"#));
    let o = export(&db, &["--events", "--paging", "true"]);
    assert!(out(&o).starts_with(r#"{"pager":{"page":1,"pageSize":50},"events":["#));
    let o = export(&db, &["--events", "--page", "2", "--page-size", "1"]);
    let second = json(&o);
    assert_eq!(second["pager"]["page"], 2);
    assert_eq!(event_uids(&second).len(), 1);
    let o = export(&db, &["--events", "--paging", "false", "--page", "2"]);
    exits(
        &o,
        2,
        &[
            "Paging cannot be disabled with paging=false while also requesting a paginated \
           response with page, pageSize and/or totalPages=true",
        ],
    );
    let o = export(&db, &["--events", "--page", "0"]);
    exits(
        &o,
        2,
        &["page must be greater than or equal to 1 if specified"],
    );

    // --order.
    let asc = json(&export(&db, &["--events", "--order", "occurredAt:asc"]));
    assert_eq!(event_uids(&asc), ["uairHTqZ5ye", "lwBnlOXhd9P"]);
    let desc = json(&export(&db, &["--events", "--order", "occurredAt:desc"]));
    assert_eq!(event_uids(&desc), ["lwBnlOXhd9P", "uairHTqZ5ye"]);
    let o = export(&db, &["--events", "--order", "eventDate"]);
    exits(
        &o,
        2,
        &["order parameter is invalid. Cannot order by 'eventDate'."],
    );

    // Dates and durations.
    let o = export(&db, &["--events", "--updated-within", "1d"]);
    exits(&o, 0, &[]);
    assert_eq!(event_uids(&json(&o)).len(), 2);
    let o = export(&db, &["--events", "--updated-within", "P1D"]);
    exits(&o, 2, &["Duration is not valid: P1D"]);
    let o = export(
        &db,
        &[
            "--events",
            "--updated-within",
            "1d",
            "--updated-after",
            "2020-01-01",
        ],
    );
    exits(
        &o,
        2,
        &["Last updated from and/or to and last updated duration cannot be specified"],
    );
    let o = export(&db, &["--events", "--updated-before", "2000-01-01"]);
    assert!(event_uids(&json(&o)).is_empty());
    let o = export(
        &db,
        &[
            "--events",
            "--scheduled-after",
            "2019-03-04T15:13:20",
            "--scheduled-before",
            "2019-03-05",
        ],
    );
    assert_eq!(event_uids(&json(&o)), ["uairHTqZ5ye"]);
    let o = export(&db, &["--events", "--enrolled-after", "2000-01-01"]);
    assert_eq!(event_uids(&json(&o)).len(), 2);
    let o = export(
        &db,
        &["--events", "--enrollment-occurred-before", "2000-01-01"],
    );
    assert!(event_uids(&json(&o)).is_empty());
    let o = export(
        &db,
        &[
            "--tracked-entities",
            "--tracked-entity-type",
            "Q9GufDoplCL",
            "--enrolled-after",
            "2000-01-01",
        ],
    );
    exits(
        &o,
        2,
        &["Program must be defined when program enrollment start date is specified"],
    );

    // Assigned users.
    let o = export(&db, &["--events", "--assigned-user-mode", "NONE"]);
    assert_eq!(event_uids(&json(&o)).len(), 2);
    let o = export(&db, &["--events", "--assigned-users", "M5zQapPyTZI"]);
    assert!(event_uids(&json(&o)).is_empty());
    let o = export(&db, &["--events", "--assigned-user-mode", "PROVIDED"]);
    exits(
        &o,
        2,
        &["Assigned User uid(s) must be specified if selectionMode is PROVIDED"],
    );
    let o = export(
        &db,
        &[
            "--events",
            "--assigned-user-mode",
            "ANY",
            "--assigned-users",
            "M5zQapPyTZI",
        ],
    );
    exits(
        &o,
        2,
        &["Assigned User uid(s) cannot be specified if selectionMode is not PROVIDED"],
    );
    let o = export(&db, &["--events", "--assigned-user-mode", "SOME"]);
    exits(
        &o,
        2,
        &["Value 'SOME' is not valid for parameter assignedUserMode."],
    );

    // Id schemes.
    let o = export(
        &db,
        &[
            "--events",
            "uairHTqZ5ye",
            "--org-unit-id-scheme",
            "CODE",
            "--program-id-scheme",
            "NAME",
            "--data-element-id-scheme",
            "CODE",
            "--category-option-combo-id-scheme",
            "CODE",
        ],
    );
    exits(&o, 0, &[]);
    let ev = json(&o);
    assert_eq!(ev["orgUnit"], "OU_264");
    assert_eq!(ev["program"], "TA Event_program");
    assert_eq!(ev["programStage"], "jKLB23QZS4I");
    assert_eq!(ev["attributeOptionCombo"], "default");
    let elements: Vec<&str> = ev["dataValues"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["dataElement"].as_str().unwrap())
        .collect();
    assert!(elements.contains(&"TA_NUMBER_DE"), "{elements:?}");
    let o = export(&db, &["--events", "--id-scheme", "ATTRIBUTE:abc"]);
    exits(
        &o,
        2,
        &["Value 'ATTRIBUTE:abc' is not valid for parameter idScheme."],
    );
    let o = export(&db, &["--events", "--id-scheme", "ATTRIBUTE:M5zQapPyTZI"]);
    exits(
        &o,
        2,
        &["Not all metadata has an identifier for the requested idScheme."],
    );

    // The hidden enrollment of the event program is not exported.
    let o = export(&db, &["--enrollments", "--program", "Zd2rkv8FsWq"]);
    exits(&o, 0, &[]);
    assert_eq!(json(&o)["enrollments"].as_array().unwrap().len(), 0);
}
