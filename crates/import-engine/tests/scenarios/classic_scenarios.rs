// The body of the classic scenarios C19–C57 (included by `tests/classic_scenarios.rs` and by the
// store crates' `engine_classic_scenarios.rs`).

use common::import::*;
use common::scenarios::*;
use common::store::*;
use dxf2_model::metadata::DataSet;
use dxf2_model::{IdScheme, ImportOptions, ImportStatus, ImportStrategy, ImportSummary, Metadata};
use import_engine::store::AuditType;
use import_engine::DataValueStore;

const USER: Option<&str> = Some("userA");

fn run(name: &str, options: &ImportOptions) -> Option<(ImportSummary, Metadata, TestStore)> {
    let path = payload(name)?;
    let (md, mut store) = classic_setup();
    let s = import_file(&md, USER, &path, options, &mut store);
    Some((s, md, store))
}

fn assert_success(s: &ImportSummary, imported: u64, updated: u64, deleted: u64) {
    assert_eq!(s.status, ImportStatus::Success, "{s:#?}");
    assert!(s.conflicts.is_empty(), "{s:#?}");
    assert_eq!(
        (
            s.import_count.imported,
            s.import_count.updated,
            s.import_count.deleted
        ),
        (imported, updated, deleted)
    );
}

/// The error code (for a legacy conflict: its object) and the indexes of each conflict.
fn codes_or_objects(s: &ImportSummary) -> Vec<(String, Vec<i64>)> {
    s.conflicts
        .iter()
        .map(|c| {
            (
                c.error_code
                    .clone()
                    .unwrap_or_else(|| c.object.clone().unwrap_or_default()),
                c.indexes.clone().unwrap_or_default(),
            )
        })
        .collect()
}

fn schemes(general: &str, de: &str, ou: &str) -> ImportOptions {
    let mut o = ImportOptions::default();
    set_schemes(&mut o, general, de, ou);
    o
}

#[test]
fn c19_xml_set_a() {
    if store_skipped() {
        return;
    }
    let Some((s, md, mut store)) = run("dataValueSetA.xml", &ImportOptions::default()) else {
        return;
    };
    assert_success(&s, 3, 0, 0);
    assert_eq!(s.data_set_complete.as_deref(), Some("false"));
    let rows = stored(&mut store, &md);
    let mut values: Vec<_> = rows.iter().map(|r| r.value.clone().unwrap()).collect();
    values.sort();
    assert_eq!(values, ["10001", "10002", "10003"]);
    assert!(rows
        .iter()
        .any(|r| r.key == key(DE_A, "201201", OU_A, DEF, DEF)));
    for r in &rows {
        assert!(store.audits(&r.key).unwrap().is_empty());
    }
    assert!(store
        .completion(
            &uid("pBOMPrpg1QX"),
            &"201201".parse().unwrap(),
            &uid(OU_A),
            &uid(DEF)
        )
        .unwrap()
        .is_some());
}

#[test]
fn c20_preheat_cache() {
    if store_skipped() {
        return;
    }
    let mut o = ImportOptions::default();
    o.preheat_cache = Some(true);
    let Some((s, _, _)) = run("dataValueSetA.xml", &o) else {
        return;
    };
    assert_success(&s, 3, 0, 0);
}

#[test]
fn c21_code_scheme_in_payload_with_completion() {
    if store_skipped() {
        return;
    }
    let Some((s, md, mut store)) = run("dataValueSetACode.xml", &ImportOptions::default()) else {
        return;
    };
    assert_success(&s, 3, 0, 0);
    assert_eq!(s.data_set_complete.as_deref(), Some("2012-01-09"));
    let rows = stored(&mut store, &md);
    assert_eq!(rows.len(), 3);
    for de in [DE_A, DE_B, DE_C] {
        assert!(rows
            .iter()
            .any(|r| r.key == key(de, "201201", OU_A, DEF, DEF)));
    }
}

#[test]
fn c22_xml_set_b() {
    if store_skipped() {
        return;
    }
    let Some((s, md, mut store)) = run("dataValueSetB.xml", &ImportOptions::default()) else {
        return;
    };
    assert_success(&s, 12, 0, 0);
    assert_b_keys(&mut store, &md);
}

