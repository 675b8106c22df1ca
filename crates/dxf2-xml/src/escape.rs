//! Attributes of a start tag, XML character references and escaping.
//!
//! The attribute parser and the unescaper work on the tag text quick-xml hands over and append
//! decoded text to a caller's buffer, so that reading a value allocates nothing.

use std::io::{self, Write};

/// XML white space (`S` in the grammar).
#[inline]
pub(crate) fn is_xml_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

/// The local part of a qualified name (`d:dataValue` → `dataValue`).
#[inline]
pub(crate) fn local_name(name: &str) -> &str {
    match name.split_once(':') {
        Some((_, local)) => local,
        None => name,
    }
}

/// Whether an attribute is a namespace declaration (`xmlns`, `xmlns:p`), which StAX does not
/// report as an attribute.
#[inline]
pub(crate) fn is_namespace_declaration(name: &str) -> bool {
    name == "xmlns" || name.starts_with("xmlns:")
}

/// One attribute of a start tag, with its raw (still escaped) value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Attr<'a> {
    /// The qualified name as written.
    pub name: &'a str,
    /// The raw value between the quotes.
    pub value: &'a str,
    /// Byte offset of the name in the tag text.
    pub name_start: usize,
    /// Byte offset of the value (after the opening quote) in the tag text.
    pub value_start: usize,
    /// Byte offset of the local name in `name`: after the first `:`, 0 without one.
    pub local_start: usize,
    /// Whether the raw value holds nothing to decode (no `&`, `<`, control character or
    /// U+F000–U+FFFF character): it reads as written, and [`unescape_attribute`] would only
    /// copy it.
    pub plain: bool,
}

impl<'a> Attr<'a> {
    /// Checks that the name is a qualified XML name (out of line: the data value hot path
    /// calls it only for names it does not know).
    #[inline(never)]
    pub(crate) fn check_name(&self) -> Result<(), TagProblem> {
        if is_qualified_name(self.name) {
            Ok(())
        } else {
            Err(TagProblem::Name(
                self.name_start,
                self.name_start + self.name.len(),
            ))
        }
    }

    /// The local part of the name (the same as [`local_name`] of it).
    #[inline]
    pub(crate) fn local_name(&self) -> &'a str {
        self.name.get(self.local_start..).unwrap_or(self.name)
    }
}

/// A problem in a tag.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum TagProblem {
    /// A syntax problem: byte offset in the tag text and message.
    Syntax(usize, &'static str),
    /// An attribute name that is not an XML name: its byte range in the tag text.
    Name(usize, usize),
}

impl TagProblem {
    /// The byte offset of the problem in the tag text.
    #[cfg(test)]
    pub(crate) fn offset(self) -> usize {
        match self {
            TagProblem::Syntax(offset, _) | TagProblem::Name(offset, _) => offset,
        }
    }
}

/// Byte classes of the attribute scanner, one table look-up per byte: XML white space.
const SPACE: u8 = 1;
/// A byte that ends an attribute name: white space, `=`, a quote, `<`, `>`, `&`, `/`.
const NAME_END: u8 = 2;
/// A byte of an attribute value that [`unescape_attribute`] has to look at: `&`, `<`, a C0
/// control character (tab, LF and CR included) and 0xEF, the lead byte of U+F000–U+FFFF.
const DECODE: u8 = 4;
/// `:`.
const COLON: u8 = 8;

/// The class bits of every byte.
// Indexing is evaluated at compile time here: an index out of range would fail the build.
#[allow(clippy::indexing_slicing)]
static CLASSES: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut b = 0;
    while b < 256 {
        let byte = b as u8;
        let mut class = 0;
        if matches!(byte, b' ' | b'\t' | b'\r' | b'\n') {
            class |= SPACE | NAME_END;
        }
        if matches!(byte, b'=' | b'"' | b'\'' | b'<' | b'>' | b'&' | b'/') {
            class |= NAME_END;
        }
        if matches!(byte, b'&' | b'<' | 0xEF) || byte < 0x20 {
            class |= DECODE;
        }
        if byte == b':' {
            class |= COLON;
        }
        table[b] = class;
        b += 1;
    }
    table
};

#[inline(always)]
fn class(b: u8) -> u8 {
    CLASSES.get(usize::from(b)).copied().unwrap_or_default()
}

