//! `dxf2-tracker`: DHIS2 tracker data — tracked entities, enrollments, events, relationships —
//! in the v41+ formats of `/api/tracker`, read and written as DHIS2 2.41–2.43 (and later) do.
//!
//! * [`model`]: one typed struct per JSON object ([`TrackedEntity`], [`Enrollment`], [`Event`],
//!   [`Relationship`], [`Attribute`], [`DataValue`], [`Note`], [`User`], [`ProgramOwner`]),
//!   every key of DHIS2's views, [`Timestamp`]s and [`Geometry`] typed;
//! * [`JsonReader`]: streaming, one top-level object at a time into a reused record (nested or
//!   flat payloads, export documents); [`JsonWriter`]: DHIS2's export documents byte for byte,
//!   with its default `fields` or any [`FieldFilter`];
//! * [`flatten`] and the streaming [`Flattener`]: DHIS2's `BodyConverter` (generated UIDs,
//!   parent references, empty notes dropped);
//! * [`EventCsvReader`] / [`EventCsvWriter`]: the events CSV per version ([`EventCsvLayout`]),
//!   by header name or positional, DHIS2's row-per-data-value layout and its lossy columns;
//!   [`TrackedEntityCsvWriter`]: the tracked entity CSV export;
//! * [`Timestamp`] and [`ServerTimeZone`]: every date form DHIS2 accepts, written as it writes
//!   them (JSON in the server's zone, CSV in UTC);
//! * pre-2.41 files (the deprecated `/api/events`, `/api/trackedEntityInstances`, … formats)
//!   are recognised and refused with what changed ([`ErrorKind::Deprecated`]).
//! * [`import`]: DHIS2's tracker import (`POST /api/tracker`) against a metadata
//!   [`Catalogue`](dxf2_metadata::catalogue::Catalogue): parameters with DHIS2's defaults, id
//!   schemes per field, the validation codes that need no program rules, the import report
//!   in DHIS2's JSON;
//! * [`TrackerStore`]: tracker objects kept as records of any store of the workspace;
//!   [`export`]: DHIS2's export queries (org unit modes, program, stage, dates and
//!   `updatedWithin`, status, follow-up, assigned users, deleted objects, filters, `order`,
//!   paging, id schemes) written as JSON (with the pager) or CSV; event programs' hidden
//!   enrollment made on import and hidden on export, as DHIS2 does.
//!
//! Compression (zip, gzip) is the caller's: readers take any [`std::io::Read`], writers any
//! [`std::io::Write`].
//!
//! ```
//! use dxf2_tracker::{
//!     flatten, CsvWriteOptions, EventCsvWriter, JsonReader, RandomUids, ReadOptions,
//! };
//!
//! let json = br#"{"trackedEntities": [{"trackedEntity": "IybbQIQt6te",
//!   "trackedEntityType": "PrZMWi7rBga", "orgUnit": "PSeMWi7rBgb",
//!   "enrollments": [{"enrollment": "IybbQIQt6en", "orgUnit": "PSeMWi7rBgb",
//!     "program": "XrZRFi7rU9e", "enrolledAt": "2016-03-17T01:51:39.609+0000",
//!     "events": [{"event": "IybbQIQt6ev", "orgUnit": "PSeMWi7rBgb", "programStage": "I8RRFi7rUps",
//!       "occurredAt": "2016-03-17", "dataValues": [{"dataElement": "BuZ5LGNfGEU", "value": 20}]}]}]}]}"#;
//! let (payload, _) = JsonReader::new(ReadOptions::default()).read_payload_slice(json)?;
//! let flat = flatten(payload, &mut RandomUids);
//! assert_eq!(flat.events[0].enrollment.unwrap().as_str(), "IybbQIQt6en");
//!
//! let mut csv = EventCsvWriter::new(Vec::new(), CsvWriteOptions::default())?;
//! for event in &flat.events {
//!     csv.write_event(event)?;
//! }
//! let csv = String::from_utf8(csv.finish()?).unwrap();
//! assert!(csv.ends_with(
//!     "IybbQIQt6ev,ACTIVE,,I8RRFi7rUps,IybbQIQt6en,PSeMWi7rBgb,2016-03-17T00:00:00Z,,,,,false,false,\
//!      ,,,,,,,,,,BuZ5LGNfGEU,20,,false,,,\n"
//! ));
//! # Ok::<(), dxf2_tracker::Error>(())
//! ```
//!
//! # Reading JSON as DHIS2 binds it
//!
//! | input | read as |
//! |---|---|
//! | an unknown key (`orgUnitName`, `pager`, a TE's `notes`, …) | ignored, as DHIS2 does |
//! | a pre-2.41 key (`eventDate`, `trackedEntityInstance(s)`, `instances`, …) | refused ([`ErrorKind::Deprecated`], saying what it became), or ignored and reported with [`LegacyPolicy::Ignore`] |
//! | `""` or `null` for a text | absent (empty string) — so `"trackedEntityType": ""` is missing |
//! | a number or boolean for a text | its text (`20` → `"20"`; decimals in Rust's shortest form) |
//! | a bad UID (`trackedEntity`, `enrollment`, `event`, `relationship`, `note`) | the whole document fails: `UID must be an alphanumeric string of 11 characters starting with a letter, but was: …` (2.42+) |
//! | a date | every form of `DateUtils.parseDate`; no offset = the server's zone; blank = absent; all digits = epoch milliseconds; else the whole document fails |
//! | `status`, `valueType` | exact (case-sensitive) names, or a JSON integer as the index; else fails |
//! | a boolean | `true`/`false`, the texts `true`/`True`/`TRUE`/…, integers (0 = false); `null` fails |
//! | `geometry` | a GeoJSON geometry, checked as JTS does |
//! | `assignedUser` as a text | the pre-2.41 form: refused |
//! | identical `dataValues` | collapsed (a set for DHIS2) |
//! | a root list twice | refused (DHIS2 keeps the last; a stream cannot) |
//! | a byte order mark; text after the document | skipped; refused |
//!
//! Memory: [`JsonReader::read`] holds one top-level object (a tracked entity with everything
//! nested in it, an event, a relationship) in reused records, plus a 64 KiB read buffer: a
//! payload of 100,000 flat events costs the same as one of ten. A top-level object larger than
//! [`ReadLimits::max_record_bytes`](dxf2_model::ReadLimits) (16 MiB by default) is refused.
//! [`JsonReader::read_payload`] holds the whole payload, as DHIS2 does.
//!
//! # Versions
//!
//! See [`TrackerVersion`] for what changes between 2.41, 2.42, 2.43 and later (`storedBy`, the
//! CSV columns, a relationship's `deleted`, an enrollment's `attributeOptionCombo`).
//!
//! # Not reproduced
//!
//! * 2.41 read UIDs as plain texts (a bad one became validation error `E1048`); this crate
//!   refuses a bad UID while reading, as 2.42+ does, for every version.
//! * A JSON decimal is kept as Rust's shortest text of its value, not as written (`1.50` reads
//!   as `1.5`); Jackson keeps the written text.
//! * Numbers are written with the shortest digits (Java 19+); DHIS2 on Java 17 occasionally
//!   writes one more digit. Coordinates are parsed with `serde_json`'s default float parser,
//!   which may differ from Java's by one unit in the last place for 16–17 significant digits.
//! * A local time in a daylight-saving gap: the spec says "the first valid instant"; DHIS2's
//!   code (Joda's fallback to a lenient `java.util.Date`) moves it forward by the gap's length,
//!   which is what [`ServerTimeZone::to_utc`] does.

