//! [`Lookup`]: the catalogue view the membership and option classes need.

use crate::{Document, Object};

/// What the catalogue (the store an import goes into) holds, as DHIS2's CSV reader asks its
/// database: the membership classes look their group up (a row whose group is not stored is
/// dropped), `OPTION_GROUP` and `OPTION_GROUP_SET` their option set (and its options),
/// `INDICATOR` its indicator type.
///
/// Objects come back as DHIS2 writes them in metadata JSON (`id`, `code`, `name`, references as
/// `{"id": …}`). The reader asks for: `dataElementGroups`, `indicatorGroups`,
/// `organisationUnitGroups`, `optionGroupSets`, `indicatorTypes` and `options` by UID, and
/// `optionSets` by UID or code.
///
/// A [`Document`] is a lookup (its objects by `id` and `code`); [`NoLookup`] is an empty
/// catalogue.
pub trait Lookup {
    /// The stored object of collection `key` (e.g. `dataElementGroups`) whose UID is `uid`.
    fn by_uid(&self, key: &str, uid: &str) -> Option<Object>;

    /// The stored object of collection `key` whose code is `code`.
    fn by_code(&self, key: &str, code: &str) -> Option<Object>;
}

/// Any [`Catalogue`](crate::catalogue::Catalogue) (a store's objects) as a lookup; a
/// catalogue failure reads as "not stored".
#[derive(Clone, Copy, Debug)]
pub struct CatalogueLookup<'a, C: ?Sized>(pub &'a C);

impl<C: crate::catalogue::Catalogue + ?Sized> Lookup for CatalogueLookup<'_, C> {
    fn by_uid(&self, key: &str, uid: &str) -> Option<Object> {
        self.0
            .object(key, uid)
            .ok()
            .flatten()
            .map(|o| o.into_owned())
    }
    fn by_code(&self, key: &str, code: &str) -> Option<Object> {
        let uid = self
            .0
            .find(key, "code", &serde_json::Value::String(code.to_owned()))
            .ok()
            .flatten()?;
        self.by_uid(key, &uid)
    }
}

/// An empty catalogue: every membership row is dropped, as on an empty DHIS2 database.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoLookup;

impl Lookup for NoLookup {
    fn by_uid(&self, _key: &str, _uid: &str) -> Option<Object> {
        None
    }

    fn by_code(&self, _key: &str, _code: &str) -> Option<Object> {
        None
    }
}

impl Lookup for Document {
    fn by_uid(&self, key: &str, uid: &str) -> Option<Object> {
        find(self, key, "id", uid)
    }

    fn by_code(&self, key: &str, code: &str) -> Option<Object> {
        find(self, key, "code", code)
    }
}

impl<L: Lookup + ?Sized> Lookup for &L {
    fn by_uid(&self, key: &str, uid: &str) -> Option<Object> {
        (**self).by_uid(key, uid)
    }

    fn by_code(&self, key: &str, code: &str) -> Option<Object> {
        (**self).by_code(key, code)
    }
}

fn find(document: &Document, key: &str, field: &str, value: &str) -> Option<Object> {
    document
        .objects(key)
        .iter()
        .find(|o| o.get(field).and_then(|v| v.as_str()) == Some(value))
        .cloned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_document_is_a_lookup_by_id_and_code() {
        let mut doc = Document::new();
        let set = json!({"id": "xmRubJIhmaK", "code": "OSA", "name": "A"});
        if let serde_json::Value::Object(o) = set {
            doc.push("optionSets", o);
        }
        let by_uid = doc.by_uid("optionSets", "xmRubJIhmaK");
        assert_eq!(
            by_uid.and_then(|o| o.get("code").cloned()),
            Some(json!("OSA"))
        );
        assert!(doc.by_code("optionSets", "OSA").is_some());
        assert!(doc.by_code("options", "OSA").is_none());
        assert!(NoLookup.by_uid("optionSets", "xmRubJIhmaK").is_none());
    }
}
