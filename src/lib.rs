//! `dxf2`: read, check, convert and import DHIS2 DXF2 data exchange files without a DHIS2 server.
//!
//! [DHIS2](https://dhis2.org) is the health information system of the ministries of health of
//! more than 80 countries. Facilities report aggregate data (how many malaria cases were
//! confirmed this month, by sex) as *data value sets*: lists of data values, each naming a data
//! element (what was counted), a period (`202409`), an organisation unit (where), a category
//! option combo (the disaggregation) and the value. DHIS2 exchanges them in its DXF2 formats:
//! XML, JSON and CSV, often gzip- or zip-compressed. These crates read, check, convert and
//! import such files exactly as a DHIS2 server does (its validation rules, error codes and
//! import summaries, for both importer generations: DHIS2 2.36–2.42 and 2.43+), offline.
//!
//! This facade re-exports the workspace crates so that an application can depend on one crate:
//!
//! | module | crate | job |
//! |---|---|---|
//! | [`model`] | `dxf2-model` | UIDs, id schemes, periods, value types, the reusable data value record, the streaming traits, import options and summaries, metadata, reading bounds |
//! | [`xml`] | `dxf2-xml` | streaming DXF2 XML reader and writer; import summary XML |
//! | [`json`] | `dxf2-json` | streaming DXF2 JSON reader and writer; import summary JSON; the metadata JSON reader |
//! | [`csv`] | `dxf2-csv` | streaming DXF2 CSV reader (both DHIS2 dialects) and writer |
//! | [`io`] | `dxf2-io` | files of any format: format detection, gzip/zip input within bounds, any-format reader and writer, `copy`, outputs that never destroy an input |
//! | [`resolver`] | `idscheme-resolver` | UID / CODE / NAME / ATTRIBUTE:uid resolution, and back for export |
//! | [`engine`] | `import-engine` | the import (DHIS2 2.36–2.42 and 2.43+ rules) and the export |
//! | [`store`] | `dxf2-store` | the store seam: the batched `DataValueStore` and `MetadataStore` traits, `MemoryStore` |
//! | [`sqlite`] | `dxf2-store-sqlite` | the embedded persistent store |
//! | [`postgres`] | `dxf2-store-postgres` | the same store in a PostgreSQL database (server scale) |
//! | [`metadata`] | `dxf2-metadata` | metadata exchange: DHIS2 metadata documents and CSV classes, the object bundle import with DHIS2's checks and report, export with dependencies, diff |
//! | [`adx`] | `dhis2-adx` | IHE ADX: streaming reader and writer, ADX periods, ADX ⇄ DXF2 mapping (`AdxSource`, `AdxWriter`) |
//! | [`geometry`] | `geometry-import` | org unit geometry from GeoJSON and GML with DHIS2's matching and report; GeoJSON export |
//! | [`pdf`] | `pdf-form-reader` | DHIS2's PDF data entry forms: filled forms read as data value sets, fillable forms written |
//! | [`tracker`] | `dxf2-tracker` | tracker data (v41+): tracked entities, enrollments, events, relationships; nested and flat JSON, events CSV, flattening, DHIS2's dates |
//! | [`jobs`] | (this crate) | the import journal's input checksums (file or stream); the journal itself is [`store::Journal`] |
//! | [`sync`] | (this crate) | offline sync bundles, facility → district: everything a store changed since the last bundle for a destination (values, soft deletions, completions, metadata) in a checked zip; applied with gap, replay and both-ends conflict checks |
//! | [`metadata_store`] | (this crate) | a store's DHIS2 objects as the catalogue a metadata import checks against, and its changes written back with the typed metadata, in one transaction |
//!
//! # Where to start
//!
//! The [`tutorial`] walks through reading, writing, converting, importing, stores, id schemes,
//! errors and bounds, with examples that run. The crate's `examples/` folder holds whole
//! programs, each run with `cargo run --example NAME`:
//!
//! | example | shows |
//! |---|---|
//! | `stream_any_format` | open a file of any format (gzip/zip too) and stream its values with one reused record |
//! | `convert` | convert XML to gzip-compressed CSV through an output that is committed only on success |
//! | `custom_store` | a host's own `DataValueStore`, and the host's error coming back from a failed import |
//! | `custom_resolver` | a host's own `Resolver`: identifiers from the host's mapping table |
//! | `import_sqlite` | metadata and a report into a SQLite store; DHIS2's import summary |
//! | `read_summary` | read DHIS2 import summaries (JSON and XML) and walk their conflicts |
//!
//! A first taste: a data value as the readers fill it.
//!
//! ```
//! use dxf2::model::{DataValue, Field};
//!
//! let mut value = DataValue::new();
//! value.set(Field::DataElement, "f7n9E0hX8qk");
//! value.set(Field::Value, "10");
//! assert_eq!(value.get(Field::Value), Some("10"));
//! ```

pub use adx;
pub use dxf2_csv as csv;
pub use dxf2_io as io;
pub use dxf2_json as json;
pub use dxf2_metadata as metadata;
pub use dxf2_model as model;
pub use dxf2_store as store;
pub use dxf2_store_postgres as postgres;
pub use dxf2_store_sqlite as sqlite;
pub use dxf2_tracker as tracker;
pub use dxf2_xml as xml;
pub use geometry_import as geometry;
pub use idscheme_resolver as resolver;
pub use import_engine as engine;
pub use pdf_form_reader as pdf;

pub mod jobs;
pub mod metadata_store;
pub mod sync;
pub mod tutorial;
