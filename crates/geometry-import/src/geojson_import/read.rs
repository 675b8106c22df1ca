//! Reading a GeoJSON document one feature at a time.
//!
//! The document is read by `serde_json` from the input in one pass: the members of the root
//! object are kept as their JSON text, except `features`, whose elements are handed to a callback
//! one at a time, each a list of its members as text (a feature's `geometry` is kept exactly as
//! written). Only one feature is held at a time; each feature, and each other member of the root,
//! may be at most `limit` bytes long.
//!
//! The geojson crate's `FeatureReader` is not used: it finds the features by skipping to the
//! first `[` of the document (a `bbox` before `features` derails it) and refuses a whole file for
//! one feature it cannot type, where DHIS2 reports each feature on its own.

use std::fmt;
use std::io::BufRead;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;

use crate::error::Error;
use crate::limit::{Budget, Meter};

/// The members of a feature (or of the root), as written.
pub(crate) type Members = Vec<(String, Box<RawValue>)>;

/// One element of `features`.
pub(crate) enum Item {
    /// An object: its members.
    Object(Members),
    /// Anything else (it has no identifier).
    NotObject,
}

/// What the document turned out to be.
pub(crate) enum Outcome {
    /// A collection whose features went to the callback.
    Collection,
    /// The root is a `Feature` (its `type`, in any case): the root's members. Whatever went to
    /// the callback before its `type` was read is to be discarded.
    Single(Members),
    /// Neither: no `features` array.
    NoFeatures,
}

/// Why the document was not read to its end.
pub(crate) enum ReadError {
    /// Not JSON (or cut short), or the input failed.
    Json(serde_json::Error),
    /// A feature or member is longer than the limit.
    TooLong {
        /// What (`feature 3 (from byte 1024)`).
        what: String,
    },
    /// The callback failed.
    Stopped(Error),
}

/// The callback: the feature's 0-based index and the feature.
pub(crate) type Each<'a> = dyn FnMut(usize, Item) -> Result<(), Error> + 'a;

struct Ctx<'a, 'b> {
    meter: Meter,
    each: &'a mut Each<'b>,
    stopped: Option<Error>,
    current: String,
}

impl Ctx<'_, '_> {
    fn open(&mut self, what: impl FnOnce() -> String) {
        let at = self.meter.open();
        self.current = format!("{} (from byte {at})", what());
    }
}

/// Reads the document from `input` (see the module docs).
pub(crate) fn read<R: BufRead>(
    input: R,
    limit: usize,
    each: &mut Each<'_>,
) -> Result<Outcome, ReadError> {
    let (budget, meter) = Budget::new(input, limit);
    let mut ctx = Ctx {
        meter: meter.clone(),
        each,
        stopped: None,
        current: "the start of the document".to_owned(),
    };
    let mut de = serde_json::Deserializer::from_reader(budget);
    let outcome = Root(&mut ctx)
        .deserialize(&mut de)
        .and_then(|o| de.end().map(|()| o));
    match outcome {
        Ok(o) => Ok(o),
        Err(e) => {
            if let Some(stopped) = ctx.stopped.take() {
                Err(ReadError::Stopped(stopped))
            } else if meter.exceeded() {
                Err(ReadError::TooLong {
                    what: std::mem::take(&mut ctx.current),
                })
            } else {
                Err(ReadError::Json(e))
            }
        }
    }
}

struct Root<'c, 'a, 'b>(&'c mut Ctx<'a, 'b>);

