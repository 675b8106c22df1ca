//! A checked stream of XML events over quick-xml, with positions.
//!
//! quick-xml parses markup but leaves some well-formedness rules to its user; [`Cursor`] adds
//! them: one root element, no text or references outside it, the XML declaration only at the
//! very start, a DOCTYPE only before the root (never read), references limited to the five
//! predefined entities and character references, no end of input inside an element. Elements
//! are handed out with their nesting depth and the position of their `<`.
//!
//! Positions are tracked by counting lines and characters in the bytes of each event, which
//! quick-xml leaves in the one reused event buffer (every consumed byte except a UTF-8 byte
//! order mark goes there).
//!
//! Memory is bounded: quick-xml reads through a [`Limited`] adapter, so no event (text run,
//! comment, CDATA section, DOCTYPE, processing instruction, tag) longer than
//! [`ReadLimits::max_token_bytes`] is ever held ([`ErrorKind::TokenTooLong`]); elements nest at
//! most [`MAX_DEPTH`] levels and the names of the open elements together are bounded by the
//! same limit. Characters XML 1.0 does not allow (C0 controls other than tab, LF and CR,
//! U+FFFE, U+FFFF) and element names that are not XML names are refused wherever they are.

use std::io::BufRead;

use dxf2_model::ReadLimits;
use quick_xml::errors::{Error as XmlError, IllFormedError, SyntaxError};
use quick_xml::events::{BytesCData, BytesStart, BytesText, Event};

use crate::error::{Error, ErrorKind, Position};
use crate::escape::{
    find_forbidden_char, is_qualified_name, is_xml_space, resolve_reference, TagProblem,
};
use crate::limit::Limited;

/// The deepest element nesting accepted (as in the JSON reader and Woodstox's default).
pub(crate) const MAX_DEPTH: usize = 1000;

