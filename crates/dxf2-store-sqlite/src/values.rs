//! Data value rows (`datavalue`) and their audits (`datavalueaudit`): read into a caller's
//! reused row, insert, update, append and list audits.

use import_engine::store::{Audit, AuditType, DataValueKey, Existing, StoreError, StoredValue};
use rusqlite::params;

use crate::columns::{db, integer, opt_text, read_opt_string, text};
use crate::text::{self, read_timestamp};
use crate::SqliteStore;

pub(crate) const SELECT_VALUE: &str =
    "SELECT value, comment, storedby, created, lastupdated, followup, deleted, txn \
     FROM datavalue WHERE dataelement = ?1 AND period = ?2 AND orgunit = ?3 \
     AND categoryoptioncombo = ?4 AND attributeoptioncombo = ?5";

pub(crate) const INSERT_VALUE: &str =
    "INSERT INTO datavalue (dataelement, period, periodtype, startdate, enddate, \
     orgunit, categoryoptioncombo, attributeoptioncombo, value, comment, storedby, created, \
     lastupdated, followup, deleted, txn) \
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)";

pub(crate) const UPDATE_VALUE: &str =
    "UPDATE datavalue SET value = ?6, comment = ?7, storedby = ?8, created = ?9, \
     lastupdated = ?10, followup = ?11, deleted = ?12 \
     WHERE dataelement = ?1 AND period = ?2 AND orgunit = ?3 \
     AND categoryoptioncombo = ?4 AND attributeoptioncombo = ?5";

pub(crate) const INSERT_AUDIT: &str =
    "INSERT INTO datavalueaudit (dataelement, period, orgunit, categoryoptioncombo, \
     attributeoptioncombo, previousvalue, modifiedby, created, audittype) \
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";

pub(crate) const SELECT_AUDITS: &str =
    "SELECT previousvalue, modifiedby, created, audittype FROM datavalueaudit \
     WHERE dataelement = ?1 AND period = ?2 AND orgunit = ?3 \
     AND categoryoptioncombo = ?4 AND attributeoptioncombo = ?5 ORDER BY id";

/// Binds `key`'s five columns, the period given as text.
macro_rules! key_params {
    ($key:expr, $period:expr) => {
        (
            $key.data_element.as_str(),
            $period,
            $key.org_unit.as_str(),
            $key.category_option_combo.as_str(),
            $key.attribute_option_combo.as_str(),
        )
    };
}
impl SqliteStore {
    /// Reads the row for `key` into `row`, reusing its buffers.
    pub(crate) fn read_value(
        &mut self,
        key: &DataValueKey,
        row: &mut StoredValue,
    ) -> Result<Existing, StoreError> {
        self.period.set(&key.period);
        let mut stmt = self
            .conn
            .prepare_cached(SELECT_VALUE)
            .map_err(db("reading a value"))?;
        let mut rows = stmt
            .query(key_params!(key, self.period.iso.as_str()))
            .map_err(db("reading a value"))?;
        let Some(r) = rows.next().map_err(db("reading a value"))? else {
            return Ok(Existing::None);
        };
        row.key = *key;
        read_opt_string(r, 0, "value", &mut row.value)?;
        read_opt_string(r, 1, "comment", &mut row.comment)?;
        read_opt_string(r, 2, "storedby", &mut row.stored_by)?;
        row.created = read_timestamp(text(r, 3, "datavalue", "created")?, "datavalue", "created")?;
        row.last_updated = read_timestamp(
            text(r, 4, "datavalue", "lastupdated")?,
            "datavalue",
            "lastupdated",
        )?;
        row.followup = integer(r, 5, "datavalue", "followup")? != 0;
        row.deleted = integer(r, 6, "datavalue", "deleted")? != 0;
        let txn = integer(r, 7, "datavalue", "txn")?;
        Ok(if self.txn == Some(txn) {
            Existing::InsertedInThisTransaction
        } else {
            Existing::Stored
        })
    }

    /// Refuses a write on a read-only store; otherwise sets the text forms of `row`'s period and
    /// timestamps for the statement that writes it.
    fn prepare_row(&mut self, row: &StoredValue) -> Result<(), StoreError> {
        self.writable()?;
        self.period.set(&row.key.period);
        self.created.set(&row.created);
        self.last_updated.set(&row.last_updated);
        Ok(())
    }

