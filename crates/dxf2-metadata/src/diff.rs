//! What an import would do, before doing it: the objects it would create, update (field by
//! field) and delete, and the collisions — payload objects whose `code` or `name` another stored
//! object of the type already has (a different UID), the usual trouble with metadata packages.
//!
//! The changes are those of the import with atomic mode `NONE` (each valid object as it would be
//! stored); the report says which objects the import refuses and why — with atomic mode `ALL`,
//! any error means the import changes nothing.
//!
//! ```
//! use dxf2_metadata::catalogue::MemoryCatalogue;
//! use dxf2_metadata::import::ImportParams;
//! use dxf2_metadata::{diff, read_json_str};
//! use serde_json::json;
//!
//! let mut target = MemoryCatalogue::with_dhis2_defaults();
//! target.insert("indicatorTypes", json!({"id": "kHy61PbChXr", "name": "Percent", "factor": 100})
//!     .as_object().unwrap().clone());
//! target.insert("indicatorTypes", json!({"id": "aHy61PbChXr", "name": "Per thousand", "factor": 1000})
//!     .as_object().unwrap().clone());
//! let doc = read_json_str(r#"{"indicatorTypes": [
//!   {"id": "kHy61PbChXr", "name": "Percentage", "factor": 100},
//!   {"id": "bHy61PbChXr", "name": "Per thousand", "factor": 1000}]}"#).unwrap().document;
//! let d = diff::diff(&target, &doc, &ImportParams::default()).unwrap();
//! let types = &d.types[0];
//! assert_eq!(types.updated[0].fields[0].field, "name");
//! assert_eq!(types.collisions[0].property, "name");
//! assert_eq!(types.collisions[0].stored_uid, "aHy61PbChXr");
//! ```

use serde::Serialize;
use serde_json::Value;

use crate::catalogue::{index_key, Catalogue};
use crate::document::{Document, Object};
use crate::error::Error;
use crate::import::{import, AtomicMode, ImportMode, ImportParams, ImportReport, Timestamps};
use crate::schema;

/// Fields that every update changes (left out of field differences).
const BOOKKEEPING: [&str; 4] = ["lastUpdated", "lastUpdatedBy", "created", "createdBy"];

/// One object, named.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Named {
    /// UID.
    pub uid: String,
    /// Name, when it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// A field an update changes.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FieldChange {
    /// The field.
    pub field: String,
    /// Its stored value (absent: `None`).
    pub before: Option<Value>,
    /// Its value after the import (absent: `None`).
    pub after: Option<Value>,
}

/// An object an import would update, with what changes.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Update {
    /// UID.
    pub uid: String,
    /// Name after the update.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The fields that change, in key order (none: the object stays as it is).
    pub fields: Vec<FieldChange>,
}

/// A payload object whose `code` or `name` another stored object already has.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Collision {
    /// The payload object's UID (after matching).
    pub uid: String,
    /// `code` or `name`.
    pub property: String,
    /// The value.
    pub value: String,
    /// The stored object holding it.
    pub stored_uid: String,
}

/// The differences for one type.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TypeDiff {
    /// Collection key.
    pub key: String,
    /// Objects created.
    pub created: Vec<Named>,
    /// Objects updated.
    pub updated: Vec<Update>,
    /// Objects deleted.
    pub deleted: Vec<Named>,
    /// Collisions.
    pub collisions: Vec<Collision>,
}

/// What an import would do.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Diff {
    /// Per type, in import order.
    pub types: Vec<TypeDiff>,
    /// The import's report (errors prevent some changes).
    pub report: ImportReport,
}

