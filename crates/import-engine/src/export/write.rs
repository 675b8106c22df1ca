//! Writing a classic export: the single-set header (`dataSet`, `completeDate`, `period`,
//! `orgUnit`), each row as a reused [`DataValue`] with the output id schemes and DHIS2's
//! timestamps, and the sink's `begin`/`finish` with their failures, which the 2.43+ export
//! shares.

use std::fmt::Write as _;

use chrono::{DateTime, Datelike, NaiveDate, Timelike, Utc};
use dxf2_model::{DataValue, DataValueSetHeader, DataValueSink, Field, IdScheme, ObjectKind, Uid};
use idscheme_resolver::Resolver;

use super::params::OutputSchemes;
use super::query::for_each_row;
use super::{ExportError, ExportPlan, ExportSummary, Exporter, SingleSet};
use crate::store::{DataValueStore, StoreError, StoredValue};

impl Exporter<'_> {
    /// Writes a classic plan: the header of the single-set case, then every row.
    pub(super) fn write_classic<S: DataValueSink>(
        &self,
        plan: &ExportPlan,
        single: Option<&SingleSet>,
        resolver: &dyn Resolver,
        store: &mut dyn DataValueStore,
        sink: &mut S,
    ) -> Result<ExportSummary, ExportError> {
        let mut summary = ExportSummary::default();
        let header = match single {
            Some(single) => {
                summary.header = true;
                self.header(single, &plan.schemes, resolver, store)?
            }
            None => DataValueSetHeader::default(),
        };
        begin(sink, &header)?;
        write_rows(plan, store, sink, summary, |record, row| {
            fill_record(record, row, &plan.schemes, resolver);
            Ok(())
        })
    }

    pub(super) fn header(
        &self,
        single: &SingleSet,
        schemes: &OutputSchemes,
        resolver: &dyn Resolver,
        store: &mut dyn DataValueStore,
    ) -> Result<DataValueSetHeader, ExportError> {
        let complete_date = match self.metadata.default_category_option_combo() {
            Some(default) => store
                .completion(
                    &single.data_set,
                    &single.period,
                    &single.org_unit,
                    &default.id.uid,
                )
                .map_err(|source| ExportError::Store {
                    values_written: 0,
                    source,
                })?
                .map(|c| {
                    let mut text = String::with_capacity(28);
                    let _ = write_date_midnight(&mut text, c.date);
                    text
                }),
            None => None,
        };
        Ok(DataValueSetHeader {
            data_set: output_id(
                resolver,
                ObjectKind::DataSet,
                &schemes.data_set,
                &single.data_set,
            )
            .map(str::to_owned),
            complete_date,
            period: Some(single.period.to_string()),
            org_unit: output_id(
                resolver,
                ObjectKind::OrganisationUnit,
                &schemes.org_unit,
                &single.org_unit,
            )
            .map(str::to_owned),
            ..DataValueSetHeader::default()
        })
    }
}

/// `sink.begin(header)`, its failure as [`ExportError::Write`].
pub(crate) fn begin<S: DataValueSink>(
    sink: &mut S,
    header: &DataValueSetHeader,
) -> Result<(), ExportError> {
    sink.begin(header).map_err(|e| ExportError::Write {
        values_written: 0,
        source: e.into(),
    })
}

/// Writes every row of a plan to `sink` (after `begin`) and ends the write ([`finish`]): `fill`
/// turns a row into the reused record, or refuses it, which stops the export with its error.
/// `summary` counts the values written and the rows left out.
pub(super) fn write_rows<S: DataValueSink>(
    plan: &ExportPlan,
    store: &mut dyn DataValueStore,
    sink: &mut S,
    mut summary: ExportSummary,
    mut fill: impl FnMut(&mut DataValue, &StoredValue) -> Result<(), ExportError>,
) -> Result<ExportSummary, ExportError> {
    let mut record = DataValue::new();
    let mut sink_error: Option<S::Error> = None;
    let mut fill_error: Option<ExportError> = None;
    let mut skipped = 0;
    let queried = for_each_row(plan, store, &mut skipped, &mut |row: &StoredValue| {
        if let Err(e) = fill(&mut record, row) {
            fill_error = Some(e);
            return Err(StoreError::Misuse(
                "export stopped: a value cannot be written",
            ));
        }
        if let Err(e) = sink.write_value(&record) {
            sink_error = Some(e);
            return Err(StoreError::Misuse("export stopped: the output failed"));
        }
        summary.values = summary.values.saturating_add(1);
        Ok(())
    });
    summary.skipped = skipped;
    if let Some(e) = fill_error {
        return Err(e);
    }
    finish(sink, sink_error, queried, summary)
}

