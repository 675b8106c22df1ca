//! Cases: `query`. Both orders (with ties), `limit`, every filter alone and together, and a
//! callback's error.

use dxf2_model::{Metadata, Uid};

use super::fixtures::*;
use super::Harness;
use crate::{DataValueStore, StoreError, ValueOrder, ValueQuery};

/// The rows of the query cases: (data element, period, org unit, COC, AOC, value), written in
/// this scrambled order. Row 2 is soft-deleted; row 12 was updated last.
const ROWS: &[(&str, &str, &str, &str, &str, &str)] = &[
    (DE_B, "202002", F1, DEFAULT, DEFAULT, "b-202002-f1"),
    (DE_A, "2020Q1", D1, DEFAULT, DEFAULT, "a-2020Q1-d1"),
    (DE_A, "202003", F3, DEFAULT, DEFAULT, "a-202003-f3"),
    (DE_A, "202001", F2, DEFAULT, DEFAULT, "a-202001-f2"),
    (DE_A, "202001", F1, COC_X, DEFAULT, "a-202001-f1-cocx"),
    (DE_A, "202001", F1, DEFAULT, AOC_X, "a-202001-f1-aocx"),
    (DE_A, "202001", F1, DEFAULT, DEFAULT, "a-202001-f1"),
    (DE_B, "2020", ROOT, DEFAULT, DEFAULT, "b-2020-root"),
    (DE_A, "20200101", F1, DEFAULT, DEFAULT, "a-20200101-f1"),
    (DE_A, "2020W1", F1, DEFAULT, DEFAULT, "a-2020W1-f1"),
    (DE_C, "202004", F2, DEFAULT, DEFAULT, "c-202004-f2"),
    (DE_A, "202001", D2, DEFAULT, DEFAULT, "a-202001-d2"),
    (DE_B, "202003", F1, DEFAULT, DEFAULT, "b-202003-f1"),
];

/// Every row of [`ROWS`] in key order: period start (2020W1 starts on 2019-12-30), period type
/// name (Daily < Monthly < Quarterly < Yearly), data element, org unit, COC, AOC (UIDs as text:
/// `HllvX50cXC0` before `aocXXXXXXXX` before `cocXXXXXXXX`).
const KEY_ORDER: [&str; 13] = [
    "a-2020W1-f1",
    "a-20200101-f1",
    "a-202001-d2",
    "a-202001-f1",
    "a-202001-f1-aocx",
    "a-202001-f1-cocx",
    "a-202001-f2",
    "a-2020Q1-d1",
    "b-2020-root",
    "b-202002-f1",
    "a-202003-f3",
    "b-202003-f1",
    "c-202004-f2",
];

/// Writes [`ROWS`] in one batch: created at 10:00 except `a-202001-f2` and `a-202001-f1-cocx`
/// (9:00) and `b-202003-f1` (8:00); last updated at 10:00 and `i` milliseconds, except
/// `b-202003-f1` (15:00).
fn fill<S: DataValueStore + ?Sized>(s: &mut S) {
    let rows: Vec<_> = ROWS
        .iter()
        .enumerate()
        .map(|(i, (de, period, ou, coc, aoc, value))| {
            let mut r = row(key5(de, period, ou, coc, aoc), value);
            r.deleted = *value == "a-202003-f3";
            r.last_updated = at(10, 0, i64::try_from(i).unwrap_or_default());
            match *value {
                "a-202001-f2" | "a-202001-f1-cocx" => r.created = at(9, 0, 0),
                "b-202003-f1" => {
                    r.created = at(8, 0, 0);
                    r.last_updated = at(15, 0, 0);
                }
                _ => {}
            }
            r
        })
        .collect();
    commit_rows(s, &rows);
}

/// The values of `everything()` narrowed by `change`.
fn values_of<S: DataValueStore + ?Sized>(
    s: &mut S,
    change: impl FnOnce(&mut ValueQuery),
) -> Vec<String> {
    let mut q = everything();
    change(&mut q);
    query_values(s, &q)
}

/// [`KEY_ORDER`] without the values `except`.
fn key_order_without(except: &[&str]) -> Vec<&'static str> {
    KEY_ORDER
        .iter()
        .copied()
        .filter(|v| !except.contains(v))
        .collect()
}

/// Every unit of the subtrees of `roots` in [`org_unit_tree`] (as an export with `children`
/// asks for them).
fn subtrees(roots: &[&str]) -> Option<Vec<Uid>> {
    let mut tree: Metadata = org_unit_tree();
    tree.compute_hierarchy()
        .unwrap_or_else(|e| panic!("the test tree: {e}"));
    Some(
        roots
            .iter()
            .flat_map(|r| tree.org_unit_subtree(&uid(r)).map(|o| o.id.uid))
            .collect(),
    )
}

