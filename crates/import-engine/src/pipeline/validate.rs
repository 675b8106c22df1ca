//! Group validation (DHIS2 2.43+ `DefaultDataEntryService.validate`), first failure wins
//! and rejects the group: data set detection (`E8002`/`E8003`), user access (`E8010`–`E8012`),
//! key consistency (`E8020`–`E8025`, `E8031`), timeliness (`E8030`, `E8032`), duplicate keys
//! (`E8128`); then value validation (`E8120`–`E8125`), where an error skips only its value.

use chrono::{Duration, NaiveTime};
use dxf2_model::metadata::{DataElement, DataSet};
use dxf2_model::{Period, Uid, ValueType};
use rustc_hash::{FxHashMap, FxHashSet};

use super::groups::Group;
use super::messages::{Arg, Problem};
use super::values::{Entry, Values, NONE};
use super::{GroupError, Run};
use crate::batch::Batched;
use crate::codes::*;

/// Maximum comment length (UTF-16 units) on 2.43+.
pub(super) const MAX_COMMENT: usize = 5_000;

/// The distinct items of an iterator, in order of first appearance.
pub(super) fn distinct<T: Copy + Eq + std::hash::Hash>(items: impl Iterator<Item = T>) -> Vec<T> {
    let mut seen = FxHashSet::default();
    items.filter(|i| seen.insert(*i)).collect()
}

/// A data set's data element with its effective category combo.
pub(super) fn element_category_combo(ds: &DataSet, de: &DataElement) -> Uid {
    ds.elements
        .iter()
        .find(|e| e.data_element == de.id.uid)
        .and_then(|e| e.category_combo)
        .unwrap_or(de.category_combo)
}

/// Whether `date` is within `[start, end]` (open ends allowed), as DHIS2's `DateRange.includes`.
pub(super) fn in_range<T: PartialOrd>(start: Option<T>, end: Option<T>, date: T) -> bool {
    start.is_none_or(|s| s <= date) && end.is_none_or(|e| date <= e)
}

