//! The one error type of this crate: a boxed [`ErrorKind`] plus the form field it concerns, and
//! how DHIS2 reports it.

use std::fmt;
use std::io;

use dxf2_model::{ImporterProfile, ObjectKind};
use thiserror::Error as ThisError;

/// A coarse classification for exit codes and messages, the same for every reader of the
/// workspace: [`Category::Syntax`] for bytes that are not a readable PDF, [`Category::Data`] for a
/// PDF that is not a filled DHIS2 form (no form fields, no period, a field name DHIS2 cannot
/// read), [`Category::Unsupported`] for a PDF encrypted with a password, [`Category::Limit`] for
/// a file over the size bound, [`Category::Io`].
pub use dxf2_model::codec::Category;

/// The prefix DHIS2 2.36–2.42 puts before the message of an import that failed as a whole.
const FAILED: &str = "The import process failed: ";

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
#[derive(Debug, ThisError)]
#[non_exhaustive]
pub enum ErrorKind {
    /// Reading the input failed.
    #[error("I/O error: {0}")]
    Io(#[from] io::Error),
    /// The input is larger than the reader's bound.
    #[error("the PDF is larger than the limit of {limit} bytes (raise it with ReaderBuilder::max_bytes)")]
    TooLarge {
        /// The bound, in bytes.
        limit: u64,
    },
    /// The input does not start like a PDF (DHIS2: `E8006`, OpenPDF's message).
    #[error("PDF header signature not found.")]
    NotPdf,
    /// A PDF that cannot be read: broken cross-reference data, a truncated file, objects that
    /// do not parse (DHIS2: `E8006`).
    #[error("the PDF is damaged and cannot be read: {message}")]
    Damaged {
        /// What the PDF parser said.
        message: String,
    },
    /// A PDF encrypted with a user password that was not given (or a wrong one).
    #[error("the PDF is encrypted with a password{}: it cannot be read without it (give it with ReaderBuilder::password)", if *.password_given { " that does not match the one given" } else { "" })]
    Encrypted {
        /// Whether a password was given (and did not open the file).
        password_given: bool,
    },
    /// The PDF has no interactive form (no `/AcroForm` in its catalogue, or one without fields):
    /// DHIS2 `E8001`.
    #[error("PDF input does not support Acro fields")]
    NoAcroForm,
    /// The form lacks `TXFD_OrgID` or `TXFD_PeriodID` (DHIS2 fails with a
    /// `NullPointerException`): not a DHIS2 data set form.
    #[error("the form has no field `{name}`: it is not a DHIS2 data set form")]
    MissingField {
        /// The field's name.
        name: &'static str,
    },
    /// DHIS2 2.36–2.42: `TXFD_PeriodID` is empty.
    #[error("The period was not specified.")]
    PeriodNotSpecified,
    /// DHIS2 2.36–2.42: `TXFD_OrgID` is empty.
    #[error("The organisation unit was not specified")]
    OrgUnitNotSpecified,
    /// DHIS2 2.36–2.42: `TXFD_PeriodID` is not an ISO period.
    #[error("Invalid period: {period}")]
    InvalidPeriod {
        /// The field's text, trimmed.
        period: String,
    },
    /// A `TXFDDV_` field whose name does not split into `TXFDDV_<dataElement>_<optionCombo>`, or
    /// whose type suffix is not `T<number>` (DHIS2 fails the whole import with an
    /// `ArrayIndexOutOfBoundsException` or a `NumberFormatException`).
    #[error("the data field name `{name}` {reason}")]
    BadFieldName {
        /// The field's full name.
        name: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// Writing a form: the metadata lacks an object the data set refers to.
    #[error("{kind} `{uid}` is not in the metadata")]
    NotInMetadata {
        /// The kind of object.
        kind: &'static str,
        /// Its UID.
        uid: String,
    },
    /// Writing a form: the period to fill in, or the data set's period type, cannot be used.
    #[error("cannot offer the period `{period}` on the form: {reason}")]
    FormPeriod {
        /// The period (or the period type).
        period: String,
        /// Why.
        reason: String,
    },
    /// Writing a form: the PDF library failed to write it.
    #[error("cannot write the PDF: {message}")]
    Write {
        /// What the PDF library said.
        message: String,
    },
    /// Filling a form: it has no field of the name given.
    #[error("the form has no field of this name")]
    NoSuchField,
    /// The PDF library failed on the input in a way it does not report as an error.
    #[error("the PDF could not be read: the PDF library failed on it")]
    ParserFailed,
}

impl ErrorKind {
    /// The coarse category of this kind.
    pub fn category(&self) -> Category {
        match self {
            ErrorKind::Io(_) | ErrorKind::Write { .. } => Category::Io,
            ErrorKind::TooLarge { .. } => Category::Limit,
            ErrorKind::NotPdf | ErrorKind::Damaged { .. } | ErrorKind::ParserFailed => {
                Category::Syntax
            }
            ErrorKind::Encrypted { .. } => Category::Unsupported,
            _ => Category::Data,
        }
    }

    /// DHIS2's error code for this failure, when DHIS2 2.43+ gives one: `E8006` for bytes that
    /// are not a readable PDF (also an encrypted one), `E8001` for a PDF without form fields.
    pub fn code(&self) -> Option<&'static str> {
        match self {
            ErrorKind::NotPdf
            | ErrorKind::Damaged { .. }
            | ErrorKind::ParserFailed
            | ErrorKind::Encrypted { .. } => Some("E8006"),
            ErrorKind::NoAcroForm => Some("E8001"),
            _ => None,
        }
    }
}

/// The error of every operation of this crate: an [`ErrorKind`] plus, when it concerns one, the
/// name of the form field.
///
/// Displayed as `field `NAME`: message` when a field is known.
///
/// # How an import reports it
///
/// Every failure happens when the form is opened, before any value is read: DHIS2 fails the
/// whole import in the same cases. A caller turns it into DHIS2's answer with [`Error::code`],
/// [`Error::dhis2_message`] and [`Error::dhis2_description`]:
///
/// | profile | `E8006` / `E8001` | other failures |
/// |---|---|---|
/// | classic (2.36–2.42) | `ERROR` summary, description `The import process failed: <message>` (HTTP 409) | the same |
/// | pipeline (2.43+) | HTTP 400 with the code and `PDF file error : <message>` (no summary) | no summary (DHIS2 answers HTTP 500) |
///
/// ```
/// use dxf2_model::{ImporterProfile, ObjectKind};
/// use pdf_form_reader::{ErrorKind, PdfFormReader};
///
/// let err = PdfFormReader::from_bytes(b"{}").unwrap_err();
/// assert!(matches!(err.kind(), ErrorKind::NotPdf));
/// assert_eq!(err.code(), Some("E8006"));
/// assert_eq!(err.dhis2_message(), "PDF file error : PDF header signature not found.");
/// assert_eq!(
///     err.dhis2_description(ImporterProfile::Classic).as_deref(),
///     Some("The import process failed: PDF header signature not found.")
/// );
/// assert_eq!(err.dhis2_description(ImporterProfile::Pipeline), None);
/// ```
pub struct Error(Box<Inner>);

struct Inner {
    kind: ErrorKind,
    field: Option<String>,
}

impl Error {
    /// An error without a field.
    pub fn new(kind: ErrorKind) -> Error {
        Error(Box::new(Inner { kind, field: None }))
    }

