//! DHIS2 value types (`ValueType`) and DHIS2's validation of data values against them.
//!
//! [`ValueType::validate`] re-implements `ValidationUtils.valueIsValid` of the classic importer
//! (DHIS2 2.40–2.42, spec 4.5); the 2.43+ pipeline applies the same rules (`E8122`). The
//! normalisations that run *before* validation are [`ValueType::normalize_boolean_classic`]
//! (classic, spec 4.6) and [`ValueType::normalize_pipeline`] (2.43+, spec 4.9 item 7).
//!
//! DHIS2 leans on Java libraries for some types; they are re-implemented by hand here (no regex
//! engine), and where an exact copy would need large tables the approximation is documented on
//! [`ValueType`]'s variants.
//!
//! ```
//! use dxf2_model::{ValueType, ValueTypeError};
//!
//! let int: ValueType = "INTEGER".parse().unwrap();
//! assert_eq!(int.validate(Some("42"), false), Ok(()));
//! assert_eq!(int.validate(Some(" 42"), false), Err(ValueTypeError::NotInteger));
//! assert_eq!(int.validate(None, false), Ok(())); // null and blank values are valid
//!
//! // The classic importer normalises booleans before validating them.
//! let b = ValueType::Boolean;
//! let v = b.normalize_boolean_classic("T");
//! assert_eq!(v, "true");
//! assert_eq!(b.validate(Some(&v), false), Ok(()));
//! assert_eq!(
//!     b.validate(Some("yes"), false).unwrap_err().message(),
//!     "Data value is not a boolean"
//! );
//! ```

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

use crate::{ModelError, Uid};

/// Longest value DHIS2 accepts, in UTF-16 code units (Java `String.length()`).
const VALUE_MAX_LENGTH: usize = 50_000;

/// `NUMBER` values must be shorter than this (`MathUtils.NUMBER_MAX_LENGTH`).
const NUMBER_MAX_LENGTH: usize = 250;

/// Longest local part of an e-mail address (Apache `EmailValidator.MAX_USERNAME_LEN`).
const EMAIL_USER_MAX_LENGTH: usize = 64;

/// Longest domain name (Apache `DomainValidator.MAX_DOMAIN_LENGTH`).
const DOMAIN_MAX_LENGTH: usize = 253;

/// A DHIS2 value type (`org.hisp.dhis.common.ValueType`).
///
/// What [`ValueType::validate`] accepts for each type is written on its variant. "Length" is
/// always counted in UTF-16 code units, as Java does; values are never trimmed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ValueType {
    /// `TEXT`: any value up to 50,000 characters.
    Text,
    /// `LONG_TEXT`: any value up to 50,000 characters.
    LongText,
    /// `MULTI_TEXT`: comma-separated option codes. The data element must have an option set
    /// (checked first, whatever the value); the value itself is checked against the option set
    /// by the importer, not here.
    MultiText,
    /// `LETTER`: exactly one character, a Unicode letter (Java `Character.isLetter` on a single
    /// UTF-16 unit, so letters outside the Basic Multilingual Plane are refused).
    ///
    /// Approximation: Rust's `char::is_alphabetic` is used, minus the letter numbers (`Ⅻ`,
    /// `〇`, …) and circled letters Java refuses; combining vowel signs that Unicode calls
    /// alphabetic (e.g. U+093E) are still accepted here although Java refuses them.
    Letter,
    /// `PHONE_NUMBER`: 6 to 50 characters among digits, `+ ( ) # . / e x t -` and ASCII
    /// whitespace (`^[0-9+\(\)#\.\s\/ext-]{6,50}$`).
    PhoneNumber,
    /// `EMAIL`: Apache Commons Validator `EmailValidator.getInstance().isValid` (1.7+ rules).
    ///
    /// Accepted: `local@domain` split at the last `@`, not ending with `.`; the local part at
    /// most 64 characters, dot-separated words, each either a run of characters other than
    /// ASCII whitespace, controls and `( ) < > @ , ; : \ " . [ ]` (a backslash escapes any one
    /// character, `'` is allowed) or a quoted string; the domain either `[IPv4]` / `[IPv6]` or
    /// a domain name of at least two labels (1–63 letters, digits or hyphens, not starting or
    /// ending with a hyphen; the last label starts with a letter; at most 253 characters; one
    /// trailing dot allowed).
    ///
    /// Approximation: DHIS2 also requires the last label to be a top-level domain of IANA's
    /// list; this crate carries no such list and accepts any top label of two or more ASCII
    /// letters, an `xn--` label, or a non-ASCII alphabetic label. Non-ASCII letters and digits
    /// in labels are accepted, as an internationalised domain name would be.
    Email,
    /// `BOOLEAN`: `true` or `false` in any letter case (after normalisation, see
    /// [`ValueType::normalize_boolean_classic`]).
    Boolean,
    /// `TRUE_ONLY`: `true` in any letter case.
    TrueOnly,
    /// `DATE`: `yyyy-MM-dd` where the day part may be 01–32, followed by anything (a tolerated
    /// time part) that ends with a letter, digit or `_` and contains no line terminator
    /// (`\b(?<year>\d{4})-(?<month>0[1-9]|1[0-2])-(?<day>0[1-9]|[1-2][0-9]|3[0-2])(?<time>.*)\b`),
    /// and the year-month-day must be a real date of the ISO calendar (proleptic Gregorian).
    Date,
    /// `DATETIME`: one of the Joda patterns `yyyy-MM-dd'T'HH[:mm[:ss[.S…]]][Z]` or
    /// `yyyy-MM-dd HH:mm:ssZ`, parsed as Joda does: the year may be signed and have 1–9 digits,
    /// the other fields 1–2 digits, the fraction 1–9 digits, the `T` any case; `Z` is an offset
    /// `Z`/`z`, `±hh`, `±hhmm`, `±hh:mm` (and Joda's longer `±hh:mm:ss[.SSS]` forms); the fields
    /// must form a real date and time.
    DateTime,
    /// `TIME`: `H:mm` or `HH:mm`, hours 00–23 (`^([0-9]|0[0-9]|1[0-9]|2[0-3]):[0-5][0-9]$`).
    Time,
    /// `NUMBER`: `^(-?0|-?[1-9]\d*)(\.\d+)?$` and shorter than 250 characters (so `-0` is a
    /// number but `00`, `+1`, `.5`, `1.` and `1.5e3` are not).
    Number,
    /// `UNIT_INTERVAL`: a `NUMBER` between 0 and 1 inclusive.
    UnitInterval,
    /// `PERCENTAGE`: a `NUMBER` between 0 and 100 inclusive.
    Percentage,
    /// `INTEGER`: `^(0|-?[1-9]\d*)$` within Java `int` (−2147483648..2147483647); `-0` is not
    /// an integer.
    Integer,
    /// `INTEGER_POSITIVE`: `^[1-9]\d*$` within Java `int`.
    IntegerPositive,
    /// `INTEGER_NEGATIVE`: `^-[1-9]\d*$` within Java `int`.
    IntegerNegative,
    /// `INTEGER_ZERO_OR_POSITIVE`: `0` or `^[1-9]\d*$` within Java `int`.
    IntegerZeroOrPositive,
    /// `TRACKER_ASSOCIATE`: any value up to 50,000 characters.
    TrackerAssociate,
    /// `USERNAME`: 4 to 255 characters among ASCII letters, digits and `- _ . @`, not starting or
    /// ending with one of `- _ . @` and never two of them in a row.
    Username,
    /// `COORDINATE`: `[lng,lat]` — after removing ASCII whitespace: at least 5 characters,
    /// starting with `[` and ending with `]`, the text between split on `,`, the first two parts
    /// Java floats (`Float.parseFloat`: `1`, `1.`, `.5`, `1e2`, `1f`, `0x1p2`, …) with
    /// −180 ≤ lng ≤ 180 and −90 ≤ lat ≤ 90; further parts are ignored (`[1,2,3]` is valid).
    Coordinate,
    /// `ORGANISATION_UNIT`: a valid UID.
    OrganisationUnit,
    /// `REFERENCE`: any value up to 50,000 characters.
    Reference,
    /// `AGE`: the `DATE` rule.
    Age,
    /// `URL`: Apache Commons Validator `new UrlValidator().isValid` (1.7 rules, schemes `http`,
    /// `https`, `ftp`).
    ///
    /// Accepted: `scheme://authority[/path][?query][#fragment]`; the authority is
    /// `[user[:password]@]host[:port]` where the host is a domain name as for `EMAIL` (same TLD
    /// approximation; `localhost` is refused) or an IPv4 address (or `[IPv6]`), the port at
    /// most 65535; whatever follows the port must be blank. The path uses only letters, digits
    /// and `- : @ & ? = + , . ! / ~ * ' % $ _ ; ( )`, has no `//` and never climbs above the
    /// root with `..`; the query has no ASCII whitespace; the fragment is free.
    Url,
    /// `FILE_RESOURCE`: the UID of a file resource.
    FileResource,
    /// `IMAGE`: the UID of a file resource.
    Image,
    /// `GEOJSON`: any value up to 50,000 characters.
    GeoJson,
}

