//! Selecting the objects of a query (the conditions of each kind, the sort keys) and what
//! each exported object carries besides itself (children, relationships, program
//! attributes).

use std::collections::{HashMap, HashSet};

use dxf2_model::Uid;

use super::read::{candidates, Reader};
use super::{after, before, AssignedUserMode, ExportError, ExportQuery, SortKey, Sortable};
use crate::import::Preheat;
use crate::model::{Attribute, Enrollment, Event, ItemRef, TrackedEntity};
use crate::store::{TrackerObject, TrackerStore, TrackerStoreError};
use crate::time::Timestamp;

/// The conditions every kind shares, resolved once.
pub(super) struct Common<'q> {
    pub query: &'q ExportQuery,
    pub units: Option<HashSet<String>>,
    pub updated_since: Option<Timestamp>,
    pub assigned: AssignedUserMode,
    pub acting_user: String,
}

impl Common<'_> {
    pub fn deleted_ok(&self, deleted: bool) -> bool {
        self.query.include_deleted || !deleted
    }

    pub fn in_scope(&self, ou: &str) -> bool {
        self.units.as_ref().is_none_or(|u| u.contains(ou))
    }

    fn updated_ok(&self, t: Option<Timestamp>) -> bool {
        after(t, self.query.updated_after)
            && before(t, self.query.updated_before)
            && after(t, self.updated_since)
    }

    fn status_ok(&self, name: &str) -> bool {
        self.query.status.as_deref().is_none_or(|s| s == name)
    }

    fn assigned_ok(&self, e: &Event) -> bool {
        let user = e.assigned_user.as_ref().filter(|u| !u.is_empty());
        match self.assigned {
            AssignedUserMode::All => true,
            AssignedUserMode::Any => user.is_some(),
            AssignedUserMode::None => user.is_none(),
            AssignedUserMode::Current => {
                user.is_some_and(|u| u.username == self.acting_user || u.uid == self.acting_user)
            }
            AssignedUserMode::Provided => {
                user.is_some_and(|u| self.query.assigned_users.contains(&u.uid))
            }
        }
    }

    fn enrollment_dates_ok(&self, en: Option<&Enrollment>) -> bool {
        let q = self.query;
        let enrolled = en.and_then(|e| e.enrolled_at);
        let occurred = en.and_then(|e| e.occurred_at);
        after(enrolled, q.enrolled_after)
            && before(enrolled, q.enrolled_before)
            && after(occurred, q.enrollment_occurred_after)
            && before(occurred, q.enrollment_occurred_before)
    }
}

fn value_of<'a, T>(
    list: &'a [T],
    item: &str,
    key: impl Fn(&T) -> &str,
    value: impl Fn(&'a T) -> &'a str,
) -> Option<&'a str> {
    list.iter().find(|x| key(x) == item).map(value)
}

fn user_key(u: &Option<crate::model::User>) -> SortKey {
    u.as_ref()
        .map_or(SortKey::Missing, |u| SortKey::text(&u.username))
}

fn event_key(e: &Event, en: Option<&Enrollment>, te: Option<&TrackedEntity>, f: &str) -> SortKey {
    match f {
        "assignedUser" => user_key(&e.assigned_user),
        "assignedUserDisplayName" => e
            .assigned_user
            .as_ref()
            .map_or(SortKey::Missing, |u| SortKey::text(&u.display_name)),
        "attributeOptionCombo" => SortKey::text(&e.attribute_option_combo),
        "completedAt" => SortKey::time(e.completed_at),
        "completedBy" => SortKey::text(&e.completed_by),
        "createdAt" => SortKey::time(e.created_at),
        "createdAtClient" => SortKey::time(e.created_at_client),
        "createdBy" => user_key(&e.created_by),
        "deleted" => SortKey::Bool(e.deleted),
        "enrolledAt" => SortKey::time(en.and_then(|e| e.enrolled_at)),
        "enrollment" => e
            .enrollment
            .map_or(SortKey::Missing, |u| SortKey::text(u.as_str())),
        "enrollmentStatus" => en.map_or(SortKey::Missing, |e| SortKey::text(e.status.name())),
        "event" => e
            .event
            .map_or(SortKey::Missing, |u| SortKey::text(u.as_str())),
        "followUp" => en.map_or(SortKey::Missing, |e| SortKey::Bool(e.follow_up)),
        "occurredAt" => SortKey::time(e.occurred_at),
        "orgUnit" => SortKey::text(&e.org_unit),
        "program" => SortKey::text(&e.program),
        "programStage" => SortKey::text(&e.program_stage),
        "scheduledAt" => SortKey::time(e.scheduled_at),
        "status" => SortKey::text(e.status.name()),
        "storedBy" => SortKey::text(&e.stored_by),
        "trackedEntity" => en
            .and_then(|e| e.tracked_entity)
            .map_or(SortKey::Missing, |u| SortKey::text(u.as_str())),
        "updatedAt" => SortKey::time(e.updated_at),
        "updatedAtClient" => SortKey::time(e.updated_at_client),
        "updatedBy" => user_key(&e.updated_by),
        uid => value_of(&e.data_values, uid, |d| &d.data_element, |d| &d.value)
            .or_else(|| {
                te.and_then(|t| value_of(&t.attributes, uid, |a| &a.attribute, |a| &a.value))
            })
            .map_or(SortKey::Missing, SortKey::text),
    }
}

