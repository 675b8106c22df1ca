//! A host's own store fails on its 1000th write with its own error type: the import fails as a
//! whole, the store is rolled back, and the host gets its error back, typed, as the source of
//! the engine's `Failure::Store`. A failing rollback is reported beside the first failure.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::error::Error;
use std::fmt;

use dxf2_model::metadata::{DataElement, Identity, OrganisationUnit, Sharing};
use dxf2_model::{
    DataValue, DataValueSetHeader, DataValueSource, Field, ImportOptions, ImportStatus, Metadata,
    Period, Uid, ValueType,
};
use idscheme_resolver::MetadataResolver;
use import_engine::store::{
    Changes, Completion, DataValueKey, DataValueStore, Existing, StoreError, StoredValue,
    ValueQuery,
};
use import_engine::{Failure, Importer, MemoryStore, Superuser};

/// The host's own error.
#[derive(Debug, PartialEq, Eq)]
struct QuotaExceeded {
    writes: u64,
}

impl fmt::Display for QuotaExceeded {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "write quota exceeded after {} writes", self.writes)
    }
}

impl Error for QuotaExceeded {}

/// A `MemoryStore` that fails the batch holding its `fail_at`-th write (a row, an audit or a
/// completion), and its rollback when `rollback_fails`.
struct QuotaStore {
    inner: MemoryStore,
    writes: u64,
    fail_at: u64,
    rollback_fails: bool,
}

impl DataValueStore for QuotaStore {
    fn begin(&mut self) -> Result<(), StoreError> {
        self.inner.begin()
    }
    fn commit(&mut self) -> Result<(), StoreError> {
        self.inner.commit()
    }
    fn rollback(&mut self) -> Result<(), StoreError> {
        self.inner.rollback()?;
        if self.rollback_fails {
            return Err(StoreError::backend(
                "rolling back",
                std::io::Error::other("connection lost"),
            ));
        }
        Ok(())
    }
    fn lookup(
        &mut self,
        keys: &[DataValueKey],
        found: &mut dyn FnMut(usize, &StoredValue, Existing) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        self.inner.lookup(keys, found)
    }
    fn apply(&mut self, changes: &Changes) -> Result<(), StoreError> {
        let batch = changes.len() as u64;
        if self.writes < self.fail_at && self.writes + batch >= self.fail_at {
            let e = QuotaExceeded {
                writes: self.fail_at - 1,
            };
            return Err(StoreError::backend("writing a data value", e));
        }
        self.writes += batch;
        self.inner.apply(changes)
    }
    fn completion(
        &mut self,
        data_set: &Uid,
        period: &Period,
        org_unit: &Uid,
        attribute_option_combo: &Uid,
    ) -> Result<Option<Completion>, StoreError> {
        self.inner
            .completion(data_set, period, org_unit, attribute_option_combo)
    }
    fn has_lock_exception(
        &mut self,
        data_set: &Uid,
        period: &Period,
        org_unit: &Uid,
    ) -> Result<bool, StoreError> {
        self.inner.has_lock_exception(data_set, period, org_unit)
    }
    fn query(
        &mut self,
        query: &ValueQuery,
        each: &mut dyn FnMut(&StoredValue) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        self.inner.query(query, each)
    }
}

/// One org unit and one integer data element with the default category combo.
fn metadata() -> Metadata {
    let mut md = Metadata::new();
    md.ensure_defaults();
    let ou = Uid::parse("DiszpKrYNg8").unwrap();
    md.add_org_unit(OrganisationUnit::new(Identity::new(ou), None));
    md.add_data_element(DataElement {
        id: Identity::new(Uid::parse("f7n9E0hX8qk").unwrap()),
        value_type: ValueType::Integer,
        aggregation_type: "SUM".into(),
        domain_type: "AGGREGATE".into(),
        zero_is_significant: false,
        category_combo: Uid::parse("bjDvmb4bfuf").unwrap(),
        option_set: None,
        comment_option_set: None,
        sharing: Sharing::default(),
    });
    md.compute_hierarchy().unwrap();
    md
}

/// `n` values of the data element, one per day period from 2024-01-01 (all new rows).
struct Days {
    header: DataValueSetHeader,
    next: u32,
    n: u32,
}

impl DataValueSource for Days {
    type Error = std::io::Error;
    fn header(&self) -> &DataValueSetHeader {
        &self.header
    }
    fn read_value(&mut self, record: &mut DataValue) -> Result<bool, Self::Error> {
        if self.next == self.n {
            return Ok(false);
        }
        let day = chrono::NaiveDate::from_ymd_opt(2024, 1, 1).unwrap()
            + chrono::Duration::days(i64::from(self.next));
        let period = day.format("%Y%m%d").to_string();
        *record = DataValue::from_fields(&[
            (Field::DataElement, "f7n9E0hX8qk"),
            (Field::Period, period.as_str()),
            (Field::OrgUnit, "DiszpKrYNg8"),
            (Field::Value, "1"),
        ]);
        self.next += 1;
        Ok(true)
    }
}

