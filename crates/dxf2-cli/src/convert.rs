//! `dxf2 convert`.

use std::path::PathBuf;

use clap::Args;
use dxf2_io::{
    copy, AnyReader, AnyWriter, Compression, CopyError, Format, Input, OutputBuilder,
    ReaderOptions, Utf8Policy,
};

use crate::args::{check_format_extension, parse_version, Dhis2Version, FormatArg, LimitArgs};
use crate::{ui, Exit};

/// Arguments of `dxf2 convert`.
#[derive(Args, Debug)]
pub struct ConvertArgs {
    /// Input file (`-` for stdin); gzip and zip are detected by their magic bytes.
    input: PathBuf,
    /// Output file (`-` for stdout); `.gz` / `.zip` compress. Written to a temporary file beside
    /// it and renamed over it only when complete; never the input itself.
    #[arg(short, long)]
    output: PathBuf,
    /// Input format (default: from the extension, else from the content); an extension that
    /// says otherwise is refused.
    #[arg(long, value_enum)]
    from: Option<FormatArg>,
    /// Output format (default: from the output extension; required for stdout); an extension
    /// that says otherwise is refused.
    #[arg(long, value_enum)]
    to: Option<FormatArg>,
    /// CSV input: whether the first row is a header (DHIS2 `firstRowIsHeader`).
    #[arg(long, default_value_t = true, action = clap::ArgAction::Set)]
    first_row_is_header: bool,
    /// Read with the rules of this DHIS2 version: 2.36 to 2.42 (classic) or 2.43 and 2.44 (new
    /// pipeline); others are refused.
    #[arg(long, value_name = "V", default_value = "2.42", value_parser = parse_version)]
    dhis2_version: Dhis2Version,
    #[command(flatten)]
    limits: LimitArgs,
}

/// Streams the input into the output; returns the exit status. A failed conversion leaves no
/// output (and whatever was at the output path before, untouched).
pub fn run(args: &ConvertArgs) -> Result<u8, Exit> {
    let profile = args.dhis2_version.profile;
    let explicit_from = args.from.map(Format::from);
    check_format_extension(&args.input, explicit_from, "--from")?;
    check_format_extension(&args.output, args.to.map(Format::from), "--to")?;
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
    let name = input.name().to_owned();
    let head = input.head().map_err(|e| Exit::usage(e.to_string()))?;
    if head.is_empty() {
        return Err(Exit::usage(format!(
            "{name} is empty (0 bytes): there is nothing to convert"
        )));
    }
    let from = Format::detect(explicit_from, &args.input, head);
    if let Some(looks) = crate::inspect::other_format(head, from) {
        return Err(Exit::usage(format!(
            "{name} looks like {}, not {}: {}",
            looks.extension().to_uppercase(),
            from.extension().to_uppercase(),
            if explicit_from.is_some() {
                format!("give --from {}, or leave --from out", looks.extension())
            } else {
                format!("rename it to end in .{}", looks.extension())
            }
        )));
    }
    if from == Format::Csv {
        if let Some(problem) = crate::inspect::csv_problem(head, args.first_row_is_header) {
            return Err(Exit::usage(format!(
                "{name} is not a DHIS2 data value set CSV: {problem}"
            )));
        }
    }
    let counters = crate::progress::Counters {
        bytes: input.consumed(),
        size: input.size(),
        values: None,
    };
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
    let write_err = |e: dxf2_io::Error| {
        if ui::is_broken_pipe(&e) {
            // `| head` has gone: it took what it wanted.
            Exit::quiet(0)
        } else {
            Exit::usage(format!("writing {shown}: {e}"))
        }
    };
    let mut writer = AnyWriter::new(to, output);
    let ticker = crate::progress::Ticker::start("convert", counters);
    // On any failure below, `writer` (and the output in it) is dropped: its temporary file goes,
    // and the ticker clears its line.
    let copied = copy(&mut reader, &mut writer).map_err(|e| match e {
        CopyError::Read(e) => Exit::usage(e.to_string()),
        CopyError::Write(e) => write_err(e),
    });
    let copied = copied.and_then(|copied| {
        writer
            .into_inner()
            .map_err(write_err)?
            .commit()
            .map_err(|e| {
                if ui::is_broken_pipe(&e) {
                    Exit::quiet(0)
                } else {
                    Exit::usage(format!("writing {e}"))
                }
            })?;
        Ok(copied)
    })?;
    ticker.finish();
    crate::print_warnings(&warnings);
    if let Some(line) = reader.last_record_unterminated() {
        ui::note(&crate::inspect::cut_short_note(&name, line));
    }
    if args.output.as_os_str() != "-" {
        eprintln!(
            "{} values converted from {name} ({}) to {} ({})",
            copied.values,
            from.extension().to_uppercase(),
            args.output.display(),
            to.extension().to_uppercase()
        );
    }
    Ok(0)
}
