//! Printing an import summary: DHIS2's JSON or XML document byte for byte, or a table for people.
//!
//! What this command adds to what DHIS2 says (notes, "dry run") goes into the table, or on stderr
//! beside a JSON/XML document: the documents stay DHIS2's.

use std::io::Write;

use std::collections::BTreeMap;

use clap::ValueEnum;
use dxf2_model::ImportSummary;
use import_engine::ValueNote;

/// How to print the import summary.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum SummaryFormat {
    /// A readable table.
    Table,
    /// DHIS2's import summary JSON document.
    Json,
    /// DHIS2's import summary XML document.
    Xml,
}

impl SummaryFormat {
    /// `table`, `json` or `xml`: the format's name on the command line and in the journal.
    pub fn name(self) -> &'static str {
        match self {
            SummaryFormat::Table => "table",
            SummaryFormat::Json => "json",
            SummaryFormat::Xml => "xml",
        }
    }
}

/// What the command adds to DHIS2's summary.
#[derive(Debug, Default)]
pub struct Extras {
    /// A dry run (nothing was written).
    pub dry_run: bool,
    /// Notes (a file without values, a last line without its line end, …).
    pub notes: Vec<String>,
    /// Where each value with a conflict is in the file, and the string that was wrong, by DHIS2's
    /// 0-based value index (the engine's `ImportOutcome::value_notes`).
    pub value_notes: BTreeMap<i64, ValueNote>,
}

/// The summary as `format` prints it on stdout (the document, or the table with its extras):
/// what the import journal keeps, byte for byte.
pub fn render(
    summary: &ImportSummary,
    format: SummaryFormat,
    extras: &Extras,
) -> Result<Vec<u8>, std::io::Error> {
    let mut out = Vec::new();
    let to_io = |e: &dyn std::fmt::Display| std::io::Error::other(e.to_string());
    match format {
        SummaryFormat::Json => {
            dxf2_json::write_import_summary(&mut out, summary).map_err(|e| to_io(&e))?;
            writeln!(out)?;
        }
        SummaryFormat::Xml => {
            dxf2_xml::write_import_summary(&mut out, summary).map_err(|e| to_io(&e))?;
            writeln!(out)?;
        }
        SummaryFormat::Table => write_table(&mut out, summary, extras)?,
    }
    Ok(out)
}

/// Every rendering of a summary, by format name (`json`, `xml`, `table`), for the journal.
pub fn renderings(summary: &ImportSummary, extras: &Extras) -> BTreeMap<String, String> {
    let mut all = BTreeMap::new();
    for (name, format) in [
        ("json", SummaryFormat::Json),
        ("xml", SummaryFormat::Xml),
        ("table", SummaryFormat::Table),
    ] {
        if let Ok(bytes) = render(summary, format, extras) {
            all.insert(
                name.to_owned(),
                String::from_utf8_lossy(&bytes).into_owned(),
            );
        }
    }
    all
}

/// How many values of one conflict get a line with their place in the file.
const NOTES_PER_CONFLICT: usize = 20;

/// Prints a summary on stdout (and flushes it), and the extras on stderr unless the table holds
/// them; the error says what failed.
pub fn print(
    summary: &ImportSummary,
    format: SummaryFormat,
    extras: &Extras,
) -> Result<(), std::io::Error> {
    let bytes = render(summary, format, extras)?;
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    out.write_all(&bytes)?;
    out.flush()?;
    if format != SummaryFormat::Table {
        if extras.dry_run {
            crate::ui::note("a dry run: nothing was written");
        }
        for n in &extras.notes {
            crate::ui::note(n);
        }
        for conflict in &summary.conflicts {
            let code = conflict.error_code.as_deref().unwrap_or("conflict");
            for (index, note) in conflict_notes(conflict, extras) {
                crate::ui::note(&format!("{code}, value index {index}: {note}"));
            }
        }
    }
    Ok(())
}

/// The notes of a conflict's values (at most [`NOTES_PER_CONFLICT`]), in index order.
fn conflict_notes<'a>(
    conflict: &'a dxf2_model::ImportConflict,
    extras: &'a Extras,
) -> impl Iterator<Item = (i64, &'a ValueNote)> + 'a {
    conflict
        .indexes
        .iter()
        .flatten()
        .filter_map(|i| extras.value_notes.get(i).map(|n| (*i, n)))
        .filter(|(_, n)| !n.is_empty())
        .take(NOTES_PER_CONFLICT)
}

fn write_table(out: &mut impl Write, s: &ImportSummary, extras: &Extras) -> std::io::Result<()> {
    let c = s.import_count;
    writeln!(out, "Status:      {}", s.status)?;
    if let Some(d) = &s.description {
        writeln!(out, "Description: {d}")?;
    }
    if let Some(p) = s.profile {
        writeln!(out, "Importer:    DHIS2 {}", p.label())?;
    }
    if extras.dry_run {
        writeln!(out, "Dry run:     yes, nothing was written")?;
    }
    writeln!(
        out,
        "Imported: {}  Updated: {}  Ignored: {}  Deleted: {}",
        c.imported, c.updated, c.ignored, c.deleted
    )?;
    if let Some(d) = &s.data_set_complete {
        writeln!(out, "Data set complete: {d}")?;
    }
    if !s.conflicts.is_empty() {
        writeln!(out, "Conflicts ({}):", s.conflicts.len())?;
        for conflict in &s.conflicts {
            let code = conflict.error_code.as_deref().unwrap_or("-");
            let which = match &conflict.indexes {
                Some(list) if list.iter().all(|i| *i < 0) => "the whole set".to_owned(),
                Some(list) => values(list),
                None => "the whole set".to_owned(),
            };
            writeln!(out, "  {code}  {which}: {}", conflict.value)?;
            for (index, note) in conflict_notes(conflict, extras) {
                writeln!(out, "          index {index}: {note}")?;
            }
        }
    }
    if !s.rejected_indexes.is_empty() {
        writeln!(
            out,
            "Rejected:    {} (DHIS2 counts values from 0, in file order)",
            values(&s.rejected_indexes)
        )?;
    }
    for n in &extras.notes {
        writeln!(out, "Note:        {n}")?;
    }
    Ok(())
}

/// `1 value (index 4)` / `3 values (indexes 0, 4, 11)`, at most 20 indexes shown.
fn values(list: &[i64]) -> String {
    const SHOWN: usize = 20;
    let mut text: Vec<String> = list.iter().take(SHOWN).map(i64::to_string).collect();
    if list.len() > SHOWN {
        text.push("…".to_owned());
    }
    match list.len() {
        1 => format!("1 value (index {})", text.join(", ")),
        n => format!("{n} values (indexes {})", text.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejected_values_read_as_values_not_a_count() {
        assert_eq!(values(&[12]), "1 value (index 12)");
        assert_eq!(values(&[0, 4, 11]), "3 values (indexes 0, 4, 11)");
        let many: Vec<i64> = (0..25).collect();
        assert!(values(&many).starts_with("25 values (indexes 0, 1,"));
        assert!(values(&many).ends_with(", 19, …)"));
    }
}