// The name and value scanners look at eight bytes at a time (SWAR, in a `u64`): a word in
// which no byte can end the token or needs a look is skipped whole; otherwise the first byte
// that may matter is classified through the table. With one table look-up per byte the
// scanners took 9 instructions per byte, a third of the reader's instructions (callgrind,
// 200,000 values).

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGHS: u64 = 0x8080_8080_8080_8080;

/// The high bit of each byte of `x` below `n` (`n` at most 0x80). The lowest marked byte is
/// exact; bytes above it may be marked falsely (a borrow), which the scanners never look at.
#[inline(always)]
fn bytes_below(x: u64, n: u8) -> u64 {
    x.wrapping_sub(ONES * u64::from(n)) & !x & HIGHS
}

/// The high bit of each byte of `x` equal to `b` (the lowest marked byte is exact, as in
/// [`bytes_below`]).
#[inline(always)]
fn bytes_equal(x: u64, b: u8) -> u64 {
    let y = x ^ (ONES * u64::from(b));
    y.wrapping_sub(ONES) & !y & HIGHS
}

/// The eight bytes at `i` as a little-endian word (`None` near the end).
#[inline(always)]
fn word_at(bytes: &[u8], i: usize) -> Option<u64> {
    let chunk: [u8; 8] = bytes.get(i..i.checked_add(8)?)?.try_into().ok()?;
    Some(u64::from_le_bytes(chunk))
}

/// The index of the lowest marked byte of a non-zero mask.
#[inline(always)]
fn first_marked(mask: u64) -> usize {
    (mask.trailing_zeros() / 8) as usize
}

/// The length of the attribute name at `start` (up to a [`NAME_END`] byte or the end) and the
/// classes of its bytes.
#[inline(always)]
fn scan_name(bytes: &[u8], start: usize) -> (usize, u8) {
    let mut i = start;
    let mut classes = 0;
    loop {
        // Every NAME_END byte and `:` is below `0` (0x30) or in 0x38..=0x3F; names are mostly
        // letters.
        while let Some(x) = word_at(bytes, i) {
            let marked = bytes_below(x, b'0') | bytes_equal(x & 0xF8F8_F8F8_F8F8_F8F8, 0x38);
            if marked != 0 {
                i += first_marked(marked);
                break;
            }
            i += 8;
        }
        match bytes.get(i) {
            Some(&b) if class(b) & NAME_END == 0 => {
                classes |= class(b);
                i += 1;
            }
            _ => return (i - start, classes),
        }
    }
}

/// The length of the attribute value at `start` (up to the closing `quote`) and the classes of
/// its bytes; `None` when the quote is missing.
#[inline(always)]
fn scan_value(bytes: &[u8], start: usize, quote: u8) -> Option<(usize, u8)> {
    let mut i = start;
    let mut classes = 0;
    loop {
        // Both quotes, `&` and the control characters are below `(` (0x28); then `<` and 0xEF.
        while let Some(x) = word_at(bytes, i) {
            let marked = bytes_below(x, b'(') | bytes_equal(x, b'<') | bytes_equal(x, 0xEF);
            if marked != 0 {
                i += first_marked(marked);
                break;
            }
            i += 8;
        }
        let b = *bytes.get(i)?;
        if b == quote {
            return Some((i - start, classes));
        }
        classes |= class(b);
        i += 1;
    }
}

/// The first byte at or after `i` that is not XML white space (`bytes.len()` if none).
#[inline(always)]
fn skip_space(bytes: &[u8], mut i: usize) -> usize {
    while bytes.get(i).is_some_and(|&b| class(b) & SPACE != 0) {
        i += 1;
    }
    i
}

/// Iterator over the attributes of a start tag's text (`name a="1" b='2'`, without `<`, `>`
/// and `/>`), checking the attribute grammar: white space before each attribute, a name, `=`
/// and a quoted value.
///
/// It is the innermost loop of the data value reader (eight attributes per value), so it is a
/// hand-written scanner over the bytes with one table look-up per byte: with the grammar
/// written as iterator searches it took 21% of the instructions of an XML → CSV conversion,
/// 315 per attribute (callgrind, 200,000 values).
pub(crate) struct Attrs<'a> {
    tag: &'a str,
    pos: usize,
    done: bool,
    check_names: bool,
}

