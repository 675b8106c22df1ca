//! The org unit hierarchy of a [`Metadata`](super::Metadata) catalogue, computed once in linear
//! time.
//!
//! Every unit gets its parent (by position in `Metadata::org_units`), its level (1 for a root) and
//! its place in a pre-order walk of the forest: a unit's subtree is then one contiguous run of that
//! order, so "is X below Y" is two comparisons and "the subtree of Y" is a slice. Paths
//! (`/root/…/self`) are never stored: their total length grows with the square of the depth.
//! [`Metadata::org_unit_path`](super::Metadata::org_unit_path) writes one on demand.

use std::fmt;

use thiserror::Error;

use crate::Uid;

/// "No unit" in the position vectors.
const NONE: u32 = u32::MAX;

/// How many units of a cycle a message names before it elides the rest.
const CYCLE_UNITS_SHOWN: usize = 12;

/// Why the org unit hierarchy of a catalogue cannot be built.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum HierarchyError {
    /// Following `parent` from a unit comes back to it: `units[0]`'s parent is `units[1]`, …, and
    /// the last unit's parent is `units[0]` (a unit that is its own parent is a cycle of one).
    /// The cycle starts with the unit that comes first in the catalogue.
    #[error("org unit hierarchy has a cycle: {}", CycleText(.units))]
    Cycle {
        /// The units of the cycle, each followed by its parent.
        units: Vec<Uid>,
    },
    /// More org units than one hierarchy can number.
    #[error("too many org units for one hierarchy: {count} (at most {max})")]
    TooManyUnits {
        /// The number of units.
        count: usize,
        /// The most a hierarchy holds.
        max: usize,
    },
}

/// Writes a cycle as `A → B → C → A`, eliding the middle of a long one.
struct CycleText<'a>(&'a [Uid]);

impl fmt::Display for CycleText<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let units = self.0;
        for (i, uid) in units.iter().take(CYCLE_UNITS_SHOWN).enumerate() {
            if i > 0 {
                f.write_str(" → ")?;
            }
            f.write_str(uid.as_str())?;
        }
        if units.len() > CYCLE_UNITS_SHOWN {
            write!(
                f,
                " → … ({} more units)",
                units.len().saturating_sub(CYCLE_UNITS_SHOWN)
            )?;
        }
        if let Some(first) = units.first() {
            write!(f, " → {first}")?;
        }
        Ok(())
    }
}

/// The hierarchy of a catalogue's org units, by their positions in `Metadata::org_units`.
///
/// About 20 bytes a unit: parent, level, pre-order rank, subtree size and the pre-order itself.
#[derive(Clone, Default)]
pub(crate) struct OrgUnitHierarchy {
    /// The parent's position (`NONE` for a root, or a unit whose parent is not in the catalogue).
    parent: Vec<u32>,
    /// The level: 1 for a root.
    level: Vec<u32>,
    /// The rank of each unit in the pre-order walk.
    rank: Vec<u32>,
    /// The number of units in each unit's subtree, itself included.
    size: Vec<u32>,
    /// The units in pre-order (roots and children in catalogue order).
    order: Vec<u32>,
}

impl fmt::Debug for OrgUnitHierarchy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OrgUnitHierarchy")
            .field("units", &self.len())
            .finish_non_exhaustive()
    }
}

/// `v[i]`, or `NONE` when out of range.
fn at(v: &[u32], i: usize) -> u32 {
    v.get(i).copied().unwrap_or(NONE)
}

/// `v[i] = x` when `i` is in range.
fn put(v: &mut [u32], i: usize, x: u32) {
    if let Some(slot) = v.get_mut(i) {
        *slot = x;
    }
}

/// A position as `u32` (every position fits: the count was checked).
fn pos32(i: usize) -> u32 {
    u32::try_from(i).unwrap_or(NONE)
}

/// A `u32` position as `usize`.
fn pos(i: u32) -> usize {
    i as usize
}

