//! ADX periods: `<start date>/<ISO 8601 duration>` (`2024-01-01/P1M`), read and written through
//! [`dxf2_model::Period`] exactly as DHIS2's `AdxPeriod` does.
//!
//! | duration | start date | DHIS2 period type |
//! |---|---|---|
//! | `P1D` | any | Daily |
//! | `P7D` | Monday / Wednesday / Thursday / Saturday / Sunday | Weekly / WeeklyWednesday / WeeklyThursday / WeeklySaturday / WeeklySunday (a Tuesday is refused) |
//! | `P7D` | Friday | WeeklyFriday, 2.43+ only |
//! | `P14D` | any | BiWeekly |
//! | `P1M` / `P2M` / `P3M` | any | Monthly / BiMonthly / Quarterly (never QuarterlyNov) |
//! | `P6M` | January or July / April or October / May or November | SixMonthly / SixMonthlyApril / SixMonthlyNov (other months refused) |
//! | `P1Y` | January / April / July / October / November | Yearly / FinancialApril / FinancialJuly / FinancialOct / FinancialNov |
//! | `P1Y` | February / August / September | FinancialFeb / FinancialAug / FinancialSep, 2.43+ only (other months refused) |
//!
//! The period is the one of that type **containing** the start date, as in DHIS2:
//! `2024-01-15/P1M` is `202401`. Every other duration (`P1W`, `P2Y`, `P12M`, `p1m`) is refused.
//!
//! DHIS2 2.42 and 2.43+ report every refusal but one with the same message,
//! `"<duration> is not a supported duration type"` (also for a bad date or a Tuesday); only a
//! text that is not two `/`-separated parts says `"<text> not in valid <date>/<duration>
//! format"`. [`PeriodError::dhis2_message`] gives that message, [`PeriodError`]'s `Display` adds
//! the precise reason.
//!
//! ```
//! use adx::period::{format_period, parse_period};
//! use dxf2_model::{ImporterProfile, Period};
//!
//! let p = parse_period("2024-01-03/P7D", ImporterProfile::Classic).unwrap();
//! assert_eq!(p.to_string(), "2024WedW1");
//! assert_eq!(format_period(&"2022Nov".parse::<Period>().unwrap()), "2021-11-01/P1Y");
//!
//! let err = parse_period("2024-01-02/P7D", ImporterProfile::Classic).unwrap_err();
//! assert_eq!(err.dhis2_message(), "P7D is not a supported duration type");
//! ```

use std::fmt;

use dxf2_model::{ImporterProfile, ModelError, Period};

use crate::java;

/// Why an ADX period could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PeriodError {
    text: String,
    dhis2: String,
    reason: String,
}

impl PeriodError {
    /// The period text as written.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// DHIS2's message for it (`AdxPeriod.parse`, 2.42 and 2.43+):
    /// `"<duration> is not a supported duration type"`, or `"<text> not in valid
    /// <date>/<duration> format"`.
    pub fn dhis2_message(&self) -> &str {
        &self.dhis2
    }

    /// The precise reason (which weekday, which month, which part is wrong).
    pub fn reason(&self) -> &str {
        &self.reason
    }
}

impl fmt::Display for PeriodError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "invalid ADX period `{}`: {} ({})",
            self.text, self.dhis2, self.reason
        )
    }
}

impl std::error::Error for PeriodError {}

/// Reads an ADX period as the given DHIS2 generation does: the type from the duration and the
/// start date (see the [module docs](self)), then the period of that type containing the start
/// date. [`ImporterProfile::Classic`] (2.36–2.42) does not know Friday weeks or the February,
/// August and September financial years.
pub fn parse_period(text: &str, profile: ImporterProfile) -> Result<Period, PeriodError> {
    Period::parse_adx_with(text, profile).map_err(|e| period_error(text, &e))
}

/// Writes a period in the ADX form (`AdxPeriod.serialize`): its start date and its type's ISO
/// 8601 duration, `2024-01-01/P1M`, `2021-12-29/P7D` for `2022WedW1`. Every type has one
/// (QuarterlyNov `P3M` and TwoYearly `P2Y` too, although DHIS2 cannot read those back).
pub fn format_period(period: &Period) -> String {
    period.to_adx()
}