impl<'a> Attrs<'a> {
    /// Attributes of `tag`, starting after the element name (`name_len` bytes); a name that is
    /// not a qualified XML name is a [`TagProblem::Name`].
    pub(crate) fn new(tag: &'a str, name_len: usize) -> Attrs<'a> {
        Attrs {
            tag,
            pos: name_len,
            done: false,
            check_names: true,
        }
    }

    /// Like [`Attrs::new`], but the names are left for the caller to check with
    /// [`Attr::check_name`] (the data value hot path checks only the names it does not know).
    pub(crate) fn without_name_check(tag: &'a str, name_len: usize) -> Attrs<'a> {
        Attrs {
            check_names: false,
            ..Attrs::new(tag, name_len)
        }
    }

    #[inline(always)]
    fn parse(&mut self) -> Result<Option<Attr<'a>>, TagProblem> {
        let bytes = self.tag.as_bytes();
        let name_start = skip_space(bytes, self.pos);
        if name_start >= bytes.len() {
            return Ok(None);
        }
        if name_start == self.pos {
            return Err(TagProblem::Syntax(
                name_start,
                "expected white space between attributes",
            ));
        }
        // The name: up to white space or a byte that cannot be in it.
        let (name_len, name_classes) = scan_name(bytes, name_start);
        let name_end = name_start + name_len;
        match bytes.get(name_end) {
            _ if name_end == name_start => {
                return Err(TagProblem::Syntax(name_end, "expected an attribute name"))
            }
            Some(b'"' | b'\'' | b'<' | b'>' | b'&' | b'/') => {
                return Err(TagProblem::Syntax(
                    name_end,
                    "invalid character in an attribute name",
                ))
            }
            _ => {}
        }
        let name = self.tag.get(name_start..name_end);
        if self.check_names && !name.is_some_and(is_qualified_name) {
            return Err(TagProblem::Name(name_start, name_end));
        }
        let eq = skip_space(bytes, name_end);
        if bytes.get(eq) != Some(&b'=') {
            return Err(TagProblem::Syntax(
                eq,
                "expected `=` after the attribute name",
            ));
        }
        let open = skip_space(bytes, eq + 1);
        let quote = match bytes.get(open) {
            Some(&q @ (b'"' | b'\'')) => q,
            _ => {
                return Err(TagProblem::Syntax(
                    open,
                    "expected a quoted attribute value",
                ))
            }
        };
        // The value: up to the closing quote, noting whether anything in it needs decoding.
        let value_start = open + 1;
        let Some((value_len, value_classes)) = scan_value(bytes, value_start, quote) else {
            return Err(TagProblem::Syntax(open, "attribute value not closed"));
        };
        let value_end = value_start + value_len;
        self.pos = value_end + 1;
        match (name, self.tag.get(value_start..value_end)) {
            (Some(name), Some(value)) => Ok(Some(Attr {
                name,
                value,
                name_start,
                value_start,
                local_start: if name_classes & COLON == 0 {
                    0
                } else {
                    name.find(':').map_or(0, |i| i + 1)
                },
                plain: value_classes & DECODE == 0,
            })),
            _ => Err(TagProblem::Syntax(name_start, "invalid attribute")),
        }
    }
}

impl<'a> Iterator for Attrs<'a> {
    type Item = Result<Attr<'a>, TagProblem>;

    #[inline(always)]
    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        match self.parse() {
            Ok(Some(attr)) => Some(Ok(attr)),
            Ok(None) => {
                self.done = true;
                None
            }
            Err(e) => {
                self.done = true;
                Some(Err(e))
            }
        }
    }
}

/// An attribute name in a tag, for the duplicate check: byte range and a cheap fingerprint.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct NameRef {
    start: usize,
    end: usize,
    fingerprint: u32,
}

impl NameRef {
    /// The name of `attr`.
    pub(crate) fn of(attr: &Attr<'_>) -> NameRef {
        let bytes = attr.name.as_bytes();
        let first = bytes.first().copied().unwrap_or_default();
        let last = bytes.last().copied().unwrap_or_default();
        NameRef {
            start: attr.name_start,
            end: attr.name_start + bytes.len(),
            fingerprint: ((bytes.len() as u32) << 16) | (u32::from(first) << 8) | u32::from(last),
        }
    }
}

