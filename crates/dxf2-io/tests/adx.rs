//! ADX through the any-format layer: detection by name and root element, reading against
//! metadata (and refusing without it), DHIS2's refusal of a mapping kept inside the error, and
//! ADX → JSON → ADX keeping every value.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::Path;

use dxf2_io::{
    copy, AnyReader, AnyWriter, DecompressionLimits, ErrorKind, Format, Input, ReaderOptions,
};
use dxf2_model::{
    DataValue, DataValueSource, IdScheme, IdSchemes, ImportStatus, ImporterProfile, Metadata,
};

/// The metadata of DHIS2's `AdxDataServiceIntegrationTest` (the `adx` crate's fixture).
fn metadata() -> Metadata {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../adx/tests/fixtures/adx-integration-test.metadata.json");
    dxf2_json::metadata::read_metadata(std::fs::File::open(path).unwrap()).unwrap()
}

/// Our own document in the shape of DHIS2's `importB.adx.xml` (categories by code, an explicit
/// option combo, a text value in its annotation, an attribute option combo by category).
const ADX: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<adx xmlns="urn:ihe:qrph:adx:2015" exported="2024-02-01T10:00:00Z">
  <group dataSet="MalariaDS" period="2020-01-01/P1M" orgUnit="123">
    <dataValue dataElement="Mal_num" sex="F" age="under5" value="1"/>
    <dataValue dataElement="Mal_num" categoryOptionCombo="M_Over5" value="4"/>
    <dataValue dataElement="Mal_text" value="0"><annotation>Text data value</annotation></dataValue>
  </group>
  <group dataSet="MalariaMechanismDS" mechanism="PEPFAR" period="2021-01-01/P3M" orgUnit="456">
    <dataValue dataElement="Mal_num" sex="F" age="over5" value="10"/>
  </group>
</adx>"#;

fn input(text: &str) -> Input {
    Input::from_reader(
        "<memory>",
        std::io::Cursor::new(text.as_bytes().to_vec()),
        &DecompressionLimits::default(),
    )
    .unwrap()
}

fn values<S: DataValueSource>(source: &mut S) -> Vec<DataValue> {
    let mut out = Vec::new();
    let mut v = DataValue::new();
    while source.read_value(&mut v).unwrap() {
        out.push(v.clone());
    }
    out
}

#[test]
fn the_root_element_tells_adx_from_dxf2_xml() {
    let mut i = input(ADX);
    let head = i.head().unwrap();
    assert_eq!(
        Format::detect(None, Path::new("march.xml"), head),
        Format::Adx
    );
    assert_eq!(Format::detect(None, Path::new("-"), head), Format::Adx);
    assert_eq!(
        Format::detect(None, Path::new("march.xml"), b"<dataValueSet/>"),
        Format::Xml
    );
    assert_eq!(
        Format::detect(None, Path::new("march.adx.xml.gz"), b"\x1f\x8b"),
        Format::Adx
    );
}

#[test]
fn adx_is_read_against_metadata_and_refused_without() {
    let md = metadata();
    let e = AnyReader::open(input(ADX), Format::Adx, &ReaderOptions::default())
        .err()
        .unwrap();
    assert!(matches!(e.kind(), ErrorKind::NeedsMetadata), "{e}");
    assert!(
        e.to_string().starts_with("<memory>: ADX needs metadata"),
        "{e}"
    );

    let mut reader = AnyReader::open_with(
        input(ADX),
        Format::Adx,
        &ReaderOptions::default(),
        Some(&md),
    )
    .unwrap();
    let read = values(&mut reader);
    let shown: Vec<_> = read
        .iter()
        .map(|v| {
            (
                v.data_element().unwrap().to_owned(),
                v.period().unwrap().to_owned(),
                v.category_option_combo().map(str::to_owned),
                v.attribute_option_combo().map(str::to_owned),
                v.value().unwrap().to_owned(),
            )
        })
        .collect();
    let own = |s: &str| Some(s.to_owned());
    assert_eq!(
        shown,
        [
            (
                "Mal_num".into(),
                "202001".into(),
                own("F_Under5"),
                None,
                "1".into()
            ),
            (
                "Mal_num".into(),
                "202001".into(),
                own("M_Over5"),
                None,
                "4".into()
            ),
            (
                "Mal_text".into(),
                "202001".into(),
                None,
                None,
                "Text data value".into()
            ),
            (
                "Mal_num".into(),
                "2021Q1".into(),
                own("F_Over5"),
                own("coc_PEPFAR"),
                "10".into()
            ),
        ]
    );
    // Values name objects by code (DHIS2 2.42's ADX default), and the header says so.
    assert_eq!(reader.header().id_scheme.as_deref(), Some("CODE"));
    assert!(reader.value_position().is_some());
}

