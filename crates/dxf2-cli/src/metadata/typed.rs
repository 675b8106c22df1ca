//! Metadata files read into the typed catalogue, for `dxf2 import --metadata META.json` (an
//! import without a store).
//!
//! A file that holds no DHIS2 metadata (a data value set, `{"foo": 1}`, XML) is refused, saying
//! what it looks like and what to run instead.

use std::path::Path;

use dxf2_io::{DecompressionLimits, Input};
use dxf2_model::{Metadata, ReadLimits};

use crate::store::metadata_counts;
use crate::Exit;

/// The objects of `metadata` beyond DHIS2's defaults (the `default` category option, category,
/// category combo and category option combo every catalogue has).
fn objects_beyond_defaults(metadata: &Metadata) -> usize {
    let mut defaults = Metadata::new();
    defaults.ensure_defaults();
    let base: usize = metadata_counts(&defaults).iter().map(|(_, _, n)| n).sum();
    let all: usize = metadata_counts(metadata).iter().map(|(_, _, n)| n).sum();
    all.saturating_sub(base)
}

/// Reads one metadata file into `metadata`, refusing a file that is not DHIS2 metadata JSON;
/// returns how many objects it held (beyond the defaults).
pub fn read_file(
    path: &Path,
    metadata: &mut Metadata,
    limits: &DecompressionLimits,
    read_limits: ReadLimits,
) -> Result<usize, Exit> {
    let mut input = Input::open(path, limits).map_err(|e| Exit::usage(e.to_string()))?;
    let name = input.name().to_owned();
    let warnings = input.warnings();
    crate::print_warnings(&warnings);
    let head = input.head().map_err(|e| Exit::usage(e.to_string()))?;
    if head.is_empty() {
        return Err(Exit::usage(format!(
            "{name} is empty (0 bytes): there is no metadata in it"
        )));
    }
    if let Some(what) = crate::inspect::not_json_metadata(head, path) {
        return Err(Exit::usage(format!(
            "{name} is not DHIS2 metadata JSON: {what}"
        )));
    }
    let counters = crate::progress::Counters {
        bytes: input.consumed(),
        size: input.size(),
        values: None,
    };
    let ticker = crate::progress::Ticker::start("metadata", counters);
    let mut incoming = Metadata::new();
    dxf2_json::metadata::read_metadata_into_with_limits(input, &mut incoming, read_limits)
        .map_err(|e| Exit::usage(format!("{name}: {e}")))?;
    ticker.finish();
    crate::print_warnings(&warnings);
    let objects = objects_beyond_defaults(&incoming);
    if objects == 0 && path.as_os_str() != "-" {
        if let Some(what) = crate::inspect::not_metadata(path) {
            return Err(Exit::usage(format!("{name} is not DHIS2 metadata: {what}")));
        }
    }
    metadata
        .merge(incoming)
        .map_err(|e| Exit::usage(format!("{name}: {e}")))?;
    metadata.ensure_defaults();
    Ok(objects)
}
