//! Generated catalogues: written, then read back as they were.

use dxf2_json::metadata::{read_metadata, write_metadata, MetadataError};
use dxf2_model::metadata::{
    Attribute, Category, CategoryCombo, CategoryOption, CategoryOptionCombo, DataElement,
    DataElementGroup, DataInputPeriod, DataSet, DataSetElement, Identity, NaiveDate, NaiveDateTime,
    OptionItem, OptionSet, OrganisationUnit, OrganisationUnitGroup, Sharing, User,
};
use dxf2_model::{ImporterProfile, Metadata, PeriodType, Uid, ValueType};
use proptest::prelude::*;

use super::{kinds, write};

fn any_uid() -> impl Strategy<Value = Uid> {
    "[a-zA-Z][a-zA-Z0-9]{10}".prop_map(|s| Uid::parse(&s).unwrap())
}

/// A text that reads back: not empty, no NUL (spaces included, for user names).
fn any_text() -> impl Strategy<Value = String> {
    "[ a-zA-Z0-9_\\-éø€中]{1,8}"
}

fn any_identity() -> impl Strategy<Value = Identity> {
    (
        any_uid(),
        proptest::option::of(any_text()),
        proptest::option::of(any_text()),
        proptest::collection::vec((any_uid(), any_text()), 0..3),
    )
        .prop_map(|(uid, code, name, attribute_values)| Identity {
            uid,
            code,
            name,
            attribute_values,
        })
}

fn any_date() -> impl Strategy<Value = NaiveDate> {
    (-200_000i32..3_000_000).prop_map(|days| NaiveDate::from_num_days_from_ce_opt(days).unwrap())
}

fn any_date_time() -> impl Strategy<Value = NaiveDateTime> {
    (any_date(), 0u32..86_400_000).prop_map(|(d, ms)| {
        d.and_hms_milli_opt(ms / 3_600_000, ms / 60_000 % 60, ms / 1000 % 60, ms % 1000)
            .unwrap()
    })
}

fn any_sharing() -> impl Strategy<Value = Sharing> {
    let access = "[rw-]{2}[rw-]{2}----";
    (
        proptest::option::of(access),
        proptest::collection::vec((any_uid(), access), 0..3),
        proptest::collection::vec((any_uid(), access), 0..3),
    )
        .prop_map(|(public, users, user_groups)| Sharing {
            public,
            users,
            user_groups,
        })
}

fn any_value_type() -> impl Strategy<Value = ValueType> {
    proptest::sample::select(ValueType::ALL.to_vec())
}

fn any_uids() -> impl Strategy<Value = Vec<Uid>> {
    proptest::collection::vec(any_uid(), 0..3)
}

fn any_org_units() -> impl Strategy<Value = Vec<OrganisationUnit>> {
    proptest::collection::vec(
        (
            any_identity(),
            proptest::option::of(any::<prop::sample::Index>()),
            proptest::option::of(any_date()),
            proptest::option::of(any_date()),
        ),
        0..5,
    )
    .prop_map(|units| {
        let mut out: Vec<OrganisationUnit> = Vec::new();
        for (id, parent, opening_date, closed_date) in units {
            // A parent among the units before (no cycles), or none.
            let parent = parent
                .filter(|_| !out.is_empty())
                .map(|i| out[i.index(out.len())].id.uid);
            out.push(OrganisationUnit {
                id,
                parent,
                opening_date,
                closed_date,
            });
        }
        out
    })
}

fn any_data_element() -> impl Strategy<Value = DataElement> {
    (
        any_identity(),
        any_value_type(),
        proptest::sample::select(vec!["SUM", "AVERAGE", "LAST_IN_PERIOD", "NONE", "DEFAULT"]),
        proptest::sample::select(vec!["AGGREGATE", "TRACKER"]),
        any::<bool>(),
        any_uid(),
        proptest::option::of(any_uid()),
        proptest::option::of(any_uid()),
        any_sharing(),
    )
        .prop_map(
            |(id, value_type, aggregation, domain, zero, combo, option_set, comment, sharing)| {
                DataElement {
                    id,
                    value_type,
                    aggregation_type: aggregation.into(),
                    domain_type: domain.into(),
                    zero_is_significant: zero,
                    category_combo: combo,
                    option_set,
                    comment_option_set: comment,
                    sharing,
                }
            },
        )
}

