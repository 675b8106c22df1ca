//! What every class reader shares: the class, the version, the UID generator, the catalogue
//! (with DHIS2's per-request caches), and the helpers that turn a row's values into JSON.

use std::collections::HashMap;

use dxf2_model::date::parse_medium_date;
use serde_json::{json, Value};

use super::enums::JavaEnum;
use super::error::excerpt;
use super::records::Row;
use super::{ClassKey, CsvError, Lookup, UidGenerator};
use crate::Object;

/// The state of one read.
pub(crate) struct Ctx<'a> {
    pub(crate) class: ClassKey,
    /// The DHIS2 2.x minor version read for.
    pub(crate) minor: u32,
    uids: &'a mut UidGenerator,
    lookup: &'a dyn Lookup,
    /// Catalogue answers, by (collection, "id"/"code", value): DHIS2 asks its database once per
    /// value and read.
    cache: HashMap<(&'static str, &'static str, String), Option<Object>>,
}

impl<'a> Ctx<'a> {
    pub(crate) fn new(
        class: ClassKey,
        minor: u32,
        uids: &'a mut UidGenerator,
        lookup: &'a dyn Lookup,
    ) -> Ctx<'a> {
        Ctx {
            class,
            minor,
            uids,
            lookup,
            cache: HashMap::new(),
        }
    }

    /// A fresh UID (`CodeGenerator.generateUid()`).
    pub(crate) fn new_uid(&mut self) -> String {
        self.uids.next_uid().as_str().to_owned()
    }

    /// The stored object of collection `key` with UID `uid`.
    pub(crate) fn stored_by_uid(&mut self, key: &'static str, uid: &str) -> Option<Object> {
        let lookup = self.lookup;
        self.cache
            .entry((key, "id", uid.to_owned()))
            .or_insert_with(|| lookup.by_uid(key, uid))
            .clone()
    }

    /// The stored object of collection `key` with code `code`.
    pub(crate) fn stored_by_code(&mut self, key: &'static str, code: &str) -> Option<Object> {
        let lookup = self.lookup;
        self.cache
            .entry((key, "code", code.to_owned()))
            .or_insert_with(|| lookup.by_code(key, code))
            .clone()
    }

    /// DHIS2's `setIdentifiableObject`: column 0 the name (230), 1 the uid (11; a new UID when
    /// blank), 2 the code (50). Returns the object and its name.
    pub(crate) fn identifiable(&mut self, row: &Row) -> (Object, Option<String>) {
        let mut object = Object::new();
        let name = row.get(0, Some(230));
        let uid = match row.get(1, Some(11)) {
            Some(uid) => uid,
            None => self.new_uid(),
        };
        put(&mut object, "name", name.clone());
        object.insert("id".to_owned(), Value::String(uid));
        put(&mut object, "code", row.get(2, Some(50)));
        (object, name)
    }

    /// A column read with a Java enum's `valueOf` (default when blank, cut to `max` first): a
    /// value that is no constant of the version read for fails the read.
    pub(crate) fn enum_value(
        &self,
        row: &Row,
        index: usize,
        default: &str,
        max: usize,
        field: &'static str,
        java: &JavaEnum,
    ) -> Result<String, CsvError> {
        let value = row.get_or(index, default, Some(max));
        if java.has(self.minor, &value) {
            return Ok(value);
        }
        Err(CsvError::InvalidEnum {
            class: self.class,
            line: row.line,
            column: index + 1,
            field,
            kind: java.kind,
            java_class: java.java_class,
            expected: java.constants(self.minor),
            value: excerpt(&value),
        })
    }

    /// A `yyyy-MM-dd` column (`DateUtils.toMediumDate`), written as DHIS2 writes dates in JSON
    /// (`yyyy-MM-dd'T'HH:mm:ss.SSS`); `None` when blank without a default.
    pub(crate) fn date(
        &self,
        row: &Row,
        index: usize,
        default: Option<&str>,
        field: &'static str,
    ) -> Result<Option<String>, CsvError> {
        let Some(text) = row.get(index, None).or_else(|| default.map(str::to_owned)) else {
            return Ok(None);
        };
        match parse_medium_date(&text) {
            Ok(date) => Ok(Some(date.format("%Y-%m-%dT00:00:00.000").to_string())),
            Err(_) => Err(CsvError::InvalidDate {
                class: self.class,
                line: row.line,
                column: index + 1,
                field,
                value: excerpt(&text),
            }),
        }
    }
}

/// Sets `key` to the string `value`, or leaves it out when `None` (DHIS2 writes no nulls).
pub(crate) fn put(object: &mut Object, key: &str, value: Option<String>) {
    if let Some(v) = value {
        object.insert(key.to_owned(), Value::String(v));
    }
}

/// A reference as DHIS2 writes it: `{"id": uid}`.
pub(crate) fn reference(uid: &str) -> Value {
    json!({ "id": uid })
}

/// The `id` of a stored object, when it has one.
pub(crate) fn id_of(object: &Object) -> Option<&str> {
    object.get("id").and_then(Value::as_str)
}
