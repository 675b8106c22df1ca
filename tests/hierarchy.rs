//! The org unit hierarchy of a metadata catalogue (issue 7): linear time on deep and wide
//! hierarchies, cycles as errors naming their units, and ancestry / subtree / level / path
//! answers checked against a brute-force walk on small random trees and graphs.
//!
//! No timing assertions: the deep and wide cases took minutes (quadratic) before; they now finish
//! in about a second in a debug build.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use dxf2::model::metadata::{HierarchyError, Identity, OrganisationUnit};
use dxf2::model::{Metadata, Uid};
use proptest::prelude::*;

fn unit_uid(i: usize) -> Uid {
    Uid::parse(&format!("ou{i:09}")).unwrap()
}

fn unit(i: usize, parent: Option<usize>) -> OrganisationUnit {
    OrganisationUnit::new(Identity::new(unit_uid(i)), parent.map(unit_uid))
}

#[test]
fn a_chain_of_100_000_units_loads_in_linear_time() {
    const DEPTH: usize = 100_000;
    // Leaf first: the order of the units does not matter.
    let mut md = Metadata::new();
    for i in (0..DEPTH).rev() {
        md.add_org_unit(unit(i, i.checked_sub(1)));
    }
    md.compute_hierarchy().unwrap();

    let (root, leaf) = (unit_uid(0), unit_uid(DEPTH - 1));
    assert_eq!(md.org_unit_level(&root), Some(1));
    assert_eq!(md.org_unit_level(&leaf), Some(DEPTH));
    assert!(md.is_org_unit_within(&leaf, &root));
    assert!(!md.is_org_unit_within(&root, &leaf));
    assert_eq!(md.org_unit_subtree(&root).count(), DEPTH);
    assert_eq!(
        md.org_unit_subtree(&unit_uid(DEPTH - 3))
            .map(|o| o.id.uid)
            .collect::<Vec<_>>(),
        [unit_uid(DEPTH - 3), unit_uid(DEPTH - 2), leaf]
    );
    assert_eq!(md.org_unit_ancestors(&leaf).count(), DEPTH - 1);
    assert_eq!(
        md.org_unit_path(&unit_uid(2)).unwrap().to_string(),
        "/ou000000000/ou000000001/ou000000002"
    );
    // One path, written on demand, is as long as the chain is deep.
    assert_eq!(
        md.org_unit_path(&leaf).unwrap().to_string().len(),
        12 * DEPTH
    );

    // The same chain through `merge`, as the metadata readers and stores build catalogues.
    let mut merged = Metadata::new();
    merged.merge(md.clone()).unwrap();
    assert_eq!(merged.org_unit_level(&leaf), Some(DEPTH));
}

#[test]
fn a_million_flat_units_load_in_linear_time() {
    // A country root with 1,000 districts of 999 facilities each: 1,000,000 units.
    const DISTRICTS: usize = 1_000;
    const FACILITIES: usize = 999;
    let mut md = Metadata::new();
    md.add_org_unit(unit(0, None));
    let mut next = 1;
    for _ in 0..DISTRICTS {
        let district = next;
        md.add_org_unit(unit(district, Some(0)));
        next += 1;
        for _ in 0..FACILITIES {
            md.add_org_unit(unit(next, Some(district)));
            next += 1;
        }
    }
    assert_eq!(md.org_units().len(), 1 + DISTRICTS * (FACILITIES + 1));
    md.compute_hierarchy().unwrap();

    let last = unit_uid(next - 1);
    assert_eq!(md.org_unit_level(&last), Some(3));
    assert!(md.is_org_unit_within(&last, &unit_uid(0)));
    assert!(md.is_org_unit_within(&last, &unit_uid(next - 1 - FACILITIES)));
    assert!(!md.is_org_unit_within(&last, &unit_uid(1)));
    assert_eq!(
        md.org_unit_subtree(&unit_uid(0)).count(),
        md.org_units().len()
    );
    assert_eq!(md.org_unit_subtree(&unit_uid(1)).count(), FACILITIES + 1);

    // Every unit directly under one root (a flat list of facilities).
    let mut flat = Metadata::new();
    for i in 0..200_000 {
        flat.add_org_unit(unit(i, (i > 0).then_some(0)));
    }
    flat.compute_hierarchy().unwrap();
    assert_eq!(flat.org_unit_subtree(&unit_uid(0)).count(), 200_000);
    assert_eq!(flat.org_unit_level(&unit_uid(199_999)), Some(2));
}

