//! Real ADX files from outside DHIS2's own test corpus, reproduced as fixtures of ours (each
//! fixture cites its source), imported or refused as DHIS2 2.42 would.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod common;

use adx::{AdxSource, ErrorKind};
use common::{file, fixture, import, metadata, Row};
use dxf2_model::{DataValueSource, IdSchemes, ImportStatus, ImporterProfile};

/// Zimbabwe's sadombo mediator payload: two disaggregated values, by code; the group's
/// `comment` is not handed on (DHIS2 2.42 reads `comment` from the value only).
#[test]
fn sadombo_payload_imports() {
    let md = metadata("zw-atb005.metadata.json");
    let xml = file("zw-atb005.adx.xml");
    let done = import(
        &md,
        &xml,
        ImporterProfile::Classic,
        IdSchemes::default(),
        None,
    );
    let s = &done.outcome.summary;
    assert_eq!(s.status, ImportStatus::Success, "{s:?}");
    assert_eq!(s.import_count.imported, 2);
    let d = "HllvX50cXC0";
    assert_eq!(
        done.rows,
        vec![
            Row::new((
                "Atb005D23aa",
                "201701",
                "ZwA59aaaaaa",
                "Coc0M3MMale",
                d,
                "32"
            )),
            Row::new((
                "Atb005D24aa",
                "201701",
                "ZwA59aaaaaa",
                "Coc20Y5YFem",
                d,
                "56"
            )),
        ]
    );
    assert!(done.store_rows.iter().all(|r| r.comment.is_none()));
    // The values as handed to the engine: codes, the COC under its code.
    let mut source = AdxSource::new(&md, xml.as_slice());
    let values: Vec<_> = source.values().collect::<Result<_, _>>().unwrap();
    assert_eq!(values[0].category_option_combo(), Some("ATB_0M3M_M"));
    assert_eq!(values[1].category_option_combo(), Some("ATB_20Y5Y_F"));
    assert_eq!(values[0].period(), Some("201701"));
    assert_eq!(values[0].comment(), None);
}

/// The same payload with an element the ADX schema does not allow (`dataValue1`): DHIS2 matches
/// elements by local name and skips it.
#[test]
fn sadombo_payload_with_an_unknown_element_imports_the_same() {
    let md = metadata("zw-atb005.metadata.json");
    let xml = file("zw-atb005-not-xsd-compliant.adx.xml");
    let done = import(
        &md,
        &xml,
        ImporterProfile::Classic,
        IdSchemes::default(),
        None,
    );
    assert_eq!(done.outcome.summary.import_count.imported, 2);
    assert_eq!(done.rows.len(), 2);
}

/// The early IHE sample's draft period form is refused, as DHIS2 refuses it: the whole import
/// fails with "The import process failed: 2015-01 not in valid <date>/<duration> format".
#[test]
fn ihe_sample_is_refused_for_its_period() {
    let md = fixture();
    let xml = file("ihe-adx-sample1.adx.xml");
    let done = import(
        &md,
        &xml,
        ImporterProfile::Classic,
        IdSchemes::default(),
        None,
    );
    let s = &done.outcome.summary;
    assert_eq!(s.status, ImportStatus::Error);
    assert!(done.rows.is_empty());
    let failure = done.outcome.failure.as_ref().unwrap();
    let import_engine::Failure::Input { source, .. } = failure else {
        panic!("{failure:?}")
    };
    let e = source.downcast_ref::<adx::Error>().unwrap();
    assert!(matches!(e.kind(), ErrorKind::Period(_)));
    assert_eq!(
        e.dhis2_description(ImporterProfile::Classic).as_deref(),
        Some("The import process failed: 2015-01 not in valid <date>/<duration> format")
    );
    assert_eq!(
        (e.line(), e.column(), e.group_index()),
        (Some(12), Some(5), Some(0))
    );
}
