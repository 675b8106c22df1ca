//! The decision table of the classic importer (DHIS2's `DefaultDataValueSetService`): create,
//! update, soft delete, revive or ignore, by strategy, existing row, null and zero values; and
//! the writes it decides, through reused row and audit buffers so that a value allocates
//! nothing.

use dxf2_model::metadata::DataElement;
use dxf2_model::{DataValue, StrategyGroup};

use super::values::{Resolved, ValueRun};
use crate::batch::Batched;
use crate::store::{Audit, AuditType, DataValueKey, Existing, StoredValue};
use crate::Failure;

/// A reused row, with spare buffers for its texts: setting a text to `None` keeps its buffer
/// for the next `Some`.
pub(super) struct RowBuf {
    pub(super) row: StoredValue,
    pub(super) spare: [String; 3],
}

impl RowBuf {
    pub(super) fn new(key: DataValueKey, now: chrono::DateTime<chrono::Utc>) -> RowBuf {
        RowBuf {
            row: StoredValue::empty(key, now),
            spare: Default::default(),
        }
    }

    /// Sets the incoming fields (DHIS2 copies them onto the row it saves).
    pub(super) fn fill(
        &mut self,
        value: Option<&str>,
        comment: Option<&str>,
        stored_by: &str,
        followup: bool,
        deleted: bool,
        now: chrono::DateTime<chrono::Utc>,
    ) {
        let [spare_value, spare_comment, spare_stored_by] = &mut self.spare;
        let row = &mut self.row;
        set_opt(&mut row.value, spare_value, value);
        set_opt(&mut row.comment, spare_comment, comment);
        set_opt(&mut row.stored_by, spare_stored_by, Some(stored_by));
        row.followup = followup;
        row.deleted = deleted;
        row.last_updated = now;
    }
}

impl<'m> ValueRun<'_, 'm> {
    pub(super) fn key(&self, r: &Resolved<'m>) -> DataValueKey {
        DataValueKey {
            data_element: r.de.id.uid,
            period: r.period,
            org_unit: r.ou.id.uid,
            category_option_combo: r.coc.coc.id.uid,
            attribute_option_combo: r.aoc.coc.id.uid,
        }
    }

    /// The decision table, DHIS2's rows evaluated top down. *E* is the stored row for the key
    /// (none under `skipExistingCheck`), *live* when not soft-deleted; *null* = value and
    /// comment both empty after trimming; *del* = the incoming `deleted` flag; *zero* =
    /// [`is_zero_insignificant`]; "updates" = an update or create-and-update strategy,
    /// "creates" = a create or create-and-update strategy.
    ///
    /// 1. The value failed validation: `ignored` +1, index rejected (done before this call).
    /// 2. *zero* and (no E or a create strategy): nothing, counted nowhere.
    /// 3. Live E, updates, and *null*, *del* or *zero*: E soft-deleted, carrying the incoming
    ///    fields; `deleted` +1.
    /// 4. Live E, updates, value, comment and follow-up unchanged: `ignored` +1, not rejected.
    /// 5. Live E, updates: E overwritten, its `created` kept; `updated` +1.
    /// 6. Live E, a delete strategy: E soft-deleted (audited even when the value is the same);
    ///    `deleted` +1.
    /// 7. Live E, a create strategy or SYNC: `ignored` +1, index rejected.
    /// 8. No live E and the strategy does not create: `ignored` +1, index rejected.
    /// 9. No live E, creates, *null*: `ignored` +1, not rejected.
    /// 10. Soft-deleted E, creates: the row overwritten with the incoming fields, including
    ///     `deleted`; `imported` +1.
    /// 11. No E, creates: inserted (also when *del*: the row is stored deleted); `imported` +1.
    ///     A key this import already inserted (a duplicate inside the payload) is dropped
    ///     silently, as DHIS2's batch insert drops it.
    ///
    /// An audit row holding the previous value is written for an update that changes the value
    /// and for every delete, unless audit is off; inserts are not audited.
    ///
    /// The existing row is read into a reused buffer and, when DHIS2 saves it, changed and written
    /// back from that same buffer; new rows are built in another reused buffer.
    pub(super) fn apply(
        &mut self,
        r: &Resolved<'m>,
        dv: &DataValue,
        normalised: Option<&str>,
        index: i64,
        store: &mut Batched<'_>,
    ) -> Result<(), Failure> {
        let imp = self.importer;
        let now = imp.now;
        let key = self.key(r);
        let value = normalised.map(str::trim).filter(|v| !v.is_empty());
        let comment = dv.comment().map(str::trim).filter(|c| !c.is_empty());
        let followup = dv.followup() == Some(true);
        let del = dv.deleted() == Some(true);
        let null_value = value.is_none() && comment.is_none();
        let zero = value.is_some_and(|v| is_zero_insignificant(r.de, v));
        let group = self.eff.strategy.group();
        let creates = matches!(
            group,
            StrategyGroup::Create | StrategyGroup::CreateAndUpdate
        );
        let updates = matches!(
            group,
            StrategyGroup::Update | StrategyGroup::CreateAndUpdate
        );
        let audit_on = self.eff.audit;

        let buf = self.existing.get_or_insert_with(|| RowBuf::new(key, now));
        let existing = if self.eff.skip_existing_check {
            Existing::None
        } else {
            store.get(&key, &mut buf.row)?
        };
        let e_live = existing == Existing::Stored && !buf.row.deleted;
        let e_deleted = existing == Existing::Stored && buf.row.deleted;

        // Row 2.
        if zero && (!e_live && !e_deleted || group == StrategyGroup::Create) {
            return Ok(());
        }
        let stored_by = match dv.stored_by() {
            Some(s) if !s.trim().is_empty() => s,
            _ => imp.access.username(),
        };
        if e_live {
            // Rows 3, 5 and 6 save the existing row with the incoming fields; the audit (when
            // written) holds the value it had.
            let (deleted, audit_type, counter) = if updates && (null_value || del || zero) {
                // Row 3: soft delete, carrying the incoming fields.
                (true, AuditType::Delete, &mut self.count.deleted)
            } else if updates {
                let same = buf.row.value.as_deref() == value
                    && buf.row.comment.as_deref() == comment
                    && buf.row.followup == followup;
                if same {
                    // Row 4.
                    self.count.ignored += 1;
                    return Ok(());
                }
                // Row 5.
                (false, AuditType::Update, &mut self.count.updated)
            } else if group == StrategyGroup::Delete {
                // Row 6 (audited even when the value does not change).
                (true, AuditType::Delete, &mut self.count.deleted)
            } else {
                // Row 7: create or SYNC over a live value.
                self.reject(index);
                return Ok(());
            };
            let changed = group == StrategyGroup::Delete || buf.row.value.as_deref() != value;
            let audit = if audit_on && changed {
                Some(audit_row(
                    &mut self.audit_row,
                    key,
                    buf.row.value.as_deref(),
                    imp.access.username(),
                    now,
                    audit_type,
                ))
            } else {
                None
            };
            buf.row.key = key;
            buf.fill(value, comment, stored_by, followup, deleted, now);
            store.update(&buf.row)?;
            if let Some(audit) = audit {
                store.audit(audit)?;
            }
            *counter += 1;
            return Ok(());
        }
        if !creates {
            // Row 8.
            self.reject(index);
            return Ok(());
        }
        if null_value {
            // Row 9.
            self.count.ignored += 1;
            return Ok(());
        }
        if e_deleted {
            // Row 10: revive the soft-deleted row.
            buf.row.key = key;
            buf.fill(value, comment, stored_by, followup, del, now);
            buf.row.created = now;
            store.update(&buf.row)?;
            self.count.imported += 1;
            return Ok(());
        }
        if existing == Existing::InsertedInThisTransaction {
            // A duplicate key within the payload: DHIS2's batch handler drops it silently.
            return Ok(());
        }
        // Row 11.
        if !self.eff.dry_run {
            let new = self.new_row.get_or_insert_with(|| RowBuf::new(key, now));
            new.row.key = key;
            new.row.created = now;
            new.fill(value, comment, stored_by, followup, del, now);
            store.insert(&new.row)?;
        }
        self.count.imported += 1;
        Ok(())
    }
}

