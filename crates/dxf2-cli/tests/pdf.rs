//! PDF data entry forms through the command line: `dxf2 pdf form` makes a data set's form,
//! pypdf (an independent PDF library) fills it as a person would, and `dxf2 import` stores
//! exactly the values filled in; `validate`, `--empty-fields keep` (DHIS2's behaviour under both
//! importer generations), and the answers to forms DHIS2 refuses (`PdfFormControllerTest`,
//! `PdfDataEntryFormUtil.getDataValueSet` and `DataEntryInput.fromPdf` of dhis2/dhis2-core; see
//! ../shared/spec/pdf-form-spec.md §4).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;
mod offline_entry;

use std::path::{Path, PathBuf};

use common::{dxf2, err, exits, out, s, tmp};
use offline_entry::{fill_with_pypdf, pypdf_available, store, stored, Row};

/// The monthly report's form for Clinic A, 202402, with the org unit and period filled in.
fn form(dir: &Path, db: &Path) -> PathBuf {
    let pdf = dir.join("form.pdf");
    let o = dxf2(&[
        "pdf",
        "form",
        "--store",
        s(db),
        "--data-set",
        "MONTHLY",
        "--org-unit",
        "CLINIC_A",
        "--period",
        "202402",
        "-o",
        s(&pdf),
    ]);
    exits(&o, 0, &["wrote the form of data set `dsMonthly01`"]);
    assert!(std::fs::read(&pdf).unwrap().starts_with(b"%PDF-"));
    pdf
}

const FILLED: [(&str, &str); 6] = [
    ("TXFDDV_deCases0001_cocFemale01", "7"),
    ("TXFDDV_deCases0001_cocMale0001", "3"),
    ("TXFDDV_deNote00001_HllvX50cXC0", "Écrit à la main — ملاحظة"),
    ("TXFDDV_deTested001_HllvX50cXC0_T4", "/On"),
    ("TXFDDV_deStock0001_HllvX50cXC0", "false"),
    ("TXFDDV_deResult001_HllvX50cXC0", "POS"),
];

fn row(de: &str, coc: &str, value: &str) -> Row {
    Row {
        de: de.into(),
        coc: coc.into(),
        aoc: "HllvX50cXC0".into(),
        value: Some(value.into()),
        comment: Some("Imported by PDF Data Entry Form".into()),
        followup: false,
    }
}

