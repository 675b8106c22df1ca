//! A checked stream of XML events over quick-xml, with positions and bounded memory.
//!
//! quick-xml parses markup and checks end tags; [`Cursor`] adds the rest of well-formedness
//! that matters for a data file: one root element, nothing but white space outside it, the XML
//! declaration only at the very start (UTF-8 only), a DOCTYPE only before the root and **never
//! read** (so no entity it declares is known and no external DTD or entity is ever fetched:
//! DHIS2 reads ADX with DTD support off too), references limited to the five predefined
//! entities and character references, element names that are qualified XML names, no
//! characters XML forbids, and no end of input inside an element.
//!
//! Memory is bounded: quick-xml reads through [`Limited`], so no event (text run, comment,
//! CDATA section, DOCTYPE, processing instruction, tag) longer than the token limit is ever
//! held; elements nest at most [`MAX_DEPTH`] levels. Positions are counted over the bytes of
//! each event, which quick-xml leaves in the one reused buffer.

use std::io::{self, BufRead, Read};

use dxf2_model::ReadLimits;
use quick_xml::errors::{Error as XmlError, IllFormedError, SyntaxError};
use quick_xml::events::{BytesStart, Event};

use crate::error::{Error, ErrorKind, Position};
use crate::names::is_qualified_name;

