//! Behaviour of the metadata writer: DHIS2's shape kind by kind and field by field, what it
//! refuses, and that what it writes reads back as it was (by hand, generated, and DHIS2's own
//! corpus documents).
//!
//! One job, kept in one file past 1,000 lines: every kind's exact JSON next to the others (the
//! generated round trips live in `metadata_write/generated.rs`).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::io;

use dxf2_json::metadata::{read_metadata, write_metadata, MetadataError, ObjectRef};
use dxf2_model::metadata::{
    Attribute, Category, CategoryCombo, CategoryOption, CategoryOptionCombo, DataElement,
    DataElementGroup, DataInputPeriod, DataSet, DataSetElement, Identity, NaiveDate, NaiveDateTime,
    OptionItem, OptionSet, OrganisationUnit, OrganisationUnitGroup, Sharing, User,
};
use dxf2_model::{ImporterProfile, Metadata, Period, PeriodType, Uid, ValueType};
use serde_json::{json, Value};

fn uid(s: &str) -> Uid {
    Uid::parse(s).unwrap()
}

fn named(id: &str, name: &str) -> Identity {
    let mut identity = Identity::new(uid(id));
    identity.name = Some(name.to_owned());
    identity
}

fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn at(y: i32, m: u32, d: u32, h: u32, mi: u32, s: u32, ms: u32) -> NaiveDateTime {
    ymd(y, m, d).and_hms_milli_opt(h, mi, s, ms).unwrap()
}

fn write(md: &Metadata) -> Vec<u8> {
    let mut out = Vec::new();
    write_metadata(md, &mut out).unwrap();
    out
}

/// The document as a JSON value.
fn json_of(md: &Metadata) -> Value {
    serde_json::from_slice(&write(md)).unwrap()
}

/// Every kind of a catalogue, for comparing two.
#[allow(clippy::type_complexity)]
fn kinds(
    md: &Metadata,
) -> (
    &[OrganisationUnit],
    &[DataElement],
    &[CategoryOption],
    &[Category],
    &[CategoryCombo],
    &[CategoryOptionCombo],
    &[DataSet],
    &[OptionSet],
    &[Attribute],
    &[DataElementGroup],
    &[OrganisationUnitGroup],
    &[User],
) {
    (
        md.org_units(),
        md.data_elements(),
        md.category_options(),
        md.categories(),
        md.category_combos(),
        md.category_option_combos(),
        md.data_sets(),
        md.option_sets(),
        md.attributes(),
        md.data_element_groups(),
        md.org_unit_groups(),
        md.users(),
    )
}

/// Writes, reads back, and checks that every kind came back as it was.
fn assert_round_trip(md: &Metadata) -> Value {
    let bytes = write(md);
    let back = read_metadata(&bytes[..])
        .unwrap_or_else(|e| panic!("{e}\n{}", String::from_utf8_lossy(&bytes)));
    assert_eq!(kinds(&back), kinds(md));
    serde_json::from_slice(&bytes).unwrap()
}

fn build(objects: impl FnOnce(&mut dxf2_model::metadata::MetadataBuilder)) -> Metadata {
    let mut builder = Metadata::builder();
    objects(&mut builder);
    builder.build().unwrap()
}

/// The object of a top-level array with an `id`.
fn object<'v>(doc: &'v Value, key: &str, id: &str) -> &'v Value {
    doc[key]
        .as_array()
        .unwrap_or_else(|| panic!("no {key} in {doc}"))
        .iter()
        .find(|o| o["id"] == id)
        .unwrap_or_else(|| panic!("no {key} {id} in {doc}"))
}

/// The document's top-level keys, in the order written.
fn top_level_keys(json: &[u8]) -> Vec<String> {
    struct Keys;
    impl<'de> serde::de::Visitor<'de> for Keys {
        type Value = Vec<String>;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("an object")
        }
        fn visit_map<A: serde::de::MapAccess<'de>>(
            self,
            mut map: A,
        ) -> Result<Vec<String>, A::Error> {
            let mut keys = Vec::new();
            while let Some((key, _)) = map.next_entry::<String, serde::de::IgnoredAny>()? {
                keys.push(key);
            }
            Ok(keys)
        }
    }
    let mut de = serde_json::Deserializer::from_slice(json);
    serde::Deserializer::deserialize_map(&mut de, Keys).unwrap()
}

fn unwritable(md: &Metadata) -> MetadataError {
    let mut out = Vec::new();
    let err = write_metadata(md, &mut out).unwrap_err();
    assert!(
        out.is_empty(),
        "nothing is written when an object is refused"
    );
    assert!(matches!(err, MetadataError::Unwritable { .. }), "{err}");
    err
}

#[test]
fn an_empty_catalogue_is_an_empty_object() {
    assert_eq!(write(&Metadata::new()), b"{}");
    // Finished, it holds DHIS2's default category objects, written like any other.
    let md = build(|_| {});
    let doc = assert_round_trip(&md);
    assert_eq!(
        top_level_keys(&write(&md)),
        [
            "categoryOptions",
            "categories",
            "categoryCombos",
            "categoryOptionCombos"
        ]
    );
    assert_eq!(
        object(&doc, "categoryOptionCombos", "HllvX50cXC0"),
        &json!({"id": "HllvX50cXC0", "code": "default", "name": "default",
                "categoryCombo": {"id": "bjDvmb4bfuf"}, "categoryOptions": [{"id": "xYerKDKCefk"}],
                "ignoreApproval": false, "attributeValues": []})
    );
    assert_eq!(
        object(&doc, "categoryOptions", "xYerKDKCefk")["sharing"],
        json!({"public": "rwrw----", "users": {}, "userGroups": {}})
    );
}

