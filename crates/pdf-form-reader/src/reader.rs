//! [`PdfFormReader`]: a filled DHIS2 data set form as a [`DataValueSource`], read exactly as
//! DHIS2's PDF import reads it (see the crate docs for the rules of each importer generation).

use std::io::Read;
use std::panic::{self, AssertUnwindSafe};

use dxf2_model::metadata::NaiveDate;
use dxf2_model::{DataValue, DataValueSetHeader, DataValueSource, Field, ImporterProfile, Period};
use lopdf::{Document, LoadOptions, Object};

use crate::acroform::{read_fields, FieldKind, FormField};
use crate::error::{Error, ErrorKind};
use crate::text::{decode_text_string, java_split_underscore, java_trim};
use crate::{
    DATA_FIELD_PREFIX, IMPORT_COMMENT, IMPORT_STORED_BY, INFO_DATA_SET_KEY, ORG_UNIT_FIELD,
    PERIOD_FIELD,
};

/// The default bound on the size of a PDF the reader takes: 256 MiB.
pub const DEFAULT_MAX_BYTES: u64 = 256 * 1024 * 1024;

/// How far into the file the `%PDF-` signature may start (as DHIS2's PDF library looks for it).
const HEADER_WINDOW: usize = 1024;

/// What to do with a data field nobody filled in: an empty (or blank) text or choice, or an
/// unticked check box.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum EmptyFields {
    /// Yield no value for it (the default). What is stored then is what DHIS2 2.43+ stores
    /// (it refuses every such value with `E8120`), and DHIS2 2.36–2.42's overwriting of stored
    /// values with comment-only values is avoided.
    #[default]
    Skip,
    /// Yield a value for every data field, as DHIS2 does: the classic importer (2.36–2.42)
    /// stores an empty field as a comment-only value (`Imported by PDF Data Entry Form`), which
    /// replaces a stored value; 2.43+ refuses it with `E8120 Value #i value is required`.
    Keep,
}

/// Options of a [`PdfFormReader`]: the importer generation whose reading to follow, what to do
/// with empty fields, the date stamped as `lastUpdated`, a password, a size bound.
///
/// ```
/// use dxf2_model::ImporterProfile;
/// use pdf_form_reader::{EmptyFields, ReaderBuilder};
///
/// let builder = ReaderBuilder::new()
///     .profile(ImporterProfile::Pipeline)
///     .empty_fields(EmptyFields::Keep)
///     .max_bytes(16 << 20);
/// assert!(builder.from_bytes(b"%PDF-1.7 but nothing else").is_err());
/// ```
#[derive(Clone, Debug)]
pub struct ReaderBuilder {
    profile: ImporterProfile,
    empty_fields: EmptyFields,
    today: Option<NaiveDate>,
    password: Option<String>,
    max_bytes: u64,
}

impl Default for ReaderBuilder {
    fn default() -> Self {
        ReaderBuilder::new()
    }
}

impl ReaderBuilder {
    /// The defaults: classic profile (DHIS2 2.36–2.42), empty fields skipped, today's date from
    /// the system clock, no password, [`DEFAULT_MAX_BYTES`].
    pub fn new() -> ReaderBuilder {
        ReaderBuilder {
            profile: ImporterProfile::Classic,
            empty_fields: EmptyFields::Skip,
            today: None,
            password: None,
            max_bytes: DEFAULT_MAX_BYTES,
        }
    }

    /// Reads as this importer generation does.
    pub fn profile(mut self, profile: ImporterProfile) -> ReaderBuilder {
        self.profile = profile;
        self
    }

    /// What to do with data fields nobody filled in.
    pub fn empty_fields(mut self, empty_fields: EmptyFields) -> ReaderBuilder {
        self.empty_fields = empty_fields;
        self
    }

    /// The date written as each value's `lastUpdated` by the classic profile (DHIS2 stamps the
    /// import day); the system clock's day (UTC) when not given.
    pub fn today(mut self, today: NaiveDate) -> ReaderBuilder {
        self.today = Some(today);
        self
    }

