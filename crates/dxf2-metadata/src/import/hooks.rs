//! The validation hooks of the modelled types (`*ObjectBundleHook#validate`):
//!
//! | type | check |
//! |---|---|
//! | org unit | `closedDate` before `openingDate` → `E4013` |
//! | data set | a data input period opening after it closes → `E4013` |
//! | option | same name or code as another option of its set → `E4028`; a multi-text set's code with `,` → `E1118` |
//! | data element | value type changed while data values exist → `E1121` |
//! | category (2.42+) | more than 50 options → `E1127` |
//! | category combo (2.42+) | more than 5 categories → `E1126`, a category over 50 options → `E1127`, more than 500 combinations → `E1128` (reported with class `CategoryOptionCombo`, as DHIS2 does); categories changed while data values exist → `E1120` |
//! | category option combo (2.42+) | no combo → `E1133`; the default combo but not the default option combo → `E1122`; (2.43+) the payload's option combos of a combo are not exactly its expected set → `E1110`, `E1130`, `E1131`, `E1132` |
//! | program stage | no program, and no program of the payload lists it → `E4053` |
//!
//! DHIS2's org unit move authorities (`E1520`–`E1523`) need users' authorities and are not
//! checked.

use std::collections::HashMap;

use serde_json::Value;

use super::bundle::{text, Bundle};
use super::coc::{self, option_lists, ref_uid, ref_uids};
use super::message::Arg;
use super::report::ErrorReport;
use super::validate::{Ctx, Lists};
use crate::catalogue::Catalogue;
use crate::document::Object;
use crate::error::Error;

const MAX_OPTIONS: usize = 50;
const MAX_CATEGORIES: usize = 5;
const MAX_COMBINATIONS: usize = 500;
const COC: &str = "org.hisp.dhis.category.CategoryOptionCombo";

pub(crate) fn check<C: Catalogue + ?Sized>(
    b: &Bundle<'_, C>,
    t: usize,
    selected: &[usize],
    lists: &Lists,
    ctx: &mut Ctx,
) -> Result<(), Error> {
    let Some(tb) = b.types.get(t) else {
        return Ok(());
    };
    let minor = b.minor();
    let key = tb.schema.key;
    let klass = tb.schema.klass;
    let all_cocs = lists.all();
    let mut sets: HashMap<String, OptionSetContents> = HashMap::new();
    for &i in selected {
        let Some(item) = tb.items.get(i) else {
            continue;
        };
        let o = &item.object;
        let mut errors = Vec::new();
        match key {
            "organisationUnits" => {
                if let (Some(open), Some(closed)) = (date(o, "openingDate"), date(o, "closedDate"))
                {
                    if closed.1 < open.1 {
                        errors.push(ErrorReport::new(
                            klass,
                            "E4013",
                            &[closed.0.into(), open.0.into()],
                            minor,
                        ));
                    }
                }
            }
            "dataSets" => {
                if let Some(Value::Array(periods)) = o.get("dataInputPeriods") {
                    for p in periods.iter().filter_map(Value::as_object) {
                        if let (Some(open), Some(close)) =
                            (date(p, "openingDate"), date(p, "closingDate"))
                        {
                            if open.1 > close.1 {
                                errors.push(ErrorReport::new(
                                    klass,
                                    "E4013",
                                    &[close.0.into(), open.0.into()],
                                    minor,
                                ));
                            }
                        }
                    }
                }
            }
            "options" => option(b, o, &item.uid, &mut sets, &mut errors)?,
            "dataElements" => {
                if let Some(existing) = &item.existing {
                    if text(existing, "valueType") != text(o, "valueType")
                        && b.cat.has_data_values(key, &item.uid)?
                    {
                        errors.push(ErrorReport::new(
                            klass,
                            "E1121",
                            &[item.uid.as_str().into()],
                            minor,
                        ));
                    }
                }
            }
            "categories" if minor >= 42 => {
                let n = ref_uids(o, "categoryOptions").len();
                if n > MAX_OPTIONS {
                    errors.push(ErrorReport::new(
                        COC,
                        "E1127",
                        &[
                            item.uid.as_str().into(),
                            Arg::from(MAX_OPTIONS),
                            Arg::from(n),
                        ],
                        minor,
                    ));
                }
            }
            "categoryCombos" if minor >= 42 => {
                combo_limits(b, o, &item.uid, &mut errors)?;
                if let Some(existing) = &item.existing {
                    let before: std::collections::BTreeSet<String> =
                        ref_uids(existing, "categories").into_iter().collect();
                    let after: std::collections::BTreeSet<String> =
                        ref_uids(o, "categories").into_iter().collect();
                    if before != after && b.cat.has_data_values(key, &item.uid)? {
                        errors.push(ErrorReport::new(
                            "org.hisp.dhis.category.CategoryCombo",
                            "E1120",
                            &[super::bundle::display_name(existing)
                                .unwrap_or_default()
                                .into()],
                            minor,
                        ));
                    }
                }
            }
            "categoryOptionCombos" if minor >= 42 => {
                let name = Arg::from(text(o, "name"));
                match ref_uid(o, "categoryCombo") {
                    None => errors.push(ErrorReport::new(COC, "E1133", &[name], minor)),
                    Some(combo) => {
                        let default_combo = b.defaults.get("categoryCombos").map(String::as_str);
                        let default_coc =
                            b.defaults.get("categoryOptionCombos").map(String::as_str);
                        if Some(combo) == default_combo && Some(item.uid.as_str()) != default_coc {
                            errors.push(ErrorReport::new(COC, "E1122", &[name], minor));
                        }
                        if minor >= 43 {
                            coc::check_set(b, t, i, &all_cocs, &mut errors)?;
                        }
                    }
                }
            }
            "programStages"
                if o.get("program").is_none_or(Value::is_null)
                    && !listed_by_a_program(b, &item.uid) =>
            {
                errors.push(ErrorReport::new(
                    klass,
                    "E4053",
                    &[item.uid.as_str().into()],
                    minor,
                ));
            }
            _ => {}
        }
        if !errors.is_empty() {
            ctx.reject(b, t, i, errors);
        }
    }
    Ok(())
}

