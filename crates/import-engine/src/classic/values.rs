//! The per-value stage of the classic importer: each value's identifiers resolved (a resolved
//! set-level period, org unit or attribute option combo overrides the value's own field; the
//! data element and category option combo are always the value's own), then rules V1–V12
//! (`E7610`–`E7621`: unknown objects, option access, capture hierarchy, the value and its
//! comment) and C1–C2 (`E7630`/`E7631`, default option combos); the first failing rule rejects
//! the value with one conflict.

use std::borrow::Cow;
use std::collections::BTreeMap;

use chrono::NaiveDate;
use dxf2_model::metadata::{DataElement, OrganisationUnit};
use dxf2_model::{DataValue, ImportCount, Period, SchemeTarget, Uid, ValueType};
use idscheme_resolver::Resolver;
use rustc_hash::FxHashMap;

use super::decide::RowBuf;
use super::resolve::{resolve_combo, Combo, Recent};
use super::{trimmed, Effective, SetLevel, NO_DEFAULT_COMBO};
use crate::batch::{Batched, Window};
use crate::codes::*;
use crate::conflicts::{ConflictCollector, ErrorCode};
use crate::schemes::object_kind;
use crate::store::{Audit, DataValueKey};
use crate::{Failure, Importer, ValueNote};

pub(super) const MAX_COMMENT: usize = 50_000;

/// The per-value part of one import.
///
/// Everything a value needs beyond its own fields is computed once per import or once per
/// distinct object (memoised here), and rows are read and written through reused buffers: after
/// the first values, validating and applying a value allocates nothing.
pub(super) struct ValueRun<'a, 'm> {
    pub(super) importer: &'a Importer<'m>,
    pub(super) resolver: &'a dyn Resolver,
    pub(super) eff: &'a Effective,
    pub(super) set: &'a SetLevel<'m>,
    pub(super) count: ImportCount,
    pub(super) rejected: Vec<i64>,
    /// Option combos met so far, by UID (`None`: not in the catalogue).
    pub(super) combos: FxHashMap<Uid, Option<Combo<'m>>>,
    /// The previous value's identifiers, resolved.
    pub(super) last: Recent<'m>,
    /// The default category option combo.
    pub(super) default_combo: Option<Combo<'m>>,
    /// Per data set UID: the latest period open for data entry now (C12), and its last day.
    pub(super) latest_open: FxHashMap<Uid, Option<(Period, NaiveDate)>>,
    /// The last period whose end date was computed, and that date.
    pub(super) period_end: Option<(Period, NaiveDate)>,
    /// Reused buffer for the existing row (read, then updated in place).
    pub(super) existing: Option<RowBuf>,
    /// Reused buffer for new rows.
    pub(super) new_row: Option<RowBuf>,
    /// Reused audit row.
    pub(super) audit_row: Option<Audit>,
    /// Notes on the values rejected or in a conflict, by index (`notes`).
    pub(super) notes: BTreeMap<i64, ValueNote>,
    /// The identifiers last resolved for a prefetch (apart from `last`, which the rules use).
    pub(super) hint: Recent<'m>,
    /// Reused list of a window's keys.
    pub(super) hint_keys: Vec<DataValueKey>,
}

impl<'a, 'm> ValueRun<'a, 'm> {
    pub(super) fn new(
        importer: &'a Importer<'m>,
        resolver: &'a dyn Resolver,
        eff: &'a Effective,
        set: &'a SetLevel<'m>,
    ) -> ValueRun<'a, 'm> {
        let index = &importer.index;
        let default_combo = index
            .default_coc
            .and_then(|uid| index.metadata.category_option_combo(&uid))
            .map(|coc| importer.combo(coc));
        let today = importer.now.date_naive();
        let latest_open = index
            .metadata
            .data_sets()
            .iter()
            .map(|ds| {
                let latest = ds
                    .period_type
                    .future_period(today, ds.open_future_periods)
                    .map(|p| (p, p.end_date()));
                (ds.id.uid, latest)
            })
            .collect();
        ValueRun {
            importer,
            resolver,
            eff,
            set,
            count: ImportCount::default(),
            rejected: Vec::new(),
            combos: FxHashMap::default(),
            last: Recent::default(),
            default_combo,
            latest_open,
            period_end: None,
            existing: None,
            new_row: None,
            audit_row: None,
            notes: BTreeMap::new(),
            hint: Recent::default(),
            hint_keys: Vec::new(),
        }
    }
}

