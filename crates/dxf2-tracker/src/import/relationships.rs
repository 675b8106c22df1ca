//! The relationship validators (existence, mandatory fields, type, link, constraints,
//! duplicates) and `E5000` for the children of invalid parents.

use std::collections::HashSet;

use dxf2_model::Uid;

use super::codes::ValidationCode as C;
use super::context::{Action, Context};
use super::report::Entry;
use super::validate::{s, Object, Validation};
use crate::model::{ItemRef, Relationship, RelationshipItem, TrackerType};

fn item_kind_name(item: &ItemRef) -> &'static str {
    match item {
        ItemRef::TrackedEntity(_) => "trackedEntity",
        ItemRef::Enrollment(_) => "enrollment",
        ItemRef::Event(_) => "event",
    }
}

fn item_uid(item: &ItemRef) -> Uid {
    match item {
        ItemRef::TrackedEntity(u) | ItemRef::Enrollment(u) | ItemRef::Event(u) => *u,
    }
}

/// The constraint entity a kind of item needs.
fn constraint_entity(item: &ItemRef) -> &'static str {
    match item {
        ItemRef::TrackedEntity(_) => "TRACKED_ENTITY_INSTANCE",
        ItemRef::Enrollment(_) => "PROGRAM_INSTANCE",
        ItemRef::Event(_) => "PROGRAM_STAGE_INSTANCE",
    }
}

fn entity_name(entity: &str) -> &'static str {
    match entity {
        "PROGRAM_INSTANCE" => "enrollment",
        "PROGRAM_STAGE_INSTANCE" => "event",
        _ => "trackedEntity",
    }
}

/// Whether a stored relationship links the same ends with the same type.
pub(crate) fn same_link(
    a: (&str, ItemRef, ItemRef),
    b: (&str, ItemRef, ItemRef),
    bidirectional: bool,
) -> bool {
    a.0 == b.0 && ((a.1 == b.1 && a.2 == b.2) || (bidirectional && a.1 == b.2 && a.2 == b.1))
}

pub(crate) fn ends(r: &Relationship) -> Option<(ItemRef, ItemRef)> {
    Some((
        r.from.as_ref().and_then(RelationshipItem::single)?,
        r.to.as_ref().and_then(RelationshipItem::single)?,
    ))
}

pub(super) fn relationship(
    cx: &Context<'_>,
    rl: &Relationship,
    warnings: &mut Vec<Entry>,
    ignored: &mut HashSet<Uid>,
) -> Object {
    let pre = cx.pre;
    let mut o = Object::new(TrackerType::Relationship, rl.relationship);
    let Some(uid) = rl.relationship else { return o };
    let stored = cx.existing.state(o.kind, &uid);
    let action = cx.action(o.kind, &uid);
    match (stored, action) {
        (Some(true), _) => o.error(C::E4017, vec![uid.to_string()]),
        (Some(false), Action::Create) => o.error(C::E4015, vec![uid.to_string()]),
        (Some(false), Action::Update) => {
            warnings.push(Entry::new(
                C::E4015,
                o.kind,
                o.uid.clone(),
                vec![uid.to_string()],
            ));
            ignored.insert(uid);
            return o;
        }
        (None, Action::Update | Action::Delete) => o.error(C::E4016, vec![uid.to_string()]),
        _ => {}
    }
    if o.failed() || action == Action::Delete {
        return o;
    }
    if rl.relationship_type.is_empty() {
        o.error(C::E1124, vec![s("relationshipType")]);
    }
    if rl.from.is_none() {
        o.error(C::E4001, vec![s("from"), o.uid.clone()]);
    }
    if rl.to.is_none() {
        o.error(C::E4001, vec![s("to"), o.uid.clone()]);
    }
    if o.failed() {
        return o;
    }
    let Some((type_uid, rtype)) = pre.relationship_types.resolve(&rl.relationship_type) else {
        o.error(C::E4006, vec![rl.relationship_type.clone()]);
        return o;
    };
    let rendered_type = pre.relationship_types.render(type_uid);
    let from = rl.from.as_ref().and_then(RelationshipItem::single);
    let to = rl.to.as_ref().and_then(RelationshipItem::single);
    if let (Some(f), Some(t)) = (from, to) {
        if f == t {
            o.error(C::E4000, vec![o.uid.clone()]);
            return o;
        }
    }
    for (side, item, constraint) in [("from", from, &rtype.from), ("to", to, &rtype.to)] {
        let Some(item) = item else {
            o.error(C::E4001, vec![s(side), o.uid.clone()]);
            continue;
        };
        if !constraint.entity.is_empty() && constraint.entity != constraint_entity(&item) {
            o.error(
                C::E4010,
                vec![
                    rendered_type.clone(),
                    s(entity_name(&constraint.entity)),
                    s(item_kind_name(&item)),
                ],
            );
            continue;
        }
        if !cx.item_exists(&item) {
            o.error(
                C::E4012,
                vec![s(item_kind_name(&item)), item_uid(&item).to_string()],
            );
            continue;
        }
        if let (ItemRef::TrackedEntity(te), Some(required)) =
            (item, &constraint.tracked_entity_type)
        {
            let found = cx.tracked_entity_type(&te);
            if found.as_deref() != Some(required.as_str()) {
                let found = found
                    .map(|f| pre.tracked_entity_types.render(&f))
                    .unwrap_or_else(|| s("null"));
                o.error(
                    C::E4014,
                    vec![
                        rendered_type.clone(),
                        pre.tracked_entity_types.render(required),
                        found,
                    ],
                );
            }
        }
    }
    if o.failed() {
        return o;
    }
    if let (Some(f), Some(t)) = (from, to) {
        let duplicate = cx.existing.relationships.values().any(|r| {
            !r.deleted
                && r.relationship != rl.relationship
                && ends(r).is_some_and(|(rf, rt)| {
                    same_link(
                        (r.relationship_type.as_str(), rf, rt),
                        (type_uid, f, t),
                        rtype.bidirectional,
                    )
                })
        });
        if duplicate {
            o.error(
                C::E4018,
                vec![
                    o.uid.clone(),
                    s(item_kind_name(&f)),
                    item_uid(&f).to_string(),
                    s(item_kind_name(&t)),
                    item_uid(&t).to_string(),
                ],
            );
        }
    }
    o
}

