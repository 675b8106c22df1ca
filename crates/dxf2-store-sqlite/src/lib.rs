//! `dxf2-store-sqlite`: the embedded, persistent [`SqliteStore`] for DHIS2 data values,
//! completions, audits, lock exceptions and metadata, in one SQLite file.
//!
//! The store implements [`DataValueStore`] and [`MetadataStore`] of the import engine. An import
//! runs in one SQLite transaction ([`begin`](DataValueStore::begin) …
//! [`commit`](DataValueStore::commit)): a process killed half way leaves the file as it was before
//! the import. The file uses SQLite's write-ahead log with `synchronous=NORMAL`.
//!
//! Tables: `datavalue` (primary key: data element, period, org unit, category option combo,
//! attribute option combo; also the period's type and first and last day, and `txn`, the number
//! of the transaction that inserted the row), `datavalueaudit`, `completedatasetregistration`,
//! `lockexception`, `metadata_object` (one JSON object per metadata object, an org unit with
//! its `parent`), `store_state` and `schema_version`. UIDs and ISO periods are stored as text,
//! timestamps as ISO-8601 UTC text with milliseconds (sub-millisecond parts are dropped), dates as
//! `yyyy-MM-dd`. Org unit paths are not stored: the hierarchy is computed from the parents when
//! metadata is loaded.
//!
//! Readers never wait for writers: [`SqliteStore::open_read_only`] (and [`SqliteStore::open`] of
//! an existing store) takes no write lock, and a read sees the last committed state while another
//! connection imports. A store of schema version 1 (which kept an `orgunit_path` table) is read
//! as it is and upgraded to version [`SCHEMA_VERSION`] by its first write transaction.
//!
//! ```
//! use chrono::{TimeZone, Utc};
//! use dxf2_model::{Period, Uid};
//! use dxf2_store_sqlite::SqliteStore;
//! use import_engine::store::{DataValueKey, DataValueStore, Existing, StoredValue, ValueQuery};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let mut store = SqliteStore::open_in_memory()?; // or SqliteStore::open("data.dxf2.sqlite")
//! let default_coc = Uid::parse("HllvX50cXC0")?;
//! let key = DataValueKey {
//!     data_element: Uid::parse("f7n9E0hX8qk")?,
//!     period: "202001".parse::<Period>()?,
//!     org_unit: Uid::parse("DiszpKrYNg8")?,
//!     category_option_combo: default_coc,
//!     attribute_option_combo: default_coc,
//! };
//! let now = Utc.with_ymd_and_hms(2024, 1, 2, 3, 4, 5).unwrap();
//! let mut row = StoredValue::empty(key, now);
//! row.value = Some("12".to_owned());
//!
//! store.begin()?;
//! store.insert(&row)?;
//! let mut read = StoredValue::empty(key, now);
//! assert_eq!(store.get(&key, &mut read)?, Existing::InsertedInThisTransaction);
//! store.commit()?;
//! assert_eq!(store.get(&key, &mut read)?, Existing::Stored);
//! assert_eq!(read, row);
//!
//! let query = ValueQuery { data_elements: vec![key.data_element], ..ValueQuery::default() };
//! let mut periods = Vec::new();
//! store.query(&query, &mut |v| {
//!     periods.push(v.key.period.to_string());
//!     Ok(())
//! })?;
//! assert_eq!(periods, ["202001"]);
//! # Ok(())
//! # }
//! ```

#![forbid(unsafe_code)]

mod metadata_json;
mod text;

use std::path::Path;
use std::time::Duration;

use chrono::NaiveDate;
use dxf2_model::metadata::{Identity, OrganisationUnit};
use dxf2_model::{Metadata, Period, Uid};
use import_engine::store::{
    Audit, AuditType, Completion, DataValueKey, DataValueStore, Existing, MetadataStore,
    StoreError, StoredValue, ValueOrder, ValueQuery,
};
use rusqlite::types::{Value, ValueRef};
use rusqlite::{
    params, params_from_iter, Connection, ErrorCode, OpenFlags, OptionalExtension, Row,
};

use crate::text::{parse_uid, read_timestamp, PeriodReader, PeriodText, TimeText};

/// The schema version this crate writes (`schema_version` table). It also reads version 1 (the
/// same tables plus `orgunit_path`), which its first write transaction upgrades.
pub const SCHEMA_VERSION: i64 = 2;

/// The oldest schema version this crate reads.
const OLDEST_SCHEMA_VERSION: i64 = 1;

/// How long a connection waits for another one's lock before it fails, unless told otherwise
/// ([`OpenOptions::busy_timeout`]).
pub const DEFAULT_BUSY_TIMEOUT: Duration = Duration::from_secs(30);

