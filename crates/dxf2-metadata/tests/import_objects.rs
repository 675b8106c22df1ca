//! DHIS2's scenarios for org units, data sets and sections, attributes, options and reports
//! (metadata-scenarios.md, sections B, E, F, H). Each test names the DHIS2 test and file it
//! reproduces; the payloads are ours.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]

mod common;

use common::*;
use dxf2_metadata::catalogue::MemoryCatalogue;
use dxf2_metadata::import::{ImportMode, ImportParams, ImportStrategy, Status};
use serde_json::{json, Value};

fn ids(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .map(|r| r["id"].as_str().unwrap().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

/// B1 `#testCreateOrgUnitWithLevels` (`ou_with_levels.json`): children listed before the root.
#[test]
fn b1_children_before_their_root() {
    let d = doc(r#"{"organisationUnits": [
        {"name": "OrgUnitB", "shortName": "OrgUnitB", "openingDate": "2016-03-11T17:00:00.000+0000", "parent": {"id": "inVD5SdytkT"}},
        {"name": "OrgUnitC", "shortName": "OrgUnitC", "openingDate": "2016-03-11T17:00:00.000+0000", "parent": {"id": "inVD5SdytkT"}},
        {"name": "OrgUnitD", "shortName": "OrgUnitD", "openingDate": "2016-03-11T17:00:00.000+0000", "parent": {"id": "inVD5SdytkT"}},
        {"id": "inVD5SdytkT", "name": "OrgUnitA", "shortName": "OrgUnitA", "openingDate": "2016-03-11T17:00:00.000+0000"}]}"#);
    let mut cat = MemoryCatalogue::with_dhis2_defaults();
    let r = commit(&mut cat, &d, &params());
    assert_eq!(r.report.status, Status::Ok);
    let root = cat.get("organisationUnits", "inVD5SdytkT").unwrap();
    assert!(root.get("parent").is_none());
    assert_eq!(root["level"], 1);
    let children: Vec<_> = r
        .changes
        .of("organisationUnits")
        .unwrap()
        .created
        .iter()
        .filter(|o| o.get("parent").is_some_and(|p| p["id"] == "inVD5SdytkT"))
        .collect();
    assert_eq!(children.len(), 3);
    for c in children {
        assert_eq!(
            c["path"],
            format!("/inVD5SdytkT/{}", c["id"].as_str().unwrap())
        );
        assert_eq!(c["level"], 2);
    }
}

/// B2 `#testCreateOrgUnitWithPersistedParent` (`orgunit_create_with_persisted_parent.json`), and
/// a move: the moved unit's stored descendants get new paths.
#[test]
fn b2_persisted_parent_and_moves() {
    let mut cat = MemoryCatalogue::with_dhis2_defaults();
    cat.insert(
        "organisationUnits",
        obj(
            json!({"id": "ImspTQPwCqd", "name": "Sierra Leone", "shortName": "SL",
        "openingDate": "1994-01-01", "path": "/ImspTQPwCqd", "level": 1}),
        ),
    );
    let d = doc(
        r#"{"date": "2016-08-31T16:21:36.359", "organisationUnits": [
        {"name": "Health Site", "id": "B8eJEMldsP7", "shortName": "Health Site", "openingDate": "2016-07-31T00:00:00.000", "parent": {"id": "bFzxXwTkSWA"}},
        {"name": "Project", "id": "bFzxXwTkSWA", "shortName": "Project", "openingDate": "2016-07-31T00:00:00.000", "parent": {"id": "ImspTQPwCqd"}}]}"#,
    );
    let r = commit(
        &mut cat,
        &d,
        &ImportParams {
            import_strategy: ImportStrategy::Create,
            ..params()
        },
    );
    assert_eq!(r.report.status, Status::Ok);
    assert_eq!(
        cat.get("organisationUnits", "B8eJEMldsP7").unwrap()["path"],
        "/ImspTQPwCqd/bFzxXwTkSWA/B8eJEMldsP7"
    );
    assert_eq!(
        cat.get("organisationUnits", "bFzxXwTkSWA").unwrap()["parent"]["id"],
        "ImspTQPwCqd"
    );

    // Moving "Project" to a new root moves "Health Site" too.
    let r = commit(
        &mut cat,
        &doc(r#"{"organisationUnits": [
        {"id": "bFzxXwTkSWA", "name": "Project", "shortName": "Project", "openingDate": "2016-07-31"}]}"#),
        &params(),
    );
    assert_eq!(r.report.stats.updated, 1);
    assert_eq!(
        cat.get("organisationUnits", "bFzxXwTkSWA").unwrap()["path"],
        "/bFzxXwTkSWA"
    );
    let site = cat.get("organisationUnits", "B8eJEMldsP7").unwrap();
    assert_eq!(
        (
            site["path"].as_str().unwrap(),
            site["level"].as_u64().unwrap()
        ),
        ("/bFzxXwTkSWA/B8eJEMldsP7", 2)
    );
}

