//! The conflict pre-pass of a sync import: which values of a bundle the district changed too
//! since the last bundle from that source was applied, and which end's change is kept (the newer
//! `lastUpdated`); and [`Skipping`], the bundle's data value set without the values the district
//! keeps, which the importer reads.

use std::collections::{HashMap, HashSet};
use std::fmt;

use chrono::{DateTime, NaiveDateTime, Utc};
use dxf2_model::{
    DataValue, DataValueSetHeader, DataValueSource, Field, Period, TextPosition, Uid,
};

use super::objects::{Refs, DATA_ELEMENTS, OPTION_COMBOS, ORG_UNITS};
use super::{Error, DATA_ENTRY};
use crate::engine::export::write_timestamp;
use crate::store::{DataValueKey, DataValueStore, StoredValue, ValueQuery};

/// Which end's change a conflict keeps.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Winner {
    /// The bundle's value (its `lastUpdated` is later, or the same) is applied.
    Facility,
    /// The district's value (its `lastUpdated` is later) is kept; the bundle's is not applied.
    District,
}

/// One end of a [`Conflict`].
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConflictSide {
    /// The value (`None`: no value, a comment only).
    pub value: Option<String>,
    /// Soft-deleted at this end.
    pub deleted: bool,
    /// `lastUpdated` at this end, in DHIS2's long GMT form.
    pub last_updated: String,
}

/// A value changed at both ends since the last exchange, and which change was kept.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Conflict {
    /// Data element UID.
    pub data_element: String,
    /// Period (ISO).
    pub period: String,
    /// Org unit UID.
    pub org_unit: String,
    /// Category option combo UID.
    pub category_option_combo: String,
    /// Attribute option combo UID.
    pub attribute_option_combo: String,
    /// The bundle's value.
    pub facility: ConflictSide,
    /// The district's value.
    pub district: ConflictSide,
    /// Which was kept.
    pub winner: Winner,
}

impl fmt::Display for Conflict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let side = |s: &ConflictSide| {
            let value = match (&s.value, s.deleted) {
                (_, true) => "deleted".to_owned(),
                (Some(v), false) => format!("`{v}`"),
                (None, false) => "no value".to_owned(),
            };
            format!("{value} at {}", s.last_updated)
        };
        write!(
            f,
            "{} {} {} {} {}: facility {}, district {}: the {} kept",
            self.data_element,
            self.period,
            self.org_unit,
            self.category_option_combo,
            self.attribute_option_combo,
            side(&self.facility),
            side(&self.district),
            match self.winner {
                Winner::Facility => "facility's value (newer) is",
                Winner::District => "district's value (newer) is",
            }
        )
    }
}

/// The key of a bundle value (UIDs, an ISO period), if every part reads.
fn key_of(dv: &DataValue) -> Option<DataValueKey> {
    let uid = |t: Option<&str>| t.and_then(|t| Uid::parse(t).ok());
    Some(DataValueKey {
        data_element: uid(dv.data_element())?,
        period: dv.period()?.parse::<Period>().ok()?,
        org_unit: uid(dv.org_unit())?,
        category_option_combo: uid(dv.category_option_combo())?,
        attribute_option_combo: uid(dv.attribute_option_combo())?,
    })
}

/// Reads DHIS2's long GMT timestamps (`2024-05-02T09:00:00.000+0000`) and RFC 3339.
fn parse_time(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f%z")
        .or_else(|_| DateTime::parse_from_rfc3339(text))
        .map(|t| t.with_timezone(&Utc))
        .ok()
        .or_else(|| {
            NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f")
                .ok()
                .map(|t| t.and_utc())
        })
}

fn reader(data: &[u8]) -> Result<dxf2_json::Reader<&[u8]>, Error> {
    dxf2_json::Reader::new(data).map_err(|e| entry_error(&e))
}

fn entry_error(e: &dyn fmt::Display) -> Error {
    Error::Entry {
        entry: DATA_ENTRY,
        message: e.to_string(),
    }
}

/// What the pre-pass found.
#[derive(Debug, Default)]
pub(super) struct PrePass {
    /// The objects the data refers to.
    pub refs: Refs,
    /// The conflicts, in bundle order.
    pub conflicts: Vec<Conflict>,
    /// Keys of the values the district keeps.
    pub skip: HashSet<DataValueKey>,
}

