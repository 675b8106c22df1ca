// The body of the classic export tests (included by `tests/export.rs` here and in
// `dxf2-store-postgres`).

use chrono::{NaiveDate, TimeDelta, TimeZone, Utc};
use common::export::*;
use common::import::{key, uid};
use common::store::store_skipped;
use dxf2_model::metadata::{
    CategoryOption, CategoryOptionCombo, DataElementGroup, DataSet, Identity, Sharing,
};
use dxf2_model::{DataValue, DataValueSetHeader, IdScheme, IdSchemes, Metadata};
use idscheme_resolver::MetadataResolver;
use import_engine::export::{CheckOrder, ExportError, ExportParams, ExportSummary, Exporter};
use import_engine::store::{Completion, StoredValue};
use import_engine::{AccessPolicy, DataValueStore, Superuser, UserAccess};

/// A category option user A cannot data-read, and an option combo made of it (our addition).
const CO_R: &str = "coRestrictR";
const COC_R: &str = "cuabcdefghR";

/// A stored value of fixture E (COC = AOC), created at `at(i)`.
fn row(i: i64, de: &str, pe: &str, ou: &str, coc: &str, value: &str) -> StoredValue {
    stored_row(i, key(de, pe, ou, coc, coc), value)
}

/// The 12 stored values of fixture E ([`fixture_keys`]), value `1`, the i-th created at `at(i)`.
fn fixture_rows() -> Vec<StoredValue> {
    fixture_keys()
        .into_iter()
        .enumerate()
        .map(|(i, key)| stored_row(i as i64, key, "1"))
        .collect()
}

fn stores(md: &Metadata) -> Vec<(&'static str, Box<dyn DataValueStore>)> {
    stores_with(md, &fixture_rows(), &[])
}

fn export_as(
    md: &Metadata,
    access: &dyn AccessPolicy,
    order: CheckOrder,
    params: &ExportParams,
    store: &mut dyn DataValueStore,
) -> Result<(Collect, ExportSummary), ExportError> {
    let exporter = Exporter::new(md, access)
        .with_now(now())
        .with_check_order(order);
    let mut resolver = MetadataResolver::new(md);
    let mut out = Collect::default();
    let summary = exporter.export(params, &mut resolver, store, &mut out)?;
    assert!(out.finished);
    assert_eq!(summary.values, out.values.len() as u64);
    Ok((out, summary))
}

/// Exports as user A of fixture E (not a superuser; org units ouA, ouB; data read on dsA, dsB),
/// as DHIS2's export test does.
fn export_user_a(
    md: &Metadata,
    params: &ExportParams,
    store: &mut dyn DataValueStore,
) -> Result<Collect, ExportError> {
    let user = UserAccess::by_username(md, "userA").unwrap();
    export_as(md, &user, CheckOrder::Service, params, store).map(|(c, _)| c)
}

fn export_admin(
    md: &Metadata,
    params: &ExportParams,
    store: &mut dyn DataValueStore,
) -> Result<Collect, ExportError> {
    export_as(
        md,
        &Superuser::default(),
        CheckOrder::Service,
        params,
        store,
    )
    .map(|(c, _)| c)
}

fn error_of(result: Result<Collect, ExportError>) -> (String, String) {
    match result {
        Ok(c) => panic!("expected an error, got {} values", c.values.len()),
        Err(e) => (
            e.error_code()
                .map(|c| c.code.to_owned())
                .unwrap_or_default(),
            e.to_string(),
        ),
    }
}

// ---------------------------------------------------------------------------------------------
// DHIS2's export tests (DataValueSetServiceExportTest, 2.42)
// ---------------------------------------------------------------------------------------------

#[test]
fn basic_single_set_has_the_header_and_four_values() {
    if store_skipped() {
        return;
    }
    let md = fixture_e();
    for (name, mut store) in stores(&md) {
        let out = export_user_a(&md, &params(&[DS_A], &[PE_A], &[OU_A]), store.as_mut()).unwrap();
        let h = out.header();
        assert_eq!(h.data_set.as_deref(), Some(DS_A), "{name}");
        assert_eq!(h.period.as_deref(), Some(PE_A), "{name}");
        assert_eq!(h.org_unit.as_deref(), Some(OU_A), "{name}");
        assert_eq!(h.complete_date, None, "{name}: no registration");
        assert_eq!(out.values.len(), 4, "{name}");
        assert_eq!(out.column(DataValue::org_unit), [OU_A; 4], "{name}");
        assert_eq!(out.column(DataValue::period), [PE_A; 4], "{name}");
    }
}

