//! The stores' own JSON form of metadata objects: what `dxf2-store-sqlite` and
//! `dxf2-store-postgres` keep per object (one row per object of the kinds without a table of their
//! own; the list-valued fields — attribute values, sharing, category options — of the kinds with
//! one). It is a storage form, not DHIS2's metadata document: the JSON uses DXF2 metadata field
//! names, references are plain UID strings, and only what the model keeps is written.

use crate::StoreError;
use chrono::{NaiveDate, NaiveDateTime};
use dxf2_model::metadata::{
    Attribute, Category, CategoryCombo, CategoryOption, CategoryOptionCombo, DataElement,
    DataElementGroup, DataInputPeriod, DataSet, DataSetElement, Identity, OptionItem, OptionSet,
    OrganisationUnit, OrganisationUnitGroup, Sharing, User,
};
use dxf2_model::{Metadata, Period, PeriodType, Uid, ValueType};
use serde_json::{json, Map, Value};

/// `kind` of organisation units.
pub const ORG_UNITS: &str = "organisationUnits";
/// `kind` of data elements.
pub const DATA_ELEMENTS: &str = "dataElements";
const CATEGORY_OPTIONS: &str = "categoryOptions";
const CATEGORIES: &str = "categories";
const CATEGORY_COMBOS: &str = "categoryCombos";
/// `kind` of category option combos.
pub const CATEGORY_OPTION_COMBOS: &str = "categoryOptionCombos";
const DATA_SETS: &str = "dataSets";
const OPTION_SETS: &str = "optionSets";
const ATTRIBUTES: &str = "attributes";
const DATA_ELEMENT_GROUPS: &str = "dataElementGroups";
const ORG_UNIT_GROUPS: &str = "organisationUnitGroups";
const USERS: &str = "users";

