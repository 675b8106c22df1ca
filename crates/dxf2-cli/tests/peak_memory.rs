//! Issue 7: every reader stays in bounded memory whatever its input. Each case runs the built
//! `dxf2` on a hostile input — decompression bombs, `/dev/zero`, a 500 MB CSV line in both
//! dialects, a 100 MiB XML comment, a 100 MiB JSON string — and measures the child's peak resident
//! memory with `getrusage(RUSAGE_CHILDREN)`: each must stay under 64 MB and end with a clear error.
//!
//! `ru_maxrss` of the children is the largest of every child waited for so far, so the cases run
//! one after the other in one test (one test binary of its own: no other test's children count),
//! and the figure is checked after each case.
//!
//! Large inputs are never written to disk: they are generated lazily into the child's stdin, or
//! compressed by Python's zlib (C speed; python3 is on every machine of this project) into files of
//! about a megabyte.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use dxf2_testdata::hostile::Hostile;
use nix::sys::resource::{getrusage, UsageWho};

/// The bound the issue sets.
const LIMIT_BYTES: i64 = 64 * 1024 * 1024;

/// How long a case may run before it is killed (the `/dev/zero` case is bounded by time).
const DEADLINE: Duration = Duration::from_secs(120);

/// The largest resident set of any child waited for so far, in bytes (Linux reports KiB).
fn children_peak() -> i64 {
    getrusage(UsageWho::RUSAGE_CHILDREN).unwrap().max_rss() * 1024
}

/// `prefix`, then `len` bytes of `fill`, then `suffix`, produced on the fly.
fn generated(prefix: &str, fill: u8, len: u64, suffix: &str) -> Hostile {
    Hostile::new().text(prefix).run(fill, len).text(suffix)
}

/// What one case ended with.
struct Ended {
    code: Option<i32>,
    stderr: String,
    killed: bool,
}

/// Waits for `child` (killing it at the deadline), feeding `stdin` from `input` when given.
fn finish(mut child: Child, input: Option<Box<dyn Read + Send>>) -> Ended {
    let feeder = input.map(|mut input| {
        let mut stdin = child.stdin.take().unwrap();
        // The child may refuse (and close its stdin) long before the input ends.
        thread::spawn(move || {
            let _ = io::copy(&mut input, &mut stdin);
        })
    });
    let mut stderr = child.stderr.take().unwrap();
    let reader = thread::spawn(move || {
        let mut text = String::new();
        let _ = stderr.read_to_string(&mut text);
        text
    });
    let started = Instant::now();
    let mut killed = false;
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > DEADLINE {
            child.kill().unwrap();
            killed = true;
            break child.wait().unwrap();
        }
        thread::sleep(Duration::from_millis(20));
    };
    if let Some(feeder) = feeder {
        feeder.join().unwrap();
    }
    Ended {
        code: status.code(),
        stderr: reader.join().unwrap(),
        killed,
    }
}

