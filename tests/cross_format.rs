//! Across formats: DHIS2's B payload in XML and CSV gives the same records, and a data value set
//! converted XML → CSV → JSON → XML keeps every value.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::fs::File;
use std::io::BufReader;

use dxf2::model::{DataValue, DataValueSetHeader, DataValueSink, DataValueSource, Field};
use proptest::prelude::*;

/// The fields both formats carry, with DHIS2's reading of empty and missing cells applied
/// (empty = absent, follow-up and deleted default to false).
fn comparable(v: &DataValue) -> Vec<Option<String>> {
    let mut out: Vec<Option<String>> = [
        Field::DataElement,
        Field::Period,
        Field::OrgUnit,
        Field::CategoryOptionCombo,
        Field::AttributeOptionCombo,
        Field::Value,
        Field::StoredBy,
        Field::Comment,
    ]
    .iter()
    .map(|f| v.get(*f).filter(|t| !t.is_empty()).map(str::to_owned))
    .collect();
    out.push(Some(v.followup().unwrap_or(false).to_string()));
    out.push(Some(v.deleted().unwrap_or(false).to_string()));
    out
}

fn drain<S: DataValueSource>(mut s: S) -> Vec<DataValue> {
    let mut out = Vec::new();
    let mut r = DataValue::new();
    while s.read_value(&mut r).unwrap() {
        out.push(r.clone());
    }
    out
}

#[test]
fn b_xml_and_b_csv_give_identical_records() {
    let (Some(xml), Some(csv)) = (
        common::corpus_file("datavalueset/dataValueSetB.xml"),
        common::corpus_file("datavalueset/dataValueSetB.csv"),
    ) else {
        return;
    };
    let xml = drain(dxf2::xml::Reader::new(BufReader::new(File::open(xml).unwrap())).unwrap());
    let csv = drain(
        dxf2::csv::ReaderBuilder::new()
            .from_reader(BufReader::new(File::open(csv).unwrap()))
            .unwrap(),
    );
    assert_eq!(xml.len(), 12);
    let xml: Vec<_> = xml.iter().map(comparable).collect();
    let csv: Vec<_> = csv.iter().map(comparable).collect();
    assert_eq!(xml, csv);
}

fn text() -> impl Strategy<Value = Option<String>> {
    proptest::option::of("[A-Za-z0-9][A-Za-z0-9 .,&<>\"'-]{0,10}[A-Za-z0-9]")
}

prop_compose! {
    fn value()(de in "[a-zA-Z][a-zA-Z0-9]{10}", pe in "20[0-9]{2}(0[1-9]|1[0-2])", ou in "[a-zA-Z][a-zA-Z0-9]{10}",
               coc in proptest::option::of("[a-zA-Z][a-zA-Z0-9]{10}"), v in text(), sb in text(), c in text(),
               f in any::<bool>(), d in any::<bool>()) -> DataValue {
        let mut dv = DataValue::from_fields(&[(Field::DataElement, &de), (Field::Period, &pe), (Field::OrgUnit, &ou)]);
        for (field, t) in [(Field::CategoryOptionCombo, coc), (Field::Value, v), (Field::StoredBy, sb), (Field::Comment, c)] {
            if let Some(t) = t { dv.set(field, &t); }
        }
        dv.set_followup(Some(f));
        dv.set_deleted(d.then_some(true));
        dv
    }
}

fn write<S: DataValueSink>(mut sink: S, values: &[DataValue]) -> S {
    sink.begin(&DataValueSetHeader::default()).unwrap();
    for v in values {
        sink.write_value(v).unwrap();
    }
    sink.finish().unwrap();
    sink
}

proptest! {
    #[test]
    fn xml_csv_json_xml_keeps_every_value(values in proptest::collection::vec(value(), 0..20)) {
        let xml = write(dxf2::xml::Writer::new(Vec::new()), &values).into_inner().unwrap();
        let from_xml = drain(dxf2::xml::Reader::new(&xml[..]).unwrap());
        let csv = write(dxf2::csv::WriterBuilder::new().from_writer(Vec::new()), &from_xml).into_inner();
        let from_csv = drain(dxf2::csv::ReaderBuilder::new().from_reader(&csv[..]).unwrap());
        let json = write(dxf2::json::Writer::new(Vec::new()), &from_csv).into_inner();
        let from_json = drain(dxf2::json::Reader::new(&json[..]).unwrap());
        let xml2 = write(dxf2::xml::Writer::new(Vec::new()), &from_json).into_inner().unwrap();
        let back = drain(dxf2::xml::Reader::new(&xml2[..]).unwrap());
        let want: Vec<_> = values.iter().map(comparable).collect();
        let got: Vec<_> = back.iter().map(comparable).collect();
        prop_assert_eq!(got, want);
    }
}