/// Finds a duplicate among the attribute names of `tag`; returns the start of the later one.
/// `names` is reordered.
pub(crate) fn find_duplicate(tag: &str, names: &mut [NameRef]) -> Option<usize> {
    let name = |r: &NameRef| tag.get(r.start..r.end).unwrap_or_default();
    if names.len() <= 16 {
        for (i, a) in names.iter().enumerate() {
            for b in names.iter().skip(i + 1) {
                if a.fingerprint == b.fingerprint && name(a) == name(b) {
                    return Some(b.start);
                }
            }
        }
        None
    } else {
        names.sort_unstable_by(|a, b| name(a).cmp(name(b)).then(a.start.cmp(&b.start)));
        names.windows(2).find_map(|w| match w {
            [a, b] if name(a) == name(b) => Some(b.start),
            _ => None,
        })
    }
}

/// A problem in an attribute value: byte offset in the raw value and message.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum ValueProblem {
    /// A character that may not appear raw in an attribute value.
    Char(usize, &'static str),
    /// A bad reference: offset of the `&`, the text between `&` and `;`, why.
    Reference(usize, String, &'static str),
}

/// Resolves the name of a reference (the text between `&` and `;`): one of the five entities
/// XML predefines, or a decimal (`#65`) or hexadecimal (`#x41`) character reference.
///
/// Character references may name any Unicode scalar value except U+0000 (control characters
/// included, so that everything [`write_escaped`] writes reads back; strict XML 1.0 parsers
/// reject references to control characters other than tab, LF and CR).
pub(crate) fn resolve_reference(name: &str) -> Result<char, &'static str> {
    match name {
        "lt" => Ok('<'),
        "gt" => Ok('>'),
        "amp" => Ok('&'),
        "apos" => Ok('\''),
        "quot" => Ok('"'),
        _ => {
            let (digits, radix) = if let Some(hex) = name.strip_prefix("#x") {
                (hex, 16)
            } else if let Some(dec) = name.strip_prefix('#') {
                (dec, 10)
            } else {
                return Err(
                    "unknown entity (DTDs are not read, only lt, gt, amp, apos and quot are known)",
                );
            };
            if digits.is_empty() || !digits.bytes().all(|b| (b as char).is_digit(radix)) {
                return Err("malformed character reference");
            }
            match u32::from_str_radix(digits, radix)
                .ok()
                .and_then(char::from_u32)
            {
                Some('\0') => Err("U+0000 is not allowed in XML"),
                Some(c) => Ok(c),
                None => Err("not a Unicode scalar value"),
            }
        }
    }
}

/// Decodes a raw attribute value as an XML parser does and appends it to `out` (when given):
/// references are resolved, and each literal tab, LF, CR or CR LF becomes one space (attribute
/// value normalisation). A literal `<` or another control character is an error.
pub(crate) fn unescape_attribute(
    raw: &str,
    mut out: Option<&mut String>,
) -> Result<(), ValueProblem> {
    let bytes = raw.as_bytes();
    let mut done = 0;
    let mut i = 0;
    while let Some(offset) = bytes.get(i..).and_then(|rest| {
        rest.iter()
            .position(|&b| b == b'&' || b == b'<' || b < 0x20 || b == 0xEF)
    }) {
        let at = i + offset;
        if let Some(out) = out.as_deref_mut() {
            out.push_str(raw.get(done..at).unwrap_or_default());
        }
        let b = bytes.get(at).copied().unwrap_or_default();
        let next = match b {
            b'&' => {
                let rest = bytes.get(at + 1..).unwrap_or_default();
                let len = match rest.iter().position(|&c| c == b';') {
                    Some(len) => len,
                    None => {
                        return Err(ValueProblem::Reference(
                            at,
                            raw.get(at + 1..).unwrap_or_default().to_owned(),
                            "`&` without a closing `;` (write a literal `&` as `&amp;`)",
                        ))
                    }
                };
                let name = raw.get(at + 1..at + 1 + len).unwrap_or_default();
                match resolve_reference(name) {
                    Ok(c) => {
                        if let Some(out) = out.as_deref_mut() {
                            out.push(c);
                        }
                    }
                    Err(why) => return Err(ValueProblem::Reference(at, name.to_owned(), why)),
                }
                at + len + 2
            }
            b'<' => {
                return Err(ValueProblem::Char(
                    at,
                    "`<` is not allowed in an attribute value (write it as `&lt;`)",
                ))
            }
            0xEF => {
                if noncharacter_at(bytes, at).is_some() {
                    return Err(ValueProblem::Char(
                        at,
                        "U+FFFE and U+FFFF are not allowed in XML (write them as character references)",
                    ));
                }
                // Any other character from U+F000 to U+FFFD: kept, read on.
                done = at;
                i = at + 1;
                continue;
            }
            b'\t' | b'\n' | b'\r' => {
                if let Some(out) = out.as_deref_mut() {
                    out.push(' ');
                }
                if b == b'\r' && bytes.get(at + 1) == Some(&b'\n') {
                    at + 2
                } else {
                    at + 1
                }
            }
            _ => {
                return Err(ValueProblem::Char(
                    at,
                    "control character not allowed in XML (write it as a character reference)",
                ))
            }
        };
        done = next;
        i = next;
    }
    if let Some(out) = out {
        out.push_str(raw.get(done..).unwrap_or_default());
    }
    Ok(())
}

