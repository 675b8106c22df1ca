// The body of the 2.43+ input forms: category-option maps, `attributeCombo`/`attributeOptions`
// and the deletion scope (included by `tests/pipeline_forms.rs` and by the store crates'
// `engine_pipeline_forms.rs`).

use std::collections::BTreeSet;
use std::fmt::Write as _;

use common::import::*;
use common::pipeline::*;
use common::scenarios::*;
use common::store::*;
use dxf2_model::metadata::{DataElement, DataSet};
use dxf2_model::{
    ImportOptions, ImportStatus, ImportStrategy, ImportSummary, ImporterProfile, Metadata,
};
use idscheme_resolver::MetadataResolver;
use import_engine::store::{AuditType, DataValueStore, DataValueStoreExt};
use import_engine::{Importer, SystemSettings, UserAccess};

// ---------------------------------------------------------------------------------------------
// 2.43+ input forms: category-option maps, `attributeCombo`/`attributeOptions`, deletion scope
// ---------------------------------------------------------------------------------------------

const CAT_A: &str = "catAaaaaa01";
const CC_A: &str = "ccAaaaaaa01";
const CO_A: &str = "cOptAaaaa01";
const CO_B: &str = "cOptBbbbb01";
const OC_B: &str = "Gad33qy67g5";

/// Imports an inline JSON document with the 2.43+ reader.
fn import_json(
    md: &Metadata,
    json: &str,
    options: &ImportOptions,
    store: &mut dyn DataValueStore,
) -> ImportSummary {
    let leaked: &'static str = Box::leak(json.to_owned().into_boxed_str());
    let reader = dxf2_json::Reader::with_profile(leaked.as_bytes(), options.profile).unwrap();
    import_source(md, ADMIN, &mut Source::JsonBytes(reader), options, store).summary
}

/// Imports an inline CSV document with the reader of `options`.
fn import_csv(
    md: &Metadata,
    csv: &str,
    options: &ImportOptions,
    store: &mut dyn DataValueStore,
) -> ImportSummary {
    import_source(md, ADMIN, &mut Source::csv(csv, options), options, store).summary
}

/// Fixture M where data element A is disaggregated by category combo A (options A and B) and,
/// when `attributes`, data set A is too (as its attribute combo).
fn with_categories(attributes: bool) -> Metadata {
    let mut md = fixture_m();
    assert!(md.update::<DataElement>(&uid(DE_A), |de_a| de_a.category_combo = uid(CC_A)));
    if attributes {
        assert!(md.update::<DataSet>(&uid(DS_A), |ds| ds.category_combo = uid(CC_A)));
    }
    md
}

/// (data element, category option combo, attribute option combo) of stored rows.
fn keys_of(rows: &[import_engine::store::StoredValue]) -> BTreeSet<(String, String, String)> {
    rows.iter()
        .map(|r| {
            (
                r.key.data_element.as_str().to_owned(),
                r.key.category_option_combo.as_str().to_owned(),
                r.key.attribute_option_combo.as_str().to_owned(),
            )
        })
        .collect()
}

fn triples(keys: &[(&str, &str, &str)]) -> BTreeSet<(String, String, String)> {
    keys.iter()
        .map(|(de, coc, aoc)| ((*de).to_owned(), (*coc).to_owned(), (*aoc).to_owned()))
        .collect()
}

