//! DHIS2's category and category option combo scenarios (metadata-scenarios.md, section C), with
//! the 2.43+ profile whose rules they assert (`MetadataImportExportControllerTest`, web API
//! tests, resources `metadata/category/*.json`), plus our option combo generation.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]

mod common;

use common::*;
use dxf2_metadata::catalogue::MemoryCatalogue;
use dxf2_metadata::import::{ImportParams, ImportReportMode, ImportStrategy, Status};
use dxf2_metadata::Document;
use serde_json::{json, Value};

fn p43() -> ImportParams {
    params_for("2.43")
}

/// CAT (`cat_model_expected_cocs.json`).
fn cat_model() -> Document {
    fixture("category/model.json")
}

/// The target after importing CAT.
fn with_cat() -> MemoryCatalogue {
    let mut cat = MemoryCatalogue::with_dhis2_defaults();
    let r = commit(&mut cat, &cat_model(), &p43());
    assert_eq!(r.report.status, Status::Ok);
    cat
}

fn cocs(d: &mut Document) -> &mut Vec<dxf2_metadata::Object> {
    &mut d
        .types
        .iter_mut()
        .find(|(k, _)| k == "categoryOptionCombos")
        .unwrap()
        .1
}

fn only_cocs(d: &Document) -> Document {
    let mut out = Document::new();
    for o in d.objects("categoryOptionCombos") {
        out.push("categoryOptionCombos", o.clone());
    }
    out
}

fn set_options(o: &mut dxf2_metadata::Object, options: &[&str]) {
    let refs: Vec<Value> = options.iter().map(|u| json!({"id": u})).collect();
    o.insert("categoryOptions".into(), Value::Array(refs));
}

fn first_message(r: &dxf2_metadata::import::ImportResult) -> String {
    r.report
        .error_reports()
        .next()
        .map(|e| e.message.clone())
        .unwrap_or_default()
}

/// C1 `importCreateExpectedCocsTest`, C2 `importExpectedCocsTest`.
#[test]
fn c1_c2_the_expected_set_imports_and_reimports() {
    let mut cat = MemoryCatalogue::with_dhis2_defaults();
    let r = commit(&mut cat, &cat_model(), &p43());
    assert_eq!(r.report.status, Status::Ok);
    assert_eq!(stats(&r), (11, 0, 0, 0, 11));
    assert_eq!(cat.count("categoryOptionCombos"), 5, "4 and the default");
    let r = commit(&mut cat, &cat_model(), &p43());
    assert_eq!(r.report.status, Status::Ok);
    assert_eq!(stats(&r), (0, 11, 0, 0, 11));
    assert_eq!(cat.count("categoryOptionCombos"), 5);
}

/// C3 `partialImportExpectedCocsTest`, C4 `updateCocsIgnoreApprovalTest`.
#[test]
fn c3_c4_the_option_combos_alone() {
    let mut cat = with_cat();
    let mut d = only_cocs(&cat_model());
    for o in cocs(&mut d) {
        o.insert("ignoreApproval".into(), json!(true));
    }
    let r = commit(&mut cat, &d, &p43());
    assert_eq!(r.report.status, Status::Ok);
    assert_eq!(stats(&r), (0, 4, 0, 0, 4));
    assert_eq!(
        cat.get("categoryOptionCombos", "CocUid000a1").unwrap()["ignoreApproval"],
        true
    );
}

/// C5 `updateCocCcTest` (`update_coc_cc.json`): checked against the stored combo.
#[test]
fn c5_changing_an_option_combos_combo() {
    let cat = with_cat();
    let mut d = only_cocs(&cat_model());
    cocs(&mut d).truncate(1);
    cocs(&mut d)[0].insert("categoryCombo".into(), json!({"id": "CatCom99999"}));
    let r = run(&cat, &d, &p43());
    assert_eq!(r.report.status, Status::Error);
    assert_eq!(stats(&r), (0, 0, 0, 2, 2));
    let e1130 = r
        .report
        .error_reports()
        .find(|e| e.error_code == "E1130")
        .unwrap();
    assert_eq!(
        e1130.message,
        "Importing 0 CategoryOptionCombos does not match the expected amount of 4 for CategoryCombo CatComUida1"
    );
    assert_eq!(
        e1130.main_klass,
        "org.hisp.dhis.category.CategoryOptionCombo"
    );
}

