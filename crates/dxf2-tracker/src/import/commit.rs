//! Persisting (spec §6.1 step 9): the valid objects made into stored objects (metadata as
//! UIDs, server dates, the user), merged with what is stored (attributes, data values, notes),
//! written in one transaction; deletion is DHIS2's soft deletion with its cascade.

use std::collections::{HashMap, HashSet};

use dxf2_model::{Phase, Progress, Uid};

use super::context::{Action, Context};
use super::relationships::ends;
use super::report::{ObjectReport, Stats, TypeReport};
use super::validate::effective_status;
use crate::flatten::UidSource;
use crate::model::{
    Attribute, DataValue, Enrollment, EnrollmentStatus, Event, EventStatus, ItemRef, Note,
    Relationship, RelationshipItem, TrackedEntity, TrackerType, User,
};
use crate::store::{TrackerObject, TrackerStore, TrackerStoreError};
use dxf2_model::progress::PhaseCounter as Counter;

/// The objects to write, in order, and what the report says about them.
#[derive(Default)]
struct Plan {
    writes: Vec<TrackerObject>,
    /// Hidden enrollments made for event programs: (program, enrollment).
    hidden: Vec<(String, Uid)>,
    at: HashMap<(TrackerType, Uid), usize>,
    reports: HashMap<TrackerType, TypeReport>,
}

impl Plan {
    fn put(&mut self, object: TrackerObject) {
        let Some(uid) = object.uid() else { return };
        let key = (object.kind(), uid);
        match self.at.get(&key) {
            Some(i) => {
                if let Some(slot) = self.writes.get_mut(*i) {
                    *slot = object;
                }
            }
            None => {
                self.at.insert(key, self.writes.len());
                self.writes.push(object);
            }
        }
    }

    fn written(&self, kind: TrackerType, uid: &Uid) -> Option<&TrackerObject> {
        self.at.get(&(kind, *uid)).and_then(|i| self.writes.get(*i))
    }

    fn count(&mut self, kind: TrackerType, uid: Uid, action: Action) {
        let report = self.reports.entry(kind).or_default();
        match action {
            Action::Create => report.stats.created += 1,
            Action::Update => report.stats.updated += 1,
            Action::Delete => report.stats.deleted += 1,
        }
        report.object_reports.push(ObjectReport {
            uid: uid.to_string(),
        });
    }
}

fn user(cx: &Context<'_>) -> User {
    let username = cx.params.username();
    let uid = cx
        .pre
        .user(username, "")
        .map(|u| u.uid.clone())
        .unwrap_or_default();
    User {
        uid,
        username: username.to_owned(),
        ..User::default()
    }
}

fn resolved(uid: Option<String>, raw: &str) -> String {
    uid.unwrap_or_else(|| raw.to_owned())
}

fn merge_attributes(cx: &Context<'_>, target: &mut Vec<Attribute>, incoming: &[Attribute]) {
    for a in incoming {
        let Some((uid, meta)) = cx.pre.attributes.resolve(&a.attribute) else {
            continue;
        };
        let at = target.iter().position(|t| t.attribute == uid);
        if a.value.is_empty() {
            if let Some(i) = at {
                target.remove(i);
            }
            continue;
        }
        match at.and_then(|i| target.get_mut(i)) {
            Some(t) => {
                t.value = a.value.clone();
                t.updated_at = Some(cx.now);
                t.stored_by = cx.params.username().to_owned();
            }
            None => target.push(Attribute {
                attribute: uid.to_owned(),
                code: String::new(),
                display_name: cx.pre.attributes.name(uid).to_owned(),
                created_at: Some(cx.now),
                updated_at: Some(cx.now),
                stored_by: cx.params.username().to_owned(),
                value_type: Some(meta.value_type),
                value: a.value.clone(),
            }),
        }
    }
}

fn merge_notes(cx: &Context<'_>, target: &mut Vec<Note>, incoming: &[Note]) {
    let existing = &cx.stored_notes;
    for n in incoming {
        if n.value.is_empty() || n.note.is_some_and(|u| existing.contains(&u)) {
            continue;
        }
        target.push(Note {
            note: n.note.or_else(|| Some(Uid::generate())),
            stored_at: Some(cx.now),
            value: n.value.clone(),
            created_by: Some(user(cx)),
            stored_by: cx.params.username().to_owned(),
        });
    }
}

