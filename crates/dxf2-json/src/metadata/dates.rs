//! Dates of metadata fields, read as DHIS2's JSON reads them (`DateUtils.parseDate`, else epoch
//! milliseconds), with the workspace's one DHIS2 date parser ([`dxf2_model::date`]).

use dxf2_model::date::{parse_json_date, ParsedDate};
use dxf2_model::metadata::{NaiveDate, NaiveDateTime};

use super::error::{invalid, MetadataError, ObjectRef, EXPECT_DATE};
use super::raw::RawDate;

/// A date as DHIS2 parses it: text with [`parse_json_date`], a JSON integer as epoch
/// milliseconds.
fn parse(raw: &RawDate) -> Option<ParsedDate> {
    match raw {
        RawDate::Text(s) => parse_json_date(s).ok(),
        RawDate::Millis(ms) => ParsedDate::from_epoch_millis(*ms).ok(),
    }
}

/// The date as written, for messages.
fn raw_date_text(raw: &RawDate) -> String {
    match raw {
        RawDate::Text(s) => s.clone(),
        RawDate::Millis(ms) => ms.to_string(),
    }
}

/// A date-only field: the date part as written (epoch milliseconds: the UTC date).
pub(super) fn date_field(
    at: &ObjectRef,
    field: &str,
    raw: Option<RawDate>,
) -> Result<Option<NaiveDate>, MetadataError> {
    let Some(raw) = raw else {
        return Ok(None);
    };
    parse(&raw)
        .map(|p| Some(p.local().date()))
        .ok_or_else(|| invalid(at, field, &raw_date_text(&raw), EXPECT_DATE))
}

/// A date-time field: as written, converted to UTC when an offset is given (as a DHIS2 server
/// running in UTC stores it).
pub(super) fn date_time_field(
    at: &ObjectRef,
    field: &str,
    raw: Option<RawDate>,
) -> Result<Option<NaiveDateTime>, MetadataError> {
    let Some(raw) = raw else {
        return Ok(None);
    };
    parse(&raw)
        .map(|p| Some(p.utc()))
        .ok_or_else(|| invalid(at, field, &raw_date_text(&raw), EXPECT_DATE))
}
