//! The aggregate types: attributes, users and roles (as far as references need them), options,
//! legend sets, org units, categories, data elements, indicators, data sets and sections.
//!
//! Required, unique and length facts are DHIS2's Hibernate mappings and JPA columns (HEAD).

use super::property::{Embedded, Property as P};
use super::TypeSchema;

/// `ValueType` constants (HEAD; `TRACKER_ASSOCIATE` is accepted up to 2.42 by the import).
pub const VALUE_TYPES: &[&str] = &[
    "TEXT",
    "LONG_TEXT",
    "MULTI_TEXT",
    "LETTER",
    "PHONE_NUMBER",
    "EMAIL",
    "BOOLEAN",
    "TRUE_ONLY",
    "DATE",
    "DATETIME",
    "TIME",
    "NUMBER",
    "UNIT_INTERVAL",
    "PERCENTAGE",
    "INTEGER",
    "INTEGER_POSITIVE",
    "INTEGER_NEGATIVE",
    "INTEGER_ZERO_OR_POSITIVE",
    "USERNAME",
    "COORDINATE",
    "ORGANISATION_UNIT",
    "REFERENCE",
    "AGE",
    "URL",
    "FILE_RESOURCE",
    "IMAGE",
    "GEOJSON",
    "TRACKER_ASSOCIATE",
];

/// `AggregationType` constants.
pub const AGGREGATION_TYPES: &[&str] = &[
    "SUM",
    "AVERAGE",
    "AVERAGE_SUM_ORG_UNIT",
    "LAST",
    "LAST_AVERAGE_ORG_UNIT",
    "LAST_LAST_ORG_UNIT",
    "LAST_IN_PERIOD",
    "LAST_IN_PERIOD_AVERAGE_ORG_UNIT",
    "FIRST",
    "FIRST_AVERAGE_ORG_UNIT",
    "FIRST_FIRST_ORG_UNIT",
    "COUNT",
    "STDDEV",
    "VARIANCE",
    "MIN",
    "MAX",
    "MIN_SUM_ORG_UNIT",
    "MAX_SUM_ORG_UNIT",
    "NONE",
    "CUSTOM",
    "DEFAULT",
];

const DOMAIN_TYPES: &[&str] = &["AGGREGATE", "TRACKER"];
const DATA_DIMENSION_TYPES: &[&str] = &["DISAGGREGATION", "ATTRIBUTE"];

pub(super) const VALUE_TYPE_JAVA: &str = "org.hisp.dhis.common.ValueType";
pub(super) const AGGREGATION_JAVA: &str = "org.hisp.dhis.analytics.AggregationType";
const DIMENSION_JAVA: &str = "org.hisp.dhis.common.DataDimensionType";

pub(super) const ID: P = P::text("id").unique().len(11);
pub(super) const CODE: P = P::text("code").unique().len(50);
pub(super) const NAME: P = P::text("name").required().len(230);
pub(super) const NAME_UNIQUE: P = P::text("name").required().unique().len(230);
pub(super) const SHORT_NAME: P = P::text("shortName").required().len(50);
pub(super) const SHORT_NAME_UNIQUE: P = P::text("shortName").required().unique().len(50);
pub(super) const DESCRIPTION: P = P::text("description");
pub(super) const FORM_NAME: P = P::text("formName");
pub(super) const CREATED: P = P::date("created");
pub(super) const LAST_UPDATED: P = P::date("lastUpdated");

const fn value_type() -> P {
    P::enumeration("valueType", VALUE_TYPE_JAVA, VALUE_TYPES).required()
}

const fn dimension_type() -> P {
    P::enumeration("dataDimensionType", DIMENSION_JAVA, DATA_DIMENSION_TYPES).required()
}

const OPTION_SET_JAVA: &str = "org.hisp.dhis.option.OptionSet";
const COMBO_JAVA: &str = "org.hisp.dhis.category.CategoryCombo";

