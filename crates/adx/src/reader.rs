//! The streaming ADX reader: `adx` / `group` / `dataValue` / `annotation`, read as DHIS2 reads
//! them, with no metadata and no mapping (that is [`AdxSource`](crate::AdxSource)'s job).

use std::io::BufRead;

use dxf2_model::{ImporterProfile, ReadLimits};
use quick_xml::events::attributes::AttrError;
use quick_xml::events::BytesStart;
use quick_xml::XmlVersion;

use crate::error::{Error, ErrorKind, Position};
use crate::names::{is_namespace_declaration, is_qualified_name, local_name};
use crate::xml::{find_forbidden_char, Cursor, Ev};

/// The attributes of one ADX element, by local name, in document order, as DHIS2 reads them:
/// prefixes dropped (`x:foo` is `foo`), namespace declarations left out, values decoded
/// (references resolved, tabs and line breaks turned into spaces) but otherwise verbatim (an
/// empty value is an empty string). When two attributes have the same local name the later
/// value wins, in the earlier one's place (a Java `Map.put`).
///
/// All texts live in one buffer that is reused from element to element.
#[derive(Clone, Debug, Default)]
pub struct Attributes {
    buf: String,
    /// (name start, name end, value start, value end) in `buf`.
    spans: Vec<[usize; 4]>,
    /// Where each qualified name is in the tag text, to find duplicates without allocating
    /// (quick-xml's own check allocates per element).
    qualified: Vec<(usize, usize)>,
}

impl Attributes {
    fn clear(&mut self) {
        self.buf.clear();
        self.spans.clear();
        self.qualified.clear();
    }

    fn push(&mut self, name: &str, value: &str) {
        let existing = self
            .spans
            .iter()
            .position(|s| self.buf.get(s[0]..s[1]) == Some(name));
        let start = self.buf.len();
        self.buf.push_str(value);
        let end = self.buf.len();
        match existing.and_then(|i| self.spans.get_mut(i)) {
            Some(span) => {
                span[2] = start;
                span[3] = end;
            }
            None => {
                self.buf.push_str(name);
                self.spans.push([end, self.buf.len(), start, end]);
            }
        }
    }

    /// The value of the attribute with this local name.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.iter().find(|(n, _)| *n == name).map(|(_, v)| v)
    }

    /// Whether the element has an attribute with this local name.
    pub fn contains(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    /// Every attribute as (local name, value), in document order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> + '_ {
        self.spans
            .iter()
            .filter_map(move |s| Some((self.buf.get(s[0]..s[1])?, self.buf.get(s[2]..s[3])?)))
    }

    /// How many attributes there are.
    pub fn len(&self) -> usize {
        self.spans.len()
    }

    /// Whether there is none.
    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }
}

/// A `group` element: its attributes and where it is.
#[derive(Clone, Debug, Default)]
pub struct Group {
    attributes: Attributes,
    position: Option<Position>,
    index: u64,
}

impl Group {
    /// The group's attributes (`dataSet`, `period`, `orgUnit`, `attributeOptionCombo`,
    /// `completeDate`, category attributes, anything else).
    pub fn attributes(&self) -> &Attributes {
        &self.attributes
    }

    /// Shortcut for `attributes().get(name)`.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.attributes.get(name)
    }

    /// Where the `<group` start tag is.
    pub fn position(&self) -> Option<Position> {
        self.position
    }

    /// The group's 0-based index among the document's groups.
    pub fn index(&self) -> u64 {
        self.index
    }
}

/// A `dataValue` element: its attributes, its `annotation` and where it is.
#[derive(Clone, Debug, Default)]
pub struct AdxValue {
    attributes: Attributes,
    annotation: String,
    has_annotation: bool,
    position: Option<Position>,
    index: u64,
}

impl AdxValue {
    /// The value's attributes (`dataElement`, `value`, `categoryOptionCombo`, category
    /// attributes, `comment`, …).
    pub fn attributes(&self) -> &Attributes {
        &self.attributes
    }

    /// Shortcut for `attributes().get(name)`.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.attributes.get(name)
    }

    /// The text of the first `annotation` element inside the `dataValue` (at any depth), with
    /// references resolved and line ends normalised; `Some("")` for an empty annotation,
    /// `None` when there is none.
    pub fn annotation(&self) -> Option<&str> {
        self.has_annotation.then_some(self.annotation.as_str())
    }

    /// Where the `<dataValue` start tag is.
    pub fn position(&self) -> Option<Position> {
        self.position
    }

    /// The value's 0-based index among the document's values (DHIS2's numbering).
    pub fn index(&self) -> u64 {
        self.index
    }
}

