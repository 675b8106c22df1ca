//! The import parameters of `POST /api/tracker` (`ImportRequestParams`,
//! `TrackerImportParamsMapper`), with DHIS2's defaults and its messages for bad values.

use std::fmt;

use dxf2_model::Uid;

use crate::options::TrackerVersion;
use crate::time::{ServerTimeZone, Timestamp};

/// A query parameter DHIS2 would refuse with HTTP 400; the message is DHIS2's.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct ParamError {
    /// DHIS2's message (`Value 'X' is not valid for parameter importMode. Valid values are: [...]`).
    pub message: String,
}

/// One of DHIS2's enum parameters: parsed case-insensitively (DHIS2 binds enums with a
/// case-insensitive editor), refused with DHIS2's message.
pub trait ParamEnum: Sized + Copy + 'static {
    /// The query parameter's name (`importMode`).
    const PARAMETER: &'static str;
    /// The values in DHIS2's order, with their names.
    const VALUES: &'static [(&'static str, Self)];

    /// Parses a value as DHIS2 binds it.
    fn parse_param(value: &str) -> Result<Self, ParamError> {
        Self::VALUES
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(value))
            .map(|(_, v)| *v)
            .ok_or_else(|| {
                let names: Vec<&str> = Self::VALUES.iter().map(|(n, _)| *n).collect();
                ParamError {
                    message: format!(
                        "Value '{value}' is not valid for parameter {}. Valid values are: [{}]",
                        Self::PARAMETER,
                        names.join(", ")
                    ),
                }
            })
    }

    /// DHIS2's name of the value.
    fn param_name(self) -> &'static str;
}

macro_rules! param_enum {
    ($(#[$doc:meta])* $name:ident, $param:literal, $default:ident,
     [$($(#[$vdoc:meta])* $variant:ident = $text:literal),+ $(,)?]) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
        pub enum $name {
            $($(#[$vdoc])* $variant,)+
        }

        impl ParamEnum for $name {
            const PARAMETER: &'static str = $param;
            const VALUES: &'static [(&'static str, Self)] = &[$(($text, $name::$variant)),+];

            fn param_name(self) -> &'static str {
                match self {
                    $($name::$variant => $text,)+
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.param_name())
            }
        }

    };
}

param_enum!(
    /// `importMode`: `COMMIT` (default) or `VALIDATE` (everything but persisting).
    ImportMode, "importMode", Commit,
    [
        /// `COMMIT` (the default).
        #[default]
        Commit = "COMMIT",
        /// `VALIDATE`: preheat, preprocess and validate; nothing is written.
        Validate = "VALIDATE",
    ]
);

param_enum!(
    /// `importStrategy` (default `CREATE_AND_UPDATE`, whatever DHIS2's docs say).
    ImportStrategy, "importStrategy", CreateAndUpdate,
    [
        /// `CREATE`: an existing UID is an error.
        Create = "CREATE",
        /// `UPDATE`: a missing UID is an error.
        Update = "UPDATE",
        /// `CREATE_AND_UPDATE` (the default): decided per object.
        #[default]
        CreateAndUpdate = "CREATE_AND_UPDATE",
        /// `DELETE`: only UIDs are needed; soft-deletes, cascading to children.
        Delete = "DELETE",
    ]
);

param_enum!(
    /// `atomicMode`: `ALL` (default; one error and nothing is written) or `OBJECT`.
    AtomicMode, "atomicMode", All,
    [
        /// `ALL` (the default).
        #[default]
        All = "ALL",
        /// `OBJECT`: invalid objects and their dependants are skipped, the rest written.
        Object = "OBJECT",
    ]
);

param_enum!(
    /// `flushMode`: how often a DHIS2 server flushes to its database; accepted and without
    /// effect here (one transaction either way).
    FlushMode, "flushMode", Auto,
    [
        /// `OBJECT`.
        Object = "OBJECT",
        /// `AUTO` (the default).
        #[default]
        Auto = "AUTO",
    ]
);

param_enum!(
    /// `validationMode`: `FULL` (default), `FAIL_FAST` (stop at the first error), `SKIP` (no
    /// validation; DHIS2 honours it for superusers only).
    ValidationMode, "validationMode", Full,
    [
        /// `FULL` (the default).
        #[default]
        Full = "FULL",
        /// `FAIL_FAST`: the report holds the first error only.
        FailFast = "FAIL_FAST",
        /// `SKIP`: no validator runs.
        Skip = "SKIP",
    ]
);

param_enum!(
    /// `reportMode`: which warnings the report keeps (`ERRORS`, the default, keeps none).
    ReportMode, "reportMode", Errors,
    [
        /// `FULL`: warnings included.
        Full = "FULL",
        /// `ERRORS` (the default): `warningReports` empty.
        #[default]
        Errors = "ERRORS",
        /// `WARNINGS`: warnings included.
        Warnings = "WARNINGS",
    ]
);

/// Parses a boolean query parameter as DHIS2 does (`true`/`false`, any case).
pub fn parse_bool_param(parameter: &str, value: &str) -> Result<bool, ParamError> {
    if value.eq_ignore_ascii_case("true") {
        Ok(true)
    } else if value.eq_ignore_ascii_case("false") {
        Ok(false)
    } else {
        Err(ParamError {
            message: format!(
                "Value '{value}' is not valid for parameter {parameter}. It should be of type boolean"
            ),
        })
    }
}

/// An id scheme of the tracker importer: `UID`, `CODE`, `NAME` or `ATTRIBUTE:<uid>` (the
/// tracker accepts no `ID`/`UUID`, and reads the names case-sensitively).
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub enum TrackerIdScheme {
    /// `UID` (the default).
    #[default]
    Uid,
    /// `CODE`.
    Code,
    /// `NAME`.
    Name,
    /// `ATTRIBUTE:<uid>`: the value of that metadata attribute.
    Attribute(Uid),
}

impl TrackerIdScheme {
    /// Parses the value of parameter `parameter` (`idScheme`, `orgUnitIdScheme`, …) exactly as
    /// DHIS2 does, with its messages.
    pub fn parse(parameter: &str, value: &str) -> Result<TrackerIdScheme, ParamError> {
        const VALID: &str = "Valid values are: [UID, CODE, NAME, ATTRIBUTE:attributeUid]";
        if value.is_empty() {
            return Err(ParamError {
                message: format!("{parameter} cannot be empty. {VALID}"),
            });
        }
        let scheme = match value {
            "UID" => Some(TrackerIdScheme::Uid),
            "CODE" => Some(TrackerIdScheme::Code),
            "NAME" => Some(TrackerIdScheme::Name),
            _ => value
                .strip_prefix("ATTRIBUTE:")
                .and_then(|uid| Uid::parse(uid).ok())
                .map(TrackerIdScheme::Attribute),
        };
        scheme.ok_or_else(|| ParamError {
            message: format!("Value '{value}' is not valid for parameter {parameter}. {VALID}"),
        })
    }
}

impl fmt::Display for TrackerIdScheme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TrackerIdScheme::Uid => f.write_str("UID"),
            TrackerIdScheme::Code => f.write_str("CODE"),
            TrackerIdScheme::Name => f.write_str("NAME"),
            TrackerIdScheme::Attribute(uid) => write!(f, "ATTRIBUTE:{uid}"),
        }
    }
}

