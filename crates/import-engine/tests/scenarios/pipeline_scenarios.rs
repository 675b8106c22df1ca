// The body of the 2.43+ scenario tests M19–M50, the classic cross-checks and docs/profiles.md
// (included by `tests/pipeline_scenarios.rs` and by the store crates'
// `engine_pipeline_scenarios.rs`).

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use common::import::*;
use common::pipeline::*;
use common::scenarios::*;
use common::store::*;
use dxf2_model::{
    IdScheme, ImportOptions, ImportStatus, ImportStrategy, ImportSummary, ImporterProfile,
};
use import_engine::store::{AuditType, DataValueStore};

// ---------------------------------------------------------------------------------------------
// M19–M50
// ---------------------------------------------------------------------------------------------

#[test]
fn m19_xml_set_a() {
    if store_skipped() {
        return;
    }
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
    if store_skipped() {
        return;
    }
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
    if store_skipped() {
        return;
    }
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
    if store_skipped() {
        return;
    }
    let Some((s, md, mut store)) = run("dataValueSetB.xml", &pipeline()) else {
        return;
    };
    assert_clean(&s, 12);
    assert_b_keys(&mut store, &md);
}

#[test]
fn m23_m30_code_schemes() {
    if store_skipped() {
        return;
    }
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
    if store_skipped() {
        return;
    }
    let md = fixture_m();
    let mut store = fresh_store();
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
    if store_skipped() {
        return;
    }
    let md = fixture_m();
    let mut store = fresh_store();
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
    if store_skipped() {
        return;
    }
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
    if store_skipped() {
        return;
    }
    let Some((s, md, mut store)) = run("dataValueSetBAttributeIdScheme.xml", &pipeline()) else {
        return;
    };
    assert_clean(&s, 12);
    assert_b_keys(&mut store, &md);
}

#[test]
fn m31_csv_with_header_names() {
    if store_skipped() {
        return;
    }
    let Some((s, md, mut store)) = run("dataValueSetB.csv", &pipeline()) else {
        return;
    };
    assert_clean(&s, 12);
    assert_b_keys(&mut store, &md);
}

#[test]
fn m32_csv_with_data_set_option() {
    if store_skipped() {
        return;
    }
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
    if store_skipped() {
        return;
    }
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
    if store_skipped() {
        return;
    }
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
    if store_skipped() {
        return;
    }
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
    if store_skipped() {
        return;
    }
    let mut o = pipeline();
    o.dry_run = true;
    let Some((s, md, mut store)) = run("dataValueSetB.xml", &o) else {
        return;
    };
    assert_clean(&s, 12);
    assert!(stored(&mut store, &md).is_empty());
    assert_eq!(value_count(&mut store), 0);
}

#[test]
fn m37_updates_strategy_is_an_upsert() {
    if store_skipped() {
        return;
    }
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
    if store_skipped() {
        return;
    }
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
    if store_skipped() {
        return;
    }
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
    if store_skipped() {
        return;
    }
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
    if store_skipped() {
        return;
    }
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
    if store_skipped() {
        return;
    }
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
    if store_skipped() {
        return;
    }
    let md = fixture_m();
    let mut store = fresh_store();
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
    if store_skipped() {
        return;
    }
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
    if store_skipped() {
        return;
    }
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
    if store_skipped() {
        return;
    }
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
    if store_skipped() {
        return;
    }
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
    if store_skipped() {
        return;
    }
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
    if store_skipped() {
        return;
    }
    let (Some(a), Some(update)) = (
        payload("dataValueSetA.xml"),
        payload("dataValueSetAUpdate.xml"),
    ) else {
        return;
    };
    let md = fixture_m();
    let mut store = fresh_store();
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
    if store_skipped() {
        return;
    }
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
    if store_skipped() {
        return;
    }
    let md = fixture_m();
    let mut store = fresh_store();
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
// Cross-checks: the same payloads keep their classic answers under the classic profile
// ---------------------------------------------------------------------------------------------

#[test]
fn cross_check_classic_answers_stay_classic() {
    if store_skipped() {
        return;
    }
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
        let mut store = fresh_store();
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
                let s = import_file(md, user, &path, &options, &mut fresh_store());
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
    if store_skipped() {
        return;
    }
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
