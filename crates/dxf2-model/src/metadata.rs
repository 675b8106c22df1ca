//! Metadata objects an aggregate data import needs, and [`Metadata`], an in-memory catalogue of them.
//!
//! Field names follow DXF2 metadata JSON (`../shared/spec/metadata-spec.md` §1.4–1.7). References
//! between objects are UIDs. Defaults (`default` category option, category, category combo and
//! category option combo) are added by [`Metadata::ensure_defaults`] exactly as DHIS2 creates them.
//!
//! The org unit hierarchy (parents, levels, subtrees) is computed once, in linear time, by
//! [`Metadata::compute_hierarchy`] (and by [`Metadata::merge`]); a cycle is a [`HierarchyError`].
//! Ancestry is derived on demand ([`Metadata::is_org_unit_within`], [`Metadata::org_unit_subtree`],
//! [`Metadata::org_unit_ancestors`]) and a unit's `path` is only written when asked for
//! ([`Metadata::org_unit_path`]).
//!
//! ```
//! use dxf2_model::metadata::{Identity, OrganisationUnit};
//! use dxf2_model::{Metadata, Uid};
//!
//! let uid = |s: &str| Uid::parse(s).unwrap();
//! let mut md = Metadata::new();
//! md.add_org_unit(OrganisationUnit::new(Identity::new(uid("ImspTQPwCqd")), None));
//! md.add_org_unit(OrganisationUnit::new(Identity::new(uid("O6uvpzGd5pu")), Some(uid("ImspTQPwCqd"))));
//! md.add_org_unit(OrganisationUnit::new(Identity::new(uid("YuQRtpLP10I")), Some(uid("O6uvpzGd5pu"))));
//! md.compute_hierarchy().unwrap();
//! assert!(md.is_org_unit_within(&uid("YuQRtpLP10I"), &uid("ImspTQPwCqd")));
//! assert_eq!(md.org_unit_level(&uid("YuQRtpLP10I")), Some(3));
//! assert_eq!(
//!     md.org_unit_path(&uid("YuQRtpLP10I")).unwrap().to_string(),
//!     "/ImspTQPwCqd/O6uvpzGd5pu/YuQRtpLP10I"
//! );
//!
//! // A cycle is an error naming its units.
//! md.add_org_unit(OrganisationUnit::new(Identity::new(uid("ImspTQPwCqd")), Some(uid("YuQRtpLP10I"))));
//! let err = md.compute_hierarchy().unwrap_err();
//! assert_eq!(
//!     err.to_string(),
//!     "org unit hierarchy has a cycle: ImspTQPwCqd → YuQRtpLP10I → O6uvpzGd5pu → ImspTQPwCqd"
//! );
//! ```

mod hierarchy;

use std::fmt;

use rustc_hash::FxHashMap;

pub use hierarchy::HierarchyError;
use hierarchy::OrgUnitHierarchy;

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
    /// `parent` (a unit whose parent is not in the catalogue counts as a root). The unit's level,
    /// ancestors and `path` come from the catalogue ([`Metadata::org_unit_level`],
    /// [`Metadata::org_unit_ancestors`], [`Metadata::org_unit_path`]).
    pub parent: Option<Uid>,
    /// `openingDate`.
    pub opening_date: Option<NaiveDate>,
    /// `closedDate`.
    pub closed_date: Option<NaiveDate>,
}

impl OrganisationUnit {
    /// A unit with an identity and a parent, without opening or closed date.
    pub fn new(id: Identity, parent: Option<Uid>) -> OrganisationUnit {
        OrganisationUnit {
            id,
            parent,
            opening_date: None,
            closed_date: None,
        }
    }
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
///
/// The org unit hierarchy is computed by [`compute_hierarchy`](Metadata::compute_hierarchy) (and
/// [`merge`](Metadata::merge)) in O(n); until then, and after an org unit is added or gets another
/// parent, the hierarchy queries still answer correctly by walking parents (slower: O(depth) a
/// query, O(units × depth) a subtree).
#[derive(Clone, Debug, Default)]
pub struct Metadata {
    /// Organisation units. After changing units or their parents here directly (rather than with
    /// [`add_org_unit`](Metadata::add_org_unit)), call
    /// [`compute_hierarchy`](Metadata::compute_hierarchy).
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
    /// The org unit hierarchy, current while it has one entry per org unit.
    hierarchy: OrgUnitHierarchy,
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

    /// Looks an org unit up by UID.
    pub fn org_unit(&self, uid: &Uid) -> Option<&OrganisationUnit> {
        self.org_unit_position(uid)
            .and_then(|i| self.org_units.get(i))
    }

    /// Adds an org unit (replacing one with the same UID). The hierarchy stays current when a unit
    /// is replaced by one with the same parent; otherwise call
    /// [`compute_hierarchy`](Metadata::compute_hierarchy) before asking many hierarchy questions.
    pub fn add_org_unit(&mut self, object: OrganisationUnit) {
        let key = (ObjectKind::OrganisationUnit, object.id.uid);
        match self.index.get(&key).copied() {
            Some(i) => {
                if let Some(slot) = self.org_units.get_mut(i) {
                    if slot.parent != object.parent {
                        self.hierarchy = OrgUnitHierarchy::default();
                    }
                    *slot = object;
                }
            }
            None => {
                self.index.insert(key, self.org_units.len());
                self.org_units.push(object);
            }
        }
    }
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

