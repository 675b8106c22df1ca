// One file: the 2.43+ export's rules on fixture E, each kept beside its classic answer.
// The body of the 2.43+ export tests (included by `tests/export_pipeline.rs` here and in
// `dxf2-store-postgres`).

use common::export::*;
use common::import::{key, uid};
use common::store::store_skipped;
use dxf2_model::metadata::DataSet;
use dxf2_model::{DataValue, IdScheme, IdSchemes, ImporterProfile, Metadata, Period, Uid};
use idscheme_resolver::MetadataResolver;
use import_engine::export::{CheckOrder, ExportError, ExportParams, ExportSummary, Exporter};
use import_engine::store::{
    Audit, Changes, Completion, DataValueKey, Existing, StoredValue, ValueOrder, ValueQuery,
};
use import_engine::{AccessPolicy, DataValueStore, StoreError, Superuser, UserAccess};

fn fixture() -> Metadata {
    let mut md = fixture_e();
    md.ensure_defaults();
    md.compute_hierarchy().unwrap();
    md
}

/// A stored value created at `at(created)`, with value `v<created>`.
fn row(created: i64, de: &str, pe: &str, ou: &str, coc: &str, aoc: &str) -> StoredValue {
    stored_row(created, key(de, pe, ou, coc, aoc), &format!("v{created}"))
}

/// The 12 values of fixture E ([`fixture_keys`]), each with value `v<i>`, created at `at(i)`
/// where i counts *down* in the key order (so that the 2.43 order, by `created`, is visibly not
/// the key order).
fn fixture_rows() -> Vec<StoredValue> {
    let keys = fixture_keys();
    let last = keys.len() as i64 - 1;
    keys.into_iter()
        .enumerate()
        .map(|(i, key)| {
            let created = last - i as i64;
            stored_row(created, key, &format!("v{created}"))
        })
        .collect()
}

fn stores(md: &Metadata) -> Vec<(&'static str, Box<dyn DataValueStore>)> {
    stores_with(md, &fixture_rows(), &[])
}

fn export_with(
    md: &Metadata,
    access: &dyn AccessPolicy,
    profile: ImporterProfile,
    params: &ExportParams,
    store: &mut dyn DataValueStore,
) -> Result<(Collect, ExportSummary), ExportError> {
    let exporter = Exporter::new(md, access)
        .with_now(now())
        .with_profile(profile);
    let resolver = MetadataResolver::new(md);
    let plan = exporter.plan(params, &resolver)?;
    assert_eq!(plan.profile(), profile);
    let mut out = Collect::default();
    let written = exporter.write(&plan, &resolver, store, &mut out);
    if written.is_err() {
        assert!(out.header.is_none(), "a refused export wrote something");
    }
    let summary = written?;
    assert!(out.finished);
    assert_eq!(summary.values, out.values.len() as u64);
    Ok((out, summary))
}

/// As DHIS2 2.43+, as the superuser.
fn export(params: &ExportParams, md: &Metadata, store: &mut dyn DataValueStore) -> Collect {
    export_with(
        md,
        &Superuser::default(),
        ImporterProfile::Pipeline,
        params,
        store,
    )
    .unwrap()
    .0
}

/// The code and message of a refused export, under both profiles: (2.43+, classic).
fn refusals(
    md: &Metadata,
    access: &dyn AccessPolicy,
    p: &ExportParams,
    store: &mut dyn DataValueStore,
) -> (String, String) {
    let mut message = |profile| match export_with(md, access, profile, p, store) {
        Ok((c, _)) => panic!(
            "{profile:?}: expected a refusal, got {} values",
            c.values.len()
        ),
        Err(e) => e.to_string(),
    };
    (
        message(ImporterProfile::Pipeline),
        message(ImporterProfile::Classic),
    )
}

/// The message of a request 2.43+ refuses.
fn refusal(
    md: &Metadata,
    access: &dyn AccessPolicy,
    p: &ExportParams,
    store: &mut dyn DataValueStore,
) -> String {
    match export_with(md, access, ImporterProfile::Pipeline, p, store) {
        Ok((c, _)) => panic!("expected a refusal, got {} values", c.values.len()),
        Err(e) => e.to_string(),
    }
}

// ---------------------------------------------------------------------------------------------
// The group header and the values (spec §6.6, §1.7)
// ---------------------------------------------------------------------------------------------

