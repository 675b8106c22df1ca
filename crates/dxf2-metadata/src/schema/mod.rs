//! DHIS2's knowledge of each metadata type this crate models, as its schema service has it:
//! collection key and singular name, Java class (named in import reports), import order,
//! properties (simple, references to other types, embedded objects, inverse collections that
//! are not imported), required and unique properties, and which types are shareable.
//!
//! ```
//! use dxf2_metadata::schema;
//!
//! let de = schema::by_key("dataElements").unwrap();
//! assert_eq!(de.singular, "dataElement");
//! assert_eq!(de.klass, "org.hisp.dhis.dataelement.DataElement");
//! assert!(de.order < schema::by_key("dataSets").unwrap().order);
//! let combo = de.property("categoryCombo").unwrap();
//! assert_eq!(combo.target(), Some("categoryCombos"));
//! // Types DHIS2 knows that this crate does not model are kept and passed through.
//! assert!(schema::by_key("validationRules").is_none());
//! assert!(schema::is_dhis2_metadata_key("validationRules"));
//! ```

mod aggregate;
mod property;
mod tracker;

pub use property::{Embedded, Kind, Property};

/// DHIS2's knowledge of one metadata type.
#[derive(Debug)]
pub struct TypeSchema {
    /// The collection key of the type in a metadata document (`dataElements`).
    pub key: &'static str,
    /// The singular name (`dataElement`).
    pub singular: &'static str,
    /// The fully qualified Java class, as import reports name it
    /// (`org.hisp.dhis.dataelement.DataElement`).
    pub klass: &'static str,
    /// Import (validation and commit) order: ascending (`schema.setOrder`).
    pub order: u32,
    /// Whether objects of the type carry `sharing` (and so sharing references are checked).
    pub shareable: bool,
    /// Whether the type's access strings may carry data bits.
    pub data_shareable: bool,
    /// The attribute flag that assigns an attribute to this type (`dataElementAttribute`).
    pub attribute_flag: Option<&'static str>,
    /// Whether references to objects of this type always use UIDs, whatever the import's
    /// identifier (users and user roles).
    pub uid_only: bool,
    /// The owner properties DHIS2 reads and checks, and the inverse ones it ignores.
    pub properties: &'static [Property],
}

impl TypeSchema {
    /// The simple class name (`DataElement`), as messages write it.
    pub fn simple_name(&self) -> &'static str {
        self.klass.rsplit('.').next().unwrap_or(self.klass)
    }

    /// The property with JSON name `name`.
    pub fn property(&self, name: &str) -> Option<&'static Property> {
        self.properties.iter().find(|p| p.name == name)
    }

    /// Whether the type is one of DHIS2's default category types (category, category option,
    /// category combo, category option combo), whose `default` object is never imported.
    pub fn is_default_class(&self) -> bool {
        DEFAULT_CLASSES.contains(&self.key)
    }
}

/// The four category types that have a `default` object.
pub const DEFAULT_CLASSES: [&str; 4] = [
    "categoryOptions",
    "categories",
    "categoryCombos",
    "categoryOptionCombos",
];

/// Every modelled type, in DHIS2's import order (types of equal order in a fixed order of ours;
/// DHIS2 leaves ties unordered).
pub fn all() -> &'static [&'static TypeSchema] {
    &TYPES
}

/// The modelled type with collection key `key`.
pub fn by_key(key: &str) -> Option<&'static TypeSchema> {
    TYPES.iter().copied().find(|t| t.key == key)
}

/// The modelled type with singular name `singular`.
pub fn by_singular(singular: &str) -> Option<&'static TypeSchema> {
    TYPES.iter().copied().find(|t| t.singular == singular)
}

/// Whether `key` is a metadata type DHIS2 imports (modelled here or not). Keys that are not
/// (`system`, `date`, `package`, `legends`, …) are skipped by DHIS2's import.
pub fn is_dhis2_metadata_key(key: &str) -> bool {
    DHIS2_METADATA_KEYS.contains(&key)
}

/// The import order DHIS2 gives `key` (`Integer.MAX_VALUE` for types without an order, and for
/// unknown keys).
pub fn order_of(key: &str) -> u32 {
    by_key(key).map_or_else(
        || {
            UNMODELLED_ORDER
                .iter()
                .find(|(k, _)| *k == key)
                .map_or(u32::MAX, |(_, o)| *o)
        },
        |t| t.order,
    )
}

static TYPES: [&TypeSchema; 36] = [
    &aggregate::ATTRIBUTE,
    &aggregate::USER_ROLE,
    &aggregate::USER,
    &aggregate::USER_GROUP,
    &aggregate::OPTION,
    &aggregate::OPTION_SET,
    &aggregate::OPTION_GROUP,
    &aggregate::OPTION_GROUP_SET,
    &aggregate::LEGEND_SET,
    &aggregate::ORGANISATION_UNIT,
    &aggregate::ORGANISATION_UNIT_LEVEL,
    &aggregate::ORGANISATION_UNIT_GROUP,
    &aggregate::ORGANISATION_UNIT_GROUP_SET,
    &aggregate::CATEGORY_OPTION,
    &aggregate::CATEGORY_OPTION_GROUP,
    &aggregate::CATEGORY_OPTION_GROUP_SET,
    &aggregate::CATEGORY,
    &aggregate::CATEGORY_COMBO,
    &aggregate::CATEGORY_OPTION_COMBO,
    &aggregate::DATA_ELEMENT,
    &aggregate::DATA_ELEMENT_GROUP,
    &aggregate::DATA_ELEMENT_GROUP_SET,
    &aggregate::INDICATOR_TYPE,
    &aggregate::INDICATOR,
    &aggregate::INDICATOR_GROUP,
    &aggregate::INDICATOR_GROUP_SET,
    &aggregate::DATA_SET,
    &aggregate::SECTION,
    &tracker::TRACKED_ENTITY_ATTRIBUTE,
    &tracker::TRACKED_ENTITY_TYPE,
    &tracker::PROGRAM_STAGE,
    &tracker::PROGRAM,
    &tracker::RELATIONSHIP_TYPE,
    &tracker::PROGRAM_RULE_VARIABLE,
    &tracker::PROGRAM_RULE_ACTION,
    &tracker::PROGRAM_RULE,
];