/// C6 `updateCocCoTest` (`update_coc_co.json`).
#[test]
fn c6_an_unexpected_option_set() {
    let cat = with_cat();
    let mut d = only_cocs(&cat_model());
    set_options(&mut cocs(&mut d)[0], &["CatOptUida1", "CatOptU8888"]);
    let r = run(&cat, &d, &p43());
    assert_eq!(r.report.status, Status::Error);
    assert_eq!(stats(&r), (0, 0, 0, 5, 5));
    let m = r
        .report
        .error_reports()
        .find(|e| e.error_code == "E1131")
        .unwrap()
        .message
        .clone();
    let (unexpected, missing) = m.split_once('.').unwrap();
    assert!(unexpected.contains("Unexpected CategoryOptionCombo provided with CategoryOptions"));
    for s in ["CatOptUida1", "CatOptU8888", "CatComUida1"] {
        assert!(unexpected.contains(s), "{m}");
    }
    assert!(missing.contains("Missing expected CategoryOptionCombos with CategoryOption sets"));
    assert!(
        missing.contains("CatOptUida1") && missing.contains("CatOptUida3"),
        "{m}"
    );
}

/// C7 `importExpectedCocsDifferentTest` (`cat_model_expected_num_but_invalid_cocs.json`).
#[test]
fn c7_the_right_number_with_a_wrong_set() {
    let cat = with_cat();
    let mut d = cat_model();
    set_options(&mut cocs(&mut d)[1], &["CatOptUida1", "CatOptUida2"]);
    let r = run(&cat, &d, &p43());
    assert_eq!(r.report.status, Status::Error);
    assert_eq!(stats(&r), (0, 0, 0, 11, 11));
    let m = first_message(&r);
    let (unexpected, missing) = m.split_once('.').unwrap();
    assert!(
        unexpected.contains("CatOptUida1")
            && unexpected.contains("CatOptUida2")
            && unexpected.contains("CatComUida1")
    );
    assert!(missing.contains("CatOptUida1") && missing.contains("CatOptUida4"));
}

/// C8 `importExistingCocsUpdateUidsFailTest` (`update_existing_cocs_uids.json`).
#[test]
fn c8_new_uids_for_existing_option_sets() {
    let cat = with_cat();
    let mut d = only_cocs(&cat_model());
    for (i, o) in cocs(&mut d).iter_mut().enumerate() {
        o.insert("id".into(), json!(format!("CocUid000a{}", i + 5)));
    }
    let r = run(&cat, &d, &p43());
    assert_eq!(r.report.status, Status::Error);
    assert_eq!(stats(&r), (0, 0, 0, 4, 4));
    let m = first_message(&r);
    assert!(
        m.starts_with(
            "Provided CategoryOptionCombo CocUid000a5 cannot be processed (potential duplicate)"
        ),
        "{m}"
    );
    for s in ["CocUid000a1", "CatComUida1", "CatOptUida1", "CatOptUida3"] {
        assert!(m.contains(s), "{m}");
    }
}

/// C9/C13 fewer option combos (`cat_model_fewer_cocs.json`), C10 partial.
#[test]
fn c9_c10_c13_fewer_option_combos() {
    let mut fewer = cat_model();
    cocs(&mut fewer).truncate(3);
    let expected = "Importing 3 CategoryOptionCombos does not match the expected amount of 4 for CategoryCombo CatComUida1";

    let r = run(&with_cat(), &fewer, &p43());
    assert_eq!((r.report.status, stats(&r).3), (Status::Error, 10));
    assert_eq!(first_message(&r), expected);

    let r = run(&with_cat(), &only_cocs(&fewer), &p43());
    assert_eq!((r.report.status, stats(&r).3), (Status::Error, 3));
    assert_eq!(first_message(&r), expected);

    let r = run(&MemoryCatalogue::with_dhis2_defaults(), &fewer, &p43());
    assert_eq!(stats(&r), (0, 0, 0, 10, 10));
    assert_eq!(first_message(&r), expected);
}