#[test]
fn top_level_arrays_come_in_dhis2_import_order() {
    let md = sample();
    assert_round_trip(&md);
    assert_eq!(
        top_level_keys(&write(&md)),
        [
            "attributes",
            "userRoles",
            "users",
            "options",
            "optionSets",
            "organisationUnits",
            "organisationUnitGroups",
            "categoryOptions",
            "categories",
            "categoryCombos",
            "categoryOptionCombos",
            "dataElements",
            "dataElementGroups",
            "dataSets"
        ]
    );
    // Deterministic: the same catalogue, the same bytes.
    assert_eq!(write(&md), write(&md));
}

#[test]
fn org_units_with_parent_dates_and_attribute_values() {
    let mut root = OrganisationUnit::new(named("ImspTQPwCqd", "Sierra Leone"), None);
    root.id.code = Some("OU_525".into());
    root.opening_date = Some(ymd(1994, 1, 1));
    let mut clinic = OrganisationUnit::new(
        named(
            "DiszpKrYNg8",
            "Ngelehun Community Health Post and Maternity Clinic",
        ),
        Some(uid("ImspTQPwCqd")),
    );
    clinic.opening_date = Some(ymd(1970, 1, 1));
    clinic.closed_date = Some(ymd(2024, 12, 31));
    clinic.id.attribute_values = vec![(uid("l1VmqIHKk6t"), "FAC-042".into())];
    let orphan = OrganisationUnit::new(Identity::new(uid("O6uvpzGd5pu")), None);
    let md = build(|b| {
        b.push(clinic).push(root).push(orphan);
    });
    let doc = assert_round_trip(&md);
    assert_eq!(
        object(&doc, "organisationUnits", "DiszpKrYNg8"),
        &json!({
            "id": "DiszpKrYNg8",
            "name": "Ngelehun Community Health Post and Maternity Clinic",
            // The catalogue keeps no short name: the name cut to DHIS2's 50 characters.
            "shortName": "Ngelehun Community Health Post and Maternity Clini",
            "parent": {"id": "ImspTQPwCqd"},
            "openingDate": "1970-01-01T00:00:00.000",
            "closedDate": "2024-12-31T00:00:00.000",
            "attributeValues": [{"attribute": {"id": "l1VmqIHKk6t"}, "value": "FAC-042"}]
        })
    );
    assert_eq!(
        object(&doc, "organisationUnits", "ImspTQPwCqd")["code"],
        "OU_525"
    );
    assert_eq!(
        object(&doc, "organisationUnits", "O6uvpzGd5pu"),
        &json!({"id": "O6uvpzGd5pu", "attributeValues": []})
    );
    let back = read_metadata(&write(&md)[..]).unwrap();
    assert_eq!(back.org_unit_level(&uid("DiszpKrYNg8")), Some(2));
}

#[test]
fn data_elements_with_every_field_and_sharing() {
    let mut de = DataElement::new(named("f7n9E0hX8qk", "ANC 1st visit"), ValueType::Integer);
    de.id.code = Some("DE_ANC1".into());
    de.aggregation_type = "AVERAGE_SUM_ORG_UNIT".into();
    de.domain_type = "TRACKER".into();
    de.zero_is_significant = true;
    de.category_combo = uid("fjmGrPePmZW");
    de.option_set = Some(uid("pC3N9N77UmT"));
    de.comment_option_set = Some(uid("qC3N9N77UmT"));
    de.sharing = Sharing {
        public: Some("rw------".into()),
        users: vec![(uid("xE7jOejl9FI"), "r-------".into())],
        user_groups: vec![
            (uid("wl5cDMuUhmF"), "rwrw----".into()),
            (uid("Kk12LkEWtXp"), "r-r-----".into()),
        ],
    };
    let plain = DataElement::new(Identity::new(uid("Ix2HsbDMLea")), ValueType::Text);
    let md = build(|b| {
        b.push(de).push(plain);
    });
    let doc = assert_round_trip(&md);
    assert_eq!(
        object(&doc, "dataElements", "f7n9E0hX8qk"),
        &json!({
            "id": "f7n9E0hX8qk", "code": "DE_ANC1", "name": "ANC 1st visit",
            "shortName": "ANC 1st visit", "valueType": "INTEGER",
            "aggregationType": "AVERAGE_SUM_ORG_UNIT", "domainType": "TRACKER",
            "zeroIsSignificant": true, "categoryCombo": {"id": "fjmGrPePmZW"},
            "optionSet": {"id": "pC3N9N77UmT"}, "commentOptionSet": {"id": "qC3N9N77UmT"},
            "attributeValues": [],
            // DHIS2 2.36+'s sharing object.
            "sharing": {
                "public": "rw------",
                "users": {"xE7jOejl9FI": {"id": "xE7jOejl9FI", "access": "r-------"}},
                "userGroups": {
                    "wl5cDMuUhmF": {"id": "wl5cDMuUhmF", "access": "rwrw----"},
                    "Kk12LkEWtXp": {"id": "Kk12LkEWtXp", "access": "r-r-----"}
                }
            }
        })
    );
    // The default combo is written as a reference like any other; no sharing, no `sharing`.
    assert_eq!(
        object(&doc, "dataElements", "Ix2HsbDMLea"),
        &json!({
            "id": "Ix2HsbDMLea", "valueType": "TEXT", "aggregationType": "SUM",
            "domainType": "AGGREGATE", "zeroIsSignificant": false,
            "categoryCombo": {"id": "bjDvmb4bfuf"}, "attributeValues": []
        })
    );
}

