//! Byte-level scanners of the tokenizer's fast paths: string runs, numbers, UTF-8 widths.

/// What the string scanner must stop at: quote, backslash and control characters.
#[inline]
pub(super) fn is_string_special(b: u8) -> bool {
    b == b'"' || b == b'\\' || b < 0x20
}

/// Whether a byte is a UTF-8 continuation byte (it does not start a character).
#[inline]
pub(super) fn is_continuation(b: u8) -> bool {
    (b & 0xC0) == 0x80
}

/// Number of UTF-8 continuation bytes in a run.
#[inline]
pub(super) fn continuation_bytes(bytes: &[u8]) -> u64 {
    bytes.iter().filter(|&&b| is_continuation(b)).count() as u64
}

/// The length of the run of ordinary string bytes at the start of `bytes`, and whether the
/// run holds a non-ASCII byte.
#[inline]
pub(super) fn string_run(bytes: &[u8]) -> (usize, bool) {
    let mut high = 0u8;
    for (i, &b) in bytes.iter().enumerate() {
        if is_string_special(b) {
            return (i, high >= 0x80);
        }
        high |= b;
    }
    (bytes.len(), high >= 0x80)
}

/// The raw bytes of a whole string at the start of `bytes` (which begin with its opening
/// quote), when it is there complete and without escapes or control characters: its content,
/// the number of bytes up to and including the closing quote, and whether the content holds a
/// non-ASCII byte (when it does not, it is valid UTF-8 without further checking).
#[inline]
pub(super) fn quoted_bytes(bytes: &[u8]) -> Option<(&[u8], usize, bool)> {
    let (&b'"', rest) = bytes.split_first()? else {
        return None;
    };
    let (n, high) = string_run(rest);
    if rest.get(n) != Some(&b'"') {
        return None;
    }
    Some((rest.get(..n)?, n + 2, high))
}

/// [`quoted_bytes`] as text, when it is valid UTF-8: the text, the number of bytes up to and
/// including the closing quote, and the number of UTF-8 continuation bytes in it.
#[inline]
pub(super) fn quoted(bytes: &[u8]) -> Option<(&str, usize, u64)> {
    let (run, n, high) = quoted_bytes(bytes)?;
    let text = std::str::from_utf8(run).ok()?;
    let wide = if high { continuation_bytes(run) } else { 0 };
    Some((text, n, wide))
}

/// The length of a number at the start of `bytes` when it is valid JSON and followed, within
/// `bytes`, by a byte that cannot continue it; `None` sends the caller to the careful path
/// (which reports errors).
#[inline]
pub(super) fn number_len(bytes: &[u8]) -> Option<usize> {
    let digits_from = |mut i: usize| {
        while let Some(b'0'..=b'9') = bytes.get(i) {
            i += 1;
        }
        i
    };
    let mut i = usize::from(bytes.first() == Some(&b'-'));
    match bytes.get(i)? {
        b'0' => i += 1,
        b'1'..=b'9' => i = digits_from(i + 1),
        _ => return None,
    }
    if bytes.get(i) == Some(&b'.') {
        let end = digits_from(i + 1);
        if end == i + 1 {
            return None;
        }
        i = end;
    }
    if let Some(b'e' | b'E') = bytes.get(i) {
        i += 1;
        if let Some(b'+' | b'-') = bytes.get(i) {
            i += 1;
        }
        let end = digits_from(i);
        if end == i {
            return None;
        }
        i = end;
    }
    match bytes.get(i)? {
        b'0'..=b'9' | b'.' | b'e' | b'E' | b'+' | b'-' => None,
        _ => Some(i),
    }
}

/// Length of the UTF-8 sequence announced by a lead byte.
pub(super) fn utf8_width(lead: u8) -> usize {
    match lead {
        0xC0..=0xDF => 2,
        0xE0..=0xEF => 3,
        0xF0..=0xF7 => 4,
        _ => 1,
    }
}

/// How a byte found where it was not expected is shown in messages.
pub(crate) fn describe_byte(b: u8) -> String {
    match b {
        b'`' => "a backtick".to_owned(),
        0x21..=0x7E => format!("`{}`", b as char),
        b' ' => "a space".to_owned(),
        0x00..=0x1F | 0x7F => format!("control character U+{b:04X}"),
        _ => format!("byte 0x{b:02X}"),
    }
}

/// Appends a run of raw string bytes to `out` (when given; a skipped string is only checked),
/// validating UTF-8. A sequence cut at the end of the run is kept in `carry` and completed by
/// the next run. On invalid UTF-8, the error holds the offset in `run` of the first byte that
/// cannot be decoded (0 when the sequence began in an earlier run).
pub(super) fn push_utf8(
    carry: &mut [u8; 4],
    carry_len: &mut usize,
    mut run: &[u8],
    mut out: Option<&mut String>,
) -> std::result::Result<(), usize> {
    let mut used = 0;
    if *carry_len > 0 {
        let need = carry.first().copied().map_or(1, utf8_width);
        while *carry_len < need {
            match run.split_first() {
                Some((b, rest)) => {
                    let slot = carry.get_mut(*carry_len).ok_or(0usize)?;
                    *slot = *b;
                    *carry_len += 1;
                    run = rest;
                    used += 1;
                }
                None => return Ok(()),
            }
        }
        let bytes = carry.get(..need).ok_or(0usize)?;
        let text = std::str::from_utf8(bytes).map_err(|_| 0usize)?;
        if let Some(out) = out.as_deref_mut() {
            out.push_str(text);
        }
        *carry_len = 0;
    }
    match std::str::from_utf8(run) {
        Ok(s) => {
            if let Some(out) = out {
                out.push_str(s);
            }
        }
        Err(e) => {
            let (valid, rest) = run.split_at(e.valid_up_to());
            if let Some(out) = out {
                out.push_str(std::str::from_utf8(valid).map_err(|_| used)?);
            }
            let bad = used + e.valid_up_to();
            if e.error_len().is_some() || rest.len() > 3 {
                return Err(bad);
            }
            carry
                .get_mut(..rest.len())
                .ok_or(bad)?
                .copy_from_slice(rest);
            *carry_len = rest.len();
        }
    }
    Ok(())
}
