//! Fuzz target of the PDF form reader.
//!
//! Arbitrary bytes (given a `%PDF-` header when they lack one, so that the fuzzer reaches the
//! PDF parser at once) are opened with both importer profiles and both treatments of empty
//! fields: opening and reading every value must never panic, and a form that opens yields
//! exactly as many values as it says.

#![no_main]

use dxf2_model::{DataValue, DataValueSource, ImporterProfile};
use libfuzzer_sys::fuzz_target;
use pdf_form_reader::{EmptyFields, ReaderBuilder};

fuzz_target!(|data: &[u8]| {
    let mut bytes = Vec::with_capacity(data.len() + 9);
    if !data.starts_with(b"%PDF-") {
        bytes.extend_from_slice(b"%PDF-1.7\n");
    }
    bytes.extend_from_slice(data);
    for profile in [ImporterProfile::Classic, ImporterProfile::Pipeline] {
        for empty in [EmptyFields::Skip, EmptyFields::Keep] {
            let builder = ReaderBuilder::new()
                .profile(profile)
                .empty_fields(empty)
                .max_bytes(1 << 20);
            let Ok(mut reader) = builder.from_bytes(&bytes) else {
                continue;
            };
            let expected = reader.value_count();
            let mut value = DataValue::new();
            let mut read = 0;
            while reader
                .read_value(&mut value)
                .expect("a form that opened reads")
            {
                assert!(value.data_element().is_some());
                read += 1;
            }
            assert_eq!(read, expected);
        }
    }
});