impl<'m> Run<'_, 'm> {
    pub(super) fn members<'v>(
        &self,
        group: &'v Group,
        values: &'v Values,
    ) -> impl Iterator<Item = &'v Entry> + 'v {
        group.members.iter().filter_map(move |&p| values.entry(p))
    }

    pub(super) fn uids(values: &Values, numbers: &[u32]) -> Vec<Uid> {
        numbers.iter().filter_map(|&n| values.uid(n)).collect()
    }

    /// `validate` up to the value checks, for the values of a group or for its deletion scope
    /// (`wildcards`: an absent option combo is "any", not the default): data set detection,
    /// user access, key consistency and timeliness. Returns the data set.
    pub(super) fn validate_keys_and_time(
        &self,
        group: &Group,
        values: &Values,
        store: &mut Batched<'_>,
        wildcards: bool,
    ) -> Result<(Uid, &'m DataSet), GroupError> {
        let ds_uid = match group.data_set {
            Some(ds) => ds,
            None => self.detect_data_set(group, values)?,
        };
        let ds = self.md.data_set(&ds_uid);
        if !self.settings.superuser {
            self.check_access(ds, group, values)?;
        }
        let Some(ds) = ds else {
            // An unknown data set contains no data element.
            let des = distinct(self.members(group, values).map(|e| e.de));
            return Err(GroupError::Conflict(Problem::new(
                E8020,
                vec![
                    Arg::text(ds_uid.as_str()),
                    Arg::uids(&Self::uids(values, &des)),
                ],
            )));
        };
        self.check_keys(ds, group, values, wildcards)?;
        if !self.settings.skip_timeliness {
            self.check_timeliness(ds, group, values, store)?;
        }
        Ok((ds_uid, ds))
    }

    /// `autoTargetDataSet`: the one data set of the group's data elements.
    pub(super) fn detect_data_set(
        &self,
        group: &Group,
        values: &Values,
    ) -> Result<Uid, GroupError> {
        let des = Self::uids(values, &distinct(self.members(group, values).map(|e| e.de)));
        let sets = distinct(
            des.iter()
                .flat_map(|de| self.importer.index.data_sets_of_element(de))
                .map(|ds| ds.id.uid),
        );
        match sets.as_slice() {
            [] => Err(GroupError::Conflict(Problem::new(
                E8003,
                vec![Arg::uids(&des)],
            ))),
            [one] => Ok(*one),
            many => Err(GroupError::Conflict(Problem::new(
                E8002,
                vec![Arg::uids(many)],
            ))),
        }
    }

    /// `validateUserAccess` (non-superusers only).
    pub(super) fn check_access(
        &self,
        ds: Option<&DataSet>,
        group: &Group,
        values: &Values,
    ) -> Result<(), GroupError> {
        let access = self.importer.access;
        if let Some(ds) = ds {
            if !access.can_write_data_set(ds) {
                return Err(GroupError::Conflict(Problem::new(
                    E8010,
                    vec![Arg::text(ds.id.uid.as_str())],
                )));
            }
        }
        let ous: Vec<Uid> =
            Self::uids(values, &distinct(self.members(group, values).map(|e| e.ou)))
                .into_iter()
                .filter(|ou| {
                    self.md
                        .org_unit(ou)
                        .is_some_and(|unit| !access.in_capture_hierarchy(unit))
                })
                .collect();
        if !ous.is_empty() {
            return Err(GroupError::Conflict(Problem::new(
                E8011,
                vec![Arg::uids(&ous)],
            )));
        }
        let combos = distinct(
            self.members(group, values)
                .map(|e| e.aoc)
                .chain(self.members(group, values).map(|e| e.coc))
                .filter(|&n| n != NONE),
        );
        let options = distinct(
            Self::uids(values, &combos)
                .iter()
                .filter_map(|c| self.md.category_option_combo(c))
                .flat_map(|c| c.options.iter().copied())
                .filter(|o| {
                    self.md
                        .category_option(o)
                        .is_some_and(|opt| !access.can_write_category_option(opt))
                }),
        );
        if !options.is_empty() {
            return Err(GroupError::Conflict(Problem::new(
                E8012,
                vec![Arg::uids(&options)],
            )));
        }
        Ok(())
    }

    /// `validateKeyConsistency`. With `wildcards` (a deletion scope) an absent option combo
    /// is not checked; for values it is the default combo.
    pub(super) fn check_keys(
        &self,
        ds: &DataSet,
        group: &Group,
        values: &Values,
        wildcards: bool,
    ) -> Result<(), GroupError> {
        let md = self.md;
        let index = &self.importer.index;
        let ds_arg = || Arg::text(ds.id.uid.as_str());
        let conflict = |code, args| Err(GroupError::Conflict(Problem::new(code, args)));
        // E8020: data elements of the data set.
        let des = distinct(self.members(group, values).map(|e| e.de));
        let in_ds = |sets: &[&DataSet]| sets.iter().any(|d| d.id.uid == ds.id.uid);
        let not_in: Vec<Uid> = Self::uids(values, &des)
            .into_iter()
            .filter(|de| !in_ds(index.data_sets_of_element(de)))
            .collect();
        if !not_in.is_empty() {
            return conflict(E8020, vec![ds_arg(), Arg::uids(&not_in)]);
        }
        // E8022: org units that are sources of the data set.
        let ous = distinct(self.members(group, values).map(|e| e.ou));
        let not_source: Vec<Uid> = Self::uids(values, &ous)
            .into_iter()
            .filter(|ou| md.org_unit(ou).is_none() || !in_ds(index.data_sets_of_org_unit(ou)))
            .collect();
        if !not_source.is_empty() {
            return conflict(E8022, vec![ds_arg(), Arg::uids(&not_source)]);
        }
        // E8021: periods of the data set's period type.
        let other_type: Vec<Period> = distinct(self.members(group, values).map(|e| e.period))
            .into_iter()
            .filter(|p| p.period_type() != ds.period_type)
            .collect();
        if !other_type.is_empty() {
            return conflict(E8021, vec![ds_arg(), Arg::periods(&other_type)]);
        }
        // E8023: attribute option combos of the data set's category combo (absent = default).
        let default_cc = md
            .category_combo(&ds.category_combo)
            .is_some_and(|cc| cc.id.name.as_deref() == Some("default"));
        let aocs = distinct(
            self.members(group, values)
                .filter(|e| !(wildcards && e.aoc == NONE))
                .map(|e| values.uid(e.aoc).unwrap_or(self.default_coc)),
        );
        let bad_aocs: Vec<Uid> = aocs
            .into_iter()
            .filter(|aoc| match md.category_option_combo(aoc) {
                None => true,
                Some(c) => {
                    (default_cc && c.id.name.as_deref() != Some("default"))
                        || !index.combo_has_option_combo(&ds.category_combo, aoc)
                }
            })
            .collect();
        if !bad_aocs.is_empty() {
            return conflict(E8023, vec![ds_arg(), Arg::uids(&bad_aocs)]);
        }
        // E8024: category option combos of the element's category combo (absent = default).
        let mut cocs_of: FxHashMap<u32, Vec<Uid>> = FxHashMap::default();
        for e in self.members(group, values) {
            if wildcards && e.coc == NONE {
                continue;
            }
            let coc = values.uid(e.coc).unwrap_or(self.default_coc);
            let list = cocs_of.entry(e.de).or_default();
            if !list.contains(&coc) {
                list.push(coc);
            }
        }
        for &de_n in &des {
            let (Some(de_uid), Some(cocs)) = (values.uid(de_n), cocs_of.get(&de_n)) else {
                continue;
            };
            let Some(de) = md.data_element(&de_uid) else {
                continue;
            };
            let cc = element_category_combo(ds, de);
            let bad: Vec<Uid> = cocs
                .iter()
                .copied()
                .filter(|coc| {
                    md.category_option_combo(coc).is_none()
                        || !index.combo_has_option_combo(&cc, coc)
                })
                .collect();
            if !bad.is_empty() {
                return conflict(
                    E8024,
                    vec![ds_arg(), Arg::text(de_uid.as_str()), Arg::uids(&bad)],
                );
            }
        }
        // E8025: org units within the org units of the attribute options.
        let restricted = distinct(
            self.members(group, values)
                .map(|e| e.aoc)
                .filter(|&n| n != NONE),
        );
        for aoc_n in restricted {
            let Some(aoc_uid) = values.uid(aoc_n) else {
                continue;
            };
            let lists = &index.restrictions_of(&aoc_uid).org_unit_lists;
            if lists.is_empty() {
                continue;
            }
            let ous = distinct(
                self.members(group, values)
                    .filter(|e| e.aoc == aoc_n)
                    .map(|e| e.ou),
            );
            let outside: Vec<Uid> = Self::uids(values, &ous)
                .into_iter()
                .filter(|ou| !lists.iter().all(|list| md.is_org_unit_within_any(ou, list)))
                .collect();
            if !outside.is_empty() {
                return conflict(
                    E8025,
                    vec![Arg::text(aoc_uid.as_str()), Arg::uids(&outside)],
                );
            }
        }
        // E8031: periods within the org unit's opening and closed dates.
        let pairs = distinct(self.members(group, values).map(|e| (e.ou, e.period)));
        let mut offending: Option<(u32, Vec<Period>)> = None;
        for (ou_n, period) in pairs {
            let Some(unit) = values.uid(ou_n).and_then(|u| md.org_unit(&u)) else {
                continue;
            };
            if in_range(unit.opening_date, unit.closed_date, period.start_date()) {
                continue;
            }
            match &mut offending {
                None => offending = Some((ou_n, vec![period])),
                Some((first, periods)) if *first == ou_n && !periods.contains(&period) => {
                    periods.push(period)
                }
                Some(_) => {}
            }
        }
        if let Some((ou_n, periods)) = offending {
            let ou = values.uid(ou_n).map(|u| u.as_str().to_owned());
            return conflict(E8031, vec![Arg::Text(ou), Arg::periods(&periods)]);
        }
        Ok(())
    }

    /// `validateEntryTimeliness` (skipped when a superuser forces).
    pub(super) fn check_timeliness(
        &self,
        ds: &DataSet,
        group: &Group,
        values: &Values,
        store: &mut Batched<'_>,
    ) -> Result<(), GroupError> {
        let now = self.importer.now;
        let today = now.date_naive();
        let ds_arg = || Arg::text(ds.id.uid.as_str());
        let untimely = |periods: &[Period]| {
            Err(GroupError::Conflict(Problem::new(
                E8030,
                vec![ds_arg(), Arg::periods(periods)],
            )))
        };
        let periods = distinct(self.members(group, values).map(|e| e.period));
        if !ds.data_input_periods.is_empty() {
            let now = now.naive_utc();
            let closed: Vec<Period> = periods
                .iter()
                .copied()
                .filter(|p| {
                    !ds.data_input_periods.iter().any(|dip| {
                        dip.period == *p && in_range(dip.opening_date, dip.closing_date, now)
                    })
                })
                .collect();
            if !closed.is_empty() {
                return untimely(&closed);
            }
        } else if !self.settings.edit_expired {
            if ds.expiry_days > 0 {
                let mut expired: Vec<Period> = Vec::new();
                for (ou_n, period) in
                    distinct(self.members(group, values).map(|e| (e.ou, e.period)))
                {
                    if expired.contains(&period) {
                        continue;
                    }
                    let Some(deadline) = period
                        .end_date()
                        .checked_add_signed(Duration::days(ds.expiry_days.saturating_add(1)))
                    else {
                        continue;
                    };
                    if now.naive_utc() <= deadline.and_time(NaiveTime::MIN) {
                        continue;
                    }
                    let Some(ou) = values.uid(ou_n) else { continue };
                    if !store.has_lock_exception(&ds.id.uid, &period, &ou)? {
                        expired.push(period);
                    }
                }
                if !expired.is_empty() {
                    return untimely(&expired);
                }
            }
            if ds.expiry_days >= 0 {
                let latest = periods
                    .first()
                    .and_then(|p| p.period_type().future_period(today, ds.open_future_periods));
                if let Some(latest) = latest {
                    let early: Vec<Period> = periods
                        .iter()
                        .copied()
                        .filter(|p| p.start_date() > latest.end_date())
                        .collect();
                    if !early.is_empty() {
                        return untimely(&early);
                    }
                }
            }
        }
        // E8033 (approvals): no approval records exist offline.
        // E8032: periods within the attribute options' dates.
        let pairs = distinct(
            self.members(group, values)
                .filter(|e| e.aoc != NONE)
                .map(|e| (e.aoc, e.period)),
        );
        let mut offending: Option<(u32, Vec<Period>)> = None;
        for (aoc_n, period) in pairs {
            let Some(aoc) = values
                .uid(aoc_n)
                .and_then(|u| self.md.category_option_combo(&u))
            else {
                continue;
            };
            let r = self.importer.index.restrictions_of(&aoc.id.uid);
            let fits = |p: &Period| {
                in_range(r.start, r.end, p.start_date()) && in_range(r.start, r.end, p.end_date())
            };
            let ok = fits(&period)
                || (ds.open_periods_after_co_end_date > 0
                    && period
                        .offset(-ds.open_periods_after_co_end_date)
                        .is_some_and(|back| fits(&back)));
            if ok {
                continue;
            }
            match &mut offending {
                None => offending = Some((aoc_n, vec![period])),
                Some((first, list)) if *first == aoc_n && !list.contains(&period) => {
                    list.push(period)
                }
                Some(_) => {}
            }
        }
        if let Some((aoc_n, periods)) = offending {
            let aoc = values.uid(aoc_n).map(|u| u.as_str().to_owned());
            return Err(GroupError::Conflict(Problem::new(
                E8032,
                vec![Arg::Text(aoc), Arg::periods(&periods)],
            )));
        }
        Ok(())
    }

    /// E8128: no two values of the group may write the same row. Reports the duplicate set whose
    /// first value comes first.
    pub(super) fn check_duplicates(
        &self,
        group: &Group,
        values: &Values,
    ) -> Result<(), GroupError> {
        type Key = (u32, u32, u32, u32, Period);
        let key = |e: &Entry| -> Key { (e.de, e.ou, e.coc, e.aoc, e.period) };
        let mut first: FxHashMap<Key, u32> =
            FxHashMap::with_capacity_and_hasher(group.members.len(), Default::default());
        let mut lowest: Option<u32> = None;
        for &p in &group.members {
            let Some(e) = values.entry(p) else { continue };
            match first.get(&key(e)) {
                Some(&f) => lowest = Some(lowest.map_or(f, |l| l.min(f))),
                None => {
                    first.insert(key(e), p);
                }
            }
        }
        let Some(lowest) = lowest else { return Ok(()) };
        let Some(dup) = values.entry(lowest).map(key) else {
            return Ok(());
        };
        let indexes: Vec<String> = group
            .members
            .iter()
            .filter(|&&p| values.entry(p).map(key) == Some(dup))
            .map(u32::to_string)
            .collect();
        let id = |n: u32| {
            values
                .uid(n)
                .map_or_else(|| "null".to_owned(), |u| u.as_str().to_owned())
        };
        let rendered = format!(
            "DataValueKey[dataElement={}, orgUnit={}, categoryOptionCombo={}, attributeOptionCombo={}, period={}]",
            id(dup.0),
            id(dup.1),
            id(dup.2),
            id(dup.3),
            dup.4
        );
        Err(GroupError::Conflict(Problem::new(
            E8128,
            vec![Arg::List(indexes), Arg::text(rendered)],
        )))
    }

    /// `validateValues`: returns the positions of the valid values; errors go to `errors`.
    pub(super) fn check_values(
        &self,
        ds: &DataSet,
        group: &Group,
        values: &Values,
        errors: &mut Vec<(i64, Problem)>,
    ) -> Vec<u32> {
        if self.members(group, values).all(|e| e.deleted == Some(true)) {
            return group.members.clone();
        }
        let md = self.md;
        let comment_allows_empty = ds.no_value_requires_comment;
        let mut valid = Vec::with_capacity(group.members.len());
        for &position in &group.members {
            let Some(e) = values.entry(position) else {
                continue;
            };
            let index = i64::from(position);
            let at = Arg::Int(index);
            let Some(de) = values.uid(e.de).and_then(|u| md.data_element(&u)) else {
                continue;
            };
            let raw = values.text(e.value);
            let val = raw.map(|v| de.value_type.normalize_pipeline(v));
            let val = val.as_deref();
            let comment = values.text(e.comment);
            let comment_empty = comment.is_none_or(str::is_empty);
            let allow_empty = e.deleted == Some(true) || (comment_allows_empty && comment_empty);
            let empty = val.is_none_or(str::is_empty);
            let problem = if empty && !allow_empty {
                let code = if comment_allows_empty { E8121 } else { E8120 };
                Some(Problem::new(code, vec![at]))
            } else if let Some(error) = val
                .filter(|_| !empty)
                .and_then(|v| de.value_type.validate(Some(v), true).err())
            {
                Some(Problem::new(
                    E8122,
                    vec![
                        at,
                        Arg::opt(val),
                        Arg::text(de.value_type.name()),
                        Arg::text(error.key()),
                    ],
                ))
            } else if let Some(bad) = val
                .filter(|_| !empty)
                .and_then(|v| self.not_an_option(de, v))
            {
                Some(Problem::new(
                    E8123,
                    vec![at, Arg::text(bad), Arg::text(de.id.uid.as_str())],
                ))
            } else if self.comment_not_an_option(de, comment) {
                Some(Problem::new(E8124, vec![at, Arg::opt(comment)]))
            } else if comment.is_some_and(|c| c.encode_utf16().count() > MAX_COMMENT) {
                Some(Problem::new(E8125, vec![at, Arg::Int(MAX_COMMENT as i64)]))
            } else {
                None
            };
            match problem {
                Some(p) => errors.push((index, p)),
                None => valid.push(position),
            }
        }
        valid
    }

    /// Whether an option set exists and has option codes (DHIS2 only checks elements whose
    /// option set has options: `getOptionsByDataElements`).
    pub(super) fn has_codes(&self, option_set: &Uid) -> bool {
        self.md
            .option_set(option_set)
            .is_some_and(|s| s.options.iter().any(|o| o.id.code.is_some()))
    }

    /// E8123: the value (or, for MULTI_TEXT, its first part) that is not an option code.
    pub(super) fn not_an_option<'v>(&self, de: &DataElement, value: &'v str) -> Option<&'v str> {
        let os = de.option_set?;
        let index = &self.importer.index;
        if index.is_option_code(&os, value) || !self.has_codes(&os) {
            return None;
        }
        if de.value_type == ValueType::MultiText {
            let parts = java_split_comma(value);
            return parts.into_iter().find(|p| !index.is_option_code(&os, p));
        }
        Some(value)
    }

    /// E8124: the element has a comment option set and the comment is not one of its codes.
    pub(super) fn comment_not_an_option(&self, de: &DataElement, comment: Option<&str>) -> bool {
        let Some(os) = de.comment_option_set else {
            return false;
        };
        let index = &self.importer.index;
        !comment.is_some_and(|c| index.is_option_code(&os, c)) && self.has_codes(&os)
    }
}

/// Java's `String.split(",")`: trailing empty strings are removed.
pub(super) fn java_split_comma(value: &str) -> Vec<&str> {
    let mut parts: Vec<&str> = value.split(',').collect();
    while parts.last().is_some_and(|p| p.is_empty()) {
        parts.pop();
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn java_split_drops_trailing_empty_parts() {
        assert_eq!(java_split_comma("1,2,,"), ["1", "2"]);
        assert_eq!(java_split_comma("1,,2"), ["1", "", "2"]);
    }
}
