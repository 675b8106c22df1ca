//! `EMAIL` values: Apache Commons Validator's `EmailValidator`.

use super::*;

/// `EmailValidator.getInstance().isValid` (no local domains, no bare TLDs).
pub(super) fn is_email(v: &str) -> bool {
    if v.ends_with('.') {
        return false;
    }
    // ^(.+)@(\S+)$ — the greedy local part ends at the last '@'.
    let Some((user, domain)) = v.rsplit_once('@') else {
        return false;
    };
    if user.is_empty() || user.chars().any(is_java_line_terminator) {
        return false;
    }
    if domain.is_empty() || domain.chars().any(is_java_space) {
        return false;
    }
    is_email_user(user) && is_email_domain(domain)
}

/// `^WORD(\.WORD)*$` where `WORD = ((\\.|[^\s\p{Cntrl}()<>@,;:'\\".\[\]]|')+|"(\\"|[^"])*")`,
/// at most 64 characters.
pub(super) fn is_email_user(user: &str) -> bool {
    if utf16_len_exceeds(user, EMAIL_USER_MAX_LENGTH) {
        return false;
    }
    // At most 64 UTF-16 units, hence at most 256 bytes.
    let mut memo = [0u8; 4 * EMAIL_USER_MAX_LENGTH + 1];
    email_words_from(user.as_bytes(), 0, &mut memo)
}

/// Whether `b[start..]` is `WORD(\.WORD)*`; `memo` remembers answers by start (0 unknown,
/// 1 no, 2 yes) so quoted words with many possible ends stay cheap.
pub(super) fn email_words_from(b: &[u8], start: usize, memo: &mut [u8]) -> bool {
    match memo.get(start) {
        Some(1) => return false,
        Some(2) => return true,
        _ => {}
    }
    let result = email_words_from_uncached(b, start, memo);
    if let Some(slot) = memo.get_mut(start) {
        *slot = if result { 2 } else { 1 };
    }
    result
}

pub(super) fn email_words_from_uncached(b: &[u8], start: usize, memo: &mut [u8]) -> bool {
    let rest = b.get(start..).unwrap_or_default();
    match rest.first() {
        None => false,
        Some(b'"') => {
            // A quoted word ends at a '"'; a '"' preceded by '\' may also be content.
            let mut i = 1;
            while let Some(&c) = rest.get(i) {
                if c == b'"' {
                    if email_word_continues(b, start + i + 1, memo) {
                        return true;
                    }
                    if !(i > 1 && rest.get(i - 1) == Some(&b'\\')) {
                        return false;
                    }
                }
                i += 1;
            }
            false
        }
        Some(_) => {
            // A run of plain characters and escapes; it can only be followed by '.' or the end.
            let mut i = 0;
            loop {
                match rest.get(i) {
                    Some(b'\\') if i + 1 < rest.len() => i += 2,
                    Some(&c) if is_email_plain(c) => i += 1,
                    _ => break,
                }
            }
            i > 0 && email_word_continues(b, start + i, memo)
        }
    }
}

/// After a word ending at `end`: the end of the local part, or `.` and more words.
pub(super) fn email_word_continues(b: &[u8], end: usize, memo: &mut [u8]) -> bool {
    match b.get(end) {
        None => true,
        Some(b'.') => email_words_from(b, end + 1, memo),
        Some(_) => false,
    }
}

/// A byte allowed unescaped in an unquoted word: not ASCII whitespace, not a control, not one
/// of `( ) < > @ , ; : \ " . [ ]` (`'` is allowed; bytes of non-ASCII characters are allowed).
pub(super) fn is_email_plain(c: u8) -> bool {
    c >= 0x80 || ((0x21..=0x7E).contains(&c) && !b"()<>@,;:\\\".[]".contains(&c))
}

/// `EmailValidator.isValidDomain`: `[IP]` or a domain name.
pub(super) fn is_email_domain(domain: &str) -> bool {
    match domain
        .strip_prefix('[')
        .and_then(|rest| rest.strip_suffix(']'))
    {
        Some(literal) => is_inet4(literal) || is_inet6(literal),
        None => is_domain(domain),
    }
}
