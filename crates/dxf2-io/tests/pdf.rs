//! Filled DHIS2 PDF forms through the any-format layer: detection by content (`%PDF-`) and name,
//! plain and gzip, reading with each importer generation's rules, the empty-field policy, DHIS2's
//! answers to forms it refuses (`E8006`, `E8001`, the classic period check) kept inside the
//! error, and no PDF output.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::io::Write;
use std::path::Path;

use dxf2_io::pdf::{fill, write_form, EmptyFields, FormOptions};
use dxf2_io::{AnyReader, AnyWriter, DecompressionLimits, ErrorKind, Format, Input, ReaderOptions};
use dxf2_model::metadata::{DataElement, DataSet, DataSetElement, Identity};
use dxf2_model::{
    DataValue, DataValueSetHeader, DataValueSink, DataValueSource, ImporterProfile, Metadata,
    PeriodType, Uid, ValueType,
};

fn uid(s: &str) -> Uid {
    Uid::parse(s).unwrap()
}

/// A monthly data set of an integer and a TRUE_ONLY element.
fn metadata() -> Metadata {
    let mut ds = DataSet::new(Identity::new(uid("pBOMPrpg1QX")), PeriodType::Monthly);
    for de in ["fbfJHSPpUQD", "cYeuwXTCPkU"] {
        ds.elements.push(DataSetElement {
            data_element: uid(de),
            category_combo: None,
        });
    }
    Metadata::builder()
        .with(DataElement::new(
            Identity::new(uid("fbfJHSPpUQD")),
            ValueType::Integer,
        ))
        .with(DataElement::new(
            Identity::new(uid("cYeuwXTCPkU")),
            ValueType::TrueOnly,
        ))
        .with(ds)
        .build()
        .unwrap()
}

/// The form, with the org unit and period filled in, and `values` typed into it.
fn filled(values: &[(&str, &str)]) -> Vec<u8> {
    let options = FormOptions {
        org_unit: Some("DiszpKrYNg8".into()),
        period: Some("202401".into()),
        ..FormOptions::default()
    };
    let mut pdf = Vec::new();
    write_form(&metadata(), &uid("pBOMPrpg1QX"), &options, &mut pdf).unwrap();
    fill(&pdf, values).unwrap()
}

fn input(bytes: Vec<u8>) -> Input {
    Input::from_reader(
        "form.pdf",
        std::io::Cursor::new(bytes),
        &DecompressionLimits::default(),
    )
    .unwrap()
}

fn read(mut input: Input, options: &ReaderOptions) -> Result<Vec<DataValue>, dxf2_io::Error> {
    let format = Format::detect(None, Path::new("-"), input.head().unwrap());
    assert_eq!(format, Format::Pdf);
    let mut reader = AnyReader::open(input, format, options)?;
    assert!(reader.pdf_form().is_some());
    let mut out = Vec::new();
    let mut v = DataValue::new();
    while reader.read_value(&mut v)? {
        out.push(v.clone());
    }
    Ok(out)
}

#[test]
fn a_filled_form_is_told_by_its_content_and_read_as_dhis2_does() {
    let pdf = filled(&[("TXFDDV_fbfJHSPpUQD_HllvX50cXC0", "12")]);
    let values = read(input(pdf.clone()), &ReaderOptions::default()).unwrap();
    assert_eq!(values.len(), 1, "the unticked check box is skipped");
    let v = &values[0];
    assert_eq!(
        (v.data_element(), v.value(), v.org_unit(), v.period()),
        (
            Some("fbfJHSPpUQD"),
            Some("12"),
            Some("DiszpKrYNg8"),
            Some("202401")
        )
    );
    assert_eq!(v.comment(), Some("Imported by PDF Data Entry Form"));

    // DHIS2 hands on every field; 2.43+ puts org unit and period in the header.
    let keep = ReaderOptions::default()
        .with_profile(ImporterProfile::Pipeline)
        .with_pdf_empty_fields(EmptyFields::Keep);
    let mut reader = AnyReader::open(input(pdf), Format::Pdf, &keep).unwrap();
    assert_eq!(reader.header().org_unit.as_deref(), Some("DiszpKrYNg8"));
    assert_eq!(
        reader.pdf_form().unwrap().data_set_hint(),
        Some("pBOMPrpg1QX")
    );
    let mut v = DataValue::new();
    let mut n = 0;
    while reader.read_value(&mut v).unwrap() {
        n += 1;
    }
    assert_eq!(n, 2);
}

#[test]
fn a_gzipped_form_is_read_too() {
    let pdf = filled(&[("TXFDDV_cYeuwXTCPkU_HllvX50cXC0_T4", "On")]);
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(&pdf).unwrap();
    let values = read(input(gz.finish().unwrap()), &ReaderOptions::default()).unwrap();
    assert_eq!(values.len(), 1);
    assert_eq!(values[0].value(), Some("true"));
}

#[test]
fn refused_forms_keep_dhis2s_answer() {
    // Not a PDF: E8006, and the classic summary's description.
    let e = AnyReader::open(
        input(b"{}".to_vec()),
        Format::Pdf,
        &ReaderOptions::default(),
    )
    .err()
    .unwrap();
    assert_eq!(e.name(), Some("form.pdf"));
    let pdf = e.as_pdf().unwrap();
    assert_eq!(pdf.code(), Some("E8006"));
    assert_eq!(
        pdf.dhis2_description(ImporterProfile::Classic).as_deref(),
        Some("The import process failed: PDF header signature not found.")
    );
    assert!(matches!(e.kind(), ErrorKind::Pdf(_)));

    // A form without a period: DHIS2 2.42's check.
    let options = FormOptions {
        org_unit: Some("DiszpKrYNg8".into()),
        ..FormOptions::default()
    };
    let mut pdf = Vec::new();
    write_form(&metadata(), &uid("pBOMPrpg1QX"), &options, &mut pdf).unwrap();
    let e = AnyReader::open(input(pdf), Format::Pdf, &ReaderOptions::default())
        .err()
        .unwrap();
    assert_eq!(
        e.as_pdf().unwrap().dhis2_message(),
        "The period was not specified."
    );
    assert_eq!(
        e.to_string(),
        "form.pdf: field `TXFD_PeriodID`: The period was not specified."
    );
}

#[test]
fn pdf_is_not_an_output() {
    let mut writer = AnyWriter::new(Format::Pdf, Vec::new());
    let e = writer.begin(&DataValueSetHeader::default()).unwrap_err();
    assert!(matches!(e.kind(), ErrorKind::PdfNotWritable));
    assert!(
        e.to_string().contains("not written from data values"),
        "{e}"
    );
    assert!(writer.into_inner().unwrap().is_empty());
}
