//! Reading DXF2 metadata JSON (`/api/metadata` documents) into a [`Metadata`] catalogue.
//!
//! The document is read in one pass with `serde_json`, object by object: each object of a known
//! top-level array (`organisationUnits`, `dataElements`, `categoryOptions`, `categories`,
//! `categoryCombos`, `categoryOptionCombos`, `dataSets`, `optionSets`, `options`, `attributes`,
//! `dataElementGroups`, `organisationUnitGroups`, `users`, `userRoles`) is checked and added to
//! the catalogue as soon as it is read; other top-level keys (`system`, `indicators`, …) are
//! skipped. As in DHIS2 (`../shared/spec/metadata-spec.md` §1):
//!
//! * unknown object fields are ignored, `null` array elements are dropped, `""` reads as `null`;
//! * scalars are coerced like Jackson does (`"12"` for a number, `"true"` or `1` for a boolean,
//!   a number for a string);
//! * references are `{"id": "<uid>"}` objects (other fields ignored); a reference without `id`
//!   is an error (CODE-mode references are not supported);
//! * `attributeValues` are read in both forms: `[{"attribute": {"id"}, "value"}]` and
//!   `{"<uid>": {"value"}}`;
//! * dates take every `DateUtils` form (`yyyyMMdd`, `yyyy-MM-dd`, `yyyy-MM`, `yyyy`,
//!   `yyyy-MM-ddTHH[:mm[:ss[.fraction]]][offset]`, `yyyy-MM-dd HH:mm:ss[offset]`, epoch
//!   milliseconds as a JSON integer or as a string of more than 12 digits). Date-only fields keep
//!   the date part as written; date-time fields with an offset are converted to UTC (as a DHIS2
//!   server running in UTC stores them);
//! * a missing (`null`) `categoryCombo` of a data element, data set or category option combo is
//!   the default category combo (a data set element's `categoryCombo` stays `None`: it is only an
//!   override); DHIS2's default category objects are added when absent
//!   ([`Metadata::ensure_defaults`]) and the org unit hierarchy is computed
//!   ([`Metadata::compute_hierarchy`]; parents that form a cycle are an error);
//! * an option set's `options` may be embedded objects or `{"id"}` references to the top-level
//!   `options` array (the top-level object wins when both exist); top-level options whose
//!   `optionSet` is an option set of the document but that the set does not list are appended
//!   to it (DHIS2 appends them on create);
//! * a user's authorities are those of its `userRoles` (or `userCredentials.userRoles`), taken
//!   from the top-level `userRoles`, plus an `authorities` array on the user itself (our
//!   extension for small fixtures); `username` is read at top level or in `userCredentials`.
//!
//! Stricter than DHIS2 (which would import and report, or generate an id): an object without an
//! `id`, an invalid UID, an unknown `valueType`, `aggregationType`, `domainType`,
//! `dataDimensionType` or `periodType` name (also `TwoYearly`, which DHIS2 reads as `null`), a
//! data element, option set or attribute without `valueType`, a data set without `periodType`,
//! a user without `username`, an option without `code`, a bad date, and an option or user role
//! reference that the document does not define are errors ([`MetadataError`]) naming the object
//! (type, index, id) and the field.
//!
//! ```
//! use dxf2_json::metadata::read_metadata;
//! use dxf2_model::{PeriodType, Uid};
//!
//! let json = r#"{
//!   "system": {"version": "2.40"},
//!   "dataElements": [{"id": "f7n9E0hX8qk", "code": "ANC1", "name": "ANC 1st visit",
//!                     "valueType": "INTEGER", "aggregationType": "SUM", "domainType": "AGGREGATE"}],
//!   "dataSets": [{"id": "pBOMPrpg1QX", "name": "ANC", "periodType": "Monthly",
//!                 "dataSetElements": [{"dataElement": {"id": "f7n9E0hX8qk"}}]}]
//! }"#;
//! let metadata = read_metadata(json.as_bytes()).unwrap();
//! let de = metadata.data_element(&Uid::parse("f7n9E0hX8qk").unwrap()).unwrap();
//! assert_eq!(de.id.code.as_deref(), Some("ANC1"));
//! assert_eq!(de.category_combo.as_str(), "bjDvmb4bfuf"); // the default combo
//! assert_eq!(metadata.data_sets[0].period_type, PeriodType::Monthly);
//! assert!(metadata.default_category_option_combo().is_some());
//!
//! let err = read_metadata(r#"{"dataElements": [{"id": "f7n9E0hX8qk", "valueType": "NUMBR"}]}"#.as_bytes())
//!     .unwrap_err();
//! assert_eq!(err.field(), Some("valueType"));
//! assert!(err.to_string().starts_with("dataElements[0] (id `f7n9E0hX8qk`): invalid `valueType` `NUMBR`"));
//! ```

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::io::{self, BufReader, Read};

use dxf2_model::metadata::{
    Attribute, Category, CategoryCombo, CategoryOption, CategoryOptionCombo, DataElement,
    DataElementGroup, DataInputPeriod, DataSet, DataSetElement, HierarchyError, Identity,
    NaiveDate, NaiveDateTime, NaiveTime, OptionItem, OptionSet, OrganisationUnit,
    OrganisationUnitGroup, Sharing, User, DEFAULT_CATEGORY_COMBO_UID, DEFAULT_CATEGORY_OPTION_UID,
    DEFAULT_CATEGORY_UID,
};
use dxf2_model::{Metadata, Period, PeriodType, ReadLimits, Uid, ValueType};
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;

use crate::guard::{GuardStop, TokenGuard};

// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------

/// Which object of the document: its top-level array, its index there, and its `id` once read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ObjectRef {
    /// The top-level key (`dataElements`, `dataSets`, …).
    pub kind: &'static str,
    /// Zero-based index in that array (`null` elements count).
    pub index: usize,
    /// The object's `id` as written, when it was read.
    pub id: Option<String>,
}

impl fmt::Display for ObjectRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}[{}]", self.kind, self.index)?;
        if let Some(id) = &self.id {
            write!(f, " (id `{id}`)")?;
        }
        Ok(())
    }
}

/// A position in the JSON text (1-based line and column, as `serde_json` reports them).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Position {
    /// Line.
    pub line: usize,
    /// Column.
    pub column: usize,
}

