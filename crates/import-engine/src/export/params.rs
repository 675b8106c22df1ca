//! The export request: the parameters of `GET /api/dataValueSets` ([`ExportParams`]), its input
//! id schemes ([`InputIdSchemes`]), the order of DHIS2's checks ([`CheckOrder`]), the output id
//! schemes as the writers use them, and `lastUpdatedDuration` ([`parse_duration`]).

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use dxf2_model::{IdScheme, IdSchemes, ObjectKind, SchemeTarget};

use super::ExportError;

/// The input id schemes of an export request (`inputIdScheme`, `inputOrgUnitIdScheme`,
/// `inputDataElementIdScheme`, `inputDataSetIdScheme`, `inputDataElementGroupIdScheme`): how the
/// request names the objects it asks for. A specific scheme wins over the general one, which
/// wins over UID.
///
/// DHIS2 binds these as `IdentifiableProperty` enum names (no `ATTRIBUTE:<uid>` form); any
/// [`IdScheme`] is accepted here, `ATTRIBUTE:<uid>` included.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct InputIdSchemes {
    /// `inputIdScheme`: the general scheme (also used for org unit groups and attribute option
    /// combos).
    pub id_scheme: Option<IdScheme>,
    /// `inputOrgUnitIdScheme`.
    pub org_unit: Option<IdScheme>,
    /// `inputDataElementIdScheme`.
    pub data_element: Option<IdScheme>,
    /// `inputDataSetIdScheme`.
    pub data_set: Option<IdScheme>,
    /// `inputDataElementGroupIdScheme`.
    pub data_element_group: Option<IdScheme>,
}

impl InputIdSchemes {
    /// The scheme used to resolve objects of `kind`: the specific one, else the general one,
    /// else UID.
    pub fn effective(&self, kind: ObjectKind) -> &IdScheme {
        static UID: IdScheme = IdScheme::Uid;
        self.explicit(kind).unwrap_or(&UID)
    }

    /// The scheme the request gives for objects of `kind` (specific, else general), `None` when
    /// UID is only assumed (DHIS2 2.43+'s `inputUseCodeFallback` then also tries codes).
    pub fn explicit(&self, kind: ObjectKind) -> Option<&IdScheme> {
        let specific = match kind {
            ObjectKind::OrganisationUnit => self.org_unit.as_ref(),
            ObjectKind::DataElement => self.data_element.as_ref(),
            ObjectKind::DataSet => self.data_set.as_ref(),
            ObjectKind::DataElementGroup => self.data_element_group.as_ref(),
            _ => None,
        };
        specific.or(self.id_scheme.as_ref())
    }
}

/// An export request: the parameters of `GET /api/dataValueSets` (classic
/// `DataValueSetQueryParams`), with identifiers as the requester wrote them.
///
/// Unlike the URL binding of DHIS2 (which drops `startDate`/`endDate` when periods are given),
/// periods and dates are both kept, so that `E2003` is reported as DHIS2's service does.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ExportParams {
    /// `dataSet`: their data elements are exported.
    pub data_sets: Vec<String>,
    /// `dataElement`.
    pub data_elements: Vec<String>,
    /// `dataElementGroup`: their members are exported *instead of* the data sets' and the
    /// explicit data elements.
    pub data_element_groups: Vec<String>,
    /// `period`: ISO periods; strings that do not parse are dropped.
    pub periods: Vec<String>,
    /// `startDate`: with `endDate`, periods fully inside the range (any period type).
    pub start_date: Option<NaiveDate>,
    /// `endDate`.
    pub end_date: Option<NaiveDate>,
    /// `orgUnit`.
    pub org_units: Vec<String>,
    /// `children`: include the whole subtree of each org unit.
    pub children: bool,
    /// `orgUnitGroup`: values of the groups' members (resolved with `inputIdScheme`).
    pub org_unit_groups: Vec<String>,
    /// `attributeOptionCombo`: only these attribute option combos (resolved with
    /// `inputIdScheme`).
    pub attribute_option_combos: Vec<String>,
    /// `includeDeleted`: soft-deleted values too (written with `deleted` true).
    pub include_deleted: bool,
    /// `lastUpdated`: only values updated at or after this instant.
    pub last_updated: Option<DateTime<Utc>>,
    /// `lastUpdatedDuration` (`^(\d+)(d|h|m|s)$`, e.g. `10d`): only values updated within that
    /// long before now; ignored when `last_updated` is given.
    pub last_updated_duration: Option<String>,
    /// `limit`: at most this many values.
    pub limit: Option<i64>,
    /// The input id schemes.
    pub input_id_schemes: InputIdSchemes,
    /// The output id schemes (`idScheme`, `dataElementIdScheme`, `orgUnitIdScheme`,
    /// `categoryOptionComboIdScheme`, `attributeOptionComboIdScheme`, `dataSetIdScheme`): specific,
    /// else general, else UID. `UID`, `CODE`, `NAME` and `ATTRIBUTE:<uid>` are supported (2.43+
    /// also takes `ID` as UID, and writes `categoryIdScheme`/`categoryOptionIdScheme` in its
    /// header).
    pub output_id_schemes: IdSchemes,
    /// `inputUseCodeFallback` (2.43+ only; the classic export ignores it): when no input scheme is
    /// given for an object type, identifiers that are not UID-shaped are also looked up by code.
    pub input_use_code_fallback: bool,
}

