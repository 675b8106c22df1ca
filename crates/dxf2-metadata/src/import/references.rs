//! The references check (`ReferencesCheck`): every owner reference, also inside embedded
//! objects, must resolve against the payload or the target (`E5002`; references to the target's
//! default objects always do); a collection must not list an object twice (`E5007`); attribute
//! values must name existing attributes and sharing existing user groups and users (`E5002`,
//! unless `skipSharing`).
//!
//! The object is not rejected: invalid references are dropped from collections here and left
//! out of single references when the object is stored. The type's `ignored` count grows by one
//! when any object has an error and the atomic mode is `ALL`, as in DHIS2.
//!
//! One deliberate difference: for a reference inside an embedded object that is not itself
//! identifiable (a data set element), DHIS2's message arguments are malformed (a Java `Property`
//! dump and an array's hash code); this writes `Invalid reference [uid] (DataElement) on object
//! DataSetElement for association `dataElement``.

use serde_json::Value;

use super::bundle::{with_name, Bundle};
use super::message::Arg;
use super::params::{AtomicMode, Identifier};
use super::report::{ErrorReport, ObjectReport};
use super::validate::Ctx;
use crate::catalogue::Catalogue;
use crate::document::Object;
use crate::error::Error;
use crate::schema::{self, Embedded, Kind, Property};

/// An edit to make after the check: drop entries of a collection.
struct Drop {
    item: usize,
    path: Vec<PathStep>,
    positions: Vec<usize>,
}

#[derive(Clone)]
enum PathStep {
    Field(&'static str),
    Index(usize),
}

pub(crate) fn check<C: Catalogue + ?Sized>(
    b: &mut Bundle<'_, C>,
    t: usize,
    objects: &[usize],
    ctx: &mut Ctx,
) -> Result<(), Error> {
    let Some(tb) = b.types.get(t) else {
        return Ok(());
    };
    let schema = tb.schema;
    let identifier = b.params.identifier;
    let mut drops = Vec::new();
    let mut any = false;
    for &i in objects {
        let Some(item) = tb.items.get(i) else {
            continue;
        };
        let mut errors = Vec::new();
        let owner = Owner::Object {
            object: &item.object,
            simple: schema.simple_name(),
            klass: schema.klass,
            uid: &item.uid,
        };
        check_properties(
            b,
            schema.properties,
            &item.object,
            &owner,
            identifier,
            &mut errors,
            &mut |path, positions| {
                drops.push(Drop {
                    item: i,
                    path,
                    positions,
                })
            },
            &[],
        )?;
        if schema.attribute_flag.is_some() || item.object.contains_key("attributeValues") {
            for (attribute, _) in super::jackson::attribute_values(&item.object) {
                if b.resolve_uid("attributes", &attribute)?.is_none() {
                    errors.push(ErrorReport::new(
                        schema.klass,
                        "E5002",
                        &[
                            attribute.as_str().into(),
                            with_name(identifier, &item.object, schema.simple_name()).into(),
                            "attributeValues".into(),
                        ],
                        b.minor(),
                    ));
                }
            }
        }
        if schema.shareable && !b.params.skip_sharing {
            check_sharing(
                b,
                &item.object,
                schema.klass,
                schema.simple_name(),
                &mut errors,
            )?;
        }
        if !errors.is_empty() {
            any = true;
            let mut report = ObjectReport::new(
                schema.klass,
                item.index,
                Some(&item.uid),
                super::bundle::display_name(&item.object).as_deref(),
            );
            for e in errors {
                report.add(e);
            }
            ctx.report.add_object_report(report);
        }
    }
    if any && b.params.atomic_mode == AtomicMode::All {
        ctx.report.stats.ignored += 1;
    }
    if let Some(tb) = b.types.get_mut(t) {
        for d in drops {
            if let Some(item) = tb.items.get_mut(d.item) {
                drop_entries(&mut item.object, &d.path, &d.positions);
            }
        }
    }
    Ok(())
}

/// `{"id": uid}`.
pub(crate) fn uid_ref(uid: &str) -> Object {
    let mut o = Object::new();
    o.insert("id".into(), Value::String(uid.to_owned()));
    o
}

/// Who holds the references being checked: the object, or an object embedded in it.
enum Owner<'o> {
    Object {
        object: &'o Object,
        simple: &'static str,
        klass: &'static str,
        uid: &'o str,
    },
    Embedded {
        object: &'o Object,
        embedded: &'static Embedded,
    },
}

