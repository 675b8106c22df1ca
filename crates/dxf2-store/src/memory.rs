//! [`MemoryStore`]: a [`DataValueStore`] and [`MetadataStore`] held in memory, for tests, dry
//! runs and hosts that keep their data elsewhere.
//!
//! ```
//! use chrono::{TimeZone, Utc};
//! use dxf2_model::{Period, Uid};
//! use dxf2_store::{DataValueKey, DataValueStore, DataValueStoreExt, Existing, MemoryStore, StoredValue, ValueQuery};
//!
//! let uid = |s: &str| Uid::parse(s).unwrap();
//! let key = DataValueKey {
//!     data_element: uid("f7n9E0hX8qk"),
//!     period: "202001".parse::<Period>().unwrap(),
//!     org_unit: uid("DiszpKrYNg8"),
//!     category_option_combo: uid("HllvX50cXC0"),
//!     attribute_option_combo: uid("HllvX50cXC0"),
//! };
//! let now = Utc.with_ymd_and_hms(2024, 1, 2, 3, 4, 5).unwrap();
//! let mut row = StoredValue::empty(key, now);
//! row.value = Some("12".to_owned());
//!
//! let mut store = MemoryStore::new();
//! store.begin().unwrap();
//! store.insert(&row).unwrap();
//! store.commit().unwrap();
//! let query = ValueQuery { data_elements: vec![key.data_element], ..ValueQuery::default() };
//! let mut values = Vec::new();
//! store.query(&query, &mut |v| { values.push(v.value.clone()); Ok(()) }).unwrap();
//! assert_eq!(values, [Some("12".to_owned())]);
//! ```

use std::cmp::Ordering;

use dxf2_model::{Metadata, Period, Uid};
use rustc_hash::{FxHashMap, FxHashSet};

use std::collections::{BTreeMap, HashMap, HashSet};

use crate::changes::{Changes, Write};
use crate::{
    Audit, Completion, DataValueKey, DataValueStore, Existing, MetadataStore, ObjectChanges,
    ObjectStore, StoreError, StoredObject, StoredValue, ValueOrder, ValueQuery,
};

/// The key of a completion registration: (data set, period, org unit, attribute option combo).
type CompletionKey = (Uid, Period, Uid, Uid);
/// The key of a lock exception: (data set, period, org unit).
type LockKey = (Uid, Period, Uid);

/// A stored row, the number of the transaction that inserted it (0: none) and the change
/// number of the batch that last wrote it.
#[derive(Clone, Debug)]
struct Slot {
    row: StoredValue,
    txn: u64,
    change: u64,
}

/// A completion registration and the change number of the batch that last wrote it.
type CompletionSlot = (Completion, u64);

/// The key of a record: (kind, id).
type RecordKey = (String, String);

/// How to undo one change.
#[derive(Clone, Debug)]
enum Undo {
    /// Restore a value row (`None`: remove it).
    Value(DataValueKey, Option<Slot>),
    /// Restore a completion (`None`: remove it).
    Completion(CompletionKey, Option<CompletionSlot>),
    /// Restore a record (`None`: remove it).
    Record(RecordKey, Option<String>),
    /// Remove a lock exception that was added.
    LockException(LockKey),
}

/// An open transaction: a journal of changes to undo on rollback.
#[derive(Clone, Debug)]
struct Txn {
    /// This transaction's number (rows it inserts carry it).
    number: u64,
    /// Undo records, oldest first.
    journal: Vec<Undo>,
    /// Number of audit rows when the transaction began.
    audits_len: usize,
    /// The last change number when the transaction began.
    last_change: u64,
    /// Metadata as it was before the first `save_metadata` of the transaction.
    metadata: Option<Box<Metadata>>,
    /// Objects as they were before the first `apply_objects` of the transaction.
    objects: Option<Vec<StoredObject>>,
}

