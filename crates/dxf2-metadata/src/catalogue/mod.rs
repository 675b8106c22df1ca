//! [`Catalogue`]: what the import's target holds — metadata objects by type and UID, found by
//! code and by name — so that a store can provide it; [`MemoryCatalogue`] holds it in memory.
//!
//! ```
//! use dxf2_metadata::catalogue::{Catalogue, MemoryCatalogue};
//! use serde_json::json;
//!
//! let mut cat = MemoryCatalogue::with_dhis2_defaults();
//! cat.insert("dataElements", json!({"id": "f7n9E0hX8qk", "code": "ANC1", "name": "ANC 1st visit"})
//!     .as_object().unwrap().clone());
//! assert_eq!(cat.find("dataElements", "code", &json!("ANC1")).unwrap().as_deref(), Some("f7n9E0hX8qk"));
//! assert_eq!(cat.find("categoryCombos", "name", &json!("default")).unwrap().as_deref(), Some("bjDvmb4bfuf"));
//! ```

mod memory;
mod overlay;

use std::borrow::Cow;
use std::fmt;

use serde_json::Value;

use crate::document::Object;

pub use memory::MemoryCatalogue;
pub(crate) use overlay::Overlay;

/// A failure of the catalogue's backing store.
#[derive(Debug)]
pub struct CatalogueError {
    message: String,
    source: Option<Box<dyn std::error::Error + Send + Sync + 'static>>,
}

impl CatalogueError {
    /// An error with a message.
    pub fn new(message: impl Into<String>) -> CatalogueError {
        CatalogueError {
            message: message.into(),
            source: None,
        }
    }

    /// An error with a message and its cause.
    pub fn with_source(
        message: impl Into<String>,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> CatalogueError {
        CatalogueError {
            message: message.into(),
            source: Some(Box::new(source)),
        }
    }
}

impl fmt::Display for CatalogueError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "metadata catalogue: {}", self.message)?;
        if let Some(source) = &self.source {
            write!(f, ": {source}")?;
        }
        Ok(())
    }
}

impl std::error::Error for CatalogueError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_deref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}

/// The objects of one type, one at a time.
pub type Objects<'a> = Box<dyn Iterator<Item = Result<Cow<'a, Object>, CatalogueError>> + 'a>;

/// What the import's target holds: metadata objects as DHIS2 writes them (`{"id": …}`
/// references), by collection key (`dataElements`) and UID.
///
/// A store implements the four required methods; lookups by `code` and `name` should use an
/// index (DHIS2's preheat finds objects by identifier in batches; an import asks one object at a
/// time).
pub trait Catalogue {
    /// The object of collection `key` with UID `uid`.
    fn object(&self, key: &str, uid: &str) -> Result<Option<Cow<'_, Object>>, CatalogueError>;

    /// The UID of an object of collection `key` whose `property` equals `value` (`id`, `code`,
    /// `name`, `shortName`, or another unique property such as an org unit level's `level`); the
    /// first one in the catalogue's order when several match. Imports ask for `id`, `code`,
    /// `name` and `shortName` once per payload object: those should be indexed.
    fn find(
        &self,
        key: &str,
        property: &str,
        value: &Value,
    ) -> Result<Option<String>, CatalogueError>;

    /// Every object of collection `key`, in a stable order.
    fn objects(&self, key: &str) -> Result<Objects<'_>, CatalogueError>;

    /// The collection keys that hold objects, in a stable order.
    fn keys(&self) -> Result<Vec<String>, CatalogueError>;

    /// Whether data values are recorded against the object: a data element or org unit (its
    /// values), a category option combo (values with it as category or attribute option combo),
    /// a category combo or category option (values with one of its option combos). DHIS2 then
    /// refuses a data element's value type change (`E1120`/`E1121`) and vetoes deletions
    /// (`E4030`). A catalogue without data answers `false` (the default).
    fn has_data_values(&self, key: &str, uid: &str) -> Result<bool, CatalogueError> {
        let _ = (key, uid);
        Ok(false)
    }
}

impl<C: Catalogue + ?Sized> Catalogue for &C {
    fn object(&self, key: &str, uid: &str) -> Result<Option<Cow<'_, Object>>, CatalogueError> {
        (**self).object(key, uid)
    }
    fn find(
        &self,
        key: &str,
        property: &str,
        value: &Value,
    ) -> Result<Option<String>, CatalogueError> {
        (**self).find(key, property, value)
    }
    fn objects(&self, key: &str) -> Result<Objects<'_>, CatalogueError> {
        (**self).objects(key)
    }
    fn keys(&self) -> Result<Vec<String>, CatalogueError> {
        (**self).keys()
    }
    fn has_data_values(&self, key: &str, uid: &str) -> Result<bool, CatalogueError> {
        (**self).has_data_values(key, uid)
    }
}

/// The text form of a property value used as an index key: strings as they are, other scalars
/// in their JSON form; objects and arrays are not indexed.
pub(crate) fn index_key(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// The properties a catalogue indexes (the others are found by a scan).
pub(crate) const INDEXED: [&str; 3] = ["code", "name", "shortName"];
