//! `DATE`, `AGE`, `TIME` and `DATETIME` values: `DateUtils.dateIsValid` with the ISO calendar,
//! the time pattern, and `DateUtils.dateTimeIsValid`'s Joda-Time patterns.

use super::*;

/// `DateUtils.dateIsValid` with the ISO calendar.
pub(super) fn is_date(v: &str) -> bool {
    let Some((head, time)) = v.split_at_checked(10) else {
        return false;
    };
    let Ok(head) = <[u8; 10]>::try_from(head.as_bytes()) else {
        return false;
    };
    let [y1, y2, y3, y4, b'-', m1, m2, b'-', d1, d2] = head else {
        return false;
    };
    let digit = |c: u8| c.is_ascii_digit();
    if !(digit(y1) && digit(y2) && digit(y3) && digit(y4)) {
        return false;
    }
    let month_ok = matches!((m1, m2), (b'0', b'1'..=b'9') | (b'1', b'0'..=b'2'));
    let day_ok = matches!(
        (d1, d2),
        (b'0', b'1'..=b'9') | (b'1'..=b'2', b'0'..=b'9') | (b'3', b'0'..=b'2')
    );
    if !month_ok || !day_ok {
        return false;
    }
    // `(?<time>.*)\b`: no line terminator, and the value ends with a word character.
    if time.chars().any(is_java_line_terminator) {
        return false;
    }
    if time
        .chars()
        .next_back()
        .is_some_and(|c| !is_java_word_char(c))
    {
        return false;
    }
    let num = |a: u8, b: u8| u32::from(a - b'0') * 10 + u32::from(b - b'0');
    let year = i64::from(num(y1, y2) * 100 + num(y3, y4));
    let month = num(m1, m2);
    let day = num(d1, d2);
    day <= days_in_month(year, month)
}

/// Days of a month of the proleptic Gregorian calendar (0 for a month outside 1–12).
pub(super) fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        _ => 0,
    }
}

/// `^([0-9]|0[0-9]|1[0-9]|2[0-3]):[0-5][0-9]$`.
pub(super) fn is_time(v: &str) -> bool {
    let Some((hours, minutes)) = v.split_once(':') else {
        return false;
    };
    let hours_ok = matches!(
        hours.as_bytes(),
        [b'0'..=b'9'] | [b'0'..=b'1', b'0'..=b'9'] | [b'2', b'0'..=b'3']
    );
    let minutes_ok = matches!(minutes.as_bytes(), [b'0'..=b'5', b'0'..=b'9']);
    hours_ok && minutes_ok
}

// ---------------------------------------------------------------------------------------------
// DATETIME (Joda-Time patterns of DateUtils)
// ---------------------------------------------------------------------------------------------

/// Joda's ISO chronology year range.
pub(super) const JODA_MIN_YEAR: i64 = -292_275_054;
pub(super) const JODA_MAX_YEAR: i64 = 292_278_993;

