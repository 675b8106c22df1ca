//! Honest outcomes (issue 9): a file of the wrong kind or format is refused saying what it looks
//! like and what to run; a 0-byte input is unusable (exit 2, DHIS2's ERROR summary); a document
//! without values keeps SUCCESS with a note; `--fail-on-warning`; a cut-short last CSV line is
//! noted; notes stay out of DHIS2's JSON/XML documents.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::*;

const CODE: [&str; 2] = ["--id-scheme", "CODE"];

#[test]
fn metadata_given_to_import_is_refused_naming_metadata_import() {
    let dir = tmp("outcome-meta");
    let db = malaria_store(&dir);
    let meta = example("malaria-metadata.json");
    let o = dxf2(&["import", s(&meta), "--store", s(&db)]);
    exits(
        &o,
        2,
        &["looks like DHIS2 metadata", "hint:", "dxf2 metadata import"],
    );
    assert!(out(&o).contains("Status:      ERROR"), "{}", out(&o));
    // `{"foo":1}`: not a data value set either.
    let foo = file(&dir, "foo.json", r#"{"foo":1}"#);
    let o = dxf2(&["import", s(&foo), "--store", s(&db)]);
    exits(&o, 2, &["`foo`", "dxf2 metadata import"]);
}

#[test]
fn data_or_unknown_json_given_to_metadata_import_is_refused() {
    let dir = tmp("outcome-not-meta");
    let db = dir.join("store.sqlite");
    let xml = example("malaria-2024-09.xml");
    let o = dxf2(&["metadata", "import", s(&xml), "--store", s(&db)]);
    exits(&o, 2, &["error:", "data value set (XML)", "dxf2 import"]);
    assert!(!db.exists(), "no store is created for a refused file");
    let foo = file(&dir, "foo.json", r#"{"foo":1}"#);
    let o = dxf2(&["metadata", "import", s(&foo), "--store", s(&db)]);
    exits(&o, 2, &["holds no DHIS2 metadata", "`foo`"]);
    assert!(
        !o.stdout.windows(8).any(|w| w == b"imported"),
        "{}",
        out(&o)
    );
    let json = file(
        &dir,
        "values.json",
        r#"{"dataSet":"x","dataValues":[{"dataElement":"a","period":"202401","orgUnit":"b","value":"1"}]}"#,
    );
    let o = dxf2(&["metadata", "import", s(&json), "--store", s(&db)]);
    exits(&o, 2, &["data value set", "dxf2 import"]);
    // `{}`: nothing in it, said in a note.
    let empty = file(&dir, "empty.json", "{}");
    let o = dxf2(&["metadata", "import", s(&empty), "--store", s(&db)]);
    exits(&o, 0, &["note:", "holds no metadata objects"]);
}

#[test]
fn a_file_of_another_format_is_refused() {
    let dir = tmp("outcome-format");
    let db = malaria_store(&dir);
    let xml = std::fs::read(example("malaria-2024-09.xml")).unwrap();
    let o = dxf2_stdin(&["import", "-", "--store", s(&db), "--format", "csv"], &xml);
    exits(&o, 2, &["looks like XML, not CSV", "--format xml"]);
    // A misnamed file: the name says CSV, the content is XML.
    let misnamed = dir.join("report.csv");
    std::fs::write(&misnamed, &xml).unwrap();
    let o = dxf2(&["import", s(&misnamed), "--store", s(&db)]);
    exits(&o, 2, &["looks like XML, not CSV", "rename it"]);
}

#[test]
fn csv_that_is_not_dhis2s_is_refused() {
    let dir = tmp("outcome-csv");
    let db = malaria_store(&dir);
    let semicolons = file(
        &dir,
        "semi.csv",
        "dataelement;period;orgunit;categoryoptioncombo;attributeoptioncombo;value\n\
         MAL_RDT;202409;KA_HC1;;;61\n",
    );
    let o = dxf2(&[&["import", s(&semicolons), "--store", s(&db)][..], &CODE].concat());
    exits(&o, 2, &["separated by `;`", "commas"]);
    let unknown = file(&dir, "people.csv", "name,age\nAda,36\n");
    let o = dxf2(&["import", s(&unknown), "--store", s(&db)]);
    exits(&o, 2, &["names no DHIS2 column"]);
    // A first row that is data: name --first-row-is-header false.
    let headless = file(
        &dir,
        "headless.csv",
        "MAL_RDT,202409,KA_HC1,,,61\nMAL_RDT,202409,KA_HC2,,,40\n",
    );
    let o = dxf2(&[&["validate", s(&headless), "--store", s(&db)][..], &CODE].concat());
    exits(&o, 2, &["looks like data", "--first-row-is-header false"]);
    let o = dxf2(
        &[
            &[
                "validate",
                s(&headless),
                "--store",
                s(&db),
                "--summary",
                "json",
            ][..],
            &CODE,
            &["--first-row-is-header", "false"],
        ]
        .concat(),
    );
    exits(&o, 0, &[]);
    assert!(out(&o).contains(r#""imported":2"#), "{}", out(&o));
}

#[test]
fn an_empty_input_is_unusable() {
    let dir = tmp("outcome-empty");
    let db = malaria_store(&dir);
    for name in ["empty.csv", "empty", "empty.xml"] {
        let path = file(&dir, name, "");
        let o = dxf2(&["import", s(&path), "--store", s(&db)]);
        exits(&o, 2, &["is empty (0 bytes)"]);
        assert!(
            out(&o).contains("Status:      ERROR"),
            "{name}: {}",
            out(&o)
        );
    }
    let o = dxf2_stdin(&["import", "-", "--store", s(&db)], b"");
    exits(&o, 2, &["<stdin> is empty (0 bytes)"]);
    // JSON: DHIS2's (Jackson's) description.
    let path = file(&dir, "empty.json", "");
    let o = dxf2(&["import", s(&path), "--store", s(&db), "--summary", "json"]);
    exits(&o, 2, &["is empty"]);
    let json = out(&o);
    assert!(json.contains(r#""status":"ERROR""#), "{json}");
    assert!(
        json.contains("The import process failed: No content to map due to end-of-input"),
        "{json}"
    );
    let o = dxf2(&["convert", s(&path), "-o", s(&dir.join("x.csv"))]);
    exits(&o, 2, &["is empty (0 bytes)"]);
}

#[test]
fn documents_without_values_succeed_with_a_note() {
    let dir = tmp("outcome-novalues");
    let db = malaria_store(&dir);
    let cases = [
        ("empty-object.json", "{}", "holds no data values"),
        (
            "empty-set.xml",
            r#"<dataValueSet xmlns="http://dhis2.org/schema/dxf/2.0"/>"#,
            "holds no data values",
        ),
        ("header-only.csv", &format!("{HEADER}\n"), "no data rows"),
    ];
    for (name, text, note) in cases {
        let path = file(&dir, name, text);
        let o = dxf2(&["import", s(&path), "--store", s(&db), "--summary", "json"]);
        exits(&o, 0, &["note:", note]);
        let json = out(&o);
        assert!(json.contains(r#""status":"SUCCESS""#), "{name}: {json}");
        // The note is not in DHIS2's document.
        assert!(
            !json.contains("note") && !json.contains(note),
            "{name}: {json}"
        );
        // The table holds it instead of stderr.
        let o = dxf2(&["import", s(&path), "--store", s(&db)]);
        exits(&o, 0, &[]);
        assert!(out(&o).contains(note), "{name}: {}", out(&o));
        assert!(!err(&o).contains(note), "{name}: {}", err(&o));
    }
}

#[test]
fn fail_on_warning_turns_warning_into_exit_1() {
    let dir = tmp("outcome-warning");
    let db = malaria_store(&dir);
    let xml = example("malaria-2024-09.xml");
    // The example has one bad value: WARNING, exit 0 by default.
    let o = dxf2(&["validate", s(&xml), "--store", s(&db)]);
    exits(&o, 0, &[]);
    let table = out(&o);
    assert!(table.contains("Status:      WARNING"), "{table}");
    // A dry run is marked; rejected values read as values, not a count.
    assert!(
        table.contains("Dry run:     yes, nothing was written"),
        "{table}"
    );
    assert!(table.contains("Rejected:    1 value (index "), "{table}");
    let o = dxf2(&["validate", s(&xml), "--store", s(&db), "--fail-on-warning"]);
    exits(&o, 1, &["WARNING", "--fail-on-warning"]);
    // DHIS2's JSON document of a dry run is DHIS2's: no marks added.
    let o = dxf2(&["validate", s(&xml), "--store", s(&db), "--summary", "json"]);
    exits(&o, 0, &["note: a dry run: nothing was written"]);
    assert!(!out(&o).contains("nothing was written"), "{}", out(&o));
}

#[test]
fn a_csv_cut_short_in_its_last_line_is_noted() {
    let dir = tmp("outcome-cut");
    let db = malaria_store(&dir);
    let cut = file(
        &dir,
        "cut.csv",
        &format!("{HEADER}\nMAL_RDT,202409,KA_HC1,,,61\nMAL_RDT,202409,KA_HC2,,,4"),
    );
    let o = dxf2(
        &[
            &["validate", s(&cut), "--store", s(&db), "--summary", "json"][..],
            &CODE,
        ]
        .concat(),
    );
    exits(&o, 0, &["note:", "may be cut short at line 3"]);
    let whole = file(
        &dir,
        "whole.csv",
        &format!("{HEADER}\nMAL_RDT,202409,KA_HC1,,,61\n"),
    );
    let o = dxf2(
        &[
            &[
                "validate",
                s(&whole),
                "--store",
                s(&db),
                "--summary",
                "json",
            ][..],
            &CODE,
        ]
        .concat(),
    );
    exits(&o, 0, &[]);
    assert!(!err(&o).contains("cut short"), "{}", err(&o));
}

#[test]
fn a_csv_cut_short_is_noted_from_stdin_gzip_and_zip_too() {
    use std::io::Write;

    let dir = tmp("outcome-cut-packed");
    let db = malaria_store(&dir);
    let cut = format!("{HEADER}\nMAL_RDT,202409,KA_HC1,,,61\nMAL_RDT,202409,KA_HC2,,,4");
    let whole = format!("{cut}\n");
    let note = "note: the last line of <stdin> (line 3) has no line end: the file may be cut \
                short at line 3 (DHIS2 imports that line as it is; check its last value)";
    let validate = |input: &str, extra: &[&str]| {
        let args = [
            &["validate", input, "--store", s(&db), "--summary", "json"][..],
            extra,
            &CODE,
        ]
        .concat();
        args.iter().map(|a| a.to_string()).collect::<Vec<_>>()
    };
    let run_stdin = |text: &str| {
        let args = validate("-", &["--format", "csv"]);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        dxf2_stdin(&args, text.as_bytes())
    };
    // stdin: the note names it as every message does; on stderr beside DHIS2's JSON document,
    // which stays DHIS2's.
    let o = run_stdin(&cut);
    exits(&o, 0, &[note]);
    assert!(!out(&o).contains("cut short"), "{}", out(&o));
    let o = run_stdin(&whole);
    exits(&o, 0, &[]);
    assert!(!err(&o).contains("cut short"), "{}", err(&o));
    // The 2.43 reader says it too.
    let args = validate("-", &["--format", "csv", "--dhis2-version", "2.43"]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    exits(&dxf2_stdin(&args, cut.as_bytes()), 0, &[note]);
    // gzip.
    let gzip = |name: &str, text: &str| {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        e.write_all(text.as_bytes()).unwrap();
        let path = dir.join(name);
        std::fs::write(&path, e.finish().unwrap()).unwrap();
        path
    };
    let run = |path: &std::path::Path| {
        let args = validate(s(path), &[]);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        dxf2(&args)
    };
    let o = run(&gzip("cut.csv.gz", &cut));
    exits(
        &o,
        0,
        &[
            "note:",
            "(line 3) has no line end",
            "may be cut short at line 3",
        ],
    );
    let o = run(&gzip("whole.csv.gz", &whole));
    exits(&o, 0, &[]);
    assert!(!err(&o).contains("cut short"), "{}", err(&o));
    // zip.
    let zip = |name: &str, text: &str| {
        let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        w.start_file("dataValues.csv", zip::write::SimpleFileOptions::default())
            .unwrap();
        w.write_all(text.as_bytes()).unwrap();
        let path = dir.join(name);
        std::fs::write(&path, w.finish().unwrap().into_inner()).unwrap();
        path
    };
    let o = run(&zip("cut.csv.zip", &cut));
    exits(&o, 0, &["note:", "may be cut short at line 3"]);
    let o = run(&zip("whole.csv.zip", &whole));
    exits(&o, 0, &[]);
    assert!(!err(&o).contains("cut short"), "{}", err(&o));
}

#[test]
fn conflicts_say_where_the_value_is_and_what_was_wrong() {
    // examples/data/malaria-2024-09.xml holds one bad value on purpose: `many` for MAL_RDT, on line
    // 16, the 13th value (DHIS2's index 12).
    let dir = tmp("value-notes");
    let store = malaria_store(&dir);
    let input = example("malaria-2024-09.xml");
    let table = dxf2(&["validate", s(&input), "--store", s(&store)]);
    exits(&table, 0, &[]);
    assert!(
        out(&table).contains("index 12: line 16, column 3: value `many`"),
        "{}",
        out(&table)
    );
    // The JSON document stays DHIS2's; the place goes to stderr.
    let json = dxf2(&[
        "validate",
        s(&input),
        "--store",
        s(&store),
        "--summary",
        "json",
    ]);
    exits(
        &json,
        0,
        &["E7619, value index 12: line 16, column 3: value `many`"],
    );
    assert!(!out(&json).contains("line 16"), "{}", out(&json));
}
