//! The import summary (`ImportSummary`) DHIS2 answers an import with.

use std::fmt;
use std::str::FromStr;

use crate::{IdScheme, IdSchemes, ImportOptions, ImporterProfile, ModelError, SchemeTarget};

/// `ImportStatus`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum ImportStatus {
    /// No conflicts.
    #[default]
    Success,
    /// Conflicts, but the import completed.
    Warning,
    /// The import was aborted or failed.
    Error,
}

impl ImportStatus {
    /// DHIS2's name (`SUCCESS`, `WARNING`, `ERROR`).
    pub fn name(self) -> &'static str {
        match self {
            ImportStatus::Success => "SUCCESS",
            ImportStatus::Warning => "WARNING",
            ImportStatus::Error => "ERROR",
        }
    }
}

impl FromStr for ImportStatus {
    type Err = ModelError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "SUCCESS" | "OK" => Ok(ImportStatus::Success),
            "WARNING" => Ok(ImportStatus::Warning),
            "ERROR" => Ok(ImportStatus::Error),
            _ => Err(ModelError::InvalidStatus(s.to_owned())),
        }
    }
}

impl fmt::Display for ImportStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// `ImportCount`: how many values were imported, updated, ignored and deleted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct ImportCount {
    /// New values stored.
    pub imported: u64,
    /// Existing values changed.
    pub updated: u64,
    /// Values not stored (rejected, unchanged, or not applicable to the strategy).
    pub ignored: u64,
    /// Values (soft-)deleted.
    pub deleted: u64,
}

/// One grouped conflict (`ImportConflict`).
///
/// *Formal* conflicts have an error code and `objects`; *legacy* ones only `object` and `value`.
/// Conflicts with the same code and the same object values are merged by the importer, whose
/// `indexes` then list every affected value.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct ImportConflict {
    /// The first value of `objects` (or the legacy object name).
    pub object: Option<String>,
    /// Ordered `(key, value)` pairs, e.g. `("dataElement", "f7n9E0hX8qk")`; values can be null.
    pub objects: Vec<(String, Option<String>)>,
    /// The formatted message.
    pub value: String,
    /// The error code (`E7610`, …), absent on legacy conflicts.
    pub error_code: Option<String>,
    /// The property the conflict is about (`dataElement`, `period`, …).
    pub property: Option<String>,
    /// Indexes of the affected values (absent for set-level conflicts).
    pub indexes: Option<Vec<i64>>,
}

/// `ImportSummary`: the outcome of a data value set import.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct ImportSummary {
    /// `status`.
    pub status: ImportStatus,
    /// `importOptions`: the echo of the request options (absent when not known).
    pub import_options: Option<ImportOptions>,
    /// `description`.
    pub description: Option<String>,
    /// `importCount`.
    pub import_count: ImportCount,
    /// `conflicts`, grouped.
    pub conflicts: Vec<ImportConflict>,
    /// `rejectedIndexes`.
    pub rejected_indexes: Vec<i64>,
    /// `dataSetComplete`: `"false"` or a `yyyy-MM-dd` date; absent in some outcomes.
    pub data_set_complete: Option<String>,
    /// Which importer generation produced the summary (our addition; not in DHIS2's document).
    pub profile: Option<ImporterProfile>,
}

impl ImportSummary {
    /// Total number of conflict occurrences (one per index, at least one per conflict).
    pub fn conflict_occurrences(&self) -> usize {
        self.conflicts
            .iter()
            .map(|c| c.indexes.as_ref().map_or(1, |i| i.len().max(1)))
            .sum()
    }
}

/// The value of one member of the `importOptions` echo ([`ImportOptions::echo_members`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EchoValue<'a> {
    /// `true` or `false`.
    Bool(bool),
    /// A text: an enum name (`NEW_AND_UPDATES`, `REPLACE`) or an identifier (`dataSet`).
    Text(&'a str),
}

