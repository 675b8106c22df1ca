//! UIDs and periods as small integers, as DHIS2's own schema has them: the tables
//! `dataelement`, `organisationunit`, `categoryoptioncombo`, `dataset` (UID ↔ id) and `period`
//! ((type, first day) ↔ id), and the connection's cache of the ids it has seen, so that a batch
//! of an import whose UIDs are all known costs no round trip for them.
//!
//! Ids are only ever added, never changed or removed, so a cached id stays right, except one
//! added by a transaction that then rolls back: the store clears the cache on rollback.

use chrono::NaiveDate;
use dxf2_model::{Period, Uid};
use dxf2_store::{DataValueKey, StoreError};
use postgres::Client;
use rustc_hash::{FxHashMap, FxHashSet};

use crate::columns::{get, pg};
use crate::open::period_of;

/// A table mapping UIDs to ids.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum UidTable {
    /// `dataelement`.
    DataElement,
    /// `organisationunit`.
    OrgUnit,
    /// `categoryoptioncombo`: category and attribute option combos.
    OptionCombo,
    /// `dataset`.
    DataSet,
}

const UID_TABLES: [UidTable; 4] = [
    UidTable::DataElement,
    UidTable::OrgUnit,
    UidTable::OptionCombo,
    UidTable::DataSet,
];

impl UidTable {
    fn name(self) -> &'static str {
        match self {
            UidTable::DataElement => "dataelement",
            UidTable::OrgUnit => "organisationunit",
            UidTable::OptionCombo => "categoryoptioncombo",
            UidTable::DataSet => "dataset",
        }
    }

    fn index(self) -> usize {
        match self {
            UidTable::DataElement => 0,
            UidTable::OrgUnit => 1,
            UidTable::OptionCombo => 2,
            UidTable::DataSet => 3,
        }
    }
}

/// The ids of a data value key, in the primary key's order: period, org unit, data element,
/// category option combo, attribute option combo.
pub(crate) type KeyIds = (i32, i32, i32, i32, i32);

/// The ids seen by this connection.
#[derive(Debug, Default)]
pub(crate) struct Dims {
    uids: [FxHashMap<Uid, i32>; 4],
    periods: FxHashMap<Period, i32>,
}

/// UIDs and periods whose ids are not cached yet.
#[derive(Debug, Default)]
pub(crate) struct Missing {
    uids: [FxHashSet<Uid>; 4],
    periods: FxHashSet<Period>,
}

impl Missing {
    /// Notes `uid` of `table` unless its id is cached.
    pub(crate) fn uid(&mut self, dims: &Dims, table: UidTable, uid: &Uid) {
        if dims.uid(table, uid).is_none() {
            if let Some(set) = self.uids.get_mut(table.index()) {
                set.insert(*uid);
            }
        }
    }

    /// Notes `period` unless its id is cached.
    pub(crate) fn period(&mut self, dims: &Dims, period: &Period) {
        if dims.period(period).is_none() {
            self.periods.insert(*period);
        }
    }

    /// Notes the parts of `key` whose ids are not cached.
    pub(crate) fn key(&mut self, dims: &Dims, key: &DataValueKey) {
        self.period(dims, &key.period);
        self.uid(dims, UidTable::OrgUnit, &key.org_unit);
        self.uid(dims, UidTable::DataElement, &key.data_element);
        self.uid(dims, UidTable::OptionCombo, &key.category_option_combo);
        self.uid(dims, UidTable::OptionCombo, &key.attribute_option_combo);
    }

    fn is_empty(&self) -> bool {
        self.periods.is_empty() && self.uids.iter().all(FxHashSet::is_empty)
    }
}

impl Dims {
    /// The cached id of `uid` in `table`.
    pub(crate) fn uid(&self, table: UidTable, uid: &Uid) -> Option<i32> {
        self.uids
            .get(table.index())
            .and_then(|m| m.get(uid))
            .copied()
    }

    /// The cached id of `period`.
    pub(crate) fn period(&self, period: &Period) -> Option<i32> {
        self.periods.get(period).copied()
    }

    /// The ids of `key`, when all are cached.
    pub(crate) fn key(&self, key: &DataValueKey) -> Option<KeyIds> {
        Some((
            self.period(&key.period)?,
            self.uid(UidTable::OrgUnit, &key.org_unit)?,
            self.uid(UidTable::DataElement, &key.data_element)?,
            self.uid(UidTable::OptionCombo, &key.category_option_combo)?,
            self.uid(UidTable::OptionCombo, &key.attribute_option_combo)?,
        ))
    }

