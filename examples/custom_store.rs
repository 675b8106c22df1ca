//! A host program's own data value store, used by an import; and what the host gets back when
//! that store fails.
//!
//! The import engine does not care where data values live: it speaks to a [`DataValueStore`]
//! (the crate has [`MemoryStore`] and the SQLite store; a host can bring its own database). The
//! contract, in short:
//!
//! * an import calls `begin` once, then reads and writes rows in batches — `lookup` the stored
//!   rows of many keys, `apply` a batch of changes — then `commit` (or `rollback` for a dry run or
//!   a failed import): the changes in between must be atomic;
//! * `lookup` says whether a row was inserted *in the transaction now running*: DHIS2's classic
//!   importer (2.36–2.42) does not see its own pending inserts when it checks for an existing
//!   value, so two values with the same key in one file are both "imported";
//! * audits record the previous value of every update and delete;
//! * `query` feeds exports, in a deterministic order.
//!
//! This example keeps everything in a `BTreeMap` whose key is the store's order (period start,
//! period type, data element, org unit, category option combo, attribute option combo), so
//! queries come out sorted for free; a transaction keeps a copy of the map to restore on
//! rollback (simple, and fine for a small store). The store can be told to fail on its N-th
//! write, to show the error path: the import fails as a whole, nothing of it stays in the
//! store, and the host's own error reaches it.
//!
//! ```text
//! cargo run --example custom_store
//! ```

use std::collections::{BTreeMap, BTreeSet};
use std::error::Error;
use std::fmt;
use std::path::Path;

use chrono::NaiveDate;
use dxf2::engine::store::{
    Audit, Changes, Completion, DataValueKey, DataValueStore, Existing, StoreError, StoredValue,
    ValueOrder, ValueQuery, Write,
};
use dxf2::engine::{Failure, Importer, Superuser};
use dxf2::model::{ImportOptions, Period, Uid};
use dxf2::resolver::MetadataResolver;

/// The store's order of keys: period start, period type, data element, org unit, category option
/// combo, attribute option combo (UIDs order as their text).
type SortKey = (NaiveDate, &'static str, Uid, Uid, Uid, Uid);

fn sort_key(key: &DataValueKey) -> SortKey {
    (
        key.period.start_date(),
        key.period.period_type().name(),
        key.data_element,
        key.org_unit,
        key.category_option_combo,
        key.attribute_option_combo,
    )
}

/// The contents of the store (what a transaction copies and restores).
#[derive(Clone, Debug, Default)]
struct Tables {
    values: BTreeMap<SortKey, StoredValue>,
    audits: Vec<Audit>,
    completions: Vec<Completion>,
}

/// A host's own store.
#[derive(Debug, Default)]
struct BTreeStore {
    tables: Tables,
    /// The tables as they were at `begin` (`Some` while a transaction is open).
    before: Option<Tables>,
    /// Keys inserted since `begin`.
    inserted: BTreeSet<SortKey>,
    /// Writes so far, and the write that fails (to show the error path).
    writes: u64,
    fail_on_write: Option<u64>,
}

/// The host's own error type: what its database would report.
#[derive(Debug)]
struct DiskFull {
    write: u64,
}

impl fmt::Display for DiskFull {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "disk full at write #{}", self.write)
    }
}

impl Error for DiskFull {}

impl BTreeStore {
    /// Counts a write, failing the one the store was told to fail.
    fn write(&mut self) -> Result<(), StoreError> {
        self.writes += 1;
        if self.fail_on_write == Some(self.writes) {
            // The engine hands this error back to the host in the import's outcome.
            // The host's error travels as the source of a `StoreError::Backend`.
            return Err(StoreError::backend(
                "writing to the host's store",
                DiskFull { write: self.writes },
            ));
        }
        Ok(())
    }
}

impl DataValueStore for BTreeStore {
    fn begin(&mut self) -> Result<(), StoreError> {
        if self.before.is_some() {
            return Err(StoreError::Misuse("begin: a transaction is already open"));
        }
        self.before = Some(self.tables.clone());
        self.inserted.clear();
        Ok(())
    }

    fn commit(&mut self) -> Result<(), StoreError> {
        match self.before.take() {
            Some(_) => Ok(()),
            None => Err(StoreError::Misuse("commit: no open transaction")),
        }
    }

    fn rollback(&mut self) -> Result<(), StoreError> {
        match self.before.take() {
            Some(before) => {
                self.tables = before;
                Ok(())
            }
            None => Err(StoreError::Misuse("rollback: no open transaction")),
        }
    }

    fn lookup(
        &mut self,
        keys: &[DataValueKey],
        found: &mut dyn FnMut(usize, &StoredValue, Existing) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        for (i, key) in keys.iter().enumerate() {
            let sort_key = sort_key(key);
            if let Some(stored) = self.tables.values.get(&sort_key) {
                let existing = if self.before.is_some() && self.inserted.contains(&sort_key) {
                    Existing::InsertedInThisTransaction
                } else {
                    Existing::Stored
                };
                found(i, stored, existing)?;
            }
        }
        Ok(())
    }

