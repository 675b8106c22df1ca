//! The import summary (`importSummary`) in XML, and the web message that wraps it.
//!
//! DHIS2 serialises `ImportSummary` with Jackson XML; no DHIS2 test pins the result, so the
//! shape written here is the most likely rendering of its annotations (marked \[inferred\] in the
//! specification, section 5.7), and the reader accepts the plausible variants:
//!
//! ```xml
//! <?xml version='1.0' encoding='UTF-8'?>
//! <importSummary xmlns="http://dhis2.org/schema/dxf/2.0">
//!   <responseType>ImportSummary</responseType>
//!   <status>WARNING</status>
//!   <importOptions>
//!     <idSchemes>
//!       <dataElementIdScheme>
//!         <type>CODE</type>
//!       </dataElementIdScheme>
//!     </idSchemes>
//!     <dryRun>false</dryRun>
//!     …
//!   </importOptions>
//!   <description>Import process completed successfully</description>
//!   <importCount imported="1" updated="0" ignored="3" deleted="0"/>
//!   <conflicts>
//!     <conflict object="nonEx1sting" value="Data element not found or not accessible: `nonEx1sting`" errorCode="E7610" property="dataElement" indexes="0 1">
//!       <objects>
//!         <dataElement>nonEx1sting</dataElement>
//!       </objects>
//!     </conflict>
//!   </conflicts>
//!   <rejectedIndexes>
//!     <rejectedIndexes>0</rejectedIndexes>
//!     <rejectedIndexes>1</rejectedIndexes>
//!   </rejectedIndexes>
//!   <dataSetComplete>false</dataSetComplete>
//! </importSummary>
//! ```
//!
//! Choices and tolerances:
//!
//! * Element order follows the JSON key order; `responseType` is a child element (the reader
//!   ignores it, as element or attribute). Absent options (`importOptions`, `description`,
//!   `dataSetComplete`) are omitted; `conflicts` and `rejectedIndexes` are always written
//!   (`<conflicts/>` when empty).
//! * `importCount` carries its four numbers as attributes (the reader also takes child elements).
//! * A conflict's `object`, `value`, `errorCode`, `property` are attributes (the reader also takes
//!   child elements). `indexes` is an `int[]` marked as attribute; Jackson would write one
//!   `indexes` attribute per number, which is not well-formed XML, so the writer writes one
//!   attribute with the numbers separated by spaces. The reader accepts that, repeated
//!   `indexes` attributes (duplicate attributes are tolerated on summaries for this reason),
//!   and `indexes` child elements, wrapped or not.
//! * `objects` is a map: one child element per key, in order; an empty element is a null
//!   value (so an empty string reads back as null). Keys that are not XML names without `:`
//!   cannot be written (and no such key is ever read: the reader refuses element names that
//!   are not XML names, and keys are local names).
//! * Lists use Jackson's default wrapping: `<rejectedIndexes><rejectedIndexes>0</rejectedIndexes>…`.
//!   The reader also accepts unwrapped repetitions, `rejectedIndex` items and a text list.
//! * `importOptions` members are child elements in the order of section 5.7, including
//!   constant members DHIS2 echoes (`mergeMode`, `reportMode`, …), which the reader ignores;
//!   each id scheme is `<…IdScheme><type>ATTRIBUTE</type><attribute>uid</attribute></…IdScheme>`
//!   (the reader also takes `type`/`attribute` attributes or a `CODE` / `ATTRIBUTE:uid` text).
//!   `atomic` (2.43+) is written only when true.
//! * Our additions that are not part of DHIS2's document — [`ImportSummary::profile`] and
//!   [`ImportOptions::profile`] — are not written; they read back as `None` and the default.
//! * Elements are matched by local name; the namespace is not checked. Unknown elements and
//!   attributes are ignored.
//! * A web message (`<webMessage … status="WARNING"><message>…</message><response …>…`) is
//!   read by taking the summary from its `response` element.
//! * The reader accepts only what the writer can write: characters XML 1.0 does not allow
//!   (U+0000 and the other C0 controls but tab, LF and CR, U+FFFE, U+FFFF) written literally,
//!   and names that are not XML names, are errors with a position. Its memory is bounded by
//!   [`ReadLimits::max_token_bytes`] for each token and for the text of each element (unknown
//!   elements are skipped without keeping their text); the summary it returns holds what the
//!   document says.

use std::io::{BufRead, BufWriter, Write};

use dxf2_model::{
    EchoValue, IdScheme, IdSchemes, ImportConflict, ImportCount, ImportOptions, ImportStatus,
    ImportStrategy, ImportSummary, ReadLimits, DXF2_NAMESPACE,
};

use crate::cursor::{position_in_tag, tag_error, Cursor, Ev};
use crate::error::{Error, ErrorKind, Position};
use crate::escape::{
    is_ncname, local_name, unescape_attribute, write_escaped, Attrs, ValueProblem, WriteProblem,
};

