//! DHIS2's bundle scenarios (metadata-scenarios.md, section A): identifiers, strategies,
//! duplicates, defaults. Each test names the DHIS2 test and file it reproduces; the payloads are
//! ours, written to teach what those files teach.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]

mod common;

use common::*;
use dxf2_metadata::catalogue::{Catalogue, MemoryCatalogue};
use dxf2_metadata::import::{
    AtomicMode, Identifier, ImportMode, ImportReportMode, ImportStrategy, Status,
};
use serde_json::json;

/// As `dxf2/de_validate2.json`: #1 lacks `valueType` and `domainType`, #2 lacks `valueType`,
/// #3 names a missing option set; all name a missing `user`.
const DE_VALIDATE2: &str = r#"{"dataElements": [
  {"id": "uf3svrmp8Oj", "name": "Birth certificate", "shortName": "Birth certificate",
   "aggregationType": "SUM", "user": {"id": "GOLswS44mh8"}, "lastUpdatedBy": {"id": "GOLswS44mh8"},
   "sharing": {"public": "rw------", "owner": "GOLswS44mh8", "users": {}, "userGroups": {}}},
  {"id": "ulD2zW0TIy2", "name": "Documentation", "shortName": "Documentation",
   "aggregationType": "SUM", "domainType": "TRACKER", "user": {"id": "GOLswS44mh8"}},
  {"id": "cNkTt6mJQyO", "name": "Yebo", "shortName": "Yebo", "code": "Yebo", "valueType": "NUMBER",
   "aggregationType": "SUM", "domainType": "TRACKER", "optionSet": {"id": "pQYCiuosBnZ"},
   "user": {"id": "GOLswS44mh8"}, "createdBy": {"id": "GOLswS44mh8"}}
]}"#;

fn validate(strategy: ImportStrategy) -> dxf2_metadata::import::ImportParams {
    dxf2_metadata::import::ImportParams {
        import_mode: ImportMode::Validate,
        import_strategy: strategy,
        ..params()
    }
}

/// A4 `ObjectBundleServiceTest#testCreatePreheatValidationsInvalidObjects`.
#[test]
fn a4_required_properties_and_one_dangling_reference() {
    let cat = MemoryCatalogue::with_dhis2_defaults();
    let r = run(&cat, &doc(DE_VALIDATE2), &validate(ImportStrategy::Create));
    let de = r.report.type_report("dataElements").unwrap();
    assert_eq!(
        de.error_reports()
            .filter(|e| e.error_code == "E5002")
            .count(),
        1
    );
    assert_eq!(
        de.error_reports()
            .filter(|e| e.error_code == "E4000")
            .count(),
        3
    );
    let e5002 = de
        .error_reports()
        .find(|e| e.error_code == "E5002")
        .unwrap();
    assert_eq!(
        e5002.message,
        "Invalid reference [pQYCiuosBnZ] (OptionSet) on object Yebo [cNkTt6mJQyO] (DataElement) for association `optionSet`"
    );
    assert_eq!(e5002.error_property.as_deref(), Some("optionSet"));
    assert_eq!(e5002.main_id.as_deref(), Some("cNkTt6mJQyO"));
    assert_eq!(e5002.error_klass, None);
    let e4000 = de
        .error_reports()
        .find(|e| e.error_code == "E4000")
        .unwrap();
    assert_eq!(e4000.message, "Missing required property `valueType`");
    assert_eq!(
        e4000.error_klass.as_deref(),
        Some("org.hisp.dhis.common.ValueType")
    );
    assert!(r.changes.is_empty(), "VALIDATE changes nothing");
}