#[test]
fn c23_c30_code_schemes() {
    if store_skipped() {
        return;
    }
    for preheat in [None, Some(true)] {
        let mut o = schemes("CODE", "CODE", "CODE");
        o.preheat_cache = preheat;
        let Some((s, md, mut store)) = run("dataValueSetBCode.xml", &o) else {
            return;
        };
        assert_success(&s, 12, 0, 0);
        assert_b_keys(&mut store, &md);
    }
}

#[test]
fn c25_reimport_counts_ignored_and_updated() {
    if store_skipped() {
        return;
    }
    let Some((s, md, mut store)) = run("dataValueSetB.xml", &ImportOptions::default()) else {
        return;
    };
    assert_success(&s, 12, 0, 0);
    let xml = r#"<dataValueSet xmlns="http://dhis2.org/schema/dxf/2.0">
      <dataValue dataElement="f7n9E0hX8qk" period="201201" orgUnit="DiszpKrYNg8" value="20001" storedBy="john" comment="comment" followUp="false"/>
      <dataValue dataElement="f7n9E0hX8qk" period="201201" orgUnit="BdfsJfj87js" value="10002" storedBy="john" comment="comment" followUp="false"/>
      <dataValue dataElement="f7n9E0hX8qk" period="201202" orgUnit="DiszpKrYNg8" value="10003" storedBy="john" comment="comment" followUp="false"/>
    </dataValueSet>"#;
    let mut source = Source::Bytes(dxf2_xml::Reader::new(xml.as_bytes()).unwrap());
    let s = import_source(
        &md,
        USER,
        &mut source,
        &ImportOptions::default(),
        &mut store,
    )
    .summary;
    assert_success(&s, 0, 1, 0);
    assert_eq!(s.import_count.ignored, 2);
    assert!(s.rejected_indexes.is_empty());
    assert_b_keys(&mut store, &md);
}

#[test]
fn c27_c29_attribute_schemes() {
    if store_skipped() {
        return;
    }
    for preheat in [None, Some(true)] {
        let a = "ATTRIBUTE:uh6H2ff562G";
        let mut o = schemes(a, a, a);
        o.preheat_cache = preheat;
        let Some((s, md, mut store)) = run("dataValueSetBAttribute.xml", &o) else {
            return;
        };
        assert_success(&s, 12, 0, 0);
        assert_b_keys(&mut store, &md);
    }
}

#[test]
fn c28_attribute_scheme_in_payload() {
    if store_skipped() {
        return;
    }
    let Some((s, md, mut store)) = run(
        "dataValueSetBAttributeIdScheme.xml",
        &ImportOptions::default(),
    ) else {
        return;
    };
    assert_success(&s, 12, 0, 0);
    assert_b_keys(&mut store, &md);
}

#[test]
fn c31_csv_with_header() {
    if store_skipped() {
        return;
    }
    let Some((s, md, mut store)) = run("dataValueSetB.csv", &ImportOptions::default()) else {
        return;
    };
    assert_success(&s, 12, 0, 0);
    assert_b_keys(&mut store, &md);
}

#[test]
fn c32_csv_with_data_set_option() {
    if store_skipped() {
        return;
    }
    let mut o = ImportOptions::default();
    o.data_set = Some("pBOMPrpg1QX".into());
    let Some((s, md, mut store)) = run("dataValueSetWithDataSetHeader.csv", &o) else {
        return;
    };
    assert_success(&s, 3, 0, 0);
    assert_eq!(stored(&mut store, &md).len(), 3);
}

#[test]
fn c33_csv_without_header() {
    if store_skipped() {
        return;
    }
    let mut o = ImportOptions::default();
    o.first_row_is_header = false;
    let Some((s, md, mut store)) = run("dataValueSetBNoHeader.csv", &o) else {
        return;
    };
    assert_success(&s, 12, 0, 0);
    assert_eq!(stored(&mut store, &md).len(), 12);
}

