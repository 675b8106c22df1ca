//! `pdf-form-reader`: DHIS2's PDF data entry forms, offline.
//!
//! A facility without connectivity fills a PDF form on a laptop; the district imports it. DHIS2
//! makes such forms (`GET /api/pdfForm/dataSet/{uid}`) and reads them back (`POST
//! /api/pdfForm/dataSet`, or `POST /api/dataValueSets` as `application/pdf`), only on a server.
//! This crate does both:
//!
//! * **Reading** — [`PdfFormReader`] opens a filled form (from bytes or any `Read`; encrypted
//!   forms with an empty user password, incremental updates and compressed object streams
//!   included), walks its AcroForm fields as DHIS2's PDF library does (nested fields, widget
//!   kids, values kept only on a parent, text, choice and check box fields, PDFDocEncoding and
//!   UTF-16BE strings: see [`acroform`]), and yields the data value set DHIS2 makes of it as a
//!   [`DataValueSource`](dxf2_model::DataValueSource), which the import engine imports like any
//!   other reader's values.
//! * **Writing** — [`write_form`] makes the fillable form of a data set from typed
//!   [`Metadata`](dxf2_model::Metadata), in DHIS2's layout and with DHIS2's field names (see
//!   [`form`]).
//!
//! # What DHIS2 makes of a filled form
//!
//! The org unit comes from the text field `TXFD_OrgID` and the period from `TXFD_PeriodID`
//! (both trimmed); every field named `TXFDDV_<dataElement>_<categoryOptionCombo>[_T4]` gives one
//! value of that data element and category option combo (no attribute option combo: the
//! default), other fields are ignored. The two importer generations differ, and the reader
//! follows the one chosen with [`ReaderBuilder::profile`]:
//!
//! | | classic, DHIS2 2.36–2.42 (default) | pipeline, DHIS2 2.43+ |
//! |---|---|---|
//! | org unit, period | on every value; the header is empty | in the header (DHIS2's group) |
//! | checks before the values | empty period: `The period was not specified.`; empty org unit: `The organisation unit was not specified`; not an ISO period: `Invalid period: X` | none (the import checks them) |
//! | check box (`_T4`) | exactly `On` → `true`, exactly `Off` → no value | `on`/`off` in any case → `true`/`false` |
//! | `storedBy`, `comment`, `followUp`, `lastUpdated` | `admin`, `Imported by PDF Data Entry Form`, `false`, the import day | none |
//! | not a PDF, damaged | `ERROR`, `The import process failed: …` | `E8006 PDF file error : …` (HTTP 400) |
//! | no form fields | the same | `E8001 PDF input does not support Acro fields` |
//!
//! **Empty fields.** DHIS2 hands on every data field, filled or not: the classic importer then
//! stores an untouched field as a comment-only value (replacing a stored value with nothing),
//! and 2.43+ refuses each with `E8120`. This reader skips empty (blank) fields and unticked
//! check boxes by default ([`EmptyFields::Skip`]): what is stored is then exactly what was
//! filled in, as 2.43+ stores it; [`EmptyFields::Keep`] hands them on as DHIS2 does.
//!
//! Where this crate reads differently from DHIS2 on purpose: fields come in document order
//! (DHIS2 takes them from a hash map, in no defined order, which only changes the indexes in an
//! import summary); a text string with a UTF-8 byte order mark (PDF 2.0) is read as UTF-8 (DHIS2's
//! library reads it as PDFDocEncoding); a form without the `TXFD_OrgID` or `TXFD_PeriodID`
//! field, or with a `TXFDDV_` field whose name DHIS2 cannot split, is refused with a message
//! naming the field ([`ErrorKind::MissingField`], [`ErrorKind::BadFieldName`]) where DHIS2 fails
//! with a Java exception.
//!
//! # Example: make a form, fill it, read it back
//!
//! ```
//! use dxf2_model::metadata::{DataElement, DataSet, DataSetElement, Identity};
//! use dxf2_model::{DataValue, DataValueSource, Metadata, PeriodType, Uid, ValueType};
//! use pdf_form_reader::{write_form, FormOptions, PdfFormReader};
//!
//! let uid = |s: &str| Uid::parse(s).unwrap();
//! let mut ds = DataSet::new(Identity::new(uid("pBOMPrpg1QX")), PeriodType::Monthly);
//! ds.elements.push(DataSetElement { data_element: uid("fbfJHSPpUQD"), category_combo: None });
//! let md = Metadata::builder()
//!     .with(DataElement::new(Identity::new(uid("fbfJHSPpUQD")), ValueType::Integer))
//!     .with(ds)
//!     .build()
//!     .unwrap();
//!
//! // The form, with the org unit and period filled in beforehand.
//! let options = FormOptions {
//!     org_unit: Some("DiszpKrYNg8".into()),
//!     period: Some("202401".into()),
//!     ..FormOptions::default()
//! };
//! let mut pdf = Vec::new();
//! write_form(&md, &uid("pBOMPrpg1QX"), &options, &mut pdf)?;
//!
//! // Nothing typed in yet: no values (empty fields are skipped).
//! let mut form = PdfFormReader::from_bytes(&pdf)?;
//! assert_eq!((form.org_unit(), form.period()), ("DiszpKrYNg8", "202401"));
//! let mut value = DataValue::new();
//! assert!(!form.read_value(&mut value)?);
//!
//! // Fill the data field as a PDF viewer would: set its value.
//! let filled = pdf_form_reader::fill(&pdf, &[("TXFDDV_fbfJHSPpUQD_HllvX50cXC0", "12")])?;
//! let mut form = PdfFormReader::from_bytes(&filled)?;
//! assert!(form.read_value(&mut value)?);
//! assert_eq!(value.data_element(), Some("fbfJHSPpUQD"));
//! assert_eq!(value.category_option_combo(), Some("HllvX50cXC0"));
//! assert_eq!(value.value(), Some("12"));
//! assert_eq!(value.org_unit(), Some("DiszpKrYNg8"));
//! assert_eq!(value.comment(), Some("Imported by PDF Data Entry Form"));
//! assert!(!form.read_value(&mut value)?);
//! # Ok::<(), pdf_form_reader::Error>(())
//! ```