    /// The user password of an encrypted PDF (a PDF encrypted with an empty user password, as
    /// "protected" forms usually are, opens without one).
    pub fn password(mut self, password: impl Into<String>) -> ReaderBuilder {
        self.password = Some(password.into());
        self
    }

    /// The largest PDF taken, in bytes (a PDF is read whole: its cross-reference table is at
    /// its end).
    pub fn max_bytes(mut self, max_bytes: u64) -> ReaderBuilder {
        self.max_bytes = max_bytes;
        self
    }

    /// Opens a form read from `source` (read whole, up to the size bound).
    pub fn from_reader<R: Read>(&self, source: R) -> Result<PdfFormReader, Error> {
        let mut bytes = Vec::new();
        source
            .take(self.max_bytes.saturating_add(1))
            .read_to_end(&mut bytes)?;
        self.from_bytes(&bytes)
    }

    /// Opens a form held in memory. Every failure happens here, before any value is read.
    pub fn from_bytes(&self, bytes: &[u8]) -> Result<PdfFormReader, Error> {
        if u64::try_from(bytes.len()).map_or(true, |n| n > self.max_bytes) {
            return Err(ErrorKind::TooLarge {
                limit: self.max_bytes,
            }
            .into());
        }
        let window = bytes.get(..HEADER_WINDOW.min(bytes.len())).unwrap_or(bytes);
        if !window.windows(5).any(|w| w == b"%PDF-") {
            return Err(ErrorKind::NotPdf.into());
        }
        // lopdf reports what it finds wrong as errors; a panic inside it on some hostile input
        // must still not take the host program down, so it is turned into an error here.
        let opened = panic::catch_unwind(AssertUnwindSafe(|| self.open(bytes)));
        opened.unwrap_or_else(|_| Err(ErrorKind::ParserFailed.into()))
    }

    fn open(&self, bytes: &[u8]) -> Result<PdfFormReader, Error> {
        let options = LoadOptions {
            password: self.password.clone(),
            ..LoadOptions::default()
        };
        let password_given = self.password.is_some();
        let doc = match Document::load_mem_with_options(bytes, options) {
            Ok(doc) => doc,
            Err(lopdf::Error::InvalidPassword) => {
                return Err(ErrorKind::Encrypted { password_given }.into())
            }
            Err(e) => {
                return Err(ErrorKind::Damaged {
                    message: e.to_string(),
                }
                .into())
            }
        };
        if doc.is_encrypted() {
            return Err(ErrorKind::Encrypted { password_given }.into());
        }
        let fields = read_fields(&doc)?;
        let data_set_hint = info_entry(&doc, INFO_DATA_SET_KEY);
        PdfFormReader::new(self, fields, data_set_hint)
    }
}

/// One data field to hand on as a value.
#[derive(Clone, Debug)]
struct DataField {
    data_element: String,
    option_combo: String,
    /// `None`: DHIS2 2.36–2.42's `null` for an unticked check box.
    value: Option<String>,
}

/// A filled DHIS2 data set form (PDF), read as a data value set.
///
/// The whole form is read when it is opened ([`PdfFormReader::from_bytes`],
/// [`PdfFormReader::from_reader`], or a [`ReaderBuilder`] for options); then
/// [`read_value`](DataValueSource::read_value) yields one value per data field
/// `TXFDDV_<dataElement>_<categoryOptionCombo>[_T4]` in document order, which the import engine
/// takes like any other reader's values.
///
/// ```no_run
/// use dxf2_model::{DataValue, DataValueSource};
/// use pdf_form_reader::PdfFormReader;
///
/// let bytes = std::fs::read("filled-form.pdf")?;
/// let mut form = PdfFormReader::from_bytes(&bytes)?;
/// println!("org unit {}, period {}", form.org_unit(), form.period());
/// let mut value = DataValue::new();
/// while form.read_value(&mut value)? {
///     println!("{:?} = {:?}", value.data_element(), value.value());
/// }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug)]
pub struct PdfFormReader {
    header: DataValueSetHeader,
    fields: Vec<FormField>,
    values: Vec<DataField>,
    next: usize,
    profile: ImporterProfile,
    org_unit: String,
    period: String,
    last_updated: String,
    data_set_hint: Option<String>,
}

