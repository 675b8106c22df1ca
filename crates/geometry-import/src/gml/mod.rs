//! GML geometry import, as DHIS2's `POST /api/metadata/gml` does it (`DefaultGmlImportService`).
//!
//! DHIS2 turns the GML into a DXF2 metadata document with a stylesheet, one org unit per
//! `gml:featureMember` ([`GmlReader`] reads them as the stylesheet does), matches each to an
//! existing org unit and imports the result with the metadata importer, its strategy forced to
//! `UPDATE` (a GML import never creates org units):
//!
//! 1. each feature's `geometryAsJson` is read by GeoTools (the last one when a feature has
//!    several); one that cannot be read fails the whole import (`E7010`);
//! 2. a feature with a UID that exists is matched by UID; otherwise one with a code by code, one
//!    with a name by name (a UID that does not exist is not tried by code or name, as the
//!    stylesheet writes only one identifier). Of several features with one identifier, the last
//!    is matched;
//! 3. a matched feature with a geometry becomes the stored org unit, whole, with that geometry:
//!    only the geometry changes. Other features reach the metadata importer as the stylesheet
//!    wrote them — their identifier and geometry only — where they meet its checks (`E5001` for
//!    an org unit that does not exist, `E4000` for missing properties…);
//! 4. the metadata import ([`dxf2_metadata::import`]) with the caller's parameters: its report
//!    (DHIS2's `ImportReport`) and changes are the GML import's. A dry run is
//!    `import_mode: VALIDATE`.
//!
//! A document DHIS2's XML parser or stylesheet refuses — not XML, a DOCTYPE (DTDs, external
//! entities, entity expansion: nothing is ever loaded or expanded), an undeclared entity, a
//! coordinate that is not a number — is DHIS2's `ERROR` report with one `E7010` (`Failed to
//! validate job runtime: \`GML import failed: …\``), and nothing changes.
//!
//! ```
//! use dxf2_metadata::catalogue::MemoryCatalogue;
//! use dxf2_metadata::import::{Status, Timestamps};
//! use geometry_import::{import_gml, GmlImportParams};
//! use serde_json::json;
//!
//! let mut catalogue = MemoryCatalogue::new();
//! catalogue.insert("organisationUnits", json!({"id": "ImspTQPwCqd", "name": "Sierra Leone",
//!     "shortName": "Sierra Leone", "openingDate": "1994-01-01T00:00:00.000"}).as_object().unwrap().clone());
//! let gml = r#"<ogr:FeatureCollection xmlns:ogr="http://ogr.maptools.org/" xmlns:gml="http://www.opengis.net/gml">
//!   <gml:featureMember><ogr:admin0><ogr:geometryProperty><gml:Point>
//!     <gml:pos>-11.870609999999999 8.377969999999999</gml:pos>
//!   </gml:Point></ogr:geometryProperty><ogr:Name>Sierra Leone</ogr:Name></ogr:admin0></gml:featureMember>
//! </ogr:FeatureCollection>"#;
//! let mut params = GmlImportParams::default();
//! params.metadata.timestamps = Timestamps::Keep;
//! let result = import_gml(&catalogue, gml.as_bytes(), &params).unwrap();
//! assert_eq!(result.report.status, Status::Ok);
//! assert_eq!(result.report.stats.updated, 1);
//! catalogue.apply(&result.changes);
//! assert_eq!(catalogue.get("organisationUnits", "ImspTQPwCqd").unwrap()["geometry"],
//!     json!({"type": "Point", "coordinates": [-11.87061, 8.37797]}));
//! ```

mod doctype;
mod number;
mod reader;

use std::collections::{BTreeMap, HashMap};
use std::io::BufRead;

use dxf2_metadata::catalogue::Catalogue;
use dxf2_metadata::import::{
    import, ErrorReport, ImportParams, ImportReport, ImportStrategy, ObjectReport, Stats, Status,
    TypeReport,
};
use dxf2_metadata::{Changes, Document, Object};
use dxf2_model::{Phase, Progress, ReadLimits};
use serde_json::Value;

pub use reader::{GmlError, GmlFeature, GmlIdentifier, GmlReader, GML_NAMESPACE};

use crate::error::Error;
use crate::geotools::read_geometry;
use dxf2_model::progress::{self, PhaseCounter as Counter};

const ORG_UNITS: &str = "organisationUnits";

/// The Java class DHIS2 names in the `E7010` report.
pub const GML_IMPORT_CLASS: &str = "org.hisp.dhis.dxf2.gml.DefaultGmlImportService";

/// The parameters of a GML import.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GmlImportParams {
    /// The metadata import's parameters (`importMode`, `atomicMode`, `user`, …); the strategy
    /// is always `UPDATE`.
    pub metadata: ImportParams,
    /// Bounds on the input: no token or element text longer than `max_token_bytes`.
    pub limits: ReadLimits,
}

/// What a GML import did.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct GmlImport {
    /// DHIS2's metadata import report (`E7010` alone when the document was refused).
    pub report: ImportReport,
    /// The changes to apply (empty for a refused document, a dry run, or errors under atomic
    /// mode `ALL`).
    pub changes: Changes,
    /// The number of features read.
    pub features: usize,
}

