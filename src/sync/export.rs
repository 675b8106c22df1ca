//! [`export`]: the bundle of everything a store changed since the last bundle for a destination.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use chrono::{DateTime, Utc};
use dxf2_json::Writer;
use dxf2_model::{DataValue, DataValueSetHeader, DataValueSink, Field, ObjectKind};
use serde_json::{json, Value};

use super::bundle::{write_zip, COMPLETIONS_ENTRY, DATA_ENTRY, METADATA_ENTRY};
use super::manifest::{ChangeRange, Counts, Entry, Manifest, FORMAT};
use super::objects::{
    fingerprint, object_hash, object_id, package, Refs, DATA_ELEMENTS, DATA_SETS, OPTION_COMBOS,
    ORG_UNITS,
};
use super::status::{sent_state, SentState};
use super::{decode, encode, timestamp, Error, SENT, SENT_OBJECTS};
use crate::engine::export::write_timestamp;
use crate::jobs::sha256_hex;
use crate::store::{
    Completion, DataValueStore, ObjectStore, StoreError, StoredObject, StoredValue, ValueQuery,
};

/// What [`export`] makes a bundle for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExportOptions {
    /// The destination's name (`--to`): bundles for one destination are numbered 1, 2, …
    pub destination: String,
    /// The time the bundle says it was made.
    pub now: DateTime<Utc>,
    /// The program the manifest names.
    pub program: String,
}

impl ExportOptions {
    /// A bundle for `destination` made at `now` by this version of dxf2.
    pub fn new(destination: impl Into<String>, now: DateTime<Utc>) -> ExportOptions {
        ExportOptions {
            destination: destination.into(),
            now,
            program: format!("dxf2 {}", env!("CARGO_PKG_VERSION")),
        }
    }
}

/// A bundle made by [`export`], not yet recorded as sent: keep its [`bytes`](Export::bytes)
/// (write the file), then [`record`](Export::record) it, so that a bundle whose file could not be
/// written is made again next time.
#[derive(Clone, Debug)]
pub struct Export {
    manifest: Manifest,
    bytes: Vec<u8>,
    sha256: String,
    /// The sequence of the previous bundle for the destination (0: none).
    previous: u64,
    /// The object hashes as of this bundle (a JSON map).
    objects: String,
}

impl Export {
    /// The manifest.
    pub fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    /// The bundle file's bytes (a zip).
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The bundle file's SHA-256.
    pub fn sha256(&self) -> &str {
        &self.sha256
    }

    /// Records the bundle as sent to its destination (the next bundle starts after it), in one
    /// transaction. Fails, recording nothing, when another bundle for the destination was
    /// recorded since this one was made.
    pub fn record<S: DataValueStore + ?Sized>(&self, store: &mut S) -> Result<(), Error> {
        let destination = &self.manifest.destination;
        store.begin()?;
        let result = (|| {
            let now = sent_state(store, destination)?.map_or(0, |s| s.sequence);
            if now != self.previous {
                return Err(Error::Write(format!(
                    "bundle {now} for {destination} was made meanwhile; make this one again"
                )));
            }
            let sent = SentState {
                sequence: self.manifest.sequence,
                changes_through: self.manifest.changes.through,
                created: self.manifest.created.clone(),
                sha256: self.sha256.clone(),
            };
            store.put_record(SENT, destination, &encode(&sent)?)?;
            store.put_record(SENT_OBJECTS, destination, &self.objects)?;
            Ok(())
        })();
        match result {
            Ok(()) => Ok(store.commit()?),
            Err(e) => {
                let _ = store.rollback();
                Err(e)
            }
        }
    }
}

/// Whether `name` can name a destination (a record id): not empty, no control characters, no `/`.
fn valid_destination(name: &str) -> bool {
    !name.trim().is_empty() && !name.chars().any(|c| c.is_control() || c == '/')
}

