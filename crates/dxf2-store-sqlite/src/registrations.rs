//! Data set completions (`completedatasetregistration`, numbered with change numbers) and lock
//! exceptions (`lockexception`), keyed by integer ids.

use dxf2_model::{Period, Uid};
use dxf2_store::{Completion, StoreError};
use rusqlite::{params, Row};

use crate::columns::{db, integer, text};
use crate::text::{from_millis, millis, parse_date};
use crate::SqliteStore;

const TABLE: &str = "completedatasetregistration";

pub(crate) const SELECT_COMPLETION: &str =
    "SELECT date, storedby, lastupdated, completed FROM completedatasetregistration \
     WHERE datasetid = ?1 AND periodid = ?2 AND sourceid = ?3 AND attributeoptioncomboid = ?4";

pub(crate) const UPSERT_COMPLETION: &str = "INSERT OR REPLACE INTO completedatasetregistration \
     (datasetid, periodid, sourceid, attributeoptioncomboid, date, storedby, lastupdated, \
     completed, change) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";

/// The completions changed since a change number, in (data set, period start, period type, org
/// unit, attribute option combo) order.
const SELECT_CHANGED_COMPLETIONS: &str =
    "SELECT c.datasetid, c.periodid, c.sourceid, c.attributeoptioncomboid, c.date, c.storedby, \
     c.lastupdated, c.completed FROM completedatasetregistration c \
     JOIN dataset ds ON ds.datasetid = c.datasetid \
     JOIN period p ON p.periodid = c.periodid \
     JOIN organisationunit ou ON ou.organisationunitid = c.sourceid \
     JOIN categoryoptioncombo aoc ON aoc.categoryoptioncomboid = c.attributeoptioncomboid \
     WHERE c.change > ?1 \
     ORDER BY ds.uid, p.startdate, p.periodtype, ou.uid, aoc.uid";

const SELECT_LOCK_EXCEPTION: &str =
    "SELECT 1 FROM lockexception WHERE datasetid = ?1 AND periodid = ?2 AND sourceid = ?3";

const INSERT_LOCK_EXCEPTION: &str =
    "INSERT OR IGNORE INTO lockexception (datasetid, periodid, sourceid) VALUES (?1, ?2, ?3)";

/// The fields of a completion after its key, read from columns `first`…`first + 3` (date,
/// stored by, last updated, completed) into `c`.
fn read_completion_fields(r: &Row<'_>, first: usize, c: &mut Completion) -> Result<(), StoreError> {
    c.date = parse_date(text(r, first, TABLE, "date")?, TABLE, "date")?;
    c.stored_by.clear();
    c.stored_by.push_str(text(r, first + 1, TABLE, "storedby")?);
    c.last_updated = from_millis(
        integer(r, first + 2, TABLE, "lastupdated")?,
        TABLE,
        "lastupdated",
    )?;
    c.completed = integer(r, first + 3, TABLE, "completed")? != 0;
    Ok(())
}

impl SqliteStore {
    /// Reads a completion registration.
    pub(crate) fn read_completion(
        &mut self,
        data_set: &Uid,
        period: &Period,
        org_unit: &Uid,
        attribute_option_combo: &Uid,
    ) -> Result<Option<Completion>, StoreError> {
        self.sync_for_read()?;
        let k = &self.keys;
        let (Some(ds), Some(pe), Some(ou), Some(aoc)) = (
            k.data_sets.get(data_set),
            k.periods.get(period),
            k.org_units.get(org_unit),
            k.option_combos.get(attribute_option_combo),
        ) else {
            return Ok(None);
        };
        let mut stmt = self
            .conn
            .prepare_cached(SELECT_COMPLETION)
            .map_err(db("reading a completion"))?;
        let mut rows = stmt
            .query(params![ds, pe, ou, aoc])
            .map_err(db("reading a completion"))?;
        let Some(r) = rows.next().map_err(db("reading a completion"))? else {
            return Ok(None);
        };
        let mut c = Completion {
            data_set: *data_set,
            period: *period,
            org_unit: *org_unit,
            attribute_option_combo: *attribute_option_combo,
            date: chrono::NaiveDate::MIN,
            stored_by: String::new(),
            last_updated: chrono::DateTime::UNIX_EPOCH,
            completed: false,
        };
        read_completion_fields(r, 0, &mut c)?;
        Ok(Some(c))
    }

