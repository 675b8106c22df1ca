//! The data value set writer: DHIS2's classic `JsonDataValueSetWriter` byte for byte, or DHIS2
//! 2.43+'s `DataExportOutput.toJson`.

use std::io::{self, Write};

use dxf2_model::{
    DataValue, DataValueSetHeader, DataValueSink, DeletionScope, Field, ImporterProfile,
    SchemeTarget,
};

use crate::error::{Error, ErrorKind, Result};

const HEX: &[u8; 16] = b"0123456789ABCDEF";

/// Writes `s` as a JSON string the way Jackson escapes it: `"` and `\` escaped, control
/// characters as `\b \t \n \f \r` or `\u00XX` (upper-case hex), everything else as is.
pub(crate) fn write_str<W: Write + ?Sized>(w: &mut W, s: &str) -> io::Result<()> {
    w.write_all(b"\"")?;
    let bytes = s.as_bytes();
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let short: &[u8] = match b {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            0x08 => b"\\b",
            b'\t' => b"\\t",
            b'\n' => b"\\n",
            0x0C => b"\\f",
            b'\r' => b"\\r",
            0x00..=0x1F => b"",
            _ => continue,
        };
        w.write_all(bytes.get(start..i).unwrap_or_default())?;
        if short.is_empty() {
            let hi = HEX.get(usize::from(b >> 4)).copied().unwrap_or(b'0');
            let lo = HEX.get(usize::from(b & 0x0F)).copied().unwrap_or(b'0');
            w.write_all(&[b'\\', b'u', b'0', b'0', hi, lo])?;
        } else {
            w.write_all(short)?;
        }
        start = i + 1;
    }
    w.write_all(bytes.get(start..).unwrap_or_default())?;
    w.write_all(b"\"")
}

/// Writes a text or `null`.
pub(crate) fn write_opt_str<W: Write + ?Sized>(w: &mut W, s: Option<&str>) -> io::Result<()> {
    match s {
        Some(s) => write_str(w, s),
        None => w.write_all(b"null"),
    }
}

/// Writes `"name":`, preceded by a comma unless it is the first member.
pub(crate) fn write_key<W: Write + ?Sized>(
    w: &mut W,
    first: &mut bool,
    name: &str,
) -> io::Result<()> {
    if !std::mem::take(first) {
        w.write_all(b",")?;
    }
    write_str(w, name)?;
    w.write_all(b":")
}

