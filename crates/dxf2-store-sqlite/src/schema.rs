//! The store's tables and their version: the schema of a new store and the check of an
//! existing one (version, emptiness, foreign databases). Stores of older versions are upgraded
//! by `migrate`.

use dxf2_store::StoreError;
use rusqlite::Connection;

use crate::columns::db;

/// The schema version this crate writes (`schema_version` table): 4, integer keys and DHIS2
/// objects kept whole. It upgrades stores of versions 1 and 2 (text keys) and 3 (no
/// `dhis2_object` table) when it opens them for writing.
pub const SCHEMA_VERSION: i64 = 4;

/// The oldest schema version this crate upgrades.
pub(crate) const OLDEST_SCHEMA_VERSION: i64 = 1;

/// The tables every version has: the version itself and the metadata objects kept as JSON
/// (since version 3, those of the kinds without a table of their own).
pub(crate) const SCHEMA_BASE: &str = "
CREATE TABLE schema_version (version INTEGER NOT NULL);
CREATE TABLE metadata_object (
    kind TEXT NOT NULL,
    uid TEXT NOT NULL,
    json TEXT NOT NULL,
    UNIQUE (kind, uid)
);
";

/// The tables of schema version 3 beyond [`SCHEMA_BASE`].
///
/// The id tables (`period`, `organisationunit`, `dataelement`, `categoryoptioncombo`,
/// `dataset`) give every key a small integer; a row of the metadata kinds with a table of their
/// own has `saved` set (the order in which it was first saved) and its fields, a row that only
/// keys stored values has `saved` NULL. `datavalue` is keyed by five integers in the order real
/// imports come (period, then org unit); `txn` is the transaction that inserted a row, `change`
/// the change number of the batch that last wrote it. Timestamps are integer milliseconds since
/// 1970 UTC.
pub(crate) const SCHEMA_V3: &str = "
CREATE TABLE store_state (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    last_txn INTEGER NOT NULL,
    last_change INTEGER NOT NULL,
    store_id TEXT NOT NULL
);
CREATE TABLE period (
    periodid INTEGER PRIMARY KEY,
    iso TEXT NOT NULL,
    periodtype TEXT NOT NULL,
    startdate TEXT NOT NULL,
    enddate TEXT NOT NULL,
    UNIQUE (periodtype, startdate)
);
CREATE TABLE organisationunit (
    organisationunitid INTEGER PRIMARY KEY,
    uid TEXT NOT NULL UNIQUE,
    saved INTEGER,
    code TEXT,
    name TEXT,
    parentid INTEGER,
    openingdate TEXT,
    closeddate TEXT,
    attributevalues TEXT
);
CREATE TABLE dataelement (
    dataelementid INTEGER PRIMARY KEY,
    uid TEXT NOT NULL UNIQUE,
    saved INTEGER,
    code TEXT,
    name TEXT,
    valuetype TEXT,
    aggregationtype TEXT,
    domaintype TEXT,
    zeroissignificant INTEGER,
    categorycombo TEXT,
    optionset TEXT,
    commentoptionset TEXT,
    sharing TEXT,
    attributevalues TEXT
);
CREATE TABLE categoryoptioncombo (
    categoryoptioncomboid INTEGER PRIMARY KEY,
    uid TEXT NOT NULL UNIQUE,
    saved INTEGER,
    code TEXT,
    name TEXT,
    categorycombo TEXT,
    categoryoptions TEXT,
    ignoreapproval INTEGER,
    attributevalues TEXT
);
CREATE TABLE dataset (
    datasetid INTEGER PRIMARY KEY,
    uid TEXT NOT NULL UNIQUE
);
CREATE TABLE datavalue (
    periodid INTEGER NOT NULL,
    sourceid INTEGER NOT NULL,
    dataelementid INTEGER NOT NULL,
    categoryoptioncomboid INTEGER NOT NULL,
    attributeoptioncomboid INTEGER NOT NULL,
    value TEXT,
    comment TEXT,
    storedby TEXT,
    created INTEGER NOT NULL,
    lastupdated INTEGER NOT NULL,
    followup INTEGER NOT NULL,
    deleted INTEGER NOT NULL,
    txn INTEGER NOT NULL,
    change INTEGER NOT NULL,
    PRIMARY KEY (periodid, sourceid, dataelementid, categoryoptioncomboid, attributeoptioncomboid)
) WITHOUT ROWID;
CREATE INDEX datavalue_change ON datavalue (change);
CREATE TABLE datavalueaudit (
    datavalueauditid INTEGER PRIMARY KEY,
    periodid INTEGER NOT NULL,
    sourceid INTEGER NOT NULL,
    dataelementid INTEGER NOT NULL,
    categoryoptioncomboid INTEGER NOT NULL,
    attributeoptioncomboid INTEGER NOT NULL,
    previousvalue TEXT,
    modifiedby TEXT NOT NULL,
    created INTEGER NOT NULL,
    audittype TEXT NOT NULL
);
CREATE INDEX datavalueaudit_key ON datavalueaudit
    (periodid, sourceid, dataelementid, categoryoptioncomboid, attributeoptioncomboid);
