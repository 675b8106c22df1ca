//! The classic importer's hot path allocates nothing: after a warm-up, decoding, resolving,
//! validating and applying a value (XML reader → engine → a store that keeps nothing) makes no
//! heap allocation at all, so the allocation count of an import does not grow with the number
//! of values. The engine works a window of values at a time (read ahead, one batched lookup,
//! decided in order, one batched apply); the warm-up is two windows, after which every buffer of
//! the window has been filled and is reused. Shown for new rows and for updates of existing rows, acting as
//! `Superuser::default()` and as the workload's metadata user `admin`.
//!
//! Allocations are counted by a global allocator wrapper (`stats_alloc`: implementing
//! `GlobalAlloc` needs `unsafe`, which the workspace forbids); a source wrapped around the XML
//! reader takes the counts when the warm-up values are done and when the file ends. The same
//! probe sees the allocations of a `MemoryStore`, which keeps its rows. Everything runs in one
//! `#[test]` so that no other test thread allocates meanwhile.

#![allow(clippy::unwrap_used, clippy::panic)]

use std::alloc::System;

use dxf2_model::{
    DataValue, DataValueSetHeader, DataValueSink, DataValueSource, Field, ImportCount,
    ImportOptions, ImportStatus, Metadata, Period, Uid,
};
use dxf2_testdata::{Workload, WorkloadConfig};
use idscheme_resolver::MetadataResolver;
use import_engine::store::{
    Audit, Changes, Completion, DataValueKey, DataValueStore, Existing, StoreError, StoredValue,
    ValueQuery, Write,
};
use import_engine::{AccessPolicy, Importer, MemoryStore, Superuser, UserAccess};
use stats_alloc::{Stats, StatsAlloc, INSTRUMENTED_SYSTEM};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

/// The importer's window: values are read, looked up, decided and written this many at a time
/// (`import_engine`'s `batch::WINDOW`), into buffers reused from one window to the next.
const WINDOW: u64 = 10_000;
/// Values processed before counting starts: two windows (every buffer of the window has then
/// been filled twice, and every option combo, period and text length of the workload met).
const WARM_UP: u64 = 2 * WINDOW;
/// Values in the file: one more window is counted (a whole number of windows, so that the end of
/// the file is read after the last window is decided and applied).
const VALUES: u64 = 3 * WINDOW;

/// What the store says about existing rows.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Rows {
    /// No row exists: every value is a new row (inserted, then dropped).
    None,
    /// A live row with another value exists for every key: every value updates it (and is
    /// audited).
    Live,
}

/// A store that keeps nothing.
struct DiscardStore {
    rows: Rows,
    /// The row lent to the engine by `lookup`.
    row: StoredValue,
    inserts: u64,
    updates: u64,
    audits: u64,
}

impl DiscardStore {
    fn new(rows: Rows) -> DiscardStore {
        DiscardStore {
            rows,
            row: StoredValue::empty(
                DataValueKey {
                    data_element: Uid::parse("f7n9E0hX8qk").unwrap(),
                    period: "202401".parse().unwrap(),
                    org_unit: Uid::parse("DiszpKrYNg8").unwrap(),
                    category_option_combo: Uid::parse("HllvX50cXC0").unwrap(),
                    attribute_option_combo: Uid::parse("HllvX50cXC0").unwrap(),
                },
                chrono::Utc::now(),
            ),
            inserts: 0,
            updates: 0,
            audits: 0,
        }
    }
}

impl DataValueStore for DiscardStore {
    fn begin(&mut self) -> Result<(), StoreError> {
        Ok(())
    }
    fn commit(&mut self) -> Result<(), StoreError> {
        Ok(())
    }
    fn rollback(&mut self) -> Result<(), StoreError> {
        Ok(())
    }
    fn lookup(
        &mut self,
        keys: &[DataValueKey],
        found: &mut dyn FnMut(usize, &StoredValue, Existing) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        if self.rows == Rows::None {
            return Ok(());
        }
        // Fill one reused row per key, as a real store does.
        for (i, key) in keys.iter().enumerate() {
            let row = &mut self.row;
            row.key = *key;
            set(&mut row.value, Some("-1"));
            set(&mut row.comment, None);
            set(&mut row.stored_by, Some("someone"));
            row.followup = false;
            row.deleted = false;
            found(i, row, Existing::Stored)?;
        }
        Ok(())
    }
    fn apply(&mut self, changes: &Changes) -> Result<(), StoreError> {
        std::hint::black_box(changes);
        for w in changes.rows() {
            match w.write {
                Write::Insert => self.inserts += 1,
                Write::Update => self.updates += 1,
            }
        }
        self.audits += changes.audits().len() as u64;
        Ok(())
    }
    fn completion(
        &mut self,
        _: &Uid,
        _: &Period,
        _: &Uid,
        _: &Uid,
    ) -> Result<Option<Completion>, StoreError> {
        Ok(None)
    }
    fn has_lock_exception(&mut self, _: &Uid, _: &Period, _: &Uid) -> Result<bool, StoreError> {
        Ok(false)
    }
    fn query(
        &mut self,
        _: &ValueQuery,
        _: &mut dyn FnMut(&StoredValue) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        Ok(())
    }
    fn audits(&mut self, _: &DataValueKey) -> Result<Vec<Audit>, StoreError> {
        Ok(Vec::new())
    }
}

fn set(slot: &mut Option<String>, text: Option<&str>) {
    match (slot.as_mut(), text) {
        (Some(s), Some(t)) => {
            s.clear();
            s.push_str(t);
        }
        (None, Some(t)) => *slot = Some(t.to_owned()),
        (_, None) => *slot = None,
    }
}