#[test]
fn single_set_header_and_values_without_the_headers_fields() {
    if store_skipped() {
        return;
    }
    let md = fixture();
    for (name, mut store) in stores(&md) {
        let p = params(&[DS_A], &[PE_A], &[OU_A]);
        let out = export(&p, &md, store.as_mut());
        let h = out.header();
        assert_eq!(h.data_set.as_deref(), Some(DS_A), "{name}");
        assert_eq!(h.period.as_deref(), Some(PE_A), "{name}");
        assert_eq!(h.org_unit.as_deref(), Some(OU_A), "{name}");
        // cocA and cocB as attribute option combos: nothing common.
        assert_eq!(h.attribute_option_combo, None, "{name}");
        assert_eq!(h.complete_date, None, "{name}: 2.43 writes no completeDate");
        assert_eq!(
            h.data_element_id_scheme, None,
            "{name}: UID schemes are not written"
        );
        // Order: period start, period end, created, data element (deB's values were created
        // first).
        assert_eq!(
            out.column(DataValue::value),
            ["v2", "v3", "v10", "v11"],
            "{name}"
        );
        assert_eq!(
            out.column(DataValue::data_element),
            [DE_B, DE_B, DE_A, DE_A],
            "{name}"
        );
        assert_eq!(
            out.column(DataValue::period),
            ["<absent>"; 4],
            "{name}: the period is the group's"
        );
        assert_eq!(out.column(DataValue::org_unit), ["<absent>"; 4], "{name}");
        assert_eq!(
            out.column(DataValue::attribute_option_combo),
            [COC_B, COC_A, COC_B, COC_A],
            "{name}"
        );
        let v = &out.values[0];
        assert_eq!(v.category_option_combo(), Some(COC_B));
        assert_eq!(v.stored_by(), Some("admin"));
        assert_eq!(v.created(), Some("2016-05-01T10:00:00.000+0000"));
        assert_eq!(v.followup(), Some(false));
        assert_eq!(v.deleted(), Some(false));

        // The classic export of the same request: every field on every value, key order.
        let (classic, _) = export_with(
            &md,
            &Superuser::default(),
            ImporterProfile::Classic,
            &p,
            store.as_mut(),
        )
        .unwrap();
        assert_eq!(
            classic.column(DataValue::value),
            ["v11", "v10", "v3", "v2"],
            "{name}"
        );
        assert_eq!(classic.column(DataValue::period), [PE_A; 4], "{name}");
        assert_eq!(classic.column(DataValue::org_unit), [OU_A; 4], "{name}");
    }
}

#[test]
fn header_parts_come_from_the_request_one_by_one() {
    if store_skipped() {
        return;
    }
    let md = fixture();
    for (name, mut store) in stores(&md) {
        // Two data sets, one period, one org unit: no data set, but period and org unit
        // (classic writes no header at all).
        let out = export(
            &params(&[DS_A, DS_B], &[PE_A], &[OU_A]),
            &md,
            store.as_mut(),
        );
        let h = out.header();
        assert_eq!(
            (
                h.data_set.as_deref(),
                h.period.as_deref(),
                h.org_unit.as_deref()
            ),
            (None, Some(PE_A), Some(OU_A)),
            "{name}"
        );
        assert_eq!(out.values.len(), 4, "{name}");

        // Two periods: every value has its period; data set and org unit in the header.
        let out = export(
            &params(&[DS_A], &[PE_A, PE_B], &[OU_A]),
            &md,
            store.as_mut(),
        );
        let h = out.header();
        assert_eq!(
            (
                h.data_set.as_deref(),
                h.period.as_deref(),
                h.org_unit.as_deref()
            ),
            (Some(DS_A), None, Some(OU_A)),
            "{name}"
        );
        // peA (2016-03) before peB; within a period by created.
        assert_eq!(
            out.column(DataValue::period),
            [PE_A, PE_A, PE_A, PE_A, PE_B, PE_B],
            "{name}"
        );
        assert_eq!(
            out.column(DataValue::value),
            ["v2", "v3", "v10", "v11", "v6", "v7"],
            "{name}"
        );

        // Start and end dates: no period in the header.
        let mut p = params(&[DS_A], &[], &[OU_A]);
        p.start_date = Some(date(2016, 3, 1));
        p.end_date = Some(date(2016, 4, 30));
        let out = export(&p, &md, store.as_mut());
        assert_eq!(out.header().period, None, "{name}");
        assert_eq!(out.values.len(), 6, "{name}");

        // One requested attribute option combo: in the header, not on the values.
        let mut p = params(&[DS_A], &[PE_A], &[OU_B]);
        p.attribute_option_combos = strings(&[COC_A]);
        let out = export(&p, &md, store.as_mut());
        assert_eq!(
            out.header().attribute_option_combo.as_deref(),
            Some(COC_A),
            "{name}"
        );
        assert_eq!(
            out.column(DataValue::attribute_option_combo),
            ["<absent>", "<absent>"],
            "{name}"
        );
        assert_eq!(out.column(DataValue::category_option_combo), [COC_A, COC_A]);
    }
}

