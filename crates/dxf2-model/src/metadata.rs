//! Metadata objects an aggregate data import needs, and [`Metadata`], an in-memory catalogue of
//! them.
//!
//! Field names follow DXF2 metadata JSON (`/api/metadata`): `organisationUnits`, `dataElements`,
//! `categoryOptions`, `categories`, `categoryCombos`, `categoryOptionCombos`, `dataSets`,
//! `optionSets`, `attributes`, `dataElementGroups`, `organisationUnitGroups`, `users`. References
//! between objects are UIDs. DHIS2's default category option, category, category combo and
//! category option combo (all named `default`) are added by [`Metadata::ensure_defaults`] exactly
//! as DHIS2 creates them; [`Metadata::finish`] (or [`MetadataBuilder::build`]) adds them, points
//! references to their well-known UIDs at the catalogue's own defaults and computes the org unit
//! hierarchy, once.
//!
//! The org unit hierarchy (parents, levels, subtrees) is computed once, in linear time, by
//! [`Metadata::compute_hierarchy`] (and by [`Metadata::merge`] and [`Metadata::finish`]); a cycle
//! is a [`HierarchyError`]. Ancestry is derived on demand ([`Metadata::is_org_unit_within`],
//! [`Metadata::org_unit_subtree`], [`Metadata::org_unit_ancestors`]) and a unit's `path` is only
//! written when asked for ([`Metadata::org_unit_path`]).
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

mod builder;
mod defaults;
mod hierarchy;
mod objects;
mod option_combos;
mod org_units;

use rustc_hash::FxHashMap;

pub use builder::MetadataBuilder;
pub use hierarchy::HierarchyError;
use hierarchy::OrgUnitHierarchy;
pub use objects::{
    Attribute, CatalogObject, Category, CategoryCombo, CategoryOption, CategoryOptionCombo,
    DataElement, DataElementGroup, DataInputPeriod, DataSet, DataSetElement, Identity, ObjectKind,
    OptionItem, OptionSet, OrganisationUnit, OrganisationUnitGroup, Sharing, User,
};
pub use org_units::{OrgUnitAncestors, OrgUnitPath, OrgUnitSubtree};

/// The date types of the metadata fields, re-exported so that readers and tests need no direct
/// `chrono` dependency.
pub use chrono::{NaiveDate, NaiveDateTime, NaiveTime};

use crate::Uid;

/// UID of the default category option.
pub const DEFAULT_CATEGORY_OPTION_UID: &str = "xYerKDKCefk";
/// UID of the default category.
pub const DEFAULT_CATEGORY_UID: &str = "GLevLNI9wkl";
/// UID of the default category combo.
pub const DEFAULT_CATEGORY_COMBO_UID: &str = "bjDvmb4bfuf";

