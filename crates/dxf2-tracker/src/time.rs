//! Instants of tracker data: how DHIS2 reads them and how it writes them, relative to the server's
//! time zone.
//!
//! DHIS2 keeps every tracker date as a `java.time.Instant` with millisecond precision (it parses
//! through `java.util.Date`). It **reads** every date with `DateUtils.parseDate` (the patterns of
//! [`dxf2_model::date`]); a text without an offset is a local time **in the server JVM's default
//! zone**, a date alone is midnight there. JSON also takes an all-digit text (or a JSON integer)
//! that is no date as epoch milliseconds, and a blank text as no date. It **writes** JSON dates as
//! `yyyy-MM-dd'T'HH:mm:ss.SSS` in the server's zone (no offset) and CSV dates as
//! `Instant.toString()` in UTC (`2020-02-26T23:01:00Z`, a fraction only when non-zero).
//!
//! The server's zone is a parameter here ([`ServerTimeZone`]): [`ServerTimeZone::from_environment`]
//! takes it as a JVM started in this process's environment would (`TZ`, else the system's zone),
//! which is what the `dxf2` command does.
//!
//! ```
//! use chrono::FixedOffset;
//! use dxf2_tracker::{ServerTimeZone, Timestamp};
//!
//! let nairobi = ServerTimeZone::fixed(FixedOffset::east_opt(3 * 3600).unwrap());
//! let t = Timestamp::parse("2019-08-19T13:59:13.688", &nairobi).unwrap();
//! assert_eq!(t.to_csv_string(), "2019-08-19T10:59:13.688Z");
//! assert_eq!(t.to_json_string(&nairobi), "2019-08-19T13:59:13.688");
//! assert_eq!(t.to_json_string(&ServerTimeZone::utc()), "2019-08-19T10:59:13.688");
//!
//! // With an offset the zone does not matter; a date alone is midnight in the server's zone.
//! let t = Timestamp::parse("2016-03-17T01:51:39.609+0000", &nairobi).unwrap();
//! assert_eq!(t.to_csv_string(), "2016-03-17T01:51:39.609Z");
//! let t = Timestamp::parse("2024-01-31", &nairobi).unwrap();
//! assert_eq!(t.to_csv_string(), "2024-01-30T21:00:00Z");
//!
//! // JSON only: epoch milliseconds, and blank means no date.
//! let t = Timestamp::parse_json("1455690000000", &nairobi).unwrap().unwrap();
//! assert_eq!(t.to_csv_string(), "2016-02-17T06:20:00Z");
//! assert_eq!(Timestamp::parse_json("  ", &nairobi).unwrap(), None);
//! ```

use std::fmt;
use std::fmt::Write as _;
use std::sync::Arc;

use chrono::{
    Datelike, Duration, FixedOffset, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, Offset,
    TimeZone, Timelike,
};

/// The rules of a time zone: the offset in force at a UTC instant, and the offsets a local time
/// may have. Implemented for every [`chrono::TimeZone`] (`Utc`, `FixedOffset`, `Local`, and
/// `chrono_tz::Tz` for a host that has it).
pub trait ZoneRules: fmt::Debug + Send + Sync {
    /// The offset in force at a UTC date-time.
    fn offset_at_utc(&self, utc: NaiveDateTime) -> FixedOffset;
    /// The offsets a local date-time may have: one, two (in an overlap, when clocks go back) or
    /// none (in a gap, when clocks go forward).
    fn offsets_at_local(&self, local: NaiveDateTime) -> LocalResult<FixedOffset>;
}

impl<Tz> ZoneRules for Tz
where
    Tz: TimeZone + fmt::Debug + Send + Sync,
{
    fn offset_at_utc(&self, utc: NaiveDateTime) -> FixedOffset {
        self.offset_from_utc_datetime(&utc).fix()
    }

    fn offsets_at_local(&self, local: NaiveDateTime) -> LocalResult<FixedOffset> {
        self.offset_from_local_datetime(&local).map(|o| o.fix())
    }
}

/// The time zone of the DHIS2 server a file comes from or goes to: offset-less dates are read in
/// it and JSON dates are written in it.
///
/// Cheap to clone (shared).
#[derive(Clone, Debug)]
pub struct ServerTimeZone(Arc<dyn ZoneRules>);

impl ServerTimeZone {
    /// UTC (DHIS2's Docker images run in UTC).
    pub fn utc() -> ServerTimeZone {
        ServerTimeZone(Arc::new(chrono::Utc))
    }