#[test]
fn org_units_and_attribute_option_combos_every_value_shares_go_to_the_header() {
    if store_skipped() {
        return;
    }
    let md = fixture();
    for (name, mut store) in stores(&md) {
        // Children of ouA: values of ouA and ouB, so no org unit in the header.
        let mut p = params(&[DS_A], &[PE_A], &[OU_A]);
        p.children = true;
        let out = export(&p, &md, store.as_mut());
        assert_eq!(out.header().org_unit, None, "{name}");
        assert_eq!(out.values.len(), 8, "{name}");
        assert!(out.values.iter().all(|v| v.org_unit().is_some()), "{name}");

        // Children of ouB (a leaf): every value is of ouB, which the header then carries,
        // although the request does not fix it.
        let mut p = params(&[DS_A], &[PE_A], &[OU_B]);
        p.children = true;
        let out = export(&p, &md, store.as_mut());
        assert_eq!(out.header().org_unit.as_deref(), Some(OU_B), "{name}");
        assert_eq!(out.column(DataValue::org_unit), ["<absent>"; 4], "{name}");

        // One value: its org unit and attribute option combo are shared by all.
        let mut p = params(&[DS_A], &[PE_A], &[OU_A]);
        p.children = true;
        p.limit = Some(1);
        let out = export(&p, &md, store.as_mut());
        let h = out.header();
        assert_eq!(
            h.org_unit.as_deref(),
            Some(OU_B),
            "{name}: deB at ouB was created first"
        );
        assert_eq!(h.attribute_option_combo.as_deref(), Some(COC_B), "{name}");
        let v = &out.values[0];
        assert_eq!(
            (v.org_unit(), v.attribute_option_combo(), v.value()),
            (None, None, Some("v0")),
            "{name}"
        );

        // An org unit group with ouA as its only member: not an exact org unit filter, but
        // every value shares ouA.
        let mut md_group = md.clone();
        let mut group = md_group.org_unit_group(&uid(OG_A)).unwrap().clone();
        group.org_units = vec![uid(OU_A)];
        md_group.add_org_unit_group(group);
        let mut p = params(&[DS_A], &[PE_A], &[]);
        p.org_unit_groups = strings(&[OG_A]);
        let out = export(&p, &md_group, store.as_mut());
        assert_eq!(out.header().org_unit.as_deref(), Some(OU_A), "{name}");
        assert_eq!(out.values.len(), 4, "{name}");

        // Nothing exported: nothing shared.
        let out = export(&params(&[DS_A], &[PE_A], &[OU_C]), &md, store.as_mut());
        assert!(out.values.is_empty(), "{name}");
        let h = out.header();
        assert_eq!(
            (h.org_unit.as_deref(), h.attribute_option_combo.as_deref()),
            (Some(OU_C), None),
            "{name}"
        );
    }
}

#[test]
fn default_attribute_option_combo_in_the_header_by_name() {
    if store_skipped() {
        return;
    }
    // DHIS2's DataValueSetControllerTest.testGetDataValueSetJsonDescendants: with idScheme=name
    // the set has "attributeOptionCombo":"default" and the values have none.
    let md = fixture();
    let rows = vec![
        row(1, DE_A, PE_A, OU_C, DEFAULT_COC, DEFAULT_COC),
        row(2, DE_B, PE_A, OU_C, DEFAULT_COC, DEFAULT_COC),
    ];
    for (name, mut store) in stores_with(&md, &rows, &[]) {
        let mut p = params(&[DS_A], &[PE_A], &[OU_C]);
        p.output_id_schemes.id_scheme = Some(IdScheme::Name);
        let out = export(&p, &md, store.as_mut());
        let h = out.header();
        assert_eq!(h.data_set.as_deref(), Some("DataSetA"), "{name}");
        assert_eq!(h.org_unit.as_deref(), Some("OrganisationUnitC"), "{name}");
        assert_eq!(
            h.attribute_option_combo.as_deref(),
            Some("default"),
            "{name}"
        );
        for scheme in [
            &h.data_set_id_scheme,
            &h.data_element_id_scheme,
            &h.org_unit_id_scheme,
            &h.category_option_combo_id_scheme,
            &h.attribute_option_combo_id_scheme,
            &h.category_id_scheme,
            &h.category_option_id_scheme,
        ] {
            assert_eq!(scheme.as_deref(), Some("NAME"), "{name}");
        }
        assert_eq!(
            h.id_scheme, None,
            "{name}: the general scheme is not written"
        );
        assert_eq!(
            out.column(DataValue::data_element),
            ["DataElementA", "DataElementB"],
            "{name}"
        );
        assert_eq!(
            out.column(DataValue::category_option_combo),
            ["default", "default"],
            "{name}"
        );
        assert_eq!(
            out.column(DataValue::attribute_option_combo),
            ["<absent>", "<absent>"],
            "{name}"
        );
    }
}

