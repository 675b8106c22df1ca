//! The streaming data value set reader.

use std::io::{BufRead, BufReader, Read, Seek, SeekFrom};

use dxf2_model::{
    DataValue, DataValueSetHeader, DataValueSource, Field, ImporterProfile, ReadLimits, Values,
};

use crate::error::{Error, ErrorKind, JsonType, Position, Result};
use crate::tokenizer::Tokenizer;
use members::{
    read_header_member, read_key_into, read_opt_bool, read_option_into, wrong_type, HeaderKey,
    ValueKey, ENTRY_BYTES, SCALAR,
};
use top_level::TopLevel;

mod members;
#[cfg(test)]
mod tests;
mod top_level;

/// Options of a [`Reader`]: the importer generation's key rules, the memory limits, and
/// whether any JSON object is read as a data value set.
///
/// ```
/// use dxf2_json::{ErrorKind, Reader};
/// use dxf2_model::{ImporterProfile, ReadLimits};
///
/// let builder = Reader::builder()
///     .profile(ImporterProfile::Pipeline)
///     .limits(ReadLimits::default().with_max_token_bytes(64 * 1024 * 1024));
/// let mut reader = builder.from_reader(&br#"{"dataValues":[{"dataElement":"a"}]}"#[..])?;
/// assert_eq!(reader.values().count(), 1);
///
/// // A JSON object that is not a data value set is refused, unless asked otherwise.
/// let tracker = br#"{"trackedEntities":[]}"#;
/// let err = Reader::builder().from_reader(&tracker[..]).err().unwrap();
/// assert!(matches!(err.kind(), ErrorKind::NotADataValueSet { .. }));
/// let lax = Reader::builder().accept_any_object(true).from_reader(&tracker[..])?;
/// assert!(lax.header().is_empty());
/// # Ok::<(), dxf2_json::Error>(())
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct ReaderBuilder {
    profile: ImporterProfile,
    limits: ReadLimits,
    accept_any_object: bool,
}

impl ReaderBuilder {
    /// The defaults: classic (2.36–2.42) key rules, [`ReadLimits::default`], strict documents.
    pub fn new() -> ReaderBuilder {
        ReaderBuilder::default()
    }

    /// The key rules of an importer generation (see [`Reader::with_profile`]).
    pub fn profile(mut self, profile: ImporterProfile) -> ReaderBuilder {
        self.profile = profile;
        self
    }

    /// The memory limits: a string or number longer than
    /// [`ReadLimits::max_token_bytes`] is refused ([`ErrorKind::TokenTooLong`]), also inside
    /// values that are skipped.
    pub fn limits(mut self, limits: ReadLimits) -> ReaderBuilder {
        self.limits = limits;
        self
    }

    /// Whether a non-empty JSON object with neither `dataValues` nor any set-level key is read
    /// as an empty data value set, as DHIS2 does (`true`), or refused with
    /// [`ErrorKind::NotADataValueSet`] (`false`, the default). `{}` is an empty data value set
    /// either way.
    pub fn accept_any_object(mut self, accept: bool) -> ReaderBuilder {
        self.accept_any_object = accept;
        self
    }

    /// Opens a data value set, reading up to the start of its values (see [`Reader::new`]).
    pub fn from_reader<R: BufRead>(self, reader: R) -> Result<Reader<R>> {
        let mut r = Reader::unopened(reader, self, Mode::Streaming);
        r.open()?;
        r.tok.sync();
        Ok(r)
    }

    /// Opens a seekable data value set with DHIS2's exact semantics for set-level keys (see
    /// [`Reader::from_seekable`]).
    pub fn from_seekable<S: Read + Seek>(self, input: S) -> Result<Reader<BufReader<S>>> {
        let mut input = BufReader::new(input);
        let start = input
            .stream_position()
            .map_err(|e| Error::new(ErrorKind::Io(e)))?;
        let mut r = Reader::unopened(input, self, Mode::Streaming);
        let arrays = r.prescan()?;
        r.tok
            .get_mut()
            .seek(SeekFrom::Start(start))
            .map_err(|e| Error::new(ErrorKind::Io(e)))?;
        r.tok.reset();
        r.top = TopLevel::default();
        r.mode = Mode::Seekable {
            skip_arrays: arrays.saturating_sub(1),
        };
        r.open()?;
        r.tok.sync();
        Ok(r)
    }
}