    /// An error about a form field.
    pub fn in_field(kind: ErrorKind, field: impl Into<String>) -> Error {
        Error(Box::new(Inner {
            kind,
            field: Some(field.into()),
        }))
    }

    /// What went wrong.
    pub fn kind(&self) -> &ErrorKind {
        &self.0.kind
    }

    /// What went wrong, by value.
    pub fn into_kind(self) -> ErrorKind {
        self.0.kind
    }

    /// The full name of the form field the error concerns, when it concerns one.
    pub fn field(&self) -> Option<&str> {
        self.0.field.as_deref()
    }

    /// The coarse category.
    pub fn category(&self) -> Category {
        self.0.kind.category()
    }

    /// DHIS2 2.43+'s error code (`E8006`, `E8001`), when it gives one.
    pub fn code(&self) -> Option<&'static str> {
        self.0.kind.code()
    }

    /// The message as DHIS2 2.43+ words it: `PDF file error : <message>` for `E8006`, `PDF input
    /// does not support Acro fields` for `E8001`, and otherwise this crate's message (which, for
    /// the classic checks of the period and org unit, is exactly DHIS2 2.42's).
    pub fn dhis2_message(&self) -> String {
        match self.code() {
            Some("E8006") => format!("PDF file error : {}", self.0.kind),
            _ => self.0.kind.to_string(),
        }
    }

    /// The `description` of DHIS2's `ERROR` import summary for this failure: `The import
    /// process failed: <message>` for the classic importer (2.36–2.42); `None` for 2.43+,
    /// which answers without a summary (HTTP 400 for `E8006`/`E8001`).
    pub fn dhis2_description(&self, profile: ImporterProfile) -> Option<String> {
        match profile {
            ImporterProfile::Classic => Some(format!("{FAILED}{}", self.0.kind)),
            ImporterProfile::Pipeline => None,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0.field {
            Some(field) => write!(f, "field `{field}`: {}", self.0.kind),
            None => write!(f, "{}", self.0.kind),
        }
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Error")
            .field("kind", &self.0.kind)
            .field("field", &self.0.field)
            .finish()
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &self.0.kind {
            ErrorKind::Io(e) => Some(e),
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
mod tests {
    use super::*;

    #[test]
    fn messages_name_the_field_and_follow_dhis2() {
        let e = Error::in_field(
            ErrorKind::BadFieldName {
                name: "TXFDDV_abc".into(),
                reason: "has no category option combo part",
            },
            "TXFDDV_abc",
        );
        assert_eq!(
            e.to_string(),
            "field `TXFDDV_abc`: the data field name `TXFDDV_abc` has no category option combo part"
        );
        assert_eq!(e.code(), None);
        assert_eq!(e.category(), Category::Data);
        let e = Error::new(ErrorKind::NoAcroForm);
        assert_eq!(e.code(), Some("E8001"));
        assert_eq!(e.dhis2_message(), "PDF input does not support Acro fields");
        let e = Error::new(ErrorKind::PeriodNotSpecified);
        assert_eq!(
            e.dhis2_description(ImporterProfile::Classic).as_deref(),
            Some("The import process failed: The period was not specified.")
        );
    }
}