/// The `importOptions` echo of an import summary (DHIS2's web controller puts the request's
/// `ImportOptions` there), the same in every format: which members DHIS2 writes, in which
/// order, and which ones read back.
impl ImportOptions {
    /// The members of the echo after `idSchemes` ([`IdSchemes::echo_slots`]), in DHIS2's order:
    /// every option DHIS2's `ImportOptions` serialises, the ones the data value import does not
    /// use with DHIS2's defaults (`mergeMode` `REPLACE`, `sharing` false, …). Absent members are
    /// left out: `preheatCache` when unset, `dataSet` when `None`, and `atomic` (2.43+, our
    /// addition to the classic document) unless true. [`ImportOptions::profile`] is not a
    /// member: a format that echoes it adds it itself.
    ///
    /// ```
    /// use dxf2_model::{EchoValue, ImportOptions};
    ///
    /// let options = ImportOptions { dry_run: true, ..ImportOptions::default() };
    /// let members: Vec<_> = options.echo_members().collect();
    /// assert_eq!(members[0], ("dryRun", EchoValue::Bool(true)));
    /// assert_eq!(members[2], ("importStrategy", EchoValue::Text("NEW_AND_UPDATES")));
    /// assert_eq!(members.last(), Some(&("skipCache", EchoValue::Bool(false))));
    /// ```
    pub fn echo_members(&self) -> impl Iterator<Item = (&'static str, EchoValue<'_>)> + '_ {
        use EchoValue::{Bool, Text};
        [
            Some(("dryRun", Bool(self.dry_run))),
            self.preheat_cache.map(|p| ("preheatCache", Bool(p))),
            Some(("async", Bool(self.async_import))),
            Some(("importStrategy", Text(self.strategy.name()))),
            Some(("mergeMode", Text("REPLACE"))),
            Some(("reportMode", Text("FULL"))),
            Some(("skipExistingCheck", Bool(self.skip_existing_check))),
            Some(("sharing", Bool(false))),
            Some(("skipNotifications", Bool(false))),
            Some(("skipAudit", Bool(self.skip_audit))),
            Some(("datasetAllowsPeriods", Bool(false))),
            Some(("strictPeriods", Bool(self.strict_periods))),
            Some(("strictDataElements", Bool(self.strict_data_elements))),
            Some((
                "strictCategoryOptionCombos",
                Bool(self.strict_category_option_combos),
            )),
            Some((
                "strictAttributeOptionCombos",
                Bool(self.strict_attribute_option_combos),
            )),
            Some((
                "strictOrganisationUnits",
                Bool(self.strict_organisation_units),
            )),
            Some(("strictDataSetApproval", Bool(self.strict_data_set_approval))),
            Some(("strictDataSetLocking", Bool(self.strict_data_set_locking))),
            Some((
                "strictDataSetInputPeriods",
                Bool(self.strict_data_set_input_periods),
            )),
            Some((
                "requireCategoryOptionCombo",
                Bool(self.require_category_option_combo),
            )),
            Some((
                "requireAttributeOptionCombo",
                Bool(self.require_attribute_option_combo),
            )),
            Some(("skipPatternValidation", Bool(false))),
            Some(("ignoreEmptyCollection", Bool(false))),
            Some(("force", Bool(self.force))),
            Some(("firstRowIsHeader", Bool(self.first_row_is_header))),
            Some(("skipLastUpdated", Bool(false))),
            Some(("mergeDataValues", Bool(false))),
            Some(("skipCache", Bool(false))),
            self.data_set.as_deref().map(|d| ("dataSet", Text(d))),
            self.atomic.then_some(("atomic", Bool(true))),
        ]
        .into_iter()
        .flatten()
    }

    /// The boolean option an echo member named `name` reads back into (`dryRun`, `async`,
    /// `skipExistingCheck`, `skipAudit`, the `strict…` and `require…` members, `force`,
    /// `firstRowIsHeader`, `atomic`); `None` for any other name, including the constant members
    /// and `preheatCache` (an `Option`).
    ///
    /// ```
    /// use dxf2_model::ImportOptions;
    ///
    /// let mut options = ImportOptions::default();
    /// if let Some(flag) = options.echo_flag_mut("strictPeriods") {
    ///     *flag = true;
    /// }
    /// assert!(options.strict_periods);
    /// assert!(options.echo_flag_mut("sharing").is_none());
    /// ```
    pub fn echo_flag_mut(&mut self, name: &str) -> Option<&mut bool> {
        Some(match name {
            "dryRun" => &mut self.dry_run,
            "async" => &mut self.async_import,
            "skipExistingCheck" => &mut self.skip_existing_check,
            "skipAudit" => &mut self.skip_audit,
            "strictPeriods" => &mut self.strict_periods,
            "strictDataElements" => &mut self.strict_data_elements,
            "strictCategoryOptionCombos" => &mut self.strict_category_option_combos,
            "strictAttributeOptionCombos" => &mut self.strict_attribute_option_combos,
            "strictOrganisationUnits" => &mut self.strict_organisation_units,
            "strictDataSetApproval" => &mut self.strict_data_set_approval,
            "strictDataSetLocking" => &mut self.strict_data_set_locking,
            "strictDataSetInputPeriods" => &mut self.strict_data_set_input_periods,
            "requireCategoryOptionCombo" => &mut self.require_category_option_combo,
            "requireAttributeOptionCombo" => &mut self.require_attribute_option_combo,
            "force" => &mut self.force,
            "firstRowIsHeader" => &mut self.first_row_is_header,
            "atomic" => &mut self.atomic,
            _ => return None,
        })
    }
}