/// An in-memory catalogue of metadata, indexed by UID.
///
/// Objects are kept per kind in insertion order, with a UID → position index; adding an object
/// whose kind and UID are already present replaces it. Read a kind with its slice accessor
/// ([`org_units`](Metadata::org_units), [`data_sets`](Metadata::data_sets), … or generically
/// [`all`](Metadata::all)), one object with its lookup ([`org_unit`](Metadata::org_unit), … or
/// [`get`](Metadata::get)); change objects only through the catalogue
/// ([`insert`](Metadata::insert) and the `add_*` methods, [`update`](Metadata::update),
/// [`update_all`](Metadata::update_all), [`remove`](Metadata::remove)), which keep the index
/// current. Build a catalogue by hand with [`Metadata::builder`], or call
/// [`finish`](Metadata::finish) once after adding objects: it adds DHIS2's default category
/// objects, remaps the defaults' well-known UIDs and computes the org unit hierarchy.
///
/// The org unit hierarchy is computed by [`finish`](Metadata::finish),
/// [`compute_hierarchy`](Metadata::compute_hierarchy) and [`merge`](Metadata::merge) in O(n);
/// until then, and after an org unit is added or gets another parent, the hierarchy queries still
/// answer correctly by walking parents (slower: O(depth) a query, O(units × depth) a subtree).
///
/// The collections are private, so the index and the hierarchy cannot go stale: an object added
/// or changed through the methods is found by its UID at once.
///
/// ```
/// use dxf2_model::metadata::{DataSet, Identity, OrganisationUnit};
/// use dxf2_model::{Metadata, PeriodType, Uid};
///
/// let uid = |s: &str| Uid::parse(s).unwrap();
/// let district = OrganisationUnit::new(Identity::new(uid("O6uvpzGd5pu")), None);
/// let clinic = OrganisationUnit::new(Identity::new(uid("YuQRtpLP10I")), Some(uid("O6uvpzGd5pu")));
/// let mut md = Metadata::builder().with(district).with(clinic).build().unwrap();
///
/// // Defaults are there, the hierarchy is computed.
/// assert_eq!(md.category_combos().len(), 1);
/// assert!(md.is_org_unit_within(&uid("YuQRtpLP10I"), &uid("O6uvpzGd5pu")));
///
/// // Objects added later are found at once.
/// let mut ds = DataSet::new(Identity::new(uid("pBOMPrpg1QX")), PeriodType::Monthly);
/// ds.org_units.push(uid("YuQRtpLP10I"));
/// md.insert(ds);
/// assert_eq!(md.data_set(&uid("pBOMPrpg1QX")).unwrap().period_type, PeriodType::Monthly);
///
/// // Changes go through the catalogue.
/// md.update::<DataSet>(&uid("pBOMPrpg1QX"), |ds| ds.expiry_days = 10);
/// assert_eq!(md.get::<DataSet>(&uid("pBOMPrpg1QX")).unwrap().expiry_days, 10);
/// assert_eq!(md.data_sets().iter().map(|d| d.expiry_days).sum::<i64>(), 10);
/// ```
#[derive(Clone, Debug, Default)]
pub struct Metadata {
    org_units: Vec<OrganisationUnit>,
    data_elements: Vec<DataElement>,
    category_options: Vec<CategoryOption>,
    categories: Vec<Category>,
    category_combos: Vec<CategoryCombo>,
    category_option_combos: Vec<CategoryOptionCombo>,
    data_sets: Vec<DataSet>,
    option_sets: Vec<OptionSet>,
    attributes: Vec<Attribute>,
    data_element_groups: Vec<DataElementGroup>,
    org_unit_groups: Vec<OrganisationUnitGroup>,
    users: Vec<User>,
    /// (kind, UID) → position in that kind's list.
    index: FxHashMap<(ObjectKind, Uid), usize>,
    /// The org unit hierarchy, current while it has one entry per org unit.
    hierarchy: OrgUnitHierarchy,
}

macro_rules! kind_access {
    ($get:ident, $add:ident, $field:ident, $ty:ty, $kind:expr) => {
        /// Looks an object of this kind up by UID.
        pub fn $get(&self, uid: &Uid) -> Option<&$ty> {
            self.get::<$ty>(uid)
        }
        /// Adds an object of this kind (replacing one with the same UID).
        pub fn $add(&mut self, object: $ty) {
            self.insert(object)
        }
        /// Every object of this kind, in insertion order.
        pub fn $field(&self) -> &[$ty] {
            &self.$field
        }
    };
}

impl Metadata {
    /// An empty catalogue.
    pub fn new() -> Metadata {
        Metadata::default()
    }

    /// A builder: add objects, then [`build`](MetadataBuilder::build) applies
    /// [`finish`](Metadata::finish) once.
    pub fn builder() -> MetadataBuilder {
        MetadataBuilder::new()
    }

    /// Makes a catalogue filled by hand ready for use, once all its objects are in: adds DHIS2's
    /// default category objects when absent ([`ensure_defaults`](Metadata::ensure_defaults)),
    /// points references to the defaults' well-known UIDs at the catalogue's own defaults
    /// ([`remap_default_uids`](Metadata::remap_default_uids)) and computes the org unit
    /// hierarchy ([`compute_hierarchy`](Metadata::compute_hierarchy)).
    ///
    /// Fails when org unit parents form a cycle (the defaults are added all the same).
    pub fn finish(&mut self) -> Result<(), HierarchyError> {
        self.ensure_defaults();
        self.remap_default_uids();
        self.compute_hierarchy()
    }

    /// Whether the catalogue holds no object of any kind (an empty catalogue has not even the
    /// default category objects: [`finish`](Metadata::finish) adds them).
    pub fn is_empty(&self) -> bool {
        self.index.is_empty()
    }

    /// Looks an object of any kind up by UID: `md.get::<DataSet>(&uid)`.
    pub fn get<T: CatalogObject>(&self, uid: &Uid) -> Option<&T> {
        self.index
            .get(&(T::KIND, *uid))
            .and_then(|i| T::list(self).get(*i))
    }

    /// Every object of a kind, in insertion order: `md.all::<DataElement>()`.
    pub fn all<T: CatalogObject>(&self) -> &[T] {
        T::list(self)
    }

