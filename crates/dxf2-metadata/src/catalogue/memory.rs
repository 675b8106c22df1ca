//! [`MemoryCatalogue`]: a catalogue held in memory, indexed by UID, code, name and short name.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use serde_json::Value;

use super::{index_key, Catalogue, CatalogueError, Objects, INDEXED};
use crate::changes::Changes;
use crate::document::{Document, Object};
use crate::{defaults, schema};

/// A catalogue held in memory: the objects of each collection by UID (iterated in UID order),
/// with indexes on `code`, `name` and `shortName`, and a set of objects that have data values.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct MemoryCatalogue {
    types: BTreeMap<String, Collection>,
    data_values: HashSet<(String, String)>,
}

#[derive(Clone, Debug, Default, PartialEq)]
struct Collection {
    objects: BTreeMap<String, Object>,
    /// (property, value) → UIDs holding it.
    index: HashMap<(&'static str, String), BTreeSet<String>>,
}

impl Collection {
    fn unindex(&mut self, uid: &str, object: &Object) {
        for property in INDEXED {
            if let Some(key) = object.get(property).and_then(index_key) {
                if let Some(set) = self.index.get_mut(&(property, key.clone())) {
                    set.remove(uid);
                    if set.is_empty() {
                        self.index.remove(&(property, key));
                    }
                }
            }
        }
    }

    fn reindex(&mut self, uid: &str, object: &Object) {
        for property in INDEXED {
            if let Some(key) = object.get(property).and_then(index_key) {
                self.index
                    .entry((property, key))
                    .or_default()
                    .insert(uid.to_owned());
            }
        }
    }
}

impl MemoryCatalogue {
    /// An empty catalogue (not even DHIS2's default category objects).
    pub fn new() -> MemoryCatalogue {
        MemoryCatalogue::default()
    }

    /// A catalogue holding what a fresh DHIS2 server holds: the four default category objects.
    pub fn with_dhis2_defaults() -> MemoryCatalogue {
        let mut cat = MemoryCatalogue::new();
        for (key, object) in defaults::objects() {
            cat.insert(key, object);
        }
        cat
    }

    /// A catalogue holding every object of `doc` that has an `id` (other objects are left out).
    pub fn from_document(doc: &Document) -> MemoryCatalogue {
        let mut cat = MemoryCatalogue::new();
        for (key, objects) in &doc.types {
            for object in objects {
                cat.insert(key, object.clone());
            }
        }
        cat
    }

    /// Every object, as a document: collections in DHIS2's import order, objects in UID order.
    pub fn to_document(&self) -> Document {
        let mut keys: Vec<&String> = self.types.keys().collect();
        keys.sort_by_key(|k| (schema::order_of(k), k.as_str()));
        let mut doc = Document::new();
        for key in keys {
            if let Some(c) = self.types.get(key) {
                if !c.objects.is_empty() {
                    doc.types
                        .push((key.clone(), c.objects.values().cloned().collect()));
                }
            }
        }
        doc
    }

    /// Adds `object` to collection `key`, replacing the object with its UID. Returns whether it
    /// was added (an object without a text `id` is not).
    pub fn insert(&mut self, key: &str, object: Object) -> bool {
        let Some(uid) = object.get("id").and_then(Value::as_str).map(str::to_owned) else {
            return false;
        };
        let c = self.types.entry(key.to_owned()).or_default();
        if let Some(old) = c.objects.remove(&uid) {
            c.unindex(&uid, &old);
        }
        c.reindex(&uid, &object);
        c.objects.insert(uid, object);
        true
    }

    /// Removes the object of collection `key` with UID `uid`, returning it.
    pub fn remove(&mut self, key: &str, uid: &str) -> Option<Object> {
        let c = self.types.get_mut(key)?;
        let old = c.objects.remove(uid)?;
        c.unindex(uid, &old);
        Some(old)
    }

    /// Applies the changes of an import: creates, updates (replacing objects) and deletes, then
    /// keeps the unmodelled objects as they were given.
    pub fn apply(&mut self, changes: &Changes) {
        for t in &changes.types {
            for object in t.created.iter().chain(&t.updated) {
                self.insert(&t.key, object.clone());
            }
            for uid in &t.deleted {
                self.remove(&t.key, uid);
            }
        }
        for (key, objects) in &changes.unmodelled {
            for object in objects {
                self.insert(key, object.clone());
            }
        }
    }

    /// [`apply`](Self::apply), moving the objects in rather than copying them (an import's
    /// changes hold a copy of every object it imported).
    pub fn apply_owned(&mut self, changes: Changes) {
        for t in changes.types {
            for object in t.created.into_iter().chain(t.updated) {
                self.insert(&t.key, object);
            }
            for uid in &t.deleted {
                self.remove(&t.key, uid);
            }
        }
        for (key, objects) in changes.unmodelled {
            for object in objects {
                self.insert(&key, object);
            }
        }
    }

    /// Records that data values exist for the object (see [`Catalogue::has_data_values`]).
    pub fn set_data_values(&mut self, key: &str, uid: &str) {
        self.data_values.insert((key.to_owned(), uid.to_owned()));
    }

