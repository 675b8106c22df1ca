//! The `serde` seeds that bind each kind of JSON value as DHIS2's Jackson set-up does
//! (`JacksonObjectMapperConfig`): texts, UIDs, dates, booleans, enums, geometries, users, lists
//! and nested objects, each read in place.

use std::fmt;
use std::fmt::Write as _;

use dxf2_model::{Uid, ValueType};
use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Unexpected, Visitor};

use super::keys::{legacy, legacy_assigned_user, Key, Obj};
use super::read::{Ctx, Seg};
use crate::error::ErrorKind;
use crate::geometry::Geometry;
use crate::model::{NamedEnum, User};
use crate::time::Timestamp;

/// A JSON object bound in place into a reused record.
pub(crate) trait Record: Default {
    /// What the reader expected, for `serde`'s messages.
    const EXPECTING: &'static str;

    /// Reads the object's members into `self` (which may hold a previous object: every field
    /// is reset or overwritten).
    fn read_map<'de, A: MapAccess<'de>>(
        &mut self,
        map: A,
        ctx: &mut Ctx<'_>,
    ) -> Result<(), A::Error>;
}

/// Reads an object key into a [`Key`], keeping an unknown name in the context.
pub(crate) struct KeySeed<'c, 'o> {
    pub(crate) ctx: &'c mut Ctx<'o>,
}

impl<'de> DeserializeSeed<'de> for KeySeed<'_, '_> {
    type Value = Key;

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Key, D::Error> {
        d.deserialize_identifier(self)
    }
}

impl<'de> Visitor<'de> for KeySeed<'_, '_> {
    type Value = Key;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a key")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Key, E> {
        let key = Key::from_name(v);
        if key == Key::Other {
            self.ctx.unknown.clear();
            self.ctx.unknown.push_str(v);
        }
        Ok(key)
    }
}

/// Reads one object into a record.
pub(crate) struct RecordSeed<'c, 'o, T> {
    pub(crate) ctx: &'c mut Ctx<'o>,
    pub(crate) target: &'c mut T,
}

impl<'de, T: Record> DeserializeSeed<'de> for RecordSeed<'_, '_, T> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de, T: Record> Visitor<'de> for RecordSeed<'_, '_, T> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(T::EXPECTING)
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<(), A::Error> {
        self.target.read_map(map, self.ctx)
    }
}

/// Skips the value of a key the object does not read, refusing (or noting) a pre-2.41 one.
pub(crate) fn skip<'de, A: MapAccess<'de>>(
    map: &mut A,
    ctx: &mut Ctx<'_>,
    obj: Obj,
    key: Key,
) -> Result<(), A::Error> {
    if let Some(d) = legacy(obj, key, ctx.opts.version) {
        ctx.legacy_key(d)?;
    }
    map.next_value::<IgnoredAny>()?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Scalars
// ---------------------------------------------------------------------------------------------

/// A Java `String` field with DHIS2's `EmptyStringToNullStdDeserializer`: texts as they are,
/// numbers and booleans as their text, `""` and `null` absent (an empty string).
struct TextSeed<'a> {
    out: &'a mut String,
}

