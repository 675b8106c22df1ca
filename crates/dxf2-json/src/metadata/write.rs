//! Writing a [`Metadata`] catalogue as a DXF2 metadata JSON document, in the shape DHIS2's
//! `/api/metadata` export writes and its metadata import reads.
//!
//! [`write_metadata`] writes one compact JSON object with a top-level array per kind the
//! catalogue holds (kinds without objects are left out), in DHIS2's import order: `attributes`,
//! `userRoles`, `users`, `options`, `optionSets`, `organisationUnits`, `organisationUnitGroups`,
//! `categoryOptions`, `categories`, `categoryCombos`, `categoryOptionCombos`, `dataElements`,
//! `dataElementGroups`, `dataSets`. Objects come in the catalogue's order, the default category
//! objects included. As DHIS2 writes them:
//!
//! * `id`, `code`, `name` first; references as `{"id": "<uid>"}`; absent values left out, every
//!   collection written (`[]` when empty); `attributeValues` as
//!   `[{"attribute": {"id": "<uid>"}, "value": "…"}]`;
//! * `sharing` in DHIS2's 2.36+ form, `{"public": "rw------", "users": {"<uid>": {"id": "<uid>",
//!   "access": "r-------"}}, "userGroups": {…}}`, left out when the object has none (DHIS2's
//!   defaults then apply);
//! * dates as `yyyy-MM-ddTHH:mm:ss.SSS` without offset (date-only fields at midnight);
//! * org units with `parent`, `openingDate`, `closedDate`; data elements with `valueType`,
//!   `aggregationType`, `domainType`, `zeroIsSignificant`, `categoryCombo` (also the default),
//!   `optionSet`, `commentOptionSet`; category option combos with `categoryCombo`,
//!   `categoryOptions`, `ignoreApproval`;
//! * data sets with `periodType`, `categoryCombo`, `expiryDays`, `openFuturePeriods`,
//!   `openPeriodsAfterCoEndDate`, `noValueRequiresComment`, `workflow`, `dataSetElements`
//!   (`{"dataElement": {"id"}, "dataSet": {"id"}, "categoryCombo": {"id"}}`, the combo only for
//!   an override), `organisationUnits` and `dataInputPeriods` (`{"period": {"id": "202001"},
//!   "openingDate", "closingDate"}`);
//! * option sets list their options as `{"id"}` references; each option is written once in the
//!   top-level `options` array with `code`, `name`, `sortOrder` (its index in the set) and
//!   `optionSet`.
//!
//! What DHIS2 requires and the catalogue does not keep is made up, in ways that read back the
//! same:
//!
//! * `shortName` (required of org units, data elements, category options, categories, data sets
//!   and groups) is the name cut to DHIS2's 50 characters, as DHIS2's metadata CSV import makes
//!   it (names sharing their first 50 characters then share a short name, which DHIS2 wants
//!   unique for most of these kinds);
//! * a user's `firstName` and `surname` are its name split at the first space;
//! * a user's authorities become a user role: one role (`userRoles`) per distinct list of
//!   authorities, named after them, with a UID derived from them (the same list gets the same
//!   UID in every document, so re-importing updates the role); the user refers to it both at
//!   the top level (`userRoles`, DHIS2 2.38+) and in `userCredentials` (2.36–2.37; later versions
//!   copy it over);
//! * an attribute gets the applicability flag (`dataElementAttribute`, `dataSetAttribute`, …)
//!   of every kind whose objects carry a value of it: DHIS2 refuses a value of an attribute not
//!   assigned to the object's type (`E6012`).
//!
//! Not written: DHIS2's `system` header, an org unit's `path` and `level` (DHIS2 computes them),
//! and anything the catalogue does not keep (an org unit without `openingDate` or a user
//! without a name is written without them; DHIS2 reports them missing, `E4000`).
//!
//! # Reading back
//!
//! A finished catalogue ([`Metadata::finish`], [`Metadata::builder`], or one read by
//! [`read_metadata`](super::read_metadata)) is read back by [`read_metadata`](super::read_metadata)
//! exactly as it was: every kind, every field, in order. (An unfinished one reads back finished:
//! the reader adds the default category objects and remaps their UIDs.) Before writing
//! anything, [`write_metadata`] checks each object and refuses, with
//! [`MetadataError::Unwritable`] naming the object and field, what no document can carry so that
//! it reads back the same:
//!
//! * an empty text in a `code`, `name`, attribute value or sharing access (DHIS2 reads `""` as
//!   null), a text holding U+0000, an empty `username`, an option without `code`;
//! * an `aggregationType`, `domainType` or `dataDimensionType` DHIS2 does not know, a
//!   `TwoYearly` data set, a data input period of a type without an ISO form DHIS2 2.36–2.42
//!   reads, `openFuturePeriods` or `openPeriodsAfterCoEndDate` beyond 32 bits, `expiryDays`
//!   beyond ±2^53;
//! * a time finer than milliseconds, or on a leap second (DHIS2 keeps milliseconds);
//! * an option listed twice in a set, or an option UID that two option sets list with another
//!   code, name or attribute values (a DHIS2 option belongs to one set; the same option in two
//!   sets is written once and read back into both);
//! * an authority a user holds twice.
//!
//! ```
//! use dxf2_json::metadata::{read_metadata, write_metadata, MetadataError};
//! use dxf2_model::metadata::{DataElement, DataSet, DataSetElement, Identity, OrganisationUnit};
//! use dxf2_model::{Metadata, PeriodType, Uid, ValueType};
//!
//! let uid = |s: &str| Uid::parse(s).unwrap();
//! let mut anc = Identity::new(uid("f7n9E0hX8qk"));
//! anc.name = Some("ANC 1st visit".into());
//! let mut ds = DataSet::new(Identity::new(uid("pBOMPrpg1QX")), PeriodType::Monthly);
//! ds.elements.push(DataSetElement { data_element: uid("f7n9E0hX8qk"), category_combo: None });
//! ds.org_units.push(uid("DiszpKrYNg8"));
//! let md = Metadata::builder()
//!     .with(OrganisationUnit::new(Identity::new(uid("DiszpKrYNg8")), None))
//!     .with(DataElement::new(anc, ValueType::Integer))
//!     .with(ds)
//!     .build()
//!     .unwrap();
//!
//! let mut json = Vec::new();
//! write_metadata(&md, &mut json)?;
//! let text = String::from_utf8(json.clone()).unwrap();
//! assert!(text.contains(r#""dataSetElements":[{"dataElement":{"id":"f7n9E0hX8qk"},"dataSet":{"id":"pBOMPrpg1QX"}}]"#));
//! assert!(text.contains(r#"{"id":"f7n9E0hX8qk","name":"ANC 1st visit","shortName":"ANC 1st visit","valueType":"INTEGER""#));
//!
//! let back = read_metadata(&json[..])?;
//! assert_eq!(back.data_sets(), md.data_sets());
//! assert_eq!(back.data_elements(), md.data_elements());
//! assert_eq!(back.category_option_combos(), md.category_option_combos());
//!
//! // What would not read back the same is refused before anything is written.
//! let mut odd = md.clone();
//! odd.update::<DataElement>(&uid("f7n9E0hX8qk"), |de| de.aggregation_type = "TOTAL".into());
//! let err = write_metadata(&odd, Vec::new()).unwrap_err();
//! assert!(matches!(err, MetadataError::Unwritable { .. }));
//! assert_eq!(err.field(), Some("aggregationType"));
//! assert_eq!(
//!     err.to_string(),
//!     "dataElements[0] (id `f7n9E0hX8qk`): cannot write `aggregationType` `TOTAL`: \
//!      expected a DHIS2 aggregation type such as SUM or AVERAGE"
//! );
//! # Ok::<(), MetadataError>(())
//! ```

