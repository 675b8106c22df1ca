// One file: DHIS2's 2.43+ scenarios, found by number (M19–M50), and the tests reusing their runs.
//! The DHIS2 2.43+ ("new pipeline") scenarios M19–M50 of `datavalueset-scenarios.md` §4: each
//! corpus payload imported with `ImporterProfile::Pipeline` against fixture M as the admin
//! superuser, with DHIS2's asserted (and derived) outcome; further 2.43 rules of
//! `datavalueset-spec.md` §4.9/§5.5/§5.6 on variations of fixture M; cross-checks that the same
//! payloads keep their classic answers under the classic profile; and the generated comparison
//! table `docs/profiles.md`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::field_reassign_with_default
)]

mod common;

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use common::import::*;
use common::scenarios::*;
use dxf2_model::metadata::{
    CategoryOption, DataElement, DataSet, Identity, OrganisationUnit, User,
};
use dxf2_model::{
    IdScheme, ImportOptions, ImportStatus, ImportStrategy, ImportSummary, ImporterProfile, Metadata,
};
use idscheme_resolver::MetadataResolver;
use import_engine::store::{AuditType, DataValueStore};
use import_engine::{Importer, MemoryStore, SystemSettings, UserAccess};

/// Fixture M's tests run as the admin superuser.
const ADMIN: Option<&str> = Some("admin");
const DE_D: &str = "deabcdefghD";
const OU_C: &str = "j7Hg26FpoIa";

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

fn run_with(
    md: &Metadata,
    name: &str,
    options: &ImportOptions,
) -> Option<(ImportSummary, MemoryStore)> {
    let path = payload(name)?;
    let mut store = MemoryStore::new();
    let s = import_file(md, ADMIN, &path, options, &mut store);
    Some((s, store))
}

fn run(name: &str, options: &ImportOptions) -> Option<(ImportSummary, Metadata, MemoryStore)> {
    let md = fixture_m();
    let (s, store) = run_with(&md, name, options)?;
    Some((s, md, store))
}

/// Imports an inline XML document with the pipeline reader.
fn import_xml(
    md: &Metadata,
    user: Option<&str>,
    xml: &str,
    options: &ImportOptions,
    store: &mut MemoryStore,
) -> ImportSummary {
    let leaked: &'static str = Box::leak(xml.to_owned().into_boxed_str());
    let reader = dxf2_xml::Reader::with_profile(leaked.as_bytes(), options.profile).unwrap();
    import_source(md, user, &mut Source::Bytes(reader), options, store).summary
}

/// DHIS2's `assertImported(updated, ignored[, deleted])`: imported 0 and status not ERROR.
fn assert_imported(s: &ImportSummary, updated: u64, ignored: u64) {
    assert_ne!(s.status, ImportStatus::Error, "{s:#?}");
    assert_eq!(counts(s), (0, updated, 0, ignored), "{s:#?}");
}

fn assert_clean(s: &ImportSummary, updated: u64) {
    assert_eq!(s.status, ImportStatus::Success, "{s:#?}");
    assert!(s.conflicts.is_empty(), "{s:#?}");
    assert!(s.rejected_indexes.is_empty());
    assert_imported(s, updated, 0);
    assert_eq!(s.profile, Some(ImporterProfile::Pipeline));
    assert_eq!(s.description, None);
}

/// A group-level failure: status ERROR, one conflict of `code` with `message`, every index of
/// the group rejected, nothing counted.
fn assert_group_error(s: &ImportSummary, code: &str, message: &str, indexes: &[i64]) {
    assert_eq!(s.status, ImportStatus::Error, "{s:#?}");
    assert_eq!(codes(s), [(code.to_owned(), indexes.to_vec())], "{s:#?}");
    let c = &s.conflicts[0];
    assert_eq!(c.value, message);
    assert_eq!(c.object, None);
    assert_eq!(c.property, None);
    assert_eq!(c.objects.len(), 1);
    assert_eq!(c.objects[0].0, "args");
    assert_eq!(s.rejected_indexes, indexes);
    assert_eq!(counts(s), (0, 0, 0, 0));
}

/// A decoding failure: status ERROR, counts 0, one conflict at index -1, nothing rejected.
fn assert_decode_error(s: &ImportSummary, code: &str, message: &str) {
    assert_eq!(s.status, ImportStatus::Error, "{s:#?}");
    assert_eq!(codes(s), [(code.to_owned(), vec![-1])], "{s:#?}");
    assert_eq!(s.conflicts[0].value, message);
    assert!(s.rejected_indexes.is_empty());
    assert_eq!(counts(s), (0, 0, 0, 0));
    assert_eq!(s.data_set_complete, None);
}

