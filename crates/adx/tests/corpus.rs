//! DHIS2's own ADX payloads (`../shared/corpus/dhis2-core/adx/`) read, mapped and imported
//! against the metadata DHIS2's `AdxDataServiceIntegrationTest` builds
//! (`tests/fixtures/adx-integration-test.metadata.json`), with the outcomes DHIS2's tests assert
//! (`../shared/spec/adx-pdf-geo-scenarios.md` §1.2).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use adx::{AdxSourceBuilder, ErrorKind};
use common::{fixture, import, Row};
use dxf2_model::{IdScheme, IdSchemes, ImportStatus, ImporterProfile};

/// The payload, or `None` when the corpus is absent and `DXF2_SKIP_CORPUS=1`.
fn corpus(name: &str) -> Option<Vec<u8>> {
    let path = dxf2_testdata::corpus::corpus_file(&format!("adx/{name}"))?;
    Some(std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display())))
}

/// The nine values `testGetAllDataValuesA/B/C` find in the database after the import.
fn nine_values() -> Vec<Row> {
    let d = "HllvX50cXC0";
    let rows = [
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
    ];
    let mut rows: Vec<Row> = rows.iter().map(|r| Row::new(*r)).collect();
    rows.sort();
    rows
}

fn schemes(pairs: &[(&str, IdScheme)]) -> IdSchemes {
    let mut s = IdSchemes::default();
    for (name, scheme) in pairs {
        let slot = match *name {
            "dataElement" => &mut s.data_element,
            "orgUnit" => &mut s.org_unit,
            "dataSet" => &mut s.data_set,
            "categoryOptionCombo" => &mut s.category_option_combo,
            "category" => &mut s.category,
            "categoryOption" => &mut s.category_option,
            "idScheme" => &mut s.id_scheme,
            other => panic!("{other}"),
        };
        *slot = Some(scheme.clone());
    }
    s
}

/// `testGetAllDataValuesA`: dataElement NAME, category NAME, categoryOption UID,
/// categoryOptionCombo UID, the rest CODE (the ADX default).
#[test]
fn import_a() {
    let Some(xml) = corpus("importA.adx.xml") else {
        return;
    };
    let request = schemes(&[
        ("dataElement", IdScheme::Name),
        ("category", IdScheme::Name),
        ("categoryOption", IdScheme::Uid),
        ("categoryOptionCombo", IdScheme::Uid),
    ]);
    check_nine(&xml, request);
}

/// `testGetAllDataValuesB`: dataSet NAME, orgUnit UID, dataElement UID, categoryOptionCombo
/// NAME; categories and options by code.
#[test]
fn import_b() {
    let Some(xml) = corpus("importB.adx.xml") else {
        return;
    };
    let request = schemes(&[
        ("dataSet", IdScheme::Name),
        ("orgUnit", IdScheme::Uid),
        ("dataElement", IdScheme::Uid),
        ("categoryOptionCombo", IdScheme::Name),
    ]);
    check_nine(&xml, request);
}

/// `testGetAllDataValuesC`: dataSet UID, orgUnit NAME, category UID, categoryOption NAME.
#[test]
fn import_c() {
    let Some(xml) = corpus("importC.adx.xml") else {
        return;
    };
    let request = schemes(&[
        ("dataSet", IdScheme::Uid),
        ("orgUnit", IdScheme::Name),
        ("category", IdScheme::Uid),
        ("categoryOption", IdScheme::Name),
    ]);
    check_nine(&xml, request);
}

fn check_nine(xml: &[u8], request: IdSchemes) {
    let md = fixture();
    let outcome = import(&md, xml, ImporterProfile::Classic, request, None);
    let summary = &outcome.outcome.summary;
    assert_eq!(summary.status, ImportStatus::Success, "{summary:?}");
    assert_eq!(summary.import_count.imported, 9, "{summary:?}");
    assert_eq!(outcome.rows, nine_values());
}

/// `testImportDataIgnoreDatesOnCreate` / `OnUpdate` (2.41, 2.42): UID schemes; the value is
/// numeric, so its annotation is ignored; `created`/`lastUpdated` in the file are not kept.
#[test]
fn import_dates_then_update() {
    let (Some(first), Some(update)) = (
        corpus("importDates.adx.xml"),
        corpus("importDatesUpdate.adx.xml"),
    ) else {
        return;
    };
    let md = fixture();
    let uid = schemes(&[("idScheme", IdScheme::Uid)]);
    let created = import(&md, &first, ImporterProfile::Classic, uid.clone(), None);
    assert_eq!(created.outcome.summary.import_count.imported, 1);
    let key = Row::new((
        "MalNummmmmm",
        "202001",
        "P1233333333",
        "MOver555555",
        "HllvX50cXC0",
        "33",
    ));
    assert_eq!(created.rows, vec![key.clone()]);
    let stamp = created.store_rows[0].created;
    assert!(stamp.format("%Y").to_string() != "1987");
    let updated = import(
        &md,
        &update,
        ImporterProfile::Classic,
        uid,
        Some(created.store),
    );
    assert_eq!(updated.outcome.summary.import_count.updated, 1);
    assert_eq!(updated.rows[0].value, "55");
}

