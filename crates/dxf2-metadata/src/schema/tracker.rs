//! The tracker types: tracked entity attributes and types, program stages (with their data
//! elements), programs (with their tracked entity attributes), relationship types and program
//! rules with their variables and actions (as far as references go).

use super::aggregate::{
    AGGREGATION_JAVA, AGGREGATION_TYPES, CODE, CREATED, DESCRIPTION, FORM_NAME, ID, LAST_UPDATED,
    NAME, NAME_UNIQUE, SHORT_NAME, VALUE_TYPES, VALUE_TYPE_JAVA,
};
use super::property::{Embedded, Property as P};
use super::TypeSchema;

const TEA_JAVA: &str = "org.hisp.dhis.trackedentity.TrackedEntityAttribute";
const DE_JAVA: &str = "org.hisp.dhis.dataelement.DataElement";
const PROGRAM_JAVA: &str = "org.hisp.dhis.program.Program";
const STAGE_JAVA: &str = "org.hisp.dhis.program.ProgramStage";
const TET_JAVA: &str = "org.hisp.dhis.trackedentity.TrackedEntityType";
const COMBO_JAVA: &str = "org.hisp.dhis.category.CategoryCombo";

/// `trackedEntityAttributes`.
pub static TRACKED_ENTITY_ATTRIBUTE: TypeSchema = TypeSchema {
    key: "trackedEntityAttributes",
    singular: "trackedEntityAttribute",
    klass: TEA_JAVA,
    order: 1450,
    shareable: true,
    data_shareable: false,
    attribute_flag: Some("trackedEntityAttributeAttribute"),
    uid_only: false,
    properties: &[
        ID,
        CODE,
        NAME_UNIQUE,
        P::text("shortName").required().unique().len(50),
        FORM_NAME,
        DESCRIPTION,
        P::enumeration("valueType", VALUE_TYPE_JAVA, VALUE_TYPES).required(),
        P::enumeration("aggregationType", AGGREGATION_JAVA, AGGREGATION_TYPES).required(),
        P::reference("optionSet", "optionSets", "org.hisp.dhis.option.OptionSet"),
        P::references("legendSets", "legendSet", "legendSets"),
        P::boolean("unique"),
        P::boolean("generated"),
        P::boolean("inherit"),
        P::boolean("confidential"),
        P::text("pattern"),
        P::text("fieldMask"),
        CREATED,
        LAST_UPDATED,
    ],
};

static TRACKED_ENTITY_TYPE_ATTRIBUTE: Embedded = Embedded {
    klass: "org.hisp.dhis.trackedentity.TrackedEntityTypeAttribute",
    identifiable: true,
    properties: &[
        P::reference(
            "trackedEntityAttribute",
            "trackedEntityAttributes",
            TEA_JAVA,
        )
        .required(),
        P::boolean("displayInList"),
        P::boolean("mandatory"),
        P::boolean("searchable"),
    ],
};

/// `trackedEntityTypes` (tracked entity type attributes embedded).
pub static TRACKED_ENTITY_TYPE: TypeSchema = TypeSchema {
    key: "trackedEntityTypes",
    singular: "trackedEntityType",
    klass: TET_JAVA,
    order: 1480,
    shareable: true,
    data_shareable: true,
    attribute_flag: Some("trackedEntityTypeAttribute"),
    uid_only: false,
    properties: &[
        ID,
        CODE,
        NAME_UNIQUE,
        P::text("shortName").unique().required_from(42),
        DESCRIPTION,
        FORM_NAME,
        P::embedded_list(
            "trackedEntityTypeAttributes",
            "trackedEntityTypeAttribute",
            &TRACKED_ENTITY_TYPE_ATTRIBUTE,
        ),
        CREATED,
        LAST_UPDATED,
    ],
};

static PROGRAM_STAGE_DATA_ELEMENT: Embedded = Embedded {
    klass: "org.hisp.dhis.program.ProgramStageDataElement",
    identifiable: true,
    properties: &[
        P::reference("dataElement", "dataElements", DE_JAVA).required(),
        P::boolean("compulsory"),
        P::boolean("allowProvidedElsewhere"),
        P::integer("sortOrder"),
        P::boolean("displayInReports"),
        P::boolean("allowFutureDate"),
    ],
};

/// `programStages` (program stage data elements embedded).
pub static PROGRAM_STAGE: TypeSchema = TypeSchema {
    key: "programStages",
    singular: "programStage",
    klass: STAGE_JAVA,
    order: 1509,
    shareable: true,
    data_shareable: true,
    attribute_flag: Some("programStageAttribute"),
    uid_only: false,
    properties: &[
        ID,
        CODE,
        NAME,
        DESCRIPTION,
        FORM_NAME,
        P::reference("program", "programs", PROGRAM_JAVA),
        P::integer("minDaysFromStart"),
        P::boolean("repeatable"),
        P::embedded_list(
            "programStageDataElements",
            "programStageDataElement",
            &PROGRAM_STAGE_DATA_ELEMENT,
        ),
        P::period_type("periodType"),
        P::integer("sortOrder"),
        P::reference("nextScheduleDate", "dataElements", DE_JAVA),
        CREATED,
        LAST_UPDATED,
    ],
};

static PROGRAM_TRACKED_ENTITY_ATTRIBUTE: Embedded = Embedded {
    klass: "org.hisp.dhis.program.ProgramTrackedEntityAttribute",
    identifiable: true,
    properties: &[
        P::reference(
            "trackedEntityAttribute",
            "trackedEntityAttributes",
            TEA_JAVA,
        )
        .required(),
        P::boolean("mandatory"),
        P::boolean("displayInList"),
        P::boolean("searchable"),
        P::integer("sortOrder"),
        P::boolean("allowFutureDate"),
    ],
};