#[test]
fn c34_boolean_csv_with_duplicates_2_42_version() {
    if store_skipped() {
        return;
    }
    let Some((s, md, mut store)) = run(
        "dataValueSetBooleanDuplicatesTest.csv",
        &ImportOptions::default(),
    ) else {
        return;
    };
    assert_eq!(s.status, ImportStatus::Warning);
    assert_eq!(s.conflict_occurrences(), 4);
    assert_eq!(
        codes_or_objects(&s),
        [
            ("E7619".to_owned(), vec![10, 11]),
            ("E7619".to_owned(), vec![16, 17])
        ]
    );
    assert_eq!(counts(&s), (4, 0, 0, 4));
    assert_eq!(s.rejected_indexes, [10, 11, 16, 17]);
    let c0 = &s.conflicts[0];
    assert_eq!(
        c0.value,
        "Value must match value type of data element `jH26dja2f30`: `Data value is not a boolean`"
    );
    assert_eq!(
        c0.objects,
        [
            ("dataElement".into(), Some("jH26dja2f30".into())),
            ("value".into(), Some("value_not_bool".into()))
        ]
    );
    assert_eq!(
        s.conflicts[1].value,
        "Value must match value type of data element `jH26dja2f31`: `Data value is not true`"
    );
    let rows = stored(&mut store, &md);
    let mut got: Vec<_> = rows
        .iter()
        .map(|r| {
            (
                r.key.data_element.to_string(),
                r.key.period.to_string(),
                r.key.org_unit.to_string(),
                r.value.clone().unwrap(),
            )
        })
        .collect();
    got.sort();
    let want = [
        ("jH26dja2f30", "201201", OU_B, "true"),
        ("jH26dja2f30", "201201", OU_A, "true"),
        ("jH26dja2f30", "201202", OU_A, "false"),
        ("jH26dja2f31", "201202", OU_A, "true"),
    ];
    let mut want: Vec<_> = want
        .iter()
        .map(|(a, b, c, d)| (a.to_string(), b.to_string(), c.to_string(), d.to_string()))
        .collect();
    want.sort();
    assert_eq!(got, want);
}

#[test]
fn c34_boolean_csv_master_version_under_classic_rules() {
    if store_skipped() {
        return;
    }
    let Some((s, md, mut store)) = run("dataValueSetBooleanTest.csv", &ImportOptions::default())
    else {
        return;
    };
    assert_eq!(
        codes_or_objects(&s),
        [
            ("E7619".to_owned(), vec![10, 11]),
            ("E7619".to_owned(), vec![16, 17])
        ]
    );
    assert_eq!(counts(&s), (14, 0, 0, 4));
    assert!(stored(&mut store, &md)
        .iter()
        .all(|r| matches!(r.value.as_deref(), Some("true") | Some("false"))));
}

#[test]
fn c35_dry_run_stores_nothing() {
    if store_skipped() {
        return;
    }
    let mut o = ImportOptions::default();
    o.dry_run = true;
    let Some((s, md, mut store)) = run("dataValueSetB.xml", &o) else {
        return;
    };
    assert_success(&s, 12, 0, 0);
    assert!(stored(&mut store, &md).is_empty());
}

#[test]
fn c36_updates_only_ignores_new_values() {
    if store_skipped() {
        return;
    }
    let mut o = ImportOptions::default();
    o.strategy = ImportStrategy::Updates;
    let Some((s, md, mut store)) = run("dataValueSetB.xml", &o) else {
        return;
    };
    assert_success(&s, 0, 0, 0);
    assert_eq!(s.import_count.ignored, 12);
    assert_eq!(s.rejected_indexes, (0..12).collect::<Vec<i64>>());
    assert!(stored(&mut store, &md).is_empty());
}

#[test]
fn c37_new_period() {
    if store_skipped() {
        return;
    }
    let Some((s, md, mut store)) = run("dataValueSetC.xml", &ImportOptions::default()) else {
        return;
    };
    assert_success(&s, 3, 0, 0);
    assert!(stored(&mut store, &md)
        .iter()
        .all(|r| r.key.period.to_string() == "201205"));
}

