//! GeoJSON export of org unit geometry (`export_geojson`, whose docs say what it does).
use std::collections::HashMap;
use std::io::Write;

use dxf2_metadata::catalogue::Catalogue;
use dxf2_metadata::Object;
use geojson::feature::Id;
use geojson::{Feature, FeatureWriter, Geometry};
use serde_json::{Map, Value};

use crate::error::Error;

const ORG_UNITS: &str = "organisationUnits";

/// Which org units an export covers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExportScope {
    /// The org unit's UID.
    pub org_unit: String,
    /// Its descendants too.
    pub descendants: bool,
}

impl ExportScope {
    /// The org unit alone.
    pub fn org_unit(uid: impl Into<String>) -> ExportScope {
        ExportScope {
            org_unit: uid.into(),
            descendants: false,
        }
    }

    /// The org unit and its descendants.
    pub fn with_descendants(uid: impl Into<String>) -> ExportScope {
        ExportScope {
            org_unit: uid.into(),
            descendants: true,
        }
    }
}

/// What an export wrote.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ExportSummary {
    /// Features written.
    pub features: usize,
    /// Org units in scope left out because their stored geometry is not GeoJSON: UID and why.
    pub skipped: Vec<(String, String)>,
}

/// Writes the geometry of the org units of `catalogue` (all, or those of `scope`) to `out`: a
/// GeoJSON `FeatureCollection` with one `Feature` per org unit
/// that has a geometry, its `id` the org unit's UID (so that the file imports back with DHIS2's
/// default matching), its `properties` the org unit's `code`, `name`, `level` and `parent` UID
/// when it has them, written one feature at a time with the geojson crate's `FeatureWriter`.
///
/// [`ExportScope`] limits the export to one org unit, or to an org unit and its descendants
/// (found by the `path` of each org unit, `/A/B/C`, or, for org units without a path, by their
/// parent links). A stored geometry that is not GeoJSON is left out and named in
/// [`ExportSummary::skipped`].
///
/// ```
/// use dxf2_metadata::catalogue::MemoryCatalogue;
/// use geometry_import::{export_geojson, ExportScope};
/// use serde_json::json;
///
/// let mut catalogue = MemoryCatalogue::new();
/// for o in [
///     json!({"id": "ImspTQPwCqd", "name": "Sierra Leone", "path": "/ImspTQPwCqd",
///            "geometry": {"type": "Point", "coordinates": [-11.8, 8.4]}}),
///     json!({"id": "O6uvpzGd5pu", "name": "Bo", "parent": {"id": "ImspTQPwCqd"},
///            "geometry": {"type": "Point", "coordinates": [-11.7, 7.9]}}),
///     json!({"id": "fdc6uOvgoji", "name": "Bombali", "parent": {"id": "ImspTQPwCqd"}}),
/// ] {
///     catalogue.insert("organisationUnits", o.as_object().unwrap().clone());
/// }
/// let mut out = Vec::new();
/// let scope = ExportScope::with_descendants("O6uvpzGd5pu");
/// let summary = export_geojson(&catalogue, Some(&scope), &mut out).unwrap();
/// assert_eq!(summary.features, 1);
/// let collection: serde_json::Value = serde_json::from_slice(&out).unwrap();
/// assert_eq!(collection["features"][0]["id"], "O6uvpzGd5pu");
/// assert_eq!(collection["features"][0]["properties"]["parent"], "ImspTQPwCqd");
/// ```
pub fn export_geojson<C: Catalogue + ?Sized, W: Write>(
    catalogue: &C,
    scope: Option<&ExportScope>,
    out: &mut W,
) -> Result<ExportSummary, Error> {
    let within = match scope {
        None => None,
        Some(s) => {
            if catalogue.object(ORG_UNITS, &s.org_unit)?.is_none() {
                return Err(Error::UnknownOrgUnit(s.org_unit.clone()));
            }
            Some(Within::new(catalogue, s)?)
        }
    };
    let mut summary = ExportSummary::default();
    let mut writer = FeatureWriter::from_writer(&mut *out);
    for object in catalogue.objects(ORG_UNITS)? {
        let object = object?;
        let Some(uid) = text(&object, "id") else {
            continue;
        };
        if within.as_ref().is_some_and(|w| !w.contains(uid, &object)) {
            continue;
        }
        let Some(stored) = object.get("geometry").filter(|g| !g.is_null()) else {
            continue;
        };
        let geometry = match serde_json::from_value::<Geometry>(stored.clone()) {
            Ok(g) => g,
            Err(e) => {
                summary.skipped.push((uid.to_owned(), e.to_string()));
                continue;
            }
        };
        let feature = Feature {
            bbox: None,
            geometry: Some(geometry),
            id: Some(Id::String(uid.to_owned())),
            properties: Some(properties(&object)),
            foreign_members: None,
        };
        writer.write_feature(&feature).map_err(geojson_error)?;
        summary.features += 1;
    }
    writer.finish().map_err(geojson_error)?;
    writer.flush().map_err(geojson_error)?;
    Ok(summary)
}

fn geojson_error(e: geojson::Error) -> Error {
    match e {
        geojson::Error::Io(io) => Error::Io(io),
        other => Error::Io(std::io::Error::other(other.to_string())),
    }
}

fn text<'o>(object: &'o Object, key: &str) -> Option<&'o str> {
    object.get(key).and_then(Value::as_str)
}

