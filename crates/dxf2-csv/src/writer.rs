//! The CSV writer: [`WriterBuilder`] → [`Writer`], a [`DataValueSink`] writing DHIS2's CSV export.

use std::io::Write;

use dxf2_model::{DataValue, DataValueSetHeader, DataValueSink, Field, ImporterProfile};

use crate::error::{Error, Position, Result};
use crate::text::java_trim;

/// The header line of DHIS2's CSV export (classic and 2.43+), written first, always.
pub const EXPORT_HEADER: &str = "dataelement,period,orgunit,categoryoptioncombo,attributeoptioncombo,value,storedby,lastupdated,comment,followup,deleted";

/// Text columns 0–8 of the export, in order.
const TEXT_COLUMNS: [Field; 9] = [
    Field::DataElement,
    Field::Period,
    Field::OrgUnit,
    Field::CategoryOptionCombo,
    Field::AttributeOptionCombo,
    Field::Value,
    Field::StoredBy,
    Field::LastUpdated,
    Field::Comment,
];

/// Builds a [`Writer`].
///
/// Defaults: [`ImporterProfile::Classic`] and `fill_from_header(true)`.
#[derive(Clone, Debug)]
pub struct WriterBuilder {
    profile: ImporterProfile,
    fill_from_header: bool,
}

impl Default for WriterBuilder {
    fn default() -> Self {
        WriterBuilder::new()
    }
}

impl WriterBuilder {
    /// A builder with the defaults.
    pub fn new() -> WriterBuilder {
        WriterBuilder {
            profile: ImporterProfile::Classic,
            fill_from_header: true,
        }
    }

    /// Which DHIS2 export to write.
    ///
    /// * [`ImporterProfile::Classic`] (2.40–2.42): `followup` is `true`/`false` (an
    ///   unknown follow-up is written `false`); `deleted` is `true` for deleted values and the
    ///   four-letter text `null` for all others (Java's `String.valueOf` of a null `Boolean`).
    /// * [`ImporterProfile::Pipeline`] (2.43+): `followup` is empty when unknown;
    ///   `deleted` is `true`/`false`.
    pub fn profile(&mut self, profile: ImporterProfile) -> &mut WriterBuilder {
        self.profile = profile;
        self
    }

    /// Whether the set header's `period`, `orgUnit` and `attributeOptionCombo` fill the values
    /// that lack their own (default `true`).
    ///
    /// CSV has no set header, so a header given to [`DataValueSink::begin`] would otherwise be
    /// lost: a set converted from XML or JSON whose values take their period from the set would
    /// be written without periods. This does what
    /// [`DataValueSetHeader::apply_defaults`] does to each value (2.43's CSV export fills the
    /// rows the same way). With `false` the header is ignored; callers converting from XML/JSON
    /// should then call `apply_defaults` on each value themselves.
    pub fn fill_from_header(&mut self, yes: bool) -> &mut WriterBuilder {
        self.fill_from_header = yes;
        self
    }

    /// A writer over `wtr`. Each row is assembled in a reusable buffer and written with one
    /// `write_all`; wrap unbuffered sinks such as files in a `BufWriter` anyway.
    pub fn from_writer<W: Write>(&self, wtr: W) -> Writer<W> {
        Writer {
            wtr,
            profile: self.profile,
            fill_from_header: self.fill_from_header,
            period: None,
            org_unit: None,
            attribute_option_combo: None,
            began: false,
            row: Vec::new(),
            records: 0,
            bytes: 0,
        }
    }
}

/// Writes one data value set as DHIS2's CSV export: the [`EXPORT_HEADER`] line, then 11 columns
/// per value, LF line ends.
///
/// Each value is written as javacsv 2.0's `CsvWriter` writes it: trimmed with Java's
/// `String.trim()` (every leading/trailing character up to U+0020), enclosed in `"` only when it
/// contains `"`, `,`, CR or LF, or when it is the first column and empty or starts with `#`;
/// `"` doubled inside quotes; an absent field written empty. The `created` field has no column.
///
/// ```
/// use dxf2_csv::Writer;
/// use dxf2_model::{DataValue, DataValueSetHeader, DataValueSink, Field};
///
/// let mut out = Vec::new();
/// let mut writer = Writer::from_writer(&mut out);
/// writer.begin(&DataValueSetHeader::default())?;
/// let value = DataValue::from_fields(&[
///     (Field::DataElement, "f7n9E0hX8qk"),
///     (Field::Period, "201201"),
///     (Field::Comment, " a, \"b\" "),
/// ]);
/// writer.write_value(&value)?;
/// writer.finish()?;
/// let text = String::from_utf8(out).unwrap();
/// assert_eq!(
///     text.lines().nth(1),
///     Some("f7n9E0hX8qk,201201,,,,,,,\"a, \"\"b\"\"\",false,null")
/// );
/// # Ok::<(), dxf2_csv::Error>(())
/// ```
#[derive(Debug)]
pub struct Writer<W: Write> {
    wtr: W,
    profile: ImporterProfile,
    fill_from_header: bool,
    period: Option<String>,
    org_unit: Option<String>,
    attribute_option_combo: Option<String>,
    began: bool,
    row: Vec<u8>,
    records: u64,
    bytes: u64,
}