#[test]
fn data_elements_by_code_from_url_params() {
    if store_skipped() {
        return;
    }
    let md = fixture_e();
    let mut p = params(&[], &[PE_A], &["OrganisationUnitCodeA"]);
    p.data_elements = strings(&["DataElementCodeA", "DataElementCodeB"]);
    p.input_id_schemes.data_element = Some(IdScheme::Code);
    p.input_id_schemes.org_unit = Some(IdScheme::Code);
    p.output_id_schemes.id_scheme = Some(IdScheme::Code);
    for (name, mut store) in stores(&md) {
        let out = export_user_a(&md, &p, store.as_mut()).unwrap();
        assert_eq!(out.values.len(), 4, "{name}");
        let mut des = out.column(DataValue::data_element);
        des.dedup();
        assert_eq!(des, ["DataElementCodeA", "DataElementCodeB"], "{name}");
        assert_eq!(
            out.header(),
            &DataValueSetHeader::default(),
            "{name}: no data set"
        );
    }
}

#[test]
fn data_set_and_org_unit_by_code_from_url_params() {
    if store_skipped() {
        return;
    }
    let md = fixture_e();
    let mut p = params(&["DataSetCodeA"], &[PE_A], &["OrganisationUnitCodeA"]);
    p.input_id_schemes.data_set = Some(IdScheme::Code);
    p.input_id_schemes.org_unit = Some(IdScheme::Code);
    p.output_id_schemes.data_set = Some(IdScheme::Code);
    p.output_id_schemes.org_unit = Some(IdScheme::Code);
    for (name, mut store) in stores(&md) {
        let out = export_user_a(&md, &p, store.as_mut()).unwrap();
        assert_eq!(out.header().data_set.as_deref(), Some("DataSetCodeA"));
        assert_eq!(
            out.header().org_unit.as_deref(),
            Some("OrganisationUnitCodeA")
        );
        assert_eq!(out.values.len(), 4, "{name}");
        assert_eq!(
            out.column(DataValue::org_unit),
            ["OrganisationUnitCodeA"; 4]
        );
        assert_eq!(out.column(DataValue::period), [PE_A; 4]);
        // Data elements keep the general output scheme (UID).
        assert_eq!(
            out.column(DataValue::data_element),
            [DE_A, DE_A, DE_B, DE_B]
        );
    }
}

#[test]
fn attribute_option_combo_filter() {
    if store_skipped() {
        return;
    }
    let md = fixture_e();
    let mut p = params(&[DS_A], &[PE_A], &[OU_B]);
    p.attribute_option_combos = strings(&[COC_A]);
    for (name, mut store) in stores(&md) {
        let out = export_user_a(&md, &p, store.as_mut()).unwrap();
        assert!(out.header().data_set.is_some(), "{name}");
        assert_eq!(out.values.len(), 2, "{name}");
        assert_eq!(out.column(DataValue::org_unit), [OU_B; 2]);
        assert_eq!(out.column(DataValue::period), [PE_A; 2]);
        assert_eq!(out.column(DataValue::attribute_option_combo), [COC_A; 2]);
    }
}

#[test]
fn attribute_option_combo_filter_with_codes_from_url_params() {
    if store_skipped() {
        return;
    }
    let md = fixture_e();
    let mut p = params(&["DataSetCodeA"], &[PE_A], &["OrganisationUnitCodeB"]);
    p.attribute_option_combos = strings(&["CategoryOptionComboCodeA"]);
    p.input_id_schemes.id_scheme = Some(IdScheme::Code);
    p.input_id_schemes.data_set = Some(IdScheme::Code);
    p.input_id_schemes.org_unit = Some(IdScheme::Code);
    p.output_id_schemes.data_set = Some(IdScheme::Code);
    p.output_id_schemes.org_unit = Some(IdScheme::Code);
    p.output_id_schemes.attribute_option_combo = Some(IdScheme::Code);
    for (name, mut store) in stores(&md) {
        let out = export_user_a(&md, &p, store.as_mut()).unwrap();
        assert!(out.header().data_set.is_some(), "{name}");
        assert_eq!(out.values.len(), 2, "{name}");
        assert_eq!(
            out.column(DataValue::org_unit),
            ["OrganisationUnitCodeB"; 2]
        );
        assert_eq!(
            out.column(DataValue::attribute_option_combo),
            ["CategoryOptionComboCodeA"; 2]
        );
        // The attribute option combo scheme does not apply to category option combos.
        assert_eq!(out.column(DataValue::category_option_combo), [COC_A; 2]);
        assert_eq!(out.column(DataValue::period), [PE_A; 2]);
    }
}