/// Ends a write: the sink's failure (which stopped the query), else the store's, else
/// `sink.finish()`.
pub(crate) fn finish<S: DataValueSink>(
    sink: &mut S,
    sink_error: Option<S::Error>,
    queried: Result<(), StoreError>,
    summary: ExportSummary,
) -> Result<ExportSummary, ExportError> {
    if let Some(e) = sink_error {
        return Err(ExportError::Write {
            values_written: summary.values,
            source: e.into(),
        });
    }
    queried.map_err(|source| ExportError::Store {
        values_written: summary.values,
        source,
    })?;
    sink.finish().map_err(|e| ExportError::Write {
        values_written: summary.values,
        source: e.into(),
    })?;
    Ok(summary)
}

/// An object's identifier under an output scheme (UIDs are written as stored).
pub(crate) fn output_id<'r>(
    resolver: &'r dyn Resolver,
    kind: ObjectKind,
    scheme: &IdScheme,
    uid: &'r Uid,
) -> Option<&'r str> {
    match scheme {
        IdScheme::Uid => Some(uid.as_str()),
        other => resolver.identifier(kind, other, uid),
    }
}

/// Fills the reusable record with one stored row.
pub(super) fn fill_record(
    record: &mut DataValue,
    row: &StoredValue,
    schemes: &OutputSchemes,
    resolver: &dyn Resolver,
) {
    let key = &row.key;
    record.clear();
    let ids = [
        (
            Field::DataElement,
            ObjectKind::DataElement,
            &schemes.data_element,
            &key.data_element,
        ),
        (
            Field::OrgUnit,
            ObjectKind::OrganisationUnit,
            &schemes.org_unit,
            &key.org_unit,
        ),
        (
            Field::CategoryOptionCombo,
            ObjectKind::CategoryOptionCombo,
            &schemes.category_option_combo,
            &key.category_option_combo,
        ),
        (
            Field::AttributeOptionCombo,
            ObjectKind::CategoryOptionCombo,
            &schemes.attribute_option_combo,
            &key.attribute_option_combo,
        ),
    ];
    for (field, kind, scheme, uid) in ids {
        if let Some(id) = output_id(resolver, kind, scheme, uid) {
            record.set(field, id);
        }
    }
    let _ = record.set_with(Field::Period, |buf| write!(buf, "{}", key.period));
    let texts = [
        (Field::Value, &row.value),
        (Field::StoredBy, &row.stored_by),
        (Field::Comment, &row.comment),
    ];
    for (field, text) in texts {
        if let Some(text) = text {
            record.set(field, text);
        }
    }
    let _ = record.set_with(Field::Created, |buf| write_timestamp(buf, &row.created));
    let _ = record.set_with(Field::LastUpdated, |buf| {
        write_timestamp(buf, &row.last_updated)
    });
    record.set_followup(Some(row.followup));
    record.set_deleted(row.deleted.then_some(true));
}

/// DHIS2's export timestamp (`DateUtils.toLongGmtDate`): `yyyy-MM-dd'T'HH:mm:ss.SSS+0000`, UTC.
pub fn write_timestamp(out: &mut String, t: &DateTime<Utc>) -> std::fmt::Result {
    write!(
        out,
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}+0000",
        t.year(),
        t.month(),
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
        t.timestamp_subsec_millis().min(999)
    )
}

/// A date as DHIS2's export writes a date-only instant (`completeDate`): midnight UTC.
pub(super) fn write_date_midnight(out: &mut String, d: NaiveDate) -> std::fmt::Result {
    write!(
        out,
        "{:04}-{:02}-{:02}T00:00:00.000+0000",
        d.year(),
        d.month(),
        d.day()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeDelta, TimeZone};

    #[test]
    fn timestamps_are_dhis2s_long_gmt_form() {
        let t = Utc
            .with_ymd_and_hms(2024, 1, 15, 10, 20, 30)
            .single()
            .unwrap()
            + TimeDelta::try_milliseconds(123).unwrap();
        let mut s = String::new();
        write_timestamp(&mut s, &t).unwrap();
        assert_eq!(s, "2024-01-15T10:20:30.123+0000");
        s.clear();
        write_date_midnight(&mut s, NaiveDate::from_ymd_opt(2012, 1, 9).unwrap()).unwrap();
        assert_eq!(s, "2012-01-09T00:00:00.000+0000");
    }
}