/// The schema of a new store (version [`SCHEMA_VERSION`]).
const SCHEMA: &str = "
CREATE TABLE schema_version (version INTEGER NOT NULL);
CREATE TABLE store_state (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    last_txn INTEGER NOT NULL
);
INSERT INTO store_state (id, last_txn) VALUES (1, 0);
CREATE TABLE datavalue (
    dataelement TEXT NOT NULL,
    period TEXT NOT NULL,
    periodtype TEXT NOT NULL,
    startdate TEXT NOT NULL,
    enddate TEXT NOT NULL,
    orgunit TEXT NOT NULL,
    categoryoptioncombo TEXT NOT NULL,
    attributeoptioncombo TEXT NOT NULL,
    value TEXT,
    comment TEXT,
    storedby TEXT,
    created TEXT NOT NULL,
    lastupdated TEXT NOT NULL,
    followup INTEGER NOT NULL,
    deleted INTEGER NOT NULL,
    txn INTEGER NOT NULL,
    PRIMARY KEY (orgunit, period, dataelement, categoryoptioncombo, attributeoptioncombo)
) WITHOUT ROWID;
CREATE TABLE datavalueaudit (
    id INTEGER PRIMARY KEY,
    dataelement TEXT NOT NULL,
    period TEXT NOT NULL,
    orgunit TEXT NOT NULL,
    categoryoptioncombo TEXT NOT NULL,
    attributeoptioncombo TEXT NOT NULL,
    previousvalue TEXT,
    modifiedby TEXT NOT NULL,
    created TEXT NOT NULL,
    audittype TEXT NOT NULL
);
CREATE INDEX datavalueaudit_key
    ON datavalueaudit (orgunit, period, dataelement, categoryoptioncombo, attributeoptioncombo);
CREATE TABLE completedatasetregistration (
    dataset TEXT NOT NULL,
    period TEXT NOT NULL,
    orgunit TEXT NOT NULL,
    attributeoptioncombo TEXT NOT NULL,
    date TEXT NOT NULL,
    storedby TEXT NOT NULL,
    lastupdated TEXT NOT NULL,
    completed INTEGER NOT NULL,
    PRIMARY KEY (dataset, period, orgunit, attributeoptioncombo)
) WITHOUT ROWID;
CREATE TABLE lockexception (
    dataset TEXT NOT NULL,
    period TEXT NOT NULL,
    orgunit TEXT NOT NULL,
    PRIMARY KEY (dataset, period, orgunit)
) WITHOUT ROWID;
CREATE TABLE metadata_object (
    kind TEXT NOT NULL,
    uid TEXT NOT NULL,
    json TEXT NOT NULL,
    UNIQUE (kind, uid)
);
";

/// Upgrades a store of schema version 1 (inside a write transaction).
const MIGRATE_FROM_V1: &str = "
DROP TABLE IF EXISTS orgunit_path;
UPDATE schema_version SET version = 2;
";

const SELECT_VALUE: &str =
    "SELECT value, comment, storedby, created, lastupdated, followup, deleted, txn \
     FROM datavalue WHERE dataelement = ?1 AND period = ?2 AND orgunit = ?3 \
     AND categoryoptioncombo = ?4 AND attributeoptioncombo = ?5";

const INSERT_VALUE: &str =
    "INSERT INTO datavalue (dataelement, period, periodtype, startdate, enddate, \
     orgunit, categoryoptioncombo, attributeoptioncombo, value, comment, storedby, created, \
     lastupdated, followup, deleted, txn) \
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)";

const UPDATE_VALUE: &str =
    "UPDATE datavalue SET value = ?6, comment = ?7, storedby = ?8, created = ?9, \
     lastupdated = ?10, followup = ?11, deleted = ?12 \
     WHERE dataelement = ?1 AND period = ?2 AND orgunit = ?3 \
     AND categoryoptioncombo = ?4 AND attributeoptioncombo = ?5";

const INSERT_AUDIT: &str =
    "INSERT INTO datavalueaudit (dataelement, period, orgunit, categoryoptioncombo, \
     attributeoptioncombo, previousvalue, modifiedby, created, audittype) \
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";

const SELECT_AUDITS: &str =
    "SELECT previousvalue, modifiedby, created, audittype FROM datavalueaudit \
     WHERE dataelement = ?1 AND period = ?2 AND orgunit = ?3 \
     AND categoryoptioncombo = ?4 AND attributeoptioncombo = ?5 ORDER BY id";

const SELECT_COMPLETION: &str =
    "SELECT date, storedby, lastupdated, completed FROM completedatasetregistration \
     WHERE dataset = ?1 AND period = ?2 AND orgunit = ?3 AND attributeoptioncombo = ?4";

const UPSERT_COMPLETION: &str = "INSERT OR REPLACE INTO completedatasetregistration \
     (dataset, period, orgunit, attributeoptioncombo, date, storedby, lastupdated, completed) \
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";

const SELECT_LOCK_EXCEPTION: &str =
    "SELECT 1 FROM lockexception WHERE dataset = ?1 AND period = ?2 AND orgunit = ?3";

const UPSERT_METADATA: &str = "INSERT INTO metadata_object (kind, uid, json) VALUES (?1, ?2, ?3) \
     ON CONFLICT (kind, uid) DO UPDATE SET json = excluded.json";

