//! The tracker objects of DHIS2 2.41+ (`/api/tracker`), one struct per JSON object, with every
//! key of DHIS2's view classes.
//!
//! Conventions, which follow how DHIS2 binds JSON:
//!
//! * **Texts** (metadata references, names, values) are `String`s; **an empty string is
//!   absent**, because DHIS2 reads `""` as `null` for every text field. A metadata reference
//!   given as `""` is therefore missing (`E1121` and friends), as DHIS2 decides.
//! * **UIDs** of data (`trackedEntity`, `enrollment`, `event`, `relationship`, `note`) are
//!   [`Uid`]s: DHIS2 2.42+ refuses a bad one while parsing.
//! * **Dates** are [`Timestamp`]s (UTC, millisecond precision).
//! * **Booleans** are plain `bool`s, `false` when absent (Java primitives).
//! * **Lists** are `Vec`s, empty when absent; `dataValues` is a set for DHIS2 (identical data
//!   values collapse; the readers drop exact duplicates and keep the first).
//!
//! Which keys the importer reads and which it ignores is in each field's documentation (the
//! spec's "Import" column): the model keeps them all, so that an export can be written back.

use dxf2_model::{Uid, ValueType};

use crate::geometry::Geometry;
use crate::time::Timestamp;

/// The four kinds of tracker object, as DHIS2's import report names them (`TrackerType`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TrackerType {
    /// `TRACKED_ENTITY`.
    TrackedEntity,
    /// `ENROLLMENT`.
    Enrollment,
    /// `EVENT`.
    Event,
    /// `RELATIONSHIP`.
    Relationship,
}

impl TrackerType {
    /// The four, in DHIS2's import order.
    pub const ALL: [TrackerType; 4] = [
        TrackerType::TrackedEntity,
        TrackerType::Enrollment,
        TrackerType::Event,
        TrackerType::Relationship,
    ];

    /// The report name: `TRACKED_ENTITY`, `ENROLLMENT`, `EVENT`, `RELATIONSHIP`.
    pub fn name(self) -> &'static str {
        match self {
            TrackerType::TrackedEntity => "TRACKED_ENTITY",
            TrackerType::Enrollment => "ENROLLMENT",
            TrackerType::Event => "EVENT",
            TrackerType::Relationship => "RELATIONSHIP",
        }
    }

    /// The key of the payload's and exports' list: `trackedEntities`, `enrollments`, `events`,
    /// `relationships`.
    pub fn list_key(self) -> &'static str {
        match self {
            TrackerType::TrackedEntity => "trackedEntities",
            TrackerType::Enrollment => "enrollments",
            TrackerType::Event => "events",
            TrackerType::Relationship => "relationships",
        }
    }

    /// The key of an object's own UID: `trackedEntity`, `enrollment`, `event`, `relationship`.
    pub fn uid_key(self) -> &'static str {
        match self {
            TrackerType::TrackedEntity => "trackedEntity",
            TrackerType::Enrollment => "enrollment",
            TrackerType::Event => "event",
            TrackerType::Relationship => "relationship",
        }
    }
}

/// A DHIS2 enum read from its exact (case-sensitive) name.
pub trait NamedEnum: Sized + Copy + 'static {
    /// DHIS2's enum class, for messages.
    const TYPE_NAME: &'static str;
    /// Every name, in Java's declaration order (a JSON integer is read as the index, as Jackson
    /// does).
    const NAMES: &'static [&'static str];
    /// The values, in the same order.
    const VALUES: &'static [Self];

    /// The value of a name.
    fn from_name(name: &str) -> Option<Self> {
        Self::NAMES
            .iter()
            .position(|n| *n == name)
            .and_then(|i| Self::VALUES.get(i).copied())
    }
}

/// `EventStatus`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum EventStatus {
    /// `ACTIVE` (the default).
    #[default]
    Active,
    /// `COMPLETED`.
    Completed,
    /// `VISITED` (the importer rewrites it to `ACTIVE`).
    Visited,
    /// `SCHEDULE`.
    Schedule,
    /// `OVERDUE`.
    Overdue,
    /// `SKIPPED`.
    Skipped,
}

