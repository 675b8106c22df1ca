//! Cases: `ObjectStore`. DHIS2 objects round-trip exactly and in order (collection by collection
//! as first stored, objects as first stored, a replaced object keeping its place); deletions
//! and the typed metadata replaced with them; a cycle refused changing nothing; objects follow
//! transactions and survive reopening.

use dxf2_model::Metadata;

use super::fixtures::*;
use super::Harness;
use crate::{DataValueStore, MetadataStore, ObjectChanges, ObjectStore, StoreError, StoredObject};

fn object(key: &str, uid: &str, json: &str) -> StoredObject {
    StoredObject {
        key: key.to_owned(),
        uid: uid.to_owned(),
        json: json.to_owned(),
    }
}

fn puts(objects: &[StoredObject]) -> ObjectChanges {
    ObjectChanges {
        put: objects.to_vec(),
        delete: Vec::new(),
    }
}

/// Every stored object, in the store's order.
fn objects<S: ObjectStore>(s: &mut S) -> Vec<StoredObject> {
    let mut all = Vec::new();
    s.for_each_object(&mut |o| {
        all.push(o.clone());
        Ok(())
    })
    .unwrap_or_else(|e| panic!("expected to read the objects, got: {e}"));
    all
}

fn load_typed<S: MetadataStore>(s: &mut S) -> Metadata {
    s.load_metadata()
        .unwrap_or_else(|e| panic!("expected to load metadata, got: {e}"))
}

/// The org units of `m`, as (uid, parent) pairs.
fn units(m: &Metadata) -> Vec<(String, Option<String>)> {
    m.org_units()
        .iter()
        .map(|o| (o.id.uid.to_string(), o.parent.map(|p| p.to_string())))
        .collect()
}

/// A typed catalogue of the org units `(uid, parent)`.
fn typed(units: &[(&str, Option<&str>)]) -> Metadata {
    let mut m = Metadata::new();
    for (u, p) in units {
        m.add_org_unit(org_unit(u, *p));
    }
    m
}

const OU: &str = "organisationUnits";
const DE: &str = "dataElements";
const VR: &str = "validationRules";