/// The id schemes of an import, per field; a field without its own falls back to `idScheme`
/// (spec §5).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct TrackerIdSchemes {
    /// `idScheme`: tracked entity types, relationship types, attributes, and every field
    /// without its own scheme.
    pub id_scheme: TrackerIdScheme,
    /// `orgUnitIdScheme`.
    pub org_unit: Option<TrackerIdScheme>,
    /// `programIdScheme`.
    pub program: Option<TrackerIdScheme>,
    /// `programStageIdScheme`.
    pub program_stage: Option<TrackerIdScheme>,
    /// `dataElementIdScheme`.
    pub data_element: Option<TrackerIdScheme>,
    /// `categoryOptionComboIdScheme`.
    pub category_option_combo: Option<TrackerIdScheme>,
    /// `categoryOptionIdScheme`.
    pub category_option: Option<TrackerIdScheme>,
}

/// The metadata a payload names, each read with its own id scheme.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MetadataKind {
    /// `trackedEntityTypes` (idScheme).
    TrackedEntityType,
    /// `trackedEntityAttributes` (idScheme).
    TrackedEntityAttribute,
    /// `relationshipTypes` (idScheme).
    RelationshipType,
    /// `organisationUnits` (orgUnitIdScheme).
    OrgUnit,
    /// `programs` (programIdScheme).
    Program,
    /// `programStages` (programStageIdScheme).
    ProgramStage,
    /// `dataElements` (dataElementIdScheme).
    DataElement,
    /// `categoryOptionCombos` (categoryOptionComboIdScheme).
    CategoryOptionCombo,
    /// `categoryOptions` (categoryOptionIdScheme).
    CategoryOption,
}

impl MetadataKind {
    /// The collection key of a metadata document (`programs`).
    pub fn collection(self) -> &'static str {
        match self {
            MetadataKind::TrackedEntityType => "trackedEntityTypes",
            MetadataKind::TrackedEntityAttribute => "trackedEntityAttributes",
            MetadataKind::RelationshipType => "relationshipTypes",
            MetadataKind::OrgUnit => "organisationUnits",
            MetadataKind::Program => "programs",
            MetadataKind::ProgramStage => "programStages",
            MetadataKind::DataElement => "dataElements",
            MetadataKind::CategoryOptionCombo => "categoryOptionCombos",
            MetadataKind::CategoryOption => "categoryOptions",
        }
    }
}

