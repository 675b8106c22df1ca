//! The data value set header: set-level defaults, id schemes and flags.

use crate::{DataValue, Field, IdScheme, IdSchemes, ImportStrategy, ModelError, SchemeTarget};

/// The set-level part of a data value set, kept as written in the payload.
///
/// Identifiers and scheme names are raw text: their meaning depends on the id schemes, and a bad
/// scheme or strategy name fails an import (not the reading of the file), exactly as in DHIS2.
/// The parsing helpers ([`DataValueSetHeader::id_schemes`], [`DataValueSetHeader::strategy`])
/// turn them into model types.
///
/// Which keys a reader fills differs between formats (XML `importStrategy` and JSON `strategy`
/// both land in [`DataValueSetHeader::strategy`]); CSV has no header.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DataValueSetHeader {
    /// `dataSet`.
    pub data_set: Option<String>,
    /// `completeDate`: `yyyy-MM-dd`, `true` or `false` in the classic importer.
    pub complete_date: Option<String>,
    /// `period`: default period for every value.
    pub period: Option<String>,
    /// `orgUnit`: default org unit for every value.
    pub org_unit: Option<String>,
    /// `attributeOptionCombo`: default attribute option combo for every value.
    pub attribute_option_combo: Option<String>,
    /// `attributeCategoryOptions` (JSON only): category options naming the attribute option combo.
    pub attribute_category_options: Option<Vec<String>>,
    /// The object form of `attributeOptionCombo` (JSON, read by 2.43+ only): category → category
    /// option pairs naming the attribute option combo through the data set's category combo, in
    /// document order with distinct categories (an option is `None` when the JSON says `null`).
    pub attribute_option_combo_options: Option<Vec<(String, Option<String>)>>,
    /// `deletion` (JSON, read by 2.43+ only): the scope of stored values to delete before the
    /// values are written.
    pub deletion: Option<DeletionScope>,
    /// `idScheme`.
    pub id_scheme: Option<String>,
    /// `dataElementIdScheme`.
    pub data_element_id_scheme: Option<String>,
    /// `orgUnitIdScheme`.
    pub org_unit_id_scheme: Option<String>,
    /// `categoryOptionComboIdScheme`.
    pub category_option_combo_id_scheme: Option<String>,
    /// `dataSetIdScheme`.
    pub data_set_id_scheme: Option<String>,
    /// `attributeOptionComboIdScheme` (read by 2.43+ only).
    pub attribute_option_combo_id_scheme: Option<String>,
    /// `categoryIdScheme` (read by 2.43+ only).
    pub category_id_scheme: Option<String>,
    /// `categoryOptionIdScheme` (read by 2.43+ only).
    pub category_option_id_scheme: Option<String>,
    /// `dryRun`, when the payload says it.
    pub dry_run: Option<bool>,
    /// XML `importStrategy` / JSON `strategy`, as written.
    pub strategy: Option<String>,
}

/// The 2.43+ JSON `deletion` object: the stored values of every listed org unit, period and
/// element are deleted, as written in the payload (identifiers follow the id schemes).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DeletionScope {
    /// `orgUnits`.
    pub org_units: Vec<String>,
    /// `periods` (ISO periods).
    pub periods: Vec<String>,
    /// `elements`.
    pub elements: Vec<DeletionElement>,
}

/// One entry of [`DeletionScope::elements`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DeletionElement {
    /// `dataElement`.
    pub data_element: Option<String>,
    /// `categoryOptionCombo` (absent: every category option combo).
    pub category_option_combo: Option<String>,
    /// `attributeOptionCombo` (absent: every attribute option combo).
    pub attribute_option_combo: Option<String>,
}

impl DataValueSetHeader {
    /// Whether no header field is set.
    pub fn is_empty(&self) -> bool {
        *self == DataValueSetHeader::default()
    }

    /// The raw scheme text of the general scheme and of each target, in one place.
    pub fn raw_scheme(&self, target: Option<SchemeTarget>) -> Option<&str> {
        let slot = match target {
            None => &self.id_scheme,
            Some(SchemeTarget::DataElement) => &self.data_element_id_scheme,
            Some(SchemeTarget::OrgUnit) => &self.org_unit_id_scheme,
            Some(SchemeTarget::CategoryOptionCombo) => &self.category_option_combo_id_scheme,
            Some(SchemeTarget::AttributeOptionCombo) => &self.attribute_option_combo_id_scheme,
            Some(SchemeTarget::DataSet) => &self.data_set_id_scheme,
            Some(SchemeTarget::Category) => &self.category_id_scheme,
            Some(SchemeTarget::CategoryOption) => &self.category_option_id_scheme,
        };
        slot.as_deref()
    }

    /// Parses the payload's id schemes. `attributeOptionComboIdScheme`, `categoryIdScheme` and
    /// `categoryOptionIdScheme` are only included when `include_pipeline_only` (2.43+ reads them).
    pub fn id_schemes(&self, include_pipeline_only: bool) -> Result<IdSchemes, ModelError> {
        let parse = |s: Option<&str>| s.map(IdScheme::parse).transpose();
        let mut schemes = IdSchemes {
            id_scheme: parse(self.raw_scheme(None))?,
            ..IdSchemes::default()
        };
        for target in SchemeTarget::ALL {
            let pipeline_only = matches!(
                target,
                SchemeTarget::AttributeOptionCombo
                    | SchemeTarget::Category
                    | SchemeTarget::CategoryOption
            );
            if pipeline_only && !include_pipeline_only {
                continue;
            }
            *schemes.specific_mut(target) = parse(self.raw_scheme(Some(target)))?;
        }
        Ok(schemes)
    }

    /// Parses the payload strategy exactly as DHIS2 does for payloads (upper-case names only).
    pub fn strategy(&self) -> Result<Option<ImportStrategy>, ModelError> {
        self.strategy
            .as_deref()
            .map(ImportStrategy::parse_exact)
            .transpose()
    }

    /// Fills a value's absent `period`, `orgUnit` and `attributeOptionCombo` from this header.
    ///
    /// Used when a set is written to a format without a header (CSV), so that nothing is lost.
    /// Import semantics differ (the classic importer lets a resolved header field override the
    /// value's own); that is the import engine's business, not this helper's.
    pub fn apply_defaults(&self, value: &mut DataValue) {
        value.fill_absent_from(Field::Period, self.period.as_deref());
        value.fill_absent_from(Field::OrgUnit, self.org_unit.as_deref());
        value.fill_absent_from(
            Field::AttributeOptionCombo,
            self.attribute_option_combo.as_deref(),
        );
    }
}
