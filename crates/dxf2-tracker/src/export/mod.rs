//! The tracker export (`GET /api/tracker/events`, `/trackedEntities`, `/enrollments`,
//! `/relationships`, spec §12): a [`ExportQuery`] checked with DHIS2's rules and messages, run
//! against a [`TrackerStore`], and the result written as DHIS2's export documents (JSON with
//! any `fields` and the pager of a paged request, events CSV, tracked entity CSV).
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
//! let page = export(&mut store, &metadata, &query).unwrap();
//! assert_eq!(page.len(), 1);
//! // DHIS2's default: paged, page 1 of 50.
//! assert_eq!(page.pager.map(|p| (p.page, p.page_size)), Some((1, 50)));
//! query.org_unit_mode = Some(OrgUnitMode::Selected);
//! assert_eq!(export(&mut store, &metadata, &query).unwrap().len(), 0);
//! ```
//!
//! Acting as a superuser: `ACCESSIBLE` and `CAPTURE` (the default without org units) are
//! every org unit, as they are for DHIS2's superuser.
//!
//! Reading the store: objects asked for by UID, and the enrollments and tracked entities the
//! selected objects name, are read by key ([`TrackerStore::tracker_object`]); a kind is read
//! whole only when the query needs it (a collection without UIDs, a tracked entity's
//! enrollments, relationships when the fields ask for them). The store's records are keyed
//! by UID only, so `program` and `orgUnit` filters still read every object of the kind.
//!
//! Event programs: the enrollment DHIS2 keeps per program without registration (see
//! [`crate::import`]) is hidden, as in DHIS2: it has no tracked entity, so no enrollment or
//! tracked entity export shows it; an event of such a program names it in `enrollment`, as
//! DHIS2 2.41–2.42 write it.
//!
//! Not reproduced: the pager's `prevPage`/`nextPage` (links to the server's URL, which an
//! offline file has not); `filterAttributes`, `attributeCategoryCombo`/`Options`,
//! `potentialDuplicate`, `eventStatus`/`eventOccurred*` on tracked entities.

mod filter;
mod id_schemes;
mod order;
mod params;
mod read;
mod select;
mod write;

use std::collections::HashSet;

use dxf2_metadata::catalogue::{Catalogue, CatalogueError};
use dxf2_model::Uid;

use crate::import::{ParamEnum, Preheat, TrackerIdSchemes};
use crate::json::Pager;
use crate::model::{ItemRef, Relationship, RelationshipItem, TrackerType};
use crate::options::TrackerVersion;
use crate::store::{TrackerObject, TrackerStore, TrackerStoreError};
use crate::time::Timestamp;

pub use filter::ItemFilter;
pub use id_schemes::MISSING_IDENTIFIER;
pub use order::{
    check_order, orderable, parse_order, sort_by_order, Direction, Order, SortKey, Sortable,
    ENROLLMENT_ORDER_FIELDS, EVENT_ORDER_FIELDS, RELATIONSHIP_ORDER_FIELDS,
    TRACKED_ENTITY_ORDER_FIELDS,
};
pub use params::{assigned_user_mode, parse_duration, AssignedUserMode, Paging, DEFAULT_PAGE_SIZE};
pub use write::{write_export, ExportFormat};

