//! `dxf2-xml`: streaming reader and writer of DHIS2 DXF2 XML data value sets, and import
//! summaries in XML.
//!
//! * [`Reader`] reads a `<dataValueSet>` document as DHIS2's importer does, one `dataValue`
//!   at a time into a reusable [`DataValue`](dxf2_model::DataValue) record
//!   ([`DataValueSource`](dxf2_model::DataValueSource)); nothing is allocated per value once the
//!   buffers have grown.
//! * [`Writer`] writes what DHIS2's classic `XmlDataValueSetWriter` writes
//!   ([`DataValueSink`](dxf2_model::DataValueSink)).
//! * [`write_import_summary`] / [`read_import_summary`]: the `importSummary` document (the
//!   reader also takes a DHIS2 `webMessage`).
//!
//! # Reading rules
//!
//! Both importer generations ([`ImporterProfile`](dxf2_model::ImporterProfile)):
//!
//! * Elements and attributes are matched by **local name**; the namespace is not checked
//!   (prefixes are fine, `xmlns` declarations are not attributes).
//! * A `dataValue` element is found at any depth inside the set (e.g. inside a `<dataValues>`
//!   wrapper); only its attributes are read, children and text are ignored.
//! * An attribute whose value is empty is **absent**. `followUp` (capital U; `followup` is
//!   ignored) and `deleted` are `true` in any letter case, anything else is false; when the
//!   attribute is absent the flag stays unknown (`None`).
//! * Attribute values are decoded as any XML parser does: entity and character references are
//!   resolved, and literal tabs and line breaks become spaces.
//! * The document must be well-formed UTF-8 XML to its end: mismatched tags, a truncated file,
//!   bad references, text or a second element after the root, duplicate attributes and invalid
//!   UTF-8 are errors with a line and column. A declared encoding other than UTF-8 is refused.
//!   DTDs are never read and no external entity is ever fetched; only the five predefined
//!   entities and character references are known.
//! * Readers accept only what the writers can write: a character XML 1.0 does not allow
//!   (U+0000 and the other C0 controls but tab, LF and CR, U+FFFE, U+FFFF) written literally
//!   anywhere in the document ([`ErrorKind::InvalidChar`]), and an element or attribute name
//!   that is not an XML name with at most one `:` ([`ErrorKind::InvalidName`]), are errors with
//!   a position. (Character references may still name any character but U+0000, so that
//!   everything the writers write reads back.)
//!
//! # Bounded memory
//!
//! Every reader holds at most [`ReadLimits::max_token_bytes`](dxf2_model::ReadLimits) (4 MiB by
//! default) of any one token of its input: a text run, comment, CDATA section, DOCTYPE,
//! processing instruction, start tag with its attributes, attribute value, and for import
//! summaries the text of an element. A longer token is an [`ErrorKind::TokenTooLong`] error
//! (category [`Category::Limit`]) at the line and column where it starts, found after reading
//! at most one byte past the limit; its message says how to raise the limit. Elements nest at
//! most 1000 levels ([`ErrorKind::NestingTooDeep`]). So input that is not XML at all
//! (`/dev/zero`, a binary file) fails after at most one token with the position of the first
//! bad character. Limits are given with [`Reader::with_limits`] and
//! [`read_import_summary_with_limits`].
//!
//! Classic (2.36–2.42, [`Reader::new`]):
//!
//! * Everything before the first element named `dataValueSet` is skipped, including other
//!   elements (the set may sit inside an envelope). A document without one is an error.
//! * Header attributes: `dataSet`, `completeDate`, `period`, `orgUnit`, `attributeOptionCombo`,
//!   `idScheme`, `dataElementIdScheme`, `orgUnitIdScheme`, `categoryOptionComboIdScheme`,
//!   `dataSetIdScheme`, `dryRun` (only exactly `true` counts; anything else leaves dry run to
//!   the request), `importStrategy` (kept as written: the import engine parses it and fails the
//!   import on a bad name). Other attributes are ignored.
//! * Value attributes: `dataElement`, `period`, `orgUnit`, `categoryOptionCombo`,
//!   `attributeOptionCombo`, `value`, `storedBy`, `created`, `lastUpdated`, `comment`,
//!   `followUp`, `deleted`.
//!
//! 2.43+ pipeline ([`Reader::with_profile`] with `ImporterProfile::Pipeline`):
//!
//! * The first element must be `dataValueSet`; `adx` gives [`ErrorKind::Adx`] (ADX is read by
//!   the adx crate), anything else DHIS2's E8007 message ([`ErrorKind::UnexpectedRoot`]).
//! * Header attributes as classic plus `attributeOptionComboIdScheme`, `categoryIdScheme`,
//!   `categoryOptionIdScheme`; `dryRun` is parsed like Java's `Boolean.parseBoolean` (so
//!   `false` is an explicit "no"); `importStrategy` is **not** read.
//! * Value attributes as classic without `storedBy`, `created` and `lastUpdated`.
//!
//! # Example
//!
//! ```
//! use dxf2_model::{DataValue, DataValueSink, DataValueSource};
//! use dxf2_xml::{Reader, Writer};
//!
//! let xml = r#"<?xml version="1.0" encoding="UTF-8"?>
//! <dataValueSet xmlns="http://dhis2.org/schema/dxf/2.0" dataSet="pBOMPrpg1QX" period="201201" orgUnit="DiszpKrYNg8">
//!   <dataValue dataElement="f7n9E0hX8qk" value="10001" comment="first &amp; best" followUp="true"/>
//!   <dataValue dataElement="Ix2HsbDMLea" value="" storedBy="john"/>
//! </dataValueSet>"#;
//!
//! // Read: the header is known once the reader is open, then one value at a time.
//! let mut reader = Reader::new(xml.as_bytes())?;
//! assert_eq!(reader.header().period.as_deref(), Some("201201"));
//! let mut value = DataValue::new();
//! let mut values = Vec::new();
//! while reader.read_value(&mut value)? {
//!     println!("{:?} = {:?}", value.data_element(), value.value());
//!     values.push(value.clone());
//! }
//! assert_eq!(values[0].comment(), Some("first & best"));
//! assert_eq!(values[0].followup(), Some(true));
//! assert_eq!(values[1].value(), None); // empty attribute = absent
//!
//! // Write: any DataValueSource can be copied to any DataValueSink.
//! let mut writer = Writer::new(Vec::new());
//! writer.begin(reader.header())?;
//! for v in &values {
//!     writer.write_value(v)?;
//! }
//! writer.finish()?;
//! let out = String::from_utf8(writer.into_inner()?).unwrap();
//! assert!(out.contains(r#"<dataValue dataElement="f7n9E0hX8qk" value="10001" comment="first &amp; best" followUp="true"/>"#));
//! # Ok::<(), dxf2_xml::Error>(())
//! ```

#![forbid(unsafe_code)]

mod cursor;
mod error;
mod escape;
mod limit;
mod reader;
pub mod summary;
mod writer;

pub use dxf2_model::Values;
pub use error::{Category, Error, ErrorKind, Position};
pub use reader::Reader;
pub use summary::{read_import_summary, read_import_summary_with_limits, write_import_summary};
pub use writer::{Layout, Writer};

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
