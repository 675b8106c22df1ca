//! Data value rows and their audits: [`lookup`](dxf2_store::DataValueStore::lookup) of a batch
//! of keys in one query (the keys' ids as arrays, joined with `unnest`), and
//! [`apply`](dxf2_store::DataValueStore::apply) of a batch, sorted by the primary key: new rows by
//! binary `COPY` into `datavalue`, changed rows by binary `COPY` into a temporary staging table
//! merged with one `UPDATE … FROM`, audits by binary `COPY`, completions in one statement
//! (`registrations`).

use std::fmt::Write as _;

use chrono::DateTime;
use dxf2_store::{
    Audit, AuditType, Changes, DataValueKey, Existing, RowWrite, StoreError, StoredValue, Write,
};
use postgres::binary_copy::BinaryCopyInWriter;
use postgres::error::SqlState;
use postgres::fallible_iterator::FallibleIterator;
use postgres::types::{ToSql, Type};
use postgres::Statement;

use crate::columns::{backend, get, millis, pg, set_text, utc};
use crate::dims::{KeyIds, Missing, UidTable};
use crate::PostgresStore;

/// The existing rows of a batch of keys (ids as arrays, in primary key order; `i` is the key's
/// index in the caller's batch).
const LOOKUP: &str = "SELECT k.i, d.value, d.comment, d.storedby, d.created, d.lastupdated, \
       d.followup, d.deleted, d.txn \
     FROM unnest($1::int4[], $2::int4[], $3::int4[], $4::int4[], $5::int4[], $6::int4[]) \
       AS k (pe, ou, de, coc, aoc, i) \
     JOIN datavalue d ON d.periodid = k.pe AND d.sourceid = k.ou AND d.dataelementid = k.de \
       AND d.categoryoptioncomboid = k.coc AND d.attributeoptioncomboid = k.aoc";

/// The staging table of a batch's changed rows (one per connection, emptied after every
/// merge).
const CREATE_STAGE: &str = "CREATE TEMP TABLE IF NOT EXISTS dxf2_stage (
    periodid integer NOT NULL,
    sourceid integer NOT NULL,
    dataelementid integer NOT NULL,
    categoryoptioncomboid integer NOT NULL,
    attributeoptioncomboid integer NOT NULL,
    value text,
    comment text,
    storedby text,
    created timestamp(3) NOT NULL,
    lastupdated timestamp(3) NOT NULL,
    followup boolean NOT NULL,
    deleted boolean NOT NULL
)";

const COPY_STAGE: &str = "COPY dxf2_stage (periodid, sourceid, dataelementid, \
     categoryoptioncomboid, attributeoptioncomboid, value, comment, storedby, created, \
     lastupdated, followup, deleted) FROM STDIN (FORMAT binary)";

/// New rows go straight into the table (a key that exists fails the copy).
const COPY_VALUES: &str = "COPY datavalue (periodid, sourceid, dataelementid, \
     categoryoptioncomboid, attributeoptioncomboid, value, comment, storedby, created, \
     lastupdated, followup, deleted, txn, change) FROM STDIN (FORMAT binary)";

/// The column types of [`COPY_VALUES`] (the first 12: of [`COPY_STAGE`]).
const VALUE_TYPES: [Type; 14] = [
    Type::INT4,
    Type::INT4,
    Type::INT4,
    Type::INT4,
    Type::INT4,
    Type::TEXT,
    Type::TEXT,
    Type::TEXT,
    Type::TIMESTAMP,
    Type::TIMESTAMP,
    Type::BOOL,
    Type::BOOL,
    Type::INT8,
    Type::INT8,
];

const COPY_AUDITS: &str = "COPY datavalueaudit (periodid, sourceid, dataelementid, \
     categoryoptioncomboid, attributeoptioncomboid, previousvalue, modifiedby, created, \
     audittype) FROM STDIN (FORMAT binary)";

const AUDIT_TYPES: [Type; 9] = [
    Type::INT4,
    Type::INT4,
    Type::INT4,
    Type::INT4,
    Type::INT4,
    Type::TEXT,
    Type::TEXT,
    Type::TIMESTAMP,
    Type::TEXT,
];

/// Prepared statements and buffers reused from batch to batch.
#[derive(Default)]
pub(crate) struct Buffers {
    lookup: Option<Statement>,
    pub(crate) completions: Option<Statement>,
    /// The staging table exists on this connection.
    stage_ready: bool,
    /// A batch's keys: their ids and their index in the batch, sorted.
    order: Vec<(KeyIds, usize)>,
    /// The row lent to `lookup`'s callback.
    row: Option<StoredValue>,
}

