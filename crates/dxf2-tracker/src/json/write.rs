//! The JSON writer: DHIS2's export documents and import payloads, byte for byte as DHIS2's
//! Jackson writes them (compact, keys in the view classes' order, `null`s and empty texts left
//! out, booleans and lists always written, dates in the server's zone without offset).

use std::fmt::Write as _;
use std::io::Write;

use dxf2_model::Uid;

use super::fields::FieldFilter;
use crate::error::{Error, ErrorKind, Result};
use crate::model::{
    Attribute, DataValue, Enrollment, Event, Item, Note, Payload, ProgramOwner, Relationship,
    RelationshipItem, TrackedEntity, TrackerType, User,
};
use crate::options::TrackerVersion;
use crate::time::{ServerTimeZone, Timestamp};

/// Which fields a [`JsonWriter`] writes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Fields {
    /// DHIS2's default `fields` of the export endpoint of each list (see
    /// [`FieldFilter::dhis2_default`]), the default: what `GET /api/tracker/events` and the
    /// Import/Export app write.
    #[default]
    Dhis2Default,
    /// Every field, nested lists included (`fields=*`).
    All,
    /// A field filter.
    Filter(FieldFilter),
}

/// How JSON is written.
#[derive(Clone, Debug, Default)]
#[non_exhaustive]
pub struct WriteOptions {
    /// The server's zone, in which dates are written (default UTC).
    pub time_zone: ServerTimeZone,
    /// The DHIS2 version whose views are written (default 2.42).
    pub version: TrackerVersion,
    /// Which fields (default: DHIS2's export defaults).
    pub fields: Fields,
}

impl WriteOptions {
    /// The default options in another time zone.
    pub fn with_time_zone(mut self, zone: ServerTimeZone) -> WriteOptions {
        self.time_zone = zone;
        self
    }

    /// The same options for another DHIS2 version.
    pub fn with_version(mut self, version: TrackerVersion) -> WriteOptions {
        self.version = version;
        self
    }

    /// The same options with other fields.
    pub fn with_fields(mut self, fields: Fields) -> WriteOptions {
        self.fields = fields;
        self
    }
}

/// The pager of a paged export (`paging=true`, DHIS2's default): `{"pager": {…}, "events":
/// […]}`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Pager {
    /// `page` (1-based).
    pub page: u32,
    /// `pageSize`.
    pub page_size: u32,
    /// `total` (only with `totalPages=true`).
    pub total: Option<u64>,
    /// `pageCount` (only with `totalPages=true`).
    pub page_count: Option<u32>,
    /// `prevPage` (a URL).
    pub prev_page: Option<String>,
    /// `nextPage` (a URL).
    pub next_page: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    Start,
    Pager,
    List { kind: TrackerType, empty: bool },
    Single,
}

/// Writes tracker JSON documents: `{"events": […]}` (optionally with a `pager`), payloads with
/// several lists, or a single bare object.
///
/// ```
/// use dxf2_tracker::{Event, EventStatus, JsonWriter, TrackerType, WriteOptions};
/// use dxf2_model::Uid;
///
/// let mut w = JsonWriter::new(Vec::new(), WriteOptions::default());
/// w.begin_list(TrackerType::Event)?;
/// w.write_event(&Event {
///     event: Some(Uid::parse("ZwwuwNp6gVd").unwrap()),
///     status: EventStatus::Completed,
///     org_unit: "O6uvpzGd5pu".into(),
///     ..Event::default()
/// })?;
/// let out = String::from_utf8(w.finish()?).unwrap();
/// assert_eq!(
///     out,
///     r#"{"events":[{"event":"ZwwuwNp6gVd","status":"COMPLETED","orgUnit":"O6uvpzGd5pu","followUp":false,"deleted":false,"dataValues":[],"notes":[]}]}"#
/// );
/// # Ok::<(), dxf2_tracker::Error>(())
/// ```
#[derive(Debug)]
pub struct JsonWriter<W: Write> {
    out: W,
    options: WriteOptions,
    state: State,
    filter: Option<FieldFilter>,
    buf: String,
}

impl<W: Write> JsonWriter<W> {
    /// A writer into `out` (one `write_all` per object: wrap a file in a `BufWriter` only if you
    /// write many small objects).
    pub fn new(out: W, options: WriteOptions) -> JsonWriter<W> {
        JsonWriter {
            out,
            options,
            state: State::Start,
            filter: None,
            buf: String::with_capacity(4096),
        }
    }

