//! The DHIS2 CSV test payloads read exactly as DHIS2's tests read them (classic 2.42 and 2.43+),
//! and written back as DHIS2's export.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::fs::File;
use std::io::BufReader;

use dxf2_csv::{ErrorKind, Reader, ReaderBuilder, WriterBuilder};
use dxf2_model::{DataValue, DataValueSink, ImporterProfile};

const DE_A: &str = "f7n9E0hX8qk";
const DE_C: &str = "eY5ehpbEsB7";
const OU_A: &str = "DiszpKrYNg8";
const OU_B: &str = "BdfsJfj87js";

/// Opens a corpus file, or `None` (said loudly by `common`) when the corpus is absent.
fn open(name: &str) -> Option<BufReader<File>> {
    let path = common::corpus_file(&format!("datavalueset/{name}"))?;
    Some(BufReader::new(File::open(&path).unwrap_or_else(|e| {
        panic!("cannot open {}: {e}", path.display())
    })))
}

fn read_all(reader: &mut Reader<BufReader<File>>) -> Vec<DataValue> {
    reader
        .values()
        .collect::<Result<_, _>>()
        .expect("corpus file reads without error")
}

fn classic(name: &str, first_row_is_header: bool) -> Option<Vec<DataValue>> {
    let input = open(name)?;
    let mut reader = ReaderBuilder::new()
        .first_row_is_header(first_row_is_header)
        .from_reader(input)
        .expect("opens");
    Some(read_all(&mut reader))
}

fn pipeline(name: &str) -> Option<(Vec<DataValue>, Reader<BufReader<File>>)> {
    let input = open(name)?;
    let mut reader = ReaderBuilder::new()
        .profile(ImporterProfile::Pipeline)
        .from_reader(input)
        .expect("opens");
    let values = read_all(&mut reader);
    Some((values, reader))
}

fn keys(values: &[DataValue]) -> Vec<(&str, &str, &str, &str)> {
    values
        .iter()
        .map(|v| {
            (
                v.data_element().unwrap_or("-"),
                v.period().unwrap_or("-"),
                v.org_unit().unwrap_or("-"),
                v.value().unwrap_or("-"),
            )
        })
        .collect()
}

/// The 12 rows of B: DE (A, B, C) × period (201201, 201202) × OU (A, B), values 10001…10012.
fn b_rows() -> Vec<(&'static str, &'static str, &'static str, String)> {
    let mut rows = Vec::new();
    let mut n = 10001;
    for de in [DE_A, "Ix2HsbDMLea", DE_C] {
        for pe in ["201201", "201202"] {
            for ou in [OU_A, OU_B] {
                rows.push((de, pe, ou, n.to_string()));
                n += 1;
            }
        }
    }
    rows
}

fn assert_b_rows(values: &[DataValue]) {
    let want = b_rows();
    let got = keys(values);
    assert_eq!(got.len(), want.len());
    for (g, w) in got.iter().zip(&want) {
        assert_eq!(*g, (w.0, w.1, w.2, w.3.as_str()));
    }
}

#[test]
fn b_csv_classic_skips_the_header_row() {
    let Some(values) = classic("dataValueSetB.csv", true) else {
        return;
    };
    assert_eq!(values.len(), 12);
    assert_b_rows(&values);
    let v = &values[0];
    // Empty quoted cells are empty strings, not absent.
    assert_eq!(v.category_option_combo(), Some(""));
    assert_eq!(v.attribute_option_combo(), Some(""));
    assert_eq!(v.stored_by(), Some("john"));
    // Column 7 (`timestamp` in the file) is lastUpdated for the classic reader.
    assert_eq!(v.last_updated(), Some("2012-01-01"));
    assert_eq!(v.comment(), Some("comment"));
    assert_eq!(v.created(), None);
    assert_eq!(v.followup(), Some(false));
    // No `deleted` column: empty → false.
    assert_eq!(v.deleted(), Some(false));
}

#[test]
fn b_csv_pipeline_maps_the_header() {
    let Some((values, reader)) = pipeline("dataValueSetB.csv") else {
        return;
    };
    assert_eq!(values.len(), 12);
    assert_b_rows(&values);
    assert_eq!(reader.extra_columns().count(), 0);
    let v = &values[11];
    assert_eq!(v.category_option_combo(), Some(""));
    // `storedby` and `timestamp` are ignored by 2.43.
    assert_eq!(v.stored_by(), None);
    assert_eq!(v.last_updated(), None);
    assert_eq!(v.comment(), Some("comment"));
    assert_eq!(v.followup(), Some(false));
    assert_eq!(v.deleted(), None);
}