fn data_set_payload() -> String {
    json!({
        "categoryOptions": [{"id": "JYiFOMKa25J", "name": "Female", "shortName": "Female"},
                            {"id": "tdaMRD34m8o", "name": "Male", "shortName": "Male"}],
        "categories": [{"id": "XJGLlMAMCcn", "name": "Gender", "shortName": "Gender", "dataDimensionType": "DISAGGREGATION",
                        "categoryOptions": [{"id": "JYiFOMKa25J"}, {"id": "tdaMRD34m8o"}]}],
        "categoryCombos": [{"id": "faV8QvLgIwB", "name": "Gender", "dataDimensionType": "DISAGGREGATION",
                            "categories": [{"id": "XJGLlMAMCcn"}]}],
        "categoryOptionCombos": [
            {"id": "S34ULMcHMca", "name": "Female", "categoryCombo": {"id": "faV8QvLgIwB"}, "categoryOptions": [{"id": "JYiFOMKa25J"}]},
            {"id": "sqGRzCziswD", "name": "Male", "categoryCombo": {"id": "faV8QvLgIwB"}, "categoryOptions": [{"id": "tdaMRD34m8o"}]}],
        "dataElements": [
            {"id": "nHwIqKAudKN", "name": "Simple Value", "shortName": "Simple Value", "valueType": "NUMBER", "domainType": "AGGREGATE", "aggregationType": "SUM"},
            {"id": "VolAzjFe5zP", "name": "Value with CC", "shortName": "Value with CC", "valueType": "NUMBER", "domainType": "AGGREGATE",
             "aggregationType": "SUM", "categoryCombo": {"id": "faV8QvLgIwB"}}],
        "organisationUnits": [{"id": "x3gVvpbVgqy", "name": "Country", "shortName": "Country", "openingDate": "2016-03-08"}],
        "indicatorTypes": [{"id": "kHy61PbChXr", "name": "Number", "factor": 1, "number": true}],
        "indicators": [{"id": "IndUid000x1", "name": "Ind 1", "shortName": "Ind 1", "indicatorType": {"id": "kHy61PbChXr"},
                        "numerator": "#{nHwIqKAudKN}", "denominator": "1"},
                       {"id": "IndUid000x2", "name": "Ind 2", "shortName": "Ind 2", "indicatorType": {"id": "kHy61PbChXr"},
                        "numerator": "#{VolAzjFe5zP}", "denominator": "1"}],
        "dataSets": [{"id": "em8Bg4LCr5k", "name": "Data Set", "shortName": "DS", "periodType": "Monthly",
                      "dataSetElements": [{"dataElement": {"id": "nHwIqKAudKN"}}, {"dataElement": {"id": "VolAzjFe5zP"}}],
                      "indicators": [{"id": "IndUid000x1"}, {"id": "IndUid000x2"}],
                      "organisationUnits": [{"id": "x3gVvpbVgqy"}],
                      "dataInputPeriods": [{"period": {"id": "202001"}, "openingDate": "2020-01-01", "closingDate": "2020-02-15"}]}],
        "sections": [{"id": "JwcV2ZifEQf", "name": "Section A", "dataSet": {"id": "em8Bg4LCr5k"}, "sortOrder": 1,
                      "dataElements": [{"id": "nHwIqKAudKN"}], "indicators": [{"id": "IndUid000x1"}, {"id": "IndUid000x2"}]},
                     {"id": "C50M0WxaI7y", "name": "Section B", "dataSet": {"id": "em8Bg4LCr5k"}, "sortOrder": 2,
                      "dataElements": [{"id": "VolAzjFe5zP"}],
                      "greyedFields": [{"dataElement": {"id": "VolAzjFe5zP"}, "categoryOptionCombo": {"id": "S34ULMcHMca"}}]}]
    })
    .to_string()
}

