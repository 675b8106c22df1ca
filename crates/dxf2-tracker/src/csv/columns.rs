//! The columns of DHIS2's tracker CSV files, per version and endpoint.

use crate::options::TrackerVersion;

/// A column of the events CSV (`CsvEventDataValue`, `TrackerEventCsvRow`, `SingleEventCsvRow`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[allow(missing_docs)]
pub enum EventColumn {
    Event,
    Status,
    Program,
    ProgramStage,
    Enrollment,
    OrgUnit,
    OccurredAt,
    ScheduledAt,
    Geometry,
    Latitude,
    Longitude,
    FollowUp,
    Deleted,
    CreatedAt,
    CreatedAtClient,
    UpdatedAt,
    UpdatedAtClient,
    CompletedBy,
    CompletedAt,
    UpdatedBy,
    AttributeOptionCombo,
    AttributeCategoryOptions,
    AssignedUser,
    DataElement,
    Value,
    StoredBy,
    ProvidedElsewhere,
    StoredByDataValue,
    UpdatedAtDataValue,
    CreatedAtDataValue,
}

impl EventColumn {
    /// Number of distinct columns.
    pub const COUNT: usize = 30;

    /// The header name (case-sensitive).
    pub fn name(self) -> &'static str {
        use EventColumn as C;
        match self {
            C::Event => "event",
            C::Status => "status",
            C::Program => "program",
            C::ProgramStage => "programStage",
            C::Enrollment => "enrollment",
            C::OrgUnit => "orgUnit",
            C::OccurredAt => "occurredAt",
            C::ScheduledAt => "scheduledAt",
            C::Geometry => "geometry",
            C::Latitude => "latitude",
            C::Longitude => "longitude",
            C::FollowUp => "followUp",
            C::Deleted => "deleted",
            C::CreatedAt => "createdAt",
            C::CreatedAtClient => "createdAtClient",
            C::UpdatedAt => "updatedAt",
            C::UpdatedAtClient => "updatedAtClient",
            C::CompletedBy => "completedBy",
            C::CompletedAt => "completedAt",
            C::UpdatedBy => "updatedBy",
            C::AttributeOptionCombo => "attributeOptionCombo",
            C::AttributeCategoryOptions => "attributeCategoryOptions",
            C::AssignedUser => "assignedUser",
            C::DataElement => "dataElement",
            C::Value => "value",
            C::StoredBy => "storedBy",
            C::ProvidedElsewhere => "providedElsewhere",
            C::StoredByDataValue => "storedByDataValue",
            C::UpdatedAtDataValue => "updatedAtDataValue",
            C::CreatedAtDataValue => "createdAtDataValue",
        }
    }

    /// A dense index (0–29), in the 2.41–2.43 `/events` order.
    pub(crate) fn index(self) -> usize {
        self as usize
    }
}

use EventColumn as C;

const EVENTS: &[EventColumn] = &[
    C::Event,
    C::Status,
    C::Program,
    C::ProgramStage,
    C::Enrollment,
    C::OrgUnit,
    C::OccurredAt,
    C::ScheduledAt,
    C::Geometry,
    C::Latitude,
    C::Longitude,
    C::FollowUp,
    C::Deleted,
    C::CreatedAt,
    C::CreatedAtClient,
    C::UpdatedAt,
    C::UpdatedAtClient,
    C::CompletedBy,
    C::CompletedAt,
    C::UpdatedBy,
    C::AttributeOptionCombo,
    C::AttributeCategoryOptions,
    C::AssignedUser,
    C::DataElement,
    C::Value,
    C::StoredBy,
    C::ProvidedElsewhere,
    C::StoredByDataValue,
    C::UpdatedAtDataValue,
    C::CreatedAtDataValue,
];