    /// Adds an object of any kind, replacing one of the same kind and UID (in its place). An org
    /// unit with another parent than the one it replaces makes the hierarchy uncomputed (queries
    /// stay correct; call [`compute_hierarchy`](Metadata::compute_hierarchy) before asking many).
    pub fn insert<T: CatalogObject>(&mut self, object: T) {
        let key = (T::KIND, object.identity().uid);
        match self.index.get(&key).copied() {
            Some(i) => {
                if let Some(slot) = T::list_mut(self).get_mut(i) {
                    let reparented = slot.parent() != object.parent();
                    *slot = object;
                    if reparented {
                        self.hierarchy = OrgUnitHierarchy::default();
                    }
                }
            }
            None => {
                let list = T::list_mut(self);
                let position = list.len();
                list.push(object);
                self.index.insert(key, position);
            }
        }
    }

    /// Changes the object of a kind with a UID in place; false when there is none. The UID is the
    /// object's key: a change of `id.uid` made by `f` is undone (to re-key an object,
    /// [`remove`](Metadata::remove) it and [`insert`](Metadata::insert) it again).
    pub fn update<T: CatalogObject>(&mut self, uid: &Uid, f: impl FnOnce(&mut T)) -> bool {
        let Some(i) = self.index.get(&(T::KIND, *uid)).copied() else {
            return false;
        };
        let Some(slot) = T::list_mut(self).get_mut(i) else {
            return false;
        };
        let parent = slot.parent();
        f(slot);
        slot.identity_mut().uid = *uid;
        if slot.parent() != parent {
            self.hierarchy = OrgUnitHierarchy::default();
        }
        true
    }

    /// Changes every object of a kind in place (in insertion order). As with
    /// [`update`](Metadata::update), UIDs stay as they were.
    pub fn update_all<T: CatalogObject>(&mut self, mut f: impl FnMut(&mut T)) {
        let mut reparented = false;
        for slot in T::list_mut(self).iter_mut() {
            let (uid, parent) = (slot.identity().uid, slot.parent());
            f(slot);
            slot.identity_mut().uid = uid;
            reparented |= slot.parent() != parent;
        }
        if reparented {
            self.hierarchy = OrgUnitHierarchy::default();
        }
    }

