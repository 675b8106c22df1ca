//! Unit tests of value validation.

use super::*;
use proptest::prelude::*;

/// One row of the validation table: the type, values it accepts, values it refuses.
struct Case {
    value_type: ValueType,
    valid: Vec<String>,
    invalid: Vec<String>,
}

fn case(value_type: ValueType, valid: &[&str], invalid: &[&str]) -> Case {
    Case {
        value_type,
        valid: valid.iter().map(|s| s.to_string()).collect(),
        invalid: invalid.iter().map(|s| s.to_string()).collect(),
    }
}

/// Values only refused for their length (for the free-text types).
fn too_long() -> Vec<String> {
    vec![
        "a".repeat(50_001),
        "é".repeat(50_001),
        "😀".repeat(25_001), // 50,002 UTF-16 units
    ]
}

/// Values at the length limit, fine for the free-text types.
fn at_limit() -> Vec<String> {
    vec![
        "a".repeat(50_000),
        "é".repeat(50_000),  // 100,000 bytes, 50,000 UTF-16 units
        "😀".repeat(25_000), // 50,000 UTF-16 units
    ]
}

fn free_text(value_type: ValueType) -> Case {
    let mut valid = vec![
        "abc".to_string(),
        " leading and trailing ".to_string(),
        "{\"type\":\"Point\"}".to_string(),
    ];
    valid.extend(at_limit());
    Case {
        value_type,
        valid,
        invalid: too_long(),
    }
}

