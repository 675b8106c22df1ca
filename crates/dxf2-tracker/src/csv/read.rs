//! The events CSV reader (`CsvEventService.read`): rows grouped into events.

use std::io::{self, BufRead, BufReader, Read};

use dxf2_model::Uid;

use super::columns::{EventColumn, EventCsvLayout};
use crate::error::{Deprecation, Error, ErrorKind, Location, Result};
use crate::geometry::{Coordinate, Geometry};
use crate::model::{dedupe_data_values, DataValue, Event, EventStatus, NamedEnum, User};
use crate::options::{ReadOptions, TrackerVersion};
use crate::time::Timestamp;

/// What a row of the input is: a blank line (which DHIS2's Jackson reads as an empty row) or a
/// record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Row {
    Blank,
    Record,
}

/// Reads DHIS2's events CSV into events, one at a time, into a reused [`Event`].
///
/// * With a header (`skipFirst=true`, DHIS2's default) columns are matched by name,
///   case-sensitively, in any order, any subset; an unknown name fails
///   ([`ErrorKind::UnknownColumn`]), a pre-2.41 one (`eventDate`, `dueDate`, `completedDate`)
///   with [`ErrorKind::Deprecated`]. Without a header the columns are positional, in the
///   version's layout ([`EventCsvLayout::of`]).
/// * Rows are grouped into one event while consecutive rows repeat the same non-empty `event`;
///   a row without `event` is an event of its own (2.41: consecutive rows without `event` form
///   one event); a blank line between rows is an empty event, as DHIS2 reads it.
/// * Event fields come from the first row of a group; a row adds a data value when any of
///   `providedElsewhere`, `dataElement`, `value`, `createdAtDataValue`, `updatedAtDataValue`,
///   `storedByDataValue` is non-empty. Identical data values collapse (DHIS2 keeps a set).
/// * Cells are texts as written (no trimming); an empty cell is absent; `status` empty is
///   `ACTIVE`; dates are any form of [`Timestamp::parse`], offset-less ones in the server's
///   zone; booleans `true`/`True`/`TRUE`/`false`/`False`/`FALSE`; `geometry` is WKT (one single
///   quote trimmed at each end), else `longitude` and `latitude` make a point; `assignedUser` is
///   a username. `followUp` and `deleted` are checked but not kept and `updatedBy` is not read,
///   as DHIS2 does (its CSV export → import loses them, see scenario S-CSV-6).
/// * RFC 4180 quoting; a UTF-8 byte order mark is skipped; the text must be UTF-8.
///
/// ```
/// use dxf2_tracker::{EventCsvReader, Event, ReadOptions};
///
/// // S-CSV-4 (DHIS2's CsvEventServiceTest): a header naming a subset, in any order.
/// let csv = "event,orgUnit,program,programStage,attributeOptionCombo,occurredAt\n\
///            FRM97UKN8te,orgUnitId,programId,programStageId,attributeOptionComboId,2018-11-01T00:00:00Z\n";
/// let mut reader = EventCsvReader::new(csv.as_bytes(), ReadOptions::default(), true)?;
/// let mut event = Event::default();
/// assert!(reader.read_event(&mut event)?);
/// assert_eq!(event.event.unwrap().as_str(), "FRM97UKN8te");
/// assert_eq!(event.org_unit, "orgUnitId");
/// assert_eq!(event.occurred_at.unwrap().to_csv_string(), "2018-11-01T00:00:00Z");
/// assert!(event.data_values.is_empty());
/// assert!(!reader.read_event(&mut event)?);
/// # Ok::<(), dxf2_tracker::Error>(())
/// ```
pub struct EventCsvReader<R: Read> {
    rdr: csv::Reader<BufReader<Limited<R>>>,
    options: ReadOptions,
    layout: EventCsvLayout,
    /// Column → index of its field in a record.
    slots: [Option<usize>; EventColumn::COUNT],
    width: usize,
    row: csv::StringRecord,
    lookahead: Option<Row>,
    stashed: bool,
    blanks: u64,
    records: u64,
    events: u64,
    budget: std::rc::Rc<Budget>,
}

impl<R: Read> std::fmt::Debug for EventCsvReader<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EventCsvReader")
            .field("layout", &self.layout)
            .field("events", &self.events)
            .finish()
    }
}

struct Budget {
    total: std::cell::Cell<u64>,
    start: std::cell::Cell<u64>,
    limit: u64,
}

