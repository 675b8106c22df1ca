//! DHIS2's `CoordinatesUtils` (2.40+): whether a geometry's `coordinates` are empty (`E7712`),
//! and the geometry with its positions cut to x,y pairs, read from the geometry's text as written.
//!
//! * empty: absent, `null`, `[]`, or an array of exactly one element that is itself empty
//!   (`[[]]`, `[[[]]]`); a number or string is not empty;
//! * dimensions: 0 for a non-array, else 1 + the depth found by following first elements;
//! * pairs: when the first innermost position has exactly 2 numbers, or there are more than 4
//!   dimensions, the geometry's text is kept as it is; otherwise every innermost position keeps
//!   its first two elements (as written: `1.50` stays `1.50`), and the geometry is written back
//!   with its other members as they were and the coordinates compact. Only the first position
//!   decides: a file whose first position is 2-D and later ones 3-D is kept as it is.

use std::collections::HashMap;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;

/// What DHIS2 looks at in a value of `coordinates`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Summary {
    /// It is an array.
    pub is_array: bool,
    /// `coordinatesEmpty`.
    pub empty: bool,
    /// `coordinateDimensions`.
    pub dims: usize,
    /// The number of elements of the innermost array reached by following first elements.
    pub innermost_len: usize,
}

/// A feature's `geometry` member as DHIS2 sorts it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Shape {
    /// JSON `null`: the geometry is deleted.
    Null,
    /// Neither an object nor `null` (`E7707`).
    NotObject,
    /// An object, with the summary of its `coordinates` (`None` when it has none).
    Object(Option<Summary>),
}

/// Sorts the `geometry` member (valid JSON text).
pub(crate) fn inspect(raw: &str) -> Shape {
    match raw.trim_start().as_bytes().first() {
        Some(b'n') => Shape::Null,
        Some(b'{') => {
            let mut de = serde_json::Deserializer::from_str(raw);
            match de.deserialize_map(GeometryScan) {
                Ok(summary) => Shape::Object(summary),
                Err(_) => Shape::NotObject,
            }
        }
        _ => Shape::NotObject,
    }
}

/// The text of the geometry's `coordinates` member, as written (for `E7712`).
pub(crate) fn coordinates_text(raw: &str) -> Option<&str> {
    let members: HashMap<String, &RawValue> = serde_json::from_str(raw).ok()?;
    members.get("coordinates").map(|v| v.get())
}

/// Why the pairs cannot be made: DHIS2's JSON tree refuses to read the coordinates as arrays of
/// the depth the first position suggests (the request fails there; here it is `E7707`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct NotArrays;

/// `geometryWithCoordinatePairs`: the geometry's text with positions cut to pairs, or `None`
/// when it stays as written.
pub(crate) fn with_pairs(raw: &str, summary: &Summary) -> Result<Option<String>, NotArrays> {
    if !summary.is_array {
        return Err(NotArrays);
    }
    if summary.innermost_len == 2 || summary.dims > 4 {
        return Ok(None);
    }
    let members: HashMap<String, &RawValue> = serde_json::from_str(raw).map_err(|_| NotArrays)?;
    let coordinates = members.get("coordinates").ok_or(NotArrays)?.get();
    // The member's text is a slice of `raw`: where it starts.
    let start = (coordinates.as_ptr() as usize)
        .checked_sub(raw.as_ptr() as usize)
        .ok_or(NotArrays)?;
    let end = start + coordinates.len();
    let mut out = String::with_capacity(raw.len());
    out.push_str(raw.get(..start).ok_or(NotArrays)?);
    reduce(coordinates, summary.dims, &mut out)?;
    out.push_str(raw.get(end..).ok_or(NotArrays)?);
    Ok(Some(out))
}

/// `coordinatesAsPairs` of an array of `dims` dimensions (1–4).
fn reduce(raw: &str, dims: usize, out: &mut String) -> Result<(), NotArrays> {
    let items: Vec<&RawValue> = serde_json::from_str(raw).map_err(|_| NotArrays)?;
    out.push('[');
    let take = if dims <= 1 { 2 } else { items.len() };
    for (i, item) in items.iter().take(take).enumerate() {
        if i > 0 {
            out.push(',');
        }
        if dims <= 1 {
            out.push_str(item.get());
        } else {
            reduce(item.get(), dims - 1, out)?;
        }
    }
    out.push(']');
    Ok(())
}

/// `coordinatesAsPairs` of a coordinates array given as text (DHIS2's test helper).
#[cfg(test)]
fn coordinates_as_pairs(raw: &str) -> Result<String, NotArrays> {
    let mut de = serde_json::Deserializer::from_str(raw);
    let summary = CoordinateScan.deserialize(&mut de).map_err(|_| NotArrays)?;
    if !(1..=4).contains(&summary.dims) {
        return Err(NotArrays);
    }
    let mut out = String::with_capacity(raw.len());
    reduce(raw, summary.dims, &mut out)?;
    Ok(out)
}

/// The summary of a coordinates value given as text (for tests of DHIS2's truths).
#[cfg(test)]
fn summarise(raw: &str) -> Summary {
    let mut de = serde_json::Deserializer::from_str(raw);
    CoordinateScan.deserialize(&mut de).unwrap_or_default()
}

/// The geometry object: the summary of its `coordinates` (the last one when repeated).
struct GeometryScan;

impl<'de> Visitor<'de> for GeometryScan {
    type Value = Option<Summary>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a geometry object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Option<Summary>, A::Error> {
        let mut found = None;
        while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
            if key == "coordinates" {
                found = Some(map.next_value_seed(CoordinateScan)?);
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(found)
    }
}

/// One value of the coordinates, followed along its first elements.
struct CoordinateScan;

impl<'de> DeserializeSeed<'de> for CoordinateScan {
    type Value = Summary;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Summary, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for CoordinateScan {
    type Value = Summary;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("GeoJSON coordinates")
    }