/// B4/B5/B8/B9/B15 `#testCreateDataSetWithSections…`, `#testCreateDataSetNoDSEDefaults`,
/// `#testCreateAndUpdateDataSetWithSections` (`dataset_with_sections*.json`).
#[test]
fn b4_b9_data_set_with_sections_created_and_updated() {
    let mut cat = MemoryCatalogue::with_dhis2_defaults();
    let d = doc(&data_set_payload());
    let r = commit(
        &mut cat,
        &d,
        &ImportParams {
            import_strategy: ImportStrategy::Create,
            ..params()
        },
    );
    assert_eq!(r.report.status, Status::Ok, "{:?}", codes(&r));
    let ds = cat.get("dataSets", "em8Bg4LCr5k").unwrap();
    assert!(
        ds["dataSetElements"][0].get("categoryCombo").is_none(),
        "B8: a data set element's combo is not defaulted"
    );
    assert_eq!(ds["categoryCombo"]["id"], "bjDvmb4bfuf");
    let b = cat.get("sections", "C50M0WxaI7y").unwrap();
    assert_eq!(b["greyedFields"].as_array().unwrap().len(), 1);
    assert_eq!(b["dataSet"]["id"], "em8Bg4LCr5k");
    let r = commit(
        &mut cat,
        &d,
        &ImportParams {
            import_strategy: ImportStrategy::Update,
            ..params()
        },
    );
    assert_eq!(r.report.status, Status::Ok);
    assert_eq!(r.report.stats.updated, d.len());
}

/// B17/B18 `#testMetadataImportWithDeletedDataElements`, `removeDataSetIndicatorTest`: a data
/// set update without a data element and an indicator removes them from its sections.
#[test]
fn b17_b18_removed_data_elements_and_indicators_leave_sections() {
    let mut cat = MemoryCatalogue::with_dhis2_defaults();
    commit(&mut cat, &doc(&data_set_payload()), &params());
    let update = doc(
        r#"{"dataSets": [{"id": "em8Bg4LCr5k", "name": "Data Set", "shortName": "DS", "periodType": "Monthly",
        "dataSetElements": [{"dataElement": {"id": "nHwIqKAudKN"}}], "indicators": [{"id": "IndUid000x1"}],
        "organisationUnits": [{"id": "x3gVvpbVgqy"}]}]}"#,
    );
    let r = commit(&mut cat, &update, &params());
    assert_eq!(r.report.status, Status::Ok);
    assert_eq!(
        r.report.stats.updated, 1,
        "the sections' updates follow the data set, uncounted"
    );
    let a = cat.get("sections", "JwcV2ZifEQf").unwrap();
    assert_eq!(ids(&a["dataElements"]), ["nHwIqKAudKN"]);
    assert_eq!(ids(&a["indicators"]), ["IndUid000x1"]);
    let b = cat.get("sections", "C50M0WxaI7y").unwrap();
    assert!(ids(&b["dataElements"]).is_empty());
    assert!(b["greyedFields"].as_array().unwrap().is_empty());
    let ds = cat.get("dataSets", "em8Bg4LCr5k").unwrap();
    assert_eq!(ds["dataSetElements"].as_array().unwrap().len(), 1);
    assert!(
        ds.get("dataInputPeriods").is_none(),
        "REPLACE: absent fields are cleared"
    );
}

