//! The scenarios of `../shared/spec/pdf-form-spec.md` and `adx-pdf-geo-scenarios.md` §2:
//! DHIS2's own tests (`PdfFormControllerTest`, `PdfFormFontSettingsTest`) and the facts of the
//! form's layout and of its import (§1, §2, §4).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod common;

use common::*;
use dxf2_model::metadata::{DataSet, Identity};
use dxf2_model::{ImporterProfile, Metadata, PeriodType};
use lopdf::{Document, Object};
use pdf_form_reader::{decode_text_string, fill, write_form, ErrorKind, PdfFormReader};

/// `testSendFormPdfDataSet_Empty`: the body `{}` is not a PDF. 2.42: an `ERROR` summary (HTTP
/// 409); 2.43+: HTTP 400 with `E8006`.
#[test]
fn posting_an_empty_json_object_fails_as_dhis2_fails() {
    let err = PdfFormReader::from_bytes(b"{}").unwrap_err();
    assert_eq!(
        err.dhis2_description(ImporterProfile::Classic).as_deref(),
        Some("The import process failed: PDF header signature not found.")
    );
    assert_eq!(err.dhis2_description(ImporterProfile::Pipeline), None);
    assert_eq!(err.code(), Some("E8006"));
    assert_eq!(
        err.dhis2_message(),
        "PDF file error : PDF header signature not found."
    );
}

/// `testGetDataSetPdfForm`: a Monthly data set without elements (`createDataSet('A')`) has a
/// non-empty PDF form.
#[test]
fn a_data_set_without_elements_has_a_form() {
    let mut id = Identity::new(uid("dataSetAAAA"));
    id.name = Some("DataSetA".into());
    let md = Metadata::builder()
        .with(DataSet::new(id, PeriodType::Monthly))
        .build()
        .unwrap();
    let mut pdf = Vec::new();
    write_form(&md, &uid("dataSetAAAA"), &options(), &mut pdf).unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    let doc = Document::load_mem(&pdf).unwrap();
    assert_eq!(doc.get_pages().len(), 1);
}

/// `PdfFormFontSettingsTest.testNonArabicFont`: the body font is Helvetica.
#[test]
fn the_body_font_is_helvetica() {
    let doc = Document::load_mem(&form(&options())).unwrap();
    let page = *doc.get_pages().values().next().unwrap();
    let fonts = doc.get_page_fonts(page).unwrap();
    let body = fonts.get(b"F1".as_slice()).unwrap();
    assert_eq!(
        body.get(b"BaseFont").unwrap().as_name().unwrap(),
        b"Helvetica"
    );
    assert_eq!(
        body.get(b"Encoding").unwrap().as_name().unwrap(),
        b"WinAnsiEncoding"
    );
}

/// A widget: (name, field type, rectangle width, `/Opt` pairs).
type WidgetInfo = (String, Vec<u8>, f32, Vec<(String, String)>);

/// Every widget of the form.
fn widgets(pdf: &[u8]) -> Vec<WidgetInfo> {
    let doc = Document::load_mem(pdf).unwrap();
    let mut out = Vec::new();
    for page in doc.get_pages().values() {
        for annot in doc.get_page_annotations(*page).unwrap() {
            let name = decode_text_string(annot.get(b"T").unwrap().as_str().unwrap());
            let ft = annot.get(b"FT").unwrap().as_name().unwrap().to_vec();
            let rect = annot.get(b"Rect").unwrap().as_array().unwrap();
            let width = rect[2].as_float().unwrap() - rect[0].as_float().unwrap();
            let opt = match annot.get(b"Opt") {
                Ok(Object::Array(pairs)) => pairs
                    .iter()
                    .map(|p| {
                        let p = p.as_array().unwrap();
                        (
                            decode_text_string(p[0].as_str().unwrap()),
                            decode_text_string(p[1].as_str().unwrap()),
                        )
                    })
                    .collect(),
                _ => Vec::new(),
            };
            out.push((name, ft, (width * 100.0).round() / 100.0, opt));
        }
    }
    out
}