/// U+FFFE or U+FFFF when `bytes` has its UTF-8 form (EF BF BE or EF BF BF) at `at`.
#[inline]
fn noncharacter_at(bytes: &[u8], at: usize) -> Option<char> {
    match bytes.get(at..at + 3) {
        Some([0xEF, 0xBF, 0xBE]) => Some('\u{FFFE}'),
        Some([0xEF, 0xBF, 0xBF]) => Some('\u{FFFF}'),
        _ => None,
    }
}

/// The first character of UTF-8 `bytes` that XML 1.0 does not allow anywhere in a document:
/// a C0 control character other than tab, LF and CR, U+FFFE or U+FFFF. Returns its byte
/// offset and the character. (Surrogates cannot occur in valid UTF-8.)
pub(crate) fn find_forbidden_char(bytes: &[u8]) -> Option<(usize, char)> {
    let mut i = 0;
    while let Some(offset) = bytes.get(i..).and_then(|rest| {
        rest.iter()
            .position(|&b| (b < 0x20 && !is_xml_space(b)) || b == 0xEF)
    }) {
        let at = i + offset;
        match bytes.get(at) {
            Some(&b) if b < 0x20 => return Some((at, char::from(b))),
            _ => {
                if let Some(c) = noncharacter_at(bytes, at) {
                    return Some((at, c));
                }
            }
        }
        i = at + 1;
    }
    None
}

/// Why a text could not be written.
#[derive(Debug)]
pub(crate) enum WriteProblem {
    /// The underlying writer failed.
    Io(io::Error),
    /// The text contains U+0000, which XML cannot represent.
    Nul,
}

impl From<io::Error> for WriteProblem {
    fn from(e: io::Error) -> WriteProblem {
        WriteProblem::Io(e)
    }
}

/// Writes `text` escaped for an attribute value in double quotes or for element content:
/// `&`, `<`, `>`, `"` and `'` as entities, tab, LF, CR and every other control character as a
/// decimal character reference (so attribute value normalisation cannot change them), and
/// U+FFFE and U+FFFF, which XML does not allow literally, as character references too.
pub(crate) fn write_escaped<W: Write + ?Sized>(
    out: &mut W,
    text: &str,
) -> Result<(), WriteProblem> {
    let bytes = text.as_bytes();
    let mut done = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let entity: &[u8] = match b {
            b'&' => b"&amp;",
            b'<' => b"&lt;",
            b'>' => b"&gt;",
            b'"' => b"&quot;",
            b'\'' => b"&apos;",
            0 => return Err(WriteProblem::Nul),
            1..=0x1f => b"",
            0xEF => match noncharacter_at(bytes, i) {
                Some('\u{FFFE}') => b"&#65534;",
                Some(_) => b"&#65535;",
                None => continue,
            },
            _ => continue,
        };
        out.write_all(bytes.get(done..i).unwrap_or_default())?;
        if b == 0xEF {
            out.write_all(entity)?;
            done = i + 3;
            continue;
        }
        if entity.is_empty() {
            write!(out, "&#{b};")?;
        } else {
            out.write_all(entity)?;
        }
        done = i + 1;
    }
    out.write_all(bytes.get(done..).unwrap_or_default())?;
    Ok(())
}

