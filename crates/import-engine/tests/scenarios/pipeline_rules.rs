// The body of the further 2.43+ rules (spec §2.2, §3.7, §4.9, §5.5, §5.6) on variations of
// fixture M (included by `tests/pipeline_rules.rs` and by the store crates'
// `engine_pipeline_rules.rs`).

use common::import::*;
use common::pipeline::*;
use common::scenarios::*;
use common::store::*;
use dxf2_model::metadata::{DataElement, DataSet, OrganisationUnit};
use dxf2_model::{
    IdScheme, ImportOptions, ImportStatus, ImportStrategy, ImporterProfile, Metadata,
};
use idscheme_resolver::MetadataResolver;
use import_engine::store::{AuditType, DataValueStore, DataValueStoreExt};
use import_engine::{Importer, SystemSettings, UserAccess};

// ---------------------------------------------------------------------------------------------
// Further 2.43+ rules (spec §2.2, §3.7, §4.9, §5.5, §5.6)
// ---------------------------------------------------------------------------------------------

#[test]
fn request_specific_scheme_beats_payload_general_scheme() {
    if store_skipped() {
        return;
    }
    let Some(path) = payload("dataValueSetACode.xml") else {
        return;
    };
    let md = fixture_m();
    let mut o = pipeline();
    o.id_schemes.data_element = Some(IdScheme::Uid);
    let s = import_file(&md, ADMIN, &path, &o, &mut fresh_store());
    assert_decode_error(&s, "E8104", "Value #0 data element UID not valid: `DE_A`");
    // Classic: the payload's general `idScheme="code"` wins and all three import.
    let mut classic = ImportOptions::default();
    classic.id_schemes.data_element = Some(IdScheme::Uid);
    let s = import_file(&md, ADMIN, &path, &classic, &mut fresh_store());
    assert_eq!(counts(&s), (3, 0, 0, 0));
}