/// C11/C14 more option combos (`cat_model_more_cocs.json`: a5 = {a2, a1}).
#[test]
fn c11_c14_more_option_combos() {
    let mut more = cat_model();
    let mut extra = cocs(&mut more)[0].clone();
    extra.insert("id".into(), json!("CocUid000a5"));
    set_options(&mut extra, &["CatOptUida2", "CatOptUida1"]);
    cocs(&mut more).push(extra);
    let expected = "Importing 5 CategoryOptionCombos does not match the expected amount of 4 for CategoryCombo CatComUida1";
    let r = run(&with_cat(), &more, &p43());
    assert_eq!((r.report.status, stats(&r).3), (Status::Error, 12));
    assert_eq!(first_message(&r), expected);
    let r = run(&MemoryCatalogue::with_dhis2_defaults(), &more, &p43());
    assert_eq!(stats(&r), (0, 0, 0, 12, 12));
}

/// C12 `importExpectedCocsDifferentCreateTest` (`cat_model_expected_num_but_duplicate_cocs.json`).
#[test]
fn c12_duplicate_option_sets_on_create() {
    let mut d = cat_model();
    set_options(&mut cocs(&mut d)[2], &["CatOptUida1", "CatOptUida3"]);
    let r = run(&MemoryCatalogue::with_dhis2_defaults(), &d, &p43());
    assert_eq!(r.report.status, Status::Error);
    assert_eq!(stats(&r), (0, 0, 0, 11, 11));
    assert_eq!(r.report.count_errors(Some("E1131")), 2);
    let m = first_message(&r);
    let (unexpected, missing) = m.split_once('.').unwrap();
    assert!(unexpected.contains("CatOptUida1") && unexpected.contains("CatOptUida3"));
    assert!(missing.contains("CatOptUida2") && missing.contains("CatOptUida3"));
}

/// Before 2.43 DHIS2 imports option combos as given (no set check); with 2.42 only the default
/// combo rules apply.
#[test]
fn classic_profile_imports_option_combos_as_given() {
    let mut fewer = cat_model();
    cocs(&mut fewer).truncate(3);
    let r = run(&MemoryCatalogue::with_dhis2_defaults(), &fewer, &params());
    assert_eq!(r.report.status, Status::Ok);
    assert_eq!(stats(&r), (10, 0, 0, 0, 10));

    let bad = doc(
        r#"{"categoryOptionCombos": [{"id": "CocUid000x1", "name": "x",
        "categoryCombo": {"id": "bjDvmb4bfuf"}, "categoryOptions": [{"id": "xYerKDKCefk"}]}]}"#,
    );
    let r = run(&MemoryCatalogue::with_dhis2_defaults(), &bad, &params());
    assert_eq!(codes(&r), ["E1122"]);
    assert_eq!(
        first_message(&r),
        "Category option combo x cannot be associated with the default category combo"
    );
    let r = run(
        &MemoryCatalogue::with_dhis2_defaults(),
        &bad,
        &params_for("2.41"),
    );
    assert_eq!(r.report.status, Status::Ok);
}