    /// Writes the pager of a paged export; must come first.
    pub fn write_pager(&mut self, pager: &Pager) -> Result<()> {
        if self.state != State::Start {
            return Err(ErrorKind::WriterState("the pager must come first").into());
        }
        let b = &mut self.buf;
        b.clear();
        let _ = write!(
            b,
            "{{\"pager\":{{\"page\":{},\"pageSize\":{}",
            pager.page, pager.page_size
        );
        if let Some(t) = pager.total {
            let _ = write!(b, ",\"total\":{t}");
        }
        if let Some(c) = pager.page_count {
            let _ = write!(b, ",\"pageCount\":{c}");
        }
        if let Some(p) = &pager.prev_page {
            b.push_str(",\"prevPage\":");
            write_str(p, b);
        }
        if let Some(p) = &pager.next_page {
            b.push_str(",\"nextPage\":");
            write_str(p, b);
        }
        b.push('}');
        self.state = State::Pager;
        self.flush_buf()
    }

    /// Starts the list of one type (`"events":[`); a payload may have several lists, each once.
    pub fn begin_list(&mut self, kind: TrackerType) -> Result<()> {
        let b = &mut self.buf;
        b.clear();
        match self.state {
            State::Start => b.push('{'),
            State::Pager | State::List { .. } => {
                if let State::List { .. } = self.state {
                    b.push(']');
                }
                b.push(',');
            }
            State::Single => {
                return Err(ErrorKind::WriterState("a single object was written").into())
            }
        }
        b.push('"');
        b.push_str(kind.list_key());
        b.push_str("\":[");
        self.filter = match &self.options.fields {
            Fields::Dhis2Default => Some(FieldFilter::dhis2_default(kind)),
            Fields::All => None,
            Fields::Filter(f) => Some(f.clone()),
        };
        self.state = State::List { kind, empty: true };
        self.flush_buf()
    }

    /// Writes a tracked entity into the `trackedEntities` list.
    pub fn write_tracked_entity(&mut self, te: &TrackedEntity) -> Result<()> {
        self.write(Item2::TrackedEntity(te))
    }

    /// Writes an enrollment into the `enrollments` list.
    pub fn write_enrollment(&mut self, en: &Enrollment) -> Result<()> {
        self.write(Item2::Enrollment(en))
    }

    /// Writes an event into the `events` list.
    pub fn write_event(&mut self, ev: &Event) -> Result<()> {
        self.write(Item2::Event(ev))
    }

    /// Writes a relationship into the `relationships` list.
    pub fn write_relationship(&mut self, rel: &Relationship) -> Result<()> {
        self.write(Item2::Relationship(rel))
    }

    /// Writes an object handed out by a reader into the list of its type.
    pub fn write_item(&mut self, item: &Item<'_>) -> Result<()> {
        match item {
            Item::TrackedEntity(t) => self.write_tracked_entity(t),
            Item::Enrollment(e) => self.write_enrollment(e),
            Item::Event(e) => self.write_event(e),
            Item::Relationship(r) => self.write_relationship(r),
        }
    }

    /// Writes a whole payload: each non-empty list, in the order `trackedEntities`,
    /// `enrollments`, `events`, `relationships` (an empty payload is `{}` after
    /// [`JsonWriter::finish`]).
    pub fn write_payload(&mut self, payload: &Payload) -> Result<()> {
        if !payload.tracked_entities.is_empty() {
            self.begin_list(TrackerType::TrackedEntity)?;
            for t in &payload.tracked_entities {
                self.write_tracked_entity(t)?;
            }
        }
        if !payload.enrollments.is_empty() {
            self.begin_list(TrackerType::Enrollment)?;
            for e in &payload.enrollments {
                self.write_enrollment(e)?;
            }
        }
        if !payload.events.is_empty() {
            self.begin_list(TrackerType::Event)?;
            for e in &payload.events {
                self.write_event(e)?;
            }
        }
        if !payload.relationships.is_empty() {
            self.begin_list(TrackerType::Relationship)?;
            for r in &payload.relationships {
                self.write_relationship(r)?;
            }
        }
        Ok(())
    }

