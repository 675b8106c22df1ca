//! The metadata objects an aggregate data import needs, with DXF2 metadata JSON's field names
//! (`organisationUnits`, `dataElements`, …), and [`CatalogObject`], the trait through which
//! [`Metadata`] stores each kind.
//!
//! References between objects are UIDs. Only the fields an import, an export or an access check
//! reads are kept; DHIS2 ignores the rest for data exchange too.

use crate::{Period, PeriodType, Uid, ValueType};

use super::{Metadata, NaiveDate, NaiveDateTime};

/// The default category combo, `bjDvmb4bfuf` ([`super::DEFAULT_CATEGORY_COMBO_UID`]).
const DEFAULT_COMBO: Uid = Uid::from_valid_bytes(*b"bjDvmb4bfuf");

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

impl DataElement {
    /// An aggregate data element as DHIS2 creates one when only the value type is given:
    /// aggregation `SUM`, domain `AGGREGATE`, zero not significant, the default category combo
    /// (`bjDvmb4bfuf`), no option sets, no sharing.
    pub fn new(id: Identity, value_type: ValueType) -> DataElement {
        DataElement {
            id,
            value_type,
            aggregation_type: "SUM".to_owned(),
            domain_type: "AGGREGATE".to_owned(),
            zero_is_significant: false,
            category_combo: DEFAULT_COMBO,
            option_set: None,
            comment_option_set: None,
            sharing: Sharing::default(),
        }
    }
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

impl DataSet {
    /// A data set of a period type with DHIS2's defaults: no elements or org units, the default
    /// attribute category combo (`bjDvmb4bfuf`), never expiring, no future periods open, no
    /// input periods, no approval workflow, no sharing.
    pub fn new(id: Identity, period_type: PeriodType) -> DataSet {
        DataSet {
            id,
            period_type,
            elements: Vec::new(),
            org_units: Vec::new(),
            category_combo: DEFAULT_COMBO,
            expiry_days: 0,
            open_future_periods: 0,
            open_periods_after_co_end_date: 0,
            data_input_periods: Vec::new(),
            no_value_requires_comment: false,
            workflow: None,
            sharing: Sharing::default(),
        }
    }
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

/// A kind of object a [`Metadata`] catalogue holds: the generic methods of the catalogue
/// ([`Metadata::get`], [`Metadata::insert`], [`Metadata::all`], [`Metadata::update`],
/// [`Metadata::update_all`], [`Metadata::remove`]) take any of them.
///
/// Implemented by every object type of this module (the trait is sealed).
pub trait CatalogObject: private::Stored {
    /// The kind of object.
    const KIND: ObjectKind;

    /// The object's identity (UID, code, name, attribute values).
    fn identity(&self) -> &Identity;
}

pub(super) mod private {
    use super::{Identity, Metadata, Uid};

    /// Where the catalogue keeps a kind (not nameable outside the crate: seals [`super::CatalogObject`]).
    pub trait Stored: Sized {
        fn list(md: &Metadata) -> &Vec<Self>;
        fn list_mut(md: &mut Metadata) -> &mut Vec<Self>;
        fn identity_mut(&mut self) -> &mut Identity;
        /// The parent, for org units (whose hierarchy a change of parent invalidates).
        fn parent(&self) -> Option<Uid> {
            None
        }
    }
}

macro_rules! catalog_object {
    ($ty:ident, $field:ident, $kind:expr) => {
        impl CatalogObject for $ty {
            const KIND: ObjectKind = $kind;
            fn identity(&self) -> &Identity {
                &self.id
            }
        }
        impl private::Stored for $ty {
            fn list(md: &Metadata) -> &Vec<Self> {
                &md.$field
            }
            fn list_mut(md: &mut Metadata) -> &mut Vec<Self> {
                &mut md.$field
            }
            fn identity_mut(&mut self) -> &mut Identity {
                &mut self.id
            }
            catalog_object!(@parent $ty);
        }
    };
    (@parent OrganisationUnit) => {
        fn parent(&self) -> Option<Uid> {
            self.parent
        }
    };
    (@parent $ty:ident) => {};
}

catalog_object!(OrganisationUnit, org_units, ObjectKind::OrganisationUnit);
catalog_object!(DataElement, data_elements, ObjectKind::DataElement);
catalog_object!(CategoryOption, category_options, ObjectKind::CategoryOption);
catalog_object!(Category, categories, ObjectKind::Category);
catalog_object!(CategoryCombo, category_combos, ObjectKind::CategoryCombo);
catalog_object!(
    CategoryOptionCombo,
    category_option_combos,
    ObjectKind::CategoryOptionCombo
);
catalog_object!(DataSet, data_sets, ObjectKind::DataSet);
catalog_object!(OptionSet, option_sets, ObjectKind::OptionSet);
catalog_object!(Attribute, attributes, ObjectKind::Attribute);
catalog_object!(
    DataElementGroup,
    data_element_groups,
    ObjectKind::DataElementGroup
);
catalog_object!(
    OrganisationUnitGroup,
    org_unit_groups,
    ObjectKind::OrganisationUnitGroup
);
catalog_object!(User, users, ObjectKind::User);
