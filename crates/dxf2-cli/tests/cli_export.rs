//! `dxf2 export` as a user runs it: metadata import, import, then exports to `.xml`, `.csv.zip`
//! and `.json.gz`, to stdout, to a directory with DHIS2's file names; exit codes and messages.
//! The outputs are read back with the codecs.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::fs::File;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use dxf2_model::{DataValue, DataValueSetHeader, DataValueSource};

const DS_A: &str = "dsabcdefghA";
const DS_B: &str = "dsabcdefghB";
const OU_A: &str = "ouabcdefghA";
const OU_C: &str = "ouabcdefghC";

/// Data set A from 2016-03-01 to 2016-04-30 in the subtree of ouA (all its 12 values).
const MARCH_APRIL: [&str; 9] = [
    "--data-set",
    DS_A,
    "--start-date",
    "2016-03-01",
    "--end-date",
    "2016-04-30",
    "--org-unit",
    OU_A,
    "--children",
];

fn dxf2(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_dxf2"))
        .args(args)
        .output()
        .unwrap()
}

/// `dxf2 export --store <db>` and `args`.
fn export(db: &str, args: &[&str]) -> Output {
    dxf2(&[&["export", "--store", db], args].concat())
}

/// `dxf2 export --store <db> --data-set <ds> --period <pe> --org-unit <ou>` and `more`: one data
/// set, one period, one org unit.
fn export_one(db: &str, ds: &str, pe: &str, ou: &str, more: &[&str]) -> Output {
    let one = ["--data-set", ds, "--period", pe, "--org-unit", ou];
    export(db, &[&one[..], more].concat())
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn ok(output: &Output) {
    assert!(
        output.status.success(),
        "exit {:?}\nstdout: {}\nstderr: {}",
        output.status.code(),
        text(&output.stdout),
        text(&output.stderr)
    );
}

fn tmp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("dxf2-cli-export-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The 12 values of fixture E as a DXF2 JSON payload (COC = AOC).
fn fixture_e_values() -> String {
    let mut values = Vec::new();
    for (de, periods) in [
        ("deabcdefghA", &["201603", "201604"][..]),
        ("deabcdefghB", &["201603"][..]),
    ] {
        for pe in periods {
            for ou in ["ouabcdefghA", "ouabcdefghB"] {
                for coc in ["cuabcdefghA", "cuabcdefghB"] {
                    values.push(format!(
                        r#"{{"dataElement":"{de}","period":"{pe}","orgUnit":"{ou}","categoryOptionCombo":"{coc}","attributeOptionCombo":"{coc}","value":"1"}}"#
                    ));
                }
            }
        }
    }
    format!(r#"{{"dataValues":[{}]}}"#, values.join(","))
}

/// A store with fixture E's metadata and its 12 values, imported through the command.
fn store(dir: &Path) -> PathBuf {
    let db = dir.join("store.sqlite");
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/fixture_e.json");
    ok(&dxf2(&[
        "metadata",
        "import",
        fixture.to_str().unwrap(),
        "--store",
        db.to_str().unwrap(),
    ]));
    let values = dir.join("values.json");
    std::fs::write(&values, fixture_e_values()).unwrap();
    let imported = dxf2(&[
        "import",
        values.to_str().unwrap(),
        "--store",
        db.to_str().unwrap(),
        "--summary",
        "json",
    ]);
    ok(&imported);
    assert!(
        text(&imported.stdout).contains(r#""imported":12"#),
        "{}",
        text(&imported.stdout)
    );
    db
}

/// Every value of a source, with its header.
fn read_all<S: DataValueSource>(mut source: S) -> (DataValueSetHeader, Vec<DataValue>) {
    let mut values = Vec::new();
    let mut record = DataValue::new();
    while source.read_value(&mut record).unwrap() {
        values.push(record.clone());
    }
    (source.header().clone(), values)
}

fn column(values: &[DataValue], f: impl Fn(&DataValue) -> Option<&str>) -> Vec<String> {
    values
        .iter()
        .map(|v| f(v).unwrap_or("<absent>").to_owned())
        .collect()
}

#[test]
fn import_then_export_to_xml_csv_zip_and_json_gz() {
    let dir = tmp("formats");
    let db = store(&dir);
    let db = db.to_str().unwrap();

    // XML, the single-set case: header and 4 values.
    let xml = dir.join("march.xml");
    let out = export_one(db, DS_A, "201603", OU_A, &["-o", xml.to_str().unwrap()]);
    ok(&out);
    assert!(
        text(&out.stderr).contains("4 values written"),
        "{}",
        text(&out.stderr)
    );
    let reader = dxf2_xml::Reader::new(BufReader::new(File::open(&xml).unwrap())).unwrap();
    let (header, values) = read_all(reader);
    assert_eq!(header.data_set.as_deref(), Some(DS_A));
    assert_eq!(header.period.as_deref(), Some("201603"));
    assert_eq!(header.org_unit.as_deref(), Some(OU_A));
    assert_eq!(values.len(), 4);
    assert_eq!(column(&values, DataValue::org_unit), [OU_A; 4]);
    assert!(values
        .iter()
        .all(|v| v.created().is_some_and(|c| c.ends_with("+0000"))));

    // CSV in a zip: two data sets, two periods, the subtree of ouA; org unit codes.
    let csv_zip = dir.join("all.csv.zip");
    ok(&export(
        db,
        &[
            "--data-set",
            DS_A,
            DS_B,
            "--period",
            "201603",
            "201604",
            "--org-unit",
            OU_A,
            "--children",
            "--org-unit-id-scheme",
            "CODE",
            "-o",
            csv_zip.to_str().unwrap(),
        ],
    ));
    let mut archive = zip::ZipArchive::new(File::open(&csv_zip).unwrap()).unwrap();
    assert_eq!(archive.len(), 1);
    let mut entry = archive.by_index(0).unwrap();
    assert_eq!(entry.name().unwrap(), "all.csv");
    let mut csv = String::new();
    entry.read_to_string(&mut csv).unwrap();
    assert!(csv.starts_with(
        "dataelement,period,orgunit,categoryoptioncombo,attributeoptioncombo,value,storedby,lastupdated,comment,followup,deleted\n"
    ));
    let reader = dxf2_csv::ReaderBuilder::new()
        .from_reader(csv.as_bytes())
        .unwrap();
    let (_, values) = read_all(reader);
    assert_eq!(values.len(), 12);
    let mut units = column(&values, DataValue::org_unit);
    units.sort();
    units.dedup();
    assert_eq!(units, ["OrganisationUnitCodeA", "OrganisationUnitCodeB"]);

    // JSON, gzip: data element codes, no header (two periods).
    let json_gz = dir.join("all.json.gz");
    let by_code = |file: &Path| {
        export(
            db,
            &[
                "--data-set",
                DS_A,
                "--period",
                "201603",
                "201604",
                "--org-unit",
                OU_A,
                "--children",
                "--data-element-id-scheme",
                "CODE",
                "-o",
                file.to_str().unwrap(),
            ],
        )
    };
    ok(&by_code(&json_gz));
    let gz = flate2::read::GzDecoder::new(File::open(&json_gz).unwrap());
    let reader = dxf2_json::Reader::new(BufReader::new(gz)).unwrap();
    let (header, values) = read_all(reader);
    assert_eq!(header, DataValueSetHeader::default());
    assert_eq!(values.len(), 12);
    let mut elements = column(&values, DataValue::data_element);
    elements.dedup();
    assert_eq!(
        elements,
        ["DataElementCodeA", "DataElementCodeB", "DataElementCodeA"]
    );

    // Deterministic: the same request gives the same bytes.
    let again = dir.join("again.json.gz");
    ok(&by_code(&again));
    assert_eq!(
        std::fs::read(&json_gz).unwrap(),
        std::fs::read(&again).unwrap()
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn stdout_is_json_by_default_and_names_follow_dhis2() {
    let dir = tmp("names");
    let db = store(&dir);
    let db = db.to_str().unwrap();

    let out = export_one(db, DS_B, "201604", OU_A, &[]);
    ok(&out);
    let stdout = text(&out.stdout);
    assert!(
        stdout.starts_with(r#"{"dataSet":"dsabcdefghB","completeDate":null,"period":"201604","orgUnit":"ouabcdefghA","dataValues":[{"dataElement":"deabcdefghA","period":"201604","orgUnit":"ouabcdefghA","categoryOptionCombo":"cuabcdefghA""#),
        "{stdout}"
    );
    assert!(stdout.contains(r#""followup":false}"#), "{stdout}");

    // A directory: DHIS2's download name.
    let out_dir = dir.join("downloads");
    std::fs::create_dir_all(&out_dir).unwrap();
    let xml_zip = ["--format", "xml", "--compression", "zip"];
    let to_dir = ["-o", out_dir.to_str().unwrap()];
    ok(&export(db, &[&MARCH_APRIL[..], &xml_zip, &to_dir].concat()));
    let zipped = out_dir.join("dataValues_2016-03-01_2016-04-30.xml.zip");
    let mut archive = zip::ZipArchive::new(File::open(&zipped).unwrap()).unwrap();
    let entry = archive.by_index(0).unwrap();
    assert_eq!(
        entry.name().unwrap(),
        "dataValues_2016-03-01_2016-04-30.xml"
    );
    let (_, values) = read_all(dxf2_xml::Reader::new(BufReader::new(entry)).unwrap());
    assert_eq!(values.len(), 12);

    let csv_attachment = ["--format", "csv", "--attachment", "march"];
    ok(&export_one(
        db,
        DS_A,
        "201603",
        OU_A,
        &[&csv_attachment[..], &to_dir].concat(),
    ));
    let csv = std::fs::read_to_string(out_dir.join("march.csv")).unwrap();
    assert_eq!(csv.lines().count(), 5, "{csv}");
    assert!(
        csv.lines().nth(1).unwrap().ends_with(",false,null"),
        "{csv}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn refused_requests_exit_1_with_dhis2s_message_and_write_nothing() {
    let dir = tmp("refused");
    let db = store(&dir);
    let db = db.to_str().unwrap();
    let file = dir.join("nothing.json");

    let out = export(
        db,
        &[
            "--period",
            "201603",
            "--org-unit",
            OU_A,
            "-o",
            file.to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        text(&out.stderr).trim(),
        "error: E2001: At least one data element, data set or data element group must be specified"
    );
    assert!(!file.exists());

    // The web API's order: the parameter checks come before access (E2012 is not reported).
    let out = export(
        db,
        &["--data-set", DS_A, "--org-unit", OU_C, "--user", "userA"],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("E2002: "),
        "{}",
        text(&out.stderr)
    );
    let out = export_one(db, DS_A, "201603", OU_C, &["--user", "userA"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains(&format!(
            "E2012: User is not allowed to view org unit: `{OU_C}`"
        )),
        "{}",
        text(&out.stderr)
    );
    let out = export_one(db, DS_A, "201603", OU_A, &["--limit", "-2"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("E2009: Limit cannot be less than zero: `-2`"));

    // Unusable arguments or store: 2.
    let missing = dir.join("missing.sqlite");
    let out = export_one(missing.to_str().unwrap(), DS_A, "201603", OU_A, &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(!missing.exists());
    let out = export(db, &["--user", "nobody", "--org-unit", OU_A]);
    assert_eq!(out.status.code(), Some(2));
    let out = export(db, &["--start-date", "March"]);
    assert_eq!(out.status.code(), Some(2));
    let out = export_one(db, DS_A, "201603", OU_A, &["--id-scheme", "ID"]);
    assert_eq!(out.status.code(), Some(2));
    let _ = std::fs::remove_dir_all(&dir);
}

// ---------------------------------------------------------------------------------------------
// `--dhis2-version 2.43`: DHIS2 2.43+'s export
// ---------------------------------------------------------------------------------------------

#[test]
fn dhis2_2_43_documents_in_the_three_formats() {
    let dir = tmp("v243");
    let db = store(&dir);
    let db = db.to_str().unwrap();
    let single = |more: &[&str]| {
        export_one(
            db,
            DS_B,
            "201604",
            OU_A,
            &[&["--dhis2-version", "2.43"], more].concat(),
        )
    };

    // JSON on stdout: the group header, values without its fields, nothing null.
    let out = single(&[]);
    ok(&out);
    let stdout = text(&out.stdout);
    assert!(
        stdout.starts_with(r#"{"dataSet":"dsabcdefghB","period":"201604","orgUnit":"ouabcdefghA","dataValues":[{"dataElement":"deabcdefghA","categoryOptionCombo":"cuabcdefghA","attributeOptionCombo":"cuabcdefghA","value":"1","#),
        "{stdout}"
    );
    assert_eq!(stdout.matches("\"period\"").count(), 1, "{stdout}");
    assert!(
        !stdout.contains("null") && !stdout.contains("completeDate"),
        "{stdout}"
    );
    assert!(stdout.ends_with(r#""followup":false}]}"#), "{stdout}");
    // The classic answer to the same request differs.
    let classic = export_one(db, DS_B, "201604", OU_A, &[]);
    ok(&classic);
    assert!(text(&classic.stdout).starts_with(r#"{"dataSet":"dsabcdefghB","completeDate":null,"#));

    // XML: the header period in ADX form; followUp only when true.
    let xml = dir.join("april.xml");
    ok(&single(&["-o", xml.to_str().unwrap()]));
    let document = std::fs::read_to_string(&xml).unwrap();
    assert!(
        document.starts_with(
            "<?xml version='1.0' encoding='UTF-8'?>\n<dataValueSet xmlns=\"http://dhis2.org/schema/dxf/2.0\" \
             dataSet=\"dsabcdefghB\" period=\"2016-04-01/P1M\" orgUnit=\"ouabcdefghA\">\n  \
             <dataValue dataElement=\"deabcdefghA\" categoryOptionCombo=\"cuabcdefghA\" attributeOptionCombo=\"cuabcdefghA\" value=\"1\""
        ),
        "{document}"
    );
    assert!(!document.contains("followUp"), "{document}");
    let reader = dxf2_xml::Reader::with_profile(
        BufReader::new(File::open(&xml).unwrap()),
        dxf2_model::ImporterProfile::Pipeline,
    )
    .unwrap();
    let (header, values) = read_all(reader);
    assert_eq!(header.period.as_deref(), Some("2016-04-01/P1M"));
    assert_eq!(values.len(), 2);

    // CSV: the group's fields in every row, `deleted` false.
    let csv = dir.join("april.csv");
    ok(&single(&["-o", csv.to_str().unwrap()]));
    let document = std::fs::read_to_string(&csv).unwrap();
    let rows: Vec<&str> = document.lines().collect();
    assert_eq!(rows.len(), 3, "{document}");
    assert!(
        rows[1].starts_with("deabcdefghA,201604,ouabcdefghA,cuabcdefghA,cuabcdefghA,1,"),
        "{document}"
    );
    assert!(rows[1].ends_with(",false,false"), "{document}");

    // Deterministic.
    let again = single(&[]);
    assert_eq!(again.stdout, out.stdout);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn dhis2_2_43_names_checks_and_missing_identifiers() {
    let dir = tmp("v243-rules");
    let db = store(&dir);
    let db = db.to_str().unwrap();
    let out_dir = dir.join("downloads");
    std::fs::create_dir_all(&out_dir).unwrap();

    // 2.43's file name: a trailing `.<format>` of the attachment is not doubled.
    let v243 = ["--dhis2-version", "2.43"];
    let csv_attachment = ["--format", "csv", "--attachment", "march.csv"];
    let to_dir = ["-o", out_dir.to_str().unwrap()];
    let more = [&v243[..], &csv_attachment, &to_dir].concat();
    ok(&export_one(db, DS_A, "201603", OU_A, &more));
    let csv = std::fs::read_to_string(out_dir.join("march.csv")).unwrap();
    assert_eq!(csv.lines().count(), 5, "{csv}");
    let gzip = ["--compression", "gzip"];
    ok(&export(
        db,
        &[&v243[..], &MARCH_APRIL, &gzip, &to_dir].concat(),
    ));
    assert!(out_dir
        .join("dataValues_2016-03-01_2016-04-30.json.gz")
        .is_file());

    // The first failing check: children without org units is E2006 (classic: E2008).
    let children = |version: &str| {
        export(
            db,
            &[
                "--dhis2-version",
                version,
                "--data-set",
                DS_A,
                "--period",
                "201603",
                "--children",
            ],
        )
    };
    let out = children("2.43");
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        text(&out.stderr).trim(),
        "error: E2006: At least one organisation unit or organisation unit group must be specified"
    );
    assert!(text(&children("2.42").stderr).contains("E2008: "));

    // deB has no value of attribute atA: 2.43 refuses (E8201) and writes no file, classic writes
    // the values without the identifier.
    let file = dir.join("attribute.json");
    let by_attribute = |version: &str| {
        let scheme = ["--data-element-id-scheme", "ATTRIBUTE:atabcdefghA"];
        let more = [
            &["--dhis2-version", version][..],
            &scheme,
            &["-o", file.to_str().unwrap()],
        ];
        export_one(db, DS_A, "201603", OU_A, &more.concat())
    };
    let out = by_attribute("2.43");
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        text(&out.stderr).trim(),
        "error: E8201: Export as ATTR not possible as the property is undefined for data element(s): `[deabcdefghB]`"
    );
    assert!(!file.exists());
    ok(&by_attribute("2.42"));
    assert!(file.is_file());

    // An unknown version is an unusable argument.
    let out = export_one(db, DS_A, "201603", OU_A, &["--dhis2-version", "2.30"]);
    assert_eq!(out.status.code(), Some(2));
    let _ = std::fs::remove_dir_all(&dir);
}
