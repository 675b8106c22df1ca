//! Notes on the values a 2.43+ import reports ([`ValueNote`]): where each value is in the
//! source and which of its strings was wrong.
//!
//! * A decoding error (conflict index `-1`, `E8100`–`E8111`, `E8126`, `E8127`) notes the value
//!   whose decoding failed, under its own index, with the identifier DHIS2's message quotes.
//! * A value error (`E8120`–`E8125`) notes its value with the value or comment as written.
//! * A group failure rejects every value of the group; it notes, for each object its message
//!   lists (data elements of `E8020`, periods of `E8030`, …), the first value of the group that
//!   holds it, so the table grows with the objects listed, not with the group. `E8128` notes the
//!   duplicates it lists. Decoded values keep UIDs and periods only, so these notes give the
//!   UID or ISO period, not the identifier as the file wrote it.

use std::collections::BTreeMap;
use std::hash::Hash;

use dxf2_model::{Field, ImporterProfile, Period, TextPosition, Uid};
use rustc_hash::FxHashSet;

use super::messages::{Arg, Problem};
use super::values::{Entry, Values, NONE};
use crate::codes::*;
use crate::conflicts::ErrorCode;
use crate::ValueNote;

/// Notes by value index.
pub(super) type Notes = BTreeMap<i64, ValueNote>;

/// Where the offending string of a one-value conflict is.
#[derive(Clone, Copy)]
enum Offending {
    /// The field is missing (no string).
    Missing,
    /// Argument `n` of the message.
    Arg(usize),
    /// The value as written.
    Value,
    /// The comment as written.
    Comment,
}

/// The field and offending string of each conflict about one value.
const VALUE_CODES: &[(ErrorCode, Field, Offending)] = &[
    (E8100, Field::Period, Offending::Missing),
    (E8101, Field::CategoryOptionCombo, Offending::Arg(1)),
    (E8102, Field::DataElement, Offending::Missing),
    (E8103, Field::DataElement, Offending::Arg(1)),
    (E8104, Field::DataElement, Offending::Arg(1)),
    (E8105, Field::OrgUnit, Offending::Missing),
    (E8106, Field::OrgUnit, Offending::Arg(1)),
    (E8107, Field::OrgUnit, Offending::Arg(1)),
    (E8108, Field::CategoryOptionCombo, Offending::Arg(1)),
    (E8109, Field::CategoryOptionCombo, Offending::Arg(1)),
    (E8110, Field::AttributeOptionCombo, Offending::Arg(1)),
    (E8111, Field::AttributeOptionCombo, Offending::Arg(1)),
    (E8120, Field::Value, Offending::Value),
    (E8121, Field::Value, Offending::Value),
    (E8122, Field::Value, Offending::Value),
    (E8123, Field::Value, Offending::Arg(1)),
    (E8124, Field::Comment, Offending::Comment),
    (E8125, Field::Comment, Offending::Comment),
    (E8126, Field::AttributeOptionCombo, Offending::Arg(1)),
    (E8127, Field::AttributeOptionCombo, Offending::Arg(2)),
];

/// The note on the one value `problem` is about, which starts at `position`; `entry` is the
/// decoded value (`None` for a decoding error). `None` for a code about no single value.
pub(super) fn value_note(
    problem: &Problem,
    position: Option<TextPosition>,
    entry: Option<(&Entry, &Values)>,
) -> Option<ValueNote> {
    let (_, field, offending) = VALUE_CODES
        .iter()
        .find(|(code, _, _)| code.code == problem.code.code)?;
    let arg;
    let raw = match *offending {
        Offending::Missing => None,
        Offending::Arg(n) => match problem.args.get(n) {
            Some(Arg::Text(text)) => text.as_deref(),
            Some(other) => {
                arg = other.in_key();
                Some(arg.as_str())
            }
            None => None,
        },
        Offending::Value => entry.and_then(|(e, values)| values.text(e.value)),
        Offending::Comment => entry.and_then(|(e, values)| values.text(e.comment)),
    };
    Some(ValueNote::new(position, Some(*field), raw))
}

/// Notes the value errors of a group, `(value index, problem)`.
pub(super) fn note_value_errors(errors: &[(i64, Problem)], values: &Values, notes: &mut Notes) {
    for (index, problem) in errors {
        let entry = u32::try_from(*index).ok().and_then(|p| values.entry(p));
        let position = entry.and_then(|e| e.spot.position());
        if let Some(note) = value_note(problem, position, entry.map(|e| (e, values))) {
            notes.insert(*index, note);
        }
    }
}

