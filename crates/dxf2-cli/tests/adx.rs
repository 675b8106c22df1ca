//! IHE ADX through the `dxf2` command (issue 12): DHIS2's own ADX payloads
//! (`../shared/corpus/dhis2-core/adx/`) imported into a store made by `dxf2 metadata import` from
//! the metadata DHIS2's `AdxDataServiceIntegrationTest` builds
//! (`crates/adx/tests/fixtures/adx-integration-test.metadata.json`), with the values DHIS2's
//! tests find (`../shared/spec/adx-pdf-geo-scenarios.md` §1.2); a mapping DHIS2 refuses; export to
//! `.adx.xml` and back; conversions through JSON and CSV; ADX told from DXF2 XML by its root.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Output;

use common::*;
use serde_json::Value;

/// The fixture of the `adx` crate: DHIS2's ADX test metadata as DXF2 metadata JSON.
fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../adx/tests/fixtures/adx-integration-test.metadata.json")
}

/// A corpus payload, or `None` when the corpus is absent and `DXF2_SKIP_CORPUS=1`.
fn corpus(name: &str) -> Option<PathBuf> {
    dxf2_testdata::corpus::corpus_file(&format!("adx/{name}"))
}

/// A store in `dir` holding the fixture. The fixture leaves out `shortName`, which DHIS2's
/// metadata import requires (E4000) but DHIS2's test, building objects in Java, never needed:
/// `--skip-validation` (DHIS2's `skipValidation`) loads it as it is.
fn store(dir: &Path, name: &str, metadata: &Path) -> PathBuf {
    let db = dir.join(name);
    let o = dxf2(&[
        "metadata",
        "import",
        s(metadata),
        "--store",
        s(&db),
        "--skip-validation",
    ]);
    exits(&o, 0, &[]);
    db
}

fn json(o: &Output) -> Value {
    serde_json::from_str(&out(o)).unwrap_or_else(|e| panic!("{e}: {}\n{}", out(o), err(o)))
}

/// One stored value: data element, period, org unit, category and attribute option combo
/// (UIDs), value.
type Row = (String, String, String, String, String, String);

/// Every value of the store, as DHIS2's JSON export by UID gives them.
fn rows(db: &Path) -> BTreeSet<Row> {
    let o = dxf2(&[
        "export",
        "--store",
        s(db),
        "--data-set",
        "MalariaDSSS",
        "MalariaMech",
        "--org-unit",
        "P1233333333",
        "--children",
        "--start-date",
        "2020-01-01",
        "--end-date",
        "2021-12-31",
        "--format",
        "json",
    ]);
    exits(&o, 0, &[]);
    let field = |v: &Value, k: &str| v[k].as_str().unwrap_or_default().to_owned();
    json(&o)["dataValues"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            (
                field(v, "dataElement"),
                field(v, "period"),
                field(v, "orgUnit"),
                field(v, "categoryOptionCombo"),
                field(v, "attributeOptionCombo"),
                field(v, "value"),
            )
        })
        .collect()
}

/// The nine values `testGetAllDataValuesA/B/C` find in the database after the import.
fn nine_values() -> BTreeSet<Row> {
    let d = "HllvX50cXC0";
    [
        (
            "MalNummmmmm",
            "202001",
            "P1233333333",
            "FUnder55555",
            d,
            "1",
        ),
        (
            "MalNummmmmm",
            "202001",
            "P1233333333",
            "MUnder55555",
            d,
            "2",
        ),
        (
            "MalNummmmmm",
            "202001",
            "P1233333333",
            "FOver555555",
            d,
            "3",
        ),
        (
            "MalNummmmmm",
            "202001",
            "P1233333333",
            "MOver555555",
            d,
            "4",
        ),
        (
            "MalTexttttt",
            "202001",
            "P1233333333",
            d,
            d,
            "Text data value",
        ),
        (
            "MalNummmmmm",
            "202002",
            "D4566666666",
            "FUnder55555",
            d,
            "6",
        ),
        (
            "MalNummmmmm",
            "2021Q1",
            "D4566666666",
            "FUnder55555",
            "cocPEPFARRR",
            "10",
        ),
        (
            "MalNummmmmm",
            "2021Q1",
            "D4566666666",
            "FOver555555",
            "cocMcDonald",
            "20",
        ),
        (
            "MalNummmmmm",
            "2021Q1",
            "D4566666666",
            "MUnder55555",
            "cocMcDonald",
            "30",
        ),
    ]
    .iter()
    .map(|r| {
        (
            r.0.to_owned(),
            r.1.to_owned(),
            r.2.to_owned(),
            r.3.to_owned(),
            r.4.to_owned(),
            r.5.to_owned(),
        )
    })
    .collect()
}