/// The deepest element nesting accepted.
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
    /// An end tag; `depth` is the depth of the element it closes.
    End { depth: usize },
    /// Character data inside the root, raw (not unescaped).
    Text(&'a str),
    /// A resolved entity or character reference inside the root.
    Ref(char),
    /// The content of a CDATA section inside the root.
    CData(&'a str),
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
    /// Position of the first byte of `buf`.
    pos: Position,
    /// Names of the open elements, concatenated; `starts` holds where each begins.
    names: String,
    starts: Vec<usize>,
    first: bool,
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
            first: true,
            root: Root::Before,
            seen_doctype: false,
            failed: false,
        }
    }

    /// The token limit in bytes.
    pub(crate) fn token_limit(&self) -> usize {
        self.xml.get_ref().limit
    }

    /// Reads the next event and hands it to `f` with the position of its first byte. After an
    /// error the cursor only reports [`Ev::Eof`].
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
            let first = std::mem::replace(&mut self.first, false);
            let start_offset = self.xml.buffer_position();
            let pos = self.pos;
            self.xml.get_mut().start_token();
            let result = self.xml.read_event_into(&mut self.buf);
            if self.xml.get_ref().exceeded() {
                self.failed = true;
                return Err(self.too_long());
            }
            let event = match result {
                Ok(event) => event,
                Err(e) => {
                    self.failed = true;
                    let at_eof = matches!(e, XmlError::Syntax(_))
                        && self
                            .xml
                            .get_mut()
                            .inner
                            .fill_buf()
                            .is_ok_and(|rest| rest.is_empty());
                    return Err(self.xml_error(e, start_offset, at_eof));
                }
            };
            let depth = self.starts.len();
            let mut check_chars = false;
            let problem: Result<(), Error> = match event {
                Event::Start(tag) | Event::Empty(tag) if self.root == Root::After => {
                    let _ = tag;
                    Err(syntax(
                        "a second root element after the end of the first",
                        pos,
                    ))
                }
                Event::Start(tag) => {
                    let name = tag.name().into_inner();
                    let limit = self.xml.get_ref().limit;
                    if let Err(e) = check_start(name, depth, self.names.len(), limit, pos) {
                        self.failed = true;
                        return Err(e);
                    }
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
                Event::Empty(tag) => {
                    if let Err(e) = check_start(tag.name().into_inner(), depth, 0, usize::MAX, pos)
                    {
                        self.failed = true;
                        return Err(e);
                    }
                    self.root = if depth == 0 {
                        Root::After
                    } else {
                        Root::Inside
                    };
                    return f(
                        pos,
                        Ev::Start {
                            tag,
                            empty: true,
                            depth: depth + 1,
                        },
                    );
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
                    let text: &str = &text;
                    if let Some((at, found)) = find_forbidden_char(text) {
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
                        match text.bytes().position(|b| !is_xml_space(b)) {
                            None => Ok(()),
                            Some(i) => Err(syntax(
                                outside_root(self.root, "text"),
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
                        Ok(_) if depth == 0 => {
                            Err(syntax(outside_root(self.root, "a reference"), pos))
                        }
                        Ok(c) => return f(pos, Ev::Ref(c)),
                    }
                }
                Event::CData(cdata) => {
                    let content: &str = &cdata;
                    if let Some((at, found)) = find_forbidden_char(content) {
                        Err(Error::at(
                            ErrorKind::InvalidChar {
                                found,
                                context: "a CDATA section",
                            },
                            pos.advance(b"<![CDATA[")
                                .advance(content.as_bytes().get(..at).unwrap_or_default()),
                        ))
                    } else if depth > 0 {
                        return f(pos, Ev::CData(content));
                    } else {
                        Err(syntax(outside_root(self.root, "a CDATA section"), pos))
                    }
                }
                Event::Decl(decl) => {
                    if !first {
                        Err(syntax(
                            "the XML declaration `<?xml …?>` must be at the very start of the document",
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
                            Some(Err(e)) => {
                                Err(syntax(format!("invalid XML declaration: {e}"), pos))
                            }
                            _ => {
                                check_chars = true;
                                Ok(())
                            }
                        }
                    }
                }
                Event::DocType(_) => {
                    if self.root != Root::Before || self.seen_doctype {
                        Err(syntax(
                            "a DOCTYPE is only allowed once, before the root element",
                            pos,
                        ))
                    } else {
                        // Never read: no entity it declares is known, nothing is fetched.
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
            if let Err(e) = problem {
                self.failed = true;
                return Err(e);
            }
            if check_chars {
                let text = String::from_utf8_lossy(&self.buf);
                if let Some((at, found)) = find_forbidden_char(&text) {
                    self.failed = true;
                    return Err(Error::at(
                        ErrorKind::InvalidChar {
                            found,
                            context: "markup",
                        },
                        self.pos
                            .advance(text.as_bytes().get(..at).unwrap_or_default()),
                    ));
                }
            }
        }
    }

    /// The error for a token longer than the limit.
    fn too_long(&self) -> Error {
        let buf = &self.buf;
        if let Err(e) = std::str::from_utf8(buf) {
            if e.error_len().is_some() {
                return Error::at(
                    ErrorKind::InvalidUtf8,
                    self.pos
                        .advance(buf.get(..e.valid_up_to()).unwrap_or_default()),
                );
            }
        }
        let text = String::from_utf8_lossy(buf);
        if let Some((at, found)) = find_forbidden_char(&text) {
            return Error::at(
                ErrorKind::InvalidChar {
                    found,
                    context: markup_kind(buf),
                },
                self.pos
                    .advance(text.as_bytes().get(..at).unwrap_or_default()),
            );
        }
        Error::at(
            ErrorKind::TokenTooLong {
                what: markup_kind(buf).to_owned(),
                limit: self.token_limit(),
            },
            self.pos,
        )
    }

    /// Converts a quick-xml error, locating it in the event buffer.
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
            XmlError::Io(io) => ErrorKind::Io(io::Error::new(io.kind(), io.to_string())),
            XmlError::Encoding(_) => ErrorKind::InvalidUtf8,
            XmlError::IllFormed(IllFormedError::MismatchedEndTag { expected, found }) => {
                ErrorKind::MismatchedEndTag { expected, found }
            }
            XmlError::IllFormed(IllFormedError::UnmatchedEndTag(name)) => ErrorKind::Syntax {
                message: format!("end tag </{name}> without a start tag"),
            },
            XmlError::IllFormed(IllFormedError::UnclosedReference) => ErrorKind::Syntax {
                message: "`&` without a closing `;` (write a literal `&` as `&amp;`)".to_owned(),
            },
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
            other => ErrorKind::Syntax {
                message: other.to_string(),
            },
        };
        Error::at(kind, pos)
    }
}

/// Checks a start tag: a qualified name, not too deep, the open names within the limit.
fn check_start(
    name: &str,
    depth: usize,
    open_names: usize,
    limit: usize,
    pos: Position,
) -> Result<(), Error> {
    if name.is_empty() {
        return Err(syntax("missing element name", pos));
    }
    if !is_qualified_name(name) {
        return Err(Error::at(
            ErrorKind::InvalidName {
                what: "element",
                name: name.to_owned(),
            },
            pos.advance(b"<"),
        ));
    }
    if depth >= MAX_DEPTH {
        return Err(Error::at(
            ErrorKind::NestingTooDeep { limit: MAX_DEPTH },
            pos,
        ));
    }
    if open_names.saturating_add(name.len()) > limit {
        return Err(Error::at(
            ErrorKind::TokenTooLong {
                what: "the names of the open elements together".to_owned(),
                limit,
            },
            pos,
        ));
    }
    Ok(())
}

fn syntax(message: impl Into<String>, pos: Position) -> Error {
    Error::at(
        ErrorKind::Syntax {
            message: message.into(),
        },
        pos,
    )
}

fn outside_root(root: Root, what: &str) -> String {
    match root {
        Root::After => format!("{what} after the end of the root element"),
        _ => format!("{what} before the root element"),
    }
}

/// What kind of token the raw event text is, for messages.
fn markup_kind(buf: &[u8]) -> &'static str {
    if buf.starts_with(b"<!--") {
        "a comment"
    } else if buf.starts_with(b"<![CDATA[") {
        "a CDATA section"
    } else if buf.starts_with(b"<!") {
        "a DOCTYPE"
    } else if buf.starts_with(b"<?") {
        "a processing instruction"
    } else if buf.starts_with(b"</") {
        "an end tag"
    } else if buf.starts_with(b"<") {
        "a start tag"
    } else if buf.starts_with(b"&") {
        "a reference"
    } else {
        "a text run"
    }
}

/// Whether a declared encoding reads the same as UTF-8.
fn is_utf8_compatible(encoding: &str) -> bool {
    ["UTF-8", "UTF8", "US-ASCII", "ASCII"]
        .iter()
        .any(|e| e.eq_ignore_ascii_case(encoding.trim()))
}

/// XML white space.
pub(crate) fn is_xml_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

/// The first character XML 1.0 does not allow (a C0 control other than tab, LF, CR; U+FFFE,
/// U+FFFF), with its byte offset.
pub(crate) fn find_forbidden_char(text: &str) -> Option<(usize, char)> {
    text.char_indices().find(|(_, c)| {
        (*c < ' ' && !matches!(c, '\t' | '\n' | '\r')) || matches!(c, '\u{FFFE}' | '\u{FFFF}')
    })
}

/// Resolves a reference: one of the five predefined entities or a character reference (not
/// U+0000).
pub(crate) fn resolve_reference(name: &str) -> Result<char, String> {
    match name {
        "lt" => return Ok('<'),
        "gt" => return Ok('>'),
        "amp" => return Ok('&'),
        "apos" => return Ok('\''),
        "quot" => return Ok('"'),
        _ => {}
    }
    let Some(number) = name.strip_prefix('#') else {
        return Err(
            "unknown entity: only &lt; &gt; &amp; &apos; &quot; and character references are \
             known (DTDs are never read)"
                .to_owned(),
        );
    };
    let code = match number.strip_prefix('x') {
        Some(hex) => u32::from_str_radix(hex, 16).ok(),
        None => number.parse::<u32>().ok(),
    };
    match code.and_then(char::from_u32) {
        Some(c) if c != '\0' => Ok(c),
        _ => Err("not a character reference XML allows".to_owned()),
    }
}

/// A [`BufRead`] adapter that bounds how many bytes quick-xml may take for one event: after
/// [`Limited::start_token`] at most `limit + 1` bytes are handed out.
pub(crate) struct Limited<R> {
    inner: R,
    limit: usize,
    used: usize,
}

impl<R: BufRead> Limited<R> {
    fn new(inner: R, limit: usize) -> Limited<R> {
        Limited {
            inner,
            limit,
            used: 0,
        }
    }

    fn start_token(&mut self) {
        self.used = 0;
    }

    fn exceeded(&self) -> bool {
        self.used > self.limit
    }
}

impl<R: BufRead> Read for Limited<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let available = self.fill_buf()?;
        let n = available.len().min(out.len());
        if let (Some(to), Some(from)) = (out.get_mut(..n), available.get(..n)) {
            to.copy_from_slice(from);
        }
        self.consume(n);
        Ok(n)
    }
}