    /// Removes the object of a kind with a UID and returns it (later objects of the kind move up
    /// one place; removing an org unit makes the hierarchy uncomputed).
    pub fn remove<T: CatalogObject>(&mut self, uid: &Uid) -> Option<T> {
        let position = self.index.remove(&(T::KIND, *uid))?;
        let list = T::list_mut(self);
        if position >= list.len() {
            return None;
        }
        let removed = list.remove(position);
        let moved: Vec<Uid> = T::list(self)
            .iter()
            .skip(position)
            .map(|o| o.identity().uid)
            .collect();
        for (offset, uid) in moved.into_iter().enumerate() {
            self.index.insert((T::KIND, uid), position + offset);
        }
        if T::KIND == ObjectKind::OrganisationUnit {
            self.hierarchy = OrgUnitHierarchy::default();
        }
        Some(removed)
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

    /// A user by user name.
    pub fn user_by_username(&self, username: &str) -> Option<&User> {
        self.users.iter().find(|u| u.username == username)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
mod tests {
    use super::*;
    use crate::{PeriodType, ValueType};

    fn uid(s: &str) -> Uid {
        Uid::parse(s).unwrap()
    }

    fn unit(id: &str, parent: Option<&str>) -> OrganisationUnit {
        OrganisationUnit::new(Identity::new(uid(id)), parent.map(uid))
    }

    #[test]
    fn inserted_objects_are_found_at_once() {
        let mut md = Metadata::new();
        md.insert(unit("ImspTQPwCqd", None));
        md.insert(DataElement::new(
            Identity::new(uid("f7n9E0hX8qk")),
            ValueType::Integer,
        ));
        assert!(md.org_unit(&uid("ImspTQPwCqd")).is_some());
        assert!(md.get::<DataElement>(&uid("f7n9E0hX8qk")).is_some());
        assert!(md.get::<DataSet>(&uid("f7n9E0hX8qk")).is_none());
        assert_eq!(md.all::<OrganisationUnit>().len(), 1);
        assert_eq!(md.data_elements().len(), 1);
    }

    #[test]
    fn is_empty_counts_every_kind() {
        let mut md = Metadata::new();
        assert!(md.is_empty());
        md.insert(User {
            id: Identity::new(uid("userAAAAAAA")),
            username: "a".into(),
            org_units: Vec::new(),
            data_view_org_units: Vec::new(),
            authorities: Vec::new(),
            user_groups: Vec::new(),
        });
        assert!(!md.is_empty());
        md.remove::<User>(&uid("userAAAAAAA"));
        assert!(md.is_empty());
        md.finish().unwrap();
        assert!(!md.is_empty(), "finish adds the defaults");
    }

    #[test]
    fn update_keeps_the_key_and_remove_reindexes() {
        let mut md = Metadata::new();
        for id in ["aaaaaaaaaa1", "aaaaaaaaaa2", "aaaaaaaaaa3"] {
            md.insert(DataSet::new(Identity::new(uid(id)), PeriodType::Monthly));
        }
        assert!(md.update::<DataSet>(&uid("aaaaaaaaaa2"), |ds| {
            ds.expiry_days = 5;
            ds.id.uid = uid("zzzzzzzzzz9");
        }));
        assert_eq!(md.data_set(&uid("aaaaaaaaaa2")).unwrap().expiry_days, 5);
        assert!(md.data_set(&uid("zzzzzzzzzz9")).is_none());
        assert!(!md.update::<DataSet>(&uid("zzzzzzzzzz9"), |_| {}));

        let removed = md.remove::<DataSet>(&uid("aaaaaaaaaa1")).unwrap();
        assert_eq!(removed.id.uid, uid("aaaaaaaaaa1"));
        assert!(md.data_set(&uid("aaaaaaaaaa1")).is_none());
        assert_eq!(
            md.data_set(&uid("aaaaaaaaaa3")).unwrap().id.uid,
            uid("aaaaaaaaaa3")
        );
        assert_eq!(md.data_set(&uid("aaaaaaaaaa2")).unwrap().expiry_days, 5);
        assert_eq!(md.data_sets().len(), 2);
        assert!(md.remove::<DataSet>(&uid("aaaaaaaaaa1")).is_none());

        md.update_all::<DataSet>(|ds| ds.open_future_periods = 2);
        assert!(md.data_sets().iter().all(|d| d.open_future_periods == 2));
    }

    #[test]
    fn reparenting_keeps_hierarchy_queries_right() {
        let mut md = Metadata::builder()
            .with(unit("ImspTQPwCqd", None))
            .with(unit("O6uvpzGd5pu", Some("ImspTQPwCqd")))
            .with(unit("YuQRtpLP10I", None))
            .build()
            .unwrap();
        assert_eq!(md.org_unit_level(&uid("O6uvpzGd5pu")), Some(2));
        md.update::<OrganisationUnit>(&uid("O6uvpzGd5pu"), |u| u.parent = Some(uid("YuQRtpLP10I")));
        assert!(md.is_org_unit_within(&uid("O6uvpzGd5pu"), &uid("YuQRtpLP10I")));
        assert!(!md.is_org_unit_within(&uid("O6uvpzGd5pu"), &uid("ImspTQPwCqd")));
        md.remove::<OrganisationUnit>(&uid("YuQRtpLP10I"));
        assert_eq!(md.org_unit_level(&uid("O6uvpzGd5pu")), Some(1));
        md.compute_hierarchy().unwrap();
        assert_eq!(md.org_unit_subtree(&uid("ImspTQPwCqd")).count(), 1);
    }

    #[test]
    fn build_adds_defaults_and_remaps_their_uids() {
        // A catalogue whose default combo has its own UID: references to the well-known UID
        // (as `DataElement::new` makes) point at it after `build`.
        let mut own = Identity::new(uid("ccOwnDeflt1"));
        own.name = Some("default".into());
        let md = Metadata::builder()
            .with(CategoryCombo {
                id: own,
                data_dimension_type: "DISAGGREGATION".into(),
                categories: Vec::new(),
            })
            .with(DataElement::new(
                Identity::new(uid("f7n9E0hX8qk")),
                ValueType::Number,
            ))
            .build()
            .unwrap();
        assert_eq!(md.category_combos().len(), 1);
        assert_eq!(
            md.data_element(&uid("f7n9E0hX8qk")).unwrap().category_combo,
            uid("ccOwnDeflt1")
        );
        assert_eq!(md.category_options().len(), 1);
        assert_eq!(md.categories().len(), 1);
        assert_eq!(
            md.default_category_option_combo().unwrap().id.uid.as_str(),
            crate::DEFAULT_CATEGORY_OPTION_COMBO_UID
        );
    }

    #[test]
    fn build_refuses_a_cycle() {
        let err = Metadata::builder()
            .with(unit("ImspTQPwCqd", Some("O6uvpzGd5pu")))
            .with(unit("O6uvpzGd5pu", Some("ImspTQPwCqd")))
            .build()
            .unwrap_err();
        assert!(matches!(err, HierarchyError::Cycle { .. }));
    }
}
