//! Each kind of object as DHIS2's `/api/metadata` export writes it: `id`, `code`, `name` (and
//! `shortName`) first, then the kind's own fields, references as `{"id": "<uid>"}`, then
//! `attributeValues` and `sharing`. Absent values are left out (as DHIS2 leaves out nulls);
//! collections are always written, empty ones as `[]`.

use dxf2_model::metadata::{
    Attribute, Category, CategoryCombo, CategoryOption, CategoryOptionCombo, DataElement,
    DataElementGroup, DataInputPeriod, DataSet, DataSetElement, Identity, NaiveDate, OptionSet,
    OrganisationUnit, OrganisationUnitGroup, Sharing, User,
};
use dxf2_model::Uid;
use serde::ser::{Serialize, SerializeMap, Serializer};

use super::plan::{date_text, date_time_text, Role, TopOption, FLAGS};

/// DHIS2's longest `shortName` (50 characters).
const MAX_SHORT_NAME_CHARS: usize = 50;

/// `{"id": "<uid>"}`.
pub(super) struct Ref<'a>(pub(super) &'a Uid);

impl Serialize for Ref<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(1))?;
        m.serialize_entry("id", self.0.as_str())?;
        m.end()
    }
}

/// `[{"id": "<uid>"}, …]`.
pub(super) struct Refs<'a>(pub(super) &'a [Uid]);

impl Serialize for Refs<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.0.iter().map(Ref))
    }
}

/// A JSON array of `items`, each written through a function ([`array`]).
pub(super) struct Array<'a, T, F>(&'a [T], F);

/// `items` as a JSON array, each written as `f` makes it.
pub(super) fn array<'a, T, W, F>(items: &'a [T], f: F) -> Array<'a, T, F>
where
    F: Fn(&'a T) -> W,
    W: Serialize,
{
    Array(items, f)
}

impl<'a, T, W, F> Serialize for Array<'a, T, F>
where
    F: Fn(&'a T) -> W,
    W: Serialize,
{
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.0.iter().map(&self.1))
    }
}

/// `id`, `code`, `name`, and `shortName` for the kinds DHIS2 requires it of: the catalogue keeps
/// none, so it is the name cut to DHIS2's 50 characters (as DHIS2's own CSV import makes it).
fn identity<M: SerializeMap>(m: &mut M, id: &Identity, short_name: bool) -> Result<(), M::Error> {
    m.serialize_entry("id", id.uid.as_str())?;
    if let Some(code) = &id.code {
        m.serialize_entry("code", code)?;
    }
    if let Some(name) = &id.name {
        m.serialize_entry("name", name)?;
        if short_name {
            let short: String = name.chars().take(MAX_SHORT_NAME_CHARS).collect();
            m.serialize_entry("shortName", &short)?;
        }
    }
    Ok(())
}

/// `attributeValues`: `[{"attribute": {"id": "<uid>"}, "value": "…"}]`.
fn attribute_values<M: SerializeMap>(m: &mut M, id: &Identity) -> Result<(), M::Error> {
    struct Value<'a>(&'a Uid, &'a str);
    impl Serialize for Value<'_> {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            let mut m = s.serialize_map(Some(2))?;
            m.serialize_entry("attribute", &Ref(self.0))?;
            m.serialize_entry("value", self.1)?;
            m.end()
        }
    }
    let values = array(&id.attribute_values, |(a, v)| Value(a, v));
    m.serialize_entry("attributeValues", &values)
}

/// `sharing` in DHIS2's 2.36+ form, left out when it says nothing (DHIS2's defaults apply).
fn sharing<M: SerializeMap>(m: &mut M, sharing: &Sharing) -> Result<(), M::Error> {
    if *sharing == Sharing::default() {
        return Ok(());
    }
    m.serialize_entry("sharing", &SharingJson(sharing))
}

struct SharingJson<'a>(&'a Sharing);

impl Serialize for SharingJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let sharing = self.0;
        let mut m = s.serialize_map(None)?;
        if let Some(public) = &sharing.public {
            m.serialize_entry("public", public)?;
        }
        m.serialize_entry("users", &Accesses(&sharing.users))?;
        m.serialize_entry("userGroups", &Accesses(&sharing.user_groups))?;
        m.end()
    }
}

