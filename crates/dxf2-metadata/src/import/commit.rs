//! The commit phase (`DefaultObjectBundleService#commit`), computed as [`Changes`] rather than
//! written: per type in import order, creates then updates (or deletes), each object as it is to
//! be stored:
//!
//! * references as `{"id": uid}` (written by code, or by UID); a reference to an object neither
//!   committed by this import nor stored is left out (a single one) or dropped (from a
//!   collection), as DHIS2 nulls and drops them; a missing reference to a category type gets the
//!   default object (a data set element's combo excepted);
//! * an update replaces the stored object (`REPLACE`), keeping its `created` and `createdBy`
//!   (and its `sharing` with `skipSharing`, its `translations` with `skipTranslation`); with
//!   `MERGE` the payload's fields are laid over the stored object, collections of references
//!   joined;
//! * org units get `path` and `level` from the hierarchy (moved subtrees too), and parents that
//!   would form a cycle refuse the import;
//! * options are appended to their set's list when it lacks them, and each listed option's
//!   `sortOrder` is its position in the list;
//! * a data set update removes the data elements and indicators it no longer has from its
//!   sections, and compulsory operands of removed data elements;
//! * deletions vetoed by DHIS2's deletion handlers report `E4030` and move from `deleted` to
//!   `ignored` (`delete.rs`); org unit paths are in `hierarchy.rs`.
//!
//! Memory: each committed payload object moves from the bundle into the changes rather than
//! being copied (the categories and category options stay, copied, when option combos are
//! generated: that step reads them afterwards); references already written `{"id": uid}` are
//! kept, not rebuilt; the object reports of committed objects are made only when the report
//! keeps them (not for `ERRORS`, the default, nor for `VALIDATE`). On the issue 11 workload
//! (55,001 objects) this is the 140 MB copy of every object, and 55,001 reports, less.

use std::collections::{BTreeSet, HashMap, HashSet};

use serde_json::{json, Value};

use super::bundle::{display_name, Bundle, Target};
use super::coc::{combinations, option_combo_name, option_lists, ref_uid, ref_uids};
use super::params::{ImportMode, ImportParams, ImportReportMode, ImportStrategy, MergeMode};
use super::references::uid_ref;
use super::report::{ObjectReport, TypeReport};
use crate::catalogue::Catalogue;
use crate::changes::{uid_of, Changes};
use crate::document::Object;
use crate::error::Error;
use crate::schema::{self, Kind, Property};

/// The commit's outcome.
pub(crate) struct Committed {
    pub changes: Changes,
    /// Object reports of committed objects and vetoed deletions, per type.
    pub reports: Vec<TypeReport>,
    /// Category option combos generated.
    pub generated: usize,
    /// Deletions vetoed, per type's Java class (moved from `deleted` to `ignored`).
    pub vetoed: Vec<(&'static str, usize)>,
}

/// What the commit does with a payload object.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Action {
    /// Creates it.
    Create,
    /// Updates the stored object.
    Update,
}

