//! DHIS2's date parsing (`DateUtils` of DHIS2 2.40–2.43), in one place.
//!
//! DHIS2 reads dates with Joda-Time formatters made of a list of patterns; the first pattern that
//! consumes the whole text decides, and its fields must then form a valid date. This module
//! re-implements those formatters:
//!
//! * [`parse_date`] — `DateUtils.parseDate`: the date-only patterns `yyyyMMdd`, `yyyy-MM-dd`,
//!   `yyyy-MM`, `yyyy`, then the date-time patterns below. Used for a data value set's
//!   `completeDate` (2.43+), a 2.40 payload's `created`/`lastUpdated`, export query dates, and
//!   (through [`parse_json_date`]) every date of a metadata JSON document.
//! * [`parse_date_time`] — the date-time patterns only (`DateUtils.dateTimeIsValid`):
//!   `yyyy-MM-dd'T'HH:mm:ss.SSSSSSSSSZ`, `….SSSSSSZ`, `….SSSSSS`, `….SSSSZ`, `….SSSS`, `….SSSZ`,
//!   `….SSS`, `…ssZ`, `…ss`, `…HH:mmZ`, `…HH:mm`, `…'T'HHZ`, `…'T'HH`, `yyyy-MM-dd HH:mm:ssZ`.
//! * [`parse_medium_date`] — `yyyy-MM-dd` alone (`DateUtils.getMediumDate`, named `toMediumDate`
//!   since 2.41), as ADX reads its period start dates.
//! * [`parse_json_date`] / [`ParsedDate::from_epoch_millis`] — Jackson's `ParseDateStdDeserializer`
//!   of DHIS2's JSON: `parseDate`, else an all-digit string of more than 12 characters is epoch
//!   milliseconds; a JSON integer is always epoch milliseconds.
//!
//! Joda-Time's rules, which these functions keep:
//!
//! * a number field takes one digit up to its width: `2024-3-5` and `2024-03-15T1:2:3` are
//!   valid; the year takes up to 9 digits with an optional sign (`+2024`, `-0044`), except in
//!   `yyyyMMdd`, where it takes exactly as many as 4 can hold (`202403` is then the year 202403,
//!   read by `yyyy`);
//! * a fraction takes 1 up to the pattern's digits and keeps milliseconds (`.1234567` reads as
//!   123 ms); without an offset at most 6 digits are accepted;
//! * an offset (`Z`) is `Z` or `z`, or a sign and two-digit hours, optionally followed by minutes,
//!   seconds and milliseconds with or without separators: `+02`, `+0200`, `+02:00`,
//!   `+02:00:30`, `+020030123`; hours above 23 or minutes above 59 are refused;
//! * literals (`-`, `T`, `:`, `.`, space) match regardless of case (`t` for `T`);
//! * a date that the first fully matching pattern reads is final: `2024311` is read by
//!   `yyyyMMdd` as month 31 and refused, not read as anything else;
//! * text without an offset is in the server's time zone: this library assumes a DHIS2 server
//!   running in UTC (as DHIS2's Docker images do).
//!
//! Years are limited to what [`NaiveDate`] holds (±262,143; DHIS2 would accept 9 digits), and
//! dates come back with millisecond precision, as `java.util.Date` holds them. The empty string
//! is refused here; DHIS2 reads it as "no date", and callers decide that before calling.
//!
//! ```
//! use dxf2_model::date::{parse_date, parse_json_date, parse_medium_date};
//!
//! let d = parse_date("2024-03-15T23:30:00-02:00").unwrap();
//! assert_eq!(d.local().to_string(), "2024-03-15 23:30:00");
//! assert_eq!(d.utc().to_string(), "2024-03-16 01:30:00");
//! assert_eq!(d.utc_date().to_string(), "2024-03-16");
//!
//! assert_eq!(parse_date("2024-3-5").unwrap().utc_date().to_string(), "2024-03-05");
//! assert!(parse_date("2024-03-15 10:20:30").is_err()); // a space needs an offset
//! assert!(parse_date("1455690000000").is_err()); // epoch milliseconds are JSON only
//! assert_eq!(
//!     parse_json_date("1455690000000").unwrap().utc().to_string(),
//!     "2016-02-17 06:20:00"
//! );
//! assert_eq!(parse_medium_date("2024-03-15").unwrap().to_string(), "2024-03-15");
//! ```

