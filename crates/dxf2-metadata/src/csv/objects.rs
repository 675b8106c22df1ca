//! The classes of one object a row: `DATA_ELEMENT`, `DATA_ELEMENT_GROUP`, `CATEGORY_OPTION`,
//! `CATEGORY`, `CATEGORY_COMBO`, `CATEGORY_OPTION_GROUP`, `ORGANISATION_UNIT`,
//! `ORGANISATION_UNIT_GROUP`, `VALIDATION_RULE` and `INDICATOR` — each row read as DHIS2's
//! `DefaultCsvImportService` reads it (column numbers below count from 0, as DHIS2's code does).

use dxf2_model::metadata::DEFAULT_CATEGORY_COMBO_UID;
use serde_json::{json, Value};

use super::context::{id_of, put, reference, Ctx};
use super::enums::{
    parse_boolean, period_type_by_name_ignore_case, AGGREGATION_TYPE, DATA_DIMENSION_TYPE,
    FEATURE_TYPE, IMPORTANCE, MISSING_VALUE_STRATEGY, OPERATOR, VALUE_TYPE,
};
use super::geometry::geometry;
use super::records::{limit_length, Row};
use super::{ClassKey, CsvError};
use crate::Object;

/// The object of one row of a one-object-a-row class (`None` for the other classes).
pub(crate) fn object(ctx: &mut Ctx<'_>, row: &Row) -> Result<Option<Object>, CsvError> {
    let object = match ctx.class {
        ClassKey::DataElement => data_element(ctx, row)?,
        ClassKey::DataElementGroup | ClassKey::CategoryOption | ClassKey::OrganisationUnitGroup => {
            named_with_short_name(ctx, row)
        }
        ClassKey::Category => category(ctx, row)?,
        ClassKey::CategoryCombo => category_combo(ctx, row)?,
        ClassKey::CategoryOptionGroup => category_option_group(ctx, row),
        ClassKey::OrganisationUnit => organisation_unit(ctx, row)?,
        ClassKey::ValidationRule => validation_rule(ctx, row)?,
        ClassKey::Indicator => indicator(ctx, row),
        _ => return Ok(None),
    };
    Ok(Some(object))
}

/// `shortName` from `index`, else the name; both cut to 50.
fn short_name(row: &Row, index: usize, name: Option<&str>) -> Option<String> {
    row.get(index, Some(50))
        .or_else(|| name.map(|n| limit_length(n, Some(50))))
}

fn boolean(row: &Row, index: usize) -> Value {
    Value::Bool(row.get(index, None).is_some_and(|v| parse_boolean(&v)))
}

/// 3 shortName (= name; 50).
fn named_with_short_name(ctx: &mut Ctx<'_>, row: &Row) -> Object {
    let (mut o, name) = ctx.identifiable(row);
    put(&mut o, "shortName", short_name(row, 3, name.as_deref()));
    o
}

/// 3 shortName (= name; 50), 4 description, 5 formName (230), 6 domainType (`aggregate`,
/// case-insensitive, else none; 16), 7 valueType (`INTEGER`; 50), 8 aggregationType (`SUM`;
/// 50), 9 categoryCombo uid (the default combo; 11), 10 url (255), 11 zeroIsSignificant,
/// 12 optionSet uid (11), 13 commentOptionSet uid (11).
fn data_element(ctx: &mut Ctx<'_>, row: &Row) -> Result<Object, CsvError> {
    let (mut o, name) = ctx.identifiable(row);
    put(&mut o, "shortName", short_name(row, 3, name.as_deref()));
    put(&mut o, "description", row.get(4, None));
    put(&mut o, "formName", row.get(5, Some(230)));
    let domain = row.get_or(6, "aggregate", Some(16));
    let domain = ["AGGREGATE", "TRACKER"]
        .into_iter()
        .find(|d| d.eq_ignore_ascii_case(&domain));
    put(&mut o, "domainType", domain.map(str::to_owned));
    let value_type = ctx.enum_value(row, 7, "INTEGER", 50, "valueType", &VALUE_TYPE)?;
    o.insert("valueType".to_owned(), Value::String(value_type));
    let aggregation = ctx.enum_value(row, 8, "SUM", 50, "aggregationType", &AGGREGATION_TYPE)?;
    o.insert("aggregationType".to_owned(), Value::String(aggregation));
    let combo = row
        .get(9, Some(11))
        .unwrap_or_else(|| DEFAULT_CATEGORY_COMBO_UID.to_owned());
    o.insert("categoryCombo".to_owned(), reference(&combo));
    put(&mut o, "url", row.get(10, Some(255)));
    o.insert("zeroIsSignificant".to_owned(), boolean(row, 11));
    if let Some(uid) = row.get(12, Some(11)) {
        o.insert("optionSet".to_owned(), reference(&uid));
    }
    if let Some(uid) = row.get(13, Some(11)) {
        o.insert("commentOptionSet".to_owned(), reference(&uid));
    }
    Ok(o)
}