/// `attributes`.
pub static ATTRIBUTE: TypeSchema = TypeSchema {
    key: "attributes",
    singular: "attribute",
    klass: "org.hisp.dhis.attribute.Attribute",
    order: 100,
    shareable: true,
    data_shareable: false,
    attribute_flag: None,
    uid_only: false,
    properties: &[
        ID,
        CODE,
        NAME_UNIQUE,
        P::text("shortName").len(50),
        DESCRIPTION,
        value_type(),
        P::reference("optionSet", "optionSets", OPTION_SET_JAVA),
        P::boolean("mandatory"),
        P::boolean("unique"),
        P::integer("sortOrder"),
        CREATED,
        LAST_UPDATED,
    ],
};

/// `userRoles`.
pub static USER_ROLE: TypeSchema = TypeSchema {
    key: "userRoles",
    singular: "userRole",
    klass: "org.hisp.dhis.user.UserRole",
    order: 100,
    shareable: true,
    data_shareable: false,
    attribute_flag: None,
    uid_only: true,
    properties: &[
        ID,
        CODE,
        NAME_UNIQUE,
        DESCRIPTION,
        P::inverse("users"),
        CREATED,
        LAST_UPDATED,
    ],
};

/// `users` (as far as references need them).
pub static USER: TypeSchema = TypeSchema {
    key: "users",
    singular: "user",
    klass: "org.hisp.dhis.user.User",
    order: 101,
    shareable: false,
    data_shareable: false,
    attribute_flag: Some("userAttribute"),
    uid_only: true,
    properties: &[
        ID,
        CODE,
        P::text("username").required().unique(),
        P::text("firstName").required().len(160),
        P::text("surname").required().len(160),
        P::email("email").len(160),
        P::text("phoneNumber").len(80),
        P::references("userRoles", "userRole", "userRoles"),
        P::references("organisationUnits", "organisationUnit", "organisationUnits"),
        P::references(
            "dataViewOrganisationUnits",
            "dataViewOrganisationUnit",
            "organisationUnits",
        ),
        P::references(
            "teiSearchOrganisationUnits",
            "teiSearchOrganisationUnit",
            "organisationUnits",
        ),
        P::references(
            "catDimensionConstraints",
            "catDimensionConstraint",
            "categories",
        ),
        P::references(
            "cogsDimensionConstraints",
            "cogsDimensionConstraint",
            "categoryOptionGroupSets",
        ),
        P::inverse("userGroups"),
        CREATED,
        LAST_UPDATED,
    ],
};

/// `userGroups`.
pub static USER_GROUP: TypeSchema = TypeSchema {
    key: "userGroups",
    singular: "userGroup",
    klass: "org.hisp.dhis.user.UserGroup",
    order: 102,
    shareable: true,
    data_shareable: false,
    attribute_flag: Some("userGroupAttribute"),
    uid_only: false,
    properties: &[
        ID,
        CODE,
        NAME,
        P::text("description").len(255),
        P::references("users", "user", "users"),
        P::references("managedGroups", "managedGroup", "userGroups"),
        P::inverse("managedByGroups"),
        CREATED,
        LAST_UPDATED,
    ],
};

/// `options`.
pub static OPTION: TypeSchema = TypeSchema {
    key: "options",
    singular: "option",
    klass: "org.hisp.dhis.option.Option",
    order: 1040,
    shareable: false,
    data_shareable: false,
    attribute_flag: Some("optionAttribute"),
    uid_only: false,
    properties: &[
        ID,
        P::text("code").required().len(230),
        NAME,
        P::reference("optionSet", "optionSets", OPTION_SET_JAVA),
        P::integer("sortOrder"),
        FORM_NAME,
        DESCRIPTION,
        CREATED,
        LAST_UPDATED,
    ],
};

/// `optionSets`.
pub static OPTION_SET: TypeSchema = TypeSchema {
    key: "optionSets",
    singular: "optionSet",
    klass: "org.hisp.dhis.option.OptionSet",
    order: 1050,
    shareable: true,
    data_shareable: false,
    attribute_flag: Some("optionSetAttribute"),
    uid_only: false,
    properties: &[
        ID,
        CODE,
        NAME_UNIQUE,
        value_type(),
        P::integer("version"),
        DESCRIPTION,
        P::references("options", "option", "options"),
        CREATED,
        LAST_UPDATED,
    ],
};

