//! Data value set templates (DHIS2's `GET /api/dataSets/{uid}/dataValueSet`,
//! `DefaultDataValueSetService.getDataValueSetTemplate` on branch 2.42 of dhis2/dhis2-core):
//! written through a codec writer, filled in, read back and imported, the store holds exactly the
//! values filled in; the rows have DHIS2's shape for `tests/fixtures/offline-entry.json`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::fs::File;
use std::path::Path;

use chrono::{TimeZone, Utc};
use dxf2_model::{DataValue, DataValueSource, Field, ImportOptions, Metadata, Uid};
use idscheme_resolver::MetadataResolver;
use import_engine::store::{DataValueStore, ValueQuery};
use import_engine::template::{Template, TemplateParams, TemplateScheme};
use import_engine::{Importer, MemoryStore, Superuser};

fn metadata() -> Metadata {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/offline-entry.json");
    let mut md = dxf2_json::metadata::read_metadata(File::open(path).unwrap()).unwrap();
    md.finish().unwrap();
    md
}

fn uid(s: &str) -> Uid {
    Uid::parse(s).unwrap()
}

#[test]
fn the_rows_of_the_monthly_report_are_dhis2s() {
    let md = metadata();
    let params = TemplateParams {
        period: Some("202402".parse().unwrap()),
        org_units: vec!["CLINIC_A".into()],
        ..TemplateParams::new(uid("dsMonthly01"))
    };
    let t = Template::new(&md, &params).unwrap();
    assert_eq!(
        t.comment(),
        "Data set: Monthly facility report (dsMonthly01)"
    );
    let rows: Vec<(String, String, String)> = t
        .rows()
        .iter()
        .map(|r| {
            (
                r.comment.clone(),
                r.data_element.clone().unwrap(),
                r.category_option_combo.to_string(),
            )
        })
        .collect();
    let row = |c: &str, de: &str, coc: &str| (c.to_owned(), de.to_owned(), coc.to_owned());
    assert_eq!(
        rows,
        [
            row(
                "Data element: Confirmed cases Female",
                "deCases0001",
                "cocFemale01"
            ),
            row(
                "Data element: Confirmed cases Male",
                "deCases0001",
                "cocMale0001"
            ),
            row("Data element: Remarks", "deNote00001", "HllvX50cXC0"),
            row("Data element: Tested", "deTested001", "HllvX50cXC0"),
            row("Data element: Stock-out", "deStock0001", "HllvX50cXC0"),
            row("Data element: Result", "deResult001", "HllvX50cXC0"),
            row("Data element: Register photo", "dePhoto0001", "HllvX50cXC0"),
            row("Data element: Signed report", "deReport001", "HllvX50cXC0"),
        ]
    );
    // The org unit asked for by code is written by UID (the default scheme), as DHIS2 does.
    assert!(t
        .rows()
        .iter()
        .all(|r| r.org_unit.as_deref() == Some("ouClinicA01") && r.period == "202402"));
    let coded = TemplateParams {
        org_unit_scheme: TemplateScheme::Code,
        data_element_scheme: TemplateScheme::Code,
        ..params
    };
    let t = Template::new(&md, &coded).unwrap();
    assert_eq!(t.rows()[0].data_element.as_deref(), Some("CASES"));
    assert_eq!(t.rows()[0].org_unit.as_deref(), Some("CLINIC_A"));
}

#[test]
fn a_filled_template_imports_exactly_the_filled_values() {
    let md = metadata();
    let params = TemplateParams {
        period: Some("202402".parse().unwrap()),
        org_units: vec!["ouClinicA01".into()],
        ..TemplateParams::new(uid("dsMonthly01"))
    };
    let template = Template::new(&md, &params).unwrap();
    let mut writer = dxf2_xml::Writer::new(Vec::new());
    assert_eq!(template.write_to(&mut writer).unwrap(), 8);
    let xml = String::from_utf8(writer.into_inner().unwrap()).unwrap();
    // An export writer leaves the empty values out (DHIS2's template writes `value=""`).
    assert_eq!(xml.matches("<dataValue ").count(), 8, "{xml}");

    // Fill three of the eight values, as a person would.
    let mut reader = dxf2_xml::Reader::new(xml.as_bytes()).unwrap();
    let mut filled = Vec::new();
    let mut record = DataValue::new();
    while reader.read_value(&mut record).unwrap() {
        let mut v = record.clone();
        match (v.data_element(), v.category_option_combo()) {
            (Some("deCases0001"), Some("cocMale0001")) => v.set(Field::Value, "4"),
            (Some("deNote00001"), _) => v.set(Field::Value, "all good"),
            (Some("deStock0001"), _) => v.set(Field::Value, "false"),
            _ => {}
        }
        filled.push(v);
    }
    assert_eq!(filled.len(), 8);
    let mut source = Filled(filled, dxf2_model::DataValueSetHeader::default());
    let access = Superuser::default();
    let importer =
        Importer::new(&md, &access).with_now(Utc.with_ymd_and_hms(2024, 3, 15, 0, 0, 0).unwrap());
    let mut store = MemoryStore::new();
    let outcome = importer.import(
        &mut source,
        &ImportOptions::default(),
        &mut MetadataResolver::new(&md),
        &mut store,
        &mut |_| {},
    );
    let s = &outcome.summary;
    assert_eq!(s.import_count.imported, 3, "{s:?}");
    // The values left empty are DHIS2's E7618 conflicts: nothing stored for them.
    assert!(s
        .conflicts
        .iter()
        .all(|c| c.error_code.as_deref() == Some("E7618")));

    let mut stored = Vec::new();
    let query = ValueQuery {
        data_elements: md.data_elements().iter().map(|d| d.id.uid).collect(),
        ..ValueQuery::default()
    };
    store
        .query(&query, &mut |row| {
            stored.push((
                row.key.data_element.to_string(),
                row.key.category_option_combo.to_string(),
                row.value.clone().unwrap_or_default(),
            ));
            Ok(())
        })
        .unwrap();
    stored.sort();
    let s = |a: &str, b: &str, c: &str| (a.to_owned(), b.to_owned(), c.to_owned());
    assert_eq!(
        stored,
        [
            s("deCases0001", "cocMale0001", "4"),
            s("deNote00001", "HllvX50cXC0", "all good"),
            s("deStock0001", "HllvX50cXC0", "false"),
        ]
    );
}

/// The filled values, as a source.
struct Filled(Vec<DataValue>, dxf2_model::DataValueSetHeader);

impl DataValueSource for Filled {
    type Error = std::io::Error;

    fn header(&self) -> &dxf2_model::DataValueSetHeader {
        &self.1
    }

    fn read_value(&mut self, record: &mut DataValue) -> Result<bool, std::io::Error> {
        if self.0.is_empty() {
            return Ok(false);
        }
        *record = self.0.remove(0);
        Ok(true)
    }
}