/// Why a metadata document could not be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MetadataError {
    /// Reading the input failed.
    #[error("I/O error while reading metadata JSON: {0}")]
    Io(#[source] io::Error),
    /// Malformed JSON, or a JSON value of the wrong type (e.g. an object where a string belongs).
    #[error("invalid metadata JSON{}: {message} at line {line}, column {column}", in_object(.object.as_deref()))]
    Json {
        /// The object being read, when inside one of the known top-level arrays.
        object: Option<Box<ObjectRef>>,
        /// `serde_json`'s description.
        message: String,
        /// Line.
        line: usize,
        /// Column.
        column: usize,
    },
    /// A required field is absent, `null` or `""`.
    #[error("{object}: missing `{field}`{}", at(.position))]
    MissingField {
        /// The object.
        object: Box<ObjectRef>,
        /// The field (a path such as `dataSetElements[2].dataElement`).
        field: String,
        /// Where reading stopped in the JSON text: just after the object.
        position: Option<Position>,
    },
    /// A field has a value DHIS2 would refuse.
    #[error("{object}: invalid `{field}` `{value}`: expected {expected}{}", at(.position))]
    InvalidField {
        /// The object.
        object: Box<ObjectRef>,
        /// The field (a path such as `dataInputPeriods[0].openingDate`).
        field: String,
        /// The value as written.
        value: String,
        /// What was expected.
        expected: &'static str,
        /// Where reading stopped in the JSON text: just after the object.
        position: Option<Position>,
    },
    /// A string or number longer than [`ReadLimits::max_token_bytes`] (as written) starts at
    /// `position`.
    #[error("invalid metadata JSON at line {}, column {}: {what} longer than {} starts here: raise ReadLimits::max_token_bytes, or --max-token-bytes on the command line", .position.line, .position.column, dxf2_model::limits::human_bytes(*.limit))]
    TokenTooLong {
        /// What was too long: `a string` or `a number`.
        what: &'static str,
        /// The limit, in bytes.
        limit: usize,
        /// Where the token starts.
        position: Position,
    },
    /// A `\u0000` escape: no DHIS2 database can hold U+0000 (PostgreSQL refuses it).
    #[error("invalid metadata JSON at line {}, column {}: `\\u0000` (U+0000, NUL) in a string: DHIS2's database (PostgreSQL) cannot store it; remove it from the file", .position.line, .position.column)]
    NulCharacter {
        /// Where the escape is.
        position: Position,
    },
    /// Objects and arrays nested deeper than `limit` levels.
    #[error("invalid metadata JSON at line {}, column {}: nested deeper than {limit} levels", .position.line, .position.column)]
    NestingTooDeep {
        /// The limit.
        limit: usize,
        /// Where the level too deep opens.
        position: Position,
    },
    /// The org units' parents form a cycle (or another hierarchy problem): nothing was merged.
    #[error("invalid metadata: {0}")]
    Hierarchy(#[source] HierarchyError),
    /// A reference (an option set's option, a user's role) to an object the document does not
    /// define.
    #[error("{object}: `{field}` refers to `{id}`, which the document does not define")]
    UnresolvedReference {
        /// The object.
        object: Box<ObjectRef>,
        /// The field (`options[3]`, `userRoles[0]`).
        field: String,
        /// The UID referred to.
        id: String,
    },
}

fn in_object(object: Option<&ObjectRef>) -> String {
    object.map(|o| format!(" in {o}")).unwrap_or_default()
}

fn at(position: &Option<Position>) -> String {
    position
        .map(|p| {
            format!(
                " (after the object, at line {}, column {})",
                p.line, p.column
            )
        })
        .unwrap_or_default()
}

impl MetadataError {
    /// The object the error is about, when known.
    pub fn object(&self) -> Option<&ObjectRef> {
        match self {
            MetadataError::Io(_)
            | MetadataError::Hierarchy(_)
            | MetadataError::TokenTooLong { .. }
            | MetadataError::NulCharacter { .. }
            | MetadataError::NestingTooDeep { .. } => None,
            MetadataError::Json { object, .. } => object.as_deref(),
            MetadataError::MissingField { object, .. }
            | MetadataError::InvalidField { object, .. }
            | MetadataError::UnresolvedReference { object, .. } => Some(&**object),
        }
    }

    /// The field the error is about, when known.
    pub fn field(&self) -> Option<&str> {
        match self {
            MetadataError::Io(_)
            | MetadataError::Json { .. }
            | MetadataError::Hierarchy(_)
            | MetadataError::TokenTooLong { .. }
            | MetadataError::NulCharacter { .. }
            | MetadataError::NestingTooDeep { .. } => None,
            MetadataError::MissingField { field, .. }
            | MetadataError::InvalidField { field, .. }
            | MetadataError::UnresolvedReference { field, .. } => Some(field),
        }
    }

    /// Where in the JSON text, when known (for field errors: where reading stopped, just after the
    /// object, past any white space).
    pub fn position(&self) -> Option<Position> {
        match self {
            MetadataError::Json { line, column, .. } => Some(Position {
                line: *line,
                column: *column,
            }),
            MetadataError::MissingField { position, .. }
            | MetadataError::InvalidField { position, .. } => *position,
            MetadataError::TokenTooLong { position, .. }
            | MetadataError::NulCharacter { position }
            | MetadataError::NestingTooDeep { position, .. } => Some(*position),
            MetadataError::Io(_)
            | MetadataError::Hierarchy(_)
            | MetadataError::UnresolvedReference { .. } => None,
        }
    }

    fn set_position(&mut self, new: Position) {
        if let MetadataError::MissingField { position, .. }
        | MetadataError::InvalidField { position, .. } = self
        {
            *position = Some(new);
        }
    }
}

fn missing(object: &ObjectRef, field: impl Into<String>) -> MetadataError {
    MetadataError::MissingField {
        object: Box::new(object.clone()),
        field: field.into(),
        position: None,
    }
}

fn invalid(
    object: &ObjectRef,
    field: impl Into<String>,
    value: &str,
    expected: &'static str,
) -> MetadataError {
    MetadataError::InvalidField {
        object: Box::new(object.clone()),
        field: field.into(),
        value: value.to_owned(),
        expected,
        position: None,
    }
}

const EXPECT_UID: &str = "an 11-character UID (a letter, then 10 letters or digits)";
const EXPECT_DATE: &str =
    "a date such as 2024-01-31 or 2024-01-31T12:00:00.000, or epoch milliseconds";

/// The error of an input the guard stopped.
fn guard_error(stop: GuardStop) -> MetadataError {
    let at = |line: u64, column: u64| Position {
        line: usize::try_from(line).unwrap_or(usize::MAX),
        column: usize::try_from(column).unwrap_or(usize::MAX),
    };
    match stop {
        GuardStop::TooLong {
            what,
            limit,
            line,
            column,
        } => MetadataError::TokenTooLong {
            what,
            limit,
            position: at(line, column),
        },
        GuardStop::Nul { line, column } => MetadataError::NulCharacter {
            position: at(line, column),
        },
        GuardStop::TooDeep {
            limit,
            line,
            column,
        } => MetadataError::NestingTooDeep {
            limit,
            position: at(line, column),
        },
    }
}

// ---------------------------------------------------------------------------------------------
// Public API
// ---------------------------------------------------------------------------------------------

/// Reads one DXF2 metadata JSON document into a new catalogue (defaults added, org unit hierarchy
/// computed).
///
/// The reader is buffered internally. The default [`ReadLimits`] apply (see
/// [`read_metadata_into_with_limits`]).
pub fn read_metadata<R: Read>(reader: R) -> Result<Metadata, MetadataError> {
    let mut metadata = Metadata::new();
    read_metadata_into(reader, &mut metadata)?;
    Ok(metadata)
}

/// [`read_metadata`] with memory limits (see [`read_metadata_into_with_limits`]).
pub fn read_metadata_with_limits<R: Read>(
    reader: R,
    limits: ReadLimits,
) -> Result<Metadata, MetadataError> {
    let mut metadata = Metadata::new();
    read_metadata_into_with_limits(reader, &mut metadata, limits)?;
    Ok(metadata)
}

/// Reads one DXF2 metadata JSON document and merges it into `metadata`: objects replace those
/// with the same UID and kind; then defaults are added when absent and the org unit hierarchy is
/// recomputed (parents that form a cycle are [`MetadataError::Hierarchy`]). On error `metadata`
/// is left unchanged.
///
/// References are resolved within the document, except that an option set may list options of
/// option sets already in `metadata`.
pub fn read_metadata_into<R: Read>(
    reader: R,
    metadata: &mut Metadata,
) -> Result<(), MetadataError> {
    read_metadata_into_with_limits(reader, metadata, ReadLimits::default())
}

/// [`read_metadata_into`] with memory limits: a string or number longer than
/// [`ReadLimits::max_token_bytes`] (as written) is refused ([`MetadataError::TokenTooLong`]),
/// also in fields and top-level keys that are skipped, and so is nesting deeper than 1000
/// levels. A `\u0000` escape in any string is refused too ([`MetadataError::NulCharacter`]):
/// a DHIS2 database cannot hold it, so no DHIS2 metadata export contains one.
///
/// ```
/// use dxf2_json::metadata::{read_metadata_with_limits, MetadataError};
/// use dxf2_model::ReadLimits;
///
/// let limits = ReadLimits::default().with_max_token_bytes(16);
/// let json = r#"{"system": {"version": "a version text far longer than sixteen bytes"}}"#;
/// let err = read_metadata_with_limits(json.as_bytes(), limits).unwrap_err();
/// assert!(matches!(err, MetadataError::TokenTooLong { limit: 16, .. }));
/// assert!(err.to_string().contains("raise ReadLimits::max_token_bytes"));
/// ```
pub fn read_metadata_into_with_limits<R: Read>(
    reader: R,
    metadata: &mut Metadata,
    limits: ReadLimits,
) -> Result<(), MetadataError> {
    let mut loader = Loader::new(metadata);
    let mut guard = TokenGuard::new(reader, limits, true);
    let mut de = serde_json::Deserializer::from_reader(BufReader::new(&mut guard));
    let parsed = Document(&mut loader)
        .deserialize(&mut de)
        .and_then(|()| de.end());
    drop(de);
    if let Some(stop) = guard.stop() {
        return Err(guard_error(stop));
    }
    if let Err(e) = parsed {
        return Err(loader.into_error(e));
    }
    let doc = loader.finish()?;
    metadata.merge(doc).map_err(MetadataError::Hierarchy)?;
    metadata.ensure_defaults();
    remap_defaults(metadata);
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Document structure
// ---------------------------------------------------------------------------------------------

/// The top-level keys read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Key {
    OrgUnits,
    DataElements,
    CategoryOptions,
    Categories,
    CategoryCombos,
    CategoryOptionCombos,
    DataSets,
    OptionSets,
    Options,
    Attributes,
    DataElementGroups,
    OrgUnitGroups,
    Users,
    UserRoles,
}

impl Key {
    const ALL: [Key; 14] = [
        Key::OrgUnits,
        Key::DataElements,
        Key::CategoryOptions,
        Key::Categories,
        Key::CategoryCombos,
        Key::CategoryOptionCombos,
        Key::DataSets,
        Key::OptionSets,
        Key::Options,
        Key::Attributes,
        Key::DataElementGroups,
        Key::OrgUnitGroups,
        Key::Users,
        Key::UserRoles,
    ];

    fn name(self) -> &'static str {
        match self {
            Key::OrgUnits => "organisationUnits",
            Key::DataElements => "dataElements",
            Key::CategoryOptions => "categoryOptions",
            Key::Categories => "categories",
            Key::CategoryCombos => "categoryCombos",
            Key::CategoryOptionCombos => "categoryOptionCombos",
            Key::DataSets => "dataSets",
            Key::OptionSets => "optionSets",
            Key::Options => "options",
            Key::Attributes => "attributes",
            Key::DataElementGroups => "dataElementGroups",
            Key::OrgUnitGroups => "organisationUnitGroups",
            Key::Users => "users",
            Key::UserRoles => "userRoles",
        }
    }

    fn from_name(name: &str) -> Option<Key> {
        Key::ALL.iter().copied().find(|k| k.name() == name)
    }
}

/// The whole document: a JSON object of top-level arrays.
struct Document<'a, 't>(&'a mut Loader<'t>);

impl<'de> DeserializeSeed<'de> for Document<'_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for Document<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a DXF2 metadata JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(name) = map.next_key::<String>()? {
            match Key::from_name(&name) {
                Some(key) => map.next_value_seed(List {
                    loader: &mut *self.0,
                    key,
                })?,
                None => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(())
    }
}

