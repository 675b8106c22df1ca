//! Applying a 2.43+ group (`HibernateDataEntryStore`): the deletion scope's soft deletes, the
//! upsert of every valid value (insert or overwrite, whatever was stored; one changelog row
//! each), and the completion registration (only for a group without ignored values, never in a
//! dry run).

use chrono::NaiveDate;
use dxf2_model::{SchemeTarget, Uid};

use super::decode::{Decoded, GroupHeader, Stop};
use super::groups::Scope;
use super::validate::distinct;
use super::values::{Entry, Values};
use super::{GroupError, Run};
use crate::batch::Batched;
use crate::store::{Audit, AuditType, Completion, DataValueKey, Existing, StoredValue, ValueQuery};
use crate::Failure;

impl<'m> Run<'_, 'm> {
    /// Deletes the live rows a deletion scope selects (soft delete, with a `DELETE` changelog
    /// row each) and returns how many; a dry run only counts them (`countScope`).
    pub(super) fn delete_scope(
        &self,
        scope: Option<&Scope>,
        store: &mut Batched<'_>,
    ) -> Result<u64, GroupError> {
        let Some(scope) = scope else {
            return Ok(0);
        };
        let query = ValueQuery {
            data_elements: distinct(scope.elements.iter().map(|e| e.de)),
            periods: scope.periods.clone(),
            org_units: Some(scope.org_units.clone()),
            include_deleted: false,
            ..ValueQuery::default()
        };
        let mut rows: Vec<StoredValue> = Vec::new();
        // The query sees the writes of this import so far.
        store.flush()?;
        store.store().query(&query, &mut |row| {
            if scope.elements.iter().any(|e| e.matches(&row.key)) {
                rows.push(row.clone());
            }
            Ok(())
        })?;
        let count = rows.len() as u64;
        if self.settings.dry_run {
            return Ok(count);
        }
        let now = self.importer.now;
        let username = self.importer.access.username();
        for mut row in rows {
            let previous = row.value.clone();
            row.deleted = true;
            row.last_updated = now;
            set_text(&mut row.stored_by, Some(username));
            store.update(&row)?;
            store.audit(&Audit {
                key: row.key,
                previous_value: previous,
                modified_by: username.to_owned(),
                created: now,
                audit_type: AuditType::Delete,
            })?;
        }
        Ok(count)
    }

    pub(super) fn key_of(&self, values: &Values, e: &Entry) -> DataValueKey {
        DataValueKey {
            data_element: values.uid(e.de).unwrap_or(self.default_coc),
            period: e.period,
            org_unit: values.uid(e.ou).unwrap_or(self.default_coc),
            category_option_combo: values.uid(e.coc).unwrap_or(self.default_coc),
            attribute_option_combo: values.uid(e.aoc).unwrap_or(self.default_coc),
        }
    }

    /// `HibernateDataEntryStore.upsertValues` for one value, with its changelog row.
    pub(super) fn upsert(
        &self,
        e: &Entry,
        values: &Values,
        store: &mut Batched<'_>,
        buf: &mut Option<StoredValue>,
    ) -> Result<(), GroupError> {
        let now = self.importer.now;
        let key = self.key_of(values, e);
        let buf = buf.get_or_insert_with(|| StoredValue::empty(key, now));
        let de_type = self
            .md
            .data_element(&key.data_element)
            .map(|d| d.value_type);
        let value = values
            .text(e.value)
            .map(|v| de_type.map_or(std::borrow::Cow::Borrowed(v), |t| t.normalize_pipeline(v)));
        let value = value.as_deref();
        let comment = values.text(e.comment);
        let deleted = e.deleted == Some(true);
        let username = self.importer.access.username();
        let existing = store.get(&key, buf)?;
        let new = existing == Existing::None;
        let was_live = !new && !buf.deleted;
        let (audit_type, audited) = if new {
            // `get` left the buffer as it was: start the row afresh.
            buf.created = now;
            (AuditType::Create, value.map(str::to_owned))
        } else if was_live && deleted {
            (AuditType::Delete, buf.value.clone())
        } else {
            (AuditType::Update, buf.value.clone())
        };
        buf.key = key;
        set_text(&mut buf.value, value);
        // `CASE WHEN datavalue.deleted = false AND EXCLUDED.deleted = true THEN datavalue.comment`
        if !(was_live && deleted) {
            set_text(&mut buf.comment, comment);
        }
        set_text(&mut buf.stored_by, Some(username));
        buf.followup = e.followup == Some(true);
        buf.deleted = deleted;
        buf.last_updated = now;
        if new {
            store.insert(buf)?;
        } else {
            store.update(buf)?;
        }
        store.audit(&Audit {
            key,
            previous_value: audited,
            modified_by: username.to_owned(),
            created: now,
            audit_type,
        })?;
        Ok(())
    }

    /// Registers the completion of a group that had no ignored value (not in dry runs).
    pub(super) fn complete(
        &self,
        data_set: Option<Uid>,
        header: &GroupHeader,
        store: &mut Batched<'_>,
    ) -> Result<Option<NaiveDate>, GroupError> {
        let (Some(date), Some(ds), Some(period), Some(ou_raw)) = (
            header.completion,
            data_set,
            header.period,
            header.org_unit.as_deref(),
        ) else {
            return Ok(None);
        };
        if self.settings.dry_run || self.md.data_set(&ds).is_none() {
            return Ok(None);
        }
        let ou = match self.decode_id(SchemeTarget::OrgUnit, ou_raw) {
            Ok(Decoded::Found(uid)) => uid,
            Ok(_) => {
                return Err(GroupError::Fail(Failure::rule(format!(
                    "the completion's org unit `{ou_raw}` could not be decoded"
                ))))
            }
            Err(Stop::Fail(failure)) => return Err(GroupError::Fail(failure)),
            Err(Stop::Conflict(p)) => return Err(GroupError::Fail(Failure::rule(p.message()))),
        };
        let aoc = match header.attribute_option_combo.as_deref() {
            Some(raw) => match self.decode_id(SchemeTarget::AttributeOptionCombo, raw) {
                Ok(Decoded::Found(uid)) => uid,
                _ => self.default_coc,
            },
            None => self.default_coc,
        };
        store.set_completion(&Completion {
            data_set: ds,
            period,
            org_unit: ou,
            attribute_option_combo: aoc,
            date,
            stored_by: self.importer.access.username().to_owned(),
            last_updated: self.importer.now,
            completed: true,
        })?;
        Ok(Some(date))
    }
}

/// Replaces an optional text, reusing the string's allocation.
pub(super) fn set_text(slot: &mut Option<String>, text: Option<&str>) {
    match (slot.as_mut(), text) {
        (Some(s), Some(t)) => {
            s.clear();
            s.push_str(t);
        }
        (None, Some(t)) => *slot = Some(t.to_owned()),
        (_, None) => *slot = None,
    }
}