/// Computes what the import changes.
pub(crate) fn commit<C: Catalogue + ?Sized>(
    b: &mut Bundle<'_, C>,
    now: Option<&str>,
) -> Result<Committed, Error> {
    let strategy = b.params.import_strategy;
    let mut changes = Changes::new();
    let mut reports = Vec::new();

    if strategy == ImportStrategy::Delete {
        let vetoed = super::delete::delete(b, &mut changes, &mut reports)?;
        return Ok(Committed {
            changes,
            reports,
            generated: 0,
            vetoed,
        });
    }

    // What this import commits: (type, item) → action.
    let mut committed: HashMap<(usize, usize), Action> = HashMap::new();
    for (t, tb) in b.types.iter().enumerate() {
        for (i, item) in tb.items.iter().enumerate() {
            if item.default || item.removed {
                continue;
            }
            let action = match (item.persisted(), strategy) {
                (false, ImportStrategy::Create | ImportStrategy::CreateAndUpdate) => Action::Create,
                (true, ImportStrategy::Update | ImportStrategy::CreateAndUpdate) => Action::Update,
                _ => continue,
            };
            committed.insert((t, i), action);
        }
    }

    // The committed objects, per type (creates, then updates), moved out of the bundle, with
    // their object reports when the report keeps them.
    let reported = object_reports_kept(b.params);
    let names = b.params.import_report_mode == ImportReportMode::Debug;
    let mut finals: Vec<Vec<(usize, Action, Object)>> = Vec::with_capacity(b.types.len());
    for (t, tb) in b.types.iter_mut().enumerate() {
        let mut report = TypeReport::new(tb.schema.klass);
        let copy = read_after_commit(b.params, tb.schema.key);
        let mut list = Vec::new();
        for action in [Action::Create, Action::Update] {
            for (i, item) in tb.items.iter_mut().enumerate() {
                if committed.get(&(t, i)) != Some(&action) {
                    continue;
                }
                if reported {
                    let name = if names {
                        display_name(&item.object)
                    } else {
                        None
                    };
                    report.add_object_report(ObjectReport::new(
                        tb.schema.klass,
                        item.index,
                        Some(&item.uid),
                        name.as_deref(),
                    ));
                }
                let object = if copy {
                    item.object.clone()
                } else {
                    std::mem::take(&mut item.object)
                };
                list.push((i, action, object));
            }
        }
        finals.push(list);
        reports.push(report);
    }
    // References as they are to be stored, timestamps and the update rules. Reference resolution
    // reads the bundle's identifiers and UIDs only, not the objects moved out of it.
    for (t, list) in finals.iter_mut().enumerate() {
        let Some(tb) = b.types.get(t) else { continue };
        for (i, _, object) in list.iter_mut() {
            resolve_references(b, tb.schema.properties, object, &committed, true)?;
            let existing = tb.items.get(*i).and_then(|item| item.existing.as_deref());
            finish(b, tb.schema, object, existing, now);
        }
    }

    super::hierarchy::org_unit_paths(b, &mut finals, &mut changes)?;
    option_sort_orders(b, &mut finals, &mut changes)?;
    data_set_updates(b, &finals, &mut changes)?;

    for (t, list) in finals.into_iter().enumerate() {
        let Some(tb) = b.types.get(t) else { continue };
        // Positions of the updated objects already listed (an object listed twice in the payload,
        // not next to each other, passes the duplicate check: the last one wins).
        let mut updated: HashMap<String, usize> = changes
            .of(tb.schema.key)
            .map(|tc| {
                tc.updated
                    .iter()
                    .enumerate()
                    .map(|(p, o)| (uid_of(o), p))
                    .collect()
            })
            .unwrap_or_default();
        for (_, action, object) in list {
            let tc = changes.type_mut(tb.schema.key);
            match action {
                Action::Create => tc.created.push(object),
                Action::Update => {
                    let uid = uid_of(&object);
                    match updated.get(&uid).and_then(|&p| tc.updated.get_mut(p)) {
                        Some(slot) => *slot = object,
                        None => {
                            updated.insert(uid, tc.updated.len());
                            tc.updated.push(object);
                        }
                    }
                }
            }
        }
    }

    update_defaults(b, &mut changes)?;
    let generated = if b.params.generate_option_combos {
        generate_option_combos(b, &mut changes)?
    } else {
        0
    };
    if !changes.is_empty() {
        for (key, object) in b.missing_defaults.clone() {
            let tc = changes.type_mut(key);
            if !tc.created.iter().any(|o| uid_of(o) == uid_of(&object)) {
                tc.created.insert(0, object);
            }
        }
    }
    Ok(Committed {
        changes,
        reports,
        generated,
        vetoed: Vec::new(),
    })
}

/// Whether the report keeps the object reports of committed objects (they have no errors, so
/// `ERRORS` drops them, and `VALIDATE` reports no commit): when not, they are not made.
fn object_reports_kept(params: &ImportParams) -> bool {
    params.import_mode == ImportMode::Commit
        && params.import_report_mode != ImportReportMode::Errors
}

/// Whether a step after the move into the changes still reads the payload objects of collection
/// `key` from the bundle: the option combo generation reads the payload's categories (their
/// options) and category options (their names). Those are copied; the others are moved.
fn read_after_commit(params: &ImportParams, key: &str) -> bool {
    params.generate_option_combos && matches!(key, "categories" | "categoryOptions")
}

