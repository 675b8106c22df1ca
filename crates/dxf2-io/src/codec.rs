//! One reader type and one writer type over the three DXF2 codecs and ADX, and [`copy`] between
//! them, so a program can stream any format into any other.

use std::fs::File;
use std::io::{BufReader, BufWriter, Write};

use adx::{AdxSource, AdxSourceBuilder, AdxWriter, AdxWriterBuilder};
use dxf2_model::{
    DataValue, DataValueSetHeader, DataValueSink, DataValueSource, IdSchemes, ImportOptions,
    ImporterProfile, Metadata, ReadLimits,
};

use dxf2_csv::Utf8Policy;
use dxf2_model::StreamError;
use pdf_form_reader::{EmptyFields, PdfFormReader};

use crate::error::{Error, ErrorKind};
use crate::format::Format;
use crate::input::Input;

/// How to read a data value set of any format.
///
/// ```
/// use dxf2_io::ReaderOptions;
/// use dxf2_model::{IdScheme, ImportOptions, ReadLimits};
///
/// let options = ReaderOptions::default()
///     .with_first_row_is_header(false)
///     .with_limits(ReadLimits::default().with_max_token_bytes(64 * 1024 * 1024));
/// assert_eq!(options.limits.max_token_bytes, 64 * 1024 * 1024);
///
/// // For an import: the options' generation, CSV options and id schemes (which ADX maps with).
/// let mut import = ImportOptions::default();
/// import.id_schemes.category = Some(IdScheme::Name);
/// let options = ReaderOptions::for_import(&import);
/// assert_eq!(options.id_schemes.category, Some(IdScheme::Name));
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
    /// ADX: the request's id schemes (`idScheme`, `dataElementIdScheme`, …,
    /// `categoryIdScheme`, `categoryOptionIdScheme`), with which the ADX mapping resolves the
    /// file's identifiers; DHIS2 2.36–2.42 make every scheme not given `CODE`
    /// ([`adx::effective_id_schemes`]). The other formats carry their identifiers as they are.
    pub id_schemes: IdSchemes,
    /// ADX: refuse a value whose option combo, found from its category attributes, has no
    /// identifier under the category option combo scheme (DHIS2 then silently imports it under
    /// the default combo; see [`adx::AdxSourceBuilder::strict`]). Off by default, as DHIS2.
    pub strict_adx: bool,
    /// PDF: what to do with data fields nobody filled in (default: skip them; DHIS2 hands them
    /// on, see [`EmptyFields`]).
    pub pdf_empty_fields: EmptyFields,
    /// PDF: the user password of an encrypted form.
    pub pdf_password: Option<String>,
}

impl Default for ReaderOptions {
    fn default() -> ReaderOptions {
        ReaderOptions {
            profile: ImporterProfile::default(),
            first_row_is_header: true,
            data_set: None,
            limits: ReadLimits::default(),
            invalid_utf8: Utf8Policy::default(),
            id_schemes: IdSchemes::default(),
            strict_adx: false,
            pdf_empty_fields: EmptyFields::default(),
            pdf_password: None,
        }
    }
}

impl ReaderOptions {
    /// The options an import reads its file with: the import's generation, `firstRowIsHeader`,
    /// `dataSet` and id schemes; default limits and UTF-8 policy.
    pub fn for_import(options: &ImportOptions) -> ReaderOptions {
        ReaderOptions::default()
            .with_profile(options.profile)
            .with_first_row_is_header(options.first_row_is_header)
            .with_data_set(options.data_set.clone())
            .with_id_schemes(options.id_schemes.clone())
    }

    /// The same options with other request id schemes (ADX).
    pub fn with_id_schemes(mut self, schemes: IdSchemes) -> ReaderOptions {
        self.id_schemes = schemes;
        self
    }

    /// The same options, refusing (or not) ADX values whose option combo cannot be handed on.
    pub fn with_strict_adx(mut self, strict: bool) -> ReaderOptions {
        self.strict_adx = strict;
        self
    }

    /// The same options, doing `empty` with the empty fields of a PDF form.
    pub fn with_pdf_empty_fields(mut self, empty: EmptyFields) -> ReaderOptions {
        self.pdf_empty_fields = empty;
        self
    }