impl<R: BufRead> BufRead for Limited<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        let allowed = self.limit.saturating_add(1).saturating_sub(self.used);
        if allowed == 0 {
            return Err(io::Error::other("token longer than the limit"));
        }
        let available = self.inner.fill_buf()?;
        Ok(available.get(..allowed).unwrap_or(available))
    }

    fn consume(&mut self, amount: usize) {
        self.used = self.used.saturating_add(amount);
        self.inner.consume(amount);
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn trace_with(xml: &str, limits: ReadLimits) -> Result<Vec<String>, Error> {
        let mut cursor = Cursor::new(xml.as_bytes(), limits);
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
                    Ev::Text(t) => format!("text {t:?}"),
                    Ev::Ref(c) => format!("ref {c}"),
                    Ev::CData(c) => format!("cdata {c:?}"),
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

    fn trace(xml: &str) -> Result<Vec<String>, Error> {
        trace_with(xml, ReadLimits::default())
    }

    fn fails(xml: &str) -> Error {
        trace(xml).expect_err(xml)
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
        assert_eq!(
            trace("\u{feff}<a/>").unwrap(),
            vec!["1:1 start a true 1", "eof"]
        );
        assert_eq!(trace("").unwrap(), vec!["eof"]);
    }

    #[test]
    fn well_formedness() {
        let e = fails("<a>x</b>");
        assert!(
            matches!(e.kind(), ErrorKind::MismatchedEndTag { .. }),
            "{e}"
        );
        let e = fails("<a>\n<b>\n");
        assert!(e.is_eof(), "{e}");
        assert_eq!(
            e.to_string(),
            "line 3, column 1: unexpected end of input: expected </b>"
        );
        assert!(fails("<a/>\n junk")
            .to_string()
            .contains("after the end of the root"));
        assert!(fails("<a/><b/>").to_string().contains("second root"));
        assert!(fails(" <?xml version='1.0'?><a/>")
            .to_string()
            .contains("declaration"));
        assert!(matches!(
            fails("<?xml version='1.0' encoding='ISO-8859-1'?><a/>").kind(),
            ErrorKind::UnsupportedEncoding { .. }
        ));
        assert!(matches!(
            fails("<a>&nbsp;</a>").kind(),
            ErrorKind::InvalidReference { .. }
        ));
        assert!(matches!(
            fails("<a>&#0;</a>").kind(),
            ErrorKind::InvalidReference { .. }
        ));
        assert!(fails("<a/><!DOCTYPE a>").to_string().contains("DOCTYPE"));
        assert!(matches!(
            fails("<1a/>").kind(),
            ErrorKind::InvalidName { .. }
        ));
        assert!(matches!(
            fails("<a>\u{1}</a>").kind(),
            ErrorKind::InvalidChar { found: '\u{1}', .. }
        ));
        let e = fails("<a>\n<b x=\"1");
        assert!(e.is_eof(), "{e}");
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
    fn tokens_and_nesting_are_bounded() {
        let limits = ReadLimits::default().with_max_token_bytes(16);
        assert!(trace_with("<a>xxxxxxxxxxxxxxxx</a>", limits).is_ok());
        let e = trace_with("<a>xxxxxxxxxxxxxxxxx</a>", limits).unwrap_err();
        assert!(matches!(e.kind(), ErrorKind::TokenTooLong { .. }), "{e}");
        assert_eq!(e.column(), Some(4));
        let e = trace_with("<a><!-- a long comment --></a>", limits).unwrap_err();
        assert!(e.to_string().contains("a comment starting here"), "{e}");
        let deep = |n: usize| format!("{}{}", "<a>".repeat(n), "</a>".repeat(n));
        assert!(trace_with(&deep(MAX_DEPTH), ReadLimits::unlimited()).is_ok());
        let e = trace_with(&deep(MAX_DEPTH + 1), ReadLimits::unlimited()).unwrap_err();
        assert!(matches!(e.kind(), ErrorKind::NestingTooDeep { .. }), "{e}");
        // Not XML at all: fails after one token.
        let zeros = "\0".repeat(10_000);
        let e = trace_with(&zeros, ReadLimits::default().with_max_token_bytes(100)).unwrap_err();
        assert!(matches!(e.kind(), ErrorKind::InvalidChar { .. }), "{e}");
    }

    #[test]
    fn references() {
        assert_eq!(resolve_reference("lt"), Ok('<'));
        assert_eq!(resolve_reference("#65"), Ok('A'));
        assert_eq!(resolve_reference("#x41"), Ok('A'));
        assert!(resolve_reference("#0").is_err());
        assert!(resolve_reference("#xD800").is_err());
        assert!(resolve_reference("e").is_err());
    }
}
