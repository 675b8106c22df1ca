//! Single data values, as DHIS2 2.36–2.42's `/api/dataValues` handles them
//! (`DataValueController`, `DataValidator`): [`DataValues::set`] (`POST`), [`DataValues::get`]
//! (`GET`), [`DataValues::delete`] (`DELETE`), and the files of `FILE_RESOURCE` and `IMAGE`
//! values: [`DataValues::set_file`] (`POST /file`) and [`DataValues::file`] (`GET /files`).
//!
//! # DHIS2's rules
//!
//! * **The key.** `de`, `pe`, `ou` are a data element UID (`E1100`), an ISO period (`E1101`) and an
//!   org unit UID (`E1102`) in the user's data capture hierarchy (`E2020`). Without `co` the
//!   default category option combo is taken (unless the system setting
//!   `requireCategoryOptionCombo` is on: `E2018`); an unknown `co` is `E1103`. The attribute
//!   option combo comes from `cc` (a category combo) and `cp` (its options, separated by `;`),
//!   which go **only together** (`E2040`): the combo (`E1110`) and every option (`E1111`) must
//!   exist, and exactly one option combo of the category combo must hold all the options
//!   (`E2041`); neither gives the default. A save also checks the org unit's opening and closing
//!   dates (`E2019`) and the optional data set `ds` (`E1105`, `E2021`).
//! * **Saving** then checks the latest open future period (`E2022`), the attribute options'
//!   dates (`E2023`, `E2024`), the value against the value type after boolean normalisation
//!   (`E2030`), the comment (`E2028`), the option set (`E2029`), data write sharing on both
//!   option combos (`E2031`), the strict system settings, **locking** (`E2017 Data set is
//!   locked`: expiry days passed, no lock exception; skipped when a superuser forces) and the
//!   data input periods (`E2025`).
//! * **A new value** is stored with the value and comment trimmed; nothing is stored when both
//!   are empty, or for a zero the element does not keep (`zeroIsSignificant` false); a
//!   soft-deleted row of the key is revived (audit `CREATE`).
//! * **An existing value**: a value or comment given replaces the stored one (an empty one
//!   clears it); **a follow-up given, `true` or `false`, toggles the stored flag**; a
//!   `TRUE_ONLY` value saved with no value, comment or follow-up is deleted; a value left with
//!   neither value nor comment, or holding a zero the element does not keep, is deleted (audit
//!   `DELETE`); otherwise it is updated (audit `UPDATE` when the value changed).
//! * **Deleting** a value that does not exist is refused (`Data value cannot be deleted because
//!   it does not exist`); a delete is a soft delete with a `DELETE` audit; locking and data
//!   input periods apply as to a save.
//! * **Reading** a missing value: `Data value does not exist`; a user needs data read sharing on
//!   the options of both option combos (403).
//! * **Files.** A file value's `value` is the UID of a file resource (kept as a store record, see
//!   [`crate::file_resource`]), assigned to the value's key one-to-one: a file resource owned by
//!   another key is refused (`E2026`), saving a file value without a value deletes its file and
//!   clears the value, and deleting the value deletes its file (DHIS2's default retention
//!   strategy `NONE`).
//!
//! Where this differs from DHIS2 on purpose: a file value replaced by a new file has its old file
//! deleted (DHIS2 2.42 leaves it stored and assigned, reachable from nothing); a file sent for an
//! element that is not a file type is refused (`DataElement must be of type file`; DHIS2 stores
//! the file resource's UID as the value); DHIS2 2.43+'s `/api/dataValues`, which runs through
//! the new import pipeline, is not modelled.
//!
//! Every write happens in one store transaction: a refused request leaves the store as it was.
//!
//! ```
//! use dxf2_model::metadata::{DataElement, DataSet, DataSetElement, Identity, OrganisationUnit};
//! use dxf2_model::{Metadata, PeriodType, Uid, ValueType};
//! use import_engine::single_value::{DataValues, Saved, ValueChange, ValueParams};
//! use import_engine::{MemoryStore, Superuser};
//!
//! let uid = |s: &str| Uid::parse(s).unwrap();
//! let mut ds = DataSet::new(Identity::new(uid("pBOMPrpg1QX")), PeriodType::Monthly);
//! ds.elements.push(DataSetElement { data_element: uid("fbfJHSPpUQD"), category_combo: None });
//! let md = Metadata::builder()
//!     .with(DataElement::new(Identity::new(uid("fbfJHSPpUQD")), ValueType::Integer))
//!     .with(OrganisationUnit::new(Identity::new(uid("DiszpKrYNg8")), None))
//!     .with(ds)
//!     .build()
//!     .unwrap();
//! let access = Superuser::default();
//! let values = DataValues::new(&md, &access);
//! let mut store = MemoryStore::new();
//! let key = ValueParams::new("fbfJHSPpUQD", "202401", "DiszpKrYNg8");
//!
//! let set = values.set(&mut store, &key, &ValueChange::value("12")).unwrap();
//! assert_eq!(set.saved, Saved::Created);
//! assert_eq!(values.get(&mut store, &key).unwrap().value.as_deref(), Some("12"));
//!
//! // DHIS2's refusals, with its codes and messages.
//! let e = values.set(&mut store, &key, &ValueChange::value("twelve")).unwrap_err();
//! assert_eq!(e.to_string(), "E2030 Data value must match data element value type: `INTEGER`");
//! let other = ValueParams { attribute_combo: Some("bjDvmb4bfuf".into()), ..key.clone() };
//! let e = values.get(&mut store, &other).unwrap_err();
//! assert_eq!(e.code(), Some("E2040"));
//!
//! values.delete(&mut store, &key, false).unwrap();
//! let e = values.get(&mut store, &key).unwrap_err();
//! assert_eq!(e.to_string(), "Data value does not exist");
//! ```

