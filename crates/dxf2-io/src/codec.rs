//! One reader type and one writer type over the three codecs, and [`copy`] between them, so a
//! program can stream any format into any other.

use std::fs::File;
use std::io::{BufReader, Write};

use dxf2_model::{
    DataValue, DataValueSetHeader, DataValueSink, DataValueSource, ImporterProfile, ReadLimits,
};

use dxf2_csv::Utf8Policy;
use dxf2_model::StreamError;

use crate::error::Error;
use crate::format::Format;
use crate::input::Input;

/// How to read a data value set of any format.
///
/// ```
/// use dxf2_io::ReaderOptions;
/// use dxf2_model::ReadLimits;
///
/// let options = ReaderOptions::default()
///     .with_first_row_is_header(false)
///     .with_limits(ReadLimits::default().with_max_token_bytes(64 * 1024 * 1024));
/// assert_eq!(options.limits.max_token_bytes, 64 * 1024 * 1024);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ReaderOptions {
    /// Read with the rules of this DHIS2 importer generation (default: classic, 2.36–2.42).
    pub profile: ImporterProfile,
    /// CSV: whether the first row is a header (DHIS2's `firstRowIsHeader`, default true).
    pub first_row_is_header: bool,
    /// CSV: the `dataSet` request option.
    pub data_set: Option<String>,
    /// The bounds on what a reader holds in memory at once.
    pub limits: ReadLimits,
    /// CSV: what to do with bytes that are not UTF-8 (default: refuse them, naming where;
    /// DHIS2 replaces them with U+FFFD, which [`AnyReader::replaced_utf8`] then reports).
    pub invalid_utf8: Utf8Policy,
}

impl Default for ReaderOptions {
    fn default() -> ReaderOptions {
        ReaderOptions {
            profile: ImporterProfile::default(),
            first_row_is_header: true,
            data_set: None,
            limits: ReadLimits::default(),
            invalid_utf8: Utf8Policy::default(),
        }
    }
}

impl ReaderOptions {
    /// The same options with another importer generation.
    pub fn with_profile(mut self, profile: ImporterProfile) -> ReaderOptions {
        self.profile = profile;
        self
    }

    /// The same options with another `firstRowIsHeader`.
    pub fn with_first_row_is_header(mut self, yes: bool) -> ReaderOptions {
        self.first_row_is_header = yes;
        self
    }

    /// The same options with a CSV `dataSet`.
    pub fn with_data_set(mut self, data_set: Option<String>) -> ReaderOptions {
        self.data_set = data_set;
        self
    }

    /// The same options with another CSV invalid UTF-8 policy.
    pub fn with_invalid_utf8(mut self, policy: Utf8Policy) -> ReaderOptions {
        self.invalid_utf8 = policy;
        self
    }

    /// The same options with other memory bounds.
    pub fn with_limits(mut self, limits: ReadLimits) -> ReaderOptions {
        self.limits = limits;
        self
    }
}

/// The codec reader behind an [`AnyReader`].
enum Inner {
    Xml(dxf2_xml::Reader<Input>),
    Json(dxf2_json::Reader<Input>),
    /// JSON from a seekable file (DHIS2's exact semantics for header keys after `dataValues`).
    JsonFile(dxf2_json::Reader<BufReader<File>>),
    Csv(dxf2_csv::Reader<Input>),
}

/// A data value set reader of any format.
///
/// ```
/// use dxf2_io::{AnyReader, DecompressionLimits, Format, Input, ReaderOptions};
/// use dxf2_model::{DataValue, DataValueSource};
///
/// let csv = "dataelement,period,orgunit,catoptcombo,attroptcombo,value\nDE1,202401,OU1,,,5\n";
/// let input = Input::from_reader("<memory>", csv.as_bytes(), &DecompressionLimits::default())?;
/// let mut reader = AnyReader::open(input, Format::Csv, &ReaderOptions::default())?;
/// let mut value = DataValue::new();
/// assert!(reader.read_value(&mut value)?);
/// assert_eq!(value.value(), Some("5"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct AnyReader {
    inner: Inner,
    name: String,
}

