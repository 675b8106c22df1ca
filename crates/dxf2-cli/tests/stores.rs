//! Stores (issue 9): `import`, `validate` and `export` refuse a path that is not an existing
//! store, naming it and how to create one, and create nothing; only `metadata import` creates a
//! store; a missing directory is named once; `dxf2 store info` shows what a store holds.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::*;

const HOW: &str = "dxf2 metadata import META.json --store DB";

#[test]
fn commands_that_read_a_store_never_create_one() {
    let dir = tmp("stores-missing");
    let xml = example("malaria-2024-09.xml");
    let typo = dir.join("stroe.sqlite");
    for command in ["import", "validate"] {
        let o = dxf2(&[command, s(&xml), "--store", s(&typo)]);
        exits(&o, 2, &["stroe.sqlite", "no such store", HOW]);
        assert!(!typo.exists(), "{command} created {}", typo.display());
    }
    // `validate` with an input that does not exist either: nothing is created.
    let o = dxf2(&["validate", s(&dir.join("nope.xml")), "--store", s(&typo)]);
    exits(&o, 2, &["nope.xml"]);
    assert!(!typo.exists());
    let o = dxf2(&[
        "export",
        "--store",
        s(&typo),
        "--data-set",
        "MAL_MONTHLY",
        "--period",
        "202409",
        "--org-unit",
        "KA",
    ]);
    exits(&o, 2, &["no such store", HOW]);
    assert!(!typo.exists());
    assert_eq!(
        std::fs::read_dir(&dir).unwrap().count(),
        0,
        "the directory stays empty"
    );
}

#[test]
fn a_file_that_is_not_a_store_is_refused_and_left_alone() {
    let dir = tmp("stores-notastore");
    let xml = example("malaria-2024-09.xml");
    let empty = file(&dir, "empty.sqlite", "");
    let o = dxf2(&["import", s(&xml), "--store", s(&empty)]);
    exits(&o, 2, &["empty.sqlite", "not a dxf2 store", HOW]);
    assert_eq!(
        std::fs::metadata(&empty).unwrap().len(),
        0,
        "left as it was"
    );
    let text = file(&dir, "notes.txt", "some notes, not a database\n");
    let o = dxf2(&["validate", s(&xml), "--store", s(&text)]);
    exits(&o, 2, &["notes.txt", "not a dxf2 store"]);
    let o = dxf2(&["import", s(&xml), "--store", s(&dir)]);
    exits(&o, 2, &["is a directory, not a store"]);
}

#[test]
fn metadata_import_creates_a_store_and_names_a_missing_directory_once() {
    let dir = tmp("stores-create");
    let meta = example("malaria-metadata.json");
    let nested = dir.join("no-such-dir").join("store.sqlite");
    let o = dxf2(&["metadata", "import", s(&meta), "--store", s(&nested)]);
    exits(&o, 2, &["the directory", "does not exist"]);
    let e = err(&o);
    assert_eq!(e.matches("no-such-dir").count(), 2, "{e}");
    assert!(!e.contains("unable to open database file"), "{e}");
    let db = dir.join("store.sqlite");
    let o = dxf2(&["metadata", "import", s(&meta), "--store", s(&db)]);
    exits(&o, 0, &[]);
    let units = out(&o)
        .lines()
        .find(|l| l.trim_start().starts_with("OrganisationUnit "))
        .map(|l| l.split_whitespace().nth(1).unwrap_or("").to_owned());
    assert_eq!(
        units.as_deref(),
        Some("4"),
        "4 org units created: {}",
        out(&o)
    );
    assert!(db.is_file());
    // Now import reads it.
    let o = dxf2(&[
        "import",
        s(&example("malaria-2024-09.xml")),
        "--store",
        s(&db),
    ]);
    exits(&o, 0, &[]);
}

