//! Data value rows (`datavalue`) and their audits (`datavalueaudit`): the batched lookup of
//! existing rows, the batched apply of a [`Changes`] (rows sorted by primary key, written with
//! statements prepared once per batch), and the audits of one key.

use dxf2_store::{
    Audit, AuditType, Changes, DataValueKey, Existing, StoreError, StoredValue, Write,
};
use rusqlite::{params, Connection, Row};

use crate::bulk::Seen;
use crate::columns::{db, integer, is_duplicate_key, opt_text, read_opt_string, text};
use crate::ids::IntKey;
use crate::text::{from_millis, millis};
use crate::SqliteStore;

const TABLE: &str = "datavalue";

pub(crate) const SELECT_VALUE: &str =
    "SELECT value, comment, storedby, created, lastupdated, followup, deleted, txn \
     FROM datavalue WHERE periodid = ?1 AND sourceid = ?2 AND dataelementid = ?3 \
     AND categoryoptioncomboid = ?4 AND attributeoptioncomboid = ?5";

pub(crate) const INSERT_VALUE: &str =
    "INSERT INTO datavalue (periodid, sourceid, dataelementid, categoryoptioncomboid, \
     attributeoptioncomboid, value, comment, storedby, created, lastupdated, followup, deleted, \
     txn, change) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)";

/// Rows per statement of the bulk path's inserts ([`insert_many_sql`]).
const ROWS_PER_INSERT: usize = 32;

/// The columns of [`INSERT_VALUE`], bound per row.
const COLUMNS: usize = 14;

