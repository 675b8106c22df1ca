//! Reading DXF2 metadata JSON (`/api/metadata` documents) into a [`Metadata`] catalogue, and
//! writing one back ([`write_metadata`], see [`write`](mod@write)).
//!
//! The document is read in one pass with `serde_json`, object by object: each object of a known
//! top-level array (`organisationUnits`, `dataElements`, `categoryOptions`, `categories`,
//! `categoryCombos`, `categoryOptionCombos`, `dataSets`, `optionSets`, `options`, `attributes`,
//! `dataElementGroups`, `organisationUnitGroups`, `users`, `userRoles`) is checked and added to
//! the catalogue as soon as it is read; other top-level keys (`system`, `indicators`, …) are
//! skipped. As DHIS2's metadata import reads its JSON (Jackson, with DHIS2's settings):
//!
//! * unknown object fields are ignored, `null` array elements are dropped, `""` reads as `null`;
//! * scalars are coerced like Jackson does (`"12"` for a number, `"true"` or `1` for a boolean,
//!   a number for a string);
//! * references are `{"id": "<uid>"}` objects (other fields ignored); a reference without `id`
//!   is an error (CODE-mode references are not supported);
//! * `attributeValues` are read in both forms: `[{"attribute": {"id"}, "value"}]` and
//!   `{"<uid>": {"value"}}`;
//! * dates are read as DHIS2's Jackson reads them, with [`dxf2_model::date::parse_json_date`]:
//!   every `DateUtils.parseDate` form (`yyyyMMdd`, `yyyy-MM-dd`, `yyyy-MM`, `yyyy`,
//!   `yyyy-MM-ddTHH[:mm[:ss[.fraction]]][offset]`, `yyyy-MM-dd HH:mm:ss[offset]`, with Joda-Time's
//!   one-or-more-digit fields), else epoch milliseconds as a JSON integer or as a string of more
//!   than 12 digits. Date-only fields keep the date part as written; date-time fields with an
//!   offset are converted to UTC (as a DHIS2 server running in UTC stores them);
//! * a missing (`null`) `categoryCombo` of a data element, data set or category option combo is
//!   the default category combo (a data set element's `categoryCombo` stays `None`: it is only an
//!   override); the catalogue read is finished as [`Metadata::finish`] does: DHIS2's default
//!   category objects are added when absent ([`Metadata::ensure_defaults`]), references to the
//!   defaults' well-known UIDs are pointed at the catalogue's own defaults when those have other
//!   UIDs ([`Metadata::remap_default_uids`]) and the org unit hierarchy is computed
//!   ([`Metadata::compute_hierarchy`]; parents that form a cycle are an error);
//! * an option set's `options` may be embedded objects or `{"id"}` references to the top-level
//!   `options` array (the top-level object wins when both exist); top-level options whose
//!   `optionSet` is an option set of the document but that the set does not list are appended
//!   to it (DHIS2 appends them on create);
//! * a user's authorities are those of its `userRoles` (or `userCredentials.userRoles`), taken
//!   from the top-level `userRoles`, plus an `authorities` array on the user itself (our
//!   extension for small fixtures); `username` is read at top level or in `userCredentials`.
//!
//! Stricter than DHIS2 (which would import and report, or generate an id): an object without an
//! `id`, an invalid UID, an unknown `valueType`, `aggregationType`, `domainType`,
//! `dataDimensionType` or `periodType` name (also `TwoYearly`, which DHIS2 reads as `null`), a
//! data element, option set or attribute without `valueType`, a data set without `periodType`,
//! a user without `username`, an option without `code`, a bad date, and an option or user role
//! reference that the document does not define are errors ([`MetadataError`]) naming the object
//! (type, index, id) and the field.
//!
//! ```
//! use dxf2_json::metadata::read_metadata;
//! use dxf2_model::{PeriodType, Uid};
//!
//! let json = r#"{
//!   "system": {"version": "2.40"},
//!   "dataElements": [{"id": "f7n9E0hX8qk", "code": "ANC1", "name": "ANC 1st visit",
//!                     "valueType": "INTEGER", "aggregationType": "SUM", "domainType": "AGGREGATE"}],
//!   "dataSets": [{"id": "pBOMPrpg1QX", "name": "ANC", "periodType": "Monthly",
//!                 "dataSetElements": [{"dataElement": {"id": "f7n9E0hX8qk"}}]}]
//! }"#;
//! let metadata = read_metadata(json.as_bytes()).unwrap();
//! let de = metadata.data_element(&Uid::parse("f7n9E0hX8qk").unwrap()).unwrap();
//! assert_eq!(de.id.code.as_deref(), Some("ANC1"));
//! assert_eq!(de.category_combo.as_str(), "bjDvmb4bfuf"); // the default combo
//! assert_eq!(metadata.data_sets()[0].period_type, PeriodType::Monthly);
//! assert!(metadata.default_category_option_combo().is_some());
//!
//! let err = read_metadata(r#"{"dataElements": [{"id": "f7n9E0hX8qk", "valueType": "NUMBR"}]}"#.as_bytes())
//!     .unwrap_err();
//! assert_eq!(err.field(), Some("valueType"));
//! assert!(err.to_string().starts_with("dataElements[0] (id `f7n9E0hX8qk`): invalid `valueType` `NUMBR`"));
//! ```