    /// The number of objects of collection `key`.
    pub fn count(&self, key: &str) -> usize {
        self.types.get(key).map_or(0, |c| c.objects.len())
    }

    /// The number of objects in all collections.
    pub fn len(&self) -> usize {
        self.types.values().map(|c| c.objects.len()).sum()
    }

    /// Whether the catalogue holds no object.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The object of collection `key` with UID `uid`.
    pub fn get(&self, key: &str, uid: &str) -> Option<&Object> {
        self.types.get(key)?.objects.get(uid)
    }
}

impl Catalogue for MemoryCatalogue {
    fn object(&self, key: &str, uid: &str) -> Result<Option<Cow<'_, Object>>, CatalogueError> {
        Ok(self.get(key, uid).map(Cow::Borrowed))
    }

    fn find(
        &self,
        key: &str,
        property: &str,
        value: &Value,
    ) -> Result<Option<String>, CatalogueError> {
        let Some(c) = self.types.get(key) else {
            return Ok(None);
        };
        if property == "id" {
            return Ok(value
                .as_str()
                .filter(|uid| c.objects.contains_key(*uid))
                .map(str::to_owned));
        }
        if let Some(indexed) = INDEXED.iter().find(|p| **p == property) {
            let Some(k) = index_key(value) else {
                return Ok(None);
            };
            return Ok(c
                .index
                .get(&(*indexed, k))
                .and_then(|set| set.iter().next().cloned()));
        }
        Ok(c.objects
            .iter()
            .find(|(_, o)| o.get(property) == Some(value))
            .map(|(uid, _)| uid.clone()))
    }

    fn objects(&self, key: &str) -> Result<Objects<'_>, CatalogueError> {
        match self.types.get(key) {
            Some(c) => Ok(Box::new(c.objects.values().map(|o| Ok(Cow::Borrowed(o))))),
            None => Ok(Box::new(std::iter::empty())),
        }
    }

    fn keys(&self) -> Result<Vec<String>, CatalogueError> {
        let mut keys: Vec<String> = self
            .types
            .iter()
            .filter(|(_, c)| !c.objects.is_empty())
            .map(|(k, _)| k.clone())
            .collect();
        keys.sort_by_key(|k| (schema::order_of(k), k.clone()));
        Ok(keys)
    }

    fn has_data_values(&self, key: &str, uid: &str) -> Result<bool, CatalogueError> {
        Ok(self.data_values.contains(&(key.to_owned(), uid.to_owned())))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

    fn obj(v: Value) -> Object {
        v.as_object().cloned().unwrap_or_default()
    }

    #[test]
    fn index_follows_replacement_and_removal() {
        let mut cat = MemoryCatalogue::new();
        cat.insert(
            "dataElements",
            obj(json!({"id": "a1234567890", "code": "A"})),
        );
        cat.insert(
            "dataElements",
            obj(json!({"id": "a1234567890", "code": "B"})),
        );
        assert_eq!(cat.find("dataElements", "code", &json!("A")).unwrap(), None);
        assert_eq!(
            cat.find("dataElements", "code", &json!("B"))
                .unwrap()
                .as_deref(),
            Some("a1234567890")
        );
        cat.remove("dataElements", "a1234567890");
        assert_eq!(cat.find("dataElements", "code", &json!("B")).unwrap(), None);
        assert!(cat.is_empty());
    }

    #[test]
    fn unindexed_properties_are_scanned() {
        let mut cat = MemoryCatalogue::new();
        cat.insert(
            "organisationUnitLevels",
            obj(json!({"id": "a1234567890", "level": 2})),
        );
        assert_eq!(
            cat.find("organisationUnitLevels", "level", &json!(2))
                .unwrap()
                .as_deref(),
            Some("a1234567890")
        );
    }

    #[test]
    fn applying_owned_changes_equals_applying_borrowed_ones() {
        let mut changes = Changes::new();
        let t = changes.type_mut("dataElements");
        t.created
            .push(obj(json!({"id": "a1234567890", "code": "A"})));
        t.updated
            .push(obj(json!({"id": "b1234567890", "code": "B2"})));
        t.deleted.push("c1234567890".into());
        changes.unmodelled.push((
            "validationRules".into(),
            vec![obj(json!({"id": "v1234567890"}))],
        ));
        let mut base = MemoryCatalogue::new();
        base.insert(
            "dataElements",
            obj(json!({"id": "b1234567890", "code": "B"})),
        );
        base.insert(
            "dataElements",
            obj(json!({"id": "c1234567890", "code": "C"})),
        );
        let mut borrowed = base.clone();
        borrowed.apply(&changes);
        base.apply_owned(changes);
        assert_eq!(base, borrowed);
        assert_eq!(base.count("dataElements"), 2);
        assert_eq!(base.count("validationRules"), 1);
    }

    #[test]
    fn document_round_trip_in_import_order() {
        let cat = MemoryCatalogue::with_dhis2_defaults();
        let doc = cat.to_document();
        let keys: Vec<&str> = doc.types.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(
            keys,
            [
                "categoryOptions",
                "categories",
                "categoryCombos",
                "categoryOptionCombos"
            ]
        );
        assert_eq!(MemoryCatalogue::from_document(&doc), cat);
    }
}
