//! Fuzz the CSV reader: arbitrary bytes through both profiles and both header settings never
//! panic; whatever the classic reader reads survives a classic write and re-read after
//! canonicalisation (`dxf2_csv::classic_canonical`).
//!
//! Run with `cargo fuzz run csv_reader` from the `fuzz/` folder.

#![no_main]

use dxf2_csv::{classic_canonical, ReaderBuilder, WriterBuilder};
use dxf2_model::{DataValue, DataValueSetHeader, DataValueSink, ImporterProfile};
use libfuzzer_sys::fuzz_target;

/// Every value of `input`, or `None` when the reader refuses it (an error is fine, a panic not).
fn read(profile: ImporterProfile, header: bool, input: &[u8]) -> Option<Vec<DataValue>> {
    let mut reader = ReaderBuilder::new()
        .profile(profile)
        .first_row_is_header(header)
        .from_reader(input)
        .ok()?;
    let mut values = Vec::new();
    let mut value = DataValue::new();
    loop {
        match reader.read_value(&mut value) {
            Ok(true) => values.push(value.clone()),
            Ok(false) => return Some(values),
            Err(_) => {
                // After an error the reader is finished.
                assert!(!reader.read_value(&mut value).unwrap_or(true));
                return None;
            }
        }
    }
}

fn write_classic(values: &[DataValue]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut writer = WriterBuilder::new().from_writer(&mut out);
    writer
        .begin(&DataValueSetHeader::default())
        .expect("writing to a Vec cannot fail");
    for value in values {
        writer
            .write_value(value)
            .expect("writing to a Vec cannot fail");
    }
    writer.finish().expect("writing to a Vec cannot fail");
    out
}

fuzz_target!(|data: &[u8]| {
    for profile in [ImporterProfile::Classic, ImporterProfile::Pipeline] {
        for header in [true, false] {
            let Some(values) = read(profile, header, data) else {
                continue;
            };
            if profile != ImporterProfile::Classic {
                continue;
            }
            let written = write_classic(&values);
            let back = read(ImporterProfile::Classic, true, &written)
                .expect("the classic export reads back without error");
            let want: Vec<DataValue> = values.iter().map(classic_canonical).collect();
            assert_eq!(back, want, "classic round trip");
        }
    }
});