impl<'de> DeserializeSeed<'de> for TextSeed<'_> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for TextSeed<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string (or a number or boolean, read as text)")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<(), E> {
        self.out.clear();
        self.out.push_str(v);
        Ok(())
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<(), E> {
        self.visit_str(if v { "true" } else { "false" })
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<(), E> {
        self.out.clear();
        let _ = write!(self.out, "{v}");
        Ok(())
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<(), E> {
        self.out.clear();
        let _ = write!(self.out, "{v}");
        Ok(())
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<(), E> {
        self.out.clear();
        let _ = write!(self.out, "{v}");
        Ok(())
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        self.out.clear();
        Ok(())
    }
}

pub(crate) fn text<'de, A: MapAccess<'de>>(map: &mut A, out: &mut String) -> Result<(), A::Error> {
    map.next_value_seed(TextSeed { out })
}

/// A `UID` field: a valid UID, or `null`; anything else fails the document (2.42+). A
/// `lenient` field (a plain `String` in DHIS2, read by nobody) drops what is not a UID.
struct UidSeed<'c, 'o> {
    ctx: &'c mut Ctx<'o>,
    lenient: bool,
}

impl<'de> DeserializeSeed<'de> for UidSeed<'_, '_> {
    type Value = Option<Uid>;

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Option<Uid>, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for UidSeed<'_, '_> {
    type Value = Option<Uid>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a UID (a string)")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Option<Uid>, E> {
        match Uid::parse(v) {
            Ok(uid) => Ok(Some(uid)),
            Err(_) if self.lenient => Ok(None),
            Err(_) => Err(self.ctx.fail(ErrorKind::InvalidUid {
                value: v.to_owned(),
            })),
        }
    }

    fn visit_unit<E: de::Error>(self) -> Result<Option<Uid>, E> {
        Ok(None)
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Option<Uid>, E> {
        if self.lenient {
            return Ok(None);
        }
        Err(E::invalid_type(Unexpected::Signed(v), &self))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Option<Uid>, E> {
        if self.lenient {
            return Ok(None);
        }
        Err(E::invalid_type(Unexpected::Unsigned(v), &self))
    }
}

pub(crate) fn uid<'de, A: MapAccess<'de>>(
    map: &mut A,
    ctx: &mut Ctx<'_>,
    lenient: bool,
) -> Result<Option<Uid>, A::Error> {
    map.next_value_seed(UidSeed { ctx, lenient })
}

/// An `Instant` field (`ParseInstantStdDeserializer`): see [`Timestamp::parse_json`]. Numbers
/// are read as their text (so an integer is epoch milliseconds).
struct TimeSeed<'c, 'o> {
    ctx: &'c mut Ctx<'o>,
}

impl TimeSeed<'_, '_> {
    fn parse<E: de::Error>(self, text: &str) -> Result<Option<Timestamp>, E> {
        match Timestamp::parse_json(text, &self.ctx.opts.time_zone) {
            Ok(t) => Ok(t),
            Err(e) => Err(self.ctx.fail(ErrorKind::InvalidDate { value: e.value })),
        }
    }
}

impl<'de> DeserializeSeed<'de> for TimeSeed<'_, '_> {
    type Value = Option<Timestamp>;

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Option<Timestamp>, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for TimeSeed<'_, '_> {
    type Value = Option<Timestamp>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a date (a string)")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Option<Timestamp>, E> {
        self.parse(v)
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Option<Timestamp>, E> {
        self.parse(&v.to_string())
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Option<Timestamp>, E> {
        self.parse(&v.to_string())
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Option<Timestamp>, E> {
        self.parse(&v.to_string())
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Option<Timestamp>, E> {
        self.parse(if v { "true" } else { "false" })
    }

    fn visit_unit<E: de::Error>(self) -> Result<Option<Timestamp>, E> {
        Ok(None)
    }
}

pub(crate) fn time<'de, A: MapAccess<'de>>(
    map: &mut A,
    ctx: &mut Ctx<'_>,
) -> Result<Option<Timestamp>, A::Error> {
    map.next_value_seed(TimeSeed { ctx })
}

/// A Java `boolean` (primitive): JSON booleans, the texts `true`/`True`/`TRUE`/`false`/
/// `False`/`FALSE`, integers (0 is false); `null` fails (`FAIL_ON_NULL_FOR_PRIMITIVES`).
struct BoolSeed<'c, 'o> {
    ctx: &'c mut Ctx<'o>,
}

impl BoolSeed<'_, '_> {
    fn invalid<E: de::Error>(self, text: String) -> Result<bool, E> {
        Err(self.ctx.fail(ErrorKind::InvalidBoolean { value: text }))
    }
}

impl<'de> DeserializeSeed<'de> for BoolSeed<'_, '_> {
    type Value = bool;

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<bool, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for BoolSeed<'_, '_> {
    type Value = bool;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a boolean")
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<bool, E> {
        Ok(v)
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<bool, E> {
        match v {
            "true" | "True" | "TRUE" => Ok(true),
            "false" | "False" | "FALSE" => Ok(false),
            _ => self.invalid(v.to_owned()),
        }
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<bool, E> {
        Ok(v != 0)
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<bool, E> {
        Ok(v != 0)
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<bool, E> {
        self.invalid(v.to_string())
    }

    fn visit_unit<E: de::Error>(self) -> Result<bool, E> {
        self.invalid("null".to_owned())
    }
}

pub(crate) fn boolean<'de, A: MapAccess<'de>>(
    map: &mut A,
    ctx: &mut Ctx<'_>,
) -> Result<bool, A::Error> {
    map.next_value_seed(BoolSeed { ctx })
}

/// A Java enum as Jackson reads it: the exact name, or an integer as the index; `""` and
/// `null` absent.
pub(crate) trait JsonEnum: Sized + Copy {
    const TYPE_NAME: &'static str;
    fn parse(name: &str) -> Option<Self>;
    fn by_index(i: u64) -> Option<Self>;
    fn allowed() -> String;
}

impl<T: NamedEnum> JsonEnum for T {
    const TYPE_NAME: &'static str = T::TYPE_NAME;

    fn parse(name: &str) -> Option<T> {
        T::from_name(name)
    }

    fn by_index(i: u64) -> Option<T> {
        usize::try_from(i)
            .ok()
            .and_then(|i| T::VALUES.get(i).copied())
    }

    fn allowed() -> String {
        T::NAMES.join(", ")
    }
}

/// `ValueType` (not a [`NamedEnum`]: its list lives in `dxf2-model`).
#[derive(Clone, Copy)]
pub(crate) struct AttrValueType(pub(crate) ValueType);

impl JsonEnum for AttrValueType {
    const TYPE_NAME: &'static str = "ValueType";

    fn parse(name: &str) -> Option<AttrValueType> {
        ValueType::from_name(name).map(AttrValueType)
    }

    fn by_index(i: u64) -> Option<AttrValueType> {
        usize::try_from(i)
            .ok()
            .and_then(|i| ValueType::ALL.get(i).copied())
            .map(AttrValueType)
    }

    fn allowed() -> String {
        ValueType::ALL
            .iter()
            .map(|v| v.name())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

struct EnumSeed<'c, 'o, T> {
    ctx: &'c mut Ctx<'o>,
    _kind: std::marker::PhantomData<T>,
}

impl<T: JsonEnum> EnumSeed<'_, '_, T> {
    fn invalid<E: de::Error>(self, value: String) -> Result<Option<T>, E> {
        Err(self.ctx.fail(ErrorKind::InvalidEnum {
            value,
            type_name: T::TYPE_NAME,
            allowed: T::allowed(),
        }))
    }
}

impl<'de, T: JsonEnum> DeserializeSeed<'de> for EnumSeed<'_, '_, T> {
    type Value = Option<T>;

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Option<T>, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de, T: JsonEnum> Visitor<'de> for EnumSeed<'_, '_, T> {
    type Value = Option<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a {} name (a string)", T::TYPE_NAME)
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Option<T>, E> {
        if v.is_empty() {
            return Ok(None);
        }
        match T::parse(v) {
            Some(t) => Ok(Some(t)),
            None => self.invalid(v.to_owned()),
        }
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Option<T>, E> {
        match T::by_index(v) {
            Some(t) => Ok(Some(t)),
            None => self.invalid(v.to_string()),
        }
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Option<T>, E> {
        match u64::try_from(v) {
            Ok(u) => self.visit_u64(u),
            Err(_) => self.invalid(v.to_string()),
        }
    }

    fn visit_unit<E: de::Error>(self) -> Result<Option<T>, E> {
        Ok(None)
    }
}

pub(crate) fn named<'de, A: MapAccess<'de>, T: JsonEnum>(
    map: &mut A,
    ctx: &mut Ctx<'_>,
) -> Result<Option<T>, A::Error> {
    map.next_value_seed(EnumSeed {
        ctx,
        _kind: std::marker::PhantomData,
    })
}

/// A JTS `Geometry`: GeoJSON, or `null`.
pub(crate) fn geometry<'de, A: MapAccess<'de>>(
    map: &mut A,
    ctx: &mut Ctx<'_>,
) -> Result<Option<Geometry>, A::Error> {
    let value: Option<serde_json::Value> = map.next_value()?;
    match value {
        None => Ok(None),
        Some(v) => match Geometry::from_geojson(&v) {
            Ok(g) => Ok(Some(g)),
            Err(e) => Err(ctx.fail(ErrorKind::InvalidGeometry { message: e.0 })),
        },
    }
}

// ---------------------------------------------------------------------------------------------
// Nested objects and lists
// ---------------------------------------------------------------------------------------------

/// A `User` object, or `null`; a text for `assignedUser` is the pre-2.41 form.
struct UserSeed<'c, 'o> {
    ctx: &'c mut Ctx<'o>,
    target: &'c mut Option<User>,
    assigned: bool,
}

impl<'de> DeserializeSeed<'de> for UserSeed<'_, '_> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for UserSeed<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a user (a JSON object with uid and/or username)")
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<(), A::Error> {
        let user = self.target.get_or_insert_with(User::default);
        user.read_map(map, self.ctx)
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        *self.target = None;
        Ok(())
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<(), E> {
        if self.assigned {
            return Err(self
                .ctx
                .fail(ErrorKind::Deprecated(Box::new(legacy_assigned_user()))));
        }
        Err(E::invalid_type(Unexpected::Str(v), &self))
    }
}

pub(crate) fn user<'de, A: MapAccess<'de>>(
    map: &mut A,
    ctx: &mut Ctx<'_>,
    target: &mut Option<User>,
    assigned: bool,
) -> Result<(), A::Error> {
    map.next_value_seed(UserSeed {
        ctx,
        target,
        assigned,
    })
}

/// A list of objects, read into the reused elements of `vec`.
struct ListSeed<'c, 'o, T> {
    ctx: &'c mut Ctx<'o>,
    key: &'static str,
    vec: &'c mut Vec<T>,
}

impl<'de, T: Record> DeserializeSeed<'de> for ListSeed<'_, '_, T> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de, T: Record> Visitor<'de> for ListSeed<'_, '_, T> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a list of {}", self.key)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut n = 0usize;
        loop {
            if n == self.vec.len() {
                self.vec.push(T::default());
            }
            let Some(slot) = self.vec.get_mut(n) else {
                break;
            };
            self.ctx.path.push(Seg {
                key: self.key,
                index: Some(n as u64),
            });
            self.ctx.end_object();
            let more = seq
                .next_element_seed(RecordSeed {
                    ctx: &mut *self.ctx,
                    target: slot,
                })?
                .is_some();
            self.ctx.path.pop();
            if !more {
                break;
            }
            n += 1;
        }
        self.vec.truncate(n);
        Ok(())
    }
}

pub(crate) fn list<'de, A: MapAccess<'de>, T: Record>(
    map: &mut A,
    ctx: &mut Ctx<'_>,
    key: &'static str,
    vec: &mut Vec<T>,
) -> Result<(), A::Error> {
    map.next_value_seed(ListSeed { ctx, key, vec })
}

/// An optional nested object (`from`, `to`, and a relationship item's object), or `null`.
struct NestedSeed<'c, 'o, T> {
    ctx: &'c mut Ctx<'o>,
    key: &'static str,
    target: &'c mut Option<T>,
}

impl<'de, T: Record> DeserializeSeed<'de> for NestedSeed<'_, '_, T> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_option(self)
    }
}

impl<'de, T: Record> Visitor<'de> for NestedSeed<'_, '_, T> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(T::EXPECTING)
    }

    fn visit_none<E: de::Error>(self) -> Result<(), E> {
        *self.target = None;
        Ok(())
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        *self.target = None;
        Ok(())
    }

    fn visit_some<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        self.ctx.path.push(Seg {
            key: self.key,
            index: None,
        });
        self.ctx.end_object();
        let target = self.target.get_or_insert_with(T::default);
        RecordSeed {
            ctx: &mut *self.ctx,
            target,
        }
        .deserialize(d)?;
        self.ctx.path.pop();
        Ok(())
    }
}

pub(crate) fn nested<'de, A: MapAccess<'de>, T: Record>(
    map: &mut A,
    ctx: &mut Ctx<'_>,
    key: &'static str,
    target: &mut Option<T>,
) -> Result<(), A::Error> {
    map.next_value_seed(NestedSeed { ctx, key, target })
}

/// A relationship item's object (`trackedEntity`, `enrollment`, `event`), read in "item mode":
/// the keys the item classes lack (`relationships`, an event's `trackedEntity`) are ignored and
/// the other objects' references are plain texts for DHIS2 (dropped when they are no UIDs).
pub(crate) fn item_object<'de, A: MapAccess<'de>, T: Record>(
    map: &mut A,
    ctx: &mut Ctx<'_>,
    key: &'static str,
    target: &mut Option<Box<T>>,
) -> Result<(), A::Error> {
    let mut inner: Option<T> = target.take().map(|b| *b);
    ctx.item_depth += 1;
    nested(map, ctx, key, &mut inner)?;
    ctx.item_depth -= 1;
    *target = inner.map(Box::new);
    Ok(())
}
