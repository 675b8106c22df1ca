//! The seam between the import engine and storage: [`DataValueStore`] (batched reads and writes
//! of data values, completions and audits), [`MetadataStore`], and [`DataValueStoreExt`], one-row
//! conveniences built on the batched methods for tests and tools.

use dxf2_model::{Metadata, Period, Uid};

use crate::changes::{Changes, Write};
use crate::error::StoreError;
use crate::objects::{ObjectChanges, StoredObject};
use crate::types::{Audit, Completion, DataValueKey, Existing, StoredValue, ValueQuery};

/// Where data values, completions and audits live.
///
/// The import engine calls [`begin`](DataValueStore::begin) before the first change and
/// [`commit`](DataValueStore::commit) (or [`rollback`](DataValueStore::rollback)) at the end;
/// a store makes the changes between them atomic and durable at commit, and serialises writers
/// (a second `begin` while another writer holds the store waits or fails with
/// [`StoreError::Busy`], never interleaves). A dry run writes inside a transaction that is rolled
/// back.
///
/// Reads and writes are batched, so that a store behind a network pays one round trip per batch
/// rather than per value: the engine reads the existing rows of a batch of keys with
/// [`lookup`](DataValueStore::lookup), decides every value of the batch, and hands the writes to
/// [`apply`](DataValueStore::apply) in one [`Changes`]. The batch size is the engine's choice;
/// a store sees at most a few tens of thousands of keys or rows per call.
///
/// Which importer calls what:
///
/// | method | classic (2.36–2.42) | pipeline (2.43+) | export |
/// |---|---|---|---|
/// | `begin`, `commit`, `rollback` | yes | yes | no |
/// | `lookup`, `apply` | yes | yes | no |
/// | `completion` | when the payload completes its data set | no | no |
/// | `has_lock_exception` | when a period is locked | when a period is locked | no |
/// | `query` | no | deletion scopes | yes |
/// | `audits`, `store_id`, `last_change`, `changed_completions`, records | no | no | no (tools, sync, file resources) |
///
/// The methods after `query` have defaults that answer [`StoreError::Unsupported`], so a host's
/// own store needs only the first eight; the stores of this workspace implement all of them, and
/// the conformance suite (feature `testing`) checks them.
pub trait DataValueStore {
    /// Starts a transaction (taking the store's write lock).
    fn begin(&mut self) -> Result<(), StoreError>;
    /// Makes every change since `begin` durable.
    fn commit(&mut self) -> Result<(), StoreError>;
    /// Discards every change since `begin`.
    fn rollback(&mut self) -> Result<(), StoreError>;

    /// Reads the stored rows of `keys` (distinct keys): calls `found(i, row, existing)` once for
    /// every `keys[i]` that has a row, in any order, and not at all for keys without one.
    /// `existing` says whether the row was inserted by an [`apply`](DataValueStore::apply) of the
    /// transaction now open ([`Existing::InsertedInThisTransaction`]) or before it
    /// ([`Existing::Stored`]); never [`Existing::None`].
    fn lookup(
        &mut self,
        keys: &[DataValueKey],
        found: &mut dyn FnMut(usize, &StoredValue, Existing) -> Result<(), StoreError>,
    ) -> Result<(), StoreError>;

    /// Applies a batch of writes (see [`Changes`] for what the batch guarantees), numbering it
    /// with the store's next change number (see [`last_change`](DataValueStore::last_change)).
    fn apply(&mut self, changes: &Changes) -> Result<(), StoreError>;

    /// Reads a completion registration.
    fn completion(
        &mut self,
        data_set: &Uid,
        period: &Period,
        org_unit: &Uid,
        attribute_option_combo: &Uid,
    ) -> Result<Option<Completion>, StoreError>;

    /// Whether a lock exception exists for (data set, period, org unit).
    fn has_lock_exception(
        &mut self,
        data_set: &Uid,
        period: &Period,
        org_unit: &Uid,
    ) -> Result<bool, StoreError>;