    /// Adds every object of `other`, replacing objects of the same kind and UID (later documents
    /// win, as DHIS2's metadata import updates by UID), and computes the org unit hierarchy.
    ///
    /// Fails, leaving `self` unchanged, when the merged org units' parents form a cycle.
    pub fn merge(&mut self, other: Metadata) -> Result<(), HierarchyError> {
        let hierarchy = self.merged_hierarchy(&other.org_units)?;
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
            hierarchy: _,
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
        self.hierarchy = hierarchy;
        Ok(())
    }

    /// The hierarchy `self.org_units` would have after adding `incoming` (by UID, as
    /// [`add_org_unit`](Metadata::add_org_unit) adds them), computed without changing `self`.
    fn merged_hierarchy(
        &self,
        incoming: &[OrganisationUnit],
    ) -> Result<OrgUnitHierarchy, HierarchyError> {
        let old = self.org_units.len();
        // Positions the incoming units take: their old one, or a new one after the old units.
        let mut replaced: FxHashMap<usize, &OrganisationUnit> = FxHashMap::default();
        let mut added: FxHashMap<Uid, usize> = FxHashMap::default();
        let mut added_units: Vec<&OrganisationUnit> = Vec::new();
        for ou in incoming {
            if let Some(i) = self.org_unit_position(&ou.id.uid) {
                replaced.insert(i, ou);
            } else if let Some(slot) = added
                .get(&ou.id.uid)
                .and_then(|i| added_units.get_mut(i.saturating_sub(old)))
            {
                *slot = ou;
            } else {
                added.insert(ou.id.uid, old + added_units.len());
                added_units.push(ou);
            }
        }
        let unit = |i: usize| -> Option<&OrganisationUnit> {
            if i < old {
                replaced.get(&i).copied().or_else(|| self.org_units.get(i))
            } else {
                added_units.get(i - old).copied()
            }
        };
        let position = |uid: &Uid| {
            self.org_unit_position(uid)
                .or_else(|| added.get(uid).copied())
        };
        OrgUnitHierarchy::build(
            old + added_units.len(),
            |i| unit(i).and_then(|u| u.parent).and_then(|p| position(&p)),
            |i| unit(i).map(|u| u.id.uid),
        )
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

    /// Computes the org unit hierarchy (parents, levels, subtrees) in O(n): afterwards every
    /// hierarchy query takes constant time (a subtree: time in its size). A unit whose parent is
    /// not in the catalogue counts as a root.
    ///
    /// Fails when parents form a cycle (naming its units); the hierarchy then stays uncomputed
    /// (queries walk parents, stopping after as many steps as there are units).
    pub fn compute_hierarchy(&mut self) -> Result<(), HierarchyError> {
        self.hierarchy = OrgUnitHierarchy::default();
        let hierarchy = OrgUnitHierarchy::build(
            self.org_units.len(),
            |i| {
                self.org_units
                    .get(i)
                    .and_then(|u| u.parent)
                    .and_then(|p| self.org_unit_position(&p))
            },
            |i| self.org_units.get(i).map(|u| u.id.uid),
        )?;
        self.hierarchy = hierarchy;
        Ok(())
    }

    /// The position of an org unit in `org_units`.
    fn org_unit_position(&self, uid: &Uid) -> Option<usize> {
        self.index
            .get(&(ObjectKind::OrganisationUnit, *uid))
            .copied()
    }

    /// The computed hierarchy, when it is current.
    fn current_hierarchy(&self) -> Option<&OrgUnitHierarchy> {
        let h = &self.hierarchy;
        (h.len() == self.org_units.len() && h.len() > 0).then_some(h)
    }

    /// The position of the parent of the unit at position `i`.
    fn parent_position(&self, i: usize) -> Option<usize> {
        match self.current_hierarchy() {
            Some(h) => h.parent(i),
            None => self
                .org_units
                .get(i)
                .and_then(|u| u.parent)
                .and_then(|p| self.org_unit_position(&p)),
        }
    }

    /// The parent of an org unit, when the catalogue holds it.
    pub fn org_unit_parent(&self, uid: &Uid) -> Option<&OrganisationUnit> {
        self.org_unit_position(uid)
            .and_then(|i| self.parent_position(i))
            .and_then(|p| self.org_units.get(p))
    }

    /// The ancestors of an org unit: its parent first, its root last (nothing for a root or an
    /// unknown unit).
    pub fn org_unit_ancestors(&self, uid: &Uid) -> OrgUnitAncestors<'_> {
        OrgUnitAncestors {
            metadata: self,
            current: self.org_unit_position(uid),
            steps_left: self.org_units.len(),
        }
    }

