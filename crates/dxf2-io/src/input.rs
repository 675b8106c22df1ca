//! Opening an input: a file or a stream, plain, gzip or zip (told apart by magic bytes, as DHIS2
//! does), decompressed within [`DecompressionLimits`].

use std::fmt;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{mpsc, Arc, Mutex};

use crate::error::{Error, ErrorKind};
use crate::format::Compression;
use crate::limits::DecompressionLimits;

/// The buffer size of inputs and of the chunks a zip entry is handed over in.
const BUFFER: usize = 64 * 1024;

/// Something worth telling the user about an input that is nevertheless read.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Warning {
    /// A zip archive held more than one file; only the first was read, as DHIS2 does.
    IgnoredZipEntries {
        /// The entry that was read.
        read: String,
        /// How many other file entries were ignored.
        ignored: usize,
        /// Whether there may be more (a stream whose remaining entries could not all be walked).
        at_least: bool,
    },
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Warning::IgnoredZipEntries {
                read,
                ignored,
                at_least,
            } => {
                let files = if *ignored == 1 { "file" } else { "files" };
                let more = if *at_least { "at least " } else { "" };
                write!(
                    f,
                    "zip: read `{read}`, the archive's first file, as DHIS2 does; \
                     {more}{ignored} other {files} ignored"
                )
            }
        }
    }
}

/// The warnings of an input, shared with the reading it does: a zip read from a stream learns
/// about its other entries only at the end of the first one. Cheap to clone.
#[derive(Clone, Debug, Default)]
pub struct Warnings(Arc<Mutex<Vec<Warning>>>);

impl Warnings {
    /// Takes the warnings collected so far (each is returned once).
    pub fn take(&self) -> Vec<Warning> {
        match self.0.lock() {
            Ok(mut list) => std::mem::take(&mut *list),
            Err(poisoned) => std::mem::take(&mut *poisoned.into_inner()),
        }
    }

    fn push(&self, warning: Warning) {
        match self.0.lock() {
            Ok(mut list) => list.push(warning),
            Err(poisoned) => poisoned.into_inner().push(warning),
        }
    }
}

/// An opened input: a buffered reader over the decompressed bytes of a file or stream.
///
/// gzip (every member) and zip (the first file entry) are detected by their magic bytes and
/// decompressed within the [`DecompressionLimits`]; CRCs and sizes are checked, so a corrupt
/// or truncated input fails before its end is reported.
///
/// ```
/// use std::io::Read;
/// use dxf2_io::{DecompressionLimits, Input};
///
/// let mut input = Input::from_reader("<memory>", &b"<dataValueSet/>"[..], &DecompressionLimits::default())?;
/// let mut text = String::new();
/// input.read_to_string(&mut text)?;
/// assert_eq!(text, "<dataValueSet/>");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct Input {
    reader: Box<dyn BufRead>,
    name: String,
    plain_file: Option<PathBuf>,
    compression: Compression,
    consumed: Arc<AtomicU64>,
    size: Option<u64>,
    warnings: Warnings,
}

impl fmt::Debug for Input {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Input")
            .field("name", &self.name)
            .field("compression", &self.compression)
            .field("size", &self.size)
            .finish_non_exhaustive()
    }
}

impl Input {
    /// Opens `path` (`-` for standard input).
    ///
    /// A zip file is read through its central directory (DHIS2's own zip exports keep their
    /// sizes after the data, which only the central directory tells); a zip stream entry by entry.
    pub fn open(path: &Path, limits: &DecompressionLimits) -> Result<Input, Error> {
        if path.as_os_str() == "-" {
            return Input::from_reader("<stdin>", io::stdin(), limits);
        }
        let name = path.display().to_string();
        let named = |e: io::Error| Error::new(name.clone(), ErrorKind::Io(e));
        let mut file = File::open(path).map_err(named)?;
        let meta = file.metadata().map_err(named)?;
        if meta.is_dir() {
            return Err(Error::new(
                name,
                ErrorKind::Io(io::Error::other("is a directory")),
            ));
        }
        if !meta.is_file() {
            // A FIFO, a character device, /dev/stdin: not seekable, read as a stream.
            let mut input = Input::from_reader(name, file, limits)?;
            input.size = None;
            return Ok(input);
        }
        let mut magic = Vec::with_capacity(4);
        (&mut file).take(4).read_to_end(&mut magic).map_err(named)?;
        file.seek(SeekFrom::Start(0)).map_err(named)?;
        let compression = Compression::sniff(&magic);
        let consumed = Arc::new(AtomicU64::new(0));
        let counting = Counting {
            inner: file,
            consumed: Arc::clone(&consumed),
        };
        let warnings = Warnings::default();
        let reader: Box<dyn BufRead> = match compression {
            Compression::None => Box::new(BufReader::with_capacity(BUFFER, counting)),
            Compression::Gzip => gzip(
                BufReader::with_capacity(BUFFER, counting),
                &consumed,
                limits,
            ),
            Compression::Zip => {
                let entry = zip_file(&name, counting, &warnings)?;
                bounded(entry, &consumed, limits)
            }
        };
        Ok(Input {
            reader,
            plain_file: (compression == Compression::None).then(|| path.to_path_buf()),
            name,
            compression,
            consumed,
            size: Some(meta.len()),
            warnings,
        })
    }