/// A store held in memory: data values, audits, completions, lock exceptions and metadata.
///
/// [`begin`](DataValueStore::begin) starts a journal; [`rollback`](DataValueStore::rollback)
/// undoes every change since then, exactly. Changes made outside a transaction apply at once.
/// Timestamps are kept exactly as given (the SQLite store keeps milliseconds).
///
/// [`query`](DataValueStore::query) returns rows ordered by period start date, period type (by
/// its DHIS2 name), data element, org unit, category option combo and attribute option combo
/// (UIDs compared as strings).
///
/// A clone is an independent copy of the store, open transaction and [store
/// id](DataValueStore::store_id) included (how a test shares one store between handles).
#[derive(Clone, Debug)]
pub struct MemoryStore {
    values: FxHashMap<DataValueKey, Slot>,
    audits: Vec<Audit>,
    completions: FxHashMap<CompletionKey, CompletionSlot>,
    lock_exceptions: FxHashSet<LockKey>,
    records: BTreeMap<RecordKey, String>,
    metadata: Metadata,
    /// DHIS2 objects, in the order first stored ([`ObjectStore`]).
    objects: Vec<StoredObject>,
    /// (key, uid) → position in `objects`.
    object_index: HashMap<(String, String), usize>,
    txn: Option<Txn>,
    /// The number of the last transaction begun.
    last_txn: u64,
    /// The last change number given.
    last_change: u64,
    /// The store's id, made when the store is.
    id: String,
}

impl Default for MemoryStore {
    fn default() -> MemoryStore {
        MemoryStore::new()
    }
}

impl MemoryStore {
    /// An empty store, with a new [store id](DataValueStore::store_id).
    pub fn new() -> MemoryStore {
        MemoryStore {
            values: FxHashMap::default(),
            audits: Vec::new(),
            completions: FxHashMap::default(),
            lock_exceptions: FxHashSet::default(),
            records: BTreeMap::new(),
            metadata: Metadata::new(),
            objects: Vec::new(),
            object_index: HashMap::new(),
            txn: None,
            last_txn: 0,
            last_change: 0,
            id: crate::new_store_id(),
        }
    }

    /// A store holding `metadata` (as [`save_metadata`](MetadataStore::save_metadata) would);
    /// fails when its org units' parents form a cycle.
    pub fn with_metadata(metadata: &Metadata) -> Result<MemoryStore, StoreError> {
        let mut store = MemoryStore::new();
        store.save_metadata(metadata)?;
        Ok(store)
    }

    /// Number of stored value rows, soft-deleted ones included.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// Whether no value row is stored.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// Whether the metadata catalogue holds no object at all.
    fn metadata_is_empty(&self) -> bool {
        self.metadata.is_empty()
    }
}

/// The store's deterministic order: period start, period type, data element, org unit, COC, AOC.
pub(crate) fn compare_keys(a: &DataValueKey, b: &DataValueKey) -> Ordering {
    a.period
        .start_date()
        .cmp(&b.period.start_date())
        .then_with(|| {
            a.period
                .period_type()
                .name()
                .cmp(b.period.period_type().name())
        })
        .then_with(|| a.data_element.as_str().cmp(b.data_element.as_str()))
        .then_with(|| a.org_unit.as_str().cmp(b.org_unit.as_str()))
        .then_with(|| {
            a.category_option_combo
                .as_str()
                .cmp(b.category_option_combo.as_str())
        })
        .then_with(|| {
            a.attribute_option_combo
                .as_str()
                .cmp(b.attribute_option_combo.as_str())
        })
}

/// DHIS2 2.43+'s export order ([`ValueOrder::Created`]): period start, period end, created, data
/// element, then the rest of the key order to break ties.
fn compare_created(a: &StoredValue, b: &StoredValue) -> Ordering {
    let (ka, kb) = (&a.key, &b.key);
    ka.period
        .start_date()
        .cmp(&kb.period.start_date())
        .then_with(|| ka.period.end_date().cmp(&kb.period.end_date()))
        .then_with(|| a.created.cmp(&b.created))
        .then_with(|| ka.data_element.as_str().cmp(kb.data_element.as_str()))
        .then_with(|| compare_keys(ka, kb))
}

/// A [`ValueQuery`] with its lists turned into sets.
struct Filter<'q> {
    query: &'q ValueQuery,
    data_elements: FxHashSet<Uid>,
    periods: FxHashSet<Period>,
    org_units: Option<FxHashSet<Uid>>,
    attribute_option_combos: FxHashSet<Uid>,
}