#[test]
fn unknown_codes_and_missing_fields_fail_decoding() {
    if store_skipped() {
        return;
    }
    let md = fixture_m();
    let cases = [
        (
            r#"idScheme="code" dataSet="DS_X""#,
            r#"dataElement="DE_A" period="201201" orgUnit="OU_A""#,
            "E8005",
            "Data set not found: `DS_X`",
        ),
        (
            r#"dataSet="not-a-uid""#,
            r#"dataElement="DE_A" period="201201" orgUnit="OU_A""#,
            "E8004",
            "Data set UID not valid: `not-a-uid`",
        ),
        (
            r#"idScheme="code""#,
            r#"dataElement="DE_X" period="201201" orgUnit="OU_A""#,
            "E8103",
            "Value #0 data element not found: `DE_X`",
        ),
        (
            r#"idScheme="code""#,
            r#"dataElement="DE_A" period="201201" orgUnit="OU_X""#,
            "E8107",
            "Value #0 org unit not found: `OU_X`",
        ),
        (
            "",
            r#"dataElement="f7n9E0hX8qk" period="201201" orgUnit="ou-a""#,
            "E8106",
            "Value #0 org unit UID is not valid: `ou-a`",
        ),
        (
            r#"categoryOptionComboIdScheme="code""#,
            r#"dataElement="f7n9E0hX8qk" period="201201" orgUnit="DiszpKrYNg8" categoryOptionCombo="OC_X""#,
            "E8108",
            "Value #0 category option combo not found: `OC_X`",
        ),
        (
            r#"attributeOptionComboIdScheme="code""#,
            r#"dataElement="f7n9E0hX8qk" period="201201" orgUnit="DiszpKrYNg8" attributeOptionCombo="OC_X""#,
            "E8110",
            "Value #0 attribute option combo not found: `OC_X`",
        ),
        (
            r#"dataSet="pBOMPrpg1QX" completeDate="9 Jan 2012" period="201201" orgUnit="DiszpKrYNg8""#,
            r#"dataElement="f7n9E0hX8qk" value="1""#,
            "E8008",
            "Data set `completeDate` is not a valid date string: `9 Jan 2012`",
        ),
        (
            "",
            r#"dataElement="f7n9E0hX8qk" orgUnit="DiszpKrYNg8" value="1""#,
            "E8100",
            "Value #0 period not defined in group or value: `Input[dataElement=f7n9E0hX8qk, orgUnit=DiszpKrYNg8, categoryOptionCombo=null, categoryOptions=null, attributeOptionCombo=null, attributeCombo=null, attributeOptions=null, period=null, value=1, comment=null, followUp=null, deleted=null]`",
        ),
        (
            "",
            r#"period="201201" orgUnit="DiszpKrYNg8" value="1""#,
            "E8102",
            "Value #0 data element not defined in group or value: `Input[dataElement=null, orgUnit=DiszpKrYNg8, categoryOptionCombo=null, categoryOptions=null, attributeOptionCombo=null, attributeCombo=null, attributeOptions=null, period=201201, value=1, comment=null, followUp=null, deleted=null]`",
        ),
        (
            "",
            r#"dataElement="f7n9E0hX8qk" period="201201" value="1""#,
            "E8105",
            "Value #0 org unit not defined in group or value: `Input[dataElement=f7n9E0hX8qk, orgUnit=null, categoryOptionCombo=null, categoryOptions=null, attributeOptionCombo=null, attributeCombo=null, attributeOptions=null, period=201201, value=1, comment=null, followUp=null, deleted=null]`",
        ),
        (
            "",
            r#"dataElement="f7n9E0hX8qk" period="201201" orgUnit="DiszpKrYNg8" categoryOptionCombo="coc-x""#,
            "E8109",
            "Value #0 category option combo UID is not valid: `coc-x`",
        ),
        (
            "",
            r#"dataElement="f7n9E0hX8qk" period="201201" orgUnit="DiszpKrYNg8" attributeOptionCombo="aoc-x""#,
            "E8111",
            "Value #0 attribute option combo UID is not valid: `aoc-x`",
        ),
    ];
    for (set, value, code, message) in cases {
        let xml = format!(
            r#"<dataValueSet xmlns="http://dhis2.org/schema/dxf/2.0" {set}><dataValue {value}/></dataValueSet>"#
        );
        let s = import_xml(&md, ADMIN, &xml, &pipeline(), &mut fresh_store());
        assert_decode_error(&s, code, message);
    }
}

#[test]
fn a_bad_period_or_uuid_scheme_fails_the_import() {
    if store_skipped() {
        return;
    }
    let md = fixture_m();
    let xml = r#"<dataValueSet xmlns="http://dhis2.org/schema/dxf/2.0"><dataValue dataElement="f7n9E0hX8qk" period="2012M13" orgUnit="DiszpKrYNg8" value="1"/></dataValueSet>"#;
    let s = import_xml(&md, ADMIN, xml, &pipeline(), &mut fresh_store());
    assert_eq!(s.status, ImportStatus::Error);
    assert!(s
        .description
        .as_deref()
        .unwrap()
        .starts_with("The import process failed: "));
    let mut o = pipeline();
    o.id_schemes.org_unit = Some(IdScheme::Uuid);
    let s = import_xml(
        &md,
        ADMIN,
        &b_values_xml([DE_A, DE_B, DE_C], [OU_A, OU_B]),
        &o,
        &mut fresh_store(),
    );
    assert!(s.description.as_deref().unwrap().contains("UUID"), "{s:#?}");
}

#[test]
fn delete_strategy_counts_deleted_and_keeps_comments() {
    if store_skipped() {
        return;
    }
    let Some(a) = payload("dataValueSetA.xml") else {
        return;
    };
    let md = fixture_m();
    let mut store = fresh_store();
    assert_clean(&import_file(&md, ADMIN, &a, &pipeline(), &mut store), 3);
    let mut o = pipeline();
    o.strategy = ImportStrategy::Delete;
    let s = import_file(&md, ADMIN, &a, &o, &mut store);
    assert_eq!(s.status, ImportStatus::Success);
    assert_eq!(counts(&s), (0, 0, 3, 0));
    assert!(stored(&mut store, &md).is_empty());
    let k = key(DE_A, "201201", OU_A, DEF, DEF);
    let mut row = import_engine::store::StoredValue::empty(k, now());
    store.get(&k, &mut row).unwrap();
    assert!(row.deleted);
    assert_eq!(row.comment.as_deref(), Some("comment"));
    let audits = store.audits(&k).unwrap();
    assert_eq!(audits.last().unwrap().audit_type, AuditType::Delete);
}

