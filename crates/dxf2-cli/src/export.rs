//! `dxf2 export`: DHIS2's `GET /api/dataValueSets` from a store, as 2.36–2.42 (the classic
//! export, the default) or 2.43+ (`--dhis2-version 2.43`) answers it.
//!
//! The request is checked as DHIS2's web API does (parameter checks `E2001`–`E2009`, then access
//! `E2010`–`E2012`; 2.43+ also `E8200`–`E8204` for identifiers missing in the output scheme)
//! before any output is created; a refused request exits with status 1 and DHIS2's message
//! (`E2001: At least one …`). The writers write the chosen generation's documents, and the file
//! name of `-o DIR`/`--attachment` follows its rules.
//!
//! `--format adx` (or `-o out.adx.xml`) writes DHIS2's ADX export (see the `adx` child module):
//! codes by default, filters that take a UID or a code, and every object the file must name
//! checked before any output exists.

mod adx;

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use clap::Args;
use dxf2_io::adx::AdxWriterBuilder;
use dxf2_model::{IdScheme, IdSchemes, ImporterProfile};
use idscheme_resolver::MetadataResolver;
use import_engine::export::{CheckOrder, ExportError, ExportParams, Exporter, InputIdSchemes};
use import_engine::{AccessPolicy, Superuser, UserAccess};

use dxf2_io::{AnyWriter, Compression, Format, OutputBuilder};

use crate::args::{
    check_compression_extension, check_format_extension, parse_scheme, parse_version, Dhis2Version,
    FormatArg,
};
use crate::{ui, Exit};