impl EventStatus {
    /// DHIS2's name.
    pub fn name(self) -> &'static str {
        match self {
            EventStatus::Active => "ACTIVE",
            EventStatus::Completed => "COMPLETED",
            EventStatus::Visited => "VISITED",
            EventStatus::Schedule => "SCHEDULE",
            EventStatus::Overdue => "OVERDUE",
            EventStatus::Skipped => "SKIPPED",
        }
    }
}

impl NamedEnum for EventStatus {
    const TYPE_NAME: &'static str = "EventStatus";
    const NAMES: &'static [&'static str] = &[
        "ACTIVE",
        "COMPLETED",
        "VISITED",
        "SCHEDULE",
        "OVERDUE",
        "SKIPPED",
    ];
    const VALUES: &'static [EventStatus] = &[
        EventStatus::Active,
        EventStatus::Completed,
        EventStatus::Visited,
        EventStatus::Schedule,
        EventStatus::Overdue,
        EventStatus::Skipped,
    ];
}

/// `EnrollmentStatus`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum EnrollmentStatus {
    /// `ACTIVE` (the default).
    #[default]
    Active,
    /// `COMPLETED`.
    Completed,
    /// `CANCELLED`.
    Cancelled,
}

impl EnrollmentStatus {
    /// DHIS2's name.
    pub fn name(self) -> &'static str {
        match self {
            EnrollmentStatus::Active => "ACTIVE",
            EnrollmentStatus::Completed => "COMPLETED",
            EnrollmentStatus::Cancelled => "CANCELLED",
        }
    }
}

impl NamedEnum for EnrollmentStatus {
    const TYPE_NAME: &'static str = "EnrollmentStatus";
    const NAMES: &'static [&'static str] = &["ACTIVE", "COMPLETED", "CANCELLED"];
    const VALUES: &'static [EnrollmentStatus] = &[
        EnrollmentStatus::Active,
        EnrollmentStatus::Completed,
        EnrollmentStatus::Cancelled,
    ];
}

/// A user as tracker objects name one (`assignedUser`, `createdBy`, `updatedBy`, notes'
/// `createdBy`). On import only `uid` and `username` count (for `assignedUser`); the names are
/// export-only.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct User {
    /// `uid` (a plain text, not checked as a UID).
    pub uid: String,
    /// `username`.
    pub username: String,
    /// `firstName` (export only).
    pub first_name: String,
    /// `surname` (export only).
    pub surname: String,
    /// `displayName` (export only).
    pub display_name: String,
}

impl User {
    /// A user named by username only.
    pub fn with_username(username: impl Into<String>) -> User {
        User {
            username: username.into(),
            ..User::default()
        }
    }

    /// Whether neither `uid` nor `username` is set (DHIS2 treats such a user as none).
    pub fn is_empty(&self) -> bool {
        self.uid.is_empty() && self.username.is_empty()
    }
}

/// A tracked entity attribute value (`attributes[]` of tracked entities and enrollments).
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Attribute {
    /// `attribute`: the attribute (idScheme). Required (`E1075` on enrollments).
    pub attribute: String,
    /// `code` (export only).
    pub code: String,
    /// `displayName` (export only).
    pub display_name: String,
    /// `createdAt` (export only).
    pub created_at: Option<Timestamp>,
    /// `updatedAt` (export only).
    pub updated_at: Option<Timestamp>,
    /// `storedBy` (export only; written as `updatedBy` after 2.43).
    pub stored_by: String,
    /// `valueType` (export only).
    pub value_type: Option<ValueType>,
    /// `value`; empty (null) deletes a stored value.
    pub value: String,
}

/// A data value of an event (`dataValues[]`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct DataValue {
    /// `createdAt` (export only).
    pub created_at: Option<Timestamp>,
    /// `updatedAt` (export only).
    pub updated_at: Option<Timestamp>,
    /// `storedBy` (export only).
    pub stored_by: String,
    /// `providedElsewhere`.
    pub provided_elsewhere: bool,
    /// `dataElement` (dataElementIdScheme). Required.
    pub data_element: String,
    /// `value`; empty (null) deletes on update and is a no-op on create.
    pub value: String,
    /// `createdBy` (export only).
    pub created_by: Option<User>,
    /// `updatedBy` (export only).
    pub updated_by: Option<User>,
}

