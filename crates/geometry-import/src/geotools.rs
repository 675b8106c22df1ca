//! GeoTools' `GeometryJSON.read` and JTS's checks (`read_geometry`, whose docs say how).
use std::fmt;

use geojson::{GeometryValue, Position};
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

/// Why a geometry cannot be read: GeoTools' or JTS's complaint.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GeometryError(pub String);

impl fmt::Display for GeometryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for GeometryError {}

fn fail<T>(message: impl Into<String>) -> Result<T, GeometryError> {
    Err(GeometryError(message.into()))
}

/// Reads the GeoJSON geometry in `text` as DHIS2 reads it: GeoTools' `GeometryJSON.read` (its
/// streaming handlers over json-simple events) building a JTS geometry with JTS's construction
/// checks.
///
/// GeoTools is lenient in its own ways, and DHIS2 inherits them; they are kept here:
///
/// * the `type` decides the handler (`Point`, `LineString`, `Polygon`, `MultiPoint`,
///   `MultiLineString`, `MultiPolygon`, case-sensitive); `coordinates` written before `type` are
///   recorded and replayed; an unknown `type` fails;
/// * the handlers count array levels rather than check them: a polygon's coordinates nested one
///   level too deep (`[[[[x,y],…]]]`, as DHIS2's GML stylesheet writes them) read as rings; only
///   numbers are ordinates (strings, booleans and nulls in a position are skipped); a position
///   needs at least two numbers, a third is kept as `z`, more are dropped;
/// * other arrays in the geometry object (`bbox`) and nested objects (`crs`) feed the same
///   handler, as in GeoTools: a `bbox` before the `coordinates` of a polygon fails, one after
///   them adds an empty ring;
/// * JTS: a line string has 0 or at least 2 points; a ring 0 or at least 3, first and last equal
///   (in x and y); a polygon with an empty shell has no non-empty holes.
///
/// A geometry without `type` (or whose handler never ends) reads as nothing: `Ok(None)`, as
/// GeoTools returns `null`. `GeometryCollection`, `Feature` and `FeatureCollection` are refused
/// (GeoTools returns no plain geometry for the last two; DHIS2 never reaches GeoTools with a
/// collection, which has no `coordinates`).
pub fn read_geometry(text: &str) -> Result<Option<GeometryValue>, GeometryError> {
    let mut handler = GeometryHandler::default();
    let mut de = serde_json::Deserializer::from_str(text);
    let walked = Walk(&mut handler).deserialize(&mut de);
    if let Some(e) = handler.error.take() {
        return Err(e);
    }
    walked.map_err(|e| GeometryError(e.to_string()))?;
    de.end().map_err(|e| GeometryError(e.to_string()))?;
    Ok(handler.value())
}

/// One json-simple parser event.
#[derive(Clone, Debug, PartialEq)]
enum Ev {
    StartObject,
    EndObject,
    Key(String),
    EndEntry,
    StartArray,
    EndArray,
    Number(f64),
    /// A string (the `type` value) or another scalar as Java's `toString` writes it; `None`
    /// for JSON `null`.
    Scalar(Option<String>),
}

/// A JTS coordinate: x, y and the optional z.
type Coordinate = (f64, f64, Option<f64>);

fn position(c: &Coordinate) -> Position {
    match c.2 {
        Some(z) => Position::from([c.0, c.1, z]),
        None => Position::from([c.0, c.1]),
    }
}

/// GeoTools' `createCoordinate`: at least two ordinates; a third is `z`.
fn coordinate(ordinates: &[f64]) -> Result<Coordinate, GeometryError> {
    match ordinates {
        [x, y] => Ok((*x, *y, None)),
        [x, y, z, ..] => Ok((*x, *y, Some(*z))),
        _ => fail("Too few ordinates to create coordinate"),
    }
}

/// JTS `LineString`: 0 or at least 2 points.
fn line(coords: Vec<Coordinate>) -> Result<Vec<Position>, GeometryError> {
    if coords.len() == 1 {
        return fail("Invalid number of points in LineString (found 1 - must be 0 or >= 2)");
    }
    Ok(coords.iter().map(position).collect())
}

