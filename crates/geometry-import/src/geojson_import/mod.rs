//! GeoJSON geometry import (`import_geojson`, whose docs say what it does).
mod read;

use std::collections::HashMap;
use std::io::{BufReader, Read};
use std::str::FromStr;

use dxf2_metadata::catalogue::Catalogue;
use dxf2_metadata::import::Timestamps;
use dxf2_metadata::{Changes, Object};
use dxf2_model::{Phase, Progress, ReadLimits};
use serde_json::value::RawValue;
use serde_json::Value;

use crate::coordinates::{self, Shape};
use crate::error::Error;
use crate::geotools::{read_geometry, same_2d};
use crate::report::{ConflictCode, GeoJsonImportReport};
use dxf2_model::progress::{self, PhaseCounter as Counter};

use read::{Item, Members, Outcome, ReadError};

const ORG_UNITS: &str = "organisationUnits";

/// Where a feature's identifier is (`geoJsonId` / `geoJsonProperty`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum FeatureId {
    /// The feature's `id` (DHIS2's default, `geoJsonId=true`).
    #[default]
    Id,
    /// The member of the feature's `properties` with this name (`geoJsonId=false&
    /// geoJsonProperty=NAME`); a name with dots reaches deeper (`a.b` is `properties.a.b`).
    Property(String),
}

impl FeatureId {
    /// The identifier's path in the feature, as DHIS2 names it in `E7705` (`id`,
    /// `properties.code`).
    pub fn path(&self) -> String {
        match self {
            FeatureId::Id => "id".to_owned(),
            FeatureId::Property(name) => format!("properties.{name}"),
        }
    }
}

/// Which property of the org units the identifiers are (`orgUnitProperty`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum OrgUnitProperty {
    /// The UID (DHIS2's default).
    #[default]
    Uid,
    /// The code.
    Code,
    /// The name.
    Name,
}

/// DHIS2's names, any case: `CODE`, `NAME`, and `UID`, `ID`, `UUID`, `ATTRIBUTE` (which all
/// match UIDs, as in DHIS2).
impl FromStr for OrgUnitProperty {
    type Err = Error;
    fn from_str(s: &str) -> Result<OrgUnitProperty, Error> {
        match s.to_ascii_uppercase().as_str() {
            "CODE" => Ok(OrgUnitProperty::Code),
            "NAME" => Ok(OrgUnitProperty::Name),
            "UID" | "ID" | "UUID" | "ATTRIBUTE" => Ok(OrgUnitProperty::Uid),
            _ => Err(Error::Parameter {
                name: "orgUnitProperty",
                value: s.to_owned(),
                expected: "one of UID, CODE, NAME (or ID, UUID, ATTRIBUTE, which match UIDs)",
            }),
        }
    }
}

impl OrgUnitProperty {
    fn field(self) -> &'static str {
        match self {
            OrgUnitProperty::Uid => "id",
            OrgUnitProperty::Code => "code",
            OrgUnitProperty::Name => "name",
        }
    }
}

/// The parameters of a GeoJSON geometry import.
///
/// ```
/// use geometry_import::{FeatureId, GeoJsonImportParams, OrgUnitProperty};
///
/// let by_code = GeoJsonImportParams {
///     feature_id: FeatureId::Property("code".into()),
///     org_unit_property: "code".parse().unwrap(),
///     ..GeoJsonImportParams::default()
/// };
/// assert_eq!(by_code.org_unit_property, OrgUnitProperty::Code);
/// assert_eq!(by_code.feature_id.path(), "properties.code");
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GeoJsonImportParams {
    /// Where each feature's identifier is.
    pub feature_id: FeatureId,
    /// Which org unit property the identifiers are.
    pub org_unit_property: OrgUnitProperty,
    /// `attributeId`: store each geometry as the org unit's value of this `GEOJSON` attribute
    /// instead of its `geometry`.
    pub attribute: Option<String>,
    /// `dryRun`: report only (the changes are empty).
    pub dry_run: bool,
    /// A geometry GeoTools reads as nothing (no `type`) is an `E7707` conflict rather than
    /// skipped silently as DHIS2 does.
    pub strict: bool,
    /// How the changed org units' `lastUpdated` is set (DHIS2 sets the current time).
    pub timestamps: Timestamps,
    /// The importing user's UID, written as the changed org units' `lastUpdatedBy`.
    pub user: Option<String>,
    /// Bounds on the input: one feature is at most `max_record_bytes`.
    pub limits: ReadLimits,
}