impl Filter<'_> {
    fn matches(&self, row: &StoredValue) -> bool {
        let q = self.query;
        let key = &row.key;
        if !self.data_elements.contains(&key.data_element) {
            return false;
        }
        if !self.periods.is_empty() && !self.periods.contains(&key.period) {
            return false;
        }
        if let Some((start, end)) = q.date_range {
            if key.period.start_date() < start || key.period.end_date() > end {
                return false;
            }
        }
        if let Some(units) = &self.org_units {
            if !units.contains(&key.org_unit) {
                return false;
            }
        }
        if !self.attribute_option_combos.is_empty()
            && !self
                .attribute_option_combos
                .contains(&key.attribute_option_combo)
        {
            return false;
        }
        if row.deleted && !q.include_deleted {
            return false;
        }
        if let Some(since) = q.last_updated_since {
            if row.last_updated < since {
                return false;
            }
        }
        true
    }
}

impl DataValueStore for MemoryStore {
    fn begin(&mut self) -> Result<(), StoreError> {
        if self.txn.is_some() {
            return Err(StoreError::Misuse("begin: a transaction is already open"));
        }
        self.last_txn += 1;
        self.txn = Some(Txn {
            number: self.last_txn,
            journal: Vec::new(),
            audits_len: self.audits.len(),
            last_change: self.last_change,
            metadata: None,
            objects: None,
        });
        Ok(())
    }

    fn commit(&mut self) -> Result<(), StoreError> {
        match self.txn.take() {
            Some(_) => Ok(()),
            None => Err(StoreError::Misuse("commit: no open transaction")),
        }
    }

    fn rollback(&mut self) -> Result<(), StoreError> {
        let Some(txn) = self.txn.take() else {
            return Err(StoreError::Misuse("rollback: no open transaction"));
        };
        for undo in txn.journal.into_iter().rev() {
            match undo {
                Undo::Value(key, Some(slot)) => {
                    self.values.insert(key, slot);
                }
                Undo::Value(key, None) => {
                    self.values.remove(&key);
                }
                Undo::Completion(key, Some(c)) => {
                    self.completions.insert(key, c);
                }
                Undo::Completion(key, None) => {
                    self.completions.remove(&key);
                }
                Undo::LockException(key) => {
                    self.lock_exceptions.remove(&key);
                }
                Undo::Record(key, Some(body)) => {
                    self.records.insert(key, body);
                }
                Undo::Record(key, None) => {
                    self.records.remove(&key);
                }
            }
        }
        self.audits.truncate(txn.audits_len);
        self.last_change = txn.last_change;
        if let Some(saved) = txn.metadata {
            self.metadata = *saved;
        }
        if let Some(saved) = txn.objects {
            self.objects = saved;
            self.reindex_objects();
        }
        Ok(())
    }

    fn lookup(
        &mut self,
        keys: &[DataValueKey],
        found: &mut dyn FnMut(usize, &StoredValue, Existing) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        let txn = self.txn.as_ref().map(|t| t.number);
        for (i, key) in keys.iter().enumerate() {
            if let Some(slot) = self.values.get(key) {
                let existing = if txn == Some(slot.txn) {
                    Existing::InsertedInThisTransaction
                } else {
                    Existing::Stored
                };
                found(i, &slot.row, existing)?;
            }
        }
        Ok(())
    }