/// Replaces the object with the same UID in `list`, or appends.
pub(crate) fn upsert(list: &mut Vec<Object>, object: Object) {
    let uid = uid_of(&object);
    match list.iter_mut().find(|o| uid_of(o) == uid) {
        Some(slot) => *slot = object,
        None => list.push(object),
    }
}

/// The UID a reference stands for when the import is committed: a committed payload object, a
/// stored object, or a default object.
fn committed_uid<C: Catalogue + ?Sized>(
    b: &Bundle<'_, C>,
    target: &str,
    reference: &Object,
    committed: &HashMap<(usize, usize), Action>,
) -> Result<Option<String>, Error> {
    Ok(match b.resolve(target, reference)? {
        Some(Target::Payload(t, i)) => {
            if committed.contains_key(&(t, i)) {
                b.item(t, i).map(|item| item.uid.clone())
            } else {
                // Not committed: a stored object under the same identifier still counts.
                let uid = b.item(t, i).map(|item| item.uid.clone());
                match (uid, b.item(t, i).is_some_and(|it| it.persisted())) {
                    (Some(uid), true) => Some(uid),
                    (Some(uid), false) if b.item(t, i).is_some_and(|it| it.default) => Some(uid),
                    _ => None,
                }
            }
        }
        Some(other) => b.target_uid(&other),
        None => None,
    })
}

fn resolve_references<C: Catalogue + ?Sized>(
    b: &Bundle<'_, C>,
    properties: &'static [Property],
    object: &mut Object,
    committed: &HashMap<(usize, usize), Action>,
    top: bool,
) -> Result<(), Error> {
    for p in properties {
        match p.kind {
            Kind::Reference(target) => {
                let resolved = match object.get(p.name) {
                    Some(Value::Object(r)) => committed_uid(b, target, r, committed)?,
                    _ => None,
                };
                match resolved {
                    Some(uid) => {
                        if let Some(Value::Object(r)) = object.get_mut(p.name) {
                            set_uid_ref(r, &uid);
                        }
                    }
                    None if top && p.default_if_null => {
                        object.remove(p.name);
                        if let Some(d) = b.defaults.get(target) {
                            object.insert(p.name.to_owned(), Value::Object(uid_ref(d)));
                        }
                    }
                    None => {
                        object.remove(p.name);
                    }
                }
            }
            Kind::References(target) => {
                let Some(Value::Array(items)) = object.get_mut(p.name) else {
                    continue;
                };
                let mut out = Vec::with_capacity(items.len());
                for r in std::mem::take(items) {
                    if let Value::Object(mut r) = r {
                        if let Some(uid) = committed_uid(b, target, &r, committed)? {
                            set_uid_ref(&mut r, &uid);
                            out.push(Value::Object(r));
                        }
                    }
                }
                *items = out;
            }
            Kind::Embedded(e) => {
                if let Some(Value::Object(inner)) = object.get_mut(p.name) {
                    let mut copy = std::mem::take(inner);
                    resolve_references(b, e.properties, &mut copy, committed, false)?;
                    *inner = copy;
                }
            }
            Kind::EmbeddedList(e) => {
                if let Some(Value::Array(items)) = object.get_mut(p.name) {
                    let mut list = std::mem::take(items);
                    for entry in &mut list {
                        if let Value::Object(inner) = entry {
                            resolve_references(b, e.properties, inner, committed, false)?;
                        }
                    }
                    *items = list;
                }
            }
            _ => {}
        }
    }
    Ok(())
}

/// Makes `reference` `{"id": uid}`, keeping it when it is that already (most are: rebuilding
/// every reference of a large import costs time and memory for nothing).
fn set_uid_ref(reference: &mut Object, uid: &str) {
    let kept = reference.len() == 1 && reference.get("id").and_then(Value::as_str) == Some(uid);
    if !kept {
        *reference = uid_ref(uid);
    }
}