/// A read position in ASCII text.
pub(super) struct Cursor<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Cursor<'a> {
    fn new(s: &'a str) -> Cursor<'a> {
        Cursor {
            bytes: s.as_bytes(),
            pos: 0,
        }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn at_end(&self) -> bool {
        self.pos >= self.bytes.len()
    }

    fn eat(&mut self, expected: u8) -> bool {
        if self.peek() == Some(expected) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    /// A Joda literal: compared ignoring case.
    fn eat_literal(&mut self, expected: u8) -> bool {
        if self
            .peek()
            .is_some_and(|c| c.eq_ignore_ascii_case(&expected))
        {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    /// How many ASCII digits follow, up to `max`, without consuming them.
    fn count_digits(&self, max: usize) -> usize {
        let rest = self.bytes.get(self.pos..).unwrap_or_default();
        leading_digits(rest).min(max)
    }

    /// Between 1 and `max` (at most 18) ASCII digits, greedily, as a number.
    fn number(&mut self, max: usize) -> Option<u64> {
        let count = self.count_digits(max);
        if count == 0 {
            return None;
        }
        let mut value = 0u64;
        for _ in 0..count {
            let digit = self.peek().map_or(0, |c| u64::from(c - b'0'));
            value = value * 10 + digit;
            self.pos += 1;
        }
        Some(value)
    }

    /// Joda's signed year (`yyyy` followed by a literal): an optional sign then 1–9 digits.
    fn signed_year(&mut self) -> Option<i64> {
        let negative = match self.peek() {
            Some(b'-') => true,
            Some(b'+') => false,
            _ => return self.number(9).and_then(|v| i64::try_from(v).ok()),
        };
        self.pos += 1;
        let magnitude = i64::try_from(self.number(9)?).ok()?;
        Some(if negative { -magnitude } else { magnitude })
    }

    /// Joda's `Z` (`TimeZoneOffset` parser, zero offset text `Z`). Leaves the cursor after the
    /// offset; the caller checks that nothing follows.
    fn offset(&mut self) -> bool {
        if self.eat_literal(b'Z') {
            return true;
        }
        if !(self.eat(b'+') || self.eat(b'-')) {
            return false;
        }
        // Hours: exactly two digits.
        if self.count_digits(2) < 2 || self.number(2).is_none_or(|h| h > 23) {
            return false;
        }
        let separators = match self.peek() {
            Some(b':') => {
                self.pos += 1;
                true
            }
            Some(b'0'..=b'9') => false,
            _ => return true,
        };
        // Minutes: two digits.
        match self.count_digits(2) {
            0 if !separators => return true,
            2 => {}
            _ => return false,
        }
        if self.number(2).is_none_or(|m| m > 59) {
            return false;
        }
        if self.at_end() || (separators && !self.eat(b':')) {
            return true;
        }
        // Seconds: two digits.
        match self.count_digits(2) {
            0 if !separators => return true,
            2 => {}
            _ => return false,
        }
        if self.number(2).is_none_or(|s| s > 59) {
            return false;
        }
        if self.at_end() || (separators && !(self.eat(b'.') || self.eat(b','))) {
            return true;
        }
        // Fraction: one to three digits.
        match self.count_digits(3) {
            0 if !separators => true,
            0 => false,
            _ => self.number(3).is_some(),
        }
    }
}

/// `DateUtils.dateTimeIsValid`: the value parses completely with one of the Joda patterns
/// `yyyy-MM-dd'T'HH:mm:ss.SSSSSSSSSZ` … `yyyy-MM-dd'T'HH`, `yyyy-MM-dd HH:mm:ssZ`, and the
/// fields are a real date and time.
pub(super) fn is_datetime(v: &str) -> bool {
    let mut c = Cursor::new(v);
    let Some(year) = c.signed_year() else {
        return false;
    };
    if !c.eat(b'-') {
        return false;
    }
    let Some(month) = c.number(2) else {
        return false;
    };
    if !c.eat(b'-') {
        return false;
    }
    let Some(day) = c.number(2) else {
        return false;
    };
    let space_form = if c.eat_literal(b'T') {
        false
    } else if c.eat(b' ') {
        true
    } else {
        return false;
    };
    let Some(hour) = c.number(2) else {
        return false;
    };
    let mut minute = 0;
    let mut second = 0;
    if space_form {
        // yyyy-MM-dd HH:mm:ssZ
        if !c.eat(b':') {
            return false;
        }
        let Some(m) = c.number(2) else {
            return false;
        };
        if !c.eat(b':') {
            return false;
        }
        let Some(s) = c.number(2) else {
            return false;
        };
        (minute, second) = (m, s);
        if !c.offset() {
            return false;
        }
    } else {
        if c.eat(b':') {
            let Some(m) = c.number(2) else {
                return false;
            };
            minute = m;
            if c.eat(b':') {
                let Some(s) = c.number(2) else {
                    return false;
                };
                second = s;
                if c.eat(b'.') && c.number(9).is_none() {
                    return false;
                }
            }
        }
        if !c.at_end() && !c.offset() {
            return false;
        }
    }
    if !c.at_end() {
        return false;
    }
    let month_days = u32::try_from(month).map_or(0, |m| days_in_month(year, m));
    (JODA_MIN_YEAR..=JODA_MAX_YEAR).contains(&year)
        && day >= 1
        && day <= u64::from(month_days)
        && hour <= 23
        && minute <= 59
        && second <= 59
}