impl OrgUnitHierarchy {
    /// Builds the hierarchy of `n` units in O(n): `parent_of(i)` is the position of unit `i`'s
    /// parent (`None` for a root or an unknown parent); `uid_of(i)` names units in errors.
    pub(crate) fn build(
        n: usize,
        parent_of: impl Fn(usize) -> Option<usize>,
        uid_of: impl Fn(usize) -> Option<Uid>,
    ) -> Result<OrgUnitHierarchy, HierarchyError> {
        let max = pos(NONE - 1);
        if n > max {
            return Err(HierarchyError::TooManyUnits { count: n, max });
        }
        let parent: Vec<u32> = (0..n)
            .map(|i| parent_of(i).filter(|p| *p < n).map_or(NONE, pos32))
            .collect();

        // Children lists (compressed: the children of `u` are `children[start[u]..start[u + 1]]`),
        // each in catalogue order.
        let mut start = vec![0u32; n + 1];
        for &p in &parent {
            if let Some(count) = start.get_mut(pos(p)) {
                *count = count.saturating_add(1);
            }
        }
        let mut total = 0u32;
        for slot in &mut start {
            let count = *slot;
            *slot = total;
            total = total.saturating_add(count);
        }
        let mut next = start.clone();
        let mut children = vec![NONE; pos(total)];
        for (i, &p) in parent.iter().enumerate() {
            if p != NONE {
                let slot = at(&next, pos(p));
                put(&mut children, pos(slot), pos32(i));
                put(&mut next, pos(p), slot.saturating_add(1));
            }
        }
        drop(next);

        // Pre-order walk from every root, roots in catalogue order.
        let mut rank = vec![NONE; n];
        let mut level = vec![0u32; n];
        let mut order: Vec<u32> = Vec::with_capacity(n);
        let mut stack: Vec<u32> = Vec::new();
        for (root, &p) in parent.iter().enumerate() {
            if p != NONE {
                continue;
            }
            put(&mut level, root, 1);
            stack.push(pos32(root));
            while let Some(u) = stack.pop() {
                put(&mut rank, pos(u), pos32(order.len()));
                order.push(u);
                let below = at(&level, pos(u)).saturating_add(1);
                let kids = children
                    .get(pos(at(&start, pos(u)))..pos(at(&start, pos(u) + 1)))
                    .unwrap_or_default();
                for &c in kids.iter().rev() {
                    put(&mut level, pos(c), below);
                    stack.push(c);
                }
            }
        }
        drop(children);
        drop(start);

        if order.len() < n {
            return Err(find_cycle(&parent, &rank, &uid_of));
        }

        let mut size = vec![1u32; n];
        for &u in order.iter().rev() {
            let p = at(&parent, pos(u));
            if p != NONE {
                let grown = at(&size, pos(p)).saturating_add(at(&size, pos(u)));
                put(&mut size, pos(p), grown);
            }
        }
        Ok(OrgUnitHierarchy {
            parent,
            level,
            rank,
            size,
            order,
        })
    }

    /// The number of units.
    pub(crate) fn len(&self) -> usize {
        self.parent.len()
    }

    /// The position of unit `i`'s parent.
    pub(crate) fn parent(&self, i: usize) -> Option<usize> {
        match at(&self.parent, i) {
            NONE => None,
            p => Some(pos(p)),
        }
    }

    /// The level of unit `i` (1 for a root).
    pub(crate) fn level(&self, i: usize) -> Option<usize> {
        match at(&self.level, i) {
            0 | NONE => None,
            l => Some(pos(l)),
        }
    }

    /// Whether unit `unit` is unit `ancestor` or below it.
    pub(crate) fn is_within(&self, unit: usize, ancestor: usize) -> bool {
        let (u, a) = (at(&self.rank, unit), at(&self.rank, ancestor));
        if u == NONE || a == NONE {
            return false;
        }
        let end = u64::from(a) + u64::from(at(&self.size, ancestor));
        a <= u && u64::from(u) < end
    }

    /// The positions of unit `root` and every unit below it, in pre-order.
    pub(crate) fn subtree(&self, root: usize) -> &[u32] {
        let r = at(&self.rank, root);
        if r == NONE {
            return &[];
        }
        let end = pos(r).saturating_add(pos(at(&self.size, root)));
        self.order.get(pos(r)..end).unwrap_or_default()
    }
}