impl ValueType {
    /// Every value type, in DHIS2's declaration order.
    pub const ALL: [ValueType; 28] = [
        ValueType::Text,
        ValueType::LongText,
        ValueType::MultiText,
        ValueType::Letter,
        ValueType::PhoneNumber,
        ValueType::Email,
        ValueType::Boolean,
        ValueType::TrueOnly,
        ValueType::Date,
        ValueType::DateTime,
        ValueType::Time,
        ValueType::Number,
        ValueType::UnitInterval,
        ValueType::Percentage,
        ValueType::Integer,
        ValueType::IntegerPositive,
        ValueType::IntegerNegative,
        ValueType::IntegerZeroOrPositive,
        ValueType::TrackerAssociate,
        ValueType::Username,
        ValueType::Coordinate,
        ValueType::OrganisationUnit,
        ValueType::Reference,
        ValueType::Age,
        ValueType::Url,
        ValueType::FileResource,
        ValueType::Image,
        ValueType::GeoJson,
    ];

    /// DHIS2's enum name (`TEXT`, `INTEGER_POSITIVE`, …).
    pub fn name(self) -> &'static str {
        match self {
            ValueType::Text => "TEXT",
            ValueType::LongText => "LONG_TEXT",
            ValueType::MultiText => "MULTI_TEXT",
            ValueType::Letter => "LETTER",
            ValueType::PhoneNumber => "PHONE_NUMBER",
            ValueType::Email => "EMAIL",
            ValueType::Boolean => "BOOLEAN",
            ValueType::TrueOnly => "TRUE_ONLY",
            ValueType::Date => "DATE",
            ValueType::DateTime => "DATETIME",
            ValueType::Time => "TIME",
            ValueType::Number => "NUMBER",
            ValueType::UnitInterval => "UNIT_INTERVAL",
            ValueType::Percentage => "PERCENTAGE",
            ValueType::Integer => "INTEGER",
            ValueType::IntegerPositive => "INTEGER_POSITIVE",
            ValueType::IntegerNegative => "INTEGER_NEGATIVE",
            ValueType::IntegerZeroOrPositive => "INTEGER_ZERO_OR_POSITIVE",
            ValueType::TrackerAssociate => "TRACKER_ASSOCIATE",
            ValueType::Username => "USERNAME",
            ValueType::Coordinate => "COORDINATE",
            ValueType::OrganisationUnit => "ORGANISATION_UNIT",
            ValueType::Reference => "REFERENCE",
            ValueType::Age => "AGE",
            ValueType::Url => "URL",
            ValueType::FileResource => "FILE_RESOURCE",
            ValueType::Image => "IMAGE",
            ValueType::GeoJson => "GEOJSON",
        }
    }

    /// The value type with this exact DHIS2 enum name (case-sensitive, as Jackson binds enums).
    pub fn from_name(name: &str) -> Option<ValueType> {
        ValueType::ALL.iter().copied().find(|t| t.name() == name)
    }

    /// Whether values are numbers: the four integer types, `NUMBER`, `UNIT_INTERVAL`,
    /// `PERCENTAGE` (DHIS2 `ValueType.isNumeric`).
    pub fn is_numeric(self) -> bool {
        self.is_integer()
            || matches!(
                self,
                ValueType::Number | ValueType::UnitInterval | ValueType::Percentage
            )
    }

    /// Whether values are integers: `INTEGER`, `INTEGER_POSITIVE`, `INTEGER_NEGATIVE`,
    /// `INTEGER_ZERO_OR_POSITIVE`.
    pub fn is_integer(self) -> bool {
        matches!(
            self,
            ValueType::Integer
                | ValueType::IntegerPositive
                | ValueType::IntegerNegative
                | ValueType::IntegerZeroOrPositive
        )
    }

    /// Whether values are booleans: `BOOLEAN`, `TRUE_ONLY`.
    pub fn is_boolean(self) -> bool {
        matches!(self, ValueType::Boolean | ValueType::TrueOnly)
    }

    /// Whether values are file resource UIDs: `FILE_RESOURCE`, `IMAGE`.
    pub fn is_file(self) -> bool {
        matches!(self, ValueType::FileResource | ValueType::Image)
    }

    /// Checks a value the way DHIS2's `ValidationUtils.valueIsValid` does (spec 4.5).
    ///
    /// `has_option_set` tells whether the data element has an option set. The order of the
    /// checks is DHIS2's:
    ///
    /// 1. `MULTI_TEXT` without an option set fails with
    ///    [`ValueTypeError::DataElementLacksOptionSet`], whatever the value (even null);
    /// 2. a null value, or one made only of characters up to U+0020 (Java `trim()`), is valid;
    /// 3. a value longer than 50,000 UTF-16 units fails with
    ///    [`ValueTypeError::ValueLengthGreaterThanMaxLength`];
    /// 4. the rule of the type (see the variants of [`ValueType`]).
    ///
    /// The value is not trimmed: `" 10"` is not an `INTEGER`. Option codes are not checked here.
    pub fn validate(
        &self,
        value: Option<&str>,
        has_option_set: bool,
    ) -> Result<(), ValueTypeError> {
        if *self == ValueType::MultiText && !has_option_set {
            return Err(ValueTypeError::DataElementLacksOptionSet);
        }
        let value = match value {
            Some(v) if !is_java_blank(v) => v,
            _ => return Ok(()),
        };
        if utf16_len_exceeds(value, VALUE_MAX_LENGTH) {
            return Err(ValueTypeError::ValueLengthGreaterThanMaxLength);
        }
        self.check_type_rule(value)
    }

    /// The rule of the type alone (step 4 of [`ValueType::validate`]).
    fn check_type_rule(self, v: &str) -> Result<(), ValueTypeError> {
        use ValueTypeError as E;
        let (valid, error) = match self {
            ValueType::Text
            | ValueType::LongText
            | ValueType::MultiText
            | ValueType::TrackerAssociate
            | ValueType::Reference
            | ValueType::GeoJson => return Ok(()),
            ValueType::Letter => (is_letter(v), E::NotValidLetter),
            ValueType::Number => (is_number(v), E::NotNumeric),
            ValueType::UnitInterval => (is_number_within(v, 0.0, 1.0), E::NotUnitInterval),
            ValueType::Percentage => (is_number_within(v, 0.0, 100.0), E::NotPercentage),
            ValueType::Integer => (is_java_int(v, IntShape::Any), E::NotInteger),
            ValueType::IntegerPositive => {
                (is_java_int(v, IntShape::Positive), E::NotPositiveInteger)
            }
            ValueType::IntegerNegative => {
                (is_java_int(v, IntShape::Negative), E::NotNegativeInteger)
            }
            ValueType::IntegerZeroOrPositive => (
                is_java_int(v, IntShape::ZeroOrPositive),
                E::NotZeroOrPositiveInteger,
            ),
            ValueType::Boolean => (
                v.eq_ignore_ascii_case("true") || v.eq_ignore_ascii_case("false"),
                E::NotBool,
            ),
            ValueType::TrueOnly => (v.eq_ignore_ascii_case("true"), E::NotTrueOnly),
            ValueType::Date => (is_date(v), E::NotValidDate),
            ValueType::Age => (is_date(v), E::NotValidAge),
            ValueType::DateTime => (is_datetime(v), E::NotValidDatetime),
            ValueType::Time => (is_time(v), E::NotValidTime),
            ValueType::PhoneNumber => (is_phone_number(v), E::NotPhoneNumber),
            ValueType::Email => (is_email(v), E::NotValidEmail),
            ValueType::Url => (is_url(v), E::NotUrl),
            ValueType::Coordinate => (is_coordinate(v), E::NotCoordinate),
            ValueType::FileResource | ValueType::Image => {
                (Uid::is_valid(v), E::NotValidFileResourceUid)
            }
            ValueType::OrganisationUnit => (Uid::is_valid(v), E::NotValidOrgUnitUid),
            ValueType::Username => (is_username(v), E::NotValidUsername),
        };
        if valid {
            Ok(())
        } else {
            Err(error)
        }
    }

    /// The classic importer's boolean normalisation (`ValidationUtils.normalizeBoolean`, spec
    /// 4.6), applied before validation and storage.
    ///
    /// `BOOLEAN`: `false`, `False`, `FALSE`, `f`, `F`, `0` become `false`; `true`, `True`,
    /// `TRUE`, `t`, `T`, `1` become `true`. `TRUE_ONLY`: only the true spellings become `true`.
    /// Everything else (other spellings such as `tRuE`, other types) is returned unchanged.
    /// Never allocates.
    pub fn normalize_boolean_classic(self, value: &str) -> Cow<'_, str> {
        let is_false = matches!(value, "false" | "False" | "FALSE" | "f" | "F" | "0");
        let is_true = matches!(value, "true" | "True" | "TRUE" | "t" | "T" | "1");
        match self {
            ValueType::Boolean if is_false => Cow::Borrowed("false"),
            ValueType::Boolean | ValueType::TrueOnly if is_true => Cow::Borrowed("true"),
            _ => Cow::Borrowed(value),
        }
    }

    /// The 2.43+ pipeline's normalisation (spec 4.9 item 7), applied before validation.
    ///
    /// `BOOLEAN` and `TRUE_ONLY`, ignoring case: `f`, `n`, `0`, `no`, `false` become `false`;
    /// `t`, `y`, `1`, `yes`, `true` become `true`. Integer types: one trailing `.0` is removed
    /// (`5.0` → `5`; `.0` → empty). Everything else is returned unchanged. Never allocates.
    pub fn normalize_pipeline(self, value: &str) -> Cow<'_, str> {
        if self.is_boolean() {
            let is_false = ["f", "n", "0", "no", "false"]
                .iter()
                .any(|s| value.eq_ignore_ascii_case(s));
            let is_true = ["t", "y", "1", "yes", "true"]
                .iter()
                .any(|s| value.eq_ignore_ascii_case(s));
            if is_false {
                return Cow::Borrowed("false");
            }
            if is_true {
                return Cow::Borrowed("true");
            }
        } else if self.is_integer() {
            if let Some(stripped) = value.strip_suffix(".0") {
                return Cow::Borrowed(stripped);
            }
        }
        Cow::Borrowed(value)
    }

    /// Whether a value of this type is a zero that DHIS2 may drop (spec 4.7): the type is
    /// numeric and the value matches `^0(\.0*)?$` (`0`, `0.`, `0.00`; not `-0`, `00`, `.0`).
    ///
    /// The importer must add the data element's conditions: `zeroIsSignificant` is false and
    /// the aggregation type is neither `AVERAGE_SUM_ORG_UNIT` nor `AVERAGE`.
    pub fn is_zero_insignificant_candidate(self, value: &str) -> bool {
        if !self.is_numeric() {
            return false;
        }
        match value.strip_prefix('0') {
            Some("") => true,
            Some(rest) => rest
                .strip_prefix('.')
                .is_some_and(|zeros| zeros.bytes().all(|b| b == b'0')),
            None => false,
        }
    }
}