    /// Opens a stream (standard input, a socket, bytes in memory) named `name` in messages.
    ///
    /// A zip stream is read entry by entry from its local headers: an entry whose sizes follow its
    /// data (a data descriptor) cannot be read this way and is refused; pass such a file by path.
    pub fn from_reader<R: Read + Send + 'static>(
        name: impl Into<String>,
        reader: R,
        limits: &DecompressionLimits,
    ) -> Result<Input, Error> {
        let name = name.into();
        let consumed = Arc::new(AtomicU64::new(0));
        let mut buffered = BufReader::with_capacity(
            BUFFER,
            Counting {
                inner: reader,
                consumed: Arc::clone(&consumed),
            },
        );
        let compression = match buffered.fill_buf() {
            Ok(head) => Compression::sniff(head),
            Err(e) => return Err(Error::new(name, ErrorKind::Io(e))),
        };
        let warnings = Warnings::default();
        let reader: Box<dyn BufRead> = match compression {
            Compression::None => Box::new(buffered),
            Compression::Gzip => gzip(buffered, &consumed, limits),
            Compression::Zip => {
                let entry = zip_stream(&name, buffered, &warnings)?;
                bounded(entry, &consumed, limits)
            }
        };
        Ok(Input {
            reader,
            name,
            plain_file: None,
            compression,
            consumed,
            size: None,
            warnings,
        })
    }

    /// The name for messages: the path as given, or `<stdin>`.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// How the input was compressed.
    pub fn compression(&self) -> Compression {
        self.compression
    }

    /// The file, when the input is an uncompressed regular file (which a reader may reopen to
    /// seek in it).
    pub fn plain_file(&self) -> Option<&Path> {
        self.plain_file.as_deref()
    }

    /// The size of the input file in bytes (compressed), when known.
    pub fn size(&self) -> Option<u64> {
        self.size
    }

    /// A counter of the (compressed) bytes read so far, for progress reports.
    pub fn consumed(&self) -> Arc<AtomicU64> {
        Arc::clone(&self.consumed)
    }

    /// The warnings about this input (shared: more may come while it is read).
    pub fn warnings(&self) -> Warnings {
        self.warnings.clone()
    }

    /// The first bytes of the decompressed payload, without consuming them (for
    /// [`crate::Format::sniff`]).
    pub fn head(&mut self) -> Result<&[u8], Error> {
        let name = &self.name;
        self.reader
            .fill_buf()
            .map_err(|e| Error::new(name.clone(), ErrorKind::Io(e)))
    }
}

impl Read for Input {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.reader.read(buf)
    }
}

impl BufRead for Input {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        self.reader.fill_buf()
    }

    fn consume(&mut self, amount: usize) {
        self.reader.consume(amount)
    }
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

impl<R: Seek> Seek for Counting<R> {
    fn seek(&mut self, pos: SeekFrom) -> io::Result<u64> {
        self.inner.seek(pos)
    }
}

/// Fails once the decompressed bytes pass the limits, relative to the compressed bytes read.
struct Bounded<R> {
    inner: R,
    expanded: u64,
    consumed: Arc<AtomicU64>,
    limits: DecompressionLimits,
}

impl<R: Read> Read for Bounded<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.expanded = self.expanded.saturating_add(n as u64);
        self.limits
            .check(self.expanded, self.consumed.load(Ordering::Relaxed))?;
        Ok(n)
    }
}

fn bounded<R: Read + 'static>(
    inner: R,
    consumed: &Arc<AtomicU64>,
    limits: &DecompressionLimits,
) -> Box<dyn BufRead> {
    Box::new(BufReader::with_capacity(
        BUFFER,
        Bounded {
            inner,
            expanded: 0,
            consumed: Arc::clone(consumed),
            limits: *limits,
        },
    ))
}

/// Every member of a gzip stream, one after the other. Bytes after the last member that do not
/// start another member are an error (trailing garbage), and so is a truncated member.
struct Gzip<R: BufRead> {
    member: Option<flate2::bufread::GzDecoder<R>>,
}

