//! [`TrackerStore`]: tracker objects kept in any store of the workspace, as records of kinds
//! `trackedEntity`, `enrollment`, `event` and `relationship` through the store seam's record
//! methods ([`DataValueStore::put_record`] and friends), so the memory, SQLite and PostgreSQL
//! stores keep them with no change of their own.
//!
//! Each record's id is the object's UID and its body the object as a one-object export
//! document, `{"events":[{…}]}`, with every field (`fields=*`), dates in UTC: what
//! [`JsonReader`](crate::JsonReader) reads back exactly. Stored objects are flat (an event names
//! its enrollment; a tracked entity holds no enrollments) and carry metadata as UIDs. Deletion
//! is DHIS2's soft deletion (`deleted: true`); the record stays. Records of kind
//! [`EVENT_PROGRAM_ENROLLMENT`] name the hidden enrollment of each event program.

use dxf2_model::Uid;
use dxf2_store::{DataValueStore, StoreError};

use crate::json::{Fields, JsonReader, JsonWriter, WriteOptions};
use crate::model::{Enrollment, Event, Item, Payload, Relationship, TrackedEntity, TrackerType};
use crate::options::ReadOptions;

/// The record kind that names the hidden enrollment of each event program: id the program's
/// UID, body the enrollment's UID.
pub const EVENT_PROGRAM_ENROLLMENT: &str = "eventProgramEnrollment";

/// The record kind of a tracker type (`trackedEntity`, `enrollment`, `event`, `relationship`).
pub fn record_kind(kind: TrackerType) -> &'static str {
    kind.uid_key()
}

/// Why a tracker object could not be read from or written to a store.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TrackerStoreError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A stored record is not a tracker object of its kind.
    #[error("the store's {kind} record `{uid}` is not a tracker object: {message}")]
    Corrupt {
        /// The record kind.
        kind: &'static str,
        /// Its id.
        uid: String,
        /// What is wrong.
        message: String,
    },
}

/// One stored tracker object.
#[derive(Clone, Debug, PartialEq)]
pub enum TrackerObject {
    /// A tracked entity.
    TrackedEntity(TrackedEntity),
    /// An enrollment.
    Enrollment(Enrollment),
    /// An event.
    Event(Event),
    /// A relationship.
    Relationship(Relationship),
}

impl TrackerObject {
    /// Its type.
    pub fn kind(&self) -> TrackerType {
        match self {
            TrackerObject::TrackedEntity(_) => TrackerType::TrackedEntity,
            TrackerObject::Enrollment(_) => TrackerType::Enrollment,
            TrackerObject::Event(_) => TrackerType::Event,
            TrackerObject::Relationship(_) => TrackerType::Relationship,
        }
    }

    /// Its UID.
    pub fn uid(&self) -> Option<Uid> {
        match self {
            TrackerObject::TrackedEntity(o) => o.tracked_entity,
            TrackerObject::Enrollment(o) => o.enrollment,
            TrackerObject::Event(o) => o.event,
            TrackerObject::Relationship(o) => o.relationship,
        }
    }

    /// The record body: a one-object export document, `{"events":[{…}]}`, with every field,
    /// dates in UTC.
    pub fn to_body(&self) -> Result<String, crate::Error> {
        let mut w = JsonWriter::new(
            Vec::with_capacity(512),
            WriteOptions::default().with_fields(Fields::All),
        );
        w.begin_list(self.kind())?;
        match self {
            TrackerObject::TrackedEntity(o) => w.write_tracked_entity(o)?,
            TrackerObject::Enrollment(o) => w.write_enrollment(o)?,
            TrackerObject::Event(o) => w.write_event(o)?,
            TrackerObject::Relationship(o) => w.write_relationship(o)?,
        }
        let bytes = w.finish()?;
        Ok(String::from_utf8_lossy(&bytes).into_owned())
    }

    /// Reads a record body of `kind`; the error says what is wrong.
    pub fn from_body(kind: TrackerType, body: &str) -> Result<TrackerObject, String> {
        let (payload, _) = JsonReader::new(ReadOptions::default())
            .read_payload_slice(body.as_bytes())
            .map_err(|e| e.to_string())?;
        let Payload {
            tracked_entities,
            enrollments,
            events,
            relationships,
        } = payload;
        let object = match kind {
            TrackerType::TrackedEntity => tracked_entities
                .into_iter()
                .next()
                .map(TrackerObject::TrackedEntity),
            TrackerType::Enrollment => enrollments
                .into_iter()
                .next()
                .map(TrackerObject::Enrollment),
            TrackerType::Event => events.into_iter().next().map(TrackerObject::Event),
            TrackerType::Relationship => relationships
                .into_iter()
                .next()
                .map(TrackerObject::Relationship),
        };
        object.ok_or_else(|| format!("it holds no {}", kind.uid_key()))
    }

    /// As a reader's [`Item`] (to write it with a [`JsonWriter`]).
    pub fn as_item(&mut self) -> Item<'_> {
        match self {
            TrackerObject::TrackedEntity(o) => Item::TrackedEntity(o),
            TrackerObject::Enrollment(o) => Item::Enrollment(o),
            TrackerObject::Event(o) => Item::Event(o),
            TrackerObject::Relationship(o) => Item::Relationship(o),
        }
    }
}