/// Timestamps, users, sharing, translations, and the update rules (replace or merge).
fn finish<C: ?Sized>(
    b: &Bundle<'_, C>,
    schema: &schema::TypeSchema,
    object: &mut Object,
    existing: Option<&Object>,
    now: Option<&str>,
) {
    let params = b.params;
    if let Some(now) = now {
        object.insert("lastUpdated".into(), Value::String(now.to_owned()));
        if existing.is_none() && !object.contains_key("created") {
            object.insert("created".into(), Value::String(now.to_owned()));
        }
    }
    if let Some(user) = &params.user {
        object.insert("lastUpdatedBy".into(), Value::Object(uid_ref(user)));
        if existing.is_none() {
            object.insert("createdBy".into(), Value::Object(uid_ref(user)));
        }
    }
    match existing {
        None => {
            if schema.shareable && params.skip_sharing {
                let mut sharing = json!({"public": "--------", "users": {}, "userGroups": {}});
                if let (Some(user), Value::Object(s)) = (&params.user, &mut sharing) {
                    s.insert("owner".into(), Value::String(user.clone()));
                }
                object.insert("sharing".into(), sharing);
            }
            if params.skip_translation {
                object.remove("translations");
            }
        }
        Some(stored) => {
            let keep = |object: &mut Object, field: &str| match stored.get(field) {
                Some(v) => {
                    object.insert(field.to_owned(), v.clone());
                }
                None => {
                    object.remove(field);
                }
            };
            if params.merge_mode == MergeMode::Merge {
                let mut merged = stored.clone();
                for (k, v) in std::mem::take(object) {
                    if v.is_null() {
                        continue;
                    }
                    let is_refs = schema
                        .property(&k)
                        .is_some_and(|p| matches!(p.kind, Kind::References(_)));
                    match (is_refs, merged.get_mut(&k), v) {
                        (true, Some(Value::Array(old)), Value::Array(new)) => {
                            for r in new {
                                if !old.contains(&r) {
                                    old.push(r);
                                }
                            }
                        }
                        (_, _, v) => {
                            merged.insert(k, v);
                        }
                    }
                }
                *object = merged;
            }
            if stored.contains_key("created") {
                keep(object, "created");
            }
            if stored.contains_key("createdBy") {
                keep(object, "createdBy");
            }
            if schema.shareable && params.skip_sharing {
                keep(object, "sharing");
            }
            if params.skip_translation {
                keep(object, "translations");
            }
        }
    }
}

/// Options join their set's list on create; listed options' `sortOrder` is their position.
fn option_sort_orders<C: Catalogue + ?Sized>(
    b: &Bundle<'_, C>,
    finals: &mut [Vec<(usize, Action, Object)>],
    changes: &mut Changes,
) -> Result<(), Error> {
    let (Some(ot), set_t) = (b.type_pos("options"), b.type_pos("optionSets")) else {
        return Ok(());
    };
    // Option sets touched: the payload's committed ones, and stored sets of created options.
    let mut stored_sets: HashMap<String, Object> = HashMap::new();
    let created_options: Vec<(String, String)> = finals
        .get(ot)
        .map(|l| {
            l.iter()
                .filter(|(_, a, _)| *a == Action::Create)
                .filter_map(|(_, _, o)| ref_uid(o, "optionSet").map(|s| (uid_of(o), s.to_owned())))
                .collect()
        })
        .unwrap_or_default();
    let mut listed: HashMap<String, HashSet<String>> = HashMap::new();
    for (option, set) in &created_options {
        let in_payload = set_t
            .and_then(|st| finals.get_mut(st))
            .and_then(|l| l.iter_mut().find(|(_, _, o)| uid_of(o) == *set));
        let target = match in_payload {
            Some((_, _, o)) => Some(o),
            None => {
                if !stored_sets.contains_key(set) {
                    if let Some(s) = b.cat.object("optionSets", set)? {
                        stored_sets.insert(set.clone(), s.into_owned());
                    }
                }
                stored_sets.get_mut(set)
            }
        };
        let Some(target) = target else { continue };
        let known = listed
            .entry(set.clone())
            .or_insert_with(|| ref_uids(target, "options").into_iter().collect());
        if known.insert(option.clone()) {
            let entry = target
                .entry("options")
                .or_insert_with(|| Value::Array(Vec::new()));
            if let Value::Array(list) = entry {
                list.push(Value::Object(uid_ref(option)));
            }
        }
    }
    // sortOrder of every listed option.
    let mut orders: HashMap<String, usize> = HashMap::new();
    let payload_sets: Vec<Object> = set_t
        .and_then(|st| finals.get(st))
        .map(|l| l.iter().map(|(_, _, o)| o.clone()).collect())
        .unwrap_or_default();
    for set in payload_sets.iter().chain(stored_sets.values()) {
        for (pos, uid) in ref_uids(set, "options").into_iter().enumerate() {
            orders.insert(uid, pos);
        }
    }
    let mut payload_options: HashSet<String> = HashSet::new();
    if let Some(list) = finals.get_mut(ot) {
        for (_, _, o) in list.iter_mut() {
            let uid = uid_of(o);
            payload_options.insert(uid.clone());
            match orders.get(&uid) {
                Some(pos) => {
                    o.insert("sortOrder".into(), Value::from(*pos));
                }
                None => {
                    if o.get("sortOrder").is_none_or(Value::is_null) {
                        o.insert("sortOrder".into(), Value::from(0));
                    }
                }
            }
        }
    }
    // Stored options whose position changed.
    for (uid, pos) in &orders {
        if payload_options.contains(uid) {
            continue;
        }
        if let Some(stored) = b.cat.object("options", uid)? {
            if stored.get("sortOrder").and_then(Value::as_u64) != Some(*pos as u64) {
                let mut o = stored.into_owned();
                o.insert("sortOrder".into(), Value::from(*pos));
                upsert(&mut changes.type_mut("options").updated, o);
            }
        }
    }
    for (_, set) in stored_sets {
        upsert(&mut changes.type_mut("optionSets").updated, set);
    }
    Ok(())
}

