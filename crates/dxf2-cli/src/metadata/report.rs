//! The metadata import report on stdout: a table (counts per type, then every error with its
//! code, object and message), or DHIS2's import report JSON itself.

use std::io::Write;

use clap::ValueEnum;
use dxf2::metadata::import::{ImportReport, Stats};

use crate::{ui, Exit};

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

/// Prints `report` in `format` on stdout (a closed pipe ends quietly).
pub fn print_report(
    report: &ImportReport,
    format: SummaryFormat,
    heading: &str,
    generated: usize,
) -> Result<(), Exit> {
    let text = match format {
        SummaryFormat::Table => table(report, heading, generated),
        SummaryFormat::Json => {
            let mut json = serde_json::to_string_pretty(report)
                .map_err(|e| Exit::usage(format!("writing the report: {e}")))?;
            json.push('\n');
            json
        }
    };
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