fn enrollment_key(e: &Enrollment, f: &str) -> SortKey {
    match f {
        "completedAt" => SortKey::time(e.completed_at),
        "createdAt" => SortKey::time(e.created_at),
        "createdAtClient" => SortKey::time(e.created_at_client),
        "enrolledAt" => SortKey::time(e.enrolled_at),
        "enrollment" => e
            .enrollment
            .map_or(SortKey::Missing, |u| SortKey::text(u.as_str())),
        "occurredAt" => SortKey::time(e.occurred_at),
        "updatedAt" => SortKey::time(e.updated_at),
        "updatedAtClient" => SortKey::time(e.updated_at_client),
        _ => SortKey::Missing,
    }
}

fn tracked_entity_key(
    t: &TrackedEntity,
    own: &[Enrollment],
    program: Option<&str>,
    f: &str,
) -> SortKey {
    match f {
        "createdAt" => SortKey::time(t.created_at),
        "createdAtClient" => SortKey::time(t.created_at_client),
        "enrolledAt" => SortKey::time(
            own.iter()
                .filter(|e| program.is_none_or(|p| e.program == p))
                .filter_map(|e| e.enrolled_at)
                .min(),
        ),
        "inactive" => SortKey::Bool(t.inactive),
        "trackedEntity" => t
            .tracked_entity
            .map_or(SortKey::Missing, |u| SortKey::text(u.as_str())),
        "updatedAt" => SortKey::time(t.updated_at),
        "updatedAtClient" => SortKey::time(t.updated_at_client),
        uid => value_of(&t.attributes, uid, |a| &a.attribute, |a| &a.value)
            .map_or(SortKey::Missing, SortKey::text),
    }
}

pub(super) fn sortable<T>(
    item: T,
    keys: Vec<SortKey>,
    created: Option<Timestamp>,
    uid: Option<Uid>,
) -> Sortable<T> {
    Sortable {
        keys,
        created,
        uid: uid.map(|u| u.to_string()).unwrap_or_default(),
        item,
    }
}

pub(super) fn select_events<S: TrackerStore + ?Sized>(
    r: &mut Reader<'_, S>,
    c: &Common<'_>,
) -> Result<Vec<Sortable<TrackerObject>>, ExportError> {
    let q = c.query;
    let list: Vec<Event> = candidates(r.store, &q.uids, |e: &Event| {
        c.deleted_ok(e.deleted)
            && c.in_scope(&e.org_unit)
            && q.program.as_ref().is_none_or(|p| &e.program == p)
            && q.program_stage
                .as_ref()
                .is_none_or(|s| &e.program_stage == s)
            && c.status_ok(e.status.name())
            && after(e.occurred_at, q.occurred_after)
            && before(e.occurred_at, q.occurred_before)
            && after(e.scheduled_at, q.scheduled_after)
            && before(e.scheduled_at, q.scheduled_before)
            && c.updated_ok(e.updated_at)
            && c.assigned_ok(e)
            && q.filters.iter().all(|f| {
                f.matches(value_of(
                    &e.data_values,
                    &f.item,
                    |d| &d.data_element,
                    |d| &d.value,
                ))
            })
    })?;
    let needs_enrollment = q.follow_up.is_some()
        || q.enrolled_after.is_some()
        || q.enrolled_before.is_some()
        || q.enrollment_occurred_after.is_some()
        || q.enrollment_occurred_before.is_some()
        || !q.order.is_empty();
    if needs_enrollment {
        let uids: HashSet<Uid> = list.iter().filter_map(|e| e.enrollment).collect();
        r.prefetch_enrollments(&uids)?;
    }
    let mut out = Vec::with_capacity(list.len());
    for e in list {
        let en = if needs_enrollment {
            r.enrollment(e.enrollment)?.cloned()
        } else {
            None
        };
        let keep = q
            .follow_up
            .is_none_or(|f| en.as_ref().is_some_and(|en| en.follow_up == f))
            && c.enrollment_dates_ok(en.as_ref());
        if !keep {
            continue;
        }
        let needs_te = q.order.iter().any(|o| Uid::parse(&o.field).is_ok());
        let te = if needs_te {
            r.tracked_entity(en.as_ref().and_then(|en| en.tracked_entity))?
                .cloned()
        } else {
            None
        };
        let keys = q
            .order
            .iter()
            .map(|o| event_key(&e, en.as_ref(), te.as_ref(), &o.field))
            .collect();
        let (created, uid) = (e.created_at, e.event);
        out.push(sortable(TrackerObject::Event(e), keys, created, uid));
    }
    Ok(out)
}