/// A source that takes the allocation counts after `warm_up` values and at the end of the file.
struct Probe<S> {
    inner: S,
    read: u64,
    warm_up: u64,
    at_warm_up: Option<Stats>,
    at_end: Option<Stats>,
}

impl<S: DataValueSource> DataValueSource for Probe<S> {
    type Error = S::Error;
    fn header(&self) -> &DataValueSetHeader {
        self.inner.header()
    }
    fn read_value(&mut self, record: &mut DataValue) -> Result<bool, S::Error> {
        if self.read == self.warm_up && self.at_warm_up.is_none() {
            self.at_warm_up = Some(GLOBAL.stats());
        }
        let more = self.inner.read_value(record)?;
        if more {
            self.read += 1;
        } else if self.at_end.is_none() {
            self.at_end = Some(GLOBAL.stats());
        }
        Ok(more)
    }
    // Passed through so that the importer's per-value position reads are measured too.
    fn value_position(&self) -> Option<dxf2_model::TextPosition> {
        self.inner.value_position()
    }
}

/// A sink that drops every value's comment.
struct WithoutComments<K>(K, DataValue);

impl<K: DataValueSink> DataValueSink for WithoutComments<K> {
    type Error = K::Error;
    fn begin(&mut self, header: &DataValueSetHeader) -> Result<(), K::Error> {
        self.0.begin(header)
    }
    fn write_value(&mut self, value: &DataValue) -> Result<(), K::Error> {
        self.1.clone_from(value);
        self.1.remove(Field::Comment);
        self.0.write_value(&self.1)
    }
    fn finish(&mut self) -> Result<(), K::Error> {
        self.0.finish()
    }
}

/// The workload's metadata, and its values as a DXF2 XML document, with and without comments.
fn workload() -> (Metadata, Vec<u8>, Vec<u8>) {
    let workload = Workload::new(WorkloadConfig {
        values: VALUES,
        seed: 2024,
        ..WorkloadConfig::default()
    });
    let mut json = Vec::new();
    workload.write_metadata_json(&mut json).unwrap();
    let metadata = dxf2_json::metadata::read_metadata(json.as_slice()).unwrap();
    let mut writer = dxf2_xml::Writer::new(Vec::new());
    workload.write_values(&mut writer).unwrap();
    let xml = writer.into_inner().unwrap();
    let mut writer = WithoutComments(dxf2_xml::Writer::new(Vec::new()), DataValue::new());
    workload.write_values(&mut writer).unwrap();
    let without_comments = writer.0.into_inner().unwrap();
    assert!(xml.len() > without_comments.len());
    (metadata, xml, without_comments)
}

/// Imports `xml` into `store` and returns the allocations and reallocations made after the
/// warm-up.
fn import_after_warm_up(
    metadata: &Metadata,
    access: &dyn AccessPolicy,
    xml: &[u8],
    store: &mut dyn DataValueStore,
) -> (usize, usize, ImportCount) {
    let importer = Importer::new(metadata, access);
    let mut resolver = MetadataResolver::new(metadata);
    let mut source = Probe {
        inner: dxf2_xml::Reader::new(xml).unwrap(),
        read: 0,
        warm_up: WARM_UP,
        at_warm_up: None,
        at_end: None,
    };
    let outcome = importer.import(
        &mut source,
        &ImportOptions::default(),
        &mut resolver,
        store,
        &mut |_| {},
    );
    let s = &outcome.summary;
    assert_eq!(s.status, ImportStatus::Success, "{outcome:?}");
    assert_eq!(source.read, VALUES);
    let (start, end) = (source.at_warm_up.unwrap(), source.at_end.unwrap());
    (
        end.allocations - start.allocations,
        end.reallocations - start.reallocations,
        s.import_count,
    )
}

#[test]
fn no_allocation_per_value_after_warm_up() {
    let (metadata, xml, without_comments) = workload();
    let superuser = Superuser::default();
    let admin = UserAccess::by_username(&metadata, "admin").unwrap();
    let counted = VALUES - WARM_UP;

    // The probe does see allocations: a store that keeps its rows allocates for each.
    let mut memory = MemoryStore::new();
    let (allocations, _, count) = import_after_warm_up(&metadata, &superuser, &xml, &mut memory);
    assert!(allocations as u64 >= counted, "{allocations}");
    assert_eq!(memory.len() as u64, count.imported);

    for (who, access) in [
        ("Superuser::default()", &superuser as &dyn AccessPolicy),
        ("the workload's admin", &admin),
    ] {
        for rows in [Rows::None, Rows::Live] {
            // A live row is read with no comment: a comment in the file needs a buffer that the
            // store's `get` freed, so the update path is shown on the file without comments.
            let file = match rows {
                Rows::None => &xml,
                Rows::Live => &without_comments,
            };
            let mut store = DiscardStore::new(rows);
            let (allocations, reallocations, count) =
                import_after_warm_up(&metadata, access, file, &mut store);
            assert_eq!(
                (allocations, reallocations),
                (0, 0),
                "{who}, existing rows {rows:?}: {allocations} allocations and {reallocations} \
                 reallocations for the last {counted} values"
            );
            match rows {
                // Zeros that are not significant are dropped without a count (DHIS2 does so).
                Rows::None => {
                    assert!(count.imported > VALUES * 9 / 10);
                    assert_eq!((store.inserts, store.updates), (count.imported, 0));
                }
                // Every generated value differs from "-1", so a value updates the row (a zero
                // soft-deletes it) and is audited.
                Rows::Live => {
                    let saved = count.updated + count.deleted;
                    assert!(saved > VALUES * 9 / 10);
                    assert_eq!(
                        (store.inserts, store.updates, store.audits),
                        (0, saved, saved)
                    );
                }
            }
        }
    }
}