/// The persistent SQLite store.
///
/// One store owns one connection; it is not shared between threads (move it instead). Rows
/// inserted in the current transaction are recognised by the `txn` column, which holds the number
/// of the transaction that inserted the row (0 for rows inserted outside a transaction);
/// [`update`](DataValueStore::update) leaves it unchanged.
///
/// [`query`](DataValueStore::query) returns rows ordered by period start date, period type (by
/// its DHIS2 name), data element, org unit, category option combo and attribute option combo
/// (UIDs compared as strings), exactly as [`MemoryStore`](import_engine::MemoryStore) does.
///
/// A store opened read-only ([`open_read_only`](SqliteStore::open_read_only)) refuses every
/// write with [`StoreError::Misuse`].
#[derive(Debug)]
pub struct SqliteStore {
    conn: Connection,
    /// Where the store lives (for messages).
    location: String,
    /// Opened read-only.
    read_only: bool,
    /// The schema version found when opening (or created); below [`SCHEMA_VERSION`] until the
    /// first write transaction upgrades the store.
    schema_version: i64,
    /// The number of the open transaction.
    txn: Option<i64>,
    period: PeriodText,
    created: TimeText,
    last_updated: TimeText,
    periods_read: PeriodReader,
}

/// A database error, with what was being done.
fn db(doing: &'static str) -> impl Fn(rusqlite::Error) -> StoreError {
    move |e| StoreError::Backend(format!("{doing}: {e}"))
}

/// The text in column `idx` of `row` (`None` for NULL).
fn opt_text<'r>(
    row: &'r Row<'_>,
    idx: usize,
    table: &str,
    column: &str,
) -> Result<Option<&'r str>, StoreError> {
    let bad = |what: &str| {
        StoreError::Incompatible(format!(
            "{table}: column `{column}` holds {what}, expected text"
        ))
    };
    match row.get_ref(idx).map_err(db("reading a row"))? {
        ValueRef::Null => Ok(None),
        ValueRef::Text(bytes) => std::str::from_utf8(bytes)
            .map(Some)
            .map_err(|_| bad("invalid UTF-8")),
        ValueRef::Integer(_) | ValueRef::Real(_) => Err(bad("a number")),
        ValueRef::Blob(_) => Err(bad("a blob")),
    }
}

/// The text in column `idx` of `row`, which must not be NULL.
fn text<'r>(
    row: &'r Row<'_>,
    idx: usize,
    table: &str,
    column: &str,
) -> Result<&'r str, StoreError> {
    opt_text(row, idx, table, column)?.ok_or_else(|| {
        StoreError::Incompatible(format!("{table}: column `{column}` is NULL, expected text"))
    })
}

/// The integer in column `idx` of `row`.
fn integer(row: &Row<'_>, idx: usize, table: &str, column: &str) -> Result<i64, StoreError> {
    match row.get_ref(idx).map_err(db("reading a row"))? {
        ValueRef::Integer(i) => Ok(i),
        _ => Err(StoreError::Incompatible(format!(
            "{table}: column `{column}` does not hold an integer"
        ))),
    }
}

/// Copies the text of column `idx` into `out`, reusing its buffer.
fn read_opt_string(
    row: &Row<'_>,
    idx: usize,
    column: &str,
    out: &mut Option<String>,
) -> Result<(), StoreError> {
    match opt_text(row, idx, "datavalue", column)? {
        None => *out = None,
        Some(s) => match out {
            Some(buf) => {
                buf.clear();
                buf.push_str(s);
            }
            None => *out = Some(s.to_owned()),
        },
    }
    Ok(())
}

