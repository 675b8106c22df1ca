//! Metadata exchange against a store: a store's DHIS2 objects as the
//! [`Catalogue`] a metadata import checks against, and the
//! import's changes written back with the typed metadata the data import reads, in one
//! transaction.
//!
//! [`StoredCatalogue::load`] reads every DHIS2 object of the store into memory (an index by
//! UID, code and name per collection; a package of 50,000 org units and 5,000 data elements is
//! about 100 MB). Objects of the typed kinds that the store holds only in typed form (saved with
//! [`save_metadata`](crate::store::MetadataStore::save_metadata), or by a version of dxf2 that did not keep DHIS2 objects)
//! are made into DHIS2 objects with [`write_metadata`],
//! and written as objects by the next [`apply`](StoredCatalogue::apply). A store with no
//! metadata at all gets DHIS2's four default category objects, as a fresh DHIS2 server has.
//!
//! [`StoredCatalogue::view`] is the catalogue an import reads: it answers
//! [`has_data_values`](crate::metadata::catalogue::Catalogue::has_data_values) by asking the
//! store (one query of at most one row per question), so that DHIS2's vetoes (`E4030`, `E1120`)
//! see the data values.
//!
//! [`StoredCatalogue::apply`] writes an import's [`Changes`]: the created and updated objects
//! whole, the deleted ones removed, the objects of types not modelled kept as given (with a
//! generated UID when they have none, as DHIS2 gives one), and the typed metadata of the whole
//! resulting catalogue, read back with
//! [`read_metadata`], in one transaction.
//!
//! ```
//! use dxf2::metadata::import::{ImportParams, Session, Status};
//! use dxf2::metadata::read_json_str;
//! use dxf2::metadata_store::StoredCatalogue;
//! use dxf2::store::{MemoryStore, MetadataStore};
//!
//! let package = read_json_str(r#"{"organisationUnits": [
//!   {"id": "ImspTQPwCqd", "name": "Sierra Leone", "shortName": "SL", "openingDate": "1970-01-01"},
//!   {"id": "O6uvpzGd5pu", "name": "Bo", "shortName": "Bo", "openingDate": "1970-01-01",
//!    "parent": {"id": "ImspTQPwCqd"}}]}"#).unwrap().document;
//! let mut store = MemoryStore::new();
//! let mut stored = StoredCatalogue::load(&mut store).unwrap();
//! let result = {
//!     let view = stored.view(&mut store);
//!     let mut session = Session::new(&view, ImportParams::default());
//!     session.import(&package).unwrap();
//!     session.finish()
//! };
//! assert_eq!(result.report.status, Status::Ok);
//! stored.apply(&mut store, result.changes).unwrap();
//!
//! // The data import sees the org units, with their hierarchy.
//! let typed = store.load_metadata().unwrap();
//! assert_eq!(typed.org_units().len(), 2);
//! ```

use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::HashMap;

use dxf2_json::metadata::{read_metadata, write_metadata, MetadataError};
use dxf2_metadata::catalogue::{Catalogue, CatalogueError, MemoryCatalogue, Objects};
use dxf2_metadata::{Changes, Document, Object};
use dxf2_model::{Metadata, Uid};
use dxf2_store::{
    DataValueStore, ObjectChanges, ObjectStore, StoreError, StoredObject, ValueQuery,
};
use serde_json::Value;

/// Why a store's metadata could not be read or written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A stored object is not a JSON object.
    #[error("the store's metadata object {key} `{uid}` is not a JSON object: {message}")]
    StoredObject {
        /// Its collection key.
        key: String,
        /// Its UID.
        uid: String,
        /// What is wrong.
        message: String,
    },
    /// The typed metadata (what the data import reads) could not be made from the objects: the
    /// import is not written.
    #[error(
        "the metadata cannot be stored: the data import's catalogue cannot read it ({0}); \
         nothing was changed"
    )]
    Typed(#[source] MetadataError),
    /// The store's typed metadata could not be made into DHIS2 objects.
    #[error("the store's metadata could not be read as DHIS2 objects: {0}")]
    Adopt(String),
}

/// A store's DHIS2 objects, in memory, for metadata imports (see the [module docs](self)).
#[derive(Debug)]
pub struct StoredCatalogue {
    catalogue: MemoryCatalogue,
    /// Objects not stored as DHIS2 objects yet (made from typed metadata, or the defaults).
    adopted: Vec<(String, String)>,
    /// The typed data elements' UIDs: what the view asks the store's values about.
    data_elements: Vec<Uid>,
}