/// Imports the GML document read from `input` into the org units of `catalogue` (see the
/// [module docs](self)).
pub fn import_gml<R: BufRead, C: Catalogue + ?Sized>(
    catalogue: &C,
    input: R,
    params: &GmlImportParams,
) -> Result<GmlImport, Error> {
    import_gml_with_progress(catalogue, input, params, &mut progress::ignore)
}

/// [`import_gml`], reporting its progress to `progress`, counting features in two phases:
/// [`Phase::Read`] while the features are read, then [`Phase::Check`] while their geometries
/// are read by GeoTools, matched to the org units and imported by the metadata importer. Each
/// phase has an event when it starts (`done` 0), one every 1,000 features, and
/// [`Progress::finished`] with the number of features at its end (the check phase ends when the
/// metadata import is done).
///
/// A refused document (`E7010`) ends the phase underway with the features it counted, and no
/// phase follows; an [`Err`] ends without a last event.
///
/// ```
/// use dxf2_metadata::catalogue::MemoryCatalogue;
/// use dxf2_model::{Phase, Progress};
/// use geometry_import::{import_gml_with_progress, GmlImportParams};
///
/// let gml = r#"<ogr:FeatureCollection xmlns:ogr="http://ogr.maptools.org/" xmlns:gml="http://www.opengis.net/gml">
///   <gml:featureMember><ogr:admin0><ogr:geometryProperty><gml:Point>
///     <gml:pos>-11.87061 8.37797</gml:pos>
///   </gml:Point></ogr:geometryProperty><ogr:Name>Sierra Leone</ogr:Name></ogr:admin0></gml:featureMember>
/// </ogr:FeatureCollection>"#;
/// let mut events = Vec::new();
/// let result = import_gml_with_progress(&MemoryCatalogue::new(), gml.as_bytes(),
///     &GmlImportParams::default(), &mut |p: Progress| events.push(p)).unwrap();
/// assert_eq!(result.features, 1);
/// assert_eq!(events, [
///     Progress::new(Phase::Read, 0),
///     Progress::finished(Phase::Read, 1),
///     Progress::new(Phase::Check, 0),
///     Progress::finished(Phase::Check, 1),
/// ]);
/// ```
pub fn import_gml_with_progress<R: BufRead, C: Catalogue + ?Sized>(
    catalogue: &C,
    input: R,
    params: &GmlImportParams,
    progress: &mut dyn FnMut(Progress),
) -> Result<GmlImport, Error> {
    let mut reader = GmlReader::with_limits(input, params.limits);
    let mut features = Vec::new();
    let mut feature = GmlFeature::default();
    let mut read = Counter::start(Phase::Read, progress);
    loop {
        match reader.read_feature(&mut feature) {
            Ok(true) => {
                features.push(std::mem::take(&mut feature));
                read.tick(progress);
            }
            Ok(false) => break,
            Err(GmlError::TooLong {
                what,
                position,
                limit,
            }) => {
                return Err(Error::TooLong {
                    what: format!(
                        "GML: {what} at line {}, column {}",
                        position.line, position.column
                    ),
                    limit,
                    setting: "max_token_bytes",
                    flag: "max-token-bytes",
                })
            }
            Err(refused) => {
                let done = read.done();
                read.finish(done, progress);
                return Ok(refused_import(&refused.dhis2_message()));
            }
        }
    }
    features.sort_by_key(|f| f.index);
    let count = features.len();
    read.finish(count as u64, progress);

    // Jackson and GeoTools: every geometryAsJson must read; the last one is the org unit's.
    let mut check = Counter::start(Phase::Check, progress);
    let mut units: Vec<(Option<GmlIdentifier>, Option<Value>)> = Vec::with_capacity(count);
    for f in features {
        let mut geometry = None;
        for text in &f.geometries {
            let refused = match read_geometry(text) {
                Ok(Some(g)) => {
                    geometry = Some(
                        serde_json::to_value(geojson::Geometry::new(g)).unwrap_or(Value::Null),
                    );
                    continue;
                }
                Ok(None) => GmlError::cause(format!("the geometry {text} has no type")),
                Err(e) => GmlError::cause(e.0),
            };
            let done = check.done();
            check.finish(done, progress);
            return Ok(refused_import(&refused.dhis2_message()));
        }
        units.push((f.identifier, geometry));
        check.tick(progress);
    }

    let merged = merge(catalogue, &units)?;
    let mut doc = Document::new();
    for (i, (identifier, geometry)) in units.into_iter().enumerate() {
        let object = match merged.get(&i) {
            Some(object) => object.clone(),
            None => bare(identifier, geometry),
        };
        doc.push(ORG_UNITS, object);
    }
    let mut metadata = params.metadata.clone();
    metadata.import_strategy = ImportStrategy::Update;
    let result = import(catalogue, &doc, &metadata)?;
    check.finish(count as u64, progress);
    Ok(GmlImport {
        report: result.report,
        changes: result.changes,
        features: count,
    })
}