#[test]
fn c38_category_option_combo_code_scheme() {
    if store_skipped() {
        return;
    }
    let mut o = ImportOptions::default();
    o.id_schemes.category_option_combo = Some(IdScheme::Code);
    let Some((s, md, mut store)) = run("dataValueSetCCode.xml", &o) else {
        return;
    };
    assert_success(&s, 3, 0, 0);
    assert_eq!(stored(&mut store, &md).len(), 3);
}

#[test]
fn c39_attribute_option_combo_from_header() {
    if store_skipped() {
        return;
    }
    let Some((s, md, mut store)) = run("dataValueSetD.xml", &ImportOptions::default()) else {
        return;
    };
    assert_success(&s, 3, 0, 0);
    assert_eq!(s.data_set_complete.as_deref(), Some("2012-01-09"));
    let rows = stored(&mut store, &md);
    for de in [DE_A, DE_B, DE_C] {
        assert!(rows
            .iter()
            .any(|r| r.key == key(de, "201201", OU_A, DEF, OC_A)));
    }
    assert!(store
        .completion(
            &uid("pBOMPrpg1QX"),
            &"201201".parse().unwrap(),
            &uid(OU_A),
            &uid(OC_A)
        )
        .unwrap()
        .is_some());
}

#[test]
fn c40_org_unit_outside_hierarchy() {
    if store_skipped() {
        return;
    }
    let Some((s, md, mut store)) = run("dataValueSetE.xml", &ImportOptions::default()) else {
        return;
    };
    assert_eq!(s.status, ImportStatus::Warning);
    assert_eq!(codes_or_objects(&s), [("E7617".to_owned(), vec![1, 2])]);
    let c = &s.conflicts[0];
    assert_eq!(
        c.objects,
        [
            ("organisationUnit".into(), Some("j7Hg26FpoIa".into())),
            ("user".into(), Some("uSerAaaaa01".into()))
        ]
    );
    assert_eq!(counts(&s), (1, 0, 0, 2));
    assert_eq!(stored(&mut store, &md).len(), 1);
}

#[test]
fn c41_invalid_attribute_option_combo_aborts() {
    if store_skipped() {
        return;
    }
    let Some((s, md, mut store)) = run("dataValueSetF.xml", &ImportOptions::default()) else {
        return;
    };
    assert_eq!(s.status, ImportStatus::Error);
    assert_eq!(s.description.as_deref(), Some("Import process was aborted"));
    assert_eq!(counts(&s), (0, 0, 0, 0));
    let c = &s.conflicts[0];
    assert_eq!(c.error_code.as_deref(), Some("E7604"));
    assert_eq!(
        c.value,
        "Attribute option combo not found or not accessible: `inValidUid1`"
    );
    assert_eq!(
        c.objects,
        [
            ("categoryOptionCombo".into(), Some("inValidUid1".into())),
            ("dataSet".into(), Some("pBOMPrpg1QX".into()))
        ]
    );
    assert!(s.data_set_complete.is_none());
    assert!(stored(&mut store, &md).is_empty());
}

#[test]
fn c42_unknown_data_element_and_org_unit() {
    if store_skipped() {
        return;
    }
    let Some((s, md, mut store)) = run("dataValueSetG.xml", &ImportOptions::default()) else {
        return;
    };
    assert_eq!(s.status, ImportStatus::Warning);
    assert_eq!(
        codes_or_objects(&s),
        [
            ("E7610".to_owned(), vec![0, 1]),
            ("E7612".to_owned(), vec![2])
        ]
    );
    assert_eq!(
        s.conflicts[0].value,
        "Data element not found or not accessible: `nonEx1sting`"
    );
    assert_eq!(
        s.conflicts[1].objects,
        [("organisationUnit".into(), Some("nonEx1sting".into()))]
    );
    assert_eq!(counts(&s), (1, 0, 0, 3));
    assert_eq!(s.rejected_indexes, [0, 1, 2]);
    let rows = stored(&mut store, &md);
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].value.as_deref(), Some("10003"));
}