use chrono::{Duration, NaiveDate, NaiveDateTime, NaiveTime};

use crate::ModelError;

/// A date or date-time as DHIS2 parsed it: the fields as written, and the offset when one was
/// given.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ParsedDate {
    local: NaiveDateTime,
    offset_millis: Option<i32>,
    utc: NaiveDateTime,
}

impl ParsedDate {
    /// The date and time as written (midnight when only a date was written), before any offset
    /// is applied.
    pub fn local(&self) -> NaiveDateTime {
        self.local
    }

    /// The offset east of UTC in milliseconds, when the text carried one (`Z` is 0).
    pub fn offset_millis(&self) -> Option<i32> {
        self.offset_millis
    }

    /// The moment in UTC: the written time minus its offset; without an offset, the written time
    /// (a DHIS2 server running in UTC).
    pub fn utc(&self) -> NaiveDateTime {
        self.utc
    }

    /// The UTC calendar date of [`utc`](ParsedDate::utc), as a DHIS2 server in UTC stores a
    /// `Date`.
    pub fn utc_date(&self) -> NaiveDate {
        self.utc.date()
    }

    /// A JSON integer read as a date (`new Date(millis)`): milliseconds since 1970-01-01T00:00Z.
    pub fn from_epoch_millis(millis: i64) -> Result<ParsedDate, ModelError> {
        let text = || millis.to_string();
        let epoch = NaiveDate::from_ymd_opt(1970, 1, 1)
            .map(|d| d.and_time(NaiveTime::MIN))
            .ok_or_else(|| invalid(&text()))?;
        let utc = Duration::try_milliseconds(millis)
            .and_then(|d| epoch.checked_add_signed(d))
            .ok_or_else(|| invalid(&text()))?;
        Ok(ParsedDate {
            local: utc,
            offset_millis: Some(0),
            utc,
        })
    }
}

/// `DateUtils.parseDate`: every date-only and date-time form (see the module docs).
pub fn parse_date(text: &str) -> Result<ParsedDate, ModelError> {
    parse_with(text, &[DATE_ONLY_PATTERNS, DATE_TIME_PATTERNS])
}

/// The date-time forms only (`DateUtils.dateTimeIsValid`): a date alone is refused.
pub fn parse_date_time(text: &str) -> Result<ParsedDate, ModelError> {
    parse_with(text, &[DATE_TIME_PATTERNS])
}

/// `DateUtils.getMediumDate` / `toMediumDate`: `yyyy-MM-dd` only (with Joda's one-or-two-digit
/// months and days).
pub fn parse_medium_date(text: &str) -> Result<NaiveDate, ModelError> {
    parse_with(text, &[&[MEDIUM_DATE]]).map(|d| d.local().date())
}

/// A JSON string read as a date by DHIS2's `ParseDateStdDeserializer`: [`parse_date`], else an
/// all-digit string of more than 12 characters is epoch milliseconds (one too large for a Java
/// `long` reads as 0, as Jackson's `getValueAsLong` does).
pub fn parse_json_date(text: &str) -> Result<ParsedDate, ModelError> {
    match parse_date(text) {
        Ok(d) => Ok(d),
        Err(e) => {
            if text.len() > 12 && text.bytes().all(|b| b.is_ascii_digit()) {
                ParsedDate::from_epoch_millis(text.parse::<i64>().unwrap_or(0))
            } else {
                Err(e)
            }
        }
    }
}

