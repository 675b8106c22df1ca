//! A [`MemoryStore`] shared by several handles, as connections share a database: the committed
//! store sits behind a lock; a writer's `begin` takes the store's write lock (waiting a bounded
//! time, then refused with [`StoreError::Busy`]) and works on a copy of the committed store, which
//! its `commit` publishes; readers outside a transaction read the committed store. Dropping a
//! handle with a transaction open discards the copy and frees the write lock, as a killed import
//! leaves a persistent store.
//!
//! It lets the suite's cases that need a second handle or a real reopen run in this crate.

use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use dxf2_model::{Metadata, Period, Uid};
use dxf2_store::conformance::Harness;
use dxf2_store::{
    Audit, Changes, Completion, DataValueKey, DataValueStore, Existing, MemoryStore, MetadataStore,
    ObjectChanges, ObjectStore, StoreError, StoredObject, StoredValue, ValueQuery,
};

/// How long a writer waits for the write lock before it is refused.
const WAIT: Duration = Duration::from_secs(5);

/// What the handles of one store share.
#[derive(Default)]
struct Shared {
    /// The committed store.
    committed: Mutex<MemoryStore>,
    /// Whether a handle holds the write lock.
    writing: Mutex<bool>,
    /// Signalled when the write lock is freed.
    freed: Condvar,
}

impl Shared {
    fn committed(&self) -> MutexGuard<'_, MemoryStore> {
        self.committed
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    fn lock_for_writing(&self) -> Result<(), StoreError> {
        let deadline = Instant::now() + WAIT;
        let mut writing = self.writing.lock().unwrap_or_else(PoisonError::into_inner);
        while *writing {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(StoreError::Busy(
                    "another handle holds the write lock".to_owned(),
                ));
            }
            writing = self
                .freed
                .wait_timeout(writing, left)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
        *writing = true;
        Ok(())
    }

    fn unlock_for_writing(&self) {
        *self.writing.lock().unwrap_or_else(PoisonError::into_inner) = false;
        self.freed.notify_all();
    }
}

/// One handle (connection) on a shared store.
pub struct SharedHandle {
    shared: Arc<Shared>,
    /// The open transaction's copy of the store.
    txn: Option<MemoryStore>,
}

impl SharedHandle {
    fn on(shared: Arc<Shared>) -> SharedHandle {
        SharedHandle { shared, txn: None }
    }

    /// Runs a read on the transaction's copy, or on the committed store.
    fn read<T>(
        &mut self,
        f: impl FnOnce(&mut MemoryStore) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        match &mut self.txn {
            Some(copy) => f(copy),
            None => f(&mut self.shared.committed()),
        }
    }

    /// Runs a write on the transaction's copy, or (holding the write lock) on the committed
    /// store.
    fn write<T>(
        &mut self,
        f: impl FnOnce(&mut MemoryStore) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        match &mut self.txn {
            Some(copy) => f(copy),
            None => {
                self.shared.lock_for_writing()?;
                let result = f(&mut self.shared.committed());
                self.shared.unlock_for_writing();
                result
            }
        }
    }
}

impl Drop for SharedHandle {
    fn drop(&mut self) {
        if self.txn.take().is_some() {
            self.shared.unlock_for_writing();
        }
    }
}

impl DataValueStore for SharedHandle {
    fn begin(&mut self) -> Result<(), StoreError> {
        if self.txn.is_some() {
            return Err(StoreError::Misuse("begin: a transaction is already open"));
        }
        self.shared.lock_for_writing()?;
        let mut copy = self.shared.committed().clone();
        if let Err(e) = copy.begin() {
            self.shared.unlock_for_writing();
            return Err(e);
        }
        self.txn = Some(copy);
        Ok(())
    }

    fn commit(&mut self) -> Result<(), StoreError> {
        let Some(mut copy) = self.txn.take() else {
            return Err(StoreError::Misuse("commit: no open transaction"));
        };
        let result = copy.commit();
        if result.is_ok() {
            *self.shared.committed() = copy;
        }
        self.shared.unlock_for_writing();
        result
    }