/// A note of an enrollment or event (`notes[]`): append-only.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Note {
    /// `note`: generated when absent (flattening); an existing one gives warning `E1119`.
    pub note: Option<Uid>,
    /// `storedAt` (export only).
    pub stored_at: Option<Timestamp>,
    /// `value`; notes without one are dropped when flattening.
    pub value: String,
    /// `createdBy` (export only).
    pub created_by: Option<User>,
    /// `storedBy` (export only, until 2.43).
    pub stored_by: String,
}

/// The owner of a tracked entity in a program (`programOwners[]`, export only).
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct ProgramOwner {
    /// `orgUnit`.
    pub org_unit: String,
    /// `trackedEntity`.
    pub tracked_entity: String,
    /// `program`.
    pub program: String,
}

/// One end of a relationship (`from`, `to`): exactly one of a tracked entity, an enrollment or an
/// event (zero or several is `E4001` for the importer, which reads only their UIDs). Exports may
/// carry the whole object (limited by `fields`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RelationshipItem {
    /// `trackedEntity`: `{"trackedEntity": UID, …}`.
    pub tracked_entity: Option<Box<TrackedEntity>>,
    /// `enrollment`: `{"enrollment": UID, …}`.
    pub enrollment: Option<Box<Enrollment>>,
    /// `event`: `{"event": UID, …}`.
    pub event: Option<Box<Event>>,
}

/// What a relationship item points at, when it names exactly one object.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ItemRef {
    /// A tracked entity.
    TrackedEntity(Uid),
    /// An enrollment.
    Enrollment(Uid),
    /// An event.
    Event(Uid),
}

impl RelationshipItem {
    /// An item pointing at a tracked entity.
    pub fn tracked_entity(uid: Uid) -> RelationshipItem {
        RelationshipItem {
            tracked_entity: Some(Box::new(TrackedEntity {
                tracked_entity: Some(uid),
                ..TrackedEntity::default()
            })),
            ..RelationshipItem::default()
        }
    }

    /// An item pointing at an enrollment.
    pub fn enrollment(uid: Uid) -> RelationshipItem {
        RelationshipItem {
            enrollment: Some(Box::new(Enrollment {
                enrollment: Some(uid),
                ..Enrollment::default()
            })),
            ..RelationshipItem::default()
        }
    }

    /// An item pointing at an event.
    pub fn event(uid: Uid) -> RelationshipItem {
        RelationshipItem {
            event: Some(Box::new(Event {
                event: Some(uid),
                ..Event::default()
            })),
            ..RelationshipItem::default()
        }
    }

    /// The UIDs the importer reads: `trackedEntity.trackedEntity`, `enrollment.enrollment`,
    /// `event.event`.
    pub fn uids(&self) -> [Option<ItemRef>; 3] {
        [
            self.tracked_entity
                .as_ref()
                .and_then(|t| t.tracked_entity)
                .map(ItemRef::TrackedEntity),
            self.enrollment
                .as_ref()
                .and_then(|e| e.enrollment)
                .map(ItemRef::Enrollment),
            self.event
                .as_ref()
                .and_then(|e| e.event)
                .map(ItemRef::Event),
        ]
    }

    /// The one object the item names, or `None` when it names none or several (`E4001`).
    pub fn single(&self) -> Option<ItemRef> {
        let mut found = self.uids().into_iter().flatten();
        match (found.next(), found.next()) {
            (Some(r), None) => Some(r),
            _ => None,
        }
    }
}