#[test]
fn org_unit_children_give_eight_values_and_keep_the_header() {
    if store_skipped() {
        return;
    }
    let md = fixture_e();
    let mut p = params(&[DS_A], &[PE_A], &[OU_A]);
    p.children = true;
    for (name, mut store) in stores(&md) {
        let out = export_user_a(&md, &p, store.as_mut()).unwrap();
        assert_eq!(out.header().data_set.as_deref(), Some(DS_A), "{name}");
        // The header names the requested parent while values belong to its children too.
        assert_eq!(out.header().org_unit.as_deref(), Some(OU_A), "{name}");
        assert_eq!(out.values.len(), 8, "{name}");
        assert_eq!(out.column(DataValue::period), [PE_A; 8]);
        let mut ous = out.column(DataValue::org_unit);
        ous.sort();
        ous.dedup();
        assert_eq!(ous, [OU_A, OU_B], "{name}");
    }
}

#[test]
fn output_code_scheme_for_a_single_set() {
    if store_skipped() {
        return;
    }
    let md = fixture_e();
    let mut p = params(&[DS_B], &[PE_B], &[OU_A]);
    p.output_id_schemes = IdSchemes {
        org_unit: Some(IdScheme::Code),
        data_element: Some(IdScheme::Code),
        data_set: Some(IdScheme::Code),
        ..IdSchemes::default()
    };
    for (name, mut store) in stores(&md) {
        let out = export_user_a(&md, &p, store.as_mut()).unwrap();
        assert_eq!(out.header().data_set.as_deref(), Some("DataSetCodeB"));
        assert_eq!(
            out.header().org_unit.as_deref(),
            Some("OrganisationUnitCodeA")
        );
        assert_eq!(out.values.len(), 2, "{name}");
        assert_eq!(out.column(DataValue::data_element), ["DataElementCodeA"; 2]);
        assert_eq!(
            out.column(DataValue::org_unit),
            ["OrganisationUnitCodeA"; 2]
        );
    }
}

#[test]
fn output_code_scheme_for_a_single_set_from_url_params_with_codes() {
    if store_skipped() {
        return;
    }
    let md = fixture_e();
    let mut p = params(&["DataSetCodeB"], &[PE_B], &["OrganisationUnitCodeA"]);
    p.input_id_schemes.id_scheme = Some(IdScheme::Code);
    p.output_id_schemes = IdSchemes {
        org_unit: Some(IdScheme::Code),
        data_element: Some(IdScheme::Code),
        data_set: Some(IdScheme::Code),
        ..IdSchemes::default()
    };
    for (name, mut store) in stores(&md) {
        let out = export_user_a(&md, &p, store.as_mut()).unwrap();
        assert_eq!(out.header().data_set.as_deref(), Some("DataSetCodeB"));
        assert_eq!(out.values.len(), 2, "{name}");
        assert_eq!(out.column(DataValue::data_element), ["DataElementCodeA"; 2]);
    }
}

#[test]
fn output_attribute_scheme() {
    if store_skipped() {
        return;
    }
    let md = fixture_e();
    let scheme = IdScheme::parse(&format!("ATTRIBUTE:{AT_A}")).unwrap();
    let mut p = params(&[DS_B], &[PE_B], &[OU_A]);
    p.output_id_schemes = IdSchemes {
        data_element: Some(scheme.clone()),
        org_unit: Some(scheme.clone()),
        category_option_combo: Some(scheme.clone()),
        ..IdSchemes::default()
    };
    for (name, mut store) in stores(&md) {
        let out = export_user_a(&md, &p, store.as_mut()).unwrap();
        assert_eq!(out.header().data_set.as_deref(), Some(DS_B), "{name}");
        // The header org unit follows the org unit scheme too.
        assert_eq!(out.header().org_unit.as_deref(), Some("AttributeValueB"));
        assert_eq!(out.values.len(), 2, "{name}");
        assert_eq!(out.column(DataValue::data_element), ["AttributeValueA"; 2]);
        assert_eq!(out.column(DataValue::org_unit), ["AttributeValueB"; 2]);
        assert_eq!(
            out.column(DataValue::category_option_combo),
            ["AttributeValueC", "AttributeValueD"]
        );
        // Attribute option combos keep the general scheme (UID).
        assert_eq!(
            out.column(DataValue::attribute_option_combo),
            [COC_A, COC_B]
        );
    }
    // An object without a value for the attribute is written without the identifier (classic
    // DHIS2 writes a null id): deB and ouB have none.
    let mut p = params(&[DS_A], &[PE_A], &[OU_B]);
    p.output_id_schemes.id_scheme = Some(scheme);
    for (name, mut store) in stores(&md) {
        let out = export_user_a(&md, &p, store.as_mut()).unwrap();
        assert_eq!(out.header().org_unit, None, "{name}");
        assert_eq!(
            out.header().data_set,
            None,
            "{name}: dsA has no value either"
        );
        assert_eq!(
            out.column(DataValue::data_element),
            ["AttributeValueA", "AttributeValueA", "<absent>", "<absent>"]
        );
        assert_eq!(out.column(DataValue::org_unit), ["<absent>"; 4]);
    }
}