/// A5 `#testUpdatePreheatValidationsInvalidObjects`, A9 `#testDeleteRequiresValidReferencesUID`.
#[test]
fn a5_a9_update_and_delete_of_missing_objects() {
    let cat = MemoryCatalogue::with_dhis2_defaults();
    let r = run(&cat, &doc(DE_VALIDATE2), &validate(ImportStrategy::Update));
    assert_eq!(r.report.count_errors(Some("E5001")), 3);
    let e = r
        .report
        .error_reports()
        .find(|e| e.error_code == "E5001")
        .unwrap();
    assert_eq!(
        e.message,
        "No matching object for reference. Identifier was UID, and object was Birth certificate [uf3svrmp8Oj] (DataElement)."
    );
    assert_eq!(e.error_property.as_deref(), Some("id"));

    // de_validate4.json: id-only objects.
    let ids =
        doc(r#"{"dataElements": [{"id": "InvalidA"}, {"id": "InvalidB"}, {"id": "InvalidC"}]}"#);
    let r = run(&cat, &ids, &validate(ImportStrategy::Update));
    assert_eq!(
        r.report
            .type_report("dataElements")
            .unwrap()
            .object_reports
            .len(),
        3
    );
    let r = run(&cat, &ids, &validate(ImportStrategy::Delete));
    assert_eq!(r.report.count_errors(Some("E5001")), 3);
}

/// A8/A10: the same by code (`de_validate5.json`).
#[test]
fn a8_a10_code_identifier() {
    let cat = MemoryCatalogue::with_dhis2_defaults();
    let codes = doc(
        r#"{"dataElements": [{"code": "InvalidA"}, {"code": "InvalidB"}, {"code": "InvalidC"}]}"#,
    );
    let mut p = validate(ImportStrategy::Update);
    p.identifier = Identifier::Code;
    assert_eq!(run(&cat, &codes, &p).report.count_errors(Some("E5001")), 3);
    p.import_strategy = ImportStrategy::Delete;
    let r = run(&cat, &codes, &p);
    assert_eq!(r.report.count_errors(Some("E5001")), 3);
    assert!(r
        .report
        .error_reports()
        .next()
        .unwrap()
        .message
        .contains("Identifier was CODE, and object was [InvalidA] (DataElement)"));
}

/// A7 `#testUpdateWithPersistedObjectsRequiresValidReferencesUID`: id-only updates are complete
/// objects to DHIS2, so they fail the schema check; the new one fails `E5001`. Nothing is left.
#[test]
fn a7_id_only_updates_fail_the_schema_check() {
    let cat = default_setup();
    let d = doc(
        r#"{"dataElements": [{"id": "deabcdefghA"}, {"id": "deabcdefghB"}, {"id": "InvalidA"}]}"#,
    );
    let p = dxf2_metadata::import::ImportParams {
        atomic_mode: AtomicMode::None,
        ..validate(ImportStrategy::Update)
    };
    let r = run(&cat, &d, &p);
    assert_eq!(r.report.count_errors(Some("E5001")), 1);
    assert!(r.report.count_errors(Some("E4000")) > 0);
    assert_eq!(r.report.stats.updated, 0);
}

/// A11/A12 `#testSimpleDataElementDeleteUID` / `…CODE`.
#[test]
fn a11_a12_delete_by_uid_and_by_code() {
    let mut cat = default_setup();
    let p = dxf2_metadata::import::ImportParams {
        import_strategy: ImportStrategy::Delete,
        ..params()
    };
    let r = commit(
        &mut cat,
        &doc(
            r#"{"dataElements": [{"id": "deabcdefghA"}, {"id": "deabcdefghC"}, {"id": "deabcdefghD"}]}"#,
        ),
        &p,
    );
    assert_eq!(r.report.status, Status::Ok);
    assert_eq!(stats(&r), (0, 0, 3, 0, 3));
    assert_eq!(cat.count("dataElements"), 1);
    assert!(cat.get("dataElements", "deabcdefghB").is_some());

    let mut cat = default_setup();
    let p = dxf2_metadata::import::ImportParams {
        identifier: Identifier::Code,
        ..p
    };
    commit(
        &mut cat,
        &doc(
            r#"{"dataElements": [{"code": "DataElementCodeB"}, {"code": "DataElementCodeC"}, {"code": "DataElementCodeA"}]}"#,
        ),
        &p,
    );
    assert_eq!(cat.count("dataElements"), 1);
    assert!(cat.get("dataElements", "deabcdefghD").is_some());
}

fn de(id: &str, l: &str, ug: bool) -> serde_json::Value {
    let mut sharing = json!({"public": "--------", "users": {}, "userGroups": {}});
    if ug {
        sharing["userGroups"] = json!({"ugabcdefghA": {"id": "ugabcdefghA", "access": "r-------"}});
    }
    json!({"id": id, "code": format!("DEC{l}"), "name": format!("DE{l}"), "shortName": format!("DES{l}"),
           "description": format!("DED{l}"), "aggregationType": "SUM", "domainType": "AGGREGATE",
           "valueType": "INTEGER", "sharing": sharing})
}

/// A16 `#testUpdateDataElementsUID` (`de_update1.json`), A18/A19 create-and-update.
#[test]
fn a16_a19_updates_replace_objects_codes_included() {
    let mut cat = default_setup();
    let d = json!({"dataElements": [de("deabcdefghA", "A", true), de("deabcdefghB", "B", false),
                                    de("deabcdefghC", "C", true), de("deabcdefghD", "D", false)]});
    let p = dxf2_metadata::import::ImportParams {
        import_strategy: ImportStrategy::Update,
        ..params()
    };
    let r = commit(&mut cat, &doc(&d.to_string()), &p);
    assert_eq!(r.report.status, Status::Ok);
    assert_eq!(stats(&r), (0, 4, 0, 0, 4));
    for (l, groups) in [("A", 1), ("B", 0), ("C", 1), ("D", 0)] {
        let o = cat.get("dataElements", &format!("deabcdefgh{l}")).unwrap();
        assert_eq!(o["name"], format!("DE{l}"));
        assert_eq!(o["code"], format!("DEC{l}"));
        assert_eq!(o["shortName"], format!("DES{l}"));
        assert_eq!(o["description"], format!("DED{l}"));
        assert_eq!(
            o["sharing"]["userGroups"].as_object().unwrap().len(),
            groups
        );
        assert_eq!(o["categoryCombo"]["id"], "bjDvmb4bfuf");
    }

    // A19: A–D again and a new E, CREATE_AND_UPDATE.
    let d = json!({"dataElements": [de("deabcdefghA", "A", true), de("deabcdefghB", "B", false),
                                    de("deabcdefghC", "C", true), de("deabcdefghD", "D", false),
                                    de("deabcdefghE", "E", false)]});
    let r = commit(&mut cat, &doc(&d.to_string()), &params());
    assert_eq!(stats(&r), (1, 4, 0, 0, 5));
    assert_eq!(
        cat.get("dataElements", "deabcdefghE").unwrap()["code"],
        "DECE"
    );
}

/// A17 `#testUpdateDataElementsCODE`: by code, the code stays and the UID is kept.
#[test]
fn a17_update_by_code_keeps_uids() {
    let mut cat = default_setup();
    let mut list = Vec::new();
    for l in ["A", "B", "C", "D"] {
        let mut o = de("xxxxxxxxxxx", l, l == "A" || l == "C");
        o.as_object_mut().unwrap().remove("id");
        o["code"] = json!(format!("DataElementCode{l}"));
        list.push(o);
    }
    let p = dxf2_metadata::import::ImportParams {
        import_strategy: ImportStrategy::Update,
        identifier: Identifier::Code,
        ..params()
    };
    let r = commit(
        &mut cat,
        &doc(&json!({"dataElements": list}).to_string()),
        &p,
    );
    assert_eq!(stats(&r), (0, 4, 0, 0, 4));
    let a = cat.get("dataElements", "deabcdefghA").unwrap();
    assert_eq!(a["name"], "DEA");
    assert_eq!(a["code"], "DataElementCodeA");
    assert_eq!(cat.count("dataElements"), 4);
}

/// As `dxf2/de_duplicate_code.json`: two data elements with one code.
const DUPLICATE_CODE: &str = r#"{"dataElements": [
  {"id": "SG4HuKlNEFH", "code": "DataElementCodeA", "name": "DataElementA", "shortName": "DataElementShortA",
   "valueType": "TEXT", "aggregationType": "SUM", "domainType": "AGGREGATE"},
  {"id": "CCwk5Yx440o", "code": "DataElementCodeA", "name": "DataElementB", "shortName": "DataElementShortB",
   "valueType": "TEXT", "aggregationType": "SUM", "domainType": "AGGREGATE"}]}"#;