const TRACKER_EVENTS: &[EventColumn] = &[
    C::Event,
    C::Status,
    C::Program,
    C::ProgramStage,
    C::Enrollment,
    C::OrgUnit,
    C::OccurredAt,
    C::ScheduledAt,
    C::Geometry,
    C::Latitude,
    C::Longitude,
    C::FollowUp,
    C::Deleted,
    C::CreatedAt,
    C::CreatedAtClient,
    C::UpdatedAt,
    C::UpdatedAtClient,
    C::CompletedBy,
    C::CompletedAt,
    C::UpdatedBy,
    C::AttributeOptionCombo,
    C::AttributeCategoryOptions,
    C::AssignedUser,
    C::DataElement,
    C::Value,
    C::StoredBy,
    C::ProvidedElsewhere,
    C::StoredByDataValue,
    C::CreatedAtDataValue,
    C::UpdatedAtDataValue,
];

const SINGLE_EVENTS: &[EventColumn] = &[
    C::Event,
    C::Status,
    C::Program,
    C::OrgUnit,
    C::OccurredAt,
    C::Geometry,
    C::Latitude,
    C::Longitude,
    C::Deleted,
    C::CreatedAt,
    C::CreatedAtClient,
    C::UpdatedAt,
    C::UpdatedAtClient,
    C::CompletedBy,
    C::CompletedAt,
    C::UpdatedBy,
    C::AttributeOptionCombo,
    C::AttributeCategoryOptions,
    C::AssignedUser,
    C::DataElement,
    C::Value,
    C::StoredBy,
    C::ProvidedElsewhere,
    C::StoredByDataValue,
    C::CreatedAtDataValue,
    C::UpdatedAtDataValue,
];

const EVENTS_MASTER: &[EventColumn] = &[
    C::Event,
    C::Status,
    C::Program,
    C::ProgramStage,
    C::Enrollment,
    C::OrgUnit,
    C::OccurredAt,
    C::ScheduledAt,
    C::Geometry,
    C::Latitude,
    C::Longitude,
    C::FollowUp,
    C::Deleted,
    C::CreatedAt,
    C::CreatedAtClient,
    C::UpdatedAt,
    C::UpdatedAtClient,
    C::CompletedBy,
    C::CompletedAt,
    C::UpdatedBy,
    C::AttributeOptionCombo,
    C::AttributeCategoryOptions,
    C::AssignedUser,
    C::DataElement,
    C::Value,
    C::ProvidedElsewhere,
    C::UpdatedAtDataValue,
    C::CreatedAtDataValue,
];

/// An events CSV layout: the columns, in order, of one DHIS2 writer (and the column set of its
/// reader).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum EventCsvLayout {
    /// `/api/tracker/events` of 2.41, 2.42 and 2.43 (`CsvEventDataValue`), and the CSV reader of
    /// those versions: 30 columns, `…,storedByDataValue,updatedAtDataValue,createdAtDataValue`
    /// (the property order names `createAtDataValue`, a typo, so the real property goes last).
    Events,
    /// 2.43's `/api/tracker/trackerEvents` (`TrackerEventCsvRow`): the same 30 columns, the
    /// typo fixed (`…,storedByDataValue,createdAtDataValue,updatedAtDataValue`).
    TrackerEvents,
    /// 2.43's `/api/tracker/singleEvents` (`SingleEventCsvRow`): 26 columns, without
    /// `programStage`, `enrollment`, `scheduledAt` and `followUp`.
    SingleEvents,
    /// `/api/tracker/events` after 2.43 (and its reader): 28 columns, `storedBy` and
    /// `storedByDataValue` removed.
    EventsMaster,
}

impl EventCsvLayout {
    /// The columns, in order.
    pub fn columns(self) -> &'static [EventColumn] {
        match self {
            EventCsvLayout::Events => EVENTS,
            EventCsvLayout::TrackerEvents => TRACKER_EVENTS,
            EventCsvLayout::SingleEvents => SINGLE_EVENTS,
            EventCsvLayout::EventsMaster => EVENTS_MASTER,
        }
    }

    /// The header line, without line end.
    pub fn header(self) -> String {
        self.columns()
            .iter()
            .map(|c| c.name())
            .collect::<Vec<_>>()
            .join(",")
    }

    /// The layout `/api/tracker/events` writes, and the import reads, in `version`.
    pub fn of(version: TrackerVersion) -> EventCsvLayout {
        match version {
            TrackerVersion::Master => EventCsvLayout::EventsMaster,
            _ => EventCsvLayout::Events,
        }
    }

    /// Whether the layout has a column.
    pub fn has(self, column: EventColumn) -> bool {
        self.columns().contains(&column)
    }
}

