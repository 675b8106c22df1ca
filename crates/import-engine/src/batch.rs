//! [`Batched`]: the importers' view of a [`DataValueStore`], one row at a time over the store's
//! batched seam.
//!
//! The importers decide value by value, in payload order, as DHIS2 does; the store is asked in
//! batches. Before a window of values is decided, the importer hands the window's keys to
//! [`Batched::prefetch`], which reads their stored rows with one
//! [`lookup`](DataValueStore::lookup). Deciding a value then reads its row from here, and its
//! writes go into one [`Changes`] batch (an insert then updates of the same key fold into one
//! row), which [`Batched::flush`] hands to [`apply`](DataValueStore::apply) at the end of the
//! window. Later values of the window see earlier writes exactly as they would with a store
//! written row by row. A key that was not prefetched is looked up on its own (correct, only
//! slower).
//!
//! Every buffer is kept between windows, so after the first window a value allocates nothing
//! here (`tests/no_alloc.rs`). Memory is bounded by the window: [`WINDOW`] values.

use dxf2_model::{DataValue, DataValueSource, Period, TextPosition, Uid};
use dxf2_store::{
    Audit, Changes, Completion, DataValueKey, DataValueStore, Existing, StoreError, StoredValue,
    Write,
};
use rustc_hash::FxHashMap;

use crate::{Failure, ImportOutcome, Phase, Progress};

/// Values decided between two store round trips: one lookup and one apply per window. 10,000
/// rows keep a batch well inside what SQLite and PostgreSQL take in one statement or `COPY`
/// (a prototype measured 10,000–50,000 as the flat part of the curve) and bound the engine's
/// memory to a few MB.
pub(crate) const WINDOW: usize = 10_000;

/// What the batcher knows about a key.
#[derive(Clone, Copy, Debug)]
enum Entry {
    /// Looked up: no stored row.
    Absent,
    /// Looked up: the stored row is `found[slot]`.
    Found { slot: usize, existing: Existing },
    /// Written in the pending batch: its row is `changes.rows()[row]`.
    Pending { row: usize, existing: Existing },
}

/// A store seen one row at a time, read and written in batches (see the module docs).
pub(crate) struct Batched<'s> {
    store: &'s mut dyn DataValueStore,
    /// Keys of the next lookup (distinct, not yet known).
    keys: Vec<DataValueKey>,
    /// Rows found by lookups since the last flush (`found_len` of them are live).
    found: Vec<StoredValue>,
    found_len: usize,
    /// What is known about each key since the last flush.
    index: FxHashMap<DataValueKey, Entry>,
    /// The pending writes.
    changes: Changes,
    /// Lock exceptions asked so far (they do not change during an import).
    locks: FxHashMap<(Uid, Period, Uid), bool>,
    /// A dry run: every write is dropped (DHIS2 writes nothing: later values of the payload see
    /// the store as it was), and no transaction is opened, so a dry run only reads.
    dry_run: bool,
}

