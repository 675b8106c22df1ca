//! Files of DHIS2 DXF2 data value sets, as a host program meets them: a path or a stream, plain,
//! gzip or zip, XML, JSON, CSV, IHE ADX or a filled DHIS2 PDF form, to read without trusting it,
//! and an output to write without ever destroying a file of the user.
//!
//! * [`Input`] opens a file or stream; gzip and zip are detected by their magic bytes, as DHIS2
//!   does, and decompressed within [`DecompressionLimits`] (a decompression bomb costs neither
//!   memory nor unbounded time). Zip files are read through their central directory, with CRC
//!   and sizes checked; encrypted entries are refused; the first file entry is read, as DHIS2
//!   does, and a [`Warning`] says how many others were ignored.
//! * [`Format`] and [`Compression`] tell formats apart by name or content; DXF2 XML and ADX
//!   by their root element, as DHIS2 does (`dataValueSet` or `adx`); a PDF by `%PDF-`.
//! * [`AnyReader`] and [`AnyWriter`] read and write any of the four formats through the
//!   [`dxf2_model::DataValueSource`] and [`dxf2_model::DataValueSink`] traits; [`copy`] streams
//!   one into the other. [`ReaderOptions`] carries the [`dxf2_model::ReadLimits`] (and the
//!   request's id schemes, for ADX). ADX maps codes to DHIS2's objects, so it is read and
//!   written against a [`dxf2_model::Metadata`] catalogue (a store's `load_metadata()`):
//!   [`AnyReader::open_with`], [`AnyWriter::with_metadata`], [`AnyWriter::adx`] (with the
//!   re-exported [`adx`] crate's builder). A filled DHIS2 PDF data set form ([`Format::Pdf`],
//!   read only) gives its values as DHIS2's PDF import does, through the re-exported [`pdf`]
//!   crate (`pdf-form-reader`); [`ReaderOptions::pdf_empty_fields`] and
//!   [`ReaderOptions::pdf_password`] say how to read it, [`Error::as_pdf`] how DHIS2 reports a
//!   form it refuses.
//! * [`Output`] (built by [`OutputBuilder`]) writes a file to a temporary file beside it and
//!   renames it over the target only on [`Output::commit`]; an output that is the same file as
//!   an input ([`is_same_file`]) is refused before anything is opened for writing; devices and
//!   FIFOs are written through and never removed.
//!
//! Converting a file, as `dxf2 convert` does:
//!
//! ```
//! use dxf2_io::{copy, AnyReader, AnyWriter, Compression, DecompressionLimits, Format, Input,
//!     OutputBuilder, ReaderOptions};
//! use std::path::Path;
//!
//! # let dir = std::env::temp_dir().join(format!("dxf2-io-lib-doc-{}", std::process::id()));
//! # std::fs::create_dir_all(&dir)?;
//! # let from = dir.join("in.csv");
//! # std::fs::write(&from, "dataelement,period,orgunit,catoptcombo,attroptcombo,value\nDE1,202401,OU1,,,5\n")?;
//! # let to = dir.join("out.xml.gz");
//! let mut input = Input::open(&from, &DecompressionLimits::default())?;
//! let format = Format::detect(None, &from, input.head()?);
//! let mut reader = AnyReader::open(input, format, &ReaderOptions::default())?;
//! let output = OutputBuilder::new()
//!     .compression(Compression::from_path(&to))
//!     .protect(&from)
//!     .create(&to)?;
//! let mut writer = AnyWriter::new(Format::from_path(&to).unwrap_or(Format::Xml), output);
//! let copied = copy(&mut reader, &mut writer).map_err(dxf2_io::Error::from)?;
//! writer.into_inner()?.commit()?; // nothing at `to` changes before this
//! assert_eq!(copied.values, 1);
//! # std::fs::remove_dir_all(&dir)?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod codec;
mod error;
mod format;
mod input;
mod limits;
mod output;

/// The `adx` crate (package `dhis2-adx`): its [`adx::AdxWriterBuilder`] configures
/// [`AnyWriter::adx`], and its [`adx::Error`] (inside [`ErrorKind::Adx`]) gives DHIS2's summary
/// of a refused ADX mapping.
pub use adx;
pub use codec::{copy, AnyReader, AnyWriter, Copied, CopyError, ReaderOptions};
pub use dxf2_csv::Utf8Policy;
pub use error::{Error, ErrorKind};
pub use format::{Compression, Format, UnknownFormat};
pub use input::{Input, Warning, Warnings};
pub use limits::{DecompressionLimits, LimitExceeded};
pub use output::{is_same_file, Output, OutputBuilder};
/// The `pdf-form-reader` crate: DHIS2's PDF data entry forms, read ([`Format::Pdf`]) and made
/// ([`pdf::write_form`]); its [`pdf::Error`] (inside [`ErrorKind::Pdf`]) gives DHIS2's answer to a
/// form it refuses.
pub use pdf_form_reader as pdf;
