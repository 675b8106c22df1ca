//! The metadata import report on stdout: a table (counts per type, then every error with its
//! code, object and message), or DHIS2's import report JSON itself.

use std::io::Write;

use clap::ValueEnum;
use dxf2::metadata::import::{ImportReport, Stats};

use crate::{ui, Exit};

impl SummaryFormat {
    /// `table` or `json`: the format's name on the command line and in the journal.
    pub fn name(self) -> &'static str {
        match self {
            SummaryFormat::Table => "table",
            SummaryFormat::Json => "json",
        }
    }
}

/// How `dxf2 metadata import` prints its report.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum SummaryFormat {
    /// Counts per type and the errors, for people.
    Table,
    /// DHIS2's import report (`status`, `stats`, `typeReports`), as DHIS2's API returns it
    /// inside its web envelope.
    Json,
}

/// The short name of a Java class (`org.hisp.dhis.dataelement.DataElement` → `DataElement`).
fn short(klass: &str) -> &str {
    klass.rsplit('.').next().unwrap_or(klass)
}

fn row(text: &mut String, label: &str, s: &Stats) {
    text.push_str(&format!(
        "  {label:<34} {:>8} {:>8} {:>8} {:>8} {:>8}\n",
        s.created,
        s.updated,
        s.deleted,
        s.ignored,
        s.total()
    ));
}

/// The table form of `report`.
pub fn table(report: &ImportReport, heading: &str, generated: usize) -> String {
    let mut text = format!("{heading}: {}\n", report.status);
    text.push_str(&format!(
        "  {:<34} {:>8} {:>8} {:>8} {:>8} {:>8}\n",
        "type", "created", "updated", "deleted", "ignored", "total"
    ));
    for t in &report.type_reports {
        row(&mut text, short(&t.klass), &t.stats);
    }
    row(&mut text, "all types", &report.stats);
    if generated > 0 {
        text.push_str(&format!(
            "  {generated} category option combos generated (--generate-option-combos)\n"
        ));
    }
    let errors: Vec<_> = report
        .type_reports
        .iter()
        .flat_map(|t| {
            t.object_reports
                .values()
                .flat_map(move |o| o.error_reports.iter().map(move |e| (t, o, e)))
        })
        .collect();
    if !errors.is_empty() {
        text.push_str(&format!("Errors ({}):\n", errors.len()));
        for (t, o, e) in errors {
            let uid = o.uid.as_deref().unwrap_or("-");
            text.push_str(&format!(
                "  {} {}[{}] {uid}: {}\n",
                e.error_code,
                short(&t.klass),
                o.index,
                e.message
            ));
        }
    }
    text
}

/// `report` as `format` prints it.
pub fn render(
    report: &ImportReport,
    format: SummaryFormat,
    heading: &str,
    generated: usize,
) -> Result<String, Exit> {
    Ok(match format {
        SummaryFormat::Table => table(report, heading, generated),
        SummaryFormat::Json => {
            let mut json = serde_json::to_string_pretty(report)
                .map_err(|e| Exit::usage(format!("writing the report: {e}")))?;
            json.push('\n');
            json
        }
    })
}

/// Every rendering of `report` (`json`, `table`), for the import journal.
pub fn renderings(
    report: &ImportReport,
    heading: &str,
    generated: usize,
) -> std::collections::BTreeMap<String, String> {
    let mut all = std::collections::BTreeMap::new();
    for (name, format) in [
        ("json", SummaryFormat::Json),
        ("table", SummaryFormat::Table),
    ] {
        if let Ok(text) = render(report, format, heading, generated) {
            all.insert(name.to_owned(), text);
        }
    }
    all
}

/// The journal's status and counts of a DHIS2 import report (`imported`: created; `conflicts`:
/// error reports).
pub fn job_counts(report: &ImportReport) -> (dxf2::store::JobStatus, dxf2::store::JobCounts) {
    let status = match report.status {
        dxf2::metadata::import::Status::Ok => dxf2::store::JobStatus::Ok,
        dxf2::metadata::import::Status::Warning => dxf2::store::JobStatus::Warning,
        dxf2::metadata::import::Status::Error => dxf2::store::JobStatus::Error,
    };
    let s = &report.stats;
    let counts = dxf2::store::JobCounts {
        imported: s.created as u64,
        updated: s.updated as u64,
        deleted: s.deleted as u64,
        ignored: s.ignored as u64,
        conflicts: report.error_reports().count() as u64,
    };
    (status, counts)
}

/// Prints `report` in `format` on stdout (a closed pipe ends quietly).
pub fn print_report(
    report: &ImportReport,
    format: SummaryFormat,
    heading: &str,
    generated: usize,
) -> Result<(), Exit> {
    let text = render(report, format, heading, generated)?;
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => {
            ui::error(&format!("writing the report to stdout: {e}"));
            Ok(())
        }
        Ok(()) => Ok(()),
    }
}