#[test]
fn deleted_values_may_be_empty_and_zeros_are_stored() {
    if store_skipped() {
        return;
    }
    let md = fixture_m();
    let mut store = fresh_store();
    let xml = format!(
        r#"<dataValueSet xmlns="http://dhis2.org/schema/dxf/2.0" dataSet="{DS_A}" period="201201" orgUnit="{OU_A}">
        <dataValue dataElement="{DE_A}" value="0"/>
        <dataValue dataElement="{DE_B}" deleted="true"/>
        <dataValue dataElement="{DE_C}" value="5.0"/>
        </dataValueSet>"#
    );
    let s = import_xml(&md, ADMIN, &xml, &pipeline(), &mut store);
    assert_clean(&s, 3);
    let rows = stored(&mut store, &md);
    let value = |de: &str| {
        rows.iter()
            .find(|r| r.key.data_element == uid(de))
            .and_then(|r| r.value.clone())
    };
    assert_eq!(value(DE_A).as_deref(), Some("0"));
    assert_eq!(value(DE_C).as_deref(), Some("5"), "integer `.0` is removed");
    assert_eq!(rows.len(), 2, "the deleted value is stored as deleted");
    assert_eq!(value_count(&mut store), 3);
}

#[test]
fn atomic_mode_rejects_the_group_on_any_value_error() {
    if store_skipped() {
        return;
    }
    let Some(path) = payload("dataValueSetANull.xml") else {
        return;
    };
    let md = fixture_m();
    let mut store = fresh_store();
    let mut o = pipeline();
    o.atomic = true;
    let s = import_file(&md, ADMIN, &path, &o, &mut store);
    assert_group_error(
        &s,
        "E8000",
        "Atomic mode requires all values to be valid but only 1/3 were. First issue: Value #0 value is required",
        &[0, 1, 2],
    );
    assert!(stored(&mut store, &md).is_empty());
    // A single invalid value keeps its own error.
    let xml = format!(
        r#"<dataValueSet xmlns="http://dhis2.org/schema/dxf/2.0" dataSet="{DS_A}"><dataValue dataElement="{DE_A}" period="201201" orgUnit="{OU_A}" value="x"/></dataValueSet>"#
    );
    let s = import_xml(&md, ADMIN, &xml, &o, &mut store);
    assert_group_error(
        &s,
        "E8122",
        "Value #0 value `x` is no valid INTEGER: value_not_integer",
        &[0],
    );
}

