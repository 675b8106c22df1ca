//! Geometries of tracked entities, enrollments and events: GeoJSON in JSON, WKT in CSV.
//!
//! DHIS2 binds tracker geometries to JTS objects (SRID 4326) through `jackson-datatype-jts`, so a
//! geometry is kept here as its typed value, [`Geometry`], whatever the format:
//!
//! * JSON reads a GeoJSON geometry object (`{"type": "Point", "coordinates": [lon, lat]}`); the
//!   type names are GeoJSON's, case-sensitive; other keys (`bbox`, `crs`) are ignored; a third
//!   coordinate is the altitude, more are ignored. JSON writes `{"type":…,"coordinates":…}` with
//!   Java's number format (`[40.0,5.0]`).
//! * CSV reads WKT (`POINT (-11.42 8.06)`, single quotes around it trimmed) and writes JTS's
//!   `toText()` (two dimensions, `POINT (40 5)`); see [`Geometry::from_wkt`] and
//!   [`Geometry::to_wkt`].
//!
//! JTS refuses a one-point line string and a polygon ring that is not closed or has fewer than
//! four points; so do both readers here ([`GeometryError`]).
//!
//! ```
//! use dxf2_tracker::Geometry;
//!
//! let g = Geometry::from_wkt("'POINT (-11.4283223849698 8.06311527044516)'").unwrap();
//! assert_eq!(g.geometry_type(), "Point");
//! assert_eq!(g.to_geojson_string(), r#"{"type":"Point","coordinates":[-11.4283223849698,8.06311527044516]}"#);
//! let json: serde_json::Value = serde_json::from_str(r#"{"type": "Point", "coordinates": [40, 5]}"#).unwrap();
//! let g = Geometry::from_geojson(&json).unwrap();
//! assert_eq!(g.to_wkt(), "POINT (40 5)");
//! assert_eq!(g.to_geojson_string(), r#"{"type":"Point","coordinates":[40.0,5.0]}"#);
//! ```

mod wkt;

use std::fmt;

use serde_json::Value;

use crate::number::write_java_double;

/// One position: x (longitude), y (latitude) and, when given, z.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Coordinate {
    /// Longitude (x).
    pub x: f64,
    /// Latitude (y).
    pub y: f64,
    /// Altitude (z), when given.
    pub z: Option<f64>,
}

impl Coordinate {
    /// A two-dimensional position.
    pub fn xy(x: f64, y: f64) -> Coordinate {
        Coordinate { x, y, z: None }
    }
}

/// A geometry, as JTS holds it.
#[derive(Clone, Debug, PartialEq)]
pub enum Geometry {
    /// `Point`.
    Point(Coordinate),
    /// `MultiPoint`.
    MultiPoint(Vec<Coordinate>),
    /// `LineString`: no or at least two positions.
    LineString(Vec<Coordinate>),
    /// `MultiLineString`.
    MultiLineString(Vec<Vec<Coordinate>>),
    /// `Polygon`: rings, the first the shell; each ring closed, with no or at least 4 positions.
    Polygon(Vec<Vec<Coordinate>>),
    /// `MultiPolygon`.
    MultiPolygon(Vec<Vec<Vec<Coordinate>>>),
    /// `GeometryCollection`.
    GeometryCollection(Vec<Geometry>),
}

/// Why a geometry is refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GeometryError(pub String);

impl fmt::Display for GeometryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for GeometryError {}

fn err<T>(message: impl Into<String>) -> Result<T, GeometryError> {
    Err(GeometryError(message.into()))
}

