//! `dxf2-store-sqlite`: the embedded, persistent [`SqliteStore`] for DHIS2 data values,
//! completions, audits, lock exceptions, records and metadata, in one SQLite file.
//!
//! The store implements the batched [`DataValueStore`] seam of `dxf2-store` (every optional
//! method included) and [`MetadataStore`](dxf2_store::MetadataStore). An import runs in one SQLite
//! transaction ([`begin`](DataValueStore::begin) … [`commit`](DataValueStore::commit)): a
//! process killed half way leaves the file as it was before the import. The file uses SQLite's
//! write-ahead log with `synchronous=NORMAL`. Writers are serialised: a second import's `begin`
//! waits for the first up to the busy timeout ([`OpenOptions::busy_timeout`]), then fails with
//! [`StoreError::Busy`].
//!
//! Schema version [`SCHEMA_VERSION`] keys rows by small integers, as DHIS2's own schema does:
//! `period` (id, ISO form, type, first and last day), `organisationunit` (with its parent's id),
//! `dataelement`, `categoryoptioncombo` (category and attribute option combos alike) and
//! `dataset` give every key an id, and the store keeps them in memory. `datavalue` has the
//! primary key (period, org unit, data element, COC, AOC) — the order in which real exports come,
//! so that an import touches the table in one place — plus `txn` (the transaction that inserted
//! the row, which tells [`Existing::InsertedInThisTransaction`](dxf2_store::Existing)) and
//! `change` (the change number of the batch that last wrote it, indexed: "everything changed
//! since N" is one query). `datavalueaudit` and `completedatasetregistration` (with its change
//! number) are keyed by ids too; `lockexception`, `record` (journal and sync entries),
//! `store_state` (last transaction and change numbers, the store id) and `schema_version`
//! complete it. Org units, data elements and category option combos are rows of their id
//! tables (their list-valued fields — attribute values, sharing, category options — as JSON
//! text); the other metadata kinds are one JSON object per `metadata_object` row. Timestamps are
//! integer milliseconds since 1970 UTC (sub-millisecond parts are dropped), dates `yyyy-MM-dd`.
//! Org unit paths are not stored: the hierarchy is computed from the parents when metadata is
//! loaded.
//!
//! A batch of [`lookup`](DataValueStore::lookup) or [`apply`](DataValueStore::apply) is turned
//! into integer keys, sorted by primary key and run through statements prepared once per batch,
//! so that the B-tree is walked in order. An import into an empty table (a new store) takes a
//! bulk path: its new rows wait in memory (at most 200,000) and are written merged in key
//! order, many per statement, and a Bloom filter of the keys it inserted answers most lookups
//! without a query; memory stays bounded (about 100 bytes per waiting row, 2.5 bytes per row
//! inserted, up to 8 million rows, then the ordinary path).
//!
//! Readers never wait for writers: [`SqliteStore::open_read_only`] (and [`SqliteStore::open`] of
//! an existing store) takes no write lock, and a read sees the last committed state while another
//! connection imports. A store of schema version 1 or 2 (text keys) is upgraded, every row copied,
//! when it is opened for writing; opened read-only, it says so when read.
//!
//! ```
//! use chrono::{TimeZone, Utc};
//! use dxf2_model::{Period, Uid};
//! use dxf2_store::{DataValueKey, DataValueStore, DataValueStoreExt, Existing, StoredValue, ValueQuery};
//! use dxf2_store_sqlite::SqliteStore;
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let mut store = SqliteStore::open_in_memory()?; // or SqliteStore::open("data.dxf2.sqlite")
//! let default_coc = Uid::parse("HllvX50cXC0")?;
//! let key = DataValueKey {
//!     data_element: Uid::parse("f7n9E0hX8qk")?,
//!     period: "202001".parse::<Period>()?,
//!     org_unit: Uid::parse("DiszpKrYNg8")?,
//!     category_option_combo: default_coc,
//!     attribute_option_combo: default_coc,
//! };
//! let now = Utc.with_ymd_and_hms(2024, 1, 2, 3, 4, 5).unwrap();
//! let mut row = StoredValue::empty(key, now);
//! row.value = Some("12".to_owned());
//!
//! store.begin()?;
//! store.insert(&row)?;
//! let mut read = StoredValue::empty(key, now);
//! assert_eq!(store.get(&key, &mut read)?, Existing::InsertedInThisTransaction);
//! store.commit()?;
//! assert_eq!(store.get(&key, &mut read)?, Existing::Stored);
//! assert_eq!(read, row);
//! assert_eq!(store.last_change()?, 1);
//!
//! let query = ValueQuery { data_elements: vec![key.data_element], ..ValueQuery::default() };
//! let mut periods = Vec::new();
//! store.query(&query, &mut |v| {
//!     periods.push(v.key.period.to_string());
//!     Ok(())
//! })?;
//! assert_eq!(periods, ["202001"]);
//! # Ok(())
//! # }
//! ```
//!
//! The crate's files, one job each: `open` (opening a file, its options, inspection), `schema`
//! (the tables and the schema version), `migrate` (the upgrade of version 1 and 2 stores),
//! `transaction` (write transactions, their numbering, savepoints), `ids` (the id tables and
//! their copy in memory), `values` (lookup and apply of data value rows and their audits),
//! `registrations` (completions and lock exceptions), `records` (records, store id, change
//! number), `query` (the export query), `metadata` (metadata objects), `columns` (reading typed
//! columns), `text` (stored forms of timestamps, dates, periods); metadata objects are kept as JSON in the
//! form of `dxf2_store::metadata_json`, shared with the PostgreSQL store.

