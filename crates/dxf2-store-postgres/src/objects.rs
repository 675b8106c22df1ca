//! DHIS2 metadata objects kept whole ([`ObjectStore`]): one `dhis2_object` row per object (JSON
//! text, exactly as given), and the typed metadata the data import reads replaced in the same
//! transaction.

use dxf2_model::Metadata;
use dxf2_store::{ObjectChanges, ObjectStore, StoreError, StoredObject};
use postgres::fallible_iterator::FallibleIterator;

use crate::columns::{get, pg};
use crate::PostgresStore;

const TABLE: &str = "dhis2_object";

/// Objects written per statement.
const CHUNK: usize = 5_000;

/// Every object, collection by collection in the order each was first stored, then by `seq`.
const SELECT_OBJECTS: &str = "WITH firsts AS (SELECT key, min(seq) AS first FROM dhis2_object \
     GROUP BY key) \
     SELECT o.key, o.uid, o.json FROM dhis2_object o JOIN firsts f ON f.key = o.key \
     ORDER BY f.first, o.seq";

impl ObjectStore for PostgresStore {
    fn for_each_object(
        &mut self,
        each: &mut dyn FnMut(&StoredObject) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        let result = self.read_objects(each);
        self.note(result)
    }

    fn apply_objects(
        &mut self,
        changes: &ObjectChanges,
        typed: &Metadata,
    ) -> Result<(), StoreError> {
        self.writable("apply_objects: the store was opened read-only")?;
        self.in_write_txn(|store| store.write_objects(changes, typed))
    }
}

impl PostgresStore {
    fn read_objects(
        &mut self,
        each: &mut dyn FnMut(&StoredObject) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        let no_params: [&str; 0] = [];
        let mut rows = self
            .client
            .query_raw(SELECT_OBJECTS, no_params)
            .map_err(pg("reading metadata objects"))?;
        let mut object = StoredObject {
            key: String::new(),
            uid: String::new(),
            json: String::new(),
        };
        while let Some(r) = rows.next().map_err(pg("reading metadata objects"))? {
            get::<&str>(&r, 0, TABLE, "key")?.clone_into(&mut object.key);
            get::<&str>(&r, 1, TABLE, "uid")?.clone_into(&mut object.uid);
            get::<&str>(&r, 2, TABLE, "json")?.clone_into(&mut object.json);
            each(&object)?;
        }
        Ok(())
    }

    /// `apply_objects`, in the write transaction.
    fn write_objects(
        &mut self,
        changes: &ObjectChanges,
        typed: &Metadata,
    ) -> Result<(), StoreError> {
        for chunk in changes.put.chunks(CHUNK) {
            let keys: Vec<&str> = chunk.iter().map(|o| o.key.as_str()).collect();
            let uids: Vec<&str> = chunk.iter().map(|o| o.uid.as_str()).collect();
            let jsons: Vec<&str> = chunk.iter().map(|o| o.json.as_str()).collect();
            self.client
                .execute(
                    "INSERT INTO dhis2_object (key, uid, json) \
                     SELECT k, u, j FROM unnest($1::text[], $2::text[], $3::text[]) \
                       WITH ORDINALITY AS t (k, u, j, n) ORDER BY n \
                     ON CONFLICT (key, uid) DO UPDATE SET json = excluded.json",
                    &[&keys, &uids, &jsons],
                )
                .map_err(pg("writing metadata objects"))?;
        }
        for chunk in changes.delete.chunks(CHUNK) {
            let keys: Vec<&str> = chunk.iter().map(|(k, _)| k.as_str()).collect();
            let uids: Vec<&str> = chunk.iter().map(|(_, u)| u.as_str()).collect();
            self.client
                .execute(
                    "DELETE FROM dhis2_object o USING unnest($1::text[], $2::text[]) AS t (k, u) \
                     WHERE o.key = t.k AND o.uid = t.u",
                    &[&keys, &uids],
                )
                .map_err(pg("deleting metadata objects"))?;
        }
        self.client
            .batch_execute("DELETE FROM metadata_object")
            .map_err(pg("replacing metadata"))?;
        self.write_metadata(typed)
    }
}
