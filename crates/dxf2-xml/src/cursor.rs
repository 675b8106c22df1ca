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

use std::io::BufRead;

use quick_xml::errors::{Error as XmlError, IllFormedError, SyntaxError};
use quick_xml::events::{BytesCData, BytesStart, BytesText, Event};

use crate::error::{Error, ErrorKind, Position};
use crate::escape::{is_xml_space, resolve_reference};

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
    xml: quick_xml::Reader<R>,
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
    pub(crate) fn new(inner: R) -> Cursor<R> {
        let mut xml = quick_xml::Reader::from_reader(inner);
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
            let event = match self.xml.read_event_into(&mut self.buf) {
                Ok(event) => event,
                Err(e) => {
                    self.failed = true;
                    let at_eof = matches!(e, XmlError::Syntax(_))
                        && self
                            .xml
                            .get_mut()
                            .fill_buf()
                            .is_ok_and(|rest| rest.is_empty());
                    return Err(self.xml_error(e, start_offset, at_eof));
                }
            };
            let depth = self.starts.len();
            let checked = match event {
                Event::Start(tag) | Event::Empty(tag) if tag.name().into_inner().is_empty() => {
                    Err(Error::at(ErrorKind::syntax("missing element name"), pos))
                }
                Event::Start(tag) => {
                    if self.root == Root::After {
                        Err(second_root(pos))
                    } else {
                        self.root = Root::Inside;
                        self.starts.push(self.names.len());
                        self.names.push_str(tag.name().into_inner());
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
                    if self.root == Root::After {
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
                    if depth > 0 {
                        return f(pos, Ev::Text(text));
                    }
                    match text.as_bytes().iter().position(|&b| !is_xml_space(b)) {
                        None => Ok(()),
                        Some(i) => Err(Error::at(
                            ErrorKind::syntax(outside_root(self.root, "text")),
                            pos.advance(text.as_bytes().get(..i).unwrap_or_default()),
                        )),
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
                    if depth > 0 {
                        return f(pos, Ev::CData(cdata));
                    }
                    Err(Error::at(
                        ErrorKind::syntax(outside_root(self.root, "a CDATA section")),
                        pos,
                    ))
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
                            _ => Ok(()),
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
                        Ok(())
                    }
                }
                Event::Comment(_) | Event::PI(_) => Ok(()),
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
        }
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
        let mut cursor = Cursor::new(xml.as_bytes());
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
        let mut cursor = Cursor::new(&b"<a>\n  <b x=\"\xff\"/></a>"[..]);
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
}
