//! Where a store is (`--store`): a SQLite file, or a PostgreSQL database given as a libpq URL
//! (`postgres://user@host:port/db`); and [`AnyStore`], the store opened there, which the commands
//! use through the store traits whatever it is.

use std::fmt;
use std::path::{Path, PathBuf};

use dxf2_model::{Metadata, Period, Uid};
use dxf2_store_postgres::PostgresStore;
use dxf2_store_sqlite::SqliteStore;
use import_engine::store::{
    Audit, Changes, Completion, DataValueKey, Existing, StoredValue, ValueQuery,
};
use import_engine::{DataValueStore, MetadataStore, StoreError};

/// The value of `--store`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StoreLocation {
    /// A SQLite store file.
    File(PathBuf),
    /// A PostgreSQL database (a libpq URL, `postgres://` or `postgresql://`).
    Postgres(String),
}

impl StoreLocation {
    /// Reads `--store`: a URL starting with `postgres://` or `postgresql://` names a PostgreSQL
    /// database, anything else a file.
    pub fn parse(text: &str) -> Result<StoreLocation, String> {
        if text.is_empty() {
            return Err("an empty store location".to_owned());
        }
        let lower = text.get(..13).unwrap_or(text).to_ascii_lowercase();
        if lower.starts_with("postgres://") || lower.starts_with("postgresql://") {
            Ok(StoreLocation::Postgres(text.to_owned()))
        } else {
            Ok(StoreLocation::File(PathBuf::from(text)))
        }
    }

    /// The file, for a SQLite store.
    pub fn file(&self) -> Option<&Path> {
        match self {
            StoreLocation::File(path) => Some(path),
            StoreLocation::Postgres(_) => None,
        }
    }
}

impl fmt::Display for StoreLocation {
    /// The file's path, or the URL without its password.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StoreLocation::File(path) => write!(f, "{}", path.display()),
            StoreLocation::Postgres(url) => f.write_str(&dxf2_store_postgres::redact(url)),
        }
    }
}

/// A store opened by a command: SQLite or PostgreSQL.
pub enum AnyStore {
    /// A SQLite store file.
    Sqlite(Box<SqliteStore>),
    /// A PostgreSQL store.
    Postgres(Box<PostgresStore>),
}

impl AnyStore {
    /// Number of stored value rows, soft-deleted ones included.
    pub fn value_count(&mut self) -> Result<u64, StoreError> {
        match self {
            AnyStore::Sqlite(s) => s.value_count(),
            AnyStore::Postgres(s) => s.value_count(),
        }
    }

    fn inner(&mut self) -> &mut dyn DataValueStore {
        match self {
            AnyStore::Sqlite(s) => s.as_mut(),
            AnyStore::Postgres(s) => s.as_mut(),
        }
    }

    fn metadata_store(&mut self) -> &mut dyn MetadataStore {
        match self {
            AnyStore::Sqlite(s) => s.as_mut(),
            AnyStore::Postgres(s) => s.as_mut(),
        }
    }
}

impl DataValueStore for AnyStore {
    fn begin(&mut self) -> Result<(), StoreError> {
        self.inner().begin()
    }
    fn commit(&mut self) -> Result<(), StoreError> {
        self.inner().commit()
    }
    fn rollback(&mut self) -> Result<(), StoreError> {
        self.inner().rollback()
    }
    fn lookup(
        &mut self,
        keys: &[DataValueKey],
        found: &mut dyn FnMut(usize, &StoredValue, Existing) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        self.inner().lookup(keys, found)
    }
    fn apply(&mut self, changes: &Changes) -> Result<(), StoreError> {
        self.inner().apply(changes)
    }
    fn completion(
        &mut self,
        data_set: &Uid,
        period: &Period,
        org_unit: &Uid,
        attribute_option_combo: &Uid,
    ) -> Result<Option<Completion>, StoreError> {
        self.inner()
            .completion(data_set, period, org_unit, attribute_option_combo)
    }
    fn has_lock_exception(
        &mut self,
        data_set: &Uid,
        period: &Period,
        org_unit: &Uid,
    ) -> Result<bool, StoreError> {
        self.inner().has_lock_exception(data_set, period, org_unit)
    }
    fn query(
        &mut self,
        query: &ValueQuery,
        each: &mut dyn FnMut(&StoredValue) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        self.inner().query(query, each)
    }
    fn audits(&mut self, key: &DataValueKey) -> Result<Vec<Audit>, StoreError> {
        self.inner().audits(key)
    }
    fn add_lock_exception(
        &mut self,
        data_set: &Uid,
        period: &Period,
        org_unit: &Uid,
    ) -> Result<(), StoreError> {
        self.inner().add_lock_exception(data_set, period, org_unit)
    }
    fn store_id(&mut self) -> Result<String, StoreError> {
        self.inner().store_id()
    }
    fn last_change(&mut self) -> Result<u64, StoreError> {
        self.inner().last_change()
    }
    fn changed_completions(
        &mut self,
        since: u64,
        each: &mut dyn FnMut(&Completion) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        self.inner().changed_completions(since, each)
    }
    fn put_record(&mut self, kind: &str, id: &str, body: &str) -> Result<(), StoreError> {
        self.inner().put_record(kind, id, body)
    }
    fn record(&mut self, kind: &str, id: &str) -> Result<Option<String>, StoreError> {
        self.inner().record(kind, id)
    }
    fn records(
        &mut self,
        kind: &str,
        each: &mut dyn FnMut(&str, &str) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        self.inner().records(kind, each)
    }
}

impl MetadataStore for AnyStore {
    fn load_metadata(&mut self) -> Result<Metadata, StoreError> {
        self.metadata_store().load_metadata()
    }
    fn save_metadata(&mut self, metadata: &Metadata) -> Result<(), StoreError> {
        self.metadata_store().save_metadata(metadata)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_name_postgres_and_the_rest_files() {
        assert_eq!(
            StoreLocation::parse("postgres://u@h:5432/db"),
            Ok(StoreLocation::Postgres("postgres://u@h:5432/db".into()))
        );
        assert_eq!(
            StoreLocation::parse("PostgreSQL://h/db"),
            Ok(StoreLocation::Postgres("PostgreSQL://h/db".into()))
        );
        assert_eq!(
            StoreLocation::parse("district.sqlite"),
            Ok(StoreLocation::File("district.sqlite".into()))
        );
        assert!(StoreLocation::parse("").is_err());
    }

    #[test]
    fn passwords_are_not_shown() {
        let at = StoreLocation::parse("postgres://dhis:s3cret@db.example:5432/dhis2").unwrap();
        assert_eq!(at.to_string(), "postgres://dhis:***@db.example:5432/dhis2");
        let at = StoreLocation::parse("postgres://dhis@db.example/dhis2").unwrap();
        assert_eq!(at.to_string(), "postgres://dhis@db.example/dhis2");
    }
}
