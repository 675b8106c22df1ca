//! The bulk path of an import into an empty `datavalue` table (a new store, or its first
//! import): the rows the transaction inserts wait in memory, [`FLUSH_ROWS`] at a time, and are
//! written sorted by primary key, several rows per statement, so that the B-tree is filled in
//! long ordered runs even when the file's values come in random order; and lookups of keys the
//! transaction never inserted are answered without a query (every row of the table is one of
//! the transaction's, and a Bloom filter of the keys inserted says which keys cannot be there).
//!
//! The waiting rows are kept as sorted runs (each batch's inserts come in key order, and a run
//! goes on while the next batch's keys are larger), found by binary search when the filter
//! says a key may have a row, and written by merging the runs (at the latest when there are
//! [`MAX_RUNS`] of them).
//!
//! What waits is part of the transaction as anything else: a lookup finds it, an update changes
//! it, a query or a commit writes it first, a rollback forgets it. Memory is bounded: at most
//! [`FLUSH_ROWS`] waiting rows, and the filter (about 2.5 bytes per row inserted) stops growing
//! after [`MAX_FILTERED_ROWS`] rows, when the transaction goes on as on a table that was not
//! empty.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use dxf2_store::{Existing, StoreError, StoredValue};

use crate::ids::IntKey;
use crate::text::{from_millis, millis};
use crate::values::Fields;

/// How many inserted rows wait before they are written (about 100 bytes each): the larger the
/// runs, the fewer times the B-tree is walked end to end.
pub(crate) const FLUSH_ROWS: usize = 200_000;

/// How many sorted runs of waiting rows there may be before they are written: a key the filter
/// cannot rule out is looked for in each (many small batches of keys in random order make many
/// short runs).
const MAX_RUNS: usize = 64;

/// How many rows a transaction inserts on the bulk path at most; later rows take the ordinary
/// path (the filter would otherwise grow without bound).
pub(crate) const MAX_FILTERED_ROWS: u64 = 8 << 20;

/// Where a text of a waiting row is in [`Bulk::text`]: start and length (`None`: NULL).
type Span = Option<(u32, u32)>;

/// A row waiting to be written.
#[derive(Clone, Debug)]
struct Pending {
    key: IntKey,
    value: Span,
    comment: Span,
    stored_by: Span,
    /// Milliseconds since 1970, as stored.
    created: i64,
    last_updated: i64,
    followup: bool,
    deleted: bool,
    /// The change number of the batch that last wrote it.
    change: i64,
}

/// What the bulk path knows of a key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Seen {
    /// The transaction never inserted it: it has no row.
    Never,
    /// Its row waits (at this place).
    Waiting(usize),
    /// Its row may have been written (or the filter is wrong): the table knows.
    Maybe,
}

/// The bulk path's state for the open transaction.
#[derive(Debug, Default)]
pub(crate) struct Bulk {
    /// On: the table was empty when the transaction began, and the filter has room.
    on: bool,
    /// The waiting rows, in sorted runs.
    rows: Vec<Pending>,
    /// The runs: `rows[start..end]`, each sorted by key.
    runs: Vec<(usize, usize)>,
    /// Their texts.
    text: String,
    /// The keys inserted by the transaction (waiting or written).
    inserted: Inserted,
}

impl Bulk {
    /// Starts the bulk path for a transaction (when the table is `empty`).
    pub(crate) fn start(&mut self, empty: bool) {
        *self = Bulk::default();
        self.on = empty;
    }

    /// Ends it (the transaction is over), freeing its memory.
    pub(crate) fn stop(&mut self) {
        *self = Bulk::default();
    }

    /// Whether the transaction is on the bulk path.
    pub(crate) fn is_on(&self) -> bool {
        self.on
    }

    /// How many rows wait.
    pub(crate) fn waiting_len(&self) -> usize {
        self.rows.len()
    }

    /// Whether rows wait.
    pub(crate) fn has_waiting(&self) -> bool {
        !self.rows.is_empty()
    }

    /// Whether enough rows (or runs) wait to write them.
    pub(crate) fn is_full(&self) -> bool {
        self.rows.len() >= FLUSH_ROWS || self.runs.len() >= MAX_RUNS
    }

