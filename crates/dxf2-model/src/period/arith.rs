//! Date arithmetic for periods; every step is checked (no overflow, no panic).

use super::*;

/// `yyyy-MM-dd` for years 0..=9999 (chrono's own form otherwise).
pub(super) struct DateText(pub(super) NaiveDate);

impl fmt::Display for DateText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let d = self.0;
        if (0..=9999).contains(&d.year()) {
            write!(f, "{:04}-{:02}-{:02}", d.year(), d.month(), d.day())
        } else {
            write!(f, "{d}")
        }
    }
}

/// Months since year 0: year × 12 + month0.
pub(super) fn month_index(date: NaiveDate) -> i64 {
    i64::from(date.year()) * 12 + i64::from(date.month0())
}

/// The first day of the month with the given [`month_index`].
pub(super) fn month_start(index: i64) -> Option<NaiveDate> {
    let year = i32::try_from(index.div_euclid(12)).ok()?;
    let month = u32::try_from(index.rem_euclid(12) + 1).ok()?;
    NaiveDate::from_ymd_opt(year, month, 1)
}

pub(super) fn add_days(date: NaiveDate, days: i64) -> Option<NaiveDate> {
    if days >= 0 {
        date.checked_add_days(Days::new(u64::try_from(days).ok()?))
    } else {
        date.checked_sub_days(Days::new(days.unsigned_abs()))
    }
}

/// The last day of the period of `period_type` starting on `start`.
pub(super) fn end_of(period_type: PeriodType, start: NaiveDate) -> Option<NaiveDate> {
    match period_type.shape() {
        Shape::Day => Some(start),
        Shape::Week(_) => start.checked_add_days(Days::new(6)),
        Shape::BiWeek => start.checked_add_days(Days::new(13)),
        Shape::Months { length, .. } => {
            month_start(month_index(start).checked_add(length)?)?.checked_sub_days(Days::new(1))
        }
    }
}

/// The first day of week 1 of `week_year` for weeks starting `first_day` days after Monday: the
/// week that contains 4 January.
pub(super) fn first_week_start(week_year: i32, first_day: u32) -> Option<NaiveDate> {
    let jan4 = NaiveDate::from_ymd_opt(week_year, 1, 4)?;
    let back = (jan4.weekday().num_days_from_monday() + 7 - first_day) % 7;
    jan4.checked_sub_days(Days::new(u64::from(back)))
}

/// How many weeks (52 or 53) `week_year` has for weeks starting `first_day` days after Monday.
pub(super) fn weeks_in_year(week_year: i32, first_day: u32) -> Option<i64> {
    let this = first_week_start(week_year, first_day)?;
    let next = first_week_start(week_year.checked_add(1)?, first_day)?;
    Some((next - this).num_days() / 7)
}

/// (week-based year, week number) of the week starting on `start`.
pub(super) fn week_number(start: NaiveDate, first_day: u32) -> Option<(i32, i64)> {
    // A week belongs to the year that holds its 4th day.
    let week_year = start.checked_add_days(Days::new(3))?.year();
    let first = first_week_start(week_year, first_day)?;
    Some((week_year, (start - first).num_days() / 7 + 1))
}
