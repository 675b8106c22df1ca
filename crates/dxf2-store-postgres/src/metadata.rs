//! Metadata in the store: one `jsonb` object per metadata object (`metadata_object`, in the order
//! they were first saved), loaded into a [`Metadata`] with its hierarchy computed, saved by kind
//! and UID after checking that the org units saved and stored form a hierarchy.

use dxf2_model::metadata::{Identity, OrganisationUnit};
use dxf2_model::{Metadata, Uid};
use dxf2_store::{MetadataStore, StoreError};

use crate::columns::{get, pg};
use crate::PostgresStore;
use dxf2_store::metadata_json;

/// Objects written per statement.
const CHUNK: usize = 5_000;

const TABLE: &str = "metadata_object";

impl MetadataStore for PostgresStore {
    /// The stored metadata, finished as every catalogue is ([`Metadata::finish`]: DHIS2's
    /// defaults added, default UIDs remapped, the org unit hierarchy computed); an empty catalogue
    /// when nothing was saved.
    fn load_metadata(&mut self) -> Result<Metadata, StoreError> {
        let result = self.read_metadata();
        self.note(result)
    }

    fn save_metadata(&mut self, metadata: &Metadata) -> Result<(), StoreError> {
        self.writable("save_metadata: the store was opened read-only")?;
        self.in_write_txn(|store| store.write_metadata(metadata))
    }
}

impl PostgresStore {
    fn read_metadata(&mut self) -> Result<Metadata, StoreError> {
        let rows = self
            .client
            .query(
                "SELECT kind, uid, json::text FROM metadata_object ORDER BY seq",
                &[],
            )
            .map_err(pg("reading metadata"))?;
        let mut metadata = Metadata::new();
        for r in &rows {
            metadata_json::add_object(
                &mut metadata,
                get(r, 0, TABLE, "kind")?,
                get(r, 1, TABLE, "uid")?,
                get(r, 2, TABLE, "json")?,
            )?;
        }
        if !rows.is_empty() {
            metadata.finish()?;
        }
        Ok(metadata)
    }

    /// `save_metadata`, in the write transaction: checks the hierarchy first, so that a refused
    /// save writes nothing.
    pub(crate) fn write_metadata(&mut self, metadata: &Metadata) -> Result<(), StoreError> {
        self.check_hierarchy(metadata)?;
        let mut objects: Vec<(&'static str, String, String)> = Vec::new();
        metadata_json::for_each_object(metadata, true, &mut |kind, uid, json| {
            objects.push((kind, uid.as_str().to_owned(), json.to_string()));
            Ok(())
        })?;
        for chunk in objects.chunks(CHUNK) {
            let kinds: Vec<&str> = chunk.iter().map(|o| o.0).collect();
            let uids: Vec<&str> = chunk.iter().map(|o| o.1.as_str()).collect();
            let jsons: Vec<&str> = chunk.iter().map(|o| o.2.as_str()).collect();
            self.client
                .execute(
                    "INSERT INTO metadata_object (kind, uid, json) \
                     SELECT k, u, j::jsonb FROM unnest($1::text[], $2::text[], $3::text[]) \
                       AS t (k, u, j) \
                     ON CONFLICT (kind, uid) DO UPDATE SET json = excluded.json",
                    &[&kinds, &uids, &jsons],
                )
                .map_err(pg("writing metadata"))?;
        }
        Ok(())
    }

    /// Fails with [`StoreError::Hierarchy`] when the stored org units, replaced and added to by
    /// those of `metadata`, would form a cycle.
    fn check_hierarchy(&mut self, metadata: &Metadata) -> Result<(), StoreError> {
        if metadata.org_units().is_empty() {
            return Ok(());
        }
        let rows = self
            .client
            .query(
                "SELECT uid, json ->> 'parent' FROM metadata_object \
                 WHERE kind = $1 ORDER BY seq",
                &[&metadata_json::ORG_UNITS],
            )
            .map_err(pg("reading org units"))?;
        let parse = |text: &str| {
            Uid::parse(text)
                .map_err(|_| StoreError::Incompatible(format!("{TABLE}: `{text}` is not a UID")))
        };
        let mut units = Metadata::new();
        for r in &rows {
            let uid = parse(get(r, 0, TABLE, "uid")?)?;
            let parent = get::<Option<&str>>(r, 1, TABLE, "json")?
                .map(parse)
                .transpose()?;
            units.add_org_unit(OrganisationUnit::new(Identity::new(uid), parent));
        }
        for o in metadata.org_units() {
            units.add_org_unit(OrganisationUnit::new(Identity::new(o.id.uid), o.parent));
        }
        units.compute_hierarchy()?;
        Ok(())
    }
}
