//! Data set completions (`completedatasetregistration`: written a batch at a time, read one at a
//! time or all those changed since a change number) and lock exceptions (`lockexception`).

use chrono::NaiveDate;
use dxf2_model::{Period, Uid};
use dxf2_store::{Completion, StoreError};
use postgres::types::ToSql;
use postgres::Row;
use rustc_hash::FxHashMap;

use crate::columns::{get, millis, pg, utc};
use crate::dims::{Missing, UidTable};
use crate::open::period_of;
use crate::PostgresStore;

const TABLE: &str = "completedatasetregistration";

/// A batch of completions (arrays of their columns), created or replaced.
const UPSERT_COMPLETIONS: &str = "INSERT INTO completedatasetregistration \
     (datasetid, periodid, sourceid, attributeoptioncomboid, date, storedby, lastupdated, \
      completed, change) \
     SELECT *, $9::int8 FROM unnest($1::int4[], $2::int4[], $3::int4[], $4::int4[], $5::date[], \
       $6::text[], $7::timestamp[], $8::bool[]) \
     ON CONFLICT (datasetid, periodid, sourceid, attributeoptioncomboid) DO UPDATE SET \
       date = excluded.date, storedby = excluded.storedby, lastupdated = excluded.lastupdated, \
       completed = excluded.completed, change = excluded.change";

impl PostgresStore {
    /// The ids of (data set, period, org unit, attribute option combo), reading unknown ones
    /// (`None` when one has none: nothing refers to it).
    fn registration_ids(
        &mut self,
        data_set: &Uid,
        period: &Period,
        org_unit: &Uid,
        attribute_option_combo: Option<&Uid>,
        create: bool,
    ) -> Result<Option<(i32, i32, i32, i32)>, StoreError> {
        let mut missing = Missing::default();
        missing.uid(&self.dims, UidTable::DataSet, data_set);
        missing.period(&self.dims, period);
        missing.uid(&self.dims, UidTable::OrgUnit, org_unit);
        if let Some(aoc) = attribute_option_combo {
            missing.uid(&self.dims, UidTable::OptionCombo, aoc);
        }
        self.dims.fetch(&mut self.client, missing, create)?;
        let aoc = match attribute_option_combo {
            Some(aoc) => self.dims.uid(UidTable::OptionCombo, aoc),
            None => Some(0),
        };
        let ds = self.dims.uid(UidTable::DataSet, data_set);
        let pe = self.dims.period(period);
        let ou = self.dims.uid(UidTable::OrgUnit, org_unit);
        Ok(match (ds, pe, ou, aoc) {
            (Some(ds), Some(pe), Some(ou), Some(aoc)) => Some((ds, pe, ou, aoc)),
            _ => None,
        })
    }

    /// `completion`.
    pub(crate) fn read_completion(
        &mut self,
        data_set: &Uid,
        period: &Period,
        org_unit: &Uid,
        attribute_option_combo: &Uid,
    ) -> Result<Option<Completion>, StoreError> {
        let Some((ds, pe, ou, aoc)) = self.registration_ids(
            data_set,
            period,
            org_unit,
            Some(attribute_option_combo),
            false,
        )?
        else {
            return Ok(None);
        };
        let row = self
            .client
            .query_opt(
                "SELECT date, storedby, lastupdated, completed FROM completedatasetregistration \
                 WHERE datasetid = $1 AND periodid = $2 AND sourceid = $3 \
                 AND attributeoptioncomboid = $4",
                &[&ds, &pe, &ou, &aoc],
            )
            .map_err(pg("reading a completion"))?;
        row.map(|r| {
            Ok(Completion {
                data_set: *data_set,
                period: *period,
                org_unit: *org_unit,
                attribute_option_combo: *attribute_option_combo,
                date: get(&r, 0, TABLE, "date")?,
                stored_by: get(&r, 1, TABLE, "storedby")?,
                last_updated: utc(get(&r, 2, TABLE, "lastupdated")?),
                completed: get(&r, 3, TABLE, "completed")?,
            })
        })
        .transpose()
    }