#[test]
fn a_form_filled_with_pypdf_imports_exactly_the_values_filled_in() {
    if !pypdf_available("a_form_filled_with_pypdf_imports_exactly_the_values_filled_in") {
        return;
    }
    let dir = tmp("pdf-roundtrip");
    let db = store(&dir);
    let pdf = form(&dir, &db);
    let filled = dir.join("filled.pdf");
    fill_with_pypdf(&pdf, &filled, &FILLED);

    // validate: a dry run, nothing stored.
    let o = dxf2(&["validate", s(&filled), "--store", s(&db)]);
    exits(&o, 0, &[]);
    assert!(out(&o).contains("Imported: 6"), "{}", out(&o));
    assert!(stored(&db, "202402").is_empty());

    let o = dxf2(&["import", s(&filled), "--store", s(&db)]);
    exits(&o, 0, &[]);
    assert!(out(&o).contains("Status:      SUCCESS"), "{}", out(&o));
    assert!(
        out(&o).contains("6 of 8 data fields filled in; the 2 empty ones were left out"),
        "{}",
        out(&o)
    );
    let mut expected = vec![
        row("deCases0001", "cocFemale01", "7"),
        row("deCases0001", "cocMale0001", "3"),
        row("deNote00001", "HllvX50cXC0", "Écrit à la main — ملاحظة"),
        row("deTested001", "HllvX50cXC0", "true"),
        row("deStock0001", "HllvX50cXC0", "false"),
        row("deResult001", "HllvX50cXC0", "POS"),
    ];
    expected.sort();
    assert_eq!(stored(&db, "202402"), expected);

    // Told apart by content, whatever the name.
    let renamed = dir.join("form-from-clinic");
    std::fs::copy(&filled, &renamed).unwrap();
    let o = dxf2(&[
        "validate",
        s(&renamed),
        "--store",
        s(&db),
        "--summary",
        "json",
    ]);
    exits(&o, 0, &[]);
    assert!(
        out(&o).contains(r#""ignored":6"#),
        "identical values again: {}",
        out(&o)
    );
    // A name that says XML is refused, saying what the file is.
    let misnamed = dir.join("form.xml");
    std::fs::copy(&filled, &misnamed).unwrap();
    let o = dxf2(&["import", s(&misnamed), "--store", s(&db)]);
    exits(
        &o,
        2,
        &["looks like PDF, not XML", "rename it to end in .pdf"],
    );
}

#[test]
fn empty_fields_are_handed_on_as_dhis2_does_with_keep() {
    if !pypdf_available("empty_fields_are_handed_on_as_dhis2_does_with_keep") {
        return;
    }
    let dir = tmp("pdf-keep");
    let db = store(&dir);
    let pdf = form(&dir, &db);
    let filled = dir.join("filled.pdf");
    fill_with_pypdf(&pdf, &filled, &FILLED[..1]);

    // 2.43+: every empty field is refused with E8120. (A form has no attribute option combo
    // field: the monthly report, whose data set has an attribute combo, would be refused as a
    // whole with E8023; the planning data set has none.)
    let planning = dir.join("planning.pdf");
    let o = dxf2(&[
        "pdf",
        "form",
        "--store",
        s(&db),
        "--data-set",
        "PLANNED",
        "--org-unit",
        "ouClinicA01",
        "--period",
        "202402",
        "-o",
        s(&planning),
    ]);
    exits(&o, 0, &[]);
    let o = dxf2(&[
        "validate",
        s(&planning),
        "--store",
        s(&db),
        "--empty-fields",
        "keep",
        "--dhis2-version",
        "2.43",
        "--summary",
        "json",
    ]);
    assert!(out(&o).contains(r#""errorCode":"E8120""#), "{}", out(&o));
    assert!(
        out(&o).contains("Value #0 value is required"),
        "{}",
        out(&o)
    );
    let o = dxf2(&[
        "validate",
        s(&filled),
        "--store",
        s(&db),
        "--dhis2-version",
        "2.43",
        "--summary",
        "json",
    ]);
    assert!(out(&o).contains(r#""errorCode":"E8023""#), "{}", out(&o));

    // 2.36-2.42: an empty field is a comment-only value, stored; the empty choice of an element
    // with an option set is not one of its codes (E7621).
    let o = dxf2(&[
        "import",
        s(&filled),
        "--store",
        s(&db),
        "--empty-fields",
        "keep",
    ]);
    exits(&o, 0, &[]);
    assert!(
        out(&o).contains("Imported: 7  Updated: 0  Ignored: 1"),
        "{}",
        out(&o)
    );
    assert!(out(&o).contains("E7621"), "{}", out(&o));
    let rows = stored(&db, "202402");
    assert_eq!(rows.len(), 7);
    assert_eq!(rows.iter().filter(|r| r.value.is_none()).count(), 6);
}

#[test]
fn forms_dhis2_refuses_get_its_answer_and_exit_codes() {
    let dir = tmp("pdf-refused");
    let db = store(&dir);
    // Not a PDF: DHIS2 2.42's ERROR summary, E8006 on stderr, an unusable input.
    let not_pdf = common::file(&dir, "notes.pdf", "typed notes, not a form");
    let o = dxf2(&["import", s(&not_pdf), "--store", s(&db)]);
    exits(
        &o,
        2,
        &["E8006 PDF file error : PDF header signature not found."],
    );
    assert!(
        out(&o).contains("The import process failed: PDF header signature not found."),
        "{}",
        out(&o)
    );
    let o = dxf2(&[
        "import",
        s(&not_pdf),
        "--store",
        s(&db),
        "--dhis2-version",
        "2.43",
    ]);
    exits(
        &o,
        2,
        &["E8006", "400 Bad Request, without an import summary"],
    );
    // A `.pdf` name on another kind of file: what it looks like.
    let json = common::file(&dir, "values.pdf", "{}");
    let o = dxf2(&["import", s(&json), "--store", s(&db)]);
    exits(&o, 2, &["looks like JSON, not PDF"]);

    // A PDF without form fields: E8001, not a usable form.
    if pypdf_available("forms_dhis2_refuses_get_its_answer_and_exit_codes (E8001)") {
        let plain = dir.join("letter.pdf");
        let o = std::process::Command::new("python3")
            .args([
                "-c",
                "import sys; from pypdf import PdfWriter; w = PdfWriter(); \
                 w.add_blank_page(595, 842); w.write(sys.argv[1])",
                s(&plain),
            ])
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let o = dxf2(&["import", s(&plain), "--store", s(&db)]);
        exits(
            &o,
            2,
            &[
                "E8001 PDF input does not support Acro fields",
                "not a fillable DHIS2",
            ],
        );
    }

    // A form whose period nobody chose: DHIS2 2.42's check, exit 1 as for any ERROR.
    let blank = dir.join("blank.pdf");
    let o = dxf2(&[
        "pdf",
        "form",
        "--store",
        s(&db),
        "--data-set",
        "dsMonthly01",
        "-o",
        s(&blank),
    ]);
    exits(&o, 0, &[]);
    let o = dxf2(&["import", s(&blank), "--store", s(&db)]);
    exits(
        &o,
        1,
        &[
            "field `TXFD_PeriodID`: The period was not specified.",
            "hint: choose the period",
        ],
    );
    assert!(
        out(&o).contains("The import process failed: The period was not specified."),
        "{}",
        out(&o)
    );

    // The form of a period of another type is refused before anything is written.
    let o = dxf2(&[
        "pdf",
        "form",
        "--store",
        s(&db),
        "--data-set",
        "MONTHLY",
        "--period",
        "2024Q1",
        "-o",
        s(&dir.join("q.pdf")),
    ]);
    exits(
        &o,
        2,
        &["a Quarterly period, but data set `dsMonthly01` is Monthly"],
    );
    assert!(!dir.join("q.pdf").exists());
    let o = dxf2(&[
        "pdf",
        "form",
        "--store",
        s(&db),
        "--data-set",
        "NOPE",
        "-o",
        s(&dir.join("n.pdf")),
    ]);
    exits(&o, 2, &["--data-set NOPE: the store holds no data set"]);
    let o = dxf2(&[
        "pdf",
        "form",
        "--store",
        s(&db),
        "--data-set",
        "MONTHLY",
        "--org-unit",
        "Nowhere",
        "-o",
        s(&dir.join("n.pdf")),
    ]);
    exits(&o, 2, &["--org-unit Nowhere: the store holds no org unit"]);
    assert!(err(&o).lines().count() <= 2, "{}", err(&o));
}