/// What [`Reader::read_step`] found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    /// The start of a `group`: [`Reader::group`] holds it.
    Group,
    /// A `dataValue` of the current group: [`Reader::value`] holds it.
    Value,
    /// The end of the document (read to its end and found well-formed).
    End,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    /// Nothing read yet: the `adx` element is found on the first [`Reader::read_step`].
    Start(ImporterProfile),
    /// Inside `adx` (at this depth), looking for groups.
    InAdx(usize),
    /// Inside a group, looking for values: the depths of `adx` and of the group.
    InGroup(usize, usize),
    /// After `adx`: the rest of the document is checked and skipped.
    After,
    Done,
}

/// A streaming ADX reader over any [`BufRead`].
///
/// It reads the document once, holding one `group` and one `dataValue` at a time in reused
/// records; nothing is allocated per value once the buffers have grown. Elements are matched
/// by **local name** as DHIS2 does (the namespace `urn:ihe:qrph:adx:2015` is not required,
/// prefixes are fine):
///
/// * classic (2.36–2.42, the default): the first element named `adx` at any depth is the
///   document (DHIS2 skips what comes before it; none at all is
///   [`ErrorKind::NoAdxElement`]);
/// * pipeline (2.43+): the root element must be `adx` ([`ErrorKind::NoRootElement`],
///   [`ErrorKind::UnexpectedRoot`], [`ErrorKind::DataValueSet`], DHIS2's `E8007`).
///
/// Inside `adx`, `group` elements are found at any depth (other elements are skipped), and
/// `dataValue` elements at any depth inside a group; a group inside a group is refused. Of a
/// value's content only the first `annotation` is read (text only). The whole document must be
/// well-formed UTF-8 XML; DTDs are never read and no entity but the five XML predefines is
/// known (see the crate docs).
///
/// ```
/// use adx::{Reader, Step};
///
/// let xml = r#"<adx xmlns="urn:ihe:qrph:adx:2015">
///   <group dataSet="MAL" period="2024-01-01/P1M" orgUnit="OU1">
///     <dataValue dataElement="CASES" sex="F" value="3"/>
///     <dataValue dataElement="NOTE" value="0"><annotation>all &amp; well</annotation></dataValue>
///   </group>
/// </adx>"#;
/// let mut reader = Reader::new(xml.as_bytes());
/// assert_eq!(reader.read_step()?, Step::Group);
/// assert_eq!(reader.group().get("period"), Some("2024-01-01/P1M"));
/// assert_eq!(reader.read_step()?, Step::Value);
/// assert_eq!(reader.value().get("sex"), Some("F"));
/// assert_eq!(reader.read_step()?, Step::Value);
/// assert_eq!(reader.value().annotation(), Some("all & well"));
/// assert_eq!(reader.value().position().map(|p| p.line), Some(4));
/// assert_eq!(reader.read_step()?, Step::End);
/// # Ok::<(), adx::Error>(())
/// ```
pub struct Reader<R> {
    cursor: Cursor<R>,
    state: State,
    group: Group,
    value: AdxValue,
    groups_read: u64,
    values_read: u64,
}

impl<R: BufRead> Reader<R> {
    /// A classic (2.36–2.42) reader with the default [`ReadLimits`]. Nothing is read before
    /// the first [`Reader::read_step`].
    pub fn new(inner: R) -> Reader<R> {
        Reader::with_options(inner, ImporterProfile::Classic, ReadLimits::default())
    }

    /// A reader for a DHIS2 generation with explicit limits.
    pub fn with_options(inner: R, profile: ImporterProfile, limits: ReadLimits) -> Reader<R> {
        Reader {
            cursor: Cursor::new(inner, limits),
            state: State::Start(profile),
            group: Group::default(),
            value: AdxValue::default(),
            groups_read: 0,
            values_read: 0,
        }
    }

    /// The current group (after [`Step::Group`], and while its values are read).
    pub fn group(&self) -> &Group {
        &self.group
    }

    /// The current value (after [`Step::Value`]).
    pub fn value(&self) -> &AdxValue {
        &self.value
    }

    /// How many `group` elements were read so far.
    pub fn groups_read(&self) -> u64 {
        self.groups_read
    }

