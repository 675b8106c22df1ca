//! DHIS2 periods: [`PeriodType`] (every DHIS2 period type) and [`Period`] (one period of a type).
//!
//! A period is written as an ISO string (`202401`, `2024W1`, `2024Q1`, `2024NovQ1`, …). DHIS2 has
//! two parsers for it:
//!
//! * the **classic** parser of 2.36–2.42 (`DateUnitPeriodTypeParser`): a list of regular
//!   expressions tried in order, then validity rules ([`Period::parse`], [`FromStr`]);
//! * the **2.43+** parser (`Period.Input.of`), which decides by string length, checks every digit
//!   strictly and also knows `FinancialFeb`, `FinancialAug` and `WeeklyFriday`
//!   ([`Period::parse_with`] with [`ImporterProfile::Pipeline`]).
//!
//! [`Display`](fmt::Display) writes DHIS2's canonical export form (week numbers without a leading
//! zero: `2024W1`). ADX uses `<start date>/<ISO 8601 duration>` instead ([`Period::to_adx`],
//! [`Period::parse_adx`]).
//!
//! Only the ISO 8601 (proleptic Gregorian) calendar is supported, as in the rest of this library.
//!
//! ```
//! use dxf2_model::{ImporterProfile, Period, PeriodType};
//!
//! let p: Period = "2024NovQ1".parse().unwrap();
//! assert_eq!(p.period_type(), PeriodType::QuarterlyNov);
//! assert_eq!(p.start_date().to_string(), "2023-11-01");
//! assert_eq!(p.end_date().to_string(), "2024-01-31");
//! assert_eq!(p.next().unwrap().to_string(), "2024NovQ2");
//! assert_eq!(p.to_adx(), "2023-11-01/P3M");
//!
//! // 2.43+ only forms.
//! assert!(Period::parse("2024Feb").is_err());
//! let feb = Period::parse_with("2024Feb", ImporterProfile::Pipeline).unwrap();
//! assert_eq!(feb.period_type(), PeriodType::FinancialFeb);
//! ```

use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, Days, NaiveDate, Weekday};

use crate::{ImporterProfile, ModelError};

mod adx;
mod arith;
mod iso;
#[cfg(test)]
mod tests;

use self::{adx::*, arith::*, iso::*};

/// A DHIS2 period type, named as DHIS2 names it (`PeriodType#getName`, e.g. in a data set's
/// `periodType`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PeriodType {
    /// `Daily`: one day (`yyyyMMdd`).
    Daily,
    /// `Weekly`: Monday–Sunday, ISO 8601 weeks (`yyyyWn`).
    Weekly,
    /// `WeeklyWednesday`: Wednesday–Tuesday (`yyyyWedWn`).
    WeeklyWednesday,
    /// `WeeklyThursday`: Thursday–Wednesday (`yyyyThuWn`).
    WeeklyThursday,
    /// `WeeklyFriday`: Friday–Thursday (`yyyyFriWn`). DHIS2 2.43+ only.
    WeeklyFriday,
    /// `WeeklySaturday`: Saturday–Friday (`yyyySatWn`).
    WeeklySaturday,
    /// `WeeklySunday`: Sunday–Saturday (`yyyySunWn`).
    WeeklySunday,
    /// `BiWeekly`: 14 days from the Monday of ISO week 2n−1 (`yyyyBiWn`).
    BiWeekly,
    /// `Monthly`: a calendar month (`yyyyMM`).
    Monthly,
    /// `BiMonthly`: two months from month 2n−1 (`yyyyMMB`, MM = 01..06).
    BiMonthly,
    /// `Quarterly`: calendar quarters (`yyyyQn`).
    Quarterly,
    /// `QuarterlyNov`: quarters from November; Q1 = Nov (yyyy−1) – Jan yyyy (`yyyyNovQn`).
    QuarterlyNov,
    /// `SixMonthly`: Jan–Jun, Jul–Dec (`yyyySn`).
    SixMonthly,
    /// `SixMonthlyApril`: Apr–Sep, Oct–Mar (`yyyyAprilSn`).
    SixMonthlyApril,
    /// `SixMonthlyNov`: S1 = Nov (yyyy−1) – Apr yyyy, S2 = May–Oct yyyy (`yyyyNovSn`).
    SixMonthlyNov,
    /// `Yearly`: a calendar year (`yyyy`).
    Yearly,
    /// `FinancialFeb`: 1 Feb yyyy – 31 Jan yyyy+1 (`yyyyFeb`). DHIS2 2.43+ only.
    FinancialFeb,
    /// `FinancialApril`: 1 Apr yyyy – 31 Mar yyyy+1 (`yyyyApril`).
    FinancialApril,
    /// `FinancialJuly`: 1 Jul yyyy – 30 Jun yyyy+1 (`yyyyJuly`).
    FinancialJuly,
    /// `FinancialAug`: 1 Aug yyyy – 31 Jul yyyy+1 (`yyyyAug`). DHIS2 2.43+ only.
    FinancialAug,
    /// `FinancialSep`: 1 Sep yyyy – 31 Aug yyyy+1 (`yyyySep`).
    FinancialSep,
    /// `FinancialOct`: 1 Oct yyyy – 30 Sep yyyy+1 (`yyyyOct`).
    FinancialOct,
    /// `FinancialNov`: 1 Nov (yyyy−1) – 31 Oct yyyy (`yyyyNov`: the year names the *end*).
    FinancialNov,
    /// `TwoYearly`: two calendar years from an even year. Has no ISO form, so it cannot be used
    /// in data value sets.
    TwoYearly,
}