/// JTS `LinearRing`: closed (in x and y) unless empty, then 0 or at least 3 points.
fn ring(coords: &[Coordinate]) -> Result<Vec<Position>, GeometryError> {
    if let (Some(first), Some(last)) = (coords.first(), coords.last()) {
        if first.0 != last.0 || first.1 != last.1 {
            return fail("Points of LinearRing do not form a closed linestring");
        }
    }
    if !coords.is_empty() && coords.len() < 3 {
        return fail(format!(
            "Invalid number of points in LinearRing (found {} - must be 0 or >= 3)",
            coords.len()
        ));
    }
    Ok(coords.iter().map(position).collect())
}

/// JTS `Polygon` from GeoTools' rings: the first is the shell.
fn polygon(rings: &[Vec<Coordinate>]) -> Result<Vec<Vec<Position>>, GeometryError> {
    let mut out = Vec::with_capacity(rings.len());
    for r in rings {
        out.push(ring(r)?);
    }
    let shell_empty = out.first().is_none_or(Vec::is_empty);
    if shell_empty && out.iter().skip(1).any(|h| !h.is_empty()) {
        return fail("shell is empty but holes are not");
    }
    Ok(out)
}

/// A `null` where GeoTools dereferences a list it never created.
fn npe<T>() -> Result<T, GeometryError> {
    fail("java.lang.NullPointerException (coordinates out of place)")
}

/// GeoTools' handlers, with their fields (`None` = Java `null`).
#[derive(Debug)]
enum Shape {
    Point {
        ordinates: Option<Vec<f64>>,
        value: Option<GeometryValue>,
    },
    Line {
        ordinates: Option<Vec<f64>>,
        coordinates: Option<Vec<Coordinate>>,
        value: Option<GeometryValue>,
    },
    Polygon {
        ordinates: Option<Vec<f64>>,
        coordinates: Option<Vec<Coordinate>>,
        rings: Option<Vec<Vec<Coordinate>>>,
        value: Option<GeometryValue>,
    },
    MultiPoint {
        ordinates: Option<Vec<f64>>,
        coordinates: Option<Vec<Coordinate>>,
        value: Option<GeometryValue>,
    },
    MultiLine {
        ordinates: Option<Vec<f64>>,
        coordinates: Option<Vec<Coordinate>>,
        lines: Option<Vec<Vec<Coordinate>>>,
        value: Option<GeometryValue>,
    },
    MultiPolygon {
        ordinates: Option<Vec<f64>>,
        coordinates: Option<Vec<Coordinate>>,
        rings: Option<Vec<Vec<Coordinate>>>,
        polys: Option<Vec<Vec<Vec<Coordinate>>>>,
        value: Option<GeometryValue>,
    },
}

impl Shape {
    fn for_type(name: &str) -> Result<Shape, GeometryError> {
        Ok(match name {
            "Point" => Shape::Point {
                ordinates: None,
                value: None,
            },
            "LineString" => Shape::Line {
                ordinates: None,
                coordinates: None,
                value: None,
            },
            "Polygon" => Shape::Polygon {
                ordinates: None,
                coordinates: None,
                rings: None,
                value: None,
            },
            "MultiPoint" => Shape::MultiPoint {
                ordinates: None,
                coordinates: None,
                value: None,
            },
            "MultiLineString" => Shape::MultiLine {
                ordinates: None,
                coordinates: None,
                lines: None,
                value: None,
            },
            "MultiPolygon" => Shape::MultiPolygon {
                ordinates: None,
                coordinates: None,
                rings: None,
                polys: None,
                value: None,
            },
            "GeometryCollection" | "Feature" | "FeatureCollection" => {
                return fail(format!("a {name} is not a geometry DHIS2 stores"))
            }
            other => return fail(format!("unknown geometry type `{other}`")),
        })
    }