/// Calls `write(kind, uid, json)` for every object of `metadata`, kind by kind, in order: of
/// every kind when `every_kind`, else of the kinds a store keeps as JSON beside its tables (all
/// but org units, data elements and category option combos).
pub fn for_each_object(
    metadata: &Metadata,
    every_kind: bool,
    write: &mut dyn FnMut(&'static str, &Uid, &Value) -> Result<(), StoreError>,
) -> Result<(), StoreError> {
    if every_kind {
        for o in metadata.org_units() {
            write(ORG_UNITS, &o.id.uid, &org_unit_json(o))?;
        }
        for o in metadata.data_elements() {
            write(DATA_ELEMENTS, &o.id.uid, &data_element_json(o))?;
        }
        for o in metadata.category_option_combos() {
            let v = json!({
                "categoryCombo": o.category_combo,
                "categoryOptions": o.options,
                "ignoreApproval": o.ignore_approval,
            });
            write(CATEGORY_OPTION_COMBOS, &o.id.uid, &with_identity(&o.id, v))?;
        }
    }
    for o in metadata.category_options() {
        write(CATEGORY_OPTIONS, &o.id.uid, &category_option_json(o))?;
    }
    for o in metadata.categories() {
        let v = json!({"dataDimensionType": o.data_dimension_type, "categoryOptions": o.options});
        write(CATEGORIES, &o.id.uid, &with_identity(&o.id, v))?;
    }
    for o in metadata.category_combos() {
        let v = json!({"dataDimensionType": o.data_dimension_type, "categories": o.categories});
        write(CATEGORY_COMBOS, &o.id.uid, &with_identity(&o.id, v))?;
    }
    for o in metadata.option_sets() {
        let options: Vec<Value> = o
            .options
            .iter()
            .map(|item| with_identity(&item.id, json!({})))
            .collect();
        let v = json!({"valueType": o.value_type.name(), "options": options});
        write(OPTION_SETS, &o.id.uid, &with_identity(&o.id, v))?;
    }
    for o in metadata.attributes() {
        let v = json!({"valueType": o.value_type.name(), "unique": o.unique});
        write(ATTRIBUTES, &o.id.uid, &with_identity(&o.id, v))?;
    }
    for o in metadata.data_sets() {
        write(DATA_SETS, &o.id.uid, &data_set_json(o))?;
    }
    for o in metadata.data_element_groups() {
        let v = json!({"dataElements": o.data_elements});
        write(DATA_ELEMENT_GROUPS, &o.id.uid, &with_identity(&o.id, v))?;
    }
    for o in metadata.org_unit_groups() {
        let v = json!({"organisationUnits": o.org_units});
        write(ORG_UNIT_GROUPS, &o.id.uid, &with_identity(&o.id, v))?;
    }
    for o in metadata.users() {
        let v = json!({
            "username": o.username,
            "organisationUnits": o.org_units,
            "dataViewOrganisationUnits": o.data_view_org_units,
            "authorities": o.authorities,
            "userGroups": o.user_groups,
        });
        write(USERS, &o.id.uid, &with_identity(&o.id, v))?;
    }
    Ok(())
}

/// Parses one stored object and adds it to `metadata`.
pub fn add_object(
    metadata: &mut Metadata,
    kind: &str,
    uid: &str,
    text: &str,
) -> Result<(), StoreError> {
    let value: Value = serde_json::from_str(text).map_err(|e| {
        StoreError::Incompatible(format!("metadata object {kind} `{uid}`: invalid JSON: {e}"))
    })?;
    let Value::Object(map) = &value else {
        return Err(StoreError::Incompatible(format!(
            "metadata object {kind} `{uid}`: expected a JSON object"
        )));
    };
    let o = Obj { kind, uid, map };
    match kind {
        ORG_UNITS => metadata.add_org_unit(parse_org_unit(&o)?),
        DATA_ELEMENTS => metadata.add_data_element(parse_data_element(&o)?),
        CATEGORY_OPTIONS => metadata.add_category_option(CategoryOption {
            id: o.identity()?,
            start_date: o.opt_date("startDate")?,
            end_date: o.opt_date("endDate")?,
            org_units: o.uids("organisationUnits")?,
            sharing: o.sharing()?,
        }),
        CATEGORIES => metadata.add_category(Category {
            id: o.identity()?,
            data_dimension_type: o.string("dataDimensionType")?,
            options: o.uids("categoryOptions")?,
        }),
        CATEGORY_COMBOS => metadata.add_category_combo(CategoryCombo {
            id: o.identity()?,
            data_dimension_type: o.string("dataDimensionType")?,
            categories: o.uids("categories")?,
        }),
        CATEGORY_OPTION_COMBOS => metadata.add_category_option_combo(CategoryOptionCombo {
            id: o.identity()?,
            category_combo: o.uid("categoryCombo")?,
            options: o.uids("categoryOptions")?,
            ignore_approval: o.bool("ignoreApproval")?,
        }),
        DATA_SETS => metadata.add_data_set(parse_data_set(&o)?),
        OPTION_SETS => {
            let mut options = Vec::new();
            for item in o.array("options")? {
                options.push(OptionItem {
                    id: o.nested(item, "options")?.identity()?,
                });
            }
            metadata.add_option_set(OptionSet {
                id: o.identity()?,
                value_type: o.value_type("valueType")?,
                options,
            });
        }
        ATTRIBUTES => metadata.add_attribute(Attribute {
            id: o.identity()?,
            value_type: o.value_type("valueType")?,
            unique: o.bool("unique")?,
        }),
        DATA_ELEMENT_GROUPS => metadata.add_data_element_group(DataElementGroup {
            id: o.identity()?,
            data_elements: o.uids("dataElements")?,
        }),
        ORG_UNIT_GROUPS => metadata.add_org_unit_group(OrganisationUnitGroup {
            id: o.identity()?,
            org_units: o.uids("organisationUnits")?,
        }),
        USERS => metadata.add_user(User {
            id: o.identity()?,
            username: o.string("username")?,
            org_units: o.uids("organisationUnits")?,
            data_view_org_units: o.uids("dataViewOrganisationUnits")?,
            authorities: o.strings("authorities")?,
            user_groups: o.uids("userGroups")?,
        }),
        _ => {
            return Err(StoreError::Incompatible(format!(
                "metadata object `{uid}` has an unknown kind `{kind}`"
            )))
        }
    }
    Ok(())
}

/// Adds `id`, `code`, `name` and `attributeValues` to the JSON object `v`.
fn with_identity(id: &Identity, mut v: Value) -> Value {
    if let Value::Object(map) = &mut v {
        map.insert("id".into(), json!(id.uid));
        if let Some(code) = &id.code {
            map.insert("code".into(), json!(code));
        }
        if let Some(name) = &id.name {
            map.insert("name".into(), json!(name));
        }
        if !id.attribute_values.is_empty() {
            let values: Vec<Value> = id
                .attribute_values
                .iter()
                .map(|(attribute, value)| json!({"attribute": attribute, "value": value}))
                .collect();
            map.insert("attributeValues".into(), Value::Array(values));
        }
    }
    v
}

fn sharing_json(s: &Sharing) -> Value {
    let entries = |list: &[(Uid, String)]| -> Vec<Value> {
        list.iter()
            .map(|(uid, access)| json!({"id": uid, "access": access}))
            .collect()
    };
    json!({"public": s.public, "users": entries(&s.users), "userGroups": entries(&s.user_groups)})
}

fn date_json(d: Option<NaiveDate>) -> Value {
    d.map_or(Value::Null, |d| Value::String(d.to_string()))
}

fn datetime_json(d: Option<NaiveDateTime>) -> Value {
    d.map_or(Value::Null, |d| {
        Value::String(d.format("%Y-%m-%dT%H:%M:%S%.f").to_string())
    })
}

fn category_option_json(o: &CategoryOption) -> Value {
    let v = json!({
        "startDate": date_json(o.start_date),
        "endDate": date_json(o.end_date),
        "organisationUnits": o.org_units,
        "sharing": sharing_json(&o.sharing),
    });
    with_identity(&o.id, v)
}

fn data_set_json(o: &DataSet) -> Value {
    let elements: Vec<Value> = o
        .elements
        .iter()
        .map(|e| json!({"dataElement": e.data_element, "categoryCombo": e.category_combo}))
        .collect();
    let input_periods: Vec<Value> = o
        .data_input_periods
        .iter()
        .map(|p| {
            json!({
                "period": p.period.to_string(),
                "openingDate": datetime_json(p.opening_date),
                "closingDate": datetime_json(p.closing_date),
            })
        })
        .collect();
    let v = json!({
        "periodType": o.period_type.name(),
        "dataSetElements": elements,
        "organisationUnits": o.org_units,
        "categoryCombo": o.category_combo,
        "expiryDays": o.expiry_days,
        "openFuturePeriods": o.open_future_periods,
        "openPeriodsAfterCoEndDate": o.open_periods_after_co_end_date,
        "dataInputPeriods": input_periods,
        "noValueRequiresComment": o.no_value_requires_comment,
        "workflow": o.workflow,
        "sharing": sharing_json(&o.sharing),
    });
    with_identity(&o.id, v)
}

fn parse_org_unit(o: &Obj<'_>) -> Result<OrganisationUnit, StoreError> {
    Ok(OrganisationUnit {
        id: o.identity()?,
        parent: o.opt_uid("parent")?,
        opening_date: o.opt_date("openingDate")?,
        closed_date: o.opt_date("closedDate")?,
    })
}

fn parse_data_element(o: &Obj<'_>) -> Result<DataElement, StoreError> {
    Ok(DataElement {
        id: o.identity()?,
        value_type: o.value_type("valueType")?,
        aggregation_type: o.string("aggregationType")?,
        domain_type: o.string("domainType")?,
        zero_is_significant: o.bool("zeroIsSignificant")?,
        category_combo: o.uid("categoryCombo")?,
        option_set: o.opt_uid("optionSet")?,
        comment_option_set: o.opt_uid("commentOptionSet")?,
        sharing: o.sharing()?,
    })
}

fn parse_data_set(o: &Obj<'_>) -> Result<DataSet, StoreError> {
    let mut elements = Vec::new();
    for e in o.array("dataSetElements")? {
        let e = o.nested(e, "dataSetElements")?;
        elements.push(DataSetElement {
            data_element: e.uid("dataElement")?,
            category_combo: e.opt_uid("categoryCombo")?,
        });
    }
    let mut data_input_periods = Vec::new();
    for p in o.array("dataInputPeriods")? {
        let p = o.nested(p, "dataInputPeriods")?;
        data_input_periods.push(DataInputPeriod {
            period: p.period("period")?,
            opening_date: p.opt_datetime("openingDate")?,
            closing_date: p.opt_datetime("closingDate")?,
        });
    }
    let type_name = o.str("periodType")?;
    let period_type =
        PeriodType::from_name(type_name).map_err(|_| o.bad("periodType", "a period type name"))?;
    Ok(DataSet {
        id: o.identity()?,
        period_type,
        elements,
        org_units: o.uids("organisationUnits")?,
        category_combo: o.uid("categoryCombo")?,
        expiry_days: o.i64("expiryDays")?,
        open_future_periods: o.i64("openFuturePeriods")?,
        open_periods_after_co_end_date: o.i64("openPeriodsAfterCoEndDate")?,
        data_input_periods,
        no_value_requires_comment: o.bool("noValueRequiresComment")?,
        workflow: o.opt_uid("workflow")?,
        sharing: o.sharing()?,
    })
}

/// A stored JSON object being read, with what is needed to say where a bad field is.
struct Obj<'a> {
    kind: &'a str,
    uid: &'a str,
    map: &'a Map<String, Value>,
}

