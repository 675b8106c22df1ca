//! Issue 16 on PostgreSQL: `dxf2 sync` between a SQLite facility and a PostgreSQL district and
//! the other way round (first bundle, dry run, replay, edits and deletions, a value changed at
//! both ends, a gap), and the import journal of a PostgreSQL store (`jobs list|show|recreate`).
//!
//! The server is `DXF2_TEST_POSTGRES` (a libpq URL; `.ci/postgres.sh` starts one). Without it
//! every test is skipped with a note, except under CI (`CI=true`), where it fails — as in
//! `stores.rs`. The command keeps its store in the schema `dxf2` of the database it is given,
//! so each test makes a database of its own (`createdb` with the server's URL as its maintenance
//! database) and drops it at the end: the tests run in parallel.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::*;
use serde_json::Value;

/// The PostgreSQL server of the tests (`DXF2_TEST_POSTGRES`, a libpq URL; `.ci/postgres.sh`
/// starts one). Without it the test is skipped, except under CI (`CI=true`), where it fails.
fn postgres_url() -> Option<String> {
    match std::env::var("DXF2_TEST_POSTGRES") {
        Ok(url) if !url.is_empty() => Some(url),
        _ if std::env::var("CI").as_deref() == Ok("true") => {
            panic!("CI=true but DXF2_TEST_POSTGRES is not set: start a server with .ci/postgres.sh")
        }
        _ => {
            eprintln!("skipped: set DXF2_TEST_POSTGRES (see .ci/postgres.sh) to run it");
            None
        }
    }
}

/// A PostgreSQL client program (`createdb`, `dropdb`): on the `PATH`, or in a Debian server's
/// `/usr/lib/postgresql/*/bin` (where `.ci/postgres.sh` finds the server), the newest first.
fn client_program(name: &str) -> PathBuf {
    let on_path = std::env::var_os("PATH")
        .map(|path| std::env::split_paths(&path).collect::<Vec<_>>())
        .unwrap_or_default();
    let mut debian: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .map(|dir| {
            dir.filter_map(|e| e.ok())
                .map(|e| e.path().join("bin"))
                .collect()
        })
        .unwrap_or_default();
    debian.sort_by_key(|d| std::cmp::Reverse(version_of(d)));
    on_path
        .into_iter()
        .chain(debian)
        .map(|dir| dir.join(name))
        .find(|program| program.is_file())
        .unwrap_or_else(|| {
            panic!("DXF2_TEST_POSTGRES is set but no `{name}` (PostgreSQL's client programs) was found")
        })
}

/// The major version of `/usr/lib/postgresql/N/bin`, for ordering.
fn version_of(bin: &Path) -> u32 {
    bin.parent()
        .and_then(Path::file_name)
        .and_then(|n| n.to_str())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

/// `url` naming the database `name` instead of its own (user, password, host, port and
/// parameters kept).
fn with_database(url: &str, name: &str) -> String {
    let (scheme, rest) = url.split_once("://").expect("a postgres:// URL");
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    let query = tail.find('?').map(|q| &tail[q..]).unwrap_or("");
    format!("{scheme}://{authority}/{name}{query}")
}

/// A database of one test on the server of `DXF2_TEST_POSTGRES`, dropped when the test ends
/// (passed or failed).
struct Database {
    /// The server's URL, whose database `createdb` and `dropdb` connect to.
    server: String,
    name: String,
    /// The URL of this database: what `--store` is given.
    url: String,
}

impl Database {
    /// Creates the database `dxf2_<tag>_<process id>` (anew, when a killed run left it).
    fn create(server: &str, tag: &str) -> Database {
        let name = format!("dxf2_{tag}_{}", std::process::id());
        let db = Database {
            server: server.to_owned(),
            url: with_database(server, &name),
            name,
        };
        db.drop_database();
        let o = db.client("createdb", &[]);
        assert!(
            o.status.success(),
            "createdb {}: {}",
            db.name,
            String::from_utf8_lossy(&o.stderr)
        );
        db
    }

    fn client(&self, program: &str, extra: &[&str]) -> Output {
        Command::new(client_program(program))
            .arg(format!("--maintenance-db={}", self.server))
            .args(extra)
            .arg(&self.name)
            .output()
            .unwrap()
    }

    fn drop_database(&self) {
        let o = self.client("dropdb", &["--if-exists"]);
        if !o.status.success() {
            eprintln!(
                "dropdb {}: {}",
                self.name,
                String::from_utf8_lossy(&o.stderr)
            );
        }
    }
}

impl Drop for Database {
    fn drop(&mut self) {
        self.drop_database();
    }
}

/// A facility's April report (our own fixture, on the example's metadata; as in `sync.rs`).
const APRIL: &str = r#"{"dataSet": "MalariaMth1", "period": "202404", "orgUnit": "KaHealthC01",
  "dataValues": [
    {"dataElement": "MalConfCase", "categoryOptionCombo": "FemaleCoc01", "value": "14"},
    {"dataElement": "MalConfCase", "categoryOptionCombo": "MaleCoc0001", "value": "11"},
    {"dataElement": "MalRdtTest1", "value": "61"}
  ]}"#;

