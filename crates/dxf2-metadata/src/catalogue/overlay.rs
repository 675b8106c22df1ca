//! [`Overlay`]: a catalogue seen through changes not yet applied, so that a later document of
//! one import sees what earlier ones created, updated and deleted.

use std::borrow::Cow;
use std::collections::{BTreeSet, HashMap};

use serde_json::Value;

use super::{index_key, Catalogue, CatalogueError, Objects, INDEXED};
use crate::changes::{uid_of, Changes};
use crate::document::Object;

/// A base catalogue plus pending changes.
pub(crate) struct Overlay<'c, C: ?Sized> {
    base: &'c C,
    /// (key, uid) → the object as changed, or `None` when deleted.
    changed: HashMap<(String, String), Option<Object>>,
    /// Objects created by the changes, per key, in creation order.
    created: HashMap<String, Vec<String>>,
    /// (key, property, value) → UIDs of changed objects holding it.
    index: HashMap<(String, &'static str, String), BTreeSet<String>>,
}

impl<'c, C: Catalogue + ?Sized> Overlay<'c, C> {
    /// The base catalogue with no changes.
    pub(crate) fn new(base: &'c C) -> Overlay<'c, C> {
        Overlay {
            base,
            changed: HashMap::new(),
            created: HashMap::new(),
            index: HashMap::new(),
        }
    }

    /// Takes `changes` into the view.
    pub(crate) fn add(&mut self, changes: &Changes) -> Result<(), CatalogueError> {
        for t in &changes.types {
            for object in &t.created {
                let uid = uid_of(object);
                if self.base.object(&t.key, &uid)?.is_none()
                    && !self.changed.contains_key(&(t.key.clone(), uid.clone()))
                {
                    self.created
                        .entry(t.key.clone())
                        .or_default()
                        .push(uid.clone());
                }
                self.put(&t.key, uid, Some(object.clone()));
            }
            for object in &t.updated {
                self.put(&t.key, uid_of(object), Some(object.clone()));
            }
            for uid in &t.deleted {
                self.put(&t.key, uid.clone(), None);
            }
        }
        Ok(())
    }

    fn put(&mut self, key: &str, uid: String, object: Option<Object>) {
        let slot = (key.to_owned(), uid.clone());
        if let Some(Some(old)) = self.changed.get(&slot) {
            for property in INDEXED {
                if let Some(v) = old.get(property).and_then(index_key) {
                    if let Some(set) = self.index.get_mut(&(key.to_owned(), property, v)) {
                        set.remove(&uid);
                    }
                }
            }
        }
        if let Some(new) = &object {
            for property in INDEXED {
                if let Some(v) = new.get(property).and_then(index_key) {
                    self.index
                        .entry((key.to_owned(), property, v))
                        .or_default()
                        .insert(uid.clone());
                }
            }
        }
        self.changed.insert(slot, object);
    }
}

impl<C: Catalogue + ?Sized> Catalogue for Overlay<'_, C> {
    fn object(&self, key: &str, uid: &str) -> Result<Option<Cow<'_, Object>>, CatalogueError> {
        match self.changed.get(&(key.to_owned(), uid.to_owned())) {
            Some(Some(o)) => Ok(Some(Cow::Borrowed(o))),
            Some(None) => Ok(None),
            None => self.base.object(key, uid),
        }
    }

    fn find(
        &self,
        key: &str,
        property: &str,
        value: &Value,
    ) -> Result<Option<String>, CatalogueError> {
        if property == "id" {
            let Some(uid) = value.as_str() else {
                return Ok(None);
            };
            return Ok(self.object(key, uid)?.map(|_| uid.to_owned()));
        }
        if let Some(indexed) = INDEXED.iter().find(|p| **p == property) {
            if let Some(v) = index_key(value) {
                if let Some(uid) = self
                    .index
                    .get(&(key.to_owned(), *indexed, v))
                    .and_then(|s| s.iter().next())
                {
                    return Ok(Some(uid.clone()));
                }
            }
        } else {
            for ((k, uid), object) in &self.changed {
                if k == key && object.as_ref().and_then(|o| o.get(property)) == Some(value) {
                    return Ok(Some(uid.clone()));
                }
            }
        }
        let Some(uid) = self.base.find(key, property, value)? else {
            return Ok(None);
        };
        match self.changed.get(&(key.to_owned(), uid.clone())) {
            None => Ok(Some(uid)),
            // The base object changed: it still matches only if its new version does.
            Some(Some(o)) if o.get(property) == Some(value) => Ok(Some(uid)),
            Some(_) => Ok(None),
        }
    }

    fn objects(&self, key: &str) -> Result<Objects<'_>, CatalogueError> {
        let key_owned = key.to_owned();
        let base = self.base.objects(key)?.filter_map(move |item| match item {
            Err(e) => Some(Err(e)),
            Ok(o) => {
                let uid = uid_of(&o);
                match self.changed.get(&(key_owned.clone(), uid)) {
                    None => Some(Ok(o)),
                    Some(Some(new)) => Some(Ok(Cow::Borrowed(new))),
                    Some(None) => None,
                }
            }
        });
        let key_owned = key.to_owned();
        let created = self
            .created
            .get(key)
            .into_iter()
            .flatten()
            .filter_map(
                move |uid| match self.changed.get(&(key_owned.clone(), uid.clone())) {
                    Some(Some(o)) => Some(Ok(Cow::Borrowed(o))),
                    _ => None,
                },
            );
        Ok(Box::new(base.chain(created)))
    }

    fn keys(&self) -> Result<Vec<String>, CatalogueError> {
        let mut keys = self.base.keys()?;
        for key in self.created.keys() {
            if !keys.contains(key) {
                keys.push(key.clone());
            }
        }
        keys.sort_by_key(|k| (crate::schema::order_of(k), k.clone()));
        Ok(keys)
    }

    fn has_data_values(&self, key: &str, uid: &str) -> Result<bool, CatalogueError> {
        self.base.has_data_values(key, uid)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::catalogue::MemoryCatalogue;
    use serde_json::json;

    fn obj(v: Value) -> Object {
        v.as_object().cloned().unwrap()
    }

    #[test]
    fn changes_hide_and_replace_base_objects() {
        let mut base = MemoryCatalogue::new();
        base.insert("dataElements", obj(json!({"id": "a", "code": "A"})));
        base.insert("dataElements", obj(json!({"id": "b", "code": "B"})));
        let mut view = Overlay::new(&base);
        let mut changes = Changes::new();
        changes
            .type_mut("dataElements")
            .updated
            .push(obj(json!({"id": "a", "code": "A2"})));
        changes.type_mut("dataElements").deleted.push("b".into());
        changes
            .type_mut("dataElements")
            .created
            .push(obj(json!({"id": "c", "code": "C"})));
        view.add(&changes).unwrap();
        assert_eq!(
            view.find("dataElements", "code", &json!("A")).unwrap(),
            None
        );
        assert_eq!(
            view.find("dataElements", "code", &json!("A2"))
                .unwrap()
                .as_deref(),
            Some("a")
        );
        assert!(view.object("dataElements", "b").unwrap().is_none());
        let uids: Vec<String> = view
            .objects("dataElements")
            .unwrap()
            .map(|o| uid_of(&o.unwrap()))
            .collect();
        assert_eq!(uids, ["a", "c"]);
    }
}
