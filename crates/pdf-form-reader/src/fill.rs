//! [`fill`]: sets field values in a PDF form, as a PDF viewer does when a person types.

use std::panic::{self, AssertUnwindSafe};

use lopdf::{Document, Object, ObjectId, StringFormat};

use crate::error::{Error, ErrorKind};
use crate::text::{decode_text_string, encode_text_string};

/// A field found by its full name: the node holding its name (where the value goes), whether
/// it is a button, and its widgets (where a button's appearance state goes).
struct Target {
    name: String,
    node: ObjectId,
    button: bool,
    widgets: Vec<ObjectId>,
}

/// Fills fields of a PDF form: each `(full field name, value)` sets the field's value as a PDF
/// viewer does, and the form is written anew (the values as Unicode text strings; a check box
/// takes its state name, `On` or `Off`, as value and appearance state).
///
/// Meant for tests, and for forms filled by a program; it fails on a name the form does not
/// have.
///
/// ```
/// use pdf_form_reader::{fill, ErrorKind};
///
/// let err = fill(b"not a PDF", &[("TXFD_OrgID", "x")]).unwrap_err();
/// assert!(matches!(err.kind(), ErrorKind::Damaged { .. }));
/// ```
pub fn fill(pdf: &[u8], values: &[(&str, &str)]) -> Result<Vec<u8>, Error> {
    panic::catch_unwind(AssertUnwindSafe(|| fill_inner(pdf, values)))
        .unwrap_or_else(|_| Err(ErrorKind::ParserFailed.into()))
}

fn fill_inner(pdf: &[u8], values: &[(&str, &str)]) -> Result<Vec<u8>, Error> {
    let damaged = |e: lopdf::Error| {
        Error::new(ErrorKind::Damaged {
            message: e.to_string(),
        })
    };
    let mut doc = Document::load_mem(pdf).map_err(damaged)?;
    let targets = targets(&doc)?;
    for (name, value) in values {
        let target = targets
            .iter()
            .find(|t| t.name == *name)
            .ok_or_else(|| Error::in_field(ErrorKind::NoSuchField, *name))?;
        if target.button {
            set(
                &mut doc,
                target.node,
                "V",
                Object::Name(value.as_bytes().to_vec()),
            );
            for widget in &target.widgets {
                let has_state = doc
                    .get_dictionary(*widget)
                    .ok()
                    .and_then(|w| w.get(b"AP").ok())
                    .and_then(|ap| doc.dereference(ap).ok())
                    .and_then(|(_, ap)| ap.as_dict().ok())
                    .and_then(|ap| ap.get(b"N").ok())
                    .and_then(|n| doc.dereference(n).ok())
                    .and_then(|(_, n)| n.as_dict().ok())
                    .is_some_and(|n| n.has(value.as_bytes()));
                let state = if has_state {
                    value.as_bytes()
                } else {
                    b"Off".as_slice()
                };
                set(&mut doc, *widget, "AS", Object::Name(state.to_vec()));
            }
        } else {
            let text = Object::String(encode_text_string(value), StringFormat::Literal);
            set(&mut doc, target.node, "V", text);
        }
    }
    let mut out = Vec::with_capacity(pdf.len() + 1024);
    doc.save_to(&mut out)?;
    Ok(out)
}

fn set(doc: &mut Document, id: ObjectId, key: &str, value: Object) {
    if let Ok(dict) = doc.get_dictionary_mut(id) {
        dict.set(key, value);
    }
}

/// Every named field of the form (indirect nodes only), in document order.
fn targets(doc: &Document) -> Result<Vec<Target>, Error> {
    let fields = doc
        .catalog()
        .ok()
        .and_then(|c| c.get(b"AcroForm").ok())
        .and_then(|f| doc.dereference(f).ok())
        .and_then(|(_, f)| f.as_dict().ok())
        .and_then(|f| f.get(b"Fields").ok())
        .and_then(|f| doc.dereference(f).ok())
        .and_then(|(_, f)| f.as_array().ok())
        .ok_or_else(|| Error::new(ErrorKind::NoAcroForm))?;
    let mut out = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for field in fields {
        walk(doc, field, "", false, None, 0, &mut seen, &mut out);
    }
    Ok(out)
}

#[allow(clippy::too_many_arguments)]
fn walk(
    doc: &Document,
    node: &Object,
    parent_name: &str,
    parent_button: bool,
    owner: Option<usize>,
    depth: usize,
    seen: &mut std::collections::HashSet<ObjectId>,
    out: &mut Vec<Target>,
) {
    let Ok(id) = node.as_reference() else {
        return;
    };
    if depth > crate::acroform::MAX_DEPTH || !seen.insert(id) {
        return;
    }
    let Ok(dict) = doc.get_dictionary(id) else {
        return;
    };
    let button = match dict.get(b"FT") {
        Ok(Object::Name(ft)) => ft == b"Btn",
        _ => parent_button,
    };
    let mut owner = owner;
    let mut name = parent_name.to_owned();
    if let Ok(Object::String(t, _)) = dict.get(b"T") {
        let part = decode_text_string(t);
        name = if parent_name.is_empty() {
            part
        } else {
            format!("{parent_name}.{part}")
        };
        owner = Some(out.len());
        out.push(Target {
            name: name.clone(),
            node: id,
            button,
            widgets: Vec::new(),
        });
    }
    let kids = dict
        .get(b"Kids")
        .ok()
        .and_then(|k| doc.dereference(k).ok())
        .and_then(|(_, k)| k.as_array().ok())
        .filter(|k| !k.is_empty());
    match kids {
        Some(kids) => {
            for kid in kids {
                walk(doc, kid, &name, button, owner, depth + 1, seen, out);
            }
        }
        None => {
            if let Some(target) = owner.and_then(|i| out.get_mut(i)) {
                target.widgets.push(id);
                target.button |= button;
            }
        }
    }
}
