//! How values are kept in columns: timestamps as integer milliseconds since 1970-01-01 UTC
//! (schema version 3; versions 1 and 2 kept ISO-8601 text, read again by the upgrade), dates as
//! `yyyy-MM-dd`, periods by their ISO form, type name and first and last day, UIDs as text.

use chrono::{DateTime, NaiveDate, Utc};
use dxf2_model::{ImporterProfile, Period, PeriodType, Uid};
use dxf2_store::StoreError;

/// `t` as stored: milliseconds since 1970-01-01T00:00:00Z, sub-millisecond parts dropped (a
/// leap second, nanosecond >= 1e9, becomes the last millisecond of its second).
pub(crate) fn millis(t: &DateTime<Utc>) -> i64 {
    let sub = i64::from(t.timestamp_subsec_millis().min(999));
    t.timestamp().saturating_mul(1000).saturating_add(sub)
}

/// The instant of a stored timestamp read from `column` of `table`.
pub(crate) fn from_millis(ms: i64, table: &str, column: &str) -> Result<DateTime<Utc>, StoreError> {
    DateTime::from_timestamp_millis(ms).ok_or_else(|| {
        StoreError::Incompatible(format!(
            "{table}: column `{column}` holds {ms}, out of the range of timestamps"
        ))
    })
}

/// Reads a timestamp as schema versions 1 and 2 stored it (or any RFC 3339 timestamp).
pub(crate) fn parse_timestamp(s: &str) -> Option<DateTime<Utc>> {
    fast_timestamp(s.as_bytes()).or_else(|| {
        DateTime::parse_from_rfc3339(s)
            .ok()
            .map(|d| d.with_timezone(&Utc))
    })
}

/// The fixed form `YYYY-MM-DDTHH:MM:SS.mmmZ`, without going through chrono's parser.
fn fast_timestamp(b: &[u8]) -> Option<DateTime<Utc>> {
    let [y0, y1, y2, y3, b'-', mo0, mo1, b'-', d0, d1, b'T', h0, h1, b':', mi0, mi1, b':', s0, s1, b'.', ms0, ms1, ms2, b'Z'] =
        *b
    else {
        return None;
    };
    let num = |digits: &[u8]| -> Option<u32> {
        digits.iter().try_fold(0u32, |acc, &d| {
            d.is_ascii_digit().then(|| acc * 10 + u32::from(d - b'0'))
        })
    };
    let year = i32::try_from(num(&[y0, y1, y2, y3])?).ok()?;
    NaiveDate::from_ymd_opt(year, num(&[mo0, mo1])?, num(&[d0, d1])?)?
        .and_hms_milli_opt(
            num(&[h0, h1])?,
            num(&[mi0, mi1])?,
            num(&[s0, s1])?,
            num(&[ms0, ms1, ms2])?,
        )
        .map(|t| t.and_utc())
}

/// The timestamp text `s` (read from `column` of `table` of a schema version 1 or 2 store).
pub(crate) fn read_timestamp(
    s: &str,
    table: &str,
    column: &str,
) -> Result<DateTime<Utc>, StoreError> {
    parse_timestamp(s).ok_or_else(|| {
        StoreError::Incompatible(format!(
            "{table}: column `{column}` holds `{s}`, expected an ISO-8601 UTC timestamp"
        ))
    })
}

/// The date `s` (`yyyy-MM-dd`, read from `column` of `table`).
pub(crate) fn parse_date(s: &str, table: &str, column: &str) -> Result<NaiveDate, StoreError> {
    s.parse().map_err(|_| {
        StoreError::Incompatible(format!(
            "{table}: column `{column}` holds `{s}`, expected yyyy-MM-dd"
        ))
    })
}

/// The period of the ISO text `s` (read from `table` of a schema version 1 or 2 store), in any
/// form a DHIS2 version reads.
pub(crate) fn parse_period(s: &str, table: &str) -> Result<Period, StoreError> {
    Period::parse(s)
        .or_else(|_| Period::parse_with(s, ImporterProfile::Pipeline))
        .map_err(|e| StoreError::Incompatible(format!("{table}: a period `{s}`: {e}")))
}

/// The period of type `type_name` starting on `start` (read from `table`).
pub(crate) fn period_of(type_name: &str, start: &str, table: &str) -> Result<Period, StoreError> {
    let bad = || {
        StoreError::Incompatible(format!(
            "{table}: no {type_name} period starts on `{start}`"
        ))
    };
    let period_type = PeriodType::from_name(type_name).map_err(|_| bad())?;
    let start = parse_date(start, table, "startdate")?;
    Period::from_start(period_type, start).ok_or_else(bad)
}

/// The UID `s` (read from `column` of `table`).
pub(crate) fn parse_uid(s: &str, table: &str, column: &str) -> Result<Uid, StoreError> {
    Uid::parse(s).map_err(|_| {
        StoreError::Incompatible(format!(
            "{table}: column `{column}` holds `{s}`, expected an 11-character UID"
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Datelike, SecondsFormat, TimeZone, Timelike};
    use proptest::prelude::*;
    use std::fmt::Write as _;

    /// Writes `t` as ISO-8601 UTC with milliseconds (`2024-01-02T03:04:05.678Z`), as schema
    /// versions 1 and 2 stored timestamps (the tests build such stores).
    fn write_timestamp(out: &mut String, t: &DateTime<Utc>) {
        out.clear();
        let year = t.year();
        if (0..=9999).contains(&year) {
            let millis = (t.nanosecond() / 1_000_000).min(999);
            let _ = write!(
                out,
                "{year:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{millis:03}Z",
                t.month(),
                t.day(),
                t.hour(),
                t.minute(),
                t.second()
            );
        } else {
            out.push_str(&t.to_rfc3339_opts(SecondsFormat::Millis, true));
        }
    }

    #[test]
    fn old_timestamps_have_milliseconds() {
        let t = Utc.with_ymd_and_hms(2024, 1, 2, 3, 4, 5).unwrap()
            + chrono::Duration::milliseconds(678);
        let mut text = String::new();
        write_timestamp(&mut text, &t);
        assert_eq!(text, "2024-01-02T03:04:05.678Z");
        assert_eq!(parse_timestamp("2024-01-02T03:04:05.678Z"), Some(t));
        assert_eq!(parse_timestamp("2024-01-02T04:04:05.678+01:00"), Some(t));
        assert_eq!(parse_timestamp("2024-13-02T03:04:05.678Z"), None);
        assert_eq!(parse_timestamp("2024-01-02T03:04:05.6x8Z"), None);
        assert_eq!(parse_timestamp(""), None);
    }

    #[test]
    fn sub_milliseconds_are_dropped() {
        let t = Utc.with_ymd_and_hms(2024, 1, 2, 3, 4, 5).unwrap()
            + chrono::Duration::microseconds(678_901);
        let ms = millis(&t);
        assert_eq!(ms % 1000, 678);
        assert_eq!(
            from_millis(ms, "t", "c").unwrap(),
            t - chrono::Duration::microseconds(901)
        );
        assert!(from_millis(i64::MAX, "t", "c").is_err());
    }

    proptest! {
        #[test]
        fn timestamps_round_trip_at_millisecond_precision(ms in -62_000_000_000_000i64..250_000_000_000_000i64) {
            let t = DateTime::from_timestamp_millis(ms).unwrap();
            prop_assert_eq!(millis(&t), ms);
            prop_assert_eq!(from_millis(millis(&t), "t", "c").unwrap(), t);
            let mut text = String::new();
            write_timestamp(&mut text, &t);
            prop_assert_eq!(parse_timestamp(&text), Some(t));
        }
    }
}