use read::{candidates, Reader};
use select::{
    attach, select_enrollments, select_events, select_tracked_entities, sortable, Common,
};

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
    /// `occurredAfter` (events) / `enrollmentOccurredAfter` (tracked entities).
    pub occurred_after: Option<Timestamp>,
    /// `occurredBefore` (a date alone is the end of that day).
    pub occurred_before: Option<Timestamp>,
    /// `scheduledAfter` (events).
    pub scheduled_after: Option<Timestamp>,
    /// `scheduledBefore` (events).
    pub scheduled_before: Option<Timestamp>,
    /// `enrollmentEnrolledAfter` (events, tracked entities) / `enrolledAfter` (enrollments).
    pub enrolled_after: Option<Timestamp>,
    /// `enrollmentEnrolledBefore` / `enrolledBefore`.
    pub enrolled_before: Option<Timestamp>,
    /// `enrollmentOccurredAfter` (events, tracked entities).
    pub enrollment_occurred_after: Option<Timestamp>,
    /// `enrollmentOccurredBefore` (events, tracked entities).
    pub enrollment_occurred_before: Option<Timestamp>,
    /// `updatedAfter`.
    pub updated_after: Option<Timestamp>,
    /// `updatedBefore`.
    pub updated_before: Option<Timestamp>,
    /// `updatedWithin` (`10m`, `2h`, `1d`, `30s`), counted back from [`ExportQuery::now`].
    pub updated_within: Option<String>,
    /// `assignedUserMode` (events; tracked entities: one of their events).
    pub assigned_user_mode: Option<AssignedUserMode>,
    /// `assignedUsers` (user UIDs).
    pub assigned_users: Vec<String>,
    /// The acting user (`CURRENT`): a username or UID (default `admin`).
    pub user: Option<String>,
    /// `status` (events: event status; enrollments and tracked entities: enrollment status).
    pub status: Option<String>,
    /// `followUp`.
    pub follow_up: Option<bool>,
    /// `includeDeleted`.
    pub include_deleted: bool,
    /// `filter`.
    pub filters: Vec<ItemFilter>,
    /// `order` (default: newest first).
    pub order: Vec<Order>,
    /// `page`, `pageSize`, `totalPages`, `paging` (default: DHIS2's, page 1 of 50).
    pub paging: Paging,
    /// The id schemes of the exported metadata (events and tracked entities).
    pub id_schemes: TrackerIdSchemes,
    /// Whether nested children are attached (a tracked entity's enrollments, an
    /// enrollment's events): only when the fields written ask for them (default `true`).
    pub with_children: bool,
    /// Whether each object's relationships are attached (default `true`).
    pub with_relationships: bool,
    /// "Now", for `updatedWithin` (default: the clock).
    pub now: Option<Timestamp>,
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
            scheduled_after: None,
            scheduled_before: None,
            enrolled_after: None,
            enrolled_before: None,
            enrollment_occurred_after: None,
            enrollment_occurred_before: None,
            updated_after: None,
            updated_before: None,
            updated_within: None,
            assigned_user_mode: None,
            assigned_users: Vec::new(),
            user: None,
            status: None,
            follow_up: None,
            include_deleted: false,
            filters: Vec::new(),
            order: Vec::new(),
            paging: Paging::default(),
            id_schemes: TrackerIdSchemes::default(),
            with_children: true,
            with_relationships: true,
            now: None,
            version: TrackerVersion::default(),
        }
    }

    /// Whether this asks for one object by UID (`GET /api/tracker/events/{uid}`).
    pub fn is_single(&self) -> bool {
        self.uids.len() == 1 && self.kind != TrackerType::Relationship
    }
}

/// The answer to a query: the objects of the page, and the pager (`None` with
/// `paging=false` or for a single object).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Exported {
    /// The objects, in order, ready to write.
    pub objects: Vec<TrackerObject>,
    /// The pager of a paged request.
    pub pager: Option<Pager>,
}

