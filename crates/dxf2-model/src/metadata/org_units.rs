//! Hierarchy queries on a catalogue's org units: parents, ancestors, levels, subtrees and paths,
//! answered from the computed [`OrgUnitHierarchy`] when it is current, else by walking parents.

use std::fmt;

use rustc_hash::FxHashMap;

use super::hierarchy::{HierarchyError, OrgUnitHierarchy};
use super::{Metadata, ObjectKind, OrganisationUnit};
use crate::Uid;

impl Metadata {
    /// Computes the org unit hierarchy (parents, levels, subtrees) in O(n): afterwards every
    /// hierarchy query takes constant time (a subtree: time in its size). A unit whose parent is
    /// not in the catalogue counts as a root.
    ///
    /// Fails when parents form a cycle (naming its units); the hierarchy then stays uncomputed
    /// (queries walk parents, stopping after as many steps as there are units).
    pub fn compute_hierarchy(&mut self) -> Result<(), HierarchyError> {
        self.hierarchy = OrgUnitHierarchy::default();
        let hierarchy = OrgUnitHierarchy::build(
            self.org_units.len(),
            |i| {
                self.org_units
                    .get(i)
                    .and_then(|u| u.parent)
                    .and_then(|p| self.org_unit_position(&p))
            },
            |i| self.org_units.get(i).map(|u| u.id.uid),
        )?;
        self.hierarchy = hierarchy;
        Ok(())
    }

    /// The position of an org unit in `org_units`.
    pub(super) fn org_unit_position(&self, uid: &Uid) -> Option<usize> {
        self.index
            .get(&(ObjectKind::OrganisationUnit, *uid))
            .copied()
    }

    /// The computed hierarchy, when it is current.
    fn current_hierarchy(&self) -> Option<&OrgUnitHierarchy> {
        let h = &self.hierarchy;
        (h.len() == self.org_units.len() && h.len() > 0).then_some(h)
    }

    /// The position of the parent of the unit at position `i`.
    fn parent_position(&self, i: usize) -> Option<usize> {
        match self.current_hierarchy() {
            Some(h) => h.parent(i),
            None => self
                .org_units
                .get(i)
                .and_then(|u| u.parent)
                .and_then(|p| self.org_unit_position(&p)),
        }
    }

    /// The parent of an org unit, when the catalogue holds it.
    pub fn org_unit_parent(&self, uid: &Uid) -> Option<&OrganisationUnit> {
        self.org_unit_position(uid)
            .and_then(|i| self.parent_position(i))
            .and_then(|p| self.org_units.get(p))
    }

    /// The ancestors of an org unit: its parent first, its root last (nothing for a root or an
    /// unknown unit).
    pub fn org_unit_ancestors(&self, uid: &Uid) -> OrgUnitAncestors<'_> {
        OrgUnitAncestors {
            metadata: self,
            current: self.org_unit_position(uid),
            steps_left: self.org_units.len(),
        }
    }

    /// The level of an org unit: 1 for a root (or a unit whose parent is not in the catalogue),
    /// 2 for its children, and so on; `None` for an unknown unit.
    pub fn org_unit_level(&self, uid: &Uid) -> Option<usize> {
        let i = self.org_unit_position(uid)?;
        match self.current_hierarchy() {
            Some(h) => h.level(i),
            None => Some(self.org_unit_ancestors(uid).count().saturating_add(1)),
        }
    }

    /// Whether org unit `unit` is `ancestor` or below it (DHIS2's "path contains"). False when
    /// either is not in the catalogue.
    pub fn is_org_unit_within(&self, unit: &Uid, ancestor: &Uid) -> bool {
        let (Some(u), Some(a)) = (
            self.org_unit_position(unit),
            self.org_unit_position(ancestor),
        ) else {
            return false;
        };
        match self.current_hierarchy() {
            Some(h) => h.is_within(u, a),
            None => u == a || self.org_unit_ancestors(unit).any(|o| o.id.uid == *ancestor),
        }
    }

    /// Whether org unit `unit` is one of `ancestors` or below one of them.
    pub fn is_org_unit_within_any(&self, unit: &Uid, ancestors: &[Uid]) -> bool {
        ancestors.iter().any(|a| self.is_org_unit_within(unit, a))
    }

    /// An org unit and every unit below it: the unit first, then depth first with children in
    /// catalogue order (without a computed hierarchy: the others in catalogue order). Nothing for
    /// an unknown unit.
    pub fn org_unit_subtree(&self, root: &Uid) -> OrgUnitSubtree<'_> {
        let position = self.org_unit_position(root);
        let walk = match (position, self.current_hierarchy()) {
            (None, _) => SubtreeWalk::Ranked([].iter()),
            (Some(r), Some(h)) => SubtreeWalk::Ranked(h.subtree(r).iter()),
            (Some(r), None) => SubtreeWalk::Scan {
                root: *root,
                first: self.org_units.get(r),
                units: self.org_units.iter(),
            },
        };
        OrgUnitSubtree {
            metadata: self,
            walk,
        }
    }

    /// The `path` of an org unit (`/root/…/self`), written on demand by its `Display`; `None`
    /// for an unknown unit.
    pub fn org_unit_path(&self, uid: &Uid) -> Option<OrgUnitPath<'_>> {
        self.org_unit(uid)?;
        Some(OrgUnitPath {
            metadata: self,
            unit: *uid,
        })
    }

    /// The hierarchy `self.org_units` would have after adding `incoming` (by UID, as
    /// [`add_org_unit`](Metadata::add_org_unit) adds them), computed without changing `self`.
    pub(super) fn merged_hierarchy(
        &self,
        incoming: &[OrganisationUnit],
    ) -> Result<OrgUnitHierarchy, HierarchyError> {
        let old = self.org_units.len();
        // Positions the incoming units take: their old one, or a new one after the old units.
        let mut replaced: FxHashMap<usize, &OrganisationUnit> = FxHashMap::default();
        let mut added: FxHashMap<Uid, usize> = FxHashMap::default();
        let mut added_units: Vec<&OrganisationUnit> = Vec::new();
        for ou in incoming {
            if let Some(i) = self.org_unit_position(&ou.id.uid) {
                replaced.insert(i, ou);
            } else if let Some(slot) = added
                .get(&ou.id.uid)
                .and_then(|i| added_units.get_mut(i.saturating_sub(old)))
            {
                *slot = ou;
            } else {
                added.insert(ou.id.uid, old + added_units.len());
                added_units.push(ou);
            }
        }
        let unit = |i: usize| -> Option<&OrganisationUnit> {
            if i < old {
                replaced.get(&i).copied().or_else(|| self.org_units.get(i))
            } else {
                added_units.get(i - old).copied()
            }
        };
        let position = |uid: &Uid| {
            self.org_unit_position(uid)
                .or_else(|| added.get(uid).copied())
        };
        OrgUnitHierarchy::build(
            old + added_units.len(),
            |i| unit(i).and_then(|u| u.parent).and_then(|p| position(&p)),
            |i| unit(i).map(|u| u.id.uid),
        )
    }
}

