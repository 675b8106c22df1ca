//! The export query ([`query`](dxf2_store::DataValueStore::query)): one `SELECT` built from the
//! [`ValueQuery`]'s filters, run through a server-side cursor (`DECLARE … CURSOR`, `FETCH` a
//! chunk at a time), so that no more than a chunk of rows is ever held. Outside a write
//! transaction it runs in a read-only, repeatable-read transaction of its own: one consistent
//! snapshot, however long the export.

use std::fmt::Write as _;

use chrono::{DateTime, NaiveDate, NaiveDateTime};
use dxf2_model::{Period, Uid};
use dxf2_store::{DataValueKey, StoreError, StoredValue, ValueOrder, ValueQuery};
use postgres::types::ToSql;
use postgres::Row;
use rustc_hash::FxHashMap;

use crate::columns::{backend, get, millis, pg, set_text, utc};
use crate::open::period_of;
use crate::PostgresStore;

/// Rows fetched per round trip.
const CHUNK: usize = 2_000;

const TABLE: &str = "datavalue";

/// The cursor's name (one query at a time per connection).
const CURSOR: &str = "dxf2_values";

/// The `SELECT` of a query: its text and parameters.
struct Select {
    sql: String,
    params: Vec<Box<dyn ToSql + Sync>>,
}

impl Select {
    /// Adds a parameter; returns its placeholder (`$n`).
    fn param(&mut self, value: impl ToSql + Sync + 'static) -> String {
        self.params.push(Box::new(value));
        format!("${}", self.params.len())
    }
}

/// The `SELECT` answering `query` (which names some data elements and no limit of 0).
fn select(query: &ValueQuery) -> Select {
    let mut s = Select {
        sql: String::new(),
        params: Vec::new(),
    };
    let texts =
        |uids: &[Uid]| -> Vec<String> { uids.iter().map(|u| u.as_str().to_owned()).collect() };
    let data_elements = s.param(texts(&query.data_elements));
    let mut sql = format!(
        "SELECT de.uid, p.periodtype, p.startdate, ou.uid, coc.uid, aoc.uid, d.value, d.comment, \
           d.storedby, d.created, d.lastupdated, d.followup, d.deleted, d.periodid \
         FROM datavalue d \
         JOIN dataelement de ON de.id = d.dataelementid \
         JOIN period p ON p.id = d.periodid \
         JOIN organisationunit ou ON ou.id = d.sourceid \
         JOIN categoryoptioncombo coc ON coc.id = d.categoryoptioncomboid \
         JOIN categoryoptioncombo aoc ON aoc.id = d.attributeoptioncomboid \
         WHERE de.uid = ANY({data_elements}::text[])"
    );
    if !query.periods.is_empty() {
        let types: Vec<&'static str> = query
            .periods
            .iter()
            .map(|p| p.period_type().name())
            .collect();
        let starts: Vec<NaiveDate> = query.periods.iter().map(Period::start_date).collect();
        let (types, starts) = (s.param(types), s.param(starts));
        let _ = write!(
            sql,
            " AND (p.periodtype, p.startdate) IN \
               (SELECT * FROM unnest({types}::text[], {starts}::date[]))"
        );
    }
    if let Some((start, end)) = query.date_range {
        let (start, end) = (s.param(start), s.param(end));
        let _ = write!(sql, " AND p.startdate >= {start} AND p.enddate <= {end}");
    }
    if let Some(units) = &query.org_units {
        let units = s.param(texts(units));
        let _ = write!(sql, " AND ou.uid = ANY({units}::text[])");
    }
    if !query.attribute_option_combos.is_empty() {
        let aocs = s.param(texts(&query.attribute_option_combos));
        let _ = write!(sql, " AND aoc.uid = ANY({aocs}::text[])");
    }
    if !query.include_deleted {
        sql.push_str(" AND NOT d.deleted");
    }
    if let Some(since) = query.changed_since {
        let since = s.param(i64::try_from(since).unwrap_or(i64::MAX));
        let _ = write!(sql, " AND d.change > {since}");
    }
    if let Some(since) = query.last_updated_since {
        // Stored to the millisecond: compare at that precision.
        let since: NaiveDateTime = millis(&since);
        let since = s.param(since);
        let _ = write!(sql, " AND d.lastupdated >= {since}");
    }
    sql.push_str(match query.order {
        ValueOrder::Key => " ORDER BY p.startdate, p.periodtype, de.uid, ou.uid, coc.uid, aoc.uid",
        ValueOrder::Created => {
            " ORDER BY p.startdate, p.enddate, d.created, de.uid, p.periodtype, ou.uid, coc.uid, \
             aoc.uid"
        }
    });
    if let Some(limit) = query.limit {
        let limit = s.param(i64::try_from(limit).unwrap_or(i64::MAX));
        let _ = write!(sql, " LIMIT {limit}");
    }
    s.sql = sql;
    s
}