/// §2: field names, kinds and sizes by value type.
#[test]
fn fields_are_named_and_typed_as_dhis2_makes_them() {
    let all = widgets(&form(&options()));
    let get = |name: &str| all.iter().find(|w| w.0 == name).unwrap();
    for (name, ..) in all.iter().filter(|w| w.0.starts_with("TXFDDV_")) {
        // ^TXFDDV_([A-Za-z0-9]{11})_([A-Za-z0-9]{11})(_T4)?$
        let rest = name.strip_prefix("TXFDDV_").unwrap();
        let rest = rest.strip_suffix("_T4").unwrap_or(rest);
        let (de, coc) = rest.split_once('_').unwrap();
        assert!(de.len() == 11 && coc.len() == 11, "{name}");
        assert!(
            de.chars()
                .chain(coc.chars())
                .all(|c| c.is_ascii_alphanumeric()),
            "{name}"
        );
    }
    let org = get("TXFD_OrgID");
    assert_eq!((org.1.as_slice(), org.2), (b"Tx".as_slice(), 220.0));
    let period = get("TXFD_PeriodID");
    assert_eq!((period.1.as_slice(), period.2), (b"Ch".as_slice(), 220.0));
    let numeric = get(&field(DE_CASES, COC_F_U5));
    assert_eq!((numeric.1.as_slice(), numeric.2), (b"Tx".as_slice(), 35.0));
    let text = get(&field(DE_REMARK, DEFAULT_COC));
    assert_eq!((text.1.as_slice(), text.2), (b"Tx".as_slice(), 160.0));
    let check = get(&format!("{}_T4", field(DE_STOCKOUT, DEFAULT_COC)));
    assert_eq!((check.1.as_slice(), check.2), (b"Btn".as_slice(), 10.0));
    let boolean = get(&field(DE_REPORTED, DEFAULT_COC));
    assert_eq!(boolean.1, b"Ch");
    let pairs = |v: &[(&str, &str)]| -> Vec<(String, String)> {
        v.iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    };
    assert_eq!(
        boolean.3,
        pairs(&[("", "[No Value]"), ("true", "Yes"), ("false", "No")])
    );
    let options_list = get(&field(DE_RESULT, DEFAULT_COC));
    assert_eq!(
        options_list.3,
        pairs(&[
            ("", "[No Value]"),
            ("POS", "Positif (confirmé)"),
            ("NEG", "Négatif")
        ])
    );
    assert!(all.iter().any(|w| w.0 == "BTN_SAVEPDF" && w.1 == b"Btn"));
}

/// §1.2: a Monthly data set offers the periods from January of last year to January of the
/// year after next, showing `<name> - <start> - <end>` and exporting the ISO period.
#[test]
fn periods_are_offered_as_dhis2_offers_them() {
    let all = widgets(&form(&options()));
    let period = all.iter().find(|w| w.0 == "TXFD_PeriodID").unwrap();
    let first = period.3.first().unwrap();
    let last = period.3.last().unwrap();
    assert_eq!(
        first,
        &(
            "202301".to_owned(),
            "January 2023 - 2023-01-01 - 2023-01-31".to_owned()
        )
    );
    assert_eq!(
        last,
        &(
            "202601".to_owned(),
            "January 2026 - 2026-01-01 - 2026-01-31".to_owned()
        )
    );
}

/// §4.1: the checks of DHIS2 2.36–2.42 before any value, in DHIS2's order and words.
#[test]
fn classic_checks_of_the_period_and_org_unit() {
    let blank = form(&options());
    let cases = [
        (
            vec![("TXFD_OrgID", ORG_UNIT)],
            "The period was not specified.",
        ),
        (
            vec![("TXFD_PeriodID", "202401")],
            "The organisation unit was not specified",
        ),
        (
            vec![("TXFD_OrgID", ORG_UNIT), ("TXFD_PeriodID", "2024-13")],
            "Invalid period: 2024-13",
        ),
    ];
    for (values, message) in cases {
        let pdf = fill(&blank, &values).unwrap();
        let err = PdfFormReader::from_bytes(&pdf).unwrap_err();
        assert_eq!(err.kind().to_string(), message);
        assert_eq!(
            err.dhis2_description(ImporterProfile::Classic),
            Some(format!("The import process failed: {message}"))
        );
        // 2.43+ reads on: the import engine checks the org unit and period.
        assert!(PdfFormReader::builder()
            .profile(ImporterProfile::Pipeline)
            .from_bytes(&pdf)
            .is_ok());
    }
    assert!(matches!(
        PdfFormReader::from_bytes(&blank).unwrap_err().kind(),
        ErrorKind::PeriodNotSpecified
    ));
}

/// §4.1 step 2: the period is written in DHIS2's ISO form.
#[test]
fn the_period_is_written_as_dhis2_writes_it() {
    let mut id = Identity::new(uid("dataSetWeek"));
    id.name = Some("Weekly".into());
    let md = Metadata::builder()
        .with(DataSet::new(id, PeriodType::Weekly))
        .build()
        .unwrap();
    let mut pdf = Vec::new();
    write_form(&md, &uid("dataSetWeek"), &options(), &mut pdf).unwrap();
    let pdf = fill(
        &pdf,
        &[("TXFD_OrgID", ORG_UNIT), ("TXFD_PeriodID", "2024W01")],
    )
    .unwrap();
    assert_eq!(PdfFormReader::from_bytes(&pdf).unwrap().period(), "2024W1");
    let pipeline = PdfFormReader::builder()
        .profile(ImporterProfile::Pipeline)
        .from_bytes(&pdf)
        .unwrap();
    assert_eq!(pipeline.period(), "2024W01", "2.43+ hands the text on");
}
