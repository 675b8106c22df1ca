//! Write transactions: `begin` takes the writer lock (the `store_state` row, waited for at most
//! the lock timeout) and numbers the transaction, `commit` and `rollback` end it; change numbers;
//! running one call in a transaction of its own when none is open; a transaction in which a
//! statement failed is rolled back rather than committed.

use dxf2_store::StoreError;

use crate::columns::{backend, counts, first_value, is_lock_timeout, pg};
use crate::PostgresStore;

/// The open transaction.
#[derive(Debug)]
pub(crate) struct Txn {
    /// Its number (rows it inserts carry it in `txn`).
    pub(crate) number: i64,
    /// The last change number given (in this transaction or before it).
    pub(crate) last_change: i64,
    /// A statement failed: the server has aborted the transaction, which can only roll back.
    pub(crate) failed: bool,
}

impl PostgresStore {
    /// `begin`: opens a transaction and takes the writer lock.
    pub(crate) fn begin_txn(&mut self) -> Result<(), StoreError> {
        self.writable("begin: the store was opened read-only")?;
        if self.txn.is_some() {
            return Err(StoreError::Misuse("begin: a transaction is already open"));
        }
        let wait_ms = self.lock_timeout.as_millis().clamp(1, i32::MAX as u128);
        // One round trip: the writer lock is the row lock the UPDATE takes on `store_state`,
        // held until the transaction ends; a lock wait beyond `lock_timeout` fails (55P03).
        // Sequential scans are off for the transaction: the statistics of a table that an
        // import fills are those of its empty start, which would make the planner scan it for
        // every batch's lookup and merge instead of using the primary key. JIT compilation is
        // off too: the cost that keeps sequential scans out would otherwise set off a JIT
        // compilation of every batch's statements (tens of milliseconds each).
        let sql = format!(
            "BEGIN; SET LOCAL lock_timeout = {wait_ms}; \
             UPDATE store_state SET last_txn = last_txn + 1 WHERE id = 1 \
               RETURNING last_txn, last_change; \
             SET LOCAL lock_timeout = 0; SET LOCAL enable_seqscan = off; SET LOCAL jit = off"
        );
        let messages = match self.client.simple_query(&sql) {
            Ok(messages) => messages,
            Err(e) => {
                // The transaction, if it began, is aborted: end it (nothing was changed).
                let _ = self.client.batch_execute("ROLLBACK");
                return Err(if is_lock_timeout(&e) {
                    StoreError::Busy(format!(
                        "another import is writing to {} (waited {:.1} s for it to finish)",
                        self.location,
                        self.lock_timeout.as_secs_f64()
                    ))
                } else {
                    backend("beginning a transaction", e)
                });
            }
        };
        let number = first_value(&messages, 0).and_then(|v| v.parse::<i64>().ok());
        let last_change = first_value(&messages, 1).and_then(|v| v.parse::<i64>().ok());
        let (Some(number), Some(last_change)) = (number, last_change) else {
            let _ = self.client.batch_execute("ROLLBACK");
            return Err(StoreError::Incompatible(format!(
                "{}: store_state has no row",
                self.location
            )));
        };
        self.txn = Some(Txn {
            number,
            last_change,
            failed: false,
        });
        Ok(())
    }

    /// `commit`: makes the transaction durable (or, if a statement in it failed, rolls it back
    /// and says so).
    pub(crate) fn commit_txn(&mut self) -> Result<(), StoreError> {
        let Some(txn) = self.txn.take() else {
            return Err(StoreError::Misuse("commit: no open transaction"));
        };
        if txn.failed {
            self.forget_uncommitted();
            let rolled_back = self.client.batch_execute("ROLLBACK");
            rolled_back.map_err(pg("rolling back a failed transaction"))?;
            return Err(StoreError::Misuse(
                "commit: a statement of this transaction failed; it was rolled back",
            ));
        }
        // A COMMIT that fails (the connection lost) leaves nothing committed on the server;
        // forget what this transaction added to the caches either way, unless it committed.
        match self.client.batch_execute("COMMIT") {
            Ok(()) => Ok(()),
            Err(e) => {
                self.forget_uncommitted();
                Err(backend("committing the transaction", e))
            }
        }
    }

