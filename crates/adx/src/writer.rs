//! The streaming ADX writer: `adx` / `group` / `dataValue` / `annotation`, written as DHIS2
//! writes them (no XML declaration, no white space between elements, empty elements closed
//! with `/>`).

use std::io::Write;

use crate::error::{Error, ErrorKind};

/// The ADX namespace (`AdxDataService.NAMESPACE`).
pub const NAMESPACE: &str = "urn:ihe:qrph:adx:2015";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    New,
    Open,
    InGroup,
    Finished,
}

/// Writes an ADX document to any [`Write`]: `<adx xmlns="urn:ihe:qrph:adx:2015">`, groups with
/// their attributes in the order given, values with theirs and an optional `annotation`.
/// Attribute values and annotations are escaped so that any text (but U+0000, which XML cannot
/// carry) reads back unchanged: `&`, `<`, `>`, `"` as entities, tab, line feed, carriage return
/// and the other control characters as character references. Names are written as given (the
/// mapping checks them).
///
/// ```
/// use adx::AdxXmlWriter;
///
/// let mut w = AdxXmlWriter::new(Vec::new());
/// w.start()?;
/// w.start_group([("dataSet", "MAL"), ("period", "2024-01-01/P1M"), ("orgUnit", "OU")])?;
/// w.write_value([("dataElement", "CASES"), ("sex", "F"), ("value", "3")], None)?;
/// w.write_value([("dataElement", "NOTE"), ("value", "0")], Some("a < b"))?;
/// w.end_group()?;
/// w.finish()?;
/// assert_eq!(
///     String::from_utf8(w.into_inner()).unwrap(),
///     "<adx xmlns=\"urn:ihe:qrph:adx:2015\"><group dataSet=\"MAL\" period=\"2024-01-01/P1M\" \
///      orgUnit=\"OU\"><dataValue dataElement=\"CASES\" sex=\"F\" value=\"3\"/><dataValue \
///      dataElement=\"NOTE\" value=\"0\"><annotation>a &lt; b</annotation></dataValue></group></adx>"
/// );
/// # Ok::<(), adx::Error>(())
/// ```
pub struct AdxXmlWriter<W: Write> {
    out: W,
    state: State,
}

impl<W: Write> AdxXmlWriter<W> {
    /// A writer over `out` (buffer it: many small writes are made).
    pub fn new(out: W) -> AdxXmlWriter<W> {
        AdxXmlWriter {
            out,
            state: State::New,
        }
    }

    /// Writes the `adx` start tag.
    pub fn start(&mut self) -> Result<(), Error> {
        self.expect(State::New, "start called twice")?;
        write!(self.out, "<adx xmlns=\"{NAMESPACE}\">")?;
        self.state = State::Open;
        Ok(())
    }

    /// Writes a `group` start tag with these attributes (ending the open group first).
    pub fn start_group<'a>(
        &mut self,
        attributes: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<(), Error> {
        if self.state == State::InGroup {
            self.end_group()?;
        }
        self.expect(State::Open, "a group outside the document")?;
        self.out.write_all(b"<group")?;
        self.attributes(attributes)?;
        self.out.write_all(b">")?;
        self.state = State::InGroup;
        Ok(())
    }