#[derive(Debug)]
struct LimitExceeded;

impl std::fmt::Display for LimitExceeded {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("record too large")
    }
}

impl std::error::Error for LimitExceeded {}

/// Counts the bytes read and refuses to read more than the limit past the start of a record.
struct Limited<R> {
    inner: R,
    budget: std::rc::Rc<Budget>,
}

impl<R: Read> Read for Limited<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        let b = &self.budget;
        let total = b.total.get().saturating_add(n as u64);
        b.total.set(total);
        if total.saturating_sub(b.start.get()) > b.limit {
            return Err(io::Error::other(LimitExceeded));
        }
        Ok(n)
    }
}

/// The pre-2.41 column names and what they became.
fn legacy_column(name: &str) -> Option<(&'static str, &'static str)> {
    match name {
        "eventDate" => Some((
            "occurredAt",
            "DHIS2 2.41+ refuses the file: Unrecognized field \"eventDate\"",
        )),
        "dueDate" => Some((
            "scheduledAt",
            "DHIS2 2.41+ refuses the file: Unrecognized field \"dueDate\"",
        )),
        "completedDate" => Some((
            "completedAt",
            "DHIS2 2.41+ refuses the file: Unrecognized field \"completedDate\"",
        )),
        _ => None,
    }
}

impl<R: Read> EventCsvReader<R> {
    /// A reader; with `first_row_is_header` (DHIS2's `skipFirst=true`) the header is read now.
    pub fn new(
        reader: R,
        options: ReadOptions,
        first_row_is_header: bool,
    ) -> Result<EventCsvReader<R>> {
        let limit = options.limits.max_record_bytes;
        let budget = std::rc::Rc::new(Budget {
            total: std::cell::Cell::new(0),
            start: std::cell::Cell::new(0),
            limit: u64::try_from(limit).unwrap_or(u64::MAX),
        });
        let mut buffered = BufReader::with_capacity(
            64 * 1024,
            Limited {
                inner: reader,
                budget: std::rc::Rc::clone(&budget),
            },
        );
        let bom = buffered
            .fill_buf()
            .map_err(|e| io_error(e, limit))?
            .starts_with(b"\xEF\xBB\xBF");
        if bom {
            buffered.consume(3);
        }
        let rdr = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .buffer_capacity(64 * 1024)
            .from_reader(buffered);
        let layout = EventCsvLayout::of(options.version);
        let mut r = EventCsvReader {
            rdr,
            options,
            layout,
            slots: [None; EventColumn::COUNT],
            width: 0,
            row: csv::StringRecord::new(),
            lookahead: None,
            stashed: false,
            blanks: 0,
            records: 0,
            events: 0,
            budget,
        };
        if first_row_is_header {
            r.read_header()?;
        } else {
            for (i, c) in layout.columns().iter().enumerate() {
                if let Some(slot) = r.slots.get_mut(c.index()) {
                    *slot = Some(i);
                }
            }
            r.width = layout.columns().len();
        }
        Ok(r)
    }

    /// The columns matched by the header (or the layout), in the order of the file.
    pub fn columns(&self) -> Vec<EventColumn> {
        let mut found: Vec<(usize, EventColumn)> = self
            .layout
            .columns()
            .iter()
            .filter_map(|c| {
                self.slots
                    .get(c.index())
                    .copied()
                    .flatten()
                    .map(|i| (i, *c))
            })
            .collect();
        found.sort_by_key(|(i, _)| *i);
        found.into_iter().map(|(_, c)| c).collect()
    }

    fn read_header(&mut self) -> Result<()> {
        if !self.read_record()? {
            return Ok(());
        }
        let line = self.row.position().map(|p| p.line());
        for (i, name) in self.row.iter().enumerate() {
            let col = self
                .layout
                .columns()
                .iter()
                .find(|c| c.name() == name)
                .copied();
            let at = |field: &str| Location {
                line,
                record: Some(1),
                field: Some(field.to_owned()),
                ..Location::default()
            };
            match col {
                Some(c) => {
                    let slot = self.slots.get_mut(c.index());
                    match slot {
                        Some(Some(_)) => {
                            return Err(Error::with_location(
                                ErrorKind::DuplicateColumn {
                                    name: name.to_owned(),
                                },
                                at(name),
                            ))
                        }
                        Some(s) => *s = Some(i),
                        None => {}
                    }
                }
                None => {
                    let kind = match legacy_column(name) {
                        Some((new, consequence)) => ErrorKind::Deprecated(Box::new(Deprecation {
                            object: "the events CSV header",
                            old: name.to_owned(),
                            new,
                            consequence,
                        })),
                        None => ErrorKind::UnknownColumn {
                            name: name.to_owned(),
                            known: self.layout.header(),
                        },
                    };
                    return Err(Error::with_location(kind, at(name)));
                }
            }
        }
        self.width = self.row.len();
        Ok(())
    }

