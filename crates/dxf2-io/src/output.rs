//! Writing an output without ever destroying a file of the user: a file is written to a temporary
//! file beside it and renamed over it only when complete; an output that is an input is refused
//! before anything is opened for writing; special files are written through, never removed.

use std::fmt;
use std::fs::{self, File, OpenOptions};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use crate::error::{Error, ErrorKind};
use crate::format::Compression;

const BUFFER: usize = 64 * 1024;

/// Whether `a` and `b` name the same file (through symbolic links; hard links included). A path
/// that does not exist is no file; `Ok(false)`.
///
/// On Unix this compares device and inode numbers; elsewhere the canonical paths.
pub fn is_same_file(a: &Path, b: &Path) -> io::Result<bool> {
    let exists = |p: &Path| match fs::metadata(p) {
        Ok(m) => Ok(Some(m)),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e),
    };
    let (Some(ma), Some(mb)) = (exists(a)?, exists(b)?) else {
        return Ok(false);
    };
    same_metadata(a, &ma, b, &mb)
}

#[cfg(unix)]
fn same_metadata(_: &Path, a: &fs::Metadata, _: &Path, b: &fs::Metadata) -> io::Result<bool> {
    use std::os::unix::fs::MetadataExt;
    Ok(a.dev() == b.dev() && a.ino() == b.ino())
}

#[cfg(not(unix))]
fn same_metadata(a: &Path, _: &fs::Metadata, b: &Path, _: &fs::Metadata) -> io::Result<bool> {
    Ok(fs::canonicalize(a)? == fs::canonicalize(b)?)
}

/// How to create an [`Output`]: its compression, the name of a zip's entry, and the files it must
/// never be (inputs, stores).
///
/// ```
/// use dxf2_io::{Compression, OutputBuilder};
/// use std::io::Write;
///
/// let dir = std::env::temp_dir().join(format!("dxf2-io-doc-{}", std::process::id()));
/// std::fs::create_dir_all(&dir)?;
/// let path = dir.join("out.csv.gz");
/// let mut out = OutputBuilder::new()
///     .compression(Compression::from_path(&path))
///     .protect("input.csv")
///     .create(&path)?;
/// out.write_all(b"dataelement,period\n")?;
/// out.commit()?; // until here, `out.csv.gz` is untouched
/// assert!(path.is_file());
/// # std::fs::remove_dir_all(&dir)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug)]
pub struct OutputBuilder {
    compression: Compression,
    zip_entry: Option<String>,
    protected: Vec<PathBuf>,
}

impl Default for OutputBuilder {
    fn default() -> OutputBuilder {
        OutputBuilder::new()
    }
}

impl OutputBuilder {
    /// An uncompressed output protecting nothing.
    pub fn new() -> OutputBuilder {
        OutputBuilder {
            compression: Compression::None,
            zip_entry: None,
            protected: Vec::new(),
        }
    }

    /// Compresses the output (default: none).
    pub fn compression(&mut self, compression: Compression) -> &mut OutputBuilder {
        self.compression = compression;
        self
    }

    /// The name of a zip output's one entry when the output's name cannot give it (standard
    /// output, a device). A file `NAME.zip` holds `NAME`, as DHIS2 names it.
    pub fn zip_entry(&mut self, name: impl Into<String>) -> &mut OutputBuilder {
        self.zip_entry = Some(name.into());
        self
    }

    /// Refuses to create the output when it is the same file as `path` (an input, a store).
    pub fn protect(&mut self, path: impl Into<PathBuf>) -> &mut OutputBuilder {
        self.protected.push(path.into());
        self
    }