impl PdfFormReader {
    /// Opens a form held in memory with the default options (classic profile, empty fields
    /// skipped).
    pub fn from_bytes(bytes: &[u8]) -> Result<PdfFormReader, Error> {
        ReaderBuilder::new().from_bytes(bytes)
    }

    /// Opens a form read from `source` with the default options.
    pub fn from_reader<R: Read>(source: R) -> Result<PdfFormReader, Error> {
        ReaderBuilder::new().from_reader(source)
    }

    /// A builder, for options.
    pub fn builder() -> ReaderBuilder {
        ReaderBuilder::new()
    }

    fn new(
        options: &ReaderBuilder,
        fields: Vec<FormField>,
        data_set_hint: Option<String>,
    ) -> Result<PdfFormReader, Error> {
        let profile = options.profile;
        let text_of = |name: &'static str| {
            fields
                .iter()
                .find(|f| f.name == name)
                .map(|f| java_trim(&f.value).to_owned())
                .ok_or_else(|| Error::in_field(ErrorKind::MissingField { name }, name))
        };
        let org_unit = text_of(ORG_UNIT_FIELD)?;
        let mut period = text_of(PERIOD_FIELD)?;
        let mut header = DataValueSetHeader::default();
        match profile {
            ImporterProfile::Classic => {
                if period.is_empty() {
                    return Err(Error::in_field(ErrorKind::PeriodNotSpecified, PERIOD_FIELD));
                }
                if org_unit.is_empty() {
                    return Err(Error::in_field(
                        ErrorKind::OrgUnitNotSpecified,
                        ORG_UNIT_FIELD,
                    ));
                }
                match Period::parse(&period) {
                    Ok(p) => period = p.to_string(),
                    Err(_) => {
                        return Err(Error::in_field(
                            ErrorKind::InvalidPeriod { period },
                            PERIOD_FIELD,
                        ))
                    }
                }
            }
            ImporterProfile::Pipeline => {
                header.org_unit = Some(org_unit.clone());
                header.period = Some(period.clone());
            }
        }
        let mut values = Vec::new();
        for field in fields
            .iter()
            .filter(|f| f.name.starts_with(DATA_FIELD_PREFIX))
        {
            if let Some(value) = data_field(field, profile, options.empty_fields)? {
                values.push(value);
            }
        }
        let today = options.today.unwrap_or_else(system_today);
        Ok(PdfFormReader {
            header,
            fields,
            values,
            next: 0,
            profile,
            org_unit,
            period,
            last_updated: today.format("%Y-%m-%d").to_string(),
            data_set_hint,
        })
    }

    /// The org unit identifier typed into `TXFD_OrgID` (trimmed), as it will be resolved with
    /// the org unit id scheme.
    pub fn org_unit(&self) -> &str {
        &self.org_unit
    }

    /// The period chosen in `TXFD_PeriodID` (trimmed; with the classic profile, the ISO form
    /// DHIS2 writes, `2024W1` for `2024W01`).
    pub fn period(&self) -> &str {
        &self.period
    }

    /// The data set the form was made for, when a form written by this crate says so (in its
    /// document information, key `DHIS2DataSet`). DHIS2's own forms do not say it, and DHIS2
    /// does not read it: the header carries no data set, so that the import is DHIS2's; a host
    /// may pass it as the import's data set option.
    pub fn data_set_hint(&self) -> Option<&str> {
        self.data_set_hint.as_deref()
    }

    /// Every terminal field of the form (data fields, header fields, buttons), in document
    /// order, with the value DHIS2 reads from it.
    pub fn fields(&self) -> &[FormField] {
        &self.fields
    }

    /// How many values the form yields in all.
    pub fn value_count(&self) -> usize {
        self.values.len()
    }

    /// The importer generation whose reading is followed.
    pub fn profile(&self) -> ImporterProfile {
        self.profile
    }
}

impl DataValueSource for PdfFormReader {
    type Error = Error;

