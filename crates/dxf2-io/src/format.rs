//! Telling payload formats and compressions apart: by name, as DHIS2's file names say, and by
//! content, as DHIS2 sniffs an upload.

use std::fmt;
use std::path::Path;
use std::str::FromStr;

/// A payload format: the three DXF2 formats, IHE ADX, and DHIS2's filled PDF data entry forms.
///
/// ADX is XML too: DHIS2 tells it from DXF2 XML by the **root element** (`adx` or
/// `dataValueSet`, by local name), and so does [`Format::detect`] for a plain `.xml` name. A
/// name ending in `.adx.xml` or `.adx` means ADX. Reading and writing ADX needs the metadata
/// that maps its codes ([`AnyReader::open_with`](crate::AnyReader::open_with),
/// [`AnyWriter::with_metadata`](crate::AnyWriter::with_metadata)).
///
/// A PDF is told apart by its content, `%PDF-` (or a `.pdf` name). It is read only: a filled
/// DHIS2 data set form gives its values as DHIS2's PDF import does (see the re-exported
/// [`pdf`](crate::pdf) crate); the fillable form is made from metadata
/// ([`pdf::write_form`](crate::pdf::write_form)), not written from values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Format {
    /// DXF2 XML (root element `dataValueSet`).
    Xml,
    /// DXF2 JSON.
    Json,
    /// DXF2 CSV.
    Csv,
    /// IHE ADX (root element `adx`), as DHIS2 reads and writes it.
    Adx,
    /// A filled DHIS2 PDF data entry form (read only).
    Pdf,
}

impl Format {
    /// Every format, in the order messages list them.
    pub const ALL: [Format; 5] = [
        Format::Xml,
        Format::Json,
        Format::Csv,
        Format::Adx,
        Format::Pdf,
    ];