/// The 12 values of data value set B (C24/M24), with the given identifiers.
fn b_values_xml(des: [&str; 3], ous: [&str; 2]) -> String {
    let mut xml = String::from(r#"<dataValueSet xmlns="http://dhis2.org/schema/dxf/2.0">"#);
    let mut value = 10001;
    for de in des {
        for pe in ["201201", "201202"] {
            for ou in ous {
                write!(
                    xml,
                    r#"<dataValue dataElement="{de}" period="{pe}" orgUnit="{ou}" value="{value}" comment="comment" followUp="false"/>"#
                )
                .unwrap();
                value += 1;
            }
        }
    }
    xml.push_str("</dataValueSet>");
    xml
}

// ---------------------------------------------------------------------------------------------
// M19–M50
// ---------------------------------------------------------------------------------------------

#[test]
fn m19_xml_set_a() {
    let Some((s, md, mut store)) = run("dataValueSetA.xml", &pipeline()) else {
        return;
    };
    assert_clean(&s, 3);
    assert_eq!(s.data_set_complete.as_deref(), Some("false"));
    let rows = stored(&mut store, &md);
    let values: BTreeSet<_> = rows.iter().map(|r| r.value.clone().unwrap()).collect();
    assert_eq!(values, ["10001", "10002", "10003"].map(String::from).into());
    assert!(rows
        .iter()
        .any(|r| r.key == key(DE_A, "201201", OU_A, DEF, DEF)));
    for r in &rows {
        // storedBy is always the importing user (payload `storedBy="john"` is not read).
        assert_eq!(r.stored_by.as_deref(), Some("admin"));
        let audits = store.audits(&r.key).unwrap();
        assert_eq!(audits.len(), 1, "one changelog entry per value");
        assert_eq!(audits[0].audit_type, AuditType::Create);
    }
}

#[test]
fn m20_preheat_cache_changes_nothing() {
    let mut o = pipeline();
    o.preheat_cache = Some(true);
    let Some((s, md, mut store)) = run("dataValueSetA.xml", &o) else {
        return;
    };
    assert_clean(&s, 3);
    assert_eq!(stored(&mut store, &md).len(), 3);
}

#[test]
fn m21_code_scheme_in_payload_with_completion() {
    let Some((s, md, mut store)) = run("dataValueSetACode.xml", &pipeline()) else {
        return;
    };
    assert_clean(&s, 3);
    assert_eq!(s.data_set_complete.as_deref(), Some("2012-01-09"));
    let rows = stored(&mut store, &md);
    assert_eq!(rows.len(), 3);
    for de in [DE_A, DE_B, DE_C] {
        let k = key(de, "201201", OU_A, DEF, DEF);
        assert!(rows.iter().any(|r| r.key == k));
        assert_eq!(store.audits(&k).unwrap().len(), 1);
    }
    let c = store
        .completion(
            &uid(DS_A),
            &"201201".parse().unwrap(),
            &uid(OU_A),
            &uid(DEF),
        )
        .unwrap()
        .unwrap();
    assert_eq!(c.date.to_string(), "2012-01-09");
    assert_eq!(c.stored_by, "admin");
}

#[test]
fn m22_xml_set_b_detects_the_data_set() {
    let Some((s, md, mut store)) = run("dataValueSetB.xml", &pipeline()) else {
        return;
    };
    assert_clean(&s, 12);
    assert_b_keys(&mut store, &md);
}

#[test]
fn m23_m30_code_schemes() {
    for preheat in [None, Some(true)] {
        let mut o = pipeline();
        set_schemes(&mut o, "CODE", "CODE", "CODE");
        o.preheat_cache = preheat;
        let Some((s, md, mut store)) = run("dataValueSetBCode.xml", &o) else {
            return;
        };
        assert_clean(&s, 12);
        assert_b_keys(&mut store, &md);
    }
}

#[test]
fn m24_m25_service_inputs_and_unchanged_reimport() {
    let md = fixture_m();
    let mut store = MemoryStore::new();
    let s = import_xml(
        &md,
        ADMIN,
        &b_values_xml([DE_A, DE_B, DE_C], [OU_A, OU_B]),
        &pipeline(),
        &mut store,
    );
    assert_clean(&s, 12);
    assert_b_keys(&mut store, &md);
    // M25: one changed value and two identical ones all count as written (classic: 0,1,0,2).
    let xml = format!(
        r#"<dataValueSet xmlns="http://dhis2.org/schema/dxf/2.0">
        <dataValue dataElement="{DE_A}" period="201201" orgUnit="{OU_A}" value="20001" comment="comment" followUp="false"/>
        <dataValue dataElement="{DE_A}" period="201201" orgUnit="{OU_B}" value="10002" comment="comment" followUp="false"/>
        <dataValue dataElement="{DE_A}" period="201202" orgUnit="{OU_A}" value="10003" comment="comment" followUp="false"/>
        </dataValueSet>"#
    );
    let s = import_xml(&md, ADMIN, &xml, &pipeline(), &mut store);
    assert_clean(&s, 3);
    assert_b_keys(&mut store, &md);
    let k = key(DE_A, "201201", OU_A, DEF, DEF);
    let audits = store.audits(&k).unwrap();
    assert_eq!(audits.len(), 2);
    assert_eq!(audits[1].audit_type, AuditType::Update);
    assert_eq!(audits[1].previous_value.as_deref(), Some("10001"));
}

#[test]
fn m26_service_inputs_with_codes() {
    let md = fixture_m();
    let mut store = MemoryStore::new();
    let mut o = pipeline();
    o.id_schemes.data_element = Some(IdScheme::Code);
    o.id_schemes.org_unit = Some(IdScheme::Code);
    let xml = b_values_xml(["DE_A", "DE_B", "DE_C"], ["OU_A", "OU_B"]);
    let s = import_xml(&md, ADMIN, &xml, &o, &mut store);
    assert_clean(&s, 12);
    assert_b_keys(&mut store, &md);
}

#[test]
fn m27_m29_attribute_schemes() {
    for preheat in [None, Some(true)] {
        let a = "ATTRIBUTE:uh6H2ff562G";
        let mut o = pipeline();
        set_schemes(&mut o, a, a, a);
        o.preheat_cache = preheat;
        let Some((s, md, mut store)) = run("dataValueSetBAttribute.xml", &o) else {
            return;
        };
        assert_clean(&s, 12);
        assert_b_keys(&mut store, &md);
    }
}

#[test]
fn m28_attribute_scheme_in_payload() {
    let Some((s, md, mut store)) = run("dataValueSetBAttributeIdScheme.xml", &pipeline()) else {
        return;
    };
    assert_clean(&s, 12);
    assert_b_keys(&mut store, &md);
}

#[test]
fn m31_csv_with_header_names() {
    let Some((s, md, mut store)) = run("dataValueSetB.csv", &pipeline()) else {
        return;
    };
    assert_clean(&s, 12);
    assert_b_keys(&mut store, &md);
}

#[test]
fn m32_csv_with_data_set_option() {
    let mut o = pipeline();
    o.data_set = Some(DS_A.into());
    let Some((s, md, mut store)) = run("dataValueSetWithDataSetHeader.csv", &o) else {
        return;
    };
    assert_clean(&s, 3);
    assert_eq!(stored(&mut store, &md).len(), 3);
}

#[test]
fn m33_csv_without_header_row_is_refused() {
    let Some(path) = payload("dataValueSetBNoHeader.csv") else {
        return;
    };
    let mut o = pipeline();
    o.first_row_is_header = false;
    let file = std::io::BufReader::new(std::fs::File::open(path).unwrap());
    let Err(err) = dxf2_csv::ReaderBuilder::from_options(&o).from_reader(file) else {
        panic!("a CSV without header row must be refused");
    };
    assert!(
        err.to_string()
            .contains("CSV without header row is no longer supported."),
        "{err}"
    );
}

#[test]
fn m34_boolean_csv() {
    let Some((s, md, mut store)) = run("dataValueSetBooleanTest.csv", &pipeline()) else {
        return;
    };
    assert_eq!(s.status, ImportStatus::Warning);
    assert_eq!(s.conflict_occurrences(), 4);
    assert_imported(&s, 14, 4);
    assert_eq!(s.rejected_indexes, [10, 11, 16, 17]);
    assert_eq!(
        codes(&s),
        [10, 11, 16, 17].map(|i| ("E8122".to_owned(), vec![i]))
    );
    assert_eq!(
        s.conflicts[0].value,
        "Value #10 value `test` is no valid BOOLEAN: value_not_bool"
    );
    assert_eq!(
        s.conflicts[0].objects,
        [("args".into(), Some("10-test-BOOLEAN-value_not_bool".into()))]
    );
    assert_eq!(
        s.conflicts[1].value,
        "Value #11 value `not true` is no valid BOOLEAN: value_not_bool"
    );
    assert_eq!(
        s.conflicts[2].value,
        "Value #16 value `false` is no valid TRUE_ONLY: value_not_true_only"
    );
    let rows = stored(&mut store, &md);
    assert_eq!(rows.len(), 14);
    let values: BTreeSet<_> = rows.iter().map(|r| r.value.clone().unwrap()).collect();
    assert_eq!(values, ["false", "true"].map(String::from).into());
}

#[test]
fn m35_boolean_csv_with_duplicates_rejects_the_group() {
    let Some((s, md, mut store)) = run("dataValueSetBooleanDuplicatesTest.csv", &pipeline()) else {
        return;
    };
    let all: Vec<i64> = (0..18).collect();
    assert_group_error(
        &s,
        "E8128",
        "Value #[0, 1] all affect the same data value: `DataValueKey[dataElement=jH26dja2f30, orgUnit=DiszpKrYNg8, categoryOptionCombo=null, attributeOptionCombo=null, period=201201]`",
        &all,
    );
    assert!(stored(&mut store, &md).is_empty());
}

#[test]
fn m36_dry_run_writes_nothing() {
    let mut o = pipeline();
    o.dry_run = true;
    let Some((s, md, mut store)) = run("dataValueSetB.xml", &o) else {
        return;
    };
    assert_clean(&s, 12);
    assert!(stored(&mut store, &md).is_empty());
    assert!(store.is_empty());
}

#[test]
fn m37_updates_strategy_is_an_upsert() {
    let mut o = pipeline();
    o.strategy = ImportStrategy::Updates;
    let Some((s, md, mut store)) = run("dataValueSetB.xml", &o) else {
        return;
    };
    assert_clean(&s, 12);
    assert_eq!(stored(&mut store, &md).len(), 12);
}

#[test]
fn m38_new_period() {
    let Some((s, md, mut store)) = run("dataValueSetC.xml", &pipeline()) else {
        return;
    };
    assert_clean(&s, 3);
    let rows = stored(&mut store, &md);
    assert_eq!(rows.len(), 3);
    assert!(rows.iter().all(|r| r.key.period.to_string() == "201205"));
}

#[test]
fn m39_category_option_combo_code_scheme() {
    let mut o = pipeline();
    o.id_schemes.category_option_combo = Some(IdScheme::Code);
    let Some((s, md, mut store)) = run("dataValueSetCCode.xml", &o) else {
        return;
    };
    assert_clean(&s, 3);
    assert_eq!(stored(&mut store, &md).len(), 3);
}

#[test]
fn m40_empty_attribute_option_combo_means_default() {
    let Some((s, md, mut store)) = run("dataValueSetD2.xml", &pipeline()) else {
        return;
    };
    assert_clean(&s, 3);
    assert_eq!(s.data_set_complete.as_deref(), Some("2012-01-09"));
    let rows = stored(&mut store, &md);
    assert_eq!(rows.len(), 3);
    for de in [DE_A, DE_B, DE_C] {
        let k = key(de, "201201", OU_A, DEF, DEF);
        assert!(rows.iter().any(|r| r.key == k), "{de}");
    }
}

#[test]
fn m41_org_unit_not_a_source_rejects_the_group() {
    let Some((s, md, mut store)) = run("dataValueSetE.xml", &pipeline()) else {
        return;
    };
    assert_group_error(
        &s,
        "E8022",
        "Data set pBOMPrpg1QX not usable with org unit(s): `[j7Hg26FpoIa]`",
        &[0, 1, 2],
    );
    assert_eq!(
        s.conflicts[0].objects[0].1.as_deref(),
        Some("pBOMPrpg1QX-[j7Hg26FpoIa]")
    );
    assert_eq!(s.data_set_complete.as_deref(), Some("false"));
    assert!(stored(&mut store, &md).is_empty());
}

#[test]
fn m42_complete_date_without_group_org_unit_fails_decoding() {
    let Some((s, md, mut store)) = run("dataValueSetF.xml", &pipeline()) else {
        return;
    };
    assert_decode_error(
        &s,
        "E8009",
        "Data set `completeDate` requires data set, org unit, period and attribute option combo to be defined at the group level.",
    );
    assert_eq!(
        s.conflicts[0].objects,
        [("args".into(), Some(String::new()))]
    );
    assert!(stored(&mut store, &md).is_empty());
}

#[test]
fn m42_derived_without_complete_date_the_attribute_option_combo_fails() {
    let md = fixture_m();
    let mut store = MemoryStore::new();
    let xml = format!(
        r#"<dataValueSet xmlns="http://dhis2.org/schema/dxf/2.0" dataSet="{DS_A}" attributeOptionCombo="inValidUid1">
        <dataValue dataElement="{DE_A}" period="201201" orgUnit="{OU_A}" value="10001"/>
        <dataValue dataElement="{DE_B}" period="201201" orgUnit="{OU_A}" value="10002"/>
        <dataValue dataElement="{DE_A}" period="201201" orgUnit="{OU_A}" value="10004"/>
        <dataValue dataElement="{DE_C}" period="201201" orgUnit="{OU_A}" value="10003"/>
        </dataValueSet>"#
    );
    let s = import_xml(&md, ADMIN, &xml, &pipeline(), &mut store);
    assert_group_error(
        &s,
        "E8023",
        "Data set pBOMPrpg1QX not usable with attribute option combo(s): `[inValidUid1]`",
        &[0, 1, 2, 3],
    );
}

#[test]
fn m43_unknown_data_element_rejects_the_group() {
    let Some((s, md, mut store)) = run("dataValueSetG.xml", &pipeline()) else {
        return;
    };
    assert_group_error(
        &s,
        "E8020",
        "Data set pBOMPrpg1QX not usable with data element(s): `[nonEx1sting]`",
        &[0, 1, 2, 3],
    );
    assert!(stored(&mut store, &md).is_empty());
}

#[test]
fn m44_periods_are_always_strict() {
    for strict in [true, false] {
        let mut o = pipeline();
        o.strict_periods = strict;
        let Some((s, _, _)) = run("dataValueSetNonStrict.xml", &o) else {
            return;
        };
        assert_group_error(
            &s,
            "E8021",
            "Data set pBOMPrpg1QX not usable with period(s): `[2012Q2, 2012]`",
            &[0, 1, 2],
        );
    }
}

#[test]
fn m45_category_option_combo_of_another_combo() {
    let mut o = pipeline();
    o.strict_category_option_combos = true;
    let Some((s, _, _)) = run("dataValueSetIllegalCoc.xml", &o) else {
        return;
    };
    assert_group_error(
        &s,
        "E8024",
        "Data set pBOMPrpg1QX + data element f7n9E0hX8qk not usable with category option combo(s): `[kjuiHgy67hg]`",
        &[0],
    );
}

#[test]
fn m46_unknown_org_unit_is_not_a_source() {
    let mut o = pipeline();
    o.strict_organisation_units = true;
    let Some((s, _, _)) = run("dataValueSetIllegalOrgUnit.xml", &o) else {
        return;
    };
    assert_group_error(
        &s,
        "E8022",
        "Data set pBOMPrpg1QX not usable with org unit(s): `[missingOrgu]`",
        &[0],
    );
}

#[test]
fn m47_unsaved_data_element_with_option_set() {
    let Some((s, md, mut store)) = run("dataValueSetInvalid.xml", &pipeline()) else {
        return;
    };
    assert_group_error(
        &s,
        "E8020",
        "Data set pBOMPrpg1QX not usable with data element(s): `[jH26dja2f28]`",
        &[0, 1, 2],
    );
    // A failed group is never completed.
    assert_eq!(s.data_set_complete.as_deref(), Some("false"));
    assert!(store
        .completion(
            &uid(DS_A),
            &"201201".parse().unwrap(),
            &uid(OU_A),
            &uid(DEF)
        )
        .unwrap()
        .is_none());
    assert!(stored(&mut store, &md).is_empty());
}

#[test]
fn m48_updates_write_a_changelog_entry_each() {
    let (Some(a), Some(update)) = (
        payload("dataValueSetA.xml"),
        payload("dataValueSetAUpdate.xml"),
    ) else {
        return;
    };
    let md = fixture_m();
    let mut store = MemoryStore::new();
    let first = import_file(&md, ADMIN, &a, &pipeline(), &mut store);
    assert_clean(&first, 3);
    let mut o = pipeline();
    o.skip_audit = true; // not used by 2.43+: the changelog is always written
    let second = import_file(&md, ADMIN, &update, &o, &mut store);
    assert_clean(&second, 3);
    let rows = stored(&mut store, &md);
    assert_eq!(rows.len(), 3);
    for row in rows {
        assert_eq!(row.comment.as_deref(), Some("updated comment"));
        let audits = store.audits(&row.key).unwrap();
        assert_eq!(audits.len(), 2);
        assert_eq!(audits[0].audit_type, AuditType::Create);
        assert_eq!(audits[1].audit_type, AuditType::Update);
        assert!(audits[1]
            .previous_value
            .as_deref()
            .unwrap()
            .starts_with("1000"));
    }
}

#[test]
fn m49_null_values_are_value_errors() {
    let Some((s, md, mut store)) = run("dataValueSetANull.xml", &pipeline()) else {
        return;
    };
    assert_imported(&s, 1, 2);
    assert_eq!(s.status, ImportStatus::Warning);
    assert_eq!(
        codes(&s),
        [("E8120".to_owned(), vec![0]), ("E8120".to_owned(), vec![1])]
    );
    assert_eq!(s.conflicts[0].value, "Value #0 value is required");
    assert_eq!(s.conflicts[1].objects, [("args".into(), Some("1".into()))]);
    assert_eq!(s.rejected_indexes, [0, 1]);
    assert_eq!(stored(&mut store, &md).len(), 1);
    // A group with ignored values is not completed.
    assert_eq!(s.data_set_complete.as_deref(), Some("false"));
    assert!(store
        .completion(
            &uid(DS_A),
            &"201201".parse().unwrap(),
            &uid(OU_A),
            &uid(DEF)
        )
        .unwrap()
        .is_none());
}

#[test]
fn m50_new_periods_with_codes() {
    let md = fixture_m();
    let mut store = MemoryStore::new();
    let xml = r#"<dataValueSet xmlns="http://dhis2.org/schema/dxf/2.0" idScheme="code" dataSet="DS_A" orgUnit="OU_A">
        <dataValue dataElement="DE_A" period="200006" value="10001"/>
        <dataValue dataElement="DE_B" period="200006" value="10002"/>
        <dataValue dataElement="DE_C" period="200007" value="10003"/>
        <dataValue dataElement="DE_D" period="200007" value="10004"/>
        <dataValue dataElement="DE_D" period="200008" value="10005"/>
        </dataValueSet>"#;
    let s = import_xml(&md, ADMIN, xml, &pipeline(), &mut store);
    assert_clean(&s, 5);
    let rows = stored(&mut store, &md);
    assert!(rows
        .iter()
        .any(|r| r.key == key(DE_D, "200008", OU_A, DEF, DEF)));
}

// ---------------------------------------------------------------------------------------------
// Further 2.43+ rules (spec §2.2, §3.7, §4.9, §5.5, §5.6)
// ---------------------------------------------------------------------------------------------

#[test]
fn request_specific_scheme_beats_payload_general_scheme() {
    let Some(path) = payload("dataValueSetACode.xml") else {
        return;
    };
    let md = fixture_m();
    let mut o = pipeline();
    o.id_schemes.data_element = Some(IdScheme::Uid);
    let s = import_file(&md, ADMIN, &path, &o, &mut MemoryStore::new());
    assert_decode_error(&s, "E8104", "Value #0 data element UID not valid: `DE_A`");
    // Classic: the payload's general `idScheme="code"` wins and all three import.
    let mut classic = ImportOptions::default();
    classic.id_schemes.data_element = Some(IdScheme::Uid);
    let s = import_file(&md, ADMIN, &path, &classic, &mut MemoryStore::new());
    assert_eq!(counts(&s), (3, 0, 0, 0));
}

#[test]
fn unknown_codes_and_missing_fields_fail_decoding() {
    let md = fixture_m();
    let cases = [
        (
            r#"idScheme="code" dataSet="DS_X""#,
            r#"dataElement="DE_A" period="201201" orgUnit="OU_A""#,
            "E8005",
            "Data set not found: `DS_X`",
        ),
        (
            r#"dataSet="not-a-uid""#,
            r#"dataElement="DE_A" period="201201" orgUnit="OU_A""#,
            "E8004",
            "Data set UID not valid: `not-a-uid`",
        ),
        (
            r#"idScheme="code""#,
            r#"dataElement="DE_X" period="201201" orgUnit="OU_A""#,
            "E8103",
            "Value #0 data element not found: `DE_X`",
        ),
        (
            r#"idScheme="code""#,
            r#"dataElement="DE_A" period="201201" orgUnit="OU_X""#,
            "E8107",
            "Value #0 org unit not found: `OU_X`",
        ),
        (
            "",
            r#"dataElement="f7n9E0hX8qk" period="201201" orgUnit="ou-a""#,
            "E8106",
            "Value #0 org unit UID is not valid: `ou-a`",
        ),
        (
            r#"categoryOptionComboIdScheme="code""#,
            r#"dataElement="f7n9E0hX8qk" period="201201" orgUnit="DiszpKrYNg8" categoryOptionCombo="OC_X""#,
            "E8108",
            "Value #0 category option combo not found: `OC_X`",
        ),
        (
            r#"attributeOptionComboIdScheme="code""#,
            r#"dataElement="f7n9E0hX8qk" period="201201" orgUnit="DiszpKrYNg8" attributeOptionCombo="OC_X""#,
            "E8110",
            "Value #0 attribute option combo not found: `OC_X`",
        ),
        (
            r#"dataSet="pBOMPrpg1QX" completeDate="9 Jan 2012" period="201201" orgUnit="DiszpKrYNg8""#,
            r#"dataElement="f7n9E0hX8qk" value="1""#,
            "E8008",
            "Data set `completeDate` is not a valid date string: `9 Jan 2012`",
        ),
        (
            "",
            r#"dataElement="f7n9E0hX8qk" orgUnit="DiszpKrYNg8" value="1""#,
            "E8100",
            "Value #0 period not defined in group or value: `Input[dataElement=f7n9E0hX8qk, orgUnit=DiszpKrYNg8, categoryOptionCombo=null, categoryOptions=null, attributeOptionCombo=null, attributeCombo=null, attributeOptions=null, period=null, value=1, comment=null, followUp=null, deleted=null]`",
        ),
        (
            "",
            r#"period="201201" orgUnit="DiszpKrYNg8" value="1""#,
            "E8102",
            "Value #0 data element not defined in group or value: `Input[dataElement=null, orgUnit=DiszpKrYNg8, categoryOptionCombo=null, categoryOptions=null, attributeOptionCombo=null, attributeCombo=null, attributeOptions=null, period=201201, value=1, comment=null, followUp=null, deleted=null]`",
        ),
        (
            "",
            r#"dataElement="f7n9E0hX8qk" period="201201" value="1""#,
            "E8105",
            "Value #0 org unit not defined in group or value: `Input[dataElement=f7n9E0hX8qk, orgUnit=null, categoryOptionCombo=null, categoryOptions=null, attributeOptionCombo=null, attributeCombo=null, attributeOptions=null, period=201201, value=1, comment=null, followUp=null, deleted=null]`",
        ),
        (
            "",
            r#"dataElement="f7n9E0hX8qk" period="201201" orgUnit="DiszpKrYNg8" categoryOptionCombo="coc-x""#,
            "E8109",
            "Value #0 category option combo UID is not valid: `coc-x`",
        ),
        (
            "",
            r#"dataElement="f7n9E0hX8qk" period="201201" orgUnit="DiszpKrYNg8" attributeOptionCombo="aoc-x""#,
            "E8111",
            "Value #0 attribute option combo UID is not valid: `aoc-x`",
        ),
    ];
    for (set, value, code, message) in cases {
        let xml = format!(
            r#"<dataValueSet xmlns="http://dhis2.org/schema/dxf/2.0" {set}><dataValue {value}/></dataValueSet>"#
        );
        let s = import_xml(&md, ADMIN, &xml, &pipeline(), &mut MemoryStore::new());
        assert_decode_error(&s, code, message);
    }
}

#[test]
fn a_bad_period_or_uuid_scheme_fails_the_import() {
    let md = fixture_m();
    let xml = r#"<dataValueSet xmlns="http://dhis2.org/schema/dxf/2.0"><dataValue dataElement="f7n9E0hX8qk" period="2012M13" orgUnit="DiszpKrYNg8" value="1"/></dataValueSet>"#;
    let s = import_xml(&md, ADMIN, xml, &pipeline(), &mut MemoryStore::new());
    assert_eq!(s.status, ImportStatus::Error);
    assert!(s
        .description
        .as_deref()
        .unwrap()
        .starts_with("The import process failed: "));
    let mut o = pipeline();
    o.id_schemes.org_unit = Some(IdScheme::Uuid);
    let s = import_xml(
        &md,
        ADMIN,
        &b_values_xml([DE_A, DE_B, DE_C], [OU_A, OU_B]),
        &o,
        &mut MemoryStore::new(),
    );
    assert!(s.description.as_deref().unwrap().contains("UUID"), "{s:#?}");
}

#[test]
fn delete_strategy_counts_deleted_and_keeps_comments() {
    let Some(a) = payload("dataValueSetA.xml") else {
        return;
    };
    let md = fixture_m();
    let mut store = MemoryStore::new();
    assert_clean(&import_file(&md, ADMIN, &a, &pipeline(), &mut store), 3);
    let mut o = pipeline();
    o.strategy = ImportStrategy::Delete;
    let s = import_file(&md, ADMIN, &a, &o, &mut store);
    assert_eq!(s.status, ImportStatus::Success);
    assert_eq!(counts(&s), (0, 0, 3, 0));
    assert!(stored(&mut store, &md).is_empty());
    let k = key(DE_A, "201201", OU_A, DEF, DEF);
    let mut row = import_engine::store::StoredValue::empty(k, now());
    store.get(&k, &mut row).unwrap();
    assert!(row.deleted);
    assert_eq!(row.comment.as_deref(), Some("comment"));
    let audits = store.audits(&k).unwrap();
    assert_eq!(audits.last().unwrap().audit_type, AuditType::Delete);
}

#[test]
fn deleted_values_may_be_empty_and_zeros_are_stored() {
    let md = fixture_m();
    let mut store = MemoryStore::new();
    let xml = format!(
        r#"<dataValueSet xmlns="http://dhis2.org/schema/dxf/2.0" dataSet="{DS_A}" period="201201" orgUnit="{OU_A}">
        <dataValue dataElement="{DE_A}" value="0"/>
        <dataValue dataElement="{DE_B}" deleted="true"/>
        <dataValue dataElement="{DE_C}" value="5.0"/>
        </dataValueSet>"#
    );
    let s = import_xml(&md, ADMIN, &xml, &pipeline(), &mut store);
    assert_clean(&s, 3);
    let rows = stored(&mut store, &md);
    let value = |de: &str| {
        rows.iter()
            .find(|r| r.key.data_element == uid(de))
            .and_then(|r| r.value.clone())
    };
    assert_eq!(value(DE_A).as_deref(), Some("0"));
    assert_eq!(value(DE_C).as_deref(), Some("5"), "integer `.0` is removed");
    assert_eq!(rows.len(), 2, "the deleted value is stored as deleted");
    assert_eq!(store.len(), 3);
}

#[test]
fn atomic_mode_rejects_the_group_on_any_value_error() {
    let Some(path) = payload("dataValueSetANull.xml") else {
        return;
    };
    let md = fixture_m();
    let mut store = MemoryStore::new();
    let mut o = pipeline();
    o.atomic = true;
    let s = import_file(&md, ADMIN, &path, &o, &mut store);
    assert_group_error(
        &s,
        "E8000",
        "Atomic mode requires all values to be valid but only 1/3 were. First issue: Value #0 value is required",
        &[0, 1, 2],
    );
    assert!(stored(&mut store, &md).is_empty());
    // A single invalid value keeps its own error.
    let xml = format!(
        r#"<dataValueSet xmlns="http://dhis2.org/schema/dxf/2.0" dataSet="{DS_A}"><dataValue dataElement="{DE_A}" period="201201" orgUnit="{OU_A}" value="x"/></dataValueSet>"#
    );
    let s = import_xml(&md, ADMIN, &xml, &o, &mut store);
    assert_group_error(
        &s,
        "E8122",
        "Value #0 value `x` is no valid INTEGER: value_not_integer",
        &[0],
    );
}

#[test]
fn value_errors_skip_only_their_value() {
    let mut md = fixture_m();
    assert!(md.update::<DataElement>(&uid(DE_A), |de_a| {
        de_a.option_set = Some(uid("optSetA0001"));
    }));
    let long = "c".repeat(5001);
    let xml = format!(
        r#"<dataValueSet xmlns="http://dhis2.org/schema/dxf/2.0" dataSet="{DS_A}" period="201201" orgUnit="{OU_A}">
        <dataValue dataElement="{DE_A}" value="2"/>
        <dataValue dataElement="{DE_A}" value="7" orgUnit="{OU_B}"/>
        <dataValue dataElement="{DE_B}" value="1" comment="{long}"/>
        <dataValue dataElement="{DE_C}" value="abc"/>
        <dataValue dataElement="{DE_D}" comment="only a comment"/>
        </dataValueSet>"#
    );
    let mut store = MemoryStore::new();
    let s = import_xml(&md, ADMIN, &xml, &pipeline(), &mut store);
    assert_eq!(s.status, ImportStatus::Warning);
    assert_imported(&s, 1, 4);
    assert_eq!(
        s.conflicts
            .iter()
            .map(|c| c.value.as_str())
            .collect::<Vec<_>>(),
        [
            "Value #1 value `7` is no valid option for data element `f7n9E0hX8qk`",
            "Value #2 comment too long (max 5,000 characters)`",
            "Value #3 value `abc` is no valid INTEGER: value_not_integer",
            "Value #4 value is required",
        ]
    );
    assert_eq!(s.rejected_indexes, [1, 2, 3, 4]);
    // With `noValueRequiresComment` an empty value needs an empty comment (DHIS2's test is
    // inverted): the comment-only value is the one refused, with E8121.
    assert!(md.update::<DataSet>(&uid(DS_A), |ds| ds.no_value_requires_comment = true));
    let xml = format!(
        r#"<dataValueSet xmlns="http://dhis2.org/schema/dxf/2.0" dataSet="{DS_A}" period="201202" orgUnit="{OU_A}">
        <dataValue dataElement="{DE_A}"/>
        <dataValue dataElement="{DE_B}" comment="only a comment"/>
        </dataValueSet>"#
    );
    let s = import_xml(&md, ADMIN, &xml, &pipeline(), &mut MemoryStore::new());
    assert_imported(&s, 1, 1);
    assert_eq!(
        s.conflicts[0].value,
        "Value #1 value or comment is required`"
    );
}

/// Fixture M plus a second data set holding data element A, and a user that is not a superuser.
fn two_data_sets() -> Metadata {
    let mut md = fixture_m();
    let mut ds_b = md.data_set(&uid(DS_A)).unwrap().clone();
    ds_b.id = Identity::new(uid("dsBbbbbbb01"));
    ds_b.elements.retain(|e| e.data_element == uid(DE_A));
    md.add_data_set(ds_b);
    md
}

#[test]
fn data_set_detection_and_auto_grouping() {
    let Some(path) = payload("dataValueSetB.xml") else {
        return;
    };
    let md = two_data_sets();
    let s = import_file(&md, ADMIN, &path, &pipeline(), &mut MemoryStore::new());
    assert_group_error(
        &s,
        "E8002",
        "Data set detection failed, found multiple sets: `[pBOMPrpg1QX, dsBbbbbbb01]`",
        &(0..12).collect::<Vec<_>>(),
    );
    // With `dataEntryAutoGroup` every value goes to the first data set of its element.
    let settings = SystemSettings {
        data_entry_auto_group: true,
        ..SystemSettings::default()
    };
    let access = UserAccess::by_username(&md, "admin").unwrap();
    let importer = Importer::new(&md, &access)
        .with_now(now())
        .with_settings(settings);
    let mut store = MemoryStore::new();
    let mut source = open(&path, &pipeline());
    let s = importer
        .import(
            &mut source,
            &pipeline(),
            &mut MetadataResolver::new(&md),
            &mut store,
            &mut |_| {},
        )
        .summary;
    assert_clean(&s, 12);
    // A data element in no data set fails the split as a decoding error.
    let xml = r#"<dataValueSet xmlns="http://dhis2.org/schema/dxf/2.0"><dataValue dataElement="f7n9E0hX8qk" period="201201" orgUnit="DiszpKrYNg8" value="1"/><dataValue dataElement="nonEx1sting" period="201201" orgUnit="DiszpKrYNg8" value="1"/></dataValueSet>"#;
    let reader = dxf2_xml::Reader::with_profile(xml.as_bytes(), ImporterProfile::Pipeline).unwrap();
    let mut source = reader;
    let s = importer
        .import(
            &mut source,
            &pipeline(),
            &mut MetadataResolver::new(&md),
            &mut MemoryStore::new(),
            &mut |_| {},
        )
        .summary;
    assert_decode_error(
        &s,
        "E8003",
        "Data set detection failed, found no set for data element(s): `[nonEx1sting]`",
    );
}

/// Fixture M with a user who is not a superuser: data capture units ouA and ouB, data write on
/// data set A (and on nothing else unless `share_options`).
fn with_clerk(share_options: bool) -> Metadata {
    let mut md = fixture_m();
    md.add_user(User {
        id: Identity::new(uid("uSerBbbbb01")),
        username: "clerk".into(),
        org_units: vec![uid(OU_A), uid(OU_B)],
        data_view_org_units: Vec::new(),
        authorities: vec!["F_DATAVALUE_ADD".into()],
        user_groups: Vec::new(),
    });
    assert!(md.update::<DataSet>(&uid(DS_A), |ds| {
        ds.sharing.public = Some("rwrw----".into());
    }));
    if share_options {
        md.update_all::<CategoryOption>(|o| o.sharing.public = Some("rwrw----".into()));
    }
    md
}

#[test]
fn user_access_is_checked_for_other_users() {
    let md = with_clerk(false);
    let clerk = Some("clerk");
    let value = |ou: &str, extra: &str| {
        format!(
            r#"<dataValueSet xmlns="http://dhis2.org/schema/dxf/2.0" dataSet="{DS_A}"><dataValue dataElement="{DE_A}" period="201201" orgUnit="{ou}" value="1" {extra}/></dataValueSet>"#
        )
    };
    let s = import_xml(
        &md,
        clerk,
        &value(OU_A, ""),
        &pipeline(),
        &mut MemoryStore::new(),
    );
    assert_clean(&s, 1);
    let s = import_xml(
        &md,
        clerk,
        &value(OU_C, ""),
        &pipeline(),
        &mut MemoryStore::new(),
    );
    assert_group_error(
        &s,
        "E8011",
        "Current user cannot enter data for org unit(s): `[j7Hg26FpoIa]`",
        &[0],
    );
    let extra = format!(r#"categoryOptionCombo="{OC_A}""#);
    let s = import_xml(
        &md,
        clerk,
        &value(OU_A, &extra),
        &pipeline(),
        &mut MemoryStore::new(),
    );
    assert_group_error(
        &s,
        "E8012",
        "Current user cannot enter data for category option(s): `[cOptAaaaa01]`",
        &[0],
    );
    let mut md = md;
    let first = md.data_sets()[0].id.uid;
    md.update::<DataSet>(&first, |ds| ds.sharing.public = Some("r-r-----".into()));
    let s = import_xml(
        &md,
        clerk,
        &value(OU_A, ""),
        &pipeline(),
        &mut MemoryStore::new(),
    );
    assert_group_error(
        &s,
        "E8010",
        "Current user cannot enter data for data set: `pBOMPrpg1QX`",
        &[0],
    );
}

#[test]
fn timeliness_for_users_without_edit_expired() {
    let mut md = with_clerk(true);
    let clerk = Some("clerk");
    let month = |offset: i64| {
        let p = dxf2_model::PeriodType::Monthly
            .period_containing(now().date_naive())
            .unwrap();
        p.offset(offset).unwrap()
    };
    let xml = |pe: &str| {
        format!(
            r#"<dataValueSet xmlns="http://dhis2.org/schema/dxf/2.0" dataSet="{DS_A}"><dataValue dataElement="{DE_A}" period="{pe}" orgUnit="{OU_A}" value="1"/></dataValueSet>"#
        )
    };
    // The running month is after the latest open period (openFuturePeriods = 0).
    let current = month(0).to_string();
    let s = import_xml(
        &md,
        clerk,
        &xml(&current),
        &pipeline(),
        &mut MemoryStore::new(),
    );
    assert_group_error(
        &s,
        "E8030",
        &format!("Untimely data entry for data set pBOMPrpg1QX and period(s): `[{current}]`"),
        &[0],
    );
    // A superuser forcing skips timeliness; the admin holds F_EDIT_EXPIRED anyway.
    let s = import_xml(
        &md,
        ADMIN,
        &xml(&current),
        &pipeline(),
        &mut MemoryStore::new(),
    );
    assert_clean(&s, 1);
    // Expiry days, and the lock exception that lifts them.
    assert!(md.update::<DataSet>(&uid(DS_A), |ds| ds.expiry_days = 10));
    let old = month(-3);
    let s = import_xml(
        &md,
        clerk,
        &xml(&old.to_string()),
        &pipeline(),
        &mut MemoryStore::new(),
    );
    assert_eq!(codes(&s), [("E8030".to_owned(), vec![0])]);
    let mut store = MemoryStore::new();
    store.begin().unwrap();
    store
        .add_lock_exception(&uid(DS_A), &old, &uid(OU_A))
        .unwrap();
    store.commit().unwrap();
    let s = import_xml(&md, clerk, &xml(&old.to_string()), &pipeline(), &mut store);
    assert_clean(&s, 1);
}

#[test]
fn org_unit_opening_dates_and_attribute_option_restrictions() {
    let Some(path) = payload("dataValueSetB.xml") else {
        return;
    };
    let mut md = fixture_m();
    assert!(md.update::<OrganisationUnit>(&uid(OU_A), |o| {
        o.opening_date = "2012-02-01".parse().ok();
    }));
    let s = import_file(&md, ADMIN, &path, &pipeline(), &mut MemoryStore::new());
    assert_group_error(
        &s,
        "E8031",
        "Untimely data entry for org unit DiszpKrYNg8 and period(s): `[201201]`",
        &(0..12).collect::<Vec<_>>(),
    );

    // Attribute option combos: a data set with category combo A.
    let mut md = fixture_m();
    let first = md.data_sets()[0].id.uid;
    md.update::<DataSet>(&first, |ds| ds.category_combo = uid("ccAaaaaaa01"));
    let xml = format!(
        r#"<dataValueSet xmlns="http://dhis2.org/schema/dxf/2.0" dataSet="{DS_A}" attributeOptionCombo="{OC_A}">
        <dataValue dataElement="{DE_A}" period="201201" orgUnit="{OU_A}" value="1"/>
        <dataValue dataElement="{DE_A}" period="201203" orgUnit="{OU_A}" value="1"/>
        <dataValue dataElement="{DE_B}" period="201202" orgUnit="{OU_B}" value="1"/>
        </dataValueSet>"#
    );
    let s = import_xml(&md, ADMIN, &xml, &pipeline(), &mut MemoryStore::new());
    assert_clean(&s, 3);
    let option = |md: &mut Metadata| md.category_option(&uid("cOptAaaaa01")).unwrap().clone();
    let mut a = option(&mut md);
    a.org_units = vec![uid(OU_B)];
    md.add_category_option(a);
    let s = import_xml(&md, ADMIN, &xml, &pipeline(), &mut MemoryStore::new());
    assert_group_error(
        &s,
        "E8025",
        "Attribute option combo kjuiHgy67hg not usable with org unit(s): `[DiszpKrYNg8]`",
        &[0, 1, 2],
    );
    let mut a = option(&mut md);
    a.org_units = Vec::new();
    a.start_date = "2012-02-01".parse().ok();
    a.end_date = "2012-02-29".parse().ok();
    md.add_category_option(a);
    let s = import_xml(&md, ADMIN, &xml, &pipeline(), &mut MemoryStore::new());
    assert_group_error(
        &s,
        "E8032",
        "Untimely data entry for attribute option combo kjuiHgy67hg and period(s): `[201201, 201203]`",
        &[0, 1, 2],
    );
    let first = md.data_sets()[0].id.uid;
    md.update::<DataSet>(&first, |ds| ds.open_periods_after_co_end_date = 1);
    let s = import_xml(&md, ADMIN, &xml, &pipeline(), &mut MemoryStore::new());
    assert_eq!(
        s.conflicts[0].value,
        "Untimely data entry for attribute option combo kjuiHgy67hg and period(s): `[201201]`"
    );
}

#[test]
fn json_payloads_use_the_pipeline_keys() {
    let md = fixture_m();
    let json = format!(
        r#"{{"dataSet":"{DS_A}","period":"201201","orgUnit":"{OU_A}","completeDate":"2012-01-09T10:00:00.000+0000","strategy":"DELETE",
        "dataValues":[{{"dataElement":"{DE_A}","value":"1","followUp":true}},{{"dataElement":"{DE_B}","value":"2","followup":true}}]}}"#
    );
    let reader =
        dxf2_json::Reader::with_profile(json.as_bytes(), ImporterProfile::Pipeline).unwrap();
    let access = UserAccess::by_username(&md, "admin").unwrap();
    let mut store = MemoryStore::new();
    let s = Importer::new(&md, &access)
        .with_now(now())
        .import(
            &mut { reader },
            &pipeline(),
            &mut MetadataResolver::new(&md),
            &mut store,
            &mut |_| {},
        )
        .summary;
    // The payload strategy is not read; completeDate takes any DateUtils form.
    assert_clean(&s, 2);
    assert_eq!(s.data_set_complete.as_deref(), Some("2012-01-09"));
    let rows = stored(&mut store, &md);
    let followup = |de: &str| {
        rows.iter()
            .find(|r| r.key.data_element == uid(de))
            .unwrap()
            .followup
    };
    assert!(followup(DE_A));
    assert!(
        !followup(DE_B),
        "`followup` (lower case) is not read by 2.43+"
    );
}