/// The tracked entity CSV export's columns in 2.41–2.43 (22; the six attribute columns come
/// last in alphabetical order because the row class does not list them).
pub const TRACKED_ENTITY_COLUMNS: &[&str] = &[
    "trackedEntity",
    "trackedEntityType",
    "createdAt",
    "createdAtClient",
    "updatedAt",
    "updatedAtClient",
    "orgUnit",
    "inactive",
    "deleted",
    "potentialDuplicate",
    "geometry",
    "latitude",
    "longitude",
    "storedBy",
    "createdBy",
    "updatedBy",
    "attrCreatedAt",
    "attrUpdatedAt",
    "attribute",
    "displayName",
    "value",
    "valueType",
];

/// The tracked entity CSV export's columns after 2.43 (21: no `storedBy`).
pub const TRACKED_ENTITY_COLUMNS_MASTER: &[&str] = &[
    "trackedEntity",
    "trackedEntityType",
    "createdAt",
    "createdAtClient",
    "updatedAt",
    "updatedAtClient",
    "orgUnit",
    "inactive",
    "deleted",
    "potentialDuplicate",
    "geometry",
    "latitude",
    "longitude",
    "createdBy",
    "updatedBy",
    "attrCreatedAt",
    "attrUpdatedAt",
    "attribute",
    "displayName",
    "value",
    "valueType",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_are_dhis2s() {
        assert_eq!(
            EventCsvLayout::Events.header(),
            "event,status,program,programStage,enrollment,orgUnit,occurredAt,scheduledAt,geometry,\
             latitude,longitude,followUp,deleted,createdAt,createdAtClient,updatedAt,updatedAtClient,\
             completedBy,completedAt,updatedBy,attributeOptionCombo,attributeCategoryOptions,\
             assignedUser,dataElement,value,storedBy,providedElsewhere,storedByDataValue,\
             updatedAtDataValue,createdAtDataValue"
        );
        assert_eq!(EventCsvLayout::Events.columns().len(), 30);
        assert_eq!(EventCsvLayout::TrackerEvents.columns().len(), 30);
        assert_eq!(EventCsvLayout::SingleEvents.columns().len(), 26);
        assert_eq!(
            EventCsvLayout::EventsMaster.header(),
            "event,status,program,programStage,enrollment,orgUnit,occurredAt,scheduledAt,geometry,\
             latitude,longitude,followUp,deleted,createdAt,createdAtClient,updatedAt,updatedAtClient,\
             completedBy,completedAt,updatedBy,attributeOptionCombo,attributeCategoryOptions,\
             assignedUser,dataElement,value,providedElsewhere,updatedAtDataValue,createdAtDataValue"
        );
        assert!(EventCsvLayout::TrackerEvents
            .header()
            .ends_with("storedByDataValue,createdAtDataValue,updatedAtDataValue"));
        assert_eq!(
            EventCsvLayout::SingleEvents.header(),
            "event,status,program,orgUnit,occurredAt,geometry,latitude,longitude,deleted,createdAt,\
             createdAtClient,updatedAt,updatedAtClient,completedBy,completedAt,updatedBy,\
             attributeOptionCombo,attributeCategoryOptions,assignedUser,dataElement,value,storedBy,\
             providedElsewhere,storedByDataValue,createdAtDataValue,updatedAtDataValue"
        );
        for (i, c) in EVENTS.iter().enumerate() {
            assert_eq!(c.index(), i);
        }
        assert_eq!(TRACKED_ENTITY_COLUMNS.len(), 22);
        assert_eq!(TRACKED_ENTITY_COLUMNS_MASTER.len(), 21);
    }
}