impl AnyReader {
    /// Opens a reader of `format` over `input`.
    ///
    /// This is the one place where each codec reader is built from the options; the
    /// [`ReaderOptions::limits`] are handed to the codecs here.
    pub fn open(input: Input, format: Format, options: &ReaderOptions) -> Result<AnyReader, Error> {
        let name = input.name().to_owned();
        let named = |e: Error| e.named(name.clone());
        let profile = options.profile;
        let limits = options.limits;
        let json = dxf2_json::Reader::builder().profile(profile).limits(limits);
        let inner = match format {
            Format::Xml => Inner::Xml(
                dxf2_xml::Reader::with_limits(input, profile, limits)
                    .map_err(|e| named(e.into()))?,
            ),
            Format::Json => match input.plain_file() {
                Some(path) => {
                    let file = File::open(path).map_err(|e| named(e.into()))?;
                    Inner::JsonFile(json.from_seekable(file).map_err(|e| named(e.into()))?)
                }
                None => Inner::Json(json.from_reader(input).map_err(|e| named(e.into()))?),
            },
            Format::Csv => {
                let mut b = dxf2_csv::ReaderBuilder::new();
                b.profile(profile)
                    .first_row_is_header(options.first_row_is_header)
                    .limits(limits)
                    .invalid_utf8(options.invalid_utf8);
                if let Some(ds) = &options.data_set {
                    b.data_set(ds.clone());
                }
                Inner::Csv(b.from_reader(input).map_err(|e| named(e.into()))?)
            }
        };
        Ok(AnyReader { inner, name })
    }

    /// The input's name for messages.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// How many invalid UTF-8 sequences a CSV reader with [`Utf8Policy::Replace`] replaced so
    /// far, and where the first one was; `None` when there were none (or the format is not CSV).
    pub fn replaced_utf8(&self) -> Option<(u64, dxf2_model::TextPosition)> {
        match &self.inner {
            Inner::Csv(r) => r.replaced_utf8(),
            _ => None,
        }
    }

    /// CSV, once [`read_value`](DataValueSource::read_value) has returned `Ok(false)` at the
    /// end: the line on which the input ends when its last record has no line end, which is what
    /// a file cut short looks like (DHIS2 imports that record as it is); see
    /// [`dxf2_csv::Reader::last_record_unterminated`]. The answer is the same for every input
    /// (a file, stdin, gzip, zip): it is about the decompressed text. `None` otherwise: before
    /// the end, after an error, or for XML and JSON (whose documents say where they end).
    ///
    /// ```
    /// use dxf2_io::{AnyReader, DecompressionLimits, Format, Input, ReaderOptions};
    /// use dxf2_model::{DataValue, DataValueSource};
    ///
    /// let csv = "dataelement,period,orgunit,catoptcombo,attroptcombo,value\nDE1,202401,OU1,,,6";
    /// let input = Input::from_reader("<memory>", csv.as_bytes(), &DecompressionLimits::default())?;
    /// let mut reader = AnyReader::open(input, Format::Csv, &ReaderOptions::default())?;
    /// let mut value = DataValue::new();
    /// while reader.read_value(&mut value)? {}
    /// assert_eq!(reader.last_record_unterminated(), Some(2));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn last_record_unterminated(&self) -> Option<u64> {
        match &self.inner {
            Inner::Csv(r) => r.last_record_unterminated(),
            Inner::Xml(_) | Inner::Json(_) | Inner::JsonFile(_) => None,
        }
    }
}

impl DataValueSource for AnyReader {
    type Error = Error;

    fn header(&self) -> &DataValueSetHeader {
        match &self.inner {
            Inner::Xml(r) => r.header(),
            Inner::Json(r) => r.header(),
            Inner::JsonFile(r) => r.header(),
            Inner::Csv(r) => DataValueSource::header(r),
        }
    }

