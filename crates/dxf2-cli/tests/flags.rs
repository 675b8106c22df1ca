//! One vocabulary (issue 9): versions we do not know refused with the range, flags of one
//! generation refused under the other, extensions that contradict `--format`/`--compression`
//! refused, id scheme help and parser agreeing, typo suggestions, one error style, a closed pipe
//! ending quietly, completions, man page, `--version`; export's explained refusals.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::process::{Command, Stdio};

use common::*;

/// `dxf2 export --store DB` for the example's district in September 2024, and `more`.
fn export(db: &std::path::Path, more: &[&str]) -> std::process::Output {
    let base = [
        "export",
        "--store",
        s(db),
        "--data-set",
        "MAL_MONTHLY",
        "--period",
        "202409",
        "--input-id-scheme",
        "CODE",
    ];
    dxf2(&[&base[..], more].concat())
}

#[test]
fn unknown_dhis2_versions_are_refused_with_the_range() {
    let xml = example("malaria-2024-09.xml");
    for version in ["2.99", "2.45", "2.35", "3.0"] {
        let o = dxf2(&[
            "validate",
            s(&xml),
            "--metadata",
            s(&example("malaria-metadata.json")),
            "--dhis2-version",
            version,
        ]);
        exits(&o, 2, &["error:", "2.36 to 2.44"]);
        let o = dxf2(&[
            "convert",
            s(&xml),
            "-o",
            "-",
            "--to",
            "csv",
            "--dhis2-version",
            version,
        ]);
        exits(&o, 2, &["2.36 to 2.44"]);
    }
    let o = dxf2(&["--version"]);
    exits(&o, 0, &[]);
    assert!(
        out(&o).contains("DHIS2 versions: 2.36 to 2.44"),
        "{}",
        out(&o)
    );
}

#[test]
fn flags_of_one_generation_are_refused_under_the_other() {
    let dir = tmp("flags-profile");
    let db = malaria_store(&dir);
    let xml = example("malaria-2024-09.xml");
    let o = dxf2(&["validate", s(&xml), "--store", s(&db), "--atomic"]);
    exits(&o, 2, &["--atomic", "2.43"]);
    for flag in [
        "--skip-audit",
        "--skip-existing-check",
        "--preheat-cache",
        "--require-category-option-combo",
        "--require-attribute-option-combo",
    ] {
        let o = dxf2(&[
            "validate",
            s(&xml),
            "--store",
            s(&db),
            "--dhis2-version",
            "2.43",
            flag,
        ]);
        exits(&o, 2, &[flag, "2.36-2.42 only"]);
    }
    let o = dxf2(&[
        "validate",
        s(&xml),
        "--store",
        s(&db),
        "--dhis2-version",
        "2.43",
        "--atomic",
    ]);
    assert_ne!(o.status.code(), Some(2), "{}", err(&o));
    let o = export(&db, &["--org-unit", "KA", "--input-use-code-fallback"]);
    exits(&o, 2, &["--input-use-code-fallback", "2.43"]);
}

#[test]
fn extensions_that_contradict_format_or_compression_are_refused() {
    let dir = tmp("flags-ext");
    let db = malaria_store(&dir);
    let x = dir.join("x.json");
    let o = export(&db, &["--org-unit", "KA", "-o", s(&x), "--format", "csv"]);
    exits(
        &o,
        2,
        &["x.json", "the name says JSON but --format says CSV"],
    );
    assert!(!x.exists());
    let gz = dir.join("x.csv.gz");
    let o = export(
        &db,
        &["--org-unit", "KA", "-o", s(&gz), "--compression", "zip"],
    );
    exits(
        &o,
        2,
        &["the name says gzip (.gz) but --compression says zip (.zip)"],
    );
    // Agreeing flags are fine.
    let o = export(
        &db,
        &[
            "--org-unit",
            "KA",
            "-o",
            s(&gz),
            "--compression",
            "gzip",
            "--format",
            "csv",
        ],
    );
    exits(&o, 0, &[]);
    let xml = example("malaria-2024-09.xml");
    let o = dxf2(&["import", s(&xml), "--store", s(&db), "--format", "csv"]);
    exits(&o, 2, &["the name says XML but --format says CSV"]);
    let o = dxf2(&[
        "convert",
        s(&xml),
        "--from",
        "json",
        "-o",
        s(&dir.join("y.csv")),
    ]);
    exits(&o, 2, &["--from"]);
    let o = dxf2(&[
        "convert",
        s(&xml),
        "--to",
        "json",
        "-o",
        s(&dir.join("y.csv")),
    ]);
    exits(&o, 2, &["--to"]);
}

