//! `dxf2`: read, check, convert and import DHIS2 DXF2 data exchange files without a DHIS2 server.
//!
//! This facade re-exports the workspace crates so that an application can depend on one crate:
//!
//! | module | crate | job |
//! |---|---|---|
//! | [`model`] | `dxf2-model` | UIDs, id schemes, periods, value types, data values, import options and summaries |
//! | [`xml`] | `dxf2-xml` | streaming DXF2 XML reader and writer |
//! | [`json`] | `dxf2-json` | streaming DXF2 JSON reader and writer |
//! | [`csv`] | `dxf2-csv` | streaming DXF2 CSV reader and writer |
//! | [`resolver`] | `idscheme-resolver` | UID / CODE / NAME / ATTRIBUTE:uid resolution |
//! | [`engine`] | `import-engine` | the import pipeline (classic DHIS2 2.36–2.42 rules), stores, summaries |
//! | [`sqlite`] | `dxf2-store-sqlite` | the embedded persistent store |
//! | [`io`] | `dxf2-io` | files of any format: format detection, gzip/zip input within bounds, any-format reader and writer, `copy`, outputs that never destroy an input |
//!
//! ```
//! use dxf2::model::{DataValue, Field};
//!
//! let mut value = DataValue::new();
//! value.set(Field::DataElement, "f7n9E0hX8qk");
//! value.set(Field::Value, "10");
//! assert_eq!(value.get(Field::Value), Some("10"));
//! ```

pub use dxf2_csv as csv;
pub use dxf2_io as io;
pub use dxf2_json as json;
pub use dxf2_model as model;
pub use dxf2_store_sqlite as sqlite;
pub use dxf2_xml as xml;
pub use idscheme_resolver as resolver;
pub use import_engine as engine;