fn non_strict(f: impl FnOnce(&mut ImportOptions)) -> Option<ImportSummary> {
    let mut o = ImportOptions::default();
    f(&mut o);
    run("dataValueSetNonStrict.xml", &o).map(|(s, _, _)| s)
}

#[test]
fn c43_strict_periods() {
    if store_skipped() {
        return;
    }
    let Some(s) = non_strict(|o| o.strict_periods = true) else {
        return;
    };
    assert_eq!(
        codes_or_objects(&s),
        [("E7632".to_owned(), vec![1]), ("E7632".to_owned(), vec![2])]
    );
    assert_eq!(
        s.conflicts[0].objects,
        [
            ("period".into(), Some("2012Q2".into())),
            ("dataElement".into(), Some(DE_B.into()))
        ]
    );
    assert_eq!(counts(&s), (1, 0, 0, 2));
}

#[test]
fn c44_strict_category_option_combos() {
    if store_skipped() {
        return;
    }
    let Some(s) = non_strict(|o| o.strict_category_option_combos = true) else {
        return;
    };
    assert_eq!(codes_or_objects(&s), [("E7634".to_owned(), vec![0])]);
    assert_eq!(
        s.conflicts[0].objects,
        [
            ("categoryOptionCombo".into(), Some(OC_A.into())),
            ("dataElement".into(), Some(DE_A.into()))
        ]
    );
    assert_eq!(counts(&s), (2, 0, 0, 1));
}

#[test]
fn c45_strict_attribute_option_combos() {
    if store_skipped() {
        return;
    }
    let Some(s) = non_strict(|o| o.strict_attribute_option_combos = true) else {
        return;
    };
    assert_eq!(codes_or_objects(&s), [("E7635".to_owned(), vec![1])]);
    assert_eq!(
        s.conflicts[0].objects,
        [
            ("categoryOptionCombo".into(), Some("Gad33qy67g5".into())),
            ("dataElement".into(), Some(DE_B.into()))
        ]
    );
    assert_eq!(counts(&s), (2, 0, 0, 1));
}

#[test]
fn c46_required_category_option_combo() {
    if store_skipped() {
        return;
    }
    let Some(s) = non_strict(|o| o.require_category_option_combo = true) else {
        return;
    };
    assert_eq!(s.conflict_occurrences(), 2);
    assert_eq!(codes_or_objects(&s), [("E7630".to_owned(), vec![1, 2])]);
    assert!(s.conflicts[0].object.is_none());
    assert_eq!(counts(&s), (1, 0, 0, 2));
}

#[test]
fn c47_required_attribute_option_combo() {
    if store_skipped() {
        return;
    }
    let Some(s) = non_strict(|o| o.require_attribute_option_combo = true) else {
        return;
    };
    assert_eq!(codes_or_objects(&s), [("E7631".to_owned(), vec![0, 2])]);
    assert_eq!(counts(&s), (1, 0, 0, 2));
}

#[test]
fn c48_strict_organisation_units() {
    if store_skipped() {
        return;
    }
    let Some(s) = non_strict(|o| o.strict_organisation_units = true) else {
        return;
    };
    assert_eq!(codes_or_objects(&s), [("E7636".to_owned(), vec![2])]);
    assert_eq!(
        s.conflicts[0].objects,
        [
            ("organisationUnit".into(), Some(OU_B.into())),
            ("dataElement".into(), Some(DE_C.into()))
        ]
    );
    assert_eq!(counts(&s), (2, 0, 0, 1));
}

#[test]
fn c48b_non_strict_baseline() {
    if store_skipped() {
        return;
    }
    let Some(s) = non_strict(|_| {}) else { return };
    assert_success(&s, 3, 0, 0);
}

#[test]
fn c49_unknown_data_element_with_option_set() {
    if store_skipped() {
        return;
    }
    let Some((s, _, _)) = run("dataValueSetInvalid.xml", &ImportOptions::default()) else {
        return;
    };
    assert_eq!(s.status, ImportStatus::Warning);
    assert_eq!(codes_or_objects(&s), [("E7610".to_owned(), vec![2])]);
    assert_eq!(s.import_count.imported, 2);
    assert_eq!(s.data_set_complete.as_deref(), Some("2012-01-09"));
}

