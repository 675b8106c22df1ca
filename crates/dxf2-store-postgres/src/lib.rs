//! `dxf2-store-postgres`: [`PostgresStore`], a [`DataValueStore`] and
//! [`MetadataStore`](dxf2_store::MetadataStore) in a PostgreSQL database, for national and
//! regional instances that hold hundreds of millions of values (DHIS2's own database is
//! PostgreSQL).
//!
//! A store lives in one schema of a database (default `dxf2`, [`OpenOptions::schema`]), opened
//! from a libpq URL (`postgres://user@host:port/db` or `postgresql://…`). Only
//! [`PostgresStore::open_or_create`] (or [`OpenOptions::create`]) creates the schema; the others
//! refuse a database without a store, and every open checks the schema version
//! ([`SCHEMA_VERSION`]).
//!
//! How an import talks to the server, one round trip per batch rather than per value:
//! - [`lookup`](DataValueStore::lookup): one query per batch, the keys passed as integer arrays
//!   and joined with `unnest`;
//! - [`apply`](DataValueStore::apply): the batch's rows sorted by the primary key; new rows by
//!   binary `COPY` straight into `datavalue` (a key that exists fails the copy), changed rows
//!   by binary `COPY` into a temporary staging table merged with one `UPDATE … FROM`; audits by
//!   binary `COPY`, completions in one `INSERT … ON CONFLICT DO UPDATE`;
//! - [`query`](DataValueStore::query): streamed through a server-side cursor, a chunk of rows at a
//!   time.
//!
//! An import is one PostgreSQL transaction, with sequential scans and JIT compilation off: the
//! planner's statistics of a table being filled say it is empty, and every batch must use the
//! primary key. Writers are serialised on the row of `store_state`
//! (its `last_txn` and `last_change` counters): a second writer's [`begin`](DataValueStore::begin)
//! waits up to [`OpenOptions::lock_timeout`], then fails with [`StoreError::Busy`]. A killed
//! import or a lost connection leaves the store as before (the server rolls the transaction
//! back); the failing call answers [`StoreError::Backend`] naming what it was doing.
//!
//! Tables (DHIS2's names where DHIS2 has the table): `dataelement`, `organisationunit`,
//! `categoryoptioncombo` (category and attribute option combos), `dataset` (UID ↔ integer id) and
//! `period` (type, first and last day, ISO form); `datavalue` keyed by five integers (period, org
//! unit, data element, category option combo, attribute option combo) with `txn` (the transaction
//! that inserted the row) and `change` (the change number of the batch that last wrote it,
//! indexed); `datavalueaudit`, `completedatasetregistration` (also with `change`),
//! `lockexception`, `record`, `metadata_object` (one `jsonb` object per metadata object),
//! `store_state` and `schema_version`. Timestamps are `timestamp(3)` in UTC (milliseconds kept,
//! finer parts dropped). The client speaks no TLS: use a local socket, a loopback or a trusted
//! network (or a TLS-terminating tunnel).
//!
//! ```
//! use chrono::{TimeZone, Utc};
//! use dxf2_model::Uid;
//! use dxf2_store::{DataValueKey, DataValueStore, DataValueStoreExt, Existing, StoredValue};
//! use dxf2_store_postgres::{OpenOptions, PostgresStore};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! // The tests' server (see the README); without one, this example does nothing.
//! let Ok(url) = std::env::var("DXF2_TEST_POSTGRES") else { return Ok(()) };
//! let schema = format!("doc_example_{}", std::process::id());
//! let options = OpenOptions::new().schema(&schema).create(true);
//! let mut store = PostgresStore::open_with(&url, &options)?;
//!
//! let uid = |s: &str| Uid::parse(s);
//! let key = DataValueKey {
//!     data_element: uid("f7n9E0hX8qk")?,
//!     period: "202001".parse()?,
//!     org_unit: uid("DiszpKrYNg8")?,
//!     category_option_combo: uid("HllvX50cXC0")?,
//!     attribute_option_combo: uid("HllvX50cXC0")?,
//! };
//! let mut row = StoredValue::empty(key, Utc.with_ymd_and_hms(2024, 1, 2, 3, 4, 5).unwrap());
//! row.value = Some("12".to_owned());
//!
//! store.begin()?;
//! store.insert(&row)?; // one batch of one row: an importer batches many
//! let mut read = row.clone();
//! assert_eq!(store.get(&key, &mut read)?, Existing::InsertedInThisTransaction);
//! store.commit()?;
//! assert_eq!(store.get(&key, &mut read)?, Existing::Stored);
//! assert_eq!(read, row);
//! assert_eq!(store.last_change()?, 1);
//!
//! PostgresStore::drop_schema(&url, &schema)?; // a test's clean-up
//! # Ok(())
//! # }
//! ```
//!
//! The crate's files, one job each: `open` (connecting, options, the store's location and
//! counts), `schema` (the tables, their version, creating them), `transaction` (write
//! transactions, the writer lock, change numbers), `dims` (UIDs and periods as integer ids),
//! `values` (lookup and apply of data value rows and audits), `query` (the export query through
//! a cursor), `registrations` (completions and lock exceptions), `records` (records, store id),
//! `metadata` (metadata objects, as `dxf2_store::metadata_json` forms them), `columns` (reading typed columns, errors).

