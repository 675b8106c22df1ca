//! The membership classes: `DATA_ELEMENT_GROUP_MEMBERSHIP`, `INDICATOR_GROUP_MEMBERSHIP`,
//! `ORGANISATION_UNIT_GROUP_MEMBERSHIP` and `OPTION_GROUP_SET_MEMBERSHIP` (no uid/name/code
//! prefix: 0 the group's uid, 1 the member's). A row whose group is not stored is dropped; the
//! emitted group carries the stored group's uid and name (and an org unit group its short name,
//! since 2.39) and the members read, so importing it replaces the group's members.

use std::collections::HashMap;

use serde_json::Value;

use super::context::{put, reference, Ctx};
use super::records::Row;
use super::{ClassKey, CsvError};
use crate::{Document, Object};

/// The groups of a membership file, in the order they first came.
#[derive(Default)]
pub(crate) struct Memberships {
    groups: Vec<(Object, Vec<String>)>,
    index: HashMap<String, usize>,
}

impl Memberships {
    pub(crate) fn add(&mut self, ctx: &mut Ctx<'_>, row: &Row) -> Result<(), CsvError> {
        let (group_uid, member_uid, key) = match ctx.class {
            ClassKey::OptionGroupSetMembership => {
                // getSafe: blank or missing columns skip the row; uids cut to 11.
                let (Some(group), Some(member)) = (row.get(0, Some(11)), row.get(1, Some(11)))
                else {
                    return Ok(());
                };
                (group, member, "optionGroupSets")
            }
            class => {
                // values[0] and values[1], as read: no blank check, no cut, and a row of one
                // column fails DHIS2's request.
                let group = row.raw(0).unwrap_or_default().to_owned();
                let Some(member) = row.raw(1) else {
                    return Err(CsvError::MissingColumn {
                        class,
                        line: row.line,
                        column: 2,
                    });
                };
                (group, member.to_owned(), group_key(class))
            }
        };
        // DHIS2 adds a member to a set (data element, indicator and org unit groups: once
        // each), or to a list (option group sets: as often as it comes).
        let unique = ctx.class != ClassKey::OptionGroupSetMembership;
        if let Some((_, members)) = self
            .index
            .get(&group_uid)
            .and_then(|&at| self.groups.get_mut(at))
        {
            if !(unique && members.contains(&member_uid)) {
                members.push(member_uid);
            }
            return Ok(());
        }
        let Some(stored) = ctx.stored_by_uid(key, &group_uid) else {
            return Ok(());
        };
        let mut group = Object::new();
        let text = |field: &str| stored.get(field).and_then(Value::as_str).map(str::to_owned);
        put(&mut group, "id", text("id"));
        put(&mut group, "name", text("name"));
        if ctx.class == ClassKey::OrganisationUnitGroupMembership && ctx.minor >= 39 {
            put(&mut group, "shortName", text("shortName"));
        }
        self.index.insert(group_uid, self.groups.len());
        self.groups.push((group, vec![member_uid]));
        Ok(())
    }

    pub(crate) fn finish(self, class: ClassKey, document: &mut Document) {
        let (key, members_key) = match class {
            ClassKey::DataElementGroupMembership => ("dataElementGroups", "dataElements"),
            ClassKey::IndicatorGroupMembership => ("indicatorGroups", "indicators"),
            ClassKey::OrganisationUnitGroupMembership => {
                ("organisationUnitGroups", "organisationUnits")
            }
            _ => ("optionGroupSets", "optionGroups"),
        };
        for (mut group, members) in self.groups {
            let refs = members.iter().map(|uid| reference(uid)).collect();
            group.insert(members_key.to_owned(), Value::Array(refs));
            document.push(key, group);
        }
    }
}

/// The stored collection a membership class's groups are looked up in.
fn group_key(class: ClassKey) -> &'static str {
    match class {
        ClassKey::DataElementGroupMembership => "dataElementGroups",
        ClassKey::IndicatorGroupMembership => "indicatorGroups",
        ClassKey::OrganisationUnitGroupMembership => "organisationUnitGroups",
        _ => "optionGroupSets",
    }
}
