//! `dxf2 value set|get|delete`: DHIS2 2.36–2.42's `/api/dataValues` rules through the command
//! line, one test per rule (`DataValueController`, `DataValidator`, `InputUtils`, `ErrorCode` on
//! branch 2.42 of dhis2/dhis2-core), and file values round-tripping one-to-one.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;
mod offline_entry;

use std::path::Path;
use std::process::Output;

use common::{dxf2, err, exits, out, s, tmp};
use offline_entry::{store, stored};

/// `dxf2 value <op> --store <db> --de <de> --pe <pe> --ou ouClinicA01` and `more`.
fn value(op: &str, db: &Path, de: &str, pe: &str, more: &[&str]) -> Output {
    let base = [
        "value",
        op,
        "--store",
        s(db),
        "--de",
        de,
        "--pe",
        pe,
        "--ou",
        "ouClinicA01",
    ];
    dxf2(&[&base[..], more].concat())
}

#[test]
fn the_default_option_combos_when_co_cc_and_cp_are_left_out() {
    let dir = tmp("value-default");
    let db = store(&dir);
    let o = value("set", &db, "deNote00001", "202402", &["--value", "seen"]);
    exits(&o, 0, &["stored", "option combos HllvX50cXC0/HllvX50cXC0"]);
    let rows = stored(&db, "202402");
    assert_eq!(rows.len(), 1);
    assert_eq!(
        (rows[0].coc.as_str(), rows[0].aoc.as_str()),
        ("HllvX50cXC0", "HllvX50cXC0")
    );
    let o = value("get", &db, "deNote00001", "202402", &["--json"]);
    exits(&o, 0, &[]);
    assert_eq!(out(&o), "[\"seen\"]\n");
    let o = value(
        "set",
        &db,
        "deCases0001",
        "202402",
        &["--co", "nowhere0001", "--value", "1"],
    );
    exits(
        &o,
        1,
        &["E1103 Category option combo not found or not accessible: `nowhere0001`"],
    );
}

#[test]
fn cc_and_cp_only_together() {
    let dir = tmp("value-cc-cp");
    let db = store(&dir);
    for more in [["--cc", "fundCombo01"], ["--cp", "fundDonorA1"]] {
        let o = value(
            "set",
            &db,
            "deNote00001",
            "202402",
            &[&more[..], &["--value", "x", "--json"]].concat(),
        );
        exits(
            &o,
            1,
            &["E2040 Both category combination and category options must be specified"],
        );
        assert_eq!(
            out(&o),
            "{\"httpStatus\":\"Conflict\",\"httpStatusCode\":409,\"status\":\"ERROR\",\"message\":\"Both category combination and category options must be specified\",\"errorCode\":\"E2040\"}\n"
        );
    }
    assert!(stored(&db, "202402").is_empty());
}

#[test]
fn cc_and_cp_resolve_to_the_attribute_option_combo() {
    let dir = tmp("value-aoc");
    let db = store(&dir);
    let donor = ["--cc", "fundCombo01", "--cp", "fundDonorA1"];
    let o = value(
        "set",
        &db,
        "deNote00001",
        "202402",
        &[&donor[..], &["--value", "a"]].concat(),
    );
    exits(&o, 0, &["option combos HllvX50cXC0/aocDonorA01"]);
    assert_eq!(stored(&db, "202402")[0].aoc, "aocDonorA01");
    let o = value("get", &db, "deNote00001", "202402", &donor);
    exits(&o, 0, &[]);
    assert_eq!(out(&o), "a\n");
    // The default attribute option combo is another key.
    let o = value("get", &db, "deNote00001", "202402", &[]);
    exits(&o, 1, &["Data value does not exist"]);
    let o = value(
        "get",
        &db,
        "deNote00001",
        "202402",
        &["--cc", "nowhere0001", "--cp", "fundDonorA1"],
    );
    exits(
        &o,
        1,
        &["E1110 Category combo not found or not accessible: `nowhere0001`"],
    );
    let o = value(
        "get",
        &db,
        "deNote00001",
        "202402",
        &["--cc", "fundCombo01", "--cp", "fundDonorA1;nowhere0001"],
    );
    exits(
        &o,
        1,
        &["E1111 Category option not found or not accessible: `nowhere0001`"],
    );
    let o = value(
        "get",
        &db,
        "deNote00001",
        "202402",
        &["--cc", "fundCombo01", "--cp", "sexMale0001"],
    );
    exits(&o, 1, &["E2041 Attribute option combo does not exist for given category combo and category options"]);
}

