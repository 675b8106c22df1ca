//! The CSV reader: [`ReaderBuilder`] → [`Reader`], a [`DataValueSource`].

use std::convert::Infallible;
use std::io::{self, BufRead};

use dxf2_model::{
    DataValue, DataValueSetHeader, DataValueSource, Field, ImportOptions, ImporterProfile,
    ReadLimits, TextPosition,
};

use crate::classic::{self, Classic};
use crate::error::{Error, ErrorKind, Position, Result};
use crate::pipeline::{self, Pipeline, Rules, Target};
use crate::text::{invalid_sequences, parse_boolean, push_lossy, Replaced, Tracker, Utf8Policy};
use crate::{MAX_COLUMNS, MAX_FIELD_CHARS};

/// The classic reader's text columns, by position (column 7 is `lastUpdated`; `created` is never
/// read from CSV).
const CLASSIC_TEXT_COLUMNS: [(usize, Field); 9] = [
    (0, Field::DataElement),
    (1, Field::Period),
    (2, Field::OrgUnit),
    (3, Field::CategoryOptionCombo),
    (4, Field::AttributeOptionCombo),
    (5, Field::Value),
    (6, Field::StoredBy),
    (7, Field::LastUpdated),
    (8, Field::Comment),
];
const CLASSIC_FOLLOWUP: usize = 9;
const CLASSIC_DELETED: usize = 10;

/// Builds a [`Reader`] with DHIS2's request options (`firstRowIsHeader`, `dataSet`), the
/// importer generation to imitate, the bounds on its memory and what to do with text that is not
/// UTF-8.
///
/// Defaults: [`ImporterProfile::Classic`], `first_row_is_header(true)`, no data set,
/// [`ReadLimits::default()`], [`Utf8Policy::Error`].
///
/// ```
/// use dxf2_csv::ReaderBuilder;
/// use dxf2_model::{DataValueSource, ImporterProfile};
///
/// let csv = "dataElement,period,orgUnit,value\nf7n9E0hX8qk,201201,DiszpKrYNg8,10\n";
/// let mut reader = ReaderBuilder::new()
///     .profile(ImporterProfile::Pipeline)
///     .data_set("pBOMPrpg1QX")
///     .from_reader(csv.as_bytes())?;
/// assert_eq!(reader.header().data_set.as_deref(), Some("pBOMPrpg1QX"));
/// let values: Vec<_> = reader.values().collect::<Result<_, _>>()?;
/// assert_eq!(values[0].value(), Some("10"));
/// assert_eq!(values[0].category_option_combo(), None);
/// # Ok::<(), dxf2_csv::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct ReaderBuilder {
    profile: ImporterProfile,
    first_row_is_header: bool,
    data_set: Option<String>,
    limits: ReadLimits,
    utf8: Utf8Policy,
}

impl Default for ReaderBuilder {
    fn default() -> Self {
        ReaderBuilder::new()
    }
}

impl ReaderBuilder {
    /// A builder with the defaults (classic profile, header row, no data set, default limits,
    /// invalid UTF-8 refused).
    pub fn new() -> ReaderBuilder {
        ReaderBuilder {
            profile: ImporterProfile::Classic,
            first_row_is_header: true,
            data_set: None,
            limits: ReadLimits::default(),
            utf8: Utf8Policy::Error,
        }
    }

    /// A builder taking `profile`, `first_row_is_header` and `data_set` from import options (the
    /// limits and the UTF-8 policy keep their defaults).
    pub fn from_options(options: &ImportOptions) -> ReaderBuilder {
        ReaderBuilder {
            profile: options.profile,
            first_row_is_header: options.first_row_is_header,
            data_set: options.data_set.clone(),
            ..ReaderBuilder::new()
        }
    }

    /// The bounds on what the reader holds at once (default [`ReadLimits::default()`]): no field
    /// longer than [`max_token_bytes`](ReadLimits::max_token_bytes) and no record longer than
    /// [`max_record_bytes`](ReadLimits::max_record_bytes), else
    /// [`ErrorKind::TokenTooLong`] / [`ErrorKind::RecordTooLong`], raised before the bytes
    /// that break the limit are stored.
    ///
    /// The classic profile keeps javacsv's own limits too ([`crate::MAX_FIELD_CHARS`]
    /// characters a field, [`crate::MAX_COLUMNS`] columns): whichever a field passes first
    /// decides ([`ErrorKind::FieldTooLong`] for javacsv's, also when both are passed at once).
    ///
    /// ```
    /// use dxf2_csv::{ErrorKind, ReaderBuilder};
    /// use dxf2_model::{DataValue, ReadLimits};
    ///
    /// let input = format!("h\nde,201201,ou,,,{}\n", "9".repeat(2000));
    /// let mut reader = ReaderBuilder::new()
    ///     .limits(ReadLimits::default().with_max_token_bytes(1024))
    ///     .from_reader(input.as_bytes())?;
    /// let err = reader.read_value(&mut DataValue::new()).unwrap_err();
    /// assert!(matches!(err.kind(), ErrorKind::TokenTooLong { limit: 1024, .. }));
    /// assert!(err.to_string().contains("field longer than 1 KiB (ReadLimits::max_token_bytes)"));
    /// # Ok::<(), dxf2_csv::Error>(())
    /// ```
    pub fn limits(&mut self, limits: ReadLimits) -> &mut ReaderBuilder {
        self.limits = limits;
        self
    }

    /// What to do with bytes that are not UTF-8 (default [`Utf8Policy::Error`]); see
    /// [`Utf8Policy`]. Checked: classic, the 11 columns DHIS2 reads of every data record (the
    /// skipped header row, columns 12+ and text after a closing quote are never decoded);
    /// pipeline, every line, header included.
    pub fn invalid_utf8(&mut self, policy: Utf8Policy) -> &mut ReaderBuilder {
        self.utf8 = policy;
        self
    }

    /// Which DHIS2 reader to imitate: [`ImporterProfile::Classic`] (javacsv, positional columns)
    /// or [`ImporterProfile::Pipeline`] (2.43+, columns by header name).
    pub fn profile(&mut self, profile: ImporterProfile) -> &mut ReaderBuilder {
        self.profile = profile;
        self
    }