/// Arguments of `dxf2 export`.
#[derive(Args, Debug)]
pub struct ExportArgs {
    /// The store to export from (an existing store, opened read-only): a SQLite file, or a
    /// PostgreSQL database as `postgres://user@host:port/db`.
    #[arg(long, value_name = "DB", value_parser = crate::location::StoreLocation::parse)]
    store: crate::location::StoreLocation,
    /// Data sets whose data elements are exported (`dataSet`).
    #[arg(long = "data-set", value_name = "DS", num_args = 1..)]
    data_sets: Vec<String>,
    /// Data elements (`dataElement`).
    #[arg(long = "data-element", value_name = "DE", num_args = 1..)]
    data_elements: Vec<String>,
    /// Data element groups: their members replace the data sets' and explicit data elements.
    #[arg(long = "data-element-group", value_name = "G", num_args = 1..)]
    data_element_groups: Vec<String>,
    /// ISO periods (`period`); strings that are not periods are dropped, as DHIS2 does.
    #[arg(long = "period", value_name = "P", num_args = 1..)]
    periods: Vec<String>,
    /// With --end-date: periods fully inside the range (yyyy-MM-dd).
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    start_date: Option<NaiveDate>,
    /// With --start-date: periods fully inside the range (yyyy-MM-dd).
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    end_date: Option<NaiveDate>,
    /// Org units (`orgUnit`).
    #[arg(long = "org-unit", value_name = "OU", num_args = 1..)]
    org_units: Vec<String>,
    /// Include the whole subtree of each org unit.
    #[arg(long)]
    children: bool,
    /// Org unit groups: values of their members.
    #[arg(long = "org-unit-group", value_name = "G", num_args = 1..)]
    org_unit_groups: Vec<String>,
    /// Only these attribute option combos.
    #[arg(long = "attribute-option-combo", value_name = "AOC", num_args = 1..)]
    attribute_option_combos: Vec<String>,
    /// Include soft-deleted values (written with `deleted` true).
    #[arg(long)]
    include_deleted: bool,
    /// Only values updated at or after this instant (yyyy-MM-dd or yyyy-MM-ddTHH:mm[:ss[.SSS]][Z|±hh:mm]; UTC when no offset).
    #[arg(long, value_name = "TIME", value_parser = parse_instant)]
    last_updated: Option<DateTime<Utc>>,
    /// Only values updated within this long before now (`10d`, `12h`, `30m`, `45s`).
    #[arg(long, value_name = "DURATION")]
    last_updated_duration: Option<String>,
    /// At most this many values.
    #[arg(long, value_name = "N", allow_negative_numbers = true)]
    limit: Option<i64>,
    /// Output id scheme for every object: UID, CODE, NAME or ATTRIBUTE:<attribute uid> (ID and
    /// UUID are refused, as DHIS2's export fails with them; ADX: CODE when not given, as
    /// DHIS2's ADX export).
    #[arg(long, value_parser = parse_scheme)]
    id_scheme: Option<IdScheme>,
    /// Output id scheme of data elements.
    #[arg(long, value_parser = parse_scheme)]
    data_element_id_scheme: Option<IdScheme>,
    /// Output id scheme of org units (values and header).
    #[arg(long, value_parser = parse_scheme)]
    org_unit_id_scheme: Option<IdScheme>,
    /// Output id scheme of category option combos.
    #[arg(long, value_parser = parse_scheme)]
    category_option_combo_id_scheme: Option<IdScheme>,
    /// Output id scheme of attribute option combos.
    #[arg(long, value_parser = parse_scheme)]
    attribute_option_combo_id_scheme: Option<IdScheme>,
    /// Output id scheme of the header data set (ADX: of each group's data set).
    #[arg(long, value_parser = parse_scheme)]
    data_set_id_scheme: Option<IdScheme>,
    /// Output id scheme of categories: the names of ADX category attributes (2.43+: also
    /// written in the header).
    #[arg(long, value_parser = parse_scheme)]
    category_id_scheme: Option<IdScheme>,
    /// Output id scheme of category options: the values of ADX category attributes (2.43+:
    /// also written in the header).
    #[arg(long, value_parser = parse_scheme)]
    category_option_id_scheme: Option<IdScheme>,
    /// How the request names objects (also org unit groups and attribute option combos): UID,
    /// CODE, NAME, ID, UUID or ATTRIBUTE:<attribute uid>.
    #[arg(long, value_parser = parse_scheme)]
    input_id_scheme: Option<IdScheme>,
    /// How the request names org units.
    #[arg(long, value_parser = parse_scheme)]
    input_org_unit_id_scheme: Option<IdScheme>,
    /// How the request names data elements.
    #[arg(long, value_parser = parse_scheme)]
    input_data_element_id_scheme: Option<IdScheme>,
    /// How the request names data sets.
    #[arg(long, value_parser = parse_scheme)]
    input_data_set_id_scheme: Option<IdScheme>,
    /// How the request names data element groups.
    #[arg(long, value_parser = parse_scheme)]
    input_data_element_group_id_scheme: Option<IdScheme>,
    /// Export as this user of the metadata (default: a superuser reaching every org unit).
    #[arg(long, value_name = "NAME")]
    user: Option<String>,
    /// The format of the file written (default: from the output name, else JSON as DHIS2;
    /// `out.adx.xml` is ADX); an output name that says otherwise is refused.
    #[arg(long, value_enum)]
    format: Option<FormatArg>,
    /// Output file (`-` or absent: stdout; .gz/.zip compress), or a directory to write
    /// DHIS2's file name into. Written to a temporary file beside it and renamed over it only
    /// when complete; never the store itself.
    #[arg(short, long, value_name = "FILE|DIR")]
    output: Option<PathBuf>,
    /// Name the file as DHIS2 names a download with this `attachment`
    /// (`NAME[_start_end].<format>[.gz|.zip]`), in the --output directory or here.
    #[arg(long, value_name = "NAME")]
    attachment: Option<String>,
    /// Compression: gzip, zip or none (default: from the output name); an output name that says
    /// otherwise is refused.
    #[arg(long, value_parser = parse_compression)]
    compression: Option<Compression>,
    /// Export as this DHIS2 version does: 2.36 to 2.42 (classic, the default) or 2.43 and 2.44
    /// (group header, values ordered by period and creation, E8200–E8204); others are refused.
    #[arg(long, value_name = "V", default_value = "2.42", value_parser = parse_version)]
    dhis2_version: Dhis2Version,
    /// 2.43+: identifiers without an input scheme that are not UIDs are also looked up by code
    /// (`inputUseCodeFallback`).
    #[arg(long)]
    input_use_code_fallback: bool,
}

fn parse_compression(s: &str) -> Result<Compression, String> {
    match s.to_ascii_lowercase().as_str() {
        "gzip" | "gz" => Ok(Compression::Gzip),
        "zip" => Ok(Compression::Zip),
        "none" => Ok(Compression::None),
        _ => Err(format!("`{s}`: expected gzip, zip or none")),
    }
}

