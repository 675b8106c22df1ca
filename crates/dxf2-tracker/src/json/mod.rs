//! Tracker JSON: the streaming [`JsonReader`], the [`JsonWriter`] and DHIS2's field filter.

mod fields;
mod keys;
mod read;
mod records;
mod seeds;
mod write;

pub use fields::FieldFilter;
pub use read::{JsonReader, LegacyUse, ReadSummary};
pub use write::{Fields, JsonWriter, Pager, WriteOptions};
