//! Text forms of timestamps, dates and periods as stored in the database, with small caches so that
//! an import writing the same `now` and period over and over formats them once.

use std::fmt::Write as _;

use chrono::{DateTime, Datelike, NaiveDate, SecondsFormat, Timelike, Utc};
use dxf2_model::{Period, Uid};
use import_engine::store::StoreError;

/// Writes `t` as ISO-8601 UTC with milliseconds (`2024-01-02T03:04:05.678Z`) into `out`.
pub(crate) fn write_timestamp(out: &mut String, t: &DateTime<Utc>) {
    out.clear();
    let year = t.year();
    if (0..=9999).contains(&year) {
        // A leap second (nanosecond >= 1e9) is written as the last millisecond of its second.
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

/// `t` as stored text.
pub(crate) fn timestamp(t: &DateTime<Utc>) -> String {
    let mut out = String::with_capacity(24);
    write_timestamp(&mut out, t);
    out
}

/// Reads a timestamp written by [`write_timestamp`] (or any RFC 3339 timestamp).
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

/// The last timestamp formatted, and its text.
#[derive(Debug, Default)]
pub(crate) struct TimeText {
    time: Option<DateTime<Utc>>,
    pub(crate) text: String,
}

impl TimeText {
    /// Makes `text` hold `t`'s text (formatting only when `t` changed).
    pub(crate) fn set(&mut self, t: &DateTime<Utc>) {
        if self.time != Some(*t) {
            write_timestamp(&mut self.text, t);
            self.time = Some(*t);
        }
    }
}

/// The last period written, and its stored columns.
#[derive(Debug, Default)]
pub(crate) struct PeriodText {
    period: Option<Period>,
    /// ISO form (`period` column).
    pub(crate) iso: String,
    /// Period type name (`periodtype` column).
    pub(crate) type_name: &'static str,
    /// First day, `yyyy-MM-dd` (`startdate` column).
    pub(crate) start: String,
    /// Last day, `yyyy-MM-dd` (`enddate` column).
    pub(crate) end: String,
}

impl PeriodText {
    /// Makes the columns hold `p`'s (formatting only when `p` changed).
    pub(crate) fn set(&mut self, p: &Period) {
        if self.period != Some(*p) {
            self.iso.clear();
            let _ = write!(self.iso, "{p}");
            self.type_name = p.period_type().name();
            self.start.clear();
            let _ = write!(self.start, "{}", p.start_date());
            self.end.clear();
            let _ = write!(self.end, "{}", p.end_date());
            self.period = Some(*p);
        }
    }
}

/// The last period read, to parse each distinct ISO text once in a run of rows.
#[derive(Debug, Default)]
pub(crate) struct PeriodReader {
    text: String,
    period: Option<Period>,
}

impl PeriodReader {
    /// The period of the ISO text `s` (read from `table`).
    pub(crate) fn read(&mut self, s: &str, table: &str) -> Result<Period, StoreError> {
        if let Some(p) = self.period {
            if self.text == s {
                return Ok(p);
            }
        }
        let p = parse_period(s, table)?;
        self.text.clear();
        self.text.push_str(s);
        self.period = Some(p);
        Ok(p)
    }
}

/// The period of the ISO text `s` (read from `table`).
pub(crate) fn parse_period(s: &str, table: &str) -> Result<Period, StoreError> {
    s.parse::<Period>()
        .map_err(|e| StoreError::Incompatible(format!("{table}: column `period` holds `{s}`: {e}")))
}

/// The UID `s` (read from `column` of `table`).
pub(crate) fn parse_uid(s: &str, table: &str, column: &str) -> Result<Uid, StoreError> {
    Uid::parse(s).map_err(|_| {
        StoreError::Incompatible(format!(
            "{table}: column `{column}` holds `{s}`, expected an 11-character UID"
        ))
    })
}

/// The timestamp `s` (read from `column` of `table`).
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

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use proptest::prelude::*;

    #[test]
    fn timestamps_have_milliseconds() {
        let t = Utc.with_ymd_and_hms(2024, 1, 2, 3, 4, 5).unwrap()
            + chrono::Duration::milliseconds(678);
        assert_eq!(timestamp(&t), "2024-01-02T03:04:05.678Z");
        assert_eq!(parse_timestamp("2024-01-02T03:04:05.678Z"), Some(t));
        assert_eq!(parse_timestamp("2024-01-02T04:04:05.678+01:00"), Some(t));
        assert_eq!(parse_timestamp("2024-13-02T03:04:05.678Z"), None);
        assert_eq!(parse_timestamp("2024-01-02T03:04:05.6x8Z"), None);
        assert_eq!(parse_timestamp(""), None);
    }

    proptest! {
        #[test]
        fn timestamps_round_trip_at_millisecond_precision(ms in -62_000_000_000_000i64..250_000_000_000_000i64) {
            let t = DateTime::from_timestamp_millis(ms).unwrap();
            let text = timestamp(&t);
            prop_assert_eq!(parse_timestamp(&text), Some(t));
        }

        #[test]
        fn stored_text_sorts_like_instants(a in 0i64..250_000_000_000_000i64, b in 0i64..250_000_000_000_000i64) {
            let (ta, tb) = (DateTime::from_timestamp_millis(a).unwrap(), DateTime::from_timestamp_millis(b).unwrap());
            prop_assert_eq!(timestamp(&ta).cmp(&timestamp(&tb)), ta.cmp(&tb));
        }
    }
}