pub(super) fn select_enrollments<S: TrackerStore + ?Sized>(
    r: &mut Reader<'_, S>,
    c: &Common<'_>,
) -> Result<Vec<Sortable<TrackerObject>>, ExportError> {
    let q = c.query;
    // An enrollment without tracked entity is the hidden one of an event program.
    let list: Vec<Enrollment> = candidates(r.store, &q.uids, |e: &Enrollment| {
        e.tracked_entity.is_some()
            && c.deleted_ok(e.deleted)
            && c.in_scope(&e.org_unit)
            && q.program.as_ref().is_none_or(|p| &e.program == p)
            && c.status_ok(e.status.name())
            && q.follow_up.is_none_or(|f| e.follow_up == f)
            && c.updated_ok(e.updated_at)
            && after(e.enrolled_at, q.enrolled_after)
            && before(e.enrolled_at, q.enrolled_before)
    })?;
    let mut out = Vec::with_capacity(list.len());
    for e in list {
        if let Some(t) = &q.tracked_entity_type {
            let ok = r
                .tracked_entity(e.tracked_entity)?
                .is_some_and(|te| &te.tracked_entity_type == t);
            if !ok {
                continue;
            }
        }
        let keys = q
            .order
            .iter()
            .map(|o| enrollment_key(&e, &o.field))
            .collect();
        let (created, uid) = (e.created_at, e.enrollment);
        out.push(sortable(TrackerObject::Enrollment(e), keys, created, uid));
    }
    Ok(out)
}

pub(super) fn select_tracked_entities<S: TrackerStore + ?Sized>(
    r: &mut Reader<'_, S>,
    c: &Common<'_>,
) -> Result<Vec<Sortable<TrackerObject>>, ExportError> {
    let q = c.query;
    let list: Vec<TrackedEntity> = candidates(r.store, &q.uids, |t: &TrackedEntity| {
        t.tracked_entity.is_some()
            && c.deleted_ok(t.deleted)
            && c.updated_ok(t.updated_at)
            && q.filters.iter().all(|f| {
                f.matches(value_of(
                    &t.attributes,
                    &f.item,
                    |a| &a.attribute,
                    |a| &a.value,
                ))
            })
            && (q.program.is_some()
                || (c.in_scope(&t.org_unit)
                    && q.tracked_entity_type
                        .as_ref()
                        .is_none_or(|ty| &t.tracked_entity_type == ty)))
    })?;
    let by_te = if q.program.is_some() || !q.order.is_empty() || c.assigned != AssignedUserMode::All
    {
        r.enrollments_by_te()?
    } else {
        HashMap::new()
    };
    let events = if c.assigned != AssignedUserMode::All {
        r.events_by_enrollment()?
    } else {
        HashMap::new()
    };
    let no_enrollments: Vec<Enrollment> = Vec::new();
    let mut out = Vec::with_capacity(list.len());
    for t in list {
        let Some(uid) = t.tracked_entity else {
            continue;
        };
        let own: &[Enrollment] = by_te.get(&uid).unwrap_or(&no_enrollments);
        let own: Vec<&Enrollment> = own.iter().filter(|e| c.deleted_ok(e.deleted)).collect();
        let in_program = |e: &&&Enrollment| q.program.as_ref().is_none_or(|p| &e.program == p);
        let keep = match &q.program {
            // With a program: enrolled in it; the mode applies to the owner org unit (here:
            // the enrollment's org unit).
            Some(_) => own.iter().filter(in_program).any(|e| {
                c.in_scope(&e.org_unit)
                    && c.status_ok(e.status.name())
                    && q.follow_up.is_none_or(|f| e.follow_up == f)
                    && after(e.occurred_at, q.occurred_after)
                    && before(e.occurred_at, q.occurred_before)
                    && c.enrollment_dates_ok(Some(e))
            }),
            None => true,
        } && (c.assigned == AssignedUserMode::All
            || own.iter().filter(in_program).any(|e| {
                e.enrollment
                    .and_then(|u| events.get(&u))
                    .is_some_and(|list| list.iter().any(|ev| !ev.deleted && c.assigned_ok(ev)))
            }));
        if !keep {
            continue;
        }
        let owned: Vec<Enrollment> = own.into_iter().cloned().collect();
        let keys = q
            .order
            .iter()
            .map(|o| tracked_entity_key(&t, &owned, q.program.as_deref(), &o.field))
            .collect();
        let created = t.created_at;
        out.push(sortable(
            TrackerObject::TrackedEntity(t),
            keys,
            created,
            Some(uid),
        ));
    }
    Ok(out)
}

