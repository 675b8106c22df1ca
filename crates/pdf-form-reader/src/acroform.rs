//! The interactive form (AcroForm) of a PDF: its terminal fields, their full names and their
//! values, read as DHIS2's PDF library (OpenPDF's `AcroFields`) reads them.
//!
//! * The field tree is walked from the catalogue's `/AcroForm /Fields` in document order, depth
//!   first. A field's full name joins the `/T` of every node on its path with `.`; a node without
//!   `/T` (a widget annotation under its field) adds nothing, so widget kids carry their
//!   parent's name.
//! * A node without `/Kids` is terminal. Several terminal nodes with one full name are one field:
//!   the first one (in document order) gives the value, as `AcroFields.getField` reads the
//!   first widget.
//! * Inheritable entries (`/FT`, `/Ff`, `/V`, `/Opt`) are looked up from the terminal node up to
//!   the root: a value kept only on the parent field is found.
//! * The value is `getField`'s: no `/V` → empty; a text string → its text (PDFDocEncoding or
//!   UTF-16BE); a name → its characters; a stream → its bytes in WinAnsi; a push button → empty;
//!   a check box or radio button whose `/Opt` lists export values and whose value is a number →
//!   that option; anything else (an array of several choices, a number) → empty.
//!
//! The walk is bounded: reference cycles are followed once, nesting deeper than
//! [`MAX_DEPTH`] is not followed, and a reference to a missing object reads as absent.

use std::collections::HashSet;

use lopdf::{Dictionary, Document, Object, ObjectId};

use crate::error::ErrorKind;
use crate::text::{decode_name, decode_text_string, winansi_char};

/// How deep the field tree is followed (PDF files in the wild nest a handful of levels).
pub const MAX_DEPTH: usize = 64;

/// `/Ff` bit 16: a radio button (of a `/Btn` field).
const FF_RADIO: i64 = 1 << 15;
/// `/Ff` bit 17: a push button (of a `/Btn` field).
const FF_PUSHBUTTON: i64 = 1 << 16;
/// `/Ff` bit 18: a combo box (of a `/Ch` field).
const FF_COMBO: i64 = 1 << 17;

/// The kind of a form field (from its `/FT` and `/Ff`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum FieldKind {
    /// `/Tx`: a text field.
    Text,
    /// `/Ch` with the combo flag: a drop-down list.
    ComboBox,
    /// `/Ch` without it: a list box.
    ListBox,
    /// `/Btn`, neither radio nor push button.
    CheckBox,
    /// `/Btn` with the radio flag.
    RadioButton,
    /// `/Btn` with the push button flag (no value).
    PushButton,
    /// `/Sig`.
    Signature,
    /// No `/FT` anywhere on the path, or one this crate does not know.
    Unknown,
}

/// One terminal field of a form: its full name, kind and value as DHIS2 reads them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FormField {
    /// The full name (`/T` of every node on the path, joined with `.`).
    pub name: String,
    /// The kind.
    pub kind: FieldKind,
    /// The value as DHIS2's PDF library gives it (`AcroFields.getField`): empty when the field
    /// has none.
    pub value: String,
}

/// Every terminal field of the document's form, in document order, one per full name.
///
/// Fails with [`ErrorKind::NoAcroForm`] when the catalogue has no `/AcroForm` or it lists no
/// field.
pub(crate) fn read_fields(doc: &Document) -> Result<Vec<FormField>, ErrorKind> {
    let catalog = doc.catalog().map_err(|e| ErrorKind::Damaged {
        message: format!("no document catalogue ({e})"),
    })?;
    let form = catalog
        .get(b"AcroForm")
        .ok()
        .and_then(|o| resolve(doc, o))
        .and_then(|o| o.as_dict().ok())
        .ok_or(ErrorKind::NoAcroForm)?;
    let fields = form
        .get(b"Fields")
        .ok()
        .and_then(|o| resolve(doc, o))
        .and_then(|o| o.as_array().ok())
        .filter(|a| !a.is_empty())
        .ok_or(ErrorKind::NoAcroForm)?;
    let mut walker = Walker {
        doc,
        seen: HashSet::new(),
        names: HashSet::new(),
        out: Vec::new(),
    };
    let mut chain = Vec::new();
    for field in fields {
        walker.visit(field, &mut chain, "", 0);
    }
    if walker.out.is_empty() {
        return Err(ErrorKind::NoAcroForm);
    }
    Ok(walker.out)
}

/// Follows references; `None` for a reference to a missing object (or a chain too long).
fn resolve<'a>(doc: &'a Document, object: &'a Object) -> Option<&'a Object> {
    doc.dereference(object).ok().map(|(_, o)| o)
}