/// `{"<uid>": {"id": "<uid>", "access": "rw------"}, …}`.
struct Accesses<'a>(&'a [(Uid, String)]);

impl Serialize for Accesses<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        struct Access<'a>(&'a Uid, &'a str);
        impl Serialize for Access<'_> {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                let mut m = s.serialize_map(Some(2))?;
                m.serialize_entry("id", self.0.as_str())?;
                m.serialize_entry("access", self.1)?;
                m.end()
            }
        }
        s.collect_map(self.0.iter().map(|(u, a)| (u.as_str(), Access(u, a))))
    }
}

fn opt_ref<M: SerializeMap>(m: &mut M, key: &str, uid: Option<&Uid>) -> Result<(), M::Error> {
    match uid {
        Some(uid) => m.serialize_entry(key, &Ref(uid)),
        None => Ok(()),
    }
}

fn opt_date<M: SerializeMap>(
    m: &mut M,
    key: &str,
    date: Option<NaiveDate>,
) -> Result<(), M::Error> {
    match date {
        Some(date) => m.serialize_entry(key, &date_text(date)),
        None => Ok(()),
    }
}

/// An `organisationUnits` entry.
pub(super) struct OrgUnitJson<'a>(pub(super) &'a OrganisationUnit);

impl Serialize for OrgUnitJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let o = self.0;
        let mut m = s.serialize_map(None)?;
        identity(&mut m, &o.id, true)?;
        opt_ref(&mut m, "parent", o.parent.as_ref())?;
        opt_date(&mut m, "openingDate", o.opening_date)?;
        opt_date(&mut m, "closedDate", o.closed_date)?;
        attribute_values(&mut m, &o.id)?;
        m.end()
    }
}

/// A `dataElements` entry.
pub(super) struct DataElementJson<'a>(pub(super) &'a DataElement);

impl Serialize for DataElementJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let o = self.0;
        let mut m = s.serialize_map(None)?;
        identity(&mut m, &o.id, true)?;
        m.serialize_entry("valueType", o.value_type.name())?;
        m.serialize_entry("aggregationType", &o.aggregation_type)?;
        m.serialize_entry("domainType", &o.domain_type)?;
        m.serialize_entry("zeroIsSignificant", &o.zero_is_significant)?;
        m.serialize_entry("categoryCombo", &Ref(&o.category_combo))?;
        opt_ref(&mut m, "optionSet", o.option_set.as_ref())?;
        opt_ref(&mut m, "commentOptionSet", o.comment_option_set.as_ref())?;
        attribute_values(&mut m, &o.id)?;
        sharing(&mut m, &o.sharing)?;
        m.end()
    }
}

/// A `categoryOptions` entry.
pub(super) struct CategoryOptionJson<'a>(pub(super) &'a CategoryOption);

impl Serialize for CategoryOptionJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let o = self.0;
        let mut m = s.serialize_map(None)?;
        identity(&mut m, &o.id, true)?;
        opt_date(&mut m, "startDate", o.start_date)?;
        opt_date(&mut m, "endDate", o.end_date)?;
        m.serialize_entry("organisationUnits", &Refs(&o.org_units))?;
        attribute_values(&mut m, &o.id)?;
        sharing(&mut m, &o.sharing)?;
        m.end()
    }
}

/// A `categories` entry.
pub(super) struct CategoryJson<'a>(pub(super) &'a Category);

impl Serialize for CategoryJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let o = self.0;
        let mut m = s.serialize_map(None)?;
        identity(&mut m, &o.id, true)?;
        m.serialize_entry("dataDimensionType", &o.data_dimension_type)?;
        m.serialize_entry("categoryOptions", &Refs(&o.options))?;
        attribute_values(&mut m, &o.id)?;
        m.end()
    }
}

/// A `categoryCombos` entry.
pub(super) struct CategoryComboJson<'a>(pub(super) &'a CategoryCombo);

impl Serialize for CategoryComboJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let o = self.0;
        let mut m = s.serialize_map(None)?;
        identity(&mut m, &o.id, false)?;
        m.serialize_entry("dataDimensionType", &o.data_dimension_type)?;
        m.serialize_entry("categories", &Refs(&o.categories))?;
        attribute_values(&mut m, &o.id)?;
        m.end()
    }
}

