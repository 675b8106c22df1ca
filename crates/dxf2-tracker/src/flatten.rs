//! Flattening, as DHIS2's `BodyConverter` does before every import: nested enrollments, events
//! and relationships move to the payload's four lists, missing UIDs are generated, children
//! point at their parents, empty notes are dropped.
//!
//! The rules, in DHIS2's order:
//!
//! 1. Each tracked entity without `trackedEntity` gets a UID.
//! 2. Its `enrollments` move to the enrollment list (UID generated when missing, `trackedEntity`
//!    **overwritten** with the parent's); its `relationships` move to the relationship list.
//! 3. Root `enrollments` follow the nested ones (UID generated when missing, `trackedEntity`
//!    kept).
//! 4. For every enrollment, its `events` move to the event list (UID generated when missing,
//!    `enrollment` **overwritten**), its `relationships` move, its notes without value are
//!    dropped and the others get UIDs.
//! 5. Root `events` follow (UID generated when missing, `enrollment` kept).
//! 6. For every event, its `relationships` move; notes as in 4.
//! 7. Root `relationships` follow (UID generated when missing).
//!
//! [`flatten`] does this on a whole [`Payload`] and gives DHIS2's exact order. The streaming
//! [`Flattener`] does it object by object behind a reader (parents are handed out before their
//! children); each type keeps DHIS2's order when the root keys come in the order
//! `trackedEntities`, `enrollments`, `events`, `relationships` (as DHIS2 and this crate write
//! them), and document order otherwise. It holds back the relationships found nested (and root
//! ones that follow them) until [`Flattener::finish`]: they are the only objects it keeps in
//! memory.

use std::mem;

use dxf2_model::Uid;

use crate::error::BoxError;
use crate::model::{Enrollment, Event, Item, Note, Payload, Relationship, TrackedEntity};

/// Where flattening takes the UIDs it generates.
pub trait UidSource {
    /// A new UID.
    fn next_uid(&mut self) -> Uid;
}

impl<F: FnMut() -> Uid> UidSource for F {
    fn next_uid(&mut self) -> Uid {
        self()
    }
}

/// Random UIDs, as DHIS2's `CodeGenerator` makes them ([`Uid::generate`]).
#[derive(Clone, Copy, Debug, Default)]
pub struct RandomUids;

impl UidSource for RandomUids {
    fn next_uid(&mut self) -> Uid {
        Uid::generate()
    }
}

fn keep_notes(notes: &mut Vec<Note>, uids: &mut impl UidSource) {
    notes.retain(|n| !n.value.is_empty());
    for n in notes {
        if n.note.is_none() {
            n.note = Some(uids.next_uid());
        }
    }
}

fn ensure(uid: &mut Option<Uid>, uids: &mut impl UidSource) -> Uid {
    *uid.get_or_insert_with(|| uids.next_uid())
}