    /// Calls `each` for every row matching `query`, in the query's deterministic
    /// [`order`](ValueQuery::order) (by default period start, period type, data element, org
    /// unit, COC, AOC), at most [`limit`](ValueQuery::limit) rows. A store streams the rows (a
    /// server-side cursor, a statement stepped row by row) rather than collecting them.
    fn query(
        &mut self,
        query: &ValueQuery,
        each: &mut dyn FnMut(&StoredValue) -> Result<(), StoreError>,
    ) -> Result<(), StoreError>;

    /// Every audit row of a key, oldest first (for tests and users' questions).
    fn audits(&mut self, key: &DataValueKey) -> Result<Vec<Audit>, StoreError> {
        let _ = key;
        Err(StoreError::Unsupported("reading audits"))
    }

    /// Adds a lock exception for (data set, period, org unit); adding one that exists does
    /// nothing. Inside a transaction, it is part of it.
    fn add_lock_exception(
        &mut self,
        data_set: &Uid,
        period: &Period,
        org_unit: &Uid,
    ) -> Result<(), StoreError> {
        let _ = (data_set, period, org_unit);
        Err(StoreError::Unsupported("lock exceptions"))
    }

    /// The store's identity, fixed when the store was created (a sync bundle names the store it
    /// came from).
    fn store_id(&mut self) -> Result<String, StoreError> {
        Err(StoreError::Unsupported("a store id"))
    }

    /// The highest change number given so far (0 for a new store). Every
    /// [`apply`](DataValueStore::apply) that writes rows or completions numbers them with the
    /// next number; numbers only grow, also across transactions, and those of a rolled-back
    /// transaction are not seen. "Everything changed since N" is a
    /// [`query`](DataValueStore::query) with [`ValueQuery::changed_since`] and
    /// [`changed_completions`](DataValueStore::changed_completions).
    fn last_change(&mut self) -> Result<u64, StoreError> {
        Err(StoreError::Unsupported("change numbers"))
    }

    /// Calls `each` for every completion registration written by a change numbered above
    /// `since`, in (data set, period start, org unit, attribute option combo) order.
    fn changed_completions(
        &mut self,
        since: u64,
        each: &mut dyn FnMut(&Completion) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        let _ = (since, each);
        Err(StoreError::Unsupported("change numbers"))
    }

    /// Creates or replaces a record (`kind`, `id`) holding `body`: how an import journal or a
    /// sync log keeps its entries in the store. Inside a transaction it is part of it (a journal
    /// entry written with an import commits or rolls back with it); outside, it is written at
    /// once.
    fn put_record(&mut self, kind: &str, id: &str, body: &str) -> Result<(), StoreError> {
        let _ = (kind, id, body);
        Err(StoreError::Unsupported("records"))
    }

    /// The body of record (`kind`, `id`), if there is one.
    fn record(&mut self, kind: &str, id: &str) -> Result<Option<String>, StoreError> {
        let _ = (kind, id);
        Err(StoreError::Unsupported("records"))
    }

    /// Removes record (`kind`, `id`) and says whether there was one (a file resource deleted
    /// with its data value). Inside a transaction it is part of it; outside, it is removed at
    /// once.
    fn delete_record(&mut self, kind: &str, id: &str) -> Result<bool, StoreError> {
        let _ = (kind, id);
        Err(StoreError::Unsupported("records"))
    }

    /// Calls `each(id, body)` for every record of `kind`, by `id`.
    fn records(
        &mut self,
        kind: &str,
        each: &mut dyn FnMut(&str, &str) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        let _ = (kind, each);
        Err(StoreError::Unsupported("records"))
    }
}

/// A store that also keeps metadata (the SQLite and PostgreSQL stores do).
pub trait MetadataStore {
    /// Loads the stored metadata (empty when none was imported), its org unit hierarchy computed.
    fn load_metadata(&mut self) -> Result<Metadata, StoreError>;
    /// Adds or replaces metadata objects (by kind and UID). Fails, saving nothing, when the org
    /// units saved and stored would form a cycle ([`StoreError::Hierarchy`]).
    fn save_metadata(&mut self, metadata: &Metadata) -> Result<(), StoreError>;
}

