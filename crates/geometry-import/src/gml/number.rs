//! DHIS2's `GmlConversionUtils`: GML coordinate texts to GeoJSON coordinate texts, with Java's
//! number reading (`NumberFormat.getInstance(Locale.ENGLISH).parse`) and Apache Commons Math's
//! rounding (`Precision.round`, half up on the number's shortest decimal form).
//!
//! * `gml:coordinates`: tuples separated by white space, ordinates by `,` (the `cs`, `ts` and
//!   `decimal` attributes are not read); ordinates 1 and 2 of each tuple are used;
//! * `gml:pos`: the first two white-space separated tokens (nothing when there are fewer);
//! * `gml:posList`: pairs of tokens (nothing when their count is odd; `srsDimension` is not
//!   read).
//!
//! A number is read as Java reads it: an optional `-`, digits (`,` groups them), a fraction, an
//! `E` exponent; whatever follows is ignored (`8.5abc` is 8.5); no digits at all is an error
//! (`Unparseable number: "abc"`), as is a tuple with one ordinate (Java's index error). Errors
//! fail DHIS2's whole GML import (`E7010`).

/// Why a coordinate text cannot be converted: the message of DHIS2's exception.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ConversionError(pub String);

/// Java's `NumberFormat.getInstance(Locale.ENGLISH).parse(text).doubleValue()`.
pub(crate) fn parse_number(text: &str) -> Result<f64, ConversionError> {
    let bytes = text.as_bytes();
    let mut i = 0;
    let mut out = String::with_capacity(text.len());
    if bytes.first() == Some(&b'-') {
        out.push('-');
        i = 1;
    }
    let mut digits = 0usize;
    let mut seen_point = false;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'0'..=b'9' => {
                out.push(char::from(b));
                digits += 1;
            }
            b',' if !seen_point && digits > 0 => {
                // A grouping separator: skipped when a digit follows.
                if !bytes.get(i + 1).is_some_and(u8::is_ascii_digit) {
                    break;
                }
            }
            b'.' if !seen_point => {
                seen_point = true;
                out.push('.');
            }
            _ => break,
        }
        i += 1;
    }
    if digits == 0 {
        return Err(ConversionError(format!("Unparseable number: \"{text}\"")));
    }
    if bytes.get(i) == Some(&b'E') {
        let mut j = i + 1;
        let mut exponent = String::from("e");
        if bytes.get(j) == Some(&b'-') {
            exponent.push('-');
            j += 1;
        }
        let start = j;
        while let Some(&b) = bytes.get(j).filter(|b| b.is_ascii_digit()) {
            exponent.push(char::from(b));
            j += 1;
        }
        if j > start {
            out.push_str(&exponent);
        }
    }
    if out.ends_with('.') {
        out.push('0');
    }
    out.parse::<f64>()
        .map_err(|_| ConversionError(format!("Unparseable number: \"{text}\"")))
}

/// Apache Commons Math `Precision.round(x, scale)`: half up on the shortest decimal form of `x`;
/// a result of zero keeps the sign of `x`.
pub(crate) fn round_half_up(x: f64, scale: u32) -> f64 {
    if !x.is_finite() {
        return x;
    }
    // `{:e}` is the shortest form that reads back as `x`: "-1.1870609999999999e1".
    let formatted = format!("{:e}", x.abs());
    let (mantissa, exponent) = formatted.split_once('e').unwrap_or((&formatted, "0"));
    let exponent: i64 = exponent.parse().unwrap_or(0);
    let mut digits: Vec<u8> = mantissa.bytes().filter(u8::is_ascii_digit).collect();
    // x = 0.d1d2d3… × 10^point
    let mut point = exponent + 1;
    let keep = point + i64::from(scale);
    let rounded = if keep < 0 {
        0.0
    } else {
        let keep = usize::try_from(keep).unwrap_or(usize::MAX);
        if keep < digits.len() {
            let up = digits.get(keep).is_some_and(|d| *d >= b'5');
            digits.truncate(keep);
            if up {
                let mut carry = true;
                for d in digits.iter_mut().rev() {
                    if *d == b'9' {
                        *d = b'0';
                    } else {
                        *d += 1;
                        carry = false;
                        break;
                    }
                }
                if carry {
                    digits.insert(0, b'1');
                    point += 1;
                }
            }
        }
        if digits.is_empty() {
            0.0
        } else {
            let text = format!("0.{}e{point}", String::from_utf8_lossy(&digits));
            text.parse::<f64>().unwrap_or(0.0)
        }
    };
    let signed = if x < 0.0 { -rounded } else { rounded };
    if signed == 0.0 {
        0.0 * x
    } else {
        signed
    }
}

/// A coordinate as GeoJSON text after rounding (any spelling `serde_json` reads back exactly;
/// `NaN` and infinities make the geometry unreadable, as Java's `NaN` and `Infinity` do).
fn coordinate(text: &str, precision: u32) -> Result<String, ConversionError> {
    let value = round_half_up(parse_number(text)?, precision);
    Ok(if value.is_finite() {
        format!("{value:?}")
    } else {
        format!("{value}")
    })
}

/// Java's `String.split(",")`: trailing empty strings removed; no separator gives the whole.
fn java_split(text: &str, separator: char) -> Vec<&str> {
    let mut parts: Vec<&str> = text.split(separator).collect();
    if parts.len() > 1 {
        while parts.last() == Some(&"") {
            parts.pop();
        }
    }
    parts
}

