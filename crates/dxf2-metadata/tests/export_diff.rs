//! Export (everything, chosen types, with dependencies; skipSharing; defaults excluded) and the
//! diff before an import.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]

mod common;

use common::*;
use dxf2_metadata::catalogue::MemoryCatalogue;
use dxf2_metadata::diff::diff;
use dxf2_metadata::export::{expected_option_combos, export, with_dependencies, ExportParams};
use dxf2_metadata::import::{Identifier, ImportParams, ImportStrategy, Status};
use dxf2_metadata::Document;
use serde_json::json;

/// The C16 model plus a section, an indicator and a data element group, imported.
fn target() -> MemoryCatalogue {
    let mut cat = MemoryCatalogue::with_dhis2_defaults();
    let d = json!({
        "attributes": [{"id": "AttrUid0001", "name": "Source", "valueType": "TEXT", "dataElementAttribute": true}],
        "organisationUnits": [{"id": "OrgUnitUid1", "name": "test org 1", "shortName": "test org 1", "openingDate": "2023-06-15"}],
        "optionSets": [{"id": "OptSetUid01", "name": "Yes/No", "valueType": "TEXT", "options": [{"id": "OptionUid01"}, {"id": "OptionUid02"}]}],
        "options": [{"id": "OptionUid01", "name": "Yes", "code": "Y", "optionSet": {"id": "OptSetUid01"}},
                    {"id": "OptionUid02", "name": "No", "code": "N", "optionSet": {"id": "OptSetUid01"}}],
        "categoryOptions": [{"id": "CatOptUid01", "name": "cat opt 1", "shortName": "cat opt 1"},
                            {"id": "CatOptUid02", "name": "cat opt 2", "shortName": "cat opt 2"}],
        "categories": [{"id": "CategoUid01", "name": "cat 1", "shortName": "cat 1", "dataDimensionType": "DISAGGREGATION",
                        "categoryOptions": [{"id": "CatOptUid01"}, {"id": "CatOptUid02"}]}],
        "categoryCombos": [{"id": "CatComUid01", "name": "cat combo 1", "dataDimensionType": "DISAGGREGATION", "categories": [{"id": "CategoUid01"}]}],
        "dataElements": [
            {"id": "DeUid000001", "name": "de 1", "shortName": "de 1", "valueType": "TEXT", "domainType": "AGGREGATE", "aggregationType": "NONE",
             "categoryCombo": {"id": "CatComUid01"}, "optionSet": {"id": "OptSetUid01"},
             "attributeValues": [{"attribute": {"id": "AttrUid0001"}, "value": "WHO"}],
             "sharing": {"public": "rw------", "users": {}, "userGroups": {}}},
            {"id": "DeUid000002", "name": "de 2", "shortName": "de 2", "valueType": "NUMBER", "domainType": "AGGREGATE", "aggregationType": "SUM"}],
        "dataElementGroups": [{"id": "DegUid00001", "name": "group", "shortName": "group", "dataElements": [{"id": "DeUid000002"}]}],
        "indicatorTypes": [{"id": "IndTypUid01", "name": "Number", "factor": 1}],
        "indicators": [{"id": "IndUid00001", "name": "ind", "shortName": "ind", "indicatorType": {"id": "IndTypUid01"},
                        "numerator": "#{DeUid000002}", "denominator": "1"}],
        "dataSets": [{"id": "DsUid000001", "name": "MyDS1", "shortName": "DS1", "periodType": "Monthly",
                      "dataSetElements": [{"dataElement": {"id": "DeUid000001"}}],
                      "indicators": [{"id": "IndUid00001"}], "organisationUnits": [{"id": "OrgUnitUid1"}]}],
        "sections": [{"id": "SectUid0001", "name": "S", "dataSet": {"id": "DsUid000001"}, "dataElements": [{"id": "DeUid000001"}]}]
    });
    let r = commit(
        &mut cat,
        &doc(&d.to_string()),
        &ImportParams {
            generate_option_combos: true,
            ..params()
        },
    );
    assert_eq!(r.report.status, Status::Ok, "{:?}", codes(&r));
    cat
}

fn keys(d: &Document) -> Vec<&str> {
    d.types.iter().map(|(k, _)| k.as_str()).collect()
}

#[test]
fn data_set_with_dependencies() {
    let cat = target();
    let d = with_dependencies(&cat, "dataSets", "DsUid000001", &ExportParams::default()).unwrap();
    assert_eq!(
        keys(&d),
        [
            "attributes",
            "options",
            "optionSets",
            "categoryOptions",
            "categories",
            "categoryCombos",
            "categoryOptionCombos",
            "dataElements",
            "indicatorTypes",
            "indicators",
            "dataSets",
            "sections"
        ]
    );
    assert_eq!(
        d.objects("categoryOptionCombos").len(),
        3,
        "the combo's two and the default"
    );
    assert_eq!(
        d.objects("dataElements").len(),
        1,
        "data elements of the group are not collected"
    );
    assert!(d.objects("organisationUnits").is_empty());

    // As in DHIS2, the data set's org units are not collected: a target must have them.
    let mut empty = MemoryCatalogue::with_dhis2_defaults();
    let r = run(&empty, &d, &params());
    assert_eq!(codes(&r), ["E5002"]);
    assert!(r
        .report
        .error_reports()
        .next()
        .unwrap()
        .message
        .contains("[OrgUnitUid1] (OrganisationUnit)"));
    empty.insert(
        "organisationUnits",
        cat.get("organisationUnits", "OrgUnitUid1").unwrap().clone(),
    );
    let r = commit(&mut empty, &d, &params());
    assert_eq!(r.report.status, Status::Ok, "{:?}", codes(&r));

    let excluded = with_dependencies(
        &cat,
        "dataSets",
        "DsUid000001",
        &ExportParams {
            exclude_defaults: true,
            skip_sharing: true,
            ..ExportParams::default()
        },
    )
    .unwrap();
    assert_eq!(excluded.objects("categoryOptionCombos").len(), 2);
    assert!(excluded.objects("dataSets")[0]
        .get("categoryCombo")
        .is_none());
    assert!(excluded.objects("dataElements")[0].get("sharing").is_none());
}