    /// The same options with the password of an encrypted PDF form.
    pub fn with_pdf_password(mut self, password: Option<String>) -> ReaderOptions {
        self.pdf_password = password;
        self
    }

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
enum Inner<'m> {
    Xml(dxf2_xml::Reader<Input>),
    Json(dxf2_json::Reader<Input>),
    /// JSON from a seekable file (DHIS2's exact semantics for header keys after `dataValues`).
    JsonFile(dxf2_json::Reader<BufReader<File>>),
    Csv(dxf2_csv::Reader<Input>),
    /// ADX mapped to DXF2 values against the metadata.
    Adx(Box<AdxSource<'m, Input>>),
    /// A filled PDF form, read whole when opened.
    Pdf(Box<PdfFormReader>),
}

/// A data value set reader of any format.
///
/// ADX is read against metadata, which maps its codes to DHIS2's objects: open it with
/// [`AnyReader::open_with`]. Its values come out as DHIS2's ADX import hands them to the DXF2
/// importer (period in ISO form, option combos found from the category attributes, identifiers
/// under the effective id schemes, which the header names), so an import engine imports them
/// and any writer converts them. A refused mapping is an [`ErrorKind::Adx`](crate::ErrorKind::Adx)
/// error whose [`adx::Error`] gives DHIS2's summary of it.
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
pub struct AnyReader<'m> {
    inner: Inner<'m>,
    name: String,
}

impl<'m> AnyReader<'m> {
    /// Opens a reader of `format` over `input`, for the formats that need no metadata: XML,
    /// JSON and CSV ([`Format::Adx`] fails with
    /// [`ErrorKind::NeedsMetadata`](crate::ErrorKind::NeedsMetadata): use
    /// [`AnyReader::open_with`]).
    pub fn open(
        input: Input,
        format: Format,
        options: &ReaderOptions,
    ) -> Result<AnyReader<'m>, Error> {
        AnyReader::open_with(input, format, options, None)
    }

    /// Opens a reader of `format` over `input`, with the metadata ADX is mapped against (the
    /// other formats do not use it; [`Format::Adx`] without it fails with
    /// [`ErrorKind::NeedsMetadata`](crate::ErrorKind::NeedsMetadata)). ADX is read with the
    /// options' generation, id schemes, limits and [`ReaderOptions::strict_adx`].
    ///
    /// This is the one place where each codec reader is built from the options; the
    /// [`ReaderOptions::limits`] are handed to the codecs here.
    ///
    /// ```
    /// use dxf2_io::{AnyReader, DecompressionLimits, Format, Input, ReaderOptions};
    /// use dxf2_model::metadata::{DataElement, Identity, OrganisationUnit};
    /// use dxf2_model::{DataValue, DataValueSource, Metadata, Uid, ValueType};
    ///
    /// let coded = |uid: &str, code: &str| Identity {
    ///     code: Some(code.into()),
    ///     ..Identity::new(Uid::parse(uid).unwrap())
    /// };
    /// let metadata = Metadata::builder()
    ///     .with(DataElement::new(coded("f7n9E0hX8qk", "CASES"), ValueType::Integer))
    ///     .with(OrganisationUnit::new(coded("DiszpKrYNg8", "OU_1"), None))
    ///     .build()?;
    /// let adx = r#"<adx xmlns="urn:ihe:qrph:adx:2015">
    ///   <group orgUnit="OU_1" period="2024-01-01/P3M"><dataValue dataElement="CASES" value="12"/></group>
    /// </adx>"#;
    /// let input = Input::from_reader("<memory>", adx.as_bytes(), &DecompressionLimits::default())?;
    /// let format = Format::sniff(adx.as_bytes());
    /// assert_eq!(format, Format::Adx);
    /// let mut reader = AnyReader::open_with(input, format, &ReaderOptions::default(), Some(&metadata))?;
    /// let mut value = DataValue::new();
    /// assert!(reader.read_value(&mut value)?);
    /// assert_eq!((value.data_element(), value.period()), (Some("CASES"), Some("2024Q1")));
    /// // The header says how the values name objects: by code, DHIS2 2.42's ADX default.
    /// assert_eq!(reader.header().data_element_id_scheme.as_deref(), Some("CODE"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn open_with(
        input: Input,
        format: Format,
        options: &ReaderOptions,
        metadata: Option<&'m Metadata>,
    ) -> Result<AnyReader<'m>, Error> {
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
            Format::Adx => {
                let metadata =
                    metadata.ok_or_else(|| named(Error::from(ErrorKind::NeedsMetadata)))?;
                let source = AdxSourceBuilder::new()
                    .profile(profile)
                    .id_schemes(options.id_schemes.clone())
                    .limits(limits)
                    .strict(options.strict_adx)
                    .build(metadata, input);
                Inner::Adx(Box::new(source))
            }
            Format::Pdf => {
                let mut builder = pdf_form_reader::ReaderBuilder::new()
                    .profile(profile)
                    .empty_fields(options.pdf_empty_fields);
                if let Some(password) = &options.pdf_password {
                    builder = builder.password(password.clone());
                }
                let form = builder.from_reader(input).map_err(|e| named(e.into()))?;
                Inner::Pdf(Box::new(form))
            }
        };
        Ok(AnyReader { inner, name })
    }

    /// The input's name for messages.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The PDF form being read, when the format is [`Format::Pdf`]: its org unit and period
    /// fields, its data fields, the data set it was made for
    /// ([`PdfFormReader::data_set_hint`]).
    pub fn pdf_form(&self) -> Option<&PdfFormReader> {
        match &self.inner {
            Inner::Pdf(form) => Some(form),
            _ => None,
        }
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
            Inner::Xml(_) | Inner::Json(_) | Inner::JsonFile(_) | Inner::Adx(_) | Inner::Pdf(_) => {
                None
            }
        }
    }
}

