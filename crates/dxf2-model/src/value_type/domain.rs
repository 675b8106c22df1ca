//! Domain names and IP addresses: Apache Commons Validator's `DomainValidator` and
//! `InetAddressValidator`, for e-mail addresses and URLs.

use super::*;

/// `DomainValidator.getInstance(false).isValid`: `^(?:LABEL\.)+TOP\.?$` and a known TLD, at most
/// 253 characters. See [`ValueType::Email`] for the TLD approximation.
pub(super) fn is_domain(domain: &str) -> bool {
    if utf16_len_exceeds(domain, DOMAIN_MAX_LENGTH) {
        return false;
    }
    let name = domain.strip_suffix('.').unwrap_or(domain);
    let Some((labels, top)) = name.rsplit_once('.') else {
        return false;
    };
    labels.split('.').all(|l| is_domain_label(l, false))
        && is_domain_label(top, true)
        && is_tld(top)
}

/// `\p{Alnum}(?>[\p{Alnum}-]{0,61}\p{Alnum})?`, or for the top label `\p{Alpha}…`.
pub(super) fn is_domain_label(label: &str, top: bool) -> bool {
    let mut chars = label.chars();
    let Some(first) = chars.next() else {
        return false;
    };
    let last = chars.next_back().unwrap_or(first);
    let first_ok = if top {
        is_domain_alpha(first)
    } else {
        is_domain_alnum(first)
    };
    first_ok
        && is_domain_alnum(last)
        && label.chars().count() <= 63
        && label.chars().all(|c| is_domain_alnum(c) || c == '-')
}

/// An ASCII letter or digit, or a non-ASCII one (an internationalised label).
pub(super) fn is_domain_alnum(c: char) -> bool {
    c.is_ascii_alphanumeric() || (!c.is_ascii() && c.is_alphanumeric())
}

/// An ASCII letter, or a non-ASCII one (an internationalised label).
pub(super) fn is_domain_alpha(c: char) -> bool {
    c.is_ascii_alphabetic() || (!c.is_ascii() && c.is_alphabetic())
}

/// Stand-in for IANA's list of top-level domains (see [`ValueType::Email`]).
pub(super) fn is_tld(top: &str) -> bool {
    let ascii_letters = top.len() >= 2 && top.bytes().all(|b| b.is_ascii_alphabetic());
    let punycode = top.get(..4).is_some_and(|p| p.eq_ignore_ascii_case("xn--"));
    let unicode = !top.is_ascii() && top.chars().all(char::is_alphabetic);
    ascii_letters || punycode || unicode
}

/// `InetAddressValidator.isValidInet4Address`: four dot-separated decimal octets of 1–3
/// digits, at most 255, without leading zeros.
pub(super) fn is_inet4(s: &str) -> bool {
    let mut count = 0;
    for octet in s.split('.') {
        count += 1;
        let b = octet.as_bytes();
        let ok = count <= 4
            && (1..=3).contains(&b.len())
            && b.iter().all(u8::is_ascii_digit)
            && !(b.len() > 1 && b.first() == Some(&b'0'))
            && octet.parse::<u16>().is_ok_and(|v| v <= 255);
        if !ok {
            return false;
        }
    }
    count == 4
}

/// `InetAddressValidator.isValidInet6Address`, approximated by the standard library's parser
/// (no zone ids or prefix lengths).
pub(super) fn is_inet6(s: &str) -> bool {
    s.parse::<std::net::Ipv6Addr>().is_ok()
}

// ---------------------------------------------------------------------------------------------