/// A date as DHIS2 reads request dates: `yyyy-MM-dd`, `yyyyMMdd`, `yyyy-MM`, `yyyy`.
fn parse_date(s: &str) -> Result<NaiveDate, String> {
    let full = |text: &str, format: &str| NaiveDate::parse_from_str(text, format).ok();
    full(s, "%Y-%m-%d")
        .or_else(|| (s.len() == 8).then(|| full(s, "%Y%m%d")).flatten())
        .or_else(|| {
            (s.len() == 7)
                .then(|| full(&format!("{s}-01"), "%Y-%m-%d"))
                .flatten()
        })
        .or_else(|| {
            (s.len() == 4)
                .then(|| full(&format!("{s}-01-01"), "%Y-%m-%d"))
                .flatten()
        })
        .ok_or_else(|| format!("`{s}`: expected a date yyyy-MM-dd"))
}

/// An instant: a date (midnight UTC) or `yyyy-MM-ddTHH:mm[:ss[.fraction]]` / `yyyy-MM-dd
/// HH:mm:ss`, with an optional offset (`Z`, `+hh:mm`, `+hhmm`); UTC when there is none.
fn parse_instant(s: &str) -> Result<DateTime<Utc>, String> {
    if let Ok(date) = parse_date(s) {
        if let Some(t) = date.and_hms_opt(0, 0, 0) {
            return Ok(t.and_utc());
        }
    }
    let text = s
        .strip_suffix('Z')
        .map_or_else(|| s.to_owned(), |t| format!("{t}+0000"));
    for format in [
        "%Y-%m-%dT%H:%M:%S%.f%:z",
        "%Y-%m-%dT%H:%M:%S%.f%z",
        "%Y-%m-%dT%H:%M%:z",
        "%Y-%m-%dT%H:%M%z",
        "%Y-%m-%d %H:%M:%S%.f%:z",
        "%Y-%m-%d %H:%M:%S%.f%z",
    ] {
        if let Ok(t) = DateTime::parse_from_str(&text, format) {
            return Ok(t.with_timezone(&Utc));
        }
    }
    for format in [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M:%S%.f",
    ] {
        if let Ok(t) = NaiveDateTime::parse_from_str(&text, format) {
            return Ok(t.and_utc());
        }
    }
    Err(format!(
        "`{s}`: expected yyyy-MM-dd or yyyy-MM-ddTHH:mm[:ss[.SSS]][Z|±hh:mm]"
    ))
}

impl ExportArgs {
    fn params(&self) -> ExportParams {
        ExportParams {
            data_sets: self.data_sets.clone(),
            data_elements: self.data_elements.clone(),
            data_element_groups: self.data_element_groups.clone(),
            periods: self.periods.clone(),
            start_date: self.start_date,
            end_date: self.end_date,
            org_units: self.org_units.clone(),
            children: self.children,
            org_unit_groups: self.org_unit_groups.clone(),
            attribute_option_combos: self.attribute_option_combos.clone(),
            include_deleted: self.include_deleted,
            last_updated: self.last_updated,
            last_updated_duration: self.last_updated_duration.clone(),
            limit: self.limit,
            input_id_schemes: InputIdSchemes {
                id_scheme: self.input_id_scheme.clone(),
                org_unit: self.input_org_unit_id_scheme.clone(),
                data_element: self.input_data_element_id_scheme.clone(),
                data_set: self.input_data_set_id_scheme.clone(),
                data_element_group: self.input_data_element_group_id_scheme.clone(),
            },
            output_id_schemes: IdSchemes {
                id_scheme: self.id_scheme.clone(),
                data_element: self.data_element_id_scheme.clone(),
                org_unit: self.org_unit_id_scheme.clone(),
                category_option_combo: self.category_option_combo_id_scheme.clone(),
                attribute_option_combo: self.attribute_option_combo_id_scheme.clone(),
                data_set: self.data_set_id_scheme.clone(),
                category: self.category_id_scheme.clone(),
                category_option: self.category_option_id_scheme.clone(),
            },
            input_use_code_fallback: self.input_use_code_fallback,
        }
    }

