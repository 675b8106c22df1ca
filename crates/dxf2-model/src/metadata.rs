//! Metadata objects an aggregate data import needs, and [`Metadata`], an in-memory catalogue of them.
//!
//! Field names follow DXF2 metadata JSON (`../shared/spec/metadata-spec.md` §1.4–1.7). References
//! between objects are UIDs. Defaults (`default` category option, category, category combo and
//! category option combo) are added by [`Metadata::ensure_defaults`] exactly as DHIS2 creates them.

use std::collections::HashMap;

use rustc_hash::FxHashMap;

/// The date types of the metadata fields, re-exported so that readers and tests need no direct
/// `chrono` dependency.
pub use chrono::{NaiveDate, NaiveDateTime, NaiveTime};

use crate::{Period, PeriodType, Uid, ValueType};

/// UID of the default category option.
pub const DEFAULT_CATEGORY_OPTION_UID: &str = "xYerKDKCefk";
/// UID of the default category.
pub const DEFAULT_CATEGORY_UID: &str = "GLevLNI9wkl";
/// UID of the default category combo.
pub const DEFAULT_CATEGORY_COMBO_UID: &str = "bjDvmb4bfuf";

/// The identity every identifiable object has: UID, code, name and attribute values.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Identity {
    /// `id`.
    pub uid: Uid,
    /// `code` (unique per type when present).
    pub code: Option<String>,
    /// `name`.
    pub name: Option<String>,
    /// `attributeValues`: `(attribute UID, value)`.
    pub attribute_values: Vec<(Uid, String)>,
}

impl Identity {
    /// An identity with only a UID.
    pub fn new(uid: Uid) -> Identity {
        Identity {
            uid,
            code: None,
            name: None,
            attribute_values: Vec::new(),
        }
    }

    /// The value of an attribute, if the object has one.
    pub fn attribute_value(&self, attribute: &str) -> Option<&str> {
        self.attribute_values
            .iter()
            .find(|(a, _)| a.as_str() == attribute)
            .map(|(_, v)| v.as_str())
    }
}

/// Sharing of a shareable object: access strings (`rwrw----`: metadata read/write, data read/write).
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Sharing {
    /// `public` access string; `None` means not given (DHIS2's default for the type applies).
    pub public: Option<String>,
    /// Per-user access: `(user UID, access string)`.
    pub users: Vec<(Uid, String)>,
    /// Per-user-group access: `(user group UID, access string)`.
    pub user_groups: Vec<(Uid, String)>,
}

impl Sharing {
    /// Whether the access string grants data write (position 3 is `w`).
    pub fn grants_data_write(access: &str) -> bool {
        access.as_bytes().get(3) == Some(&b'w')
    }
    /// Whether the access string grants data read (position 2 is `r`).
    pub fn grants_data_read(access: &str) -> bool {
        access.as_bytes().get(2) == Some(&b'r')
    }
}

/// `organisationUnits`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrganisationUnit {
    /// Identity.
    pub id: Identity,
    /// `parent`.
    pub parent: Option<Uid>,
    /// `path` (`/root/…/self`), computed from the parent chain by [`Metadata::compute_paths`].
    pub path: String,
    /// `openingDate`.
    pub opening_date: Option<NaiveDate>,
    /// `closedDate`.
    pub closed_date: Option<NaiveDate>,
}

/// `dataElements`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DataElement {
    /// Identity.
    pub id: Identity,
    /// `valueType`.
    pub value_type: ValueType,
    /// `aggregationType` as its DHIS2 name (`SUM`, `AVERAGE`, …).
    pub aggregation_type: String,
    /// `domainType` (`AGGREGATE` / `TRACKER`).
    pub domain_type: String,
    /// `zeroIsSignificant`.
    pub zero_is_significant: bool,
    /// `categoryCombo` (default combo when not given).
    pub category_combo: Uid,
    /// `optionSet`.
    pub option_set: Option<Uid>,
    /// `commentOptionSet`.
    pub comment_option_set: Option<Uid>,
    /// `sharing`.
    pub sharing: Sharing,
}

