//! Cases: `MetadataStore`. A catalogue with every kind of object and every field round-trips,
//! later saves add and replace by UID, a cycle of org units is refused saving nothing, and
//! metadata saved in a transaction commits or rolls back with it.

use dxf2_model::metadata::{
    Attribute, CatalogObject, Category, CategoryCombo, CategoryOption, CategoryOptionCombo,
    DataElement, DataElementGroup, DataInputPeriod, DataSet, DataSetElement, Identity, OptionItem,
    OptionSet, OrganisationUnit, OrganisationUnitGroup, Sharing, User,
};
use dxf2_model::{Metadata, PeriodType, ValueType};

use super::fixtures::*;
use super::Harness;
use crate::{DataValueStore, MetadataStore, StoreError};

/// An identity with a code, a name and an attribute value.
fn named(u: &str, code: &str, name: &str) -> Identity {
    Identity {
        uid: uid(u),
        code: Some(code.to_owned()),
        name: Some(name.to_owned()),
        attribute_values: vec![(uid("attrAAAAAAA"), format!("{code}-attr"))],
    }
}

/// A date and time of a data input period.
fn datetime(s: &str) -> chrono::NaiveDateTime {
    chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f")
        .unwrap_or_else(|e| panic!("test date and time `{s}`: {e}"))
}

/// A catalogue with every kind of object and every field filled (as `finish` leaves it: the
/// default category objects added, the hierarchy computed).
fn full_metadata() -> Metadata {
    let sharing = Sharing {
        public: Some("rw------".to_owned()),
        users: vec![(uid("userAAAAAAA"), "rwrw----".to_owned())],
        user_groups: vec![(uid("ugrpAAAAAAA"), "r-r-----".to_owned())],
    };
    let mut m = Metadata::new();
    m.add_org_unit(OrganisationUnit {
        id: named(ROOT, "ROOT", "Root \"unit\" ü ✓"),
        parent: None,
        opening_date: Some(date(1990, 1, 1)),
        closed_date: Some(date(2030, 12, 31)),
    });
    m.add_org_unit(org_unit(F1, Some(ROOT)));
    m.add_category_option(CategoryOption {
        id: named("coptAAAAAAA", "OPT_A", "Option A"),
        start_date: Some(date(2020, 1, 1)),
        end_date: Some(date(2020, 12, 31)),
        org_units: vec![uid(ROOT), uid(F1)],
        sharing: sharing.clone(),
    });
    m.add_category_option(CategoryOption {
        id: named("coptBBBBBBB", "OPT_B", "Option B"),
        start_date: None,
        end_date: None,
        org_units: Vec::new(),
        sharing: Sharing::default(),
    });
    m.add_category(Category {
        id: named("catgAAAAAAA", "CAT_A", "Category A"),
        data_dimension_type: "ATTRIBUTE".to_owned(),
        options: vec![uid("coptBBBBBBB"), uid("coptAAAAAAA")],
    });
    m.add_category_combo(CategoryCombo {
        id: named("ccmbAAAAAAA", "CC_A", "Combo A"),
        data_dimension_type: "ATTRIBUTE".to_owned(),
        categories: vec![uid("catgAAAAAAA")],
    });
    for (coc, option) in [(AOC_X, "coptAAAAAAA"), ("aocYYYYYYYY", "coptBBBBBBB")] {
        m.add_category_option_combo(CategoryOptionCombo {
            id: named(coc, coc, option),
            category_combo: uid("ccmbAAAAAAA"),
            options: vec![uid(option)],
            ignore_approval: coc == AOC_X,
        });
    }
    m.add_option_set(OptionSet {
        id: named("osetAAAAAAA", "OS_A", "Option set A"),
        value_type: ValueType::Text,
        options: vec![
            OptionItem {
                id: named("optnAAAAAAA", "ONE", "One"),
            },
            OptionItem {
                id: Identity {
                    uid: uid("optnBBBBBBB"),
                    code: Some("TWO".to_owned()),
                    name: None,
                    attribute_values: Vec::new(),
                },
            },
        ],
    });
    m.add_attribute(Attribute {
        id: named("attrAAAAAAA", "ATTR", "An attribute"),
        value_type: ValueType::Text,
        unique: true,
    });
    m.add_data_element(DataElement {
        id: named(DE_A, "DE_A", "Data element A"),
        value_type: ValueType::Integer,
        aggregation_type: "AVERAGE".to_owned(),
        domain_type: "AGGREGATE".to_owned(),
        zero_is_significant: true,
        category_combo: uid("ccmbAAAAAAA"),
        option_set: Some(uid("osetAAAAAAA")),
        comment_option_set: Some(uid("osetAAAAAAA")),
        sharing: sharing.clone(),
    });
    m.add_data_element(DataElement::new(
        Identity::new(uid(DE_B)),
        ValueType::Number,
    ));
    m.add_data_set(DataSet {
        id: named(DS_A, "DS_A", "Data set A"),
        period_type: PeriodType::Quarterly,
        elements: vec![
            DataSetElement {
                data_element: uid(DE_A),
                category_combo: Some(uid("ccmbAAAAAAA")),
            },
            DataSetElement {
                data_element: uid(DE_B),
                category_combo: None,
            },
        ],
        org_units: vec![uid(ROOT), uid(F1)],
        category_combo: uid("ccmbAAAAAAA"),
        expiry_days: 10,
        open_future_periods: 2,
        open_periods_after_co_end_date: 1,
        data_input_periods: vec![
            DataInputPeriod {
                period: pe("2020Q1"),
                opening_date: Some(datetime("2020-01-01T08:30:00.250")),
                closing_date: Some(datetime("2020-04-15T00:00:00")),
            },
            DataInputPeriod {
                period: pe("2020Q2"),
                opening_date: None,
                closing_date: None,
            },
        ],
        no_value_requires_comment: true,
        workflow: Some(uid("wflwAAAAAAA")),
        sharing: sharing.clone(),
    });
    m.add_data_set(DataSet::new(
        Identity::new(uid(DS_B)),
        PeriodType::FinancialApril,
    ));
    m.add_data_element_group(DataElementGroup {
        id: named("degrAAAAAAA", "DEG", "Group"),
        data_elements: vec![uid(DE_B), uid(DE_A)],
    });
    m.add_org_unit_group(OrganisationUnitGroup {
        id: named("ougrAAAAAAA", "OUG", "Unit group"),
        org_units: vec![uid(F1)],
    });
    m.add_user(User {
        id: named("userAAAAAAA", "USER", "A User"),
        username: "auser".to_owned(),
        org_units: vec![uid(F1)],
        data_view_org_units: vec![uid(ROOT)],
        authorities: vec!["F_DATAVALUE_ADD".to_owned(), "ALL".to_owned()],
        user_groups: vec![uid("ugrpAAAAAAA")],
    });
    m.finish()
        .unwrap_or_else(|e| panic!("the test catalogue: {e}"));
    m
}