    /// A fixed offset from UTC.
    pub fn fixed(offset: FixedOffset) -> ServerTimeZone {
        ServerTimeZone(Arc::new(offset))
    }

    /// The zone of this process: the `TZ` environment variable, else the system's zone, read
    /// with the system's zone database (as a JVM takes its default zone).
    pub fn process() -> ServerTimeZone {
        ServerTimeZone(Arc::new(chrono::Local))
    }

    /// Any zone rules, e.g. a `chrono_tz::Tz`.
    pub fn new(rules: impl ZoneRules + 'static) -> ServerTimeZone {
        ServerTimeZone(Arc::new(rules))
    }

    /// The zone a JVM started in this process's environment would take: `TZ` when it names UTC
    /// (`UTC`, `Etc/UTC`, `GMT`, `Z`, …) or a fixed offset (`+03:00`, `-0530`), else
    /// [`ServerTimeZone::process`] (a zone name in `TZ`, or no `TZ`: the system's zone).
    pub fn from_environment() -> ServerTimeZone {
        let tz = std::env::var("TZ").ok();
        tz.as_deref()
            .and_then(ServerTimeZone::parse_fixed)
            .unwrap_or_else(ServerTimeZone::process)
    }

    /// A UTC name (`UTC`, `Etc/UTC`, `GMT`, `Etc/GMT`, `UCT`, `Zulu`, `Z`, with an optional leading
    /// `:` as `TZ` allows) or an ISO offset (`+03:00`, `+0300`, `+03`, `-05:30`, `UTC+03:00`),
    /// else `None` (zone names need the zone database: see [`ServerTimeZone::process`]).
    pub fn parse_fixed(text: &str) -> Option<ServerTimeZone> {
        let t = text.trim().trim_start_matches(':');
        match t {
            "UTC" | "Etc/UTC" | "GMT" | "Etc/GMT" | "UCT" | "Etc/UCT" | "Zulu" | "Etc/Zulu"
            | "Z" | "UTC0" | "GMT0" | "Universal" | "Etc/Universal" => {
                return Some(ServerTimeZone::utc())
            }
            _ => {}
        }
        let t = t
            .strip_prefix("UTC")
            .or_else(|| t.strip_prefix("GMT"))
            .unwrap_or(t);
        let (sign, rest) = match t.as_bytes().first() {
            Some(b'+') => (1, t.get(1..)?),
            Some(b'-') => (-1, t.get(1..)?),
            _ => return None,
        };
        let digits: String = rest.chars().filter(|c| *c != ':').collect();
        if !digits.bytes().all(|b| b.is_ascii_digit()) || !(digits.len() == 2 || digits.len() == 4)
        {
            return None;
        }
        let hours: i32 = digits.get(0..2)?.parse().ok()?;
        let minutes: i32 = digits
            .get(2..)
            .filter(|m| !m.is_empty())
            .map_or(Some(0), |m| m.parse().ok())?;
        if hours > 18 || minutes > 59 {
            return None;
        }
        FixedOffset::east_opt(sign * (hours * 3600 + minutes * 60)).map(ServerTimeZone::fixed)
    }

    /// The UTC date-time of a local date-time in this zone, as DHIS2's `DateUtils.parseDate`
    /// resolves it: in an overlap (clocks going back) the earlier instant; in a gap (clocks
    /// going forward) the local time is moved forward by the gap's length (Java's lenient
    /// `Date`, which DHIS2 falls back to: 02:30 in a one-hour gap becomes 03:30).
    pub fn to_utc(&self, local: NaiveDateTime) -> NaiveDateTime {
        match self.0.offsets_at_local(local) {
            LocalResult::Single(o) => local - Duration::seconds(i64::from(o.local_minus_utc())),
            LocalResult::Ambiguous(a, b) => {
                let ua = local - Duration::seconds(i64::from(a.local_minus_utc()));
                let ub = local - Duration::seconds(i64::from(b.local_minus_utc()));
                ua.min(ub)
            }
            LocalResult::None => {
                // The offset in force before the gap, read a day earlier.
                let before = self.0.offset_at_utc(local - Duration::days(1));
                local - Duration::seconds(i64::from(before.local_minus_utc()))
            }
        }
    }

    /// The local date-time in this zone of a UTC date-time.
    pub fn to_local(&self, utc: NaiveDateTime) -> NaiveDateTime {
        let o = self.0.offset_at_utc(utc);
        utc + Duration::seconds(i64::from(o.local_minus_utc()))
    }
}

