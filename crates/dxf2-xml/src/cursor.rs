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
            self.pos = advance(self.pos, &self.buf);
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

/// The position after `bytes` when they start at `pos`: the same as [`Position::advance`], with
/// a fast path for what nearly every event is, ASCII after its last line break (memchr's
/// vectorised searches for LF and the standard library's word-wise ASCII check).
/// `Position::advance` searches with the standard library's generic `memchr`: 100 million
/// instructions of an XML → CSV conversion of 200,000 values, 6% of it (callgrind), against
/// about 70 million here.
#[inline]
fn advance(pos: Position, bytes: &[u8]) -> Position {
    match memchr::memrchr(b'\n', bytes) {
        None if bytes.is_ascii() => Position {
            line: pos.line,
            column: pos.column.saturating_add(bytes.len() as u64),
        },
        Some(last) => match bytes.get(last + 1..) {
            Some(tail) if tail.is_ascii() => Position {
                line: pos
                    .line
                    .saturating_add(memchr::memchr_iter(b'\n', bytes).count() as u64),
                column: 1 + tail.len() as u64,
            },
            _ => pos.advance(bytes),
        },
        None => pos.advance(bytes),
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
mod tests;