/// How the periods of a type are laid out in time.
#[derive(Clone, Copy)]
enum Shape {
    /// One day.
    Day,
    /// Seven days starting on the given weekday (days from Monday).
    Week(u32),
    /// DHIS2's bi-weeks (see [`PeriodType::BiWeekly`]).
    BiWeek,
    /// `length` months; a period starts at every month index `i` (year × 12 + month0) with
    /// `(i - first) mod length == 0`.
    Months { length: i64, first: i64 },
}

impl PeriodType {
    /// Every period type, shortest first (in `FREQUENCY_ORDER` order).
    pub const ALL: [PeriodType; 24] = [
        PeriodType::Daily,
        PeriodType::Weekly,
        PeriodType::WeeklyWednesday,
        PeriodType::WeeklyThursday,
        PeriodType::WeeklyFriday,
        PeriodType::WeeklySaturday,
        PeriodType::WeeklySunday,
        PeriodType::BiWeekly,
        PeriodType::Monthly,
        PeriodType::BiMonthly,
        PeriodType::Quarterly,
        PeriodType::QuarterlyNov,
        PeriodType::SixMonthly,
        PeriodType::SixMonthlyApril,
        PeriodType::SixMonthlyNov,
        PeriodType::Yearly,
        PeriodType::FinancialFeb,
        PeriodType::FinancialApril,
        PeriodType::FinancialJuly,
        PeriodType::FinancialAug,
        PeriodType::FinancialSep,
        PeriodType::FinancialOct,
        PeriodType::FinancialNov,
        PeriodType::TwoYearly,
    ];

