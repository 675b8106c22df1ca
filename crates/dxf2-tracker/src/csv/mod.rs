//! Tracker CSV: DHIS2's events CSV (read and written) and tracked entity CSV (written; DHIS2
//! has no tracked entity CSV import).

mod columns;
mod read;
mod write;

pub use columns::{
    EventColumn, EventCsvLayout, TRACKED_ENTITY_COLUMNS, TRACKED_ENTITY_COLUMNS_MASTER,
};
pub use read::{EventCsvReader, Events};
pub use write::{CsvWriteOptions, EventCsvWriter, TrackedEntityCsvWriter};
