//! Opening a store: a file (read-write or read-only, with its [`OpenOptions`]) or memory, the
//! connection's settings (write-ahead log, `synchronous=NORMAL`, cache, busy timeout), creating
//! or upgrading the schema, and what can be asked of an open store (location, value count,
//! integrity check).

use std::path::Path;
use std::time::Duration;

use dxf2_store::StoreError;
use rusqlite::{Connection, OpenFlags};

use crate::columns::{db, is_not_a_database};
use crate::schema::{check_schema, create_tables, read_schema, SCHEMA_VERSION};
use crate::SqliteStore;

/// How long a connection waits for another one's lock before it fails, unless told otherwise
/// ([`OpenOptions::busy_timeout`]).
pub const DEFAULT_BUSY_TIMEOUT: Duration = Duration::from_secs(30);

/// How to open a store file ([`SqliteStore::open_with`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct OpenOptions {
    /// Open read-only: the file must hold a store; nothing is ever written (no schema, no write
    /// lock, no upgrade). Default: false (read-write, creating the file and the schema when
    /// absent, upgrading a store of an older schema version).
    pub read_only: bool,
    /// How long to wait for another connection's lock (a second import waits this long for the
    /// first, then fails with [`StoreError::Busy`]). Default: [`DEFAULT_BUSY_TIMEOUT`].
    pub busy_timeout: Duration,
}

impl Default for OpenOptions {
    fn default() -> OpenOptions {
        OpenOptions {
            read_only: false,
            busy_timeout: DEFAULT_BUSY_TIMEOUT,
        }
    }
}

impl OpenOptions {
    /// Read-write options with the default busy timeout.
    pub fn new() -> OpenOptions {
        OpenOptions::default()
    }

    /// The same options, read-only or not.
    pub fn read_only(mut self, read_only: bool) -> OpenOptions {
        self.read_only = read_only;
        self
    }

    /// The same options with another busy timeout.
    pub fn busy_timeout(mut self, timeout: Duration) -> OpenOptions {
        self.busy_timeout = timeout;
        self
    }
}

impl SqliteStore {
    /// Opens the store in the file `path` for reading and writing, creating the file and the
    /// schema when they do not exist.
    ///
    /// Opening a current store takes no write lock (the schema is checked in a read
    /// transaction), so it succeeds while another connection imports. A store of schema version
    /// 1 or 2 is upgraded to [`SCHEMA_VERSION`] at once, in one write transaction (waiting for
    /// the write lock as an import does).
    ///
    /// Fails with [`StoreError::Incompatible`] when the file is not a SQLite database, is a
    /// database of something else, or holds a store of a newer schema version.
    pub fn open(path: impl AsRef<Path>) -> Result<SqliteStore, StoreError> {
        SqliteStore::open_with(path, OpenOptions::default())
    }

    /// Opens the existing store in the file `path` read-only (SQLite's `SQLITE_OPEN_READ_ONLY`):
    /// for exports and other reads. It never takes the write lock, reads the last committed state
    /// while another connection writes, and refuses writes with [`StoreError::Misuse`].
    ///
    /// Fails when the file does not exist or holds no store (see [`SqliteStore::open`]). A
    /// store of schema version 1 or 2 opens, but every read of it fails with
    /// [`StoreError::Incompatible`] saying that opening it for writing upgrades it.
    pub fn open_read_only(path: impl AsRef<Path>) -> Result<SqliteStore, StoreError> {
        SqliteStore::open_with(path, OpenOptions::default().read_only(true))
    }

