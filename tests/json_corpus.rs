//! The DHIS2 JSON data value set payloads of the reference corpus, read as DHIS2 reads them.

// Test code (including the shared helpers): failing loudly is the point.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::fs::File;
use std::io::BufReader;

use dxf2::json::{Reader, Writer};
use dxf2::model::{DataValue, DataValueSink, ImporterProfile};

/// Reads a corpus file with the streaming and the seekable reader and checks they agree.
fn read_both(rel: &str) -> Option<(dxf2::model::DataValueSetHeader, Vec<DataValue>)> {
    let path = common::corpus_file(rel)?;
    let file = File::open(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut streaming = Reader::new(BufReader::new(file)).unwrap();
    let values: Vec<DataValue> = streaming.values().collect::<Result<_, _>>().unwrap();
    let header = streaming.header().clone();

    let file = File::open(&path).unwrap();
    let mut seekable = Reader::from_seekable(file).unwrap();
    let again: Vec<DataValue> = seekable.values().collect::<Result<_, _>>().unwrap();
    assert_eq!(seekable.header(), &header);
    assert_eq!(again, values);
    Some((header, values))
}

#[test]
fn bulk_file_reads_every_value() {
    let Some((header, values)) = read_both("datavalueset-e2e/dataValues_bulk.json") else {
        return;
    };
    assert!(header.is_empty(), "{header:?}");
    assert_eq!(values.len(), 231);
    let first = &values[0];
    assert_eq!(first.data_element(), Some("tpz77FcntKx"));
    assert_eq!(first.period(), Some("2018"));
    assert_eq!(first.org_unit(), Some("O6uvpzGd5pu"));
    assert_eq!(first.category_option_combo(), Some("HllvX50cXC0"));
    assert_eq!(first.attribute_option_combo(), Some("HllvX50cXC0"));
    assert_eq!(first.value(), Some("500000"));
    assert_eq!(first.followup(), Some(false));
    assert_eq!(first.deleted(), None);
    assert!(values.iter().all(|v| v.data_element().is_some()));
}

#[test]
fn single_data_set_file() {
    let Some((header, values)) = read_both("datavalueset-e2e/dataValues_single_dataset.json")
    else {
        return;
    };
    assert_eq!(header.data_set.as_deref(), Some("VEM58nY22sO"));
    assert_eq!(header.period.as_deref(), Some("201911"));
    assert_eq!(header.org_unit.as_deref(), Some("O6uvpzGd5pu"));
    // The file says `completedDate`, which DHIS2 does not know: ignored, never completes the set.
    assert_eq!(header.complete_date, None);
    assert_eq!(values.len(), 2);
    let cocs: Vec<_> = values
        .iter()
        .map(|v| v.category_option_combo().unwrap())
        .collect();
    assert_eq!(cocs, ["oPcWGgS2Liz", "rtfSaMjPyq6"]);
    assert_eq!(values[1].value(), Some("2000"));
}

#[test]
fn corpus_files_survive_a_round_trip() {
    for rel in [
        "datavalueset-e2e/dataValues_bulk.json",
        "datavalueset-e2e/dataValues_single_dataset.json",
    ] {
        let Some((header, values)) = read_both(rel) else {
            return;
        };
        let mut w = Writer::new(Vec::new());
        w.begin(&header).unwrap();
        for v in &values {
            w.write_value(v).unwrap();
        }
        w.finish().unwrap();
        let bytes = w.into_inner();
        let mut r = Reader::new(&bytes[..]).unwrap();
        assert_eq!(r.header(), &header);
        let back: Vec<DataValue> = r.values().collect::<Result<_, _>>().unwrap();
        assert_eq!(back, values, "{rel}");
    }
}

#[test]
fn pipeline_profile_reads_the_corpus_too() {
    let Some(path) = common::corpus_file("datavalueset-e2e/dataValues_bulk.json") else {
        return;
    };
    let mut r = Reader::with_profile(
        BufReader::new(File::open(path).unwrap()),
        ImporterProfile::Pipeline,
    )
    .unwrap();
    let values: Vec<DataValue> = r.values().collect::<Result<_, _>>().unwrap();
    assert_eq!(values.len(), 231);
    // 2.43+ reads `followUp`; the corpus writes `followup`, which it no longer reads.
    assert!(values.iter().all(|v| v.followup().is_none()));
    assert!(values.iter().all(|v| v.created().is_none()));
}
