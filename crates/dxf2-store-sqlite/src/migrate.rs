//! The upgrade of a store of an older schema version to [`SCHEMA_VERSION`], inside one write
//! transaction. Version 3 gets the `dhis2_object` table. Versions 1 and 2 (rows keyed by five text
//! UIDs, timestamps as text, every metadata object as JSON; version 1 also kept an
//! `orgunit_path` table) are copied first: the old tables are renamed, the new ones
//! created, every row copied (its keys given ids, its timestamps read), and the old tables
//! dropped. A failure leaves the store as it was.
//!
//! The copied rows and completions carry change number 1 (so "everything changed since 0"
//! finds them); the store gets its id; transaction numbers go on from the old store's.

use dxf2_model::{Metadata, Uid};
use dxf2_store::{Audit, Completion, DataValueKey, StoreError, StoredValue};
use rusqlite::params;

use crate::columns::{db, integer, opt_text, read_opt_string, text};
use crate::schema::{SCHEMA_V3, SCHEMA_V4, SCHEMA_VERSION};
use crate::text::{parse_date, parse_period, parse_uid, period_of, read_timestamp};
use crate::values::{audit_type, insert_audit, insert_row, INSERT_AUDIT, INSERT_VALUE};
use crate::SqliteStore;
use dxf2_store::metadata_json::{self, CATEGORY_OPTION_COMBOS, DATA_ELEMENTS, ORG_UNITS};

/// Sets the old tables aside (their names are those of the new ones).
const RENAME_OLD_TABLES: &str = "
DROP TABLE IF EXISTS orgunit_path;
DROP INDEX IF EXISTS datavalueaudit_key;
ALTER TABLE store_state RENAME TO old_store_state;
ALTER TABLE datavalue RENAME TO old_datavalue;
ALTER TABLE datavalueaudit RENAME TO old_datavalueaudit;
ALTER TABLE completedatasetregistration RENAME TO old_completedatasetregistration;
ALTER TABLE lockexception RENAME TO old_lockexception;
";

const DROP_OLD_TABLES: &str = "
DROP TABLE old_store_state;
DROP TABLE old_datavalue;
DROP TABLE old_datavalueaudit;
DROP TABLE old_completedatasetregistration;
DROP TABLE old_lockexception;
";

impl SqliteStore {
    /// Upgrades the store from schema version `from` (inside the open write transaction).
    pub(crate) fn upgrade(&mut self, from: i64) -> Result<(), StoreError> {
        let upgraded = if from < 3 {
            self.copy_old_store()
        } else {
            Ok(())
        };
        upgraded
            .and_then(|()| {
                self.conn
                    .execute_batch(SCHEMA_V4)
                    .and_then(|()| {
                        self.conn
                            .execute("UPDATE schema_version SET version = ?1", [SCHEMA_VERSION])
                    })
                    .map(|_| ())
                    .map_err(db("upgrading the store"))
            })
            .map_err(|e| match e {
                StoreError::Incompatible(message) => StoreError::Incompatible(format!(
                    "upgrading `{}` from schema version {from} to {SCHEMA_VERSION}: {message}",
                    self.location
                )),
                other => other,
            })
    }

    fn copy_old_store(&mut self) -> Result<(), StoreError> {
        let upgrading = db("upgrading the store");
        self.conn
            .execute_batch(RENAME_OLD_TABLES)
            .and_then(|()| self.conn.execute_batch(SCHEMA_V3))
            .map_err(&upgrading)?;
        let last_txn: i64 = self
            .conn
            .query_row(
                "SELECT coalesce(max(last_txn), 0) FROM old_store_state",
                [],
                |r| r.get(0),
            )
            .map_err(&upgrading)?;
        self.conn
            .execute(
                "INSERT INTO store_state (id, last_txn, last_change, store_id) \
                 VALUES (1, ?1, 0, ?2)",
                params![last_txn, dxf2_store::new_store_id()],
            )
            .map_err(&upgrading)?;
        self.move_metadata_into_tables()?;
        let any: bool = self
            .conn
            .query_row(
                "SELECT EXISTS (SELECT 1 FROM old_datavalue) \
                 OR EXISTS (SELECT 1 FROM old_completedatasetregistration)",
                [],
                |r| r.get(0),
            )
            .map_err(&upgrading)?;
        let change = if any { self.next_change()? } else { 0 };
        self.copy_values(change)?;
        self.copy_audits()?;
        self.copy_completions(change)?;
        self.copy_lock_exceptions()?;
        self.conn
            .execute_batch(DROP_OLD_TABLES)
            .and_then(|()| {
                self.conn
                    .execute("UPDATE schema_version SET version = ?1", [SCHEMA_VERSION])
            })
            .map_err(&upgrading)?;
        Ok(())
    }