#[test]
fn every_value_type_reads_back() {
    let md = build(|b| {
        for (i, vt) in ValueType::ALL.iter().enumerate() {
            let id = format!("de{i:09}");
            b.push(DataElement::new(Identity::new(uid(&id)), *vt));
            b.push(Attribute {
                id: Identity::new(uid(&format!("at{i:09}"))),
                value_type: *vt,
                unique: i % 2 == 0,
            });
            b.push(OptionSet {
                id: Identity::new(uid(&format!("os{i:09}"))),
                value_type: *vt,
                options: Vec::new(),
            });
        }
    });
    assert_round_trip(&md);
}

#[test]
fn category_model_objects() {
    let mut female = CategoryOption {
        id: named("apsOixVZlf1", "Female"),
        start_date: Some(ymd(2020, 1, 1)),
        end_date: Some(ymd(2030, 6, 30)),
        org_units: vec![uid("ImspTQPwCqd"), uid("O6uvpzGd5pu")],
        sharing: Sharing {
            public: None,
            users: Vec::new(),
            user_groups: vec![(uid("wl5cDMuUhmF"), "rwrw----".into())],
        },
    };
    female.id.code = Some("FMLE".into());
    let male = CategoryOption {
        id: named("jRbMi0aBjYn", "Male"),
        start_date: None,
        end_date: None,
        org_units: Vec::new(),
        sharing: Sharing::default(),
    };
    let sex = Category {
        id: named("cX5k9anHEHd", "Gender"),
        data_dimension_type: "ATTRIBUTE".into(),
        options: vec![uid("apsOixVZlf1"), uid("jRbMi0aBjYn")],
    };
    let combo = CategoryCombo {
        id: named("dPmavA0qloX", "Gender"),
        data_dimension_type: "ATTRIBUTE".into(),
        categories: vec![uid("cX5k9anHEHd")],
    };
    let coc = CategoryOptionCombo {
        id: named("Gmbgme7z9BF", "Female"),
        category_combo: uid("dPmavA0qloX"),
        options: vec![uid("apsOixVZlf1")],
        ignore_approval: true,
    };
    let md = build(|b| {
        b.push(female).push(male).push(sex).push(combo).push(coc);
    });
    let doc = assert_round_trip(&md);
    assert_eq!(
        object(&doc, "categoryOptions", "apsOixVZlf1"),
        &json!({
            "id": "apsOixVZlf1", "code": "FMLE", "name": "Female", "shortName": "Female",
            "startDate": "2020-01-01T00:00:00.000", "endDate": "2030-06-30T00:00:00.000",
            "organisationUnits": [{"id": "ImspTQPwCqd"}, {"id": "O6uvpzGd5pu"}],
            "attributeValues": [],
            // No public access given: left out, the accesses kept.
            "sharing": {"users": {},
                        "userGroups": {"wl5cDMuUhmF": {"id": "wl5cDMuUhmF", "access": "rwrw----"}}}
        })
    );
    assert_eq!(
        object(&doc, "categoryOptions", "jRbMi0aBjYn"),
        &json!({"id": "jRbMi0aBjYn", "name": "Male", "shortName": "Male",
                "organisationUnits": [], "attributeValues": []})
    );
    assert_eq!(
        object(&doc, "categories", "cX5k9anHEHd"),
        &json!({"id": "cX5k9anHEHd", "name": "Gender", "shortName": "Gender",
                "dataDimensionType": "ATTRIBUTE",
                "categoryOptions": [{"id": "apsOixVZlf1"}, {"id": "jRbMi0aBjYn"}],
                "attributeValues": []})
    );
    assert_eq!(
        object(&doc, "categoryCombos", "dPmavA0qloX"),
        &json!({"id": "dPmavA0qloX", "name": "Gender", "dataDimensionType": "ATTRIBUTE",
                "categories": [{"id": "cX5k9anHEHd"}], "attributeValues": []})
    );
    assert_eq!(
        object(&doc, "categoryOptionCombos", "Gmbgme7z9BF"),
        &json!({"id": "Gmbgme7z9BF", "name": "Female", "categoryCombo": {"id": "dPmavA0qloX"},
                "categoryOptions": [{"id": "apsOixVZlf1"}], "ignoreApproval": true,
                "attributeValues": []})
    );
}

#[test]
fn defaults_with_their_own_uids_read_back() {
    // A catalogue whose defaults have other UIDs than DHIS2's well-known ones (found by name).
    let md = build(|b| {
        b.push(CategoryCombo {
            id: named("myDefault01", "default"),
            data_dimension_type: "DISAGGREGATION".into(),
            categories: Vec::new(),
        })
        .push(DataElement::new(
            Identity::new(uid("f7n9E0hX8qk")),
            ValueType::Number,
        ));
    });
    assert_eq!(
        md.data_element(&uid("f7n9E0hX8qk")).unwrap().category_combo,
        uid("myDefault01")
    );
    let doc = assert_round_trip(&md);
    assert_eq!(doc["categoryCombos"].as_array().unwrap().len(), 1);
}