    fn read_value(&mut self, record: &mut DataValue) -> Result<bool, Error> {
        let read = match &mut self.inner {
            Inner::Xml(r) => r.read_value(record).map_err(Error::from),
            Inner::Json(r) => r.read_value(record).map_err(Error::from),
            Inner::JsonFile(r) => r.read_value(record).map_err(Error::from),
            Inner::Csv(r) => r.read_value(record).map_err(Error::from),
        };
        read.map_err(|e| e.named(self.name.clone()))
    }

    fn value_position(&self) -> Option<dxf2_model::TextPosition> {
        match &self.inner {
            Inner::Xml(r) => r.value_position(),
            Inner::Json(r) => r.value_position(),
            Inner::JsonFile(r) => r.value_position(),
            Inner::Csv(r) => DataValueSource::value_position(r),
        }
    }
}

/// The codec writer behind an [`AnyWriter`].
enum WriterInner<W: Write> {
    Xml(dxf2_xml::Writer<W>),
    Json(dxf2_json::Writer<W>),
    Csv(dxf2_csv::Writer<W>),
}

/// A data value set writer of any format.
pub struct AnyWriter<W: Write> {
    inner: WriterInner<W>,
}

impl<W: Write> AnyWriter<W> {
    /// A writer of DHIS2's classic (2.36–2.42) export documents in `format` into `w`.
    pub fn new(format: Format, w: W) -> AnyWriter<W> {
        AnyWriter::with_profile(format, w, ImporterProfile::Classic)
    }

    /// A writer of `profile`'s export documents in `format` into `w`.
    pub fn with_profile(format: Format, w: W, profile: ImporterProfile) -> AnyWriter<W> {
        let inner = match format {
            Format::Xml => WriterInner::Xml(dxf2_xml::Writer::with_profile(w, profile)),
            Format::Json => WriterInner::Json(dxf2_json::Writer::with_profile(w, profile)),
            Format::Csv => WriterInner::Csv(dxf2_csv::Writer::with_profile(w, profile)),
        };
        AnyWriter { inner }
    }

    /// The underlying writer (after [`DataValueSink::finish`]), with the codec's buffered bytes
    /// written to it.
    pub fn into_inner(self) -> Result<W, Error> {
        Ok(match self.inner {
            WriterInner::Xml(w) => w.into_inner()?,
            WriterInner::Json(w) => w.into_inner(),
            WriterInner::Csv(w) => w.into_inner(),
        })
    }
}

impl<W: Write> DataValueSink for AnyWriter<W> {
    type Error = Error;

    fn begin(&mut self, header: &DataValueSetHeader) -> Result<(), Error> {
        match &mut self.inner {
            WriterInner::Xml(w) => w.begin(header)?,
            WriterInner::Json(w) => w.begin(header)?,
            WriterInner::Csv(w) => w.begin(header)?,
        }
        Ok(())
    }

    fn write_value(&mut self, value: &DataValue) -> Result<(), Error> {
        match &mut self.inner {
            WriterInner::Xml(w) => w.write_value(value)?,
            WriterInner::Json(w) => w.write_value(value)?,
            WriterInner::Csv(w) => w.write_value(value)?,
        }
        Ok(())
    }

    fn finish(&mut self) -> Result<(), Error> {
        match &mut self.inner {
            WriterInner::Xml(w) => w.finish()?,
            WriterInner::Json(w) => w.finish()?,
            WriterInner::Csv(w) => w.finish()?,
        }
        Ok(())
    }
}

/// What [`copy`] copied.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Copied {
    /// Data values written.
    pub values: u64,
}

/// A failure of [`copy`]: reading the source or writing the sink (each keeps the source's or
/// sink's own error, which may be a boxed one).
#[derive(Debug, thiserror::Error)]
pub enum CopyError<R, W>
where
    R: StreamError,
    W: StreamError,
{
    /// Reading failed.
    #[error("{0}")]
    Read(R),
    /// Writing failed.
    #[error("{0}")]
    Write(W),
}