/// The UIDs of the typed metadata's data elements.
fn data_element_uids(typed: &Metadata) -> Vec<Uid> {
    typed.data_elements().iter().map(|d| d.id.uid).collect()
}

impl StoredCatalogue {
    /// Reads every DHIS2 object of `store` (see the [module docs](self)).
    pub fn load<S: ObjectStore + ?Sized>(store: &mut S) -> Result<StoredCatalogue, Error> {
        let mut catalogue = MemoryCatalogue::new();
        let mut bad = None;
        let mut held = 0usize;
        store.for_each_object(&mut |o: &StoredObject| {
            held += 1;
            match serde_json::from_str::<Object>(&o.json) {
                Ok(object) => {
                    catalogue.insert(&o.key, object);
                }
                Err(e) => {
                    if bad.is_none() {
                        bad = Some((o.key.clone(), o.uid.clone(), e.to_string()));
                    }
                }
            }
            Ok(())
        })?;
        if let Some((key, uid, message)) = bad {
            return Err(Error::StoredObject { key, uid, message });
        }
        let mut adopted = Vec::new();
        let typed = store.load_metadata()?;
        let mut base = if typed.is_empty() {
            MemoryCatalogue::with_dhis2_defaults().to_document()
        } else {
            typed_objects(&typed)?
        };
        for (key, objects) in std::mem::take(&mut base.types) {
            // The typed model keeps a user's authorities, not its roles: the roles written from
            // it are made up (a UID hashed from the authorities). A store holding DHIS2 objects
            // holds the real roles; adopting made-up ones would add a role per user.
            if key == "userRoles" && held > 0 {
                continue;
            }
            for object in objects {
                let Some(uid) = object.get("id").and_then(Value::as_str).map(str::to_owned) else {
                    continue;
                };
                if catalogue.get(&key, &uid).is_none() && catalogue.insert(&key, object) {
                    adopted.push((key.clone(), uid));
                }
            }
        }
        Ok(StoredCatalogue {
            catalogue,
            adopted,
            data_elements: data_element_uids(&typed),
        })
    }

    /// The objects, in memory.
    pub fn catalogue(&self) -> &MemoryCatalogue {
        &self.catalogue
    }

    /// How many objects came from the store's typed metadata (or are DHIS2's defaults) and are
    /// not stored as DHIS2 objects yet.
    pub fn adopted(&self) -> usize {
        self.adopted.len()
    }

    /// The catalogue an import reads: these objects, with data values asked of `store`.
    pub fn view<'a, S: DataValueStore + ?Sized>(&'a self, store: &'a mut S) -> StoreView<'a, S> {
        StoreView {
            catalogue: &self.catalogue,
            store: RefCell::new(store),
            data_elements: &self.data_elements,
        }
    }

    /// Writes `changes` (an import's, made against [`view`](StoredCatalogue::view); moved in,
    /// not copied) into
    /// `store` with the typed metadata of the resulting catalogue, in one transaction, and
    /// applies them here. Objects adopted from typed metadata are written too.
    ///
    /// On an error the store is unchanged and this catalogue is not: load it again.
    pub fn apply<S: ObjectStore + ?Sized>(
        &mut self,
        store: &mut S,
        mut changes: Changes,
    ) -> Result<(), Error> {
        // Objects of types not modelled get a UID when they have none, as DHIS2 gives one.
        for (_, objects) in &mut changes.unmodelled {
            for object in objects.iter_mut() {
                if !object.get("id").is_some_and(Value::is_string) {
                    object.insert("id".to_owned(), Value::String(Uid::generate().to_string()));
                }
            }
        }
        // Each object's JSON once, the last one of a (key, UID) kept.
        let mut put: Vec<StoredObject> = Vec::new();
        let mut at: HashMap<(String, String), usize> = HashMap::new();
        let mut push = |key: &str, object: &Object| {
            let Some(uid) = object.get("id").and_then(Value::as_str) else {
                return;
            };
            let Ok(json) = serde_json::to_string(object) else {
                return;
            };
            let slot = (key.to_owned(), uid.to_owned());
            match at.get(&slot) {
                Some(&i) => {
                    if let Some(p) = put.get_mut(i) {
                        p.json = json;
                    }
                }
                None => {
                    at.insert(slot, put.len());
                    put.push(StoredObject {
                        key: key.to_owned(),
                        uid: uid.to_owned(),
                        json,
                    });
                }
            }
        };
        for (key, uid) in &self.adopted {
            if let Some(object) = self.catalogue.get(key, uid) {
                push(key, object);
            }
        }
        for t in &changes.types {
            for object in t.created.iter().chain(&t.updated) {
                push(&t.key, object);
            }
        }
        for (key, objects) in &changes.unmodelled {
            for object in objects {
                push(key, object);
            }
        }
        let delete = changes
            .types
            .iter()
            .flat_map(|t| t.deleted.iter().map(|uid| (t.key.clone(), uid.clone())))
            .collect();
        // The objects move into the catalogue (no copy).
        self.catalogue.apply_owned(changes);
        let typed = typed_metadata(typed_document(&self.catalogue))?;
        store.apply_objects(&ObjectChanges { put, delete }, &typed)?;
        self.adopted.clear();
        self.data_elements = data_element_uids(&typed);
        Ok(())
    }
}