/// The cycle that the first unit not reached from a root hangs from (every such unit's parent
/// chain ends in a cycle: no root is above it).
fn find_cycle(
    parent: &[u32],
    rank: &[u32],
    uid_of: &impl Fn(usize) -> Option<Uid>,
) -> HierarchyError {
    let n = parent.len();
    let first = rank.iter().position(|&r| r == NONE).unwrap_or_default();
    let mut seen = vec![false; n];
    let mut x = first;
    // Walk up until a unit comes back: that unit is on the cycle.
    while let Some(false) = seen.get(x).copied() {
        put_bool(&mut seen, x);
        match at(parent, x) {
            NONE => break,
            p => x = pos(p),
        }
    }
    let mut cycle = vec![x];
    let mut y = at(parent, x);
    while y != NONE && pos(y) != x && cycle.len() < n {
        cycle.push(pos(y));
        y = at(parent, pos(y));
    }
    // Start with the unit that comes first in the catalogue.
    let lead = cycle
        .iter()
        .enumerate()
        .min_by_key(|(_, &u)| u)
        .map_or(0, |(i, _)| i);
    cycle.rotate_left(lead);
    HierarchyError::Cycle {
        units: cycle.into_iter().filter_map(uid_of).collect(),
    }
}

/// `v[i] = true` when `i` is in range.
fn put_bool(v: &mut [bool], i: usize) {
    if let Some(slot) = v.get_mut(i) {
        *slot = true;
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    fn uid(i: usize) -> Option<Uid> {
        Uid::parse(&format!("ou{i:09}")).ok()
    }

    fn build(parents: &[Option<usize>]) -> Result<OrgUnitHierarchy, HierarchyError> {
        OrgUnitHierarchy::build(parents.len(), |i| parents[i], uid)
    }

    #[test]
    fn levels_and_subtrees() {
        // 0 ─ 1 ─ 3
        //   └ 2
        // 4 (parent unknown: a root)
        let h = build(&[None, Some(0), Some(0), Some(1), Some(99)]).unwrap();
        assert_eq!(h.len(), 5);
        assert_eq!(
            (0..5).map(|i| h.level(i).unwrap()).collect::<Vec<_>>(),
            [1, 2, 2, 3, 1]
        );
        assert_eq!(h.parent(3), Some(1));
        assert_eq!(h.parent(4), None);
        assert_eq!(h.subtree(0), &[0, 1, 3, 2]);
        assert_eq!(h.subtree(1), &[1, 3]);
        assert_eq!(h.subtree(4), &[4]);
        assert!(h.is_within(3, 0) && h.is_within(3, 1) && h.is_within(3, 3));
        assert!(!h.is_within(2, 1) && !h.is_within(0, 3) && !h.is_within(4, 0));
        assert!(!h.is_within(9, 0) && h.subtree(9).is_empty());
    }

    #[test]
    fn a_cycle_names_its_units_from_the_first_one() {
        // 0 → 1 → 2 (root); 3 → 4 → 5 → 3; 6 hangs from the cycle.
        let err = build(&[Some(1), Some(2), None, Some(4), Some(5), Some(3), Some(4)]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "org unit hierarchy has a cycle: ou000000003 → ou000000004 → ou000000005 → ou000000003"
        );
        let own = build(&[None, Some(1)]).unwrap_err();
        assert_eq!(
            own.to_string(),
            "org unit hierarchy has a cycle: ou000000001 → ou000000001"
        );
    }

    #[test]
    fn a_long_cycle_is_elided() {
        let n = 100;
        let parents: Vec<Option<usize>> = (0..n).map(|i| Some((i + 1) % n)).collect();
        let err = build(&parents).unwrap_err();
        let HierarchyError::Cycle { units } = &err else {
            panic!("{err:?}")
        };
        assert_eq!(units.len(), n);
        let text = err.to_string();
        assert!(text.contains("… (88 more units) → ou000000000"), "{text}");
    }

    #[test]
    fn an_empty_hierarchy() {
        let h = build(&[]).unwrap();
        assert_eq!(h.len(), 0);
        assert_eq!(h.level(0), None);
    }
}