/// A relationship between two tracker objects (`view/Relationship.java`). Relationships are
/// immutable once stored.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Relationship {
    /// `relationship`: generated when absent (flattening).
    pub relationship: Option<Uid>,
    /// `relationshipName` (export only).
    pub relationship_name: String,
    /// `relationshipType` (idScheme). Required (`E1124`).
    pub relationship_type: String,
    /// `createdAt` (export only).
    pub created_at: Option<Timestamp>,
    /// `createdAtClient`.
    pub created_at_client: Option<Timestamp>,
    /// `updatedAt` (export only).
    pub updated_at: Option<Timestamp>,
    /// `bidirectional` (export only; from the type).
    pub bidirectional: bool,
    /// `deleted` (export only, 2.42+).
    pub deleted: bool,
    /// `from`. Required (`E4001`).
    pub from: Option<RelationshipItem>,
    /// `to`. Required (`E4001`).
    pub to: Option<RelationshipItem>,
}

/// An event (`view/Event.java`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Event {
    /// `event`: generated when absent (flattening).
    pub event: Option<Uid>,
    /// `status` (`ACTIVE` when absent; `VISITED` becomes `ACTIVE` on import).
    pub status: EventStatus,
    /// `program` (programIdScheme): derived from the stage when absent.
    pub program: String,
    /// `programStage` (programStageIdScheme): required unless the program is an event program
    /// (`E1123`).
    pub program_stage: String,
    /// `enrollment`: required in tracker programs (`E1033`); overwritten when nested.
    pub enrollment: Option<Uid>,
    /// `trackedEntity` (export only).
    pub tracked_entity: Option<Uid>,
    /// `orgUnit` (orgUnitIdScheme). Required (`E1123`).
    pub org_unit: String,
    /// `relationships` (moved to the payload's list when flattening).
    pub relationships: Vec<Relationship>,
    /// `occurredAt`: required for event programs and ACTIVE/COMPLETED tracker events (`E1031`).
    pub occurred_at: Option<Timestamp>,
    /// `scheduledAt`: required when `SCHEDULE` (`E1050`).
    pub scheduled_at: Option<Timestamp>,
    /// `storedBy` (export only, until 2.43).
    pub stored_by: String,
    /// `followUp` (export only: the enrollment's).
    pub follow_up: bool,
    /// `deleted` (export only).
    pub deleted: bool,
    /// `createdAt` (export only).
    pub created_at: Option<Timestamp>,
    /// `createdAtClient`.
    pub created_at_client: Option<Timestamp>,
    /// `updatedAt` (export only).
    pub updated_at: Option<Timestamp>,
    /// `updatedAtClient`.
    pub updated_at_client: Option<Timestamp>,
    /// `attributeOptionCombo` (categoryOptionComboIdScheme).
    pub attribute_option_combo: String,
    /// `attributeCategoryOptions`: comma-separated category options (categoryOptionIdScheme).
    pub attribute_category_options: String,
    /// `completedBy` (export only).
    pub completed_by: String,
    /// `completedAt`: only with `COMPLETED` (`E1051`).
    pub completed_at: Option<Timestamp>,
    /// `geometry`: checked against the program stage's feature type.
    pub geometry: Option<Geometry>,
    /// `assignedUser`: by `uid` and/or `username`.
    pub assigned_user: Option<User>,
    /// `createdBy` (export only).
    pub created_by: Option<User>,
    /// `updatedBy` (export only).
    pub updated_by: Option<User>,
    /// `dataValues`.
    pub data_values: Vec<DataValue>,
    /// `notes`.
    pub notes: Vec<Note>,
}