#[test]
fn data_sets_with_elements_input_periods_and_numbers() {
    let mut ds = DataSet::new(named("pBOMPrpg1QX", "Malaria monthly"), PeriodType::Monthly);
    ds.id.code = Some("MAL_MONTHLY".into());
    ds.elements = vec![
        DataSetElement {
            data_element: uid("f7n9E0hX8qk"),
            category_combo: None,
        },
        DataSetElement {
            data_element: uid("Ix2HsbDMLea"),
            category_combo: Some(uid("dPmavA0qloX")),
        },
    ];
    ds.org_units = vec![uid("DiszpKrYNg8")];
    ds.category_combo = uid("dPmavA0qloX");
    ds.expiry_days = -3;
    ds.open_future_periods = 2;
    ds.open_periods_after_co_end_date = i64::from(i32::MAX);
    ds.no_value_requires_comment = true;
    ds.workflow = Some(uid("rIUL3hYOjJc"));
    ds.data_input_periods = vec![
        DataInputPeriod {
            period: Period::parse("202001").unwrap(),
            opening_date: Some(at(2020, 1, 1, 0, 0, 0, 0)),
            closing_date: Some(at(2020, 2, 15, 23, 59, 59, 999)),
        },
        DataInputPeriod {
            period: Period::parse("2020W53").unwrap(),
            opening_date: None,
            closing_date: None,
        },
    ];
    ds.sharing.public = Some("rwr-----".into());
    let md = build(|b| {
        b.push(ds);
        b.push(DataSet::new(
            Identity::new(uid("QX4ZTUbOt3a")),
            PeriodType::FinancialNov,
        ));
    });
    let doc = assert_round_trip(&md);
    assert_eq!(
        object(&doc, "dataSets", "pBOMPrpg1QX"),
        &json!({
            "id": "pBOMPrpg1QX", "code": "MAL_MONTHLY", "name": "Malaria monthly",
            "shortName": "Malaria monthly", "periodType": "Monthly",
            "categoryCombo": {"id": "dPmavA0qloX"}, "expiryDays": -3, "openFuturePeriods": 2,
            "openPeriodsAfterCoEndDate": 2147483647, "noValueRequiresComment": true,
            "workflow": {"id": "rIUL3hYOjJc"},
            "dataSetElements": [
                {"dataElement": {"id": "f7n9E0hX8qk"}, "dataSet": {"id": "pBOMPrpg1QX"}},
                {"dataElement": {"id": "Ix2HsbDMLea"}, "dataSet": {"id": "pBOMPrpg1QX"},
                 "categoryCombo": {"id": "dPmavA0qloX"}}
            ],
            "organisationUnits": [{"id": "DiszpKrYNg8"}],
            "dataInputPeriods": [
                {"period": {"id": "202001"}, "openingDate": "2020-01-01T00:00:00.000",
                 "closingDate": "2020-02-15T23:59:59.999"},
                {"period": {"id": "2020W53"}}
            ],
            "attributeValues": [],
            "sharing": {"public": "rwr-----", "users": {}, "userGroups": {}}
        })
    );
    assert_eq!(
        object(&doc, "dataSets", "QX4ZTUbOt3a"),
        &json!({
            "id": "QX4ZTUbOt3a", "periodType": "FinancialNov",
            "categoryCombo": {"id": "bjDvmb4bfuf"}, "expiryDays": 0, "openFuturePeriods": 0,
            "openPeriodsAfterCoEndDate": 0, "noValueRequiresComment": false,
            "dataSetElements": [], "organisationUnits": [], "dataInputPeriods": [],
            "attributeValues": []
        })
    );
}

#[test]
fn every_period_type_reads_back() {
    let md = build(|b| {
        for (i, t) in PeriodType::ALL.iter().enumerate() {
            if !t.has_iso_form() {
                continue;
            }
            let mut ds = DataSet::new(Identity::new(uid(&format!("ds{i:09}"))), *t);
            if t.supported_by(ImporterProfile::Classic) {
                let period = t.period_containing(ymd(2024, 12, 31)).unwrap();
                ds.data_input_periods.push(DataInputPeriod {
                    period,
                    opening_date: None,
                    closing_date: None,
                });
            }
            b.push(ds);
        }
    });
    assert_round_trip(&md);
}

fn option(id: &str, code: &str, name: &str) -> OptionItem {
    let mut identity = named(id, name);
    identity.code = Some(code.to_owned());
    OptionItem { id: identity }
}

#[test]
fn option_sets_list_references_to_top_level_options() {
    let mut yes = option("Uh4HvjK6zg3", "Y", "Yes");
    yes.id.attribute_values = vec![(uid("l1VmqIHKk6t"), "1".into())];
    let no = option("BQMei56UBl6", "N", "No");
    let set = OptionSet {
        id: named("RHqFlB1Wm4d", "Yes/No"),
        value_type: ValueType::Text,
        options: vec![yes.clone(), no.clone()],
    };
    // The same option listed by a second set (as a document may list another set's option).
    let other = OptionSet {
        id: named("pC3N9N77UmT", "No only"),
        value_type: ValueType::Text,
        options: vec![no],
    };
    let empty = OptionSet {
        id: Identity::new(uid("qC3N9N77UmT")),
        value_type: ValueType::MultiText,
        options: Vec::new(),
    };
    let md = build(|b| {
        b.push(set).push(other).push(empty);
    });
    let doc = assert_round_trip(&md);
    assert_eq!(
        object(&doc, "optionSets", "RHqFlB1Wm4d"),
        &json!({"id": "RHqFlB1Wm4d", "name": "Yes/No", "valueType": "TEXT",
                "options": [{"id": "Uh4HvjK6zg3"}, {"id": "BQMei56UBl6"}],
                "attributeValues": []})
    );
    assert_eq!(
        object(&doc, "optionSets", "pC3N9N77UmT")["options"],
        json!([{"id": "BQMei56UBl6"}])
    );
    // Each option once, with the set listing it first and its index there (DHIS2's sortOrder).
    assert_eq!(
        doc["options"],
        json!([
            {"id": "Uh4HvjK6zg3", "code": "Y", "name": "Yes", "sortOrder": 0,
             "optionSet": {"id": "RHqFlB1Wm4d"},
             "attributeValues": [{"attribute": {"id": "l1VmqIHKk6t"}, "value": "1"}]},
            {"id": "BQMei56UBl6", "code": "N", "name": "No", "sortOrder": 1,
             "optionSet": {"id": "RHqFlB1Wm4d"}, "attributeValues": []}
        ])
    );
}

