//! [`Within`]: a store whose transaction is already open, for an importer that begins and
//! commits its own: its `begin` and `commit` join the open transaction (which the sync import
//! commits with its metadata, completions and records); its `rollback` rolls everything back.

use dxf2_model::{Period, Uid};

use crate::store::{
    Audit, Changes, Completion, DataValueKey, DataValueStore, Existing, StoreError, StoredValue,
    ValueQuery,
};

/// See the module docs.
pub(super) struct Within<'s, S: DataValueStore + ?Sized> {
    store: &'s mut S,
    rolled_back: bool,
}

impl<'s, S: DataValueStore + ?Sized> Within<'s, S> {
    /// Wraps `store`, whose transaction is open.
    pub(super) fn new(store: &'s mut S) -> Within<'s, S> {
        Within {
            store,
            rolled_back: false,
        }
    }

    /// Whether the importer rolled the transaction back.
    pub(super) fn rolled_back(&self) -> bool {
        self.rolled_back
    }
}

impl<S: DataValueStore + ?Sized> DataValueStore for Within<'_, S> {
    fn begin(&mut self) -> Result<(), StoreError> {
        Ok(())
    }
    fn commit(&mut self) -> Result<(), StoreError> {
        Ok(())
    }
    fn rollback(&mut self) -> Result<(), StoreError> {
        if self.rolled_back {
            return Ok(());
        }
        self.rolled_back = true;
        self.store.rollback()
    }
    fn lookup(
        &mut self,
        keys: &[DataValueKey],
        found: &mut dyn FnMut(usize, &StoredValue, Existing) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        self.store.lookup(keys, found)
    }
    fn apply(&mut self, changes: &Changes) -> Result<(), StoreError> {
        self.store.apply(changes)
    }
    fn completion(
        &mut self,
        data_set: &Uid,
        period: &Period,
        org_unit: &Uid,
        attribute_option_combo: &Uid,
    ) -> Result<Option<Completion>, StoreError> {
        self.store
            .completion(data_set, period, org_unit, attribute_option_combo)
    }
    fn has_lock_exception(
        &mut self,
        data_set: &Uid,
        period: &Period,
        org_unit: &Uid,
    ) -> Result<bool, StoreError> {
        self.store.has_lock_exception(data_set, period, org_unit)
    }
    fn query(
        &mut self,
        query: &ValueQuery,
        each: &mut dyn FnMut(&StoredValue) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        self.store.query(query, each)
    }
    fn audits(&mut self, key: &DataValueKey) -> Result<Vec<Audit>, StoreError> {
        self.store.audits(key)
    }
    fn add_lock_exception(
        &mut self,
        data_set: &Uid,
        period: &Period,
        org_unit: &Uid,
    ) -> Result<(), StoreError> {
        self.store.add_lock_exception(data_set, period, org_unit)
    }
    fn store_id(&mut self) -> Result<String, StoreError> {
        self.store.store_id()
    }
    fn last_change(&mut self) -> Result<u64, StoreError> {
        self.store.last_change()
    }
    fn changed_completions(
        &mut self,
        since: u64,
        each: &mut dyn FnMut(&Completion) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        self.store.changed_completions(since, each)
    }
    fn put_record(&mut self, kind: &str, id: &str, body: &str) -> Result<(), StoreError> {
        self.store.put_record(kind, id, body)
    }
    fn record(&mut self, kind: &str, id: &str) -> Result<Option<String>, StoreError> {
        self.store.record(kind, id)
    }
    fn delete_record(&mut self, kind: &str, id: &str) -> Result<bool, StoreError> {
        self.store.delete_record(kind, id)
    }
    fn records(
        &mut self,
        kind: &str,
        each: &mut dyn FnMut(&str, &str) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        self.store.records(kind, each)
    }
}
