//! `dxf2 convert`.

use std::io::BufRead;
use std::path::PathBuf;

use clap::Args;
use dxf2_model::{DataValue, DataValueSink, DataValueSource, ImporterProfile};

use crate::formats::{AnyReader, AnyWriter, CsvOptions};
use crate::io::{self, Format};
use crate::Exit;

/// Arguments of `dxf2 convert`.
#[derive(Args, Debug)]
pub struct ConvertArgs {
    /// Input file (`-` for stdin); gzip and zip are detected by their magic bytes.
    input: PathBuf,
    /// Output file (`-` for stdout); `.gz` / `.zip` compress.
    #[arg(short, long)]
    output: PathBuf,
    /// Input format (default: from the extension, else from the content).
    #[arg(long, value_enum)]
    from: Option<Format>,
    /// Output format (default: from the output extension; required for stdout).
    #[arg(long, value_enum)]
    to: Option<Format>,
    /// CSV input: whether the first row is a header (DHIS2 `firstRowIsHeader`).
    #[arg(long, default_value_t = true, action = clap::ArgAction::Set)]
    first_row_is_header: bool,
    /// Read with the rules of this DHIS2 version (2.36–2.42 classic, 2.43+ new pipeline).
    #[arg(long, default_value = "2.42")]
    dhis2_version: String,
}

/// Streams the input into the output; returns the exit status.
pub fn run(args: &ConvertArgs) -> Result<u8, Exit> {
    let profile = ImporterProfile::from_version(&args.dhis2_version)
        .map_err(|e| Exit::usage(e.to_string()))?;
    let to = args
        .to
        .or_else(|| Format::from_path(&args.output))
        .ok_or_else(|| {
            Exit::usage(
                "cannot tell the output format from the output name: give --to xml|json|csv",
            )
        })?;
    let mut input = io::open_input(&args.input).map_err(|e| Exit::usage(e.to_string()))?;
    let head = input
        .reader
        .fill_buf()
        .map_err(|e| Exit::usage(format!("{}: {e}", input.name)))?
        .to_vec();
    let from = crate::input_format(args.from, &args.input, &head);
    let name = input.name.clone();
    let csv = CsvOptions {
        first_row_is_header: args.first_row_is_header,
        data_set: None,
    };
    let mut reader = AnyReader::open(input, from, profile, &csv)
        .map_err(|e| Exit::usage(format!("{name}: {e}")))?;
    let compression = io::output_compression(&args.output);
    let entry = format!("dataValues.{}", to.extension());
    let out = io::open_output(&args.output, compression, &entry)
        .map_err(|e| Exit::usage(e.to_string()))?;
    let mut writer = AnyWriter::new(to, out);
    let header = reader.header().clone();
    let write_err = |e: crate::formats::CodecError| Exit {
        code: 2,
        message: format!("writing {}: {e}", args.output.display()),
    };
    writer.begin(&header).map_err(write_err)?;
    let mut record = DataValue::new();
    loop {
        match reader.read_value(&mut record) {
            Ok(true) => writer.write_value(&record).map_err(write_err)?,
            Ok(false) => break,
            Err(e) => return Err(Exit::usage(format!("{name}: {e}"))),
        }
    }
    writer.finish().map_err(write_err)?;
    let out = match writer {
        AnyWriter::Xml(w) => w.into_inner().map_err(|e| write_err(e.into()))?,
        AnyWriter::Json(w) => w.into_inner(),
        AnyWriter::Csv(w) => w.into_inner(),
    };
    out.finish()
        .map_err(|e| Exit::usage(format!("writing {}: {e}", args.output.display())))?;
    Ok(0)
}
