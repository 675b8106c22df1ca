//! Reading the store for an export: the primary kind by key or in one pass keeping only the
//! matches, and the other kinds by key, or whole when a query needs a kind's every object
//! (a tracked entity's enrollments, relationships).

use std::collections::{HashMap, HashSet};

use dxf2_model::Uid;

use super::links;
use crate::model::{Enrollment, Event, ItemRef, Relationship, TrackedEntity, TrackerType};
use crate::store::{TrackerObject, TrackerStore, TrackerStoreError};

/// A tracker object type as read from a store.
pub(super) trait Stored: Sized + Clone {
    const KIND: TrackerType;
    fn from_object(o: TrackerObject) -> Option<Self>;
    fn key(&self) -> Option<Uid>;
}

macro_rules! stored {
    ($t:ty, $kind:ident, $field:ident) => {
        impl Stored for $t {
            const KIND: TrackerType = TrackerType::$kind;
            fn from_object(o: TrackerObject) -> Option<Self> {
                match o {
                    TrackerObject::$kind(x) => Some(x),
                    _ => None,
                }
            }
            fn key(&self) -> Option<Uid> {
                self.$field
            }
        }
    };
}

stored!(TrackedEntity, TrackedEntity, tracked_entity);
stored!(Enrollment, Enrollment, enrollment);
stored!(Event, Event, event);
stored!(Relationship, Relationship, relationship);

/// The objects of one kind read so far: by key, or the whole kind.
pub(super) struct Keyed<T> {
    by_uid: HashMap<Uid, Option<T>>,
    whole: bool,
}

impl<T: Stored> Keyed<T> {
    fn new() -> Keyed<T> {
        Keyed {
            by_uid: HashMap::new(),
            whole: false,
        }
    }

    /// One object by UID (a keyed read the first time).
    fn get<S: TrackerStore + ?Sized>(
        &mut self,
        store: &mut S,
        uid: &Uid,
    ) -> Result<Option<&T>, TrackerStoreError> {
        if !self.by_uid.contains_key(uid) {
            let found = if self.whole {
                None
            } else {
                store.tracker_object(T::KIND, uid)?.and_then(T::from_object)
            };
            self.by_uid.insert(*uid, found);
        }
        Ok(self.by_uid.get(uid).and_then(Option::as_ref))
    }

    /// Reads the whole kind (once).
    fn load_whole<S: TrackerStore + ?Sized>(
        &mut self,
        store: &mut S,
    ) -> Result<(), TrackerStoreError> {
        if self.whole {
            return Ok(());
        }
        self.by_uid.retain(|_, v| v.is_some());
        let by_uid = &mut self.by_uid;
        store.tracker_objects(T::KIND, &mut |o| {
            if let Some(t) = T::from_object(o) {
                if let Some(uid) = t.key() {
                    by_uid.insert(uid, Some(t));
                }
            }
            Ok(())
        })?;
        self.whole = true;
        Ok(())
    }

    /// Every object read (the whole kind after [`Keyed::load_whole`]).
    fn values(&self) -> impl Iterator<Item = &T> {
        self.by_uid.values().filter_map(Option::as_ref)
    }
}

/// The objects of the primary kind that pass `keep`: by key when UIDs are asked for, else by
/// reading the kind once (only the matches are kept).
pub(super) fn candidates<T: Stored, S: TrackerStore + ?Sized>(
    store: &mut S,
    uids: &[Uid],
    mut keep: impl FnMut(&T) -> bool,
) -> Result<Vec<T>, TrackerStoreError> {
    let mut out = Vec::new();
    if uids.is_empty() {
        store.tracker_objects(T::KIND, &mut |o| {
            if let Some(t) = T::from_object(o) {
                if keep(&t) {
                    out.push(t);
                }
            }
            Ok(())
        })?;
    } else {
        let mut seen = HashSet::new();
        for uid in uids {
            if !seen.insert(*uid) {
                continue;
            }
            if let Some(t) = store.tracker_object(T::KIND, uid)?.and_then(T::from_object) {
                if keep(&t) {
                    out.push(t);
                }
            }
        }
    }
    Ok(out)
}

/// How many keyed reads are worth one read of a whole kind.
const KEYED_READS_LIMIT: usize = 10_000;

/// The store's objects a query reads besides its primary kind.
pub(super) struct Reader<'s, S: ?Sized> {
    pub store: &'s mut S,
    pub tes: Keyed<TrackedEntity>,
    pub ens: Keyed<Enrollment>,
    pub evs: Keyed<Event>,
    pub rls: Keyed<Relationship>,
}

impl<'s, S: TrackerStore + ?Sized> Reader<'s, S> {
    pub fn new(store: &'s mut S) -> Reader<'s, S> {
        Reader {
            store,
            tes: Keyed::new(),
            ens: Keyed::new(),
            evs: Keyed::new(),
            rls: Keyed::new(),
        }
    }

    pub fn enrollment(
        &mut self,
        uid: Option<Uid>,
    ) -> Result<Option<&Enrollment>, TrackerStoreError> {
        match uid {
            Some(u) => self.ens.get(self.store, &u),
            None => Ok(None),
        }
    }

    pub fn tracked_entity(
        &mut self,
        uid: Option<Uid>,
    ) -> Result<Option<&TrackedEntity>, TrackerStoreError> {
        match uid {
            Some(u) => self.tes.get(self.store, &u),
            None => Ok(None),
        }
    }

    /// Reads the enrollments `uids` name: by key, or whole when they are many.
    pub fn prefetch_enrollments(&mut self, uids: &HashSet<Uid>) -> Result<(), TrackerStoreError> {
        if uids.len() > KEYED_READS_LIMIT {
            return self.ens.load_whole(self.store);
        }
        for u in uids {
            self.ens.get(self.store, u)?;
        }
        Ok(())
    }

    /// The relationships linking `item` (all relationships are read once).
    pub fn relationships_of(
        &mut self,
        item: ItemRef,
        deleted_ok: bool,
    ) -> Result<Vec<Relationship>, TrackerStoreError> {
        self.rls.load_whole(self.store)?;
        let mut out: Vec<Relationship> = self
            .rls
            .values()
            .filter(|r| (deleted_ok || !r.deleted) && links(r, &item))
            .cloned()
            .collect();
        out.sort_by_key(|r| r.relationship);
        Ok(out)
    }

    /// The enrollments of each tracked entity (all enrollments are read once).
    pub fn enrollments_by_te(
        &mut self,
    ) -> Result<HashMap<Uid, Vec<Enrollment>>, TrackerStoreError> {
        self.ens.load_whole(self.store)?;
        let mut map: HashMap<Uid, Vec<Enrollment>> = HashMap::new();
        for e in self.ens.values() {
            if let Some(te) = e.tracked_entity {
                map.entry(te).or_default().push(e.clone());
            }
        }
        for list in map.values_mut() {
            list.sort_by_key(|e| e.enrollment);
        }
        Ok(map)
    }

    /// The events of each enrollment (all events are read once).
    pub fn events_by_enrollment(&mut self) -> Result<HashMap<Uid, Vec<Event>>, TrackerStoreError> {
        self.evs.load_whole(self.store)?;
        let mut map: HashMap<Uid, Vec<Event>> = HashMap::new();
        for e in self.evs.values() {
            if let Some(en) = e.enrollment {
                map.entry(en).or_default().push(e.clone());
            }
        }
        for list in map.values_mut() {
            list.sort_by_key(|e| e.event);
        }
        Ok(map)
    }
}