// ---------------------------------------------------------------------------------------------
// 2.43+ input forms: category-option maps, `attributeCombo`/`attributeOptions`, deletion scope
// ---------------------------------------------------------------------------------------------

const CAT_A: &str = "catAaaaaa01";
const CC_A: &str = "ccAaaaaaa01";
const CO_A: &str = "cOptAaaaa01";
const CO_B: &str = "cOptBbbbb01";
const OC_B: &str = "Gad33qy67g5";

/// Imports an inline JSON document with the 2.43+ reader.
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

/// Imports an inline CSV document with the reader of `options`.
fn import_csv(
    md: &Metadata,
    csv: &str,
    options: &ImportOptions,
    store: &mut dyn DataValueStore,
) -> ImportSummary {
    import_source(md, ADMIN, &mut Source::csv(csv, options), options, store).summary
}

/// Fixture M where data element A is disaggregated by category combo A (options A and B) and,
/// when `attributes`, data set A is too (as its attribute combo).
fn with_categories(attributes: bool) -> Metadata {
    let mut md = fixture_m();
    assert!(md.update::<DataElement>(&uid(DE_A), |de_a| de_a.category_combo = uid(CC_A)));
    if attributes {
        assert!(md.update::<DataSet>(&uid(DS_A), |ds| ds.category_combo = uid(CC_A)));
    }
    md
}

