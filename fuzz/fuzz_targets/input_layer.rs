//! Fuzz the input layer: arbitrary bytes through format sniffing, gzip and zip detection and
//! decompression (within small limits), then the reader of the sniffed format. Nothing may panic
//! or hang; every refusal is an error.
//!
//! Run with `cargo fuzz run input_layer` from the repository root.

#![no_main]

use dxf2_io::{AnyReader, DecompressionLimits, Format, Input, ReaderOptions};
use dxf2_model::{DataValue, DataValueSource, ReadLimits};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let limits = DecompressionLimits::default()
        .with_max_expanded_bytes(1 << 20)
        .with_max_ratio(1000);
    let Ok(mut input) = Input::from_reader("<fuzz>", std::io::Cursor::new(data.to_vec()), &limits) else {
        return;
    };
    let Ok(head) = input.head() else {
        return;
    };
    let format = Format::sniff(head);
    let options =
        ReaderOptions::default().with_limits(ReadLimits::default().with_max_token_bytes(4096));
    let Ok(mut reader) = AnyReader::open(input, format, &options) else {
        return;
    };
    let mut value = DataValue::new();
    while let Ok(true) = reader.read_value(&mut value) {}
});