    /// How many `dataValue` elements were read so far.
    pub fn values_read(&self) -> u64 {
        self.values_read
    }

    /// Reads on to the next group start, value or the end of the document (the first call finds
    /// the `adx` element: [`ErrorKind::NoAdxElement`], [`ErrorKind::UnexpectedRoot`], …).
    pub fn read_step(&mut self) -> Result<Step, Error> {
        let group_index = self.groups_read.checked_sub(1);
        self.advance().map_err(|e| match (self.state, group_index) {
            (State::InGroup(..), Some(g)) => e.with_group_index(g),
            _ => e,
        })
    }

    fn advance(&mut self) -> Result<Step, Error> {
        loop {
            match self.state {
                State::Start(profile) => self.state = open(&mut self.cursor, profile)?,
                State::Done => return Ok(Step::End),
                State::After => {
                    let done = self.cursor.next(|_, ev| Ok(matches!(ev, Ev::Eof)))?;
                    if done {
                        self.state = State::Done;
                    }
                }
                State::InAdx(adx_depth) => {
                    enum Found {
                        Group(usize, bool),
                        Left,
                        Nothing,
                    }
                    let group = &mut self.group;
                    let index = self.groups_read;
                    let found = self.cursor.next(|pos, ev| match ev {
                        Ev::Start { tag, empty, depth }
                            if local_name(tag.name().into_inner()) == "group" =>
                        {
                            read_attributes(&tag, pos, &mut group.attributes)?;
                            group.position = Some(pos);
                            group.index = index;
                            Ok(Found::Group(depth, empty))
                        }
                        Ev::End { depth } if depth == adx_depth => Ok(Found::Left),
                        Ev::Eof => Ok(Found::Left),
                        _ => Ok(Found::Nothing),
                    })?;
                    match found {
                        Found::Group(depth, empty) => {
                            self.groups_read += 1;
                            if !empty {
                                self.state = State::InGroup(adx_depth, depth);
                            }
                            return Ok(Step::Group);
                        }
                        Found::Left => self.state = State::After,
                        Found::Nothing => {}
                    }
                }
                State::InGroup(adx_depth, group_depth) => {
                    enum Found {
                        Value(usize, bool),
                        Left,
                        Nothing,
                    }
                    let value = &mut self.value;
                    let index = self.values_read;
                    let found = self.cursor.next(|pos, ev| match ev {
                        Ev::Start { tag, empty, depth } => {
                            match local_name(tag.name().into_inner()) {
                                "dataValue" => {
                                    read_attributes(&tag, pos, &mut value.attributes)?;
                                    value.position = Some(pos);
                                    value.index = index;
                                    value.annotation.clear();
                                    value.has_annotation = false;
                                    Ok(Found::Value(depth, empty))
                                }
                                "group" => Err(Error::at(ErrorKind::NestedGroup, pos)),
                                _ => Ok(Found::Nothing),
                            }
                        }
                        Ev::End { depth } if depth == group_depth => Ok(Found::Left),
                        _ => Ok(Found::Nothing),
                    })?;
                    match found {
                        Found::Value(depth, empty) => {
                            self.values_read += 1;
                            if !empty {
                                self.read_value_content(depth)
                                    .map_err(|e| e.with_value_index(index))?;
                            }
                            return Ok(Step::Value);
                        }
                        Found::Left => self.state = State::InAdx(adx_depth),
                        Found::Nothing => {}
                    }
                }
            }
        }
    }