/// `programs` (program tracked entity attributes embedded).
pub static PROGRAM: TypeSchema = TypeSchema {
    key: "programs",
    singular: "program",
    klass: PROGRAM_JAVA,
    order: 1520,
    shareable: true,
    data_shareable: true,
    attribute_flag: Some("programAttribute"),
    uid_only: false,
    properties: &[
        ID,
        CODE,
        NAME,
        SHORT_NAME,
        DESCRIPTION,
        FORM_NAME,
        P::integer("version"),
        P::enumeration(
            "programType",
            "org.hisp.dhis.program.ProgramType",
            &["WITH_REGISTRATION", "WITHOUT_REGISTRATION"],
        )
        .required(),
        P::references("organisationUnits", "organisationUnit", "organisationUnits"),
        P::references("programStages", "programStage", "programStages"),
        P::embedded_list(
            "programTrackedEntityAttributes",
            "programTrackedEntityAttribute",
            &PROGRAM_TRACKED_ENTITY_ATTRIBUTE,
        ),
        P::reference("trackedEntityType", "trackedEntityTypes", TET_JAVA),
        P::reference("categoryCombo", "categoryCombos", COMBO_JAVA).or_default(),
        P::reference("relatedProgram", "programs", PROGRAM_JAVA),
        P::references("userRoles", "userRole", "userRoles"),
        P::inverse("programIndicators"),
        P::inverse("programRuleVariables"),
        CREATED,
        LAST_UPDATED,
    ],
};

static RELATIONSHIP_CONSTRAINT: Embedded = Embedded {
    klass: "org.hisp.dhis.relationship.RelationshipConstraint",
    identifiable: false,
    properties: &[
        P::text("relationshipEntity"),
        P::reference("trackedEntityType", "trackedEntityTypes", TET_JAVA),
        P::reference("program", "programs", PROGRAM_JAVA),
        P::reference("programStage", "programStages", STAGE_JAVA),
    ],
};

/// `relationshipTypes` (constraints embedded).
pub static RELATIONSHIP_TYPE: TypeSchema = TypeSchema {
    key: "relationshipTypes",
    singular: "relationshipType",
    klass: "org.hisp.dhis.relationship.RelationshipType",
    order: 1600,
    shareable: true,
    data_shareable: true,
    attribute_flag: Some("relationshipTypeAttribute"),
    uid_only: false,
    properties: &[
        ID,
        CODE,
        NAME_UNIQUE,
        DESCRIPTION,
        P::boolean("bidirectional"),
        P::text("fromToName").required(),
        P::text("toFromName"),
        P::boolean("referral"),
        P::embedded("fromConstraint", &RELATIONSHIP_CONSTRAINT),
        P::embedded("toConstraint", &RELATIONSHIP_CONSTRAINT),
        CREATED,
        LAST_UPDATED,
    ],
};

/// `programRuleVariables` (references only).
pub static PROGRAM_RULE_VARIABLE: TypeSchema = TypeSchema {
    key: "programRuleVariables",
    singular: "programRuleVariable",
    klass: "org.hisp.dhis.programrule.ProgramRuleVariable",
    order: 1600,
    shareable: false,
    data_shareable: false,
    attribute_flag: None,
    uid_only: false,
    properties: &[
        ID,
        CODE,
        NAME,
        P::reference("program", "programs", PROGRAM_JAVA).required(),
        P::text("programRuleVariableSourceType"),
        P::reference(
            "trackedEntityAttribute",
            "trackedEntityAttributes",
            TEA_JAVA,
        ),
        P::reference("dataElement", "dataElements", DE_JAVA),
        P::reference("programStage", "programStages", STAGE_JAVA),
        P::boolean("useCodeForOptionSet"),
        CREATED,
        LAST_UPDATED,
    ],
};

/// `programRuleActions` (references only).
pub static PROGRAM_RULE_ACTION: TypeSchema = TypeSchema {
    key: "programRuleActions",
    singular: "programRuleAction",
    klass: "org.hisp.dhis.programrule.ProgramRuleAction",
    order: 1610,
    shareable: false,
    data_shareable: false,
    attribute_flag: None,
    uid_only: false,
    properties: &[
        ID,
        CODE,
        P::text("programRuleActionType").required(),
        P::reference(
            "programRule",
            "programRules",
            "org.hisp.dhis.programrule.ProgramRule",
        ),
        P::reference("dataElement", "dataElements", DE_JAVA),
        P::reference(
            "trackedEntityAttribute",
            "trackedEntityAttributes",
            TEA_JAVA,
        ),
        P::reference("programStage", "programStages", STAGE_JAVA),
        P::reference("option", "options", "org.hisp.dhis.option.Option"),
        P::reference(
            "optionGroup",
            "optionGroups",
            "org.hisp.dhis.option.OptionGroup",
        ),
        P::text("content"),
        P::text("data"),
        P::text("location"),
        CREATED,
        LAST_UPDATED,
    ],
};

/// `programRules`.
pub static PROGRAM_RULE: TypeSchema = TypeSchema {
    key: "programRules",
    singular: "programRule",
    klass: "org.hisp.dhis.programrule.ProgramRule",
    order: 1620,
    shareable: false,
    data_shareable: false,
    attribute_flag: None,
    uid_only: false,
    properties: &[
        ID,
        CODE,
        NAME,
        DESCRIPTION,
        P::reference("program", "programs", PROGRAM_JAVA).required(),
        P::reference("programStage", "programStages", STAGE_JAVA),
        P::references(
            "programRuleActions",
            "programRuleAction",
            "programRuleActions",
        ),
        P::text("condition"),
        P::integer("priority"),
        CREATED,
        LAST_UPDATED,
    ],
};