    /// Empty with the classic profile (DHIS2 2.36–2.42 gives each value its org unit and
    /// period); the org unit and period with 2.43+ (DHIS2's group level). Never a data set.
    fn header(&self) -> &DataValueSetHeader {
        &self.header
    }

    fn read_value(&mut self, record: &mut DataValue) -> Result<bool, Error> {
        record.clear();
        let Some(field) = self.values.get(self.next) else {
            return Ok(false);
        };
        self.next += 1;
        record.set(Field::DataElement, &field.data_element);
        record.set(Field::CategoryOptionCombo, &field.option_combo);
        if let Some(value) = &field.value {
            record.set(Field::Value, value);
        }
        if self.profile == ImporterProfile::Classic {
            record.set(Field::Period, &self.period);
            record.set(Field::OrgUnit, &self.org_unit);
            record.set(Field::StoredBy, IMPORT_STORED_BY);
            record.set(Field::LastUpdated, &self.last_updated);
            record.set(Field::Comment, IMPORT_COMMENT);
            record.set_followup(Some(false));
        }
        Ok(true)
    }
}

/// A `TXFDDV_` field as DHIS2 turns it into a value; `None` when it is skipped as empty.
fn data_field(
    field: &FormField,
    profile: ImporterProfile,
    empty_fields: EmptyFields,
) -> Result<Option<DataField>, Error> {
    let name = field.name.as_str();
    let bad = |reason: &'static str| {
        Error::in_field(
            ErrorKind::BadFieldName {
                name: name.to_owned(),
                reason,
            },
            name,
        )
    };
    let parts = java_split_underscore(name);
    let (Some(de), Some(coc)) = (parts.get(1), parts.get(2)) else {
        return Err(bad(
            "does not split into TXFDDV_<dataElement>_<categoryOptionCombo>",
        ));
    };
    let raw = field.value.as_str();
    let mut check_box = false;
    let value = match profile {
        ImporterProfile::Classic => {
            // `PdfDataEntryFormUtil.fieldValueFormat`: exactly four parts, the fourth `T<int>`.
            match (parts.len(), parts.get(3)) {
                (4, Some(suffix)) => {
                    let Some(kind) = suffix.strip_prefix('T') else {
                        if suffix.is_empty() {
                            return Err(bad("has an empty type suffix"));
                        }
                        return Ok(keep(de, coc, Some(raw), empty_fields, false));
                    };
                    let kind: i32 = kind
                        .parse()
                        .map_err(|_| bad("has a type suffix that is not T<number>"))?;
                    if kind == 4 {
                        check_box = true;
                        match raw {
                            "On" => Some("true"),
                            "Off" => None,
                            other => Some(other),
                        }
                    } else {
                        Some(raw)
                    }
                }
                _ => Some(raw),
            }
        }
        ImporterProfile::Pipeline => {
            if parts.len() >= 4 && parts.get(3).is_some_and(|s| s.starts_with("T4")) {
                check_box = true;
                if raw.eq_ignore_ascii_case("On") {
                    Some("true")
                } else if raw.eq_ignore_ascii_case("Off") {
                    Some("false")
                } else {
                    Some(raw)
                }
            } else {
                Some(raw)
            }
        }
    };
    let unticked = check_box
        && (raw.eq_ignore_ascii_case("Off")
            || (field.kind == FieldKind::CheckBox && raw.is_empty()));
    Ok(keep(de, coc, value, empty_fields, unticked))
}

/// The value, unless it is empty (or an unticked box) and empty fields are skipped.
fn keep(
    de: &str,
    coc: &str,
    value: Option<&str>,
    empty_fields: EmptyFields,
    unticked: bool,
) -> Option<DataField> {
    let empty = unticked || value.is_none_or(|v| java_trim(v).is_empty());
    if empty && empty_fields == EmptyFields::Skip {
        return None;
    }
    Some(DataField {
        data_element: de.to_owned(),
        option_combo: coc.to_owned(),
        value: value.map(str::to_owned),
    })
}

