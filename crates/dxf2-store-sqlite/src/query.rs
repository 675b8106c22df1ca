//! The value query of exports, deletion scopes and sync ([`ValueQuery`]): UIDs and periods
//! turned into ids (lists passed as JSON arrays of integers), the two orders of [`ValueOrder`]
//! (by the UIDs' text, through the id tables), and the rows it yields into one reused row.

use std::fmt::Write as _;

use dxf2_model::{Period, Uid};
use dxf2_store::{StoreError, StoredValue, ValueOrder, ValueQuery};
use rusqlite::params_from_iter;
use rusqlite::types::Value;

use crate::columns::{db, integer};
use crate::ids::{IdKey, Ids, Keys};
use crate::text::millis;
use crate::values::read_value_columns;
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
        self.sync_for_read()?;
        // The rows waiting on the bulk path are part of what the query sees.
        self.flush_bulk()?;
        let Some((sql, values)) = query_sql(query, &self.keys) else {
            // A list of the query names nothing the store has ever held.
            return Ok(());
        };
        let mut stmt = self
            .conn
            .prepare_cached(&sql)
            .map_err(db("querying values"))?;
        let mut rows = stmt
            .query(params_from_iter(values.iter()))
            .map_err(db("querying values"))?;
        let mut current: Option<StoredValue> = None;
        while let Some(r) = rows.next().map_err(db("querying values"))? {
            let int_key = [
                integer(r, 0, TABLE, "periodid")?,
                integer(r, 1, TABLE, "sourceid")?,
                integer(r, 2, TABLE, "dataelementid")?,
                integer(r, 3, TABLE, "categoryoptioncomboid")?,
                integer(r, 4, TABLE, "attributeoptioncomboid")?,
            ];
            let key = self.keys.key_of(&self.conn, int_key)?;
            let row = match &mut current {
                Some(row) => row,
                None => current.insert(StoredValue::empty(key, chrono::DateTime::UNIX_EPOCH)),
            };
            row.key = key;
            read_value_columns(r, 5, row)?;
            each(row)?;
        }
        Ok(())
    }
}

/// The ids of the keys of `items` that have one, as a JSON array; `None` when none has.
fn id_array<'a, K: IdKey + 'a>(ids: &Ids<K>, items: impl Iterator<Item = &'a K>) -> Option<String> {
    let mut out = String::from("[");
    for id in items.filter_map(|k| ids.get(k)) {
        if out.len() > 1 {
            out.push(',');
        }
        let _ = write!(out, "{id}");
    }
    out.push(']');
    (out.len() > 2).then_some(out)
}

/// The SQL and parameters of a value query; `None` when it can match no row (a list of the
/// query names only keys the store has never held).
pub(crate) fn query_sql(query: &ValueQuery, keys: &Keys) -> Option<(String, Vec<Value>)> {
    let mut sql = String::from(
        "SELECT dv.periodid, dv.sourceid, dv.dataelementid, dv.categoryoptioncomboid, \
         dv.attributeoptioncomboid, dv.value, dv.comment, dv.storedby, dv.created, \
         dv.lastupdated, dv.followup, dv.deleted FROM datavalue dv \
         JOIN period p ON p.periodid = dv.periodid \
         JOIN dataelement de ON de.dataelementid = dv.dataelementid \
         JOIN organisationunit ou ON ou.organisationunitid = dv.sourceid \
         JOIN categoryoptioncombo coc ON coc.categoryoptioncomboid = dv.categoryoptioncomboid \
         JOIN categoryoptioncombo aoc ON aoc.categoryoptioncomboid = dv.attributeoptioncomboid \
         WHERE dv.dataelementid IN (SELECT value FROM json_each(?))",
    );
    let mut values = vec![Value::Text(id_array::<Uid>(
        &keys.data_elements,
        query.data_elements.iter(),
    )?)];
    if !query.periods.is_empty() {
        sql.push_str(" AND dv.periodid IN (SELECT value FROM json_each(?))");
        values.push(Value::Text(id_array::<Period>(
            &keys.periods,
            query.periods.iter(),
        )?));
    }
    if let Some((start, end)) = query.date_range {
        sql.push_str(
            " AND dv.periodid IN (SELECT periodid FROM period WHERE startdate >= ? AND enddate <= ?)",
        );
        values.push(Value::Text(start.to_string()));
        values.push(Value::Text(end.to_string()));
    }
    if let Some(units) = &query.org_units {
        sql.push_str(" AND dv.sourceid IN (SELECT value FROM json_each(?))");
        values.push(Value::Text(id_array::<Uid>(&keys.org_units, units.iter())?));
    }
    if !query.attribute_option_combos.is_empty() {
        sql.push_str(" AND dv.attributeoptioncomboid IN (SELECT value FROM json_each(?))");
        values.push(Value::Text(id_array::<Uid>(
            &keys.option_combos,
            query.attribute_option_combos.iter(),
        )?));
    }
    if !query.include_deleted {
        sql.push_str(" AND dv.deleted = 0");
    }
    if let Some(since) = &query.last_updated_since {
        sql.push_str(" AND dv.lastupdated >= ?");
        values.push(Value::Integer(millis(since)));
    }
    if let Some(since) = query.changed_since {
        sql.push_str(" AND dv.change > ?");
        values.push(Value::Integer(i64::try_from(since).unwrap_or(i64::MAX)));
    }
    sql.push_str(match query.order {
        ValueOrder::Key => " ORDER BY p.startdate, p.periodtype, de.uid, ou.uid, coc.uid, aoc.uid",
        ValueOrder::Created => {
            " ORDER BY p.startdate, p.enddate, dv.created, de.uid, p.periodtype, ou.uid, \
             coc.uid, aoc.uid"
        }
    });
    if let Some(limit) = query.limit {
        sql.push_str(" LIMIT ?");
        values.push(Value::Integer(i64::try_from(limit).unwrap_or(i64::MAX)));
    }
    Some((sql, values))
}
