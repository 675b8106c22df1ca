//! The CSV writers: events (one row per data value) and tracked entities (one row per
//! attribute value), as DHIS2's Jackson `CsvMapper` writes them.

use std::io::Write;

use super::columns::{
    EventColumn, EventCsvLayout, TRACKED_ENTITY_COLUMNS, TRACKED_ENTITY_COLUMNS_MASTER,
};
use crate::error::{Error, Result};
use crate::model::{Attribute, DataValue, Event, TrackedEntity};
use crate::number::write_java_double;
use crate::options::TrackerVersion;
use crate::time::Timestamp;

/// Appends a text cell as Jackson's `CsvEncoder` does by default: quoted when longer than 24
/// UTF-16 units or when it holds a character below `-` (U+002D: controls, space, `!"#$%&'()*+,`),
/// with `"` doubled inside quotes.
pub(crate) fn write_text_cell(s: &str, out: &mut String) {
    let long = s.len() > 24 && s.chars().map(char::len_utf16).sum::<usize>() > 24;
    if long || s.chars().any(|c| (c as u32) < 0x2D) {
        out.push('"');
        for c in s.chars() {
            if c == '"' {
                out.push('"');
            }
            out.push(c);
        }
        out.push('"');
    } else {
        out.push_str(s);
    }
}

/// One cell of a row.
#[derive(Clone, Copy, Debug)]
enum Cell<'a> {
    Empty,
    Text(&'a str),
    Time(Timestamp),
    Bool(bool),
    Double(f64),
}

impl Cell<'_> {
    fn write(self, out: &mut String, scratch: &mut String) {
        match self {
            Cell::Empty => {}
            Cell::Text(s) => write_text_cell(s, out),
            Cell::Time(t) => {
                scratch.clear();
                t.write_csv(scratch);
                write_text_cell(scratch, out);
            }
            Cell::Bool(b) => out.push_str(if b { "true" } else { "false" }),
            Cell::Double(d) => write_java_double(d, out),
        }
    }
}

fn text(s: &str) -> Cell<'_> {
    if s.is_empty() {
        Cell::Empty
    } else {
        Cell::Text(s)
    }
}

fn time(t: Option<Timestamp>) -> Cell<'static> {
    t.map_or(Cell::Empty, Cell::Time)
}

/// How an events CSV is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct CsvWriteOptions {
    /// The columns (default: 2.42's `/api/tracker/events`).
    pub layout: EventCsvLayout,
    /// Whether to write the header line (DHIS2: unless `skipHeader=true`).
    pub header: bool,
    /// Write what DHIS2 loses: `createdAtClient`, `updatedAtClient` and `assignedUser` on every
    /// row, and each data value's `storedBy` in `storedByDataValue` (leaving `storedBy` to the
    /// event). Off by default, which writes DHIS2's exact (lossy) rows.
    pub lossless: bool,
}

impl Default for CsvWriteOptions {
    fn default() -> CsvWriteOptions {
        CsvWriteOptions {
            layout: EventCsvLayout::Events,
            header: true,
            lossless: false,
        }
    }
}

impl CsvWriteOptions {
    /// DHIS2's export of `version`'s `/api/tracker/events`, with or without header.
    pub fn dhis2(version: TrackerVersion, header: bool) -> CsvWriteOptions {
        CsvWriteOptions {
            layout: EventCsvLayout::of(version),
            header,
            lossless: false,
        }
    }

    /// The same options with or without header.
    pub fn with_header(mut self, header: bool) -> CsvWriteOptions {
        self.header = header;
        self
    }

    /// The same options with another layout.
    pub fn with_layout(mut self, layout: EventCsvLayout) -> CsvWriteOptions {
        self.layout = layout;
        self
    }

    /// The same options, lossless or not.
    pub fn with_lossless(mut self, lossless: bool) -> CsvWriteOptions {
        self.lossless = lossless;
        self
    }
}

/// Writes events as DHIS2's events CSV: one row per data value (an event without data values is
/// one row), `\n` line ends, Jackson's quoting.
///
/// ```
/// use dxf2_tracker::{CsvWriteOptions, DataValue, Event, EventCsvWriter};
/// use dxf2_model::Uid;
///
/// let mut w = EventCsvWriter::new(Vec::new(), CsvWriteOptions::default().with_header(false))?;
/// w.write_event(&Event {
///     event: Some(Uid::parse("BuA2R2Gr4vt").unwrap()),
///     follow_up: true,
///     data_values: vec![DataValue {
///         data_element: "color".into(),
///         value: "purple".into(),
///         provided_elsewhere: true,
///         ..DataValue::default()
///     }],
///     ..Event::default()
/// })?;
/// let csv = String::from_utf8(w.finish()?).unwrap();
/// assert_eq!(csv, "BuA2R2Gr4vt,ACTIVE,,,,,,,,,,true,false,,,,,,,,,,,color,purple,,true,,,\n");
/// # Ok::<(), dxf2_tracker::Error>(())
/// ```
#[derive(Debug)]
pub struct EventCsvWriter<W: Write> {
    out: W,
    options: CsvWriteOptions,
    line: String,
    scratch: String,
    wkt: String,
}