/// The `idSchemes` member of the `importOptions` echo.
impl IdSchemes {
    /// Every slot with its name in the echo, in DHIS2's order: `idScheme` (the general
    /// scheme), then each [`SchemeTarget::parameter_name`] (`dataElementIdScheme`, …). Unset
    /// slots are `None` (the echo leaves them out).
    pub fn echo_slots(&self) -> [(&'static str, Option<&IdScheme>); 8] {
        let mut slots = [("idScheme", self.id_scheme.as_ref()); 8];
        for (slot, target) in slots.iter_mut().skip(1).zip(SchemeTarget::ALL) {
            *slot = (target.parameter_name(), self.specific(target));
        }
        slots
    }

    /// The slot named `name` in the echo (`idScheme`, `dataElementIdScheme`, …), for reading it
    /// back; `None` for any other name.
    ///
    /// ```
    /// use dxf2_model::{IdScheme, IdSchemes};
    ///
    /// let mut schemes = IdSchemes::default();
    /// if let Some(slot) = schemes.echo_slot_mut("orgUnitIdScheme") {
    ///     *slot = Some(IdScheme::Code);
    /// }
    /// assert_eq!(schemes.org_unit, Some(IdScheme::Code));
    /// assert_eq!(schemes.echo_slots()[0], ("idScheme", None));
    /// ```
    pub fn echo_slot_mut(&mut self, name: &str) -> Option<&mut Option<IdScheme>> {
        if name == "idScheme" {
            return Some(&mut self.id_scheme);
        }
        let target = SchemeTarget::ALL
            .into_iter()
            .find(|t| t.parameter_name() == name)?;
        Some(self.specific_mut(target))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn echo_flags_read_back() {
        let all = ImportOptions {
            dry_run: true,
            async_import: true,
            skip_existing_check: true,
            skip_audit: true,
            strict_periods: true,
            strict_data_elements: true,
            strict_category_option_combos: true,
            strict_attribute_option_combos: true,
            strict_organisation_units: true,
            strict_data_set_approval: true,
            strict_data_set_locking: true,
            strict_data_set_input_periods: true,
            require_category_option_combo: true,
            require_attribute_option_combo: true,
            force: true,
            first_row_is_header: false,
            atomic: true,
            ..ImportOptions::default()
        };
        let mut back = ImportOptions::default();
        for (name, value) in all.echo_members() {
            if let (Some(flag), EchoValue::Bool(b)) = (back.echo_flag_mut(name), value) {
                *flag = b;
            }
        }
        assert_eq!(back, all);
        assert_eq!(ImportOptions::default().echo_members().count(), 27);
        let with_set = ImportOptions {
            data_set: Some("pBOMPrpg1QX".into()),
            preheat_cache: Some(false),
            ..ImportOptions::default()
        };
        let members: Vec<_> = with_set.echo_members().collect();
        assert_eq!(
            members.get(1),
            Some(&("preheatCache", EchoValue::Bool(false)))
        );
        assert_eq!(
            members.last(),
            Some(&("dataSet", EchoValue::Text("pBOMPrpg1QX")))
        );
    }

    #[test]
    fn echo_slots_name_every_scheme() {
        let mut schemes = IdSchemes::default();
        for (name, _) in IdSchemes::default().echo_slots() {
            if let Some(slot) = schemes.echo_slot_mut(name) {
                *slot = Some(IdScheme::Code);
            }
        }
        assert!(schemes
            .echo_slots()
            .iter()
            .all(|(_, s)| s == &Some(&IdScheme::Code)));
        assert_eq!(schemes.echo_slots()[1].0, "dataElementIdScheme");
        assert!(schemes.echo_slot_mut("dataElement").is_none());
    }
}