/// A date field as written and as a comparable instant.
fn date(o: &Object, field: &str) -> Option<(String, chrono::NaiveDateTime)> {
    let written = match o.get(field)? {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        _ => return None,
    };
    let parsed = match o.get(field)? {
        Value::Number(n) => dxf2_model::date::ParsedDate::from_epoch_millis(n.as_i64()?).ok()?,
        _ => dxf2_model::date::parse_json_date(&written).ok()?,
    };
    Some((written, parsed.utc()))
}

/// An option set's options, for the duplicate check: `(uid, name, code)` in list order (only
/// those with a name and a code: references written as `{"id"}` alone are not compared, as in
/// DHIS2), and its value type.
struct OptionSetContents {
    uid: String,
    value_type: Option<String>,
    by_name: HashMap<String, Vec<usize>>,
    by_code: HashMap<String, Vec<usize>>,
    uids: Vec<Option<String>>,
}

fn option_set_contents<C: Catalogue + ?Sized>(
    b: &Bundle<'_, C>,
    target: &super::bundle::Target,
) -> Result<Option<OptionSetContents>, Error> {
    let Some(set) = b.target_object("optionSets", target)? else {
        return Ok(None);
    };
    let stored = matches!(target, super::bundle::Target::Stored(_));
    let mut contents = OptionSetContents {
        uid: text(&set, "id").unwrap_or_default().to_owned(),
        value_type: text(&set, "valueType").map(str::to_owned),
        by_name: HashMap::new(),
        by_code: HashMap::new(),
        uids: Vec::new(),
    };
    if let Some(Value::Array(listed)) = set.get("options") {
        for entry in listed.iter().filter_map(Value::as_object) {
            // A payload set lists references as written; a stored set's options are loaded.
            let loaded;
            let other = if stored {
                loaded = match text(entry, "id") {
                    Some(id) => b.cat.object("options", id)?.map(|c| c.into_owned()),
                    None => None,
                };
                match &loaded {
                    Some(o) => o,
                    None => continue,
                }
            } else {
                entry
            };
            let (Some(name), Some(code)) = (text(other, "name"), text(other, "code")) else {
                continue;
            };
            let pos = contents.uids.len();
            contents.uids.push(text(other, "id").map(str::to_owned));
            contents
                .by_name
                .entry(name.to_owned())
                .or_default()
                .push(pos);
            contents
                .by_code
                .entry(code.to_owned())
                .or_default()
                .push(pos);
        }
    }
    Ok(Some(contents))
}