fn write_bool<W: Write + ?Sized>(w: &mut W, b: bool) -> io::Result<()> {
    w.write_all(if b { b"true" } else { b"false" })
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum WriterState {
    New,
    Values { first: bool },
    Finished,
}

/// Writes a data value set exactly as DHIS2's classic `JsonDataValueSetWriter` (2.40–2.42):
/// one line, no spaces.
///
/// * Header form `{"dataSet":…,"completeDate":…,"period":…,"orgUnit":…,"dataValues":[…]}` when
///   the header has any of those four (the others written as `null`), else `{"dataValues":[…]}`.
/// * Our addition, for lossless conversion, only when present and placed before
///   `dataValues`: `attributeOptionCombo`, `attributeCategoryOptions`, the id scheme keys
///   (`idScheme`, `dataElementIdScheme`, `orgUnitIdScheme`, `categoryOptionComboIdScheme`,
///   `attributeOptionComboIdScheme`, `dataSetIdScheme`, `categoryIdScheme`,
///   `categoryOptionIdScheme`), `dryRun`, `strategy`.
/// * Each value: `dataElement`, `period`, `orgUnit`, `categoryOptionCombo`,
///   `attributeOptionCombo`, `value`, `storedBy`, `created`, `lastUpdated`, `comment` (absent
///   texts as `null`), `followup` (a boolean; unknown is `false`), then `"deleted":true` only
///   for deleted values.
///
/// With [`ImporterProfile::Pipeline`] ([`Writer::with_profile`]) it writes what DHIS2 2.43+'s
/// `DataExportOutput.toJson` writes instead (one line, no spaces, absent keys omitted rather than
/// `null`):
///
/// * set keys `dataSet`, `period`, `orgUnit`, `attributeOptionCombo` (a string, or the object of
///   category → category option pairs of
///   [`attribute_option_combo_options`](DataValueSetHeader::attribute_option_combo_options)),
///   `dataSetIdScheme`, `dataElementIdScheme`, `orgUnitIdScheme`,
///   `categoryOptionComboIdScheme`, `attributeOptionComboIdScheme`, `categoryIdScheme`,
///   `categoryOptionIdScheme`, `deletion` (`orgUnits`, `periods`, `elements`), each when
///   present; then our additions for lossless conversion when present: `completeDate`,
///   `attributeCategoryOptions`, `idScheme`, `dryRun`, `strategy`; then `dataValues`;
/// * each value: `dataElement`, `period`, `orgUnit`, `categoryOptionCombo` (a string, or the
///   object of the value's category options), `attributeOptionCombo`, `value`, `storedBy`,
///   `created`, `lastUpdated`, `comment` when present, `followup` when known, `"deleted":true`
///   only for deleted values. (A `null` option in a category → option object is written as
///   `null`; DHIS2's own export never has one.)
///
/// Every write goes straight to `W`: give it a [`std::io::BufWriter`] when `W` is a file or a
/// socket. Nothing is allocated per value.
///
/// ```
/// use dxf2_json::Writer;
/// use dxf2_model::{DataValue, DataValueSetHeader, DataValueSink, Field};
///
/// let mut w = Writer::new(Vec::new());
/// let header = DataValueSetHeader { period: Some("202401".into()), ..Default::default() };
/// w.begin(&header).unwrap();
/// w.write_value(&DataValue::from_fields(&[(Field::DataElement, "f7n9E0hX8qk"), (Field::Value, "5")])).unwrap();
/// w.finish().unwrap();
/// assert_eq!(
///     String::from_utf8(w.into_inner()).unwrap(),
///     r#"{"dataSet":null,"completeDate":null,"period":"202401","orgUnit":null,"dataValues":[{"dataElement":"f7n9E0hX8qk","period":null,"orgUnit":null,"categoryOptionCombo":null,"attributeOptionCombo":null,"value":"5","storedBy":null,"created":null,"lastUpdated":null,"comment":null,"followup":false}]}"#
/// );
/// ```
pub struct Writer<W: Write> {
    w: W,
    profile: ImporterProfile,
    state: WriterState,
}

impl<W: Write> Writer<W> {
    /// A writer of DHIS2's classic export into `w`.
    pub fn new(w: W) -> Writer<W> {
        Writer::with_profile(w, ImporterProfile::Classic)
    }

    /// A writer of DHIS2 `profile`'s export into `w` (see the type docs).
    pub fn with_profile(w: W, profile: ImporterProfile) -> Writer<W> {
        Writer {
            w,
            profile,
            state: WriterState::New,
        }
    }

    /// The underlying writer.
    pub fn get_ref(&self) -> &W {
        &self.w
    }

    /// The underlying writer, mutably (writing to it directly breaks the document).
    pub fn get_mut(&mut self) -> &mut W {
        &mut self.w
    }

    /// The underlying writer.
    pub fn into_inner(self) -> W {
        self.w
    }

    fn write_header(&mut self, h: &DataValueSetHeader) -> io::Result<()> {
        let w = &mut self.w;
        w.write_all(b"{")?;
        let mut first = true;
        if h.data_set.is_some()
            || h.complete_date.is_some()
            || h.period.is_some()
            || h.org_unit.is_some()
        {
            for (name, text) in [
                ("dataSet", &h.data_set),
                ("completeDate", &h.complete_date),
                ("period", &h.period),
                ("orgUnit", &h.org_unit),
            ] {
                write_key(w, &mut first, name)?;
                write_opt_str(w, text.as_deref())?;
            }
        }
        if let Some(aoc) = &h.attribute_option_combo {
            write_key(w, &mut first, "attributeOptionCombo")?;
            write_str(w, aoc)?;
        }
        if let Some(options) = &h.attribute_category_options {
            write_key(w, &mut first, "attributeCategoryOptions")?;
            w.write_all(b"[")?;
            for (i, option) in options.iter().enumerate() {
                if i > 0 {
                    w.write_all(b",")?;
                }
                write_str(w, option)?;
            }
            w.write_all(b"]")?;
        }
        if let Some(scheme) = h.raw_scheme(None) {
            write_key(w, &mut first, "idScheme")?;
            write_str(w, scheme)?;
        }
        for target in SchemeTarget::ALL {
            if let Some(scheme) = h.raw_scheme(Some(target)) {
                write_key(w, &mut first, target.parameter_name())?;
                write_str(w, scheme)?;
            }
        }
        if let Some(dry_run) = h.dry_run {
            write_key(w, &mut first, "dryRun")?;
            write_bool(w, dry_run)?;
        }
        if let Some(strategy) = &h.strategy {
            write_key(w, &mut first, "strategy")?;
            write_str(w, strategy)?;
        }
        write_key(w, &mut first, "dataValues")?;
        w.write_all(b"[")
    }

    /// The set keys of DHIS2 2.43+'s export, then our additions, then `"dataValues":[`.
    fn write_pipeline_header(&mut self, h: &DataValueSetHeader) -> io::Result<()> {
        let w = &mut self.w;
        w.write_all(b"{")?;
        let mut first = true;
        for (name, text) in [
            ("dataSet", &h.data_set),
            ("period", &h.period),
            ("orgUnit", &h.org_unit),
        ] {
            if let Some(text) = text {
                write_key(w, &mut first, name)?;
                write_str(w, text)?;
            }
        }
        if let Some(aoc) = &h.attribute_option_combo {
            write_key(w, &mut first, "attributeOptionCombo")?;
            write_str(w, aoc)?;
        } else if let Some(pairs) = &h.attribute_option_combo_options {
            write_key(w, &mut first, "attributeOptionCombo")?;
            write_pairs(w, pairs.iter().map(|(c, o)| (c.as_str(), o.as_deref())))?;
        }
        for (name, text) in [
            ("dataSetIdScheme", &h.data_set_id_scheme),
            ("dataElementIdScheme", &h.data_element_id_scheme),
            ("orgUnitIdScheme", &h.org_unit_id_scheme),
            (
                "categoryOptionComboIdScheme",
                &h.category_option_combo_id_scheme,
            ),
            (
                "attributeOptionComboIdScheme",
                &h.attribute_option_combo_id_scheme,
            ),
            ("categoryIdScheme", &h.category_id_scheme),
            ("categoryOptionIdScheme", &h.category_option_id_scheme),
        ] {
            if let Some(text) = text {
                write_key(w, &mut first, name)?;
                write_str(w, text)?;
            }
        }
        if let Some(deletion) = &h.deletion {
            write_key(w, &mut first, "deletion")?;
            write_deletion(w, deletion)?;
        }
        if let Some(date) = &h.complete_date {
            write_key(w, &mut first, "completeDate")?;
            write_str(w, date)?;
        }
        if let Some(options) = &h.attribute_category_options {
            write_key(w, &mut first, "attributeCategoryOptions")?;
            write_str_array(w, options.iter().map(String::as_str))?;
        }
        if let Some(scheme) = &h.id_scheme {
            write_key(w, &mut first, "idScheme")?;
            write_str(w, scheme)?;
        }
        if let Some(dry_run) = h.dry_run {
            write_key(w, &mut first, "dryRun")?;
            write_bool(w, dry_run)?;
        }
        if let Some(strategy) = &h.strategy {
            write_key(w, &mut first, "strategy")?;
            write_str(w, strategy)?;
        }
        write_key(w, &mut first, "dataValues")?;
        w.write_all(b"[")
    }

    /// One value as DHIS2 2.43+ writes it.
    fn write_pipeline_value(&mut self, v: &DataValue, first_value: bool) -> io::Result<()> {
        let w = &mut self.w;
        if !first_value {
            w.write_all(b",")?;
        }
        w.write_all(b"{")?;
        let mut first = true;
        for field in Field::ALL {
            match v.get(field) {
                Some(text) => {
                    write_key(w, &mut first, field.name())?;
                    write_str(w, text)?;
                }
                None if field == Field::CategoryOptionCombo && v.has_category_options() => {
                    write_key(w, &mut first, field.name())?;
                    write_pairs(w, v.category_options())?;
                }
                None => {}
            }
        }
        if let Some(followup) = v.followup() {
            write_key(w, &mut first, "followup")?;
            write_bool(w, followup)?;
        }
        if v.deleted() == Some(true) {
            write_key(w, &mut first, "deleted")?;
            write_bool(w, true)?;
        }
        w.write_all(b"}")
    }

    fn write_value_object(&mut self, v: &DataValue, first_value: bool) -> io::Result<()> {
        let w = &mut self.w;
        if !first_value {
            w.write_all(b",")?;
        }
        w.write_all(b"{")?;
        let mut first = true;
        for field in Field::ALL {
            write_key(w, &mut first, field.name())?;
            write_opt_str(w, v.get(field))?;
        }
        write_key(w, &mut first, "followup")?;
        write_bool(w, v.followup().unwrap_or(false))?;
        if v.deleted() == Some(true) {
            write_key(w, &mut first, "deleted")?;
            write_bool(w, true)?;
        }
        w.write_all(b"}")
    }
}

/// Writes `{"category":"option",…}` (`null` for an absent option).
fn write_pairs<'a, W: Write + ?Sized>(
    w: &mut W,
    pairs: impl Iterator<Item = (&'a str, Option<&'a str>)>,
) -> io::Result<()> {
    w.write_all(b"{")?;
    let mut first = true;
    for (category, option) in pairs {
        write_key(w, &mut first, category)?;
        write_opt_str(w, option)?;
    }
    w.write_all(b"}")
}

