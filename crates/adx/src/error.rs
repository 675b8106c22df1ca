//! The one error type of this crate: a boxed [`ErrorKind`] plus where it happened (line and
//! column, which `group` and which `dataValue`), and how DHIS2 reports it.

use std::fmt;
use std::io;

use dxf2_model::limits::human_bytes;
use dxf2_model::{IdScheme, ImportConflict, ImporterProfile, ObjectKind};
use idscheme_resolver::ResolveError;
use thiserror::Error as ThisError;

/// A line and column in the input (1-based, columns in characters; a UTF-8 byte order mark is
/// not counted).
pub use dxf2_model::position::TextPosition as Position;

/// A coarse classification for exit codes and messages, the same for every codec of the
/// workspace: [`Category::Syntax`] for XML that is not well-formed, [`Category::Data`] for a
/// well-formed document DHIS2 refuses (a missing attribute, a period it cannot read, an
/// identifier or category that does not map) and for values that cannot be written as ADX,
/// [`Category::Limit`] for a token over [`ReadLimits`](dxf2_model::ReadLimits),
/// [`Category::Unsupported`] for an encoding other than UTF-8, [`Category::Io`].
pub use dxf2_model::codec::Category;

/// The prefix DHIS2 2.42 puts before the message of an import that failed as a whole.
const FAILED: &str = "The import process failed: ";

/// One object that lacks the identifier ADX needs (see [`ErrorKind::MissingIdentifiers`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MissingIdentifier {
    /// The kind of object.
    pub kind: ObjectKind,
    /// Its UID.
    pub uid: dxf2_model::Uid,
    /// Its name, when it has one.
    pub name: Option<String>,
    /// The id scheme whose identifier is needed.
    pub scheme: IdScheme,
    /// The identifier it has, when it has one that cannot be used (a category identifier that
    /// is not an XML name).
    pub invalid: Option<String>,
}

impl fmt::Display for MissingIdentifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = kind_name(self.kind);
        match &self.name {
            Some(name) => write!(f, "{kind} `{name}` ({})", self.uid)?,
            None => write!(f, "{kind} {}", self.uid)?,
        }
        match &self.invalid {
            Some(id) => write!(f, " has {} `{id}`, which is not an XML name", self.scheme),
            None => write!(f, " has no {}", self.scheme),
        }
    }
}

/// The English name of a kind of object, for messages.
pub(crate) fn kind_name(kind: ObjectKind) -> &'static str {
    match kind {
        ObjectKind::DataElement => "data element",
        ObjectKind::OrganisationUnit => "org unit",
        ObjectKind::CategoryOptionCombo => "category option combo",
        ObjectKind::DataSet => "data set",
        ObjectKind::CategoryOption => "category option",
        ObjectKind::Category => "category",
        ObjectKind::CategoryCombo => "category combo",
        ObjectKind::DataElementGroup => "data element group",
        ObjectKind::OrganisationUnitGroup => "org unit group",
        ObjectKind::Attribute => "attribute",
        ObjectKind::OptionSet => "option set",
        ObjectKind::User => "user",
    }
}

