//! `PHONE_NUMBER`, `USERNAME` and `COORDINATE` values.

use super::*;

/// `^[0-9+\(\)#\.\s\/ext-]{6,50}$`.
pub(super) fn is_phone_number(v: &str) -> bool {
    // Every allowed character is ASCII, so bytes count characters when the check passes.
    (6..=50).contains(&v.len())
        && v.bytes().all(|b| {
            b.is_ascii_digit() || b"+()#./ext-".contains(&b) || is_java_space(char::from(b))
        })
}

/// `^(?=.{4,255}$)(?![-_.@])(?!.*[-_.@]{2})[-_.@a-zA-Z0-9]+(?<![-_.@])$`.
pub(super) fn is_username(v: &str) -> bool {
    let b = v.as_bytes();
    let special = |c: u8| matches!(c, b'-' | b'_' | b'.' | b'@');
    (4..=255).contains(&b.len())
        && b.iter().all(|&c| c.is_ascii_alphanumeric() || special(c))
        && !b.first().is_some_and(|&c| special(c))
        && !b.last().is_some_and(|&c| special(c))
        && !b
            .windows(2)
            .any(|w| matches!(w, [x, y] if special(*x) && special(*y)))
}

/// DHIS2's `MathUtils.isCoordinate`: after removing all whitespace, at least 5 characters,
/// `[` … `]`, and the part between split on `,` whose first two parts parse as Java floats
/// `lng`, `lat` with −180 ≤ lng ≤ 180 and −90 ≤ lat ≤ 90 (further parts are ignored: `[1,2,3]`
/// is valid; fewer than two is not).
pub(super) fn is_coordinate(v: &str) -> bool {
    let compact: Cow<'_, str> = if v.chars().any(is_java_space) {
        Cow::Owned(v.chars().filter(|c| !is_java_space(*c)).collect())
    } else {
        Cow::Borrowed(v)
    };
    if compact.encode_utf16().nth(4).is_none() {
        return false; // fewer than 5 characters
    }
    let Some(inner) = compact
        .strip_prefix('[')
        .and_then(|rest| rest.strip_suffix(']'))
    else {
        return false;
    };
    let mut parts = inner.split(',');
    let (Some(lng), Some(lat)) = (parts.next(), parts.next()) else {
        return false;
    };
    match (parse_java_float(lng), parse_java_float(lat)) {
        (Some(lng), Some(lat)) => (-180.0..=180.0).contains(&lng) && (-90.0..=90.0).contains(&lat),
        _ => false,
    }
}
