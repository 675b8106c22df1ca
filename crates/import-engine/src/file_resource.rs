//! File resources: the files behind data values of value type `FILE_RESOURCE` and `IMAGE`, kept
//! in the store as records of kind [`RECORD_KIND`], one per file, under the file resource's UID.
//!
//! DHIS2 stores such a value's file as a *file resource* (`FileResource`: name, content type,
//! length, MD5, domain `DATA_VALUE`) and the data value's `value` is the file resource's UID; an
//! export therefore writes the UID. DHIS2 keeps the two one-to-one: saving a value assigns the
//! file resource to that value's key (its *owner*, `de-co-ao-pe-ou`), a file resource owned by
//! another key is refused (`E2026`), and deleting the value deletes the file (with the default
//! retention strategy `NONE`). See [`crate::single_value`] for the rules.
//!
//! The record body is a JSON object with DHIS2's field names plus `content`, the file's bytes in
//! standard Base64:
//!
//! ```
//! use chrono::{TimeZone, Utc};
//! use import_engine::file_resource::FileResource;
//!
//! let created = Utc.with_ymd_and_hms(2024, 2, 1, 8, 0, 0).unwrap();
//! let file = FileResource::new("notes.txt", "text/plain", b"abc", created);
//! assert_eq!(file.content_length, 3);
//! assert_eq!(file.content_md5, "900150983cd24fb0d6963f7d28e17f72");
//! let body = file.to_record(b"abc");
//! assert!(body.contains(r#""content":"YWJj""#));
//! let (read, content) = FileResource::from_record(&file.uid, &body).unwrap();
//! assert_eq!((read, content.as_slice()), (file, &b"abc"[..]));
//! ```

use base64::Engine as _;
use chrono::{DateTime, SecondsFormat, Utc};
use dxf2_model::Uid;
use md5::{Digest, Md5};
use serde::{Deserialize, Serialize};

/// The kind of the store records that hold file resources.
pub const RECORD_KIND: &str = "fileResource";

/// The domain of data value files (DHIS2's `FileResourceDomain.DATA_VALUE`).
pub const DATA_VALUE_DOMAIN: &str = "DATA_VALUE";

/// The largest file a data value takes here: 64 MiB. (DHIS2 bounds uploads by its servlet
/// configuration; a record holds the file in Base64, a third larger.)
pub const MAX_FILE_BYTES: usize = 64 * 1024 * 1024;

/// A file resource: what DHIS2 knows of a stored file (`FileResource`), without its bytes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FileResource {
    /// The UID: the value of the data value that owns the file.
    #[serde(rename = "id")]
    pub uid: Uid,
    /// The file's name, as given.
    pub name: String,
    /// Its MIME type.
    pub content_type: String,
    /// Its length in bytes.
    pub content_length: u64,
    /// The MD5 of its bytes, in lower-case hex (as DHIS2 keeps it).
    pub content_md5: String,
    /// `DATA_VALUE` for the files of data values.
    pub domain: String,
    /// DHIS2's `storageStatus`: `STORED` once the bytes are stored (always here).
    pub storage_status: String,
    /// Whether a data value owns the file.
    pub assigned: bool,
    /// The key of the data value that owns it: `de-co-ao-pe-ou` (DHIS2's `fileResourceOwner`,
    /// with the ISO period).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file_resource_owner: Option<String>,
    /// When it was stored.
    pub created: String,
}

/// The record body: the file resource plus its bytes.
#[derive(Serialize, Deserialize)]
struct Record {
    #[serde(flatten)]
    resource: FileResource,
    content: String,
}

/// A record that does not hold a file resource (written by something else, or damaged).
#[derive(Debug, thiserror::Error)]
#[error("the store's file resource `{uid}` cannot be read: {reason}")]
pub struct BadRecord {
    /// The file resource's UID.
    pub uid: String,
    /// What is wrong with it.
    pub reason: String,
}

impl FileResource {
    /// A new, unassigned data value file resource with a fresh UID, for `bytes`.
    pub fn new(name: &str, content_type: &str, bytes: &[u8], created: DateTime<Utc>) -> Self {
        FileResource {
            uid: Uid::generate(),
            name: name.to_owned(),
            content_type: content_type.to_owned(),
            content_length: u64::try_from(bytes.len()).unwrap_or(u64::MAX),
            content_md5: md5_hex(bytes),
            domain: DATA_VALUE_DOMAIN.to_owned(),
            storage_status: "STORED".to_owned(),
            assigned: false,
            file_resource_owner: None,
            created: created.to_rfc3339_opts(SecondsFormat::Millis, true),
        }
    }

    /// The record body holding this file resource and `content`.
    pub fn to_record(&self, content: &[u8]) -> String {
        let record = Record {
            resource: self.clone(),
            content: base64::engine::general_purpose::STANDARD.encode(content),
        };
        // A struct of strings, numbers and booleans always serialises.
        serde_json::to_string(&record).unwrap_or_default()
    }

    /// The file resource and its bytes from the body of record `uid`; the bytes are checked
    /// against the stored length and MD5.
    pub fn from_record(uid: &Uid, body: &str) -> Result<(FileResource, Vec<u8>), BadRecord> {
        let bad = |reason: String| BadRecord {
            uid: uid.to_string(),
            reason,
        };
        let record: Record = serde_json::from_str(body).map_err(|e| bad(e.to_string()))?;
        let content = base64::engine::general_purpose::STANDARD
            .decode(record.content.as_bytes())
            .map_err(|e| bad(format!("its content is not Base64: {e}")))?;
        let resource = record.resource;
        if u64::try_from(content.len()).ok() != Some(resource.content_length)
            || md5_hex(&content) != resource.content_md5
        {
            return Err(bad(
                "its content does not match its length and MD5 (the record was changed)".into(),
            ));
        }
        Ok((resource, content))
    }

    /// The owner key DHIS2 gives a data value's file: `de-co-ao-pe-ou`.
    pub fn owner_key(de: &Uid, coc: &Uid, aoc: &Uid, period: &str, ou: &Uid) -> String {
        format!("{de}-{coc}-{aoc}-{period}-{ou}")
    }
}

/// The MD5 of `bytes` in lower-case hex.
fn md5_hex(bytes: &[u8]) -> String {
    Md5::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use chrono::TimeZone;

    #[test]
    fn md5_is_dhis2s_hex() {
        // RFC 1321's test suite.
        assert_eq!(md5_hex(b""), "d41d8cd98f00b204e9800998ecf8427e");
        assert_eq!(md5_hex(b"abc"), "900150983cd24fb0d6963f7d28e17f72");
    }

    #[test]
    fn a_changed_record_is_refused() {
        let now = Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap();
        let file = FileResource::new("a.txt", "text/plain", b"hello", now);
        let body = file.to_record(b"hello");
        assert!(body.contains(r#""domain":"DATA_VALUE""#), "{body}");
        assert!(body.contains(r#""contentType":"text/plain""#), "{body}");
        let changed = body.replace("aGVsbG8=", "aGVsbG9v");
        let e = FileResource::from_record(&file.uid, &changed).unwrap_err();
        assert!(e.to_string().contains("does not match"), "{e}");
        let e = FileResource::from_record(&file.uid, "{}").unwrap_err();
        assert!(e.to_string().contains("cannot be read"), "{e}");
        assert_eq!(
            FileResource::owner_key(&file.uid, &file.uid, &file.uid, "202401", &file.uid),
            format!("{0}-{0}-{0}-202401-{0}", file.uid)
        );
    }
}
