//! The ISO forms of a period (`202401`, `2024W1`, `2024NovQ1`, …): the syntax of the classic
//! (2.36–2.42) and 2.43+ parsers, then DHIS2's validity rules.

use super::*;

pub(super) fn invalid(input: &str, reason: String) -> ModelError {
    ModelError::InvalidPeriod {
        input: input.to_owned(),
        reason,
    }
}

pub(super) fn out_of_range() -> String {
    "the period lies outside the supported date range".to_owned()
}

pub(super) fn digit(b: u8) -> Option<u32> {
    if b.is_ascii_digit() {
        Some(u32::from(b - b'0'))
    } else {
        None
    }
}

/// All bytes ASCII digits (at least one), as a number.
pub(super) fn number(bytes: &[u8]) -> Option<u32> {
    if bytes.is_empty() || bytes.len() > 4 {
        return None;
    }
    bytes
        .iter()
        .try_fold(0u32, |acc, &b| Some(acc * 10 + digit(b)?))
}

/// One or two ASCII digits (the classic `(\d[\d]?)`).
pub(super) fn one_or_two_digits(bytes: &[u8]) -> Option<u32> {
    if bytes.len() > 2 {
        return None;
    }
    number(bytes)
}

/// The classic parser's syntax: which `DateUnitType` regex matches the whole string. The regexes
/// are mutually exclusive under full matching, so trying them in DHIS2's order is the same as
/// matching the shape of the text after the 4-digit year.
pub(super) fn classic_fields(s: &str) -> Option<IsoFields> {
    let bytes = s.as_bytes();
    let year = i32::try_from(number(bytes.get(..4)?)?).ok()?;
    let rest = bytes.get(4..)?;
    let with = |period_type, number| Some(IsoFields::new(period_type, year, number));
    let digits = |b: &[u8]| b.iter().all(u8::is_ascii_digit);
    match rest {
        // Yearly: (\d{4})
        [] => with(PeriodType::Yearly, 0),
        // (\d{4})April, (\d{4})July, (\d{4})Sep, (\d{4})Oct, (\d{4})Nov
        b"April" => with(PeriodType::FinancialApril, 0),
        b"July" => with(PeriodType::FinancialJuly, 0),
        b"Sep" => with(PeriodType::FinancialSep, 0),
        b"Oct" => with(PeriodType::FinancialOct, 0),
        b"Nov" => with(PeriodType::FinancialNov, 0),
        // Quarterly: (\d{4})Q(\d); SixMonthly: (\d{4})S(\d)
        [b'Q', q] if q.is_ascii_digit() => with(PeriodType::Quarterly, digit(*q)?),
        [b'S', h] if h.is_ascii_digit() => with(PeriodType::SixMonthly, digit(*h)?),
        // Monthly: (\d{4})[-]?(\d{2})
        [m1, m2] | [b'-', m1, m2] if digits(&[*m1, *m2]) => {
            with(PeriodType::Monthly, number(&[*m1, *m2])?)
        }
        // BiMonthly: (\d{4})(\d{2})B
        [m1, m2, b'B'] if digits(&[*m1, *m2]) => with(PeriodType::BiMonthly, number(&[*m1, *m2])?),
        // Daily: (\d{4})(\d{2})(\d{2}) or (\d{4})-(\d{2})-(\d{2})
        [m1, m2, d1, d2] | [b'-', m1, m2, b'-', d1, d2] if digits(&[*m1, *m2, *d1, *d2]) => {
            Some(IsoFields {
                period_type: PeriodType::Daily,
                year,
                number: number(&[*m1, *m2])?,
                day: number(&[*d1, *d2])?,
            })
        }
        _ => {
            // (prefix, type, whether the number may have two digits)
            const PREFIXED: [(&[u8], PeriodType, bool); 9] = [
                (b"W", PeriodType::Weekly, true),
                (b"WedW", PeriodType::WeeklyWednesday, true),
                (b"ThuW", PeriodType::WeeklyThursday, true),
                (b"SatW", PeriodType::WeeklySaturday, true),
                (b"SunW", PeriodType::WeeklySunday, true),
                (b"BiW", PeriodType::BiWeekly, true),
                (b"NovQ", PeriodType::QuarterlyNov, false),
                (b"AprilS", PeriodType::SixMonthlyApril, false),
                (b"NovS", PeriodType::SixMonthlyNov, false),
            ];
            PREFIXED
                .iter()
                .find_map(|&(prefix, period_type, two_digits)| {
                    let tail = rest.strip_prefix(prefix)?;
                    let n = match tail {
                        [d] => digit(*d)?,
                        [_, _] if two_digits => one_or_two_digits(tail)?,
                        _ => return None,
                    };
                    with(period_type, n)
                })
        }
    }
}

