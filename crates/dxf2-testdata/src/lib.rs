//! `dxf2-testdata`: a deterministic generator of realistic DHIS2 aggregate workloads, for tests
//! and benchmarks.
//!
//! A [`Workload`] is built from a [`WorkloadConfig`] (how many data values, which seed) and
//! describes a small national HMIS:
//!
//! * ~200 organisation units in three levels (country, districts, facilities of several
//!   types — MCHP, CHP, CHC, clinic, health centre, hospital — with generated place names);
//! * 100 data elements (counts, stock balances, measures, a few texts and yes/no answers),
//!   some disaggregated by sex × age into 4 or 6 category option combos, the rest on the
//!   default category combo;
//! * three data sets: a monthly facility report, a monthly immunisation (EPI) report and a
//!   quarterly facility assessment, each with its sources and elements;
//! * a superuser `admin` (user role with authority `ALL`, assigned the root) and one data entry
//!   user per district.
//!
//! [`Workload::write_metadata_json`] writes that metadata as a DXF2 metadata JSON document
//! (`/api/metadata` shape), and [`Workload::write_values`] streams exactly
//! [`WorkloadConfig::values`] data values into any [`DataValueSink`]: one per data set element ×
//! source × period × category option combo, monthly periods going back from December 2024
//! (quarters at quarter ends), all keys distinct, every id written on every value (the set
//! header is empty), realistic values for each value type, `storedBy`, a comment on ~5% of the
//! values and `followup` false. Nothing is held in memory per value.
//!
//! Everything is drawn from a [`SplitMix64`] seeded with [`WorkloadConfig::seed`]: the same
//! configuration gives byte-identical metadata and values, on every platform.
//!
//! ```
//! use dxf2_model::{DataValue, DataValueSetHeader, DataValueSink};
//! use dxf2_testdata::{Workload, WorkloadConfig};
//!
//! /// A sink that counts values and remembers the first one.
//! #[derive(Default)]
//! struct Probe { count: u64, first: Option<DataValue> }
//! impl DataValueSink for Probe {
//!     type Error = std::convert::Infallible;
//!     fn begin(&mut self, header: &DataValueSetHeader) -> Result<(), Self::Error> {
//!         assert!(header.is_empty());
//!         Ok(())
//!     }
//!     fn write_value(&mut self, value: &DataValue) -> Result<(), Self::Error> {
//!         self.count += 1;
//!         self.first.get_or_insert_with(|| value.clone());
//!         Ok(())
//!     }
//!     fn finish(&mut self) -> Result<(), Self::Error> { Ok(()) }
//! }
//!
//! let workload = Workload::new(WorkloadConfig { values: 1_000, seed: 7, ..WorkloadConfig::default() });
//! let mut probe = Probe::default();
//! workload.write_values(&mut probe).unwrap();
//! assert_eq!(probe.count, 1_000);
//! let first = probe.first.unwrap();
//! assert_eq!(first.period(), Some("202412"));
//! assert_eq!(first.attribute_option_combo(), Some("HllvX50cXC0"));
//! assert_eq!(first.followup(), Some(false));
//!
//! let mut metadata = Vec::new();
//! workload.write_metadata_json(&mut metadata).unwrap();
//! let json: serde_json::Value = serde_json::from_slice(&metadata).unwrap();
//! assert_eq!(json["organisationUnits"].as_array().unwrap().len(), 200);
//! assert_eq!(json["users"][0]["username"], "admin");
//! ```

#![forbid(unsafe_code)]

mod catalog;
pub mod corpus;
pub mod hostile;
mod metadata_json;
mod rng;
pub mod spread;
mod values;
mod workload;

pub use rng::SplitMix64;
pub use values::VecSink;
pub use workload::{Workload, WorkloadConfig, FIRST_YEAR, LAST_PERIOD};

/// The data value sink trait, re-exported for convenience.
pub use dxf2_model::DataValueSink;