#[test]
fn last_updated_alone_is_enough_and_exports_everything() {
    if store_skipped() {
        return;
    }
    let md = fixture_e();
    let mut p = params(&[DS_A], &[], &[OU_A]);
    p.children = true;
    p.last_updated = Some(Utc.with_ymd_and_hms(1970, 1, 1, 0, 0, 0).unwrap());
    // deC is in no data set: its value is not exported.
    let mut rows = fixture_rows();
    rows.push(row(30, DE_C, PE_A, OU_A, COC_A, "3"));
    for (name, mut store) in stores_with(&md, &rows, &[]) {
        let out = export_user_a(&md, &p, store.as_mut()).unwrap();
        assert_eq!(out.values.len(), 12, "{name}");
        assert_eq!(out.header(), &DataValueSetHeader::default(), "{name}");
    }
}

// ---------------------------------------------------------------------------------------------
// DHIS2's checks (E2001–E2012)
// ---------------------------------------------------------------------------------------------

#[test]
fn every_parameter_check_with_dhis2s_code_and_message() {
    if store_skipped() {
        return;
    }
    let md = fixture_e();
    let dated = |start: NaiveDate, end: NaiveDate, periods: &[&str]| {
        let mut p = params(&[DS_A], periods, &[OU_B]);
        p.start_date = Some(start);
        p.end_date = Some(end);
        p
    };
    let with = |f: &dyn Fn(&mut ExportParams), base: ExportParams| {
        let mut p = base;
        f(&mut p);
        p
    };
    let cases: Vec<(ExportParams, &str, &str)> = vec![
        (
            params(&[], &[PE_A], &[OU_B]),
            "E2001",
            "E2001: At least one data element, data set or data element group must be specified",
        ),
        (
            params(&[DS_A], &[], &[OU_A]),
            "E2002",
            "E2002: At least one period, start/end dates, last updated or last updated duration must be specified",
        ),
        (
            dated(date(2019, 1, 1), date(2019, 1, 31), &[PE_A]),
            "E2003",
            "E2003: Both periods and start/end date cannot be specified",
        ),
        (
            dated(date(2019, 3, 1), date(2019, 1, 31), &[]),
            "E2004",
            "E2004: Start date must be before end date",
        ),
        (
            with(
                &|p| p.last_updated_duration = Some("10w".into()),
                params(&[DS_A], &[], &[OU_A]),
            ),
            "E2005",
            // DHIS2 builds this message without its argument: the placeholder stays.
            "E2005: Duration is not valid: `{0}`",
        ),
        (
            params(&[DS_A], &[PE_A], &[]),
            "E2006",
            "E2006: At least one organisation unit or organisation unit group must be specified",
        ),
        (
            with(
                &|p| {
                    p.org_unit_groups = strings(&[OG_A]);
                    p.children = true;
                },
                params(&[DS_A], &[PE_A], &[OU_A]),
            ),
            "E2007",
            "E2007: Organisation unit children cannot be included for organisation unit groups",
        ),
        (
            // DHIS2's testAtLestOneOrgUnitWithChildren: E2007 applies too, the later E2008 wins.
            with(
                &|p| {
                    p.org_unit_groups = strings(&[OG_A]);
                    p.children = true;
                },
                params(&[DS_A], &[PE_A, PE_B], &[]),
            ),
            "E2008",
            "E2008: At least one organisation unit must be specified when children are included",
        ),
        (
            with(
                &|p| p.limit = Some(-2),
                params(&[DS_A], &[PE_A, PE_B], &[OU_B]),
            ),
            "E2009",
            "E2009: Limit cannot be less than zero: `-2`",
        ),
        (
            // MessageFormat groups digits.
            with(
                &|p| p.limit = Some(-1500),
                params(&[DS_A], &[PE_A, PE_B], &[OU_B]),
            ),
            "E2009",
            "E2009: Limit cannot be less than zero: `-1,500`",
        ),
        (
            // Nothing given: E2001, E2002 and E2006 fail; the last one is reported.
            ExportParams::default(),
            "E2006",
            "E2006: At least one organisation unit or organisation unit group must be specified",
        ),
        (
            // Unresolvable identifiers and periods are dropped silently.
            params(&["nonExisting", "DataSetCodeA"], &["2016-13", "201613"], &[OU_A]),
            "E2002",
            "E2002: At least one period, start/end dates, last updated or last updated duration must be specified",
        ),
        (
            params(&["nonExisting"], &[PE_A], &[OU_A]),
            "E2001",
            "E2001: At least one data element, data set or data element group must be specified",
        ),
        (
            params(&[DS_A], &[PE_A], &["OrganisationUnitCodeA"]),
            "E2006",
            "E2006: At least one organisation unit or organisation unit group must be specified",
        ),
    ];
    for (name, mut store) in stores(&md) {
        for (p, code, message) in &cases {
            let (c, m) = error_of(export_user_a(&md, p, store.as_mut()));
            assert_eq!((c.as_str(), m.as_str()), (*code, *message), "{name}: {p:?}");
        }
    }
}