/// Makes the next bundle for `options.destination`: every value row (soft-deleted ones
/// included) and completion written by a change numbered above the previous bundle's, and the
/// metadata objects new or changed since the previous bundle (all of them in the first). Reads
/// only; [`Export::record`] writes the sync state.
pub fn export<S: DataValueStore + ObjectStore + ?Sized>(
    store: &mut S,
    options: &ExportOptions,
) -> Result<Export, Error> {
    let destination = options.destination.as_str();
    if !valid_destination(destination) {
        return Err(Error::Destination(destination.to_owned()));
    }
    let source = store.store_id()?;
    let previous = sent_state(store, destination)?;
    let after = previous.as_ref().map_or(0, |s| s.changes_through);
    let sequence = previous.as_ref().map_or(0, |s| s.sequence) + 1;
    let through = store.last_change()?;
    let mut counts = Counts::default();
    let mut refs = Refs::new();

    let data = data_values(store, after, &mut counts, &mut refs)?;
    let completions = completions(store, after, &mut counts, &mut refs)?;

    // Objects: the new and changed ones, and every one's hash for the next bundle.
    let before: BTreeMap<String, String> = match store.record(SENT_OBJECTS, destination)? {
        Some(body) => decode(SENT_OBJECTS, destination, &body)?,
        None => BTreeMap::new(),
    };
    let mut hashes = BTreeMap::new();
    let mut changed: Vec<(String, Vec<String>)> = Vec::new();
    store.for_each_object(&mut |o: &StoredObject| {
        let id = object_id(&o.key, &o.uid);
        let hash = object_hash(&o.json);
        if before.get(&id) != Some(&hash) {
            match changed.iter_mut().find(|(key, _)| *key == o.key) {
                Some((_, objects)) => objects.push(o.json.clone()),
                None => changed.push((o.key.clone(), vec![o.json.clone()])),
            }
            counts.metadata_objects += 1;
        }
        hashes.insert(id, hash);
        Ok(())
    })?;
    let metadata_fingerprint = fingerprint(&refs, &hashes);

    let mut entries: Vec<(&str, Vec<u8>)> = vec![(DATA_ENTRY, data)];
    if let Some(completions) = completions {
        entries.push((COMPLETIONS_ENTRY, completions));
    }
    if !changed.is_empty() {
        entries.push((METADATA_ENTRY, package(&changed)));
    }
    let manifest = Manifest {
        format: FORMAT.to_owned(),
        source,
        destination: destination.to_owned(),
        sequence,
        changes: ChangeRange { after, through },
        created: timestamp(&options.now),
        program: options.program.clone(),
        metadata_fingerprint,
        deletions: "deleted-flag".to_owned(),
        counts,
        entries: entries
            .iter()
            .map(|(name, bytes)| Entry {
                name: (*name).to_owned(),
                size: bytes.len() as u64,
                sha256: sha256_hex(bytes),
            })
            .collect(),
    };
    let parts: Vec<(&str, &[u8])> = entries.iter().map(|(n, b)| (*n, b.as_slice())).collect();
    let bytes = write_zip(&manifest, &parts)?;
    Ok(Export {
        sha256: sha256_hex(&bytes),
        manifest,
        bytes,
        previous: previous.map_or(0, |s| s.sequence),
        objects: encode(&hashes)?,
    })
}

