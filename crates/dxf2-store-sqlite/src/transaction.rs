//! Write transactions: `BEGIN IMMEDIATE` (a second writer waits for the busy timeout, then gets
//! [`StoreError::Busy`]), the numbering of import transactions (`store_state.last_txn`, which
//! tells rows inserted by the running import), change numbers, commit and rollback (which also
//! forget the ids the transaction made), read-only refusal, and nested work in a savepoint.

use dxf2_store::StoreError;
use rusqlite::OptionalExtension;

use crate::columns::{db, is_busy};
use crate::SqliteStore;

impl SqliteStore {
    /// Starts the import's write transaction and numbers it.
    pub(crate) fn begin_txn(&mut self) -> Result<(), StoreError> {
        if self.txn.is_some() || self.writing {
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
                let empty = self
                    .conn
                    .query_row("SELECT NOT EXISTS (SELECT 1 FROM datavalue)", [], |r| {
                        r.get::<_, bool>(0)
                    })
                    .map_err(db("reading the values"));
                let empty = self.end_write_on_error(empty)?;
                self.bulk.start(empty);
                Ok(())
            }
            Ok(None) => self.end_write(Err(StoreError::Incompatible(format!(
                "`{}`: the store_state table is empty",
                self.location
            )))),
            Err(e) => self.end_write(Err(db("numbering the transaction")(e))),
        }
    }

    /// Commits the import's transaction.
    pub(crate) fn commit_txn(&mut self) -> Result<(), StoreError> {
        if self.txn.is_none() {
            return Err(StoreError::Misuse("commit: no open transaction"));
        }
        // The transaction stays open when the waiting rows cannot be written.
        self.flush_bulk()?;
        let result = self.conn.execute_batch("COMMIT").map_err(db("committing"));
        match result {
            Ok(()) => {
                self.bulk.stop();
                self.keys.commit();
                self.txn = None;
                self.writing = false;
            }
            // A failed COMMIT may leave the transaction open (then the caller can roll back);
            // when SQLite rolled it back, the transaction is over.
            Err(_) if self.conn.is_autocommit() => {
                self.bulk.stop();
                self.keys.rollback();
                self.txn = None;
                self.writing = false;
            }
            Err(_) => {}
        }
        result
    }

    /// Rolls the import's transaction back.
    pub(crate) fn rollback_txn(&mut self) -> Result<(), StoreError> {
        if self.txn.is_none() {
            return Err(StoreError::Misuse("rollback: no open transaction"));
        }
        self.txn = None;
        self.writing = false;
        self.keys.rollback();
        self.bulk.stop();
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

    /// `BEGIN IMMEDIATE`: takes the write lock, waiting up to the busy timeout for another
    /// writer; then [`StoreError::Busy`].
    pub(crate) fn begin_write_raw(&mut self) -> Result<(), StoreError> {
        match self.conn.execute_batch("BEGIN IMMEDIATE") {
            Ok(()) => Ok(()),
            Err(e) if is_busy(&e) => Err(StoreError::Busy(format!(
                "another import is writing to this store; gave up after waiting {:.1} s for it \
                 to finish",
                self.busy_timeout.as_secs_f64()
            ))),
            Err(e) => Err(db("beginning a transaction")(e)),
        }
    }

    /// Starts a write transaction and brings the ids in memory up to date (inside it, an id
    /// the store does not know does not exist).
    pub(crate) fn begin_write(&mut self) -> Result<(), StoreError> {
        self.writable()?;
        self.current()?;
        self.begin_write_raw()?;
        self.writing = true;
        let synced = self.keys.sync(&self.conn);
        if synced.is_err() {
            self.writing = false;
        }
        self.end_write_on_error(synced)
    }

    /// Rolls the write transaction back when `result` is an error; hands `result` on.
    fn end_write_on_error<T>(&mut self, result: Result<T, StoreError>) -> Result<T, StoreError> {
        if result.is_err() {
            // The original error matters more than a failed rollback.
            let _ = self.conn.execute_batch("ROLLBACK");
            self.keys.rollback();
            self.bulk.stop();
            self.writing = false;
            self.txn = None;
        }
        result
    }

    /// Ends the write transaction begun by [`begin_write`](Self::begin_write) or
    /// [`begin_write_raw`](Self::begin_write_raw): commits when `result` is `Ok`, rolls back
    /// otherwise; hands `result` on (or the failure to commit).
    pub(crate) fn end_write<T>(&mut self, result: Result<T, StoreError>) -> Result<T, StoreError> {
        let value = self.end_write_on_error(result)?;
        let committed = self.conn.execute_batch("COMMIT").map_err(db("committing"));
        self.writing = false;
        self.txn = None;
        match committed {
            Ok(()) => {
                self.keys.commit();
                Ok(value)
            }
            Err(e) => {
                if !self.conn.is_autocommit() {
                    let _ = self.conn.execute_batch("ROLLBACK");
                }
                self.keys.rollback();
                Err(e)
            }
        }
    }

    /// Runs `f` inside the open write transaction (in a savepoint, so that a failure undoes
    /// this call's changes only), or inside a write transaction of its own.
    pub(crate) fn in_transaction<T>(
        &mut self,
        f: impl FnOnce(&mut SqliteStore) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        self.writable()?;
        if self.writing {
            let mark = self.keys.mark();
            self.conn
                .execute_batch("SAVEPOINT nested")
                .map_err(db("beginning a savepoint"))?;
            return match f(self) {
                Ok(value) => {
                    self.conn
                        .execute_batch("RELEASE nested")
                        .map_err(db("releasing a savepoint"))?;
                    Ok(value)
                }
                Err(e) => {
                    // The original error matters more than a failed rollback.
                    let _ = self
                        .conn
                        .execute_batch("ROLLBACK TO nested; RELEASE nested");
                    self.keys.rollback_to(mark);
                    Err(e)
                }
            };
        }
        self.begin_write()?;
        let result = f(self);
        self.end_write(result)
    }

    /// The next change number (inside a write transaction): every batch that writes rows or
    /// completions takes one.
    pub(crate) fn next_change(&mut self) -> Result<i64, StoreError> {
        self.conn
            .query_row(
                "UPDATE store_state SET last_change = last_change + 1 WHERE id = 1 \
                 RETURNING last_change",
                [],
                |r| r.get::<_, i64>(0),
            )
            .map_err(db("numbering the change"))
    }
}

#[cfg(test)]
mod tests {
    use dxf2_store::DataValueStore;

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
