//! The streaming JSON reader: the root object, its four lists, the reading context and its
//! errors.

use std::cell::Cell;
use std::fmt;
use std::io::{self, BufRead, BufReader, Read};
use std::rc::Rc;

use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};

use super::keys::{legacy, Key, Obj};
use super::seeds::{KeySeed, Record, RecordSeed};
use crate::error::{BoxError, Category, Deprecation, Error, ErrorKind, Location, Result};
use crate::model::{Enrollment, Event, Item, Payload, Relationship, TrackedEntity, TrackerType};
use crate::options::{LegacyPolicy, ReadOptions};

/// A pre-2.41 key met while reading with [`LegacyPolicy::Ignore`]: what it was, where it was
/// first met and how often.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LegacyUse {
    /// The key and what it became.
    pub deprecation: Deprecation,
    /// Where it was first met (`events[0]`).
    pub first_at: String,
    /// How many times it was met.
    pub count: u64,
}

/// What a JSON reader read: the number of top-level objects per list, and the pre-2.41 keys it
/// ignored.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReadSummary {
    /// Elements of `trackedEntities`.
    pub tracked_entities: u64,
    /// Elements of `enrollments`.
    pub enrollments: u64,
    /// Elements of `events`.
    pub events: u64,
    /// Elements of `relationships`.
    pub relationships: u64,
    /// The pre-2.41 keys ignored (with [`LegacyPolicy::Ignore`]), one entry per object and key.
    pub legacy: Vec<LegacyUse>,
}

impl ReadSummary {
    /// The count of one list.
    pub fn count(&self, kind: TrackerType) -> u64 {
        match kind {
            TrackerType::TrackedEntity => self.tracked_entities,
            TrackerType::Enrollment => self.enrollments,
            TrackerType::Event => self.events,
            TrackerType::Relationship => self.relationships,
        }
    }

    fn count_mut(&mut self, kind: TrackerType) -> &mut u64 {
        match kind {
            TrackerType::TrackedEntity => &mut self.tracked_entities,
            TrackerType::Enrollment => &mut self.enrollments,
            TrackerType::Event => &mut self.events,
            TrackerType::Relationship => &mut self.relationships,
        }
    }
}

/// Reads tracker JSON (`POST /api/tracker` payloads and `/api/tracker/…` export documents), one
/// top-level object at a time.
///
/// [`JsonReader::read`] hands each element of the four root lists to a sink, in document
/// order, as an [`Item`] borrowing a reused record: memory holds one top-level object (a
/// tracked entity with everything nested in it, one event, …), whatever the size of the file.
/// [`JsonReader::read_payload`] collects the whole [`Payload`].
///
/// Reading follows DHIS2's Jackson binding (see the crate docs for the table): unknown keys are
/// ignored; `""` is absent for texts; a bad UID, date, enum, boolean or geometry fails the
/// whole document, as DHIS2 answers HTTP 400; pre-2.41 keys refuse the file
/// ([`LegacyPolicy`]).
///
/// A streaming reader hands out objects before it has seen the end of the document, whereas
/// DHIS2 refuses the whole request when any part fails to parse: a caller that must import all
/// or nothing keeps what it was handed until `read` returns `Ok`.
#[derive(Clone, Debug, Default)]
pub struct JsonReader {
    options: ReadOptions,
}

impl JsonReader {
    /// A reader with these options.
    pub fn new(options: ReadOptions) -> JsonReader {
        JsonReader { options }
    }

    /// The options.
    pub fn options(&self) -> &ReadOptions {
        &self.options
    }

