//! Arguments shared by several commands: the payload format and the bounds on reading an input.

use clap::{Args, ValueEnum};
use dxf2_io::{DecompressionLimits, Format, Utf8Policy};
use dxf2_model::ReadLimits;

/// A payload format on the command line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum FormatArg {
    /// DXF2 XML.
    Xml,
    /// DXF2 JSON.
    Json,
    /// DXF2 CSV.
    Csv,
}

impl From<FormatArg> for Format {
    fn from(f: FormatArg) -> Format {
        match f {
            FormatArg::Xml => Format::Xml,
            FormatArg::Json => Format::Json,
            FormatArg::Csv => Format::Csv,
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
}