#[test]
fn a_cycle_is_an_error_naming_its_units() {
    // A → B → C → A, with D hanging from the cycle and E a proper root.
    let mut md = Metadata::new();
    md.add_org_unit(unit(4, None));
    md.add_org_unit(unit(1, Some(2)));
    md.add_org_unit(unit(2, Some(3)));
    md.add_org_unit(unit(3, Some(1)));
    md.add_org_unit(unit(5, Some(2)));
    let err = md.compute_hierarchy().unwrap_err();
    assert_eq!(
        err,
        HierarchyError::Cycle {
            units: vec![unit_uid(1), unit_uid(2), unit_uid(3)]
        }
    );
    assert_eq!(
        err.to_string(),
        "org unit hierarchy has a cycle: ou000000001 → ou000000002 → ou000000003 → ou000000001"
    );
    // Queries still end: the walk stops after as many steps as there are units.
    assert!(md.org_unit_ancestors(&unit_uid(5)).count() <= md.org_units().len());
    assert!(!md.is_org_unit_within(&unit_uid(5), &unit_uid(4)));
}

#[test]
fn a_unit_that_is_its_own_parent_is_a_cycle() {
    let mut md = Metadata::new();
    md.add_org_unit(unit(0, None));
    md.add_org_unit(unit(1, Some(1)));
    let err = md.compute_hierarchy().unwrap_err();
    assert_eq!(
        err.to_string(),
        "org unit hierarchy has a cycle: ou000000001 → ou000000001"
    );
}

#[test]
fn merge_refuses_a_cycle_and_changes_nothing() {
    let mut md = Metadata::new();
    for i in 0..4 {
        md.add_org_unit(unit(i, i.checked_sub(1)));
    }
    md.compute_hierarchy().unwrap();
    let before = md.org_units().to_vec();

    // Re-parenting the root under the leaf closes a cycle through the stored units.
    let mut update = Metadata::new();
    update.add_org_unit(unit(9, None));
    update.add_org_unit(unit(0, Some(3)));
    let err = md.merge(update).unwrap_err();
    assert_eq!(
        err.to_string(),
        "org unit hierarchy has a cycle: ou000000000 → ou000000003 → ou000000002 → ou000000001 → ou000000000"
    );
    assert_eq!(md.org_units(), before);
    assert!(md.org_unit(&unit_uid(9)).is_none());
    assert_eq!(md.org_unit_level(&unit_uid(3)), Some(4));

    // Re-parenting that keeps a tree is merged, and the hierarchy follows it.
    let mut update = Metadata::new();
    update.add_org_unit(unit(9, None));
    update.add_org_unit(unit(0, Some(9)));
    md.merge(update).unwrap();
    assert_eq!(md.org_unit_level(&unit_uid(3)), Some(5));
    assert_eq!(
        md.org_unit_path(&unit_uid(1)).unwrap().to_string(),
        "/ou000000009/ou000000000/ou000000001"
    );
}

// ---------------------------------------------------------------------------------------------
// Against a brute-force walk
// ---------------------------------------------------------------------------------------------

/// Unit `i`'s parent as the brute force sees it (only parents in the catalogue count).
fn parent_of(parents: &[Option<usize>], i: usize) -> Option<usize> {
    parents[i].filter(|p| *p < parents.len())
}

/// The ancestors of `i`, nearest first, or `None` when the walk comes back to a unit (a cycle).
fn brute_ancestors(parents: &[Option<usize>], i: usize) -> Option<Vec<usize>> {
    let mut out = Vec::new();
    let mut seen = vec![false; parents.len()];
    seen[i] = true;
    let mut x = i;
    while let Some(p) = parent_of(parents, x) {
        if seen[p] {
            return None;
        }
        seen[p] = true;
        out.push(p);
        x = p;
    }
    Some(out)
}

/// A catalogue of `parents.len()` units added in `order` (a parent index past the end is a
/// parent outside the catalogue).
fn catalogue(parents: &[Option<usize>], order: &[usize]) -> Metadata {
    let mut md = Metadata::new();
    for &i in order {
        md.add_org_unit(unit(i, parents[i]));
    }
    md
}