/// `dxf2 import FILE --store DB --summary json` with more flags.
fn import(file: &Path, db: &Path, more: &[&str]) -> Output {
    let base = ["import", s(file), "--store", s(db), "--summary", "json"];
    dxf2(&[&base[..], more].concat())
}

/// The request id schemes of DHIS2's three import tests (the rest CODE, ADX's default).
const SCHEMES: [(&str, &[&str]); 3] = [
    (
        "importA.adx.xml",
        &[
            "--data-element-id-scheme",
            "NAME",
            "--category-id-scheme",
            "NAME",
            "--category-option-id-scheme",
            "UID",
            "--category-option-combo-id-scheme",
            "UID",
        ],
    ),
    (
        "importB.adx.xml",
        &[
            "--data-set-id-scheme",
            "NAME",
            "--org-unit-id-scheme",
            "UID",
            "--data-element-id-scheme",
            "UID",
            "--category-option-combo-id-scheme",
            "NAME",
        ],
    ),
    (
        "importC.adx.xml",
        &[
            "--data-set-id-scheme",
            "UID",
            "--org-unit-id-scheme",
            "NAME",
            "--category-id-scheme",
            "UID",
            "--category-option-id-scheme",
            "NAME",
        ],
    ),
];

/// `testGetAllDataValuesA/B/C`: each payload, into an empty store, gives exactly the nine values.
#[test]
fn dhis2s_payloads_import_with_dhis2s_values() {
    let dir = tmp("adx-corpus");
    for (name, flags) in SCHEMES {
        let Some(file) = corpus(name) else {
            return;
        };
        let db = store(&dir, &format!("{name}.sqlite"), &fixture());
        let o = import(&file, &db, flags);
        exits(&o, 0, &[]);
        let summary = json(&o);
        assert_eq!(summary["status"], "SUCCESS", "{name}: {summary}");
        assert_eq!(summary["importCount"]["imported"], 9, "{name}: {summary}");
        assert_eq!(rows(&db), nine_values(), "{name}");
    }
}

/// `testImportDataIgnoreDatesOnCreate` / `OnUpdate` (2.41, 2.42): UID schemes; the numeric
/// value's annotation is ignored; the update replaces 33 by 55.
#[test]
fn the_dates_payloads_create_then_update() {
    let (Some(first), Some(update)) = (
        corpus("importDates.adx.xml"),
        corpus("importDatesUpdate.adx.xml"),
    ) else {
        return;
    };
    let dir = tmp("adx-dates");
    let db = store(&dir, "store.sqlite", &fixture());
    let o = import(&first, &db, &["--id-scheme", "UID"]);
    exits(&o, 0, &[]);
    assert_eq!(json(&o)["importCount"]["imported"], 1);
    let row = |value: &str| {
        BTreeSet::from([(
            "MalNummmmmm".to_owned(),
            "202001".to_owned(),
            "P1233333333".to_owned(),
            "MOver555555".to_owned(),
            "HllvX50cXC0".to_owned(),
            value.to_owned(),
        )])
    };
    assert_eq!(rows(&db), row("33"));
    let o = import(&update, &db, &["--id-scheme", "UID"]);
    exits(&o, 0, &[]);
    assert_eq!(json(&o)["importCount"]["updated"], 1);
    assert_eq!(rows(&db), row("55"));
}

