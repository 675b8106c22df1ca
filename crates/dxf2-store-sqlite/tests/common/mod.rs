//! Shared helpers of the behaviour tests.
#![allow(dead_code)]

use std::path::PathBuf;

/// The DHIS2 reference corpus (see `dxf2_testdata::corpus`): a missing corpus fails the test
/// unless `DXF2_SKIP_CORPUS=1`.
pub fn corpus_dir() -> Option<PathBuf> {
    dxf2_testdata::corpus::corpus_dir()
}

/// Path of one corpus file, e.g. `corpus_file("datavalueset/dataValueSetA.xml")`.
pub fn corpus_file(rel: &str) -> Option<PathBuf> {
    dxf2_testdata::corpus::corpus_file(rel)
}
pub mod export;
// The engine's own scenario helpers, shared as source rather than copied (a dev-dependency on a
// test-helper crate that uses the engine would give the tests a second copy of the engine's
// types). They run on this crate's `store::TestStore`.
#[path = "../../../import-engine/tests/common/import.rs"]
pub mod import;
#[path = "../../../import-engine/tests/common/pipeline.rs"]
pub mod pipeline;
#[path = "../../../import-engine/tests/common/scenarios.rs"]
pub mod scenarios;
pub mod store;
pub mod temp_store;
