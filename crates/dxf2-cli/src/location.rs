//! Where a store is (`--store`): a SQLite file, or a PostgreSQL database given as a libpq URL
//! (`postgres://user@host:port/db`); and [`AnyStore`], the store opened there, which the commands
//! use through the store traits ([`Store`]) whatever it is.

use std::fmt;
use std::path::{Path, PathBuf};

use dxf2::store::ObjectStore;
use dxf2_store_postgres::PostgresStore;
use dxf2_store_sqlite::SqliteStore;
use import_engine::{DataValueStore, StoreError};

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

    /// The location as given (a PostgreSQL URL with its password: not for printing).
    pub fn as_given(&self) -> String {
        match self {
            StoreLocation::File(path) => path.display().to_string(),
            StoreLocation::Postgres(url) => url.clone(),
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

/// What a command needs of a store, whichever it is: the store traits, and a count of its rows.
pub trait Store: DataValueStore + ObjectStore {
    /// Number of stored value rows, soft-deleted ones included.
    fn value_count(&mut self) -> Result<u64, StoreError>;
}

impl Store for SqliteStore {
    fn value_count(&mut self) -> Result<u64, StoreError> {
        SqliteStore::value_count(self)
    }
}

impl Store for PostgresStore {
    fn value_count(&mut self) -> Result<u64, StoreError> {
        PostgresStore::value_count(self)
    }
}

/// A store opened by a command: SQLite or PostgreSQL.
pub type AnyStore = Box<dyn Store>;

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