fn merge_data_values(cx: &Context<'_>, target: &mut Vec<DataValue>, incoming: &[DataValue]) {
    for dv in incoming {
        let de = resolved(
            cx.pre.data_elements.uid_of(&dv.data_element),
            &dv.data_element,
        );
        let at = target.iter().position(|t| t.data_element == de);
        if dv.value.is_empty() {
            if let Some(i) = at {
                target.remove(i);
            }
            continue;
        }
        match at.and_then(|i| target.get_mut(i)) {
            Some(t) => {
                t.value = dv.value.clone();
                t.provided_elsewhere = dv.provided_elsewhere;
                t.updated_at = Some(cx.now);
                t.updated_by = Some(user(cx));
                t.stored_by = cx.params.username().to_owned();
            }
            None => target.push(DataValue {
                created_at: Some(cx.now),
                updated_at: Some(cx.now),
                stored_by: cx.params.username().to_owned(),
                provided_elsewhere: dv.provided_elsewhere,
                data_element: de,
                value: dv.value.clone(),
                created_by: Some(user(cx)),
                updated_by: Some(user(cx)),
            }),
        }
    }
}

fn tracked_entity(
    cx: &Context<'_>,
    te: &TrackedEntity,
    stored: Option<&TrackedEntity>,
) -> TrackedEntity {
    let mut out = stored.cloned().unwrap_or_default();
    out.tracked_entity = te.tracked_entity;
    out.tracked_entity_type = resolved(
        cx.pre.tracked_entity_types.uid_of(&te.tracked_entity_type),
        &te.tracked_entity_type,
    );
    out.org_unit = resolved(cx.pre.org_units.uid_of(&te.org_unit), &te.org_unit);
    out.created_at = stored.and_then(|s| s.created_at).or(Some(cx.now));
    out.updated_at = Some(cx.now);
    out.created_at_client = te.created_at_client.or(out.created_at_client);
    out.updated_at_client = te.updated_at_client;
    out.inactive = te.inactive;
    out.potential_duplicate = te.potential_duplicate;
    out.geometry = te.geometry.clone();
    out.stored_by = cx.params.username().to_owned();
    if out.created_by.is_none() {
        out.created_by = Some(user(cx));
    }
    out.updated_by = Some(user(cx));
    out.deleted = false;
    out.enrollments.clear();
    out.relationships.clear();
    out.program_owners.clear();
    merge_attributes(cx, &mut out.attributes, &te.attributes);
    out
}

fn enrollment(cx: &Context<'_>, en: &Enrollment, stored: Option<&Enrollment>) -> Enrollment {
    let mut out = stored.cloned().unwrap_or_default();
    out.enrollment = en.enrollment;
    out.tracked_entity = en.tracked_entity;
    out.program = resolved(cx.pre.programs.uid_of(&en.program), &en.program);
    out.org_unit = resolved(cx.pre.org_units.uid_of(&en.org_unit), &en.org_unit);
    out.status = en.status;
    out.enrolled_at = en.enrolled_at;
    out.occurred_at = en.occurred_at;
    out.follow_up = en.follow_up;
    out.created_at = stored.and_then(|s| s.created_at).or(Some(cx.now));
    out.updated_at = Some(cx.now);
    out.created_at_client = en.created_at_client.or(out.created_at_client);
    out.updated_at_client = en.updated_at_client;
    if matches!(
        en.status,
        EnrollmentStatus::Completed | EnrollmentStatus::Cancelled
    ) {
        if out.completed_at.is_none() || en.completed_at.is_some() {
            out.completed_at = en.completed_at.or(Some(cx.now));
            out.completed_by = cx.params.username().to_owned();
        }
    } else {
        out.completed_at = None;
        out.completed_by.clear();
    }
    out.geometry = en.geometry.clone();
    out.stored_by = cx.params.username().to_owned();
    if out.created_by.is_none() {
        out.created_by = Some(user(cx));
    }
    out.updated_by = Some(user(cx));
    out.deleted = false;
    out.events.clear();
    out.relationships.clear();
    out.attributes.clear();
    merge_notes(cx, &mut out.notes, &en.notes);
    out
}

/// The enrollment DHIS2 keeps for an event program (made with the program by DHIS2's metadata
/// import, `ProgramObjectBundleHook`; here with the program's first event): one per program,
/// no tracked entity and no org unit, `ACTIVE`, stored by `system-process`.
fn hidden_enrollment(cx: &Context<'_>, program: &str, uid: Uid) -> Enrollment {
    Enrollment {
        enrollment: Some(uid),
        program: program.to_owned(),
        status: EnrollmentStatus::Active,
        enrolled_at: Some(cx.now),
        occurred_at: Some(cx.now),
        created_at: Some(cx.now),
        updated_at: Some(cx.now),
        stored_by: "system-process".to_owned(),
        ..Enrollment::default()
    }
}

