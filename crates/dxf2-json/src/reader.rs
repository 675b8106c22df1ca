//! The streaming data value set reader.

use std::io::{BufRead, BufReader, Read, Seek, SeekFrom};

use dxf2_model::{
    DataValue, DataValueSetHeader, DataValueSource, DeletionElement, DeletionScope, Field,
    ImporterProfile, ReadLimits, SchemeTarget,
};

use crate::error::{DocumentKind, Error, ErrorKind, JsonType, Position, Result};
use crate::tokenizer::Tokenizer;

/// What a string-typed key accepts, for messages.
const SCALAR: &str = "a string, number, boolean or null";

/// What a category → option map accepts as an option, for messages.
const OPTION: &str = "a category option (a string) or null";

/// What an element of a list or map costs beyond its text, counted against
/// [`ReadLimits::max_record_bytes`].
const ENTRY_BYTES: usize = std::mem::size_of::<String>();

/// A set-level text key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum HeaderText {
    DataSet,
    CompleteDate,
    Period,
    OrgUnit,
    AttributeOptionCombo,
    Strategy,
    Scheme(Option<SchemeTarget>),
}

/// A set-level key as the profile reads it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum HeaderKey {
    DataValues,
    Text(HeaderText),
    DryRun,
    AttributeCategoryOptions,
    Deletion,
    Unknown,
}

impl HeaderKey {
    /// Classifies a top-level key (exact, case-sensitive names, as Jackson binds them).
    fn of(profile: ImporterProfile, key: &[u8]) -> HeaderKey {
        let pipeline = profile == ImporterProfile::Pipeline;
        match key {
            b"dataValues" => HeaderKey::DataValues,
            b"dataSet" => HeaderKey::Text(HeaderText::DataSet),
            b"completeDate" => HeaderKey::Text(HeaderText::CompleteDate),
            b"period" => HeaderKey::Text(HeaderText::Period),
            b"orgUnit" => HeaderKey::Text(HeaderText::OrgUnit),
            b"attributeOptionCombo" => HeaderKey::Text(HeaderText::AttributeOptionCombo),
            b"dryRun" => HeaderKey::DryRun,
            b"idScheme" => HeaderKey::Text(HeaderText::Scheme(None)),
            b"dataElementIdScheme" => {
                HeaderKey::Text(HeaderText::Scheme(Some(SchemeTarget::DataElement)))
            }
            b"orgUnitIdScheme" => HeaderKey::Text(HeaderText::Scheme(Some(SchemeTarget::OrgUnit))),
            b"categoryOptionComboIdScheme" => {
                HeaderKey::Text(HeaderText::Scheme(Some(SchemeTarget::CategoryOptionCombo)))
            }
            b"dataSetIdScheme" => HeaderKey::Text(HeaderText::Scheme(Some(SchemeTarget::DataSet))),
            b"strategy" if !pipeline => HeaderKey::Text(HeaderText::Strategy),
            b"attributeCategoryOptions" if !pipeline => HeaderKey::AttributeCategoryOptions,
            b"attributeOptionComboIdScheme" if pipeline => {
                HeaderKey::Text(HeaderText::Scheme(Some(SchemeTarget::AttributeOptionCombo)))
            }
            b"categoryIdScheme" if pipeline => {
                HeaderKey::Text(HeaderText::Scheme(Some(SchemeTarget::Category)))
            }
            b"categoryOptionIdScheme" if pipeline => {
                HeaderKey::Text(HeaderText::Scheme(Some(SchemeTarget::CategoryOption)))
            }
            b"deletion" if pipeline => HeaderKey::Deletion,
            _ => HeaderKey::Unknown,
        }
    }

    /// The key's JSON name (known keys only).
    fn name(self) -> &'static str {
        match self {
            HeaderKey::DataValues => "dataValues",
            HeaderKey::DryRun => "dryRun",
            HeaderKey::AttributeCategoryOptions => "attributeCategoryOptions",
            HeaderKey::Deletion => "deletion",
            HeaderKey::Unknown => "(unknown)",
            HeaderKey::Text(t) => match t {
                HeaderText::DataSet => "dataSet",
                HeaderText::CompleteDate => "completeDate",
                HeaderText::Period => "period",
                HeaderText::OrgUnit => "orgUnit",
                HeaderText::AttributeOptionCombo => "attributeOptionCombo",
                HeaderText::Strategy => "strategy",
                HeaderText::Scheme(None) => "idScheme",
                HeaderText::Scheme(Some(target)) => target.parameter_name(),
            },
        }
    }
}

fn header_slot(header: &mut DataValueSetHeader, key: HeaderText) -> &mut Option<String> {
    match key {
        HeaderText::DataSet => &mut header.data_set,
        HeaderText::CompleteDate => &mut header.complete_date,
        HeaderText::Period => &mut header.period,
        HeaderText::OrgUnit => &mut header.org_unit,
        HeaderText::AttributeOptionCombo => &mut header.attribute_option_combo,
        HeaderText::Strategy => &mut header.strategy,
        HeaderText::Scheme(None) => &mut header.id_scheme,
        HeaderText::Scheme(Some(target)) => match target {
            SchemeTarget::DataElement => &mut header.data_element_id_scheme,
            SchemeTarget::OrgUnit => &mut header.org_unit_id_scheme,
            SchemeTarget::CategoryOptionCombo => &mut header.category_option_combo_id_scheme,
            SchemeTarget::AttributeOptionCombo => &mut header.attribute_option_combo_id_scheme,
            SchemeTarget::DataSet => &mut header.data_set_id_scheme,
            SchemeTarget::Category => &mut header.category_id_scheme,
            SchemeTarget::CategoryOption => &mut header.category_option_id_scheme,
        },
    }
}

/// A key of a data value object as the profile reads it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ValueKey {
    Text(Field),
    FollowUp(&'static str),
    Deleted,
    Unknown,
}

