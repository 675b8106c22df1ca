//! Bad packages — dangling references, org unit cycles, duplicate codes, values of the wrong
//! type — give DHIS2's errors, and with atomic mode `ALL` change nothing; several documents in
//! one session.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]

mod common;

use common::*;
use dxf2_metadata::catalogue::MemoryCatalogue;
use dxf2_metadata::import::{import, AtomicMode, ImportMode, ImportParams, Session, Status};
use dxf2_metadata::Error;
use serde_json::json;

fn none() -> ImportParams {
    ImportParams {
        atomic_mode: AtomicMode::None,
        ..params()
    }
}

const DANGLING: &str = r#"{
  "dataElements": [
    {"id": "deabcdefghA", "name": "A", "shortName": "A", "valueType": "INTEGER", "domainType": "AGGREGATE",
     "aggregationType": "SUM", "categoryCombo": {"id": "hmqVMxvDKUD"}, "optionSet": {"id": "pQYCiuosBnZ"},
     "legendSets": [{"id": "LgndSet0001"}, {"id": "LgndSet0002"}]},
    {"id": "deabcdefghB", "name": "B", "shortName": "B", "valueType": "INTEGER", "domainType": "AGGREGATE", "aggregationType": "SUM"}],
  "legendSets": [{"id": "LgndSet0001", "name": "L1"}],
  "dataElementGroups": [{"id": "degabcdefgA", "name": "G", "shortName": "G",
     "dataElements": [{"id": "deabcdefghA"}, {"id": "deabcdefghZ"}]}]
}"#;

#[test]
fn dangling_references() {
    let cat = MemoryCatalogue::with_dhis2_defaults();
    let r = run(&cat, &doc(DANGLING), &params());
    assert_eq!(r.report.status, Status::Error);
    assert_eq!(codes(&r), ["E5002", "E5002", "E5002", "E5002"]);
    let messages: Vec<&str> = r
        .report
        .error_reports()
        .map(|e| e.message.as_str())
        .collect();
    assert!(messages.contains(&"Invalid reference [hmqVMxvDKUD] (CategoryCombo) on object A [deabcdefghA] (DataElement) for association `categoryCombo`"));
    assert!(messages.contains(&"Invalid reference [LgndSet0002] (LegendSet) on object A [deabcdefghA] (DataElement) for association `legendSet`"));
    assert!(messages.contains(&"Invalid reference [deabcdefghZ] (DataElement) on object G [degabcdefgA] (DataElementGroup) for association `dataElement`"));
    // 2 data elements + 1 for their reference errors, 1 legend set, 1 group + 1.
    assert_eq!(stats(&r), (0, 0, 0, 6, 6));
    assert!(r.changes.is_empty());

    // Atomic mode NONE: the objects are imported without what their references missed; a
    // missing combo becomes the default one.
    let r = run(&cat, &doc(DANGLING), &none());
    assert_eq!(r.report.status, Status::Warning);
    assert_eq!(stats(&r), (4, 0, 0, 0, 4));
    let a = r
        .changes
        .of("dataElements")
        .unwrap()
        .created
        .iter()
        .find(|o| o["id"] == "deabcdefghA")
        .unwrap()
        .clone();
    assert_eq!(a["categoryCombo"]["id"], "bjDvmb4bfuf");
    assert!(a.get("optionSet").is_none());
    assert_eq!(a["legendSets"], json!([{"id": "LgndSet0001"}]));
    let g = &r.changes.of("dataElementGroups").unwrap().created[0];
    assert_eq!(g["dataElements"], json!([{"id": "deabcdefghA"}]));
}

