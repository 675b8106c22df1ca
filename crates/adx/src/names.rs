//! XML names: the *Name* rule DHIS2 applies to category identifiers (they become attribute
//! names), and the qualified names a namespace-aware reader accepts for elements and attributes.

/// XML 1.0 (fifth edition) `NameStartChar`, without `:`.
fn is_name_start_char(c: char) -> bool {
    match c {
        'a'..='z' | 'A'..='Z' | '_' => true,
        '\0'..='\u{7f}' => false,
        _ => matches!(c,
            '\u{C0}'..='\u{D6}'
            | '\u{D8}'..='\u{F6}'
            | '\u{F8}'..='\u{2FF}'
            | '\u{370}'..='\u{37D}'
            | '\u{37F}'..='\u{1FFF}'
            | '\u{200C}'..='\u{200D}'
            | '\u{2070}'..='\u{218F}'
            | '\u{2C00}'..='\u{2FEF}'
            | '\u{3001}'..='\u{D7FF}'
            | '\u{F900}'..='\u{FDCF}'
            | '\u{FDF0}'..='\u{FFFD}'
            | '\u{10000}'..='\u{EFFFF}'),
    }
}

/// XML 1.0 `NameChar`, without `:`.
fn is_name_char(c: char) -> bool {
    match c {
        'a'..='z' | 'A'..='Z' | '0'..='9' | '_' | '-' | '.' => true,
        '\0'..='\u{7f}' => false,
        _ => {
            is_name_start_char(c)
                || matches!(c, '\u{B7}' | '\u{300}'..='\u{36F}' | '\u{203F}'..='\u{2040}')
        }
    }
}

/// Whether `name` is an XML 1.0 *Name* (production 5): a letter, `_` or `:` first, then
/// letters, digits, `.`, `-`, `_`, `:` and combining characters. This is the check DHIS2 makes
/// (`XMLChar.isValidName`) on the identifier of every category it reads or writes as an ADX
/// attribute: spaces, a leading digit, `/`, `(` are refused; `:` passes.
///
/// Xerces checks non-ASCII characters against the older XML 1.0 character tables; this
/// function uses the fifth edition's ranges, which agree on every ASCII name.
pub fn is_xml_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c == ':' || is_name_start_char(c))
        && chars.all(|c| c == ':' || is_name_char(c))
}

/// Whether `name` is an XML name without `:` (an *NCName*).
fn is_ncname(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(is_name_start_char) && chars.all(is_name_char)
}

/// Whether `name` is a qualified name: an NCName, or two NCNames joined by one `:` (what a
/// namespace-aware parser such as DHIS2's accepts as an element or attribute name).
pub(crate) fn is_qualified_name(name: &str) -> bool {
    match name.split_once(':') {
        Some((prefix, local)) => is_ncname(prefix) && is_ncname(local),
        None => is_ncname(name),
    }
}

/// The local part of a qualified name (`adx:group` → `group`).
pub(crate) fn local_name(name: &str) -> &str {
    match name.split_once(':') {
        Some((_, local)) => local,
        None => name,
    }
}

/// Whether an attribute is a namespace declaration (`xmlns`, `xmlns:p`), which a StAX reader
/// does not report as an attribute.
pub(crate) fn is_namespace_declaration(name: &str) -> bool {
    name == "xmlns" || name.starts_with("xmlns:")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_xml_1_0() {
        for good in [
            "sex",
            "Age_category",
            "_x",
            ":a",
            "a:b:c",
            "a.b-c",
            "é",
            "x1",
        ] {
            assert!(is_xml_name(good), "{good}");
        }
        for bad in ["", "1a", "a b", "a/b", "(a)", "-a", ".a", "a\u{0}"] {
            assert!(!is_xml_name(bad), "{bad}");
        }
    }

    #[test]
    fn qualified_names() {
        assert!(is_qualified_name("adx"));
        assert!(is_qualified_name("a:group"));
        assert!(!is_qualified_name("a:b:c"));
        assert!(!is_qualified_name(":a"));
        assert!(!is_qualified_name("a:"));
        assert!(!is_qualified_name("1a"));
        assert_eq!(local_name("a:group"), "group");
        assert_eq!(local_name("group"), "group");
        assert!(is_namespace_declaration("xmlns"));
        assert!(is_namespace_declaration("xmlns:a"));
        assert!(!is_namespace_declaration("xmlnsx"));
    }
}