/// The objects of a kind, by UID.
fn by_uid<T: CatalogObject + Clone>(md: &Metadata) -> Vec<T> {
    let mut objects = md.all::<T>().to_vec();
    objects.sort_by_key(|o| o.identity().uid);
    objects
}

/// Fails the case unless both catalogues hold the same objects of every kind (compared by UID:
/// a store need not keep the order in which objects were saved).
#[track_caller]
fn assert_same_metadata(loaded: &Metadata, expected: &Metadata) {
    macro_rules! same {
        ($($ty:ty),*) => {$(
            assert_eq!(
                by_uid::<$ty>(loaded),
                by_uid::<$ty>(expected),
                "the loaded {} differ from the saved ones",
                stringify!($ty)
            );
        )*};
    }
    same!(
        OrganisationUnit,
        DataElement,
        CategoryOption,
        Category,
        CategoryCombo,
        CategoryOptionCombo,
        DataSet,
        OptionSet,
        Attribute,
        DataElementGroup,
        OrganisationUnitGroup,
        User
    );
}

/// Loads the store's metadata.
#[track_caller]
fn load<S: MetadataStore + ?Sized>(s: &mut S) -> Metadata {
    must(s.load_metadata(), "to load metadata")
}

/// A store with nothing saved loads no objects; a catalogue with every kind of object and every
/// field round-trips (its hierarchy computed on load); a later save adds objects and replaces
/// those with the same kind and UID, leaving the rest; all of it survives reopening.
pub fn metadata_round_trips<H: Harness>(h: &mut H) {
    let mut s = h.fresh();
    let empty = load(&mut s);
    assert!(
        empty.org_units().is_empty() && empty.data_elements().is_empty(),
        "a fresh store loads no org units or data elements"
    );
    assert!(empty.data_sets().is_empty() && empty.users().is_empty());

    let m = full_metadata();
    must(s.save_metadata(&m), "to save metadata");
    let loaded = load(&mut s);
    assert_same_metadata(&loaded, &m);
    assert_eq!(
        loaded.org_unit_path(&uid(F1)).map(|p| p.to_string()),
        Some(format!("/{ROOT}/{F1}"))
    );
    assert!(loaded.default_category_option_combo().is_some());

    // A later save adds and replaces by kind and UID.
    let mut more = Metadata::new();
    let mut renamed = DataElement::new(Identity::new(uid(DE_B)), ValueType::Text);
    renamed.id.name = Some("Renamed".to_owned());
    more.add_data_element(renamed.clone());
    more.add_org_unit(org_unit(F2, Some(F1)));
    must(s.save_metadata(&more), "to save more metadata");
    let mut expected = m.clone();
    expected.add_data_element(renamed);
    expected.add_org_unit(org_unit(F2, Some(F1)));
    let loaded = load(&mut s);
    assert_same_metadata(&loaded, &expected);
    assert_eq!(loaded.org_unit_level(&uid(F2)), Some(3));
    assert!(loaded.is_org_unit_within(&uid(F2), &uid(ROOT)));

    let mut s = h.reopen(s);
    let loaded = load(&mut s);
    assert_same_metadata(&loaded, &expected);
    assert_eq!(
        loaded.org_unit_path(&uid(F2)).map(|p| p.to_string()),
        Some(format!("/{ROOT}/{F1}/{F2}"))
    );
}