#[test]
fn id_scheme_help_and_parser_agree() {
    let o = dxf2(&[
        "import",
        "x.xml",
        "--metadata",
        "m.json",
        "--id-scheme",
        "NUMBER",
    ]);
    exits(
        &o,
        2,
        &["UID, CODE, NAME, ID, UUID or ATTRIBUTE:<attribute uid>"],
    );
    let help = out(&dxf2(&["import", "--help"]));
    assert!(
        help.contains("UID, CODE, NAME, ID, UUID or ATTRIBUTE:<attribute uid>"),
        "{help}"
    );
}

#[test]
fn typos_get_suggestions_in_one_error_style() {
    let o = dxf2(&["imprt", "x.xml"]);
    exits(&o, 2, &["error:", "import"]);
    let o = dxf2(&["import", "x.xml", "--dry-rn"]);
    exits(&o, 2, &["error:", "--dry-run"]);
    // Our own errors have the same form as clap's.
    let o = dxf2(&["import", "no-such-file.xml", "--metadata", "m.json"]);
    exits(&o, 2, &["no-such-file.xml"]);
    assert!(err(&o).starts_with("error: "), "{}", err(&o));
}

#[test]
fn os_errors_name_their_path() {
    let dir = tmp("flags-os");
    let db = malaria_store(&dir);
    let o = dxf2(&["import", s(&dir), "--store", s(&db)]);
    exits(&o, 2, &[s(&dir), "directory"]);
    let o = dxf2(&[
        "convert",
        s(&example("malaria-2024-09.xml")),
        "-o",
        s(&dir),
        "--to",
        "csv",
    ]);
    exits(&o, 2, &[s(&dir)]);
}

#[test]
fn a_closed_pipe_ends_quietly() {
    let dir = tmp("flags-pipe");
    let db = malaria_store(&dir);
    let xml = example("malaria-2024-09.xml");
    for args in [
        vec![
            "export",
            "--store",
            s(&db),
            "--data-set",
            "MAL_MONTHLY",
            "--period",
            "202409",
            "--org-unit",
            "KA",
            "--children",
            "--input-id-scheme",
            "CODE",
            "--format",
            "csv",
        ],
        vec!["convert", s(&xml), "-o", "-", "--to", "csv"],
    ] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_dxf2"))
            .args(&args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stdout.take());
        let o = child.wait_with_output().unwrap();
        exits(&o, 0, &[]);
        assert!(!err(&o).contains("pipe"), "{}", err(&o));
    }
}

#[test]
fn completions_and_man_page_come_from_the_same_definitions() {
    let o = dxf2(&["completions", "bash"]);
    exits(&o, 0, &[]);
    assert!(
        out(&o).contains("metadata") && out(&o).contains("--dhis2-version"),
        "{}",
        out(&o)
    );
    let o = dxf2(&["man"]);
    exits(&o, 0, &[]);
    assert!(out(&o).contains(".TH dxf2"), "{}", out(&o));
    let dir = tmp("flags-man");
    let o = dxf2(&["man", "-o", s(&dir)]);
    exits(&o, 0, &[]);
    assert!(dir.join("dxf2.1").is_file());
}

#[test]
fn export_refusals_say_why() {
    let dir = tmp("flags-export");
    let db = malaria_store(&dir);
    // `KA` is a code: without --input-id-scheme CODE it matches no org unit's UID.
    let o = dxf2(&[
        "export",
        "--store",
        s(&db),
        "--data-set",
        "MAL_MONTHLY",
        "--period",
        "202409",
        "--org-unit",
        "KA",
        "--input-data-set-id-scheme",
        "CODE",
    ]);
    exits(
        &o,
        1,
        &[
            "error: E2006",
            "hint: --org-unit `KA`",
            "--input-id-scheme CODE",
        ],
    );
    let o = export(&db, &["--org-unit", "KA", "--period", "202413"]);
    exits(&o, 0, &["--period `202413`: not a period"]);
    let o = dxf2(&[
        "export",
        "--store",
        s(&db),
        "--data-set",
        "MAL_MONTHLY",
        "--period",
        "202413",
        "--org-unit",
        "KA",
        "--input-id-scheme",
        "CODE",
    ]);
    exits(&o, 1, &["E2002", "--period `202413`: not a period"]);
    let o = export(&db, &["--org-unit", "KA", "--last-updated-duration", "10x"]);
    exits(&o, 1, &["E2005", "`10x`"]);
    assert!(!err(&o).contains("{0}"), "{}", err(&o));
}
