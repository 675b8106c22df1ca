//! The tracker export (`GET /api/tracker/events`, `/trackedEntities`, `/enrollments`,
//! `/relationships`, spec §12): a [`ExportQuery`] checked with DHIS2's rules and messages, run
//! against a [`TrackerStore`], and the result written as DHIS2's export documents (JSON with
//! any `fields`, events CSV, tracked entity CSV).
//!
//! ```
//! use dxf2_metadata::catalogue::MemoryCatalogue;
//! use dxf2_store::MemoryStore;
//! use dxf2_tracker::export::{export, ExportQuery, OrgUnitMode};
//! use dxf2_tracker::{Event, TrackerObject, TrackerStore, TrackerType};
//! use dxf2_model::Uid;
//! use serde_json::json;
//!
//! let mut metadata = MemoryCatalogue::new();
//! metadata.insert("organisationUnits", json!({"id": "O6uvpzGd5pu", "name": "Bo"}).as_object().unwrap().clone());
//! metadata.insert("organisationUnits", json!({"id": "DiszpKrYNg8", "name": "Ngelehun",
//!     "parent": {"id": "O6uvpzGd5pu"}}).as_object().unwrap().clone());
//! let mut store = MemoryStore::new();
//! store.put_tracker_object(&TrackerObject::Event(Event {
//!     event: Some(Uid::parse("ZwwuwNp6gVd").unwrap()),
//!     org_unit: "DiszpKrYNg8".into(),
//!     program: "Zd2rkv8FsWq".into(),
//!     ..Event::default()
//! })).unwrap();
//!
//! let mut query = ExportQuery::new(TrackerType::Event);
//! query.org_units = vec!["O6uvpzGd5pu".into()];
//! query.org_unit_mode = Some(OrgUnitMode::Descendants);
//! assert_eq!(export(&mut store, &metadata, &query).unwrap().len(), 1);
//! query.org_unit_mode = Some(OrgUnitMode::Selected);
//! assert_eq!(export(&mut store, &metadata, &query).unwrap().len(), 0);
//! ```
//!
//! Acting as a superuser: `ACCESSIBLE` and `CAPTURE` (the default without org units) are
//! every org unit, as they are for DHIS2's superuser. Not reproduced: paging and `order`
//! (objects come in UID order), `updatedWithin`, `assignedUser*`, `enrollmentEnrolled*`,
//! `scheduled*`, idSchemes on export.

use std::collections::{HashMap, HashSet};
use std::io::Write;

use dxf2_metadata::catalogue::{Catalogue, CatalogueError};
use dxf2_model::Uid;

use crate::csv::{CsvWriteOptions, EventCsvWriter, TrackedEntityCsvWriter};
use crate::import::{ParamEnum, ParamError, Preheat, TrackerIdSchemes};
use crate::json::{JsonWriter, WriteOptions};
use crate::model::{
    Attribute, Enrollment, Event, ItemRef, Relationship, RelationshipItem, TrackedEntity,
    TrackerType,
};
use crate::options::TrackerVersion;
use crate::store::{TrackerObject, TrackerStore, TrackerStoreError};
use crate::time::Timestamp;

/// `orgUnitMode`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum OrgUnitMode {
    /// `SELECTED`: the given org units.
    Selected,
    /// `CHILDREN`: the given org units and their children.
    Children,
    /// `DESCENDANTS`: the given org units and their subtrees.
    Descendants,
    /// `ACCESSIBLE`: the user's search scope (everything for a superuser).
    Accessible,
    /// `CAPTURE`: the user's capture scope (everything for a superuser).
    Capture,
    /// `ALL`: every org unit.
    All,
}

impl ParamEnum for OrgUnitMode {
    const PARAMETER: &'static str = "orgUnitMode";
    const VALUES: &'static [(&'static str, Self)] = &[
        ("SELECTED", OrgUnitMode::Selected),
        ("CHILDREN", OrgUnitMode::Children),
        ("DESCENDANTS", OrgUnitMode::Descendants),
        ("ACCESSIBLE", OrgUnitMode::Accessible),
        ("CAPTURE", OrgUnitMode::Capture),
        ("ALL", OrgUnitMode::All),
    ];

    fn param_name(self) -> &'static str {
        Self::VALUES
            .iter()
            .find(|(_, v)| *v == self)
            .map(|(n, _)| *n)
            .unwrap_or("SELECTED")
    }
}