impl Default for ServerTimeZone {
    /// UTC.
    fn default() -> ServerTimeZone {
        ServerTimeZone::utc()
    }
}

/// A date that does not parse; its message is DHIS2's.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DateError {
    /// The text.
    pub value: String,
}

impl fmt::Display for DateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Invalid date format '{}', only 'yyyy-MM-dd'T'HH:mm:ss.SSS' format end epoch milliseconds are supported.",
            self.value
        )
    }
}

impl std::error::Error for DateError {}

/// An instant as DHIS2 holds tracker dates: UTC, millisecond precision.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Timestamp(NaiveDateTime);

impl Timestamp {
    /// The instant of a UTC date-time (truncated to milliseconds).
    pub fn from_utc(utc: NaiveDateTime) -> Timestamp {
        let nanos = utc.nanosecond() / 1_000_000 * 1_000_000;
        Timestamp(utc.with_nanosecond(nanos).unwrap_or(utc))
    }

    /// The instant at some milliseconds after 1970-01-01T00:00Z, if representable.
    pub fn from_epoch_millis(millis: i64) -> Option<Timestamp> {
        let epoch = NaiveDate::from_ymd_opt(1970, 1, 1)?.and_time(NaiveTime::MIN);
        Duration::try_milliseconds(millis)
            .and_then(|d| epoch.checked_add_signed(d))
            .map(Timestamp)
    }

    /// The UTC date-time.
    pub fn utc(&self) -> NaiveDateTime {
        self.0
    }

    /// Milliseconds since 1970-01-01T00:00Z.
    pub fn epoch_millis(&self) -> i64 {
        self.0.and_utc().timestamp_millis()
    }

    /// `DateUtils.parseDate`, as DHIS2 reads CSV dates and query parameters: every date-only and
    /// date-time pattern; without an offset the text is local time in `zone`. The empty text is
    /// no date for DHIS2: callers check that first (a blank but non-empty text is an error).
    pub fn parse(text: &str, zone: &ServerTimeZone) -> Result<Timestamp, DateError> {
        let parsed = dxf2_model::date::parse_date(text).map_err(|_| DateError {
            value: text.to_owned(),
        })?;
        let utc = match parsed.offset_millis() {
            Some(_) => parsed.utc(),
            None => zone.to_utc(parsed.local()),
        };
        Ok(Timestamp::from_utc(utc))
    }

    /// DHIS2's JSON date reading (`ParseInstantStdDeserializer`): a blank text is no date
    /// (`Ok(None)`); else [`Timestamp::parse`]; else an all-digit text is epoch milliseconds.
    pub fn parse_json(text: &str, zone: &ServerTimeZone) -> Result<Option<Timestamp>, DateError> {
        if text.chars().all(char::is_whitespace) {
            return Ok(None);
        }
        match Timestamp::parse(text, zone) {
            Ok(t) => Ok(Some(t)),
            Err(e) => {
                if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
                    text.parse::<i64>()
                        .ok()
                        .and_then(Timestamp::from_epoch_millis)
                        .map(Some)
                        .ok_or(e)
                } else {
                    Err(e)
                }
            }
        }
    }

    /// The JSON form: `yyyy-MM-dd'T'HH:mm:ss.SSS` in `zone`, no offset.
    pub fn to_json_string(&self, zone: &ServerTimeZone) -> String {
        let mut s = String::with_capacity(23);
        self.write_json(zone, &mut s);
        s
    }

    /// Appends the JSON form (see [`Timestamp::to_json_string`]).
    pub fn write_json(&self, zone: &ServerTimeZone, out: &mut String) {
        let local = zone.to_local(self.0);
        write_year(local.year(), out);
        let _ = write!(
            out,
            "-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}",
            local.month(),
            local.day(),
            local.hour(),
            local.minute(),
            local.second(),
            local.nanosecond() / 1_000_000
        );
    }

    /// The CSV form, Java's `Instant.toString()`: UTC with `Z`, seconds always, the fraction
    /// only when non-zero (`2020-02-26T23:01:00Z`, `2020-02-26T23:01:00.120Z`).
    pub fn to_csv_string(&self) -> String {
        let mut s = String::with_capacity(24);
        self.write_csv(&mut s);
        s
    }

    /// Appends the CSV form (see [`Timestamp::to_csv_string`]).
    pub fn write_csv(&self, out: &mut String) {
        let t = self.0;
        write_year(t.year(), out);
        let _ = write!(
            out,
            "-{:02}-{:02}T{:02}:{:02}:{:02}",
            t.month(),
            t.day(),
            t.hour(),
            t.minute(),
            t.second()
        );
        let nanos = t.nanosecond();
        if nanos != 0 {
            if nanos.is_multiple_of(1_000_000) {
                let _ = write!(out, ".{:03}", nanos / 1_000_000);
            } else if nanos.is_multiple_of(1_000) {
                let _ = write!(out, ".{:06}", nanos / 1_000);
            } else {
                let _ = write!(out, ".{nanos:09}");
            }
        }
        out.push('Z');
    }
}