impl Buffers {
    /// The staging table may have gone with a rolled-back transaction.
    pub(crate) fn forget_stage(&mut self) {
        self.stage_ready = false;
    }
}

impl PostgresStore {
    /// `lookup`.
    pub(crate) fn lookup_values(
        &mut self,
        keys: &[DataValueKey],
        found: &mut dyn FnMut(usize, &StoredValue, Existing) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        if keys.is_empty() {
            return Ok(());
        }
        if self.txn.as_ref().is_some_and(|t| t.failed) {
            return Err(StoreError::Misuse(
                "lookup: a statement of this transaction failed: roll it back",
            ));
        }
        let mut missing = Missing::default();
        for key in keys {
            missing.key(&self.dims, key);
        }
        // Keys with an unknown UID or period have no row.
        self.dims.fetch(&mut self.client, missing, false)?;
        let order = &mut self.buffers.order;
        order.clear();
        order.extend(
            keys.iter()
                .enumerate()
                .filter_map(|(i, key)| self.dims.key(key).map(|ids| (ids, i))),
        );
        if order.is_empty() {
            return Ok(());
        }
        order.sort_unstable();
        let column =
            |f: fn(&KeyIds) -> i32| -> Vec<i32> { order.iter().map(|(k, _)| f(k)).collect() };
        let (pe, ou, de) = (column(|k| k.0), column(|k| k.1), column(|k| k.2));
        let (coc, aoc) = (column(|k| k.3), column(|k| k.4));
        let mut index = Vec::with_capacity(order.len());
        for (_, i) in order.iter() {
            index.push(i32::try_from(*i).map_err(|_| StoreError::Misuse("lookup: too many keys"))?);
        }
        let statement = match &self.buffers.lookup {
            Some(s) => s.clone(),
            None => {
                let s = self
                    .client
                    .prepare(LOOKUP)
                    .map_err(pg("looking up values"))?;
                self.buffers.lookup = Some(s.clone());
                s
            }
        };
        let params: [&(dyn ToSql + Sync); 6] = [&pe, &ou, &de, &coc, &aoc, &index];
        let txn = self.txn_number();
        let mut rows = self
            .client
            .query_raw(&statement, params)
            .map_err(pg("looking up values"))?;
        let row_buffer = &mut self.buffers.row;
        while let Some(r) = rows.next().map_err(pg("looking up values"))? {
            const TABLE: &str = "datavalue";
            let i: i32 = get(&r, 0, TABLE, "i")?;
            let i = usize::try_from(i).unwrap_or(usize::MAX);
            let Some(key) = keys.get(i) else {
                return Err(StoreError::Incompatible(format!(
                    "lookup answered key {i} of {}",
                    keys.len()
                )));
            };
            let created = get(&r, 4, TABLE, "created")?;
            let row =
                row_buffer.get_or_insert_with(|| StoredValue::empty(*key, DateTime::UNIX_EPOCH));
            row.key = *key;
            set_text(&mut row.value, get(&r, 1, TABLE, "value")?);
            set_text(&mut row.comment, get(&r, 2, TABLE, "comment")?);
            set_text(&mut row.stored_by, get(&r, 3, TABLE, "storedby")?);
            row.created = utc(created);
            row.last_updated = utc(get(&r, 5, TABLE, "lastupdated")?);
            row.followup = get(&r, 6, TABLE, "followup")?;
            row.deleted = get(&r, 7, TABLE, "deleted")?;
            let inserted_by: i64 = get(&r, 8, TABLE, "txn")?;
            let existing = if txn == Some(inserted_by) {
                Existing::InsertedInThisTransaction
            } else {
                Existing::Stored
            };
            found(i, row, existing)?;
        }
        Ok(())
    }