    /// Inserts a new row ([`DataValueStore::insert`](import_engine::store::DataValueStore::insert)).
    pub(crate) fn insert_value(&mut self, row: &StoredValue) -> Result<(), StoreError> {
        self.prepare_row(row)?;
        let mut stmt = self
            .conn
            .prepare_cached(INSERT_VALUE)
            .map_err(db("inserting a value"))?;
        let key = &row.key;
        let p = &self.period;
        let result = stmt.execute(params![
            key.data_element.as_str(),
            p.iso,
            p.type_name,
            p.start,
            p.end,
            key.org_unit.as_str(),
            key.category_option_combo.as_str(),
            key.attribute_option_combo.as_str(),
            row.value,
            row.comment,
            row.stored_by,
            self.created.text,
            self.last_updated.text,
            row.followup,
            row.deleted,
            self.txn.unwrap_or(0),
        ]);
        match result {
            Ok(_) => Ok(()),
            Err(rusqlite::Error::SqliteFailure(e, _))
                if e.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY =>
            {
                Err(StoreError::Misuse(
                    "insert: a row with this key already exists",
                ))
            }
            Err(e) => Err(db("inserting a value")(e)),
        }
    }

    /// Replaces the row with the same key.
    pub(crate) fn update_value(&mut self, row: &StoredValue) -> Result<(), StoreError> {
        self.prepare_row(row)?;
        let mut stmt = self
            .conn
            .prepare_cached(UPDATE_VALUE)
            .map_err(db("updating a value"))?;
        let key = &row.key;
        let changed = stmt
            .execute(params![
                key.data_element.as_str(),
                self.period.iso,
                key.org_unit.as_str(),
                key.category_option_combo.as_str(),
                key.attribute_option_combo.as_str(),
                row.value,
                row.comment,
                row.stored_by,
                self.created.text,
                self.last_updated.text,
                row.followup,
                row.deleted,
            ])
            .map_err(db("updating a value"))?;
        if changed == 0 {
            return Err(StoreError::Misuse("update: no row with this key"));
        }
        Ok(())
    }

    /// Appends an audit row.
    pub(crate) fn insert_audit(&mut self, audit: &Audit) -> Result<(), StoreError> {
        self.writable()?;
        self.period.set(&audit.key.period);
        let created = text::timestamp(&audit.created);
        let mut stmt = self
            .conn
            .prepare_cached(INSERT_AUDIT)
            .map_err(db("writing an audit"))?;
        let key = &audit.key;
        stmt.execute(params![
            key.data_element.as_str(),
            self.period.iso,
            key.org_unit.as_str(),
            key.category_option_combo.as_str(),
            key.attribute_option_combo.as_str(),
            audit.previous_value,
            audit.modified_by,
            created,
            audit.audit_type.name(),
        ])
        .map_err(db("writing an audit"))?;
        Ok(())
    }

    /// Every audit row of a key, oldest first.
    pub(crate) fn read_audits(&mut self, key: &DataValueKey) -> Result<Vec<Audit>, StoreError> {
        const TABLE: &str = "datavalueaudit";
        self.period.set(&key.period);
        let mut stmt = self
            .conn
            .prepare_cached(SELECT_AUDITS)
            .map_err(db("reading audits"))?;
        let mut rows = stmt
            .query(key_params!(key, self.period.iso.as_str()))
            .map_err(db("reading audits"))?;
        let mut audits = Vec::new();
        while let Some(r) = rows.next().map_err(db("reading audits"))? {
            let audit_type = match text(r, 3, TABLE, "audittype")? {
                "UPDATE" => AuditType::Update,
                "DELETE" => AuditType::Delete,
                "CREATE" => AuditType::Create,
                other => {
                    return Err(StoreError::Incompatible(format!(
                        "{TABLE}: column `audittype` holds `{other}`, expected UPDATE, DELETE or CREATE"
                    )))
                }
            };
            audits.push(Audit {
                key: *key,
                previous_value: opt_text(r, 0, TABLE, "previousvalue")?.map(str::to_owned),
                modified_by: text(r, 1, TABLE, "modifiedby")?.to_owned(),
                created: read_timestamp(text(r, 2, TABLE, "created")?, TABLE, "created")?,
                audit_type,
            });
        }
        Ok(audits)
    }
}
