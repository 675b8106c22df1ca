//! Shared set-up of the benchmarks (and of `examples/convert_mem.rs`): the generated workload
//! and its data files in `target/bench-data/`.
//!
//! The size comes from the environment variable `DXF2_BENCH_VALUES` (default 1,000,000). Files
//! are generated once per size and format, written to a temporary name and renamed, and reused
//! by later runs; generating them is never part of a measurement.
#![allow(dead_code)]

use std::fs::{self, File};
use std::io::{self, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};

use dxf2_model::DataValueSink;
use dxf2_testdata::{Workload, WorkloadConfig};

/// The seed of every benchmark workload.
pub const SEED: u64 = 2024;

/// Bumped whenever the generator's output changes, so that stale files are not reused.
const DATA_VERSION: u32 = 1;

/// Default number of values (`DXF2_BENCH_VALUES` overrides it).
pub const DEFAULT_VALUES: u64 = 1_000_000;

/// Read buffer size of the benchmarked readers.
pub const BUF_SIZE: usize = 64 * 1024;

/// A data value set format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// DXF2 XML.
    Xml,
    /// DXF2 JSON.
    Json,
    /// DHIS2 CSV (classic export).
    Csv,
}

impl Format {
    /// Every format.
    pub const ALL: [Format; 3] = [Format::Xml, Format::Json, Format::Csv];

    /// The file extension, also used in benchmark names.
    pub fn ext(self) -> &'static str {
        match self {
            Format::Xml => "xml",
            Format::Json => "json",
            Format::Csv => "csv",
        }
    }
}

/// The number of values to benchmark with: `DXF2_BENCH_VALUES` or 1,000,000.
pub fn bench_values() -> u64 {
    match std::env::var("DXF2_BENCH_VALUES") {
        Ok(text) => text.trim().replace('_', "").parse().unwrap_or_else(|_| {
            panic!("DXF2_BENCH_VALUES must be a number of values, not {text:?}")
        }),
        Err(_) => DEFAULT_VALUES,
    }
}

/// The benchmark workload of `values` values.
pub fn workload(values: u64) -> Workload {
    Workload::new(WorkloadConfig {
        values,
        seed: SEED,
        ..WorkloadConfig::default()
    })
}

/// `target/bench-data/` (or `$CARGO_TARGET_DIR/bench-data/`).
pub fn data_dir() -> PathBuf {
    let target = match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("target"),
    };
    target.join("bench-data")
}

/// The data file of `values` values in `format`, generated if absent.
pub fn data_file(format: Format, values: u64) -> PathBuf {
    let dir = data_dir();
    let path = dir.join(format!(
        "values-{values}-seed{SEED}-v{DATA_VERSION}.{}",
        format.ext()
    ));
    if path.is_file() {
        return path;
    }
    fs::create_dir_all(&dir).expect("create target/bench-data");
    let tmp = path.with_extension(format!("{}.tmp{}", format.ext(), std::process::id()));
    eprintln!("generating {} ...", path.display());
    let out = BufWriter::with_capacity(
        BUF_SIZE,
        File::create(&tmp).expect("create bench data file"),
    );
    let out = write_format(format, &workload(values), out).expect("write bench data");
    out.into_inner()
        .map_err(|e| e.into_error())
        .and_then(|f| f.sync_all())
        .expect("flush bench data");
    fs::rename(&tmp, &path).expect("rename bench data file");
    path
}

/// Writes every value of `workload` to `out` in `format`, and gives `out` back.
pub fn write_format<W: Write>(format: Format, workload: &Workload, out: W) -> Result<W, String> {
    fn run<S: DataValueSink>(workload: &Workload, mut sink: S) -> Result<S, String> {
        workload
            .write_values(&mut sink)
            .map_err(|e| e.to_string())?;
        Ok(sink)
    }
    Ok(match format {
        Format::Xml => run(workload, dxf2_xml::Writer::new(out))?
            .into_inner()
            .map_err(|e| e.to_string())?,
        Format::Json => run(workload, dxf2_json::Writer::new(out))?.into_inner(),
        Format::Csv => run(workload, dxf2_csv::Writer::from_writer(out))?.into_inner(),
    })
}

/// A buffered reader of a data file.
pub fn open(path: &Path) -> BufReader<File> {
    BufReader::with_capacity(BUF_SIZE, File::open(path).expect("open bench data file"))
}

/// The size of a file in bytes.
pub fn file_size(path: &Path) -> u64 {
    fs::metadata(path)
        .map(|m| m.len())
        .expect("bench data file size")
}

/// Reads every value of a file with our reader for `format` into one reused record; returns
/// the count.
pub fn read_all(format: Format, path: &Path) -> u64 {
    use dxf2_model::{DataValue, DataValueSource};
    fn drain<S: DataValueSource>(mut source: S) -> u64 {
        let mut record = DataValue::new();
        let mut count = 0;
        while source.read_value(&mut record).expect("read value") {
            count += 1;
        }
        count
    }
    let input = open(path);
    match format {
        Format::Xml => drain(dxf2_xml::Reader::new(input).expect("open XML")),
        Format::Json => drain(dxf2_json::Reader::new(input).expect("open JSON")),
        Format::Csv => drain(
            dxf2_csv::ReaderBuilder::new()
                .from_reader(input)
                .expect("open CSV"),
        ),
    }
}

/// Converts a file: every value read with our reader for `from` and written by our writer for
/// `to` into `out`. Returns the count.
pub fn convert<W: Write>(from: Format, to: Format, path: &Path, out: W) -> u64 {
    use dxf2_model::{DataValue, DataValueSource};
    fn pump<S: DataValueSource, K: DataValueSink>(mut source: S, mut sink: K) -> u64 {
        let mut record = DataValue::new();
        let mut count = 0;
        sink.begin(source.header()).expect("begin");
        while source.read_value(&mut record).expect("read value") {
            sink.write_value(&record).expect("write value");
            count += 1;
        }
        sink.finish().expect("finish");
        count
    }
    fn to_sink<S: DataValueSource, W: Write>(source: S, to: Format, out: W) -> u64 {
        match to {
            Format::Xml => pump(source, dxf2_xml::Writer::new(out)),
            Format::Json => pump(source, dxf2_json::Writer::new(out)),
            Format::Csv => pump(source, dxf2_csv::Writer::from_writer(out)),
        }
    }
    let input = open(path);
    match from {
        Format::Xml => to_sink(dxf2_xml::Reader::new(input).expect("open XML"), to, out),
        Format::Json => to_sink(dxf2_json::Reader::new(input).expect("open JSON"), to, out),
        Format::Csv => to_sink(
            dxf2_csv::ReaderBuilder::new()
                .from_reader(input)
                .expect("open CSV"),
            to,
            out,
        ),
    }
}

/// `std::io::sink()` whose writes the optimiser cannot see through: every buffer goes through
/// [`std::hint::black_box`], so the work that produced it cannot be removed (with a plain
/// `io::sink()` LLVM may delete a whole writer loop whose output is never observed).
#[derive(Default)]
pub struct Sink(io::Sink);

impl Sink {
    /// A new sink.
    pub fn new() -> Sink {
        Sink(io::sink())
    }
}

impl Write for Sink {
    #[inline]
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.write(std::hint::black_box(buf))
    }
    #[inline]
    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        self.0.write_all(std::hint::black_box(buf))
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// A writer that only counts bytes (to report a writer's output size).
#[derive(Default)]
pub struct CountingSink(pub u64);

impl Write for CountingSink {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0 += buf.len() as u64;
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}