impl ValueKey {
    /// Classifies a key of a data value object (exact, case-sensitive names).
    fn of(profile: ImporterProfile, key: &[u8]) -> ValueKey {
        let pipeline = profile == ImporterProfile::Pipeline;
        match key {
            b"dataElement" => ValueKey::Text(Field::DataElement),
            b"period" => ValueKey::Text(Field::Period),
            b"orgUnit" => ValueKey::Text(Field::OrgUnit),
            b"categoryOptionCombo" => ValueKey::Text(Field::CategoryOptionCombo),
            b"attributeOptionCombo" => ValueKey::Text(Field::AttributeOptionCombo),
            b"value" => ValueKey::Text(Field::Value),
            b"comment" => ValueKey::Text(Field::Comment),
            b"deleted" => ValueKey::Deleted,
            b"storedBy" if !pipeline => ValueKey::Text(Field::StoredBy),
            b"created" if !pipeline => ValueKey::Text(Field::Created),
            b"lastUpdated" if !pipeline => ValueKey::Text(Field::LastUpdated),
            b"followup" if !pipeline => ValueKey::FollowUp("followup"),
            b"followUp" if pipeline => ValueKey::FollowUp("followUp"),
            _ => ValueKey::Unknown,
        }
    }
}

/// Reads an optional text the way DHIS2's `EmptyStringToNullStdDeserializer` does: a string's
/// text, a number as written, `true`/`false`; `null` and `""` are absent. An object or array is
/// refused.
fn read_opt_text<R: BufRead>(tok: &mut Tokenizer<R>, key: &'static str) -> Result<Option<String>> {
    let ty = tok.peek_type()?;
    let at = tok.position();
    match ty {
        JsonType::Object | JsonType::Array => Err(wrong_type(key, SCALAR, ty, at)),
        JsonType::Null => {
            tok.read_literal("null")?;
            Ok(None)
        }
        _ => {
            let mut text = String::new();
            tok.read_scalar_into(ty, &mut text)?;
            Ok(if text.is_empty() { None } else { Some(text) })
        }
    }
}

fn wrong_type(key: &str, expected: &'static str, found: JsonType, at: Position) -> Error {
    Error::at(
        ErrorKind::WrongType {
            key: key.to_owned(),
            expected,
            found,
        },
        at,
    )
}

/// Reads an optional boolean with Jackson's coercions for `Boolean`: `true`/`false`; `null`,
/// `""` and `"null"` are absent; the texts `true`/`True`/`TRUE` and `false`/`False`/`FALSE`
/// (surrounding blanks ignored); integers (0 is false, anything else true).
fn read_opt_bool<R: BufRead>(tok: &mut Tokenizer<R>, key: &'static str) -> Result<Option<bool>> {
    let ty = tok.peek_type()?;
    let at = tok.position();
    let invalid = |text: &str| {
        Error::at(
            ErrorKind::InvalidBoolean {
                key: key.to_owned(),
                text: text.to_owned(),
            },
            at,
        )
    };
    match ty {
        JsonType::Object | JsonType::Array => Err(wrong_type(
            key,
            "a boolean, a text true/false, or null",
            ty,
            at,
        )),
        JsonType::Null => {
            tok.read_literal("null")?;
            Ok(None)
        }
        JsonType::Boolean => Ok(Some(tok.read_scalar_scratch(ty)? == "true")),
        JsonType::Number => {
            let text = tok.read_scalar_scratch(ty)?;
            if text.contains(['.', 'e', 'E']) {
                return Err(invalid(text));
            }
            Ok(Some(text.bytes().any(|b| matches!(b, b'1'..=b'9'))))
        }
        JsonType::String => {
            let text = tok.read_scalar_scratch(ty)?;
            match text.trim_matches(|c: char| c <= ' ') {
                "true" | "True" | "TRUE" => Ok(Some(true)),
                "false" | "False" | "FALSE" => Ok(Some(false)),
                "" | "null" => Ok(None),
                _ => Err(invalid(text)),
            }
        }
    }
}

/// `attributeCategoryOptions`: `null` or an array of non-empty texts.
fn read_text_list<R: BufRead>(
    tok: &mut Tokenizer<R>,
    key: &'static str,
) -> Result<Option<Vec<String>>> {
    let ty = tok.peek_type()?;
    let at = tok.position();
    match ty {
        JsonType::Null => {
            tok.read_literal("null")?;
            Ok(None)
        }
        JsonType::Array => {
            tok.open(b'[')?;
            let mut list = Vec::new();
            let mut first = true;
            while tok.next_element(first)? {
                first = false;
                let at = {
                    tok.skip_ws()?;
                    tok.position()
                };
                match read_opt_text(tok, key)? {
                    Some(text) => {
                        tok.spend(text.len() + ENTRY_BYTES)?;
                        list.push(text);
                    }
                    None => {
                        return Err(Error::at(
                            ErrorKind::EmptyElement {
                                key: key.to_owned(),
                            },
                            at,
                        ))
                    }
                }
            }
            tok.leave();
            Ok(Some(list))
        }
        _ => Err(wrong_type(key, "an array of strings or null", ty, at)),
    }
}

/// Reads the option of a category → option map into `out` (cleared first): a scalar's text
/// (`""` stays empty); `None` for `null`. An object or array is refused.
fn read_option_into<R: BufRead>(
    tok: &mut Tokenizer<R>,
    key: &'static str,
    out: &mut String,
) -> Result<bool> {
    out.clear();
    let ty = tok.peek_type()?;
    let at = tok.position();
    match ty {
        JsonType::Null => {
            tok.read_literal("null")?;
            Ok(false)
        }
        JsonType::Object | JsonType::Array => Err(wrong_type(key, OPTION, ty, at)),
        _ => {
            tok.read_scalar_into(ty, out)?;
            Ok(true)
        }
    }
}

/// Reads an object key (the next byte is `"`) into `out` (cleared first).
fn read_key_into<R: BufRead>(tok: &mut Tokenizer<R>, out: &mut String) -> Result<()> {
    out.clear();
    tok.read_key_with(|k| {
        // The tokenizer hands over valid UTF-8 only.
        if let Ok(text) = std::str::from_utf8(k) {
            out.push_str(text);
        }
    })
}

/// The object form of the set-level `attributeOptionCombo` (2.43+): category → option pairs in
/// document order; a repeated category keeps its place and takes the last option (`Map.put`).
fn read_option_map<R: BufRead>(
    tok: &mut Tokenizer<R>,
    key: &'static str,
) -> Result<Vec<(String, Option<String>)>> {
    tok.open(b'{')?;
    let mut pairs: Vec<(String, Option<String>)> = Vec::new();
    let mut first = true;
    let (mut category, mut option) = (String::new(), String::new());
    while tok.next_member(first)? {
        first = false;
        read_key_into(tok, &mut category)?;
        let present = read_option_into(tok, key, &mut option)?;
        tok.spend(category.len() + option.len() + ENTRY_BYTES)?;
        let option = present.then(|| option.clone());
        match pairs.iter_mut().find(|(c, _)| *c == category) {
            Some(pair) => pair.1 = option,
            None => pairs.push((category.clone(), option)),
        }
    }
    tok.leave();
    Ok(pairs)
}

