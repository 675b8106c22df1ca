//! Fuzz the DXF2 metadata JSON reader: arbitrary bytes never panic, the reader stays within its
//! limits, and whatever reads successfully has a hierarchy whose queries never panic or hang
//! (ancestors, levels, paths, subtrees).
//!
//! Run with `cargo fuzz run metadata_json` from the repository root.

#![no_main]

use dxf2_json::metadata::read_metadata_with_limits;
use dxf2_model::ReadLimits;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let limits = ReadLimits::default().with_max_token_bytes(4096);
    let Ok(metadata) = read_metadata_with_limits(data, limits) else {
        return;
    };
    for unit in metadata.org_units() {
        let uid = &unit.id.uid;
        let _ = metadata.org_unit_level(uid);
        let _ = metadata.org_unit_path(uid).map(|p| p.to_string());
        for ancestor in metadata.org_unit_ancestors(uid) {
            assert!(metadata.is_org_unit_within(uid, &ancestor.id.uid));
        }
        let _ = metadata.org_unit_subtree(uid).count();
    }
});