impl DataValueSource for AnyReader<'_> {
    type Error = Error;

    fn header(&self) -> &DataValueSetHeader {
        match &self.inner {
            Inner::Xml(r) => r.header(),
            Inner::Json(r) => r.header(),
            Inner::JsonFile(r) => r.header(),
            Inner::Csv(r) => DataValueSource::header(r),
            Inner::Adx(r) => r.header(),
            Inner::Pdf(r) => r.header(),
        }
    }

    fn read_value(&mut self, record: &mut DataValue) -> Result<bool, Error> {
        let read = match &mut self.inner {
            Inner::Xml(r) => r.read_value(record).map_err(Error::from),
            Inner::Json(r) => r.read_value(record).map_err(Error::from),
            Inner::JsonFile(r) => r.read_value(record).map_err(Error::from),
            Inner::Csv(r) => r.read_value(record).map_err(Error::from),
            Inner::Adx(r) => r.read_value(record).map_err(Error::from),
            Inner::Pdf(r) => r.read_value(record).map_err(Error::from),
        };
        read.map_err(|e| e.named(self.name.clone()))
    }

    fn value_position(&self) -> Option<dxf2_model::TextPosition> {
        match &self.inner {
            Inner::Xml(r) => r.value_position(),
            Inner::Json(r) => r.value_position(),
            Inner::JsonFile(r) => r.value_position(),
            Inner::Csv(r) => DataValueSource::value_position(r),
            Inner::Adx(r) => r.value_position(),
            Inner::Pdf(_) => None,
        }
    }
}

/// The codec writer behind an [`AnyWriter`].
enum WriterInner<'m, W: Write> {
    Xml(dxf2_xml::Writer<W>),
    Json(dxf2_json::Writer<W>),
    Csv(dxf2_csv::Writer<W>),
    /// ADX against metadata, buffered (the ADX writer writes straight through).
    Adx(Box<AdxWriter<'m, BufWriter<W>>>),
    /// ADX asked for without metadata: `begin` fails.
    AdxWithoutMetadata(W),
    /// PDF, which is not written from values: `begin` fails.
    Pdf(W),
}

/// A data value set writer of any format.
///
/// ADX is written against metadata, which names the values' option combos by their categories
/// and options: build the writer with [`AnyWriter::with_metadata`] or [`AnyWriter::adx`]. An
/// ADX writer made by [`AnyWriter::new`] fails at [`DataValueSink::begin`] with
/// [`ErrorKind::NeedsMetadata`](crate::ErrorKind::NeedsMetadata).
///
/// ```
/// use dxf2_io::{AnyWriter, Format};
/// use dxf2_model::metadata::{DataElement, DataSet, DataSetElement, Identity, OrganisationUnit};
/// use dxf2_model::{DataValue, DataValueSetHeader, DataValueSink, Field, ImporterProfile, Metadata, PeriodType, Uid, ValueType};
///
/// let uid = |s: &str| Uid::parse(s).unwrap();
/// let coded = |u: &str, code: &str| Identity { code: Some(code.into()), ..Identity::new(uid(u)) };
/// let mut ds = DataSet::new(coded("pBOMPrpg1QX", "MAL"), PeriodType::Monthly);
/// ds.elements.push(DataSetElement { data_element: uid("f7n9E0hX8qk"), category_combo: None });
/// let metadata = Metadata::builder()
///     .with(DataElement::new(coded("f7n9E0hX8qk", "CASES"), ValueType::Integer))
///     .with(OrganisationUnit::new(coded("DiszpKrYNg8", "OU_1"), None))
///     .with(ds)
///     .build()?;
///
/// // Values named by UID, written as DHIS2's ADX export writes them (codes).
/// let mut writer = AnyWriter::with_metadata(Format::Adx, Vec::new(), ImporterProfile::Classic, &metadata);
/// writer.begin(&DataValueSetHeader::default())?;
/// writer.write_value(&DataValue::from_fields(&[
///     (Field::DataElement, "f7n9E0hX8qk"),
///     (Field::Period, "202401"),
///     (Field::OrgUnit, "DiszpKrYNg8"),
///     (Field::Value, "12"),
/// ]))?;
/// writer.finish()?;
/// let adx = String::from_utf8(writer.into_inner()?)?;
/// assert!(adx.contains(r#"<group dataSet="MAL" period="2024-01-01/P1M" orgUnit="OU_1">"#));
///
/// // Without metadata, ADX cannot be written.
/// let mut writer = AnyWriter::new(Format::Adx, Vec::new());
/// assert!(writer.begin(&DataValueSetHeader::default()).is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct AnyWriter<'m, W: Write> {
    inner: WriterInner<'m, W>,
}

