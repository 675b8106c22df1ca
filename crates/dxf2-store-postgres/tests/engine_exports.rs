//! Exports through the engine from [`PostgresStore`] answer exactly as from `MemoryStore`, the
//! reference of the export tests: fixture E (`datavalueset-scenarios.md` §1.3) with its 12
//! values plus soft-deleted, later-updated and other-attribute-combo rows and a completion, is
//! stored in both, and every request below (each filter of `GET /api/dataValueSets`, id schemes,
//! limits, refusals), classic and 2.43+, must give the same header, values, summary or error.
//!
//! Needs the test server (`DXF2_TEST_POSTGRES`).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;
mod support;

use chrono::{DateTime, NaiveDate, TimeDelta, TimeZone, Utc};
use common::import::{fixture, key, uid};
use dxf2_model::{
    DataValue, DataValueSetHeader, DataValueSink, IdScheme, IdSchemes, ImporterProfile, Metadata,
};
use dxf2_store::{Completion, DataValueStore, DataValueStoreExt, MemoryStore, StoredValue};
use idscheme_resolver::MetadataResolver;
use import_engine::export::{ExportParams, Exporter};
use import_engine::Superuser;
use support::TestSchema;

// Fixture E.
const DE_A: &str = "deabcdefghA";
const DE_B: &str = "deabcdefghB";
const DE_C: &str = "deabcdefghC";
const COC_A: &str = "cuabcdefghA";
const COC_B: &str = "cuabcdefghB";
const DS_A: &str = "dsabcdefghA";
const DS_B: &str = "dsabcdefghB";
const OU_A: &str = "ouabcdefghA";
const OU_B: &str = "ouabcdefghB";
const OU_C: &str = "ouabcdefghC";
const OG_A: &str = "ogabcdefghA";
const PE_A: &str = "201603";
const PE_B: &str = "201604";

/// When the values were stored: 2016-05-01 08:00 UTC plus `hours`.
fn at(hours: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2016, 5, 1, 8, 0, 0).unwrap() + TimeDelta::try_hours(hours).unwrap()
}

/// The instant the exports run at.
fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2016, 5, 2, 0, 0, 0).unwrap()
}

/// Fixture E's 12 values (COC = AOC, the i-th created at `at(i)`), plus: a soft-deleted value,
/// one updated later, one of another period type and one whose AOC differs from its COC.
fn rows() -> Vec<StoredValue> {
    let mut rows = Vec::new();
    let mut add = |created: i64, de: &str, pe: &str, ou: &str, coc: &str, aoc: &str, v: &str| {
        let mut row = StoredValue::empty(key(de, pe, ou, coc, aoc), at(created));
        row.value = Some(v.to_owned());
        row.stored_by = Some("admin".to_owned());
        rows.push(row);
    };
    let mut i = 0;
    for (de, periods) in [(DE_A, &[PE_A, PE_B][..]), (DE_B, &[PE_A][..])] {
        for pe in periods {
            for ou in [OU_A, OU_B] {
                for coc in [COC_A, COC_B] {
                    add(i, de, pe, ou, coc, coc, "1");
                    i += 1;
                }
            }
        }
    }
    add(3, DE_C, PE_A, OU_C, COC_A, COC_A, "deleted");
    add(3, DE_B, PE_B, OU_A, COC_A, COC_B, "mixed");
    add(2, DE_A, "2016Q2", OU_A, COC_A, COC_A, "quarter");
    add(1, DE_B, "2016W14", OU_B, COC_B, COC_B, "week");
    let n = rows.len();
    rows[n - 4].deleted = true;
    rows[0].last_updated = at(20);
    rows[0].comment = Some("later".to_owned());
    rows
}

fn completion() -> Completion {
    Completion {
        data_set: uid(DS_A),
        period: PE_A.parse().unwrap(),
        org_unit: uid(OU_A),
        attribute_option_combo: uid(COC_A),
        date: NaiveDate::from_ymd_opt(2016, 4, 2).unwrap(),
        stored_by: "admin".to_owned(),
        last_updated: at(4),
        completed: true,
    }
}

fn fill(store: &mut dyn DataValueStore) {
    store.begin().unwrap();
    for row in rows() {
        store.insert(&row).unwrap();
    }
    store.set_completion(&completion()).unwrap();
    store.commit().unwrap();
}

/// A sink that keeps what it is given, as text.
#[derive(Debug, Default)]
struct Collect {
    header: Option<DataValueSetHeader>,
    values: Vec<DataValue>,
}