/// A filter `UID:op:value` on an attribute (tracked entities, enrollments) or a data element
/// (events), with DHIS2's `/` escapes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ItemFilter {
    /// The attribute or data element (UID).
    pub item: String,
    /// (operator, value) pairs; all must hold.
    pub conditions: Vec<(String, String)>,
}

impl ItemFilter {
    /// Parses `UID:op:value[:op:value]` (`/` escapes `:`, `,` and `/`).
    pub fn parse(text: &str) -> Result<ItemFilter, ParamError> {
        let mut parts = Vec::new();
        let mut current = String::new();
        let mut chars = text.chars();
        while let Some(c) = chars.next() {
            match c {
                '/' => match chars.next() {
                    Some(n) => current.push(n),
                    None => current.push('/'),
                },
                ':' => parts.push(std::mem::take(&mut current)),
                other => current.push(other),
            }
        }
        parts.push(current);
        let mut parts = parts.into_iter();
        let item = parts.next().unwrap_or_default();
        let rest: Vec<String> = parts.collect();
        let bad = || ParamError {
            message: format!("Query item or filter is invalid: {text}"),
        };
        if item.is_empty() {
            return Err(bad());
        }
        let mut conditions = Vec::new();
        let mut i = 0;
        while let Some(op) = rest.get(i) {
            let op = op.to_ascii_lowercase();
            let unary = op == "null" || op == "!null";
            let value = if unary {
                String::new()
            } else {
                rest.get(i + 1).cloned().ok_or_else(bad)?
            };
            if !matches!(
                op.as_str(),
                "eq" | "ieq"
                    | "ne"
                    | "neq"
                    | "like"
                    | "ilike"
                    | "nlike"
                    | "sw"
                    | "ew"
                    | "gt"
                    | "ge"
                    | "lt"
                    | "le"
                    | "in"
                    | "null"
                    | "!null"
            ) {
                return Err(bad());
            }
            conditions.push((op, value));
            i += if unary { 1 } else { 2 };
        }
        Ok(ItemFilter { item, conditions })
    }

    /// Whether a value (absent: `None`) passes every condition.
    pub fn matches(&self, value: Option<&str>) -> bool {
        self.conditions.iter().all(|(op, want)| {
            let Some(v) = value else {
                return op == "null";
            };
            let (lv, lw) = (v.to_lowercase(), want.to_lowercase());
            let number = |s: &str| s.parse::<f64>().ok();
            let cmp = match (number(v), number(want)) {
                (Some(a), Some(b)) => a.partial_cmp(&b),
                _ => Some(lv.cmp(&lw)),
            };
            match op.as_str() {
                "eq" | "ieq" => lv == lw,
                "ne" | "neq" => lv != lw,
                "like" | "ilike" => lv.contains(&lw),
                "nlike" => !lv.contains(&lw),
                "sw" => lv.starts_with(&lw),
                "ew" => lv.ends_with(&lw),
                "gt" => cmp == Some(std::cmp::Ordering::Greater),
                "ge" => cmp.is_some_and(|c| c != std::cmp::Ordering::Less),
                "lt" => cmp == Some(std::cmp::Ordering::Less),
                "le" => cmp.is_some_and(|c| c != std::cmp::Ordering::Greater),
                "in" => lw.split(';').any(|x| x == lv),
                "!null" => true,
                _ => false,
            }
        })
    }
}