    fn value(self) -> Option<GeometryValue> {
        match self {
            Shape::Point { value, .. }
            | Shape::Line { value, .. }
            | Shape::Polygon { value, .. }
            | Shape::MultiPoint { value, .. }
            | Shape::MultiLine { value, .. }
            | Shape::MultiPolygon { value, .. } => value,
        }
    }

    fn event(&mut self, ev: Ev) -> Result<(), GeometryError> {
        match ev {
            Ev::Key(k) if k == "coordinates" => self.start_coordinates(),
            Ev::StartArray => self.start_array(),
            Ev::EndArray => self.end_array()?,
            Ev::EndObject => self.end_object()?,
            Ev::Number(n) => {
                if let Some(o) = self.ordinates() {
                    o.push(n);
                }
            }
            _ => {}
        }
        Ok(())
    }

    fn ordinates(&mut self) -> &mut Option<Vec<f64>> {
        match self {
            Shape::Point { ordinates, .. }
            | Shape::Line { ordinates, .. }
            | Shape::Polygon { ordinates, .. }
            | Shape::MultiPoint { ordinates, .. }
            | Shape::MultiLine { ordinates, .. }
            | Shape::MultiPolygon { ordinates, .. } => ordinates,
        }
    }

    fn start_coordinates(&mut self) {
        match self {
            Shape::Point { ordinates, .. } => *ordinates = Some(Vec::new()),
            Shape::Line { coordinates, .. } | Shape::MultiPoint { coordinates, .. } => {
                *coordinates = Some(Vec::new())
            }
            Shape::Polygon { rings, .. } => *rings = Some(Vec::new()),
            Shape::MultiLine { lines, .. } => *lines = Some(Vec::new()),
            Shape::MultiPolygon { polys, .. } => *polys = Some(Vec::new()),
        }
    }

    fn start_array(&mut self) {
        match self {
            Shape::Point { .. } => {}
            Shape::Line { ordinates, .. } | Shape::MultiPoint { ordinates, .. } => {
                if ordinates.is_none() {
                    *ordinates = Some(Vec::new());
                }
            }
            Shape::Polygon {
                ordinates,
                coordinates,
                ..
            }
            | Shape::MultiLine {
                ordinates,
                coordinates,
                ..
            } => {
                if coordinates.is_none() {
                    *coordinates = Some(Vec::new());
                } else if ordinates.is_none() {
                    *ordinates = Some(Vec::new());
                }
            }
            Shape::MultiPolygon {
                ordinates,
                coordinates,
                rings,
                ..
            } => {
                if rings.is_none() {
                    *rings = Some(Vec::new());
                } else if coordinates.is_none() {
                    *coordinates = Some(Vec::new());
                } else if ordinates.is_none() {
                    *ordinates = Some(Vec::new());
                }
            }
        }
    }

    fn end_array(&mut self) -> Result<(), GeometryError> {
        match self {
            Shape::Point { .. } => {}
            Shape::Line {
                ordinates,
                coordinates,
                ..
            }
            | Shape::MultiPoint {
                ordinates,
                coordinates,
                ..
            } => {
                if let Some(o) = ordinates.take() {
                    let c = coordinate(&o)?;
                    match coordinates {
                        Some(list) => list.push(c),
                        None => return npe(),
                    }
                }
            }
            Shape::Polygon {
                ordinates,
                coordinates,
                rings: outer,
                ..
            }
            | Shape::MultiLine {
                ordinates,
                coordinates,
                lines: outer,
                ..
            } => {
                if let Some(o) = ordinates.take() {
                    let c = coordinate(&o)?;
                    match coordinates {
                        Some(list) => list.push(c),
                        None => return npe(),
                    }
                } else if let Some(list) = coordinates.take() {
                    match outer {
                        Some(all) => all.push(list),
                        None => return npe(),
                    }
                }
            }
            Shape::MultiPolygon {
                ordinates,
                coordinates,
                rings,
                polys,
                ..
            } => {
                if let Some(o) = ordinates.take() {
                    let c = coordinate(&o)?;
                    match coordinates {
                        Some(list) => list.push(c),
                        None => return npe(),
                    }
                } else if let Some(list) = coordinates.take() {
                    match rings {
                        Some(all) => all.push(list),
                        None => return npe(),
                    }
                } else if let Some(r) = rings.take() {
                    match polys {
                        Some(all) => all.push(r),
                        None => return npe(),
                    }
                }
            }
        }
        Ok(())
    }