    fn apply(&mut self, changes: &Changes) -> Result<(), StoreError> {
        // Check first, so that a refused batch changes nothing.
        for w in changes.rows() {
            match (w.write, self.values.contains_key(&w.row.key)) {
                (Write::Insert, true) => {
                    return Err(StoreError::Misuse(
                        "insert: a row with this key already exists",
                    ))
                }
                (Write::Update, false) => {
                    return Err(StoreError::Misuse("update: no row with this key"))
                }
                _ => {}
            }
        }
        let writes_rows = !changes.rows().is_empty() || !changes.completions().is_empty();
        let change = if writes_rows {
            self.last_change + 1
        } else {
            self.last_change
        };
        self.last_change = change;
        let number = self.txn.as_ref().map_or(0, |t| t.number);
        for w in changes.rows() {
            let key = w.row.key;
            match w.write {
                Write::Insert => {
                    self.values.insert(
                        key,
                        Slot {
                            row: w.row.clone(),
                            txn: number,
                            change,
                        },
                    );
                    if let Some(txn) = &mut self.txn {
                        txn.journal.push(Undo::Value(key, None));
                    }
                }
                Write::Update => {
                    if let Some(slot) = self.values.get_mut(&key) {
                        match &mut self.txn {
                            // A row inserted in this transaction disappears on rollback.
                            Some(txn) if slot.txn != txn.number => {
                                txn.journal.push(Undo::Value(key, Some(slot.clone())));
                            }
                            _ => {}
                        }
                        slot.row.copy_from(&w.row);
                        slot.change = change;
                    }
                }
            }
        }
        self.audits.extend(changes.audits().iter().cloned());
        for completion in changes.completions() {
            let key = (
                completion.data_set,
                completion.period,
                completion.org_unit,
                completion.attribute_option_combo,
            );
            let previous = self.completions.insert(key, (completion.clone(), change));
            if let Some(txn) = &mut self.txn {
                txn.journal.push(Undo::Completion(key, previous));
            }
        }
        Ok(())
    }

    fn completion(
        &mut self,
        data_set: &Uid,
        period: &Period,
        org_unit: &Uid,
        attribute_option_combo: &Uid,
    ) -> Result<Option<Completion>, StoreError> {
        let key = (*data_set, *period, *org_unit, *attribute_option_combo);
        Ok(self.completions.get(&key).map(|(c, _)| c.clone()))
    }

    fn has_lock_exception(
        &mut self,
        data_set: &Uid,
        period: &Period,
        org_unit: &Uid,
    ) -> Result<bool, StoreError> {
        Ok(self
            .lock_exceptions
            .contains(&(*data_set, *period, *org_unit)))
    }

    fn query(
        &mut self,
        query: &ValueQuery,
        each: &mut dyn FnMut(&StoredValue) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        if query.data_elements.is_empty() || query.limit == Some(0) {
            return Ok(());
        }
        let filter = Filter {
            query,
            data_elements: query.data_elements.iter().copied().collect(),
            periods: query.periods.iter().copied().collect(),
            org_units: query
                .org_units
                .as_ref()
                .map(|u| u.iter().copied().collect()),
            attribute_option_combos: query.attribute_option_combos.iter().copied().collect(),
        };
        let mut rows: Vec<&StoredValue> = self
            .values
            .values()
            .filter(|slot| query.changed_since.is_none_or(|since| slot.change > since))
            .map(|slot| &slot.row)
            .filter(|row| filter.matches(row))
            .collect();
        match query.order {
            ValueOrder::Key => rows.sort_unstable_by(|a, b| compare_keys(&a.key, &b.key)),
            ValueOrder::Created => rows.sort_unstable_by(|a, b| compare_created(a, b)),
        }
        let limit = query
            .limit
            .map_or(usize::MAX, |l| usize::try_from(l).unwrap_or(usize::MAX));
        for row in rows.into_iter().take(limit) {
            each(row)?;
        }
        Ok(())
    }

    fn audits(&mut self, key: &DataValueKey) -> Result<Vec<Audit>, StoreError> {
        Ok(self
            .audits
            .iter()
            .filter(|a| a.key == *key)
            .cloned()
            .collect())
    }

    fn add_lock_exception(
        &mut self,
        data_set: &Uid,
        period: &Period,
        org_unit: &Uid,
    ) -> Result<(), StoreError> {
        let key = (*data_set, *period, *org_unit);
        if self.lock_exceptions.insert(key) {
            if let Some(txn) = &mut self.txn {
                txn.journal.push(Undo::LockException(key));
            }
        }
        Ok(())
    }

    fn store_id(&mut self) -> Result<String, StoreError> {
        Ok(self.id.clone())
    }

    fn last_change(&mut self) -> Result<u64, StoreError> {
        Ok(self.last_change)
    }