/// One top-level array (or `null`).
struct List<'a, 't> {
    loader: &'a mut Loader<'t>,
    key: Key,
}

impl<'de> DeserializeSeed<'de> for List<'_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for List<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "an array of {}", self.key.name())
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let (loader, key) = (self.loader, self.key);
        match key {
            Key::OrgUnits => each(&mut seq, loader, key, Loader::org_unit),
            Key::DataElements => each(&mut seq, loader, key, Loader::data_element),
            Key::CategoryOptions => each(&mut seq, loader, key, Loader::category_option),
            Key::Categories => each(&mut seq, loader, key, Loader::category),
            Key::CategoryCombos => each(&mut seq, loader, key, Loader::category_combo),
            Key::CategoryOptionCombos => each(&mut seq, loader, key, Loader::category_option_combo),
            Key::DataSets => each(&mut seq, loader, key, Loader::data_set),
            Key::OptionSets => each(&mut seq, loader, key, Loader::option_set),
            Key::Options => each(&mut seq, loader, key, Loader::option),
            Key::Attributes => each(&mut seq, loader, key, Loader::attribute),
            Key::DataElementGroups => each(&mut seq, loader, key, Loader::data_element_group),
            Key::OrgUnitGroups => each(&mut seq, loader, key, Loader::org_unit_group),
            Key::Users => each(&mut seq, loader, key, Loader::user),
            Key::UserRoles => each(&mut seq, loader, key, Loader::user_role),
        }
    }
}