mod error;
mod rules;

use chrono::{DateTime, Utc};
use dxf2_model::metadata::DataSet;
use dxf2_model::{Metadata, Uid, ValueType};

use crate::access::AccessPolicy;
use crate::file_resource::{FileResource, DATA_VALUE_DOMAIN, MAX_FILE_BYTES, RECORD_KIND};
use crate::index::MetadataIndex;
use crate::store::{
    Audit, AuditType, Changes, DataValueStore, DataValueStoreExt, Existing, StoredValue, Write,
};
use crate::SystemSettings;

pub use error::{Refusal, ValueError};
use rules::{trim_to_null, Key, Purpose};

/// The key of a single-value request, as DHIS2's parameters give it (`de`, `pe`, `ou`, `co`,
/// `cc`, `cp`, `ds`), before any lookup.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ValueParams {
    /// `de`: the data element's UID.
    pub data_element: String,
    /// `pe`: the ISO period.
    pub period: String,
    /// `ou`: the org unit's UID.
    pub org_unit: String,
    /// `co`: the category option combo's UID (none: the default).
    pub category_option_combo: Option<String>,
    /// `cc`: the attribute category combo's UID (only with `cp`).
    pub attribute_combo: Option<String>,
    /// `cp`: the attribute category options' UIDs, separated by `;` (only with `cc`).
    pub attribute_options: Option<String>,
    /// `ds`: a data set whose locking applies (none: the element's data sets').
    pub data_set: Option<String>,
}

impl ValueParams {
    /// The key `de`, `pe`, `ou`, default option combos.
    pub fn new(data_element: &str, period: &str, org_unit: &str) -> ValueParams {
        ValueParams {
            data_element: data_element.to_owned(),
            period: period.to_owned(),
            org_unit: org_unit.to_owned(),
            ..ValueParams::default()
        }
    }
}

/// What a save sends: DHIS2's `value`, `comment`, `followUp` and `force`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ValueChange {
    /// `value` (none: keep the stored value; empty: clear it).
    pub value: Option<String>,
    /// `comment` (none: keep the stored comment; empty: clear it).
    pub comment: Option<String>,
    /// `followUp`: any value toggles the stored flag (a new value takes it as given).
    pub follow_up: Option<bool>,
    /// `force`: a superuser's save or delete skips the locking checks.
    pub force: bool,
}

impl ValueChange {
    /// A change of the value alone.
    pub fn value(value: &str) -> ValueChange {
        ValueChange {
            value: Some(value.to_owned()),
            ..ValueChange::default()
        }
    }
}