#[allow(clippy::too_many_arguments)]
fn check_properties<C: Catalogue + ?Sized>(
    b: &Bundle<'_, C>,
    properties: &'static [Property],
    object: &Object,
    owner: &Owner<'_>,
    identifier: Identifier,
    errors: &mut Vec<ErrorReport>,
    drop: &mut dyn FnMut(Vec<PathStep>, Vec<usize>),
    path: &[PathStep],
) -> Result<(), Error> {
    for p in properties {
        let Some(value) = object.get(p.name) else {
            continue;
        };
        if credentials_unchecked(b, owner, p) {
            continue;
        }
        match p.kind {
            Kind::Reference(target) => {
                if let Value::Object(r) = value {
                    if b.resolve(target, r)?.is_none() {
                        errors.push(error(b, "E5002", owner, identifier, target, r, p, false));
                    }
                }
            }
            Kind::References(target) => {
                let Value::Array(items) = value else { continue };
                let mut bad = Vec::new();
                for (pos, entry) in items.iter().enumerate() {
                    let Value::Object(r) = entry else { continue };
                    if b.is_default_ref(target, r) {
                        continue;
                    }
                    if b.resolve(target, r)?.is_none() {
                        errors.push(error(b, "E5002", owner, identifier, target, r, p, true));
                        bad.push(pos);
                    }
                }
                for r in duplicates(items) {
                    errors.push(error(b, "E5007", owner, identifier, target, r, p, true));
                }
                if !bad.is_empty() {
                    let mut at = path.to_vec();
                    at.push(PathStep::Field(p.name));
                    drop(at, bad);
                }
            }
            Kind::Embedded(e) => {
                if let Value::Object(inner) = value {
                    let mut at = path.to_vec();
                    at.push(PathStep::Field(p.name));
                    let owner = Owner::Embedded {
                        object: inner,
                        embedded: e,
                    };
                    check_properties(
                        b,
                        e.properties,
                        inner,
                        &owner,
                        identifier,
                        errors,
                        drop,
                        &at,
                    )?;
                }
            }
            Kind::EmbeddedList(e) => {
                if let Value::Array(list) = value {
                    for (pos, entry) in list.iter().enumerate() {
                        if let Value::Object(inner) = entry {
                            let mut at = path.to_vec();
                            at.push(PathStep::Field(p.name));
                            at.push(PathStep::Index(pos));
                            let owner = Owner::Embedded {
                                object: inner,
                                embedded: e,
                            };
                            check_properties(
                                b,
                                e.properties,
                                inner,
                                &owner,
                                identifier,
                                errors,
                                drop,
                                &at,
                            )?;
                        }
                    }
                }
            }
            _ => {}
        }
    }
    Ok(())
}

/// Up to DHIS2 2.37 a user's roles and dimension constraints sat in its `userCredentials`, whose
/// references DHIS2's check skipped.
fn credentials_unchecked<C: ?Sized>(b: &Bundle<'_, C>, owner: &Owner<'_>, p: &Property) -> bool {
    matches!(
        owner,
        Owner::Object {
            klass: "org.hisp.dhis.user.User",
            ..
        }
    ) && b.minor() <= 37
        && [
            "userRoles",
            "catDimensionConstraints",
            "cogsDimensionConstraints",
        ]
        .contains(&p.name)
}