/// As `dxf2/de_duplicate_uid.json`: two data elements with one UID, `DataElementB` first.
const DUPLICATE_UID: &str = r#"{"dataElements": [
  {"id": "CCwk5Yx440o", "code": "DataElementCodeB", "name": "DataElementB", "shortName": "DataElementShortB",
   "valueType": "TEXT", "aggregationType": "SUM", "domainType": "AGGREGATE"},
  {"id": "CCwk5Yx440o", "code": "DataElementCodeA", "name": "DataElementA", "shortName": "DataElementShortA",
   "valueType": "TEXT", "aggregationType": "SUM", "domainType": "AGGREGATE"}]}"#;

/// A20 `#testCreateMetadataWithDuplicateDataElementCode`.
#[test]
fn a20_duplicate_code_first_wins_with_atomic_none() {
    let mut cat = MemoryCatalogue::with_dhis2_defaults();
    let p = dxf2_metadata::import::ImportParams {
        atomic_mode: AtomicMode::None,
        ..params()
    };
    let r = commit(&mut cat, &doc(DUPLICATE_CODE), &p);
    assert_eq!(r.report.status, Status::Warning);
    assert_eq!(codes(&r), ["E5003"]);
    let e = r.report.error_reports().next().unwrap();
    assert_eq!(
        e.message,
        "Property `code` with value `DataElementCodeA` on object DataElementB [CCwk5Yx440o] (DataElement) already exists on object SG4HuKlNEFH"
    );
    assert_eq!(e.main_id.as_deref(), Some("SG4HuKlNEFH"));
    assert_eq!(stats(&r), (1, 0, 0, 1, 2));
    assert_eq!(cat.count("dataElements"), 1);
    let uid = cat
        .find("dataElements", "code", &json!("DataElementCodeA"))
        .unwrap()
        .unwrap();
    assert_eq!(uid, "SG4HuKlNEFH");
    assert_eq!(
        cat.get("dataElements", &uid).unwrap()["name"],
        "DataElementA"
    );
}