/// What went wrong.
///
/// The variants from [`MissingAttribute`](ErrorKind::MissingAttribute) to
/// [`Conflict`](ErrorKind::Conflict) are DHIS2's own refusals: their message is exactly
/// DHIS2's ([`Error::dhis2_message`]).
#[derive(Debug, ThisError)]
#[non_exhaustive]
pub enum ErrorKind {
    /// Reading or writing the underlying stream failed.
    #[error("I/O error: {0}")]
    Io(#[from] io::Error),
    /// Bytes that are not UTF-8.
    #[error("invalid UTF-8 (only UTF-8 XML is supported)")]
    InvalidUtf8,
    /// The XML declaration names an encoding other than UTF-8 (or ASCII).
    #[error(
        "unsupported encoding `{encoding}`: only UTF-8 XML is supported, convert the file to UTF-8"
    )]
    UnsupportedEncoding {
        /// The encoding named in the declaration.
        encoding: String,
    },
    /// An end tag that does not close the element opened last.
    #[error("mismatched end tag: expected </{expected}>, found </{found}>")]
    MismatchedEndTag {
        /// The name of the open element.
        expected: String,
        /// The name in the end tag.
        found: String,
    },
    /// The input ended inside the document (a truncated file).
    #[error("unexpected end of input: expected {expected}")]
    UnexpectedEof {
        /// What was expected, e.g. `</group>`.
        expected: String,
    },
    /// Any other violation of XML well-formedness.
    #[error("malformed XML: {message}")]
    Syntax {
        /// What is wrong.
        message: String,
    },
    /// A character XML 1.0 does not allow, written literally.
    #[error("character U+{:04X} is not allowed in XML ({context}); write it as a character reference, or remove it", u32::from(*found))]
    InvalidChar {
        /// The character.
        found: char,
        /// Where it was found ("text", "a comment", "an attribute value", …).
        context: &'static str,
    },
    /// An element or attribute name that is not a qualified XML name.
    #[error("`{name}` is not a valid XML {what} name")]
    InvalidName {
        /// "element" or "attribute".
        what: &'static str,
        /// The name as written.
        name: String,
    },
    /// An entity reference other than the five XML predefines, or a bad character reference.
    /// DTDs are never read, so no other entity is known and nothing external is ever fetched.
    #[error("invalid reference `&{reference};`: {message}")]
    InvalidReference {
        /// The text between `&` and `;`.
        reference: String,
        /// What is wrong.
        message: String,
    },
    /// The same attribute twice on one element.
    #[error("duplicate attribute `{name}`")]
    DuplicateAttribute {
        /// The attribute's name.
        name: String,
    },
    /// A token longer than [`ReadLimits::max_token_bytes`](dxf2_model::ReadLimits).
    #[error("{what} starting here is longer than the limit of {} for one token (raise ReadLimits::max_token_bytes, or --max-token-bytes on the command line)", human_bytes(*limit))]
    TokenTooLong {
        /// What was too long.
        what: String,
        /// The limit in bytes.
        limit: usize,
    },
    /// Elements nested deeper than 1000 levels.
    #[error("XML nested deeper than {limit} levels")]
    NestingTooDeep {
        /// The limit.
        limit: usize,
    },
    /// DHIS2 2.36–2.42: no element named `adx` anywhere (DHIS2 fails with "The import process
    /// failed: null").
    #[error("no <adx> element found: this is not an ADX document")]
    NoAdxElement,
    /// DHIS2 2.43+: the document has no element at all (`E8007`).
    #[error("No root tag found")]
    NoRootElement,
    /// DHIS2 2.43+: the first element is neither `adx` nor `dataValueSet` (`E8007`).
    #[error("Neither <dataValueSet> nor <adx> root tag found but: <{found}>")]
    UnexpectedRoot {
        /// The local name of the first element.
        found: String,
    },
    /// DHIS2 2.43+: the document is DXF2 XML (root `dataValueSet`), read by `dxf2-xml`.
    #[error(
        "the document is DXF2 XML (root element <dataValueSet>), not ADX: read it with dxf2-xml"
    )]
    DataValueSet,
    /// A `group` inside a `group` (DHIS2 would silently skip values; refused here).
    #[error("a <group> inside a <group>: ADX groups do not nest")]
    NestedGroup,
    /// An `annotation` holding an element (StAX `getElementText` refuses it too).
    #[error("an <annotation> must hold text only, found the element <{found}>")]
    AnnotationNotText {
        /// The local name of the element found.
        found: String,
    },
    /// A required attribute is missing: `period` or `orgUnit` on `group`, `dataElement` or
    /// `value` on `dataValue` (DHIS2 2.36–2.42).
    #[error("{attribute} attribute is required on '{element}'")]
    MissingAttribute {
        /// `group` or `dataValue`.
        element: &'static str,
        /// The attribute's name.
        attribute: &'static str,
    },
    /// A `period` DHIS2 cannot read (see [`crate::period`]); DHIS2 2.43+ answers every such
    /// import (and a missing `period`) with HTTP 409 "Post-condition was null".
    #[error("{}", .0.dhis2_message())]
    Period(crate::period::PeriodError),
    /// DHIS2 2.43+: a group without `period` (HTTP 409 "Post-condition was null").
    #[error("Post-condition was null")]
    MissingPeriod,
    /// The group's data set was not found (`"No data set matching code 'X'"`).
    #[error("No data set matching {} '{key}'", scheme_lower(.scheme))]
    DataSetNotFound {
        /// The data set id scheme.
        scheme: IdScheme,
        /// The identifier as written.
        key: String,
    },
    /// The value's data element was not found (`"No data element matching code 'X'"`).
    #[error("No data element matching {} '{}'", scheme_lower(.scheme), .key.as_deref().unwrap_or("null"))]
    DataElementNotFound {
        /// The data element id scheme.
        scheme: IdScheme,
        /// The identifier, trimmed (`None`: empty).
        key: Option<String>,
    },
    /// An identifier that matches several objects, an unknown `ATTRIBUTE:<uid>` attribute, an
    /// unusable scheme.
    #[error(transparent)]
    Resolve(#[from] ResolveError),
    /// A category of the combo has no identifier under `categoryIdScheme`, or one that is not
    /// an XML name.
    #[error("Category {scheme} for {} is missing or invalid: {}", .category.as_deref().unwrap_or("null"), .id.as_deref().unwrap_or("null"))]
    CategoryIdInvalid {
        /// The category id scheme.
        scheme: IdScheme,
        /// The category's name.
        category: Option<String>,
        /// Its identifier under the scheme.
        id: Option<String>,
    },
    /// The element lacks the attribute of a category of the combo.
    #[error("Category combo {} must have {}", .combo.as_deref().unwrap_or("null"), .category.as_deref().unwrap_or("null"))]
    CategoryMissing {
        /// The category combo's name.
        combo: Option<String>,
        /// The missing category's name.
        category: Option<String>,
    },
    /// A category option combo of the combo has no option of one of its categories.
    #[error("No categoryOption in {} matching {}", .category.as_deref().unwrap_or("null"), .option_combo.as_deref().unwrap_or("null"))]
    OptionComboIncomplete {
        /// The category's name.
        category: Option<String>,
        /// The option combo's name.
        option_combo: Option<String>,
    },
    /// A category option of the combo has no identifier under `categoryOptionIdScheme`.
    #[error("No {scheme} identifier for CategoryOption: {}", .option.as_deref().unwrap_or("null"))]
    OptionWithoutIdentifier {
        /// The category option id scheme.
        scheme: IdScheme,
        /// The option's name.
        option: Option<String>,
    },
    /// No option combo of the combo has the options the attributes name; `attributes` is the
    /// category → option map as Java prints it (`{sex=X, age=under5}`).
    #[error("Invalid attributes: {attributes}")]
    InvalidAttributes {
        /// The map, as DHIS2 prints it.
        attributes: String,
    },
    /// A value of a data element that is not numeric has no `annotation` (2.36–2.42).
    #[error("DataElement expects text annotation")]
    AnnotationMissing,
    /// A DHIS2 2.43+ decoding error (`E8101`, `E8108`, …): the import fails with one conflict.
    #[error("{message}")]
    Conflict {
        /// The error code.
        code: &'static str,
        /// The message as DHIS2 renders it.
        message: String,
        /// The conflict's `args` key (the arguments joined by `-`).
        key: String,
    },
    /// An option combo found from category attributes has no identifier under the scheme the
    /// values are handed on with (only [`crate::AdxSourceBuilder::strict`]; DHIS2 2.36–2.42
    /// silently imports such a value under the default combo).
    #[error("{kind} `{}` ({uid}) has no {scheme}: the value cannot be handed on", .name.as_deref().unwrap_or("null"), kind = kind_name(*.kind))]
    OptionComboWithoutIdentifier {
        /// Category option combo (for `categoryOptionCombo` and `attributeOptionCombo`).
        kind: ObjectKind,
        /// Its UID.
        uid: dxf2_model::Uid,
        /// Its name.
        name: Option<String>,
        /// The scheme.
        scheme: IdScheme,
    },
    /// DHIS2 2.43+: groups of another data set than the first group's. DHIS2 imports each group
    /// with its own data set; the import engine takes one data set per import, so such a file
    /// is refused rather than validated against the wrong data set (import it per data set).
    #[error("this group's data set ({}) differs from the first group's ({}): with the 2.43+ rules the groups of one ADX import must share their data set", .found.as_deref().unwrap_or("none"), .first.as_deref().unwrap_or("none"))]
    SeveralDataSets {
        /// The first group's `dataSet` as written.
        first: Option<String>,
        /// This group's.
        found: Option<String>,
    },
    /// Writing ADX: objects lack the identifiers ADX needs (category and option identifiers,
    /// and the data set, data element, org unit identifiers under the output schemes).
    #[error("cannot write ADX, {} object(s) lack the identifier it needs: {}", .objects.len(), list(.objects))]
    MissingIdentifiers {
        /// Every object found lacking.
        objects: Vec<MissingIdentifier>,
    },
    /// Writing ADX: a value names an object the metadata does not have.
    #[error("{} `{key}` ({scheme}) is not in the metadata", kind_name(*.kind))]
    UnknownObject {
        /// Kind of object.
        kind: ObjectKind,
        /// The identifier as the value has it.
        key: String,
        /// The scheme it was looked up with.
        scheme: IdScheme,
    },
    /// Writing ADX: a value lacks a field ADX needs (data element, period, org unit).
    #[error("a value without {field} cannot be written as ADX")]
    MissingField {
        /// The field's name.
        field: &'static str,
    },
    /// Writing ADX: no data set holds the value's data element (with its attribute option
    /// combo's category combo).
    #[error("no data set contains data element `{data_element}`{}: ADX groups need one (give the data set in the header)", if *.with_attribute_combo { " with the value's attribute category combo" } else { "" })]
    NoDataSet {
        /// The data element as the value names it.
        data_element: String,
        /// Whether a non-default attribute option combo narrowed the search.
        with_attribute_combo: bool,
    },
    /// Writing ADX: a value's period is not a DHIS2 ISO period.
    #[error("invalid period `{period}`: {reason}")]
    InvalidPeriod {
        /// The period as the value has it.
        period: String,
        /// Why.
        reason: String,
    },
    /// Writing ADX: a text XML cannot carry (U+0000).
    #[error("cannot write {what}: {reason}")]
    Unwritable {
        /// What was being written.
        what: String,
        /// Why.
        reason: &'static str,
    },
    /// Writing ADX: the header names an id scheme DHIS2 does not know.
    #[error("the header's id schemes: {0}")]
    Model(#[from] dxf2_model::ModelError),
    /// A writer used out of order (a value before `begin`, anything after `finish`).
    #[error("writer used out of order: {message}")]
    WriterState {
        /// What was wrong.
        message: &'static str,
    },
}

fn scheme_lower(scheme: &IdScheme) -> String {
    scheme.to_string().to_lowercase()
}

fn list(objects: &[MissingIdentifier]) -> String {
    objects
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

impl ErrorKind {
    /// The coarse category of this kind.
    pub fn category(&self) -> Category {
        match self {
            ErrorKind::Io(_) => Category::Io,
            ErrorKind::UnsupportedEncoding { .. } => Category::Unsupported,
            ErrorKind::InvalidUtf8
            | ErrorKind::MismatchedEndTag { .. }
            | ErrorKind::UnexpectedEof { .. }
            | ErrorKind::Syntax { .. }
            | ErrorKind::InvalidChar { .. }
            | ErrorKind::InvalidName { .. }
            | ErrorKind::InvalidReference { .. }
            | ErrorKind::DuplicateAttribute { .. }
            | ErrorKind::NestingTooDeep { .. } => Category::Syntax,
            ErrorKind::TokenTooLong { .. } => Category::Limit,
            _ => Category::Data,
        }
    }

    /// Whether the input ended inside the document.
    pub fn is_eof(&self) -> bool {
        matches!(self, ErrorKind::UnexpectedEof { .. })
    }

    /// Whether this is one of DHIS2's own refusals of the document or of a mapping (as opposed
    /// to XML that is not well-formed, a limit, I/O, or a writing problem).
    pub fn is_dhis2_refusal(&self) -> bool {
        matches!(
            self,
            ErrorKind::NoAdxElement
                | ErrorKind::NoRootElement
                | ErrorKind::UnexpectedRoot { .. }
                | ErrorKind::MissingAttribute { .. }
                | ErrorKind::Period(_)
                | ErrorKind::MissingPeriod
                | ErrorKind::DataSetNotFound { .. }
                | ErrorKind::DataElementNotFound { .. }
                | ErrorKind::Resolve(_)
                | ErrorKind::CategoryIdInvalid { .. }
                | ErrorKind::CategoryMissing { .. }
                | ErrorKind::OptionComboIncomplete { .. }
                | ErrorKind::OptionWithoutIdentifier { .. }
                | ErrorKind::InvalidAttributes { .. }
                | ErrorKind::AnnotationMissing
                | ErrorKind::Conflict { .. }
        )
    }
}

/// The error of every operation of this crate: an [`ErrorKind`] plus, when known, the
/// [`Position`] in the input, the `group` (0-based index, counting every `group` element of the
/// document) and the data value (0-based index over the whole document: DHIS2's numbering).
///
/// Displayed as `line L, column C (group #G, value #N, index I): message`, `G` and `N` counting
/// from 1. The message of a DHIS2 refusal is exactly DHIS2's ([`Error::dhis2_message`]).
///
/// # How an import reports it
///
/// An [`AdxSource`](crate::AdxSource) fails with this error when DHIS2 would fail the whole
/// import; the import engine then ends the import (nothing written) with
/// `Failure::Input { source, .. }`, whose `source` downcasts to this type
/// (`source.downcast_ref::<adx::Error>()`). A caller turns it into DHIS2's `ERROR` summary with
/// [`Error::dhis2_description`] (the summary's `description`) and [`Error::dhis2_conflicts`]
/// (its `conflicts`), all counts 0:
///
/// | profile | description | conflicts |
/// |---|---|---|
/// | classic (2.36–2.42, as 2.42) | `The import process failed: <message>` | none |
/// | pipeline (2.43+), `E81xx` decoding errors | none | one, with the code, `args` and `indexes` `[-1]` (as the engine's own decoding errors) |
/// | pipeline, a period DHIS2 cannot read | `Post-condition was null` (HTTP 409, no summary in DHIS2) | none |
///
/// ```
/// use adx::{Error, ErrorKind};
/// use dxf2_model::{ImporterProfile, TextPosition};
///
/// let e = Error::at(
///     ErrorKind::InvalidAttributes { attributes: "{sex=X, age=under5}".into() },
///     TextPosition { line: 3, column: 9 },
/// )
/// .with_group_index(0)
/// .with_value_index(1);
/// assert_eq!(e.to_string(), "line 3, column 9 (group #1, value #2, index 1): Invalid attributes: {sex=X, age=under5}");
/// assert_eq!(e.dhis2_message(), "Invalid attributes: {sex=X, age=under5}");
/// assert_eq!(
///     e.dhis2_description(ImporterProfile::Classic).as_deref(),
///     Some("The import process failed: Invalid attributes: {sex=X, age=under5}")
/// );
/// assert!(e.dhis2_conflicts(ImporterProfile::Classic).is_empty());
/// ```
pub struct Error(Box<Inner>);

struct Inner {
    kind: ErrorKind,
    position: Option<Position>,
    group_index: Option<u64>,
    value_index: Option<u64>,
}

impl Error {
    /// An error without a location.
    pub fn new(kind: ErrorKind) -> Error {
        Error(Box::new(Inner {
            kind,
            position: None,
            group_index: None,
            value_index: None,
        }))
    }

    /// An error at a line and column.
    pub fn at(kind: ErrorKind, position: Position) -> Error {
        let mut e = Error::new(kind);
        e.0.position = Some(position);
        e
    }

    /// Adds the 0-based index of the `group` being read, unless one is set.
    #[must_use]
    pub fn with_group_index(mut self, index: u64) -> Error {
        self.0.group_index.get_or_insert(index);
        self
    }

    /// Adds the 0-based index of the data value being read or written, unless one is set.
    #[must_use]
    pub fn with_value_index(mut self, index: u64) -> Error {
        self.0.value_index.get_or_insert(index);
        self
    }

    /// What went wrong.
    pub fn kind(&self) -> &ErrorKind {
        &self.0.kind
    }

    /// What went wrong, by value.
    pub fn into_kind(self) -> ErrorKind {
        self.0.kind
    }

    /// The coarse category.
    pub fn category(&self) -> Category {
        self.0.kind.category()
    }

    /// The line and column, when known.
    pub fn position(&self) -> Option<Position> {
        self.0.position
    }

    /// The 1-based line, when known.
    pub fn line(&self) -> Option<u64> {
        self.0.position.map(|p| p.line)
    }

    /// The 1-based column in characters, when known.
    pub fn column(&self) -> Option<u64> {
        self.0.position.map(|p| p.column)
    }

    /// The 0-based index of the `group` (DHIS2 2.36–2.41's "group number"), when the error
    /// belongs to one.
    pub fn group_index(&self) -> Option<u64> {
        self.0.group_index
    }

    /// The 0-based index of the data value (DHIS2's numbering), when the error belongs to one.
    pub fn value_index(&self) -> Option<u64> {
        self.0.value_index
    }

    /// The 1-based number of the data value, as messages show it.
    pub fn value_number(&self) -> Option<u64> {
        self.0.value_index.map(|i| i.saturating_add(1))
    }

    /// Whether the input ended inside the document.
    pub fn is_eof(&self) -> bool {
        self.0.kind.is_eof()
    }

    /// The message without the location: for a DHIS2 refusal, exactly DHIS2's text
    /// (`Invalid attributes: {sex=X, age=under5}`, `No data set matching code 'X'`,
    /// `P7D is not a supported duration type`, …).
    pub fn dhis2_message(&self) -> String {
        match &self.0.kind {
            // DHIS2 2.36–2.42 throws an exception without a message.
            ErrorKind::NoAdxElement => "null".to_owned(),
            other => other.to_string(),
        }
    }

    /// The DHIS2 error code, for the 2.43+ refusals that have one (`E8007`, `E8101`, `E8108`, …).
    pub fn dhis2_code(&self) -> Option<&'static str> {
        match &self.0.kind {
            ErrorKind::Conflict { code, .. } => Some(code),
            ErrorKind::NoRootElement | ErrorKind::UnexpectedRoot { .. } => Some("E8007"),
            _ => None,
        }
    }

    /// The `description` of DHIS2's `ERROR` summary for an import that failed with this error
    /// (see the [type docs](Error)); `None` for a DHIS2 2.43+ decoding error, whose summary has
    /// no description.
    pub fn dhis2_description(&self, profile: ImporterProfile) -> Option<String> {
        Some(match (profile, &self.0.kind) {
            (ImporterProfile::Pipeline, ErrorKind::Conflict { .. }) => return None,
            (ImporterProfile::Pipeline, ErrorKind::Period(_) | ErrorKind::MissingPeriod) => {
                "Post-condition was null".to_owned()
            }
            (
                ImporterProfile::Pipeline,
                ErrorKind::NoRootElement | ErrorKind::UnexpectedRoot { .. },
            ) => format!("XML file error : {}", self.dhis2_message()),
            _ => format!("{FAILED}{}", self.dhis2_message()),
        })
    }

    /// The `conflicts` of DHIS2's `ERROR` summary for an import that failed with this error
    /// (see the [type docs](Error)): one for a DHIS2 2.43+ decoding error, none otherwise.
    pub fn dhis2_conflicts(&self, profile: ImporterProfile) -> Vec<ImportConflict> {
        match (profile, &self.0.kind) {
            (ImporterProfile::Pipeline, ErrorKind::Conflict { code, message, key }) => {
                vec![ImportConflict {
                    object: None,
                    objects: vec![("args".to_owned(), Some(key.clone()))],
                    value: message.clone(),
                    error_code: Some((*code).to_owned()),
                    property: None,
                    indexes: Some(vec![-1]),
                }]
            }
            _ => Vec::new(),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let inner = &self.0;
        let mut parts: Vec<String> = Vec::new();
        if let Some(g) = inner.group_index {
            parts.push(format!("group #{}", g.saturating_add(1)));
        }
        if let Some(v) = inner.value_index {
            parts.push(format!("value #{}, index {v}", v.saturating_add(1)));
        }
        let extra = if parts.is_empty() {
            String::new()
        } else {
            format!("({})", parts.join(", "))
        };
        match (inner.position, extra.is_empty()) {
            (Some(p), true) => write!(f, "{p}: ")?,
            (Some(p), false) => write!(f, "{p} {extra}: ")?,
            (None, false) => write!(f, "{extra}: ")?,
            (None, true) => {}
        }
        write!(f, "{}", inner.kind)
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Error")
            .field("kind", &self.0.kind)
            .field("position", &self.0.position)
            .field("group_index", &self.0.group_index)
            .field("value_index", &self.0.value_index)
            .finish()
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &self.0.kind {
            ErrorKind::Io(e) => Some(e),
            ErrorKind::Resolve(e) => Some(e),
            ErrorKind::Period(e) => Some(e),
            ErrorKind::Model(e) => Some(e),
            _ => None,
        }
    }
}

impl From<ErrorKind> for Error {
    fn from(kind: ErrorKind) -> Error {
        Error::new(kind)
    }
}

impl From<io::Error> for Error {
    fn from(e: io::Error) -> Error {
        Error::new(ErrorKind::Io(e))
    }
}

#[cfg(test)]
#[allow(clippy::indexing_slicing, clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn result_is_small() {
        assert_eq!(
            std::mem::size_of::<Result<(), Error>>(),
            std::mem::size_of::<usize>()
        );
    }

    #[test]
    fn messages_and_locations() {
        let e = Error::new(ErrorKind::MissingAttribute {
            element: "group",
            attribute: "period",
        });
        assert_eq!(e.to_string(), "period attribute is required on 'group'");
        let e = e.with_group_index(2).with_group_index(5);
        assert_eq!(e.group_index(), Some(2));
        assert_eq!(
            e.to_string(),
            "(group #3): period attribute is required on 'group'"
        );
        let e = Error::at(ErrorKind::NoAdxElement, Position { line: 1, column: 1 });
        assert_eq!(e.dhis2_message(), "null");
        assert_eq!(
            e.dhis2_description(ImporterProfile::Classic).as_deref(),
            Some("The import process failed: null")
        );
        let e = Error::new(ErrorKind::DataSetNotFound {
            scheme: IdScheme::Attribute("AbCdEfGhIjK".into()),
            key: "X".into(),
        });
        assert_eq!(
            e.to_string(),
            "No data set matching attribute:abcdefghijk 'X'"
        );
        let e = Error::new(ErrorKind::DataElementNotFound {
            scheme: IdScheme::Code,
            key: None,
        });
        assert_eq!(e.to_string(), "No data element matching code 'null'");
        let e = Error::new(ErrorKind::CategoryIdInvalid {
            scheme: IdScheme::Code,
            category: Some("Sex".into()),
            id: Some("a b".into()),
        });
        assert_eq!(
            e.to_string(),
            "Category CODE for Sex is missing or invalid: a b"
        );
        assert_eq!(e.category(), Category::Data);
        assert!(e.kind().is_dhis2_refusal());
        let e = Error::from(io::Error::other("disk full"));
        assert_eq!(e.category(), Category::Io);
        assert!(std::error::Error::source(&e).is_some());
    }

    #[test]
    fn pipeline_conflicts() {
        let e = Error::new(ErrorKind::Conflict {
            code: "E8108",
            message: "Value #3 category option combo not found: `{sex=X}`".into(),
            key: "3-{sex=X}".into(),
        })
        .with_value_index(3);
        assert_eq!(e.dhis2_code(), Some("E8108"));
        let c = e.dhis2_conflicts(ImporterProfile::Pipeline);
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].indexes, Some(vec![-1]));
        assert_eq!(c[0].error_code.as_deref(), Some("E8108"));
        assert!(e.dhis2_conflicts(ImporterProfile::Classic).is_empty());
        assert_eq!(e.dhis2_description(ImporterProfile::Pipeline), None);
        let p = crate::period::parse_period("x", ImporterProfile::Pipeline).unwrap_err();
        let e = Error::new(ErrorKind::Period(p));
        assert_eq!(
            e.dhis2_description(ImporterProfile::Pipeline).as_deref(),
            Some("Post-condition was null")
        );
        assert_eq!(
            e.dhis2_description(ImporterProfile::Classic).as_deref(),
            Some("The import process failed: x not in valid <date>/<duration> format")
        );
    }
}