    /// DHIS2's name of the type (`Monthly`, `WeeklyWednesday`, `FinancialApril`, …).
    pub fn name(self) -> &'static str {
        match self {
            PeriodType::Daily => "Daily",
            PeriodType::Weekly => "Weekly",
            PeriodType::WeeklyWednesday => "WeeklyWednesday",
            PeriodType::WeeklyThursday => "WeeklyThursday",
            PeriodType::WeeklyFriday => "WeeklyFriday",
            PeriodType::WeeklySaturday => "WeeklySaturday",
            PeriodType::WeeklySunday => "WeeklySunday",
            PeriodType::BiWeekly => "BiWeekly",
            PeriodType::Monthly => "Monthly",
            PeriodType::BiMonthly => "BiMonthly",
            PeriodType::Quarterly => "Quarterly",
            PeriodType::QuarterlyNov => "QuarterlyNov",
            PeriodType::SixMonthly => "SixMonthly",
            PeriodType::SixMonthlyApril => "SixMonthlyApril",
            PeriodType::SixMonthlyNov => "SixMonthlyNov",
            PeriodType::Yearly => "Yearly",
            PeriodType::FinancialFeb => "FinancialFeb",
            PeriodType::FinancialApril => "FinancialApril",
            PeriodType::FinancialJuly => "FinancialJuly",
            PeriodType::FinancialAug => "FinancialAug",
            PeriodType::FinancialSep => "FinancialSep",
            PeriodType::FinancialOct => "FinancialOct",
            PeriodType::FinancialNov => "FinancialNov",
            PeriodType::TwoYearly => "TwoYearly",
        }
    }

    /// The type with exactly this DHIS2 name (`PeriodType.getPeriodTypeByName`).
    ///
    /// [`FromStr`] is the lenient variant (DHIS2's `getByNameIgnoreCase`: any letter case,
    /// surrounding white space ignored).
    pub fn from_name(name: &str) -> Result<PeriodType, ModelError> {
        PeriodType::ALL
            .iter()
            .copied()
            .find(|t| t.name() == name)
            .ok_or_else(|| ModelError::InvalidPeriodType(name.to_owned()))
    }

    /// DHIS2's `FREQUENCY_ORDER`, used to tell which type is shorter: Daily 1, weekly types 7,
    /// BiWeekly 14, Monthly 30, BiMonthly 61, quarterly types 91, six-monthly types 182, Yearly
    /// and financial types 365, TwoYearly 730.
    pub fn frequency_order(self) -> u32 {
        match self.shape() {
            Shape::Day => 1,
            Shape::Week(_) => 7,
            Shape::BiWeek => 14,
            Shape::Months { length, .. } => match length {
                1 => 30,
                2 => 61,
                3 => 91,
                6 => 182,
                12 => 365,
                _ => 730,
            },
        }
    }

    /// The ISO 8601 duration of one period (`getIso8601Duration`), as used in the ADX form:
    /// `P1D`, `P7D`, `P14D`, `P1M`, `P2M`, `P3M`, `P6M`, `P1Y` or `P2Y`.
    pub fn iso_duration(self) -> &'static str {
        match self.shape() {
            Shape::Day => "P1D",
            Shape::Week(_) => "P7D",
            Shape::BiWeek => "P14D",
            Shape::Months { length, .. } => match length {
                1 => "P1M",
                2 => "P2M",
                3 => "P3M",
                6 => "P6M",
                12 => "P1Y",
                _ => "P2Y",
            },
        }
    }

    /// Whether the type has an ISO string form (every type but `TwoYearly`).
    pub fn has_iso_form(self) -> bool {
        self != PeriodType::TwoYearly
    }

    /// Whether the ISO parser of this DHIS2 generation knows the type: `FinancialFeb`,
    /// `FinancialAug` and `WeeklyFriday` exist only in 2.43+, and `TwoYearly` in none.
    pub fn supported_by(self, profile: ImporterProfile) -> bool {
        match self {
            PeriodType::TwoYearly => false,
            PeriodType::FinancialFeb | PeriodType::FinancialAug | PeriodType::WeeklyFriday => {
                profile == ImporterProfile::Pipeline
            }
            _ => true,
        }
    }

    /// The period of this type that contains `date` (DHIS2's `createPeriod(date)`).
    ///
    /// `None` only when that period would reach outside the dates `chrono` can represent
    /// (about ±262,000 years).
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use dxf2_model::PeriodType;
    ///
    /// let day = NaiveDate::from_ymd_opt(2024, 12, 1).unwrap();
    /// assert_eq!(PeriodType::FinancialNov.period_containing(day).unwrap().to_string(), "2025Nov");
    /// assert_eq!(PeriodType::Weekly.period_containing(day).unwrap().to_string(), "2024W48");
    /// ```
    pub fn period_containing(self, date: NaiveDate) -> Option<Period> {
        let start = match self.shape() {
            Shape::Day => date,
            Shape::Week(first_day) => {
                let back = (date.weekday().num_days_from_monday() + 7 - first_day) % 7;
                date.checked_sub_days(Days::new(u64::from(back)))?
            }
            Shape::BiWeek => {
                // DHIS2's `adjustToStartOfBiWeek`: back to the Monday of the odd ISO week.
                let mut back = u64::from(date.weekday().num_days_from_monday());
                if date.iso_week().week().is_multiple_of(2) {
                    back += 7;
                }
                date.checked_sub_days(Days::new(back))?
            }
            Shape::Months { length, first } => {
                let index = month_index(date);
                month_start(index - (index - first).rem_euclid(length))?
            }
        };
        Period::checked(self, start)
    }

    /// The latest period open for data entry (DHIS2's `getFuturePeriod(openFuturePeriods)`):
    /// take the period containing `today`, step **one back**, then step `open_future_periods`
    /// forward (a negative number steps further back).
    ///
    /// With the default `openFuturePeriods = 0` this is the *previous* period, so the current,
    /// still running period is not open.
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use dxf2_model::PeriodType;
    ///
    /// let today = NaiveDate::from_ymd_opt(2024, 3, 15).unwrap();
    /// assert_eq!(PeriodType::Monthly.future_period(today, 0).unwrap().to_string(), "202402");
    /// assert_eq!(PeriodType::Monthly.future_period(today, 2).unwrap().to_string(), "202404");
    /// ```
    pub fn future_period(self, today: NaiveDate, open_future_periods: i64) -> Option<Period> {
        let previous = self.period_containing(today)?.previous()?;
        previous.offset(open_future_periods)
    }

    fn shape(self) -> Shape {
        let months = |length, first| Shape::Months { length, first };
        match self {
            PeriodType::Daily => Shape::Day,
            PeriodType::Weekly => Shape::Week(0),
            PeriodType::WeeklyWednesday => Shape::Week(2),
            PeriodType::WeeklyThursday => Shape::Week(3),
            PeriodType::WeeklyFriday => Shape::Week(4),
            PeriodType::WeeklySaturday => Shape::Week(5),
            PeriodType::WeeklySunday => Shape::Week(6),
            PeriodType::BiWeekly => Shape::BiWeek,
            PeriodType::Monthly => months(1, 0),
            PeriodType::BiMonthly => months(2, 0),
            PeriodType::Quarterly => months(3, 0),
            PeriodType::QuarterlyNov => months(3, 10),
            PeriodType::SixMonthly => months(6, 0),
            PeriodType::SixMonthlyApril => months(6, 3),
            PeriodType::SixMonthlyNov => months(6, 10),
            PeriodType::Yearly => months(12, 0),
            PeriodType::FinancialFeb => months(12, 1),
            PeriodType::FinancialApril => months(12, 3),
            PeriodType::FinancialJuly => months(12, 6),
            PeriodType::FinancialAug => months(12, 7),
            PeriodType::FinancialSep => months(12, 8),
            PeriodType::FinancialOct => months(12, 9),
            PeriodType::FinancialNov => months(12, 10),
            PeriodType::TwoYearly => months(24, 0),
        }
    }

    /// The infix of weekly types in the ISO form (`W`, `WedW`, …).
    fn week_infix(self) -> &'static str {
        match self {
            PeriodType::WeeklyWednesday => "WedW",
            PeriodType::WeeklyThursday => "ThuW",
            PeriodType::WeeklyFriday => "FriW",
            PeriodType::WeeklySaturday => "SatW",
            PeriodType::WeeklySunday => "SunW",
            _ => "W",
        }
    }
}