fn table() -> Vec<Case> {
    use ValueType as T;
    let mut cases = vec![
        free_text(T::Text),
        free_text(T::LongText),
        free_text(T::MultiText),
        free_text(T::TrackerAssociate),
        free_text(T::Reference),
        free_text(T::GeoJson),
        case(
            T::Letter,
            &["a", "Z", "é", "ß", "Ж", "中", "ʰ"],
            &["ab", "1", "-", " a", "😀", "𝐀", "Ⅻ", "Ⓐ", "_"],
        ),
        case(
            T::PhoneNumber,
            &[
                "+4712345678",
                "(022) 123-4567",
                "123456",
                "555 1234 ext 12",
                "12.34.56/78#9",
            ],
            &[
                "12345",
                "+47 123 abc",
                "1234567890123456789012345678901234567890123456789012",
                "12345é",
            ],
        ),
        case(
            T::Email,
            &[
                "john@example.com",
                "first.last+tag@sub.example.org",
                "o'brien@example.ie",
                "\"john doe\"@example.com",
                "a\\@b@example.com",
                "user@[192.168.0.1]",
                "user@[::1]",
                "user@xn--p1ai.xn--p1ai",
                "user@пример.рф",
            ],
            &[
                "john",
                "john@",
                "@example.com",
                "john@example",
                "john@localhost",
                "john@example.com.",
                "john..doe@example.com",
                ".john@example.com",
                "john doe@example.com",
                "john@exa mple.com",
                "john@-example.com",
                "john@example.c",
                "john@example.123",
                "john@[300.1.1.1]",
                "jo(hn)@example.com",
            ],
        ),
        case(
            T::Boolean,
            &["true", "false", "tRuE", "TRUE", "False"],
            &["t", "1", "0", "yes", "test", "not true", " true", "true "],
        ),
        case(
            T::TrueOnly,
            &["true", "TRUE", "tRuE"],
            &["false", "t", "1", "yes", "test", "truee"],
        ),
        case(
            T::Date,
            &[
                "2024-01-15",
                "2024-02-29",
                "2000-02-29",
                "2024-01-31",
                "2024-01-15T10:00:00.000",
                "2024-01-15T10:00:00.000+01:00",
                "2024-01-15Z",
                "2024-01-150",
                "2024-01-15_",
            ],
            &[
                "2024-02-30",
                "2024-01-32",
                "2023-02-29",
                "1900-02-29",
                "2024-13-01",
                "2024-00-10",
                "2024-01-00",
                "2024-1-15",
                "24-01-15",
                "20240115",
                "2024/01/15",
                "2024-01-15 ",
                "2024-01-15.",
                "2024-01-15T10:00\n1",
                "x2024-01-15",
            ],
        ),
        case(
            T::DateTime,
            &[
                "2024-01-15T10:20:30.123Z",
                "2024-01-15T10:20:30.123456789+0100",
                "2024-01-15T10:20:30.123456",
                "2024-01-15T10:20:30+00:00",
                "2024-01-15T10:20:30",
                "2024-01-15T10:20Z",
                "2024-01-15T10:20",
                "2024-01-15T10+01",
                "2024-01-15T10",
                "2024-01-15 10:20:30+0000",
                "2024-01-15t10:20z",
                "2024-1-5T1:2:3",
                "-2024-01-15T10",
                "2024-02-29T23:59:59.9-05:30",
            ],
            &[
                "2024-01-15",
                "2024-01-15 10:20:30",
                "2024-01-15 10:20Z",
                "2024-01-15T24:00",
                "2024-01-15T10:60",
                "2024-01-15T10:20:60",
                "2024-02-30T10:00",
                "2024-13-01T10:00",
                "2024-01-15T10:20:30.",
                "2024-01-15T10:20:30.1234567890",
                "2024-01-15T10:20:30+1",
                "2024-01-15T10:20:30+24:00",
                "2024-01-15T10:20:30+01:",
                "2024-01-15T10:20:30Zx",
                "2024-01-15T10:",
                "2024-01-15T",
                "2024-01-15X10",
                " 2024-01-15T10",
            ],
        ),
        case(
            T::Time,
            &["00:00", "9:05", "09:05", "23:59", "19:30"],
            &[
                "24:00", "9:5", "09:60", "0905", "09:05:00", " 09:05", "-1:00",
            ],
        ),
        case(
            T::Number,
            &[
                "0",
                "-0",
                "10",
                "1.5",
                "-12.25",
                "0.0001",
                "123456789012345678901234567890",
                &"9".repeat(249),
            ],
            &[
                "00",
                "01",
                "1.5e3",
                " 10",
                "10 ",
                "+1",
                ".5",
                "1.",
                "1,5",
                "--1",
                "-",
                "NaN",
                "Infinity",
                "abc",
                &"9".repeat(250),
            ],
        ),
        case(
            T::UnitInterval,
            &["0", "1", "0.5", "-0", "1.0", "0.0"],
            &["1.01", "-0.1", "2", "00", ".5", "1e0"],
        ),
        case(
            T::Percentage,
            &["0", "100", "50.5", "100.0", "-0"],
            &["100.01", "-1", "101", "1e2", "abc", "00", "50%"],
        ),
        case(
            T::Integer,
            &["0", "-1", "10", "2147483647", "-2147483648"],
            &[
                "-0",
                "00",
                "01",
                "2147483648",
                "-2147483649",
                " 10",
                "10 ",
                "1.0",
                "1.5e3",
                "+1",
                "99999999999999999999",
                "1_000",
            ],
        ),
        case(
            T::IntegerPositive,
            &["1", "42", "2147483647"],
            &["0", "-1", "2147483648", "01", "1.0", "+1"],
        ),
        case(
            T::IntegerNegative,
            &["-1", "-42", "-2147483648"],
            &["0", "-0", "1", "-2147483649", "-01", "- 1"],
        ),
        case(
            T::IntegerZeroOrPositive,
            &["0", "1", "2147483647"],
            &["-1", "-0", "00", "2147483648", "01", "0.0"],
        ),
        case(
            T::Username,
            &[
                "john",
                "john.doe",
                "a_b-c@d.e",
                "user1234",
                &"a".repeat(255),
            ],
            &[
                "abc",
                "_john",
                "john.",
                "jo..hn",
                "jo.-hn",
                "john doe",
                "jöhn",
                &"a".repeat(256),
            ],
        ),
        case(
            T::Coordinate,
            &[
                "[1,2]",
                "[-180,-90]",
                "[180,90]",
                "[ 10.5 , -20.25 ]",
                "[1,2,3]",
                "[1e1,2f]",
                "[.5,1.]",
                "[0x1p2,0]",
                "[180.000001,0]",
            ],
            &[
                "[181,0]",
                "[0,91]",
                "[1]",
                "[1,]",
                "[,1]",
                "1,2",
                "[1,2",
                "(1,2)",
                "[a,b]",
                "[NaN,0]",
                "[Infinity,0]",
                "[1;2]",
                "[]",
                "[1,2]x",
            ],
        ),
        case(
            T::OrganisationUnit,
            &["ImspTQPwCqd", "DiszpKrYNg8", "a0000000000"],
            &["ImspTQPwCq", "1mspTQPwCqd", "ImspTQPwCqd1", "ImspTQPwCq_"],
        ),
        case(
            T::Age,
            &["2024-01-15", "1990-12-31", "2024-02-29T00:00:00"],
            &["2024-02-30", "2024-01-32", "15-01-2024", "2024-01-15 "],
        ),
        case(
            T::Url,
            &[
                "http://example.com",
                "https://www.example.org/path/to/page.html?x=1&y=2#frag",
                "ftp://ftp.example.com/pub/",
                "HTTP://EXAMPLE.COM",
                "http://user:pass@example.com:8080/a",
                "http://192.168.1.1/",
                "http://[::1]:80/",
                "http://example.com:/x",
                "http://example.com/a/../b",
            ],
            &[
                "example.com",
                "www.example.com/path",
                "mailto:john@example.com",
                "file:///etc/passwd",
                "http://",
                "http://localhost/",
                "http://example/",
                "http://example.com:65536/",
                "http://example.com:80x/",
                "http://exa mple.com/",
                "http://example.com//a",
                "http://example.com/../a",
                "http://example.com/a b",
                "http://example.com/?q=a b",
                "http://256.1.1.1/",
                "http:example.com",
            ],
        ),
        case(
            T::FileResource,
            &["f7n9E0hX8qk", "HllvX50cXC0", "Abcdefghijk"],
            &[
                "f7n9E0hX8q",
                "7fn9E0hX8qk",
                "f7n9E0hX8qk.png",
                "f7n9E0hX-qk",
            ],
        ),
        case(
            T::Image,
            &["f7n9E0hX8qk", "HllvX50cXC0", "Abcdefghijk"],
            &[
                "f7n9E0hX8q",
                "7fn9E0hX8qk",
                "f7n9E0hX8qk.png",
                "f7n9E0hX-qk",
            ],
        ),
    ];
    cases.sort_by_key(|c| c.value_type);
    cases
}