use std::io::{BufReader, Read};

use dxf2_model::{Metadata, ReadLimits};
use serde::de::DeserializeSeed;

use crate::guard::TokenGuard;
use document::Document;
use error::guard_error;
use loader::Loader;

mod convert;
mod dates;
mod document;
mod error;
mod lenient;
mod loader;
mod raw;
#[cfg(test)]
mod tests;
pub mod write;

pub use error::{MetadataError, ObjectRef, Position};
pub use write::write_metadata;

/// Reads one DXF2 metadata JSON document into a new catalogue (defaults added, org unit hierarchy
/// computed).
///
/// The reader is buffered internally. The default [`ReadLimits`] apply (see
/// [`read_metadata_into_with_limits`]).
pub fn read_metadata<R: Read>(reader: R) -> Result<Metadata, MetadataError> {
    let mut metadata = Metadata::new();
    read_metadata_into(reader, &mut metadata)?;
    Ok(metadata)
}

/// [`read_metadata`] with memory limits (see [`read_metadata_into_with_limits`]).
pub fn read_metadata_with_limits<R: Read>(
    reader: R,
    limits: ReadLimits,
) -> Result<Metadata, MetadataError> {
    let mut metadata = Metadata::new();
    read_metadata_into_with_limits(reader, &mut metadata, limits)?;
    Ok(metadata)
}

/// Reads one DXF2 metadata JSON document and merges it into `metadata`: objects replace those
/// with the same UID and kind; then the catalogue is finished as [`Metadata::finish`] does:
/// defaults are added when absent, references to their well-known UIDs are remapped to the
/// catalogue's own defaults, and the org unit hierarchy is recomputed (parents that form a cycle
/// are [`MetadataError::Hierarchy`]). On error `metadata` is left unchanged.
///
/// References are resolved within the document, except that an option set may list options of
/// option sets already in `metadata`.
pub fn read_metadata_into<R: Read>(
    reader: R,
    metadata: &mut Metadata,
) -> Result<(), MetadataError> {
    read_metadata_into_with_limits(reader, metadata, ReadLimits::default())
}

/// [`read_metadata_into`] with memory limits: a string or number longer than
/// [`ReadLimits::max_token_bytes`] (as written) is refused ([`MetadataError::TokenTooLong`]),
/// also in fields and top-level keys that are skipped, and so is nesting deeper than 1000
/// levels. A `\u0000` escape in any string is refused too ([`MetadataError::NulCharacter`]):
/// a DHIS2 database cannot hold it, so no DHIS2 metadata export contains one.
///
/// ```
/// use dxf2_json::metadata::{read_metadata_with_limits, MetadataError};
/// use dxf2_model::ReadLimits;
///
/// let limits = ReadLimits::default().with_max_token_bytes(16);
/// let json = r#"{"system": {"version": "a version text far longer than sixteen bytes"}}"#;
/// let err = read_metadata_with_limits(json.as_bytes(), limits).unwrap_err();
/// assert!(matches!(err, MetadataError::TokenTooLong { limit: 16, .. }));
/// assert!(err.to_string().contains("raise ReadLimits::max_token_bytes"));
/// ```
pub fn read_metadata_into_with_limits<R: Read>(
    reader: R,
    metadata: &mut Metadata,
    limits: ReadLimits,
) -> Result<(), MetadataError> {
    let mut loader = Loader::new(metadata);
    let mut guard = TokenGuard::new(reader, limits, true);
    let mut de = serde_json::Deserializer::from_reader(BufReader::new(&mut guard));
    let parsed = Document(&mut loader)
        .deserialize(&mut de)
        .and_then(|()| de.end());
    drop(de);
    if let Some(stop) = guard.stop() {
        return Err(guard_error(stop));
    }
    if let Err(e) = parsed {
        return Err(loader.into_error(e));
    }
    let doc = loader.finish()?;
    // `merge` computes the org unit hierarchy (and changes nothing when it fails); adding the
    // defaults and remapping their UIDs leaves the org units alone, so the catalogue is finished
    // as `Metadata::finish` would leave it, with the hierarchy computed once.
    metadata.merge(doc).map_err(MetadataError::Hierarchy)?;
    metadata.ensure_defaults();
    metadata.remap_default_uids();
    Ok(())
}