    /// Reads the next CSV record into `self.row`; `false` at the end.
    fn read_record(&mut self) -> Result<bool> {
        let b = &self.budget;
        b.start.set(b.total.get());
        let limit = self.options.limits.max_record_bytes;
        let more = match self.rdr.read_record(&mut self.row) {
            Ok(more) => more,
            Err(e) => {
                let line = e.position().map(|p| p.line());
                let mut err = match e.into_kind() {
                    csv::ErrorKind::Io(io) => io_error(io, limit),
                    csv::ErrorKind::Utf8 { err, .. } => Error::new(ErrorKind::Csv {
                        message: format!("invalid UTF-8 in field {}", err.field() + 1),
                    }),
                    other => Error::new(ErrorKind::Csv {
                        message: format!("{other:?}"),
                    }),
                };
                err.location_mut().line = line;
                err.location_mut().record = Some(self.records + 1);
                return Err(err);
            }
        };
        if more {
            self.records += 1;
        }
        Ok(more)
    }

    /// Makes sure `lookahead` holds the next row, if any.
    fn fill(&mut self) -> Result<()> {
        if self.lookahead.is_some() {
            return Ok(());
        }
        if self.blanks > 0 {
            self.blanks -= 1;
            self.lookahead = Some(Row::Blank);
            return Ok(());
        }
        if self.stashed {
            self.stashed = false;
            self.lookahead = Some(Row::Record);
            return Ok(());
        }
        if !self.read_record()? {
            return Ok(());
        }
        // The csv crate skips blank lines and counts them into the record's start: the lines
        // a record took, less its own (one, plus the line breaks inside quoted fields), are
        // the blank lines before it.
        let start = self.row.position().map_or(1, |p| p.line());
        let after = self.rdr.position().line();
        let own = 1 + self
            .row
            .iter()
            .map(|f| f.bytes().filter(|b| *b == b'\n').count() as u64)
            .sum::<u64>();
        let blank = after.saturating_sub(start).saturating_sub(own);
        if blank > 0 {
            self.blanks = blank - 1;
            self.stashed = true;
            self.lookahead = Some(Row::Blank);
        } else {
            self.lookahead = Some(Row::Record);
        }
        Ok(())
    }

    fn cell(&self, col: EventColumn) -> &str {
        self.slots
            .get(col.index())
            .copied()
            .flatten()
            .and_then(|i| self.row.get(i))
            .unwrap_or("")
    }

    fn error(&self, kind: ErrorKind, col: Option<EventColumn>) -> Error {
        Error::with_location(
            kind,
            Location {
                line: self.row.position().map(|p| p.line()),
                record: Some(self.records),
                object: Some(format!("event #{}", self.events)),
                index: Some(self.events.saturating_sub(1)),
                field: col.map(|c| c.name().to_owned()),
                ..Location::default()
            },
        )
    }

    fn uid(&self, col: EventColumn) -> Result<Option<Uid>> {
        let v = self.cell(col);
        if v.is_empty() {
            return Ok(None);
        }
        Uid::parse(v).map(Some).map_err(|_| {
            self.error(
                ErrorKind::InvalidUid {
                    value: v.to_owned(),
                },
                Some(col),
            )
        })
    }

    fn date(&self, col: EventColumn) -> Result<Option<Timestamp>> {
        let v = self.cell(col);
        if v.is_empty() {
            return Ok(None);
        }
        Timestamp::parse(v, &self.options.time_zone)
            .map(Some)
            .map_err(|e| self.error(ErrorKind::InvalidDate { value: e.value }, Some(col)))
    }

    fn boolean(&self, col: EventColumn) -> Result<Option<bool>> {
        match self.cell(col) {
            "" => Ok(None),
            "true" | "True" | "TRUE" => Ok(Some(true)),
            "false" | "False" | "FALSE" => Ok(Some(false)),
            v => Err(self.error(
                ErrorKind::InvalidBoolean {
                    value: v.to_owned(),
                },
                Some(col),
            )),
        }
    }