    /// Reads the content of a `dataValue` (at `value_depth`) to its end tag, keeping the text of
    /// the first `annotation`.
    fn read_value_content(&mut self, value_depth: usize) -> Result<(), Error> {
        #[derive(Clone, Copy, PartialEq)]
        enum Mode {
            Looking,
            InAnnotation(usize),
            Done,
        }
        let limit = self.cursor.token_limit();
        let mut mode = Mode::Looking;
        loop {
            let value = &mut self.value;
            let step = self.cursor.next(|pos, ev| {
                // Literal text is subject to line-end normalisation, references are not.
                let mut push = |text: &str, literal: bool| -> Result<(), Error> {
                    if value.annotation.len().saturating_add(text.len()) > limit {
                        return Err(Error::at(
                            ErrorKind::TokenTooLong {
                                what: "the text of an annotation".to_owned(),
                                limit,
                            },
                            pos,
                        ));
                    }
                    if literal {
                        push_normalized(&mut value.annotation, text);
                    } else {
                        value.annotation.push_str(text);
                    }
                    Ok(())
                };
                match (ev, mode) {
                    (Ev::End { depth }, _) if depth == value_depth => Ok(None),
                    (Ev::End { depth }, Mode::InAnnotation(d)) if depth == d => {
                        Ok(Some(Mode::Done))
                    }
                    (Ev::Start { tag, .. }, Mode::InAnnotation(_)) => Err(Error::at(
                        ErrorKind::AnnotationNotText {
                            found: local_name(tag.name().into_inner()).to_owned(),
                        },
                        pos,
                    )),
                    (Ev::Start { tag, empty, depth }, Mode::Looking) => {
                        match local_name(tag.name().into_inner()) {
                            "annotation" => {
                                value.has_annotation = true;
                                Ok(Some(if empty {
                                    Mode::Done
                                } else {
                                    Mode::InAnnotation(depth)
                                }))
                            }
                            "group" => Err(Error::at(ErrorKind::NestedGroup, pos)),
                            _ => Ok(Some(mode)),
                        }
                    }
                    (Ev::Text(text) | Ev::CData(text), Mode::InAnnotation(_)) => {
                        push(text, true)?;
                        Ok(Some(mode))
                    }
                    (Ev::Ref(c), Mode::InAnnotation(_)) => {
                        push(c.encode_utf8(&mut [0; 4]), false)?;
                        Ok(Some(mode))
                    }
                    _ => Ok(Some(mode)),
                }
            })?;
            match step {
                None => return Ok(()),
                Some(next) => mode = next,
            }
        }
    }
}

/// Finds the `adx` element as the given DHIS2 generation does.
fn open<R: BufRead>(cursor: &mut Cursor<R>, profile: ImporterProfile) -> Result<State, Error> {
    loop {
        let found = cursor.next(|pos, ev| match ev {
            Ev::Start { tag, empty, depth } => {
                let name = local_name(tag.name().into_inner());
                if name == "adx" {
                    // Its attributes are never read, but they must be well-formed.
                    read_attributes(&tag, pos, &mut Attributes::default())?;
                    return Ok(Some(if empty {
                        State::After
                    } else {
                        State::InAdx(depth)
                    }));
                }
                match profile {
                    ImporterProfile::Classic => Ok(None),
                    ImporterProfile::Pipeline if name == "dataValueSet" => {
                        Err(Error::at(ErrorKind::DataValueSet, pos))
                    }
                    ImporterProfile::Pipeline => Err(Error::at(
                        ErrorKind::UnexpectedRoot {
                            found: name.to_owned(),
                        },
                        pos,
                    )),
                }
            }
            Ev::Eof => Err(Error::at(
                match profile {
                    ImporterProfile::Classic => ErrorKind::NoAdxElement,
                    ImporterProfile::Pipeline => ErrorKind::NoRootElement,
                },
                pos,
            )),
            _ => Ok(None),
        })?;
        if let Some(state) = found {
            return Ok(state);
        }
    }
}

/// Appends `text` with XML's line-end normalisation (CR LF and lone CR become LF).
fn push_normalized(out: &mut String, text: &str) {
    if !text.contains('\r') {
        out.push_str(text);
        return;
    }
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\r' {
            if chars.peek() == Some(&'\n') {
                chars.next();
            }
            out.push('\n');
        } else {
            out.push(c);
        }
    }
}