/// Writes `["a","b",…]`.
fn write_str_array<'a, W: Write + ?Sized>(
    w: &mut W,
    items: impl Iterator<Item = &'a str>,
) -> io::Result<()> {
    w.write_all(b"[")?;
    for (i, item) in items.enumerate() {
        if i > 0 {
            w.write_all(b",")?;
        }
        write_str(w, item)?;
    }
    w.write_all(b"]")
}

/// Writes the 2.43+ `deletion` object: `orgUnits`, `periods`, `elements` (each element's
/// `dataElement`, `categoryOptionCombo`, `attributeOptionCombo` when present).
fn write_deletion<W: Write + ?Sized>(w: &mut W, deletion: &DeletionScope) -> io::Result<()> {
    w.write_all(b"{")?;
    let mut first = true;
    write_key(w, &mut first, "orgUnits")?;
    write_str_array(w, deletion.org_units.iter().map(String::as_str))?;
    write_key(w, &mut first, "periods")?;
    write_str_array(w, deletion.periods.iter().map(String::as_str))?;
    write_key(w, &mut first, "elements")?;
    w.write_all(b"[")?;
    for (i, element) in deletion.elements.iter().enumerate() {
        if i > 0 {
            w.write_all(b",")?;
        }
        w.write_all(b"{")?;
        let mut first_key = true;
        for (name, text) in [
            ("dataElement", &element.data_element),
            ("categoryOptionCombo", &element.category_option_combo),
            ("attributeOptionCombo", &element.attribute_option_combo),
        ] {
            if let Some(text) = text {
                write_key(w, &mut first_key, name)?;
                write_str(w, text)?;
            }
        }
        w.write_all(b"}")?;
    }
    w.write_all(b"]}")
}