    fn visit_unit<E: de::Error>(self) -> Result<Summary, E> {
        Ok(Summary {
            empty: true,
            ..Summary::default()
        })
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Summary, E> {
        Ok(Summary::default())
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Summary, E> {
        Ok(Summary::default())
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Summary, E> {
        Ok(Summary::default())
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Summary, E> {
        Ok(Summary::default())
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<Summary, E> {
        Ok(Summary::default())
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Summary, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Summary::default())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Summary, A::Error> {
        let Some(first) = seq.next_element_seed(CoordinateScan)? else {
            return Ok(Summary {
                is_array: true,
                empty: true,
                dims: 1,
                innermost_len: 0,
            });
        };
        let mut len = 1;
        while seq.next_element::<IgnoredAny>()?.is_some() {
            len += 1;
        }
        Ok(Summary {
            is_array: true,
            empty: len == 1 && first.empty,
            dims: 1 + first.dims,
            innermost_len: if first.is_array {
                first.innermost_len
            } else {
                len
            },
        })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    /// DHIS2's `CoordinatesUtilsTest`.
    #[test]
    fn emptiness_and_dimensions_as_dhis2_tests_them() {
        for empty in ["null", "[]", "[[]]", "[[[]]]", "[[[[]]]]"] {
            assert!(summarise(empty).empty, "{empty}");
        }
        for not_empty in ["[1]", "[[1]]", "[[[1]]]", "[[[[1]]]]", "23"] {
            assert!(!summarise(not_empty).empty, "{not_empty}");
        }
        assert_eq!(summarise("null").dims, 0);
        assert_eq!(summarise("23").dims, 0);
        assert_eq!(summarise("[23]").dims, 1);
        assert_eq!(summarise("[[23],[42]]").dims, 2);
        assert_eq!(summarise("[[[23],[42]],[[], []]]").dims, 3);
        assert_eq!(summarise("[ [[[23],[42]],[[], []]] ]").dims, 4);
        // An absent `coordinates` member is empty too.
        assert_eq!(inspect(r#"{"type":"Polygon"}"#), Shape::Object(None));
    }

    /// DHIS2's `CoordinatesUtilsTest#coordinatesAsPairs`.
    #[test]
    fn pairs_as_dhis2_tests_them() {
        let cases = [
            ("[1]", "[1]"),
            ("[1,2]", "[1,2]"),
            ("[1,2,3]", "[1,2]"),
            ("[[1]]", "[[1]]"),
            ("[[1,2,3]]", "[[1,2]]"),
            ("[[1,2,3],[4,5,6],[7,8,9]]", "[[1,2],[4,5],[7,8]]"),
            ("[[[1,2,3]]]", "[[[1,2]]]"),
            (
                "[[[1,2,3],[4,5,6],[7,8,9]],[[3,4,5],[6,7,8],[9,0,1]]]",
                "[[[1,2],[4,5],[7,8]],[[3,4],[6,7],[9,0]]]",
            ),
            ("[[[[1,2,3]]]]", "[[[[1,2]]]]"),
            (
                "[[[[1,2,3],[4,5,6],[7,8,9]],[[3,4,5],[6,7,8],[9,0,1]]]]",
                "[[[[1,2],[4,5],[7,8]],[[3,4],[6,7],[9,0]]]]",
            ),
        ];
        for (input, pairs) in cases {
            assert_eq!(coordinates_as_pairs(input).unwrap(), pairs, "{input}");
        }
    }

    #[test]
    fn the_geometry_text_is_kept_but_for_its_coordinates() {
        let raw = r#"{ "type": "MultiPolygon", "coordinates": [ [ [ [ -12.644405338, 9.013335116, 0 ], [ -12.6461979, 9.0122874, 0 ], [ -12.644405338, 9.013335116, 0 ] ] ] ], "x": 1.50 }"#;
        let Shape::Object(Some(summary)) = inspect(raw) else {
            panic!("an object with coordinates")
        };
        assert_eq!(summary.dims, 4);
        assert_eq!(summary.innermost_len, 3);
        assert_eq!(
            with_pairs(raw, &summary).unwrap().unwrap(),
            r#"{ "type": "MultiPolygon", "coordinates": [[[[-12.644405338,9.013335116],[-12.6461979,9.0122874],[-12.644405338,9.013335116]]]], "x": 1.50 }"#
        );
        let flat = r#"{"type":"Point","coordinates":[1.50,2]}"#;
        let Shape::Object(Some(summary)) = inspect(flat) else {
            panic!("an object with coordinates")
        };
        assert_eq!(with_pairs(flat, &summary), Ok(None));
    }

    #[test]
    fn irregular_nesting_is_refused() {
        let raw = r#"{"type":"LineString","coordinates":[[1,2,3],4]}"#;
        let Shape::Object(Some(summary)) = inspect(raw) else {
            panic!("an object with coordinates")
        };
        assert_eq!(with_pairs(raw, &summary), Err(NotArrays));
        let raw = r#"{"type":"Point","coordinates":5}"#;
        let Shape::Object(Some(summary)) = inspect(raw) else {
            panic!("an object with coordinates")
        };
        assert!(!summary.empty);
        assert_eq!(with_pairs(raw, &summary), Err(NotArrays));
        assert_eq!(inspect("5"), Shape::NotObject);
        assert_eq!(inspect("null"), Shape::Null);
        assert_eq!(coordinates_text(r#"{"coordinates": [ ]}"#), Some("[ ]"));
    }
}