/// Reads the attributes of a start tag at `pos` into `out` (cleared first).
fn read_attributes(tag: &BytesStart<'_>, pos: Position, out: &mut Attributes) -> Result<(), Error> {
    out.clear();
    let text: &str = tag;
    let at = |offset: usize| {
        pos.advance(b"<")
            .advance(text.as_bytes().get(..offset).unwrap_or_default())
    };
    let name_len = tag.name().into_inner().len();
    for attr in tag.attributes().with_checks(false) {
        let attr = attr.map_err(|e| attr_error(&e, text, at))?;
        let key = attr.key.into_inner();
        let key_offset = offset_in(text, key).unwrap_or(name_len);
        let same = |&(start, end): &(usize, usize)| text.get(start..end) == Some(key);
        if out.qualified.iter().any(same) {
            return Err(Error::at(
                ErrorKind::DuplicateAttribute {
                    name: key.to_owned(),
                },
                at(key_offset),
            ));
        }
        out.qualified.push((key_offset, key_offset + key.len()));
        if !is_qualified_name(key) {
            return Err(Error::at(
                ErrorKind::InvalidName {
                    what: "attribute",
                    name: key.to_owned(),
                },
                at(key_offset),
            ));
        }
        if let Some((i, found)) = find_forbidden_char(&attr.value) {
            let value_offset = offset_in(text, &attr.value).map_or(key_offset, |o| o + i);
            return Err(Error::at(
                ErrorKind::InvalidChar {
                    found,
                    context: "an attribute value",
                },
                at(value_offset),
            ));
        }
        if is_namespace_declaration(key) {
            continue;
        }
        let value = attr
            .normalized_value(XmlVersion::Implicit1_0)
            .map_err(|e| {
                let reference = attr
                    .value
                    .split_once('&')
                    .and_then(|(_, rest)| rest.split_once(';'))
                    .map(|(r, _)| r.to_owned())
                    .unwrap_or_default();
                Error::at(
                    ErrorKind::InvalidReference {
                        reference,
                        message: format!("in attribute `{key}`: {e}"),
                    },
                    at(offset_in(text, &attr.value).unwrap_or(key_offset)),
                )
            })?;
        if value.contains('\0') {
            return Err(Error::at(
                ErrorKind::InvalidReference {
                    reference: "#0".to_owned(),
                    message: "U+0000 is not allowed in XML".to_owned(),
                },
                at(key_offset),
            ));
        }
        out.push(local_name(key), &value);
    }
    Ok(())
}

/// The byte offset of `part` inside `whole`, when `part` is a slice of it.
fn offset_in(whole: &str, part: &str) -> Option<usize> {
    let start = whole.as_ptr() as usize;
    let p = part.as_ptr() as usize;
    (p >= start && p + part.len() <= start + whole.len()).then(|| p - start)
}