#[test]
fn options_that_cannot_be_written_are_refused() {
    let set = |id: &str, options: Vec<OptionItem>| OptionSet {
        id: Identity::new(uid(id)),
        value_type: ValueType::Text,
        options,
    };
    let twice = build(|b| {
        b.push(set(
            "RHqFlB1Wm4d",
            vec![
                option("Uh4HvjK6zg3", "Y", "Yes"),
                option("Uh4HvjK6zg3", "Y", "Yes"),
            ],
        ));
    });
    let err = unwritable(&twice);
    assert_eq!(err.field(), Some("options[1]"));
    assert_eq!(
        err.to_string(),
        "optionSets[0] (id `RHqFlB1Wm4d`): cannot write `options[1]` `Uh4HvjK6zg3`: the option set \
         lists this option twice; a document lists it once"
    );

    let conflict = build(|b| {
        b.push(set("RHqFlB1Wm4d", vec![option("Uh4HvjK6zg3", "Y", "Yes")]));
        b.push(set("pC3N9N77UmT", vec![option("Uh4HvjK6zg3", "J", "Ja")]));
    });
    let err = unwritable(&conflict);
    assert_eq!(
        err.object(),
        Some(&ObjectRef {
            kind: "optionSets",
            index: 1,
            id: Some("pC3N9N77UmT".into())
        })
    );

    let mut codeless = option("Uh4HvjK6zg3", "Y", "Yes");
    codeless.id.code = None;
    let err = unwritable(&build(|b| {
        b.push(set("RHqFlB1Wm4d", vec![codeless]));
    }));
    assert!(
        matches!(&err, MetadataError::Unwritable { field, value: None, .. } if field == "options[0].code"),
        "{err}"
    );
    let err = unwritable(&build(|b| {
        b.push(set("RHqFlB1Wm4d", vec![option("Uh4HvjK6zg3", "", "Yes")]));
    }));
    assert_eq!(err.field(), Some("options[0].code"));
}

#[test]
fn attributes_carry_the_flags_of_the_kinds_using_them() {
    let attribute = |id: &str, unique: bool| Attribute {
        id: named(id, "Facility code"),
        value_type: ValueType::Text,
        unique,
    };
    let used = uid("l1VmqIHKk6t");
    let mut de = DataElement::new(Identity::new(uid("f7n9E0hX8qk")), ValueType::Number);
    de.id.attribute_values = vec![(used, "x".into())];
    let mut ds = DataSet::new(Identity::new(uid("pBOMPrpg1QX")), PeriodType::Monthly);
    ds.id.attribute_values = vec![(used, "y".into())];
    let mut user = user("xE7jOejl9FI", "admin", &[]);
    user.id.attribute_values = vec![(used, "z".into())];
    let mut set = OptionSet {
        id: Identity::new(uid("RHqFlB1Wm4d")),
        value_type: ValueType::Text,
        options: vec![option("Uh4HvjK6zg3", "Y", "Yes")],
    };
    set.options[0].id.attribute_values = vec![(used, "1".into())];
    let md = build(|b| {
        b.push(attribute("l1VmqIHKk6t", true))
            .push(attribute("m1VmqIHKk6t", false))
            .push(de)
            .push(ds)
            .push(user)
            .push(set);
    });
    let doc = assert_round_trip(&md);
    assert_eq!(
        object(&doc, "attributes", "l1VmqIHKk6t"),
        &json!({"id": "l1VmqIHKk6t", "name": "Facility code", "valueType": "TEXT",
                "unique": true, "dataElementAttribute": true, "dataSetAttribute": true,
                "optionAttribute": true, "userAttribute": true, "attributeValues": []})
    );
    assert_eq!(
        object(&doc, "attributes", "m1VmqIHKk6t"),
        &json!({"id": "m1VmqIHKk6t", "name": "Facility code", "valueType": "TEXT",
                "unique": false, "attributeValues": []})
    );
}

#[test]
fn groups_list_their_members() {
    let md = build(|b| {
        b.push(DataElementGroup {
            id: named("oDkJh5Ddh7d", "ANC"),
            data_elements: vec![uid("f7n9E0hX8qk"), uid("Ix2HsbDMLea")],
        })
        .push(OrganisationUnitGroup {
            id: named("CXw2yu5fodb", "CHC"),
            org_units: vec![uid("DiszpKrYNg8")],
        })
        .push(DataElementGroup {
            id: Identity::new(uid("pDkJh5Ddh7d")),
            data_elements: Vec::new(),
        });
    });
    let doc = assert_round_trip(&md);
    assert_eq!(
        object(&doc, "dataElementGroups", "oDkJh5Ddh7d"),
        &json!({"id": "oDkJh5Ddh7d", "name": "ANC", "shortName": "ANC",
                "dataElements": [{"id": "f7n9E0hX8qk"}, {"id": "Ix2HsbDMLea"}],
                "attributeValues": []})
    );
    assert_eq!(
        object(&doc, "organisationUnitGroups", "CXw2yu5fodb"),
        &json!({"id": "CXw2yu5fodb", "name": "CHC", "shortName": "CHC",
                "organisationUnits": [{"id": "DiszpKrYNg8"}], "attributeValues": []})
    );
}

