//! Records (`record`: kind, id, body), how an import journal or a sync log keeps its entries in
//! the store; and the store's identity and change number (`store_state`).

use dxf2_store::StoreError;
use rusqlite::{params, OptionalExtension};

use crate::columns::{db, integer, text};
use crate::SqliteStore;

const UPSERT_RECORD: &str = "INSERT INTO record (kind, id, body) VALUES (?1, ?2, ?3) \
     ON CONFLICT (kind, id) DO UPDATE SET body = excluded.body";

impl SqliteStore {
    /// Creates or replaces a record, in the open transaction or in one of its own.
    pub(crate) fn write_record(
        &mut self,
        kind: &str,
        id: &str,
        body: &str,
    ) -> Result<(), StoreError> {
        self.in_transaction(|s| {
            let mut stmt = s
                .conn
                .prepare_cached(UPSERT_RECORD)
                .map_err(db("writing a record"))?;
            stmt.execute(params![kind, id, body])
                .map_err(db("writing a record"))?;
            Ok(())
        })
    }

    /// Removes a record, in the open transaction or in one of its own; whether there was one.
    pub(crate) fn remove_record(&mut self, kind: &str, id: &str) -> Result<bool, StoreError> {
        self.in_transaction(|s| {
            let mut stmt = s
                .conn
                .prepare_cached("DELETE FROM record WHERE kind = ?1 AND id = ?2")
                .map_err(db("deleting a record"))?;
            let removed = stmt
                .execute(params![kind, id])
                .map_err(db("deleting a record"))?;
            Ok(removed > 0)
        })
    }

    /// The body of a record.
    pub(crate) fn read_record(
        &mut self,
        kind: &str,
        id: &str,
    ) -> Result<Option<String>, StoreError> {
        self.current()?;
        let mut stmt = self
            .conn
            .prepare_cached("SELECT body FROM record WHERE kind = ?1 AND id = ?2")
            .map_err(db("reading a record"))?;
        stmt.query_row(params![kind, id], |r| r.get::<_, String>(0))
            .optional()
            .map_err(db("reading a record"))
    }

    /// Calls `each(id, body)` for every record of `kind`, by id.
    pub(crate) fn read_records(
        &mut self,
        kind: &str,
        each: &mut dyn FnMut(&str, &str) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        self.current()?;
        let mut stmt = self
            .conn
            .prepare_cached("SELECT id, body FROM record WHERE kind = ?1 ORDER BY id")
            .map_err(db("reading records"))?;
        let mut rows = stmt.query([kind]).map_err(db("reading records"))?;
        while let Some(r) = rows.next().map_err(db("reading records"))? {
            each(text(r, 0, "record", "id")?, text(r, 1, "record", "body")?)?;
        }
        Ok(())
    }

    /// The store's id (read once).
    pub(crate) fn read_store_id(&mut self) -> Result<String, StoreError> {
        self.current()?;
        if let Some(id) = &self.store_id {
            return Ok(id.clone());
        }
        let id = self
            .conn
            .query_row("SELECT store_id FROM store_state WHERE id = 1", [], |r| {
                r.get::<_, String>(0)
            })
            .map_err(db("reading the store id"))?;
        self.store_id = Some(id.clone());
        Ok(id)
    }

    /// The last change number given (including those of the open transaction).
    pub(crate) fn read_last_change(&mut self) -> Result<u64, StoreError> {
        self.current()?;
        let mut stmt = self
            .conn
            .prepare_cached("SELECT last_change FROM store_state WHERE id = 1")
            .map_err(db("reading the change number"))?;
        let mut rows = stmt.query([]).map_err(db("reading the change number"))?;
        let Some(r) = rows.next().map_err(db("reading the change number"))? else {
            return Err(StoreError::Incompatible(format!(
                "`{}`: the store_state table is empty",
                self.location
            )));
        };
        let n = integer(r, 0, "store_state", "last_change")?;
        u64::try_from(n).map_err(|_| {
            StoreError::Incompatible(format!(
                "store_state: column `last_change` holds {n}, expected a number from 0"
            ))
        })
    }
}
