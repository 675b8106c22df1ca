//! Org unit hierarchy at commit: `path` and `level` of every committed unit (and of the stored
//! descendants of a moved one), and the refusal of parents that would form a cycle.

use std::collections::{HashMap, HashSet};

use serde_json::Value;

use super::bundle::{text, Bundle};
use super::coc::ref_uid;
use super::commit::{upsert, Action};
use crate::catalogue::Catalogue;
use crate::changes::{uid_of, Changes};
use crate::document::Object;
use crate::error::Error;

/// Org unit `path` and `level`; a cycle refuses the import.
pub(crate) fn org_unit_paths<C: Catalogue + ?Sized>(
    b: &Bundle<'_, C>,
    finals: &mut [Vec<(usize, Action, Object)>],
    changes: &mut Changes,
) -> Result<(), Error> {
    let Some(t) = b.type_pos("organisationUnits") else {
        return Ok(());
    };
    let Some(list) = finals.get_mut(t) else {
        return Ok(());
    };
    if list.is_empty() {
        return Ok(());
    }
    let parents: HashMap<String, Option<String>> = list
        .iter()
        .map(|(_, _, o)| (uid_of(o), ref_uid(o, "parent").map(str::to_owned)))
        .collect();
    let parent_of = |uid: &str| -> Result<Option<String>, Error> {
        if let Some(p) = parents.get(uid) {
            return Ok(p.clone());
        }
        Ok(b.cat
            .object("organisationUnits", uid)?
            .and_then(|o| ref_uid(&o, "parent").map(str::to_owned)))
    };
    let mut paths: HashMap<String, String> = HashMap::new();
    for (_, _, o) in list.iter() {
        let uid = uid_of(o);
        let mut chain = vec![uid.clone()];
        let mut at = uid.clone();
        let mut prefix: Option<String> = None;
        loop {
            if let Some(known) = paths.get(&at).filter(|_| at != uid) {
                prefix = Some(known.clone());
                chain.pop();
                break;
            }
            match parent_of(&at)? {
                None => break,
                Some(parent) => {
                    if let Some(pos) = chain.iter().position(|u| *u == parent) {
                        let units = chain
                            .get(pos..)
                            .unwrap_or_default()
                            .iter()
                            .filter_map(|u| dxf2_model::Uid::parse(u).ok())
                            .collect();
                        return Err(dxf2_model::metadata::HierarchyError::Cycle { units }.into());
                    }
                    if !parents.contains_key(&parent) {
                        // A stored unit outside the payload: its stored path is right unless
                        // it runs through a unit the payload moves.
                        if let Some(stored) = b.cat.object("organisationUnits", &parent)? {
                            if let Some(p) = text(&stored, "path") {
                                if !p.split('/').any(|u| parents.contains_key(u)) {
                                    prefix = Some(p.to_owned());
                                    break;
                                }
                            }
                        }
                    }
                    chain.push(parent.clone());
                    at = parent;
                }
            }
        }
        let mut path = prefix.unwrap_or_default();
        for u in chain.iter().rev() {
            path.push('/');
            path.push_str(u);
        }
        paths.insert(uid, path);
    }
    let mut moved: Vec<(String, String)> = Vec::new();
    for (_, action, o) in list.iter_mut() {
        let uid = uid_of(o);
        let Some(path) = paths.get(&uid) else {
            continue;
        };
        if *action == Action::Update {
            if let Some(stored) = b.cat.object("organisationUnits", &uid)? {
                if let Some(old) = text(&stored, "path").filter(|old| *old != path) {
                    moved.push((old.to_owned(), path.clone()));
                }
            }
        }
        o.insert("path".into(), Value::String(path.clone()));
        o.insert("level".into(), Value::from(path.matches('/').count()));
    }
    if !moved.is_empty() {
        let in_payload: HashSet<String> = parents.keys().cloned().collect();
        for stored in b.cat.objects("organisationUnits")? {
            let stored = stored?;
            let uid = uid_of(&stored);
            if in_payload.contains(&uid) {
                continue;
            }
            let Some(path) = text(&stored, "path") else {
                continue;
            };
            for (old, new) in &moved {
                if let Some(rest) = path
                    .strip_prefix(old.as_str())
                    .filter(|r| r.starts_with('/'))
                {
                    let mut updated = stored.clone().into_owned();
                    let new_path = format!("{new}{rest}");
                    updated.insert("level".into(), Value::from(new_path.matches('/').count()));
                    updated.insert("path".into(), Value::String(new_path));
                    upsert(&mut changes.type_mut("organisationUnits").updated, updated);
                    break;
                }
            }
        }
    }
    Ok(())
}