/// `categoryOptions`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CategoryOption {
    /// Identity.
    pub id: Identity,
    /// `startDate`.
    pub start_date: Option<NaiveDate>,
    /// `endDate`.
    pub end_date: Option<NaiveDate>,
    /// `organisationUnits`: when non-empty, the option is restricted to these units (and below).
    pub org_units: Vec<Uid>,
    /// `sharing`.
    pub sharing: Sharing,
}

/// `categories`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Category {
    /// Identity.
    pub id: Identity,
    /// `dataDimensionType` (`DISAGGREGATION` / `ATTRIBUTE`).
    pub data_dimension_type: String,
    /// `categoryOptions`, ordered.
    pub options: Vec<Uid>,
}

/// `categoryCombos`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CategoryCombo {
    /// Identity.
    pub id: Identity,
    /// `dataDimensionType`.
    pub data_dimension_type: String,
    /// `categories`, ordered.
    pub categories: Vec<Uid>,
}

/// `categoryOptionCombos`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CategoryOptionCombo {
    /// Identity.
    pub id: Identity,
    /// `categoryCombo`.
    pub category_combo: Uid,
    /// `categoryOptions`.
    pub options: Vec<Uid>,
    /// `ignoreApproval`.
    pub ignore_approval: bool,
}

/// One `dataSetElements` entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DataSetElement {
    /// `dataElement`.
    pub data_element: Uid,
    /// `categoryCombo` override (stays `None` when absent).
    pub category_combo: Option<Uid>,
}

/// One `dataInputPeriods` entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DataInputPeriod {
    /// `period`.
    pub period: Period,
    /// `openingDate`.
    pub opening_date: Option<NaiveDateTime>,
    /// `closingDate`.
    pub closing_date: Option<NaiveDateTime>,
}

/// `dataSets`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DataSet {
    /// Identity.
    pub id: Identity,
    /// `periodType`.
    pub period_type: PeriodType,
    /// `dataSetElements`.
    pub elements: Vec<DataSetElement>,
    /// `organisationUnits` (the data set's sources).
    pub org_units: Vec<Uid>,
    /// `categoryCombo` (attribute combo; default when not given).
    pub category_combo: Uid,
    /// `expiryDays` (0 = never expires).
    pub expiry_days: i64,
    /// `openFuturePeriods`.
    pub open_future_periods: i64,
    /// `openPeriodsAfterCoEndDate`.
    pub open_periods_after_co_end_date: i64,
    /// `dataInputPeriods`.
    pub data_input_periods: Vec<DataInputPeriod>,
    /// `noValueRequiresComment`.
    pub no_value_requires_comment: bool,
    /// `workflow` (data approval workflow).
    pub workflow: Option<Uid>,
    /// `sharing`.
    pub sharing: Sharing,
}

/// One option of an option set.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OptionItem {
    /// Identity (`code` is required for options).
    pub id: Identity,
}

/// `optionSets` (with their `options` resolved in order).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OptionSet {
    /// Identity.
    pub id: Identity,
    /// `valueType`.
    pub value_type: ValueType,
    /// The options, in the option set's order.
    pub options: Vec<OptionItem>,
}

/// `attributes` (only what id schemes need).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attribute {
    /// Identity.
    pub id: Identity,
    /// `valueType`.
    pub value_type: ValueType,
    /// `unique`: only unique attributes can be used as `ATTRIBUTE:<uid>` id schemes.
    pub unique: bool,
}

/// `dataElementGroups`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DataElementGroup {
    /// Identity.
    pub id: Identity,
    /// `dataElements`.
    pub data_elements: Vec<Uid>,
}

/// `organisationUnitGroups`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrganisationUnitGroup {
    /// Identity.
    pub id: Identity,
    /// `organisationUnits`.
    pub org_units: Vec<Uid>,
}

