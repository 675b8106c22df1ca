//! The checks of attribute values and translations: mandatory attributes (`E4011`), unique
//! attributes (`E4009`), attributes assigned to the type and values of their value type
//! (`E6012`, `E6006`–`E6021`), GeoJSON values (`E6004`/`E6005`), translations (`E4000`,
//! `E1106`).
//!
//! An attribute applies to a type when its flag (`dataElementAttribute`) is `true` or its
//! `objectTypes` names the type (`DATA_ELEMENT`). Attributes come from the target and from the
//! payload (the payload's version wins).

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap, HashSet};

use serde_json::Value;

use super::bundle::{text, Bundle};
use super::jackson::attribute_values;
use super::report::{ErrorReport, ObjectReport};
use super::validate::Ctx;
use crate::catalogue::Catalogue;
use crate::document::Object;
use crate::error::Error;
use crate::schema::TypeSchema;

const ATTRIBUTE: &str = "org.hisp.dhis.attribute.Attribute";
const ATTRIBUTE_VALUES: &str = "org.hisp.dhis.attribute.AttributeValues";
const TRANSLATION: &str = "org.hisp.dhis.translation.Translation";

/// Every attribute known to the import, by UID (lent by the catalogue and the bundle).
fn known<'b, C: Catalogue + ?Sized>(
    b: &'b Bundle<'_, C>,
) -> Result<BTreeMap<String, Cow<'b, Object>>, Error> {
    let mut all = BTreeMap::new();
    for o in b.cat.objects("attributes")? {
        let o = o?;
        if let Some(uid) = text(&o, "id") {
            all.insert(uid.to_owned(), o);
        }
    }
    if let Some(t) = b.type_pos("attributes") {
        if let Some(tb) = b.types.get(t) {
            for item in &tb.items {
                all.insert(item.uid.clone(), Cow::Borrowed(&item.object));
            }
        }
    }
    Ok(all)
}

/// `DataElement` → `DATA_ELEMENT`.
fn object_type(simple: &str) -> String {
    let mut out = String::new();
    for (i, c) in simple.chars().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            out.push('_');
        }
        out.push(c.to_ascii_uppercase());
    }
    out
}

fn applies(attribute: &Object, schema: &TypeSchema) -> bool {
    let Some(flag) = schema.attribute_flag else {
        return false;
    };
    if attribute.get(flag).and_then(Value::as_bool) == Some(true) {
        return true;
    }
    let wanted = object_type(schema.simple_name());
    match attribute.get("objectTypes") {
        Some(Value::Array(types)) => types.iter().any(|t| t.as_str() == Some(wanted.as_str())),
        _ => false,
    }
}

fn flag(attribute: &Object, name: &str) -> bool {
    attribute.get(name).and_then(Value::as_bool) == Some(true)
}

/// `E4011`: one report (and one ignored) per mandatory attribute without a value.
pub(crate) fn mandatory<C: Catalogue + ?Sized>(
    b: &Bundle<'_, C>,
    t: usize,
    selected: &[usize],
    ctx: &mut Ctx,
) -> Result<(), Error> {
    let Some(tb) = b.types.get(t) else {
        return Ok(());
    };
    if tb.schema.attribute_flag.is_none() || selected.is_empty() {
        return Ok(());
    }
    let required: Vec<String> = known(b)?
        .into_iter()
        .filter(|(_, a)| flag(a, "mandatory") && applies(a, tb.schema))
        .map(|(uid, _)| uid)
        .collect();
    if required.is_empty() {
        return Ok(());
    }
    for &i in selected {
        let Some(item) = tb.items.get(i) else {
            continue;
        };
        let values: HashMap<String, Option<String>> =
            attribute_values(&item.object).into_iter().collect();
        for uid in &required {
            let defined = values
                .get(uid)
                .is_some_and(|v| v.as_deref().is_some_and(|v| !v.is_empty()));
            if !defined {
                let e = ErrorReport::new(ATTRIBUTE, "E4011", &[uid.as_str().into()], b.minor())
                    .main_id(Some(uid))
                    .error_property("value");
                ctx.reject(b, t, i, vec![e]);
            }
        }
    }
    Ok(())
}