/// [`ValueOrder::Key`] (the default): period start, period type name, data element, org unit,
/// COC, AOC, UIDs compared as text (byte order, not a locale's); rows come back whole.
pub fn query_orders_by_key<H: Harness>(h: &mut H) {
    let mut s = h.fresh();
    fill(&mut s);
    assert_eq!(values_of(&mut s, |_| {}), KEY_ORDER);
    let all = query_rows(&mut s, &everything());
    let first = all.first().cloned();
    let mut expected = row(key(DE_A, "2020W1", F1), "a-2020W1-f1");
    expected.last_updated = at(10, 0, 9);
    assert_eq!(first, Some(expected));
    let deleted_row = all.iter().find(|r| r.deleted).map(|r| r.value.clone());
    assert_eq!(deleted_row, Some(Some("a-202003-f3".to_owned())));
}

/// [`ValueOrder::Created`]: period start, period end, `created`, data element, then the key
/// order for ties (rows with equal period, `created` and data element).
pub fn query_orders_by_created<H: Harness>(h: &mut H) {
    let mut s = h.fresh();
    fill(&mut s);
    let created = |q: &mut ValueQuery| q.order = ValueOrder::Created;
    assert_eq!(
        values_of(&mut s, created),
        [
            "a-2020W1-f1",
            "a-20200101-f1",
            "a-202001-f1-cocx",
            "a-202001-f2",
            "a-202001-d2",
            "a-202001-f1",
            "a-202001-f1-aocx",
            "a-2020Q1-d1",
            "b-2020-root",
            "b-202002-f1",
            "b-202003-f1",
            "a-202003-f3",
            "c-202004-f2",
        ]
    );
    assert_eq!(
        values_of(&mut s, |q| {
            created(q);
            q.limit = Some(4);
            q.include_deleted = false;
            q.data_elements = vec![uid(DE_A)];
        }),
        [
            "a-2020W1-f1",
            "a-20200101-f1",
            "a-202001-f1-cocx",
            "a-202001-f2"
        ]
    );
}

/// `limit` keeps the first rows of the order: 0 gives nothing, more than there are gives all.
pub fn query_limits_rows<H: Harness>(h: &mut H) {
    let mut s = h.fresh();
    fill(&mut s);
    for (limit, expected) in [(0, 0), (1, 1), (3, 3), (13, 13), (100, 13)] {
        assert_eq!(
            values_of(&mut s, |q| q.limit = Some(limit)),
            KEY_ORDER[..expected],
            "limit {limit}"
        );
    }
}

/// Data elements (only those named; none named gives nothing) and exact periods.
pub fn query_filters_data_elements_and_periods<H: Harness>(h: &mut H) {
    let mut s = h.fresh();
    fill(&mut s);
    assert_eq!(
        values_of(&mut s, |q| q.data_elements = vec![uid(DE_B)]),
        ["b-2020-root", "b-202002-f1", "b-202003-f1"]
    );
    assert_eq!(
        values_of(&mut s, |q| q.data_elements =
            vec![uid(DE_C), uid("deUnknownAA")]),
        ["c-202004-f2"]
    );
    assert!(values_of(&mut s, |q| q.data_elements = Vec::new()).is_empty());
    assert_eq!(
        values_of(&mut s, |q| q.periods = vec![pe("2020Q1"), pe("202002")]),
        ["a-2020Q1-d1", "b-202002-f1"]
    );
    assert_eq!(
        values_of(&mut s, |q| q.periods = vec![pe("202001")]),
        [
            "a-202001-d2",
            "a-202001-f1",
            "a-202001-f1-aocx",
            "a-202001-f1-cocx",
            "a-202001-f2"
        ]
    );
    assert!(values_of(&mut s, |q| q.periods = vec![pe("2021")]).is_empty());
}

/// A date range selects periods of any type lying wholly inside it; with exact periods, both
/// apply.
pub fn query_filters_date_range<H: Harness>(h: &mut H) {
    let mut s = h.fresh();
    fill(&mut s);
    let range = |from: (i32, u32, u32), to: (i32, u32, u32)| {
        Some((date(from.0, from.1, from.2), date(to.0, to.1, to.2)))
    };
    // The week that starts in 2019, the year and April are out.
    assert_eq!(
        values_of(&mut s, |q| q.date_range =
            range((2020, 1, 1), (2020, 3, 31))),
        key_order_without(&["a-2020W1-f1", "b-2020-root", "c-202004-f2"])
    );
    // A month straddling the end is out, and so is the quarter.
    assert_eq!(
        values_of(&mut s, |q| q.date_range =
            range((2020, 1, 1), (2020, 3, 15))),
        [
            "a-20200101-f1",
            "a-202001-d2",
            "a-202001-f1",
            "a-202001-f1-aocx",
            "a-202001-f1-cocx",
            "a-202001-f2",
            "b-202002-f1",
        ]
    );
    // Ends are inclusive: the week from its first to its last day.
    assert_eq!(
        values_of(&mut s, |q| q.date_range =
            range((2019, 12, 30), (2020, 1, 5))),
        ["a-2020W1-f1", "a-20200101-f1"]
    );
    assert_eq!(
        values_of(&mut s, |q| q.date_range = range((2020, 1, 1), (2020, 1, 1))),
        ["a-20200101-f1"]
    );
    assert_eq!(
        values_of(&mut s, |q| {
            q.periods = vec![pe("2020Q1"), pe("202004")];
            q.date_range = range((2020, 1, 1), (2020, 3, 31));
        }),
        ["a-2020Q1-d1"]
    );
}

