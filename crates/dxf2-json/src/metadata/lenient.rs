//! Lenient field deserializers: the scalar coercions of DHIS2's Jackson.

use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;

use super::raw::{RawAttributeValue, RawDate, RawRef, RawSharing};

/// A string (or a number or boolean written as text); `null` and `""` are `None`.
pub(super) fn opt_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    struct V;
    impl<'de> Visitor<'de> for V {
        type Value = Option<String>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a string")
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
            Ok((!v.is_empty()).then(|| v.to_owned()))
        }
        fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
            Ok((!v.is_empty()).then_some(v))
        }
        fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
            Ok(Some(v.to_string()))
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
            Ok(Some(v.to_string()))
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
            Ok(Some(v.to_string()))
        }
        fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
            Ok(Some(v.to_string()))
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
    }
    d.deserialize_any(V)
}

/// A boolean: `true`/`false`, `"true"`/`"false"` (any case), `0`/`1`; `null` and `""` are false.
pub(super) fn flag<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    struct V;
    impl<'de> Visitor<'de> for V {
        type Value = bool;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a boolean")
        }
        fn visit_bool<E: de::Error>(self, v: bool) -> Result<bool, E> {
            Ok(v)
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<bool, E> {
            Ok(v != 0)
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<bool, E> {
            Ok(v != 0)
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<bool, E> {
            if v.is_empty() || v.eq_ignore_ascii_case("false") {
                Ok(false)
            } else if v.eq_ignore_ascii_case("true") {
                Ok(true)
            } else {
                Err(E::invalid_value(de::Unexpected::Str(v), &self))
            }
        }
        fn visit_unit<E: de::Error>(self) -> Result<bool, E> {
            Ok(false)
        }
    }
    d.deserialize_any(V)
}

/// A number (as a JSON number or numeric text); `null` and `""` are 0.
pub(super) fn float<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    struct V;
    impl<'de> Visitor<'de> for V {
        type Value = f64;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a number")
        }
        fn visit_f64<E: de::Error>(self, v: f64) -> Result<f64, E> {
            Ok(v)
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<f64, E> {
            Ok(v as f64)
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<f64, E> {
            Ok(v as f64)
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<f64, E> {
            if v.trim().is_empty() {
                return Ok(0.0);
            }
            v.trim()
                .parse::<f64>()
                .ok()
                .filter(|x| x.is_finite())
                .ok_or_else(|| E::invalid_value(de::Unexpected::Str(v), &self))
        }
        fn visit_unit<E: de::Error>(self) -> Result<f64, E> {
            Ok(0.0)
        }
    }
    d.deserialize_any(V)
}

/// An integer (fractions are truncated, as Jackson does); `null` and `""` are 0.
pub(super) fn int<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    let x = float(d)?;
    if x.is_finite() && x.abs() < 9.2e18 {
        Ok(x.trunc() as i64)
    } else {
        Err(de::Error::invalid_value(
            de::Unexpected::Float(x),
            &"a 64-bit integer",
        ))
    }
}

/// An optional reference object.
pub(super) fn reference<'de, D: Deserializer<'de>>(d: D) -> Result<Option<RawRef>, D::Error> {
    Option::<RawRef>::deserialize(d)
}

/// An optional sharing object.
pub(super) fn sharing<'de, D: Deserializer<'de>>(d: D) -> Result<Option<RawSharing>, D::Error> {
    Option::<RawSharing>::deserialize(d)
}

/// An array whose `null` elements are dropped; `null` is empty.
pub(super) fn list<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> Result<Vec<T>, D::Error> {
    let items = Option::<Vec<Option<T>>>::deserialize(d)?;
    Ok(items.unwrap_or_default().into_iter().flatten().collect())
}

/// A JSON object as `(key, value)` pairs in document order; `null` values dropped; `null` is empty.
pub(super) fn entries<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> Result<Vec<(String, T)>, D::Error> {
    struct V<T>(std::marker::PhantomData<T>);
    impl<'de, T: Deserialize<'de>> Visitor<'de> for V<T> {
        type Value = Vec<(String, T)>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("an object keyed by UID")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut out = Vec::new();
            while let Some((key, value)) = map.next_entry::<String, Option<T>>()? {
                if let Some(value) = value {
                    out.push((key, value));
                }
            }
            Ok(out)
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(Vec::new())
        }
    }
    d.deserialize_any(V(std::marker::PhantomData))
}

/// A date: text, or epoch milliseconds as a JSON number; `null` and `""` are `None`.
pub(super) fn date<'de, D: Deserializer<'de>>(d: D) -> Result<Option<RawDate>, D::Error> {
    struct V;
    impl<'de> Visitor<'de> for V {
        type Value = Option<RawDate>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a date string or epoch milliseconds")
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
            Ok((!v.is_empty()).then(|| RawDate::Text(v.to_owned())))
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
            Ok(Some(RawDate::Millis(v)))
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
            i64::try_from(v)
                .map(|v| Some(RawDate::Millis(v)))
                .map_err(|_| E::invalid_value(de::Unexpected::Unsigned(v), &self))
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
    }
    d.deserialize_any(V)
}

/// A data input period's `period`: `{"id": "202001"}` (other fields ignored) or `"202001"`.
pub(super) fn period_ref<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    struct V;
    impl<'de> Visitor<'de> for V {
        type Value = Option<String>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a period such as {\"id\": \"202001\"}")
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
            Ok((!v.is_empty()).then(|| v.to_owned()))
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut id = None;
            while let Some(key) = map.next_key::<String>()? {
                if key == "id" {
                    id = map.next_value_seed(OptString)?;
                } else {
                    map.next_value::<IgnoredAny>()?;
                }
            }
            Ok(id)
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
    }
    d.deserialize_any(V)
}

/// [`opt_string`] as a seed.
pub(super) struct OptString;

impl<'de> DeserializeSeed<'de> for OptString {
    type Value = Option<String>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Option<String>, D::Error> {
        opt_string(d)
    }
}

/// `attributeValues` in either form: `[{"attribute": {"id"}, "value"}]` or `{"<uid>": {"value"}}`.
pub(super) fn attribute_values<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Vec<RawAttributeValue>, D::Error> {
    #[derive(Deserialize, Default)]
    #[serde(default)]
    struct Item {
        #[serde(deserialize_with = "reference")]
        attribute: Option<RawRef>,
        #[serde(deserialize_with = "opt_string")]
        value: Option<String>,
    }
    #[derive(Deserialize, Default)]
    #[serde(default)]
    struct MapValue {
        #[serde(deserialize_with = "opt_string")]
        value: Option<String>,
    }
    struct V;
    impl<'de> Visitor<'de> for V {
        type Value = Vec<RawAttributeValue>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("attribute values: [{\"attribute\": {\"id\": …}, \"value\": …}] or {\"<uid>\": {\"value\": …}}")
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            let mut out = Vec::new();
            while let Some(item) = seq.next_element::<Option<Item>>()? {
                if let Some(item) = item {
                    out.push(RawAttributeValue {
                        attribute: item.attribute.and_then(|a| a.id),
                        value: item.value,
                    });
                }
            }
            Ok(out)
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut out = Vec::new();
            while let Some((key, item)) = map.next_entry::<String, Option<MapValue>>()? {
                out.push(RawAttributeValue {
                    attribute: Some(key),
                    value: item.and_then(|i| i.value),
                });
            }
            Ok(out)
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(Vec::new())
        }
    }
    d.deserialize_any(V)
}
