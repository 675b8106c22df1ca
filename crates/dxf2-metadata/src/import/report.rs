//! The import report in DHIS2's JSON shape (`ImportReport`, `TypeReport`, `ObjectReport`,
//! `ErrorReport`, `Stats`), serializable with serde to DHIS2's field names.
//!
//! Orders DHIS2 leaves unspecified (its type reports and object reports sit in hash maps) are
//! fixed here: type reports in import order, object reports by index, error reports of an object
//! by error code and then in the order they were found (DHIS2 groups them by code).

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

use super::message::{render, Arg};

/// The import's outcome.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Status {
    /// No error.
    #[default]
    Ok,
    /// Errors, but the rest was imported (atomic mode `NONE`, or a deletion vetoed).
    Warning,
    /// Errors, and nothing was imported.
    Error,
}

impl std::fmt::Display for Status {
    /// DHIS2's name: `OK`, `WARNING`, `ERROR`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Status::Ok => "OK",
            Status::Warning => "WARNING",
            Status::Error => "ERROR",
        })
    }
}

impl Status {
    /// The worse of two statuses.
    pub fn worst(self, other: Status) -> Status {
        match (self, other) {
            (Status::Error, _) | (_, Status::Error) => Status::Error,
            (Status::Warning, _) | (_, Status::Warning) => Status::Warning,
            _ => Status::Ok,
        }
    }
}

/// Counts (`total` is their sum).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
pub struct Stats {
    /// Objects created.
    pub created: usize,
    /// Objects updated.
    pub updated: usize,
    /// Objects deleted.
    pub deleted: usize,
    /// Objects ignored (DHIS2 counts one per failed check and object, so this can exceed the
    /// number of objects).
    pub ignored: usize,
}

impl Stats {
    /// `created + updated + deleted + ignored`.
    pub fn total(&self) -> usize {
        self.created + self.updated + self.deleted + self.ignored
    }

    fn add(&mut self, other: &Stats) {
        self.created += other.created;
        self.updated += other.updated;
        self.deleted += other.deleted;
        self.ignored += other.ignored;
    }

    /// Everything moved to `ignored` (atomic mode `ALL` with errors).
    fn ignore_all(&mut self) {
        *self = Stats {
            ignored: self.total(),
            ..Stats::default()
        };
    }
}

impl Serialize for Stats {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Out {
            created: usize,
            updated: usize,
            deleted: usize,
            ignored: usize,
            total: usize,
        }
        Out {
            created: self.created,
            updated: self.updated,
            deleted: self.deleted,
            ignored: self.ignored,
            total: self.total(),
        }
        .serialize(s)
    }
}

/// One error (`ErrorReport`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ErrorReport {
    /// The message.
    pub message: String,
    /// The Java class the error is about.
    pub main_klass: String,
    /// The UID of the object the error is about.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub main_id: Option<String>,
    /// The Java class of the property concerned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_klass: Option<String>,
    /// The property concerned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_property: Option<String>,
    /// The message arguments as values.
    #[serde(default)]
    pub error_properties: Vec<Value>,
    /// Never set by the metadata import.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<Value>,
    /// The code (`E5002`).
    pub error_code: String,
    /// The message arguments as text.
    #[serde(default)]
    pub args: Vec<Option<String>>,
}

impl ErrorReport {
    /// A report of `code` about class `main_klass`, its message made from `args`.
    pub(crate) fn new(main_klass: &str, code: &str, args: &[Arg], minor: u32) -> ErrorReport {
        let r = render(code, args, minor);
        ErrorReport {
            message: r.message,
            main_klass: main_klass.to_owned(),
            main_id: None,
            error_klass: None,
            error_property: None,
            error_properties: r.error_properties,
            value: None,
            error_code: code.to_owned(),
            args: r.args,
        }
    }

    /// A report whose message is given whole (DHIS2's `E4030`: no arguments).
    pub(crate) fn with_message(main_klass: &str, code: &str, message: String) -> ErrorReport {
        ErrorReport {
            message,
            main_klass: main_klass.to_owned(),
            main_id: None,
            error_klass: None,
            error_property: None,
            error_properties: Vec::new(),
            value: None,
            error_code: code.to_owned(),
            args: Vec::new(),
        }
    }

    pub(crate) fn main_id(mut self, id: Option<&str>) -> ErrorReport {
        self.main_id = id.map(str::to_owned);
        self
    }