/// DHIS2 2.43+ (master): the annotation is the value for every value type, and every upsert
/// counts as updated (the master version of the same test; the stored value is the
/// annotation, an inference of the spec).
#[test]
fn import_dates_on_the_pipeline() {
    let Some(first) = corpus("importDates.adx.xml") else {
        return;
    };
    // Master's setUp also assigns dsA to ouA.
    let mut md = fixture();
    let ds = dxf2_model::Uid::parse("MalariaDSSS").unwrap();
    let ou = dxf2_model::Uid::parse("P1233333333").unwrap();
    md.update::<dxf2_model::metadata::DataSet>(&ds, |d| d.org_units.push(ou));
    let done = import(
        &md,
        &first,
        ImporterProfile::Pipeline,
        IdSchemes::default(),
        None,
    );
    let summary = &done.outcome.summary;
    assert_eq!(summary.status, ImportStatus::Success, "{summary:?}");
    assert_eq!(summary.import_count.updated, 1);
    assert_eq!(done.rows[0].value, "33333");
}

/// On DHIS2 2.43+, a value of a default-combo data element without `categoryOptionCombo` is
/// decoded through the default category, which it does not name: `E8108`, the whole import
/// fails (spec §5, inference — DHIS2's import tests are disabled on master).
#[test]
fn import_a_on_the_pipeline_fails_at_the_text_value() {
    let Some(xml) = corpus("importA.adx.xml") else {
        return;
    };
    let md = fixture();
    let request = schemes(&[
        ("idScheme", IdScheme::Code),
        ("dataElement", IdScheme::Name),
        ("category", IdScheme::Name),
        ("categoryOption", IdScheme::Uid),
        ("categoryOptionCombo", IdScheme::Uid),
    ]);
    let mut source = AdxSourceBuilder::new()
        .profile(ImporterProfile::Pipeline)
        .id_schemes(request)
        .build(&md, xml.as_slice());
    let values: Result<Vec<_>, _> = dxf2_model::DataValueSource::values(&mut source).collect();
    let e = values.unwrap_err();
    assert!(
        matches!(e.kind(), ErrorKind::Conflict { code: "E8108", .. }),
        "{e}"
    );
    assert_eq!(e.to_string(), "line 7, column 9 (group #1, value #5, index 4): Value #4 category option combo not found: `{}`");
    let conflicts = e.dhis2_conflicts(ImporterProfile::Pipeline);
    assert_eq!(conflicts[0].indexes, Some(vec![-1]));
}

/// Every corpus payload reads as well-formed ADX with the groups and values it has.
#[test]
fn every_payload_reads() {
    for (name, groups, values) in [
        ("importA.adx.xml", 5, 9),
        ("importB.adx.xml", 5, 9),
        ("importC.adx.xml", 5, 9),
        ("importDates.adx.xml", 1, 1),
        ("importDatesUpdate.adx.xml", 1, 1),
    ] {
        let Some(xml) = corpus(name) else { return };
        let mut reader = adx::Reader::new(xml.as_slice());
        let (mut g, mut v) = (0, 0);
        loop {
            match reader.read_step().unwrap() {
                adx::Step::Group => g += 1,
                adx::Step::Value => v += 1,
                adx::Step::End => break,
            }
        }
        assert_eq!((g, v), (groups, values), "{name}");
    }
}

/// The stored values, read with the codes DHIS2 would use, convert back to ADX (DXF2 → ADX) and
/// import again to the same nine values.
#[test]
fn the_nine_values_survive_an_adx_round_trip() {
    let Some(xml) = corpus("importB.adx.xml") else {
        return;
    };
    let md = fixture();
    let request = schemes(&[
        ("dataSet", IdScheme::Name),
        ("orgUnit", IdScheme::Uid),
        ("dataElement", IdScheme::Uid),
        ("categoryOptionCombo", IdScheme::Name),
    ]);
    let first = import(&md, &xml, ImporterProfile::Classic, request, None);
    let adx = common::export(&md, &first.store_rows);
    let again = import(
        &md,
        &adx,
        ImporterProfile::Classic,
        IdSchemes::default(),
        None,
    );
    assert_eq!(
        again.rows,
        nine_values(),
        "{}",
        String::from_utf8_lossy(&adx)
    );
}
