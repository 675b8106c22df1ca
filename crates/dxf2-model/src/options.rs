//! Import options (`ImportOptions`), strategies and the importer generation (profile).

use std::fmt;
use std::str::FromStr;

use crate::{IdScheme, IdSchemes, ModelError};

/// `ImportStrategy`, with DHIS2's legacy aliases kept as distinct values (DHIS2 echoes the name it
/// was given), grouped by [`ImportStrategy::group`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum ImportStrategy {
    /// `CREATE`.
    Create,
    /// `UPDATE`.
    Update,
    /// `CREATE_AND_UPDATE` (the web default).
    CreateAndUpdate,
    /// `DELETE`.
    Delete,
    /// `SYNC`: belongs to no group; every value is ignored by the classic importer.
    Sync,
    /// `NEW_AND_UPDATES` (legacy alias of create-and-update; the service default).
    #[default]
    NewAndUpdates,
    /// `NEW` (legacy alias of create).
    New,
    /// `UPDATES` (legacy alias of update).
    Updates,
    /// `DELETES` (legacy alias of delete).
    Deletes,
}

/// What a strategy does with data values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum StrategyGroup {
    /// Only new values are stored.
    Create,
    /// Only existing values are changed.
    Update,
    /// New values stored, existing ones changed.
    CreateAndUpdate,
    /// Existing values are (soft-)deleted.
    Delete,
    /// `SYNC`: no group.
    None,
}

impl ImportStrategy {
    /// Every strategy name.
    pub const ALL: [ImportStrategy; 9] = [
        ImportStrategy::Create,
        ImportStrategy::Update,
        ImportStrategy::CreateAndUpdate,
        ImportStrategy::Delete,
        ImportStrategy::Sync,
        ImportStrategy::NewAndUpdates,
        ImportStrategy::New,
        ImportStrategy::Updates,
        ImportStrategy::Deletes,
    ];

    /// DHIS2's enum name.
    pub fn name(self) -> &'static str {
        match self {
            ImportStrategy::Create => "CREATE",
            ImportStrategy::Update => "UPDATE",
            ImportStrategy::CreateAndUpdate => "CREATE_AND_UPDATE",
            ImportStrategy::Delete => "DELETE",
            ImportStrategy::Sync => "SYNC",
            ImportStrategy::NewAndUpdates => "NEW_AND_UPDATES",
            ImportStrategy::New => "NEW",
            ImportStrategy::Updates => "UPDATES",
            ImportStrategy::Deletes => "DELETES",
        }
    }

    /// The group of the strategy.
    pub fn group(self) -> StrategyGroup {
        match self {
            ImportStrategy::Create | ImportStrategy::New => StrategyGroup::Create,
            ImportStrategy::Update | ImportStrategy::Updates => StrategyGroup::Update,
            ImportStrategy::CreateAndUpdate | ImportStrategy::NewAndUpdates => {
                StrategyGroup::CreateAndUpdate
            }
            ImportStrategy::Delete | ImportStrategy::Deletes => StrategyGroup::Delete,
            ImportStrategy::Sync => StrategyGroup::None,
        }
    }

    /// Whether this is `DELETE` or `DELETES`.
    pub fn is_delete(self) -> bool {
        self.group() == StrategyGroup::Delete
    }

    /// Parses a payload strategy: the exact upper-case enum name (XML `importStrategy`, JSON
    /// `strategy`). Anything else fails the whole import in DHIS2.
    pub fn parse_exact(s: &str) -> Result<ImportStrategy, ModelError> {
        ImportStrategy::ALL
            .iter()
            .copied()
            .find(|st| st.name() == s)
            .ok_or_else(|| ModelError::InvalidStrategy(s.to_owned()))
    }

    /// Parses a request parameter: the enum name in any letter case (DHIS2's enum binding).
    pub fn parse_ignore_case(s: &str) -> Result<ImportStrategy, ModelError> {
        ImportStrategy::ALL
            .iter()
            .copied()
            .find(|st| st.name().eq_ignore_ascii_case(s))
            .ok_or_else(|| ModelError::InvalidStrategy(s.to_owned()))
    }
}

impl FromStr for ImportStrategy {
    type Err = ModelError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ImportStrategy::parse_ignore_case(s)
    }
}

impl fmt::Display for ImportStrategy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Which generation of DHIS2's data value importer to behave like.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum ImporterProfile {
    /// The classic importer of DHIS2 2.36–2.42 (what most servers in the field run).
    #[default]
    Classic,
    /// The 2.43+ "new pipeline" (`DataEntryPipeline`).
    Pipeline,
}

impl ImporterProfile {
    /// The DHIS2 minor versions (`2.<minor>`) whose rules this library implements: 2.36–2.42
    /// answer with the classic importer, 2.43 and 2.44 (DHIS2's master branch when the rules were
    /// taken) with the new pipeline. A later DHIS2 may answer differently, so it is refused rather
    /// than run through the newest rules known.
    pub const KNOWN_MINOR_VERSIONS: std::ops::RangeInclusive<u32> = 36..=44;