/// Flattens a whole payload as DHIS2 does (see the module docs), generating UIDs from `uids`.
///
/// ```
/// use dxf2_model::Uid;
/// use dxf2_tracker::{flatten, JsonReader, ReadOptions};
///
/// let json = br#"{"trackedEntities": [{"trackedEntity": "IybbQIQt6te",
///   "enrollments": [{"program": "XrZRFi7rU9e", "events": [{"programStage": "I8RRFi7rUps"}]}]}]}"#;
/// let (payload, _) = JsonReader::new(ReadOptions::default()).read_payload_slice(json)?;
/// let mut n = 0;
/// let flat = flatten(payload, &mut || { n += 1; Uid::parse(&format!("Generated{n:02}")).unwrap() });
/// assert_eq!(flat.enrollments[0].enrollment.unwrap().as_str(), "Generated01");
/// assert_eq!(flat.enrollments[0].tracked_entity.unwrap().as_str(), "IybbQIQt6te");
/// assert_eq!(flat.events[0].event.unwrap().as_str(), "Generated02");
/// assert_eq!(flat.events[0].enrollment.unwrap().as_str(), "Generated01");
/// assert!(flat.tracked_entities[0].enrollments.is_empty());
/// # Ok::<(), dxf2_tracker::Error>(())
/// ```
pub fn flatten(payload: Payload, uids: &mut impl UidSource) -> Payload {
    let Payload {
        tracked_entities,
        enrollments: root_enrollments,
        events: root_events,
        relationships: root_relationships,
    } = payload;
    let mut out = Payload::default();
    let mut relationships = Vec::new();

    for mut te in tracked_entities {
        let te_uid = ensure(&mut te.tracked_entity, uids);
        for mut en in mem::take(&mut te.enrollments) {
            ensure(&mut en.enrollment, uids);
            en.tracked_entity = Some(te_uid);
            out.enrollments.push(en);
        }
        for mut r in mem::take(&mut te.relationships) {
            ensure(&mut r.relationship, uids);
            relationships.push(r);
        }
        out.tracked_entities.push(te);
    }
    for mut en in root_enrollments {
        ensure(&mut en.enrollment, uids);
        out.enrollments.push(en);
    }
    for en in &mut out.enrollments {
        let en_uid = en.enrollment;
        for mut ev in mem::take(&mut en.events) {
            ensure(&mut ev.event, uids);
            ev.enrollment = en_uid;
            out.events.push(ev);
        }
        for mut r in mem::take(&mut en.relationships) {
            ensure(&mut r.relationship, uids);
            relationships.push(r);
        }
        keep_notes(&mut en.notes, uids);
    }
    for mut ev in root_events {
        ensure(&mut ev.event, uids);
        out.events.push(ev);
    }
    for ev in &mut out.events {
        for mut r in mem::take(&mut ev.relationships) {
            ensure(&mut r.relationship, uids);
            relationships.push(r);
        }
        keep_notes(&mut ev.notes, uids);
    }
    for mut r in root_relationships {
        ensure(&mut r.relationship, uids);
        relationships.push(r);
    }
    out.relationships = relationships;
    out
}

/// The sink a [`Flattener`] hands flat objects to.
pub type FlatSink<'s> = dyn FnMut(Item<'_>) -> Result<(), BoxError> + 's;

/// Streaming flattening: takes the top-level objects of a payload in document order (as a
/// [`JsonReader`](crate::JsonReader) hands them out) and hands out flat objects, parents before
/// their children (see the module docs for the order it keeps).
///
/// ```
/// use dxf2_tracker::{Flattener, JsonReader, RandomUids, ReadOptions, TrackerType};
///
/// let json = br#"{"enrollments": [{"enrollment": "MNWZ6hnuhSw", "trackedEntity": "Kj6vYde4LHh",
///   "events": [{"event": "ZwwuwNp6gVd"}, {"event": "olfXZzSGacW"}]}]}"#;
/// let mut flattener = Flattener::new(RandomUids);
/// let mut seen = Vec::new();
/// let mut sink = |item: dxf2_tracker::Item<'_>| {
///     seen.push((item.kind(), item.uid().unwrap().to_string()));
///     Ok(())
/// };
/// JsonReader::new(ReadOptions::default())
///     .read_slice(json, |item| flattener.push(item, &mut sink))?;
/// flattener.finish(&mut sink).unwrap();
/// assert_eq!(seen.len(), 3);
/// assert_eq!(seen[0].0, TrackerType::Enrollment);
/// assert_eq!(seen[2], (TrackerType::Event, "olfXZzSGacW".to_string()));
/// # Ok::<(), dxf2_tracker::Error>(())
/// ```
#[derive(Debug)]
pub struct Flattener<U: UidSource> {
    uids: U,
    nested_te: Vec<Relationship>,
    nested_en: Vec<Relationship>,
    nested_ev: Vec<Relationship>,
    root: Vec<Relationship>,
}

impl<U: UidSource> Flattener<U> {
    /// A flattener generating UIDs from `uids`.
    pub fn new(uids: U) -> Flattener<U> {
        Flattener {
            uids,
            nested_te: Vec::new(),
            nested_en: Vec::new(),
            nested_ev: Vec::new(),
            root: Vec::new(),
        }
    }