    fn end_object(&mut self) -> Result<(), GeometryError> {
        match self {
            Shape::Point { ordinates, value } => {
                if let Some(o) = ordinates.take() {
                    let c = coordinate(&o)?;
                    *value = Some(GeometryValue::Point {
                        coordinates: position(&c),
                    });
                }
            }
            Shape::Line {
                coordinates, value, ..
            } => {
                if let Some(list) = coordinates.take() {
                    *value = Some(GeometryValue::LineString {
                        coordinates: line(list)?,
                    });
                }
            }
            Shape::MultiPoint {
                coordinates, value, ..
            } => {
                if let Some(list) = coordinates.take() {
                    *value = Some(GeometryValue::MultiPoint {
                        coordinates: list.iter().map(position).collect(),
                    });
                }
            }
            Shape::Polygon { rings, value, .. } => {
                if let Some(all) = rings.take() {
                    if all.is_empty() {
                        return fail("Polygon specified with no rings.");
                    }
                    *value = Some(GeometryValue::Polygon {
                        coordinates: polygon(&all)?,
                    });
                }
            }
            Shape::MultiLine { lines, value, .. } => {
                if let Some(all) = lines.take() {
                    let mut out = Vec::with_capacity(all.len());
                    for l in all {
                        out.push(line(l)?);
                    }
                    *value = Some(GeometryValue::MultiLineString { coordinates: out });
                }
            }
            Shape::MultiPolygon { polys, value, .. } => {
                if let Some(all) = polys.take() {
                    let mut out = Vec::with_capacity(all.len());
                    for rings in all {
                        if rings.is_empty() {
                            return fail("geometries must not contain null elements");
                        }
                        out.push(polygon(&rings)?);
                    }
                    *value = Some(GeometryValue::MultiPolygon { coordinates: out });
                }
            }
        }
        Ok(())
    }
}

/// GeoTools' `GeometryHandler` (a `DelegatingHandler`): waits for `type`, recording what comes
/// before it when `coordinates` come first.
#[derive(Debug, Default)]
enum Delegate {
    /// `NULL`: events are dropped.
    #[default]
    Null,
    /// `UNINITIALIZED`: the next scalar is the type.
    Uninitialized,
    /// The recording proxy (coordinates before type).
    Proxy,
    /// The handler of the type.
    Shape(Shape),
}

#[derive(Debug, Default)]
struct GeometryHandler {
    delegate: Delegate,
    /// The proxy's recorded events (kept while `Uninitialized`, replayed into the handler).
    recorded: Option<Vec<Ev>>,
    error: Option<GeometryError>,
}

impl GeometryHandler {
    fn value(self) -> Option<GeometryValue> {
        match self.delegate {
            Delegate::Shape(s) => s.value(),
            _ => None,
        }
    }

    fn event(&mut self, ev: Ev) -> Result<(), GeometryError> {
        match (&mut self.delegate, ev) {
            (Delegate::Null | Delegate::Proxy, Ev::Key(k)) if k == "type" => {
                self.delegate = Delegate::Uninitialized;
            }
            (Delegate::Null, Ev::Key(k)) if k == "coordinates" => {
                self.recorded = Some(vec![Ev::Key(k)]);
                self.delegate = Delegate::Proxy;
            }
            (Delegate::Null, Ev::Key(k)) if k == "geometries" => {
                return fail("a GeometryCollection is not a geometry DHIS2 stores");
            }
            (Delegate::Uninitialized, Ev::Number(n)) => self.start_shape(&java_number(n))?,
            (Delegate::Uninitialized, Ev::Scalar(Some(s))) => self.start_shape(&s)?,
            (Delegate::Uninitialized, Ev::Scalar(None)) => return npe(),
            (Delegate::Proxy, ev) => {
                if let Some(r) = &mut self.recorded {
                    r.push(ev);
                }
            }
            (Delegate::Shape(shape), ev) => shape.event(ev)?,
            (Delegate::Null | Delegate::Uninitialized, _) => {}
        }
        Ok(())
    }