impl FromStr for PeriodType {
    type Err = ModelError;
    /// DHIS2's `getByNameIgnoreCase`: the name in any letter case, surrounding white space
    /// ignored.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = s.trim();
        PeriodType::ALL
            .iter()
            .copied()
            .find(|t| t.name().eq_ignore_ascii_case(wanted))
            .ok_or_else(|| ModelError::InvalidPeriodType(s.to_owned()))
    }
}

impl fmt::Display for PeriodType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One DHIS2 period: a type and the first day of the period.
///
/// Small and `Copy` (8 bytes, no heap). Every value is aligned: its start date is the first day
/// of a period of its type, and its end date is a representable date.
///
/// ```
/// use dxf2_model::{Period, PeriodType};
///
/// let p: Period = "2024W1".parse().unwrap();
/// assert_eq!(p.period_type(), PeriodType::Weekly);
/// assert_eq!(p.start_date().to_string(), "2024-01-01");
/// assert_eq!(p.end_date().to_string(), "2024-01-07");
/// assert_eq!(p.previous().unwrap().to_string(), "2023W52");
/// assert_eq!("2024W01".parse::<Period>().unwrap(), p);
/// assert!("2021W53".parse::<Period>().is_err());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Period {
    period_type: PeriodType,
    start: NaiveDate,
}