fn with_option_a(md: &mut Metadata, f: impl FnOnce(&mut dxf2_model::metadata::CategoryOption)) {
    let option = md
        .category_options()
        .iter()
        .find(|o| o.id.name.as_deref() == Some("CategoryOptionA"))
        .unwrap()
        .id
        .uid;
    assert!(md.update(&option, f));
}

#[test]
fn c50_attribute_option_combo_dates() {
    if store_skipped() {
        return;
    }
    let Some(path) = payload("dataValueSetH.xml") else {
        return;
    };
    let (mut md, mut store) = classic_setup();
    with_option_a(&mut md, |o| {
        o.start_date = "2012-02-01".parse().ok();
        o.end_date = "2012-02-29".parse().ok();
    });
    let s = import_file(&md, USER, &path, &ImportOptions::default(), &mut store);
    assert_eq!(
        codes_or_objects(&s),
        [("E7638".to_owned(), vec![0]), ("E7617".to_owned(), vec![2])]
    );
    assert_eq!(
        s.conflicts[0].objects,
        [
            ("period".into(), Some("201201".into())),
            ("categoryOptionCombo".into(), None)
        ]
    );
    assert_eq!(counts(&s), (1, 0, 0, 2));
    let rows = stored(&mut store, &md);
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].key, key(DE_B, "201202", OU_B, DEF, OC_A));
}

#[test]
fn c51_attribute_option_combo_org_units() {
    if store_skipped() {
        return;
    }
    let Some(path) = payload("dataValueSetH.xml") else {
        return;
    };
    let (mut md, mut store) = classic_setup();
    with_option_a(&mut md, |o| o.org_units = vec![uid(OU_A), uid(OU_B)]);
    let s = import_file(&md, USER, &path, &ImportOptions::default(), &mut store);
    assert_eq!(codes_or_objects(&s), [("E7617".to_owned(), vec![2])]);
    assert_eq!(counts(&s), (2, 0, 0, 1));
    let rows = stored(&mut store, &md);
    assert!(rows
        .iter()
        .any(|r| r.key == key(DE_A, "201201", OU_A, DEF, OC_A)));
    assert!(rows
        .iter()
        .any(|r| r.key == key(DE_B, "201202", OU_B, DEF, OC_A)));
}

fn update_twice(skip_audit: bool) -> Option<(ImportSummary, Metadata, TestStore)> {
    let (Some(a), Some(update)) = (
        payload("dataValueSetA.xml"),
        payload("dataValueSetAUpdate.xml"),
    ) else {
        return None;
    };
    let (md, mut store) = classic_setup();
    let first = import_file(&md, USER, &a, &ImportOptions::default(), &mut store);
    assert_success(&first, 3, 0, 0);
    let mut o = ImportOptions::default();
    o.skip_audit = skip_audit;
    let s = import_file(&md, USER, &update, &o, &mut store);
    Some((s, md, store))
}

#[test]
fn c52_updates_are_audited() {
    if store_skipped() {
        return;
    }
    let Some((s, md, mut store)) = update_twice(false) else {
        return;
    };
    assert_success(&s, 0, 3, 0);
    for row in stored(&mut store, &md) {
        let audits = store.audits(&row.key).unwrap();
        assert_eq!(audits.len(), 1);
        assert_eq!(audits[0].audit_type, AuditType::Update);
        assert!(audits[0]
            .previous_value
            .as_deref()
            .unwrap()
            .starts_with("1000"));
        assert_eq!(row.comment.as_deref(), Some("updated comment"));
    }
}

#[test]
fn c53_skip_audit() {
    if store_skipped() {
        return;
    }
    let Some((s, md, mut store)) = update_twice(true) else {
        return;
    };
    assert_success(&s, 0, 3, 0);
    for row in stored(&mut store, &md) {
        assert!(store.audits(&row.key).unwrap().is_empty());
    }
}

