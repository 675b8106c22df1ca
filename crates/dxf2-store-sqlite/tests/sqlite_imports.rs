//! Imports into the SQLite store give the same answers as into `MemoryStore` (the engine's
//! own tests, in `import-engine`, use `MemoryStore`): re-import and dry-run rollback (classic),
//! the 2.43+ changelog and completion, and the 2.43+ deletion scope.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::field_reassign_with_default
)]

mod common;

use std::fmt::Write as _;

use common::import::*;
use common::scenarios::*;
use dxf2_model::{
    ImportOptions, ImportStatus, ImportStrategy, ImportSummary, ImporterProfile, Metadata,
};
use import_engine::store::{AuditType, DataValueStore};

/// Fixture M's tests run as the admin superuser.
const ADMIN: Option<&str> = Some("admin");

/// DHIS2's `new ImportOptions()` (CREATE_AND_UPDATE) with the 2.43+ profile.
fn pipeline() -> ImportOptions {
    let mut o = ImportOptions::default();
    o.strategy = ImportStrategy::CreateAndUpdate;
    o.profile = ImporterProfile::Pipeline;
    o
}

fn fixture_m() -> Metadata {
    fixture("fixture_m.json")
}

fn assert_clean(s: &ImportSummary, updated: u64) {
    assert_eq!(s.status, ImportStatus::Success, "{s:#?}");
    assert!(s.conflicts.is_empty(), "{s:#?}");
    assert!(s.rejected_indexes.is_empty());
    assert_ne!(s.status, ImportStatus::Error, "{s:#?}");
    assert_eq!(counts(s), (0, updated, 0, 0), "{s:#?}");
    assert_eq!(s.profile, Some(ImporterProfile::Pipeline));
    assert_eq!(s.description, None);
}

/// Imports an inline JSON document with the reader of `options`.
fn import_json(
    md: &Metadata,
    json: &str,
    options: &ImportOptions,
    store: &mut dyn DataValueStore,
) -> ImportSummary {
    let leaked: &'static str = Box::leak(json.to_owned().into_boxed_str());
    let reader = dxf2_json::Reader::with_profile(leaked.as_bytes(), options.profile).unwrap();
    import_source(md, ADMIN, &mut Source::JsonBytes(reader), options, store).summary
}

/// Five live values of fixture M (data elements A and B, org units A and B, 201201/201202).
fn stored_grid(md: &Metadata, store: &mut dyn DataValueStore) {
    let mut values = String::new();
    for (de, ou, pe) in [
        (DE_A, OU_A, "201201"),
        (DE_A, OU_A, "201202"),
        (DE_A, OU_B, "201201"),
        (DE_B, OU_A, "201201"),
        (DE_B, OU_B, "201202"),
    ] {
        let _ = write!(
            values,
            r#"{}{{"dataElement":"{de}","period":"{pe}","orgUnit":"{ou}","value":"7","comment":"c"}}"#,
            if values.is_empty() { "" } else { "," }
        );
    }
    let json = format!(r#"{{"dataSet":"{DS_A}","dataValues":[{values}]}}"#);
    assert_clean(&import_json(md, &json, &pipeline(), store), 5);
}

#[test]
fn sqlite_store_reimport_and_rollback() {
    let Some(path) = common::corpus_file("datavalueset/dataValueSetB.xml") else {
        return;
    };
    let md = fixture("fixture_c.json");
    let mut store = dxf2_store_sqlite::SqliteStore::open_in_memory().unwrap();
    let s = import_file(&md, None, &path, &ImportOptions::default(), &mut store);
    assert_eq!(counts(&s), (12, 0, 0, 0));
    let s = import_file(&md, None, &path, &ImportOptions::default(), &mut store);
    assert_eq!(
        (s.status, counts(&s)),
        (ImportStatus::Success, (0, 0, 0, 12))
    );
    let mut o = ImportOptions::default();
    o.dry_run = true;
    o.strategy = ImportStrategy::Delete;
    let s = import_file(&md, None, &path, &o, &mut store);
    assert_eq!(counts(&s), (0, 0, 12, 0));
    assert_eq!(
        stored(&mut store, &md).len(),
        12,
        "a dry run writes nothing"
    );
}

#[test]
fn the_sqlite_store_keeps_the_changelog_and_rolls_back_dry_runs() {
    let (Some(a), Some(update)) = (
        payload("dataValueSetACode.xml"),
        payload("dataValueSetAUpdate.xml"),
    ) else {
        return;
    };
    let md = fixture_m();
    let mut store = dxf2_store_sqlite::SqliteStore::open_in_memory().unwrap();
    let mut dry = pipeline();
    dry.dry_run = true;
    let s = import_file(&md, ADMIN, &a, &dry, &mut store);
    assert_clean(&s, 3);
    assert_eq!(s.data_set_complete.as_deref(), Some("false"));
    assert_eq!(store.value_count().unwrap(), 0);
    assert_clean(&import_file(&md, ADMIN, &a, &pipeline(), &mut store), 3);
    assert_clean(
        &import_file(&md, ADMIN, &update, &pipeline(), &mut store),
        3,
    );
    let k = key(DE_A, "201201", OU_A, DEF, DEF);
    let types: Vec<_> = store
        .audits(&k)
        .unwrap()
        .iter()
        .map(|a| a.audit_type)
        .collect();
    assert_eq!(types, [AuditType::Create, AuditType::Update]);
    assert!(store
        .completion(
            &uid(DS_A),
            &"201201".parse().unwrap(),
            &uid(OU_A),
            &uid(DEF)
        )
        .unwrap()
        .is_some());
}

#[test]
fn deletion_scope_in_the_sqlite_store() {
    let md = fixture_m();
    let mut store = dxf2_store_sqlite::SqliteStore::open_in_memory().unwrap();
    stored_grid(&md, &mut store);
    let json = format!(
        r#"{{"dataSet":"{DS_A}","deletion":{{"orgUnits":["{OU_A}","{OU_B}"],"periods":["201201"],"elements":[{{"dataElement":"{DE_A}"}},{{"dataElement":"{DE_B}"}}]}}}}"#
    );
    let mut dry = pipeline();
    dry.dry_run = true;
    assert_eq!(
        counts(&import_json(&md, &json, &dry, &mut store)),
        (0, 0, 3, 0)
    );
    assert_eq!(stored(&mut store, &md).len(), 5);
    assert_eq!(
        counts(&import_json(&md, &json, &pipeline(), &mut store)),
        (0, 0, 3, 0)
    );
    assert_eq!(stored(&mut store, &md).len(), 2);
    let k = key(DE_B, "201201", OU_A, DEF, DEF);
    let types: Vec<_> = store
        .audits(&k)
        .unwrap()
        .iter()
        .map(|a| a.audit_type)
        .collect();
    assert_eq!(types, [AuditType::Create, AuditType::Delete]);
}
