//! Reading the payload's objects as DHIS2's Jackson reads them into its classes, for the
//! properties this crate models: scalars coerced (`"12"` for a number, `"true"` for a boolean, a
//! number for text), `""` read as absent, unknown period type names read as absent; and the
//! values Jackson cannot read — an unknown enum constant, an object where text belongs, a
//! reference that is not an object, a bad date — failing the whole import, as they fail DHIS2's.
//! Legacy shapes are brought to DHIS2's current one: `attributeValues` written as a map, a
//! user's `userCredentials`.

use serde_json::{Map, Value};

use crate::document::Object;
use crate::error::Error;
use crate::read::describe;
use crate::schema::{Kind, Property, TypeSchema};

/// Where in the payload, for errors.
pub(crate) struct At<'a> {
    pub collection: &'a str,
    pub index: usize,
}

/// Reads `object` of type `schema` as Jackson would, in place.
pub(crate) fn read_object(
    schema: &TypeSchema,
    object: &mut Object,
    at: &At<'_>,
    minor: u32,
) -> Result<(), Error> {
    if schema.key == "users" {
        lift_user_credentials(object);
    }
    let id = object.get("id").and_then(Value::as_str).map(str::to_owned);
    read_properties(schema.properties, object, "", at, id.as_deref(), minor)?;
    normalize_attribute_values(object, at, id.as_deref())?;
    for field in ["translations"] {
        match object.get(field) {
            None | Some(Value::Null) | Some(Value::Array(_)) => {}
            Some(other) => {
                return Err(Error::value(
                    at.collection,
                    at.index,
                    id.as_deref(),
                    field,
                    format!("expected an array, found {}", describe(other)),
                ))
            }
        }
    }
    match object.get("sharing") {
        None | Some(Value::Null) | Some(Value::Object(_)) => Ok(()),
        Some(other) => Err(Error::value(
            at.collection,
            at.index,
            id.as_deref(),
            "sharing",
            format!("expected an object, found {}", describe(other)),
        )),
    }
}

fn read_properties(
    properties: &[Property],
    object: &mut Object,
    prefix: &str,
    at: &At<'_>,
    id: Option<&str>,
    minor: u32,
) -> Result<(), Error> {
    for p in properties {
        let Some(value) = object.get_mut(p.name) else {
            continue;
        };
        let field = format!("{prefix}{}", p.name);
        let fail = |message: String| Error::value(at.collection, at.index, id, &field, message);
        match read_value(p, value, minor) {
            Ok(Read::Keep) => {}
            Ok(Read::Absent) => {
                object.remove(p.name);
            }
            Ok(Read::Embedded(e)) => {
                if let Some(Value::Object(inner)) = object.get_mut(p.name) {
                    read_properties(e, inner, &format!("{field}."), at, id, minor)?;
                }
            }
            Ok(Read::EmbeddedList(e)) => {
                if let Some(Value::Array(items)) = object.get_mut(p.name) {
                    items.retain(|v| !v.is_null());
                    for (i, item) in items.iter_mut().enumerate() {
                        match item {
                            Value::Object(inner) => {
                                read_properties(e, inner, &format!("{field}[{i}]."), at, id, minor)?
                            }
                            other => {
                                return Err(fail(format!(
                                    "element {i} is {}, not an object",
                                    describe(other)
                                )))
                            }
                        }
                    }
                }
            }
            Err(message) => return Err(fail(message)),
        }
    }
    Ok(())
}