impl FromStr for ValueType {
    type Err = ModelError;

    /// Parses DHIS2's exact enum name.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ValueType::from_name(s).ok_or_else(|| ModelError::InvalidValueType(s.to_owned()))
    }
}

impl fmt::Display for ValueType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Why a value does not match its value type: one variant per DHIS2 error key.
///
/// [`ValueTypeError::key`] is the untranslated key DHIS2 puts in a conflict's `objects`;
/// [`ValueTypeError::message`] (also `Display`) is the English text DHIS2 shows in the
/// conflict message (`i18n_global.properties`), or the key itself when DHIS2 has no text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ValueTypeError {
    /// `data_element_lacks_option_set`: a `MULTI_TEXT` data element without option set.
    DataElementLacksOptionSet,
    /// `value_length_greater_than_max_length`: longer than 50,000 characters.
    ValueLengthGreaterThanMaxLength,
    /// `value_not_valid_letter`.
    NotValidLetter,
    /// `value_not_numeric`.
    NotNumeric,
    /// `value_not_unit_interval`.
    NotUnitInterval,
    /// `value_not_percentage`.
    NotPercentage,
    /// `value_not_integer`.
    NotInteger,
    /// `value_not_positive_integer`.
    NotPositiveInteger,
    /// `value_not_negative_integer`.
    NotNegativeInteger,
    /// `value_not_zero_or_positive_integer`.
    NotZeroOrPositiveInteger,
    /// `value_not_bool`.
    NotBool,
    /// `value_not_true_only`.
    NotTrueOnly,
    /// `value_not_valid_date`.
    NotValidDate,
    /// `value_not_valid_datetime`.
    NotValidDatetime,
    /// `value_not_valid_time`.
    NotValidTime,
    /// `value_not_valid_age`.
    NotValidAge,
    /// `value_not_phone_number`.
    NotPhoneNumber,
    /// `value_not_valid_email`.
    NotValidEmail,
    /// `value_not_url`.
    NotUrl,
    /// `value_not_coordinate`.
    NotCoordinate,
    /// `value_not_valid_file_resource_uid` (`FILE_RESOURCE`, `IMAGE`).
    NotValidFileResourceUid,
    /// `value_not_valid_org_unit_uid` (`ORGANISATION_UNIT`).
    NotValidOrgUnitUid,
    /// `value_not_valid_username`.
    NotValidUsername,
}