fn expected_error(value_type: ValueType, value: &str) -> ValueTypeError {
    if utf16_len_exceeds(value, VALUE_MAX_LENGTH) {
        return ValueTypeError::ValueLengthGreaterThanMaxLength;
    }
    match value_type.check_type_rule(value) {
        Err(e) => e,
        Ok(()) => panic!("{value_type}: {value:?} passes the type rule"),
    }
}

#[test]
fn validation_table() {
    let cases = table();
    for value_type in ValueType::ALL {
        let Some(c) = cases.iter().find(|c| c.value_type == value_type) else {
            panic!("no table row for {value_type}");
        };
        assert!(
            c.valid.len() >= 3,
            "{value_type}: fewer than 3 valid values"
        );
        assert!(
            c.invalid.len() >= 3,
            "{value_type}: fewer than 3 invalid values"
        );
        let has_option_set = value_type == ValueType::MultiText;
        for v in &c.valid {
            assert_eq!(
                value_type.validate(Some(v), has_option_set),
                Ok(()),
                "{value_type} should accept {:?}",
                v.chars().take(60).collect::<String>()
            );
        }
        for v in &c.invalid {
            let result = value_type.validate(Some(v), has_option_set);
            assert!(
                result.is_err(),
                "{value_type} should refuse {:?}",
                v.chars().take(60).collect::<String>()
            );
            assert_eq!(result, Err(expected_error(value_type, v)));
        }
    }
}