/// The references listed more than once (by DHIS2's equality: UID, code and name), each once.
fn duplicates(items: &[Value]) -> Vec<&Object> {
    let key = |o: &'_ Object| -> (Option<String>, Option<String>, Option<String>) {
        (
            super::bundle::text(o, "id").map(str::to_owned),
            super::bundle::text(o, "code").map(str::to_owned),
            super::bundle::text(o, "name").map(str::to_owned),
        )
    };
    let mut seen = std::collections::HashSet::new();
    let mut reported = std::collections::HashSet::new();
    let mut dups: Vec<&Object> = Vec::new();
    for entry in items {
        let Value::Object(o) = entry else { continue };
        let k = key(o);
        if !seen.insert(k.clone()) && reported.insert(k) {
            dups.push(o);
        }
    }
    dups
}

#[allow(clippy::too_many_arguments)]
fn error<C: ?Sized>(
    b: &Bundle<'_, C>,
    code: &str,
    owner: &Owner<'_>,
    identifier: Identifier,
    target: &str,
    reference: &Object,
    p: &Property,
    collection: bool,
) -> ErrorReport {
    let target_simple = schema::by_key(target).map_or(target, |t| t.simple_name());
    let reference_text = with_name(identifier, reference, target_simple);
    let item_klass = if collection {
        schema::by_key(target).map(|t| t.klass)
    } else {
        None
    };
    match owner {
        Owner::Object {
            object,
            simple,
            klass,
            uid,
        } => ErrorReport::new(
            klass,
            code,
            &[
                reference_text.into(),
                with_name(identifier, object, simple).into(),
                p.item.into(),
            ],
            b.minor(),
        )
        .main_id(Some(uid))
        .error_property(p.item)
        .error_klass(item_klass),
        Owner::Embedded { object, embedded } if embedded.identifiable => ErrorReport::new(
            embedded.klass,
            code,
            &[
                reference_text.into(),
                with_name(identifier, object, embedded.simple_name()).into(),
                p.item.into(),
            ],
            b.minor(),
        )
        .main_id(super::bundle::text(object, "id"))
        .error_property(p.item)
        .error_klass(item_klass),
        Owner::Embedded { embedded, .. } => ErrorReport::new(
            embedded.klass,
            code,
            &[
                reference_text.into(),
                embedded.simple_name().into(),
                p.item.into(),
            ],
            b.minor(),
        ),
    }
}

/// Sharing user groups and users must exist (always by UID).
fn check_sharing<C: Catalogue + ?Sized>(
    b: &Bundle<'_, C>,
    object: &Object,
    klass: &str,
    simple: &str,
    errors: &mut Vec<ErrorReport>,
) -> Result<(), Error> {
    let Some(Value::Object(sharing)) = object.get("sharing") else {
        return Ok(());
    };
    for (field, target, association, target_simple) in [
        ("userGroups", "userGroups", "userGroupAccesses", "UserGroup"),
        ("users", "users", "userAccesses", "User"),
    ] {
        let Some(Value::Object(accesses)) = sharing.get(field) else {
            continue;
        };
        for (key, access) in accesses {
            let uid = access
                .get("id")
                .and_then(Value::as_str)
                .unwrap_or(key.as_str());
            if b.resolve_uid(target, uid)?.is_none() {
                errors.push(ErrorReport::new(
                    klass,
                    "E5002",
                    &[
                        Arg::Str(format!("[{uid}] ({target_simple})")),
                        with_name(Identifier::Uid, object, simple).into(),
                        association.into(),
                    ],
                    b.minor(),
                ));
            }
        }
    }
    Ok(())
}

fn drop_entries(object: &mut Object, path: &[PathStep], positions: &[usize]) {
    let Some((PathStep::Field(first), rest)) = path.split_first() else {
        return;
    };
    let mut value = match object.get_mut(*first) {
        Some(v) => v,
        None => return,
    };
    for step in rest {
        value = match (step, value) {
            (PathStep::Field(f), Value::Object(o)) => match o.get_mut(*f) {
                Some(v) => v,
                None => return,
            },
            (PathStep::Index(i), Value::Array(a)) => match a.get_mut(*i) {
                Some(v) => v,
                None => return,
            },
            _ => return,
        };
    }
    if let Value::Array(items) = value {
        let mut pos = 0usize;
        items.retain(|_| {
            let keep = !positions.contains(&pos);
            pos += 1;
            keep
        });
    }
}