CREATE TABLE completedatasetregistration (
    datasetid INTEGER NOT NULL,
    periodid INTEGER NOT NULL,
    sourceid INTEGER NOT NULL,
    attributeoptioncomboid INTEGER NOT NULL,
    date TEXT NOT NULL,
    storedby TEXT NOT NULL,
    lastupdated INTEGER NOT NULL,
    completed INTEGER NOT NULL,
    change INTEGER NOT NULL,
    PRIMARY KEY (datasetid, periodid, sourceid, attributeoptioncomboid)
) WITHOUT ROWID;
CREATE INDEX completedatasetregistration_change ON completedatasetregistration (change);
CREATE TABLE lockexception (
    datasetid INTEGER NOT NULL,
    periodid INTEGER NOT NULL,
    sourceid INTEGER NOT NULL,
    PRIMARY KEY (datasetid, periodid, sourceid)
) WITHOUT ROWID;
CREATE TABLE record (
    kind TEXT NOT NULL,
    id TEXT NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (kind, id)
) WITHOUT ROWID;
";

/// The table of schema version 4 beyond version 3: DHIS2 metadata objects kept whole (JSON
/// text), by collection key and UID; `seq` is the order in which each was first stored.
pub(crate) const SCHEMA_V4: &str = "
CREATE TABLE dhis2_object (
    seq INTEGER PRIMARY KEY,
    key TEXT NOT NULL,
    uid TEXT NOT NULL,
    json TEXT NOT NULL,
    UNIQUE (key, uid)
);
";

/// The schema version of the store, read in one read transaction (no write lock); `None` for an
/// empty database.
pub(crate) fn read_schema(conn: &Connection, location: &str) -> Result<Option<i64>, StoreError> {
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

/// The schema version of the store (`None`: an empty database); refuses a version this crate
/// neither reads nor upgrades, and a database that is not a store.
pub(crate) fn check_schema(conn: &Connection, location: &str) -> Result<Option<i64>, StoreError> {
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
            Some(v) if v > SCHEMA_VERSION => Err(StoreError::Incompatible(format!(
                "`{location}` is a store of schema version {v}, written by a newer dxf2; this \
                 version reads schema versions {OLDEST_SCHEMA_VERSION} to {SCHEMA_VERSION} only: \
                 use a dxf2 as new as the one that wrote it"
            ))),
            Some(v) => Err(StoreError::Incompatible(format!(
                "`{location}` is a store of schema version {v}; this version reads schema \
                 versions {OLDEST_SCHEMA_VERSION} to {SCHEMA_VERSION} only"
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

/// Creates the tables of version [`SCHEMA_VERSION`] in an empty database, inside the open write
/// transaction, with a new store id.
pub(crate) fn create_tables(conn: &Connection) -> Result<(), StoreError> {
    conn.execute_batch(SCHEMA_BASE)
        .and_then(|()| conn.execute_batch(SCHEMA_V3))
        .and_then(|()| conn.execute_batch(SCHEMA_V4))
        .and_then(|()| {
            conn.execute(
                "INSERT INTO schema_version (version) VALUES (?1)",
                [SCHEMA_VERSION],
            )
        })
        .and_then(|_| {
            conn.execute(
                "INSERT INTO store_state (id, last_txn, last_change, store_id) VALUES (1, 0, 0, ?1)",
                [dxf2_store::new_store_id()],
            )
        })
        .map_err(db("creating the schema"))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SqliteStore;

    #[test]
    fn new_store_has_the_schema_version() {
        let store = SqliteStore::open_in_memory().unwrap();
        let v: i64 = store
            .conn
            .query_row("SELECT version FROM schema_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(v, SCHEMA_VERSION);
    }
}
