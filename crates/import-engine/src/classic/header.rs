//! The data value set's own fields in the classic importer: the attribute option combo named
//! by `attributeCategoryOptions` (§3.6, `E1111`, `E2041`) and the completion of the data set
//! (§5.6: `completeDate` `yyyy-MM-dd`, `true` or `false`; a date in the future is today).

use chrono::NaiveDate;
use dxf2_model::metadata::DataSet;
use dxf2_model::{DataValueSetHeader, ObjectKind};
use idscheme_resolver::Resolver;

use super::resolve::Combo;
use super::{trimmed, Effective, SetLevel};
use crate::codes::*;
use crate::conflicts::{format_message, ConflictCollector};
use crate::store::{Completion, DataValueStore};
use crate::{Failure, Importer};

impl<'m> Importer<'m> {
    /// §3.6: the AOC from `attributeCategoryOptions` and the data set's category combo.
    pub(super) fn aoc_from_category_options(
        &self,
        resolver: &dyn Resolver,
        eff: &Effective,
        ds: &'m DataSet,
        keys: &[String],
    ) -> Result<Combo<'m>, Failure> {
        let mut options = Vec::with_capacity(keys.len());
        for key in keys {
            let uid = self.resolve_uid(
                resolver,
                ObjectKind::CategoryOption,
                eff.schemes.general(),
                key.trim(),
            )?;
            match uid {
                Some(u) => options.push(u),
                None => return Err(Failure::rule(format_message(E1111.template, &[Some(key)]))),
            }
        }
        let mut found = None;
        let mut matches = 0;
        for coc in self.index.metadata.category_option_combos() {
            if coc.category_combo == ds.category_combo
                && options.iter().all(|o| coc.options.contains(o))
            {
                matches += 1;
                found = Some(coc);
            }
        }
        match (matches, found) {
            (1, Some(coc)) => Ok(self.combo(coc)),
            _ => Err(Failure::rule(E2041.template)),
        }
    }

    /// §5.6: data set completion. Returns `dataSetComplete`.
    pub(super) fn complete(
        &self,
        header: &DataValueSetHeader,
        set: &SetLevel<'m>,
        eff: &Effective,
        store: &mut dyn DataValueStore,
        conflicts: &mut ConflictCollector,
    ) -> Result<Option<String>, Failure> {
        let today = self.now.date_naive();
        let raw = trimmed(header.complete_date.as_deref());
        let date = match raw {
            None => None,
            Some(s) if s.eq_ignore_ascii_case("false") => None,
            Some(s) if s.eq_ignore_ascii_case("true") => Some(today),
            Some(s) => match NaiveDate::parse_from_str(s, "%Y-%m-%d") {
                Ok(d) if s.len() == 10 => Some(d.min(today)),
                _ => {
                    return Err(Failure::rule(format!(
                        "Text '{s}' could not be parsed at index 0 (completeDate must be yyyy-MM-dd, true or false)"
                    )))
                }
            },
        };
        let (Some(ds), Some(date)) = (set.data_set, date) else {
            return Ok(Some("false".into()));
        };
        let Some(ou) = set.org_unit else {
            conflicts.add_legacy("OrganisationUnit", "Must be provided to complete data set");
            return Ok(None);
        };
        let Some(period) = set.period else {
            conflicts.add_legacy("Period", "Must be provided to complete data set");
            return Ok(None);
        };
        let aoc = set.aoc.map(|c| c.coc.id.uid).or(self.index.default_coc);
        let Some(aoc) = aoc else {
            return Ok(Some(date.to_string()));
        };
        if !eff.dry_run {
            let completion = Completion {
                data_set: ds.id.uid,
                period,
                org_unit: ou.id.uid,
                attribute_option_combo: aoc,
                date,
                stored_by: self.access.username().to_owned(),
                last_updated: self.now,
                completed: true,
            };
            store.set_completion(&completion)?;
        }
        Ok(Some(date.format("%Y-%m-%d").to_string()))
    }
}