#[test]
fn org_unit_cycles_are_refused_naming_the_units() {
    let cat = MemoryCatalogue::with_dhis2_defaults();
    let d = doc(r#"{"organisationUnits": [
        {"id": "OrgUnitAaaa", "name": "A", "shortName": "A", "openingDate": "2020-01-01", "parent": {"id": "OrgUnitBbbb"}},
        {"id": "OrgUnitBbbb", "name": "B", "shortName": "B", "openingDate": "2020-01-01", "parent": {"id": "OrgUnitCccc"}},
        {"id": "OrgUnitCccc", "name": "C", "shortName": "C", "openingDate": "2020-01-01", "parent": {"id": "OrgUnitAaaa"}}]}"#);
    let e = import(&cat, &d, &params()).unwrap_err();
    match &e {
        Error::Hierarchy(dxf2_model::metadata::HierarchyError::Cycle { units }) => {
            let names: Vec<&str> = units.iter().map(|u| u.as_str()).collect();
            assert_eq!(names, ["OrgUnitAaaa", "OrgUnitBbbb", "OrgUnitCccc"]);
        }
        other => panic!("{other:?}"),
    }
    assert!(e.to_string().contains("OrgUnitAaaa"), "{e}");

    // A cycle through the target: B is stored under A; A is moved under B.
    let mut cat = MemoryCatalogue::with_dhis2_defaults();
    cat.insert("organisationUnits", obj(json!({"id": "OrgUnitAaaa", "name": "A", "shortName": "A", "openingDate": "2020-01-01", "path": "/OrgUnitAaaa"})));
    cat.insert(
        "organisationUnits",
        obj(
            json!({"id": "OrgUnitBbbb", "name": "B", "shortName": "B", "openingDate": "2020-01-01",
        "parent": {"id": "OrgUnitAaaa"}, "path": "/OrgUnitAaaa/OrgUnitBbbb"}),
        ),
    );
    let d = doc(
        r#"{"organisationUnits": [{"id": "OrgUnitAaaa", "name": "A", "shortName": "A", "openingDate": "2020-01-01", "parent": {"id": "OrgUnitBbbb"}}]}"#,
    );
    assert!(matches!(
        import(&cat, &d, &params()),
        Err(Error::Hierarchy(_))
    ));
    // A unit that is its own parent.
    let d = doc(
        r#"{"organisationUnits": [{"id": "OrgUnitAaaa", "name": "A", "shortName": "A", "openingDate": "2020-01-01", "parent": {"id": "OrgUnitAaaa"}}]}"#,
    );
    assert!(matches!(
        import(&cat, &d, &params()),
        Err(Error::Hierarchy(_))
    ));
}

#[test]
fn duplicate_codes_and_names_against_the_target() {
    let mut cat = MemoryCatalogue::with_dhis2_defaults();
    cat.insert(
        "indicatorTypes",
        obj(json!({"id": "kHy61PbChXr", "name": "Percent", "code": "PCT", "factor": 100})),
    );
    let d = doc(
        r#"{"indicatorTypes": [{"id": "aHy61PbChXr", "name": "Percent", "code": "PCT", "factor": 100}]}"#,
    );
    let r = run(&cat, &d, &params());
    assert_eq!(codes(&r), ["E5003", "E5003"]);
    assert_eq!(stats(&r), (0, 0, 0, 1, 1));
    assert!(r.changes.is_empty());
    let e = r.report.error_reports().next().unwrap();
    assert_eq!(e.message, "Property `code` with value `PCT` on object Percent [aHy61PbChXr] (IndicatorType) already exists on object kHy61PbChXr");
}

#[test]
fn wrong_types_fail_the_whole_import() {
    let cat = MemoryCatalogue::with_dhis2_defaults();
    for (payload, field, words) in [
        (
            r#"{"dataElements": [{"name": "A", "valueType": "NUMBERX"}]}"#,
            "valueType",
            "NUMBERX",
        ),
        (
            r#"{"dataElements": [{"name": "A", "categoryCombo": "bjDvmb4bfuf"}]}"#,
            "categoryCombo",
            "reference must be an object",
        ),
        (
            r#"{"organisationUnits": [{"name": "A", "openingDate": "31/12/2020"}]}"#,
            "openingDate",
            "Invalid date format '31/12/2020'",
        ),
        (
            r#"{"dataSets": [{"name": "A", "organisationUnits": {"id": "x"}}]}"#,
            "organisationUnits",
            "array",
        ),
        (
            r#"{"categories": [{"name": "A", "dataDimension": "maybe"}]}"#,
            "dataDimension",
            "boolean",
        ),
    ] {
        let e = import(&cat, &doc(payload), &params()).unwrap_err();
        match &e {
            Error::Value { location, message } => {
                assert_eq!(location.field, field);
                assert_eq!(location.index, 0);
                assert!(message.contains(words), "{message}");
            }
            other => panic!("{other:?}"),
        }
    }
}