/// The identifier slot of a decoded value.
#[derive(Clone, Copy)]
enum Slot {
    DataElement,
    OrgUnit,
    CategoryOptionCombo,
    AttributeOptionCombo,
}

impl Slot {
    fn field(self) -> Field {
        match self {
            Slot::DataElement => Field::DataElement,
            Slot::OrgUnit => Field::OrgUnit,
            Slot::CategoryOptionCombo => Field::CategoryOptionCombo,
            Slot::AttributeOptionCombo => Field::AttributeOptionCombo,
        }
    }

    /// The value's UID in this slot; an absent category option combo is the default one (as
    /// `E8024` counts it).
    fn uid(self, e: &Entry, values: &Values, default_coc: Uid) -> Option<Uid> {
        match self {
            Slot::DataElement => values.uid(e.de),
            Slot::OrgUnit => values.uid(e.ou),
            Slot::CategoryOptionCombo if e.coc == NONE => Some(default_coc),
            Slot::CategoryOptionCombo => values.uid(e.coc),
            Slot::AttributeOptionCombo => values.uid(e.aoc),
        }
    }
}

/// What a group failure lists, and the objects a value must also hold to be one it means.
enum Listed {
    /// Identifiers in a slot.
    Ids(Slot),
    /// Periods.
    Periods,
}

/// Notes the values of a failed group (`members`, in payload order) that hold the objects
/// `problem` lists: the first value for each.
pub(super) fn note_group_failure(
    problem: &Problem,
    members: &[u32],
    values: &Values,
    default_coc: Uid,
    notes: &mut Notes,
) {
    let args = &problem.args;
    let list = |n: usize| match args.get(n) {
        Some(Arg::List(items)) => items.as_slice(),
        _ => &[],
    };
    let uid_arg = |n: usize| match args.get(n) {
        Some(Arg::Text(Some(t))) => Uid::parse(t).ok(),
        _ => None,
    };
    // (what is listed, the list, and a slot that must hold a given UID too)
    let (listed, items, also): (Listed, &[String], Option<(Slot, Uid)>) = match problem.code.code {
        "E8003" => (Listed::Ids(Slot::DataElement), list(0), None),
        "E8020" => (Listed::Ids(Slot::DataElement), list(1), None),
        "E8011" => (Listed::Ids(Slot::OrgUnit), list(0), None),
        "E8022" => (Listed::Ids(Slot::OrgUnit), list(1), None),
        "E8023" => (Listed::Ids(Slot::AttributeOptionCombo), list(1), None),
        "E8024" => {
            let de = uid_arg(1).map(|u| (Slot::DataElement, u));
            (Listed::Ids(Slot::CategoryOptionCombo), list(2), de)
        }
        "E8025" => {
            let aoc = uid_arg(0).map(|u| (Slot::AttributeOptionCombo, u));
            (Listed::Ids(Slot::OrgUnit), list(1), aoc)
        }
        "E8021" | "E8030" => (Listed::Periods, list(1), None),
        "E8031" => (
            Listed::Periods,
            list(1),
            uid_arg(0).map(|u| (Slot::OrgUnit, u)),
        ),
        "E8032" => {
            let aoc = uid_arg(0).map(|u| (Slot::AttributeOptionCombo, u));
            (Listed::Periods, list(1), aoc)
        }
        "E8128" => {
            note_listed_indexes(list(0), values, notes);
            return;
        }
        // E8002 lists data sets, E8010 names the data set, E8012 category options: no field
        // of a value holds them.
        _ => return,
    };
    let holds_also =
        |e: &Entry| also.is_none_or(|(slot, uid)| slot.uid(e, values, default_coc) == Some(uid));
    let members = members
        .iter()
        .filter_map(|&p| values.entry(p).map(|e| (p, e)))
        .filter(|(_, e)| holds_also(e));
    match listed {
        Listed::Ids(slot) => {
            let wanted = items.iter().filter_map(|i| Uid::parse(i).ok()).collect();
            let key = |e: &Entry| slot.uid(e, values, default_coc);
            let text = |u: &Uid| u.as_str().to_owned();
            note_first_holders(wanted, members, key, slot.field(), text, notes);
        }
        Listed::Periods => {
            let wanted = items
                .iter()
                .filter_map(|i| Period::parse_with(i, ImporterProfile::Pipeline).ok())
                .collect();
            let key = |e: &Entry| Some(e.period);
            let text = |p: &Period| p.to_string();
            note_first_holders(wanted, members, key, Field::Period, text, notes);
        }
    }
}