#[test]
fn an_org_unit_outside_the_users_hierarchy_is_refused() {
    if store_skipped() {
        return;
    }
    let md = fixture_e();
    for (name, mut store) in stores(&md) {
        let (code, message) = error_of(export_user_a(
            &md,
            &params(&[DS_A], &[PE_A], &[OU_C]),
            store.as_mut(),
        ));
        assert_eq!(code, "E2012", "{name}");
        assert_eq!(
            message,
            format!("E2012: User is not allowed to view org unit: `{OU_C}`")
        );
        // A superuser reaches it (nothing is stored there).
        let out = export_admin(&md, &params(&[DS_A], &[PE_A], &[OU_C]), store.as_mut()).unwrap();
        assert!(out.values.is_empty(), "{name}");
    }
}

/// Fixture E plus: dsB no longer shared with user A; category option R that user A cannot
/// data-read, with an option combo R; stored values of deA with AOC R.
fn restricted_fixture() -> (Metadata, Vec<StoredValue>) {
    let mut md = fixture_e();
    let mut ds_b: DataSet = md.data_set(&uid(DS_B)).unwrap().clone();
    ds_b.sharing.users.clear();
    md.add_data_set(ds_b);
    md.add_category_option(CategoryOption {
        id: Identity {
            name: Some("Restricted".into()),
            ..Identity::new(uid(CO_R))
        },
        start_date: None,
        end_date: None,
        org_units: Vec::new(),
        sharing: Sharing {
            public: Some("rw------".into()),
            ..Sharing::default()
        },
    });
    md.add_category_option_combo(CategoryOptionCombo {
        id: Identity {
            name: Some("Restricted".into()),
            ..Identity::new(uid(COC_R))
        },
        category_combo: uid("ccabcdefghA"),
        options: vec![uid(CO_R)],
        ignore_approval: false,
    });
    let mut rows = fixture_rows();
    rows.push(row(20, DE_A, PE_A, OU_A, COC_R, "7"));
    rows.push(row(21, DE_A, PE_A, OU_B, COC_R, "8"));
    (md, rows)
}

#[test]
fn data_set_and_attribute_option_combo_read_sharing() {
    if store_skipped() {
        return;
    }
    let (md, rows) = restricted_fixture();
    for (name, mut store) in stores_with(&md, &rows, &[]) {
        let (code, message) = error_of(export_user_a(
            &md,
            &params(&[DS_A, DS_B], &[PE_A], &[OU_A]),
            store.as_mut(),
        ));
        assert_eq!(code, "E2010", "{name}");
        assert_eq!(
            message,
            format!("E2010: User is not allowed to read data for data set: `{DS_B}`")
        );

        let mut p = params(&[DS_A], &[PE_A], &[OU_A]);
        p.attribute_option_combos = strings(&[COC_A, COC_R]);
        let (code, message) = error_of(export_user_a(&md, &p, store.as_mut()));
        assert_eq!(code, "E2011", "{name}");
        assert_eq!(
            message,
            format!(
                "E2011: User is not allowed to read data for attribute option combo: `{COC_R}`"
            )
        );

        // The default combo and a combo without options are always readable.
        p.attribute_option_combos = strings(&[COC_A, DEFAULT_COC]);
        assert!(export_user_a(&md, &p, store.as_mut()).is_ok(), "{name}");

        // Superusers read everything.
        p.data_sets = strings(&[DS_A, DS_B]);
        p.attribute_option_combos = strings(&[COC_R]);
        let out = export_admin(&md, &p, store.as_mut()).unwrap();
        assert_eq!(out.column(DataValue::value), ["7"], "{name}");
    }
}

#[test]
fn values_of_unreadable_attribute_option_combos_are_left_out_for_non_superusers() {
    if store_skipped() {
        return;
    }
    let (md, rows) = restricted_fixture();
    let user = UserAccess::by_username(&md, "userA").unwrap();
    let mut p = params(&[DS_A], &[PE_A], &[OU_A]);
    p.children = true;
    for (name, mut store) in stores_with(&md, &rows, &[]) {
        let (out, summary) =
            export_as(&md, &user, CheckOrder::Service, &p, store.as_mut()).unwrap();
        assert_eq!(out.values.len(), 8, "{name}");
        assert_eq!(summary.skipped, 2, "{name}");
        assert!(!out
            .column(DataValue::attribute_option_combo)
            .contains(&COC_R.to_owned()));

        let (out, summary) = export_as(
            &md,
            &Superuser::default(),
            CheckOrder::Service,
            &p,
            store.as_mut(),
        )
        .unwrap();
        assert_eq!((out.values.len(), summary.skipped), (10, 0), "{name}");

        // The limit counts the values the user may see (DHIS2 filters in SQL, before `limit`).
        let mut limited = p.clone();
        limited.limit = Some(9);
        let (out, _) =
            export_as(&md, &user, CheckOrder::Service, &limited, store.as_mut()).unwrap();
        assert_eq!(out.values.len(), 8, "{name}");
        limited.limit = Some(3);
        let (out, _) =
            export_as(&md, &user, CheckOrder::Service, &limited, store.as_mut()).unwrap();
        assert_eq!(out.values.len(), 3, "{name}");
    }
}