/// Reads the elements of one array one by one, handing each to `add`. A conversion error is
/// stashed in the loader (serde only carries text) and surfaces with the position serde gives.
fn each<'de, 't, A, T>(
    seq: &mut A,
    loader: &mut Loader<'t>,
    key: Key,
    add: fn(&mut Loader<'t>, ObjectRef, T) -> Result<(), MetadataError>,
) -> Result<(), A::Error>
where
    A: SeqAccess<'de>,
    T: Deserialize<'de>,
{
    let mut index = 0usize;
    loop {
        loader.current = Some((key.name(), index));
        match seq.next_element::<Option<T>>()? {
            None => break,
            Some(None) => {}
            Some(Some(raw)) => {
                let at = ObjectRef {
                    kind: key.name(),
                    index,
                    id: None,
                };
                if let Err(e) = add(loader, at, raw) {
                    loader.failure = Some(e);
                    return Err(de::Error::custom("invalid metadata object"));
                }
            }
        }
        index = index.saturating_add(1);
    }
    loader.current = None;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Raw (as written) objects
// ---------------------------------------------------------------------------------------------

/// `{"id": …}`.
#[derive(Deserialize, Default)]
#[serde(default, expecting = "a reference object such as {\"id\": \"<uid>\"}")]
struct RawRef {
    #[serde(deserialize_with = "opt_string")]
    id: Option<String>,
}

/// A date as written: text, or epoch milliseconds.
enum RawDate {
    Text(String),
    Millis(i64),
}

/// One attribute value, from either form.
struct RawAttributeValue {
    attribute: Option<String>,
    value: Option<String>,
}

/// `{"id", "access"}` in a sharing map.
#[derive(Deserialize, Default)]
#[serde(default)]
struct RawAccess {
    #[serde(deserialize_with = "opt_string")]
    id: Option<String>,
    #[serde(deserialize_with = "opt_string")]
    access: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct RawSharing {
    #[serde(deserialize_with = "opt_string")]
    public: Option<String>,
    #[serde(deserialize_with = "entries")]
    users: Vec<(String, RawAccess)>,
    #[serde(deserialize_with = "entries")]
    user_groups: Vec<(String, RawAccess)>,
}

/// Declares a raw object struct with the identifiable fields plus its own.
macro_rules! raw_object {
    ($(#[$meta:meta])* $name:ident { $($(#[$fmeta:meta])* $field:ident : $ty:ty,)* }) => {
        $(#[$meta])*
        #[derive(Deserialize, Default)]
        #[serde(default, rename_all = "camelCase")]
        struct $name {
            #[serde(deserialize_with = "opt_string")]
            id: Option<String>,
            #[serde(deserialize_with = "opt_string")]
            code: Option<String>,
            #[serde(deserialize_with = "opt_string")]
            name: Option<String>,
            #[serde(deserialize_with = "attribute_values")]
            attribute_values: Vec<RawAttributeValue>,
            $($(#[$fmeta])* $field: $ty,)*
        }

        impl $name {
            /// Takes the identity out (the id is recorded in `at` first, for error messages).
            fn identity(&mut self, at: &mut ObjectRef) -> Result<Identity, MetadataError> {
                make_identity(
                    at,
                    self.id.take(),
                    self.code.take(),
                    self.name.take(),
                    std::mem::take(&mut self.attribute_values),
                )
            }
        }
    };
}

raw_object!(RawOrgUnit {
    #[serde(deserialize_with = "reference")]
    parent: Option<RawRef>,
    #[serde(deserialize_with = "date")]
    opening_date: Option<RawDate>,
    #[serde(deserialize_with = "date")]
    closed_date: Option<RawDate>,
});

raw_object!(RawDataElement {
    #[serde(deserialize_with = "opt_string")]
    value_type: Option<String>,
    #[serde(deserialize_with = "opt_string")]
    aggregation_type: Option<String>,
    #[serde(deserialize_with = "opt_string")]
    domain_type: Option<String>,
    #[serde(deserialize_with = "flag")]
    zero_is_significant: bool,
    #[serde(deserialize_with = "reference")]
    category_combo: Option<RawRef>,
    #[serde(deserialize_with = "reference")]
    option_set: Option<RawRef>,
    #[serde(deserialize_with = "reference")]
    comment_option_set: Option<RawRef>,
    #[serde(deserialize_with = "sharing")]
    sharing: Option<RawSharing>,
});

raw_object!(RawCategoryOption {
    #[serde(deserialize_with = "date")]
    start_date: Option<RawDate>,
    #[serde(deserialize_with = "date")]
    end_date: Option<RawDate>,
    #[serde(deserialize_with = "list")]
    organisation_units: Vec<RawRef>,
    #[serde(deserialize_with = "sharing")]
    sharing: Option<RawSharing>,
});

raw_object!(RawCategory {
    #[serde(deserialize_with = "opt_string")]
    data_dimension_type: Option<String>,
    #[serde(deserialize_with = "list")]
    category_options: Vec<RawRef>,
});

raw_object!(RawCategoryCombo {
    #[serde(deserialize_with = "opt_string")]
    data_dimension_type: Option<String>,
    #[serde(deserialize_with = "list")]
    categories: Vec<RawRef>,
});

raw_object!(RawCategoryOptionCombo {
    #[serde(deserialize_with = "reference")]
    category_combo: Option<RawRef>,
    #[serde(deserialize_with = "list")]
    category_options: Vec<RawRef>,
    #[serde(deserialize_with = "flag")]
    ignore_approval: bool,
});

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct RawDataSetElement {
    #[serde(deserialize_with = "reference")]
    data_element: Option<RawRef>,
    #[serde(deserialize_with = "reference")]
    category_combo: Option<RawRef>,
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct RawDataInputPeriod {
    #[serde(deserialize_with = "period_ref")]
    period: Option<String>,
    #[serde(deserialize_with = "date")]
    opening_date: Option<RawDate>,
    #[serde(deserialize_with = "date")]
    closing_date: Option<RawDate>,
}

raw_object!(RawDataSet {
    #[serde(deserialize_with = "opt_string")]
    period_type: Option<String>,
    #[serde(deserialize_with = "list")]
    data_set_elements: Vec<RawDataSetElement>,
    #[serde(deserialize_with = "list")]
    organisation_units: Vec<RawRef>,
    #[serde(deserialize_with = "reference")]
    category_combo: Option<RawRef>,
    #[serde(deserialize_with = "float")]
    expiry_days: f64,
    #[serde(deserialize_with = "int")]
    open_future_periods: i64,
    #[serde(deserialize_with = "int")]
    open_periods_after_co_end_date: i64,
    #[serde(deserialize_with = "list")]
    data_input_periods: Vec<RawDataInputPeriod>,
    #[serde(deserialize_with = "flag")]
    no_value_requires_comment: bool,
    #[serde(deserialize_with = "reference")]
    workflow: Option<RawRef>,
    #[serde(deserialize_with = "sharing")]
    sharing: Option<RawSharing>,
});

raw_object!(
    /// A top-level option, or an entry of an option set's `options` (embedded or a reference).
    RawOption {
        #[serde(deserialize_with = "reference")]
        option_set: Option<RawRef>,
    }
);

raw_object!(RawOptionSet {
    #[serde(deserialize_with = "opt_string")]
    value_type: Option<String>,
    #[serde(deserialize_with = "list")]
    options: Vec<RawOption>,
});

raw_object!(RawAttribute {
    #[serde(deserialize_with = "opt_string")]
    value_type: Option<String>,
    #[serde(deserialize_with = "flag")]
    unique: bool,
});

raw_object!(RawDataElementGroup {
    #[serde(deserialize_with = "list")]
    data_elements: Vec<RawRef>,
});

raw_object!(RawOrgUnitGroup {
    #[serde(deserialize_with = "list")]
    organisation_units: Vec<RawRef>,
});

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct RawUserCredentials {
    #[serde(deserialize_with = "opt_string")]
    username: Option<String>,
    #[serde(deserialize_with = "list")]
    user_roles: Vec<RawRef>,
}

raw_object!(RawUser {
    #[serde(deserialize_with = "opt_string")]
    username: Option<String>,
    #[serde(deserialize_with = "opt_string")]
    first_name: Option<String>,
    #[serde(deserialize_with = "opt_string")]
    surname: Option<String>,
    #[serde(deserialize_with = "list")]
    organisation_units: Vec<RawRef>,
    #[serde(deserialize_with = "list")]
    data_view_organisation_units: Vec<RawRef>,
    #[serde(deserialize_with = "list")]
    user_groups: Vec<RawRef>,
    #[serde(deserialize_with = "list")]
    user_roles: Vec<RawRef>,
    user_credentials: Option<RawUserCredentials>,
    #[serde(deserialize_with = "list")]
    authorities: Vec<String>,
});

raw_object!(RawUserRole {
    #[serde(deserialize_with = "list")]
    authorities: Vec<String>,
});

// ---------------------------------------------------------------------------------------------
// Lenient field deserializers (Jackson's coercions)
// ---------------------------------------------------------------------------------------------

/// A string (or a number or boolean written as text); `null` and `""` are `None`.
fn opt_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    struct V;
    impl<'de> Visitor<'de> for V {
        type Value = Option<String>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a string")
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
            Ok((!v.is_empty()).then(|| v.to_owned()))
        }
        fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
            Ok((!v.is_empty()).then_some(v))
        }
        fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
            Ok(Some(v.to_string()))
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
            Ok(Some(v.to_string()))
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
            Ok(Some(v.to_string()))
        }
        fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
            Ok(Some(v.to_string()))
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
    }
    d.deserialize_any(V)
}

/// A boolean: `true`/`false`, `"true"`/`"false"` (any case), `0`/`1`; `null` and `""` are false.
fn flag<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    struct V;
    impl<'de> Visitor<'de> for V {
        type Value = bool;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a boolean")
        }
        fn visit_bool<E: de::Error>(self, v: bool) -> Result<bool, E> {
            Ok(v)
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<bool, E> {
            Ok(v != 0)
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<bool, E> {
            Ok(v != 0)
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<bool, E> {
            if v.is_empty() || v.eq_ignore_ascii_case("false") {
                Ok(false)
            } else if v.eq_ignore_ascii_case("true") {
                Ok(true)
            } else {
                Err(E::invalid_value(de::Unexpected::Str(v), &self))
            }
        }
        fn visit_unit<E: de::Error>(self) -> Result<bool, E> {
            Ok(false)
        }
    }
    d.deserialize_any(V)
}

/// A number (as a JSON number or numeric text); `null` and `""` are 0.
fn float<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    struct V;
    impl<'de> Visitor<'de> for V {
        type Value = f64;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a number")
        }
        fn visit_f64<E: de::Error>(self, v: f64) -> Result<f64, E> {
            Ok(v)
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<f64, E> {
            Ok(v as f64)
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<f64, E> {
            Ok(v as f64)
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<f64, E> {
            if v.trim().is_empty() {
                return Ok(0.0);
            }
            v.trim()
                .parse::<f64>()
                .ok()
                .filter(|x| x.is_finite())
                .ok_or_else(|| E::invalid_value(de::Unexpected::Str(v), &self))
        }
        fn visit_unit<E: de::Error>(self) -> Result<f64, E> {
            Ok(0.0)
        }
    }
    d.deserialize_any(V)
}

/// An integer (fractions are truncated, as Jackson does); `null` and `""` are 0.
fn int<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    let x = float(d)?;
    if x.is_finite() && x.abs() < 9.2e18 {
        Ok(x.trunc() as i64)
    } else {
        Err(de::Error::invalid_value(
            de::Unexpected::Float(x),
            &"a 64-bit integer",
        ))
    }
}

/// An optional reference object.
fn reference<'de, D: Deserializer<'de>>(d: D) -> Result<Option<RawRef>, D::Error> {
    Option::<RawRef>::deserialize(d)
}

/// An optional sharing object.
fn sharing<'de, D: Deserializer<'de>>(d: D) -> Result<Option<RawSharing>, D::Error> {
    Option::<RawSharing>::deserialize(d)
}

/// An array whose `null` elements are dropped; `null` is empty.
fn list<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Vec<T>, D::Error> {
    let items = Option::<Vec<Option<T>>>::deserialize(d)?;
    Ok(items.unwrap_or_default().into_iter().flatten().collect())
}

/// A JSON object as `(key, value)` pairs in document order; `null` values dropped; `null` is empty.
fn entries<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> Result<Vec<(String, T)>, D::Error> {
    struct V<T>(std::marker::PhantomData<T>);
    impl<'de, T: Deserialize<'de>> Visitor<'de> for V<T> {
        type Value = Vec<(String, T)>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("an object keyed by UID")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut out = Vec::new();
            while let Some((key, value)) = map.next_entry::<String, Option<T>>()? {
                if let Some(value) = value {
                    out.push((key, value));
                }
            }
            Ok(out)
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(Vec::new())
        }
    }
    d.deserialize_any(V(std::marker::PhantomData))
}

/// A date: text, or epoch milliseconds as a JSON number; `null` and `""` are `None`.
fn date<'de, D: Deserializer<'de>>(d: D) -> Result<Option<RawDate>, D::Error> {
    struct V;
    impl<'de> Visitor<'de> for V {
        type Value = Option<RawDate>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a date string or epoch milliseconds")
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
            Ok((!v.is_empty()).then(|| RawDate::Text(v.to_owned())))
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
            Ok(Some(RawDate::Millis(v)))
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
            i64::try_from(v)
                .map(|v| Some(RawDate::Millis(v)))
                .map_err(|_| E::invalid_value(de::Unexpected::Unsigned(v), &self))
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
    }
    d.deserialize_any(V)
}

/// A data input period's `period`: `{"id": "202001"}` (other fields ignored) or `"202001"`.
fn period_ref<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    struct V;
    impl<'de> Visitor<'de> for V {
        type Value = Option<String>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a period such as {\"id\": \"202001\"}")
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
            Ok((!v.is_empty()).then(|| v.to_owned()))
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut id = None;
            while let Some(key) = map.next_key::<String>()? {
                if key == "id" {
                    id = map.next_value_seed(OptString)?;
                } else {
                    map.next_value::<IgnoredAny>()?;
                }
            }
            Ok(id)
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
    }
    d.deserialize_any(V)
}

/// [`opt_string`] as a seed.
struct OptString;

impl<'de> DeserializeSeed<'de> for OptString {
    type Value = Option<String>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Option<String>, D::Error> {
        opt_string(d)
    }
}

/// `attributeValues` in either form: `[{"attribute": {"id"}, "value"}]` or `{"<uid>": {"value"}}`.
fn attribute_values<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<RawAttributeValue>, D::Error> {
    #[derive(Deserialize, Default)]
    #[serde(default)]
    struct Item {
        #[serde(deserialize_with = "reference")]
        attribute: Option<RawRef>,
        #[serde(deserialize_with = "opt_string")]
        value: Option<String>,
    }
    #[derive(Deserialize, Default)]
    #[serde(default)]
    struct MapValue {
        #[serde(deserialize_with = "opt_string")]
        value: Option<String>,
    }
    struct V;
    impl<'de> Visitor<'de> for V {
        type Value = Vec<RawAttributeValue>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("attribute values: [{\"attribute\": {\"id\": …}, \"value\": …}] or {\"<uid>\": {\"value\": …}}")
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            let mut out = Vec::new();
            while let Some(item) = seq.next_element::<Option<Item>>()? {
                if let Some(item) = item {
                    out.push(RawAttributeValue {
                        attribute: item.attribute.and_then(|a| a.id),
                        value: item.value,
                    });
                }
            }
            Ok(out)
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut out = Vec::new();
            while let Some((key, item)) = map.next_entry::<String, Option<MapValue>>()? {
                out.push(RawAttributeValue {
                    attribute: Some(key),
                    value: item.and_then(|i| i.value),
                });
            }
            Ok(out)
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(Vec::new())
        }
    }
    d.deserialize_any(V)
}

// ---------------------------------------------------------------------------------------------
// Conversion to the model
// ---------------------------------------------------------------------------------------------

fn parse_uid(
    at: &ObjectRef,
    field: impl FnOnce() -> String,
    s: &str,
) -> Result<Uid, MetadataError> {
    Uid::parse(s).map_err(|_| invalid(at, field(), s, EXPECT_UID))
}

fn make_identity(
    at: &mut ObjectRef,
    id: Option<String>,
    code: Option<String>,
    name: Option<String>,
    attribute_values: Vec<RawAttributeValue>,
) -> Result<Identity, MetadataError> {
    let Some(id) = id else {
        return Err(missing(at, "id"));
    };
    at.id = Some(id);
    let uid = parse_uid(at, || "id".into(), at.id.as_deref().unwrap_or_default())?;
    let mut values = Vec::with_capacity(attribute_values.len());
    for (i, av) in attribute_values.into_iter().enumerate() {
        let Some(attribute) = av.attribute else {
            return Err(missing(at, format!("attributeValues[{i}].attribute.id")));
        };
        let attribute = parse_uid(
            at,
            || format!("attributeValues[{i}].attribute.id"),
            &attribute,
        )?;
        if let Some(value) = av.value {
            values.push((attribute, value));
        }
    }
    Ok(Identity {
        uid,
        code,
        name,
        attribute_values: values,
    })
}

fn reference_uid(
    at: &ObjectRef,
    field: &str,
    r: Option<RawRef>,
) -> Result<Option<Uid>, MetadataError> {
    match r {
        None => Ok(None),
        Some(RawRef { id: None }) => Err(missing(at, format!("{field}.id"))),
        Some(RawRef { id: Some(id) }) => parse_uid(at, || format!("{field}.id"), &id).map(Some),
    }
}

fn reference_uids(
    at: &ObjectRef,
    field: &str,
    refs: Vec<RawRef>,
) -> Result<Vec<Uid>, MetadataError> {
    let mut out = Vec::with_capacity(refs.len());
    for (i, r) in refs.into_iter().enumerate() {
        match r.id {
            None => return Err(missing(at, format!("{field}[{i}].id"))),
            Some(id) => out.push(parse_uid(at, || format!("{field}[{i}].id"), &id)?),
        }
    }
    Ok(out)
}

fn default_combo() -> Option<Uid> {
    Uid::parse(DEFAULT_CATEGORY_COMBO_UID).ok()
}

/// A `categoryCombo` whose `null` means the default combo.
fn combo_or_default(at: &ObjectRef, r: Option<RawRef>) -> Result<Uid, MetadataError> {
    match reference_uid(at, "categoryCombo", r)?.or_else(default_combo) {
        Some(uid) => Ok(uid),
        None => Err(missing(at, "categoryCombo")),
    }
}

fn value_type(at: &ObjectRef, field: &str, s: Option<String>) -> Result<ValueType, MetadataError> {
    let s = s.ok_or_else(|| missing(at, field))?;
    ValueType::from_name(&s).ok_or_else(|| {
        invalid(
            at,
            field,
            &s,
            "a DHIS2 value type name such as TEXT or INTEGER",
        )
    })
}

fn one_of(
    at: &ObjectRef,
    field: &str,
    s: Option<String>,
    default: &str,
    allowed: &[&str],
    expected: &'static str,
) -> Result<String, MetadataError> {
    match s {
        None => Ok(default.to_owned()),
        Some(s) if allowed.contains(&s.as_str()) => Ok(s),
        Some(s) => Err(invalid(at, field, &s, expected)),
    }
}

const AGGREGATION_TYPES: &[&str] = &[
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

/// The `dataDimensionType` of a category or category combo (`DISAGGREGATION` when absent).
fn data_dimension_type(at: &ObjectRef, s: Option<String>) -> Result<String, MetadataError> {
    one_of(
        at,
        "dataDimensionType",
        s,
        "DISAGGREGATION",
        DATA_DIMENSION_TYPES,
        "DISAGGREGATION or ATTRIBUTE",
    )
}

fn make_sharing(at: &ObjectRef, raw: Option<RawSharing>) -> Result<Sharing, MetadataError> {
    let Some(raw) = raw else {
        return Ok(Sharing::default());
    };
    let accesses = |group: &str,
                    entries: Vec<(String, RawAccess)>|
     -> Result<Vec<(Uid, String)>, MetadataError> {
        let mut out = Vec::with_capacity(entries.len());
        for (key, access) in entries {
            let id = access.id.unwrap_or_else(|| key.clone());
            let uid = parse_uid(at, || format!("sharing.{group}.{key}"), &id)?;
            if let Some(access) = access.access {
                out.push((uid, access));
            }
        }
        Ok(out)
    };
    Ok(Sharing {
        public: raw.public,
        users: accesses("users", raw.users)?,
        user_groups: accesses("userGroups", raw.user_groups)?,
    })
}

/// A date as written in the text: date, time of day (midnight when absent), UTC offset if given.
#[derive(Debug, PartialEq, Eq)]
struct ParsedDate {
    date: NaiveDate,
    time: NaiveTime,
    offset_seconds: Option<i32>,
}

/// A cursor over ASCII text, for the date parser.
struct Cursor<'a> {
    rest: &'a [u8],
}

impl Cursor<'_> {
    fn eat(&mut self, byte: u8) -> bool {
        match self.rest.split_first() {
            Some((b, rest)) if *b == byte => {
                self.rest = rest;
                true
            }
            _ => false,
        }
    }

    /// Between `min` and `max` decimal digits.
    fn digits(&mut self, min: usize, max: usize) -> Option<(u32, usize)> {
        let mut value = 0u32;
        let mut n = 0usize;
        while n < max {
            match self.rest.split_first() {
                Some((b, rest)) if b.is_ascii_digit() => {
                    value = value.checked_mul(10)?.checked_add(u32::from(b - b'0'))?;
                    self.rest = rest;
                    n += 1;
                }
                _ => break,
            }
        }
        (n >= min).then_some((value, n))
    }

    fn number(&mut self, min: usize, max: usize) -> Option<u32> {
        self.digits(min, max).map(|(v, _)| v)
    }

    fn is_empty(&self) -> bool {
        self.rest.is_empty()
    }
}