/// A text entry of the document information dictionary.
fn info_entry(doc: &Document, key: &str) -> Option<String> {
    let info = doc.trailer.get(b"Info").ok()?;
    let info = doc.dereference(info).ok()?.1.as_dict().ok()?;
    match doc.dereference(info.get(key.as_bytes()).ok()?).ok()?.1 {
        Object::String(bytes, _) => Some(decode_text_string(bytes)),
        _ => None,
    }
}

/// Today (UTC) from the system clock.
fn system_today() -> NaiveDate {
    chrono::Utc::now().date_naive()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn field(name: &str, kind: FieldKind, value: &str) -> FormField {
        FormField {
            name: name.into(),
            kind,
            value: value.into(),
        }
    }

    fn value(
        f: &FormField,
        profile: ImporterProfile,
        empty: EmptyFields,
    ) -> Option<Option<String>> {
        data_field(f, profile, empty).unwrap().map(|d| d.value)
    }

    #[test]
    fn check_boxes_follow_each_generation() {
        let on = field(
            "TXFDDV_deUid000001_cocUid00001_T4",
            FieldKind::CheckBox,
            "On",
        );
        let off = field(
            "TXFDDV_deUid000001_cocUid00001_T4",
            FieldKind::CheckBox,
            "Off",
        );
        let lower = field(
            "TXFDDV_deUid000001_cocUid00001_T4",
            FieldKind::CheckBox,
            "on",
        );
        use EmptyFields::*;
        use ImporterProfile::*;
        assert_eq!(value(&on, Classic, Skip), Some(Some("true".into())));
        assert_eq!(value(&on, Pipeline, Skip), Some(Some("true".into())));
        assert_eq!(value(&off, Classic, Keep), Some(None));
        assert_eq!(value(&off, Pipeline, Keep), Some(Some("false".into())));
        assert_eq!(value(&off, Classic, Skip), None);
        assert_eq!(value(&off, Pipeline, Skip), None);
        // Case: only 2.43+ ignores it.
        assert_eq!(value(&lower, Classic, Skip), Some(Some("on".into())));
        assert_eq!(value(&lower, Pipeline, Skip), Some(Some("true".into())));
    }

    #[test]
    fn type_suffixes_are_read_as_dhis2_reads_them() {
        use ImporterProfile::*;
        let t45 = field("TXFDDV_a_b_T45", FieldKind::CheckBox, "On");
        assert_eq!(
            value(&t45, Classic, EmptyFields::Skip),
            Some(Some("On".into()))
        );
        assert_eq!(
            value(&t45, Pipeline, EmptyFields::Skip),
            Some(Some("true".into()))
        );
        let five = field("TXFDDV_a_b_T4_x", FieldKind::CheckBox, "On");
        assert_eq!(
            value(&five, Classic, EmptyFields::Skip),
            Some(Some("On".into()))
        );
        let other = field("TXFDDV_a_b_X", FieldKind::Text, "On");
        assert_eq!(
            value(&other, Classic, EmptyFields::Skip),
            Some(Some("On".into()))
        );
        let bad = field("TXFDDV_a_b_Tx", FieldKind::Text, "1");
        let err = data_field(&bad, Classic, EmptyFields::Skip).unwrap_err();
        assert_eq!(err.field(), Some("TXFDDV_a_b_Tx"));
        assert!(data_field(&bad, Pipeline, EmptyFields::Skip).is_ok());
        let short = field("TXFDDV_abc", FieldKind::Text, "1");
        let err = data_field(&short, Pipeline, EmptyFields::Skip).unwrap_err();
        assert!(err.to_string().contains("TXFDDV_abc"), "{err}");
    }

    #[test]
    fn blank_fields_are_skipped_or_kept() {
        let blank = field("TXFDDV_a_b", FieldKind::Text, " ");
        assert_eq!(
            value(&blank, ImporterProfile::Classic, EmptyFields::Skip),
            None
        );
        assert_eq!(
            value(&blank, ImporterProfile::Classic, EmptyFields::Keep),
            Some(Some(" ".into()))
        );
    }

    #[test]
    fn the_system_day_is_after_2024() {
        assert!(system_today() > NaiveDate::from_ymd_opt(2024, 1, 1).unwrap());
    }
}
