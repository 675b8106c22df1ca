//! What the behaviour tests share: the DHIS2 test fixture, an import through the engine into a
//! memory store, the stored rows, and an ADX export of rows.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use adx::{AdxSourceBuilder, AdxWriterBuilder};
use dxf2_model::{
    DataValue, DataValueSetHeader, DataValueSink, Field, IdSchemes, ImportOptions, ImporterProfile,
    Metadata,
};
use idscheme_resolver::MetadataResolver;
use import_engine::store::{DataValueStore, StoredValue, ValueQuery};
use import_engine::{ImportOutcome, Importer, MemoryStore, Superuser};

/// The metadata of DHIS2's `AdxDataServiceIntegrationTest`.
pub fn fixture() -> Metadata {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/adx-integration-test.metadata.json"
    );
    dxf2_json::metadata::read_metadata(std::fs::File::open(path).unwrap()).unwrap()
}

/// A metadata fixture of this crate by file name.
pub fn metadata(name: &str) -> Metadata {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    dxf2_json::metadata::read_metadata(std::fs::File::open(path).unwrap()).unwrap()
}

/// A fixture file of this crate.
pub fn file(name: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/tests/fixtures/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

/// One stored value, by UIDs.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Row {
    pub de: String,
    pub period: String,
    pub ou: String,
    pub coc: String,
    pub aoc: String,
    pub value: String,
}

impl Row {
    pub fn new(r: (&str, &str, &str, &str, &str, &str)) -> Row {
        Row {
            de: r.0.into(),
            period: r.1.into(),
            ou: r.2.into(),
            coc: r.3.into(),
            aoc: r.4.into(),
            value: r.5.into(),
        }
    }
}

/// An import's outcome and what the store holds afterwards.
pub struct Imported {
    pub outcome: ImportOutcome,
    pub rows: Vec<Row>,
    pub store_rows: Vec<StoredValue>,
    pub store: MemoryStore,
}

/// Imports an ADX document through the engine (into `store`, or a new memory store).
pub fn import(
    md: &Metadata,
    xml: &[u8],
    profile: ImporterProfile,
    request: IdSchemes,
    store: Option<MemoryStore>,
) -> Imported {
    let options = ImportOptions {
        profile,
        id_schemes: request,
        ..ImportOptions::default()
    };
    let mut source = AdxSourceBuilder::new()
        .import_options(&options)
        .build(md, xml);
    let access = Superuser::default();
    let importer = Importer::new(md, &access);
    let mut resolver = MetadataResolver::new(md);
    let mut store = store.unwrap_or_default();
    let outcome = importer.import(
        &mut source,
        &options,
        &mut resolver,
        &mut store,
        &mut |_| {},
    );
    let store_rows = stored(md, &mut store);
    let mut rows: Vec<Row> = store_rows
        .iter()
        .map(|r| Row {
            de: r.key.data_element.to_string(),
            period: r.key.period.to_string(),
            ou: r.key.org_unit.to_string(),
            coc: r.key.category_option_combo.to_string(),
            aoc: r.key.attribute_option_combo.to_string(),
            value: r.value.clone().unwrap_or_default(),
        })
        .collect();
    rows.sort();
    Imported {
        outcome,
        rows,
        store_rows,
        store,
    }
}

/// Every live row of the store.
pub fn stored(md: &Metadata, store: &mut MemoryStore) -> Vec<StoredValue> {
    let query = ValueQuery {
        data_elements: md.data_elements().iter().map(|d| d.id.uid).collect(),
        ..ValueQuery::default()
    };
    let mut rows = Vec::new();
    store
        .query(&query, &mut |r| {
            rows.push(r.clone());
            Ok(())
        })
        .unwrap();
    rows
}

/// Writes stored rows as ADX (DHIS2's export defaults: codes).
pub fn export(md: &Metadata, rows: &[StoredValue]) -> Vec<u8> {
    let mut writer = AdxWriterBuilder::new().build(md, Vec::new());
    writer.begin(&DataValueSetHeader::default()).unwrap();
    for r in rows {
        let mut v = DataValue::from_fields(&[
            (Field::DataElement, r.key.data_element.as_str()),
            (Field::Period, &r.key.period.to_string()),
            (Field::OrgUnit, r.key.org_unit.as_str()),
            (
                Field::CategoryOptionCombo,
                r.key.category_option_combo.as_str(),
            ),
            (
                Field::AttributeOptionCombo,
                r.key.attribute_option_combo.as_str(),
            ),
        ]);
        if let Some(value) = &r.value {
            v.set(Field::Value, value);
        }
        writer.write_value(&v).unwrap();
    }
    writer.finish().unwrap();
    writer.into_inner()
}
