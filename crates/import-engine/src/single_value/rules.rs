//! DHIS2 2.36–2.42's checks of a single-value request (`DataValidator`, `InputUtils`,
//! `DataValueController`), one function per check, each answering with DHIS2's refusal.

use chrono::{Duration, NaiveDate};
use dxf2_model::metadata::{CategoryOptionCombo, DataElement, DataSet, OrganisationUnit};
use dxf2_model::{Period, Uid, ValueType};

use super::error::{coded, Refusal, ValueError};
use super::{DataValues, ValueChange, ValueParams};
use crate::store::{DataValueKey, DataValueStore};

/// DHIS2's authority to enter data into expired periods.
const EDIT_EXPIRED: &str = "F_EDIT_EXPIRED";

/// The longest comment DHIS2 takes (`ValidationUtils.VALUE_MAX_LENGTH`, in UTF-16 units).
const COMMENT_MAX_LENGTH: usize = 50_000;

/// The key of a request, resolved.
#[derive(Clone, Copy, Debug)]
pub(super) struct Key<'m> {
    pub de: &'m DataElement,
    pub coc: &'m CategoryOptionCombo,
    pub aoc: &'m CategoryOptionCombo,
    pub period: Period,
    pub ou: &'m OrganisationUnit,
}

impl Key<'_> {
    /// The store key.
    pub fn store_key(&self) -> DataValueKey {
        DataValueKey {
            data_element: self.de.id.uid,
            period: self.period,
            org_unit: self.ou.id.uid,
            category_option_combo: self.coc.id.uid,
            attribute_option_combo: self.aoc.id.uid,
        }
    }
}

/// What a request is for: the checks differ per operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Purpose {
    /// `POST /api/dataValues` (and `/file`).
    Save,
    /// `DELETE /api/dataValues`.
    Delete,
    /// `GET /api/dataValues`.
    Read,
    /// `GET /api/dataValues/files`.
    ReadFile,
}

