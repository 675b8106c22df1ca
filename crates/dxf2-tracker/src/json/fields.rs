//! DHIS2's field filter (`fields=`), as far as the tracker exports need it: `*` (or `:all`),
//! `a,b`, nested `a[b,c[d]]` (or `a(b,c)`), and exclusions `!a`.
//!
//! ```
//! use dxf2_tracker::FieldFilter;
//!
//! let f = FieldFilter::parse("*,!relationships,enrollments[enrollment,events[event]]").unwrap();
//! assert!(f.includes("orgUnit"));
//! assert!(!f.includes("relationships"));
//! let enrollments = f.nested("enrollments").unwrap().unwrap();
//! assert!(enrollments.includes("events") && !enrollments.includes("orgUnit"));
//! ```

use crate::error::{Error, ErrorKind, Result};

/// A parsed field filter.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FieldFilter {
    all: bool,
    include: Vec<(String, Option<FieldFilter>)>,
    exclude: Vec<String>,
}

impl FieldFilter {
    /// Every field, at every depth (`*`).
    pub fn all() -> FieldFilter {
        FieldFilter {
            all: true,
            ..FieldFilter::default()
        }
    }

    /// Parses DHIS2's syntax. Presets other than `:all` (`:owner`, `:simple`, …) and
    /// transformers (`~rename`) are refused.
    pub fn parse(spec: &str) -> Result<FieldFilter> {
        let mut chars = spec.chars().peekable();
        let filter = parse_level(&mut chars, spec, None)?;
        if chars.next().is_some() {
            return Err(invalid(spec, "unbalanced `]` or `)`"));
        }
        Ok(filter)
    }

    /// Whether `field` is written at this level.
    pub fn includes(&self, field: &str) -> bool {
        self.nested(field).is_some()
    }

    /// How `field` is written: `None` when left out, `Some(None)` with everything below it,
    /// `Some(Some(filter))` with a filter for its own fields.
    pub fn nested(&self, field: &str) -> Option<Option<&FieldFilter>> {
        if self.exclude.iter().any(|e| e == field) {
            return None;
        }
        if let Some((_, sub)) = self.include.iter().find(|(name, _)| name == field) {
            return Some(sub.as_ref());
        }
        self.all.then_some(None)
    }

    /// DHIS2's default `fields` of each export endpoint (2.41–master): tracked entities
    /// `*,!relationships,!enrollments,!events,!programOwners`; enrollments
    /// `*,!relationships,!events,!attributes`; events `*,!relationships`; relationships
    /// `relationship,relationshipType,createdAtClient,from[…],to[…]` with only the items' UIDs.
    pub fn dhis2_default(kind: crate::TrackerType) -> FieldFilter {
        let spec = match kind {
            crate::TrackerType::TrackedEntity => {
                "*,!relationships,!enrollments,!events,!programOwners"
            }
            crate::TrackerType::Enrollment => "*,!relationships,!events,!attributes",
            crate::TrackerType::Event => "*,!relationships",
            crate::TrackerType::Relationship => {
                "relationship,relationshipType,createdAtClient,\
                 from[trackedEntity[trackedEntity],enrollment[enrollment],event[event]],\
                 to[trackedEntity[trackedEntity],enrollment[enrollment],event[event]]"
            }
        };
        FieldFilter::parse(spec).unwrap_or_else(|_| FieldFilter::all())
    }
}

fn invalid(spec: &str, message: &str) -> Error {
    Error::new(ErrorKind::InvalidFieldFilter {
        filter: spec.to_owned(),
        message: message.to_owned(),
    })
}

fn parse_level(
    chars: &mut std::iter::Peekable<std::str::Chars<'_>>,
    spec: &str,
    close: Option<char>,
) -> Result<FieldFilter> {
    let mut filter = FieldFilter::default();
    loop {
        let mut name = String::new();
        while let Some(&c) = chars.peek() {
            if matches!(c, ',' | '[' | ']' | '(' | ')') {
                break;
            }
            if !c.is_whitespace() {
                name.push(c);
            }
            chars.next();
        }
        let sub = match chars.peek() {
            Some('[') => {
                chars.next();
                Some(parse_level(chars, spec, Some(']'))?)
            }
            Some('(') => {
                chars.next();
                Some(parse_level(chars, spec, Some(')'))?)
            }
            _ => None,
        };
        if let Some(excluded) = name.strip_prefix('!') {
            if sub.is_some() || excluded.is_empty() {
                return Err(invalid(spec, "`!` takes one field name"));
            }
            filter.exclude.push(excluded.to_owned());
        } else if name == "*" || name == ":all" {
            filter.all = true;
        } else if name.starts_with(':') || name.contains('~') || name.contains('|') {
            return Err(invalid(spec, "presets and transformers are not supported"));
        } else if !name.is_empty() {
            filter.include.push((name, sub));
        } else if sub.is_some() {
            return Err(invalid(spec, "a nested filter needs a field name"));
        }
        match chars.next() {
            Some(',') => continue,
            Some(c) if Some(c) == close => return Ok(filter),
            None if close.is_none() => return Ok(filter),
            None => return Err(invalid(spec, "unclosed `[` or `(`")),
            Some(_) => return Err(invalid(spec, "unbalanced brackets")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_dhis2_syntax() {
        let f = FieldFilter::parse("event,dataValues[dataElement,value],notes(value)").unwrap();
        assert!(f.includes("event") && !f.includes("status"));
        let dv = f.nested("dataValues").unwrap().unwrap();
        assert!(dv.includes("value") && !dv.includes("storedBy"));
        assert!(f.nested("notes").unwrap().unwrap().includes("value"));
        assert_eq!(f.nested("event"), Some(None));
        let all = FieldFilter::parse(":all").unwrap();
        assert!(all.includes("anything"));
        for bad in ["a[b", "a]", ":owner", "a~rename(b)", "![a]", "[a]"] {
            assert!(FieldFilter::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(FieldFilter::parse("").unwrap(), FieldFilter::default());
    }

    #[test]
    fn defaults_parse() {
        let r = FieldFilter::dhis2_default(crate::TrackerType::Relationship);
        assert!(r.includes("from") && !r.includes("bidirectional"));
        let te = FieldFilter::dhis2_default(crate::TrackerType::TrackedEntity);
        assert!(te.includes("attributes") && !te.includes("enrollments"));
    }
}