/// The org unit the stylesheet writes for an unmatched feature.
fn bare(identifier: Option<GmlIdentifier>, geometry: Option<Value>) -> Object {
    let mut object = Object::new();
    match identifier {
        Some(GmlIdentifier::Uid(v)) => object.insert("id".into(), Value::String(v)),
        Some(GmlIdentifier::Code(v)) => object.insert("code".into(), Value::String(v)),
        Some(GmlIdentifier::Name(v)) => object.insert("name".into(), Value::String(v)),
        None => None,
    };
    if let Some(g) = geometry {
        object.insert("geometry".into(), g);
    }
    object
}

/// DHIS2's `preProcessGml` matching: the stored org unit, whole, with the feature's geometry,
/// for each feature (by position) that matched and has a geometry.
fn merge<C: Catalogue + ?Sized>(
    catalogue: &C,
    units: &[(Option<GmlIdentifier>, Option<Value>)],
) -> Result<HashMap<usize, Object>, Error> {
    // Identifier → feature (the last one wins, as in DHIS2's maps).
    let mut uid_map: HashMap<&str, usize> = HashMap::new();
    let mut code_map: HashMap<&str, usize> = HashMap::new();
    let mut name_map: HashMap<&str, usize> = HashMap::new();
    for (i, (identifier, _)) in units.iter().enumerate() {
        match identifier {
            Some(GmlIdentifier::Uid(u)) if catalogue.object(ORG_UNITS, u)?.is_some() => {
                uid_map.insert(u, i);
            }
            Some(GmlIdentifier::Code(c)) => {
                code_map.insert(c, i);
            }
            Some(GmlIdentifier::Name(n)) => {
                name_map.insert(n, i);
            }
            Some(GmlIdentifier::Uid(_)) | None => {}
        }
    }
    let lookup = |map: &HashMap<&str, usize>, key: Option<&str>| -> Option<usize> {
        map.get(key.filter(|k| !k.is_empty())?).copied()
    };
    // The stored org units: by UID, by code, by name.
    let mut persisted: Vec<Object> = Vec::new();
    for uid in uid_map.keys() {
        if let Some(o) = catalogue.object(ORG_UNITS, uid)? {
            persisted.push(o.into_owned());
        }
    }
    for (map, property) in [(&code_map, "code"), (&name_map, "name")] {
        for key in map.keys() {
            let found = catalogue.find(ORG_UNITS, property, &Value::String((*key).to_owned()))?;
            if let Some(uid) = found {
                if let Some(o) = catalogue.object(ORG_UNITS, &uid)? {
                    persisted.push(o.into_owned());
                }
            }
        }
    }
    let text = |o: &Object, k: &str| o.get(k).and_then(Value::as_str).map(str::to_owned);
    let mut merged = HashMap::new();
    for stored in persisted {
        let imported = lookup(&uid_map, text(&stored, "id").as_deref())
            .or_else(|| lookup(&code_map, text(&stored, "code").as_deref()))
            .or_else(|| lookup(&name_map, text(&stored, "name").as_deref()));
        let Some(i) = imported else { continue };
        let Some((_, Some(geometry))) = units.get(i) else {
            continue;
        };
        let mut object = stored;
        object.insert("geometry".into(), geometry.clone());
        merged.insert(i, object);
    }
    Ok(merged)
}

/// DHIS2's answer to a refused GML document: status `ERROR`, one type report (the GML import
/// service), one object report (index 0), one `E7010`.
pub fn refused_report(message: &str) -> ImportReport {
    let error = ErrorReport {
        message: format!("Failed to validate job runtime: `{message}`"),
        main_klass: GML_IMPORT_CLASS.to_owned(),
        main_id: None,
        error_klass: None,
        error_property: None,
        error_properties: vec![Value::String(message.to_owned())],
        value: None,
        error_code: "E7010".to_owned(),
        args: vec![Some(message.to_owned())],
    };
    let object = ObjectReport {
        klass: GML_IMPORT_CLASS.to_owned(),
        index: 0,
        uid: None,
        display_name: None,
        error_reports: vec![error],
    };
    let mut object_reports = BTreeMap::new();
    object_reports.insert(0, object);
    ImportReport {
        status: Status::Error,
        stats: Stats::default(),
        type_reports: vec![TypeReport {
            klass: GML_IMPORT_CLASS.to_owned(),
            stats: Stats::default(),
            object_reports,
        }],
    }
}

fn refused_import(message: &str) -> GmlImport {
    GmlImport {
        report: refused_report(message),
        changes: Changes::new(),
        features: 0,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn the_refusal_is_dhis2s_report() {
        let r = refused_report("GML import failed: x.");
        let json = serde_json::to_value(&r).unwrap();
        assert_eq!(json["status"], "ERROR");
        let e = &json["typeReports"][0]["objectReports"][0]["errorReports"][0];
        assert_eq!(e["errorCode"], "E7010");
        assert_eq!(
            e["message"],
            "Failed to validate job runtime: `GML import failed: x.`"
        );
        assert_eq!(e["mainKlass"], GML_IMPORT_CLASS);
    }
}