/// The example's malaria metadata in both stores, and the April report at the facility.
fn stores(dir: &Path, facility: &str, district: &str) {
    let meta = example("malaria-metadata.json");
    for db in [facility, district] {
        exits(
            &dxf2(&["metadata", "import", s(&meta), "--store", db]),
            0,
            &[],
        );
    }
    let april = file(dir, "april.json", APRIL);
    exits(&dxf2(&["import", s(&april), "--store", facility]), 0, &[]);
}

fn export(facility: &str, bundle: &Path) -> Output {
    dxf2(&[
        "sync",
        "export",
        "--store",
        facility,
        "--to",
        "district",
        "-o",
        s(bundle),
    ])
}

fn import(bundle: &Path, district: &str, extra: &[&str]) -> Output {
    let mut args = vec!["sync", "import", s(bundle), "--store", district];
    args.extend_from_slice(extra);
    dxf2(&args)
}

/// The key words of a value of the April report, with `verb`'s own words after them.
fn value_words<'a>(verb: &'a str, store: &'a str, de: &'a str, co: &'a str) -> Vec<&'a str> {
    vec![
        "value",
        verb,
        "--store",
        store,
        "--de",
        de,
        "--pe",
        "202404",
        "--ou",
        "KaHealthC01",
        "--co",
        co,
    ]
}

/// The stored value (`dxf2 value get --json` answers `["61"]`), `Null` when there is none.
fn value(store: &str, de: &str, co: &str) -> Value {
    let mut args = value_words("get", store, de, co);
    args.push("--json");
    let o = dxf2(&args);
    let answer: Value = serde_json::from_str(&out(&o)).unwrap_or(Value::Null);
    answer.get(0).cloned().unwrap_or(Value::Null)
}

fn set(store: &str, de: &str, co: &str, v: &str) {
    let mut args = value_words("set", store, de, co);
    args.extend(["--value", v]);
    exits(&dxf2(&args), 0, &[]);
}

fn delete(store: &str, de: &str, co: &str) {
    exits(&dxf2(&value_words("delete", store, de, co)), 0, &[]);
}

fn json(o: &Output) -> Value {
    serde_json::from_str(&out(o)).unwrap_or_else(|e| panic!("{e}: {}", out(o)))
}

fn jobs(store: &str, extra: &[&str]) -> Vec<Value> {
    let mut args = vec!["jobs", "list", "--store", store, "--json"];
    args.extend_from_slice(extra);
    let o = dxf2(&args);
    exits(&o, 0, &[]);
    json(&o).as_array().unwrap().clone()
}

const RDT: (&str, &str) = ("MalRdtTest1", "HllvX50cXC0");
const FEMALE: (&str, &str) = ("MalConfCase", "FemaleCoc01");
const MALE: (&str, &str) = ("MalConfCase", "MaleCoc0001");

