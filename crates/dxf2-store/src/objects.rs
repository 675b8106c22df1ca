//! [`ObjectChanges`]: what a metadata import changes in a store's DHIS2 objects (kept whole, as
//! JSON text, by collection key and UID), for [`ObjectStore::apply_objects`](crate::ObjectStore::apply_objects).

/// One DHIS2 metadata object as a store keeps it: its collection key (`dataElements`), UID and
/// JSON text (the object as DHIS2 writes it, `{"id": …}` references included).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredObject {
    /// The collection key (`organisationUnits`, `dataElements`, `validationRules`, …).
    pub key: String,
    /// The object's UID (its `id`).
    pub uid: String,
    /// The whole object as JSON text.
    pub json: String,
}

/// Objects to put (created, or replacing the stored object of the same key and UID) and to
/// delete, applied in that order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ObjectChanges {
    /// Objects created or replaced.
    pub put: Vec<StoredObject>,
    /// (collection key, UID) of objects deleted; deleting an object the store does not hold
    /// changes nothing.
    pub delete: Vec<(String, String)>,
}

impl ObjectChanges {
    /// No changes.
    pub fn new() -> ObjectChanges {
        ObjectChanges::default()
    }

    /// Whether nothing changes.
    pub fn is_empty(&self) -> bool {
        self.put.is_empty() && self.delete.is_empty()
    }
}
