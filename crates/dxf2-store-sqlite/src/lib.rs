//! `dxf2-store-sqlite`: the embedded, persistent [`SqliteStore`] for DHIS2 data values,
//! completions, audits, lock exceptions and metadata, in one SQLite file.
//!
//! The store implements [`DataValueStore`] and [`MetadataStore`](import_engine::store::MetadataStore) of the import engine. An import
//! runs in one SQLite transaction ([`begin`](DataValueStore::begin) …
//! [`commit`](DataValueStore::commit)): a process killed half way leaves the file as it was before
//! the import. The file uses SQLite's write-ahead log with `synchronous=NORMAL`.
//!
//! Tables: `datavalue` (primary key: data element, period, org unit, category option combo,
//! attribute option combo; also the period's type and first and last day, and `txn`, the number
//! of the transaction that inserted the row), `datavalueaudit`, `completedatasetregistration`,
//! `lockexception`, `metadata_object` (one JSON object per metadata object, an org unit with
//! its `parent`), `store_state` and `schema_version`. UIDs and ISO periods are stored as text,
//! timestamps as ISO-8601 UTC text with milliseconds (sub-millisecond parts are dropped), dates as
//! `yyyy-MM-dd`. Org unit paths are not stored: the hierarchy is computed from the parents when
//! metadata is loaded.
//!
//! Readers never wait for writers: [`SqliteStore::open_read_only`] (and [`SqliteStore::open`] of
//! an existing store) takes no write lock, and a read sees the last committed state while another
//! connection imports. A store of schema version 1 (which kept an `orgunit_path` table) is read
//! as it is and upgraded to version [`SCHEMA_VERSION`] by its first write transaction.
//!
//! ```
//! use chrono::{TimeZone, Utc};
//! use dxf2_model::{Period, Uid};
//! use dxf2_store_sqlite::SqliteStore;
//! use import_engine::store::{DataValueKey, DataValueStore, Existing, StoredValue, ValueQuery};
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
//! (the tables, the schema version and its upgrade), `transaction` (write transactions and
//! their numbering), `values` (data value rows and their audits), `registrations` (completions
//! and lock exceptions), `query` (the export query), `metadata` (metadata objects), `columns`
//! (reading typed columns), `text` (stored text forms) and `metadata_json` (metadata as JSON).

#![forbid(unsafe_code)]

mod columns;
mod metadata;
mod metadata_json;
mod open;
mod query;
mod registrations;
mod schema;
mod text;
mod transaction;
mod values;

use dxf2_model::{Period, Uid};
use import_engine::store::{
    Audit, Completion, DataValueKey, DataValueStore, Existing, StoreError, StoredValue, ValueQuery,
};
use rusqlite::Connection;

use crate::text::{PeriodReader, PeriodText, TimeText};

pub use crate::open::{OpenOptions, DEFAULT_BUSY_TIMEOUT};
pub use crate::schema::SCHEMA_VERSION;

/// The persistent SQLite store.
///
/// One store owns one connection; it is not shared between threads (move it instead). Rows
/// inserted in the current transaction are recognised by the `txn` column, which holds the number
/// of the transaction that inserted the row (0 for rows inserted outside a transaction);
/// [`update`](DataValueStore::update) leaves it unchanged.
///
/// [`query`](DataValueStore::query) returns rows ordered by period start date, period type (by
/// its DHIS2 name), data element, org unit, category option combo and attribute option combo
/// (UIDs compared as strings), exactly as [`MemoryStore`](import_engine::MemoryStore) does.
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
    /// The schema version found when opening (or created); below [`SCHEMA_VERSION`] until the
    /// first write transaction upgrades the store.
    schema_version: i64,
    /// The number of the open transaction.
    txn: Option<i64>,
    period: PeriodText,
    created: TimeText,
    last_updated: TimeText,
    periods_read: PeriodReader,
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

    fn get(&mut self, key: &DataValueKey, row: &mut StoredValue) -> Result<Existing, StoreError> {
        self.read_value(key, row)
    }

    fn insert(&mut self, row: &StoredValue) -> Result<(), StoreError> {
        self.insert_value(row)
    }

    fn update(&mut self, row: &StoredValue) -> Result<(), StoreError> {
        self.update_value(row)
    }

    fn audit(&mut self, audit: &Audit) -> Result<(), StoreError> {
        self.insert_audit(audit)
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

    fn set_completion(&mut self, completion: &Completion) -> Result<(), StoreError> {
        self.write_completion(completion)
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
}