/// The sync scenario of `sync.rs` with the stores given: the first bundle (a dry run, then
/// applied), a replay, an edit and a deletion, a value changed at both ends, a gap.
fn scenario(dir: &Path, facility: &str, district: &str) {
    stores(dir, facility, district);

    // Bundle 1: the whole report and the facility's metadata. A dry run writes nothing but
    // its job, although the bundle's metadata is applied (and rolled back) to check against.
    let b1 = dir.join("b1.zip");
    says(
        &export(facility, &b1),
        0,
        &["Bundle 1 for district: 3 data values (0 deleted)"],
    );
    let o = import(&b1, district, &["--dry-run", "--summary", "json"]);
    exits(&o, 0, &["checked (a dry run: nothing was written)"]);
    assert_eq!(json(&o)["importCount"]["imported"], 3, "{}", out(&o));
    assert!(value(district, RDT.0, RDT.1).is_null());

    let o = import(&b1, district, &["--summary", "json"]);
    exits(
        &o,
        0,
        &["bundle 1 from", "metadata applied first", "journal job"],
    );
    assert_eq!(json(&o)["importCount"]["imported"], 3, "{}", out(&o));
    for ((de, co), v) in [(RDT, "61"), (FEMALE, "14"), (MALE, "11")] {
        assert_eq!(value(district, de, co), v, "{de} {co}");
    }

    // Replay: exit 0, nothing changed, said so naming the job that applied it (job 3: the
    // metadata import is job 1, the dry run job 2), and no DHIS2 summary.
    let o = import(&b1, district, &[]);
    exits(&o, 0, &["(job 3): applying it again changes nothing"]);
    assert!(out(&o).is_empty(), "{}", out(&o));

    // An edit and a deletion at the facility travel in bundle 2, and only they.
    set(facility, RDT.0, RDT.1, "62");
    delete(facility, MALE.0, MALE.1);
    let b2 = dir.join("b2.zip");
    says(
        &export(facility, &b2),
        0,
        &["Bundle 2 for district: 2 data values (1 deleted), 0 completions, 0 metadata objects"],
    );
    let o = import(&b2, district, &["--summary", "json"]);
    exits(&o, 0, &["bundle 2 from"]);
    let summary = json(&o);
    assert_eq!(summary["importCount"]["updated"], 1, "{summary}");
    assert_eq!(summary["importCount"]["deleted"], 1, "{summary}");
    assert_eq!(value(district, RDT.0, RDT.1), "62");
    assert!(value(district, MALE.0, MALE.1).is_null());
    assert_eq!(value(district, FEMALE.0, FEMALE.1), "14");

    // Changed at both ends: the facility first, the district later; the district's is kept
    // and reported, on stderr and in the journal, never in DHIS2's summary document.
    set(facility, RDT.0, RDT.1, "63");
    std::thread::sleep(std::time::Duration::from_millis(20));
    set(district, RDT.0, RDT.1, "64");
    set(facility, FEMALE.0, FEMALE.1, "15");
    let b3 = dir.join("b3.zip");
    exits(&export(facility, &b3), 0, &[]);
    let o = import(&b3, district, &["--summary", "json"]);
    exits(
        &o,
        0,
        &[
            "changed at both ends: MalRdtTest1 202404 KaHealthC01",
            "district's value (newer) is kept",
        ],
    );
    assert!(!out(&o).contains("both ends"), "{}", out(&o));
    let summary = json(&o);
    assert_eq!(
        summary["importCount"]["updated"], 1,
        "the female count: {summary}"
    );
    assert_eq!(value(district, RDT.0, RDT.1), "64");
    assert_eq!(value(district, FEMALE.0, FEMALE.1), "15");
    let data_jobs = jobs(district, &["--kind", "data"]);
    let last = data_jobs.last().unwrap()["id"].as_u64().unwrap();
    let o = dxf2(&["jobs", "show", &last.to_string(), "--store", district]);
    says(&o, 0, &["Note:        changed at both ends: MalRdtTest1"]);
    // The dry run, bundle 1, its replay (a job that counts nothing), bundles 2 and 3.
    let dry: Vec<bool> = data_jobs
        .iter()
        .map(|j| j["dryRun"].as_bool().unwrap())
        .collect();
    assert_eq!(dry, [true, false, false, false, false], "{data_jobs:?}");
    let imported: Vec<u64> = data_jobs
        .iter()
        .map(|j| j["counts"]["imported"].as_u64().unwrap())
        .collect();
    assert_eq!(imported, [3, 3, 0, 0, 0], "{data_jobs:?}");
    assert_eq!(data_jobs[2]["sameInputAs"], serde_json::json!([2, 3]));

    // A gap: bundle 5 before bundle 4 is refused and changes nothing.
    set(facility, RDT.0, RDT.1, "70");
    let b4 = dir.join("b4.zip");
    exits(&export(facility, &b4), 0, &[]);
    set(facility, RDT.0, RDT.1, "71");
    let b5 = dir.join("b5.zip");
    exits(&export(facility, &b5), 0, &[]);
    let o = import(&b5, district, &[]);
    exits(&o, 1, &["bundle 4 is missing", "allow the gap"]);
    assert_eq!(value(district, RDT.0, RDT.1), "64");
    exits(&import(&b4, district, &[]), 0, &[]);
    exits(&import(&b5, district, &[]), 0, &[]);
    assert_eq!(value(district, RDT.0, RDT.1), "71");

    // Status at both ends.
    let o = dxf2(&["sync", "status", "--store", district, "--json"]);
    exits(&o, 0, &[]);
    let status = json(&o);
    assert_eq!(status["peers"][0]["direction"], "received", "{status}");
    assert_eq!(status["peers"][0]["sequence"], 5, "{status}");
    let o = dxf2(&["sync", "status", "--store", facility, "--json"]);
    exits(&o, 0, &[]);
    let status = json(&o);
    assert_eq!(status["peers"][0]["peer"], "district", "{status}");
    assert_eq!(status["peers"][0]["direction"], "sent", "{status}");
    assert_eq!(status["peers"][0]["sequence"], 5, "{status}");
}