impl<W: Write> EventCsvWriter<W> {
    /// A writer; writes the header line now when asked to.
    pub fn new(mut out: W, options: CsvWriteOptions) -> Result<EventCsvWriter<W>> {
        if options.header {
            let mut line = String::new();
            for (i, c) in options.layout.columns().iter().enumerate() {
                if i > 0 {
                    line.push(',');
                }
                write_text_cell(c.name(), &mut line);
            }
            line.push('\n');
            out.write_all(line.as_bytes()).map_err(Error::from)?;
        }
        Ok(EventCsvWriter {
            out,
            options,
            line: String::with_capacity(512),
            scratch: String::new(),
            wkt: String::new(),
        })
    }

    /// Writes one event: one row per data value, or one row without.
    pub fn write_event(&mut self, e: &Event) -> Result<()> {
        self.line.clear();
        self.wkt.clear();
        if let Some(g) = &e.geometry {
            self.wkt = g.to_wkt();
        }
        let columns = self.options.layout.columns();
        let lossless = self.options.lossless;
        if e.data_values.is_empty() {
            write_event_row(
                e,
                None,
                columns,
                lossless,
                &self.wkt,
                &mut self.line,
                &mut self.scratch,
            );
        } else {
            for dv in &e.data_values {
                write_event_row(
                    e,
                    Some(dv),
                    columns,
                    lossless,
                    &self.wkt,
                    &mut self.line,
                    &mut self.scratch,
                );
            }
        }
        self.out
            .write_all(self.line.as_bytes())
            .map_err(Error::from)
    }

    /// Flushes and returns the output.
    pub fn finish(mut self) -> Result<W> {
        self.out.flush().map_err(Error::from)?;
        Ok(self.out)
    }
}

/// One row of an event: the event row (`dv` none) or a data value row, which DHIS2 builds with
/// a copy constructor that leaves out `createdAtClient`, `updatedAtClient` and `assignedUser`.
fn write_event_row(
    e: &Event,
    dv: Option<&DataValue>,
    columns: &[EventColumn],
    lossless: bool,
    wkt: &str,
    line: &mut String,
    scratch: &mut String,
) {
    for (i, col) in columns.iter().enumerate() {
        if i > 0 {
            line.push(',');
        }
        event_cell(e, dv, *col, lossless, wkt).write(line, scratch);
    }
    line.push('\n');
}

fn event_cell<'a>(
    e: &'a Event,
    dv: Option<&'a DataValue>,
    col: EventColumn,
    lossless: bool,
    wkt: &'a str,
) -> Cell<'a> {
    use EventColumn as C;
    let uid =
        |u: &'a Option<dxf2_model::Uid>| u.as_ref().map_or(Cell::Empty, |u| Cell::Text(u.as_str()));
    let username =
        |u: &'a Option<crate::model::User>| u.as_ref().map_or(Cell::Empty, |u| text(&u.username));
    let point = || e.geometry.as_ref().and_then(|g| g.point());
    if let Some(dv) = dv {
        match col {
            C::DataElement => return text(&dv.data_element),
            C::Value => return text(&dv.value),
            C::ProvidedElsewhere => return Cell::Bool(dv.provided_elsewhere),
            C::CreatedAtDataValue => return time(dv.created_at),
            C::UpdatedAtDataValue => return time(dv.updated_at),
            C::StoredByDataValue if lossless => return text(&dv.stored_by),
            C::StoredBy if !lossless && !dv.stored_by.is_empty() => return text(&dv.stored_by),
            C::CreatedAtClient | C::UpdatedAtClient | C::AssignedUser if !lossless => {
                return Cell::Empty
            }
            _ => {}
        }
    }
    match col {
        C::Event => uid(&e.event),
        C::Status => Cell::Text(e.status.name()),
        C::Program => text(&e.program),
        C::ProgramStage => text(&e.program_stage),
        C::Enrollment => uid(&e.enrollment),
        C::OrgUnit => text(&e.org_unit),
        C::OccurredAt => time(e.occurred_at),
        C::ScheduledAt => time(e.scheduled_at),
        C::Geometry => text(wkt),
        C::Latitude => point().map_or(Cell::Empty, |p| Cell::Double(p.y)),
        C::Longitude => point().map_or(Cell::Empty, |p| Cell::Double(p.x)),
        C::FollowUp => Cell::Bool(e.follow_up),
        C::Deleted => Cell::Bool(e.deleted),
        C::CreatedAt => time(e.created_at),
        C::CreatedAtClient => time(e.created_at_client),
        C::UpdatedAt => time(e.updated_at),
        C::UpdatedAtClient => time(e.updated_at_client),
        C::CompletedBy => text(&e.completed_by),
        C::CompletedAt => time(e.completed_at),
        C::UpdatedBy => username(&e.updated_by),
        C::AttributeOptionCombo => text(&e.attribute_option_combo),
        C::AttributeCategoryOptions => text(&e.attribute_category_options),
        C::AssignedUser => username(&e.assigned_user),
        C::StoredBy => text(&e.stored_by),
        C::DataElement
        | C::Value
        | C::ProvidedElsewhere
        | C::StoredByDataValue
        | C::UpdatedAtDataValue
        | C::CreatedAtDataValue => Cell::Empty,
    }
}