/// B10 `#testCreateMetadataWithIndicator`; data input periods and org unit dates (`E4013`).
#[test]
fn b10_indicators_and_date_checks() {
    let mut cat = MemoryCatalogue::with_dhis2_defaults();
    let r = commit(&mut cat, &doc(&data_set_payload()), &params());
    assert_eq!(cat.count("indicators"), 2);
    assert_eq!(r.report.status, Status::Ok);

    let bad = doc(
        r#"{"organisationUnits": [{"id": "x3gVvpbVgqz", "name": "Closed", "shortName": "Closed",
        "openingDate": "2020-01-01", "closedDate": "2019-01-01"}],
        "dataSets": [{"id": "em8Bg4LCr5k", "name": "Data Set", "shortName": "DS", "periodType": "Monthly",
          "dataInputPeriods": [{"period": {"id": "202001"}, "openingDate": "2020-03-01", "closingDate": "2020-02-15"}]}]}"#,
    );
    let r = run(&cat, &bad, &params());
    assert_eq!(codes(&r), ["E4013", "E4013"]);
    assert!(r.report.error_reports().any(|e| e.message
        == "Invalid closing date `2019-01-01`, must be after opening date `2020-01-01`"));
}

/// An attribute (`dxf2/attribute/attribute.json`) and objects carrying values.
fn attribute(id: &str, value_type: &str, flags: Value) -> Value {
    let mut a = json!({"id": id, "name": format!("attr {id}"), "valueType": value_type});
    for (k, v) in flags.as_object().unwrap() {
        a[k] = v.clone();
    }
    a
}

fn data_element(id: &str, name: &str, values: Value) -> Value {
    json!({"id": id, "name": name, "shortName": name, "valueType": "TEXT", "domainType": "AGGREGATE",
           "aggregationType": "NONE", "attributeValues": values})
}

/// E1 `testCreateSimpleMetadataAttributeValuesUID`, E6 `testValidateAttributeNotAssigned`, E7
/// `testImportInvalidValueType`, E8 `testSaveAttributeValueAfterUpdateAttribute`.
#[test]
fn e1_e6_e7_e8_attribute_values() {
    let mut cat = MemoryCatalogue::with_dhis2_defaults();
    let setup = json!({"attributes": [attribute("PtyV6lLcmol", "BOOLEAN", json!({"dataSetAttribute": true}))]});
    assert_eq!(
        commit(&mut cat, &doc(&setup.to_string()), &params())
            .report
            .status,
        Status::Ok
    );

    let de = json!({"dataElements": [data_element("deabcdefghA", "A", json!([{"attribute": {"id": "PtyV6lLcmol"}, "value": "true"}]))]});
    let r = run(
        &cat,
        &doc(&de.to_string()),
        &ImportParams {
            import_strategy: ImportStrategy::Create,
            ..params()
        },
    );
    assert_eq!(r.report.status, Status::Error);
    assert_eq!(codes(&r), ["E6012"]);
    assert_eq!(
        r.report.error_reports().next().unwrap().message,
        "Attribute `PtyV6lLcmol` is not assigned to `DataElement`"
    );

    let ds = |value: &str| {
        json!({"dataSets": [{"id": "sPnR8BCInMV", "name": "DS", "shortName": "DS", "periodType": "Monthly",
        "attributeValues": {"PtyV6lLcmol": {"value": value}}}]})
    };
    let r = run(&cat, &doc(&ds("testValue").to_string()), &params());
    assert_eq!(codes(&r), ["E6016"]);
    assert_eq!(
        r.report.error_reports().next().unwrap().message,
        "AttributeValue `testValue` is an invalid boolean value"
    );
    assert_eq!(
        r.report.error_reports().next().unwrap().main_klass,
        "org.hisp.dhis.attribute.AttributeValues"
    );
    commit(&mut cat, &doc(&ds("true").to_string()), &params());
    commit(&mut cat, &doc(&ds("false").to_string()), &params());
    assert_eq!(
        cat.get("dataSets", "sPnR8BCInMV").unwrap()["attributeValues"][0]["value"],
        "false"
    );
}