    fn double(&self, col: EventColumn) -> Result<Option<f64>> {
        let v = self.cell(col);
        if v.is_empty() {
            return Ok(None);
        }
        let t = v.trim();
        let t = t
            .strip_suffix(['d', 'D', 'f', 'F'])
            .filter(|s| !s.is_empty())
            .unwrap_or(t);
        t.parse::<f64>()
            .ok()
            .filter(|v| v.is_finite())
            .map(Some)
            .ok_or(())
            .map_err(|_| {
                self.error(
                    ErrorKind::InvalidNumber {
                        value: v.to_owned(),
                    },
                    Some(col),
                )
            })
    }

    /// Checks a row's width against the header (or layout).
    fn check_width(&self) -> Result<()> {
        if self.row.len() > self.width {
            let extra_empty = self.row.iter().skip(self.width).all(str::is_empty);
            if !extra_empty {
                return Err(self.error(
                    ErrorKind::TooManyFields {
                        found: self.row.len(),
                        expected: self.width,
                    },
                    None,
                ));
            }
        }
        Ok(())
    }

    /// The event fields of a group's first row (DHIS2's `map(CsvEventDataValue)`).
    fn read_event_fields(&self, e: &mut Event) -> Result<()> {
        use EventColumn as C;
        self.check_width()?;
        e.event = self.uid(C::Event)?;
        e.status = match self.cell(C::Status) {
            "" => EventStatus::Active,
            s => EventStatus::from_name(s).ok_or_else(|| {
                self.error(
                    ErrorKind::InvalidEnum {
                        value: s.to_owned(),
                        type_name: EventStatus::TYPE_NAME,
                        allowed: EventStatus::NAMES.join(", "),
                    },
                    Some(C::Status),
                )
            })?,
        };
        set(&mut e.program, self.cell(C::Program));
        set(&mut e.program_stage, self.cell(C::ProgramStage));
        e.enrollment = self.uid(C::Enrollment)?;
        set(&mut e.org_unit, self.cell(C::OrgUnit));
        e.created_at = self.date(C::CreatedAt)?;
        e.created_at_client = self.date(C::CreatedAtClient)?;
        e.updated_at = self.date(C::UpdatedAt)?;
        e.updated_at_client = self.date(C::UpdatedAtClient)?;
        e.occurred_at = self.date(C::OccurredAt)?;
        e.scheduled_at = self.date(C::ScheduledAt)?;
        e.completed_at = self.date(C::CompletedAt)?;
        set(&mut e.completed_by, self.cell(C::CompletedBy));
        set(&mut e.stored_by, self.cell(C::StoredBy));
        set(
            &mut e.attribute_option_combo,
            self.cell(C::AttributeOptionCombo),
        );
        set(
            &mut e.attribute_category_options,
            self.cell(C::AttributeCategoryOptions),
        );
        let assigned = self.cell(C::AssignedUser);
        e.assigned_user = (!assigned.is_empty()).then(|| User::with_username(assigned));
        // Parsed (a bad value fails the file) but not kept, as DHIS2 does.
        self.boolean(C::FollowUp)?;
        self.boolean(C::Deleted)?;
        let latitude = self.double(C::Latitude)?;
        let longitude = self.double(C::Longitude)?;
        let wkt = self.cell(C::Geometry);
        e.geometry = if !wkt.trim().is_empty() {
            Some(Geometry::from_wkt(wkt).map_err(|g| {
                self.error(
                    ErrorKind::InvalidGeometry { message: g.0 },
                    Some(C::Geometry),
                )
            })?)
        } else {
            match (longitude, latitude) {
                (Some(x), Some(y)) => Some(Geometry::Point(Coordinate::xy(x, y))),
                _ => None,
            }
        };
        Ok(())
    }

    /// The typed cells of a continuation row, which DHIS2's binding checks although it uses
    /// only the row's data value.
    fn check_row_types(&self) -> Result<()> {
        use EventColumn as C;
        self.check_width()?;
        self.uid(C::Enrollment)?;
        self.boolean(C::FollowUp)?;
        self.boolean(C::Deleted)?;
        self.double(C::Latitude)?;
        self.double(C::Longitude)?;
        Ok(())
    }