    /// Where to write, in which format, with which compression (the file name of a directory or
    /// `--attachment` as `profile`'s DHIS2 names a download).
    fn target(
        &self,
        profile: ImporterProfile,
    ) -> Result<(Option<PathBuf>, Format, Compression), Exit> {
        let output = self.output.as_deref().filter(|p| p.as_os_str() != "-");
        let is_dir = output.is_some_and(Path::is_dir);
        if let Some(name) = &self.attachment {
            if name.contains(['/', '\\']) || name == ".." {
                return Err(Exit::usage(format!(
                    "--attachment `{name}`: a file name, not a path (give the directory with -o)"
                )));
            }
            if self.output.is_some() && !is_dir {
                return Err(Exit::usage(
                    "--attachment names the file itself: give -o a directory, or -o FILE without --attachment",
                ));
            }
        }
        let from_name = output.filter(|_| !is_dir);
        if let Some(file) = from_name {
            check_format_extension(file, self.format.map(Format::from), "--format")?;
            check_compression_extension(file, self.compression)?;
        }
        let format = self
            .format
            .map(Format::from)
            .or_else(|| from_name.and_then(Format::from_path))
            .unwrap_or(Format::Json);
        let compression = self
            .compression
            .or_else(|| from_name.map(Compression::from_path))
            .unwrap_or(Compression::None);
        let name = |attachment: Option<&str>| {
            let name = match profile {
                ImporterProfile::Classic => file_name,
                ImporterProfile::Pipeline => file_name_pipeline,
            };
            name(
                attachment,
                self.start_date,
                self.end_date,
                format,
                compression,
            )
        };
        let path = match (output, is_dir, &self.attachment) {
            (Some(dir), true, attachment) => Some(dir.join(name(attachment.as_deref()))),
            (Some(file), false, _) => Some(file.to_path_buf()),
            (None, _, Some(attachment)) => Some(PathBuf::from(name(Some(attachment)))),
            (None, _, None) => None,
        };
        Ok((path, format, compression))
    }
}

/// DHIS2's download name (classic `DataValueSetController`): `attachment` or `dataValues`; with
/// both dates, the part before the first `.` plus `_<start>_<end>`; then `.<format>`, plus `.gz`
/// or `.zip` when compressed (a `.<format>.gz`/`.gzip`/`.zip` already in the name is removed
/// first).
pub fn file_name(
    attachment: Option<&str>,
    start: Option<NaiveDate>,
    end: Option<NaiveDate>,
    format: Format,
    compression: Compression,
) -> String {
    let mut name = match attachment {
        Some(a) if !a.is_empty() => a.to_owned(),
        _ => "dataValues".to_owned(),
    };
    if let (Some(start), Some(end)) = (start, end) {
        let base = name.split('.').next().unwrap_or_default();
        name = format!(
            "{base}_{}_{}",
            start.format("%Y-%m-%d"),
            end.format("%Y-%m-%d")
        );
    }
    let ext = format.extension();
    match compression {
        Compression::Gzip => {
            let name = name
                .replace(&format!(".{ext}.gzip"), "")
                .replace(&format!(".{ext}.gz"), "");
            format!("{name}.{ext}.gz")
        }
        Compression::Zip => {
            let name = name.replace(&format!(".{ext}.zip"), "");
            format!("{name}.{ext}.zip")
        }
        Compression::None => format!("{name}.{ext}"),
    }
}

/// DHIS2 2.43+'s download name (`DataExportParams.Input.getFilename`): `attachment` (an empty
/// one counts as absent) or `dataValues`, without a trailing `.gz`/`.zip` of the chosen compression and then without a
/// trailing `.<format>`; `_<start>` when a start date is given, `_<end>` when an end date is
/// given; then `.<format>`, plus `.gz` or `.zip` when compressed.
pub fn file_name_pipeline(
    attachment: Option<&str>,
    start: Option<NaiveDate>,
    end: Option<NaiveDate>,
    format: Format,
    compression: Compression,
) -> String {
    let fmt = format!(".{}", format.extension());
    let comp = match compression {
        Compression::Gzip => ".gz",
        Compression::Zip => ".zip",
        Compression::None => "",
    };
    let mut name = attachment.filter(|a| !a.is_empty()).unwrap_or("dataValues");
    name = name.strip_suffix(comp).unwrap_or(name);
    name = name.strip_suffix(fmt.as_str()).unwrap_or(name);
    let mut name = name.to_owned();
    if let Some(start) = start {
        name.push('_');
        name.push_str(&start.format("%Y-%m-%d").to_string());
    }
    if let Some(end) = end {
        name.push('_');
        name.push_str(&end.format("%Y-%m-%d").to_string());
    }
    format!("{name}{fmt}{comp}")
}

