//! Arguments shared by several commands: the payload format, the DHIS2 version, id schemes, the
//! bounds on reading an input, and the rule that a file name's extension must not contradict an
//! explicit format or compression.

use std::path::Path;

use clap::{Args, ValueEnum};
use dxf2_io::{Compression, DecompressionLimits, Format, Utf8Policy};
use dxf2_model::{IdScheme, ImporterProfile, ReadLimits};

use crate::Exit;

/// The DHIS2 versions this `dxf2` knows, oldest first: 2.36–2.42 answer with the classic importer
/// and export, 2.43 and 2.44 (DHIS2's master branch when these rules were taken) with the new
/// pipeline.
pub const KNOWN_VERSIONS: &str =
    "2.36 to 2.44 (2.36-2.42: the classic importer; 2.43-2.44: the new pipeline)";

/// A `--dhis2-version`: a DHIS2 version this `dxf2` knows (`2.42`, `2.43.1`, `v2.40`), with the
/// importer generation that answers for it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Dhis2Version {
    /// The version as given.
    pub text: String,
    /// The generation that answers for it.
    pub profile: ImporterProfile,
}

/// Parses `--dhis2-version`: refuses what is not a version, and versions outside
/// [`KNOWN_VERSIONS`] (a later DHIS2 may answer differently; running its files through the
/// newest rules known would pretend otherwise).
pub fn parse_version(s: &str) -> Result<Dhis2Version, String> {
    let refuse = || format!("`{s}` is not a DHIS2 version this dxf2 knows: give {KNOWN_VERSIONS}");
    let profile = ImporterProfile::from_version(s).map_err(|_| refuse())?;
    Ok(Dhis2Version {
        text: s.to_owned(),
        profile,
    })
}

/// The id schemes every id scheme flag takes, as its help and its parser's error say them.
pub const ID_SCHEMES: &str = "UID, CODE, NAME, ID, UUID or ATTRIBUTE:<attribute uid>";

/// Parses an id scheme flag (any case), as DHIS2 does.
pub fn parse_scheme(s: &str) -> Result<IdScheme, String> {
    IdScheme::parse(s).map_err(|_| format!("`{s}`: expected {ID_SCHEMES}"))
}

/// Refuses an explicit format that the file name's extension contradicts (`x.xml` given
/// `--format csv`, `x.adx.xml` given `--format xml`): one of them is a mistake, and reading or
/// writing on would hide it. A plain `.xml` name fits both XML and ADX (DHIS2 tells them apart
/// by the root element). `flag` names the option (`--format`, `--from`, `--to`).
pub fn check_format_extension(
    path: &Path,
    explicit: Option<Format>,
    flag: &str,
) -> Result<(), Exit> {
    if path.as_os_str() == "-" {
        return Ok(());
    }
    if let (Some(given), Some(named)) = (explicit, Format::from_path(path)) {
        if !given.fits_path(path) {
            return Err(Exit::usage(format!(
                "{}: the name says {} but {flag} says {}: rename the file or correct {flag}",
                path.display(),
                named.name().to_uppercase(),
                given.name().to_uppercase()
            )));
        }
    }
    Ok(())
}

/// Refuses an explicit compression that the output name's extension contradicts (`x.csv.gz`
/// given `--compression zip`, or `x.csv` given `--compression gzip`).
pub fn check_compression_extension(path: &Path, explicit: Option<Compression>) -> Result<(), Exit> {
    let Some(given) = explicit else {
        return Ok(());
    };
    if path.as_os_str() == "-" {
        return Ok(());
    }
    let named = Compression::from_path(path);
    if given != named {
        let say = |c: Compression| match c {
            Compression::Gzip => "gzip (.gz)",
            Compression::Zip => "zip (.zip)",
            Compression::None => "no compression",
        };
        return Err(Exit::usage(format!(
            "{}: the name says {} but --compression says {}: rename the file or correct --compression",
            path.display(),
            say(named),
            say(given)
        )));
    }
    Ok(())
}

/// A payload format on the command line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum FormatArg {
    /// DXF2 XML.
    Xml,
    /// DXF2 JSON.
    Json,
    /// DXF2 CSV.
    Csv,
    /// IHE ADX (needs metadata for its codes: a store, or --metadata).
    Adx,
    /// A filled DHIS2 PDF data entry form (read only; `dxf2 pdf form` makes one).
    Pdf,
}