#[test]
fn output_schemes_id_is_uid_and_attribute_schemes_are_named() {
    if store_skipped() {
        return;
    }
    let md = fixture();
    for (name, mut store) in stores(&md) {
        let mut p = params(&[DS_A], &[PE_A], &[OU_A]);
        p.output_id_schemes = IdSchemes {
            id_scheme: Some(IdScheme::Id),
            category_option_combo: Some(IdScheme::Attribute(AT_A.into())),
            org_unit: Some(IdScheme::Code),
            ..IdSchemes::default()
        };
        let out = export(&p, &md, store.as_mut());
        let h = out.header();
        assert_eq!(
            h.data_set.as_deref(),
            Some(DS_A),
            "{name}: ID is UID in 2.43"
        );
        assert_eq!(
            h.org_unit.as_deref(),
            Some("OrganisationUnitCodeA"),
            "{name}"
        );
        assert_eq!(h.org_unit_id_scheme.as_deref(), Some("CODE"), "{name}");
        assert_eq!(
            h.category_option_combo_id_scheme.as_deref(),
            Some("ATTRIBUTE:atabcdefghA"),
            "{name}"
        );
        assert_eq!(h.data_set_id_scheme, None, "{name}");
        assert_eq!(
            out.column(DataValue::category_option_combo),
            [
                "AttributeValueD",
                "AttributeValueC",
                "AttributeValueD",
                "AttributeValueC"
            ],
            "{name}"
        );

        // UUID cannot be exported by either generation.
        p.output_id_schemes = IdSchemes {
            category: Some(IdScheme::Uuid),
            ..IdSchemes::default()
        };
        let err = export_with(
            &md,
            &Superuser::default(),
            ImporterProfile::Pipeline,
            &p,
            store.as_mut(),
        )
        .unwrap_err();
        assert!(err.to_string().contains("categoryIdScheme"), "{err}");
    }
}

#[test]
fn deleted_values_and_empty_texts() {
    if store_skipped() {
        return;
    }
    let md = fixture();
    let mut rows = fixture_rows();
    rows[0].deleted = true;
    rows[0].followup = true;
    rows[1].comment = Some(String::new());
    rows[1].stored_by = Some(String::new());
    rows[1].value = None;
    for (name, mut store) in stores_with(&md, &rows, &[]) {
        let mut p = params(&[DS_A], &[PE_A], &[OU_A]);
        p.include_deleted = true;
        let out = export(&p, &md, store.as_mut());
        let gone = out
            .values
            .iter()
            .find(|v| v.value() == Some("v11"))
            .unwrap();
        assert_eq!(
            (gone.deleted(), gone.followup()),
            (Some(true), Some(true)),
            "{name}"
        );
        let empty = out.values.iter().find(|v| v.value().is_none()).unwrap();
        assert_eq!((empty.comment(), empty.stored_by()), (None, None), "{name}");
        p.include_deleted = false;
        assert_eq!(export(&p, &md, store.as_mut()).values.len(), 3, "{name}");
    }
}

#[test]
fn both_stores_give_the_same_2_43_order() {
    if store_skipped() {
        return;
    }
    let md = fixture();
    let mut p = params(&[DS_A, DS_B], &[], &[OU_A]);
    p.children = true;
    p.start_date = Some(date(2016, 1, 1));
    p.end_date = Some(date(2016, 12, 31));
    let mut seen = Vec::new();
    for (name, mut store) in stores(&md) {
        let out = export(&p, &md, store.as_mut());
        assert_eq!(out.values.len(), 12, "{name}");
        seen.push(out.column(DataValue::value));
    }
    assert_eq!(seen[0], seen[1]);
    // peA values by created (v0…v3, then deA's v8…v11), then peB's.
    assert_eq!(
        seen[0],
        ["v0", "v1", "v2", "v3", "v8", "v9", "v10", "v11", "v4", "v5", "v6", "v7"]
    );
    // A limit takes the first values of that order.
    p.limit = Some(3);
    for (name, mut store) in stores(&md) {
        let out = export(&p, &md, store.as_mut());
        assert_eq!(out.column(DataValue::value), ["v0", "v1", "v2"], "{name}");
    }
}