    /// The format's name, as `--format` and messages say it (`xml`, `json`, `csv`, `adx`,
    /// `pdf`).
    pub fn name(self) -> &'static str {
        match self {
            Format::Xml => "xml",
            Format::Json => "json",
            Format::Csv => "csv",
            Format::Adx => "adx",
            Format::Pdf => "pdf",
        }
    }

    /// The file extension (`xml`, `json`, `csv`, `pdf`, and `adx.xml` as DHIS2 names an ADX
    /// download).
    pub fn extension(self) -> &'static str {
        match self {
            Format::Xml => "xml",
            Format::Json => "json",
            Format::Csv => "csv",
            Format::Adx => "adx.xml",
            Format::Pdf => "pdf",
        }
    }

    /// The format named by a path's extension, looking through `.gz`/`.gzip`/`.zip`
    /// (`b.csv.zip` is CSV; `b.adx.xml` and `b.adx` are ADX, a plain `b.xml` is DXF2 XML by
    /// name — see [`Format::fits_path`] and [`Format::detect`]); `None` when the name says
    /// nothing.
    ///
    /// ```
    /// use dxf2_io::Format;
    /// use std::path::Path;
    ///
    /// assert_eq!(Format::from_path(Path::new("march.JSON.gz")), Some(Format::Json));
    /// assert_eq!(Format::from_path(Path::new("march.adx.xml.zip")), Some(Format::Adx));
    /// assert_eq!(Format::from_path(Path::new("march.txt")), None);
    /// ```
    pub fn from_path(path: &Path) -> Option<Format> {
        let name = path.file_name()?.to_str()?.to_ascii_lowercase();
        let name = name
            .strip_suffix(".gz")
            .or_else(|| name.strip_suffix(".gzip"))
            .or_else(|| name.strip_suffix(".zip"))
            .unwrap_or(&name);
        if name.ends_with(".adx.xml") || name.ends_with(".adx") {
            return Some(Format::Adx);
        }
        match name.rsplit('.').next()? {
            "xml" => Some(Format::Xml),
            "json" => Some(Format::Json),
            "csv" => Some(Format::Csv),
            "pdf" => Some(Format::Pdf),
            _ => None,
        }
    }

    /// Whether a file named `path` may hold this format: its name says nothing, says this
    /// format, or is a plain `.xml`, which fits both DXF2 XML and ADX (DHIS2 tells them apart
    /// by the root element). `x.adx.xml` does not fit DXF2 XML.
    ///
    /// ```
    /// use dxf2_io::Format;
    /// use std::path::Path;
    ///
    /// assert!(Format::Adx.fits_path(Path::new("march.xml")));
    /// assert!(Format::Xml.fits_path(Path::new("march.xml.gz")));
    /// assert!(!Format::Xml.fits_path(Path::new("march.adx.xml")));
    /// assert!(!Format::Csv.fits_path(Path::new("march.xml")));
    /// assert!(Format::Csv.fits_path(Path::new("march.txt")));
    /// ```
    pub fn fits_path(self, path: &Path) -> bool {
        match Format::from_path(path) {
            None => true,
            Some(named) => named == self || (named == Format::Xml && self == Format::Adx),
        }
    }

    /// The format suggested by the first bytes of a (decompressed) payload: `%PDF-` is a PDF,
    /// `<` is XML — ADX when its root element is `adx` ([`Format::from_xml_root`]), else DXF2
    /// XML —, `{` or `[` JSON, anything else CSV (after a byte order mark and white space).
    ///
    /// ```
    /// use dxf2_io::Format;
    ///
    /// assert_eq!(Format::sniff(b"\xEF\xBB\xBF  <?xml"), Format::Xml);
    /// assert_eq!(Format::sniff(b"<?xml version=\"1.0\"?><adx xmlns=\"urn:ihe:qrph:adx:2015\">"), Format::Adx);
    /// assert_eq!(Format::sniff(b"dataelement,period"), Format::Csv);
    /// assert_eq!(Format::sniff(b"%PDF-1.7\n%\xE2\xE3\xCF\xD3"), Format::Pdf);
    /// ```
    pub fn sniff(head: &[u8]) -> Format {
        if Format::is_pdf(head) {
            return Format::Pdf;
        }
        let head = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
        match head.iter().find(|b| !b.is_ascii_whitespace()) {
            Some(b'<') => Format::from_xml_root(head).unwrap_or(Format::Xml),
            Some(b'{') | Some(b'[') => Format::Json,
            _ => Format::Csv,
        }
    }

    /// Whether a payload's first bytes are a PDF's: `%PDF-`, after white space at most (a PDF
    /// library also finds the signature a little later in the file; such a file is read as a
    /// PDF when its name ends in `.pdf` or a PDF is asked for).
    ///
    /// ```
    /// use dxf2_io::Format;
    ///
    /// assert!(Format::is_pdf(b"%PDF-1.4"));
    /// assert!(Format::is_pdf(b"\r\n%PDF-2.0"));
    /// assert!(!Format::is_pdf(b"dataelement,%PDF-"));
    /// ```
    pub fn is_pdf(head: &[u8]) -> bool {
        let start = head
            .iter()
            .position(|b| !b.is_ascii_whitespace())
            .unwrap_or(head.len());
        head.get(start..).is_some_and(|h| h.starts_with(b"%PDF-"))
    }

    /// The format an XML payload's root element names, as DHIS2 2.43+ tells them apart (by
    /// local name, any namespace or prefix): `adx` is [`Format::Adx`], any other element
    /// [`Format::Xml`]. `None` when `head` is not XML or ends before the root element (after
    /// the XML declaration, processing instructions, comments and a DOCTYPE).
    ///
    /// ```
    /// use dxf2_io::Format;
    ///
    /// assert_eq!(Format::from_xml_root(b"<!-- x --><a:adx xmlns:a=\"urn:ihe:qrph:adx:2015\"/>"), Some(Format::Adx));
    /// assert_eq!(Format::from_xml_root(b"<dataValueSet xmlns=\"http://dhis2.org/schema/dxf/2.0\">"), Some(Format::Xml));
    /// assert_eq!(Format::from_xml_root(b"<?xml version=\"1.0\"?>"), None);
    /// ```
    pub fn from_xml_root(head: &[u8]) -> Option<Format> {
        let name = root_element(head)?;
        let local = name.rsplit(|b| *b == b':').next().unwrap_or(name);
        Some(if local == b"adx" {
            Format::Adx
        } else {
            Format::Xml
        })
    }

    /// The format of an input: `explicit` when given, else the name's extension (for a plain
    /// `.xml`, the root element decides between DXF2 XML and ADX), else the content
    /// ([`Format::sniff`]).
    ///
    /// ```
    /// use dxf2_io::Format;
    /// use std::path::Path;
    ///
    /// let adx = b"<adx xmlns=\"urn:ihe:qrph:adx:2015\"></adx>";
    /// assert_eq!(Format::detect(None, Path::new("march.xml"), adx), Format::Adx);
    /// assert_eq!(Format::detect(None, Path::new("-"), adx), Format::Adx);
    /// assert_eq!(Format::detect(Some(Format::Xml), Path::new("march.xml"), adx), Format::Xml);
    /// assert_eq!(Format::detect(None, Path::new("march.adx.xml"), b"<dataValueSet/>"), Format::Adx);
    /// ```
    pub fn detect(explicit: Option<Format>, path: &Path, head: &[u8]) -> Format {
        match (explicit, Format::from_path(path)) {
            (Some(given), _) => given,
            (None, Some(Format::Xml)) => Format::from_xml_root(head).unwrap_or(Format::Xml),
            (None, Some(named)) => named,
            (None, None) => Format::sniff(head),
        }
    }
}