impl TrackerIdSchemes {
    /// The scheme that reads `kind`: its own, else `idScheme`.
    pub fn scheme(&self, kind: MetadataKind) -> &TrackerIdScheme {
        let own = match kind {
            MetadataKind::TrackedEntityType
            | MetadataKind::TrackedEntityAttribute
            | MetadataKind::RelationshipType => None,
            MetadataKind::OrgUnit => self.org_unit.as_ref(),
            MetadataKind::Program => self.program.as_ref(),
            MetadataKind::ProgramStage => self.program_stage.as_ref(),
            MetadataKind::DataElement => self.data_element.as_ref(),
            MetadataKind::CategoryOptionCombo => self.category_option_combo.as_ref(),
            MetadataKind::CategoryOption => self.category_option.as_ref(),
        };
        own.unwrap_or(&self.id_scheme)
    }
}

/// The parameters of one import, with DHIS2's defaults ([`ImportParams::default`]).
#[derive(Clone, Debug, Default)]
#[non_exhaustive]
pub struct ImportParams {
    /// `importMode` (default `COMMIT`).
    pub import_mode: ImportMode,
    /// `importStrategy` (default `CREATE_AND_UPDATE`).
    pub import_strategy: ImportStrategy,
    /// `atomicMode` (default `ALL`).
    pub atomic_mode: AtomicMode,
    /// `flushMode` (default `AUTO`; no effect here).
    pub flush_mode: FlushMode,
    /// `validationMode` (default `FULL`).
    pub validation_mode: ValidationMode,
    /// `reportMode` (default `ERRORS`).
    pub report_mode: ReportMode,
    /// `skipSideEffects` (default false; there are no side effects here).
    pub skip_side_effects: bool,
    /// `skipRuleEngine` (default false; program rules are not run here either way).
    pub skip_rule_engine: bool,
    /// The id schemes.
    pub id_schemes: TrackerIdSchemes,
    /// The importing user's username (recorded as `storedBy`, `createdBy`, `updatedBy` and on
    /// notes); `None` is a superuser named `admin`.
    pub user: Option<String>,
    /// The server's zone (messages render dates in it).
    pub time_zone: ServerTimeZone,
    /// The DHIS2 version whose message wording applies (default 2.42).
    pub version: TrackerVersion,
    /// The import's clock ("now": future dates, `createdAt`, `updatedAt`); `None` reads the
    /// system clock.
    pub now: Option<Timestamp>,
}

impl ImportParams {
    /// The username recorded on what the import writes.
    pub fn username(&self) -> &str {
        self.user.as_deref().unwrap_or("admin")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enums_read_case_insensitively_and_refuse_with_dhis2s_message() {
        assert_eq!(
            ImportMode::parse_param("validate").unwrap(),
            ImportMode::Validate
        );
        assert_eq!(
            ImportStrategy::parse_param("INVALID").unwrap_err().message,
            "Value 'INVALID' is not valid for parameter importStrategy. Valid values are: \
             [CREATE, UPDATE, CREATE_AND_UPDATE, DELETE]"
        );
        assert_eq!(
            FlushMode::parse_param("x").unwrap_err().message,
            "Value 'x' is not valid for parameter flushMode. Valid values are: [OBJECT, AUTO]"
        );
        assert_eq!(
            ReportMode::parse_param("INVALID").unwrap_err().message,
            "Value 'INVALID' is not valid for parameter reportMode. Valid values are: \
             [FULL, ERRORS, WARNINGS]"
        );
        assert_eq!(ImportStrategy::default(), ImportStrategy::CreateAndUpdate);
        assert_eq!(ReportMode::default(), ReportMode::Errors);
    }

    #[test]
    fn id_schemes_are_strict() {
        assert_eq!(
            TrackerIdScheme::parse("idScheme", "").unwrap_err().message,
            "idScheme cannot be empty. Valid values are: [UID, CODE, NAME, ATTRIBUTE:attributeUid]"
        );
        for bad in [
            "INVALID",
            "ATTRIBUTE:abc",
            "ATTRIBUTE:abcdefghilm:invalid",
            "code",
        ] {
            assert_eq!(
                TrackerIdScheme::parse("idScheme", bad).unwrap_err().message,
                format!(
                    "Value '{bad}' is not valid for parameter idScheme. Valid values are: \
                     [UID, CODE, NAME, ATTRIBUTE:attributeUid]"
                )
            );
        }
        assert_eq!(
            TrackerIdScheme::parse("idScheme", "ATTRIBUTE:abcdefghilm").unwrap(),
            TrackerIdScheme::Attribute(Uid::parse("abcdefghilm").unwrap())
        );
        let schemes = TrackerIdSchemes {
            id_scheme: TrackerIdScheme::Code,
            org_unit: Some(TrackerIdScheme::Name),
            ..TrackerIdSchemes::default()
        };
        assert_eq!(
            schemes.scheme(MetadataKind::OrgUnit),
            &TrackerIdScheme::Name
        );
        assert_eq!(
            schemes.scheme(MetadataKind::Program),
            &TrackerIdScheme::Code
        );
    }

    #[test]
    fn booleans() {
        assert!(parse_bool_param("async", "FaLSE").is_ok());
        assert_eq!(
            parse_bool_param("skipRuleEngine", "INVALID").unwrap_err().message,
            "Value 'INVALID' is not valid for parameter skipRuleEngine. It should be of type boolean"
        );
    }
}