impl<'s> Batched<'s> {
    /// A batcher over `store`; a `dry_run` one drops every write.
    pub(crate) fn new(store: &'s mut dyn DataValueStore, dry_run: bool) -> Batched<'s> {
        Batched {
            store,
            keys: Vec::new(),
            found: Vec::new(),
            found_len: 0,
            index: FxHashMap::default(),
            changes: Changes::new(),
            locks: FxHashMap::default(),
            dry_run,
        }
    }

    /// Starts the import's transaction (none for a dry run, which only reads).
    pub(crate) fn begin(&mut self) -> Result<(), StoreError> {
        if self.dry_run {
            Ok(())
        } else {
            self.store.begin()
        }
    }

    /// Applies what is pending and commits the import's transaction (a dry run: nothing).
    /// Returns the failed import's outcome, if committing failed: when the last batch cannot be
    /// applied, the transaction rolled back; when the commit itself fails, its error.
    pub(crate) fn commit(&mut self) -> Option<ImportOutcome> {
        if self.dry_run {
            return None;
        }
        if let Err(e) = self.flush() {
            return Some(self.fail(e.into()));
        }
        self.store
            .commit()
            .err()
            .map(|e| ImportOutcome::failed(e.into()))
    }

    /// The outcome of an import that failed after [`Batched::begin`]: the transaction rolled
    /// back (a dry run has none), the rollback's own failure kept beside the first.
    pub(crate) fn fail(&mut self, failure: Failure) -> ImportOutcome {
        if self.dry_run {
            ImportOutcome::failed(failure)
        } else {
            ImportOutcome::rolled_back(failure, &mut *self.store)
        }
    }

    /// The store itself, for what is not batched (begin, commit, rollback, completions read,
    /// queries). Call [`Batched::flush`] first when pending writes matter to the call.
    pub(crate) fn store(&mut self) -> &mut dyn DataValueStore {
        &mut *self.store
    }

    /// Reads the stored rows of `keys` that are not known yet, in one lookup.
    pub(crate) fn prefetch(
        &mut self,
        keys: impl IntoIterator<Item = DataValueKey>,
    ) -> Result<(), StoreError> {
        self.keys.clear();
        for key in keys {
            if let std::collections::hash_map::Entry::Vacant(v) = self.index.entry(key) {
                // Marked absent now; the lookup below turns found ones into `Found`.
                v.insert(Entry::Absent);
                self.keys.push(key);
            }
        }
        if self.keys.is_empty() {
            return Ok(());
        }
        let Batched {
            store,
            keys,
            found,
            found_len,
            index,
            ..
        } = self;
        store.lookup(keys, &mut |i, row, existing| {
            let Some(key) = keys.get(i) else {
                return Err(StoreError::Misuse("lookup: a key index out of range"));
            };
            let slot = *found_len;
            match found.get_mut(slot) {
                Some(f) => f.copy_from(row),
                None => found.push(row.clone()),
            }
            *found_len += 1;
            index.insert(*key, Entry::Found { slot, existing });
            Ok(())
        })
    }

    /// Reads the row for `key` into `row` (left untouched when there is none), as the store
    /// would show it with the pending writes applied.
    pub(crate) fn get(
        &mut self,
        key: &DataValueKey,
        row: &mut StoredValue,
    ) -> Result<Existing, StoreError> {
        let entry = match self.index.get(key) {
            Some(&entry) => entry,
            None => {
                // Not prefetched (a wrong key hint): looked up on its own.
                self.prefetch(std::iter::once(*key))?;
                self.index.get(key).copied().unwrap_or(Entry::Absent)
            }
        };
        match entry {
            Entry::Absent => Ok(Existing::None),
            Entry::Found { slot, existing } => {
                if let Some(found) = self.found.get(slot) {
                    row.copy_from(found);
                }
                Ok(existing)
            }
            Entry::Pending { row: at, existing } => {
                if let Some(pending) = self.changes.rows().get(at) {
                    row.copy_from(&pending.row);
                }
                Ok(existing)
            }
        }
    }

    /// Inserts a new row (the key has no row).
    pub(crate) fn insert(&mut self, row: &StoredValue) -> Result<(), StoreError> {
        if self.dry_run {
            return Ok(());
        }
        let at = self.changes.push_row(Write::Insert, row);
        self.index.insert(
            row.key,
            Entry::Pending {
                row: at,
                existing: Existing::InsertedInThisTransaction,
            },
        );
        self.flush_if_full()
    }

    /// Replaces the row with the same key.
    pub(crate) fn update(&mut self, row: &StoredValue) -> Result<(), StoreError> {
        if self.dry_run {
            return Ok(());
        }
        match self.index.get(&row.key).copied() {
            Some(Entry::Pending { row: at, .. }) => {
                self.changes.set_row(at, row);
                Ok(())
            }
            Some(Entry::Found { existing, .. }) => {
                let at = self.changes.push_row(Write::Update, row);
                self.index
                    .insert(row.key, Entry::Pending { row: at, existing });
                self.flush_if_full()
            }
            // A row read by a query (a 2.43 deletion scope), not through this batcher.
            None => {
                let at = self.changes.push_row(Write::Update, row);
                self.index.insert(
                    row.key,
                    Entry::Pending {
                        row: at,
                        existing: Existing::Stored,
                    },
                );
                self.flush_if_full()
            }
            Some(Entry::Absent) => Err(StoreError::Misuse("update: no row with this key")),
        }
    }

    /// Appends an audit row.
    pub(crate) fn audit(&mut self, audit: &Audit) -> Result<(), StoreError> {
        if self.dry_run {
            return Ok(());
        }
        self.changes.push_audit(audit);
        self.flush_if_full()
    }

    /// Creates or replaces a completion registration.
    pub(crate) fn set_completion(&mut self, completion: &Completion) -> Result<(), StoreError> {
        if self.dry_run {
            return Ok(());
        }
        self.changes.push_completion(completion);
        self.flush_if_full()
    }

    /// Whether a lock exception exists for (data set, period, org unit), asked once per triple.
    pub(crate) fn has_lock_exception(
        &mut self,
        data_set: &Uid,
        period: &Period,
        org_unit: &Uid,
    ) -> Result<bool, StoreError> {
        let key = (*data_set, *period, *org_unit);
        if let Some(&known) = self.locks.get(&key) {
            return Ok(known);
        }
        let known = self.store.has_lock_exception(data_set, period, org_unit)?;
        self.locks.insert(key, known);
        Ok(known)
    }

    /// Applies the pending writes and forgets what was read: the next reads go to the store.
    pub(crate) fn flush(&mut self) -> Result<(), StoreError> {
        if !self.changes.is_empty() {
            self.store.apply(&self.changes)?;
            self.changes.clear();
        }
        self.index.clear();
        self.found_len = 0;
        Ok(())
    }

    /// Flushes when the pending batch is larger than a window (a window whose values each
    /// write more than one row, or long texts).
    fn flush_if_full(&mut self) -> Result<(), StoreError> {
        if self.changes.len() >= 2 * WINDOW || self.changes.text_bytes() >= WINDOW_BYTES {
            self.flush()
        } else {
            Ok(())
        }
    }
}

/// Up to [`WINDOW`] values read ahead from a source into reused records, with their indexes
/// and positions, so that their keys can be prefetched before they are decided.
pub(crate) struct Window {
    values: Vec<DataValue>,
    positions: Vec<Option<TextPosition>>,
    len: usize,
    /// Index of the first value of the window.
    first: i64,
    /// Values read so far.
    read: i64,
}

/// The text capacity every record of a window starts with: a value's five identifiers, value,
/// `storedBy` and two timestamps take about 150 bytes, so records of up to 256 bytes never make a
/// record of the window grow (a longer one grows its own record, once for the longest it holds).
const RECORD_CAPACITY: usize = 256;
/// A window also ends once its records hold this many bytes of text, so that a file of very
/// long values (comments of up to the token limit) is decided a few values at a time instead of
/// holding 10,000 of them.
pub(crate) const WINDOW_BYTES: usize = 16 << 20;

impl Window {
    /// An empty window.
    pub(crate) fn new() -> Window {
        Window {
            values: Vec::new(),
            positions: Vec::new(),
            len: 0,
            first: 0,
            read: 0,
        }
    }

