//! The import report (`ImportReport`, spec §7), written as DHIS2's JSON byte for byte: keys in
//! declaration order, `null`s left out.

use std::fmt::Write as _;

use super::codes::ValidationCode;
use crate::model::TrackerType;

/// `status` of a report.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum Status {
    /// `OK`.
    #[default]
    Ok,
    /// `WARNING` (in DHIS2's enum, never produced by a 2.42 import).
    Warning,
    /// `ERROR`: errors with `atomicMode=ALL`; nothing was written.
    Error,
}

impl Status {
    /// DHIS2's name.
    pub fn name(self) -> &'static str {
        match self {
            Status::Ok => "OK",
            Status::Warning => "WARNING",
            Status::Error => "ERROR",
        }
    }
}

/// `stats`: `total` is always the sum of the four counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct Stats {
    /// `created`.
    pub created: u64,
    /// `updated`.
    pub updated: u64,
    /// `deleted`.
    pub deleted: u64,
    /// `ignored`.
    pub ignored: u64,
}

impl Stats {
    /// `total`.
    pub fn total(&self) -> u64 {
        self.created + self.updated + self.deleted + self.ignored
    }

    /// Adds another's counts.
    pub fn add(&mut self, other: &Stats) {
        self.created += other.created;
        self.updated += other.updated;
        self.deleted += other.deleted;
        self.ignored += other.ignored;
    }
}

/// One error or warning of `validationReport`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Entry {
    /// The code.
    pub code: ValidationCode,
    /// `trackerType`.
    pub tracker_type: TrackerType,
    /// `uid`: the object's (possibly generated) UID.
    pub uid: String,
    /// `args`: the template's arguments.
    pub args: Vec<String>,
    /// `message`: the filled template.
    pub message: String,
}

impl Entry {
    /// An entry with its message filled from `args`.
    pub fn new(
        code: ValidationCode,
        tracker_type: TrackerType,
        uid: impl Into<String>,
        args: Vec<String>,
    ) -> Entry {
        let message = code.message(&args);
        Entry {
            code,
            tracker_type,
            uid: uid.into(),
            args,
            message,
        }
    }
}

/// One created, updated or deleted object of a type report (`objectReports[]`).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ObjectReport {
    /// `uid`.
    pub uid: String,
}

/// `bundleReport.typeReportMap.<TYPE>`.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct TypeReport {
    /// `stats`.
    pub stats: Stats,
    /// `objectReports`, in the payload's order.
    pub object_reports: Vec<ObjectReport>,
}

/// The import report.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct ImportReport {
    /// `status`.
    pub status: Status,
    /// `validationReport.errorReports`.
    pub errors: Vec<Entry>,
    /// `validationReport.warningReports` (already filtered by `reportMode`).
    pub warnings: Vec<Entry>,
    /// `stats`.
    pub stats: Stats,
    /// `bundleReport.typeReportMap`: `None` when validation stopped the import; empty for
    /// `importMode=VALIDATE`; else the four types in DHIS2's order.
    pub bundle: Option<Vec<(TrackerType, TypeReport)>>,
    /// `message` (aborted imports only).
    pub message: Option<String>,
}

impl ImportReport {
    /// The errors of one code (for tests and summaries).
    pub fn codes(&self) -> Vec<&'static str> {
        self.errors.iter().map(|e| e.code.code()).collect()
    }

    /// The type report of `kind`, when there is a bundle report with it.
    pub fn type_report(&self, kind: TrackerType) -> Option<&TypeReport> {
        self.bundle
            .as_ref()
            .and_then(|b| b.iter().find(|(k, _)| *k == kind).map(|(_, r)| r))
    }

    /// DHIS2's JSON (compact, keys in DHIS2's order).
    pub fn to_json(&self) -> String {
        let mut out = String::with_capacity(256);
        out.push_str("{\"status\":");
        string(&mut out, self.status.name());
        out.push_str(",\"validationReport\":{\"errorReports\":[");
        entries(&mut out, &self.errors, "errorCode", true);
        out.push_str("],\"warningReports\":[");
        entries(&mut out, &self.warnings, "warningCode", false);
        out.push_str("]},\"stats\":");
        stats(&mut out, &self.stats);
        if let Some(bundle) = &self.bundle {
            out.push_str(",\"bundleReport\":{\"typeReportMap\":{");
            for (i, (kind, report)) in bundle.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                string(&mut out, kind.name());
                out.push_str(":{\"trackerType\":");
                string(&mut out, kind.name());
                out.push_str(",\"stats\":");
                stats(&mut out, &report.stats);
                out.push_str(",\"objectReports\":[");
                for (j, object) in report.object_reports.iter().enumerate() {
                    if j > 0 {
                        out.push(',');
                    }
                    out.push_str("{\"trackerType\":");
                    string(&mut out, kind.name());
                    out.push_str(",\"uid\":");
                    string(&mut out, &object.uid);
                    out.push_str(",\"errorReports\":[]}");
                }
                out.push_str("]}");
            }
            out.push_str("}}");
        }
        if let Some(message) = &self.message {
            out.push_str(",\"message\":");
            string(&mut out, message);
        }
        out.push('}');
        out
    }
}