/// Whether `e` says the file is not a database.
fn is_not_a_database(e: &rusqlite::Error) -> bool {
    e.sqlite_error_code() == Some(ErrorCode::NotADatabase)
}

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
        .map_err(|e| StoreError::Backend(format!("cannot open the store `{location}`: {e}")))?;
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
                    StoreError::Backend(format!("cannot read the store `{location}`: {e}"))
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

    /// Fails with [`StoreError::Misuse`] on a read-only store.
    fn writable(&self) -> Result<(), StoreError> {
        if self.read_only {
            Err(StoreError::Misuse("the store was opened read-only"))
        } else {
            Ok(())
        }
    }

    /// Starts a write transaction (`BEGIN IMMEDIATE`) and upgrades an old schema inside it.
    fn begin_write(&mut self) -> Result<(), StoreError> {
        self.writable()?;
        self.conn
            .execute_batch("BEGIN IMMEDIATE")
            .map_err(db("beginning a transaction"))?;
        if self.schema_version < SCHEMA_VERSION {
            if let Err(e) = self.conn.execute_batch(MIGRATE_FROM_V1) {
                let _ = self.conn.execute_batch("ROLLBACK");
                return Err(db("upgrading the store from schema version 1")(e));
            }
        }
        Ok(())
    }

    /// Marks an upgrade done by the write transaction just committed.
    fn committed(&mut self) {
        self.schema_version = SCHEMA_VERSION;
    }

    /// Where the store lives: its file name, or `:memory:`.
    pub fn location(&self) -> &str {
        &self.location
    }

    /// Adds a lock exception for (data set, period, org unit); adding one that exists does nothing.
    pub fn add_lock_exception(
        &mut self,
        data_set: &Uid,
        period: &Period,
        org_unit: &Uid,
    ) -> Result<(), StoreError> {
        self.writable()?;
        self.period.set(period);
        let mut stmt = self
            .conn
            .prepare_cached(
                "INSERT OR IGNORE INTO lockexception (dataset, period, orgunit) VALUES (?1, ?2, ?3)",
            )
            .map_err(db("adding a lock exception"))?;
        stmt.execute(params![
            data_set.as_str(),
            self.period.iso,
            org_unit.as_str()
        ])
        .map_err(db("adding a lock exception"))?;
        Ok(())
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

    /// Runs `f` inside the open transaction, or inside a transaction of its own.
    fn in_transaction(
        &mut self,
        f: impl FnOnce(&mut SqliteStore) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        if self.txn.is_some() {
            // Inside the open transaction, a failure undoes this call's changes only.
            self.conn
                .execute_batch("SAVEPOINT nested")
                .map_err(db("beginning a savepoint"))?;
            return match f(self) {
                Ok(()) => self
                    .conn
                    .execute_batch("RELEASE nested")
                    .map_err(db("releasing a savepoint")),
                Err(e) => {
                    // The original error matters more than a failed rollback.
                    let _ = self
                        .conn
                        .execute_batch("ROLLBACK TO nested; RELEASE nested");
                    Err(e)
                }
            };
        }
        self.begin_write()?;
        match f(self) {
            Ok(()) => {
                self.conn
                    .execute_batch("COMMIT")
                    .map_err(db("committing"))?;
                self.committed();
                Ok(())
            }
            Err(e) => {
                // The original error matters more than a failed rollback.
                let _ = self.conn.execute_batch("ROLLBACK");
                Err(e)
            }
        }
    }

    /// Checks that the stored org units' parents form a hierarchy (no cycle).
    fn check_hierarchy(&mut self) -> Result<(), StoreError> {
        const TABLE: &str = "metadata_object";
        let mut units = Metadata::new();
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT uid, json_extract(json, '$.parent') FROM metadata_object \
                 WHERE kind = ?1 ORDER BY rowid",
            )
            .map_err(db("reading org units"))?;
        let mut rows = stmt
            .query([metadata_json::ORG_UNITS])
            .map_err(db("reading org units"))?;
        while let Some(row) = rows.next().map_err(db("reading org units"))? {
            let uid = parse_uid(text(row, 0, TABLE, "uid")?, TABLE, "uid")?;
            let parent = opt_text(row, 1, TABLE, "json")?
                .map(|p| parse_uid(p, TABLE, "json"))
                .transpose()?;
            units.add_org_unit(OrganisationUnit::new(Identity::new(uid), parent));
        }
        units.compute_hierarchy()?;
        Ok(())
    }
}

/// The schema version of the store, read in one read transaction (no write lock); `None` for an
/// empty database.
fn read_schema(conn: &Connection, location: &str) -> Result<Option<i64>, StoreError> {
    conn.execute_batch("BEGIN DEFERRED")
        .map_err(db("beginning a read transaction"))?;
    let result = check_schema(conn, location);
    // A read transaction changes nothing: ending it cannot lose anything.
    let ended = conn
        .execute_batch("COMMIT")
        .map_err(db("ending the read transaction"));
    let version = result?;
    ended?;
    Ok(version)
}

fn check_schema(conn: &Connection, location: &str) -> Result<Option<i64>, StoreError> {
    let count = |sql: &str| -> Result<i64, StoreError> {
        conn.query_row(sql, [], |r| r.get(0))
            .map_err(db("reading the schema"))
    };
    let has_version = count(
        "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'",
    )? > 0;
    if has_version {
        let version: Option<i64> = conn
            .query_row("SELECT max(version) FROM schema_version", [], |r| r.get(0))
            .map_err(|e| {
                StoreError::Incompatible(format!(
                    "`{location}`: unreadable schema_version table: {e}"
                ))
            })?;
        return match version {
            Some(v) if (OLDEST_SCHEMA_VERSION..=SCHEMA_VERSION).contains(&v) => Ok(Some(v)),
            Some(v) => Err(StoreError::Incompatible(format!(
                "`{location}` is a store of schema version {v}; this version of dxf2-store-sqlite \
                 reads schema versions {OLDEST_SCHEMA_VERSION} to {SCHEMA_VERSION} only"
            ))),
            None => Err(StoreError::Incompatible(format!(
                "`{location}`: the schema_version table is empty"
            ))),
        };
    }
    if count("SELECT count(*) FROM sqlite_master")? > 0 {
        return Err(StoreError::Incompatible(format!(
            "`{location}` is a SQLite database but not a dxf2 store (it has no schema_version table)"
        )));
    }
    Ok(None)
}

