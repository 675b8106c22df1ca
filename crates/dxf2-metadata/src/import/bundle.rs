//! The object bundle: the payload's objects per type in import order, with UIDs assigned, the
//! decision create-vs-update made by identifier, payload placeholders registered (first
//! occurrence wins), and reference resolution against the payload and the catalogue — DHIS2's
//! preheat (`DefaultPreheatService#preheat`), done by direct lookups.
//!
//! Memory: an item keeps the stored object it matched as the catalogue lends it
//! ([`Cow::Borrowed`] from an in-memory catalogue) instead of a copy of its own, and
//! [`Bundle::target_object`] lends payload and stored objects too. With the issue 11 workload
//! (55,001 objects, a 133 MB document) a re-import no longer holds a second copy of every stored
//! object: 140 MB less.

use std::borrow::Cow;
use std::collections::HashMap;

use serde_json::Value;

use super::params::{Identifier, ImportParams};
use crate::catalogue::{Catalogue, CatalogueError};
use crate::document::Object;
use crate::schema::TypeSchema;
use crate::{defaults, schema};

/// One payload object.
#[derive(Debug)]
pub(crate) struct Item<'a> {
    /// Position among the payload's objects of its type.
    pub index: usize,
    /// The object (UID assigned in `id`). The commit moves it into the changes, leaving it empty
    /// (see `commit::read_after_commit` for the objects it leaves in place).
    pub object: Object,
    /// Its UID.
    pub uid: String,
    /// The stored object it matched by identifier (an update), if any, as the catalogue lends it.
    pub existing: Option<Cow<'a, Object>>,
    /// Whether it is the target's default object of its type (left out of the bundle).
    pub default: bool,
    /// Removed by a check.
    pub removed: bool,
}

impl Item<'_> {
    pub(crate) fn persisted(&self) -> bool {
        self.existing.is_some()
    }

    pub(crate) fn name(&self) -> Option<&str> {
        text(&self.object, "name")
    }

    pub(crate) fn code(&self) -> Option<&str> {
        text(&self.object, "code")
    }

    /// DHIS2's `equals` of identifiable objects: same UID, code and name.
    pub(crate) fn triple(&self) -> (String, Option<String>, Option<String>) {
        (
            self.uid.clone(),
            self.code().map(str::to_owned),
            self.name().map(str::to_owned),
        )
    }
}

/// The objects of one type.
#[derive(Debug)]
pub(crate) struct TypeBundle<'a> {
    pub schema: &'static TypeSchema,
    pub items: Vec<Item<'a>>,
    /// The next index for objects reported that are not in the payload (stored objects).
    pub next_index: usize,
}

impl TypeBundle<'_> {
    /// Positions of persisted (matched) objects, then of new ones, defaults and removed left out.
    pub(crate) fn lists(&self) -> (Vec<usize>, Vec<usize>) {
        let mut persisted = Vec::new();
        let mut new = Vec::new();
        for (i, item) in self.items.iter().enumerate() {
            if item.default || item.removed {
                continue;
            }
            if item.persisted() {
                persisted.push(i);
            } else {
                new.push(i);
            }
        }
        (persisted, new)
    }
}

/// Where a reference points.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Target {
    /// A payload object: (type position, item position).
    Payload(usize, usize),
    /// A stored object, by UID.
    Stored(String),
    /// The target's default object of the type, by UID.
    Default(String),
}

/// The bundle.
pub(crate) struct Bundle<'a, C: ?Sized> {
    pub params: &'a ImportParams,
    pub cat: &'a C,
    pub types: Vec<TypeBundle<'a>>,
    /// Collection key → identifier → item position (first occurrence wins).
    placeholders: HashMap<&'static str, HashMap<String, usize>>,
    /// Collection key → the UID of the target's default object of that type.
    pub defaults: HashMap<&'static str, String>,
    /// Default objects the target lacks (DHIS2 creates them at first start).
    pub missing_defaults: Vec<(&'static str, Object)>,
}

pub(crate) fn text<'o>(object: &'o Object, field: &str) -> Option<&'o str> {
    object
        .get(field)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
}

/// The identifier used for objects of `schema` (users and user roles are always UID-keyed).
pub(crate) fn identifier_for(params: &ImportParams, schema: &TypeSchema) -> Identifier {
    if schema.uid_only {
        Identifier::Uid
    } else {
        params.identifier
    }
}