#[test]
fn json_category_option_maps_name_the_option_combos() {
    if store_skipped() {
        return;
    }
    let md = with_categories(true);
    let mut store = fresh_store();
    let json = format!(
        r#"{{"dataSet":"{DS_A}","period":"201201","orgUnit":"{OU_A}",
        "attributeOptionCombo":{{"{CAT_A}":"{CO_B}"}},
        "dataValues":[
          {{"dataElement":"{DE_A}","categoryOptionCombo":{{"{CAT_A}":"{CO_A}","ignored":"x"}},"value":"1"}},
          {{"dataElement":"{DE_B}","value":"2"}}]}}"#
    );
    let s = import_json(&md, &json, &pipeline(), &mut store);
    assert_clean(&s, 2);
    assert_eq!(
        keys_of(&stored(&mut store, &md)),
        triples(&[(DE_A, OC_A, OC_B), (DE_B, DEF, OC_B)])
    );

    // Categories and options under their own id schemes (fixture M gives them names only).
    let json = format!(
        r#"{{"dataSet":"{DS_A}","period":"201202","orgUnit":"{OU_A}",
        "categoryIdScheme":"NAME","categoryOptionIdScheme":"NAME",
        "attributeOptionCombo":{{"CategoryA":"CategoryOptionA"}},
        "dataValues":[{{"dataElement":"{DE_A}","categoryOptionCombo":{{"CategoryA":"CategoryOptionB"}},"value":"3"}}]}}"#
    );
    let mut store = fresh_store();
    assert_clean(&import_json(&md, &json, &pipeline(), &mut store), 1);
    assert_eq!(
        keys_of(&stored(&mut store, &md)),
        triples(&[(DE_A, OC_B, OC_A)])
    );

    // A group map that matches nothing leaves the group without an attribute option combo:
    // the default, which is not of the data set's attribute combo.
    let json = format!(
        r#"{{"dataSet":"{DS_A}","period":"201201","orgUnit":"{OU_A}",
        "attributeOptionCombo":{{"{CAT_A}":"nothing"}},
        "dataValues":[{{"dataElement":"{DE_B}","value":"2"}}]}}"#
    );
    let s = import_json(&md, &json, &pipeline(), &mut fresh_store());
    assert_group_error(
        &s,
        "E8023",
        "Data set pBOMPrpg1QX not usable with attribute option combo(s): `[HllvX50cXC0]`",
        &[0],
    );
}

