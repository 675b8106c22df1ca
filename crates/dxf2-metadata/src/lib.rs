//! `dxf2-metadata`: DHIS2 metadata exchange without a server.
//!
//! Metadata objects are kept as DHIS2 writes them — JSON objects, every field kept — grouped by
//! their type's collection key (`dataElements`, `organisationUnits`, …) in a [`Document`].
//! DHIS2's knowledge of each type (import order, references, required and unique properties)
//! lives in [`schema`]; [`csv`] reads DHIS2's metadata CSV classes into a [`Document`].
//!
//! * [`read_json`] / [`write_json`] (also [`write_gzip`], [`write_zip`]): metadata JSON documents,
//!   read one object at a time with DHIS2's rules for odd top-level values and repeated keys;
//! * [`import`]: DHIS2's object bundle — identifiers, strategies, atomic modes, the checks in
//!   DHIS2's order with its codes and messages, the report in DHIS2's JSON shape — against a
//!   [`Catalogue`](catalogue::Catalogue) of what the target holds, giving the
//!   [`Changes`] to apply;
//! * [`export`]: everything or chosen types, or an object with its dependencies as DHIS2 collects
//!   them;
//! * [`diff`]: what an import would create, update (field by field) or delete, and collisions.
//!
//! ```
//! use dxf2_metadata::catalogue::MemoryCatalogue;
//! use dxf2_metadata::import::{import, ImportParams, Status};
//! use dxf2_metadata::{export, read_json_str};
//!
//! let package = r#"{
//!   "system": {"version": "2.40.3"},
//!   "categoryOptions": [{"id": "xCoNk6tl1Vc", "name": "Female", "shortName": "F"},
//!                       {"id": "yCoNk6tl1Vc", "name": "Male", "shortName": "M"}],
//!   "categories": [{"id": "aCaTk6tl1Vc", "name": "Sex", "shortName": "Sex",
//!                   "dataDimensionType": "DISAGGREGATION",
//!                   "categoryOptions": [{"id": "xCoNk6tl1Vc"}, {"id": "yCoNk6tl1Vc"}]}],
//!   "categoryCombos": [{"id": "aCoMk6tl1Vc", "name": "Sex", "dataDimensionType": "DISAGGREGATION",
//!                       "categories": [{"id": "aCaTk6tl1Vc"}]}],
//!   "dataElements": [{"id": "f7n9E0hX8qk", "name": "ANC 1st visit", "shortName": "ANC1",
//!                     "valueType": "INTEGER", "domainType": "AGGREGATE",
//!                     "aggregationType": "SUM", "categoryCombo": {"id": "aCoMk6tl1Vc"}}]
//! }"#;
//! let doc = read_json_str(package).unwrap().document;
//! let mut target = MemoryCatalogue::with_dhis2_defaults();
//! let params = ImportParams { generate_option_combos: true, ..ImportParams::default() };
//! let result = dxf2_metadata::import::import(&target, &doc, &params).unwrap();
//! assert_eq!(result.report.status, Status::Ok);
//! assert_eq!(result.report.stats.created, 5);
//! assert_eq!(result.generated_option_combos, 2); // "Female", "Male"
//! target.apply(&result.changes);
//!
//! // The data element with what it needs, as DHIS2's dependency export collects it.
//! let exported = export::with_dependencies(&target, "dataElements", "f7n9E0hX8qk", &Default::default()).unwrap();
//! assert_eq!(exported.objects("categoryOptionCombos").len(), 2);
//! ```

#![forbid(unsafe_code)]

pub mod catalogue;
mod changes;
pub mod csv;
pub mod defaults;
pub mod diff;
mod document;
mod error;
pub mod export;
pub mod import;
pub mod read;
pub mod schema;
pub mod write;

pub use changes::{Changes, TypeChanges};
pub use document::{Document, Object};
pub use error::{Category, Error, Location};
pub use read::{read_json, read_json_str, Parsed};
pub use write::{write_gzip, write_json, write_zip, AsJson, ZIP_ENTRY_NAME};