/// Creates the schema in an empty database, in a write transaction; another connection may have
/// created it meanwhile (then its version is checked instead). Returns the schema version.
fn create_schema(conn: &Connection, location: &str) -> Result<i64, StoreError> {
    conn.execute_batch("BEGIN IMMEDIATE")
        .map_err(db("beginning a transaction"))?;
    let result = check_schema(conn, location).and_then(|found| match found {
        Some(version) => Ok(version),
        None => {
            conn.execute_batch(SCHEMA)
                .map_err(db("creating the schema"))?;
            conn.execute(
                "INSERT INTO schema_version (version) VALUES (?1)",
                [SCHEMA_VERSION],
            )
            .map_err(db("creating the schema"))?;
            Ok(SCHEMA_VERSION)
        }
    });
    let end = if result.is_ok() { "COMMIT" } else { "ROLLBACK" };
    let ended = conn
        .execute_batch(end)
        .map_err(db("ending the schema transaction"));
    let version = result?;
    ended?;
    Ok(version)
}

/// Binds `key`'s five columns, the period given as text.
macro_rules! key_params {
    ($key:expr, $period:expr) => {
        (
            $key.data_element.as_str(),
            $period,
            $key.org_unit.as_str(),
            $key.category_option_combo.as_str(),
            $key.attribute_option_combo.as_str(),
        )
    };
}

impl DataValueStore for SqliteStore {
    fn begin(&mut self) -> Result<(), StoreError> {
        if self.txn.is_some() {
            return Err(StoreError::Misuse("begin: a transaction is already open"));
        }
        self.begin_write()?;
        let number = self
            .conn
            .query_row(
                "UPDATE store_state SET last_txn = last_txn + 1 WHERE id = 1 RETURNING last_txn",
                [],
                |r| r.get::<_, i64>(0),
            )
            .optional();
        match number {
            Ok(Some(n)) => {
                self.txn = Some(n);
                Ok(())
            }
            Ok(None) => {
                let _ = self.conn.execute_batch("ROLLBACK");
                Err(StoreError::Incompatible(format!(
                    "`{}`: the store_state table is empty",
                    self.location
                )))
            }
            Err(e) => {
                let _ = self.conn.execute_batch("ROLLBACK");
                Err(db("numbering the transaction")(e))
            }
        }
    }

    fn commit(&mut self) -> Result<(), StoreError> {
        if self.txn.is_none() {
            return Err(StoreError::Misuse("commit: no open transaction"));
        }
        let result = self.conn.execute_batch("COMMIT").map_err(db("committing"));
        // A failed COMMIT may leave the transaction open (then the caller can roll back).
        if self.conn.is_autocommit() {
            self.txn = None;
        }
        if result.is_ok() {
            self.committed();
        }
        result
    }

    fn rollback(&mut self) -> Result<(), StoreError> {
        if self.txn.is_none() {
            return Err(StoreError::Misuse("rollback: no open transaction"));
        }
        self.txn = None;
        if self.conn.is_autocommit() {
            // SQLite already rolled back (after an error that ends transactions).
            return Ok(());
        }
        self.conn
            .execute_batch("ROLLBACK")
            .map_err(db("rolling back"))
    }

    fn get(&mut self, key: &DataValueKey, row: &mut StoredValue) -> Result<Existing, StoreError> {
        self.period.set(&key.period);
        let mut stmt = self
            .conn
            .prepare_cached(SELECT_VALUE)
            .map_err(db("reading a value"))?;
        let mut rows = stmt
            .query(key_params!(key, self.period.iso.as_str()))
            .map_err(db("reading a value"))?;
        let Some(r) = rows.next().map_err(db("reading a value"))? else {
            return Ok(Existing::None);
        };
        row.key = *key;
        read_opt_string(r, 0, "value", &mut row.value)?;
        read_opt_string(r, 1, "comment", &mut row.comment)?;
        read_opt_string(r, 2, "storedby", &mut row.stored_by)?;
        row.created = read_timestamp(text(r, 3, "datavalue", "created")?, "datavalue", "created")?;
        row.last_updated = read_timestamp(
            text(r, 4, "datavalue", "lastupdated")?,
            "datavalue",
            "lastupdated",
        )?;
        row.followup = integer(r, 5, "datavalue", "followup")? != 0;
        row.deleted = integer(r, 6, "datavalue", "deleted")? != 0;
        let txn = integer(r, 7, "datavalue", "txn")?;
        Ok(if self.txn == Some(txn) {
            Existing::InsertedInThisTransaction
        } else {
            Existing::Stored
        })
    }

