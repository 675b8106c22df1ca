//! Decoding (DHIS2 2.43+ `DataEntryIO.decodeGroup`): identifiers under a non-UID scheme are
//! mapped to UIDs and every identifier must then be a well-formed UID. Decoded are the
//! group-level fields (period, data set `E8004`/`E8005`, `completeDate` `E8008`, `E8009`), every
//! value's period, data element, org unit and option combos (`E8100`–`E8111`), and the deletion
//! scope (`E8034`/`E8035`). Any decoding error fails the whole import: status `ERROR`, counts 0,
//! one conflict with `indexes` `[-1]`.

use chrono::NaiveDate;
use dxf2_model::{
    DataValue, DataValueSetHeader, DeletionScope, IdScheme, ImporterProfile, Period, SchemeTarget,
    Uid,
};

use super::categories::CategoryCache;
use super::dates::parse_date;
use super::groups::{Scope, ScopeElement};
use super::messages::{java_map, render_input, Arg, Problem};
use super::values::{Entry, Spot, Values, NONE};
use super::Run;
use crate::codes::*;
use crate::schemes::object_kind;
use crate::Failure;

/// Why decoding stopped the import.
#[derive(Debug)]
pub(super) enum Stop {
    /// A DHIS2 `BadRequestException`/`ConflictException`: a summary with `indexes` `[-1]`.
    Conflict(Problem),
    /// Anything else: the import fails ("The import process failed: …").
    Fail(Failure),
}

/// The group-level fields after decoding.
pub(super) struct GroupHeader {
    pub(super) data_set: Option<Uid>,
    pub(super) period: Option<Period>,
    pub(super) org_unit: Option<String>,
    pub(super) attribute_option_combo: Option<String>,
    pub(super) completion: Option<NaiveDate>,
}

/// What an identifier decoded to.
pub(super) enum Decoded {
    Found(Uid),
    /// Not found under a non-UID scheme.
    NotFound,
    /// Not a UID (under the UID scheme).
    Invalid,
}

/// Whether identifiers under `scheme` are looked up (anything but `UID` and `ID`, which is the
/// UID on 2.43+).
pub(super) fn uses_lookup(scheme: &IdScheme) -> bool {
    !matches!(scheme, IdScheme::Uid | IdScheme::Id)
}