/// What a GeoJSON geometry import did: DHIS2's report and the changes to apply.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct GeoJsonImport {
    /// DHIS2's report.
    pub report: GeoJsonImportReport,
    /// The org units changed, each whole as it is to be stored (`organisationUnits` updates);
    /// empty for a dry run and when the import stopped at a global conflict.
    pub changes: Changes,
}

/// Imports the GeoJSON document read from `input` into the org units of `catalogue`, as
/// DHIS2's `POST /api/organisationUnits/geometry` does it (`DefaultGeoJsonService`, 2.40+ rules).
///
/// The input is a `FeatureCollection` (any root object with a `features` array: the root's
/// `type` is not checked) or a single `Feature` (a root whose `type` is `Feature` in any case).
/// Each feature is matched to an org unit by its identifier — the feature's `id`
/// ([`FeatureId::Id`], the default) or a member of its `properties` ([`FeatureId::Property`]),
/// which must be a JSON string — against the org units' UID, code or name
/// ([`OrgUnitProperty`]), exactly and case-sensitively. Then, per feature, in DHIS2's order:
///
/// | check | conflict |
/// |---|---|
/// | no text identifier | `E7705` (argument: the identifier path, `id` or `properties.code`) |
/// | several org units have it (by name, or a code held twice) | `E7711` |
/// | no org unit has it | `E7708` |
/// | no `geometry` member | `E7706` |
/// | `geometry` neither an object nor `null` | `E7707` |
/// | `coordinates` absent, `null`, `[]`, `[[]]`… | `E7712` (argument: the coordinates as written) |
/// | GeoTools or JTS cannot read the geometry (an unclosed ring, an unknown `type`) | `E7707` |
///
/// each counting one `ignored`. A `null` geometry deletes (counted `deleted`, even when there
/// was nothing to delete); otherwise the org unit gets the geometry (`imported` when it had none,
/// `updated` when it had one). Positions are cut to x,y (each keeps its first two numbers, as
/// written) when the first position of the geometry has more than two numbers; only the first
/// position decides, and geometries nested more than 4 levels are kept as written. With an attribute
/// ([`GeoJsonImportParams::attribute`]: a `GEOJSON` attribute that applies to org units, else
/// `E7702`/`E7703`/`E7704` and nothing else happens), the geometry's text — as written, or with
/// its positions cut to pairs — becomes the org unit's value of that attribute instead.
///
/// A feature naming an org unit an earlier feature changed sees that change (it counts as an
/// update). Counting is the same in a dry run, whose changes are empty.
///
/// Where this differs from DHIS2:
///
/// * `E7709` (the store refused the org unit) and `E7710` (the user may not change it) are never
///   raised: nothing is stored here and there are no users;
/// * an identifier that is not a JSON string (a number) is `E7705`; DHIS2 fails the request;
/// * a document that is not JSON, or is cut short, is `E7701` with the parser's message (DHIS2's
///   argument is `No list of features found` when the JSON has no features array, as here);
/// * coordinates DHIS2's JSON tree cannot walk as the arrays the first position suggests (a
///   number, or a position where a ring belongs) are `E7707`; DHIS2 fails the request;
/// * a geometry GeoTools reads as nothing (no `type`) is skipped without a count or conflict, as
///   DHIS2 does, unless [`GeoJsonImportParams::strict`] makes it an `E7707`;
/// * `GeometryCollection` geometries with `coordinates` are `E7707` (DHIS2 would store them).
///
/// Memory: the document is read in one pass and one feature is held at a time (a feature longer
/// than [`ReadLimits::max_record_bytes`] is refused with [`Error::TooLong`]); what stays is the
/// report, the org units changed so far (each whole, with its new geometry: the changes) and, when
/// matching by code or name, an index of every org unit's code or name. So memory grows with the
/// geometry imported, not with the file.
///
/// ```
/// use dxf2_metadata::catalogue::MemoryCatalogue;
/// use geometry_import::{import_geojson, GeoJsonImportParams};
/// use serde_json::json;
///
/// let mut catalogue = MemoryCatalogue::new();
/// catalogue.insert("organisationUnits", json!({"id": "ImspTQPwCqd", "name": "Sierra Leone",
///     "shortName": "Sierra Leone", "openingDate": "1994-01-01T00:00:00.000"}).as_object().unwrap().clone());
/// let file = r#"{"type": "FeatureCollection", "features": [
///   {"type": "Feature", "id": "ImspTQPwCqd",
///    "geometry": {"type": "Point", "coordinates": [-12.56262192106476, 7.376283621891673, 12.5]}},
///   {"type": "Feature", "id": "nOtAnOrgUnt", "geometry": null}]}"#;
/// let result = import_geojson(&catalogue, file.as_bytes(), &GeoJsonImportParams::default()).unwrap();
/// assert_eq!(result.report.count().imported, 1);
/// assert_eq!(result.report.count().ignored, 1); // E7708 for the second feature
/// catalogue.apply(&result.changes);
/// assert_eq!(
///     catalogue.get("organisationUnits", "ImspTQPwCqd").unwrap()["geometry"],
///     json!({"type": "Point", "coordinates": [-12.56262192106476, 7.376283621891673]})
/// );
/// ```
pub fn import_geojson<R: Read, C: Catalogue + ?Sized>(
    catalogue: &C,
    input: R,
    params: &GeoJsonImportParams,
) -> Result<GeoJsonImport, Error> {
    import_geojson_with_progress(catalogue, input, params, &mut progress::ignore)
}