/// Writes an import summary as an XML document (see the [module docs](self) for the shape).
///
/// ```
/// use dxf2_model::{ImportCount, ImportStatus, ImportSummary};
/// use dxf2_xml::{read_import_summary, write_import_summary};
///
/// let summary = ImportSummary {
///     status: ImportStatus::Success,
///     description: Some("Import process completed successfully".into()),
///     import_count: ImportCount { imported: 3, ..ImportCount::default() },
///     data_set_complete: Some("false".into()),
///     ..ImportSummary::default()
/// };
/// let mut xml = Vec::new();
/// write_import_summary(&mut xml, &summary)?;
/// let text = String::from_utf8(xml.clone()).unwrap();
/// assert!(text.contains("<importCount imported=\"3\" updated=\"0\" ignored=\"0\" deleted=\"0\"/>"));
/// assert_eq!(read_import_summary(xml.as_slice())?, summary);
/// # Ok::<(), dxf2_xml::Error>(())
/// ```
pub fn write_import_summary<W: Write>(out: W, summary: &ImportSummary) -> Result<(), Error> {
    let mut w = Out {
        out: BufWriter::new(out),
        level: 0,
    };
    w.out
        .write_all(b"<?xml version='1.0' encoding='UTF-8'?>\n")?;
    w.start("importSummary", &[("xmlns", DXF2_NAMESPACE)], false)?;
    w.leaf("responseType", "ImportSummary")?;
    w.leaf("status", summary.status.name())?;
    if let Some(options) = &summary.import_options {
        write_options(&mut w, options)?;
    }
    if let Some(description) = &summary.description {
        w.leaf("description", description)?;
    }
    let count = &summary.import_count;
    let (imported, updated, ignored, deleted) = (
        count.imported.to_string(),
        count.updated.to_string(),
        count.ignored.to_string(),
        count.deleted.to_string(),
    );
    w.start(
        "importCount",
        &[
            ("imported", &imported),
            ("updated", &updated),
            ("ignored", &ignored),
            ("deleted", &deleted),
        ],
        true,
    )?;
    if summary.conflicts.is_empty() {
        w.start("conflicts", &[], true)?;
    } else {
        w.start("conflicts", &[], false)?;
        for conflict in &summary.conflicts {
            write_conflict(&mut w, conflict)?;
        }
        w.end("conflicts")?;
    }
    if summary.rejected_indexes.is_empty() {
        w.start("rejectedIndexes", &[], true)?;
    } else {
        w.start("rejectedIndexes", &[], false)?;
        for index in &summary.rejected_indexes {
            w.leaf("rejectedIndexes", &index.to_string())?;
        }
        w.end("rejectedIndexes")?;
    }
    if let Some(complete) = &summary.data_set_complete {
        w.leaf("dataSetComplete", complete)?;
    }
    w.end("importSummary")?;
    w.out.flush()?;
    Ok(())
}

fn write_conflict<W: Write>(w: &mut Out<W>, conflict: &ImportConflict) -> Result<(), Error> {
    let indexes = conflict.indexes.as_ref().map(|list| {
        list.iter()
            .map(|i| i.to_string())
            .collect::<Vec<_>>()
            .join(" ")
    });
    let mut attrs: Vec<(&str, &str)> = Vec::with_capacity(5);
    if let Some(object) = &conflict.object {
        attrs.push(("object", object));
    }
    attrs.push(("value", &conflict.value));
    if let Some(code) = &conflict.error_code {
        attrs.push(("errorCode", code));
    }
    if let Some(property) = &conflict.property {
        attrs.push(("property", property));
    }
    if let Some(indexes) = &indexes {
        attrs.push(("indexes", indexes));
    }
    if conflict.objects.is_empty() {
        return w.start("conflict", &attrs, true);
    }
    w.start("conflict", &attrs, false)?;
    w.start("objects", &[], false)?;
    for (key, value) in &conflict.objects {
        if !is_ncname(key) {
            return Err(Error::new(ErrorKind::Unwritable {
                what: format!("conflict object key `{key}`"),
                reason: "not an XML element name",
            }));
        }
        match value {
            Some(value) if !value.is_empty() => w.leaf(key, value)?,
            _ => w.start(key, &[], true)?,
        }
    }
    w.end("objects")?;
    w.end("conflict")
}

fn write_options<W: Write>(w: &mut Out<W>, o: &ImportOptions) -> Result<(), Error> {
    w.start("importOptions", &[], false)?;
    let schemes: Vec<(&str, &IdScheme)> = o
        .id_schemes
        .echo_slots()
        .into_iter()
        .filter_map(|(name, scheme)| scheme.map(|s| (name, s)))
        .collect();
    if schemes.is_empty() {
        w.start("idSchemes", &[], true)?;
    } else {
        w.start("idSchemes", &[], false)?;
        for (name, scheme) in schemes {
            w.start(name, &[], false)?;
            w.leaf("type", scheme.type_name())?;
            if let Some(attribute) = scheme.attribute() {
                w.leaf("attribute", attribute)?;
            }
            w.end(name)?;
        }
        w.end("idSchemes")?;
    }
    for (name, value) in o.echo_members() {
        match value {
            EchoValue::Bool(b) => w.leaf(name, if b { "true" } else { "false" })?,
            EchoValue::Text(text) => w.leaf(name, text)?,
        }
    }
    w.end("importOptions")
}

/// A tiny indenting XML writer (two spaces per level, LF line ends).
struct Out<W: Write> {
    out: BufWriter<W>,
    level: usize,
}

impl<W: Write> Out<W> {
    fn indent(&mut self) -> Result<(), Error> {
        for _ in 0..self.level {
            self.out.write_all(b"  ")?;
        }
        Ok(())
    }

    fn escaped(&mut self, what: &str, text: &str) -> Result<(), Error> {
        write_escaped(&mut self.out, text).map_err(|p| match p {
            WriteProblem::Io(e) => Error::new(ErrorKind::Io(e)),
            WriteProblem::Nul => Error::new(ErrorKind::Unwritable {
                what: what.to_owned(),
                reason: "U+0000 cannot be represented in XML",
            }),
        })
    }

    fn start(&mut self, name: &str, attrs: &[(&str, &str)], empty: bool) -> Result<(), Error> {
        self.indent()?;
        self.out.write_all(b"<")?;
        self.out.write_all(name.as_bytes())?;
        for (key, value) in attrs {
            self.out.write_all(b" ")?;
            self.out.write_all(key.as_bytes())?;
            self.out.write_all(b"=\"")?;
            self.escaped(&format!("attribute `{key}` of <{name}>"), value)?;
            self.out.write_all(b"\"")?;
        }
        if empty {
            self.out.write_all(b"/>\n")?;
        } else {
            self.out.write_all(b">\n")?;
            self.level += 1;
        }
        Ok(())
    }

    fn end(&mut self, name: &str) -> Result<(), Error> {
        self.level = self.level.saturating_sub(1);
        self.indent()?;
        self.out.write_all(b"</")?;
        self.out.write_all(name.as_bytes())?;
        self.out.write_all(b">\n")?;
        Ok(())
    }