/// `users`: who imports, with what reach.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct User {
    /// Identity (`name` holds the display name).
    pub id: Identity,
    /// `username`.
    pub username: String,
    /// `organisationUnits`: data capture units.
    pub org_units: Vec<Uid>,
    /// `dataViewOrganisationUnits`.
    pub data_view_org_units: Vec<Uid>,
    /// Authorities from the user's roles (`ALL` makes a superuser).
    pub authorities: Vec<String>,
    /// `userGroups`.
    pub user_groups: Vec<Uid>,
}

impl User {
    /// Whether the user holds the `ALL` authority.
    pub fn is_superuser(&self) -> bool {
        self.has_authority("ALL")
    }
    /// Whether the user holds an authority.
    pub fn has_authority(&self, authority: &str) -> bool {
        self.authorities.iter().any(|a| a == authority)
    }
}

/// The kinds of metadata object a data import refers to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ObjectKind {
    /// Data elements.
    DataElement,
    /// Organisation units.
    OrganisationUnit,
    /// Category option combos (also attribute option combos).
    CategoryOptionCombo,
    /// Data sets.
    DataSet,
    /// Category options.
    CategoryOption,
    /// Categories.
    Category,
    /// Category combos.
    CategoryCombo,
    /// Data element groups.
    DataElementGroup,
    /// Organisation unit groups.
    OrganisationUnitGroup,
    /// Attributes.
    Attribute,
    /// Option sets.
    OptionSet,
    /// Users.
    User,
}

/// An in-memory catalogue of metadata, indexed by UID.
///
/// Objects are kept in vectors (insertion order); each kind has a UID → position index. Adding an
/// object with a UID already present replaces it.
#[derive(Clone, Debug, Default)]
pub struct Metadata {
    /// Organisation units.
    pub org_units: Vec<OrganisationUnit>,
    /// Data elements.
    pub data_elements: Vec<DataElement>,
    /// Category options.
    pub category_options: Vec<CategoryOption>,
    /// Categories.
    pub categories: Vec<Category>,
    /// Category combos.
    pub category_combos: Vec<CategoryCombo>,
    /// Category option combos.
    pub category_option_combos: Vec<CategoryOptionCombo>,
    /// Data sets.
    pub data_sets: Vec<DataSet>,
    /// Option sets.
    pub option_sets: Vec<OptionSet>,
    /// Attributes.
    pub attributes: Vec<Attribute>,
    /// Data element groups.
    pub data_element_groups: Vec<DataElementGroup>,
    /// Organisation unit groups.
    pub org_unit_groups: Vec<OrganisationUnitGroup>,
    /// Users.
    pub users: Vec<User>,
    index: FxHashMap<(ObjectKind, Uid), usize>,
}

macro_rules! kind_access {
    ($get:ident, $add:ident, $field:ident, $ty:ty, $kind:expr) => {
        /// Looks an object of this kind up by UID.
        pub fn $get(&self, uid: &Uid) -> Option<&$ty> {
            self.index
                .get(&($kind, *uid))
                .and_then(|i| self.$field.get(*i))
        }
        /// Adds an object of this kind (replacing one with the same UID).
        pub fn $add(&mut self, object: $ty) {
            let key = ($kind, object.id.uid);
            match self.index.get(&key).copied() {
                Some(i) => {
                    if let Some(slot) = self.$field.get_mut(i) {
                        *slot = object;
                    }
                }
                None => {
                    self.index.insert(key, self.$field.len());
                    self.$field.push(object);
                }
            }
        }
    };
}

impl Metadata {
    /// An empty catalogue.
    pub fn new() -> Metadata {
        Metadata::default()
    }