    /// Forgets every cached id.
    pub(crate) fn clear(&mut self) {
        for m in &mut self.uids {
            m.clear();
        }
        self.periods.clear();
    }

    /// Reads the ids of the `missing` UIDs and periods into the cache; with `create`, gives ids
    /// to those that have none (inside the caller's write transaction). Without `create`, those
    /// stay unknown: no row can refer to them.
    pub(crate) fn fetch(
        &mut self,
        client: &mut Client,
        missing: Missing,
        create: bool,
    ) -> Result<(), StoreError> {
        if missing.is_empty() {
            return Ok(());
        }
        let Missing { uids, periods } = missing;
        for (table, wanted) in UID_TABLES.into_iter().zip(uids) {
            if !wanted.is_empty() {
                self.fetch_uids(client, table, wanted, create)?;
            }
        }
        if !periods.is_empty() {
            self.fetch_periods(client, periods, create)?;
        }
        Ok(())
    }

    fn fetch_uids(
        &mut self,
        client: &mut Client,
        table: UidTable,
        wanted: FxHashSet<Uid>,
        create: bool,
    ) -> Result<(), StoreError> {
        let name = table.name();
        let mut wanted: Vec<Uid> = wanted.into_iter().collect();
        wanted.sort_unstable_by(|a, b| a.as_str().cmp(b.as_str()));
        let select = format!("SELECT uid, id FROM {name} WHERE uid = ANY($1::text[])");
        let insert = format!(
            "INSERT INTO {name} (uid) SELECT unnest($1::text[]) ON CONFLICT (uid) DO NOTHING \
             RETURNING uid, id"
        );
        let mut steps = vec![select.as_str()];
        if create {
            // Inserted by another connection meanwhile: the second select finds it.
            steps.extend([insert.as_str(), select.as_str()]);
        }
        for sql in steps {
            let texts: Vec<&str> = wanted.iter().map(Uid::as_str).collect();
            let rows = client
                .query(sql, &[&texts])
                .map_err(pg("reading the ids of UIDs"))?;
            let map = self.uids.get_mut(table.index());
            let Some(map) = map else { break };
            for row in &rows {
                let uid: &str = get(row, 0, name, "uid")?;
                let id: i32 = get(row, 1, name, "id")?;
                let uid = Uid::parse(uid).map_err(|_| {
                    StoreError::Incompatible(format!("{name}: `{uid}` is not a UID"))
                })?;
                map.insert(uid, id);
            }
            wanted.retain(|u| !map.contains_key(u));
            if wanted.is_empty() {
                break;
            }
        }
        Ok(())
    }

    fn fetch_periods(
        &mut self,
        client: &mut Client,
        wanted: FxHashSet<Period>,
        create: bool,
    ) -> Result<(), StoreError> {
        const SELECT: &str = "SELECT p.id, p.periodtype, p.startdate FROM period p \
             JOIN unnest($1::text[], $2::date[]) AS k (t, s) \
             ON p.periodtype = k.t AND p.startdate = k.s";
        const INSERT: &str = "INSERT INTO period (periodtype, startdate, enddate, iso) \
             SELECT * FROM unnest($1::text[], $2::date[], $3::date[], $4::text[]) \
             ON CONFLICT (periodtype, startdate) DO NOTHING RETURNING id, periodtype, startdate";
        let mut wanted: Vec<Period> = wanted.into_iter().collect();
        wanted.sort_unstable_by_key(|p| (p.start_date(), p.period_type().name()));
        let mut steps = vec![SELECT];
        if create {
            steps.extend([INSERT, SELECT]);
        }
        for sql in steps {
            let types: Vec<&str> = wanted.iter().map(|p| p.period_type().name()).collect();
            let starts: Vec<NaiveDate> = wanted.iter().map(Period::start_date).collect();
            let rows = if sql == INSERT {
                let ends: Vec<NaiveDate> = wanted.iter().map(Period::end_date).collect();
                let isos: Vec<String> = wanted.iter().map(Period::to_string).collect();
                client.query(sql, &[&types, &starts, &ends, &isos])
            } else {
                client.query(sql, &[&types, &starts])
            }
            .map_err(pg("reading the ids of periods"))?;
            for row in &rows {
                let id: i32 = get(row, 0, "period", "id")?;
                let type_name: &str = get(row, 1, "period", "periodtype")?;
                let start: NaiveDate = get(row, 2, "period", "startdate")?;
                self.periods.insert(period_of(type_name, start)?, id);
            }
            wanted.retain(|p| !self.periods.contains_key(p));
            if wanted.is_empty() {
                break;
            }
        }
        Ok(())
    }
}