/// Why the classic parser matched nothing.
pub(super) fn classic_mismatch_reason(s: &str) -> String {
    if s.is_empty() {
        return "empty: not a DHIS2 ISO period".to_owned();
    }
    if s.trim() != s {
        return "has leading or trailing white space: not a DHIS2 ISO period".to_owned();
    }
    if let Ok(fields) = pipeline_fields(s) {
        let t = fields.period_type;
        if !t.supported_by(ImporterProfile::Classic) {
            return format!(
                "a {t} period, a form only DHIS2 2.43+ reads: the classic parser (2.36-2.42) \
                 does not know it"
            );
        }
    }
    "not a DHIS2 ISO period (expected a form such as 2024, 202401, 2024-01, 20240115, \
     2024-01-15, 2024W1, 2024WedW1, 2024BiW1, 202401B, 2024Q1, 2024NovQ1, 2024S1, 2024AprilS1, \
     2024NovS1, 2024April, 2024July, 2024Sep, 2024Oct or 2024Nov)"
        .to_owned()
}

/// The 2.43+ parser's syntax (`Period.Input.of`): decided by length, every digit checked.
pub(super) fn pipeline_fields(s: &str) -> Result<IsoFields, String> {
    let bytes = s.as_bytes();
    if !s.is_ascii() {
        return Err("contains a character that is not ASCII".to_owned());
    }
    let len = bytes.len();
    if !(4..=11).contains(&len) {
        return Err(format!(
            "a period must have between 4 and 11 characters, found {len}"
        ));
    }
    let digits = |from: usize, count: usize| -> Result<u32, String> {
        let mut value = 0u32;
        for i in from..from + count {
            match bytes.get(i).copied().and_then(digit) {
                Some(d) => value = value * 10 + d,
                None => {
                    let found = bytes.get(i).map(|&b| char::from(b)).unwrap_or(' ');
                    return Err(format!(
                        "expected a digit at position {i} but found `{found}`"
                    ));
                }
            }
        }
        Ok(value)
    };
    let infix_error = |one_of: &[&str]| -> String {
        format!(
            "expected one of {} at position 4 for an ISO period of length {len} but found `{}`",
            one_of.join(", "),
            s.get(4..).unwrap_or("")
        )
    };
    let at4 = |infix: &str| bytes.get(4..4 + infix.len()) == Some(infix.as_bytes());
    let year = i32::try_from(digits(0, 4)?).map_err(|_| out_of_range())?;
    let fields = |period_type, number| -> Result<IsoFields, String> {
        Ok(IsoFields::new(period_type, year, number))
    };
    let daily = |month_at: usize, day_at: usize| -> Result<IsoFields, String> {
        Ok(IsoFields {
            period_type: PeriodType::Daily,
            year,
            number: digits(month_at, 2)?,
            day: digits(day_at, 2)?,
        })
    };
    let c4 = bytes.get(4).copied().unwrap_or(b' ');
    match len {
        4 => fields(PeriodType::Yearly, 0),
        6 => {
            let primary = digits(5, 1)?;
            match c4 {
                b'W' => fields(PeriodType::Weekly, primary),
                b'0'..=b'9' => fields(PeriodType::Monthly, digits(4, 2)?),
                b'Q' => fields(PeriodType::Quarterly, primary),
                b'S' => fields(PeriodType::SixMonthly, primary),
                _ => Err(infix_error(&["W", "Q", "S"])),
            }
        }
        7 => {
            const SUFFIXES: [(&str, PeriodType); 5] = [
                ("Feb", PeriodType::FinancialFeb),
                ("Aug", PeriodType::FinancialAug),
                ("Sep", PeriodType::FinancialSep),
                ("Oct", PeriodType::FinancialOct),
                ("Nov", PeriodType::FinancialNov),
            ];
            if let Some(&(_, t)) = SUFFIXES.iter().find(|(suffix, _)| s.ends_with(suffix)) {
                return fields(t, 0);
            }
            if s.ends_with('B') {
                return fields(PeriodType::BiMonthly, digits(4, 2)?);
            }
            let primary = digits(5, 2)?;
            match c4 {
                b'W' => fields(PeriodType::Weekly, primary),
                b'-' => fields(PeriodType::Monthly, primary),
                _ => Err(infix_error(&["W", "-"])),
            }
        }
        8 => {
            if s.ends_with("July") {
                fields(PeriodType::FinancialJuly, 0)
            } else if at4("BiW") {
                fields(PeriodType::BiWeekly, digits(7, 1)?)
            } else {
                daily(4, 6)
            }
        }
        9 => {
            if s.ends_with("April") {
                return fields(PeriodType::FinancialApril, 0);
            }
            if at4("NovQ") {
                return fields(PeriodType::QuarterlyNov, digits(8, 1)?);
            }
            if at4("BiW") {
                return fields(PeriodType::BiWeekly, digits(7, 2)?);
            }
            let primary = digits(8, 1)?;
            const INFIXES: [(&str, PeriodType); 6] = [
                ("WedW", PeriodType::WeeklyWednesday),
                ("ThuW", PeriodType::WeeklyThursday),
                ("FriW", PeriodType::WeeklyFriday),
                ("SatW", PeriodType::WeeklySaturday),
                ("SunW", PeriodType::WeeklySunday),
                ("NovS", PeriodType::SixMonthlyNov),
            ];
            match INFIXES.iter().find(|(infix, _)| at4(infix)) {
                Some(&(_, t)) => fields(t, primary),
                None => Err(infix_error(&[
                    "WedW", "ThuW", "FriW", "SatW", "SunW", "NovS",
                ])),
            }
        }
        10 => {
            if c4 == b'-' {
                if bytes.get(7) != Some(&b'-') {
                    let found = bytes.get(7).map(|&b| char::from(b)).unwrap_or(' ');
                    return Err(format!("expected a dash at position 7 but found `{found}`"));
                }
                return daily(5, 8);
            }
            let primary = digits(8, 2)?;
            const INFIXES: [(&str, PeriodType); 5] = [
                ("WedW", PeriodType::WeeklyWednesday),
                ("ThuW", PeriodType::WeeklyThursday),
                ("FriW", PeriodType::WeeklyFriday),
                ("SatW", PeriodType::WeeklySaturday),
                ("SunW", PeriodType::WeeklySunday),
            ];
            match INFIXES.iter().find(|(infix, _)| at4(infix)) {
                Some(&(_, t)) => fields(t, primary),
                None => Err(infix_error(&["WedW", "ThuW", "FriW", "SatW", "SunW"])),
            }
        }
        // 5 and 11 (DHIS2 sends every other length to its length-11 branch).
        _ => {
            if len == 11 && at4("AprilS") {
                fields(PeriodType::SixMonthlyApril, digits(10, 1)?)
            } else {
                Err(infix_error(&["AprilS"]))
            }
        }
    }
}

