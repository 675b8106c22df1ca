//! Deletion (`importStrategy=DELETE`): each stored object is deleted unless one of DHIS2's
//! deletion handlers vetoes it (`E4030`, the object moving from `deleted` to `ignored`).

use std::collections::HashSet;

use super::bundle::{display_name, text, Bundle};
use super::coc::{ref_uid, ref_uids};
use super::report::{ErrorReport, ObjectReport, TypeReport};
use crate::catalogue::Catalogue;
use crate::changes::{uid_of, Changes};
use crate::document::Object;
use crate::error::Error;

/// DELETE: each stored object is deleted unless a deletion handler vetoes it (`E4030`).
pub(crate) fn delete<C: Catalogue + ?Sized>(
    b: &mut Bundle<'_, C>,
    changes: &mut Changes,
    reports: &mut Vec<TypeReport>,
) -> Result<Vec<(&'static str, usize)>, Error> {
    let minor = b.minor();
    let mut vetoed = Vec::new();
    let mut deleted: HashSet<(String, String)> = HashSet::new();
    for t in 0..b.types.len() {
        let Some(tb) = b.types.get(t) else { continue };
        let schema = tb.schema;
        let mut report = TypeReport::new(schema.klass);
        let (persisted, _) = tb.lists();
        let mut targets = Vec::new();
        for i in persisted {
            if let Some(existing) = tb.items.get(i).and_then(|it| it.existing.clone()) {
                targets.push(existing);
            }
        }
        for stored in targets {
            let uid = uid_of(&stored);
            let index = match b.types.get_mut(t) {
                Some(tb) => {
                    tb.next_index += 1;
                    tb.next_index - 1
                }
                None => continue,
            };
            let mut object_report = ObjectReport::new(
                schema.klass,
                index,
                Some(&uid),
                display_name(&stored).as_deref(),
            );
            match veto(b, schema.key, &stored, &deleted)? {
                Some(reason) => {
                    let message = super::message::render("E4030", &[reason.into()], minor).message;
                    object_report.add(ErrorReport::with_message(schema.klass, "E4030", message));
                    match vetoed.iter_mut().find(|(k, _)| *k == schema.klass) {
                        Some((_, n)) => *n += 1,
                        None => vetoed.push((schema.klass, 1)),
                    }
                }
                None => {
                    changes.type_mut(schema.key).deleted.push(uid.clone());
                    deleted.insert((schema.key.to_owned(), uid));
                }
            }
            report.add_object_report(object_report);
        }
        reports.push(report);
    }
    Ok(vetoed)
}

/// DHIS2's deletion vetoes for the modelled types: the veto text, or `None` when deletion is
/// allowed. Objects deleted earlier in the same import no longer hold anything.
fn veto<C: Catalogue + ?Sized>(
    b: &Bundle<'_, C>,
    key: &str,
    object: &Object,
    deleted: &HashSet<(String, String)>,
) -> Result<Option<String>, Error> {
    let uid = uid_of(object);
    let alive = |k: &str, o: &Object| !deleted.contains(&(k.to_owned(), uid_of(o)));
    let holders =
        |k: &'static str, field: &'static str, many: bool| -> Result<Vec<Object>, Error> {
            let mut out = Vec::new();
            for o in b.cat.objects(k)? {
                let o = o?;
                let holds = if many {
                    ref_uids(&o, field).contains(&uid)
                } else {
                    ref_uid(&o, field) == Some(uid.as_str())
                };
                if holds && alive(k, &o) {
                    out.push(o.into_owned());
                }
            }
            Ok(out)
        };
    let data = ["dataElements", "organisationUnits", "categoryOptionCombos"].contains(&key)
        && b.cat.has_data_values(key, &uid)?;
    if data {
        return Ok(Some("DataValue".to_owned()));
    }
    Ok(match key {
        "organisationUnits" => {
            let children = holders("organisationUnits", "parent", false)?;
            (!children.is_empty()).then(|| {
                let names: Vec<String> = children.iter().filter_map(display_name).collect();
                format!("OrganisationUnit ({})", names.join(","))
            })
        }
        "categories" => (!holders("categoryCombos", "categories", true)?.is_empty())
            .then(|| "CategoryCombo".to_owned()),
        "optionSets" => (!holders("dataElements", "optionSet", false)?.is_empty())
            .then(|| "DataElement".to_owned()),
        "indicatorTypes" => holders("indicators", "indicatorType", false)?
            .first()
            .map(|i| format!("Indicator ({})", display_name(i).unwrap_or_default())),
        "dataElements" => {
            let mut found = None;
            for o in b.cat.objects("indicators")? {
                let o = o?;
                let uses = ["numerator", "denominator"]
                    .iter()
                    .any(|f| text(&o, f).is_some_and(|e| e.contains(&format!("#{{{uid}"))));
                if uses && alive("indicators", &o) {
                    found = Some(format!(
                        "Indicator ({})",
                        display_name(&o).unwrap_or_default()
                    ));
                    break;
                }
            }
            found
        }
        "categoryCombos" | "categoryOptions" if b.cat.has_data_values(key, &uid)? => {
            Some("DataValue".to_owned())
        }
        _ => None,
    })
}