    fn apply(&mut self, changes: &Changes) -> Result<(), StoreError> {
        // One batch is one write here (a database would send it in one statement or COPY).
        self.write()?;
        for w in changes.rows() {
            let sort_key = sort_key(&w.row.key);
            match (w.write, self.tables.values.get_mut(&sort_key)) {
                (Write::Insert, None) => {
                    self.tables.values.insert(sort_key, w.row.clone());
                    if self.before.is_some() {
                        self.inserted.insert(sort_key);
                    }
                }
                (Write::Update, Some(stored)) => stored.clone_from(&w.row),
                (Write::Insert, Some(_)) => {
                    return Err(StoreError::Misuse("insert: a row with this key exists"))
                }
                (Write::Update, None) => {
                    return Err(StoreError::Misuse("update: no row with this key"))
                }
            }
        }
        self.tables.audits.extend(changes.audits().iter().cloned());
        for completion in changes.completions() {
            let completions = &mut self.tables.completions;
            completions.retain(|c| {
                !(c.data_set == completion.data_set
                    && c.period == completion.period
                    && c.org_unit == completion.org_unit
                    && c.attribute_option_combo == completion.attribute_option_combo)
            });
            completions.push(completion.clone());
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
        Ok(self
            .tables
            .completions
            .iter()
            .find(|c| {
                c.data_set == *data_set
                    && c.period == *period
                    && c.org_unit == *org_unit
                    && c.attribute_option_combo == *attribute_option_combo
            })
            .cloned())
    }

    fn has_lock_exception(
        &mut self,
        _data_set: &Uid,
        _period: &Period,
        _org_unit: &Uid,
    ) -> Result<bool, StoreError> {
        // This host grants no lock exceptions: a locked period stays locked.
        Ok(false)
    }

    fn query(
        &mut self,
        query: &ValueQuery,
        each: &mut dyn FnMut(&StoredValue) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        let matches = |row: &&StoredValue| {
            let key = &row.key;
            query.data_elements.contains(&key.data_element)
                && (query.periods.is_empty() || query.periods.contains(&key.period))
                && query.date_range.is_none_or(|(start, end)| {
                    key.period.start_date() >= start && key.period.end_date() <= end
                })
                && query
                    .org_units
                    .as_ref()
                    .is_none_or(|units| units.contains(&key.org_unit))
                && (query.attribute_option_combos.is_empty()
                    || query
                        .attribute_option_combos
                        .contains(&key.attribute_option_combo))
                && (query.include_deleted || !row.deleted)
                && query
                    .last_updated_since
                    .is_none_or(|since| row.last_updated >= since)
        };
        // The map iterates in key order already; DHIS2 2.43+'s order sorts by creation too.
        let mut rows: Vec<&StoredValue> = self.tables.values.values().filter(matches).collect();
        if query.order == ValueOrder::Created {
            rows.sort_by(|a, b| {
                (
                    a.key.period.start_date(),
                    a.key.period.end_date(),
                    a.created,
                )
                    .cmp(&(
                        b.key.period.start_date(),
                        b.key.period.end_date(),
                        b.created,
                    ))
                    .then_with(|| a.key.data_element.cmp(&b.key.data_element))
                    .then_with(|| sort_key(&a.key).cmp(&sort_key(&b.key)))
            });
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
            .tables
            .audits
            .iter()
            .filter(|a| a.key == *key)
            .cloned()
            .collect())
    }
}

fn main() -> Result<(), Box<dyn Error>> {
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/data");
    // The district's metadata: org units, data elements, category option combos, a data set.
    let metadata = dxf2::json::metadata::read_metadata(std::fs::File::open(
        data.join("malaria-metadata.json"),
    )?)?;
    let access = Superuser::default();
    let importer = Importer::new(&metadata, &access);
    let report = std::fs::read(data.join("malaria-2024-09.xml"))?;
    let mut resolver = MetadataResolver::new(&metadata);

    // 1. An import into the host's store.
    let mut store = BTreeStore::default();
    let mut reader = dxf2::xml::Reader::new(report.as_slice())?;
    let outcome = importer.import(
        &mut reader,
        &ImportOptions::default(),
        &mut resolver,
        &mut store,
        &mut |_| {},
    );
    let count = outcome.summary.import_count;
    println!(
        "import: {}, {} imported, {} ignored; the store holds {} values, {} writes",
        outcome.summary.status,
        count.imported,
        count.ignored,
        store.tables.values.len(),
        store.writes
    );
    for row in store.tables.values.values().take(3) {
        println!(
            "  {} {} {} = {:?}",
            row.key.data_element, row.key.period, row.key.org_unit, row.value
        );
    }

    // 2. The same import into a store that fails on its first write (the first batch).
    let mut failing = BTreeStore {
        fail_on_write: Some(1),
        ..BTreeStore::default()
    };
    let mut reader = dxf2::xml::Reader::new(report.as_slice())?;
    let outcome = importer.import(
        &mut reader,
        &ImportOptions::default(),
        &mut resolver,
        &mut failing,
        &mut |_| {},
    );
    println!(
        "failing store: {}: {}",
        outcome.summary.status,
        outcome.summary.description.as_deref().unwrap_or("")
    );
    // The outcome carries the store's error, and the host's own error as its source, typed.
    match &outcome.failure {
        Some(Failure::Store(StoreError::Backend { context, source })) => {
            match source.downcast_ref::<DiskFull>() {
                Some(disk_full) => {
                    println!(
                        "  the store failed ({context}): the host's DiskFull at write #{}",
                        disk_full.write
                    )
                }
                None => return Err(format!("another store error: {source}").into()),
            }
        }
        other => return Err(format!("expected a store failure, got {other:?}").into()),
    }
    // Undoing the failed import worked (else the outcome would say so here).
    if let Some(e) = &outcome.rollback_error {
        return Err(format!("the rollback failed too: {e}").into());
    }
    // The import was rolled back: nothing of it stayed.
    println!(
        "  values left in the failing store: {}",
        failing.tables.values.len()
    );
    if !failing.tables.values.is_empty() {
        return Err("a failed import left values behind".into());
    }
    Ok(())
}