fn any_dimension() -> impl Strategy<Value = String> {
    proptest::sample::select(vec!["DISAGGREGATION", "ATTRIBUTE"]).prop_map(String::from)
}

fn any_input_period() -> impl Strategy<Value = DataInputPeriod> {
    let types: Vec<PeriodType> = PeriodType::ALL
        .into_iter()
        .filter(|t| t.supported_by(ImporterProfile::Classic))
        .collect();
    (
        proptest::sample::select(types),
        (0i32..200_000).prop_map(|d| NaiveDate::from_num_days_from_ce_opt(693_000 + d).unwrap()),
        proptest::option::of(any_date_time()),
        proptest::option::of(any_date_time()),
    )
        .prop_map(|(t, day, opening_date, closing_date)| DataInputPeriod {
            period: t.period_containing(day).unwrap(),
            opening_date,
            closing_date,
        })
}

fn any_data_set() -> impl Strategy<Value = DataSet> {
    let types: Vec<PeriodType> = PeriodType::ALL
        .into_iter()
        .filter(|t| *t != PeriodType::TwoYearly)
        .collect();
    (
        any_identity(),
        proptest::sample::select(types),
        proptest::collection::vec((any_uid(), proptest::option::of(any_uid())), 0..3),
        any_uids(),
        any_uid(),
        (-(1i64 << 53)..=(1i64 << 53)),
        (i64::from(i32::MIN)..=i64::from(i32::MAX)),
        (-5i64..100),
        proptest::collection::vec(any_input_period(), 0..3),
        (
            any::<bool>(),
            proptest::option::of(any_uid()),
            any_sharing(),
        ),
    )
        .prop_map(
            |(
                id,
                period_type,
                elements,
                org_units,
                combo,
                expiry,
                future,
                after,
                periods,
                rest,
            )| {
                DataSet {
                    id,
                    period_type,
                    elements: elements
                        .into_iter()
                        .map(|(data_element, category_combo)| DataSetElement {
                            data_element,
                            category_combo,
                        })
                        .collect(),
                    org_units,
                    category_combo: combo,
                    expiry_days: expiry,
                    open_future_periods: future,
                    open_periods_after_co_end_date: after,
                    data_input_periods: periods,
                    no_value_requires_comment: rest.0,
                    workflow: rest.1,
                    sharing: rest.2,
                }
            },
        )
}

/// Option sets whose options have distinct UIDs (an option in two sets is the same object).
fn any_option_sets() -> impl Strategy<Value = Vec<OptionSet>> {
    let option = (any_identity(), any_text()).prop_map(|(mut id, code)| {
        id.code = Some(code);
        OptionItem { id }
    });
    (
        proptest::collection::vec(option, 0..6),
        proptest::collection::vec(
            (
                any_identity(),
                any_value_type(),
                proptest::collection::vec(any::<prop::sample::Index>(), 0..4),
            ),
            0..3,
        ),
    )
        .prop_map(|(options, sets)| {
            sets.into_iter()
                .map(|(id, value_type, picks)| {
                    let mut chosen: Vec<OptionItem> = Vec::new();
                    if !options.is_empty() {
                        for pick in picks {
                            let item = &options[pick.index(options.len())];
                            if !chosen.iter().any(|o| o.id.uid == item.id.uid) {
                                chosen.push(item.clone());
                            }
                        }
                    }
                    OptionSet {
                        id,
                        value_type,
                        options: chosen,
                    }
                })
                .collect()
        })
}

fn any_user() -> impl Strategy<Value = User> {
    let authorities = vec![
        "ALL",
        "F_DATAVALUE_ADD",
        "F_EXPORT_DATA",
        "M_dhis-web-dataentry",
    ];
    (
        any_identity(),
        "[a-z][a-z0-9._]{0,10}",
        any_uids(),
        any_uids(),
        proptest::sample::subsequence(authorities, 0..=4).prop_shuffle(),
        any_uids(),
    )
        .prop_map(
            |(id, username, org_units, data_view_org_units, authorities, user_groups)| User {
                id,
                username,
                org_units,
                data_view_org_units,
                authorities: authorities.into_iter().map(String::from).collect(),
                user_groups,
            },
        )
}