#![forbid(unsafe_code)]

mod columns;
mod dims;
mod metadata;
mod objects;
mod open;
mod query;
mod records;
mod registrations;
mod schema;
mod transaction;
mod values;

use dxf2_model::{Period, Uid};
use dxf2_store::{
    Audit, Changes, Completion, DataValueKey, DataValueStore, Existing, StoreError, StoredValue,
    ValueQuery,
};
use postgres::Client;

use crate::dims::Dims;
use crate::transaction::Txn;
use crate::values::Buffers;

pub use crate::open::{redact, OpenOptions, StoreSummary, DEFAULT_LOCK_TIMEOUT, DEFAULT_SCHEMA};
pub use crate::schema::SCHEMA_VERSION;

/// A store in a PostgreSQL schema.
///
/// One store owns one connection; it is not shared between threads (move it instead; open a
/// second store on the same URL for a second connection). Rows inserted in the current
/// transaction are recognised by the `txn` column, which holds the number of the transaction that
/// inserted the row; updates leave it unchanged.
///
/// [`query`](DataValueStore::query) returns rows in [`ValueQuery::order`], UIDs and period type
/// names compared as bytes (`COLLATE "C"`), exactly as
/// [`MemoryStore`](dxf2_store::MemoryStore) does.
///
/// A store opened read-only ([`open_read_only`](PostgresStore::open_read_only)) refuses every
/// write with [`StoreError::Misuse`] (and its session is read-only on the server too).
pub struct PostgresStore {
    client: Client,
    /// Where the store lives, for messages (the URL without its password, and the schema).
    location: String,
    /// The schema holding the store's tables.
    schema: String,
    read_only: bool,
    /// How long `begin` waits for another writer.
    lock_timeout: std::time::Duration,
    /// The open transaction, if any.
    txn: Option<Txn>,
    /// UIDs and periods known to have integer ids.
    dims: Dims,
    /// Prepared statements and reused buffers of lookup and apply.
    buffers: Buffers,
}

impl std::fmt::Debug for PostgresStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PostgresStore")
            .field("location", &self.location)
            .field("read_only", &self.read_only)
            .field("in_transaction", &self.txn.is_some())
            .finish_non_exhaustive()
    }
}

impl DataValueStore for PostgresStore {
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
        let result = self.lookup_values(keys, found);
        self.note(result)
    }

    fn apply(&mut self, changes: &Changes) -> Result<(), StoreError> {
        self.writable("apply: the store was opened read-only")?;
        if changes.is_empty() {
            return Ok(());
        }
        self.in_write_txn(|store| store.apply_changes(changes))
    }

    fn completion(
        &mut self,
        data_set: &Uid,
        period: &Period,
        org_unit: &Uid,
        attribute_option_combo: &Uid,
    ) -> Result<Option<Completion>, StoreError> {
        let result = self.read_completion(data_set, period, org_unit, attribute_option_combo);
        self.note(result)
    }

    fn has_lock_exception(
        &mut self,
        data_set: &Uid,
        period: &Period,
        org_unit: &Uid,
    ) -> Result<bool, StoreError> {
        let result = self.lock_exception_exists(data_set, period, org_unit);
        self.note(result)
    }

    fn query(
        &mut self,
        query: &ValueQuery,
        each: &mut dyn FnMut(&StoredValue) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        let result = self.query_values(query, each);
        self.note(result)
    }

    fn audits(&mut self, key: &DataValueKey) -> Result<Vec<Audit>, StoreError> {
        let result = self.read_audits(key);
        self.note(result)
    }

    fn add_lock_exception(
        &mut self,
        data_set: &Uid,
        period: &Period,
        org_unit: &Uid,
    ) -> Result<(), StoreError> {
        self.writable("add_lock_exception: the store was opened read-only")?;
        self.in_write_txn(|store| store.insert_lock_exception(data_set, period, org_unit))
    }

    fn store_id(&mut self) -> Result<String, StoreError> {
        let result = self.read_store_id();
        self.note(result)
    }

    fn last_change(&mut self) -> Result<u64, StoreError> {
        let result = self.read_last_change();
        self.note(result)
    }

    fn changed_completions(
        &mut self,
        since: u64,
        each: &mut dyn FnMut(&Completion) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        let result = self.read_changed_completions(since, each);
        self.note(result)
    }

    fn put_record(&mut self, kind: &str, id: &str, body: &str) -> Result<(), StoreError> {
        self.writable("put_record: the store was opened read-only")?;
        let result = self.write_record(kind, id, body);
        self.note(result)
    }

    fn record(&mut self, kind: &str, id: &str) -> Result<Option<String>, StoreError> {
        let result = self.read_record(kind, id);
        self.note(result)
    }

    fn delete_record(&mut self, kind: &str, id: &str) -> Result<bool, StoreError> {
        self.writable("delete_record: the store was opened read-only")?;
        let result = self.remove_record(kind, id);
        self.note(result)
    }

    fn records(
        &mut self,
        kind: &str,
        each: &mut dyn FnMut(&str, &str) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        let result = self.read_records(kind, each);
        self.note(result)
    }
}