/// The 2.43+ `deletion` object: `null` is no scope; unknown keys are skipped.
fn read_deletion<R: BufRead>(tok: &mut Tokenizer<R>) -> Result<Option<DeletionScope>> {
    let ty = tok.peek_type()?;
    let at = tok.position();
    match ty {
        JsonType::Null => {
            tok.read_literal("null")?;
            return Ok(None);
        }
        JsonType::Object => {}
        _ => return Err(wrong_type("deletion", "an object or null", ty, at)),
    }
    tok.open(b'{')?;
    let mut scope = DeletionScope::default();
    let mut first = true;
    #[derive(Clone, Copy)]
    enum Key {
        OrgUnits,
        Periods,
        Elements,
        Unknown,
    }
    while tok.next_member(first)? {
        first = false;
        let key = tok.read_key_with(|k| match k {
            b"orgUnits" => Key::OrgUnits,
            b"periods" => Key::Periods,
            b"elements" => Key::Elements,
            _ => Key::Unknown,
        })?;
        match key {
            Key::OrgUnits => {
                scope.org_units = read_text_list(tok, "orgUnits")?.unwrap_or_default();
            }
            Key::Periods => scope.periods = read_text_list(tok, "periods")?.unwrap_or_default(),
            Key::Elements => scope.elements = read_deletion_elements(tok)?,
            Key::Unknown => tok.skip_value()?,
        }
    }
    tok.leave();
    Ok(Some(scope))
}

/// `deletion.elements`: `null` or an array of objects with `dataElement`,
/// `categoryOptionCombo` and `attributeOptionCombo`.
fn read_deletion_elements<R: BufRead>(tok: &mut Tokenizer<R>) -> Result<Vec<DeletionElement>> {
    let ty = tok.peek_type()?;
    let at = tok.position();
    match ty {
        JsonType::Null => {
            tok.read_literal("null")?;
            return Ok(Vec::new());
        }
        JsonType::Array => {}
        _ => {
            return Err(wrong_type(
                "elements",
                "an array of objects or null",
                ty,
                at,
            ))
        }
    }
    tok.open(b'[')?;
    let mut elements = Vec::new();
    let mut first = true;
    while tok.next_element(first)? {
        first = false;
        let ty = tok.peek_type()?;
        let at = tok.position();
        if ty != JsonType::Object {
            return Err(wrong_type(
                "elements",
                "an object (a data element with its option combos) for each element",
                ty,
                at,
            ));
        }
        tok.open(b'{')?;
        let mut element = DeletionElement::default();
        let mut first_member = true;
        while tok.next_member(first_member)? {
            first_member = false;
            let field = tok.read_key_with(|k| match k {
                b"dataElement" => Some(Field::DataElement),
                b"categoryOptionCombo" => Some(Field::CategoryOptionCombo),
                b"attributeOptionCombo" => Some(Field::AttributeOptionCombo),
                _ => None,
            })?;
            let slot = match field {
                Some(Field::DataElement) => &mut element.data_element,
                Some(Field::CategoryOptionCombo) => &mut element.category_option_combo,
                Some(_) => &mut element.attribute_option_combo,
                None => {
                    tok.skip_value()?;
                    continue;
                }
            };
            *slot = read_opt_text(tok, field.map_or("", Field::name))?;
            tok.spend(slot.as_ref().map_or(0, String::len))?;
        }
        tok.leave();
        tok.spend(ENTRY_BYTES)?;
        elements.push(element);
    }
    tok.leave();
    Ok(elements)
}

/// Reads the value of a known set-level key into `header`.
fn read_header_member<R: BufRead>(
    tok: &mut Tokenizer<R>,
    profile: ImporterProfile,
    header: &mut DataValueSetHeader,
    key: HeaderKey,
) -> Result<()> {
    let pipeline = profile == ImporterProfile::Pipeline;
    tok.skip_ws()?;
    tok.start_record("a set-level member");
    match key {
        HeaderKey::Text(HeaderText::AttributeOptionCombo)
            if pipeline && tok.peek_type()? == JsonType::Object =>
        {
            // 2.43+: a category → category option map instead of an identifier.
            header.attribute_option_combo = None;
            header.attribute_option_combo_options = Some(read_option_map(tok, key.name())?);
        }
        HeaderKey::Text(text) => {
            *header_slot(header, text) = read_opt_text(tok, key.name())?;
            if text == HeaderText::AttributeOptionCombo {
                header.attribute_option_combo_options = None;
            }
        }
        HeaderKey::DryRun => header.dry_run = read_opt_bool(tok, key.name())?,
        HeaderKey::AttributeCategoryOptions => {
            header.attribute_category_options = read_text_list(tok, key.name())?;
        }
        HeaderKey::Deletion => header.deletion = read_deletion(tok)?,
        HeaderKey::DataValues | HeaderKey::Unknown => tok.skip_value()?,
    }
    Ok(())
}

/// How many top-level keys a [`ErrorKind::NotADataValueSet`] error lists.
const KEYS_SHOWN: usize = 5;

/// How many characters of a top-level key such an error shows.
const KEY_CHARS_SHOWN: usize = 40;

/// Top-level keys of DHIS2 metadata packages (`/api/metadata`).
const METADATA_KEYS: &[&[u8]] = &[
    b"system",
    b"date",
    b"organisationUnits",
    b"organisationUnitGroups",
    b"organisationUnitGroupSets",
    b"organisationUnitLevels",
    b"dataElements",
    b"dataElementGroups",
    b"dataElementGroupSets",
    b"categoryOptions",
    b"categories",
    b"categoryCombos",
    b"categoryOptionCombos",
    b"categoryOptionGroups",
    b"categoryOptionGroupSets",
    b"dataSets",
    b"options",
    b"optionSets",
    b"optionGroups",
    b"attributes",
    b"indicators",
    b"indicatorTypes",
    b"indicatorGroups",
    b"programs",
    b"programStages",
    b"programIndicators",
    b"trackedEntityTypes",
    b"trackedEntityAttributes",
    b"users",
    b"userRoles",
    b"userGroups",
    b"validationRules",
    b"legendSets",
    b"constants",
    b"dashboards",
    b"visualizations",
    b"sqlViews",
];