    /// Creates the output at `path` (`-`, `/dev/stdout`: standard output).
    ///
    /// A regular file (new, existing, or the target of a symbolic link) is written to a
    /// temporary file beside it (`.NAME.dxf2-tmp-…`), which [`Output::commit`] renames over it;
    /// a character device or FIFO is written through; a directory is refused.
    pub fn create(&self, path: &Path) -> Result<Output, Error> {
        let name = path.display().to_string();
        let named = |kind: ErrorKind| Error::new(name.clone(), kind);
        let io_err = |e: io::Error| Error::new(name.clone(), ErrorKind::Io(e));
        let is_stdout = path.as_os_str() == "-"
            || [
                Path::new("/dev/stdout"),
                Path::new("/dev/fd/1"),
                Path::new("/proc/self/fd/1"),
            ]
            .contains(&path);
        if is_stdout {
            let entry = self.zip_entry.clone().unwrap_or_else(|| "data".to_owned());
            return Output::new(
                "<stdout>".to_owned(),
                Target::Stdout,
                Dest::Stdout(io::stdout().lock()),
                self.compression,
                entry,
            );
        }
        for input in &self.protected {
            if is_same_file(path, input).map_err(io_err)? {
                return Err(Error::unnamed(ErrorKind::SameFile {
                    output: path.to_path_buf(),
                    input: input.clone(),
                }));
            }
        }
        let entry = zip_entry_name(path)
            .or_else(|| self.zip_entry.clone())
            .unwrap_or_else(|| "data".to_owned());
        let target = resolve_links(path).map_err(io_err)?;
        let existing = match fs::metadata(&target) {
            Ok(m) => Some(m),
            Err(e) if e.kind() == io::ErrorKind::NotFound => None,
            Err(e) => return Err(io_err(e)),
        };
        match existing {
            Some(m) if m.is_dir() => {
                Err(named(ErrorKind::BadOutput("it is a directory".to_owned())))
            }
            Some(m) if !m.is_file() => {
                // A device, a FIFO, a socket: write through it; never remove or replace it.
                let file = OpenOptions::new()
                    .write(true)
                    .open(&target)
                    .map_err(io_err)?;
                Output::new(
                    name.clone(),
                    Target::Direct,
                    Dest::File(file),
                    self.compression,
                    entry,
                )
            }
            existing => {
                let (temp, file) = create_temp(&target).map_err(io_err)?;
                // Keep the replaced file's permissions.
                let permissions = match existing {
                    Some(m) => file.set_permissions(m.permissions()),
                    None => Ok(()),
                };
                let output = permissions.map_err(io_err).and_then(|()| {
                    Output::new(
                        name.clone(),
                        Target::Replace {
                            temp: temp.clone(),
                            target,
                        },
                        Dest::File(file),
                        self.compression,
                        entry,
                    )
                });
                if output.is_err() {
                    let _ = fs::remove_file(&temp);
                }
                output
            }
        }
    }
}

/// `NAME` of a file `NAME.zip` (DHIS2's naming: `dataValues.xml.zip` holds `dataValues.xml`).
fn zip_entry_name(path: &Path) -> Option<String> {
    let file_name = path.file_name()?.to_str()?;
    let entry = file_name
        .strip_suffix(".zip")
        .or_else(|| file_name.strip_suffix(".ZIP"))
        .unwrap_or(file_name);
    Some(entry.to_owned())
}

/// Follows a chain of symbolic links to the path it ends at (which may not exist yet).
fn resolve_links(path: &Path) -> io::Result<PathBuf> {
    let mut current = path.to_path_buf();
    for _ in 0..40 {
        match fs::symlink_metadata(&current) {
            Ok(m) if m.file_type().is_symlink() => {
                let next = fs::read_link(&current)?;
                current = if next.is_absolute() {
                    next
                } else {
                    current.parent().unwrap_or(Path::new("")).join(next)
                };
            }
            Ok(_) => return Ok(current),
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(current),
            Err(e) => return Err(e),
        }
    }
    Err(io::Error::other("too many levels of symbolic links"))
}

/// Creates `.NAME.dxf2-tmp-PID-N` beside `target`, never reusing an existing path.
fn create_temp(target: &Path) -> io::Result<(PathBuf, File)> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let dir = match target.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let base = target
        .file_name()
        .map_or_else(|| "output".into(), |n| n.to_string_lossy());
    let mut last = None;
    for _ in 0..100 {
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let temp = dir.join(format!(".{base}.dxf2-tmp-{}-{n}", std::process::id()));
        match OpenOptions::new().write(true).create_new(true).open(&temp) {
            Ok(file) => return Ok((temp, file)),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => last = Some(e),
            Err(e) => return Err(e),
        }
    }
    Err(last.unwrap_or_else(|| io::Error::other("no free temporary file name")))
}

/// Where an output's bytes end up.
enum Target {
    /// Standard output.
    Stdout,
    /// A special file written through.
    Direct,
    /// A temporary file renamed over `target` on commit.
    Replace { temp: PathBuf, target: PathBuf },
}

/// The bytes' destination.
enum Dest {
    Stdout(io::StdoutLock<'static>),
    File(File),
}

impl Write for Dest {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Dest::Stdout(w) => w.write(buf),
            Dest::File(w) => w.write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Dest::Stdout(w) => w.flush(),
            Dest::File(w) => w.flush(),
        }
    }
}

/// A zip archive written to a non-seekable destination.
type StreamZip = zip::ZipWriter<zip::write::StreamWriter<BufWriter<Dest>>>;

/// The compression layer.
enum Sink {
    Plain(BufWriter<Dest>),
    Gzip(flate2::write::GzEncoder<BufWriter<Dest>>),
    /// A zip in a (seekable) file.
    Zip(Box<zip::ZipWriter<File>>),
    /// A zip streamed (standard output, a device).
    ZipStream(Box<StreamZip>),
}