/// A data set update removes the data elements and indicators it no longer has from its
/// sections (and their greyed fields), and its compulsory operands of removed data elements.
fn data_set_updates<C: Catalogue + ?Sized>(
    b: &Bundle<'_, C>,
    finals: &[Vec<(usize, Action, Object)>],
    changes: &mut Changes,
) -> Result<(), Error> {
    let Some(dt) = b.type_pos("dataSets") else {
        return Ok(());
    };
    let Some(list) = finals.get(dt) else {
        return Ok(());
    };
    for (_, action, set) in list {
        if *action != Action::Update {
            continue;
        }
        let uid = uid_of(set);
        let elements: BTreeSet<String> = match set.get("dataSetElements") {
            Some(Value::Array(d)) => d
                .iter()
                .filter_map(|e| {
                    e.as_object()
                        .and_then(|e| ref_uid(e, "dataElement"))
                        .map(str::to_owned)
                })
                .collect(),
            _ => BTreeSet::new(),
        };
        let indicators: BTreeSet<String> = ref_uids(set, "indicators").into_iter().collect();
        let payload_sections: HashSet<String> = b
            .type_pos("sections")
            .and_then(|st| finals.get(st))
            .map(|l| l.iter().map(|(_, _, o)| uid_of(o)).collect())
            .unwrap_or_default();
        for section in b.cat.objects("sections")? {
            let section = section?;
            if ref_uid(&section, "dataSet") != Some(uid.as_str())
                || payload_sections.contains(&uid_of(&section))
            {
                continue;
            }
            let mut s = section.into_owned();
            let before = s.clone();
            prune_refs(&mut s, "dataElements", &elements);
            prune_refs(&mut s, "indicators", &indicators);
            if let Some(Value::Array(greyed)) = s.get_mut("greyedFields") {
                greyed.retain(|g| {
                    g.get("dataElement")
                        .and_then(|d| d.get("id"))
                        .and_then(Value::as_str)
                        .is_some_and(|d| elements.contains(d))
                });
            }
            if s != before {
                upsert(&mut changes.type_mut("sections").updated, s);
            }
        }
    }
    Ok(())
}

fn prune_refs(object: &mut Object, field: &str, keep: &BTreeSet<String>) {
    if let Some(Value::Array(list)) = object.get_mut(field) {
        list.retain(|r| {
            r.get("id")
                .and_then(Value::as_str)
                .is_some_and(|id| keep.contains(id))
        });
    }
}

/// The one difference from DHIS2 (which drops a payload's default objects): their `code` and
/// `attributeValues` update the target's default objects.
fn update_defaults<C: Catalogue + ?Sized>(
    b: &Bundle<'_, C>,
    changes: &mut Changes,
) -> Result<(), Error> {
    for tb in &b.types {
        for item in tb.items.iter().filter(|i| i.default) {
            let Some(stored) = b.cat.object(tb.schema.key, &item.uid)? else {
                continue;
            };
            let mut updated = stored.clone().into_owned();
            for field in ["code", "attributeValues"] {
                if let Some(v) = item.object.get(field) {
                    updated.insert(field.to_owned(), v.clone());
                }
            }
            if updated != *stored {
                upsert(&mut changes.type_mut(tb.schema.key).updated, updated);
            }
        }
    }
    Ok(())
}