/// (data element, category option combo, attribute option combo) of stored rows.
fn keys_of(rows: &[import_engine::store::StoredValue]) -> BTreeSet<(String, String, String)> {
    rows.iter()
        .map(|r| {
            (
                r.key.data_element.as_str().to_owned(),
                r.key.category_option_combo.as_str().to_owned(),
                r.key.attribute_option_combo.as_str().to_owned(),
            )
        })
        .collect()
}

fn triples(keys: &[(&str, &str, &str)]) -> BTreeSet<(String, String, String)> {
    keys.iter()
        .map(|(de, coc, aoc)| ((*de).to_owned(), (*coc).to_owned(), (*aoc).to_owned()))
        .collect()
}

#[test]
fn json_category_option_maps_name_the_option_combos() {
    let md = with_categories(true);
    let mut store = MemoryStore::new();
    let json = format!(
        r#"{{"dataSet":"{DS_A}","period":"201201","orgUnit":"{OU_A}",
        "attributeOptionCombo":{{"{CAT_A}":"{CO_B}"}},
        "dataValues":[
          {{"dataElement":"{DE_A}","categoryOptionCombo":{{"{CAT_A}":"{CO_A}","ignored":"x"}},"value":"1"}},
          {{"dataElement":"{DE_B}","value":"2"}}]}}"#
    );
    let s = import_json(&md, &json, &pipeline(), &mut store);
    assert_clean(&s, 2);
    assert_eq!(
        keys_of(&stored(&mut store, &md)),
        triples(&[(DE_A, OC_A, OC_B), (DE_B, DEF, OC_B)])
    );

    // Categories and options under their own id schemes (fixture M gives them names only).
    let json = format!(
        r#"{{"dataSet":"{DS_A}","period":"201202","orgUnit":"{OU_A}",
        "categoryIdScheme":"NAME","categoryOptionIdScheme":"NAME",
        "attributeOptionCombo":{{"CategoryA":"CategoryOptionA"}},
        "dataValues":[{{"dataElement":"{DE_A}","categoryOptionCombo":{{"CategoryA":"CategoryOptionB"}},"value":"3"}}]}}"#
    );
    let mut store = MemoryStore::new();
    assert_clean(&import_json(&md, &json, &pipeline(), &mut store), 1);
    assert_eq!(
        keys_of(&stored(&mut store, &md)),
        triples(&[(DE_A, OC_B, OC_A)])
    );

    // A group map that matches nothing leaves the group without an attribute option combo:
    // the default, which is not of the data set's attribute combo.
    let json = format!(
        r#"{{"dataSet":"{DS_A}","period":"201201","orgUnit":"{OU_A}",
        "attributeOptionCombo":{{"{CAT_A}":"nothing"}},
        "dataValues":[{{"dataElement":"{DE_B}","value":"2"}}]}}"#
    );
    let s = import_json(&md, &json, &pipeline(), &mut MemoryStore::new());
    assert_group_error(
        &s,
        "E8023",
        "Data set pBOMPrpg1QX not usable with attribute option combo(s): `[HllvX50cXC0]`",
        &[0],
    );
}

