//! `dxf2-store`: the seam between the DHIS2 data value importer and storage.
//!
//! A store keeps data values, their audits, data set completions, lock exceptions and (through
//! [`MetadataStore`]) metadata. The import engine talks to it only through [`DataValueStore`],
//! in batches: [`lookup`](DataValueStore::lookup) the existing rows of many keys at once, then
//! [`apply`](DataValueStore::apply) a [`Changes`] batch of inserts, updates, soft deletes,
//! audits and completions, all inside one transaction per import. A host brings its own store by
//! implementing the trait; this crate depends on the model only, so such a store does not
//! depend on the engine.
//!
//! Stores here and in sibling crates: [`MemoryStore`] (this crate: tests, dry runs, embedding),
//! `dxf2-store-sqlite` (the embedded default) and `dxf2-store-postgres` (server scale). Every one
//! of them passes the same conformance suite, `dxf2_store::conformance` (feature `testing`),
//! which a host's store can run too.
//!
//! ```
//! use chrono::{TimeZone, Utc};
//! use dxf2_model::Uid;
//! use dxf2_store::{Changes, DataValueKey, DataValueStore, Existing, MemoryStore, StoredValue, Write};
//!
//! let uid = |s: &str| Uid::parse(s).unwrap();
//! let key = |ou: &str| DataValueKey {
//!     data_element: uid("f7n9E0hX8qk"),
//!     period: "202001".parse().unwrap(),
//!     org_unit: uid(ou),
//!     category_option_combo: uid("HllvX50cXC0"),
//!     attribute_option_combo: uid("HllvX50cXC0"),
//! };
//! let now = Utc.with_ymd_and_hms(2024, 1, 2, 3, 4, 5).unwrap();
//! let mut store = MemoryStore::new();
//!
//! // One batch: two new rows.
//! let mut changes = Changes::new();
//! for (ou, value) in [("DiszpKrYNg8", "12"), ("ImspTQPwCqd", "7")] {
//!     let mut row = StoredValue::empty(key(ou), now);
//!     row.value = Some(value.to_owned());
//!     changes.push_row(Write::Insert, &row);
//! }
//! store.begin().unwrap();
//! store.apply(&changes).unwrap();
//! store.commit().unwrap();
//!
//! // One lookup for several keys: only the stored ones answer.
//! let keys = [key("DiszpKrYNg8"), key("O6uvpzGd5pu"), key("ImspTQPwCqd")];
//! let mut found = Vec::new();
//! store.lookup(&keys, &mut |i, row, existing| {
//!     assert_eq!(existing, Existing::Stored);
//!     found.push((i, row.value.clone().unwrap_or_default()));
//!     Ok(())
//! }).unwrap();
//! found.sort();
//! assert_eq!(found, [(0, "12".to_owned()), (2, "7".to_owned())]);
//! assert_eq!(store.last_change().unwrap(), 1);
//! ```

#![forbid(unsafe_code)]

mod changes;
#[cfg(feature = "testing")]
pub mod conformance;
mod error;
pub mod journal;
pub mod memory;
pub mod metadata_json;
mod objects;
mod store_id;
mod traits;
mod types;

pub use changes::{Changes, RowWrite, Write};
pub use error::StoreError;
pub use journal::{HeldCommit, Job, JobCounts, JobFilter, JobInput, JobKind, JobStatus, Journal};
pub use memory::MemoryStore;
pub use objects::{ObjectChanges, StoredObject};
pub use store_id::new_store_id;
pub use traits::{DataValueStore, DataValueStoreExt, MetadataStore, ObjectStore};
pub use types::{
    Audit, AuditType, Completion, DataValueKey, Existing, StoredValue, ValueOrder, ValueQuery,
};