/// E2/E3 `testValidateMetadataAttributeValuesMandatory…` (`metadata_with_mandatory_attributes*.json`):
/// one report per missing mandatory attribute, stored and payload attributes alike.
#[test]
fn e2_e3_mandatory_attributes() {
    let mut cat = MemoryCatalogue::with_dhis2_defaults();
    cat.insert(
        "attributes",
        obj(attribute(
            "d9vw7V9Mw8W",
            "TEXT",
            json!({"unique": true, "mandatory": true, "dataElementAttribute": true}),
        )),
    );
    let payload = json!({
        "attributes": [attribute("azavAWurpqC", "TEXT", json!({"unique": true, "mandatory": true, "dataElementAttribute": true}))],
        "dataElements": [data_element("deabcdefghA", "A", json!([])), data_element("deabcdefghB", "B", json!([])),
                         data_element("deabcdefghC", "C", json!([])), data_element("deabcdefghD", "D", json!([]))]});
    let validate = ImportParams {
        import_mode: ImportMode::Validate,
        ..params()
    };
    let r = run(&cat, &doc(&payload.to_string()), &validate);
    let t = r.report.type_report("dataElements").unwrap();
    assert_eq!(t.object_reports.len(), 4);
    assert!(t
        .object_reports
        .values()
        .all(|o| o.error_reports.len() == 2));
    assert_eq!(t.stats.ignored, 8, "one per missing attribute");
    let e = &t.object_reports[&0].error_reports[0];
    assert_eq!(
        (
            e.error_code.as_str(),
            e.main_klass.as_str(),
            e.error_property.as_deref()
        ),
        ("E4011", "org.hisp.dhis.attribute.Attribute", Some("value"))
    );

    let r = run(
        &MemoryCatalogue::with_dhis2_defaults(),
        &doc(&payload.to_string()),
        &validate,
    );
    let t = r.report.type_report("dataElements").unwrap();
    assert!(t
        .object_reports
        .values()
        .all(|o| o.error_reports.len() == 1));
}

/// E4/E5 `testValidateMetadataAttributeValuesUnique…` (`metadata_with_unique_attributes*.json`).
#[test]
fn e4_e5_unique_attributes() {
    let mut cat = MemoryCatalogue::with_dhis2_defaults();
    cat.insert(
        "attributes",
        obj(attribute(
            "d9vw7V9Mw8W",
            "TEXT",
            json!({"unique": true, "dataElementAttribute": true}),
        )),
    );
    for (i, v) in ["Value1", "Value2", "Value3"].iter().enumerate() {
        cat.insert(
            "dataElements",
            obj(data_element(
                &format!("storedDE000{i}"),
                &format!("S{i}"),
                json!([{"attribute": {"id": "d9vw7V9Mw8W"}, "value": v}]),
            )),
        );
    }
    let av = |v: &str| json!([{"attribute": {"id": "d9vw7V9Mw8W"}, "value": v}]);
    let payload = json!({"dataElements": [data_element("deabcdefghA", "A", av("Value1")), data_element("deabcdefghB", "B", av("Value2")),
                                          data_element("deabcdefghC", "C", av("Value6")), data_element("deabcdefghD", "D", av("Value7"))]});
    let validate = ImportParams {
        import_mode: ImportMode::Validate,
        ..params()
    };
    let r = run(&cat, &doc(&payload.to_string()), &validate);
    assert_eq!(r.report.count_errors(Some("E4009")), 2);
    assert_eq!(
        r.report.error_reports().next().unwrap().message,
        "Attribute `attr d9vw7V9Mw8W` is unique, and value `Value1` already exist"
    );

    let mut cat = MemoryCatalogue::with_dhis2_defaults();
    cat.insert(
        "attributes",
        obj(attribute(
            "azavAWurpqC",
            "TEXT",
            json!({"unique": true, "dataElementAttribute": true}),
        )),
    );
    let av = |v: &str| json!([{"attribute": {"id": "azavAWurpqC"}, "value": v}]);
    let payload = json!({"dataElements": [data_element("deabcdefghA", "A", av("Value1")), data_element("deabcdefghB", "B", av("Value2")),
                                          data_element("deabcdefghC", "C", av("Value2")), data_element("deabcdefghD", "D", av("Value2"))]});
    assert_eq!(
        run(&cat, &doc(&payload.to_string()), &validate)
            .report
            .count_errors(Some("E4009")),
        2
    );
}