/// A21/A22 `#testCreateMetadataWithDuplicateDataElementUid` (`…ALL`).
#[test]
fn a21_a22_duplicate_uid() {
    let mut cat = MemoryCatalogue::with_dhis2_defaults();
    let none = dxf2_metadata::import::ImportParams {
        atomic_mode: AtomicMode::None,
        ..params()
    };
    let r = commit(&mut cat, &doc(DUPLICATE_UID), &none);
    let e = r.report.error_reports().next().unwrap();
    assert_eq!(e.error_code, "E5004");
    assert_eq!(
        e.message,
        "Id `CCwk5Yx440o` for type `class org.hisp.dhis.dataelement.DataElement` exists on more than 1 object in the payload, removing all but the first found"
    );
    assert_eq!(
        e.error_properties,
        vec![
            json!("CCwk5Yx440o"),
            json!("org.hisp.dhis.dataelement.DataElement")
        ]
    );
    assert_eq!(cat.count("dataElements"), 1);
    assert_eq!(
        cat.get("dataElements", "CCwk5Yx440o").unwrap()["name"],
        "DataElementB"
    );

    let mut cat = MemoryCatalogue::with_dhis2_defaults();
    let r = commit(&mut cat, &doc(DUPLICATE_UID), &params());
    assert_eq!(r.report.status, Status::Error);
    assert_eq!(stats(&r), (0, 0, 0, 2, 2));
    assert_eq!(cat.count("dataElements"), 0);
}

/// A24 `#testInvalidDefaults` (`defaults_invalid.json`): a reference to the default combo is
/// valid, three to a missing combo are not.
#[test]
fn a24_default_references_are_always_valid() {
    let cat = default_setup();
    let mut list = Vec::new();
    for (l, combo) in [
        ("A", "bjDvmb4bfuf"),
        ("B", "hmqVMxvDKUD"),
        ("C", "hmqVMxvDKUD"),
        ("D", "hmqVMxvDKUD"),
    ] {
        let mut o = de(&format!("deabcdefgh{l}"), l, l == "A");
        o["categoryCombo"] = json!({"id": combo});
        list.push(o);
    }
    let p = dxf2_metadata::import::ImportParams {
        import_strategy: ImportStrategy::Update,
        ..params()
    };
    let r = run(&cat, &doc(&json!({"dataElements": list}).to_string()), &p);
    assert_eq!(codes(&r), ["E5002", "E5002", "E5002"]);
    // Three objects with reference errors: one `ignored` for the type, four updates ignored.
    assert_eq!(stats(&r), (0, 0, 0, 5, 5));
}

