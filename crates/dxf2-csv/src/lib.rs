//! `dxf2-csv`: DHIS2 CSV data value sets, read and written exactly as DHIS2 does.
//!
//! DHIS2 has two CSV readers and neither is RFC 4180, so this crate carries its own small
//! byte-level state machines (in the spirit of `csv-core`) over reusable buffers:
//!
//! * [`Reader`] (a [`DataValueSource`](dxf2_model::DataValueSource)) built by
//!   [`ReaderBuilder`], imitating either importer generation
//!   ([`ImporterProfile`](dxf2_model::ImporterProfile));
//! * [`Writer`] (a [`DataValueSink`](dxf2_model::DataValueSink)) built by [`WriterBuilder`],
//!   writing the classic (2.40–2.42) or 2.43+ CSV export;
//! * [`classic_canonical`]: what a value becomes after a classic CSV round trip.
//!
//! # Classic profile (2.36–2.42, javacsv 2.0)
//!
//! * `,` separates, `"` quotes, `""` inside quotes is one `"`; a record ends at CR, LF or CRLF;
//!   empty lines are skipped; `#` is not a comment.
//! * Unquoted fields are trimmed of spaces and tabs; quoted fields are kept verbatim (text after
//!   the closing quote, up to the next `,`, is dropped). A line of only spaces is a record with
//!   one empty field.
//! * Columns are **positional**: 0 `dataElement`, 1 `period`, 2 `orgUnit`,
//!   3 `categoryOptionCombo`, 4 `attributeOptionCombo`, 5 `value`, 6 `storedBy`,
//!   7 `lastUpdated`, 8 `comment`, 9 `followUp`, 10 `deleted`; 11+ ignored; missing trailing
//!   columns read as empty strings. `created` is never read.
//! * With `first_row_is_header(true)` (the default) the first record is skipped whatever it
//!   holds.
//! * **Empty cells are `Some("")`, not absent** — the importer treats them differently from
//!   XML/JSON's absent fields (an empty `value` is no `E7618` conflict). That includes
//!   `categoryOptionCombo`/`attributeOptionCombo`: DHIS2 trims them to null (the default combo)
//!   in the importer; this reader keeps `Some("")` and leaves that mapping to the engine.
//! * `followup` is `Some(Boolean.parseBoolean)` (only `true`, any case); `deleted` is
//!   `Some(true)` only for `true` (any case), else `Some(false)` — including empty and the
//!   classic export's literal `null`.
//! * The UTF-8 **BOM is not stripped**: it stays in the first field (and makes a following
//!   `"` an ordinary character, so a BOM'd `"dataelement"` reads as `\u{FEFF}"dataelement"`).
//!   Harmless in the skipped header row, fatal to the first data element without one.
//! * Safety switch: a field over [`MAX_FIELD_CHARS`] characters (UTF-16 units, as Java counts)
//!   or a record over [`MAX_COLUMNS`] columns is an error ([`ErrorKind::FieldTooLong`],
//!   [`ErrorKind::TooManyColumns`]); DHIS2 aborts the import.
//! * **An unclosed quote is an error** ([`ErrorKind::UnterminatedQuote`], naming the line and
//!   byte column of the opening `"`). javacsv (and so DHIS2) silently reads the rest of the file
//!   as that one field, losing every record after it.
//!
//! # Pipeline profile (2.43+, DHIS2's own `CSV`/`LineBuffer`)
//!
//! * A header line is required: `first_row_is_header(false)` fails at open with "CSV without
//!   header row is no longer supported."; empty input fails with "No header line provided.".
//! * Columns are mapped **by header name**, exact or lower-cased: `dataElement`, `orgUnit`,
//!   `categoryOptionCombo`, `attributeOptionCombo`, `attributeCombo`, `attributeOptions`,
//!   `period`, `value`, `comment`, `followUp`, `deleted` (so the export's lower-case header
//!   works). `storedBy` and `timestamp` are ignored; every other column is an
//!   [extra column](Reader::extra_columns) that DHIS2 turns into category options
//!   ([`Reader::extra_values`]). So `storedBy`, `lastUpdated` and `created` are never read.
//! * **An empty line ends the input.** A line ends at CR or at LF, so **a CRLF file stops after
//!   its first data row**: the LF after the CR is read as an empty line. This is reproduced
//!   on purpose (DHIS2 2.43 imports one row of a Windows-style file); convert line ends first
//!   if that is not what you want.
//! * Unquoted fields are trimmed; an empty unquoted field is absent; a quoted field runs to the
//!   next `"` (no `""` escape, the rest up to `,` is dropped, so a quoted field cannot hold a
//!   newline); `""` is `Some("")`; the text `null` (quoted or not) is absent; fields beyond the
//!   header are ignored and missing trailing fields are absent; booleans are
//!   `Boolean.parseBoolean`.
//! * **A quoted field not closed on its line is an error** ([`ErrorKind::UnterminatedQuote`]);
//!   DHIS2 2.43 takes the rest of the line as the field and reads the next line as a new row.
//!
//! # Bounded memory
//!
//! Both dialects keep to a [`ReadLimits`](dxf2_model::ReadLimits)
//! ([`ReaderBuilder::limits`], default 4 MiB a field, 16 MiB a record): a longer field or record
//! fails with [`ErrorKind::TokenTooLong`] or [`ErrorKind::RecordTooLong`] before it is held in
//! memory, naming the limit, where the field or record starts and how to raise the limit. Memory
//! therefore stays bounded whatever the input (a 500 MB line, `/dev/zero`).
//!
//! # Text decoding
//!
//! DHIS2 decodes CSV as UTF-8 with Java's replacing decoder: each invalid byte sequence becomes
//! U+FFFD, silently. This crate refuses such text by default ([`ErrorKind::InvalidUtf8`], with
//! its line and byte column); with [`Utf8Policy::Replace`] it decodes as DHIS2 does and
//! [`Reader::replaced_utf8`] tells how many sequences were replaced and where the first was.
//! Compressed input (ZIP/GZIP, which DHIS2 decompresses before reading) is refused with [`ErrorKind::Compressed`]: decompress
//! before reading.
//!
//! # Writing
//!
//! The [`Writer`] writes DHIS2's export: the [`EXPORT_HEADER`] line, 11 columns per value,
//! javacsv's quoting, LF line ends; see [`WriterBuilder::profile`] for `followup`/`deleted`.
//! CSV has no set header: by default the writer fills absent `period`, `orgUnit` and
//! `attributeOptionCombo` from the header given to `begin`
//! ([`WriterBuilder::fill_from_header`]); with that off, callers converting from XML or JSON
//! must call [`DataValueSetHeader::apply_defaults`](dxf2_model::DataValueSetHeader::apply_defaults)
//! on each value or lose those fields.
//!
//! # Example
//!
//! ```
//! use dxf2_csv::{ReaderBuilder, Writer};
//! use dxf2_model::{DataValue, DataValueSink, DataValueSource};
//!
//! let csv = "\"dataelement\",\"period\",\"orgunit\",\"categoryoptioncombo\",\"attributeoptioncombo\",\"value\"\n\
//!            \"f7n9E0hX8qk\",\"201201\",\"DiszpKrYNg8\",\"\",\"\",\"10001\"\n\
//!            f7n9E0hX8qk , 201202 ,DiszpKrYNg8,,,\" 10002 \"\n";
//! let mut reader = ReaderBuilder::new().data_set("pBOMPrpg1QX").from_reader(csv.as_bytes())?;
//! let mut out = Vec::new();
//! let mut writer = Writer::from_writer(&mut out);
//! writer.begin(reader.header())?;
//!
//! let mut value = DataValue::new(); // one reusable record
//! let mut periods = Vec::new();
//! while reader.read_value(&mut value)? {
//!     periods.push(value.period().unwrap_or_default().to_owned());
//!     assert_eq!(value.category_option_combo(), Some("")); // empty, not absent
//!     writer.write_value(&value)?;
//! }
//! writer.finish()?;
//! assert_eq!(periods, ["201201", "201202"]);
//! assert_eq!(reader.position().line(), 3);
//!
//! let text = String::from_utf8(out).unwrap();
//! let rows: Vec<&str> = text.lines().collect();
//! assert_eq!(rows[1], "f7n9E0hX8qk,201201,DiszpKrYNg8,,,10001,,,,false,null");
//! // The quoted " 10002 " kept its spaces when read; the writer trims, as DHIS2 does.
//! assert_eq!(rows[2], "f7n9E0hX8qk,201202,DiszpKrYNg8,,,10002,,,,false,null");
//! # Ok::<(), dxf2_csv::Error>(())
//! ```

#![forbid(unsafe_code)]

mod canonical;
mod classic;
mod error;
mod pipeline;
mod reader;
#[cfg(test)]
mod round_trip;
mod text;
mod writer;

pub use canonical::classic_canonical;
pub use dxf2_model::Values;
pub use error::{Category, Error, ErrorKind, Position, Result};
pub use reader::{Reader, ReaderBuilder};
pub use text::{java_trim, parse_boolean, Utf8Policy};
pub use writer::{Writer, WriterBuilder, EXPORT_HEADER};

/// javacsv's safety limit on one field, in characters (UTF-16 code units).
pub const MAX_FIELD_CHARS: usize = 100_000;

/// javacsv's safety limit on the columns of one record.
pub const MAX_COLUMNS: usize = 100_000;