/// The exit of a failed export: 1 for a request DHIS2 refuses (`E20xx`, `E82xx`), 2 otherwise.
fn export_exit(e: ExportError) -> Exit {
    Exit {
        code: if e.error_code().is_some() { 1 } else { 2 },
        message: e.to_string(),
    }
}

/// Counts the bytes written through it (for the progress line).
struct Counting<W> {
    inner: W,
    written: Arc<AtomicU64>,
}

impl<W: Write> Write for Counting<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.written.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

impl ExportArgs {
    /// The identifiers of the request, for [`crate::export_hints::unmatched`].
    fn hint_request(&self, profile: ImporterProfile) -> crate::export_hints::Request<'_> {
        crate::export_hints::Request {
            data_sets: &self.data_sets,
            data_elements: &self.data_elements,
            data_element_groups: &self.data_element_groups,
            org_units: &self.org_units,
            org_unit_groups: &self.org_unit_groups,
            attribute_option_combos: &self.attribute_option_combos,
            periods: &self.periods,
            id_scheme: self.input_id_scheme.as_ref(),
            data_set_scheme: self.input_data_set_id_scheme.as_ref(),
            data_element_scheme: self.input_data_element_id_scheme.as_ref(),
            data_element_group_scheme: self.input_data_element_group_id_scheme.as_ref(),
            org_unit_scheme: self.input_org_unit_id_scheme.as_ref(),
            code_fallback: self.input_use_code_fallback,
            profile,
        }
    }
}

/// The exit of a refused request: DHIS2's code and message (a placeholder DHIS2 leaves in it
/// filled with what was given), then why, when an identifier of the request matched nothing.
fn refused(e: ExportError, args: &ExportArgs, hints: &[String]) -> Exit {
    let mut exit = export_exit(e);
    if exit.message.starts_with("E2005:") {
        if let Some(duration) = &args.last_updated_duration {
            // DHIS2 leaves `{0}` in this message; the CLI says what was given.
            exit.message = exit.message.replace("{0}", duration);
            exit.message.push_str(
                "\n(a duration is a number and a unit: d for days, h hours, m minutes, s seconds; e.g. 10d)",
            );
        }
    }
    if exit.code == 1 && !hints.is_empty() {
        ui::error(&exit.message);
        for hint in hints {
            ui::hint(hint);
        }
        return Exit::quiet(exit.code);
    }
    exit
}