/// A value whose identifiers all resolved.
pub(super) struct Resolved<'m> {
    pub(super) de: &'m DataElement,
    pub(super) period: Period,
    pub(super) ou: &'m OrganisationUnit,
    pub(super) coc: Combo<'m>,
    pub(super) aoc: Combo<'m>,
}

impl<'m> ValueRun<'_, 'm> {
    pub(super) fn reject(&mut self, index: i64) {
        self.count.ignored += 1;
        self.rejected.push(index);
    }

    /// Rejects value `index` with one conflict: how a failing rule of V1–V12 and C1–C2 ends.
    /// The caller returns what this returns (`Ok(())`, a rejected value) at once, so only the
    /// first failing rule, in DHIS2's order, is reported.
    pub(super) fn rejected(
        &mut self,
        conflicts: &mut ConflictCollector,
        index: i64,
        code: ErrorCode,
        objects: &[(&str, Option<&str>)],
        args: &[Option<&str>],
        property: &str,
    ) -> Result<(), Failure> {
        conflicts.add(code, objects, args, Some(property), Some(index));
        self.reject(index);
        Ok(())
    }

    /// Validates and applies one value: resolution, rules V1–V12 and C1–C16 in order, then the
    /// decision table. `Err` = store failure.
    pub(super) fn value(
        &mut self,
        dv: &DataValue,
        index: i64,
        store: &mut Batched<'_>,
        conflicts: &mut ConflictCollector,
    ) -> Result<(), Failure> {
        let imp = self.importer;
        let md = imp.index.metadata;
        let raw_de = dv.data_element();
        let raw_pe = dv.period();
        let raw_ou = dv.org_unit();
        let raw_coc = dv.category_option_combo();
        let raw_aoc = dv.attribute_option_combo();

        // Resolution: set-level objects override the value's own. Scheme errors fail the whole
        // import.
        let (resolver, eff) = (self.resolver, self.eff);
        let resolve = |target, key: &str| {
            imp.resolve_uid(
                resolver,
                object_kind(target),
                eff.schemes.effective(target),
                key,
            )
        };
        let de = match trimmed(raw_de) {
            Some(k) => self.last.de.resolve(k, |k| {
                Ok(resolve(SchemeTarget::DataElement, k)?.and_then(|u| md.data_element(&u)))
            })?,
            None => None,
        };
        let period = match (self.set.period, trimmed(raw_pe)) {
            (Some(p), _) => Some(p),
            (None, Some(k)) => self.last.pe.resolve(k, |k| Ok(k.parse::<Period>().ok()))?,
            (None, None) => None,
        };
        let ou = match (self.set.org_unit, trimmed(raw_ou)) {
            (Some(ou), _) => Some(ou),
            (None, Some(k)) => self.last.ou.resolve(k, |k| {
                Ok(resolve(SchemeTarget::OrgUnit, k)?.and_then(|u| md.org_unit(&u)))
            })?,
            (None, None) => None,
        };
        let coc_key = trimmed(raw_coc);
        let coc = match coc_key {
            Some(k) => self.last.coc.resolve(k, |k| {
                resolve_combo(imp, resolver, eff, &mut self.combos, k)
            })?,
            None => None,
        };
        let aoc_key = if self.set.aoc.is_some() {
            None
        } else {
            trimmed(raw_aoc)
        };
        let aoc = match (self.set.aoc, aoc_key) {
            (Some(c), _) => Some(c),
            (None, Some(k)) => self.last.aoc.resolve(k, |k| {
                resolve_combo(imp, resolver, eff, &mut self.combos, k)
            })?,
            (None, None) => None,
        };

        // V1–V8: the first failing rule rejects the value.
        let Some(de) = de else {
            let objects = [("dataElement", raw_de)];
            return self.rejected(conflicts, index, E7610, &objects, &[raw_de], "dataElement");
        };
        let Some(period) = period else {
            let objects = [("period", raw_pe)];
            return self.rejected(conflicts, index, E7611, &objects, &[raw_pe], "period");
        };
        let Some(ou) = ou else {
            let objects = [("organisationUnit", raw_ou)];
            return self.rejected(conflicts, index, E7612, &objects, &[raw_ou], "orgUnit");
        };
        if let (Some(_), None) = (coc_key, coc) {
            let (objects, property) = ([("categoryOptionCombo", raw_coc)], "categoryOptionCombo");
            return self.rejected(conflicts, index, E7613, &objects, &[raw_coc], property);
        }
        if let Some(c) = coc {
            if self.option_access_conflicts(
                c,
                raw_coc,
                E7614,
                "categoryOptionCombo",
                index,
                conflicts,
            ) {
                return Ok(());
            }
        }
        if let (Some(_), None) = (aoc_key, aoc) {
            let (objects, property) = ([("categoryOptionCombo", raw_aoc)], "attributeOptionCombo");
            return self.rejected(conflicts, index, E7615, &objects, &[raw_aoc], property);
        }
        if let (Some(c), Some(_)) = (aoc, aoc_key) {
            if self.option_access_conflicts(
                c,
                raw_aoc,
                E7616,
                "attributeOptionCombo",
                index,
                conflicts,
            ) {
                return Ok(());
            }
        }
        if !imp.access.in_capture_hierarchy(ou) {
            let user = Some(imp.access.user_uid());
            let objects = [("organisationUnit", raw_ou), ("user", user)];
            let args = [raw_ou, user];
            return self.rejected(conflicts, index, E7617, &objects, &args, "orgUnit");
        }

        // V9–V12: the value itself.
        let deleted = dv.deleted() == Some(true);
        let is_delete = self.eff.strategy.is_delete();
        let raw_value = dv.value();
        let comment = dv.comment();
        if raw_value.is_none() && comment.is_none() && !deleted && !is_delete {
            let objects = [("dataElement", raw_de)];
            return self.rejected(conflicts, index, E7618, &objects, &[raw_de], "value");
        }
        let normalised: Option<Cow<'_, str>> =
            raw_value.map(|v| de.value_type.normalize_boolean_classic(v));
        if let Err(e) = de
            .value_type
            .validate(normalised.as_deref(), de.option_set.is_some())
        {
            let objects = [("dataElement", raw_de), ("value", Some(e.key()))];
            let args = [raw_de, Some(e.message())];
            return self.rejected(conflicts, index, E7619, &objects, &args, "value");
        }
        // (A text of at most MAX_COMMENT bytes has at most MAX_COMMENT characters.)
        if comment.is_some_and(|c| c.len() > MAX_COMMENT && c.chars().count() > MAX_COMMENT) {
            let objects = [("comment", Some("comment_length_greater_than_max_length"))];
            let args = [Some(COMMENT_TOO_LONG)];
            return self.rejected(conflicts, index, E7620, &objects, &args, "comment");
        }
        if let Some(os) = de.option_set {
            if !self.valid_option(&os, de.value_type, raw_value) {
                let objects = [("dataElement", raw_de)];
                return self.rejected(conflicts, index, E7621, &objects, &[raw_de], "value");
            }
        }

        // C1–C2: defaults for missing combos.
        let coc = match coc {
            Some(c) => c,
            None if self.eff.require_coc => {
                return self.rejected(conflicts, index, E7630, &[], &[], "categoryOptionCombo");
            }
            None => match self.default_combo() {
                Some(c) => c,
                None => return Err(Failure::rule(NO_DEFAULT_COMBO)),
            },
        };
        let aoc = match aoc {
            Some(c) => c,
            None if self.eff.require_aoc => {
                return self.rejected(conflicts, index, E7631, &[], &[], "attributeOptionCombo");
            }
            None => match self.default_combo() {
                Some(c) => c,
                None => return Err(Failure::rule(NO_DEFAULT_COMBO)),
            },
        };
        let r = Resolved {
            de,
            period,
            ou,
            coc,
            aoc,
        };
        let raw = RawIds {
            de: raw_de,
            pe: raw_pe,
            ou: raw_ou,
            coc: raw_coc,
            aoc: raw_aoc,
        };
        if !self.strict_checks(&r, &raw, dv, index, store, conflicts)? {
            self.reject(index);
            return Ok(());
        }
        self.apply(&r, dv, normalised.as_deref(), index, store)
    }

    /// Reads the stored rows of a window's values in one lookup (see `crate::batch`).
    pub(super) fn prefetch(
        &mut self,
        window: &Window,
        store: &mut Batched<'_>,
    ) -> Result<(), Failure> {
        self.hint_keys.clear();
        for (dv, _, _) in window.iter() {
            if let Some(key) = self.key_hint(dv) {
                self.hint_keys.push(key);
            }
        }
        store.prefetch(self.hint_keys.drain(..))?;
        Ok(())
    }

    /// The key value `dv` will have if its identifiers resolve, without any rule or conflict
    /// (`None` when one does not resolve: such a value never reads the store). A wrong guess
    /// costs only a lookup of its own when the value is decided.
    fn key_hint(&mut self, dv: &DataValue) -> Option<DataValueKey> {
        let imp = self.importer;
        let md = imp.index.metadata;
        let (resolver, eff) = (self.resolver, self.eff);
        let resolve = |target, key: &str| {
            imp.resolve_uid(
                resolver,
                object_kind(target),
                eff.schemes.effective(target),
                key,
            )
        };
        let de = self
            .hint
            .de
            .resolve(trimmed(dv.data_element())?, |k| {
                Ok(resolve(SchemeTarget::DataElement, k)?.and_then(|u| md.data_element(&u)))
            })
            .ok()??;
        let period = match self.set.period {
            Some(p) => p,
            None => self
                .hint
                .pe
                .resolve(trimmed(dv.period())?, |k| Ok(k.parse::<Period>().ok()))
                .ok()??,
        };
        let ou = match self.set.org_unit {
            Some(ou) => ou,
            None => self
                .hint
                .ou
                .resolve(trimmed(dv.org_unit())?, |k| {
                    Ok(resolve(SchemeTarget::OrgUnit, k)?.and_then(|u| md.org_unit(&u)))
                })
                .ok()??,
        };
        let coc = match trimmed(dv.category_option_combo()) {
            Some(k) => self
                .hint
                .coc
                .resolve(k, |k| {
                    resolve_combo(imp, resolver, eff, &mut self.combos, k)
                })
                .ok()??,
            None => self.default_combo?,
        };
        let aoc = match (self.set.aoc, trimmed(dv.attribute_option_combo())) {
            (Some(c), _) => c,
            (None, Some(k)) => self
                .hint
                .aoc
                .resolve(k, |k| {
                    resolve_combo(imp, resolver, eff, &mut self.combos, k)
                })
                .ok()??,
            (None, None) => self.default_combo?,
        };
        Some(self.key(&Resolved {
            de,
            period,
            ou,
            coc,
            aoc,
        }))
    }

    pub(super) fn default_combo(&self) -> Option<Combo<'m>> {
        self.default_combo
    }

    /// The last day of `period` (remembered for the next value, which usually has the same
    /// period).
    pub(super) fn end_date(&mut self, period: Period) -> NaiveDate {
        match self.period_end {
            Some((p, end)) if p == period => end,
            _ => {
                let end = period.end_date();
                self.period_end = Some((period, end));
                end
            }
        }
    }

    /// V5/V7 (reachable only when the ACL was bypassed by `preheatCache`): one conflict per option
    /// the user cannot write. Returns whether the value was rejected.
    pub(super) fn option_access_conflicts(
        &mut self,
        combo: Combo<'m>,
        raw: Option<&str>,
        code: ErrorCode,
        property: &str,
        index: i64,
        conflicts: &mut ConflictCollector,
    ) -> bool {
        if combo.writable {
            return false;
        }
        let denied = self.importer.unwritable_options(combo.coc);
        if denied.is_empty() {
            return false;
        }
        for option in &denied {
            let o = Some(option.as_str());
            conflicts.add(
                code,
                &[("categoryOptionCombo", raw), ("categoryOption", o)],
                &[raw, o],
                Some(property),
                Some(index),
            );
        }
        self.reject(index);
        true
    }

    /// V12: option codes (case-sensitive); MULTI_TEXT: every comma-separated part, distinct.
    pub(super) fn valid_option(
        &self,
        option_set: &Uid,
        value_type: ValueType,
        value: Option<&str>,
    ) -> bool {
        let index = &self.importer.index;
        let Some(value) = value else { return false };
        if value_type == ValueType::MultiText {
            let parts: Vec<&str> = value.split(',').collect();
            let mut distinct: Vec<&str> = parts
                .iter()
                .copied()
                .filter(|p| index.is_option_code(option_set, p))
                .collect();
            distinct.sort_unstable();
            distinct.dedup();
            distinct.len() == parts.len()
        } else {
            index.is_option_code(option_set, value)
        }
    }
}

/// The identifiers of a value as written (for messages).
pub(super) struct RawIds<'a> {
    pub(super) de: Option<&'a str>,
    pub(super) pe: Option<&'a str>,
    pub(super) ou: Option<&'a str>,
    pub(super) coc: Option<&'a str>,
    pub(super) aoc: Option<&'a str>,
}
