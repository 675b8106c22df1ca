//! What the behaviour tests of the `dxf2` command share: running it, temporary directories, the
//! bundled example store.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// Runs `dxf2 args`.
pub fn dxf2(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_dxf2"))
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

/// Runs `dxf2 args` with `input` on stdin.
pub fn dxf2_stdin(args: &[&str], input: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_dxf2"))
        .args(args)
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The command may refuse before reading all of it.
    let _ = child.stdin.take().unwrap().write_all(input);
    child.wait_with_output().unwrap()
}

pub fn out(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn err(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Asserts the exit status and that stderr holds every one of `needles`.
#[track_caller]
pub fn exits(o: &Output, code: i32, needles: &[&str]) {
    assert_eq!(
        o.status.code(),
        Some(code),
        "stdout: {}\nstderr: {}",
        out(o),
        err(o)
    );
    for needle in needles {
        assert!(
            err(o).contains(needle),
            "`{needle}` not in stderr: {}",
            err(o)
        );
    }
}

/// Exits with `code`, and each needle is in stdout or stderr.
pub fn says(o: &Output, code: i32, needles: &[&str]) {
    let both = format!("{}\n{}", out(o), err(o));
    assert_eq!(o.status.code(), Some(code), "{both}");
    for needle in needles {
        assert!(both.contains(needle), "`{needle}` not in: {both}");
    }
}

/// A fresh directory for one test.
pub fn tmp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("dxf2-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

pub fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// A file of the repository's examples/data.
pub fn example(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples/data")
        .join(name)
}

/// A store in `dir` with the example's malaria metadata (codes MAL_MONTHLY, KA, KA_HC1…).
pub fn malaria_store(dir: &Path) -> PathBuf {
    let db = dir.join("store.sqlite");
    let o = dxf2(&[
        "metadata",
        "import",
        s(&example("malaria-metadata.json")),
        "--store",
        s(&db),
    ]);
    exits(&o, 0, &[]);
    db
}

/// Writes `text` to `dir/name`.
pub fn file(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

/// The classic CSV header.
pub const HEADER: &str =
    "dataelement,period,orgunit,categoryoptioncombo,attributeoptioncombo,value,storedby,lastupdated,comment,followup,deleted";
