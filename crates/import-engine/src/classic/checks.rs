//! The strict and timeliness rules of the classic importer, in DHIS2's order (C3–C16,
//! `E7632`–`E7645`): strict periods, data elements, option combos and org units, `storedBy`
//! length, the attribute option combo's dates and org units, then (unless forced) locking by
//! expiry days, future periods, approvals, data input periods, and the deletion of a file value
//! that does not exist.

use chrono::{Duration, NaiveDate};
use dxf2_model::metadata::DataSet;
use dxf2_model::{DataValue, Period, Uid};

use super::decide::RowBuf;
use super::values::{RawIds, Resolved, ValueRun};
use super::EDIT_EXPIRED_AUTHORITY;
use crate::batch::Batched;
use crate::codes::*;
use crate::conflicts::ConflictCollector;
use crate::store::Existing;
use crate::Failure;

pub(super) const MAX_STORED_BY: usize = 255;

impl<'m> ValueRun<'_, 'm> {
    /// C3–C16, in order; the first failing rule adds its conflict(s). Returns whether the value passed.
    pub(super) fn strict_checks(
        &mut self,
        r: &Resolved<'m>,
        raw: &RawIds<'_>,
        dv: &DataValue,
        index: i64,
        store: &mut Batched<'_>,
        conflicts: &mut ConflictCollector,
    ) -> Result<bool, Failure> {
        let imp = self.importer;
        let ix = &imp.index;
        let at = Some(index);
        let de_uid = r.de.id.uid;
        let element_sets = ix.data_sets_of_element(&de_uid);

        // C3 strictPeriods.
        if self.eff.strict_periods
            && !element_sets
                .iter()
                .any(|ds| ds.period_type == r.period.period_type())
        {
            conflicts.add(
                E7632,
                &[("period", raw.pe), ("dataElement", raw.de)],
                &[raw.pe, raw.de],
                None,
                at,
            );
            return Ok(false);
        }
        // C4 strictDataElements.
        if self.eff.strict_data_elements {
            let ok = match self.set.data_set {
                Some(ds) => ds.elements.iter().any(|e| e.data_element == de_uid),
                None => !element_sets.is_empty(),
            };
            if !ok {
                let sets: Vec<&str> = match self.set.data_set {
                    Some(ds) => vec![ds.id.uid.as_str()],
                    None => element_sets.iter().map(|d| d.id.uid.as_str()).collect(),
                };
                let joined = sets.join(",");
                conflicts.add(
                    E7633,
                    &[("dataElement", raw.de), ("dataSet", Some(&joined))],
                    &[raw.de, Some(&joined)],
                    Some("dataElement"),
                    at,
                );
                return Ok(false);
            }
        }
        // C5 strictCategoryOptionCombos.
        if self.eff.strict_cocs {
            let coc_uid = r.coc.coc.id.uid;
            if !ix
                .element_combos(r.de)
                .any(|cc| ix.combo_has_option_combo(&cc, &coc_uid))
            {
                conflicts.add(
                    E7634,
                    &[("categoryOptionCombo", raw.coc), ("dataElement", raw.de)],
                    &[raw.coc, raw.de],
                    Some("categoryOptionCombo"),
                    at,
                );
                return Ok(false);
            }
        }
        // C6 strictAttributeOptionCombos.
        if self.eff.strict_aocs {
            let aoc_uid = r.aoc.coc.id.uid;
            if !element_sets
                .iter()
                .all(|ds| ix.combo_has_option_combo(&ds.category_combo, &aoc_uid))
            {
                conflicts.add(
                    E7635,
                    &[("categoryOptionCombo", raw.aoc), ("dataElement", raw.de)],
                    &[raw.aoc, raw.de],
                    Some("attributeOptionCombo"),
                    at,
                );
                return Ok(false);
            }
        }
        // C7 strictOrganisationUnits.
        if self.eff.strict_org_units {
            let ou_sets = ix.data_sets_of_org_unit(&r.ou.id.uid);
            if !ou_sets
                .iter()
                .any(|ds| ds.elements.iter().any(|e| e.data_element == de_uid))
            {
                conflicts.add(
                    E7636,
                    &[("organisationUnit", raw.ou), ("dataElement", raw.de)],
                    &[raw.ou, raw.de],
                    Some("orgUnit"),
                    at,
                );
                return Ok(false);
            }
        }
        // C8 storedBy length (a text of at most 255 bytes has at most 255 characters).
        if dv
            .stored_by()
            .is_some_and(|s| s.len() > MAX_STORED_BY && s.chars().count() > MAX_STORED_BY)
        {
            let key = "stored_by_length_greater_than_max_length";
            conflicts.add(
                E7637,
                &[("storedBy", Some(key))],
                &[Some(STORED_BY_TOO_LONG)],
                Some("storedBy"),
                at,
            );
            return Ok(false);
        }
        // C9/C10: attribute option combo date range and org units.
        let restrictions = ix.restrictions_of(&r.aoc.coc.id.uid);
        let open_after = match self.set.data_set {
            Some(ds) => ds.open_periods_after_co_end_date,
            None => element_sets
                .iter()
                .map(|d| d.open_periods_after_co_end_date)
                .max()
                .unwrap_or(0),
        };
        let adjusted_end = restrictions.end.and_then(|end| {
            let mut p = r.period.period_type().period_containing(end)?;
            for _ in 0..open_after.max(0) {
                p = p.next()?;
            }
            Some(if open_after > 0 { p.end_date() } else { end })
        });
        let period_end = self.end_date(r.period);
        let too_early = restrictions.start.is_some_and(|s| s > period_end);
        let too_late = adjusted_end.is_some_and(|e| e < r.period.start_date());
        if too_early || too_late {
            conflicts.add(
                E7638,
                &[("period", raw.pe), ("categoryOptionCombo", raw.aoc)],
                &[raw.pe, raw.aoc],
                Some("period"),
                at,
            );
            return Ok(false);
        }
        if !restrictions.org_unit_lists.is_empty() {
            let ou = &r.ou.id.uid;
            let inside = restrictions
                .org_unit_lists
                .iter()
                .all(|list| ix.metadata.is_org_unit_within_any(ou, list));
            if !inside {
                conflicts.add(
                    E7639,
                    &[
                        ("organisationUnit", raw.ou),
                        ("categoryOptionCombo", raw.aoc),
                    ],
                    &[raw.ou, raw.aoc],
                    Some("orgUnit"),
                    at,
                );
                return Ok(false);
            }
        }
        // C11–C15 are skipped when forcing (superusers only).
        if !self.eff.force {
            if !self.timeliness(r, raw, element_sets, period_end, index, store, conflicts)? {
                return Ok(false);
            }
            // C15: the element's data sets must allow input for the period now.
            if !element_sets.is_empty()
                && !element_sets
                    .iter()
                    .any(|ds| self.input_period_open(ds, &r.period))
            {
                conflicts.add(E7644, &[("period", raw.pe)], &[raw.pe], Some("period"), at);
                return Ok(false);
            }
        }
        // C16: deleting a file value that does not exist.
        if self.eff.strategy.is_delete() && r.de.value_type.is_file() {
            let key = self.key(r);
            let buf = self
                .existing
                .get_or_insert_with(|| RowBuf::new(key, imp.now));
            let exists = store.get(&key, &mut buf.row)?;
            if exists == Existing::None {
                conflicts.add(
                    E7645,
                    &[("dataElement", raw.de)],
                    &[raw.de],
                    Some("dataElement"),
                    at,
                );
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// The target data sets of a value, used by the locking, future-period, approval and
    /// input-period rules (C11–C14): the import's data set when it has one, else the element's
    /// data sets that have the org unit as a source and the AOC's category combo as their
    /// category combo. No target data set means those rules pass.
    pub(super) fn target_data_sets<'s>(
        &'s self,
        r: &'s Resolved<'m>,
        element_sets: &'s [&'m DataSet],
    ) -> impl Iterator<Item = &'m DataSet> + Clone + 's {
        let (given, candidates) = match self.set.data_set {
            Some(ds) => (Some(ds), &[][..]),
            None => (None, element_sets),
        };
        // `ds.org_units.contains(ou)`, through the org unit's (short) list of data sets.
        let ou_sets = self.importer.index.data_sets_of_org_unit(&r.ou.id.uid);
        let aoc_combo = r.aoc.coc.category_combo;
        given.into_iter().chain(
            candidates
                .iter()
                .copied()
                .filter(move |ds| ds.category_combo == aoc_combo)
                .filter(move |ds| ou_sets.iter().any(|o| o.id.uid == ds.id.uid)),
        )
    }

    /// The latest period of `ds` open for data entry now, and its last day (C12).
    pub(super) fn latest_open(&self, ds: &DataSet) -> Option<(Period, NaiveDate)> {
        match self.latest_open.get(&ds.id.uid) {
            Some(latest) => *latest,
            None => {
                let today = self.importer.now.date_naive();
                ds.period_type
                    .future_period(today, ds.open_future_periods)
                    .map(|p| (p, p.end_date()))
            }
        }
    }

    pub(super) fn input_period_open(&self, ds: &DataSet, period: &Period) -> bool {
        if ds.data_input_periods.is_empty() {
            return true;
        }
        let today = self.importer.now.date_naive();
        ds.data_input_periods.iter().any(|dip| {
            dip.period == *period
                && dip.opening_date.is_none_or(|o| o.date() <= today)
                && dip.closing_date.is_none_or(|c| today <= c.date())
        })
    }

    /// C11–C14 over the target data sets, with DHIS2's strictness rules.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn timeliness(
        &self,
        r: &Resolved<'m>,
        raw: &RawIds<'_>,
        element_sets: &[&'m DataSet],
        period_end: NaiveDate,
        index: i64,
        store: &mut Batched<'_>,
        conflicts: &mut ConflictCollector,
    ) -> Result<bool, Failure> {
        let at = Some(index);
        let targets = self.target_data_sets(r, element_sets);
        // One pass counts what C11 and C14 need; the conflicts are added by a second pass when a
        // rule fails.
        let (mut total, mut locked, mut too_late, mut closed) = (0, 0, false, 0);
        for ds in targets.clone() {
            total += 1;
            if self.is_locked(ds, &r.period, &r.ou.id.uid, store)? {
                locked += 1;
            }
            if self
                .latest_open(ds)
                .is_some_and(|(_, latest_end)| period_end > latest_end)
            {
                too_late = true;
            }
            if !self.input_period_open(ds, &r.period) {
                closed += 1;
            }
        }
        if total == 0 {
            return Ok(true);
        }
        // C11: locked by expiry days.
        if fails(self.eff.strict_locking, locked, total) {
            for ds in targets.clone() {
                if self.is_locked(ds, &r.period, &r.ou.id.uid, store)? {
                    let uid = Some(ds.id.uid.as_str());
                    conflicts.add(
                        E7640,
                        &[("period", raw.pe), ("dataSet", uid)],
                        &[raw.pe, uid],
                        Some("period"),
                        at,
                    );
                }
            }
            return Ok(false);
        }
        // C12: after the latest open future period (always strict).
        if too_late {
            for ds in targets.clone() {
                let Some((latest, latest_end)) = self.latest_open(ds) else {
                    continue;
                };
                if period_end > latest_end {
                    let latest_iso = latest.to_string();
                    let ds_uid = Some(ds.id.uid.as_str());
                    conflicts.add(
                        E7641,
                        &[
                            ("period", raw.pe),
                            ("dataElement", raw.de),
                            ("dataSet", ds_uid),
                        ],
                        &[raw.pe, raw.de, ds_uid, Some(&latest_iso)],
                        Some("period"),
                        at,
                    );
                }
            }
            return Ok(false);
        }
        // C13: approvals. This library keeps no approval records, so no value is ever approved.
        let _ = self.eff.strict_approval;
        // C14: data input periods.
        if fails(self.eff.strict_input_periods, closed, total) {
            for ds in targets.filter(|ds| !self.input_period_open(ds, &r.period)) {
                let uid = Some(ds.id.uid.as_str());
                conflicts.add(
                    E7643,
                    &[("period", raw.pe), ("dataSet", uid)],
                    &[raw.pe, uid],
                    Some("period"),
                    at,
                );
            }
            return Ok(false);
        }
        Ok(true)
    }
    /// `DataSet.isLocked`: expiry days passed since the period ended, unless a lock exception exists.
    pub(super) fn is_locked(
        &self,
        ds: &DataSet,
        period: &Period,
        ou: &Uid,
        store: &mut Batched<'_>,
    ) -> Result<bool, Failure> {
        let imp = self.importer;
        if ds.expiry_days <= 0 || imp.access.has_authority(EDIT_EXPIRED_AUTHORITY) {
            return Ok(false);
        }
        let Some(deadline) = period
            .end_date()
            .checked_add_signed(Duration::days(1 + ds.expiry_days))
        else {
            return Ok(false);
        };
        if imp.now.naive_utc() <= deadline.and_hms_opt(0, 0, 0).unwrap_or_default() {
            return Ok(false);
        }
        let exception = store.has_lock_exception(&ds.id.uid, period, ou)?;
        Ok(!exception)
    }
}

/// Non-strict: fails only when every target data set fails; strict: when any does.
pub(super) fn fails(strict: bool, failing: usize, total: usize) -> bool {
    if strict {
        failing > 0
    } else {
        failing > 0 && failing == total
    }
}