/// `optionGroups`.
pub static OPTION_GROUP: TypeSchema = TypeSchema {
    key: "optionGroups",
    singular: "optionGroup",
    klass: "org.hisp.dhis.option.OptionGroup",
    order: 1051,
    shareable: true,
    data_shareable: false,
    attribute_flag: None,
    uid_only: false,
    properties: &[
        ID,
        CODE,
        NAME_UNIQUE,
        SHORT_NAME_UNIQUE,
        DESCRIPTION,
        P::references("options", "option", "options"),
        P::reference("optionSet", "optionSets", OPTION_SET_JAVA),
        CREATED,
        LAST_UPDATED,
    ],
};

/// `optionGroupSets`.
pub static OPTION_GROUP_SET: TypeSchema = TypeSchema {
    key: "optionGroupSets",
    singular: "optionGroupSet",
    klass: "org.hisp.dhis.option.OptionGroupSet",
    order: 1051,
    shareable: true,
    data_shareable: false,
    attribute_flag: None,
    uid_only: false,
    properties: &[
        ID,
        CODE,
        NAME_UNIQUE,
        DESCRIPTION,
        P::boolean("dataDimension"),
        P::references("optionGroups", "optionGroup", "optionGroups"),
        P::reference("optionSet", "optionSets", OPTION_SET_JAVA),
        CREATED,
        LAST_UPDATED,
    ],
};

static LEGEND: Embedded = Embedded {
    klass: "org.hisp.dhis.legend.Legend",
    identifiable: true,
    properties: &[
        P::text("name"),
        P::number("startValue"),
        P::number("endValue"),
        P::text("color"),
    ],
};

/// `legendSets` (legends embedded).
pub static LEGEND_SET: TypeSchema = TypeSchema {
    key: "legendSets",
    singular: "legendSet",
    klass: "org.hisp.dhis.legend.LegendSet",
    order: 1080,
    shareable: true,
    data_shareable: false,
    attribute_flag: Some("legendSetAttribute"),
    uid_only: false,
    properties: &[
        ID,
        CODE,
        NAME_UNIQUE,
        P::text("symbolizer"),
        P::embedded_list("legends", "legend", &LEGEND),
        CREATED,
        LAST_UPDATED,
    ],
};

/// `organisationUnits`.
pub static ORGANISATION_UNIT: TypeSchema = TypeSchema {
    key: "organisationUnits",
    singular: "organisationUnit",
    klass: "org.hisp.dhis.organisationunit.OrganisationUnit",
    order: 1100,
    shareable: false,
    data_shareable: false,
    attribute_flag: Some("organisationUnitAttribute"),
    uid_only: false,
    properties: &[
        ID,
        CODE,
        NAME,
        SHORT_NAME,
        DESCRIPTION,
        P::date("openingDate").required(),
        P::date("closedDate"),
        P::text("comment"),
        P::url("url"),
        P::text("contactPerson").len(255),
        P::text("address").len(255),
        P::email("email").len(150),
        P::text("phoneNumber").len(150),
        P::reference(
            "parent",
            "organisationUnits",
            "org.hisp.dhis.organisationunit.OrganisationUnit",
        ),
        P::geometry("geometry"),
        P::inverse("children"),
        P::inverse("dataSets"),
        P::inverse("programs"),
        P::inverse("organisationUnitGroups"),
        P::inverse("users"),
        P::inverse("categoryOptions"),
        CREATED,
        LAST_UPDATED,
    ],
};

/// `organisationUnitLevels`.
pub static ORGANISATION_UNIT_LEVEL: TypeSchema = TypeSchema {
    key: "organisationUnitLevels",
    singular: "organisationUnitLevel",
    klass: "org.hisp.dhis.organisationunit.OrganisationUnitLevel",
    order: 1110,
    shareable: false,
    data_shareable: false,
    attribute_flag: None,
    uid_only: false,
    properties: &[
        ID,
        CODE,
        NAME,
        P::integer("level").required().unique(),
        P::integer("offlineLevels"),
        CREATED,
        LAST_UPDATED,
    ],
};