/// A mapping DHIS2 refuses fails the whole import: DHIS2's ERROR summary, the error with its
/// line and column on stderr, exit 1, nothing written.
#[test]
fn a_refused_mapping_is_dhis2s_error_and_writes_nothing() {
    let Some(file) = corpus("importB.adx.xml") else {
        return;
    };
    let dir = tmp("adx-refused");
    let db = store(&dir, "store.sqlite", &fixture());
    // The value 6 (line 12) names a sex that is not an option of the category.
    let text = std::fs::read_to_string(&file).unwrap().replace(
        r#"sex="F" age="under5" value="6""#,
        r#"sex="X" age="under5" value="6""#,
    );
    let bad = common::file(&dir, "bad.adx.xml", &text);
    let o = import(&bad, &db, SCHEMES[1].1);
    exits(
        &o,
        1,
        &["error: ", "line 12, column 9 (group #2, value #6, index 5): Invalid attributes: {sex=X, age=under5}"],
    );
    let summary = json(&o);
    assert_eq!(summary["status"], "ERROR");
    assert_eq!(
        summary["description"],
        "The import process failed: Invalid attributes: {sex=X, age=under5}"
    );
    assert_eq!(summary["conflicts"], serde_json::json!([]));
    assert_eq!(summary["importCount"]["imported"], 0);
    assert!(rows(&db).is_empty());

    // The table says the same.
    let o = dxf2(&[&["import", s(&bad), "--store", s(&db)][..], SCHEMES[1].1].concat());
    exits(&o, 1, &["line 12, column 9"]);
    assert!(
        out(&o).contains("Invalid attributes: {sex=X, age=under5}"),
        "{}",
        out(&o)
    );

    // An unknown data set code: DHIS2 2.42's words.
    let text = std::fs::read_to_string(&file)
        .unwrap()
        .replace(r#"dataSet="Malaria DS""#, r#"dataSet="Malaria XX""#);
    let bad = common::file(&dir, "bad-ds.adx.xml", &text);
    let o = import(&bad, &db, SCHEMES[1].1);
    exits(&o, 1, &["line 2"]);
    assert_eq!(
        json(&o)["description"],
        "The import process failed: No data set matching name 'Malaria XX'"
    );

    // DHIS2 2.43+: no option combo with these options is E8108, one conflict.
    let Some(dates) = corpus("importDates.adx.xml") else {
        return;
    };
    let text = std::fs::read_to_string(&dates)
        .unwrap()
        .replace("MMMMMMMMMMM", "XXXXXXXXXXX");
    let bad = common::file(&dir, "bad-2.43.adx.xml", &text);
    let o = import(&bad, &db, &["--dhis2-version", "2.43"]);
    exits(
        &o,
        1,
        &["line 3, column 9", "category option combo not found"],
    );
    let summary = json(&o);
    assert_eq!(summary["status"], "ERROR");
    assert_eq!(summary["conflicts"][0]["errorCode"], "E8108");
    assert_eq!(summary["conflicts"][0]["indexes"], serde_json::json!([-1]));
    assert!(rows(&db).is_empty());
}

/// `dxf2 export … -o out.adx.xml` writes DHIS2's ADX (codes); imported into another store it
/// gives the same values.
#[test]
fn an_adx_export_imports_back_to_the_same_values() {
    let Some(file) = corpus("importA.adx.xml") else {
        return;
    };
    let dir = tmp("adx-export");
    let db = store(&dir, "store.sqlite", &fixture());
    exits(&import(&file, &db, SCHEMES[0].1), 0, &[]);
    let exported = dir.join("out.adx.xml");
    // Filters by code, as DHIS2's ADX export takes them.
    let o = dxf2(&[
        "export",
        "--store",
        s(&db),
        "--data-set",
        "MalariaDS",
        "MalariaMechanismDS",
        "--org-unit",
        "123",
        "--children",
        "--start-date",
        "2020-01-01",
        "--end-date",
        "2021-12-31",
        "-o",
        s(&exported),
    ]);
    exits(&o, 0, &["9 values written"]);
    let adx = std::fs::read_to_string(&exported).unwrap();
    assert!(
        adx.starts_with(
            "<adx xmlns=\"urn:ihe:qrph:adx:2015\"><group dataSet=\"MalariaDS\" \
             period=\"2020-01-01/P1M\" orgUnit=\"123\">"
        ),
        "{adx}"
    );
    assert!(
        adx.contains("<dataValue dataElement=\"Mal_num\" sex=\"F\" age=\"under5\" value=\"1\"/>")
    );
    assert!(adx.contains("<dataValue dataElement=\"Mal_text\" value=\"0\"><annotation>Text data value</annotation></dataValue>"));
    assert!(
        adx.contains("orgUnit=\"456\" mechanism=\"PEPFAR\">"),
        "{adx}"
    );

    let other = store(&dir, "other.sqlite", &fixture());
    let o = import(&exported, &other, &[]);
    exits(&o, 0, &[]);
    assert_eq!(json(&o)["importCount"]["imported"], 9);
    assert_eq!(rows(&other), nine_values());

    // Other names: categories by name, options by UID (DHIS2's exportA); the attribute option
    // combo filter (DHIS2's exportD) by code.
    let o = dxf2(&[
        "export",
        "--store",
        s(&db),
        "--data-set",
        "MalariaMechanismDS",
        "--org-unit",
        "456",
        "--attribute-option-combo",
        "coc_McDonalds",
        "--start-date",
        "2020-01-01",
        "--end-date",
        "2021-12-31",
        "--format",
        "adx",
        "--category-id-scheme",
        "NAME",
        "--category-option-id-scheme",
        "UID",
    ]);
    exits(&o, 0, &[]);
    assert!(
        out(&o).contains(
            "<group dataSet=\"MalariaMechanismDS\" period=\"2021-01-01/P3M\" orgUnit=\"456\" \
             Mechanism_category=\"McDonaldsss\">"
        ),
        "{}",
        out(&o)
    );
    assert!(!out(&o).contains("PEPFAR"), "{}", out(&o));
}

/// An object without a code: the ADX export refuses before any output exists, listing it.
#[test]
fn an_adx_export_lists_what_lacks_a_code() {
    let dir = tmp("adx-codes");
    let text = std::fs::read_to_string(fixture())
        .unwrap()
        .replace(r#""code": "Mal_text", "#, "")
        .replace(r#""code": "sex", "#, r#""code": "the sex", "#);
    assert!(!text.contains("Mal_text"));
    let metadata = common::file(&dir, "metadata.json", &text);
    let db = store(&dir, "store.sqlite", &metadata);
    let target = dir.join("out.adx.xml");
    std::fs::write(&target, "before").unwrap();
    let o = dxf2(&[
        "export",
        "--store",
        s(&db),
        "--data-set",
        "MalariaDS",
        "--org-unit",
        "123",
        "--period",
        "202001",
        "-o",
        s(&target),
    ]);
    exits(
        &o,
        2,
        &[
            "cannot export ADX: 2 objects lack the identifier ADX names them by",
            "data element `Malaria text` (MalTexttttt) has no CODE",
            "category `Sex_category` (sexxxxxxxxx) has CODE `the sex`, which is not an XML name",
        ],
    );
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "before");
}

/// `dxf2 convert` ADX → JSON → ADX and ADX → CSV → ADX keep every value; without metadata it
/// is refused.
#[test]
fn conversions_through_adx_keep_the_values() {
    let Some(file) = corpus("importA.adx.xml") else {
        return;
    };
    let dir = tmp("adx-convert");
    let db = store(&dir, "store.sqlite", &fixture());
    exits(&import(&file, &db, SCHEMES[0].1), 0, &[]);
    let adx = dir.join("first.adx.xml");
    let o = dxf2(&[
        "export",
        "--store",
        s(&db),
        "--data-set",
        "MalariaDS",
        "MalariaMechanismDS",
        "--org-unit",
        "123",
        "--children",
        "--start-date",
        "2020-01-01",
        "--end-date",
        "2021-12-31",
        "-o",
        s(&adx),
    ]);
    exits(&o, 0, &[]);

    let json_file = dir.join("values.json");
    let o = dxf2(&["convert", s(&adx), "-o", s(&json_file)]);
    exits(
        &o,
        2,
        &["converting ADX needs the metadata", "--metadata", "--store"],
    );
    assert!(!json_file.exists());
    let o = dxf2(&["convert", s(&adx), "-o", s(&json_file), "--store", s(&db)]);
    exits(&o, 0, &["9 values converted", "(ADX)", "(JSON)"]);
    let values = std::fs::read_to_string(&json_file).unwrap();
    assert!(values.contains(r#""idScheme":"CODE""#), "{values}");
    assert!(
        values.contains(r#""categoryOptionCombo":"F_Under5""#),
        "{values}"
    );

    let back = dir.join("back.adx.xml");
    let o = dxf2(&[
        "convert",
        s(&json_file),
        "-o",
        s(&back),
        "--metadata",
        s(&fixture()),
    ]);
    exits(&o, 0, &["9 values converted"]);
    assert_eq!(
        std::fs::read_to_string(&back).unwrap(),
        std::fs::read_to_string(&adx).unwrap()
    );

    // CSV has no header to say its identifiers are codes: --id-scheme says it.
    let csv = dir.join("values.csv");
    exits(
        &dxf2(&["convert", s(&adx), "-o", s(&csv), "--store", s(&db)]),
        0,
        &[],
    );
    let again = dir.join("again.adx.xml");
    let o = dxf2(&["convert", s(&csv), "-o", s(&again), "--store", s(&db)]);
    exits(
        &o,
        2,
        &[
            "hint:",
            "--id-scheme CODE",
            "data element `Mal_num` (UID) is not in the metadata",
        ],
    );
    assert!(!again.exists());
    let o = dxf2(&[
        "convert",
        s(&csv),
        "-o",
        s(&again),
        "--store",
        s(&db),
        "--id-scheme",
        "CODE",
    ]);
    exits(&o, 0, &["9 values converted"]);
    let other = store(&dir, "other.sqlite", &fixture());
    exits(&import(&again, &other, &[]), 0, &[]);
    assert_eq!(rows(&other), nine_values());

    // --id-scheme means nothing between DXF2 formats.
    let o = dxf2(&[
        "convert",
        s(&csv),
        "-o",
        "-",
        "--to",
        "json",
        "--id-scheme",
        "CODE",
    ]);
    exits(&o, 2, &["--id-scheme is for conversions from or to ADX"]);
}

/// A `.xml` name fits both XML formats: the root element decides, as DHIS2 does; a name or a
/// `--format` that contradicts the content is refused.
#[test]
fn the_root_element_tells_adx_from_dxf2_xml() {
    let Some(file) = corpus("importA.adx.xml") else {
        return;
    };
    let dir = tmp("adx-root");
    let db = store(&dir, "store.sqlite", &fixture());
    let plain = dir.join("march.xml");
    std::fs::copy(&file, &plain).unwrap();
    let o = dxf2(&[
        "validate",
        s(&plain),
        "--store",
        s(&db),
        "--summary",
        "json",
    ]);
    // Read as ADX with its default schemes (codes): the payload names data elements by name.
    exits(&o, 1, &["No data element matching code 'Malaria numeric'"]);
    let o = dxf2(
        &[
            &[
                "validate",
                s(&plain),
                "--store",
                s(&db),
                "--summary",
                "json",
            ][..],
            SCHEMES[0].1,
        ]
        .concat(),
    );
    exits(&o, 0, &[]);
    assert_eq!(json(&o)["importCount"]["imported"], 9);
    // `--format adx` fits a `.xml` name; `--format xml` is refused by the content.
    let o = dxf2(
        &[
            &["validate", s(&plain), "--store", s(&db), "--format", "adx"][..],
            SCHEMES[0].1,
        ]
        .concat(),
    );
    exits(&o, 0, &[]);
    let o = dxf2(&["validate", s(&plain), "--store", s(&db), "--format", "xml"]);
    exits(&o, 2, &["looks like ADX, not XML", "give --format adx"]);
    // Standard input: the root decides too.
    let o = dxf2_stdin(
        &[&["validate", "-", "--store", s(&db)][..], SCHEMES[0].1].concat(),
        &std::fs::read(&file).unwrap(),
    );
    exits(&o, 0, &[]);
    // An ADX name contradicting --format, or a DXF2 document named as ADX.
    let named = dir.join("march.adx.xml");
    std::fs::copy(&file, &named).unwrap();
    let o = dxf2(&["validate", s(&named), "--store", s(&db), "--format", "xml"]);
    exits(&o, 2, &["the name says ADX but --format says XML"]);
    let dxf2_xml = common::file(
        &dir,
        "not.adx.xml",
        r#"<dataValueSet xmlns="http://dhis2.org/schema/dxf/2.0"></dataValueSet>"#,
    );
    let o = dxf2(&["validate", s(&dxf2_xml), "--store", s(&db)]);
    exits(
        &o,
        2,
        &["looks like XML, not ADX", "rename it to end in .xml"],
    );
    // ADX given to `metadata import` says what to run.
    let o = dxf2(&["metadata", "import", s(&plain), "--store", s(&db)]);
    assert_ne!(o.status.code(), Some(0));
    assert!(
        format!("{}{}", out(&o), err(&o)).contains("it is an ADX data file, not metadata"),
        "{}{}",
        out(&o),
        err(&o)
    );
}