    /// The level of an org unit: 1 for a root (or a unit whose parent is not in the catalogue),
    /// 2 for its children, and so on; `None` for an unknown unit.
    pub fn org_unit_level(&self, uid: &Uid) -> Option<usize> {
        let i = self.org_unit_position(uid)?;
        match self.current_hierarchy() {
            Some(h) => h.level(i),
            None => Some(self.org_unit_ancestors(uid).count().saturating_add(1)),
        }
    }

    /// Whether org unit `unit` is `ancestor` or below it (DHIS2's "path contains"). False when
    /// either is not in the catalogue.
    pub fn is_org_unit_within(&self, unit: &Uid, ancestor: &Uid) -> bool {
        let (Some(u), Some(a)) = (
            self.org_unit_position(unit),
            self.org_unit_position(ancestor),
        ) else {
            return false;
        };
        match self.current_hierarchy() {
            Some(h) => h.is_within(u, a),
            None => u == a || self.org_unit_ancestors(unit).any(|o| o.id.uid == *ancestor),
        }
    }

    /// Whether org unit `unit` is one of `ancestors` or below one of them.
    pub fn is_org_unit_within_any(&self, unit: &Uid, ancestors: &[Uid]) -> bool {
        ancestors.iter().any(|a| self.is_org_unit_within(unit, a))
    }

    /// An org unit and every unit below it: the unit first, then depth first with children in
    /// catalogue order (without a computed hierarchy: the others in catalogue order). Nothing for
    /// an unknown unit.
    pub fn org_unit_subtree(&self, root: &Uid) -> OrgUnitSubtree<'_> {
        let position = self.org_unit_position(root);
        let walk = match (position, self.current_hierarchy()) {
            (None, _) => SubtreeWalk::Ranked([].iter()),
            (Some(r), Some(h)) => SubtreeWalk::Ranked(h.subtree(r).iter()),
            (Some(r), None) => SubtreeWalk::Scan {
                root: *root,
                first: self.org_units.get(r),
                units: self.org_units.iter(),
            },
        };
        OrgUnitSubtree {
            metadata: self,
            walk,
        }
    }

    /// The `path` of an org unit (`/root/…/self`), written on demand by its `Display`; `None`
    /// for an unknown unit.
    pub fn org_unit_path(&self, uid: &Uid) -> Option<OrgUnitPath<'_>> {
        self.org_unit(uid)?;
        Some(OrgUnitPath {
            metadata: self,
            unit: *uid,
        })
    }
}

/// The ancestors of an org unit, nearest first ([`Metadata::org_unit_ancestors`]).
#[derive(Clone, Debug)]
pub struct OrgUnitAncestors<'m> {
    metadata: &'m Metadata,
    /// The position of the unit whose parent comes next.
    current: Option<usize>,
    /// A bound on the walk, for a catalogue whose parents form a cycle.
    steps_left: usize,
}

impl<'m> Iterator for OrgUnitAncestors<'m> {
    type Item = &'m OrganisationUnit;

    fn next(&mut self) -> Option<&'m OrganisationUnit> {
        if self.steps_left == 0 {
            return None;
        }
        self.steps_left -= 1;
        let parent = self.metadata.parent_position(self.current?);
        self.current = parent;
        self.metadata.org_units.get(parent?)
    }
}

/// An org unit and the units below it ([`Metadata::org_unit_subtree`]).
#[derive(Clone, Debug)]
pub struct OrgUnitSubtree<'m> {
    metadata: &'m Metadata,
    walk: SubtreeWalk<'m>,
}

#[derive(Clone, Debug)]
enum SubtreeWalk<'m> {
    /// A run of the computed pre-order.
    Ranked(std::slice::Iter<'m, u32>),
    /// No computed hierarchy: every unit, checked by walking its parents.
    Scan {
        root: Uid,
        /// The root itself, until it is yielded.
        first: Option<&'m OrganisationUnit>,
        units: std::slice::Iter<'m, OrganisationUnit>,
    },
}

impl<'m> Iterator for OrgUnitSubtree<'m> {
    type Item = &'m OrganisationUnit;

    fn next(&mut self) -> Option<&'m OrganisationUnit> {
        let md = self.metadata;
        match &mut self.walk {
            SubtreeWalk::Ranked(positions) => {
                positions.next().and_then(|&i| md.org_units.get(i as usize))
            }
            SubtreeWalk::Scan { root, first, units } => first.take().or_else(|| {
                units.find(|u| u.id.uid != *root && md.is_org_unit_within(&u.id.uid, root))
            }),
        }
    }
}

/// The `path` of an org unit, `/root/…/self`, written by `Display` ([`Metadata::org_unit_path`]).
#[derive(Clone, Copy, Debug)]
pub struct OrgUnitPath<'m> {
    metadata: &'m Metadata,
    unit: Uid,
}

impl fmt::Display for OrgUnitPath<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ancestors: Vec<&OrganisationUnit> =
            self.metadata.org_unit_ancestors(&self.unit).collect();
        for ou in ancestors.iter().rev() {
            write!(f, "/{}", ou.id.uid)?;
        }
        write!(f, "/{}", self.unit)
    }
}