impl<W: Write> Writer<W> {
    /// A classic writer that fills values from the set header.
    pub fn from_writer(wtr: W) -> Writer<W> {
        WriterBuilder::new().from_writer(wtr)
    }

    /// A writer of DHIS2 `profile`'s export that fills values from the set header (what
    /// DHIS2 2.43+ does with its group header too).
    pub fn with_profile(wtr: W, profile: ImporterProfile) -> Writer<W> {
        WriterBuilder::new().profile(profile).from_writer(wtr)
    }

    /// The underlying writer.
    pub fn get_ref(&self) -> &W {
        &self.wtr
    }

    /// Consumes the writer, returning the underlying writer (call
    /// [`DataValueSink::finish`] first to write the header of an empty set and flush).
    pub fn into_inner(self) -> W {
        self.wtr
    }

    fn position(&self) -> Position {
        let record = self.records.saturating_add(1);
        Position::new(self.bytes, record.saturating_add(1), record)
    }

    fn write_row(&mut self) -> Result<()> {
        let pos = self.position();
        self.wtr
            .write_all(&self.row)
            .map_err(|e| Error::io(e, Some(pos)))?;
        self.bytes = self.bytes.saturating_add(self.row.len() as u64);
        Ok(())
    }

    fn write_header_line(&mut self) -> Result<()> {
        if self.began {
            return Ok(());
        }
        self.row.clear();
        self.row.extend_from_slice(EXPORT_HEADER.as_bytes());
        self.row.push(b'\n');
        self.wtr
            .write_all(&self.row)
            .map_err(|e| Error::io(e, Some(Position::new(0, 1, 0))))?;
        self.bytes = self.bytes.saturating_add(self.row.len() as u64);
        self.began = true;
        Ok(())
    }

    /// The header's default for `field`, when filling is on.
    fn default_for(&self, field: Field) -> Option<&str> {
        if !self.fill_from_header {
            return None;
        }
        match field {
            Field::Period => self.period.as_deref(),
            Field::OrgUnit => self.org_unit.as_deref(),
            Field::AttributeOptionCombo => self.attribute_option_combo.as_deref(),
            _ => None,
        }
    }
}

/// Appends one javacsv-written field to `row` (inlined into the row loop: called as a
/// function it cost 109 instructions per field, half of them in its prologue, epilogue and
/// capacity checks; callgrind, XML → CSV of 200,000 values).
#[inline(always)]
fn push_field(row: &mut Vec<u8>, text: &str, first: bool) {
    if !first {
        row.push(b',');
    }
    let text = java_trim(text).as_bytes();
    let quote =
        any_needs_quotes(text) || (first && (text.is_empty() || text.first() == Some(&b'#')));
    if quote {
        row.push(b'"');
        for &b in text {
            if b == b'"' {
                row.push(b'"');
            }
            row.push(b);
        }
        row.push(b'"');
    } else {
        row.extend_from_slice(text);
    }
}

/// Whether any byte of `text` makes the field quoted. Eight bytes at a time: a word with no byte
/// up to `,` (0x2C) is passed with three operations, and identifiers, numbers, periods and dates
/// have none (byte by byte this scan took a third of the writer's instructions).
#[inline(always)]
fn any_needs_quotes(text: &[u8]) -> bool {
    const ONES: u64 = u64::from_le_bytes([0x01; 8]);
    const HIGHS: u64 = u64::from_le_bytes([0x80; 8]);
    let mut words = text.chunks_exact(8);
    for word in &mut words {
        let Ok(bytes) = <[u8; 8]>::try_from(word) else {
            continue;
        };
        let x = u64::from_le_bytes(bytes);
        // The high bit of each byte below `-`: no false negatives (see `needs_quotes`).
        let low = x.wrapping_sub(ONES * u64::from(b'-')) & !x & HIGHS;
        if low != 0 && word.iter().any(|&b| needs_quotes(b)) {
            return true;
        }
    }
    words.remainder().iter().any(|&b| needs_quotes(b))
}