/// What to export and how to select it (DHIS2's query parameters).
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct ExportQuery {
    /// What is exported.
    pub kind: TrackerType,
    /// `events`/`trackedEntities`/`enrollments` (or the UID of a single object): only these.
    pub uids: Vec<Uid>,
    /// Relationships only: the object whose relationships are listed (`trackedEntity=`,
    /// `enrollment=`, `event=`).
    pub relationships_of: Option<ItemRef>,
    /// `program` (UID).
    pub program: Option<String>,
    /// `programStage` (UID).
    pub program_stage: Option<String>,
    /// `trackedEntityType` (UID).
    pub tracked_entity_type: Option<String>,
    /// `orgUnit`/`orgUnits` (UIDs).
    pub org_units: Vec<String>,
    /// `orgUnitMode` (default: `SELECTED` with org units, else `ACCESSIBLE`).
    pub org_unit_mode: Option<OrgUnitMode>,
    /// `occurredAfter` (events) / `enrollmentOccurredAfter`.
    pub occurred_after: Option<Timestamp>,
    /// `occurredBefore` (a date alone is the end of that day).
    pub occurred_before: Option<Timestamp>,
    /// `updatedAfter`.
    pub updated_after: Option<Timestamp>,
    /// `status` (events: event status; enrollments and tracked entities: enrollment status).
    pub status: Option<String>,
    /// `followUp`.
    pub follow_up: Option<bool>,
    /// `includeDeleted`.
    pub include_deleted: bool,
    /// `filter`.
    pub filters: Vec<ItemFilter>,
    /// The DHIS2 version whose rules apply (2.43+: `program` is required for events).
    pub version: TrackerVersion,
}

impl ExportQuery {
    /// A query for every object of `kind` (DHIS2's defaults).
    pub fn new(kind: TrackerType) -> ExportQuery {
        ExportQuery {
            kind,
            uids: Vec::new(),
            relationships_of: None,
            program: None,
            program_stage: None,
            tracked_entity_type: None,
            org_units: Vec::new(),
            org_unit_mode: None,
            occurred_after: None,
            occurred_before: None,
            updated_after: None,
            status: None,
            follow_up: None,
            include_deleted: false,
            filters: Vec::new(),
            version: TrackerVersion::default(),
        }
    }

    /// Whether this asks for one object by UID (`GET /api/tracker/events/{uid}`).
    pub fn is_single(&self) -> bool {
        self.uids.len() == 1 && self.kind != TrackerType::Relationship
    }
}

/// Why DHIS2 would not answer the query.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ExportError {
    /// HTTP 400, with DHIS2's message.
    #[error("{0}")]
    BadRequest(String),
    /// HTTP 404 for a single object (`Event with id X could not be found.`).
    #[error("{0}")]
    NotFound(String),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] TrackerStoreError),
    /// The metadata could not be read.
    #[error(transparent)]
    Catalogue(#[from] CatalogueError),
}

fn bad(message: impl Into<String>) -> ExportError {
    ExportError::BadRequest(message.into())
}

/// DHIS2's checks of the parameters (before anything is read).
pub fn check(query: &ExportQuery) -> Result<OrgUnitMode, ExportError> {
    if query.kind == TrackerType::Relationship {
        if query.relationships_of.is_none() && query.uids.is_empty() {
            return Err(bad(
                "Missing required parameter 'trackedEntity', 'enrollment' or 'event'.",
            ));
        }
        return Ok(OrgUnitMode::All);
    }
    let has_units = !query.org_units.is_empty();
    let mode = match query.org_unit_mode {
        Some(m) => m,
        None if has_units => OrgUnitMode::Selected,
        None => OrgUnitMode::Accessible,
    };
    let needs_units = matches!(
        mode,
        OrgUnitMode::Selected | OrgUnitMode::Children | OrgUnitMode::Descendants
    );
    let te_without_units = query.kind == TrackerType::TrackedEntity && !query.uids.is_empty();
    if needs_units && !has_units && !te_without_units {
        return Err(bad(format!(
            "At least one org unit is required for orgUnitMode: {}. Please add an orgUnit or \
             use a different orgUnitMode.",
            mode.param_name()
        )));
    }
    if !needs_units && has_units {
        return Err(bad(format!(
            "orgUnitMode {} cannot be used with orgUnits. Please remove the orgUnit parameter \
             and try again.",
            mode.param_name()
        )));
    }
    if query.kind == TrackerType::TrackedEntity {
        match (&query.program, &query.tracked_entity_type) {
            (Some(_), Some(_)) => {
                return Err(bad(
                    "Paramter `program` and `trackedEntityType` cannot be specified \
                     simultaneously",
                ))
            }
            (None, None) if query.uids.is_empty() => {
                return Err(bad(
                    "Either `program`, `trackedEntityType` or `trackedEntities` should be \
                     specified",
                ))
            }
            _ => {}
        }
    }
    if query.kind == TrackerType::Event
        && query.version >= TrackerVersion::V2_43
        && query.program.is_none()
    {
        return Err(bad("Program is mandatory"));
    }
    Ok(mode)
}