fn option<C: Catalogue + ?Sized>(
    b: &Bundle<'_, C>,
    o: &Object,
    uid: &str,
    sets: &mut HashMap<String, OptionSetContents>,
    errors: &mut Vec<ErrorReport>,
) -> Result<(), Error> {
    let Some(Value::Object(r)) = o.get("optionSet") else {
        return Ok(());
    };
    let Some(target) = b.resolve("optionSets", r)? else {
        return Ok(());
    };
    let Some(set_uid) = b.target_uid(&target) else {
        return Ok(());
    };
    if !sets.contains_key(&set_uid) {
        match option_set_contents(b, &target)? {
            Some(c) => {
                sets.insert(set_uid.clone(), c);
            }
            None => return Ok(()),
        }
    }
    let Some(set) = sets.get(&set_uid) else {
        return Ok(());
    };
    let mut matches: Vec<usize> = Vec::new();
    if let Some(p) = text(o, "name").and_then(|n| set.by_name.get(n)) {
        matches.extend(p);
    }
    if let Some(p) = text(o, "code").and_then(|c| set.by_code.get(c)) {
        matches.extend(p);
    }
    matches.sort_unstable();
    matches.dedup();
    for pos in matches {
        let other = set.uids.get(pos).cloned().flatten();
        if other.as_deref() == Some(uid) {
            continue;
        }
        errors.push(ErrorReport::new(
            "org.hisp.dhis.option.OptionSet",
            "E4028",
            &[set.uid.as_str().into(), Arg::from(other.as_deref())],
            b.minor(),
        ));
    }
    if set.value_type.as_deref() == Some("MULTI_TEXT") {
        if let Some(code) = text(o, "code").filter(|c| c.contains(',')) {
            errors.push(ErrorReport::new(
                "org.hisp.dhis.option.OptionSet",
                "E1118",
                &[set.uid.as_str().into(), code.into()],
                b.minor(),
            ));
        }
    }
    Ok(())
}

fn combo_limits<C: Catalogue + ?Sized>(
    b: &Bundle<'_, C>,
    combo: &Object,
    uid: &str,
    errors: &mut Vec<ErrorReport>,
) -> Result<(), Error> {
    let minor = b.minor();
    let categories = ref_uids(combo, "categories");
    if categories.len() > MAX_CATEGORIES {
        errors.push(ErrorReport::new(
            COC,
            "E1126",
            &[
                uid.into(),
                Arg::from(MAX_CATEGORIES),
                Arg::from(categories.len()),
            ],
            minor,
        ));
        return Ok(());
    }
    let lists = option_lists(b, combo)?;
    for (category, options) in categories.iter().zip(&lists) {
        if options.len() > MAX_OPTIONS {
            errors.push(ErrorReport::new(
                COC,
                "E1127",
                &[
                    category.as_str().into(),
                    Arg::from(MAX_OPTIONS),
                    Arg::from(options.len()),
                ],
                minor,
            ));
            return Ok(());
        }
    }
    let product = lists
        .iter()
        .fold(1usize, |acc, l| acc.saturating_mul(l.len().max(1)));
    if product > MAX_COMBINATIONS {
        errors.push(ErrorReport::new(
            COC,
            "E1128",
            &[uid.into(), Arg::from(MAX_COMBINATIONS), Arg::from(product)],
            minor,
        ));
    }
    Ok(())
}

fn listed_by_a_program<C: ?Sized>(b: &Bundle<'_, C>, stage: &str) -> bool {
    let Some(t) = b.type_pos("programs") else {
        return false;
    };
    b.types.get(t).is_some_and(|tb| {
        tb.items.iter().any(|p| {
            ref_uids(&p.object, "programStages")
                .iter()
                .any(|s| s == stage)
        })
    })
}