/// The collections the typed reader reads (the others are skipped by it anyway).
const TYPED_KEYS: [&str; 14] = [
    "organisationUnits",
    "dataElements",
    "categoryOptions",
    "categories",
    "categoryCombos",
    "categoryOptionCombos",
    "dataSets",
    "optionSets",
    "options",
    "attributes",
    "dataElementGroups",
    "organisationUnitGroups",
    "users",
    "userRoles",
];

/// Fields the typed reader does not read and that can be large (an org unit's geometry, every
/// object's translations): left out of the document the typed metadata is read from. For memory:
/// a 27 MB GeoJSON import kept every geometry three more times without this.
const UNTYPED_FIELDS: [&str; 2] = ["geometry", "translations"];

/// The catalogue's objects of the typed collections, without the fields the typed reader ignores.
fn typed_document(catalogue: &MemoryCatalogue) -> Document {
    let mut doc = Document::new();
    for key in TYPED_KEYS {
        let objects: Vec<Object> = catalogue
            .objects(key)
            .into_iter()
            .flatten()
            .filter_map(Result::ok)
            .map(|o| {
                o.iter()
                    .filter(|(field, _)| !UNTYPED_FIELDS.contains(&field.as_str()))
                    .map(|(field, value)| (field.clone(), value.clone()))
                    .collect()
            })
            .collect();
        if !objects.is_empty() {
            doc.types.push((key.to_owned(), objects));
        }
    }
    doc
}

/// The typed metadata of `doc`, as the data import reads it. References the typed reader
/// resolves within the document and that the catalogue does not hold are left out first: a
/// user's roles (a role not stored gives no authorities; DHIS2 imports such users too) and an
/// option set's options (an option not stored is not one of the set's options).
fn typed_metadata(mut doc: Document) -> Result<Metadata, Error> {
    let ids = |doc: &Document, key: &str| -> std::collections::HashSet<String> {
        doc.objects(key)
            .iter()
            .filter_map(|o| o.get("id").and_then(Value::as_str).map(str::to_owned))
            .collect()
    };
    let roles = ids(&doc, "userRoles");
    let options = ids(&doc, "options");
    let keep = |list: Option<&mut Value>, known: &std::collections::HashSet<String>| {
        if let Some(Value::Array(items)) = list {
            // An embedded object (more than an `id`) is read as it is.
            items.retain(|r| {
                r.as_object().is_none_or(|m| m.len() > 1)
                    || r.get("id")
                        .and_then(Value::as_str)
                        .is_none_or(|id| known.contains(id))
            });
        }
    };
    for (key, objects) in &mut doc.types {
        match key.as_str() {
            "users" => {
                for user in objects.iter_mut() {
                    keep(user.get_mut("userRoles"), &roles);
                    if let Some(Value::Object(credentials)) = user.get_mut("userCredentials") {
                        keep(credentials.get_mut("userRoles"), &roles);
                    }
                }
            }
            "optionSets" => {
                for set in objects.iter_mut() {
                    keep(set.get_mut("options"), &options);
                }
            }
            _ => {}
        }
    }
    let mut text = Vec::new();
    dxf2_metadata::write_json(&doc, &mut text)
        .map_err(|e| Error::Adopt(format!("writing the catalogue: {e}")))?;
    read_metadata(text.as_slice()).map_err(Error::Typed)
}