/// The ancestors of an org unit, nearest first ([`Metadata::org_unit_ancestors`]).
#[derive(Clone, Debug)]
pub struct OrgUnitAncestors<'m> {
    metadata: &'m Metadata,
    /// The position of the unit whose parent comes next.
    current: Option<usize>,
    /// A bound on the walk, for a catalogue whose parents form a cycle.
    steps_left: usize,
}

impl<'m> Iterator for OrgUnitAncestors<'m> {
    type Item = &'m OrganisationUnit;

    fn next(&mut self) -> Option<&'m OrganisationUnit> {
        if self.steps_left == 0 {
            return None;
        }
        self.steps_left -= 1;
        let parent = self.metadata.parent_position(self.current?);
        self.current = parent;
        self.metadata.org_units.get(parent?)
    }
}

/// An org unit and the units below it ([`Metadata::org_unit_subtree`]).
#[derive(Clone, Debug)]
pub struct OrgUnitSubtree<'m> {
    metadata: &'m Metadata,
    walk: SubtreeWalk<'m>,
}

#[derive(Clone, Debug)]
enum SubtreeWalk<'m> {
    /// A run of the computed pre-order.
    Ranked(std::slice::Iter<'m, u32>),
    /// No computed hierarchy: every unit, checked by walking its parents.
    Scan {
        root: Uid,
        /// The root itself, until it is yielded.
        first: Option<&'m OrganisationUnit>,
        units: std::slice::Iter<'m, OrganisationUnit>,
    },
}

impl<'m> Iterator for OrgUnitSubtree<'m> {
    type Item = &'m OrganisationUnit;

    fn next(&mut self) -> Option<&'m OrganisationUnit> {
        let md = self.metadata;
        match &mut self.walk {
            SubtreeWalk::Ranked(positions) => {
                positions.next().and_then(|&i| md.org_units.get(i as usize))
            }
            SubtreeWalk::Scan { root, first, units } => first.take().or_else(|| {
                units.find(|u| u.id.uid != *root && md.is_org_unit_within(&u.id.uid, root))
            }),
        }
    }
}

/// The `path` of an org unit, `/root/…/self`, written by `Display` ([`Metadata::org_unit_path`]).
#[derive(Clone, Copy, Debug)]
pub struct OrgUnitPath<'m> {
    metadata: &'m Metadata,
    unit: Uid,
}

impl fmt::Display for OrgUnitPath<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ancestors: Vec<&OrganisationUnit> =
            self.metadata.org_unit_ancestors(&self.unit).collect();
        for ou in ancestors.iter().rev() {
            write!(f, "/{}", ou.id.uid)?;
        }
        write!(f, "/{}", self.unit)
    }
}
