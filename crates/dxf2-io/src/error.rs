//! The one error type of the crate: which file or stream, and what went wrong with it.

use std::fmt;
use std::io;
use std::path::PathBuf;

/// A failure to open, read or write a DXF2 file: the file (or stream) it concerns and the cause.
///
/// Read failures that happen inside a codec (a syntax error, a corrupt zip entry, a decompression
/// limit) carry the codec's error, with its line and column.
#[derive(Debug)]
pub struct Error {
    name: Option<String>,
    kind: ErrorKind,
}

/// What went wrong.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ErrorKind {
    /// Reading or writing the file failed.
    #[error("{0}")]
    Io(#[source] io::Error),
    /// The XML codec failed.
    #[error("{0}")]
    Xml(#[source] dxf2_xml::Error),
    /// The JSON codec failed.
    #[error("{0}")]
    Json(#[source] dxf2_json::Error),
    /// The CSV codec failed.
    #[error("{0}")]
    Csv(#[source] dxf2_csv::Error),
    /// The ADX reader or writer failed: the XML, or DHIS2's refusal of a mapping (see
    /// [`adx::Error`] for DHIS2's summary of it), with its line, column, group and value.
    #[error("{0}")]
    Adx(#[source] adx::Error),
    /// The PDF form reader failed: not a PDF, a damaged or encrypted one, no form fields, not a
    /// DHIS2 data set form, or DHIS2 2.36–2.42's refusal of its org unit or period (see
    /// [`pdf_form_reader::Error::code`], [`pdf_form_reader::Error::dhis2_description`] for how
    /// DHIS2 reports it).
    #[error("{0}")]
    Pdf(#[source] pdf_form_reader::Error),
    /// A PDF was asked for as an output: forms are made from a data set's metadata
    /// ([`pdf::write_form`](crate::pdf::write_form)), not written from values.
    #[error(
        "PDF is not written from data values: a data set's fillable form is made from its \
         metadata (pdf_form_reader::write_form)"
    )]
    PdfNotWritable,
    /// ADX was asked for without the metadata that maps its codes to DHIS2's objects
    /// ([`AnyReader::open_with`](crate::AnyReader::open_with),
    /// [`AnyWriter::with_metadata`](crate::AnyWriter::with_metadata)).
    #[error(
        "ADX needs metadata to map its codes to data elements, option combos and org units: \
         give the metadata (a store, or DXF2 metadata JSON)"
    )]
    NeedsMetadata,
    /// The zip archive could not be read.
    #[error("zip: {0}")]
    Zip(#[source] zip::result::ZipError),
    /// The zip archive holds no file entry.
    #[error("zip: the archive holds no file")]
    ZipEmpty,
    /// The zip entry to read is encrypted.
    #[error(
        "zip: the entry {} is encrypted; decrypt the archive first (encrypted entries are not read)",
        entry.as_deref().map_or_else(|| "to read".to_owned(), |e| format!("`{e}`"))
    )]
    ZipEncrypted {
        /// The entry's name, when known.
        entry: Option<String>,
    },
    /// A zip read from a stream has an entry whose sizes follow its data (a data descriptor, as
    /// Java's `ZipOutputStream` and DHIS2 write them), which a stream cannot be read by.
    #[error(
        "zip: an entry keeps its sizes after its data (a data descriptor, as DHIS2 and Java \
         write zips), which cannot be read from a stream; pass the file itself instead of \
         standard input"
    )]
    ZipDataDescriptor,
    /// An output is the same file as an input (or a store), which writing would destroy.
    #[error("refusing to write {}: it is the same file as {}", output.display(), input.display())]
    SameFile {
        /// The output path.
        output: PathBuf,
        /// The input (or store) path it shares its file with.
        input: PathBuf,
    },
    /// An output path that cannot be written to (a directory, say).
    #[error("cannot write here: {0}")]
    BadOutput(String),
}

impl Error {
    /// An error concerning the file or stream `name`.
    pub fn new(name: impl Into<String>, kind: ErrorKind) -> Error {
        Error {
            name: Some(name.into()),
            kind,
        }
    }

    /// An error with no file to name.
    pub fn unnamed(kind: ErrorKind) -> Error {
        Error { name: None, kind }
    }

    /// The same error, naming `name` (when it named nothing yet).
    pub fn named(mut self, name: impl Into<String>) -> Error {
        if self.name.is_none() {
            self.name = Some(name.into());
        }
        self
    }

    /// The file or stream concerned (`<stdin>`, `<stdout>` for the standard streams).
    pub fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }

    /// What went wrong.
    pub fn kind(&self) -> &ErrorKind {
        &self.kind
    }

    /// What went wrong, owned.
    pub fn into_kind(self) -> ErrorKind {
        self.kind
    }

    /// The ADX reader's or writer's error, when the failure is ADX's: for a refused mapping,
    /// [`adx::Error::dhis2_description`] and [`adx::Error::dhis2_conflicts`] give DHIS2's
    /// `ERROR` summary of it.
    pub fn as_adx(&self) -> Option<&adx::Error> {
        match &self.kind {
            ErrorKind::Adx(e) => Some(e),
            _ => None,
        }
    }

    /// The PDF form reader's error, when the failure is the form's: [`pdf_form_reader::Error::code`]
    /// (`E8006`, `E8001`) and [`pdf_form_reader::Error::dhis2_description`] give DHIS2's answer.
    pub fn as_pdf(&self) -> Option<&pdf_form_reader::Error> {
        match &self.kind {
            ErrorKind::Pdf(e) => Some(e),
            _ => None,
        }
    }

    /// Whether the error came from reading or writing bytes (as opposed to their content).
    pub fn is_io(&self) -> bool {
        matches!(self.kind, ErrorKind::Io(_))
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.name {
            Some(name) => write!(f, "{name}: {}", self.kind),
            None => write!(f, "{}", self.kind),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        std::error::Error::source(&self.kind)
    }
}

impl From<ErrorKind> for Error {
    fn from(kind: ErrorKind) -> Error {
        Error::unnamed(kind)
    }
}

impl From<io::Error> for Error {
    fn from(e: io::Error) -> Error {
        Error::unnamed(ErrorKind::Io(e))
    }
}

impl From<dxf2_xml::Error> for Error {
    fn from(e: dxf2_xml::Error) -> Error {
        Error::unnamed(ErrorKind::Xml(e))
    }
}

impl From<dxf2_json::Error> for Error {
    fn from(e: dxf2_json::Error) -> Error {
        Error::unnamed(ErrorKind::Json(e))
    }
}

impl From<dxf2_csv::Error> for Error {
    fn from(e: dxf2_csv::Error) -> Error {
        Error::unnamed(ErrorKind::Csv(e))
    }
}

impl From<adx::Error> for Error {
    fn from(e: adx::Error) -> Error {
        Error::unnamed(ErrorKind::Adx(e))
    }
}

impl From<pdf_form_reader::Error> for Error {
    fn from(e: pdf_form_reader::Error) -> Error {
        Error::unnamed(ErrorKind::Pdf(e))
    }
}

impl From<zip::result::ZipError> for Error {
    fn from(e: zip::result::ZipError) -> Error {
        Error::unnamed(ErrorKind::Zip(e))
    }
}