/// Whether a field holding `b` is enclosed in quotes: `"`, `,`, CR, LF. All four are at most
/// `,`, so identifiers, digits and letters are passed by the first comparison (this runs for
/// every byte written).
#[inline(always)]
fn needs_quotes(b: u8) -> bool {
    b <= b',' && matches!(b, b'"' | b',' | b'\r' | b'\n')
}

impl<W: Write> DataValueSink for Writer<W> {
    type Error = Error;

    /// Writes the header line (once) and remembers the header's defaults for
    /// [`WriterBuilder::fill_from_header`]. The rest of the header has no place in CSV.
    fn begin(&mut self, header: &DataValueSetHeader) -> Result<()> {
        self.period.clone_from(&header.period);
        self.org_unit.clone_from(&header.org_unit);
        self.attribute_option_combo
            .clone_from(&header.attribute_option_combo);
        self.write_header_line()
    }

    /// Writes one row (the header line first, if [`DataValueSink::begin`] was not called).
    fn write_value(&mut self, value: &DataValue) -> Result<()> {
        self.write_header_line()?;
        let mut row = std::mem::take(&mut self.row);
        row.clear();
        for (i, field) in TEXT_COLUMNS.into_iter().enumerate() {
            let text = value
                .get(field)
                .or_else(|| self.default_for(field))
                .unwrap_or("");
            push_field(&mut row, text, i == 0);
        }
        let (followup, deleted) = match self.profile {
            ImporterProfile::Classic => (
                if value.followup() == Some(true) {
                    "true"
                } else {
                    "false"
                },
                if value.deleted() == Some(true) {
                    "true"
                } else {
                    "null"
                },
            ),
            ImporterProfile::Pipeline => (
                match value.followup() {
                    Some(true) => "true",
                    Some(false) => "false",
                    None => "",
                },
                if value.deleted() == Some(true) {
                    "true"
                } else {
                    "false"
                },
            ),
        };
        // The flags need neither trimming nor quotes.
        row.push(b',');
        row.extend_from_slice(followup.as_bytes());
        row.push(b',');
        row.extend_from_slice(deleted.as_bytes());
        row.push(b'\n');
        self.row = row;
        self.write_row()?;
        self.records = self.records.saturating_add(1);
        Ok(())
    }

    /// Writes the header line if nothing was written (an empty export still has it) and flushes.
    fn finish(&mut self) -> Result<()> {
        self.write_header_line()?;
        let pos = self.position();
        self.wtr.flush().map_err(|e| Error::io(e, Some(pos)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn written(
        profile: ImporterProfile,
        header: &DataValueSetHeader,
        values: &[DataValue],
    ) -> String {
        let mut out = Vec::new();
        let mut w = WriterBuilder::new().profile(profile).from_writer(&mut out);
        w.begin(header).unwrap();
        for v in values {
            w.write_value(v).unwrap();
        }
        w.finish().unwrap();
        String::from_utf8(out).unwrap()
    }

    fn field(text: &str, first: bool) -> String {
        let mut row = Vec::new();
        push_field(&mut row, text, first);
        String::from_utf8(row).unwrap()
    }

    proptest::proptest! {
        /// The quoting decision is javacsv's: a quote, comma, CR or LF anywhere.
        #[test]
        fn fields_are_quoted_as_javacsv_does(
            text in "[a-z0-9 \"',\r\n#\t\u{0}-\u{1f}+\\-.:é€]{0,40}",
            first: bool,
        ) {
            let trimmed = text.trim_matches(|c: char| c <= ' ');
            let quoted = trimmed.contains(['"', ',', '\r', '\n'])
                || (first && (trimmed.is_empty() || trimmed.starts_with('#')));
            let expected = if quoted {
                format!("\"{}\"", trimmed.replace('"', "\"\""))
            } else {
                trimmed.to_owned()
            };
            let comma = if first { "" } else { "," };
            proptest::prop_assert_eq!(field(&text, first), format!("{comma}{expected}"));
        }
    }

    #[test]
    fn javacsv_quoting_rules() {
        assert_eq!(field("abc", true), "abc");
        assert_eq!(field("  abc \t\r\n", true), "abc");
        assert_eq!(field("a\"b", false), ",\"a\"\"b\"");
        assert_eq!(field("a,b", false), ",\"a,b\"");
        assert_eq!(field("a\rb", false), ",\"a\rb\"");
        assert_eq!(field("a\nb", false), ",\"a\nb\"");
        assert_eq!(field("", true), "\"\"");
        assert_eq!(field("   ", true), "\"\"");
        assert_eq!(field("", false), ",");
        assert_eq!(field("#x", true), "\"#x\"");
        assert_eq!(field("#x", false), ",#x");
        assert_eq!(field("a b", false), ",a b");
        assert_eq!(field("\u{0}x\u{1f}", false), ",x");
    }

    #[test]
    fn empty_set_has_the_header_line() {
        let mut out = Vec::new();
        let mut w = Writer::from_writer(&mut out);
        w.finish().unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            format!("{EXPORT_HEADER}\n")
        );
    }

    #[test]
    fn classic_flags_and_absent_fields() {
        let mut v = DataValue::from_fields(&[(Field::DataElement, "de"), (Field::Value, "1")]);
        let mut d = v.clone();
        d.set_followup(Some(true));
        d.set_deleted(Some(true));
        v.set_deleted(Some(false));
        let text = written(
            ImporterProfile::Classic,
            &DataValueSetHeader::default(),
            &[v, d],
        );
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], EXPORT_HEADER);
        assert_eq!(lines[1], "de,,,,,1,,,,false,null");
        assert_eq!(lines[2], "de,,,,,1,,,,true,true");
        assert!(text.ends_with('\n') && !text.contains('\r'));
    }