    pub(crate) fn error_klass(mut self, klass: Option<&str>) -> ErrorReport {
        self.error_klass = klass.map(str::to_owned);
        self
    }

    pub(crate) fn error_property(mut self, property: &str) -> ErrorReport {
        self.error_property = Some(property.to_owned());
        self
    }
}

/// The errors of one object (`ObjectReport`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ObjectReport {
    /// The object's Java class.
    pub klass: String,
    /// The object's position among the payload's objects of its type (objects met only in the
    /// target, such as those deleted, come after them).
    pub index: usize,
    /// The object's UID.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uid: Option<String>,
    /// The object's name (kept in `DEBUG` report mode and in `VALIDATE` import mode).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// Its errors, grouped by code.
    #[serde(default)]
    pub error_reports: Vec<ErrorReport>,
}

impl ObjectReport {
    pub(crate) fn new(
        klass: &str,
        index: usize,
        uid: Option<&str>,
        name: Option<&str>,
    ) -> ObjectReport {
        ObjectReport {
            klass: klass.to_owned(),
            index,
            uid: uid.map(str::to_owned),
            display_name: name.filter(|n| !n.is_empty()).map(str::to_owned),
            error_reports: Vec::new(),
        }
    }

    /// Adds `e` after the other errors of its code (DHIS2 keeps them grouped by code).
    pub(crate) fn add(&mut self, e: ErrorReport) {
        let at = self
            .error_reports
            .iter()
            .position(|x| x.error_code > e.error_code)
            .unwrap_or(self.error_reports.len());
        self.error_reports.insert(at, e);
    }

    fn merge(&mut self, other: ObjectReport) {
        for e in other.error_reports {
            self.add(e);
        }
    }
}

/// The report of one type (`TypeReport`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TypeReport {
    /// The type's Java class.
    pub klass: String,
    /// Its counts.
    pub stats: Stats,
    /// Its object reports, by index.
    #[serde(
        serialize_with = "object_reports_out",
        deserialize_with = "object_reports_in",
        default
    )]
    pub object_reports: BTreeMap<usize, ObjectReport>,
}

fn object_reports_out<S: Serializer>(
    map: &BTreeMap<usize, ObjectReport>,
    s: S,
) -> Result<S::Ok, S::Error> {
    s.collect_seq(map.values())
}

fn object_reports_in<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<BTreeMap<usize, ObjectReport>, D::Error> {
    let list = Vec::<ObjectReport>::deserialize(d)?;
    Ok(list.into_iter().map(|o| (o.index, o)).collect())
}

impl TypeReport {
    pub(crate) fn new(klass: &str) -> TypeReport {
        TypeReport {
            klass: klass.to_owned(),
            stats: Stats::default(),
            object_reports: BTreeMap::new(),
        }
    }

    /// Adds an object report, merging it with the report already at its index.
    pub(crate) fn add_object_report(&mut self, report: ObjectReport) {
        match self.object_reports.get_mut(&report.index) {
            Some(existing) => existing.merge(report),
            None => {
                self.object_reports.insert(report.index, report);
            }
        }
    }

    /// Whether any object report has an error.
    pub fn has_errors(&self) -> bool {
        self.object_reports
            .values()
            .any(|o| !o.error_reports.is_empty())
    }

    /// Every error report of the type.
    pub fn error_reports(&self) -> impl Iterator<Item = &ErrorReport> {
        self.object_reports
            .values()
            .flat_map(|o| o.error_reports.iter())
    }

    pub(crate) fn merge(&mut self, other: TypeReport) {
        self.stats.add(&other.stats);
        for (_, o) in other.object_reports {
            self.add_object_report(o);
        }
    }

    pub(crate) fn ignore_all(&mut self) {
        self.stats.ignore_all();
    }
}

/// The report of an import (`ImportReport`), without DHIS2's web envelope.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ImportReport {
    /// The outcome.
    pub status: Status,
    /// The sum of the type reports' counts.
    pub stats: Stats,
    /// One report per type, in import order.
    pub type_reports: Vec<TypeReport>,
}

impl ImportReport {
    /// The report of type `klass` (its Java class) or of collection key `key`'s class.
    pub fn type_report(&self, klass_or_key: &str) -> Option<&TypeReport> {
        let klass = crate::schema::by_key(klass_or_key).map_or(klass_or_key, |t| t.klass);
        self.type_reports.iter().find(|t| t.klass == klass)
    }

