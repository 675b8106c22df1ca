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
    assert!(text
        .contains("uairHTqZ5ye,ACTIVE,Zd2rkv8FsWq,jKLB23QZS4I,,O6uvpzGd5pu,2018-11-01T00:00:00Z"));
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
