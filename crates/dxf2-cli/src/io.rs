//! Opening inputs (plain, gzip or zip, sniffed by magic bytes; `-` for stdin) and outputs (plain,
//! `.gz` or `.zip` by extension; `-` for stdout), and telling formats apart.

use std::fs::File;
use std::io::{self, BufRead, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// A DXF2 payload format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// DXF2 XML.
    Xml,
    /// DXF2 JSON.
    Json,
    /// DXF2 CSV.
    Csv,
}

impl Format {
    /// The file extension.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Xml => "xml",
            Format::Json => "json",
            Format::Csv => "csv",
        }
    }

    /// The format named by a path's extension, looking through `.gz`/`.gzip`/`.zip`.
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

    /// The format suggested by the first bytes of a (decompressed) payload.
    pub fn sniff(head: &[u8]) -> Format {
        let head = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
        match head.iter().find(|b| !b.is_ascii_whitespace()) {
            Some(b'<') => Format::Xml,
            Some(b'{') | Some(b'[') => Format::Json,
            _ => Format::Csv,
        }
    }
}

/// How the input was compressed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Compression {
    /// Not compressed.
    None,
    /// gzip.
    Gzip,
    /// zip (the first entry is read).
    Zip,
}

/// An opened input: a buffered reader over the decompressed bytes.
pub struct Input {
    /// The decompressed bytes.
    pub reader: Box<dyn BufRead>,
    /// The file, when the input is an uncompressed regular file (seekable).
    pub plain_file: Option<PathBuf>,
    /// A display name for messages.
    pub name: String,
    /// Bytes of the (possibly compressed) input consumed so far, for progress reports.
    pub consumed: Arc<AtomicU64>,
    /// Size of the input file, when known.
    pub size: Option<u64>,
}

/// Counts the bytes read through it.
struct Counting<R> {
    inner: R,
    consumed: Arc<AtomicU64>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.consumed.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// Opens `path` (`-` = stdin), detecting gzip and zip by magic bytes as DHIS2 does.
pub fn open_input(path: &Path) -> io::Result<Input> {
    let is_stdin = path.as_os_str() == "-";
    let name = if is_stdin {
        "<stdin>".to_owned()
    } else {
        path.display().to_string()
    };
    let consumed = Arc::new(AtomicU64::new(0));
    let mut size = None;
    let raw: Box<dyn Read> = if is_stdin {
        Box::new(Counting {
            inner: io::stdin(),
            consumed: Arc::clone(&consumed),
        })
    } else {
        let file =
            File::open(path).map_err(|e| io::Error::new(e.kind(), format!("{name}: {e}")))?;
        size = file.metadata().ok().map(|m| m.len());
        Box::new(Counting {
            inner: file,
            consumed: Arc::clone(&consumed),
        })
    };
    let mut buffered = BufReader::with_capacity(64 * 1024, raw);
    let head = buffered.fill_buf()?;
    let compression = if head.starts_with(&[0x50, 0x4B, 0x03, 0x04]) {
        Compression::Zip
    } else if head.starts_with(&[0x1F, 0x8B]) {
        Compression::Gzip
    } else {
        Compression::None
    };
    let reader: Box<dyn BufRead> = match compression {
        Compression::None => Box::new(buffered),
        Compression::Gzip => Box::new(BufReader::with_capacity(
            64 * 1024,
            flate2::read::MultiGzDecoder::new(buffered),
        )),
        Compression::Zip => Box::new(BufReader::with_capacity(
            64 * 1024,
            ZipFirstEntry::new(buffered)?,
        )),
    };
    let plain_file = (compression == Compression::None && !is_stdin).then(|| path.to_path_buf());
    Ok(Input {
        reader,
        plain_file,
        name,
        consumed,
        size,
    })
}

/// Streams the first entry of a zip archive from a non-seekable reader.
struct ZipFirstEntry {
    inner: Box<dyn Read>,
}

impl ZipFirstEntry {
    fn new<R: Read + 'static>(mut reader: R) -> io::Result<ZipFirstEntry> {
        // Read the local file header by hand: signature, versions, flags, method, …
        let mut fixed = [0u8; 30];
        reader.read_exact(&mut fixed)?;
        let le16 = |i: usize| {
            u16::from_le_bytes([
                fixed.get(i).copied().unwrap_or(0),
                fixed.get(i + 1).copied().unwrap_or(0),
            ])
        };
        let le32 = |i: usize| {
            u32::from_le_bytes([
                fixed.get(i).copied().unwrap_or(0),
                fixed.get(i + 1).copied().unwrap_or(0),
                fixed.get(i + 2).copied().unwrap_or(0),
                fixed.get(i + 3).copied().unwrap_or(0),
            ])
        };
        let flags = le16(6);
        let method = le16(8);
        let compressed_size = u64::from(le32(18));
        let name_len = u64::from(le16(26));
        let extra_len = u64::from(le16(28));
        io::copy(
            &mut (&mut reader).take(name_len + extra_len),
            &mut io::sink(),
        )?;
        let sized = flags & 0x08 == 0;
        let inner: Box<dyn Read> = match method {
            0 if sized => Box::new(reader.take(compressed_size)),
            8 if sized => Box::new(flate2::read::DeflateDecoder::new(
                reader.take(compressed_size),
            )),
            8 => Box::new(flate2::read::DeflateDecoder::new(reader)),
            0 => {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    "zip: stored entry without sizes in its local header is not supported",
                ))
            }
            m => {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!(
                        "zip: compression method {m} is not supported (only stored and deflate)"
                    ),
                ))
            }
        };
        Ok(ZipFirstEntry { inner })
    }
}

