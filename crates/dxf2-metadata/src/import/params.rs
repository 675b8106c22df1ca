//! [`ImportParams`]: DHIS2's metadata import parameters (`MetadataImportParams`), each with
//! DHIS2's default and what it changes here.

use std::fmt;
use std::str::FromStr;

use dxf2_model::ImporterProfile;

use crate::error::Error;

macro_rules! param_enum {
    (
        $(#[$meta:meta])*
        $name:ident, $param:literal {
            $( $(#[$vmeta:meta])* $variant:ident = $text:literal $(| $alias:literal)* ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )+
        }

        impl $name {
            /// DHIS2's name for the value.
            pub fn as_str(self) -> &'static str {
                match self { $( $name::$variant => $text, )+ }
            }

            /// Every value DHIS2 names (aliases not included).
            pub const ALL: &'static [$name] = &[ $( $name::$variant, )+ ];
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FromStr for $name {
            type Err = Error;
            /// Case-insensitive. (DHIS2's web API matches case-sensitively and silently uses the
            /// default for a value it does not know; this refuses it instead.)
            fn from_str(s: &str) -> Result<Self, Error> {
                $(
                    if s.eq_ignore_ascii_case($text) $(|| s.eq_ignore_ascii_case($alias))* {
                        return Ok($name::$variant);
                    }
                )+
                Err(Error::Parameter {
                    name: $param,
                    value: s.to_owned(),
                    expected: concat!("one of ", $( $text, " " ),+),
                })
            }
        }
    };
}

param_enum! {
    /// `importMode`: commit the changes, or only validate (a dry run: no changes, and the report
    /// is returned without `importReportMode`'s post-processing, as DHIS2 does).
    ImportMode, "importMode" {
        #[default]
        /// `COMMIT` (default).
        Commit = "COMMIT",
        /// `VALIDATE`.
        Validate = "VALIDATE",
    }
}

param_enum! {
    /// `identifier`: how payload objects are matched to existing ones and references resolved.
    /// `AUTO` (removed from DHIS2 in 2.36) reads as `UID`, which is what DHIS2 then does with it.
    Identifier, "identifier" {
        #[default]
        /// `UID` (default): by `id`; an object without `id` is always new.
        Uid = "UID" | "AUTO",
        /// `CODE`: by `code` (users and user roles stay UID-keyed); references are `{"code": …}`.
        Code = "CODE",
    }
}

param_enum! {
    /// `importStrategy`: which objects are created, updated or deleted.
    ImportStrategy, "importStrategy" {
        /// `CREATE`: new objects only; existing ones get `E5000`.
        Create = "CREATE",
        /// `UPDATE`: existing objects only; new ones get `E5001`.
        Update = "UPDATE",
        #[default]
        /// `CREATE_AND_UPDATE` (default).
        CreateAndUpdate = "CREATE_AND_UPDATE",
        /// `DELETE`: existing objects are deleted; missing ones get `E5001`.
        Delete = "DELETE",
    }
}

param_enum! {
    /// `atomicMode`: what validation errors do to the rest of the import.
    AtomicMode, "atomicMode" {
        #[default]
        /// `ALL` (default): any error and nothing changes (status `ERROR`, every count moved to
        /// `ignored`).
        All = "ALL",
        /// `NONE`: invalid objects are left out, the rest changes (status `WARNING`).
        None = "NONE",
    }
}

param_enum! {
    /// `importReportMode`: which object reports the report keeps.
    ImportReportMode, "importReportMode" {
        /// `FULL`: one object report per created, updated or deleted object, and the errors.
        Full = "FULL",
        #[default]
        /// `ERRORS` (default): object reports with errors only.
        Errors = "ERRORS",
        /// `ERRORS_NOT_OWNER`: like `FULL` (DHIS2 does not clean it), plus `E5006` for inverse
        /// (non-owner) references in the payload.
        ErrorsNotOwner = "ERRORS_NOT_OWNER",
        /// `DEBUG`: like `FULL`, with `displayName` on object reports.
        Debug = "DEBUG",
    }
}

param_enum! {
    /// `preheatMode`: parsed by DHIS2 but not used (its preheat always works by reference); no
    /// effect here either.
    PreheatMode, "preheatMode" {
        #[default]
        /// `REFERENCE` (default).
        Reference = "REFERENCE",
        /// `ALL`.
        All = "ALL",
        /// `NONE`.
        None = "NONE",
    }
}

param_enum! {
    /// `mergeMode` (DHIS2 up to 2.40; later servers always replace): how an update combines the
    /// payload object with the stored one.
    MergeMode, "mergeMode" {
        #[default]
        /// `REPLACE` (default): the payload object replaces the stored one, absent fields included
        /// (DHIS2 clears them).
        Replace = "REPLACE",
        /// `MERGE`: fields present in the payload replace the stored ones; collections of
        /// references are joined (stored, then new items).
        Merge = "MERGE" | "MERGE_IF_NOT_NULL",
    }
}

param_enum! {
    /// `flushMode`: when DHIS2 flushes its database session (per type or per object); no effect on
    /// the outcome, none here.
    FlushMode, "flushMode" {
        #[default]
        /// `AUTO` (default).
        Auto = "AUTO",
        /// `OBJECT`.
        Object = "OBJECT",
    }
}

param_enum! {
    /// `inclusionStrategy`: an export-side setting in DHIS2 (which null or empty fields are
    /// written); no effect on an import.
    InclusionStrategy, "inclusionStrategy" {
        #[default]
        /// `NON_NULL` (default).
        NonNull = "NON_NULL",
        /// `ALWAYS`.
        Always = "ALWAYS",
        /// `NON_EMPTY`.
        NonEmpty = "NON_EMPTY",
    }
}

/// How `created` and `lastUpdated` are set on imported objects.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum Timestamps {
    /// As DHIS2 does, with the current time (UTC): `lastUpdated` always; `created` when a new
    /// object has none; an update keeps the stored `created`.
    #[default]
    Now,
    /// As DHIS2 does, with this time (`yyyy-MM-ddTHH:mm:ss.SSS`), for reproducible imports.
    At(String),
    /// Keep the payload's values (the stored `created` on update).
    Keep,
}

/// DHIS2's metadata import parameters.
///
/// ```
/// use dxf2_metadata::import::{ImportParams, ImportStrategy, AtomicMode};
///
/// let params = ImportParams {
///     import_strategy: "UPDATE".parse().unwrap(),
///     atomic_mode: AtomicMode::None,
///     ..ImportParams::default()
/// }
/// .with_dhis2_version("2.43")
/// .unwrap();
/// assert_eq!(params.import_strategy, ImportStrategy::Update);
/// assert_eq!(params.dhis2_minor(), 43);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportParams {
    /// `importMode`.
    pub import_mode: ImportMode,
    /// `identifier`.
    pub identifier: Identifier,
    /// `importStrategy`.
    pub import_strategy: ImportStrategy,
    /// `atomicMode`.
    pub atomic_mode: AtomicMode,
    /// `importReportMode`.
    pub import_report_mode: ImportReportMode,
    /// `preheatMode` (no effect).
    pub preheat_mode: PreheatMode,
    /// `mergeMode`.
    pub merge_mode: MergeMode,
    /// `flushMode` (no effect).
    pub flush_mode: FlushMode,
    /// `inclusionStrategy` (no effect on import).
    pub inclusion_strategy: InclusionStrategy,
    /// `skipSharing`: a new object's `sharing` is reset (public `--------`, no user or group
    /// accesses, owner the importing [`user`](Self::user)); an update keeps the stored `sharing`;
    /// sharing references are not checked.
    pub skip_sharing: bool,
    /// `skipTranslation`: translations are dropped on create, and kept as stored on update.
    pub skip_translation: bool,
    /// `skipValidation`: no checks at all (DHIS2 honours it for superusers); as in DHIS2 the
    /// report then counts nothing.
    pub skip_validation: bool,
    /// Generate the category option combos a category combo lacks (DHIS2 never does on import;
    /// its maintenance endpoint does), with DHIS2's names and order. An extension.
    pub generate_option_combos: bool,
    /// The importing user's UID: `createdBy` (on create) and `lastUpdatedBy`, and the owner of
    /// reset sharing. `None` leaves those fields as given.
    pub user: Option<String>,
    /// How `created` and `lastUpdated` are set.
    pub timestamps: Timestamps,
    /// A seed for the UIDs generated for new objects without one (`None`: random).
    pub uid_seed: Option<u64>,
    /// The DHIS2 minor version whose rules apply (`42` for 2.42, the default); set it with
    /// [`with_dhis2_version`](Self::with_dhis2_version), which checks the version is known.
    pub dhis2_minor: u32,
}

impl Default for ImportParams {
    fn default() -> ImportParams {
        ImportParams {
            import_mode: ImportMode::default(),
            identifier: Identifier::default(),
            import_strategy: ImportStrategy::default(),
            atomic_mode: AtomicMode::default(),
            import_report_mode: ImportReportMode::default(),
            preheat_mode: PreheatMode::default(),
            merge_mode: MergeMode::default(),
            flush_mode: FlushMode::default(),
            inclusion_strategy: InclusionStrategy::default(),
            skip_sharing: false,
            skip_translation: false,
            skip_validation: false,
            generate_option_combos: false,
            user: None,
            timestamps: Timestamps::default(),
            uid_seed: None,
            dhis2_minor: DEFAULT_MINOR,
        }
    }
}

/// The DHIS2 version whose rules an import follows unless told otherwise (2.42, the classic
/// profile's last version).
pub const DEFAULT_MINOR: u32 = 42;

impl ImportParams {
    /// The same parameters, following the rules of DHIS2 `version` (`2.36` … `2.44`; the versions
    /// [`ImporterProfile::from_version`] knows). Rules that differ: the category option combo
    /// checks (`E1122`/`E1133` and the category limits from 2.42, `E1130`–`E1132` from 2.43),
    /// `E5000`'s wording (2.43), message full stops (up to 2.38), the value types and period
    /// types accepted.
    pub fn with_dhis2_version(mut self, version: &str) -> Result<ImportParams, Error> {
        ImporterProfile::from_version(version).map_err(|_| Error::Parameter {
            name: "dhis2Version",
            value: version.to_owned(),
            expected: "a DHIS2 version from 2.36 to 2.44",
        })?;
        let minor = version
            .trim()
            .trim_start_matches(['v', 'V'])
            .split('.')
            .nth(1)
            .and_then(|m| m.parse::<u32>().ok())
            .unwrap_or(DEFAULT_MINOR);
        self.dhis2_minor = minor;
        Ok(self)
    }

    /// The DHIS2 minor version whose rules apply (`42` for 2.42).
    pub fn dhis2_minor(&self) -> u32 {
        self.dhis2_minor
    }

    /// The importer profile of that version.
    pub fn profile(&self) -> ImporterProfile {
        if self.dhis2_minor >= 43 {
            ImporterProfile::Pipeline
        } else {
            ImporterProfile::Classic
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn dhis2_defaults() {
        let p = ImportParams::default();
        assert_eq!(p.import_mode, ImportMode::Commit);
        assert_eq!(p.identifier, Identifier::Uid);
        assert_eq!(p.import_strategy, ImportStrategy::CreateAndUpdate);
        assert_eq!(p.atomic_mode, AtomicMode::All);
        assert_eq!(p.import_report_mode, ImportReportMode::Errors);
        assert_eq!(p.merge_mode, MergeMode::Replace);
        assert_eq!(p.dhis2_minor(), 42);
    }

    #[test]
    fn parsing_is_case_insensitive_and_refuses_unknown_values() {
        assert_eq!(
            "create_and_update".parse::<ImportStrategy>().unwrap(),
            ImportStrategy::CreateAndUpdate
        );
        assert_eq!("AUTO".parse::<Identifier>().unwrap(), Identifier::Uid);
        let e = "FOO".parse::<AtomicMode>().unwrap_err();
        assert!(e.to_string().contains("ALL"), "{e}");
        assert!(ImportParams::default().with_dhis2_version("2.35").is_err());
        assert_eq!(
            ImportParams::default()
                .with_dhis2_version("2.44.1")
                .unwrap()
                .dhis2_minor(),
            44
        );
    }
}
