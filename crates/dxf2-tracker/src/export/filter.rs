//! `filter` (and `filterAttributes`): `UID:op:value[:op:value]` conditions on an attribute or
//! a data element, with DHIS2's `/` escapes.

use crate::import::ParamError;

/// A filter `UID:op:value` on an attribute (tracked entities, enrollments) or a data element
/// (events), with DHIS2's `/` escapes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ItemFilter {
    /// The attribute or data element (UID).
    pub item: String,
    /// (operator, value) pairs; all must hold.
    pub conditions: Vec<(String, String)>,
}

impl ItemFilter {
    /// Parses `UID:op:value[:op:value]` (`/` escapes `:`, `,` and `/`).
    pub fn parse(text: &str) -> Result<ItemFilter, ParamError> {
        let mut parts = Vec::new();
        let mut current = String::new();
        let mut chars = text.chars();
        while let Some(c) = chars.next() {
            match c {
                '/' => match chars.next() {
                    Some(n) => current.push(n),
                    None => current.push('/'),
                },
                ':' => parts.push(std::mem::take(&mut current)),
                other => current.push(other),
            }
        }
        parts.push(current);
        let mut parts = parts.into_iter();
        let item = parts.next().unwrap_or_default();
        let rest: Vec<String> = parts.collect();
        let bad = || ParamError {
            message: format!("Query item or filter is invalid: {text}"),
        };
        if item.is_empty() {
            return Err(bad());
        }
        let mut conditions = Vec::new();
        let mut i = 0;
        while let Some(op) = rest.get(i) {
            let op = op.to_ascii_lowercase();
            let unary = op == "null" || op == "!null";
            let value = if unary {
                String::new()
            } else {
                rest.get(i + 1).cloned().ok_or_else(bad)?
            };
            if !matches!(
                op.as_str(),
                "eq" | "ieq"
                    | "ne"
                    | "neq"
                    | "like"
                    | "ilike"
                    | "nlike"
                    | "sw"
                    | "ew"
                    | "gt"
                    | "ge"
                    | "lt"
                    | "le"
                    | "in"
                    | "null"
                    | "!null"
            ) {
                return Err(bad());
            }
            conditions.push((op, value));
            i += if unary { 1 } else { 2 };
        }
        Ok(ItemFilter { item, conditions })
    }

    /// Whether a value (absent: `None`) passes every condition.
    pub fn matches(&self, value: Option<&str>) -> bool {
        self.conditions.iter().all(|(op, want)| {
            let Some(v) = value else {
                return op == "null";
            };
            let (lv, lw) = (v.to_lowercase(), want.to_lowercase());
            let number = |s: &str| s.parse::<f64>().ok();
            let cmp = match (number(v), number(want)) {
                (Some(a), Some(b)) => a.partial_cmp(&b),
                _ => Some(lv.cmp(&lw)),
            };
            match op.as_str() {
                "eq" | "ieq" => lv == lw,
                "ne" | "neq" => lv != lw,
                "like" | "ilike" => lv.contains(&lw),
                "nlike" => !lv.contains(&lw),
                "sw" => lv.starts_with(&lw),
                "ew" => lv.ends_with(&lw),
                "gt" => cmp == Some(std::cmp::Ordering::Greater),
                "ge" => cmp.is_some_and(|c| c != std::cmp::Ordering::Less),
                "lt" => cmp == Some(std::cmp::Ordering::Less),
                "le" => cmp.is_some_and(|c| c != std::cmp::Ordering::Greater),
                "in" => lw.split(';').any(|x| x == lv),
                "!null" => true,
                _ => false,
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_unescape_and_match() {
        let f = ItemFilter::parse("kZeSYCgaHTk:eq:Test/,Test").unwrap();
        assert_eq!(f.item, "kZeSYCgaHTk");
        assert!(f.matches(Some("Test,Test")));
        let f = ItemFilter::parse("dIVt4l5vIOa:eq:Test/:Test").unwrap();
        assert!(f.matches(Some("test:test")));
        let f = ItemFilter::parse("x:gt:5:lt:10").unwrap();
        assert!(f.matches(Some("7")) && !f.matches(Some("12")));
        assert!(ItemFilter::parse("x:bogus:1").is_err());
    }
}