#[test]
fn check_order_of_the_service_and_of_the_web_api() {
    if store_skipped() {
        return;
    }
    let md = fixture_e();
    let user = UserAccess::by_username(&md, "userA").unwrap();
    // Outside the hierarchy (E2012) and no period (E2002).
    let p = params(&[DS_A], &[], &[OU_C]);
    for (name, mut store) in stores(&md) {
        let service = export_as(&md, &user, CheckOrder::Service, &p, store.as_mut());
        assert_eq!(
            service.unwrap_err().error_code().unwrap().code,
            "E2012",
            "{name}"
        );
        let web = export_as(&md, &user, CheckOrder::WebApi, &p, store.as_mut());
        assert_eq!(
            web.unwrap_err().error_code().unwrap().code,
            "E2002",
            "{name}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// What is exported (spec §6.3) and how it is written (§1.6, §6.4)
// ---------------------------------------------------------------------------------------------

#[test]
fn deleted_values_only_on_request() {
    if store_skipped() {
        return;
    }
    let md = fixture_e();
    let mut rows = fixture_rows();
    rows[0].deleted = true; // deA / peA / ouA / cocA
    for (name, mut store) in stores_with(&md, &rows, &[]) {
        let mut p = params(&[DS_A], &[PE_A], &[OU_A]);
        let out = export_admin(&md, &p, store.as_mut()).unwrap();
        assert_eq!(out.values.len(), 3, "{name}");
        assert!(out.values.iter().all(|v| v.deleted().is_none()), "{name}");

        p.include_deleted = true;
        let out = export_admin(&md, &p, store.as_mut()).unwrap();
        assert_eq!(out.values.len(), 4, "{name}");
        let deleted: Vec<Option<bool>> = out.values.iter().map(DataValue::deleted).collect();
        assert_eq!(deleted, [Some(true), None, None, None], "{name}");
        assert!(out.values.iter().all(|v| v.followup() == Some(false)));
    }
}

#[test]
fn last_updated_and_last_updated_duration() {
    if store_skipped() {
        return;
    }
    let md = fixture_e();
    let mut p = params(&[DS_A], &[], &[OU_A]);
    p.children = true;
    for (name, mut store) in stores(&md) {
        // Values i = 0..12 were updated at 08:00 + i hours; the boundary is included.
        p.last_updated = Some(at(9));
        let out = export_admin(&md, &p, store.as_mut()).unwrap();
        assert_eq!(out.values.len(), 3, "{name}");

        // now = 2016-05-02 00:00 = at(16): 10h back is at(6).
        p.last_updated = None;
        p.last_updated_duration = Some("10h".into());
        let out = export_admin(&md, &p, store.as_mut()).unwrap();
        assert_eq!(out.values.len(), 6, "{name}");
        p.last_updated_duration = Some("1d".into());
        assert_eq!(
            export_admin(&md, &p, store.as_mut()).unwrap().values.len(),
            12
        );
        p.last_updated_duration = Some("60s".into());
        assert_eq!(
            export_admin(&md, &p, store.as_mut()).unwrap().values.len(),
            0
        );
        // `lastUpdated` wins over the duration.
        p.last_updated = Some(at(11));
        p.last_updated_duration = Some("1d".into());
        assert_eq!(
            export_admin(&md, &p, store.as_mut()).unwrap().values.len(),
            1
        );
    }
}

#[test]
fn start_and_end_dates_select_periods_fully_inside() {
    if store_skipped() {
        return;
    }
    let md = fixture_e();
    let mut p = params(&[DS_A], &[], &[OU_A]);
    p.children = true;
    for (name, mut store) in stores(&md) {
        p.start_date = Some(date(2016, 3, 1));
        p.end_date = Some(date(2016, 3, 31));
        assert_eq!(
            export_admin(&md, &p, store.as_mut()).unwrap().values.len(),
            8,
            "{name}"
        );
        p.end_date = Some(date(2016, 4, 29));
        assert_eq!(
            export_admin(&md, &p, store.as_mut()).unwrap().values.len(),
            8,
            "{name}: April is not fully inside"
        );
        p.end_date = Some(date(2016, 4, 30));
        let out = export_admin(&md, &p, store.as_mut()).unwrap();
        assert_eq!(out.values.len(), 12, "{name}");
        assert_eq!(out.header(), &DataValueSetHeader::default());
    }
}

#[test]
fn limit_and_deterministic_order() {
    if store_skipped() {
        return;
    }
    let md = fixture_e();
    let mut p = params(&[DS_A, DS_B], &[PE_A, PE_B], &[OU_A]);
    p.children = true;
    for (name, mut store) in stores(&md) {
        let all = export_admin(&md, &p, store.as_mut()).unwrap();
        assert_eq!(all.values.len(), 12, "{name}");
        // The store's order: period, data element, org unit, COC, AOC.
        let keys: Vec<String> = all
            .values
            .iter()
            .map(|v| {
                format!(
                    "{} {} {} {}",
                    v.period().unwrap(),
                    v.data_element().unwrap(),
                    v.org_unit().unwrap(),
                    v.category_option_combo().unwrap()
                )
            })
            .collect();
        let mut sorted = keys.clone();
        sorted.sort();
        assert_eq!(keys, sorted, "{name}");
        assert_eq!(keys[0], format!("{PE_A} {DE_A} {OU_A} {COC_A}"));
        // Again: the same order.
        let again = export_admin(&md, &p, store.as_mut()).unwrap();
        assert_eq!(again.values, all.values, "{name}");

        let mut limited = p.clone();
        limited.limit = Some(5);
        let out = export_admin(&md, &limited, store.as_mut()).unwrap();
        assert_eq!(out.values, all.values[..5], "{name}");
        limited.limit = Some(0);
        assert!(export_admin(&md, &limited, store.as_mut())
            .unwrap()
            .values
            .is_empty());
    }
}

#[test]
fn data_element_groups_replace_data_sets_and_drop_the_header() {
    if store_skipped() {
        return;
    }
    let mut md = fixture_e();
    md.add_data_element_group(DataElementGroup {
        id: Identity {
            code: Some("DataElementGroupCodeA".into()),
            ..Identity::new(uid("degabcdefgA"))
        },
        data_elements: vec![uid(DE_B)],
    });
    let mut p = params(&[DS_B], &[PE_A], &[OU_A]);
    p.data_element_groups = strings(&["DataElementGroupCodeA"]);
    p.input_id_schemes.data_element_group = Some(IdScheme::Code);
    for (name, mut store) in stores(&md) {
        let out = export_admin(&md, &p, store.as_mut()).unwrap();
        // dsB holds only deA: the group's deB replaces it.
        assert_eq!(out.column(DataValue::data_element), [DE_B; 2], "{name}");
        assert_eq!(out.header(), &DataValueSetHeader::default(), "{name}");
    }
}

#[test]
fn org_unit_groups_add_their_members() {
    if store_skipped() {
        return;
    }
    let mut md = fixture_e();
    let mut group = md.org_unit_group(&uid(OG_A)).unwrap().clone();
    group.org_units = vec![uid(OU_B)];
    md.add_org_unit_group(group);
    for (name, mut store) in stores(&md) {
        let mut p = params(&[DS_B], &[PE_A], &[]);
        p.org_unit_groups = strings(&[OG_A]);
        let out = export_admin(&md, &p, store.as_mut()).unwrap();
        assert_eq!(out.column(DataValue::org_unit), [OU_B; 2], "{name}");
        p.org_units = strings(&[OU_A]);
        let out = export_admin(&md, &p, store.as_mut()).unwrap();
        assert_eq!(out.values.len(), 4, "{name}");
    }
}

#[test]
fn a_shared_name_selects_every_object_that_has_it() {
    if store_skipped() {
        return;
    }
    let mut md = fixture_e();
    for ou in [OU_A, OU_B] {
        let mut unit = md.org_unit(&uid(ou)).unwrap().clone();
        unit.id.name = Some("Twin".into());
        md.add_org_unit(unit);
    }
    let mut p = params(&[DS_B], &[PE_A], &["Twin"]);
    p.input_id_schemes.org_unit = Some(IdScheme::Name);
    for (name, mut store) in stores(&md) {
        let out = export_admin(&md, &p, store.as_mut()).unwrap();
        assert_eq!(out.values.len(), 4, "{name}");
        assert_eq!(
            out.header(),
            &DataValueSetHeader::default(),
            "{name}: two org units"
        );
    }
}

#[test]
fn data_sets_without_data_elements_fail_like_dhis2() {
    if store_skipped() {
        return;
    }
    let mut md = fixture_e();
    let mut empty = md.data_set(&uid(DS_B)).unwrap().clone();
    empty.id = Identity::new(uid("dsabcdefghE"));
    empty.elements.clear();
    md.add_data_set(empty);
    for (name, mut store) in stores(&md) {
        let err = export_admin(
            &md,
            &params(&["dsabcdefghE"], &[PE_A], &[OU_A]),
            store.as_mut(),
        )
        .unwrap_err();
        assert!(matches!(err, ExportError::NoDataElements), "{name}: {err}");
    }
}

#[test]
fn id_output_scheme_is_refused_before_writing() {
    if store_skipped() {
        return;
    }
    let md = fixture_e();
    let mut p = params(&[DS_A], &[PE_A], &[OU_A]);
    p.output_id_schemes.org_unit = Some(IdScheme::Id);
    for (name, mut store) in stores(&md) {
        let err = export_admin(&md, &p, store.as_mut()).unwrap_err();
        assert!(
            matches!(err, ExportError::UnsupportedOutputScheme { .. }),
            "{name}: {err}"
        );
        assert!(err.to_string().contains("orgUnitIdScheme"), "{err}");
    }
}

#[test]
fn json_document_of_a_single_set_with_its_completion() {
    if store_skipped() {
        return;
    }
    let md = fixture_e();
    let completion = Completion {
        data_set: uid(DS_B),
        period: PE_B.parse().unwrap(),
        org_unit: uid(OU_A),
        attribute_option_combo: uid(DEFAULT_COC),
        date: date(2016, 5, 2),
        stored_by: "admin".into(),
        last_updated: now(),
        completed: true,
    };
    let mut rows = fixture_rows();
    rows[4].comment = Some("a \"quoted\" comment".into());
    rows[4].followup = true;
    rows[4].last_updated = at(4) + TimeDelta::try_milliseconds(123).unwrap();
    let expected = concat!(
        r#"{"dataSet":"dsabcdefghB","completeDate":"2016-05-02T00:00:00.000+0000","period":"201604","orgUnit":"ouabcdefghA","dataValues":["#,
        r#"{"dataElement":"deabcdefghA","period":"201604","orgUnit":"ouabcdefghA","categoryOptionCombo":"cuabcdefghA","attributeOptionCombo":"cuabcdefghA","value":"1","storedBy":"admin","created":"2016-05-01T12:00:00.000+0000","lastUpdated":"2016-05-01T12:00:00.123+0000","comment":"a \"quoted\" comment","followup":true},"#,
        r#"{"dataElement":"deabcdefghA","period":"201604","orgUnit":"ouabcdefghA","categoryOptionCombo":"cuabcdefghB","attributeOptionCombo":"cuabcdefghB","value":"1","storedBy":"admin","created":"2016-05-01T13:00:00.000+0000","lastUpdated":"2016-05-01T13:00:00.000+0000","comment":null,"followup":false}]}"#,
    );
    for (name, mut store) in stores_with(&md, &rows, std::slice::from_ref(&completion)) {
        let user = UserAccess::by_username(&md, "userA").unwrap();
        let exporter = Exporter::new(&md, &user).with_now(now());
        let mut resolver = MetadataResolver::new(&md);
        let mut writer = dxf2_json::Writer::new(Vec::new());
        let summary = exporter
            .export(
                &params(&[DS_B], &[PE_B], &[OU_A]),
                &mut resolver,
                store.as_mut(),
                &mut writer,
            )
            .unwrap();
        assert_eq!(
            summary,
            ExportSummary {
                values: 2,
                skipped: 0,
                header: true
            }
        );
        assert_eq!(
            String::from_utf8(writer.into_inner()).unwrap(),
            expected,
            "{name}"
        );
    }
    // The completion is looked up for the default attribute option combo only.
    let other_aoc = Completion {
        attribute_option_combo: uid(COC_A),
        ..completion
    };
    for (name, mut store) in stores_with(&md, &fixture_rows(), &[other_aoc]) {
        let out = export_admin(&md, &params(&[DS_B], &[PE_B], &[OU_A]), store.as_mut()).unwrap();
        assert_eq!(out.header().complete_date, None, "{name}");
    }
}

#[test]
fn plans_are_checked_before_anything_is_written() {
    if store_skipped() {
        return;
    }
    let md = fixture_e();
    let access = Superuser::default();
    let exporter = Exporter::new(&md, &access);
    let resolver = MetadataResolver::new(&md);
    let plan = exporter
        .plan(&params(&[DS_A], &[PE_A, PE_B], &[OU_A]), &resolver)
        .unwrap();
    assert!(!plan.has_header());
    assert_eq!(plan.query().data_elements, [uid(DE_A), uid(DE_B)]);
    assert_eq!(plan.query().org_units, Some(vec![uid(OU_A)]));
    assert!(exporter.plan(&params(&[], &[], &[]), &resolver).is_err());
}
