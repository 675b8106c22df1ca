//! Every file of DHIS2's metadata CSV corpus (`metadata-csv/`, from
//! `dhis-test-integration/src/test/resources/metadata/`) read as DHIS2's
//! `CsvMetadataImportTest` reads it (`metadata-scenarios.md` G1–G6, G21–G22). The tests assert
//! what the reader builds — the objects DHIS2's `Metadata` holds before the import — and note
//! the import stats each file leads to in DHIS2 (asserted by the importer's tests).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::fs::File;

use dxf2_metadata::csv::{read_csv, ClassKey, CsvOptions, Lookup, NoLookup, UidGenerator};
use dxf2_metadata::{Document, Object};
use dxf2_model::Uid;
use serde_json::{json, Value};

/// Reads corpus file `name` as `class` (header row, DHIS2 2.42), or `None` when the corpus is
/// absent and `DXF2_SKIP_CORPUS=1`.
fn read(name: &str, class: ClassKey, lookup: &dyn Lookup, seed: u64) -> Option<Document> {
    let path = dxf2_testdata::corpus::corpus_file(&format!("metadata-csv/{name}"))?;
    let file = File::open(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut uids = UidGenerator::seeded(seed);
    let doc = read_csv(file, &CsvOptions::new(class), lookup, &mut uids)
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    Some(doc)
}

/// The documents together: the catalogue after importing each of them in turn.
fn catalogue(docs: &[&Document]) -> Document {
    let mut all = Document::new();
    for doc in docs {
        for (key, objects) in &doc.types {
            for o in objects {
                all.push(key, o.clone());
            }
        }
    }
    all
}

fn ids(objects: &[Object]) -> Vec<&str> {
    objects.iter().map(|o| o["id"].as_str().unwrap()).collect()
}

fn member_ids<'a>(object: &'a Object, key: &str) -> Vec<&'a str> {
    object[key]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect()
}

fn by_id<'a>(objects: &'a [Object], id: &str) -> &'a Object {
    objects
        .iter()
        .find(|o| o["id"] == id)
        .unwrap_or_else(|| panic!("no object {id}"))
}

/// G1/G7: 6 org units (DHIS2 creates 6). Opening date defaults to 1970-01-01.
#[test]
fn organisation_units() {
    let Some(doc) = read(
        "organisationUnits.csv",
        ClassKey::OrganisationUnit,
        &NoLookup,
        1,
    ) else {
        return;
    };
    let ous = doc.objects("organisationUnits");
    assert_eq!(doc.len(), 6);
    assert_eq!(
        ids(ous),
        [
            "a1234567890",
            "b1234567890",
            "c1234567890",
            "d1234567890",
            "e1234567890",
            "f1234567890"
        ]
    );
    let root = &ous[0];
    assert_eq!(root["name"], "Root");
    assert_eq!(root["code"], "ROOT");
    assert_eq!(root["shortName"], "R");
    assert_eq!(root["openingDate"], "1970-01-01T00:00:00.000");
    assert!(root.get("parent").is_none());
    assert_eq!(ous[5]["parent"], json!({"id": "e1234567890"}));
    assert_eq!(ous[2]["name"], "Level 2a");
    for ou in ous {
        assert!(ou.get("geometry").is_none());
    }
}

/// G2: 2 data elements with DHIS2's defaults (DHIS2 creates 2).
#[test]
fn data_elements() {
    let Some(doc) = read("dataElements.csv", ClassKey::DataElement, &NoLookup, 2) else {
        return;
    };
    let des = doc.objects("dataElements");
    assert_eq!(des.len(), 2);
    let de = &des[0];
    assert_eq!(
        de["name"],
        "Women participated in skill development training"
    );
    assert_eq!(de["code"], "D0001");
    assert_eq!(de["shortName"], "Women participated development training");
    assert!(Uid::is_valid(de["id"].as_str().unwrap()));
    assert_ne!(des[0]["id"], des[1]["id"]);
    assert_eq!(de["domainType"], "AGGREGATE");
    assert_eq!(de["valueType"], "INTEGER");
    assert_eq!(de["aggregationType"], "SUM");
    assert_eq!(de["categoryCombo"], json!({"id": "bjDvmb4bfuf"}));
    assert_eq!(de["zeroIsSignificant"], false);
    assert!(de.get("optionSet").is_none() && de.get("description").is_none());
}