/// 3 description (255), 4 dataDimensionType (`DISAGGREGATION`; 40), 5 dataDimension. No
/// shortName column.
fn category(ctx: &mut Ctx<'_>, row: &Row) -> Result<Object, CsvError> {
    let (mut o, _) = ctx.identifiable(row);
    put(&mut o, "description", row.get(3, Some(255)));
    let dimension_type = ctx.enum_value(
        row,
        4,
        "DISAGGREGATION",
        40,
        "dataDimensionType",
        &DATA_DIMENSION_TYPE,
    )?;
    o.insert(
        "dataDimensionType".to_owned(),
        Value::String(dimension_type),
    );
    o.insert("dataDimension".to_owned(), boolean(row, 5));
    Ok(o)
}

/// 3 dataDimensionType (`DISAGGREGATION`; 40), 4 skipTotal.
fn category_combo(ctx: &mut Ctx<'_>, row: &Row) -> Result<Object, CsvError> {
    let (mut o, _) = ctx.identifiable(row);
    let dimension_type = ctx.enum_value(
        row,
        3,
        "DISAGGREGATION",
        40,
        "dataDimensionType",
        &DATA_DIMENSION_TYPE,
    )?;
    o.insert(
        "dataDimensionType".to_owned(),
        Value::String(dimension_type),
    );
    o.insert("skipTotal".to_owned(), boolean(row, 4));
    Ok(o)
}

/// 3 shortName (= name; 50), 4 dataDimensionType (`disaggregation`, case-insensitive, else none;
/// 50) — column 4 is read since 2.41.
fn category_option_group(ctx: &mut Ctx<'_>, row: &Row) -> Object {
    let mut o = named_with_short_name(ctx, row);
    if ctx.minor >= 41 {
        let value = row.get_or(4, "disaggregation", Some(50));
        let found = ["DISAGGREGATION", "ATTRIBUTE"]
            .into_iter()
            .find(|d| d.eq_ignore_ascii_case(&value));
        put(&mut o, "dataDimensionType", found.map(str::to_owned));
    }
    o
}

/// 3 parent uid (230), 4 shortName (= name; 50; since 2.37), 5 description, 6 openingDate
/// (`1970-01-01`), 7 closedDate, 8 comment, 9 featureType (`NONE`; 50), 10 coordinates, 11 url
/// (255), 12 contactPerson (255), 13 address (255), 14 email (150), 15 phoneNumber (150).
fn organisation_unit(ctx: &mut Ctx<'_>, row: &Row) -> Result<Object, CsvError> {
    let (mut o, name) = ctx.identifiable(row);
    if let Some(parent) = row.get(3, Some(230)) {
        o.insert("parent".to_owned(), reference(&parent));
    }
    if ctx.minor >= 37 {
        put(&mut o, "shortName", short_name(row, 4, name.as_deref()));
    }
    put(&mut o, "description", row.get(5, None));
    put(
        &mut o,
        "openingDate",
        ctx.date(row, 6, Some("1970-01-01"), "openingDate")?,
    );
    put(&mut o, "closedDate", ctx.date(row, 7, None, "closedDate")?);
    put(&mut o, "comment", row.get(8, None));
    let feature_type = ctx.enum_value(row, 9, "NONE", 50, "featureType", &FEATURE_TYPE)?;
    if let (false, Some(coordinates)) = (feature_type == "NONE", row.get(10, None)) {
        let geometry =
            geometry(&feature_type, &coordinates).map_err(|reason| CsvError::InvalidGeometry {
                class: ctx.class,
                line: row.line,
                column: 11,
                feature_type: feature_type.clone(),
                reason,
            })?;
        o.insert("geometry".to_owned(), geometry);
    }
    put(&mut o, "url", row.get(11, Some(255)));
    put(&mut o, "contactPerson", row.get(12, Some(255)));
    put(&mut o, "address", row.get(13, Some(255)));
    put(&mut o, "email", row.get(14, Some(150)));
    put(&mut o, "phoneNumber", row.get(15, Some(150)));
    Ok(o)
}