#[test]
fn category_option_maps_fail_decoding_as_dhis2_does() {
    let md = with_categories(false);
    let value = |coc: &str| {
        format!(
            r#"{{"dataElement":"{DE_A}","period":"201201","orgUnit":"{OU_A}","categoryOptionCombo":{coc},"value":"1"}}"#
        )
    };
    // Without a data set nothing can be decoded (the value's index, or `*` for the group).
    let json = format!(r#"{{"dataValues":[{}]}}"#, value(r#"{"catAaaaaa01":"x"}"#));
    let s = import_json(&md, &json, &pipeline(), &mut MemoryStore::new());
    assert_decode_error(
        &s,
        "E8101",
        "Value #0 data set is required to decode category options: `{catAaaaaa01=x}`",
    );
    assert_eq!(
        s.conflicts[0].objects[0].1.as_deref(),
        Some("0-{catAaaaaa01=x}")
    );
    let json = format!(
        r#"{{"attributeOptionCombo":{{"{CAT_A}":"{CO_A}","other":null}},"dataValues":[{}]}}"#,
        value(r#""""#)
    );
    let s = import_json(&md, &json, &pipeline(), &mut MemoryStore::new());
    assert_decode_error(
        &s,
        "E8101",
        "Value #* data set is required to decode category options: `{catAaaaaa01=cOptAaaaa01, other=null}`",
    );
    // No option combo of the element's combo has exactly these options.
    for (map, shown) in [
        (
            r#"{"catAaaaaa01":"nope","x":null}"#,
            "{catAaaaaa01=nope, x=null}",
        ),
        (r#"{}"#, "{}"),
        (r#"{"CategoryA":"cOptAaaaa01"}"#, "{CategoryA=cOptAaaaa01}"),
    ] {
        let json = format!(r#"{{"dataSet":"{DS_A}","dataValues":[{}]}}"#, value(map));
        let s = import_json(&md, &json, &pipeline(), &mut MemoryStore::new());
        assert_decode_error(
            &s,
            "E8108",
            &format!("Value #0 category option combo not found: `{shown}`"),
        );
    }
    // A data element of the default combo is decoded through the default category.
    let json = format!(
        r#"{{"dataSet":"{DS_A}","dataValues":[{{"dataElement":"{DE_B}","period":"201201","orgUnit":"{OU_A}","categoryOptionCombo":{{"GLevLNI9wkl":"xYerKDKCefk"}},"value":"1"}}]}}"#
    );
    assert_clean(
        &import_json(&md, &json, &pipeline(), &mut MemoryStore::new()),
        1,
    );
    let json = format!(
        r#"{{"dataSet":"{DS_A}","dataValues":[{{"dataElement":"{DE_B}","period":"201201","orgUnit":"{OU_A}","categoryOptionCombo":{{"catAaaaaa01":"cOptAaaaa01"}},"value":"1"}}]}}"#
    );
    let s = import_json(&md, &json, &pipeline(), &mut MemoryStore::new());
    assert_decode_error(
        &s,
        "E8108",
        "Value #0 category option combo not found: `{catAaaaaa01=cOptAaaaa01}`",
    );
    // An element outside the data set has no categories there: DHIS2 fails (an NPE).
    let json = format!(
        r#"{{"dataSet":"{DS_A}","dataValues":[{{"dataElement":"nonEx1sting","period":"201201","orgUnit":"{OU_A}","categoryOptionCombo":{{}}}}]}}"#
    );
    let s = import_json(&md, &json, &pipeline(), &mut MemoryStore::new());
    assert_eq!(s.status, ImportStatus::Error);
    assert!(
        s.description.as_deref().unwrap().contains("nonEx1sting"),
        "{s:#?}"
    );
    // A UUID category scheme fails the import, used or not.
    let json = format!(
        r#"{{"categoryIdScheme":"UUID","dataSet":"{DS_A}","dataValues":[{}]}}"#,
        value(r#""""#)
    );
    let s = import_json(&md, &json, &pipeline(), &mut MemoryStore::new());
    assert!(s.description.as_deref().unwrap().contains("UUID"), "{s:#?}");
}

#[test]
fn csv_extra_columns_are_category_options() {
    let md = with_categories(false);
    let mut o = pipeline();
    o.data_set = Some(DS_A.to_owned());
    // Category columns named by category UID, options by UID.
    let csv = format!(
        "dataElement,period,orgUnit,value,{CAT_A}\n{DE_A},201201,{OU_A},5,{CO_B}\n{DE_B},201201,{OU_A},6,\n"
    );
    // The second line has no field for the category column (a trailing `,` adds none): no
    // map, the default combo.
    let mut store = MemoryStore::new();
    assert_clean(&import_csv(&md, &csv, &o, &mut store), 2);
    assert_eq!(
        keys_of(&stored(&mut store, &md)),
        triples(&[(DE_A, OC_B, DEF), (DE_B, DEF, DEF)])
    );

    // With a field, data element B (default combo) has a map too, naming no option of the
    // default category.
    let csv = format!("dataElement,period,orgUnit,value,{CAT_A}\n{DE_B},201201,{OU_A},6,\"\"\n");
    let s = import_csv(&md, &csv, &o, &mut MemoryStore::new());
    assert_decode_error(
        &s,
        "E8108",
        "Value #0 category option combo not found: `{catAaaaaa01=}`",
    );

    // The lower-case export header has `lastupdated`: an empty COC cell is then decoded from
    // `{lastupdated=…}` and fails (spec §1.4.2); a written COC still wins.
    let csv = format!(
        "dataelement,period,orgunit,categoryoptioncombo,value,lastupdated\n{DE_B},201201,{OU_A},,1,2012-01-01\n"
    );
    let s = import_csv(&md, &csv, &o, &mut MemoryStore::new());
    assert_decode_error(
        &s,
        "E8108",
        "Value #0 category option combo not found: `{lastupdated=2012-01-01}`",
    );
    let s = import_csv(&md, &csv, &pipeline(), &mut MemoryStore::new());
    assert_decode_error(
        &s,
        "E8101",
        "Value #0 data set is required to decode category options: `{lastupdated=2012-01-01}`",
    );
    let with_coc = csv.replace(",,1,", &format!(",{DEF},1,"));
    assert_clean(&import_csv(&md, &with_coc, &o, &mut MemoryStore::new()), 1);
    // A column spelt exactly `categoryOptionCombo` switches the map off.
    let exact = csv.replace("categoryoptioncombo", "categoryOptionCombo");
    assert_clean(&import_csv(&md, &exact, &o, &mut MemoryStore::new()), 1);
    // The classic profile reads positions and ignores all of it.
    let mut classic = ImportOptions::default();
    classic.data_set = Some(DS_A.to_owned());
    let s = import_csv(&md, &csv, &classic, &mut MemoryStore::new());
    assert_ne!(s.status, ImportStatus::Error, "{s:#?}");
}

#[test]
fn csv_without_period_renders_the_category_options_as_java_does() {
    let Some(path) = payload("dataValueSetBNoHeader.csv") else {
        return;
    };
    // Read with a header row, the first data row becomes the header: every column but
    // `comment` is an extra column, held in a `HashMap` sized 10 (checked against Java 17).
    let s = import_file(
        &fixture_m(),
        ADMIN,
        &path,
        &pipeline(),
        &mut MemoryStore::new(),
    );
    assert_decode_error(
        &s,
        "E8100",
        "Value #0 period not defined in group or value: `Input[dataElement=null, orgUnit=null, \
         categoryOptionCombo=null, categoryOptions={DiszpKrYNg8=BdfsJfj87js, =, \
         f7n9E0hX8qk=f7n9E0hX8qk, false=false, john=john, 10001=10002, 2012-01-01=2012-01-01, \
         201201=201201}, attributeOptionCombo=null, attributeCombo=null, attributeOptions=null, \
         period=null, value=null, comment=comment, followUp=null, deleted=null]`",
    );
}

#[test]
fn csv_attribute_combo_and_options_name_the_attribute_option_combo() {
    let md = with_categories(true);
    let mut o = pipeline();
    o.data_set = Some(DS_A.to_owned());
    let csv = |combo: &str, options: &str| {
        format!(
            "dataElement,period,orgUnit,categoryOptionCombo,value,attributeCombo,attributeOptions\n\
             {DE_B},201201,{OU_A},,1,{combo},{options}\n"
        )
    };
    let mut store = MemoryStore::new();
    assert_clean(&import_csv(&md, &csv(CC_A, CO_B), &o, &mut store), 1);
    assert_eq!(
        keys_of(&stored(&mut store, &md)),
        triples(&[(DE_B, DEF, OC_B)])
    );
    // A written attribute option combo wins over the combo and options.
    let written = format!(
        "dataElement,period,orgUnit,attributeOptionCombo,value,attributeCombo,attributeOptions\n\
         {DE_B},201202,{OU_A},{OC_A},1,nonsense,nonsense\n"
    );
    assert_clean(&import_csv(&md, &written, &o, &mut store), 1);
    for (combo, options, code, message) in [
        (
            "ccXxxxxxx01",
            CO_A,
            "E8126",
            "Value #0 category combo not found: `ccXxxxxxx01`",
        ),
        (
            "CategoryComboA",
            CO_A,
            "E8126",
            "Value #0 category combo not found: `CategoryComboA`",
        ),
        (
            CC_A,
            "\"cOptBbbbb01 cOptAaaaa01\"",
            "E8127",
            "Value #0 category combo ccAaaaaaa01 has no option combo for options: `[cOptAaaaa01, cOptBbbbb01]`",
        ),
        (
            CC_A,
            "null",
            "E8127",
            "Value #0 category combo ccAaaaaaa01 has no option combo for options: `null`",
        ),
    ] {
        let s = import_csv(&md, &csv(combo, options), &o, &mut MemoryStore::new());
        assert_decode_error(&s, code, message);
    }
}

/// Fixture M with data elements A and B stored for org units A and B in 201201 and 201202.
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

fn live(store: &mut MemoryStore, md: &Metadata) -> BTreeSet<(String, String, String)> {
    stored(store, md)
        .iter()
        .map(|r| {
            (
                r.key.data_element.as_str().to_owned(),
                r.key.org_unit.as_str().to_owned(),
                r.key.period.to_string(),
            )
        })
        .collect()
}

fn de_ou_pe(de: &str, ou: &str, pe: &str) -> (String, String, String) {
    (de.to_owned(), ou.to_owned(), pe.to_owned())
}

#[test]
fn deletion_scope_deletes_before_the_values_are_written() {
    let md = fixture_m();
    let mut store = MemoryStore::new();
    stored_grid(&md, &mut store);
    let json = format!(
        r#"{{"dataSet":"{DS_A}","deletion":{{"orgUnits":["{OU_A}"],"periods":["201201","201202"],
          "elements":[{{"dataElement":"{DE_A}"}},{{"dataElement":"{DE_B}","categoryOptionCombo":"{DEF}","attributeOptionCombo":"{DEF}"}}]}},
        "dataValues":[{{"dataElement":"{DE_C}","period":"201201","orgUnit":"{OU_A}","value":"1"}}]}}"#
    );
    // A dry run counts what it would delete.
    let mut dry = pipeline();
    dry.dry_run = true;
    let s = import_json(&md, &json, &dry, &mut store);
    assert_eq!(s.status, ImportStatus::Success, "{s:#?}");
    assert_eq!(counts(&s), (0, 1, 3, 0));
    assert_eq!(live(&mut store, &md).len(), 5);

    let s = import_json(&md, &json, &pipeline(), &mut store);
    assert_eq!(s.status, ImportStatus::Success, "{s:#?}");
    assert_eq!(counts(&s), (0, 1, 3, 0));
    assert_eq!(
        live(&mut store, &md),
        [
            de_ou_pe(DE_A, OU_B, "201201"),
            de_ou_pe(DE_B, OU_B, "201202"),
            de_ou_pe(DE_C, OU_A, "201201"),
        ]
        .into_iter()
        .collect()
    );
    // Soft-deleted with a DELETE changelog row holding the previous value; comment kept.
    let k = key(DE_A, "201202", OU_A, DEF, DEF);
    let mut row = import_engine::store::StoredValue::empty(k, now());
    store.get(&k, &mut row).unwrap();
    assert!(row.deleted);
    assert_eq!(row.comment.as_deref(), Some("c"));
    assert_eq!(row.stored_by.as_deref(), Some("admin"));
    let audit = store.audits(&k).unwrap().pop().unwrap();
    assert_eq!(audit.audit_type, AuditType::Delete);
    assert_eq!(audit.previous_value.as_deref(), Some("7"));
    // Already deleted rows are not counted again.
    let again = json.replace(DE_C, DE_D);
    let s = import_json(&md, &again, &pipeline(), &mut store);
    assert_eq!(counts(&s), (0, 1, 0, 0));
}

#[test]
fn deletion_scope_alone_and_with_the_same_keys() {
    let md = fixture_m();
    let mut store = MemoryStore::new();
    stored_grid(&md, &mut store);
    // Without values and without a data set: the data set is detected from the scope.
    let json = format!(
        r#"{{"deletion":{{"orgUnits":["{OU_B}"],"periods":["201201"],"elements":[{{"dataElement":"{DE_A}"}}]}}}}"#
    );
    let s = import_json(&md, &json, &pipeline(), &mut store);
    assert_eq!(s.status, ImportStatus::Success, "{s:#?}");
    assert_eq!(counts(&s), (0, 0, 1, 0));
    assert!(!live(&mut store, &md).contains(&de_ou_pe(DE_A, OU_B, "201201")));
    // A value for a key of the scope: deleted first, then written again.
    let json = format!(
        r#"{{"dataSet":"{DS_A}","deletion":{{"orgUnits":["{OU_A}"],"periods":["201201"],"elements":[{{"dataElement":"{DE_A}"}}]}},
        "dataValues":[{{"dataElement":"{DE_A}","period":"201201","orgUnit":"{OU_A}","value":"8"}}]}}"#
    );
    let s = import_json(&md, &json, &pipeline(), &mut store);
    assert_eq!(counts(&s), (0, 1, 1, 0));
    assert!(live(&mut store, &md).contains(&de_ou_pe(DE_A, OU_A, "201201")));
    // With the DELETE strategy the values are deleted too.
    let mut delete = pipeline();
    delete.strategy = ImportStrategy::Delete;
    let json = format!(
        r#"{{"dataSet":"{DS_A}","deletion":{{"orgUnits":["{OU_B}"],"periods":["201202"],"elements":[{{"dataElement":"{DE_B}"}}]}},
        "dataValues":[{{"dataElement":"{DE_A}","period":"201201","orgUnit":"{OU_A}"}}]}}"#
    );
    let s = import_json(&md, &json, &delete, &mut store);
    assert_eq!(counts(&s), (0, 0, 2, 0));
    assert_eq!(
        live(&mut store, &md),
        [
            de_ou_pe(DE_A, OU_A, "201202"),
            de_ou_pe(DE_B, OU_A, "201201")
        ]
        .into_iter()
        .collect()
    );
    // An empty list selects nothing.
    let json = format!(
        r#"{{"dataSet":"{DS_A}","deletion":{{"orgUnits":[],"periods":["201201"],"elements":[{{"dataElement":"{DE_B}"}}]}}}}"#
    );
    let s = import_json(&md, &json, &pipeline(), &mut store);
    assert_eq!(counts(&s), (0, 0, 0, 0));
    // The classic profile does not read `deletion`.
    let classic = ImportOptions::default();
    let json = format!(
        r#"{{"dataSet":"{DS_A}","deletion":{{"orgUnits":["{OU_A}"],"periods":["201201"],"elements":[{{"dataElement":"{DE_B}"}}]}}}}"#
    );
    let s = import_json(&md, &json, &classic, &mut store);
    assert_eq!(counts(&s), (0, 0, 0, 0));
    assert!(live(&mut store, &md).contains(&de_ou_pe(DE_B, OU_A, "201201")));
}