/// Reads the bundle's values twice: once for the data elements and org units they name (and the
/// objects they refer to), once — when the district changed rows of those since `mark` — to
/// decide each value changed at both ends.
pub(super) fn prepass<S: DataValueStore + ?Sized>(
    store: &mut S,
    data: &[u8],
    mark: u64,
) -> Result<PrePass, Error> {
    let mut out = PrePass::default();
    let mut data_elements = HashSet::new();
    let mut org_units = HashSet::new();
    let mut dv = DataValue::new();
    let mut values = reader(data)?;
    while values.read_value(&mut dv).map_err(|e| entry_error(&e))? {
        let Some(key) = key_of(&dv) else { continue };
        data_elements.insert(key.data_element);
        org_units.insert(key.org_unit);
        out.refs
            .insert((DATA_ELEMENTS, key.data_element.to_string()));
        out.refs.insert((ORG_UNITS, key.org_unit.to_string()));
        out.refs
            .insert((OPTION_COMBOS, key.category_option_combo.to_string()));
        out.refs
            .insert((OPTION_COMBOS, key.attribute_option_combo.to_string()));
    }
    if data_elements.is_empty() {
        return Ok(out);
    }
    let query = ValueQuery {
        data_elements: data_elements.into_iter().collect(),
        org_units: Some(org_units.into_iter().collect()),
        include_deleted: true,
        changed_since: Some(mark),
        ..ValueQuery::default()
    };
    let mut changed: HashMap<DataValueKey, StoredValue> = HashMap::new();
    store.query(&query, &mut |row| {
        changed.insert(row.key, row.clone());
        Ok(())
    })?;
    if changed.is_empty() {
        return Ok(out);
    }
    let mut values = reader(data)?;
    while values.read_value(&mut dv).map_err(|e| entry_error(&e))? {
        let Some(key) = key_of(&dv) else { continue };
        let Some(district) = changed.get(&key) else {
            continue;
        };
        let deleted = dv.deleted() == Some(true);
        let same = district.value.as_deref() == dv.value()
            && district.comment.as_deref() == dv.comment()
            && district.followup == dv.followup().unwrap_or(false)
            && district.deleted == deleted;
        if same {
            continue;
        }
        let facility_time = dv.get(Field::LastUpdated).and_then(parse_time);
        // A bundle value without a readable time is older than any change.
        let winner = match facility_time {
            Some(t) if t >= district.last_updated => Winner::Facility,
            _ => Winner::District,
        };
        if winner == Winner::District {
            out.skip.insert(key);
        }
        let mut district_time = String::new();
        let _ = write_timestamp(&mut district_time, &district.last_updated);
        out.conflicts.push(Conflict {
            data_element: key.data_element.to_string(),
            period: key.period.to_string(),
            org_unit: key.org_unit.to_string(),
            category_option_combo: key.category_option_combo.to_string(),
            attribute_option_combo: key.attribute_option_combo.to_string(),
            facility: ConflictSide {
                value: dv.value().map(str::to_owned),
                deleted,
                last_updated: dv.get(Field::LastUpdated).unwrap_or_default().to_owned(),
            },
            district: ConflictSide {
                value: district.value.clone(),
                deleted: district.deleted,
                last_updated: district_time,
            },
            winner,
        });
    }
    Ok(out)
}

/// A data value source without the values whose keys are in `skip` (the district's newer
/// changes): what the importer reads. DHIS2's summary then counts and indexes the values
/// applied.
pub(super) struct Skipping<'a, R> {
    inner: R,
    skip: &'a HashSet<DataValueKey>,
}

impl<'a, R: DataValueSource> Skipping<'a, R> {
    /// `inner` without the values of `skip`.
    pub(super) fn new(inner: R, skip: &'a HashSet<DataValueKey>) -> Skipping<'a, R> {
        Skipping { inner, skip }
    }
}

impl<R: DataValueSource> DataValueSource for Skipping<'_, R> {
    type Error = R::Error;

    fn header(&self) -> &DataValueSetHeader {
        self.inner.header()
    }

    fn read_value(&mut self, record: &mut DataValue) -> Result<bool, Self::Error> {
        loop {
            if !self.inner.read_value(record)? {
                return Ok(false);
            }
            if self.skip.is_empty() || !key_of(record).is_some_and(|k| self.skip.contains(&k)) {
                return Ok(true);
            }
        }
    }

    fn value_position(&self) -> Option<TextPosition> {
        self.inner.value_position()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn dhis2_timestamps_read() {
        let t = parse_time("2024-05-02T09:00:00.123+0000").unwrap();
        assert_eq!(t.to_rfc3339(), "2024-05-02T09:00:00.123+00:00");
        assert!(parse_time("2024-05-02T09:00:00Z").is_some());
        assert!(parse_time("2024-05-02T09:00:00.000").is_some());
        assert!(parse_time("yesterday").is_none());
    }
}