    /// What is known of `key`.
    pub(crate) fn seen(&self, key: &IntKey) -> Seen {
        if !self.inserted.may_contain(key) {
            return Seen::Never;
        }
        for &(start, end) in &self.runs {
            let Some(run) = self.rows.get(start..end) else {
                continue;
            };
            if let Ok(i) = run.binary_search_by(|p| p.key.cmp(key)) {
                return Seen::Waiting(start + i);
            }
        }
        Seen::Maybe
    }

    /// Makes `row` wait under `key`, unless `key` has a row (waiting, or written: then
    /// `written(key)`, asked only when the filter cannot tell, says whether the table has it);
    /// false when it has one.
    pub(crate) fn insert(
        &mut self,
        key: IntKey,
        row: &StoredValue,
        change: i64,
        written: &mut dyn FnMut(&IntKey) -> Result<bool, StoreError>,
    ) -> Result<bool, StoreError> {
        match self.seen(&key) {
            Seen::Never => {}
            Seen::Waiting(_) => return Ok(false),
            Seen::Maybe => {
                if written(&key)? {
                    return Ok(false);
                }
            }
        }
        let pending = Pending {
            key,
            value: self.put_text(row.value.as_deref()),
            comment: self.put_text(row.comment.as_deref()),
            stored_by: self.put_text(row.stored_by.as_deref()),
            created: millis(&row.created),
            last_updated: millis(&row.last_updated),
            followup: row.followup,
            deleted: row.deleted,
            change,
        };
        let at = self.rows.len();
        let goes_on = self.runs.last().is_some_and(|&(_, end)| {
            end == at && self.rows.last().is_some_and(|last| last.key < key)
        });
        match self.runs.last_mut() {
            Some(run) if goes_on => run.1 = at + 1,
            _ => self.runs.push((at, at + 1)),
        }
        self.rows.push(pending);
        self.inserted.insert(&key);
        Ok(true)
    }

    /// Replaces the waiting row at `at` (see [`Seen::Waiting`]) with `row`.
    pub(crate) fn update(&mut self, at: usize, row: &StoredValue, change: i64) {
        let (value, comment, stored_by) = (
            self.put_text(row.value.as_deref()),
            self.put_text(row.comment.as_deref()),
            self.put_text(row.stored_by.as_deref()),
        );
        if let Some(pending) = self.rows.get_mut(at) {
            pending.value = value;
            pending.comment = comment;
            pending.stored_by = stored_by;
            pending.created = millis(&row.created);
            pending.last_updated = millis(&row.last_updated);
            pending.followup = row.followup;
            pending.deleted = row.deleted;
            pending.change = change;
        }
    }

    fn put_text(&mut self, text: Option<&str>) -> Span {
        let text = text?;
        let start = u32::try_from(self.text.len()).ok()?;
        let len = u32::try_from(text.len()).ok()?;
        self.text.push_str(text);
        Some((start, len))
    }

    fn text_of(&self, span: Span) -> Option<&str> {
        let (start, len) = span?;
        let (start, len) = (start as usize, len as usize);
        self.text.get(start..start + len)
    }

    /// Fills `row` (its key already set) from the waiting row at `at`; says how it exists.
    pub(crate) fn read(&self, at: usize, row: &mut StoredValue) -> Result<Existing, StoreError> {
        const TABLE: &str = "datavalue";
        let Some(pending) = self.rows.get(at) else {
            return Err(StoreError::Misuse("no waiting row there"));
        };
        copy_text(self.text_of(pending.value), &mut row.value);
        copy_text(self.text_of(pending.comment), &mut row.comment);
        copy_text(self.text_of(pending.stored_by), &mut row.stored_by);
        row.created = from_millis(pending.created, TABLE, "created")?;
        row.last_updated = from_millis(pending.last_updated, TABLE, "lastupdated")?;
        row.followup = pending.followup;
        row.deleted = pending.deleted;
        Ok(Existing::InsertedInThisTransaction)
    }