/// The DHIS2 objects of typed metadata.
fn typed_objects(typed: &Metadata) -> Result<Document, Error> {
    let mut text = Vec::new();
    write_metadata(typed, &mut text).map_err(|e| Error::Adopt(e.to_string()))?;
    dxf2_metadata::read_json(text.as_slice())
        .map(|parsed| parsed.document)
        .map_err(|e| Error::Adopt(e.to_string()))
}

/// A [`StoredCatalogue`]'s objects with data values asked of the store: what an import reads.
pub struct StoreView<'a, S: ?Sized> {
    catalogue: &'a MemoryCatalogue,
    store: RefCell<&'a mut S>,
    data_elements: &'a [Uid],
}

impl<S: DataValueStore + ?Sized> StoreView<'_, S> {
    /// Whether the store holds a value matching `query` (at most one row read).
    fn any(&self, mut query: ValueQuery) -> Result<bool, CatalogueError> {
        query.limit = Some(1);
        query.include_deleted = false;
        let mut found = false;
        self.store
            .borrow_mut()
            .query(&query, &mut |_| {
                found = true;
                Ok(())
            })
            .map_err(|e| CatalogueError::with_source("asking the store for data values", e))?;
        Ok(found)
    }
}

impl<S: DataValueStore + ?Sized> Catalogue for StoreView<'_, S> {
    fn object(&self, key: &str, uid: &str) -> Result<Option<Cow<'_, Object>>, CatalogueError> {
        self.catalogue.object(key, uid)
    }

    fn find(
        &self,
        key: &str,
        property: &str,
        value: &Value,
    ) -> Result<Option<String>, CatalogueError> {
        self.catalogue.find(key, property, value)
    }

    fn objects(&self, key: &str) -> Result<Objects<'_>, CatalogueError> {
        self.catalogue.objects(key)
    }

    fn keys(&self) -> Result<Vec<String>, CatalogueError> {
        self.catalogue.keys()
    }

    /// Data elements, org units and attribute option combos are asked of the store; a category
    /// option combo used as a value's category option combo, category combos and category
    /// options are not (the store's query has no such filter) and answer what the in-memory
    /// catalogue says.
    fn has_data_values(&self, key: &str, uid: &str) -> Result<bool, CatalogueError> {
        let Ok(parsed) = Uid::parse(uid) else {
            return Ok(false);
        };
        let query = match key {
            "dataElements" => ValueQuery {
                data_elements: vec![parsed],
                ..ValueQuery::default()
            },
            "organisationUnits" if !self.data_elements.is_empty() => ValueQuery {
                data_elements: self.data_elements.to_vec(),
                org_units: Some(vec![parsed]),
                ..ValueQuery::default()
            },
            "categoryOptionCombos" if !self.data_elements.is_empty() => ValueQuery {
                data_elements: self.data_elements.to_vec(),
                attribute_option_combos: vec![parsed],
                ..ValueQuery::default()
            },
            _ => return self.catalogue.has_data_values(key, uid),
        };
        Ok(self.any(query)? || self.catalogue.has_data_values(key, uid)?)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;
    use dxf2_metadata::import::{ImportParams, Session, Status};
    use dxf2_metadata::read_json_str;
    use dxf2_model::metadata::{Identity, OrganisationUnit};
    use dxf2_store::{MemoryStore, MetadataStore};

    fn uid(s: &str) -> Uid {
        Uid::parse(s).unwrap()
    }

    /// A package with a user and its role: imported once, reloaded, applied again, the store
    /// holds that role only (the typed model's made-up roles are not adopted).
    #[test]
    fn stored_roles_are_not_doubled_by_made_up_ones() {
        let mut store = MemoryStore::new();
        let package = read_json_str(
            r#"{"userRoles": [{"id": "DataEntry01", "name": "Data entry clerk",
                "authorities": ["F_DATAVALUE_ADD"]}],
               "users": [{"id": "KaClerk0001", "username": "clerk", "firstName": "K",
                "surname": "C", "userRoles": [{"id": "DataEntry01"}]}]}"#,
        )
        .unwrap()
        .document;
        for _ in 0..2 {
            let mut stored = StoredCatalogue::load(&mut store).unwrap();
            let result = {
                let view = stored.view(&mut store);
                let mut session = Session::new(&view, ImportParams::default());
                session.import(&package).unwrap();
                session.finish()
            };
            stored.apply(&mut store, result.changes).unwrap();
        }
        let mut roles = Vec::new();
        store
            .for_each_object(&mut |o| {
                if o.key == "userRoles" {
                    roles.push(o.uid.clone());
                }
                Ok(())
            })
            .unwrap();
        assert_eq!(roles, ["DataEntry01"]);
    }

    /// A store whose metadata was saved typed only (as by an older dxf2): the import sees it,
    /// and the next apply stores it as DHIS2 objects.
    #[test]
    fn typed_metadata_without_objects_is_adopted() {
        let mut store = MemoryStore::new();
        let mut typed = Metadata::new();
        let mut root = Identity::new(uid("ImspTQPwCqd"));
        root.name = Some("Sierra Leone".to_owned());
        typed.add_org_unit(OrganisationUnit::new(root, None));
        store.save_metadata(&typed).unwrap();

        let mut stored = StoredCatalogue::load(&mut store).unwrap();
        assert!(stored.adopted() >= 5, "the unit and the four defaults");
        assert!(stored
            .catalogue()
            .get("organisationUnits", "ImspTQPwCqd")
            .is_some());

        let package = read_json_str(
            r#"{"organisationUnits": [{"id": "O6uvpzGd5pu", "name": "Bo", "shortName": "Bo",
                "openingDate": "1970-01-01", "parent": {"id": "ImspTQPwCqd"}}]}"#,
        )
        .unwrap()
        .document;
        let result = {
            let view = stored.view(&mut store);
            let mut session = Session::new(&view, ImportParams::default());
            session.import(&package).unwrap();
            session.finish()
        };
        assert_eq!(result.report.status, Status::Ok, "{:?}", result.report);
        stored.apply(&mut store, result.changes).unwrap();
        assert_eq!(stored.adopted(), 0);

        let mut keys = Vec::new();
        store
            .for_each_object(&mut |o| {
                keys.push((o.key.clone(), o.uid.clone()));
                Ok(())
            })
            .unwrap();
        assert!(keys.contains(&("organisationUnits".to_owned(), "ImspTQPwCqd".to_owned())));
        assert!(keys.contains(&("organisationUnits".to_owned(), "O6uvpzGd5pu".to_owned())));
        let typed = store.load_metadata().unwrap();
        assert_eq!(typed.org_units().len(), 2);
        assert_eq!(
            typed.org_unit(&uid("O6uvpzGd5pu")).unwrap().parent,
            Some(uid("ImspTQPwCqd"))
        );
    }

    /// A deletion DHIS2 vetoes because data values are recorded against the object (E4030) is
    /// vetoed here too: the view asks the store.
    #[test]
    fn the_view_asks_the_store_for_data_values() {
        use chrono::{TimeZone, Utc};
        use dxf2_store::{DataValueKey, DataValueStoreExt, StoredValue};
        let mut store = MemoryStore::new();
        let mut stored = StoredCatalogue::load(&mut store).unwrap();
        let package = read_json_str(
            r#"{"dataElements": [{"id": "f7n9E0hX8qk", "name": "ANC 1", "shortName": "ANC1",
                "valueType": "INTEGER", "domainType": "AGGREGATE", "aggregationType": "SUM"}]}"#,
        )
        .unwrap()
        .document;
        let created = {
            let view = stored.view(&mut store);
            dxf2_metadata::import::import(&view, &package, &ImportParams::default()).unwrap()
        };
        stored.apply(&mut store, created.changes).unwrap();
        let key = DataValueKey {
            data_element: uid("f7n9E0hX8qk"),
            period: "202001".parse().unwrap(),
            org_unit: uid("DiszpKrYNg8"),
            category_option_combo: uid("HllvX50cXC0"),
            attribute_option_combo: uid("HllvX50cXC0"),
        };
        let mut row = StoredValue::empty(key, Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap());
        row.value = Some("3".to_owned());
        store.insert(&row).unwrap();
        let view = stored.view(&mut store);
        assert!(view.has_data_values("dataElements", "f7n9E0hX8qk").unwrap());
        let params = ImportParams {
            import_strategy: dxf2_metadata::import::ImportStrategy::Delete,
            ..ImportParams::default()
        };
        let deleted = dxf2_metadata::import::import(&view, &package, &params).unwrap();
        assert!(
            deleted
                .report
                .error_reports()
                .any(|e| e.error_code == "E4030"),
            "{:?}",
            deleted.report
        );
    }
}