/// An enrollment (`view/Enrollment.java`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Enrollment {
    /// `enrollment`: generated when absent (flattening).
    pub enrollment: Option<Uid>,
    /// `createdAt` (export only).
    pub created_at: Option<Timestamp>,
    /// `createdAtClient`.
    pub created_at_client: Option<Timestamp>,
    /// `updatedAt` (export only).
    pub updated_at: Option<Timestamp>,
    /// `updatedAtClient`.
    pub updated_at_client: Option<Timestamp>,
    /// `trackedEntity`: required when flat (`E1122`); overwritten when nested.
    pub tracked_entity: Option<Uid>,
    /// `program` (programIdScheme). Required (`E1122`).
    pub program: String,
    /// `status` (`ACTIVE` when absent).
    pub status: EnrollmentStatus,
    /// `orgUnit` (orgUnitIdScheme). Required (`E1122`).
    pub org_unit: String,
    /// `enrolledAt`. Required (`E1025`).
    pub enrolled_at: Option<Timestamp>,
    /// `occurredAt`.
    pub occurred_at: Option<Timestamp>,
    /// `followUp`.
    pub follow_up: bool,
    /// `completedBy` (export only).
    pub completed_by: String,
    /// `completedAt`: only with `COMPLETED`/`CANCELLED` (`E1052`).
    pub completed_at: Option<Timestamp>,
    /// `deleted` (export only).
    pub deleted: bool,
    /// `storedBy` (export only, until 2.43).
    pub stored_by: String,
    /// `createdBy` (export only).
    pub created_by: Option<User>,
    /// `updatedBy` (export only).
    pub updated_by: Option<User>,
    /// `geometry`: checked against the program's feature type.
    pub geometry: Option<Geometry>,
    /// `attributeOptionCombo` (2.43+).
    pub attribute_option_combo: String,
    /// `events` (moved to the payload's list when flattening).
    pub events: Vec<Event>,
    /// `relationships` (moved to the payload's list when flattening).
    pub relationships: Vec<Relationship>,
    /// `attributes`: program attributes only (`E1019`).
    pub attributes: Vec<Attribute>,
    /// `notes`.
    pub notes: Vec<Note>,
}

/// A tracked entity (`view/TrackedEntity.java`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TrackedEntity {
    /// `trackedEntity`: generated when absent (flattening).
    pub tracked_entity: Option<Uid>,
    /// `trackedEntityType` (idScheme). Required (`E1121`).
    pub tracked_entity_type: String,
    /// `createdAt` (export only).
    pub created_at: Option<Timestamp>,
    /// `createdAtClient`.
    pub created_at_client: Option<Timestamp>,
    /// `updatedAt` (export only).
    pub updated_at: Option<Timestamp>,
    /// `updatedAtClient`.
    pub updated_at_client: Option<Timestamp>,
    /// `orgUnit` (orgUnitIdScheme): the registration org unit. Required (`E1121`).
    pub org_unit: String,
    /// `inactive`.
    pub inactive: bool,
    /// `deleted` (export only).
    pub deleted: bool,
    /// `potentialDuplicate`.
    pub potential_duplicate: bool,
    /// `geometry`: checked against the tracked entity type's feature type.
    pub geometry: Option<Geometry>,
    /// `storedBy` (export only, until 2.43).
    pub stored_by: String,
    /// `createdBy` (export only).
    pub created_by: Option<User>,
    /// `updatedBy` (export only).
    pub updated_by: Option<User>,
    /// `relationships` (moved to the payload's list when flattening).
    pub relationships: Vec<Relationship>,
    /// `attributes`.
    pub attributes: Vec<Attribute>,
    /// `enrollments` (moved to the payload's list when flattening).
    pub enrollments: Vec<Enrollment>,
    /// `programOwners` (export only).
    pub program_owners: Vec<ProgramOwner>,
}

/// A whole tracker payload (`{"trackedEntities": […], "enrollments": […], "events": […],
/// "relationships": […]}`), nested as read, or flat after [`flatten`](crate::flatten()).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Payload {
    /// `trackedEntities`.
    pub tracked_entities: Vec<TrackedEntity>,
    /// `enrollments`.
    pub enrollments: Vec<Enrollment>,
    /// `events`.
    pub events: Vec<Event>,
    /// `relationships`.
    pub relationships: Vec<Relationship>,
}

impl Payload {
    /// Whether all four lists are empty (`{}`).
    pub fn is_empty(&self) -> bool {
        self.tracked_entities.is_empty()
            && self.enrollments.is_empty()
            && self.events.is_empty()
            && self.relationships.is_empty()
    }

    /// The number of objects of each type at the top level (nested ones not counted).
    pub fn len(&self, kind: TrackerType) -> usize {
        match kind {
            TrackerType::TrackedEntity => self.tracked_entities.len(),
            TrackerType::Enrollment => self.enrollments.len(),
            TrackerType::Event => self.events.len(),
            TrackerType::Relationship => self.relationships.len(),
        }
    }

