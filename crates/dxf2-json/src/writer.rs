//! The data value set writer: DHIS2's classic `JsonDataValueSetWriter` byte for byte.

use std::io::{self, Write};

use dxf2_model::{DataValue, DataValueSetHeader, DataValueSink, Field, SchemeTarget};

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
    state: WriterState,
}

impl<W: Write> Writer<W> {
    /// A writer into `w`.
    pub fn new(w: W) -> Writer<W> {
        Writer {
            w,
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

fn out_of_order(message: &'static str) -> Error {
    Error::new(ErrorKind::WriterState { message })
}

impl<W: Write> DataValueSink for Writer<W> {
    type Error = Error;

    fn begin(&mut self, header: &DataValueSetHeader) -> Result<()> {
        if self.state != WriterState::New {
            return Err(out_of_order("`begin` called twice"));
        }
        self.write_header(header)?;
        self.state = WriterState::Values { first: true };
        Ok(())
    }

    fn write_value(&mut self, value: &DataValue) -> Result<()> {
        let WriterState::Values { first } = self.state else {
            return Err(out_of_order(
                "a value written before `begin` or after `finish`",
            ));
        };
        self.write_value_object(value, first)?;
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