    fn changed_completions(
        &mut self,
        since: u64,
        each: &mut dyn FnMut(&Completion) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        let mut found: Vec<&Completion> = self
            .completions
            .values()
            .filter(|(_, change)| *change > since)
            .map(|(c, _)| c)
            .collect();
        found.sort_unstable_by(|a, b| {
            a.data_set
                .as_str()
                .cmp(b.data_set.as_str())
                .then_with(|| a.period.start_date().cmp(&b.period.start_date()))
                .then_with(|| {
                    a.period
                        .period_type()
                        .name()
                        .cmp(b.period.period_type().name())
                })
                .then_with(|| a.org_unit.as_str().cmp(b.org_unit.as_str()))
                .then_with(|| {
                    a.attribute_option_combo
                        .as_str()
                        .cmp(b.attribute_option_combo.as_str())
                })
        });
        for c in found {
            each(c)?;
        }
        Ok(())
    }

    fn put_record(&mut self, kind: &str, id: &str, body: &str) -> Result<(), StoreError> {
        let key = (kind.to_owned(), id.to_owned());
        let previous = self.records.insert(key.clone(), body.to_owned());
        if let Some(txn) = &mut self.txn {
            txn.journal.push(Undo::Record(key, previous));
        }
        Ok(())
    }

    fn record(&mut self, kind: &str, id: &str) -> Result<Option<String>, StoreError> {
        Ok(self.records.get(&(kind.to_owned(), id.to_owned())).cloned())
    }

    fn delete_record(&mut self, kind: &str, id: &str) -> Result<bool, StoreError> {
        let key = (kind.to_owned(), id.to_owned());
        let Some(previous) = self.records.remove(&key) else {
            return Ok(false);
        };
        if let Some(txn) = &mut self.txn {
            txn.journal.push(Undo::Record(key, Some(previous)));
        }
        Ok(true)
    }

    fn records(
        &mut self,
        kind: &str,
        each: &mut dyn FnMut(&str, &str) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        for ((k, id), body) in &self.records {
            if k == kind {
                each(id, body)?;
            }
        }
        Ok(())
    }
}

impl MetadataStore for MemoryStore {
    /// The stored metadata, finished ([`Metadata::finish`]: DHIS2's defaults added, references to
    /// their well-known UIDs remapped, the org unit hierarchy computed); an empty catalogue when
    /// nothing was saved.
    fn load_metadata(&mut self) -> Result<Metadata, StoreError> {
        if self.metadata_is_empty() {
            return Ok(Metadata::new());
        }
        let mut metadata = self.metadata.clone();
        metadata.finish()?;
        Ok(metadata)
    }

    fn save_metadata(&mut self, metadata: &Metadata) -> Result<(), StoreError> {
        let before = match &self.txn {
            Some(txn) if txn.metadata.is_none() => Some(Box::new(self.metadata.clone())),
            _ => None,
        };
        // `merge` changes nothing when it fails.
        self.metadata.merge(metadata.clone())?;
        if let (Some(txn), Some(before)) = (&mut self.txn, before) {
            txn.metadata = Some(before);
        }
        Ok(())
    }
}

impl MemoryStore {
    fn reindex_objects(&mut self) {
        self.object_index = self
            .objects
            .iter()
            .enumerate()
            .map(|(i, o)| ((o.key.clone(), o.uid.clone()), i))
            .collect();
    }
}

impl ObjectStore for MemoryStore {
    fn for_each_object(
        &mut self,
        each: &mut dyn FnMut(&StoredObject) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        let mut keys: Vec<&str> = Vec::new();
        for o in &self.objects {
            if !keys.contains(&o.key.as_str()) {
                keys.push(&o.key);
            }
        }
        for key in keys {
            for o in self.objects.iter().filter(|o| o.key == key) {
                each(o)?;
            }
        }
        Ok(())
    }