#[test]
fn every_type_rule_reports_its_own_key() {
    use ValueTypeError as E;
    let expected = [
        (ValueType::Letter, "ab", E::NotValidLetter),
        (ValueType::Number, "1.5e3", E::NotNumeric),
        (ValueType::UnitInterval, "2", E::NotUnitInterval),
        (ValueType::Percentage, "101", E::NotPercentage),
        (ValueType::Integer, "2147483648", E::NotInteger),
        (ValueType::IntegerPositive, "0", E::NotPositiveInteger),
        (ValueType::IntegerNegative, "0", E::NotNegativeInteger),
        (
            ValueType::IntegerZeroOrPositive,
            "-1",
            E::NotZeroOrPositiveInteger,
        ),
        (ValueType::Boolean, "yes", E::NotBool),
        (ValueType::TrueOnly, "false", E::NotTrueOnly),
        (ValueType::Date, "2024-02-30", E::NotValidDate),
        (ValueType::Age, "2024-02-30", E::NotValidAge),
        (ValueType::DateTime, "2024-02-30T10:00", E::NotValidDatetime),
        (ValueType::Time, "24:00", E::NotValidTime),
        (ValueType::PhoneNumber, "abc", E::NotPhoneNumber),
        (ValueType::Email, "john", E::NotValidEmail),
        (ValueType::Url, "example.com", E::NotUrl),
        (ValueType::Coordinate, "[181,0]", E::NotCoordinate),
        (ValueType::FileResource, "nope", E::NotValidFileResourceUid),
        (ValueType::Image, "nope", E::NotValidFileResourceUid),
        (ValueType::OrganisationUnit, "nope", E::NotValidOrgUnitUid),
        (ValueType::Username, "ab", E::NotValidUsername),
    ];
    for (value_type, value, error) in expected {
        assert_eq!(
            value_type.validate(Some(value), false),
            Err(error),
            "{value_type}"
        );
    }
}

#[test]
fn order_of_checks() {
    use ValueTypeError as E;
    // MULTI_TEXT without option set fails first, whatever the value.
    for v in [
        None,
        Some(""),
        Some("   "),
        Some("A,B"),
        Some(&*"a".repeat(50_001)),
    ] {
        assert_eq!(
            ValueType::MultiText.validate(v, false),
            Err(E::DataElementLacksOptionSet)
        );
    }
    assert_eq!(ValueType::MultiText.validate(Some("A,B"), true), Ok(()));
    assert_eq!(ValueType::MultiText.validate(None, true), Ok(()));
    // Then null and blank (Java trim: characters up to U+0020) values are valid.
    for value_type in ValueType::ALL {
        let has_option_set = value_type == ValueType::MultiText;
        for v in [
            None,
            Some(""),
            Some(" "),
            Some("\t\r\n"),
            Some("\u{1}\u{1f} "),
        ] {
            assert_eq!(
                value_type.validate(v, has_option_set),
                Ok(()),
                "{value_type} {v:?}"
            );
        }
        // Then the length, before the type rule.
        let long = "1".repeat(50_001);
        assert_eq!(
            value_type.validate(Some(&long), has_option_set),
            Err(E::ValueLengthGreaterThanMaxLength),
            "{value_type}"
        );
    }
    // A no-break space is not blank for Java, and values are not trimmed.
    assert_eq!(
        ValueType::Integer.validate(Some("\u{a0}"), false),
        Err(E::NotInteger)
    );
    assert_eq!(
        ValueType::Integer.validate(Some(" 10"), false),
        Err(E::NotInteger)
    );
    // An option set changes nothing for other types (options are checked elsewhere).
    assert_eq!(
        ValueType::Integer.validate(Some("x"), true),
        Err(E::NotInteger)
    );
    assert_eq!(ValueType::Text.validate(Some("x"), true), Ok(()));
}

#[test]
fn names_round_trip() {
    let mut names: Vec<&str> = ValueType::ALL.iter().map(|t| t.name()).collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), 28);
    for t in ValueType::ALL {
        assert_eq!(ValueType::from_name(t.name()), Some(t));
        assert_eq!(t.name().parse::<ValueType>(), Ok(t));
        assert_eq!(t.to_string(), t.name());
    }
    assert_eq!("DATETIME".parse::<ValueType>(), Ok(ValueType::DateTime));
    assert_eq!("GEOJSON".parse::<ValueType>(), Ok(ValueType::GeoJson));
    assert_eq!(
        "text".parse::<ValueType>(),
        Err(ModelError::InvalidValueType("text".to_owned()))
    );
    assert_eq!(
        "DATE_TIME".parse::<ValueType>(),
        Err(ModelError::InvalidValueType("DATE_TIME".to_owned()))
    );
}