#[test]
fn follow_up_is_toggled_by_any_follow_up_given() {
    let dir = tmp("value-follow-up");
    let db = store(&dir);
    let follow = |more: &[&str]| {
        let o = value("set", &db, "deNote00001", "202402", more);
        exits(&o, 0, &[]);
        stored(&db, "202402")[0].followup
    };
    assert!(
        follow(&["--value", "x", "--follow-up", "true"]),
        "a new value takes it"
    );
    assert!(
        !follow(&["--follow-up", "true"]),
        "toggled, whatever is sent"
    );
    assert!(follow(&["--follow-up", "false"]), "toggled again");
    assert!(follow(&["--value", "y"]), "kept without one");
}

#[test]
fn locked_periods_are_refused_unless_a_superuser() {
    let dir = tmp("value-locked");
    let db = store(&dir);
    // Deliveries lock 10 days after the period: January 2024 is long locked for the clerk.
    let o = value(
        "set",
        &db,
        "deLocked001",
        "202401",
        &["--value", "4", "--user", "clerk"],
    );
    exits(&o, 1, &["E2017 Data set is locked"]);
    let o = value(
        "set",
        &db,
        "deLocked001",
        "202401",
        &[
            "--value",
            "4",
            "--user",
            "clerk",
            "--ds",
            "dsLocked001",
            "--force",
        ],
    );
    exits(&o, 1, &["E2017 Data set is locked"]);
    // A superuser (the default) holds F_EDIT_EXPIRED.
    let o = value("set", &db, "deLocked001", "202401", &["--value", "4"]);
    exits(&o, 0, &["stored"]);
    let o = value("delete", &db, "deLocked001", "202401", &["--user", "clerk"]);
    exits(&o, 1, &["E2017 Data set is locked"]);
}

#[test]
fn invalid_ids_are_refused_with_dhis2s_messages() {
    let dir = tmp("value-ids");
    let db = store(&dir);
    let cases: [(&str, &str, &[&str], &str); 5] = [
        (
            "nowhere0001",
            "202402",
            &[],
            "E1100 Data element not found or not accessible: `nowhere0001`",
        ),
        (
            "deNote00001",
            "2024W60",
            &[],
            "E1101 Period is invalid: `2024W60`",
        ),
        (
            "deNote00001",
            "202402",
            &["--ds", "nowhere0001"],
            "E1105 Data set not found or not accessible: `nowhere0001`",
        ),
        (
            "deNote00001",
            "202402",
            &["--ds", "dsLocked001"],
            "E2021 Data set: `dsLocked001` does not contain data element: `deNote00001`",
        ),
        (
            "deCases0001",
            "202402",
            &["--value", "3.5"],
            "E2030 Data value must match data element value type: `INTEGER`",
        ),
    ];
    for (de, pe, more, message) in cases {
        let with_value = [more, &["--value", "1"]].concat();
        let args = if more.contains(&"--value") {
            more.to_vec()
        } else {
            with_value
        };
        let o = value("set", &db, de, pe, &args);
        exits(&o, 1, &[message]);
    }
    let o = dxf2(&[
        "value",
        "set",
        "--store",
        s(&db),
        "--de",
        "deNote00001",
        "--pe",
        "202402",
        "--ou",
        "nowhere0001",
        "--value",
        "1",
    ]);
    exits(
        &o,
        1,
        &["E1102 Organisation unit not found or not accessible: `nowhere0001`"],
    );
    let o = dxf2(&[
        "value",
        "set",
        "--store",
        s(&db),
        "--de",
        "deNote00001",
        "--pe",
        "202402",
        "--ou",
        "ouOther0001",
        "--value",
        "1",
        "--user",
        "clerk",
    ]);
    exits(
        &o,
        1,
        &["E2020 Organisation unit is not in the hierarchy of the current user: `ouOther0001`"],
    );
    let o = value("set", &db, "deNote00001", "209912", &["--value", "1"]);
    exits(
        &o,
        1,
        &["E2022 Period: `209912` is after latest open future period"],
    );
    let o = value(
        "set",
        &db,
        "deNote00001",
        "202402",
        &["--value", "1", "--user", "nobody"],
    );
    exits(&o, 2, &["no user named `nobody`"]);
    assert!(stored(&db, "202402").is_empty());
}

