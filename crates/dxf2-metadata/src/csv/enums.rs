//! The Java enums the CSV classes read, with the DHIS2 versions each constant exists in
//! (read from `dhis2/dhis2-core`, branches 2.36 to 2.43 and master).

/// A Java enum read with `valueOf` (exact constant name; anything else fails the request).
#[derive(Debug)]
pub(crate) struct JavaEnum {
    /// The enum's simple name, e.g. `ValueType`.
    pub(crate) kind: &'static str,
    /// Its name below `org.hisp.dhis.`, e.g. `common.ValueType`.
    pub(crate) java_class: &'static str,
    /// `(constant, first minor version, last minor version)`.
    constants: &'static [(&'static str, u32, u32)],
}

const ALWAYS: u32 = u32::MAX;

impl JavaEnum {
    /// The constants of DHIS2 2.`minor`, in declaration order.
    pub(crate) fn constants(&self, minor: u32) -> Vec<&'static str> {
        self.constants
            .iter()
            .filter(|(_, since, until)| (*since..=*until).contains(&minor))
            .map(|(name, _, _)| *name)
            .collect()
    }

    /// Whether `value` is a constant of DHIS2 2.`minor` (`Enum.valueOf`).
    pub(crate) fn has(&self, minor: u32, value: &str) -> bool {
        self.constants
            .iter()
            .any(|(name, since, until)| *name == value && (*since..=*until).contains(&minor))
    }
}

/// `org.hisp.dhis.common.ValueType` (REFERENCE and GEOJSON since 2.38, MULTI_TEXT since 2.39,
/// TRACKER_ASSOCIATE until 2.42).
pub(crate) const VALUE_TYPE: JavaEnum = JavaEnum {
    kind: "ValueType",
    java_class: "common.ValueType",
    constants: &[
        ("TEXT", 0, ALWAYS),
        ("LONG_TEXT", 0, ALWAYS),
        ("MULTI_TEXT", 39, ALWAYS),
        ("LETTER", 0, ALWAYS),
        ("PHONE_NUMBER", 0, ALWAYS),
        ("EMAIL", 0, ALWAYS),
        ("BOOLEAN", 0, ALWAYS),
        ("TRUE_ONLY", 0, ALWAYS),
        ("DATE", 0, ALWAYS),
        ("DATETIME", 0, ALWAYS),
        ("TIME", 0, ALWAYS),
        ("NUMBER", 0, ALWAYS),
        ("UNIT_INTERVAL", 0, ALWAYS),
        ("PERCENTAGE", 0, ALWAYS),
        ("INTEGER", 0, ALWAYS),
        ("INTEGER_POSITIVE", 0, ALWAYS),
        ("INTEGER_NEGATIVE", 0, ALWAYS),
        ("INTEGER_ZERO_OR_POSITIVE", 0, ALWAYS),
        ("TRACKER_ASSOCIATE", 0, 42),
        ("USERNAME", 0, ALWAYS),
        ("COORDINATE", 0, ALWAYS),
        ("ORGANISATION_UNIT", 0, ALWAYS),
        ("REFERENCE", 38, ALWAYS),
        ("AGE", 0, ALWAYS),
        ("URL", 0, ALWAYS),
        ("FILE_RESOURCE", 0, ALWAYS),
        ("IMAGE", 0, ALWAYS),
        ("GEOJSON", 38, ALWAYS),
    ],
};

