//! `URL` values: Apache Commons Validator's `UrlValidator`.

use super::*;

/// `new UrlValidator().isValid` (schemes http, https, ftp).
pub(super) fn is_url(v: &str) -> bool {
    // ^(([^:/?#]+):)?(//([^/?#]*))?([^?#]*)(\?([^#]*))?(#(.*))?
    let Some(end) = v.find([':', '/', '?', '#']) else {
        return false;
    };
    let Some((scheme, rest)) = v.split_at_checked(end) else {
        return false;
    };
    let Some(rest) = rest.strip_prefix(':') else {
        return false; // no scheme
    };
    let scheme_ok = ["http", "https", "ftp"]
        .iter()
        .any(|s| scheme.eq_ignore_ascii_case(s));
    if !scheme_ok {
        return false;
    }
    let (rest, fragment) = match rest.split_once('#') {
        Some((rest, fragment)) => (rest, Some(fragment)),
        None => (rest, None),
    };
    if fragment.is_some_and(|f| f.chars().any(is_java_line_terminator)) {
        return false;
    }
    let (rest, query) = match rest.split_once('?') {
        Some((rest, query)) => (rest, Some(query)),
        None => (rest, None),
    };
    let Some(rest) = rest.strip_prefix("//") else {
        return false; // no authority
    };
    let (authority, path) = match rest.find('/') {
        Some(slash) => rest.split_at_checked(slash).unwrap_or((rest, "")),
        None => (rest, ""),
    };
    is_url_authority(authority)
        && is_url_path(path)
        && query.is_none_or(|q| !q.chars().any(is_java_space))
}

/// `UrlValidator.isValidAuthority`:
/// `(?:\[(IPV6)\]|(?:(?:USERINFO@)?([\p{Alnum}\-.]*)))(?::(\d*))?(.*)?` plus the host, port and
/// "extra" checks.
pub(super) fn is_url_authority(authority: &str) -> bool {
    let after_host = if let Some(bracketed) = authority.strip_prefix('[') {
        let Some((ip, after)) = bracketed.split_once(']') else {
            return false;
        };
        if !is_ipv6_literal_shape(ip) || !is_inet6(ip) {
            return false;
        }
        after
    } else {
        let after_userinfo = match authority.split_once('@') {
            Some((userinfo, after)) if is_url_userinfo(userinfo) => after,
            _ => authority,
        };
        let host_len: usize = after_userinfo
            .chars()
            .take_while(|&c| is_domain_alnum(c) || c == '-' || c == '.')
            .map(char::len_utf8)
            .sum();
        let Some((host, after)) = after_userinfo.split_at_checked(host_len) else {
            return false;
        };
        if !(is_domain(host) || is_inet4(host)) {
            return false;
        }
        let port_digits = after
            .strip_prefix(':')
            .map(|p| p.get(..leading_digits(p.as_bytes())).unwrap_or_default());
        if let Some(port) = port_digits {
            if !port.is_empty() && !port.parse::<i32>().is_ok_and(|p| (0..=65535).contains(&p)) {
                return false;
            }
        }
        after
    };
    // The port (checked above for host names only, as Apache does), then the "extra" part,
    // which must be blank.
    let extra = match after_host.strip_prefix(':') {
        Some(p) => p.get(leading_digits(p.as_bytes())..).unwrap_or_default(),
        None => after_host,
    };
    !extra.chars().any(is_java_line_terminator) && java_trim(extra).is_empty()
}

/// `::FFFF:(?:\d{1,3}\.){3}\d{1,3}|[0-9a-fA-F:]+`.
pub(super) fn is_ipv6_literal_shape(ip: &str) -> bool {
    let mapped_v4 = ip.strip_prefix("::FFFF:").is_some_and(|v4| {
        let mut count = 0;
        let octets_ok = v4.split('.').all(|o| {
            count += 1;
            (1..=3).contains(&o.len()) && o.bytes().all(|b| b.is_ascii_digit())
        });
        octets_ok && count == 4
    });
    let hex = !ip.is_empty() && ip.bytes().all(|b| b.is_ascii_hexdigit() || b == b':');
    mapped_v4 || hex
}

/// `[a-zA-Z0-9%-._~!$&'()*+,;=]+(?::[a-zA-Z0-9%-._~!$&'()*+,;=]*)?` (before the `@`).
pub(super) fn is_url_userinfo(userinfo: &str) -> bool {
    let allowed = |b: u8| b.is_ascii_alphanumeric() || b"%&'()*+,-._~!$;=".contains(&b);
    let (name, password) = match userinfo.split_once(':') {
        Some((name, password)) => (name, password),
        None => (userinfo, ""),
    };
    !name.is_empty() && name.bytes().all(allowed) && password.bytes().all(allowed)
}

/// `UrlValidator.isValidPath`: `^(/[-\w:@&?=+,.!/~*'%$_;\(\)]*)?$`, no `//`, and the normalised
/// path does not climb above the root.
pub(super) fn is_url_path(path: &str) -> bool {
    if path.is_empty() {
        return true;
    }
    let chars_ok = path.starts_with('/')
        && path
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-:@&?=+,.!/~*'%$_;()".contains(&b));
    if !chars_ok || path.contains("//") {
        return false;
    }
    let mut depth = 0usize;
    for segment in path.split('/') {
        match segment {
            "" | "." => {}
            ".." => match depth.checked_sub(1) {
                Some(d) => depth = d,
                None => return false,
            },
            _ => depth += 1,
        }
    }
    true
}