    /// Writes one `dataValue` with these attributes and, when given, an `annotation`.
    pub fn write_value<'a>(
        &mut self,
        attributes: impl IntoIterator<Item = (&'a str, &'a str)>,
        annotation: Option<&str>,
    ) -> Result<(), Error> {
        self.expect(State::InGroup, "a value outside a group")?;
        self.out.write_all(b"<dataValue")?;
        self.attributes(attributes)?;
        match annotation {
            None => self.out.write_all(b"/>")?,
            Some(text) => {
                self.out.write_all(b"><annotation>")?;
                write_escaped(&mut self.out, text, "the annotation")?;
                self.out.write_all(b"</annotation></dataValue>")?;
            }
        }
        Ok(())
    }

    /// Writes the end tag of the open group, if any.
    pub fn end_group(&mut self) -> Result<(), Error> {
        if self.state == State::InGroup {
            self.out.write_all(b"</group>")?;
            self.state = State::Open;
        }
        Ok(())
    }

    /// Ends the open group and the document, and flushes.
    pub fn finish(&mut self) -> Result<(), Error> {
        self.end_group()?;
        self.expect(State::Open, "finish before start, or twice")?;
        self.out.write_all(b"</adx>")?;
        self.out.flush()?;
        self.state = State::Finished;
        Ok(())
    }

    /// The underlying writer.
    pub fn into_inner(self) -> W {
        self.out
    }

    /// The underlying writer, by reference.
    pub fn get_ref(&self) -> &W {
        &self.out
    }

    fn expect(&self, state: State, message: &'static str) -> Result<(), Error> {
        if self.state == state {
            Ok(())
        } else {
            Err(Error::new(ErrorKind::WriterState { message }))
        }
    }

    fn attributes<'a>(
        &mut self,
        attributes: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<(), Error> {
        for (name, value) in attributes {
            self.out.write_all(b" ")?;
            self.out.write_all(name.as_bytes())?;
            self.out.write_all(b"=\"")?;
            write_escaped(&mut self.out, value, name)?;
            self.out.write_all(b"\"")?;
        }
        Ok(())
    }
}

/// Writes `text` escaped for an attribute value or element content: `&`, `<`, `>`, `"` as
/// entities; control characters (tab, line feed and carriage return included, so that neither
/// attribute value nor line-end normalisation changes them), U+FFFE and U+FFFF as character
/// references; U+0000 cannot be written.
fn write_escaped<W: Write + ?Sized>(out: &mut W, text: &str, what: &str) -> Result<(), Error> {
    let mut done = 0;
    for (i, c) in text.char_indices() {
        let replacement: &str = match c {
            '&' => "&amp;",
            '<' => "&lt;",
            '>' => "&gt;",
            '"' => "&quot;",
            '\0' => {
                return Err(Error::new(ErrorKind::Unwritable {
                    what: format!("`{what}`"),
                    reason: "U+0000 cannot be written in XML",
                }))
            }
            c if c < ' ' || c == '\u{FFFE}' || c == '\u{FFFF}' => {
                out.write_all(text.as_bytes().get(done..i).unwrap_or_default())?;
                write!(out, "&#{};", u32::from(c))?;
                done = i + c.len_utf8();
                continue;
            }
            _ => continue,
        };
        out.write_all(text.as_bytes().get(done..i).unwrap_or_default())?;
        out.write_all(replacement.as_bytes())?;
        done = i + 1;
    }
    out.write_all(text.as_bytes().get(done..).unwrap_or_default())?;
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::reader::{Reader, Step};

    #[test]
    fn texts_read_back_unchanged() {
        let nasty = "a&b<c>d\"e'f\tg\nh\ri\u{1}j\u{7f}é\u{FFFD}\u{FFFE}\u{FFFF}";
        let mut w = AdxXmlWriter::new(Vec::new());
        w.start().unwrap();
        w.start_group([("orgUnit", nasty)]).unwrap();
        w.write_value([("dataElement", nasty)], Some(nasty))
            .unwrap();
        w.finish().unwrap();
        let xml = w.into_inner();
        let mut r = Reader::new(xml.as_slice());
        assert_eq!(r.read_step().unwrap(), Step::Group);
        assert_eq!(r.group().get("orgUnit"), Some(nasty));
        assert_eq!(r.read_step().unwrap(), Step::Value);
        assert_eq!(r.value().get("dataElement"), Some(nasty));
        assert_eq!(r.value().annotation(), Some(nasty));
        assert_eq!(r.read_step().unwrap(), Step::End);
    }

    #[test]
    fn misuse_and_nul_are_errors() {
        let mut w = AdxXmlWriter::new(Vec::new());
        assert!(w.write_value([], None).is_err());
        w.start().unwrap();
        assert!(w.start().is_err());
        w.start_group([("a", "x\0")]).unwrap_err();
        let mut w = AdxXmlWriter::new(Vec::new());
        w.start().unwrap();
        w.finish().unwrap();
        assert!(w.finish().is_err());
        assert_eq!(
            String::from_utf8(w.into_inner()).unwrap(),
            "<adx xmlns=\"urn:ihe:qrph:adx:2015\"></adx>"
        );
    }
}
