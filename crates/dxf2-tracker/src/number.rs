//! Numbers as Java writes them: `Double.toString` (Jackson's JSON and CSV output) and JTS's
//! `OrdinateFormat` (WKT).
//!
//! Both start from the shortest digits that read back to the same double, as Java 19+ does
//! (older JDKs occasionally print one more digit than needed).

use std::fmt::Write as _;

/// Appends `Double.toString(v)`: `5.0`, `8.06311527044516`, `1.0E7`, `1.0E-4`, `NaN`,
/// `Infinity`.
pub(crate) fn write_java_double(v: f64, out: &mut String) {
    if v.is_nan() {
        out.push_str("NaN");
        return;
    }
    if v.is_infinite() {
        out.push_str(if v > 0.0 { "Infinity" } else { "-Infinity" });
        return;
    }
    if v == 0.0 {
        out.push_str(if v.is_sign_negative() { "-0.0" } else { "0.0" });
        return;
    }
    let abs = v.abs();
    if (1e-3..1e7).contains(&abs) {
        let start = out.len();
        let _ = write!(out, "{v}");
        if !out.get(start..).is_some_and(|s| s.contains('.')) {
            out.push_str(".0");
        }
    } else {
        let s = format!("{v:e}");
        let (mantissa, exponent) = s.split_once('e').unwrap_or((s.as_str(), "0"));
        out.push_str(mantissa);
        if !mantissa.contains('.') {
            out.push_str(".0");
        }
        out.push('E');
        out.push_str(exponent);
    }
}

/// `Double.toString(v)` as a new string.
#[cfg(test)]
pub(crate) fn java_double(v: f64) -> String {
    let mut s = String::new();
    write_java_double(v, &mut s);
    s
}

/// Appends a WKT ordinate as JTS 1.20's `OrdinateFormat` writes it: plain decimal notation, no
/// exponent, no trailing `.0` (`40`, `-11.4283223849698`, `0.00001`); `NaN`, `Inf`, `-Inf`.
pub(crate) fn write_ordinate(v: f64, out: &mut String) {
    if v.is_nan() {
        out.push_str("NaN");
    } else if v.is_infinite() {
        out.push_str(if v > 0.0 { "Inf" } else { "-Inf" });
    } else {
        let _ = write!(out, "{v}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubles_print_like_java() {
        for (v, s) in [
            (5.0, "5.0"),
            (40.0, "40.0"),
            (-11.4283223849698, "-11.4283223849698"),
            (8.06311527044516, "8.06311527044516"),
            (0.001, "0.001"),
            (0.0001, "1.0E-4"),
            (1.5e-7, "1.5E-7"),
            (9_999_999.0, "9999999.0"),
            (1e7, "1.0E7"),
            (1.234e10, "1.234E10"),
            (0.0, "0.0"),
            (-0.0, "-0.0"),
            (f64::NAN, "NaN"),
            (f64::NEG_INFINITY, "-Infinity"),
        ] {
            assert_eq!(java_double(v), s, "{v}");
        }
    }

    #[test]
    fn ordinates_print_like_jts() {
        for (v, s) in [
            (40.0, "40"),
            (5.0, "5"),
            (-12.305267, "-12.305267"),
            (1e-5, "0.00001"),
            (1e21, "1000000000000000000000"),
            (f64::INFINITY, "Inf"),
        ] {
            let mut out = String::new();
            write_ordinate(v, &mut out);
            assert_eq!(out, s, "{v}");
        }
    }
}