    /// Reads a document from a stream, handing each top-level object to `sink`.
    ///
    /// One top-level object may take at most `options.limits.max_record_bytes` of input (give
    /// or take the 64 KiB read buffer): a larger one fails with [`ErrorKind::TooLarge`].
    pub fn read<R, F>(&self, reader: R, mut sink: F) -> Result<ReadSummary>
    where
        R: Read,
        F: FnMut(Item<'_>) -> Result<(), BoxError>,
    {
        let limit = self.options.limits.max_record_bytes;
        let budget = Rc::new(Budget {
            total: Cell::new(0),
            start: Cell::new(0),
            limit: u64::try_from(limit).unwrap_or(u64::MAX),
        });
        let mut buffered = BufReader::with_capacity(
            64 * 1024,
            Counting {
                inner: reader,
                budget: Rc::clone(&budget),
            },
        );
        skip_bom(&mut buffered).map_err(|e| io_error(e, limit))?;
        let mut de = serde_json::Deserializer::from_reader(buffered);
        let mut ctx = Ctx::new(&self.options, Some(budget));
        run(&mut de, &mut ctx, &mut sink)
    }

    /// Reads a document held in memory (faster than [`JsonReader::read`]; no size limit applies
    /// since the input is already in memory).
    pub fn read_slice<F>(&self, bytes: &[u8], mut sink: F) -> Result<ReadSummary>
    where
        F: FnMut(Item<'_>) -> Result<(), BoxError>,
    {
        let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        let mut de = serde_json::Deserializer::from_slice(bytes);
        let mut ctx = Ctx::new(&self.options, None);
        run(&mut de, &mut ctx, &mut sink)
    }

    /// Reads a whole payload from a stream (nested as written; see
    /// [`flatten`](crate::flatten())).
    pub fn read_payload<R: Read>(&self, reader: R) -> Result<(Payload, ReadSummary)> {
        let mut payload = Payload::default();
        let summary = self.read(reader, |item| {
            payload.push(item);
            Ok(())
        })?;
        Ok((payload, summary))
    }

    /// Reads a whole payload held in memory.
    pub fn read_payload_slice(&self, bytes: &[u8]) -> Result<(Payload, ReadSummary)> {
        let mut payload = Payload::default();
        let summary = self.read_slice(bytes, |item| {
            payload.push(item);
            Ok(())
        })?;
        Ok((payload, summary))
    }
}

/// Skips a UTF-8 byte order mark (Jackson does).
fn skip_bom<R: BufRead>(r: &mut R) -> io::Result<()> {
    let buf = r.fill_buf()?;
    if buf.starts_with(b"\xEF\xBB\xBF") {
        r.consume(3);
    }
    Ok(())
}

/// Bytes read so far and where the current top-level object started.
struct Budget {
    total: Cell<u64>,
    start: Cell<u64>,
    limit: u64,
}

/// The marker of an object past the limit, carried through `serde_json` as an I/O error.
#[derive(Debug)]
struct LimitExceeded;

impl fmt::Display for LimitExceeded {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("object too large")
    }
}

impl std::error::Error for LimitExceeded {}

struct Counting<R> {
    inner: R,
    budget: Rc<Budget>,
}

impl<R: Read> Read for Counting<R> {
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

fn io_error(e: io::Error, limit: usize) -> Error {
    let is_limit = e
        .get_ref()
        .is_some_and(|inner| inner.downcast_ref::<LimitExceeded>().is_some());
    if is_limit {
        Error::new(ErrorKind::TooLarge {
            what: "a top-level object",
            limit,
        })
    } else {
        Error::new(ErrorKind::Io(e))
    }
}

/// One step of the path to the object being read: `events[3]`, `from`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Seg {
    pub(crate) key: &'static str,
    pub(crate) index: Option<u64>,
}

/// The state shared by every visitor of one read.
pub(crate) struct Ctx<'o> {
    pub(crate) opts: &'o ReadOptions,
    pub(crate) path: Vec<Seg>,
    field: Option<&'static str>,
    field_is_unknown: bool,
    pub(crate) unknown: String,
    error: Option<ErrorKind>,
    legacy: Vec<LegacyUse>,
    /// How deep inside relationship items (`from`/`to`) the reader is.
    pub(crate) item_depth: u32,
    budget: Option<Rc<Budget>>,
}

