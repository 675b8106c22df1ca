//! The import journal, for hosts: what a [`Job`](crate::store::Job) records about an input
//! (its name, size and SHA-256), hashed from the file or while a stream is read.
//!
//! The journal itself is [`store::Journal`](crate::store::Journal), kept by every store; a
//! host records each import in the import's own transaction (see
//! [`HeldCommit`](crate::store::HeldCommit)).
//!
//! ```
//! use std::io::Read;
//! use dxf2::jobs::{input_of_file, Sha256Reader};
//!
//! let dir = std::env::temp_dir().join(format!("dxf2-jobs-doc-{}", std::process::id()));
//! std::fs::create_dir_all(&dir).unwrap();
//! let path = dir.join("values.csv");
//! std::fs::write(&path, "abc").unwrap();
//! let input = input_of_file(&path).unwrap();
//! assert_eq!(input.size, 3);
//! assert_eq!(
//!     input.sha256,
//!     "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
//! );
//!
//! // A stream (standard input) is hashed as it is read.
//! let mut reader = Sha256Reader::new(&b"abc"[..]);
//! std::io::copy(&mut reader, &mut std::io::sink()).unwrap();
//! assert_eq!(reader.finish().sha256, input.sha256);
//! # std::fs::remove_dir_all(&dir).unwrap();
//! ```

use std::fs::File;
use std::io::{self, Read};
use std::path::Path;
use std::sync::{Arc, Mutex};

use sha2::{Digest, Sha256};

use crate::store::JobInput;

/// The SHA-256 of `bytes`, as 64 lowercase hexadecimal digits.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

fn hex(digest: &[u8]) -> String {
    let mut out = String::with_capacity(digest.len() * 2);
    for b in digest {
        for nibble in [b >> 4, b & 0xf] {
            out.extend(char::from_digit(u32::from(nibble), 16));
        }
    }
    out
}

/// The file at `path` as a job input: its name (the path as given), size and SHA-256, read once
/// from start to end (at the disk's speed: SHA-256 runs at several hundred MB/s).
pub fn input_of_file(path: &Path) -> io::Result<JobInput> {
    let mut reader = Sha256Reader::new(File::open(path)?);
    io::copy(&mut reader, &mut io::sink())?;
    let mut input = reader.finish();
    input.name = path.display().to_string();
    Ok(input)
}

/// A reader that hashes (and counts) every byte read through it: the job input of a stream that
/// cannot be read twice.
#[derive(Debug)]
pub struct Sha256Reader<R> {
    inner: R,
    hasher: Sha256,
    size: u64,
}

impl<R: Read> Sha256Reader<R> {
    /// Wraps `inner`.
    pub fn new(inner: R) -> Sha256Reader<R> {
        Sha256Reader {
            inner,
            hasher: Sha256::new(),
            size: 0,
        }
    }

    /// The bytes read so far.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// The input as read so far: size and SHA-256 (name empty: the caller knows it).
    pub fn finish(self) -> JobInput {
        JobInput {
            name: String::new(),
            size: self.size,
            sha256: hex(&self.hasher.finalize()),
        }
    }
}

impl<R: Read> Read for Sha256Reader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        if let Some(read) = buf.get(..n) {
            self.hasher.update(read);
        }
        self.size += n as u64;
        Ok(n)
    }
}

/// The SHA-256 (and size) of a stream that another owner reads — an input handed to a reader
/// that keeps it: [`reader`](Sha256Tap::reader) wraps the stream, [`input`](Sha256Tap::input)
/// tells what passed through so far.
///
/// ```
/// use dxf2::jobs::Sha256Tap;
///
/// let tap = Sha256Tap::new();
/// let mut reader = tap.reader(&b"abc"[..]);
/// std::io::copy(&mut reader, &mut std::io::sink()).unwrap();
/// drop(reader);
/// assert_eq!(tap.input().size, 3);
/// assert!(tap.input().sha256.starts_with("ba7816bf"));
/// ```
#[derive(Clone, Debug, Default)]
pub struct Sha256Tap(Arc<Mutex<(Sha256, u64)>>);

impl Sha256Tap {
    /// A tap that has seen nothing.
    pub fn new() -> Sha256Tap {
        Sha256Tap::default()
    }

    /// `inner`, with every byte read through it hashed into this tap.
    pub fn reader<R: Read>(&self, inner: R) -> TapReader<R> {
        TapReader {
            inner,
            tap: self.clone(),
        }
    }

    /// What passed through so far: size and SHA-256 (name empty).
    pub fn input(&self) -> JobInput {
        let (digest, size) = match self.0.lock() {
            Ok(state) => (state.0.clone().finalize(), state.1),
            Err(poisoned) => {
                let state = poisoned.into_inner();
                (state.0.clone().finalize(), state.1)
            }
        };
        JobInput {
            name: String::new(),
            size,
            sha256: hex(&digest),
        }
    }
}

/// A reader hashing into a [`Sha256Tap`].
#[derive(Debug)]
pub struct TapReader<R> {
    inner: R,
    tap: Sha256Tap,
}

impl<R: Read> Read for TapReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        if let (Some(read), Ok(mut state)) = (buf.get(..n), self.tap.0.lock()) {
            state.0.update(read);
            state.1 += n as u64;
        }
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_input_has_the_known_digest() {
        assert_eq!(
            sha256_hex(b""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }
}
