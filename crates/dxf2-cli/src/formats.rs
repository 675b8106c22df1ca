//! One reader type and one writer type over the three codecs, so commands can stream any format
//! into any other.

use std::fs::File;
use std::io::{BufRead, BufReader, Write};

use dxf2_model::{DataValue, DataValueSetHeader, DataValueSink, DataValueSource, ImporterProfile};

use crate::io::{Format, Input};

/// A reading or writing failure of any codec, with its position in the message.
#[derive(Debug, thiserror::Error)]
pub enum CodecError {
    /// XML.
    #[error("{0}")]
    Xml(#[from] dxf2_xml::Error),
    /// JSON.
    #[error("{0}")]
    Json(#[from] dxf2_json::Error),
    /// CSV.
    #[error("{0}")]
    Csv(#[from] dxf2_csv::Error),
}

/// Any data value set reader.
pub enum AnyReader {
    /// XML.
    Xml(dxf2_xml::Reader<Box<dyn BufRead>>),
    /// JSON from a stream.
    Json(dxf2_json::Reader<Box<dyn BufRead>>),
    /// JSON from a seekable file (exact DHIS2 semantics for header keys after `dataValues`).
    JsonFile(dxf2_json::Reader<BufReader<File>>),
    /// CSV.
    Csv(dxf2_csv::Reader<Box<dyn BufRead>>),
}

/// How to read a CSV file.
#[derive(Clone, Debug)]
pub struct CsvOptions {
    /// `firstRowIsHeader`.
    pub first_row_is_header: bool,
    /// The `dataSet` request option.
    pub data_set: Option<String>,
}

impl AnyReader {
    /// Opens a reader of `format` over an input.
    pub fn open(
        input: Input,
        format: Format,
        profile: ImporterProfile,
        csv: &CsvOptions,
    ) -> Result<AnyReader, CodecError> {
        Ok(match format {
            Format::Xml => AnyReader::Xml(dxf2_xml::Reader::with_profile(input.reader, profile)?),
            Format::Json => match &input.plain_file {
                Some(path) => {
                    let file = File::open(path).map_err(dxf2_json::Error::from)?;
                    AnyReader::JsonFile(dxf2_json::Reader::from_seekable_with_profile(
                        file, profile,
                    )?)
                }
                None => AnyReader::Json(dxf2_json::Reader::with_profile(input.reader, profile)?),
            },
            Format::Csv => {
                let mut b = dxf2_csv::ReaderBuilder::new();
                b.profile(profile)
                    .first_row_is_header(csv.first_row_is_header);
                if let Some(ds) = &csv.data_set {
                    b.data_set(ds.clone());
                }
                AnyReader::Csv(b.from_reader(input.reader)?)
            }
        })
    }
}

impl DataValueSource for AnyReader {
    type Error = CodecError;

    fn header(&self) -> &DataValueSetHeader {
        match self {
            AnyReader::Xml(r) => r.header(),
            AnyReader::Json(r) => r.header(),
            AnyReader::JsonFile(r) => r.header(),
            AnyReader::Csv(r) => DataValueSource::header(r),
        }
    }

    fn read_value(&mut self, record: &mut DataValue) -> Result<bool, CodecError> {
        Ok(match self {
            AnyReader::Xml(r) => r.read_value(record)?,
            AnyReader::Json(r) => r.read_value(record)?,
            AnyReader::JsonFile(r) => r.read_value(record)?,
            AnyReader::Csv(r) => r.read_value(record)?,
        })
    }
}

/// Any data value set writer.
pub enum AnyWriter<W: Write> {
    /// XML.
    Xml(dxf2_xml::Writer<W>),
    /// JSON.
    Json(dxf2_json::Writer<W>),
    /// CSV.
    Csv(dxf2_csv::Writer<W>),
}

impl<W: Write> AnyWriter<W> {
    /// A writer of `format` over `w`.
    pub fn new(format: Format, w: W) -> AnyWriter<W> {
        match format {
            Format::Xml => AnyWriter::Xml(dxf2_xml::Writer::new(w)),
            Format::Json => AnyWriter::Json(dxf2_json::Writer::new(w)),
            Format::Csv => AnyWriter::Csv(dxf2_csv::WriterBuilder::new().from_writer(w)),
        }
    }
}

impl<W: Write> DataValueSink for AnyWriter<W> {
    type Error = CodecError;

    fn begin(&mut self, header: &DataValueSetHeader) -> Result<(), CodecError> {
        match self {
            AnyWriter::Xml(w) => w.begin(header)?,
            AnyWriter::Json(w) => w.begin(header)?,
            AnyWriter::Csv(w) => w.begin(header)?,
        }
        Ok(())
    }

    fn write_value(&mut self, value: &DataValue) -> Result<(), CodecError> {
        match self {
            AnyWriter::Xml(w) => w.write_value(value)?,
            AnyWriter::Json(w) => w.write_value(value)?,
            AnyWriter::Csv(w) => w.write_value(value)?,
        }
        Ok(())
    }

    fn finish(&mut self) -> Result<(), CodecError> {
        match self {
            AnyWriter::Xml(w) => w.finish()?,
            AnyWriter::Json(w) => w.finish()?,
            AnyWriter::Csv(w) => w.finish()?,
        }
        Ok(())
    }
}