    fn leaf(&mut self, name: &str, text: &str) -> Result<(), Error> {
        self.indent()?;
        self.out.write_all(b"<")?;
        self.out.write_all(name.as_bytes())?;
        self.out.write_all(b">")?;
        self.escaped(&format!("element <{name}>"), text)?;
        self.out.write_all(b"</")?;
        self.out.write_all(name.as_bytes())?;
        self.out.write_all(b">\n")?;
        Ok(())
    }
}

/// Reads an import summary from an XML `importSummary` document or from a DHIS2 web message
/// (`webMessage`) whose `response` is the summary (see the [module docs](self) for the shapes
/// accepted).
///
/// ```
/// use dxf2_model::ImportStatus;
/// use dxf2_xml::read_import_summary;
///
/// let xml = r#"<webMessage xmlns="http://dhis2.org/schema/dxf/2.0" httpStatus="Conflict" httpStatusCode="409" status="WARNING">
///   <message>One more conflicts encountered, please check import summary.</message>
///   <response responseType="ImportSummary">
///     <status>WARNING</status>
///     <importCount imported="1" updated="0" ignored="1" deleted="0"/>
///     <conflicts>
///       <conflict object="nonEx1sting" value="Data element not found" errorCode="E7610" property="dataElement" indexes="0">
///         <objects><dataElement>nonEx1sting</dataElement></objects>
///       </conflict>
///     </conflicts>
///     <rejectedIndexes><rejectedIndexes>0</rejectedIndexes></rejectedIndexes>
///   </response>
/// </webMessage>"#;
/// let summary = read_import_summary(xml.as_bytes())?;
/// assert_eq!(summary.status, ImportStatus::Warning);
/// assert_eq!(summary.conflicts[0].indexes, Some(vec![0]));
/// assert_eq!(summary.rejected_indexes, vec![0]);
/// # Ok::<(), dxf2_xml::Error>(())
/// ```
pub fn read_import_summary<R: BufRead>(input: R) -> Result<ImportSummary, Error> {
    read_import_summary_with_limits(input, ReadLimits::default())
}

/// [`read_import_summary`] with bounds on memory: no token and no element's text longer than
/// [`ReadLimits::max_token_bytes`] is held (a longer one is [`ErrorKind::TokenTooLong`]).
///
/// ```
/// use dxf2_model::ReadLimits;
/// use dxf2_xml::summary::read_import_summary_with_limits;
/// use dxf2_xml::ErrorKind;
///
/// let xml = format!("<importSummary><description>{}</description></importSummary>", "x".repeat(100));
/// let limits = ReadLimits::default().with_max_token_bytes(64);
/// let err = read_import_summary_with_limits(xml.as_bytes(), limits).unwrap_err();
/// assert!(matches!(err.kind(), ErrorKind::TokenTooLong { limit: 64, .. }));
/// assert_eq!(err.column(), Some(29));
/// ```
pub fn read_import_summary_with_limits<R: BufRead>(
    input: R,
    limits: ReadLimits,
) -> Result<ImportSummary, Error> {
    let mut doc = Doc {
        cursor: Cursor::new(input, limits),
    };
    let root = loop {
        match doc.item()? {
            Item::Start(el) => break el,
            Item::Eof(pos) => {
                return Err(Error::at(
                    ErrorKind::MissingElement {
                        name: "importSummary",
                    },
                    pos,
                ))
            }
            _ => {}
        }
    };
    let summary = match root.name.as_str() {
        "importSummary" => read_summary_body(&mut doc, &root)?,
        "webMessage" => {
            let mut found = None;
            while let Some(child) = doc.child(&root)? {
                if child.name == "response" && found.is_none() {
                    found = Some(read_summary_body(&mut doc, &child)?);
                } else {
                    doc.skip(&child)?;
                }
            }
            match found {
                Some(summary) => summary,
                None => {
                    return Err(Error::at(
                        ErrorKind::MissingElement { name: "response" },
                        root.pos,
                    ))
                }
            }
        }
        other => {
            return Err(Error::at(
                ErrorKind::NotAnImportSummary {
                    found: other.to_owned(),
                },
                root.pos,
            ))
        }
    };
    loop {
        if let Item::Eof(_) = doc.item()? {
            return Ok(summary);
        }
    }
}

fn read_summary_body<R: BufRead>(doc: &mut Doc<R>, el: &Element) -> Result<ImportSummary, Error> {
    let mut summary = ImportSummary::default();
    while let Some(child) = doc.child(el)? {
        match child.name.as_str() {
            "status" => {
                let text = doc.text(&child)?;
                summary.status = parse_status(&child, &text)?;
            }
            "description" => summary.description = Some(doc.text(&child)?),
            "importCount" => summary.import_count = read_count(doc, &child)?,
            "conflicts" => {
                while let Some(item) = doc.child(&child)? {
                    if item.name == "conflict" {
                        summary.conflicts.push(read_conflict(doc, &item)?);
                    } else {
                        doc.skip(&item)?;
                    }
                }
            }
            "conflict" => summary.conflicts.push(read_conflict(doc, &child)?),
            "rejectedIndexes" | "rejectedIndex" => {
                read_indexes(doc, &child, &mut summary.rejected_indexes)?
            }
            "dataSetComplete" => summary.data_set_complete = Some(doc.text(&child)?),
            "importOptions" => summary.import_options = Some(read_options(doc, &child)?),
            _ => doc.skip(&child)?,
        }
    }
    Ok(summary)
}

fn parse_status(el: &Element, text: &str) -> Result<ImportStatus, Error> {
    text.trim()
        .parse()
        .map_err(|_| invalid(el.pos, &el.name, text, "SUCCESS, WARNING or ERROR"))
}

fn invalid(pos: Position, name: &str, text: &str, expected: &'static str) -> Error {
    Error::at(
        ErrorKind::InvalidValue {
            name: name.to_owned(),
            text: text.to_owned(),
            expected,
        },
        pos,
    )
}