    /// Hands every waiting row to `write(key, fields, change)`, in primary key order (merging
    /// the runs), and forgets them. Turns the bulk path off when the filter is full.
    pub(crate) fn drain(
        &mut self,
        write: &mut dyn FnMut(&IntKey, &Fields<'_>, i64) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        let key_at = |i: usize| self.rows.get(i).map(|p| p.key);
        let mut next: Vec<usize> = self.runs.iter().map(|&(start, _)| start).collect();
        let mut heads: BinaryHeap<Reverse<(IntKey, usize)>> = self
            .runs
            .iter()
            .enumerate()
            .filter_map(|(run, &(start, _))| key_at(start).map(|key| Reverse((key, run))))
            .collect();
        while let Some(Reverse((_, run))) = heads.pop() {
            let (Some(at), Some(&(_, end))) = (next.get(run).copied(), self.runs.get(run)) else {
                continue;
            };
            if let Some(pending) = self.rows.get(at) {
                let fields = Fields {
                    texts: [
                        self.text_of(pending.value),
                        self.text_of(pending.comment),
                        self.text_of(pending.stored_by),
                    ],
                    created: pending.created,
                    last_updated: pending.last_updated,
                    followup: pending.followup,
                    deleted: pending.deleted,
                };
                write(&pending.key, &fields, pending.change)?;
            }
            if let Some(n) = next.get_mut(run) {
                *n = at + 1;
            }
            if at + 1 < end {
                if let Some(key) = key_at(at + 1) {
                    heads.push(Reverse((key, run)));
                }
            }
        }
        self.rows.clear();
        self.runs.clear();
        self.text.clear();
        if self.inserted.len >= MAX_FILTERED_ROWS {
            self.on = false;
        }
        Ok(())
    }
}

/// Copies `text` into `out`, reusing its buffer.
fn copy_text(text: Option<&str>, out: &mut Option<String>) {
    match (text, out.as_mut()) {
        (None, _) => *out = None,
        (Some(t), Some(buf)) => {
            buf.clear();
            buf.push_str(t);
        }
        (Some(t), None) => *out = Some(t.to_owned()),
    }
}

/// Bits per key of the filters: about 1% false positives.
const BITS_PER_KEY: usize = 10;
/// Keys of the first filter (1.25 MB); each next one holds twice as many. One filter covers an
/// import of a million values, so that a query reads one block of one filter.
const FIRST_CAPACITY: usize = 1 << 20;
/// The multipliers that pick a key's bit in each word of its block (those of Parquet's split
/// block Bloom filter).
const SALT: [u32; 8] = [
    0x47b6_137b,
    0x4497_4d91,
    0x8824_ad5b,
    0xa2b7_289d,
    0x7054_95c7,
    0x2df1_424b,
    0x9efc_4947,
    0x5c6b_fb31,
];

/// A Bloom filter of the keys inserted, growing as a list of filters of doubling size (a key is
/// in the newest one; a query asks each).
#[derive(Debug, Default)]
struct Inserted {
    filters: Vec<Filter>,
    len: u64,
}

/// A split block Bloom filter: a key sets one bit in each of the 8 words of one 256-bit block.
#[derive(Debug)]
struct Filter {
    blocks: Vec<[u32; 8]>,
    /// `blocks.len() - 1` (a power of two minus one).
    mask: u64,
    capacity: usize,
    len: usize,
}

/// Where a key's bits are: its block (before masking) and the word of bits in each word.
fn probes(key: &IntKey) -> (u64, [u32; 8]) {
    let hash = hash(key);
    let low = hash as u32;
    let mut bits = [0u32; 8];
    for (bit, salt) in bits.iter_mut().zip(SALT) {
        *bit = 1 << (low.wrapping_mul(salt) >> 27);
    }
    (hash >> 32, bits)
}

impl Filter {
    fn new(capacity: usize) -> Filter {
        let blocks = (capacity * BITS_PER_KEY / 256).next_power_of_two().max(1);
        Filter {
            blocks: vec![[0; 8]; blocks],
            mask: blocks as u64 - 1,
            capacity,
            len: 0,
        }
    }

    fn insert(&mut self, (block, bits): (u64, [u32; 8])) {
        if let Some(block) = self.blocks.get_mut((block & self.mask) as usize) {
            for (word, bit) in block.iter_mut().zip(bits) {
                *word |= bit;
            }
        }
        self.len += 1;
    }

    fn may_contain(&self, (block, bits): (u64, [u32; 8])) -> bool {
        self.blocks
            .get((block & self.mask) as usize)
            .is_some_and(|block| block.iter().zip(bits).all(|(word, bit)| word & bit != 0))
    }
}

impl Inserted {
    fn insert(&mut self, key: &IntKey) {
        let full = self.filters.last().is_none_or(|f| f.len >= f.capacity);
        if full {
            let capacity = self
                .filters
                .last()
                .map_or(FIRST_CAPACITY, |f| f.capacity * 2);
            self.filters.push(Filter::new(capacity));
        }
        if let Some(filter) = self.filters.last_mut() {
            filter.insert(probes(key));
        }
        self.len += 1;
    }