fn string(out: &mut String, s: &str) {
    // serde_json escapes as Jackson does for the characters that must be escaped.
    match serde_json::to_string(s) {
        Ok(quoted) => out.push_str(&quoted),
        Err(_) => out.push_str("\"\""),
    }
}

fn stats(out: &mut String, s: &Stats) {
    let _ = write!(
        out,
        "{{\"created\":{},\"updated\":{},\"deleted\":{},\"ignored\":{},\"total\":{}}}",
        s.created,
        s.updated,
        s.deleted,
        s.ignored,
        s.total()
    );
}

fn entries(out: &mut String, list: &[Entry], code_key: &str, args: bool) {
    for (i, e) in list.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str("{\"message\":");
        string(out, &e.message);
        out.push_str(",\"");
        out.push_str(code_key);
        out.push_str("\":");
        string(out, e.code.code());
        out.push_str(",\"trackerType\":");
        string(out, e.tracker_type.name());
        out.push_str(",\"uid\":");
        string(out, &e.uid);
        if args {
            out.push_str(",\"args\":[");
            for (j, a) in e.args.iter().enumerate() {
                if j > 0 {
                    out.push(',');
                }
                string(out, a);
            }
            out.push(']');
        }
        out.push('}');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_validate_report_is_dhis2s() {
        let report = ImportReport {
            bundle: Some(Vec::new()),
            ..ImportReport::default()
        };
        assert_eq!(
            report.to_json(),
            r#"{"status":"OK","validationReport":{"errorReports":[],"warningReports":[]},"stats":{"created":0,"updated":0,"deleted":0,"ignored":0,"total":0},"bundleReport":{"typeReportMap":{}}}"#
        );
    }

    #[test]
    fn entries_and_type_reports() {
        let report = ImportReport {
            status: Status::Error,
            errors: vec![Entry::new(
                ValidationCode::E1121,
                TrackerType::TrackedEntity,
                "JjZ2Nwds92v",
                vec!["trackedEntityType".into()],
            )],
            stats: Stats {
                ignored: 3,
                ..Stats::default()
            },
            ..ImportReport::default()
        };
        assert_eq!(
            report.to_json(),
            r#"{"status":"ERROR","validationReport":{"errorReports":[{"message":"Missing required trackedEntity property: `trackedEntityType`.","errorCode":"E1121","trackerType":"TRACKED_ENTITY","uid":"JjZ2Nwds92v","args":["trackedEntityType"]}],"warningReports":[]},"stats":{"created":0,"updated":0,"deleted":0,"ignored":3,"total":3}}"#
        );
        let ok = ImportReport {
            bundle: Some(vec![(
                TrackerType::Event,
                TypeReport {
                    stats: Stats {
                        created: 1,
                        ..Stats::default()
                    },
                    object_reports: vec![ObjectReport {
                        uid: "ZwwuwNp6gVd".into(),
                    }],
                },
            )]),
            ..ImportReport::default()
        };
        assert!(ok.to_json().ends_with(
            r#""bundleReport":{"typeReportMap":{"EVENT":{"trackerType":"EVENT","stats":{"created":1,"updated":0,"deleted":0,"ignored":0,"total":1},"objectReports":[{"trackerType":"EVENT","uid":"ZwwuwNp6gVd","errorReports":[]}]}}}}"#
        ));
    }
}
