//! Issue 7: the command never loses a file of the user or their store, refuses hostile or corrupt
//! compressed inputs, and exits by the import's status when only its summary could not be printed.
//! Each test runs the built `dxf2` and checks the exit status, the message and that nothing of
//! the user's was lost.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

const CSV: &str = "dataelement,period,orgunit,categoryoptioncombo,attributeoptioncombo,value\n\
                   deabcdefghA,201603,ouabcdefghA,cuabcdefghA,cuabcdefghA,7\n\
                   deabcdefghB,201603,ouabcdefghB,cuabcdefghB,cuabcdefghB,8\n";

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
    let mut stdin = child.stdin.take().unwrap();
    // The command may refuse before reading everything.
    let _ = stdin.write_all(input);
    drop(stdin);
    child.wait_with_output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn ok(out: &Output) {
    assert!(
        out.status.success(),
        "exit {:?}\nstdout: {}\nstderr: {}",
        out.status.code(),
        text(&out.stdout),
        text(&out.stderr)
    );
}

/// Exit 2 with `needle` in the message.
fn refused(out: &Output, needle: &str) {
    assert_eq!(
        out.status.code(),
        Some(2),
        "stdout: {}\nstderr: {}",
        text(&out.stdout),
        text(&out.stderr)
    );
    assert!(text(&out.stderr).contains(needle), "{}", text(&out.stderr));
}

fn tmp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("dxf2-cli-safety-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// The names in `dir`, sorted (to see that no temporary file is left behind).
fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures")
        .join(name)
}

/// A store with fixture E's metadata and two values.
fn store(dir: &Path) -> PathBuf {
    let db = dir.join("store.sqlite");
    ok(&dxf2(&[
        "metadata",
        "import",
        s(&fixture("fixture_e.json")),
        "--store",
        s(&db),
    ]));
    let values = dir.join("values.csv");
    std::fs::write(&values, CSV).unwrap();
    ok(&dxf2(&["import", s(&values), "--store", s(&db)]));
    std::fs::remove_file(&values).unwrap();
    db
}

const EXPORT: [&str; 6] = [
    "--data-set",
    "dsabcdefghA",
    "--period",
    "201603",
    "--org-unit",
    "ouabcdefghA",
];

fn export(db: &Path, more: &[&str]) -> Output {
    dxf2(&[&["export", "--store", s(db)], &EXPORT[..], more].concat())
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

fn zip(entries: &[(&str, &[u8])], descriptors: bool) -> Vec<u8> {
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    if descriptors {
        // As Java's ZipOutputStream (and so DHIS2) writes them: sizes after the data.
        let mut w = zip::ZipWriter::new_stream(Vec::new());
        for (name, data) in entries {
            w.start_file(*name, options).unwrap();
            w.write_all(data).unwrap();
        }
        return w.finish().unwrap().into_inner();
    }
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, data) in entries {
        w.start_file(*name, options).unwrap();
        w.write_all(data).unwrap();
    }
    w.finish().unwrap().into_inner()
}