#[test]
fn category_option_maps_fail_decoding_as_dhis2_does() {
    if store_skipped() {
        return;
    }
    let md = with_categories(false);
    let value = |coc: &str| {
        format!(
            r#"{{"dataElement":"{DE_A}","period":"201201","orgUnit":"{OU_A}","categoryOptionCombo":{coc},"value":"1"}}"#
        )
    };
    // Without a data set nothing can be decoded (the value's index, or `*` for the group).
    let json = format!(r#"{{"dataValues":[{}]}}"#, value(r#"{"catAaaaaa01":"x"}"#));
    let s = import_json(&md, &json, &pipeline(), &mut fresh_store());
    assert_decode_error(
        &s,
        "E8101",
        "Value #0 data set is required to decode category options: `{catAaaaaa01=x}`",
    );
    assert_eq!(
        s.conflicts[0].objects[0].1.as_deref(),
        Some("0-{catAaaaaa01=x}")
    );
    let json = format!(
        r#"{{"attributeOptionCombo":{{"{CAT_A}":"{CO_A}","other":null}},"dataValues":[{}]}}"#,
        value(r#""""#)
    );
    let s = import_json(&md, &json, &pipeline(), &mut fresh_store());
    assert_decode_error(
        &s,
        "E8101",
        "Value #* data set is required to decode category options: `{catAaaaaa01=cOptAaaaa01, other=null}`",
    );
    // No option combo of the element's combo has exactly these options.
    for (map, shown) in [
        (
            r#"{"catAaaaaa01":"nope","x":null}"#,
            "{catAaaaaa01=nope, x=null}",
        ),
        (r#"{}"#, "{}"),
        (r#"{"CategoryA":"cOptAaaaa01"}"#, "{CategoryA=cOptAaaaa01}"),
    ] {
        let json = format!(r#"{{"dataSet":"{DS_A}","dataValues":[{}]}}"#, value(map));
        let s = import_json(&md, &json, &pipeline(), &mut fresh_store());
        assert_decode_error(
            &s,
            "E8108",
            &format!("Value #0 category option combo not found: `{shown}`"),
        );
    }
    // A data element of the default combo is decoded through the default category.
    let json = format!(
        r#"{{"dataSet":"{DS_A}","dataValues":[{{"dataElement":"{DE_B}","period":"201201","orgUnit":"{OU_A}","categoryOptionCombo":{{"GLevLNI9wkl":"xYerKDKCefk"}},"value":"1"}}]}}"#
    );
    assert_clean(&import_json(&md, &json, &pipeline(), &mut fresh_store()), 1);
    let json = format!(
        r#"{{"dataSet":"{DS_A}","dataValues":[{{"dataElement":"{DE_B}","period":"201201","orgUnit":"{OU_A}","categoryOptionCombo":{{"catAaaaaa01":"cOptAaaaa01"}},"value":"1"}}]}}"#
    );
    let s = import_json(&md, &json, &pipeline(), &mut fresh_store());
    assert_decode_error(
        &s,
        "E8108",
        "Value #0 category option combo not found: `{catAaaaaa01=cOptAaaaa01}`",
    );
    // An element outside the data set has no categories there: DHIS2 fails (an NPE).
    let json = format!(
        r#"{{"dataSet":"{DS_A}","dataValues":[{{"dataElement":"nonEx1sting","period":"201201","orgUnit":"{OU_A}","categoryOptionCombo":{{}}}}]}}"#
    );
    let s = import_json(&md, &json, &pipeline(), &mut fresh_store());
    assert_eq!(s.status, ImportStatus::Error);
    assert!(
        s.description.as_deref().unwrap().contains("nonEx1sting"),
        "{s:#?}"
    );
    // A UUID category scheme fails the import, used or not.
    let json = format!(
        r#"{{"categoryIdScheme":"UUID","dataSet":"{DS_A}","dataValues":[{}]}}"#,
        value(r#""""#)
    );
    let s = import_json(&md, &json, &pipeline(), &mut fresh_store());
    assert!(s.description.as_deref().unwrap().contains("UUID"), "{s:#?}");
}

#[test]
fn csv_extra_columns_are_category_options() {
    if store_skipped() {
        return;
    }
    let md = with_categories(false);
    let mut o = pipeline();
    o.data_set = Some(DS_A.to_owned());
    // Category columns named by category UID, options by UID.
    let csv = format!(
        "dataElement,period,orgUnit,value,{CAT_A}\n{DE_A},201201,{OU_A},5,{CO_B}\n{DE_B},201201,{OU_A},6,\n"
    );
    // The second line has no field for the category column (a trailing `,` adds none): no
    // map, the default combo.
    let mut store = fresh_store();
    assert_clean(&import_csv(&md, &csv, &o, &mut store), 2);
    assert_eq!(
        keys_of(&stored(&mut store, &md)),
        triples(&[(DE_A, OC_B, DEF), (DE_B, DEF, DEF)])
    );

    // With a field, data element B (default combo) has a map too, naming no option of the
    // default category.
    let csv = format!("dataElement,period,orgUnit,value,{CAT_A}\n{DE_B},201201,{OU_A},6,\"\"\n");
    let s = import_csv(&md, &csv, &o, &mut fresh_store());
    assert_decode_error(
        &s,
        "E8108",
        "Value #0 category option combo not found: `{catAaaaaa01=}`",
    );

    // The lower-case export header has `lastupdated`: an empty COC cell is then decoded from
    // `{lastupdated=…}` and fails (spec §1.4.2); a written COC still wins.
    let csv = format!(
        "dataelement,period,orgunit,categoryoptioncombo,value,lastupdated\n{DE_B},201201,{OU_A},,1,2012-01-01\n"
    );
    let s = import_csv(&md, &csv, &o, &mut fresh_store());
    assert_decode_error(
        &s,
        "E8108",
        "Value #0 category option combo not found: `{lastupdated=2012-01-01}`",
    );
    let s = import_csv(&md, &csv, &pipeline(), &mut fresh_store());
    assert_decode_error(
        &s,
        "E8101",
        "Value #0 data set is required to decode category options: `{lastupdated=2012-01-01}`",
    );
    let with_coc = csv.replace(",,1,", &format!(",{DEF},1,"));
    assert_clean(&import_csv(&md, &with_coc, &o, &mut fresh_store()), 1);
    // A column spelt exactly `categoryOptionCombo` switches the map off.
    let exact = csv.replace("categoryoptioncombo", "categoryOptionCombo");
    assert_clean(&import_csv(&md, &exact, &o, &mut fresh_store()), 1);
    // The classic profile reads positions and ignores all of it.
    let mut classic = ImportOptions::default();
    classic.data_set = Some(DS_A.to_owned());
    let s = import_csv(&md, &csv, &classic, &mut fresh_store());
    assert_ne!(s.status, ImportStatus::Error, "{s:#?}");
}

#[test]
fn csv_without_period_renders_the_category_options_as_java_does() {
    if store_skipped() {
        return;
    }
    let Some(path) = payload("dataValueSetBNoHeader.csv") else {
        return;
    };
    // Read with a header row, the first data row becomes the header: every column but
    // `comment` is an extra column, held in a `HashMap` sized 10 (checked against Java 17).
    let s = import_file(&fixture_m(), ADMIN, &path, &pipeline(), &mut fresh_store());
    assert_decode_error(
        &s,
        "E8100",
        "Value #0 period not defined in group or value: `Input[dataElement=null, orgUnit=null, \
         categoryOptionCombo=null, categoryOptions={DiszpKrYNg8=BdfsJfj87js, =, \
         f7n9E0hX8qk=f7n9E0hX8qk, false=false, john=john, 10001=10002, 2012-01-01=2012-01-01, \
         201201=201201}, attributeOptionCombo=null, attributeCombo=null, attributeOptions=null, \
         period=null, value=null, comment=comment, followUp=null, deleted=null]`",
    );
}

#[test]
fn csv_attribute_combo_and_options_name_the_attribute_option_combo() {
    if store_skipped() {
        return;
    }
    let md = with_categories(true);
    let mut o = pipeline();
    o.data_set = Some(DS_A.to_owned());
    let csv = |combo: &str, options: &str| {
        format!(
            "dataElement,period,orgUnit,categoryOptionCombo,value,attributeCombo,attributeOptions\n\
             {DE_B},201201,{OU_A},,1,{combo},{options}\n"
        )
    };
    let mut store = fresh_store();
    assert_clean(&import_csv(&md, &csv(CC_A, CO_B), &o, &mut store), 1);
    assert_eq!(
        keys_of(&stored(&mut store, &md)),
        triples(&[(DE_B, DEF, OC_B)])
    );
    // A written attribute option combo wins over the combo and options.
    let written = format!(
        "dataElement,period,orgUnit,attributeOptionCombo,value,attributeCombo,attributeOptions\n\
         {DE_B},201202,{OU_A},{OC_A},1,nonsense,nonsense\n"
    );
    assert_clean(&import_csv(&md, &written, &o, &mut store), 1);
    for (combo, options, code, message) in [
        (
            "ccXxxxxxx01",
            CO_A,
            "E8126",
            "Value #0 category combo not found: `ccXxxxxxx01`",
        ),
        (
            "CategoryComboA",
            CO_A,
            "E8126",
            "Value #0 category combo not found: `CategoryComboA`",
        ),
        (
            CC_A,
            "\"cOptBbbbb01 cOptAaaaa01\"",
            "E8127",
            "Value #0 category combo ccAaaaaaa01 has no option combo for options: `[cOptAaaaa01, cOptBbbbb01]`",
        ),
        (
            CC_A,
            "null",
            "E8127",
            "Value #0 category combo ccAaaaaaa01 has no option combo for options: `null`",
        ),
    ] {
        let s = import_csv(&md, &csv(combo, options), &o, &mut fresh_store());
        assert_decode_error(&s, code, message);
    }
}

/// Fixture M with data elements A and B stored for org units A and B in 201201 and 201202.
fn stored_grid(md: &Metadata, store: &mut dyn DataValueStore) {
    let mut values = String::new();
    for (de, ou, pe) in [
        (DE_A, OU_A, "201201"),
        (DE_A, OU_A, "201202"),
        (DE_A, OU_B, "201201"),
        (DE_B, OU_A, "201201"),
        (DE_B, OU_B, "201202"),
    ] {
        let _ = write!(
            values,
            r#"{}{{"dataElement":"{de}","period":"{pe}","orgUnit":"{ou}","value":"7","comment":"c"}}"#,
            if values.is_empty() { "" } else { "," }
        );
    }
    let json = format!(r#"{{"dataSet":"{DS_A}","dataValues":[{values}]}}"#);
    assert_clean(&import_json(md, &json, &pipeline(), store), 5);
}

fn live(store: &mut dyn DataValueStore, md: &Metadata) -> BTreeSet<(String, String, String)> {
    stored(store, md)
        .iter()
        .map(|r| {
            (
                r.key.data_element.as_str().to_owned(),
                r.key.org_unit.as_str().to_owned(),
                r.key.period.to_string(),
            )
        })
        .collect()
}

fn de_ou_pe(de: &str, ou: &str, pe: &str) -> (String, String, String) {
    (de.to_owned(), ou.to_owned(), pe.to_owned())
}

#[test]
fn deletion_scope_deletes_before_the_values_are_written() {
    if store_skipped() {
        return;
    }
    let md = fixture_m();
    let mut store = fresh_store();
    stored_grid(&md, &mut store);
    let json = format!(
        r#"{{"dataSet":"{DS_A}","deletion":{{"orgUnits":["{OU_A}"],"periods":["201201","201202"],
          "elements":[{{"dataElement":"{DE_A}"}},{{"dataElement":"{DE_B}","categoryOptionCombo":"{DEF}","attributeOptionCombo":"{DEF}"}}]}},
        "dataValues":[{{"dataElement":"{DE_C}","period":"201201","orgUnit":"{OU_A}","value":"1"}}]}}"#
    );
    // A dry run counts what it would delete.
    let mut dry = pipeline();
    dry.dry_run = true;
    let s = import_json(&md, &json, &dry, &mut store);
    assert_eq!(s.status, ImportStatus::Success, "{s:#?}");
    assert_eq!(counts(&s), (0, 1, 3, 0));
    assert_eq!(live(&mut store, &md).len(), 5);

    let s = import_json(&md, &json, &pipeline(), &mut store);
    assert_eq!(s.status, ImportStatus::Success, "{s:#?}");
    assert_eq!(counts(&s), (0, 1, 3, 0));
    assert_eq!(
        live(&mut store, &md),
        [
            de_ou_pe(DE_A, OU_B, "201201"),
            de_ou_pe(DE_B, OU_B, "201202"),
            de_ou_pe(DE_C, OU_A, "201201"),
        ]
        .into_iter()
        .collect()
    );
    // Soft-deleted with a DELETE changelog row holding the previous value; comment kept.
    let k = key(DE_A, "201202", OU_A, DEF, DEF);
    let mut row = import_engine::store::StoredValue::empty(k, now());
    store.get(&k, &mut row).unwrap();
    assert!(row.deleted);
    assert_eq!(row.comment.as_deref(), Some("c"));
    assert_eq!(row.stored_by.as_deref(), Some("admin"));
    let audit = store.audits(&k).unwrap().pop().unwrap();
    assert_eq!(audit.audit_type, AuditType::Delete);
    assert_eq!(audit.previous_value.as_deref(), Some("7"));
    // Already deleted rows are not counted again.
    let again = json.replace(DE_C, DE_D);
    let s = import_json(&md, &again, &pipeline(), &mut store);
    assert_eq!(counts(&s), (0, 1, 0, 0));
}

#[test]
fn deletion_scope_alone_and_with_the_same_keys() {
    if store_skipped() {
        return;
    }
    let md = fixture_m();
    let mut store = fresh_store();
    stored_grid(&md, &mut store);
    // Without values and without a data set: the data set is detected from the scope.
    let json = format!(
        r#"{{"deletion":{{"orgUnits":["{OU_B}"],"periods":["201201"],"elements":[{{"dataElement":"{DE_A}"}}]}}}}"#
    );
    let s = import_json(&md, &json, &pipeline(), &mut store);
    assert_eq!(s.status, ImportStatus::Success, "{s:#?}");
    assert_eq!(counts(&s), (0, 0, 1, 0));
    assert!(!live(&mut store, &md).contains(&de_ou_pe(DE_A, OU_B, "201201")));
    // A value for a key of the scope: deleted first, then written again.
    let json = format!(
        r#"{{"dataSet":"{DS_A}","deletion":{{"orgUnits":["{OU_A}"],"periods":["201201"],"elements":[{{"dataElement":"{DE_A}"}}]}},
        "dataValues":[{{"dataElement":"{DE_A}","period":"201201","orgUnit":"{OU_A}","value":"8"}}]}}"#
    );
    let s = import_json(&md, &json, &pipeline(), &mut store);
    assert_eq!(counts(&s), (0, 1, 1, 0));
    assert!(live(&mut store, &md).contains(&de_ou_pe(DE_A, OU_A, "201201")));
    // With the DELETE strategy the values are deleted too.
    let mut delete = pipeline();
    delete.strategy = ImportStrategy::Delete;
    let json = format!(
        r#"{{"dataSet":"{DS_A}","deletion":{{"orgUnits":["{OU_B}"],"periods":["201202"],"elements":[{{"dataElement":"{DE_B}"}}]}},
        "dataValues":[{{"dataElement":"{DE_A}","period":"201201","orgUnit":"{OU_A}"}}]}}"#
    );
    let s = import_json(&md, &json, &delete, &mut store);
    assert_eq!(counts(&s), (0, 0, 2, 0));
    assert_eq!(
        live(&mut store, &md),
        [
            de_ou_pe(DE_A, OU_A, "201202"),
            de_ou_pe(DE_B, OU_A, "201201")
        ]
        .into_iter()
        .collect()
    );
    // An empty list selects nothing.
    let json = format!(
        r#"{{"dataSet":"{DS_A}","deletion":{{"orgUnits":[],"periods":["201201"],"elements":[{{"dataElement":"{DE_B}"}}]}}}}"#
    );
    let s = import_json(&md, &json, &pipeline(), &mut store);
    assert_eq!(counts(&s), (0, 0, 0, 0));
    // The classic profile does not read `deletion`.
    let classic = ImportOptions::default();
    let json = format!(
        r#"{{"dataSet":"{DS_A}","deletion":{{"orgUnits":["{OU_A}"],"periods":["201201"],"elements":[{{"dataElement":"{DE_B}"}}]}}}}"#
    );
    let s = import_json(&md, &json, &classic, &mut store);
    assert_eq!(counts(&s), (0, 0, 0, 0));
    assert!(live(&mut store, &md).contains(&de_ou_pe(DE_B, OU_A, "201201")));
}