/// Org units whose parents would form a cycle (with the stored ones, or a unit its own parent)
/// are refused with [`StoreError::Hierarchy`], saving nothing of that catalogue; inside a
/// transaction, the rollback that follows leaves the store as before it.
pub fn metadata_cycle_is_refused<H: Harness>(h: &mut H) {
    let mut s = h.fresh();
    must(s.save_metadata(&org_unit_tree()), "to save metadata");
    let before = load(&mut s);

    let mut cycle = Metadata::new();
    cycle.add_data_element(DataElement::new(
        Identity::new(uid(DE_A)),
        ValueType::Integer,
    ));
    cycle.add_org_unit(org_unit("ouNewAAAAAA", Some(ROOT)));
    cycle.add_org_unit(org_unit(ROOT, Some(F2)));
    let mut own_parent = Metadata::new();
    own_parent.add_org_unit(org_unit("ouSelfAAAAA", Some("ouSelfAAAAA")));
    for (what, catalogue) in [("a cycle", &cycle), ("a unit its own parent", &own_parent)] {
        match s.save_metadata(catalogue) {
            Err(StoreError::Hierarchy(_)) => {}
            other => panic!("{what} must be refused with StoreError::Hierarchy, got {other:?}"),
        }
        assert_same_metadata(&load(&mut s), &before);
    }

    must(s.begin(), "to begin");
    let a = row(key(DE_A, "202001", F1), "1");
    must(s.apply(&inserts(std::slice::from_ref(&a))), "to insert");
    match s.save_metadata(&cycle) {
        Err(StoreError::Hierarchy(_)) => {}
        other => panic!("a cycle must be refused with StoreError::Hierarchy, got {other:?}"),
    }
    must(s.rollback(), "to roll back");
    assert_same_metadata(&load(&mut s), &before);
    assert_no_row(&mut s, &a.key);
    let loaded = load(&mut s);
    assert_eq!(loaded.org_unit(&uid(ROOT)).and_then(|o| o.parent), None);
}

/// Metadata saved inside a transaction is loaded inside it, and is gone after a rollback or kept
/// after a commit.
pub fn metadata_follows_transactions<H: Harness>(h: &mut H) {
    let mut s = h.fresh();
    let tree = org_unit_tree();
    must(s.save_metadata(&tree), "to save metadata");
    let before = load(&mut s);
    let full = full_metadata();

    must(s.begin(), "to begin");
    must(s.save_metadata(&full), "to save metadata");
    let inside = load(&mut s);
    assert_eq!(inside.data_sets().len(), 2, "loaded inside the transaction");
    must(s.rollback(), "to roll back");
    assert_same_metadata(&load(&mut s), &before);
    assert_eq!(
        load(&mut s).org_unit(&uid(F1)).and_then(|o| o.parent),
        Some(uid(D1)),
        "the parent saved before the transaction"
    );

    must(s.begin(), "to begin");
    must(s.save_metadata(&full), "to save metadata");
    must(s.commit(), "to commit");
    let mut expected = before;
    must(
        expected.merge(full).map_err(StoreError::Hierarchy),
        "to merge the test catalogues",
    );
    assert_same_metadata(&load(&mut s), &expected);
}