/// [`import_geojson`], reporting its progress to `progress`.
///
/// The document is read and each feature matched and checked as it is read, in one pass, so
/// the import is one phase, [`Phase::Import`], counting features: an event when it starts
/// (`done` 0), one every 1,000 features, and [`Progress::finished`] with the number of features
/// at the end — also when the import ends at a conflict about the whole document (`E7700`,
/// `E7701`, an attribute refused), with the features read until then. An [`Err`] ends without
/// it. A root that is a single `Feature` counts one.
///
/// ```
/// use dxf2_metadata::catalogue::MemoryCatalogue;
/// use dxf2_model::{Phase, Progress};
/// use geometry_import::{import_geojson_with_progress, GeoJsonImportParams};
/// use serde_json::json;
///
/// let mut catalogue = MemoryCatalogue::new();
/// catalogue.insert("organisationUnits", json!({"id": "ImspTQPwCqd", "name": "Sierra Leone"})
///     .as_object().unwrap().clone());
/// let feature = r#"{"type": "Feature", "id": "ImspTQPwCqd",
///     "geometry": {"type": "Point", "coordinates": [-12.5, 7.3]}}"#;
/// let file = format!(r#"{{"type": "FeatureCollection", "features": [{}]}}"#,
///     vec![feature; 2_500].join(","));
/// let mut events = Vec::new();
/// let params = GeoJsonImportParams::default();
/// let result = import_geojson_with_progress(&catalogue, file.as_bytes(), &params,
///     &mut |p: Progress| events.push(p)).unwrap();
/// assert_eq!(result.report.count().updated, 2_499);
/// assert_eq!(events, [
///     Progress::new(Phase::Import, 0),
///     Progress::new(Phase::Import, 1_000),
///     Progress::new(Phase::Import, 2_000),
///     Progress::finished(Phase::Import, 2_500),
/// ]);
/// ```
pub fn import_geojson_with_progress<R: Read, C: Catalogue + ?Sized>(
    catalogue: &C,
    input: R,
    params: &GeoJsonImportParams,
    progress: &mut dyn FnMut(Progress),
) -> Result<GeoJsonImport, Error> {
    let mut counter = Counter::start(Phase::Import, progress);
    let mut importer = match Importer::new(catalogue, params)? {
        Ok(importer) => importer,
        Err(report) => {
            counter.finish(0, progress);
            return Ok(report_only(report));
        }
    };
    let limit = params.limits.max_record_bytes;
    let mut each = |index: usize, item: Item| {
        counter.tick(progress);
        importer.feature(index, item)
    };
    let outcome = read::read(BufReader::new(input), limit, &mut each);
    let result = match outcome {
        Ok(Outcome::Collection) => importer.finish(),
        Ok(Outcome::Single(members)) => {
            importer.reset();
            counter.tick(progress);
            importer.feature(0, Item::Object(members))?;
            importer.finish()
        }
        Ok(Outcome::NoFeatures) => global(ConflictCode::E7701, "No list of features found"),
        Err(ReadError::Json(e)) if e.is_io() => global(ConflictCode::E7700, &e.to_string()),
        Err(ReadError::Json(e)) => global(ConflictCode::E7701, &e.to_string()),
        Err(ReadError::TooLong { what }) => {
            return Err(Error::TooLong {
                what,
                limit,
                setting: "max_record_bytes",
                flag: "max-record-bytes",
            })
        }
        Err(ReadError::Stopped(e)) => return Err(e),
    };
    let done = counter.done();
    counter.finish(done, progress);
    Ok(result)
}