    fn may_contain(&self, key: &IntKey) -> bool {
        if self.filters.is_empty() {
            return false;
        }
        let probes = probes(key);
        self.filters.iter().any(|f| f.may_contain(probes))
    }
}

/// A 64-bit hash of a key: the parts folded by multiply-rotate, then finalised.
fn hash(key: &IntKey) -> u64 {
    mix(key.iter().fold(0x9E37_79B9_7F4A_7C15_u64, |h, &part| {
        (h ^ part as u64)
            .wrapping_mul(0xFF51_AFD7_ED55_8CCD)
            .rotate_left(29)
    }))
}

/// SplitMix64's finaliser.
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_filter_has_no_false_negatives_and_few_false_positives() {
        let mut w = Inserted::default();
        let key = |i: i64| [i % 37, i / 37 % 1000, i % 24, 1, 1];
        for i in 0..300_000 {
            w.insert(&key(i));
        }
        assert_eq!(w.filters.len(), 1);
        for i in 300_000..(FIRST_CAPACITY as i64 + 1) {
            w.insert(&key(i));
        }
        assert_eq!(w.filters.len(), 2);
        assert!((0..300_000).all(|i| w.may_contain(&key(i))));
        let false_positives = (0..100_000)
            .filter(|&i| w.may_contain(&[i, -1, i % 24, 2, 1]))
            .count();
        assert!(false_positives < 3_000, "{false_positives}");
    }

    #[test]
    fn waiting_rows_are_found_updated_and_drained_in_key_order() {
        use chrono::{TimeZone, Utc};
        use dxf2_model::Uid;
        use dxf2_store::DataValueKey;

        let uid = Uid::parse("HllvX50cXC0").unwrap();
        let k = DataValueKey {
            data_element: uid,
            period: "202001".parse().unwrap(),
            org_unit: uid,
            category_option_combo: uid,
            attribute_option_combo: uid,
        };
        let now = Utc.with_ymd_and_hms(2024, 1, 2, 3, 4, 5).unwrap();
        let mut row = StoredValue::empty(k, now);
        let mut bulk = Bulk::default();
        bulk.start(true);
        let mut never = |_: &IntKey| -> Result<bool, StoreError> { panic!("no key was written") };
        // Two batches (runs): 2, 4, 6 then 1, 5; then 7 goes on the second run.
        for (n, change) in [(2, 1), (4, 1), (6, 1), (1, 2), (5, 2), (7, 3)] {
            row.value = Some(n.to_string());
            assert!(bulk
                .insert([n, 1, 1, 1, 1], &row, change, &mut never)
                .unwrap());
        }
        assert_eq!(bulk.runs, [(0, 3), (3, 6)]);
        assert!(!bulk.insert([5, 1, 1, 1, 1], &row, 3, &mut never).unwrap());
        assert_eq!(bulk.seen(&[3, 1, 1, 1, 1]), Seen::Never);

        let Seen::Waiting(at) = bulk.seen(&[4, 1, 1, 1, 1]) else {
            panic!("4 waits");
        };
        row.value = None;
        row.comment = Some("c".into());
        bulk.update(at, &row, 4);
        let mut read = StoredValue::empty(k, now);
        assert_eq!(
            bulk.read(at, &mut read).unwrap(),
            Existing::InsertedInThisTransaction
        );
        assert_eq!((read.value, read.comment.as_deref()), (None, Some("c")));

        let mut drained = Vec::new();
        bulk.drain(&mut |key, fields, change| {
            drained.push((key[0], fields.texts[0].map(str::to_owned), change));
            Ok(())
        })
        .unwrap();
        let some = |s: &str| Some(s.to_owned());
        assert_eq!(
            drained,
            [
                (1, some("1"), 2),
                (2, some("2"), 1),
                (4, None, 4),
                (5, some("5"), 2),
                (6, some("6"), 1),
                (7, some("7"), 3)
            ]
        );
        assert!(!bulk.has_waiting());
        // Written keys: the table is asked.
        assert_eq!(bulk.seen(&[2, 1, 1, 1, 1]), Seen::Maybe);
        let mut written = |_: &IntKey| -> Result<bool, StoreError> { Ok(true) };
        assert!(!bulk.insert([2, 1, 1, 1, 1], &row, 5, &mut written).unwrap());
    }
}