#![forbid(unsafe_code)]

pub mod acroform;
mod error;
mod fill;
pub mod form;
mod reader;
mod text;

pub use acroform::{FieldKind, FormField};
pub use error::{Category, Error, ErrorKind};
pub use fill::fill;
pub use form::{form_document, write_form, FormOptions};
pub use reader::{EmptyFields, PdfFormReader, ReaderBuilder, DEFAULT_MAX_BYTES};
pub use text::{decode_text_string, encode_text_string};

/// The org unit field: `TXFD_OrgID` (`PdfDataEntryFormUtil.LABELCODE_ORGID`).
pub const ORG_UNIT_FIELD: &str = "TXFD_OrgID";

/// The period field: `TXFD_PeriodID` (`LABELCODE_PERIODID`).
pub const PERIOD_FIELD: &str = "TXFD_PeriodID";

/// The prefix of every data value field: `TXFDDV_` (`LABELCODE_DATAENTRYTEXTFIELD`).
pub const DATA_FIELD_PREFIX: &str = "TXFDDV_";

/// The name of the Save button: `BTN_SAVEPDF`.
pub const SAVE_BUTTON_FIELD: &str = "BTN_SAVEPDF";

/// The `storedBy` DHIS2 2.36–2.42 gives every value of a form.
pub const IMPORT_STORED_BY: &str = "admin";

/// The `comment` DHIS2 2.36–2.42 gives every value of a form.
pub const IMPORT_COMMENT: &str = "Imported by PDF Data Entry Form";

/// The document information key under which forms written by this crate name their data set.
pub const INFO_DATA_SET_KEY: &str = "DHIS2DataSet";