/// Which of DHIS2's two groups of checks runs first in the classic export. Both are DHIS2's: they
/// differ only for a request that breaks a rule of each group. (2.43+ always checks the parameters
/// first, then access.)
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum CheckOrder {
    /// The service (`DataValueSetService.exportDataValueSet*`, what DHIS2's export tests call):
    /// access (`E2010`–`E2012`) first, then the parameter checks (`E2001`–`E2009`).
    #[default]
    Service,
    /// The web API (`GET /api/dataValueSets`): the controller runs the parameter checks before
    /// calling the service, so `E2001`–`E2009` come first, then access.
    WebApi,
}

/// The output id schemes, one per column, checked.
#[derive(Clone, Debug)]
pub(crate) struct OutputSchemes {
    pub(crate) data_element: IdScheme,
    pub(crate) org_unit: IdScheme,
    pub(crate) category_option_combo: IdScheme,
    pub(crate) attribute_option_combo: IdScheme,
    pub(crate) data_set: IdScheme,
}

impl OutputSchemes {
    /// The classic export's schemes: `ID` and `UUID` refused.
    pub(super) fn new(schemes: &IdSchemes) -> Result<OutputSchemes, ExportError> {
        OutputSchemes::with(schemes, false)
    }

    /// The effective schemes of `schemes`: `UID`, `CODE`, `NAME` and `ATTRIBUTE:<uid>`; `ID` is
    /// written as UID when `id_is_uid` (2.43+) and refused otherwise, like `UUID`.
    pub(crate) fn with(schemes: &IdSchemes, id_is_uid: bool) -> Result<OutputSchemes, ExportError> {
        let pick = |target: SchemeTarget| -> Result<IdScheme, ExportError> {
            let scheme = schemes.effective(target);
            match scheme {
                IdScheme::Id if id_is_uid => Ok(IdScheme::Uid),
                IdScheme::Id | IdScheme::Uuid => Err(ExportError::UnsupportedOutputScheme {
                    target: if schemes.specific(target).is_some() {
                        target.parameter_name()
                    } else {
                        "idScheme"
                    },
                    scheme: scheme.clone(),
                }),
                other => Ok(other.clone()),
            }
        };
        Ok(OutputSchemes {
            data_element: pick(SchemeTarget::DataElement)?,
            org_unit: pick(SchemeTarget::OrgUnit)?,
            category_option_combo: pick(SchemeTarget::CategoryOptionCombo)?,
            attribute_option_combo: pick(SchemeTarget::AttributeOptionCombo)?,
            data_set: pick(SchemeTarget::DataSet)?,
        })
    }
}

/// `DateUtils.getDuration`: `^(\d+)(d|h|m|s)$` (Java's `$` also matches before one final line
/// terminator). An amount too large for a Java `long` or for the clock is refused too.
pub fn parse_duration(text: &str) -> Option<TimeDelta> {
    let text = ["\r\n", "\n", "\r", "\u{85}", "\u{2028}", "\u{2029}"]
        .iter()
        .find_map(|t| text.strip_suffix(t))
        .unwrap_or(text);
    let unit = text.chars().last()?;
    let digits = text.get(..text.len().checked_sub(unit.len_utf8())?)?;
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let amount: i64 = digits.parse().ok()?;
    let seconds_per_unit: i64 = match unit {
        'd' => 86_400,
        'h' => 3_600,
        'm' => 60,
        's' => 1,
        _ => return None,
    };
    TimeDelta::try_seconds(amount.checked_mul(seconds_per_unit)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_follow_dhis2s_pattern() {
        assert_eq!(parse_duration("10d"), TimeDelta::try_days(10));
        assert_eq!(parse_duration("12h"), TimeDelta::try_hours(12));
        assert_eq!(parse_duration("5m"), TimeDelta::try_minutes(5));
        assert_eq!(parse_duration("30s"), TimeDelta::try_seconds(30));
        assert_eq!(parse_duration("0s"), TimeDelta::try_seconds(0));
        assert_eq!(parse_duration("10d\n"), TimeDelta::try_days(10));
        for bad in [
            "",
            "d",
            "10",
            "10D",
            "10w",
            "-1d",
            "+1d",
            " 10d",
            "10d ",
            "1.5h",
            "10dd",
            "١d",
            "99999999999999999999d",
            "9223372036854775807d",
        ] {
            assert_eq!(parse_duration(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn input_schemes_fall_back_to_general_then_uid() {
        let mut s = InputIdSchemes::default();
        assert_eq!(s.effective(ObjectKind::DataSet), &IdScheme::Uid);
        s.id_scheme = Some(IdScheme::Code);
        s.org_unit = Some(IdScheme::Name);
        assert_eq!(s.effective(ObjectKind::DataSet), &IdScheme::Code);
        assert_eq!(s.effective(ObjectKind::OrganisationUnit), &IdScheme::Name);
        assert_eq!(
            s.effective(ObjectKind::OrganisationUnitGroup),
            &IdScheme::Code
        );
    }

    #[test]
    fn id_and_uuid_output_schemes_are_refused() {
        let schemes = IdSchemes {
            data_element: Some(IdScheme::Id),
            ..IdSchemes::default()
        };
        let err = OutputSchemes::new(&schemes).unwrap_err();
        assert!(err.to_string().contains("dataElementIdScheme"), "{err}");
        let schemes = IdSchemes {
            id_scheme: Some(IdScheme::Uuid),
            ..IdSchemes::default()
        };
        let err = OutputSchemes::new(&schemes).unwrap_err();
        assert!(err.to_string().contains("idScheme"), "{err}");
    }
}