#[test]
fn b_no_header_csv() {
    let Some(values) = classic("dataValueSetBNoHeader.csv", false) else {
        return;
    };
    assert_eq!(values.len(), 12);
    assert_b_rows(&values);
    // With the default option the first data row is taken for the header.
    let Some(values) = classic("dataValueSetBNoHeader.csv", true) else {
        return;
    };
    assert_eq!(values.len(), 11);
    assert_eq!(values[0].value(), Some("10002"));

    // 2.43 refuses `firstRowIsHeader=false` before reading.
    let Some(input) = open("dataValueSetBNoHeader.csv") else {
        return;
    };
    let err = ReaderBuilder::new()
        .profile(ImporterProfile::Pipeline)
        .first_row_is_header(false)
        .from_reader(input)
        .unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::HeaderRowRequired));
    assert_eq!(
        err.to_string(),
        "CSV without header row is no longer supported."
    );
    // With the default option 2.43 takes the first row for names: nothing maps.
    let Some((values, reader)) = pipeline("dataValueSetBNoHeader.csv") else {
        return;
    };
    assert_eq!(values.len(), 11);
    assert!(values.iter().all(|v| v.data_element().is_none()));
    assert_eq!(reader.extra_columns().next(), Some(DE_A));
    assert!(reader.extra_columns_are_category_options());
}

#[test]
fn with_data_set_header_csv() {
    let Some(input) = open("dataValueSetWithDataSetHeader.csv") else {
        return;
    };
    let mut reader = ReaderBuilder::new()
        .data_set("pBOMPrpg1QX")
        .from_reader(input)
        .unwrap();
    assert_eq!(reader.header().data_set.as_deref(), Some("pBOMPrpg1QX"));
    let mut value = DataValue::new();
    let mut rows = Vec::new();
    while reader.read_value(&mut value).unwrap() {
        // The header has 11 columns, the rows 10: `deleted` reads as empty → false.
        assert_eq!(reader.record_columns(), 10);
        assert_eq!(value.deleted(), Some(false));
        rows.push((
            value.org_unit().unwrap().to_owned(),
            value.period().unwrap().to_owned(),
            value.last_updated().unwrap().to_owned(),
        ));
    }
    assert_eq!(
        rows,
        [
            (
                OU_A.to_owned(),
                "201201".to_owned(),
                "2012-01-01".to_owned()
            ),
            (
                OU_B.to_owned(),
                "201201".to_owned(),
                "2012-01-02".to_owned()
            ),
            (
                OU_A.to_owned(),
                "201202".to_owned(),
                "2012-01-03".to_owned()
            ),
        ]
    );
    assert_eq!(reader.position().record(), 3);
    assert_eq!(reader.position().line(), 4);

    let Some((values, reader)) = pipeline("dataValueSetWithDataSetHeader.csv") else {
        return;
    };
    assert_eq!(values.len(), 3);
    assert_eq!(reader.header_names().last(), Some("deleted"));
    // The `deleted` field is missing on every row: absent.
    assert!(values.iter().all(|v| v.deleted().is_none()));
    assert_eq!(values[2].value(), Some("10003"));
}

const BOOLEAN_VALUES: [&str; 18] = [
    "true", "True", "false", "False", "f", "F", "t", "T", "1", "0", "test", "not true", "1", "t",
    "true", "True", "false", "test",
];

#[test]
fn boolean_csvs() {
    for name in [
        "dataValueSetBooleanTest.csv",
        "dataValueSetBooleanDuplicatesTest.csv",
    ] {
        let Some(values) = classic(name, true) else {
            return;
        };
        assert_eq!(values.len(), 18, "{name}");
        let got: Vec<&str> = values.iter().map(|v| v.value().unwrap()).collect();
        assert_eq!(got, BOOLEAN_VALUES, "{name}");
        assert!(values[..12]
            .iter()
            .all(|v| v.data_element() == Some("jH26dja2f30")));
        assert!(values[12..]
            .iter()
            .all(|v| v.data_element() == Some("jH26dja2f31")));
        assert_eq!(values[8].org_unit(), Some(OU_B));

        let Some((piped, _)) = pipeline(name) else {
            return;
        };
        assert_eq!(piped.len(), 18, "{name}");
        assert_eq!(keys(&piped), keys(&values), "{name}");
    }
    // The master version of BooleanTest gives every row its own period.
    let Some(values) = classic("dataValueSetBooleanTest.csv", true) else {
        return;
    };
    let periods: Vec<&str> = values.iter().map(|v| v.period().unwrap()).collect();
    let mut want: Vec<String> = (1..=12).map(|m| format!("2012{m:02}")).collect();
    want.extend((1..=6).map(|m| format!("2013{m:02}")));
    assert_eq!(periods, want);
}

#[test]
fn b_csv_written_as_the_classic_export() {
    let Some(input) = open("dataValueSetB.csv") else {
        return;
    };
    let mut reader = Reader::from_reader(input).unwrap();
    let mut out = Vec::new();
    let mut writer = WriterBuilder::new().from_writer(&mut out);
    writer.begin(reader.header()).unwrap();
    let mut value = DataValue::new();
    while reader.read_value(&mut value).unwrap() {
        writer.write_value(&value).unwrap();
    }
    writer.finish().unwrap();
    let text = String::from_utf8(out).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 13);
    assert_eq!(lines[0], dxf2_csv::EXPORT_HEADER);
    assert_eq!(
        lines[1],
        "f7n9E0hX8qk,201201,DiszpKrYNg8,,,10001,john,2012-01-01,comment,false,null"
    );

    // And the export reads back to the same values.
    let again: Vec<DataValue> = Reader::from_reader(text.as_bytes())
        .unwrap()
        .values()
        .collect::<Result<_, _>>()
        .unwrap();
    let Some(original) = classic("dataValueSetB.csv", true) else {
        return;
    };
    assert_eq!(again, original);
}