#[test]
fn deletion_scope_identifiers_fail_decoding() {
    let md = fixture_m();
    let scope = |schemes: &str, scope: &str| {
        format!(
            r#"{{"dataSet":"{DS_A}",{schemes}"deletion":{scope},"dataValues":[{{"dataElement":"{DE_A}","period":"201201","orgUnit":"{OU_A}","value":"1"}}]}}"#
        )
    };
    let cases = [
        (
            scope(
                r#""orgUnitIdScheme":"CODE","#,
                r#"{"orgUnits":["OU_A","OU_X"],"periods":["201201"]}"#,
            )
            .replace(OU_A, "OU_A"),
            "E8034",
            "Data set deletion scope ID refers to a non-existing object: `OU_X`",
        ),
        (
            scope("", r#"{"orgUnits":["not-a-uid"]}"#),
            "E8035",
            "Data set deletion scope ID is not a valid UID: `not-a-uid`",
        ),
        (
            scope(
                r#""dataElementIdScheme":"CODE","#,
                r#"{"elements":[{"dataElement":"DE_A"},{"dataElement":"DE_X"}]}"#,
            )
            .replace(DE_A, "DE_A"),
            "E8034",
            "Data set deletion scope ID refers to a non-existing object: `DE_X`",
        ),
        (
            scope(
                r#""categoryOptionComboIdScheme":"CODE","#,
                r#"{"elements":[{"dataElement":"f7n9E0hX8qk","categoryOptionCombo":"OC_X"}]}"#,
            ),
            "E8034",
            "Data set deletion scope ID refers to a non-existing object: `OC_X`",
        ),
        (
            scope(
                "",
                r#"{"elements":[{"dataElement":"f7n9E0hX8qk","attributeOptionCombo":"aoc"}]}"#,
            ),
            "E8035",
            "Data set deletion scope ID is not a valid UID: `aoc`",
        ),
    ];
    for (json, code, message) in cases {
        let s = import_json(&md, &json, &pipeline(), &mut MemoryStore::new());
        assert_decode_error(&s, code, message);
    }
    // Values are decoded first: their errors win.
    let json = scope("", r#"{"orgUnits":["not-a-uid"]}"#).replace(OU_A, "ou-a");
    let s = import_json(&md, &json, &pipeline(), &mut MemoryStore::new());
    assert_decode_error(&s, "E8106", "Value #0 org unit UID is not valid: `ou-a`");
    // A bad period, or an element without a data element, fails the import.
    for bad in [
        r#"{"periods":["2012M13"]}"#,
        r#"{"elements":[{"categoryOptionCombo":"HllvX50cXC0"}]}"#,
    ] {
        let s = import_json(&md, &scope("", bad), &pipeline(), &mut MemoryStore::new());
        assert_eq!(s.status, ImportStatus::Error);
        assert!(s
            .description
            .as_deref()
            .unwrap()
            .starts_with("The import process failed: "));
    }
}

#[test]
fn deletion_scope_is_validated_like_values() {
    let md = with_categories(false);
    let mut store = MemoryStore::new();
    stored_grid(&fixture_m(), &mut store);
    let json = |scope: &str| {
        format!(
            r#"{{"dataSet":"{DS_A}","deletion":{scope},"dataValues":[
              {{"dataElement":"{DE_B}","period":"201202","orgUnit":"{OU_A}","value":"1"}},
              {{"dataElement":"{DE_C}","period":"201202","orgUnit":"{OU_A}","value":"1"}}]}}"#
        )
    };
    let cases = [
        (
            format!(r#"{{"orgUnits":["{OU_A}","{OU_C}"],"periods":["201201"],"elements":[{{"dataElement":"{DE_B}"}}]}}"#),
            "E8022",
            "Data set pBOMPrpg1QX not usable with org unit(s): `[j7Hg26FpoIa]`",
        ),
        (
            format!(r#"{{"orgUnits":["{OU_A}"],"periods":["2012W1"],"elements":[{{"dataElement":"{DE_B}"}}]}}"#),
            "E8021",
            "Data set pBOMPrpg1QX not usable with period(s): `[2012W1]`",
        ),
        (
            format!(r#"{{"orgUnits":["{OU_A}"],"periods":["201201"],"elements":[{{"dataElement":"{DE_B}","attributeOptionCombo":"{OC_A}"}}]}}"#),
            "E8023",
            "Data set pBOMPrpg1QX not usable with attribute option combo(s): `[kjuiHgy67hg]`",
        ),
        (
            format!(r#"{{"orgUnits":["{OU_A}"],"periods":["201201"],"elements":[{{"dataElement":"{DE_A}","categoryOptionCombo":"{DEF}"}}]}}"#),
            "E8024",
            "Data set pBOMPrpg1QX + data element f7n9E0hX8qk not usable with category option combo(s): `[HllvX50cXC0]`",
        ),
        (
            format!(r#"{{"orgUnits":["{OU_A}"],"periods":["201201"],"elements":[{{"dataElement":"nonEx1sting"}}]}}"#),
            "E8020",
            "Data set pBOMPrpg1QX not usable with data element(s): `[nonEx1sting]`",
        ),
    ];
    for (scope, code, message) in cases {
        let s = import_json(&md, &json(&scope), &pipeline(), &mut store);
        assert_group_error(&s, code, message, &[0, 1]);
    }
    assert_eq!(
        live(&mut store, &fixture_m()).len(),
        5,
        "nothing deleted or written"
    );
    // An absent option combo matches every option combo and is not checked.
    let scope = format!(
        r#"{{"orgUnits":["{OU_A}"],"periods":["201201"],"elements":[{{"dataElement":"{DE_A}"}}]}}"#
    );
    let s = import_json(&md, &json(&scope), &pipeline(), &mut store);
    assert_eq!(counts(&s), (0, 2, 1, 0), "{s:#?}");
    // Non-superusers need access to the scope's org units.
    let clerk = with_clerk(true);
    let json = format!(
        r#"{{"dataSet":"{DS_A}","deletion":{{"orgUnits":["{OU_C}"],"periods":["201201"],"elements":[{{"dataElement":"{DE_B}"}}]}}}}"#
    );
    let reader = dxf2_json::Reader::with_profile(
        Box::leak(json.into_boxed_str()).as_bytes(),
        ImporterProfile::Pipeline,
    )
    .unwrap();
    let s = import_source(
        &clerk,
        Some("clerk"),
        &mut Source::JsonBytes(reader),
        &pipeline(),
        &mut MemoryStore::new(),
    )
    .summary;
    assert_group_error(
        &s,
        "E8011",
        "Current user cannot enter data for org unit(s): `[j7Hg26FpoIa]`",
        &[],
    );
}

#[test]
fn deletion_scope_follows_auto_grouping() {
    let md = two_data_sets();
    let settings = SystemSettings {
        data_entry_auto_group: true,
        ..SystemSettings::default()
    };
    let access = UserAccess::by_username(&md, "admin").unwrap();
    let importer = Importer::new(&md, &access)
        .with_now(now())
        .with_settings(settings);
    let mut store = MemoryStore::new();
    stored_grid(&md, &mut store);
    // Only the scope element of a data element that has a value in the group is kept.
    let json = format!(
        r#"{{"deletion":{{"orgUnits":["{OU_A}"],"periods":["201201"],"elements":[{{"dataElement":"{DE_A}"}},{{"dataElement":"{DE_B}"}}]}},
        "dataValues":[{{"dataElement":"{DE_A}","period":"201202","orgUnit":"{OU_B}","value":"1"}}]}}"#
    );
    let reader =
        dxf2_json::Reader::with_profile(json.as_bytes(), ImporterProfile::Pipeline).unwrap();
    let s = importer
        .import(
            &mut { reader },
            &pipeline(),
            &mut MetadataResolver::new(&md),
            &mut store,
            &mut |_| {},
        )
        .summary;
    assert_eq!(counts(&s), (0, 1, 1, 0), "{s:#?}");
    let rows = live(&mut store, &md);
    assert!(!rows.contains(&de_ou_pe(DE_A, OU_A, "201201")));
    assert!(rows.contains(&de_ou_pe(DE_B, OU_A, "201201")));
}

// ---------------------------------------------------------------------------------------------
// Cross-checks: the same payloads keep their classic answers under the classic profile
// ---------------------------------------------------------------------------------------------

#[test]
fn cross_check_classic_answers_stay_classic() {
    type Case = (
        &'static str,
        (u64, u64, u64, u64),
        &'static [&'static str],
        &'static str,
    );
    let cases: [Case; 5] = [
        (
            "dataValueSetG.xml",
            (1, 0, 0, 3),
            &["E7610", "E7612"],
            "E8020",
        ),
        (
            "dataValueSetANull.xml",
            (1, 0, 0, 2),
            &["E7618", "E7618"],
            "E8120",
        ),
        ("dataValueSetNonStrict.xml", (3, 0, 0, 0), &[], "E8021"),
        (
            "dataValueSetBooleanDuplicatesTest.csv",
            (4, 0, 0, 4),
            &["E7619", "E7619"],
            "E8128",
        ),
        ("dataValueSetInvalid.xml", (2, 0, 0, 1), &["E7610"], "E8020"),
    ];
    for (name, classic_counts, classic_codes, pipeline_code) in cases {
        let Some(path) = payload(name) else { return };
        let (md, mut store) = classic_setup();
        let s = import_file(
            &md,
            Some("userA"),
            &path,
            &ImportOptions::default(),
            &mut store,
        );
        assert_eq!(s.profile, Some(ImporterProfile::Classic));
        assert_eq!(counts(&s), classic_counts, "{name}: {s:#?}");
        let got: Vec<_> = codes(&s).into_iter().map(|(c, _)| c).collect();
        assert_eq!(got, classic_codes, "{name}");
        let Some((s, _, _)) = run(name, &pipeline()) else {
            return;
        };
        assert_eq!(
            s.conflicts[0].error_code.as_deref(),
            Some(pipeline_code),
            "{name}"
        );
    }
    // Identical re-imports: ignored (classic) vs updated (2.43+).
    let Some(path) = payload("dataValueSetA.xml") else {
        return;
    };
    let md = fixture_m();
    for (options, want) in [
        (ImportOptions::default(), (0, 0, 0, 3)),
        (pipeline(), (0, 3, 0, 0)),
    ] {
        let mut store = MemoryStore::new();
        import_file(&md, ADMIN, &path, &options, &mut store);
        let s = import_file(&md, ADMIN, &path, &options, &mut store);
        assert_eq!(counts(&s), want, "{:?}", options.profile);
    }
}

// ---------------------------------------------------------------------------------------------
// docs/profiles.md
// ---------------------------------------------------------------------------------------------

/// Indexes as compact runs: `0–17`, `1, 2`, `10, 11, 16, 17`.
fn runs(indexes: &[i64]) -> String {
    let mut out: Vec<String> = Vec::new();
    let mut i = 0;
    while i < indexes.len() {
        let start = indexes[i];
        let mut end = start;
        while i + 1 < indexes.len() && indexes[i + 1] == end + 1 {
            i += 1;
            end = indexes[i];
        }
        out.push(match end - start {
            0 => start.to_string(),
            1 => format!("{start}, {end}"),
            _ => format!("{start}–{end}"),
        });
        i += 1;
    }
    out.join(", ")
}

fn outcome_cells(s: &ImportSummary) -> [String; 3] {
    let c = s.import_count;
    let counts = format!(
        "{} / {} / {} / {}",
        c.imported, c.updated, c.ignored, c.deleted
    );
    let conflicts = if s.conflicts.is_empty() {
        match (&s.description, s.status) {
            (Some(d), ImportStatus::Error) => d.replace('|', "\\|"),
            _ => "–".to_owned(),
        }
    } else {
        s.conflicts
            .iter()
            .map(|c| {
                let code = c
                    .error_code
                    .clone()
                    .or_else(|| c.object.clone())
                    .unwrap_or_default();
                match &c.indexes {
                    Some(ix) if !ix.is_empty() => format!("{code} [{}]", runs(ix)),
                    _ => code,
                }
            })
            .collect::<Vec<_>>()
            .join("; ")
    };
    [s.status.name().to_owned(), counts, conflicts]
}

fn corpus_payloads(dir: &Path, folder: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir.join(folder))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            matches!(
                p.extension().and_then(|e| e.to_str()),
                Some("xml" | "json" | "csv")
            )
        })
        .collect();
    files.sort();
    files
}