/// `organisationUnitGroups`.
pub static ORGANISATION_UNIT_GROUP: TypeSchema = TypeSchema {
    key: "organisationUnitGroups",
    singular: "organisationUnitGroup",
    klass: "org.hisp.dhis.organisationunit.OrganisationUnitGroup",
    order: 1120,
    shareable: true,
    data_shareable: false,
    attribute_flag: Some("organisationUnitGroupAttribute"),
    uid_only: false,
    properties: &[
        ID,
        CODE,
        NAME_UNIQUE,
        SHORT_NAME_UNIQUE,
        DESCRIPTION,
        P::text("symbol"),
        P::text("color"),
        P::geometry("geometry"),
        P::references("organisationUnits", "organisationUnit", "organisationUnits"),
        P::inverse("groupSets"),
        CREATED,
        LAST_UPDATED,
    ],
};

/// `organisationUnitGroupSets`.
pub static ORGANISATION_UNIT_GROUP_SET: TypeSchema = TypeSchema {
    key: "organisationUnitGroupSets",
    singular: "organisationUnitGroupSet",
    klass: "org.hisp.dhis.organisationunit.OrganisationUnitGroupSet",
    order: 1130,
    shareable: true,
    data_shareable: false,
    attribute_flag: Some("organisationUnitGroupSetAttribute"),
    uid_only: false,
    properties: &[
        ID,
        CODE,
        NAME_UNIQUE,
        SHORT_NAME_UNIQUE,
        DESCRIPTION,
        P::boolean("compulsory"),
        P::boolean("includeSubhierarchyInAnalytics"),
        P::boolean("dataDimension"),
        P::references(
            "organisationUnitGroups",
            "organisationUnitGroup",
            "organisationUnitGroups",
        ),
        CREATED,
        LAST_UPDATED,
    ],
};

/// `categoryOptions`.
pub static CATEGORY_OPTION: TypeSchema = TypeSchema {
    key: "categoryOptions",
    singular: "categoryOption",
    klass: "org.hisp.dhis.category.CategoryOption",
    order: 1140,
    shareable: true,
    data_shareable: true,
    attribute_flag: Some("categoryOptionAttribute"),
    uid_only: false,
    properties: &[
        ID,
        CODE,
        NAME_UNIQUE,
        SHORT_NAME_UNIQUE,
        FORM_NAME,
        DESCRIPTION,
        P::date("startDate"),
        P::date("endDate"),
        P::references("organisationUnits", "organisationUnit", "organisationUnits"),
        P::inverse("categories"),
        P::inverse("categoryOptionCombos"),
        P::inverse("categoryOptionGroups"),
        CREATED,
        LAST_UPDATED,
    ],
};

/// `categoryOptionGroups`.
pub static CATEGORY_OPTION_GROUP: TypeSchema = TypeSchema {
    key: "categoryOptionGroups",
    singular: "categoryOptionGroup",
    klass: "org.hisp.dhis.category.CategoryOptionGroup",
    order: 1150,
    shareable: true,
    data_shareable: true,
    attribute_flag: Some("categoryOptionGroupAttribute"),
    uid_only: false,
    properties: &[
        ID,
        CODE,
        NAME_UNIQUE,
        SHORT_NAME_UNIQUE,
        DESCRIPTION,
        dimension_type(),
        P::references("categoryOptions", "categoryOption", "categoryOptions"),
        P::inverse("groupSets"),
        CREATED,
        LAST_UPDATED,
    ],
};

/// `categoryOptionGroupSets`.
pub static CATEGORY_OPTION_GROUP_SET: TypeSchema = TypeSchema {
    key: "categoryOptionGroupSets",
    singular: "categoryOptionGroupSet",
    klass: "org.hisp.dhis.category.CategoryOptionGroupSet",
    order: 1160,
    shareable: true,
    data_shareable: false,
    attribute_flag: Some("categoryOptionGroupSetAttribute"),
    uid_only: false,
    properties: &[
        ID,
        CODE,
        NAME_UNIQUE,
        P::text("shortName").unique().len(50).required_from(38),
        DESCRIPTION,
        P::boolean("dataDimension"),
        dimension_type(),
        P::references(
            "categoryOptionGroups",
            "categoryOptionGroup",
            "categoryOptionGroups",
        ),
        CREATED,
        LAST_UPDATED,
    ],
};