/// G3: 4 option sets of 3 options each (DHIS2 creates 16: 4 sets and 12 options). Sets whose
/// uid column is blank get a new UID.
#[test]
fn option_sets() {
    let Some(doc) = read("optionSets.csv", ClassKey::OptionSet, &NoLookup, 3) else {
        return;
    };
    let sets = doc.objects("optionSets");
    assert_eq!(sets.len(), 4);
    assert_eq!(doc.objects("options").len(), 12);
    assert_eq!(doc.len(), 16);
    for set in sets {
        assert_eq!(member_ids(set, "options").len(), 3);
        assert_eq!(set["valueType"], "TEXT");
        assert!(Uid::is_valid(set["id"].as_str().unwrap()));
    }
    let names: Vec<&str> = sets.iter().map(|s| s["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["Color", "Sex", "Result", "Impact"]);
    assert_eq!(sets[3]["id"], "cJ82jd8sd32");
    assert_eq!(sets[3]["code"], "IMPACT");
    assert!(sets[1].get("code").is_none());
    // The options of each set are its rows' options, in row order.
    let options = doc.objects("options");
    assert_eq!(member_ids(&sets[1], "options"), ids(&options[3..6]));
    assert_eq!(options[5]["name"], "Uknown");
    assert_eq!(options[5]["code"], "UNKNOWN");
}

/// G4 and G21/G22: `optionSet_add.csv` gives COLOR with 3 options (DHIS2 creates 4); then
/// `optionSet_update.csv` gives it 2 new options, which replace the 3 (DHIS2 creates 2 and the
/// set ends with 2); `optionSet_update_duplicate.csv` lists the 3 old and 2 new options (2.40's
/// MERGE test: 5 options).
#[test]
fn option_set_replace_and_merge_files() {
    let Some(add) = read("optionSet_add.csv", ClassKey::OptionSet, &NoLookup, 4) else {
        return;
    };
    assert_eq!(add.len(), 4);
    let set = &add.objects("optionSets")[0];
    assert_eq!(set["id"], "kp8zS9cSnbR");
    assert_eq!(set["code"], "COLOR");
    assert_eq!(member_ids(set, "options").len(), 3);

    let update = read("optionSet_update.csv", ClassKey::OptionSet, &NoLookup, 5).unwrap();
    assert_eq!(update.objects("optionSets").len(), 1);
    let set = &update.objects("optionSets")[0];
    assert_eq!(set["id"], "kp8zS9cSnbR");
    let codes: Vec<&str> = update
        .objects("options")
        .iter()
        .map(|o| o["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["RED", "WHITE"]);
    assert_eq!(member_ids(set, "options"), ids(update.objects("options")));

    let dup = read(
        "optionSet_update_duplicate.csv",
        ClassKey::OptionSet,
        &NoLookup,
        6,
    )
    .unwrap();
    assert_eq!(
        member_ids(&dup.objects("optionSets")[0], "options").len(),
        5
    );
    assert_eq!(dup.objects("options").len(), 5);
}

/// G5: option sets, then option groups (which need the stored sets and options), then option
/// group sets, then their members — each file read against the catalogue the earlier ones
/// built.
#[test]
fn option_group_set_chain() {
    let Some(sets) = read("option_set.csv", ClassKey::OptionSet, &NoLookup, 7) else {
        return;
    };
    // DHIS2 creates 5: 2 sets, 3 options.
    assert_eq!(sets.len(), 5);
    let a = by_id(sets.objects("optionSets"), "xmRubJIhmaK");
    let b = by_id(sets.objects("optionSets"), "QYDAByFgTr1");
    assert_eq!(member_ids(a, "options").len(), 2);
    assert_eq!(member_ids(b, "options").len(), 1);

    // Without the stored sets every row is skipped.
    let none = read("option_groups.csv", ClassKey::OptionGroup, &NoLookup, 8).unwrap();
    assert!(none.is_empty());
    let groups = read("option_groups.csv", ClassKey::OptionGroup, &sets, 8).unwrap();
    // DHIS2 creates 2; group A has 2 members, B 1.
    let list = groups.objects("optionGroups");
    assert_eq!(list.len(), 2);
    let group_a = by_id(list, "UeHtizvXbx6");
    assert_eq!(group_a["shortName"], "groupA");
    assert_eq!(group_a["optionSet"], json!({"id": "xmRubJIhmaK"}));
    let options_of_a: Vec<&str> = member_ids(a, "options");
    assert_eq!(member_ids(group_a, "options"), options_of_a);
    assert_eq!(member_ids(by_id(list, "EVYjFX6Ez0a"), "options").len(), 1);

    let stored = catalogue(&[&sets, &groups]);
    let group_sets = read("option_group_set.csv", ClassKey::OptionGroupSet, &stored, 9).unwrap();
    // DHIS2 creates 2. Column 3 (empty here) is read as dataDimension, column 4 ("true") as
    // the description: DHIS2's quirk.
    let list = group_sets.objects("optionGroupSets");
    assert_eq!(ids(list), ["FB9i0Jl2R80", "K30djctzUtN"]);
    assert_eq!(list[0]["dataDimension"], false);
    assert_eq!(list[0]["description"], "true");
    assert_eq!(list[0]["optionSet"], json!({"id": "xmRubJIhmaK"}));

    let stored = catalogue(&[&sets, &groups, &group_sets]);
    let members = read(
        "option_group_set_members.csv",
        ClassKey::OptionGroupSetMembership,
        &stored,
        10,
    )
    .unwrap();
    // DHIS2 updates 2 group sets, each with 1 member.
    let list = members.objects("optionGroupSets");
    assert_eq!(ids(list), ["FB9i0Jl2R80", "K30djctzUtN"]);
    assert_eq!(list[0]["name"], "optiongroupsetA");
    assert_eq!(member_ids(&list[0], "optionGroups"), ["UeHtizvXbx6"]);
    assert_eq!(member_ids(&list[1], "optionGroups"), ["EVYjFX6Ez0a"]);
}

/// G6: 4 org units, 2 groups, then the groups' members: DHIS2 updates 2 groups of 2 members.
#[test]
fn organisation_unit_group_members() {
    let Some(ous) = read(
        "organisationUnitMembers.csv",
        ClassKey::OrganisationUnit,
        &NoLookup,
        11,
    ) else {
        return;
    };
    assert_eq!(ous.len(), 4);
    // A blank quoted parent ("") is no parent.
    assert!(ous.objects("organisationUnits")[0].get("parent").is_none());

    let groups = read(
        "organisationUnitGroup.csv",
        ClassKey::OrganisationUnitGroup,
        &NoLookup,
        12,
    )
    .unwrap();
    let list = groups.objects("organisationUnitGroups");
    assert_eq!(list.len(), 2);
    assert_eq!(list[0]["shortName"], "Group1");

    let stored = catalogue(&[&ous, &groups]);
    let members = read(
        "organisationUnitGroup_members.csv",
        ClassKey::OrganisationUnitGroupMembership,
        &stored,
        13,
    )
    .unwrap();
    let list = members.objects("organisationUnitGroups");
    assert_eq!(list.len(), 2);
    let a = by_id(list, "a1234567890");
    assert_eq!(a["name"], "group1");
    assert_eq!(a["shortName"], "Group1");
    assert!(a.get("code").is_none());
    assert_eq!(
        member_ids(a, "organisationUnits"),
        ["c1234567890", "d1234567890"]
    );
    assert_eq!(
        member_ids(by_id(list, "b1234567890"), "organisationUnits"),
        ["e1234567890", "f1234567890"]
    );
    // Groups that are not stored drop every row.
    let none = read(
        "organisationUnitGroup_members.csv",
        ClassKey::OrganisationUnitGroupMembership,
        &NoLookup,
        13,
    )
    .unwrap();
    assert!(none.is_empty());
}

/// Every corpus file reads as every class without a panic, and the same seed gives the same
/// document.
#[test]
fn every_file_as_every_class_is_deterministic() {
    let Some(dir) = dxf2_testdata::corpus::corpus_dir() else {
        return;
    };
    let mut files: Vec<_> = std::fs::read_dir(dir.join("metadata-csv"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "csv"))
        .collect();
    files.sort();
    assert_eq!(files.len(), 13, "the corpus's metadata-csv files");
    for path in &files {
        let bytes = std::fs::read(path).unwrap();
        for class in ClassKey::ALL {
            let options = CsvOptions::new(class).dhis2_minor_version(44);
            let once = read_csv(
                &bytes[..],
                &options,
                &NoLookup,
                &mut UidGenerator::seeded(9),
            );
            let twice = read_csv(
                &bytes[..],
                &options,
                &NoLookup,
                &mut UidGenerator::seeded(9),
            );
            match (once, twice) {
                (Ok(a), Ok(b)) => assert_eq!(a, b, "{} as {class}", path.display()),
                (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string()),
                (a, b) => panic!("{} as {class}: {a:?} then {b:?}", path.display()),
            }
        }
    }
}

/// Objects read from CSV carry only JSON's field names: every value is text, a boolean, a
/// number, a reference or a list of references (no nulls).
#[test]
fn no_nulls_in_what_is_read() {
    let Some(doc) = read(
        "organisationUnits.csv",
        ClassKey::OrganisationUnit,
        &NoLookup,
        14,
    ) else {
        return;
    };
    for (_, objects) in &doc.types {
        for o in objects {
            assert!(o.values().all(|v| !v.is_null()), "{o:?}");
            assert!(o
                .values()
                .all(|v| !matches!(v, Value::String(s) if s.is_empty())));
        }
    }
}
