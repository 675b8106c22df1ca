//! The small integers that stand for UIDs and periods in the store's rows, as in DHIS2's own
//! schema: one table per kind (`period`, `organisationunit`, `dataelement`,
//! `categoryoptioncombo` — category and attribute option combos share it — and `dataset`), each
//! mapping a key to an `INTEGER PRIMARY KEY`, and [`Keys`], their copy in memory.
//!
//! The copy is read once (every row of each table) and then kept up to date: a write transaction
//! reads the rows other connections added since ([`Keys::sync`]) right after it takes the write
//! lock, so that inside it the copy is complete and a key it does not hold has no row; reads
//! outside a write transaction sync first too. Ids created by a transaction are forgotten again
//! when it (or the savepoint they were made in) is rolled back. Ids are never deleted or
//! renumbered, so an id once read stays right.

use std::hash::Hash;

use dxf2_model::{Period, Uid};
use dxf2_store::{DataValueKey, StoreError};
use rusqlite::{params, Connection, Row, Statement};
use rustc_hash::FxHashMap;

use crate::columns::{db, integer, text};
use crate::text::{parse_uid, period_of};

/// A key of one of the id tables: a UID or a period.
pub(crate) trait IdKey: Copy + Eq + Hash {
    /// Reads a key from the columns after the id of a row of `table`.
    fn read(row: &Row<'_>, table: &str) -> Result<Self, StoreError>;
    /// Inserts a new row for `key` with the table's insert statement; returns its id.
    fn insert(&self, stmt: &mut Statement<'_>) -> rusqlite::Result<i64>;
}

impl IdKey for Uid {
    fn read(row: &Row<'_>, table: &str) -> Result<Uid, StoreError> {
        parse_uid(text(row, 1, table, "uid")?, table, "uid")
    }

    fn insert(&self, stmt: &mut Statement<'_>) -> rusqlite::Result<i64> {
        stmt.query_row([self.as_str()], |r| r.get(0))
    }
}

impl IdKey for Period {
    /// By type and first day: every period type, also those without an ISO form.
    fn read(row: &Row<'_>, table: &str) -> Result<Period, StoreError> {
        period_of(
            text(row, 1, table, "periodtype")?,
            text(row, 2, table, "startdate")?,
            table,
        )
    }

    fn insert(&self, stmt: &mut Statement<'_>) -> rusqlite::Result<i64> {
        stmt.query_row(
            params![
                self.to_string(),
                self.period_type().name(),
                self.start_date().to_string(),
                self.end_date().to_string(),
            ],
            |r| r.get(0),
        )
    }
}

/// The SQL of one id table.
#[derive(Debug)]
pub(crate) struct IdTable {
    /// The table's name (for messages).
    pub(crate) name: &'static str,
    /// `SELECT id, key… FROM table WHERE id > ?1`.
    select_since: &'static str,
    /// `INSERT … RETURNING id` of a new key (the period table takes four columns).
    insert: &'static str,
}

pub(crate) const PERIOD: IdTable = IdTable {
    name: "period",
    select_since: "SELECT periodid, periodtype, startdate FROM period WHERE periodid > ?1",
    insert: "INSERT INTO period (iso, periodtype, startdate, enddate) VALUES (?1, ?2, ?3, ?4) \
             RETURNING periodid",
};

pub(crate) const ORG_UNIT: IdTable = IdTable {
    name: "organisationunit",
    select_since: "SELECT organisationunitid, uid FROM organisationunit \
                   WHERE organisationunitid > ?1",
    insert: "INSERT INTO organisationunit (uid) VALUES (?1) RETURNING organisationunitid",
};

pub(crate) const DATA_ELEMENT: IdTable = IdTable {
    name: "dataelement",
    select_since: "SELECT dataelementid, uid FROM dataelement WHERE dataelementid > ?1",
    insert: "INSERT INTO dataelement (uid) VALUES (?1) RETURNING dataelementid",
};

pub(crate) const OPTION_COMBO: IdTable = IdTable {
    name: "categoryoptioncombo",
    select_since: "SELECT categoryoptioncomboid, uid FROM categoryoptioncombo \
                   WHERE categoryoptioncomboid > ?1",
    insert: "INSERT INTO categoryoptioncombo (uid) VALUES (?1) RETURNING categoryoptioncomboid",
};

pub(crate) const DATA_SET: IdTable = IdTable {
    name: "dataset",
    select_since: "SELECT datasetid, uid FROM dataset WHERE datasetid > ?1",
    insert: "INSERT INTO dataset (uid) VALUES (?1) RETURNING datasetid",
};

/// One id table in memory.
#[derive(Debug)]
pub(crate) struct Ids<K> {
    table: &'static IdTable,
    by_key: FxHashMap<K, i64>,
    by_id: FxHashMap<i64, K>,
    /// Every row with an id up to this one has been read.
    synced_to: i64,
    /// Ids created by the open transaction, oldest first.
    created: Vec<i64>,
}

impl<K: IdKey> Ids<K> {
    fn new(table: &'static IdTable) -> Ids<K> {
        Ids {
            table,
            by_key: FxHashMap::default(),
            by_id: FxHashMap::default(),
            synced_to: 0,
            created: Vec::new(),
        }
    }

    /// Reads the rows added since the last sync.
    fn sync(&mut self, conn: &Connection) -> Result<(), StoreError> {
        let mut stmt = conn
            .prepare_cached(self.table.select_since)
            .map_err(db("reading ids"))?;
        let mut rows = stmt.query([self.synced_to]).map_err(db("reading ids"))?;
        while let Some(r) = rows.next().map_err(db("reading ids"))? {
            let id = integer(r, 0, self.table.name, "id")?;
            let key = K::read(r, self.table.name)?;
            self.by_key.insert(key, id);
            self.by_id.insert(id, key);
            self.synced_to = self.synced_to.max(id);
        }
        Ok(())
    }

    /// The id of `key`, if it has one (as of the last sync).
    #[inline]
    pub(crate) fn get(&self, key: &K) -> Option<i64> {
        self.by_key.get(key).copied()
    }

    /// The id of `key`, made when it has none (inside a write transaction, after a sync).
    #[inline]
    pub(crate) fn get_or_create(&mut self, conn: &Connection, key: &K) -> Result<i64, StoreError> {
        if let Some(id) = self.by_key.get(key) {
            return Ok(*id);
        }
        let mut stmt = conn
            .prepare_cached(self.table.insert)
            .map_err(db("adding an id"))?;
        let id = key.insert(&mut stmt).map_err(db("adding an id"))?;
        self.by_key.insert(*key, id);
        self.by_id.insert(id, *key);
        self.created.push(id);
        Ok(id)
    }

    /// The key of `id`; syncs once when it is not known yet (a row another connection added).
    pub(crate) fn key_of(&mut self, conn: &Connection, id: i64) -> Result<K, StoreError> {
        if let Some(key) = self.by_id.get(&id) {
            return Ok(*key);
        }
        self.sync(conn)?;
        self.by_id.get(&id).copied().ok_or_else(|| {
            StoreError::Incompatible(format!(
                "{}: no row with id {id}, which a stored row refers to",
                self.table.name
            ))
        })
    }

    /// Forgets the ids created after the first `mark` (their rows were rolled back).
    fn forget_after(&mut self, mark: usize) {
        let undone = self.created.get(mark..).unwrap_or_default();
        for id in undone {
            if let Some(key) = self.by_id.remove(id) {
                self.by_key.remove(&key);
            }
            // SQLite may give the id again; the next sync must read it.
            self.synced_to = self.synced_to.min(id - 1);
        }
        self.created.truncate(mark);
    }
}

/// How far each table's list of created ids went when a savepoint began.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Mark([usize; 5]);

/// The integer key of a data value row: period, org unit, data element, category option combo,
/// attribute option combo — the order of `datavalue`'s primary key.
pub(crate) type IntKey = [i64; 5];

/// Every id table in memory.
#[derive(Debug)]
pub(crate) struct Keys {
    pub(crate) periods: Ids<Period>,
    pub(crate) org_units: Ids<Uid>,
    pub(crate) data_elements: Ids<Uid>,
    pub(crate) option_combos: Ids<Uid>,
    pub(crate) data_sets: Ids<Uid>,
}

impl Default for Keys {
    fn default() -> Keys {
        Keys {
            periods: Ids::new(&PERIOD),
            org_units: Ids::new(&ORG_UNIT),
            data_elements: Ids::new(&DATA_ELEMENT),
            option_combos: Ids::new(&OPTION_COMBO),
            data_sets: Ids::new(&DATA_SET),
        }
    }
}

impl Keys {
    /// Reads the rows every table gained since the last sync.
    pub(crate) fn sync(&mut self, conn: &Connection) -> Result<(), StoreError> {
        self.periods.sync(conn)?;
        self.org_units.sync(conn)?;
        self.data_elements.sync(conn)?;
        self.option_combos.sync(conn)?;
        self.data_sets.sync(conn)
    }

    /// The integer key of `key`, if every part of it has an id.
    #[inline]
    pub(crate) fn find(&self, key: &DataValueKey) -> Option<IntKey> {
        Some([
            self.periods.get(&key.period)?,
            self.org_units.get(&key.org_unit)?,
            self.data_elements.get(&key.data_element)?,
            self.option_combos.get(&key.category_option_combo)?,
            self.option_combos.get(&key.attribute_option_combo)?,
        ])
    }

    /// The integer key of `key`, making the ids it lacks.
    #[inline]
    pub(crate) fn make(
        &mut self,
        conn: &Connection,
        key: &DataValueKey,
    ) -> Result<IntKey, StoreError> {
        Ok([
            self.periods.get_or_create(conn, &key.period)?,
            self.org_units.get_or_create(conn, &key.org_unit)?,
            self.data_elements.get_or_create(conn, &key.data_element)?,
            self.option_combos
                .get_or_create(conn, &key.category_option_combo)?,
            self.option_combos
                .get_or_create(conn, &key.attribute_option_combo)?,
        ])
    }

    /// The key of an integer key read from a row.
    pub(crate) fn key_of(
        &mut self,
        conn: &Connection,
        key: IntKey,
    ) -> Result<DataValueKey, StoreError> {
        let [pe, ou, de, coc, aoc] = key;
        Ok(DataValueKey {
            period: self.periods.key_of(conn, pe)?,
            org_unit: self.org_units.key_of(conn, ou)?,
            data_element: self.data_elements.key_of(conn, de)?,
            category_option_combo: self.option_combos.key_of(conn, coc)?,
            attribute_option_combo: self.option_combos.key_of(conn, aoc)?,
        })
    }

    /// Where the lists of created ids are now (for a savepoint).
    pub(crate) fn mark(&self) -> Mark {
        Mark([
            self.periods.created.len(),
            self.org_units.created.len(),
            self.data_elements.created.len(),
            self.option_combos.created.len(),
            self.data_sets.created.len(),
        ])
    }

    /// Forgets the ids created since `mark` (the savepoint was rolled back).
    pub(crate) fn rollback_to(&mut self, mark: Mark) {
        let [pe, ou, de, coc, ds] = mark.0;
        self.periods.forget_after(pe);
        self.org_units.forget_after(ou);
        self.data_elements.forget_after(de);
        self.option_combos.forget_after(coc);
        self.data_sets.forget_after(ds);
    }

    /// Forgets every id created by the transaction (it was rolled back).
    pub(crate) fn rollback(&mut self) {
        self.rollback_to(Mark([0; 5]));
    }

    /// The transaction committed: its ids are there to stay.
    pub(crate) fn commit(&mut self) {
        self.periods.created.clear();
        self.org_units.created.clear();
        self.data_elements.created.clear();
        self.option_combos.created.clear();
        self.data_sets.created.clear();
    }
}