    fn rollback(&mut self) -> Result<(), StoreError> {
        if self.txn.take().is_none() {
            return Err(StoreError::Misuse("rollback: no open transaction"));
        }
        self.shared.unlock_for_writing();
        Ok(())
    }

    fn lookup(
        &mut self,
        keys: &[DataValueKey],
        found: &mut dyn FnMut(usize, &StoredValue, Existing) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        self.read(|s| s.lookup(keys, found))
    }

    fn apply(&mut self, changes: &Changes) -> Result<(), StoreError> {
        self.write(|s| s.apply(changes))
    }

    fn completion(
        &mut self,
        data_set: &Uid,
        period: &Period,
        org_unit: &Uid,
        attribute_option_combo: &Uid,
    ) -> Result<Option<Completion>, StoreError> {
        self.read(|s| s.completion(data_set, period, org_unit, attribute_option_combo))
    }

    fn has_lock_exception(
        &mut self,
        data_set: &Uid,
        period: &Period,
        org_unit: &Uid,
    ) -> Result<bool, StoreError> {
        self.read(|s| s.has_lock_exception(data_set, period, org_unit))
    }

    fn query(
        &mut self,
        query: &ValueQuery,
        each: &mut dyn FnMut(&StoredValue) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        self.read(|s| s.query(query, each))
    }

    fn audits(&mut self, key: &DataValueKey) -> Result<Vec<Audit>, StoreError> {
        self.read(|s| s.audits(key))
    }

    fn add_lock_exception(
        &mut self,
        data_set: &Uid,
        period: &Period,
        org_unit: &Uid,
    ) -> Result<(), StoreError> {
        self.write(|s| s.add_lock_exception(data_set, period, org_unit))
    }

    fn store_id(&mut self) -> Result<String, StoreError> {
        self.read(|s| s.store_id())
    }

    fn last_change(&mut self) -> Result<u64, StoreError> {
        self.read(|s| s.last_change())
    }

    fn changed_completions(
        &mut self,
        since: u64,
        each: &mut dyn FnMut(&Completion) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        self.read(|s| s.changed_completions(since, each))
    }

    fn put_record(&mut self, kind: &str, id: &str, body: &str) -> Result<(), StoreError> {
        self.write(|s| s.put_record(kind, id, body))
    }

    fn record(&mut self, kind: &str, id: &str) -> Result<Option<String>, StoreError> {
        self.read(|s| s.record(kind, id))
    }

    fn delete_record(&mut self, kind: &str, id: &str) -> Result<bool, StoreError> {
        self.write(|s| s.delete_record(kind, id))
    }

    fn records(
        &mut self,
        kind: &str,
        each: &mut dyn FnMut(&str, &str) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        self.read(|s| s.records(kind, each))
    }
}

impl MetadataStore for SharedHandle {
    fn load_metadata(&mut self) -> Result<Metadata, StoreError> {
        self.read(|s| s.load_metadata())
    }

    fn save_metadata(&mut self, metadata: &Metadata) -> Result<(), StoreError> {
        self.write(|s| s.save_metadata(metadata))
    }
}

impl ObjectStore for SharedHandle {
    fn for_each_object(
        &mut self,
        each: &mut dyn FnMut(&StoredObject) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        self.read(|s| s.for_each_object(each))
    }

    fn apply_objects(
        &mut self,
        changes: &ObjectChanges,
        typed: &Metadata,
    ) -> Result<(), StoreError> {
        self.write(|s| s.apply_objects(changes, typed))
    }
}

/// A new shared store per case; reopening drops the handle and opens a new one on the same
/// store; second handles share it.
pub struct SharedHarness;

impl Harness for SharedHarness {
    type Store = SharedHandle;

    fn fresh(&mut self) -> SharedHandle {
        SharedHandle::on(Arc::new(Shared::default()))
    }

    fn reopen(&mut self, store: SharedHandle) -> SharedHandle {
        let shared = Arc::clone(&store.shared);
        drop(store);
        SharedHandle::on(shared)
    }

    fn second_handle(&mut self, store: &SharedHandle) -> Option<SharedHandle> {
        Some(SharedHandle::on(Arc::clone(&store.shared)))
    }
}