fn parse_u64(pos: Position, name: &str, text: &str) -> Result<u64, Error> {
    text.trim()
        .parse()
        .map_err(|_| invalid(pos, name, text, "a non-negative integer"))
}

fn parse_bool(pos: Position, name: &str, text: &str) -> Result<bool, Error> {
    let t = text.trim();
    if t.eq_ignore_ascii_case("true") {
        Ok(true)
    } else if t.eq_ignore_ascii_case("false") {
        Ok(false)
    } else {
        Err(invalid(pos, name, text, "true or false"))
    }
}

/// Parses a list of integers separated by white space or commas.
fn parse_index_list(
    pos: Position,
    name: &str,
    text: &str,
    out: &mut Vec<i64>,
) -> Result<(), Error> {
    for token in text
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|t| !t.is_empty())
    {
        out.push(
            token
                .parse()
                .map_err(|_| invalid(pos, name, token, "an integer"))?,
        );
    }
    Ok(())
}

fn read_count<R: BufRead>(doc: &mut Doc<R>, el: &Element) -> Result<ImportCount, Error> {
    let mut count = ImportCount::default();
    fn field<'c>(count: &'c mut ImportCount, name: &str) -> Option<&'c mut u64> {
        match name {
            "imported" => Some(&mut count.imported),
            "updated" => Some(&mut count.updated),
            "ignored" => Some(&mut count.ignored),
            "deleted" => Some(&mut count.deleted),
            _ => None,
        }
    }
    for (name, value, pos) in &el.attrs {
        if let Some(slot) = field(&mut count, name) {
            *slot = parse_u64(*pos, name, value)?;
        }
    }
    while let Some(child) = doc.child(el)? {
        let text = doc.text(&child)?;
        if let Some(slot) = field(&mut count, &child.name) {
            *slot = parse_u64(child.pos, &child.name, &text)?;
        }
    }
    Ok(count)
}

fn read_conflict<R: BufRead>(doc: &mut Doc<R>, el: &Element) -> Result<ImportConflict, Error> {
    let mut conflict = ImportConflict::default();
    let mut indexes: Option<Vec<i64>> = None;
    for (name, value, pos) in &el.attrs {
        match name.as_str() {
            "object" => conflict.object = Some(value.clone()),
            "value" => conflict.value = value.clone(),
            "errorCode" => conflict.error_code = Some(value.clone()),
            "property" => conflict.property = Some(value.clone()),
            "indexes" => parse_index_list(*pos, name, value, indexes.get_or_insert_with(Vec::new))?,
            _ => {}
        }
    }
    while let Some(child) = doc.child(el)? {
        match child.name.as_str() {
            "objects" => {
                while let Some(entry) = doc.child(&child)? {
                    let nil = entry
                        .attrs
                        .iter()
                        .any(|(n, v, _)| n == "nil" && v.trim() == "true");
                    let text = doc.text(&entry)?;
                    let value = (!nil && !text.is_empty()).then_some(text);
                    conflict.objects.push((entry.name, value));
                }
            }
            "object" => conflict.object = Some(doc.text(&child)?),
            "value" => conflict.value = doc.text(&child)?,
            "errorCode" => conflict.error_code = Some(doc.text(&child)?),
            "property" => conflict.property = Some(doc.text(&child)?),
            "indexes" => read_indexes(doc, &child, indexes.get_or_insert_with(Vec::new))?,
            _ => doc.skip(&child)?,
        }
    }
    conflict.indexes = indexes;
    Ok(conflict)
}

/// Reads a list of indexes: numbers in the element's text and in its child elements.
fn read_indexes<R: BufRead>(
    doc: &mut Doc<R>,
    el: &Element,
    out: &mut Vec<i64>,
) -> Result<(), Error> {
    if el.empty {
        return Ok(());
    }
    let mut text = String::new();
    loop {
        match doc.item()? {
            Item::Text(t, depth) if depth == el.depth => doc.push_text(el, &mut text, &t)?,
            Item::Start(child) => {
                parse_index_list(el.pos, &el.name, &text, out)?;
                text.clear();
                let inner = doc.text(&child)?;
                parse_index_list(child.pos, &child.name, &inner, out)?;
            }
            Item::End(depth) if depth == el.depth => break,
            Item::Eof(pos) => return Err(unexpected_eof(pos, &el.name)),
            _ => {}
        }
    }
    parse_index_list(el.pos, &el.name, &text, out)
}

fn read_options<R: BufRead>(doc: &mut Doc<R>, el: &Element) -> Result<ImportOptions, Error> {
    let mut o = ImportOptions::default();
    while let Some(child) = doc.child(el)? {
        let name = child.name.as_str();
        if name == "idSchemes" {
            o.id_schemes = read_schemes(doc, &child)?;
            continue;
        }
        if let Some(flag) = o.echo_flag_mut(name) {
            let text = doc.text(&child)?;
            *flag = parse_bool(child.pos, name, &text)?;
            continue;
        }
        match name {
            "preheatCache" => {
                let text = doc.text(&child)?;
                o.preheat_cache = Some(parse_bool(child.pos, name, &text)?);
            }
            "importStrategy" | "strategy" => {
                let text = doc.text(&child)?;
                o.strategy = ImportStrategy::parse_ignore_case(text.trim()).map_err(|_| {
                    invalid(
                        child.pos,
                        name,
                        &text,
                        "an import strategy such as CREATE_AND_UPDATE",
                    )
                })?;
            }
            "dataSet" => {
                let text = doc.text(&child)?;
                o.data_set = (!text.is_empty()).then_some(text);
            }
            _ => doc.skip(&child)?,
        }
    }
    Ok(o)
}

fn read_schemes<R: BufRead>(doc: &mut Doc<R>, el: &Element) -> Result<IdSchemes, Error> {
    let mut schemes = IdSchemes::default();
    while let Some(child) = doc.child(el)? {
        let scheme = read_scheme(doc, &child)?;
        if let Some(slot) = schemes.echo_slot_mut(&child.name) {
            *slot = scheme;
        }
    }
    Ok(schemes)
}