impl<R: BufRead> Read for Gzip<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            let Some(member) = &mut self.member else {
                return Ok(0);
            };
            match member.read(buf) {
                Ok(0) if !buf.is_empty() => {
                    let Some(member) = self.member.take() else {
                        return Ok(0);
                    };
                    let mut raw = member.into_inner();
                    let rest = raw.fill_buf()?;
                    if rest.is_empty() {
                        return Ok(0);
                    }
                    if !rest.starts_with(&[0x1F, 0x8B]) {
                        return Err(io::Error::new(
                            io::ErrorKind::InvalidData,
                            "gzip: bytes after the last member are not gzip (trailing garbage, \
                             or a damaged file)",
                        ));
                    }
                    self.member = Some(flate2::bufread::GzDecoder::new(raw));
                }
                Ok(n) => return Ok(n),
                Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => {
                    return Err(io::Error::new(
                        e.kind(),
                        "gzip: the compressed data ends early (a truncated file)",
                    ))
                }
                Err(e) => return Err(io::Error::new(e.kind(), format!("gzip: {e}"))),
            }
        }
    }
}

fn gzip<R: BufRead + 'static>(
    raw: R,
    consumed: &Arc<AtomicU64>,
    limits: &DecompressionLimits,
) -> Box<dyn BufRead> {
    let member = Some(flate2::bufread::GzDecoder::new(raw));
    bounded(Gzip { member }, consumed, limits)
}

/// What the zip thread hands over.
enum Chunk {
    /// Decompressed bytes.
    Data(Vec<u8>),
    /// The entry ended, its CRC and size checked.
    End,
    /// Reading failed.
    Failed(io::Error),
}

/// The decompressed bytes of a zip entry, read by a thread that owns the archive (the `zip`
/// crate's entry reader borrows its archive, which an owned reader cannot hold). At most a few
/// chunks are in flight; dropping this reader stops the thread.
struct ZipEntryReader {
    chunks: mpsc::Receiver<Chunk>,
    current: Vec<u8>,
    pos: usize,
    done: bool,
}

impl Read for ZipEntryReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            if let Some(rest) = self.current.get(self.pos..) {
                if !rest.is_empty() {
                    let n = rest.len().min(buf.len());
                    if let (Some(to), Some(from)) = (buf.get_mut(..n), rest.get(..n)) {
                        to.copy_from_slice(from);
                    }
                    self.pos += n;
                    return Ok(n);
                }
            }
            if self.done {
                return Ok(0);
            }
            match self.chunks.recv() {
                Ok(Chunk::Data(data)) => {
                    self.current = data;
                    self.pos = 0;
                }
                Ok(Chunk::End) => self.done = true,
                Ok(Chunk::Failed(e)) => {
                    self.done = true;
                    return Err(e);
                }
                Err(_) => {
                    self.done = true;
                    return Err(io::Error::other("zip: the entry reader stopped"));
                }
            }
        }
    }
}

/// Sends an entry's bytes in chunks; checks that it has its declared size (the `zip` crate
/// checks the CRC at its end). `Ok(false)` when the receiver is gone.
fn pump(entry: &mut impl Read, name: &str, declared: u64, tx: &mpsc::SyncSender<Chunk>) -> bool {
    let mut total: u64 = 0;
    loop {
        let mut buf = vec![0u8; BUFFER];
        match entry.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => {
                total = total.saturating_add(n as u64);
                buf.truncate(n);
                if tx.send(Chunk::Data(buf)).is_err() {
                    return false;
                }
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => {
                let e = io::Error::new(e.kind(), format!("zip entry `{name}`: {e}"));
                let _ = tx.send(Chunk::Failed(e));
                return false;
            }
        }
    }
    if total != declared {
        let e = io::Error::new(
            io::ErrorKind::UnexpectedEof,
            format!("zip entry `{name}`: {total} bytes instead of the declared {declared} (a truncated or damaged archive)"),
        );
        let _ = tx.send(Chunk::Failed(e));
        return false;
    }
    true
}

fn spawn(work: impl FnOnce() + Send + 'static) -> io::Result<()> {
    std::thread::Builder::new()
        .name("dxf2-zip".to_owned())
        .spawn(work)
        .map(|_| ())
}