    fn insert(&mut self, row: &StoredValue) -> Result<(), StoreError> {
        self.writable()?;
        self.period.set(&row.key.period);
        self.created.set(&row.created);
        self.last_updated.set(&row.last_updated);
        let mut stmt = self
            .conn
            .prepare_cached(INSERT_VALUE)
            .map_err(db("inserting a value"))?;
        let key = &row.key;
        let p = &self.period;
        let result = stmt.execute(params![
            key.data_element.as_str(),
            p.iso,
            p.type_name,
            p.start,
            p.end,
            key.org_unit.as_str(),
            key.category_option_combo.as_str(),
            key.attribute_option_combo.as_str(),
            row.value,
            row.comment,
            row.stored_by,
            self.created.text,
            self.last_updated.text,
            row.followup,
            row.deleted,
            self.txn.unwrap_or(0),
        ]);
        match result {
            Ok(_) => Ok(()),
            Err(rusqlite::Error::SqliteFailure(e, _))
                if e.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY =>
            {
                Err(StoreError::Misuse(
                    "insert: a row with this key already exists",
                ))
            }
            Err(e) => Err(db("inserting a value")(e)),
        }
    }

    fn update(&mut self, row: &StoredValue) -> Result<(), StoreError> {
        self.writable()?;
        self.period.set(&row.key.period);
        self.created.set(&row.created);
        self.last_updated.set(&row.last_updated);
        let mut stmt = self
            .conn
            .prepare_cached(UPDATE_VALUE)
            .map_err(db("updating a value"))?;
        let key = &row.key;
        let changed = stmt
            .execute(params![
                key.data_element.as_str(),
                self.period.iso,
                key.org_unit.as_str(),
                key.category_option_combo.as_str(),
                key.attribute_option_combo.as_str(),
                row.value,
                row.comment,
                row.stored_by,
                self.created.text,
                self.last_updated.text,
                row.followup,
                row.deleted,
            ])
            .map_err(db("updating a value"))?;
        if changed == 0 {
            return Err(StoreError::Misuse("update: no row with this key"));
        }
        Ok(())
    }

    fn audit(&mut self, audit: &Audit) -> Result<(), StoreError> {
        self.writable()?;
        self.period.set(&audit.key.period);
        let created = text::timestamp(&audit.created);
        let mut stmt = self
            .conn
            .prepare_cached(INSERT_AUDIT)
            .map_err(db("writing an audit"))?;
        let key = &audit.key;
        stmt.execute(params![
            key.data_element.as_str(),
            self.period.iso,
            key.org_unit.as_str(),
            key.category_option_combo.as_str(),
            key.attribute_option_combo.as_str(),
            audit.previous_value,
            audit.modified_by,
            created,
            audit.audit_type.name(),
        ])
        .map_err(db("writing an audit"))?;
        Ok(())
    }

    fn completion(
        &mut self,
        data_set: &Uid,
        period: &Period,
        org_unit: &Uid,
        attribute_option_combo: &Uid,
    ) -> Result<Option<Completion>, StoreError> {
        const TABLE: &str = "completedatasetregistration";
        self.period.set(period);
        let mut stmt = self
            .conn
            .prepare_cached(SELECT_COMPLETION)
            .map_err(db("reading a completion"))?;
        let mut rows = stmt
            .query(params![
                data_set.as_str(),
                self.period.iso,
                org_unit.as_str(),
                attribute_option_combo.as_str()
            ])
            .map_err(db("reading a completion"))?;
        let Some(r) = rows.next().map_err(db("reading a completion"))? else {
            return Ok(None);
        };
        let date_text = text(r, 0, TABLE, "date")?;
        let date: NaiveDate = date_text.parse().map_err(|_| {
            StoreError::Incompatible(format!(
                "{TABLE}: column `date` holds `{date_text}`, expected yyyy-MM-dd"
            ))
        })?;
        Ok(Some(Completion {
            data_set: *data_set,
            period: *period,
            org_unit: *org_unit,
            attribute_option_combo: *attribute_option_combo,
            date,
            stored_by: text(r, 1, TABLE, "storedby")?.to_owned(),
            last_updated: read_timestamp(text(r, 2, TABLE, "lastupdated")?, TABLE, "lastupdated")?,
            completed: integer(r, 3, TABLE, "completed")? != 0,
        }))
    }

    fn set_completion(&mut self, completion: &Completion) -> Result<(), StoreError> {
        self.writable()?;
        self.period.set(&completion.period);
        let last_updated = text::timestamp(&completion.last_updated);
        let mut stmt = self
            .conn
            .prepare_cached(UPSERT_COMPLETION)
            .map_err(db("writing a completion"))?;
        stmt.execute(params![
            completion.data_set.as_str(),
            self.period.iso,
            completion.org_unit.as_str(),
            completion.attribute_option_combo.as_str(),
            completion.date.to_string(),
            completion.stored_by,
            last_updated,
            completion.completed,
        ])
        .map_err(db("writing a completion"))?;
        Ok(())
    }

    fn has_lock_exception(
        &mut self,
        data_set: &Uid,
        period: &Period,
        org_unit: &Uid,
    ) -> Result<bool, StoreError> {
        self.period.set(period);
        let mut stmt = self
            .conn
            .prepare_cached(SELECT_LOCK_EXCEPTION)
            .map_err(db("reading lock exceptions"))?;
        stmt.exists(params![
            data_set.as_str(),
            self.period.iso,
            org_unit.as_str()
        ])
        .map_err(db("reading lock exceptions"))
    }