#[test]
fn other_roots() {
    let cat = target();
    let p = ExportParams::default();
    let combo = with_dependencies(&cat, "categoryCombos", "CatComUid01", &p).unwrap();
    assert_eq!(
        keys(&combo),
        [
            "categoryOptions",
            "categories",
            "categoryCombos",
            "categoryOptionCombos"
        ]
    );
    let group = with_dependencies(&cat, "dataElementGroups", "DegUid00001", &p).unwrap();
    assert_eq!(
        keys(&group),
        [
            "categoryOptions",
            "categories",
            "categoryCombos",
            "categoryOptionCombos",
            "dataElements",
            "dataElementGroups"
        ]
    );
    let set = with_dependencies(&cat, "optionSets", "OptSetUid01", &p).unwrap();
    assert_eq!(
        (
            set.objects("options").len(),
            set.objects("optionSets").len()
        ),
        (2, 1)
    );
    assert!(with_dependencies(&cat, "dataSets", "NoSuchUid01", &p)
        .unwrap()
        .is_empty());
    assert_eq!(
        expected_option_combos(&cat, "CatComUid01").unwrap(),
        [
            vec!["CatOptUid01".to_owned()],
            vec!["CatOptUid02".to_owned()]
        ]
    );
}

#[test]
fn everything_or_chosen_types() {
    let cat = target();
    let all = export(
        &cat,
        &ExportParams {
            system: Some(obj(json!({"version": "2.42"}))),
            ..ExportParams::default()
        },
    )
    .unwrap();
    assert_eq!(all.len(), cat.len());
    assert_eq!(all.system.as_ref().unwrap()["version"], "2.42");
    let some = export(
        &cat,
        &ExportParams {
            types: vec!["indicators".into(), "dataElements".into()],
            ..ExportParams::default()
        },
    )
    .unwrap();
    assert_eq!(keys(&some), ["dataElements", "indicators"]);

    // Round trip: everything exported and imported into an empty target gives the same objects.
    let mut again = MemoryCatalogue::with_dhis2_defaults();
    let r = commit(&mut again, &all, &params());
    assert_eq!(r.report.status, Status::Ok);
    assert_eq!(again, cat);
}

#[test]
fn diff_lists_creates_updates_deletes_and_collisions() {
    let cat = target();
    let d = doc(r#"{"dataElements": [
        {"id": "DeUid000002", "name": "de 2 renamed", "shortName": "de 2", "valueType": "NUMBER", "domainType": "AGGREGATE", "aggregationType": "SUM"},
        {"id": "DeUid000003", "name": "de 1", "shortName": "de 3", "valueType": "NUMBER", "domainType": "AGGREGATE", "aggregationType": "SUM"},
        {"id": "DeUid000004", "name": "de 4", "shortName": "de 4", "valueType": "NUMBER", "domainType": "AGGREGATE", "aggregationType": "SUM"}]}"#);
    let result = diff(&cat, &d, &params()).unwrap();
    let t = &result.types[0];
    assert_eq!(t.key, "dataElements");
    assert_eq!(
        t.created.iter().map(|n| n.uid.as_str()).collect::<Vec<_>>(),
        ["DeUid000004"]
    );
    assert_eq!(t.updated.len(), 1);
    let fields: Vec<&str> = t.updated[0]
        .fields
        .iter()
        .map(|f| f.field.as_str())
        .collect();
    assert_eq!(
        fields,
        ["name"],
        "a missing combo is the default one, as stored"
    );
    assert_eq!(t.collisions.len(), 1);
    assert_eq!(
        (
            t.collisions[0].uid.as_str(),
            t.collisions[0].property.as_str(),
            t.collisions[0].stored_uid.as_str()
        ),
        ("DeUid000003", "name", "DeUid000001")
    );
    assert_eq!(result.report.count_errors(Some("E5003")), 1);

    let delete = diff(
        &cat,
        &doc(r#"{"indicators": [{"id": "IndUid00001"}]}"#),
        &ImportParams {
            import_strategy: ImportStrategy::Delete,
            ..params()
        },
    )
    .unwrap();
    assert_eq!(delete.types[0].deleted[0].name.as_deref(), Some("ind"));

    let by_code = diff(
        &cat,
        &doc(r#"{"options": [{"code": "Y", "name": "Yes!", "optionSet": {"code": "nope"}}]}"#),
        &ImportParams {
            identifier: Identifier::Code,
            ..params()
        },
    )
    .unwrap();
    let u = &by_code.types[0].updated[0];
    assert_eq!(u.uid, "OptionUid01", "matched by code");
    let fields: Vec<&str> = u.fields.iter().map(|f| f.field.as_str()).collect();
    assert_eq!(
        fields,
        ["name", "optionSet"],
        "the option set reference does not resolve: it is left out"
    );
    assert_eq!(by_code.report.count_errors(Some("E5002")), 1);
}
