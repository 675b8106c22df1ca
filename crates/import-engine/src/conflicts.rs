//! Building DHIS2's grouped conflict list ([`ConflictCollector`], used by both importer
//! generations), and formatting DHIS2's messages as Java does (`MessageFormat` templates,
//! numbers with thousands separators, lists as `[a, b]`).

use dxf2_model::ImportConflict;
use rustc_hash::FxHashMap;

/// One rule's error code and message template (`{0}`, `{1}`, … placeholders, Java MessageFormat).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ErrorCode {
    /// The code, e.g. `E7610`.
    pub code: &'static str,
    /// The message template.
    pub template: &'static str,
}

/// Formats a MessageFormat-style template: `{n}` is replaced by `args[n]` (`null` when absent).
pub fn format_message(template: &str, args: &[Option<&str>]) -> String {
    let mut out = String::with_capacity(template.len() + 32);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let (before, after) = rest.split_at(open);
        out.push_str(before);
        let close = after.find('}');
        let index = close
            .and_then(|c| after.get(1..c))
            .and_then(|n| n.parse::<usize>().ok());
        match (close, index) {
            (Some(c), Some(i)) => {
                out.push_str(args.get(i).copied().flatten().unwrap_or("null"));
                rest = after.get(c + 1..).unwrap_or_default();
            }
            _ => {
                out.push('{');
                rest = after.get(1..).unwrap_or_default();
            }
        }
    }
    out.push_str(rest);
    out
}

/// Collects conflicts, merging those with the same code and object values, and keeps
/// `rejectedIndexes`.
///
/// As in DHIS2's import summary, a conflict with the same error code and the same
/// `objects` values as an earlier one is merged into it: its index is appended to the earlier
/// entry's `indexes` (three values with the same unknown data element give one `E7610` with
/// `indexes` `[0, 1, 2]`). Legacy conflicts (no code) merge by object and message.
#[derive(Debug, Default)]
pub struct ConflictCollector {
    conflicts: Vec<ImportConflict>,
    groups: FxHashMap<String, usize>,
    occurrences: usize,
    key: String,
    /// The code of the conflict added last by [`add`](Self::add).
    last_code: Option<&'static str>,
}

impl ConflictCollector {
    /// An empty collector.
    pub fn new() -> ConflictCollector {
        ConflictCollector::default()
    }

    /// Adds a formal conflict. `objects` are `(key, value)` in order; `args` fill the template.
    pub fn add(
        &mut self,
        code: ErrorCode,
        objects: &[(&str, Option<&str>)],
        args: &[Option<&str>],
        property: Option<&str>,
        index: Option<i64>,
    ) {
        self.occurrences += 1;
        self.last_code = Some(code.code);
        self.group_key(code.code, objects.iter().map(|(_, v)| *v));
        if let Some(&at) = self.groups.get(self.key.as_str()) {
            if let (Some(existing), Some(i)) = (self.conflicts.get_mut(at), index) {
                existing.indexes.get_or_insert_with(Vec::new).push(i);
            }
            return;
        }
        let conflict = ImportConflict {
            object: objects.first().and_then(|(_, v)| v.map(str::to_owned)),
            objects: objects
                .iter()
                .map(|(k, v)| ((*k).to_owned(), v.map(str::to_owned)))
                .collect(),
            value: format_message(code.template, args),
            error_code: Some(code.code.to_owned()),
            property: property.map(str::to_owned),
            indexes: index.map(|i| vec![i]),
        };
        self.groups.insert(self.key.clone(), self.conflicts.len());
        self.conflicts.push(conflict);
    }

    /// Adds a conflict built by the caller (DHIS2 2.43+'s shape), merging it into an earlier one
    /// with the same code and object values: the new conflict's indexes are appended to it.
    pub(crate) fn add_conflict(&mut self, conflict: ImportConflict) {
        self.occurrences += 1;
        self.last_code = None;
        let code = conflict.error_code.as_deref().unwrap_or_default();
        self.group_key(code, conflict.objects.iter().map(|(_, v)| v.as_deref()));
        if let Some(&at) = self.groups.get(self.key.as_str()) {
            if let (Some(existing), Some(more)) = (self.conflicts.get_mut(at), conflict.indexes) {
                existing.indexes.get_or_insert_with(Vec::new).extend(more);
            }
            return;
        }
        self.groups.insert(self.key.clone(), self.conflicts.len());
        self.conflicts.push(conflict);
    }