    fn apply_objects(
        &mut self,
        changes: &ObjectChanges,
        typed: &Metadata,
    ) -> Result<(), StoreError> {
        let mut metadata = typed.clone();
        metadata.compute_hierarchy()?;
        if let Some(txn) = &mut self.txn {
            if txn.metadata.is_none() {
                txn.metadata = Some(Box::new(self.metadata.clone()));
            }
            if txn.objects.is_none() {
                txn.objects = Some(self.objects.clone());
            }
        }
        for o in &changes.put {
            match self.object_index.get(&(o.key.clone(), o.uid.clone())) {
                Some(&i) => {
                    if let Some(slot) = self.objects.get_mut(i) {
                        slot.json.clone_from(&o.json);
                    }
                }
                None => {
                    self.object_index
                        .insert((o.key.clone(), o.uid.clone()), self.objects.len());
                    self.objects.push(o.clone());
                }
            }
        }
        if !changes.delete.is_empty() {
            let gone: HashSet<(&str, &str)> = changes
                .delete
                .iter()
                .map(|(k, u)| (k.as_str(), u.as_str()))
                .collect();
            self.objects
                .retain(|o| !gone.contains(&(o.key.as_str(), o.uid.as_str())));
            self.reindex_objects();
        }
        self.metadata = metadata;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::DataValueStoreExt;
    use chrono::{DateTime, TimeZone, Utc};
    use dxf2_model::metadata::{Identity, OrganisationUnit};

    fn uid(s: &str) -> Uid {
        Uid::parse(s).unwrap()
    }

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2024, 3, 1, 10, 0, 0).unwrap()
    }

    fn key(de: &str, pe: &str, ou: &str) -> DataValueKey {
        DataValueKey {
            data_element: uid(de),
            period: pe.parse().unwrap(),
            org_unit: uid(ou),
            category_option_combo: uid("HllvX50cXC0"),
            attribute_option_combo: uid("HllvX50cXC0"),
        }
    }

    fn row(k: DataValueKey, value: &str) -> StoredValue {
        let mut r = StoredValue::empty(k, now());
        r.value = Some(value.to_owned());
        r
    }

    fn values(store: &mut MemoryStore, q: &ValueQuery) -> Vec<String> {
        let mut out = Vec::new();
        store
            .query(q, &mut |v| {
                out.push(v.value.clone().unwrap_or_default());
                Ok(())
            })
            .unwrap();
        out
    }

    #[test]
    fn inserted_in_this_transaction_is_reported_until_commit() {
        let mut s = MemoryStore::new();
        let k = key("deAAAAAAAAA", "202001", "ouAAAAAAAAA");
        let mut r = row(k, "x");
        s.begin().unwrap();
        s.insert(&row(k, "1")).unwrap();
        assert_eq!(
            s.get(&k, &mut r).unwrap(),
            Existing::InsertedInThisTransaction
        );
        assert_eq!(r.value.as_deref(), Some("1"));
        s.update(&row(k, "2")).unwrap();
        assert_eq!(
            s.get(&k, &mut r).unwrap(),
            Existing::InsertedInThisTransaction
        );
        s.commit().unwrap();
        assert_eq!(s.get(&k, &mut r).unwrap(), Existing::Stored);
        s.begin().unwrap();
        assert_eq!(s.get(&k, &mut r).unwrap(), Existing::Stored);
        s.update(&row(k, "3")).unwrap();
        assert_eq!(s.get(&k, &mut r).unwrap(), Existing::Stored);
        assert_eq!(r.value.as_deref(), Some("3"));
        s.commit().unwrap();
    }

    #[test]
    fn rollback_restores_everything() {
        let mut s = MemoryStore::new();
        let a = key("deAAAAAAAAA", "202001", "ouAAAAAAAAA");
        let b = key("deAAAAAAAAA", "202002", "ouAAAAAAAAA");
        s.begin().unwrap();
        s.insert(&row(a, "1")).unwrap();
        s.commit().unwrap();

        s.begin().unwrap();
        s.update(&row(a, "2")).unwrap();
        s.update(&row(a, "3")).unwrap();
        s.insert(&row(b, "4")).unwrap();
        s.update(&row(b, "5")).unwrap();
        s.audit(&Audit {
            key: a,
            previous_value: Some("1".into()),
            modified_by: "admin".into(),
            created: now(),
            audit_type: crate::AuditType::Update,
        })
        .unwrap();
        let ds = uid("dsAAAAAAAAA");
        s.add_lock_exception(&ds, &a.period, &a.org_unit).unwrap();
        let mut m = Metadata::new();
        m.add_org_unit(OrganisationUnit::new(
            Identity::new(uid("ouAAAAAAAAA")),
            None,
        ));
        s.save_metadata(&m).unwrap();
        s.rollback().unwrap();

        let mut r = row(a, "");
        assert_eq!(s.get(&a, &mut r).unwrap(), Existing::Stored);
        assert_eq!(r.value.as_deref(), Some("1"));
        assert_eq!(s.get(&b, &mut r).unwrap(), Existing::None);
        assert!(s.audits(&a).unwrap().is_empty());
        assert!(!s.has_lock_exception(&ds, &a.period, &a.org_unit).unwrap());
        assert!(s.load_metadata().unwrap().org_units().is_empty());
        assert_eq!(s.len(), 1);
    }

    #[test]
    fn misuse_is_reported() {
        let mut s = MemoryStore::new();
        assert!(matches!(s.commit(), Err(StoreError::Misuse(_))));
        assert!(matches!(s.rollback(), Err(StoreError::Misuse(_))));
        s.begin().unwrap();
        assert!(matches!(s.begin(), Err(StoreError::Misuse(_))));
        let k = key("deAAAAAAAAA", "202001", "ouAAAAAAAAA");
        assert!(matches!(s.update(&row(k, "1")), Err(StoreError::Misuse(_))));
        s.insert(&row(k, "1")).unwrap();
        assert!(matches!(s.insert(&row(k, "1")), Err(StoreError::Misuse(_))));
    }

    #[test]
    fn query_orders_and_limits() {
        let mut s = MemoryStore::new();
        s.insert(&row(key("deBBBBBBBBB", "202002", "ouAAAAAAAAA"), "4"))
            .unwrap();
        s.insert(&row(key("deAAAAAAAAA", "202002", "ouAAAAAAAAA"), "3"))
            .unwrap();
        s.insert(&row(key("deAAAAAAAAA", "202001", "ouBBBBBBBBB"), "2"))
            .unwrap();
        s.insert(&row(key("deAAAAAAAAA", "202001", "ouAAAAAAAAA"), "1"))
            .unwrap();
        let mut q = ValueQuery {
            data_elements: vec![uid("deAAAAAAAAA"), uid("deBBBBBBBBB")],
            ..ValueQuery::default()
        };
        assert_eq!(values(&mut s, &q), ["1", "2", "3", "4"]);
        q.limit = Some(2);
        assert_eq!(values(&mut s, &q), ["1", "2"]);
        q.limit = None;
        q.data_elements = Vec::new();
        assert!(values(&mut s, &q).is_empty());
    }

    #[test]
    fn created_order_is_period_start_end_created_data_element() {
        let mut s = MemoryStore::new();
        let later = now() + chrono::TimeDelta::try_hours(1).unwrap();
        let mut add = |de: &str, pe: &str, ou: &str, value: &str, created| {
            let mut r = row(key(de, pe, ou), value);
            r.created = created;
            s.insert(&r).unwrap();
        };
        // 2020W1 starts 2019-12-30: before the month; 2020Q1 starts with January but ends later.
        add("deAAAAAAAAA", "2020Q1", "ouAAAAAAAAA", "6", now());
        add("deAAAAAAAAA", "202001", "ouAAAAAAAAA", "4", later);
        add("deBBBBBBBBB", "202001", "ouAAAAAAAAA", "3", now());
        add("deAAAAAAAAA", "202001", "ouBBBBBBBBB", "2", now());
        add("deAAAAAAAAA", "2020W1", "ouBBBBBBBBB", "1", later);
        add("deCCCCCCCCC", "202001", "ouAAAAAAAAA", "5", later);
        let mut q = ValueQuery {
            data_elements: vec![uid("deAAAAAAAAA"), uid("deBBBBBBBBB"), uid("deCCCCCCCCC")],
            order: ValueOrder::Created,
            ..ValueQuery::default()
        };
        assert_eq!(values(&mut s, &q), ["1", "2", "3", "4", "5", "6"]);
        q.limit = Some(3);
        assert_eq!(values(&mut s, &q), ["1", "2", "3"]);
        q.order = ValueOrder::Key;
        q.limit = None;
        assert_eq!(values(&mut s, &q), ["1", "4", "2", "3", "5", "6"]);
    }
}