fn profiles_table(corpus: &Path) -> String {
    let mut doc = String::new();
    doc.push_str(
        "# Classic (2.36–2.42) and 2.43+ importers side by side\n\n\
         <!-- Generated by crates/import-engine/tests/pipeline_scenarios.rs (`profiles_doc_is_up_to_date`). Do not edit:\n\
         regenerate with `DXF2_WRITE_DOCS=1 cargo test -p import-engine --test pipeline_scenarios profiles_doc`. -->\n\n\
         Every data value set payload of DHIS2's own tests (`../shared/corpus/dhis2-core/`), imported\n\
         once with each importer profile (`dxf2 import --dhis2-version 2.42` and `--dhis2-version 2.43`)\n\
         into an empty store, as a superuser, with the default request options. The payloads of\n\
         `datavalueset/` are imported against our fixture M (`tests/fixtures/fixture_m.json`, the\n\
         metadata of DHIS2's 2.43 tests); those of `datavalueset-e2e/` against the corpus metadata\n\
         `metadata/e2e_aggregate_metadata.json` (which has none of their org units).\n\n\
         Counts are imported / updated / ignored / deleted. Conflicts list the error code and the\n\
         value indexes (`-1`: the whole import failed while decoding).\n\n\
         | payload | classic status | classic counts | classic conflicts | 2.43+ status | 2.43+ counts | 2.43+ conflicts |\n\
         |---|---|---|---|---|---|---|\n",
    );
    let fixture_m = fixture_m();
    let e2e = dxf2_json::metadata::read_metadata(
        std::fs::File::open(corpus.join("metadata/e2e_aggregate_metadata.json")).unwrap(),
    )
    .unwrap();
    let sets = [
        ("datavalueset", &fixture_m, ADMIN),
        ("datavalueset-e2e", &e2e, None),
    ];
    for (folder, md, user) in sets {
        for path in corpus_payloads(corpus, folder) {
            let name = format!("{folder}/{}", path.file_name().unwrap().to_str().unwrap());
            let mut row = format!("| `{name}` |");
            for profile in [ImporterProfile::Classic, ImporterProfile::Pipeline] {
                let mut options = ImportOptions::default();
                options.profile = profile;
                let s = import_file(md, user, &path, &options, &mut MemoryStore::new());
                for cell in outcome_cells(&s) {
                    write!(row, " {cell} |").unwrap();
                }
            }
            doc.push_str(&row);
            doc.push('\n');
        }
    }
    doc
}

#[test]
fn profiles_doc_is_up_to_date() {
    let Some(corpus) = common::corpus_dir() else {
        return;
    };
    let table = profiles_table(&corpus);
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/profiles.md");
    if std::env::var_os("DXF2_WRITE_DOCS").is_some() {
        std::fs::write(&path, &table).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == table,
        "docs/profiles.md is out of date: run `DXF2_WRITE_DOCS=1 cargo test --test pipeline_scenarios profiles_doc`"
    );
}