/// Top-level keys of DHIS2 tracker payloads (2.41+ and the older `trackedEntityInstances`).
const TRACKER_KEYS: &[&[u8]] = &[
    b"trackedEntities",
    b"trackedEntityInstances",
    b"enrollments",
    b"events",
    b"relationships",
];

/// Top-level keys of DHIS2 import summaries, import reports and web messages.
const SUMMARY_KEYS: &[&[u8]] = &[
    b"responseType",
    b"status",
    b"importCount",
    b"conflicts",
    b"rejectedIndexes",
    b"importSummaries",
    b"importOptions",
    b"httpStatus",
    b"httpStatusCode",
    b"response",
    b"typeReports",
    b"stats",
];

/// What the top-level members read so far say about the document: whether it is a data value
/// set, and otherwise what it looks like (for [`ErrorKind::NotADataValueSet`]).
#[derive(Clone, Debug, Default)]
struct TopLevel {
    /// Top-level members seen.
    members: u64,
    /// A `dataValues` key or a set-level key (of either importer generation) was seen.
    data_value_set: bool,
    /// Where the first key starts.
    first_key_at: Option<Position>,
    /// The first keys, shortened.
    keys: Vec<String>,
    more_keys: bool,
    metadata: bool,
    tracker: bool,
    summary: bool,
    geojson: bool,
}

impl TopLevel {
    /// Notes a top-level key (valid UTF-8) and returns whether it is `type` (whose value tells
    /// GeoJSON apart).
    fn note_key(&mut self, key: &[u8], at: Position) -> bool {
        self.members += 1;
        if self.first_key_at.is_none() {
            self.first_key_at = Some(at);
        }
        if self.data_value_set {
            return false;
        }
        if key == b"dataValues"
            || HeaderKey::of(ImporterProfile::Classic, key) != HeaderKey::Unknown
            || HeaderKey::of(ImporterProfile::Pipeline, key) != HeaderKey::Unknown
        {
            self.data_value_set = true;
            return false;
        }
        if self.keys.len() < KEYS_SHOWN {
            let text = String::from_utf8_lossy(key);
            let mut shown: String = text.chars().take(KEY_CHARS_SHOWN).collect();
            if shown.len() < text.len() {
                shown.push('…');
            }
            self.keys.push(shown);
        } else {
            self.more_keys = true;
        }
        self.metadata |= METADATA_KEYS.contains(&key);
        self.tracker |= TRACKER_KEYS.contains(&key);
        self.summary |= SUMMARY_KEYS.contains(&key);
        self.geojson |= key == b"features";
        key == b"type"
    }

    /// The refusal of a non-empty object that is not a data value set, if it is one.
    fn refusal(&mut self) -> Option<Error> {
        if self.data_value_set || self.members == 0 {
            return None;
        }
        let looks_like = if self.geojson {
            DocumentKind::GeoJson
        } else if self.summary {
            DocumentKind::ImportSummary
        } else if self.tracker {
            DocumentKind::Tracker
        } else if self.metadata {
            DocumentKind::Metadata
        } else {
            DocumentKind::Unknown
        };
        let kind = ErrorKind::NotADataValueSet {
            looks_like,
            keys: std::mem::take(&mut self.keys),
            more_keys: self.more_keys,
        };
        Some(match self.first_key_at {
            Some(at) => Error::at(kind, at),
            None => Error::new(kind),
        })
    }
}

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
        if text == "FeatureCollection" || text == "Feature" {
            self.top.geojson = true;
        }
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
    pub fn values(&mut self) -> Values<'_, R> {
        Values { reader: self }
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
}