    /// Adds one top-level object.
    pub fn push(&mut self, item: Item<'_>) {
        match item {
            Item::TrackedEntity(t) => self.tracked_entities.push(std::mem::take(t)),
            Item::Enrollment(e) => self.enrollments.push(std::mem::take(e)),
            Item::Event(e) => self.events.push(std::mem::take(e)),
            Item::Relationship(r) => self.relationships.push(std::mem::take(r)),
        }
    }
}

/// One top-level object handed out by a streaming reader or the streaming
/// [`Flattener`](crate::Flattener): a reused record, which the receiver may read, change or take
/// (`std::mem::take`).
#[derive(Debug)]
pub enum Item<'a> {
    /// An element of `trackedEntities`.
    TrackedEntity(&'a mut TrackedEntity),
    /// An element of `enrollments`.
    Enrollment(&'a mut Enrollment),
    /// An element of `events`.
    Event(&'a mut Event),
    /// An element of `relationships`.
    Relationship(&'a mut Relationship),
}

impl Item<'_> {
    /// Its type.
    pub fn kind(&self) -> TrackerType {
        match self {
            Item::TrackedEntity(_) => TrackerType::TrackedEntity,
            Item::Enrollment(_) => TrackerType::Enrollment,
            Item::Event(_) => TrackerType::Event,
            Item::Relationship(_) => TrackerType::Relationship,
        }
    }

    /// Its own UID, when it has one.
    pub fn uid(&self) -> Option<Uid> {
        match self {
            Item::TrackedEntity(t) => t.tracked_entity,
            Item::Enrollment(e) => e.enrollment,
            Item::Event(e) => e.event,
            Item::Relationship(r) => r.relationship,
        }
    }
}

/// Removes exact duplicates from a list of data values, keeping the first of each (DHIS2 binds
/// `dataValues` to a `Set`).
pub(crate) fn dedupe_data_values(values: &mut Vec<DataValue>) {
    if values.len() < 2 {
        return;
    }
    let keep: Vec<bool> = {
        let mut seen = std::collections::HashSet::with_capacity(values.len());
        values.iter().map(|v| seen.insert(v)).collect()
    };
    if keep.iter().all(|k| *k) {
        return;
    }
    let mut flags = keep.into_iter();
    values.retain(|_| flags.next().unwrap_or(true));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn items_name_one_object_or_none() {
        let a = Uid::parse("IybbQIQt6te").unwrap();
        let b = Uid::parse("IybbQIQt6ev").unwrap();
        assert_eq!(
            RelationshipItem::tracked_entity(a).single(),
            Some(ItemRef::TrackedEntity(a))
        );
        let mut two = RelationshipItem::tracked_entity(a);
        two.event = RelationshipItem::event(b).event;
        assert_eq!(two.single(), None);
        assert_eq!(RelationshipItem::default().single(), None);
        let empty_inner = RelationshipItem {
            enrollment: Some(Box::default()),
            ..RelationshipItem::default()
        };
        assert_eq!(empty_inner.single(), None);
    }

    #[test]
    fn identical_data_values_collapse() {
        let dv = |de: &str, v: &str| DataValue {
            data_element: de.into(),
            value: v.into(),
            ..DataValue::default()
        };
        let mut values = vec![dv("a", "1"), dv("b", "2"), dv("a", "1"), dv("a", "3")];
        dedupe_data_values(&mut values);
        assert_eq!(values, vec![dv("a", "1"), dv("b", "2"), dv("a", "3")]);
    }

    #[test]
    fn enums_read_dhis2_names() {
        assert_eq!(
            EventStatus::from_name("SCHEDULE"),
            Some(EventStatus::Schedule)
        );
        assert_eq!(EventStatus::from_name("schedule"), None);
        assert_eq!(
            EnrollmentStatus::from_name("CANCELLED"),
            Some(EnrollmentStatus::Cancelled)
        );
        for (i, name) in EventStatus::NAMES.iter().enumerate() {
            assert_eq!(EventStatus::VALUES[i].name(), *name);
        }
    }
}