/// A25 `#testSetDefaultCategoryCombo` (`de_no_cc.json`), A3 (defaults found by name).
#[test]
fn a25_a3_missing_combo_gets_the_default_found_by_name() {
    let d = doc(
        r#"{"dataElements": [{"name": "CCCC", "shortName": "CCCC", "aggregationType": "SUM",
        "valueType": "NUMBER", "domainType": "AGGREGATE", "translations": [], "userGroupAccesses": []}]}"#,
    );
    let mut cat = MemoryCatalogue::with_dhis2_defaults();
    let r = commit(
        &mut cat,
        &d,
        &dxf2_metadata::import::ImportParams {
            import_strategy: ImportStrategy::Create,
            ..params()
        },
    );
    assert_eq!(r.report.status, Status::Ok);
    let created = &r.changes.of("dataElements").unwrap().created[0];
    assert!(dxf2_model::Uid::is_valid(created["id"].as_str().unwrap()));
    assert_eq!(created["categoryCombo"]["id"], "bjDvmb4bfuf");

    // The target's default combo has another UID: it is still the default.
    let mut cat = MemoryCatalogue::new();
    for (key, mut o) in dxf2_metadata::defaults::objects() {
        if key == "categoryCombos" {
            o.insert("id".into(), json!("p0KPaWEg3cf"));
        }
        cat.insert(key, o);
    }
    let r = run(&cat, &d, &params());
    assert_eq!(
        r.changes.of("dataElements").unwrap().created[0]["categoryCombo"]["id"],
        "p0KPaWEg3cf"
    );
}

/// A26 `#testMetadataWithoutDefaults`: a `system` header is ignored; defaults need not be in the
/// payload. The payload's own default objects are left out (and their code updates the target's).
#[test]
fn a26_system_header_and_payload_defaults() {
    let d = doc(
        r#"{"system": {"id": "x", "rev": "abc", "version": "2.40", "date": "2024-01-01"},
        "categoryOptionCombos": [{"id": "HllvX50cXC0", "name": "default", "code": "OC_DEF_CODE",
                                  "categoryCombo": {"id": "bjDvmb4bfuf"}, "categoryOptions": [{"id": "xYerKDKCefk"}]}],
        "dataElements": [{"id": "deabcdefghZ", "name": "Z", "shortName": "Z", "valueType": "TEXT",
                          "domainType": "AGGREGATE", "aggregationType": "NONE"}]}"#,
    );
    let mut cat = MemoryCatalogue::with_dhis2_defaults();
    let r = commit(&mut cat, &d, &params());
    assert_eq!(r.report.status, Status::Ok);
    assert_eq!(
        stats(&r),
        (1, 0, 0, 0, 1),
        "the default option combo is not counted"
    );
    assert!(r.ignored.is_empty());
    assert_eq!(
        cat.get("categoryOptionCombos", "HllvX50cXC0").unwrap()["code"],
        "OC_DEF_CODE"
    );
}

/// A27/A28 `#testCreateUpdateOrgUnitUsingCODE` (`org_unit_code_id.json`, `…_update.json`).
#[test]
fn a27_a28_org_unit_by_code_keeps_its_uid() {
    for strategies in [
        [ImportStrategy::Create, ImportStrategy::Update],
        [ImportStrategy::CreateAndUpdate; 2],
    ] {
        let mut cat = MemoryCatalogue::with_dhis2_defaults();
        let p = |s| dxf2_metadata::import::ImportParams {
            identifier: Identifier::Code,
            import_strategy: s,
            ..params()
        };
        let r = commit(
            &mut cat,
            &doc(
                r#"{"organisationUnits": [{"code": "org-unit-1", "name": "org-unit-1", "shortName": "org-unit-1", "openingDate": "2020-01-01"}]}"#,
            ),
            &p(strategies[0]),
        );
        assert_eq!(stats(&r), (1, 0, 0, 0, 1));
        let uid = cat
            .find("organisationUnits", "code", &json!("org-unit-1"))
            .unwrap()
            .unwrap();
        let r = commit(
            &mut cat,
            &doc(
                r#"{"organisationUnits": [{"code": "org-unit-1", "name": "org-unit-1-new-name", "shortName": "org-unit-1-new-name", "openingDate": "2020-01-01"}]}"#,
            ),
            &p(strategies[1]),
        );
        assert_eq!(stats(&r), (0, 1, 0, 0, 1));
        assert_eq!(cat.count("organisationUnits"), 1);
        let ou = cat.get("organisationUnits", &uid).unwrap();
        assert_eq!(ou["name"], "org-unit-1-new-name");
        assert_eq!(ou["code"], "org-unit-1");
        assert_eq!(ou["path"], format!("/{uid}"));
    }
}

