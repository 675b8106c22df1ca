//! What the import parameters change (metadata-scenarios.md, D: sharing, translations, createdBy;
//! and skipValidation, mergeMode, timestamps), on payloads of ours.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]

mod common;

use common::*;
use dxf2_metadata::catalogue::MemoryCatalogue;
use dxf2_metadata::export::{with_dependencies, ExportParams};
use dxf2_metadata::import::{ImportParams, ImportStrategy, MergeMode, Status, Timestamps};
use serde_json::json;

/// As `dxf2/dataset_with_accesses_skipSharing.json`: a data set shared with a user group, with
/// two translations.
fn data_set(groups: serde_json::Value, translations: serde_json::Value) -> String {
    json!({"dataSets": [{"id": "em8Bg4LCr5k", "name": "Data Set", "shortName": "DS", "periodType": "Monthly",
        "sharing": {"public": "rw------", "users": {}, "userGroups": groups}, "translations": translations}]})
    .to_string()
}

fn target() -> MemoryCatalogue {
    let mut cat = MemoryCatalogue::with_dhis2_defaults();
    cat.insert(
        "userGroups",
        obj(json!({"id": "fvz8d3u6jFd", "name": "Group 1"})),
    );
    cat.insert(
        "userGroups",
        obj(json!({"id": "FnJeHbPOtVF", "name": "Group 2"})),
    );
    cat
}

fn two_translations() -> serde_json::Value {
    json!([{"locale": "fr", "property": "NAME", "value": "Ensemble"}, {"locale": "es", "property": "NAME", "value": "Conjunto"}])
}

/// D5/D6 `testImportWithSkipSharingIs{True,False}`, D11 `testImportSharingWithMergeModeReplace`.
#[test]
fn d5_d6_d11_skip_sharing() {
    let mut cat = target();
    let created = data_set(
        json!({"fvz8d3u6jFd": {"id": "fvz8d3u6jFd", "access": "rw------"}}),
        two_translations(),
    );
    commit(
        &mut cat,
        &doc(&created),
        &ImportParams {
            import_strategy: ImportStrategy::Create,
            ..params()
        },
    );
    let groups = |cat: &MemoryCatalogue| {
        cat.get("dataSets", "em8Bg4LCr5k").unwrap()["sharing"]["userGroups"]
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect::<Vec<_>>()
    };
    assert_eq!(groups(&cat), ["fvz8d3u6jFd"]);

    let update = data_set(json!({}), json!([]));
    let mut skip = cat.clone();
    commit(
        &mut skip,
        &doc(&update),
        &ImportParams {
            import_strategy: ImportStrategy::Update,
            skip_sharing: true,
            ..params()
        },
    );
    assert_eq!(
        groups(&skip),
        ["fvz8d3u6jFd"],
        "D5: the stored sharing stays"
    );
    let mut replace = cat.clone();
    commit(
        &mut replace,
        &doc(&update),
        &ImportParams {
            import_strategy: ImportStrategy::Update,
            ..params()
        },
    );
    assert!(groups(&replace).is_empty(), "D6: replaced");
    let other = data_set(
        json!({"FnJeHbPOtVF": {"id": "FnJeHbPOtVF", "access": "r-------"}}),
        json!([]),
    );
    commit(&mut cat, &doc(&other), &params());
    assert_eq!(groups(&cat), ["FnJeHbPOtVF"], "D11");

    // On create, skipSharing resets the payload's sharing.
    let mut fresh = target();
    commit(
        &mut fresh,
        &doc(&created),
        &ImportParams {
            skip_sharing: true,
            user: Some("userabcdefA".into()),
            ..params()
        },
    );
    let sharing = &fresh.get("dataSets", "em8Bg4LCr5k").unwrap()["sharing"];
    assert_eq!(
        sharing,
        &json!({"owner": "userabcdefA", "public": "--------", "users": {}, "userGroups": {}})
    );
}

/// D7–D10 `test…SkipTranslationIs{True,False}`.
#[test]
fn d7_d10_skip_translation() {
    let created = data_set(json!({}), two_translations());
    let count = |cat: &MemoryCatalogue| {
        cat.get("dataSets", "em8Bg4LCr5k")
            .unwrap()
            .get("translations")
            .map_or(0, |t| t.as_array().unwrap().len())
    };
    let mut skip = target();
    commit(
        &mut skip,
        &doc(&created),
        &ImportParams {
            skip_translation: true,
            ..params()
        },
    );
    assert_eq!(count(&skip), 0, "D7");
    let mut cat = target();
    commit(&mut cat, &doc(&created), &params());
    assert_eq!(count(&cat), 2, "D8");
    let without = json!({"dataSets": [{"id": "em8Bg4LCr5k", "name": "Data Set", "shortName": "DS", "periodType": "Monthly"}]}).to_string();
    let mut kept = cat.clone();
    commit(
        &mut kept,
        &doc(&without),
        &ImportParams {
            import_strategy: ImportStrategy::Update,
            skip_translation: true,
            ..params()
        },
    );
    assert_eq!(count(&kept), 2, "D10");
    commit(
        &mut cat,
        &doc(&without),
        &ImportParams {
            import_strategy: ImportStrategy::Update,
            ..params()
        },
    );
    assert_eq!(count(&cat), 0, "D9");
}