    /// `rollback`: discards the transaction.
    pub(crate) fn rollback_txn(&mut self) -> Result<(), StoreError> {
        if self.txn.take().is_none() {
            return Err(StoreError::Misuse("rollback: no open transaction"));
        }
        self.forget_uncommitted();
        self.client
            .batch_execute("ROLLBACK")
            .map_err(pg("rolling back the transaction"))
    }

    /// Forgets what an uncommitted transaction may have added to the connection's caches (ids
    /// given to new UIDs and periods, the staging table).
    fn forget_uncommitted(&mut self) {
        self.dims.clear();
        self.buffers.forget_stage();
    }

    /// Runs `f` in the open transaction, or in one of its own (committed when `f` succeeds,
    /// rolled back when it fails) when none is open.
    pub(crate) fn in_write_txn<T>(
        &mut self,
        f: impl FnOnce(&mut PostgresStore) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        if let Some(txn) = &self.txn {
            if txn.failed {
                return Err(StoreError::Misuse(
                    "a statement of this transaction failed: roll it back",
                ));
            }
            let result = f(self);
            return self.note(result);
        }
        self.begin_txn()?;
        match f(self) {
            Ok(value) => {
                self.commit_txn()?;
                Ok(value)
            }
            Err(e) => {
                // The error says what went wrong; a failed rollback adds nothing to it.
                let _ = self.rollback_txn();
                Err(e)
            }
        }
    }

    /// Marks the open transaction failed when `result` is a database error (the server aborts
    /// a transaction in which a statement failed); returns `result`.
    pub(crate) fn note<T>(&mut self, result: Result<T, StoreError>) -> Result<T, StoreError> {
        if let (Err(StoreError::Backend { .. }), Some(txn)) = (&result, &mut self.txn) {
            txn.failed = true;
        }
        result
    }

    /// Marks the open transaction failed (a refused batch may have been applied in part).
    pub(crate) fn poison(&mut self) {
        if let Some(txn) = &mut self.txn {
            txn.failed = true;
        }
    }

    /// Fails with `refusal` on a read-only store.
    pub(crate) fn writable(&self, refusal: &'static str) -> Result<(), StoreError> {
        if self.read_only {
            Err(StoreError::Misuse(refusal))
        } else {
            Ok(())
        }
    }

    /// The number of the next change (the transaction's last one plus one); the caller records
    /// it with [`PostgresStore::set_last_change`] once the change is written.
    pub(crate) fn next_change(&self) -> Result<i64, StoreError> {
        self.txn
            .as_ref()
            .map(|t| t.last_change + 1)
            .ok_or(StoreError::Misuse("a write outside a transaction"))
    }

    /// Records `change` as the last change number (in `store_state`, as part of the transaction).
    pub(crate) fn set_last_change(&mut self, change: i64) -> Result<(), StoreError> {
        self.client
            .execute(
                "UPDATE store_state SET last_change = $1 WHERE id = 1",
                &[&change],
            )
            .map_err(pg("numbering the change"))?;
        if let Some(txn) = &mut self.txn {
            txn.last_change = change;
        }
        Ok(())
    }

    /// The number of the open transaction, if any.
    pub(crate) fn txn_number(&self) -> Option<i64> {
        self.txn.as_ref().map(|t| t.number)
    }

    /// The row counts of a simple query's statements (for merges that must touch every row).
    pub(crate) fn simple_counts(
        &mut self,
        sql: &str,
        doing: &'static str,
    ) -> Result<Vec<u64>, StoreError> {
        let messages = self.client.simple_query(sql).map_err(pg(doing))?;
        Ok(counts(&messages))
    }
}
