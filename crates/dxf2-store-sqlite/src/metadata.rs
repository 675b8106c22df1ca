//! Metadata in the store: one JSON object per metadata object (`metadata_object`), loaded
//! into a [`Metadata`] with its hierarchy computed, saved by kind and UID, and the check that
//! the stored org units form a hierarchy.

use dxf2_model::metadata::{Identity, OrganisationUnit};
use dxf2_model::Metadata;
use import_engine::store::{MetadataStore, StoreError};
use rusqlite::params;

use crate::columns::{db, opt_text, text};
use crate::metadata_json;
use crate::text::parse_uid;
use crate::SqliteStore;

pub(crate) const UPSERT_METADATA: &str =
    "INSERT INTO metadata_object (kind, uid, json) VALUES (?1, ?2, ?3) \
     ON CONFLICT (kind, uid) DO UPDATE SET json = excluded.json";

impl MetadataStore for SqliteStore {
    /// The stored metadata, finished as every catalogue is ([`Metadata::finish`]: DHIS2's defaults
    /// added, default UIDs remapped, the org unit hierarchy computed); an empty catalogue when
    /// nothing was saved. Fails with
    /// [`StoreError::Hierarchy`] when the stored org units form a cycle (which this version never
    /// saves).
    fn load_metadata(&mut self) -> Result<Metadata, StoreError> {
        let mut metadata = Metadata::new();
        let mut any = false;
        let mut stmt = self
            .conn
            .prepare_cached("SELECT kind, uid, json FROM metadata_object ORDER BY rowid")
            .map_err(db("reading metadata"))?;
        let mut rows = stmt.query([]).map_err(db("reading metadata"))?;
        while let Some(r) = rows.next().map_err(db("reading metadata"))? {
            metadata_json::add_object(
                &mut metadata,
                text(r, 0, "metadata_object", "kind")?,
                text(r, 1, "metadata_object", "uid")?,
                text(r, 2, "metadata_object", "json")?,
            )?;
            any = true;
        }
        if any {
            metadata.finish()?;
        }
        Ok(metadata)
    }

    fn save_metadata(&mut self, metadata: &Metadata) -> Result<(), StoreError> {
        self.in_transaction(|store| {
            {
                let mut stmt = store
                    .conn
                    .prepare_cached(UPSERT_METADATA)
                    .map_err(db("writing metadata"))?;
                metadata_json::for_each_object(metadata, &mut |kind, uid, json| {
                    stmt.execute(params![kind, uid.as_str(), json.to_string()])
                        .map_err(db("writing metadata"))?;
                    Ok(())
                })?;
            }
            store.check_hierarchy()
        })
    }
}
impl SqliteStore {
    /// Checks that the stored org units' parents form a hierarchy (no cycle).
    pub(crate) fn check_hierarchy(&mut self) -> Result<(), StoreError> {
        const TABLE: &str = "metadata_object";
        let mut units = Metadata::new();
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT uid, json_extract(json, '$.parent') FROM metadata_object \
                 WHERE kind = ?1 ORDER BY rowid",
            )
            .map_err(db("reading org units"))?;
        let mut rows = stmt
            .query([metadata_json::ORG_UNITS])
            .map_err(db("reading org units"))?;
        while let Some(row) = rows.next().map_err(db("reading org units"))? {
            let uid = parse_uid(text(row, 0, TABLE, "uid")?, TABLE, "uid")?;
            let parent = opt_text(row, 1, TABLE, "json")?
                .map(|p| parse_uid(p, TABLE, "json"))
                .transpose()?;
            units.add_org_unit(OrganisationUnit::new(Identity::new(uid), parent));
        }
        units.compute_hierarchy()?;
        Ok(())
    }
}