fn import(store: &mut QuotaStore, n: u32) -> import_engine::ImportOutcome {
    let md = metadata();
    let access = Superuser::default();
    let importer = Importer::new(&md, &access);
    let mut resolver = MetadataResolver::new(&md);
    let mut source = Days {
        header: DataValueSetHeader::default(),
        next: 0,
        n,
    };
    importer.import(
        &mut source,
        &ImportOptions::default(),
        &mut resolver,
        store,
        &mut |_| {},
    )
}

fn quota_store(rollback_fails: bool) -> QuotaStore {
    QuotaStore {
        inner: MemoryStore::new(),
        writes: 0,
        fail_at: 1000,
        rollback_fails,
    }
}

#[test]
fn the_hosts_store_error_comes_back_typed() {
    let mut store = quota_store(false);
    let outcome = import(&mut store, 1500);

    assert_eq!(outcome.summary.status, ImportStatus::Error);
    assert_eq!(
        outcome.summary.description.as_deref(),
        Some(
            "The import process failed: store error: writing a data value: \
             write quota exceeded after 999 writes"
        )
    );
    let Some(Failure::Store(e)) = &outcome.failure else {
        panic!("not a store failure: {:?}", outcome.failure);
    };
    assert!(matches!(e, StoreError::Backend { .. }), "{e:?}");
    let quota = e
        .source()
        .and_then(|s| s.downcast_ref::<QuotaExceeded>())
        .expect("the host's own error as the source");
    assert_eq!(quota, &QuotaExceeded { writes: 999 });
    // The same error is reached through the `Failure` itself.
    let failure: &dyn Error = outcome.failure.as_ref().unwrap();
    assert!(failure
        .source()
        .and_then(|s| s.downcast_ref::<QuotaExceeded>())
        .is_some());
    assert!(outcome.rollback_error.is_none());
    // Rolled back: nothing of the import stays.
    let mut rows = 0;
    store
        .query(
            &ValueQuery {
                data_elements: vec![Uid::parse("f7n9E0hX8qk").unwrap()],
                include_deleted: true,
                ..ValueQuery::default()
            },
            &mut |_| {
                rows += 1;
                Ok(())
            },
        )
        .unwrap();
    assert_eq!(rows, 0);
}

#[test]
fn below_the_quota_the_import_succeeds() {
    let mut store = quota_store(false);
    let outcome = import(&mut store, 999);
    assert_eq!(outcome.summary.status, ImportStatus::Success);
    assert_eq!(outcome.summary.import_count.imported, 999);
    assert!(outcome.failure.is_none());
}

#[test]
fn a_failed_rollback_is_reported_beside_the_failure() {
    let mut store = quota_store(true);
    let outcome = import(&mut store, 1500);
    assert!(matches!(outcome.failure, Some(Failure::Store(_))));
    let rollback = outcome.rollback_error.expect("the rollback's failure");
    assert_eq!(
        rollback.to_string(),
        "store error: rolling back: connection lost"
    );
}

#[test]
fn an_unreadable_input_keeps_the_readers_error() {
    struct Broken(DataValueSetHeader);
    impl DataValueSource for Broken {
        type Error = std::io::Error;
        fn header(&self) -> &DataValueSetHeader {
            &self.0
        }
        fn read_value(&mut self, _: &mut DataValue) -> Result<bool, Self::Error> {
            Err(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                "line 1: not XML",
            ))
        }
    }
    let md = metadata();
    let access = Superuser::default();
    let importer = Importer::new(&md, &access);
    let mut resolver = MetadataResolver::new(&md);
    let mut store = MemoryStore::new();
    let outcome = importer.import(
        &mut Broken(DataValueSetHeader::default()),
        &ImportOptions::default(),
        &mut resolver,
        &mut store,
        &mut |_| {},
    );
    let Some(Failure::Input {
        values_read,
        source,
    }) = &outcome.failure
    else {
        panic!("not an input failure: {:?}", outcome.failure);
    };
    assert_eq!(*values_read, 0);
    let io = source.downcast_ref::<std::io::Error>().unwrap();
    assert_eq!(io.kind(), std::io::ErrorKind::InvalidData);
    assert_eq!(
        outcome.summary.description.as_deref(),
        Some("The import process failed: line 1: not XML")
    );
}
