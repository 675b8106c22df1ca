//! Reading an import summary document (or a web message carrying one).

use std::io::BufRead;

use dxf2_model::{
    IdScheme, IdSchemes, ImportConflict, ImportCount, ImportOptions, ImportStatus, ImportStrategy,
    ImportSummary, ReadLimits,
};

use crate::cursor::{position_in_tag, tag_error, Cursor, Ev};
use crate::error::{Error, ErrorKind, Position};
use crate::escape::{local_name, unescape_attribute, Attrs, ValueProblem};

/// Reads an import summary from an XML `importSummary` document or from a DHIS2 web message
/// (`webMessage`) whose `response` is the summary (see the [module docs](crate::summary) for the shapes
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

pub(super) fn read_summary_body<R: BufRead>(
    doc: &mut Doc<R>,
    el: &Element,
) -> Result<ImportSummary, Error> {
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

pub(super) fn parse_status(el: &Element, text: &str) -> Result<ImportStatus, Error> {
    text.trim()
        .parse()
        .map_err(|_| invalid(el.pos, &el.name, text, "SUCCESS, WARNING or ERROR"))
}

pub(super) fn invalid(pos: Position, name: &str, text: &str, expected: &'static str) -> Error {
    Error::at(
        ErrorKind::InvalidValue {
            name: name.to_owned(),
            text: text.to_owned(),
            expected,
        },
        pos,
    )
}

pub(super) fn parse_u64(pos: Position, name: &str, text: &str) -> Result<u64, Error> {
    text.trim()
        .parse()
        .map_err(|_| invalid(pos, name, text, "a non-negative integer"))
}

pub(super) fn parse_bool(pos: Position, name: &str, text: &str) -> Result<bool, Error> {
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
pub(super) fn parse_index_list(
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

pub(super) fn read_count<R: BufRead>(doc: &mut Doc<R>, el: &Element) -> Result<ImportCount, Error> {
    let mut count = ImportCount::default();
    pub(super) fn field<'c>(count: &'c mut ImportCount, name: &str) -> Option<&'c mut u64> {
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

pub(super) fn read_conflict<R: BufRead>(
    doc: &mut Doc<R>,
    el: &Element,
) -> Result<ImportConflict, Error> {
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
pub(super) fn read_indexes<R: BufRead>(
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

pub(super) fn read_options<R: BufRead>(
    doc: &mut Doc<R>,
    el: &Element,
) -> Result<ImportOptions, Error> {
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

pub(super) fn read_schemes<R: BufRead>(doc: &mut Doc<R>, el: &Element) -> Result<IdSchemes, Error> {
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
pub(super) fn read_scheme<R: BufRead>(
    doc: &mut Doc<R>,
    el: &Element,
) -> Result<Option<IdScheme>, Error> {
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

pub(super) fn unexpected_eof(pos: Position, name: &str) -> Error {
    Error::at(
        ErrorKind::UnexpectedEof {
            expected: format!("</{name}>"),
        },
        pos,
    )
}

/// A start tag, owned: local name, decoded attributes (local name, value, position).
pub(super) struct Element {
    name: String,
    attrs: Vec<(String, String, Position)>,
    empty: bool,
    depth: usize,
    pos: Position,
}

pub(super) enum Item {
    Start(Element),
    /// An end tag and the depth of the element it closes.
    End(usize),
    /// Text (line ends normalised, references resolved) and the depth of its element.
    Text(String, usize),
    Eof(Position),
}

/// Owned, allocation-happy events over a [`Cursor`], good enough for small summary documents.
pub(super) struct Doc<R> {
    cursor: Cursor<R>,
}

impl<R: BufRead> Doc<R> {
    pub(super) fn item(&mut self) -> Result<Item, Error> {
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
    pub(super) fn child(&mut self, parent: &Element) -> Result<Option<Element>, Error> {
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
    pub(super) fn text(&mut self, el: &Element) -> Result<String, Error> {
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
    pub(super) fn push_text(
        &self,
        el: &Element,
        text: &mut String,
        more: &str,
    ) -> Result<(), Error> {
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
    pub(super) fn skip(&mut self, el: &Element) -> Result<(), Error> {
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
pub(super) fn normalize_line_ends(raw: &str) -> String {
    if raw.contains('\r') {
        raw.replace("\r\n", "\n").replace('\r', "\n")
    } else {
        raw.to_owned()
    }
}
