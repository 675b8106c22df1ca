//! Writing an export as DHIS2 does: JSON documents (with the pager of a paged request) and
//! the events and tracked entity CSVs.

use std::io::Write;

use crate::csv::{CsvWriteOptions, EventCsvWriter, TrackedEntityCsvWriter};
use crate::json::{JsonWriter, Pager, WriteOptions};
use crate::model::TrackerType;
use crate::store::TrackerObject;

/// The format of an export.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ExportFormat {
    /// JSON: `{"events": […]}` (or the bare object of a single-object request).
    Json,
    /// CSV: events (one row per data value) or tracked entities (one row per attribute).
    Csv,
}

/// Writes an export's objects as DHIS2 does: JSON with `options.fields` (and `pager` first,
/// for a paged request: `{"pager":{…},"events":[…]}`), or CSV (events and tracked entities
/// only: DHIS2 offers no CSV of enrollments or relationships, and CSV has no pager).
pub fn write_export<W: Write>(
    out: W,
    kind: TrackerType,
    objects: &mut [TrackerObject],
    single: bool,
    pager: Option<&Pager>,
    format: ExportFormat,
    options: WriteOptions,
) -> Result<W, crate::Error> {
    match format {
        ExportFormat::Json => {
            let mut w = JsonWriter::new(out, options);
            match objects.first_mut() {
                Some(o) if single => w.write_single(&o.as_item())?,
                _ => {
                    if let Some(p) = pager {
                        w.write_pager(p)?;
                    }
                    w.begin_list(kind)?;
                    for o in objects.iter_mut() {
                        w.write_item(&o.as_item())?;
                    }
                }
            }
            w.finish()
        }
        ExportFormat::Csv => match kind {
            TrackerType::Event => {
                let mut w =
                    EventCsvWriter::new(out, CsvWriteOptions::dhis2(options.version, true))?;
                for o in objects.iter() {
                    if let TrackerObject::Event(e) = o {
                        w.write_event(e)?;
                    }
                }
                w.finish()
            }
            TrackerType::TrackedEntity => {
                let mut w = TrackedEntityCsvWriter::new(out, options.version, true)?;
                for o in objects.iter() {
                    if let TrackerObject::TrackedEntity(t) = o {
                        w.write_tracked_entity(t)?;
                    }
                }
                w.finish()
            }
            TrackerType::Enrollment | TrackerType::Relationship => {
                Err(crate::error::ErrorKind::WriterState(
                    "DHIS2 offers CSV only for events and tracked entities",
                )
                .into())
            }
        },
    }
}
