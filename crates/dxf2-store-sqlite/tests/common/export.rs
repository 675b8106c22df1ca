//! Fixture E of `../shared/spec/datavalueset-scenarios.md` §1.3 and the helpers shared by the
//! export tests (`tests/scenarios/export.rs`, classic; `tests/scenarios/export_pipeline.rs`,
//! 2.43+), here and in `dxf2-store-postgres` (which includes this file by path).
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use chrono::{DateTime, NaiveDate, TimeDelta, TimeZone, Utc};
use dxf2_model::{DataValue, DataValueSetHeader, DataValueSink, Metadata};
use import_engine::export::ExportParams;
use import_engine::store::{Completion, DataValueKey, DataValueStoreExt, StoredValue};
use import_engine::{DataValueStore, MemoryStore, MetadataStore};

use super::import::{fixture, key};
use super::store::{fresh_store, STORE_NAME};

// Fixture E (UIDs of DHIS2's test helpers; random ones replaced by fixed ones).
pub const DE_A: &str = "deabcdefghA";
pub const DE_B: &str = "deabcdefghB";
pub const DE_C: &str = "deabcdefghC";
pub const COC_A: &str = "cuabcdefghA";
pub const COC_B: &str = "cuabcdefghB";
pub const DS_A: &str = "dsabcdefghA";
pub const DS_B: &str = "dsabcdefghB";
pub const OU_A: &str = "ouabcdefghA";
pub const OU_B: &str = "ouabcdefghB";
pub const OU_C: &str = "ouabcdefghC";
pub const OG_A: &str = "ogabcdefghA";
pub const AT_A: &str = "atabcdefghA";
pub const PE_A: &str = "201603";
pub const PE_B: &str = "201604";
pub const DEFAULT_COC: &str = "HllvX50cXC0";

/// Fixture E (`tests/fixtures/fixture_e.json`).
pub fn fixture_e() -> Metadata {
    fixture("fixture_e.json")
}

/// When the values were stored: 2016-05-01 08:00 UTC plus `hours`.
pub fn at(hours: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2016, 5, 1, 8, 0, 0).unwrap() + TimeDelta::try_hours(hours).unwrap()
}

/// The instant the exports run at.
pub fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2016, 5, 2, 0, 0, 0).unwrap()
}

/// A stored value of `key`, created at `at(created)` by `admin`.
pub fn stored_row(created: i64, key: DataValueKey, value: &str) -> StoredValue {
    let mut row = StoredValue::empty(key, at(created));
    row.value = Some(value.to_owned());
    row.stored_by = Some("admin".to_owned());
    row
}

/// The keys of the 12 stored values of fixture E, COC = AOC, in this order:
/// deA × {peA, peB} × {ouA, ouB} × {cocA, cocB}, then deB × peA × {ouA, ouB} × {cocA, cocB}.
pub fn fixture_keys() -> Vec<DataValueKey> {
    let mut keys = Vec::new();
    for (de, periods) in [(DE_A, &[PE_A, PE_B][..]), (DE_B, &[PE_A][..])] {
        for pe in periods {
            for ou in [OU_A, OU_B] {
                for coc in [COC_A, COC_B] {
                    keys.push(key(de, pe, ou, coc, coc));
                }
            }
        }
    }
    keys
}

/// Saves the metadata, values and completions in one transaction.
pub fn fill<S: DataValueStore + MetadataStore>(
    store: &mut S,
    md: &Metadata,
    rows: &[StoredValue],
    completions: &[Completion],
) {
    store.begin().unwrap();
    store.save_metadata(md).unwrap();
    for r in rows {
        store.insert(r).unwrap();
    }
    for c in completions {
        store.set_completion(c).unwrap();
    }
    store.commit().unwrap();
}

/// A memory store and a fresh store of the crate under test (`super::store`, named
/// [`STORE_NAME`]) holding the same metadata, values and completions.
pub fn stores_with(
    md: &Metadata,
    rows: &[StoredValue],
    completions: &[Completion],
) -> Vec<(&'static str, Box<dyn DataValueStore>)> {
    let mut memory = MemoryStore::new();
    fill(&mut memory, md, rows, completions);
    let mut store = fresh_store();
    fill(&mut store, md, rows, completions);
    vec![("memory", Box::new(memory)), (STORE_NAME, Box::new(store))]
}

/// A sink that keeps what it is given.
#[derive(Debug, Default)]
pub struct Collect {
    pub header: Option<DataValueSetHeader>,
    pub values: Vec<DataValue>,
    pub finished: bool,
}

impl DataValueSink for Collect {
    type Error = std::io::Error;
    fn begin(&mut self, header: &DataValueSetHeader) -> std::io::Result<()> {
        assert!(self.header.is_none(), "begin called twice");
        self.header = Some(header.clone());
        Ok(())
    }
    fn write_value(&mut self, value: &DataValue) -> std::io::Result<()> {
        assert!(self.header.is_some() && !self.finished);
        self.values.push(value.clone());
        Ok(())
    }
    fn finish(&mut self) -> std::io::Result<()> {
        self.finished = true;
        Ok(())
    }
}

impl Collect {
    pub fn header(&self) -> &DataValueSetHeader {
        self.header.as_ref().unwrap()
    }
    pub fn column(&self, f: impl Fn(&DataValue) -> Option<&str>) -> Vec<String> {
        self.values
            .iter()
            .map(|v| f(v).unwrap_or("<absent>").to_owned())
            .collect()
    }
}

pub fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}

/// Export parameters naming data sets, periods and org units.
pub fn params(data_sets: &[&str], periods: &[&str], org_units: &[&str]) -> ExportParams {
    ExportParams {
        data_sets: strings(data_sets),
        periods: strings(periods),
        org_units: strings(org_units),
        ..ExportParams::default()
    }
}

pub fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}