/// Where the reader is in the document.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    /// Between members of the top-level object.
    Members { first: bool },
    /// Inside the `dataValues` array being read.
    Values { first: bool },
    /// The document ended (or reading failed).
    Done,
}

/// How set-level keys are handled.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    /// Header keys are read as they come; after values they are checked.
    Streaming,
    /// The header was collected by a first pass; `skip_arrays` earlier `dataValues` arrays are
    /// skipped so that only the last one is read (Jackson: the last duplicate key wins).
    Seekable { skip_arrays: u64 },
}

/// A streaming reader of DXF2 JSON data value sets (`{"dataSet": …, "dataValues": [ … ]}`).
///
/// It pulls one data value at a time into a caller's reusable [`DataValue`], with the rules of
/// DHIS2's Jackson binding (see the crate documentation): unknown keys are ignored whatever
/// their shape, every text key takes the token's text (`"value": 10` reads `"10"`), an empty
/// text or `null` is absent, the last of duplicate keys wins.
///
/// Set-level keys may appear anywhere in a JSON object; DHIS2 reads the whole document before
/// importing. [`Reader::new`] streams and knows the header keys written before `dataValues`
/// when it is open; a header key after `dataValues` that would change the values already read
/// is reported as [`ErrorKind::HeaderAfterValues`] by the last [`Reader::read_value`] call.
/// [`Reader::from_seekable`] first scans the document (skipping the values in constant memory)
/// to collect every header key, then rewinds and streams: exactly DHIS2's semantics.
///
/// After an error the reader is finished: further calls return `Ok(false)`.
pub struct Reader<R> {
    tok: Tokenizer<R>,
    profile: ImporterProfile,
    /// Whether an object that is not a data value set is read as an empty one.
    accept_any_object: bool,
    /// What the top-level keys say about the document.
    top: TopLevel,
    header: DataValueSetHeader,
    state: State,
    mode: Mode,
    values_read: u64,
    /// Where the object of the last value read (or being read) starts.
    value_at: Option<Position>,
    /// Reusable texts for the category → option maps of values (2.43+).
    scratch_key: String,
    scratch_option: String,
}

impl Reader<()> {
    /// The options of a reader: key rules, memory limits, strictness ([`ReaderBuilder`]).
    pub fn builder() -> ReaderBuilder {
        ReaderBuilder::new()
    }
}

impl<R: BufRead> Reader<R> {
    /// Opens a data value set with the classic (2.36–2.42) key rules, reading up to the start
    /// of the values.
    pub fn new(reader: R) -> Result<Reader<R>> {
        Reader::with_profile(reader, ImporterProfile::Classic)
    }

    /// Opens a data value set with the key rules of an importer generation.
    ///
    /// [`ImporterProfile::Pipeline`] (2.43+) reads `followUp` (capital U) instead of
    /// `followup`, ignores `strategy`, `attributeCategoryOptions`, `storedBy`, `created` and
    /// `lastUpdated`, and reads `attributeOptionComboIdScheme`, `categoryIdScheme`,
    /// `categoryOptionIdScheme` and the `deletion` scope
    /// ([`DataValueSetHeader::deletion`]). It also takes the object forms of the set-level
    /// `attributeOptionCombo` ([`DataValueSetHeader::attribute_option_combo_options`]) and of a
    /// value's `categoryOptionCombo` ([`DataValue::category_options`]): category → category
    /// option maps, kept in document order.
    ///
    /// [`Reader::builder`] sets the other options (memory limits, lax documents).
    pub fn with_profile(reader: R, profile: ImporterProfile) -> Result<Reader<R>> {
        ReaderBuilder::new().profile(profile).from_reader(reader)
    }

    fn unopened(reader: R, options: ReaderBuilder, mode: Mode) -> Reader<R> {
        Reader {
            tok: Tokenizer::with_limits(reader, options.limits),
            profile: options.profile,
            accept_any_object: options.accept_any_object,
            top: TopLevel::default(),
            header: DataValueSetHeader::default(),
            state: State::Done,
            mode,
            values_read: 0,
            value_at: None,
            scratch_key: String::new(),
            scratch_option: String::new(),
        }
    }

