//! [`Document`]: metadata objects grouped by type, as in a DHIS2 metadata JSON document.

/// One metadata object as DHIS2 writes it: a JSON object whose fields are kept as read (a
/// repeated key keeps its last value, as Jackson does).
pub type Object = serde_json::Map<String, serde_json::Value>;

/// A metadata document: its objects grouped by their type's collection key (`dataElements`,
/// `organisationUnits`, …), the groups in the order they came in, and the objects of each group
/// in payload order; plus the document's `system` header, if any.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Document {
    /// The `system` header (`id`, `rev`, `version`, `date`), kept as read.
    pub system: Option<Object>,
    /// `(collection key, objects)` in the order the keys came in.
    pub types: Vec<(String, Vec<Object>)>,
}

impl Document {
    /// An empty document.
    pub fn new() -> Document {
        Document::default()
    }

    /// The objects of collection `key` (empty when there are none).
    pub fn objects(&self, key: &str) -> &[Object] {
        self.types
            .iter()
            .find(|(k, _)| k == key)
            .map_or(&[][..], |(_, objects)| objects.as_slice())
    }

    /// Appends `object` to collection `key` (created after the others when new).
    pub fn push(&mut self, key: &str, object: Object) {
        match self.types.iter_mut().find(|(k, _)| k == key) {
            Some((_, objects)) => objects.push(object),
            None => self.types.push((key.to_owned(), vec![object])),
        }
    }

    /// Number of objects in all collections.
    pub fn len(&self) -> usize {
        self.types.iter().map(|(_, o)| o.len()).sum()
    }

    /// Whether the document holds no object.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