/// `dxf2 export`.
pub fn run(args: &ExportArgs) -> Result<u8, Exit> {
    let profile = args.dhis2_version.profile;
    if args.input_use_code_fallback && profile == ImporterProfile::Classic {
        return Err(Exit::usage(format!(
            "--input-use-code-fallback is understood by DHIS2 2.43 and later only, not {}: add \
             --dhis2-version 2.43, or give --input-id-scheme CODE",
            args.dhis2_version.text
        )));
    }
    let (target, format, compression) = args.target(profile)?;
    let store_err = |e: import_engine::StoreError| crate::store::store_error(&args.store, &e);
    // Read-only: an export never writes the store, nor waits for an import.
    let mut store = crate::store::open_existing(&args.store, true)?;
    let metadata = store.load_metadata().map_err(store_err)?;
    let superuser = Superuser::default();
    let user_access;
    let access: &dyn AccessPolicy = match &args.user {
        Some(name) => {
            user_access = UserAccess::by_username(&metadata, name)
                .ok_or_else(|| Exit::usage(format!("no user named `{name}` in the metadata")))?;
            &user_access
        }
        None => &superuser,
    };
    let mut params = args.params();
    let mut request = args.hint_request(profile);
    // ADX: the engine hands the values on by UID, and the ADX writer names them under the
    // output schemes (codes by default); the filters take a UID or a code, as DHIS2's.
    let adx_output = if format == Format::Adx {
        let output = adx::output_schemes(&params.output_id_schemes)?;
        params.output_id_schemes = IdSchemes::default();
        adx::uid_or_code(&metadata, &mut params);
        request.code_fallback = true;
        Some(output)
    } else {
        None
    };
    let hints = crate::export_hints::unmatched(&metadata, &request);
    // The web API's order: parameter checks, then access; all before any output exists.
    let exporter = Exporter::new(&metadata, access)
        .with_check_order(CheckOrder::WebApi)
        .with_profile(profile);
    let resolver = MetadataResolver::new(&metadata);
    let plan = exporter
        .plan(&params, &resolver)
        .map_err(|e| refused(e, args, &hints))?;
    for hint in &hints {
        ui::warning(&format!("{hint} (left out of the export, as DHIS2 does)"));
    }
    let adx_writer = match &adx_output {
        Some(output) => {
            let mut builder = AdxWriterBuilder::new().output_id_schemes(output.clone());
            if let Some(data_set) = adx::check(&metadata, &params, &resolver, output)? {
                builder = builder.data_set(data_set);
            }
            Some(builder)
        }
        None => None,
    };

    let shown = target
        .as_ref()
        .map_or_else(|| "<stdout>".to_owned(), |p| p.display().to_string());
    let out_path = target.clone().unwrap_or_else(|| PathBuf::from("-"));
    // Never the store (nor its journal files): refused before anything is opened for writing.
    let mut builder = OutputBuilder::new();
    builder
        .compression(compression)
        .zip_entry(format!("dataValues.{}", format.extension()));
    if let Some(file) = args.store.file() {
        builder.protect(file);
        for suffix in ["-wal", "-shm", "-journal"] {
            let mut name = file.as_os_str().to_owned();
            name.push(suffix);
            builder.protect(PathBuf::from(name));
        }
    }
    let out = builder
        .create(&out_path)
        .map_err(|e| Exit::usage(e.to_string()))?;
    let written = Arc::new(AtomicU64::new(0));
    let counting = Counting {
        inner: out,
        written: Arc::clone(&written),
    };
    let mut writer = match adx_writer {
        Some(builder) => AnyWriter::adx(counting, &metadata, builder),
        None => AnyWriter::with_profile(format, counting, profile),
    };
    let ticker = crate::progress::Ticker::start(
        "export",
        crate::progress::Counters {
            bytes: written,
            size: None,
            values: None,
        },
    );
    // On failure the output is dropped unfinished: its temporary file is removed, and nothing
    // that was at the output path before is touched.
    let quiet_pipe =
        |e: &(dyn std::error::Error + 'static)| target.is_none() && ui::is_broken_pipe(e);
    let summary = match exporter.write(&plan, &resolver, &mut *store, &mut writer) {
        Ok(summary) => summary,
        // `| head` has gone: it took what it wanted.
        Err(e) if quiet_pipe(&e) => return Ok(0),
        Err(e) => return Err(export_exit(e)),
    };
    let committed = writer.into_inner().map_err(|e| {
        if quiet_pipe(&e) {
            Exit::quiet(0)
        } else {
            Exit::usage(format!("writing {shown}: {e}"))
        }
    })?;
    committed.inner.commit().map_err(|e| {
        if quiet_pipe(&e) {
            Exit::quiet(0)
        } else {
            Exit::usage(format!("writing {e}"))
        }
    })?;
    ticker.finish();
    match &target {
        Some(path) => eprintln!("{} values written to {}", summary.values, path.display()),
        None => {
            // A document on a terminal ends its line, so the prompt does not follow it; piped
            // or redirected, the bytes stay DHIS2's.
            if format != Format::Csv && std::io::stdout().is_terminal() {
                println!();
            }
        }
    }
    Ok(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn file_names_as_dhis2() {
        let none = Compression::None;
        assert_eq!(
            file_name(None, None, None, Format::Json, none),
            "dataValues.json"
        );
        // DHIS2's e2e test: startDate=2024-01-01&endDate=2050-01-30&format=xml&compression=zip.
        assert_eq!(
            file_name(
                None,
                Some(d(2024, 1, 1)),
                Some(d(2050, 1, 30)),
                Format::Xml,
                Compression::Zip
            ),
            "dataValues_2024-01-01_2050-01-30.xml.zip"
        );
        assert_eq!(
            file_name(
                None,
                Some(d(2024, 1, 1)),
                Some(d(2050, 1, 30)),
                Format::Xml,
                Compression::Gzip
            ),
            "dataValues_2024-01-01_2050-01-30.xml.gz"
        );
        assert_eq!(
            file_name(
                Some("march.csv.gz"),
                None,
                None,
                Format::Csv,
                Compression::Gzip
            ),
            "march.csv.gz"
        );
        assert_eq!(
            file_name(
                Some("march.csv.gzip"),
                None,
                None,
                Format::Csv,
                Compression::Gzip
            ),
            "march.csv.gz"
        );
        assert_eq!(
            file_name(
                Some("march.json.zip"),
                None,
                None,
                Format::Json,
                Compression::Zip
            ),
            "march.json.zip"
        );
        // Without compression the format is appended as is.
        assert_eq!(
            file_name(Some("march.json"), None, None, Format::Json, none),
            "march.json.json"
        );
        assert_eq!(
            file_name(
                Some("march.x.json"),
                Some(d(2016, 3, 1)),
                Some(d(2016, 3, 31)),
                Format::Csv,
                none
            ),
            "march_2016-03-01_2016-03-31.csv"
        );
        assert_eq!(
            file_name(Some(""), None, None, Format::Csv, none),
            "dataValues.csv"
        );
    }

    #[test]
    fn file_names_as_dhis2_2_43() {
        let name = |a, s, e, f, c| file_name_pipeline(a, s, e, f, c);
        let none = Compression::None;
        assert_eq!(
            name(None, None, None, Format::Json, none),
            "dataValues.json"
        );
        assert_eq!(
            name(
                None,
                Some(d(2024, 1, 1)),
                Some(d(2050, 1, 30)),
                Format::Xml,
                Compression::Zip
            ),
            "dataValues_2024-01-01_2050-01-30.xml.zip"
        );
        // Each date on its own; the attachment is not cut at its first dot.
        assert_eq!(
            name(
                Some("march.x"),
                Some(d(2016, 3, 1)),
                None,
                Format::Csv,
                none
            ),
            "march.x_2016-03-01.csv"
        );
        assert_eq!(
            name(None, None, Some(d(2016, 3, 31)), Format::Csv, none),
            "dataValues_2016-03-31.csv"
        );
        // A trailing compression, then format, suffix is removed first.
        assert_eq!(
            name(
                Some("march.csv.gz"),
                None,
                None,
                Format::Csv,
                Compression::Gzip
            ),
            "march.csv.gz"
        );
        assert_eq!(
            name(Some("march.json"), None, None, Format::Json, none),
            "march.json"
        );
        assert_eq!(
            name(
                Some("march.csv.gzip"),
                None,
                None,
                Format::Csv,
                Compression::Gzip
            ),
            "march.csv.gzip.csv.gz"
        );
        assert_eq!(
            name(Some("march.gz"), None, None, Format::Json, none),
            "march.gz.json"
        );
        assert_eq!(
            name(Some(""), None, None, Format::Csv, none),
            "dataValues.csv"
        );
    }

    #[test]
    fn dates_and_instants() {
        assert_eq!(parse_date("2016-03-01"), Ok(d(2016, 3, 1)));
        assert_eq!(parse_date("20160301"), Ok(d(2016, 3, 1)));
        assert_eq!(parse_date("2016-03"), Ok(d(2016, 3, 1)));
        assert_eq!(parse_date("2016"), Ok(d(2016, 1, 1)));
        assert!(parse_date("2016-13-01").is_err());
        let at = |s: &str| parse_instant(s).unwrap().to_rfc3339();
        assert_eq!(at("2016-03-01"), "2016-03-01T00:00:00+00:00");
        assert_eq!(at("2016-03-01T10:20"), "2016-03-01T10:20:00+00:00");
        assert_eq!(
            at("2016-03-01T10:20:30.5Z"),
            "2016-03-01T10:20:30.500+00:00"
        );
        assert_eq!(at("2016-03-01T10:20:30+02:00"), "2016-03-01T08:20:30+00:00");
        assert_eq!(
            at("2016-03-01T10:20:30.123+0000"),
            "2016-03-01T10:20:30.123+00:00"
        );
        assert_eq!(at("2016-03-01 10:20:30"), "2016-03-01T10:20:30+00:00");
        assert!(parse_instant("yesterday").is_err());
    }

    #[test]
    fn compression_names() {
        assert_eq!(parse_compression("GZIP"), Ok(Compression::Gzip));
        assert_eq!(parse_compression("zip"), Ok(Compression::Zip));
        assert!(parse_compression("bz2").is_err());
    }
}