/// The identifier value of `object` (its `id` or `code`).
pub(crate) fn key_of(identifier: Identifier, object: &Object) -> Option<&str> {
    match identifier {
        Identifier::Code => text(object, "code"),
        _ => text(object, "id"),
    }
}

/// `Name [identifier] (Type)`, or `[identifier] (Type)` without a name, as DHIS2's
/// `PreheatIdentifier#getIdentifiersWithName` writes objects in messages.
pub(crate) fn with_name(identifier: Identifier, object: &Object, simple_name: &str) -> String {
    let key = key_of(identifier, object).unwrap_or("null");
    match display_name(object) {
        Some(name) => format!("{name} [{key}] ({simple_name})"),
        None => format!("[{key}] ({simple_name})"),
    }
}

/// The name DHIS2 displays for an object (`name`; a user's first name and surname).
pub(crate) fn display_name(object: &Object) -> Option<String> {
    if let Some(name) = text(object, "name") {
        return Some(name.to_owned());
    }
    match (text(object, "firstName"), text(object, "surname")) {
        (Some(f), Some(s)) => Some(format!("{f} {s}")),
        _ => None,
    }
}

/// A small xorshift generator for seeded UIDs.
pub(crate) struct UidSource {
    state: Option<u64>,
}

impl UidSource {
    pub(crate) fn new(seed: Option<u64>) -> UidSource {
        UidSource {
            state: seed.map(|s| s | 1),
        }
    }

    pub(crate) fn next(&mut self) -> String {
        match &mut self.state {
            None => dxf2_model::Uid::generate().as_str().to_owned(),
            Some(state) => dxf2_model::Uid::generate_with(|| {
                *state ^= *state >> 12;
                *state ^= *state << 25;
                *state ^= *state >> 27;
                state.wrapping_mul(0x2545_F491_4F6C_DD1D)
            })
            .as_str()
            .to_owned(),
        }
    }
}

impl<'a, C: Catalogue + ?Sized> Bundle<'a, C> {
    /// Builds the bundle: `objects` are the payload's modelled collections.
    pub(crate) fn build(
        params: &'a ImportParams,
        cat: &'a C,
        objects: Vec<(&'static TypeSchema, Vec<Object>)>,
        uids: &mut UidSource,
    ) -> Result<Bundle<'a, C>, CatalogueError> {
        let mut defaults = HashMap::new();
        let mut missing_defaults = Vec::new();
        for (key, object) in defaults::objects() {
            match cat.find(key, "name", &Value::from(defaults::NAME))? {
                Some(uid) => {
                    defaults.insert(key, uid);
                }
                None => {
                    defaults.insert(key, crate::changes::uid_of(&object));
                    missing_defaults.push((key, object));
                }
            }
        }

        let mut types: Vec<TypeBundle> = Vec::new();
        for (schema, objects) in objects {
            let identifier = identifier_for(params, schema);
            let mut items = Vec::with_capacity(objects.len());
            for (index, mut object) in objects.into_iter().enumerate() {
                let existing = match key_of(identifier, &object) {
                    None => None,
                    Some(key) => match identifier {
                        Identifier::Code => {
                            match cat.find(schema.key, "code", &Value::from(key))? {
                                Some(uid) => cat.object(schema.key, &uid)?,
                                None => None,
                            }
                        }
                        _ => cat.object(schema.key, key)?,
                    },
                };
                let uid = match existing.as_ref().and_then(|e| text(e, "id")) {
                    Some(uid) => uid.to_owned(),
                    None => match text(&object, "id") {
                        Some(id) => id.to_owned(),
                        None => uids.next(),
                    },
                };
                object.insert("id".to_owned(), Value::String(uid.clone()));
                let default = schema.is_default_class()
                    && defaults.get(schema.key).is_some_and(|d| *d == uid);
                items.push(Item {
                    index,
                    object,
                    uid,
                    existing,
                    default,
                    removed: false,
                });
            }
            let next_index = items.len();
            types.push(TypeBundle {
                schema,
                items,
                next_index,
            });
        }
        types.sort_by_key(|t| t.schema.order);

        let mut placeholders: HashMap<&'static str, HashMap<String, usize>> = HashMap::new();
        for t in &types {
            let identifier = identifier_for(params, t.schema);
            let map = placeholders.entry(t.schema.key).or_default();
            for (i, item) in t.items.iter().enumerate() {
                if let Some(key) = key_of(identifier, &item.object) {
                    map.entry(key.to_owned()).or_insert(i);
                }
            }
        }

        Ok(Bundle {
            params,
            cat,
            types,
            placeholders,
            defaults,
            missing_defaults,
        })
    }