/// `E4009`: a unique attribute's value already held by another object of the type (stored, or
/// earlier in the payload).
pub(crate) fn unique<C: Catalogue + ?Sized>(
    b: &Bundle<'_, C>,
    t: usize,
    selected: &[usize],
    ctx: &mut Ctx,
) -> Result<(), Error> {
    let Some(tb) = b.types.get(t) else {
        return Ok(());
    };
    if selected.is_empty() {
        return Ok(());
    }
    let attributes = known(b)?;
    let unique: HashSet<&String> = attributes
        .iter()
        .filter(|(_, a)| flag(a, "unique"))
        .map(|(uid, _)| uid)
        .collect();
    if unique.is_empty() {
        return Ok(());
    }
    // attribute → value → holder UID, seeded from the stored objects of the type.
    let mut holders: HashMap<String, HashMap<String, String>> = HashMap::new();
    for o in b.cat.objects(tb.schema.key)? {
        let o = o?;
        let Some(uid) = text(&o, "id") else { continue };
        for (attribute, value) in attribute_values(&o) {
            if let (true, Some(v)) = (unique.contains(&attribute), value) {
                holders
                    .entry(attribute)
                    .or_default()
                    .entry(v)
                    .or_insert_with(|| uid.to_owned());
            }
        }
    }
    for &i in selected {
        let Some(item) = tb.items.get(i) else {
            continue;
        };
        let mut errors = Vec::new();
        for (attribute, value) in attribute_values(&item.object) {
            let Some(value) = value.filter(|v| !v.is_empty()) else {
                continue;
            };
            let Some(a) = attributes.get(&attribute) else {
                continue;
            };
            if !flag(a, "unique") {
                continue;
            }
            let values = holders.entry(attribute.clone()).or_default();
            match values.get(&value) {
                Some(holder) if *holder != item.uid => {
                    let name = super::bundle::display_name(a).unwrap_or_else(|| attribute.clone());
                    errors.push(
                        ErrorReport::new(
                            ATTRIBUTE,
                            "E4009",
                            &[name.into(), value.as_str().into()],
                            b.minor(),
                        )
                        .main_id(Some(&attribute))
                        .error_property("value"),
                    );
                }
                Some(_) => {}
                None => {
                    values.insert(value, item.uid.clone());
                }
            }
        }
        if !errors.is_empty() {
            ctx.reject(b, t, i, errors);
        }
    }
    Ok(())
}

/// `E6012` (the attribute is not assigned to the type) and the value type checks.
pub(crate) fn assigned_and_valid<C: Catalogue + ?Sized>(
    b: &Bundle<'_, C>,
    t: usize,
    selected: &[usize],
    ctx: &mut Ctx,
) -> Result<(), Error> {
    let Some(tb) = b.types.get(t) else {
        return Ok(());
    };
    if tb.schema.attribute_flag.is_none() || selected.is_empty() {
        return Ok(());
    }
    let attributes: BTreeMap<String, Cow<'_, Object>> = known(b)?
        .into_iter()
        .filter(|(_, a)| applies(a, tb.schema))
        .collect();
    for &i in selected {
        let Some(item) = tb.items.get(i) else {
            continue;
        };
        let mut errors = Vec::new();
        for (attribute, value) in attribute_values(&item.object) {
            let Some(a) = attributes.get(&attribute) else {
                errors.push(ErrorReport::new(
                    ATTRIBUTE,
                    "E6012",
                    &[attribute.as_str().into(), tb.schema.simple_name().into()],
                    b.minor(),
                ));
                continue;
            };
            let Some(value) = value.filter(|v| !v.is_empty()) else {
                continue;
            };
            if let Some(e) = check_value(b, text(a, "valueType").unwrap_or("TEXT"), &value)? {
                errors.push(e);
            }
        }
        if !errors.is_empty() {
            ctx.reject(b, t, i, errors);
        }
    }
    Ok(())
}

fn check_value<C: Catalogue + ?Sized>(
    b: &Bundle<'_, C>,
    value_type: &str,
    value: &str,
) -> Result<Option<ErrorReport>, Error> {
    let code = match value_type {
        "INTEGER" => "E6006",
        "INTEGER_POSITIVE" => "E6007",
        "INTEGER_NEGATIVE" => "E6013",
        "NUMBER" => "E6008",
        "INTEGER_ZERO_OR_POSITIVE" => "E6009",
        "PERCENTAGE" => "E6010",
        "UNIT_INTERVAL" => "E6011",
        "PHONE_NUMBER" => "E6021",
        "DATE" => "E6014",
        "DATETIME" => "E6015",
        "BOOLEAN" => "E6016",
        "TRUE_ONLY" => "E6017",
        "EMAIL" => "E6018",
        "ORGANISATION_UNIT" => {
            let found = b.resolve_uid("organisationUnits", value)?.is_some();
            return Ok((!found).then(|| {
                ErrorReport::new(
                    ATTRIBUTE_VALUES,
                    "E6019",
                    &[value.into(), "OrganisationUnit".into()],
                    b.minor(),
                )
            }));
        }
        _ => return Ok(None),
    };
    let valid = match dxf2_model::ValueType::from_name(value_type) {
        Some(vt) => vt.validate(Some(value), true).is_ok(),
        None => true,
    };
    Ok((!valid).then(|| ErrorReport::new(ATTRIBUTE_VALUES, code, &[value.into()], b.minor())))
}