#[test]
fn value_queries_order_by_created_in_both_stores() {
    if store_skipped() {
        return;
    }
    let md = fixture();
    for (name, mut store) in stores(&md) {
        let mut q = ValueQuery {
            data_elements: vec![uid(DE_A), uid(DE_B)],
            order: ValueOrder::Created,
            ..ValueQuery::default()
        };
        let mut values = Vec::new();
        store
            .query(&q, &mut |r| {
                values.push(r.value.clone().unwrap());
                Ok(())
            })
            .unwrap();
        assert_eq!(
            values,
            ["v0", "v1", "v2", "v3", "v8", "v9", "v10", "v11", "v4", "v5", "v6", "v7"],
            "{name}"
        );
        q.order = ValueOrder::Key;
        values.clear();
        store
            .query(&q, &mut |r| {
                values.push(r.value.clone().unwrap());
                Ok(())
            })
            .unwrap();
        assert_eq!(values[..4], ["v11", "v10", "v9", "v8"], "{name}");
    }
}

// ---------------------------------------------------------------------------------------------
// Checks: first failing wins (spec §6.6)
// ---------------------------------------------------------------------------------------------

#[test]
fn the_first_failing_check_is_reported() {
    if store_skipped() {
        return;
    }
    let md = fixture();
    let admin = Superuser::default();
    for (name, mut store) in stores(&md) {
        let s = store.as_mut();
        // Nothing at all: 2.43 E2001, classic the last one, E2006.
        let (new, classic) = refusals(&md, &admin, &ExportParams::default(), s);
        assert_eq!(
            new,
            "E2001: At least one data element, data set or data element group must be specified",
            "{name}"
        );
        assert!(classic.starts_with("E2006"), "{name}: {classic}");

        // A data set only: E2002 then E2006.
        let (new, classic) = refusals(&md, &admin, &params(&[DS_A], &[], &[]), s);
        assert!(new.starts_with("E2002"), "{name}: {new}");
        assert!(classic.starts_with("E2006"), "{name}: {classic}");

        // Children without org units: E2008 no longer exists.
        let mut p = params(&[DS_A], &[PE_A], &[]);
        p.children = true;
        let (new, classic) = refusals(&md, &admin, &p, s);
        assert_eq!(
            new,
            "E2006: At least one organisation unit or organisation unit group must be specified",
            "{name}"
        );
        assert!(classic.starts_with("E2008"), "{name}: {classic}");

        // Children with a group and no org unit: 2.43 E2007, classic E2008 (the last).
        p.org_unit_groups = strings(&[OG_A]);
        let (new, classic) = refusals(&md, &admin, &p, s);
        assert_eq!(
            new,
            "E2007: Organisation unit children cannot be included for organisation unit groups"
        );
        assert!(classic.starts_with("E2008"), "{name}: {classic}");

        // Periods and dates, the start after the end: E2003 first (classic: E2004, later).
        let mut p = params(&[DS_A], &[PE_A], &[OU_A]);
        p.start_date = Some(date(2016, 5, 1));
        p.end_date = Some(date(2016, 4, 1));
        let (new, classic) = refusals(&md, &admin, &p, s);
        assert!(new.starts_with("E2003"), "{name}: {new}");
        assert!(classic.starts_with("E2004"), "{name}: {classic}");
        p.periods.clear();
        let (new, _) = refusals(&md, &admin, &p, s);
        assert_eq!(new, "E2004: Start date must be before end date");

        // A negative limit, with Java's grouping.
        let mut p = params(&[DS_A], &[PE_A], &[OU_A]);
        p.limit = Some(-1234);
        let (new, classic) = refusals(&md, &admin, &p, s);
        assert_eq!(new, "E2009: Limit cannot be less than zero: `-1,234`");
        assert_eq!(new, classic);

        // A bad duration fails while decoding, before the other checks, with its text.
        let mut p = ExportParams {
            last_updated_duration: Some("10x".into()),
            ..ExportParams::default()
        };
        let (new, classic) = refusals(&md, &admin, &p, s);
        assert_eq!(new, "E2005: Duration is not valid: `10x`", "{name}");
        assert!(classic.starts_with("E2006"), "{name}: {classic}");
        p.last_updated_duration = Some("10d".into());
        let (new, _) = refusals(&md, &admin, &p, s);
        assert!(new.starts_with("E2001"), "{name}: {new}");
    }
}

