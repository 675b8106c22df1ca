//! Conversion of fields to the model: identities, references, value types, sharing.

use dxf2_model::metadata::{Identity, Sharing, DEFAULT_CATEGORY_COMBO_UID};
use dxf2_model::{Uid, ValueType};

use super::error::{invalid, missing, MetadataError, ObjectRef, EXPECT_UID};
use super::raw::{RawAccess, RawAttributeValue, RawRef, RawSharing};

pub(super) fn parse_uid(
    at: &ObjectRef,
    field: impl FnOnce() -> String,
    s: &str,
) -> Result<Uid, MetadataError> {
    Uid::parse(s).map_err(|_| invalid(at, field(), s, EXPECT_UID))
}

pub(super) fn make_identity(
    at: &mut ObjectRef,
    id: Option<String>,
    code: Option<String>,
    name: Option<String>,
    attribute_values: Vec<RawAttributeValue>,
) -> Result<Identity, MetadataError> {
    let Some(id) = id else {
        return Err(missing(at, "id"));
    };
    at.id = Some(id);
    let uid = parse_uid(at, || "id".into(), at.id.as_deref().unwrap_or_default())?;
    let mut values = Vec::with_capacity(attribute_values.len());
    for (i, av) in attribute_values.into_iter().enumerate() {
        let Some(attribute) = av.attribute else {
            return Err(missing(at, format!("attributeValues[{i}].attribute.id")));
        };
        let attribute = parse_uid(
            at,
            || format!("attributeValues[{i}].attribute.id"),
            &attribute,
        )?;
        if let Some(value) = av.value {
            values.push((attribute, value));
        }
    }
    Ok(Identity {
        uid,
        code,
        name,
        attribute_values: values,
    })
}

pub(super) fn reference_uid(
    at: &ObjectRef,
    field: &str,
    r: Option<RawRef>,
) -> Result<Option<Uid>, MetadataError> {
    match r {
        None => Ok(None),
        Some(RawRef { id: None }) => Err(missing(at, format!("{field}.id"))),
        Some(RawRef { id: Some(id) }) => parse_uid(at, || format!("{field}.id"), &id).map(Some),
    }
}

pub(super) fn reference_uids(
    at: &ObjectRef,
    field: &str,
    refs: Vec<RawRef>,
) -> Result<Vec<Uid>, MetadataError> {
    let mut out = Vec::with_capacity(refs.len());
    for (i, r) in refs.into_iter().enumerate() {
        match r.id {
            None => return Err(missing(at, format!("{field}[{i}].id"))),
            Some(id) => out.push(parse_uid(at, || format!("{field}[{i}].id"), &id)?),
        }
    }
    Ok(out)
}

pub(super) fn default_combo() -> Option<Uid> {
    Uid::parse(DEFAULT_CATEGORY_COMBO_UID).ok()
}

/// A `categoryCombo` whose `null` means the default combo.
pub(super) fn combo_or_default(at: &ObjectRef, r: Option<RawRef>) -> Result<Uid, MetadataError> {
    match reference_uid(at, "categoryCombo", r)?.or_else(default_combo) {
        Some(uid) => Ok(uid),
        None => Err(missing(at, "categoryCombo")),
    }
}

pub(super) fn value_type(
    at: &ObjectRef,
    field: &str,
    s: Option<String>,
) -> Result<ValueType, MetadataError> {
    let s = s.ok_or_else(|| missing(at, field))?;
    ValueType::from_name(&s).ok_or_else(|| {
        invalid(
            at,
            field,
            &s,
            "a DHIS2 value type name such as TEXT or INTEGER",
        )
    })
}

pub(super) fn one_of(
    at: &ObjectRef,
    field: &str,
    s: Option<String>,
    default: &str,
    allowed: &[&str],
    expected: &'static str,
) -> Result<String, MetadataError> {
    match s {
        None => Ok(default.to_owned()),
        Some(s) if allowed.contains(&s.as_str()) => Ok(s),
        Some(s) => Err(invalid(at, field, &s, expected)),
    }
}

pub(super) const AGGREGATION_TYPES: &[&str] = &[
    "SUM",
    "AVERAGE",
    "AVERAGE_SUM_ORG_UNIT",
    "LAST",
    "LAST_AVERAGE_ORG_UNIT",
    "LAST_LAST_ORG_UNIT",
    "LAST_IN_PERIOD",
    "LAST_IN_PERIOD_AVERAGE_ORG_UNIT",
    "FIRST",
    "FIRST_AVERAGE_ORG_UNIT",
    "FIRST_FIRST_ORG_UNIT",
    "COUNT",
    "STDDEV",
    "VARIANCE",
    "MIN",
    "MAX",
    "MIN_SUM_ORG_UNIT",
    "MAX_SUM_ORG_UNIT",
    "NONE",
    "CUSTOM",
    "DEFAULT",
];
pub(super) const DOMAIN_TYPES: &[&str] = &["AGGREGATE", "TRACKER"];
pub(super) const DATA_DIMENSION_TYPES: &[&str] = &["DISAGGREGATION", "ATTRIBUTE"];

/// The `dataDimensionType` of a category or category combo (`DISAGGREGATION` when absent).
pub(super) fn data_dimension_type(
    at: &ObjectRef,
    s: Option<String>,
) -> Result<String, MetadataError> {
    one_of(
        at,
        "dataDimensionType",
        s,
        "DISAGGREGATION",
        DATA_DIMENSION_TYPES,
        "DISAGGREGATION or ATTRIBUTE",
    )
}

pub(super) fn make_sharing(
    at: &ObjectRef,
    raw: Option<RawSharing>,
) -> Result<Sharing, MetadataError> {
    let Some(raw) = raw else {
        return Ok(Sharing::default());
    };
    let accesses = |group: &str,
                    entries: Vec<(String, RawAccess)>|
     -> Result<Vec<(Uid, String)>, MetadataError> {
        let mut out = Vec::with_capacity(entries.len());
        for (key, access) in entries {
            let id = access.id.unwrap_or_else(|| key.clone());
            let uid = parse_uid(at, || format!("sharing.{group}.{key}"), &id)?;
            if let Some(access) = access.access {
                out.push((uid, access));
            }
        }
        Ok(out)
    };
    Ok(Sharing {
        public: raw.public,
        users: accesses("users", raw.users)?,
        user_groups: accesses("userGroups", raw.user_groups)?,
    })
}