/// Runs `dxf2 args…` with `input` on stdin (or nothing), and checks its peak memory and that it
/// refused the input with exit 2 and a message holding `needle`.
fn case(name: &str, args: &[&str], input: Option<Box<dyn Read + Send>>, needle: &str) {
    let child = Command::new(env!("CARGO_BIN_EXE_dxf2"))
        .args(args)
        .stdin(if input.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let ended = finish(child, input);
    let peak = children_peak();
    eprintln!(
        "{name}: exit {:?}; largest peak of any child so far (the bomb generator included) {:.1} MB",
        ended.code,
        peak as f64 / 1e6
    );
    assert!(
        peak < LIMIT_BYTES,
        "{name}: peak memory {peak} bytes is over 64 MB"
    );
    assert!(!ended.killed, "{name}: still running after {DEADLINE:?}");
    assert_eq!(ended.code, Some(2), "{name}: {}", ended.stderr);
    assert!(
        ended.stderr.contains(needle),
        "{name}: expected `{needle}` in:\n{}",
        ended.stderr
    );
}

/// Writes `prefix` + `len` bytes of `fill` compressed as gzip (`zip == false`) or as a one-entry
/// zip into `path`, with Python's zlib, streaming (never holding the expanded bytes).
fn bomb(path: &Path, zip: bool, prefix: &str, fill: u8, len: u64) {
    let script = r#"
import sys, zlib, gzip, zipfile
path, kind, prefix, fill, length = sys.argv[1], sys.argv[2], sys.argv[3].encode(), int(sys.argv[4]), int(sys.argv[5])
chunk = bytes([fill]) * (1 << 20)
def write(out):
    out.write(prefix)
    left = length
    while left > 0:
        n = min(left, len(chunk))
        out.write(chunk[:n])
        left -= n
if kind == "zip":
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        with z.open("dataValues.xml", "w", force_zip64=True) as out:
            write(out)
else:
    with gzip.open(path, "wb", compresslevel=9) as out:
        write(out)
"#;
    let status = Command::new("python3")
        .arg("-c")
        .arg(script)
        .arg(path)
        .arg(if zip { "zip" } else { "gzip" })
        .arg(prefix)
        .arg(fill.to_string())
        .arg(len.to_string())
        .status()
        .expect("python3 makes the compressed bombs");
    assert!(status.success());
}

fn temp_dir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("dxf2-peak-memory-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn boxed(g: Hostile) -> Option<Box<dyn Read + Send>> {
    Some(Box::new(g))
}

const GIB: u64 = 1 << 30;
const MIB: u64 = 1 << 20;

#[test]
fn every_reader_stays_under_64_mb_on_hostile_inputs() {
    let dir = temp_dir();
    let out = dir.join("out.csv");
    let out = out.to_str().unwrap();

    // Decompression bombs: about 1 MB on disk each, 1 GiB expanded.
    let gz_zeros = dir.join("zeros.xml.gz");
    bomb(&gz_zeros, false, "", 0, GIB);
    let zip_newlines = dir.join("newlines.xml.zip");
    bomb(&zip_newlines, true, "<dataValueSet>", b'\n', GIB);
    let gz_newlines = dir.join("newlines.csv.gz");
    bomb(&gz_newlines, false, "", b'\n', GIB);
    // Zeros are refused by the XML reader at the first byte, newlines in an XML element by its
    // token limit; blank CSV lines go on until the decompression ratio limit stops them.
    for (name, path, needle) in [
        ("gzip of 1 GiB of zeros", &gz_zeros, "U+0000"),
        ("zip of 1 GiB of newlines", &zip_newlines, "4 MiB"),
        ("gzip of 1 GiB of newlines", &gz_newlines, "ratio"),
    ] {
        let path = path.to_str().unwrap();
        case(name, &["convert", path, "-o", out], None, needle);
        assert!(
            !Path::new(out).exists(),
            "{name}: no output after a failure"
        );
    }
    // The same bombs with the ratio limit raised: the expanded size limit, and the readers' own
    // bounds, hold.
    case(
        "gzip of 1 GiB of newlines, ratio limit raised, expanded size limited",
        &[
            "convert",
            gz_newlines.to_str().unwrap(),
            "-o",
            out,
            "--max-ratio",
            "1000000",
            "--max-expanded-bytes",
            "256MiB",
        ],
        None,
        "256 MiB",
    );
    case(
        "gzip of 1 GiB of zeros as XML, ratio limit raised",
        &[
            "convert",
            gz_zeros.to_str().unwrap(),
            "--from",
            "xml",
            "-o",
            out,
            "--max-ratio",
            "1000000",
        ],
        None,
        "U+0000",
    );

    // /dev/zero, read as each format (bounded by time as well).
    for from in ["xml", "json", "csv"] {
        case(
            &format!("/dev/zero as {from}"),
            &["convert", "/dev/zero", "--from", from, "-o", out],
            None,
            "line 1",
        );
    }

    // A 500 MB CSV line, in both dialects, unquoted and quoted.
    for version in ["2.42", "2.43"] {
        case(
            &format!("500 MB CSV line ({version})"),
            &[
                "convert",
                "-",
                "--from",
                "csv",
                "-o",
                out,
                "--dhis2-version",
                version,
            ],
            boxed(generated(
                "dataelement,period,orgunit,catoptcombo,attroptcombo,value\nDE,202401,OU,,,",
                b'7',
                500_000_000,
                "\n",
            )),
            "line 2",
        );
        case(
            &format!("500 MB quoted CSV field ({version})"),
            &[
                "convert",
                "-",
                "--from",
                "csv",
                "-o",
                out,
                "--dhis2-version",
                version,
            ],
            boxed(generated(
                "dataelement,period,orgunit,catoptcombo,attroptcombo,value\nDE,202401,OU,,,\"",
                b'7',
                500_000_000,
                "\"\n",
            )),
            "line 2",
        );
    }

    // XML: a 100 MiB comment, text run and attribute; a 200 MiB DOCTYPE.
    for (name, prefix, suffix) in [
        ("100 MiB XML comment", "<dataValueSet><!--", "-->"),
        ("100 MiB XML text run", "<dataValueSet><x>", "</x>"),
        ("100 MiB XML attribute", "<dataValueSet a=\"", "\">"),
        ("100 MiB XML DOCTYPE", "<!DOCTYPE dataValueSet [", "]>"),
    ] {
        let len = if name.contains("DOCTYPE") {
            200 * MIB
        } else {
            100 * MIB
        };
        case(
            name,
            &["convert", "-", "--from", "xml", "-o", out],
            boxed(generated(prefix, b'a', len, suffix)),
            "4 MiB",
        );
    }

    // JSON: a 100 MiB string in a value and in a member the reader skips.
    for (name, prefix) in [
        (
            "100 MiB JSON string",
            "{\"dataValues\":[{\"dataElement\":\"",
        ),
        ("100 MiB skipped JSON string", "{\"unknown\":\""),
    ] {
        case(
            name,
            &["convert", "-", "--from", "json", "-o", out],
            boxed(generated(prefix, b'a', 100 * MIB, "\"}]}")),
            "4 MiB",
        );
    }

    // Import and validate read through the same bounds.
    let metadata = dir.join("metadata.json");
    std::fs::write(&metadata, "{}").unwrap();
    case(
        "import of 100 MiB XML comment",
        &[
            "validate",
            "-",
            "--format",
            "xml",
            "--metadata",
            metadata.to_str().unwrap(),
        ],
        boxed(generated("<dataValueSet><!--", b'a', 100 * MIB, "-->")),
        "",
    );

    std::fs::remove_dir_all(&dir).unwrap();
}