/// Reads one id scheme: `type`/`attribute` as attributes or child elements, or a text such as
/// `CODE` or `ATTRIBUTE:uid`.
fn read_scheme<R: BufRead>(doc: &mut Doc<R>, el: &Element) -> Result<Option<IdScheme>, Error> {
    let mut kind: Option<String> = None;
    let mut attribute: Option<String> = None;
    for (name, value, _) in &el.attrs {
        match name.as_str() {
            "type" => kind = Some(value.clone()),
            "attribute" => attribute = Some(value.clone()),
            _ => {}
        }
    }
    let mut text = String::new();
    if !el.empty {
        loop {
            match doc.item()? {
                Item::Text(t, depth) if depth == el.depth => doc.push_text(el, &mut text, &t)?,
                Item::Start(child) => {
                    let value = doc.text(&child)?;
                    match child.name.as_str() {
                        "type" => kind = Some(value),
                        "attribute" => attribute = Some(value),
                        _ => {}
                    }
                }
                Item::End(depth) if depth == el.depth => break,
                Item::Eof(pos) => return Err(unexpected_eof(pos, &el.name)),
                _ => {}
            }
        }
    }
    let expected = "UID, ID, CODE, NAME, UUID or ATTRIBUTE with an attribute UID";
    match kind {
        Some(kind) if kind.trim().eq_ignore_ascii_case("ATTRIBUTE") => match attribute {
            Some(uid) if !uid.trim().is_empty() => {
                Ok(Some(IdScheme::Attribute(uid.trim().to_owned())))
            }
            _ => Err(invalid(el.pos, &el.name, &kind, expected)),
        },
        Some(kind) => IdScheme::parse(kind.trim())
            .map(Some)
            .map_err(|_| invalid(el.pos, &el.name, &kind, expected)),
        None if text.trim().is_empty() => Ok(None),
        None => IdScheme::parse(text.trim())
            .map(Some)
            .map_err(|_| invalid(el.pos, &el.name, &text, expected)),
    }
}

fn unexpected_eof(pos: Position, name: &str) -> Error {
    Error::at(
        ErrorKind::UnexpectedEof {
            expected: format!("</{name}>"),
        },
        pos,
    )
}

/// A start tag, owned: local name, decoded attributes (local name, value, position).
struct Element {
    name: String,
    attrs: Vec<(String, String, Position)>,
    empty: bool,
    depth: usize,
    pos: Position,
}

enum Item {
    Start(Element),
    /// An end tag and the depth of the element it closes.
    End(usize),
    /// Text (line ends normalised, references resolved) and the depth of its element.
    Text(String, usize),
    Eof(Position),
}

/// Owned, allocation-happy events over a [`Cursor`], good enough for small summary documents.
struct Doc<R> {
    cursor: Cursor<R>,
}

impl<R: BufRead> Doc<R> {
    fn item(&mut self) -> Result<Item, Error> {
        let depth = self.cursor.depth();
        self.cursor.next(|pos, ev| {
            Ok(match ev {
                Ev::Start { tag, empty, depth } => {
                    let text: &str = &tag;
                    let name = tag.name().into_inner();
                    let mut attrs = Vec::new();
                    for attr in Attrs::new(text, name.len()) {
                        let attr = attr.map_err(|p| tag_error(pos, text, p))?;
                        let mut value = String::new();
                        unescape_attribute(attr.value, Some(&mut value)).map_err(|p| {
                            let (offset, message) = match p {
                                ValueProblem::Char(o, m) => (o, m.to_owned()),
                                ValueProblem::Reference(o, r, why) => {
                                    (o, format!("invalid reference `&{r};`: {why}"))
                                }
                            };
                            Error::at(
                                ErrorKind::InvalidAttributeValue {
                                    attribute: attr.name.to_owned(),
                                    message,
                                },
                                position_in_tag(pos, text, attr.value_start + offset),
                            )
                        })?;
                        attrs.push((
                            local_name(attr.name).to_owned(),
                            value,
                            position_in_tag(pos, text, attr.name_start),
                        ));
                    }
                    Item::Start(Element {
                        name: local_name(name).to_owned(),
                        attrs,
                        empty,
                        depth,
                        pos,
                    })
                }
                Ev::End { depth } => Item::End(depth),
                Ev::Text(t) => Item::Text(normalize_line_ends(&t), depth),
                Ev::Ref(c) => Item::Text(c.to_string(), depth),
                Ev::CData(c) => Item::Text(normalize_line_ends(&c), depth),
                Ev::Eof => Item::Eof(pos),
            })
        })
    }

    /// The next child element of `parent`, or `None` at its end tag. Text is skipped.
    fn child(&mut self, parent: &Element) -> Result<Option<Element>, Error> {
        if parent.empty {
            return Ok(None);
        }
        loop {
            match self.item()? {
                Item::Start(el) => return Ok(Some(el)),
                Item::End(depth) if depth == parent.depth => return Ok(None),
                Item::Eof(pos) => return Err(unexpected_eof(pos, &parent.name)),
                _ => {}
            }
        }
    }

    /// The text directly inside `el` (child elements are skipped), consuming `el`.
    fn text(&mut self, el: &Element) -> Result<String, Error> {
        let mut text = String::new();
        if el.empty {
            return Ok(text);
        }
        loop {
            match self.item()? {
                Item::Text(t, depth) if depth == el.depth => self.push_text(el, &mut text, &t)?,
                Item::End(depth) if depth == el.depth => return Ok(text),
                Item::Eof(pos) => return Err(unexpected_eof(pos, &el.name)),
                _ => {}
            }
        }
    }

    /// Appends `more` to the text of `el`, which may not grow past the token limit (the text
    /// of an element comes in several events when it has references).
    fn push_text(&self, el: &Element, text: &mut String, more: &str) -> Result<(), Error> {
        let limit = self.cursor.token_limit();
        if text.len().saturating_add(more.len()) > limit {
            return Err(Error::at(
                ErrorKind::TokenTooLong {
                    what: format!("the text of <{}>", el.name),
                    limit,
                },
                el.pos,
            ));
        }
        text.push_str(more);
        Ok(())
    }

