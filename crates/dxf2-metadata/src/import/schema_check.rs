//! The schema check (`SchemaCheck`, `DefaultSchemaValidator`: `E4000` required, `E4001` length,
//! `E4003` e-mail, `E4004` URL) and the uniqueness check (`UniquenessCheck`: `E5003`).

use std::collections::HashMap;

use serde_json::Value;

use super::bundle::{identifier_for, key_of, with_name, Bundle};
use super::message::Arg;
use super::params::Identifier;
use super::report::ErrorReport;
use super::validate::Ctx;
use crate::catalogue::{index_key, Catalogue};
use crate::error::Error;
use crate::schema::{Kind, DEFAULT_CLASSES};

/// `E4000`/`E4001`/`E4003`/`E4004` on every selected object, property by property.
pub(crate) fn schema<C: ?Sized>(b: &Bundle<'_, C>, t: usize, selected: &[usize], ctx: &mut Ctx) {
    let Some(tb) = b.types.get(t) else { return };
    let klass = tb.schema.klass;
    for &i in selected {
        let Some(item) = tb.items.get(i) else {
            continue;
        };
        let mut errors = Vec::new();
        for p in tb.schema.properties {
            if !p.is_owner() {
                continue;
            }
            let value = item.object.get(p.name).filter(|v| !v.is_null());
            let Some(value) = value else {
                let default_class = p.target().is_some_and(|t| DEFAULT_CLASSES.contains(&t));
                if p.is_required(b.minor()) && !default_class {
                    errors.push(
                        ErrorReport::new(klass, "E4000", &[p.name.into()], b.minor())
                            .error_klass(Some(p.java))
                            .error_property(p.name),
                    );
                }
                continue;
            };
            let Value::String(s) = value else { continue };
            if s.is_empty() {
                continue;
            }
            let length = s.encode_utf16().count();
            if let Some(max) = p.max_length.filter(|m| length > *m) {
                errors.push(
                    ErrorReport::new(
                        klass,
                        "E4001",
                        &[p.name.into(), Arg::from(max), Arg::from(length)],
                        b.minor(),
                    )
                    .error_klass(Some(p.java))
                    .error_property(p.name),
                );
                continue;
            }
            let code = match p.kind {
                Kind::Email if !email_is_valid(s) => Some("E4003"),
                Kind::Url if !(s.starts_with("http://") || s.starts_with("https://")) => {
                    Some("E4004")
                }
                _ => None,
            };
            if let Some(code) = code {
                errors.push(
                    ErrorReport::new(klass, code, &[p.name.into(), s.as_str().into()], b.minor())
                        .error_klass(Some(p.java))
                        .error_property(p.name),
                );
            }
        }
        if !errors.is_empty() {
            ctx.reject(b, t, i, errors);
        }
    }
}

/// DHIS2's `ValidationUtils#emailIsValid` (Apache Commons' e-mail validator), in outline: one
/// `@`, a non-empty local part without spaces, a domain with a dot.
fn email_is_valid(s: &str) -> bool {
    let Some((local, domain)) = s.rsplit_once('@') else {
        return false;
    };
    !local.is_empty()
        && !local.contains(char::is_whitespace)
        && !domain.contains(char::is_whitespace)
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
}

/// `E5003`: a unique property's value already held by another object — in the target, or earlier
/// in the payload (persisted objects first, then new ones). The first holder wins.
pub(crate) fn uniqueness<C: Catalogue + ?Sized>(
    b: &Bundle<'_, C>,
    t: usize,
    selected: &[usize],
    ctx: &mut Ctx,
) -> Result<(), Error> {
    let Some(tb) = b.types.get(t) else {
        return Ok(());
    };
    let schema = tb.schema;
    let identifier = identifier_for(b.params, schema);
    // (property, value) → identifier of its holder.
    let mut holders: HashMap<(&'static str, String), String> = HashMap::new();
    for &i in selected {
        let Some(item) = tb.items.get(i) else {
            continue;
        };
        let own = key_of(identifier, &item.object)
            .unwrap_or_default()
            .to_owned();
        let mut errors = Vec::new();
        for p in schema
            .properties
            .iter()
            .filter(|p| p.unique && p.is_simple())
        {
            let Some(value) = item.object.get(p.name).filter(|v| !v.is_null()) else {
                continue;
            };
            let Some(key) = index_key(value) else {
                continue;
            };
            let slot = (p.name, key);
            let holder = match holders.get(&slot) {
                Some(h) => Some(h.clone()),
                None => match b.cat.find(schema.key, p.name, value)? {
                    Some(uid) => {
                        let h = stored_identifier(b, schema.key, &uid, identifier)?;
                        holders.insert(slot.clone(), h.clone());
                        Some(h)
                    }
                    None => None,
                },
            };
            match holder {
                Some(h) if h != own => {
                    errors.push(
                        ErrorReport::new(
                            schema.klass,
                            "E5003",
                            &[
                                p.name.into(),
                                Arg::Str(index_key(value).unwrap_or_default()),
                                with_name(identifier, &item.object, schema.simple_name()).into(),
                                h.as_str().into(),
                            ],
                            b.minor(),
                        )
                        .main_id(Some(&h))
                        .error_property(p.name),
                    );
                }
                Some(_) => {}
                None => {
                    holders.insert(slot, own.clone());
                }
            }
        }
        if !errors.is_empty() {
            ctx.reject(b, t, i, errors);
        }
    }
    Ok(())
}

/// The identifier (UID, or code under `identifier=CODE`) of a stored object.
fn stored_identifier<C: Catalogue + ?Sized>(
    b: &Bundle<'_, C>,
    key: &str,
    uid: &str,
    identifier: Identifier,
) -> Result<String, Error> {
    if identifier == Identifier::Code {
        if let Some(o) = b.cat.object(key, uid)? {
            return Ok(super::bundle::text(&o, "code")
                .unwrap_or_default()
                .to_owned());
        }
    }
    Ok(uid.to_owned())
}

#[cfg(test)]
mod tests {
    use super::email_is_valid;

    #[test]
    fn emails() {
        assert!(email_is_valid("a.b@example.org"));
        assert!(!email_is_valid("a.b@example"));
        assert!(!email_is_valid("nobody"));
        assert!(!email_is_valid("a b@example.org"));
    }
}