/// `categories`.
pub static CATEGORY: TypeSchema = TypeSchema {
    key: "categories",
    singular: "category",
    klass: "org.hisp.dhis.category.Category",
    order: 1170,
    shareable: true,
    data_shareable: false,
    attribute_flag: Some("categoryAttribute"),
    uid_only: false,
    properties: &[
        ID,
        CODE,
        NAME_UNIQUE,
        SHORT_NAME_UNIQUE,
        DESCRIPTION,
        dimension_type(),
        P::boolean("dataDimension"),
        P::references("categoryOptions", "categoryOption", "categoryOptions"),
        P::inverse("categoryCombos"),
        CREATED,
        LAST_UPDATED,
    ],
};

/// `categoryCombos`.
pub static CATEGORY_COMBO: TypeSchema = TypeSchema {
    key: "categoryCombos",
    singular: "categoryCombo",
    klass: "org.hisp.dhis.category.CategoryCombo",
    order: 1180,
    shareable: true,
    data_shareable: false,
    attribute_flag: None,
    uid_only: false,
    properties: &[
        ID,
        CODE,
        NAME_UNIQUE,
        dimension_type(),
        P::boolean("skipTotal"),
        P::references("categories", "category", "categories"),
        P::inverse("categoryOptionCombos"),
        CREATED,
        LAST_UPDATED,
    ],
};

/// `categoryOptionCombos`.
pub static CATEGORY_OPTION_COMBO: TypeSchema = TypeSchema {
    key: "categoryOptionCombos",
    singular: "categoryOptionCombo",
    klass: "org.hisp.dhis.category.CategoryOptionCombo",
    order: 1190,
    shareable: false,
    data_shareable: false,
    attribute_flag: Some("categoryOptionComboAttribute"),
    uid_only: false,
    properties: &[
        ID,
        CODE,
        P::text("name"),
        P::reference("categoryCombo", "categoryCombos", COMBO_JAVA).or_default(),
        P::references("categoryOptions", "categoryOption", "categoryOptions"),
        P::boolean("ignoreApproval"),
        CREATED,
        LAST_UPDATED,
    ],
};

/// `dataElements`.
pub static DATA_ELEMENT: TypeSchema = TypeSchema {
    key: "dataElements",
    singular: "dataElement",
    klass: "org.hisp.dhis.dataelement.DataElement",
    order: 1200,
    shareable: true,
    data_shareable: false,
    attribute_flag: Some("dataElementAttribute"),
    uid_only: false,
    properties: &[
        ID,
        CODE,
        NAME_UNIQUE,
        SHORT_NAME_UNIQUE,
        P::text("formName").len(230),
        DESCRIPTION,
        value_type(),
        P::enumeration(
            "domainType",
            "org.hisp.dhis.dataelement.DataElementDomain",
            DOMAIN_TYPES,
        )
        .required(),
        P::enumeration("aggregationType", AGGREGATION_JAVA, AGGREGATION_TYPES).required(),
        P::boolean("zeroIsSignificant"),
        P::reference("categoryCombo", "categoryCombos", COMBO_JAVA).or_default(),
        P::reference("optionSet", "optionSets", OPTION_SET_JAVA),
        P::reference("commentOptionSet", "optionSets", OPTION_SET_JAVA),
        P::references("legendSets", "legendSet", "legendSets"),
        P::url("url").len(255),
        P::text("fieldMask"),
        P::inverse("dataElementGroups"),
        P::inverse("dataSetElements"),
        CREATED,
        LAST_UPDATED,
    ],
};

/// `dataElementGroups`.
pub static DATA_ELEMENT_GROUP: TypeSchema = TypeSchema {
    key: "dataElementGroups",
    singular: "dataElementGroup",
    klass: "org.hisp.dhis.dataelement.DataElementGroup",
    order: 1210,
    shareable: true,
    data_shareable: false,
    attribute_flag: Some("dataElementGroupAttribute"),
    uid_only: false,
    properties: &[
        ID,
        CODE,
        NAME_UNIQUE,
        P::text("shortName").unique().len(50).required_from(40),
        DESCRIPTION,
        P::references("dataElements", "dataElement", "dataElements"),
        P::inverse("groupSets"),
        CREATED,
        LAST_UPDATED,
    ],
};