/// The first file entry of a zip file, through its central directory.
fn zip_file(
    name: &str,
    file: Counting<File>,
    warnings: &Warnings,
) -> Result<ZipEntryReader, Error> {
    let named = |kind: ErrorKind| Error::new(name.to_owned(), kind);
    let mut archive = zip::ZipArchive::new(file).map_err(|e| named(ErrorKind::Zip(e)))?;
    let mut first: Option<(usize, String, bool, u64)> = None;
    let mut others = 0usize;
    for index in 0..archive.len() {
        let entry = archive
            .by_index_data(index)
            .map_err(|e| named(ErrorKind::Zip(e)))?;
        if entry.is_dir() {
            continue;
        }
        if first.is_some() {
            others += 1;
            continue;
        }
        let entry_name = entry
            .name()
            .map_or_else(|_| format!("#{index}"), |n| n.into_owned());
        first = Some((index, entry_name, entry.encrypted(), entry.size()));
    }
    let (index, entry_name, encrypted, size) = first.ok_or_else(|| named(ErrorKind::ZipEmpty))?;
    if encrypted {
        return Err(named(ErrorKind::ZipEncrypted {
            entry: Some(entry_name),
        }));
    }
    // Open it once here, so that an unsupported method or a bad local header fails the open.
    archive
        .by_index(index)
        .map_err(|e| named(ErrorKind::Zip(e)))?;
    if others > 0 {
        warnings.push(Warning::IgnoredZipEntries {
            read: entry_name.clone(),
            ignored: others,
            at_least: false,
        });
    }
    let (tx, rx) = mpsc::sync_channel(4);
    spawn(move || {
        let mut entry = match archive.by_index(index) {
            Ok(entry) => entry,
            Err(e) => {
                let _ = tx.send(Chunk::Failed(io::Error::other(format!("zip: {e}"))));
                return;
            }
        };
        if pump(&mut entry, &entry_name, size, &tx) {
            let _ = tx.send(Chunk::End);
        }
    })
    .map_err(|e| named(ErrorKind::Io(e)))?;
    Ok(ZipEntryReader {
        chunks: rx,
        current: Vec::new(),
        pos: 0,
        done: false,
    })
}

/// The first file entry of a zip stream, from its local headers. The thread reports the opening
/// (typed errors: no file, encrypted, data descriptor) before any data.
fn zip_stream<R: Read + Send + 'static>(
    name: &str,
    mut reader: R,
    warnings: &Warnings,
) -> Result<ZipEntryReader, Error> {
    let named = |kind: ErrorKind| Error::new(name.to_owned(), kind);
    let (opened_tx, opened_rx) = mpsc::sync_channel::<Result<(), ErrorKind>>(1);
    let (tx, rx) = mpsc::sync_channel(4);
    let warnings = warnings.clone();
    spawn(move || {
        let entry_name = loop {
            let mut entry = match zip::read::read_zipfile_from_stream(&mut reader) {
                Ok(Some(entry)) => entry,
                Ok(None) => {
                    let _ = opened_tx.send(Err(ErrorKind::ZipEmpty));
                    return;
                }
                Err(zip::result::ZipError::UnsupportedArchive(message))
                    if message.contains("not available in the local header") =>
                {
                    let _ = opened_tx.send(Err(ErrorKind::ZipDataDescriptor));
                    return;
                }
                Err(zip::result::ZipError::UnsupportedArchive(
                    zip::result::ZipError::PASSWORD_REQUIRED,
                )) => {
                    let _ = opened_tx.send(Err(ErrorKind::ZipEncrypted { entry: None }));
                    return;
                }
                Err(e) => {
                    let _ = opened_tx.send(Err(ErrorKind::Zip(e)));
                    return;
                }
            };
            if entry.is_dir() {
                continue;
            }
            let entry_name = entry
                .name()
                .map_or_else(|_| "#0".to_owned(), |n| n.into_owned());
            if entry.encrypted() {
                let _ = opened_tx.send(Err(ErrorKind::ZipEncrypted {
                    entry: Some(entry_name),
                }));
                return;
            }
            if opened_tx.send(Ok(())).is_err() {
                return;
            }
            let size = entry.size();
            if !pump(&mut entry, &entry_name, size, &tx) {
                return;
            }
            break entry_name;
        };
        // Walk the other entries to say how many were ignored.
        let mut ignored = 0usize;
        let mut at_least = false;
        loop {
            match zip::read::read_zipfile_from_stream(&mut reader) {
                Ok(Some(entry)) => {
                    if !entry.is_dir() {
                        ignored += 1;
                    }
                }
                Ok(None) => break,
                Err(_) => {
                    at_least = true;
                    ignored += 1;
                    break;
                }
            }
        }
        if ignored > 0 {
            warnings.push(Warning::IgnoredZipEntries {
                read: entry_name,
                ignored,
                at_least,
            });
        }
        let _ = tx.send(Chunk::End);
    })
    .map_err(|e| named(ErrorKind::Io(e)))?;
    match opened_rx.recv() {
        Ok(Ok(())) => Ok(ZipEntryReader {
            chunks: rx,
            current: Vec::new(),
            pos: 0,
            done: false,
        }),
        Ok(Err(kind)) => Err(named(kind)),
        Err(_) => Err(named(ErrorKind::Io(io::Error::other(
            "zip: the entry reader stopped",
        )))),
    }
}
