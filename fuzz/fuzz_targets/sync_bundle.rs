//! Fuzz the sync bundle reader (issue 16): arbitrary bytes through `dxf2::sync::Bundle::read`,
//! the check a district runs on a facility's file before anything is applied (zip, manifest,
//! every entry's CRC, size and SHA-256). Nothing may panic or hang; every refusal is an error.
//! A bundle that reads holds exactly the entries its manifest names, each of the size it gives.
//!
//! Run with `cargo fuzz run sync_bundle` from the repository root; seed the corpus with bundles
//! made by `dxf2 sync export` (tests/sync_mutations.rs mutates one deterministically).

#![no_main]

use dxf2::sync::Bundle;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(bundle) = Bundle::read(data) else {
        return;
    };
    assert_eq!(bundle.size(), data.len() as u64);
    assert_eq!(bundle.sha256().len(), 64);
    for entry in &bundle.manifest().entries {
        let bytes = bundle
            .entry(&entry.name)
            .expect("an entry the manifest names was read");
        assert_eq!(bytes.len() as u64, entry.size, "{}", entry.name);
    }
});