/// Imports one geometry for the org unit with UID `uid`, as DHIS2's `POST
/// /api/organisationUnits/{uid}/geometry` does (the body is a bare geometry; `null` deletes):
/// the geometry is imported as the only feature, matched by UID. The feature identifier and
/// org unit property of `params` are not used.
///
/// ```
/// use dxf2_metadata::catalogue::MemoryCatalogue;
/// use geometry_import::{import_org_unit_geometry, GeoJsonImportParams};
/// use serde_json::json;
///
/// let mut catalogue = MemoryCatalogue::new();
/// catalogue.insert("organisationUnits", json!({"id": "Kare5678901", "name": "Karene District"})
///     .as_object().unwrap().clone());
/// let params = GeoJsonImportParams::default();
/// let body = r#"{"type":"MultiPolygon","coordinates":[[[[1,1],[2,2],[1,3],[1,1]]]]}"#;
/// let result = import_org_unit_geometry(&catalogue, "Kare5678901", body, &params).unwrap();
/// assert_eq!(result.report.web_message(), ("OK", "Import successful."));
/// catalogue.apply(&result.changes);
/// let result = import_org_unit_geometry(&catalogue, "Kare5678901", "null", &params).unwrap();
/// assert_eq!(result.report.count().deleted, 1);
/// ```
pub fn import_org_unit_geometry<C: Catalogue + ?Sized>(
    catalogue: &C,
    uid: &str,
    geometry: &str,
    params: &GeoJsonImportParams,
) -> Result<GeoJsonImport, Error> {
    let params = GeoJsonImportParams {
        feature_id: FeatureId::Id,
        org_unit_property: OrgUnitProperty::Uid,
        ..params.clone()
    };
    let mut importer = match Importer::new(catalogue, &params)? {
        Ok(importer) => importer,
        Err(report) => return Ok(report_only(report)),
    };
    let body = match RawValue::from_string(geometry.trim().to_owned()) {
        Ok(body) => body,
        Err(e) => return Ok(global(ConflictCode::E7701, &e.to_string())),
    };
    let id = RawValue::from_string(Value::String(uid.to_owned()).to_string()).map_err(|e| {
        Error::Parameter {
            name: "uid",
            value: format!("{uid} ({e})"),
            expected: "an org unit UID",
        }
    })?;
    importer.feature(
        0,
        Item::Object(vec![("id".into(), id), ("geometry".into(), body)]),
    )?;
    Ok(importer.finish())
}

fn report_only(report: GeoJsonImportReport) -> GeoJsonImport {
    GeoJsonImport {
        report,
        changes: Changes::new(),
    }
}