/// A file for [`DataValues::set_file`].
#[derive(Clone, Copy, Debug)]
pub struct NewFile<'a> {
    /// Its name.
    pub name: &'a str,
    /// Its MIME type.
    pub content_type: &'a str,
    /// Its bytes.
    pub bytes: &'a [u8],
}

/// What a save did (DHIS2 answers `201 Created` in every case).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Saved {
    /// A new value was stored.
    Created,
    /// A soft-deleted value of the key was stored again.
    Restored,
    /// The stored value was changed.
    Updated,
    /// The stored value was deleted: a `TRUE_ONLY` value saved with nothing, or a value left with
    /// neither value nor comment, or holding a zero the element does not keep.
    Deleted,
    /// Nothing was stored: a new value with neither value nor comment.
    NothingToStore,
    /// Nothing was stored: a zero the element does not keep (`zeroIsSignificant` false).
    InsignificantZero,
}

/// The result of a save.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SetOutcome {
    /// What happened.
    pub saved: Saved,
    /// The row as stored now (`deleted` set when it was deleted); none when nothing is stored.
    pub row: Option<StoredValue>,
    /// The file resource stored by [`DataValues::set_file`].
    pub file: Option<FileResource>,
    /// The UIDs of file resources deleted with the change (the value's previous file).
    pub deleted_files: Vec<Uid>,
}

/// The result of a delete.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeleteOutcome {
    /// The row as it is now: soft-deleted.
    pub row: StoredValue,
    /// The file resource deleted with it (a file value).
    pub deleted_file: Option<Uid>,
}

/// DHIS2's `/api/dataValues` over one metadata catalogue, for one acting user.
pub struct DataValues<'m> {
    index: MetadataIndex<'m>,
    access: &'m dyn AccessPolicy,
    settings: SystemSettings,
    now: DateTime<Utc>,
}