    /// Reads up to `{` and then up to the first `dataValues` array (or the end).
    fn open(&mut self) -> Result<()> {
        self.open_object()?;
        self.state = State::Members { first: true };
        let result = self.run_members();
        if result.is_err() {
            self.state = State::Done;
        }
        result
    }

    fn open_object(&mut self) -> Result<()> {
        self.tok.skip_bom()?;
        let next = self.tok.skip_ws()?;
        if next == Some(b'{') {
            return self.tok.open(b'{');
        }
        if next.is_none() {
            return Err(Error::at(
                ErrorKind::UnexpectedEof {
                    expected: "a JSON object (a data value set)",
                },
                self.tok.position(),
            ));
        }
        let found = self.tok.peek_type()?;
        Err(Error::at(
            ErrorKind::NotAnObject { found },
            self.tok.position(),
        ))
    }

    /// Reads top-level members until a `dataValues` array to read starts, or the document ends.
    fn run_members(&mut self) -> Result<()> {
        while let State::Members { first } = self.state {
            if !self.tok.next_member(first)? {
                self.tok.leave();
                self.tok.expect_end()?;
                self.state = State::Done;
                return self.check_data_value_set();
            }
            self.state = State::Members { first: false };
            let key_at = self.tok.position();
            let profile = self.profile;
            let top = &mut self.top;
            let (key, is_type) = self
                .tok
                .read_key_with(|k| (HeaderKey::of(profile, k), top.note_key(k, key_at)))?;
            match (key, self.mode) {
                (HeaderKey::DataValues, _) => self.start_values(key_at)?,
                (HeaderKey::Unknown, _) if is_type => self.read_type_member()?,
                (HeaderKey::Unknown, _) | (_, Mode::Seekable { .. }) => self.tok.skip_value()?,
                (known, Mode::Streaming) if self.values_read == 0 => {
                    read_header_member(&mut self.tok, self.profile, &mut self.header, known)?;
                }
                (known, Mode::Streaming) => {
                    let mut later = self.header.clone();
                    read_header_member(&mut self.tok, self.profile, &mut later, known)?;
                    if later != self.header {
                        return Err(Error::at(
                            ErrorKind::HeaderAfterValues {
                                key: known.name().to_owned(),
                            },
                            key_at,
                        ));
                    }
                }
            }
        }
        Ok(())
    }

    /// The value of an unknown top-level `type` key: GeoJSON's `"FeatureCollection"` or
    /// `"Feature"` tells what a document that is not a data value set is.
    fn read_type_member(&mut self) -> Result<()> {
        if self.tok.peek_type()? != JsonType::String {
            return self.tok.skip_value();
        }
        let text = self.tok.read_scalar_scratch(JsonType::String)?;
        self.top.note_type(text);
        Ok(())
    }