prop_compose! {
    fn any_metadata()(
        org_units in any_org_units(),
        data_elements in proptest::collection::vec(any_data_element(), 0..3),
        category_options in proptest::collection::vec(
            (any_identity(), proptest::option::of(any_date()), proptest::option::of(any_date()),
             any_uids(), any_sharing()), 0..3),
        categories in proptest::collection::vec((any_identity(), any_dimension(), any_uids()), 0..3),
        combos in proptest::collection::vec((any_identity(), any_dimension(), any_uids()), 0..3),
        cocs in proptest::collection::vec((any_identity(), any_uid(), any_uids(), any::<bool>()), 0..3),
        data_sets in proptest::collection::vec(any_data_set(), 0..3),
        option_sets in any_option_sets(),
        attributes in proptest::collection::vec((any_identity(), any_value_type(), any::<bool>()), 0..3),
        de_groups in proptest::collection::vec((any_identity(), any_uids()), 0..2),
        ou_groups in proptest::collection::vec((any_identity(), any_uids()), 0..2),
        users in proptest::collection::vec(any_user(), 0..3),
    ) -> Metadata {
        let mut b = Metadata::builder();
        for o in org_units { b.push(o); }
        for o in data_elements { b.push(o); }
        for (id, start_date, end_date, org_units, sharing) in category_options {
            b.push(CategoryOption { id, start_date, end_date, org_units, sharing });
        }
        for (id, data_dimension_type, options) in categories {
            b.push(Category { id, data_dimension_type, options });
        }
        for (id, data_dimension_type, categories) in combos {
            b.push(CategoryCombo { id, data_dimension_type, categories });
        }
        for (id, category_combo, options, ignore_approval) in cocs {
            b.push(CategoryOptionCombo { id, category_combo, options, ignore_approval });
        }
        for o in data_sets { b.push(o); }
        for o in option_sets { b.push(o); }
        for (id, value_type, unique) in attributes { b.push(Attribute { id, value_type, unique }); }
        for (id, data_elements) in de_groups { b.push(DataElementGroup { id, data_elements }); }
        for (id, org_units) in ou_groups { b.push(OrganisationUnitGroup { id, org_units }); }
        for o in users { b.push(o); }
        b.build().unwrap()
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    /// Generated catalogues read back as they were written, and the writer is deterministic.
    #[test]
    fn generated_catalogues_round_trip(md in any_metadata()) {
        let bytes = write(&md);
        let back = read_metadata(&bytes[..]);
        prop_assert!(back.is_ok(), "{:?}\n{}", back.err(), String::from_utf8_lossy(&bytes));
        let back = back.unwrap();
        prop_assert_eq!(kinds(&back), kinds(&md));
        prop_assert_eq!(write(&back), bytes);
    }

    /// With odd texts (empty, NUL) and numbers anywhere, the writer either refuses the catalogue
    /// (writing nothing) or writes a document that reads back as it was.
    #[test]
    fn the_writer_refuses_or_round_trips(
        md in any_metadata(),
        code in prop_oneof![Just(String::new()), Just("a\0b".to_owned()), any_text()],
        future in any::<i64>(),
        expiry in any::<i64>(),
        which in 0usize..4,
    ) {
        let mut md = md;
        match which {
            0 => md.update_all::<DataElement>(|de| de.id.code = Some(code.clone())),
            1 => md.update_all::<User>(|u| u.username = code.clone()),
            2 => md.update_all::<DataSet>(|ds| {
                ds.open_future_periods = future;
                ds.expiry_days = expiry;
            }),
            _ => md.update_all::<OrganisationUnit>(|ou| ou.id.attribute_values = vec![(ou.id.uid, code.clone())]),
        }
        let mut bytes = Vec::new();
        match write_metadata(&md, &mut bytes) {
            Err(MetadataError::Unwritable { .. }) => prop_assert!(bytes.is_empty()),
            Err(other) => prop_assert!(false, "{}", other),
            Ok(()) => {
                let back = read_metadata(&bytes[..]);
                prop_assert!(back.is_ok(), "{:?}", back.err());
                let back = back.unwrap();
                prop_assert_eq!(kinds(&back), kinds(&md));
            }
        }
    }
}