/// `dataElementGroupSets`.
pub static DATA_ELEMENT_GROUP_SET: TypeSchema = TypeSchema {
    key: "dataElementGroupSets",
    singular: "dataElementGroupSet",
    klass: "org.hisp.dhis.dataelement.DataElementGroupSet",
    order: 1220,
    shareable: true,
    data_shareable: false,
    attribute_flag: Some("dataElementGroupSetAttribute"),
    uid_only: false,
    properties: &[
        ID,
        CODE,
        NAME_UNIQUE,
        SHORT_NAME_UNIQUE,
        DESCRIPTION,
        P::boolean("compulsory"),
        P::boolean("dataDimension"),
        P::references("dataElementGroups", "dataElementGroup", "dataElementGroups"),
        CREATED,
        LAST_UPDATED,
    ],
};

/// `indicatorTypes`.
pub static INDICATOR_TYPE: TypeSchema = TypeSchema {
    key: "indicatorTypes",
    singular: "indicatorType",
    klass: "org.hisp.dhis.indicator.IndicatorType",
    order: 1240,
    shareable: false,
    data_shareable: false,
    attribute_flag: None,
    uid_only: false,
    properties: &[
        ID,
        CODE,
        NAME_UNIQUE,
        P::integer("factor"),
        P::boolean("number"),
        CREATED,
        LAST_UPDATED,
    ],
};

/// `indicators`.
pub static INDICATOR: TypeSchema = TypeSchema {
    key: "indicators",
    singular: "indicator",
    klass: "org.hisp.dhis.indicator.Indicator",
    order: 1250,
    shareable: true,
    data_shareable: false,
    attribute_flag: Some("indicatorAttribute"),
    uid_only: false,
    properties: &[
        ID,
        CODE,
        NAME,
        SHORT_NAME,
        FORM_NAME,
        DESCRIPTION,
        P::reference(
            "indicatorType",
            "indicatorTypes",
            "org.hisp.dhis.indicator.IndicatorType",
        )
        .required(),
        P::text("numerator").required(),
        P::text("denominator").required(),
        P::text("numeratorDescription"),
        P::text("denominatorDescription"),
        P::boolean("annualized"),
        P::integer("decimals"),
        P::url("url"),
        P::references("legendSets", "legendSet", "legendSets"),
        P::text("aggregateExportCategoryOptionCombo"),
        P::text("aggregateExportAttributeOptionCombo"),
        P::inverse("indicatorGroups"),
        P::inverse("dataSets"),
        CREATED,
        LAST_UPDATED,
    ],
};

/// `indicatorGroups`.
pub static INDICATOR_GROUP: TypeSchema = TypeSchema {
    key: "indicatorGroups",
    singular: "indicatorGroup",
    klass: "org.hisp.dhis.indicator.IndicatorGroup",
    order: 1260,
    shareable: true,
    data_shareable: false,
    attribute_flag: Some("indicatorGroupAttribute"),
    uid_only: false,
    properties: &[
        ID,
        CODE,
        NAME_UNIQUE,
        DESCRIPTION,
        P::references("indicators", "indicator", "indicators"),
        P::inverse("groupSets"),
        CREATED,
        LAST_UPDATED,
    ],
};

/// `indicatorGroupSets`.
pub static INDICATOR_GROUP_SET: TypeSchema = TypeSchema {
    key: "indicatorGroupSets",
    singular: "indicatorGroupSet",
    klass: "org.hisp.dhis.indicator.IndicatorGroupSet",
    order: 1270,
    shareable: true,
    data_shareable: false,
    attribute_flag: None,
    uid_only: false,
    properties: &[
        ID,
        CODE,
        NAME,
        SHORT_NAME_UNIQUE,
        DESCRIPTION,
        P::boolean("compulsory"),
        P::references("indicatorGroups", "indicatorGroup", "indicatorGroups"),
        CREATED,
        LAST_UPDATED,
    ],
};