/// A store that keeps DHIS2 metadata objects whole (the JSON objects of a metadata package,
/// every field kept, types the data import does not read included), beside the typed
/// [`Metadata`] the data import reads through [`MetadataStore`].
///
/// A metadata import (`dxf2-metadata`) reads every object, decides, and applies its changes
/// with the typed form of the whole resulting catalogue, in one transaction: the two never
/// disagree. A store whose typed metadata was saved without objects (by
/// [`save_metadata`](MetadataStore::save_metadata) alone, or by an older version) holds no
/// objects for it; the importer then starts from the typed metadata.
pub trait ObjectStore: MetadataStore {
    /// Calls `each` for every stored object, collection by collection (in the order each
    /// collection was first stored), objects in the order first stored.
    fn for_each_object(
        &mut self,
        each: &mut dyn FnMut(&StoredObject) -> Result<(), StoreError>,
    ) -> Result<(), StoreError>;

    /// In one transaction (all or nothing; inside an open transaction, as part of it): applies
    /// `changes` to the stored objects, then replaces the typed metadata with `typed` (objects
    /// of the typed kinds that `typed` lacks are no longer metadata; ids that stored values use
    /// stay valid). Fails, changing nothing, when `typed`'s org units form a cycle
    /// ([`StoreError::Hierarchy`]).
    fn apply_objects(
        &mut self,
        changes: &ObjectChanges,
        typed: &Metadata,
    ) -> Result<(), StoreError>;
}

/// One-row reads and writes on any [`DataValueStore`], each a batch of one: for tests, examples
/// and tools that touch a few rows. An importer batches instead.
///
/// ```
/// use chrono::{TimeZone, Utc};
/// use dxf2_model::Uid;
/// use dxf2_store::{DataValueKey, DataValueStore, DataValueStoreExt, Existing, MemoryStore, StoredValue};
///
/// let uid = |s: &str| Uid::parse(s).unwrap();
/// let key = DataValueKey {
///     data_element: uid("f7n9E0hX8qk"),
///     period: "202001".parse().unwrap(),
///     org_unit: uid("DiszpKrYNg8"),
///     category_option_combo: uid("HllvX50cXC0"),
///     attribute_option_combo: uid("HllvX50cXC0"),
/// };
/// let now = Utc.with_ymd_and_hms(2024, 1, 2, 3, 4, 5).unwrap();
/// let mut row = StoredValue::empty(key, now);
/// row.value = Some("12".to_owned());
///
/// let mut store = MemoryStore::new();
/// store.begin().unwrap();
/// store.insert(&row).unwrap();
/// let mut read = StoredValue::empty(key, now);
/// assert_eq!(store.get(&key, &mut read).unwrap(), Existing::InsertedInThisTransaction);
/// assert_eq!(read.value.as_deref(), Some("12"));
/// store.rollback().unwrap();
/// assert_eq!(store.get(&key, &mut read).unwrap(), Existing::None);
/// ```
pub trait DataValueStoreExt: DataValueStore {
    /// Reads the row for `key` into `row` (left untouched when there is none) and says whether
    /// there was one.
    fn get(&mut self, key: &DataValueKey, row: &mut StoredValue) -> Result<Existing, StoreError> {
        let mut existing = Existing::None;
        self.lookup(std::slice::from_ref(key), &mut |_, found, e| {
            row.copy_from(found);
            existing = e;
            Ok(())
        })?;
        Ok(existing)
    }

    /// Inserts a new row (there is no row for its key).
    fn insert(&mut self, row: &StoredValue) -> Result<(), StoreError> {
        let mut changes = Changes::new();
        changes.push_row(Write::Insert, row);
        self.apply(&changes)
    }

    /// Replaces the row with the same key.
    fn update(&mut self, row: &StoredValue) -> Result<(), StoreError> {
        let mut changes = Changes::new();
        changes.push_row(Write::Update, row);
        self.apply(&changes)
    }

    /// Appends an audit row.
    fn audit(&mut self, audit: &Audit) -> Result<(), StoreError> {
        let mut changes = Changes::new();
        changes.push_audit(audit);
        self.apply(&changes)
    }

    /// Creates or replaces a completion registration.
    fn set_completion(&mut self, completion: &Completion) -> Result<(), StoreError> {
        let mut changes = Changes::new();
        changes.push_completion(completion);
        self.apply(&changes)
    }
}

impl<S: DataValueStore + ?Sized> DataValueStoreExt for S {}