/// The orders of DHIS2 metadata types this crate does not model (for writing them back in
/// DHIS2's order).
const UNMODELLED_ORDER: [(&str, u32); 40] = [
    ("expressionDimensionItems", 1000),
    ("sqlViews", 1010),
    ("constants", 1030),
    ("jobConfigurations", 1040),
    ("routes", 1200),
    ("analyticsTableHooks", 1240),
    ("dataEntryForms", 1300),
    ("dataSetNotificationTemplates", 1311),
    ("dataApprovalLevels", 1370),
    ("dataApprovalWorkflows", 1380),
    ("validationRules", 1390),
    ("validationRuleGroups", 1400),
    ("validationNotificationTemplates", 1410),
    ("programNotificationTemplates", 1508),
    ("programStageSections", 1508),
    ("smsCommands", 1509),
    ("eventCharts", 1540),
    ("programSections", 1550),
    ("programIndicators", 1560),
    ("programIndicatorGroups", 1600),
    ("eventReports", 1640),
    ("aggregateDataExchanges", 1900),
    ("eventHooks", 1900),
    ("mapViews", 1900),
    ("documents", 2000),
    ("eventVisualizations", 2000),
    ("externalMapLayers", 2000),
    ("maps", 2000),
    ("reports", 2000),
    ("visualizations", 2000),
    ("predictors", 2001),
    ("predictorGroups", 2002),
    ("dashboards", 3501),
    ("apiToken", u32::MAX),
    ("eventFilters", u32::MAX),
    ("programStageWorkingLists", u32::MAX),
    ("trackedEntityInstanceFilters", u32::MAX),
    ("oAuth2Clients", u32::MAX),
    ("oAuth2Authorizations", u32::MAX),
    ("oAuth2AuthorizationConsents", u32::MAX),
];

/// Every collection key DHIS2's `/api/metadata` import reads (its metadata schemas).
const DHIS2_METADATA_KEYS: [&str; 76] = [
    "attributes",
    "userRoles",
    "users",
    "userGroups",
    "expressionDimensionItems",
    "sqlViews",
    "constants",
    "options",
    "jobConfigurations",
    "optionSets",
    "optionGroups",
    "optionGroupSets",
    "legendSets",
    "organisationUnits",
    "organisationUnitLevels",
    "organisationUnitGroups",
    "organisationUnitGroupSets",
    "categoryOptions",
    "categoryOptionGroups",
    "categoryOptionGroupSets",
    "categories",
    "categoryCombos",
    "categoryOptionCombos",
    "dataElements",
    "routes",
    "dataElementGroups",
    "dataElementGroupSets",
    "indicatorTypes",
    "analyticsTableHooks",
    "indicators",
    "indicatorGroups",
    "indicatorGroupSets",
    "dataEntryForms",
    "dataSets",
    "dataSetNotificationTemplates",
    "sections",
    "dataApprovalLevels",
    "dataApprovalWorkflows",
    "validationRules",
    "validationRuleGroups",
    "validationNotificationTemplates",
    "trackedEntityAttributes",
    "trackedEntityTypes",
    "programNotificationTemplates",
    "programStageSections",
    "programStages",
    "smsCommands",
    "programs",
    "eventCharts",
    "programSections",
    "programIndicators",
    "programIndicatorGroups",
    "programRuleVariables",
    "relationshipTypes",
    "programRuleActions",
    "programRules",
    "eventReports",
    "aggregateDataExchanges",
    "eventHooks",
    "mapViews",
    "documents",
    "eventVisualizations",
    "externalMapLayers",
    "maps",
    "reports",
    "visualizations",
    "predictors",
    "predictorGroups",
    "dashboards",
    "apiToken",
    "eventFilters",
    "programStageWorkingLists",
    "trackedEntityInstanceFilters",
    "oAuth2Clients",
    "oAuth2Authorizations",
    "oAuth2AuthorizationConsents",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_are_in_import_order_and_unique() {
        let types = all();
        for pair in types.windows(2) {
            if let [a, b] = pair {
                assert!(a.order <= b.order, "{} before {}", a.key, b.key);
                assert_ne!(a.key, b.key);
            }
        }
        for t in types {
            assert!(is_dhis2_metadata_key(t.key), "{}", t.key);
            assert_eq!(by_singular(t.singular).map(|s| s.key), Some(t.key));
        }
    }

    #[test]
    fn references_point_at_modelled_types() {
        for t in all() {
            for p in t.properties {
                if let Some(target) = p.target() {
                    assert!(by_key(target).is_some(), "{}.{} → {target}", t.key, p.name);
                }
                if let Kind::Embedded(e) | Kind::EmbeddedList(e) = p.kind {
                    for ep in e.properties {
                        if let Some(target) = ep.target() {
                            assert!(by_key(target).is_some(), "{}.{}.{}", t.key, p.name, ep.name);
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn orders_follow_dhis2() {
        assert_eq!(order_of("options"), 1040);
        assert!(order_of("options") < order_of("optionSets"));
        assert!(order_of("categoryCombos") < order_of("categoryOptionCombos"));
        assert_eq!(order_of("dashboards"), 3501);
        assert_eq!(order_of("somethingElse"), u32::MAX);
    }
}