fn user(id: &str, username: &str, authorities: &[&str]) -> User {
    User {
        id: Identity::new(uid(id)),
        username: username.into(),
        org_units: Vec::new(),
        data_view_org_units: Vec::new(),
        authorities: authorities.iter().map(|a| (*a).to_owned()).collect(),
        user_groups: Vec::new(),
    }
}

#[test]
fn users_get_a_role_per_list_of_authorities() {
    let mut clerk = user(
        "xE7jOejl9FI",
        "clerk",
        &["F_DATAVALUE_ADD", "M_dhis-web-dataentry"],
    );
    clerk.id.name = Some("Ama Kofi Mensah".into());
    clerk.id.code = Some("U_CLERK".into());
    clerk.org_units = vec![uid("DiszpKrYNg8")];
    clerk.data_view_org_units = vec![uid("ImspTQPwCqd")];
    clerk.user_groups = vec![uid("wl5cDMuUhmF")];
    let mut second = user(
        "yE7jOejl9FI",
        "clerk2",
        &["F_DATAVALUE_ADD", "M_dhis-web-dataentry"],
    );
    second.id.name = Some("Tinubu".into());
    let admin = user("zE7jOejl9FI", "admin", &["ALL"]);
    let guest = user("aE7jOejl9FI", "guest", &[]);
    let md = build(|b| {
        b.push(clerk).push(second).push(admin).push(guest);
    });
    let doc = assert_round_trip(&md);
    let roles = doc["userRoles"].as_array().unwrap();
    assert_eq!(roles.len(), 2, "one role per distinct list: {roles:?}");
    let clerk_role = roles[0]["id"].as_str().unwrap();
    assert!(Uid::is_valid(clerk_role));
    assert_eq!(
        roles[0],
        json!({"id": clerk_role,
                "name": format!("F_DATAVALUE_ADD, M_dhis-web-dataentry ({clerk_role})"),
                "authorities": ["F_DATAVALUE_ADD", "M_dhis-web-dataentry"]})
    );
    assert_eq!(roles[1]["authorities"], json!(["ALL"]));
    assert_eq!(
        object(&doc, "users", "xE7jOejl9FI"),
        &json!({
            "id": "xE7jOejl9FI", "code": "U_CLERK", "name": "Ama Kofi Mensah",
            "firstName": "Ama", "surname": "Kofi Mensah", "username": "clerk",
            "organisationUnits": [{"id": "DiszpKrYNg8"}],
            "dataViewOrganisationUnits": [{"id": "ImspTQPwCqd"}],
            "userGroups": [{"id": "wl5cDMuUhmF"}],
            // DHIS2 2.38+ reads the top-level form, 2.36–2.37 `userCredentials`.
            "userRoles": [{"id": clerk_role}],
            "userCredentials": {"username": "clerk", "userRoles": [{"id": clerk_role}]},
            "attributeValues": []
        })
    );
    let second = object(&doc, "users", "yE7jOejl9FI");
    assert_eq!(second["userRoles"], json!([{"id": clerk_role}]));
    assert_eq!(second["firstName"], "Tinubu");
    assert!(second.get("surname").is_none());
    let guest = object(&doc, "users", "aE7jOejl9FI");
    assert_eq!(guest["userRoles"], json!([]));
    assert_eq!(
        guest["userCredentials"],
        json!({"username": "guest", "userRoles": []})
    );

    // The same authorities get the same role UID in every document.
    let alone = build(|b| {
        b.push(user(
            "bE7jOejl9FI",
            "x",
            &["F_DATAVALUE_ADD", "M_dhis-web-dataentry"],
        ));
    });
    assert_eq!(json_of(&alone)["userRoles"][0]["id"], clerk_role);
}

#[test]
fn users_that_cannot_be_written_are_refused() {
    let err = unwritable(&build(|b| {
        b.push(user("xE7jOejl9FI", "", &[]));
    }));
    assert_eq!(err.field(), Some("username"));
    let err = unwritable(&build(|b| {
        b.push(user("xE7jOejl9FI", "clerk", &["ALL", "F_X", "ALL"]));
    }));
    assert_eq!(
        err.to_string(),
        "users[0] (id `xE7jOejl9FI`): cannot write `authorities[2]` `ALL`: the user holds this \
         authority twice; its roles give it once"
    );
}