/// XML 1.0 `NameStartChar` without `:`.
#[inline]
fn is_name_start_char(c: char) -> bool {
    match c {
        'a'..='z' | 'A'..='Z' | '_' => true,
        '\0'..='\u{7f}' => false,
        _ => matches!(c,
            '\u{C0}'..='\u{D6}'
            | '\u{D8}'..='\u{F6}'
            | '\u{F8}'..='\u{2FF}'
            | '\u{370}'..='\u{37D}'
            | '\u{37F}'..='\u{1FFF}'
            | '\u{200C}'..='\u{200D}'
            | '\u{2070}'..='\u{218F}'
            | '\u{2C00}'..='\u{2FEF}'
            | '\u{3001}'..='\u{D7FF}'
            | '\u{F900}'..='\u{FDCF}'
            | '\u{FDF0}'..='\u{FFFD}'
            | '\u{10000}'..='\u{EFFFF}'),
    }
}

/// XML 1.0 `NameChar` without `:`.
#[inline]
fn is_name_char(c: char) -> bool {
    match c {
        'a'..='z' | 'A'..='Z' | '0'..='9' | '_' | '-' | '.' => true,
        '\0'..='\u{7f}' => false,
        _ => {
            is_name_start_char(c)
                || matches!(c, '\u{B7}' | '\u{300}'..='\u{36F}' | '\u{203F}'..='\u{2040}')
        }
    }
}

/// Whether `name` is an XML name without `:` (an `NCName` of XML namespaces): what the
/// summary writer writes as an element name, and every local name the readers accept.
pub(crate) fn is_ncname(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(is_name_start_char) && chars.all(is_name_char)
}

/// Whether `name` is a qualified XML name: an XML name with at most one `:`, between a
/// non-empty prefix and a non-empty local name (what a namespace-aware parser accepts as an
/// element or attribute name, and so what DHIS2's parsers accept).
#[inline]
pub(crate) fn is_qualified_name(name: &str) -> bool {
    // Fast path for ASCII names without `:` (all of DHIS2's): one branch-free pass over the
    // bytes, then the first byte. Anything else is checked char by char.
    let bytes = name.as_bytes();
    let mut classes = 0u8;
    for &b in bytes {
        classes |= name_byte_class(b);
    }
    if classes & !(NAME_START | NAME_OTHER) == 0 {
        return bytes
            .first()
            .is_some_and(|&b| name_byte_class(b) == NAME_START);
    }
    if classes & NAME_INVALID != 0 {
        return false;
    }
    is_qualified_name_slow(name)
}

/// Byte classes of names: an ASCII `NameStartChar` (but `:`), another ASCII `NameChar`, `:`,
/// a byte of a non-ASCII character, anything else.
const NAME_START: u8 = 1;
const NAME_OTHER: u8 = 2;
const NAME_COLON: u8 = 4;
const NAME_NON_ASCII: u8 = 8;
const NAME_INVALID: u8 = 16;

#[inline]
fn name_byte_class(b: u8) -> u8 {
    match b {
        b'a'..=b'z' | b'A'..=b'Z' | b'_' => NAME_START,
        b'0'..=b'9' | b'-' | b'.' => NAME_OTHER,
        b':' => NAME_COLON,
        0x80..=0xFF => NAME_NON_ASCII,
        _ => NAME_INVALID,
    }
}

#[cold]
#[inline(never)]
fn is_qualified_name_slow(name: &str) -> bool {
    match name.split_once(':') {
        Some((prefix, local)) => is_ncname(prefix) && is_ncname(local),
        None => is_ncname(name),
    }
}

#[cfg(test)]
mod scan_tests;

#[cfg(test)]
mod tests {
    use super::*;

    fn attrs(tag: &str, name_len: usize) -> Result<Vec<(String, String)>, TagProblem> {
        Attrs::new(tag, name_len)
            .map(|a| a.map(|a| (a.name.to_owned(), a.value.to_owned())))
            .collect()
    }

    fn unescape(raw: &str) -> Result<String, ValueProblem> {
        let mut s = String::new();
        unescape_attribute(raw, Some(&mut s)).map(|()| s)
    }