/// Compares what importing `doc` with `params` would store with what `cat` holds.
pub fn diff<C: Catalogue + ?Sized>(
    cat: &C,
    doc: &Document,
    params: &ImportParams,
) -> Result<Diff, Error> {
    let params = ImportParams {
        import_mode: ImportMode::Commit,
        atomic_mode: AtomicMode::None,
        timestamps: Timestamps::Keep,
        ..params.clone()
    };
    let result = import(cat, doc, &params)?;
    let mut types: Vec<TypeDiff> = Vec::new();
    for t in &result.changes.types {
        let mut d = TypeDiff {
            key: t.key.clone(),
            created: t.created.iter().map(named).collect(),
            updated: Vec::new(),
            deleted: Vec::new(),
            collisions: Vec::new(),
        };
        for after in &t.updated {
            let uid = uid(after);
            let before = cat
                .object(&t.key, &uid)?
                .map(|o| o.into_owned())
                .unwrap_or_default();
            d.updated.push(Update {
                uid,
                name: text(after, "name"),
                fields: field_changes(&before, after),
            });
        }
        for u in &t.deleted {
            let name = cat.object(&t.key, u)?.and_then(|o| text(&o, "name"));
            d.deleted.push(Named {
                uid: u.clone(),
                name,
            });
        }
        types.push(d);
    }
    // Collisions: the payload's codes and names held by other stored objects.
    for (key, objects) in &doc.types {
        let Some(s) = schema::by_key(key) else {
            continue;
        };
        for object in objects {
            let own = own_uid(cat, s, object, &params)?;
            for property in ["code", "name"] {
                if s.property(property).is_none() {
                    continue;
                }
                let Some(value) = object.get(property).filter(|v| !v.is_null()) else {
                    continue;
                };
                let Some(other) = cat.find(key, property, value)? else {
                    continue;
                };
                if own.as_deref() == Some(other.as_str()) {
                    continue;
                }
                let collision = Collision {
                    uid: own.clone().unwrap_or_default(),
                    property: property.to_owned(),
                    value: index_key(value).unwrap_or_default(),
                    stored_uid: other,
                };
                match types.iter_mut().find(|d| d.key == *key) {
                    Some(d) => d.collisions.push(collision),
                    None => {
                        let mut d = TypeDiff {
                            key: key.clone(),
                            created: Vec::new(),
                            updated: Vec::new(),
                            deleted: Vec::new(),
                            collisions: Vec::new(),
                        };
                        d.collisions.push(collision);
                        let order = schema::order_of(key);
                        let at = types
                            .iter()
                            .position(|t| schema::order_of(&t.key) > order)
                            .unwrap_or(types.len());
                        types.insert(at, d);
                    }
                }
            }
        }
    }
    Ok(Diff {
        types,
        report: result.report,
    })
}

/// The UID a payload object has in the target: the stored object's it matches by identifier,
/// else its own `id` (none for a new object without one).
fn own_uid<C: Catalogue + ?Sized>(
    cat: &C,
    s: &schema::TypeSchema,
    object: &Object,
    params: &ImportParams,
) -> Result<Option<String>, Error> {
    if params.identifier == crate::import::Identifier::Code && !s.uid_only {
        if let Some(code) = object.get("code").filter(|v| v.is_string()) {
            if let Some(uid) = cat.find(s.key, "code", code)? {
                return Ok(Some(uid));
            }
        }
    }
    Ok(text(object, "id"))
}

fn uid(o: &Object) -> String {
    o.get("id")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned()
}

fn text(o: &Object, f: &str) -> Option<String> {
    o.get(f).and_then(Value::as_str).map(str::to_owned)
}

fn named(o: &Object) -> Named {
    Named {
        uid: uid(o),
        name: text(o, "name"),
    }
}

/// The fields whose values differ, in key order.
pub fn field_changes(before: &Object, after: &Object) -> Vec<FieldChange> {
    let mut keys: Vec<&String> = before.keys().chain(after.keys()).collect();
    keys.sort();
    keys.dedup();
    keys.into_iter()
        .filter(|k| !BOOKKEEPING.contains(&k.as_str()))
        .filter_map(|k| {
            let (b, a) = (before.get(k), after.get(k));
            let same = match (b, a) {
                (Some(x), Some(y)) => x == y,
                (None, None) => true,
                (Some(v), None) | (None, Some(v)) => v.is_null() || *v == Value::Array(Vec::new()),
            };
            (!same).then(|| FieldChange {
                field: k.clone(),
                before: b.cloned(),
                after: a.cloned(),
            })
        })
        .collect()
}
