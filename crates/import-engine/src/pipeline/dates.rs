//! `completeDate` as DHIS2 2.43+ reads it (`DateUtils.parseDate`): a calendar date, a month, a
//! year, or a date-time with an optional offset, taken as its UTC date. The parsing itself is
//! `dxf2_model::date`, the one DHIS2 date parser of the workspace.

use chrono::NaiveDate;

/// Parses a date in one of `DateUtils.parseDate`'s forms, as a UTC calendar date.
pub(super) fn parse_date(s: &str) -> Option<NaiveDate> {
    dxf2_model::date::parse_date(s).ok().map(|d| d.utc_date())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_parse_like_date_utils() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day);
        assert_eq!(parse_date("2012-01-09"), d(2012, 1, 9));
        assert_eq!(parse_date("20120109"), d(2012, 1, 9));
        assert_eq!(parse_date("2012-01"), d(2012, 1, 1));
        assert_eq!(parse_date("2012"), d(2012, 1, 1));
        assert_eq!(parse_date("2012-01-09T10:20:30.123+0000"), d(2012, 1, 9));
        assert_eq!(parse_date("2012-01-09T23:30:00-02:00"), d(2012, 1, 10));
        assert_eq!(parse_date("2012-01-09T10:20"), d(2012, 1, 9));
        assert_eq!(parse_date("2012-01-09T10"), d(2012, 1, 9));
        assert_eq!(parse_date("2012-01-09T10:20:30.123456789Z"), d(2012, 1, 9));
        assert_eq!(parse_date("2012-01-09 10:20:30+0100"), d(2012, 1, 9));
        assert_eq!(parse_date("2012-01-09 10:20:30"), None);
        assert_eq!(parse_date("true"), None);
        assert_eq!(parse_date("2012-13-01"), None);
        assert_eq!(parse_date("2012-02-30"), None);
        assert_eq!(parse_date("09/01/2012"), None);
        assert_eq!(parse_date(""), None);
    }
}