    kind_access!(
        org_unit,
        add_org_unit,
        org_units,
        OrganisationUnit,
        ObjectKind::OrganisationUnit
    );
    kind_access!(
        data_element,
        add_data_element,
        data_elements,
        DataElement,
        ObjectKind::DataElement
    );
    kind_access!(
        category_option,
        add_category_option,
        category_options,
        CategoryOption,
        ObjectKind::CategoryOption
    );
    kind_access!(
        category,
        add_category,
        categories,
        Category,
        ObjectKind::Category
    );
    kind_access!(
        category_combo,
        add_category_combo,
        category_combos,
        CategoryCombo,
        ObjectKind::CategoryCombo
    );
    kind_access!(
        category_option_combo,
        add_category_option_combo,
        category_option_combos,
        CategoryOptionCombo,
        ObjectKind::CategoryOptionCombo
    );
    kind_access!(
        data_set,
        add_data_set,
        data_sets,
        DataSet,
        ObjectKind::DataSet
    );
    kind_access!(
        option_set,
        add_option_set,
        option_sets,
        OptionSet,
        ObjectKind::OptionSet
    );
    kind_access!(
        attribute,
        add_attribute,
        attributes,
        Attribute,
        ObjectKind::Attribute
    );
    kind_access!(
        data_element_group,
        add_data_element_group,
        data_element_groups,
        DataElementGroup,
        ObjectKind::DataElementGroup
    );
    kind_access!(
        org_unit_group,
        add_org_unit_group,
        org_unit_groups,
        OrganisationUnitGroup,
        ObjectKind::OrganisationUnitGroup
    );
    kind_access!(user, add_user, users, User, ObjectKind::User);

