//! [`TempStore`]: a store kept in a place of its own (a temporary file, a PostgreSQL schema),
//! removed when the store is dropped; how the store crates' scenario tests get a fresh store per
//! call of `fresh_store()` without leaving files or schemas behind. (Shared as source with
//! `dxf2-store-postgres`'s tests.)
#![allow(dead_code)]

use dxf2_model::{Metadata, Period, Uid};
use dxf2_store::{
    Audit, Changes, Completion, DataValueKey, DataValueStore, Existing, MetadataStore, StoreError,
    StoredValue, ValueQuery,
};

/// A store and the place it lives in. The store is dropped (closed) first, then the place
/// (which removes itself when dropped). Every method of the store traits goes to the store.
pub struct TempStore<S, P> {
    /// The store.
    pub store: S,
    /// Where it lives: removed when dropped, after the store is closed (fields drop in order).
    _place: P,
}

impl<S, P> TempStore<S, P> {
    /// `store`, living in `place`.
    pub fn new(store: S, place: P) -> TempStore<S, P> {
        TempStore {
            store,
            _place: place,
        }
    }
}

impl<S: DataValueStore, P> DataValueStore for TempStore<S, P> {
    fn begin(&mut self) -> Result<(), StoreError> {
        self.store.begin()
    }

    fn commit(&mut self) -> Result<(), StoreError> {
        self.store.commit()
    }

    fn rollback(&mut self) -> Result<(), StoreError> {
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

impl<S: MetadataStore, P> MetadataStore for TempStore<S, P> {
    fn load_metadata(&mut self) -> Result<Metadata, StoreError> {
        self.store.load_metadata()
    }

    fn save_metadata(&mut self, metadata: &Metadata) -> Result<(), StoreError> {
        self.store.save_metadata(metadata)
    }
}