    /// `apply`, inside the write transaction.
    pub(crate) fn apply_changes(&mut self, changes: &Changes) -> Result<(), StoreError> {
        let change = self.next_change()?;
        let txn = self
            .txn_number()
            .ok_or(StoreError::Misuse("a write outside a transaction"))?;
        let mut missing = Missing::default();
        for w in changes.rows() {
            missing.key(&self.dims, &w.row.key);
        }
        for a in changes.audits() {
            missing.key(&self.dims, &a.key);
        }
        for c in changes.completions() {
            missing.uid(&self.dims, UidTable::DataSet, &c.data_set);
            missing.period(&self.dims, &c.period);
            missing.uid(&self.dims, UidTable::OrgUnit, &c.org_unit);
            missing.uid(&self.dims, UidTable::OptionCombo, &c.attribute_option_combo);
        }
        self.dims.fetch(&mut self.client, missing, true)?;
        if !changes.rows().is_empty() {
            self.write_rows(changes.rows(), txn, change)?;
        }
        if !changes.audits().is_empty() {
            self.write_audits(changes.audits())?;
        }
        if !changes.completions().is_empty() {
            self.write_completions(changes.completions(), change)?;
            if changes.rows().is_empty() {
                self.set_last_change(change)?;
            }
        }
        Ok(())
    }

    /// The ids of every key of `rows` (all given by `apply_changes`), sorted, with the rows'
    /// indices.
    fn sorted_keys(&mut self, rows: &[RowWrite]) -> Result<Vec<(KeyIds, usize)>, StoreError> {
        let mut order = std::mem::take(&mut self.buffers.order);
        order.clear();
        for (i, w) in rows.iter().enumerate() {
            let ids = self
                .dims
                .key(&w.row.key)
                .ok_or(StoreError::Misuse("apply: a key without ids"))?;
            order.push((ids, i));
        }
        order.sort_unstable();
        Ok(order)
    }

    /// Writes `rows`, sorted by the primary key: new rows by binary `COPY` straight into
    /// `datavalue` (stamped with `txn` and `change`), changed rows by binary `COPY` into the
    /// staging table and one `UPDATE … FROM` (stamped with `change`). Fails with
    /// [`StoreError::Misuse`] (and fails the transaction) when a new row's key exists or a
    /// changed row's key does not.
    fn write_rows(&mut self, rows: &[RowWrite], txn: i64, change: i64) -> Result<(), StoreError> {
        let order = self.sorted_keys(rows)?;
        let result = self
            .copy_rows(rows, &order, Write::Insert, Some((txn, change)))
            .and_then(|inserted| {
                let updated = self.copy_rows(rows, &order, Write::Update, None)?;
                Ok((inserted, updated))
            });
        self.buffers.order = order;
        let (_, updated) = match result {
            Ok(counts) => counts,
            Err(e) => {
                // The server has aborted the transaction.
                self.poison();
                return Err(e);
            }
        };
        // One round trip: the merge of the changed rows (if any) and the change number;
        // `change` is an integer of ours, written into the SQL.
        let mut sql = String::new();
        if updated > 0 {
            let _ = write!(
                sql,
                "UPDATE datavalue d SET value = s.value, comment = s.comment, \
                 storedby = s.storedby, created = s.created, lastupdated = s.lastupdated, \
                 followup = s.followup, deleted = s.deleted, change = {change} \
                 FROM dxf2_stage s WHERE d.periodid = s.periodid \
                 AND d.sourceid = s.sourceid AND d.dataelementid = s.dataelementid \
                 AND d.categoryoptioncomboid = s.categoryoptioncomboid \
                 AND d.attributeoptioncomboid = s.attributeoptioncomboid; \
                 TRUNCATE dxf2_stage; "
            );
        }
        let _ = write!(
            sql,
            "UPDATE store_state SET last_change = {change} WHERE id = 1"
        );
        let counts = self.simple_counts(&sql, "merging changed values")?;
        if updated > 0 && counts.first().copied() != Some(updated) {
            self.poison();
            return Err(StoreError::Misuse("update: no row with this key"));
        }
        if let Some(t) = &mut self.txn {
            t.last_change = change;
        }
        Ok(())
    }