    /// Creates or replaces completion registrations (inside a write transaction), numbered with
    /// `change`.
    pub(crate) fn write_completions(
        &mut self,
        completions: &[Completion],
        change: i64,
    ) -> Result<(), StoreError> {
        if completions.is_empty() {
            return Ok(());
        }
        let mut stmt = self
            .conn
            .prepare_cached(UPSERT_COMPLETION)
            .map_err(db("writing a completion"))?;
        for c in completions {
            let k = &mut self.keys;
            let ds = k.data_sets.get_or_create(&self.conn, &c.data_set)?;
            let pe = k.periods.get_or_create(&self.conn, &c.period)?;
            let ou = k.org_units.get_or_create(&self.conn, &c.org_unit)?;
            let aoc = k
                .option_combos
                .get_or_create(&self.conn, &c.attribute_option_combo)?;
            stmt.execute(params![
                ds,
                pe,
                ou,
                aoc,
                c.date.to_string(),
                c.stored_by,
                millis(&c.last_updated),
                c.completed,
                change,
            ])
            .map_err(db("writing a completion"))?;
        }
        Ok(())
    }

    /// Calls `each` for every completion written by a change numbered above `since`.
    pub(crate) fn read_changed_completions(
        &mut self,
        since: u64,
        each: &mut dyn FnMut(&Completion) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        self.sync_for_read()?;
        let since = i64::try_from(since).unwrap_or(i64::MAX);
        let mut stmt = self
            .conn
            .prepare_cached(SELECT_CHANGED_COMPLETIONS)
            .map_err(db("reading completions"))?;
        let mut rows = stmt.query([since]).map_err(db("reading completions"))?;
        let mut current: Option<Completion> = None;
        while let Some(r) = rows.next().map_err(db("reading completions"))? {
            let k = &mut self.keys;
            let data_set = k
                .data_sets
                .key_of(&self.conn, integer(r, 0, TABLE, "datasetid")?)?;
            let period = k
                .periods
                .key_of(&self.conn, integer(r, 1, TABLE, "periodid")?)?;
            let org_unit = k
                .org_units
                .key_of(&self.conn, integer(r, 2, TABLE, "sourceid")?)?;
            let attribute_option_combo = k
                .option_combos
                .key_of(&self.conn, integer(r, 3, TABLE, "attributeoptioncomboid")?)?;
            let c = current.get_or_insert_with(|| Completion {
                data_set,
                period,
                org_unit,
                attribute_option_combo,
                date: chrono::NaiveDate::MIN,
                stored_by: String::new(),
                last_updated: chrono::DateTime::UNIX_EPOCH,
                completed: false,
            });
            c.data_set = data_set;
            c.period = period;
            c.org_unit = org_unit;
            c.attribute_option_combo = attribute_option_combo;
            read_completion_fields(r, 4, c)?;
            each(c)?;
        }
        Ok(())
    }

    /// Whether a lock exception exists for (data set, period, org unit).
    pub(crate) fn lock_exception_exists(
        &mut self,
        data_set: &Uid,
        period: &Period,
        org_unit: &Uid,
    ) -> Result<bool, StoreError> {
        self.sync_for_read()?;
        let k = &self.keys;
        let (Some(ds), Some(pe), Some(ou)) = (
            k.data_sets.get(data_set),
            k.periods.get(period),
            k.org_units.get(org_unit),
        ) else {
            return Ok(false);
        };
        let mut stmt = self
            .conn
            .prepare_cached(SELECT_LOCK_EXCEPTION)
            .map_err(db("reading lock exceptions"))?;
        stmt.exists(params![ds, pe, ou])
            .map_err(db("reading lock exceptions"))
    }

    /// Adds a lock exception; adding one that exists does nothing.
    pub(crate) fn insert_lock_exception(
        &mut self,
        data_set: &Uid,
        period: &Period,
        org_unit: &Uid,
    ) -> Result<(), StoreError> {
        self.in_transaction(|s| {
            let k = &mut s.keys;
            let ds = k.data_sets.get_or_create(&s.conn, data_set)?;
            let pe = k.periods.get_or_create(&s.conn, period)?;
            let ou = k.org_units.get_or_create(&s.conn, org_unit)?;
            let mut stmt = s
                .conn
                .prepare_cached(INSERT_LOCK_EXCEPTION)
                .map_err(db("adding a lock exception"))?;
            stmt.execute(params![ds, pe, ou])
                .map_err(db("adding a lock exception"))?;
            Ok(())
        })
    }
}