/// `dataValues.json`: the rows changed above `after`, as DHIS2's classic JSON writer writes
/// them (UIDs; `created`, `lastUpdated` in DHIS2's long GMT form; `deleted: true` on
/// soft-deleted rows).
fn data_values<S: DataValueStore + ObjectStore + ?Sized>(
    store: &mut S,
    after: u64,
    counts: &mut Counts,
    refs: &mut Refs,
) -> Result<Vec<u8>, Error> {
    let typed = store.load_metadata()?;
    let data_elements: Vec<_> = typed
        .identities(ObjectKind::DataElement)
        .map(|id| id.uid)
        .collect();
    let mut writer = Writer::new(Vec::new());
    let write_err = |e: dxf2_json::Error| Error::Write(e.to_string());
    writer
        .begin(&DataValueSetHeader::default())
        .map_err(write_err)?;
    if !data_elements.is_empty() {
        let query = ValueQuery {
            data_elements,
            include_deleted: true,
            changed_since: Some(after),
            ..ValueQuery::default()
        };
        let mut record = DataValue::new();
        store.query(&query, &mut |row: &StoredValue| {
            fill(&mut record, row);
            writer
                .write_value(&record)
                .map_err(|e| StoreError::backend("writing the bundle's data values", e))?;
            counts.data_values += 1;
            if row.deleted {
                counts.deleted_data_values += 1;
            }
            let key = &row.key;
            refs.insert((DATA_ELEMENTS, key.data_element.to_string()));
            refs.insert((ORG_UNITS, key.org_unit.to_string()));
            refs.insert((OPTION_COMBOS, key.category_option_combo.to_string()));
            refs.insert((OPTION_COMBOS, key.attribute_option_combo.to_string()));
            Ok(())
        })?;
    }
    writer.finish().map_err(write_err)?;
    let mut bytes = writer.into_inner();
    bytes.push(b'\n');
    Ok(bytes)
}

/// A stored row as a data value with UIDs, as DHIS2's classic export writes it.
fn fill(record: &mut DataValue, row: &StoredValue) {
    let key = &row.key;
    record.clear();
    let mut uid = |field: Field, u: &dxf2_model::Uid| {
        let _ = record.set_with(field, |buf| write!(buf, "{u}"));
    };
    uid(Field::DataElement, &key.data_element);
    uid(Field::OrgUnit, &key.org_unit);
    uid(Field::CategoryOptionCombo, &key.category_option_combo);
    uid(Field::AttributeOptionCombo, &key.attribute_option_combo);
    let _ = record.set_with(Field::Period, |buf| write!(buf, "{}", key.period));
    for (field, text) in [
        (Field::Value, &row.value),
        (Field::StoredBy, &row.stored_by),
        (Field::Comment, &row.comment),
    ] {
        if let Some(text) = text {
            record.set(field, text);
        }
    }
    let _ = record.set_with(Field::Created, |buf| write_timestamp(buf, &row.created));
    let _ = record.set_with(Field::LastUpdated, |buf| {
        write_timestamp(buf, &row.last_updated)
    });
    record.set_followup(Some(row.followup));
    record.set_deleted(row.deleted.then_some(true));
}

/// `completeDataSetRegistrations.json` (DHIS2's `POST /api/completeDataSetRegistrations` body)
/// of the completions changed above `after`; `None` when there are none.
fn completions<S: DataValueStore + ?Sized>(
    store: &mut S,
    after: u64,
    counts: &mut Counts,
    refs: &mut Refs,
) -> Result<Option<Vec<u8>>, Error> {
    let mut list: Vec<Value> = Vec::new();
    store.changed_completions(after, &mut |c: &Completion| {
        let mut last_updated = String::new();
        let _ = write_timestamp(&mut last_updated, &c.last_updated);
        list.push(json!({
            "dataSet": c.data_set.to_string(),
            "period": c.period.to_string(),
            "organisationUnit": c.org_unit.to_string(),
            "attributeOptionCombo": c.attribute_option_combo.to_string(),
            "date": c.date.format("%Y-%m-%d").to_string(),
            "storedBy": c.stored_by,
            "lastUpdated": last_updated,
            "completed": c.completed,
        }));
        refs.insert((DATA_SETS, c.data_set.to_string()));
        refs.insert((ORG_UNITS, c.org_unit.to_string()));
        refs.insert((OPTION_COMBOS, c.attribute_option_combo.to_string()));
        Ok(())
    })?;
    if list.is_empty() {
        return Ok(None);
    }
    counts.completions = list.len() as u64;
    let mut bytes = serde_json::to_vec(&json!({ "completeDataSetRegistrations": list }))
        .map_err(|e| Error::Write(e.to_string()))?;
    bytes.push(b'\n');
    Ok(Some(bytes))
}