#[test]
fn store_info_shows_what_a_store_holds() {
    let dir = tmp("stores-info");
    let db = malaria_store(&dir);
    let o = dxf2(&[
        "import",
        s(&example("malaria-2024-09.xml")),
        "--store",
        s(&db),
    ]);
    exits(&o, 0, &[]);
    let o = dxf2(&["store", "info", "--store", s(&db)]);
    exits(&o, 0, &[]);
    let table = out(&o);
    assert!(table.contains("organisation units"), "{table}");
    assert!(table.contains("Data values: "), "{table}");
    assert!(
        table.contains("Periods (1):") && table.contains("202409"),
        "{table}"
    );
    let o = dxf2(&["store", "info", "--store", s(&db), "--json"]);
    exits(&o, 0, &[]);
    let json: serde_json::Value = serde_json::from_str(&out(&o)).unwrap();
    assert_eq!(json["metadata"]["organisationUnits"], 4);
    assert_eq!(json["metadata"]["dataSets"], 1);
    assert!(json["dataValues"].as_u64().unwrap() > 0, "{json}");
    assert_eq!(json["periods"][0]["period"], "202409");
    // Not a store: refused as everywhere.
    let o = dxf2(&["store", "info", "--store", s(&dir.join("nope.sqlite"))]);
    exits(&o, 2, &["no such store", HOW]);
    assert!(!dir.join("nope.sqlite").exists());
}

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

/// Every command that takes `--store` takes a PostgreSQL URL as well as a file: `metadata
/// import` creates the store in the database, `import`, `validate`, `export` and `store info`
/// use it, and a database that holds no store is refused as a file would be.
#[test]
fn a_postgres_store_works_as_a_file_store_does() {
    let Some(url) = postgres_url() else {
        return;
    };
    // The commands use the schema `dxf2`: this is the only test that does.
    dxf2_store_postgres::PostgresStore::drop_schema(&url, "dxf2").unwrap();
    let xml = example("malaria-2024-09.xml");
    let metadata = example("malaria-metadata.json");

    let o = dxf2(&["import", s(&xml), "--store", &url]);
    exits(&o, 2, &["not a dxf2 store", HOW]);

    let o = dxf2(&["metadata", "import", s(&metadata), "--store", &url]);
    exits(&o, 0, &[]);
    let o = dxf2(&[
        "import",
        s(&xml),
        "--store",
        &url,
        "--user",
        "kasungu.clerk",
    ]);
    exits(&o, 0, &[]);
    assert!(out(&o).contains("Imported: 11"), "{}", out(&o));
    let o = dxf2(&[
        "validate",
        s(&xml),
        "--store",
        &url,
        "--user",
        "kasungu.clerk",
    ]);
    exits(&o, 0, &[]);
    assert!(out(&o).contains("Ignored: 12"), "{}", out(&o));
    let o = dxf2(&["store", "info", "--store", &url, "--json"]);
    exits(&o, 0, &[]);
    let info: serde_json::Value = serde_json::from_str(&out(&o)).unwrap();
    assert_eq!(info["dataValues"], 11, "{info}");

    let dir = tmp("stores-postgres");
    let csv = dir.join("kasungu.csv");
    let o = dxf2(&[
        "export",
        "--store",
        &url,
        "--data-set",
        "MAL_MONTHLY",
        "--period",
        "202409",
        "--org-unit",
        "KA",
        "--children",
        "--input-id-scheme",
        "CODE",
        "--id-scheme",
        "CODE",
        "-o",
        s(&csv),
    ]);
    exits(&o, 0, &[]);
    assert_eq!(std::fs::read_to_string(&csv).unwrap().lines().count(), 12);
    dxf2_store_postgres::PostgresStore::drop_schema(&url, "dxf2").unwrap();
}

/// `validate` opens the store read-only: a 2.43+ payload that turns the dry run off
/// (`dryRun="false"`, which DHIS2 2.43+ obeys over the request) cannot make it write. It fails,
/// saying why, and the store holds no value.
#[test]
fn validate_never_writes_even_when_the_file_says_dry_run_false() {
    let dir = tmp("stores-validate-read-only");
    let db = malaria_store(&dir);
    let xml = std::fs::read_to_string(example("malaria-2024-09.xml")).unwrap();
    let xml = xml.replacen("<dataValueSet ", "<dataValueSet dryRun=\"false\" ", 1);
    let file = file(&dir, "no-dry-run.xml", &xml);
    let o = dxf2(&[
        "validate",
        s(&file),
        "--store",
        s(&db),
        "--dhis2-version",
        "2.43",
    ]);
    exits(&o, 1, &["never writes", "dryRun=\"false\"", "dxf2 import"]);
    let o = dxf2(&["store", "info", "--store", s(&db), "--json"]);
    let info: serde_json::Value = serde_json::from_str(&out(&o)).unwrap();
    assert_eq!(info["dataValues"], 0, "{info}");
}
