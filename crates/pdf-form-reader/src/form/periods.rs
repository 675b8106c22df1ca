//! The period choices of a form, as DHIS2 offers them: every period of the data set's type from
//! the one containing 1 January of (this year − 1) to the one containing 1 January of (this
//! year + 2); for the yearly-ish types (`Quarterly`, `SixMonthly`, `SixMonthlyApril`, `Yearly`,
//! `FinancialApril`, `FinancialJuly`, `FinancialOct`, `FinancialNov`) from this year − 5 to this
//! year + 6. Each choice shows `<name> - <start> - <end>` and exports the ISO period.

use chrono::Datelike;
use dxf2_model::metadata::NaiveDate;
use dxf2_model::{Period, PeriodType};

/// Years back and forward for most period types (`PERIODRANGE_PREVYEARS`, `…FUTUREYEARS`).
const YEARS_BACK: i32 = 1;
const YEARS_FORWARD: i32 = 2;
/// Years back and forward for the yearly-ish types (`PERIODRANGE_PREVYEARS_YEARLY`, …).
const YEARS_BACK_YEARLY: i32 = 5;
const YEARS_FORWARD_YEARLY: i32 = 6;

/// The longest list made (a daily data set over four years has 1,462 choices).
const MAX_CHOICES: usize = 5_000;

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// Whether DHIS2 offers this type's periods over the long (−5/+6 years) window.
fn yearly_window(period_type: PeriodType) -> bool {
    matches!(
        period_type,
        PeriodType::Quarterly
            | PeriodType::SixMonthly
            | PeriodType::SixMonthlyApril
            | PeriodType::Yearly
            | PeriodType::FinancialApril
            | PeriodType::FinancialJuly
            | PeriodType::FinancialOct
            | PeriodType::FinancialNov
    )
}

/// The periods offered on a form made on `today`, oldest first.
pub fn period_choices(period_type: PeriodType, today: NaiveDate) -> Vec<Period> {
    use dxf2_model::metadata::NaiveDate as D;
    let year = today.year();
    let (back, forward) = if yearly_window(period_type) {
        (YEARS_BACK_YEARLY, YEARS_FORWARD_YEARLY)
    } else {
        (YEARS_BACK, YEARS_FORWARD)
    };
    let first = D::from_ymd_opt(year - back, 1, 1).and_then(|d| period_type.period_containing(d));
    let last = D::from_ymd_opt(year + forward, 1, 1).and_then(|d| period_type.period_containing(d));
    let (Some(mut period), Some(last)) = (first, last) else {
        return Vec::new();
    };
    let mut out = vec![period];
    while period != last && out.len() < MAX_CHOICES {
        match period.next() {
            Some(next) => {
                period = next;
                out.push(period);
            }
            None => break,
        }
    }
    out
}

fn month_name(date: NaiveDate) -> &'static str {
    MONTHS.get(date.month0() as usize).copied().unwrap_or("")
}

/// The name a person reads: `January 2024`, `January - March 2024`, `Week 1 2024`, `2024`,
/// `July 2024 - June 2025`, `2024-01-05`.
pub fn period_name(period: &Period) -> String {
    let start = period.start_date();
    let end = period.end_date();
    let (sy, ey) = (start.year(), end.year());
    match period.period_type() {
        PeriodType::Daily => start.format("%Y-%m-%d").to_string(),
        PeriodType::Monthly => format!("{} {sy}", month_name(start)),
        PeriodType::Yearly => format!("{sy}"),
        PeriodType::Weekly
        | PeriodType::WeeklyWednesday
        | PeriodType::WeeklyThursday
        | PeriodType::WeeklyFriday
        | PeriodType::WeeklySaturday
        | PeriodType::WeeklySunday
        | PeriodType::BiWeekly => period.to_string(),
        _ if sy == ey => format!("{} - {} {sy}", month_name(start), month_name(end)),
        _ => format!("{} {sy} - {} {ey}", month_name(start), month_name(end)),
    }
}

/// What a period choice shows: `<name> - <start yyyy-MM-dd> - <end yyyy-MM-dd>`.
pub fn period_display(period: &Period) -> String {
    format!(
        "{} - {} - {}",
        period_name(period),
        period.start_date().format("%Y-%m-%d"),
        period.end_date().format("%Y-%m-%d")
    )
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn monthly_forms_offer_last_year_to_the_year_after_next() {
        let choices = period_choices(PeriodType::Monthly, day(2024, 6, 15));
        assert_eq!(choices.first().unwrap().to_string(), "202301");
        assert_eq!(choices.last().unwrap().to_string(), "202601");
        assert_eq!(choices.len(), 37);
        assert_eq!(
            period_display(&choices[0]),
            "January 2023 - 2023-01-01 - 2023-01-31"
        );
    }

    #[test]
    fn yearly_types_offer_eleven_years_back_and_forward() {
        let choices = period_choices(PeriodType::Yearly, day(2024, 6, 15));
        assert_eq!(choices.first().unwrap().to_string(), "2019");
        assert_eq!(choices.last().unwrap().to_string(), "2030");
        let q = period_choices(PeriodType::Quarterly, day(2024, 6, 15));
        assert_eq!(q.first().unwrap().to_string(), "2019Q1");
        assert_eq!(q.last().unwrap().to_string(), "2030Q1");
        assert_eq!(
            period_display(&q[0]),
            "January - March 2019 - 2019-01-01 - 2019-03-31"
        );
        let fy = period_choices(PeriodType::FinancialJuly, day(2024, 6, 15));
        assert_eq!(period_name(&fy[0]), "July 2018 - June 2019");
    }

    #[test]
    fn weekly_forms_start_in_the_week_of_1_january() {
        let choices = period_choices(PeriodType::Weekly, day(2024, 6, 15));
        assert_eq!(choices.first().unwrap().to_string(), "2022W52");
        assert_eq!(choices.last().unwrap().to_string(), "2026W1");
    }
}