#[test]
fn access_is_checked_after_the_parameters_and_lists_every_id() {
    if store_skipped() {
        return;
    }
    let mut md = fixture();
    // dsA and dsB no longer shared with user A.
    for ds in [DS_A, DS_B] {
        let mut data_set: DataSet = md.data_set(&uid(ds)).unwrap().clone();
        data_set.sharing.users.clear();
        md.add_data_set(data_set);
    }
    let user = UserAccess::by_username(&md, "userA").unwrap();
    for (name, mut store) in stores(&md) {
        let s = store.as_mut();
        let (new, classic) = refusals(&md, &user, &params(&[DS_A, DS_B], &[PE_A], &[OU_A]), s);
        assert_eq!(
            new,
            format!("E2010: User is not allowed to read data for data set(s): `[{DS_A}, {DS_B}]`"),
            "{name}"
        );
        assert_eq!(
            classic,
            format!("E2010: User is not allowed to read data for data set: `{DS_A}`")
        );

        let (new, _) = refusals(
            &md,
            &user,
            &ExportParams {
                data_elements: strings(&[DE_A]),
                ..params(&[], &[PE_A], &[OU_C, OU_A])
            },
            s,
        );
        assert_eq!(
            new,
            format!("E2012: User is not allowed to view org unit(s): `[{OU_C}]`"),
            "{name}"
        );

        // Parameters first, whatever the check order asked of the classic export: the service
        // order reports access first there.
        let mut p = params(&[DS_A], &[PE_A], &[OU_C]);
        p.limit = Some(-1);
        let (new, classic) = refusals(&md, &user, &p, s);
        assert!(new.starts_with("E2009"), "{name}: {new}");
        assert!(classic.starts_with("E2010"), "{name}: {classic}");
        let service = Exporter::new(&md, &user)
            .with_check_order(CheckOrder::Service)
            .with_profile(ImporterProfile::Pipeline)
            .plan(&p, &MetadataResolver::new(&md))
            .unwrap_err();
        assert_eq!(service.error_code().unwrap().code, "E2009");

        // Superusers are not checked.
        let out = export(&params(&[DS_A, DS_B], &[PE_A], &[OU_C]), &md, s);
        assert!(out.values.is_empty(), "{name}");
    }
}

#[test]
fn code_fallback_for_identifiers_that_are_not_uids() {
    if store_skipped() {
        return;
    }
    let md = fixture();
    for (name, mut store) in stores(&md) {
        let mut p = params(&["DataSetCodeA"], &[PE_A], &[OU_A]);
        let (new, _) = refusals(&md, &Superuser::default(), &p, store.as_mut());
        assert!(new.starts_with("E2001"), "{name}: {new}");
        p.input_use_code_fallback = true;
        p.org_units = strings(&["OrganisationUnitCodeA"]);
        let out = export(&p, &md, store.as_mut());
        assert_eq!(out.header().data_set.as_deref(), Some(DS_A), "{name}");
        assert_eq!(out.header().org_unit.as_deref(), Some(OU_A), "{name}");
        assert_eq!(out.values.len(), 4, "{name}");
        // An explicit input scheme turns the fallback off.
        p.input_id_schemes.id_scheme = Some(IdScheme::Uid);
        let (new, _) = refusals(&md, &Superuser::default(), &p, store.as_mut());
        assert!(new.starts_with("E2001"), "{name}: {new}");
    }
}

// ---------------------------------------------------------------------------------------------
// E8200–E8204: identifiers missing under the output scheme (spec §6.6, Appendix B.3)
// ---------------------------------------------------------------------------------------------

/// Fixture E without the codes of dsA, deB, ouB and cocB, and without cocB's attribute value.
fn fixture_without_codes() -> Metadata {
    let mut md = fixture();
    let mut ds = md.data_set(&uid(DS_A)).unwrap().clone();
    ds.id.code = None;
    md.add_data_set(ds);
    let mut de = md.data_element(&uid(DE_B)).unwrap().clone();
    de.id.code = None;
    md.add_data_element(de);
    let mut ou = md.org_unit(&uid(OU_B)).unwrap().clone();
    ou.id.code = None;
    md.add_org_unit(ou);
    let mut coc = md.category_option_combo(&uid(COC_B)).unwrap().clone();
    coc.id.code = None;
    coc.id.attribute_values.clear();
    md.add_category_option_combo(coc);
    md.compute_hierarchy().unwrap();
    md
}