#[test]
fn value_errors_skip_only_their_value() {
    if store_skipped() {
        return;
    }
    let mut md = fixture_m();
    assert!(md.update::<DataElement>(&uid(DE_A), |de_a| {
        de_a.option_set = Some(uid("optSetA0001"));
    }));
    let long = "c".repeat(5001);
    let xml = format!(
        r#"<dataValueSet xmlns="http://dhis2.org/schema/dxf/2.0" dataSet="{DS_A}" period="201201" orgUnit="{OU_A}">
        <dataValue dataElement="{DE_A}" value="2"/>
        <dataValue dataElement="{DE_A}" value="7" orgUnit="{OU_B}"/>
        <dataValue dataElement="{DE_B}" value="1" comment="{long}"/>
        <dataValue dataElement="{DE_C}" value="abc"/>
        <dataValue dataElement="{DE_D}" comment="only a comment"/>
        </dataValueSet>"#
    );
    let mut store = fresh_store();
    let s = import_xml(&md, ADMIN, &xml, &pipeline(), &mut store);
    assert_eq!(s.status, ImportStatus::Warning);
    assert_imported(&s, 1, 4);
    assert_eq!(
        s.conflicts
            .iter()
            .map(|c| c.value.as_str())
            .collect::<Vec<_>>(),
        [
            "Value #1 value `7` is no valid option for data element `f7n9E0hX8qk`",
            "Value #2 comment too long (max 5,000 characters)`",
            "Value #3 value `abc` is no valid INTEGER: value_not_integer",
            "Value #4 value is required",
        ]
    );
    assert_eq!(s.rejected_indexes, [1, 2, 3, 4]);
    // With `noValueRequiresComment` an empty value needs an empty comment (DHIS2's test is
    // inverted): the comment-only value is the one refused, with E8121.
    assert!(md.update::<DataSet>(&uid(DS_A), |ds| ds.no_value_requires_comment = true));
    let xml = format!(
        r#"<dataValueSet xmlns="http://dhis2.org/schema/dxf/2.0" dataSet="{DS_A}" period="201202" orgUnit="{OU_A}">
        <dataValue dataElement="{DE_A}"/>
        <dataValue dataElement="{DE_B}" comment="only a comment"/>
        </dataValueSet>"#
    );
    let s = import_xml(&md, ADMIN, &xml, &pipeline(), &mut fresh_store());
    assert_imported(&s, 1, 1);
    assert_eq!(
        s.conflicts[0].value,
        "Value #1 value or comment is required`"
    );
}

#[test]
fn data_set_detection_and_auto_grouping() {
    if store_skipped() {
        return;
    }
    let Some(path) = payload("dataValueSetB.xml") else {
        return;
    };
    let md = two_data_sets();
    let s = import_file(&md, ADMIN, &path, &pipeline(), &mut fresh_store());
    assert_group_error(
        &s,
        "E8002",
        "Data set detection failed, found multiple sets: `[pBOMPrpg1QX, dsBbbbbbb01]`",
        &(0..12).collect::<Vec<_>>(),
    );
    // With `dataEntryAutoGroup` every value goes to the first data set of its element.
    let settings = SystemSettings {
        data_entry_auto_group: true,
        ..SystemSettings::default()
    };
    let access = UserAccess::by_username(&md, "admin").unwrap();
    let importer = Importer::new(&md, &access)
        .with_now(now())
        .with_settings(settings);
    let mut store = fresh_store();
    let mut source = open(&path, &pipeline());
    let s = importer
        .import(
            &mut source,
            &pipeline(),
            &mut MetadataResolver::new(&md),
            &mut store,
            &mut |_| {},
        )
        .summary;
    assert_clean(&s, 12);
    // A data element in no data set fails the split as a decoding error.
    let xml = r#"<dataValueSet xmlns="http://dhis2.org/schema/dxf/2.0"><dataValue dataElement="f7n9E0hX8qk" period="201201" orgUnit="DiszpKrYNg8" value="1"/><dataValue dataElement="nonEx1sting" period="201201" orgUnit="DiszpKrYNg8" value="1"/></dataValueSet>"#;
    let reader = dxf2_xml::Reader::with_profile(xml.as_bytes(), ImporterProfile::Pipeline).unwrap();
    let mut source = reader;
    let s = importer
        .import(
            &mut source,
            &pipeline(),
            &mut MetadataResolver::new(&md),
            &mut fresh_store(),
            &mut |_| {},
        )
        .summary;
    assert_decode_error(
        &s,
        "E8003",
        "Data set detection failed, found no set for data element(s): `[nonEx1sting]`",
    );
}

