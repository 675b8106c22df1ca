//! Reading a metadata JSON document (`/api/metadata`) into a [`Document`], as DHIS2's
//! `DefaultRenderService#fromMetadata` reads it.
//!
//! The text is read with `serde_json` from any [`Read`](std::io::Read), one object at a time (the file is
//! never held as one JSON tree):
//!
//! * `system` is kept (when it is an object) as [`Document::system`];
//! * a collection key that DHIS2 imports (`dataElements`, and every other metadata type, modelled
//!   here or not): an array's objects are kept in order, `null` (and `""`) elements dropped; an
//!   object's values are read as its elements (Jackson iterates an object node's values); any
//!   other value is an empty collection. An element that is neither an object nor `null` fails the
//!   whole document, as it fails DHIS2's import;
//! * any other key (`date`, `package`, `legends`, …), which DHIS2 skips, is kept when it is an
//!   array of objects (so that it is written back) and otherwise named in [`Parsed::ignored`];
//! * a key repeated at the top keeps its last value, and so does a key repeated inside an object
//!   (Jackson's behaviour);
//! * errors say where (line and column).
//!
//! ```
//! let json = br#"{"system": {"version": "2.40"}, "date": "2024-01-01",
//!   "dataElements": [{"id": "f7n9E0hX8qk", "name": "A", "name": "ANC 1st visit"}, null]}"#;
//! let read = dxf2_metadata::read_json(&json[..]).unwrap();
//! let doc = read.document;
//! assert_eq!(doc.len(), 1);
//! assert_eq!(doc.objects("dataElements")[0]["name"], "ANC 1st visit");
//! assert_eq!(doc.system.unwrap()["version"], "2.40");
//! assert_eq!(read.ignored, vec!["date".to_owned()]);
//! ```

use std::fmt;
use std::io::Read as IoRead;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

use crate::document::{Document, Object};
use crate::error::Error;
use crate::schema;

/// A document as read, with the top-level keys DHIS2 skips and that could not be kept.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Parsed {
    /// The document.
    pub document: Document,
    /// Top-level keys whose values were dropped (not a metadata collection, not an array of
    /// objects), in the order they came.
    pub ignored: Vec<String>,
}

/// Reads a metadata JSON document from `reader` (see the [module docs](self)); the reader is
/// buffered here.
pub fn read_json<R: IoRead>(reader: R) -> Result<Parsed, Error> {
    let mut de = serde_json::Deserializer::from_reader(std::io::BufReader::new(reader));
    let mut out = Parsed::default();
    TopLevel(&mut out).deserialize(&mut de)?;
    de.end()?;
    Ok(out)
}

/// Reads a metadata JSON document from a string.
pub fn read_json_str(text: &str) -> Result<Parsed, Error> {
    read_json(text.as_bytes())
}

struct TopLevel<'a>(&'a mut Parsed);

impl<'de> DeserializeSeed<'de> for TopLevel<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for TopLevel<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a DXF2 metadata JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let read = self.0;
        while let Some(key) = map.next_key::<String>()? {
            // Last value wins: forget what an earlier occurrence of the key gave.
            read.document.types.retain(|(k, _)| *k != key);
            read.ignored.retain(|k| *k != key);
            if key == "system" {
                read.document.system = match map.next_value::<Value>()? {
                    Value::Object(o) => Some(o),
                    _ => {
                        read.ignored.push(key);
                        None
                    }
                };
                continue;
            }
            let known = schema::is_dhis2_metadata_key(&key);
            let collected = map.next_value_seed(Collection { key: &key, known })?;
            match collected {
                Some(objects) => read.document.types.push((key, objects)),
                None => read.ignored.push(key),
            }
        }
        Ok(())
    }
}

/// One top-level value: `Some(objects)` when it is kept as a collection.
struct Collection<'k> {
    key: &'k str,
    known: bool,
}