/// The hidden enrollment of an event program: the stored one, else a new one (planned).
fn event_program_enrollment<S: TrackerStore + ?Sized>(
    cx: &Context<'_>,
    store: &mut S,
    plan: &mut Plan,
    known: &mut HashMap<String, Uid>,
    program: &str,
    uids: &mut dyn UidSource,
) -> Result<Uid, TrackerStoreError> {
    if let Some(uid) = known.get(program) {
        return Ok(*uid);
    }
    let uid = match store.event_program_enrollment(program)? {
        Some(uid) => uid,
        None => {
            let uid = uids.next_uid();
            plan.put(TrackerObject::Enrollment(hidden_enrollment(
                cx, program, uid,
            )));
            plan.hidden.push((program.to_owned(), uid));
            uid
        }
    };
    known.insert(program.to_owned(), uid);
    Ok(uid)
}

fn event(
    cx: &Context<'_>,
    ev: &Event,
    stored: Option<&Event>,
    te: Option<Uid>,
    hidden: Option<Uid>,
) -> Event {
    let mut out = stored.cloned().unwrap_or_default();
    let (program, stage) = cx.event_program_stage(ev);
    let program = program.unwrap_or_else(|| ev.program.clone());
    let registration = cx
        .pre
        .programs
        .get(&program)
        .is_some_and(|p| p.registration);
    out.event = ev.event;
    out.status = effective_status(ev.status);
    out.program_stage = stage.unwrap_or_else(|| ev.program_stage.clone());
    out.enrollment = if registration { ev.enrollment } else { hidden };
    out.tracked_entity = if registration { te } else { None };
    out.org_unit = resolved(cx.pre.org_units.uid_of(&ev.org_unit), &ev.org_unit);
    out.occurred_at = ev.occurred_at;
    out.scheduled_at = ev.scheduled_at;
    match cx.event_aoc(ev, &program) {
        Ok((aoc, options)) => {
            out.attribute_option_combo = aoc;
            out.attribute_category_options = options.join(",");
        }
        Err(_) => {
            out.attribute_option_combo = ev.attribute_option_combo.clone();
            out.attribute_category_options = ev.attribute_category_options.clone();
        }
    }
    out.program = program;
    out.created_at = stored.and_then(|s| s.created_at).or(Some(cx.now));
    out.updated_at = Some(cx.now);
    out.created_at_client = ev.created_at_client.or(out.created_at_client);
    out.updated_at_client = ev.updated_at_client;
    if out.status == EventStatus::Completed {
        if out.completed_at.is_none() || ev.completed_at.is_some() {
            out.completed_at = ev.completed_at.or(Some(cx.now));
            out.completed_by = cx.params.username().to_owned();
        }
    } else {
        out.completed_at = None;
        out.completed_by.clear();
    }
    out.geometry = ev.geometry.clone();
    out.assigned_user = ev
        .assigned_user
        .as_ref()
        .filter(|u| !u.is_empty())
        .map(|u| match cx.pre.user(&u.username, &u.uid) {
            Some(found) => User {
                uid: found.uid.clone(),
                username: found.username.clone(),
                ..User::default()
            },
            None => u.clone(),
        });
    out.stored_by = cx.params.username().to_owned();
    if out.created_by.is_none() {
        out.created_by = Some(user(cx));
    }
    out.updated_by = Some(user(cx));
    out.deleted = false;
    out.relationships.clear();
    merge_data_values(cx, &mut out.data_values, &ev.data_values);
    merge_notes(cx, &mut out.notes, &ev.notes);
    out
}

fn item(r: ItemRef) -> RelationshipItem {
    match r {
        ItemRef::TrackedEntity(u) => RelationshipItem::tracked_entity(u),
        ItemRef::Enrollment(u) => RelationshipItem::enrollment(u),
        ItemRef::Event(u) => RelationshipItem::event(u),
    }
}

fn relationship(cx: &Context<'_>, rl: &Relationship) -> Relationship {
    let type_uid = resolved(
        cx.pre.relationship_types.uid_of(&rl.relationship_type),
        &rl.relationship_type,
    );
    let meta = cx.pre.relationship_types.get(&type_uid);
    let (from, to) = match ends(rl) {
        Some((f, t)) => (Some(item(f)), Some(item(t))),
        None => (rl.from.clone(), rl.to.clone()),
    };
    Relationship {
        relationship: rl.relationship,
        relationship_name: cx.pre.relationship_types.name(&type_uid).to_owned(),
        relationship_type: type_uid,
        created_at: Some(cx.now),
        created_at_client: rl.created_at_client,
        updated_at: Some(cx.now),
        bidirectional: meta.is_some_and(|m| m.bidirectional),
        deleted: false,
        from,
        to,
    }
}