    /// The profile of a DHIS2 version such as `2.40`, `2.42.1` or `2.43` (`v` prefix allowed);
    /// versions outside [`KNOWN_MINOR_VERSIONS`](Self::KNOWN_MINOR_VERSIONS) are refused.
    ///
    /// ```
    /// use dxf2_model::ImporterProfile;
    /// assert_eq!(ImporterProfile::from_version("2.41.3").unwrap(), ImporterProfile::Classic);
    /// assert_eq!(ImporterProfile::from_version("2.43").unwrap(), ImporterProfile::Pipeline);
    /// assert!(ImporterProfile::from_version("2.30").is_err());
    /// assert!(ImporterProfile::from_version("2.99").is_err());
    /// ```
    pub fn from_version(version: &str) -> Result<ImporterProfile, ModelError> {
        let bad = || ModelError::InvalidVersion(version.to_owned());
        let v = version.trim().trim_start_matches(['v', 'V']);
        let mut parts = v.split('.');
        let major: u32 = parts.next().and_then(|p| p.parse().ok()).ok_or_else(bad)?;
        let minor: u32 = parts.next().and_then(|p| p.parse().ok()).ok_or_else(bad)?;
        if parts.any(|p| p.parse::<u32>().is_err()) || major != 2 {
            return Err(bad());
        }
        if !Self::KNOWN_MINOR_VERSIONS.contains(&minor) {
            return Err(bad());
        }
        Ok(if minor <= 42 {
            ImporterProfile::Classic
        } else {
            ImporterProfile::Pipeline
        })
    }

    /// A short label: `classic (2.36–2.42)` or `pipeline (2.43+)`.
    pub fn label(self) -> &'static str {
        match self {
            ImporterProfile::Classic => "classic (2.36-2.42)",
            ImporterProfile::Pipeline => "pipeline (2.43+)",
        }
    }
}

/// The import options of a data value set import (`ImportOptions`), as request parameters set them.
///
/// Defaults are DHIS2's service defaults (`ImportOptions.getDefaultImportOptions()`): strategy
/// `NEW_AND_UPDATES`, `firstRowIsHeader` true, everything else off.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportOptions {
    /// Request id schemes (`idScheme`, `dataElementIdScheme`, …).
    pub id_schemes: IdSchemes,
    /// `dryRun`: validate and count, write nothing.
    pub dry_run: bool,
    /// `importStrategy` / `strategy`.
    pub strategy: ImportStrategy,
    /// `skipExistingCheck`: treat every value as new.
    pub skip_existing_check: bool,
    /// `preheatCache` (unset unless given).
    pub preheat_cache: Option<bool>,
    /// `async` (echoed only; imports here are synchronous).
    pub async_import: bool,
    /// `skipAudit`.
    pub skip_audit: bool,
    /// `strictPeriods`.
    pub strict_periods: bool,
    /// `strictDataElements`.
    pub strict_data_elements: bool,
    /// `strictCategoryOptionCombos`.
    pub strict_category_option_combos: bool,
    /// `strictAttributeOptionCombos`.
    pub strict_attribute_option_combos: bool,
    /// `strictOrganisationUnits`.
    pub strict_organisation_units: bool,
    /// `strictDataSetApproval` (the system setting defaults it on).
    pub strict_data_set_approval: bool,
    /// `strictDataSetLocking` (the system setting defaults it on).
    pub strict_data_set_locking: bool,
    /// `strictDataSetInputPeriods` (the system setting defaults it on).
    pub strict_data_set_input_periods: bool,
    /// `requireCategoryOptionCombo`.
    pub require_category_option_combo: bool,
    /// `requireAttributeOptionCombo`.
    pub require_attribute_option_combo: bool,
    /// `force`: skip locking/timeliness checks (superusers only).
    pub force: bool,
    /// `firstRowIsHeader` (CSV only; default true).
    pub first_row_is_header: bool,
    /// `dataSet` (CSV only: the data set of the values).
    pub data_set: Option<String>,
    /// `atomic` (2.43+ only): any invalid value fails its group.
    pub atomic: bool,
    /// Which importer generation to behave like.
    pub profile: ImporterProfile,
}

impl Default for ImportOptions {
    fn default() -> Self {
        ImportOptions {
            id_schemes: IdSchemes::default(),
            dry_run: false,
            strategy: ImportStrategy::NewAndUpdates,
            skip_existing_check: false,
            preheat_cache: None,
            async_import: false,
            skip_audit: false,
            strict_periods: false,
            strict_data_elements: false,
            strict_category_option_combos: false,
            strict_attribute_option_combos: false,
            strict_organisation_units: false,
            strict_data_set_approval: false,
            strict_data_set_locking: false,
            strict_data_set_input_periods: false,
            require_category_option_combo: false,
            require_attribute_option_combo: false,
            force: false,
            first_row_is_header: true,
            data_set: None,
            atomic: false,
            profile: ImporterProfile::Classic,
        }
    }
}