impl Geometry {
    /// The GeoJSON (and JTS) type name: `Point`, `MultiPoint`, `LineString`,
    /// `MultiLineString`, `Polygon`, `MultiPolygon`, `GeometryCollection`.
    pub fn geometry_type(&self) -> &'static str {
        match self {
            Geometry::Point(_) => "Point",
            Geometry::MultiPoint(_) => "MultiPoint",
            Geometry::LineString(_) => "LineString",
            Geometry::MultiLineString(_) => "MultiLineString",
            Geometry::Polygon(_) => "Polygon",
            Geometry::MultiPolygon(_) => "MultiPolygon",
            Geometry::GeometryCollection(_) => "GeometryCollection",
        }
    }

    /// The position of a point (what DHIS2 writes to the CSV `latitude`/`longitude` columns).
    pub fn point(&self) -> Option<Coordinate> {
        match self {
            Geometry::Point(c) => Some(*c),
            _ => None,
        }
    }

    /// Reads a GeoJSON geometry object as `jackson-datatype-jts` does.
    pub fn from_geojson(value: &Value) -> Result<Geometry, GeometryError> {
        let Value::Object(obj) = value else {
            return err("a GeoJSON geometry must be a JSON object");
        };
        let Some(type_name) = obj.get("type") else {
            return err("the GeoJSON geometry has no `type`");
        };
        let Some(type_name) = type_name.as_str() else {
            return err("the GeoJSON `type` must be a string");
        };
        if type_name == "GeometryCollection" {
            let Some(Value::Array(items)) = obj.get("geometries") else {
                return err("a GeometryCollection needs a `geometries` array");
            };
            return items
                .iter()
                .map(Geometry::from_geojson)
                .collect::<Result<Vec<_>, _>>()
                .map(Geometry::GeometryCollection);
        }
        let known = [
            "Point",
            "MultiPoint",
            "LineString",
            "MultiLineString",
            "Polygon",
            "MultiPolygon",
        ];
        if !known.contains(&type_name) {
            return err(format!(
                "invalid geometry type `{type_name}`: expected one of Point, MultiPoint, LineString, \
                 MultiLineString, Polygon, MultiPolygon, GeometryCollection (case-sensitive)"
            ));
        }
        let Some(coords) = obj.get("coordinates") else {
            return err(format!("the {type_name} has no `coordinates`"));
        };
        let g = match type_name {
            "Point" => Geometry::Point(position(coords)?),
            "MultiPoint" => Geometry::MultiPoint(positions(coords)?),
            "LineString" => Geometry::LineString(positions(coords)?),
            "MultiLineString" => Geometry::MultiLineString(
                array(coords)?
                    .iter()
                    .map(positions)
                    .collect::<Result<_, _>>()?,
            ),
            "Polygon" => Geometry::Polygon(
                array(coords)?
                    .iter()
                    .map(positions)
                    .collect::<Result<_, _>>()?,
            ),
            _ => Geometry::MultiPolygon(
                array(coords)?
                    .iter()
                    .map(|p| array(p)?.iter().map(positions).collect())
                    .collect::<Result<_, _>>()?,
            ),
        };
        g.validate()?;
        Ok(g)
    }

    /// JTS's own checks: a line string has no or at least two positions; a polygon ring is
    /// closed and has no or at least four positions.
    pub fn validate(&self) -> Result<(), GeometryError> {
        fn line(c: &[Coordinate]) -> Result<(), GeometryError> {
            if c.len() == 1 {
                return err("Invalid number of points in LineString (found 1 - must be 0 or >= 2)");
            }
            Ok(())
        }
        fn ring(c: &[Coordinate]) -> Result<(), GeometryError> {
            if c.is_empty() {
                return Ok(());
            }
            let closed = match (c.first(), c.last()) {
                (Some(a), Some(b)) => a.x == b.x && a.y == b.y,
                _ => false,
            };
            if !closed {
                return err("Points of LinearRing do not form a closed linestring");
            }
            if c.len() < 4 {
                return err(format!(
                    "Invalid number of points in LinearRing (found {} - must be 0 or >= 4)",
                    c.len()
                ));
            }
            Ok(())
        }
        match self {
            Geometry::Point(_) | Geometry::MultiPoint(_) => Ok(()),
            Geometry::LineString(c) => line(c),
            Geometry::MultiLineString(ls) => ls.iter().try_for_each(|l| line(l)),
            Geometry::Polygon(rings) => rings.iter().try_for_each(|r| ring(r)),
            Geometry::MultiPolygon(ps) => ps
                .iter()
                .try_for_each(|rings| rings.iter().try_for_each(|r| ring(r))),
            Geometry::GeometryCollection(gs) => gs.iter().try_for_each(Geometry::validate),
        }
    }

    /// The GeoJSON DHIS2 writes: `{"type":"Point","coordinates":[40.0,5.0]}`.
    pub fn to_geojson_string(&self) -> String {
        let mut s = String::new();
        self.write_geojson(&mut s);
        s
    }

    /// Appends the GeoJSON DHIS2 writes (see [`Geometry::to_geojson_string`]).
    pub fn write_geojson(&self, out: &mut String) {
        out.push_str("{\"type\":\"");
        out.push_str(self.geometry_type());
        if let Geometry::GeometryCollection(gs) = self {
            out.push_str("\",\"geometries\":[");
            for (i, g) in gs.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                g.write_geojson(out);
            }
            out.push_str("]}");
            return;
        }
        out.push_str("\",\"coordinates\":");
        match self {
            Geometry::Point(c) => write_position(c, out),
            Geometry::MultiPoint(cs) | Geometry::LineString(cs) => write_positions(cs, out),
            Geometry::MultiLineString(ls) | Geometry::Polygon(ls) => write_lists(ls, out),
            Geometry::MultiPolygon(ps) => {
                out.push('[');
                for (i, p) in ps.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    write_lists(p, out);
                }
                out.push(']');
            }
            Geometry::GeometryCollection(_) => {}
        }
        out.push('}');
    }

    /// Reads WKT as DHIS2's CSV reader does (JTS `WKTReader`, after trimming one single quote at
    /// each end): keywords in any case, `Z`/`M`/`ZM` tags, `EMPTY`.
    pub fn from_wkt(text: &str) -> Result<Geometry, GeometryError> {
        let t = text.strip_prefix('\'').unwrap_or(text);
        let t = t.strip_suffix('\'').unwrap_or(t);
        wkt::parse(t)
    }

    /// JTS's `toText()`: two dimensions, `POINT (40 5)`, `LINESTRING (40 5, 41 6)`,
    /// `MULTIPOINT ((1 2), (3 4))`.
    pub fn to_wkt(&self) -> String {
        let mut s = String::new();
        wkt::write(self, &mut s);
        s
    }
}

