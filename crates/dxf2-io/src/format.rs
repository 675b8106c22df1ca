//! Telling payload formats and compressions apart: by name, as DHIS2's file names say, and by
//! content, as DHIS2 sniffs an upload.

use std::fmt;
use std::path::Path;
use std::str::FromStr;

/// A DXF2 payload format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Format {
    /// DXF2 XML.
    Xml,
    /// DXF2 JSON.
    Json,
    /// DXF2 CSV.
    Csv,
}

impl Format {
    /// The file extension (`xml`, `json`, `csv`).
    pub fn extension(self) -> &'static str {
        match self {
            Format::Xml => "xml",
            Format::Json => "json",
            Format::Csv => "csv",
        }
    }

    /// The format named by a path's extension, looking through `.gz`/`.gzip`/`.zip`
    /// (`b.csv.zip` is CSV); `None` when the name says nothing.
    ///
    /// ```
    /// use dxf2_io::Format;
    /// use std::path::Path;
    ///
    /// assert_eq!(Format::from_path(Path::new("march.JSON.gz")), Some(Format::Json));
    /// assert_eq!(Format::from_path(Path::new("march.txt")), None);
    /// ```
    pub fn from_path(path: &Path) -> Option<Format> {
        let name = path.file_name()?.to_str()?.to_ascii_lowercase();
        let name = name
            .strip_suffix(".gz")
            .or_else(|| name.strip_suffix(".gzip"))
            .or_else(|| name.strip_suffix(".zip"))
            .unwrap_or(&name);
        match name.rsplit('.').next()? {
            "xml" => Some(Format::Xml),
            "json" => Some(Format::Json),
            "csv" => Some(Format::Csv),
            _ => None,
        }
    }

    /// The format suggested by the first bytes of a (decompressed) payload: `<` is XML, `{` or
    /// `[` JSON, anything else CSV (after a byte order mark and white space).
    ///
    /// ```
    /// use dxf2_io::Format;
    ///
    /// assert_eq!(Format::sniff(b"\xEF\xBB\xBF  <?xml"), Format::Xml);
    /// assert_eq!(Format::sniff(b"dataelement,period"), Format::Csv);
    /// ```
    pub fn sniff(head: &[u8]) -> Format {
        let head = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
        match head.iter().find(|b| !b.is_ascii_whitespace()) {
            Some(b'<') => Format::Xml,
            Some(b'{') | Some(b'[') => Format::Json,
            _ => Format::Csv,
        }
    }

    /// The format of an input: `explicit` when given, else the name's extension, else the content.
    pub fn detect(explicit: Option<Format>, path: &Path, head: &[u8]) -> Format {
        explicit
            .or_else(|| Format::from_path(path))
            .unwrap_or_else(|| Format::sniff(head))
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.extension())
    }
}

/// A format name that is not `xml`, `json` or `csv`.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("`{0}`: expected xml, json or csv")]
pub struct UnknownFormat(pub String);

impl FromStr for Format {
    type Err = UnknownFormat;

    fn from_str(s: &str) -> Result<Format, UnknownFormat> {
        match s.to_ascii_lowercase().as_str() {
            "xml" => Ok(Format::Xml),
            "json" => Ok(Format::Json),
            "csv" => Ok(Format::Csv),
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
    }

    #[test]
    fn sniffs_content() {
        assert_eq!(Format::sniff(b"\xEF\xBB\xBF  <?xml"), Format::Xml);
        assert_eq!(Format::sniff(b"\n{\"a\":1}"), Format::Json);
        assert_eq!(Format::sniff(b"\"dataelement\",\"period\""), Format::Csv);
    }

    #[test]
    fn parses_names() {
        assert_eq!("XML".parse::<Format>(), Ok(Format::Xml));
        assert!("yaml".parse::<Format>().is_err());
    }

    #[test]
    fn sniffs_compression() {
        assert_eq!(Compression::sniff(b"PK\x03\x04rest"), Compression::Zip);
        assert_eq!(Compression::sniff(b"\x1F\x8B\x08"), Compression::Gzip);
        assert_eq!(Compression::sniff(b"<?xml"), Compression::None);
        assert_eq!(Compression::sniff(b""), Compression::None);
    }
}
