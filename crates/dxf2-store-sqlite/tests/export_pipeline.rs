//! The DHIS2 2.43+ export (`Exporter::with_profile(ImporterProfile::Pipeline)`) against fixture E
//! of `../shared/spec/datavalueset-scenarios.md` §1.3: the rules of datavalueset-spec §6.6 and
//! §1.7 (first failing check, access messages listing ids, the group header, values without the
//! header's fields, the order period start / end / created / data element, `E8200`–`E8204`
//! before anything is written), each beside the classic answer where they differ. Every scenario
//! runs against the memory store and the SQLite store. (No export scenario of the scenario
//! document is marked M.)
//!
//! The tests are in `scenarios/export_pipeline.rs`, shared with `dxf2-store-postgres`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

include!("scenarios/export_pipeline.rs");
