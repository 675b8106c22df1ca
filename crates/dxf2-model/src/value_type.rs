//! DHIS2 value types (`ValueType`) and DHIS2's validation of data values against them.
//!
//! [`ValueType::validate`] re-implements `ValidationUtils.valueIsValid` of the classic importer
//! (DHIS2 2.40–2.42, conflict `E7619`); the 2.43+ pipeline applies the same rules (`E8122`). The
//! normalisations that run *before* validation are [`ValueType::normalize_boolean_classic`]
//! (classic) and [`ValueType::normalize_pipeline`] (2.43+).
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

mod domain;
mod email;
mod formats;
mod number;
mod temporal;
#[cfg(test)]
mod tests;
mod url;

use self::{domain::*, email::*, formats::*, number::*, temporal::*, url::*};

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

    /// Checks a value the way DHIS2's `ValidationUtils.valueIsValid` does.
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

    /// The classic importer's boolean normalisation (`ValidationUtils.normalizeBoolean`), applied
    /// before validation and storage.
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

    /// The 2.43+ pipeline's normalisation (`DefaultDataEntryService`), applied before validation.
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

    /// Whether a value of this type is a zero that DHIS2 may drop: the type is numeric and the
    /// value matches `^0(\.0*)?$` (`0`, `0.`, `0.00`; not `-0`, `00`, `.0`).
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