impl<'m> DataValues<'m> {
    /// The API over `metadata` acting as `access`, with default system settings and the current
    /// time.
    pub fn new(metadata: &'m Metadata, access: &'m dyn AccessPolicy) -> DataValues<'m> {
        DataValues {
            index: MetadataIndex::new(metadata),
            access,
            settings: SystemSettings::default(),
            now: Utc::now(),
        }
    }

    /// Uses these system settings (`requireCategoryOptionCombo`, the strict settings).
    pub fn with_settings(mut self, settings: SystemSettings) -> Self {
        self.settings = settings;
        self
    }

    /// Pretends the request runs at `now` (locking and future periods depend on it).
    pub fn with_now(mut self, now: DateTime<Utc>) -> Self {
        self.now = now;
        self
    }

    fn metadata(&self) -> &'m Metadata {
        self.index.metadata
    }

    /// `POST /api/dataValues`: saves `change` for the key (see the module docs).
    pub fn set(
        &self,
        store: &mut dyn DataValueStore,
        params: &ValueParams,
        change: &ValueChange,
    ) -> Result<SetOutcome, ValueError> {
        let (key, ds) = self.save_key(params)?;
        let value = self.check_save_request(store, &key, ds, change)?;
        in_transaction(store, |store| self.save(store, &key, value, change, None))
    }

    /// `POST /api/dataValues/file`: stores `file` as a new file resource and saves its UID as
    /// the value of a `FILE_RESOURCE` or `IMAGE` element (with `change`'s comment and follow-up;
    /// its value is not used), all in one transaction.
    pub fn set_file(
        &self,
        store: &mut dyn DataValueStore,
        params: &ValueParams,
        file: &NewFile<'_>,
        change: &ValueChange,
    ) -> Result<SetOutcome, ValueError> {
        let de = self.data_element(&params.data_element)?;
        if !de.value_type.is_file() {
            return Err(Refusal::conflict("DataElement must be of type file").into());
        }
        if file.bytes.len() > MAX_FILE_BYTES {
            return Err(Refusal::conflict(format!(
                "File resource is too large: {} bytes, the most a data value file may have \
                 here is {MAX_FILE_BYTES}",
                file.bytes.len()
            ))
            .into());
        }
        let resource = FileResource::new(file.name, file.content_type, file.bytes, self.now);
        let change = ValueChange {
            value: Some(resource.uid.to_string()),
            ..change.clone()
        };
        let (key, ds) = self.save_key(params)?;
        let value = self.check_save_request(store, &key, ds, &change)?;
        in_transaction(store, |store| {
            store.put_record(
                RECORD_KIND,
                resource.uid.as_str(),
                &resource.to_record(file.bytes),
            )?;
            let mut outcome = self.save(store, &key, value, &change, Some(file.bytes))?;
            if outcome.file.is_none() {
                outcome.file = Some(resource.clone());
            }
            Ok(outcome)
        })
    }

    /// `GET /api/dataValues`: the stored, not deleted, row of the key.
    pub fn get(
        &self,
        store: &mut dyn DataValueStore,
        params: &ValueParams,
    ) -> Result<StoredValue, ValueError> {
        let key = self.key(params, Purpose::Read)?;
        let row = self
            .stored(store, &key)?
            .ok_or_else(|| Refusal::conflict("Data value does not exist"))?;
        self.check_read_access(&key)?;
        Ok(row)
    }

    /// `GET /api/dataValues/files`: the file resource of a file value, and its bytes.
    pub fn file(
        &self,
        store: &mut dyn DataValueStore,
        params: &ValueParams,
    ) -> Result<(FileResource, Vec<u8>), ValueError> {
        let key = self.key(params, Purpose::ReadFile)?;
        let row = self
            .stored(store, &key)?
            .ok_or_else(|| Refusal::conflict("Data value does not exist"))?;
        let uid = row.value.unwrap_or_default();
        let missing = || Refusal {
            status: 404,
            code: None,
            message: format!("A data value file resource with id {uid} does not exist."),
        };
        let parsed = Uid::parse(&uid).map_err(|_| missing())?;
        let body = store
            .record(RECORD_KIND, parsed.as_str())?
            .ok_or_else(missing)?;
        let (resource, bytes) = FileResource::from_record(&parsed, &body)?;
        if resource.domain != DATA_VALUE_DOMAIN {
            return Err(missing().into());
        }
        Ok((resource, bytes))
    }

    /// `DELETE /api/dataValues`: soft-deletes the stored value of the key (and its file).
    pub fn delete(
        &self,
        store: &mut dyn DataValueStore,
        params: &ValueParams,
        force: bool,
    ) -> Result<DeleteOutcome, ValueError> {
        let key = self.key(params, Purpose::Delete)?;
        let ds = self.data_set(params.data_set.as_deref(), key.de)?;
        self.check_locked(store, &key, ds, force)?;
        self.check_input_period(&key, ds)?;
        let row = self.stored(store, &key)?.ok_or_else(|| {
            Refusal::conflict("Data value cannot be deleted because it does not exist")
        })?;
        in_transaction(store, |store| {
            let mut deleted_file = None;
            if key.de.value_type.is_file() {
                deleted_file = self.delete_file(store, row.value.as_deref())?;
            }
            let mut changes = Changes::new();
            let row = self.soft_delete(&mut changes, row.clone(), row.value.clone());
            store.apply(&changes)?;
            Ok(DeleteOutcome { row, deleted_file })
        })
    }

    /// The key of a save and its data set, checked.
    fn save_key(&self, params: &ValueParams) -> Result<(Key<'m>, Option<&'m DataSet>), Refusal> {
        let key = self.key(params, Purpose::Save)?;
        let ds = self.data_set(params.data_set.as_deref(), key.de)?;
        Ok((key, ds))
    }

    /// The checks of a save after the key: the value (normalised and returned), locking and data
    /// input periods.
    fn check_save_request(
        &self,
        store: &mut dyn DataValueStore,
        key: &Key<'m>,
        ds: Option<&DataSet>,
        change: &ValueChange,
    ) -> Result<Option<String>, ValueError> {
        let value = self.check_save(key, ds, change)?;
        self.check_locked(store, key, ds, change.force)?;
        self.check_input_period(key, ds)?;
        Ok(value)
    }

    /// The stored row of the key, when there is one that is not deleted.
    fn stored(
        &self,
        store: &mut dyn DataValueStore,
        key: &Key<'m>,
    ) -> Result<Option<StoredValue>, ValueError> {
        Ok(self.row(store, key)?.filter(|r| !r.deleted))
    }

    /// The stored row of the key, deleted or not.
    fn row(
        &self,
        store: &mut dyn DataValueStore,
        key: &Key<'m>,
    ) -> Result<Option<StoredValue>, ValueError> {
        let mut row = StoredValue::empty(key.store_key(), self.now);
        Ok(match store.get(&key.store_key(), &mut row)? {
            Existing::None => None,
            Existing::Stored | Existing::InsertedInThisTransaction => Some(row),
        })
    }

    /// The save itself, inside the transaction (`saveDataValueInternal` after the checks).
    fn save(
        &self,
        store: &mut dyn DataValueStore,
        key: &Key<'m>,
        value: Option<String>,
        change: &ValueChange,
        new_file: Option<&[u8]>,
    ) -> Result<SetOutcome, ValueError> {
        let de = key.de;
        let owner = FileResource::owner_key(
            &de.id.uid,
            &key.coc.id.uid,
            &key.aoc.id.uid,
            &key.period.to_string(),
            &key.ou.id.uid,
        );
        let existing = self.row(store, key)?;
        let mut changes = Changes::new();
        let mut outcome = SetOutcome {
            saved: Saved::Created,
            row: None,
            file: None,
            deleted_files: Vec::new(),
        };
        let username = self.access.username().to_owned();
        match existing {
            Some(mut row) if !row.deleted => {
                // An existing value.
                if value.is_none()
                    && change.comment.is_none()
                    && change.follow_up.is_none()
                    && de.value_type == ValueType::TrueOnly
                {
                    let previous = row.value.clone();
                    let row = self.soft_delete(&mut changes, row, previous);
                    store.apply(&changes)?;
                    outcome.saved = Saved::Deleted;
                    outcome.row = Some(row);
                    return Ok(outcome);
                }
                let previous = row.value.clone();
                if de.value_type.is_file() {
                    match value.as_deref() {
                        Some(uid) => {
                            outcome.file = Some(self.assign_file(store, uid, &owner, new_file)?);
                            if previous.as_deref().is_some_and(|p| p != uid) {
                                outcome
                                    .deleted_files
                                    .extend(self.delete_file(store, previous.as_deref())?);
                            }
                        }
                        None => {
                            outcome
                                .deleted_files
                                .extend(self.delete_file(store, previous.as_deref())?);
                            row.value = Some(String::new());
                        }
                    }
                }
                if value.is_some() {
                    row.value = trim_to_null(value.as_deref());
                }
                if let Some(comment) = &change.comment {
                    row.comment = trim_to_null(Some(comment));
                }
                if change.follow_up.is_some() {
                    row.followup = !row.followup;
                }
                row.last_updated = self.now;
                row.stored_by = Some(username.clone());
                let value_now = trim_to_null(row.value.as_deref());
                let null_value =
                    value_now.is_none() && trim_to_null(row.comment.as_deref()).is_none();
                if null_value || self.is_insignificant_zero(de, value_now.as_deref()) {
                    let row = self.soft_delete(&mut changes, row, previous);
                    outcome.saved = Saved::Deleted;
                    outcome.row = Some(row);
                } else {
                    if previous != row.value {
                        changes.push_audit(&Audit {
                            key: row.key,
                            previous_value: previous,
                            modified_by: username,
                            created: self.now,
                            audit_type: AuditType::Update,
                        });
                    }
                    changes.push_row(Write::Update, &row);
                    outcome.saved = Saved::Updated;
                    outcome.row = Some(row);
                }
            }
            deleted => {
                // A new value (or one to revive).
                if de.value_type.is_file() {
                    if let Some(uid) = value.as_deref() {
                        outcome.file = Some(self.assign_file(store, uid, &owner, new_file)?);
                    }
                }
                let stored_value = trim_to_null(value.as_deref());
                let comment = trim_to_null(change.comment.as_deref());
                if stored_value.is_none() && comment.is_none() {
                    outcome.saved = Saved::NothingToStore;
                    return Ok(outcome);
                }
                if self.is_insignificant_zero(de, stored_value.as_deref()) {
                    outcome.saved = Saved::InsignificantZero;
                    return Ok(outcome);
                }
                let mut row = StoredValue::empty(key.store_key(), self.now);
                let write = match deleted {
                    Some(old) => {
                        row.created = old.created;
                        changes.push_audit(&Audit {
                            key: row.key,
                            previous_value: stored_value.clone(),
                            modified_by: username.clone(),
                            created: self.now,
                            audit_type: AuditType::Create,
                        });
                        outcome.saved = Saved::Restored;
                        Write::Update
                    }
                    None => Write::Insert,
                };
                row.value = stored_value;
                row.comment = comment;
                row.stored_by = Some(username);
                row.followup = change.follow_up.unwrap_or(false);
                changes.push_row(write, &row);
                outcome.row = Some(row);
            }
        }
        store.apply(&changes)?;
        Ok(outcome)
    }

    /// `deleteDataValue`: a `DELETE` audit of the value before the change, then the row
    /// marked deleted.
    fn soft_delete(
        &self,
        changes: &mut Changes,
        mut row: StoredValue,
        previous: Option<String>,
    ) -> StoredValue {
        changes.push_audit(&Audit {
            key: row.key,
            previous_value: previous,
            modified_by: self.access.username().to_owned(),
            created: self.now,
            audit_type: AuditType::Delete,
        });
        row.deleted = true;
        row.last_updated = self.now;
        changes.push_row(Write::Update, &row);
        row
    }

    /// `validateAndSetAssigned`: the file resource `uid` must exist in the data value domain
    /// (404) and be unowned or owned by this key (`E2026`); it is then assigned to the key.
    /// `bytes` are its content when the caller has them (a file just stored).
    fn assign_file(
        &self,
        store: &mut dyn DataValueStore,
        uid: &str,
        owner: &str,
        bytes: Option<&[u8]>,
    ) -> Result<FileResource, ValueError> {
        let missing = || Refusal {
            status: 404,
            code: None,
            message: format!("FileResource with id {uid} could not be found."),
        };
        let parsed = Uid::parse(uid).map_err(|_| missing())?;
        let body = store
            .record(RECORD_KIND, parsed.as_str())?
            .ok_or_else(missing)?;
        let (mut resource, content) = FileResource::from_record(&parsed, &body)?;
        if resource.domain != DATA_VALUE_DOMAIN {
            return Err(missing().into());
        }
        if resource
            .file_resource_owner
            .as_deref()
            .is_some_and(|o| o != owner)
        {
            return Err(rules_e2026().into());
        }
        if !resource.assigned || resource.file_resource_owner.is_none() {
            resource.assigned = true;
            resource.file_resource_owner = Some(owner.to_owned());
            let content = bytes.unwrap_or(content.as_slice());
            store.put_record(RECORD_KIND, parsed.as_str(), &resource.to_record(content))?;
        }
        Ok(resource)
    }

    /// Deletes the file resource a file value names (when there is one); its UID.
    fn delete_file(
        &self,
        store: &mut dyn DataValueStore,
        value: Option<&str>,
    ) -> Result<Option<Uid>, ValueError> {
        let Some(uid) = value.and_then(|v| Uid::parse(v).ok()) else {
            return Ok(None);
        };
        Ok(store
            .delete_record(RECORD_KIND, uid.as_str())?
            .then_some(uid))
    }
}

fn rules_e2026() -> Refusal {
    error::coded("E2026", &[])
}

/// Runs `f` in a store transaction: committed when it succeeds, rolled back when it fails.
fn in_transaction<T>(
    store: &mut dyn DataValueStore,
    f: impl FnOnce(&mut dyn DataValueStore) -> Result<T, ValueError>,
) -> Result<T, ValueError> {
    store.begin()?;
    match f(store) {
        Ok(value) => {
            store.commit()?;
            Ok(value)
        }
        Err(e) => {
            // The original error matters more than a failed rollback.
            let _ = store.rollback();
            Err(e)
        }
    }
}