impl<'de> DeserializeSeed<'de> for Root<'_, '_, '_> {
    type Value = Outcome;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Outcome, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Root<'_, '_, '_> {
    type Value = Outcome;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a GeoJSON object")
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Outcome, E> {
        Ok(Outcome::NoFeatures)
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Outcome, E> {
        Ok(Outcome::NoFeatures)
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Outcome, E> {
        Ok(Outcome::NoFeatures)
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Outcome, E> {
        Ok(Outcome::NoFeatures)
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<Outcome, E> {
        Ok(Outcome::NoFeatures)
    }
    fn visit_unit<E: de::Error>(self) -> Result<Outcome, E> {
        Ok(Outcome::NoFeatures)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Outcome, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Outcome::NoFeatures)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Outcome, A::Error> {
        let ctx = self.0;
        let mut members: Members = Vec::new();
        let mut is_feature = false;
        let mut streamed = false;
        let mut seen_features = false;
        while let Some(key) = map.next_key::<String>()? {
            let k = key.clone();
            ctx.open(|| format!("the GeoJSON member `{k}`"));
            if key == "features" && !seen_features && !is_feature {
                seen_features = true;
                streamed = map.next_value_seed(Features(&mut *ctx))?;
                continue;
            }
            let value: Box<RawValue> = map.next_value()?;
            if key == "type" {
                is_feature = serde_json::from_str::<&str>(value.get())
                    .is_ok_and(|t| t.eq_ignore_ascii_case("Feature"));
            }
            members.push((key, value));
        }
        Ok(if is_feature {
            Outcome::Single(members)
        } else if streamed {
            Outcome::Collection
        } else {
            Outcome::NoFeatures
        })
    }
}

/// The value of `features`: `true` when it is an array (its elements went to the callback).
struct Features<'c, 'a, 'b>(&'c mut Ctx<'a, 'b>);

impl<'de> DeserializeSeed<'de> for Features<'_, '_, '_> {
    type Value = bool;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<bool, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Features<'_, '_, '_> {
    type Value = bool;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list of GeoJSON features")
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<bool, E> {
        Ok(false)
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<bool, E> {
        Ok(false)
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<bool, E> {
        Ok(false)
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<bool, E> {
        Ok(false)
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<bool, E> {
        Ok(false)
    }
    fn visit_unit<E: de::Error>(self) -> Result<bool, E> {
        Ok(false)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<bool, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(false)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<bool, A::Error> {
        let ctx = self.0;
        let mut index = 0usize;
        while let Some(item) = seq.next_element_seed(Feature(&mut *ctx, index))? {
            if let Err(e) = (ctx.each)(index, item) {
                ctx.stopped = Some(e);
                return Err(de::Error::custom("the import stopped"));
            }
            index += 1;
        }
        Ok(true)
    }
}

/// One element of `features`.
struct Feature<'c, 'a, 'b>(&'c mut Ctx<'a, 'b>, usize);

impl<'de> DeserializeSeed<'de> for Feature<'_, '_, '_> {
    type Value = Item;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Item, D::Error> {
        let index = self.1;
        self.0.open(|| format!("GeoJSON feature {index}"));
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Feature<'_, '_, '_> {
    type Value = Item;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a GeoJSON feature")
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Item, E> {
        Ok(Item::NotObject)
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Item, E> {
        Ok(Item::NotObject)
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Item, E> {
        Ok(Item::NotObject)
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Item, E> {
        Ok(Item::NotObject)
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<Item, E> {
        Ok(Item::NotObject)
    }
    fn visit_unit<E: de::Error>(self) -> Result<Item, E> {
        Ok(Item::NotObject)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Item, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Item::NotObject)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Item, A::Error> {
        let mut members: Members = Vec::new();
        while let Some((key, value)) = map.next_entry::<String, Box<RawValue>>()? {
            members.push((key, value));
        }
        Ok(Item::Object(members))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::panic)]
mod tests {
    use super::*;

    type Seen = Vec<(usize, Option<Vec<String>>)>;

    fn collect(text: &str, limit: usize) -> (Result<Outcome, ReadError>, Seen) {
        let mut seen = Vec::new();
        let mut each = |i: usize, item: Item| {
            seen.push((
                i,
                match item {
                    Item::Object(m) => Some(
                        m.into_iter()
                            .map(|(k, v)| format!("{k}={}", v.get()))
                            .collect(),
                    ),
                    Item::NotObject => None,
                },
            ));
            Ok(())
        };
        let out = read(text.as_bytes(), limit, &mut each);
        (out, seen)
    }

    #[test]
    fn features_stream_with_their_geometry_text() {
        let text = r#"{"type":"FeatureCollection","bbox":[1,2,3,4],"features":[
            {"id":"a","geometry": { "type" : "Point", "coordinates": [1.50, 2] }}, 5, {"id":"b"}]}"#;
        let (out, seen) = collect(text, 1 << 20);
        assert!(matches!(out, Ok(Outcome::Collection)));
        assert_eq!(seen.len(), 3);
        assert_eq!(
            seen[0].1.as_ref().unwrap()[1],
            r#"geometry={ "type" : "Point", "coordinates": [1.50, 2] }"#
        );
        assert_eq!(seen[1], (1, None));
    }

    #[test]
    fn a_feature_at_the_root_is_the_only_feature() {
        let (out, seen) = collect(r#"{"id":"a","geometry":null,"type":"feature"}"#, 1 << 20);
        let Ok(Outcome::Single(members)) = out else {
            panic!("a single feature")
        };
        assert_eq!(members.len(), 3);
        assert!(seen.is_empty());
    }

    #[test]
    fn documents_without_features() {
        for text in [
            r#"{"is":"not-valid-geojson"}"#,
            r#"{"features":{}}"#,
            "[1]",
            "\"x\"",
        ] {
            let (out, _) = collect(text, 1 << 20);
            assert!(matches!(out, Ok(Outcome::NoFeatures)), "{text}");
        }
        for text in [
            "",
            "not-valid-geojson",
            r#"{"features":[{"id":"a"}"#,
            "{} {}",
        ] {
            let (out, _) = collect(text, 1 << 20);
            assert!(matches!(out, Err(ReadError::Json(_))), "{text}");
        }
    }

    #[test]
    fn a_feature_longer_than_the_limit_is_refused() {
        let big = format!(
            r#"{{"features":[{{"id":"a"}},{{"id":"{}"}}]}}"#,
            "x".repeat(500)
        );
        let (out, seen) = collect(&big, 100);
        let Err(ReadError::TooLong { what }) = out else {
            panic!("too long")
        };
        assert!(what.starts_with("GeoJSON feature 1"), "{what}");
        assert_eq!(seen.len(), 1);
    }
}
