//! Peak memory of the metadata import, phase by phase, on the workload of `benches/metadata.rs`
//! (50,000 org units, 5,000 data elements, one data set referencing all of them: 11 MB of JSON,
//! 133 MB once read): the bench's objects, read and imported twice as the bench does.
//!
//! Linux only: after each phase it prints the resident set (`VmRSS`) and the phase's own peak
//! (`VmHWM`, reset before the phase through `/proc/self/clear_refs`), both in MB, from
//! `/proc/self/status`.
//!
//! Run: `cargo run --release -p dxf2-metadata --example memprobe`.
// A probe: a broken set-up should stop it loudly.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use dxf2_metadata::catalogue::MemoryCatalogue;
use dxf2_metadata::import::{import, ImportParams, Status};
use dxf2_metadata::read_json_str;

const ORG_UNITS: usize = 50_000;
const DATA_ELEMENTS: usize = 5_000;

/// A UID of DHIS2's alphabet made from `prefix` and `n`.
fn uid(prefix: char, n: usize) -> String {
    format!("{prefix}{n:010}")
}

/// The bench's package as metadata JSON, written straight into one string (building it as
/// `serde_json` values first would leave their memory with the allocator, blurring the figures).
fn package() -> String {
    use std::fmt::Write;
    let mut out = String::from(r#"{"organisationUnits":["#);
    for n in 0..ORG_UNITS {
        let (level, parent) = match n {
            0 => ("Country", None),
            1..=10 => ("Region", Some(0)),
            11..=110 => ("District", Some(1 + (n - 11) / 10)),
            _ => ("Facility", Some(11 + (n - 111) % 100)),
        };
        if n > 0 {
            out.push(',');
        }
        write!(
            out,
            r#"{{"code":"OU_{n}","id":"{}","name":"{level} {n}","openingDate":"1990-01-01T00:00:00.000","shortName":"{level} {n}""#,
            uid('o', n)
        )
        .unwrap();
        if let Some(p) = parent {
            write!(out, r#","parent":{{"id":"{}"}}"#, uid('o', p)).unwrap();
        }
        out.push('}');
    }
    out.push_str(r#"],"dataElements":["#);
    for n in 0..DATA_ELEMENTS {
        if n > 0 {
            out.push(',');
        }
        write!(
            out,
            r#"{{"aggregationType":"SUM","code":"DE_{n}","domainType":"AGGREGATE","id":"{}","name":"Data element {n}","shortName":"DE {n}","valueType":"INTEGER_ZERO_OR_POSITIVE"}}"#,
            uid('d', n)
        )
        .unwrap();
    }
    let set = uid('s', 0);
    write!(
        out,
        r#"],"dataSets":[{{"code":"MONTHLY","id":"{set}","name":"Monthly report","shortName":"Monthly report","periodType":"Monthly","dataSetElements":["#
    )
    .unwrap();
    for n in 0..DATA_ELEMENTS {
        if n > 0 {
            out.push(',');
        }
        write!(
            out,
            r#"{{"dataElement":{{"id":"{}"}},"dataSet":{{"id":"{set}"}}}}"#,
            uid('d', n)
        )
        .unwrap();
    }
    out.push_str(r#"],"organisationUnits":["#);
    for f in 111..ORG_UNITS {
        if f > 111 {
            out.push(',');
        }
        write!(out, r#"{{"id":"{}"}}"#, uid('o', f)).unwrap();
    }
    out.push_str("]}]}");
    out
}

/// `VmRSS` and `VmHWM` in MB.
fn memory() -> (u64, u64) {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    let field = |name: &str| -> u64 {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.split_whitespace().next())
            .and_then(|kb| kb.parse::<u64>().ok())
            .map_or(0, |kb| kb / 1024)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

/// Resets the peak (`VmHWM`) to the current resident set.
fn reset_peak() {
    std::fs::write("/proc/self/clear_refs", "5").expect("/proc/self/clear_refs");
}

/// Runs `phase`, printing the resident set after it, its peak, the peak's rise over the
/// resident set before it, and the time it took (one run: a rough figure, not a benchmark).
fn phase<T>(name: &str, run: impl FnOnce() -> T) -> T {
    reset_peak();
    let (before, _) = memory();
    let started = std::time::Instant::now();
    let out = run();
    let took = started.elapsed().as_millis();
    let (rss, hwm) = memory();
    println!(
        "{name:<20} rss {rss:>5} MB   peak {hwm:>5} MB   peak over start +{:>4} MB   {took:>5} ms",
        hwm.saturating_sub(before)
    );
    out
}

fn main() {
    let params = ImportParams::default();
    let text = phase("package text", package);
    let doc = phase("read document", || read_json_str(&text).unwrap().document);
    let mut cat = MemoryCatalogue::with_dhis2_defaults();
    let result = phase("first import", || import(&cat, &doc, &params).unwrap());
    assert_eq!(result.report.status, Status::Ok);
    assert_eq!(result.report.stats.created, ORG_UNITS + DATA_ELEMENTS + 1);
    phase("apply to catalogue", || cat.apply(&result.changes));
    // The first result stays, as in the bench: the second import cannot reuse its memory.
    let again = phase("second import", || import(&cat, &doc, &params).unwrap());
    assert_eq!(again.report.status, Status::Ok);
    assert_eq!(again.report.stats.updated, ORG_UNITS + DATA_ELEMENTS + 1);
    drop(result);
}