#[test]
fn values_that_would_not_read_back_are_refused() {
    fn refused(change: impl FnOnce(&mut DataSet)) -> MetadataError {
        let mut ds = DataSet::new(Identity::new(uid("pBOMPrpg1QX")), PeriodType::Monthly);
        change(&mut ds);
        unwritable(&build(|b| {
            b.push(ds);
        }))
    }
    let err = refused(|ds| ds.id.code = Some(String::new()));
    assert_eq!(
        err.to_string(),
        "dataSets[0] (id `pBOMPrpg1QX`): cannot write `code` ``: an empty text reads back as \
         absent (DHIS2 reads \"\" as null)"
    );
    let err = refused(|ds| ds.id.name = Some("Malaria\0".into()));
    assert_eq!(err.field(), Some("name"));
    let err = refused(|ds| ds.id.attribute_values = vec![(uid("l1VmqIHKk6t"), String::new())]);
    assert_eq!(err.field(), Some("attributeValues[0].value"));
    let err = refused(|ds| ds.sharing.public = Some(String::new()));
    assert_eq!(err.field(), Some("sharing.public"));
    let err = refused(|ds| ds.sharing.users = vec![(uid("xE7jOejl9FI"), String::new())]);
    assert_eq!(err.field(), Some("sharing.users.xE7jOejl9FI.access"));
    let err = refused(|ds| ds.period_type = PeriodType::TwoYearly);
    assert_eq!(err.field(), Some("periodType"));
    let err = refused(|ds| ds.open_future_periods = i64::from(i32::MAX) + 1);
    assert_eq!(err.field(), Some("openFuturePeriods"));
    let err = refused(|ds| ds.open_periods_after_co_end_date = i64::from(i32::MIN) - 1);
    assert_eq!(err.field(), Some("openPeriodsAfterCoEndDate"));
    let err = refused(|ds| ds.expiry_days = (1 << 53) + 1);
    assert_eq!(err.field(), Some("expiryDays"));
    let err = refused(|ds| {
        ds.data_input_periods.push(DataInputPeriod {
            period: PeriodType::FinancialFeb
                .period_containing(ymd(2024, 3, 1))
                .unwrap(),
            opening_date: None,
            closing_date: None,
        })
    });
    assert_eq!(err.field(), Some("dataInputPeriods[0].period"));
    let err = refused(|ds| {
        ds.data_input_periods.push(DataInputPeriod {
            period: Period::parse("202401").unwrap(),
            opening_date: None,
            closing_date: Some(ymd(2024, 2, 1).and_hms_micro_opt(0, 0, 0, 1).unwrap()),
        })
    });
    assert_eq!(err.field(), Some("dataInputPeriods[0].closingDate"));
    assert!(err.to_string().contains("finer than milliseconds"), "{err}");

    let mut de = DataElement::new(Identity::new(uid("f7n9E0hX8qk")), ValueType::Number);
    de.domain_type = "aggregate".into();
    let err = unwritable(&build(|b| {
        b.push(de);
    }));
    assert_eq!(err.field(), Some("domainType"));
    let err = unwritable(&build(|b| {
        b.push(Category {
            id: Identity::new(uid("cX5k9anHEHd")),
            data_dimension_type: String::new(),
            options: Vec::new(),
        });
    }));
    assert_eq!(err.field(), Some("dataDimensionType"));
    assert_eq!(err.object().map(|o| o.kind), Some("categories"));
}