/// A `categoryOptionCombos` entry.
pub(super) struct CategoryOptionComboJson<'a>(pub(super) &'a CategoryOptionCombo);

impl Serialize for CategoryOptionComboJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let o = self.0;
        let mut m = s.serialize_map(None)?;
        identity(&mut m, &o.id, false)?;
        m.serialize_entry("categoryCombo", &Ref(&o.category_combo))?;
        m.serialize_entry("categoryOptions", &Refs(&o.options))?;
        m.serialize_entry("ignoreApproval", &o.ignore_approval)?;
        attribute_values(&mut m, &o.id)?;
        m.end()
    }
}

/// A `dataSets` entry.
pub(super) struct DataSetJson<'a>(pub(super) &'a DataSet);

impl Serialize for DataSetJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let o = self.0;
        let mut m = s.serialize_map(None)?;
        identity(&mut m, &o.id, true)?;
        m.serialize_entry("periodType", o.period_type.name())?;
        m.serialize_entry("categoryCombo", &Ref(&o.category_combo))?;
        m.serialize_entry("expiryDays", &o.expiry_days)?;
        m.serialize_entry("openFuturePeriods", &o.open_future_periods)?;
        m.serialize_entry(
            "openPeriodsAfterCoEndDate",
            &o.open_periods_after_co_end_date,
        )?;
        m.serialize_entry("noValueRequiresComment", &o.no_value_requires_comment)?;
        opt_ref(&mut m, "workflow", o.workflow.as_ref())?;
        let data_set = &o.id.uid;
        let elements = array(&o.elements, |e| DataSetElementJson(e, data_set));
        m.serialize_entry("dataSetElements", &elements)?;
        m.serialize_entry("organisationUnits", &Refs(&o.org_units))?;
        let periods = array(&o.data_input_periods, DataInputPeriodJson);
        m.serialize_entry("dataInputPeriods", &periods)?;
        attribute_values(&mut m, &o.id)?;
        sharing(&mut m, &o.sharing)?;
        m.end()
    }
}

/// `{"dataElement": {"id"}, "dataSet": {"id"}, "categoryCombo": {"id"}}` (the combo only when
/// the element overrides it).
struct DataSetElementJson<'a>(&'a DataSetElement, &'a Uid);

impl Serialize for DataSetElementJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let DataSetElementJson(e, data_set) = self;
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("dataElement", &Ref(&e.data_element))?;
        m.serialize_entry("dataSet", &Ref(data_set))?;
        opt_ref(&mut m, "categoryCombo", e.category_combo.as_ref())?;
        m.end()
    }
}

/// `{"period": {"id": "202001"}, "openingDate": …, "closingDate": …}`.
struct DataInputPeriodJson<'a>(&'a DataInputPeriod);

impl Serialize for DataInputPeriodJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        struct PeriodRef(String);
        impl Serialize for PeriodRef {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                let mut m = s.serialize_map(Some(1))?;
                m.serialize_entry("id", &self.0)?;
                m.end()
            }
        }
        let p = self.0;
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("period", &PeriodRef(p.period.to_string()))?;
        if let Some(t) = p.opening_date {
            m.serialize_entry("openingDate", &date_time_text(t))?;
        }
        if let Some(t) = p.closing_date {
            m.serialize_entry("closingDate", &date_time_text(t))?;
        }
        m.end()
    }
}

/// An `optionSets` entry: its options as references to the top-level `options`.
pub(super) struct OptionSetJson<'a>(pub(super) &'a OptionSet);

impl Serialize for OptionSetJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let o = self.0;
        let mut m = s.serialize_map(None)?;
        identity(&mut m, &o.id, false)?;
        m.serialize_entry("valueType", o.value_type.name())?;
        let options = array(&o.options, |item| Ref(&item.id.uid));
        m.serialize_entry("options", &options)?;
        attribute_values(&mut m, &o.id)?;
        m.end()
    }
}

/// An `options` entry.
pub(super) struct OptionJson<'a>(pub(super) &'a TopOption<'a>);