impl Sink {
    /// Writes the trailers and flushes; returns the destination.
    fn finish(self) -> io::Result<Dest> {
        let buffered = match self {
            Sink::Plain(w) => w,
            Sink::Gzip(w) => w.finish()?,
            Sink::Zip(w) => return w.finish().map(Dest::File).map_err(io::Error::other),
            Sink::ZipStream(w) => w.finish().map_err(io::Error::other)?.into_inner(),
        };
        buffered.into_inner().map_err(|e| e.into_error())
    }
}

/// An output being written: plain, gzip or a one-entry zip. Nothing of the user's is replaced
/// until [`Output::commit`]; dropping an output without committing removes the temporary file
/// (and only that).
pub struct Output {
    name: String,
    target: Target,
    sink: Option<Sink>,
}

impl fmt::Debug for Output {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Output")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

impl Output {
    /// Creates `path` with `compression` and no protected inputs: see [`OutputBuilder::create`].
    pub fn create(path: &Path, compression: Compression) -> Result<Output, Error> {
        OutputBuilder::new().compression(compression).create(path)
    }

    fn new(
        name: String,
        target: Target,
        dest: Dest,
        compression: Compression,
        entry: String,
    ) -> Result<Output, Error> {
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .last_modified_time(zip::DateTime::default());
        let zip_err = |e: zip::result::ZipError| Error::new(name.clone(), ErrorKind::Zip(e));
        let sink = match (compression, dest) {
            (Compression::Zip, Dest::File(file)) if matches!(target, Target::Replace { .. }) => {
                let mut zip = zip::ZipWriter::new(file);
                zip.start_file(entry, options).map_err(zip_err)?;
                Sink::Zip(Box::new(zip))
            }
            (Compression::Zip, dest) => {
                let mut zip = zip::ZipWriter::new_stream(BufWriter::with_capacity(BUFFER, dest));
                zip.start_file(entry, options).map_err(zip_err)?;
                Sink::ZipStream(Box::new(zip))
            }
            (Compression::Gzip, dest) => Sink::Gzip(flate2::GzBuilder::new().mtime(0).write(
                BufWriter::with_capacity(BUFFER, dest),
                flate2::Compression::default(),
            )),
            (Compression::None, dest) => Sink::Plain(BufWriter::with_capacity(BUFFER, dest)),
        };
        Ok(Output {
            name,
            target,
            sink: Some(sink),
        })
    }

    /// The name for messages: the path as given, or `<stdout>`.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Finishes the output: writes the compression trailer, flushes, and for a file syncs the
    /// temporary file to disk and renames it over the target (the same file system, so the
    /// target is either the old file or the complete new one).
    pub fn commit(mut self) -> Result<(), Error> {
        let name = self.name.clone();
        let io_err = |e: io::Error| Error::new(name.clone(), ErrorKind::Io(e));
        let Some(sink) = self.sink.take() else {
            return Err(io_err(io::Error::other("the output was already finished")));
        };
        let mut dest = sink.finish().map_err(io_err)?;
        dest.flush().map_err(io_err)?;
        if let Target::Replace { temp, target } = &self.target {
            if let Dest::File(file) = &dest {
                file.sync_all().map_err(io_err)?;
            }
            drop(dest);
            fs::rename(temp, target).map_err(io_err)?;
            // Make the rename itself durable; some file systems cannot sync a directory, and the
            // data is safe either way.
            if let Some(dir) = target.parent().filter(|d| !d.as_os_str().is_empty()) {
                if let Ok(dir) = File::open(dir) {
                    let _ = dir.sync_all();
                }
            }
            self.target = Target::Direct;
        }
        Ok(())
    }

    fn sink(&mut self) -> io::Result<&mut Sink> {
        self.sink
            .as_mut()
            .ok_or_else(|| io::Error::other("the output was already finished"))
    }
}

impl Write for Output {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self.sink()? {
            Sink::Plain(w) => w.write(buf),
            Sink::Gzip(w) => w.write(buf),
            Sink::Zip(w) => w.write(buf),
            Sink::ZipStream(w) => w.write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self.sink()? {
            Sink::Plain(w) => w.flush(),
            Sink::Gzip(w) => w.flush(),
            Sink::Zip(w) => w.flush(),
            Sink::ZipStream(w) => w.flush(),
        }
    }
}

impl Drop for Output {
    fn drop(&mut self) {
        // Close the file first, then remove what we created (and nothing else).
        self.sink = None;
        if let Target::Replace { temp, .. } = &self.target {
            let _ = fs::remove_file(temp);
        }
    }
}