/// Checks every question of the hierarchy API against the brute force on an acyclic catalogue.
fn check_against_brute_force(md: &Metadata, parents: &[Option<usize>]) {
    let n = parents.len();
    let ancestors: Vec<Vec<usize>> = (0..n)
        .map(|i| brute_ancestors(parents, i).unwrap())
        .collect();
    for u in 0..n {
        let uid = unit_uid(u);
        assert_eq!(md.org_unit_level(&uid), Some(ancestors[u].len() + 1));
        assert_eq!(
            md.org_unit_ancestors(&uid)
                .map(|o| o.id.uid)
                .collect::<Vec<_>>(),
            ancestors[u]
                .iter()
                .map(|&a| unit_uid(a))
                .collect::<Vec<_>>()
        );
        assert_eq!(
            md.org_unit_parent(&uid).map(|o| o.id.uid),
            parent_of(parents, u).map(unit_uid)
        );
        let mut path = String::new();
        for &a in ancestors[u].iter().rev() {
            path.push_str(&format!("/{}", unit_uid(a)));
        }
        path.push_str(&format!("/{uid}"));
        assert_eq!(md.org_unit_path(&uid).unwrap().to_string(), path);
        for a in 0..n {
            let within = u == a || ancestors[u].contains(&a);
            assert_eq!(
                md.is_org_unit_within(&uid, &unit_uid(a)),
                within,
                "{u} in {a}"
            );
        }
        let mut subtree: Vec<Uid> = md.org_unit_subtree(&uid).map(|o| o.id.uid).collect();
        assert_eq!(subtree.first(), Some(&uid));
        subtree.sort();
        let mut expected: Vec<Uid> = (0..n)
            .filter(|&d| d == u || ancestors[d].contains(&u))
            .map(unit_uid)
            .collect();
        expected.sort();
        assert_eq!(subtree, expected);
    }
    let outside = unit_uid(n + 100);
    assert_eq!(md.org_unit_level(&outside), None);
    assert_eq!(md.org_unit_subtree(&outside).count(), 0);
    assert!(md.org_unit_path(&outside).is_none());
    assert!(n == 0 || !md.is_org_unit_within(&unit_uid(0), &outside));
}

/// Random forests: unit `i`'s parent is an earlier unit, none, or one outside the catalogue;
/// units are added in a shuffled order.
fn forest() -> impl Strategy<Value = (Vec<Option<usize>>, Vec<usize>)> {
    (1usize..40).prop_flat_map(|n| {
        let parents = (0..n)
            .map(|i| {
                prop_oneof![
                    1 => Just(None),
                    1 => Just(Some(n + 7)),
                    6 => (0..i.max(1)).prop_map(move |p| (i > 0).then_some(p)),
                ]
            })
            .collect::<Vec<_>>();
        (parents, Just((0..n).collect::<Vec<_>>()).prop_shuffle())
    })
}

/// Random parent graphs (cycles likely).
fn graph() -> impl Strategy<Value = Vec<Option<usize>>> {
    (1usize..25)
        .prop_flat_map(|n| proptest::collection::vec(proptest::option::weighted(0.85, 0..n), n))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn computed_hierarchy_matches_the_brute_force((parents, order) in forest()) {
        let mut md = catalogue(&parents, &order);
        md.compute_hierarchy().unwrap();
        check_against_brute_force(&md, &parents);
    }

    #[test]
    fn uncomputed_hierarchy_answers_the_same((parents, order) in forest()) {
        // No compute_hierarchy: the queries walk parents.
        let md = catalogue(&parents, &order);
        check_against_brute_force(&md, &parents);
    }

    #[test]
    fn merged_hierarchy_matches_the_brute_force(
        (parents, order) in forest(),
        split in 0usize..40,
    ) {
        // Two documents, the second re-adding some units of the first.
        let split = split.min(order.len());
        let mut first = catalogue(&parents, &order[..split]);
        first.compute_hierarchy().unwrap();
        let second = catalogue(&parents, &order[split / 2..]);
        first.merge(second).unwrap();
        check_against_brute_force(&first, &parents);
    }

    #[test]
    fn a_graph_fails_exactly_when_it_has_a_cycle_and_names_a_real_one(parents in graph()) {
        let n = parents.len();
        let order: Vec<usize> = (0..n).collect();
        let mut md = catalogue(&parents, &order);
        let cyclic = (0..n).any(|i| brute_ancestors(&parents, i).is_none());
        match md.compute_hierarchy() {
            Ok(()) => {
                prop_assert!(!cyclic);
                check_against_brute_force(&md, &parents);
            }
            Err(HierarchyError::Cycle { units }) => {
                prop_assert!(cyclic);
                let index: Vec<usize> = units
                    .iter()
                    .map(|u| (0..n).find(|&i| unit_uid(i) == *u).unwrap())
                    .collect();
                // Each unit's parent is the next one, the last one's the first; no repeats.
                for (k, &i) in index.iter().enumerate() {
                    prop_assert_eq!(parent_of(&parents, i), Some(index[(k + 1) % index.len()]));
                }
                let mut distinct = index.clone();
                distinct.sort_unstable();
                distinct.dedup();
                prop_assert_eq!(distinct.len(), index.len());
                // It starts with its unit that comes first in the catalogue.
                prop_assert_eq!(index.iter().min(), index.first());
            }
            Err(other) => prop_assert!(false, "{other}"),
        }
    }
}
