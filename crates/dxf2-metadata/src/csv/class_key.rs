//! [`ClassKey`]: DHIS2's `CsvImportClass`, the `classKey` of a metadata CSV import.

use std::fmt;
use std::str::FromStr;

use super::CsvError;

/// One of DHIS2's metadata CSV classes (`CsvImportClass`, the `classKey` query parameter of
/// `POST /api/metadata`), in DHIS2's declaration order.
///
/// Parsed case-insensitively, as the CLI's `--class-key K` takes it (DHIS2 itself wants the
/// exact constant name):
///
/// ```
/// use dxf2_metadata::csv::ClassKey;
/// let key: ClassKey = "data_element".parse().unwrap();
/// assert_eq!(key, ClassKey::DataElement);
/// assert_eq!(key.to_string(), "DATA_ELEMENT");
/// assert!("DATA_ELEMENTS".parse::<ClassKey>().is_err());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ClassKey {
    /// `ORGANISATION_UNIT_GROUP_MEMBERSHIP`: group uid, org unit uid.
    OrganisationUnitGroupMembership,
    /// `DATA_ELEMENT_GROUP_MEMBERSHIP`: group uid, data element uid.
    DataElementGroupMembership,
    /// `INDICATOR_GROUP_MEMBERSHIP`: group uid, indicator uid.
    IndicatorGroupMembership,
    /// `DATA_ELEMENT`.
    DataElement,
    /// `DATA_ELEMENT_GROUP`.
    DataElementGroup,
    /// `CATEGORY_OPTION`.
    CategoryOption,
    /// `CATEGORY`.
    Category,
    /// `CATEGORY_COMBO`.
    CategoryCombo,
    /// `CATEGORY_OPTION_GROUP`.
    CategoryOptionGroup,
    /// `ORGANISATION_UNIT`.
    OrganisationUnit,
    /// `ORGANISATION_UNIT_GROUP`.
    OrganisationUnitGroup,
    /// `VALIDATION_RULE`.
    ValidationRule,
    /// `OPTION_SET`: option sets with their options, one option a row.
    OptionSet,
    /// `OPTION_GROUP`: option groups with their options, one option a row.
    OptionGroup,
    /// `OPTION_GROUP_SET`.
    OptionGroupSet,
    /// `OPTION_GROUP_SET_MEMBERSHIP`: option group set uid, option group uid.
    OptionGroupSetMembership,
    /// `INDICATOR` (DHIS2 2.40 and later).
    Indicator,
}

impl ClassKey {
    /// Every class, in DHIS2's declaration order (`GET /api/metadata/csvImportClasses`).
    pub const ALL: [ClassKey; 17] = [
        ClassKey::OrganisationUnitGroupMembership,
        ClassKey::DataElementGroupMembership,
        ClassKey::IndicatorGroupMembership,
        ClassKey::DataElement,
        ClassKey::DataElementGroup,
        ClassKey::CategoryOption,
        ClassKey::Category,
        ClassKey::CategoryCombo,
        ClassKey::CategoryOptionGroup,
        ClassKey::OrganisationUnit,
        ClassKey::OrganisationUnitGroup,
        ClassKey::ValidationRule,
        ClassKey::OptionSet,
        ClassKey::OptionGroup,
        ClassKey::OptionGroupSet,
        ClassKey::OptionGroupSetMembership,
        ClassKey::Indicator,
    ];

