//! Write transactions: `BEGIN IMMEDIATE` with the upgrade of an old schema inside it, the
//! numbering of import transactions (`store_state.last_txn`, which tells rows inserted by the
//! running import), commit and rollback, read-only refusal, and nested work in a savepoint.

use import_engine::store::StoreError;
use rusqlite::OptionalExtension;

use crate::columns::db;
use crate::schema::{MIGRATE_FROM_V1, SCHEMA_VERSION};
use crate::SqliteStore;

impl SqliteStore {
    /// Starts the import's write transaction and numbers it.
    pub(crate) fn begin_txn(&mut self) -> Result<(), StoreError> {
        if self.txn.is_some() {
            return Err(StoreError::Misuse("begin: a transaction is already open"));
        }
        self.begin_write()?;
        let number = self
            .conn
            .query_row(
                "UPDATE store_state SET last_txn = last_txn + 1 WHERE id = 1 RETURNING last_txn",
                [],
                |r| r.get::<_, i64>(0),
            )
            .optional();
        match number {
            Ok(Some(n)) => {
                self.txn = Some(n);
                Ok(())
            }
            Ok(None) => {
                let _ = self.conn.execute_batch("ROLLBACK");
                Err(StoreError::Incompatible(format!(
                    "`{}`: the store_state table is empty",
                    self.location
                )))
            }
            Err(e) => {
                let _ = self.conn.execute_batch("ROLLBACK");
                Err(db("numbering the transaction")(e))
            }
        }
    }

    /// Commits the import's transaction.
    pub(crate) fn commit_txn(&mut self) -> Result<(), StoreError> {
        if self.txn.is_none() {
            return Err(StoreError::Misuse("commit: no open transaction"));
        }
        let result = self.conn.execute_batch("COMMIT").map_err(db("committing"));
        // A failed COMMIT may leave the transaction open (then the caller can roll back).
        if self.conn.is_autocommit() {
            self.txn = None;
        }
        if result.is_ok() {
            self.committed();
        }
        result
    }

    /// Rolls the import's transaction back.
    pub(crate) fn rollback_txn(&mut self) -> Result<(), StoreError> {
        if self.txn.is_none() {
            return Err(StoreError::Misuse("rollback: no open transaction"));
        }
        self.txn = None;
        if self.conn.is_autocommit() {
            // SQLite already rolled back (after an error that ends transactions).
            return Ok(());
        }
        self.conn
            .execute_batch("ROLLBACK")
            .map_err(db("rolling back"))
    }

    /// Fails with [`StoreError::Misuse`] on a read-only store.
    pub(crate) fn writable(&self) -> Result<(), StoreError> {
        if self.read_only {
            Err(StoreError::Misuse("the store was opened read-only"))
        } else {
            Ok(())
        }
    }

    /// Starts a write transaction (`BEGIN IMMEDIATE`) and upgrades an old schema inside it.
    pub(crate) fn begin_write(&mut self) -> Result<(), StoreError> {
        self.writable()?;
        self.conn
            .execute_batch("BEGIN IMMEDIATE")
            .map_err(db("beginning a transaction"))?;
        if self.schema_version < SCHEMA_VERSION {
            if let Err(e) = self.conn.execute_batch(MIGRATE_FROM_V1) {
                let _ = self.conn.execute_batch("ROLLBACK");
                return Err(db("upgrading the store from schema version 1")(e));
            }
        }
        Ok(())
    }

    /// Marks an upgrade done by the write transaction just committed.
    pub(crate) fn committed(&mut self) {
        self.schema_version = SCHEMA_VERSION;
    }
    /// Runs `f` inside the open transaction, or inside a transaction of its own.
    pub(crate) fn in_transaction(
        &mut self,
        f: impl FnOnce(&mut SqliteStore) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        if self.txn.is_some() {
            // Inside the open transaction, a failure undoes this call's changes only.
            self.conn
                .execute_batch("SAVEPOINT nested")
                .map_err(db("beginning a savepoint"))?;
            return match f(self) {
                Ok(()) => self
                    .conn
                    .execute_batch("RELEASE nested")
                    .map_err(db("releasing a savepoint")),
                Err(e) => {
                    // The original error matters more than a failed rollback.
                    let _ = self
                        .conn
                        .execute_batch("ROLLBACK TO nested; RELEASE nested");
                    Err(e)
                }
            };
        }
        self.begin_write()?;
        match f(self) {
            Ok(()) => {
                self.conn
                    .execute_batch("COMMIT")
                    .map_err(db("committing"))?;
                self.committed();
                Ok(())
            }
            Err(e) => {
                // The original error matters more than a failed rollback.
                let _ = self.conn.execute_batch("ROLLBACK");
                Err(e)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use import_engine::store::DataValueStore;

    use super::*;
    #[test]
    fn transactions_are_numbered() {
        let mut store = SqliteStore::open_in_memory().unwrap();
        store.begin().unwrap();
        assert_eq!(store.txn, Some(1));
        store.commit().unwrap();
        store.begin().unwrap();
        assert_eq!(store.txn, Some(2));
        store.rollback().unwrap();
        assert_eq!(store.txn, None);
        store.begin().unwrap();
        assert_eq!(store.txn, Some(2));
        store.commit().unwrap();
    }
}