    /// At the end of the document: refuses a non-empty object that is not a data value set
    /// (unless the reader accepts any object).
    fn check_data_value_set(&mut self) -> Result<()> {
        if self.accept_any_object {
            return Ok(());
        }
        match self.top.refusal() {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }

    /// At the value of a `dataValues` key: enters the array, or skips what is not to be read.
    fn start_values(&mut self, key_at: Position) -> Result<()> {
        match &mut self.mode {
            Mode::Seekable { skip_arrays } if *skip_arrays > 0 => {
                *skip_arrays -= 1;
                return self.tok.skip_value();
            }
            Mode::Streaming if self.values_read > 0 => {
                return Err(Error::at(ErrorKind::DuplicateDataValues, key_at));
            }
            _ => {}
        }
        let ty = self.tok.peek_type()?;
        match ty {
            JsonType::Null => self.tok.read_literal("null"),
            JsonType::Array => {
                self.tok.open(b'[')?;
                self.state = State::Values { first: true };
                Ok(())
            }
            _ => Err(Error::at(
                ErrorKind::WrongType {
                    key: "dataValues".to_owned(),
                    expected: "an array of data values or null",
                    found: ty,
                },
                self.tok.position(),
            )),
        }
    }

    /// The importer generation whose key rules this reader applies.
    pub fn profile(&self) -> ImporterProfile {
        self.profile
    }

    /// The set header: every set-level key before `dataValues` once the reader is open (every
    /// key of the document for [`Reader::from_seekable`]); with [`Reader::new`], keys after
    /// `dataValues` are added as they are read, so the header is final once
    /// [`Reader::read_value`] returned `Ok(false)`.
    pub fn header(&self) -> &DataValueSetHeader {
        &self.header
    }

    /// The number of data values read so far.
    pub fn values_read(&self) -> u64 {
        self.values_read
    }

    /// The position of the next character to read.
    pub fn position(&self) -> Position {
        self.tok.position()
    }

    /// Where the last value read starts: the `{` of its object (`None` before the first value).
    /// The same as [`DataValueSource::value_position`].
    ///
    /// ```
    /// use dxf2_json::Reader;
    /// use dxf2_model::{DataValue, TextPosition};
    ///
    /// let json = "{\"dataValues\": [\n  {\"value\": \"1\"},\n    {\"value\": \"2\"}\n]}";
    /// let mut reader = Reader::new(json.as_bytes())?;
    /// let mut value = DataValue::new();
    /// assert_eq!(reader.value_position(), None);
    /// assert!(reader.read_value(&mut value)?);
    /// assert_eq!(reader.value_position(), Some(TextPosition { line: 2, column: 3 }));
    /// assert!(reader.read_value(&mut value)?);
    /// assert_eq!(reader.value_position(), Some(TextPosition { line: 3, column: 5 }));
    /// # Ok::<(), dxf2_json::Error>(())
    /// ```
    pub fn value_position(&self) -> Option<Position> {
        self.value_at
    }

    /// Reads the next data value into `record` (cleared first). Returns `Ok(false)` at the end
    /// of the document, which has then been checked to the last byte.
    ///
    /// Allocates nothing once `record`'s buffer has grown to the longest value: texts are
    /// decoded straight into the record.
    pub fn read_value(&mut self, record: &mut DataValue) -> Result<bool> {
        record.clear();
        let result = self.next_value(record);
        self.tok.sync();
        if result.is_err() {
            self.state = State::Done;
        }
        result
    }

    fn next_value(&mut self, record: &mut DataValue) -> Result<bool> {
        loop {
            match self.state {
                State::Done => return Ok(false),
                State::Members { .. } => self.run_members()?,
                State::Values { first } => {
                    let index = self.values_read;
                    let more = self
                        .tok
                        .next_element(first)
                        .map_err(|e| e.with_value_index(index))?;
                    if more {
                        self.state = State::Values { first: false };
                        self.read_value_object(record)
                            .map_err(|e| e.with_value_index(index))?;
                        self.values_read += 1;
                        return Ok(true);
                    }
                    self.tok.leave();
                    self.state = State::Members { first: false };
                }
            }
        }
    }

    fn read_value_object(&mut self, record: &mut DataValue) -> Result<()> {
        let ty = self.tok.peek_type()?;
        if ty != JsonType::Object {
            return Err(Error::at(
                ErrorKind::WrongType {
                    key: "dataValues".to_owned(),
                    expected: "an object (a data value) for each element",
                    found: ty,
                },
                self.tok.position(),
            ));
        }
        self.tok.start_record("a data value");
        self.value_at = Some(self.tok.position());
        self.tok.open(b'{')?;
        let mut first = true;
        let profile = self.profile;
        while self.tok.next_member(first)? {
            first = false;
            match self.tok.read_key_with(|k| ValueKey::of(profile, k))? {
                ValueKey::Text(field) => self.read_text_field(record, field)?,
                ValueKey::FollowUp(key) => record.set_followup(read_opt_bool(&mut self.tok, key)?),
                ValueKey::Deleted => record.set_deleted(read_opt_bool(&mut self.tok, "deleted")?),
                ValueKey::Unknown => self.tok.skip_value()?,
            }
        }
        self.tok.leave();
        Ok(())
    }

    /// Decodes a text straight into the record's buffer (no allocation).
    fn read_text_field(&mut self, record: &mut DataValue, field: Field) -> Result<()> {
        let tok = &mut self.tok;
        let mut container = None;
        record.set_with(field, |buf| {
            container = tok.read_text_into(buf)?;
            Ok::<(), Error>(())
        })?;
        let category_options =
            self.profile == ImporterProfile::Pipeline && field == Field::CategoryOptionCombo;
        if let Some(ty) = container {
            if category_options && ty == JsonType::Object {
                // 2.43+: a category → category option map instead of an identifier.
                record.remove(field);
                return self.read_category_options(record);
            }
            return Err(wrong_type(field.name(), SCALAR, ty, self.tok.position()));
        }
        if category_options {
            // The last `categoryOptionCombo` key wins.
            record.remove_category_options();
        }
        // `null` appended nothing: like `""`, it makes the field absent.
        match record.get(field) {
            Some("") => record.remove(field),
            // A repeated key leaves its earlier text in the record's buffer: count them all.
            Some(text) => self.tok.spend(text.len())?,
            None => {}
        }
        Ok(())
    }

    /// The object form of a value's `categoryOptionCombo` (2.43+), into the record's category
    /// options (document order, `Map.put` semantics); no allocation once the scratch texts and
    /// the record have grown.
    fn read_category_options(&mut self, record: &mut DataValue) -> Result<()> {
        self.tok.open(b'{')?;
        record.remove_category_options();
        record.start_category_options();
        let mut first = true;
        while self.tok.next_member(first)? {
            first = false;
            read_key_into(&mut self.tok, &mut self.scratch_key)?;
            let present = read_option_into(
                &mut self.tok,
                "categoryOptionCombo",
                &mut self.scratch_option,
            )?;
            self.tok
                .spend(self.scratch_key.len() + self.scratch_option.len() + ENTRY_BYTES)?;
            let option = present.then_some(self.scratch_option.as_str());
            record.put_category_option(&self.scratch_key, option);
        }
        self.tok.leave();
        Ok(())
    }

    /// An iterator of owned values (one allocation per value; [`Reader::read_value`] avoids it).
    /// It ends after the first error.
    pub fn values(&mut self) -> Values<'_, Reader<R>> {
        Values::new(self)
    }