impl ValueTypeError {
    /// Every error key.
    pub const ALL: [ValueTypeError; 23] = [
        ValueTypeError::DataElementLacksOptionSet,
        ValueTypeError::ValueLengthGreaterThanMaxLength,
        ValueTypeError::NotValidLetter,
        ValueTypeError::NotNumeric,
        ValueTypeError::NotUnitInterval,
        ValueTypeError::NotPercentage,
        ValueTypeError::NotInteger,
        ValueTypeError::NotPositiveInteger,
        ValueTypeError::NotNegativeInteger,
        ValueTypeError::NotZeroOrPositiveInteger,
        ValueTypeError::NotBool,
        ValueTypeError::NotTrueOnly,
        ValueTypeError::NotValidDate,
        ValueTypeError::NotValidDatetime,
        ValueTypeError::NotValidTime,
        ValueTypeError::NotValidAge,
        ValueTypeError::NotPhoneNumber,
        ValueTypeError::NotValidEmail,
        ValueTypeError::NotUrl,
        ValueTypeError::NotCoordinate,
        ValueTypeError::NotValidFileResourceUid,
        ValueTypeError::NotValidOrgUnitUid,
        ValueTypeError::NotValidUsername,
    ];

    /// The untranslated DHIS2 error key (`value_not_integer`, …).
    pub fn key(self) -> &'static str {
        match self {
            ValueTypeError::DataElementLacksOptionSet => "data_element_lacks_option_set",
            ValueTypeError::ValueLengthGreaterThanMaxLength => {
                "value_length_greater_than_max_length"
            }
            ValueTypeError::NotValidLetter => "value_not_valid_letter",
            ValueTypeError::NotNumeric => "value_not_numeric",
            ValueTypeError::NotUnitInterval => "value_not_unit_interval",
            ValueTypeError::NotPercentage => "value_not_percentage",
            ValueTypeError::NotInteger => "value_not_integer",
            ValueTypeError::NotPositiveInteger => "value_not_positive_integer",
            ValueTypeError::NotNegativeInteger => "value_not_negative_integer",
            ValueTypeError::NotZeroOrPositiveInteger => "value_not_zero_or_positive_integer",
            ValueTypeError::NotBool => "value_not_bool",
            ValueTypeError::NotTrueOnly => "value_not_true_only",
            ValueTypeError::NotValidDate => "value_not_valid_date",
            ValueTypeError::NotValidDatetime => "value_not_valid_datetime",
            ValueTypeError::NotValidTime => "value_not_valid_time",
            ValueTypeError::NotValidAge => "value_not_valid_age",
            ValueTypeError::NotPhoneNumber => "value_not_phone_number",
            ValueTypeError::NotValidEmail => "value_not_valid_email",
            ValueTypeError::NotUrl => "value_not_url",
            ValueTypeError::NotCoordinate => "value_not_coordinate",
            ValueTypeError::NotValidFileResourceUid => "value_not_valid_file_resource_uid",
            ValueTypeError::NotValidOrgUnitUid => "value_not_valid_org_unit_uid",
            ValueTypeError::NotValidUsername => "value_not_valid_username",
        }
    }

    /// The English text DHIS2 shows for the key, or the key itself when DHIS2 has no
    /// translation (DHIS2 then shows the key verbatim).
    pub fn message(self) -> &'static str {
        match self {
            ValueTypeError::DataElementLacksOptionSet => {
                "Data elements with value type MULTI_TEXT must have an option set"
            }
            ValueTypeError::ValueLengthGreaterThanMaxLength => {
                "Data value is greater than max length"
            }
            ValueTypeError::NotValidLetter => "Data value is not a valid letter",
            ValueTypeError::NotNumeric => "Data value is not numeric",
            ValueTypeError::NotUnitInterval => "Data value is not a unit interval",
            ValueTypeError::NotPercentage => "Data value is not a percentage",
            ValueTypeError::NotInteger => "Data value is not an integer",
            ValueTypeError::NotPositiveInteger => "Data value is not a positive integer",
            ValueTypeError::NotNegativeInteger => "Data value is not a negative integer",
            ValueTypeError::NotBool => "Data value is not a boolean",
            ValueTypeError::NotTrueOnly => "Data value is not true",
            ValueTypeError::NotValidDate => "Data value is not a valid date",
            ValueTypeError::NotZeroOrPositiveInteger
            | ValueTypeError::NotValidDatetime
            | ValueTypeError::NotValidTime
            | ValueTypeError::NotValidAge
            | ValueTypeError::NotPhoneNumber
            | ValueTypeError::NotValidEmail
            | ValueTypeError::NotUrl
            | ValueTypeError::NotCoordinate
            | ValueTypeError::NotValidFileResourceUid
            | ValueTypeError::NotValidOrgUnitUid
            | ValueTypeError::NotValidUsername => self.key(),
        }
    }

    /// The error with this untranslated key (as found in a conflict's `objects`).
    pub fn from_key(key: &str) -> Option<ValueTypeError> {
        ValueTypeError::ALL.iter().copied().find(|e| e.key() == key)
    }
}

impl fmt::Display for ValueTypeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message())
    }
}

impl std::error::Error for ValueTypeError {}

// ---------------------------------------------------------------------------------------------
// Java string basics
// ---------------------------------------------------------------------------------------------

/// Java `s.trim().isEmpty()`: every character is at most U+0020.
fn is_java_blank(s: &str) -> bool {
    // Bytes of multi-byte UTF-8 sequences are all >= 0x80.
    s.bytes().all(|b| b <= b' ')
}

/// Java `s.trim()`.
fn java_trim(s: &str) -> &str {
    s.trim_matches(|c: char| c <= ' ')
}

/// Whether the Java length (UTF-16 code units) of `s` is greater than `max`.
fn utf16_len_exceeds(s: &str, max: usize) -> bool {
    // A character never takes more UTF-16 units than UTF-8 bytes.
    s.len() > max && s.chars().map(char::len_utf16).sum::<usize>() > max
}

/// Java regex `\s`: `[ \t\n\x0B\f\r]`.
fn is_java_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\u{0B}' | '\u{0C}' | '\r')
}

/// The characters Java's regex `.` does not match.
fn is_java_line_terminator(c: char) -> bool {
    matches!(c, '\n' | '\r' | '\u{85}' | '\u{2028}' | '\u{2029}')
}

/// Java 17 regex `\b` word character: `_` or `Character.isLetterOrDigit` (approximated by
/// Rust's alphanumeric).
fn is_java_word_char(c: char) -> bool {
    c == '_' || c.is_alphanumeric()
}

/// Count of leading ASCII digits.
fn leading_digits(b: &[u8]) -> usize {
    b.iter().take_while(|c| c.is_ascii_digit()).count()
}

// ---------------------------------------------------------------------------------------------
// LETTER
// ---------------------------------------------------------------------------------------------

/// `value.length() == 1 && Character.isLetter(value.charAt(0))`.
fn is_letter(v: &str) -> bool {
    let mut chars = v.chars();
    match (chars.next(), chars.next()) {
        (Some(c), None) => {
            u32::from(c) <= 0xFFFF && c.is_alphabetic() && !is_alphabetic_non_letter(c)
        }
        _ => false,
    }
}