/// Notes, for each key in `wanted`, the first member whose `key` it is; stops when every key
/// is noted.
fn note_first_holders<'e, K>(
    mut wanted: FxHashSet<K>,
    members: impl Iterator<Item = (u32, &'e Entry)>,
    key: impl Fn(&Entry) -> Option<K>,
    field: Field,
    text: impl Fn(&K) -> String,
    notes: &mut Notes,
) where
    K: Hash + Eq,
{
    for (p, e) in members {
        if wanted.is_empty() {
            break;
        }
        let Some(k) = key(e) else { continue };
        if wanted.remove(&k) {
            let raw = text(&k);
            let note = ValueNote::new(e.spot.position(), Some(field), Some(raw.as_str()));
            notes.entry(i64::from(p)).or_insert(note);
        }
    }
}

/// `E8128`: notes the values whose indexes the message lists (all write the same row).
fn note_listed_indexes(indexes: &[String], values: &Values, notes: &mut Notes) {
    for index in indexes.iter().filter_map(|i| i.parse::<u32>().ok()) {
        let position = values.entry(index).and_then(|e| e.spot.position());
        let note = ValueNote::new(position, None, None);
        if !note.is_empty() {
            notes.entry(i64::from(index)).or_insert(note);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_value_code_names_its_field() {
        let p = Problem::new(E8103, vec![Arg::Int(4), Arg::text("nonEx1sting")]);
        let at = TextPosition { line: 9, column: 3 };
        let note = value_note(&p, Some(at), None);
        assert_eq!(
            note.map(|n| n.to_string()).as_deref(),
            Some("line 9, column 3: dataElement `nonEx1sting`")
        );
        let p = Problem::new(E8100, vec![Arg::Int(0), Arg::text("Input[…]")]);
        let note = value_note(&p, None, None);
        assert_eq!(
            note.map(|n| n.to_string()).as_deref(),
            Some("period missing")
        );
        assert!(value_note(&Problem::new(E8020, vec![]), None, None).is_none());
        for code in PIPELINE_ALL
            .iter()
            .filter(|c| ("E8100"..="E8127").contains(&c.code))
        {
            let covered = VALUE_CODES.iter().any(|(c, _, _)| c.code == code.code);
            assert!(covered, "{}", code.code);
        }
    }

    #[test]
    fn group_failures_note_the_first_holder_of_each_listed_object() {
        let mut values = Values::default();
        let a = Uid::parse("deabcdefghA").unwrap_or_else(|_| unreachable!());
        let b = Uid::parse("deabcdefghB").unwrap_or_else(|_| unreachable!());
        let ou = Uid::parse("DiszpKrYNg8").unwrap_or_else(|_| unreachable!());
        let period = Period::parse("202401").unwrap_or_else(|_| unreachable!());
        for (i, de) in [a, b, b, a].into_iter().enumerate() {
            let line = u64::try_from(i).unwrap_or_default() + 2;
            let entry = Entry {
                de: values.ids.intern(de).unwrap_or_else(|_| unreachable!()),
                ou: values.ids.intern(ou).unwrap_or_else(|_| unreachable!()),
                coc: NONE,
                aoc: NONE,
                period,
                value: super::super::values::Span::ABSENT,
                comment: super::super::values::Span::ABSENT,
                followup: None,
                deleted: None,
                spot: super::super::values::Spot::new(Some(TextPosition { line, column: 1 })),
            };
            values.entries.push(entry);
        }
        let problem = Problem::new(E8020, vec![Arg::text("pBOMPrpg1QX"), Arg::uids(&[b])]);
        let mut notes = Notes::new();
        note_group_failure(&problem, &[0, 1, 2, 3], &values, ou, &mut notes);
        let found: Vec<(i64, String)> = notes.iter().map(|(i, n)| (*i, n.to_string())).collect();
        assert_eq!(
            found,
            [(1, "line 3, column 1: dataElement `deabcdefghB`".to_owned())]
        );
        let dup = Problem::new(E8128, vec![Arg::List(vec!["0".into(), "3".into()])]);
        let mut notes = Notes::new();
        note_group_failure(&dup, &[0, 1, 2, 3], &values, ou, &mut notes);
        assert_eq!(notes.keys().copied().collect::<Vec<_>>(), [0, 3]);
    }
}
