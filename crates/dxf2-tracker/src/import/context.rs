//! What validation and commit share: the flat payload indexed by UID, the store's objects
//! (the preheat of existing data), the resolved strategy per object, and the derivations of
//! the preprocessing step (an event's program and stage, its attribute option combo).

use std::collections::{HashMap, HashSet};

use dxf2_model::Uid;

use super::params::{ImportParams, ImportStrategy};
use super::preheat::{Preheat, DEFAULT_CATEGORY_COMBO};
use crate::model::{Enrollment, Event, ItemRef, Payload, Relationship, TrackedEntity, TrackerType};
use crate::store::{TrackerObject, TrackerStore, TrackerStoreError};
use crate::time::Timestamp;

/// What the import does with one object.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Action {
    Create,
    Update,
    Delete,
}

/// The store's tracker objects, read once (DHIS2's preheat of existing data).
#[derive(Debug, Default)]
pub(crate) struct Existing {
    pub tracked_entities: HashMap<Uid, TrackedEntity>,
    pub enrollments: HashMap<Uid, Enrollment>,
    pub events: HashMap<Uid, Event>,
    pub relationships: HashMap<Uid, Relationship>,
}

impl Existing {
    /// Reads what the import needs of the store: the objects the payload names (its own
    /// UIDs, the enrollments of its events, the tracked entities of its enrollments, the
    /// ends of its relationships) by key; a whole kind only when a check needs every object
    /// of it (DELETE's cascade; notes sent with UIDs; unique attributes; a new enrollment's
    /// siblings; events of non-repeatable stages; duplicate relationships). `note_uids`: the
    /// payload as sent named notes by UID (flattening gives the others one).
    pub fn load<S: TrackerStore + ?Sized>(
        store: &mut S,
        pre: &Preheat,
        payload: &Payload,
        params: &ImportParams,
        note_uids: bool,
    ) -> Result<Existing, TrackerStoreError> {
        let mut e = Existing::default();
        let deleting = params.import_strategy == ImportStrategy::Delete;
        let unique = |attrs: &[crate::model::Attribute]| {
            attrs.iter().any(|a| {
                pre.attributes
                    .resolve(&a.attribute)
                    .is_some_and(|(_, meta)| meta.unique)
            })
        };
        let unique_attributes = payload
            .tracked_entities
            .iter()
            .any(|t| unique(&t.attributes))
            || payload.enrollments.iter().any(|en| unique(&en.attributes));
        let non_repeatable = payload.events.iter().any(|ev| {
            pre.stages
                .resolve(&ev.program_stage)
                .is_some_and(|(_, st)| {
                    !st.repeatable
                        && st
                            .program
                            .as_deref()
                            .and_then(|p| pre.programs.get(p))
                            .is_some_and(|p| p.registration)
                })
        });
        let whole = [
            (TrackerType::TrackedEntity, deleting || unique_attributes),
            (
                TrackerType::Enrollment,
                deleting || note_uids || !payload.enrollments.is_empty(),
            ),
            (TrackerType::Event, deleting || note_uids || non_repeatable),
            (
                TrackerType::Relationship,
                deleting || !payload.relationships.is_empty(),
            ),
        ];
        for (kind, read_whole) in whole {
            if read_whole {
                store.tracker_objects(kind, &mut |object| {
                    e.insert(object);
                    Ok(())
                })?;
            }
        }
        let is_whole = |kind: TrackerType| whole.iter().any(|(k, w)| *k == kind && *w);
        let mut wanted: Vec<(TrackerType, Uid)> = Vec::new();
        wanted.extend(
            payload
                .tracked_entities
                .iter()
                .filter_map(|t| t.tracked_entity)
                .map(|u| (TrackerType::TrackedEntity, u)),
        );
        for en in &payload.enrollments {
            wanted.extend(en.enrollment.map(|u| (TrackerType::Enrollment, u)));
            wanted.extend(en.tracked_entity.map(|u| (TrackerType::TrackedEntity, u)));
        }
        for ev in &payload.events {
            wanted.extend(ev.event.map(|u| (TrackerType::Event, u)));
            wanted.extend(ev.enrollment.map(|u| (TrackerType::Enrollment, u)));
        }
        for rl in &payload.relationships {
            wanted.extend(rl.relationship.map(|u| (TrackerType::Relationship, u)));
            let items = [rl.from.as_ref(), rl.to.as_ref()];
            for item in items.into_iter().flatten() {
                if let Some(r) = item.single() {
                    wanted.push(match r {
                        ItemRef::TrackedEntity(u) => (TrackerType::TrackedEntity, u),
                        ItemRef::Enrollment(u) => (TrackerType::Enrollment, u),
                        ItemRef::Event(u) => (TrackerType::Event, u),
                    });
                }
            }
        }
        let mut read = |e: &mut Existing, kind: TrackerType, uid: Uid| {
            if is_whole(kind) || e.state(kind, &uid).is_some() {
                return Ok(());
            }
            if let Some(object) = store.tracker_object(kind, &uid)? {
                e.insert(object);
            }
            Ok::<(), TrackerStoreError>(())
        };
        for (kind, uid) in wanted {
            read(&mut e, kind, uid)?;
        }
        // The enrollments of the stored events read, then the tracked entities of the stored
        // enrollments (an event's tracked entity).
        let parents: Vec<Uid> = e.events.values().filter_map(|ev| ev.enrollment).collect();
        for uid in parents {
            read(&mut e, TrackerType::Enrollment, uid)?;
        }
        let owners: Vec<Uid> = e
            .enrollments
            .values()
            .filter_map(|en| en.tracked_entity)
            .collect();
        for uid in owners {
            read(&mut e, TrackerType::TrackedEntity, uid)?;
        }
        Ok(e)
    }