#[test]
fn type_groups() {
    use ValueType as T;
    let numeric: Vec<ValueType> = T::ALL.into_iter().filter(|t| t.is_numeric()).collect();
    assert_eq!(
        numeric,
        [
            T::Number,
            T::UnitInterval,
            T::Percentage,
            T::Integer,
            T::IntegerPositive,
            T::IntegerNegative,
            T::IntegerZeroOrPositive
        ]
    );
    let integer: Vec<ValueType> = T::ALL.into_iter().filter(|t| t.is_integer()).collect();
    assert_eq!(
        integer,
        [
            T::Integer,
            T::IntegerPositive,
            T::IntegerNegative,
            T::IntegerZeroOrPositive
        ]
    );
    let boolean: Vec<ValueType> = T::ALL.into_iter().filter(|t| t.is_boolean()).collect();
    assert_eq!(boolean, [T::Boolean, T::TrueOnly]);
    let file: Vec<ValueType> = T::ALL.into_iter().filter(|t| t.is_file()).collect();
    assert_eq!(file, [T::FileResource, T::Image]);
}

#[test]
fn error_keys_and_messages() {
    use ValueTypeError as E;
    let translated = [
        (
            E::DataElementLacksOptionSet,
            "data_element_lacks_option_set",
            "Data elements with value type MULTI_TEXT must have an option set",
        ),
        (
            E::ValueLengthGreaterThanMaxLength,
            "value_length_greater_than_max_length",
            "Data value is greater than max length",
        ),
        (
            E::NotValidLetter,
            "value_not_valid_letter",
            "Data value is not a valid letter",
        ),
        (
            E::NotNumeric,
            "value_not_numeric",
            "Data value is not numeric",
        ),
        (
            E::NotUnitInterval,
            "value_not_unit_interval",
            "Data value is not a unit interval",
        ),
        (
            E::NotPercentage,
            "value_not_percentage",
            "Data value is not a percentage",
        ),
        (
            E::NotInteger,
            "value_not_integer",
            "Data value is not an integer",
        ),
        (
            E::NotPositiveInteger,
            "value_not_positive_integer",
            "Data value is not a positive integer",
        ),
        (
            E::NotNegativeInteger,
            "value_not_negative_integer",
            "Data value is not a negative integer",
        ),
        (E::NotBool, "value_not_bool", "Data value is not a boolean"),
        (
            E::NotTrueOnly,
            "value_not_true_only",
            "Data value is not true",
        ),
        (
            E::NotValidDate,
            "value_not_valid_date",
            "Data value is not a valid date",
        ),
    ];
    for (error, key, message) in translated {
        assert_eq!(error.key(), key);
        assert_eq!(error.message(), message);
        assert_eq!(error.to_string(), message);
    }
    let untranslated = [
        (
            E::NotZeroOrPositiveInteger,
            "value_not_zero_or_positive_integer",
        ),
        (E::NotValidDatetime, "value_not_valid_datetime"),
        (E::NotValidTime, "value_not_valid_time"),
        (E::NotValidAge, "value_not_valid_age"),
        (E::NotPhoneNumber, "value_not_phone_number"),
        (E::NotValidEmail, "value_not_valid_email"),
        (E::NotUrl, "value_not_url"),
        (E::NotCoordinate, "value_not_coordinate"),
        (
            E::NotValidFileResourceUid,
            "value_not_valid_file_resource_uid",
        ),
        (E::NotValidOrgUnitUid, "value_not_valid_org_unit_uid"),
        (E::NotValidUsername, "value_not_valid_username"),
    ];
    for (error, key) in untranslated {
        assert_eq!(error.key(), key);
        assert_eq!(error.message(), key);
        assert_eq!(error.to_string(), key);
    }
    assert_eq!(
        translated.len() + untranslated.len(),
        ValueTypeError::ALL.len()
    );
    for error in ValueTypeError::ALL {
        assert_eq!(ValueTypeError::from_key(error.key()), Some(error));
    }
    assert_eq!(ValueTypeError::from_key("value_not_valid_option"), None);
    let boxed: Box<dyn std::error::Error> = Box::new(E::NotInteger);
    assert_eq!(boxed.to_string(), "Data value is not an integer");
}