/// An event handed to a [`Cursor::next`] callback. Comments, processing instructions, the XML
/// declaration, the DOCTYPE and white space outside the root are consumed by the cursor.
pub(crate) enum Ev<'a> {
    /// A start tag (`empty` for `<x/>`); `depth` is 1 for the root element.
    Start {
        tag: BytesStart<'a>,
        empty: bool,
        depth: usize,
    },
    /// An end tag; `depth` is the depth of the element it closes (1 for the root).
    End { depth: usize },
    /// Character data inside the root, raw: not unescaped, line ends not normalised.
    Text(BytesText<'a>),
    /// A resolved entity or character reference inside the root.
    Ref(char),
    /// A CDATA section inside the root.
    CData(BytesCData<'a>),
    /// The end of a complete document.
    Eof,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Root {
    Before,
    Inside,
    After,
}

/// See the module docs.
pub(crate) struct Cursor<R> {
    xml: quick_xml::Reader<Limited<R>>,
    buf: Vec<u8>,
    /// Position of the first byte of `buf` (the start of the current event).
    pos: Position,
    /// Names of the open elements, concatenated; `starts` holds where each begins.
    names: String,
    starts: Vec<usize>,
    events: u64,
    root: Root,
    seen_doctype: bool,
    failed: bool,
}

impl<R: BufRead> Cursor<R> {
    pub(crate) fn new(inner: R, limits: ReadLimits) -> Cursor<R> {
        let mut xml = quick_xml::Reader::from_reader(Limited::new(inner, limits.max_token_bytes));
        let config = xml.config_mut();
        config.check_comments = true;
        config.check_end_names = true;
        config.expand_empty_elements = false;
        config.trim_text(false);
        Cursor {
            xml,
            buf: Vec::with_capacity(512),
            pos: Position::START,
            names: String::new(),
            starts: Vec::new(),
            events: 0,
            root: Root::Before,
            seen_doctype: false,
            failed: false,
        }
    }

    /// Number of open elements.
    pub(crate) fn depth(&self) -> usize {
        self.starts.len()
    }

    /// The longest token in bytes ([`ReadLimits::max_token_bytes`]).
    pub(crate) fn token_limit(&self) -> usize {
        self.xml.get_ref().limit()
    }

    /// Reads the next event and hands it to `f` with the position of its first byte. Errors of
    /// the XML layer come back as errors; after an error the cursor only reports [`Ev::Eof`].
    pub(crate) fn next<T>(
        &mut self,
        f: impl FnOnce(Position, Ev<'_>) -> Result<T, Error>,
    ) -> Result<T, Error> {
        loop {
            self.pos = self.pos.advance(&self.buf);
            self.buf.clear();
            if self.failed {
                return f(self.pos, Ev::Eof);
            }
            let start_offset = self.xml.buffer_position();
            let first = self.events == 0;
            self.events += 1;
            let pos = self.pos;
            self.xml.get_mut().start_token();
            let event = match self.xml.read_event_into(&mut self.buf) {
                Ok(_) if self.xml.get_ref().exceeded() => {
                    self.failed = true;
                    return Err(self.too_long());
                }
                Ok(event) => event,
                Err(_) if self.xml.get_ref().exceeded() => {
                    self.failed = true;
                    return Err(self.too_long());
                }
                Err(e) => {
                    self.failed = true;
                    let at_eof = matches!(e, XmlError::Syntax(_))
                        && self
                            .xml
                            .get_mut()
                            .inner_mut()
                            .fill_buf()
                            .is_ok_and(|rest| rest.is_empty());
                    return Err(self.xml_error(e, start_offset, at_eof));
                }
            };
            let depth = self.starts.len();
            // Comments, processing instructions, the declaration and the DOCTYPE are checked
            // for characters XML does not allow once the event is done with.
            let mut check_chars = false;
            let checked = match event {
                Event::Start(tag) => {
                    let name = tag.name().into_inner();
                    let limit = self.xml.get_ref().limit();
                    if let Err(e) = check_start_tag(name, depth, self.names.len(), limit, pos) {
                        Err(e)
                    } else if self.root == Root::After {
                        Err(second_root(pos))
                    } else {
                        self.root = Root::Inside;
                        self.starts.push(self.names.len());
                        self.names.push_str(name);
                        return f(
                            pos,
                            Ev::Start {
                                tag,
                                empty: false,
                                depth: depth + 1,
                            },
                        );
                    }
                }
                Event::Empty(tag) => {
                    let name = tag.name().into_inner();
                    if let Err(e) = check_start_tag(name, depth, 0, usize::MAX, pos) {
                        Err(e)
                    } else if self.root == Root::After {
                        Err(second_root(pos))
                    } else {
                        if depth == 0 {
                            self.root = Root::After;
                        } else {
                            self.root = Root::Inside;
                        }
                        return f(
                            pos,
                            Ev::Start {
                                tag,
                                empty: true,
                                depth: depth + 1,
                            },
                        );
                    }
                }
                Event::End(_) => {
                    if let Some(start) = self.starts.pop() {
                        self.names.truncate(start);
                    }
                    if depth <= 1 {
                        self.root = Root::After;
                    }
                    return f(pos, Ev::End { depth });
                }
                Event::Text(text) => {
                    if let Some((at, found)) = find_forbidden_char(text.as_bytes()) {
                        Err(Error::at(
                            ErrorKind::InvalidChar {
                                found,
                                context: "text",
                            },
                            pos.advance(text.as_bytes().get(..at).unwrap_or_default()),
                        ))
                    } else if depth > 0 {
                        return f(pos, Ev::Text(text));
                    } else {
                        match text.as_bytes().iter().position(|&b| !is_xml_space(b)) {
                            None => Ok(()),
                            Some(i) => Err(Error::at(
                                ErrorKind::syntax(outside_root(self.root, "text")),
                                pos.advance(text.as_bytes().get(..i).unwrap_or_default()),
                            )),
                        }
                    }
                }
                Event::GeneralRef(reference) => {
                    let name: &str = &reference;
                    match resolve_reference(name) {
                        Err(message) => Err(Error::at(
                            ErrorKind::InvalidReference {
                                reference: name.to_owned(),
                                message,
                            },
                            pos,
                        )),
                        Ok(_) if depth == 0 => Err(Error::at(
                            ErrorKind::syntax(outside_root(self.root, "a reference")),
                            pos,
                        )),
                        Ok(c) => return f(pos, Ev::Ref(c)),
                    }
                }
                Event::CData(cdata) => {
                    if let Some((at, found)) = find_forbidden_char(cdata.as_bytes()) {
                        Err(Error::at(
                            ErrorKind::InvalidChar {
                                found,
                                context: "a CDATA section",
                            },
                            pos.advance(b"<![CDATA[")
                                .advance(cdata.as_bytes().get(..at).unwrap_or_default()),
                        ))
                    } else if depth > 0 {
                        return f(pos, Ev::CData(cdata));
                    } else {
                        Err(Error::at(
                            ErrorKind::syntax(outside_root(self.root, "a CDATA section")),
                            pos,
                        ))
                    }
                }
                Event::Decl(decl) => {
                    if !first {
                        Err(Error::at(
                            ErrorKind::syntax(
                                "the XML declaration `<?xml …?>` must be at the very start of the document",
                            ),
                            pos,
                        ))
                    } else {
                        match decl.encoding() {
                            Some(Ok(encoding)) if !is_utf8_compatible(&encoding) => Err(Error::at(
                                ErrorKind::UnsupportedEncoding {
                                    encoding: encoding.into_owned(),
                                },
                                pos,
                            )),
                            Some(Err(e)) => Err(Error::at(
                                ErrorKind::syntax(format!("invalid XML declaration: {e}")),
                                pos,
                            )),
                            _ => {
                                check_chars = true;
                                Ok(())
                            }
                        }
                    }
                }
                Event::DocType(_) => {
                    if self.root != Root::Before || self.seen_doctype {
                        Err(Error::at(
                            ErrorKind::syntax(
                                "a DOCTYPE is only allowed once, before the root element",
                            ),
                            pos,
                        ))
                    } else {
                        // Never read: no entity it declares is known, no external DTD is fetched.
                        self.seen_doctype = true;
                        check_chars = true;
                        Ok(())
                    }
                }
                Event::Comment(_) | Event::PI(_) => {
                    check_chars = true;
                    Ok(())
                }
                Event::Eof => {
                    if depth > 0 {
                        let name = self
                            .starts
                            .last()
                            .and_then(|s| self.names.get(*s..))
                            .unwrap_or_default();
                        Err(Error::at(
                            ErrorKind::UnexpectedEof {
                                expected: format!("</{name}>"),
                            },
                            pos,
                        ))
                    } else {
                        return f(pos, Ev::Eof);
                    }
                }
            };
            if let Err(e) = checked {
                self.failed = true;
                return Err(e);
            }
            if check_chars {
                if let Some((at, found)) = find_forbidden_char(&self.buf) {
                    self.failed = true;
                    return Err(Error::at(
                        ErrorKind::InvalidChar {
                            found,
                            context: markup_kind(&self.buf).1,
                        },
                        self.pos.advance(self.buf.get(..at).unwrap_or_default()),
                    ));
                }
            }
        }
    }

    /// The error for a token longer than the limit, whose first `limit + 1` bytes are in the
    /// buffer. A character XML does not allow or bytes that are not UTF-8 in those bytes are
    /// reported instead (they explain more: `/dev/zero` is not a long text run).
    fn too_long(&self) -> Error {
        let buf = &self.buf;
        let valid = match std::str::from_utf8(buf) {
            Ok(_) => buf.len(),
            Err(e) if e.error_len().is_some() => {
                return Error::at(
                    ErrorKind::InvalidUtf8,
                    self.pos
                        .advance(buf.get(..e.valid_up_to()).unwrap_or_default()),
                )
            }
            // A character cut at the end of the buffer.
            Err(e) => e.valid_up_to(),
        };
        let checked = buf.get(..valid).unwrap_or_default();
        let (what, context) = markup_kind(buf);
        if let Some((at, found)) = find_forbidden_char(checked) {
            return Error::at(
                ErrorKind::InvalidChar { found, context },
                self.pos.advance(checked.get(..at).unwrap_or_default()),
            );
        }
        let limit = self.xml.get_ref().limit();
        let (what, pos) = match (what, buf.get(1..)) {
            ("a start tag", Some(tag)) => describe_start_tag(tag, self.pos),
            _ => (what.to_owned(), self.pos),
        };
        Error::at(ErrorKind::TokenTooLong { what, limit }, pos)
    }

    /// Converts a quick-xml error, locating it in the event buffer. `at_eof`: the input is
    /// exhausted, so an unclosed construct means a truncated document.
    fn xml_error(&self, e: XmlError, start_offset: u64, at_eof: bool) -> Error {
        let in_event = match &e {
            XmlError::Encoding(quick_xml::encoding::EncodingError::Utf8(u)) => {
                Some(u.valid_up_to())
            }
            _ => self
                .xml
                .error_position()
                .checked_sub(start_offset)
                .and_then(|r| usize::try_from(r).ok()),
        };
        let consumed = match in_event {
            Some(r) if r <= self.buf.len() => self.buf.get(..r).unwrap_or_default(),
            _ => &self.buf,
        };
        let pos = self.pos.advance(consumed);
        let kind = match e {
            XmlError::Io(io) => {
                ErrorKind::Io(std::sync::Arc::try_unwrap(io).unwrap_or_else(|shared| {
                    std::io::Error::new(shared.kind(), shared.to_string())
                }))
            }
            XmlError::Encoding(_) => ErrorKind::InvalidUtf8,
            XmlError::IllFormed(IllFormedError::MismatchedEndTag { expected, found }) => {
                ErrorKind::MismatchedEndTag { expected, found }
            }
            XmlError::IllFormed(IllFormedError::UnmatchedEndTag(name)) => {
                ErrorKind::UnmatchedEndTag { name }
            }
            XmlError::IllFormed(IllFormedError::UnclosedReference) => {
                ErrorKind::syntax("`&` without a closing `;` (write a literal `&` as `&amp;`)")
            }
            XmlError::IllFormed(other) => ErrorKind::syntax(other.to_string()),
            XmlError::Syntax(s) if at_eof => ErrorKind::UnexpectedEof {
                expected: match s {
                    SyntaxError::UnclosedTag => "`>` closing the tag",
                    SyntaxError::UnclosedDoubleQuotedAttributeValue => {
                        "`\"` closing the attribute value"
                    }
                    SyntaxError::UnclosedSingleQuotedAttributeValue => {
                        "`'` closing the attribute value"
                    }
                    SyntaxError::UnclosedComment => "`-->` closing the comment",
                    SyntaxError::UnclosedCData => "`]]>` closing the CDATA section",
                    _ => "the end of the markup",
                }
                .to_owned(),
            },
            XmlError::Syntax(s) => ErrorKind::syntax(s.to_string()),
            other => ErrorKind::syntax(other.to_string()),
        };
        Error::at(kind, pos)
    }
}

/// Checks a start tag at `pos`: its element `name` (a qualified XML name), its depth (the
/// number of open elements before it, below [`MAX_DEPTH`]) and the length of the names of the
/// open elements (`open_names` bytes before it) against the token `limit`.
#[inline]
fn check_start_tag(
    name: &str,
    depth: usize,
    open_names: usize,
    limit: usize,
    pos: Position,
) -> Result<(), Error> {
    if depth < MAX_DEPTH
        && open_names.saturating_add(name.len()) <= limit
        // `dataValue`, by far the most frequent name, needs no check (the hot path).
        && (name == "dataValue" || is_qualified_name(name))
    {
        Ok(())
    } else {
        Err(start_tag_error(name, depth, limit, pos))
    }
}

#[cold]
#[inline(never)]
fn start_tag_error(name: &str, depth: usize, limit: usize, pos: Position) -> Error {
    if name.is_empty() {
        Error::at(ErrorKind::syntax("missing element name"), pos)
    } else if !is_qualified_name(name) {
        Error::at(
            ErrorKind::InvalidName {
                what: "element",
                name: name.to_owned(),
            },
            pos.advance(b"<"),
        )
    } else if depth >= MAX_DEPTH {
        Error::at(ErrorKind::NestingTooDeep { limit: MAX_DEPTH }, pos)
    } else {
        Error::at(
            ErrorKind::TokenTooLong {
                what: "the names of the open elements together".to_owned(),
                limit,
            },
            pos,
        )
    }
}

/// What kind of token the raw event text `buf` is (possibly only its start): an article and
/// noun for messages, and the context for [`ErrorKind::InvalidChar`].
fn markup_kind(buf: &[u8]) -> (&'static str, &'static str) {
    let starts_with_ignore_case = |prefix: &[u8]| {
        buf.get(..prefix.len())
            .is_some_and(|head| head.eq_ignore_ascii_case(prefix))
    };
    if buf.starts_with(b"<!--") {
        ("a comment", "a comment")
    } else if buf.starts_with(b"<![CDATA[") {
        ("a CDATA section", "a CDATA section")
    } else if starts_with_ignore_case(b"<!DOCTYPE") {
        ("a DOCTYPE", "the DOCTYPE")
    } else if buf.starts_with(b"<!") {
        ("a markup declaration", "a markup declaration")
    } else if starts_with_ignore_case(b"<?xml")
        && buf.get(5).is_none_or(|&b| is_xml_space(b) || b == b'?')
    {
        ("the XML declaration", "the XML declaration")
    } else if buf.starts_with(b"<?") {
        ("a processing instruction", "a processing instruction")
    } else if buf.starts_with(b"</") {
        ("an end tag", "an end tag")
    } else if buf.starts_with(b"<") {
        ("a start tag", "a start tag")
    } else if buf.starts_with(b"&") {
        ("a reference", "a reference")
    } else {
        ("a text run", "text")
    }
}

/// Names longer than this are left out of messages.
const NAME_IN_MESSAGE: usize = 100;

/// Describes a start tag that is too long, from its first bytes after `<` (which is at `pos`):
/// the attribute whose value is still open, with the position of the value, or the tag with its
/// name.
fn describe_start_tag(tag: &[u8], pos: Position) -> (String, Position) {
    // Find the quote that opens an attribute value still open at the end.
    let mut open = None;
    let mut quote = None;
    for (i, &b) in tag.iter().enumerate() {
        match quote {
            Some(q) if b == q => quote = None,
            Some(_) => {}
            None if b == b'"' || b == b'\'' => {
                quote = Some(b);
                open = Some(i);
            }
            None => {}
        }
    }
    // The element name, when it is complete.
    let element = tag
        .iter()
        .position(|&b| is_xml_space(b) || b == b'/' || b == b'>')
        .and_then(|end| tag.get(..end))
        .unwrap_or_default();
    if let (Some(_), Some(at)) = (quote, open) {
        // The attribute name: before `=` and optional white space.
        let before = tag.get(..at).unwrap_or_default();
        let before = trim_space_end(before);
        let before = before.strip_suffix(b"=").unwrap_or(before);
        let before = trim_space_end(before);
        let start = before
            .iter()
            .rposition(|&b| is_xml_space(b))
            .map_or(0, |i| i + 1);
        let name = before.get(start..).unwrap_or_default();
        let value_pos = pos
            .advance(b"<")
            .advance(tag.get(..at + 1).unwrap_or_default());
        return match std::str::from_utf8(name) {
            Ok(name) if !name.is_empty() && name.len() <= NAME_IN_MESSAGE => {
                (format!("the value of attribute `{name}`"), value_pos)
            }
            _ => ("an attribute value".to_owned(), value_pos),
        };
    }
    match std::str::from_utf8(element) {
        Ok(name) if !name.is_empty() && name.len() <= NAME_IN_MESSAGE => {
            (format!("the start tag <{name}>"), pos)
        }
        _ => ("a start tag".to_owned(), pos),
    }
}

fn trim_space_end(bytes: &[u8]) -> &[u8] {
    let end = bytes
        .iter()
        .rposition(|&b| !is_xml_space(b))
        .map_or(0, |i| i + 1);
    bytes.get(..end).unwrap_or_default()
}

/// The error for a problem in the attributes of a start tag whose text (between `<` and `>`)
/// is `tag` and whose `<` is at `pos`.
pub(crate) fn tag_error(pos: Position, tag: &str, problem: TagProblem) -> Error {
    match problem {
        TagProblem::Syntax(offset, message) => Error::at(
            ErrorKind::syntax(message),
            position_in_tag(pos, tag, offset),
        ),
        TagProblem::Name(start, end) => Error::at(
            ErrorKind::InvalidName {
                what: "attribute",
                name: tag.get(start..end).unwrap_or_default().to_owned(),
            },
            position_in_tag(pos, tag, start),
        ),
    }
}

/// The position of byte `offset` of a tag's text (the text starts after `<`, at `pos`).
pub(crate) fn position_in_tag(pos: Position, tag: &str, offset: usize) -> Position {
    pos.advance(b"<")
        .advance(tag.as_bytes().get(..offset).unwrap_or_default())
}

fn second_root(pos: Position) -> Error {
    Error::at(
        ErrorKind::syntax("a second root element after the end of the first"),
        pos,
    )
}

fn outside_root(root: Root, what: &str) -> String {
    match root {
        Root::After => format!("{what} after the end of the root element"),
        _ => format!("{what} before the root element"),
    }
}

/// Whether a declared encoding reads the same as UTF-8 for the documents we accept.
fn is_utf8_compatible(encoding: &str) -> bool {
    ["UTF-8", "UTF8", "US-ASCII", "ASCII"]
        .iter()
        .any(|e| e.eq_ignore_ascii_case(encoding.trim()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reads a whole document, returning a trace of the events.
    fn trace(xml: &str) -> Result<Vec<String>, Error> {
        trace_bytes(xml.as_bytes(), ReadLimits::default())
    }

    fn trace_bytes(xml: &[u8], limits: ReadLimits) -> Result<Vec<String>, Error> {
        let mut cursor = Cursor::new(xml, limits);
        let mut out = Vec::new();
        loop {
            let item = cursor.next(|pos, ev| {
                Ok(match ev {
                    Ev::Start { tag, empty, depth } => format!(
                        "{}:{} start {} {empty} {depth}",
                        pos.line,
                        pos.column,
                        tag.name().into_inner()
                    ),
                    Ev::End { depth } => format!("{}:{} end {depth}", pos.line, pos.column),
                    Ev::Text(t) => format!("text {:?}", &*t),
                    Ev::Ref(c) => format!("ref {c}"),
                    Ev::CData(c) => format!("cdata {:?}", &*c),
                    Ev::Eof => "eof".to_owned(),
                })
            })?;
            let eof = item == "eof";
            out.push(item);
            if eof {
                return Ok(out);
            }
        }
    }

    fn fails(xml: &str) -> Error {
        trace(xml).expect_err(xml)
    }

    /// Reads `xml` with a token limit of `limit` bytes.
    fn limited(xml: &str, limit: usize) -> Result<Vec<String>, Error> {
        trace_bytes(
            xml.as_bytes(),
            ReadLimits::default().with_max_token_bytes(limit),
        )
    }

    /// The error of a token longer than `limit`: what, line and column.
    fn too_long(xml: &str, limit: usize) -> (String, u64, u64) {
        let e = limited(xml, limit).expect_err(xml);
        match e.kind() {
            ErrorKind::TokenTooLong { what, limit: l } => {
                assert_eq!(*l, limit);
                assert_eq!(e.category(), crate::Category::Limit);
                (what.clone(), e.line().unwrap(), e.column().unwrap())
            }
            _ => panic!("{xml}: {e}"),
        }
    }

    #[test]
    fn events_with_positions() {
        let t =
            trace("<?xml version='1.0'?>\n<!-- c -->\n<a>\n  <b x=\"1\"/>&amp;<![CDATA[z]]></a>\n")
                .unwrap();
        assert_eq!(
            t,
            vec![
                "3:1 start a false 1",
                "text \"\\n  \"",
                "4:3 start b true 2",
                "ref &",
                "cdata \"z\"",
                "4:31 end 1",
                "eof"
            ]
        );
    }

    #[test]
    fn byte_order_mark_is_skipped() {
        assert_eq!(
            trace("\u{feff}<a/>").unwrap(),
            vec!["1:1 start a true 1", "eof"]
        );
    }

    #[test]
    fn well_formedness_errors() {
        let e = fails("<a>x</b>");
        assert!(
            matches!(e.kind(), ErrorKind::MismatchedEndTag { expected, found } if expected == "a" && found == "b")
        );
        assert_eq!(e.position(), Some(Position { line: 1, column: 5 }));
        let e = fails("<a>\n<b>\n");
        assert!(matches!(e.kind(), ErrorKind::UnexpectedEof { expected } if expected == "</b>"));
        assert!(e.is_eof());
        assert_eq!(e.position(), Some(Position { line: 3, column: 1 }));
        let e = fails("<a/>\n  junk");
        assert_eq!(e.position(), Some(Position { line: 2, column: 3 }));
        assert!(
            e.to_string().contains("after the end of the root element"),
            "{e}"
        );
        assert!(fails("junk<a/>")
            .to_string()
            .contains("before the root element"));
        assert!(fails("<a/><b/>").to_string().contains("second root"));
        assert!(fails("</a>").to_string().contains("without a start tag"));
        assert!(fails(" <?xml version='1.0'?><a/>")
            .to_string()
            .contains("declaration"));
        assert!(matches!(
            fails("<?xml version='1.0' encoding='ISO-8859-1'?><a/>").kind(),
            ErrorKind::UnsupportedEncoding { .. }
        ));
        assert!(trace("<?xml version='1.0' encoding='utf-8'?><a/>").is_ok());
        assert!(matches!(
            fails("<a>&nbsp;</a>").kind(),
            ErrorKind::InvalidReference { .. }
        ));
        assert!(fails("<a>a & b</a>").to_string().contains("&amp;"));
        assert!(fails("<a><!-- a -- b --></a>").category() == crate::Category::Syntax);
        let e = fails("<a>\n<b x=\"1");
        assert!(e.is_eof());
        assert_eq!(e.position(), Some(Position { line: 2, column: 1 }));
        assert_eq!(
            e.to_string(),
            "line 2, column 1: unexpected end of input: expected `\"` closing the attribute value"
        );
        assert!(fails("<a><b").is_eof());
        assert!(!fails("<a><![CDAX[x]]></a>").is_eof());
        assert!(fails("<a/><!DOCTYPE a>").to_string().contains("DOCTYPE"));
        assert!(fails("<>").to_string().contains("element name"));
        assert_eq!(trace("").unwrap(), vec!["eof"]);
    }

    #[test]
    fn invalid_utf8_is_located() {
        let mut cursor = Cursor::new(&b"<a>\n  <b x=\"\xff\"/></a>"[..], ReadLimits::default());
        let mut result = Ok(());
        for _ in 0..5 {
            result = cursor.next(|_, _| Ok(()));
            if result.is_err() {
                break;
            }
        }
        let e = result.unwrap_err();
        assert!(matches!(e.kind(), ErrorKind::InvalidUtf8));
        assert_eq!(e.position(), Some(Position { line: 2, column: 9 }));
    }

    #[test]
    fn doctype_entities_are_never_expanded() {
        let xml = "<!DOCTYPE a [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><a>&e;</a>";
        assert!(
            matches!(fails(xml).kind(), ErrorKind::InvalidReference { reference, .. } if reference == "e")
        );
        assert!(trace("<!DOCTYPE a><a/>").is_ok());
    }

    #[test]
    fn every_kind_of_token_is_bounded() {
        let x = "x".repeat(100);
        let cases = [
            (format!("<a>\n <!--{x}--></a>"), "a comment", 2, 2),
            (format!("<a>\n {x}</a>"), "a text run", 1, 4),
            (format!("<!DOCTYPE a [{x}]>\n<a/>"), "a DOCTYPE", 1, 1),
            (format!("<a><![CDATA[{x}]]></a>"), "a CDATA section", 1, 4),
            (
                format!("<a><?pi {x}?></a>"),
                "a processing instruction",
                1,
                4,
            ),
            (
                format!("<?xml version='1.0'{}?><a/>", " ".repeat(100)),
                "the XML declaration",
                1,
                1,
            ),
            (
                format!("<a>&#{}65;</a>", "0".repeat(100)),
                "a reference",
                1,
                4,
            ),
            (format!("<a></a{}>", " ".repeat(100)), "an end tag", 1, 4),
            (
                format!("<a>\n<b c='1' {x}='2'/></a>"),
                "the start tag <b>",
                2,
                1,
            ),
            (format!("<a{x}/>"), "a start tag", 1, 1),
            (
                format!("<a>\n <b c='1'\n  value = \"{x}\"/></a>"),
                "the value of attribute `value`",
                3,
                12,
            ),
            (
                format!("<a>\n<b c='1' d=\"{x}"),
                "the value of attribute `d`",
                2,
                13,
            ),
        ];
        for (xml, what, line, column) in cases {
            assert_eq!(too_long(&xml, 64), (what.to_owned(), line, column), "{xml}");
            assert!(limited(&xml, 200).is_ok() || !xml.ends_with('>'), "{xml}");
        }
    }

    #[test]
    fn the_limit_is_exact() {
        // A text run of exactly the limit passes, one byte more does not.
        assert!(limited("<a>xxxx</a>", 4).is_ok());
        assert_eq!(too_long("<a>xxxxx</a>", 4), ("a text run".to_owned(), 1, 4));
        // Markup counts its delimiters: `<a/>` is four bytes.
        assert!(limited("<a/>", 4).is_ok());
        assert_eq!(too_long("<a/>", 3), ("the start tag <a>".to_owned(), 1, 1));
        assert!(limited("<a><!--x--></a>", 8).is_ok());
        assert_eq!(
            too_long("<a><!--x--></a>", 7),
            ("a comment".to_owned(), 1, 4)
        );
        // A long document of short tokens is fine.
        let many = format!("<a>{}</a>", "<b/>\n".repeat(10_000));
        assert!(limited(&many, 5).is_ok());
        assert!(trace_bytes(many.as_bytes(), ReadLimits::unlimited()).is_ok());
    }

    #[test]
    fn the_message_says_how_to_raise_the_limit() {
        let e = limited("<a>\n  <!-- a long comment --></a>", 16).unwrap_err();
        assert_eq!(
            e.to_string(),
            "line 2, column 3: a comment starting here is longer than the limit of 16 bytes for \
             one token (raise ReadLimits::max_token_bytes, or --max-token-bytes on the command line)"
        );
    }

    #[test]
    fn characters_xml_does_not_allow_are_refused() {
        let bad = |xml: &str| {
            let e = fails(xml);
            match e.kind() {
                ErrorKind::InvalidChar { found, context } => {
                    assert_eq!(e.category(), crate::Category::Syntax);
                    (*found, *context, e.line().unwrap(), e.column().unwrap())
                }
                _ => panic!("{xml}: {e}"),
            }
        };
        assert_eq!(bad("<a>\n x\0y</a>"), ('\0', "text", 2, 3));
        assert_eq!(bad("\0<a/>"), ('\0', "text", 1, 1));
        assert_eq!(bad("<a/>\u{1}"), ('\u{1}', "text", 1, 5));
        assert_eq!(bad("<a>\u{b}</a>"), ('\u{b}', "text", 1, 4));
        assert_eq!(bad("<a>\u{fffe}</a>"), ('\u{fffe}', "text", 1, 4));
        assert_eq!(
            bad("<a><![CDATA[ab\u{1f}]]></a>"),
            ('\u{1f}', "a CDATA section", 1, 15)
        );
        assert_eq!(bad("<a><!-- \u{7} --></a>"), ('\u{7}', "a comment", 1, 9));
        assert_eq!(
            bad("<a><?pi \0?></a>"),
            ('\0', "a processing instruction", 1, 9)
        );
        assert_eq!(bad("<!DOCTYPE a [\0]><a/>"), ('\0', "the DOCTYPE", 1, 14));
        assert_eq!(
            bad("<?xml version='1.0\u{2}'?><a/>"),
            ('\u{2}', "the XML declaration", 1, 19)
        );
        assert_eq!(
            fails("<a>\0</a>").to_string(),
            "line 1, column 4: character U+0000 is not allowed in XML (text); write it as a \
             character reference, or remove it"
        );
        // Allowed: tab, LF, CR, DEL, C1 controls, U+FFFD.
        assert!(trace("<a>\t\r\n\u{7f}\u{85}\u{fffd}</a>").is_ok());
    }

    #[test]
    fn not_xml_at_all_fails_after_one_token() {
        // `/dev/zero`: the NUL at the very start is reported, after at most one token.
        let zeros = vec![0u8; 10_000];
        let e = trace_bytes(&zeros, ReadLimits::default().with_max_token_bytes(100)).unwrap_err();
        assert!(
            matches!(e.kind(), ErrorKind::InvalidChar { found: '\0', .. }),
            "{e}"
        );
        assert_eq!(e.position(), Some(Position { line: 1, column: 1 }));
        let mut xml = b"<a>\nabc".to_vec();
        xml.extend_from_slice(&zeros);
        let e = trace_bytes(&xml, ReadLimits::default().with_max_token_bytes(100)).unwrap_err();
        assert!(
            matches!(e.kind(), ErrorKind::InvalidChar { found: '\0', .. }),
            "{e}"
        );
        assert_eq!(e.position(), Some(Position { line: 2, column: 4 }));
        // Bytes that are not UTF-8 in a long token.
        let mut xml = b"<a>".to_vec();
        xml.extend(std::iter::repeat_n(0xffu8, 1000));
        let e = trace_bytes(&xml, ReadLimits::default().with_max_token_bytes(100)).unwrap_err();
        assert!(matches!(e.kind(), ErrorKind::InvalidUtf8), "{e}");
        assert_eq!(e.position(), Some(Position { line: 1, column: 4 }));
    }

    #[test]
    fn element_names_must_be_xml_names() {
        for (xml, name) in [
            ("<+e/>", "+e"),
            ("<a><1b></1b></a>", "1b"),
            ("<a:b:c/>", "a:b:c"),
            ("<:a/>", ":a"),
            ("<a><b\u{1}/></a>", "b\u{1}"),
        ] {
            let e = fails(xml);
            assert!(
                matches!(e.kind(), ErrorKind::InvalidName { what: "element", name: n } if n == name),
                "{xml}: {e}"
            );
        }
        let e = fails("<a>\n  <+e/></a>");
        assert_eq!(
            e.to_string(),
            "line 2, column 4: `+e` is not a valid XML element name"
        );
        assert!(trace("<d:a xmlns:d='urn:x'><\u{e9}l\u{e9}ment/><_x.y-z/></d:a>").is_ok());
    }

    #[test]
    fn nesting_is_bounded() {
        let deep = |n: usize| format!("{}{}", "<a>".repeat(n), "</a>".repeat(n));
        assert!(trace(&deep(MAX_DEPTH)).is_ok());
        let e = fails(&deep(MAX_DEPTH + 1));
        assert!(
            matches!(e.kind(), ErrorKind::NestingTooDeep { limit: MAX_DEPTH }),
            "{e}"
        );
        assert_eq!(e.column(), Some(3 * MAX_DEPTH as u64 + 1));
        let e = fails(&format!(
            "{}<a/>{}",
            "<a>".repeat(MAX_DEPTH),
            "</a>".repeat(MAX_DEPTH)
        ));
        assert!(matches!(e.kind(), ErrorKind::NestingTooDeep { .. }), "{e}");
        // The names of the open elements together are bounded by the token limit.
        let name = "n".repeat(30);
        let xml = format!("<{name}><{name}><{name}></{name}></{name}></{name}>");
        assert!(limited(&xml, 90).is_ok());
        let e = limited(&xml, 89).unwrap_err();
        assert!(
            matches!(e.kind(), ErrorKind::TokenTooLong { what, .. } if what == "the names of the open elements together"),
            "{e}"
        );
        assert_eq!(e.column(), Some(65));
    }
}
