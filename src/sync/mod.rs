//! Offline sync bundles, facility → district: everything a store changed since the last bundle
//! made for a destination, in one zip file that a district store applies (and that a DHIS2
//! server can import as it is).
//!
//! A facility works offline and sends its data as files. [`export`] reads what changed in the
//! facility's store since the last bundle for that destination (the store's change numbers:
//! values, soft deletions included, and completions), the metadata objects new or changed since
//! then, and writes a bundle: a zip holding
//!
//! | entry | what | a DHIS2 server imports it with |
//! |---|---|---|
//! | `manifest.json` | the [`Manifest`]: source store id, destination, sequence number, change range, metadata fingerprint, counts, SHA-256 of every other entry | — |
//! | `dataValues.json` | a DXF2 JSON data value set (classic writer, UIDs, `storedBy`, `created`, `lastUpdated`); a soft-deleted value carries `"deleted": true` | `POST /api/dataValueSets` (import strategy CREATE_AND_UPDATE, the default) |
//! | `completeDataSetRegistrations.json` | the changed completions, when any, as DHIS2's `{"completeDataSetRegistrations": […]}` | `POST /api/completeDataSetRegistrations` |
//! | `metadata.json` | the metadata objects new or changed since the last bundle, when any, as a DHIS2 metadata package | `POST /api/metadata` (or `dxf2 metadata import`) |
//!
//! **Soft deletions** travel in the data value set itself: DHIS2's classic importer (2.36–2.42)
//! soft-deletes an existing value when the payload's value says `"deleted": true` under
//! CREATE_AND_UPDATE or UPDATE (its decision table, row 3), and stores a value it does not have
//! as already deleted (row 11); the 2.43+ pipeline writes the flag with its upsert. Our importer
//! follows the same rules, so no second data value set with `importStrategy=DELETE` is needed:
//! the manifest says so ([`Manifest::deletions`] = `"deleted-flag"`).
//!
//! [`Bundle::read`] checks a bundle before anything is applied (the zip's CRC of every entry,
//! then each entry's SHA-256 against the manifest); [`import`] applies it to a district's store:
//! the metadata first, then the data through the classic importer (or the profile asked for),
//! then the completions, and records it, all in one transaction. The same bundle applied twice
//! changes nothing and says so ([`Applied::Replay`]); a bundle whose predecessors from the same
//! source are missing is refused naming the gap ([`Error::Gap`]) unless
//! [`ImportOptions::allow_gap`]; a value changed at both ends since the last bundle from that
//! source was applied (the district's change numbers say which) is decided by a pre-pass before
//! the importer: the newer `lastUpdated` wins, and each such value is listed in
//! [`SyncImport::conflicts`] (never in DHIS2's summary document).
//!
//! The sync state lives in the stores' records (`sync-sent` by destination, `sync-received` by
//! source store id, `sync-bundle` by source and sequence), so every store — memory, SQLite,
//! PostgreSQL, a host's own — syncs; [`status`] reads it.
//!
//! ```
//! use chrono::{TimeZone, Utc};
//! use dxf2::model::{ImporterProfile, Metadata, Uid, ValueType};
//! use dxf2::model::metadata::{DataElement, Identity, OrganisationUnit, Sharing};
//! use dxf2::engine::Superuser;
//! use dxf2::store::{DataValueKey, DataValueStore, DataValueStoreExt, MemoryStore, MetadataStore, StoredValue};
//! use dxf2::sync::{self, Applied, Bundle, ExportOptions, ImportOptions};
//!
//! let uid = |s: &str| Uid::parse(s).unwrap();
//! // The same metadata at both ends: one org unit, one integer data element.
//! let mut metadata = Metadata::new();
//! metadata.ensure_defaults();
//! metadata.add_org_unit(OrganisationUnit::new(Identity::new(uid("DiszpKrYNg8")), None));
//! metadata.add_data_element(DataElement {
//!     id: Identity::new(uid("f7n9E0hX8qk")), value_type: ValueType::Integer,
//!     aggregation_type: "SUM".into(), domain_type: "AGGREGATE".into(),
//!     zero_is_significant: false, category_combo: uid("bjDvmb4bfuf"), option_set: None,
//!     comment_option_set: None, sharing: Sharing::default(),
//! });
//! let mut facility = MemoryStore::new();
//! let mut district = MemoryStore::new();
//! facility.save_metadata(&metadata).unwrap();
//! district.save_metadata(&metadata).unwrap();
//!
//! // A value entered at the facility.
//! let now = Utc.with_ymd_and_hms(2024, 5, 2, 9, 0, 0).unwrap();
//! let key = DataValueKey {
//!     data_element: uid("f7n9E0hX8qk"), period: "202404".parse().unwrap(),
//!     org_unit: uid("DiszpKrYNg8"), category_option_combo: uid("HllvX50cXC0"),
//!     attribute_option_combo: uid("HllvX50cXC0"),
//! };
//! let mut row = StoredValue::empty(key, now);
//! row.value = Some("12".into());
//! facility.begin().unwrap();
//! facility.insert(&row).unwrap();
//! facility.commit().unwrap();
//!
//! // The facility makes bundle 1 for "district", keeps the file, then records it as sent.
//! let export = sync::export(&mut facility, &ExportOptions::new("district", now)).unwrap();
//! assert_eq!(export.manifest().sequence, 1);
//! let file: Vec<u8> = export.bytes().to_vec();
//! export.record(&mut facility).unwrap();
//!
//! // The district checks and applies it: DHIS2's summary, the value stored.
//! let bundle = Bundle::read(&file).unwrap();
//! let options = ImportOptions::new(now);
//! let access = Superuser::default();
//! let done = sync::import(&mut district, &bundle, &options, &access, &mut |_| None).unwrap();
//! assert_eq!(done.applied, Applied::Imported);
//! assert_eq!(done.summary.as_ref().unwrap().import_count.imported, 1);
//! let mut stored = StoredValue::empty(key, now);
//! district.get(&key, &mut stored).unwrap();
//! assert_eq!(stored.value.as_deref(), Some("12"));
//!
//! // The same bundle again changes nothing, and says so.
//! let again = sync::import(&mut district, &bundle, &options, &access, &mut |_| None).unwrap();
//! assert!(matches!(again.applied, Applied::Replay { .. }));
//! ```