/// The name of the root element of the XML document starting `head` (after a byte order mark,
/// white space, the XML declaration, processing instructions, comments and a DOCTYPE); `None`
/// when `head` ends first or holds something else.
fn root_element(head: &[u8]) -> Option<&[u8]> {
    let mut rest = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    loop {
        let start = rest.iter().position(|b| !b.is_ascii_whitespace())?;
        rest = rest.get(start..)?;
        if rest.starts_with(b"<?") {
            rest = after(rest, b"?>")?;
        } else if rest.starts_with(b"<!--") {
            rest = after(rest, b"-->")?;
        } else if rest.starts_with(b"<!") {
            rest = after_declaration(rest)?;
        } else if let Some(tag) = rest.strip_prefix(b"<") {
            let end = tag
                .iter()
                .position(|b| b.is_ascii_whitespace() || matches!(b, b'/' | b'>'))?;
            let name = tag.get(..end)?;
            return (!name.is_empty()).then_some(name);
        } else {
            return None;
        }
    }
}

/// What follows the first `needle` in `text`.
fn after<'a>(text: &'a [u8], needle: &[u8]) -> Option<&'a [u8]> {
    let at = text.windows(needle.len()).position(|w| w == needle)?;
    text.get(at + needle.len()..)
}

/// What follows a `<!DOCTYPE …>` declaration (its internal subset in `[…]` skipped whole).
fn after_declaration(text: &[u8]) -> Option<&[u8]> {
    let mut depth = 0usize;
    let mut quote: Option<u8> = None;
    for (i, b) in text.iter().enumerate() {
        match (quote, *b) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, b'"' | b'\'') => quote = Some(*b),
            (None, b'[') => depth += 1,
            (None, b']') => depth = depth.saturating_sub(1),
            (None, b'>') if depth == 0 => return text.get(i + 1..),
            _ => {}
        }
    }
    None
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A format name that is not `xml`, `json`, `csv`, `adx` or `pdf`.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("`{0}`: expected xml, json, csv, adx or pdf")]
pub struct UnknownFormat(pub String);

impl FromStr for Format {
    type Err = UnknownFormat;

    fn from_str(s: &str) -> Result<Format, UnknownFormat> {
        match s.to_ascii_lowercase().as_str() {
            "xml" => Ok(Format::Xml),
            "json" => Ok(Format::Json),
            "csv" => Ok(Format::Csv),
            "adx" => Ok(Format::Adx),
            "pdf" => Ok(Format::Pdf),
            _ => Err(UnknownFormat(s.to_owned())),
        }
    }
}

/// How a payload is compressed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Compression {
    /// Not compressed.
    None,
    /// gzip (every member is read).
    Gzip,
    /// zip (the first file entry is read, as DHIS2 does).
    Zip,
}

impl Compression {
    /// The compression of an output named `path`: `.gz`/`.gzip` gzip, `.zip` zip, else none.
    ///
    /// ```
    /// use dxf2_io::Compression;
    /// use std::path::Path;
    ///
    /// assert_eq!(Compression::from_path(Path::new("out.csv.GZ")), Compression::Gzip);
    /// assert_eq!(Compression::from_path(Path::new("out.csv")), Compression::None);
    /// ```
    pub fn from_path(path: &Path) -> Compression {
        let name = path.to_string_lossy().to_ascii_lowercase();
        if name.ends_with(".gz") || name.ends_with(".gzip") {
            Compression::Gzip
        } else if name.ends_with(".zip") {
            Compression::Zip
        } else {
            Compression::None
        }
    }

    /// The compression announced by a payload's first bytes (its magic number), as DHIS2 detects
    /// it: `PK\x03\x04` zip, `\x1F\x8B` gzip.
    pub fn sniff(head: &[u8]) -> Compression {
        if head.starts_with(&[0x50, 0x4B, 0x03, 0x04]) {
            Compression::Zip
        } else if head.starts_with(&[0x1F, 0x8B]) {
            Compression::Gzip
        } else {
            Compression::None
        }
    }
}

impl fmt::Display for Compression {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Compression::None => "none",
            Compression::Gzip => "gzip",
            Compression::Zip => "zip",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_from_paths() {
        assert_eq!(Format::from_path(Path::new("a/b.xml")), Some(Format::Xml));
        assert_eq!(
            Format::from_path(Path::new("b.JSON.gz")),
            Some(Format::Json)
        );
        assert_eq!(Format::from_path(Path::new("b.csv.zip")), Some(Format::Csv));
        assert_eq!(Format::from_path(Path::new("b.txt")), None);
        assert_eq!(
            Format::from_path(Path::new("b.ADX.xml.gz")),
            Some(Format::Adx)
        );
        assert_eq!(Format::from_path(Path::new("b.adx")), Some(Format::Adx));
        assert_eq!(Format::from_path(Path::new("adx.xml")), Some(Format::Xml));
        assert_eq!(Format::Adx.extension(), "adx.xml");
        assert_eq!(Format::Adx.to_string(), "adx");
    }

