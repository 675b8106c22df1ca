//! Streams a generated DXF2 XML file into the CSV writer, to measure the peak memory of a
//! conversion with `/usr/bin/time -v` and its instruction count with callgrind:
//!
//! ```text
//! cargo build --release --example convert_mem
//! DXF2_BENCH_VALUES=1000000 /usr/bin/time -v target/release/examples/convert_mem
//! DXF2_BENCH_VALUES=3000000 /usr/bin/time -v target/release/examples/convert_mem
//! DXF2_BENCH_VALUES=200000 valgrind --tool=callgrind target/release/examples/convert_mem --cli-path
//! DXF2_BENCH_VALUES=200000 valgrind --tool=callgrind target/release/examples/convert_mem --raw
//! ```
//!
//! By default the values go from `dxf2_xml::Reader` to `dxf2_csv::Writer` and on to
//! `io::sink()` through a `black_box`. With `--cli-path` the conversion is what `dxf2 convert
//! IN -o OUT` runs (the `cli-path` bench of `benches/convert.rs`): `dxf2::io::Input`,
//! `AnyReader`, `copy`, `AnyWriter` into an `Output` committed over
//! `target/bench-data/convert-mem-out.csv`. With `--raw` it runs only the raw quick-xml event
//! loop of the bench over the file (the denominator of the bench's ratio).
//!
//! The XML file is generated into `target/bench-data/` by a first run if absent (run once
//! before measuring: generation itself is not streaming-free, it only writes). An explicit
//! file may be given as an argument instead.
// Measurement driver: a broken set-up should stop the run loudly.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

#[path = "../benches/common/mod.rs"]
mod common;

use std::path::{Path, PathBuf};
use std::time::Instant;

use common::Format;

/// `dxf2 convert IN -o OUT` without the argument parsing: file to file through `dxf2::io`.
fn cli_path(path: &Path, output: &Path) -> u64 {
    use dxf2::io::{
        AnyReader, AnyWriter, DecompressionLimits, Input, OutputBuilder, ReaderOptions,
    };
    let mut input = Input::open(path, &DecompressionLimits::default()).unwrap();
    let from = dxf2::io::Format::detect(None, path, input.head().unwrap());
    let mut reader = AnyReader::open(input, from, &ReaderOptions::default()).unwrap();
    let out = OutputBuilder::new().create(output).unwrap();
    let mut writer = AnyWriter::new(dxf2::io::Format::Csv, out);
    let copied = dxf2::io::copy(&mut reader, &mut writer).unwrap();
    writer.into_inner().unwrap().commit().unwrap();
    copied.values
}

/// quick-xml's event loop touching every attribute (the `raw-xml-parse` bench).
fn raw_xml(path: &Path) -> u64 {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_reader(common::open(path));
    let mut buf = Vec::with_capacity(1024);
    let mut attributes = 0u64;
    loop {
        match reader.read_event_into(&mut buf).expect("XML event") {
            Event::Start(e) | Event::Empty(e) => {
                for attr in e.attributes() {
                    let attr = attr.expect("XML attribute");
                    std::hint::black_box((attr.key, &attr.value));
                    attributes += 1;
                }
            }
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    attributes
}

fn main() {
    let mut cli = false;
    let mut raw = false;
    let mut file = None;
    for arg in std::env::args_os().skip(1) {
        if arg == "--cli-path" {
            cli = true;
        } else if arg == "--raw" {
            raw = true;
        } else {
            file = Some(PathBuf::from(arg));
        }
    }
    let path = match file {
        Some(path) => path,
        None => common::data_file(Format::Xml, common::bench_values()),
    };
    let start = Instant::now();
    if raw {
        let attributes = raw_xml(&path);
        println!(
            "raw quick-xml loop: {attributes} attributes in {:.2?}",
            start.elapsed()
        );
        return;
    }
    let count = if cli {
        let out = common::data_dir().join("convert-mem-out.csv");
        let count = cli_path(&path, &out);
        let _ = std::fs::remove_file(&out);
        count
    } else {
        common::convert(Format::Xml, Format::Csv, &path, common::Sink::new())
    };
    println!(
        "converted {count} values ({} bytes of XML) to CSV{} in {:.2?}",
        common::file_size(&path),
        if cli { " file to file" } else { "" },
        start.elapsed()
    );
}