fn array(v: &Value) -> Result<&Vec<Value>, GeometryError> {
    match v {
        Value::Array(a) => Ok(a),
        _ => err("GeoJSON coordinates must be arrays"),
    }
}

fn position(v: &Value) -> Result<Coordinate, GeometryError> {
    let a = array(v)?;
    let num = |i: usize| -> Result<Option<f64>, GeometryError> {
        match a.get(i) {
            None => Ok(None),
            Some(Value::Number(n)) => Ok(n.as_f64()),
            Some(_) => err("a GeoJSON coordinate must be a number"),
        }
    };
    match (num(0)?, num(1)?) {
        (Some(x), Some(y)) => Ok(Coordinate { x, y, z: num(2)? }),
        _ => err("a GeoJSON position needs at least two numbers"),
    }
}

fn positions(v: &Value) -> Result<Vec<Coordinate>, GeometryError> {
    array(v)?.iter().map(position).collect()
}

fn write_position(c: &Coordinate, out: &mut String) {
    out.push('[');
    write_java_double(c.x, out);
    out.push(',');
    write_java_double(c.y, out);
    if let Some(z) = c.z.filter(|z| !z.is_nan()) {
        out.push(',');
        write_java_double(z, out);
    }
    out.push(']');
}

fn write_positions(cs: &[Coordinate], out: &mut String) {
    out.push('[');
    for (i, c) in cs.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        write_position(c, out);
    }
    out.push(']');
}