/// A31 `ObjectBundleTest#objectIndex`: indexes are per type, in payload order; and a CREATE of
/// an existing object (`E5000`) reports the stored object after the payload's.
#[test]
fn a31_indexes_per_type_and_e5000() {
    let cat = default_setup();
    let d = doc(r#"{"dataElements": [
        {"id": "deabcdefghB", "name": "DataElementB", "shortName": "x", "valueType": "TEXT", "domainType": "AGGREGATE", "aggregationType": "SUM"},
        {"id": "newabcdefgh", "name": "N", "shortName": "N"}]}"#);
    let p = dxf2_metadata::import::ImportParams {
        import_strategy: ImportStrategy::Create,
        import_report_mode: ImportReportMode::Full,
        ..params()
    };
    let r = run(&cat, &d, &p);
    let t = r.report.type_report("dataElements").unwrap();
    let indexes: Vec<usize> = t.object_reports.keys().copied().collect();
    assert_eq!(
        indexes,
        [1, 2],
        "the new object's E4000 at 1, the stored object's E5000 at 2"
    );
    let e5000 = &t.object_reports[&2].error_reports[0];
    assert_eq!(
        e5000.message,
        "Found matching object for reference, but import mode is CREATE. Identifier was UID, and object was DataElementB [deabcdefghB] (DataElement)."
    );
    let r = run(
        &cat,
        &d,
        &dxf2_metadata::import::ImportParams {
            ..p.with_dhis2_version("2.43").unwrap()
        },
    );
    assert!(r
        .report
        .error_reports()
        .any(|e| e.message.contains("import strategy is CREATE")));
}

/// Report modes: FULL lists every object, ERRORS only the failed ones, DEBUG keeps names;
/// VALIDATE skips the post-processing.
#[test]
fn report_modes() {
    let cat = MemoryCatalogue::with_dhis2_defaults();
    let d = doc(DUPLICATE_CODE);
    let full = |m| dxf2_metadata::import::ImportParams {
        atomic_mode: AtomicMode::None,
        import_report_mode: m,
        ..params()
    };
    let r = run(&cat, &d, &full(ImportReportMode::Full));
    let t = r.report.type_report("dataElements").unwrap();
    assert_eq!(t.object_reports.len(), 2);
    assert!(t.object_reports.values().all(|o| o.display_name.is_none()));
    let r = run(&cat, &d, &full(ImportReportMode::Errors));
    assert_eq!(
        r.report
            .type_report("dataElements")
            .unwrap()
            .object_reports
            .len(),
        1
    );
    let r = run(&cat, &d, &full(ImportReportMode::Debug));
    let names: Vec<_> = r.report.type_reports[0]
        .object_reports
        .values()
        .map(|o| o.display_name.clone().unwrap())
        .collect();
    assert_eq!(names, ["DataElementA", "DataElementB"]);

    // An empty document: OK, nothing counted, no type reports.
    let r = run(&cat, &doc("{}"), &params());
    assert_eq!(r.report.status, Status::Ok);
    assert!(r.report.type_reports.is_empty());
    let json = serde_json::to_string(&r.report).unwrap();
    assert_eq!(
        json,
        r#"{"status":"OK","stats":{"created":0,"updated":0,"deleted":0,"ignored":0,"total":0},"typeReports":[]}"#
    );
}

/// B19 `#testPostJsonMetadata`: an org unit without `id` is created.
#[test]
fn b19_org_unit_without_id() {
    let mut cat = MemoryCatalogue::with_dhis2_defaults();
    let r = commit(
        &mut cat,
        &doc(
            r#"{"organisationUnits":[{"name":"My Unit","shortName":"OU1","openingDate":"2020-01-01"}]}"#,
        ),
        &params(),
    );
    assert_eq!(r.report.status, Status::Ok);
    assert_eq!(cat.count("organisationUnits"), 1);
}