    /// Moves the org units, data elements and category option combos from `metadata_object`
    /// into their tables.
    fn move_metadata_into_tables(&mut self) -> Result<(), StoreError> {
        let mut moved = Metadata::new();
        {
            let mut stmt = self
                .conn
                .prepare(
                    "SELECT kind, uid, json FROM metadata_object WHERE kind IN (?1, ?2, ?3) \
                     ORDER BY rowid",
                )
                .map_err(db("reading metadata"))?;
            let mut rows = stmt
                .query([ORG_UNITS, DATA_ELEMENTS, CATEGORY_OPTION_COMBOS])
                .map_err(db("reading metadata"))?;
            while let Some(r) = rows.next().map_err(db("reading metadata"))? {
                metadata_json::add_object(
                    &mut moved,
                    text(r, 0, "metadata_object", "kind")?,
                    text(r, 1, "metadata_object", "uid")?,
                    text(r, 2, "metadata_object", "json")?,
                )?;
            }
        }
        self.write_metadata(&moved)?;
        self.conn
            .execute(
                "DELETE FROM metadata_object WHERE kind IN (?1, ?2, ?3)",
                [ORG_UNITS, DATA_ELEMENTS, CATEGORY_OPTION_COMBOS],
            )
            .map_err(db("moving metadata"))?;
        Ok(())
    }

    fn copy_values(&mut self, change: i64) -> Result<(), StoreError> {
        const TABLE: &str = "datavalue";
        let conn = &self.conn;
        let keys = &mut self.keys;
        let mut select = conn
            .prepare(
                "SELECT dataelement, period, orgunit, categoryoptioncombo, attributeoptioncombo, \
                 value, comment, storedby, created, lastupdated, followup, deleted, txn, \
                 periodtype, startdate FROM old_datavalue ORDER BY startdate, orgunit",
            )
            .map_err(db("reading the old values"))?;
        let mut insert = conn
            .prepare_cached(INSERT_VALUE)
            .map_err(db("copying values"))?;
        let mut rows = select.query([]).map_err(db("reading the old values"))?;
        let mut row: Option<StoredValue> = None;
        while let Some(r) = rows.next().map_err(db("reading the old values"))? {
            // By type and first day: every period type, also those without an ISO form.
            let period = period_of(
                text(r, 13, TABLE, "periodtype")?,
                text(r, 14, TABLE, "startdate")?,
                TABLE,
            )?;
            let key = DataValueKey {
                data_element: old_uid(r, 0, TABLE, "dataelement")?,
                period,
                org_unit: old_uid(r, 2, TABLE, "orgunit")?,
                category_option_combo: old_uid(r, 3, TABLE, "categoryoptioncombo")?,
                attribute_option_combo: old_uid(r, 4, TABLE, "attributeoptioncombo")?,
            };
            let created = read_timestamp(text(r, 8, TABLE, "created")?, TABLE, "created")?;
            let row = row.get_or_insert_with(|| StoredValue::empty(key, created));
            row.key = key;
            read_opt_string(r, 5, TABLE, "value", &mut row.value)?;
            read_opt_string(r, 6, TABLE, "comment", &mut row.comment)?;
            read_opt_string(r, 7, TABLE, "storedby", &mut row.stored_by)?;
            row.created = created;
            row.last_updated =
                read_timestamp(text(r, 9, TABLE, "lastupdated")?, TABLE, "lastupdated")?;
            row.followup = integer(r, 10, TABLE, "followup")? != 0;
            row.deleted = integer(r, 11, TABLE, "deleted")? != 0;
            let txn = integer(r, 12, TABLE, "txn")?;
            let int_key = keys.make(conn, &key)?;
            insert_row(&mut insert, &int_key, row, txn, change)?;
        }
        Ok(())
    }

