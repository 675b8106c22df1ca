//! DHIS2's own metadata payloads (`../shared/corpus/dhis2-core/metadata/`) import as DHIS2's
//! tests expect.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]

mod common;

use common::*;
use dxf2_metadata::catalogue::MemoryCatalogue;
use dxf2_metadata::import::{ImportParams, ImportStrategy, Status};
use dxf2_metadata::{read_json, Document};
use serde_json::json;

fn corpus(rel: &str) -> Option<Document> {
    read_corpus(rel).map(|p| p.document)
}

fn read_corpus(rel: &str) -> Option<dxf2_metadata::Parsed> {
    let path = dxf2_testdata::corpus::corpus_file(rel)?;
    let file = std::fs::File::open(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    Some(read_json(std::io::BufReader::new(file)).unwrap())
}

/// A13 `ObjectBundleServiceTest#testCreateSimpleMetadataUID` (`dxf2/simple_metadata.json`).
#[test]
fn simple_metadata_creates_everything() {
    let Some(read) = read_corpus("metadata/simple_metadata.json") else {
        return;
    };
    assert_eq!(
        read.ignored,
        ["date"],
        "its top-level `date` is not metadata"
    );
    let d = read.document;
    let mut cat = MemoryCatalogue::with_dhis2_defaults();
    let p = ImportParams {
        import_strategy: ImportStrategy::Create,
        ..params()
    };
    let r = commit(&mut cat, &d, &p);
    assert_eq!(r.report.status, Status::Ok, "{:#?}", r.report);
    for key in [
        "organisationUnits",
        "dataElements",
        "dataSets",
        "users",
        "userRoles",
    ] {
        assert!(cat.count(key) > 0, "{key}");
    }
    for uid in ["SG4HuKlNEFH", "CCwk5Yx440o"] {
        assert_eq!(
            cat.get("dataElements", uid).unwrap()["categoryCombo"]["id"],
            "bjDvmb4bfuf"
        );
    }
    let ds = cat.get("dataSets", "DSaKQTwN4qg").unwrap();
    assert_eq!(ds["organisationUnits"].as_array().unwrap().len(), 1);
    assert_eq!(ds["dataSetElements"].as_array().unwrap().len(), 2);
    assert_eq!(ds["periodType"], "Monthly");
    assert_eq!(ds["categoryCombo"]["id"], "bjDvmb4bfuf");
    let user = cat.get("users", "ueKaFVdR8Fz").unwrap();
    assert_eq!(user["username"], "metadataadmin");
    assert_eq!(user["userRoles"][0]["id"], "rKLtmQLRMU8");
    assert_eq!(user["organisationUnits"][0]["id"], "PdWlltZnVZe");
    assert_eq!(
        cat.get("organisationUnits", "PdWlltZnVZe").unwrap()["path"],
        "/PdWlltZnVZe"
    );
}

/// The e2e aggregate metadata (`dhis-test-e2e/…/aggregate/metadata.json`) imports into DHIS2's
/// e2e database, which holds its sharing user group; the types not modelled here (validation
/// rules and their groups) are passed through.
#[test]
fn e2e_aggregate_metadata_imports_and_reimports() {
    let Some(d) = corpus("metadata/e2e_aggregate_metadata.json") else {
        return;
    };
    // What the e2e database holds that the file names: the sharing user group and the org units
    // its data sets are assigned to.
    let mut cat = MemoryCatalogue::with_dhis2_defaults();
    cat.insert(
        "userGroups",
        obj(json!({"id": "OPVIvvXzNTw", "name": "TA user group"})),
    );
    for ds in d.objects("dataSets") {
        for ou in ds["organisationUnits"].as_array().unwrap() {
            let uid = ou["id"].as_str().unwrap();
            cat.insert(
                "organisationUnits",
                obj(json!({"id": uid, "name": uid, "shortName": uid,
                "openingDate": "1970-01-01", "path": format!("/{uid}")})),
            );
        }
    }
    let mut bare = cat.clone();
    bare.remove("userGroups", "OPVIvvXzNTw");
    let r = commit(&mut cat, &d, &params());
    assert_eq!(
        r.report.status,
        Status::Ok,
        "{:#?}",
        r.report.error_reports().take(5).collect::<Vec<_>>()
    );
    let skipped: Vec<(&str, usize)> = r
        .skipped
        .iter()
        .map(|s| (s.key.as_str(), s.objects))
        .collect();
    assert_eq!(
        skipped,
        [("validationRuleGroups", 1), ("validationRules", 12)]
    );
    assert_eq!(r.changes.unmodelled.len(), 2);
    let modelled = d.len() - 13;
    assert_eq!(r.report.stats.created, modelled);
    // Again: every object updated.
    let r = commit(&mut cat, &d, &params());
    assert_eq!(r.report.status, Status::Ok);
    assert_eq!(r.report.stats.updated, modelled);

    // Without the user group, every shared object's reference to it is reported, and atomic mode
    // ALL changes nothing.
    let r = run(&bare, &d, &params());
    assert_eq!(r.report.status, Status::Error);
    let e = r
        .report
        .error_reports()
        .find(|e| e.message.contains("userGroupAccesses"))
        .unwrap();
    assert!(
        e.message
            .starts_with("Invalid reference [OPVIvvXzNTw] (UserGroup) on object "),
        "{}",
        e.message
    );
    assert!(r.changes.is_empty());
    // With skipSharing they are not checked.
    let r = run(
        &bare,
        &d,
        &ImportParams {
            skip_sharing: true,
            ..params()
        },
    );
    assert_eq!(r.report.status, Status::Ok);
}