/// Alphabetic characters of the Basic Multilingual Plane that are not letters for Java: the
/// letter numbers (category Nl) and the circled Latin letters (category So).
fn is_alphabetic_non_letter(c: char) -> bool {
    matches!(
        c,
        '\u{16EE}'..='\u{16F0}'
            | '\u{2160}'..='\u{2182}'
            | '\u{2185}'..='\u{2188}'
            | '\u{24B6}'..='\u{24E9}'
            | '\u{3007}'
            | '\u{3021}'..='\u{3029}'
            | '\u{3038}'..='\u{303A}'
            | '\u{A6E6}'..='\u{A6EF}'
    )
}

// ---------------------------------------------------------------------------------------------
// Numbers
// ---------------------------------------------------------------------------------------------

/// `MathUtils.isNumeric`: `^(-?0|-?[1-9]\d*)(\.\d+)?$`, a valid double, shorter than 250.
///
/// Apache `DoubleValidator` (locale `en`) accepts every string of that shape, and such a string
/// of fewer than 250 characters is always a finite double, so the pattern and length decide.
fn is_number(v: &str) -> bool {
    v.len() < NUMBER_MAX_LENGTH && matches_number_pattern(v.as_bytes())
}

/// `^(-?0|-?[1-9]\d*)(\.\d+)?$`.
fn matches_number_pattern(b: &[u8]) -> bool {
    let unsigned = b.strip_prefix(b"-").unwrap_or(b);
    let rest = match unsigned.split_first() {
        Some((b'0', rest)) => rest,
        Some((b'1'..=b'9', rest)) => rest.get(leading_digits(rest)..).unwrap_or_default(),
        _ => return false,
    };
    match rest.split_first() {
        None => true,
        Some((b'.', fraction)) => !fraction.is_empty() && fraction.iter().all(u8::is_ascii_digit),
        Some(_) => false,
    }
}

/// A `NUMBER` whose value (Java `Double.parseDouble`) is within `[min, max]`.
fn is_number_within(v: &str, min: f64, max: f64) -> bool {
    is_number(v) && v.parse::<f64>().is_ok_and(|x| (min..=max).contains(&x))
}

/// The integer patterns of `MathUtils`.
#[derive(Clone, Copy)]
enum IntShape {
    /// `^(0|-?[1-9]\d*)$`.
    Any,
    /// `^[1-9]\d*$`.
    Positive,
    /// `^-[1-9]\d*$`.
    Negative,
    /// `(^0$)|(^[1-9]\d*$)`.
    ZeroOrPositive,
}

/// The pattern of `shape`, and the value fits a Java `int` (Apache `IntegerValidator`).
fn is_java_int(v: &str, shape: IntShape) -> bool {
    let b = v.as_bytes();
    let (negative, digits) = match b.strip_prefix(b"-") {
        Some(digits) => (true, digits),
        None => (false, b),
    };
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return false;
    }
    let zero = digits == b"0";
    let leading_zero = digits.first() == Some(&b'0');
    let shape_ok = match shape {
        IntShape::Any => (zero && !negative) || !leading_zero,
        IntShape::Positive => !negative && !leading_zero,
        IntShape::Negative => negative && !leading_zero,
        IntShape::ZeroOrPositive => !negative && (zero || !leading_zero),
    };
    shape_ok && v.parse::<i32>().is_ok()
}

/// Java `Float.parseFloat`, or `None` where Java throws `NumberFormatException`.
///
/// Characters up to U+0020 around the number are ignored; then an optional sign and `NaN`,
/// `Infinity`, a decimal number (`1`, `1.`, `.5`, `1.5e-3`) or a hexadecimal one (`0x1.8p1`),
/// the last two with an optional `f`, `F`, `d` or `D` suffix. Hexadecimal values are computed
/// in double precision first (exact for every realistic coordinate).
fn parse_java_float(s: &str) -> Option<f32> {
    let t = java_trim(s);
    let negative = t.starts_with('-');
    let unsigned = t.strip_prefix(['+', '-']).unwrap_or(t);
    let magnitude = match unsigned {
        "NaN" => f32::NAN,
        "Infinity" => f32::INFINITY,
        _ => {
            let body = unsigned
                .strip_suffix(['f', 'F', 'd', 'D'])
                .unwrap_or(unsigned);
            match body.strip_prefix("0x").or_else(|| body.strip_prefix("0X")) {
                Some(hex) => parse_hex_float(hex.as_bytes())?,
                None if is_java_decimal(body.as_bytes()) => body.parse::<f32>().ok()?,
                None => return None,
            }
        }
    };
    Some(if negative { -magnitude } else { magnitude })
}

/// `Digits? (. Digits?)? ([eE] [+-]? Digits)?` with at least one mantissa digit.
fn is_java_decimal(b: &[u8]) -> bool {
    let int_len = leading_digits(b);
    let mut rest = b.get(int_len..).unwrap_or_default();
    let mut frac_len = 0;
    if let Some(after_dot) = rest.strip_prefix(b".") {
        frac_len = leading_digits(after_dot);
        rest = after_dot.get(frac_len..).unwrap_or_default();
    }
    if int_len + frac_len == 0 {
        return false;
    }
    match rest.split_first() {
        None => true,
        Some((b'e' | b'E', exponent)) => {
            let digits = exponent
                .strip_prefix(b"+")
                .or_else(|| exponent.strip_prefix(b"-"))
                .unwrap_or(exponent);
            !digits.is_empty() && digits.iter().all(u8::is_ascii_digit)
        }
        Some(_) => false,
    }
}

/// The part of a Java hexadecimal float after `0x`: `HexDigits? (. HexDigits?)? [pP] [+-]? Digits`.
fn parse_hex_float(b: &[u8]) -> Option<f32> {
    let mut mantissa = 0f64;
    let mut digits = 0usize;
    let mut fraction_digits = 0i64;
    let mut seen_dot = false;
    let mut rest = b;
    while let Some((&c, tail)) = rest.split_first() {
        if c == b'.' && !seen_dot {
            seen_dot = true;
        } else if let Some(d) = char::from(c).to_digit(16) {
            mantissa = mantissa * 16.0 + f64::from(d);
            digits += 1;
            if seen_dot {
                fraction_digits += 1;
            }
        } else {
            break;
        }
        rest = tail;
    }
    if digits == 0 {
        return None;
    }
    let exponent = match rest.split_first() {
        Some((b'p' | b'P', exponent)) => exponent,
        _ => return None,
    };
    let (negative, exp_digits) = match exponent.split_first() {
        Some((b'-', d)) => (true, d),
        Some((b'+', d)) => (false, d),
        _ => (false, exponent),
    };
    if exp_digits.is_empty() || !exp_digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let mut exp = exp_digits.iter().fold(0i64, |acc, d| {
        acc.saturating_mul(10).saturating_add(i64::from(d - b'0'))
    });
    if negative {
        exp = -exp;
    }
    let binary_exponent = exp.saturating_sub(fraction_digits.saturating_mul(4));
    let binary_exponent = i32::try_from(binary_exponent.clamp(-100_000, 100_000)).unwrap_or(0);
    let value = mantissa * 2f64.powi(binary_exponent);
    // Deliberate narrowing: Java rounds the value to float as well.
    Some(value as f32)
}

// ---------------------------------------------------------------------------------------------
// DATE, AGE, TIME
// ---------------------------------------------------------------------------------------------