    fn copy_audits(&mut self) -> Result<(), StoreError> {
        const TABLE: &str = "datavalueaudit";
        let conn = &self.conn;
        let keys = &mut self.keys;
        let mut select = conn
            .prepare(
                "SELECT dataelement, period, orgunit, categoryoptioncombo, attributeoptioncombo, \
                 previousvalue, modifiedby, created, audittype FROM old_datavalueaudit ORDER BY id",
            )
            .map_err(db("reading the old audits"))?;
        let mut insert = conn
            .prepare_cached(INSERT_AUDIT)
            .map_err(db("copying audits"))?;
        let mut rows = select.query([]).map_err(db("reading the old audits"))?;
        while let Some(r) = rows.next().map_err(db("reading the old audits"))? {
            let audit = Audit {
                key: old_key(r, TABLE)?,
                previous_value: opt_text(r, 5, TABLE, "previousvalue")?.map(str::to_owned),
                modified_by: text(r, 6, TABLE, "modifiedby")?.to_owned(),
                created: read_timestamp(text(r, 7, TABLE, "created")?, TABLE, "created")?,
                audit_type: audit_type(text(r, 8, TABLE, "audittype")?)?,
            };
            let int_key = keys.make(conn, &audit.key)?;
            insert_audit(&mut insert, &int_key, &audit)?;
        }
        Ok(())
    }

    fn copy_completions(&mut self, change: i64) -> Result<(), StoreError> {
        const TABLE: &str = "completedatasetregistration";
        let mut completions = Vec::new();
        {
            let mut select = self
                .conn
                .prepare(
                    "SELECT dataset, period, orgunit, attributeoptioncombo, date, storedby, \
                     lastupdated, completed FROM old_completedatasetregistration",
                )
                .map_err(db("reading the old completions"))?;
            let mut rows = select
                .query([])
                .map_err(db("reading the old completions"))?;
            while let Some(r) = rows.next().map_err(db("reading the old completions"))? {
                completions.push(Completion {
                    data_set: old_uid(r, 0, TABLE, "dataset")?,
                    period: parse_period(text(r, 1, TABLE, "period")?, TABLE)?,
                    org_unit: old_uid(r, 2, TABLE, "orgunit")?,
                    attribute_option_combo: old_uid(r, 3, TABLE, "attributeoptioncombo")?,
                    date: parse_date(text(r, 4, TABLE, "date")?, TABLE, "date")?,
                    stored_by: text(r, 5, TABLE, "storedby")?.to_owned(),
                    last_updated: read_timestamp(
                        text(r, 6, TABLE, "lastupdated")?,
                        TABLE,
                        "lastupdated",
                    )?,
                    completed: integer(r, 7, TABLE, "completed")? != 0,
                });
            }
        }
        self.write_completions(&completions, change)
    }

    fn copy_lock_exceptions(&mut self) -> Result<(), StoreError> {
        const TABLE: &str = "lockexception";
        let conn = &self.conn;
        let keys = &mut self.keys;
        let mut select = conn
            .prepare("SELECT dataset, period, orgunit FROM old_lockexception")
            .map_err(db("reading the old lock exceptions"))?;
        let mut insert = conn
            .prepare(
                "INSERT OR IGNORE INTO lockexception (datasetid, periodid, sourceid) \
                 VALUES (?1, ?2, ?3)",
            )
            .map_err(db("copying lock exceptions"))?;
        let mut rows = select
            .query([])
            .map_err(db("reading the old lock exceptions"))?;
        while let Some(r) = rows.next().map_err(db("reading the old lock exceptions"))? {
            let ds = keys
                .data_sets
                .get_or_create(conn, &old_uid(r, 0, TABLE, "dataset")?)?;
            let pe = keys
                .periods
                .get_or_create(conn, &parse_period(text(r, 1, TABLE, "period")?, TABLE)?)?;
            let ou = keys
                .org_units
                .get_or_create(conn, &old_uid(r, 2, TABLE, "orgunit")?)?;
            insert
                .execute(params![ds, pe, ou])
                .map_err(db("copying lock exceptions"))?;
        }
        Ok(())
    }
}

/// The UID in column `idx` of an old row.
fn old_uid(
    r: &rusqlite::Row<'_>,
    idx: usize,
    table: &str,
    column: &str,
) -> Result<Uid, StoreError> {
    parse_uid(text(r, idx, table, column)?, table, column)
}

/// The key in the first five columns (data element, period, org unit, COC, AOC) of an old row.
fn old_key(r: &rusqlite::Row<'_>, table: &str) -> Result<DataValueKey, StoreError> {
    Ok(DataValueKey {
        data_element: old_uid(r, 0, table, "dataelement")?,
        period: parse_period(text(r, 1, table, "period")?, table)?,
        org_unit: old_uid(r, 2, table, "orgunit")?,
        category_option_combo: old_uid(r, 3, table, "categoryoptioncombo")?,
        attribute_option_combo: old_uid(r, 4, table, "attributeoptioncombo")?,
    })
}