/// C23/D13 `testUpdateCreatedBy`, `testUpdateImmutableCreatedByField`: `createdBy` and `created`
/// are kept; `lastUpdatedBy` and `lastUpdated` follow the import.
#[test]
fn c23_d13_created_by_is_immutable() {
    let mut cat = target();
    let category = |by: &str| {
        json!({"categories": [{"id": "cX5k9anHEHa", "name": "C", "shortName": "C",
        "dataDimensionType": "DISAGGREGATION", "createdBy": {"id": by}}]})
        .to_string()
    };
    let at = |t: &str, user: &str| ImportParams {
        user: Some(user.into()),
        timestamps: Timestamps::At(t.into()),
        ..params()
    };
    commit(
        &mut cat,
        &doc(&category("userabcdefA")),
        &at("2024-01-01T00:00:00.000", "userabcdefA"),
    );
    commit(
        &mut cat,
        &doc(&category("jdRoHEujnZp")),
        &at("2024-02-01T00:00:00.000", "jdRoHEujnZp"),
    );
    let c = cat.get("categories", "cX5k9anHEHa").unwrap();
    assert_eq!(c["createdBy"]["id"], "userabcdefA");
    assert_eq!(c["lastUpdatedBy"]["id"], "jdRoHEujnZp");
    assert_eq!(c["created"], "2024-01-01T00:00:00.000");
    assert_eq!(c["lastUpdated"], "2024-02-01T00:00:00.000");
}

/// `skipValidation`: nothing is checked and, as in DHIS2, nothing is counted.
#[test]
fn skip_validation() {
    let mut cat = target();
    let d = doc(r#"{"dataElements": [{"id": "deabcdefghA", "name": "no value type"}]}"#);
    let r = commit(
        &mut cat,
        &d,
        &ImportParams {
            skip_validation: true,
            ..params()
        },
    );
    assert_eq!(r.report.status, Status::Ok);
    assert_eq!(r.report.stats.total(), 0);
    assert!(r.report.type_reports.is_empty());
    assert!(cat.get("dataElements", "deabcdefghA").is_some());
}

/// `mergeMode=MERGE` (DHIS2 up to 2.40): the payload's fields over the stored object, reference
/// collections joined (G21 `testOptionSetMerge` keeps old options beside new ones).
#[test]
fn merge_mode() {
    let mut cat = target();
    cat.insert(
        "optionSets",
        obj(
            json!({"id": "kp8zS9cSnbR", "code": "COLOR", "name": "Color", "valueType": "TEXT",
        "description": "kept", "options": [{"id": "OptionUid01"}, {"id": "OptionUid02"}]}),
        ),
    );
    for (id, name) in [("OptionUid01", "Blue"), ("OptionUid02", "Green")] {
        cat.insert("options", obj(json!({"id": id, "name": name, "code": name.to_uppercase(), "optionSet": {"id": "kp8zS9cSnbR"}})));
    }
    let d = doc(
        r#"{"optionSets": [{"id": "kp8zS9cSnbR", "code": "COLOR", "name": "Color", "valueType": "TEXT", "options": [{"id": "OptionUid03"}]}],
        "options": [{"id": "OptionUid03", "name": "Red", "code": "RED", "optionSet": {"id": "kp8zS9cSnbR"}}]}"#,
    );
    let mut merged = cat.clone();
    commit(
        &mut merged,
        &d,
        &ImportParams {
            merge_mode: MergeMode::Merge,
            ..params_for("2.40")
        },
    );
    let set = merged.get("optionSets", "kp8zS9cSnbR").unwrap();
    assert_eq!(set["options"].as_array().unwrap().len(), 3);
    assert_eq!(set["description"], "kept");
    assert_eq!(
        merged.get("options", "OptionUid03").unwrap()["sortOrder"],
        2
    );
    commit(&mut cat, &d, &params());
    let set = cat.get("optionSets", "kp8zS9cSnbR").unwrap();
    assert_eq!(set["options"].as_array().unwrap().len(), 1, "REPLACE");
    assert!(set.get("description").is_none());
}

/// A program exported with its dependencies (stages, their data elements, attributes, rules).
#[test]
fn program_with_dependencies() {
    let mut cat = MemoryCatalogue::with_dhis2_defaults();
    let r = commit(
        &mut cat,
        &fixture("who/tracker_package.json"),
        &params_for("2.36"),
    );
    assert_eq!(r.report.status, Status::Ok);
    let d = with_dependencies(&cat, "programs", "IpHINAT79UW", &ExportParams::default()).unwrap();
    let keys: Vec<&str> = d.types.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(
        keys,
        [
            "options",
            "optionSets",
            "categoryOptions",
            "categories",
            "categoryCombos",
            "categoryOptionCombos",
            "dataElements",
            "trackedEntityAttributes",
            "trackedEntityTypes",
            "programStages",
            "programs",
            "programRuleVariables",
            "programRuleActions",
            "programRules"
        ]
    );
    let mut empty = MemoryCatalogue::with_dhis2_defaults();
    let r = commit(&mut empty, &d, &params_for("2.36"));
    assert_eq!(r.report.status, Status::Ok, "{:?}", codes(&r));
}