/// `INSERT OR IGNORE` of [`ROWS_PER_INSERT`] rows: one statement step for many rows. The bulk
/// path inserts only keys it knows to be new; the number of rows inserted is checked, so that
/// `OR IGNORE` (which spares SQLite a statement journal for a statement of many rows) hides
/// nothing.
fn insert_many_sql() -> String {
    let mut sql = String::from(
        "INSERT OR IGNORE INTO datavalue (periodid, sourceid, dataelementid, \
         categoryoptioncomboid, attributeoptioncomboid, value, comment, storedby, created, \
         lastupdated, followup, deleted, txn, change) VALUES ",
    );
    for row in 0..ROWS_PER_INSERT {
        if row > 0 {
            sql.push(',');
        }
        sql.push_str("(?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
    }
    sql
}

/// Binds a row of `fields` under `key` as row `row` of an [`insert_many_sql`] statement.
fn bind_row(
    stmt: &mut rusqlite::Statement<'_>,
    row: usize,
    key: &IntKey,
    fields: &Fields<'_>,
    txn: i64,
    change: i64,
) -> rusqlite::Result<()> {
    let first = row * COLUMNS + 1;
    for (i, part) in key.iter().enumerate() {
        stmt.raw_bind_parameter(first + i, part)?;
    }
    let [value, comment, stored_by] = fields.texts;
    stmt.raw_bind_parameter(first + 5, value)?;
    stmt.raw_bind_parameter(first + 6, comment)?;
    stmt.raw_bind_parameter(first + 7, stored_by)?;
    stmt.raw_bind_parameter(first + 8, fields.created)?;
    stmt.raw_bind_parameter(first + 9, fields.last_updated)?;
    stmt.raw_bind_parameter(first + 10, fields.followup)?;
    stmt.raw_bind_parameter(first + 11, fields.deleted)?;
    stmt.raw_bind_parameter(first + 12, txn)?;
    stmt.raw_bind_parameter(first + 13, change)
}

pub(crate) const UPDATE_VALUE: &str =
    "UPDATE datavalue SET value = ?6, comment = ?7, storedby = ?8, created = ?9, \
     lastupdated = ?10, followup = ?11, deleted = ?12, change = ?13 \
     WHERE periodid = ?1 AND sourceid = ?2 AND dataelementid = ?3 \
     AND categoryoptioncomboid = ?4 AND attributeoptioncomboid = ?5";

pub(crate) const INSERT_AUDIT: &str =
    "INSERT INTO datavalueaudit (periodid, sourceid, dataelementid, categoryoptioncomboid, \
     attributeoptioncomboid, previousvalue, modifiedby, created, audittype) \
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";

pub(crate) const SELECT_AUDITS: &str =
    "SELECT previousvalue, modifiedby, created, audittype FROM datavalueaudit \
     WHERE periodid = ?1 AND sourceid = ?2 AND dataelementid = ?3 \
     AND categoryoptioncomboid = ?4 AND attributeoptioncomboid = ?5 \
     ORDER BY datavalueauditid";

/// Reads the columns `value` … `deleted` of a row, starting at column `first`, into `row`
/// (reusing its buffers).
pub(crate) fn read_value_columns(
    r: &Row<'_>,
    first: usize,
    row: &mut StoredValue,
) -> Result<(), StoreError> {
    read_opt_string(r, first, TABLE, "value", &mut row.value)?;
    read_opt_string(r, first + 1, TABLE, "comment", &mut row.comment)?;
    read_opt_string(r, first + 2, TABLE, "storedby", &mut row.stored_by)?;
    row.created = from_millis(integer(r, first + 3, TABLE, "created")?, TABLE, "created")?;
    row.last_updated = from_millis(
        integer(r, first + 4, TABLE, "lastupdated")?,
        TABLE,
        "lastupdated",
    )?;
    row.followup = integer(r, first + 5, TABLE, "followup")? != 0;
    row.deleted = integer(r, first + 6, TABLE, "deleted")? != 0;
    Ok(())
}

/// Inserts `row` under `key`, numbered with transaction `txn` and change `change`.
pub(crate) fn insert_row(
    stmt: &mut rusqlite::Statement<'_>,
    key: &IntKey,
    row: &StoredValue,
    txn: i64,
    change: i64,
) -> Result<(), StoreError> {
    let fields = Fields {
        texts: [
            row.value.as_deref(),
            row.comment.as_deref(),
            row.stored_by.as_deref(),
        ],
        created: millis(&row.created),
        last_updated: millis(&row.last_updated),
        followup: row.followup,
        deleted: row.deleted,
    };
    insert_fields(stmt, key, &fields, txn, change)
}

/// The columns of a row after its key, as stored.
pub(crate) struct Fields<'a> {
    /// `value`, `comment`, `storedby`.
    pub(crate) texts: [Option<&'a str>; 3],
    /// `created`, milliseconds.
    pub(crate) created: i64,
    /// `lastupdated`, milliseconds.
    pub(crate) last_updated: i64,
    /// `followup`.
    pub(crate) followup: bool,
    /// `deleted`.
    pub(crate) deleted: bool,
}

/// Inserts a row of `fields` under `key`, numbered with transaction `txn` and change `change`.
pub(crate) fn insert_fields(
    stmt: &mut rusqlite::Statement<'_>,
    key: &IntKey,
    fields: &Fields<'_>,
    txn: i64,
    change: i64,
) -> Result<(), StoreError> {
    let [pe, ou, de, coc, aoc] = *key;
    let [value, comment, stored_by] = fields.texts;
    let result = stmt.execute(params![
        pe,
        ou,
        de,
        coc,
        aoc,
        value,
        comment,
        stored_by,
        fields.created,
        fields.last_updated,
        fields.followup,
        fields.deleted,
        txn,
        change,
    ]);
    match result {
        Ok(_) => Ok(()),
        Err(e) if is_duplicate_key(&e) => Err(StoreError::Misuse(
            "insert: a row with this key already exists",
        )),
        Err(e) => Err(db("inserting a value")(e)),
    }
}

/// Appends `audit` under `key`.
pub(crate) fn insert_audit(
    stmt: &mut rusqlite::Statement<'_>,
    key: &IntKey,
    audit: &Audit,
) -> Result<(), StoreError> {
    let [pe, ou, de, coc, aoc] = *key;
    stmt.execute(params![
        pe,
        ou,
        de,
        coc,
        aoc,
        audit.previous_value,
        audit.modified_by,
        millis(&audit.created),
        audit.audit_type.name(),
    ])
    .map_err(db("writing an audit"))?;
    Ok(())
}

impl SqliteStore {
    /// Brings the ids in memory up to date for a read outside a write transaction (inside one,
    /// they are).
    pub(crate) fn sync_for_read(&mut self) -> Result<(), StoreError> {
        self.current()?;
        if !self.writing {
            self.keys.sync(&self.conn)?;
        }
        Ok(())
    }

    /// [`DataValueStore::lookup`](dxf2_store::DataValueStore::lookup): the keys with ids are
    /// sorted by primary key and looked up with one statement, stepped once per key.
    pub(crate) fn lookup_values(
        &mut self,
        keys: &[DataValueKey],
        found: &mut dyn FnMut(usize, &StoredValue, Existing) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        self.sync_for_read()?;
        let mut order = std::mem::take(&mut self.order);
        order.clear();
        let result = (|| {
            for (i, key) in keys.iter().enumerate() {
                let Some(int_key) = self.keys.find(key) else {
                    continue;
                };
                if !self.bulk.is_on() {
                    order.push((int_key, i));
                    continue;
                }
                match self.bulk.seen(&int_key) {
                    Seen::Never => {}
                    Seen::Waiting(at) => {
                        let row = lent_row(&mut self.row, key);
                        let existing = self.bulk.read(at, row)?;
                        found(i, row, existing)?;
                    }
                    Seen::Maybe => order.push((int_key, i)),
                }
            }
            order.sort_unstable();
            read_rows(&self.conn, self.txn, &order, keys, &mut self.row, found)
        })();
        self.order = order;
        result
    }

    /// Writes the rows waiting on the bulk path.
    pub(crate) fn flush_bulk(&mut self) -> Result<(), StoreError> {
        if !self.bulk.has_waiting() {
            return Ok(());
        }
        let txn = self.txn.unwrap_or(0);
        let mut many = self
            .conn
            .prepare_cached(&insert_many_sql())
            .map_err(db("inserting values"))?;
        let mut one = self
            .conn
            .prepare_cached(INSERT_VALUE)
            .map_err(db("inserting a value"))?;
        // Whole statements of many rows, then the rest one by one.
        let in_many = self.bulk.waiting_len() / ROWS_PER_INSERT * ROWS_PER_INSERT;
        let mut done = 0;
        self.bulk.drain(&mut |key, fields, change| {
            if done >= in_many {
                return insert_fields(&mut one, key, fields, txn, change);
            }
            let row = done % ROWS_PER_INSERT;
            bind_row(&mut many, row, key, fields, txn, change).map_err(db("inserting values"))?;
            done += 1;
            if row + 1 == ROWS_PER_INSERT {
                let inserted = many.raw_execute().map_err(db("inserting values"))?;
                if inserted != ROWS_PER_INSERT {
                    return Err(StoreError::Misuse(
                        "insert: a row with this key already exists",
                    ));
                }
            }
            Ok(())
        })
    }

    /// [`DataValueStore::apply`](dxf2_store::DataValueStore::apply), inside a write transaction.
    pub(crate) fn apply_changes(&mut self, changes: &Changes) -> Result<(), StoreError> {
        let rows = changes.rows();
        let change = if rows.is_empty() && changes.completions().is_empty() {
            0
        } else {
            self.next_change()?
        };
        let mut order = std::mem::take(&mut self.order);
        order.clear();
        let result = (|| {
            for (i, w) in rows.iter().enumerate() {
                order.push((self.keys.make(&self.conn, &w.row.key)?, i));
            }
            order.sort_unstable();
            if self.bulk.is_on() {
                self.wait_rows(change, &order, changes)
            } else {
                write_rows(&self.conn, self.txn.unwrap_or(0), change, &order, changes)
            }
        })();
        self.order = order;
        result?;
        if !changes.audits().is_empty() {
            let mut stmt = self
                .conn
                .prepare_cached(INSERT_AUDIT)
                .map_err(db("writing an audit"))?;
            for audit in changes.audits() {
                let key = self.keys.make(&self.conn, &audit.key)?;
                insert_audit(&mut stmt, &key, audit)?;
            }
        }
        self.write_completions(changes.completions(), change)?;
        if self.bulk.is_full() {
            self.flush_bulk()?;
        }
        Ok(())
    }

    /// The bulk path of [`write_rows`]: new rows wait, updates of waiting rows change them,
    /// updates of written rows are written.
    fn wait_rows(
        &mut self,
        change: i64,
        order: &[(IntKey, usize)],
        changes: &Changes,
    ) -> Result<(), StoreError> {
        let rows = changes.rows();
        for (key, i) in order {
            let Some(w) = rows.get(*i) else {
                continue;
            };
            match w.write {
                Write::Insert => {
                    let conn = &self.conn;
                    let mut written = |key: &IntKey| row_exists(conn, key);
                    if !self.bulk.insert(*key, &w.row, change, &mut written)? {
                        return Err(StoreError::Misuse(
                            "insert: a row with this key already exists",
                        ));
                    }
                }
                Write::Update => {
                    if let Seen::Waiting(at) = self.bulk.seen(key) {
                        self.bulk.update(at, &w.row, change);
                    } else {
                        let mut update = self
                            .conn
                            .prepare_cached(UPDATE_VALUE)
                            .map_err(db("updating a value"))?;
                        update_row(&mut update, key, &w.row, change)?;
                    }
                }
            }
        }
        Ok(())
    }

    /// Every audit row of a key, oldest first.
    pub(crate) fn read_audits(&mut self, key: &DataValueKey) -> Result<Vec<Audit>, StoreError> {
        const AUDITS: &str = "datavalueaudit";
        self.sync_for_read()?;
        let Some([pe, ou, de, coc, aoc]) = self.keys.find(key) else {
            return Ok(Vec::new());
        };
        let mut stmt = self
            .conn
            .prepare_cached(SELECT_AUDITS)
            .map_err(db("reading audits"))?;
        let mut rows = stmt
            .query(params![pe, ou, de, coc, aoc])
            .map_err(db("reading audits"))?;
        let mut audits = Vec::new();
        while let Some(r) = rows.next().map_err(db("reading audits"))? {
            audits.push(Audit {
                key: *key,
                previous_value: opt_text(r, 0, AUDITS, "previousvalue")?.map(str::to_owned),
                modified_by: text(r, 1, AUDITS, "modifiedby")?.to_owned(),
                created: from_millis(integer(r, 2, AUDITS, "created")?, AUDITS, "created")?,
                audit_type: audit_type(text(r, 3, AUDITS, "audittype")?)?,
            });
        }
        Ok(audits)
    }
}

/// An audit type by its DHIS2 name.
pub(crate) fn audit_type(name: &str) -> Result<AuditType, StoreError> {
    match name {
        "UPDATE" => Ok(AuditType::Update),
        "DELETE" => Ok(AuditType::Delete),
        "CREATE" => Ok(AuditType::Create),
        other => Err(StoreError::Incompatible(format!(
            "datavalueaudit: column `audittype` holds `{other}`, expected UPDATE, DELETE or CREATE"
        ))),
    }
}

/// The reused row lent to a lookup's callback, its key set to `key`.
fn lent_row<'r>(buffer: &'r mut Option<StoredValue>, key: &DataValueKey) -> &'r mut StoredValue {
    let row = match buffer {
        Some(row) => row,
        None => buffer.insert(StoredValue::empty(*key, chrono::DateTime::UNIX_EPOCH)),
    };
    row.key = *key;
    row
}