struct Walker<'a> {
    doc: &'a Document,
    /// Indirect nodes visited (a reference cycle is followed once).
    seen: HashSet<ObjectId>,
    /// Full names already given a field.
    names: HashSet<String>,
    out: Vec<FormField>,
}

impl<'a> Walker<'a> {
    fn visit(
        &mut self,
        node: &'a Object,
        chain: &mut Vec<&'a Dictionary>,
        parent_name: &str,
        depth: usize,
    ) {
        let Ok((id, object)) = self.doc.dereference(node) else {
            return;
        };
        if let Some(id) = id {
            if !self.seen.insert(id) {
                return;
            }
        }
        let Ok(dict) = object.as_dict() else {
            return;
        };
        let name = match dict.get(b"T").ok().and_then(|t| resolve(self.doc, t)) {
            Some(Object::String(bytes, _)) => {
                let part = decode_text_string(bytes);
                if parent_name.is_empty() {
                    part
                } else {
                    format!("{parent_name}.{part}")
                }
            }
            _ => parent_name.to_owned(),
        };
        chain.push(dict);
        let kids = dict
            .get(b"Kids")
            .ok()
            .and_then(|k| resolve(self.doc, k))
            .and_then(|k| k.as_array().ok())
            .filter(|k| !k.is_empty());
        match kids {
            Some(kids) if depth < MAX_DEPTH => {
                for kid in kids {
                    self.visit(kid, chain, &name, depth + 1);
                }
            }
            Some(_) => {}
            None => self.terminal(name, chain),
        }
        chain.pop();
    }

    fn terminal(&mut self, name: String, chain: &[&'a Dictionary]) {
        if self.names.contains(&name) {
            return;
        }
        let kind = self.kind(chain);
        let value = self.value(chain, kind);
        self.names.insert(name.clone());
        self.out.push(FormField { name, kind, value });
    }

    /// An inheritable entry: from the terminal node up to the root.
    fn inherited(&self, chain: &[&'a Dictionary], key: &[u8]) -> Option<&'a Object> {
        chain
            .iter()
            .rev()
            .find_map(|d| d.get(key).ok())
            .and_then(|o| resolve(self.doc, o))
    }

    fn kind(&self, chain: &[&'a Dictionary]) -> FieldKind {
        let flags = match self.inherited(chain, b"Ff") {
            Some(Object::Integer(i)) => *i,
            _ => 0,
        };
        match self.inherited(chain, b"FT") {
            Some(Object::Name(ft)) => match ft.as_slice() {
                b"Tx" => FieldKind::Text,
                b"Ch" if flags & FF_COMBO != 0 => FieldKind::ComboBox,
                b"Ch" => FieldKind::ListBox,
                b"Btn" if flags & FF_PUSHBUTTON != 0 => FieldKind::PushButton,
                b"Btn" if flags & FF_RADIO != 0 => FieldKind::RadioButton,
                b"Btn" => FieldKind::CheckBox,
                b"Sig" => FieldKind::Signature,
                _ => FieldKind::Unknown,
            },
            _ => FieldKind::Unknown,
        }
    }

    fn value(&self, chain: &[&'a Dictionary], kind: FieldKind) -> String {
        let Some(v) = self.inherited(chain, b"V") else {
            return String::new();
        };
        if let Object::Stream(stream) = v {
            let bytes = stream
                .decompressed_content()
                .unwrap_or_else(|_| stream.content.clone());
            return bytes.iter().map(|&b| winansi_char(b)).collect();
        }
        match kind {
            FieldKind::PushButton => String::new(),
            FieldKind::CheckBox | FieldKind::RadioButton => {
                let value = match v {
                    Object::Name(n) => decode_name(n),
                    Object::String(s, _) => decode_text_string(s),
                    _ => return String::new(),
                };
                self.export_option(chain, &value).unwrap_or(value)
            }
            _ => match v {
                Object::String(s, _) => decode_text_string(s),
                Object::Name(n) => decode_name(n),
                _ => String::new(),
            },
        }
    }

    /// A button's value that is an index into its `/Opt` export values.
    fn export_option(&self, chain: &[&'a Dictionary], value: &str) -> Option<String> {
        let index: usize = value.parse().ok()?;
        let opts = self.inherited(chain, b"Opt")?.as_array().ok()?;
        match opts.get(index).and_then(|o| resolve(self.doc, o))? {
            Object::String(s, _) => Some(decode_text_string(s)),
            _ => None,
        }
    }
}