/// Iterator of owned data values, from [`Reader::values`].
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
    use std::io::Cursor;

    fn read_all(json: &str) -> Result<(DataValueSetHeader, Vec<DataValue>)> {
        read_all_with(json, ImporterProfile::Classic)
    }

    fn read_all_with(
        json: &str,
        profile: ImporterProfile,
    ) -> Result<(DataValueSetHeader, Vec<DataValue>)> {
        let mut r = Reader::with_profile(json.as_bytes(), profile)?;
        let values = r.values().collect::<Result<Vec<_>>>()?;
        Ok((r.header().clone(), values))
    }

    fn read_seekable(
        json: &str,
        profile: ImporterProfile,
    ) -> Result<(DataValueSetHeader, Vec<DataValue>)> {
        let mut r = Reader::from_seekable_with_profile(Cursor::new(json.as_bytes()), profile)?;
        let values = r.values().collect::<Result<Vec<_>>>()?;
        Ok((r.header().clone(), values))
    }

    fn err(json: &str) -> Error {
        read_all(json).unwrap_err()
    }

    #[test]
    fn reads_header_and_values() {
        let json = r#"{"dataSet":"pBOMPrpg1QX","completeDate":"2024-02-01","period":"202401",
            "orgUnit":"DiszpKrYNg8","attributeOptionCombo":"HllvX50cXC0","idScheme":"CODE",
            "dataElementIdScheme":"NAME","orgUnitIdScheme":"UID","categoryOptionComboIdScheme":"CODE",
            "dataSetIdScheme":"CODE","dryRun":true,"strategy":"DELETE",
            "attributeCategoryOptions":["a",2],
            "dataValues":[{"dataElement":"f7n9E0hX8qk","period":"202401","orgUnit":"DiszpKrYNg8",
              "categoryOptionCombo":"coc","attributeOptionCombo":"aoc","value":"5","storedBy":"admin",
              "created":"2024-01-01","lastUpdated":"2024-01-02","comment":"c","followup":true,"deleted":false}]}"#;
        let (h, v) = read_all(json).unwrap();
        assert_eq!(h.data_set.as_deref(), Some("pBOMPrpg1QX"));
        assert_eq!(h.complete_date.as_deref(), Some("2024-02-01"));
        assert_eq!(h.attribute_option_combo.as_deref(), Some("HllvX50cXC0"));
        assert_eq!(h.id_scheme.as_deref(), Some("CODE"));
        assert_eq!(h.data_element_id_scheme.as_deref(), Some("NAME"));
        assert_eq!(h.org_unit_id_scheme.as_deref(), Some("UID"));
        assert_eq!(h.category_option_combo_id_scheme.as_deref(), Some("CODE"));
        assert_eq!(h.data_set_id_scheme.as_deref(), Some("CODE"));
        assert_eq!(h.dry_run, Some(true));
        assert_eq!(h.strategy.as_deref(), Some("DELETE"));
        assert_eq!(
            h.attribute_category_options,
            Some(vec!["a".to_owned(), "2".to_owned()])
        );
        assert_eq!(v.len(), 1);
        let d = &v[0];
        let texts: Vec<_> = d.fields().map(|(_, t)| t).collect();
        assert_eq!(
            texts,
            [
                "f7n9E0hX8qk",
                "202401",
                "DiszpKrYNg8",
                "coc",
                "aoc",
                "5",
                "admin",
                "2024-01-01",
                "2024-01-02",
                "c"
            ]
        );
        assert_eq!(d.followup(), Some(true));
        assert_eq!(d.deleted(), Some(false));
    }

    #[test]
    fn empty_sets() {
        for json in [
            "{}",
            " \n{ } \n",
            r#"{"dataValues":[]}"#,
            r#"{"dataValues":null}"#,
        ] {
            let (h, v) = read_all(json).unwrap();
            assert!(h.is_empty() && v.is_empty(), "{json}");
            let (h, v) = read_seekable(json, ImporterProfile::Classic).unwrap();
            assert!(h.is_empty() && v.is_empty(), "{json}");
        }
    }

    #[test]
    fn jackson_text_coercions() {
        let json = r#"{"period":202401,"orgUnit":true,"dataSet":"","completeDate":null,
            "dataValues":[{"dataElement":"a","value":10,"comment":-1.50e3,"storedBy":false,
              "period":"","orgUnit":null,"created":"x","created":""}]}"#;
        let (h, v) = read_all(json).unwrap();
        assert_eq!(h.period.as_deref(), Some("202401"));
        assert_eq!(h.org_unit.as_deref(), Some("true"));
        assert_eq!(h.data_set, None);
        assert_eq!(h.complete_date, None);
        let d = &v[0];
        assert_eq!(d.value(), Some("10"));
        assert_eq!(d.comment(), Some("-1.50e3"));
        assert_eq!(d.stored_by(), Some("false"));
        assert_eq!(d.period(), None);
        assert_eq!(d.org_unit(), None);
        assert_eq!(d.created(), None, "last duplicate (empty) wins");
    }

    #[test]
    fn jackson_boolean_coercions() {
        let cases = [
            ("true", Some(true)),
            ("false", Some(false)),
            ("null", None),
            (r#""true""#, Some(true)),
            (r#""True""#, Some(true)),
            (r#"" TRUE ""#, Some(true)),
            (r#""false""#, Some(false)),
            (r#""FALSE""#, Some(false)),
            (r#""""#, None),
            (r#""null""#, None),
            ("0", Some(false)),
            ("-0", Some(false)),
            ("1", Some(true)),
            ("-7", Some(true)),
            ("100000000000000000000000", Some(true)),
        ];
        for (text, expected) in cases {
            let json = format!(
                r#"{{"dryRun":{text},"dataValues":[{{"followup":{text},"deleted":{text}}}]}}"#
            );
            let (h, v) = read_all(&json).unwrap();
            assert_eq!(h.dry_run, expected, "{text}");
            assert_eq!(v[0].followup(), expected, "{text}");
            assert_eq!(v[0].deleted(), expected, "{text}");
        }
        for bad in [r#""yes""#, r#""tru""#, "1.0", "1e3", r#""1""#] {
            let json = format!(r#"{{"dataValues":[{{"followup":{bad}}}]}}"#);
            let e = err(&json);
            assert!(
                matches!(e.kind(), ErrorKind::InvalidBoolean { key, .. } if key == "followup"),
                "{bad}: {e}"
            );
            assert_eq!(e.value_index(), Some(0));
        }
        let e = err(r#"{"dryRun":{}}"#);
        assert!(
            matches!(e.kind(), ErrorKind::WrongType { key, found: JsonType::Object, .. } if key == "dryRun")
        );
    }

    #[test]
    fn unknown_keys_of_every_shape_are_skipped() {
        let json = r#"{"u1":{"a":{"b":[1,{"c":null}]},"d":"}"},"u2":[[],[[]],{}],"u3":"x\"y",
            "u4":-0.5E-3,"u5":true,"u6":false,"u7":null,"importStrategy":"DELETE","completeData":"2020-01-01",
            "dataValues":[{"x":{"value":"no"},"value":"1","followUp":true,"y":[{"dataElement":"no"}],"z":"",
              "dataElement":"a"},{"dataElement":"b","nested":{"deep":{"deeper":[{"deepest":{}}]}}}],
            "tail":{"dataValues":[1,2,3]}}"#;
        let (h, v) = read_all(json).unwrap();
        assert!(h.is_empty(), "{h:?}");
        assert_eq!(v.len(), 2);
        assert_eq!(v[0].value(), Some("1"));
        assert_eq!(v[0].data_element(), Some("a"));
        assert_eq!(v[0].followup(), None, "followUp is not a classic JSON key");
        assert_eq!(v[1].data_element(), Some("b"));
        assert_eq!(
            read_seekable(json, ImporterProfile::Classic).unwrap(),
            (h, v)
        );
    }

    #[test]
    fn object_for_a_text_key_is_refused_with_its_position() {
        let json = "{\n  \"dataValues\": [\n    {\"dataElement\": \"a\"},\n    {\"dataElement\": \"b\"},\n    {\"dataElement\": \"c\", \"value\": {\"x\": 1}}\n  ]\n}";
        let e = err(json);
        assert_eq!(
            e.to_string(),
            "line 5, column 35 (value #3, index 2): expected a string, number, boolean or null for key `value`, found an object"
        );
        assert_eq!(e.category(), crate::Category::Data);
        let e = err(r#"{"period":["202401"]}"#);
        assert_eq!(
            e.to_string(),
            "line 1, column 11: expected a string, number, boolean or null for key `period`, found an array"
        );
        assert_eq!(e.value_index(), None);
    }

    #[test]
    fn header_after_values_streaming_and_seekable() {
        let json = r#"{"dataSet":"ds","dataValues":[{"dataElement":"a"},{"dataElement":"b"}],"orgUnit":"ou","x":1}"#;
        let mut r = Reader::new(json.as_bytes()).unwrap();
        let mut dv = DataValue::new();
        assert!(r.read_value(&mut dv).unwrap());
        assert!(r.read_value(&mut dv).unwrap());
        let e = r.read_value(&mut dv).unwrap_err();
        assert!(matches!(e.kind(), ErrorKind::HeaderAfterValues { key } if key == "orgUnit"));
        assert_eq!(
            e.position(),
            Some(Position {
                line: 1,
                column: 72
            })
        );
        assert!(e.to_string().contains("move it before `dataValues`"));
        assert!(!r.read_value(&mut dv).unwrap(), "finished after an error");

        let (h, v) = read_seekable(json, ImporterProfile::Classic).unwrap();
        assert_eq!(h.data_set.as_deref(), Some("ds"));
        assert_eq!(h.org_unit.as_deref(), Some("ou"));
        assert_eq!(v.len(), 2);

        // Keys after an empty array, or repeating the same value, change nothing read.
        let (h, _) = read_all(r#"{"dataValues":[],"period":"p","dryRun":false}"#).unwrap();
        assert_eq!(h.period.as_deref(), Some("p"));
        assert_eq!(h.dry_run, Some(false));
        let (h, v) = read_all(
            r#"{"period":"p","dataValues":[{"dataElement":"a"}],"period":"p","other":{}}"#,
        )
        .unwrap();
        assert_eq!((h.period.as_deref(), v.len()), (Some("p"), 1));
        // An unchanged-but-empty key after values still changes the header when set before.
        let e = err(r#"{"period":"p","dataValues":[{"dataElement":"a"}],"period":""}"#);
        assert!(matches!(e.kind(), ErrorKind::HeaderAfterValues { key } if key == "period"));
        // The header is known when the reader is open.
        let r = Reader::new(&br#"{"period":"p","dataValues":[{"dataElement":"a"}]}"#[..]).unwrap();
        assert_eq!(r.header().period.as_deref(), Some("p"));
    }

    #[test]
    fn duplicate_data_values_last_wins() {
        let json = r#"{"dataValues":[{"dataElement":"first"}],"period":"p","dataValues":[{"dataElement":"second"},{"dataElement":"third"}]}"#;
        let (h, v) = read_seekable(json, ImporterProfile::Classic).unwrap();
        assert_eq!(h.period.as_deref(), Some("p"));
        let names: Vec<_> = v.iter().map(|d| d.data_element().unwrap()).collect();
        assert_eq!(names, ["second", "third"]);
        let e = err(r#"{"dataValues":[{"dataElement":"first"}],"dataValues":[]}"#);
        assert!(matches!(e.kind(), ErrorKind::DuplicateDataValues));
        // A first empty array does no harm when streaming.
        let (_, v) = read_all(r#"{"dataValues":[],"dataValues":[{"dataElement":"x"}]}"#).unwrap();
        assert_eq!(v.len(), 1);
    }

    #[test]
    fn duplicate_keys_last_wins() {
        let (h, v) = read_all(
            r#"{"period":"a","period":"b","dataValues":[{"value":"1","value":"22","followup":true,"followup":null}]}"#,
        )
        .unwrap();
        assert_eq!(h.period.as_deref(), Some("b"));
        assert_eq!(v[0].value(), Some("22"));
        assert_eq!(v[0].followup(), None);
    }

    #[test]
    fn structural_errors() {
        let kind_of = |json: &str| err(json).into_kind();
        assert!(matches!(
            kind_of("[]"),
            ErrorKind::NotAnObject {
                found: JsonType::Array
            }
        ));
        assert!(matches!(
            kind_of("null"),
            ErrorKind::NotAnObject {
                found: JsonType::Null
            }
        ));
        assert!(matches!(
            kind_of("\"x\""),
            ErrorKind::NotAnObject {
                found: JsonType::String
            }
        ));
        assert!(matches!(kind_of(""), ErrorKind::UnexpectedEof { .. }));
        assert!(matches!(kind_of("  "), ErrorKind::UnexpectedEof { .. }));
        assert!(matches!(
            kind_of("<xml/>"),
            ErrorKind::UnexpectedCharacter { .. }
        ));
        assert!(matches!(kind_of("{} x"), ErrorKind::TrailingCharacters));
        assert!(matches!(kind_of("{}{}"), ErrorKind::TrailingCharacters));
        assert!(matches!(
            kind_of(r#"{"a":1,}"#),
            ErrorKind::UnexpectedCharacter { .. }
        ));
        assert!(matches!(
            kind_of(r#"{"dataValues":[{},]}"#),
            ErrorKind::UnexpectedCharacter { .. }
        ));
        assert!(matches!(
            kind_of(r#"{'a':1}"#),
            ErrorKind::UnexpectedCharacter { .. }
        ));
        assert!(matches!(
            kind_of("{\"a\":\"\u{1}\"}"),
            ErrorKind::ControlCharacter { byte: 1 }
        ));
        assert!(matches!(
            kind_of(r#"{"dataValues":{}}"#),
            ErrorKind::WrongType {
                found: JsonType::Object,
                ..
            }
        ));
        assert!(matches!(
            kind_of(r#"{"dataValues":[null]}"#),
            ErrorKind::WrongType {
                found: JsonType::Null,
                ..
            }
        ));
        assert!(matches!(
            kind_of(r#"{"dataValues":["a"]}"#),
            ErrorKind::WrongType {
                found: JsonType::String,
                ..
            }
        ));
        assert!(matches!(
            kind_of(r#"{"attributeCategoryOptions":"a"}"#),
            ErrorKind::WrongType { .. }
        ));
        assert!(matches!(
            kind_of(r#"{"attributeCategoryOptions":["a",""]}"#),
            ErrorKind::EmptyElement { .. }
        ));
        assert!(matches!(
            kind_of(r#"{"attributeCategoryOptions":[null]}"#),
            ErrorKind::EmptyElement { .. }
        ));
        assert!(matches!(
            kind_of(r#"{"attributeCategoryOptions":[{}]}"#),
            ErrorKind::WrongType { .. }
        ));
        let e = Reader::new(&b"{\"dataValues\":[{\"value\":\"\xFF\"}]}"[..])
            .and_then(|mut r| r.values().collect::<Result<Vec<_>>>())
            .unwrap_err();
        assert!(matches!(e.kind(), ErrorKind::InvalidUtf8));
        assert_eq!(e.value_index(), Some(0));
        let e = err(r#"{"dataValues":[{"value":01}]}"#);
        assert!(matches!(e.kind(), ErrorKind::InvalidNumber { .. }));
        assert_eq!(
            e.to_string(),
            "line 1, column 26 (value #1, index 0): invalid number: leading zeros are not allowed"
        );
    }

    #[test]
    fn every_truncation_is_an_error() {
        let json = r#"{"dataSet":"d\u00e9","dataValues":[{"dataElement":"a","value":-1.5e2,"followup":true},{"comment":null}],"x":[{}]}"#;
        read_all(json).unwrap();
        for end in 0..json.len() {
            let cut = &json[..end];
            let e = read_all(cut).unwrap_err();
            assert!(e.is_eof(), "{cut:?}: {e}");
            let e = read_seekable(cut, ImporterProfile::Classic).unwrap_err();
            assert!(e.is_eof(), "{cut:?}: {e}");
        }
    }

    #[test]
    fn byte_order_mark() {
        // Jackson's byte-source bootstrapper skips a UTF-8 BOM; so do we.
        let json = "\u{FEFF}{\"period\":\"p\",\"dataValues\":[{\"dataElement\":\"a\"}]}";
        let (h, v) = read_all(json).unwrap();
        assert_eq!((h.period.as_deref(), v.len()), (Some("p"), 1));
        let (h, v) = read_seekable(json, ImporterProfile::Classic).unwrap();
        assert_eq!((h.period.as_deref(), v.len()), (Some("p"), 1));
        // Only at the very start.
        assert!(read_all(" \u{FEFF}{}").is_err());
        let e = read_all("\u{FEFF}\u{FEFF}{}").unwrap_err();
        assert_eq!(e.category(), crate::Category::Syntax);
    }

    #[test]
    fn pipeline_key_rules() {
        let json = r#"{"strategy":"DELETE","attributeCategoryOptions":[{}],"idScheme":"CODE",
            "attributeOptionComboIdScheme":"NAME","categoryIdScheme":"CODE","categoryOptionIdScheme":"UID",
            "deletion":null,"dryRun":"false",
            "dataValues":[{"dataElement":"a","followup":true,"followUp":"true","storedBy":"x","created":"c",
              "lastUpdated":"l","comment":"k","deleted":1}]}"#;
        let (h, v) = read_all_with(json, ImporterProfile::Pipeline).unwrap();
        assert_eq!(h.strategy, None);
        assert_eq!(h.attribute_category_options, None);
        assert_eq!(h.id_scheme.as_deref(), Some("CODE"));
        assert_eq!(h.attribute_option_combo_id_scheme.as_deref(), Some("NAME"));
        assert_eq!(h.category_id_scheme.as_deref(), Some("CODE"));
        assert_eq!(h.category_option_id_scheme.as_deref(), Some("UID"));
        assert_eq!(h.dry_run, Some(false));
        let d = &v[0];
        assert_eq!(d.followup(), Some(true));
        assert_eq!(d.stored_by(), None);
        assert_eq!(d.created(), None);
        assert_eq!(d.last_updated(), None);
        assert_eq!(d.comment(), Some("k"));
        assert_eq!(d.deleted(), Some(true));
        assert_eq!(
            read_seekable(json, ImporterProfile::Pipeline).unwrap(),
            (h, v)
        );

        // Classic ignores the pipeline-only scheme keys.
        let (h, _) = read_all(r#"{"categoryIdScheme":"CODE","deletion":{"x":1}}"#).unwrap();
        assert!(h.is_empty());

        // An object COC or AOC in classic is a plain wrong type.
        let e = err(r#"{"dataValues":[{"categoryOptionCombo":{"cat":"opt"}}]}"#);
        assert!(matches!(e.kind(), ErrorKind::WrongType { .. }));
        let e = err(r#"{"attributeOptionCombo":{"cat":"opt"}}"#);
        assert!(matches!(e.kind(), ErrorKind::WrongType { .. }));
    }

    #[test]
    fn pipeline_object_forms_and_deletion_scope() {
        let json = r#"{"attributeOptionCombo":{"catAaaaaa01":"cOptAaaaa01","x":null,"y":"","x":"2"},
            "deletion":{"orgUnits":["DiszpKrYNg8","OU_B"],"periods":["202401"],"other":{"a":[]},
              "elements":[{"dataElement":"f7n9E0hX8qk"},
                {"dataElement":"DE_B","categoryOptionCombo":"c","attributeOptionCombo":"a","z":1}]},
            "dataValues":[
              {"dataElement":"a","categoryOptionCombo":{"sex":"F","age":null,"sex":"M"},"value":"1"},
              {"dataElement":"b","categoryOptionCombo":{}},
              {"dataElement":"c","categoryOptionCombo":{"sex":"F"},"categoryOptionCombo":"coc"},
              {"dataElement":"d","categoryOptionCombo":"coc","categoryOptionCombo":{"k":7}}]}"#;
        let (h, v) = read_all_with(json, ImporterProfile::Pipeline).unwrap();
        assert_eq!(h.attribute_option_combo, None);
        assert_eq!(
            h.attribute_option_combo_options,
            Some(vec![
                ("catAaaaaa01".to_owned(), Some("cOptAaaaa01".to_owned())),
                ("x".to_owned(), Some("2".to_owned())),
                ("y".to_owned(), Some(String::new())),
            ])
        );
        let scope = h.deletion.clone().unwrap();
        assert_eq!(scope.org_units, ["DiszpKrYNg8", "OU_B"]);
        assert_eq!(scope.periods, ["202401"]);
        assert_eq!(
            scope.elements,
            [
                DeletionElement {
                    data_element: Some("f7n9E0hX8qk".into()),
                    ..DeletionElement::default()
                },
                DeletionElement {
                    data_element: Some("DE_B".into()),
                    category_option_combo: Some("c".into()),
                    attribute_option_combo: Some("a".into()),
                }
            ]
        );
        let pairs = |d: &DataValue| {
            d.category_options()
                .map(|(c, o)| (c.to_owned(), o.map(str::to_owned)))
                .collect::<Vec<_>>()
        };
        assert!(v[0].has_category_options());
        assert_eq!(v[0].category_option_combo(), None);
        assert_eq!(
            pairs(&v[0]),
            [
                ("sex".to_owned(), Some("M".to_owned())),
                ("age".to_owned(), None)
            ]
        );
        assert_eq!(v[0].value(), Some("1"));
        assert!(v[1].has_category_options());
        assert!(pairs(&v[1]).is_empty());
        assert!(!v[2].has_category_options(), "the last key wins");
        assert_eq!(v[2].category_option_combo(), Some("coc"));
        assert_eq!(v[3].category_option_combo(), None);
        assert_eq!(pairs(&v[3]), [("k".to_owned(), Some("7".to_owned()))]);
        assert_eq!(
            read_seekable(json, ImporterProfile::Pipeline).unwrap(),
            (h, v)
        );

        // A later string form replaces the map, and the reverse.
        let (h, _) = read_all_with(
            r#"{"attributeOptionCombo":{"a":"b"},"attributeOptionCombo":"aoc"}"#,
            ImporterProfile::Pipeline,
        )
        .unwrap();
        assert_eq!(h.attribute_option_combo.as_deref(), Some("aoc"));
        assert_eq!(h.attribute_option_combo_options, None);

        // `null` and empty scopes; absent arrays are empty.
        let (h, _) = read_all_with(r#"{"deletion":null}"#, ImporterProfile::Pipeline).unwrap();
        assert_eq!(h.deletion, None);
        let (h, _) = read_all_with(
            r#"{"deletion":{"orgUnits":null,"elements":null}}"#,
            ImporterProfile::Pipeline,
        )
        .unwrap();
        assert_eq!(h.deletion, Some(DeletionScope::default()));

        // Wrong shapes are refused with the key and position.
        for (json, key) in [
            (r#"{"deletion":[]}"#, "deletion"),
            (r#"{"deletion":{"orgUnits":"a"}}"#, "orgUnits"),
            (r#"{"deletion":{"periods":[{}]}}"#, "periods"),
            (r#"{"deletion":{"elements":["a"]}}"#, "elements"),
            (
                r#"{"deletion":{"elements":[{"dataElement":{}}]}}"#,
                "dataElement",
            ),
            (
                r#"{"attributeOptionCombo":{"a":[]}}"#,
                "attributeOptionCombo",
            ),
            (
                r#"{"dataValues":[{"categoryOptionCombo":{"a":{}}}]}"#,
                "categoryOptionCombo",
            ),
            (
                r#"{"dataValues":[{"categoryOptionCombo":[]}]}"#,
                "categoryOptionCombo",
            ),
            (
                r#"{"dataValues":[{"attributeOptionCombo":{}}]}"#,
                "attributeOptionCombo",
            ),
        ] {
            let e = read_all_with(json, ImporterProfile::Pipeline).unwrap_err();
            assert!(
                matches!(e.kind(), ErrorKind::WrongType { key: k, .. } if k == key),
                "{json}: {e}"
            );
        }
        let e = read_all_with(
            r#"{"deletion":{"orgUnits":["a",null]}}"#,
            ImporterProfile::Pipeline,
        )
        .unwrap_err();
        assert!(matches!(e.kind(), ErrorKind::EmptyElement { key } if key == "orgUnits"));

        // A scope or map after `dataValues` changes the header: refused when streaming.
        let e = read_all_with(
            r#"{"dataValues":[{}],"deletion":{"orgUnits":["a"]}}"#,
            ImporterProfile::Pipeline,
        )
        .unwrap_err();
        assert!(matches!(e.kind(), ErrorKind::HeaderAfterValues { key } if key == "deletion"));
    }

    #[test]
    fn category_option_maps_reuse_the_record() {
        let json = r#"{"dataValues":[{"categoryOptionCombo":{"sex":"F","age":"<5"}},{"dataElement":"x"}]}"#;
        let mut r = Reader::with_profile(json.as_bytes(), ImporterProfile::Pipeline).unwrap();
        let mut dv = DataValue::new();
        assert!(r.read_value(&mut dv).unwrap());
        assert_eq!(dv.category_options().count(), 2);
        assert!(r.read_value(&mut dv).unwrap());
        assert!(!dv.has_category_options());
        assert_eq!(dv, DataValue::from_fields(&[(Field::DataElement, "x")]));
    }

    #[test]
    fn tiny_buffers_read_the_same() {
        let json = "{\"dataSet\":\"d\u{e9}\u{20ac}\",\"dataValues\":[{\"dataElement\":\"\u{1F600}x\",\"value\":\"a\\u00e9\\ud83d\\ude00\"},\n {\"comment\":\"\u{4e2d}\u{6587}\",\"u\":{\"k\":[\"\u{e9}\"]}}]}";
        let expected = read_all(json).unwrap();
        for cap in 1..6 {
            let mut r =
                Reader::new(std::io::BufReader::with_capacity(cap, json.as_bytes())).unwrap();
            let values = r.values().collect::<Result<Vec<_>>>().unwrap();
            assert_eq!((r.header().clone(), values), expected);
        }
        assert_eq!(expected.1[0].value(), Some("aé😀"));
    }

    #[test]
    fn seekable_starts_where_the_input_is() {
        let mut cursor = Cursor::new(b"garbage{\"period\":\"p\",\"dataValues\":[{}]}".to_vec());
        cursor.set_position(7);
        let mut r = Reader::from_seekable(cursor).unwrap();
        assert_eq!(r.header().period.as_deref(), Some("p"));
        assert_eq!(r.values().count(), 1);
    }

    #[test]
    fn records_are_reused() {
        let json = r#"{"dataValues":[{"dataElement":"a","value":"1","followup":true,"deleted":true},{"dataElement":"b"}]}"#;
        let mut r = Reader::new(json.as_bytes()).unwrap();
        let mut dv = DataValue::new();
        assert!(r.read_value(&mut dv).unwrap());
        assert!(r.read_value(&mut dv).unwrap());
        assert_eq!(dv, DataValue::from_fields(&[(Field::DataElement, "b")]));
        assert!(!r.read_value(&mut dv).unwrap());
        assert!(dv.is_empty());
        assert_eq!(r.values_read(), 2);
    }

    #[test]
    fn data_value_source_trait() {
        fn count<S: DataValueSource>(mut s: S) -> u64 {
            let mut dv = DataValue::new();
            let mut n = 0;
            while s.read_value(&mut dv).unwrap() {
                n += 1;
            }
            n
        }
        let r = Reader::new(&br#"{"dataValues":[{},{},{}]}"#[..]).unwrap();
        assert_eq!(count(r), 3);
    }
}