impl<'o> Ctx<'o> {
    fn new(opts: &'o ReadOptions, budget: Option<Rc<Budget>>) -> Ctx<'o> {
        Ctx {
            opts,
            path: Vec::with_capacity(8),
            field: None,
            field_is_unknown: false,
            unknown: String::new(),
            error: None,
            legacy: Vec::new(),
            item_depth: 0,
            budget,
        }
    }

    /// Records the key being read.
    pub(crate) fn set_key(&mut self, key: Key) {
        if key == Key::Other {
            self.field = None;
            self.field_is_unknown = true;
        } else {
            self.field = Some(key.name());
            self.field_is_unknown = false;
        }
    }

    /// Leaves an object: no field is being read.
    pub(crate) fn end_object(&mut self) {
        self.field = None;
        self.field_is_unknown = false;
    }

    pub(crate) fn in_item(&self) -> bool {
        self.item_depth > 0
    }

    /// Stores a structured error and returns the `serde` error that unwinds to [`run`].
    pub(crate) fn fail<E: de::Error>(&mut self, kind: ErrorKind) -> E {
        self.error = Some(kind);
        E::custom("dxf2-tracker: see the stored error")
    }

    /// A pre-2.41 key: refused, or remembered and ignored.
    pub(crate) fn legacy_key<E: de::Error>(&mut self, deprecation: Deprecation) -> Result<(), E> {
        match self.opts.legacy {
            LegacyPolicy::Refuse => Err(self.fail(ErrorKind::Deprecated(Box::new(deprecation)))),
            LegacyPolicy::Ignore => {
                let here = self.path_string();
                match self.legacy.iter_mut().find(|u| {
                    u.deprecation.object == deprecation.object
                        && u.deprecation.old == deprecation.old
                }) {
                    Some(u) => u.count = u.count.saturating_add(1),
                    None => self.legacy.push(LegacyUse {
                        deprecation,
                        first_at: if here.is_empty() {
                            "the top level".into()
                        } else {
                            here
                        },
                        count: 1,
                    }),
                }
                Ok(())
            }
        }
    }

    fn path_string(&self) -> String {
        let mut s = String::new();
        for (i, seg) in self.path.iter().enumerate() {
            if i > 0 {
                s.push('.');
            }
            s.push_str(seg.key);
            if let Some(n) = seg.index {
                s.push_str(&format!("[{n}]"));
            }
        }
        s
    }

    fn start_object(&self) {
        if let Some(b) = &self.budget {
            b.start.set(b.total.get());
        }
    }

    /// The error of a failed read, from `serde_json`'s error and what the context knows.
    fn take_error(&mut self, e: serde_json::Error) -> Error {
        let line = e.line();
        let column = e.column();
        let kind = match self.error.take() {
            Some(kind) => kind,
            None => match e.classify() {
                serde_json::error::Category::Io => {
                    let limit = self.opts.limits.max_record_bytes;
                    return with_position(io_error(io::Error::from(e), limit), line, column, self);
                }
                serde_json::error::Category::Syntax | serde_json::error::Category::Eof => {
                    ErrorKind::Json {
                        message: strip_position(&e.to_string()),
                        category: Category::Syntax,
                    }
                }
                serde_json::error::Category::Data => ErrorKind::Json {
                    message: strip_position(&e.to_string()),
                    category: Category::Data,
                },
            },
        };
        with_position(Error::new(kind), line, column, self)
    }
}

fn with_position(mut error: Error, line: usize, column: usize, ctx: &Ctx<'_>) -> Error {
    let loc: &mut Location = error.location_mut();
    loc.line = (line > 0).then_some(line as u64);
    loc.column = (line > 0).then_some(column as u64);
    let path = ctx.path_string();
    if !path.is_empty() {
        loc.object = Some(path);
        loc.index = ctx.path.first().and_then(|s| s.index);
    }
    if ctx.field_is_unknown {
        loc.field = Some(ctx.unknown.clone());
    } else if let Some(f) = ctx.field {
        loc.field = Some(f.to_owned());
    }
    error
}

/// `serde_json`'s message without its ` at line L column C` suffix.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message.get(..i).unwrap_or(message).to_owned(),
        None => message.to_owned(),
    }
}

fn run<'de, S: serde_json::de::Read<'de>>(
    de: &mut serde_json::Deserializer<S>,
    ctx: &mut Ctx<'_>,
    sink: &mut dyn FnMut(Item<'_>) -> Result<(), BoxError>,
) -> Result<ReadSummary> {
    let mut summary = ReadSummary::default();
    let mut records = Records::default();
    let result = de::Deserializer::deserialize_any(
        &mut *de,
        RootVisitor {
            ctx: &mut *ctx,
            sink,
            records: &mut records,
            summary: &mut summary,
        },
    )
    .and_then(|()| de.end());
    match result {
        Ok(()) => {
            summary.legacy = std::mem::take(&mut ctx.legacy);
            Ok(summary)
        }
        Err(e) => Err(ctx.take_error(e)),
    }
}

/// The reused records of the four lists.
#[derive(Default)]
struct Records {
    tracked_entity: TrackedEntity,
    enrollment: Enrollment,
    event: Event,
    relationship: Relationship,
}

struct RootVisitor<'c, 'o, 's> {
    ctx: &'c mut Ctx<'o>,
    sink: &'s mut dyn FnMut(Item<'_>) -> Result<(), BoxError>,
    records: &'c mut Records,
    summary: &'c mut ReadSummary,
}

impl RootVisitor<'_, '_, '_> {
    fn not_an_object<E: de::Error>(self, found: &'static str) -> Result<(), E> {
        Err(self.ctx.fail(ErrorKind::NotAnObject { found }))
    }
}