impl From<FormatArg> for Format {
    fn from(f: FormatArg) -> Format {
        match f {
            FormatArg::Xml => Format::Xml,
            FormatArg::Json => Format::Json,
            FormatArg::Csv => Format::Csv,
            FormatArg::Adx => Format::Adx,
            FormatArg::Pdf => Format::Pdf,
        }
    }
}

/// What to do with the data fields of a PDF form nobody filled in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum EmptyFieldsArg {
    /// Leave them out: exactly what was filled in is imported.
    Skip,
    /// Hand them on, as DHIS2 does.
    Keep,
}

impl From<EmptyFieldsArg> for dxf2_io::pdf::EmptyFields {
    fn from(e: EmptyFieldsArg) -> dxf2_io::pdf::EmptyFields {
        match e {
            EmptyFieldsArg::Skip => dxf2_io::pdf::EmptyFields::Skip,
            EmptyFieldsArg::Keep => dxf2_io::pdf::EmptyFields::Keep,
        }
    }
}

/// Bounds on reading an input: decompression and the longest token.
#[derive(Args, Debug, Clone)]
pub struct LimitArgs {
    /// The most a gzip/zip input may expand to (bytes; K, M, G, KiB, MiB, GiB suffixes).
    #[arg(long, value_name = "BYTES", value_parser = parse_bytes,
          default_value_t = DecompressionLimits::DEFAULT_MAX_EXPANDED_BYTES)]
    pub max_expanded_bytes: u64,
    /// The most a gzip/zip input may expand relative to its compressed size (checked after the
    /// first 16 MiB).
    #[arg(long, value_name = "N", default_value_t = DecompressionLimits::DEFAULT_MAX_RATIO)]
    pub max_ratio: u64,
    /// The longest single token (XML text or attribute, JSON string, CSV field) a reader holds
    /// (bytes; K, M, G, KiB, MiB, GiB suffixes).
    #[arg(long, value_name = "BYTES", value_parser = parse_bytes,
          default_value_t = ReadLimits::DEFAULT_MAX_TOKEN_BYTES as u64)]
    pub max_token_bytes: u64,
    /// The longest CSV record (line) a reader holds (bytes; K, M, G, KiB, MiB, GiB suffixes).
    #[arg(long, value_name = "BYTES", value_parser = parse_bytes,
          default_value_t = ReadLimits::DEFAULT_MAX_RECORD_BYTES as u64)]
    pub max_record_bytes: u64,
    /// CSV bytes that are not UTF-8: `error` refuses the file naming the line and column;
    /// `replace` reads them as U+FFFD, as DHIS2 does, and says how many and where the first was.
    /// Default: `error` for convert (a conversion is lossless), `replace` for import and validate.
    #[arg(long, value_enum, value_name = "POLICY")]
    pub invalid_utf8: Option<InvalidUtf8Arg>,
}

/// What to do with CSV bytes that are not UTF-8.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum InvalidUtf8Arg {
    /// Refuse the file, naming the line and column.
    Error,
    /// Read them as U+FFFD (DHIS2's behaviour), and say where.
    Replace,
}

impl LimitArgs {
    /// The decompression bounds.
    pub fn decompression(&self) -> DecompressionLimits {
        DecompressionLimits::default()
            .with_max_expanded_bytes(self.max_expanded_bytes)
            .with_max_ratio(self.max_ratio)
    }

    /// The reader memory bounds.
    pub fn read_limits(&self) -> ReadLimits {
        let token = usize::try_from(self.max_token_bytes).unwrap_or(usize::MAX);
        let record = usize::try_from(self.max_record_bytes).unwrap_or(usize::MAX);
        ReadLimits::default()
            .with_max_token_bytes(token)
            .with_max_record_bytes(record)
    }

    /// The CSV invalid UTF-8 policy: the one given, else `default`.
    pub fn invalid_utf8(&self, default: Utf8Policy) -> Utf8Policy {
        match self.invalid_utf8 {
            Some(InvalidUtf8Arg::Error) => Utf8Policy::Error,
            Some(InvalidUtf8Arg::Replace) => Utf8Policy::Replace,
            None => default,
        }
    }
}