#![forbid(unsafe_code)]

mod bulk;
mod columns;
mod ids;
mod metadata;
mod migrate;
mod objects;
mod open;
mod query;
mod records;
mod registrations;
mod schema;
mod text;
mod transaction;
mod values;

use std::time::Duration;

use dxf2_model::{Period, Uid};
use dxf2_store::{
    Audit, Changes, Completion, DataValueKey, DataValueStore, Existing, StoreError, StoredValue,
    ValueQuery,
};
use rusqlite::Connection;

use crate::bulk::Bulk;
use crate::ids::{IntKey, Keys};

pub use crate::open::{OpenOptions, DEFAULT_BUSY_TIMEOUT};
pub use crate::schema::SCHEMA_VERSION;

/// The persistent SQLite store.
///
/// One store owns one connection; it is not shared between threads (move it instead; open a
/// second store on the same file for a second thread). Rows inserted in the current transaction
/// are recognised by the `txn` column, which holds the number of the transaction that inserted
/// the row (0 for rows written outside a transaction); an update leaves it unchanged.
///
/// [`query`](DataValueStore::query) returns rows ordered as [`ValueQuery::order`] says, exactly
/// as [`MemoryStore`](dxf2_store::MemoryStore) does.
///
/// A store opened read-only ([`open_read_only`](SqliteStore::open_read_only)) refuses every
/// write with [`StoreError::Misuse`].
#[derive(Debug)]
pub struct SqliteStore {
    conn: Connection,
    /// Where the store lives (for messages).
    location: String,
    /// Opened read-only.
    read_only: bool,
    /// The schema version of the store: [`SCHEMA_VERSION`], or the older version of a store
    /// opened read-only (which is then not read).
    schema_version: i64,
    /// How long `begin` waits for another writer.
    busy_timeout: Duration,
    /// The number of the open import transaction.
    txn: Option<i64>,
    /// Inside a write transaction (an import's or one of the store's own): the ids in memory are
    /// complete.
    writing: bool,
    /// The id tables in memory.
    keys: Keys,
    /// The store id, once read.
    store_id: Option<String>,
    /// Integer keys of a batch and their places in it, sorted (reused from batch to batch).
    order: Vec<(IntKey, usize)>,
    /// The row lent to `lookup`'s callback (reused).
    row: Option<StoredValue>,
    /// The bulk path of a transaction that began on an empty `datavalue` table.
    bulk: Bulk,
}

