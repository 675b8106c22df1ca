//! `dxf2 convert`.
//!
//! Between DXF2 XML, JSON and CSV the values are copied as they are. ADX names objects by codes
//! and disaggregations by category attributes, so a conversion from or to ADX maps them against
//! metadata (`--metadata META.json` or `--store DB`), as DHIS2's ADX import and export do:
//! from ADX, the values come out as DHIS2's ADX import hands them on (ISO periods, option combos
//! found from the categories, identifiers by code unless the file says otherwise); to ADX, they
//! are written as DHIS2's ADX export writes them, plus `comment`, `followup` and `deleted`
//! (which DHIS2's ADX import reads), so nothing is lost.

use std::path::PathBuf;

use clap::Args;
use dxf2_io::adx::AdxWriterBuilder;
use dxf2_io::{
    copy, AnyReader, AnyWriter, Compression, CopyError, Format, Input, OutputBuilder,
    ReaderOptions, Utf8Policy,
};
use dxf2_model::Metadata;

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
    /// ADX: DXF2 metadata JSON files holding the codes and categories ADX is mapped with
    /// (instead of --store).
    #[arg(long, value_name = "META.json", num_args = 1.., conflicts_with = "store")]
    metadata: Vec<PathBuf>,
    /// ADX: an existing store (opened read-only) whose metadata ADX is mapped with: a SQLite
    /// file, or a PostgreSQL database as `postgres://user@host:port/db`.
    #[arg(long, value_name = "DB", value_parser = crate::location::StoreLocation::parse)]
    store: Option<crate::location::StoreLocation>,
    /// ADX: how the input names objects (UID, CODE, NAME, ID, UUID or ATTRIBUTE:<attribute
    /// uid>): for ADX input every identifier (DHIS2's ADX default: CODE), for XML, JSON or CSV
    /// written as ADX the values' identifiers (default: UID, unless the file's header says).
    #[arg(long, value_parser = crate::args::parse_scheme)]
    id_scheme: Option<dxf2_model::IdScheme>,
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
                "cannot tell the output format from the output name: give --to xml|json|csv|adx",
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
            looks.name().to_uppercase(),
            from.name().to_uppercase(),
            if explicit_from.is_some() {
                format!("give --from {}, or leave --from out", looks.name())
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
    let metadata = adx_metadata(args, from, to)?;
    let schemes = dxf2_model::IdSchemes {
        id_scheme: args.id_scheme.clone(),
        ..dxf2_model::IdSchemes::default()
    };
    let options = ReaderOptions::default()
        .with_id_schemes(schemes.clone())
        .with_profile(profile)
        .with_first_row_is_header(args.first_row_is_header)
        .with_limits(args.limits.read_limits())
        .with_invalid_utf8(args.limits.invalid_utf8(Utf8Policy::Error))
        // A conversion is lossless: an option combo that cannot be named is refused, not
        // dropped to the default combo as DHIS2's import would.
        .with_strict_adx(true);
    let mut reader = AnyReader::open_with(input, from, &options, metadata.as_ref())
        .map_err(|e| Exit::usage(e.to_string()))?;
    let mut builder = OutputBuilder::new();
    builder
        .compression(Compression::from_path(&args.output))
        .zip_entry(format!("dataValues.{}", to.extension()));
    if args.input.as_os_str() != "-" {
        builder.protect(&args.input);
    }
    if let Some(file) = args.store.as_ref().and_then(|s| s.file()) {
        builder.protect(file);
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
    let mut writer = match (to, &metadata) {
        (Format::Adx, Some(md)) => AnyWriter::adx(
            output,
            md,
            AdxWriterBuilder::new()
                .input_id_schemes(schemes)
                .extras(true),
        ),
        _ => AnyWriter::new(to, output),
    };
    let ticker = crate::progress::Ticker::start("convert", counters);
    // On any failure below, `writer` (and the output in it) is dropped: its temporary file goes,
    // and the ticker clears its line.
    let copied = copy(&mut reader, &mut writer).map_err(|e| match e {
        CopyError::Read(e) => Exit::usage(e.to_string()),
        CopyError::Write(e) => {
            if unknown_to_adx(&e) && args.id_scheme.is_none() {
                ui::hint(
                    "the values are read as naming objects by UID: if the file names them by \
                     code (or name), give --id-scheme CODE (or NAME)",
                );
            }
            write_err(e)
        }
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
            from.name().to_uppercase(),
            args.output.display(),
            to.name().to_uppercase()
        );
    }
    Ok(0)
}

/// Whether writing ADX failed on an identifier the metadata does not have.
fn unknown_to_adx(e: &dxf2_io::Error) -> bool {
    e.as_adx()
        .is_some_and(|a| matches!(a.kind(), dxf2_io::adx::ErrorKind::UnknownObject { .. }))
}

/// The metadata an ADX conversion maps with (`--metadata` or `--store`); `None` when neither
/// side is ADX. A conversion from or to ADX without either is refused.
fn adx_metadata(args: &ConvertArgs, from: Format, to: Format) -> Result<Option<Metadata>, Exit> {
    if from != Format::Adx && to != Format::Adx {
        if args.id_scheme.is_some() {
            return Err(Exit::usage(
                "--id-scheme is for conversions from or to ADX: XML, JSON and CSV are copied \
                 with their identifiers as they are",
            ));
        }
        return Ok(None);
    }
    if args.store.is_none() && args.metadata.is_empty() {
        return Err(Exit::usage(
            "converting ADX needs the metadata its codes name (data sets, data elements, \
             categories and options, org units): give --metadata META.json, or --store DB",
        ));
    }
    let stores = crate::import::StoreArgs {
        store: args.store.clone(),
        metadata: args.metadata.clone(),
    };
    let (_, metadata) = crate::import::open_store(
        &stores,
        &args.limits.decompression(),
        args.limits.read_limits(),
        true,
    )?;
    Ok(Some(metadata))
}