    /// The row's data value, when it has one.
    fn read_value(&self, e: &mut Event, n: &mut usize) -> Result<()> {
        use EventColumn as C;
        let pe = self.boolean(C::ProvidedElsewhere)?;
        let has = pe.is_some()
            || [
                C::DataElement,
                C::Value,
                C::CreatedAtDataValue,
                C::UpdatedAtDataValue,
                C::StoredByDataValue,
            ]
            .iter()
            .any(|c| !self.cell(*c).is_empty());
        if !has {
            return Ok(());
        }
        if *n == e.data_values.len() {
            e.data_values.push(DataValue::default());
        }
        let Some(dv) = e.data_values.get_mut(*n) else {
            return Ok(());
        };
        *n += 1;
        dv.provided_elsewhere = pe == Some(true);
        set(&mut dv.data_element, self.cell(C::DataElement));
        set(&mut dv.value, self.cell(C::Value));
        dv.created_at = self.date(C::CreatedAtDataValue)?;
        dv.updated_at = self.date(C::UpdatedAtDataValue)?;
        set(&mut dv.stored_by, self.cell(C::StoredByDataValue));
        dv.created_by = None;
        dv.updated_by = None;
        Ok(())
    }

    /// Reads the next event into `event` (which may hold the previous one: every field is
    /// overwritten); `false` at the end of the input.
    pub fn read_event(&mut self, event: &mut Event) -> Result<bool> {
        self.fill()?;
        let Some(first) = self.lookahead.take() else {
            return Ok(false);
        };
        self.events += 1;
        reset(event);
        let mut n = 0usize;
        let mut raw_first = String::new();
        if first == Row::Record {
            self.read_event_fields(event)?;
            self.read_value(event, &mut n)?;
            raw_first.push_str(self.cell(EventColumn::Event));
        }
        loop {
            self.fill()?;
            if self.lookahead != Some(Row::Record) || first == Row::Blank {
                break;
            }
            let same = if self.options.version == TrackerVersion::V2_41 {
                self.cell(EventColumn::Event) == raw_first
            } else {
                let uid = self.uid(EventColumn::Event)?;
                uid.is_some() && uid == event.event
            };
            if !same {
                break;
            }
            self.lookahead = None;
            self.check_row_types()?;
            self.read_value(event, &mut n)?;
        }
        event.data_values.truncate(n);
        dedupe_data_values(&mut event.data_values);
        Ok(true)
    }

    /// The events, one allocation each (convenience over [`EventCsvReader::read_event`]).
    pub fn events(self) -> Events<R> {
        Events { reader: self }
    }
}

/// Iterator over the events of an [`EventCsvReader`].
#[derive(Debug)]
pub struct Events<R: Read> {
    reader: EventCsvReader<R>,
}

impl<R: Read> Iterator for Events<R> {
    type Item = Result<Event>;

    fn next(&mut self) -> Option<Result<Event>> {
        let mut e = Event::default();
        match self.reader.read_event(&mut e) {
            Ok(true) => Some(Ok(e)),
            Ok(false) => None,
            Err(err) => Some(Err(err)),
        }
    }
}

fn set(target: &mut String, value: &str) {
    target.clear();
    target.push_str(value);
}

fn reset(e: &mut Event) {
    e.event = None;
    e.status = EventStatus::Active;
    e.program.clear();
    e.program_stage.clear();
    e.enrollment = None;
    e.tracked_entity = None;
    e.org_unit.clear();
    e.relationships.clear();
    e.occurred_at = None;
    e.scheduled_at = None;
    e.stored_by.clear();
    e.follow_up = false;
    e.deleted = false;
    e.created_at = None;
    e.created_at_client = None;
    e.updated_at = None;
    e.updated_at_client = None;
    e.attribute_option_combo.clear();
    e.attribute_category_options.clear();
    e.completed_by.clear();
    e.completed_at = None;
    e.geometry = None;
    e.assigned_user = None;
    e.created_by = None;
    e.updated_by = None;
    e.notes.clear();
}

fn io_error(e: io::Error, limit: usize) -> Error {
    let is_limit = e
        .get_ref()
        .is_some_and(|inner| inner.downcast_ref::<LimitExceeded>().is_some());
    if is_limit {
        Error::new(ErrorKind::TooLarge {
            what: "a CSV record",
            limit,
        })
    } else {
        Error::new(ErrorKind::Io(e))
    }
}