/// Objects of three collections, given interleaved, come back collection by collection (in the
/// order each collection was first stored) and in the order first stored within one; JSON text
/// is kept exactly; a replaced object keeps its place; the typed metadata is what was given.
pub fn objects_round_trip_in_order<H: Harness>(h: &mut H) {
    let mut s = h.fresh();
    assert!(objects(&mut s).is_empty(), "a fresh store holds no objects");
    let a = object(
        OU,
        ROOT,
        r#"{"id":"ouRootAAAAA","name":"Root \"ü\" ✓","geometry":{"type":"Point","coordinates":[1.5,2]}}"#,
    );
    let b = object(DE, DE_A, r#"{"id":"deAAAAAAAAA","valueType":"INTEGER"}"#);
    let c = object(
        OU,
        D1,
        r#"{"id":"ouDist1AAAA","parent":{"id":"ouRootAAAAA"}}"#,
    );
    let d = object(
        VR,
        "vrAAAAAAAAA",
        r#"{"id":"vrAAAAAAAAA","unmodelled":[1,{"x":null}]}"#,
    );
    let e = object(DE, DE_B, r#"{"id":"deBBBBBBBBB"}"#);
    let tree = typed(&[(ROOT, None), (D1, Some(ROOT))]);
    must(
        s.apply_objects(
            &puts(&[a.clone(), b.clone(), c.clone(), d.clone(), e.clone()]),
            &tree,
        ),
        "to apply objects",
    );
    assert_eq!(
        objects(&mut s),
        vec![a.clone(), c.clone(), b.clone(), e.clone(), d.clone()]
    );
    assert_eq!(
        units(&load_typed(&mut s)),
        units(&tree),
        "the typed org units"
    );

    let b2 = object(DE, DE_A, r#"{"id":"deAAAAAAAAA","valueType":"TEXT"}"#);
    let f = object(VR, "vrBBBBBBBBB", "{}");
    must(
        s.apply_objects(&puts(&[f.clone(), b2.clone()]), &tree),
        "to apply objects",
    );
    assert_eq!(
        objects(&mut s),
        vec![a, c, b2, e, d, f],
        "a replaced object keeps its place; a new one goes last in its collection"
    );
}

/// Deleted objects are gone; objects of typed kinds the new typed metadata lacks are no longer
/// typed metadata; deleting what the store does not hold changes nothing.
pub fn objects_delete_and_typed_metadata_is_replaced<H: Harness>(h: &mut H) {
    let mut s = h.fresh();
    let root = object(OU, ROOT, r#"{"id":"ouRootAAAAA"}"#);
    let d1 = object(
        OU,
        D1,
        r#"{"id":"ouDist1AAAA","parent":{"id":"ouRootAAAAA"}}"#,
    );
    let d2 = object(
        OU,
        D2,
        r#"{"id":"ouDist2AAAA","parent":{"id":"ouRootAAAAA"}}"#,
    );
    must(
        s.apply_objects(
            &puts(&[root.clone(), d1, d2.clone()]),
            &typed(&[(ROOT, None), (D1, Some(ROOT)), (D2, Some(ROOT))]),
        ),
        "to apply objects",
    );
    let changes = ObjectChanges {
        put: Vec::new(),
        delete: vec![
            (OU.to_owned(), D1.to_owned()),
            (DE.to_owned(), "deNotStored".to_owned()),
        ],
    };
    let after = typed(&[(ROOT, None), (D2, Some(ROOT))]);
    must(s.apply_objects(&changes, &after), "to apply deletions");
    assert_eq!(objects(&mut s), vec![root, d2]);
    assert_eq!(units(&load_typed(&mut s)), units(&after));
}

/// Typed metadata whose org units form a cycle is refused with `StoreError::Hierarchy`, and
/// neither the objects nor the typed metadata change.
pub fn objects_cycle_changes_nothing<H: Harness>(h: &mut H) {
    let mut s = h.fresh();
    let root = object(OU, ROOT, r#"{"id":"ouRootAAAAA"}"#);
    let tree = typed(&[(ROOT, None)]);
    must(
        s.apply_objects(&puts(std::slice::from_ref(&root)), &tree),
        "to apply objects",
    );
    let cycle = typed(&[(ROOT, Some(D1)), (D1, Some(ROOT))]);
    let more = object(
        OU,
        D1,
        r#"{"id":"ouDist1AAAA","parent":{"id":"ouRootAAAAA"}}"#,
    );
    match s.apply_objects(&puts(&[more]), &cycle) {
        Err(StoreError::Hierarchy(_)) => {}
        other => panic!("expected StoreError::Hierarchy for a cycle, got {other:?}"),
    }
    assert_eq!(objects(&mut s), vec![root], "the objects are as before");
    assert_eq!(
        units(&load_typed(&mut s)),
        units(&tree),
        "the typed metadata is as before"
    );
}

/// Objects applied in a transaction are undone by its rollback and kept by its commit, also
/// after reopening the store.
pub fn objects_follow_transactions<H: Harness>(h: &mut H) {
    let mut s = h.fresh();
    let root = object(OU, ROOT, r#"{"id":"ouRootAAAAA"}"#);
    let tree = typed(&[(ROOT, None)]);
    must(s.begin(), "to begin");
    must(
        s.apply_objects(&puts(std::slice::from_ref(&root)), &tree),
        "to apply objects",
    );
    assert_eq!(
        objects(&mut s),
        vec![root.clone()],
        "seen inside the transaction"
    );
    must(s.rollback(), "to roll back");
    assert!(objects(&mut s).is_empty(), "rolled back");
    assert!(
        load_typed(&mut s).org_units().is_empty(),
        "typed metadata rolled back"
    );

    must(s.begin(), "to begin");
    must(
        s.apply_objects(&puts(std::slice::from_ref(&root)), &tree),
        "to apply objects",
    );
    must(s.commit(), "to commit");
    let mut s = h.reopen(s);
    assert_eq!(
        objects(&mut s),
        vec![root],
        "committed objects survive reopening"
    );
    assert_eq!(units(&load_typed(&mut s)), units(&tree));
}
