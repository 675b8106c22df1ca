//! Metadata objects in bundles: a hash per object (its JSON with keys sorted), which tells what
//! changed since the last bundle and makes the fingerprint of the objects the data refers to.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use crate::jobs::sha256_hex;

/// The collection keys of the objects a bundle's data refers to.
pub(super) const DATA_ELEMENTS: &str = "dataElements";
/// Org units.
pub(super) const ORG_UNITS: &str = "organisationUnits";
/// Category option combos (both a value's and its attribute option combo).
pub(super) const OPTION_COMBOS: &str = "categoryOptionCombos";
/// Data sets (of completions).
pub(super) const DATA_SETS: &str = "dataSets";

/// The objects a bundle's data refers to, by (collection key, UID).
pub(super) type Refs = BTreeSet<(&'static str, String)>;

/// An object's hash: the SHA-256 of its JSON with every object's keys sorted (the same object
/// stored by two stores hashes the same whatever its key order) and without its bookkeeping
/// fields ([`BOOKKEEPING`]), 32 hexadecimal digits. Text
/// that is not JSON is hashed as it is.
pub(super) fn object_hash(json: &str) -> String {
    match serde_json::from_str::<Value>(json) {
        Ok(value) => value_hash(&value),
        Err(_) => short_hash(json),
    }
}

/// The hash of an object already parsed (see [`object_hash`]).
pub(super) fn value_hash(value: &Value) -> String {
    let mut text = String::new();
    match value {
        Value::Object(map) if BOOKKEEPING.iter().any(|f| map.contains_key(*f)) => {
            let mut content = map.clone();
            for field in BOOKKEEPING {
                content.remove(field);
            }
            canonical(&Value::Object(content), &mut text);
        }
        other => canonical(other, &mut text),
    }
    short_hash(&text)
}

/// An object's bookkeeping fields, which every metadata import stamps (`created` and
/// `lastUpdated` are the time of the import into that store): left out of its hash, so that the
/// same content hashes the same in every store.
const BOOKKEEPING: [&str; 4] = ["created", "lastUpdated", "createdBy", "lastUpdatedBy"];

fn short_hash(text: &str) -> String {
    let mut hash = sha256_hex(text.as_bytes());
    hash.truncate(32);
    hash
}

/// `value` as JSON text with the keys of every object sorted.
fn canonical(value: &Value, out: &mut String) {
    match value {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            out.push('{');
            for (i, key) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String(key.clone()).to_string());
                out.push(':');
                if let Some(v) = map.get(key) {
                    canonical(v, out);
                }
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                canonical(item, out);
            }
            out.push(']');
        }
        other => out.push_str(&other.to_string()),
    }
}

/// The record id of an object's hash: `key/uid`.
pub(super) fn object_id(key: &str, uid: &str) -> String {
    format!("{key}/{uid}")
}

/// The fingerprint of the objects `refs` names, given each one's hash (`None`: the store does
/// not hold it as a DHIS2 object): SHA-256 over `key/uid hash` lines in (key, UID) order.
pub(super) fn fingerprint(refs: &Refs, hashes: &BTreeMap<String, String>) -> String {
    let mut text = String::new();
    for (key, uid) in refs {
        let id = object_id(key, uid);
        let hash = hashes.get(&id).map_or("-", String::as_str);
        text.push_str(&id);
        text.push(' ');
        text.push_str(hash);
        text.push('\n');
    }
    sha256_hex(text.as_bytes())
}

/// A DHIS2 metadata package of `collections` (collection key, objects as JSON text), keys in
/// the order given: `{"dataElements": [...], ...}`.
pub(super) fn package(collections: &[(String, Vec<String>)]) -> Vec<u8> {
    let mut out = String::from("{");
    for (i, (key, objects)) in collections.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&Value::String(key.clone()).to_string());
        out.push_str(":[");
        out.push_str(&objects.join(","));
        out.push(']');
    }
    out.push_str("}\n");
    out.into_bytes()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn key_order_does_not_change_the_hash() {
        let a = object_hash(r#"{"id":"a","name":"A","x":{"b":1,"a":[2,{"d":1,"c":2}]}}"#);
        let b = object_hash(r#"{"x":{"a":[2,{"c":2,"d":1}],"b":1},"name":"A","id":"a"}"#);
        assert_eq!(a, b);
        assert_eq!(a.len(), 32);
        assert_ne!(a, object_hash(r#"{"id":"a","name":"B"}"#));
        assert_eq!(
            object_hash(r#"{"id":"a","created":"2024-01-01T00:00:00.000","lastUpdated":"x"}"#),
            object_hash(r#"{"id":"a","lastUpdated":"2025-01-01T00:00:00.000"}"#)
        );
    }

    #[test]
    fn packages_are_metadata_json() {
        let text = package(&[
            ("dataElements".into(), vec![r#"{"id":"a"}"#.into()]),
            (
                "organisationUnits".into(),
                vec![r#"{"id":"b"}"#.into(), r#"{"id":"c"}"#.into()],
            ),
        ]);
        let value: Value = serde_json::from_slice(&text).unwrap();
        assert_eq!(value["organisationUnits"][1]["id"], "c");
    }
}
