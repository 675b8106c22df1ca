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
pub mod import;
pub mod pipeline;
pub mod scenarios;
pub mod store;
