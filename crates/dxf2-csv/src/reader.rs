//! The CSV reader: [`ReaderBuilder`] → [`Reader`], a [`DataValueSource`].

use std::convert::Infallible;
use std::io::{self, BufRead};

use dxf2_model::{
    DataValue, DataValueSetHeader, DataValueSource, Field, ImportOptions, ImporterProfile,
    ReadLimits, TextPosition, Values,
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
            unterminated: None,
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

/// DHIS2 sniffs ZIP and GZIP signatures and decompresses such input; this crate reads plain CSV only. Looks at the
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
    /// Set when the parser reports the end: the line on which the input ends, when its last
    /// record has no line end.
    unterminated: Option<u64>,
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
                let unterminated = match &self.imp {
                    Imp::Classic(p) => p.unterminated(),
                    Imp::Pipeline(p) => p.unterminated(),
                };
                self.unterminated = unterminated.then_some(self.track.line);
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
    pub fn values(&mut self) -> Values<'_, Reader<R>> {
        Values::new(self)
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

    /// Where the last value read starts, as every reader says it: the line of its record and
    /// column 1 (a record starts a line). `None` before the first value. The same as
    /// [`DataValueSource::value_position`]; [`Reader::position`] has the byte offset too.
    ///
    /// ```
    /// use dxf2_csv::Reader;
    /// use dxf2_model::{DataValue, TextPosition};
    ///
    /// let csv = "de,pe,ou,coc,aoc,value\nDE1,202401,OU1,,,\"two\nlines\"\nDE2,202401,OU1,,,3\n";
    /// let mut reader = Reader::from_reader(csv.as_bytes())?;
    /// let mut value = DataValue::new();
    /// assert_eq!(reader.value_position(), None);
    /// assert!(reader.read_value(&mut value)?);
    /// assert_eq!(reader.value_position(), Some(TextPosition { line: 2, column: 1 }));
    /// assert!(reader.read_value(&mut value)?);
    /// assert_eq!(reader.value_position(), Some(TextPosition { line: 4, column: 1 }));
    /// # Ok::<(), dxf2_csv::Error>(())
    /// ```
    pub fn value_position(&self) -> Option<TextPosition> {
        (self.records > 0).then_some(TextPosition {
            line: self.position.line(),
            column: 1,
        })
    }

    /// Number of values read so far.
    pub fn records_read(&self) -> u64 {
        self.records
    }

    /// Once [`Reader::read_value`] has returned `Ok(false)` at the end of the input: the line on
    /// which the input ends when its last record (or line) has no line end (no CR or LF after
    /// it), else `None`. `None` too before the end and after an error.
    ///
    /// DHIS2 imports such a last record as it is, though it is what a file cut short looks like
    /// (a value `61` cut to `6`, or cut after the org unit so that the value is empty): a caller
    /// can say so. The line is where the input ends, so for a record holding a quoted line break
    /// it is the record's last line. The header row counts: a header without a line end and
    /// nothing after it gives line 1. Under [`ImporterProfile::Pipeline`] the data end at the
    /// first empty line (as in DHIS2 2.43): what follows it is never read, so this says nothing
    /// about it. Knowing costs nothing per record: the parser notes it when the input ends.
    ///
    /// ```
    /// use dxf2_csv::Reader;
    /// use dxf2_model::DataValue;
    ///
    /// let csv = "de,pe,ou,coc,aoc,value\nDE1,202401,OU1,,,61\nDE2,202401,OU1,,,6";
    /// let mut reader = Reader::from_reader(csv.as_bytes())?;
    /// let mut value = DataValue::new();
    /// while reader.read_value(&mut value)? {}
    /// assert_eq!(reader.last_record_unterminated(), Some(3));
    /// # Ok::<(), dxf2_csv::Error>(())
    /// ```
    pub fn last_record_unterminated(&self) -> Option<u64> {
        self.unterminated
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

    fn value_position(&self) -> Option<TextPosition> {
        Reader::value_position(self)
    }
}

#[cfg(test)]
mod tests;