    /// Reads the next values (at most [`WINDOW`]); `false` when the source had none left.
    /// Reports `progress` every 1,000 values read; fails with [`Failure::Input`] (the number of
    /// values read before) when the reader fails.
    pub(crate) fn fill<S: DataValueSource>(
        &mut self,
        source: &mut S,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<bool, Failure> {
        self.first = self.read;
        self.len = 0;
        let mut bytes = 0;
        while self.len < WINDOW && bytes < WINDOW_BYTES {
            if self.values.len() <= self.len {
                let mut record = DataValue::new();
                record.reserve(RECORD_CAPACITY);
                self.values.push(record);
                self.positions.push(None);
            }
            let Some(record) = self.values.get_mut(self.len) else {
                break;
            };
            match source.read_value(record) {
                Ok(true) => {}
                Ok(false) => break,
                Err(e) => return Err(Failure::input(self.read.unsigned_abs(), e)),
            }
            bytes += record.capacity();
            if let Some(p) = self.positions.get_mut(self.len) {
                *p = source.value_position();
            }
            self.len += 1;
            self.read += 1;
            if self.read % 1000 == 0 {
                progress(Progress::new(Phase::Import, self.read.unsigned_abs()));
            }
        }
        Ok(self.len > 0)
    }

    /// The values of the window, with their indexes and positions.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (&DataValue, i64, Option<TextPosition>)> {
        let first = self.first;
        self.values
            .iter()
            .zip(self.positions.iter())
            .take(self.len)
            .zip(first..)
            .map(|((v, p), i)| (v, i, *p))
    }