impl SqliteStore {
    /// A store on `conn` (its schema not checked yet).
    fn new(
        conn: Connection,
        location: String,
        options: OpenOptions,
        schema_version: i64,
    ) -> SqliteStore {
        SqliteStore {
            conn,
            location,
            read_only: options.read_only,
            schema_version,
            busy_timeout: options.busy_timeout,
            txn: None,
            writing: false,
            keys: Keys::default(),
            store_id: None,
            order: Vec::new(),
            row: None,
            bulk: Bulk::default(),
        }
    }
}

impl DataValueStore for SqliteStore {
    fn begin(&mut self) -> Result<(), StoreError> {
        self.begin_txn()
    }

    fn commit(&mut self) -> Result<(), StoreError> {
        self.commit_txn()
    }

    fn rollback(&mut self) -> Result<(), StoreError> {
        self.rollback_txn()
    }

    fn lookup(
        &mut self,
        keys: &[DataValueKey],
        found: &mut dyn FnMut(usize, &StoredValue, Existing) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        self.lookup_values(keys, found)
    }

    /// Inside an import's transaction, the batch is written straight into it (no savepoint: a
    /// savepoint would copy every page the batch touches into a sub-journal first); a batch
    /// refused half way ([`StoreError::Misuse`]) leaves its first rows written until the
    /// transaction is rolled back, as the engine does after any error. Outside a transaction,
    /// the batch is a transaction of its own.
    fn apply(&mut self, changes: &Changes) -> Result<(), StoreError> {
        self.writable()?;
        if changes.is_empty() {
            return Ok(());
        }
        if self.txn.is_some() {
            return self.apply_changes(changes);
        }
        self.in_transaction(|s| s.apply_changes(changes))
    }

    fn completion(
        &mut self,
        data_set: &Uid,
        period: &Period,
        org_unit: &Uid,
        attribute_option_combo: &Uid,
    ) -> Result<Option<Completion>, StoreError> {
        self.read_completion(data_set, period, org_unit, attribute_option_combo)
    }

    fn has_lock_exception(
        &mut self,
        data_set: &Uid,
        period: &Period,
        org_unit: &Uid,
    ) -> Result<bool, StoreError> {
        self.lock_exception_exists(data_set, period, org_unit)
    }

    fn query(
        &mut self,
        query: &ValueQuery,
        each: &mut dyn FnMut(&StoredValue) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        self.query_values(query, each)
    }

    fn audits(&mut self, key: &DataValueKey) -> Result<Vec<Audit>, StoreError> {
        self.read_audits(key)
    }

    fn add_lock_exception(
        &mut self,
        data_set: &Uid,
        period: &Period,
        org_unit: &Uid,
    ) -> Result<(), StoreError> {
        self.insert_lock_exception(data_set, period, org_unit)
    }

    fn store_id(&mut self) -> Result<String, StoreError> {
        self.read_store_id()
    }

    fn last_change(&mut self) -> Result<u64, StoreError> {
        self.read_last_change()
    }

    fn changed_completions(
        &mut self,
        since: u64,
        each: &mut dyn FnMut(&Completion) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        self.read_changed_completions(since, each)
    }

    fn put_record(&mut self, kind: &str, id: &str, body: &str) -> Result<(), StoreError> {
        self.write_record(kind, id, body)
    }

    fn record(&mut self, kind: &str, id: &str) -> Result<Option<String>, StoreError> {
        self.read_record(kind, id)
    }

    fn delete_record(&mut self, kind: &str, id: &str) -> Result<bool, StoreError> {
        self.remove_record(kind, id)
    }

    fn records(
        &mut self,
        kind: &str,
        each: &mut dyn FnMut(&str, &str) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        self.read_records(kind, each)
    }
}
