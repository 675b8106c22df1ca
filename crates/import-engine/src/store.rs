//! Where data values live: the [`DataValueStore`] trait and its row types.

use chrono::{DateTime, NaiveDate, Utc};
use dxf2_model::{HierarchyError, Metadata, Period, Uid};
use thiserror::Error;

/// The key of a stored data value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct DataValueKey {
    /// Data element.
    pub data_element: Uid,
    /// Period.
    pub period: Period,
    /// Organisation unit.
    pub org_unit: Uid,
    /// Category option combo.
    pub category_option_combo: Uid,
    /// Attribute option combo.
    pub attribute_option_combo: Uid,
}

/// A stored data value row (`datavalue`).
///
/// Text fields are owned `String`s so that a caller can reuse one row as a buffer
/// ([`DataValueStore::get`] fills a caller's row).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredValue {
    /// The key.
    pub key: DataValueKey,
    /// `value` (trimmed; `None` when null).
    pub value: Option<String>,
    /// `comment`.
    pub comment: Option<String>,
    /// `storedby`.
    pub stored_by: Option<String>,
    /// `created`.
    pub created: DateTime<Utc>,
    /// `lastupdated`.
    pub last_updated: DateTime<Utc>,
    /// `followup`.
    pub followup: bool,
    /// `deleted` (soft delete).
    pub deleted: bool,
}

impl StoredValue {
    /// A row with no value, not deleted, created and updated at `now`.
    pub fn empty(key: DataValueKey, now: DateTime<Utc>) -> StoredValue {
        StoredValue {
            key,
            value: None,
            comment: None,
            stored_by: None,
            created: now,
            last_updated: now,
            followup: false,
            deleted: false,
        }
    }
}

/// What an existing row looked like when it was read, and whether it was inserted by the import
/// now running (see [`DataValueStore::get`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Existing {
    /// No row for the key.
    None,
    /// A row that existed before the current transaction began (or was updated in it).
    Stored,
    /// A row inserted since [`DataValueStore::begin`]: DHIS2's classic importer buffers such
    /// inserts and does not see them when it checks for an existing row.
    InsertedInThisTransaction,
}

/// Type of an audit row (`datavalueaudit.audittype`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AuditType {
    /// The value was changed; the audit holds the previous value.
    Update,
    /// The value was deleted; the audit holds the previous value.
    Delete,
    /// The value was created (the 2.43+ changelog records creations too); the audit holds the
    /// value written.
    Create,
}

impl AuditType {
    /// DHIS2's name.
    pub fn name(self) -> &'static str {
        match self {
            AuditType::Update => "UPDATE",
            AuditType::Delete => "DELETE",
            AuditType::Create => "CREATE",
        }
    }
}

/// One audit row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Audit {
    /// The value's key.
    pub key: DataValueKey,
    /// The previous value.
    pub previous_value: Option<String>,
    /// Who changed it.
    pub modified_by: String,
    /// When.
    pub created: DateTime<Utc>,
    /// What happened.
    pub audit_type: AuditType,
}

/// A data set completion registration (`completedatasetregistration`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Completion {
    /// Data set.
    pub data_set: Uid,
    /// Period.
    pub period: Period,
    /// Organisation unit.
    pub org_unit: Uid,
    /// Attribute option combo.
    pub attribute_option_combo: Uid,
    /// The completion date.
    pub date: NaiveDate,
    /// Who completed it.
    pub stored_by: String,
    /// When the registration was last changed.
    pub last_updated: DateTime<Utc>,
    /// `completed`.
    pub completed: bool,
}

/// A filter over stored values, already resolved to UIDs (the export pipeline builds it).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ValueQuery {
    /// Only these data elements (empty = none; an export always names some).
    pub data_elements: Vec<Uid>,
    /// Only these exact periods (empty = no period filter unless a date range is given).
    pub periods: Vec<Period>,
    /// Only periods fully inside `[start, end]` (any period type).
    pub date_range: Option<(NaiveDate, NaiveDate)>,
    /// Only these org units, when `Some` (an export with `children` lists every unit of the
    /// requested subtrees, taken from the metadata's hierarchy:
    /// [`Metadata::org_unit_subtree`]).
    pub org_units: Option<Vec<Uid>>,
    /// Only these attribute option combos (empty = all).
    pub attribute_option_combos: Vec<Uid>,
    /// Include soft-deleted rows.
    pub include_deleted: bool,
    /// Only rows with `lastUpdated >=` this instant.
    pub last_updated_since: Option<DateTime<Utc>>,
    /// At most this many rows (the first ones in [`ValueQuery::order`]).
    pub limit: Option<u64>,
    /// The order the rows come in.
    pub order: ValueOrder,
}

/// The order in which [`DataValueStore::query`] returns rows. Both orders are total (every key
/// field takes part), so an export is deterministic.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum ValueOrder {
    /// Period start, period type, data element, org unit, category option combo, attribute
    /// option combo (UIDs compared as text): the key order, used by the classic export (DHIS2
    /// 2.36–2.42 has no `ORDER BY`; any deterministic order is DHIS2's).
    #[default]
    Key,
    /// DHIS2 2.43+'s default export order: period start, period end, `created`, data element
    /// (DHIS2 orders by its numeric id; the UID text here); then period type, org unit, category
    /// option combo, attribute option combo to break ties.
    Created,
}