mod objects;
mod plan;

use std::io::{self, BufWriter, Write};

use dxf2_model::metadata::{Attribute, User};
use dxf2_model::Metadata;
use serde::ser::{Serialize, SerializeMap, Serializer};

use super::error::MetadataError;
use objects::{
    array, AttributeJson, CategoryComboJson, CategoryJson, CategoryOptionComboJson,
    CategoryOptionJson, DataElementGroupJson, DataElementJson, DataSetJson, OptionJson,
    OptionSetJson, OrgUnitGroupJson, OrgUnitJson, RoleJson, UserJson,
};
use plan::{plan, Plan};

/// Writes `metadata` as one DXF2 metadata JSON document to `out` (buffered internally, flushed
/// at the end), in DHIS2's shape; see the [module documentation](self).
///
/// Every object is checked first: one that would not read back as it is makes the call fail with
/// [`MetadataError::Unwritable`] before anything is written. A failing output is
/// [`MetadataError::WriteIo`] (part of the document may then have been written).
pub fn write_metadata<W: Write>(metadata: &Metadata, out: W) -> Result<(), MetadataError> {
    let plan = plan(metadata)?;
    let mut out = BufWriter::new(out);
    serde_json::to_writer(
        &mut out,
        &Document {
            md: metadata,
            plan: &plan,
        },
    )
    .map_err(|e| {
        // Only the output can fail: every key is a string and every value a string, a number
        // or a boolean.
        MetadataError::WriteIo(if e.is_io() {
            io::Error::from(e)
        } else {
            io::Error::other(e)
        })
    })?;
    out.flush().map_err(MetadataError::WriteIo)
}