    fn start_shape(&mut self, type_name: &str) -> Result<(), GeometryError> {
        let mut shape = Shape::for_type(type_name)?;
        if let Some(recorded) = self.recorded.take() {
            for ev in recorded {
                shape.event(ev)?;
            }
        }
        self.delegate = Delegate::Shape(shape);
        Ok(())
    }
}

/// Java's `toString` of a json-simple number (a `Long` when integral, else a `Double`) — only
/// ever a `type` name, so the exact spelling matters little.
fn java_number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 9.0e18 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}

/// Feeds the events of one JSON value to the handler, in document order.
struct Walk<'h>(&'h mut GeometryHandler);

impl Walk<'_> {
    fn emit<E: de::Error>(&mut self, ev: Ev) -> Result<(), E> {
        if self.0.error.is_some() {
            return Err(E::custom("geometry refused"));
        }
        if let Err(e) = self.0.event(ev) {
            self.0.error = Some(e);
            return Err(E::custom("geometry refused"));
        }
        Ok(())
    }
}

impl<'de> DeserializeSeed<'de> for Walk<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Walk<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a GeoJSON geometry")
    }

    fn visit_bool<E: de::Error>(mut self, v: bool) -> Result<(), E> {
        self.emit(Ev::Scalar(Some(v.to_string())))
    }
    fn visit_i64<E: de::Error>(mut self, v: i64) -> Result<(), E> {
        self.emit(Ev::Number(v as f64))
    }
    fn visit_u64<E: de::Error>(mut self, v: u64) -> Result<(), E> {
        self.emit(Ev::Number(v as f64))
    }
    fn visit_f64<E: de::Error>(mut self, v: f64) -> Result<(), E> {
        self.emit(Ev::Number(v))
    }
    fn visit_str<E: de::Error>(mut self, v: &str) -> Result<(), E> {
        self.emit(Ev::Scalar(Some(v.to_owned())))
    }
    fn visit_unit<E: de::Error>(mut self) -> Result<(), E> {
        self.emit(Ev::Scalar(None))
    }

    fn visit_seq<A: SeqAccess<'de>>(mut self, mut seq: A) -> Result<(), A::Error> {
        self.emit(Ev::StartArray)?;
        while seq.next_element_seed(Walk(&mut *self.0))?.is_some() {}
        self.emit(Ev::EndArray)
    }

    fn visit_map<A: MapAccess<'de>>(mut self, mut map: A) -> Result<(), A::Error> {
        self.emit(Ev::StartObject)?;
        while let Some(key) = map.next_key::<String>()? {
            self.emit(Ev::Key(key))?;
            map.next_value_seed(Walk(&mut *self.0))?;
            self.emit(Ev::EndEntry)?;
        }
        self.emit(Ev::EndObject)
    }
}