/// Fills the reused audit row (created on first use) and returns it.
pub(super) fn audit_row<'b>(
    slot: &'b mut Option<Audit>,
    key: DataValueKey,
    previous: Option<&str>,
    modified_by: &str,
    created: chrono::DateTime<chrono::Utc>,
    audit_type: AuditType,
) -> &'b Audit {
    let audit = slot.get_or_insert_with(|| Audit {
        key,
        previous_value: None,
        modified_by: String::new(),
        created,
        audit_type,
    });
    audit.key = key;
    match (audit.previous_value.as_mut(), previous) {
        (Some(s), Some(p)) => {
            s.clear();
            s.push_str(p);
        }
        (_, p) => audit.previous_value = p.map(str::to_owned),
    }
    if audit.modified_by != modified_by {
        audit.modified_by.clear();
        audit.modified_by.push_str(modified_by);
    }
    audit.created = created;
    audit.audit_type = audit_type;
    audit
}

/// Sets a reused text: `Some` writes into the slot's buffer (or the spare one), `None` keeps the
/// slot's buffer as the spare.
pub(super) fn set_opt(slot: &mut Option<String>, spare: &mut String, text: Option<&str>) {
    match text {
        Some(t) => {
            let s = slot.get_or_insert_with(|| std::mem::take(spare));
            s.clear();
            s.push_str(t);
        }
        None => {
            if let Some(s) = slot.take() {
                if s.capacity() > spare.capacity() {
                    *spare = s;
                }
            }
        }
    }
}

/// Whether `value` is a zero DHIS2 does not keep: the element's type is numeric, the value
/// matches `^0(\.0*)?$` (`0`, `0.`, `0.00`; not `-0`, `00`, `.0`), the element is not
/// zero-significant and its aggregation type is neither `AVERAGE_SUM_ORG_UNIT` nor `AVERAGE`.
/// A new such value is not stored (rows 2 and 3 of [`ValueRun::apply`]).
pub(super) fn is_zero_insignificant(de: &DataElement, value: &str) -> bool {
    de.value_type.is_zero_insignificant_candidate(value)
        && !de.zero_is_significant
        && de.aggregation_type != "AVERAGE_SUM_ORG_UNIT"
        && de.aggregation_type != "AVERAGE"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_opt_keeps_the_buffer_of_a_cleared_text() {
        let mut slot = None;
        let mut spare = String::new();
        set_opt(&mut slot, &mut spare, Some("a longer comment"));
        assert_eq!(slot.as_deref(), Some("a longer comment"));
        let capacity = slot.as_ref().map_or(0, String::capacity);
        set_opt(&mut slot, &mut spare, None);
        assert_eq!((slot.as_deref(), spare.capacity()), (None, capacity));
        set_opt(&mut slot, &mut spare, Some("short"));
        assert_eq!(slot.as_deref(), Some("short"));
        assert_eq!(slot.as_ref().map_or(0, String::capacity), capacity);
        assert_eq!(spare.capacity(), 0);
    }
}
