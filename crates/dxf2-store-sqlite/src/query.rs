//! The value query of exports and deletion scopes ([`ValueQuery`]): its SQL (lists passed as
//! JSON arrays, the two orders of [`ValueOrder`]) and the rows it yields into one reused row.

use dxf2_model::{Period, Uid};
use import_engine::store::{DataValueKey, StoreError, StoredValue, ValueOrder, ValueQuery};
use rusqlite::params_from_iter;
use rusqlite::types::Value;

use crate::columns::{db, integer, read_opt_string, text};
use crate::text::{self, parse_uid, read_timestamp};
use crate::SqliteStore;

impl SqliteStore {
    /// Calls `each` for every row matching `query`, in its order, through one reused row.
    pub(crate) fn query_values(
        &mut self,
        query: &ValueQuery,
        each: &mut dyn FnMut(&StoredValue) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        const TABLE: &str = "datavalue";
        if query.data_elements.is_empty() || query.limit == Some(0) {
            return Ok(());
        }
        let (sql, values) = query_sql(query);
        let mut stmt = self
            .conn
            .prepare_cached(&sql)
            .map_err(db("querying values"))?;
        let mut rows = stmt
            .query(params_from_iter(values.iter()))
            .map_err(db("querying values"))?;
        let mut current: Option<StoredValue> = None;
        while let Some(r) = rows.next().map_err(db("querying values"))? {
            let key = DataValueKey {
                data_element: parse_uid(text(r, 0, TABLE, "dataelement")?, TABLE, "dataelement")?,
                period: self
                    .periods_read
                    .read(text(r, 1, TABLE, "period")?, TABLE)?,
                org_unit: parse_uid(text(r, 2, TABLE, "orgunit")?, TABLE, "orgunit")?,
                category_option_combo: parse_uid(
                    text(r, 3, TABLE, "categoryoptioncombo")?,
                    TABLE,
                    "categoryoptioncombo",
                )?,
                attribute_option_combo: parse_uid(
                    text(r, 4, TABLE, "attributeoptioncombo")?,
                    TABLE,
                    "attributeoptioncombo",
                )?,
            };
            let created = read_timestamp(text(r, 8, TABLE, "created")?, TABLE, "created")?;
            let row = current.get_or_insert_with(|| StoredValue::empty(key, created));
            row.key = key;
            read_opt_string(r, 5, "value", &mut row.value)?;
            read_opt_string(r, 6, "comment", &mut row.comment)?;
            read_opt_string(r, 7, "storedby", &mut row.stored_by)?;
            row.created = created;
            row.last_updated =
                read_timestamp(text(r, 9, TABLE, "lastupdated")?, TABLE, "lastupdated")?;
            row.followup = integer(r, 10, TABLE, "followup")? != 0;
            row.deleted = integer(r, 11, TABLE, "deleted")? != 0;
            each(row)?;
        }
        Ok(())
    }
}

/// The SQL and parameters of a value query (lists are passed as one JSON array each).
pub(crate) fn query_sql(query: &ValueQuery) -> (String, Vec<Value>) {
    let mut sql = String::from(
        "SELECT dataelement, period, orgunit, categoryoptioncombo, attributeoptioncombo, \
         value, comment, storedby, created, lastupdated, followup, deleted \
         FROM datavalue WHERE dataelement IN (SELECT value FROM json_each(?))",
    );
    let mut values = vec![Value::Text(json_array(
        query.data_elements.iter().map(Uid::as_str),
    ))];
    if !query.periods.is_empty() {
        let periods: Vec<String> = query.periods.iter().map(Period::to_string).collect();
        sql.push_str(" AND period IN (SELECT value FROM json_each(?))");
        values.push(Value::Text(json_array(periods.iter().map(String::as_str))));
    }
    if let Some((start, end)) = query.date_range {
        sql.push_str(" AND startdate >= ? AND enddate <= ?");
        values.push(Value::Text(start.to_string()));
        values.push(Value::Text(end.to_string()));
    }
    if let Some(units) = &query.org_units {
        sql.push_str(" AND orgunit IN (SELECT value FROM json_each(?))");
        values.push(Value::Text(json_array(units.iter().map(Uid::as_str))));
    }
    if !query.attribute_option_combos.is_empty() {
        sql.push_str(" AND attributeoptioncombo IN (SELECT value FROM json_each(?))");
        values.push(Value::Text(json_array(
            query.attribute_option_combos.iter().map(Uid::as_str),
        )));
    }
    if !query.include_deleted {
        sql.push_str(" AND deleted = 0");
    }
    if let Some(since) = &query.last_updated_since {
        sql.push_str(" AND lastupdated >= ?");
        values.push(Value::Text(text::timestamp(since)));
    }
    sql.push_str(match query.order {
        ValueOrder::Key => {
            " ORDER BY startdate, periodtype, dataelement, orgunit, categoryoptioncombo, \
             attributeoptioncombo"
        }
        // Timestamps are stored as fixed-width UTC text, which sorts like the instants.
        ValueOrder::Created => {
            " ORDER BY startdate, enddate, created, dataelement, periodtype, orgunit, \
             categoryoptioncombo, attributeoptioncombo"
        }
    });
    if let Some(limit) = query.limit {
        sql.push_str(" LIMIT ?");
        values.push(Value::Integer(i64::try_from(limit).unwrap_or(i64::MAX)));
    }
    (sql, values)
}

/// `items` as a JSON array of strings (for `json_each`).
///
/// An export of a large subtree passes every unit of it: the array is written in one go, without
/// a JSON value per item. (Serialising strings cannot fail; an empty text would fail in SQLite.)
pub(crate) fn json_array<'a>(items: impl Iterator<Item = &'a str>) -> String {
    serde_json::to_string(&items.collect::<Vec<&str>>()).unwrap_or_default()
}
#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::*;

    #[test]
    fn query_sql_names_every_filter() {
        let uid = Uid::parse("deAAAAAAAAA").unwrap();
        let q = ValueQuery {
            data_elements: vec![uid],
            org_units: Some(vec![uid]),
            attribute_option_combos: vec![uid],
            date_range: Some((
                NaiveDate::from_ymd_opt(2020, 1, 1).unwrap(),
                NaiveDate::from_ymd_opt(2020, 12, 31).unwrap(),
            )),
            limit: Some(3),
            ..ValueQuery::default()
        };
        let (sql, values) = query_sql(&q);
        assert!(sql.contains("deleted = 0"));
        assert!(sql.ends_with("LIMIT ?"));
        assert_eq!(values.len(), 6);
        assert_eq!(values[0], Value::Text("[\"deAAAAAAAAA\"]".into()));
    }
}