/// Whether the table has a row of `key`.
fn row_exists(conn: &Connection, key: &IntKey) -> Result<bool, StoreError> {
    let [pe, ou, de, coc, aoc] = *key;
    let mut stmt = conn
        .prepare_cached(SELECT_VALUE)
        .map_err(db("reading values"))?;
    stmt.exists(params![pe, ou, de, coc, aoc])
        .map_err(db("reading values"))
}

/// Replaces the row of `key` with `row`, numbered with change `change`.
fn update_row(
    stmt: &mut rusqlite::Statement<'_>,
    key: &IntKey,
    row: &StoredValue,
    change: i64,
) -> Result<(), StoreError> {
    let [pe, ou, de, coc, aoc] = *key;
    let changed = stmt
        .execute(params![
            pe,
            ou,
            de,
            coc,
            aoc,
            row.value,
            row.comment,
            row.stored_by,
            millis(&row.created),
            millis(&row.last_updated),
            row.followup,
            row.deleted,
            change,
        ])
        .map_err(db("updating a value"))?;
    if changed == 0 {
        return Err(StoreError::Misuse("update: no row with this key"));
    }
    Ok(())
}

/// Looks up the rows of `order` (integer keys in primary key order, with their index in `keys`)
/// and hands each one found to `found`, through the reused row `buffer`.
fn read_rows(
    conn: &Connection,
    txn: Option<i64>,
    order: &[(IntKey, usize)],
    keys: &[DataValueKey],
    buffer: &mut Option<StoredValue>,
    found: &mut dyn FnMut(usize, &StoredValue, Existing) -> Result<(), StoreError>,
) -> Result<(), StoreError> {
    if order.is_empty() {
        return Ok(());
    }
    let mut stmt = conn
        .prepare_cached(SELECT_VALUE)
        .map_err(db("reading values"))?;
    for ([pe, ou, de, coc, aoc], i) in order {
        let Some(key) = keys.get(*i) else {
            continue;
        };
        let mut rows = stmt
            .query(params![pe, ou, de, coc, aoc])
            .map_err(db("reading values"))?;
        let Some(r) = rows.next().map_err(db("reading values"))? else {
            continue;
        };
        let row = lent_row(buffer, key);
        read_value_columns(r, 0, row)?;
        let inserted_by = integer(r, 7, TABLE, "txn")?;
        let existing = if txn == Some(inserted_by) {
            Existing::InsertedInThisTransaction
        } else {
            Existing::Stored
        };
        found(*i, row, existing)?;
    }
    Ok(())
}

/// Writes the rows of `changes` in the order of `order` (integer keys in primary key order,
/// with their index in the batch).
fn write_rows(
    conn: &Connection,
    txn: i64,
    change: i64,
    order: &[(IntKey, usize)],
    changes: &Changes,
) -> Result<(), StoreError> {
    if order.is_empty() {
        return Ok(());
    }
    let rows = changes.rows();
    let mut insert = conn
        .prepare_cached(INSERT_VALUE)
        .map_err(db("inserting a value"))?;
    let mut update = conn
        .prepare_cached(UPDATE_VALUE)
        .map_err(db("updating a value"))?;
    for (key, i) in order {
        let Some(w) = rows.get(*i) else {
            continue;
        };
        let row = &w.row;
        match w.write {
            Write::Insert => insert_row(&mut insert, key, row, txn, change)?,
            Write::Update => update_row(&mut update, key, row, change)?,
        }
    }
    Ok(())
}