/// Where tracker objects live: implemented for every [`DataValueStore`] with records (the
/// memory, SQLite and PostgreSQL stores), as records of kinds `trackedEntity`, `enrollment`,
/// `event` and `relationship`, each holding [`TrackerObject::to_body`]. Stored objects are
/// flat, carry metadata as UIDs, and are soft-deleted (`deleted: true`).
///
/// ```
/// use dxf2_model::Uid;
/// use dxf2_store::MemoryStore;
/// use dxf2_tracker::{Event, TrackerObject, TrackerStore, TrackerType};
///
/// let mut store = MemoryStore::new();
/// let uid = Uid::parse("ZwwuwNp6gVd").unwrap();
/// let event = Event { event: Some(uid), org_unit: "O6uvpzGd5pu".into(), ..Event::default() };
/// store.put_tracker_object(&TrackerObject::Event(event.clone())).unwrap();
/// assert_eq!(
///     store.tracker_object(TrackerType::Event, &uid).unwrap(),
///     Some(TrackerObject::Event(event))
/// );
/// ```
pub trait TrackerStore {
    /// The stored object of `kind` with `uid` (deleted ones included).
    fn tracker_object(
        &mut self,
        kind: TrackerType,
        uid: &Uid,
    ) -> Result<Option<TrackerObject>, TrackerStoreError>;

    /// Creates or replaces an object (it must have a UID). Inside a transaction it is part of
    /// it.
    fn put_tracker_object(&mut self, object: &TrackerObject) -> Result<(), TrackerStoreError>;

    /// Calls `each` for every stored object of `kind` (deleted ones included), by UID.
    fn tracker_objects(
        &mut self,
        kind: TrackerType,
        each: &mut dyn FnMut(TrackerObject) -> Result<(), TrackerStoreError>,
    ) -> Result<(), TrackerStoreError>;

    /// The UID of the hidden enrollment DHIS2 keeps for an event program (a program without
    /// registration; one per program), if one was made.
    fn event_program_enrollment(&mut self, program: &str)
        -> Result<Option<Uid>, TrackerStoreError>;

    /// Records the hidden enrollment of an event program. Inside a transaction it is part of
    /// it.
    fn put_event_program_enrollment(
        &mut self,
        program: &str,
        enrollment: &Uid,
    ) -> Result<(), TrackerStoreError>;

    /// Starts the import's transaction.
    fn begin_tracker(&mut self) -> Result<(), TrackerStoreError>;
    /// Commits it.
    fn commit_tracker(&mut self) -> Result<(), TrackerStoreError>;
    /// Rolls it back.
    fn rollback_tracker(&mut self) -> Result<(), TrackerStoreError>;
}

fn corrupt(kind: TrackerType, uid: &str, message: impl ToString) -> TrackerStoreError {
    TrackerStoreError::Corrupt {
        kind: record_kind(kind),
        uid: uid.to_owned(),
        message: message.to_string(),
    }
}

impl<S: DataValueStore + ?Sized> TrackerStore for S {
    fn tracker_object(
        &mut self,
        kind: TrackerType,
        uid: &Uid,
    ) -> Result<Option<TrackerObject>, TrackerStoreError> {
        match self.record(record_kind(kind), uid.as_str())? {
            None => Ok(None),
            Some(body) => TrackerObject::from_body(kind, &body)
                .map(Some)
                .map_err(|e| corrupt(kind, uid.as_str(), e)),
        }
    }

    fn put_tracker_object(&mut self, object: &TrackerObject) -> Result<(), TrackerStoreError> {
        let kind = object.kind();
        let uid = object.uid().ok_or_else(|| TrackerStoreError::Corrupt {
            kind: record_kind(kind),
            uid: String::new(),
            message: "an object without UID cannot be stored".to_owned(),
        })?;
        let body = object
            .to_body()
            .map_err(|e| corrupt(kind, uid.as_str(), e))?;
        self.put_record(record_kind(kind), uid.as_str(), &body)?;
        Ok(())
    }

    fn tracker_objects(
        &mut self,
        kind: TrackerType,
        each: &mut dyn FnMut(TrackerObject) -> Result<(), TrackerStoreError>,
    ) -> Result<(), TrackerStoreError> {
        let mut failure: Option<TrackerStoreError> = None;
        let result = self.records(record_kind(kind), &mut |id, body| {
            let outcome = TrackerObject::from_body(kind, body)
                .map_err(|e| corrupt(kind, id, e))
                .and_then(&mut *each);
            match outcome {
                Ok(()) => Ok(()),
                Err(e) => {
                    failure = Some(e);
                    Err(StoreError::Unsupported("stopped"))
                }
            }
        });
        match (failure, result) {
            (Some(e), _) => Err(e),
            (None, r) => Ok(r?),
        }
    }

    fn event_program_enrollment(
        &mut self,
        program: &str,
    ) -> Result<Option<Uid>, TrackerStoreError> {
        match self.record(EVENT_PROGRAM_ENROLLMENT, program)? {
            None => Ok(None),
            Some(body) => {
                Uid::parse(body.trim())
                    .map(Some)
                    .map_err(|_| TrackerStoreError::Corrupt {
                        kind: EVENT_PROGRAM_ENROLLMENT,
                        uid: program.to_owned(),
                        message: format!("`{body}` is not a UID"),
                    })
            }
        }
    }

    fn put_event_program_enrollment(
        &mut self,
        program: &str,
        enrollment: &Uid,
    ) -> Result<(), TrackerStoreError> {
        self.put_record(EVENT_PROGRAM_ENROLLMENT, program, enrollment.as_str())?;
        Ok(())
    }

    fn begin_tracker(&mut self) -> Result<(), TrackerStoreError> {
        Ok(self.begin()?)
    }

    fn commit_tracker(&mut self) -> Result<(), TrackerStoreError> {
        Ok(self.commit()?)
    }

    fn rollback_tracker(&mut self) -> Result<(), TrackerStoreError> {
        Ok(self.rollback()?)
    }
}
