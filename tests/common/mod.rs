//! Shared helpers of the behaviour tests.
#![allow(dead_code, clippy::panic)]

use std::path::PathBuf;

/// The DHIS2 reference corpus (`../shared/corpus/dhis2-core` beside the checkout), or `None` when
/// it is absent. Absent on CI (`CI` set) is a failure; elsewhere it is said loudly on stderr.
///
/// `DXF2_CORPUS` overrides the location.
pub fn corpus_dir() -> Option<PathBuf> {
    let dir = match std::env::var_os("DXF2_CORPUS") {
        Some(d) => PathBuf::from(d),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/dhis2-core"),
    };
    if dir.is_dir() {
        return Some(dir);
    }
    let msg = format!(
        "DHIS2 corpus NOT FOUND at {} — corpus tests did NOT run (set DXF2_CORPUS or put shared/ beside the checkout)",
        dir.display()
    );
    if std::env::var_os("CI").is_some() {
        panic!("{msg}");
    }
    eprintln!("\n!!!!!!!! {msg} !!!!!!!!\n");
    None
}

/// Path of one corpus file, e.g. `corpus_file("datavalueset/dataValueSetA.xml")`.
pub fn corpus_file(rel: &str) -> Option<PathBuf> {
    corpus_dir().map(|d| d.join(rel))
}
pub mod export;
pub mod import;
pub mod scenarios;
