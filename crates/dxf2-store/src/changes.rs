//! [`Changes`]: one batch of writes handed to [`DataValueStore::apply`](crate::DataValueStore::apply)
//! in one call: new rows, changed rows (soft deletes are changed rows with `deleted` set), audit
//! rows and completion registrations.
//!
//! The batch keeps its rows after [`Changes::clear`] and copies the next ones into them
//! ([`StoredValue::copy_from`]), so an importer that reuses one batch allocates nothing per value
//! once the batch has been filled once.

use crate::types::{Audit, Completion, StoredValue};

/// Whether a row of a batch is new or replaces a stored one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Write {
    /// A new row: the store holds no row with its key.
    Insert,
    /// Replaces the stored row with the same key (an update, a soft delete or a revival).
    Update,
}

/// One row of a batch.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RowWrite {
    /// New or replacing.
    pub write: Write,
    /// The row as it is to be stored.
    pub row: StoredValue,
    /// Buffers kept for the row's texts while they are `None` (value, comment, stored by).
    spare: [String; 3],
}

impl RowWrite {
    /// A new slot holding a copy of `row`, its text buffers (and their spares) at least
    /// [`TEXT_CAPACITY`] bytes.
    fn new(write: Write, row: &StoredValue) -> RowWrite {
        let text = |t: &Option<String>| {
            t.as_deref().map(|t| {
                let mut s = String::with_capacity(TEXT_CAPACITY.max(t.len()));
                s.push_str(t);
                s
            })
        };
        RowWrite {
            write,
            row: StoredValue {
                key: row.key,
                value: text(&row.value),
                comment: text(&row.comment),
                stored_by: text(&row.stored_by),
                created: row.created,
                last_updated: row.last_updated,
                followup: row.followup,
                deleted: row.deleted,
            },
            spare: std::array::from_fn(|_| String::with_capacity(TEXT_CAPACITY)),
        }
    }

    /// Makes this slot a copy of `from`, keeping its text buffers across `None`s.
    fn assign(&mut self, write: Write, from: &StoredValue) {
        self.write = write;
        let row = &mut self.row;
        let [value, comment, stored_by] = &mut self.spare;
        row.key = from.key;
        assign_text(&mut row.value, value, from.value.as_deref());
        assign_text(&mut row.comment, comment, from.comment.as_deref());
        assign_text(&mut row.stored_by, stored_by, from.stored_by.as_deref());
        row.created = from.created;
        row.last_updated = from.last_updated;
        row.followup = from.followup;
        row.deleted = from.deleted;
    }
}

/// Length of an optional text.
fn text_len(text: &Option<String>) -> usize {
    text.as_ref().map_or(0, String::len)
}

/// The capacity every text buffer of a slot starts with: values, comments and user names of up
/// to 64 bytes then never make a slot grow (10,000 rows × 6 buffers × 64 bytes: under 4 MB).
/// A longer text grows its own slot's buffer, once for the longest it holds.
const TEXT_CAPACITY: usize = 64;

/// Sets a reused text: `Some` is written into the slot's buffer (or the spare one); `None` keeps
/// the slot's buffer as the spare.
fn assign_text(slot: &mut Option<String>, spare: &mut String, text: Option<&str>) {
    match text {
        Some(t) => {
            let s = slot.get_or_insert_with(|| std::mem::take(spare));
            s.clear();
            s.push_str(t);
        }
        None => {
            if let Some(s) = slot.take() {
                if s.capacity() > spare.capacity() {
                    *spare = s;
                }
            }
        }
    }
}

