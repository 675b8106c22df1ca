//! Data set completions (`completedatasetregistration`) and lock exceptions (`lockexception`).

use chrono::NaiveDate;
use dxf2_model::{Period, Uid};
use import_engine::store::{Completion, StoreError};
use rusqlite::params;

use crate::columns::{db, integer, text};
use crate::text::{self, read_timestamp};
use crate::SqliteStore;

pub(crate) const SELECT_COMPLETION: &str =
    "SELECT date, storedby, lastupdated, completed FROM completedatasetregistration \
     WHERE dataset = ?1 AND period = ?2 AND orgunit = ?3 AND attributeoptioncombo = ?4";

pub(crate) const UPSERT_COMPLETION: &str = "INSERT OR REPLACE INTO completedatasetregistration \
     (dataset, period, orgunit, attributeoptioncombo, date, storedby, lastupdated, completed) \
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";

pub(crate) const SELECT_LOCK_EXCEPTION: &str =
    "SELECT 1 FROM lockexception WHERE dataset = ?1 AND period = ?2 AND orgunit = ?3";

impl SqliteStore {
    /// Reads a completion registration.
    pub(crate) fn read_completion(
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

    /// Creates or replaces a completion registration.
    pub(crate) fn write_completion(&mut self, completion: &Completion) -> Result<(), StoreError> {
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

    /// Whether a lock exception exists for (data set, period, org unit).
    pub(crate) fn lock_exception_exists(
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
}