    /// Every error report.
    pub fn error_reports(&self) -> impl Iterator<Item = &ErrorReport> {
        self.type_reports.iter().flat_map(TypeReport::error_reports)
    }

    /// The number of error reports with `code` (all codes when `None`).
    pub fn count_errors(&self, code: Option<&str>) -> usize {
        self.error_reports()
            .filter(|e| code.is_none_or(|c| e.error_code == c))
            .count()
    }

    /// Whether the report has any error.
    pub fn has_errors(&self) -> bool {
        self.type_reports.iter().any(TypeReport::has_errors)
    }

    /// Adds a type report, merging it with the report of the same class, keeping `order` (the
    /// position of the class in import order) for new ones.
    pub(crate) fn add_type_report(&mut self, report: TypeReport, order: u32) {
        if let Some(t) = self
            .type_reports
            .iter_mut()
            .find(|t| t.klass == report.klass)
        {
            t.merge(report);
        } else {
            let at = self
                .type_reports
                .iter()
                .position(|t| klass_order(&t.klass) > order)
                .unwrap_or(self.type_reports.len());
            self.type_reports.insert(at, report);
        }
        self.recount();
    }

    pub(crate) fn recount(&mut self) {
        let mut stats = Stats::default();
        for t in &self.type_reports {
            stats.add(&t.stats);
        }
        self.stats = stats;
    }

    /// Folds the report of a later document of the same import into this one.
    pub fn merge(&mut self, later: ImportReport) {
        self.status = self.status.worst(later.status);
        for t in later.type_reports {
            let order = klass_order(&t.klass);
            self.add_type_report(t, order);
        }
    }

    /// DHIS2's post-processing for a committed import: type reports with nothing counted are
    /// removed; with `clean`, object reports without errors are removed; without `keep_names`,
    /// display names are removed.
    pub(crate) fn post_process(&mut self, clean: bool, keep_names: bool) {
        self.type_reports.retain(|t| t.stats.total() > 0);
        for t in &mut self.type_reports {
            if clean {
                t.object_reports.retain(|_, o| !o.error_reports.is_empty());
            }
            if !keep_names {
                for o in t.object_reports.values_mut() {
                    o.display_name = None;
                }
            }
        }
        self.recount();
    }
}

fn klass_order(klass: &str) -> u32 {
    crate::schema::all()
        .iter()
        .find(|t| t.klass == klass)
        .map_or(u32::MAX, |t| t.order)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn serializes_with_dhis2_field_names_and_order() {
        let mut t = TypeReport::new("org.hisp.dhis.dataelement.DataElement");
        t.stats.ignored = 1;
        let mut o = ObjectReport::new(&t.klass, 0, Some("deabcdefghA"), Some("A"));
        o.add(
            ErrorReport::new(&t.klass, "E4000", &["name".into()], 42)
                .error_klass(Some("java.lang.String"))
                .error_property("name"),
        );
        t.add_object_report(o);
        let mut r = ImportReport {
            status: Status::Error,
            ..ImportReport::default()
        };
        r.add_type_report(t, 1200);
        let json = serde_json::to_string(&r).unwrap();
        assert_eq!(
            json,
            r#"{"status":"ERROR","stats":{"created":0,"updated":0,"deleted":0,"ignored":1,"total":1},"typeReports":[{"klass":"org.hisp.dhis.dataelement.DataElement","stats":{"created":0,"updated":0,"deleted":0,"ignored":1,"total":1},"objectReports":[{"klass":"org.hisp.dhis.dataelement.DataElement","index":0,"uid":"deabcdefghA","displayName":"A","errorReports":[{"message":"Missing required property `name`","mainKlass":"org.hisp.dhis.dataelement.DataElement","errorKlass":"java.lang.String","errorProperty":"name","errorProperties":["name"],"errorCode":"E4000","args":["name"]}]}]}]}"#
        );
        let back: ImportReport = serde_json::from_str(&json).unwrap();
        assert_eq!(back, r);
    }

    #[test]
    fn error_reports_group_by_code() {
        let mut o = ObjectReport::new("k", 0, None, None);
        o.add(ErrorReport::with_message("k", "E5002", "b".into()));
        o.add(ErrorReport::with_message("k", "E4000", "a".into()));
        o.add(ErrorReport::with_message("k", "E5002", "c".into()));
        let codes: Vec<&str> = o.error_reports.iter().map(|e| e.message.as_str()).collect();
        assert_eq!(codes, ["a", "b", "c"]);
    }
}