    /// The request option `firstRowIsHeader` (default `true`).
    ///
    /// Classic: when true the first record is skipped, whatever it holds (no header detection).
    /// Pipeline: `false` makes [`ReaderBuilder::from_reader`] fail with "CSV without header row
    /// is no longer supported." exactly as DHIS2 2.43 does.
    pub fn first_row_is_header(&mut self, yes: bool) -> &mut ReaderBuilder {
        self.first_row_is_header = yes;
        self
    }

    /// The request option `dataSet`: CSV carries no set header, so DHIS2 takes the data set from
    /// the request. It is put in the reader's [`DataValueSetHeader::data_set`].
    pub fn data_set(&mut self, data_set: impl Into<String>) -> &mut ReaderBuilder {
        self.data_set = Some(data_set.into());
        self
    }

    /// Opens a reader: checks the options, refuses ZIP/GZIP input (decompress it first) and
    /// reads the header row (classic: skips it when `first_row_is_header`; pipeline: maps it).
    pub fn from_reader<R: BufRead>(&self, mut rdr: R) -> Result<Reader<R>> {
        if self.profile == ImporterProfile::Pipeline && !self.first_row_is_header {
            return Err(Error::new(ErrorKind::HeaderRowRequired, None, None));
        }
        sniff_compression(&mut rdr)?;
        let header = DataValueSetHeader {
            data_set: self.data_set.clone(),
            ..DataValueSetHeader::default()
        };
        let mut track = Tracker::new();
        let mut replaced = Replaced::default();
        let limits = self.limits;
        let imp = match self.profile {
            ImporterProfile::Classic => Imp::Classic(Classic::new(limits)),
            ImporterProfile::Pipeline => {
                let rules = Rules {
                    limits,
                    utf8: self.utf8,
                };
                let p = Pipeline::open(&mut rdr, &mut track, rules, &mut replaced)
                    .map_err(|f| pipeline_error(f, HEADER_POSITION, limits))?;
                Imp::Pipeline(p)
            }
        };
        let mut reader = Reader {
            rdr,
            profile: self.profile,
            header,
            track,
            position: HEADER_POSITION,
            records: 0,
            done: false,
            limits,
            utf8: self.utf8,
            replaced,
            imp,
        };
        if let Imp::Classic(p) = &mut reader.imp {
            if self.first_row_is_header {
                let more = p
                    .read_record(&mut reader.rdr, &mut reader.track)
                    .map_err(|f| classic_error(f, record_position(&reader.track, 0), limits))?;
                reader.position = record_position(&reader.track, 0);
                reader.done = !more;
            }
        }
        Ok(reader)
    }
}

/// DHIS2 sniffs ZIP and GZIP signatures (spec 1.5); this crate reads plain CSV only. Looks at the
/// first buffered bytes only (best effort with tiny buffers).
fn sniff_compression<R: BufRead>(rdr: &mut R) -> Result<()> {
    let start = loop {
        match rdr.fill_buf() {
            Ok(chunk) => break chunk,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(Error::io(e, None)),
        }
    };
    let format = if start.starts_with(&[0x50, 0x4B, 0x03, 0x04]) {
        "ZIP"
    } else if start.starts_with(&[0x1F, 0x8B]) {
        "GZIP"
    } else {
        return Ok(());
    };
    Err(Error::new(ErrorKind::Compressed { format }, None, None))
}

fn record_position(track: &Tracker, record: u64) -> Position {
    let (byte, line) = track.record_start.unwrap_or((track.byte, track.line));
    Position::new(byte, line, record)
}

/// The header line of the pipeline profile is always line 1.
const HEADER_POSITION: Position = Position::new(0, 1, 0);

fn classic_error(fail: classic::Fail, pos: Position, limits: ReadLimits) -> Error {
    match fail {
        classic::Fail::Io(e) => Error::io(e, Some(pos)),
        classic::Fail::FieldTooLong { column, start } => Error::new(
            ErrorKind::FieldTooLong {
                limit: MAX_FIELD_CHARS,
                start,
            },
            Some(pos),
            Some(column),
        ),
        classic::Fail::TokenTooLong { column, start } => Error::new(
            ErrorKind::TokenTooLong {
                limit: limits.max_token_bytes,
                start,
            },
            Some(pos),
            Some(column),
        ),
        classic::Fail::RecordTooLong => Error::new(
            ErrorKind::RecordTooLong {
                limit: limits.max_record_bytes,
            },
            Some(pos),
            None,
        ),
        classic::Fail::TooManyColumns => Error::new(
            ErrorKind::TooManyColumns { limit: MAX_COLUMNS },
            Some(pos),
            None,
        ),
        classic::Fail::UnterminatedQuote { column, start } => Error::new(
            ErrorKind::UnterminatedQuote { start },
            Some(pos),
            Some(column),
        ),
    }
}

fn pipeline_error(fail: pipeline::Fail, pos: Position, limits: ReadLimits) -> Error {
    match fail {
        pipeline::Fail::Io(e) => Error::io(e, Some(pos)),
        pipeline::Fail::NoHeaderLine => Error::new(ErrorKind::NoHeaderLine, None, None),
        pipeline::Fail::InvalidHeaderCell(cell) => {
            Error::new(ErrorKind::InvalidHeaderCell { cell }, Some(pos), None)
        }
        pipeline::Fail::EmptyHeader => Error::new(ErrorKind::EmptyHeader, Some(pos), None),
        pipeline::Fail::RecordTooLong => Error::new(
            ErrorKind::RecordTooLong {
                limit: limits.max_record_bytes,
            },
            Some(pos),
            None,
        ),
        pipeline::Fail::TokenTooLong { column, start } => Error::new(
            ErrorKind::TokenTooLong {
                limit: limits.max_token_bytes,
                start,
            },
            Some(pos),
            Some(column),
        ),
        pipeline::Fail::UnterminatedQuote { column, start } => Error::new(
            ErrorKind::UnterminatedQuote { start },
            Some(pos),
            Some(column),
        ),
        pipeline::Fail::InvalidUtf8 { at } => {
            Error::new(ErrorKind::InvalidUtf8 { at }, Some(pos), None)
        }
    }
}

#[derive(Debug)]
enum Imp {
    Classic(Classic),
    Pipeline(Pipeline),
}