/// Case 1: `convert X -o X` refuses, for every format, through a symbolic and a hard link too.
#[test]
fn convert_never_overwrites_its_input() {
    let dir = tmp("same");
    let csv = dir.join("in.csv");
    std::fs::write(&csv, CSV).unwrap();
    let xml = dir.join("in.xml");
    let json = dir.join("in.json");
    ok(&dxf2(&["convert", s(&csv), "-o", s(&xml)]));
    ok(&dxf2(&["convert", s(&csv), "-o", s(&json)]));
    for input in [&csv, &xml, &json] {
        let before = std::fs::read(input).unwrap();
        let out = dxf2(&["convert", s(input), "-o", s(input)]);
        refused(&out, "it is the same file as");
        assert!(text(&out.stderr).contains(s(input)));
        let ext = input.extension().unwrap().to_str().unwrap();
        let soft = dir.join(format!("soft.{ext}"));
        std::os::unix::fs::symlink(input, &soft).unwrap();
        refused(
            &dxf2(&["convert", s(input), "-o", s(&soft)]),
            "it is the same file as",
        );
        let hard = dir.join(format!("hard.{ext}"));
        std::fs::hard_link(input, &hard).unwrap();
        refused(
            &dxf2(&["convert", s(input), "-o", s(&hard)]),
            "it is the same file as",
        );
        assert_eq!(std::fs::read(input).unwrap(), before, "{ext} input intact");
        assert!(std::fs::symlink_metadata(&soft)
            .unwrap()
            .file_type()
            .is_symlink());
    }
    assert!(!names(&dir).iter().any(|n| n.contains("dxf2-tmp")));
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Case 2: `export --store S -o S` refuses and leaves the store whole.
#[test]
fn export_never_overwrites_its_store() {
    let dir = tmp("store");
    let db = store(&dir);
    let before = std::fs::read(&db).unwrap();
    let out = export(&db, &["-o", s(&db), "--format", "csv"]);
    refused(&out, "it is the same file as");
    assert_eq!(std::fs::read(&db).unwrap(), before);
    let link = dir.join("link.csv");
    std::os::unix::fs::symlink(&db, &link).unwrap();
    refused(&export(&db, &["-o", s(&link)]), "it is the same file as");
    assert_eq!(std::fs::read(&db).unwrap(), before);
    // Still a working store.
    let out = export(&db, &["--format", "csv"]);
    ok(&out);
    assert!(text(&out.stdout).contains("deabcdefghA"));
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Case 3: a failed export leaves whatever `-o` names as it was: a file of the user, a device.
#[test]
fn failed_export_removes_nothing_of_the_user() {
    let dir = tmp("export-fails");
    let db = store(&dir);
    // Break the store's value table so that reading values fails after the output exists.
    {
        let conn = rusqlite::Connection::open(&db).unwrap();
        conn.execute_batch(
            "ALTER TABLE datavalue RENAME TO datavalue_gone; CREATE TABLE datavalue (x INTEGER);",
        )
        .unwrap();
    }
    let previous = dir.join("previous.csv");
    std::fs::write(&previous, "the user's own file\n").unwrap();
    let out = export(&db, &["-o", s(&previous)]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert_eq!(
        std::fs::read_to_string(&previous).unwrap(),
        "the user's own file\n"
    );
    let listing = names(&dir);
    assert!(
        !listing.iter().any(|n| n.contains("dxf2-tmp")),
        "no temporary file left: {listing:?}"
    );
    // A symbolic link as -o: the link and its target stay as they were.
    let link = dir.join("link.csv");
    std::os::unix::fs::symlink("previous.csv", &link).unwrap();
    let out = export(&db, &["-o", s(&link)]);
    assert_eq!(out.status.code(), Some(2));
    assert!(std::fs::symlink_metadata(&link)
        .unwrap()
        .file_type()
        .is_symlink());
    assert_eq!(
        std::fs::read_to_string(&previous).unwrap(),
        "the user's own file\n"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Case 3: a character device as `-o` is written through and never removed, also when writing fails
/// (a private `/dev/full`).
#[test]
fn devices_are_written_through_and_never_removed() {
    let dir = tmp("devices");
    let db = store(&dir);
    let null = dir.join("null");
    let full = dir.join("full");
    let made = Command::new("mknod")
        .args([s(&null), "c", "1", "3"])
        .status()
        .is_ok_and(|st| st.success())
        && Command::new("mknod")
            .args([s(&full), "c", "1", "7"])
            .status()
            .is_ok_and(|st| st.success());
    if !made {
        eprintln!("mknod is not permitted here: the device test did NOT run");
        std::fs::remove_dir_all(&dir).unwrap();
        return;
    }
    let is_device = |p: &Path| {
        use std::os::unix::fs::FileTypeExt;
        std::fs::symlink_metadata(p)
            .unwrap()
            .file_type()
            .is_char_device()
    };
    ok(&export(&db, &["-o", s(&null), "--format", "csv"]));
    assert!(is_device(&null));
    let out = export(&db, &["-o", s(&full), "--format", "csv"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(is_device(&full), "the device is still there");
    let values = dir.join("v.csv");
    std::fs::write(&values, CSV).unwrap();
    ok(&dxf2(&[
        "convert",
        s(&values),
        "-o",
        s(&null),
        "--to",
        "csv",
    ]));
    let out = dxf2(&["convert", s(&values), "-o", s(&full), "--to", "csv"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(is_device(&null) && is_device(&full));
    // A symbolic link to a regular file: the target is replaced, the link stays.
    let target = dir.join("target.csv");
    std::fs::write(&target, "old").unwrap();
    let link = dir.join("link.csv");
    std::os::unix::fs::symlink("target.csv", &link).unwrap();
    ok(&export(&db, &["-o", s(&link)]));
    assert!(std::fs::symlink_metadata(&link)
        .unwrap()
        .file_type()
        .is_symlink());
    assert!(std::fs::read_to_string(&target)
        .unwrap()
        .contains("deabcdefghA"));
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Case 4: a failed convert leaves no output, and a previous file at `-o` untouched.
#[test]
fn failed_convert_leaves_no_output() {
    let dir = tmp("convert-fails");
    let values = dir.join("v.csv");
    std::fs::write(&values, CSV).unwrap();
    let xml = dir.join("v.xml");
    ok(&dxf2(&["convert", s(&values), "-o", s(&xml)]));
    let whole = std::fs::read(&xml).unwrap();
    let truncated = dir.join("truncated.xml");
    std::fs::write(&truncated, &whole[..whole.len() - 40]).unwrap();
    let garbage = dir.join("garbage.xml.gz");
    let mut bytes = gzip(&whole);
    bytes.extend_from_slice(b"this is not gzip\n");
    std::fs::write(&garbage, bytes).unwrap();
    for (input, needle) in [
        (&truncated, "truncated.xml"),
        (&garbage, "trailing garbage"),
    ] {
        let out_path = dir.join("out.csv");
        let listing = names(&dir);
        refused(&dxf2(&["convert", s(input), "-o", s(&out_path)]), needle);
        assert_eq!(names(&dir), listing, "no output, no temporary file");
        std::fs::write(&out_path, "previous\n").unwrap();
        refused(&dxf2(&["convert", s(input), "-o", s(&out_path)]), needle);
        assert_eq!(std::fs::read_to_string(&out_path).unwrap(), "previous\n");
        std::fs::remove_file(&out_path).unwrap();
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Case 6: zip entries: CRC checked, encryption refused, one file read with a warning for the others,
/// data descriptors read from a file and refused from stdin with the hint.
#[test]
fn zip_inputs_are_checked() {
    let dir = tmp("zip");
    let out_path = dir.join("out.csv");
    // A stored entry whose 7 became 9.
    let options =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    w.start_file("v.csv", options).unwrap();
    w.write_all(CSV.as_bytes()).unwrap();
    let mut bytes = w.finish().unwrap().into_inner();
    let at = bytes.windows(2).position(|w| w == b",7").unwrap();
    bytes[at + 1] = b'9';
    let corrupt = dir.join("corrupt.zip");
    std::fs::write(&corrupt, &bytes).unwrap();
    refused(
        &dxf2(&["convert", s(&corrupt), "-o", s(&out_path)]),
        "checksum",
    );
    assert!(!out_path.exists());
    // Encrypted (the flag set in both headers).
    let mut bytes = zip(&[("v.csv", CSV.as_bytes())], false);
    let local = bytes.windows(4).position(|w| w == b"PK\x03\x04").unwrap();
    let central = bytes.windows(4).position(|w| w == b"PK\x01\x02").unwrap();
    bytes[local + 6] |= 1;
    bytes[central + 8] |= 1;
    let encrypted = dir.join("encrypted.zip");
    std::fs::write(&encrypted, &bytes).unwrap();
    refused(
        &dxf2(&["convert", s(&encrypted), "-o", s(&out_path)]),
        "encrypted",
    );
    // Two files: the first is read, a warning names how many were ignored.
    let two = dir.join("two.zip");
    std::fs::write(
        &two,
        zip(&[("v.csv", CSV.as_bytes()), ("other.csv", b"x\n")], false),
    )
    .unwrap();
    let out = dxf2(&["convert", s(&two), "-o", s(&out_path)]);
    ok(&out);
    assert!(
        text(&out.stderr).contains("warning") && text(&out.stderr).contains("1 other file ignored"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(
        std::fs::read_to_string(&out_path).unwrap().lines().count(),
        3
    );
    // DHIS2's own zips (data descriptors): read from a file, refused on stdin with the hint.
    let dhis2 = dir.join("dataValues.csv.zip");
    let bytes = zip(&[("dataValues.csv", CSV.as_bytes())], true);
    std::fs::write(&dhis2, &bytes).unwrap();
    ok(&dxf2(&["convert", s(&dhis2), "-o", s(&out_path)]));
    refused(
        &dxf2_stdin(&["convert", "-", "-o", "-", "--to", "csv"], &bytes),
        "pass the file itself",
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Decompression bombs (small on disk: a CSV of 64 MiB of blank lines, which a reader would
/// otherwise read to the end) are refused by the ratio limit; the limits are flags.
#[test]
fn decompression_bombs_are_refused() {
    let dir = tmp("bombs");
    let blank = vec![b'\n'; 1024 * 1024];
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .compression_level(Some(9));
    let mut zw = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    zw.start_file("bomb.csv", options).unwrap();
    gz.write_all(CSV.as_bytes()).unwrap();
    zw.write_all(CSV.as_bytes()).unwrap();
    for _ in 0..64 {
        gz.write_all(&blank).unwrap();
        zw.write_all(&blank).unwrap();
    }
    let gz_bomb = dir.join("bomb.csv.gz");
    std::fs::write(&gz_bomb, gz.finish().unwrap()).unwrap();
    let zip_bomb = dir.join("bomb.csv.zip");
    std::fs::write(&zip_bomb, zw.finish().unwrap().into_inner()).unwrap();
    let out_path = dir.join("out.json");
    for bomb in [&gz_bomb, &zip_bomb] {
        assert!(std::fs::metadata(bomb).unwrap().len() < 256 * 1024);
        refused(
            &dxf2(&["convert", s(bomb), "-o", s(&out_path)]),
            "--max-ratio",
        );
        assert!(!out_path.exists());
        let out = dxf2(&[
            "convert",
            s(bomb),
            "-o",
            s(&out_path),
            "--max-ratio",
            "100000",
            "--max-expanded-bytes",
            "1MiB",
        ]);
        refused(&out, "--max-expanded-bytes");
        assert!(!out_path.exists());
    }
    // Raised far enough, the file reads.
    ok(&dxf2(&[
        "convert",
        s(&gz_bomb),
        "-o",
        s(&out_path),
        "--max-ratio",
        "100000",
    ]));
    // `validate` (and `import`) take the same limits; the summary says what was hit.
    let meta = fixture("fixture_e.json");
    let out = dxf2(&[
        "validate",
        s(&gz_bomb),
        "--metadata",
        s(&meta),
        "--max-expanded-bytes",
        "1K",
    ]);
    refused(&out, "--max-expanded-bytes");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Case 10: a committed import whose summary cannot be printed exits by its status and says so.
#[test]
fn lost_summary_does_not_turn_a_committed_import_into_a_failure() {
    let dir = tmp("summary");
    let db = store(&dir);
    let values = dir.join("more.csv");
    std::fs::write(
        &values,
        "dataelement,period,orgunit,categoryoptioncombo,attributeoptioncombo,value\n\
         deabcdefghA,201604,ouabcdefghA,cuabcdefghA,cuabcdefghA,3\n",
    )
    .unwrap();
    // stdout on a full disk.
    let full = std::fs::OpenOptions::new().write(true).open("/dev/full");
    if let Ok(full) = full {
        let out = Command::new(env!("CARGO_BIN_EXE_dxf2"))
            .args(["import", s(&values), "--store", s(&db)])
            .stdout(full)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        let err = text(&out.stderr);
        assert!(err.contains("summary was lost"), "{err}");
        assert!(err.contains("dxf2 validate"), "{err}");
        assert!(err.contains("imported 1"), "{err}");
    } else {
        eprintln!("/dev/full is missing: the full-disk case did NOT run");
    }
    // The value is in the store.
    let out = dxf2(&[
        "export",
        "--store",
        s(&db),
        "--data-set",
        "dsabcdefghA",
        "--period",
        "201604",
        "--org-unit",
        "ouabcdefghA",
        "--format",
        "csv",
    ]);
    ok(&out);
    assert!(text(&out.stdout).contains("201604"));
    // A closed pipe (`| head` that has gone): exit by the status too.
    let mut child = Command::new(env!("CARGO_BIN_EXE_dxf2"))
        .args(["import", s(&values), "--store", s(&db), "--summary", "json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    std::fs::remove_dir_all(&dir).unwrap();
}