impl<'m> Run<'_, 'm> {
    /// Decodes one identifier under the effective scheme of `target`.
    pub(super) fn decode_id(&self, target: SchemeTarget, raw: &str) -> Result<Decoded, Stop> {
        let scheme = self.settings.schemes.effective(target);
        if !uses_lookup(scheme) {
            return Ok(match Uid::parse(raw) {
                Ok(uid) => Decoded::Found(uid),
                Err(_) => Decoded::Invalid,
            });
        }
        match self.resolver.resolve(object_kind(target), scheme, raw) {
            Ok(Some(uid)) => Ok(Decoded::Found(uid)),
            Ok(None) => Ok(Decoded::NotFound),
            Err(e) => Err(Stop::Fail(e.into())),
        }
    }

    pub(super) fn decode_group(
        &self,
        header: &DataValueSetHeader,
        cache: &mut CategoryCache,
    ) -> Result<GroupHeader, Stop> {
        let period = match header.period.as_deref().filter(|p| !p.is_empty()) {
            Some(p) => Some(parse_period(p)?),
            None => None,
        };
        let data_set = match header.data_set.as_deref() {
            Some(raw) => match self.decode_id(SchemeTarget::DataSet, raw)? {
                Decoded::Found(uid) => Some(uid),
                Decoded::NotFound => {
                    return Err(Stop::Conflict(Problem::new(E8005, vec![Arg::text(raw)])))
                }
                Decoded::Invalid => {
                    return Err(Stop::Conflict(Problem::new(E8004, vec![Arg::text(raw)])))
                }
            },
            None => None,
        };
        let completion = match header.complete_date.as_deref().filter(|d| !d.is_empty()) {
            Some(raw) => match parse_date(raw) {
                Some(date) => Some(date),
                None => return Err(Stop::Conflict(Problem::new(E8008, vec![Arg::text(raw)]))),
            },
            None => None,
        };
        // The object form of `attributeOptionCombo`: category → option, decoded through the data
        // set's category combo; no match silently leaves the group without an AOC.
        let mut attribute_option_combo = header.attribute_option_combo.clone();
        let options = header
            .attribute_option_combo_options
            .as_deref()
            .filter(|o| !o.is_empty());
        if let (None, Some(options)) = (&attribute_option_combo, options) {
            let pairs = || options.iter().map(|(c, o)| (c.as_str(), o.as_deref()));
            let Some(ds) = data_set else {
                return Err(Stop::Conflict(Problem::new(
                    E8101,
                    vec![Arg::text("*"), Arg::text(java_map(pairs()))],
                )));
            };
            let found = self.data_set_combo(&ds).and_then(|cc| {
                let option_of = |category: &str| {
                    options
                        .iter()
                        .find(|(c, _)| c == category)
                        .and_then(|(_, o)| o.as_deref())
                };
                self.combo_key(cc, cache).find(option_of)
            });
            attribute_option_combo = found.map(|uid| uid.as_str().to_owned());
        }
        if completion.is_some()
            && (header.data_set.is_none() || header.org_unit.is_none() || period.is_none())
        {
            return Err(Stop::Conflict(Problem::new(E8009, Vec::new())));
        }
        Ok(GroupHeader {
            data_set,
            period,
            org_unit: header.org_unit.clone(),
            attribute_option_combo,
            completion,
        })
    }

    /// The `deletion` scope (`decodeGroup`, after the values): `E8034` for an identifier not
    /// found under its scheme, `E8035` for one that is not a UID; a bad period fails the import.
    pub(super) fn decode_scope(&self, deletion: &DeletionScope) -> Result<Scope, Stop> {
        let id = |target, raw: &str| -> Result<Uid, Stop> {
            match self.decode_id(target, raw)? {
                Decoded::Found(uid) => Ok(uid),
                Decoded::NotFound => Err(Stop::Conflict(Problem::new(E8034, vec![Arg::text(raw)]))),
                Decoded::Invalid => Err(Stop::Conflict(Problem::new(E8035, vec![Arg::text(raw)]))),
            }
        };
        let org_units = deletion
            .org_units
            .iter()
            .map(|ou| id(SchemeTarget::OrgUnit, ou))
            .collect::<Result<Vec<_>, _>>()?;
        let periods = deletion
            .periods
            .iter()
            .map(|p| parse_period(p))
            .collect::<Result<Vec<_>, _>>()?;
        let mut elements = Vec::with_capacity(deletion.elements.len());
        for e in &deletion.elements {
            let Some(de_raw) = e.data_element.as_deref() else {
                // DHIS2 keeps a `null` data element and fails later (NullPointerException).
                return Err(Stop::Fail(Failure::rule(
                    "a deletion scope element has no data element",
                )));
            };
            let de = id(SchemeTarget::DataElement, de_raw)?;
            let coc = e
                .category_option_combo
                .as_deref()
                .map(|raw| id(SchemeTarget::CategoryOptionCombo, raw))
                .transpose()?;
            let aoc = e
                .attribute_option_combo
                .as_deref()
                .map(|raw| id(SchemeTarget::AttributeOptionCombo, raw))
                .transpose()?;
            elements.push(ScopeElement { de, coc, aoc });
        }
        Ok(Scope {
            org_units,
            periods,
            elements,
        })
    }

    /// `decodeGroup`'s loop body for one value, which starts at `spot` in the source.
    pub(super) fn decode_value(
        &self,
        group: &GroupHeader,
        dv: &DataValue,
        index: i64,
        spot: Spot,
        values: &mut Values,
        cache: &mut CategoryCache,
    ) -> Result<(), Stop> {
        let at = Arg::Int(index);
        let input = || Arg::text(render_input(dv));
        let conflict =
            |code, arg: Arg| Stop::Conflict(Problem::new(code, vec![Arg::Int(index), arg]));
        // PE
        let period = match dv.period() {
            Some("") => None,
            Some(p) => Some(parse_period(p)?),
            None => group.period,
        };
        let Some(period) = period else {
            return Err(Stop::Conflict(Problem::new(E8100, vec![at, input()])));
        };
        // DE
        let Some(de_raw) = dv.data_element() else {
            return Err(Stop::Conflict(Problem::new(E8102, vec![at, input()])));
        };
        let de = match self.decode_id(SchemeTarget::DataElement, de_raw)? {
            Decoded::Found(uid) => uid,
            Decoded::NotFound => return Err(conflict(E8103, Arg::text(de_raw))),
            Decoded::Invalid => return Err(conflict(E8104, Arg::text(de_raw))),
        };
        // OU
        let Some(ou_raw) = dv.org_unit().or(group.org_unit.as_deref()) else {
            return Err(Stop::Conflict(Problem::new(E8105, vec![at, input()])));
        };
        let ou = match self.decode_id(SchemeTarget::OrgUnit, ou_raw)? {
            Decoded::Found(uid) => uid,
            Decoded::NotFound => return Err(conflict(E8107, Arg::text(ou_raw))),
            Decoded::Invalid => return Err(conflict(E8106, Arg::text(ou_raw))),
        };
        // COC: the identifier, else the category options (decoded through the data set)
        let coc_raw = dv.category_option_combo().filter(|c| !c.is_empty());
        let coc = match coc_raw {
            None if dv.has_category_options() => {
                let Some(ds) = group.data_set else {
                    return Err(conflict(E8101, Arg::text(java_map(dv.category_options()))));
                };
                Some(self.coc_from_options(ds, de, de_raw, dv, index, cache)?)
            }
            Some(raw) => match self.decode_id(SchemeTarget::CategoryOptionCombo, raw)? {
                Decoded::Found(uid) => Some(uid),
                Decoded::NotFound => return Err(conflict(E8108, Arg::text(raw))),
                Decoded::Invalid => return Err(conflict(E8109, Arg::text(raw))),
            },
            None => None,
        };
        // AOC: the value's, else the group's, else from `attributeCombo` + `attributeOptions`
        // (the combo found is then decoded with the AOC scheme, as DHIS2 does)
        let mut aoc_raw = dv
            .attribute_option_combo()
            .filter(|a| !a.is_empty())
            .or(group.attribute_option_combo.as_deref());
        let from_options = match (aoc_raw, dv.attribute_combo()) {
            (None, Some(combo)) => Some(self.aoc_from_attribute_options(combo, dv, index)?),
            _ => None,
        };
        if let Some(found) = &from_options {
            aoc_raw = Some(found.as_str());
        }
        let aoc = match aoc_raw {
            Some(raw) => match self.decode_id(SchemeTarget::AttributeOptionCombo, raw)? {
                Decoded::Found(uid) => Some(uid),
                Decoded::NotFound => return Err(conflict(E8110, Arg::text(raw))),
                Decoded::Invalid => return Err(conflict(E8111, Arg::text(raw))),
            },
            None => None,
        };
        let entry = Entry {
            de: values.ids.intern(de)?,
            ou: values.ids.intern(ou)?,
            coc: coc
                .map(|c| values.ids.intern(c))
                .transpose()?
                .unwrap_or(NONE),
            aoc: aoc
                .map(|a| values.ids.intern(a))
                .transpose()?
                .unwrap_or(NONE),
            period,
            value: values.push_text(dv.value()),
            comment: values.push_text(dv.comment()),
            followup: dv.followup(),
            deleted: dv.deleted(),
            spot,
        };
        values.entries.push(entry);
        Ok(())
    }
}

pub(super) fn parse_period(raw: &str) -> Result<Period, Stop> {
    Period::parse_with(raw, ImporterProfile::Pipeline).map_err(|e| Stop::Fail(e.into()))
}
