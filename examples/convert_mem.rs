//! Streams a generated DXF2 XML file into the CSV writer (output to `io::sink()` through a
//! `black_box`), to measure the peak memory of a conversion with `/usr/bin/time -v`:
//!
//! ```text
//! cargo build --release --example convert_mem
//! DXF2_BENCH_VALUES=1000000 /usr/bin/time -v target/release/examples/convert_mem
//! DXF2_BENCH_VALUES=3000000 /usr/bin/time -v target/release/examples/convert_mem
//! ```
//!
//! The XML file is generated into `target/bench-data/` by a first run if absent (run once
//! before measuring: generation itself is not streaming-free, it only writes). An explicit
//! file may be given as the first argument instead.
// Measurement driver: a broken set-up should stop the run loudly.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

#[path = "../benches/common/mod.rs"]
mod common;

use std::path::PathBuf;
use std::time::Instant;

use common::Format;

fn main() {
    let path = match std::env::args_os().nth(1) {
        Some(path) => PathBuf::from(path),
        None => common::data_file(Format::Xml, common::bench_values()),
    };
    let start = Instant::now();
    let count = common::convert(Format::Xml, Format::Csv, &path, common::Sink::new());
    println!(
        "converted {count} values ({} bytes of XML) to CSV in {:.2?}",
        common::file_size(&path),
        start.elapsed()
    );
}