    /// Opens the store in the file `path` with `options`.
    pub fn open_with(
        path: impl AsRef<Path>,
        options: OpenOptions,
    ) -> Result<SqliteStore, StoreError> {
        let path = path.as_ref();
        let location = path.display().to_string();
        let conn = if options.read_only {
            Connection::open_with_flags(
                path,
                OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
            )
        } else {
            Connection::open(path)
        }
        .map_err(|e| StoreError::backend(format!("cannot open the store `{location}`"), e))?;
        conn.busy_timeout(options.busy_timeout)
            .map_err(db("setting the busy timeout"))?;
        // Opening is lazy: the first read tells whether the file is a database.
        let probe = conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| {
            r.get::<_, i64>(0)
        });
        let objects = match probe {
            Ok(n) => n,
            Err(e) => {
                return Err(if is_not_a_database(&e) {
                    StoreError::Incompatible(format!("`{location}` is not a SQLite database"))
                } else {
                    StoreError::backend(format!("cannot read the store `{location}`"), e)
                })
            }
        };
        if !options.read_only {
            // Already WAL for an existing store (a no-op then); a new file switches to it.
            let mode = conn
                .query_row("PRAGMA journal_mode", [], |r| r.get::<_, String>(0))
                .map_err(db("reading the journal mode"))?;
            if !mode.eq_ignore_ascii_case("wal") || objects == 0 {
                conn.pragma_update_and_check(None, "journal_mode", "WAL", |r| {
                    r.get::<_, String>(0)
                })
                .map_err(db("switching to the write-ahead log"))?;
            }
        }
        SqliteStore::setup(conn, location, options)
    }

    /// A new, empty store held in memory (gone when dropped).
    pub fn open_in_memory() -> Result<SqliteStore, StoreError> {
        let conn = Connection::open_in_memory().map_err(db("opening an in-memory database"))?;
        SqliteStore::setup(conn, ":memory:".to_owned(), OpenOptions::default())
    }

    /// Applies the connection's settings and reads (or, read-write, creates or upgrades) the
    /// schema.
    fn setup(
        conn: Connection,
        location: String,
        options: OpenOptions,
    ) -> Result<SqliteStore, StoreError> {
        if !options.read_only {
            conn.pragma_update(None, "synchronous", "NORMAL")
                .map_err(db("setting synchronous=NORMAL"))?;
        }
        // 32 MiB of page cache: an import walks the primary key's B-tree in key order (sorted
        // batches), so a larger cache bought little in measurements (docs/PERFORMANCE.md).
        conn.pragma_update(None, "cache_size", -32768)
            .map_err(db("setting the cache size"))?;
        conn.set_prepared_statement_cache_capacity(48);
        let found = read_schema(&conn, &location)?;
        let mut store = SqliteStore::new(conn, location, options, found.unwrap_or(0));
        match found {
            Some(SCHEMA_VERSION) => {}
            None if options.read_only => {
                return Err(StoreError::Incompatible(format!(
                    "`{}` holds no dxf2 store (it is empty)",
                    store.location
                )))
            }
            // Read-only: reads say how to upgrade it (see `current`).
            Some(_) if options.read_only => {}
            _ => store.create_or_upgrade()?,
        }
        Ok(store)
    }

    /// Creates the schema in an empty database, or upgrades an old one, in a write transaction;
    /// another connection may have done either meanwhile (then the version is checked again).
    fn create_or_upgrade(&mut self) -> Result<(), StoreError> {
        self.begin_write_raw()?;
        self.writing = true;
        let result = check_schema(&self.conn, &self.location).and_then(|found| match found {
            None => create_tables(&self.conn),
            Some(SCHEMA_VERSION) => Ok(()),
            Some(old) => self.upgrade(old),
        });
        self.end_write(result)?;
        self.schema_version = SCHEMA_VERSION;
        Ok(())
    }

    /// Fails with [`StoreError::Incompatible`] when the store (opened read-only) has an older
    /// schema, saying how to upgrade it.
    pub(crate) fn current(&self) -> Result<(), StoreError> {
        if self.schema_version == SCHEMA_VERSION {
            return Ok(());
        }
        Err(StoreError::Incompatible(format!(
            "`{}` is a store of schema version {}, which this version of dxf2 upgrades to \
             version {SCHEMA_VERSION} when it opens the store for writing: open it once \
             read-write (any `dxf2 import` or `dxf2 metadata import` into it does), then read it",
            self.location, self.schema_version
        )))
    }

    /// Changes how long this connection waits for another connection's lock.
    pub fn set_busy_timeout(&mut self, timeout: Duration) -> Result<(), StoreError> {
        self.conn
            .busy_timeout(timeout)
            .map_err(db("setting the busy timeout"))?;
        self.busy_timeout = timeout;
        Ok(())
    }

    /// Whether the store was opened read-only.
    pub fn is_read_only(&self) -> bool {
        self.read_only
    }

    /// Where the store lives: its file name, or `:memory:`.
    pub fn location(&self) -> &str {
        &self.location
    }

    /// Number of stored value rows, soft-deleted ones included (inside an import's
    /// transaction, with those it wrote).
    pub fn value_count(&mut self) -> Result<u64, StoreError> {
        self.flush_bulk()?;
        let n: i64 = self
            .conn
            .query_row("SELECT count(*) FROM datavalue", [], |r| r.get(0))
            .map_err(db("counting values"))?;
        Ok(u64::try_from(n).unwrap_or_default())
    }

    /// Runs SQLite's `PRAGMA integrity_check`; fails with [`StoreError::Incompatible`] listing the
    /// first problems found.
    pub fn integrity_check(&mut self) -> Result<(), StoreError> {
        let mut stmt = self
            .conn
            .prepare("PRAGMA integrity_check(20)")
            .map_err(db("checking integrity"))?;
        let messages = stmt
            .query_map([], |r| r.get::<_, String>(0))
            .map_err(db("checking integrity"))?
            .collect::<Result<Vec<String>, _>>()
            .map_err(db("checking integrity"))?;
        if messages.len() == 1 && messages.first().map(String::as_str) == Some("ok") {
            Ok(())
        } else {
            Err(StoreError::Incompatible(format!(
                "`{}` failed the integrity check: {}",
                self.location,
                messages.join("; ")
            )))
        }
    }
}