/// Writes tracked entities as DHIS2's tracked entity CSV export (§10): one row per attribute
/// value (a tracked entity without attributes is one row); no enrollments or events.
#[derive(Debug)]
pub struct TrackedEntityCsvWriter<W: Write> {
    out: W,
    version: TrackerVersion,
    line: String,
    scratch: String,
}

impl<W: Write> TrackedEntityCsvWriter<W> {
    /// A writer for `version`'s columns; writes the header line now when asked to.
    pub fn new(
        mut out: W,
        version: TrackerVersion,
        header: bool,
    ) -> Result<TrackedEntityCsvWriter<W>> {
        if header {
            let columns = if version.has_stored_by() {
                TRACKED_ENTITY_COLUMNS
            } else {
                TRACKED_ENTITY_COLUMNS_MASTER
            };
            let mut line = columns.join(",");
            line.push('\n');
            out.write_all(line.as_bytes()).map_err(Error::from)?;
        }
        Ok(TrackedEntityCsvWriter {
            out,
            version,
            line: String::with_capacity(512),
            scratch: String::new(),
        })
    }

    /// Writes one tracked entity.
    pub fn write_tracked_entity(&mut self, t: &TrackedEntity) -> Result<()> {
        self.line.clear();
        let wkt = t.geometry.as_ref().map(|g| g.to_wkt()).unwrap_or_default();
        let point = t.geometry.as_ref().and_then(|g| g.point());
        let uid = t.tracked_entity;
        let created_by = t.created_by.as_ref().map_or("", |u| u.username.as_str());
        let updated_by = t.updated_by.as_ref().map_or("", |u| u.username.as_str());
        let mut head: Vec<Cell<'_>> = vec![
            uid.as_ref().map_or(Cell::Empty, |u| Cell::Text(u.as_str())),
            text(&t.tracked_entity_type),
            time(t.created_at),
            time(t.created_at_client),
            time(t.updated_at),
            time(t.updated_at_client),
            text(&t.org_unit),
            Cell::Bool(t.inactive),
            Cell::Bool(t.deleted),
            Cell::Bool(t.potential_duplicate),
            text(&wkt),
            point.map_or(Cell::Empty, |p| Cell::Double(p.y)),
            point.map_or(Cell::Empty, |p| Cell::Double(p.x)),
        ];
        if self.version.has_stored_by() {
            head.push(text(&t.stored_by));
        }
        head.push(text(created_by));
        head.push(text(updated_by));
        let row = |a: Option<&Attribute>, line: &mut String, scratch: &mut String| {
            for (i, cell) in head.iter().enumerate() {
                if i > 0 {
                    line.push(',');
                }
                cell.write(line, scratch);
            }
            let tail: [Cell<'_>; 6] = match a {
                None => [Cell::Empty; 6],
                Some(a) => [
                    time(a.created_at),
                    time(a.updated_at),
                    text(&a.attribute),
                    text(&a.display_name),
                    text(&a.value),
                    a.value_type.map_or(Cell::Empty, |v| Cell::Text(v.name())),
                ],
            };
            for cell in tail {
                line.push(',');
                cell.write(line, scratch);
            }
            line.push('\n');
        };
        if t.attributes.is_empty() {
            row(None, &mut self.line, &mut self.scratch);
        } else {
            for a in &t.attributes {
                row(Some(a), &mut self.line, &mut self.scratch);
            }
        }
        self.out
            .write_all(self.line.as_bytes())
            .map_err(Error::from)
    }

    /// Flushes and returns the output.
    pub fn finish(mut self) -> Result<W> {
        self.out.flush().map_err(Error::from)?;
        Ok(self.out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_cells_quote_like_jackson() {
        for (v, out) in [
            ("plain", "plain"),
            ("a b", "\"a b\""),
            ("x,y", "\"x,y\""),
            ("q\"uote", "\"q\"\"uote\""),
            (" lead", "\" lead\""),
            ("multi\nline", "\"multi\nline\""),
            ("POINT (1 2)", "\"POINT (1 2)\""),
            ("-11.42", "-11.42"),
            ("2020-02-26T23:01:00.123Z", "2020-02-26T23:01:00.123Z"),
            ("abcdefghijklmnopqrstuvwxy", "\"abcdefghijklmnopqrstuvwxy\""),
            ("[22,11]", "\"[22,11]\""),
            ("Test org unit", "\"Test org unit\""),
            ("é", "é"),
            ("", ""),
        ] {
            let mut s = String::new();
            write_text_cell(v, &mut s);
            assert_eq!(s, out, "{v:?}");
        }
    }
}