    fn query(
        &mut self,
        query: &ValueQuery,
        each: &mut dyn FnMut(&StoredValue) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        const TABLE: &str = "datavalue";
        if query.data_elements.is_empty() || query.limit == Some(0) {
            return Ok(());
        }
        let (sql, values) = query_sql(query);
        let mut stmt = self
            .conn
            .prepare_cached(&sql)
            .map_err(db("querying values"))?;
        let mut rows = stmt
            .query(params_from_iter(values.iter()))
            .map_err(db("querying values"))?;
        let mut current: Option<StoredValue> = None;
        while let Some(r) = rows.next().map_err(db("querying values"))? {
            let key = DataValueKey {
                data_element: parse_uid(text(r, 0, TABLE, "dataelement")?, TABLE, "dataelement")?,
                period: self
                    .periods_read
                    .read(text(r, 1, TABLE, "period")?, TABLE)?,
                org_unit: parse_uid(text(r, 2, TABLE, "orgunit")?, TABLE, "orgunit")?,
                category_option_combo: parse_uid(
                    text(r, 3, TABLE, "categoryoptioncombo")?,
                    TABLE,
                    "categoryoptioncombo",
                )?,
                attribute_option_combo: parse_uid(
                    text(r, 4, TABLE, "attributeoptioncombo")?,
                    TABLE,
                    "attributeoptioncombo",
                )?,
            };
            let created = read_timestamp(text(r, 8, TABLE, "created")?, TABLE, "created")?;
            let row = current.get_or_insert_with(|| StoredValue::empty(key, created));
            row.key = key;
            read_opt_string(r, 5, "value", &mut row.value)?;
            read_opt_string(r, 6, "comment", &mut row.comment)?;
            read_opt_string(r, 7, "storedby", &mut row.stored_by)?;
            row.created = created;
            row.last_updated =
                read_timestamp(text(r, 9, TABLE, "lastupdated")?, TABLE, "lastupdated")?;
            row.followup = integer(r, 10, TABLE, "followup")? != 0;
            row.deleted = integer(r, 11, TABLE, "deleted")? != 0;
            each(row)?;
        }
        Ok(())
    }

    fn audits(&mut self, key: &DataValueKey) -> Result<Vec<Audit>, StoreError> {
        const TABLE: &str = "datavalueaudit";
        self.period.set(&key.period);
        let mut stmt = self
            .conn
            .prepare_cached(SELECT_AUDITS)
            .map_err(db("reading audits"))?;
        let mut rows = stmt
            .query(key_params!(key, self.period.iso.as_str()))
            .map_err(db("reading audits"))?;
        let mut audits = Vec::new();
        while let Some(r) = rows.next().map_err(db("reading audits"))? {
            let audit_type = match text(r, 3, TABLE, "audittype")? {
                "UPDATE" => AuditType::Update,
                "DELETE" => AuditType::Delete,
                "CREATE" => AuditType::Create,
                other => {
                    return Err(StoreError::Incompatible(format!(
                        "{TABLE}: column `audittype` holds `{other}`, expected UPDATE, DELETE or CREATE"
                    )))
                }
            };
            audits.push(Audit {
                key: *key,
                previous_value: opt_text(r, 0, TABLE, "previousvalue")?.map(str::to_owned),
                modified_by: text(r, 1, TABLE, "modifiedby")?.to_owned(),
                created: read_timestamp(text(r, 2, TABLE, "created")?, TABLE, "created")?,
                audit_type,
            });
        }
        Ok(audits)
    }
}