fn write_lists(ls: &[Vec<Coordinate>], out: &mut String) {
    out.push('[');
    for (i, l) in ls.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        write_positions(l, out);
    }
    out.push(']');
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gj(s: &str) -> Result<Geometry, GeometryError> {
        Geometry::from_geojson(&serde_json::from_str(s).unwrap())
    }

    #[test]
    fn reads_and_writes_every_geojson_type() {
        for (input, output, wkt) in [
            (
                r#"{"type":"Point","coordinates":[-11.42,8.06,12]}"#,
                r#"{"type":"Point","coordinates":[-11.42,8.06,12.0]}"#,
                "POINT (-11.42 8.06)",
            ),
            (
                r#"{"type":"MultiPoint","coordinates":[[1,2],[3,4]]}"#,
                r#"{"type":"MultiPoint","coordinates":[[1.0,2.0],[3.0,4.0]]}"#,
                "MULTIPOINT ((1 2), (3 4))",
            ),
            (
                r#"{"type":"LineString","coordinates":[[40,5],[41,6]]}"#,
                r#"{"type":"LineString","coordinates":[[40.0,5.0],[41.0,6.0]]}"#,
                "LINESTRING (40 5, 41 6)",
            ),
            (
                r#"{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]}"#,
                r#"{"type":"Polygon","coordinates":[[[0.0,0.0],[1.0,0.0],[1.0,1.0],[0.0,0.0]]]}"#,
                "POLYGON ((0 0, 1 0, 1 1, 0 0))",
            ),
            (
                r#"{"type":"MultiPolygon","coordinates":[[[[0,0],[1,0],[1,1],[0,0]]],[[[5,5],[6,5],[6,6],[5,5]]]]}"#,
                r#"{"type":"MultiPolygon","coordinates":[[[[0.0,0.0],[1.0,0.0],[1.0,1.0],[0.0,0.0]]],[[[5.0,5.0],[6.0,5.0],[6.0,6.0],[5.0,5.0]]]]}"#,
                "MULTIPOLYGON (((0 0, 1 0, 1 1, 0 0)), ((5 5, 6 5, 6 6, 5 5)))",
            ),
            (
                r#"{"type":"MultiLineString","coordinates":[[[0,0],[1,1]],[[2,2],[3,3]]],"bbox":[0,0,3,3]}"#,
                r#"{"type":"MultiLineString","coordinates":[[[0.0,0.0],[1.0,1.0]],[[2.0,2.0],[3.0,3.0]]]}"#,
                "MULTILINESTRING ((0 0, 1 1), (2 2, 3 3))",
            ),
            (
                r#"{"type":"GeometryCollection","geometries":[{"type":"Point","coordinates":[1,2]}]}"#,
                r#"{"type":"GeometryCollection","geometries":[{"type":"Point","coordinates":[1.0,2.0]}]}"#,
                "GEOMETRYCOLLECTION (POINT (1 2))",
            ),
        ] {
            let g = gj(input).unwrap();
            assert_eq!(g.to_geojson_string(), output);
            assert_eq!(g.to_wkt(), wkt);
            assert_eq!(Geometry::from_wkt(wkt).unwrap().to_wkt(), wkt);
            let again: Value = serde_json::from_str(output).unwrap();
            assert_eq!(Geometry::from_geojson(&again).unwrap(), g);
        }
    }

    #[test]
    fn refuses_what_jts_refuses() {
        for bad in [
            r#"{"type":"POINT","coordinates":[1,2]}"#,
            r#"{"type":"Point"}"#,
            r#"{"coordinates":[1,2]}"#,
            r#"{"type":"Point","coordinates":[1]}"#,
            r#"{"type":"Point","coordinates":["1","2"]}"#,
            r#"{"type":"LineString","coordinates":[[1,2]]}"#,
            r#"{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,1]]]}"#,
            r#"{"type":"Polygon","coordinates":[[[0,0],[1,0],[0,0]]]}"#,
            r#"[1,2]"#,
        ] {
            assert!(gj(bad).is_err(), "{bad}");
        }
    }
}