fn invalid(text: &str) -> ModelError {
    ModelError::InvalidDate(text.to_owned())
}

/// One element of a Joda-Time pattern.
#[derive(Clone, Copy, Debug)]
enum Part {
    /// `yyyy`: a signed year of 1 up to this many digits.
    Year(usize),
    /// `MM`.
    Month,
    /// `dd`.
    Day,
    /// `HH`.
    Hour,
    /// `mm`.
    Minute,
    /// `ss`.
    Second,
    /// `S…`: a fraction of a second of 1 up to this many digits.
    Fraction(usize),
    /// `Z`: a time zone offset.
    Offset,
    /// A literal character, matched regardless of ASCII case.
    Lit(u8),
}

use Part::{Day, Fraction, Hour, Lit, Minute, Month, Offset, Second, Year};

type Pattern = &'static [Part];

const MEDIUM_DATE: Pattern = &[Year(9), Lit(b'-'), Month, Lit(b'-'), Day];

const DATE_ONLY_PATTERNS: &[Pattern] = &[
    &[Year(4), Month, Day],
    MEDIUM_DATE,
    &[Year(9), Lit(b'-'), Month],
    &[Year(9)],
];

macro_rules! date_time {
    ($($part:expr),*) => {
        &[Year(9), Lit(b'-'), Month, Lit(b'-'), Day, $($part),*]
    };
}

const DATE_TIME_PATTERNS: &[Pattern] = &[
    date_time!(
        Lit(b'T'),
        Hour,
        Lit(b':'),
        Minute,
        Lit(b':'),
        Second,
        Lit(b'.'),
        Fraction(9),
        Offset
    ),
    date_time!(
        Lit(b'T'),
        Hour,
        Lit(b':'),
        Minute,
        Lit(b':'),
        Second,
        Lit(b'.'),
        Fraction(6),
        Offset
    ),
    date_time!(
        Lit(b'T'),
        Hour,
        Lit(b':'),
        Minute,
        Lit(b':'),
        Second,
        Lit(b'.'),
        Fraction(6)
    ),
    date_time!(
        Lit(b'T'),
        Hour,
        Lit(b':'),
        Minute,
        Lit(b':'),
        Second,
        Lit(b'.'),
        Fraction(4),
        Offset
    ),
    date_time!(
        Lit(b'T'),
        Hour,
        Lit(b':'),
        Minute,
        Lit(b':'),
        Second,
        Lit(b'.'),
        Fraction(4)
    ),
    date_time!(
        Lit(b'T'),
        Hour,
        Lit(b':'),
        Minute,
        Lit(b':'),
        Second,
        Lit(b'.'),
        Fraction(3),
        Offset
    ),
    date_time!(
        Lit(b'T'),
        Hour,
        Lit(b':'),
        Minute,
        Lit(b':'),
        Second,
        Lit(b'.'),
        Fraction(3)
    ),
    date_time!(
        Lit(b'T'),
        Hour,
        Lit(b':'),
        Minute,
        Lit(b':'),
        Second,
        Offset
    ),
    date_time!(Lit(b'T'), Hour, Lit(b':'), Minute, Lit(b':'), Second),
    date_time!(Lit(b'T'), Hour, Lit(b':'), Minute, Offset),
    date_time!(Lit(b'T'), Hour, Lit(b':'), Minute),
    date_time!(Lit(b'T'), Hour, Offset),
    date_time!(Lit(b'T'), Hour),
    date_time!(
        Lit(b' '),
        Hour,
        Lit(b':'),
        Minute,
        Lit(b':'),
        Second,
        Offset
    ),
];

/// The fields a pattern read; Joda's defaults for those it has not.
#[derive(Clone, Copy, Debug)]
struct Fields {
    year: i64,
    month: u32,
    day: u32,
    hour: u32,
    minute: u32,
    second: u32,
    millis: u32,
    offset_millis: Option<i32>,
}