/// Soft-deletes an object and what hangs on it (enrollments and events of a tracked entity,
/// events of an enrollment, relationships linking any of them), as DHIS2 cascades.
fn delete(cx: &Context<'_>, plan: &mut Plan, kind: TrackerType, uid: Uid) {
    let mut gone: Vec<ItemRef> = Vec::new();
    let now = Some(cx.now);
    match kind {
        TrackerType::TrackedEntity => {
            if let Some(te) = cx.existing.tracked_entities.get(&uid) {
                let mut te = te.clone();
                te.deleted = true;
                te.updated_at = now;
                plan.put(TrackerObject::TrackedEntity(te));
            }
            gone.push(ItemRef::TrackedEntity(uid));
            let enrollments: Vec<Uid> = cx
                .existing
                .enrollments
                .values()
                .filter(|e| !e.deleted && e.tracked_entity == Some(uid))
                .filter_map(|e| e.enrollment)
                .collect();
            for en in enrollments {
                delete(cx, plan, TrackerType::Enrollment, en);
            }
        }
        TrackerType::Enrollment => {
            if let Some(en) = cx.existing.enrollments.get(&uid) {
                let mut en = en.clone();
                en.deleted = true;
                en.updated_at = now;
                plan.put(TrackerObject::Enrollment(en));
            }
            gone.push(ItemRef::Enrollment(uid));
            let events: Vec<Uid> = cx
                .existing
                .events
                .values()
                .filter(|e| !e.deleted && e.enrollment == Some(uid))
                .filter_map(|e| e.event)
                .collect();
            for ev in events {
                delete(cx, plan, TrackerType::Event, ev);
            }
        }
        TrackerType::Event => {
            if let Some(ev) = cx.existing.events.get(&uid) {
                let mut ev = ev.clone();
                ev.deleted = true;
                ev.updated_at = now;
                plan.put(TrackerObject::Event(ev));
            }
            gone.push(ItemRef::Event(uid));
        }
        TrackerType::Relationship => {
            if let Some(rl) = cx.existing.relationships.get(&uid) {
                let mut rl = rl.clone();
                rl.deleted = true;
                rl.updated_at = now;
                plan.put(TrackerObject::Relationship(rl));
            }
        }
    }
    for rl in cx.existing.relationships.values() {
        let linked =
            !rl.deleted && ends(rl).is_some_and(|(f, t)| gone.contains(&f) || gone.contains(&t));
        if linked {
            let mut rl = rl.clone();
            rl.deleted = true;
            rl.updated_at = now;
            plan.put(TrackerObject::Relationship(rl));
        }
    }
}