mod bundle;
mod export;
mod import;
mod manifest;
mod objects;
mod prepass;
mod status;

pub use bundle::{Bundle, COMPLETIONS_ENTRY, DATA_ENTRY, MANIFEST_ENTRY, METADATA_ENTRY};
pub use export::{export, Export, ExportOptions};
pub use import::{
    import, Applied, CompletionCounts, Conflict, ConflictSide, ImportOptions, MetadataOutcome,
    SyncImport, Winner,
};
pub use manifest::{ChangeRange, Counts, Entry, Manifest, FORMAT};
pub use status::{status, Direction, PeerStatus, ReceivedState, SentState, SyncStatus};

use crate::store::StoreError;

/// Record kind of what a store sent, by destination name.
pub const SENT: &str = "sync-sent";
/// Record kind of the object hashes of the last bundle sent, by destination name.
pub const SENT_OBJECTS: &str = "sync-sent-objects";
/// Record kind of what a store received, by source store id.
pub const RECEIVED: &str = "sync-received";
/// Record kind of every bundle applied, by `source/sequence` (sequence zero-padded to 20 digits).
pub const BUNDLE: &str = "sync-bundle";

/// Why a bundle could not be made, read or applied.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The store's metadata could not be read or written.
    #[error(transparent)]
    MetadataStore(#[from] crate::metadata_store::Error),
    /// The file is not a sync bundle (not a zip, no manifest, a manifest that cannot be read).
    #[error("not a sync bundle: {0}")]
    NotABundle(String),
    /// An entry's bytes are not the bytes the manifest names (a changed byte, a cut file): the
    /// bundle is refused.
    #[error("the bundle is damaged: {0}; nothing was applied")]
    Damaged(String),
    /// Bundles from the same source are missing between the last one applied and this one.
    #[error(
        "bundle {sequence} from {source_id} is refused: {} missing (the last bundle applied \
         from it is {last}); apply {} first, or allow the gap",
        gap_text(*last, *sequence),
        if sequence - last > 2 { "them" } else { "it" }
    )]
    Gap {
        /// The source store id.
        source_id: String,
        /// The last sequence applied from it (0: none).
        last: u64,
        /// This bundle's sequence.
        sequence: u64,
    },
    /// A bundle older than the last one applied from its source, never applied itself (it was
    /// skipped with `allow_gap`): applying it now would overwrite newer values.
    #[error(
        "bundle {sequence} from {source_id} is refused: bundle {last} from it was applied \
         already, and this older one was skipped (a gap was allowed); applying it now would \
         overwrite newer values"
    )]
    Late {
        /// The source store id.
        source_id: String,
        /// This bundle's sequence.
        sequence: u64,
        /// The last sequence applied from the source.
        last: u64,
    },
    /// A bundle with the sequence number of one applied before, but other bytes.
    #[error(
        "bundle {sequence} from {source_id} is refused: a different bundle {sequence} from it \
         was applied on {applied} (SHA-256 {applied_sha256}); this one is {sha256}"
    )]
    Different {
        /// The source store id.
        source_id: String,
        /// The sequence.
        sequence: u64,
        /// When the other one was applied.
        applied: String,
        /// The other one's SHA-256.
        applied_sha256: String,
        /// This one's SHA-256.
        sha256: String,
    },
    /// The bundle was made by this very store.
    #[error("the bundle was made by this store ({0}): it is applied at its destination, not here")]
    OwnBundle(String),
    /// The bundle's metadata could not be applied (DHIS2's metadata import reports errors):
    /// nothing was applied.
    #[error("the bundle's metadata cannot be applied, nothing was applied: {0}")]
    Metadata(String),
    /// An entry's content cannot be read (JSON that is not what the manifest says).
    #[error("the bundle's {entry} cannot be read: {message}")]
    Entry {
        /// The entry.
        entry: &'static str,
        /// What is wrong.
        message: String,
    },
    /// A destination name that cannot name a peer.
    #[error("the destination name {0:?} is empty or holds control characters or `/`")]
    Destination(String),
    /// Writing the bundle failed.
    #[error("writing the bundle: {0}")]
    Write(String),
}