impl<'de> Visitor<'de> for RootVisitor<'_, '_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a tracker payload (a JSON object)")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut seen = [false; 4];
        while let Some(key) = map.next_key_seed(KeySeed {
            ctx: &mut *self.ctx,
        })? {
            self.ctx.set_key(key);
            let kind = match key {
                Key::TrackedEntities => TrackerType::TrackedEntity,
                Key::Enrollments => TrackerType::Enrollment,
                Key::Events => TrackerType::Event,
                Key::Relationships => TrackerType::Relationship,
                other => {
                    if let Some(d) = legacy(Obj::Root, other, self.ctx.opts.version) {
                        self.ctx.legacy_key(d)?;
                    }
                    map.next_value::<IgnoredAny>()?;
                    continue;
                }
            };
            let slot = match kind {
                TrackerType::TrackedEntity => &mut seen[0],
                TrackerType::Enrollment => &mut seen[1],
                TrackerType::Event => &mut seen[2],
                TrackerType::Relationship => &mut seen[3],
            };
            if *slot {
                return Err(self.ctx.fail(ErrorKind::DuplicateKey {
                    key: kind.list_key(),
                }));
            }
            *slot = true;
            map.next_value_seed(StreamSeed {
                ctx: &mut *self.ctx,
                sink: &mut *self.sink,
                records: &mut *self.records,
                summary: &mut *self.summary,
                kind,
            })?;
        }
        self.ctx.end_object();
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, _: A) -> Result<(), A::Error> {
        self.not_an_object("an array")
    }

    fn visit_str<E: de::Error>(self, _: &str) -> Result<(), E> {
        self.not_an_object("a string")
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
        self.not_an_object("a boolean")
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<(), E> {
        self.not_an_object("a number")
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<(), E> {
        self.not_an_object("a number")
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<(), E> {
        self.not_an_object("a number")
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        self.not_an_object("null")
    }
}

/// One root list, streamed element by element into the reused record and the sink.
struct StreamSeed<'c, 'o, 's> {
    ctx: &'c mut Ctx<'o>,
    sink: &'s mut dyn FnMut(Item<'_>) -> Result<(), BoxError>,
    records: &'c mut Records,
    summary: &'c mut ReadSummary,
    kind: TrackerType,
}

impl<'de> DeserializeSeed<'de> for StreamSeed<'_, '_, '_> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for StreamSeed<'_, '_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a list of {}", self.kind.list_key())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let key = self.kind.list_key();
        let mut index = 0u64;
        loop {
            self.ctx.path.push(Seg {
                key,
                index: Some(index),
            });
            self.ctx.end_object();
            self.ctx.start_object();
            let r = &mut *self.records;
            let more = match self.kind {
                TrackerType::TrackedEntity => {
                    element(&mut seq, &mut *self.ctx, &mut r.tracked_entity)?
                }
                TrackerType::Enrollment => element(&mut seq, &mut *self.ctx, &mut r.enrollment)?,
                TrackerType::Event => element(&mut seq, &mut *self.ctx, &mut r.event)?,
                TrackerType::Relationship => {
                    element(&mut seq, &mut *self.ctx, &mut r.relationship)?
                }
            };
            if !more {
                self.ctx.path.pop();
                break;
            }
            let item = match self.kind {
                TrackerType::TrackedEntity => Item::TrackedEntity(&mut r.tracked_entity),
                TrackerType::Enrollment => Item::Enrollment(&mut r.enrollment),
                TrackerType::Event => Item::Event(&mut r.event),
                TrackerType::Relationship => Item::Relationship(&mut r.relationship),
            };
            if let Err(e) = (self.sink)(item) {
                return Err(self.ctx.fail(ErrorKind::Sink(e)));
            }
            self.ctx.path.pop();
            let count = self.summary.count_mut(self.kind);
            *count = count.saturating_add(1);
            index += 1;
        }
        Ok(())
    }
}

/// Reads the next element of a list into `target`; `false` at the end of the list.
fn element<'de, A: SeqAccess<'de>, T: Record>(
    seq: &mut A,
    ctx: &mut Ctx<'_>,
    target: &mut T,
) -> Result<bool, A::Error> {
    Ok(seq.next_element_seed(RecordSeed { ctx, target })?.is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_serde_positions() {
        assert_eq!(
            strip_position("expected `,` or `}` at line 1 column 9"),
            "expected `,` or `}`"
        );
        assert_eq!(strip_position("no position"), "no position");
    }
}
