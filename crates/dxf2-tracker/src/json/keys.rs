//! The JSON keys the reader knows, and the pre-2.41 ones it recognises
//! (dhis2-docs 2.41 `tracker-old.md`, "Property names").

use crate::error::Deprecation;
use crate::options::TrackerVersion;

macro_rules! keys {
    ($($variant:ident = $name:literal,)*) => {
        /// A JSON key the reader knows (in any object).
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub(crate) enum Key {
            $($variant,)*
            /// Any other key (its name is kept in the reading context).
            Other,
        }

        impl Key {
            pub(crate) fn from_name(name: &str) -> Key {
                match name {
                    $($name => Key::$variant,)*
                    _ => Key::Other,
                }
            }

            pub(crate) fn name(self) -> &'static str {
                match self {
                    $(Key::$variant => $name,)*
                    Key::Other => "",
                }
            }
        }
    };
}

keys! {
    TrackedEntities = "trackedEntities",
    Enrollments = "enrollments",
    Events = "events",
    Relationships = "relationships",
    TrackedEntity = "trackedEntity",
    TrackedEntityType = "trackedEntityType",
    CreatedAt = "createdAt",
    CreatedAtClient = "createdAtClient",
    UpdatedAt = "updatedAt",
    UpdatedAtClient = "updatedAtClient",
    OrgUnit = "orgUnit",
    Inactive = "inactive",
    Deleted = "deleted",
    PotentialDuplicate = "potentialDuplicate",
    Geometry = "geometry",
    StoredBy = "storedBy",
    CreatedBy = "createdBy",
    UpdatedBy = "updatedBy",
    Attributes = "attributes",
    ProgramOwners = "programOwners",
    Enrollment = "enrollment",
    Program = "program",
    Status = "status",
    EnrolledAt = "enrolledAt",
    OccurredAt = "occurredAt",
    FollowUp = "followUp",
    CompletedBy = "completedBy",
    CompletedAt = "completedAt",
    AttributeOptionCombo = "attributeOptionCombo",
    Notes = "notes",
    Event = "event",
    ProgramStage = "programStage",
    ScheduledAt = "scheduledAt",
    AttributeCategoryOptions = "attributeCategoryOptions",
    AssignedUser = "assignedUser",
    DataValues = "dataValues",
    Relationship = "relationship",
    RelationshipName = "relationshipName",
    RelationshipType = "relationshipType",
    Bidirectional = "bidirectional",
    From = "from",
    To = "to",
    Attribute = "attribute",
    Code = "code",
    DisplayName = "displayName",
    ValueType = "valueType",
    Value = "value",
    ProvidedElsewhere = "providedElsewhere",
    DataElement = "dataElement",
    Note = "note",
    StoredAt = "storedAt",
    Uid = "uid",
    Username = "username",
    FirstName = "firstName",
    Surname = "surname",
    // Pre-2.41 keys.
    TrackedEntityInstances = "trackedEntityInstances",
    Instances = "instances",
    TrackedEntityInstance = "trackedEntityInstance",
    Created = "created",
    LastUpdated = "lastUpdated",
    LastUpdatedAtClient = "lastUpdatedAtClient",
    CreatedByUserInfo = "createdByUserInfo",
    LastUpdatedByUserInfo = "lastUpdatedByUserInfo",
    EnrollmentDate = "enrollmentDate",
    IncidentDate = "incidentDate",
    CompletedDate = "completedDate",
    EventDate = "eventDate",
    DueDate = "dueDate",
    Followup = "followup",
    StoredDate = "storedDate",
    LastUpdatedBy = "lastUpdatedBy",
    OwnerOrgUnit = "ownerOrgUnit",
}

/// The object a key belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Obj {
    Root,
    TrackedEntity,
    Enrollment,
    Event,
    Relationship,
    Item,
    Attribute,
    DataValue,
    Note,
    ProgramOwner,
    User,
}

impl Obj {
    pub(crate) fn describe(self) -> &'static str {
        match self {
            Obj::Root => "the payload",
            Obj::TrackedEntity => "a tracked entity",
            Obj::Enrollment => "an enrollment",
            Obj::Event => "an event",
            Obj::Relationship => "a relationship",
            Obj::Item => "a relationship item",
            Obj::Attribute => "an attribute",
            Obj::DataValue => "a data value",
            Obj::Note => "a note",
            Obj::ProgramOwner => "a program owner",
            Obj::User => "a user",
        }
    }
}

const READ_ONLY: &str = "a read-only value DHIS2 2.41+ ignores";