/// Writes the valid objects (those not in `skip`), in one transaction, and gives the type
/// reports.
pub(crate) fn commit<S: TrackerStore + ?Sized>(
    cx: &Context<'_>,
    store: &mut S,
    skip: &HashSet<(TrackerType, Uid)>,
    ignored: &HashSet<Uid>,
    uids: &mut dyn UidSource,
    progress: &mut dyn FnMut(Progress),
) -> Result<Vec<(TrackerType, TypeReport)>, TrackerStoreError> {
    let mut plan = Plan::default();
    let mut hidden: HashMap<String, Uid> = HashMap::new();
    let payload = cx.payload;
    let valid = |kind: TrackerType, uid: Option<Uid>| -> Option<(Uid, Action)> {
        let uid = uid?;
        if skip.contains(&(kind, uid)) {
            return None;
        }
        Some((uid, cx.action(kind, &uid)))
    };
    let deleting = cx.params.import_strategy == super::params::ImportStrategy::Delete;
    if deleting {
        // Children first, so that a cascade from a parent sees them.
        for rl in &payload.relationships {
            if let Some((uid, _)) = valid(TrackerType::Relationship, rl.relationship) {
                delete(cx, &mut plan, TrackerType::Relationship, uid);
                plan.count(TrackerType::Relationship, uid, Action::Delete);
            }
        }
        for ev in &payload.events {
            if let Some((uid, _)) = valid(TrackerType::Event, ev.event) {
                delete(cx, &mut plan, TrackerType::Event, uid);
                plan.count(TrackerType::Event, uid, Action::Delete);
            }
        }
        for en in &payload.enrollments {
            if let Some((uid, _)) = valid(TrackerType::Enrollment, en.enrollment) {
                delete(cx, &mut plan, TrackerType::Enrollment, uid);
                plan.count(TrackerType::Enrollment, uid, Action::Delete);
            }
        }
        for te in &payload.tracked_entities {
            if let Some((uid, _)) = valid(TrackerType::TrackedEntity, te.tracked_entity) {
                delete(cx, &mut plan, TrackerType::TrackedEntity, uid);
                plan.count(TrackerType::TrackedEntity, uid, Action::Delete);
            }
        }
    } else {
        for te in &payload.tracked_entities {
            let Some((uid, action)) = valid(TrackerType::TrackedEntity, te.tracked_entity) else {
                continue;
            };
            let stored = cx.existing.tracked_entities.get(&uid);
            plan.put(TrackerObject::TrackedEntity(tracked_entity(cx, te, stored)));
            plan.count(TrackerType::TrackedEntity, uid, action);
        }
        for en in &payload.enrollments {
            let Some((uid, action)) = valid(TrackerType::Enrollment, en.enrollment) else {
                continue;
            };
            let stored = cx.existing.enrollments.get(&uid);
            plan.put(TrackerObject::Enrollment(enrollment(cx, en, stored)));
            plan.count(TrackerType::Enrollment, uid, action);
            // Program attributes belong to the tracked entity.
            if let (Some(te_uid), false) = (en.tracked_entity, en.attributes.is_empty()) {
                let te = match plan.written(TrackerType::TrackedEntity, &te_uid) {
                    Some(TrackerObject::TrackedEntity(t)) => Some(t.clone()),
                    _ => cx.existing.tracked_entities.get(&te_uid).cloned(),
                };
                if let Some(mut te) = te {
                    merge_attributes(cx, &mut te.attributes, &en.attributes);
                    te.updated_at = Some(cx.now);
                    plan.put(TrackerObject::TrackedEntity(te));
                }
            }
        }
        for ev in &payload.events {
            let Some((uid, action)) = valid(TrackerType::Event, ev.event) else {
                continue;
            };
            let te =
                ev.enrollment
                    .and_then(|en| match plan.written(TrackerType::Enrollment, &en) {
                        Some(TrackerObject::Enrollment(e)) => e.tracked_entity,
                        _ => cx
                            .existing
                            .enrollments
                            .get(&en)
                            .and_then(|e| e.tracked_entity),
                    });
            let program = cx.event_program_stage(ev).0;
            let without_registration = program.as_deref().and_then(|p| {
                cx.pre
                    .programs
                    .get(p)
                    .filter(|meta| !meta.registration)
                    .map(|_| p)
            });
            let hidden_uid = match without_registration {
                Some(p) => Some(event_program_enrollment(
                    cx,
                    store,
                    &mut plan,
                    &mut hidden,
                    p,
                    uids,
                )?),
                None => None,
            };
            let stored = cx.existing.events.get(&uid);
            plan.put(TrackerObject::Event(event(cx, ev, stored, te, hidden_uid)));
            plan.count(TrackerType::Event, uid, action);
        }
        for rl in &payload.relationships {
            let Some((uid, action)) = valid(TrackerType::Relationship, rl.relationship) else {
                continue;
            };
            if ignored.contains(&uid) || action != Action::Create {
                continue;
            }
            plan.put(TrackerObject::Relationship(relationship(cx, rl)));
            plan.count(TrackerType::Relationship, uid, action);
        }
    }
    let mut written = Counter::start(Phase::Write, progress);
    if !plan.writes.is_empty() {
        store.begin_tracker()?;
        for object in &plan.writes {
            if let Err(e) = store.put_tracker_object(object) {
                let _ = store.rollback_tracker();
                return Err(e);
            }
            written.tick(progress);
        }
        for (program, uid) in &plan.hidden {
            if let Err(e) = store.put_event_program_enrollment(program, uid) {
                let _ = store.rollback_tracker();
                return Err(e);
            }
        }
        store.commit_tracker()?;
    }
    written.finish(plan.writes.len() as u64, progress);
    let mut out = Vec::with_capacity(4);
    for kind in TrackerType::ALL {
        let mut report = plan.reports.remove(&kind).unwrap_or_default();
        let persisted = report.stats.created + report.stats.updated + report.stats.deleted;
        let sent = payload.len(kind) as u64;
        report.stats.ignored = sent.saturating_sub(persisted);
        out.push((kind, report));
    }
    Ok(out)
}

/// The type reports of an import that wrote nothing (`importMode=VALIDATE`): only ignored
/// objects are counted.
pub(crate) fn ignored_stats(cx: &Context<'_>, skip: &HashSet<(TrackerType, Uid)>) -> Stats {
    let mut stats = Stats::default();
    for (kind, uid) in skip {
        if cx.actions.contains_key(&(*kind, *uid)) {
            stats.ignored += 1;
        }
    }
    stats
}