/// E9/E10 `testPost(In)ValidGeoJsonAttribute`.
#[test]
fn e9_e10_geo_json_attributes() {
    let ou = |geometry: &str| {
        json!({"attributes": [attribute("RRH9IFiZZYN", "GEOJSON", json!({"organisationUnitAttribute": true}))],
               "organisationUnits": [{"id": "rXnqqH2Pu6N", "name": "My Unit", "shortName": "OU1", "openingDate": "2020-01-01",
                                      "attributeValues": [{"attribute": {"id": "RRH9IFiZZYN"}, "value": geometry}]}]})
        .to_string()
    };
    let cat = MemoryCatalogue::with_dhis2_defaults();
    let r = run(
        &cat,
        &doc(&ou(
            r#"{"type": "Polygon", "coordinates": [[[100, 0], [101, 0], [101, 1], [100, 0]]]}"#,
        )),
        &params(),
    );
    assert_eq!(r.report.status, Status::Ok);
    let r = run(&cat, &doc(&ou(r#"{"type": "Polygon"}"#)), &params());
    assert_eq!(codes(&r), ["E6004"]);
}

/// F1/F3/F5 `testImportOptionSetWith…`: listed options get their position as `sortOrder`; options
/// pointing at a set that does not list them join its list.
#[test]
fn f1_f3_f5_option_sort_orders() {
    let set = |options: &[&str]| {
        let refs: Vec<Value> = options.iter().map(|o| json!({"id": o})).collect();
        json!({"optionSets": [{"id": "RHqFlB1Wm4d", "name": "Device category", "valueType": "TEXT", "options": refs}],
               "options": [{"id": "Uh4HvjK6zg3", "name": "Laptop", "code": "LAPTOP", "optionSet": {"id": "RHqFlB1Wm4d"}},
                           {"id": "BQMei56UBl6", "name": "Phone", "code": "PHONE", "sortOrder": 5, "optionSet": {"id": "RHqFlB1Wm4d"}}]})
        .to_string()
    };
    let mut cat = MemoryCatalogue::with_dhis2_defaults();
    let r = commit(
        &mut cat,
        &doc(&set(&["Uh4HvjK6zg3", "BQMei56UBl6"])),
        &params(),
    );
    assert_eq!(r.report.status, Status::Ok);
    assert_eq!(cat.get("options", "Uh4HvjK6zg3").unwrap()["sortOrder"], 0);
    assert_eq!(cat.get("options", "BQMei56UBl6").unwrap()["sortOrder"], 1);
    commit(
        &mut cat,
        &doc(&set(&["BQMei56UBl6", "Uh4HvjK6zg3"])),
        &params(),
    );
    assert_eq!(
        ids(&cat.get("optionSets", "RHqFlB1Wm4d").unwrap()["options"]),
        ["BQMei56UBl6", "Uh4HvjK6zg3"]
    );
    assert_eq!(cat.get("options", "Uh4HvjK6zg3").unwrap()["sortOrder"], 1);

    // F5: a set without `options`; its options name it.
    let mut cat = MemoryCatalogue::with_dhis2_defaults();
    let mut d: Value = serde_json::from_str(&set(&[])).unwrap();
    d["optionSets"][0]
        .as_object_mut()
        .unwrap()
        .remove("options");
    commit(&mut cat, &doc(&d.to_string()), &params());
    assert_eq!(
        ids(&cat.get("optionSets", "RHqFlB1Wm4d").unwrap()["options"]),
        ["Uh4HvjK6zg3", "BQMei56UBl6"]
    );
    assert_eq!(cat.get("options", "BQMei56UBl6").unwrap()["sortOrder"], 1);
}

/// F6 `OptionObjectBundleHookTest#validate`: an option with the name of another option of its
/// stored set (`E4028`).
#[test]
fn f6_duplicate_option_in_a_set() {
    let mut cat = MemoryCatalogue::with_dhis2_defaults();
    cat.insert("optionSets", obj(json!({"id": "RHqFlB1Wm4d", "name": "Set", "valueType": "TEXT", "options": [{"id": "Uh4HvjK6zg3"}]})));
    cat.insert("options", obj(json!({"id": "Uh4HvjK6zg3", "name": "Laptop", "code": "LAPTOP", "optionSet": {"id": "RHqFlB1Wm4d"}})));
    let r = run(
        &cat,
        &doc(
            r#"{"options": [{"id": "Uh4HvjK6zg4", "name": "Laptop", "code": "LAPTOP2", "optionSet": {"id": "RHqFlB1Wm4d"}}]}"#,
        ),
        &params(),
    );
    assert_eq!(codes(&r), ["E4028"]);
    assert_eq!(
        r.report.error_reports().next().unwrap().message,
        "Option set `RHqFlB1Wm4d` already contains option `Uh4HvjK6zg3`"
    );
}

/// H4 `#testPostProgramStageWithoutProgram`.
#[test]
fn h4_program_stage_without_program() {
    let r = run(
        &MemoryCatalogue::with_dhis2_defaults(),
        &doc(r#"{"programStages":[{"name":"test programStage"}]}"#),
        &params(),
    );
    assert_eq!(r.report.status, Status::Error);
    let first = r.report.type_reports[0]
        .object_reports
        .values()
        .next()
        .unwrap();
    assert_eq!(first.error_reports.len(), 1);
    assert_eq!(first.error_reports[0].error_code, "E4053");
}

/// H5 `testImportMultiPropertyUniqueness` (`favorites/metadata_multi_property_uniqueness.json`).
#[test]
fn h5_program_rule_variables_unique_per_program() {
    let d = doc(
        r#"{"programs": [{"id": "ProgramUid1", "name": "P", "shortName": "P", "programType": "WITHOUT_REGISTRATION"}],
        "programRuleVariables": [{"name": "v", "program": {"id": "ProgramUid1"}}, {"name": "v", "program": {"id": "ProgramUid1"}}]}"#,
    );
    let r = run(&MemoryCatalogue::with_dhis2_defaults(), &d, &params());
    assert_eq!(r.report.count_errors(Some("E5005")), 2);
}

/// H6 `ObjectBundleServiceFavoritesTest#testCreateLegendSets` (`favorites/legends.json`).
#[test]
fn h6_legend_sets_with_embedded_legends() {
    let legends: Vec<Value> = (0..7)
        .map(|i| json!({"id": format!("Legend0000{i}"), "name": format!("L{i}"), "startValue": i * 10, "endValue": i * 10 + 10, "color": "#FFFFFF"}))
        .collect();
    let d =
        json!({"legendSets": [{"id": "fqs276KXCXi", "name": "ANC Coverage", "legends": legends}]});
    let mut cat = MemoryCatalogue::with_dhis2_defaults();
    let r = commit(&mut cat, &doc(&d.to_string()), &params());
    assert_eq!(r.report.status, Status::Ok);
    let set = cat.get("legendSets", "fqs276KXCXi").unwrap();
    assert_eq!(set["name"], "ANC Coverage");
    assert_eq!(set["legends"].as_array().unwrap().len(), 7);
}

/// Translations: a missing locale (`E4000`, class `Translation`) and a repeated property and
/// locale (`E1106`), reported at the object's position among the checked objects.
#[test]
fn translations() {
    let d = doc(
        r#"{"indicatorTypes": [{"id": "kHy61PbChXr", "name": "Number", "factor": 1,
        "translations": [{"property": "NAME", "value": "x"}, {"property": "NAME", "locale": "fr", "value": "a"},
                         {"property": "NAME", "locale": "fr", "value": "b"}]}]}"#,
    );
    let r = run(&MemoryCatalogue::with_dhis2_defaults(), &d, &params());
    assert_eq!(codes(&r), ["E1106", "E4000"]);
    let e = r.report.error_reports().next().unwrap();
    assert_eq!(e.message, "There are duplicate translation records for property `NAME` and locale `fr` on IndicatorType `kHy61PbChXr`");
    assert_eq!(e.main_klass, "org.hisp.dhis.translation.Translation");
}