    /// Flattens one top-level object, handing the flat objects to `sink`.
    pub fn push(&mut self, item: Item<'_>, sink: &mut FlatSink<'_>) -> Result<(), BoxError> {
        match item {
            Item::TrackedEntity(te) => self.tracked_entity(te, sink),
            Item::Enrollment(en) => {
                ensure(&mut en.enrollment, &mut self.uids);
                self.enrollment(en, sink)
            }
            Item::Event(ev) => {
                ensure(&mut ev.event, &mut self.uids);
                self.event(ev, sink)
            }
            Item::Relationship(r) => {
                ensure(&mut r.relationship, &mut self.uids);
                if self.nested_te.is_empty()
                    && self.nested_en.is_empty()
                    && self.nested_ev.is_empty()
                    && self.root.is_empty()
                {
                    sink(Item::Relationship(r))
                } else {
                    self.root.push(mem::take(r));
                    Ok(())
                }
            }
        }
    }

    fn tracked_entity(
        &mut self,
        te: &mut TrackedEntity,
        sink: &mut FlatSink<'_>,
    ) -> Result<(), BoxError> {
        let uid = ensure(&mut te.tracked_entity, &mut self.uids);
        let mut enrollments = mem::take(&mut te.enrollments);
        for en in &mut enrollments {
            ensure(&mut en.enrollment, &mut self.uids);
            en.tracked_entity = Some(uid);
        }
        for mut r in mem::take(&mut te.relationships) {
            ensure(&mut r.relationship, &mut self.uids);
            self.nested_te.push(r);
        }
        sink(Item::TrackedEntity(te))?;
        for en in &mut enrollments {
            self.enrollment(en, sink)?;
        }
        Ok(())
    }

    fn enrollment(&mut self, en: &mut Enrollment, sink: &mut FlatSink<'_>) -> Result<(), BoxError> {
        let uid = en.enrollment;
        let mut events = mem::take(&mut en.events);
        for ev in &mut events {
            ensure(&mut ev.event, &mut self.uids);
            ev.enrollment = uid;
        }
        for mut r in mem::take(&mut en.relationships) {
            ensure(&mut r.relationship, &mut self.uids);
            self.nested_en.push(r);
        }
        keep_notes(&mut en.notes, &mut self.uids);
        sink(Item::Enrollment(en))?;
        for ev in &mut events {
            self.event(ev, sink)?;
        }
        // Keep the list's allocation for the next record.
        events.clear();
        en.events = events;
        Ok(())
    }

    fn event(&mut self, ev: &mut Event, sink: &mut FlatSink<'_>) -> Result<(), BoxError> {
        if !ev.relationships.is_empty() {
            for mut r in mem::take(&mut ev.relationships) {
                ensure(&mut r.relationship, &mut self.uids);
                self.nested_ev.push(r);
            }
        }
        keep_notes(&mut ev.notes, &mut self.uids);
        sink(Item::Event(ev))
    }