fn c16_payload() -> Document {
    doc(r#"{
      "organisationUnits": [{"id": "OrgUnitUid1", "name": "test org 1", "shortName": "test org 1", "openingDate": "2023-06-15"}],
      "dataElements": [{"id": "DeUid000001", "aggregationType": "DEFAULT", "domainType": "AGGREGATE",
          "name": "test de 1 - central v1", "shortName": "test de 1 - central v1", "valueType": "TEXT",
          "categoryCombo": {"id": "CatComUid01"}}],
      "dataSets": [{"id": "DsUid000001", "name": "MyDS1", "shortName": "DS1", "periodType": "Daily",
          "dataSetElements": [{"dataElement": {"id": "DeUid000001"}}], "organisationUnits": [{"id": "OrgUnitUid1"}]}],
      "categoryOptions": [{"id": "CatOptUid01", "name": "cat opt 1", "shortName": "cat opt 1"},
          {"id": "CatOptUid02", "name": "cat opt 2", "shortName": "cat opt 2"},
          {"id": "CatOptUid03", "name": "cat opt 3", "shortName": "cat opt 3"},
          {"id": "CatOptUid04", "name": "cat opt 4", "shortName": "cat opt 4"}],
      "categories": [{"id": "CategoUid01", "name": "cat 1", "shortName": "cat 1", "dataDimensionType": "DISAGGREGATION",
            "categoryOptions": [{"id": "CatOptUid01"}, {"id": "CatOptUid02"}]},
          {"id": "CategoUid02", "name": "cat 2", "shortName": "cat 2", "dataDimensionType": "DISAGGREGATION",
            "categoryOptions": [{"id": "CatOptUid03"}, {"id": "CatOptUid04"}]}],
      "categoryCombos": [{"id": "CatComUid01", "name": "cat combo 1", "dataDimensionType": "DISAGGREGATION",
          "categories": [{"id": "CategoUid01"}, {"id": "CategoUid02"}]}],
      "categoryOptionCombos": [
        {"id": "CocUid00001", "name": "cat opt 1, cat opt 3", "categoryCombo": {"id": "CatComUid01"}, "categoryOptions": [{"id": "CatOptUid01"}, {"id": "CatOptUid03"}]},
        {"id": "CocUid00002", "name": "cat opt 1, cat opt 4", "categoryCombo": {"id": "CatComUid01"}, "categoryOptions": [{"id": "CatOptUid01"}, {"id": "CatOptUid04"}]},
        {"id": "CocUid00003", "name": "cat opt 2, cat opt 3", "categoryCombo": {"id": "CatComUid01"}, "categoryOptions": [{"id": "CatOptUid02"}, {"id": "CatOptUid03"}]},
        {"id": "CocUid00004", "name": "cat opt 2, cat opt 4", "categoryCombo": {"id": "CatComUid01"}, "categoryOptions": [{"id": "CatOptUid02"}, {"id": "CatOptUid04"}]}]
    }"#)
}

fn c16_additional_category() -> Document {
    doc(r#"{
      "categories": [
        {"id": "CategoUid01", "name": "cat 1", "shortName": "cat 1", "dataDimensionType": "DISAGGREGATION", "categoryOptions": []},
        {"id": "CategoUid02", "name": "cat 2", "shortName": "cat 2", "dataDimensionType": "DISAGGREGATION", "categoryOptions": []},
        {"id": "CategoUid03", "name": "cat 3", "shortName": "cat 3", "dataDimensionType": "DISAGGREGATION", "categoryOptions": []}],
      "categoryCombos": [{"id": "CatComUid01", "name": "cat combo 1", "dataDimensionType": "DISAGGREGATION",
        "categories": [{"id": "CategoUid01"}, {"id": "CategoUid02"}, {"id": "CategoUid03"}]}]
    }"#)
}

