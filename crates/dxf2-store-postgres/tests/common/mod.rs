//! The engine's scenario helpers, the export tests' helpers and DHIS2's corpus, shared with
//! `import-engine`'s and `dxf2-store-sqlite`'s tests as source, and the store they run on here
//! (`store`). A test root that declares `mod common;` declares `mod support;` too (`store` makes
//! its schemas with it).
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

#[path = "../../../dxf2-store-sqlite/tests/common/export.rs"]
pub mod export;
#[path = "../../../import-engine/tests/common/import.rs"]
pub mod import;
#[path = "../../../import-engine/tests/common/pipeline.rs"]
pub mod pipeline;
#[path = "../../../import-engine/tests/common/scenarios.rs"]
pub mod scenarios;
pub mod store;
#[path = "../../../dxf2-store-sqlite/tests/common/temp_store.rs"]
pub mod temp_store;