/// A streaming reader of one CSV data value set, exactly as DHIS2 reads it (see the crate
/// documentation for both dialects).
///
/// Read values one at a time into a reusable [`DataValue`] with [`Reader::read_value`] (no
/// allocation per record once the buffers have grown), or collect owned values with
/// [`Reader::values`]. After an error the reader is finished: further reads return `Ok(false)`.
#[derive(Debug)]
pub struct Reader<R> {
    rdr: R,
    profile: ImporterProfile,
    header: DataValueSetHeader,
    track: Tracker,
    position: Position,
    records: u64,
    done: bool,
    limits: ReadLimits,
    utf8: Utf8Policy,
    replaced: Replaced,
    imp: Imp,
}

impl<R: BufRead> Reader<R> {
    /// A reader with the default options (classic profile, header row skipped, no data set).
    pub fn from_reader(rdr: R) -> Result<Reader<R>> {
        ReaderBuilder::new().from_reader(rdr)
    }

    /// Reads the next value into `record` (cleared first). `Ok(false)` at the end.
    ///
    /// Classic: every text column but `created` is present (`Some("")` when the cell is empty or
    /// the record is short), `followup` and `deleted` are always `Some`. Pipeline: absent
    /// (`None`) when the cell is null, missing, the literal `null` or its column is not in the
    /// header; the record also carries what DHIS2 2.43 reads besides the text fields: the extra
    /// columns as the value's [category options](DataValue::category_options) (when
    /// [`Reader::extra_columns_are_category_options`] and the line has a field for one of them),
    /// [`attributeCombo`](DataValue::attribute_combo) and
    /// [`attributeOptions`](DataValue::attribute_options), in the iteration order of DHIS2's
    /// Java `HashMap`/`HashSet`.
    pub fn read_value(&mut self, record: &mut DataValue) -> Result<bool> {
        record.clear();
        if self.done {
            return Ok(false);
        }
        let mut step = Step {
            track: &mut self.track,
            number: self.records.saturating_add(1),
            limits: self.limits,
            utf8: self.utf8,
            replaced: &mut self.replaced,
        };
        let result = match &mut self.imp {
            Imp::Classic(p) => read_classic(p, &mut self.rdr, &mut step, record),
            Imp::Pipeline(p) => read_pipeline(p, &mut self.rdr, &mut step, record),
        };
        match result {
            Ok(true) => {
                self.records = self.records.saturating_add(1);
                self.position = record_position(&self.track, self.records);
                Ok(true)
            }
            Ok(false) => {
                self.done = true;
                Ok(false)
            }
            Err(e) => {
                self.done = true;
                record.clear();
                Err(e)
            }
        }
    }

    /// An iterator of owned values (one allocation per value; use [`Reader::read_value`] to
    /// avoid that). It ends after the first error.
    pub fn values(&mut self) -> Values<'_, R> {
        Values { reader: self }
    }
}

/// What reading one value needs of the reader besides its parser.
struct Step<'a> {
    track: &'a mut Tracker,
    /// The number of the record being read.
    number: u64,
    limits: ReadLimits,
    utf8: Utf8Policy,
    replaced: &'a mut Replaced,
}

impl Step<'_> {
    fn position(&self) -> Position {
        record_position(self.track, self.number)
    }
}

fn read_classic<R: BufRead>(
    p: &mut Classic,
    rdr: &mut R,
    step: &mut Step<'_>,
    record: &mut DataValue,
) -> Result<bool> {
    let more = p
        .read_record(rdr, step.track)
        .map_err(|f| classic_error(f, step.position(), step.limits))?;
    if !more {
        return Ok(false);
    }
    // UTF-8 is checked once per record; a field is then a slice of that text, unless the record
    // holds invalid bytes or the field does not start or end at a character boundary (a
    // sequence cut by the field's end): then that field is checked on its own and, when invalid,
    // refused or decoded lossily, as Java does.
    let text = std::str::from_utf8(p.bytes()).ok();
    for (column, field) in CLASSIC_TEXT_COLUMNS {
        let (start, end) = p.span(column);
        if let Some(valid) = text.and_then(|t| t.get(start..end)) {
            record.set(field, valid);
            continue;
        }
        let bytes = p.field(column);
        match std::str::from_utf8(bytes) {
            Ok(valid) => record.set(field, valid),
            Err(e) => {
                classic_invalid(p, step, column, e.valid_up_to())?;
                // Decoded straight into the record's buffer: no allocation.
                let Ok(()) = record.set_with(field, |buf| {
                    push_lossy(buf, bytes);
                    Ok::<(), Infallible>(())
                });
            }
        }
    }
    if text.is_none() {
        // The flags are not text, but their bytes are held to the same policy.
        for column in [CLASSIC_FOLLOWUP, CLASSIC_DELETED] {
            if let Err(e) = std::str::from_utf8(p.field(column)) {
                classic_invalid(p, step, column, e.valid_up_to())?;
            }
        }
    }
    let flag = |column: usize| p.field(column).eq_ignore_ascii_case(b"true");
    record.set_followup(Some(flag(CLASSIC_FOLLOWUP)));
    record.set_deleted(Some(flag(CLASSIC_DELETED)));
    Ok(true)
}

/// Kept field `column` of the current classic record is not UTF-8 from byte `offset` on: an error
/// under [`Utf8Policy::Error`], else its invalid sequences are noted.
fn classic_invalid(p: &Classic, step: &mut Step<'_>, column: usize, offset: usize) -> Result<()> {
    let at = p.position_in_field(column, offset);
    match step.utf8 {
        Utf8Policy::Error => Err(Error::new(
            ErrorKind::InvalidUtf8 { at },
            Some(step.position()),
            Some(column),
        )),
        Utf8Policy::Replace => {
            let (count, _) = invalid_sequences(p.field(column));
            step.replaced.note(count, at);
            Ok(())
        }
    }
}