/// C16/C17/C18 `MetadataImportExportControllerIntegrationTest#importingCategoryCombo…`.
#[test]
fn c16_c17_c18_a_new_category_and_data_values() {
    let mut cat = MemoryCatalogue::with_dhis2_defaults();
    let r = commit(&mut cat, &c16_payload(), &p43());
    assert_eq!((r.report.status, r.report.stats.created), (Status::Ok, 14));

    let r = run(&cat, &c16_additional_category(), &p43());
    assert_eq!(r.report.status, Status::Ok);
    assert_eq!((r.report.stats.updated, r.report.stats.created), (3, 1));

    // C18: the same payload again while data values exist: nothing changes but it is fine.
    let mut with_data = cat.clone();
    with_data.set_data_values("categoryCombos", "CatComUid01");
    let r = run(&with_data, &c16_payload(), &p43());
    assert_eq!(r.report.status, Status::Ok);
    assert_eq!((r.report.stats.updated, r.report.stats.ignored), (14, 0));

    // C17: an additional category while data values exist.
    let r = run(&with_data, &c16_additional_category(), &p43());
    assert_eq!(r.report.status, Status::Error);
    assert_eq!((r.report.stats.updated, r.report.stats.ignored), (0, 4));
    let t = r.report.type_report("categoryCombos").unwrap();
    let e = &t.object_reports.values().next().unwrap().error_reports[0];
    assert_eq!(
        e.message,
        "Update cannot be applied as it would make existing data values inaccessible"
    );
}

/// C19 `importNewCategoryComboNoCategoriesTest`.
#[test]
fn c19_a_combo_without_categories() {
    let r = run(
        &MemoryCatalogue::with_dhis2_defaults(),
        &doc(
            r#"{"categoryCombos":[{"id":"CatComUid11","name":"cat combo 11","dataDimensionType":"DISAGGREGATION","categories":[]}]}"#,
        ),
        &p43(),
    );
    assert_eq!((r.report.status, r.report.stats.created), (Status::Ok, 1));
}

/// C20 `deleteStatsAreCorrectWhenDeleteNotAllowedTest` (`categories_with_category_combos.json`,
/// `delete_categories.json`).
#[test]
fn c20_deleting_categories_used_by_combos() {
    let mut cat = MemoryCatalogue::with_dhis2_defaults();
    let setup = doc(r#"{
      "categoryCombos": [{"id": "CatComUid01", "name": "cat combo 1", "dataDimensionType": "DISAGGREGATION", "categories": [{"id": "CatUid00001"}]},
                         {"id": "CatComUid02", "name": "cat combo 2", "dataDimensionType": "DISAGGREGATION", "categories": [{"id": "CatUid00002"}]}],
      "categories": [{"id": "CatUid00001", "name": "cat test 1", "shortName": "test 1", "dataDimensionType": "DISAGGREGATION", "categoryCombos": [{"id": "CatComUid01"}]},
                     {"id": "CatUid00002", "name": "cat test 2", "shortName": "test 2", "dataDimensionType": "DISAGGREGATION", "categoryCombos": [{"id": "CatComUid02"}]}]}"#);
    let full = ImportParams {
        import_report_mode: ImportReportMode::Full,
        ..p43()
    };
    assert_eq!(commit(&mut cat, &setup, &full).report.status, Status::Ok);
    let delete = ImportParams {
        import_strategy: ImportStrategy::Delete,
        ..full
    };
    let r = commit(
        &mut cat,
        &doc(
            r#"{"categories": [{"id": "CatUid00001", "name": "cat test 1", "shortName": "test 1", "dataDimensionType": "DISAGGREGATION"},
                                {"id": "CatUid00002", "name": "cat test 2", "shortName": "test 2", "dataDimensionType": "DISAGGREGATION"}]}"#,
        ),
        &delete,
    );
    assert_eq!(r.report.status, Status::Warning);
    assert_eq!(stats(&r), (0, 0, 0, 2, 2));
    let t = r.report.type_report("categories").unwrap();
    assert_eq!(t.stats, r.report.stats);
    assert_eq!(r.report.count_errors(Some("E4030")), 2);
    for e in r.report.error_reports() {
        assert_eq!(e.message, "Object could not be deleted because it is associated with another object: CategoryCombo");
        assert!(e.args.is_empty());
    }
    assert!(
        cat.get("categories", "CatUid00001").is_some()
            && cat.get("categories", "CatUid00002").is_some()
    );
}

