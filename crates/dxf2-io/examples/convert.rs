//! Converts a data value set file into another format, as `dxf2 convert` does:
//!
//! ```sh
//! cargo run -p dxf2-io --example convert -- IN OUT
//! ```
//!
//! `IN` may be gzip or zip (detected by content); `OUT`'s extension names the format and the
//! compression (`out.csv.gz`). Without arguments, converts a small built-in CSV to JSON on stdout.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use dxf2_io::{
    copy, AnyReader, AnyWriter, DecompressionLimits, Error, Format, Input, OutputBuilder,
    ReaderOptions,
};

const SAMPLE: &str = "dataelement,period,orgunit,catoptcombo,attroptcombo,value\n\
                      fbfJHSPpUQD,202401,DiszpKrYNg8,,,12\n\
                      cYeuwXTCPkU,202401,DiszpKrYNg8,,,7\n";

fn convert(from: Option<&Path>, to: &Path) -> Result<u64, Error> {
    let limits = DecompressionLimits::default();
    let mut input = match from {
        Some(path) => Input::open(path, &limits)?,
        None => Input::from_reader("<sample>", SAMPLE.as_bytes(), &limits)?,
    };
    let format = Format::detect(None, from.unwrap_or(Path::new("")), input.head()?);
    let warnings = input.warnings();
    let mut reader = AnyReader::open(input, format, &ReaderOptions::default())?;
    let mut builder = OutputBuilder::new();
    builder.compression(dxf2_io::Compression::from_path(to));
    if let Some(path) = from {
        builder.protect(path);
    }
    let output = builder.create(to)?;
    let mut writer = AnyWriter::new(Format::from_path(to).unwrap_or(Format::Json), output);
    let copied = copy(&mut reader, &mut writer)?;
    writer.into_inner()?.commit()?;
    for warning in warnings.take() {
        eprintln!("warning: {warning}");
    }
    Ok(copied.values)
}

fn main() -> ExitCode {
    let args: Vec<PathBuf> = std::env::args_os().skip(1).map(PathBuf::from).collect();
    let (from, to) = match args.as_slice() {
        [] => (None, PathBuf::from("-")),
        [from, to] => (Some(from.as_path()), to.clone()),
        _ => {
            eprintln!("usage: convert [IN OUT]");
            return ExitCode::from(2);
        }
    };
    match convert(from, &to) {
        Ok(values) => {
            eprintln!("{values} values written");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("convert: {e}");
            ExitCode::from(2)
        }
    }
}