impl<'de> DeserializeSeed<'de> for Collection<'_> {
    type Value = Option<Vec<Object>>;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Collection<'_> {
    type Value = Option<Vec<Object>>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "an array of {}", self.key)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut objects = Vec::new();
        let mut all_objects = true;
        while let Some(element) = seq.next_element::<Value>()? {
            match element {
                Value::Object(o) => objects.push(o),
                Value::Null => {}
                Value::String(s) if s.is_empty() => {}
                other => {
                    if self.known {
                        return Err(de::Error::custom(format!(
                            "an element of `{}` is {}, not an object",
                            self.key,
                            describe(&other)
                        )));
                    }
                    all_objects = false;
                }
            }
        }
        Ok((self.known || all_objects).then_some(objects))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        if !self.known {
            while map
                .next_entry::<de::IgnoredAny, de::IgnoredAny>()?
                .is_some()
            {}
            return Ok(None);
        }
        // Jackson iterates an object node's values.
        let mut objects = Vec::new();
        while let Some((_, element)) = map.next_entry::<de::IgnoredAny, Value>()? {
            match element {
                Value::Object(o) => objects.push(o),
                Value::Null => {}
                Value::String(s) if s.is_empty() => {}
                other => {
                    return Err(de::Error::custom(format!(
                        "a value of `{}` is {}, not an object",
                        self.key,
                        describe(&other)
                    )))
                }
            }
        }
        Ok(Some(objects))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(self.known.then(Vec::new))
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
        Ok(self.known.then(Vec::new))
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
        Ok(self.known.then(Vec::new))
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
        Ok(self.known.then(Vec::new))
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
        Ok(self.known.then(Vec::new))
    }

    fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
        Ok(self.known.then(Vec::new))
    }
}

/// What a JSON value is, for messages.
pub(crate) fn describe(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    #[test]
    fn repeated_top_level_key_keeps_the_last() {
        let r = read_json_str(
            r#"{"dataElements": [{"id": "a"}], "dataElements": [{"id": "b"}, {"id": "c"}]}"#,
        )
        .unwrap();
        assert_eq!(r.document.types.len(), 1);
        assert_eq!(r.document.objects("dataElements").len(), 2);
        assert_eq!(r.document.objects("dataElements")[0]["id"], "b");
    }

    #[test]
    fn object_values_are_elements_and_scalars_are_empty() {
        let r = read_json_str(
            r#"{"dataElements": {"x": {"id": "a"}, "y": null}, "categories": 5, "options": null}"#,
        )
        .unwrap();
        assert_eq!(r.document.objects("dataElements").len(), 1);
        assert_eq!(r.document.types.len(), 3);
        assert!(r.document.objects("categories").is_empty());
    }

    #[test]
    fn unknown_keys_keep_arrays_of_objects_only() {
        let r = read_json_str(
            r#"{"legends": [{"id": "a"}], "package": {"name": "x"}, "date": "2020", "tags": ["a"]}"#,
        )
        .unwrap();
        assert_eq!(r.document.objects("legends").len(), 1);
        assert_eq!(r.ignored, vec!["package", "date", "tags"]);
    }

    #[test]
    fn non_object_elements_of_metadata_collections_fail() {
        let e = read_json_str("{\n\"dataElements\": [1]}").unwrap_err();
        match e {
            Error::Json { line, message, .. } => {
                assert_eq!(line, 2);
                assert!(message.contains("not an object"), "{message}");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn malformed_json_has_a_position() {
        let e = read_json_str("{\"dataElements\": [\n{\"id\": }]}").unwrap_err();
        assert!(matches!(e, Error::Json { line: 2, .. }), "{e:?}");
        assert!(matches!(
            read_json_str("[]").unwrap_err(),
            Error::Json { .. }
        ));
        assert!(matches!(
            read_json_str("{} x").unwrap_err(),
            Error::Json { .. }
        ));
    }

    #[test]
    fn empty_object_is_an_empty_document() {
        let r = read_json_str("{}").unwrap();
        assert!(r.document.is_empty());
        assert!(r.document.system.is_none());
    }
}