fn attr_error(e: &AttrError, text: &str, at: impl Fn(usize) -> Position) -> Error {
    match e {
        AttrError::Duplicated(offset, _) => {
            let name = text
                .get(*offset..)
                .unwrap_or_default()
                .split(|c: char| c == '=' || c.is_whitespace())
                .next()
                .unwrap_or_default()
                .to_owned();
            Error::at(ErrorKind::DuplicateAttribute { name }, at(*offset))
        }
        AttrError::ExpectedEq(o)
        | AttrError::ExpectedValue(o)
        | AttrError::UnquotedValue(o)
        | AttrError::ExpectedQuote(o, _) => Error::at(
            ErrorKind::Syntax {
                message: format!("malformed attribute: {e}"),
            },
            at(*o),
        ),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    /// Reads a whole document into a trace.
    fn trace(xml: &str, profile: ImporterProfile) -> Result<Vec<String>, Error> {
        let mut reader = Reader::with_options(xml.as_bytes(), profile, ReadLimits::default());
        let mut out = Vec::new();
        loop {
            match reader.read_step()? {
                Step::Group => {
                    let g = reader.group();
                    let attrs: Vec<String> = g
                        .attributes()
                        .iter()
                        .map(|(k, v)| format!("{k}={v}"))
                        .collect();
                    out.push(format!("group#{} {}", g.index(), attrs.join(" ")));
                }
                Step::Value => {
                    let v = reader.value();
                    let attrs: Vec<String> = v
                        .attributes()
                        .iter()
                        .map(|(k, v)| format!("{k}={v}"))
                        .collect();
                    let p = v.position().unwrap();
                    out.push(format!(
                        "value#{} {}:{} {} {:?}",
                        v.index(),
                        p.line,
                        p.column,
                        attrs.join(" "),
                        v.annotation()
                    ));
                }
                Step::End => return Ok(out),
            }
        }
    }

    fn classic(xml: &str) -> Result<Vec<String>, Error> {
        trace(xml, ImporterProfile::Classic)
    }

    #[test]
    fn reads_groups_values_and_annotations() {
        let xml = "<adx xmlns=\"urn:ihe:qrph:adx:2015\" exported=\"2024\">\n\
            <group orgUnit=\"OU\" period=\"2024-01-01/P1M\" x:sex=\"F\" xmlns:x=\"urn:x\">\n\
            <dataValue dataElement=\"DE\" value=\"1\"/>\n\
            <dataValue dataElement=\"T\" value=\"0\"><annotation>a&lt;b\r\nc<![CDATA[ & d]]></annotation><annotation>2nd</annotation></dataValue>\n\
            <other><dataValue dataElement=\"deep\" value=\"\"/></other>\n\
            </group>\n\
            <group period=\"p\"/>\n\
            <x><group period=\"q\"><dataValue dataElement=\"E\" value=\"2\"><annotation/></dataValue></group></x>\n\
            </adx>";
        assert_eq!(
            classic(xml).unwrap(),
            vec![
                "group#0 orgUnit=OU period=2024-01-01/P1M sex=F",
                "value#0 3:1 dataElement=DE value=1 None",
                "value#1 4:1 dataElement=T value=0 Some(\"a<b\\nc & d\")",
                "value#2 6:8 dataElement=deep value= None",
                "group#1 period=p",
                "group#2 period=q",
                "value#3 9:22 dataElement=E value=2 Some(\"\")",
            ]
        );
    }

    #[test]
    fn attribute_values_are_normalised_and_duplicates_by_local_name_replace() {
        let xml = "<adx><group a:x=\"1\" b:x=\"2\" t=\"a\tb\nc\" e=\"&#65;&amp;\"/></adx>";
        assert_eq!(classic(xml).unwrap(), vec!["group#0 x=2 t=a b c e=A&"]);
        let e = classic("<adx><group x=\"1\" x=\"2\"/></adx>").unwrap_err();
        assert!(
            matches!(e.kind(), ErrorKind::DuplicateAttribute { name } if name == "x"),
            "{e}"
        );
        assert_eq!(e.column(), Some(19));
        let e = classic("<adx><group x=\"&e;\"/></adx>").unwrap_err();
        assert!(
            matches!(e.kind(), ErrorKind::InvalidReference { .. }),
            "{e}"
        );
    }

    #[test]
    fn finding_the_adx_element() {
        // Classic: anywhere; what comes before is skipped.
        assert_eq!(
            classic("<env><group period=\"no\"/><adx><group period=\"p\"/></adx></env>").unwrap(),
            vec!["group#0 period=p"]
        );
        assert_eq!(classic("<adx/>").unwrap(), Vec::<String>::new());
        assert_eq!(
            classic("<adx xmlns=\"urn:ihe:qrph:adx:2015\"></adx>").unwrap(),
            Vec::<String>::new()
        );
        let e = classic("<dataValueSet/>").unwrap_err();
        assert!(matches!(e.kind(), ErrorKind::NoAdxElement), "{e}");
        assert!(matches!(
            classic("").unwrap_err().kind(),
            ErrorKind::NoAdxElement
        ));
        // Pipeline: the root element decides (E8007).
        let pipeline = |xml: &str| trace(xml, ImporterProfile::Pipeline);
        assert!(pipeline("<a:adx xmlns:a=\"urn:x\"/>").unwrap().is_empty());
        let e = pipeline("<env><adx/></env>").unwrap_err();
        assert_eq!(
            e.to_string(),
            "line 1, column 1: Neither <dataValueSet> nor <adx> root tag found but: <env>"
        );
        assert_eq!(e.dhis2_code(), Some("E8007"));
        assert!(matches!(
            pipeline("").unwrap_err().kind(),
            ErrorKind::NoRootElement
        ));
        assert!(matches!(
            pipeline("<dataValueSet/>").unwrap_err().kind(),
            ErrorKind::DataValueSet
        ));
    }

    #[test]
    fn structural_errors_have_positions() {
        let e = classic("<adx>\n<group><group/></group></adx>").unwrap_err();
        assert!(matches!(e.kind(), ErrorKind::NestedGroup), "{e}");
        assert_eq!(
            (e.line(), e.column(), e.group_index()),
            (Some(2), Some(8), Some(0))
        );
        let e = classic(
            "<adx><group><dataValue><annotation>a<b/></annotation></dataValue></group></adx>",
        )
        .unwrap_err();
        assert!(
            matches!(e.kind(), ErrorKind::AnnotationNotText { found } if found == "b"),
            "{e}"
        );
        assert_eq!(e.value_index(), Some(0));
        // Truncated inside a value.
        let e = classic("<adx><group>\n<dataValue dataElement=\"a\">").unwrap_err();
        assert!(e.is_eof(), "{e}");
        // Trailing garbage after adx is found.
        let e = classic("<adx/>junk").unwrap_err();
        assert!(e.to_string().contains("after the end of the root"), "{e}");
    }
}