/// `org.hisp.dhis.analytics.AggregationType` (LAST_LAST_ORG_UNIT and FIRST_FIRST_ORG_UNIT since
/// 2.38, MIN_SUM_ORG_UNIT and MAX_SUM_ORG_UNIT since 2.40).
pub(crate) const AGGREGATION_TYPE: JavaEnum = JavaEnum {
    kind: "AggregationType",
    java_class: "analytics.AggregationType",
    constants: &[
        ("SUM", 0, ALWAYS),
        ("AVERAGE", 0, ALWAYS),
        ("AVERAGE_SUM_ORG_UNIT", 0, ALWAYS),
        ("LAST", 0, ALWAYS),
        ("LAST_AVERAGE_ORG_UNIT", 0, ALWAYS),
        ("LAST_LAST_ORG_UNIT", 38, ALWAYS),
        ("LAST_IN_PERIOD", 0, ALWAYS),
        ("LAST_IN_PERIOD_AVERAGE_ORG_UNIT", 0, ALWAYS),
        ("FIRST", 0, ALWAYS),
        ("FIRST_AVERAGE_ORG_UNIT", 0, ALWAYS),
        ("FIRST_FIRST_ORG_UNIT", 38, ALWAYS),
        ("COUNT", 0, ALWAYS),
        ("STDDEV", 0, ALWAYS),
        ("VARIANCE", 0, ALWAYS),
        ("MIN", 0, ALWAYS),
        ("MAX", 0, ALWAYS),
        ("MIN_SUM_ORG_UNIT", 40, ALWAYS),
        ("MAX_SUM_ORG_UNIT", 40, ALWAYS),
        ("NONE", 0, ALWAYS),
        ("CUSTOM", 0, ALWAYS),
        ("DEFAULT", 0, ALWAYS),
    ],
};

/// `org.hisp.dhis.common.DataDimensionType`.
pub(crate) const DATA_DIMENSION_TYPE: JavaEnum = JavaEnum {
    kind: "DataDimensionType",
    java_class: "common.DataDimensionType",
    constants: &[("DISAGGREGATION", 0, ALWAYS), ("ATTRIBUTE", 0, ALWAYS)],
};

/// `org.hisp.dhis.organisationunit.FeatureType`.
pub(crate) const FEATURE_TYPE: JavaEnum = JavaEnum {
    kind: "FeatureType",
    java_class: "organisationunit.FeatureType",
    constants: &[
        ("NONE", 0, ALWAYS),
        ("MULTI_POLYGON", 0, ALWAYS),
        ("POLYGON", 0, ALWAYS),
        ("POINT", 0, ALWAYS),
        ("SYMBOL", 0, ALWAYS),
    ],
};

/// `org.hisp.dhis.validation.Importance`.
pub(crate) const IMPORTANCE: JavaEnum = JavaEnum {
    kind: "Importance",
    java_class: "validation.Importance",
    constants: &[
        ("HIGH", 0, ALWAYS),
        ("MEDIUM", 0, ALWAYS),
        ("LOW", 0, ALWAYS),
    ],
};

/// `org.hisp.dhis.expression.Operator` (constant names are lower case).
pub(crate) const OPERATOR: JavaEnum = JavaEnum {
    kind: "Operator",
    java_class: "expression.Operator",
    constants: &[
        ("equal_to", 0, ALWAYS),
        ("not_equal_to", 0, ALWAYS),
        ("greater_than", 0, ALWAYS),
        ("greater_than_or_equal_to", 0, ALWAYS),
        ("less_than", 0, ALWAYS),
        ("less_than_or_equal_to", 0, ALWAYS),
        ("compulsory_pair", 0, ALWAYS),
        ("exclusive_pair", 0, ALWAYS),
    ],
};

/// `org.hisp.dhis.expression.MissingValueStrategy`.
pub(crate) const MISSING_VALUE_STRATEGY: JavaEnum = JavaEnum {
    kind: "MissingValueStrategy",
    java_class: "expression.MissingValueStrategy",
    constants: &[
        ("SKIP_IF_ANY_VALUE_MISSING", 0, ALWAYS),
        ("SKIP_IF_ALL_VALUES_MISSING", 0, ALWAYS),
        ("NEVER_SKIP", 0, ALWAYS),
    ],
};

