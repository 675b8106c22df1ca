//! [`Manifest`]: `manifest.json`, what a bundle says about itself.

use serde::{Deserialize, Serialize};

/// The manifest's format name: a reader refuses a bundle of another format.
pub const FORMAT: &str = "dxf2-sync-bundle/1";

/// `manifest.json`: where a bundle comes from, where it goes, what it holds and the SHA-256 of
/// every other entry.
///
/// ```json
/// {"format": "dxf2-sync-bundle/1", "source": "5f0c…", "destination": "district",
///  "sequence": 2, "changes": {"after": 14, "through": 19},
///  "created": "2024-05-02T09:00:00.000Z", "program": "dxf2 0.1.0",
///  "metadataFingerprint": "9a1e…", "deletions": "deleted-flag",
///  "counts": {"dataValues": 3, "deletedDataValues": 1, "completions": 1, "metadataObjects": 0},
///  "entries": [{"name": "dataValues.json", "size": 812, "sha256": "…"}]}
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Manifest {
    /// [`FORMAT`].
    pub format: String,
    /// The id of the store that made the bundle (`DataValueStore::store_id`).
    pub source: String,
    /// The destination's name, as the facility calls it (`--to`).
    pub destination: String,
    /// 1 for the first bundle made for this destination, then 2, 3, …
    pub sequence: u64,
    /// The source store's change numbers the bundle covers.
    pub changes: ChangeRange,
    /// When it was made (RFC 3339, UTC).
    pub created: String,
    /// The program that made it (`dxf2 0.1.0`).
    pub program: String,
    /// SHA-256 over the source's metadata objects that the data refers to (data elements, org
    /// units, category option combos, data sets of completions): a destination whose objects
    /// give another fingerprint reads the data against other metadata.
    pub metadata_fingerprint: String,
    /// How soft deletions travel: `deleted-flag` (values with `"deleted": true` in the data
    /// value set, imported with DHIS2's default strategy CREATE_AND_UPDATE; no separate DELETE
    /// import).
    pub deletions: String,
    /// What the bundle holds.
    pub counts: Counts,
    /// Every entry but the manifest, with its size and SHA-256.
    pub entries: Vec<Entry>,
}

/// The source store's change numbers a bundle covers: those above `after` up to `through`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangeRange {
    /// The last change number of the previous bundle for the destination (0 for the first).
    pub after: u64,
    /// The store's last change number when the bundle was made.
    pub through: u64,
}

/// What a bundle holds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Counts {
    /// Data values in `dataValues.json`, deleted ones included.
    pub data_values: u64,
    /// Of them, soft-deleted ones.
    pub deleted_data_values: u64,
    /// Completion registrations.
    pub completions: u64,
    /// Metadata objects in `metadata.json`.
    pub metadata_objects: u64,
}

/// One entry of a bundle.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// Its name in the zip.
    pub name: String,
    /// Its size in bytes (uncompressed).
    pub size: u64,
    /// The SHA-256 of its bytes, 64 lowercase hexadecimal digits.
    pub sha256: String,
}

impl Manifest {
    /// The entry named `name`, if the bundle has one.
    pub fn entry(&self, name: &str) -> Option<&Entry> {
        self.entries.iter().find(|e| e.name == name)
    }
}