#[test]
fn c54_null_values() {
    if store_skipped() {
        return;
    }
    let Some((s, md, mut store)) = run("dataValueSetANull.xml", &ImportOptions::default()) else {
        return;
    };
    assert_eq!(s.status, ImportStatus::Warning);
    assert_eq!(
        codes_or_objects(&s),
        [("E7618".to_owned(), vec![0]), ("E7618".to_owned(), vec![1])]
    );
    assert_eq!(
        s.conflicts[1].objects,
        [("dataElement".into(), Some(DE_B.into()))]
    );
    assert_eq!(counts(&s), (1, 0, 0, 2));
    assert_eq!(s.data_set_complete.as_deref(), Some("2012-01-09"));
    assert_eq!(stored(&mut store, &md).len(), 1);
}

#[test]
fn c55_expiry_days_and_future_periods() {
    if store_skipped() {
        return;
    }
    let (mut md, mut store) = classic_setup();
    assert!(md.update::<DataSet>(&uid("pBOMPrpg1QX"), |ds| {
        ds.expiry_days = 62;
        ds.open_future_periods = 2;
    }));
    let month = |offset: i64| {
        let p = dxf2_model::PeriodType::Monthly
            .period_containing(now().date_naive())
            .unwrap();
        p.offset(offset).unwrap().to_string()
    };
    let xml = format!(
        r#"<dataValueSet xmlns="http://dhis2.org/schema/dxf/2.0" idScheme="code" dataSet="DS_A" orgUnit="OU_A">
        <dataValue dataElement="DE_A" period="{}" value="10001"/>
        <dataValue dataElement="DE_B" period="{}" value="10002"/>
        <dataValue dataElement="DE_C" period="{}" value="10003"/>
        <dataValue dataElement="DE_D" period="{}" value="10004"/>
        <dataValue dataElement="DE_D" period="{}" value="10005"/>
        </dataValueSet>"#,
        month(4),
        month(1),
        month(-1),
        month(-4),
        month(6)
    );
    let leaked: &'static str = Box::leak(xml.into_boxed_str());
    let mut source = Source::Bytes(dxf2_xml::Reader::new(leaked.as_bytes()).unwrap());
    // Imported as user A: a superuser holds F_EDIT_EXPIRED and is never locked out.
    let s = import_source(
        &md,
        USER,
        &mut source,
        &ImportOptions::default(),
        &mut store,
    )
    .summary;
    assert_eq!(s.conflicts.len(), 3, "{s:#?}");
    assert_eq!(
        codes_or_objects(&s),
        [
            ("E7641".to_owned(), vec![0]),
            ("E7640".to_owned(), vec![3]),
            ("E7641".to_owned(), vec![4])
        ]
    );
    assert_eq!(
        s.conflicts[0].objects[1],
        ("dataElement".into(), Some("DE_A".into()))
    );
    assert_eq!(counts(&s), (2, 0, 0, 3));
    let rows = stored(&mut store, &md);
    assert_eq!(rows.len(), 2);
    assert!(rows
        .iter()
        .any(|r| r.key == key(DE_B, &month(1), OU_A, DEF, DEF)));
    assert!(rows
        .iter()
        .any(|r| r.key == key(DE_C, &month(-1), OU_A, DEF, DEF)));
}

#[test]
fn c56_c57_data_set_write_sharing() {
    if store_skipped() {
        return;
    }
    let Some(path) = payload("dataValueSetA.xml") else {
        return;
    };
    for (access, ok) in [("r-r-----", false), ("rwrw----", true)] {
        let (mut md, mut store) = classic_setup();
        assert!(md.update::<DataSet>(&uid("pBOMPrpg1QX"), |ds| {
            ds.sharing.users = vec![(uid("uSerAaaaa01"), access.into())];
        }));
        let s = import_file(&md, USER, &path, &ImportOptions::default(), &mut store);
        if ok {
            assert_success(&s, 3, 0, 0);
        } else {
            assert_eq!(s.status, ImportStatus::Error);
            assert_eq!(codes_or_objects(&s), [("E7601".to_owned(), vec![])]);
            assert_eq!(
                s.conflicts[0].objects,
                [("dataSet".into(), Some("pBOMPrpg1QX".into()))]
            );
        }
    }
}