#[test]
fn user_access_is_checked_for_other_users() {
    if store_skipped() {
        return;
    }
    let md = with_clerk(false);
    let clerk = Some("clerk");
    let value = |ou: &str, extra: &str| {
        format!(
            r#"<dataValueSet xmlns="http://dhis2.org/schema/dxf/2.0" dataSet="{DS_A}"><dataValue dataElement="{DE_A}" period="201201" orgUnit="{ou}" value="1" {extra}/></dataValueSet>"#
        )
    };
    let s = import_xml(
        &md,
        clerk,
        &value(OU_A, ""),
        &pipeline(),
        &mut fresh_store(),
    );
    assert_clean(&s, 1);
    let s = import_xml(
        &md,
        clerk,
        &value(OU_C, ""),
        &pipeline(),
        &mut fresh_store(),
    );
    assert_group_error(
        &s,
        "E8011",
        "Current user cannot enter data for org unit(s): `[j7Hg26FpoIa]`",
        &[0],
    );
    let extra = format!(r#"categoryOptionCombo="{OC_A}""#);
    let s = import_xml(
        &md,
        clerk,
        &value(OU_A, &extra),
        &pipeline(),
        &mut fresh_store(),
    );
    assert_group_error(
        &s,
        "E8012",
        "Current user cannot enter data for category option(s): `[cOptAaaaa01]`",
        &[0],
    );
    let mut md = md;
    let first = md.data_sets()[0].id.uid;
    md.update::<DataSet>(&first, |ds| ds.sharing.public = Some("r-r-----".into()));
    let s = import_xml(
        &md,
        clerk,
        &value(OU_A, ""),
        &pipeline(),
        &mut fresh_store(),
    );
    assert_group_error(
        &s,
        "E8010",
        "Current user cannot enter data for data set: `pBOMPrpg1QX`",
        &[0],
    );
}

#[test]
fn timeliness_for_users_without_edit_expired() {
    if store_skipped() {
        return;
    }
    let mut md = with_clerk(true);
    let clerk = Some("clerk");
    let month = |offset: i64| {
        let p = dxf2_model::PeriodType::Monthly
            .period_containing(now().date_naive())
            .unwrap();
        p.offset(offset).unwrap()
    };
    let xml = |pe: &str| {
        format!(
            r#"<dataValueSet xmlns="http://dhis2.org/schema/dxf/2.0" dataSet="{DS_A}"><dataValue dataElement="{DE_A}" period="{pe}" orgUnit="{OU_A}" value="1"/></dataValueSet>"#
        )
    };
    // The running month is after the latest open period (openFuturePeriods = 0).
    let current = month(0).to_string();
    let s = import_xml(&md, clerk, &xml(&current), &pipeline(), &mut fresh_store());
    assert_group_error(
        &s,
        "E8030",
        &format!("Untimely data entry for data set pBOMPrpg1QX and period(s): `[{current}]`"),
        &[0],
    );
    // A superuser forcing skips timeliness; the admin holds F_EDIT_EXPIRED anyway.
    let s = import_xml(&md, ADMIN, &xml(&current), &pipeline(), &mut fresh_store());
    assert_clean(&s, 1);
    // Expiry days, and the lock exception that lifts them.
    assert!(md.update::<DataSet>(&uid(DS_A), |ds| ds.expiry_days = 10));
    let old = month(-3);
    let s = import_xml(
        &md,
        clerk,
        &xml(&old.to_string()),
        &pipeline(),
        &mut fresh_store(),
    );
    assert_eq!(codes(&s), [("E8030".to_owned(), vec![0])]);
    let mut store = fresh_store();
    store.begin().unwrap();
    store
        .add_lock_exception(&uid(DS_A), &old, &uid(OU_A))
        .unwrap();
    store.commit().unwrap();
    let s = import_xml(&md, clerk, &xml(&old.to_string()), &pipeline(), &mut store);
    assert_clean(&s, 1);
}

#[test]
fn org_unit_opening_dates_and_attribute_option_restrictions() {
    if store_skipped() {
        return;
    }
    let Some(path) = payload("dataValueSetB.xml") else {
        return;
    };
    let mut md = fixture_m();
    assert!(md.update::<OrganisationUnit>(&uid(OU_A), |o| {
        o.opening_date = "2012-02-01".parse().ok();
    }));
    let s = import_file(&md, ADMIN, &path, &pipeline(), &mut fresh_store());
    assert_group_error(
        &s,
        "E8031",
        "Untimely data entry for org unit DiszpKrYNg8 and period(s): `[201201]`",
        &(0..12).collect::<Vec<_>>(),
    );

    // Attribute option combos: a data set with category combo A.
    let mut md = fixture_m();
    let first = md.data_sets()[0].id.uid;
    md.update::<DataSet>(&first, |ds| ds.category_combo = uid("ccAaaaaaa01"));
    let xml = format!(
        r#"<dataValueSet xmlns="http://dhis2.org/schema/dxf/2.0" dataSet="{DS_A}" attributeOptionCombo="{OC_A}">
        <dataValue dataElement="{DE_A}" period="201201" orgUnit="{OU_A}" value="1"/>
        <dataValue dataElement="{DE_A}" period="201203" orgUnit="{OU_A}" value="1"/>
        <dataValue dataElement="{DE_B}" period="201202" orgUnit="{OU_B}" value="1"/>
        </dataValueSet>"#
    );
    let s = import_xml(&md, ADMIN, &xml, &pipeline(), &mut fresh_store());
    assert_clean(&s, 3);
    let option = |md: &mut Metadata| md.category_option(&uid("cOptAaaaa01")).unwrap().clone();
    let mut a = option(&mut md);
    a.org_units = vec![uid(OU_B)];
    md.add_category_option(a);
    let s = import_xml(&md, ADMIN, &xml, &pipeline(), &mut fresh_store());
    assert_group_error(
        &s,
        "E8025",
        "Attribute option combo kjuiHgy67hg not usable with org unit(s): `[DiszpKrYNg8]`",
        &[0, 1, 2],
    );
    let mut a = option(&mut md);
    a.org_units = Vec::new();
    a.start_date = "2012-02-01".parse().ok();
    a.end_date = "2012-02-29".parse().ok();
    md.add_category_option(a);
    let s = import_xml(&md, ADMIN, &xml, &pipeline(), &mut fresh_store());
    assert_group_error(
        &s,
        "E8032",
        "Untimely data entry for attribute option combo kjuiHgy67hg and period(s): `[201201, 201203]`",
        &[0, 1, 2],
    );
    let first = md.data_sets()[0].id.uid;
    md.update::<DataSet>(&first, |ds| ds.open_periods_after_co_end_date = 1);
    let s = import_xml(&md, ADMIN, &xml, &pipeline(), &mut fresh_store());
    assert_eq!(
        s.conflicts[0].value,
        "Untimely data entry for attribute option combo kjuiHgy67hg and period(s): `[201201]`"
    );
}

#[test]
fn json_payloads_use_the_pipeline_keys() {
    if store_skipped() {
        return;
    }
    let md = fixture_m();
    let json = format!(
        r#"{{"dataSet":"{DS_A}","period":"201201","orgUnit":"{OU_A}","completeDate":"2012-01-09T10:00:00.000+0000","strategy":"DELETE",
        "dataValues":[{{"dataElement":"{DE_A}","value":"1","followUp":true}},{{"dataElement":"{DE_B}","value":"2","followup":true}}]}}"#
    );
    let reader =
        dxf2_json::Reader::with_profile(json.as_bytes(), ImporterProfile::Pipeline).unwrap();
    let access = UserAccess::by_username(&md, "admin").unwrap();
    let mut store = fresh_store();
    let s = Importer::new(&md, &access)
        .with_now(now())
        .import(
            &mut { reader },
            &pipeline(),
            &mut MetadataResolver::new(&md),
            &mut store,
            &mut |_| {},
        )
        .summary;
    // The payload strategy is not read; completeDate takes any DateUtils form.
    assert_clean(&s, 2);
    assert_eq!(s.data_set_complete.as_deref(), Some("2012-01-09"));
    let rows = stored(&mut store, &md);
    let followup = |de: &str| {
        rows.iter()
            .find(|r| r.key.data_element == uid(de))
            .unwrap()
            .followup
    };
    assert!(followup(DE_A));
    assert!(
        !followup(DE_B),
        "`followup` (lower case) is not read by 2.43+"
    );
}