/// `DateUtils.dateIsValid` with the ISO calendar.
fn is_date(v: &str) -> bool {
    let Some((head, time)) = v.split_at_checked(10) else {
        return false;
    };
    let Ok(head) = <[u8; 10]>::try_from(head.as_bytes()) else {
        return false;
    };
    let [y1, y2, y3, y4, b'-', m1, m2, b'-', d1, d2] = head else {
        return false;
    };
    let digit = |c: u8| c.is_ascii_digit();
    if !(digit(y1) && digit(y2) && digit(y3) && digit(y4)) {
        return false;
    }
    let month_ok = matches!((m1, m2), (b'0', b'1'..=b'9') | (b'1', b'0'..=b'2'));
    let day_ok = matches!(
        (d1, d2),
        (b'0', b'1'..=b'9') | (b'1'..=b'2', b'0'..=b'9') | (b'3', b'0'..=b'2')
    );
    if !month_ok || !day_ok {
        return false;
    }
    // `(?<time>.*)\b`: no line terminator, and the value ends with a word character.
    if time.chars().any(is_java_line_terminator) {
        return false;
    }
    if time
        .chars()
        .next_back()
        .is_some_and(|c| !is_java_word_char(c))
    {
        return false;
    }
    let num = |a: u8, b: u8| u32::from(a - b'0') * 10 + u32::from(b - b'0');
    let year = i64::from(num(y1, y2) * 100 + num(y3, y4));
    let month = num(m1, m2);
    let day = num(d1, d2);
    day <= days_in_month(year, month)
}

/// Days of a month of the proleptic Gregorian calendar (0 for a month outside 1–12).
fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        _ => 0,
    }
}

/// `^([0-9]|0[0-9]|1[0-9]|2[0-3]):[0-5][0-9]$`.
fn is_time(v: &str) -> bool {
    let Some((hours, minutes)) = v.split_once(':') else {
        return false;
    };
    let hours_ok = matches!(
        hours.as_bytes(),
        [b'0'..=b'9'] | [b'0'..=b'1', b'0'..=b'9'] | [b'2', b'0'..=b'3']
    );
    let minutes_ok = matches!(minutes.as_bytes(), [b'0'..=b'5', b'0'..=b'9']);
    hours_ok && minutes_ok
}

// ---------------------------------------------------------------------------------------------
// DATETIME (Joda-Time patterns of DateUtils)
// ---------------------------------------------------------------------------------------------

/// Joda's ISO chronology year range.
const JODA_MIN_YEAR: i64 = -292_275_054;
const JODA_MAX_YEAR: i64 = 292_278_993;