/// Streams every value of `source` into `sink`: the header, each value through one reused
/// record, then the sink's end. Memory stays constant whatever the input's size.
///
/// ```
/// use dxf2_io::{copy, AnyReader, AnyWriter, DecompressionLimits, Format, Input, ReaderOptions};
///
/// let csv = "dataelement,period,orgunit,catoptcombo,attroptcombo,value\nDE1,202401,OU1,,,5\n";
/// let input = Input::from_reader("<memory>", csv.as_bytes(), &DecompressionLimits::default())?;
/// let mut reader = AnyReader::open(input, Format::Csv, &ReaderOptions::default())?;
/// let mut writer = AnyWriter::new(Format::Json, Vec::new());
/// let copied = copy(&mut reader, &mut writer)?;
/// assert_eq!(copied.values, 1);
/// let json = String::from_utf8(writer.into_inner()?)?;
/// assert!(json.contains("\"dataElement\":\"DE1\""));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn copy<S, K>(source: &mut S, sink: &mut K) -> Result<Copied, CopyError<S::Error, K::Error>>
where
    S: DataValueSource,
    K: DataValueSink,
{
    let header = source.header().clone();
    sink.begin(&header).map_err(CopyError::Write)?;
    let mut record = DataValue::new();
    let mut copied = Copied::default();
    while source.read_value(&mut record).map_err(CopyError::Read)? {
        sink.write_value(&record).map_err(CopyError::Write)?;
        copied.values += 1;
    }
    sink.finish().map_err(CopyError::Write)?;
    Ok(copied)
}

impl From<CopyError<Error, Error>> for Error {
    fn from(e: CopyError<Error, Error>) -> Error {
        match e {
            CopyError::Read(e) | CopyError::Write(e) => e,
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use std::io::Write;

    use super::*;
    use crate::DecompressionLimits;

    const CUT: &str = "dataelement,period,orgunit,catoptcombo,attroptcombo,value\n\
                       DE1,202401,OU1,,,61\n\
                       DE2,202401,OU1,,,6";

    /// Reads `bytes` as `format` to the end; returns what the reader says of the last record
    /// before and after the end.
    fn read(bytes: Vec<u8>, format: Format) -> (Option<u64>, Option<u64>) {
        let limits = DecompressionLimits::default();
        let input = Input::from_reader("<memory>", std::io::Cursor::new(bytes), &limits).unwrap();
        let mut reader = AnyReader::open(input, format, &ReaderOptions::default()).unwrap();
        let before = reader.last_record_unterminated();
        let mut value = DataValue::new();
        while reader.read_value(&mut value).unwrap() {}
        (before, reader.last_record_unterminated())
    }

    fn gzip(data: &[u8]) -> Vec<u8> {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    fn zip(name: &str, data: &[u8]) -> Vec<u8> {
        let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        w.start_file(name, zip::write::SimpleFileOptions::default())
            .unwrap();
        w.write_all(data).unwrap();
        w.finish().unwrap().into_inner()
    }

    #[test]
    fn a_csv_without_its_last_line_end_is_told_whatever_its_packing() {
        let whole = format!("{CUT}\n");
        for (cut, ended) in [
            (CUT.as_bytes().to_vec(), whole.as_bytes().to_vec()),
            (gzip(CUT.as_bytes()), gzip(whole.as_bytes())),
            (
                zip("dataValues.csv", CUT.as_bytes()),
                zip("dataValues.csv", whole.as_bytes()),
            ),
        ] {
            assert_eq!(read(cut, Format::Csv), (None, Some(3)));
            assert_eq!(read(ended, Format::Csv), (None, None));
        }
    }

    #[test]
    fn xml_and_json_say_nothing_of_line_ends() {
        let xml = r#"<dataValueSet xmlns="http://dhis2.org/schema/dxf/2.0"><dataValue dataElement="DE1" period="202401" orgUnit="OU1" value="6"/></dataValueSet>"#;
        assert_eq!(read(xml.as_bytes().to_vec(), Format::Xml), (None, None));
        let json = r#"{"dataValues":[{"dataElement":"DE1","period":"202401","orgUnit":"OU1","value":"6"}]}"#;
        assert_eq!(read(json.as_bytes().to_vec(), Format::Json), (None, None));
    }
}
