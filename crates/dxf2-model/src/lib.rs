//! `dxf2-model`: the shared vocabulary of DHIS2 DXF2 data exchange.
//!
//! Every other crate of the workspace speaks in these types:
//!
//! * [`Uid`] — DHIS2's 11-character identifiers; [`IdScheme`] / [`IdSchemes`] — how a payload
//!   names objects (UID, CODE, NAME, ATTRIBUTE:uid) and DHIS2's precedence rules;
//! * [`Period`] / [`PeriodType`] — every DHIS2 period type, ISO and ADX forms;
//! * [`ValueType`] — value types and DHIS2's validation of values;
//! * [`DataValue`] (a reusable streaming record) and [`DataValueSetHeader`];
//! * [`ImportOptions`], [`ImportStrategy`], [`ImporterProfile`];
//! * [`ImportSummary`], [`ImportCount`], [`ImportConflict`], [`ImportStatus`];
//! * [`TextPosition`] — a line and column in a text input, as the codecs' errors report it;
//! * [`ReadLimits`] — the bounds on what one reader holds in memory, whatever its input;
//! * [`date`] — DHIS2's date parsing (`DateUtils.parseDate` and its relatives).
//!
//! The model validates nothing on its own when a record is read: readers keep identifiers as
//! written, and the import engine decides, exactly as DHIS2 does.
//!
//! ```
//! use dxf2_model::{DataValue, Field, IdScheme, Period, PeriodType, Uid};
//!
//! let de = Uid::parse("f7n9E0hX8qk").unwrap();
//! let scheme: IdScheme = "CODE".parse().unwrap();
//! let period: Period = "2024W1".parse().unwrap();
//! assert_eq!(period.period_type(), PeriodType::Weekly);
//! assert_eq!(period.start_date().to_string(), "2024-01-01");
//!
//! let mut value = DataValue::new();
//! value.set(Field::DataElement, de.as_str());
//! value.set(Field::Period, &period.to_string());
//! assert_eq!(value.period(), Some("2024W1"));
//! assert_eq!(scheme, IdScheme::Code);
//! ```

#![forbid(unsafe_code)]

pub mod codec;
mod data_value;
pub mod date;
mod error;
mod header;
mod id_scheme;
pub mod limits;
pub mod metadata;
mod options;
mod period;
pub mod position;
pub mod progress;
mod stream;
mod summary;
mod uid;
mod value_type;

pub use data_value::{DataValue, Field};
pub use error::ModelError;
pub use header::{DataValueSetHeader, DeletionElement, DeletionScope};
pub use id_scheme::{IdScheme, IdSchemes, SchemeTarget};
pub use limits::ReadLimits;
pub use metadata::HierarchyError;
pub use metadata::{Metadata, ObjectKind};
pub use options::{
    ImportOptions, ImportOptionsBuilder, ImportStrategy, ImporterProfile, StrategyGroup,
};
pub use period::{Period, PeriodType};
pub use position::TextPosition;
pub use progress::{Phase, Progress};
pub use stream::{
    BoxError, BoxedSink, BoxedSource, DataValueSink, DataValueSource, StreamError, Values,
};
pub use summary::{EchoValue, ImportConflict, ImportCount, ImportStatus, ImportSummary};
pub use uid::{Uid, UID_LEN};
pub use value_type::{ValueType, ValueTypeError};

/// UID of the default category option combo on standard DHIS2 databases.
pub const DEFAULT_CATEGORY_OPTION_COMBO_UID: &str = "HllvX50cXC0";

/// The DXF2 XML namespace.
pub const DXF2_NAMESPACE: &str = "http://dhis2.org/schema/dxf/2.0";