impl<'a> Obj<'a> {
    fn bad(&self, field: &str, expected: &str) -> StoreError {
        StoreError::Incompatible(format!(
            "metadata object {} `{}`: field `{field}`: expected {expected}",
            self.kind, self.uid
        ))
    }

    /// An element of the array `field`, which must be an object.
    fn nested(&self, v: &'a Value, field: &str) -> Result<Obj<'a>, StoreError> {
        match v {
            Value::Object(map) => Ok(Obj {
                kind: self.kind,
                uid: self.uid,
                map,
            }),
            _ => Err(self.bad(field, "an array of objects")),
        }
    }

    fn get(&self, field: &str) -> Option<&'a Value> {
        self.map.get(field).filter(|v| !v.is_null())
    }

    fn opt_str(&self, field: &str) -> Result<Option<&'a str>, StoreError> {
        match self.get(field) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(_) => Err(self.bad(field, "a string")),
        }
    }

    fn str(&self, field: &str) -> Result<&'a str, StoreError> {
        self.opt_str(field)?
            .ok_or_else(|| self.bad(field, "a string"))
    }

    fn string(&self, field: &str) -> Result<String, StoreError> {
        self.str(field).map(str::to_owned)
    }

    fn opt_string(&self, field: &str) -> Result<Option<String>, StoreError> {
        Ok(self.opt_str(field)?.map(str::to_owned))
    }

    fn opt_uid(&self, field: &str) -> Result<Option<Uid>, StoreError> {
        self.opt_str(field)?
            .map(|s| Uid::parse(s).map_err(|_| self.bad(field, "a UID")))
            .transpose()
    }

    fn uid(&self, field: &str) -> Result<Uid, StoreError> {
        self.opt_uid(field)?.ok_or_else(|| self.bad(field, "a UID"))
    }

    /// The array `field` (empty when absent).
    fn array(&self, field: &str) -> Result<&'a [Value], StoreError> {
        match self.get(field) {
            None => Ok(&[]),
            Some(Value::Array(a)) => Ok(a),
            Some(_) => Err(self.bad(field, "an array")),
        }
    }

    fn strings(&self, field: &str) -> Result<Vec<String>, StoreError> {
        self.array(field)?
            .iter()
            .map(|v| match v {
                Value::String(s) => Ok(s.clone()),
                _ => Err(self.bad(field, "an array of strings")),
            })
            .collect()
    }

    fn uids(&self, field: &str) -> Result<Vec<Uid>, StoreError> {
        self.array(field)?
            .iter()
            .map(|v| match v {
                Value::String(s) => Uid::parse(s).map_err(|_| self.bad(field, "an array of UIDs")),
                _ => Err(self.bad(field, "an array of UIDs")),
            })
            .collect()
    }

    fn bool(&self, field: &str) -> Result<bool, StoreError> {
        match self.get(field) {
            Some(Value::Bool(b)) => Ok(*b),
            _ => Err(self.bad(field, "true or false")),
        }
    }

    fn i64(&self, field: &str) -> Result<i64, StoreError> {
        self.get(field)
            .and_then(Value::as_i64)
            .ok_or_else(|| self.bad(field, "an integer"))
    }

    fn opt_date(&self, field: &str) -> Result<Option<NaiveDate>, StoreError> {
        self.opt_str(field)?
            .map(|s| s.parse().map_err(|_| self.bad(field, "a date yyyy-MM-dd")))
            .transpose()
    }

    fn opt_datetime(&self, field: &str) -> Result<Option<NaiveDateTime>, StoreError> {
        self.opt_str(field)?
            .map(|s| {
                NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f")
                    .map_err(|_| self.bad(field, "a date-time yyyy-MM-ddTHH:mm:ss"))
            })
            .transpose()
    }

    fn period(&self, field: &str) -> Result<Period, StoreError> {
        self.str(field)?
            .parse()
            .map_err(|_| self.bad(field, "an ISO period"))
    }

    fn value_type(&self, field: &str) -> Result<ValueType, StoreError> {
        ValueType::from_name(self.str(field)?).ok_or_else(|| self.bad(field, "a value type name"))
    }

    fn attribute_values(&self) -> Result<Vec<(Uid, String)>, StoreError> {
        let mut attribute_values = Vec::new();
        for v in self.array("attributeValues")? {
            let v = self.nested(v, "attributeValues")?;
            attribute_values.push((v.uid("attribute")?, v.string("value")?));
        }
        Ok(attribute_values)
    }

    fn identity(&self) -> Result<Identity, StoreError> {
        Ok(Identity {
            uid: self.uid("id")?,
            code: self.opt_string("code")?,
            name: self.opt_string("name")?,
            attribute_values: self.attribute_values()?,
        })
    }

    fn sharing(&self) -> Result<Sharing, StoreError> {
        let Some(v) = self.get("sharing") else {
            return Ok(Sharing::default());
        };
        let s = self.nested(v, "sharing")?;
        let entries = |field: &str| -> Result<Vec<(Uid, String)>, StoreError> {
            let mut out = Vec::new();
            for e in s.array(field)? {
                let e = s.nested(e, field)?;
                out.push((e.uid("id")?, e.string("access")?));
            }
            Ok(out)
        };
        Ok(Sharing {
            public: s.opt_string("public")?,
            users: entries("users")?,
            user_groups: entries("userGroups")?,
        })
    }
}

