//! The `dxf2` command as a user runs it: conversions, compression, stdin/stdout, exit codes and
//! summaries. Reads DHIS2's corpus from `../shared/corpus/dhis2-core` beside the checkout
//! (through `dxf2_testdata::corpus`: absent, the tests fail unless `DXF2_SKIP_CORPUS=1`).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// A corpus file; the test fails when the corpus is absent unless `DXF2_SKIP_CORPUS=1`.
fn corpus(rel: &str) -> Option<PathBuf> {
    dxf2_testdata::corpus::corpus_file(rel)
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures")
        .join(name)
}

fn dxf2(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_dxf2"))
        .args(args)
        .output()
        .unwrap()
}

fn dxf2_stdin(args: &[&str], input: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_dxf2"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(input).unwrap();
    child.wait_with_output().unwrap()
}

fn tmp() -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "dxf2-cli-test-{}-{}",
        std::process::id(),
        rand_suffix()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn rand_suffix() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    N.fetch_add(1, Ordering::Relaxed)
}

fn ok(out: &Output) -> String {
    assert!(
        out.status.success(),
        "status {:?}\nstderr: {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout.clone()).unwrap()
}

fn count_csv_rows(text: &str) -> usize {
    text.lines().count() - 1
}

#[test]
fn converts_between_all_formats_deterministically() {
    let Some(b) = corpus("datavalueset/dataValueSetB.xml") else {
        return;
    };
    let dir = tmp();
    let b = b.to_str().unwrap();
    for (to, ext) in [("csv", "csv"), ("json", "json"), ("xml", "xml")] {
        let out = dir.join(format!("b.{ext}"));
        ok(&dxf2(&["convert", b, "-o", out.to_str().unwrap()]));
        let first = std::fs::read(&out).unwrap();
        ok(&dxf2(&["convert", b, "-o", out.to_str().unwrap()]));
        assert_eq!(
            first,
            std::fs::read(&out).unwrap(),
            "{to} output is deterministic"
        );
        // And back to CSV through stdout: 12 rows whatever the path.
        let csv = ok(&dxf2(&[
            "convert",
            out.to_str().unwrap(),
            "-o",
            "-",
            "--to",
            "csv",
        ]));
        assert_eq!(count_csv_rows(&csv), 12, "{to}");
        assert!(csv.starts_with("dataelement,period,orgunit,categoryoptioncombo,attributeoptioncombo,value,storedby,lastupdated,comment,followup,deleted\n"));
    }
}

#[test]
fn gzip_and_zip_are_written_by_extension_and_read_by_magic_bytes() {
    let Some(b) = corpus("datavalueset/dataValueSetB.csv") else {
        return;
    };
    let dir = tmp();
    let gz = dir.join("dataValues.xml.gz");
    let zip = dir.join("dataValues.json.zip");
    ok(&dxf2(&[
        "convert",
        b.to_str().unwrap(),
        "-o",
        gz.to_str().unwrap(),
    ]));
    ok(&dxf2(&[
        "convert",
        gz.to_str().unwrap(),
        "-o",
        zip.to_str().unwrap(),
    ]));
    let bytes = std::fs::read(&gz).unwrap();
    assert_eq!(&bytes[..2], &[0x1F, 0x8B]);
    let bytes = std::fs::read(&zip).unwrap();
    assert_eq!(&bytes[..4], &[0x50, 0x4B, 0x03, 0x04]);
    // The single entry is named as DHIS2 names it: the file name without `.zip`.
    let name_len = u16::from_le_bytes([bytes[26], bytes[27]]) as usize;
    assert_eq!(&bytes[30..30 + name_len], b"dataValues.json");
    // A misleading extension does not matter on input: the content is sniffed.
    let renamed = dir.join("values.bin");
    std::fs::copy(&zip, &renamed).unwrap();
    let csv = ok(&dxf2(&[
        "convert",
        renamed.to_str().unwrap(),
        "-o",
        "-",
        "--to",
        "csv",
    ]));
    assert_eq!(count_csv_rows(&csv), 12);
    // Deterministic archives: the same conversion gives the same bytes.
    let first = std::fs::read(&zip).unwrap();
    ok(&dxf2(&[
        "convert",
        gz.to_str().unwrap(),
        "-o",
        zip.to_str().unwrap(),
    ]));
    assert_eq!(first, std::fs::read(&zip).unwrap());
}

#[test]
fn stdin_to_stdout() {
    let xml = br#"<dataValueSet xmlns="http://dhis2.org/schema/dxf/2.0" period="202401" orgUnit="DiszpKrYNg8"><dataValue dataElement="f7n9E0hX8qk" value="3"/></dataValueSet>"#;
    let out = dxf2_stdin(&["convert", "-", "-o", "-", "--to", "csv"], xml);
    let csv = ok(&out);
    // CSV has no header: set-level period and org unit are copied into the row.
    assert_eq!(
        csv.lines().nth(1).unwrap(),
        "f7n9E0hX8qk,202401,DiszpKrYNg8,,,3,,,,false,null"
    );
    let out = dxf2_stdin(&["convert", "-", "-o", "-", "--to", "json"], csv.as_bytes());
    assert!(ok(&out).contains(r#""dataElement":"f7n9E0hX8qk","period":"202401""#));
}

#[test]
fn broken_input_exits_2_with_its_position() {
    let out = dxf2_stdin(
        &["convert", "-", "-o", "-", "--to", "csv", "--from", "xml"],
        b"<dataValueSet>\n<dataValue dataElement=\"a\">\n</dataValueSet>",
    );
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("line 3"), "{err}");
    let out = dxf2(&["convert", "no-such-file.xml", "-o", "-", "--to", "csv"]);
    assert_eq!(out.status.code(), Some(2));
    let out = dxf2(&["convert", "x.xml", "-o", "out.unknown"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn import_exit_codes_and_summaries() {
    let (Some(g), Some(f)) = (
        corpus("datavalueset/dataValueSetG.xml"),
        corpus("datavalueset/dataValueSetF.xml"),
    ) else {
        return;
    };
    let meta = fixture("fixture_c.json");
    let meta = meta.to_str().unwrap();
    // WARNING: exit 0, DHIS2's JSON summary.
    let out = dxf2(&[
        "import",
        g.to_str().unwrap(),
        "--metadata",
        meta,
        "--summary",
        "json",
    ]);
    let json = ok(&out);
    assert!(
        json.starts_with(r#"{"responseType":"ImportSummary","status":"WARNING""#),
        "{json}"
    );
    assert!(
        json.contains(r#""importCount":{"imported":1,"updated":0,"ignored":3,"deleted":0}"#),
        "{json}"
    );
    // ERROR (aborted): exit 1; XML summary.
    let out = dxf2(&[
        "import",
        f.to_str().unwrap(),
        "--metadata",
        meta,
        "--summary",
        "xml",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("E7604"));
    // Unusable input: exit 2, and the summary says why.
    let out = dxf2_stdin(
        &["import", "-", "--metadata", meta, "--format", "xml"],
        b"<dataValueSet><dataValue",
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stdout).contains("The import process failed"));
    // Bad arguments: exit 2.
    let out = dxf2(&[
        "import",
        g.to_str().unwrap(),
        "--metadata",
        meta,
        "--strategy",
        "sometimes",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let out = dxf2(&[
        "import",
        g.to_str().unwrap(),
        "--metadata",
        meta,
        "--user",
        "nobody",
    ]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn store_import_validate_and_reimport() {
    let Some(b) = corpus("datavalueset/dataValueSetB.xml") else {
        return;
    };
    let dir = tmp();
    let db = dir.join("store.sqlite");
    let db = db.to_str().unwrap();
    let b = b.to_str().unwrap();
    ok(&dxf2(&[
        "metadata",
        "import",
        fixture("fixture_c.json").to_str().unwrap(),
        "--store",
        db,
    ]));
    let v = ok(&dxf2(&["validate", b, "--store", db, "--summary", "json"]));
    assert!(v.contains(r#""imported":12"#), "{v}");
    let first = ok(&dxf2(&["import", b, "--store", db, "--summary", "json"]));
    assert!(first.contains(r#""imported":12"#), "{first}");
    let again = ok(&dxf2(&["import", b, "--store", db, "--summary", "json"]));
    assert!(
        again.contains(r#""importCount":{"imported":0,"updated":0,"ignored":12,"deleted":0}"#),
        "{again}"
    );
    // Table output for people.
    let table = ok(&dxf2(&["import", b, "--store", db]));
    assert!(
        table.contains("Status:      SUCCESS") && table.contains("Ignored: 12"),
        "{table}"
    );
}