impl DataValueSink for Collect {
    type Error = std::io::Error;
    fn begin(&mut self, header: &DataValueSetHeader) -> std::io::Result<()> {
        self.header = Some(header.clone());
        Ok(())
    }
    fn write_value(&mut self, value: &DataValue) -> std::io::Result<()> {
        self.values.push(value.clone());
        Ok(())
    }
    fn finish(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// The requests: (what, parameters).
fn requests() -> Vec<(&'static str, ExportParams)> {
    let base = |data_sets: &[&str], periods: &[&str], org_units: &[&str]| ExportParams {
        data_sets: strings(data_sets),
        periods: strings(periods),
        org_units: strings(org_units),
        ..ExportParams::default()
    };
    let everything = ExportParams {
        start_date: Some(date(2015, 1, 1)),
        end_date: Some(date(2017, 12, 31)),
        children: true,
        ..base(&[DS_A, DS_B], &[], &[OU_A, OU_C])
    };
    let codes = IdSchemes {
        id_scheme: Some(IdScheme::Code),
        ..IdSchemes::default()
    };
    vec![
        (
            "one data set, period, org unit",
            base(&[DS_A], &[PE_A], &[OU_A]),
        ),
        ("two periods", base(&[DS_A], &[PE_A, PE_B], &[OU_A, OU_B])),
        (
            "children",
            ExportParams {
                children: true,
                ..base(&[DS_A, DS_B], &[PE_A, PE_B, "2016Q2", "2016W14"], &[OU_A])
            },
        ),
        ("date range, everything", everything.clone()),
        (
            "date range, April only",
            ExportParams {
                start_date: Some(date(2016, 4, 1)),
                end_date: Some(date(2016, 4, 30)),
                ..everything.clone()
            },
        ),
        (
            "data elements",
            ExportParams {
                data_elements: strings(&[DE_B, DE_C]),
                ..ExportParams {
                    data_sets: Vec::new(),
                    ..everything.clone()
                }
            },
        ),
        (
            "org unit group",
            ExportParams {
                org_units: Vec::new(),
                org_unit_groups: strings(&[OG_A]),
                ..everything.clone()
            },
        ),
        (
            "attribute option combo",
            ExportParams {
                attribute_option_combos: strings(&[COC_B]),
                ..everything.clone()
            },
        ),
        (
            "include deleted",
            ExportParams {
                include_deleted: true,
                ..everything.clone()
            },
        ),
        (
            "last updated",
            ExportParams {
                last_updated: Some(at(10)),
                ..everything.clone()
            },
        ),
        (
            "last updated duration",
            ExportParams {
                last_updated_duration: Some("20h".into()),
                ..everything.clone()
            },
        ),
        (
            "limit",
            ExportParams {
                limit: Some(3),
                ..everything.clone()
            },
        ),
        (
            "codes",
            ExportParams {
                output_id_schemes: codes,
                ..base(&[DS_A], &[PE_A], &[OU_A])
            },
        ),
        ("no data set (refused)", base(&[], &[PE_A], &[OU_A])),
        (
            "unknown org unit (refused)",
            base(&[DS_A], &[PE_A], &["ouNoSuchOne"]),
        ),
    ]
}

/// The export's outcome, as text.
fn export(
    md: &Metadata,
    profile: ImporterProfile,
    params: &ExportParams,
    store: &mut dyn DataValueStore,
) -> String {
    let access = Superuser::default();
    let exporter = Exporter::new(md, &access)
        .with_profile(profile)
        .with_now(now());
    let mut resolver = MetadataResolver::new(md);
    let mut out = Collect::default();
    let result = exporter.export(params, &mut resolver, store, &mut out);
    format!("{result:#?}\n{out:#?}")
}

#[test]
fn exports_answer_as_from_the_memory_store() {
    let Some(schema) = TestSchema::new("export") else {
        return;
    };
    let md = fixture("fixture_e.json");
    let mut memory = MemoryStore::new();
    fill(&mut memory);
    let mut pg = schema.create();
    fill(&mut pg);
    let mut reader = schema.open_read_only();
    let mut values = 0;
    for profile in [ImporterProfile::Classic, ImporterProfile::Pipeline] {
        for (what, params) in requests() {
            let expected = export(&md, profile, &params, &mut memory);
            values += expected.matches("DataValue {").count();
            assert_eq!(
                export(&md, profile, &params, &mut pg),
                expected,
                "{profile:?}, {what}"
            );
            assert_eq!(
                export(&md, profile, &params, &mut reader),
                expected,
                "{profile:?}, {what}, read-only"
            );
        }
    }
    assert!(values > 100, "the requests exported too little: {values}");
}