fn midnight() -> NaiveTime {
    NaiveTime::MIN
}

/// Parses the text forms of DHIS2's `DateUtils.parseDate` (see the module docs).
fn parse_date_text(s: &str) -> Option<ParsedDate> {
    let bytes = s.as_bytes();
    if !bytes.is_empty() && bytes.iter().all(u8::is_ascii_digit) {
        let mut c = Cursor { rest: bytes };
        return match bytes.len() {
            8 => {
                let (y, m, d) = (c.number(4, 4)?, c.number(2, 2)?, c.number(2, 2)?);
                let date = NaiveDate::from_ymd_opt(i32::try_from(y).ok()?, m, d)?;
                Some(ParsedDate {
                    date,
                    time: midnight(),
                    offset_seconds: None,
                })
            }
            4 => {
                let date = NaiveDate::from_ymd_opt(i32::try_from(c.number(4, 4)?).ok()?, 1, 1)?;
                Some(ParsedDate {
                    date,
                    time: midnight(),
                    offset_seconds: None,
                })
            }
            n if n > 12 => {
                let dt = from_epoch_millis(s.parse::<i64>().ok()?)?;
                Some(ParsedDate {
                    date: dt.date(),
                    time: dt.time(),
                    offset_seconds: Some(0),
                })
            }
            _ => None,
        };
    }
    let mut c = Cursor { rest: bytes };
    let year = i32::try_from(c.number(4, 4)?).ok()?;
    if !c.eat(b'-') {
        return None;
    }
    let month = c.number(1, 2)?;
    let day = if c.eat(b'-') { c.number(1, 2)? } else { 1 };
    let date = NaiveDate::from_ymd_opt(year, month, day)?;
    if c.is_empty() {
        return Some(ParsedDate {
            date,
            time: midnight(),
            offset_seconds: None,
        });
    }
    if !(c.eat(b'T') || c.eat(b' ')) {
        return None;
    }
    let hour = c.number(1, 2)?;
    let (mut minute, mut second, mut nanos) = (0, 0, 0);
    if c.eat(b':') {
        minute = c.number(1, 2)?;
        if c.eat(b':') {
            second = c.number(1, 2)?;
            if c.eat(b'.') {
                let (fraction, n) = c.digits(1, 9)?;
                nanos = fraction.checked_mul(10u32.checked_pow(u32::try_from(9 - n).ok()?)?)?;
            }
        }
    }
    let time = NaiveTime::from_hms_nano_opt(hour, minute, second, nanos)?;
    let offset_seconds = if c.is_empty() {
        None
    } else if c.eat(b'Z') {
        Some(0)
    } else {
        let sign = if c.eat(b'+') {
            1
        } else if c.eat(b'-') {
            -1
        } else {
            return None;
        };
        let hours = c.number(2, 2)?;
        let minutes = if c.is_empty() {
            0
        } else {
            c.eat(b':');
            c.number(2, 2)?
        };
        if hours > 23 || minutes > 59 {
            return None;
        }
        Some(sign * i32::try_from(hours * 3600 + minutes * 60).ok()?)
    };
    if !c.is_empty() {
        return None;
    }
    Some(ParsedDate {
        date,
        time,
        offset_seconds,
    })
}

fn from_epoch_seconds(seconds: i64, nanos: u32) -> Option<NaiveDateTime> {
    let days = seconds.div_euclid(86_400);
    let second_of_day = seconds.rem_euclid(86_400);
    // 1970-01-01 is day 719 163 counted from 0001-01-01 (day 1).
    let date =
        NaiveDate::from_num_days_from_ce_opt(i32::try_from(days.checked_add(719_163)?).ok()?)?;
    let time =
        NaiveTime::from_num_seconds_from_midnight_opt(u32::try_from(second_of_day).ok()?, nanos)?;
    Some(NaiveDateTime::new(date, time))
}

fn from_epoch_millis(millis: i64) -> Option<NaiveDateTime> {
    let nanos = u32::try_from(millis.rem_euclid(1000))
        .ok()?
        .checked_mul(1_000_000)?;
    from_epoch_seconds(millis.div_euclid(1000), nanos)
}

fn raw_date_text(raw: &RawDate) -> String {
    match raw {
        RawDate::Text(s) => s.clone(),
        RawDate::Millis(ms) => ms.to_string(),
    }
}