    /// Copies the rows of `rows` written as `write`, in `order`: new rows into `datavalue` with
    /// `stamp` (txn, change), changed rows into the staging table. Returns how many were copied.
    fn copy_rows(
        &mut self,
        rows: &[RowWrite],
        order: &[(KeyIds, usize)],
        write: Write,
        stamp: Option<(i64, i64)>,
    ) -> Result<u64, StoreError> {
        if !rows.iter().any(|w| w.write == write) {
            return Ok(0);
        }
        // Stamped on new rows only (the staging table has no such columns).
        let (txn, change) = stamp.unwrap_or((0, 0));
        let (sql, types, doing): (&str, &[Type], &'static str) = match write {
            Write::Insert => (COPY_VALUES, &VALUE_TYPES, "copying new values"),
            Write::Update => {
                if !self.buffers.stage_ready {
                    self.client
                        .batch_execute(CREATE_STAGE)
                        .map_err(pg("creating the staging table"))?;
                    self.buffers.stage_ready = true;
                }
                (COPY_STAGE, &VALUE_TYPES[..12], "copying changed values")
            }
        };
        let writer = self.client.copy_in(sql).map_err(pg(doing))?;
        let mut writer = BinaryCopyInWriter::new(writer, types);
        for ((pe, ou, de, coc, aoc), i) in order {
            let Some(w) = rows.get(*i).filter(|w| w.write == write) else {
                continue;
            };
            let row = &w.row;
            let (created, last_updated) = (millis(&row.created), millis(&row.last_updated));
            let columns: [&(dyn ToSql + Sync); 14] = [
                pe,
                ou,
                de,
                coc,
                aoc,
                &row.value.as_deref(),
                &row.comment.as_deref(),
                &row.stored_by.as_deref(),
                &created,
                &last_updated,
                &row.followup,
                &row.deleted,
                &txn,
                &change,
            ];
            let written = writer.write(columns.get(..types.len()).unwrap_or(&columns));
            written.map_err(|e| copy_error(doing, e))?;
        }
        writer.finish().map_err(|e| copy_error(doing, e))
    }

    /// Appends `audits`, in order, by binary `COPY`.
    fn write_audits(&mut self, audits: &[Audit]) -> Result<(), StoreError> {
        let mut ids = Vec::with_capacity(audits.len());
        for a in audits {
            ids.push(
                self.dims
                    .key(&a.key)
                    .ok_or(StoreError::Misuse("apply: a key without ids"))?,
            );
        }
        let writer = self
            .client
            .copy_in(COPY_AUDITS)
            .map_err(pg("writing audits"))?;
        let mut writer = BinaryCopyInWriter::new(writer, &AUDIT_TYPES);
        for (a, (pe, ou, de, coc, aoc)) in audits.iter().zip(&ids) {
            let created = millis(&a.created);
            writer
                .write(&[
                    pe,
                    ou,
                    de,
                    coc,
                    aoc,
                    &a.previous_value.as_deref(),
                    &a.modified_by.as_str(),
                    &created,
                    &a.audit_type.name(),
                ])
                .map_err(pg("writing audits"))?;
        }
        writer.finish().map_err(pg("writing audits"))?;
        Ok(())
    }

    /// `audits`: every audit row of `key`, oldest first.
    pub(crate) fn read_audits(&mut self, key: &DataValueKey) -> Result<Vec<Audit>, StoreError> {
        const TABLE: &str = "datavalueaudit";
        let mut missing = Missing::default();
        missing.key(&self.dims, key);
        self.dims.fetch(&mut self.client, missing, false)?;
        let Some((pe, ou, de, coc, aoc)) = self.dims.key(key) else {
            return Ok(Vec::new());
        };
        let rows = self
            .client
            .query(
                "SELECT previousvalue, modifiedby, created, audittype FROM datavalueaudit \
                 WHERE periodid = $1 AND sourceid = $2 AND dataelementid = $3 \
                 AND categoryoptioncomboid = $4 AND attributeoptioncomboid = $5 ORDER BY id",
                &[&pe, &ou, &de, &coc, &aoc],
            )
            .map_err(pg("reading audits"))?;
        let mut audits = Vec::with_capacity(rows.len());
        for r in &rows {
            let audit_type = match get::<&str>(r, 3, TABLE, "audittype")? {
                "UPDATE" => AuditType::Update,
                "DELETE" => AuditType::Delete,
                "CREATE" => AuditType::Create,
                other => {
                    return Err(StoreError::Incompatible(format!(
                        "{TABLE}: unknown audit type `{other}`"
                    )))
                }
            };
            audits.push(Audit {
                key: *key,
                previous_value: get(r, 0, TABLE, "previousvalue")?,
                modified_by: get(r, 1, TABLE, "modifiedby")?,
                created: utc(get(r, 2, TABLE, "created")?),
                audit_type,
            });
        }
        Ok(audits)
    }
}

/// A copy's error: a new row whose key exists is the caller's misuse (the store's rows are as
/// the engine read them), anything else the database's.
fn copy_error(doing: &'static str, e: postgres::Error) -> StoreError {
    if e.code() == Some(&SqlState::UNIQUE_VIOLATION) {
        StoreError::Misuse("insert: a row with this key already exists")
    } else {
        backend(doing, e)
    }
}