/// A report of one conflict about the whole import.
fn global(code: ConflictCode, arg: &str) -> GeoJsonImport {
    let mut report = GeoJsonImportReport::new();
    report.add_conflict(code, None, &[arg]);
    report_only(report)
}

/// Org units by code or name: the UID, or `None` when several share the value.
type Index = HashMap<String, Option<String>>;

/// An org unit this import has read or changed.
struct Unit {
    object: Object,
    changed: bool,
}

struct Importer<'c, C: ?Sized> {
    catalogue: &'c C,
    params: &'c GeoJsonImportParams,
    path: Vec<String>,
    index: Option<Index>,
    report: GeoJsonImportReport,
    units: Vec<Unit>,
    by_uid: HashMap<String, usize>,
}

/// What a feature's geometry becomes.
enum NewValue {
    /// `null`: delete.
    Delete,
    /// The geometry's text (cut to pairs when needed) and the geometry GeoTools read from it.
    Set(String, geojson::GeometryValue),
}

impl<'c, C: Catalogue + ?Sized> Importer<'c, C> {
    /// The importer, or the report of a refused attribute.
    #[allow(clippy::type_complexity)]
    fn new(
        catalogue: &'c C,
        params: &'c GeoJsonImportParams,
    ) -> Result<Result<Importer<'c, C>, GeoJsonImportReport>, Error> {
        if let Some(attribute) = &params.attribute {
            if let Some(report) = check_attribute(catalogue, attribute)? {
                return Ok(Err(report));
            }
        }
        let index = match params.org_unit_property {
            OrgUnitProperty::Uid => None,
            p => Some(index(catalogue, p.field())?),
        };
        let path = match &params.feature_id {
            FeatureId::Id => vec!["id".to_owned()],
            FeatureId::Property(name) => std::iter::once("properties".to_owned())
                .chain(name.split('.').map(str::to_owned))
                .collect(),
        };
        Ok(Ok(Importer {
            catalogue,
            params,
            path,
            index,
            report: GeoJsonImportReport::new(),
            units: Vec::new(),
            by_uid: HashMap::new(),
        }))
    }

    /// Forgets what was done (the root turned out to be a single feature).
    fn reset(&mut self) {
        self.report = GeoJsonImportReport::new();
        self.units.clear();
        self.by_uid.clear();
    }

    fn conflict(&mut self, code: ConflictCode, index: usize, args: &[&str]) {
        self.report.add_conflict(code, Some(index), args);
        self.report.count_mut().ignored += 1;
    }

    fn feature(&mut self, index: usize, item: Item) -> Result<(), Error> {
        let Item::Object(members) = item else {
            let path = self.params.feature_id.path();
            self.conflict(ConflictCode::E7705, index, &[&path]);
            return Ok(());
        };
        let Some(identifier) = self.identifier(&members) else {
            let path = self.params.feature_id.path();
            self.conflict(ConflictCode::E7705, index, &[&path]);
            return Ok(());
        };
        let target = match self.target(&identifier)? {
            Target::One(at) => at,
            Target::Many => {
                self.conflict(ConflictCode::E7711, index, &[]);
                return Ok(());
            }
            Target::None => {
                self.conflict(ConflictCode::E7708, index, &[]);
                return Ok(());
            }
        };
        let Some(raw) = member(&members, "geometry") else {
            self.conflict(ConflictCode::E7706, index, &[]);
            return Ok(());
        };
        let text = raw.get();
        let new_value = match coordinates::inspect(text) {
            Shape::NotObject => {
                self.conflict(ConflictCode::E7707, index, &[]);
                return Ok(());
            }
            Shape::Null => NewValue::Delete,
            Shape::Object(summary) => {
                let Some(summary) = summary.filter(|s| !s.empty) else {
                    let written = coordinates::coordinates_text(text).unwrap_or("");
                    self.conflict(ConflictCode::E7712, index, &[written]);
                    return Ok(());
                };
                let pairs = match coordinates::with_pairs(text, &summary) {
                    Ok(pairs) => pairs,
                    Err(_) => {
                        self.conflict(ConflictCode::E7707, index, &[]);
                        return Ok(());
                    }
                };
                let value = pairs.unwrap_or_else(|| text.to_owned());
                match read_geometry(&value) {
                    Ok(Some(geometry)) => NewValue::Set(value, geometry),
                    Ok(None) if !self.params.strict => return Ok(()),
                    Ok(None) | Err(_) => {
                        self.conflict(ConflictCode::E7707, index, &[]);
                        return Ok(());
                    }
                }
            }
        };
        match self.params.attribute.clone() {
            Some(attribute) => self.set_attribute(target, &attribute, new_value),
            None => self.set_geometry(target, new_value),
        }
        Ok(())
    }

    /// The feature's identifier: the text at the identifier path.
    fn identifier(&self, members: &Members) -> Option<String> {
        let (first, rest) = self.path.split_first()?;
        let raw = member(members, first)?;
        if rest.is_empty() {
            return serde_json::from_str::<String>(raw.get()).ok();
        }
        let mut value: Value = serde_json::from_str(raw.get()).ok()?;
        for key in rest {
            value = match value {
                Value::Object(mut map) => map.remove(key)?,
                _ => return None,
            };
        }
        match value {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// The org unit with the identifier, loaded into `units`.
    fn target(&mut self, identifier: &str) -> Result<Target, Error> {
        let uid = match &self.index {
            None => identifier.to_owned(),
            Some(index) => match index.get(identifier) {
                None => return Ok(Target::None),
                Some(None) => return Ok(Target::Many),
                Some(Some(uid)) => uid.clone(),
            },
        };
        if let Some(at) = self.by_uid.get(&uid) {
            return Ok(Target::One(*at));
        }
        let Some(object) = self.catalogue.object(ORG_UNITS, &uid)? else {
            return Ok(Target::None);
        };
        let at = self.units.len();
        self.units.push(Unit {
            object: object.into_owned(),
            changed: false,
        });
        self.by_uid.insert(uid, at);
        Ok(Target::One(at))
    }

    fn set_geometry(&mut self, at: usize, new_value: NewValue) {
        let Some(unit) = self.units.get_mut(at) else {
            return;
        };
        let old = unit.object.get("geometry").filter(|g| !g.is_null());
        let count = self.report.count_mut();
        match new_value {
            NewValue::Delete => {
                if old.is_some() {
                    unit.object.remove("geometry");
                    unit.changed = true;
                }
                count.deleted += 1;
            }
            NewValue::Set(_, geometry) => {
                let same = old
                    .map(|g| g.to_string())
                    .and_then(|g| read_geometry(&g).ok().flatten())
                    .is_some_and(|g| same_2d(&g, &geometry));
                if old.is_some() {
                    count.updated += 1;
                } else {
                    count.imported += 1;
                }
                if !same {
                    let stored = serde_json::to_value(geojson::Geometry::new(geometry))
                        .unwrap_or(Value::Null);
                    unit.object.insert("geometry".to_owned(), stored);
                    unit.changed = true;
                }
            }
        }
    }

    fn set_attribute(&mut self, at: usize, attribute: &str, new_value: NewValue) {
        let Some(unit) = self.units.get_mut(at) else {
            return;
        };
        let had_values = unit.object.contains_key("attributeValues");
        let mut values = match unit.object.remove("attributeValues") {
            Some(Value::Array(values)) => values,
            _ => Vec::new(),
        };
        let position = values.iter().position(|v| {
            v.get("attribute")
                .and_then(|a| a.get("id"))
                .and_then(Value::as_str)
                == Some(attribute)
        });
        let count = self.report.count_mut();
        match (position, new_value) {
            (Some(p), NewValue::Delete) => {
                values.remove(p);
                unit.changed = true;
                count.deleted += 1;
            }
            (Some(p), NewValue::Set(text, _)) => {
                if let Some(Value::Object(entry)) = values.get_mut(p) {
                    if entry.get("value").and_then(Value::as_str) != Some(text.as_str()) {
                        entry.insert("value".to_owned(), Value::String(text));
                        unit.changed = true;
                    }
                }
                count.updated += 1;
            }
            (None, NewValue::Delete) => count.deleted += 1,
            (None, NewValue::Set(text, _)) => {
                values.push(serde_json::json!({"attribute": {"id": attribute}, "value": text}));
                unit.changed = true;
                count.imported += 1;
            }
        }
        if had_values || !values.is_empty() {
            unit.object
                .insert("attributeValues".to_owned(), Value::Array(values));
        }
    }

    fn finish(self) -> GeoJsonImport {
        let mut changes = Changes::new();
        if !self.params.dry_run {
            let now = now(&self.params.timestamps);
            let updated: Vec<Object> = self
                .units
                .into_iter()
                .filter(|u| u.changed)
                .map(|mut u| {
                    if let Some(now) = &now {
                        u.object
                            .insert("lastUpdated".to_owned(), Value::String(now.clone()));
                    }
                    if let Some(user) = &self.params.user {
                        u.object.insert(
                            "lastUpdatedBy".to_owned(),
                            serde_json::json!({ "id": user }),
                        );
                    }
                    u.object
                })
                .collect();
            if !updated.is_empty() {
                changes.type_mut(ORG_UNITS).updated = updated;
            }
        }
        GeoJsonImport {
            report: self.report,
            changes,
        }
    }
}

enum Target {
    One(usize),
    Many,
    None,
}

/// The member `key` of a feature (the last one when repeated, as `serde_json` reads objects).
fn member<'m>(members: &'m Members, key: &str) -> Option<&'m RawValue> {
    members
        .iter()
        .rev()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_ref())
}

