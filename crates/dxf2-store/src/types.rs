//! The rows a store keeps: data value keys and rows, audits, completions, and the query that
//! selects rows for an export.

use chrono::{DateTime, NaiveDate, Utc};
use dxf2_model::{Period, Uid};

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
/// ([`DataValueStore::lookup`](crate::DataValueStore::lookup) lends rows, [`StoredValue::copy_from`]
/// copies one into a caller's row without allocating once its buffers are large enough).
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

    /// Makes `self` a copy of `from`, reusing `self`'s text buffers (no allocation once they
    /// are large enough): how a store fills a caller's reused row.
    pub fn copy_from(&mut self, from: &StoredValue) {
        self.key = from.key;
        self.value.clone_from(&from.value);
        self.comment.clone_from(&from.comment);
        self.stored_by.clone_from(&from.stored_by);
        self.created = from.created;
        self.last_updated = from.last_updated;
        self.followup = from.followup;
        self.deleted = from.deleted;
    }
}

/// What an existing row looked like when it was read, and whether it was inserted by the import
/// now running (see [`DataValueStore::lookup`](crate::DataValueStore::lookup)).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Existing {
    /// No row for the key.
    None,
    /// A row that existed before the current transaction began (or was updated in it).
    Stored,
    /// A row inserted since [`DataValueStore::begin`](crate::DataValueStore::begin): DHIS2's classic importer buffers such
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

impl Audit {
    /// Makes `self` a copy of `from`, reusing `self`'s text buffers.
    pub fn copy_from(&mut self, from: &Audit) {
        self.key = from.key;
        self.previous_value.clone_from(&from.previous_value);
        self.modified_by.clone_from(&from.modified_by);
        self.created = from.created;
        self.audit_type = from.audit_type;
    }
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

impl Completion {
    /// Makes `self` a copy of `from`, reusing `self`'s text buffer.
    pub fn copy_from(&mut self, from: &Completion) {
        self.data_set = from.data_set;
        self.period = from.period;
        self.org_unit = from.org_unit;
        self.attribute_option_combo = from.attribute_option_combo;
        self.date = from.date;
        self.stored_by.clone_from(&from.stored_by);
        self.last_updated = from.last_updated;
        self.completed = from.completed;
    }
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
    /// [`Metadata::org_unit_subtree`](dxf2_model::Metadata::org_unit_subtree)).
    pub org_units: Option<Vec<Uid>>,
    /// Only these attribute option combos (empty = all).
    pub attribute_option_combos: Vec<Uid>,
    /// Include soft-deleted rows.
    pub include_deleted: bool,
    /// Only rows written by a change numbered above this one (see
    /// [`DataValueStore::last_change`](crate::DataValueStore::last_change)): "everything changed
    /// since N", for sync bundles.
    pub changed_since: Option<u64>,
    /// Only rows with `lastUpdated >=` this instant.
    pub last_updated_since: Option<DateTime<Utc>>,
    /// At most this many rows (the first ones in [`ValueQuery::order`]).
    pub limit: Option<u64>,
    /// The order the rows come in.
    pub order: ValueOrder,
}

/// The order in which [`DataValueStore::query`](crate::DataValueStore::query) returns rows. Both orders are total (every key
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