/// Org units (exactly those listed: a subtree is listed whole; an empty list gives nothing) and
/// attribute option combos (empty: all).
pub fn query_filters_org_units_and_attribute_option_combos<H: Harness>(h: &mut H) {
    let mut s = h.fresh();
    fill(&mut s);
    assert_eq!(
        values_of(&mut s, |q| q.org_units = subtrees(&[D1])),
        key_order_without(&["a-202001-d2", "b-2020-root", "a-202003-f3"])
    );
    assert_eq!(
        values_of(&mut s, |q| q.org_units = subtrees(&[D2, F2])),
        ["a-202001-d2", "a-202001-f2", "a-202003-f3", "c-202004-f2"]
    );
    assert_eq!(
        values_of(&mut s, |q| q.org_units =
            Some(vec![uid(D1), uid(F2), uid(ROOT)])),
        ["a-202001-f2", "a-2020Q1-d1", "b-2020-root", "c-202004-f2"]
    );
    assert!(values_of(&mut s, |q| q.org_units = Some(Vec::new())).is_empty());
    assert_eq!(
        values_of(&mut s, |q| q.attribute_option_combos = vec![uid(AOC_X)]),
        ["a-202001-f1-aocx"]
    );
    assert_eq!(
        values_of(&mut s, |q| q.attribute_option_combos = vec![uid(DEFAULT)]),
        key_order_without(&["a-202001-f1-aocx"])
    );
    assert_eq!(
        values_of(&mut s, |q| q.attribute_option_combos =
            vec![uid(DEFAULT), uid(AOC_X)]),
        KEY_ORDER
    );
}

/// Soft-deleted rows only with `include_deleted`; `last_updated_since` from that instant on,
/// inclusive, to the millisecond.
pub fn query_filters_deleted_and_last_updated<H: Harness>(h: &mut H) {
    let mut s = h.fresh();
    fill(&mut s);
    assert_eq!(
        values_of(&mut s, |q| q.include_deleted = false),
        key_order_without(&["a-202003-f3"])
    );
    let deleted_rows = query_rows(
        &mut s,
        &ValueQuery {
            periods: vec![pe("202003")],
            data_elements: vec![uid(DE_A)],
            ..everything()
        },
    );
    assert_eq!(deleted_rows.len(), 1);
    assert!(deleted_rows.iter().all(|r| r.deleted));

    assert_eq!(
        values_of(&mut s, |q| q.last_updated_since = Some(at(10, 0, 11))),
        ["a-202001-d2", "b-202003-f1"]
    );
    assert_eq!(
        values_of(&mut s, |q| q.last_updated_since = Some(at(15, 0, 0))),
        ["b-202003-f1"]
    );
    assert!(values_of(&mut s, |q| q.last_updated_since = Some(at(15, 0, 1))).is_empty());
    assert_eq!(
        values_of(&mut s, |q| q.last_updated_since = Some(at(10, 0, 2))),
        key_order_without(&["b-202002-f1", "a-2020Q1-d1",])
    );
    assert_eq!(
        values_of(&mut s, |q| {
            q.last_updated_since = Some(at(10, 0, 2));
            q.include_deleted = false;
        }),
        key_order_without(&["b-202002-f1", "a-2020Q1-d1", "a-202003-f3"])
    );
}

/// Every filter at once, with a limit.
pub fn query_combines_filters<H: Harness>(h: &mut H) {
    let mut s = h.fresh();
    fill(&mut s);
    let q = ValueQuery {
        data_elements: vec![uid(DE_A), uid(DE_C)],
        date_range: Some((date(2020, 1, 1), date(2020, 12, 31))),
        org_units: Some(vec![uid(F1), uid(F2)]),
        attribute_option_combos: vec![uid(DEFAULT)],
        include_deleted: true,
        last_updated_since: Some(at(10, 0, 3)),
        limit: Some(3),
        ..ValueQuery::default()
    };
    assert_eq!(
        query_values(&mut s, &q),
        ["a-20200101-f1", "a-202001-f1", "a-202001-f1-cocx"]
    );
    let q = ValueQuery { limit: None, ..q };
    assert_eq!(
        query_values(&mut s, &q),
        [
            "a-20200101-f1",
            "a-202001-f1",
            "a-202001-f1-cocx",
            "a-202001-f2",
            "c-202004-f2"
        ]
    );
}

/// An error returned by the callback ends the query at once and comes back unchanged.
pub fn query_stops_at_a_callback_error<H: Harness>(h: &mut H) {
    let mut s = h.fresh();
    fill(&mut s);
    let mut seen = 0;
    let result = s.query(&everything(), &mut |_| {
        seen += 1;
        if seen == 2 {
            Err(StoreError::Misuse("stop here"))
        } else {
            Ok(())
        }
    });
    assert!(
        matches!(result, Err(StoreError::Misuse("stop here"))),
        "{result:?}"
    );
    assert_eq!(seen, 2, "rows after the error");
    // The store is usable afterwards.
    assert_eq!(query_values(&mut s, &everything()), KEY_ORDER);
}