/// A date-only field: the date part as written (epoch milliseconds: the UTC date).
fn date_field(
    at: &ObjectRef,
    field: &str,
    raw: Option<RawDate>,
) -> Result<Option<NaiveDate>, MetadataError> {
    let Some(raw) = raw else {
        return Ok(None);
    };
    let parsed = match &raw {
        RawDate::Text(s) => parse_date_text(s).map(|p| p.date),
        RawDate::Millis(ms) => from_epoch_millis(*ms).map(|dt| dt.date()),
    };
    parsed
        .map(Some)
        .ok_or_else(|| invalid(at, field, &raw_date_text(&raw), EXPECT_DATE))
}

/// A date-time field: as written, converted to UTC when an offset is given.
fn date_time_field(
    at: &ObjectRef,
    field: &str,
    raw: Option<RawDate>,
) -> Result<Option<NaiveDateTime>, MetadataError> {
    let Some(raw) = raw else {
        return Ok(None);
    };
    let parsed = match &raw {
        RawDate::Text(s) => parse_date_text(s).and_then(|p| {
            let local = NaiveDateTime::new(p.date, p.time);
            match p.offset_seconds {
                None | Some(0) => Some(local),
                Some(offset) => {
                    let utc = local.and_utc();
                    from_epoch_seconds(
                        utc.timestamp().checked_sub(i64::from(offset))?,
                        utc.timestamp_subsec_nanos(),
                    )
                }
            }
        }),
        RawDate::Millis(ms) => from_epoch_millis(*ms),
    };
    parsed
        .map(Some)
        .ok_or_else(|| invalid(at, field, &raw_date_text(&raw), EXPECT_DATE))
}