/// A store failure: not about the data being imported, but about the store itself.
///
/// A store written by a host wraps its own error in [`StoreError::Backend`] (see
/// [`StoreError::backend`]); the import engine hands it back unchanged in
/// [`Failure::Store`](crate::Failure::Store), so the host can take the
/// [`source`](std::error::Error::source) and downcast it to its own type.
///
/// ```
/// use import_engine::StoreError;
///
/// #[derive(Debug)]
/// struct DiskFull;
/// impl std::fmt::Display for DiskFull {
///     fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result { f.write_str("disk full") }
/// }
/// impl std::error::Error for DiskFull {}
///
/// let e = StoreError::backend("writing a data value", DiskFull);
/// assert_eq!(e.to_string(), "store error: writing a data value: disk full");
/// let source = std::error::Error::source(&e).unwrap();
/// assert!(source.downcast_ref::<DiskFull>().is_some());
/// ```
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The backing database (or a host's own store) failed; `source` is its error.
    #[error("store error: {context}: {source}")]
    Backend {
        /// What the store was doing (for example "cannot open the store `x.sqlite`").
        context: String,
        /// The backend's own error.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync + 'static>,
    },
    /// The store's contents are not what this version expects.
    #[error("store is corrupt or from an incompatible version: {0}")]
    Incompatible(String),
    /// A method was called out of order (e.g. commit without begin).
    #[error("store misuse: {0}")]
    Misuse(&'static str),
    /// The metadata saved (with what the store holds) or loaded does not form an org unit
    /// hierarchy (its parents form a cycle).
    #[error("store metadata: {0}")]
    Hierarchy(#[from] HierarchyError),
}

impl StoreError {
    /// A [`StoreError::Backend`]: `source` failed while the store was doing `context`.
    pub fn backend(
        context: impl Into<String>,
        source: impl Into<Box<dyn std::error::Error + Send + Sync + 'static>>,
    ) -> StoreError {
        StoreError::Backend {
            context: context.into(),
            source: source.into(),
        }
    }
}

/// Where data values, completions and audits live.
///
/// The import engine calls [`begin`](DataValueStore::begin) before the first change and
/// [`commit`](DataValueStore::commit) (or [`rollback`](DataValueStore::rollback)) at the end; a
/// store must make the changes between them atomic and durable at commit. Changes are applied
/// immediately (a later `get` in the same transaction sees them).
pub trait DataValueStore {
    /// Starts a transaction.
    fn begin(&mut self) -> Result<(), StoreError>;
    /// Makes every change since `begin` durable.
    fn commit(&mut self) -> Result<(), StoreError>;
    /// Discards every change since `begin`.
    fn rollback(&mut self) -> Result<(), StoreError>;

    /// Reads the row for `key` into `row` (left untouched when there is none) and says whether there
    /// was one, and whether it was inserted in the current transaction.
    fn get(&mut self, key: &DataValueKey, row: &mut StoredValue) -> Result<Existing, StoreError>;
    /// Inserts a new row (there is no row for its key).
    fn insert(&mut self, row: &StoredValue) -> Result<(), StoreError>;
    /// Replaces the row with the same key.
    fn update(&mut self, row: &StoredValue) -> Result<(), StoreError>;
    /// Appends an audit row.
    fn audit(&mut self, audit: &Audit) -> Result<(), StoreError>;

    /// Reads a completion registration.
    fn completion(
        &mut self,
        data_set: &Uid,
        period: &Period,
        org_unit: &Uid,
        attribute_option_combo: &Uid,
    ) -> Result<Option<Completion>, StoreError>;
    /// Creates or replaces a completion registration.
    fn set_completion(&mut self, completion: &Completion) -> Result<(), StoreError>;

    /// Whether a lock exception exists for (data set, period, org unit).
    fn has_lock_exception(
        &mut self,
        data_set: &Uid,
        period: &Period,
        org_unit: &Uid,
    ) -> Result<bool, StoreError>;

    /// Calls `each` for every row matching `query`, in the query's deterministic
    /// [`order`](ValueQuery::order) (by default period start, period type, data element, org
    /// unit, COC, AOC), at most [`limit`](ValueQuery::limit) rows.
    fn query(
        &mut self,
        query: &ValueQuery,
        each: &mut dyn FnMut(&StoredValue) -> Result<(), StoreError>,
    ) -> Result<(), StoreError>;

    /// Every audit row of a key, oldest first (for tests and users' questions).
    fn audits(&mut self, key: &DataValueKey) -> Result<Vec<Audit>, StoreError>;
}

/// A store that also keeps metadata (the SQLite store does).
pub trait MetadataStore {
    /// Loads the stored metadata (empty when none was imported), its org unit hierarchy computed.
    fn load_metadata(&mut self) -> Result<Metadata, StoreError>;
    /// Adds or replaces metadata objects (by kind and UID). Fails, saving nothing, when the org
    /// units saved and stored would form a cycle ([`StoreError::Hierarchy`]).
    fn save_metadata(&mut self, metadata: &Metadata) -> Result<(), StoreError>;
}