/// The attribute values of an object as stored in its table's `attributevalues` column (`None`
/// when it has none).
pub fn attribute_values_text(values: &[(Uid, String)]) -> Option<String> {
    if values.is_empty() {
        return None;
    }
    let list: Vec<Value> = values
        .iter()
        .map(|(attribute, value)| json!({"attribute": attribute, "value": value}))
        .collect();
    Some(Value::Array(list).to_string())
}

/// The sharing of an object as stored in its table's `sharing` column (`None` when it is the
/// default).
pub fn sharing_text(sharing: &Sharing) -> Option<String> {
    (*sharing != Sharing::default()).then(|| sharing_json(sharing).to_string())
}

/// A list of UIDs as stored in a column.
pub fn uids_text(uids: &[Uid]) -> String {
    json!(uids).to_string()
}

/// Reads the column `field` of object `uid` of `kind`, holding JSON, as the field `field` of
/// a DXF2 object (NULL: absent), and hands it to `read`.
fn read_field<T>(
    text: Option<&str>,
    kind: &str,
    uid: &str,
    field: &str,
    read: impl FnOnce(&Obj<'_>) -> Result<T, StoreError>,
) -> Result<T, StoreError> {
    let mut map = Map::new();
    if let Some(text) = text {
        let value: Value = serde_json::from_str(text).map_err(|e| {
            StoreError::Incompatible(format!(
                "metadata object {kind} `{uid}`: field `{field}`: invalid JSON: {e}"
            ))
        })?;
        map.insert(field.to_owned(), value);
    }
    read(&Obj {
        kind,
        uid,
        map: &map,
    })
}

/// The attribute values stored by [`attribute_values_text`].
pub fn read_attribute_values(
    text: Option<&str>,
    kind: &str,
    uid: &str,
) -> Result<Vec<(Uid, String)>, StoreError> {
    read_field(text, kind, uid, "attributeValues", |o| o.attribute_values())
}

/// The sharing stored by [`sharing_text`].
pub fn read_sharing(text: Option<&str>, kind: &str, uid: &str) -> Result<Sharing, StoreError> {
    read_field(text, kind, uid, "sharing", |o| o.sharing())
}

/// The UIDs stored by [`uids_text`] in the column for `field`.
pub fn read_uids(
    text: Option<&str>,
    kind: &str,
    uid: &str,
    field: &str,
) -> Result<Vec<Uid>, StoreError> {
    read_field(text, kind, uid, field, |o| o.uids(field))
}

/// The stored JSON of an org unit.
fn org_unit_json(o: &OrganisationUnit) -> Value {
    let v = json!({
        "parent": o.parent,
        "openingDate": date_json(o.opening_date),
        "closedDate": date_json(o.closed_date),
    });
    with_identity(&o.id, v)
}

/// The stored JSON of a data element.
fn data_element_json(o: &DataElement) -> Value {
    let v = json!({
        "valueType": o.value_type.name(),
        "aggregationType": o.aggregation_type,
        "domainType": o.domain_type,
        "zeroIsSignificant": o.zero_is_significant,
        "categoryCombo": o.category_combo,
        "optionSet": o.option_set,
        "commentOptionSet": o.comment_option_set,
        "sharing": sharing_json(&o.sharing),
    });
    with_identity(&o.id, v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_columns_round_trip() {
        let a = Uid::parse("atAAAAAAAAA").unwrap();
        let values = vec![(a, "x \"quoted\"".to_owned())];
        let text = attribute_values_text(&values);
        assert_eq!(
            read_attribute_values(text.as_deref(), "k", "u").unwrap(),
            values
        );
        assert_eq!(attribute_values_text(&[]), None);
        assert!(read_attribute_values(None, "k", "u").unwrap().is_empty());

        let sharing = Sharing {
            public: Some("rw------".into()),
            users: vec![(a, "rwrw----".into())],
            user_groups: Vec::new(),
        };
        let text = sharing_text(&sharing);
        assert_eq!(read_sharing(text.as_deref(), "k", "u").unwrap(), sharing);
        assert_eq!(sharing_text(&Sharing::default()), None);

        let uids = vec![a, a];
        let text = uids_text(&uids);
        assert_eq!(
            read_uids(Some(&text), "k", "u", "categoryOptions").unwrap(),
            uids
        );
        let err = read_uids(Some("[7]"), "k", "u", "categoryOptions").unwrap_err();
        assert!(err.to_string().contains("`categoryOptions`"), "{err}");
    }
}
