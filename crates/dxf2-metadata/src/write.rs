//! Writing a [`Document`] as DHIS2 metadata JSON: `{"system": {…}, "<key>": [ … ], …}`, the
//! `system` header first (when the document has one), then the collections in the document's
//! order, plain or compressed as DHIS2's `metadata.json.gz` / `metadata.json.zip` downloads are.
//!
//! Objects are written as they are held: fields in sorted key order (the order of
//! `serde_json::Map`), nulls and empty arrays as they were read.
//!
//! ```
//! use dxf2_metadata::{read_json, write_json, Document};
//! use serde_json::json;
//!
//! let mut doc = Document::new();
//! doc.push("dataElements", json!({"id": "f7n9E0hX8qk", "name": "ANC 1st visit"}).as_object().unwrap().clone());
//! let mut out = Vec::new();
//! write_json(&doc, &mut out).unwrap();
//! assert_eq!(String::from_utf8(out.clone()).unwrap(),
//!            r#"{"dataElements":[{"id":"f7n9E0hX8qk","name":"ANC 1st visit"}]}"#);
//! assert_eq!(read_json(&out[..]).unwrap().document, doc);
//! ```

use std::io::{Seek, Write};

use serde::ser::{Serialize, SerializeMap, Serializer};

use crate::document::Document;
use crate::error::Error;

/// The name DHIS2 gives the one entry of a `metadata.json.zip` download.
pub const ZIP_ENTRY_NAME: &str = "metadata.json";

/// Writes `doc` as JSON to `writer`.
pub fn write_json<W: Write>(doc: &Document, writer: W) -> Result<(), Error> {
    let mut writer = writer;
    serde_json::to_writer(&mut writer, &AsJson(doc))?;
    writer.flush()?;
    Ok(())
}

/// Writes `doc` as gzip-compressed JSON (`metadata.json.gz`) to `writer`.
pub fn write_gzip<W: Write>(doc: &Document, writer: W) -> Result<(), Error> {
    let mut gz = flate2::write::GzEncoder::new(writer, flate2::Compression::default());
    serde_json::to_writer(&mut gz, &AsJson(doc))?;
    gz.finish()?.flush()?;
    Ok(())
}

/// Writes `doc` as a zip archive holding one entry, `entry` (DHIS2 names it
/// [`ZIP_ENTRY_NAME`]), to `writer`.
pub fn write_zip<W: Write + Seek>(doc: &Document, writer: W, entry: &str) -> Result<(), Error> {
    let mut zip = zip::ZipWriter::new(writer);
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .last_modified_time(zip::DateTime::default());
    zip.start_file(entry, options)
        .map_err(|e| Error::Zip(e.to_string()))?;
    serde_json::to_writer(&mut zip, &AsJson(doc))?;
    zip.finish()
        .map_err(|e| Error::Zip(e.to_string()))?
        .flush()?;
    Ok(())
}

/// A document as a serde value (for writers of other JSON layouts).
pub struct AsJson<'a>(pub &'a Document);

impl Serialize for AsJson<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let doc = self.0;
        let extra = usize::from(doc.system.is_some());
        let mut map = serializer.serialize_map(Some(doc.types.len() + extra))?;
        if let Some(system) = &doc.system {
            map.serialize_entry("system", system)?;
        }
        for (key, objects) in &doc.types {
            map.serialize_entry(key, objects)?;
        }
        map.end()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::read::read_json;
    use std::io::Read;

    fn sample() -> Document {
        let text = r#"{"system": {"rev": "abc"}, "organisationUnits": [{"id": "ImspTQPwCqd", "name": "Sierra Leone"}], "legends": []}"#;
        read_json(text.as_bytes()).unwrap().document
    }

    #[test]
    fn system_first_then_collections_in_order() {
        let mut out = Vec::new();
        write_json(&sample(), &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(
            text.starts_with(r#"{"system":{"rev":"abc"},"organisationUnits":"#),
            "{text}"
        );
        assert!(text.ends_with(r#""legends":[]}"#), "{text}");
    }

    #[test]
    fn gzip_and_zip_round_trip() {
        let doc = sample();
        let mut gz = Vec::new();
        write_gzip(&doc, &mut gz).unwrap();
        let mut text = String::new();
        flate2::read::GzDecoder::new(&gz[..])
            .read_to_string(&mut text)
            .unwrap();
        assert_eq!(read_json(text.as_bytes()).unwrap().document, doc);

        let mut zipped = std::io::Cursor::new(Vec::new());
        write_zip(&doc, &mut zipped, ZIP_ENTRY_NAME).unwrap();
        let mut archive = zip::ZipArchive::new(std::io::Cursor::new(zipped.into_inner())).unwrap();
        assert_eq!(archive.len(), 1);
        let mut entry = archive.by_index(0).unwrap();
        assert_eq!(entry.name().unwrap(), ZIP_ENTRY_NAME);
        let mut text = String::new();
        entry.read_to_string(&mut text).unwrap();
        assert_eq!(read_json(text.as_bytes()).unwrap().document, doc);
    }
}