    #[test]
    fn pipeline_flags() {
        let mut v = DataValue::from_fields(&[(Field::DataElement, "de")]);
        let mut f = v.clone();
        f.set_followup(Some(false));
        v.set_deleted(None);
        let text = written(
            ImporterProfile::Pipeline,
            &DataValueSetHeader::default(),
            &[v, f],
        );
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[1], "de,,,,,,,,,,false");
        assert_eq!(lines[2], "de,,,,,,,,,false,false");
    }

    #[test]
    fn header_fills_absent_period_org_unit_aoc() {
        let header = DataValueSetHeader {
            data_set: Some("ds".into()),
            period: Some("201201".into()),
            org_unit: Some("ou".into()),
            attribute_option_combo: Some("aoc".into()),
            ..DataValueSetHeader::default()
        };
        let own = DataValue::from_fields(&[(Field::DataElement, "de"), (Field::Period, "201202")]);
        let text = written(
            ImporterProfile::Classic,
            &header,
            std::slice::from_ref(&own),
        );
        assert_eq!(
            text.lines().nth(1),
            Some("de,201202,ou,,aoc,,,,,false,null")
        );

        let mut out = Vec::new();
        let mut w = WriterBuilder::new()
            .fill_from_header(false)
            .from_writer(&mut out);
        w.begin(&header).unwrap();
        w.write_value(&own).unwrap();
        w.finish().unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap().lines().nth(1),
            Some("de,201202,,,,,,,,false,null")
        );
    }

    #[test]
    fn pipeline_export_fills_the_group_into_each_row() {
        // What the 2.43 exporter gives: a group header and values without its fields.
        let header = DataValueSetHeader {
            data_set: Some("ds".into()),
            period: Some("201603".into()),
            org_unit: Some("ou".into()),
            attribute_option_combo: Some("aoc".into()),
            data_element_id_scheme: Some("CODE".into()),
            ..DataValueSetHeader::default()
        };
        let mut v = DataValue::from_fields(&[
            (Field::DataElement, "de"),
            (Field::CategoryOptionCombo, "coc"),
            (Field::Value, "1"),
            (Field::LastUpdated, "2016-05-01T08:00:00.000+0000"),
        ]);
        v.set_followup(Some(false));
        v.set_deleted(Some(false));
        let mut out = Vec::new();
        let mut w = Writer::with_profile(&mut out, ImporterProfile::Pipeline);
        w.begin(&header).unwrap();
        w.write_value(&v).unwrap();
        w.finish().unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            format!(
                "{EXPORT_HEADER}\nde,201603,ou,coc,aoc,1,,2016-05-01T08:00:00.000+0000,,false,false\n"
            )
        );
    }

    #[test]
    fn created_has_no_column() {
        let v = DataValue::from_fields(&[
            (Field::DataElement, "de"),
            (Field::Created, "2020-01-01"),
            (Field::LastUpdated, "2021-01-01T00:00:00.000+0000"),
        ]);
        let text = written(
            ImporterProfile::Classic,
            &DataValueSetHeader::default(),
            &[v],
        );
        assert_eq!(
            text.lines().nth(1),
            Some("de,,,,,,,2021-01-01T00:00:00.000+0000,,false,null")
        );
    }

    #[test]
    fn io_errors_carry_the_record() {
        struct Fail;
        impl Write for Fail {
            fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
                Err(std::io::Error::other("disk full"))
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let mut w = Writer::from_writer(Fail);
        let err = w.begin(&DataValueSetHeader::default()).unwrap_err();
        assert!(err.is_io());
        assert_eq!(err.to_string(), "line 1 (header row): I/O error: disk full");
    }
}
