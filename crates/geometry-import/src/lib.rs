//! `geometry-import`: org unit geometry for DHIS2 from GeoJSON and GML, imported as a DHIS2
//! server imports it, and exported as GeoJSON.
//!
//! An import matches the features of a file to the `organisationUnits` of a
//! [`Catalogue`](dxf2_metadata::catalogue::Catalogue) — what a store holds, as DHIS2 metadata
//! JSON objects — and answers with DHIS2's report and the [`Changes`](dxf2_metadata::Changes) to
//! apply: each org unit it changes, whole, with its new `geometry` (or without one, for a `null`
//! geometry), or with the geometry as the value of a `GEOJSON` attribute in its
//! `attributeValues`. Nothing is written here; a store applies the changes (a dry run has none).
//!
//! * [`import_geojson`] — `POST /api/organisationUnits/geometry`: a `FeatureCollection` or a
//!   `Feature`, read one feature at a time; features matched by `id` or a property, against UID,
//!   code or name; DHIS2's checks and conflicts `E7700`–`E7712` ([`GeoJsonImportReport`], merged
//!   by code with the feature indexes); 3-D positions cut to x,y; geometries read as GeoTools and
//!   JTS read them ([`read_geometry`]). [`import_org_unit_geometry`] is the single org unit form.
//! * [`import_gml`] — `POST /api/metadata/gml`: GML 2 `gml:featureMember`s, read as a stream as
//!   DHIS2's stylesheet reads them ([`gml::GmlReader`]: identifiers uid > code > name, `Point`,
//!   `Polygon` and `MultiPolygon` from `coordinates`, `posList` and `pos`, points to 6 decimals
//!   and polygons to 4), merged into the matched org units (only their geometry changes) and
//!   imported with DHIS2's metadata import rules (`UPDATE` only). DTDs, external entities and
//!   entity expansion are refused with DHIS2's `E7010` and nothing changes.
//! * [`import_geojson_with_progress`] and [`import_gml_with_progress`] — the same imports,
//!   reporting [`Progress`](dxf2_model::Progress) events to the host: the GeoJSON import in one
//!   phase (`Import`: each feature is read and checked at once), the GML import in two (`Read`,
//!   then `Check`), each counting features, every 1,000 and at the end.
//! * [`export_geojson`] — a `FeatureCollection`, one feature per org unit with a geometry, its
//!   `id` the UID, optionally limited to an org unit and its descendants.
//!
//! Memory is bounded by [`ReadLimits`](dxf2_model::ReadLimits): a GeoJSON feature is at most
//! `max_record_bytes`, a GML token or element text at most `max_token_bytes`
//! ([`Error::TooLong`] beyond); what an import keeps is its report and the org units it changes.
//!
//! ```
//! use dxf2_metadata::catalogue::MemoryCatalogue;
//! use dxf2_model::ImportStatus;
//! use geometry_import::{
//!     export_geojson, import_geojson, ConflictCode, FeatureId, GeoJsonImportParams, OrgUnitProperty,
//! };
//! use serde_json::json;
//!
//! let mut catalogue = MemoryCatalogue::new();
//! for (uid, code) in [("Kare5678901", "KAR"), ("West5678901", "WES")] {
//!     catalogue.insert("organisationUnits", json!({"id": uid, "code": code, "name": code})
//!         .as_object().unwrap().clone());
//! }
//! let file = r#"{"type": "FeatureCollection", "features": [
//!   {"type": "Feature", "properties": {"code": "KAR"},
//!    "geometry": {"type": "MultiPolygon",
//!                 "coordinates": [[[[-12.6444, 9.0133, 0], [-12.6462, 9.0123, 0], [-12.6444, 9.0133, 0]]]]}},
//!   {"type": "Feature", "properties": {"code": "WES"},
//!    "geometry": {"type": "Polygon", "coordinates": [[[-13.25, 8.37], [-13.26, 8.38], [-13.24, 8.36]]]}},
//!   {"type": "Feature", "properties": {"code": "XYZ"}, "geometry": null}
//! ]}"#;
//! let params = GeoJsonImportParams {
//!     feature_id: FeatureId::Property("code".into()),
//!     org_unit_property: OrgUnitProperty::Code,
//!     ..GeoJsonImportParams::default()
//! };
//! let result = import_geojson(&catalogue, file.as_bytes(), &params).unwrap();
//! let report = &result.report;
//! assert_eq!(report.status(), ImportStatus::Warning);
//! assert_eq!((report.count().imported, report.count().ignored), (1, 2));
//! assert_eq!(report.conflict(ConflictCode::E7707).unwrap().indexes, Some(vec![1])); // unclosed ring
//! assert_eq!(report.conflict(ConflictCode::E7708).unwrap().indexes, Some(vec![2]));
//!
//! catalogue.apply(&result.changes);
//! let mut out = Vec::new();
//! export_geojson(&catalogue, None, &mut out).unwrap();
//! let exported: serde_json::Value = serde_json::from_slice(&out).unwrap();
//! assert_eq!(exported["features"][0]["id"], "Kare5678901");
//! assert_eq!(exported["features"][0]["geometry"]["coordinates"][0][0][0], json!([-12.6444, 9.0133]));
//! ```

#![forbid(unsafe_code)]

mod coordinates;
mod error;
mod export;
mod geojson_import;
mod geotools;
pub mod gml;
mod limit;
mod report;

pub use error::Error;
pub use export::{export_geojson, ExportScope, ExportSummary};
pub use geojson_import::{
    import_geojson, import_geojson_with_progress, import_org_unit_geometry, FeatureId,
    GeoJsonImport, GeoJsonImportParams, OrgUnitProperty,
};
pub use geotools::{read_geometry, GeometryError};
pub use gml::{import_gml, import_gml_with_progress, GmlImport, GmlImportParams};
pub use limit::Position;
pub use report::{Conflict, ConflictCode, GeoJsonImportReport};