/// Every org unit's `field` (code or name) → its UID, `None` when several share it.
fn index<C: Catalogue + ?Sized>(catalogue: &C, field: &str) -> Result<Index, Error> {
    let mut index = Index::new();
    for object in catalogue.objects(ORG_UNITS)? {
        let object = object?;
        let (Some(key), Some(uid)) = (
            object.get(field).and_then(Value::as_str),
            object.get("id").and_then(Value::as_str),
        ) else {
            continue;
        };
        index
            .entry(key.to_owned())
            .and_modify(|e| *e = None)
            .or_insert_with(|| Some(uid.to_owned()));
    }
    Ok(index)
}

/// DHIS2's attribute checks, in order: exists (`E7702`), value type `GEOJSON` (`E7703`),
/// applies to org units (`E7704`). `None` when the attribute is usable.
fn check_attribute<C: Catalogue + ?Sized>(
    catalogue: &C,
    uid: &str,
) -> Result<Option<GeoJsonImportReport>, Error> {
    let mut report = GeoJsonImportReport::new();
    let Some(attribute) = catalogue.object("attributes", uid)? else {
        report.add_conflict(ConflictCode::E7702, None, &[uid]);
        return Ok(Some(report));
    };
    let value_type = attribute
        .get("valueType")
        .and_then(Value::as_str)
        .unwrap_or("null");
    if value_type != "GEOJSON" {
        report.add_conflict(ConflictCode::E7703, None, &["GEOJSON", value_type]);
        return Ok(Some(report));
    }
    let flag = attribute
        .get("organisationUnitAttribute")
        .and_then(Value::as_bool)
        == Some(true);
    let listed = attribute
        .get("objectTypes")
        .and_then(Value::as_array)
        .is_some_and(|t| t.iter().any(|t| t.as_str() == Some("ORGANISATION_UNIT")));
    if !(flag || listed) {
        report.add_conflict(ConflictCode::E7704, None, &[]);
        return Ok(Some(report));
    }
    Ok(None)
}

/// The time written as `lastUpdated`, as the metadata import writes it.
fn now(timestamps: &Timestamps) -> Option<String> {
    match timestamps {
        Timestamps::Now => Some(
            chrono::Utc::now()
                .naive_utc()
                .format("%Y-%m-%dT%H:%M:%S%.3f")
                .to_string(),
        ),
        Timestamps::At(t) => Some(t.clone()),
        _ => None,
    }
}