    /// Sets `self.key` to the grouping key of a conflict: its code and object values.
    fn group_key<'a>(&mut self, code: &str, values: impl Iterator<Item = Option<&'a str>>) {
        self.key.clear();
        self.key.push_str(code);
        for v in values {
            self.key.push(':');
            self.key.push_str(v.unwrap_or("null"));
        }
    }

    /// Adds a legacy conflict (object + message, no code), grouped by both.
    pub fn add_legacy(&mut self, object: &str, message: &str) {
        self.occurrences += 1;
        self.last_code = None;
        let key = format!("legacy:{object}:{message}");
        if self.groups.contains_key(&key) {
            return;
        }
        self.groups.insert(key, self.conflicts.len());
        self.conflicts.push(ImportConflict {
            object: Some(object.to_owned()),
            value: message.to_owned(),
            ..ImportConflict::default()
        });
    }

    /// Whether any conflict was added.
    pub fn is_empty(&self) -> bool {
        self.conflicts.is_empty()
    }

    /// Every occurrence added (DHIS2's `getTotalConflictOccurrenceCount`).
    pub fn occurrences(&self) -> usize {
        self.occurrences
    }

    /// The code of the last conflict added, when it was added by [`add`](Self::add) (a formal
    /// conflict with a code); `None` after a legacy or caller-built conflict.
    pub(crate) fn last_code(&self) -> Option<&'static str> {
        self.last_code
    }

    /// The grouped conflicts.
    pub fn into_conflicts(self) -> Vec<ImportConflict> {
        self.conflicts
    }
}

/// An integer as Java's default `NumberFormat` writes it in DHIS2's messages (`MessageFormat`
/// `{0}` of a number): thousands separated by commas, `-1,234`.
pub(crate) fn group_thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    let len = digits.len();
    for (i, c) in digits.chars().enumerate() {
        // Digits left to write, this one included: a comma before each full group of three.
        let left = len - i;
        if i > 0 && matches!(left % 3, 0) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A Java `List` or `Set` as `AbstractCollection.toString` prints it: `[a, b]`.
pub(crate) fn java_list<S: AsRef<str>>(items: &[S]) -> String {
    let mut out = String::from("[");
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        out.push_str(item.as_ref());
    }
    out.push(']');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const E7610: ErrorCode = ErrorCode {
        code: "E7610",
        template: "Data element not found or not accessible: `{0}`",
    };

    #[test]
    fn formats_like_message_format() {
        assert_eq!(
            format_message("a `{0}` b {1}", &[Some("x"), None]),
            "a `x` b null"
        );
        assert_eq!(format_message("{ {9} }", &[]), "{ null }");
    }

    #[test]
    fn groups_by_code_and_objects() {
        let mut c = ConflictCollector::new();
        c.add(
            E7610,
            &[("dataElement", Some("x"))],
            &[Some("x")],
            Some("dataElement"),
            Some(0),
        );
        c.add(
            E7610,
            &[("dataElement", Some("x"))],
            &[Some("x")],
            Some("dataElement"),
            Some(1),
        );
        c.add(
            E7610,
            &[("dataElement", Some("y"))],
            &[Some("y")],
            Some("dataElement"),
            Some(2),
        );
        assert_eq!(c.occurrences(), 3);
        let list = c.into_conflicts();
        assert_eq!(list.len(), 2);
        assert_eq!(list[0].indexes, Some(vec![0, 1]));
        assert_eq!(list[0].object.as_deref(), Some("x"));
        assert_eq!(
            list[0].value,
            "Data element not found or not accessible: `x`"
        );
    }
}
