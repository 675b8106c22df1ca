//! Category option combos: the cartesian product of a combo's categories
//! (`CategoryCombo#generateOptionCombosSet`, `CombinationGenerator`: combo category order, last
//! category varying fastest, empty categories skipped), DHIS2 2.43's check that a payload gives a
//! combo exactly its expected set (`CategoryOptionComboObjectBundleHook`: `E1110`, `E1130`,
//! `E1131`, `E1132`), and the generation of missing combos with DHIS2's names.

use std::borrow::Cow;
use std::collections::{BTreeSet, HashMap};

use serde_json::Value;

use super::bundle::{text, Bundle, Target};
use super::message::Arg;
use super::report::ErrorReport;
use crate::catalogue::Catalogue;
use crate::document::Object;
use crate::error::Error;

const COC: &str = "org.hisp.dhis.category.CategoryOptionCombo";
const COMBO: &str = "org.hisp.dhis.category.CategoryCombo";

/// The cartesian product of `lists`, the last list varying fastest; empty lists are skipped, and
/// no list at all gives no combination.
pub fn combinations(lists: &[Vec<String>]) -> Vec<Vec<String>> {
    let lists: Vec<&Vec<String>> = lists.iter().filter(|l| !l.is_empty()).collect();
    if lists.is_empty() {
        return Vec::new();
    }
    let mut out: Vec<Vec<String>> = vec![Vec::new()];
    for list in lists {
        let mut next = Vec::with_capacity(out.len() * list.len());
        for prefix in &out {
            for option in list {
                let mut c = prefix.clone();
                c.push(option.clone());
                next.push(c);
            }
        }
        out = next;
    }
    out
}

/// UIDs of the references in `object[field]`.
pub(crate) fn ref_uids(object: &Object, field: &str) -> Vec<String> {
    match object.get(field) {
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(|r| r.get("id").and_then(Value::as_str).map(str::to_owned))
            .collect(),
        _ => Vec::new(),
    }
}

/// The UID of the reference `object[field]`.
pub(crate) fn ref_uid<'o>(object: &'o Object, field: &str) -> Option<&'o str> {
    object.get(field)?.get("id")?.as_str()
}

/// The option lists of a combo's categories (each category as the payload gives it, else as
/// stored), in combo order.
pub(crate) fn option_lists<C: Catalogue + ?Sized>(
    b: &Bundle<'_, C>,
    combo: &Object,
) -> Result<Vec<Vec<String>>, Error> {
    let mut lists = Vec::new();
    if let Some(Value::Array(categories)) = combo.get("categories") {
        for r in categories {
            let Value::Object(r) = r else { continue };
            let category = match b.resolve("categories", r)? {
                Some(target) => b.target_object("categories", &target)?,
                None => None,
            };
            lists.push(category.map(|c| option_uids(b, &c)).unwrap_or_default());
        }
    }
    Ok(lists)
}