/// The whole document.
struct Document<'a> {
    md: &'a Metadata,
    plan: &'a Plan<'a>,
}

/// Writes one top-level array when it has elements.
fn entry<M: SerializeMap, T: Serialize>(
    m: &mut M,
    key: &str,
    len: usize,
    array: &T,
) -> Result<(), M::Error> {
    if len == 0 {
        return Ok(());
    }
    m.serialize_entry(key, array)
}

impl Serialize for Document<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let Document { md, plan } = *self;
        let flags = |a| {
            let a: &Attribute = a;
            AttributeJson(a, plan.attribute_flags.get(&a.id.uid).copied().unwrap_or(0))
        };
        let user = |u| {
            let u: &User = u;
            let role = plan
                .user_roles
                .get(&u.id.uid)
                .and_then(|i| plan.roles.get(*i));
            UserJson(u, role)
        };
        let mut m = s.serialize_map(None)?;
        let list = md.attributes();
        entry(&mut m, "attributes", list.len(), &array(list, flags))?;
        let list = &plan.roles;
        entry(&mut m, "userRoles", list.len(), &array(list, RoleJson))?;
        let list = md.users();
        entry(&mut m, "users", list.len(), &array(list, user))?;
        let list = &plan.options;
        entry(&mut m, "options", list.len(), &array(list, OptionJson))?;
        let list = md.option_sets();
        entry(
            &mut m,
            "optionSets",
            list.len(),
            &array(list, OptionSetJson),
        )?;
        let list = md.org_units();
        entry(
            &mut m,
            "organisationUnits",
            list.len(),
            &array(list, OrgUnitJson),
        )?;
        let list = md.org_unit_groups();
        let json = array(list, OrgUnitGroupJson);
        entry(&mut m, "organisationUnitGroups", list.len(), &json)?;
        let list = md.category_options();
        let json = array(list, CategoryOptionJson);
        entry(&mut m, "categoryOptions", list.len(), &json)?;
        let list = md.categories();
        entry(&mut m, "categories", list.len(), &array(list, CategoryJson))?;
        let list = md.category_combos();
        let json = array(list, CategoryComboJson);
        entry(&mut m, "categoryCombos", list.len(), &json)?;
        let list = md.category_option_combos();
        let json = array(list, CategoryOptionComboJson);
        entry(&mut m, "categoryOptionCombos", list.len(), &json)?;
        let list = md.data_elements();
        entry(
            &mut m,
            "dataElements",
            list.len(),
            &array(list, DataElementJson),
        )?;
        let list = md.data_element_groups();
        let json = array(list, DataElementGroupJson);
        entry(&mut m, "dataElementGroups", list.len(), &json)?;
        let list = md.data_sets();
        entry(&mut m, "dataSets", list.len(), &array(list, DataSetJson))?;
        m.end()
    }
}