#[test]
fn classic_boolean_normalisation_table() {
    use ValueType as T;
    for v in ["false", "False", "FALSE", "f", "F", "0"] {
        assert_eq!(T::Boolean.normalize_boolean_classic(v), "false", "{v}");
        assert_eq!(T::TrueOnly.normalize_boolean_classic(v), v, "{v}");
    }
    for v in ["true", "True", "TRUE", "t", "T", "1"] {
        assert_eq!(T::Boolean.normalize_boolean_classic(v), "true", "{v}");
        assert_eq!(T::TrueOnly.normalize_boolean_classic(v), "true", "{v}");
    }
    // Other spellings are kept: `tRuE` stays `tRuE` (and passes validation as it is).
    for v in ["tRuE", "yes", "no", "y", "n", "test", " true", ""] {
        assert_eq!(T::Boolean.normalize_boolean_classic(v), v);
        assert_eq!(T::TrueOnly.normalize_boolean_classic(v), v);
    }
    assert_eq!(T::Boolean.validate(Some("tRuE"), false), Ok(()));
    // Other types are never touched.
    for t in T::ALL.into_iter().filter(|t| !t.is_boolean()) {
        assert_eq!(t.normalize_boolean_classic("1"), "1");
        assert_eq!(t.normalize_boolean_classic("true"), "true");
    }
    // Never allocates.
    for v in ["0", "T", "test"] {
        assert!(matches!(
            T::Boolean.normalize_boolean_classic(v),
            Cow::Borrowed(_)
        ));
    }
}

/// DHIS2 `testImportDataValuesBooleanCsv`: normalise, then validate.
#[test]
fn boolean_csv_import_expectations() {
    fn classic(t: ValueType, v: &str) -> Result<String, ValueTypeError> {
        let n = t.normalize_boolean_classic(v);
        t.validate(Some(&n), false).map(|()| n.into_owned())
    }
    fn pipeline(t: ValueType, v: &str) -> Result<String, ValueTypeError> {
        let n = t.normalize_pipeline(v);
        t.validate(Some(&n), false).map(|()| n.into_owned())
    }
    type Check = fn(ValueType, &str) -> Result<String, ValueTypeError>;
    let checks: [Check; 2] = [classic, pipeline];
    for check in checks {
        // Data element jH26dja2f30 (BOOLEAN).
        for v in ["true", "True", "t", "T", "1"] {
            assert_eq!(check(ValueType::Boolean, v).as_deref(), Ok("true"), "{v}");
        }
        for v in ["false", "False", "f", "F", "0"] {
            assert_eq!(check(ValueType::Boolean, v).as_deref(), Ok("false"), "{v}");
        }
        for v in ["test", "not true"] {
            assert_eq!(
                check(ValueType::Boolean, v),
                Err(ValueTypeError::NotBool),
                "{v}"
            );
        }
        // Data element jH26dja2f31 (TRUE_ONLY).
        for v in ["1", "t", "true", "True"] {
            assert_eq!(check(ValueType::TrueOnly, v).as_deref(), Ok("true"), "{v}");
        }
        for v in ["false", "test"] {
            assert_eq!(
                check(ValueType::TrueOnly, v),
                Err(ValueTypeError::NotTrueOnly),
                "{v}"
            );
        }
    }
}

#[test]
fn pipeline_normalisation() {
    use ValueType as T;
    for t in [T::Boolean, T::TrueOnly] {
        for v in [
            "f", "F", "n", "N", "0", "no", "NO", "No", "false", "FALSE", "fAlSe",
        ] {
            assert_eq!(t.normalize_pipeline(v), "false", "{t} {v}");
        }
        for v in [
            "t", "T", "y", "Y", "1", "yes", "YES", "Yes", "true", "TRUE", "tRuE",
        ] {
            assert_eq!(t.normalize_pipeline(v), "true", "{t} {v}");
        }
        for v in ["test", "not true", "2", "ye", "nope", " true", "1.0", ""] {
            assert_eq!(t.normalize_pipeline(v), v, "{t} {v}");
        }
    }
    for t in T::ALL.into_iter().filter(|t| t.is_integer()) {
        assert_eq!(t.normalize_pipeline("5.0"), "5");
        assert_eq!(t.normalize_pipeline("-5.0"), "-5");
        assert_eq!(t.normalize_pipeline("0.0"), "0");
        assert_eq!(t.normalize_pipeline("5.00"), "5.00");
        assert_eq!(t.normalize_pipeline(".0"), "");
        assert_eq!(t.normalize_pipeline("5.5"), "5.5");
        assert_eq!(t.normalize_pipeline("5"), "5");
        assert_eq!(t.normalize_pipeline("y"), "y");
    }
    assert_eq!(
        T::Integer.validate(Some(&T::Integer.normalize_pipeline("5.0")), false),
        Ok(())
    );
    for t in [T::Number, T::Text, T::Percentage, T::Date] {
        assert_eq!(t.normalize_pipeline("5.0"), "5.0");
        assert_eq!(t.normalize_pipeline("y"), "y");
    }
    for v in ["5.0", "yes", "0", "abc"] {
        for t in T::ALL {
            assert!(matches!(t.normalize_pipeline(v), Cow::Borrowed(_)));
        }
    }
}