#[test]
fn missing_identifiers_refuse_the_export_before_anything_is_written() {
    if store_skipped() {
        return;
    }
    let md = fixture_without_codes();
    let admin = Superuser::default();
    for (name, mut store) in stores(&md) {
        let s = store.as_mut();
        let mut p = params(&[DS_B], &[PE_A], &[OU_A]);
        p.children = true;
        let with = |schemes: IdSchemes| ExportParams {
            output_id_schemes: schemes,
            ..p.clone()
        };

        let new = refusal(
            &md,
            &admin,
            &ExportParams {
                data_sets: strings(&[DS_A]),
                ..with(IdSchemes {
                    data_set: Some(IdScheme::Code),
                    ..IdSchemes::default()
                })
            },
            s,
        );
        assert_eq!(
            new,
            format!("E8200: Export as CODE not possible as the property is undefined for data set: `{DS_A}`"),
            "{name}"
        );

        p.data_sets = strings(&[DS_A]);
        let with = |schemes: IdSchemes| ExportParams {
            output_id_schemes: schemes,
            ..p.clone()
        };
        let new = refusal(
            &md,
            &admin,
            &with(IdSchemes {
                data_element: Some(IdScheme::Code),
                ..IdSchemes::default()
            }),
            s,
        );
        assert_eq!(
            new,
            format!("E8201: Export as CODE not possible as the property is undefined for data element(s): `[{DE_B}]`"),
            "{name}"
        );

        let new = refusal(
            &md,
            &admin,
            &with(IdSchemes {
                org_unit: Some(IdScheme::Code),
                ..IdSchemes::default()
            }),
            s,
        );
        assert_eq!(
            new,
            format!("E8202: Export as CODE not possible as the property is undefined for org unit(s): `[{OU_B}]`"),
            "{name}"
        );

        let new = refusal(
            &md,
            &admin,
            &with(IdSchemes {
                category_option_combo: Some(IdScheme::Attribute(AT_A.into())),
                ..IdSchemes::default()
            }),
            s,
        );
        assert_eq!(
            new,
            format!("E8203: Export as ATTR not possible as the property is undefined for category option combo(s): `[{COC_B}]`"),
            "{name}"
        );
        // The attribute option combo column has its own scheme, and the same code.
        let new = refusal(
            &md,
            &admin,
            &with(IdSchemes {
                attribute_option_combo: Some(IdScheme::Code),
                ..IdSchemes::default()
            }),
            s,
        );
        assert!(
            new.starts_with("E8203: Export as CODE") && new.ends_with(&format!("`[{COC_B}]`")),
            "{name}: {new}"
        );

        // Several columns: the data set first, then data elements, org units, option combos;
        // several objects of a column are all listed.
        let mut md_more = md.clone();
        let mut de = md_more.data_element(&uid(DE_A)).unwrap().clone();
        de.id.code = None;
        md_more.add_data_element(de);
        let new = refusal(
            &md_more,
            &admin,
            &with(IdSchemes {
                id_scheme: Some(IdScheme::Code),
                data_set: Some(IdScheme::Uid),
                ..IdSchemes::default()
            }),
            s,
        );
        assert_eq!(
            new,
            format!("E8201: Export as CODE not possible as the property is undefined for data element(s): `[{DE_B}, {DE_A}]`"),
            "{name}"
        );

        // The classic export writes such values without the identifier.
        let (classic, _) = export_with(
            &md,
            &admin,
            ImporterProfile::Classic,
            &with(IdSchemes {
                data_element: Some(IdScheme::Code),
                ..IdSchemes::default()
            }),
            s,
        )
        .unwrap();
        assert!(classic.values.iter().any(|v| v.data_element().is_none()));

        // Only exported objects count: ouA's values name everything.
        let ok = ExportParams {
            output_id_schemes: IdSchemes {
                id_scheme: Some(IdScheme::Code),
                data_set: Some(IdScheme::Uid),
                ..IdSchemes::default()
            },
            data_elements: strings(&[DE_A]),
            attribute_option_combos: strings(&[COC_A]),
            ..params(&[], &[PE_A], &[OU_A])
        };
        let out = export(&ok, &md, s);
        assert_eq!(out.values.len(), 1, "{name}");
        assert_eq!(
            out.header().attribute_option_combo.as_deref(),
            Some("CategoryOptionComboCodeA")
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Two passes over the store (the module docs of `export_pipeline`)
// ---------------------------------------------------------------------------------------------

/// A store that counts queries and, from the second one on, adds `extra` after the real rows
/// (a store that changes between the passes).
struct Watched<'s> {
    inner: &'s mut dyn DataValueStore,
    queries: usize,
    extra: Option<StoredValue>,
}

impl DataValueStore for Watched<'_> {
    fn begin(&mut self) -> Result<(), StoreError> {
        self.inner.begin()
    }
    fn commit(&mut self) -> Result<(), StoreError> {
        self.inner.commit()
    }
    fn rollback(&mut self) -> Result<(), StoreError> {
        self.inner.rollback()
    }
    fn lookup(
        &mut self,
        keys: &[DataValueKey],
        found: &mut dyn FnMut(usize, &StoredValue, Existing) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        self.inner.lookup(keys, found)
    }
    fn apply(&mut self, changes: &Changes) -> Result<(), StoreError> {
        self.inner.apply(changes)
    }
    fn completion(
        &mut self,
        data_set: &Uid,
        period: &Period,
        org_unit: &Uid,
        attribute_option_combo: &Uid,
    ) -> Result<Option<Completion>, StoreError> {
        self.inner
            .completion(data_set, period, org_unit, attribute_option_combo)
    }
    fn has_lock_exception(
        &mut self,
        data_set: &Uid,
        period: &Period,
        org_unit: &Uid,
    ) -> Result<bool, StoreError> {
        self.inner.has_lock_exception(data_set, period, org_unit)
    }
    fn query(
        &mut self,
        query: &ValueQuery,
        each: &mut dyn FnMut(&StoredValue) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        self.queries += 1;
        self.inner.query(query, each)?;
        match (&self.extra, self.queries) {
            (Some(extra), 2..) => each(extra),
            _ => Ok(()),
        }
    }
    fn audits(&mut self, key: &DataValueKey) -> Result<Vec<Audit>, StoreError> {
        self.inner.audits(key)
    }
}

#[test]
fn a_first_pass_only_when_the_header_or_the_identifiers_need_it() {
    if store_skipped() {
        return;
    }
    let md = fixture();
    let admin = Superuser::default();
    for (name, mut store) in stores(&md) {
        let passes = |p: &ExportParams, store: &mut dyn DataValueStore| {
            let mut watched = Watched {
                inner: store,
                queries: 0,
                extra: None,
            };
            export_with(&md, &admin, ImporterProfile::Pipeline, p, &mut watched).unwrap();
            watched.queries
        };
        // Org unit and attribute option combo fixed by the request, UIDs: one pass.
        let mut p = params(&[DS_A], &[PE_A], &[OU_A]);
        p.attribute_option_combos = strings(&[COC_A]);
        assert_eq!(passes(&p, store.as_mut()), 1, "{name}");
        // A code to look up: two.
        p.output_id_schemes.data_element = Some(IdScheme::Code);
        assert_eq!(passes(&p, store.as_mut()), 2, "{name}");
        // A shared attribute option combo to find: two.
        let p = params(&[DS_A], &[PE_A], &[OU_A]);
        assert_eq!(passes(&p, store.as_mut()), 2, "{name}");
        // The classic export reads once.
        let mut watched = Watched {
            inner: store.as_mut(),
            queries: 0,
            extra: None,
        };
        export_with(&md, &admin, ImporterProfile::Classic, &p, &mut watched).unwrap();
        assert_eq!(watched.queries, 1, "{name}");
    }
}

#[test]
fn a_store_that_changes_between_the_passes_still_gives_a_correct_document() {
    if store_skipped() {
        return;
    }
    let md = fixture_without_codes();
    let admin = Superuser::default();
    for (name, mut store) in stores(&md) {
        // ouB's values only (children of the leaf ouB): the header takes ouB. A value of ouA
        // that appears in the second pass keeps its org unit.
        let mut p = params(&[DS_A], &[PE_A], &[OU_B]);
        p.children = true;
        let mut watched = Watched {
            inner: store.as_mut(),
            queries: 0,
            extra: Some(row(50, DE_A, PE_A, OU_A, COC_A, COC_A)),
        };
        let (out, _) =
            export_with(&md, &admin, ImporterProfile::Pipeline, &p, &mut watched).unwrap();
        assert_eq!(out.header().org_unit.as_deref(), Some(OU_B), "{name}");
        assert_eq!(
            out.column(DataValue::org_unit),
            ["<absent>", "<absent>", "<absent>", "<absent>", OU_A],
            "{name}"
        );

        // An object without a code appearing in the second pass stops the export.
        p.org_units = strings(&[OU_A]);
        p.children = false;
        p.output_id_schemes.org_unit = Some(IdScheme::Code);
        let mut watched = Watched {
            inner: store.as_mut(),
            queries: 0,
            extra: Some(row(50, DE_A, PE_A, OU_B, COC_A, COC_A)),
        };
        let exporter = Exporter::new(&md, &admin).with_profile(ImporterProfile::Pipeline);
        let mut out = Collect::default();
        let err = exporter
            .export(&p, &mut MetadataResolver::new(&md), &mut watched, &mut out)
            .unwrap_err();
        assert_eq!(err.error_code().unwrap().code, "E8202", "{name}");
        assert_eq!(out.values.len(), 4, "{name}: written before the new value");
        assert!(!out.finished, "{name}");
    }
}