    fn insert(&mut self, object: TrackerObject) {
        match object {
            TrackerObject::TrackedEntity(o) => {
                if let Some(uid) = o.tracked_entity {
                    self.tracked_entities.insert(uid, o);
                }
            }
            TrackerObject::Enrollment(o) => {
                if let Some(uid) = o.enrollment {
                    self.enrollments.insert(uid, o);
                }
            }
            TrackerObject::Event(o) => {
                if let Some(uid) = o.event {
                    self.events.insert(uid, o);
                }
            }
            TrackerObject::Relationship(o) => {
                if let Some(uid) = o.relationship {
                    self.relationships.insert(uid, o);
                }
            }
        }
    }

    /// Whether an object of this kind and UID is stored, and whether it is deleted.
    pub fn state(&self, kind: TrackerType, uid: &Uid) -> Option<bool> {
        match kind {
            TrackerType::TrackedEntity => self.tracked_entities.get(uid).map(|o| o.deleted),
            TrackerType::Enrollment => self.enrollments.get(uid).map(|o| o.deleted),
            TrackerType::Event => self.events.get(uid).map(|o| o.deleted),
            TrackerType::Relationship => self.relationships.get(uid).map(|o| o.deleted),
        }
    }
}

/// The shared state of one import.
pub(crate) struct Context<'a> {
    pub params: &'a ImportParams,
    pub pre: &'a Preheat,
    pub existing: &'a Existing,
    pub payload: &'a Payload,
    pub now: Timestamp,
    pub te_at: HashMap<Uid, usize>,
    pub en_at: HashMap<Uid, usize>,
    pub ev_at: HashMap<Uid, usize>,
    pub actions: HashMap<(TrackerType, Uid), Action>,
    /// The UIDs of the notes of the stored enrollments and events, gathered once (asked for
    /// every note and every object written: gathering them per object made an update of
    /// 100,000 events take 55 s instead of about one).
    pub stored_notes: HashSet<Uid>,
}