/// DHIS2's validity rules, shared by both parsers: turns the pieces into a period or says why
/// they name none.
pub(super) fn build(fields: IsoFields) -> Result<Period, String> {
    let IsoFields {
        period_type,
        year,
        number: n,
        day,
    } = fields;
    let y = i64::from(year);
    let n64 = i64::from(n);
    // `what` is formatted only on failure: parsing a valid period allocates nothing.
    let check = |ok: bool, what: std::fmt::Arguments<'_>, range: &str| -> Result<(), String> {
        if ok {
            Ok(())
        } else {
            Err(format!("{what} is not {range}"))
        }
    };
    let start = match period_type.shape() {
        Shape::Day => {
            check(
                (1..=12).contains(&n),
                format_args!("month {n:02}"),
                "01..12",
            )?;
            NaiveDate::from_ymd_opt(year, n, day).ok_or_else(|| {
                format!("{year:04}-{n:02}-{day:02} is not a calendar date (day {day:02} does not exist in that month)")
            })?
        }
        Shape::Week(first_day) => {
            if n == 0 {
                return Err("week 0 does not exist: weeks are numbered from 1".to_owned());
            }
            let weeks = weeks_in_year(year, first_day).ok_or_else(out_of_range)?;
            if n64 > weeks {
                let kind = match first_day {
                    0 => "ISO",
                    2 => "Wednesday",
                    3 => "Thursday",
                    4 => "Friday",
                    5 => "Saturday",
                    _ => "Sunday",
                };
                return Err(format!(
                    "week {n} does not exist in {year:04}: it has {weeks} {kind} weeks"
                ));
            }
            let first = first_week_start(year, first_day).ok_or_else(out_of_range)?;
            add_days(first, (n64 - 1) * 7).ok_or_else(out_of_range)?
        }
        Shape::BiWeek => {
            if n == 0 {
                return Err("bi-week 0 does not exist: bi-weeks are numbered from 1".to_owned());
            }
            let weeks = weeks_in_year(year, 0).ok_or_else(out_of_range)?;
            let first_week = 2 * n64 - 1;
            if first_week > weeks {
                return Err(format!(
                    "bi-week {n} does not exist in {year:04}: it would start in ISO week \
                     {first_week} and {year:04} has {weeks} ISO weeks"
                ));
            }
            let first = first_week_start(year, 0).ok_or_else(out_of_range)?;
            add_days(first, (first_week - 1) * 7).ok_or_else(out_of_range)?
        }
        Shape::Months { .. } => {
            let month0 = match period_type {
                PeriodType::Monthly => {
                    check(
                        (1..=12).contains(&n),
                        format_args!("month {n:02}"),
                        "01..12",
                    )?;
                    n64 - 1
                }
                PeriodType::BiMonthly => {
                    check(
                        (1..=6).contains(&n),
                        format_args!("bi-month {n:02}"),
                        "01..06",
                    )?;
                    (n64 - 1) * 2
                }
                PeriodType::Quarterly | PeriodType::QuarterlyNov => {
                    check((1..=4).contains(&n), format_args!("quarter {n}"), "1..4")?;
                    let from = if period_type == PeriodType::QuarterlyNov {
                        -2
                    } else {
                        0
                    };
                    from + (n64 - 1) * 3
                }
                PeriodType::SixMonthly
                | PeriodType::SixMonthlyApril
                | PeriodType::SixMonthlyNov => {
                    check((1..=2).contains(&n), format_args!("half-year {n}"), "1..2")?;
                    let from = match period_type {
                        PeriodType::SixMonthlyApril => 3,
                        PeriodType::SixMonthlyNov => -2,
                        _ => 0,
                    };
                    from + (n64 - 1) * 6
                }
                PeriodType::FinancialFeb => 1,
                PeriodType::FinancialApril => 3,
                PeriodType::FinancialJuly => 6,
                PeriodType::FinancialAug => 7,
                PeriodType::FinancialSep => 8,
                PeriodType::FinancialOct => 9,
                PeriodType::FinancialNov => -2,
                _ => 0,
            };
            month_start(y * 12 + month0).ok_or_else(out_of_range)?
        }
    };
    Period::checked(period_type, start).ok_or_else(out_of_range)
}