    fn escape(text: &str) -> String {
        let mut out = Vec::new();
        write_escaped(&mut out, text).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn attributes_are_parsed() {
        assert_eq!(
            attrs("dv a=\"1\" b = '2'\n\tc=\"\" ", 2).unwrap(),
            vec![
                ("a".to_owned(), "1".to_owned()),
                ("b".to_owned(), "2".to_owned()),
                ("c".to_owned(), String::new()),
            ]
        );
        assert_eq!(attrs("dv", 2).unwrap(), vec![]);
        assert_eq!(attrs("dv ", 2).unwrap(), vec![]);
        assert_eq!(
            attrs("dv x:a=\"it's\"", 2).unwrap(),
            vec![("x:a".to_owned(), "it's".to_owned())]
        );
    }

    #[test]
    fn attribute_syntax_errors() {
        assert_eq!(attrs("dv a=\"1\"b=\"2\"", 2).unwrap_err().offset(), 8);
        assert!(attrs("dv a", 2).is_err());
        assert!(attrs("dv a=1", 2).is_err());
        assert!(attrs("dv a=\"1", 2).is_err());
        assert!(attrs("dv =\"1\"", 2).is_err());
        assert!(attrs("dv a\"=\"1\"", 2).is_err());
    }

    #[test]
    fn duplicates_are_found() {
        let tag = "dv a=\"1\" b=\"2\" a=\"3\"";
        let mut names: Vec<NameRef> = Attrs::new(tag, 2)
            .map(|a| a.map(|a| NameRef::of(&a)))
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(find_duplicate(tag, &mut names), Some(15));
        let many: String = (0..40).map(|i| format!(" a{i}=\"\"")).collect();
        let tag = format!("dv{many} a7=\"\"");
        let mut names: Vec<NameRef> = Attrs::new(&tag, 2)
            .map(|a| a.map(|a| NameRef::of(&a)))
            .collect::<Result<_, _>>()
            .unwrap();
        assert!(find_duplicate(&tag, &mut names).is_some());
        let tag = format!("dv{many}");
        let mut names: Vec<NameRef> = Attrs::new(&tag, 2)
            .map(|a| a.map(|a| NameRef::of(&a)))
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(find_duplicate(&tag, &mut names), None);
    }

    #[test]
    fn references_resolve() {
        assert_eq!(resolve_reference("amp"), Ok('&'));
        assert_eq!(resolve_reference("#65"), Ok('A'));
        assert_eq!(resolve_reference("#x41"), Ok('A'));
        assert_eq!(resolve_reference("#x1F600"), Ok('😀'));
        assert_eq!(resolve_reference("#1"), Ok('\u{1}'));
        assert!(resolve_reference("#X41").is_err());
        assert!(resolve_reference("#0").is_err());
        assert!(resolve_reference("#xD800").is_err());
        assert!(resolve_reference("#").is_err());
        assert!(resolve_reference("#12a").is_err());
        assert!(resolve_reference("nbsp").is_err());
        assert!(resolve_reference("#99999999999999").is_err());
    }

    #[test]
    fn attribute_values_are_unescaped_and_normalised() {
        assert_eq!(unescape("plain").unwrap(), "plain");
        assert_eq!(
            unescape("a &amp; b &lt;&gt; &quot;&apos;").unwrap(),
            "a & b <> \"'"
        );
        assert_eq!(unescape("l1\nl2\r\nl3\rl4\tx").unwrap(), "l1 l2 l3 l4 x");
        assert_eq!(unescape("&#10;&#13;&#9;&#x1;").unwrap(), "\n\r\t\u{1}");
        assert_eq!(unescape("").unwrap(), "");
        assert!(matches!(
            unescape("a & b"),
            Err(ValueProblem::Reference(2, _, _))
        ));
        assert!(matches!(unescape("&foo;"), Err(ValueProblem::Reference(0, n, _)) if n == "foo"));
        assert!(matches!(unescape("a<b"), Err(ValueProblem::Char(1, _))));
        assert!(matches!(unescape("a\u{1}b"), Err(ValueProblem::Char(1, _))));
        assert!(unescape_attribute("&amp;", None).is_ok());
    }

    #[test]
    fn escaping_round_trips() {
        assert_eq!(escape("a&b<c>d\"e'f"), "a&amp;b&lt;c&gt;d&quot;e&apos;f");
        assert_eq!(escape("x\ny\r\tz\u{1f}"), "x&#10;y&#13;&#9;z&#31;");
        assert_eq!(escape("é€😀"), "é€😀");
        let text = "a&b<c>d\"e'f\n\r\t\u{1}é";
        assert_eq!(unescape(&escape(text)).unwrap(), text);
        assert!(matches!(
            write_escaped(&mut Vec::new(), "a\0b"),
            Err(WriteProblem::Nul)
        ));
    }

    #[test]
    fn names() {
        assert!(is_ncname("dataElement"));
        assert!(is_ncname("a_b-c.d1"));
        assert!(is_ncname("_x"));
        assert!(is_ncname("\u{e9}t\u{e9}"));
        assert!(is_ncname("a\u{b7}\u{300}"));
        assert!(!is_ncname(""));
        assert!(!is_ncname("1a"));
        assert!(!is_ncname("-a"));
        assert!(!is_ncname(".a"));
        assert!(!is_ncname("a b"));
        assert!(!is_ncname("a:b"));
        assert!(!is_ncname("+e"));
        assert!(!is_ncname("a\0"));
        assert!(!is_ncname("\u{d7}"));
        assert!(is_qualified_name("d:dataValue"));
        assert!(is_qualified_name("xmlns:d"));
        assert!(is_qualified_name("dataValue"));
        assert!(!is_qualified_name(":a"));
        assert!(!is_qualified_name("a:"));
        assert!(!is_qualified_name("a:b:c"));
        assert!(!is_qualified_name("a:1"));
        assert!(!is_qualified_name(""));
        assert!(!is_qualified_name("1a"));
        assert!(is_qualified_name("p:\u{e9}"));
        assert!(is_qualified_name("\u{e9}:a"));
        assert!(!is_qualified_name("\u{e9}:a:b"));
        assert!(!is_qualified_name("a:b\u{d7}"));
    }

    #[test]
    fn attribute_names_must_be_xml_names() {
        assert_eq!(attrs("dv +x=\"1\"", 2), Err(TagProblem::Name(3, 5)));
        assert_eq!(attrs("dv a:b:c=\"1\"", 2), Err(TagProblem::Name(3, 8)));
        assert_eq!(attrs("dv \u{1}=\"1\"", 2), Err(TagProblem::Name(3, 4)));
        assert!(attrs("dv x:a=\"1\" \u{e9}=\"2\"", 2).is_ok());
        let unchecked: Vec<_> = Attrs::without_name_check("dv a=\"1\" +x=\"2\"", 2)
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(unchecked[0].check_name(), Ok(()));
        assert_eq!(unchecked[1].check_name(), Err(TagProblem::Name(9, 11)));
    }

    #[test]
    fn forbidden_characters_are_found() {
        assert_eq!(find_forbidden_char(b"plain\t\r\n text"), None);
        assert_eq!(find_forbidden_char(b"ab\0c"), Some((2, '\0')));
        assert_eq!(find_forbidden_char(b"\x1f"), Some((0, '\u{1f}')));
        assert_eq!(find_forbidden_char(b"\x0b"), Some((0, '\u{b}')));
        assert_eq!(
            find_forbidden_char("x\u{fffd}\u{f000}y\u{fffe}".as_bytes()),
            Some((8, '\u{fffe}'))
        );
        assert_eq!(
            find_forbidden_char("\u{ffff}".as_bytes()),
            Some((0, '\u{ffff}'))
        );
        assert_eq!(find_forbidden_char("\u{7f}\u{85}".as_bytes()), None);
    }

    #[test]
    fn noncharacters_are_escaped_and_refused_literally() {
        assert_eq!(
            escape("a\u{fffe}b\u{ffff}\u{fffd}"),
            "a&#65534;b&#65535;\u{fffd}"
        );
        let text = "\u{fffe}\u{ffff}\u{f000}";
        assert_eq!(unescape(&escape(text)).unwrap(), text);
        assert!(matches!(
            unescape("a\u{fffe}"),
            Err(ValueProblem::Char(1, _))
        ));
        assert!(matches!(
            unescape("\u{ffff}"),
            Err(ValueProblem::Char(0, _))
        ));
        assert_eq!(
            unescape("\u{f000}\u{fffd}&amp;").unwrap(),
            "\u{f000}\u{fffd}&"
        );
    }
}