fn properties(object: &Object) -> Map<String, Value> {
    let mut p = Map::new();
    for key in ["code", "name", "level"] {
        if let Some(v) = object.get(key).filter(|v| !v.is_null()) {
            p.insert(key.to_owned(), v.clone());
        }
    }
    if let Some(parent) = object.get("parent").and_then(|p| p.get("id")) {
        p.insert("parent".to_owned(), parent.clone());
    }
    p
}

/// Membership of an export scope.
struct Within {
    root: String,
    descendants: bool,
    /// Every org unit's parent and path (for descendants).
    links: HashMap<String, (Option<String>, Option<String>)>,
}

impl Within {
    fn new<C: Catalogue + ?Sized>(catalogue: &C, scope: &ExportScope) -> Result<Within, Error> {
        let mut links = HashMap::new();
        if scope.descendants {
            for object in catalogue.objects(ORG_UNITS)? {
                let object = object?;
                let Some(uid) = text(&object, "id") else {
                    continue;
                };
                let parent = object
                    .get("parent")
                    .and_then(|p| p.get("id"))
                    .and_then(Value::as_str)
                    .map(str::to_owned);
                let path = text(&object, "path")
                    .filter(|p| !p.is_empty())
                    .map(str::to_owned);
                links.insert(uid.to_owned(), (parent, path));
            }
        }
        Ok(Within {
            root: scope.org_unit.clone(),
            descendants: scope.descendants,
            links,
        })
    }

    fn contains(&self, uid: &str, object: &Object) -> bool {
        if uid == self.root {
            return true;
        }
        if !self.descendants {
            return false;
        }
        let on_path = |path: &str| path.split('/').any(|segment| segment == self.root);
        if let Some(path) = text(object, "path").filter(|p| !p.is_empty()) {
            return on_path(path);
        }
        // Up the parent links until the root or an org unit with a path, at most as many steps
        // as there are org units (a cycle ends there).
        let mut at = uid;
        for _ in 0..=self.links.len() {
            let Some((parent, path)) = self.links.get(at) else {
                return false;
            };
            if at != uid {
                if let Some(path) = path {
                    return on_path(path);
                }
            }
            match parent {
                Some(parent) if *parent == self.root => return true,
                Some(parent) => at = parent,
                None => return false,
            }
        }
        false
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use dxf2_metadata::catalogue::MemoryCatalogue;
    use serde_json::json;

    fn catalogue() -> MemoryCatalogue {
        let mut c = MemoryCatalogue::new();
        for o in [
            json!({"id": "a0000000001", "path": "/a0000000001", "geometry": {"type": "Point", "coordinates": [1.0, 2.0]}}),
            json!({"id": "b0000000001", "path": "/a0000000001/b0000000001", "code": "B", "level": 2,
                   "geometry": {"type": "Polygon", "coordinates": [[[0.0, 0.0], [1.0, 0.0], [0.0, 0.0]]]}}),
            json!({"id": "c0000000001", "parent": {"id": "b0000000001"}, "geometry": {"type": "Point", "coordinates": [3.0, 4.0]}}),
            json!({"id": "d0000000001", "geometry": {"type": "Blob"}}),
            json!({"id": "e0000000001"}),
            json!({"id": "f0000000001", "parent": {"id": "g0000000001"}, "geometry": {"type": "Point", "coordinates": [3.0, 4.0]}}),
            json!({"id": "g0000000001", "parent": {"id": "f0000000001"}}),
        ] {
            c.insert("organisationUnits", o.as_object().unwrap().clone());
        }
        c
    }

    fn ids(out: &[u8]) -> Vec<String> {
        let v: Value = serde_json::from_slice(out).unwrap();
        v["features"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["id"].as_str().unwrap().to_owned())
            .collect()
    }

    #[test]
    fn every_org_unit_with_a_geometry() {
        let mut out = Vec::new();
        let s = export_geojson(&catalogue(), None, &mut out).unwrap();
        assert_eq!(s.features, 4);
        assert_eq!(s.skipped.len(), 1);
        assert_eq!(s.skipped[0].0, "d0000000001");
        assert_eq!(
            ids(&out),
            ["a0000000001", "b0000000001", "c0000000001", "f0000000001"]
        );
        let v: Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(v["type"], "FeatureCollection");
        assert_eq!(
            v["features"][1]["properties"],
            json!({"code": "B", "level": 2})
        );
    }

    #[test]
    fn scopes_follow_paths_and_parents() {
        let c = catalogue();
        let mut out = Vec::new();
        export_geojson(
            &c,
            Some(&ExportScope::with_descendants("a0000000001")),
            &mut out,
        )
        .unwrap();
        // c has no path: its parent b has one, which leads to a.
        assert_eq!(ids(&out), ["a0000000001", "b0000000001", "c0000000001"]);
        let mut out = Vec::new();
        export_geojson(
            &c,
            Some(&ExportScope::with_descendants("b0000000001")),
            &mut out,
        )
        .unwrap();
        assert_eq!(ids(&out), ["b0000000001", "c0000000001"]);
        let mut out = Vec::new();
        export_geojson(&c, Some(&ExportScope::org_unit("b0000000001")), &mut out).unwrap();
        assert_eq!(ids(&out), ["b0000000001"]);
        let mut out = Vec::new();
        export_geojson(
            &c,
            Some(&ExportScope::with_descendants("e0000000001")),
            &mut out,
        )
        .unwrap();
        assert!(ids(&out).is_empty());
        let mut out = Vec::new();
        assert!(matches!(
            export_geojson(&c, Some(&ExportScope::org_unit("zzzzzzzzzzz")), &mut out),
            Err(Error::UnknownOrgUnit(_))
        ));
    }
}