/// A byte count: digits with an optional unit (`K`/`KB`/`KiB` = 1024, `M`…, `G`…, `T`…).
pub fn parse_bytes(s: &str) -> Result<u64, String> {
    let text = s.trim();
    let digits_end = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (digits, unit) = text.split_at(digits_end);
    let number: u64 = digits
        .parse()
        .map_err(|_| format!("`{s}`: expected a number of bytes, e.g. 4194304, 64MiB or 2G"))?;
    let shift = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 0,
        "k" | "kb" | "kib" => 10,
        "m" | "mb" | "mib" => 20,
        "g" | "gb" | "gib" => 30,
        "t" | "tb" | "tib" => 40,
        _ => return Err(format!("`{s}`: unknown unit `{unit}` (use K, M, G or T)")),
    };
    number
        .checked_mul(1u64 << shift)
        .ok_or_else(|| format!("`{s}`: too large"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn byte_counts() {
        assert_eq!(parse_bytes("100"), Ok(100));
        assert_eq!(parse_bytes("4MiB"), Ok(4 << 20));
        assert_eq!(parse_bytes("2G"), Ok(2 << 30));
        assert_eq!(parse_bytes("64 gib"), Ok(64 << 30));
        assert!(parse_bytes("4 parsecs").is_err());
        assert!(parse_bytes("").is_err());
    }

    #[test]
    fn versions_we_know() {
        assert_eq!(
            parse_version("2.42").unwrap().profile,
            ImporterProfile::Classic
        );
        assert_eq!(
            parse_version("2.36").unwrap().profile,
            ImporterProfile::Classic
        );
        assert_eq!(
            parse_version("2.43.1").unwrap().profile,
            ImporterProfile::Pipeline
        );
        assert_eq!(
            parse_version("v2.44").unwrap().profile,
            ImporterProfile::Pipeline
        );
        for bad in ["2.99", "2.45", "2.35", "3.0", "latest", ""] {
            let e = parse_version(bad).unwrap_err();
            assert!(e.contains("2.36 to 2.44"), "{bad}: {e}");
        }
    }

    #[test]
    fn schemes_help_and_parser_agree() {
        for scheme in [
            "UID",
            "CODE",
            "NAME",
            "ID",
            "UUID",
            "ATTRIBUTE:abcdefghijk",
            "code",
        ] {
            assert!(parse_scheme(scheme).is_ok(), "{scheme}");
        }
        assert!(parse_scheme("NUMBER").unwrap_err().contains(ID_SCHEMES));
    }

    #[test]
    fn extensions_must_not_contradict() {
        let p = Path::new;
        assert!(check_format_extension(p("x.xml"), Some(Format::Csv), "--format").is_err());
        assert!(check_format_extension(p("x.csv.gz"), Some(Format::Csv), "--format").is_ok());
        assert!(check_format_extension(p("x.txt"), Some(Format::Csv), "--format").is_ok());
        assert!(check_format_extension(p("-"), Some(Format::Csv), "--format").is_ok());
        // `.xml` fits DXF2 XML and ADX; `.adx.xml` only ADX.
        assert!(check_format_extension(p("x.xml"), Some(Format::Adx), "--format").is_ok());
        assert!(check_format_extension(p("x.adx.xml"), Some(Format::Adx), "--format").is_ok());
        let e = check_format_extension(p("x.adx.xml"), Some(Format::Xml), "--format").unwrap_err();
        assert_eq!(
            e.message,
            "x.adx.xml: the name says ADX but --format says XML: rename the file or correct --format"
        );
        assert!(check_format_extension(p("x.adx"), Some(Format::Json), "--to").is_err());
        assert!(check_format_extension(p("form.pdf"), Some(Format::Pdf), "--format").is_ok());
        assert!(check_format_extension(p("form.pdf"), Some(Format::Xml), "--format").is_err());
        assert!(check_compression_extension(p("x.csv.gz"), Some(Compression::Zip)).is_err());
        assert!(check_compression_extension(p("x.csv"), Some(Compression::Gzip)).is_err());
        assert!(check_compression_extension(p("x.csv.zip"), Some(Compression::Zip)).is_ok());
        assert!(check_compression_extension(p("-"), Some(Compression::Gzip)).is_ok());
    }
}