    /// The underlying reader.
    pub fn get_ref(&self) -> &R {
        self.tok.get_ref()
    }

    /// The underlying reader, positioned after what was read so far.
    pub fn into_inner(self) -> R {
        self.tok.into_inner()
    }
}

impl<S: Read + Seek> Reader<BufReader<S>> {
    /// Opens a seekable data value set with the classic key rules and DHIS2's exact semantics
    /// for set-level keys: a first pass collects every set-level key wherever it is (skipping
    /// the values in constant memory), then the reader rewinds and streams the values. When
    /// `dataValues` occurs more than once, only the last array is read, as Jackson does.
    pub fn from_seekable(input: S) -> Result<Reader<BufReader<S>>> {
        Reader::from_seekable_with_profile(input, ImporterProfile::Classic)
    }

    /// [`Reader::from_seekable`] with the key rules of an importer generation.
    pub fn from_seekable_with_profile(
        input: S,
        profile: ImporterProfile,
    ) -> Result<Reader<BufReader<S>>> {
        ReaderBuilder::new().profile(profile).from_seekable(input)
    }
}

impl<R: BufRead> Reader<R> {
    /// First pass of [`Reader::from_seekable`]: every set-level key, last one wins; returns the
    /// number of `dataValues` keys.
    fn prescan(&mut self) -> Result<u64> {
        self.open_object()?;
        let mut arrays = 0u64;
        let mut first = true;
        let profile = self.profile;
        while self.tok.next_member(first)? {
            first = false;
            let key_at = self.tok.position();
            let top = &mut self.top;
            let (key, is_type) = self
                .tok
                .read_key_with(|k| (HeaderKey::of(profile, k), top.note_key(k, key_at)))?;
            match key {
                HeaderKey::DataValues => {
                    arrays += 1;
                    self.tok.skip_value()?;
                }
                HeaderKey::Unknown if is_type => self.read_type_member()?,
                HeaderKey::Unknown => self.tok.skip_value()?,
                known => read_header_member(&mut self.tok, self.profile, &mut self.header, known)?,
            }
        }
        self.tok.leave();
        self.tok.expect_end()?;
        self.check_data_value_set()?;
        Ok(arrays)
    }
}

impl<R: BufRead> DataValueSource for Reader<R> {
    type Error = Error;

    fn header(&self) -> &DataValueSetHeader {
        Reader::header(self)
    }

    fn read_value(&mut self, record: &mut DataValue) -> Result<bool> {
        Reader::read_value(self, record)
    }

    fn value_position(&self) -> Option<Position> {
        self.value_at
    }
}