/// Java's ISO year: four digits for 0–9999, else a sign and at least four digits.
fn write_year(year: i32, out: &mut String) {
    if (0..=9999).contains(&year) {
        let _ = write!(out, "{year:04}");
    } else if year > 9999 {
        let _ = write!(out, "+{year}");
    } else {
        let _ = write!(out, "-{:04}", year.unsigned_abs());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A zone with a one-hour gap at 2024-03-31T01:00Z (UTC+1 → UTC+2) and a one-hour overlap at
    /// 2024-10-27T01:00Z (UTC+2 → UTC+1), like Central European time.
    #[derive(Debug)]
    struct Cet;

    fn utc(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S").unwrap()
    }

    impl ZoneRules for Cet {
        fn offset_at_utc(&self, t: NaiveDateTime) -> FixedOffset {
            let summer = t >= utc("2024-03-31T01:00:00") && t < utc("2024-10-27T01:00:00");
            FixedOffset::east_opt(if summer { 7200 } else { 3600 }).unwrap()
        }
        fn offsets_at_local(&self, l: NaiveDateTime) -> LocalResult<FixedOffset> {
            let cands: Vec<FixedOffset> = [3600, 7200]
                .iter()
                .map(|s| FixedOffset::east_opt(*s).unwrap())
                .filter(|o| {
                    self.offset_at_utc(l - Duration::seconds(i64::from(o.local_minus_utc()))) == *o
                })
                .collect();
            match cands.as_slice() {
                [] => LocalResult::None,
                [a] => LocalResult::Single(*a),
                [a, b] => LocalResult::Ambiguous(*a, *b),
                _ => unreachable!(),
            }
        }
    }

    #[test]
    fn gaps_move_forward_and_overlaps_take_the_earlier_instant() {
        let zone = ServerTimeZone::new(Cet);
        // 02:30 does not exist on 2024-03-31: moved forward by the gap, 03:30 CEST = 01:30Z.
        let t = Timestamp::parse("2024-03-31T02:30:00", &zone).unwrap();
        assert_eq!(t.to_csv_string(), "2024-03-31T01:30:00Z");
        assert_eq!(t.to_json_string(&zone), "2024-03-31T03:30:00.000");
        // 02:30 twice on 2024-10-27: the earlier (CEST) one.
        let t = Timestamp::parse("2024-10-27T02:30:00", &zone).unwrap();
        assert_eq!(t.to_csv_string(), "2024-10-27T00:30:00Z");
        // Ordinary times.
        let t = Timestamp::parse("2024-07-01", &zone).unwrap();
        assert_eq!(t.to_csv_string(), "2024-06-30T22:00:00Z");
        assert_eq!(t.to_json_string(&zone), "2024-07-01T00:00:00.000");
    }

    #[test]
    fn every_dhis2_date_form_reads() {
        let z = ServerTimeZone::utc();
        for (text, csv) in [
            ("20240315", "2024-03-15T00:00:00Z"),
            ("2024-03-15", "2024-03-15T00:00:00Z"),
            ("2024-03", "2024-03-01T00:00:00Z"),
            ("2024", "2024-01-01T00:00:00Z"),
            (
                "2024-03-15T10:20:30.123456789+01:00",
                "2024-03-15T09:20:30.123Z",
            ),
            ("2024-03-15T10:20:30.123456Z", "2024-03-15T10:20:30.123Z"),
            ("2024-03-15T10:20:30.123456", "2024-03-15T10:20:30.123Z"),
            ("2024-03-15T10:20:30.1234+0100", "2024-03-15T09:20:30.123Z"),
            ("2024-03-15T10:20:30.1234", "2024-03-15T10:20:30.123Z"),
            ("2024-03-15T10:20:30.123-02:00", "2024-03-15T12:20:30.123Z"),
            ("2024-03-15T10:20:30.120", "2024-03-15T10:20:30.120Z"),
            ("2024-03-15T10:20:30Z", "2024-03-15T10:20:30Z"),
            ("2024-03-15T10:20:30", "2024-03-15T10:20:30Z"),
            ("2024-03-15T10:20+0100", "2024-03-15T09:20:00Z"),
            ("2024-03-15T10:20", "2024-03-15T10:20:00Z"),
            ("2024-03-15T10+01", "2024-03-15T09:00:00Z"),
            ("2024-03-15T10", "2024-03-15T10:00:00Z"),
            ("2024-03-15 10:20:30+0000", "2024-03-15T10:20:30Z"),
            ("2016-03-17T01:51:39.609+0000", "2016-03-17T01:51:39.609Z"),
            ("2020-02-26T23:01:00Z", "2020-02-26T23:01:00Z"),
        ] {
            let t = Timestamp::parse(text, &z).unwrap_or_else(|e| panic!("{text}: {e}"));
            assert_eq!(t.to_csv_string(), csv, "{text}");
        }
        for bad in [
            "",
            " ",
            "2024-13-01",
            "2024-03-15 10:20:30",
            "yesterday",
            "1455690000000",
        ] {
            assert!(Timestamp::parse(bad, &z).is_err(), "{bad}");
        }
        // JSON: epoch milliseconds when all digits and no date; blank is none.
        assert_eq!(
            Timestamp::parse_json("1455690000000", &z)
                .unwrap()
                .unwrap()
                .to_csv_string(),
            "2016-02-17T06:20:00Z"
        );
        assert_eq!(
            Timestamp::parse_json("0", &z)
                .unwrap()
                .unwrap()
                .to_csv_string(),
            "0000-01-01T00:00:00Z",
            "one digit is the year 0"
        );
        assert_eq!(Timestamp::parse_json("", &z).unwrap(), None);
        assert!(Timestamp::parse_json("--5", &z).is_err());
        assert!(Timestamp::parse_json("99999999999999999999999", &z).is_err());
        let e = Timestamp::parse_json("soon", &z).unwrap_err();
        assert_eq!(
            e.to_string(),
            "Invalid date format 'soon', only 'yyyy-MM-dd'T'HH:mm:ss.SSS' format end epoch \
             milliseconds are supported."
        );
    }

    #[test]
    fn writes_like_java() {
        let z = ServerTimeZone::utc();
        let t = Timestamp::parse("2019-08-19T13:59:13.688", &z).unwrap();
        assert_eq!(t.to_json_string(&z), "2019-08-19T13:59:13.688");
        assert_eq!(t.to_csv_string(), "2019-08-19T13:59:13.688Z");
        let t = Timestamp::parse("2019-08-19T13:59:13.6", &z).unwrap();
        assert_eq!(t.to_csv_string(), "2019-08-19T13:59:13.600Z");
        assert_eq!(t.to_json_string(&z), "2019-08-19T13:59:13.600");
        let t = Timestamp::from_utc(utc("2020-02-26T23:01:00"));
        assert_eq!(t.to_json_string(&z), "2020-02-26T23:01:00.000");
        assert_eq!(t.epoch_millis(), 1_582_758_060_000);
        let far = Timestamp::from_utc(utc("+12345-01-01T00:00:00"));
        assert_eq!(far.to_csv_string(), "+12345-01-01T00:00:00Z");
    }

    #[test]
    fn zones_parse_from_tz_values() {
        let t = Timestamp::parse("2024-01-01T00:00:00", &ServerTimeZone::utc()).unwrap();
        for (tz, json) in [
            ("UTC", "2024-01-01T00:00:00.000"),
            (":Etc/UTC", "2024-01-01T00:00:00.000"),
            ("+03:00", "2024-01-01T03:00:00.000"),
            ("-0530", "2023-12-31T18:30:00.000"),
            ("UTC+01", "2024-01-01T01:00:00.000"),
        ] {
            let zone = ServerTimeZone::parse_fixed(tz).unwrap();
            assert_eq!(t.to_json_string(&zone), json, "{tz}");
        }
        for name in ["Europe/Oslo", "", "+3", "+25:00", "CET-1CEST"] {
            assert!(ServerTimeZone::parse_fixed(name).is_none(), "{name}");
        }
    }
}
