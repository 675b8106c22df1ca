//! The store query of an export (`SpringDataValueSetStore.getDataValueSql`): the data elements
//! of the data sets or groups, org units with their subtrees or groups, periods or a date range,
//! attribute option combos, deleted rows, `lastUpdated`, `limit`; and the rows it yields,
//! without those of attribute option combos the user cannot read.

use chrono::{DateTime, Utc};
use rustc_hash::FxHashSet;

use super::params::{parse_duration, OutputSchemes};
use super::resolve::{push_unique, Resolved};
use super::{ExportError, ExportParams, ExportPlan, Exporter, Form};
use crate::store::{DataValueStore, StoreError, StoredValue, ValueOrder, ValueQuery};

impl Exporter<'_> {
    /// The store query of a resolved request (the form is filled in by the caller).
    pub(crate) fn build_plan(
        &self,
        params: &ExportParams,
        r: &Resolved,
        schemes: OutputSchemes,
    ) -> Result<ExportPlan, ExportError> {
        let md = self.metadata;
        let mut group_members = Vec::new();
        for uid in &r.data_element_groups {
            if let Some(group) = md.data_element_group(uid) {
                for de in &group.data_elements {
                    push_unique(&mut group_members, *de);
                }
            }
        }
        let mut elements = r.data_elements.clone();
        for uid in &r.data_sets {
            if let Some(ds) = md.data_set(uid) {
                for e in &ds.elements {
                    push_unique(&mut elements, e.data_element);
                }
            }
        }
        if elements.is_empty() && group_members.is_empty() {
            return Err(ExportError::NoDataElements);
        }
        let data_elements = if r.data_element_groups.is_empty() {
            elements
        } else {
            group_members
        };

        let org_units = if params.children {
            // Every unit of the subtrees, from the hierarchy (a unit outside the catalogue has
            // no subtree: nothing of it is exported).
            let mut seen = FxHashSet::default();
            let mut units = Vec::new();
            for uid in &r.org_units {
                for ou in md.org_unit_subtree(uid) {
                    if seen.insert(ou.id.uid) {
                        units.push(ou.id.uid);
                    }
                }
            }
            Some(units)
        } else {
            let mut units = r.org_units.clone();
            for uid in &r.org_unit_groups {
                if let Some(group) = md.org_unit_group(uid) {
                    for ou in &group.org_units {
                        push_unique(&mut units, *ou);
                    }
                }
            }
            Some(units)
        };

        let date_range = match (params.start_date, params.end_date) {
            (Some(start), Some(end)) => Some((start, end)),
            _ => None,
        };
        let periods = if date_range.is_some() {
            Vec::new()
        } else {
            r.periods.clone()
        };
        let last_updated_since = match (&params.last_updated, &params.last_updated_duration) {
            (Some(instant), _) => Some(*instant),
            (None, Some(text)) => parse_duration(text).map(|d| {
                self.now
                    .checked_sub_signed(d)
                    .unwrap_or(DateTime::<Utc>::MIN_UTC)
            }),
            (None, None) => None,
        };
        let limit = params.limit.and_then(|l| u64::try_from(l).ok());

        let hidden_aocs = self.hidden_option_combos();
        let query = ValueQuery {
            data_elements,
            periods,
            date_range,
            org_units,
            attribute_option_combos: r.attribute_option_combos.clone(),
            include_deleted: params.include_deleted,
            last_updated_since,
            changed_since: None,
            // With rows left out after the store, the exporter counts the limit itself.
            limit: if hidden_aocs.is_empty() { limit } else { None },
            order: ValueOrder::Key,
        };

        Ok(ExportPlan {
            query,
            form: Form::Classic(None),
            schemes,
            hidden_aocs,
            limit,
        })
    }
}

/// Calls `each` for every row a plan exports, in the query's order: the store's rows without
/// those of attribute option combos the user cannot read (counted in `skipped`), at most the
/// plan's limit.
pub(crate) fn for_each_row(
    plan: &ExportPlan,
    store: &mut dyn DataValueStore,
    skipped: &mut u64,
    each: &mut dyn FnMut(&StoredValue) -> Result<(), StoreError>,
) -> Result<(), StoreError> {
    let limit = plan.limit.unwrap_or(u64::MAX);
    let filtering = !plan.hidden_aocs.is_empty();
    let mut passed: u64 = 0;
    store.query(&plan.query, &mut |row: &StoredValue| {
        if filtering {
            if plan.hidden_aocs.contains(&row.key.attribute_option_combo) {
                *skipped = skipped.saturating_add(1);
                return Ok(());
            }
            if passed >= limit {
                return Ok(());
            }
        }
        passed = passed.saturating_add(1);
        each(row)
    })
}