/// Appends the items of `more` not yet in `into` (keeping the first occurrence's order).
fn extend_unique(into: &mut Vec<String>, more: impl IntoIterator<Item = String>) {
    for item in more {
        if !into.contains(&item) {
            into.push(item);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The loader
// ---------------------------------------------------------------------------------------------

/// A top-level option.
struct TopOption {
    item: OptionItem,
    option_set: Option<Uid>,
}

/// An option set waiting for the document's top-level options.
struct PendingOptionSet {
    at: ObjectRef,
    id: Identity,
    value_type: ValueType,
    /// Listed options: UID and, when embedded, the object.
    options: Vec<(Uid, Option<OptionItem>)>,
}

/// A user waiting for the document's user roles.
struct PendingUser {
    at: ObjectRef,
    user: User,
    roles: Vec<Uid>,
}

/// Per-document state.
struct Loader<'t> {
    /// The catalogue being merged into (read-only here: options of its option sets).
    target: &'t Metadata,
    /// This document's objects.
    doc: Metadata,
    /// The array and index being read (for JSON error messages).
    current: Option<(&'static str, usize)>,
    /// A conversion error, stashed while serde unwinds.
    failure: Option<MetadataError>,
    options: HashMap<Uid, TopOption>,
    option_order: Vec<Uid>,
    option_sets: Vec<PendingOptionSet>,
    roles: HashMap<Uid, Vec<String>>,
    users: Vec<PendingUser>,
}

impl<'t> Loader<'t> {
    fn new(target: &'t Metadata) -> Self {
        Loader {
            target,
            doc: Metadata::new(),
            current: None,
            failure: None,
            options: HashMap::new(),
            option_order: Vec::new(),
            option_sets: Vec::new(),
            roles: HashMap::new(),
            users: Vec::new(),
        }
    }

    /// Turns a `serde_json` failure into the error to report.
    fn into_error(mut self, e: serde_json::Error) -> MetadataError {
        if let Some(mut failure) = self.failure.take() {
            failure.set_position(Position {
                line: e.line(),
                column: e.column(),
            });
            return failure;
        }
        if e.is_io() {
            return MetadataError::Io(io::Error::from(e));
        }
        let (line, column) = (e.line(), e.column());
        let text = e.to_string();
        let suffix = format!(" at line {line} column {column}");
        let message = text.strip_suffix(&suffix).unwrap_or(&text).to_owned();
        let object = self.current.map(|(kind, index)| {
            Box::new(ObjectRef {
                kind,
                index,
                id: None,
            })
        });
        MetadataError::Json {
            object,
            message,
            line,
            column,
        }
    }

    fn org_unit(&mut self, mut at: ObjectRef, mut raw: RawOrgUnit) -> Result<(), MetadataError> {
        let id = raw.identity(&mut at)?;
        let object = OrganisationUnit {
            id,
            parent: reference_uid(&at, "parent", raw.parent)?,
            opening_date: date_field(&at, "openingDate", raw.opening_date)?,
            closed_date: date_field(&at, "closedDate", raw.closed_date)?,
        };
        self.doc.add_org_unit(object);
        Ok(())
    }

    fn data_element(
        &mut self,
        mut at: ObjectRef,
        mut raw: RawDataElement,
    ) -> Result<(), MetadataError> {
        let id = raw.identity(&mut at)?;
        let object = DataElement {
            id,
            value_type: value_type(&at, "valueType", raw.value_type)?,
            aggregation_type: one_of(
                &at,
                "aggregationType",
                raw.aggregation_type,
                "SUM",
                AGGREGATION_TYPES,
                "a DHIS2 aggregation type such as SUM or AVERAGE",
            )?,
            domain_type: one_of(
                &at,
                "domainType",
                raw.domain_type,
                "AGGREGATE",
                DOMAIN_TYPES,
                "AGGREGATE or TRACKER",
            )?,
            zero_is_significant: raw.zero_is_significant,
            category_combo: combo_or_default(&at, raw.category_combo)?,
            option_set: reference_uid(&at, "optionSet", raw.option_set)?,
            comment_option_set: reference_uid(&at, "commentOptionSet", raw.comment_option_set)?,
            sharing: make_sharing(&at, raw.sharing)?,
        };
        self.doc.add_data_element(object);
        Ok(())
    }

    fn category_option(
        &mut self,
        mut at: ObjectRef,
        mut raw: RawCategoryOption,
    ) -> Result<(), MetadataError> {
        let id = raw.identity(&mut at)?;
        let object = CategoryOption {
            id,
            start_date: date_field(&at, "startDate", raw.start_date)?,
            end_date: date_field(&at, "endDate", raw.end_date)?,
            org_units: reference_uids(&at, "organisationUnits", raw.organisation_units)?,
            sharing: make_sharing(&at, raw.sharing)?,
        };
        self.doc.add_category_option(object);
        Ok(())
    }

    fn category(&mut self, mut at: ObjectRef, mut raw: RawCategory) -> Result<(), MetadataError> {
        let id = raw.identity(&mut at)?;
        let object = Category {
            id,
            data_dimension_type: data_dimension_type(&at, raw.data_dimension_type)?,
            options: reference_uids(&at, "categoryOptions", raw.category_options)?,
        };
        self.doc.add_category(object);
        Ok(())
    }

    fn category_combo(
        &mut self,
        mut at: ObjectRef,
        mut raw: RawCategoryCombo,
    ) -> Result<(), MetadataError> {
        let id = raw.identity(&mut at)?;
        let object = CategoryCombo {
            id,
            data_dimension_type: data_dimension_type(&at, raw.data_dimension_type)?,
            categories: reference_uids(&at, "categories", raw.categories)?,
        };
        self.doc.add_category_combo(object);
        Ok(())
    }

    fn category_option_combo(
        &mut self,
        mut at: ObjectRef,
        mut raw: RawCategoryOptionCombo,
    ) -> Result<(), MetadataError> {
        let id = raw.identity(&mut at)?;
        let object = CategoryOptionCombo {
            id,
            category_combo: combo_or_default(&at, raw.category_combo)?,
            options: reference_uids(&at, "categoryOptions", raw.category_options)?,
            ignore_approval: raw.ignore_approval,
        };
        self.doc.add_category_option_combo(object);
        Ok(())
    }

    fn data_set(&mut self, mut at: ObjectRef, mut raw: RawDataSet) -> Result<(), MetadataError> {
        let id = raw.identity(&mut at)?;
        let name = raw.period_type.ok_or_else(|| missing(&at, "periodType"))?;
        let period_type = PeriodType::from_name(&name)
            .ok()
            .filter(|t| *t != PeriodType::TwoYearly)
            .ok_or_else(|| {
                invalid(
                    &at,
                    "periodType",
                    &name,
                    "a DHIS2 period type name such as Monthly or Yearly",
                )
            })?;
        let mut elements = Vec::with_capacity(raw.data_set_elements.len());
        for (i, e) in raw.data_set_elements.into_iter().enumerate() {
            let field = format!("dataSetElements[{i}].dataElement");
            let data_element =
                reference_uid(&at, &field, e.data_element)?.ok_or_else(|| missing(&at, field))?;
            let category_combo = reference_uid(
                &at,
                &format!("dataSetElements[{i}].categoryCombo"),
                e.category_combo,
            )?;
            elements.push(DataSetElement {
                data_element,
                category_combo,
            });
        }
        let mut data_input_periods = Vec::with_capacity(raw.data_input_periods.len());
        for (i, p) in raw.data_input_periods.into_iter().enumerate() {
            let field = format!("dataInputPeriods[{i}].period");
            let text = p.period.ok_or_else(|| missing(&at, field.as_str()))?;
            let period = Period::parse(&text)
                .map_err(|_| invalid(&at, field, &text, "an ISO period such as 202001"))?;
            data_input_periods.push(DataInputPeriod {
                period,
                opening_date: date_time_field(
                    &at,
                    &format!("dataInputPeriods[{i}].openingDate"),
                    p.opening_date,
                )?,
                closing_date: date_time_field(
                    &at,
                    &format!("dataInputPeriods[{i}].closingDate"),
                    p.closing_date,
                )?,
            });
        }
        let object = DataSet {
            id,
            period_type,
            elements,
            org_units: reference_uids(&at, "organisationUnits", raw.organisation_units)?,
            category_combo: combo_or_default(&at, raw.category_combo)?,
            expiry_days: raw.expiry_days.trunc() as i64,
            open_future_periods: raw.open_future_periods,
            open_periods_after_co_end_date: raw.open_periods_after_co_end_date,
            data_input_periods,
            no_value_requires_comment: raw.no_value_requires_comment,
            workflow: reference_uid(&at, "workflow", raw.workflow)?,
            sharing: make_sharing(&at, raw.sharing)?,
        };
        self.doc.add_data_set(object);
        Ok(())
    }

    fn option_set(
        &mut self,
        mut at: ObjectRef,
        mut raw: RawOptionSet,
    ) -> Result<(), MetadataError> {
        let id = raw.identity(&mut at)?;
        let value_type = value_type(&at, "valueType", raw.value_type)?;
        let mut options = Vec::with_capacity(raw.options.len());
        for (i, mut entry) in raw.options.into_iter().enumerate() {
            let embedded = entry.code.is_some() || entry.name.is_some();
            let Some(option_id) = entry.id.clone() else {
                return Err(missing(&at, format!("options[{i}].id")));
            };
            let uid = parse_uid(&at, || format!("options[{i}].id"), &option_id)?;
            let item = if embedded {
                // Errors inside an embedded option name the option set and the entry.
                let mut inner = at.clone();
                let identity = entry
                    .identity(&mut inner)
                    .map_err(|e| nest(e, &at, &format!("options[{i}]")))?;
                if identity.code.is_none() {
                    return Err(missing(&at, format!("options[{i}].code")));
                }
                Some(OptionItem { id: identity })
            } else {
                None
            };
            options.push((uid, item));
        }
        self.option_sets.push(PendingOptionSet {
            at,
            id,
            value_type,
            options,
        });
        Ok(())
    }

    fn option(&mut self, mut at: ObjectRef, mut raw: RawOption) -> Result<(), MetadataError> {
        let id = raw.identity(&mut at)?;
        if id.code.is_none() {
            return Err(missing(&at, "code"));
        }
        let option_set = reference_uid(&at, "optionSet", raw.option_set)?;
        let uid = id.uid;
        if self
            .options
            .insert(
                uid,
                TopOption {
                    item: OptionItem { id },
                    option_set,
                },
            )
            .is_none()
        {
            self.option_order.push(uid);
        }
        Ok(())
    }

    fn attribute(&mut self, mut at: ObjectRef, mut raw: RawAttribute) -> Result<(), MetadataError> {
        let id = raw.identity(&mut at)?;
        let object = Attribute {
            id,
            value_type: value_type(&at, "valueType", raw.value_type)?,
            unique: raw.unique,
        };
        self.doc.add_attribute(object);
        Ok(())
    }

    fn data_element_group(
        &mut self,
        mut at: ObjectRef,
        mut raw: RawDataElementGroup,
    ) -> Result<(), MetadataError> {
        let id = raw.identity(&mut at)?;
        let data_elements = reference_uids(&at, "dataElements", raw.data_elements)?;
        self.doc
            .add_data_element_group(DataElementGroup { id, data_elements });
        Ok(())
    }

    fn org_unit_group(
        &mut self,
        mut at: ObjectRef,
        mut raw: RawOrgUnitGroup,
    ) -> Result<(), MetadataError> {
        let id = raw.identity(&mut at)?;
        let org_units = reference_uids(&at, "organisationUnits", raw.organisation_units)?;
        self.doc
            .add_org_unit_group(OrganisationUnitGroup { id, org_units });
        Ok(())
    }

    fn user(&mut self, mut at: ObjectRef, mut raw: RawUser) -> Result<(), MetadataError> {
        let mut id = raw.identity(&mut at)?;
        if id.name.is_none() {
            let full = [raw.first_name.as_deref(), raw.surname.as_deref()]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" ");
            id.name = (!full.is_empty()).then_some(full);
        }
        let credentials = raw.user_credentials.unwrap_or_default();
        let username = raw
            .username
            .or(credentials.username)
            .ok_or_else(|| missing(&at, "username"))?;
        let mut roles = reference_uids(&at, "userRoles", raw.user_roles)?;
        for role in reference_uids(&at, "userCredentials.userRoles", credentials.user_roles)? {
            if !roles.contains(&role) {
                roles.push(role);
            }
        }
        let mut authorities = Vec::new();
        extend_unique(&mut authorities, raw.authorities);
        let user = User {
            id,
            username,
            org_units: reference_uids(&at, "organisationUnits", raw.organisation_units)?,
            data_view_org_units: reference_uids(
                &at,
                "dataViewOrganisationUnits",
                raw.data_view_organisation_units,
            )?,
            authorities,
            user_groups: reference_uids(&at, "userGroups", raw.user_groups)?,
        };
        self.users.push(PendingUser { at, user, roles });
        Ok(())
    }

    fn user_role(&mut self, mut at: ObjectRef, mut raw: RawUserRole) -> Result<(), MetadataError> {
        let id = raw.identity(&mut at)?;
        self.roles.insert(id.uid, raw.authorities);
        Ok(())
    }

    /// Resolves option sets and users against the document's options and roles.
    fn finish(mut self) -> Result<Metadata, MetadataError> {
        for pending in std::mem::take(&mut self.option_sets) {
            let mut seen = HashSet::with_capacity(pending.options.len());
            let mut items = Vec::with_capacity(pending.options.len());
            for (i, (uid, embedded)) in pending.options.into_iter().enumerate() {
                let item = match (self.options.get(&uid), embedded) {
                    (Some(top), _) => top.item.clone(),
                    (None, Some(item)) => item,
                    (None, None) => self.known_option(&uid).ok_or_else(|| {
                        MetadataError::UnresolvedReference {
                            object: Box::new(pending.at.clone()),
                            field: format!("options[{i}]"),
                            id: uid.to_string(),
                        }
                    })?,
                };
                if seen.insert(uid) {
                    items.push(item);
                }
            }
            for uid in &self.option_order {
                if let Some(top) = self.options.get(uid) {
                    if top.option_set == Some(pending.id.uid) && seen.insert(*uid) {
                        items.push(top.item.clone());
                    }
                }
            }
            self.doc.add_option_set(OptionSet {
                id: pending.id,
                value_type: pending.value_type,
                options: items,
            });
        }
        for pending in std::mem::take(&mut self.users) {
            let mut user = pending.user;
            for (i, role) in pending.roles.iter().enumerate() {
                let authorities =
                    self.roles
                        .get(role)
                        .ok_or_else(|| MetadataError::UnresolvedReference {
                            object: Box::new(pending.at.clone()),
                            field: format!("userRoles[{i}]"),
                            id: role.to_string(),
                        })?;
                extend_unique(&mut user.authorities, authorities.iter().cloned());
            }
            self.doc.add_user(user);
        }
        Ok(self.doc)
    }

    /// An option of an option set already in the catalogue being merged into.
    fn known_option(&self, uid: &Uid) -> Option<OptionItem> {
        self.target
            .option_sets
            .iter()
            .flat_map(|s| s.options.iter())
            .find(|o| o.id.uid == *uid)
            .cloned()
    }
}

/// Re-roots an error about an embedded object (`options[i]`) onto its parent object.
fn nest(e: MetadataError, parent: &ObjectRef, prefix: &str) -> MetadataError {
    match e {
        MetadataError::MissingField {
            field, position, ..
        } => MetadataError::MissingField {
            object: Box::new(parent.clone()),
            field: format!("{prefix}.{field}"),
            position,
        },
        MetadataError::InvalidField {
            field,
            value,
            expected,
            position,
            ..
        } => MetadataError::InvalidField {
            object: Box::new(parent.clone()),
            field: format!("{prefix}.{field}"),
            value,
            expected,
            position,
        },
        other => other,
    }
}

/// DHIS2 finds the default category objects by name (`default`), and a reference to a default's
/// well-known UID is always valid. When the catalogue's default of a kind has another UID and no
/// object has the well-known one, references to the well-known UID are pointed at the
/// catalogue's default.
fn remap_defaults(m: &mut Metadata) {
    fn target(well_known: &str, present: bool, default: Option<Uid>) -> Option<(Uid, Uid)> {
        let well_known = Uid::parse(well_known).ok()?;
        let default = default?;
        (!present && default != well_known).then_some((well_known, default))
    }
    let named_default = |id: &Identity| id.name.as_deref() == Some("default");
    let swap = |uid: &mut Uid, (from, to): (Uid, Uid)| {
        if *uid == from {
            *uid = to;
        }
    };

    let combo = Uid::parse(DEFAULT_CATEGORY_COMBO_UID).ok().and_then(|u| {
        target(
            DEFAULT_CATEGORY_COMBO_UID,
            m.category_combo(&u).is_some(),
            m.category_combos
                .iter()
                .find(|o| named_default(&o.id))
                .map(|o| o.id.uid),
        )
    });
    if let Some(pair) = combo {
        m.data_elements
            .iter_mut()
            .for_each(|o| swap(&mut o.category_combo, pair));
        m.category_option_combos
            .iter_mut()
            .for_each(|o| swap(&mut o.category_combo, pair));
        for ds in &mut m.data_sets {
            swap(&mut ds.category_combo, pair);
            ds.elements
                .iter_mut()
                .filter_map(|e| e.category_combo.as_mut())
                .for_each(|u| swap(u, pair));
        }
    }
    let category = Uid::parse(DEFAULT_CATEGORY_UID).ok().and_then(|u| {
        target(
            DEFAULT_CATEGORY_UID,
            m.category(&u).is_some(),
            m.categories
                .iter()
                .find(|o| named_default(&o.id))
                .map(|o| o.id.uid),
        )
    });
    if let Some(pair) = category {
        m.category_combos
            .iter_mut()
            .flat_map(|o| o.categories.iter_mut())
            .for_each(|u| swap(u, pair));
    }
    let option = Uid::parse(DEFAULT_CATEGORY_OPTION_UID).ok().and_then(|u| {
        target(
            DEFAULT_CATEGORY_OPTION_UID,
            m.category_option(&u).is_some(),
            m.category_options
                .iter()
                .find(|o| named_default(&o.id))
                .map(|o| o.id.uid),
        )
    });
    if let Some(pair) = option {
        m.categories
            .iter_mut()
            .flat_map(|o| o.options.iter_mut())
            .for_each(|u| swap(u, pair));
        m.category_option_combos
            .iter_mut()
            .flat_map(|o| o.options.iter_mut())
            .for_each(|u| swap(u, pair));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(json: &str) -> Result<Metadata, MetadataError> {
        read_metadata(json.as_bytes())
    }

    fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn dt(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32, ms: u32) -> NaiveDateTime {
        NaiveDateTime::new(
            ymd(y, mo, d),
            NaiveTime::from_hms_milli_opt(h, mi, s, ms).unwrap(),
        )
    }

    fn at() -> ObjectRef {
        ObjectRef {
            kind: "dataSets",
            index: 0,
            id: None,
        }
    }

    fn date_time(s: &str) -> Option<NaiveDateTime> {
        date_time_field(&at(), "d", Some(RawDate::Text(s.into())))
            .ok()
            .flatten()
    }

    #[test]
    fn metadata_date_forms() {
        assert_eq!(date_time("20240131"), Some(dt(2024, 1, 31, 0, 0, 0, 0)));
        assert_eq!(date_time("2024-01-31"), Some(dt(2024, 1, 31, 0, 0, 0, 0)));
        assert_eq!(date_time("2024-01"), Some(dt(2024, 1, 1, 0, 0, 0, 0)));
        assert_eq!(date_time("2024"), Some(dt(2024, 1, 1, 0, 0, 0, 0)));
        assert_eq!(
            date_time("2019-08-26T14:26:09.938"),
            Some(dt(2019, 8, 26, 14, 26, 9, 938))
        );
        assert_eq!(
            date_time("2019-08-26T14:26:09.9"),
            Some(dt(2019, 8, 26, 14, 26, 9, 900))
        );
        assert_eq!(
            date_time("2019-08-26T14:26:09.123456789"),
            date_time("2019-08-26T14:26:09.123456789Z")
        );
        assert_eq!(
            date_time("2016-02-17T06:17:12.379+0000"),
            Some(dt(2016, 2, 17, 6, 17, 12, 379))
        );
        assert_eq!(
            date_time("2016-02-17T06:17:12.379+0100"),
            Some(dt(2016, 2, 17, 5, 17, 12, 379))
        );
        assert_eq!(
            date_time("2016-02-17T00:30:00-01:30"),
            Some(dt(2016, 2, 17, 2, 0, 0, 0))
        );
        assert_eq!(
            date_time("2016-02-17T06:17:12"),
            Some(dt(2016, 2, 17, 6, 17, 12, 0))
        );
        assert_eq!(
            date_time("2016-02-17T06:17"),
            Some(dt(2016, 2, 17, 6, 17, 0, 0))
        );
        assert_eq!(
            date_time("2016-02-17T06"),
            Some(dt(2016, 2, 17, 6, 0, 0, 0))
        );
        assert_eq!(
            date_time("2016-02-17T06+0200"),
            Some(dt(2016, 2, 17, 4, 0, 0, 0))
        );
        assert_eq!(
            date_time("2016-02-17 06:17:12+0000"),
            Some(dt(2016, 2, 17, 6, 17, 12, 0))
        );
        assert_eq!(
            date_time("1455690000000"),
            Some(dt(2016, 2, 17, 6, 20, 0, 0))
        );
        assert_eq!(
            date_time_field(&at(), "d", Some(RawDate::Millis(-1))).unwrap(),
            Some(dt(1969, 12, 31, 23, 59, 59, 999))
        );
        for bad in [
            "2024-13-01",
            "2024-02-30",
            "24-01-01",
            "2024/01/01",
            "202401",
            "2024-01-31T25:00",
            "2024-01-31X",
            "",
            "x",
            "2024-01-31T10:00+2",
        ] {
            assert_eq!(date_time(bad), None, "{bad}");
        }
        // Date-only fields keep the date as written.
        let d = date_field(
            &at(),
            "d",
            Some(RawDate::Text("2016-02-17T00:30:00.000+0100".into())),
        )
        .unwrap();
        assert_eq!(d, Some(ymd(2016, 2, 17)));
        let err = date_field(
            &at(),
            "openingDate",
            Some(RawDate::Text("17/02/2016".into())),
        )
        .unwrap_err();
        assert_eq!(err.field(), Some("openingDate"));
    }

    #[test]
    fn metadata_lenient_scalars() {
        let m = read(
            r#"{"dataSets": [{"id": "pBOMPrpg1QX", "periodType": "Monthly", "expiryDays": "10.5",
                "openFuturePeriods": 2.9, "noValueRequiresComment": "TRUE", "code": 42, "name": ""}]}"#,
        )
        .unwrap();
        let ds = &m.data_sets[0];
        assert_eq!(
            (
                ds.expiry_days,
                ds.open_future_periods,
                ds.no_value_requires_comment
            ),
            (10, 2, true)
        );
        assert_eq!(ds.id.code.as_deref(), Some("42"));
        assert_eq!(ds.id.name, None);
    }

    #[test]
    fn metadata_errors_name_object_and_field() {
        let err = read(r#"{"organisationUnits": [null, {"name": "x"}]}"#).unwrap_err();
        assert!(
            matches!(&err, MetadataError::MissingField { field, .. } if field == "id"),
            "{err}"
        );
        assert_eq!(
            err.object(),
            Some(&ObjectRef {
                kind: "organisationUnits",
                index: 1,
                id: None
            })
        );
        assert_eq!(err.position().map(|p| p.line), Some(1));

        let err = read(
            "{\"dataSets\": [\n{\"id\": \"pBOMPrpg1QX\", \"periodType\": \"Fortnightly\"}\n]}",
        )
        .unwrap_err();
        assert_eq!(err.field(), Some("periodType"));
        assert_eq!(err.position().map(|p| p.line), Some(3));
        assert_eq!(
            err.to_string(),
            "dataSets[0] (id `pBOMPrpg1QX`): invalid `periodType` `Fortnightly`: expected a DHIS2 period type name \
             such as Monthly or Yearly (after the object, at line 3, column 1)"
        );

        let err = read(r#"{"dataSets": [{"id": "pBOMPrpg1QX", "periodType": "TwoYearly"}]}"#)
            .unwrap_err();
        assert_eq!(err.field(), Some("periodType"));

        let err =
            read(r#"{"dataElements": [{"id": "f7n9E0hX8qk", "name": {"x": 1}}]}"#).unwrap_err();
        match &err {
            MetadataError::Json {
                object,
                line,
                column,
                message,
            } => {
                assert_eq!(
                    object.as_ref().map(|o| (o.kind, o.index)),
                    Some(("dataElements", 0))
                );
                assert_eq!((*line, *column), (1, 50));
                assert!(message.contains("expected a string"), "{message}");
            }
            other => panic!("{other}"),
        }

        let err = read(r#"{"dataElements": [}"#).unwrap_err();
        assert!(matches!(err, MetadataError::Json { .. }), "{err}");
        let err = read(r#"{"dataElements": 5}"#).unwrap_err();
        assert!(
            err.to_string().contains("an array of dataElements"),
            "{err}"
        );
        let err = read(r#"[]"#).unwrap_err();
        assert!(
            err.to_string().contains("a DXF2 metadata JSON object"),
            "{err}"
        );
        let err = read(r#"{} x"#).unwrap_err();
        assert!(
            matches!(err, MetadataError::Json { object: None, .. }),
            "{err}"
        );
    }

    #[test]
    fn metadata_io_errors_are_io() {
        struct Failing;
        impl Read for Failing {
            fn read(&mut self, _: &mut [u8]) -> io::Result<usize> {
                Err(io::Error::other("disk on fire"))
            }
        }
        assert!(matches!(read_metadata(Failing), Err(MetadataError::Io(_))));
    }

    #[test]
    fn metadata_defaults_are_remapped_by_name() {
        let m = read(
            r#"{"categoryCombos": [{"id": "myDefault01", "name": "default"}],
                "dataElements": [{"id": "f7n9E0hX8qk", "valueType": "TEXT"},
                                 {"id": "f7n9E0hX8ql", "valueType": "TEXT", "categoryCombo": {"id": "bjDvmb4bfuf"}}]}"#,
        )
        .unwrap();
        assert!(m
            .data_elements
            .iter()
            .all(|d| d.category_combo.as_str() == "myDefault01"));
        assert_eq!(m.category_combos.len(), 1);
    }
}