/// `E6004`/`E6005`: values of GEOJSON attributes.
pub(crate) fn geo_json<C: Catalogue + ?Sized>(
    b: &Bundle<'_, C>,
    t: usize,
    selected: &[usize],
    ctx: &mut Ctx,
) -> Result<(), Error> {
    let Some(tb) = b.types.get(t) else {
        return Ok(());
    };
    if selected.is_empty() {
        return Ok(());
    }
    let geo: HashSet<String> = known(b)?
        .into_iter()
        .filter(|(_, a)| text(a, "valueType") == Some("GEOJSON") && applies(a, tb.schema))
        .map(|(uid, _)| uid)
        .collect();
    if geo.is_empty() {
        return Ok(());
    }
    for &i in selected {
        let Some(item) = tb.items.get(i) else {
            continue;
        };
        let mut errors = Vec::new();
        for (attribute, value) in attribute_values(&item.object) {
            if !geo.contains(&attribute) {
                continue;
            }
            let value = value.unwrap_or_default();
            if let Some((code, arg)) = geo_json_error(&attribute, &value) {
                errors.push(
                    ErrorReport::new(ATTRIBUTE, code, &[arg.as_str().into()], b.minor())
                        .main_id(Some(&arg))
                        .error_property("value"),
                );
            }
        }
        if !errors.is_empty() {
            ctx.reject(b, t, i, errors);
        }
    }
    Ok(())
}

/// DHIS2's GeoJSON value check: unsupported types and unparsable values name the value; a
/// geometry without coordinates names the attribute.
fn geo_json_error(attribute: &str, value: &str) -> Option<(&'static str, String)> {
    let Ok(Value::Object(g)) = serde_json::from_str::<Value>(value) else {
        return Some(("E6004", value.to_owned()));
    };
    let kind = g.get("type").and_then(Value::as_str).unwrap_or_default();
    match kind {
        "Feature" | "FeatureCollection" | "GeometryCollection" => Some(("E6005", value.to_owned())),
        "Point" | "MultiPoint" | "LineString" | "MultiLineString" | "Polygon" | "MultiPolygon" => {
            let empty = match g.get("coordinates") {
                Some(Value::Array(a)) => a.is_empty(),
                _ => true,
            };
            empty.then(|| ("E6004", attribute.to_owned()))
        }
        _ => Some(("E6005", value.to_owned())),
    }
}

/// `E4000` (a translation without `locale`, `property` or `value`) and `E1106` (two translations
/// of one property and locale). DHIS2 reports these at the object's position among the checked
/// objects, without its UID.
pub(crate) fn translations<C: ?Sized>(
    b: &Bundle<'_, C>,
    t: usize,
    selected: &[usize],
    ctx: &mut Ctx,
) {
    let Some(tb) = b.types.get(t) else { return };
    let klass = tb.schema.klass;
    for (position, &i) in selected.iter().enumerate() {
        let Some(item) = tb.items.get(i) else {
            continue;
        };
        let Some(Value::Array(list)) = item.object.get("translations") else {
            continue;
        };
        let mut report = ObjectReport::new(klass, position, None, None);
        let mut seen = HashSet::new();
        for tr in list {
            let field = |f: &str| tr.get(f).and_then(Value::as_str).filter(|s| !s.is_empty());
            let (locale, property, value) = (field("locale"), field("property"), field("value"));
            let missing = if locale.is_none() {
                Some("locale")
            } else if property.is_none() {
                Some("property")
            } else if value.is_none() {
                Some("value")
            } else {
                None
            };
            if let Some(m) = missing {
                report.add(
                    ErrorReport::new(TRANSLATION, "E4000", &[m.into()], b.minor())
                        .error_klass(Some(klass)),
                );
                continue;
            }
            let (Some(locale), Some(property)) = (locale, property) else {
                continue;
            };
            if !seen.insert(format!("{property}_{locale}")) {
                report.add(
                    ErrorReport::new(
                        TRANSLATION,
                        "E1106",
                        &[
                            property.into(),
                            locale.into(),
                            tb.schema.simple_name().into(),
                            item.uid.as_str().into(),
                        ],
                        b.minor(),
                    )
                    .error_klass(Some(klass)),
                );
            }
        }
        if !report.error_reports.is_empty() {
            ctx.report.add_object_report(report);
            ctx.report.stats.ignored += 1;
            ctx.marked.push(item.triple());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn object_types_and_geo_json() {
        assert_eq!(object_type("OrganisationUnit"), "ORGANISATION_UNIT");
        assert_eq!(
            geo_json_error("a", r#"{"type":"Polygon"}"#),
            Some(("E6004", "a".into()))
        );
        assert_eq!(
            geo_json_error("a", r#"{"type":"Feature"}"#).map(|e| e.0),
            Some("E6005")
        );
        assert_eq!(
            geo_json_error("a", r#"{"type":"Point","coordinates":[1,2]}"#),
            None
        );
        assert_eq!(geo_json_error("a", "nonsense").map(|e| e.0), Some("E6004"));
    }
}