#[test]
fn invalid_uids_and_unknown_period_types() {
    let cat = MemoryCatalogue::with_dhis2_defaults();
    let r = run(
        &cat,
        &doc(
            r#"{"indicatorTypes": [{"id": "1bad", "name": "X", "factor": 1}],
        "dataSets": [{"id": "DsUid000001", "name": "D", "shortName": "D", "periodType": "TwoYearly"}]}"#,
        ),
        &none(),
    );
    assert_eq!(codes(&r), ["E4014", "E4000"]);
    let e4014 = r.report.error_reports().next().unwrap();
    assert_eq!(
        e4014.message,
        "Invalid UID `1bad` for property `IndicatorType`"
    );
    assert_eq!(r.report.status, Status::Warning);
    assert!(r.changes.is_empty());
}

#[test]
fn atomic_all_changes_nothing_in_any_document_of_a_session() {
    let mut cat = MemoryCatalogue::with_dhis2_defaults();
    cat.insert(
        "dataElements",
        obj(json!({"id": "deabcdefghA", "name": "A", "shortName": "A"})),
    );
    let before = cat.clone();
    let mut session = Session::new(&cat, params());
    let first = session
        .import(&doc(
            r#"{"indicatorTypes": [{"id": "kHy61PbChXr", "name": "Percent", "factor": 100}]}"#,
        ))
        .unwrap();
    assert_eq!(first.status, Status::Ok);
    let second = session.import(&doc(DANGLING)).unwrap();
    assert_eq!(second.status, Status::Error);
    let result = session.finish();
    assert_eq!(result.report.status, Status::Error);
    assert_eq!(result.report.stats.created, 1);
    assert!(
        result.changes.is_empty(),
        "the documents are one transaction"
    );
    cat.apply(&result.changes);
    assert_eq!(cat, before);
}

#[test]
fn later_documents_see_earlier_ones() {
    let mut cat = MemoryCatalogue::with_dhis2_defaults();
    let mut session = Session::new(&cat, params());
    session
        .import(&doc(
            r#"{"optionSets": [{"id": "pQYCiuosBnZ", "name": "Yes/No", "valueType": "TEXT"}]}"#,
        ))
        .unwrap();
    let second = session
        .import(&doc(r#"{"dataElements": [{"id": "deabcdefghA", "name": "A", "shortName": "A", "valueType": "TEXT",
            "domainType": "AGGREGATE", "aggregationType": "NONE", "optionSet": {"id": "pQYCiuosBnZ"}}],
            "optionSets": [{"id": "pQYCiuosBnZ", "name": "Yes or no", "valueType": "TEXT"}]}"#))
        .unwrap();
    assert_eq!(second.status, Status::Ok);
    assert_eq!((second.stats.created, second.stats.updated), (1, 1));
    let result = session.finish();
    assert_eq!(
        (result.report.stats.created, result.report.stats.updated),
        (2, 1)
    );
    let sets = result.changes.of("optionSets").unwrap();
    assert_eq!(
        (sets.created.len(), sets.updated.len()),
        (1, 0),
        "created then updated: one create"
    );
    assert_eq!(sets.created[0]["name"], "Yes or no");
    cat.apply(&result.changes);
    assert_eq!(cat.count("dataElements"), 1);

    // VALIDATE: the same reports, no changes.
    let mut session = Session::new(
        &cat,
        ImportParams {
            import_mode: ImportMode::Validate,
            ..params()
        },
    );
    session
        .import(&doc(
            r#"{"indicatorTypes": [{"id": "kHy61PbChXr", "name": "Percent", "factor": 100}]}"#,
        ))
        .unwrap();
    let r = session.finish();
    assert_eq!(r.report.stats.created, 1);
    assert!(r.changes.is_empty());
}

#[test]
fn skipped_and_ignored_keys_are_reported_and_kept() {
    let cat = MemoryCatalogue::with_dhis2_defaults();
    let d = doc(r#"{"package": {"name": "x"}, "legends": [{"id": "a"}],
        "validationRules": [{"id": "Rv0j1oszqz0", "name": "VR"}], "dashboards": [{"id": "Dashboard01"}]}"#);
    let r = run(&cat, &d, &params());
    assert_eq!(r.report.status, Status::Ok);
    let skipped: Vec<(&str, usize)> = r
        .skipped
        .iter()
        .map(|s| (s.key.as_str(), s.objects))
        .collect();
    assert_eq!(skipped, [("validationRules", 1), ("dashboards", 1)]);
    assert_eq!(r.ignored, ["legends"]);
    assert_eq!(r.changes.unmodelled.len(), 2);
}