#[test]
fn missing_values_cannot_be_read_or_deleted_and_deleted_ones_are_gone() {
    let dir = tmp("value-missing");
    let db = store(&dir);
    let o = value("delete", &db, "deNote00001", "202402", &[]);
    exits(
        &o,
        1,
        &["Data value cannot be deleted because it does not exist"],
    );
    let o = value(
        "set",
        &db,
        "deNote00001",
        "202402",
        &["--value", "x", "--comment", "c"],
    );
    exits(&o, 0, &[]);
    let o = value("delete", &db, "deNote00001", "202402", &[]);
    exits(&o, 0, &["deleted"]);
    let o = value("get", &db, "deNote00001", "202402", &[]);
    exits(&o, 1, &["Data value does not exist"]);
    assert!(stored(&db, "202402").is_empty());
    // A TRUE_ONLY value saved with nothing is deleted, as DHIS2 does.
    let o = value("set", &db, "deTested001", "202402", &["--value", "true"]);
    exits(&o, 0, &[]);
    let o = value("set", &db, "deTested001", "202402", &[]);
    exits(&o, 0, &["deleted"]);
    assert!(stored(&db, "202402").is_empty());
}

#[test]
fn file_values_round_trip_one_to_one() {
    let dir = tmp("value-files");
    let db = store(&dir);
    let photo: Vec<u8> = b"\x89PNG\r\n\x1a\n"
        .iter()
        .copied()
        .chain(0..=255u8)
        .collect();
    let png = dir.join("register.png");
    std::fs::write(&png, &photo).unwrap();

    let o = value(
        "set",
        &db,
        "dePhoto0001",
        "202402",
        &["--file", s(&png), "--comment", "page 1"],
    );
    exits(&o, 0, &["file `register.png`", "image/png"]);
    // The value is the file resource's UID, and export writes it.
    let rows = stored(&db, "202402");
    let uid = rows[0].value.clone().unwrap();
    assert_eq!(uid.len(), 11);
    assert_eq!(rows[0].comment.as_deref(), Some("page 1"));
    let back = dir.join("back.png");
    let o = value(
        "get",
        &db,
        "dePhoto0001",
        "202402",
        &["--file-out", s(&back)],
    );
    exits(&o, 0, &["wrote file `register.png`"]);
    assert_eq!(std::fs::read(&back).unwrap(), photo);

    // One-to-one: another value cannot take the same file resource.
    let o = value("set", &db, "dePhoto0001", "202401", &["--value", &uid]);
    exits(
        &o,
        1,
        &["E2026 File resource already assigned or linked to a data value"],
    );
    // A file for an element that is not a file type is refused.
    let o = value("set", &db, "deNote00001", "202402", &["--file", s(&png)]);
    exits(&o, 1, &["DataElement must be of type file"]);

    // Deleting the value deletes its file: the file resource is gone.
    let o = value("delete", &db, "dePhoto0001", "202402", &[]);
    exits(&o, 0, &[&format!("with its file (file resource {uid})")]);
    let o = value(
        "get",
        &db,
        "dePhoto0001",
        "202402",
        &["--file-out", s(&back)],
    );
    exits(&o, 1, &["Data value does not exist"]);
    let o = value("set", &db, "dePhoto0001", "202401", &["--value", &uid]);
    exits(
        &o,
        1,
        &[&format!("FileResource with id {uid} could not be found.")],
    );
    assert!(err(&o).lines().count() <= 2, "{}", err(&o));
}