/// The org units a query selects (`None`: all).
fn scope(pre: &Preheat, query: &ExportQuery, mode: OrgUnitMode) -> Option<HashSet<String>> {
    let roots: HashSet<&str> = query.org_units.iter().map(String::as_str).collect();
    match mode {
        OrgUnitMode::Accessible | OrgUnitMode::Capture | OrgUnitMode::All => None,
        OrgUnitMode::Selected => Some(roots.iter().map(|s| (*s).to_owned()).collect()),
        OrgUnitMode::Children | OrgUnitMode::Descendants => {
            let mut out: HashSet<String> = roots.iter().map(|s| (*s).to_owned()).collect();
            for (uid, ou) in pre.org_units.iter() {
                let inside = if mode == OrgUnitMode::Children {
                    ou.parent.as_deref().is_some_and(|p| roots.contains(p))
                } else {
                    pre.ancestry(uid)
                        .iter()
                        .skip(1)
                        .any(|a| roots.contains(a.as_str()))
                };
                if inside {
                    out.insert(uid.to_owned());
                }
            }
            Some(out)
        }
    }
}

/// Everything of the store, by UID, read once.
#[derive(Default)]
struct All {
    tes: Vec<TrackedEntity>,
    ens: Vec<Enrollment>,
    evs: Vec<Event>,
    rls: Vec<Relationship>,
}

fn load<S: TrackerStore + ?Sized>(store: &mut S) -> Result<All, TrackerStoreError> {
    let mut all = All::default();
    for kind in TrackerType::ALL {
        store.tracker_objects(kind, &mut |o| {
            match o {
                TrackerObject::TrackedEntity(t) => all.tes.push(t),
                TrackerObject::Enrollment(e) => all.ens.push(e),
                TrackerObject::Event(e) => all.evs.push(e),
                TrackerObject::Relationship(r) => all.rls.push(r),
            }
            Ok(())
        })?;
    }
    Ok(all)
}

fn not_found(kind: TrackerType, uid: &Uid) -> ExportError {
    let name = match kind {
        TrackerType::TrackedEntity => "TrackedEntity",
        TrackerType::Enrollment => "Enrollment",
        TrackerType::Event => "Event",
        TrackerType::Relationship => "Relationship",
    };
    ExportError::NotFound(format!("{name} with id {uid} could not be found."))
}

fn links(r: &Relationship, item: &ItemRef) -> bool {
    let single = |i: &Option<RelationshipItem>| i.as_ref().and_then(RelationshipItem::single);
    single(&r.from).as_ref() == Some(item) || single(&r.to).as_ref() == Some(item)
}