#[test]
fn zero_candidates() {
    for t in ValueType::ALL {
        for v in ["0", "0.", "0.0", "0.000"] {
            assert_eq!(
                t.is_zero_insignificant_candidate(v),
                t.is_numeric(),
                "{t} {v}"
            );
        }
        for v in [
            "-0", "00", ".0", "0.01", "1", "0.0.", "0e0", " 0", "", "0.0 ",
        ] {
            assert!(!t.is_zero_insignificant_candidate(v), "{t} {v}");
        }
    }
}

#[test]
fn java_float_parsing() {
    assert_eq!(parse_java_float("1"), Some(1.0));
    assert_eq!(parse_java_float(" -1.5e1f "), Some(-15.0));
    assert_eq!(parse_java_float("+.5"), Some(0.5));
    assert_eq!(parse_java_float("2."), Some(2.0));
    assert_eq!(parse_java_float("0x1.8p1"), Some(3.0));
    assert_eq!(parse_java_float("-0X10P-4d"), Some(-1.0));
    assert_eq!(parse_java_float("Infinity"), Some(f32::INFINITY));
    assert!(parse_java_float("-NaN").is_some_and(f32::is_nan));
    // Rounded to float: 180.000001 is 180.0f.
    assert_eq!(parse_java_float("180.000001"), Some(180.0));
    for bad in [
        "",
        "-",
        ".",
        "e5",
        "1e",
        "1e+",
        "1x",
        "0x",
        "0x1",
        "0xp1",
        "1ff",
        "inf",
        "nan",
        "Infinityf",
        "+-1",
        "1 2",
    ] {
        assert_eq!(parse_java_float(bad), None, "{bad:?}");
    }
}

proptest! {
    #[test]
    fn validate_never_panics(s in "\\PC*", option_set in any::<bool>()) {
        for t in ValueType::ALL {
            let _ = t.validate(Some(&s), option_set);
            let _ = t.normalize_pipeline(&s);
            let _ = t.normalize_boolean_classic(&s);
            let _ = t.is_zero_insignificant_candidate(&s);
        }
    }

    #[test]
    fn validate_never_panics_on_shaped_input(
        s in "[-+0-9.:TZ @\\[\\],/?#\"\\\\a-fxp]{0,40}",
    ) {
        for t in ValueType::ALL {
            let _ = t.validate(Some(&s), true);
        }
    }

    #[test]
    fn every_java_int_is_an_integer(i in any::<i32>()) {
        let s = i.to_string();
        prop_assert_eq!(ValueType::Integer.validate(Some(&s), false), Ok(()));
        prop_assert_eq!(ValueType::Number.validate(Some(&s), false), Ok(()));
        prop_assert_eq!(ValueType::IntegerPositive.validate(Some(&s), false).is_ok(), i > 0);
        prop_assert_eq!(ValueType::IntegerNegative.validate(Some(&s), false).is_ok(), i < 0);
        prop_assert_eq!(ValueType::IntegerZeroOrPositive.validate(Some(&s), false).is_ok(), i >= 0);
    }

    #[test]
    fn longs_outside_int_are_not_integers(i in any::<i64>()) {
        prop_assume!(i32::try_from(i).is_err());
        let s = i.to_string();
        prop_assert_eq!(ValueType::Integer.validate(Some(&s), false), Err(ValueTypeError::NotInteger));
        prop_assert_eq!(ValueType::Number.validate(Some(&s), false), Ok(()));
    }

    #[test]
    fn real_dates_are_dates(y in 0i64..=9999, m in 1u32..=12, d in 1u32..=31) {
        let s = format!("{y:04}-{m:02}-{d:02}");
        let real = d <= days_in_month(y, m);
        prop_assert_eq!(ValueType::Date.validate(Some(&s), false).is_ok(), real);
        let dt = format!("{s}T12:34:56.789+02:00");
        prop_assert_eq!(ValueType::DateTime.validate(Some(&dt), false).is_ok(), real);
    }
}