enum Read {
    Keep,
    Absent,
    Embedded(&'static [Property]),
    EmbeddedList(&'static [Property]),
}

fn read_value(p: &Property, value: &mut Value, minor: u32) -> Result<Read, String> {
    if value.is_null() {
        return Ok(Read::Absent);
    }
    match p.kind {
        Kind::Text | Kind::Email | Kind::Url => match value {
            Value::String(s) if s.is_empty() => Ok(Read::Absent),
            Value::String(_) => Ok(Read::Keep),
            Value::Number(n) => {
                *value = Value::String(n.to_string());
                Ok(Read::Keep)
            }
            Value::Bool(b) => {
                *value = Value::String(b.to_string());
                Ok(Read::Keep)
            }
            other => Err(format!("expected text, found {}", describe(other))),
        },
        Kind::Integer => match value {
            Value::Number(n) if n.is_i64() || n.is_u64() => Ok(Read::Keep),
            Value::Number(n) => {
                // Jackson truncates a floating-point number read into an integer.
                let truncated = n.as_f64().map_or(0, |f| f.trunc() as i64);
                *value = Value::from(truncated);
                Ok(Read::Keep)
            }
            Value::String(s) if s.trim().is_empty() => Ok(Read::Absent),
            Value::String(s) => match s.trim().parse::<i64>() {
                Ok(n) => {
                    *value = Value::from(n);
                    Ok(Read::Keep)
                }
                Err(_) => Err(format!("`{s}` is not an integer")),
            },
            Value::Bool(_) | Value::Array(_) | Value::Object(_) => {
                Err(format!("expected an integer, found {}", describe(value)))
            }
            Value::Null => Ok(Read::Absent),
        },
        Kind::Number => match value {
            Value::Number(_) => Ok(Read::Keep),
            Value::String(s) if s.trim().is_empty() => Ok(Read::Absent),
            Value::String(s) => match s.trim().parse::<f64>() {
                Ok(f) if f.is_finite() => {
                    *value = serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number);
                    Ok(Read::Keep)
                }
                _ => Err(format!("`{s}` is not a number")),
            },
            other => Err(format!("expected a number, found {}", describe(other))),
        },
        Kind::Boolean => match value {
            Value::Bool(_) => Ok(Read::Keep),
            Value::String(s) if s.is_empty() => Ok(Read::Absent),
            Value::String(s) if s.eq_ignore_ascii_case("true") || s.eq_ignore_ascii_case("false") => {
                *value = Value::Bool(s.eq_ignore_ascii_case("true"));
                Ok(Read::Keep)
            }
            Value::Number(n) if n.as_i64().is_some() => {
                *value = Value::Bool(n.as_i64() != Some(0));
                Ok(Read::Keep)
            }
            other => Err(format!("expected a boolean, found {}", describe(other))),
        },
        Kind::Date => match value {
            Value::String(s) if s.is_empty() => Ok(Read::Absent),
            Value::String(s) => match dxf2_model::date::parse_json_date(s) {
                Ok(_) => Ok(Read::Keep),
                Err(_) => Err(format!(
                    "Invalid date format '{s}', only ISO format or UNIX Epoch timestamp is supported."
                )),
            },
            Value::Number(n) if n.is_i64() || n.is_u64() => Ok(Read::Keep),
            other => Err(format!("expected a date, found {}", describe(other))),
        },
        Kind::Enum(values) => match value {
            Value::String(s) if s.is_empty() => Ok(Read::Absent),
            Value::String(s) if values.contains(&s.as_str()) && enum_known(s, minor) => {
                Ok(Read::Keep)
            }
            Value::String(s) => Err(format!(
                "Cannot deserialize value of type `{}` from String \"{s}\": not one of the values accepted for Enum class",
                p.java.rsplit('.').next().unwrap_or(p.java)
            )),
            other => Err(format!("expected an enum constant, found {}", describe(other))),
        },
        Kind::PeriodType => {
            let name = match value {
                Value::String(s) => Some(s.clone()),
                Value::Object(o) => o.get("name").and_then(Value::as_str).map(str::to_owned),
                _ => None,
            };
            match name {
                Some(n) if period_type_known(&n, minor) => {
                    *value = Value::String(n);
                    Ok(Read::Keep)
                }
                Some(_) => Ok(Read::Absent),
                None => Err(format!("expected a period type name, found {}", describe(value))),
            }
        }
        Kind::Geometry => match value {
            Value::Object(_) => Ok(Read::Keep),
            other => Err(format!("expected a GeoJSON geometry, found {}", describe(other))),
        },
        Kind::Reference(_) => match value {
            Value::Object(_) => Ok(Read::Keep),
            Value::String(s) if s.is_empty() => Ok(Read::Absent),
            other => Err(format!(
                "a reference must be an object such as {{\"id\": \"…\"}}, found {}",
                describe(other)
            )),
        },
        Kind::References(_) => match value {
            Value::Array(items) => {
                items.retain(|v| !v.is_null());
                match items.iter().find(|v| !v.is_object()) {
                    Some(bad) => Err(format!(
                        "a reference must be an object such as {{\"id\": \"…\"}}, found {}",
                        describe(bad)
                    )),
                    None => Ok(Read::Keep),
                }
            }
            other => Err(format!("expected an array of references, found {}", describe(other))),
        },
        Kind::Embedded(e) => match value {
            Value::Object(_) => Ok(Read::Embedded(e.properties)),
            other => Err(format!("expected an object, found {}", describe(other))),
        },
        Kind::EmbeddedList(e) => match value {
            Value::Array(_) => Ok(Read::EmbeddedList(e.properties)),
            other => Err(format!("expected an array, found {}", describe(other))),
        },
        Kind::Inverse => Ok(Read::Keep),
    }
}

/// Value type constants that a version does not have: `MULTI_TEXT` before 2.39,
/// `TRACKER_ASSOCIATE` from 2.43; aggregation types `*_SUM_ORG_UNIT` before 2.40.
fn enum_known(constant: &str, minor: u32) -> bool {
    match constant {
        "MULTI_TEXT" => minor >= 39,
        "TRACKER_ASSOCIATE" => minor <= 42,
        "MIN_SUM_ORG_UNIT" | "MAX_SUM_ORG_UNIT" => minor >= 40,
        _ => true,
    }
}

/// `PeriodType.PERIOD_TYPES` of a version (names are case-sensitive).
fn period_type_known(name: &str, minor: u32) -> bool {
    const ALWAYS: [&str; 19] = [
        "Daily",
        "Weekly",
        "WeeklyWednesday",
        "WeeklyThursday",
        "WeeklySaturday",
        "WeeklySunday",
        "BiWeekly",
        "Monthly",
        "BiMonthly",
        "Quarterly",
        "QuarterlyNov",
        "SixMonthly",
        "SixMonthlyApril",
        "SixMonthlyNov",
        "Yearly",
        "FinancialApril",
        "FinancialJuly",
        "FinancialOct",
        "FinancialNov",
    ];
    if ALWAYS.contains(&name) {
        return true;
    }
    match name {
        "FinancialSep" => minor >= 42,
        "WeeklyFriday" | "FinancialFeb" | "FinancialAug" => minor >= 43,
        _ => false,
    }
}

/// `attributeValues` as DHIS2 writes them: `[{"attribute": {"id": uid}, "value": text}]`. The map
/// form `{"<uid>": {"value": …}}` is accepted on input, as DHIS2 accepts it.
fn normalize_attribute_values(
    object: &mut Object,
    at: &At<'_>,
    id: Option<&str>,
) -> Result<(), Error> {
    let Some(values) = object.get_mut("attributeValues") else {
        return Ok(());
    };
    match values {
        Value::Null => {
            object.remove("attributeValues");
        }
        Value::Array(items) => {
            items.retain(|v| !v.is_null());
            if let Some(bad) = items.iter().find(|v| !v.is_object()) {
                return Err(Error::value(
                    at.collection,
                    at.index,
                    id,
                    "attributeValues",
                    format!(
                        "an attribute value must be an object, found {}",
                        describe(bad)
                    ),
                ));
            }
        }
        Value::Object(map) => {
            let mut list = Vec::new();
            for (uid, v) in std::mem::take(map) {
                let value = match v {
                    Value::Object(mut o) => o.remove("value").unwrap_or(Value::Null),
                    other => other,
                };
                let mut entry = Map::new();
                entry.insert("attribute".into(), serde_json::json!({ "id": uid }));
                entry.insert("value".into(), value);
                list.push(Value::Object(entry));
            }
            *values = Value::Array(list);
        }
        other => {
            return Err(Error::value(
                at.collection,
                at.index,
                id,
                "attributeValues",
                format!("expected an array, found {}", describe(other)),
            ))
        }
    }
    Ok(())
}

/// Before 2.38 a user's credentials sat in `userCredentials`; DHIS2 still reads that object
/// onto the user. Fields the user itself lacks are taken from it.
fn lift_user_credentials(object: &mut Object) {
    let Some(Value::Object(credentials)) = object.get("userCredentials").cloned() else {
        return;
    };
    for field in [
        "username",
        "userRoles",
        "catDimensionConstraints",
        "cogsDimensionConstraints",
        "disabled",
        "externalAuth",
        "openId",
        "ldapId",
        "accountExpiry",
    ] {
        if !object.contains_key(field) {
            if let Some(v) = credentials.get(field) {
                object.insert(field.to_owned(), v.clone());
            }
        }
    }
}

/// The attribute values of an object as `(attribute UID, value text)`.
pub(crate) fn attribute_values(object: &Object) -> Vec<(String, Option<String>)> {
    let Some(Value::Array(items)) = object.get("attributeValues") else {
        return Vec::new();
    };
    items
        .iter()
        .filter_map(|item| {
            let attribute = item.get("attribute")?.get("id")?.as_str()?.to_owned();
            let value = match item.get("value") {
                Some(Value::String(s)) => Some(s.clone()),
                Some(Value::Null) | None => None,
                Some(other) => Some(other.to_string()),
            };
            Some((attribute, value))
        })
        .collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::schema;
    use serde_json::json;

    fn read(key: &str, v: Value) -> Result<Object, Error> {
        let mut o = v.as_object().cloned().unwrap();
        let at = At {
            collection: key,
            index: 0,
        };
        read_object(schema::by_key(key).unwrap(), &mut o, &at, 42)?;
        Ok(o)
    }

    #[test]
    fn coerces_like_jackson() {
        let o = read(
            "dataElements",
            json!({"name": "", "code": 12, "zeroIsSignificant": "true", "valueType": "TEXT",
                   "categoryCombo": null}),
        )
        .unwrap();
        assert!(!o.contains_key("name"));
        assert_eq!(o["code"], "12");
        assert_eq!(o["zeroIsSignificant"], true);
        assert!(!o.contains_key("categoryCombo"));
    }

    #[test]
    fn refuses_what_jackson_refuses() {
        let e = read("dataElements", json!({"valueType": "NUMBERX"})).unwrap_err();
        assert!(e.to_string().contains("valueType"), "{e}");
        let e = read("dataElements", json!({"categoryCombo": "bjDvmb4bfuf"})).unwrap_err();
        assert!(e.to_string().contains("reference must be an object"), "{e}");
        let e = read("organisationUnits", json!({"openingDate": "yesterday"})).unwrap_err();
        assert!(
            e.to_string().contains("Invalid date format 'yesterday'"),
            "{e}"
        );
        let e = read("dataSets", json!({"dataSetElements": [1]})).unwrap_err();
        assert!(e.to_string().contains("dataSetElements"), "{e}");
    }

    #[test]
    fn unknown_period_types_read_as_absent_and_versions_matter() {
        let o = read("dataSets", json!({"periodType": "TwoYearly"})).unwrap();
        assert!(!o.contains_key("periodType"));
        let o = read("dataSets", json!({"periodType": "FinancialSep"})).unwrap();
        assert_eq!(o["periodType"], "FinancialSep");
        assert!(!period_type_known("WeeklyFriday", 42));
        assert!(period_type_known("WeeklyFriday", 43));
    }

    #[test]
    fn attribute_value_maps_become_lists() {
        let o = read(
            "dataElements",
            json!({"attributeValues": {"PtyV6lLcmol": {"value": "true"}}}),
        )
        .unwrap();
        assert_eq!(
            o["attributeValues"],
            json!([{"attribute": {"id": "PtyV6lLcmol"}, "value": "true"}])
        );
        assert_eq!(
            attribute_values(&o),
            vec![("PtyV6lLcmol".to_owned(), Some("true".to_owned()))]
        );
    }
}