/// Runs a query: the objects, ready to write (events carry their enrollment's `followUp` and
/// tracked entity; tracked entities and enrollments carry their children and relationships,
/// which DHIS2's default `fields` leave out).
pub fn export<S: TrackerStore + ?Sized>(
    store: &mut S,
    metadata: &dyn Catalogue,
    query: &ExportQuery,
) -> Result<Vec<TrackerObject>, ExportError> {
    let mode = check(query)?;
    let pre = Preheat::load(metadata, &TrackerIdSchemes::default())?;
    let units = scope(&pre, query, mode);
    let all = load(store)?;
    let deleted_ok = |deleted: bool| query.include_deleted || !deleted;
    let wanted =
        |uid: Option<Uid>| query.uids.is_empty() || uid.is_some_and(|u| query.uids.contains(&u));
    let in_scope = |ou: &str| units.as_ref().is_none_or(|u| u.contains(ou));
    let enrollments: HashMap<Uid, &Enrollment> = all
        .ens
        .iter()
        .filter_map(|e| e.enrollment.map(|u| (u, e)))
        .collect();
    let after = |t: Option<Timestamp>, bound: Option<Timestamp>| {
        bound.is_none_or(|b| t.is_some_and(|t| t >= b))
    };
    let before = |t: Option<Timestamp>, bound: Option<Timestamp>| {
        bound.is_none_or(|b| t.is_some_and(|t| t <= b))
    };
    let relationships_of = |item: ItemRef| -> Vec<Relationship> {
        all.rls
            .iter()
            .filter(|r| deleted_ok(r.deleted) && links(r, &item))
            .cloned()
            .collect()
    };
    let with_event_extras = |e: &Event| -> Event {
        let mut e = e.clone();
        if let Some(en) = e.enrollment.and_then(|u| enrollments.get(&u)) {
            e.follow_up = en.follow_up;
            e.tracked_entity = en.tracked_entity;
        }
        if let Some(uid) = e.event {
            e.relationships = relationships_of(ItemRef::Event(uid));
        }
        e
    };
    let events_of = |en: &Uid| -> Vec<Event> {
        all.evs
            .iter()
            .filter(|e| e.enrollment == Some(*en) && deleted_ok(e.deleted))
            .map(with_event_extras)
            .collect()
    };
    let program_attributes = |program: &str, te: &Option<Uid>| -> Vec<Attribute> {
        let allowed: Vec<&String> = pre
            .programs
            .get(program)
            .map(|p| p.attributes.iter().map(|(a, _)| a).collect())
            .unwrap_or_default();
        all.tes
            .iter()
            .find(|t| t.tracked_entity == *te)
            .map(|t| {
                t.attributes
                    .iter()
                    .filter(|a| allowed.contains(&&a.attribute))
                    .cloned()
                    .collect()
            })
            .unwrap_or_default()
    };
    let with_enrollment_extras = |e: &Enrollment| -> Enrollment {
        let mut e = e.clone();
        if let Some(uid) = e.enrollment {
            e.events = events_of(&uid);
            e.relationships = relationships_of(ItemRef::Enrollment(uid));
        }
        e.attributes = program_attributes(&e.program, &e.tracked_entity);
        e
    };
    let attribute_filters_pass = |attrs: &[Attribute]| {
        query.filters.iter().all(|f| {
            f.matches(
                attrs
                    .iter()
                    .find(|a| a.attribute == f.item)
                    .map(|a| a.value.as_str()),
            )
        })
    };
    let mut out = Vec::new();
    match query.kind {
        TrackerType::Event => {
            for e in &all.evs {
                let en = e.enrollment.and_then(|u| enrollments.get(&u));
                let keep = wanted(e.event)
                    && deleted_ok(e.deleted)
                    && in_scope(&e.org_unit)
                    && query.program.as_ref().is_none_or(|p| &e.program == p)
                    && query
                        .program_stage
                        .as_ref()
                        .is_none_or(|s| &e.program_stage == s)
                    && query.status.as_ref().is_none_or(|s| e.status.name() == s)
                    && query
                        .follow_up
                        .is_none_or(|f| en.is_some_and(|en| en.follow_up == f))
                    && after(e.occurred_at, query.occurred_after)
                    && before(e.occurred_at, query.occurred_before)
                    && after(e.updated_at, query.updated_after)
                    && query.filters.iter().all(|f| {
                        f.matches(
                            e.data_values
                                .iter()
                                .find(|d| d.data_element == f.item)
                                .map(|d| d.value.as_str()),
                        )
                    });
                if keep {
                    out.push(TrackerObject::Event(with_event_extras(e)));
                }
            }
        }
        TrackerType::Enrollment => {
            for e in &all.ens {
                let keep = wanted(e.enrollment)
                    && deleted_ok(e.deleted)
                    && in_scope(&e.org_unit)
                    && query.program.as_ref().is_none_or(|p| &e.program == p)
                    && query.status.as_ref().is_none_or(|s| e.status.name() == s)
                    && query.follow_up.is_none_or(|f| e.follow_up == f)
                    && after(e.updated_at, query.updated_after)
                    && query.tracked_entity_type.as_ref().is_none_or(|t| {
                        all.tes.iter().any(|te| {
                            te.tracked_entity == e.tracked_entity && &te.tracked_entity_type == t
                        })
                    });
                if keep {
                    out.push(TrackerObject::Enrollment(with_enrollment_extras(e)));
                }
            }
        }
        TrackerType::TrackedEntity => {
            for t in &all.tes {
                let Some(uid) = t.tracked_entity else {
                    continue;
                };
                let own: Vec<&Enrollment> = all
                    .ens
                    .iter()
                    .filter(|e| e.tracked_entity == Some(uid) && deleted_ok(e.deleted))
                    .collect();
                let keep = wanted(t.tracked_entity)
                    && deleted_ok(t.deleted)
                    && attribute_filters_pass(&t.attributes)
                    && after(t.updated_at, query.updated_after)
                    && match &query.program {
                        // With a program: enrolled in it; the mode applies to the owner org
                        // unit (here: the enrollment's org unit).
                        Some(p) => own.iter().any(|e| {
                            &e.program == p
                                && in_scope(&e.org_unit)
                                && query.status.as_ref().is_none_or(|s| e.status.name() == s)
                                && query.follow_up.is_none_or(|f| e.follow_up == f)
                                && after(e.occurred_at, query.occurred_after)
                                && before(e.occurred_at, query.occurred_before)
                        }),
                        None => {
                            in_scope(&t.org_unit)
                                && query
                                    .tracked_entity_type
                                    .as_ref()
                                    .is_none_or(|ty| &t.tracked_entity_type == ty)
                        }
                    };
                if keep {
                    let mut t = t.clone();
                    t.enrollments = own.iter().map(|e| with_enrollment_extras(e)).collect();
                    t.relationships = relationships_of(ItemRef::TrackedEntity(uid));
                    out.push(TrackerObject::TrackedEntity(t));
                }
            }
        }
        TrackerType::Relationship => {
            for r in &all.rls {
                let keep = deleted_ok(r.deleted)
                    && (query.uids.is_empty()
                        || r.relationship.is_some_and(|u| query.uids.contains(&u)))
                    && query
                        .relationships_of
                        .as_ref()
                        .is_none_or(|item| links(r, item));
                if keep {
                    out.push(TrackerObject::Relationship(r.clone()));
                }
            }
        }
    }
    if query.is_single() && out.is_empty() {
        if let Some(uid) = query.uids.first() {
            return Err(not_found(query.kind, uid));
        }
    }
    Ok(out)
}