    /// Consumes `el` and everything inside it, keeping nothing.
    fn skip(&mut self, el: &Element) -> Result<(), Error> {
        if el.empty {
            return Ok(());
        }
        loop {
            match self.item()? {
                Item::End(depth) if depth == el.depth => return Ok(()),
                Item::Eof(pos) => return Err(unexpected_eof(pos, &el.name)),
                _ => {}
            }
        }
    }
}

/// XML end-of-line handling for element content: CR LF and lone CR become LF.
fn normalize_line_ends(raw: &str) -> String {
    if raw.contains('\r') {
        raw.replace("\r\n", "\n").replace('\r', "\n")
    } else {
        raw.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use dxf2_model::ImporterProfile;
    use proptest::prelude::*;

    fn round_trip(summary: &ImportSummary) -> ImportSummary {
        let mut xml = Vec::new();
        write_import_summary(&mut xml, summary).unwrap();
        read_import_summary(xml.as_slice())
            .unwrap_or_else(|e| panic!("{e}\n{}", String::from_utf8_lossy(&xml)))
    }

    /// What reading back a written summary gives: our additions (`profile`) are not written,
    /// and an empty `objects` value reads back as null.
    fn canonical(summary: &ImportSummary) -> ImportSummary {
        let mut s = summary.clone();
        s.profile = None;
        if let Some(o) = &mut s.import_options {
            o.profile = ImporterProfile::default();
        }
        for c in &mut s.conflicts {
            for (_, v) in &mut c.objects {
                if v.as_deref() == Some("") {
                    *v = None;
                }
            }
        }
        s
    }

    fn example() -> ImportSummary {
        let options = ImportOptions {
            id_schemes: IdSchemes {
                id_scheme: Some(IdScheme::Code),
                data_element: Some(IdScheme::Attribute("uh6H2ff562G".into())),
                category_option: Some(IdScheme::Name),
                ..IdSchemes::default()
            },
            dry_run: true,
            strategy: ImportStrategy::Updates,
            preheat_cache: Some(false),
            strict_periods: true,
            strict_data_set_locking: true,
            first_row_is_header: false,
            data_set: Some("pBOMPrpg1QX".into()),
            atomic: true,
            ..ImportOptions::default()
        };
        ImportSummary {
            status: ImportStatus::Warning,
            import_options: Some(options),
            description: Some("Import process completed successfully".into()),
            import_count: ImportCount {
                imported: 1,
                updated: 2,
                ignored: 3,
                deleted: 4,
            },
            conflicts: vec![
                ImportConflict {
                    object: Some("nonEx1sting".into()),
                    objects: vec![("dataElement".into(), Some("nonEx1sting".into()))],
                    value: "Data element not found or not accessible: `nonEx1sting`".into(),
                    error_code: Some("E7610".into()),
                    property: Some("dataElement".into()),
                    indexes: Some(vec![0, 1]),
                },
                ImportConflict {
                    object: Some("OrganisationUnit".into()),
                    value: "Must be provided to complete data set".into(),
                    ..ImportConflict::default()
                },
                ImportConflict {
                    objects: vec![
                        ("organisationUnit".into(), Some("j7Hg26FpoIa".into())),
                        ("user".into(), None),
                    ],
                    value: "<&>\"' multi\nline\ttab\r".into(),
                    error_code: Some("E7617".into()),
                    indexes: Some(vec![]),
                    ..ImportConflict::default()
                },
            ],
            rejected_indexes: vec![0, 1, 2],
            data_set_complete: Some("2012-01-09".into()),
            profile: Some(ImporterProfile::Classic),
        }
    }

    #[test]
    fn summary_round_trips() {
        let s = example();
        assert_eq!(round_trip(&s), canonical(&s));
        let empty = ImportSummary::default();
        assert_eq!(round_trip(&empty), empty);
    }

    #[test]
    fn written_shape() {
        let mut xml = Vec::new();
        write_import_summary(&mut xml, &example()).unwrap();
        let xml = String::from_utf8(xml).unwrap();
        assert!(xml.starts_with("<?xml version='1.0' encoding='UTF-8'?>\n<importSummary xmlns=\"http://dhis2.org/schema/dxf/2.0\">\n  <responseType>ImportSummary</responseType>\n  <status>WARNING</status>\n  <importOptions>\n"), "{xml}");
        assert!(xml.contains("      <dataElementIdScheme>\n        <type>ATTRIBUTE</type>\n        <attribute>uh6H2ff562G</attribute>\n      </dataElementIdScheme>\n"), "{xml}");
        assert!(xml.contains(
            "  <importCount imported=\"1\" updated=\"2\" ignored=\"3\" deleted=\"4\"/>\n"
        ));
        assert!(xml.contains("    <conflict object=\"nonEx1sting\" value=\"Data element not found or not accessible: `nonEx1sting`\" errorCode=\"E7610\" property=\"dataElement\" indexes=\"0 1\">\n      <objects>\n        <dataElement>nonEx1sting</dataElement>\n      </objects>\n    </conflict>\n"), "{xml}");
        assert!(xml.contains("    <conflict object=\"OrganisationUnit\" value=\"Must be provided to complete data set\"/>\n"));
        assert!(xml.contains("        <user/>\n"));
        assert!(xml.contains("  <rejectedIndexes>\n    <rejectedIndexes>0</rejectedIndexes>\n"));
        assert!(
            xml.ends_with("  <dataSetComplete>2012-01-09</dataSetComplete>\n</importSummary>\n")
        );
        let mut xml = Vec::new();
        write_import_summary(&mut xml, &ImportSummary::default()).unwrap();
        let xml = String::from_utf8(xml).unwrap();
        assert!(
            xml.contains("  <conflicts/>\n  <rejectedIndexes/>\n</importSummary>"),
            "{xml}"
        );
    }

    #[test]
    fn tolerant_reading() {
        let xml = r#"<?xml version="1.0" encoding="UTF-8"?>
<s:webMessage xmlns:s="http://dhis2.org/schema/dxf/2.0" httpStatus="Conflict" httpStatusCode="409" status="ERROR">
  <s:message>An error occurred, please check import summary.</s:message>
  <s:response responseType="ImportSummary">
    <s:responseType>ImportSummary</s:responseType>
    <s:status>ERROR</s:status>
    <s:importCount><s:imported>0</s:imported><s:updated>0</s:updated><s:ignored>4</s:ignored><s:deleted>0</s:deleted></s:importCount>
    <s:conflicts>
      <s:conflict errorCode="E7604" indexes="1" indexes="2, 3">
        <s:value>Attribute option combo not found or not accessible: `inValidUid1`</s:value>
        <s:objects><s:categoryOptionCombo>inValidUid1</s:categoryOptionCombo><s:dataSet xsi:nil="true" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"/></s:objects>
        <s:indexes><s:indexes>4</s:indexes></s:indexes>
        <s:unknown a="b"><deep/></s:unknown>
      </s:conflict>
    </s:conflicts>
    <conflict object="x" value="legacy"/>
    <s:rejectedIndexes>5</s:rejectedIndexes>
    <s:rejectedIndexes>6</s:rejectedIndexes>
    <rejectedIndex>7</rejectedIndex>
    <s:importOptions>
      <s:idSchemes><s:orgUnitIdScheme type="CODE"/><s:dataSetIdScheme>ATTRIBUTE:uh6H2ff562G</s:dataSetIdScheme><s:idScheme/></s:idSchemes>
      <s:importStrategy>create_and_update</s:importStrategy>
      <s:strictPeriods> TRUE </s:strictPeriods>
      <s:notificationLevel>INFO</s:notificationLevel>
    </s:importOptions>
    <s:description>The import process failed: x &amp; y</s:description>
  </s:response>
</s:webMessage>"#;
        let s = read_import_summary(xml.as_bytes()).unwrap();
        assert_eq!(s.status, ImportStatus::Error);
        assert_eq!(s.import_count.ignored, 4);
        assert_eq!(s.conflicts.len(), 2);
        let c = &s.conflicts[0];
        assert_eq!(c.error_code.as_deref(), Some("E7604"));
        assert_eq!(
            c.value,
            "Attribute option combo not found or not accessible: `inValidUid1`"
        );
        assert_eq!(c.indexes, Some(vec![1, 2, 3, 4]));
        assert_eq!(
            c.objects,
            vec![
                (
                    "categoryOptionCombo".to_owned(),
                    Some("inValidUid1".to_owned())
                ),
                ("dataSet".to_owned(), None)
            ]
        );
        assert_eq!(s.conflicts[1].object.as_deref(), Some("x"));
        assert_eq!(s.conflicts[1].indexes, None);
        assert_eq!(s.rejected_indexes, vec![5, 6, 7]);
        let o = s.import_options.unwrap();
        assert_eq!(o.id_schemes.org_unit, Some(IdScheme::Code));
        assert_eq!(
            o.id_schemes.data_set,
            Some(IdScheme::Attribute("uh6H2ff562G".into()))
        );
        assert_eq!(o.id_schemes.id_scheme, None);
        assert_eq!(o.strategy, ImportStrategy::CreateAndUpdate);
        assert!(o.strict_periods);
        assert!(o.first_row_is_header);
        assert_eq!(
            s.description.as_deref(),
            Some("The import process failed: x & y")
        );
    }

    #[test]
    fn summary_errors() {
        let e = read_import_summary("<dataValueSet/>".as_bytes()).unwrap_err();
        assert!(
            matches!(e.kind(), ErrorKind::NotAnImportSummary { found } if found == "dataValueSet")
        );
        let e = read_import_summary("<webMessage status=\"OK\"/>".as_bytes()).unwrap_err();
        assert!(matches!(
            e.kind(),
            ErrorKind::MissingElement { name: "response" }
        ));
        let e = read_import_summary(
            "<importSummary>\n  <status>FINE</status>\n</importSummary>".as_bytes(),
        )
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "line 2, column 3: invalid status `FINE`: expected SUCCESS, WARNING or ERROR"
        );
        let e = read_import_summary(
            "<importSummary><importCount imported=\"-1\"/></importSummary>".as_bytes(),
        )
        .unwrap_err();
        assert_eq!(e.category(), crate::Category::Data);
        let e = read_import_summary("<importSummary><status>OK".as_bytes()).unwrap_err();
        assert!(e.is_eof());
        let e = read_import_summary("".as_bytes()).unwrap_err();
        assert!(matches!(e.kind(), ErrorKind::MissingElement { .. }));
        let e = read_import_summary("<importSummary/>trailing".as_bytes()).unwrap_err();
        assert_eq!(e.category(), crate::Category::Syntax);
        let bad = ImportSummary {
            conflicts: vec![ImportConflict {
                objects: vec![("not a name".into(), None)],
                ..ImportConflict::default()
            }],
            ..ImportSummary::default()
        };
        assert!(write_import_summary(Vec::new(), &bad).is_err());
        let bad = ImportSummary {
            description: Some("\0".into()),
            ..ImportSummary::default()
        };
        let e = write_import_summary(Vec::new(), &bad).unwrap_err();
        assert!(e.to_string().contains("<description>"), "{e}");
    }

    fn text() -> impl Strategy<Value = String> {
        proptest::collection::vec(
            prop_oneof![
                4 => any::<char>().prop_filter("no NUL", |c| *c != '\0'),
                1 => prop::sample::select(vec!['&', '<', '>', '"', '\'', '\n', '\r', '\t', ' ', '\u{1}']),
            ],
            0..10,
        )
        .prop_map(|chars| chars.into_iter().collect())
    }

    fn name() -> impl Strategy<Value = String> {
        "[a-zA-Z_][a-zA-Z0-9_.-]{0,8}"
    }

    fn conflict() -> impl Strategy<Value = ImportConflict> {
        (
            proptest::option::of(text()),
            proptest::collection::vec((name(), proptest::option::of(text())), 0..3),
            text(),
            proptest::option::of(text()),
            proptest::option::of(text()),
            proptest::option::of(proptest::collection::vec(any::<i64>(), 0..4)),
        )
            .prop_map(|(object, objects, value, error_code, property, indexes)| {
                ImportConflict {
                    object,
                    objects,
                    value,
                    error_code,
                    property,
                    indexes,
                }
            })
    }

    proptest! {
        #[test]
        fn any_summary_round_trips(
            status in prop::sample::select(vec![ImportStatus::Success, ImportStatus::Warning, ImportStatus::Error]),
            description in proptest::option::of(text()),
            counts in any::<(u64, u64, u64, u64)>(),
            conflicts in proptest::collection::vec(conflict(), 0..3),
            rejected in proptest::collection::vec(any::<i64>(), 0..4),
            complete in proptest::option::of(text()),
            with_options in any::<bool>(),
            data_set in proptest::option::of(text()),
            flags in any::<[bool; 6]>(),
        ) {
            let import_options = with_options.then(|| ImportOptions {
                dry_run: flags[0],
                force: flags[1],
                strict_periods: flags[2],
                atomic: flags[3],
                first_row_is_header: flags[4],
                preheat_cache: flags[5].then_some(flags[0]),
                data_set: data_set.filter(|d| !d.is_empty()),
                ..ImportOptions::default()
            });
            let summary = ImportSummary {
                status,
                import_options,
                description,
                import_count: ImportCount { imported: counts.0, updated: counts.1, ignored: counts.2, deleted: counts.3 },
                conflicts,
                rejected_indexes: rejected,
                data_set_complete: complete,
                profile: None,
            };
            prop_assert_eq!(round_trip(&summary), canonical(&summary));
        }
    }

    #[test]
    fn only_what_the_writer_can_write_is_read() {
        // A literal NUL in a text: refused with its position (the writer cannot write it).
        let e = read_import_summary(
            "<importSummary><description>\0</description></importSummary>".as_bytes(),
        )
        .unwrap_err();
        assert!(
            matches!(e.kind(), ErrorKind::InvalidChar { found: '\0', .. }),
            "{e}"
        );
        assert_eq!((e.line(), e.column()), (Some(1), Some(29)));
        // A key that is not an XML name.
        let e = read_import_summary(
            "<importSummary><conflict><objects><+e/></objects></conflict></importSummary>"
                .as_bytes(),
        )
        .unwrap_err();
        assert!(
            matches!(e.kind(), ErrorKind::InvalidName { what: "element", name } if name == "+e"),
            "{e}"
        );
        assert_eq!((e.line(), e.column()), (Some(1), Some(36)));
        let e = read_import_summary("<importSummary a:b:c=\"1\"/>".as_bytes()).unwrap_err();
        assert!(
            matches!(
                e.kind(),
                ErrorKind::InvalidName {
                    what: "attribute",
                    ..
                }
            ),
            "{e}"
        );
        // Every key read can be written back: any XML name without `:`.
        let xml = "<importSummary><conflict><objects><\u{e9}l\u{e9}ment>x</\u{e9}l\u{e9}ment><p:_k.1>y</p:_k.1></objects></conflict></importSummary>";
        let s = read_import_summary(xml.as_bytes()).unwrap();
        assert_eq!(
            s.conflicts[0].objects,
            vec![
                ("\u{e9}l\u{e9}ment".to_owned(), Some("x".to_owned())),
                ("_k.1".to_owned(), Some("y".to_owned()))
            ]
        );
        assert_eq!(round_trip(&s), s);
        for key in ["a:b", "+e", "1a", ""] {
            let bad = ImportSummary {
                conflicts: vec![ImportConflict {
                    objects: vec![(key.into(), None)],
                    ..ImportConflict::default()
                }],
                ..ImportSummary::default()
            };
            assert!(write_import_summary(Vec::new(), &bad).is_err(), "{key}");
        }
        // Characters that are only written as references read back.
        let s = ImportSummary {
            description: Some("\u{1}\u{fffe}\u{ffff}".into()),
            ..ImportSummary::default()
        };
        assert_eq!(round_trip(&s), s);
    }

    #[test]
    fn texts_are_bounded_and_unknown_elements_kept_nowhere() {
        let limits = ReadLimits::default().with_max_token_bytes(64);
        // Each event is short, but the text of <description> adds up past the limit.
        let pieces = "abc&amp;".repeat(20);
        let xml = format!("<importSummary>\n  <description>{pieces}</description></importSummary>");
        let e = read_import_summary_with_limits(xml.as_bytes(), limits).unwrap_err();
        assert!(
            matches!(e.kind(), ErrorKind::TokenTooLong { what, limit: 64 } if what == "the text of <description>"),
            "{e}"
        );
        assert_eq!((e.line(), e.column()), (Some(2), Some(3)));
        let xml = format!(
            "<importSummary><rejectedIndexes>{}</rejectedIndexes></importSummary>",
            "1 &#32;".repeat(40)
        );
        assert!(read_import_summary_with_limits(xml.as_bytes(), limits).is_err());
        // The same text in an element the reader does not know is skipped, not kept.
        let xml = format!("<importSummary><unknown>{pieces}<deep>{pieces}</deep></unknown><status>OK</status></importSummary>");
        assert_eq!(
            read_import_summary_with_limits(xml.as_bytes(), limits)
                .unwrap()
                .status,
            ImportStatus::Success
        );
        // One long token.
        let xml = format!("<importSummary><!--{}--></importSummary>", "x".repeat(100));
        let e = read_import_summary_with_limits(xml.as_bytes(), limits).unwrap_err();
        assert!(
            matches!(e.kind(), ErrorKind::TokenTooLong { what, .. } if what == "a comment"),
            "{e}"
        );
        assert_eq!(e.column(), Some(16));
    }
}
