//! `dxf2 convert`.

use std::path::PathBuf;

use clap::Args;
use dxf2_io::{
    copy, AnyReader, AnyWriter, Compression, CopyError, Format, Input, OutputBuilder,
    ReaderOptions, Utf8Policy,
};
use dxf2_model::ImporterProfile;

use crate::args::{FormatArg, LimitArgs};
use crate::Exit;

/// Arguments of `dxf2 convert`.
#[derive(Args, Debug)]
pub struct ConvertArgs {
    /// Input file (`-` for stdin); gzip and zip are detected by their magic bytes.
    input: PathBuf,
    /// Output file (`-` for stdout); `.gz` / `.zip` compress. Written to a temporary file beside
    /// it and renamed over it only when complete; never the input itself.
    #[arg(short, long)]
    output: PathBuf,
    /// Input format (default: from the extension, else from the content).
    #[arg(long, value_enum)]
    from: Option<FormatArg>,
    /// Output format (default: from the output extension; required for stdout).
    #[arg(long, value_enum)]
    to: Option<FormatArg>,
    /// CSV input: whether the first row is a header (DHIS2 `firstRowIsHeader`).
    #[arg(long, default_value_t = true, action = clap::ArgAction::Set)]
    first_row_is_header: bool,
    /// Read with the rules of this DHIS2 version (2.36–2.42 classic, 2.43+ new pipeline).
    #[arg(long, default_value = "2.42")]
    dhis2_version: String,
    #[command(flatten)]
    limits: LimitArgs,
}

/// Streams the input into the output; returns the exit status. A failed conversion leaves no
/// output (and whatever was at the output path before, untouched).
pub fn run(args: &ConvertArgs) -> Result<u8, Exit> {
    let profile = ImporterProfile::from_version(&args.dhis2_version)
        .map_err(|e| Exit::usage(e.to_string()))?;
    let to: Format = args
        .to
        .map(Format::from)
        .or_else(|| Format::from_path(&args.output))
        .ok_or_else(|| {
            Exit::usage(
                "cannot tell the output format from the output name: give --to xml|json|csv",
            )
        })?;
    let mut input = Input::open(&args.input, &args.limits.decompression())
        .map_err(|e| Exit::usage(e.to_string()))?;
    let warnings = input.warnings();
    crate::print_warnings(&warnings);
    let head = input.head().map_err(|e| Exit::usage(e.to_string()))?;
    let from = Format::detect(args.from.map(Format::from), &args.input, head);
    let options = ReaderOptions::default()
        .with_profile(profile)
        .with_first_row_is_header(args.first_row_is_header)
        .with_limits(args.limits.read_limits())
        .with_invalid_utf8(args.limits.invalid_utf8(Utf8Policy::Error));
    let mut reader =
        AnyReader::open(input, from, &options).map_err(|e| Exit::usage(e.to_string()))?;
    let mut builder = OutputBuilder::new();
    builder
        .compression(Compression::from_path(&args.output))
        .zip_entry(format!("dataValues.{}", to.extension()));
    if args.input.as_os_str() != "-" {
        builder.protect(&args.input);
    }
    let output = builder
        .create(&args.output)
        .map_err(|e| Exit::usage(e.to_string()))?;
    let shown = output.name().to_owned();
    let write_err = |e: dxf2_io::Error| Exit::usage(format!("writing {shown}: {e}"));
    let mut writer = AnyWriter::new(to, output);
    // On any failure below, `writer` (and the output in it) is dropped: its temporary file goes.
    copy(&mut reader, &mut writer).map_err(|e| match e {
        CopyError::Read(e) => Exit::usage(e.to_string()),
        CopyError::Write(e) => write_err(e),
    })?;
    crate::print_warnings(&warnings);
    writer
        .into_inner()
        .map_err(write_err)?
        .commit()
        .map_err(|e| Exit::usage(format!("writing {e}")))?;
    Ok(0)
}