impl<'a> Context<'a> {
    pub fn new(
        params: &'a ImportParams,
        pre: &'a Preheat,
        existing: &'a Existing,
        payload: &'a Payload,
        now: Timestamp,
    ) -> Context<'a> {
        let index = |uids: Vec<Option<Uid>>| {
            let mut map = HashMap::new();
            for (i, uid) in uids.into_iter().enumerate() {
                if let Some(uid) = uid {
                    map.entry(uid).or_insert(i);
                }
            }
            map
        };
        let mut cx = Context {
            params,
            pre,
            existing,
            payload,
            now,
            te_at: index(
                payload
                    .tracked_entities
                    .iter()
                    .map(|o| o.tracked_entity)
                    .collect(),
            ),
            en_at: index(payload.enrollments.iter().map(|o| o.enrollment).collect()),
            ev_at: index(payload.events.iter().map(|o| o.event).collect()),
            actions: HashMap::new(),
            stored_notes: existing
                .enrollments
                .values()
                .flat_map(|e| e.notes.iter())
                .chain(existing.events.values().flat_map(|e| e.notes.iter()))
                .filter_map(|n| n.note)
                .collect(),
        };
        let uids: Vec<(TrackerType, Uid)> = payload
            .tracked_entities
            .iter()
            .filter_map(|o| o.tracked_entity.map(|u| (TrackerType::TrackedEntity, u)))
            .chain(
                payload
                    .enrollments
                    .iter()
                    .filter_map(|o| o.enrollment.map(|u| (TrackerType::Enrollment, u))),
            )
            .chain(
                payload
                    .events
                    .iter()
                    .filter_map(|o| o.event.map(|u| (TrackerType::Event, u))),
            )
            .chain(
                payload
                    .relationships
                    .iter()
                    .filter_map(|o| o.relationship.map(|u| (TrackerType::Relationship, u))),
            )
            .collect();
        for (kind, uid) in uids {
            let stored = existing.state(kind, &uid).is_some();
            let action = match params.import_strategy {
                ImportStrategy::Create => Action::Create,
                ImportStrategy::Update => Action::Update,
                ImportStrategy::Delete => Action::Delete,
                ImportStrategy::CreateAndUpdate if stored => Action::Update,
                ImportStrategy::CreateAndUpdate => Action::Create,
            };
            cx.actions.entry((kind, uid)).or_insert(action);
        }
        cx
    }

    pub fn action(&self, kind: TrackerType, uid: &Uid) -> Action {
        self.actions
            .get(&(kind, *uid))
            .copied()
            .unwrap_or(Action::Create)
    }

    pub fn payload_enrollment(&self, uid: &Uid) -> Option<&'a Enrollment> {
        self.en_at
            .get(uid)
            .and_then(|i| self.payload.enrollments.get(*i))
    }

    pub fn payload_tracked_entity(&self, uid: &Uid) -> Option<&'a TrackedEntity> {
        self.te_at
            .get(uid)
            .and_then(|i| self.payload.tracked_entities.get(*i))
    }

    /// The program (UID) of an enrollment in the payload (resolved) or the store.
    pub fn enrollment_program(&self, uid: &Uid) -> Option<String> {
        if let Some(en) = self.payload_enrollment(uid) {
            return self.pre.programs.uid_of(&en.program);
        }
        self.existing
            .enrollments
            .get(uid)
            .filter(|e| !e.deleted)
            .map(|e| e.program.clone())
    }

    /// The tracked entity type (UID) of a tracked entity in the payload or the store.
    pub fn tracked_entity_type(&self, uid: &Uid) -> Option<String> {
        if let Some(te) = self.payload_tracked_entity(uid) {
            return self
                .pre
                .tracked_entity_types
                .uid_of(&te.tracked_entity_type);
        }
        self.existing
            .tracked_entities
            .get(uid)
            .filter(|t| !t.deleted)
            .map(|t| t.tracked_entity_type.clone())
    }

    /// Whether the object an item names is in the payload or stored (not deleted).
    pub fn item_exists(&self, item: &ItemRef) -> bool {
        match item {
            ItemRef::TrackedEntity(u) => {
                self.te_at.contains_key(u)
                    || self.existing.state(TrackerType::TrackedEntity, u) == Some(false)
            }
            ItemRef::Enrollment(u) => {
                self.en_at.contains_key(u)
                    || self.existing.state(TrackerType::Enrollment, u) == Some(false)
            }
            ItemRef::Event(u) => {
                self.ev_at.contains_key(u)
                    || self.existing.state(TrackerType::Event, u) == Some(false)
            }
        }
    }

    /// The preprocessing of an event: its program and stage UIDs, derived from each other
    /// (the stage's program; an event program's only stage).
    pub fn event_program_stage(&self, ev: &Event) -> (Option<String>, Option<String>) {
        let stage = self.pre.stages.uid_of(&ev.program_stage);
        let mut program = self.pre.programs.uid_of(&ev.program);
        if ev.program.is_empty() {
            program = stage
                .as_ref()
                .and_then(|s| self.pre.stages.get(s))
                .and_then(|s| s.program.clone());
        }
        let stage = match stage {
            Some(s) => Some(s),
            None if ev.program_stage.is_empty() => program
                .as_ref()
                .and_then(|p| self.pre.programs.get(p))
                .filter(|p| !p.registration)
                .and_then(|p| p.stages.first().cloned()),
            None => None,
        };
        (program, stage)
    }

    /// The attribute option combo of an event (DHIS2's preprocessing and its category
    /// validator): `Ok((aoc, options))` with UIDs, or the code and arguments of the error.
    pub fn event_aoc(
        &self,
        ev: &Event,
        program: &str,
    ) -> Result<(String, Vec<String>), (super::codes::ValidationCode, Vec<String>)> {
        use super::codes::ValidationCode as C;
        let pre = self.pre;
        let combo = pre
            .programs
            .get(program)
            .map(|p| p.category_combo.clone())
            .unwrap_or_else(|| DEFAULT_CATEGORY_COMBO.to_owned());
        let default_combo = combo == DEFAULT_CATEGORY_COMBO;
        let aoc = if ev.attribute_option_combo.is_empty() {
            None
        } else {
            match pre
                .category_option_combos
                .uid_of(&ev.attribute_option_combo)
            {
                Some(uid) => Some(uid),
                None => return Err((C::E1115, vec![ev.attribute_option_combo.clone()])),
            }
        };
        let mut options = Vec::new();
        for key in ev
            .attribute_category_options
            .split(',')
            .map(str::trim)
            .filter(|k| !k.is_empty())
        {
            match pre.category_options.uid_of(key) {
                Some(uid) => options.push(uid),
                None => return Err((C::E1116, vec![key.to_owned()])),
            }
        }
        let combos_of = |combo: &str| -> Vec<(&str, &Vec<String>)> {
            pre.category_option_combos
                .iter()
                .filter(|(_, c)| c.category_combo == combo)
                .map(|(uid, c)| (uid, &c.options))
                .collect()
        };
        let same_options =
            |a: &[String], b: &[String]| a.len() == b.len() && a.iter().all(|x| b.contains(x));
        let render_options = |options: &[String]| {
            options
                .iter()
                .map(|o| pre.category_options.render(o))
                .collect::<Vec<_>>()
                .join(",")
        };
        match aoc {
            Some(aoc) => {
                let meta = pre.category_option_combos.get(&aoc);
                let aoc_combo = meta.map(|m| m.category_combo.as_str()).unwrap_or_default();
                if aoc_combo != combo {
                    if !default_combo && aoc_combo == DEFAULT_CATEGORY_COMBO {
                        return Err((C::E1055, Vec::new()));
                    }
                    return Err((
                        C::E1054,
                        vec![
                            pre.category_option_combos.render(&aoc),
                            pre.category_option_combos.render(&combo),
                        ],
                    ));
                }
                let aoc_options = meta.map(|m| m.options.clone()).unwrap_or_default();
                if !options.is_empty() && !same_options(&options, &aoc_options) {
                    return Err((C::E1117, vec![combo.clone(), render_options(&options)]));
                }
                Ok((aoc, aoc_options))
            }
            None if options.is_empty() => {
                if !default_combo {
                    return Err((C::E1055, Vec::new()));
                }
                match combos_of(&combo).first() {
                    Some((uid, opts)) => Ok(((*uid).to_owned(), (*opts).clone())),
                    // No default combo in the metadata: DHIS2 always has one; keep it empty.
                    None => Ok((String::new(), Vec::new())),
                }
            }
            None => {
                let found: Vec<_> = combos_of(&combo)
                    .into_iter()
                    .filter(|(_, o)| same_options(o, &options))
                    .collect();
                match found.as_slice() {
                    [(uid, opts)] => Ok(((*uid).to_owned(), (*opts).clone())),
                    _ => Err((C::E1117, vec![combo.clone(), render_options(&options)])),
                }
            }
        }
    }
}