    /// Hands out the relationships held back, in DHIS2's order.
    pub fn finish(mut self, sink: &mut FlatSink<'_>) -> Result<(), BoxError> {
        for list in [
            &mut self.nested_te,
            &mut self.nested_en,
            &mut self.nested_ev,
            &mut self.root,
        ] {
            for r in list.iter_mut() {
                sink(Item::Relationship(r))?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::RelationshipItem;

    fn counter() -> impl FnMut() -> Uid {
        let mut n = 0u32;
        move || {
            n += 1;
            Uid::parse(&format!("Gen{n:08}")).unwrap()
        }
    }

    fn uid(s: &str) -> Option<Uid> {
        Some(Uid::parse(s).unwrap())
    }

    fn rel(from: &str) -> Relationship {
        Relationship {
            relationship_type: "A4ORFi7rReL".into(),
            from: Some(RelationshipItem::tracked_entity(Uid::parse(from).unwrap())),
            ..Relationship::default()
        }
    }

    fn nested() -> Payload {
        Payload {
            tracked_entities: vec![TrackedEntity {
                tracked_entity: uid("IybbQIQt6te"),
                enrollments: vec![Enrollment {
                    enrollment: uid("IybbQIQt6en"),
                    tracked_entity: uid("XXXXXXXXXXX"),
                    events: vec![Event {
                        relationships: vec![rel("IybbQIQt6ev")],
                        notes: vec![
                            Note {
                                value: "kept".into(),
                                ..Note::default()
                            },
                            Note::default(),
                        ],
                        ..Event::default()
                    }],
                    relationships: vec![rel("IybbQIQt6en")],
                    ..Enrollment::default()
                }],
                relationships: vec![rel("IybbQIQt6te")],
                ..TrackedEntity::default()
            }],
            enrollments: vec![Enrollment {
                tracked_entity: uid("daMwzsKN3te"),
                ..Enrollment::default()
            }],
            events: vec![Event {
                enrollment: uid("daMwzsKN3en"),
                ..Event::default()
            }],
            relationships: vec![rel("FRM97UKN8te")],
        }
    }

    #[test]
    fn batch_follows_dhis2s_order() {
        let flat = flatten(nested(), &mut counter());
        assert_eq!(flat.tracked_entities.len(), 1);
        assert!(flat.tracked_entities[0].enrollments.is_empty());
        assert_eq!(flat.enrollments.len(), 2);
        assert_eq!(flat.enrollments[0].tracked_entity, uid("IybbQIQt6te"));
        assert_eq!(flat.enrollments[1].tracked_entity, uid("daMwzsKN3te"));
        // UIDs in DHIS2's order: te-nested relationship, root enrollment, then the nested event.
        assert_eq!(flat.relationships[0].relationship, uid("Gen00000001"));
        assert_eq!(flat.enrollments[1].enrollment, uid("Gen00000002"));
        assert_eq!(flat.events[0].event, uid("Gen00000003"));
        assert_eq!(flat.events[0].enrollment, uid("IybbQIQt6en"));
        assert_eq!(flat.events[1].enrollment, uid("daMwzsKN3en"));
        let froms: Vec<_> = flat
            .relationships
            .iter()
            .map(|r| r.from.as_ref().unwrap().single())
            .collect();
        let order: Vec<String> = froms
            .iter()
            .map(|f| match f {
                Some(crate::model::ItemRef::TrackedEntity(u)) => u.to_string(),
                _ => String::new(),
            })
            .collect();
        assert_eq!(
            order,
            ["IybbQIQt6te", "IybbQIQt6en", "IybbQIQt6ev", "FRM97UKN8te"]
        );
        assert_eq!(flat.events[0].notes.len(), 1);
        assert!(flat.events[0].notes[0].note.is_some());
    }

    #[test]
    fn streaming_gives_the_same_lists() {
        let batch = flatten(nested(), &mut counter());
        let mut f = Flattener::new(counter());
        let mut out = Payload::default();
        let mut sink = |item: Item<'_>| {
            out.push(item);
            Ok(())
        };
        let mut input = nested();
        for te in &mut input.tracked_entities {
            f.push(Item::TrackedEntity(te), &mut sink).unwrap();
        }
        for en in &mut input.enrollments {
            f.push(Item::Enrollment(en), &mut sink).unwrap();
        }
        for ev in &mut input.events {
            f.push(Item::Event(ev), &mut sink).unwrap();
        }
        for r in &mut input.relationships {
            f.push(Item::Relationship(r), &mut sink).unwrap();
        }
        f.finish(&mut sink).unwrap();
        let uids = |p: &Payload| -> Vec<Vec<Option<Uid>>> {
            vec![
                p.tracked_entities
                    .iter()
                    .map(|t| t.tracked_entity)
                    .collect(),
                p.enrollments.iter().map(|e| e.tracked_entity).collect(),
                p.events.iter().map(|e| e.enrollment).collect(),
            ]
        };
        assert_eq!(uids(&out), uids(&batch));
        assert_eq!(out.relationships.len(), 4);
        assert_eq!(
            out.relationships
                .iter()
                .map(|r| r.from.as_ref().unwrap().single())
                .collect::<Vec<_>>(),
            batch
                .relationships
                .iter()
                .map(|r| r.from.as_ref().unwrap().single())
                .collect::<Vec<_>>()
        );
    }
}
