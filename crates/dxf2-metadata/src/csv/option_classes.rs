//! `OPTION_SET`, `OPTION_GROUP` and `OPTION_GROUP_SET`: option sets and groups built from one
//! option a row, as DHIS2's `DefaultCsvImportService` builds them.

use std::collections::HashMap;

use serde_json::Value;

use super::context::{id_of, put, reference, Ctx};
use super::enums::parse_boolean;
use super::records::Row;
use crate::{Document, Object};

/// One group of rows: the object the last kept row of its name gave, and its members' UIDs in
/// row order.
struct Grouped {
    object: Object,
    members: Vec<String>,
}

/// Groups by name, in the order names first came (DHIS2 keeps them in a `HashMap`, whose order
/// no one can rely on).
#[derive(Default)]
struct ByName {
    groups: Vec<Grouped>,
    index: HashMap<String, usize>,
}

impl ByName {
    /// Makes `object` the group's object (the last row wins) and adds `member` to its members
    /// (only when not there yet if `unique`).
    fn upsert(&mut self, name: String, object: Object, member: String, unique: bool) {
        match self
            .index
            .get(&name)
            .and_then(|&at| self.groups.get_mut(at))
        {
            Some(group) => {
                group.object = object;
                if !(unique && group.members.contains(&member)) {
                    group.members.push(member);
                }
            }
            None => {
                self.index.insert(name, self.groups.len());
                self.groups.push(Grouped {
                    object,
                    members: vec![member],
                });
            }
        }
    }

    /// The groups, each with its members as references under `members_key`.
    fn into_objects(self, members_key: &str) -> Vec<Object> {
        self.groups
            .into_iter()
            .map(|g| {
                let mut object = g.object;
                let members = g.members.iter().map(|uid| reference(uid)).collect();
                object.insert(members_key.to_owned(), Value::Array(members));
                object
            })
            .collect()
    }
}

/// `OPTION_SET`: 0 set name, 1 set uid, 2 set code, 3 option name (230), 4 option uid (11; a new
/// UID when blank), 5 option code (50). Rows without a set name or an option code are skipped;
/// the others are grouped by set name, the set's uid and code being the last kept row's (a new
/// UID for each row whose set uid is blank); every set's `valueType` is `TEXT`.
#[derive(Default)]
pub(crate) struct OptionSets {
    sets: ByName,
    options: Vec<Object>,
}

impl OptionSets {
    pub(crate) fn add(&mut self, ctx: &mut Ctx<'_>, row: &Row) {
        let (mut set, name) = ctx.identifiable(row);
        set.insert("valueType".to_owned(), Value::String("TEXT".to_owned()));
        let mut option = Object::new();
        put(&mut option, "name", row.get(3, Some(230)));
        let uid = match row.get(4, Some(11)) {
            Some(uid) => uid,
            None => ctx.new_uid(),
        };
        option.insert("id".to_owned(), Value::String(uid.clone()));
        let code = row.get(5, Some(50));
        let (Some(name), Some(_)) = (name, &code) else {
            return;
        };
        put(&mut option, "code", code);
        self.sets.upsert(name, set, uid, false);
        self.options.push(option);
    }

    pub(crate) fn finish(self, document: &mut Document) {
        for set in self.sets.into_objects("options") {
            document.push("optionSets", set);
        }
        for option in self.options {
            document.push("options", option);
        }
    }
}

/// `OPTION_GROUP`: 0 name, 1 uid, 2 code, 3 shortName (50), 4 option set uid (11), 5 option uid
/// (11), 6 option code (50). A row is skipped without a name or short name, without an option
/// set uid or when the set is not stored, without option uid and code, or when the stored set
/// has no such option (matched by uid when given, else by code). Kept rows are grouped by name
/// (the last row gives the group's uid, code, short name and set); members are the stored
/// options, each once.
#[derive(Default)]
pub(crate) struct OptionGroups {
    groups: ByName,
    /// The stored options of each option set read so far: (uid, code).
    set_options: HashMap<String, Vec<(String, Option<String>)>>,
}

impl OptionGroups {
    pub(crate) fn add(&mut self, ctx: &mut Ctx<'_>, row: &Row) {
        let (mut group, name) = ctx.identifiable(row);
        let short_name = row.get(3, Some(50));
        let (Some(name), Some(short_name)) = (name, short_name) else {
            return;
        };
        group.insert("shortName".to_owned(), Value::String(short_name));
        let Some(set_uid) = row.get(4, Some(11)) else {
            return;
        };
        let Some(stored_set) = ctx.stored_by_uid("optionSets", &set_uid) else {
            return;
        };
        group.insert("optionSet".to_owned(), reference(&set_uid));
        let option_uid = row.get(5, Some(11));
        let option_code = row.get(6, Some(50));
        if option_uid.is_none() && option_code.is_none() {
            return;
        }
        let options = self
            .set_options
            .entry(set_uid)
            .or_insert_with(|| stored_options(ctx, &stored_set));
        let found = options.iter().find(|(uid, code)| match &option_uid {
            Some(wanted) => uid == wanted,
            None => code.is_some() && *code == option_code,
        });
        let Some((uid, _)) = found else {
            return;
        };
        let uid = uid.clone();
        self.groups.upsert(name, group, uid, true);
    }

    pub(crate) fn finish(self, document: &mut Document) {
        for group in self.groups.into_objects("options") {
            document.push("optionGroups", group);
        }
    }
}

/// The options of a stored option set, with their codes (from the reference, else from the
/// stored option).
fn stored_options(ctx: &mut Ctx<'_>, set: &Object) -> Vec<(String, Option<String>)> {
    let refs = set
        .get("options")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let mut out = Vec::with_capacity(refs.len());
    for r in refs {
        let Some(uid) = r.get("id").and_then(Value::as_str) else {
            continue;
        };
        let code = match r.get("code").and_then(Value::as_str) {
            Some(code) => Some(code.to_owned()),
            None => ctx
                .stored_by_uid("options", uid)
                .and_then(|o| o.get("code").and_then(Value::as_str).map(str::to_owned)),
        };
        out.push((uid.to_owned(), code));
    }
    out
}

/// `OPTION_GROUP_SET`: 0 name, 1 uid, 2 code, **3 dataDimension**, **4 description** (DHIS2's
/// comments and test header say the other way round; its code reads them so; description since
/// 2.37), 5 option set uid (11), 6 option set code (50). A row is skipped without set uid and
/// code, or when the set (by uid if given, else by code) is not stored.
pub(crate) fn option_group_set(ctx: &mut Ctx<'_>, row: &Row) -> Option<Object> {
    let (mut o, _) = ctx.identifiable(row);
    if ctx.minor >= 37 {
        put(&mut o, "description", row.get(4, None));
    }
    let dimension = row.get(3, Some(40)).is_some_and(|v| parse_boolean(&v));
    o.insert("dataDimension".to_owned(), Value::Bool(dimension));
    let set_uid = row.get(5, Some(11));
    let set_code = row.get(6, Some(50));
    let stored = match (&set_uid, &set_code) {
        (Some(uid), _) => ctx.stored_by_uid("optionSets", uid),
        (None, Some(code)) => ctx.stored_by_code("optionSets", code),
        (None, None) => None,
    };
    stored.as_ref().and_then(id_of)?;
    let mut set = Object::new();
    put(&mut set, "id", set_uid);
    put(&mut set, "code", set_code);
    o.insert("optionSet".to_owned(), Value::Object(set));
    Some(o)
}