/// The SQL and parameters of a value query (lists are passed as one JSON array each).
fn query_sql(query: &ValueQuery) -> (String, Vec<Value>) {
    let mut sql = String::from(
        "SELECT dataelement, period, orgunit, categoryoptioncombo, attributeoptioncombo, \
         value, comment, storedby, created, lastupdated, followup, deleted \
         FROM datavalue WHERE dataelement IN (SELECT value FROM json_each(?))",
    );
    let mut values = vec![Value::Text(json_array(
        query.data_elements.iter().map(Uid::as_str),
    ))];
    if !query.periods.is_empty() {
        let periods: Vec<String> = query.periods.iter().map(Period::to_string).collect();
        sql.push_str(" AND period IN (SELECT value FROM json_each(?))");
        values.push(Value::Text(json_array(periods.iter().map(String::as_str))));
    }
    if let Some((start, end)) = query.date_range {
        sql.push_str(" AND startdate >= ? AND enddate <= ?");
        values.push(Value::Text(start.to_string()));
        values.push(Value::Text(end.to_string()));
    }
    if let Some(units) = &query.org_units {
        sql.push_str(" AND orgunit IN (SELECT value FROM json_each(?))");
        values.push(Value::Text(json_array(units.iter().map(Uid::as_str))));
    }
    if !query.attribute_option_combos.is_empty() {
        sql.push_str(" AND attributeoptioncombo IN (SELECT value FROM json_each(?))");
        values.push(Value::Text(json_array(
            query.attribute_option_combos.iter().map(Uid::as_str),
        )));
    }
    if !query.include_deleted {
        sql.push_str(" AND deleted = 0");
    }
    if let Some(since) = &query.last_updated_since {
        sql.push_str(" AND lastupdated >= ?");
        values.push(Value::Text(text::timestamp(since)));
    }
    sql.push_str(match query.order {
        ValueOrder::Key => {
            " ORDER BY startdate, periodtype, dataelement, orgunit, categoryoptioncombo, \
             attributeoptioncombo"
        }
        // Timestamps are stored as fixed-width UTC text, which sorts like the instants.
        ValueOrder::Created => {
            " ORDER BY startdate, enddate, created, dataelement, periodtype, orgunit, \
             categoryoptioncombo, attributeoptioncombo"
        }
    });
    if let Some(limit) = query.limit {
        sql.push_str(" LIMIT ?");
        values.push(Value::Integer(i64::try_from(limit).unwrap_or(i64::MAX)));
    }
    (sql, values)
}

/// `items` as a JSON array of strings (for `json_each`).
///
/// An export of a large subtree passes every unit of it: the array is written in one go, without
/// a JSON value per item. (Serialising strings cannot fail; an empty text would fail in SQLite.)
fn json_array<'a>(items: impl Iterator<Item = &'a str>) -> String {
    serde_json::to_string(&items.collect::<Vec<&str>>()).unwrap_or_default()
}

impl MetadataStore for SqliteStore {
    /// The stored metadata, with DHIS2's defaults added ([`Metadata::ensure_defaults`]) and the
    /// org unit hierarchy computed; an empty catalogue when nothing was saved. Fails with
    /// [`StoreError::Hierarchy`] when the stored org units form a cycle (which this version never
    /// saves).
    fn load_metadata(&mut self) -> Result<Metadata, StoreError> {
        let mut metadata = Metadata::new();
        let mut any = false;
        let mut stmt = self
            .conn
            .prepare_cached("SELECT kind, uid, json FROM metadata_object ORDER BY rowid")
            .map_err(db("reading metadata"))?;
        let mut rows = stmt.query([]).map_err(db("reading metadata"))?;
        while let Some(r) = rows.next().map_err(db("reading metadata"))? {
            metadata_json::add_object(
                &mut metadata,
                text(r, 0, "metadata_object", "kind")?,
                text(r, 1, "metadata_object", "uid")?,
                text(r, 2, "metadata_object", "json")?,
            )?;
            any = true;
        }
        if any {
            metadata.ensure_defaults();
            metadata.compute_hierarchy()?;
        }
        Ok(metadata)
    }

    fn save_metadata(&mut self, metadata: &Metadata) -> Result<(), StoreError> {
        self.in_transaction(|store| {
            {
                let mut stmt = store
                    .conn
                    .prepare_cached(UPSERT_METADATA)
                    .map_err(db("writing metadata"))?;
                metadata_json::for_each_object(metadata, &mut |kind, uid, json| {
                    stmt.execute(params![kind, uid.as_str(), json.to_string()])
                        .map_err(db("writing metadata"))?;
                    Ok(())
                })?;
            }
            store.check_hierarchy()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_store_has_the_schema_version() {
        let store = SqliteStore::open_in_memory().unwrap();
        let v: i64 = store
            .conn
            .query_row("SELECT version FROM schema_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(v, SCHEMA_VERSION);
    }

    #[test]
    fn transactions_are_numbered() {
        let mut store = SqliteStore::open_in_memory().unwrap();
        store.begin().unwrap();
        assert_eq!(store.txn, Some(1));
        store.commit().unwrap();
        store.begin().unwrap();
        assert_eq!(store.txn, Some(2));
        store.rollback().unwrap();
        assert_eq!(store.txn, None);
        store.begin().unwrap();
        assert_eq!(store.txn, Some(2));
        store.commit().unwrap();
    }

    #[test]
    fn query_sql_names_every_filter() {
        let uid = Uid::parse("deAAAAAAAAA").unwrap();
        let q = ValueQuery {
            data_elements: vec![uid],
            org_units: Some(vec![uid]),
            attribute_option_combos: vec![uid],
            date_range: Some((
                NaiveDate::from_ymd_opt(2020, 1, 1).unwrap(),
                NaiveDate::from_ymd_opt(2020, 12, 31).unwrap(),
            )),
            limit: Some(3),
            ..ValueQuery::default()
        };
        let (sql, values) = query_sql(&q);
        assert!(sql.contains("deleted = 0"));
        assert!(sql.ends_with("LIMIT ?"));
        assert_eq!(values.len(), 6);
        assert_eq!(values[0], Value::Text("[\"deAAAAAAAAA\"]".into()));
    }
}