fn out_of_order(message: &'static str) -> Error {
    Error::new(ErrorKind::WriterState { message })
}

impl<W: Write> DataValueSink for Writer<W> {
    type Error = Error;

    fn begin(&mut self, header: &DataValueSetHeader) -> Result<()> {
        if self.state != WriterState::New {
            return Err(out_of_order("`begin` called twice"));
        }
        match self.profile {
            ImporterProfile::Classic => self.write_header(header)?,
            ImporterProfile::Pipeline => self.write_pipeline_header(header)?,
        }
        self.state = WriterState::Values { first: true };
        Ok(())
    }

    fn write_value(&mut self, value: &DataValue) -> Result<()> {
        let WriterState::Values { first } = self.state else {
            return Err(out_of_order(
                "a value written before `begin` or after `finish`",
            ));
        };
        match self.profile {
            ImporterProfile::Classic => self.write_value_object(value, first)?,
            ImporterProfile::Pipeline => self.write_pipeline_value(value, first)?,
        }
        self.state = WriterState::Values { first: false };
        Ok(())
    }

    fn finish(&mut self) -> Result<()> {
        if !matches!(self.state, WriterState::Values { .. }) {
            return Err(out_of_order("`finish` called before `begin` or twice"));
        }
        self.w.write_all(b"]}")?;
        self.w.flush()?;
        self.state = WriterState::Finished;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn json_str(s: &str) -> String {
        let mut out = Vec::new();
        write_str(&mut out, s).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn escapes_like_jackson() {
        assert_eq!(json_str("plain é €"), "\"plain é €\"");
        assert_eq!(
            json_str("q\"b\\s/\u{8}\t\n\u{c}\r\u{1}\u{1f}\u{7f}"),
            "\"q\\\"b\\\\s/\\b\\t\\n\\f\\r\\u0001\\u001F\u{7f}\""
        );
        // serde_json agrees on the decoded text.
        let back: String = serde_json::from_str(&json_str("a\u{0}b\"c")).unwrap();
        assert_eq!(back, "a\u{0}b\"c");
    }

    #[test]
    fn empty_header_and_deleted() {
        let mut w = Writer::new(Vec::new());
        w.begin(&DataValueSetHeader::default()).unwrap();
        let mut v = DataValue::from_fields(&[(Field::DataElement, "a"), (Field::Comment, "c")]);
        v.set_followup(Some(true));
        v.set_deleted(Some(true));
        w.write_value(&v).unwrap();
        v.set_deleted(Some(false));
        v.set_followup(None);
        w.write_value(&v).unwrap();
        w.finish().unwrap();
        let text = String::from_utf8(w.into_inner()).unwrap();
        let expected = concat!(
            r#"{"dataValues":[{"dataElement":"a","period":null,"orgUnit":null,"categoryOptionCombo":null,"#,
            r#""attributeOptionCombo":null,"value":null,"storedBy":null,"created":null,"lastUpdated":null,"#,
            r#""comment":"c","followup":true,"deleted":true},{"dataElement":"a","period":null,"orgUnit":null,"#,
            r#""categoryOptionCombo":null,"attributeOptionCombo":null,"value":null,"storedBy":null,"created":null,"#,
            r#""lastUpdated":null,"comment":"c","followup":false}]}"#
        );
        assert_eq!(text, expected);
    }

    #[test]
    fn additions_only_when_present() {
        let header = DataValueSetHeader {
            id_scheme: Some("CODE".into()),
            category_id_scheme: Some("NAME".into()),
            attribute_category_options: Some(vec!["a".into(), "b".into()]),
            attribute_option_combo: Some("aoc".into()),
            dry_run: Some(false),
            strategy: Some("DELETE".into()),
            ..Default::default()
        };
        let mut w = Writer::new(Vec::new());
        w.begin(&header).unwrap();
        w.finish().unwrap();
        assert_eq!(
            String::from_utf8(w.into_inner()).unwrap(),
            r#"{"attributeOptionCombo":"aoc","attributeCategoryOptions":["a","b"],"idScheme":"CODE","categoryIdScheme":"NAME","dryRun":false,"strategy":"DELETE","dataValues":[]}"#
        );
    }

    fn pipeline_written(header: &DataValueSetHeader, values: &[DataValue]) -> String {
        let mut w = Writer::with_profile(Vec::new(), ImporterProfile::Pipeline);
        w.begin(header).unwrap();
        for v in values {
            w.write_value(v).unwrap();
        }
        w.finish().unwrap();
        String::from_utf8(w.into_inner()).unwrap()
    }

    #[test]
    fn pipeline_form_matches_dhis2_2_43() {
        let header = DataValueSetHeader {
            data_set: Some("ds".into()),
            period: Some("202201".into()),
            org_unit: Some("ou".into()),
            attribute_option_combo: Some("default".into()),
            org_unit_id_scheme: Some("NAME".into()),
            category_option_id_scheme: Some("ATTRIBUTE:atabcdefghA".into()),
            ..Default::default()
        };
        let mut live = DataValue::from_fields(&[
            (Field::DataElement, "de"),
            (Field::CategoryOptionCombo, "coc"),
            (Field::Value, "1"),
            (Field::Created, "2024-01-15T10:20:30.123+0000"),
        ]);
        live.set_followup(Some(false));
        live.set_deleted(Some(false));
        let mut gone = DataValue::from_fields(&[(Field::DataElement, "de"), (Field::Comment, "")]);
        gone.set_deleted(Some(true));
        assert_eq!(
            pipeline_written(&header, &[live, gone]),
            concat!(
                r#"{"dataSet":"ds","period":"202201","orgUnit":"ou","attributeOptionCombo":"default","#,
                r#""orgUnitIdScheme":"NAME","categoryOptionIdScheme":"ATTRIBUTE:atabcdefghA","dataValues":["#,
                r#"{"dataElement":"de","categoryOptionCombo":"coc","value":"1","created":"2024-01-15T10:20:30.123+0000","followup":false},"#,
                r#"{"dataElement":"de","comment":"","deleted":true}]}"#
            )
        );
        assert_eq!(
            pipeline_written(&DataValueSetHeader::default(), &[]),
            r#"{"dataValues":[]}"#
        );
    }

    #[test]
    fn pipeline_object_forms_deletion_and_additions() {
        let header = DataValueSetHeader {
            attribute_option_combo_options: Some(vec![
                ("cat".into(), Some("opt".into())),
                ("other".into(), None),
            ]),
            deletion: Some(DeletionScope {
                org_units: vec!["ou".into()],
                periods: vec!["202201".into(), "202202".into()],
                elements: vec![
                    dxf2_model::DeletionElement {
                        data_element: Some("de".into()),
                        ..Default::default()
                    },
                    dxf2_model::DeletionElement {
                        data_element: Some("de".into()),
                        category_option_combo: Some("coc".into()),
                        attribute_option_combo: Some("aoc".into()),
                    },
                ],
            }),
            complete_date: Some("2022-02-01".into()),
            attribute_category_options: Some(vec!["a".into()]),
            id_scheme: Some("CODE".into()),
            dry_run: Some(false),
            strategy: Some("DELETE".into()),
            ..Default::default()
        };
        let mut v = DataValue::from_fields(&[(Field::DataElement, "de")]);
        v.put_category_option("sex", Some("female"));
        v.put_category_option("age", None);
        assert_eq!(
            pipeline_written(&header, &[v]),
            concat!(
                r#"{"attributeOptionCombo":{"cat":"opt","other":null},"#,
                r#""deletion":{"orgUnits":["ou"],"periods":["202201","202202"],"elements":[{"dataElement":"de"},"#,
                r#"{"dataElement":"de","categoryOptionCombo":"coc","attributeOptionCombo":"aoc"}]},"#,
                r#""completeDate":"2022-02-01","attributeCategoryOptions":["a"],"idScheme":"CODE","dryRun":false,"#,
                r#""strategy":"DELETE","dataValues":[{"dataElement":"de","categoryOptionCombo":{"sex":"female","age":null}}]}"#
            )
        );
    }

    proptest::proptest! {
        /// What the 2.43 writer writes, the 2.43 reader reads back: the set keys, and each value
        /// without what 2.43 does not read (`storedBy`, `created`, `lastUpdated`, and `followup`,
        /// which it reads as `followUp` only), empty texts being absent.
        #[test]
        fn pipeline_sets_read_back(
            header in proptest::collection::vec(proptest::option::of("[a-zA-Z0-9]{1,11}"), 4),
            values in proptest::collection::vec(
                (
                    proptest::collection::vec(proptest::option::of("\\PC{0,6}"), Field::COUNT),
                    proptest::option::of(proptest::bool::ANY),
                    proptest::option::of(proptest::bool::ANY),
                ),
                0..4,
            ),
        ) {
            let header = DataValueSetHeader {
                data_set: header[0].clone(),
                period: header[1].clone(),
                org_unit: header[2].clone(),
                attribute_option_combo: header[3].clone(),
                ..Default::default()
            };
            let values: Vec<DataValue> = values
                .into_iter()
                .map(|(texts, followup, deleted)| {
                    let mut v = DataValue::new();
                    for (field, text) in Field::ALL.iter().zip(&texts) {
                        if let Some(text) = text {
                            v.set(*field, text);
                        }
                    }
                    v.set_followup(followup);
                    v.set_deleted(deleted);
                    v
                })
                .collect();
            let json = pipeline_written(&header, &values);
            let mut reader =
                crate::Reader::with_profile(json.as_bytes(), ImporterProfile::Pipeline).unwrap();
            proptest::prop_assert_eq!(reader.header(), &header);
            let mut read = Vec::new();
            let mut record = DataValue::new();
            while reader.read_value(&mut record).unwrap() {
                read.push(record.clone());
            }
            let expected: Vec<DataValue> = values
                .iter()
                .map(|v| {
                    let mut out = DataValue::new();
                    for (field, text) in v.fields() {
                        let kept =
                            !matches!(field, Field::StoredBy | Field::Created | Field::LastUpdated);
                        if kept && !text.is_empty() {
                            out.set(field, text);
                        }
                    }
                    out.set_deleted((v.deleted() == Some(true)).then_some(true));
                    out
                })
                .collect();
            proptest::prop_assert_eq!(read, expected, "{}", json);
        }
    }

    #[test]
    fn misuse_is_an_error() {
        let mut w = Writer::new(Vec::new());
        assert!(w.write_value(&DataValue::new()).is_err());
        assert!(w.finish().is_err());
        w.begin(&DataValueSetHeader::default()).unwrap();
        assert!(w.begin(&DataValueSetHeader::default()).is_err());
        w.finish().unwrap();
        assert!(w.finish().is_err());
        assert!(w.write_value(&DataValue::new()).is_err());
    }
}