#[test]
fn the_request_schemes_reach_the_mapping() {
    let md = metadata();
    let by_name = ADX
        .replace(
            r#"sex="F" age="under5""#,
            r#"Sex_category="Female" Age_category="Under 5""#,
        )
        .replace(
            r#"sex="F" age="over5""#,
            r#"Sex_category="Female" Age_category="Over 5""#,
        )
        .replace(
            r#"mechanism="PEPFAR""#,
            r#"Mechanism_category="PEPFAR mechanism""#,
        );
    let options = ReaderOptions::default().with_id_schemes(IdSchemes {
        category: Some(IdScheme::Name),
        category_option: Some(IdScheme::Name),
        ..IdSchemes::default()
    });
    let mut reader =
        AnyReader::open_with(input(&by_name), Format::Adx, &options, Some(&md)).unwrap();
    let read = values(&mut reader);
    assert_eq!(read.len(), 4);
    assert_eq!(read[0].category_option_combo(), Some("F_Under5"));
    assert_eq!(read[3].attribute_option_combo(), Some("coc_PEPFAR"));
}

#[test]
fn a_refused_mapping_keeps_dhis2s_words_and_where() {
    let md = metadata();
    let bad = ADX.replace(r#"sex="F" age="under5""#, r#"sex="X" age="under5""#);
    let mut reader = AnyReader::open_with(
        input(&bad),
        Format::Adx,
        &ReaderOptions::default(),
        Some(&md),
    )
    .unwrap();
    let mut v = DataValue::new();
    let e = reader.read_value(&mut v).unwrap_err();
    let adx = e.as_adx().expect("an ADX error");
    assert!(adx.kind().is_dhis2_refusal());
    assert_eq!(
        adx.dhis2_description(ImporterProfile::Classic).as_deref(),
        Some("The import process failed: Invalid attributes: {sex=X, age=under5}")
    );
    assert_eq!(
        e.to_string(),
        "<memory>: line 4, column 5 (group #1, value #1, index 0): Invalid attributes: {sex=X, age=under5}"
    );
    // The summary a host builds from it.
    let summary = dxf2_model::ImportSummary {
        status: ImportStatus::Error,
        description: adx.dhis2_description(ImporterProfile::Classic),
        conflicts: adx.dhis2_conflicts(ImporterProfile::Classic),
        ..dxf2_model::ImportSummary::default()
    };
    assert!(summary.conflicts.is_empty());
}

#[test]
fn adx_to_json_and_back_keeps_every_value() {
    let md = metadata();
    let mut reader = AnyReader::open_with(
        input(ADX),
        Format::Adx,
        &ReaderOptions::default(),
        Some(&md),
    )
    .unwrap();
    let mut json =
        AnyWriter::with_metadata(Format::Json, Vec::new(), ImporterProfile::Classic, &md);
    assert_eq!(copy(&mut reader, &mut json).unwrap().values, 4);
    let json = String::from_utf8(json.into_inner().unwrap()).unwrap();
    assert!(json.contains(r#""idScheme":"CODE""#), "{json}");

    let mut reader = AnyReader::open_with(
        input(&json),
        Format::Json,
        &ReaderOptions::default(),
        Some(&md),
    )
    .unwrap();
    let mut adx = AnyWriter::with_metadata(Format::Adx, Vec::new(), ImporterProfile::Classic, &md);
    assert_eq!(copy(&mut reader, &mut adx).unwrap().values, 4);
    let back = String::from_utf8(adx.into_inner().unwrap()).unwrap();
    assert_eq!(
        back,
        "<adx xmlns=\"urn:ihe:qrph:adx:2015\">\
         <group dataSet=\"MalariaDS\" period=\"2020-01-01/P1M\" orgUnit=\"123\">\
         <dataValue dataElement=\"Mal_num\" sex=\"F\" age=\"under5\" value=\"1\"/>\
         <dataValue dataElement=\"Mal_num\" sex=\"M\" age=\"over5\" value=\"4\"/>\
         <dataValue dataElement=\"Mal_text\" value=\"0\"><annotation>Text data value</annotation></dataValue>\
         </group>\
         <group dataSet=\"MalariaMechanismDS\" period=\"2021-01-01/P3M\" orgUnit=\"456\" mechanism=\"PEPFAR\">\
         <dataValue dataElement=\"Mal_num\" sex=\"F\" age=\"over5\" value=\"10\"/>\
         </group></adx>"
    );
    // … and reading it again gives the same values.
    let mut again = AnyReader::open_with(
        input(&back),
        Format::Adx,
        &ReaderOptions::default(),
        Some(&md),
    )
    .unwrap();
    let mut first = AnyReader::open_with(
        input(ADX),
        Format::Adx,
        &ReaderOptions::default(),
        Some(&md),
    )
    .unwrap();
    assert_eq!(values(&mut again), values(&mut first));
}

#[test]
fn an_adx_writer_without_metadata_refuses_to_begin() {
    use dxf2_model::DataValueSink;
    let mut w = AnyWriter::new(Format::Adx, Vec::new());
    let e = w
        .begin(&dxf2_model::DataValueSetHeader::default())
        .unwrap_err();
    assert!(matches!(e.kind(), ErrorKind::NeedsMetadata));
    assert!(w.into_inner().unwrap().is_empty());
}
