//! Numbers as DHIS2 validates them: `MathUtils`' number and integer patterns, and Java's
//! `Float.parseFloat` (for coordinates).

use super::*;

/// `MathUtils.isNumeric`: `^(-?0|-?[1-9]\d*)(\.\d+)?$`, a valid double, shorter than 250.
///
/// Apache `DoubleValidator` (locale `en`) accepts every string of that shape, and such a string
/// of fewer than 250 characters is always a finite double, so the pattern and length decide.
pub(super) fn is_number(v: &str) -> bool {
    v.len() < NUMBER_MAX_LENGTH && matches_number_pattern(v.as_bytes())
}

/// `^(-?0|-?[1-9]\d*)(\.\d+)?$`.
pub(super) fn matches_number_pattern(b: &[u8]) -> bool {
    let unsigned = b.strip_prefix(b"-").unwrap_or(b);
    let rest = match unsigned.split_first() {
        Some((b'0', rest)) => rest,
        Some((b'1'..=b'9', rest)) => rest.get(leading_digits(rest)..).unwrap_or_default(),
        _ => return false,
    };
    match rest.split_first() {
        None => true,
        Some((b'.', fraction)) => !fraction.is_empty() && fraction.iter().all(u8::is_ascii_digit),
        Some(_) => false,
    }
}

/// A `NUMBER` whose value (Java `Double.parseDouble`) is within `[min, max]`.
pub(super) fn is_number_within(v: &str, min: f64, max: f64) -> bool {
    is_number(v) && v.parse::<f64>().is_ok_and(|x| (min..=max).contains(&x))
}

/// The integer patterns of `MathUtils`.
#[derive(Clone, Copy)]
pub(super) enum IntShape {
    /// `^(0|-?[1-9]\d*)$`.
    Any,
    /// `^[1-9]\d*$`.
    Positive,
    /// `^-[1-9]\d*$`.
    Negative,
    /// `(^0$)|(^[1-9]\d*$)`.
    ZeroOrPositive,
}

/// The pattern of `shape`, and the value fits a Java `int` (Apache `IntegerValidator`).
pub(super) fn is_java_int(v: &str, shape: IntShape) -> bool {
    let b = v.as_bytes();
    let (negative, digits) = match b.strip_prefix(b"-") {
        Some(digits) => (true, digits),
        None => (false, b),
    };
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return false;
    }
    let zero = digits == b"0";
    let leading_zero = digits.first() == Some(&b'0');
    let shape_ok = match shape {
        IntShape::Any => (zero && !negative) || !leading_zero,
        IntShape::Positive => !negative && !leading_zero,
        IntShape::Negative => negative && !leading_zero,
        IntShape::ZeroOrPositive => !negative && (zero || !leading_zero),
    };
    shape_ok && v.parse::<i32>().is_ok()
}

/// Java `Float.parseFloat`, or `None` where Java throws `NumberFormatException`.
///
/// Characters up to U+0020 around the number are ignored; then an optional sign and `NaN`,
/// `Infinity`, a decimal number (`1`, `1.`, `.5`, `1.5e-3`) or a hexadecimal one (`0x1.8p1`),
/// the last two with an optional `f`, `F`, `d` or `D` suffix. Hexadecimal values are computed
/// in double precision first (exact for every realistic coordinate).
pub(super) fn parse_java_float(s: &str) -> Option<f32> {
    let t = java_trim(s);
    let negative = t.starts_with('-');
    let unsigned = t.strip_prefix(['+', '-']).unwrap_or(t);
    let magnitude = match unsigned {
        "NaN" => f32::NAN,
        "Infinity" => f32::INFINITY,
        _ => {
            let body = unsigned
                .strip_suffix(['f', 'F', 'd', 'D'])
                .unwrap_or(unsigned);
            match body.strip_prefix("0x").or_else(|| body.strip_prefix("0X")) {
                Some(hex) => parse_hex_float(hex.as_bytes())?,
                None if is_java_decimal(body.as_bytes()) => body.parse::<f32>().ok()?,
                None => return None,
            }
        }
    };
    Some(if negative { -magnitude } else { magnitude })
}

/// `Digits? (. Digits?)? ([eE] [+-]? Digits)?` with at least one mantissa digit.
pub(super) fn is_java_decimal(b: &[u8]) -> bool {
    let int_len = leading_digits(b);
    let mut rest = b.get(int_len..).unwrap_or_default();
    let mut frac_len = 0;
    if let Some(after_dot) = rest.strip_prefix(b".") {
        frac_len = leading_digits(after_dot);
        rest = after_dot.get(frac_len..).unwrap_or_default();
    }
    if int_len + frac_len == 0 {
        return false;
    }
    match rest.split_first() {
        None => true,
        Some((b'e' | b'E', exponent)) => {
            let digits = exponent
                .strip_prefix(b"+")
                .or_else(|| exponent.strip_prefix(b"-"))
                .unwrap_or(exponent);
            !digits.is_empty() && digits.iter().all(u8::is_ascii_digit)
        }
        Some(_) => false,
    }
}

/// The part of a Java hexadecimal float after `0x`: `HexDigits? (. HexDigits?)? [pP] [+-]? Digits`.
pub(super) fn parse_hex_float(b: &[u8]) -> Option<f32> {
    let mut mantissa = 0f64;
    let mut digits = 0usize;
    let mut fraction_digits = 0i64;
    let mut seen_dot = false;
    let mut rest = b;
    while let Some((&c, tail)) = rest.split_first() {
        if c == b'.' && !seen_dot {
            seen_dot = true;
        } else if let Some(d) = char::from(c).to_digit(16) {
            mantissa = mantissa * 16.0 + f64::from(d);
            digits += 1;
            if seen_dot {
                fraction_digits += 1;
            }
        } else {
            break;
        }
        rest = tail;
    }
    if digits == 0 {
        return None;
    }
    let exponent = match rest.split_first() {
        Some((b'p' | b'P', exponent)) => exponent,
        _ => return None,
    };
    let (negative, exp_digits) = match exponent.split_first() {
        Some((b'-', d)) => (true, d),
        Some((b'+', d)) => (false, d),
        _ => (false, exponent),
    };
    if exp_digits.is_empty() || !exp_digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let mut exp = exp_digits.iter().fold(0i64, |acc, d| {
        acc.saturating_mul(10).saturating_add(i64::from(d - b'0'))
    });
    if negative {
        exp = -exp;
    }
    let binary_exponent = exp.saturating_sub(fraction_digits.saturating_mul(4));
    let binary_exponent = i32::try_from(binary_exponent.clamp(-100_000, 100_000)).unwrap_or(0);
    let value = mantissa * 2f64.powi(binary_exponent);
    // Deliberate narrowing: Java rounds the value to float as well.
    Some(value as f32)
}