#[test]
fn a_failing_output_is_a_write_error() {
    struct Full;
    impl io::Write for Full {
        fn write(&mut self, _: &[u8]) -> io::Result<usize> {
            Err(io::Error::new(io::ErrorKind::StorageFull, "disk full"))
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }
    let err = write_metadata(&sample(), Full).unwrap_err();
    match &err {
        MetadataError::WriteIo(e) => assert_eq!(e.kind(), io::ErrorKind::StorageFull),
        other => panic!("{other}"),
    }
    assert!(err
        .to_string()
        .starts_with("I/O error while writing metadata JSON"));
    assert_eq!(
        (err.object(), err.field(), err.position()),
        (None, None, None)
    );
}

/// A catalogue with every kind.
fn sample() -> Metadata {
    let mut de = DataElement::new(named("f7n9E0hX8qk", "ANC 1st visit"), ValueType::Integer);
    de.id.attribute_values = vec![(uid("l1VmqIHKk6t"), "ANC1".into())];
    let mut ds = DataSet::new(named("pBOMPrpg1QX", "ANC"), PeriodType::Monthly);
    ds.elements.push(DataSetElement {
        data_element: uid("f7n9E0hX8qk"),
        category_combo: None,
    });
    build(|b| {
        b.push(Attribute {
            id: named("l1VmqIHKk6t", "Code"),
            value_type: ValueType::Text,
            unique: true,
        })
        .push(user("xE7jOejl9FI", "admin", &["ALL"]))
        .push(OptionSet {
            id: named("RHqFlB1Wm4d", "Yes/No"),
            value_type: ValueType::Text,
            options: vec![option("Uh4HvjK6zg3", "Y", "Yes")],
        })
        .push(OrganisationUnit::new(
            named("ImspTQPwCqd", "Sierra Leone"),
            None,
        ))
        .push(OrganisationUnitGroup {
            id: named("CXw2yu5fodb", "CHC"),
            org_units: vec![uid("ImspTQPwCqd")],
        })
        .push(de)
        .push(DataElementGroup {
            id: named("oDkJh5Ddh7d", "ANC"),
            data_elements: vec![uid("f7n9E0hX8qk")],
        })
        .push(ds);
    })
}

/// A document in the shape DHIS2 2.36–2.37 exports: users with `userCredentials` (the 2.36 user
/// model, which 2.38+'s `User.java` / `UserCredentialsDto.java` in dhis2-core still read for
/// backward compatibility), sharing in the 2.36+ form with `owner` and `external` and
/// `dataSetElements` with `dataSet` (as in dhis2-core's `dxf2/simple_metadata.json`, our corpus
/// `metadata/simple_metadata.json`), `dataInputPeriods` with period objects and `expiryDays` as a
/// double (shared/spec/metadata-spec.md §1.5), dates with an offset and as epoch milliseconds
/// (§1.1). Read, written and read again, it gives the same catalogue.
const DHIS2_236_EXPORT: &str = r#"{
  "system": {"id": "eed3d451-4ff5-4193-b951-ffcc68954299", "rev": "2bd2b59", "version": "2.36.4",
             "date": "2021-06-30T10:11:12.345"},
  "userRoles": [{"id": "Euq3XfEIEbx", "name": "Superuser", "authorities": ["ALL", "F_SYSTEM_SETTING"]}],
  "users": [{"id": "xE7jOejl9FI", "firstName": "John", "surname": "Traore",
             "userCredentials": {"id": "ZyjSDLHGPv4", "username": "admin",
                                 "userRoles": [{"id": "Euq3XfEIEbx"}]},
             "organisationUnits": [{"id": "ImspTQPwCqd"}], "dataViewOrganisationUnits": [],
             "userGroups": [{"id": "wl5cDMuUhmF"}]}],
  "organisationUnits": [{"id": "ImspTQPwCqd", "name": "Sierra Leone", "shortName": "Sierra Leone",
                         "code": "OU_525", "openingDate": "1994-01-01T00:00:00.000",
                         "path": "/ImspTQPwCqd", "level": 1},
                        {"id": "DiszpKrYNg8", "name": "Ngelehun CHC", "shortName": "Ngelehun CHC",
                         "openingDate": "1970-01-01T00:00:00.000+0000", "closedDate": 1735603200000,
                         "parent": {"id": "ImspTQPwCqd"}}],
  "dataElements": [{"id": "fbfJHSPpUQD", "name": "ANC 1st visit", "shortName": "ANC 1st visit",
                    "code": "DE_359596", "valueType": "NUMBER", "aggregationType": "SUM",
                    "domainType": "AGGREGATE", "zeroIsSignificant": false,
                    "categoryCombo": {"id": "bjDvmb4bfuf"},
                    "attributeValues": [{"value": "ANC", "attribute": {"id": "l1VmqIHKk6t"}}],
                    "sharing": {"owner": "xE7jOejl9FI", "external": false, "public": "rw------",
                                "users": {}, "userGroups": {"wl5cDMuUhmF": {"id": "wl5cDMuUhmF",
                                "access": "rwrw----", "displayName": "Data entry clerks"}}}}],
  "dataSets": [{"id": "QX4ZTUbOt3a", "name": "Reproductive Health", "shortName": "Reproductive Health",
                "periodType": "Monthly", "expiryDays": 0.0, "openFuturePeriods": 0, "timelyDays": 15.0,
                "categoryCombo": {"id": "bjDvmb4bfuf"},
                "dataSetElements": [{"dataElement": {"id": "fbfJHSPpUQD"}, "dataSet": {"id": "QX4ZTUbOt3a"}}],
                "dataInputPeriods": [{"period": {"id": "202101"}, "openingDate": "2021-01-01T00:00:00.000",
                                      "closingDate": "2021-02-10T00:00:00.000"}],
                "organisationUnits": [{"id": "DiszpKrYNg8"}]}],
  "options": [{"id": "Uh4HvjK6zg3", "code": "Y", "name": "Yes", "sortOrder": 1,
               "optionSet": {"id": "RHqFlB1Wm4d"}},
              {"id": "BQMei56UBl6", "code": "N", "name": "No", "sortOrder": 2,
               "optionSet": {"id": "RHqFlB1Wm4d"}}],
  "optionSets": [{"id": "RHqFlB1Wm4d", "name": "Yes/No", "valueType": "TEXT",
                  "options": [{"id": "Uh4HvjK6zg3"}, {"id": "BQMei56UBl6"}]}],
  "attributes": [{"id": "l1VmqIHKk6t", "name": "Short code", "valueType": "TEXT", "unique": true,
                  "dataElementAttribute": true}]
}"#;

#[test]
fn a_dhis2_export_reads_back_after_writing() {
    let md = read_metadata(DHIS2_236_EXPORT.as_bytes()).unwrap();
    assert_eq!(
        md.org_unit(&uid("DiszpKrYNg8")).unwrap().closed_date,
        Some(ymd(2024, 12, 31))
    );
    let doc = assert_round_trip(&md);
    let user = object(&doc, "users", "xE7jOejl9FI");
    assert_eq!(user["name"], "John Traore");
    assert_eq!(
        (&user["firstName"], &user["surname"]),
        (&json!("John"), &json!("Traore"))
    );
    let role = user["userRoles"][0]["id"].as_str().unwrap();
    assert_eq!(
        object(&doc, "userRoles", role)["authorities"],
        json!(["ALL", "F_SYSTEM_SETTING"])
    );
    assert_eq!(
        object(&doc, "organisationUnits", "DiszpKrYNg8")["closedDate"],
        "2024-12-31T00:00:00.000"
    );
}

#[test]
fn dhis2_corpus_documents_read_back_after_writing() {
    let Some(dir) = dxf2_testdata::corpus::corpus_file("metadata") else {
        return;
    };
    let mut accepted = 0;
    let mut entries: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for path in entries {
        if path.extension().and_then(|e| e.to_str()) != Some("json") {
            continue;
        }
        let Ok(md) = read_metadata(std::fs::File::open(&path).unwrap()) else {
            eprintln!("{}: not read by read_metadata, skipped", path.display());
            continue;
        };
        let bytes = write(&md);
        let back = read_metadata(&bytes[..]).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert_eq!(kinds(&back), kinds(&md), "{}", path.display());
        accepted += 1;
    }
    assert!(accepted >= 2, "only {accepted} corpus documents were read");
}

/// Generated catalogues (proptest).
#[path = "metadata_write/generated.rs"]
mod generated;
