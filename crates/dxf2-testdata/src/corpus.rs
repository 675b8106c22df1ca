//! Where the DHIS2 reference corpus is, for the test suites of every crate.
//!
//! The corpus (DHIS2's own test payloads) lives in `shared/corpus/dhis2-core` beside the checkout,
//! outside the repository. A test that reads it calls [`corpus_dir`]: when the corpus is absent the
//! test **fails**, naming where it looked — a test suite that passes because its inputs were missing
//! proves nothing. Set `DXF2_SKIP_CORPUS=1` to run without it (the corpus tests then say loudly
//! that they were skipped and pass), or `DXF2_CORPUS=DIR` to read it from elsewhere.
//!
//! ```no_run
//! if let Some(file) = dxf2_testdata::corpus::corpus_file("datavalueset/dataValueSetA.xml") {
//!     let text = std::fs::read_to_string(file).unwrap();
//!     assert!(text.contains("dataValueSet"));
//! }
//! ```

use std::path::PathBuf;

/// The environment variable that points at the corpus.
pub const CORPUS_VAR: &str = "DXF2_CORPUS";

/// The environment variable that lets the corpus tests pass without the corpus (`1`).
pub const SKIP_VAR: &str = "DXF2_SKIP_CORPUS";

/// The DHIS2 reference corpus, or `None` when it is absent and `DXF2_SKIP_CORPUS=1` says to run
/// without it.
///
/// # Panics
///
/// When the corpus is absent and `DXF2_SKIP_CORPUS` is not `1`: the calling test fails, with a
/// message saying where the corpus was looked for and how to provide or skip it.
#[allow(clippy::panic)]
pub fn corpus_dir() -> Option<PathBuf> {
    let dir = match std::env::var_os(CORPUS_VAR) {
        Some(d) => PathBuf::from(d),
        // crates/dxf2-testdata → the checkout → beside it.
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/dhis2-core"),
    };
    if dir.is_dir() {
        return Some(dir);
    }
    let skip = std::env::var(SKIP_VAR).is_ok_and(|v| v == "1");
    let msg = format!(
        "the DHIS2 corpus was not found at {}: put shared/ beside the checkout, set {CORPUS_VAR}=DIR, \
         or set {SKIP_VAR}=1 to run without the corpus tests",
        dir.display()
    );
    if skip {
        eprintln!("\n!!!!!!!! SKIPPED: {msg} !!!!!!!!\n");
        return None;
    }
    panic!("{msg}");
}

/// One corpus file, e.g. `corpus_file("datavalueset/dataValueSetA.xml")` (see [`corpus_dir`]).
pub fn corpus_file(rel: &str) -> Option<PathBuf> {
    corpus_dir().map(|d| d.join(rel))
}