    #[test]
    fn a_plain_xml_name_fits_both_xml_formats() {
        let p = Path::new;
        assert!(Format::Xml.fits_path(p("a.xml")));
        assert!(Format::Adx.fits_path(p("a.xml")));
        assert!(Format::Adx.fits_path(p("a.adx.xml.zip")));
        assert!(!Format::Xml.fits_path(p("a.adx.xml")));
        assert!(!Format::Json.fits_path(p("a.adx")));
        assert!(Format::Json.fits_path(p("-")));
    }

    #[test]
    fn the_root_element_decides() {
        let root = Format::from_xml_root;
        assert_eq!(root(b"<adx/>"), Some(Format::Adx));
        assert_eq!(root(b"\xEF\xBB\xBF\n <adx>"), Some(Format::Adx));
        assert_eq!(
            root(b"<ihe:adx xmlns:ihe=\"urn:ihe:qrph:adx:2015\">"),
            Some(Format::Adx)
        );
        assert_eq!(
            root(b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!-- <adx> -->\n<dataValueSet>"),
            Some(Format::Xml)
        );
        assert_eq!(
            root(b"<!DOCTYPE adx [ <!ENTITY a \"<x>\"> ]><adx>"),
            Some(Format::Adx)
        );
        assert_eq!(root(b"<adxx/>"), Some(Format::Xml));
        assert_eq!(root(b"<?xml version=\"1.0\"?><!-- cut"), None);
        assert_eq!(root(b"<adx"), None);
        assert_eq!(root(b"{\"a\":1}"), None);
        assert_eq!(root(b""), None);
        assert_eq!(root(b"<>"), None);
        // A `.xml` name: the root decides; an ADX name or an explicit format wins.
        let adx = b"<adx></adx>";
        assert_eq!(Format::detect(None, p("a.xml"), adx), Format::Adx);
        assert_eq!(
            Format::detect(None, p("a.xml"), b"<dataValueSet/>"),
            Format::Xml
        );
        assert_eq!(Format::detect(None, p("a.xml"), b"<?xml"), Format::Xml);
        assert_eq!(
            Format::detect(None, p("a.adx"), b"<dataValueSet/>"),
            Format::Adx
        );
        assert_eq!(Format::detect(Some(Format::Xml), p("a"), adx), Format::Xml);
        assert_eq!(Format::detect(None, p("-"), adx), Format::Adx);
    }

    fn p(s: &str) -> &Path {
        Path::new(s)
    }

    #[test]
    fn sniffs_content() {
        assert_eq!(Format::sniff(b"\xEF\xBB\xBF  <?xml"), Format::Xml);
        assert_eq!(Format::sniff(b"\n{\"a\":1}"), Format::Json);
        assert_eq!(Format::sniff(b"\"dataelement\",\"period\""), Format::Csv);
        assert_eq!(Format::sniff(b"%PDF-1.4\n"), Format::Pdf);
        assert_eq!(Format::sniff(b" \n%PDF-1.7"), Format::Pdf);
        assert_eq!(Format::sniff(b"%PDF"), Format::Csv);
        assert_eq!(
            Format::from_path(Path::new("form.PDF.gz")),
            Some(Format::Pdf)
        );
        assert_eq!(
            Format::detect(None, Path::new("-"), b"%PDF-1.4"),
            Format::Pdf
        );
        assert_eq!(
            Format::detect(None, Path::new("form.pdf"), b"{}"),
            Format::Pdf
        );
        assert!(!Format::Pdf.fits_path(Path::new("form.xml")));
    }

    #[test]
    fn parses_names() {
        assert_eq!("XML".parse::<Format>(), Ok(Format::Xml));
        assert_eq!("ADX".parse::<Format>(), Ok(Format::Adx));
        for f in Format::ALL {
            assert_eq!(f.name().parse::<Format>(), Ok(f));
        }
        let e = "yaml".parse::<Format>().unwrap_err();
        assert_eq!(e.to_string(), "`yaml`: expected xml, json, csv, adx or pdf");
    }

    #[test]
    fn sniffs_compression() {
        assert_eq!(Compression::sniff(b"PK\x03\x04rest"), Compression::Zip);
        assert_eq!(Compression::sniff(b"\x1F\x8B\x08"), Compression::Gzip);
        assert_eq!(Compression::sniff(b"<?xml"), Compression::None);
        assert_eq!(Compression::sniff(b""), Compression::None);
    }
}