impl Default for Fields {
    fn default() -> Fields {
        Fields {
            year: 1970,
            month: 1,
            day: 1,
            hour: 0,
            minute: 0,
            second: 0,
            millis: 0,
            offset_millis: None,
        }
    }
}

/// Joda's matching parser: the first pattern that reads the whole text decides.
fn parse_with(text: &str, groups: &[&[Pattern]]) -> Result<ParsedDate, ModelError> {
    let bytes = text.as_bytes();
    let fields = groups
        .iter()
        .flat_map(|g| g.iter())
        .find_map(|pattern| read_pattern(pattern, bytes))
        .ok_or_else(|| invalid(text))?;
    build(fields).ok_or_else(|| invalid(text))
}

/// The fields of `bytes` when `pattern` reads all of it.
fn read_pattern(pattern: &[Part], bytes: &[u8]) -> Option<Fields> {
    let mut c = Cursor { rest: bytes };
    let mut f = Fields::default();
    for part in pattern {
        match *part {
            Year(max) => f.year = c.signed_number(max)?,
            Month => f.month = c.number(2)?,
            Day => f.day = c.number(2)?,
            Hour => f.hour = c.number(2)?,
            Minute => f.minute = c.number(2)?,
            Second => f.second = c.number(2)?,
            Fraction(max) => f.millis = c.fraction(max)?,
            Offset => f.offset_millis = Some(c.offset()?),
            Lit(b) => c.literal(b)?,
        }
    }
    c.rest.is_empty().then_some(f)
}

/// The date the fields name, when every field is in range.
fn build(f: Fields) -> Option<ParsedDate> {
    let date = NaiveDate::from_ymd_opt(i32::try_from(f.year).ok()?, f.month, f.day)?;
    let time = NaiveTime::from_hms_milli_opt(f.hour, f.minute, f.second, f.millis)?;
    let local = date.and_time(time);
    let utc = match f.offset_millis {
        Some(offset) => local.checked_sub_signed(Duration::try_milliseconds(i64::from(offset))?)?,
        None => local,
    };
    Some(ParsedDate {
        local,
        offset_millis: f.offset_millis,
        utc,
    })
}

/// A cursor over the text being read.
struct Cursor<'a> {
    rest: &'a [u8],
}

