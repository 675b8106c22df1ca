//! The bundle file: a zip of the manifest and its entries, written in memory and read back
//! checked (every entry's CRC, size and SHA-256) before anything is applied.

use std::io::{Cursor, Read, Write};

use super::manifest::{Manifest, FORMAT};
use super::Error;
use crate::jobs::sha256_hex;

/// The manifest's entry name.
pub const MANIFEST_ENTRY: &str = "manifest.json";
/// The data value set's entry name (DXF2 JSON).
pub const DATA_ENTRY: &str = "dataValues.json";
/// The completions' entry name (DHIS2's `completeDataSetRegistrations` JSON).
pub const COMPLETIONS_ENTRY: &str = "completeDataSetRegistrations.json";
/// The metadata package's entry name (DHIS2 metadata JSON).
pub const METADATA_ENTRY: &str = "metadata.json";

/// The largest manifest read (a manifest lists a handful of entries).
const MANIFEST_LIMIT: u64 = 1 << 20;

/// A bundle read and checked: its manifest, every entry's bytes (each matching the size and
/// SHA-256 the manifest gives), and the SHA-256 of the whole file.
///
/// Bundles are read whole into memory: a bundle holds one facility's changes.
#[derive(Clone, Debug)]
pub struct Bundle {
    manifest: Manifest,
    entries: Vec<(String, Vec<u8>)>,
    sha256: String,
    size: u64,
}

impl Bundle {
    /// Reads and checks the bundle file `bytes`: a zip holding `manifest.json` and exactly the
    /// entries it names, each with the size and SHA-256 it gives. A file that is not a bundle is
    /// [`Error::NotABundle`]; a bundle whose bytes changed is [`Error::Damaged`].
    pub fn read(bytes: &[u8]) -> Result<Bundle, Error> {
        let mut zip = zip::ZipArchive::new(Cursor::new(bytes))
            .map_err(|e| Error::NotABundle(format!("not a readable zip file ({e})")))?;
        let manifest_bytes = {
            let file = zip.by_name(MANIFEST_ENTRY).map_err(|_| {
                Error::NotABundle(format!("the zip file holds no {MANIFEST_ENTRY}"))
            })?;
            read_limited(file, MANIFEST_ENTRY, MANIFEST_LIMIT)?
        };
        let manifest: Manifest = serde_json::from_slice(&manifest_bytes)
            .map_err(|e| Error::NotABundle(format!("{MANIFEST_ENTRY} cannot be read: {e}")))?;
        if manifest.format != FORMAT {
            return Err(Error::NotABundle(format!(
                "{MANIFEST_ENTRY} says format {:?}; this version reads {FORMAT:?}",
                manifest.format
            )));
        }
        if manifest.sequence == 0 {
            return Err(Error::Damaged(format!(
                "{MANIFEST_ENTRY} says sequence 0: bundles are numbered from 1"
            )));
        }
        if manifest.changes.after > manifest.changes.through {
            return Err(Error::Damaged(format!(
                "{MANIFEST_ENTRY} says changes after {} through {}: the range is backwards",
                manifest.changes.after, manifest.changes.through
            )));
        }
        let stray = zip.file_names().find_map(|name| match name {
            Ok(name) if name == MANIFEST_ENTRY || manifest.entry(&name).is_some() => None,
            Ok(name) => Some(name.into_owned()),
            Err(e) => Some(format!("(unreadable name: {e})")),
        });
        if let Some(name) = stray {
            return Err(Error::Damaged(format!(
                "it holds an entry the manifest does not name: {name:?}"
            )));
        }
        let mut entries = Vec::with_capacity(manifest.entries.len());
        for entry in &manifest.entries {
            let file = zip.by_name(&entry.name).map_err(|_| {
                Error::Damaged(format!("{} (named by the manifest) is missing", entry.name))
            })?;
            let content = read_limited(file, &entry.name, entry.size.saturating_add(1))?;
            if content.len() as u64 != entry.size {
                return Err(Error::Damaged(format!(
                    "{} is {} bytes, the manifest says {}",
                    entry.name,
                    content.len(),
                    entry.size
                )));
            }
            let sha = sha256_hex(&content);
            if sha != entry.sha256 {
                return Err(Error::Damaged(format!(
                    "{}: its SHA-256 is {sha}, the manifest says {}",
                    entry.name, entry.sha256
                )));
            }
            entries.push((entry.name.clone(), content));
        }
        Ok(Bundle {
            manifest,
            entries,
            sha256: sha256_hex(bytes),
            size: bytes.len() as u64,
        })
    }

    /// The manifest.
    pub fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    /// The bytes of entry `name` ([`DATA_ENTRY`], …), if the bundle has it.
    pub fn entry(&self, name: &str) -> Option<&[u8]> {
        self.entries
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, bytes)| bytes.as_slice())
    }

    /// The SHA-256 of the whole bundle file.
    pub fn sha256(&self) -> &str {
        &self.sha256
    }

    /// The size of the bundle file in bytes.
    pub fn size(&self) -> u64 {
        self.size
    }
}

/// Reads a zip entry whole, at most `limit` bytes; a read failure (the zip's CRC of the entry,
/// damaged compressed data) is [`Error::Damaged`].
fn read_limited(file: impl Read, name: &str, limit: u64) -> Result<Vec<u8>, Error> {
    let mut content = Vec::new();
    file.take(limit)
        .read_to_end(&mut content)
        .map_err(|e| Error::Damaged(format!("{name} cannot be read back as written ({e})")))?;
    Ok(content)
}

/// Writes a bundle: the entries in the order given (the data value set first: DHIS2 and `dxf2
/// import` read the first entry of a zip), then the manifest, deflated, with fixed times (the
/// same content gives the same bytes).
pub(super) fn write_zip(manifest: &Manifest, entries: &[(&str, &[u8])]) -> Result<Vec<u8>, Error> {
    let err = |e: &dyn std::fmt::Display| Error::Write(e.to_string());
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .last_modified_time(zip::DateTime::default());
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for (name, bytes) in entries {
        zip.start_file(*name, options).map_err(|e| err(&e))?;
        zip.write_all(bytes).map_err(|e| err(&e))?;
    }
    let manifest_json = serde_json::to_vec_pretty(manifest).map_err(|e| err(&e))?;
    zip.start_file(MANIFEST_ENTRY, options)
        .map_err(|e| err(&e))?;
    zip.write_all(&manifest_json).map_err(|e| err(&e))?;
    Ok(zip.finish().map_err(|e| err(&e))?.into_inner())
}
