//! Records (`record`: kind, id, body; how a journal or a sync log keeps its entries), the store's
//! id and its last change number (`store_state`).

use dxf2_store::StoreError;

use crate::columns::{get, pg};
use crate::PostgresStore;

impl PostgresStore {
    /// `put_record`: in the open transaction, or written at once.
    pub(crate) fn write_record(
        &mut self,
        kind: &str,
        id: &str,
        body: &str,
    ) -> Result<(), StoreError> {
        if self.txn.as_ref().is_some_and(|t| t.failed) {
            return Err(StoreError::Misuse(
                "put_record: a statement of this transaction failed: roll it back",
            ));
        }
        self.client
            .execute(
                "INSERT INTO record (kind, id, body) VALUES ($1, $2, $3) \
                 ON CONFLICT (kind, id) DO UPDATE SET body = excluded.body",
                &[&kind, &id, &body],
            )
            .map_err(pg("writing a record"))?;
        Ok(())
    }

    /// `delete_record`: in the open transaction, or removed at once; whether there was one.
    pub(crate) fn remove_record(&mut self, kind: &str, id: &str) -> Result<bool, StoreError> {
        if self.txn.as_ref().is_some_and(|t| t.failed) {
            return Err(StoreError::Misuse(
                "delete_record: a statement of this transaction failed: roll it back",
            ));
        }
        let removed = self
            .client
            .execute(
                "DELETE FROM record WHERE kind = $1 AND id = $2",
                &[&kind, &id],
            )
            .map_err(pg("deleting a record"))?;
        Ok(removed > 0)
    }

    /// `record`.
    pub(crate) fn read_record(
        &mut self,
        kind: &str,
        id: &str,
    ) -> Result<Option<String>, StoreError> {
        let row = self
            .client
            .query_opt(
                "SELECT body FROM record WHERE kind = $1 AND id = $2",
                &[&kind, &id],
            )
            .map_err(pg("reading a record"))?;
        row.map(|r| get(&r, 0, "record", "body")).transpose()
    }

    /// `records`: every record of `kind`, by id.
    pub(crate) fn read_records(
        &mut self,
        kind: &str,
        each: &mut dyn FnMut(&str, &str) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        let rows = self
            .client
            .query(
                "SELECT id, body FROM record WHERE kind = $1 ORDER BY id",
                &[&kind],
            )
            .map_err(pg("reading records"))?;
        for r in &rows {
            each(get(r, 0, "record", "id")?, get(r, 1, "record", "body")?)?;
        }
        Ok(())
    }

    /// `store_id`.
    pub(crate) fn read_store_id(&mut self) -> Result<String, StoreError> {
        let row = self
            .client
            .query_one("SELECT store_id FROM store_state WHERE id = 1", &[])
            .map_err(pg("reading the store id"))?;
        get(&row, 0, "store_state", "store_id")
    }

    /// `last_change`: the open transaction's own, or the last committed one.
    pub(crate) fn read_last_change(&mut self) -> Result<u64, StoreError> {
        if let Some(txn) = &self.txn {
            return Ok(u64::try_from(txn.last_change).unwrap_or_default());
        }
        let row = self
            .client
            .query_one("SELECT last_change FROM store_state WHERE id = 1", &[])
            .map_err(pg("reading the last change number"))?;
        let n: i64 = get(&row, 0, "store_state", "last_change")?;
        Ok(u64::try_from(n).unwrap_or_default())
    }
}