/// A batch of writes, applied by [`DataValueStore::apply`](crate::DataValueStore::apply) in one
/// call.
///
/// What a store may rely on (the import engine guarantees it):
/// - each key appears in at most one row of a batch (the engine folds an insert followed by
///   updates of the same key into one insert carrying the last state);
/// - an [`Write::Insert`] row's key has no stored row, a [`Write::Update`] row's key has one
///   (both as of the start of the batch);
/// - audits are in the order the importer wrote them; completions replace any registration with
///   the same (data set, period, org unit, attribute option combo).
///
/// The store may apply the rows in any order (sorting them by its own key order is what makes a
/// batch fast).
///
/// ```
/// use chrono::{TimeZone, Utc};
/// use dxf2_model::Uid;
/// use dxf2_store::{Changes, DataValueKey, StoredValue, Write};
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
/// let mut changes = Changes::new();
/// let mut row = StoredValue::empty(key, now);
/// row.value = Some("12".to_owned());
/// let at = changes.push_row(Write::Insert, &row);
/// // A later value of the same key, in the same batch, replaces the pending row.
/// row.value = Some("13".to_owned());
/// assert!(changes.set_row(at, &row));
/// assert_eq!(changes.rows().len(), 1);
/// assert_eq!(changes.rows()[0].row.value.as_deref(), Some("13"));
/// changes.clear();
/// assert!(changes.is_empty());
/// ```
#[derive(Clone, Debug, Default)]
pub struct Changes {
    rows: Vec<RowWrite>,
    rows_len: usize,
    audits: Vec<Audit>,
    audits_len: usize,
    completions: Vec<Completion>,
    completions_len: usize,
    /// Bytes of text in the batch.
    text_bytes: usize,
}

impl Changes {
    /// An empty batch.
    pub fn new() -> Changes {
        Changes::default()
    }

    /// Empties the batch, keeping its rows' buffers for the next writes.
    pub fn clear(&mut self) {
        self.rows_len = 0;
        self.audits_len = 0;
        self.completions_len = 0;
        self.text_bytes = 0;
    }

    /// Bytes of text (values, comments, names) in the batch: how an importer bounds a batch of
    /// long values.
    pub fn text_bytes(&self) -> usize {
        self.text_bytes
    }

    /// Whether the batch holds nothing.
    pub fn is_empty(&self) -> bool {
        self.rows_len == 0 && self.audits_len == 0 && self.completions_len == 0
    }

    /// Number of rows, audits and completions in the batch.
    pub fn len(&self) -> usize {
        self.rows_len + self.audits_len + self.completions_len
    }

    /// Appends a row (copied into a reused slot) and returns its index in [`Changes::rows`].
    pub fn push_row(&mut self, write: Write, row: &StoredValue) -> usize {
        self.text_bytes += text_len(&row.value) + text_len(&row.comment) + text_len(&row.stored_by);
        let at = self.rows_len;
        match self.rows.get_mut(at) {
            Some(slot) => slot.assign(write, row),
            None => self.rows.push(RowWrite::new(write, row)),
        }
        self.rows_len += 1;
        at
    }

    /// Replaces the row at `index` (as returned by [`Changes::push_row`]) with a copy of `row`,
    /// keeping whether it is new and its text buffers: a later write of the same key in the same
    /// batch. Returns `false` (changing nothing) when there is no row at `index`.
    pub fn set_row(&mut self, index: usize, row: &StoredValue) -> bool {
        if index >= self.rows_len {
            return false;
        }
        match self.rows.get_mut(index) {
            Some(slot) => {
                self.text_bytes +=
                    text_len(&row.value) + text_len(&row.comment) + text_len(&row.stored_by);
                let write = slot.write;
                slot.assign(write, row);
                true
            }
            None => false,
        }
    }

    /// The rows of the batch, in the order they were pushed.
    pub fn rows(&self) -> &[RowWrite] {
        self.rows.get(..self.rows_len).unwrap_or_default()
    }

    /// Appends an audit row.
    pub fn push_audit(&mut self, audit: &Audit) {
        self.text_bytes += text_len(&audit.previous_value) + audit.modified_by.len();
        match self.audits.get_mut(self.audits_len) {
            Some(slot) => slot.copy_from(audit),
            None => self.audits.push(audit.clone()),
        }
        self.audits_len += 1;
    }

    /// The audit rows of the batch, in the order they were pushed.
    pub fn audits(&self) -> &[Audit] {
        self.audits.get(..self.audits_len).unwrap_or_default()
    }

    /// Appends a completion registration (created or replaced when the batch is applied).
    pub fn push_completion(&mut self, completion: &Completion) {
        match self.completions.get_mut(self.completions_len) {
            Some(slot) => slot.copy_from(completion),
            None => self.completions.push(completion.clone()),
        }
        self.completions_len += 1;
    }

    /// The completion registrations of the batch, in the order they were pushed.
    pub fn completions(&self) -> &[Completion] {
        self.completions
            .get(..self.completions_len)
            .unwrap_or_default()
    }
}