/// A category's options as UIDs (references written by code resolved).
fn option_uids<C: Catalogue + ?Sized>(b: &Bundle<'_, C>, category: &Object) -> Vec<String> {
    match category.get("categoryOptions") {
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(|r| match r {
                Value::Object(o) => match b.resolve("categoryOptions", o) {
                    Ok(Some(t)) => b.target_uid(&t),
                    _ => text(o, "id").map(str::to_owned),
                },
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// The combo a category option combo must be checked against: for a stored combo its stored
/// combo (so changing a combo's combo is checked against the old one), for a new one the combo it
/// names.
fn expected_combo<'b, C: Catalogue + ?Sized>(
    b: &'b Bundle<'_, C>,
    coc: &Object,
    existing: Option<&Object>,
) -> Result<Option<(String, Cow<'b, Object>)>, Error> {
    let reference = match existing {
        Some(stored) => stored.get("categoryCombo"),
        None => coc.get("categoryCombo"),
    };
    let Some(Value::Object(r)) = reference else {
        return Ok(None);
    };
    let target = match existing {
        Some(_) => text(r, "id").map(|id| Target::Stored(id.to_owned())),
        None => b.resolve("categoryCombos", r)?,
    };
    let Some(target) = target else {
        return Ok(None);
    };
    let Some(uid) = b.target_uid(&target) else {
        return Ok(None);
    };
    // A payload version of the combo wins over the stored one.
    let object = match b.resolve_uid("categoryCombos", &uid)? {
        Some(t) => b.target_object("categoryCombos", &t)?,
        None => b.target_object("categoryCombos", &target)?,
    };
    Ok(object.map(|o| (uid, o)))
}

/// Sorted, for stable messages (DHIS2 prints Java hash sets).
fn set_text(set: &BTreeSet<String>) -> String {
    format!("[{}]", set.iter().cloned().collect::<Vec<_>>().join(", "))
}

/// The 2.43+ checks of category option combo `i` of the bundle's COC type `t`; `all` are the
/// positions of every COC of the bundle (persisted and new).
pub(crate) fn check_set<C: Catalogue + ?Sized>(
    b: &Bundle<'_, C>,
    t: usize,
    i: usize,
    all: &[usize],
    errors: &mut Vec<ErrorReport>,
) -> Result<(), Error> {
    let minor = b.minor();
    let Some(tb) = b.types.get(t) else {
        return Ok(());
    };
    let Some(item) = tb.items.get(i) else {
        return Ok(());
    };
    let provided: BTreeSet<String> = ref_uids(&item.object, "categoryOptions")
        .into_iter()
        .collect();
    let Some((combo_uid, combo)) = expected_combo(b, &item.object, item.existing.as_deref())?
    else {
        let named = ref_uid(&item.object, "categoryCombo").unwrap_or("null");
        errors.push(ErrorReport::new(COMBO, "E1110", &[named.into()], minor));
        return Ok(());
    };
    let siblings: Vec<&Object> = all
        .iter()
        .filter_map(|&j| tb.items.get(j))
        .filter(|s| ref_uid(&s.object, "categoryCombo") == Some(combo_uid.as_str()))
        .map(|s| &s.object)
        .collect();
    let expected = combinations(&option_lists(b, &combo)?);
    if expected.len() != siblings.len() {
        errors.push(ErrorReport::new(
            COC,
            "E1130",
            &[
                Arg::from(siblings.len()),
                Arg::from(expected.len()),
                combo_uid.as_str().into(),
            ],
            minor,
        ));
        return Ok(());
    }
    if !item.persisted() {
        if let Some(existing) = stored_with_options(b, &combo_uid, &provided)? {
            errors.push(ErrorReport::new(
                COC,
                "E1132",
                &[
                    item.uid.as_str().into(),
                    existing.as_str().into(),
                    combo_uid.as_str().into(),
                    Arg::Str(set_text(&provided)),
                ],
                minor,
            ));
            return Ok(());
        }
    }
    let expected_sets: BTreeSet<BTreeSet<String>> = expected
        .into_iter()
        .map(|c| c.into_iter().collect())
        .collect();
    let provided_list: Vec<BTreeSet<String>> = siblings
        .iter()
        .map(|s| ref_uids(s, "categoryOptions").into_iter().collect())
        .collect();
    let provided_sets: BTreeSet<BTreeSet<String>> = provided_list.iter().cloned().collect();
    if expected_sets == provided_sets {
        return Ok(());
    }
    let missing: Vec<String> = expected_sets
        .difference(&provided_sets)
        .map(set_text)
        .collect();
    let mut unexpected: BTreeSet<BTreeSet<String>> =
        provided_sets.difference(&expected_sets).cloned().collect();
    let mut seen = BTreeSet::new();
    for s in &provided_list {
        if !seen.insert(s.clone()) {
            unexpected.insert(s.clone());
        }
    }
    if unexpected.contains(&provided) {
        errors.push(ErrorReport::new(
            COC,
            "E1131",
            &[
                Arg::Str(set_text(&provided)),
                combo_uid.as_str().into(),
                Arg::Str(format!("[{}]", missing.join(", "))),
            ],
            minor,
        ));
    }
    Ok(())
}

/// A stored category option combo of `combo` with exactly `options`.
fn stored_with_options<C: Catalogue + ?Sized>(
    b: &Bundle<'_, C>,
    combo: &str,
    options: &BTreeSet<String>,
) -> Result<Option<String>, Error> {
    for o in b.cat.objects("categoryOptionCombos")? {
        let o = o?;
        if ref_uid(&o, "categoryCombo") == Some(combo) {
            let set: BTreeSet<String> = ref_uids(&o, "categoryOptions").into_iter().collect();
            if set == *options {
                return Ok(text(&o, "id").map(str::to_owned));
            }
        }
    }
    Ok(None)
}

/// DHIS2's name of a generated option combo: for each category of the combo, the names of the
/// combination's options in that category, joined with `", "`, cut to 255 characters.
pub fn option_combo_name(
    categories: &[Vec<String>],
    combination: &[String],
    names: &HashMap<String, String>,
) -> String {
    let mut parts = Vec::new();
    for category in categories {
        for option in combination.iter().filter(|o| category.contains(o)) {
            parts.push(names.get(option).cloned().unwrap_or_else(|| option.clone()));
        }
    }
    let name = parts.join(", ");
    name.chars().take(255).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| (*x).to_owned()).collect()
    }

    #[test]
    fn cartesian_product_last_fastest() {
        let c = combinations(&[s(&["a1", "a2"]), s(&[]), s(&["b1", "b2"])]);
        assert_eq!(
            c,
            vec![
                s(&["a1", "b1"]),
                s(&["a1", "b2"]),
                s(&["a2", "b1"]),
                s(&["a2", "b2"])
            ]
        );
        assert!(combinations(&[]).is_empty());
        assert!(combinations(&[s(&[])]).is_empty());
    }

    #[test]
    fn names_follow_category_order() {
        let cats = vec![s(&["a1", "a3"]), s(&["b1"])];
        let names: HashMap<String, String> = [("a1", "cat opt a1"), ("b1", "cat opt b1")]
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect();
        assert_eq!(
            option_combo_name(&cats, &s(&["b1", "a1"]), &names),
            "cat opt a1, cat opt b1"
        );
    }
}
