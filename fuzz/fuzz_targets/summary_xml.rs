//! Fuzz the XML import summary reader: arbitrary bytes never panic; whatever reads is written by
//! our writer and reads back equal (the reader accepts only what the writer can write).
//!
//! Run with `cargo fuzz run summary_xml` from the repository root.

#![no_main]

use dxf2_xml::{read_import_summary, write_import_summary};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(summary) = read_import_summary(data) else {
        return;
    };
    let mut out = Vec::new();
    write_import_summary(&mut out, &summary).expect("a summary that was read can be written");
    let back = read_import_summary(&out[..]).expect("our own summary reads back");
    assert_eq!(back, summary, "summary changed by a round trip");
});