/// 3 description (255), 4 instruction (255), 5 importance (`MEDIUM`), 6 ignored, 7 operator
/// (`equal_to`), 8 periodType (`Monthly`, case-insensitive, else none), 9–11 left side
/// expression, description (255 each) and missingValueStrategy (`NEVER_SKIP`; 50), 12–14 the
/// right side.
fn validation_rule(ctx: &mut Ctx<'_>, row: &Row) -> Result<Object, CsvError> {
    let (mut o, _) = ctx.identifiable(row);
    put(&mut o, "description", row.get(3, Some(255)));
    put(&mut o, "instruction", row.get(4, Some(255)));
    let importance = ctx.enum_value(row, 5, "MEDIUM", 255, "importance", &IMPORTANCE)?;
    o.insert("importance".to_owned(), Value::String(importance));
    let operator = ctx.enum_value(row, 7, "equal_to", 255, "operator", &OPERATOR)?;
    o.insert("operator".to_owned(), Value::String(operator));
    let period_type = row.get_or(8, "Monthly", Some(255));
    let period_type = period_type_by_name_ignore_case(ctx.minor, &period_type);
    put(&mut o, "periodType", period_type.map(str::to_owned));
    for (key, first) in [("leftSide", 9), ("rightSide", 12)] {
        let mut side = Object::new();
        put(&mut side, "expression", row.get(first, Some(255)));
        put(&mut side, "description", row.get(first + 1, Some(255)));
        let strategy = ctx.enum_value(
            row,
            first + 2,
            "NEVER_SKIP",
            50,
            "missingValueStrategy",
            &MISSING_VALUE_STRATEGY,
        )?;
        side.insert("missingValueStrategy".to_owned(), Value::String(strategy));
        o.insert(key.to_owned(), Value::Object(side));
    }
    Ok(o)
}

/// 3 description (255), 4 shortName (= name; 50), 5 denominator, 6 denominatorDescription
/// (255), 7 numerator, 8 numeratorDescription (255), 9 annualized, 10 decimals (an int, else
/// 0), 11 indicatorType uid (the stored type, else none).
fn indicator(ctx: &mut Ctx<'_>, row: &Row) -> Object {
    let (mut o, name) = ctx.identifiable(row);
    put(&mut o, "description", row.get(3, Some(255)));
    put(&mut o, "shortName", short_name(row, 4, name.as_deref()));
    put(&mut o, "denominator", row.get(5, None));
    put(&mut o, "denominatorDescription", row.get(6, Some(255)));
    put(&mut o, "numerator", row.get(7, None));
    put(&mut o, "numeratorDescription", row.get(8, Some(255)));
    o.insert("annualized".to_owned(), boolean(row, 9));
    // NumberUtils.toInt: Integer.parseInt, 0 when it fails.
    let decimals = row
        .get(10, None)
        .and_then(|d| d.parse::<i32>().ok())
        .unwrap_or(0);
    o.insert("decimals".to_owned(), json!(decimals));
    let stored = row
        .get(11, None)
        .and_then(|uid| ctx.stored_by_uid("indicatorTypes", &uid));
    if let Some(uid) = stored.as_ref().and_then(id_of) {
        o.insert("indicatorType".to_owned(), reference(uid));
    }
    o
}
