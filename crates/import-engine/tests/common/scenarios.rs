//! What the scenario tests of both importer generations share (`tests/scenarios/classic_*.rs`
//! against fixture C, `tests/scenarios/pipeline_*.rs` against fixture M): the corpus payloads and
//! their identifiers, which both fixtures define, fixture C's set-up, and data value set B.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::PathBuf;

use dxf2_model::{IdScheme, ImportOptions, Metadata};
use import_engine::store::{Completion, DataValueStoreExt};
use import_engine::DataValueStore;

use super::import::{fixture, now, stored, uid};
use super::store::{fresh_store, TestStore};

pub const DS_A: &str = "pBOMPrpg1QX";
pub const DE_A: &str = "f7n9E0hX8qk";
pub const DE_B: &str = "Ix2HsbDMLea";
pub const DE_C: &str = "eY5ehpbEsB7";
pub const OU_A: &str = "DiszpKrYNg8";
pub const OU_B: &str = "BdfsJfj87js";
pub const DEF: &str = "HllvX50cXC0";
pub const OC_A: &str = "kjuiHgy67hg";

/// A payload of the corpus (`datavalueset/<name>`), or `None` when the corpus is absent.
pub fn payload(name: &str) -> Option<PathBuf> {
    super::corpus_file(&format!("datavalueset/{name}"))
}

/// Fixture C and a fresh store holding its completion registration (dsA, 201201, ouA, default),
/// as the classic scenarios set them up.
pub fn classic_setup() -> (Metadata, TestStore) {
    let md = fixture("fixture_c.json");
    let mut store = fresh_store();
    add_classic_completion(&mut store);
    (md, store)
}

/// Commits fixture C's completion registration (dsA, 201201, ouA, default) to `store`.
pub fn add_classic_completion(store: &mut dyn DataValueStore) {
    store.begin().unwrap();
    store
        .set_completion(&Completion {
            data_set: uid(DS_A),
            period: "201201".parse().unwrap(),
            org_unit: uid(OU_A),
            attribute_option_combo: uid(DEF),
            date: "2012-01-09".parse().unwrap(),
            stored_by: "userA".into(),
            last_updated: now(),
            completed: true,
        })
        .unwrap();
    store.commit().unwrap();
}

/// Sets the general, data element and org unit id schemes of `o`.
pub fn set_schemes(o: &mut ImportOptions, general: &str, de: &str, ou: &str) {
    o.id_schemes.id_scheme = Some(IdScheme::parse(general).unwrap());
    o.id_schemes.data_element = Some(IdScheme::parse(de).unwrap());
    o.id_schemes.org_unit = Some(IdScheme::parse(ou).unwrap());
}

/// The (data element, period, org unit) of the 12 values of data value set B, sorted.
pub fn b_keys() -> Vec<(String, String, String)> {
    let mut keys = Vec::new();
    for de in [DE_A, DE_B, DE_C] {
        for pe in ["201201", "201202"] {
            for ou in [OU_A, OU_B] {
                keys.push((de.to_owned(), pe.to_owned(), ou.to_owned()));
            }
        }
    }
    keys.sort();
    keys
}

/// The store holds exactly the values of data value set B, with the default combos.
pub fn assert_b_keys(store: &mut dyn DataValueStore, md: &Metadata) {
    let mut got: Vec<_> = stored(store, md)
        .iter()
        .map(|r| {
            assert_eq!(r.key.category_option_combo, uid(DEF));
            assert_eq!(r.key.attribute_option_combo, uid(DEF));
            (
                r.key.data_element.to_string(),
                r.key.period.to_string(),
                r.key.org_unit.to_string(),
            )
        })
        .collect();
    got.sort();
    assert_eq!(got, b_keys());
}
