//! The import journal (issue 16) as a user sees it: every import into a store — data values,
//! metadata, geometry, tracker, dry runs — is a job (`dxf2 jobs list|show|recreate`), written with the
//! import's own transaction; `--progress json` for programs driving the command.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};

use common::*;
use serde_json::Value;

fn jobs(db: &Path, extra: &[&str]) -> Vec<Value> {
    let mut args = vec!["jobs", "list", "--store", s(db), "--json"];
    args.extend_from_slice(extra);
    let o = dxf2(&args);
    exits(&o, 0, &[]);
    serde_json::from_str::<Value>(&out(&o))
        .unwrap()
        .as_array()
        .unwrap()
        .clone()
}

/// Rows of the store's data value table, read with `dxf2 store info --json`.
fn value_rows(db: &Path) -> i64 {
    let o = dxf2(&["store", "info", "--store", s(db), "--json"]);
    exits(&o, 0, &[]);
    let info: Value = serde_json::from_str(&out(&o)).unwrap();
    info["dataValues"]
        .as_i64()
        .unwrap_or_else(|| panic!("{info}"))
}

#[test]
fn every_kind_of_import_is_a_job() {
    let dir = tmp("jobs-kinds");
    let db = malaria_store(&dir);
    let data = example("malaria-2024-09.xml");
    says(
        &dxf2(&["import", s(&data), "--store", s(&db), "--summary", "json"]),
        0,
        &[],
    );
    says(&dxf2(&["validate", s(&data), "--store", s(&db)]), 0, &[]);
    let geo = file(
        &dir,
        "points.geojson",
        r#"{"type":"FeatureCollection","features":[{"type":"Feature","id":"KaHealthC01",
            "geometry":{"type":"Point","coordinates":[33.48,-13.03]}}]}"#,
    );
    says(
        &dxf2(&["geometry", "import", s(&geo), "--store", s(&db)]),
        0,
        &[],
    );

    // An empty tracker payload: DHIS2's empty OK report, and a job.
    let tracker = file(&dir, "empty.json", "{}");
    says(
        &dxf2(&["tracker", "import", s(&tracker), "--store", s(&db)]),
        0,
        &[],
    );

    let list = jobs(&db, &[]);
    let kinds: Vec<&str> = list.iter().map(|j| j["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["metadata", "data", "data", "geometry", "tracker"]);
    let ids: Vec<u64> = list.iter().map(|j| j["id"].as_u64().unwrap()).collect();
    assert_eq!(ids, [1, 2, 3, 4, 5]);
    assert_eq!(list[4]["status"], "OK");
    assert_eq!(jobs(&db, &["--kind", "tracker"]).len(), 1);
    let dry: Vec<bool> = list
        .iter()
        .map(|j| j["dryRun"].as_bool().unwrap())
        .collect();
    assert_eq!(dry, [false, false, true, false, false]);
    for j in &list {
        for field in [
            "id", "kind", "started", "finished", "status", "dryRun", "input", "sha256",
        ] {
            assert!(j.get(field).is_some(), "{field} missing in {j}");
        }
        assert_eq!(j["sha256"].as_str().unwrap().len(), 64, "{j}");
    }
    let import = &list[1];
    assert_eq!(import["status"], "WARNING");
    assert_eq!(import["counts"]["imported"], 11);
    assert_eq!(import["counts"]["conflicts"], 1);
    assert_eq!(import["input"].as_str().unwrap(), s(&data));
    assert_eq!(list[2]["sameInputAs"], serde_json::json!([2]));
    assert_eq!(list[3]["counts"]["imported"], 1, "{}", list[3]);

    // Filters.
    assert_eq!(jobs(&db, &["--kind", "data"]).len(), 2);
    assert_eq!(jobs(&db, &["--status", "WARNING"]).len(), 2);
    assert_eq!(jobs(&db, &["--status", "ok"]).len(), 3);
    assert_eq!(jobs(&db, &["--since", "2999-01-01"]).len(), 0);
    let table = dxf2(&["jobs", "list", "--store", s(&db)]);
    says(&table, 0, &[]);
    assert!(out(&table).contains("(dry run)"), "{}", out(&table));
}

#[test]
fn a_job_shows_its_summary_exactly_as_printed() {
    let dir = tmp("jobs-show");
    let db = malaria_store(&dir);
    let data = example("malaria-2024-09.xml");
    for format in ["json", "xml", "table"] {
        let printed = dxf2(&["import", s(&data), "--store", s(&db), "--summary", format]);
        says(&printed, 0, &[]);
        let id = jobs(&db, &[]).last().unwrap()["id"].as_u64().unwrap();
        let shown = dxf2(&[
            "jobs",
            "show",
            &id.to_string(),
            "--store",
            s(&db),
            "--summary",
            format,
        ]);
        says(&shown, 0, &[]);
        assert_eq!(out(&shown), out(&printed), "{format}");
    }
    // The details name the command, the input and its checksum.
    let details = dxf2(&["jobs", "show", "2", "--store", s(&db)]);
    says(&details, 0, &["Command:     dxf2 import", "SHA-256:"]);
    // A job that is not there.
    says(
        &dxf2(&["jobs", "show", "99", "--store", s(&db)]),
        1,
        &["job 99 is not in the journal"],
    );
    // A metadata job has no XML summary.
    says(
        &dxf2(&["jobs", "show", "1", "--store", s(&db), "--summary", "xml"]),
        2,
        &["has no xml summary"],
    );
}

#[test]
fn an_input_imported_again_is_noted_not_refused() {
    let dir = tmp("jobs-again");
    let db = malaria_store(&dir);
    let data = example("malaria-2024-09.xml");
    let first = dxf2(&["import", s(&data), "--store", s(&db)]);
    says(&first, 0, &[]);
    assert!(!err(&first).contains("was read into this store before"));
    let again = dxf2(&["import", s(&data), "--store", s(&db), "--summary", "json"]);
    says(&again, 0, &["was read into this store before: job 2"]);
    // DHIS2's summary document says nothing of it.
    assert!(!out(&again).contains("before"), "{}", out(&again));
    assert_eq!(jobs(&db, &[])[2]["sameInputAs"], serde_json::json!([2]));
}

#[test]
fn recreate_reproduces_the_summary_on_a_fresh_store() {
    let dir = tmp("jobs-recreate");
    std::fs::create_dir_all(dir.join("a")).unwrap();
    std::fs::create_dir_all(dir.join("b")).unwrap();
    let a = malaria_store(&dir.join("a"));
    let b = malaria_store(&dir.join("b"));
    let data = example("malaria-2024-09.xml");
    let original = dxf2(&[
        "import",
        s(&data),
        "--store",
        s(&a),
        "--summary",
        "json",
        "--user",
        "kasungu.clerk",
    ]);
    says(&original, 0, &[]);

    let print = dxf2(&[
        "jobs",
        "recreate",
        "2",
        "--store",
        s(&a),
        "--into",
        s(&b),
        "--print",
    ]);
    says(&print, 0, &[]);
    assert_eq!(
        out(&print).trim(),
        format!(
            "dxf2 import {} --store {} --summary json --user kasungu.clerk",
            s(&data),
            s(&b)
        )
    );

    let again = dxf2(&["jobs", "recreate", "2", "--store", s(&a), "--into", s(&b)]);
    says(&again, 0, &["running job 2"]);
    assert_eq!(out(&again), out(&original));
    // The recreated import is a job of the store it ran against.
    let recreated = jobs(&b, &[]);
    assert_eq!(recreated.len(), 2);
    assert_eq!(recreated[1]["counts"]["imported"], 11);

    // On another file: the input is replaced.
    let copy = dir.join("copy.xml");
    std::fs::copy(&data, &copy).unwrap();
    let print = dxf2(&[
        "jobs",
        "recreate",
        "2",
        "--store",
        s(&a),
        s(&copy),
        "--print",
    ]);
    says(&print, 0, &[]);
    assert!(out(&print).contains(s(&copy)), "{}", out(&print));
}

/// Many daily values (none zero: DHIS2 skips zeros of data elements where zero is not
/// significant) of the example's data elements, for an import that takes a while.
fn big_csv(dir: &Path) -> std::path::PathBuf {
    let mut text = String::from(HEADER);
    text.push('\n');
    let start = chrono::NaiveDate::from_ymd_opt(1990, 1, 1).unwrap();
    for day in 0..12_000 {
        let p = (start + chrono::Duration::days(day)).format("%Y%m%d");
        for ou in ["KA_HC1", "KA_HC2", "KA_HC3"] {
            text.push_str(&format!("MAL_RDT,{p},{ou},,,{},,,,,\n", day + 1));
            text.push_str(&format!("MAL_CONF,{p},{ou},F,,{},,,,,\n", day + 1));
        }
    }
    file(dir, "big.csv", &text)
}

#[test]
fn a_killed_import_leaves_no_job_and_no_values() {
    let dir = tmp("jobs-killed");
    let db = malaria_store(&dir);
    let csv = big_csv(&dir);
    let mut child = Command::new(env!("CARGO_BIN_EXE_dxf2"))
        .args(["import", s(&csv), "--store", s(&db), "--id-scheme", "CODE"])
        .args(["--progress", "json"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Progress lines: kill the import once it reports values imported and before it commits.
    let mut phases = Vec::new();
    for line in BufReader::new(child.stderr.take().unwrap()).lines() {
        let line = line.unwrap();
        let Ok(p) = serde_json::from_str::<Value>(&line) else {
            continue;
        };
        let phase = p["phase"].as_str().unwrap_or("").to_owned();
        phases.push(phase.clone());
        if phase == "import" && p["values"].as_u64().unwrap_or(0) > 0 {
            child.kill().unwrap();
            break;
        }
        if phase == "commit" || phase == "done" {
            break;
        }
    }
    let _ = child.wait();
    assert_eq!(
        phases.first().map(String::as_str),
        Some("import"),
        "{phases:?}"
    );
    let list = jobs(&db, &["--kind", "data"]);
    let rows = value_rows(&db);
    // Either the import was killed before its commit (no job, no values) or it had committed
    // (its job and all its values): never one without the other.
    match list.len() {
        0 => assert_eq!(rows, 0, "values without their job"),
        1 => assert_eq!(rows, 72_000, "a job without all its values"),
        n => panic!("{n} jobs"),
    }
}

#[test]
fn progress_json_lines_go_to_stderr() {
    let dir = tmp("jobs-progress");
    let db = malaria_store(&dir);
    let o = dxf2(&[
        "import",
        s(&example("malaria-2024-09.xml")),
        "--store",
        s(&db),
        "--progress",
        "json",
        "--summary",
        "json",
    ]);
    says(&o, 0, &[]);
    let lines: Vec<Value> = err(&o)
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect();
    let phases: Vec<&str> = lines.iter().map(|l| l["phase"].as_str().unwrap()).collect();
    assert_eq!(phases.first(), Some(&"import"), "{phases:?}");
    assert_eq!(phases.last(), Some(&"done"), "{phases:?}");
    assert!(phases.contains(&"commit"), "{phases:?}");
    let last = lines.last().unwrap();
    assert_eq!(last["bytes"], last["size"]);
    assert_eq!(last["values"], 13);
    assert!(last["elapsedMs"].is_u64());
    // stdout holds DHIS2's summary only.
    let summary: Value = serde_json::from_str(&out(&o)).unwrap();
    assert_eq!(summary["status"], "WARNING");
}

/// The phases of every kind of import, from the libraries' progress events.
#[test]
fn progress_json_covers_every_importer() {
    let dir = tmp("jobs-progress-all");
    let db = dir.join("store.sqlite");
    let phases = |o: &std::process::Output| -> Vec<String> {
        err(o)
            .lines()
            .filter_map(|l| serde_json::from_str::<Value>(l).ok())
            .map(|l| l["phase"].as_str().unwrap().to_owned())
            .collect()
    };
    let meta = example("malaria-metadata.json");
    let o = dxf2(&[
        "metadata",
        "import",
        s(&meta),
        "--store",
        s(&db),
        "--progress",
        "json",
    ]);
    says(&o, 0, &[]);
    assert_eq!(phases(&o), ["read", "check", "write", "commit", "done"]);
    let last: Value = serde_json::from_str(err(&o).lines().last().unwrap()).unwrap();
    assert_eq!(last["values"], 16, "objects: {last}");

    let geo = file(
        &dir,
        "points.geojson",
        r#"{"type":"FeatureCollection","features":[{"type":"Feature","id":"KaHealthC01",
            "geometry":{"type":"Point","coordinates":[33.48,-13.03]}}]}"#,
    );
    let o = dxf2(&[
        "geometry",
        "import",
        s(&geo),
        "--store",
        s(&db),
        "--progress",
        "json",
    ]);
    says(&o, 0, &[]);
    assert_eq!(phases(&o), ["import", "commit", "done"]);

    let tracker = file(&dir, "empty.json", "{}");
    let o = dxf2(&[
        "tracker",
        "import",
        s(&tracker),
        "--store",
        s(&db),
        "--progress",
        "json",
    ]);
    says(&o, 0, &[]);
    let p = phases(&o);
    assert_eq!(p.first().map(String::as_str), Some("check"), "{p:?}");
    assert_eq!(p.last().map(String::as_str), Some("done"), "{p:?}");

    // Off: nothing on stderr but what the command says.
    let o = dxf2(&["jobs", "list", "--store", s(&db), "--progress", "off"]);
    says(&o, 0, &[]);
    assert!(phases(&o).is_empty());
}

/// Standard input is hashed as it is read: the same bytes from a file and from stdin are the
/// same input.
#[test]
fn standard_input_is_hashed_as_it_is_read() {
    let dir = tmp("jobs-stdin");
    let db = malaria_store(&dir);
    let data = example("malaria-2024-09.xml");
    says(&dxf2(&["import", s(&data), "--store", s(&db)]), 0, &[]);
    let bytes = std::fs::read(&data).unwrap();
    let o = dxf2_stdin(
        &["import", "-", "--store", s(&db), "--format", "xml"],
        &bytes,
    );
    says(&o, 0, &["was read into this store before: job 2"]);
    let list = jobs(&db, &[]);
    assert_eq!(list[2]["input"], "-");
    assert_eq!(list[2]["sha256"], list[1]["sha256"]);
    assert_eq!(list[2]["size"], bytes.len());
    assert_eq!(list[2]["sameInputAs"], serde_json::json!([2]));
}