/// The pieces of an ISO period string, before the validity rules.
#[derive(Clone, Copy)]
struct IsoFields {
    period_type: PeriodType,
    year: i32,
    /// Week, bi-week, month, bi-month, quarter or half-year number (0 when the form has none).
    number: u32,
    /// Day of month (daily periods only).
    day: u32,
}

impl IsoFields {
    fn new(period_type: PeriodType, year: i32, number: u32) -> IsoFields {
        IsoFields {
            period_type,
            year,
            number,
            day: 0,
        }
    }
}

impl Period {
    /// Parses an ISO period the way the classic DHIS2 parser (2.36–2.42) does.
    ///
    /// The regular expressions of `DateUnitType` must match the whole string (no trimming, ASCII
    /// digits only; week and bi-week numbers may have one or two digits, `2024W01` = `2024W1`),
    /// then the validity rules apply:
    ///
    /// * weekly types: week ≥ 1 and not beyond the last week of the year (`2021W53` is refused:
    ///   2021 has 52 ISO weeks; each weekly type numbers its own weeks, see [`Period`]'s
    ///   `Display`);
    /// * `BiWeekly`: n ≥ 1 and ISO week 2n−1 must exist in the year;
    /// * month 01..12, bi-month 01..06, quarter 1..4, half-year 1..2;
    /// * daily: impossible calendar dates such as `20240230` are **refused**. DHIS2's behaviour
    ///   for them is pinned by no DHIS2 test (its date arithmetic most likely throws and yields
    ///   no period); refusing is the safe reading.
    ///
    /// `FinancialFeb`, `FinancialAug` and `WeeklyFriday` forms are refused (2.43+ only), with a
    /// reason that says so; `TwoYearly` has no ISO form at all.
    pub fn parse(s: &str) -> Result<Period, ModelError> {
        match classic_fields(s) {
            Some(fields) => build(fields).map_err(|reason| invalid(s, reason)),
            None => Err(invalid(s, classic_mismatch_reason(s))),
        }
    }

    /// Parses an ISO period as the given DHIS2 generation does: [`ImporterProfile::Classic`] is
    /// [`Period::parse`]; [`ImporterProfile::Pipeline`] is the 2.43+ parser (`Period.Input.of`),
    /// which decides by length (4–11 characters), checks every digit strictly (`2024W1x` fails)
    /// and also reads `yyyyFeb`, `yyyyAug` and `yyyyFriWn`. The validity rules of
    /// [`Period::parse`] apply to the result.
    pub fn parse_with(s: &str, profile: ImporterProfile) -> Result<Period, ModelError> {
        match profile {
            ImporterProfile::Classic => Period::parse(s),
            ImporterProfile::Pipeline => pipeline_fields(s)
                .and_then(build)
                .map_err(|reason| invalid(s, reason)),
        }
    }