impl Error {
    /// Whether the bundle was refused (a gap, a damaged or late bundle, another bundle with its
    /// number, its own store's, metadata DHIS2 refuses): the `dxf2` command exits 1 for these,
    /// 2 for unusable input and store failures.
    pub fn is_refusal(&self) -> bool {
        matches!(
            self,
            Error::Damaged(_)
                | Error::Gap { .. }
                | Error::Late { .. }
                | Error::Different { .. }
                | Error::OwnBundle(_)
                | Error::Metadata(_)
        )
    }
}

/// `bundle 3 is` / `bundles 3 to 5 are`.
fn gap_text(last: u64, sequence: u64) -> String {
    let first = last + 1;
    let end = sequence.saturating_sub(1);
    if first == end {
        format!("bundle {first} is")
    } else {
        format!("bundles {first} to {end} are")
    }
}

/// Times in the manifest and the records: RFC 3339 with milliseconds, UTC.
fn timestamp(t: &chrono::DateTime<chrono::Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// The id of a `sync-bundle` record.
fn bundle_record_id(source: &str, sequence: u64) -> String {
    format!("{source}/{sequence:020}")
}

/// Reads a JSON record body.
fn decode<T: serde::de::DeserializeOwned>(kind: &str, id: &str, body: &str) -> Result<T, Error> {
    serde_json::from_str(body).map_err(|e| {
        Error::Store(StoreError::Incompatible(format!(
            "sync record {kind}/{id} cannot be read: {e}"
        )))
    })
}

/// Writes a JSON record body.
fn encode<T: serde::Serialize>(value: &T) -> Result<String, Error> {
    serde_json::to_string(value)
        .map_err(|e| Error::Store(StoreError::backend("writing a sync record", e)))
}

#[cfg(test)]
mod tests;