/// What a pre-2.41 key became, when `key` is one in `obj`.
pub(crate) fn legacy(obj: Obj, key: Key, version: TrackerVersion) -> Option<Deprecation> {
    use Key as K;
    let (new, consequence): (&'static str, &'static str) = match (obj, key) {
        (Obj::Root, K::TrackedEntityInstances) => (
            "trackedEntities",
            "DHIS2 2.41+ ignores the unknown key and imports nothing, answering OK with total 0",
        ),
        (Obj::Root, K::Instances) => (
            "trackedEntities, enrollments, events or relationships",
            "`instances` is the envelope of a 2.38–2.40 /api/tracker export; DHIS2 2.41+ imports nothing from it",
        ),
        (Obj::TrackedEntity, K::TrackedEntityInstance) => (
            "trackedEntity",
            "DHIS2 2.41+ ignores it and gives the tracked entity a new UID",
        ),
        (Obj::Enrollment, K::TrackedEntityInstance) => (
            "trackedEntity",
            "DHIS2 2.41+ ignores it: E1122, the enrollment's tracked entity is missing",
        ),
        (Obj::Event, K::TrackedEntityInstance) => ("trackedEntity", READ_ONLY),
        (Obj::Item, K::TrackedEntityInstance) => (
            "trackedEntity ({\"trackedEntity\": {\"trackedEntity\": UID}})",
            "DHIS2 2.41+ ignores it: E4001, the relationship item names nothing",
        ),
        (Obj::ProgramOwner, K::TrackedEntityInstance) => ("trackedEntity", READ_ONLY),
        (
            Obj::TrackedEntity
            | Obj::Enrollment
            | Obj::Event
            | Obj::Relationship
            | Obj::Attribute
            | Obj::DataValue,
            K::Created,
        ) => ("createdAt", READ_ONLY),
        (
            Obj::TrackedEntity
            | Obj::Enrollment
            | Obj::Event
            | Obj::Relationship
            | Obj::Attribute
            | Obj::DataValue,
            K::LastUpdated,
        ) => ("updatedAt", READ_ONLY),
        (Obj::TrackedEntity | Obj::Enrollment | Obj::Event, K::LastUpdatedAtClient) => (
            "updatedAtClient",
            "DHIS2 2.41+ ignores it and the client's date is lost",
        ),
        (Obj::TrackedEntity | Obj::DataValue, K::CreatedByUserInfo) => ("createdBy", READ_ONLY),
        (Obj::TrackedEntity | Obj::DataValue, K::LastUpdatedByUserInfo) => {
            ("updatedBy", READ_ONLY)
        }
        (Obj::Enrollment, K::EnrollmentDate) => (
            "enrolledAt",
            "DHIS2 2.41+ ignores it: E1025, enrolledAt is missing",
        ),
        (Obj::Enrollment, K::IncidentDate) => (
            "occurredAt",
            "DHIS2 2.41+ ignores it and the incident date is lost (E1023 where the program shows it)",
        ),
        (Obj::Enrollment | Obj::Event, K::CompletedDate) => (
            "completedAt",
            "DHIS2 2.41+ ignores it and the completion date is lost",
        ),
        (Obj::Event, K::EventDate) => (
            "occurredAt",
            "DHIS2 2.41+ ignores it: E1031, occurredAt is missing, for every active or completed event",
        ),
        (Obj::Event, K::DueDate) => (
            "scheduledAt",
            "DHIS2 2.41+ ignores it and the due date is lost (E1050 for scheduled events)",
        ),
        (Obj::Event, K::Followup) if version >= TrackerVersion::V2_42 => (
            "followUp",
            "DHIS2 2.41 still read it; 2.42+ ignores it",
        ),
        (Obj::Note, K::StoredDate) => ("storedAt", READ_ONLY),
        (Obj::Note, K::LastUpdatedBy) => ("createdBy", READ_ONLY),
        (Obj::ProgramOwner, K::OwnerOrgUnit) => ("orgUnit", READ_ONLY),
        _ => return None,
    };
    Some(Deprecation {
        object: obj.describe(),
        old: key.name().to_owned(),
        new,
        consequence,
    })
}

/// The deprecation of a pre-2.41 `assignedUser` text (a user UID).
pub(crate) fn legacy_assigned_user() -> Deprecation {
    Deprecation {
        object: Obj::Event.describe(),
        old: "assignedUser (a user UID as text)".to_owned(),
        new: "assignedUser ({\"uid\": …} or {\"username\": …}, an object)",
        consequence: "DHIS2 2.41+ refuses the whole request (HTTP 400)",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_round_trip_their_names() {
        for name in ["trackedEntities", "eventDate", "uid", "ownerOrgUnit"] {
            assert_eq!(Key::from_name(name).name(), name);
        }
        assert_eq!(Key::from_name("orgUnitName"), Key::Other);
    }

    #[test]
    fn legacy_keys_say_what_they_became() {
        let d = legacy(Obj::Event, Key::EventDate, TrackerVersion::V2_42).unwrap();
        assert_eq!(d.new, "occurredAt");
        assert!(legacy(Obj::Event, Key::Followup, TrackerVersion::V2_41).is_none());
        assert!(legacy(Obj::Event, Key::Followup, TrackerVersion::V2_42).is_some());
        assert!(legacy(Obj::User, Key::Created, TrackerVersion::V2_42).is_none());
        assert!(legacy(Obj::Event, Key::OccurredAt, TrackerVersion::V2_42).is_none());
    }
}