    /// The period of `period_type` that starts exactly on `start`, if `start` is the first day of
    /// one.
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use dxf2_model::{Period, PeriodType};
    ///
    /// let nov = NaiveDate::from_ymd_opt(2023, 11, 1).unwrap();
    /// assert_eq!(Period::from_start(PeriodType::FinancialNov, nov).unwrap().to_string(), "2024Nov");
    /// assert!(Period::from_start(PeriodType::Quarterly, nov).is_none());
    /// ```
    pub fn from_start(period_type: PeriodType, start: NaiveDate) -> Option<Period> {
        period_type
            .period_containing(start)
            .filter(|p| p.start == start)
    }

    /// The period type.
    pub fn period_type(&self) -> PeriodType {
        self.period_type
    }

    /// The first day of the period.
    pub fn start_date(&self) -> NaiveDate {
        self.start
    }

    /// The last day of the period (inclusive).
    pub fn end_date(&self) -> NaiveDate {
        // Every `Period` is built through `Period::checked`, which made sure this exists.
        end_of(self.period_type, self.start).unwrap_or(self.start)
    }

    /// Whether `date` lies within the period (start and end included).
    pub fn contains(&self, date: NaiveDate) -> bool {
        self.start <= date && date <= self.end_date()
    }

    /// The next period of the same type (DHIS2's `getNextPeriod`). `None` only at the end of
    /// `chrono`'s date range.
    pub fn next(&self) -> Option<Period> {
        self.offset(1)
    }

    /// The previous period of the same type (DHIS2's `getPreviousPeriod`). `None` only at the
    /// start of `chrono`'s date range.
    pub fn previous(&self) -> Option<Period> {
        self.offset(-1)
    }

    /// The period `n` periods later (earlier when `n` is negative), the way DHIS2 computes it:
    /// the start date is moved by `n` times the type's length (days, weeks, 2 weeks or months)
    /// and the period containing that date is taken.
    ///
    /// For every type but `BiWeekly` this steps through consecutive periods. DHIS2's bi-weeks
    /// overlap once in years with 53 ISO weeks: bi-week 27 (ISO weeks 53 and 1) is followed by
    /// bi-week 1 of the next year, which starts one week later, and stepping back from that
    /// bi-week 1 gives bi-week 26, skipping 27.
    pub fn offset(&self, n: i64) -> Option<Period> {
        match self.period_type.shape() {
            Shape::Day => self.period_type.period_containing(add_days(self.start, n)?),
            Shape::Week(_) => self
                .period_type
                .period_containing(add_days(self.start, n.checked_mul(7)?)?),
            Shape::BiWeek => self
                .period_type
                .period_containing(add_days(self.start, n.checked_mul(14)?)?),
            Shape::Months { length, .. } => {
                let index = month_index(self.start).checked_add(n.checked_mul(length)?)?;
                Period::checked(self.period_type, month_start(index)?)
            }
        }
    }

    /// The ADX form: `<start date yyyy-MM-dd>/<ISO 8601 duration>` (`AdxPeriod.serialize`), e.g.
    /// `2024-01-01/P1M`, `2021-12-29/P7D` for `2022WedW1`.
    pub fn to_adx(&self) -> String {
        format!(
            "{}/{}",
            DateText(self.start),
            self.period_type.iso_duration()
        )
    }