/// The format of an export.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ExportFormat {
    /// JSON: `{"events": […]}` (or the bare object of a single-object request).
    Json,
    /// CSV: events (one row per data value) or tracked entities (one row per attribute).
    Csv,
}

/// Writes an export's objects as DHIS2 does: JSON with `options.fields`, or CSV (events and
/// tracked entities only: DHIS2 offers no CSV of enrollments or relationships).
pub fn write_export<W: Write>(
    out: W,
    kind: TrackerType,
    objects: &mut [TrackerObject],
    single: bool,
    format: ExportFormat,
    options: WriteOptions,
) -> Result<W, crate::Error> {
    match format {
        ExportFormat::Json => {
            let mut w = JsonWriter::new(out, options);
            match objects.first_mut() {
                Some(o) if single => w.write_single(&o.as_item())?,
                _ => {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_unescape_and_match() {
        let f = ItemFilter::parse("kZeSYCgaHTk:eq:Test/,Test").unwrap();
        assert_eq!(f.item, "kZeSYCgaHTk");
        assert!(f.matches(Some("Test,Test")));
        let f = ItemFilter::parse("dIVt4l5vIOa:eq:Test/:Test").unwrap();
        assert!(f.matches(Some("test:test")));
        let f = ItemFilter::parse("x:gt:5:lt:10").unwrap();
        assert!(f.matches(Some("7")) && !f.matches(Some("12")));
        assert!(ItemFilter::parse("x:bogus:1").is_err());
    }

    #[test]
    fn org_unit_mode_rules() {
        let mut q = ExportQuery::new(TrackerType::Event);
        q.org_unit_mode = Some(OrgUnitMode::Descendants);
        assert_eq!(
            check(&q).unwrap_err().to_string(),
            "At least one org unit is required for orgUnitMode: DESCENDANTS. Please add an \
             orgUnit or use a different orgUnitMode."
        );
        q.org_unit_mode = Some(OrgUnitMode::All);
        q.org_units = vec!["O6uvpzGd5pu".into()];
        assert_eq!(
            check(&q).unwrap_err().to_string(),
            "orgUnitMode ALL cannot be used with orgUnits. Please remove the orgUnit parameter \
             and try again."
        );
        let q = ExportQuery::new(TrackerType::TrackedEntity);
        assert!(check(&q)
            .unwrap_err()
            .to_string()
            .starts_with("Either `program`, `trackedEntityType` or `trackedEntities`"));
    }
}