/// The geometry's 2-D coordinates equal the other's (JTS `equalsExact`: `z` is not compared).
pub(crate) fn same_2d(a: &GeometryValue, b: &GeometryValue) -> bool {
    fn pos(a: &Position, b: &Position) -> bool {
        a.as_slice().get(..2) == b.as_slice().get(..2)
    }
    fn list(a: &[Position], b: &[Position]) -> bool {
        a.len() == b.len() && a.iter().zip(b).all(|(x, y)| pos(x, y))
    }
    fn rings(a: &[Vec<Position>], b: &[Vec<Position>]) -> bool {
        a.len() == b.len() && a.iter().zip(b).all(|(x, y)| list(x, y))
    }
    match (a, b) {
        (GeometryValue::Point { coordinates: x }, GeometryValue::Point { coordinates: y }) => {
            pos(x, y)
        }
        (
            GeometryValue::LineString { coordinates: x },
            GeometryValue::LineString { coordinates: y },
        )
        | (
            GeometryValue::MultiPoint { coordinates: x },
            GeometryValue::MultiPoint { coordinates: y },
        ) => list(x, y),
        (GeometryValue::Polygon { coordinates: x }, GeometryValue::Polygon { coordinates: y })
        | (
            GeometryValue::MultiLineString { coordinates: x },
            GeometryValue::MultiLineString { coordinates: y },
        ) => rings(x, y),
        (
            GeometryValue::MultiPolygon { coordinates: x },
            GeometryValue::MultiPolygon { coordinates: y },
        ) => x.len() == y.len() && x.iter().zip(y).all(|(p, q)| rings(p, q)),
        _ => false,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    fn read(text: &str) -> Result<Option<GeometryValue>, GeometryError> {
        read_geometry(text)
    }

    fn json(g: &GeometryValue) -> String {
        serde_json::to_string(&geojson::Geometry::new(g.clone())).unwrap()
    }

    #[test]
    fn reads_every_simple_type() {
        let cases = [
            (
                r#"{"type":"Point","coordinates":[1,2]}"#,
                r#"{"type":"Point","coordinates":[1.0,2.0]}"#,
            ),
            (
                r#"{"type":"Point","coordinates":[1,2,3]}"#,
                r#"{"type":"Point","coordinates":[1.0,2.0,3.0]}"#,
            ),
            (
                r#"{"type":"LineString","coordinates":[[1,2],[3,4]]}"#,
                r#"{"type":"LineString","coordinates":[[1.0,2.0],[3.0,4.0]]}"#,
            ),
            (
                r#"{"type":"MultiPoint","coordinates":[[1,2],[3,4]]}"#,
                r#"{"type":"MultiPoint","coordinates":[[1.0,2.0],[3.0,4.0]]}"#,
            ),
            (
                r#"{"type":"Polygon","coordinates":[[[0,0],[1,0],[0,0]]]}"#,
                r#"{"type":"Polygon","coordinates":[[[0.0,0.0],[1.0,0.0],[0.0,0.0]]]}"#,
            ),
            (
                r#"{"type":"MultiLineString","coordinates":[[[1,2],[3,4]],[[5,6],[7,8]]]}"#,
                r#"{"type":"MultiLineString","coordinates":[[[1.0,2.0],[3.0,4.0]],[[5.0,6.0],[7.0,8.0]]]}"#,
            ),
            (
                r#"{"type":"MultiPolygon","coordinates":[[[[1,1],[2,2],[1,3],[1,1]]]]}"#,
                r#"{"type":"MultiPolygon","coordinates":[[[[1.0,1.0],[2.0,2.0],[1.0,3.0],[1.0,1.0]]]]}"#,
            ),
        ];
        for (input, stored) in cases {
            assert_eq!(json(&read(input).unwrap().unwrap()), stored, "{input}");
        }
    }

    #[test]
    fn coordinates_before_type_are_replayed() {
        let g = read(
            r#"{"coordinates":[[[0,0],[1,0],[1,1],[0,0]]],"bbox":[0,0,1,1],"type":"Polygon"}"#,
        );
        // The bbox, recorded after the coordinates, adds an empty ring, as in GeoTools.
        let g = g.unwrap().unwrap();
        match g {
            GeometryValue::Polygon { coordinates } => {
                assert_eq!(coordinates.len(), 2);
                assert!(coordinates[1].is_empty());
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_bbox_before_polygon_coordinates_fails() {
        assert!(
            read(r#"{"type":"Polygon","bbox":[0,0,1,1],"coordinates":[[[0,0],[1,0],[0,0]]]}"#)
                .is_err()
        );
    }

    #[test]
    fn polygon_rings_one_level_too_deep_are_read() {
        // DHIS2's GML stylesheet writes a polygon's rings inside one more array.
        let g = read(r#"{"type":"Polygon", "coordinates":[[[[0,0],[1,0],[1,1],[0,0]],[[0.2,0.2],[0.5,0.2],[0.2,0.2]]]]}"#)
            .unwrap()
            .unwrap();
        match g {
            GeometryValue::Polygon { coordinates } => {
                assert_eq!(coordinates.len(), 2);
                assert_eq!(coordinates[0].len(), 4);
                assert_eq!(coordinates[1].len(), 3);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn jts_refuses_what_it_cannot_build() {
        let refused = [
            r#"{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,1]]]}"#,
            r#"{"type":"Polygon","coordinates":[[[0,0],[0,0]]]}"#,
            r#"{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]],[[0,0],[5,5]]]}"#,
            r#"{"type":"LineString","coordinates":[[1,2]]}"#,
            r#"{"type":"Point","coordinates":[1]}"#,
            r#"{"type":"MultiPolygon","coordinates":[]}"#,
            r#"{"type":"Invalid","coordinates":[1,2]}"#,
            r#"{"type":"point","coordinates":[1,2]}"#,
            r#"{"type":"GeometryCollection","geometries":[]}"#,
            r#"{"type":"Feature","geometry":null}"#,
            r#"{"type":null,"coordinates":[1,2]}"#,
            r#"{"type":"Point","coordinates":[1,2]"#,
        ];
        for text in refused {
            assert!(read(text).is_err(), "{text}");
        }
        let e =
            read(r#"{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,1]]]}"#).unwrap_err();
        assert_eq!(e.0, "Points of LinearRing do not form a closed linestring");
    }

    #[test]
    fn leniencies_of_geotools_are_kept() {
        // Non-numbers in a position are skipped; ordinates after z are dropped.
        let g = read(r#"{"type":"Point","coordinates":["a",1,true,2,null]}"#)
            .unwrap()
            .unwrap();
        assert_eq!(json(&g), r#"{"type":"Point","coordinates":[1.0,2.0]}"#);
        let g = read(r#"{"type":"Point","coordinates":[1,2,3,4]}"#)
            .unwrap()
            .unwrap();
        assert_eq!(json(&g), r#"{"type":"Point","coordinates":[1.0,2.0,3.0]}"#);
        // A point's nested arrays are flattened into its ordinates.
        let g = read(r#"{"type":"Point","coordinates":[[1,2]]}"#)
            .unwrap()
            .unwrap();
        assert_eq!(json(&g), r#"{"type":"Point","coordinates":[1.0,2.0]}"#);
        // A ring closed in x and y but not z is closed.
        assert!(read(r#"{"type":"Polygon","coordinates":[[[0,0,1],[1,0,1],[0,0,2]]]}"#).is_ok());
        // Other members are ignored.
        assert!(read(r#"{"type":"Point","crs":{"type":"name","properties":{"name":"EPSG:4326"}},"coordinates":[1,2]}"#).unwrap().is_some());
    }

    #[test]
    fn empty_rings_make_empty_polygons() {
        let g = read(r#"{"type":"Polygon","coordinates":[]}"#)
            .unwrap()
            .unwrap();
        assert_eq!(json(&g), r#"{"type":"Polygon","coordinates":[[]]}"#);
        let g = read(r#"{"type":"MultiPolygon","coordinates":[[]]}"#)
            .unwrap()
            .unwrap();
        assert_eq!(json(&g), r#"{"type":"MultiPolygon","coordinates":[[[]]]}"#);
    }

    #[test]
    fn without_type_there_is_no_geometry() {
        assert_eq!(read(r#"{"coordinates":[1,2]}"#), Ok(None));
        assert_eq!(read(r#"{"type":"Point"}"#), Ok(None));
        assert_eq!(read("[1,2]"), Ok(None));
    }

    #[test]
    fn equality_ignores_z() {
        let a = read(r#"{"type":"Point","coordinates":[1,2,3]}"#)
            .unwrap()
            .unwrap();
        let b = read(r#"{"type":"Point","coordinates":[1,2]}"#)
            .unwrap()
            .unwrap();
        let c = read(r#"{"type":"Point","coordinates":[1,2.5]}"#)
            .unwrap()
            .unwrap();
        assert!(same_2d(&a, &b));
        assert!(!same_2d(&a, &c));
    }
}