impl<'m> DataValues<'m> {
    /// `getAndValidateDataElement`: by UID, `E1100`.
    pub(super) fn data_element(&self, text: &str) -> Result<&'m DataElement, Refusal> {
        Uid::parse(text)
            .ok()
            .and_then(|uid| self.metadata().data_element(&uid))
            .ok_or_else(|| coded("E1100", &[text]))
    }

    /// The key of `params`, with DHIS2's checks in DHIS2's order for `purpose`: data element,
    /// option combo (default when absent; `E2018` when required, `E1103` when unknown),
    /// attribute option combo (`E2040`, `E1110`, `E1111`, `E2041`), period (`E1101`), org unit
    /// (`E1102`, `E2020` outside the user's hierarchy) and, for saving and reading files, the
    /// org unit's opening and closing dates (`E2019`).
    pub(super) fn key(&self, params: &ValueParams, purpose: Purpose) -> Result<Key<'m>, Refusal> {
        let de = self.data_element(&params.data_element)?;
        if purpose == Purpose::ReadFile && !de.value_type.is_file() {
            return Err(Refusal::conflict("DataElement must be of type file"));
        }
        let require = purpose == Purpose::Save && self.settings.require_category_option_combo;
        let coc = self.option_combo(params.category_option_combo.as_deref(), require)?;
        let aoc = self.attribute_option_combo(
            params.attribute_combo.as_deref(),
            params.attribute_options.as_deref(),
        )?;
        let period =
            Period::parse(&params.period).map_err(|_| coded("E1101", &[params.period.as_str()]))?;
        let ou = Uid::parse(&params.org_unit)
            .ok()
            .and_then(|uid| self.metadata().org_unit(&uid))
            .ok_or_else(|| coded("E1102", &[params.org_unit.as_str()]))?;
        if !self.access.in_capture_hierarchy(ou) {
            return Err(coded("E2020", &[params.org_unit.as_str()]));
        }
        if matches!(purpose, Purpose::Save | Purpose::ReadFile) {
            let closed = ou.closed_date.is_some_and(|d| d < period.start_date());
            let not_open = ou.opening_date.is_some_and(|d| d > period.end_date());
            if closed || not_open {
                return Err(coded("E2019", &[ou.id.uid.as_str()]));
            }
        }
        Ok(Key {
            de,
            coc,
            aoc,
            period,
            ou,
        })
    }

    /// `getAndValidateCategoryOptionCombo`.
    fn option_combo(
        &self,
        text: Option<&str>,
        require: bool,
    ) -> Result<&'m CategoryOptionCombo, Refusal> {
        let found = text
            .and_then(|t| Uid::parse(t).ok())
            .and_then(|uid| self.metadata().category_option_combo(&uid));
        match (found, text) {
            (Some(coc), _) => Ok(coc),
            (None, _) if require => Err(coded("E2018", &[])),
            (None, Some(t)) => Err(coded("E1103", &[t])),
            (None, None) => self.default_combo(),
        }
    }

    fn default_combo(&self) -> Result<&'m CategoryOptionCombo, Refusal> {
        self.metadata()
            .default_category_option_combo()
            .ok_or_else(|| Refusal::conflict("the metadata has no default category option combo"))
    }

    /// `InputUtils.getAttributeOptionCombo(cc, cp, false)`: `cc` and `cp` only together
    /// (`E2040`); the category combo by UID (`E1110`); each option of `cp` (split at `;`) by
    /// UID (`E1111`); the one option combo of the category combo holding every option
    /// (`E2041` when none, or several, do); neither: the default combo.
    fn attribute_option_combo(
        &self,
        cc: Option<&str>,
        cp: Option<&str>,
    ) -> Result<&'m CategoryOptionCombo, Refusal> {
        let md = self.metadata();
        let (cc, cp) = match (cc, cp) {
            (None, None) => return self.default_combo(),
            (Some(cc), Some(cp)) => (cc, cp),
            _ => return Err(coded("E2040", &[])),
        };
        let combo = Uid::parse(cc)
            .ok()
            .and_then(|uid| md.category_combo(&uid))
            .ok_or_else(|| coded("E1110", &[cc]))?;
        let mut options: Vec<Uid> = Vec::new();
        for text in cp.split(';') {
            let option = Uid::parse(text)
                .ok()
                .and_then(|uid| md.category_option(&uid))
                .ok_or_else(|| coded("E1111", &[text]))?;
            if !options.contains(&option.id.uid) {
                options.push(option.id.uid);
            }
        }
        let mut matching = md
            .category_option_combos()
            .iter()
            .filter(|c| c.category_combo == combo.id.uid)
            .filter(|c| options.iter().all(|o| c.options.contains(o)));
        match (matching.next(), matching.next()) {
            (Some(aoc), None) => Ok(aoc),
            _ => Err(coded("E2041", &[])),
        }
    }

    /// `getAndValidateOptionalDataSet`: by UID (`E1105`), and it must hold the element
    /// (`E2021`).
    pub(super) fn data_set(
        &self,
        text: Option<&str>,
        de: &DataElement,
    ) -> Result<Option<&'m DataSet>, Refusal> {
        let Some(text) = text else {
            return Ok(None);
        };
        let ds = Uid::parse(text)
            .ok()
            .and_then(|uid| self.metadata().data_set(&uid))
            .ok_or_else(|| coded("E1105", &[text]))?;
        if !ds.elements.iter().any(|e| e.data_element == de.id.uid) {
            return Err(coded("E2021", &[text, de.id.uid.as_str()]));
        }
        Ok(Some(ds))
    }

    /// The checks of a save between the key and the locks, in DHIS2's order: the latest open
    /// future period (`E2022`), the attribute options' dates (`E2023`, `E2024`), the value
    /// (`E2030`, after boolean normalisation, which is returned), the comment (`E2028`), the
    /// option set (`E2029`), data write on both option combos (`E2031`), and the strict system
    /// settings (DHIS2's conflicts without a code).
    pub(super) fn check_save(
        &self,
        key: &Key<'m>,
        ds: Option<&DataSet>,
        change: &ValueChange,
    ) -> Result<Option<String>, Refusal> {
        let de = key.de;
        self.check_future_period(key)?;
        self.check_attribute_dates(key, ds)?;
        let value = change
            .value
            .as_deref()
            .map(|v| de.value_type.normalize_boolean_classic(v).into_owned());
        if de
            .value_type
            .validate(value.as_deref(), de.option_set.is_some())
            .is_err()
        {
            return Err(coded("E2030", &[de.value_type.name()]));
        }
        if change
            .comment
            .as_deref()
            .is_some_and(|c| c.encode_utf16().nth(COMMENT_MAX_LENGTH).is_some())
        {
            return Err(coded("E2028", &["comment_length_greater_than_max_length"]));
        }
        if let (Some(v), Some(set)) = (value.as_deref().filter(|v| !v.is_empty()), de.option_set) {
            let valid = if de.value_type == ValueType::MultiText {
                v.split(',')
                    .all(|code| self.index.is_option_code(&set, code))
            } else {
                self.index.is_option_code(&set, v)
            };
            if !valid {
                return Err(coded("E2029", &[de.id.uid.as_str()]));
            }
        }
        self.check_write_access(key.coc)?;
        self.check_write_access(key.aoc)?;
        self.check_strict_settings(key)?;
        Ok(value)
    }

    /// `validateInvalidFuturePeriod`: the element's period type is that of its most frequent
    /// data set, its open future periods the most of any of its data sets.
    fn check_future_period(&self, key: &Key<'m>) -> Result<(), Refusal> {
        let sets = self.index.data_sets_of_element(&key.de.id.uid);
        let Some(most_frequent) = sets
            .iter()
            .min_by_key(|ds| ds.period_type.frequency_order())
        else {
            return Ok(());
        };
        let open = sets
            .iter()
            .map(|ds| ds.open_future_periods)
            .max()
            .unwrap_or(0);
        let Some(latest) = most_frequent.period_type.future_period(self.today(), open) else {
            return Ok(());
        };
        if key.period.end_date() > latest.end_date() {
            return Err(coded(
                "E2022",
                &[
                    &key.period.to_string(),
                    &latest.to_string(),
                    key.de.id.uid.as_str(),
                ],
            ));
        }
        Ok(())
    }

    /// `validateAttributeOptionCombo`: every option of the attribute option combo must have
    /// started by the period's end (`E2023`) and not ended, its end date moved on by the data
    /// set's (or, without one, the element's data sets' latest) `openPeriodsAfterCoEndDate`,
    /// before the period's start (`E2024`).
    fn check_attribute_dates(&self, key: &Key<'m>, ds: Option<&DataSet>) -> Result<(), Refusal> {
        let md = self.metadata();
        for option in key.aoc.options.iter().filter_map(|o| md.category_option(o)) {
            if let Some(start) = option.start_date {
                if key.period.end_date() < start {
                    return Err(coded(
                        "E2023",
                        &[
                            &key.period.to_string(),
                            &start.to_string(),
                            option.id.uid.as_str(),
                        ],
                    ));
                }
            }
            let Some(end) = option.end_date else {
                continue;
            };
            let adjusted = match ds {
                Some(ds) => adjusted_end(end, ds),
                None => self
                    .index
                    .data_sets_of_element(&key.de.id.uid)
                    .iter()
                    .map(|ds| adjusted_end(end, ds))
                    .fold(end, NaiveDate::max),
            };
            if key.period.start_date() > adjusted {
                return Err(coded(
                    "E2024",
                    &[
                        &key.period.to_string(),
                        &adjusted.to_string(),
                        option.id.uid.as_str(),
                    ],
                ));
            }
        }
        Ok(())
    }

    /// `checkCategoryOptionComboAccess`: data write sharing on every option (`E2031`).
    fn check_write_access(&self, combo: &CategoryOptionCombo) -> Result<(), Refusal> {
        if self.access.is_superuser() {
            return Ok(());
        }
        let md = self.metadata();
        let errors: Vec<String> = combo
            .options
            .iter()
            .filter_map(|o| md.category_option(o))
            .filter(|o| !self.access.can_write_category_option(o))
            .map(|o| {
                format!(
                    "User has no data write access for CategoryOption: {}",
                    o.id.uid
                )
            })
            .collect();
        if errors.is_empty() {
            return Ok(());
        }
        let arg = format!("{} [{}]", combo.id.uid, errors.join(", "));
        Err(coded("E2031", &[&arg]))
    }

    /// `AggregateAccessManager.canRead(user, dataValue)`: data read sharing on every option of
    /// both option combos (403, the list of refusals).
    pub(super) fn check_read_access(&self, key: &Key<'m>) -> Result<(), Refusal> {
        if self.access.is_superuser() {
            return Ok(());
        }
        let md = self.metadata();
        let mut errors: Vec<String> = key
            .coc
            .options
            .iter()
            .chain(&key.aoc.options)
            .filter_map(|o| md.category_option(o))
            .filter(|o| !self.access.can_read_category_option(o))
            .map(|o| {
                format!(
                    "User has no data read access for CategoryOption: {}",
                    o.id.uid
                )
            })
            .collect();
        errors.sort();
        errors.dedup();
        if errors.is_empty() {
            return Ok(());
        }
        Err(Refusal {
            status: 403,
            code: None,
            message: format!("[{}]", errors.join(", ")),
        })
    }

    /// The system settings that add checks to a save: strict periods, option combos and org
    /// units (DHIS2's conflicts without a code).
    fn check_strict_settings(&self, key: &Key<'m>) -> Result<(), Refusal> {
        let de = key.de;
        let sets = self.index.data_sets_of_element(&de.id.uid);
        if self.settings.strict_periods
            && !sets
                .iter()
                .any(|ds| ds.period_type == key.period.period_type())
        {
            return Err(Refusal::conflict(format!(
                "Period type of period: {} not valid for data element: {}",
                key.period, de.id.uid
            )));
        }
        if self.settings.strict_category_option_combos
            && !self
                .index
                .element_combos(de)
                .any(|cc| self.index.combo_has_option_combo(&cc, &key.coc.id.uid))
        {
            return Err(Refusal::conflict(format!(
                "Category option combo: {} must be part of category combo of data element: {}",
                key.coc.id.uid, de.id.uid
            )));
        }
        if self.settings.strict_organisation_units
            && !self
                .index
                .data_sets_of_org_unit(&key.ou.id.uid)
                .iter()
                .any(|ds| ds.elements.iter().any(|e| e.data_element == de.id.uid))
        {
            return Err(Refusal::conflict(format!(
                "Data element: {} must be assigned through data sets to organisation unit: {}",
                de.id.uid, key.ou.id.uid
            )));
        }
        Ok(())
    }

    /// `validateDataSetNotLocked` (skipped when a superuser forces): with a data set, its
    /// expiry days (`DataSet.isLocked`, unless a lock exception exists); without one, the
    /// element's (`DataElement.isExpired`: none when any of its data sets has none, else the
    /// most, unless a lock exception exists for any of its data sets); `E2017`. No approvals
    /// are kept offline, so nothing is ever approved.
    pub(super) fn check_locked(
        &self,
        store: &mut dyn DataValueStore,
        key: &Key<'m>,
        ds: Option<&DataSet>,
        force: bool,
    ) -> Result<(), ValueError> {
        if force && self.access.is_superuser() {
            return Ok(());
        }
        if self.access.has_authority(EDIT_EXPIRED) {
            return Ok(());
        }
        let (period, ou) = (&key.period, &key.ou.id.uid);
        let locked = match ds {
            Some(ds) => {
                let deadline = period
                    .end_date()
                    .checked_add_signed(Duration::days(1 + ds.expiry_days))
                    .and_then(|d| d.and_hms_opt(0, 0, 0));
                ds.expiry_days > 0
                    && deadline.is_some_and(|d| self.now.naive_utc() > d)
                    && !store.has_lock_exception(&ds.id.uid, period, ou)?
            }
            None => {
                let sets = self.index.data_sets_of_element(&key.de.id.uid);
                let expiry = if sets.is_empty() || sets.iter().any(|ds| ds.expiry_days <= 0) {
                    None
                } else {
                    sets.iter().map(|ds| ds.expiry_days).max()
                };
                let expired = expiry.is_some_and(|days| {
                    period
                        .end_date()
                        .checked_add_signed(Duration::days(days))
                        .is_some_and(|last| self.today() > last)
                });
                let mut exception = false;
                if expired {
                    for ds in sets {
                        exception =
                            exception || store.has_lock_exception(&ds.id.uid, period, ou)?;
                    }
                }
                expired && !exception
            }
        };
        if locked {
            return Err(coded("E2017", &[]).into());
        }
        Ok(())
    }

    /// `validateDataInputPeriodForDataElementAndPeriod`: the data set's (or, without one, any of
    /// the element's data sets') data input periods must let data in for the period now
    /// (`E2025`). (Without a data set DHIS2 fails here with a `NullPointerException` building
    /// the message; the message names the element's data sets instead.)
    pub(super) fn check_input_period(
        &self,
        key: &Key<'m>,
        ds: Option<&DataSet>,
    ) -> Result<(), Refusal> {
        let now = self.now.naive_utc();
        let allows = |ds: &DataSet| {
            ds.data_input_periods.is_empty()
                || ds.data_input_periods.iter().any(|p| {
                    p.period == key.period
                        && p.opening_date.is_none_or(|o| now >= o)
                        && p.closing_date.is_none_or(|c| now <= c)
                })
        };
        let (open, named) = match ds {
            Some(ds) => (allows(ds), ds.id.uid.to_string()),
            None => {
                let sets = self.index.data_sets_of_element(&key.de.id.uid);
                let open = sets.is_empty() || sets.iter().any(|ds| allows(ds));
                let named: Vec<&str> = sets.iter().map(|ds| ds.id.uid.as_str()).collect();
                (open, named.join(","))
            }
        };
        if open {
            Ok(())
        } else {
            Err(coded("E2025", &[&key.period.to_string(), &named]))
        }
    }

    /// `DataValueService.dataValueIsZeroAndInsignificant`.
    pub(super) fn is_insignificant_zero(&self, de: &DataElement, value: Option<&str>) -> bool {
        value.is_some_and(|v| de.value_type.is_zero_insignificant_candidate(v))
            && !de.zero_is_significant
            && !matches!(
                de.aggregation_type.as_str(),
                "AVERAGE_SUM_ORG_UNIT" | "AVERAGE"
            )
    }

    fn today(&self) -> NaiveDate {
        self.now.date_naive()
    }
}

/// `CategoryOption.getAdjustedEndDate(dataSet)`: the end date moved on by the data set's
/// `openPeriodsAfterCoEndDate` periods (to the end of the period that many after the one
/// holding it, as the importer's check computes it).
fn adjusted_end(end: NaiveDate, ds: &DataSet) -> NaiveDate {
    let n = ds.open_periods_after_co_end_date;
    if n <= 0 {
        return end;
    }
    ds.period_type
        .period_containing(end)
        .and_then(|p| p.offset(n))
        .map_or(end, |p| p.end_date())
}

/// Java's `StringUtils.trimToNull`.
pub(super) fn trim_to_null(text: Option<&str>) -> Option<String> {
    text.map(|t| t.trim_matches(|c: char| c <= ' '))
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
}