impl Exported {
    /// How many objects.
    pub fn len(&self) -> usize {
        self.objects.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.objects.is_empty()
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
    /// HTTP 422: metadata without an identifier in the requested id scheme
    /// ([`MISSING_IDENTIFIER`]); `details` is DHIS2's `devMessage` list.
    #[error("{message}")]
    Unprocessable {
        /// DHIS2's message.
        message: String,
        /// What lacks an identifier: `Class[SCHEME]=uid,…`.
        details: String,
    },
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
    check_more(query)?;
    Ok(mode)
}

/// The checks of the parameters added to the basic ones (paging, order, `updatedWithin`,
/// assigned users, the tracked entity rules), in DHIS2's order and with its messages.
fn check_more(query: &ExportQuery) -> Result<(), ExportError> {
    let param = |e: crate::import::ParamError| ExportError::BadRequest(e.message);
    if query.kind == TrackerType::Event && !query.uids.is_empty() && !query.filters.is_empty() {
        return Err(bad(
            "Event UIDs and filters can not be specified at the same time",
        ));
    }
    if query.kind == TrackerType::TrackedEntity {
        // DHIS2 keeps the last violation found.
        let mut violation = None;
        if query.program.is_none() {
            let rules = [
                (
                    query.enrolled_after.is_some(),
                    "Program must be defined when program enrollment start date is specified",
                ),
                (
                    query.enrolled_before.is_some(),
                    "Program must be defined when program enrollment end date is specified",
                ),
                (
                    query.enrollment_occurred_after.is_some(),
                    "Program must be defined when program incident start date is specified",
                ),
                (
                    query.enrollment_occurred_before.is_some(),
                    "Program must be defined when program incident end date is specified",
                ),
            ];
            for (broken, message) in rules {
                if broken {
                    violation = Some(message.to_owned());
                }
            }
        }
        if let Some(v) = violation {
            return Err(bad(v));
        }
    }
    if let Some(within) = &query.updated_within {
        if query.updated_after.is_some() || query.updated_before.is_some() {
            return Err(bad(
                "Last updated from and/or to and last updated duration cannot be specified \
                 simultaneously",
            ));
        }
        if parse_duration(within).is_none() {
            return Err(bad(format!("Duration is not valid: {within}")));
        }
    }
    check_order(query.kind, &query.order).map_err(param)?;
    if !query.is_single() {
        query.paging.check().map_err(param)?;
    }
    if matches!(query.kind, TrackerType::Event | TrackerType::TrackedEntity) {
        assigned_user_mode(query.assigned_user_mode, &query.assigned_users).map_err(param)?;
    }
    Ok(())
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

fn not_found(kind: TrackerType, uid: &Uid) -> ExportError {
    let name = match kind {
        TrackerType::TrackedEntity => "TrackedEntity",
        TrackerType::Enrollment => "Enrollment",
        TrackerType::Event => "Event",
        TrackerType::Relationship => "Relationship",
    };
    ExportError::NotFound(format!("{name} with id {uid} could not be found."))
}

pub(crate) fn links(r: &Relationship, item: &ItemRef) -> bool {
    let single = |i: &Option<RelationshipItem>| i.as_ref().and_then(RelationshipItem::single);
    single(&r.from).as_ref() == Some(item) || single(&r.to).as_ref() == Some(item)
}

pub(crate) fn after(t: Option<Timestamp>, bound: Option<Timestamp>) -> bool {
    bound.is_none_or(|b| t.is_some_and(|t| t >= b))
}

pub(crate) fn before(t: Option<Timestamp>, bound: Option<Timestamp>) -> bool {
    bound.is_none_or(|b| t.is_some_and(|t| t <= b))
}

/// Runs a query: the page of objects, ready to write (events carry their enrollment's
/// `followUp` and tracked entity; tracked entities and enrollments carry their children and
/// relationships when asked for), and its pager.
pub fn export<S: TrackerStore + ?Sized>(
    store: &mut S,
    metadata: &dyn Catalogue,
    query: &ExportQuery,
) -> Result<Exported, ExportError> {
    let mode = check(query)?;
    let pre = Preheat::load(metadata, &query.id_schemes)?;
    let now = query
        .now
        .unwrap_or_else(|| Timestamp::from_utc(chrono::Utc::now().naive_utc()));
    let common = Common {
        query,
        units: scope(&pre, query, mode),
        updated_since: query
            .updated_within
            .as_deref()
            .and_then(parse_duration)
            .map(|d| Timestamp::from_utc(now.utc() - d)),
        assigned: assigned_user_mode(query.assigned_user_mode, &query.assigned_users)
            .unwrap_or(AssignedUserMode::All),
        acting_user: query.user.clone().unwrap_or_else(|| "admin".to_owned()),
    };
    let c = &common;
    let mut r = Reader::new(store);
    let mut sorted: Vec<Sortable<TrackerObject>> = match query.kind {
        TrackerType::Event => select_events(&mut r, c)?,
        TrackerType::Enrollment => select_enrollments(&mut r, c)?,
        TrackerType::TrackedEntity => select_tracked_entities(&mut r, c)?,
        TrackerType::Relationship => {
            let list: Vec<Relationship> = candidates(r.store, &query.uids, |rl: &Relationship| {
                c.deleted_ok(rl.deleted)
                    && query
                        .relationships_of
                        .as_ref()
                        .is_none_or(|item| links(rl, item))
            })?;
            list.into_iter()
                .map(|rl| {
                    let keys = query
                        .order
                        .iter()
                        .map(|o| match o.field.as_str() {
                            "createdAt" => SortKey::time(rl.created_at),
                            "createdAtClient" => SortKey::time(rl.created_at_client),
                            _ => SortKey::Missing,
                        })
                        .collect();
                    let (created, uid) = (rl.created_at, rl.relationship);
                    sortable(TrackerObject::Relationship(rl), keys, created, uid)
                })
                .collect()
        }
    };
    if query.is_single() && sorted.is_empty() {
        if let Some(uid) = query.uids.first() {
            return Err(not_found(query.kind, uid));
        }
    }
    sort_by_order(&mut sorted, &query.order);
    let paging = if query.is_single() {
        Paging::unpaged()
    } else {
        query.paging
    };
    let (range, pager) = paging.page_of(sorted.len());
    let mut objects: Vec<TrackerObject> = sorted
        .into_iter()
        .skip(range.start)
        .take(range.len())
        .map(|s| s.item)
        .collect();
    for o in &mut objects {
        attach(&mut r, c, &pre, o)?;
    }
    let missing = id_schemes::apply(&pre, &mut objects);
    if !missing.is_empty() {
        return Err(ExportError::Unprocessable {
            message: MISSING_IDENTIFIER.to_owned(),
            details: missing.details(),
        });
    }
    Ok(Exported { objects, pager })
}

#[cfg(test)]
mod tests {
    use super::*;

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
