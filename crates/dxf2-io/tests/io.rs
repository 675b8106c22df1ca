//! Inputs and outputs as a host program meets them: compressed, corrupt, hostile, and outputs
//! that must not destroy anything.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use dxf2_io::{
    copy, is_same_file, AnyReader, AnyWriter, Compression, DecompressionLimits, ErrorKind, Format,
    Input, OutputBuilder, ReaderOptions, Warning,
};

const CSV: &str = "dataelement,period,orgunit,catoptcombo,attroptcombo,value\n\
                   DE1,202401,OU1,,,7\n\
                   DE2,202401,OU1,,,8\n";

fn tmp() -> PathBuf {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    let dir = std::env::temp_dir().join(format!(
        "dxf2-io-test-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

/// A zip file of `entries`, deflated; `stream` writes data descriptors (as Java does).
fn zip(entries: &[(&str, &[u8])], stream: bool) -> Vec<u8> {
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    if stream {
        let mut w = zip::ZipWriter::new_stream(Vec::new());
        for (name, data) in entries {
            w.start_file(*name, options).unwrap();
            w.write_all(data).unwrap();
        }
        w.finish().unwrap().into_inner()
    } else {
        let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        for (name, data) in entries {
            if name.ends_with('/') {
                w.add_directory(*name, options).unwrap();
            } else {
                w.start_file(*name, options).unwrap();
                w.write_all(data).unwrap();
            }
        }
        w.finish().unwrap().into_inner()
    }
}

fn read_file(bytes: &[u8], name: &str) -> (Result<String, String>, Vec<Warning>) {
    let dir = tmp();
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    let result = read_path(&path, &DecompressionLimits::default());
    std::fs::remove_dir_all(&dir).unwrap();
    result
}

fn read_path(path: &Path, limits: &DecompressionLimits) -> (Result<String, String>, Vec<Warning>) {
    let mut input = match Input::open(path, limits) {
        Ok(i) => i,
        Err(e) => return (Err(e.to_string()), Vec::new()),
    };
    let warnings = input.warnings();
    let mut text = String::new();
    let read = input
        .read_to_string(&mut text)
        .map(|_| text)
        .map_err(|e| e.to_string());
    (read, warnings.take())
}

fn read_stream(bytes: Vec<u8>) -> Result<String, String> {
    let mut input = Input::from_reader(
        "<stdin>",
        std::io::Cursor::new(bytes),
        &DecompressionLimits::default(),
    )
    .map_err(|e| e.to_string())?;
    let mut text = String::new();
    input.read_to_string(&mut text).map_err(|e| e.to_string())?;
    Ok(text)
}

#[test]
fn gzip_members_are_read_and_garbage_refused() {
    let mut two = gzip(b"abc");
    two.extend(gzip(b"def"));
    assert_eq!(read_file(&two, "a.gz").0.unwrap(), "abcdef");
    let mut garbage = gzip(CSV.as_bytes());
    garbage.extend(b"garbage\n");
    let err = read_file(&garbage, "a.gz").0.unwrap_err();
    assert!(err.contains("trailing garbage"), "{err}");
    let whole = gzip(CSV.as_bytes());
    for cut in [whole.len() - 4, whole.len() / 2, 12] {
        let err = read_file(&whole[..cut], "a.gz").0.unwrap_err();
        assert!(err.contains("truncated"), "cut at {cut}: {err}");
    }
}

#[test]
fn gzip_bomb_is_stopped_by_the_ratio() {
    // 64 MiB of zeros in about 64 KB.
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    let zeros = vec![0u8; 1024 * 1024];
    for _ in 0..64 {
        e.write_all(&zeros).unwrap();
    }
    let bomb = e.finish().unwrap();
    assert!(bomb.len() < 256 * 1024);
    let err = read_file(&bomb, "bomb.gz").0.unwrap_err();
    assert!(err.contains("--max-ratio"), "{err}");
    // Raised, it reads; and the size limit is separate.
    let dir = tmp();
    let path = dir.join("bomb.gz");
    std::fs::write(&path, &bomb).unwrap();
    let generous = DecompressionLimits::default().with_max_ratio(10_000);
    assert_eq!(read_path(&path, &generous).0.unwrap().len(), 64 << 20);
    let small = generous.with_max_expanded_bytes(1 << 20);
    let err = read_path(&path, &small).0.unwrap_err();
    assert!(
        err.contains("--max-expanded-bytes") && err.contains("1 MiB"),
        "{err}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn zip_bomb_is_stopped_by_the_ratio() {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .compression_level(Some(9));
    w.start_file("zeros.csv", options).unwrap();
    let zeros = vec![0u8; 1024 * 1024];
    for _ in 0..64 {
        w.write_all(&zeros).unwrap();
    }
    let bomb = w.finish().unwrap().into_inner();
    assert!(bomb.len() < 256 * 1024);
    let err = read_file(&bomb, "bomb.zip").0.unwrap_err();
    assert!(err.contains("--max-ratio"), "{err}");
}

#[test]
fn zip_reads_the_first_file_and_warns_about_the_others() {
    let bytes = zip(
        &[
            ("dir/", b""),
            ("first.csv", CSV.as_bytes()),
            ("second.csv", b"x"),
            ("third.csv", b"y"),
        ],
        false,
    );
    let (text, warnings) = read_file(&bytes, "a.zip");
    assert_eq!(text.unwrap(), CSV);
    assert_eq!(warnings.len(), 1);
    let shown = warnings[0].to_string();
    assert!(
        shown.contains("first.csv") && shown.contains("2 other files ignored"),
        "{shown}"
    );
    // One file: no warning.
    let (_, warnings) = read_file(&zip(&[("only.csv", b"a")], false), "b.zip");
    assert!(warnings.is_empty());
}

#[test]
fn zip_with_data_descriptors_reads_from_a_file_not_a_stream() {
    let bytes = zip(&[("dataValues.csv", CSV.as_bytes())], true);
    assert_eq!(read_file(&bytes, "dhis2.zip").0.unwrap(), CSV);
    let err = read_stream(bytes).unwrap_err();
    assert!(
        err.contains("data descriptor") && err.contains("pass the file"),
        "{err}"
    );
    // A stream without data descriptors is read, and other entries counted at its end.
    let sized = zip(&[("a.csv", CSV.as_bytes()), ("b.csv", b"x")], false);
    let mut input = Input::from_reader(
        "<stdin>",
        std::io::Cursor::new(sized),
        &DecompressionLimits::default(),
    )
    .unwrap();
    let warnings = input.warnings();
    let mut text = String::new();
    input.read_to_string(&mut text).unwrap();
    assert_eq!(text, CSV);
    assert!(warnings.take()[0]
        .to_string()
        .contains("1 other file ignored"));
}

/// Offsets of the local header and central directory header of the first entry.
fn headers(bytes: &[u8]) -> (usize, usize) {
    let find = |sig: &[u8]| bytes.windows(4).position(|w| w == sig).unwrap();
    (find(b"PK\x03\x04"), find(b"PK\x01\x02"))
}

#[test]
fn zip_crc_mismatch_is_an_error() {
    let data = "dataelement,period,orgunit,catoptcombo,attroptcombo,value\nDE1,202401,OU1,,,7\n";
    let options =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    w.start_file("a.csv", options).unwrap();
    w.write_all(data.as_bytes()).unwrap();
    let mut bytes = w.finish().unwrap().into_inner();
    // Change the value 7 into 9 inside the stored entry.
    let at = bytes.windows(4).position(|w| w == b",,,7").unwrap();
    bytes[at + 3] = b'9';
    let err = read_file(&bytes, "a.zip").0.unwrap_err();
    assert!(err.contains("checksum"), "{err}");
    let err = read_stream(bytes).unwrap_err();
    assert!(err.contains("checksum"), "{err}");
}

#[test]
fn encrypted_zip_entries_are_refused() {
    let mut bytes = zip(&[("secret.csv", CSV.as_bytes())], false);
    let (local, central) = headers(&bytes);
    bytes[local + 6] |= 1;
    bytes[central + 8] |= 1;
    let err = read_file(&bytes, "a.zip").0.unwrap_err();
    assert!(err.contains("encrypted"), "{err}");
    let err = read_stream(bytes).unwrap_err();
    assert!(err.contains("encrypted"), "{err}");
}

#[test]
fn zip_declaring_more_than_it_holds_is_refused() {
    let options =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    w.start_file("a.csv", options).unwrap();
    w.write_all(CSV.as_bytes()).unwrap();
    let mut bytes = w.finish().unwrap().into_inner();
    let (local, central) = headers(&bytes);
    // Declare 4 GiB - 2 compressed and uncompressed bytes in both headers.
    for (at, sizes) in [(local + 18, 8), (central + 20, 8)] {
        bytes[at..at + sizes].copy_from_slice(&[0xFE, 0xFF, 0xFF, 0xFF, 0xFE, 0xFF, 0xFF, 0xFF]);
    }
    assert!(read_file(&bytes, "a.zip").0.is_err());
    assert!(read_stream(bytes).is_err());
    // A truncated archive.
    let whole = zip(&[("a.csv", CSV.as_bytes())], false);
    assert!(read_file(&whole[..whole.len() / 2], "b.zip").0.is_err());
}

#[test]
fn an_empty_zip_says_so() {
    let bytes = zip(&[("dir/", b"")], false);
    let err = read_file(&bytes, "a.zip").0.unwrap_err();
    assert!(err.contains("no file"), "{err}");
}

#[test]
fn outputs_replace_only_on_commit() {
    let dir = tmp();
    let path = dir.join("out.csv");
    std::fs::write(&path, "old").unwrap();
    {
        let mut out = OutputBuilder::new().create(&path).unwrap();
        out.write_all(b"half").unwrap();
        // Dropped without commit: the old file stays, the temporary file goes.
    }
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "old");
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1);
    let mut out = OutputBuilder::new().create(&path).unwrap();
    out.write_all(b"new").unwrap();
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "old");
    out.commit().unwrap();
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "new");
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[cfg(unix)]
#[test]
fn outputs_keep_links_and_refuse_inputs() {
    let dir = tmp();
    let input = dir.join("in.csv");
    std::fs::write(&input, CSV).unwrap();
    let hard = dir.join("hard.csv");
    std::fs::hard_link(&input, &hard).unwrap();
    let soft = dir.join("soft.csv");
    std::os::unix::fs::symlink("in.csv", &soft).unwrap();
    for output in [&input, &hard, &soft] {
        assert!(is_same_file(output, &input).unwrap());
        let err = OutputBuilder::new()
            .protect(&input)
            .create(output)
            .unwrap_err();
        assert!(matches!(err.kind(), ErrorKind::SameFile { .. }), "{err}");
        assert!(err.to_string().contains("in.csv"), "{err}");
    }
    assert_eq!(std::fs::read_to_string(&input).unwrap(), CSV);
    assert!(!is_same_file(&input, &dir.join("missing")).unwrap());
    // A symbolic link to another file: the target is replaced, the link stays.
    let target = dir.join("target.csv");
    std::fs::write(&target, "old").unwrap();
    let link = dir.join("link.csv");
    std::os::unix::fs::symlink("target.csv", &link).unwrap();
    let mut out = OutputBuilder::new().protect(&input).create(&link).unwrap();
    out.write_all(b"new").unwrap();
    out.commit().unwrap();
    assert!(std::fs::symlink_metadata(&link)
        .unwrap()
        .file_type()
        .is_symlink());
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "new");
    // A directory is refused.
    assert!(OutputBuilder::new().create(&dir).is_err());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn converts_through_compressed_files() {
    let dir = tmp();
    let from = dir.join("in.csv.gz");
    std::fs::write(&from, gzip(CSV.as_bytes())).unwrap();
    let to = dir.join("out.xml.zip");
    let mut input = Input::open(&from, &DecompressionLimits::default()).unwrap();
    assert_eq!(input.compression(), Compression::Gzip);
    let format = Format::detect(None, &from, input.head().unwrap());
    assert_eq!(format, Format::Csv);
    let mut reader = AnyReader::open(input, format, &ReaderOptions::default()).unwrap();
    let out = OutputBuilder::new()
        .compression(Compression::from_path(&to))
        .create(&to)
        .unwrap();
    let mut writer = AnyWriter::new(Format::Xml, out);
    assert_eq!(copy(&mut reader, &mut writer).unwrap().values, 2);
    writer.into_inner().unwrap().commit().unwrap();
    let (text, _) = read_path(&to, &DecompressionLimits::default());
    let text = text.unwrap();
    assert!(text.contains("dataElement=\"DE2\""), "{text}");
    // The entry is named like the file without `.zip`.
    let archive = zip::ZipArchive::new(std::fs::File::open(&to).unwrap()).unwrap();
    assert_eq!(archive.name_for_index(0).unwrap().unwrap(), "out.xml");
    std::fs::remove_dir_all(&dir).unwrap();
}