#[test]
fn deletion_scope_identifiers_fail_decoding() {
    if store_skipped() {
        return;
    }
    let md = fixture_m();
    let scope = |schemes: &str, scope: &str| {
        format!(
            r#"{{"dataSet":"{DS_A}",{schemes}"deletion":{scope},"dataValues":[{{"dataElement":"{DE_A}","period":"201201","orgUnit":"{OU_A}","value":"1"}}]}}"#
        )
    };
    let cases = [
        (
            scope(
                r#""orgUnitIdScheme":"CODE","#,
                r#"{"orgUnits":["OU_A","OU_X"],"periods":["201201"]}"#,
            )
            .replace(OU_A, "OU_A"),
            "E8034",
            "Data set deletion scope ID refers to a non-existing object: `OU_X`",
        ),
        (
            scope("", r#"{"orgUnits":["not-a-uid"]}"#),
            "E8035",
            "Data set deletion scope ID is not a valid UID: `not-a-uid`",
        ),
        (
            scope(
                r#""dataElementIdScheme":"CODE","#,
                r#"{"elements":[{"dataElement":"DE_A"},{"dataElement":"DE_X"}]}"#,
            )
            .replace(DE_A, "DE_A"),
            "E8034",
            "Data set deletion scope ID refers to a non-existing object: `DE_X`",
        ),
        (
            scope(
                r#""categoryOptionComboIdScheme":"CODE","#,
                r#"{"elements":[{"dataElement":"f7n9E0hX8qk","categoryOptionCombo":"OC_X"}]}"#,
            ),
            "E8034",
            "Data set deletion scope ID refers to a non-existing object: `OC_X`",
        ),
        (
            scope(
                "",
                r#"{"elements":[{"dataElement":"f7n9E0hX8qk","attributeOptionCombo":"aoc"}]}"#,
            ),
            "E8035",
            "Data set deletion scope ID is not a valid UID: `aoc`",
        ),
    ];
    for (json, code, message) in cases {
        let s = import_json(&md, &json, &pipeline(), &mut fresh_store());
        assert_decode_error(&s, code, message);
    }
    // Values are decoded first: their errors win.
    let json = scope("", r#"{"orgUnits":["not-a-uid"]}"#).replace(OU_A, "ou-a");
    let s = import_json(&md, &json, &pipeline(), &mut fresh_store());
    assert_decode_error(&s, "E8106", "Value #0 org unit UID is not valid: `ou-a`");
    // A bad period, or an element without a data element, fails the import.
    for bad in [
        r#"{"periods":["2012M13"]}"#,
        r#"{"elements":[{"categoryOptionCombo":"HllvX50cXC0"}]}"#,
    ] {
        let s = import_json(&md, &scope("", bad), &pipeline(), &mut fresh_store());
        assert_eq!(s.status, ImportStatus::Error);
        assert!(s
            .description
            .as_deref()
            .unwrap()
            .starts_with("The import process failed: "));
    }
}

#[test]
fn deletion_scope_is_validated_like_values() {
    if store_skipped() {
        return;
    }
    let md = with_categories(false);
    let mut store = fresh_store();
    stored_grid(&fixture_m(), &mut store);
    let json = |scope: &str| {
        format!(
            r#"{{"dataSet":"{DS_A}","deletion":{scope},"dataValues":[
              {{"dataElement":"{DE_B}","period":"201202","orgUnit":"{OU_A}","value":"1"}},
              {{"dataElement":"{DE_C}","period":"201202","orgUnit":"{OU_A}","value":"1"}}]}}"#
        )
    };
    let cases = [
        (
            format!(r#"{{"orgUnits":["{OU_A}","{OU_C}"],"periods":["201201"],"elements":[{{"dataElement":"{DE_B}"}}]}}"#),
            "E8022",
            "Data set pBOMPrpg1QX not usable with org unit(s): `[j7Hg26FpoIa]`",
        ),
        (
            format!(r#"{{"orgUnits":["{OU_A}"],"periods":["2012W1"],"elements":[{{"dataElement":"{DE_B}"}}]}}"#),
            "E8021",
            "Data set pBOMPrpg1QX not usable with period(s): `[2012W1]`",
        ),
        (
            format!(r#"{{"orgUnits":["{OU_A}"],"periods":["201201"],"elements":[{{"dataElement":"{DE_B}","attributeOptionCombo":"{OC_A}"}}]}}"#),
            "E8023",
            "Data set pBOMPrpg1QX not usable with attribute option combo(s): `[kjuiHgy67hg]`",
        ),
        (
            format!(r#"{{"orgUnits":["{OU_A}"],"periods":["201201"],"elements":[{{"dataElement":"{DE_A}","categoryOptionCombo":"{DEF}"}}]}}"#),
            "E8024",
            "Data set pBOMPrpg1QX + data element f7n9E0hX8qk not usable with category option combo(s): `[HllvX50cXC0]`",
        ),
        (
            format!(r#"{{"orgUnits":["{OU_A}"],"periods":["201201"],"elements":[{{"dataElement":"nonEx1sting"}}]}}"#),
            "E8020",
            "Data set pBOMPrpg1QX not usable with data element(s): `[nonEx1sting]`",
        ),
    ];
    for (scope, code, message) in cases {
        let s = import_json(&md, &json(&scope), &pipeline(), &mut store);
        assert_group_error(&s, code, message, &[0, 1]);
    }
    assert_eq!(
        live(&mut store, &fixture_m()).len(),
        5,
        "nothing deleted or written"
    );
    // An absent option combo matches every option combo and is not checked.
    let scope = format!(
        r#"{{"orgUnits":["{OU_A}"],"periods":["201201"],"elements":[{{"dataElement":"{DE_A}"}}]}}"#
    );
    let s = import_json(&md, &json(&scope), &pipeline(), &mut store);
    assert_eq!(counts(&s), (0, 2, 1, 0), "{s:#?}");
    // Non-superusers need access to the scope's org units.
    let clerk = with_clerk(true);
    let json = format!(
        r#"{{"dataSet":"{DS_A}","deletion":{{"orgUnits":["{OU_C}"],"periods":["201201"],"elements":[{{"dataElement":"{DE_B}"}}]}}}}"#
    );
    let reader = dxf2_json::Reader::with_profile(
        Box::leak(json.into_boxed_str()).as_bytes(),
        ImporterProfile::Pipeline,
    )
    .unwrap();
    let s = import_source(
        &clerk,
        Some("clerk"),
        &mut Source::JsonBytes(reader),
        &pipeline(),
        &mut fresh_store(),
    )
    .summary;
    assert_group_error(
        &s,
        "E8011",
        "Current user cannot enter data for org unit(s): `[j7Hg26FpoIa]`",
        &[],
    );
}

#[test]
fn deletion_scope_follows_auto_grouping() {
    if store_skipped() {
        return;
    }
    let md = two_data_sets();
    let settings = SystemSettings {
        data_entry_auto_group: true,
        ..SystemSettings::default()
    };
    let access = UserAccess::by_username(&md, "admin").unwrap();
    let importer = Importer::new(&md, &access)
        .with_now(now())
        .with_settings(settings);
    let mut store = fresh_store();
    stored_grid(&md, &mut store);
    // Only the scope element of a data element that has a value in the group is kept.
    let json = format!(
        r#"{{"deletion":{{"orgUnits":["{OU_A}"],"periods":["201201"],"elements":[{{"dataElement":"{DE_A}"}},{{"dataElement":"{DE_B}"}}]}},
        "dataValues":[{{"dataElement":"{DE_A}","period":"201202","orgUnit":"{OU_B}","value":"1"}}]}}"#
    );
    let reader =
        dxf2_json::Reader::with_profile(json.as_bytes(), ImporterProfile::Pipeline).unwrap();
    let s = importer
        .import(
            &mut { reader },
            &pipeline(),
            &mut MetadataResolver::new(&md),
            &mut store,
            &mut |_| {},
        )
        .summary;
    assert_eq!(counts(&s), (0, 1, 1, 0), "{s:#?}");
    let rows = live(&mut store, &md);
    assert!(!rows.contains(&de_ou_pe(DE_A, OU_A, "201201")));
    assert!(rows.contains(&de_ou_pe(DE_B, OU_A, "201201")));
}