/// `E5000`: valid objects whose parent in the payload is invalid (enrollments of invalid
/// tracked entities, events of invalid enrollments, relationships linking invalid objects),
/// in type order so that it cascades.
pub(super) fn dependants(cx: &Context<'_>, v: &mut Validation) {
    let add = |v: &mut Validation, kind: TrackerType, uid: Uid, parent: (&str, Uid)| {
        let child = kind.uid_key();
        v.errors.push(Entry::new(
            C::E5000,
            kind,
            uid.to_string(),
            vec![s(child), uid.to_string(), s(parent.0), parent.1.to_string()],
        ));
        v.invalid.insert((kind, uid));
    };
    let deleting = |kind: TrackerType, uid: &Uid| cx.action(kind, uid) == Action::Delete;
    for en in &cx.payload.enrollments {
        let (Some(uid), Some(te)) = (en.enrollment, en.tracked_entity) else {
            continue;
        };
        if v.invalid.contains(&(TrackerType::Enrollment, uid))
            || deleting(TrackerType::Enrollment, &uid)
        {
            continue;
        }
        if cx.te_at.contains_key(&te) && v.invalid.contains(&(TrackerType::TrackedEntity, te)) {
            add(v, TrackerType::Enrollment, uid, ("trackedEntity", te));
        }
    }
    for ev in &cx.payload.events {
        let (Some(uid), Some(en)) = (ev.event, ev.enrollment) else {
            continue;
        };
        if v.invalid.contains(&(TrackerType::Event, uid)) || deleting(TrackerType::Event, &uid) {
            continue;
        }
        if cx.en_at.contains_key(&en) && v.invalid.contains(&(TrackerType::Enrollment, en)) {
            add(v, TrackerType::Event, uid, ("enrollment", en));
        }
    }
    for rl in &cx.payload.relationships {
        let Some(uid) = rl.relationship else { continue };
        if v.invalid.contains(&(TrackerType::Relationship, uid))
            || v.ignored.contains(&uid)
            || deleting(TrackerType::Relationship, &uid)
        {
            continue;
        }
        let Some((from, to)) = ends(rl) else { continue };
        for item in [from, to] {
            let (kind, in_payload) = match item {
                ItemRef::TrackedEntity(u) => {
                    (TrackerType::TrackedEntity, cx.te_at.contains_key(&u))
                }
                ItemRef::Enrollment(u) => (TrackerType::Enrollment, cx.en_at.contains_key(&u)),
                ItemRef::Event(u) => (TrackerType::Event, cx.ev_at.contains_key(&u)),
            };
            let parent = item_uid(&item);
            if in_payload && v.invalid.contains(&(kind, parent)) {
                add(
                    v,
                    TrackerType::Relationship,
                    uid,
                    (item_kind_name(&item), parent),
                );
                break;
            }
        }
    }
}