    /// Values read so far.
    pub(crate) fn read(&self) -> u64 {
        self.read.unsigned_abs()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use chrono::{TimeZone, Utc};
    use dxf2_store::{DataValueStoreExt, MemoryStore};

    use super::*;

    fn key(ou: &str) -> DataValueKey {
        let uid = |s: &str| Uid::parse(s).unwrap();
        DataValueKey {
            data_element: uid("f7n9E0hX8qk"),
            period: "202001".parse().unwrap(),
            org_unit: uid(ou),
            category_option_combo: uid("HllvX50cXC0"),
            attribute_option_combo: uid("HllvX50cXC0"),
        }
    }

    fn row(k: DataValueKey, value: &str) -> StoredValue {
        let now = Utc.with_ymd_and_hms(2024, 1, 2, 3, 4, 5).unwrap();
        let mut r = StoredValue::empty(k, now);
        r.value = Some(value.to_owned());
        r
    }

    /// A store with one committed row, under `DiszpKrYNg8`.
    fn store() -> MemoryStore {
        let mut s = MemoryStore::new();
        s.begin().unwrap();
        s.insert(&row(key("DiszpKrYNg8"), "1")).unwrap();
        s.commit().unwrap();
        s
    }

    #[test]
    fn reads_see_prefetched_rows_and_pending_writes() {
        let mut s = store();
        let (a, b) = (key("DiszpKrYNg8"), key("ImspTQPwCqd"));
        let mut b_ = Batched::new(&mut s, false);
        b_.begin().unwrap();
        b_.prefetch([a, b]).unwrap();
        let mut r = row(a, "");
        assert_eq!(b_.get(&a, &mut r).unwrap(), Existing::Stored);
        assert_eq!(r.value.as_deref(), Some("1"));
        assert_eq!(b_.get(&b, &mut r).unwrap(), Existing::None);
        // An insert then an update of the same key fold into one pending insert.
        b_.insert(&row(b, "2")).unwrap();
        b_.update(&row(b, "3")).unwrap();
        assert_eq!(
            b_.get(&b, &mut r).unwrap(),
            Existing::InsertedInThisTransaction
        );
        assert_eq!(r.value.as_deref(), Some("3"));
        assert_eq!(b_.changes.rows().len(), 1);
        b_.update(&row(a, "4")).unwrap();
        assert!(b_.commit().is_none());
        let mut r = row(a, "");
        assert_eq!(s.get(&b, &mut r).unwrap(), Existing::Stored);
        assert_eq!(r.value.as_deref(), Some("3"));
        s.get(&a, &mut r).unwrap();
        assert_eq!(r.value.as_deref(), Some("4"));
    }

    #[test]
    fn a_key_not_prefetched_is_looked_up_alone() {
        let mut s = store();
        let a = key("DiszpKrYNg8");
        let mut b_ = Batched::new(&mut s, false);
        let mut r = row(a, "");
        assert_eq!(b_.get(&a, &mut r).unwrap(), Existing::Stored);
        assert_eq!(r.value.as_deref(), Some("1"));
    }

    #[test]
    fn a_dry_run_writes_nothing_and_opens_no_transaction() {
        let mut s = store();
        let (a, b) = (key("DiszpKrYNg8"), key("ImspTQPwCqd"));
        let mut b_ = Batched::new(&mut s, true);
        b_.begin().unwrap();
        b_.insert(&row(b, "2")).unwrap();
        b_.update(&row(a, "5")).unwrap();
        let mut r = row(a, "");
        // Later values see the store as it was.
        assert_eq!(b_.get(&b, &mut r).unwrap(), Existing::None);
        assert_eq!(b_.get(&a, &mut r).unwrap(), Existing::Stored);
        assert_eq!(r.value.as_deref(), Some("1"));
        assert!(b_.commit().is_none());
        // No transaction was left open.
        s.begin().unwrap();
        s.rollback().unwrap();
        assert_eq!(s.last_change().unwrap(), 1);
    }
}