impl Cursor<'_> {
    fn peek(&self) -> Option<u8> {
        self.rest.first().copied()
    }

    fn peek_at(&self, i: usize) -> Option<u8> {
        self.rest.get(i).copied()
    }

    fn advance(&mut self, n: usize) {
        self.rest = self.rest.get(n..).unwrap_or_default();
    }

    fn digits_ahead(&self, max: usize) -> usize {
        self.rest
            .iter()
            .take(max)
            .take_while(|b| b.is_ascii_digit())
            .count()
    }

    /// A literal, ignoring ASCII case.
    fn literal(&mut self, expected: u8) -> Option<()> {
        let b = self.peek()?;
        b.eq_ignore_ascii_case(&expected).then(|| self.advance(1))
    }

    /// 1 to `max` digits.
    fn number(&mut self, max: usize) -> Option<u32> {
        let n = self.digits_ahead(max);
        if n == 0 {
            return None;
        }
        let mut value = 0u32;
        for &b in self.rest.iter().take(n) {
            value = value.checked_mul(10)?.checked_add(u32::from(b - b'0'))?;
        }
        self.advance(n);
        Some(value)
    }

    /// An optional `+` or `-` directly followed by 1 to `max` digits.
    fn signed_number(&mut self, max: usize) -> Option<i64> {
        let sign = match (self.peek(), self.peek_at(1)) {
            (Some(s @ (b'+' | b'-')), Some(d)) if d.is_ascii_digit() => {
                self.advance(1);
                if s == b'-' {
                    -1
                } else {
                    1
                }
            }
            _ => 1,
        };
        self.number(max).map(|v| sign * i64::from(v))
    }

    /// 1 to `max` digits of a fraction of a second, as milliseconds (truncated).
    fn fraction(&mut self, max: usize) -> Option<u32> {
        let n = self.digits_ahead(max);
        if n == 0 {
            return None;
        }
        let mut millis = 0u32;
        let mut scale = 100u32;
        for &b in self.rest.iter().take(n.min(3)) {
            millis += u32::from(b - b'0') * scale;
            scale /= 10;
        }
        self.advance(n);
        Some(millis)
    }

    /// Two digits, when both are there.
    fn two_digits(&self) -> Option<u32> {
        (self.digits_ahead(2) == 2).then(|| {
            self.rest
                .iter()
                .take(2)
                .fold(0, |v, &b| v * 10 + u32::from(b - b'0'))
        })
    }

    /// Joda's time zone offset: `Z`/`z`, or a sign, two-digit hours and optionally minutes,
    /// seconds and up to three digits of milliseconds, all with separators (`:`, then `.` or `,`
    /// before the fraction) or none. Milliseconds east of UTC.
    fn offset(&mut self) -> Option<i32> {
        if self.peek().is_some_and(|b| b.eq_ignore_ascii_case(&b'Z')) {
            self.advance(1);
            return Some(0);
        }
        if self.rest.len() <= 1 {
            return None;
        }
        let negative = match self.peek()? {
            b'-' => true,
            b'+' => false,
            _ => return None,
        };
        self.advance(1);
        let hours = self.two_digits()?;
        if hours > 23 {
            return None;
        }
        self.advance(2);
        let mut offset = hours * 3_600_000;
        self.offset_rest(&mut offset)?;
        let offset = i32::try_from(offset).ok()?;
        Some(if negative { -offset } else { offset })
    }

    /// Minutes, seconds and milliseconds of an offset after its hours; `None` when a part starts
    /// but is malformed (Joda then refuses the pattern).
    fn offset_rest(&mut self, offset: &mut u32) -> Option<()> {
        let separators = match self.peek() {
            Some(b':') => {
                self.advance(1);
                true
            }
            Some(b) if b.is_ascii_digit() => false,
            _ => return Some(()),
        };
        // Minutes.
        if self.digits_ahead(2) == 0 && !separators {
            return Some(());
        }
        let minutes = self.two_digits()?;
        if minutes > 59 {
            return None;
        }
        self.advance(2);
        *offset += minutes * 60_000;
        // Seconds.
        if self.rest.is_empty() {
            return Some(());
        }
        if separators {
            if self.peek() != Some(b':') {
                return Some(());
            }
            self.advance(1);
        }
        if self.digits_ahead(2) == 0 && !separators {
            return Some(());
        }
        let seconds = self.two_digits()?;
        if seconds > 59 {
            return None;
        }
        self.advance(2);
        *offset += seconds * 1_000;
        // Milliseconds.
        if self.rest.is_empty() {
            return Some(());
        }
        if separators {
            if !matches!(self.peek(), Some(b'.' | b',')) {
                return Some(());
            }
            self.advance(1);
        }
        let n = self.digits_ahead(3);
        if n == 0 {
            return if separators { None } else { Some(()) };
        }
        let mut scale = 100;
        for &b in self.rest.iter().take(n) {
            *offset += u32::from(b - b'0') * scale;
            scale /= 10;
        }
        self.advance(n);
        Some(())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    /// The UTC moment as `yyyy-MM-ddTHH:mm:ss.SSS`, or `ERR`.
    fn utc(r: Result<ParsedDate, ModelError>) -> String {
        match r {
            Ok(d) => d.utc().format("%Y-%m-%dT%H:%M:%S%.3f").to_string(),
            Err(_) => "ERR".to_owned(),
        }
    }

    // The cases of DHIS2's own `DateUtilsTest` (dhis-2/dhis-api/src/test/java/org/hisp/dhis/util/
    // DateUtilsTest.java, 2.40–2.43: testParseDateSupportedDateFormats,
    // testParseDateInvalidDateFormats, testSafeParseDate*, testDateTimeIsValid,
    // testParseZuluDateOffset, testToMediumDate / testGetMediumDate), restated here.

    #[test]
    fn date_utils_test_parse_date_supported_formats() {
        assert_eq!(utc(parse_date("20031202")), "2003-12-02T00:00:00.000");
        assert_eq!(utc(parse_date("2005-10-12")), "2005-10-12T00:00:00.000");
        assert_eq!(utc(parse_date("2022-05")), "2022-05-01T00:00:00.000");
        assert_eq!(utc(parse_date("2023")), "2023-01-01T00:00:00.000");
    }

    #[test]
    fn date_utils_test_parse_date_invalid_formats() {
        for bad in ["2025-110-12", "2025-11-120", "2025011120", "2025-111"] {
            assert!(parse_date(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn date_utils_test_date_time_is_valid() {
        for good in [
            "2021-08-30T13:35:18.985541Z",
            "2021-08-30T13:35:18.985541",
            "2021-08-30T13:35:18.8712Z",
            "2021-08-30T13:35:18.8712",
            "2000-01-01T10:00:00.000Z",
            "2021-08-30T13:35:18.985",
            "2000-01-01T10:00:00.000+05:30",
            "2000-01-01T10:00:00Z",
            "2000-01-01T10:00:00+05:30",
            "2000-01-01T10:00:00",
            "2000-01-01T10:00Z",
            "2000-01-01T10:00+05:30",
            "2000-01-01T10:00",
            "1985-04-14T00:00",
        ] {
            assert!(parse_date_time(good).is_ok(), "{good}");
        }
        for bad in ["2000-01-01", "01-01-2000", "abcd"] {
            assert!(parse_date_time(bad).is_err(), "{bad}");
        }
        assert_eq!(
            utc(parse_date_time("2000-01-01T10:00:00.000+05:30")),
            "2000-01-01T04:30:00.000"
        );
    }

    #[test]
    fn date_utils_test_parse_zulu_date_offset() {
        let d = parse_date("1995-05-24T00:00Z").unwrap();
        assert_eq!(d.offset_millis(), Some(0));
        assert_eq!(utc(Ok(d)), "1995-05-24T00:00:00.000");
    }

    #[test]
    fn date_utils_test_medium_date() {
        assert_eq!(
            parse_medium_date("2014-05-18").unwrap().to_string(),
            "2014-05-18"
        );
        assert_eq!(
            parse_medium_date("2015-11-03").unwrap().to_string(),
            "2015-11-03"
        );
        assert!(parse_medium_date("StringWhichIsNotADate").is_err());
        // The same date as parseDate (testParseIntoDSTGap).
        assert_eq!(
            parse_medium_date("1985-04-14").unwrap(),
            parse_date("1985-04-14").unwrap().utc_date()
        );
        // Joda's one-digit fields; no other form.
        assert_eq!(
            parse_medium_date("2024-3-5").unwrap().to_string(),
            "2024-03-05"
        );
        for bad in ["20240315", "2024-03", "2024-03-15T00:00", "2024-02-30"] {
            assert!(parse_medium_date(bad).is_err(), "{bad}");
        }
    }

    // The inputs on which this library's two earlier parsers disagreed, and Joda's edge cases:
    // each expectation was checked against Joda-Time 2.x running DateUtils' formatters.

    #[test]
    fn one_digit_fields_as_joda_reads_them() {
        assert_eq!(utc(parse_date("2024-3-5")), "2024-03-05T00:00:00.000");
        assert_eq!(utc(parse_date("2024-3")), "2024-03-01T00:00:00.000");
        assert_eq!(
            utc(parse_date("2024-03-15T1:2:3")),
            "2024-03-15T01:02:03.000"
        );
        assert_eq!(utc(parse_date("2024-3-15T9:5")), "2024-03-15T09:05:00.000");
        assert_eq!(
            utc(parse_date("2024-03-15 1:2:3+01")),
            "2024-03-15T00:02:03.000"
        );
    }

    #[test]
    fn space_form_needs_an_offset() {
        assert_eq!(parse_date("2024-03-15 10:20:30").ok(), None);
        assert_eq!(parse_date("2012-01-09 10:20+0100").ok(), None);
        assert_eq!(
            utc(parse_date("2012-01-09 10:20:30+0100")),
            "2012-01-09T09:20:30.000"
        );
        assert_eq!(
            utc(parse_date("2024-03-15 10:20:30Z")),
            "2024-03-15T10:20:30.000"
        );
    }

    #[test]
    fn offsets_as_joda_reads_them() {
        let cases = [
            ("2024-03-15T10:20:30+02", "2024-03-15T08:20:30.000"),
            ("2024-03-15T10:20:30+0230", "2024-03-15T07:50:30.000"),
            ("2024-03-15T10:20:30+02:30", "2024-03-15T07:50:30.000"),
            ("2024-03-15T10:20:30+02:00:30", "2024-03-15T08:20:00.000"),
            (
                "2024-03-15T10:20:30+01:00:00.123",
                "2024-03-15T09:20:29.877",
            ),
            ("2024-03-15T10:20:30+010000123", "2024-03-15T09:20:29.877"),
            ("2024-03-15T10:20:30+0100001", "2024-03-15T09:20:29.900"),
            ("2024-03-15T10:20:30-00", "2024-03-15T10:20:30.000"),
            ("2024-03-15T10:20:30+23:59", "2024-03-14T10:21:30.000"),
            ("2024-03-15T10:20:30-23:59", "2024-03-16T10:19:30.000"),
            ("2016-02-17T06+0200", "2016-02-17T04:00:00.000"),
            ("2016-02-17T06z", "2016-02-17T06:00:00.000"),
            ("2016-02-17T00:30:00-01:30", "2016-02-17T02:00:00.000"),
            ("2016-02-17T06:17:12.379+0100", "2016-02-17T05:17:12.379"),
        ];
        for (text, expected) in cases {
            assert_eq!(utc(parse_date(text)), expected, "{text}");
        }
        for bad in [
            "2024-03-15T10:20:30+02:3",
            "2024-03-15T10:20:30+0200:30",
            "2024-03-15T10:20:30+02:00.123",
            "2024-03-15T10:20:30+01000",
            "2024-03-15T10:20:30+01:00:0",
            "2024-03-15T10:20:30+24",
            "2024-03-15T10:20:30+2",
            "2024-03-15T10:20:30+0099",
            "2024-03-15T10:20:30ZZ",
        ] {
            assert_eq!(parse_date(bad).ok(), None, "{bad}");
        }
        let d = parse_date("2024-03-15T10:20:30+02:30").unwrap();
        assert_eq!(d.offset_millis(), Some(9_000_000));
        assert_eq!(d.local().to_string(), "2024-03-15 10:20:30");
    }

    #[test]
    fn fractions_keep_milliseconds() {
        assert_eq!(
            utc(parse_date("2019-08-26T14:26:09.9")),
            "2019-08-26T14:26:09.900"
        );
        assert_eq!(
            utc(parse_date("2019-08-26T14:26:09.938")),
            "2019-08-26T14:26:09.938"
        );
        assert_eq!(
            utc(parse_date("2019-08-26T14:26:09.123456")),
            "2019-08-26T14:26:09.123"
        );
        assert_eq!(
            utc(parse_date("2019-08-26T14:26:09.123456789Z")),
            "2019-08-26T14:26:09.123"
        );
        assert_eq!(
            utc(parse_date("2024-03-15T10:20:30.1234+01")),
            "2024-03-15T09:20:30.123"
        );
        // Without an offset at most six digits; with one at most nine.
        for bad in [
            "2019-08-26T14:26:09.1234567",
            "2019-08-26T14:26:09.123456789",
            "2024-03-15T10:20:30.1234567890+0000",
            "2024-03-15T10:20:30.+0000",
        ] {
            assert_eq!(parse_date(bad).ok(), None, "{bad}");
        }
    }

    #[test]
    fn years_and_digit_strings() {
        assert_eq!(utc(parse_date("+2024-03-15")), "2024-03-15T00:00:00.000");
        assert_eq!(utc(parse_date("+20240315")), "2024-03-15T00:00:00.000");
        assert_eq!(utc(parse_date("+2024")), "2024-01-01T00:00:00.000");
        assert_eq!(
            parse_date("-2024").unwrap().utc_date().to_string(),
            "-2024-01-01"
        );
        assert_eq!(
            parse_date("0000-01-01").unwrap().utc_date().to_string(),
            "0000-01-01"
        );
        // A year of fewer than four digits is a year all the same.
        assert_eq!(
            parse_date("24-01-01").unwrap().utc_date().to_string(),
            "0024-01-01"
        );
        // `yyyy` takes up to nine digits.
        assert_eq!(
            parse_date("12345").unwrap().utc_date().to_string(),
            "+12345-01-01"
        );
        assert_eq!(
            parse_date("202403").unwrap().utc_date().to_string(),
            "+202403-01-01"
        );
        // `yyyyMMdd` reads its fields first, and a bad month is then final.
        assert_eq!(utc(parse_date("2024031")), "2024-03-01T00:00:00.000");
        assert_eq!(parse_date("2024311").ok(), None);
        assert_eq!(parse_date("2024315").ok(), None);
        for bad in ["1234567890", "1455690000000", "99999999999999999999"] {
            assert_eq!(parse_date(bad).ok(), None, "{bad}");
        }
    }

    #[test]
    fn literals_ignore_case_and_nothing_else_is_trimmed() {
        assert_eq!(
            utc(parse_date("2024-03-15t10:20")),
            "2024-03-15T10:20:00.000"
        );
        for bad in [
            " 2012-01-09",
            "2012-01-09 ",
            "2012-01-09T",
            "",
            "true",
            "09/01/2012",
        ] {
            assert_eq!(parse_date(bad).ok(), None, "{bad:?}");
        }
    }

    #[test]
    fn invalid_fields_are_refused() {
        for bad in [
            "2024-02-30",
            "2024-13-01",
            "2024-00-15",
            "2024-03-15T24:00",
            "2024-03-15T10:20:60",
            "2024-03-15T10:60",
        ] {
            assert_eq!(parse_date(bad).ok(), None, "{bad}");
        }
    }

    #[test]
    fn json_dates_fall_back_to_epoch_milliseconds() {
        assert_eq!(
            utc(parse_json_date("1455690000000")),
            "2016-02-17T06:20:00.000"
        );
        assert_eq!(
            utc(parse_json_date("1234567890123")),
            "2009-02-13T23:31:30.123"
        );
        // Too large for a long: Jackson reads 0.
        assert_eq!(
            utc(parse_json_date("99999999999999999999")),
            "1970-01-01T00:00:00.000"
        );
        // Twelve digits or fewer, or a sign: not epoch milliseconds.
        for bad in ["123456789012", "-1234567890123", "2024-03-15 10:20:30"] {
            assert_eq!(parse_json_date(bad).ok(), None, "{bad}");
        }
        // What parseDate reads comes first.
        assert_eq!(utc(parse_json_date("20240315")), "2024-03-15T00:00:00.000");
        assert_eq!(
            utc(ParsedDate::from_epoch_millis(-1)),
            "1969-12-31T23:59:59.999"
        );
        assert!(ParsedDate::from_epoch_millis(i64::MIN).is_err());
        assert!(ParsedDate::from_epoch_millis(i64::MAX).is_err());
    }
}
