//! The store's tables and their version: the schema of a new store, the check of an existing
//! one (version, emptiness, foreign databases), and the upgrade from schema version 1.

use import_engine::store::StoreError;
use rusqlite::Connection;

use crate::columns::db;

/// The schema version this crate writes (`schema_version` table). It also reads version 1 (the
/// same tables plus `orgunit_path`), which its first write transaction upgrades.
pub const SCHEMA_VERSION: i64 = 2;

/// The oldest schema version this crate reads.
pub(crate) const OLDEST_SCHEMA_VERSION: i64 = 1;

/// The schema of a new store (version [`SCHEMA_VERSION`]).
pub(crate) const SCHEMA: &str = "
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
pub(crate) const MIGRATE_FROM_V1: &str = "
DROP TABLE IF EXISTS orgunit_path;
UPDATE schema_version SET version = 2;
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
pub(crate) fn create_schema(conn: &Connection, location: &str) -> Result<i64, StoreError> {
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