impl Read for ZipFirstEntry {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.inner.read(buf)
    }
}

/// A zip archive written to a non-seekable stream.
type StreamZip = zip::ZipWriter<zip::write::StreamWriter<BufWriter<Box<dyn Write>>>>;

/// An output sink: plain, gzip or a one-entry zip, finished explicitly.
pub enum Output {
    /// Plain bytes.
    Plain(BufWriter<Box<dyn Write>>),
    /// gzip.
    Gzip(flate2::write::GzEncoder<BufWriter<Box<dyn Write>>>),
    /// zip with one entry.
    Zip(Box<zip::ZipWriter<File>>),
    /// zip with one entry, streamed (stdout).
    ZipStream(Box<StreamZip>),
}

impl Write for Output {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Output::Plain(w) => w.write(buf),
            Output::Gzip(w) => w.write(buf),
            Output::Zip(w) => w.write(buf),
            Output::ZipStream(w) => w.write(buf),
        }
    }
    fn flush(&mut self) -> io::Result<()> {
        match self {
            Output::Plain(w) => w.flush(),
            Output::Gzip(w) => w.flush(),
            Output::Zip(w) => w.flush(),
            Output::ZipStream(w) => w.flush(),
        }
    }
}

impl Output {
    /// Writes the compression trailer and flushes.
    pub fn finish(self) -> io::Result<()> {
        match self {
            Output::Plain(mut w) => w.flush(),
            Output::Gzip(w) => w.finish()?.flush(),
            Output::Zip(w) => w.finish().map(|_| ()).map_err(io::Error::other),
            Output::ZipStream(w) => w.finish().map(|_| ()).map_err(io::Error::other),
        }
    }
}

/// Compression chosen by an output path's extension.
pub fn output_compression(path: &Path) -> Compression {
    let name = path.to_string_lossy().to_ascii_lowercase();
    if name.ends_with(".gz") || name.ends_with(".gzip") {
        Compression::Gzip
    } else if name.ends_with(".zip") {
        Compression::Zip
    } else {
        Compression::None
    }
}

/// Opens an output (`-` = stdout). A `.zip` output holds one entry named like the file without
/// `.zip` (DHIS2's naming, e.g. `dataValues.xml.zip` holds `dataValues.xml`); `default_entry` names it
/// for stdout. Timestamps inside archives are fixed so that output is deterministic.
pub fn open_output(
    path: &Path,
    compression: Compression,
    default_entry: &str,
) -> io::Result<Output> {
    let is_stdout = path.as_os_str() == "-";
    let entry = if is_stdout {
        default_entry.to_owned()
    } else {
        let file_name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or(default_entry);
        file_name
            .strip_suffix(".zip")
            .or_else(|| file_name.strip_suffix(".ZIP"))
            .unwrap_or(file_name)
            .to_owned()
    };
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .last_modified_time(zip::DateTime::default());
    if compression == Compression::Zip && !is_stdout {
        let file = File::create(path)
            .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", path.display())))?;
        let mut zip = zip::ZipWriter::new(file);
        zip.start_file(entry, options).map_err(io::Error::other)?;
        return Ok(Output::Zip(Box::new(zip)));
    }
    let sink: Box<dyn Write> = if is_stdout {
        Box::new(io::stdout().lock())
    } else {
        Box::new(
            File::create(path)
                .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", path.display())))?,
        )
    };
    let buffered = BufWriter::with_capacity(64 * 1024, sink);
    Ok(match compression {
        Compression::None => Output::Plain(buffered),
        Compression::Gzip => Output::Gzip(
            flate2::GzBuilder::new()
                .mtime(0)
                .write(buffered, flate2::Compression::default()),
        ),
        Compression::Zip => {
            let mut zip = zip::ZipWriter::new_stream(buffered);
            zip.start_file(entry, options).map_err(io::Error::other)?;
            Output::ZipStream(Box::new(zip))
        }
    })
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
}