#[test]
fn a_sqlite_facility_syncs_to_a_postgres_district() {
    let Some(server) = postgres_url() else {
        return;
    };
    let district = Database::create(&server, "sync_to_pg");
    let dir = tmp("postgres-sync-to-pg");
    let facility = dir.join("facility.sqlite");
    scenario(&dir, s(&facility), &district.url);
}

#[test]
fn a_postgres_facility_syncs_to_a_sqlite_district() {
    let Some(server) = postgres_url() else {
        return;
    };
    let facility = Database::create(&server, "sync_from_pg");
    let dir = tmp("postgres-sync-from-pg");
    let district = dir.join("district.sqlite");
    scenario(&dir, &facility.url, s(&district));
}

/// The journal of a PostgreSQL store: an import and a dry run are jobs, listed as JSON; a job
/// shows DHIS2's summary exactly as the import printed it; `jobs recreate` prints the command
/// and, run against a fresh SQLite store, prints the same summary.
#[test]
fn the_journal_of_a_postgres_store() {
    let Some(server) = postgres_url() else {
        return;
    };
    let db = Database::create(&server, "journal");
    let url = db.url.as_str();
    let dir = tmp("postgres-journal");
    let meta = example("malaria-metadata.json");
    let data = example("malaria-2024-09.xml");
    exits(
        &dxf2(&["metadata", "import", s(&meta), "--store", url]),
        0,
        &[],
    );
    let printed = dxf2(&["import", s(&data), "--store", url, "--summary", "json"]);
    says(&printed, 0, &[]);
    assert!(!err(&printed).contains("was read into this store before"));
    let dry = dxf2(&[
        "import",
        s(&data),
        "--store",
        url,
        "--dry-run",
        "--summary",
        "json",
    ]);
    says(&dry, 0, &["was read into this store before: job 2"]);

    let list = jobs(url, &[]);
    let kinds: Vec<&str> = list.iter().map(|j| j["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["metadata", "data", "data"]);
    let ids: Vec<u64> = list.iter().map(|j| j["id"].as_u64().unwrap()).collect();
    assert_eq!(ids, [1, 2, 3]);
    let dry_runs: Vec<bool> = list
        .iter()
        .map(|j| j["dryRun"].as_bool().unwrap())
        .collect();
    assert_eq!(dry_runs, [false, false, true]);
    for j in &list {
        for field in [
            "id", "kind", "started", "finished", "status", "dryRun", "input", "sha256",
        ] {
            assert!(j.get(field).is_some(), "{field} missing in {j}");
        }
        assert_eq!(j["sha256"].as_str().unwrap().len(), 64, "{j}");
    }
    let import = &list[1];
    assert_eq!(import["status"], "WARNING", "{import}");
    assert_eq!(import["counts"]["imported"], 11, "{import}");
    assert_eq!(import["counts"]["conflicts"], 1, "{import}");
    assert_eq!(import["input"].as_str().unwrap(), s(&data));
    assert_eq!(list[2]["sameInputAs"], serde_json::json!([2]));
    assert_eq!(list[1]["sha256"], list[2]["sha256"]);
    assert_eq!(jobs(url, &["--kind", "data"]).len(), 2);
    assert_eq!(jobs(url, &["--kind", "metadata"]).len(), 1);
    assert_eq!(jobs(url, &["--since", "2999-01-01"]).len(), 0);

    // Each job's summary exactly as its import printed it.
    for (id, o) in [("2", &printed), ("3", &dry)] {
        let shown = dxf2(&["jobs", "show", id, "--store", url, "--summary", "json"]);
        says(&shown, 0, &[]);
        assert_eq!(out(&shown), out(o), "job {id}");
    }
    let details = dxf2(&["jobs", "show", "3", "--store", url]);
    says(
        &details,
        0,
        &[
            "Dry run:     yes",
            "Command:     dxf2 import",
            "Same input:  as job 2",
        ],
    );

    // Recreate: the command line, and the import run again into a fresh SQLite store.
    let print = dxf2(&["jobs", "recreate", "2", "--store", url, "--print"]);
    says(&print, 0, &[]);
    assert_eq!(
        out(&print).trim(),
        format!("dxf2 import {} --store {url} --summary json", s(&data))
    );
    let fresh = malaria_store(&dir);
    let print = dxf2(&[
        "jobs",
        "recreate",
        "2",
        "--store",
        url,
        "--into",
        s(&fresh),
        "--print",
    ]);
    says(&print, 0, &[]);
    assert_eq!(
        out(&print).trim(),
        format!(
            "dxf2 import {} --store {} --summary json",
            s(&data),
            s(&fresh)
        )
    );
    let again = dxf2(&["jobs", "recreate", "2", "--store", url, "--into", s(&fresh)]);
    says(&again, 0, &["running job 2"]);
    assert_eq!(out(&again), out(&printed));
    assert_eq!(jobs(s(&fresh), &[]).len(), 2);
}