    /// DHIS2's constant name, e.g. `DATA_ELEMENT`.
    pub fn name(self) -> &'static str {
        match self {
            ClassKey::OrganisationUnitGroupMembership => "ORGANISATION_UNIT_GROUP_MEMBERSHIP",
            ClassKey::DataElementGroupMembership => "DATA_ELEMENT_GROUP_MEMBERSHIP",
            ClassKey::IndicatorGroupMembership => "INDICATOR_GROUP_MEMBERSHIP",
            ClassKey::DataElement => "DATA_ELEMENT",
            ClassKey::DataElementGroup => "DATA_ELEMENT_GROUP",
            ClassKey::CategoryOption => "CATEGORY_OPTION",
            ClassKey::Category => "CATEGORY",
            ClassKey::CategoryCombo => "CATEGORY_COMBO",
            ClassKey::CategoryOptionGroup => "CATEGORY_OPTION_GROUP",
            ClassKey::OrganisationUnit => "ORGANISATION_UNIT",
            ClassKey::OrganisationUnitGroup => "ORGANISATION_UNIT_GROUP",
            ClassKey::ValidationRule => "VALIDATION_RULE",
            ClassKey::OptionSet => "OPTION_SET",
            ClassKey::OptionGroup => "OPTION_GROUP",
            ClassKey::OptionGroupSet => "OPTION_GROUP_SET",
            ClassKey::OptionGroupSetMembership => "OPTION_GROUP_SET_MEMBERSHIP",
            ClassKey::Indicator => "INDICATOR",
        }
    }

    /// The collection keys of the document a file of this class reads into (`OPTION_SET` gives
    /// option sets and their options; every other class one collection).
    pub fn collection_keys(self) -> &'static [&'static str] {
        match self {
            ClassKey::DataElement => &["dataElements"],
            ClassKey::DataElementGroup | ClassKey::DataElementGroupMembership => {
                &["dataElementGroups"]
            }
            ClassKey::IndicatorGroupMembership => &["indicatorGroups"],
            ClassKey::CategoryOption => &["categoryOptions"],
            ClassKey::Category => &["categories"],
            ClassKey::CategoryCombo => &["categoryCombos"],
            ClassKey::CategoryOptionGroup => &["categoryOptionGroups"],
            ClassKey::OrganisationUnit => &["organisationUnits"],
            ClassKey::OrganisationUnitGroup | ClassKey::OrganisationUnitGroupMembership => {
                &["organisationUnitGroups"]
            }
            ClassKey::ValidationRule => &["validationRules"],
            ClassKey::OptionSet => &["optionSets", "options"],
            ClassKey::OptionGroup => &["optionGroups"],
            ClassKey::OptionGroupSet | ClassKey::OptionGroupSetMembership => &["optionGroupSets"],
            ClassKey::Indicator => &["indicators"],
        }
    }

    /// The first DHIS2 2.x minor version that has this class (`INDICATOR` came in 2.40; the
    /// others are older than 2.36).
    pub fn since_minor_version(self) -> u32 {
        match self {
            ClassKey::Indicator => 40,
            _ => 36,
        }
    }
}

impl fmt::Display for ClassKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for ClassKey {
    type Err = CsvError;

    /// DHIS2's constant name in any case; surrounding whitespace is ignored.
    fn from_str(text: &str) -> Result<ClassKey, CsvError> {
        let wanted = text.trim();
        ClassKey::ALL
            .into_iter()
            .find(|key| key.name().eq_ignore_ascii_case(wanted))
            .ok_or_else(|| CsvError::UnknownClassKey(text.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_in_any_case() {
        for key in ClassKey::ALL {
            assert_eq!(key.name().parse::<ClassKey>().ok(), Some(key));
            assert_eq!(
                key.name().to_lowercase().parse::<ClassKey>().ok(),
                Some(key)
            );
            assert!(!key.collection_keys().is_empty());
        }
        assert_eq!(
            " option_group_set ".parse::<ClassKey>().ok(),
            Some(ClassKey::OptionGroupSet)
        );
    }

    #[test]
    fn unknown_key_names_dhis2s_message() {
        let err = "ORG_UNIT".parse::<ClassKey>().err().map(|e| e.to_string());
        let text = err.unwrap_or_default();
        assert!(
            text.contains("Cannot find Csv import class:  ORG_UNIT"),
            "{text}"
        );
        assert!(text.contains("ORGANISATION_UNIT"), "{text}");
    }
}