impl<'m, W: Write> AnyWriter<'m, W> {
    /// A writer of DHIS2's classic (2.36–2.42) export documents in `format` into `w`.
    pub fn new(format: Format, w: W) -> AnyWriter<'m, W> {
        AnyWriter::with_profile(format, w, ImporterProfile::Classic)
    }

    /// A writer of `profile`'s export documents in `format` into `w` (ADX needs metadata:
    /// [`AnyWriter::with_metadata`]).
    pub fn with_profile(format: Format, w: W, profile: ImporterProfile) -> AnyWriter<'m, W> {
        let inner = match format {
            Format::Xml => WriterInner::Xml(dxf2_xml::Writer::with_profile(w, profile)),
            Format::Json => WriterInner::Json(dxf2_json::Writer::with_profile(w, profile)),
            Format::Csv => WriterInner::Csv(dxf2_csv::Writer::with_profile(w, profile)),
            Format::Adx => WriterInner::AdxWithoutMetadata(w),
            Format::Pdf => WriterInner::Pdf(w),
        };
        AnyWriter { inner }
    }

    /// A writer of `profile`'s export documents in `format` into `w`, with the metadata ADX is
    /// written against (DHIS2's ADX export defaults: values named by UID unless their header
    /// says otherwise, every identifier written as a code; the other formats do not use it).
    pub fn with_metadata(
        format: Format,
        w: W,
        profile: ImporterProfile,
        metadata: &'m Metadata,
    ) -> AnyWriter<'m, W> {
        match format {
            Format::Adx => AnyWriter::adx(w, metadata, AdxWriterBuilder::new()),
            other => AnyWriter::with_profile(other, w, profile),
        }
    }

    /// An ADX writer into `w` built by `builder` (the values' and the output's id schemes, a
    /// data set for every group, extras) against `metadata`.
    pub fn adx(w: W, metadata: &'m Metadata, builder: AdxWriterBuilder) -> AnyWriter<'m, W> {
        let writer = builder.build(metadata, BufWriter::new(w));
        AnyWriter {
            inner: WriterInner::Adx(Box::new(writer)),
        }
    }

    /// The underlying writer (after [`DataValueSink::finish`]), with the codec's buffered bytes
    /// written to it.
    pub fn into_inner(self) -> Result<W, Error> {
        Ok(match self.inner {
            WriterInner::Xml(w) => w.into_inner()?,
            WriterInner::Json(w) => w.into_inner(),
            WriterInner::Csv(w) => w.into_inner(),
            WriterInner::Adx(w) => w.into_inner().into_inner().map_err(|e| e.into_error())?,
            WriterInner::AdxWithoutMetadata(w) | WriterInner::Pdf(w) => w,
        })
    }
}

impl<W: Write> DataValueSink for AnyWriter<'_, W> {
    type Error = Error;

    fn begin(&mut self, header: &DataValueSetHeader) -> Result<(), Error> {
        match &mut self.inner {
            WriterInner::Xml(w) => w.begin(header)?,
            WriterInner::Json(w) => w.begin(header)?,
            WriterInner::Csv(w) => w.begin(header)?,
            WriterInner::Adx(w) => w.begin(header)?,
            WriterInner::AdxWithoutMetadata(_) => return Err(ErrorKind::NeedsMetadata.into()),
            WriterInner::Pdf(_) => return Err(ErrorKind::PdfNotWritable.into()),
        }
        Ok(())
    }

    fn write_value(&mut self, value: &DataValue) -> Result<(), Error> {
        match &mut self.inner {
            WriterInner::Xml(w) => w.write_value(value)?,
            WriterInner::Json(w) => w.write_value(value)?,
            WriterInner::Csv(w) => w.write_value(value)?,
            WriterInner::Adx(w) => w.write_value(value)?,
            WriterInner::AdxWithoutMetadata(_) => return Err(ErrorKind::NeedsMetadata.into()),
            WriterInner::Pdf(_) => return Err(ErrorKind::PdfNotWritable.into()),
        }
        Ok(())
    }

    fn finish(&mut self) -> Result<(), Error> {
        match &mut self.inner {
            WriterInner::Xml(w) => w.finish()?,
            WriterInner::Json(w) => w.finish()?,
            WriterInner::Csv(w) => w.finish()?,
            WriterInner::Adx(w) => w.finish()?,
            WriterInner::AdxWithoutMetadata(_) => return Err(ErrorKind::NeedsMetadata.into()),
            WriterInner::Pdf(_) => return Err(ErrorKind::PdfNotWritable.into()),
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