fn read_pipeline<R: BufRead>(
    p: &mut Pipeline,
    rdr: &mut R,
    step: &mut Step<'_>,
    record: &mut DataValue,
) -> Result<bool> {
    let more = p
        .read_line(rdr, step.track, step.replaced)
        .map_err(|f| pipeline_error(f, step.position(), step.limits))?;
    if !more {
        return Ok(false);
    }
    for (i, column) in p.mapped() {
        match column.target {
            Target::Field(field) => match p.component(i) {
                Some(text) => record.set(field, text),
                None => record.remove(field),
            },
            Target::FollowUp => record.set_followup(p.component(i).map(parse_boolean)),
            Target::Deleted => record.set_deleted(p.component(i).map(parse_boolean)),
            Target::AttributeCombo | Target::AttributeOptions | Target::Ignored | Target::Extra => {
            }
        }
    }
    p.fill_extras(record);
    Ok(true)
}

impl<R> Reader<R> {
    /// The set header: empty except [`DataValueSetHeader::data_set`] when given to the builder.
    pub fn header(&self) -> &DataValueSetHeader {
        &self.header
    }

    /// The profile this reader imitates.
    pub fn profile(&self) -> ImporterProfile {
        self.profile
    }

    /// Where the last value read starts (after opening: the header row, record 0).
    pub fn position(&self) -> Position {
        self.position
    }

    /// Number of values read so far.
    pub fn records_read(&self) -> u64 {
        self.records
    }

    /// Under [`Utf8Policy::Replace`]: how many invalid UTF-8 sequences were replaced by U+FFFD so
    /// far, and where the first was (its line and 1-based **byte** column), so that the caller
    /// can warn "N invalid UTF-8 sequences replaced, first at line L column C". `None` when
    /// nothing was replaced (always under [`Utf8Policy::Error`], which fails instead).
    pub fn replaced_utf8(&self) -> Option<(u64, TextPosition)> {
        self.replaced.summary()
    }

    /// The bounds this reader keeps to.
    pub fn limits(&self) -> ReadLimits {
        self.limits
    }

    /// Number of columns of the last record (classic: javacsv's column count, also columns
    /// beyond the 11 read; pipeline: fields on the line, also those beyond the header).
    pub fn record_columns(&self) -> usize {
        match &self.imp {
            Imp::Classic(p) => p.columns(),
            Imp::Pipeline(p) => p.cell_count(),
        }
    }

    /// Pipeline: the header names as read (unquoted). Classic: empty (columns are positional and
    /// the header row is never interpreted).
    pub fn header_names(&self) -> impl Iterator<Item = &str> + '_ {
        self.pipeline()
            .into_iter()
            .flat_map(|p| p.columns.iter().map(|c| c.name.as_str()))
    }

    /// Pipeline: the header names that DHIS2 2.43 neither maps to a data value component nor
    /// ignores (`storedBy`, `timestamp`) — e.g. `lastupdated`, `created`, or category names. DHIS2
    /// collects them into a per-value category-option map (see
    /// [`Reader::extra_columns_are_category_options`]). Classic: empty.
    pub fn extra_columns(&self) -> impl Iterator<Item = &str> + '_ {
        self.pipeline().into_iter().flat_map(|p| {
            p.columns
                .iter()
                .filter(|c| c.target == Target::Extra)
                .map(|c| c.name.as_str())
        })
    }

    /// Pipeline: whether DHIS2 keeps the extra columns as the value's category options — only
    /// when no header column is spelt exactly `categoryOptionCombo`. Classic: `false`.
    pub fn extra_columns_are_category_options(&self) -> bool {
        self.pipeline().is_some_and(|p| p.category_options_active)
    }

    /// Pipeline: the extra columns of the last value read, with their raw cells (`None` for a
    /// null cell; the literal `null` is kept, as DHIS2 keeps it in the map). Columns beyond the
    /// line's last field are left out, as DHIS2 leaves them out. Classic: empty.
    pub fn extra_values(&self) -> impl Iterator<Item = (&str, Option<&str>)> + '_ {
        self.pipeline().into_iter().flat_map(|p| {
            p.mapped()
                .filter(|(_, c)| c.target == Target::Extra)
                .map(move |(i, c)| (c.name.as_str(), p.cell(i)))
        })
    }

    /// Pipeline: the `attributeCombo` cell of the last value read (the last such column wins;
    /// `null` → `None`). Classic: `None`.
    pub fn attribute_combo(&self) -> Option<&str> {
        self.last_component(Target::AttributeCombo)
    }

    /// Pipeline: the raw `attributeOptions` cell of the last value read (DHIS2 splits it on
    /// spaces/tabs into a set). Classic: `None`.
    pub fn attribute_options(&self) -> Option<&str> {
        self.last_component(Target::AttributeOptions)
    }

    fn last_component(&self, target: Target) -> Option<&str> {
        self.pipeline()?.last_component(target)
    }

    fn pipeline(&self) -> Option<&Pipeline> {
        match &self.imp {
            Imp::Pipeline(p) => Some(p),
            Imp::Classic(_) => None,
        }
    }

    /// The underlying reader.
    pub fn get_ref(&self) -> &R {
        &self.rdr
    }

    /// The underlying reader, mutably (reading from it directly confuses this reader).
    pub fn get_mut(&mut self) -> &mut R {
        &mut self.rdr
    }

    /// Consumes this reader, returning the underlying reader.
    pub fn into_inner(self) -> R {
        self.rdr
    }
}

impl<R: BufRead> DataValueSource for Reader<R> {
    type Error = Error;

    fn header(&self) -> &DataValueSetHeader {
        &self.header
    }

    fn read_value(&mut self, record: &mut DataValue) -> Result<bool> {
        Reader::read_value(self, record)
    }
}

/// Owned values of a [`Reader`]; see [`Reader::values`].
#[derive(Debug)]
pub struct Values<'r, R> {
    reader: &'r mut Reader<R>,
}