/// C21 `importCategoryComboWith2CategoryOptionCombosTest` (`cat_catoption_catcombo.json`): the
/// import itself generates no option combo; with our option it generates DHIS2's, named and
/// ordered as DHIS2's maintenance endpoint does, and a re-import keeps them.
#[test]
fn c21_option_combo_generation() {
    let d = doc(r#"{
      "categories": [{"name": "colour", "id": "xjOK1aXkjVO", "code": "colour", "shortName": "colour", "dataDimensionType": "DISAGGREGATION",
                      "categoryOptions": [{"id": "xT49qinT8J7"}, {"id": "xhP2RNzP0fm"}]},
                     {"name": "size", "id": "xv9b9dYOHMG", "code": "size", "shortName": "size", "dataDimensionType": "DISAGGREGATION",
                      "categoryOptions": [{"id": "x8ft17oIEID"}, {"id": "xaLPcwxxBRs"}]}],
      "categoryOptions": [{"name": "blue", "id": "xT49qinT8J7", "code": "blue", "shortName": "blue"},
                          {"name": "red", "id": "xhP2RNzP0fm", "code": "red", "shortName": "red"},
                          {"name": "small", "id": "x8ft17oIEID", "code": "small", "shortName": "small"},
                          {"name": "large", "id": "xaLPcwxxBRs", "code": "large", "shortName": "large"}],
      "categoryCombos": [{"name": "colour_size", "id": "xBCZTtKoxWg", "code": "colour_size", "shortName": "colour_size",
                          "categories": [{"id": "xjOK1aXkjVO"}, {"id": "xv9b9dYOHMG"}], "dataDimensionType": "DISAGGREGATION"}]}"#);
    let mut cat = MemoryCatalogue::with_dhis2_defaults();
    let r = run(&cat, &d, &p43());
    assert_eq!(r.report.stats.total(), 7);
    assert!(r.changes.of("categoryOptionCombos").is_none());

    let generate = ImportParams {
        generate_option_combos: true,
        ..p43()
    };
    let r = commit(&mut cat, &d, &generate);
    assert_eq!(r.generated_option_combos, 4);
    let names: Vec<&str> = r
        .changes
        .of("categoryOptionCombos")
        .unwrap()
        .created
        .iter()
        .map(|o| o["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["blue, small", "blue, large", "red, small", "red, large"]
    );
    let r = commit(&mut cat, &d, &generate);
    assert_eq!(r.generated_option_combos, 0);
    assert_eq!(cat.count("categoryOptionCombos"), 5);
}

/// C22 `testImportDuplicates` (`duplicate_categories.json`): a combo listing a category twice.
#[test]
fn c22_duplicate_reference() {
    let d = doc(r#"{
      "categoryOptions": [{"id": "JYiFOMKa25J", "name": "Female", "shortName": "Female"}],
      "categories": [{"id": "XJGLlMAMCcn", "name": "Gender", "shortName": "Gender", "dataDimensionType": "DISAGGREGATION",
                      "categoryOptions": [{"id": "JYiFOMKa25J"}]}],
      "categoryCombos": [{"id": "faV8QvLgIwB", "name": "Gender", "dataDimensionType": "DISAGGREGATION",
                          "categories": [{"id": "XJGLlMAMCcn"}, {"id": "XJGLlMAMCcn"}]}]}"#);
    let r = run(
        &MemoryCatalogue::with_dhis2_defaults(),
        &d,
        &ImportParams {
            import_strategy: ImportStrategy::Create,
            ..params()
        },
    );
    assert_eq!(r.report.status, Status::Error);
    let e = r
        .report
        .error_reports()
        .find(|e| e.error_code == "E5007")
        .unwrap();
    assert_eq!(
        e.message,
        "Duplicate reference [XJGLlMAMCcn] (Category) on object Gender [faV8QvLgIwB] (CategoryCombo) for association `category`"
    );
    assert_eq!(
        e.error_klass.as_deref(),
        Some("org.hisp.dhis.category.Category")
    );
}