impl Serialize for OptionJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let o = self.0;
        let mut m = s.serialize_map(None)?;
        identity(&mut m, &o.item.id, false)?;
        m.serialize_entry("sortOrder", &o.sort_order)?;
        m.serialize_entry("optionSet", &Ref(&o.option_set))?;
        attribute_values(&mut m, &o.item.id)?;
        m.end()
    }
}

/// An `attributes` entry, with the applicability flags of the kinds that use it.
pub(super) struct AttributeJson<'a>(pub(super) &'a Attribute, pub(super) u16);

impl Serialize for AttributeJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let AttributeJson(o, flags) = self;
        let mut m = s.serialize_map(None)?;
        identity(&mut m, &o.id, false)?;
        m.serialize_entry("valueType", o.value_type.name())?;
        m.serialize_entry("unique", &o.unique)?;
        for (i, flag) in FLAGS.iter().enumerate() {
            if flags & (1 << i) != 0 {
                m.serialize_entry(flag, &true)?;
            }
        }
        attribute_values(&mut m, &o.id)?;
        m.end()
    }
}

/// A `dataElementGroups` entry.
pub(super) struct DataElementGroupJson<'a>(pub(super) &'a DataElementGroup);

impl Serialize for DataElementGroupJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let o = self.0;
        let mut m = s.serialize_map(None)?;
        identity(&mut m, &o.id, true)?;
        m.serialize_entry("dataElements", &Refs(&o.data_elements))?;
        attribute_values(&mut m, &o.id)?;
        m.end()
    }
}

/// An `organisationUnitGroups` entry.
pub(super) struct OrgUnitGroupJson<'a>(pub(super) &'a OrganisationUnitGroup);

impl Serialize for OrgUnitGroupJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let o = self.0;
        let mut m = s.serialize_map(None)?;
        identity(&mut m, &o.id, true)?;
        m.serialize_entry("organisationUnits", &Refs(&o.org_units))?;
        attribute_values(&mut m, &o.id)?;
        m.end()
    }
}

/// A `userRoles` entry.
pub(super) struct RoleJson<'a>(pub(super) &'a Role<'a>);

impl Serialize for RoleJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let r = self.0;
        let mut m = s.serialize_map(Some(3))?;
        m.serialize_entry("id", r.uid.as_str())?;
        m.serialize_entry("name", &r.name)?;
        m.serialize_entry("authorities", r.authorities)?;
        m.end()
    }
}

/// A `users` entry, with its role (if any) both at the top level (2.38+) and in
/// `userCredentials` (2.36–2.37; later versions copy it over, as DHIS2's own exports carry both).
pub(super) struct UserJson<'a>(pub(super) &'a User, pub(super) Option<&'a Role<'a>>);

impl Serialize for UserJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        struct Credentials<'a>(&'a str, &'a [Uid]);
        impl Serialize for Credentials<'_> {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                let mut m = s.serialize_map(Some(2))?;
                m.serialize_entry("username", self.0)?;
                m.serialize_entry("userRoles", &Refs(self.1))?;
                m.end()
            }
        }
        let UserJson(u, role) = self;
        let roles: &[Uid] = match role {
            Some(role) => std::slice::from_ref(&role.uid),
            None => &[],
        };
        let mut m = s.serialize_map(None)?;
        identity(&mut m, &u.id, false)?;
        // DHIS2 requires `firstName` and `surname` and shows `firstName surname`: the name is
        // split at its first space (a one-word name gives a first name only).
        if let Some(name) = &u.id.name {
            let (first, surname) = match name.split_once(' ') {
                Some((first, surname)) => (first, Some(surname)),
                None => (name.as_str(), None),
            };
            m.serialize_entry("firstName", first)?;
            if let Some(surname) = surname {
                m.serialize_entry("surname", surname)?;
            }
        }
        m.serialize_entry("username", &u.username)?;
        m.serialize_entry("organisationUnits", &Refs(&u.org_units))?;
        m.serialize_entry("dataViewOrganisationUnits", &Refs(&u.data_view_org_units))?;
        m.serialize_entry("userGroups", &Refs(&u.user_groups))?;
        m.serialize_entry("userRoles", &Refs(roles))?;
        m.serialize_entry("userCredentials", &Credentials(&u.username, roles))?;
        attribute_values(&mut m, &u.id)?;
        m.end()
    }
}
