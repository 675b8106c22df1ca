//! `dxf2-json`: DHIS2 DXF2 JSON data value sets and import summaries, read and written exactly
//! as DHIS2 does.
//!
//! * [`Reader`] streams a data value set (`{"dataSet": …, "dataValues": [ … ]}`) one value at a
//!   time into a reusable [`DataValue`](dxf2_model::DataValue), with a small hand-written pull
//!   tokenizer: the document is never held in memory and no allocation is made per value.
//! * [`Writer`] writes a data value set byte for byte like DHIS2's classic
//!   `JsonDataValueSetWriter`.
//! * [`write_import_summary`], [`write_web_message`] and [`read_import_summary`] handle the
//!   `ImportSummary` DHIS2 answers an import with.
//!
//! Both [`Reader`] and [`Writer`] implement the model's stream traits
//! ([`DataValueSource`](dxf2_model::DataValueSource) /
//! [`DataValueSink`](dxf2_model::DataValueSink)), so converting is "read, write" with no model
//! in between:
//!
//! ```
//! use dxf2_json::{Reader, Writer};
//! use dxf2_model::{DataValue, DataValueSink};
//!
//! let json = br#"{
//!   "dataSet": "pBOMPrpg1QX", "period": "202401", "orgUnit": "DiszpKrYNg8",
//!   "completeData": "2024-02-01",
//!   "dataValues": [
//!     {"dataElement": "f7n9E0hX8qk", "value": 12, "followup": "TRUE"},
//!     {"dataElement": "Ix2HsbDMLea", "value": "", "comment": "checked", "extra": {"any": [1]}}
//!   ]
//! }"#;
//! let mut reader = Reader::new(&json[..])?;
//! // The misspelt `completeData` is an unknown key: ignored, as DHIS2 does.
//! assert_eq!(reader.header().complete_date, None);
//!
//! let mut writer = Writer::new(Vec::new());
//! writer.begin(reader.header())?;
//! let mut value = DataValue::new();
//! while reader.read_value(&mut value)? {
//!     writer.write_value(&value)?;
//! }
//! writer.finish()?;
//!
//! let out = String::from_utf8(writer.into_inner()).unwrap();
//! assert!(out.starts_with(r#"{"dataSet":"pBOMPrpg1QX","completeDate":null,"period":"202401","#));
//! // A number is read as its text; an empty text is absent (written as null).
//! assert!(out.contains(r#""value":"12","#));
//! assert!(out.contains(r#""value":null,"storedBy":null,"created":null,"lastUpdated":null,"comment":"checked","followup":false}"#));
//! # Ok::<(), dxf2_json::Error>(())
//! ```
//!
//! # Reading rules (classic importer, DHIS2 2.36–2.42)
//!
//! DHIS2 binds the whole document with Jackson (`JsonDataValueSetReader`); the [`Reader`]
//! reproduces that binding while streaming:
//!
//! | input | read as |
//! |---|---|
//! | an unknown key (`completeData`, `importStrategy`, `followUp`, …), any value shape | ignored |
//! | `"value": 10`, `"value": true` | the text `"10"`, `"true"` (number as written) |
//! | `"value": ""`, `"value": null` | absent |
//! | an object or array for a text key | an error ([`ErrorKind::WrongType`]), naming the key, line and column; DHIS2 would misread the rest of the document |
//! | `followup`, `deleted`, `dryRun` | `true`/`false`; `null`, `""`, `"null"` → absent; the texts `true`/`True`/`TRUE`/`false`/`False`/`FALSE`; integers (0 → false) |
//! | the same key twice | the last one wins |
//! | `{}` | a valid empty set |
//! | `{"foo": 1}`, a metadata package, a tracker payload, GeoJSON | an error ([`ErrorKind::NotADataValueSet`]); DHIS2 reads an empty set ([`ReaderBuilder::accept_any_object`]) |
//! | a UTF-8 byte order mark | skipped (Jackson skips it too) |
//! | not an object at the top level, malformed JSON, invalid UTF-8, text after the document | an error |
//!
//! Set-level keys: `dataSet`, `completeDate`, `period`, `orgUnit`, `attributeOptionCombo`,
//! `attributeCategoryOptions` (array of texts), `idScheme`, `dataElementIdScheme`,
//! `orgUnitIdScheme`, `categoryOptionComboIdScheme`, `dataSetIdScheme`, `dryRun`, `strategy`
//! (not `importStrategy`). Value keys: `dataElement`, `period`, `orgUnit`,
//! `categoryOptionCombo`, `attributeOptionCombo`, `value`, `storedBy`, `created`,
//! `lastUpdated`, `comment`, `followup` (lower case), `deleted`.
//!
//! [`Reader::with_profile`] with [`ImporterProfile::Pipeline`](dxf2_model::ImporterProfile)
//! applies the key rules of DHIS2 2.43+ instead: `followUp` (capital U) replaces `followup`;
//! `strategy`, `attributeCategoryOptions`, `storedBy`, `created` and `lastUpdated` are not read;
//! `attributeOptionComboIdScheme`, `categoryIdScheme` and `categoryOptionIdScheme` are. So are
//! the object forms of the set-level `attributeOptionCombo` and of a value's
//! `categoryOptionCombo` (category → category option maps, kept in document order) and the
//! `deletion` object (`orgUnits`, `periods`, `elements`), into
//! [`DataValueSetHeader`](dxf2_model::DataValueSetHeader) and
//! [`DataValue`](dxf2_model::DataValue).
//!
//! Where DHIS2 would silently misread or half-import a document, the reader refuses it with a
//! clear error instead:
//!
//! * text after the document (Jackson's default does not look past the closing `}`);
//! * an object or array for a text key, a `null` element in `dataValues`, a `null` or empty
//!   element in `attributeCategoryOptions`;
//! * a `\u` escape that is half of a surrogate pair (Java keeps it, UTF-8 cannot);
//! * UTF-16 or UTF-32 input (Jackson detects it; convert to UTF-8);
//! * nesting deeper than 1000 levels (Jackson 2.15+'s default limit);
//! * `\u0000` in a string that becomes data ([`ErrorKind::NulCharacter`]): PostgreSQL, DHIS2's
//!   database, cannot store it and XML cannot carry it (other control characters are data, and
//!   the XML writer writes them as character references);
//! * a non-empty object with neither `dataValues` nor any set-level key
//!   ([`ErrorKind::NotADataValueSet`], which says whether it looks like metadata, a tracker
//!   payload, GeoJSON or an import summary): DHIS2 reads it as an empty data value set, and so
//!   does a reader built with [`ReaderBuilder::accept_any_object`]. `{}` is an empty set.
//!
//! `"followup": null` reads as absent (DHIS2's importer treats it as false).
//!
//! # Bounded memory
//!
//! Every reader holds at most one string or number of the document at a time, and refuses one
//! longer than [`ReadLimits::max_token_bytes`](dxf2_model::ReadLimits) (4 MiB by default) with
//! [`ErrorKind::TokenTooLong`], naming where it starts and how to raise the limit; values that
//! are skipped (unknown keys) are checked the same way but never kept. A data value (or a
//! set-level member) holding more than [`ReadLimits::max_record_bytes`](dxf2_model::ReadLimits)
//! of text through repeated keys or long lists is refused too ([`ErrorKind::RecordTooLong`]).
//! The limits are set with [`Reader::builder`], [`read_import_summary_with_limits`] and
//! [`metadata::read_metadata_with_limits`]:
//!
//! ```
//! use dxf2_json::{ErrorKind, Reader};
//! use dxf2_model::ReadLimits;
//!
//! let json = br#"{"dataValues": [{"dataElement": "f7n9E0hX8qk", "comment": "a long comment"}]}"#;
//! let limits = ReadLimits::default().with_max_token_bytes(12);
//! let mut reader = Reader::builder().limits(limits).from_reader(&json[..])?;
//! let err = reader.values().next().unwrap().unwrap_err();
//! assert!(matches!(err.kind(), ErrorKind::TokenTooLong { what: "a string", limit: 12 }));
//! assert_eq!(
//!     err.to_string(),
//!     "line 1, column 59 (value #1, index 0): a string longer than 12 bytes starts here: \
//!      raise ReadLimits::max_token_bytes, or --max-token-bytes on the command line"
//! );
//! # Ok::<(), dxf2_json::Error>(())
//! ```
//!
//! # Set-level keys after `dataValues`
//!
//! JSON allows set-level keys anywhere and DHIS2 reads the whole document before importing.
//! [`Reader::new`] streams: a set-level key after `dataValues` that changes the header once
//! values were read makes the last [`Reader::read_value`] call fail with
//! [`ErrorKind::HeaderAfterValues`]. [`Reader::from_seekable`] reads a seekable input
//! twice (the first pass skips the values in constant memory) and gives DHIS2's exact result:
//!
//! ```
//! use std::io::Cursor;
//! use dxf2_json::{ErrorKind, Reader};
//! use dxf2_model::DataValue;
//!
//! let json = br#"{"dataValues": [{"dataElement": "f7n9E0hX8qk"}], "period": "202401"}"#;
//!
//! let mut streaming = Reader::new(&json[..])?;
//! let mut value = DataValue::new();
//! assert!(streaming.read_value(&mut value)?);
//! let err = streaming.read_value(&mut value).unwrap_err();
//! assert!(matches!(err.kind(), ErrorKind::HeaderAfterValues { key } if key == "period"));
//!
//! let mut seekable = Reader::from_seekable(Cursor::new(&json[..]))?;
//! assert_eq!(seekable.header().period.as_deref(), Some("202401"));
//! assert_eq!(seekable.values().count(), 1);
//! # Ok::<(), dxf2_json::Error>(())
//! ```

#![forbid(unsafe_code)]

mod error;
mod guard;
pub mod metadata;
mod reader;
#[cfg(test)]
mod roundtrip_tests;
mod summary;
mod tokenizer;
mod writer;

pub use dxf2_model::Values;
pub use error::{Category, DocumentKind, Error, ErrorKind, JsonType, Position, Result};
pub use reader::{Reader, ReaderBuilder};
pub use summary::{
    read_import_summary, read_import_summary_with_limits, write_import_summary, write_web_message,
};
pub use writer::Writer;