    /// Creates or replaces `completions` (the last one of a key wins), stamped with `change`; in
    /// the write transaction, every id known.
    pub(crate) fn write_completions(
        &mut self,
        completions: &[Completion],
        change: i64,
    ) -> Result<(), StoreError> {
        // One statement may not touch a row twice: keep the last registration of each key.
        let mut last: FxHashMap<(i32, i32, i32, i32), usize> = FxHashMap::default();
        for (i, c) in completions.iter().enumerate() {
            let ids = (
                self.dims.uid(UidTable::DataSet, &c.data_set),
                self.dims.period(&c.period),
                self.dims.uid(UidTable::OrgUnit, &c.org_unit),
                self.dims
                    .uid(UidTable::OptionCombo, &c.attribute_option_combo),
            );
            let (Some(ds), Some(pe), Some(ou), Some(aoc)) = ids else {
                return Err(StoreError::Misuse("apply: a completion without ids"));
            };
            last.insert((ds, pe, ou, aoc), i);
        }
        let mut chosen: Vec<((i32, i32, i32, i32), usize)> = last.into_iter().collect();
        chosen.sort_unstable();
        let mut columns = (
            Vec::<i32>::new(),
            Vec::<i32>::new(),
            Vec::<i32>::new(),
            Vec::<i32>::new(),
        );
        let mut dates = Vec::<NaiveDate>::new();
        let mut stored_by = Vec::<&str>::new();
        let mut last_updated = Vec::new();
        let mut completed = Vec::<bool>::new();
        for ((ds, pe, ou, aoc), i) in &chosen {
            let Some(c) = completions.get(*i) else {
                continue;
            };
            columns.0.push(*ds);
            columns.1.push(*pe);
            columns.2.push(*ou);
            columns.3.push(*aoc);
            dates.push(c.date);
            stored_by.push(&c.stored_by);
            last_updated.push(millis(&c.last_updated));
            completed.push(c.completed);
        }
        let statement = match &self.buffers.completions {
            Some(s) => s.clone(),
            None => {
                let s = self
                    .client
                    .prepare(UPSERT_COMPLETIONS)
                    .map_err(pg("writing completions"))?;
                self.buffers.completions = Some(s.clone());
                s
            }
        };
        let params: [&(dyn ToSql + Sync); 9] = [
            &columns.0,
            &columns.1,
            &columns.2,
            &columns.3,
            &dates,
            &stored_by,
            &last_updated,
            &completed,
            &change,
        ];
        self.client
            .execute(&statement, &params)
            .map_err(pg("writing completions"))?;
        Ok(())
    }

    /// `changed_completions`: every registration written by a change above `since`, by data set
    /// UID, period start, period type, org unit UID, attribute option combo UID.
    pub(crate) fn read_changed_completions(
        &mut self,
        since: u64,
        each: &mut dyn FnMut(&Completion) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        let since = i64::try_from(since).unwrap_or(i64::MAX);
        let rows = self
            .client
            .query(
                "SELECT ds.uid, p.periodtype, p.startdate, ou.uid, aoc.uid, r.date, r.storedby, \
                   r.lastupdated, r.completed \
                 FROM completedatasetregistration r \
                 JOIN dataset ds ON ds.id = r.datasetid \
                 JOIN period p ON p.id = r.periodid \
                 JOIN organisationunit ou ON ou.id = r.sourceid \
                 JOIN categoryoptioncombo aoc ON aoc.id = r.attributeoptioncomboid \
                 WHERE r.change > $1 \
                 ORDER BY ds.uid, p.startdate, p.periodtype, ou.uid, aoc.uid",
                &[&since],
            )
            .map_err(pg("reading changed completions"))?;
        for r in &rows {
            each(&completion_of(r)?)?;
        }
        Ok(())
    }

    /// `has_lock_exception`.
    pub(crate) fn lock_exception_exists(
        &mut self,
        data_set: &Uid,
        period: &Period,
        org_unit: &Uid,
    ) -> Result<bool, StoreError> {
        let Some((ds, pe, ou, _)) =
            self.registration_ids(data_set, period, org_unit, None, false)?
        else {
            return Ok(false);
        };
        let row = self
            .client
            .query_opt(
                "SELECT 1 FROM lockexception WHERE datasetid = $1 AND periodid = $2 \
                 AND sourceid = $3",
                &[&ds, &pe, &ou],
            )
            .map_err(pg("reading a lock exception"))?;
        Ok(row.is_some())
    }

    /// `add_lock_exception`, in the write transaction.
    pub(crate) fn insert_lock_exception(
        &mut self,
        data_set: &Uid,
        period: &Period,
        org_unit: &Uid,
    ) -> Result<(), StoreError> {
        let Some((ds, pe, ou, _)) =
            self.registration_ids(data_set, period, org_unit, None, true)?
        else {
            return Err(StoreError::Misuse("add_lock_exception: ids not given"));
        };
        self.client
            .execute(
                "INSERT INTO lockexception (datasetid, periodid, sourceid) VALUES ($1, $2, $3) \
                 ON CONFLICT DO NOTHING",
                &[&ds, &pe, &ou],
            )
            .map_err(pg("adding a lock exception"))?;
        Ok(())
    }
}

/// A row of the changed-completions query.
fn completion_of(r: &Row) -> Result<Completion, StoreError> {
    let uid = |idx: usize, table: &str| -> Result<Uid, StoreError> {
        let text: &str = get(r, idx, table, "uid")?;
        Uid::parse(text)
            .map_err(|_| StoreError::Incompatible(format!("{table}: `{text}` is not a UID")))
    };
    let type_name: &str = get(r, 1, "period", "periodtype")?;
    let start: NaiveDate = get(r, 2, "period", "startdate")?;
    Ok(Completion {
        data_set: uid(0, "dataset")?,
        period: period_of(type_name, start)?,
        org_unit: uid(3, "organisationunit")?,
        attribute_option_combo: uid(4, "categoryoptioncombo")?,
        date: get(r, 5, TABLE, "date")?,
        stored_by: get(r, 6, TABLE, "storedby")?,
        last_updated: utc(get(r, 7, TABLE, "lastupdated")?),
        completed: get(r, 8, TABLE, "completed")?,
    })
}