/// `PeriodType.PERIOD_TYPES` by name (QuarterlyNov since 2.38, FinancialSep since 2.42,
/// WeeklyFriday, FinancialFeb and FinancialAug since 2.43).
const PERIOD_TYPES: &[(&str, u32, u32)] = &[
    ("Daily", 0, ALWAYS),
    ("Weekly", 0, ALWAYS),
    ("WeeklyWednesday", 0, ALWAYS),
    ("WeeklyThursday", 0, ALWAYS),
    ("WeeklyFriday", 43, ALWAYS),
    ("WeeklySaturday", 0, ALWAYS),
    ("WeeklySunday", 0, ALWAYS),
    ("BiWeekly", 0, ALWAYS),
    ("Monthly", 0, ALWAYS),
    ("BiMonthly", 0, ALWAYS),
    ("Quarterly", 0, ALWAYS),
    ("QuarterlyNov", 38, ALWAYS),
    ("SixMonthly", 0, ALWAYS),
    ("SixMonthlyApril", 0, ALWAYS),
    ("SixMonthlyNov", 0, ALWAYS),
    ("Yearly", 0, ALWAYS),
    ("FinancialFeb", 43, ALWAYS),
    ("FinancialApril", 0, ALWAYS),
    ("FinancialJuly", 0, ALWAYS),
    ("FinancialAug", 43, ALWAYS),
    ("FinancialSep", 42, ALWAYS),
    ("FinancialOct", 0, ALWAYS),
    ("FinancialNov", 0, ALWAYS),
];

/// `PeriodType.getByNameIgnoreCase`: the period type whose name equals `name` once both are
/// lower-cased and trimmed, or `None` (DHIS2's `null`).
pub(crate) fn period_type_by_name_ignore_case(minor: u32, name: &str) -> Option<&'static str> {
    let wanted = name.trim_matches(|c: char| c <= ' ').to_lowercase();
    PERIOD_TYPES
        .iter()
        .filter(|(_, since, until)| (*since..=*until).contains(&minor))
        .map(|(n, _, _)| *n)
        .find(|n| n.to_lowercase() == wanted)
}

/// Java's `Boolean.parseBoolean`: `true` in any case is true, anything else false.
pub(crate) fn parse_boolean(text: &str) -> bool {
    text.eq_ignore_ascii_case("true")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constants_follow_the_version() {
        assert!(VALUE_TYPE.has(42, "TRACKER_ASSOCIATE"));
        assert!(!VALUE_TYPE.has(43, "TRACKER_ASSOCIATE"));
        assert!(!VALUE_TYPE.has(38, "MULTI_TEXT"));
        assert!(VALUE_TYPE.has(39, "MULTI_TEXT"));
        assert!(!VALUE_TYPE.has(44, "integer"));
        assert_eq!(VALUE_TYPE.constants(44).len(), 27);
        assert!(!AGGREGATION_TYPE.has(39, "MIN_SUM_ORG_UNIT"));
        assert!(AGGREGATION_TYPE.has(40, "MIN_SUM_ORG_UNIT"));
        assert_eq!(AGGREGATION_TYPE.constants(44).len(), 21);
    }

    #[test]
    fn period_types_ignore_case_and_follow_the_version() {
        assert_eq!(
            period_type_by_name_ignore_case(42, "monthly"),
            Some("Monthly")
        );
        assert_eq!(
            period_type_by_name_ignore_case(42, " QUARTERLYNOV "),
            Some("QuarterlyNov")
        );
        assert_eq!(period_type_by_name_ignore_case(42, "FinancialFeb"), None);
        assert_eq!(
            period_type_by_name_ignore_case(43, "financialfeb"),
            Some("FinancialFeb")
        );
        assert_eq!(period_type_by_name_ignore_case(44, "TwoYearly"), None);
    }

    #[test]
    fn booleans_as_java_parses_them() {
        assert!(parse_boolean("TRUE") && parse_boolean("true"));
        assert!(!parse_boolean("yes") && !parse_boolean("1") && !parse_boolean(""));
    }
}
