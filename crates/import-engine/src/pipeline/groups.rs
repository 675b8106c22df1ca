//! The groups of a 2.43+ import (`splitGroup`; one group = one target data set): one group per
//! import, or with `dataEntryAutoGroup` one per data set (`E8003`); and the deletion scope,
//! which each group keeps a part of and validates as if it were values
//! (`ScopeValidationSource`).

use dxf2_model::{Period, Uid};
use rustc_hash::FxHashMap;

use super::decode::{GroupHeader, Stop};
use super::messages::{Arg, Problem};
use super::values::{Entry, Span, Spot, Values, NONE};
use super::{GroupError, Run};
use crate::codes::*;
use crate::store::DataValueKey;
use crate::Failure;

/// A decoded `deletion` scope (`DataEntryGroup.Scope`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(super) struct Scope {
    pub(super) org_units: Vec<Uid>,
    pub(super) periods: Vec<Period>,
    pub(super) elements: Vec<ScopeElement>,
}

impl Scope {
    /// An empty list of org units, periods or elements selects no stored value.
    pub(super) fn selects_nothing(&self) -> bool {
        self.org_units.is_empty() || self.periods.is_empty() || self.elements.is_empty()
    }
}

/// One element of a deletion scope; an absent option combo matches every option combo.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct ScopeElement {
    pub(super) de: Uid,
    pub(super) coc: Option<Uid>,
    pub(super) aoc: Option<Uid>,
}

impl ScopeElement {
    pub(super) fn matches(&self, key: &DataValueKey) -> bool {
        self.de == key.data_element
            && self.coc.is_none_or(|c| c == key.category_option_combo)
            && self.aoc.is_none_or(|a| a == key.attribute_option_combo)
    }
}

/// One group: its data set (when given), the positions of its values and its deletion scope.
pub(super) struct Group {
    pub(super) data_set: Option<Uid>,
    pub(super) members: Vec<u32>,
    pub(super) scope: Option<Scope>,
}

impl Group {
    /// The value indexes of the group's members (a failed group's conflict lists them all).
    pub(super) fn indexes(&self) -> Vec<i64> {
        self.members.iter().map(|&m| i64::from(m)).collect()
    }
}

impl<'m> Run<'_, 'm> {
    /// The groups of the import: one, or with `dataEntryAutoGroup` and no data set one per data
    /// set (a value goes to the first data set holding its data element), each with its part of
    /// the deletion scope.
    pub(super) fn groups(
        &self,
        header: &GroupHeader,
        values: &Values,
        scope: Option<&Scope>,
    ) -> Result<Vec<Group>, Stop> {
        let all = || -> Result<Vec<u32>, Stop> {
            (0..values.entries.len())
                .map(|p| {
                    u32::try_from(p)
                        .map_err(|_| Stop::Fail(Failure::rule("too many values in one import")))
                })
                .collect()
        };
        if header.data_set.is_some() || !self.settings.auto_group {
            return Ok(vec![Group {
                data_set: header.data_set,
                members: all()?,
                scope: scope.cloned(),
            }]);
        }
        // `splitGroup`: every value goes to the first data set of its data element.
        let mut without: Vec<Uid> = Vec::new();
        let mut groups: Vec<Group> = Vec::new();
        let mut group_of: FxHashMap<Uid, usize> = FxHashMap::default();
        for (position, e) in (0u32..).zip(&values.entries) {
            let Some(de) = values.uid(e.de) else { continue };
            let Some(ds) = self.importer.index.data_sets_of_element(&de).first() else {
                if !without.contains(&de) {
                    without.push(de);
                }
                continue;
            };
            let ds = ds.id.uid;
            let at = *group_of.entry(ds).or_insert_with(|| {
                groups.push(Group {
                    data_set: Some(ds),
                    members: Vec::new(),
                    scope: None,
                });
                groups.len() - 1
            });
            if let Some(g) = groups.get_mut(at) {
                g.members.push(position);
                // `splitGroup`: a group's scope keeps the first scope element of each of its
                // values' data elements (scope elements of other data elements are dropped).
                let element = scope.and_then(|s| s.elements.iter().find(|e| e.de == de));
                if let (Some(scope), Some(element)) = (scope, element) {
                    let part = g.scope.get_or_insert_with(|| Scope {
                        org_units: scope.org_units.clone(),
                        periods: scope.periods.clone(),
                        elements: Vec::new(),
                    });
                    if !part.elements.contains(element) {
                        part.elements.push(*element);
                    }
                }
            }
        }
        if !without.is_empty() {
            return Err(Stop::Conflict(Problem::new(
                E8003,
                vec![Arg::uids(&without)],
            )));
        }
        if groups.is_empty() {
            groups.push(Group {
                data_set: None,
                members: Vec::new(),
                scope: None,
            });
        }
        Ok(groups)
    }
}

/// The deletion scope as values to validate (`ScopeValidationSource`): every element × org unit ×
/// period, in that nesting, so that DHIS2's lists come in its order; no value, no comment.
pub(super) fn scope_source(
    data_set: Option<Uid>,
    scope: &Scope,
) -> Result<(Group, Values), GroupError> {
    let intern = |values: &mut Values, uid: Uid| {
        values.ids.intern(uid).map_err(|stop| match stop {
            Stop::Fail(failure) => GroupError::Fail(failure),
            Stop::Conflict(p) => GroupError::Conflict(p),
        })
    };
    let mut values = Values::default();
    for e in &scope.elements {
        let de = intern(&mut values, e.de)?;
        let coc = e.coc.map(|c| intern(&mut values, c)).transpose()?;
        let aoc = e.aoc.map(|a| intern(&mut values, a)).transpose()?;
        for ou in &scope.org_units {
            let ou = intern(&mut values, *ou)?;
            for period in &scope.periods {
                values.entries.push(Entry {
                    de,
                    ou,
                    coc: coc.unwrap_or(NONE),
                    aoc: aoc.unwrap_or(NONE),
                    period: *period,
                    value: Span::ABSENT,
                    comment: Span::ABSENT,
                    followup: None,
                    deleted: Some(true),
                    spot: Spot::default(),
                });
            }
        }
    }
    let members = (0..values.entries.len())
        .map(|p| {
            u32::try_from(p)
                .map_err(|_| GroupError::Fail(Failure::rule("deletion scope too large")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let group = Group {
        data_set,
        members,
        scope: None,
    };
    Ok((group, values))
}
