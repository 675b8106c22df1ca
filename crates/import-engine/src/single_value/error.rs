//! The one error of the single-value API: DHIS2's refusal (HTTP status, error code, message, as
//! its web message says them), or the store's failure.

use std::fmt;

use crate::file_resource::BadRecord;
use crate::store::StoreError;

/// DHIS2's refusal of a single-value request: what its web message says.
///
/// DHIS2 answers an `IllegalQueryException` with HTTP 409 and the error code (`E1100` …
/// `E2041`), a missing value with 409 and no code, a missing file resource with 404, and a
/// value the user may not read with 403.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal {
    /// The HTTP status DHIS2 answers with (409, 404 or 403).
    pub status: u16,
    /// The error code, when DHIS2 gives one.
    pub code: Option<&'static str>,
    /// The message, exactly as DHIS2 words it.
    pub message: String,
}

impl Refusal {
    /// A 409 Conflict with DHIS2's code and message.
    pub(crate) fn coded(code: &'static str, message: String) -> Refusal {
        Refusal {
            status: 409,
            code: Some(code),
            message,
        }
    }

    /// A 409 Conflict without a code.
    pub(crate) fn conflict(message: impl Into<String>) -> Refusal {
        Refusal {
            status: 409,
            code: None,
            message: message.into(),
        }
    }

    /// DHIS2's web message for it, as JSON (`{"httpStatus":"Conflict","httpStatusCode":409,
    /// "status":"ERROR","message":"…","errorCode":"E1100"}`).
    ///
    /// ```
    /// use import_engine::single_value::Refusal;
    ///
    /// let r = Refusal { status: 409, code: Some("E2017"), message: "Data set is locked".into() };
    /// assert_eq!(
    ///     r.web_message_json(),
    ///     r#"{"httpStatus":"Conflict","httpStatusCode":409,"status":"ERROR","message":"Data set is locked","errorCode":"E2017"}"#
    /// );
    /// ```
    pub fn web_message_json(&self) -> String {
        let reason = match self.status {
            403 => "Forbidden",
            404 => "Not Found",
            _ => "Conflict",
        };
        let mut json = format!(
            r#"{{"httpStatus":"{reason}","httpStatusCode":{},"status":"ERROR","message":{}"#,
            self.status,
            serde_json::Value::String(self.message.clone())
        );
        if let Some(code) = self.code {
            json.push_str(&format!(r#","errorCode":"{code}""#));
        }
        json.push('}');
        json
    }
}

impl fmt::Display for Refusal {
    /// `E1100 Data element not found or not accessible: `x``, or the message alone.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.code {
            Some(code) => write!(f, "{code} {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

/// Why a single-value request failed: nothing was written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ValueError {
    /// DHIS2 refuses the request (see [`Refusal`]).
    #[error("{0}")]
    Refused(Refusal),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A file resource record in the store cannot be read.
    #[error(transparent)]
    BadRecord(#[from] BadRecord),
}

impl ValueError {
    /// DHIS2's refusal, when it is one.
    pub fn refusal(&self) -> Option<&Refusal> {
        match self {
            ValueError::Refused(r) => Some(r),
            _ => None,
        }
    }

    /// DHIS2's error code, when DHIS2 refused with one.
    pub fn code(&self) -> Option<&'static str> {
        self.refusal().and_then(|r| r.code)
    }
}

impl From<Refusal> for ValueError {
    fn from(r: Refusal) -> ValueError {
        ValueError::Refused(r)
    }
}

/// DHIS2's `ErrorCode` texts of the data value API (2.36–2.42), `{0}`… filled in order.
pub(crate) fn coded(code: &'static str, args: &[&str]) -> Refusal {
    let template = match code {
        "E1100" => "Data element not found or not accessible: `{0}`",
        "E1101" => "Period is invalid: `{0}`",
        "E1102" => "Organisation unit not found or not accessible: `{0}`",
        "E1103" => "Category option combo not found or not accessible: `{0}`",
        "E1104" => "Attribute option combo not found or not accessible: `{0}`",
        "E1105" => "Data set not found or not accessible: `{0}`",
        "E1110" => "Category combo not found or not accessible: `{0}`",
        "E1111" => "Category option not found or not accessible: `{0}`",
        "E2017" => "Data set is locked",
        "E2018" => "Category option combo is required but not specified",
        "E2019" => "Organisation unit is closed for the selected period: `{0}`",
        "E2020" => "Organisation unit is not in the hierarchy of the current user: `{0}`",
        "E2021" => "Data set: `{0}` does not contain data element: `{1}`",
        "E2022" => {
            "Period: `{0}` is after latest open future period: `{1}` for data element: `{2}`"
        }
        "E2023" => "Period: `{0}` is before start date: {1} for attribute option: `{2}`",
        "E2024" => "Period: `{0}` is after start date: {1} for attribute option: `{2}`",
        "E2025" => "Period: `{0}` is not open for data set: `{1}`",
        "E2026" => "File resource already assigned or linked to a data value",
        "E2027" => "File resource is invalid: `{0}`",
        "E2028" => "Comment is invalid: `{0}`",
        "E2029" => "Data value is not a valid option of the data element option set: `{0}`",
        "E2030" => "Data value must match data element value type: `{0}`",
        "E2031" => "User does not have write access to category option combo: `{0}`",
        "E2040" => "Both category combination and category options must be specified",
        "E2041" => {
            "Attribute option combo does not exist for given category combo and category options"
        }
        _ => "{0}",
    };
    let mut message = template.to_owned();
    for (i, arg) in args.iter().enumerate() {
        message = message.replace(&format!("{{{i}}}"), arg);
    }
    Refusal::coded(code, message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_fill_their_templates() {
        let r = coded("E2022", &["202612", "202401", "deCases0001"]);
        assert_eq!(
            r.to_string(),
            "E2022 Period: `202612` is after latest open future period: `202401` for data element: `deCases0001`"
        );
        assert_eq!(r.status, 409);
        let r = Refusal::conflict("Data value does not exist");
        assert_eq!(r.to_string(), "Data value does not exist");
        assert_eq!(
            r.web_message_json(),
            r#"{"httpStatus":"Conflict","httpStatusCode":409,"status":"ERROR","message":"Data value does not exist"}"#
        );
    }
}