    /// Reads the ADX form back into a period, strictly: the period type is chosen from the
    /// duration and the start date as DHIS2's `AdxPeriod.parse` chooses it, and the start date
    /// must then be exactly the first day of a period of that type.
    ///
    /// | duration | start date | type |
    /// |---|---|---|
    /// | `P1D` | any | Daily |
    /// | `P7D` | Monday / Wednesday / Thursday / Friday / Saturday / Sunday | Weekly / WeeklyWednesday / … (no Tuesday weeks) |
    /// | `P14D` | Monday of an odd ISO week | BiWeekly |
    /// | `P1M` | 1st of a month | Monthly |
    /// | `P2M` | 1st of Jan, Mar, …, Nov | BiMonthly |
    /// | `P3M` | 1st of Jan, Apr, Jul, Oct | Quarterly (DHIS2 never reads P3M as QuarterlyNov) |
    /// | `P6M` | 1st of Jan/Jul, Apr/Oct, Nov/May | SixMonthly, SixMonthlyApril, SixMonthlyNov |
    /// | `P1Y` | 1st of Jan, Feb, Apr, Jul, Aug, Sep, Oct, Nov | Yearly, FinancialFeb, FinancialApril, … FinancialNov |
    ///
    /// Every type DHIS2 2.43+ maps is accepted (including Friday weeks and the February, August
    /// and September financial years). `QuarterlyNov` and `TwoYearly` periods have an ADX form
    /// ([`Period::to_adx`]) but DHIS2 cannot read it back, so neither can this function.
    ///
    /// DHIS2 itself silently moves a misaligned start date to the period containing it
    /// (`2024-01-15/P1M` → `202401`); this function refuses it instead. Use
    /// [`Period::parse_adx_with`] for DHIS2's exact behaviour.
    ///
    /// ```
    /// use dxf2_model::Period;
    /// assert_eq!(Period::parse_adx("2024-01-03/P7D").unwrap().to_string(), "2024WedW1");
    /// assert_eq!(Period::parse_adx("2024-11-01/P1Y").unwrap().to_string(), "2025Nov");
    /// assert!(Period::parse_adx("2024-01-02/P7D").is_err()); // a Tuesday
    /// assert!(Period::parse_adx("2024-01-15/P1M").is_err()); // not the 1st
    /// ```
    pub fn parse_adx(s: &str) -> Result<Period, ModelError> {
        let (date, duration) = adx_parts(s).map_err(|reason| invalid(s, reason))?;
        let period_type = adx_type(date, duration, true).map_err(|reason| invalid(s, reason))?;
        let period = period_type
            .period_containing(date)
            .ok_or_else(|| invalid(s, out_of_range()))?;
        if period.start == date {
            return Ok(period);
        }
        let mut reason = format!(
            "{} is not the first day of a {} period: the {} period containing it is {} starting {} \
             (DHIS2 would silently use that period)",
            DateText(date),
            period_type,
            period_type,
            period,
            DateText(period.start)
        );
        if period_type == PeriodType::Quarterly && date.day() == 1 && date.month() % 3 == 2 {
            reason.push_str("; P3M always means a calendar quarter in DHIS2, QuarterlyNov periods cannot be read from ADX");
        }
        Err(invalid(s, reason))
    }

    /// Reads the ADX form exactly as the given DHIS2 generation does (`AdxPeriod.parse`): the type
    /// is chosen as in [`Period::parse_adx`] (but [`ImporterProfile::Classic`] does not know
    /// Friday weeks or the February, August and September financial years), then the period
    /// **containing** the start date is taken, so a misaligned date is silently moved
    /// (`2024-01-15/P1M` → `202401`, `2024-11-01/P3M` → `2024Q4`).
    pub fn parse_adx_with(s: &str, profile: ImporterProfile) -> Result<Period, ModelError> {
        let (date, duration) = adx_parts(s).map_err(|reason| invalid(s, reason))?;
        let allow_new = profile == ImporterProfile::Pipeline;
        let period_type =
            adx_type(date, duration, allow_new).map_err(|reason| invalid(s, reason))?;
        period_type
            .period_containing(date)
            .ok_or_else(|| invalid(s, out_of_range()))
    }

    /// A period from an aligned start date, if its end date is representable.
    fn checked(period_type: PeriodType, start: NaiveDate) -> Option<Period> {
        end_of(period_type, start)?;
        Some(Period { period_type, start })
    }
}