    /// Writes one bare object as the whole document (DHIS2's `GET /api/tracker/events/{uid}`).
    pub fn write_single(&mut self, item: &Item<'_>) -> Result<()> {
        if self.state != State::Start {
            return Err(
                ErrorKind::WriterState("a single object must be the whole document").into(),
            );
        }
        let kind = item.kind();
        let filter = match &self.options.fields {
            Fields::Dhis2Default => Some(FieldFilter::dhis2_default(kind)),
            Fields::All => None,
            Fields::Filter(f) => Some(f.clone()),
        };
        self.buf.clear();
        let ctx = Ctx {
            zone: &self.options.time_zone,
            version: self.options.version,
        };
        let f = filter.as_ref();
        match item {
            Item::TrackedEntity(t) => tracked_entity(t, f, &ctx, false, &mut self.buf),
            Item::Enrollment(e) => enrollment(e, f, &ctx, false, &mut self.buf),
            Item::Event(e) => event(e, f, &ctx, false, &mut self.buf),
            Item::Relationship(r) => relationship(r, f, &ctx, &mut self.buf),
        }
        self.state = State::Single;
        self.flush_buf()
    }

    fn write(&mut self, item: Item2<'_>) -> Result<()> {
        let State::List { kind, empty } = self.state else {
            return Err(ErrorKind::WriterState("begin_list comes before the objects").into());
        };
        if kind != item.kind() {
            return Err(ErrorKind::WriterState("an object of another type than the list").into());
        }
        self.buf.clear();
        if !empty {
            self.buf.push(',');
        }
        let ctx = Ctx {
            zone: &self.options.time_zone,
            version: self.options.version,
        };
        let f = self.filter.as_ref();
        match item {
            Item2::TrackedEntity(t) => tracked_entity(t, f, &ctx, false, &mut self.buf),
            Item2::Enrollment(e) => enrollment(e, f, &ctx, false, &mut self.buf),
            Item2::Event(e) => event(e, f, &ctx, false, &mut self.buf),
            Item2::Relationship(r) => relationship(r, f, &ctx, &mut self.buf),
        }
        self.state = State::List { kind, empty: false };
        self.flush_buf()
    }

    /// Closes the document and returns the output (`{}` when nothing was written).
    pub fn finish(mut self) -> Result<W> {
        self.buf.clear();
        match self.state {
            State::Start => self.buf.push_str("{}"),
            State::Pager => self.buf.push('}'),
            State::List { .. } => self.buf.push_str("]}"),
            State::Single => {}
        }
        self.flush_buf()?;
        self.out.flush().map_err(Error::from)?;
        Ok(self.out)
    }

    fn flush_buf(&mut self) -> Result<()> {
        self.out.write_all(self.buf.as_bytes()).map_err(Error::from)
    }
}

