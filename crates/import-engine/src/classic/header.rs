//! The data value set's own fields in the classic importer: the attribute option combo named
//! by `attributeCategoryOptions` (JSON only; `E1111`, `E2041`) and the completion of the data
//! set (`completeDate` `yyyy-MM-dd`, `true` or `false`; a date in the future is today).

use chrono::NaiveDate;
use dxf2_model::metadata::DataSet;
use dxf2_model::{DataValueSetHeader, ObjectKind};
use idscheme_resolver::Resolver;

use super::resolve::Combo;
use super::{trimmed, Effective, SetLevel};
use crate::batch::Batched;
use crate::codes::*;
use crate::conflicts::{format_message, ConflictCollector};
use crate::store::Completion;
use crate::{Failure, Importer};

impl<'m> Importer<'m> {
    /// The AOC named by `attributeCategoryOptions` (DHIS2's `InputUtils.getAttributeOptionCombo`):
    /// each option resolved with the general id scheme (an unknown one fails the import with
    /// `E1111`), then the option combos of the data set's category combo that contain every
    /// given option; exactly one must match, else the import fails with `E2041`. An empty list
    /// matches every combo, so it works only for a category combo with a single combo.
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

    /// Data set completion (DHIS2's `DefaultDataValueSetService.getCompletionDate`). Returns
    /// `dataSetComplete`.
    ///
    /// `completeDate` blank or `false` (any case): no completion, `"false"`; `true` (any case):
    /// today; otherwise strictly `yyyy-MM-dd` (anything else fails the whole import), a future
    /// date becoming today. Without a resolved data set: `"false"`. A missing set-level org unit,
    /// then a missing set-level period, adds the legacy conflict "Must be provided to complete
    /// data set" and leaves `dataSetComplete` absent. The registration is keyed by data set,
    /// period, org unit and the set-level AOC (else the default combo), and is not written in
    /// a dry run.
    pub(super) fn complete(
        &self,
        header: &DataValueSetHeader,
        set: &SetLevel<'m>,
        eff: &Effective,
        store: &mut Batched<'_>,
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