impl<R: BufRead> Iterator for Values<'_, R> {
    type Item = Result<DataValue>;

    fn next(&mut self) -> Option<Self::Item> {
        let mut value = DataValue::new();
        match self.reader.read_value(&mut value) {
            Ok(true) => Some(Ok(value)),
            Ok(false) => None,
            Err(e) => Some(Err(e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Category;

    fn classic(input: &str, header: bool) -> Vec<DataValue> {
        ReaderBuilder::new()
            .first_row_is_header(header)
            .from_reader(input.as_bytes())
            .unwrap()
            .values()
            .collect::<Result<_>>()
            .unwrap()
    }

    fn pipeline(input: &str) -> Vec<DataValue> {
        ReaderBuilder::new()
            .profile(ImporterProfile::Pipeline)
            .from_reader(input.as_bytes())
            .unwrap()
            .values()
            .collect::<Result<_>>()
            .unwrap()
    }

    fn first_error(builder: &ReaderBuilder, input: &[u8]) -> Error {
        let mut reader = match builder.from_reader(input) {
            Ok(r) => r,
            Err(e) => return e,
        };
        let mut v = DataValue::new();
        loop {
            match reader.read_value(&mut v) {
                Ok(true) => {}
                Ok(false) => panic!("no error"),
                Err(e) => return e,
            }
        }
    }

    #[test]
    fn classic_positional_columns() {
        let v = classic(
            "h\nde,pe,ou,coc,aoc,val,by,2012-01-01,com,TRUE,True,x,y\n",
            true,
        );
        assert_eq!(v.len(), 1);
        let v = &v[0];
        assert_eq!(v.data_element(), Some("de"));
        assert_eq!(v.period(), Some("pe"));
        assert_eq!(v.org_unit(), Some("ou"));
        assert_eq!(v.category_option_combo(), Some("coc"));
        assert_eq!(v.attribute_option_combo(), Some("aoc"));
        assert_eq!(v.value(), Some("val"));
        assert_eq!(v.stored_by(), Some("by"));
        assert_eq!(v.last_updated(), Some("2012-01-01"));
        assert_eq!(v.comment(), Some("com"));
        assert_eq!(v.created(), None);
        assert_eq!(v.followup(), Some(true));
        assert_eq!(v.deleted(), Some(true));
    }

    #[test]
    fn classic_missing_trailing_columns_are_empty_strings() {
        let v = classic("de,pe\n", false);
        let v = &v[0];
        assert_eq!(v.data_element(), Some("de"));
        assert_eq!(v.org_unit(), Some(""));
        assert_eq!(v.category_option_combo(), Some(""));
        assert_eq!(v.attribute_option_combo(), Some(""));
        assert_eq!(v.value(), Some(""));
        assert_eq!(v.comment(), Some(""));
        assert_eq!(v.followup(), Some(false));
        assert_eq!(v.deleted(), Some(false));
    }

    #[test]
    fn classic_booleans() {
        let v = classic(
            "a,,,,,,,,,true,null\nb,,,,,,,,,yes,\nc,,,,,,,,,\"tRUE\",\" true\"\nd,,,,,,,,, true ,false\n",
            false,
        );
        let flags: Vec<_> = v.iter().map(|v| (v.followup(), v.deleted())).collect();
        assert_eq!(
            flags,
            [
                (Some(true), Some(false)),
                (Some(false), Some(false)),
                (Some(true), Some(false)),
                (Some(true), Some(false)),
            ]
        );
    }

    #[test]
    fn classic_header_row_skipped_unconditionally() {
        // Whatever the first record is, it is skipped: also data, also a misspelt header.
        let input = "f7n9E0hX8qk,201201,ou,,,1\nf7n9E0hX8qk,201202,ou,,,2\n";
        assert_eq!(classic(input, true).len(), 1);
        assert_eq!(classic(input, false).len(), 2);
        // A body `abc` imports nothing.
        assert!(classic("abc", true).is_empty());
        assert!(classic("", true).is_empty());
        // Leading empty lines are skipped before the header record.
        let v = classic("\n\r\nheader\nde\n", true);
        assert_eq!(v[0].data_element(), Some("de"));
    }

    #[test]
    fn classic_bom_stays_in_first_field() {
        let input = "\u{FEFF}\"f7n9E0hX8qk\",\"201201\"\n";
        let v = classic(input, false);
        assert_eq!(v[0].data_element(), Some("\u{FEFF}\"f7n9E0hX8qk\""));
        assert_eq!(v[0].period(), Some("201201"));
        assert!(classic(input, true).is_empty());
    }

    fn replacing() -> ReaderBuilder {
        let mut b = ReaderBuilder::new();
        b.first_row_is_header(false)
            .invalid_utf8(Utf8Policy::Replace);
        b
    }

    #[test]
    fn classic_invalid_utf8_is_replaced() {
        let mut r = replacing().from_reader(&b"d\xffe,\xc3\n"[..]).unwrap();
        let mut v = DataValue::new();
        assert!(r.read_value(&mut v).unwrap());
        assert_eq!(v.data_element(), Some("d\u{FFFD}e"));
        assert_eq!(v.period(), Some("\u{FFFD}"));
        assert_eq!(
            r.replaced_utf8(),
            Some((2, TextPosition { line: 1, column: 2 }))
        );
    }

    #[test]
    fn classic_invalid_utf8_is_refused_by_default() {
        let at = |line, column| TextPosition { line, column };
        for (input, record, column, position) in [
            (&b"h\nd\xffe,\xc3\n"[..], 1, 0, at(2, 2)),
            (b"h\nde,pe\nde,\"p\"\"\ne\xc3\"\n", 2, 1, at(4, 2)),
            (b"h\nde,\"\xc3\",\"\xa9\"\n", 1, 1, at(2, 5)),
            (b"h\na,,,,,,,,,tru\xe9,\n", 1, 9, at(2, 14)),
        ] {
            let err = first_error(&ReaderBuilder::new(), input);
            assert!(
                matches!(err.kind(), ErrorKind::InvalidUtf8 { at } if *at == position),
                "{input:?}: {err:?}"
            );
            assert_eq!(err.position().map(|p| p.record()), Some(record));
            assert_eq!(err.column_index(), Some(column));
            assert_eq!(err.category(), Category::Syntax);
        }
        // The skipped header row and columns 12+ are never decoded.
        let mut r = Reader::from_reader(&b"h\xff\nde,,,,,,,,,,,\xff\n"[..]).unwrap();
        let mut v = DataValue::new();
        assert!(r.read_value(&mut v).unwrap());
        assert_eq!(v.data_element(), Some("de"));
    }

    #[test]
    fn classic_fields_are_decoded_each_on_its_own() {
        // Quoted fields lie back to back in the parser's buffer, where `\xc3` + `\xa9` would
        // read as `é`: each field still decodes on its own, as Java's decoder sees them.
        for input in [
            &b"\"\xc3\",\"\xa9\"\n"[..],
            b"\xc3,\xa9\n",
            b"\"\xc3\"\xa9,\"\xa9\"\n",
        ] {
            let mut r = replacing().from_reader(input).unwrap();
            let mut v = DataValue::new();
            assert!(r.read_value(&mut v).unwrap());
            assert_eq!(v.data_element(), Some("\u{FFFD}"), "{input:?}");
            assert_eq!(v.period(), Some("\u{FFFD}"), "{input:?}");
        }
        // Valid text beside invalid text in one record.
        let mut r = replacing()
            .from_reader(&b"\"\xc3\xa9\",\xff, \xe2\x82\xac \n"[..])
            .unwrap();
        let mut v = DataValue::new();
        assert!(r.read_value(&mut v).unwrap());
        assert_eq!(v.data_element(), Some("é"));
        assert_eq!(v.period(), Some("\u{FFFD}"));
        assert_eq!(v.org_unit(), Some("€"));
    }

    #[test]
    fn classic_position_and_columns() {
        let mut r = ReaderBuilder::new()
            .from_reader(&b"h\n\na,b\r\n\"c\nd\",e,f\n\ng"[..])
            .unwrap();
        assert_eq!(r.position(), Position::new(0, 1, 0));
        let mut v = DataValue::new();
        assert!(r.read_value(&mut v).unwrap());
        assert_eq!(r.position(), Position::new(3, 3, 1));
        assert_eq!(r.record_columns(), 2);
        assert!(r.read_value(&mut v).unwrap());
        assert_eq!(r.position(), Position::new(8, 4, 2));
        assert_eq!(r.record_columns(), 3);
        assert!(r.read_value(&mut v).unwrap());
        assert_eq!(r.position(), Position::new(19, 7, 3));
        assert!(!r.read_value(&mut v).unwrap());
        assert!(v.is_empty());
        assert_eq!(r.records_read(), 3);
    }

    #[test]
    fn classic_field_too_long_error_has_position() {
        let long = "x".repeat(MAX_FIELD_CHARS + 1);
        let mut input = String::from("header\n");
        for i in 0..11 {
            input.push_str(&format!("de{i},pe\n"));
        }
        input.push_str(&format!("de,pe,ou,,,{long}\n"));
        let err = first_error(&ReaderBuilder::new(), input.as_bytes());
        assert_eq!(err.category(), Category::Limit);
        assert!(matches!(
            err.kind(),
            ErrorKind::FieldTooLong { limit: 100_000, .. }
        ));
        assert_eq!(err.column_index(), Some(5));
        assert_eq!(
            err.position().map(|p| (p.record(), p.line())),
            Some((12, 13))
        );
        assert_eq!(
            err.to_string(),
            "record 12 (line 13), column 6: field longer than 100000 characters (javacsv's \
             limit, as DHIS2 2.36-2.42 reads CSV), starting at line 13, byte column 12"
        );
    }

    #[test]
    fn classic_limits_apply_to_the_header_row() {
        let input = format!("{}\nde\n", ",".repeat(MAX_COLUMNS));
        let err = first_error(&ReaderBuilder::new(), input.as_bytes());
        assert!(matches!(err.kind(), ErrorKind::TooManyColumns { .. }));
        assert_eq!(err.position(), Some(Position::new(0, 1, 0)));
        assert_eq!(
            err.to_string(),
            "header row (line 1): record has more than 100000 columns"
        );
    }

    #[test]
    fn reader_is_finished_after_an_error() {
        let input = format!("h\n{}\nde\n", "x".repeat(MAX_FIELD_CHARS + 1));
        let mut r = ReaderBuilder::new().from_reader(input.as_bytes()).unwrap();
        let mut v = DataValue::new();
        assert!(r.read_value(&mut v).is_err());
        assert!(!r.read_value(&mut v).unwrap());
        let mut r = ReaderBuilder::new().from_reader(input.as_bytes()).unwrap();
        let values: Vec<_> = r.values().collect();
        assert_eq!(values.len(), 1);
        assert!(values[0].is_err());
    }

    #[test]
    fn data_set_goes_to_the_header() {
        for profile in [ImporterProfile::Classic, ImporterProfile::Pipeline] {
            let r = ReaderBuilder::new()
                .profile(profile)
                .data_set("pBOMPrpg1QX")
                .from_reader(&b"dataElement\n"[..])
                .unwrap();
            assert_eq!(r.header().data_set.as_deref(), Some("pBOMPrpg1QX"));
            assert_eq!(r.profile(), profile);
            let r = ReaderBuilder::new()
                .profile(profile)
                .from_reader(&b"dataElement\n"[..])
                .unwrap();
            assert!(r.header().is_empty());
        }
    }

    #[test]
    fn builder_from_options() {
        let options = ImportOptions {
            profile: ImporterProfile::Pipeline,
            first_row_is_header: false,
            data_set: Some("ds".into()),
            ..ImportOptions::default()
        };
        let err = ReaderBuilder::from_options(&options)
            .from_reader(&b"dataElement\n"[..])
            .unwrap_err();
        assert!(matches!(err.kind(), ErrorKind::HeaderRowRequired));
    }

    #[test]
    fn compressed_input_is_refused() {
        for (bytes, format) in [
            (&b"PK\x03\x04rest"[..], "ZIP"),
            (&b"\x1f\x8b\x08"[..], "GZIP"),
        ] {
            for profile in [ImporterProfile::Classic, ImporterProfile::Pipeline] {
                let err = ReaderBuilder::new()
                    .profile(profile)
                    .from_reader(bytes)
                    .unwrap_err();
                assert!(matches!(err.kind(), ErrorKind::Compressed { format: f } if *f == format));
                assert_eq!(err.category(), Category::Unsupported);
            }
        }
    }

    #[test]
    fn pipeline_requires_a_header() {
        let err = ReaderBuilder::new()
            .profile(ImporterProfile::Pipeline)
            .first_row_is_header(false)
            .from_reader(&b"dataElement\nx\n"[..])
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "CSV without header row is no longer supported."
        );
        assert_eq!(err.category(), Category::Unsupported);
        let err = ReaderBuilder::new()
            .profile(ImporterProfile::Pipeline)
            .from_reader(&b""[..])
            .unwrap_err();
        assert_eq!(err.to_string(), "No header line provided.");
        assert_eq!(err.category(), Category::Header);
    }

    #[test]
    fn pipeline_maps_export_header_case_insensitively() {
        let v = pipeline(
            "\"dataelement\",\"period\",\"orgunit\",\"categoryoptioncombo\",\"attributeoptioncombo\",\"value\",\"storedby\",\"lastupdated\",\"comment\",\"followup\",\"deleted\"\n\
             \"de\",\"201201\",\"ou\",\"\",\"\",\"10\",\"john\",\"2012-01-01\",\"c\",\"false\",\"TRUE\"\n",
        );
        assert_eq!(v.len(), 1);
        let v = &v[0];
        assert_eq!(v.data_element(), Some("de"));
        assert_eq!(v.period(), Some("201201"));
        assert_eq!(v.org_unit(), Some("ou"));
        assert_eq!(v.category_option_combo(), Some(""));
        assert_eq!(v.attribute_option_combo(), Some(""));
        assert_eq!(v.value(), Some("10"));
        assert_eq!(v.stored_by(), None);
        assert_eq!(v.last_updated(), None);
        assert_eq!(v.comment(), Some("c"));
        assert_eq!(v.followup(), Some(false));
        assert_eq!(v.deleted(), Some(true));
    }

    #[test]
    fn pipeline_nulls_and_missing_fields() {
        let v = pipeline(
            "dataElement,period,value,comment,followUp,deleted\nde, null ,\"null\",,\n de2\n",
        );
        assert_eq!(v.len(), 2);
        assert_eq!(v[0].data_element(), Some("de"));
        assert_eq!(v[0].period(), None);
        assert_eq!(v[0].value(), None);
        assert_eq!(v[0].comment(), None);
        assert_eq!(v[0].followup(), None);
        assert_eq!(v[0].deleted(), None);
        assert_eq!(v[1].data_element(), Some("de2"));
        assert_eq!(v[1].period(), None);
        // Columns not in the header are absent, not empty.
        assert_eq!(v[1].org_unit(), None);
    }

    #[test]
    fn pipeline_booleans_parse_boolean() {
        let v = pipeline("dataElement,followup,deleted\na,TRUE,yes\nb,\"\",1\n");
        assert_eq!((v[0].followup(), v[0].deleted()), (Some(true), Some(false)));
        assert_eq!(
            (v[1].followup(), v[1].deleted()),
            (Some(false), Some(false))
        );
    }

    #[test]
    fn pipeline_extra_fields_ignored_and_empty_line_stops() {
        let v = pipeline("dataElement,value\na,1,extra,more\n\nb,2\n");
        assert_eq!(v.len(), 1);
        assert_eq!(v[0].value(), Some("1"));
    }

    #[test]
    fn pipeline_crlf_stops_after_the_first_row() {
        let input = "dataelement,period,orgunit,value\r\nde,201201,ou,1\r\nde,201202,ou,2\r\n";
        let v = pipeline(input);
        assert_eq!(v.len(), 1, "DHIS2 2.43 reads one row of a CRLF file");
        assert_eq!(v[0].value(), Some("1"));
        // The classic reader reads both.
        assert_eq!(classic(input, true).len(), 2);
        // CR alone is fine for both.
        let cr = input.replace("\r\n", "\r");
        assert_eq!(pipeline(&cr).len(), 2);
        assert_eq!(classic(&cr, true).len(), 2);
    }

    #[test]
    fn pipeline_extra_columns_and_attribute_components() {
        let mut r = ReaderBuilder::new()
            .profile(ImporterProfile::Pipeline)
            .from_reader(
                &b"dataElement,storedBy,Timestamp,lastupdated,age,attributeCombo,attributeOptions\nde,john,t,2020,>15,cc,o1 o2\nde2,x,,null\n"[..],
            )
            .unwrap();
        assert_eq!(
            r.extra_columns().collect::<Vec<_>>(),
            ["lastupdated", "age"]
        );
        assert!(r.extra_columns_are_category_options());
        assert_eq!(r.header_names().count(), 7);
        let mut v = DataValue::new();
        assert!(r.read_value(&mut v).unwrap());
        assert_eq!(v.stored_by(), None);
        assert_eq!(
            r.extra_values().collect::<Vec<_>>(),
            [("lastupdated", Some("2020")), ("age", Some(">15"))]
        );
        assert_eq!(r.attribute_combo(), Some("cc"));
        assert_eq!(r.attribute_options(), Some("o1 o2"));
        assert!(r.read_value(&mut v).unwrap());
        assert_eq!(
            r.extra_values().collect::<Vec<_>>(),
            [("lastupdated", Some("null"))]
        );
        assert_eq!(r.attribute_combo(), None);
        assert_eq!(r.record_columns(), 4);

        let r = ReaderBuilder::new()
            .profile(ImporterProfile::Pipeline)
            .from_reader(&b"dataElement,categoryOptionCombo,age\n"[..])
            .unwrap();
        assert!(!r.extra_columns_are_category_options());
        let r = ReaderBuilder::new()
            .from_reader(&b"dataElement,age\n"[..])
            .unwrap();
        assert_eq!(r.extra_columns().count(), 0);
        assert!(!r.extra_columns_are_category_options());
    }

    fn category_options(v: &DataValue) -> Vec<(&str, Option<&str>)> {
        v.category_options().collect()
    }

    #[test]
    fn pipeline_values_carry_the_extras_in_java_order() {
        // Checked against Java 17: `new HashMap<>(12)` iterates these keys as
        // {sex, lastupdated, x1, x2, zzz, x3, x4, age}; `new HashMap<>(3)` {age, sex}.
        let v = pipeline(
            "dataElement,zzz,sex,age,lastupdated,x1,x2,x3,x4,storedby,attributeCombo,attributeOptions\n\
             de,v,v,,v,v,v,v,v,john,cc,\"cOptBbbbb01 cOptAaaaa01  cOptBbbbb01  \"\n\
             de,v,v,null\n\
             de\n",
        );
        assert_eq!(
            category_options(&v[0]),
            [
                ("sex", Some("v")),
                ("lastupdated", Some("v")),
                ("x1", Some("v")),
                ("x2", Some("v")),
                ("zzz", Some("v")),
                ("x3", Some("v")),
                ("x4", Some("v")),
                ("age", None),
            ]
        );
        assert_eq!(v[0].attribute_combo(), Some("cc"));
        // `Collectors.toSet()` of the parts split on blanks (a trailing run of two blanks
        // gives an empty part).
        assert_eq!(
            v[0].attribute_options().collect::<Vec<_>>(),
            ["", "cOptAaaaa01", "cOptBbbbb01"]
        );
        // Only the columns the line has a field for; the literal `null` is kept.
        assert_eq!(
            category_options(&v[1]),
            [
                ("sex", Some("v")),
                ("zzz", Some("v")),
                ("age", Some("null"))
            ]
        );
        assert!(!v[1].has_attribute_options());
        assert_eq!(v[1].attribute_combo(), None);
        // No field for any extra column: no map at all.
        assert!(!v[2].has_category_options());

        let v = pipeline("dataElement,sex,age\nde,F\nde,F,<5\n");
        assert_eq!(category_options(&v[0]), [("sex", Some("F"))]);
        assert_eq!(
            category_options(&v[1]),
            [("age", Some("<5")), ("sex", Some("F"))]
        );
        // A repeated name keeps its first place and takes the later cell (`Map.put`).
        let v = pipeline("dataElement,sex,age,sex\nde,F,<5,M\n");
        assert_eq!(
            category_options(&v[0]),
            [("age", Some("<5")), ("sex", Some("M"))]
        );
        // A header cell spelt exactly `categoryOptionCombo` switches the map off; the
        // lower-case spelling does not.
        let v = pipeline("dataElement,categoryOptionCombo,sex\nde,,F\n");
        assert!(!v[0].has_category_options());
        let v = pipeline("dataElement,categoryoptioncombo,sex\nde,coc,F\n");
        assert_eq!(v[0].category_option_combo(), Some("coc"));
        assert_eq!(category_options(&v[0]), [("sex", Some("F"))]);
        // `attributeOptions`: `null` is no set, a quoted empty cell a set of one empty option.
        let v = pipeline("dataElement,attributeOptions\nde,null\nde,\"\"\nde,\"b\ta\"\n");
        assert!(!v[0].has_attribute_options());
        assert_eq!(v[1].attribute_options().collect::<Vec<_>>(), [""]);
        assert_eq!(v[2].attribute_options().collect::<Vec<_>>(), ["a", "b"]);
        // The classic reader keeps none of it.
        let v = classic("h\nde,pe,ou,coc,aoc,val,by,lu,com,f,d,x\n", true);
        assert!(!v[0].has_category_options());
    }

    #[test]
    fn java_hash_and_table_size() {
        use crate::pipeline::{java_hash, java_table_size};
        assert_eq!(java_hash("a"), 97);
        assert_eq!(java_hash("Aa"), java_hash("BB"));
        assert_eq!(java_hash(""), 0);
        // "polygenelubricants".hashCode() == Integer.MIN_VALUE; spread: h ^ (h >>> 16).
        assert_eq!(java_hash("polygenelubricants"), 0x8000_8000);
        assert_eq!(java_table_size(0, 1), 2);
        assert_eq!(java_table_size(0, 3), 4);
        assert_eq!(java_table_size(6, 6), 8);
        assert_eq!(java_table_size(6, 7), 16);
        assert_eq!(java_table_size(16, 12), 16);
        assert_eq!(java_table_size(16, 13), 32);
    }

    #[test]
    fn pipeline_duplicate_columns_last_wins() {
        let v = pipeline("value,VALUE\n1,2\n3,null\n");
        assert_eq!(v[0].value(), Some("2"));
        assert_eq!(v[1].value(), None);
    }

    #[test]
    fn pipeline_bom_makes_first_column_extra() {
        let mut r = ReaderBuilder::new()
            .profile(ImporterProfile::Pipeline)
            .from_reader("\u{FEFF}\"dataelement\",\"value\"\n\"de\",\"1\"\n".as_bytes())
            .unwrap();
        assert_eq!(
            r.extra_columns().collect::<Vec<_>>(),
            ["\u{FEFF}\"dataelement\""]
        );
        let mut v = DataValue::new();
        assert!(r.read_value(&mut v).unwrap());
        assert_eq!(v.data_element(), None);
        assert_eq!(v.value(), Some("1"));
    }

    #[test]
    fn pipeline_empty_header_with_data_fails_at_that_line() {
        let err = first_error(
            ReaderBuilder::new().profile(ImporterProfile::Pipeline),
            b"\nde\n",
        );
        assert!(matches!(err.kind(), ErrorKind::EmptyHeader));
        assert_eq!(err.position(), Some(Position::new(1, 2, 1)));
        let err = ReaderBuilder::new()
            .profile(ImporterProfile::Pipeline)
            .from_reader(&b"a,\"\n"[..])
            .unwrap_err();
        assert!(matches!(err.kind(), ErrorKind::InvalidHeaderCell { cell } if cell == "\""));
    }

    #[test]
    fn pipeline_positions() {
        let mut r = ReaderBuilder::new()
            .profile(ImporterProfile::Pipeline)
            .from_reader(&b"value\r1\r22\r"[..])
            .unwrap();
        let mut v = DataValue::new();
        assert!(r.read_value(&mut v).unwrap());
        assert_eq!(r.position(), Position::new(6, 2, 1));
        assert!(r.read_value(&mut v).unwrap());
        assert_eq!(r.position(), Position::new(8, 3, 2));
        assert!(!r.read_value(&mut v).unwrap());
    }

    #[test]
    fn reusable_record_keeps_its_buffer() {
        let input =
            "h\n".to_string() + &"de,201201,ou,coc,aoc,12345,john,2012,comment,false,\n".repeat(50);
        let mut r = Reader::from_reader(input.as_bytes()).unwrap();
        let mut v = DataValue::new();
        assert!(r.read_value(&mut v).unwrap());
        let first = v.clone();
        let mut n = 1;
        while r.read_value(&mut v).unwrap() {
            assert_eq!(v, first);
            n += 1;
        }
        assert_eq!(n, 50);
    }
}