/// An object to write, by reference.
enum Item2<'a> {
    TrackedEntity(&'a TrackedEntity),
    Enrollment(&'a Enrollment),
    Event(&'a Event),
    Relationship(&'a Relationship),
}

impl Item2<'_> {
    fn kind(&self) -> TrackerType {
        match self {
            Item2::TrackedEntity(_) => TrackerType::TrackedEntity,
            Item2::Enrollment(_) => TrackerType::Enrollment,
            Item2::Event(_) => TrackerType::Event,
            Item2::Relationship(_) => TrackerType::Relationship,
        }
    }
}

struct Ctx<'a> {
    zone: &'a ServerTimeZone,
    version: TrackerVersion,
}

/// Appends a JSON string as Jackson escapes it: `"`, `\`, and control characters (short forms
/// for `\b \t \n \f \r`, else `\u00XX` in upper case).
pub(crate) fn write_str(s: &str, out: &mut String) {
    out.push('"');
    let mut start = 0;
    for (i, c) in s.char_indices() {
        let esc: Option<&str> = match c {
            '"' => Some("\\\""),
            '\\' => Some("\\\\"),
            '\n' => Some("\\n"),
            '\r' => Some("\\r"),
            '\t' => Some("\\t"),
            '\u{8}' => Some("\\b"),
            '\u{c}' => Some("\\f"),
            c if (c as u32) < 0x20 => None,
            _ => continue,
        };
        out.push_str(s.get(start..i).unwrap_or_default());
        match esc {
            Some(e) => out.push_str(e),
            None => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
        }
        start = i + c.len_utf8();
    }
    out.push_str(s.get(start..).unwrap_or_default());
    out.push('"');
}

/// One JSON object being written, with its filter: `Some(f)` writes the fields `f` selects,
/// `None` writes everything.
struct Obj<'o, 'f> {
    out: &'o mut String,
    filter: Option<&'f FieldFilter>,
    first: bool,
}

impl<'o, 'f> Obj<'o, 'f> {
    fn begin(out: &'o mut String, filter: Option<&'f FieldFilter>) -> Obj<'o, 'f> {
        out.push('{');
        Obj {
            out,
            filter,
            first: true,
        }
    }

    /// Whether `name` is written, and with which filter below it.
    fn wants(&self, name: &str) -> Option<Option<&'f FieldFilter>> {
        match self.filter {
            None => Some(None),
            Some(f) => f.nested(name),
        }
    }

    fn key(&mut self, name: &str) {
        if !self.first {
            self.out.push(',');
        }
        self.first = false;
        self.out.push('"');
        self.out.push_str(name);
        self.out.push_str("\":");
    }

    fn text(&mut self, name: &str, value: &str) {
        if !value.is_empty() && self.wants(name).is_some() {
            self.key(name);
            write_str(value, self.out);
        }
    }

    fn text_always(&mut self, name: &str, value: &str) {
        if self.wants(name).is_some() {
            self.key(name);
            write_str(value, self.out);
        }
    }

    fn uid(&mut self, name: &str, value: Option<Uid>) {
        if let Some(u) = value {
            self.text(name, u.as_str());
        }
    }

    fn time(&mut self, name: &str, value: Option<Timestamp>, ctx: &Ctx<'_>) {
        if let Some(t) = value {
            if self.wants(name).is_some() {
                self.key(name);
                self.out.push('"');
                t.write_json(ctx.zone, self.out);
                self.out.push('"');
            }
        }
    }

    fn boolean(&mut self, name: &str, value: bool) {
        if self.wants(name).is_some() {
            self.key(name);
            self.out.push_str(if value { "true" } else { "false" });
        }
    }

    fn raw_with(&mut self, name: &str, write: impl FnOnce(Option<&'f FieldFilter>, &mut String)) {
        if let Some(sub) = self.wants(name) {
            self.key(name);
            write(sub, self.out);
        }
    }

    fn user(&mut self, name: &str, value: &Option<User>) {
        if let Some(u) = value {
            self.raw_with(name, |f, out| user(u, f, out));
        }
    }

    fn list<T>(
        &mut self,
        name: &str,
        items: &[T],
        mut each: impl FnMut(&T, Option<&'f FieldFilter>, &mut String),
    ) {
        self.raw_with(name, |f, out| {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                each(item, f, out);
            }
            out.push(']');
        });
    }

    fn end(self) {
        self.out.push('}');
    }
}

fn user(u: &User, f: Option<&FieldFilter>, out: &mut String) {
    let mut o = Obj::begin(out, f);
    o.text("uid", &u.uid);
    o.text("username", &u.username);
    o.text("firstName", &u.first_name);
    o.text("surname", &u.surname);
    o.text("displayName", &u.display_name);
    o.end();
}

fn attribute(a: &Attribute, f: Option<&FieldFilter>, ctx: &Ctx<'_>, out: &mut String) {
    let mut o = Obj::begin(out, f);
    o.text("attribute", &a.attribute);
    o.text("code", &a.code);
    o.text("displayName", &a.display_name);
    o.time("createdAt", a.created_at, ctx);
    o.time("updatedAt", a.updated_at, ctx);
    if ctx.version.has_stored_by() {
        o.text("storedBy", &a.stored_by);
    } else {
        o.text("updatedBy", &a.stored_by);
    }
    if let Some(vt) = a.value_type {
        o.text("valueType", vt.name());
    }
    o.text("value", &a.value);
    o.end();
}

fn data_value(d: &DataValue, f: Option<&FieldFilter>, ctx: &Ctx<'_>, out: &mut String) {
    let mut o = Obj::begin(out, f);
    o.time("createdAt", d.created_at, ctx);
    o.time("updatedAt", d.updated_at, ctx);
    if ctx.version.has_stored_by() {
        o.text("storedBy", &d.stored_by);
    }
    o.boolean("providedElsewhere", d.provided_elsewhere);
    o.text_always("dataElement", &d.data_element);
    o.text("value", &d.value);
    o.user("createdBy", &d.created_by);
    o.user("updatedBy", &d.updated_by);
    o.end();
}

fn note(n: &Note, f: Option<&FieldFilter>, ctx: &Ctx<'_>, out: &mut String) {
    let mut o = Obj::begin(out, f);
    o.uid("note", n.note);
    o.time("storedAt", n.stored_at, ctx);
    o.text("value", &n.value);
    o.user("createdBy", &n.created_by);
    if ctx.version.has_stored_by() {
        o.text("storedBy", &n.stored_by);
    }
    o.end();
}

fn program_owner(p: &ProgramOwner, f: Option<&FieldFilter>, out: &mut String) {
    let mut o = Obj::begin(out, f);
    o.text("orgUnit", &p.org_unit);
    o.text("trackedEntity", &p.tracked_entity);
    o.text("program", &p.program);
    o.end();
}

fn geometry(o: &mut Obj<'_, '_>, g: &Option<crate::Geometry>) {
    if let Some(g) = g {
        o.raw_with("geometry", |_, out| g.write_geojson(out));
    }
}

/// A tracked entity; `in_item` writes the relationship item's variant (no `relationships`).
fn tracked_entity(
    t: &TrackedEntity,
    f: Option<&FieldFilter>,
    ctx: &Ctx<'_>,
    in_item: bool,
    out: &mut String,
) {
    let mut o = Obj::begin(out, f);
    o.uid("trackedEntity", t.tracked_entity);
    o.text("trackedEntityType", &t.tracked_entity_type);
    o.time("createdAt", t.created_at, ctx);
    o.time("createdAtClient", t.created_at_client, ctx);
    o.time("updatedAt", t.updated_at, ctx);
    o.time("updatedAtClient", t.updated_at_client, ctx);
    o.text("orgUnit", &t.org_unit);
    o.boolean("inactive", t.inactive);
    o.boolean("deleted", t.deleted);
    o.boolean("potentialDuplicate", t.potential_duplicate);
    geometry(&mut o, &t.geometry);
    if ctx.version.has_stored_by() {
        o.text("storedBy", &t.stored_by);
    }
    o.user("createdBy", &t.created_by);
    o.user("updatedBy", &t.updated_by);
    if !in_item {
        o.list("relationships", &t.relationships, |r, f, out| {
            relationship(r, f, ctx, out)
        });
    }
    o.list("attributes", &t.attributes, |a, f, out| {
        attribute(a, f, ctx, out)
    });
    o.list("enrollments", &t.enrollments, |e, f, out| {
        enrollment(e, f, ctx, false, out)
    });
    o.list("programOwners", &t.program_owners, |p, f, out| {
        program_owner(p, f, out)
    });
    o.end();
}

/// An enrollment; `in_item` writes the relationship item's variant (no `relationships`).
fn enrollment(
    e: &Enrollment,
    f: Option<&FieldFilter>,
    ctx: &Ctx<'_>,
    in_item: bool,
    out: &mut String,
) {
    let mut o = Obj::begin(out, f);
    o.uid("enrollment", e.enrollment);
    o.time("createdAt", e.created_at, ctx);
    o.time("createdAtClient", e.created_at_client, ctx);
    o.time("updatedAt", e.updated_at, ctx);
    o.time("updatedAtClient", e.updated_at_client, ctx);
    o.uid("trackedEntity", e.tracked_entity);
    o.text("program", &e.program);
    o.text("status", e.status.name());
    o.text("orgUnit", &e.org_unit);
    o.time("enrolledAt", e.enrolled_at, ctx);
    o.time("occurredAt", e.occurred_at, ctx);
    o.boolean("followUp", e.follow_up);
    o.text("completedBy", &e.completed_by);
    o.time("completedAt", e.completed_at, ctx);
    o.boolean("deleted", e.deleted);
    if ctx.version.has_stored_by() {
        o.text("storedBy", &e.stored_by);
    }
    o.user("createdBy", &e.created_by);
    o.user("updatedBy", &e.updated_by);
    geometry(&mut o, &e.geometry);
    if ctx.version >= TrackerVersion::V2_43 && !in_item {
        o.text("attributeOptionCombo", &e.attribute_option_combo);
    }
    o.list("events", &e.events, |ev, f, out| {
        event(ev, f, ctx, false, out)
    });
    if !in_item {
        o.list("relationships", &e.relationships, |r, f, out| {
            relationship(r, f, ctx, out)
        });
    }
    o.list("attributes", &e.attributes, |a, f, out| {
        attribute(a, f, ctx, out)
    });
    o.list("notes", &e.notes, |n, f, out| note(n, f, ctx, out));
    o.end();
}

/// An event; `in_item` writes the relationship item's variant (no `trackedEntity`, no
/// `relationships`).
fn event(e: &Event, f: Option<&FieldFilter>, ctx: &Ctx<'_>, in_item: bool, out: &mut String) {
    let mut o = Obj::begin(out, f);
    o.uid("event", e.event);
    o.text("status", e.status.name());
    o.text("program", &e.program);
    o.text("programStage", &e.program_stage);
    o.uid("enrollment", e.enrollment);
    if !in_item {
        o.uid("trackedEntity", e.tracked_entity);
    }
    o.text("orgUnit", &e.org_unit);
    if !in_item {
        o.list("relationships", &e.relationships, |r, f, out| {
            relationship(r, f, ctx, out)
        });
    }
    o.time("occurredAt", e.occurred_at, ctx);
    o.time("scheduledAt", e.scheduled_at, ctx);
    if ctx.version.has_stored_by() {
        o.text("storedBy", &e.stored_by);
    }
    o.boolean("followUp", e.follow_up);
    if ctx.version == TrackerVersion::V2_41 && !in_item {
        o.boolean("followup", e.follow_up);
    }
    o.boolean("deleted", e.deleted);
    o.time("createdAt", e.created_at, ctx);
    o.time("createdAtClient", e.created_at_client, ctx);
    o.time("updatedAt", e.updated_at, ctx);
    o.time("updatedAtClient", e.updated_at_client, ctx);
    o.text("attributeOptionCombo", &e.attribute_option_combo);
    o.text("attributeCategoryOptions", &e.attribute_category_options);
    o.text("completedBy", &e.completed_by);
    o.time("completedAt", e.completed_at, ctx);
    geometry(&mut o, &e.geometry);
    o.user("assignedUser", &e.assigned_user);
    o.user("createdBy", &e.created_by);
    o.user("updatedBy", &e.updated_by);
    o.list("dataValues", &e.data_values, |d, f, out| {
        data_value(d, f, ctx, out)
    });
    o.list("notes", &e.notes, |n, f, out| note(n, f, ctx, out));
    o.end();
}

fn relationship_item(
    i: &RelationshipItem,
    f: Option<&FieldFilter>,
    ctx: &Ctx<'_>,
    out: &mut String,
) {
    let mut o = Obj::begin(out, f);
    if let Some(t) = &i.tracked_entity {
        o.raw_with("trackedEntity", |f, out| {
            tracked_entity(t, f, ctx, true, out)
        });
    }
    if let Some(e) = &i.enrollment {
        o.raw_with("enrollment", |f, out| enrollment(e, f, ctx, true, out));
    }
    if let Some(e) = &i.event {
        o.raw_with("event", |f, out| event(e, f, ctx, true, out));
    }
    o.end();
}

fn relationship(r: &Relationship, f: Option<&FieldFilter>, ctx: &Ctx<'_>, out: &mut String) {
    let mut o = Obj::begin(out, f);
    o.uid("relationship", r.relationship);
    o.text("relationshipName", &r.relationship_name);
    o.text("relationshipType", &r.relationship_type);
    o.time("createdAt", r.created_at, ctx);
    o.time("createdAtClient", r.created_at_client, ctx);
    o.time("updatedAt", r.updated_at, ctx);
    o.boolean("bidirectional", r.bidirectional);
    if ctx.version >= TrackerVersion::V2_42 {
        o.boolean("deleted", r.deleted);
    }
    if let Some(from) = &r.from {
        o.raw_with("from", |f, out| relationship_item(from, f, ctx, out));
    }
    if let Some(to) = &r.to {
        o.raw_with("to", |f, out| relationship_item(to, f, ctx, out));
    }
    o.end();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_escape_like_jackson() {
        let mut s = String::new();
        write_str("a\"b\\c\nd\u{1}é\u{7f}", &mut s);
        assert_eq!(s, "\"a\\\"b\\\\c\\nd\\u0001é\u{7f}\"");
    }

    #[test]
    fn writer_checks_its_order() {
        let mut w = JsonWriter::new(Vec::new(), WriteOptions::default());
        assert!(w.write_event(&Event::default()).is_err());
        w.begin_list(TrackerType::Event).unwrap();
        assert!(w.write_enrollment(&Enrollment::default()).is_err());
        assert!(w.write_pager(&Pager::default()).is_err());
        let w = JsonWriter::new(Vec::new(), WriteOptions::default());
        assert_eq!(w.finish().unwrap(), b"{}");
    }

    #[test]
    fn pager_comes_first() {
        let mut w = JsonWriter::new(Vec::new(), WriteOptions::default());
        w.write_pager(&Pager {
            page: 1,
            page_size: 50,
            ..Pager::default()
        })
        .unwrap();
        w.begin_list(TrackerType::Relationship).unwrap();
        let out = String::from_utf8(w.finish().unwrap()).unwrap();
        assert_eq!(
            out,
            r#"{"pager":{"page":1,"pageSize":50},"relationships":[]}"#
        );
    }
}