/// A read position in ASCII text.
struct Cursor<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Cursor<'a> {
    fn new(s: &'a str) -> Cursor<'a> {
        Cursor {
            bytes: s.as_bytes(),
            pos: 0,
        }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn at_end(&self) -> bool {
        self.pos >= self.bytes.len()
    }

    fn eat(&mut self, expected: u8) -> bool {
        if self.peek() == Some(expected) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    /// A Joda literal: compared ignoring case.
    fn eat_literal(&mut self, expected: u8) -> bool {
        if self
            .peek()
            .is_some_and(|c| c.eq_ignore_ascii_case(&expected))
        {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    /// How many ASCII digits follow, up to `max`, without consuming them.
    fn count_digits(&self, max: usize) -> usize {
        let rest = self.bytes.get(self.pos..).unwrap_or_default();
        leading_digits(rest).min(max)
    }

    /// Between 1 and `max` (at most 18) ASCII digits, greedily, as a number.
    fn number(&mut self, max: usize) -> Option<u64> {
        let count = self.count_digits(max);
        if count == 0 {
            return None;
        }
        let mut value = 0u64;
        for _ in 0..count {
            let digit = self.peek().map_or(0, |c| u64::from(c - b'0'));
            value = value * 10 + digit;
            self.pos += 1;
        }
        Some(value)
    }

    /// Joda's signed year (`yyyy` followed by a literal): an optional sign then 1–9 digits.
    fn signed_year(&mut self) -> Option<i64> {
        let negative = match self.peek() {
            Some(b'-') => true,
            Some(b'+') => false,
            _ => return self.number(9).and_then(|v| i64::try_from(v).ok()),
        };
        self.pos += 1;
        let magnitude = i64::try_from(self.number(9)?).ok()?;
        Some(if negative { -magnitude } else { magnitude })
    }

    /// Joda's `Z` (`TimeZoneOffset` parser, zero offset text `Z`). Leaves the cursor after the
    /// offset; the caller checks that nothing follows.
    fn offset(&mut self) -> bool {
        if self.eat_literal(b'Z') {
            return true;
        }
        if !(self.eat(b'+') || self.eat(b'-')) {
            return false;
        }
        // Hours: exactly two digits.
        if self.count_digits(2) < 2 || self.number(2).is_none_or(|h| h > 23) {
            return false;
        }
        let separators = match self.peek() {
            Some(b':') => {
                self.pos += 1;
                true
            }
            Some(b'0'..=b'9') => false,
            _ => return true,
        };
        // Minutes: two digits.
        match self.count_digits(2) {
            0 if !separators => return true,
            2 => {}
            _ => return false,
        }
        if self.number(2).is_none_or(|m| m > 59) {
            return false;
        }
        if self.at_end() || (separators && !self.eat(b':')) {
            return true;
        }
        // Seconds: two digits.
        match self.count_digits(2) {
            0 if !separators => return true,
            2 => {}
            _ => return false,
        }
        if self.number(2).is_none_or(|s| s > 59) {
            return false;
        }
        if self.at_end() || (separators && !(self.eat(b'.') || self.eat(b','))) {
            return true;
        }
        // Fraction: one to three digits.
        match self.count_digits(3) {
            0 if !separators => true,
            0 => false,
            _ => self.number(3).is_some(),
        }
    }
}

/// `DateUtils.dateTimeIsValid`: the value parses completely with one of the Joda patterns
/// `yyyy-MM-dd'T'HH:mm:ss.SSSSSSSSSZ` … `yyyy-MM-dd'T'HH`, `yyyy-MM-dd HH:mm:ssZ`, and the
/// fields are a real date and time.
fn is_datetime(v: &str) -> bool {
    let mut c = Cursor::new(v);
    let Some(year) = c.signed_year() else {
        return false;
    };
    if !c.eat(b'-') {
        return false;
    }
    let Some(month) = c.number(2) else {
        return false;
    };
    if !c.eat(b'-') {
        return false;
    }
    let Some(day) = c.number(2) else {
        return false;
    };
    let space_form = if c.eat_literal(b'T') {
        false
    } else if c.eat(b' ') {
        true
    } else {
        return false;
    };
    let Some(hour) = c.number(2) else {
        return false;
    };
    let mut minute = 0;
    let mut second = 0;
    if space_form {
        // yyyy-MM-dd HH:mm:ssZ
        if !c.eat(b':') {
            return false;
        }
        let Some(m) = c.number(2) else {
            return false;
        };
        if !c.eat(b':') {
            return false;
        }
        let Some(s) = c.number(2) else {
            return false;
        };
        (minute, second) = (m, s);
        if !c.offset() {
            return false;
        }
    } else {
        if c.eat(b':') {
            let Some(m) = c.number(2) else {
                return false;
            };
            minute = m;
            if c.eat(b':') {
                let Some(s) = c.number(2) else {
                    return false;
                };
                second = s;
                if c.eat(b'.') && c.number(9).is_none() {
                    return false;
                }
            }
        }
        if !c.at_end() && !c.offset() {
            return false;
        }
    }
    if !c.at_end() {
        return false;
    }
    let month_days = u32::try_from(month).map_or(0, |m| days_in_month(year, m));
    (JODA_MIN_YEAR..=JODA_MAX_YEAR).contains(&year)
        && day >= 1
        && day <= u64::from(month_days)
        && hour <= 23
        && minute <= 59
        && second <= 59
}

// ---------------------------------------------------------------------------------------------
// PHONE_NUMBER, USERNAME, COORDINATE
// ---------------------------------------------------------------------------------------------

/// `^[0-9+\(\)#\.\s\/ext-]{6,50}$`.
fn is_phone_number(v: &str) -> bool {
    // Every allowed character is ASCII, so bytes count characters when the check passes.
    (6..=50).contains(&v.len())
        && v.bytes().all(|b| {
            b.is_ascii_digit() || b"+()#./ext-".contains(&b) || is_java_space(char::from(b))
        })
}

/// `^(?=.{4,255}$)(?![-_.@])(?!.*[-_.@]{2})[-_.@a-zA-Z0-9]+(?<![-_.@])$`.
fn is_username(v: &str) -> bool {
    let b = v.as_bytes();
    let special = |c: u8| matches!(c, b'-' | b'_' | b'.' | b'@');
    (4..=255).contains(&b.len())
        && b.iter().all(|&c| c.is_ascii_alphanumeric() || special(c))
        && !b.first().is_some_and(|&c| special(c))
        && !b.last().is_some_and(|&c| special(c))
        && !b
            .windows(2)
            .any(|w| matches!(w, [x, y] if special(*x) && special(*y)))
}

/// `MathUtils.isCoordinate` as described in spec 4.5.
fn is_coordinate(v: &str) -> bool {
    let compact: Cow<'_, str> = if v.chars().any(is_java_space) {
        Cow::Owned(v.chars().filter(|c| !is_java_space(*c)).collect())
    } else {
        Cow::Borrowed(v)
    };
    if compact.encode_utf16().nth(4).is_none() {
        return false; // fewer than 5 characters
    }
    let Some(inner) = compact
        .strip_prefix('[')
        .and_then(|rest| rest.strip_suffix(']'))
    else {
        return false;
    };
    let mut parts = inner.split(',');
    let (Some(lng), Some(lat)) = (parts.next(), parts.next()) else {
        return false;
    };
    match (parse_java_float(lng), parse_java_float(lat)) {
        (Some(lng), Some(lat)) => (-180.0..=180.0).contains(&lng) && (-90.0..=90.0).contains(&lat),
        _ => false,
    }
}

// ---------------------------------------------------------------------------------------------
// EMAIL (Apache Commons Validator EmailValidator)
// ---------------------------------------------------------------------------------------------

/// `EmailValidator.getInstance().isValid` (no local domains, no bare TLDs).
fn is_email(v: &str) -> bool {
    if v.ends_with('.') {
        return false;
    }
    // ^(.+)@(\S+)$ — the greedy local part ends at the last '@'.
    let Some((user, domain)) = v.rsplit_once('@') else {
        return false;
    };
    if user.is_empty() || user.chars().any(is_java_line_terminator) {
        return false;
    }
    if domain.is_empty() || domain.chars().any(is_java_space) {
        return false;
    }
    is_email_user(user) && is_email_domain(domain)
}

/// `^WORD(\.WORD)*$` where `WORD = ((\\.|[^\s\p{Cntrl}()<>@,;:'\\".\[\]]|')+|"(\\"|[^"])*")`,
/// at most 64 characters.
fn is_email_user(user: &str) -> bool {
    if utf16_len_exceeds(user, EMAIL_USER_MAX_LENGTH) {
        return false;
    }
    // At most 64 UTF-16 units, hence at most 256 bytes.
    let mut memo = [0u8; 4 * EMAIL_USER_MAX_LENGTH + 1];
    email_words_from(user.as_bytes(), 0, &mut memo)
}

/// Whether `b[start..]` is `WORD(\.WORD)*`; `memo` remembers answers by start (0 unknown,
/// 1 no, 2 yes) so quoted words with many possible ends stay cheap.
fn email_words_from(b: &[u8], start: usize, memo: &mut [u8]) -> bool {
    match memo.get(start) {
        Some(1) => return false,
        Some(2) => return true,
        _ => {}
    }
    let result = email_words_from_uncached(b, start, memo);
    if let Some(slot) = memo.get_mut(start) {
        *slot = if result { 2 } else { 1 };
    }
    result
}

fn email_words_from_uncached(b: &[u8], start: usize, memo: &mut [u8]) -> bool {
    let rest = b.get(start..).unwrap_or_default();
    match rest.first() {
        None => false,
        Some(b'"') => {
            // A quoted word ends at a '"'; a '"' preceded by '\' may also be content.
            let mut i = 1;
            while let Some(&c) = rest.get(i) {
                if c == b'"' {
                    if email_word_continues(b, start + i + 1, memo) {
                        return true;
                    }
                    if !(i > 1 && rest.get(i - 1) == Some(&b'\\')) {
                        return false;
                    }
                }
                i += 1;
            }
            false
        }
        Some(_) => {
            // A run of plain characters and escapes; it can only be followed by '.' or the end.
            let mut i = 0;
            loop {
                match rest.get(i) {
                    Some(b'\\') if i + 1 < rest.len() => i += 2,
                    Some(&c) if is_email_plain(c) => i += 1,
                    _ => break,
                }
            }
            i > 0 && email_word_continues(b, start + i, memo)
        }
    }
}

/// After a word ending at `end`: the end of the local part, or `.` and more words.
fn email_word_continues(b: &[u8], end: usize, memo: &mut [u8]) -> bool {
    match b.get(end) {
        None => true,
        Some(b'.') => email_words_from(b, end + 1, memo),
        Some(_) => false,
    }
}

/// A byte allowed unescaped in an unquoted word: not ASCII whitespace, not a control, not one
/// of `( ) < > @ , ; : \ " . [ ]` (`'` is allowed; bytes of non-ASCII characters are allowed).
fn is_email_plain(c: u8) -> bool {
    c >= 0x80 || ((0x21..=0x7E).contains(&c) && !b"()<>@,;:\\\".[]".contains(&c))
}

/// `EmailValidator.isValidDomain`: `[IP]` or a domain name.
fn is_email_domain(domain: &str) -> bool {
    match domain
        .strip_prefix('[')
        .and_then(|rest| rest.strip_suffix(']'))
    {
        Some(literal) => is_inet4(literal) || is_inet6(literal),
        None => is_domain(domain),
    }
}

// ---------------------------------------------------------------------------------------------
// Domains and IP addresses (Apache DomainValidator, InetAddressValidator)
// ---------------------------------------------------------------------------------------------

/// `DomainValidator.getInstance(false).isValid`: `^(?:LABEL\.)+TOP\.?$` and a known TLD, at most
/// 253 characters. See [`ValueType::Email`] for the TLD approximation.
fn is_domain(domain: &str) -> bool {
    if utf16_len_exceeds(domain, DOMAIN_MAX_LENGTH) {
        return false;
    }
    let name = domain.strip_suffix('.').unwrap_or(domain);
    let Some((labels, top)) = name.rsplit_once('.') else {
        return false;
    };
    labels.split('.').all(|l| is_domain_label(l, false))
        && is_domain_label(top, true)
        && is_tld(top)
}

/// `\p{Alnum}(?>[\p{Alnum}-]{0,61}\p{Alnum})?`, or for the top label `\p{Alpha}…`.
fn is_domain_label(label: &str, top: bool) -> bool {
    let mut chars = label.chars();
    let Some(first) = chars.next() else {
        return false;
    };
    let last = chars.next_back().unwrap_or(first);
    let first_ok = if top {
        is_domain_alpha(first)
    } else {
        is_domain_alnum(first)
    };
    first_ok
        && is_domain_alnum(last)
        && label.chars().count() <= 63
        && label.chars().all(|c| is_domain_alnum(c) || c == '-')
}

/// An ASCII letter or digit, or a non-ASCII one (an internationalised label).
fn is_domain_alnum(c: char) -> bool {
    c.is_ascii_alphanumeric() || (!c.is_ascii() && c.is_alphanumeric())
}

/// An ASCII letter, or a non-ASCII one (an internationalised label).
fn is_domain_alpha(c: char) -> bool {
    c.is_ascii_alphabetic() || (!c.is_ascii() && c.is_alphabetic())
}

/// Stand-in for IANA's list of top-level domains (see [`ValueType::Email`]).
fn is_tld(top: &str) -> bool {
    let ascii_letters = top.len() >= 2 && top.bytes().all(|b| b.is_ascii_alphabetic());
    let punycode = top.get(..4).is_some_and(|p| p.eq_ignore_ascii_case("xn--"));
    let unicode = !top.is_ascii() && top.chars().all(char::is_alphabetic);
    ascii_letters || punycode || unicode
}

/// `InetAddressValidator.isValidInet4Address`: four dot-separated decimal octets of 1–3
/// digits, at most 255, without leading zeros.
fn is_inet4(s: &str) -> bool {
    let mut count = 0;
    for octet in s.split('.') {
        count += 1;
        let b = octet.as_bytes();
        let ok = count <= 4
            && (1..=3).contains(&b.len())
            && b.iter().all(u8::is_ascii_digit)
            && !(b.len() > 1 && b.first() == Some(&b'0'))
            && octet.parse::<u16>().is_ok_and(|v| v <= 255);
        if !ok {
            return false;
        }
    }
    count == 4
}

/// `InetAddressValidator.isValidInet6Address`, approximated by the standard library's parser
/// (no zone ids or prefix lengths).
fn is_inet6(s: &str) -> bool {
    s.parse::<std::net::Ipv6Addr>().is_ok()
}

// ---------------------------------------------------------------------------------------------
// URL (Apache Commons Validator UrlValidator)
// ---------------------------------------------------------------------------------------------

/// `new UrlValidator().isValid` (schemes http, https, ftp).
fn is_url(v: &str) -> bool {
    // ^(([^:/?#]+):)?(//([^/?#]*))?([^?#]*)(\?([^#]*))?(#(.*))?
    let Some(end) = v.find([':', '/', '?', '#']) else {
        return false;
    };
    let Some((scheme, rest)) = v.split_at_checked(end) else {
        return false;
    };
    let Some(rest) = rest.strip_prefix(':') else {
        return false; // no scheme
    };
    let scheme_ok = ["http", "https", "ftp"]
        .iter()
        .any(|s| scheme.eq_ignore_ascii_case(s));
    if !scheme_ok {
        return false;
    }
    let (rest, fragment) = match rest.split_once('#') {
        Some((rest, fragment)) => (rest, Some(fragment)),
        None => (rest, None),
    };
    if fragment.is_some_and(|f| f.chars().any(is_java_line_terminator)) {
        return false;
    }
    let (rest, query) = match rest.split_once('?') {
        Some((rest, query)) => (rest, Some(query)),
        None => (rest, None),
    };
    let Some(rest) = rest.strip_prefix("//") else {
        return false; // no authority
    };
    let (authority, path) = match rest.find('/') {
        Some(slash) => rest.split_at_checked(slash).unwrap_or((rest, "")),
        None => (rest, ""),
    };
    is_url_authority(authority)
        && is_url_path(path)
        && query.is_none_or(|q| !q.chars().any(is_java_space))
}

/// `UrlValidator.isValidAuthority`:
/// `(?:\[(IPV6)\]|(?:(?:USERINFO@)?([\p{Alnum}\-.]*)))(?::(\d*))?(.*)?` plus the host, port and
/// "extra" checks.
fn is_url_authority(authority: &str) -> bool {
    let after_host = if let Some(bracketed) = authority.strip_prefix('[') {
        let Some((ip, after)) = bracketed.split_once(']') else {
            return false;
        };
        if !is_ipv6_literal_shape(ip) || !is_inet6(ip) {
            return false;
        }
        after
    } else {
        let after_userinfo = match authority.split_once('@') {
            Some((userinfo, after)) if is_url_userinfo(userinfo) => after,
            _ => authority,
        };
        let host_len: usize = after_userinfo
            .chars()
            .take_while(|&c| is_domain_alnum(c) || c == '-' || c == '.')
            .map(char::len_utf8)
            .sum();
        let Some((host, after)) = after_userinfo.split_at_checked(host_len) else {
            return false;
        };
        if !(is_domain(host) || is_inet4(host)) {
            return false;
        }
        let port_digits = after
            .strip_prefix(':')
            .map(|p| p.get(..leading_digits(p.as_bytes())).unwrap_or_default());
        if let Some(port) = port_digits {
            if !port.is_empty() && !port.parse::<i32>().is_ok_and(|p| (0..=65535).contains(&p)) {
                return false;
            }
        }
        after
    };
    // The port (checked above for host names only, as Apache does), then the "extra" part,
    // which must be blank.
    let extra = match after_host.strip_prefix(':') {
        Some(p) => p.get(leading_digits(p.as_bytes())..).unwrap_or_default(),
        None => after_host,
    };
    !extra.chars().any(is_java_line_terminator) && java_trim(extra).is_empty()
}

/// `::FFFF:(?:\d{1,3}\.){3}\d{1,3}|[0-9a-fA-F:]+`.
fn is_ipv6_literal_shape(ip: &str) -> bool {
    let mapped_v4 = ip.strip_prefix("::FFFF:").is_some_and(|v4| {
        let mut count = 0;
        let octets_ok = v4.split('.').all(|o| {
            count += 1;
            (1..=3).contains(&o.len()) && o.bytes().all(|b| b.is_ascii_digit())
        });
        octets_ok && count == 4
    });
    let hex = !ip.is_empty() && ip.bytes().all(|b| b.is_ascii_hexdigit() || b == b':');
    mapped_v4 || hex
}

/// `[a-zA-Z0-9%-._~!$&'()*+,;=]+(?::[a-zA-Z0-9%-._~!$&'()*+,;=]*)?` (before the `@`).
fn is_url_userinfo(userinfo: &str) -> bool {
    let allowed = |b: u8| b.is_ascii_alphanumeric() || b"%&'()*+,-._~!$;=".contains(&b);
    let (name, password) = match userinfo.split_once(':') {
        Some((name, password)) => (name, password),
        None => (userinfo, ""),
    };
    !name.is_empty() && name.bytes().all(allowed) && password.bytes().all(allowed)
}

/// `UrlValidator.isValidPath`: `^(/[-\w:@&?=+,.!/~*'%$_;\(\)]*)?$`, no `//`, and the normalised
/// path does not climb above the root.
fn is_url_path(path: &str) -> bool {
    if path.is_empty() {
        return true;
    }
    let chars_ok = path.starts_with('/')
        && path
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-:@&?=+,.!/~*'%$_;()".contains(&b));
    if !chars_ok || path.contains("//") {
        return false;
    }
    let mut depth = 0usize;
    for segment in path.split('/') {
        match segment {
            "" | "." => {}
            ".." => match depth.checked_sub(1) {
                Some(d) => depth = d,
                None => return false,
            },
            _ => depth += 1,
        }
    }
    true
}

#[cfg(test)]
mod tests {
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
}