impl ImportOptions {
    /// A builder starting from the defaults ([`ImportOptions::default`]), for setting only the
    /// options that differ.
    ///
    /// ```
    /// use dxf2_model::{IdScheme, ImportOptions, ImportStrategy, ImporterProfile};
    ///
    /// let options = ImportOptions::builder()
    ///     .strategy(ImportStrategy::Update)
    ///     .dry_run(true)
    ///     .id_scheme(IdScheme::Code)
    ///     .profile(ImporterProfile::Pipeline)
    ///     .build();
    /// assert!(options.dry_run);
    /// assert_eq!(options.strategy, ImportStrategy::Update);
    /// assert_eq!(options.id_schemes.id_scheme, Some(IdScheme::Code));
    /// assert!(options.first_row_is_header); // a default kept
    /// ```
    pub fn builder() -> ImportOptionsBuilder {
        ImportOptionsBuilder {
            options: ImportOptions::default(),
        }
    }
}

/// Builds [`ImportOptions`] one option at a time (see [`ImportOptions::builder`]); every option
/// not set keeps DHIS2's default.
#[derive(Clone, Debug)]
#[must_use]
pub struct ImportOptionsBuilder {
    options: ImportOptions,
}

/// A setter of the builder for one boolean option.
macro_rules! flag {
    ($(#[$doc:meta] $name:ident;)*) => {
        $(
            #[$doc]
            pub fn $name(mut self, on: bool) -> Self {
                self.options.$name = on;
                self
            }
        )*
    };
}

impl ImportOptionsBuilder {
    /// The request id schemes (`idScheme`, `dataElementIdScheme`, …), all at once.
    pub fn id_schemes(mut self, schemes: IdSchemes) -> Self {
        self.options.id_schemes = schemes;
        self
    }

    /// The general request id scheme (`idScheme`).
    pub fn id_scheme(mut self, scheme: IdScheme) -> Self {
        self.options.id_schemes.id_scheme = Some(scheme);
        self
    }

    /// `importStrategy` / `strategy`.
    pub fn strategy(mut self, strategy: ImportStrategy) -> Self {
        self.options.strategy = strategy;
        self
    }

    /// `preheatCache` (unset unless given).
    pub fn preheat_cache(mut self, preheat: bool) -> Self {
        self.options.preheat_cache = Some(preheat);
        self
    }

    /// `dataSet` (CSV only: the data set of the values).
    pub fn data_set(mut self, data_set: impl Into<String>) -> Self {
        self.options.data_set = Some(data_set.into());
        self
    }

    /// Which importer generation to behave like.
    pub fn profile(mut self, profile: ImporterProfile) -> Self {
        self.options.profile = profile;
        self
    }

    flag! {
        /// `dryRun`: validate and count, write nothing.
        dry_run;
        /// `skipExistingCheck`: treat every value as new.
        skip_existing_check;
        /// `async` (echoed only; imports here are synchronous).
        async_import;
        /// `skipAudit`.
        skip_audit;
        /// `strictPeriods`.
        strict_periods;
        /// `strictDataElements`.
        strict_data_elements;
        /// `strictCategoryOptionCombos`.
        strict_category_option_combos;
        /// `strictAttributeOptionCombos`.
        strict_attribute_option_combos;
        /// `strictOrganisationUnits`.
        strict_organisation_units;
        /// `strictDataSetApproval`.
        strict_data_set_approval;
        /// `strictDataSetLocking`.
        strict_data_set_locking;
        /// `strictDataSetInputPeriods`.
        strict_data_set_input_periods;
        /// `requireCategoryOptionCombo`.
        require_category_option_combo;
        /// `requireAttributeOptionCombo`.
        require_attribute_option_combo;
        /// `force`: skip locking/timeliness checks (superusers only).
        force;
        /// `firstRowIsHeader` (CSV only; default true).
        first_row_is_header;
        /// `atomic` (2.43+ only): any invalid value fails its group.
        atomic;
    }

    /// The options.
    pub fn build(self) -> ImportOptions {
        self.options
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strategies_parse_and_group() {
        assert_eq!(
            ImportStrategy::parse_exact("NEW_AND_UPDATES"),
            Ok(ImportStrategy::NewAndUpdates)
        );
        assert!(ImportStrategy::parse_exact("create").is_err());
        assert_eq!(
            ImportStrategy::parse_ignore_case("create_and_update"),
            Ok(ImportStrategy::CreateAndUpdate)
        );
        assert_eq!(ImportStrategy::Deletes.group(), StrategyGroup::Delete);
        assert_eq!(ImportStrategy::Sync.group(), StrategyGroup::None);
        for s in ImportStrategy::ALL {
            assert_eq!(ImportStrategy::parse_exact(s.name()), Ok(s));
        }
    }

    #[test]
    fn versions_map_to_profiles() {
        assert_eq!(
            ImporterProfile::from_version("2.36"),
            Ok(ImporterProfile::Classic)
        );
        assert_eq!(
            ImporterProfile::from_version("v2.42.4"),
            Ok(ImporterProfile::Classic)
        );
        assert_eq!(
            ImporterProfile::from_version("2.44"),
            Ok(ImporterProfile::Pipeline)
        );
        assert!(ImporterProfile::from_version("3.0").is_err());
        assert!(ImporterProfile::from_version("2").is_err());
        assert!(ImporterProfile::from_version("2.x").is_err());
    }
}