/// Generates the option combos each committed category combo lacks, with DHIS2's names, in
/// DHIS2's order. Returns how many.
fn generate_option_combos<C: Catalogue + ?Sized>(
    b: &mut Bundle<'_, C>,
    changes: &mut Changes,
) -> Result<usize, Error> {
    let combos: Vec<Object> = changes
        .of("categoryCombos")
        .map(|t| t.created.iter().chain(&t.updated).cloned().collect())
        .unwrap_or_default();
    let mut uids = super::bundle::UidSource::new(b.params.uid_seed.map(|s| s.wrapping_add(0x9E37)));
    let mut count = 0;
    for combo in combos {
        let combo_uid = uid_of(&combo);
        if b.defaults.get("categoryCombos") == Some(&combo_uid) {
            continue;
        }
        let lists = option_lists(b, &combo)?;
        let wanted = combinations(&lists);
        if wanted.is_empty() {
            continue;
        }
        let mut have: Vec<BTreeSet<String>> = Vec::new();
        if let Some(t) = changes.of("categoryOptionCombos") {
            for o in t.created.iter().chain(&t.updated) {
                if ref_uid(o, "categoryCombo") == Some(combo_uid.as_str()) {
                    have.push(ref_uids(o, "categoryOptions").into_iter().collect());
                }
            }
        }
        for o in b.cat.objects("categoryOptionCombos")? {
            let o = o?;
            if ref_uid(&o, "categoryCombo") == Some(combo_uid.as_str()) {
                have.push(ref_uids(&o, "categoryOptions").into_iter().collect());
            }
        }
        let mut names: HashMap<String, String> = HashMap::new();
        for option in lists.iter().flatten() {
            let object = match b.resolve_uid("categoryOptions", option)? {
                Some(t) => b.target_object("categoryOptions", &t)?,
                None => None,
            };
            if let Some(name) = object.as_deref().and_then(display_name) {
                names.insert(option.clone(), name);
            }
        }
        for combination in wanted {
            let set: BTreeSet<String> = combination.iter().cloned().collect();
            if have.contains(&set) {
                continue;
            }
            let uid = uids.next();
            let name = option_combo_name(&lists, &combination, &names);
            let options: Vec<Value> = combination
                .iter()
                .map(|o| Value::Object(uid_ref(o)))
                .collect();
            let object = json!({
                "id": uid,
                "name": name,
                "categoryCombo": {"id": combo_uid},
                "categoryOptions": options,
                "ignoreApproval": false,
            });
            if let Value::Object(o) = object {
                changes.type_mut("categoryOptionCombos").created.push(o);
                count += 1;
            }
            have.push(set);
        }
    }
    Ok(count)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn a_reference_already_by_uid_is_kept_others_are_rewritten() {
        let mut by_uid = uid_ref("deabcdefghA");
        set_uid_ref(&mut by_uid, "deabcdefghA");
        assert_eq!(by_uid, uid_ref("deabcdefghA"));
        let mut by_code = json!({"code": "ANC1"}).as_object().cloned().unwrap();
        set_uid_ref(&mut by_code, "deabcdefghA");
        assert_eq!(by_code, uid_ref("deabcdefghA"));
        let mut with_more = json!({"id": "deabcdefghA", "name": "ANC"})
            .as_object()
            .cloned()
            .unwrap();
        set_uid_ref(&mut with_more, "deabcdefghA");
        assert_eq!(with_more, uid_ref("deabcdefghA"));
    }

    #[test]
    fn committed_object_reports_are_made_only_when_kept() {
        let mut params = ImportParams::default();
        assert!(!object_reports_kept(&params)); // ERRORS
        params.import_report_mode = ImportReportMode::Full;
        assert!(object_reports_kept(&params));
        params.import_mode = ImportMode::Validate;
        assert!(!object_reports_kept(&params));
    }
}
