//! [`Changes`]: what an import changes in its target — objects created, updated (whole objects,
//! as they are to be stored) and deleted, per type — for a store to apply in one transaction.

use std::collections::HashMap;

use serde::Serialize;
use serde_json::Value;

use crate::document::Object;
use crate::schema;

/// The changes of one type.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TypeChanges {
    /// The collection key (`dataElements`).
    pub key: String,
    /// New objects, as they are to be stored (UIDs assigned, references as `{"id": …}`).
    pub created: Vec<Object>,
    /// Existing objects, whole, as they are to be stored (they replace the stored objects).
    pub updated: Vec<Object>,
    /// UIDs of deleted objects.
    pub deleted: Vec<String>,
}

impl TypeChanges {
    /// Whether nothing changes for the type.
    pub fn is_empty(&self) -> bool {
        self.created.is_empty() && self.updated.is_empty() && self.deleted.is_empty()
    }
}

/// What an import changes, per type in DHIS2's import order, plus the objects of types this crate
/// does not model, passed through unchanged (a store may keep them verbatim).
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Changes {
    /// Per type, in import order (a type appears once).
    pub types: Vec<TypeChanges>,
    /// Objects of types not modelled (`validationRules`, `dashboards`, …), as they were given.
    pub unmodelled: Vec<(String, Vec<Object>)>,
}

impl Changes {
    /// No changes.
    pub fn new() -> Changes {
        Changes::default()
    }

    /// Whether nothing changes.
    pub fn is_empty(&self) -> bool {
        self.types.iter().all(TypeChanges::is_empty)
            && self.unmodelled.iter().all(|(_, o)| o.is_empty())
    }

    /// The changes of collection `key` (if any).
    pub fn of(&self, key: &str) -> Option<&TypeChanges> {
        self.types.iter().find(|t| t.key == key)
    }

    /// The changes of collection `key`, added in import order when new.
    pub fn type_mut(&mut self, key: &str) -> &mut TypeChanges {
        let at = match self.types.iter().position(|t| t.key == key) {
            Some(p) => p,
            None => {
                let order = schema::order_of(key);
                let at = self
                    .types
                    .iter()
                    .position(|t| schema::order_of(&t.key) > order)
                    .unwrap_or(self.types.len());
                self.types.insert(
                    at,
                    TypeChanges {
                        key: key.to_owned(),
                        ..TypeChanges::default()
                    },
                );
                at
            }
        };
        #[allow(clippy::indexing_slicing)] // `at` was found, or just inserted at
        let t = &mut self.types[at];
        t
    }

    /// Folds `later` (the changes of a later import) into these, so that applying the result
    /// equals applying both in order.
    pub fn absorb(&mut self, later: Changes) {
        for t in later.types {
            let mine = self.type_mut(&t.key);
            let mut created: HashMap<String, usize> = uid_positions(&mine.created);
            let mut updated: HashMap<String, usize> = uid_positions(&mine.updated);
            for object in t.created {
                let uid = uid_of(&object);
                if let Some(p) = mine.deleted.iter().position(|d| *d == uid) {
                    mine.deleted.remove(p);
                    updated.insert(uid, mine.updated.len());
                    mine.updated.push(object);
                } else {
                    created.insert(uid, mine.created.len());
                    mine.created.push(object);
                }
            }
            for object in t.updated {
                let uid = uid_of(&object);
                if let Some(slot) = created.get(&uid).and_then(|&p| mine.created.get_mut(p)) {
                    *slot = object;
                } else if let Some(slot) = updated.get(&uid).and_then(|&p| mine.updated.get_mut(p))
                {
                    *slot = object;
                } else {
                    updated.insert(uid, mine.updated.len());
                    mine.updated.push(object);
                }
            }
            for uid in t.deleted {
                if created.contains_key(&uid) {
                    mine.created.retain(|o| uid_of(o) != uid);
                    created = uid_positions(&mine.created);
                } else {
                    if updated.contains_key(&uid) {
                        mine.updated.retain(|o| uid_of(o) != uid);
                        updated = uid_positions(&mine.updated);
                    }
                    mine.deleted.push(uid);
                }
            }
        }
        for (key, objects) in later.unmodelled {
            match self.unmodelled.iter_mut().find(|(k, _)| *k == key) {
                Some((_, mine)) => mine.extend(objects),
                None => self.unmodelled.push((key, objects)),
            }
        }
    }
}

pub(crate) fn uid_of(object: &Object) -> String {
    object
        .get("id")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned()
}

fn uid_positions(objects: &[Object]) -> HashMap<String, usize> {
    objects
        .iter()
        .enumerate()
        .map(|(i, o)| (uid_of(o), i))
        .collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

    fn obj(id: &str, name: &str) -> Object {
        json!({"id": id, "name": name})
            .as_object()
            .cloned()
            .unwrap()
    }

    #[test]
    fn types_stay_in_import_order() {
        let mut c = Changes::new();
        c.type_mut("dataSets");
        c.type_mut("options");
        c.type_mut("dataElements");
        let keys: Vec<&str> = c.types.iter().map(|t| t.key.as_str()).collect();
        assert_eq!(keys, ["options", "dataElements", "dataSets"]);
    }

    #[test]
    fn absorb_folds_later_changes() {
        let mut first = Changes::new();
        first.type_mut("dataElements").created.push(obj("a", "A"));
        first.type_mut("dataElements").updated.push(obj("b", "B"));
        let mut later = Changes::new();
        later.type_mut("dataElements").updated.push(obj("a", "A2"));
        later.type_mut("dataElements").deleted.push("b".into());
        later.type_mut("dataElements").created.push(obj("c", "C"));
        first.absorb(later);
        let t = first.of("dataElements").unwrap();
        assert_eq!(t.created, vec![obj("a", "A2"), obj("c", "C")]);
        assert!(t.updated.is_empty());
        assert_eq!(t.deleted, vec!["b".to_owned()]);
    }
}