    /// Resolves a reference to an object of collection `target` against the payload and the
    /// catalogue, under the import's identifier (UID for users and user roles).
    pub(crate) fn resolve(
        &self,
        target: &str,
        reference: &Object,
    ) -> Result<Option<Target>, CatalogueError> {
        if self.is_default_ref(target, reference) {
            return Ok(text(reference, "id").map(|id| Target::Default(id.to_owned())));
        }
        let Some(schema) = schema::by_key(target) else {
            return Ok(None);
        };
        let identifier = identifier_for(self.params, schema);
        let Some(key) = key_of(identifier, reference) else {
            return Ok(None);
        };
        if let Some((t, i)) = self.placeholder(target, key) {
            return Ok(Some(Target::Payload(t, i)));
        }
        match identifier {
            Identifier::Code => Ok(self
                .cat
                .find(target, "code", &Value::from(key))?
                .map(Target::Stored)),
            _ => Ok(self
                .cat
                .object(target, key)?
                .is_some()
                .then(|| Target::Stored(key.to_owned()))),
        }
    }

    /// Resolves a UID of collection `target` whatever the import's identifier (attribute values,
    /// sharing).
    pub(crate) fn resolve_uid(
        &self,
        target: &str,
        uid: &str,
    ) -> Result<Option<Target>, CatalogueError> {
        if let Some(t) = self.type_pos(target) {
            if let Some(i) = self
                .types
                .get(t)
                .and_then(|tb| tb.items.iter().position(|it| it.uid == uid))
            {
                return Ok(Some(Target::Payload(t, i)));
            }
        }
        if let Some((_, o)) = self
            .missing_defaults
            .iter()
            .find(|(k, o)| *k == target && text(o, "id") == Some(uid))
        {
            let _ = o;
            return Ok(Some(Target::Default(uid.to_owned())));
        }
        Ok(self
            .cat
            .object(target, uid)?
            .is_some()
            .then(|| Target::Stored(uid.to_owned())))
    }

    /// The object a resolved reference stands for: the payload object, or the stored one (lent,
    /// not copied).
    pub(crate) fn target_object(
        &self,
        target_key: &str,
        target: &Target,
    ) -> Result<Option<Cow<'_, Object>>, CatalogueError> {
        match target {
            Target::Payload(t, i) => Ok(self.item(*t, *i).map(|item| Cow::Borrowed(&item.object))),
            Target::Stored(uid) | Target::Default(uid) => {
                if let Some((key, object)) = self
                    .missing_defaults
                    .iter()
                    .find(|(k, o)| *k == target_key && text(o, "id") == Some(uid.as_str()))
                {
                    let _ = key;
                    return Ok(Some(Cow::Borrowed(object)));
                }
                self.cat.object(target_key, uid)
            }
        }
    }
}

impl<'a, C: ?Sized> Bundle<'a, C> {
    /// The position of the type with collection key `key` in the bundle.
    pub(crate) fn type_pos(&self, key: &str) -> Option<usize> {
        self.types.iter().position(|t| t.schema.key == key)
    }

    /// The payload object registered under `key` for collection `target` (first occurrence).
    pub(crate) fn placeholder(&self, target: &str, key: &str) -> Option<(usize, usize)> {
        let item = *self.placeholders.get(target)?.get(key)?;
        Some((self.type_pos(target)?, item))
    }

    /// The item at (type, item) positions.
    pub(crate) fn item(&self, t: usize, i: usize) -> Option<&Item<'a>> {
        self.types.get(t)?.items.get(i)
    }

    /// Whether `reference` (an object) is the target's default object of collection `target`.
    pub(crate) fn is_default_ref(&self, target: &str, reference: &Object) -> bool {
        match (self.defaults.get(target), text(reference, "id")) {
            (Some(d), Some(id)) => d == id,
            _ => false,
        }
    }

    /// The UID a resolved reference stands for.
    pub(crate) fn target_uid(&self, target: &Target) -> Option<String> {
        match target {
            Target::Payload(t, i) => self.item(*t, *i).map(|item| item.uid.clone()),
            Target::Stored(uid) | Target::Default(uid) => Some(uid.clone()),
        }
    }

    /// The minor DHIS2 version whose rules apply.
    pub(crate) fn minor(&self) -> u32 {
        self.params.dhis2_minor()
    }
}
