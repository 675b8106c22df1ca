//! The ADX form of a period: `<start date>/<ISO 8601 duration>` (`2024-01-01/P1M`).

use super::*;

/// Splits `<yyyy-MM-dd>/<duration>`.
pub(super) fn adx_parts(s: &str) -> Result<(NaiveDate, &str), String> {
    let mut tokens = s.split('/');
    let (Some(date), Some(duration), None) = (tokens.next(), tokens.next(), tokens.next()) else {
        return Err("not in the ADX <yyyy-MM-dd>/<duration> form".to_owned());
    };
    let bytes = date.as_bytes();
    let parsed = match bytes {
        [y1, y2, y3, y4, b'-', m1, m2, b'-', d1, d2] => {
            let year = number(&[*y1, *y2, *y3, *y4]).and_then(|y| i32::try_from(y).ok());
            let month = number(&[*m1, *m2]);
            let day = number(&[*d1, *d2]);
            match (year, month, day) {
                (Some(y), Some(m), Some(d)) => NaiveDate::from_ymd_opt(y, m, d),
                _ => None,
            }
        }
        _ => None,
    };
    let date = parsed.ok_or_else(|| format!("`{date}` is not a yyyy-MM-dd calendar date"))?;
    Ok((date, duration))
}

/// DHIS2's choice of period type for an ADX start date and duration (`AdxPeriod.parse`).
/// `allow_new`: whether the 2.43+ mappings (Friday weeks, Feb/Aug/Sep years) are known.
pub(super) fn adx_type(
    date: NaiveDate,
    duration: &str,
    allow_new: bool,
) -> Result<PeriodType, String> {
    let new = |t: PeriodType, what: &str| -> Result<PeriodType, String> {
        if allow_new {
            Ok(t)
        } else {
            Err(format!(
                "{duration} starting {what} is {t}, which DHIS2 reads from ADX only since 2.43"
            ))
        }
    };
    let month = date.month();
    let month_name = |m: u32| match m {
        1 => "January",
        2 => "February",
        3 => "March",
        4 => "April",
        5 => "May",
        6 => "June",
        7 => "July",
        8 => "August",
        9 => "September",
        10 => "October",
        11 => "November",
        _ => "December",
    };
    match duration {
        "P1D" => Ok(PeriodType::Daily),
        "P7D" => match date.weekday() {
            Weekday::Mon => Ok(PeriodType::Weekly),
            Weekday::Wed => Ok(PeriodType::WeeklyWednesday),
            Weekday::Thu => Ok(PeriodType::WeeklyThursday),
            Weekday::Fri => new(PeriodType::WeeklyFriday, "on a Friday"),
            Weekday::Sat => Ok(PeriodType::WeeklySaturday),
            Weekday::Sun => Ok(PeriodType::WeeklySunday),
            Weekday::Tue => Err(format!(
                "{} is a Tuesday: DHIS2 has no weekly period type starting on Tuesday",
                DateText(date)
            )),
        },
        "P14D" => Ok(PeriodType::BiWeekly),
        "P1M" => Ok(PeriodType::Monthly),
        "P2M" => Ok(PeriodType::BiMonthly),
        "P3M" => Ok(PeriodType::Quarterly),
        "P6M" => match month {
            1 | 7 => Ok(PeriodType::SixMonthly),
            4 | 10 => Ok(PeriodType::SixMonthlyApril),
            5 | 11 => Ok(PeriodType::SixMonthlyNov),
            m => Err(format!(
                "no six-monthly period type starts in {} (DHIS2 maps P6M starting in \
                 January/July, April/October or May/November)",
                month_name(m)
            )),
        },
        "P1Y" => match month {
            1 => Ok(PeriodType::Yearly),
            2 => new(PeriodType::FinancialFeb, "in February"),
            4 => Ok(PeriodType::FinancialApril),
            7 => Ok(PeriodType::FinancialJuly),
            8 => new(PeriodType::FinancialAug, "in August"),
            9 => new(PeriodType::FinancialSep, "in September"),
            10 => Ok(PeriodType::FinancialOct),
            11 => Ok(PeriodType::FinancialNov),
            m => Err(format!(
                "no yearly period type starts in {} (DHIS2 maps P1Y starting in January, \
                 February, April, July, August, September, October or November)",
                month_name(m)
            )),
        },
        "P2Y" => Err("P2Y (TwoYearly) is not read by DHIS2's ADX parser".to_owned()),
        other => Err(format!(
            "`{other}` is not a supported duration: expected P1D, P7D, P14D, P1M, P2M, P3M, P6M \
             or P1Y"
        )),
    }
}
