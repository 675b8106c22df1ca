//! Fuzz the whole import engine over arbitrary CSV: the payload is imported twice into one
//! `MemoryStore` (the first run takes the insert paths, the second the update and delete paths),
//! with both importer generations, against the metadata of DHIS2's own data value set tests
//! (`tests/fixtures/fixture_c.json`). Nothing may panic, and the summary's counts must add up.
//!
//! Run with `cargo fuzz run import_csv` from the repository root.

#![no_main]

use std::sync::OnceLock;

use dxf2_csv::ReaderBuilder;
use dxf2_model::{ImportOptions, ImporterProfile, Metadata};
use idscheme_resolver::MetadataResolver;
use import_engine::{Importer, MemoryStore, Superuser};
use libfuzzer_sys::fuzz_target;

fn metadata() -> &'static Metadata {
    static METADATA: OnceLock<Metadata> = OnceLock::new();
    METADATA.get_or_init(|| {
        dxf2_json::metadata::read_metadata(
            &include_bytes!("../../tests/fixtures/fixture_c.json")[..],
        )
        .expect("the fixture reads")
    })
}

fuzz_target!(|data: &[u8]| {
    let metadata = metadata();
    let access = Superuser::default();
    let importer = Importer::new(metadata, &access);
    for profile in [ImporterProfile::Classic, ImporterProfile::Pipeline] {
        let mut store = MemoryStore::new();
        for _ in 0..2 {
            let options = ImportOptions {
                profile,
                ..ImportOptions::default()
            };
            let Ok(mut reader) = ReaderBuilder::from_options(&options).from_reader(data) else {
                return;
            };
            let mut resolver = MetadataResolver::new(metadata);
            let outcome =
                importer.import(&mut reader, &options, &mut resolver, &mut store, &mut |_| {});
            let c = outcome.summary.import_count;
            assert!(
                c.imported + c.updated + c.deleted + c.ignored <= u64::MAX / 2,
                "counts overflow"
            );
        }
    }
});