#![forbid(unsafe_code)]

mod csv;
mod error;
pub mod export;
mod flatten;
mod geometry;
pub mod import;
mod json;
pub mod model;
mod number;
mod options;
mod store;
mod time;

pub use crate::csv::{
    CsvWriteOptions, EventColumn, EventCsvLayout, EventCsvReader, EventCsvWriter, Events,
    TrackedEntityCsvWriter, TRACKED_ENTITY_COLUMNS, TRACKED_ENTITY_COLUMNS_MASTER,
};
pub use error::{BoxError, Category, Deprecation, Error, ErrorKind, Location, Result};
pub use flatten::{flatten, FlatSink, Flattener, RandomUids, UidSource};
pub use geometry::{Coordinate, Geometry, GeometryError};
pub use json::{
    FieldFilter, Fields, JsonReader, JsonWriter, LegacyUse, Pager, ReadSummary, WriteOptions,
};
pub use model::{
    Attribute, DataValue, Enrollment, EnrollmentStatus, Event, EventStatus, Item, ItemRef,
    NamedEnum, Note, Payload, ProgramOwner, Relationship, RelationshipItem, TrackedEntity,
    TrackerType, User,
};
pub use options::{LegacyPolicy, ReadOptions, TrackerVersion};
pub use store::{
    record_kind, TrackerObject, TrackerStore, TrackerStoreError, EVENT_PROGRAM_ENROLLMENT,
};
pub use time::{DateError, ServerTimeZone, Timestamp, ZoneRules};