    /// The identities of every object of a kind, in insertion order (for building lookup tables).
    pub fn identities(&self, kind: ObjectKind) -> Box<dyn Iterator<Item = &Identity> + '_> {
        match kind {
            ObjectKind::DataElement => Box::new(self.data_elements.iter().map(|o| &o.id)),
            ObjectKind::OrganisationUnit => Box::new(self.org_units.iter().map(|o| &o.id)),
            ObjectKind::CategoryOptionCombo => {
                Box::new(self.category_option_combos.iter().map(|o| &o.id))
            }
            ObjectKind::DataSet => Box::new(self.data_sets.iter().map(|o| &o.id)),
            ObjectKind::CategoryOption => Box::new(self.category_options.iter().map(|o| &o.id)),
            ObjectKind::Category => Box::new(self.categories.iter().map(|o| &o.id)),
            ObjectKind::CategoryCombo => Box::new(self.category_combos.iter().map(|o| &o.id)),
            ObjectKind::DataElementGroup => {
                Box::new(self.data_element_groups.iter().map(|o| &o.id))
            }
            ObjectKind::OrganisationUnitGroup => {
                Box::new(self.org_unit_groups.iter().map(|o| &o.id))
            }
            ObjectKind::Attribute => Box::new(self.attributes.iter().map(|o| &o.id)),
            ObjectKind::OptionSet => Box::new(self.option_sets.iter().map(|o| &o.id)),
            ObjectKind::User => Box::new(self.users.iter().map(|o| &o.id)),
        }
    }

    /// Adds every object of `other`, replacing objects of the same kind and UID, then recomputes
    /// org unit paths (later documents win, as DHIS2's metadata import updates by UID).
    pub fn merge(&mut self, other: Metadata) {
        let Metadata {
            org_units,
            data_elements,
            category_options,
            categories,
            category_combos,
            category_option_combos,
            data_sets,
            option_sets,
            attributes,
            data_element_groups,
            org_unit_groups,
            users,
            index: _,
        } = other;
        org_units.into_iter().for_each(|o| self.add_org_unit(o));
        data_elements
            .into_iter()
            .for_each(|o| self.add_data_element(o));
        category_options
            .into_iter()
            .for_each(|o| self.add_category_option(o));
        categories.into_iter().for_each(|o| self.add_category(o));
        category_combos
            .into_iter()
            .for_each(|o| self.add_category_combo(o));
        category_option_combos
            .into_iter()
            .for_each(|o| self.add_category_option_combo(o));
        data_sets.into_iter().for_each(|o| self.add_data_set(o));
        option_sets.into_iter().for_each(|o| self.add_option_set(o));
        attributes.into_iter().for_each(|o| self.add_attribute(o));
        data_element_groups
            .into_iter()
            .for_each(|o| self.add_data_element_group(o));
        org_unit_groups
            .into_iter()
            .for_each(|o| self.add_org_unit_group(o));
        users.into_iter().for_each(|o| self.add_user(o));
        self.compute_paths();
    }

    /// A user by user name.
    pub fn user_by_username(&self, username: &str) -> Option<&User> {
        self.users.iter().find(|u| u.username == username)
    }

    /// The default category option combo: the one named exactly `default` (DHIS2 looks it up by
    /// name), else the one with the well-known UID.
    pub fn default_category_option_combo(&self) -> Option<&CategoryOptionCombo> {
        self.category_option_combos
            .iter()
            .find(|c| c.id.name.as_deref() == Some("default"))
            .or_else(|| {
                Uid::parse(crate::DEFAULT_CATEGORY_OPTION_COMBO_UID)
                    .ok()
                    .and_then(|u| self.category_option_combo(&u))
            })
    }

    /// Adds DHIS2's default category option, category, category combo and category option combo
    /// (§7.1 of the metadata spec) when no object named `default` of that kind exists.
    pub fn ensure_defaults(&mut self) {
        let uid = |s: &str| Uid::parse(s).ok();
        let named = |name: &str, uid: Uid| Identity {
            uid,
            code: Some(name.to_owned()),
            name: Some(name.to_owned()),
            attribute_values: Vec::new(),
        };
        let (Some(opt), Some(cat), Some(cc), Some(coc)) = (
            uid(DEFAULT_CATEGORY_OPTION_UID),
            uid(DEFAULT_CATEGORY_UID),
            uid(DEFAULT_CATEGORY_COMBO_UID),
            uid(crate::DEFAULT_CATEGORY_OPTION_COMBO_UID),
        ) else {
            return;
        };
        let is_default = |id: &Identity| id.name.as_deref() == Some("default");
        if !self.category_options.iter().any(|o| is_default(&o.id)) {
            self.add_category_option(CategoryOption {
                id: named("default", opt),
                start_date: None,
                end_date: None,
                org_units: Vec::new(),
                sharing: Sharing {
                    public: Some("rwrw----".into()),
                    ..Sharing::default()
                },
            });
        }
        if !self.categories.iter().any(|o| is_default(&o.id)) {
            self.add_category(Category {
                id: named("default", cat),
                data_dimension_type: "DISAGGREGATION".into(),
                options: vec![opt],
            });
        }
        if !self.category_combos.iter().any(|o| is_default(&o.id)) {
            self.add_category_combo(CategoryCombo {
                id: named("default", cc),
                data_dimension_type: "DISAGGREGATION".into(),
                categories: vec![cat],
            });
        }
        if !self
            .category_option_combos
            .iter()
            .any(|o| is_default(&o.id))
        {
            self.add_category_option_combo(CategoryOptionCombo {
                id: named("default", coc),
                category_combo: cc,
                options: vec![opt],
                ignore_approval: false,
            });
        }
    }

    /// Computes every org unit's `path` from its parent chain (`/root/…/self`). A unit whose
    /// parent is unknown is treated as a root; cycles are cut.
    pub fn compute_paths(&mut self) {
        let parents: HashMap<Uid, Option<Uid>> = self
            .org_units
            .iter()
            .map(|o| (o.id.uid, o.parent))
            .collect();
        for ou in &mut self.org_units {
            let mut chain = vec![ou.id.uid];
            let mut current = ou.parent;
            while let Some(p) = current {
                if chain.contains(&p) || !parents.contains_key(&p) {
                    break;
                }
                chain.push(p);
                current = parents.get(&p).copied().flatten();
            }
            let mut path = String::with_capacity(chain.len() * 12);
            for uid in chain.iter().rev() {
                path.push('/');
                path.push_str(uid.as_str());
            }
            ou.path = path;
        }
    }
}