fn period_error(text: &str, e: &ModelError) -> PeriodError {
    let reason = match e {
        ModelError::InvalidPeriod { reason, .. } => reason.clone(),
        other => other.to_string(),
    };
    let dhis2 = if java::split_count(text, '/') != 2 {
        format!("{text} not in valid <date>/<duration> format")
    } else {
        let duration = text.split('/').nth(1).unwrap_or_default();
        format!("{duration} is not a supported duration type")
    };
    PeriodError {
        text: text.to_owned(),
        dhis2,
        reason,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use dxf2_model::PeriodType;

    const BOTH: [ImporterProfile; 2] = [ImporterProfile::Classic, ImporterProfile::Pipeline];

    fn iso(text: &str, profile: ImporterProfile) -> String {
        parse_period(text, profile).unwrap().to_string()
    }

    /// `AdxPeriodTest.testParser` (DHIS2 2.42 and master), every case.
    #[test]
    fn dhis2_parse_cases() {
        for (adx, expected) in [
            ("2024-01-01/P1D", "20240101"),
            ("2024-05-06/P1D", "20240506"),
            ("2024-01-01/P7D", "2024W1"),
            ("2024-01-08/P7D", "2024W2"),
            ("2024-01-03/P7D", "2024WedW1"),
            ("2024-01-04/P7D", "2024ThuW1"),
            ("2024-01-06/P7D", "2024SatW2"),
            ("2024-01-07/P7D", "2024SunW2"),
            ("2024-01-01/P14D", "2024BiW1"),
            ("2024-01-15/P14D", "2024BiW2"),
            ("2024-01-01/P1M", "202401"),
            ("2024-05-01/P1M", "202405"),
            ("2024-01-01/P2M", "202401B"),
            ("2024-01-01/P3M", "2024Q1"),
            ("2024-04-01/P3M", "2024Q2"),
            ("2024-01-01/P6M", "2024S1"),
            ("2024-07-01/P6M", "2024S2"),
            ("2024-04-01/P6M", "2024AprilS1"),
            ("2024-10-01/P6M", "2024AprilS2"),
            ("2024-11-01/P6M", "2025NovS1"),
            ("2025-05-01/P6M", "2025NovS2"),
            ("2024-01-01/P1Y", "2024"),
            ("2024-04-01/P1Y", "2024April"),
            ("2024-07-01/P1Y", "2024July"),
            ("2024-10-01/P1Y", "2024Oct"),
            ("2024-11-01/P1Y", "2025Nov"),
        ] {
            for profile in BOTH {
                assert_eq!(iso(adx, profile), expected, "{adx} {profile:?}");
            }
        }
    }

    /// `AdxPeriodTest`'s failures, with DHIS2 2.42's messages.
    #[test]
    fn dhis2_failure_cases() {
        for (adx, message) in [
            (
                "2024-01-01/P1D/P1D",
                "2024-01-01/P1D/P1D not in valid <date>/<duration> format",
            ),
            ("2024-01-01/P1", "P1 is not a supported duration type"),
            ("2024-01-02/P7D", "P7D is not a supported duration type"),
            ("2014-02-01/P6M", "P6M is not a supported duration type"),
            ("2014-06-01/P1Y", "P1Y is not a supported duration type"),
        ] {
            for profile in BOTH {
                let e = parse_period(adx, profile).unwrap_err();
                assert_eq!(e.dhis2_message(), message, "{adx}");
                assert_eq!(e.text(), adx);
            }
        }
        let e = parse_period("2024-01-02/P7D", ImporterProfile::Classic).unwrap_err();
        assert!(e.reason().contains("Tuesday"), "{e}");
        assert!(e
            .to_string()
            .starts_with("invalid ADX period `2024-01-02/P7D`: P7D is not"));
    }

    /// Every other rule of the spec: unknown durations, date forms, the 2.43+ types.
    #[test]
    fn other_rules() {
        for (adx, message) in [
            ("2024-01-01/P1W", "P1W is not a supported duration type"),
            ("2024-01-01/P2Y", "P2Y is not a supported duration type"),
            ("2024-01-01/P12M", "P12M is not a supported duration type"),
            ("2024-01-01/p1m", "p1m is not a supported duration type"),
            (
                "2024-01-01T00:00/P1M",
                "P1M is not a supported duration type",
            ),
            ("2024-02-30/P1D", "P1D is not a supported duration type"),
            ("/P1M", "P1M is not a supported duration type"),
            (
                "2024-01-01",
                "2024-01-01 not in valid <date>/<duration> format",
            ),
            (
                "2024-01-01/",
                "2024-01-01/ not in valid <date>/<duration> format",
            ),
            ("", " not in valid <date>/<duration> format"),
        ] {
            for profile in BOTH {
                let e = parse_period(adx, profile).unwrap_err();
                assert_eq!(e.dhis2_message(), message, "{adx}");
            }
        }
        // A misaligned start date is moved to the period containing it.
        for profile in BOTH {
            assert_eq!(iso("2024-01-15/P1M", profile), "202401");
            assert_eq!(iso("2024-11-01/P3M", profile), "2024Q4");
            assert_eq!(iso("2024-02-01/P2M", profile), "202401B");
        }
        // 2.43+ only: Friday weeks, February, August and September financial years.
        for (adx, expected, t) in [
            ("2024-01-05/P7D", "2024FriW2", PeriodType::WeeklyFriday),
            ("2024-02-01/P1Y", "2024Feb", PeriodType::FinancialFeb),
            ("2024-08-01/P1Y", "2024Aug", PeriodType::FinancialAug),
            ("2024-09-01/P1Y", "2024Sep", PeriodType::FinancialSep),
        ] {
            let p = parse_period(adx, ImporterProfile::Pipeline).unwrap();
            assert_eq!((p.to_string().as_str(), p.period_type()), (expected, t));
            let e = parse_period(adx, ImporterProfile::Classic).unwrap_err();
            let duration = adx.split('/').nth(1).unwrap();
            assert_eq!(
                e.dhis2_message(),
                format!("{duration} is not a supported duration type")
            );
        }
    }

    /// `AdxPeriodTest.testSerialize`, every case.
    #[test]
    fn dhis2_serialize_cases() {
        for (iso, adx) in [
            ("20220101", "2022-01-01/P1D"),
            ("20220107", "2022-01-07/P1D"),
            ("2022W1", "2022-01-03/P7D"),
            ("2022W2", "2022-01-10/P7D"),
            ("2022WedW1", "2021-12-29/P7D"),
            ("2022ThuW1", "2021-12-30/P7D"),
            ("2022SatW1", "2022-01-01/P7D"),
            ("2022SunW1", "2022-01-02/P7D"),
            ("2022BiW1", "2022-01-03/P14D"),
            ("2022BiW2", "2022-01-17/P14D"),
            ("202201", "2022-01-01/P1M"),
            ("202205", "2022-05-01/P1M"),
            ("202201B", "2022-01-01/P2M"),
            ("202202B", "2022-03-01/P2M"),
            ("2022Q1", "2022-01-01/P3M"),
            ("2022Q2", "2022-04-01/P3M"),
            ("2022S1", "2022-01-01/P6M"),
            ("2022S2", "2022-07-01/P6M"),
            ("2022AprilS1", "2022-04-01/P6M"),
            ("2022AprilS2", "2022-10-01/P6M"),
            ("2022NovS2", "2022-05-01/P6M"),
            ("2022", "2022-01-01/P1Y"),
            ("2022April", "2022-04-01/P1Y"),
            ("2022July", "2022-07-01/P1Y"),
            ("2022Oct", "2022-10-01/P1Y"),
            ("2022Nov", "2021-11-01/P1Y"),
        ] {
            let period: Period = iso.parse().unwrap();
            assert_eq!(format_period(&period), adx, "{iso}");
            // And back.
            for profile in BOTH {
                assert_eq!(parse_period(adx, profile).unwrap(), period, "{adx}");
            }
        }
        // QuarterlyNov and TwoYearly have an ADX form that DHIS2 cannot read back.
        let nov: Period = "2024NovQ1".parse().unwrap();
        assert_eq!(format_period(&nov), "2023-11-01/P3M");
        assert_eq!(
            parse_period("2023-11-01/P3M", ImporterProfile::Classic)
                .unwrap()
                .to_string(),
            "2023Q4"
        );
    }
}