impl PostgresStore {
    /// `query`.
    pub(crate) fn query_values(
        &mut self,
        query: &ValueQuery,
        each: &mut dyn FnMut(&StoredValue) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        if query.data_elements.is_empty() || query.limit == Some(0) {
            return Ok(());
        }
        let select = select(query);
        match &self.txn {
            Some(txn) if txn.failed => Err(StoreError::Misuse(
                "query: a statement of this transaction failed: roll it back",
            )),
            Some(_) => {
                // Inside an import, whose transaction has sequential scans off: an export
                // query may well want one.
                self.client
                    .batch_execute("SET LOCAL enable_seqscan = on")
                    .map_err(pg("querying values"))?;
                self.declare(&select)?;
                self.client
                    .batch_execute("SET LOCAL enable_seqscan = off")
                    .map_err(pg("querying values"))?;
                let result = self.fetch_all(each);
                let closed = self.client.batch_execute(&format!("CLOSE {CURSOR}"));
                result?;
                closed.map_err(pg("querying values"))
            }
            None => {
                self.client
                    .batch_execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
                    .map_err(pg("querying values"))?;
                let result = self.declare(&select).and_then(|()| self.fetch_all(each));
                // A read-only transaction: ending it either way loses nothing.
                let ended = self.client.batch_execute("ROLLBACK");
                result?;
                ended.map_err(pg("querying values"))
            }
        }
    }

    /// Opens the cursor of `select`.
    fn declare(&mut self, select: &Select) -> Result<(), StoreError> {
        let sql = format!("DECLARE {CURSOR} NO SCROLL CURSOR FOR {}", select.sql);
        let params: Vec<&(dyn ToSql + Sync)> = select
            .params
            .iter()
            .map(|p| p.as_ref() as &(dyn ToSql + Sync))
            .collect();
        self.client
            .execute(&sql, &params)
            .map_err(|e| backend("querying values", e))?;
        Ok(())
    }

    /// Fetches the cursor's rows a chunk at a time, calling `each` for every row.
    fn fetch_all(
        &mut self,
        each: &mut dyn FnMut(&StoredValue) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        let fetch = self
            .client
            .prepare(&format!("FETCH FORWARD {CHUNK} FROM {CURSOR}"))
            .map_err(pg("querying values"))?;
        let mut periods: FxHashMap<i32, Period> = FxHashMap::default();
        let mut row: Option<StoredValue> = None;
        loop {
            let rows = self
                .client
                .query(&fetch, &[])
                .map_err(pg("querying values"))?;
            for r in &rows {
                let value = read_row(r, &mut periods, &mut row)?;
                each(value)?;
            }
            if rows.len() < CHUNK {
                return Ok(());
            }
        }
    }
}

/// A UID column.
fn uid(r: &Row, idx: usize, table: &str) -> Result<Uid, StoreError> {
    let text: &str = get(r, idx, table, "uid")?;
    Uid::parse(text)
        .map_err(|_| StoreError::Incompatible(format!("{table}: `{text}` is not a UID")))
}

/// Reads a row of the query into `buffer` (reusing its text buffers).
fn read_row<'b>(
    r: &Row,
    periods: &mut FxHashMap<i32, Period>,
    buffer: &'b mut Option<StoredValue>,
) -> Result<&'b StoredValue, StoreError> {
    let period_id: i32 = get(r, 13, TABLE, "periodid")?;
    let period = match periods.get(&period_id) {
        Some(p) => *p,
        None => {
            let type_name: &str = get(r, 1, "period", "periodtype")?;
            let p = period_of(type_name, get(r, 2, "period", "startdate")?)?;
            periods.insert(period_id, p);
            p
        }
    };
    let key = DataValueKey {
        data_element: uid(r, 0, "dataelement")?,
        period,
        org_unit: uid(r, 3, "organisationunit")?,
        category_option_combo: uid(r, 4, "categoryoptioncombo")?,
        attribute_option_combo: uid(r, 5, "categoryoptioncombo")?,
    };
    let row = buffer.get_or_insert_with(|| StoredValue::empty(key, DateTime::UNIX_EPOCH));
    row.key = key;
    set_text(&mut row.value, get(r, 6, TABLE, "value")?);
    set_text(&mut row.comment, get(r, 7, TABLE, "comment")?);
    set_text(&mut row.stored_by, get(r, 8, TABLE, "storedby")?);
    row.created = utc(get(r, 9, TABLE, "created")?);
    row.last_updated = utc(get(r, 10, TABLE, "lastupdated")?);
    row.followup = get(r, 11, TABLE, "followup")?;
    row.deleted = get(r, 12, TABLE, "deleted")?;
    Ok(row)
}