impl FromStr for Period {
    type Err = ModelError;
    /// The classic parser, [`Period::parse`].
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Period::parse(s)
    }
}

impl fmt::Display for Period {
    /// DHIS2's canonical ISO form (`getIsoDate`), as written on export: `20240115`, `2024W1`
    /// (no leading zero on week numbers), `2024WedW1`, `2024BiW1`, `202401`, `202401B`, `2024Q1`,
    /// `2024NovQ1`, `2024S1`, `2024AprilS2`, `2024NovS1`, `2024`, `2024April`, `2024Nov`, ….
    ///
    /// Weeks of every weekly type are numbered like ISO 8601 weeks, each with its own first day:
    /// week 1 is the first week with at least 4 days in the year (the one containing 4 January),
    /// and a week belongs to the year that holds its 4th day. So `2024WedW1` starts on Wednesday
    /// 2024-01-03 and `2022WedW1` on 2021-12-29. Years are written with at least four digits.
    ///
    /// `TwoYearly` has no ISO form; it is written in the ADX form (`2024-01-01/P2Y`), which no
    /// ISO parser accepts.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let start = self.start;
        let year = start.year();
        let month = start.month();
        match self.period_type {
            PeriodType::Daily => write!(f, "{year:04}{month:02}{:02}", start.day()),
            PeriodType::Weekly
            | PeriodType::WeeklyWednesday
            | PeriodType::WeeklyThursday
            | PeriodType::WeeklyFriday
            | PeriodType::WeeklySaturday
            | PeriodType::WeeklySunday => {
                let first_day = match self.period_type.shape() {
                    Shape::Week(first_day) => first_day,
                    _ => 0,
                };
                match week_number(start, first_day) {
                    Some((week_year, week)) => {
                        write!(f, "{week_year:04}{}{week}", self.period_type.week_infix())
                    }
                    // Unreachable for aligned periods; never fail a `Display`.
                    None => f.write_str(&self.to_adx()),
                }
            }
            PeriodType::BiWeekly => {
                let week = start.iso_week();
                write!(f, "{:04}BiW{}", week.year(), week.week().div_ceil(2))
            }
            PeriodType::Monthly => write!(f, "{year:04}{month:02}"),
            PeriodType::BiMonthly => write!(f, "{year:04}{:02}B", month.div_ceil(2)),
            PeriodType::Quarterly => write!(f, "{year:04}Q{}", month.div_ceil(3)),
            PeriodType::QuarterlyNov => {
                // Nov → Q1 of the next year; Feb → Q2, May → Q3, Aug → Q4.
                if month == 11 {
                    write!(f, "{:04}NovQ1", i64::from(year) + 1)
                } else {
                    write!(f, "{year:04}NovQ{}", (month + 1) / 3 + 1)
                }
            }
            PeriodType::SixMonthly => write!(f, "{year:04}S{}", if month == 1 { 1 } else { 2 }),
            PeriodType::SixMonthlyApril => {
                write!(f, "{year:04}AprilS{}", if month == 4 { 1 } else { 2 })
            }
            PeriodType::SixMonthlyNov => {
                if month == 11 {
                    write!(f, "{:04}NovS1", i64::from(year) + 1)
                } else {
                    write!(f, "{year:04}NovS2")
                }
            }
            PeriodType::Yearly => write!(f, "{year:04}"),
            PeriodType::FinancialFeb => write!(f, "{year:04}Feb"),
            PeriodType::FinancialApril => write!(f, "{year:04}April"),
            PeriodType::FinancialJuly => write!(f, "{year:04}July"),
            PeriodType::FinancialAug => write!(f, "{year:04}Aug"),
            PeriodType::FinancialSep => write!(f, "{year:04}Sep"),
            PeriodType::FinancialOct => write!(f, "{year:04}Oct"),
            PeriodType::FinancialNov => write!(f, "{:04}Nov", i64::from(year) + 1),
            PeriodType::TwoYearly => f.write_str(&self.to_adx()),
        }
    }
}