/// Java's `ArrayIndexOutOfBoundsException` message.
fn index_error(index: usize, len: usize) -> ConversionError {
    ConversionError(format!("Index {index} out of bounds for length {len}"))
}

/// `gmlCoordinatesToString`: `[x,y],[x,y]…` from a normalised `gml:coordinates` text.
pub(crate) fn coordinates_to_string(
    normalized: &str,
    precision: u32,
) -> Result<String, ConversionError> {
    let mut out = String::with_capacity(normalized.len() + 16);
    for (i, tuple) in normalized.split(' ').enumerate() {
        let point = java_split(tuple, ',');
        let x = point.first().ok_or_else(|| index_error(0, point.len()))?;
        let y = point.get(1).ok_or_else(|| index_error(1, point.len()))?;
        if i > 0 {
            out.push(',');
        }
        out.push('[');
        out.push_str(&coordinate(x, precision)?);
        out.push(',');
        out.push_str(&coordinate(y, precision)?);
        out.push(']');
    }
    Ok(out)
}

/// `gmlPosToString`: `[x,y]` from a normalised `gml:pos` text, or nothing without two tokens.
pub(crate) fn pos_to_string(normalized: &str, precision: u32) -> Result<String, ConversionError> {
    let Some((x, y)) = normalized.split_once(' ') else {
        return Ok(String::new());
    };
    Ok(format!(
        "[{},{}]",
        coordinate(x, precision)?,
        coordinate(y, precision)?
    ))
}

/// `gmlPosListToString`: `[x,y],[x,y]…` from a normalised `gml:posList` text, or nothing when
/// the tokens are not pairs.
pub(crate) fn pos_list_to_string(
    normalized: &str,
    precision: u32,
) -> Result<String, ConversionError> {
    let tokens: Vec<&str> = normalized.split(' ').collect();
    if !tokens.len().is_multiple_of(2) {
        return Ok(String::new());
    }
    let mut out = String::with_capacity(normalized.len() + 16);
    for (i, pair) in tokens.chunks(2).enumerate() {
        if let [x, y] = pair {
            if i > 0 {
                out.push(',');
            }
            out.push('[');
            out.push_str(&coordinate(x, precision)?);
            out.push(',');
            out.push_str(&coordinate(y, precision)?);
            out.push(']');
        }
    }
    Ok(out)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::excessive_precision)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_as_java_reads_them() {
        assert_eq!(
            parse_number("-11.870609999999999").unwrap(),
            -11.870609999999999
        );
        assert_eq!(parse_number("8.5abc").unwrap(), 8.5);
        assert_eq!(parse_number("1,234.5").unwrap(), 1234.5);
        assert_eq!(parse_number("1.5E3").unwrap(), 1500.0);
        assert_eq!(
            parse_number("1.5e3").unwrap(),
            1.5,
            "only `E` is an exponent"
        );
        assert_eq!(parse_number("2.").unwrap(), 2.0);
        assert_eq!(parse_number(".5").unwrap(), 0.5);
        assert_eq!(
            parse_number("abc"),
            Err(ConversionError("Unparseable number: \"abc\"".into()))
        );
        assert!(parse_number("").is_err());
        assert!(parse_number("+1").is_err());
        assert!(parse_number("-").is_err());
    }

    #[test]
    fn rounding_is_half_up_on_the_decimal_form() {
        assert_eq!(round_half_up(-11.870609999999999, 4), -11.8706);
        assert_eq!(round_half_up(8.377969999999999, 4), 8.378);
        assert_eq!(round_half_up(-11.870609999999999, 6), -11.87061);
        assert_eq!(round_half_up(8.377969999999999, 6), 8.37797);
        assert_eq!(round_half_up(0.00005, 4), 0.0001);
        assert_eq!(round_half_up(2.5, 0), 3.0);
        assert_eq!(round_half_up(-2.5, 0), -3.0);
        assert_eq!(round_half_up(9.99995, 4), 10.0);
        assert_eq!(round_half_up(0.00004, 4), 0.0);
        assert!(round_half_up(-0.00004, 4).is_sign_negative());
        assert_eq!(round_half_up(123456.0, 4), 123456.0);
        assert_eq!(round_half_up(1e-10, 4), 0.0);
    }

    #[test]
    fn coordinate_texts_as_dhis2_converts_them() {
        assert_eq!(
            coordinates_to_string(
                "-11.870609999999999,8.377969999999999 -11.83278,8.426909999999999",
                4
            )
            .unwrap(),
            "[-11.8706,8.378],[-11.8328,8.4269]"
        );
        assert_eq!(
            coordinates_to_string("-11.870609999999999,8.377969999999999", 6).unwrap(),
            "[-11.87061,8.37797]"
        );
        assert_eq!(coordinates_to_string("1,2,3", 4).unwrap(), "[1.0,2.0]");
        assert_eq!(coordinates_to_string("1,2,", 4).unwrap(), "[1.0,2.0]");
        assert_eq!(
            coordinates_to_string("1", 4),
            Err(ConversionError("Index 1 out of bounds for length 1".into()))
        );
        assert!(coordinates_to_string("", 4).is_err());
        assert_eq!(pos_to_string("1 2 3", 6).unwrap(), "[1.0,2.0]");
        assert_eq!(pos_to_string("1", 6).unwrap(), "");
        assert_eq!(
            pos_list_to_string("1 2 3 4", 4).unwrap(),
            "[1.0,2.0],[3.0,4.0]"
        );
        assert_eq!(pos_list_to_string("1 2 3", 4).unwrap(), "");
        assert_eq!(pos_list_to_string("", 4).unwrap(), "");
    }
}