static DATA_SET_ELEMENT: Embedded = Embedded {
    klass: "org.hisp.dhis.dataset.DataSetElement",
    identifiable: false,
    properties: &[
        P::reference(
            "dataElement",
            "dataElements",
            "org.hisp.dhis.dataelement.DataElement",
        ),
        P::reference("categoryCombo", "categoryCombos", COMBO_JAVA),
    ],
};

static DATA_INPUT_PERIOD: Embedded = Embedded {
    klass: "org.hisp.dhis.dataset.DataInputPeriod",
    identifiable: false,
    properties: &[P::date("openingDate"), P::date("closingDate")],
};

pub(super) static OPERAND: Embedded = Embedded {
    klass: "org.hisp.dhis.dataelement.DataElementOperand",
    identifiable: true,
    properties: &[
        P::reference(
            "dataElement",
            "dataElements",
            "org.hisp.dhis.dataelement.DataElement",
        ),
        P::reference(
            "categoryOptionCombo",
            "categoryOptionCombos",
            "org.hisp.dhis.category.CategoryOptionCombo",
        ),
    ],
};

/// `dataSets` (data set elements, data input periods and compulsory operands embedded).
pub static DATA_SET: TypeSchema = TypeSchema {
    key: "dataSets",
    singular: "dataSet",
    klass: "org.hisp.dhis.dataset.DataSet",
    order: 1310,
    shareable: true,
    data_shareable: true,
    attribute_flag: Some("dataSetAttribute"),
    uid_only: false,
    properties: &[
        ID,
        CODE,
        NAME,
        SHORT_NAME_UNIQUE,
        DESCRIPTION,
        FORM_NAME,
        P::period_type("periodType").required(),
        P::reference("categoryCombo", "categoryCombos", COMBO_JAVA).or_default(),
        P::embedded_list("dataSetElements", "dataSetElement", &DATA_SET_ELEMENT),
        P::embedded_list("dataInputPeriods", "dataInputPeriod", &DATA_INPUT_PERIOD),
        P::embedded_list(
            "compulsoryDataElementOperands",
            "compulsoryDataElementOperand",
            &OPERAND,
        ),
        P::references("indicators", "indicator", "indicators"),
        P::references("organisationUnits", "organisationUnit", "organisationUnits"),
        P::references("legendSets", "legendSet", "legendSets"),
        P::reference(
            "notificationRecipients",
            "userGroups",
            "org.hisp.dhis.user.UserGroup",
        ),
        P::boolean("mobile"),
        P::integer("version"),
        P::number("expiryDays"),
        P::number("timelyDays"),
        P::boolean("notifyCompletingUser"),
        P::integer("openFuturePeriods"),
        P::integer("openPeriodsAfterCoEndDate"),
        P::boolean("fieldCombinationRequired"),
        P::boolean("validCompleteOnly"),
        P::boolean("noValueRequiresComment"),
        P::boolean("skipOffline"),
        P::boolean("dataElementDecoration"),
        P::boolean("renderAsTabs"),
        P::boolean("renderHorizontally"),
        P::boolean("compulsoryFieldsCompleteOnly"),
        P::inverse("sections"),
        P::inverse("interpretations"),
        CREATED,
        LAST_UPDATED,
    ],
};

/// `sections`.
pub static SECTION: TypeSchema = TypeSchema {
    key: "sections",
    singular: "section",
    klass: "org.hisp.dhis.dataset.Section",
    order: 1320,
    shareable: false,
    data_shareable: false,
    attribute_flag: Some("sectionAttribute"),
    uid_only: false,
    properties: &[
        ID,
        CODE,
        NAME,
        DESCRIPTION,
        P::reference("dataSet", "dataSets", "org.hisp.dhis.dataset.DataSet").required(),
        P::integer("sortOrder"),
        P::references("dataElements", "dataElement", "dataElements"),
        P::references("indicators", "indicator", "indicators"),
        P::embedded_list("greyedFields", "greyedField", &OPERAND),
        P::boolean("showRowTotals"),
        P::boolean("showColumnTotals"),
        P::boolean("disableDataElementAutoGroup"),
        CREATED,
        LAST_UPDATED,
    ],
};
