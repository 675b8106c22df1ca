//! Why a DOCTYPE is refused: never read, but named as the JDK's parser names what DHIS2's
//! settings (`ACCESS_EXTERNAL_DTD = ""`) refuse — an external DTD or entity, with the file name
//! and the scheme it would have been read by — and, for any other DTD (which DHIS2 would read,
//! expanding its entities), as the JDK's secure processing refuses a DOCTYPE.

/// Why a DOCTYPE is refused, worded as the JDK's parser words it under DHIS2's settings
/// (`ACCESS_EXTERNAL_DTD = ""`) for external DTDs and entities, and as its secure processing does
/// for any other DTD (which DHIS2 would read, expanding its entities; here none is ever read).
pub(crate) fn doctype_cause(content: &str) -> String {
    let external = |keyword_at: &str| -> Option<String> {
        let mut tokens = Tokens(keyword_at);
        match tokens.next()? {
            "SYSTEM" => tokens.next_quoted(),
            "PUBLIC" => {
                tokens.next_quoted()?;
                tokens.next_quoted()
            }
            _ => None,
        }
    };
    let (head, subset) = content.split_once('[').unwrap_or((content, ""));
    // `<!DOCTYPE root SYSTEM "uri" [...]>`: the external subset.
    let mut head_tokens = Tokens(head);
    let _root = head_tokens.next();
    if let Some(uri) = external(head_tokens.0) {
        return format!(
            "External DTD: Failed to read external DTD '{}', because '{}' access is not allowed due to restriction set by the accessExternalDTD property.",
            file_name(&uri),
            scheme(&uri)
        );
    }
    // `<!ENTITY [%] name SYSTEM "uri">` in the internal subset.
    let mut rest = subset;
    while let Some(at) = rest.find("<!ENTITY") {
        let after = rest.get(at + "<!ENTITY".len()..).unwrap_or("");
        let mut tokens = Tokens(after);
        let mut name = tokens.next();
        if name == Some("%") {
            name = tokens.next();
        }
        if name.is_some() {
            if let Some(uri) = external(tokens.0) {
                return format!(
                    "External Entity: Failed to read external document '{}', because '{}' access is not allowed due to restriction set by the accessExternalDTD property.",
                    file_name(&uri),
                    scheme(&uri)
                );
            }
        }
        rest = after;
    }
    "DOCTYPE is disallowed when the feature \"http://apache.org/xml/features/disallow-doctype-decl\" set to true.".to_owned()
}

/// The last segment of a URI's path (the JDK names only that).
fn file_name(uri: &str) -> &str {
    uri.rsplit(['/', '\\']).next().unwrap_or(uri)
}

/// A URI's scheme (`file` when it has none).
fn scheme(uri: &str) -> String {
    match uri.split_once(':') {
        Some((s, _))
            if !s.is_empty()
                && s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c)) =>
        {
            s.to_ascii_lowercase()
        }
        _ => "file".to_owned(),
    }
}

/// White-space separated tokens of DTD text; quoted strings as one.
struct Tokens<'a>(&'a str);

impl<'a> Tokens<'a> {
    fn next(&mut self) -> Option<&'a str> {
        let s = self.0.trim_start();
        let end = s
            .find(|c: char| c.is_whitespace() || c == '>' || c == '"' || c == '\'')
            .unwrap_or(s.len());
        let end = if end == 0 {
            s.chars().next()?.len_utf8()
        } else {
            end
        };
        let (token, rest) = s.split_at(end);
        self.0 = rest;
        Some(token)
    }

    fn next_quoted(&mut self) -> Option<String> {
        let s = self.0.trim_start();
        let quote = s.chars().next().filter(|c| *c == '"' || *c == '\'')?;
        let body = s.get(1..)?;
        let close = body.find(quote)?;
        self.0 = body.get(close + 1..).unwrap_or("");
        body.get(..close).map(str::to_owned)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn external_dtds_and_entities_are_named() {
        assert!(
            doctype_cause(r#" foo [ <!ENTITY xxe SYSTEM "file:///etc/passwd"> ]"#).starts_with(
                "External Entity: Failed to read external document 'passwd', because 'file' access"
            )
        );
        assert!(
            doctype_cause(r#" c PUBLIC "-//x" 'https://e.org/a/b.dtd'"#).starts_with(
                "External DTD: Failed to read external DTD 'b.dtd', because 'https' access"
            )
        );
        assert!(doctype_cause(r#" c [<!ENTITY % p SYSTEM "p.ent">]"#)
            .contains("'p.ent', because 'file'"));
        assert!(doctype_cause(r#" c [<!ENTITY a "b">]"#).starts_with("DOCTYPE is disallowed"));
        assert!(doctype_cause("").starts_with("DOCTYPE is disallowed"));
    }
}