/// The program attributes of an enrollment: its tracked entity's values of the program's
/// attributes.
fn program_attributes<S: TrackerStore + ?Sized>(
    r: &mut Reader<'_, S>,
    pre: &Preheat,
    e: &Enrollment,
) -> Result<Vec<Attribute>, TrackerStoreError> {
    let allowed: Vec<&String> = pre
        .programs
        .get(&e.program)
        .map(|p| p.attributes.iter().map(|(a, _)| a).collect())
        .unwrap_or_default();
    Ok(r.tracked_entity(e.tracked_entity)?
        .map(|t| {
            t.attributes
                .iter()
                .filter(|a| allowed.contains(&&a.attribute))
                .cloned()
                .collect()
        })
        .unwrap_or_default())
}

fn event_extras<S: TrackerStore + ?Sized>(
    r: &mut Reader<'_, S>,
    c: &Common<'_>,
    e: &mut Event,
) -> Result<(), TrackerStoreError> {
    if let Some(en) = r.enrollment(e.enrollment)? {
        e.follow_up = en.follow_up;
        e.tracked_entity = en.tracked_entity;
    }
    if let (Some(uid), true) = (e.event, c.query.with_relationships) {
        e.relationships = r.relationships_of(ItemRef::Event(uid), c.query.include_deleted)?;
    }
    Ok(())
}

fn enrollment_extras<S: TrackerStore + ?Sized>(
    r: &mut Reader<'_, S>,
    c: &Common<'_>,
    pre: &Preheat,
    e: &mut Enrollment,
) -> Result<(), TrackerStoreError> {
    if let Some(uid) = e.enrollment {
        if c.query.with_children {
            let mut events = r.events_by_enrollment()?.remove(&uid).unwrap_or_default();
            events.retain(|ev| c.deleted_ok(ev.deleted));
            for ev in &mut events {
                event_extras(r, c, ev)?;
            }
            e.events = events;
        }
        if c.query.with_relationships {
            e.relationships =
                r.relationships_of(ItemRef::Enrollment(uid), c.query.include_deleted)?;
        }
    }
    e.attributes = program_attributes(r, pre, e)?;
    Ok(())
}

/// What an exported object carries besides itself.
pub(super) fn attach<S: TrackerStore + ?Sized>(
    r: &mut Reader<'_, S>,
    c: &Common<'_>,
    pre: &Preheat,
    o: &mut TrackerObject,
) -> Result<(), TrackerStoreError> {
    match o {
        TrackerObject::Event(e) => event_extras(r, c, e),
        TrackerObject::Enrollment(e) => enrollment_extras(r, c, pre, e),
        TrackerObject::TrackedEntity(t) => {
            let Some(uid) = t.tracked_entity else {
                return Ok(());
            };
            if c.query.with_children {
                let mut own = r.enrollments_by_te()?.remove(&uid).unwrap_or_default();
                own.retain(|e| c.deleted_ok(e.deleted));
                for e in &mut own {
                    enrollment_extras(r, c, pre, e)?;
                }
                t.enrollments = own;
            }
            if c.query.with_relationships {
                t.relationships =
                    r.relationships_of(ItemRef::TrackedEntity(uid), c.query.include_deleted)?;
            }
            Ok(())
        }
        TrackerObject::Relationship(_) => Ok(()),
    }
}
