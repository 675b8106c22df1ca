//! DHIS2 metadata objects kept whole ([`ObjectStore`]): one `dhis2_object` row per object (JSON
//! text), and the typed metadata the data import reads replaced in the same transaction.

use dxf2_model::Metadata;
use dxf2_store::{ObjectChanges, ObjectStore, StoreError, StoredObject};
use rusqlite::params;

use crate::columns::{db, text};
use crate::SqliteStore;

const TABLE: &str = "dhis2_object";

/// Every object, collection by collection in the order each was first stored, then by `seq`.
const SELECT_OBJECTS: &str = "WITH firsts AS (SELECT key, min(seq) AS first FROM dhis2_object \
     GROUP BY key) \
     SELECT o.key, o.uid, o.json FROM dhis2_object o JOIN firsts f ON f.key = o.key \
     ORDER BY f.first, o.seq";

const PUT_OBJECT: &str = "INSERT INTO dhis2_object (key, uid, json) VALUES (?1, ?2, ?3) \
     ON CONFLICT (key, uid) DO UPDATE SET json = excluded.json";

const DELETE_OBJECT: &str = "DELETE FROM dhis2_object WHERE key = ?1 AND uid = ?2";

/// Un-saves the typed metadata: rows of the id tables stay (stored values use their ids).
const CLEAR_TYPED: &str = "
UPDATE organisationunit SET saved = NULL WHERE saved IS NOT NULL;
UPDATE dataelement SET saved = NULL WHERE saved IS NOT NULL;
UPDATE categoryoptioncombo SET saved = NULL WHERE saved IS NOT NULL;
DELETE FROM metadata_object;
";

impl ObjectStore for SqliteStore {
    fn for_each_object(
        &mut self,
        each: &mut dyn FnMut(&StoredObject) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        self.current()?;
        let mut stmt = self
            .conn
            .prepare_cached(SELECT_OBJECTS)
            .map_err(db("reading metadata objects"))?;
        let mut rows = stmt.query([]).map_err(db("reading metadata objects"))?;
        let mut object = StoredObject {
            key: String::new(),
            uid: String::new(),
            json: String::new(),
        };
        while let Some(r) = rows.next().map_err(db("reading metadata objects"))? {
            text(r, 0, TABLE, "key")?.clone_into(&mut object.key);
            text(r, 1, TABLE, "uid")?.clone_into(&mut object.uid);
            text(r, 2, TABLE, "json")?.clone_into(&mut object.json);
            each(&object)?;
        }
        Ok(())
    }

    fn apply_objects(
        &mut self,
        changes: &ObjectChanges,
        typed: &Metadata,
    ) -> Result<(), StoreError> {
        self.in_transaction(|store| {
            {
                let mut put = store
                    .conn
                    .prepare_cached(PUT_OBJECT)
                    .map_err(db("writing metadata objects"))?;
                for o in &changes.put {
                    put.execute(params![o.key, o.uid, o.json])
                        .map_err(db("writing metadata objects"))?;
                }
                let mut delete = store
                    .conn
                    .prepare_cached(DELETE_OBJECT)
                    .map_err(db("deleting metadata objects"))?;
                for (key, uid) in &changes.delete {
                    delete
                        .execute(params![key, uid])
                        .map_err(db("deleting metadata objects"))?;
                }
                store
                    .conn
                    .execute_batch(CLEAR_TYPED)
                    .map_err(db("replacing metadata"))?;
            }
            store.write_metadata(typed)?;
            store.check_hierarchy()
        })
    }
}
