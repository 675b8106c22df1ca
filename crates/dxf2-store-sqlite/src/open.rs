//! Opening a store: a file (read-write or read-only, with its [`OpenOptions`]) or memory, the
//! connection's settings (write-ahead log, `synchronous=NORMAL`, cache, busy timeout), and what
//! can be asked of an open store (location, value count, integrity check).

use std::path::Path;
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};

use crate::columns::{db, is_not_a_database};
use crate::schema::{create_schema, read_schema};
use crate::text::{PeriodReader, PeriodText, TimeText};
use crate::SqliteStore;
use import_engine::store::StoreError;

/// How long a connection waits for another one's lock before it fails, unless told otherwise
/// ([`OpenOptions::busy_timeout`]).
pub const DEFAULT_BUSY_TIMEOUT: Duration = Duration::from_secs(30);

/// How to open a store file ([`SqliteStore::open_with`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct OpenOptions {
    /// Open read-only: the file must hold a store; nothing is ever written (no schema, no write
    /// lock). Default: false (read-write, creating the file and the schema when absent).
    pub read_only: bool,
    /// How long to wait for another connection's lock. Default: [`DEFAULT_BUSY_TIMEOUT`].
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
    /// Opening an existing store takes no write lock (the schema is checked in a read
    /// transaction), so it succeeds while another connection imports.
    ///
    /// Fails with [`StoreError::Incompatible`] when the file is not a SQLite database, is a
    /// database of something else, or holds a store of another schema version.
    pub fn open(path: impl AsRef<Path>) -> Result<SqliteStore, StoreError> {
        SqliteStore::open_with(path, OpenOptions::default())
    }

    /// Opens the existing store in the file `path` read-only (SQLite's `SQLITE_OPEN_READ_ONLY`):
    /// for exports and other reads. It never takes the write lock, reads the last committed state
    /// while another connection writes, and refuses writes with [`StoreError::Misuse`].
    ///
    /// Fails when the file does not exist or holds no store (see [`SqliteStore::open`]).
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
        SqliteStore::setup(conn, location, options.read_only)
    }

    /// A new, empty store held in memory (gone when dropped).
    pub fn open_in_memory() -> Result<SqliteStore, StoreError> {
        let conn = Connection::open_in_memory().map_err(db("opening an in-memory database"))?;
        SqliteStore::setup(conn, ":memory:".to_owned(), false)
    }

    /// Applies the connection's settings and reads (or, read-write, creates) the schema.
    fn setup(
        conn: Connection,
        location: String,
        read_only: bool,
    ) -> Result<SqliteStore, StoreError> {
        if !read_only {
            conn.pragma_update(None, "synchronous", "NORMAL")
                .map_err(db("setting synchronous=NORMAL"))?;
        }
        // 64 MiB of page cache: an import touches the primary key index all over.
        conn.pragma_update(None, "cache_size", -65536)
            .map_err(db("setting the cache size"))?;
        conn.set_prepared_statement_cache_capacity(32);
        let schema_version = match read_schema(&conn, &location)? {
            Some(version) => version,
            None if read_only => {
                return Err(StoreError::Incompatible(format!(
                    "`{location}` holds no dxf2 store (it is empty)"
                )))
            }
            None => create_schema(&conn, &location)?,
        };
        Ok(SqliteStore {
            conn,
            location,
            read_only,
            schema_version,
            txn: None,
            period: PeriodText::default(),
            created: TimeText::default(),
            last_updated: TimeText::default(),
            periods_read: PeriodReader::default(),
        })
    }
    /// Changes how long this connection waits for another connection's lock.
    pub fn set_busy_timeout(&mut self, timeout: Duration) -> Result<(), StoreError> {
        self.conn
            .busy_timeout(timeout)
            .map_err(db("setting the busy timeout"))
    }

    /// Whether the store was opened read-only.
    pub fn is_read_only(&self) -> bool {
        self.read_only
    }

    /// Where the store lives: its file name, or `:memory:`.
    pub fn location(&self) -> &str {
        &self.location
    }
    /// Number of stored value rows, soft-deleted ones included.
    pub fn value_count(&mut self) -> Result<u64, StoreError> {
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
