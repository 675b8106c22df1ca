//! The streaming data value set reader.

use std::io::BufRead;

use dxf2_model::{
    DataValue, DataValueSetHeader, DataValueSource, Field, ImporterProfile, ReadLimits,
};
use quick_xml::events::BytesStart;

use crate::cursor::{position_in_tag, tag_error, Cursor, Ev};
use crate::error::{Error, ErrorKind, Position};
use crate::escape::{
    find_duplicate, is_namespace_declaration, local_name, unescape_attribute, Attr, Attrs, NameRef,
    ValueProblem,
};

/// A streaming reader of one DXF2 XML data value set (`<dataValueSet>`), reading as DHIS2's
/// importer of the chosen generation does (see the crate docs for the rules).
///
/// Opening the reader reads up to and including the `dataValueSet` start tag, so the
/// [header](Reader::header) is complete; [`DataValueSource::read_value`] then reads one
/// `dataValue` element at a time into a reusable record. Only the attributes of `dataValue`
/// elements are read; their children and text are ignored, and they are found at any depth
/// (for example inside a `<dataValues>` wrapper).
///
/// After the last value (`read_value` returned `Ok(false)`) the rest of the document has been
/// checked for well-formedness. After an error the reader is finished: `read_value` returns
/// `Ok(false)`.
///
/// Memory stays bounded whatever the input: no token (text run, comment, CDATA section,
/// DOCTYPE, processing instruction, tag with its attributes) longer than
/// [`ReadLimits::max_token_bytes`] (4 MiB by default, see [`Reader::with_limits`]) is ever held;
/// a longer one is an [`ErrorKind::TokenTooLong`] error at the line and column where it starts.
/// Elements nest at most 1000 levels ([`ErrorKind::NestingTooDeep`]).
///
/// ```
/// use dxf2_model::{DataValue, DataValueSource};
/// use dxf2_xml::Reader;
///
/// let xml = r#"<dataValueSet xmlns="http://dhis2.org/schema/dxf/2.0" dataSet="pBOMPrpg1QX">
///   <dataValue dataElement="f7n9E0hX8qk" period="201201" orgUnit="DiszpKrYNg8" value="10"/>
/// </dataValueSet>"#;
/// let mut reader = Reader::new(xml.as_bytes())?;
/// assert_eq!(reader.header().data_set.as_deref(), Some("pBOMPrpg1QX"));
/// let mut value = DataValue::new();
/// while reader.read_value(&mut value)? {
///     assert_eq!(value.value(), Some("10"));
/// }
/// # Ok::<(), dxf2_xml::Error>(())
/// ```
pub struct Reader<R> {
    cursor: Cursor<R>,
    profile: ImporterProfile,
    limits: ReadLimits,
    header: DataValueSetHeader,
    state: State,
    values_read: u64,
    /// Decoded text of attributes that are not record fields (flags, ignored attributes).
    scratch: String,
    /// Attribute name ranges of the current tag, for the duplicate check.
    names: Vec<NameRef>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    /// Inside the `dataValueSet` element, whose depth is given.
    InSet { root_depth: usize },
    /// After `</dataValueSet>`: the rest of the document is still to be checked.
    AfterSet,
    /// Finished (end of document, or after an error).
    Done,
}

enum Step {
    Value,
    SetEnd,
    Skip,
}

impl<R: BufRead> Reader<R> {
    /// Opens a data value set with the classic (2.36–2.42) reading rules.
    pub fn new(inner: R) -> Result<Reader<R>, Error> {
        Reader::with_profile(inner, ImporterProfile::Classic)
    }

    /// Opens a data value set with the reading rules of an importer generation.
    pub fn with_profile(inner: R, profile: ImporterProfile) -> Result<Reader<R>, Error> {
        Reader::with_limits(inner, profile, ReadLimits::default())
    }

    /// Opens a data value set with the reading rules of an importer generation and bounds on
    /// memory ([`ReadLimits::max_token_bytes`] is the longest token held; the record limit is
    /// not used by XML).
    ///
    /// ```
    /// use dxf2_model::{ImporterProfile, ReadLimits};
    /// use dxf2_xml::{ErrorKind, Reader};
    ///
    /// let xml = format!("<dataValueSet>\n  <!--{}--></dataValueSet>", "x".repeat(2000));
    /// let limits = ReadLimits::default().with_max_token_bytes(1024);
    /// let err = Reader::with_limits(xml.as_bytes(), ImporterProfile::Classic, limits)
    ///     .and_then(|mut reader| reader.values().collect::<Result<Vec<_>, _>>())
    ///     .unwrap_err();
    /// assert!(matches!(err.kind(), ErrorKind::TokenTooLong { limit: 1024, .. }));
    /// assert_eq!(
    ///     err.to_string(),
    ///     "line 2, column 3 (value #0): a comment starting here is longer than the limit of \
    ///      1 KiB for one token (raise ReadLimits::max_token_bytes, or --max-token-bytes on the \
    ///      command line)"
    /// );
    /// ```
    pub fn with_limits(
        inner: R,
        profile: ImporterProfile,
        limits: ReadLimits,
    ) -> Result<Reader<R>, Error> {
        let mut reader = Reader {
            cursor: Cursor::new(inner, limits),
            profile,
            limits,
            header: DataValueSetHeader::default(),
            state: State::Done,
            values_read: 0,
            scratch: String::new(),
            names: Vec::new(),
        };
        reader.read_header()?;
        Ok(reader)
    }

    fn read_header(&mut self) -> Result<(), Error> {
        let profile = self.profile;
        let header = &mut self.header;
        let scratch = &mut self.scratch;
        let names = &mut self.names;
        loop {
            let found = self.cursor.next(|pos, ev| match ev {
                Ev::Start { tag, empty, depth } => {
                    let local = local_name(tag.name().into_inner());
                    if local == "dataValueSet" {
                        read_header_attributes(&tag, pos, profile, header, scratch, names)?;
                        Ok(Some((empty, depth)))
                    } else if profile == ImporterProfile::Pipeline {
                        let kind = if local == "adx" {
                            ErrorKind::Adx
                        } else {
                            ErrorKind::UnexpectedRoot {
                                found: local.to_owned(),
                            }
                        };
                        Err(Error::at(kind, pos))
                    } else {
                        check_attributes(&tag, pos, names)?;
                        Ok(None)
                    }
                }
                Ev::Eof => Err(Error::at(
                    match profile {
                        ImporterProfile::Pipeline => ErrorKind::NoRootElement,
                        ImporterProfile::Classic => ErrorKind::NoDataValueSet,
                    },
                    pos,
                )),
                _ => Ok(None),
            })?;
            if let Some((empty, depth)) = found {
                self.state = if empty {
                    State::AfterSet
                } else {
                    State::InSet { root_depth: depth }
                };
                return Ok(());
            }
        }
    }

    /// The set header (complete once the reader is open).
    pub fn header(&self) -> &DataValueSetHeader {
        &self.header
    }

    /// The importer generation whose reading rules apply.
    pub fn profile(&self) -> ImporterProfile {
        self.profile
    }

    /// The bounds on memory this reader keeps to.
    pub fn limits(&self) -> ReadLimits {
        self.limits
    }

    /// Number of `dataValue` elements read so far.
    pub fn values_read(&self) -> u64 {
        self.values_read
    }

    /// An iterator over the remaining values, each in a new record (convenient, but it
    /// allocates per value; [`DataValueSource::read_value`] does not).
    pub fn values(&mut self) -> Values<'_, R> {
        Values {
            reader: self,
            done: false,
        }
    }

    fn read_value_inner(&mut self, record: &mut DataValue) -> Result<bool, Error> {
        let profile = self.profile;
        loop {
            match self.state {
                State::InSet { root_depth } => {
                    let index = self.values_read;
                    let scratch = &mut self.scratch;
                    let names = &mut self.names;
                    let step = self
                        .cursor
                        .next(|pos, ev| match ev {
                            Ev::Start { tag, .. } => {
                                if local_name(tag.name().into_inner()) == "dataValue" {
                                    read_value_attributes(
                                        &tag, pos, profile, record, scratch, names,
                                    )?;
                                    Ok(Step::Value)
                                } else {
                                    check_attributes(&tag, pos, names)?;
                                    Ok(Step::Skip)
                                }
                            }
                            Ev::End { depth } if depth == root_depth => Ok(Step::SetEnd),
                            Ev::Eof => Err(Error::at(
                                ErrorKind::UnexpectedEof {
                                    expected: "</dataValueSet>".to_owned(),
                                },
                                pos,
                            )),
                            _ => Ok(Step::Skip),
                        })
                        .map_err(|e| e.with_value_index(index))?;
                    match step {
                        Step::Value => {
                            self.values_read += 1;
                            return Ok(true);
                        }
                        Step::SetEnd => self.state = State::AfterSet,
                        Step::Skip => {}
                    }
                }
                State::AfterSet => {
                    let names = &mut self.names;
                    let end = self.cursor.next(|pos, ev| match ev {
                        Ev::Start { tag, .. } => {
                            check_attributes(&tag, pos, names)?;
                            Ok(false)
                        }
                        Ev::Eof => Ok(true),
                        _ => Ok(false),
                    })?;
                    if end {
                        self.state = State::Done;
                        return Ok(false);
                    }
                }
                State::Done => return Ok(false),
            }
        }
    }
}

impl<R: BufRead> DataValueSource for Reader<R> {
    type Error = Error;

    fn header(&self) -> &DataValueSetHeader {
        &self.header
    }

    fn read_value(&mut self, record: &mut DataValue) -> Result<bool, Error> {
        record.clear();
        let result = self.read_value_inner(record);
        if result.is_err() {
            self.state = State::Done;
        }
        result
    }
}

/// Iterator over the values of a [`Reader`], from [`Reader::values`]. It stops after the first
/// error.
pub struct Values<'r, R> {
    reader: &'r mut Reader<R>,
    done: bool,
}

impl<R: BufRead> Iterator for Values<'_, R> {
    type Item = Result<DataValue, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let mut value = DataValue::new();
        match self.reader.read_value(&mut value) {
            Ok(true) => Some(Ok(value)),
            Ok(false) => {
                self.done = true;
                None
            }
            Err(e) => {
                self.done = true;
                Some(Err(e))
            }
        }
    }
}

fn value_error(pos: Position, tag: &str, attr: &Attr<'_>, problem: ValueProblem) -> Error {
    let (offset, message) = match problem {
        ValueProblem::Char(offset, message) => (offset, message.to_owned()),
        ValueProblem::Reference(offset, reference, why) => {
            (offset, format!("invalid reference `&{reference};`: {why}"))
        }
    };
    Error::at(
        ErrorKind::InvalidAttributeValue {
            attribute: attr.name.to_owned(),
            message,
        },
        position_in_tag(pos, tag, attr.value_start + offset),
    )
}

/// Decodes an attribute value into `out` (or only checks it, with `None`).
fn decode(
    pos: Position,
    tag: &str,
    attr: &Attr<'_>,
    out: Option<&mut String>,
) -> Result<(), Error> {
    unescape_attribute(attr.value, out).map_err(|p| value_error(pos, tag, attr, p))
}

fn check_duplicates(pos: Position, tag: &str, names: &mut [NameRef]) -> Result<(), Error> {
    match find_duplicate(tag, names) {
        None => Ok(()),
        Some(offset) => {
            let end = tag
                .as_bytes()
                .get(offset..)
                .and_then(|rest| {
                    rest.iter()
                        .position(|&b| b == b'=' || b.is_ascii_whitespace())
                })
                .map_or(tag.len(), |n| offset + n);
            Err(Error::at(
                ErrorKind::DuplicateAttribute {
                    name: tag.get(offset..end).unwrap_or_default().to_owned(),
                },
                position_in_tag(pos, tag, offset),
            ))
        }
    }
}

/// Checks the attributes of an element whose attributes are not read (grammar, references,
/// duplicates), so that a malformed tag is an error wherever it is.
fn check_attributes(
    tag: &BytesStart<'_>,
    pos: Position,
    names: &mut Vec<NameRef>,
) -> Result<(), Error> {
    let text: &str = tag;
    names.clear();
    for attr in Attrs::new(text, tag.name().into_inner().len()) {
        let attr = attr.map_err(|p| tag_error(pos, text, p))?;
        names.push(NameRef::of(&attr));
        decode(pos, text, &attr, None)?;
    }
    check_duplicates(pos, text, names)
}

/// What a `dataValue` attribute fills.
#[derive(Clone, Copy)]
enum ValueAttr {
    Text(Field),
    FollowUp,
    Deleted,
}

impl ValueAttr {
    /// The attribute a profile reads under a local name (`followUp` with a capital U only).
    fn lookup(profile: ImporterProfile, local: &str) -> Option<ValueAttr> {
        let classic = profile == ImporterProfile::Classic;
        Some(match local {
            "dataElement" => ValueAttr::Text(Field::DataElement),
            "period" => ValueAttr::Text(Field::Period),
            "orgUnit" => ValueAttr::Text(Field::OrgUnit),
            "categoryOptionCombo" => ValueAttr::Text(Field::CategoryOptionCombo),
            "attributeOptionCombo" => ValueAttr::Text(Field::AttributeOptionCombo),
            "value" => ValueAttr::Text(Field::Value),
            "storedBy" if classic => ValueAttr::Text(Field::StoredBy),
            "created" if classic => ValueAttr::Text(Field::Created),
            "lastUpdated" if classic => ValueAttr::Text(Field::LastUpdated),
            "comment" => ValueAttr::Text(Field::Comment),
            "followUp" => ValueAttr::FollowUp,
            "deleted" => ValueAttr::Deleted,
            _ => return None,
        })
    }

    /// A bit per attribute, to keep the first of several prefixed attributes with one local name.
    fn bit(self) -> u16 {
        match self {
            ValueAttr::Text(field) => 1 << (field as u16),
            ValueAttr::FollowUp => 1 << 14,
            ValueAttr::Deleted => 1 << 15,
        }
    }
}

/// Reads the attributes of a `dataValue` tag into `record` (already cleared).
fn read_value_attributes(
    tag: &BytesStart<'_>,
    pos: Position,
    profile: ImporterProfile,
    record: &mut DataValue,
    scratch: &mut String,
    names: &mut Vec<NameRef>,
) -> Result<(), Error> {
    let text: &str = tag;
    names.clear();
    let mut seen = 0u16;
    // The hot path: names are checked only when they are not ones the reader knows.
    for attr in Attrs::without_name_check(text, tag.name().into_inner().len()) {
        let attr = attr.map_err(|p| tag_error(pos, text, p))?;
        names.push(NameRef::of(&attr));
        let local = local_name(attr.name);
        let target = if is_namespace_declaration(attr.name) {
            None
        } else {
            ValueAttr::lookup(profile, local)
        };
        if target.is_none() || local.len() != attr.name.len() {
            attr.check_name().map_err(|p| tag_error(pos, text, p))?;
        }
        match target {
            Some(target) if seen & target.bit() == 0 => {
                seen |= target.bit();
                match target {
                    ValueAttr::Text(field) => {
                        record
                            .set_with(field, |buf| unescape_attribute(attr.value, Some(buf)))
                            .map_err(|p| value_error(pos, text, &attr, p))?;
                        if record.get(field) == Some("") {
                            record.remove(field);
                        }
                    }
                    ValueAttr::FollowUp | ValueAttr::Deleted => {
                        scratch.clear();
                        decode(pos, text, &attr, Some(scratch))?;
                        let flag =
                            (!scratch.is_empty()).then(|| scratch.eq_ignore_ascii_case("true"));
                        if matches!(target, ValueAttr::FollowUp) {
                            record.set_followup(flag);
                        } else {
                            record.set_deleted(flag);
                        }
                    }
                }
            }
            _ => decode(pos, text, &attr, None)?,
        }
    }
    check_duplicates(pos, text, names)
}

/// What a `dataValueSet` attribute fills.
enum HeaderAttr<'h> {
    Text(&'h mut Option<String>),
    DryRun,
}

fn header_attribute<'h>(
    header: &'h mut DataValueSetHeader,
    profile: ImporterProfile,
    local: &str,
) -> Option<HeaderAttr<'h>> {
    let pipeline = profile == ImporterProfile::Pipeline;
    let slot = match local {
        "dataSet" => &mut header.data_set,
        "completeDate" => &mut header.complete_date,
        "period" => &mut header.period,
        "orgUnit" => &mut header.org_unit,
        "attributeOptionCombo" => &mut header.attribute_option_combo,
        "idScheme" => &mut header.id_scheme,
        "dataElementIdScheme" => &mut header.data_element_id_scheme,
        "orgUnitIdScheme" => &mut header.org_unit_id_scheme,
        "categoryOptionComboIdScheme" => &mut header.category_option_combo_id_scheme,
        "dataSetIdScheme" => &mut header.data_set_id_scheme,
        "attributeOptionComboIdScheme" if pipeline => &mut header.attribute_option_combo_id_scheme,
        "categoryIdScheme" if pipeline => &mut header.category_id_scheme,
        "categoryOptionIdScheme" if pipeline => &mut header.category_option_id_scheme,
        "importStrategy" if !pipeline => &mut header.strategy,
        "dryRun" => return Some(HeaderAttr::DryRun),
        _ => return None,
    };
    Some(HeaderAttr::Text(slot))
}

/// Reads the attributes of the `dataValueSet` tag into `header`.
fn read_header_attributes(
    tag: &BytesStart<'_>,
    pos: Position,
    profile: ImporterProfile,
    header: &mut DataValueSetHeader,
    scratch: &mut String,
    names: &mut Vec<NameRef>,
) -> Result<(), Error> {
    let text: &str = tag;
    names.clear();
    let mut seen_dry_run = false;
    for attr in Attrs::new(text, tag.name().into_inner().len()) {
        let attr = attr.map_err(|p| tag_error(pos, text, p))?;
        names.push(NameRef::of(&attr));
        scratch.clear();
        decode(pos, text, &attr, Some(scratch))?;
        if is_namespace_declaration(attr.name) {
            continue;
        }
        match header_attribute(header, profile, local_name(attr.name)) {
            Some(HeaderAttr::Text(slot)) if slot.is_none() && !scratch.is_empty() => {
                *slot = Some(scratch.clone());
            }
            Some(HeaderAttr::DryRun) if !seen_dry_run => {
                seen_dry_run = true;
                header.dry_run = match profile {
                    // Classic: exactly `true` sets dry run; anything else leaves it to the request.
                    ImporterProfile::Classic => (scratch.as_str() == "true").then_some(true),
                    // 2.43+: Boolean.parseBoolean, so `false` switches dry run off explicitly.
                    ImporterProfile::Pipeline => {
                        (!scratch.is_empty()).then(|| scratch.eq_ignore_ascii_case("true"))
                    }
                };
            }
            _ => {}
        }
    }
    check_duplicates(pos, text, names)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Category;

    fn read(
        xml: &str,
        profile: ImporterProfile,
    ) -> Result<(DataValueSetHeader, Vec<DataValue>), Error> {
        let mut reader = Reader::with_profile(xml.as_bytes(), profile)?;
        let values = reader.values().collect::<Result<Vec<_>, _>>()?;
        Ok((reader.header().clone(), values))
    }

    fn classic(xml: &str) -> (DataValueSetHeader, Vec<DataValue>) {
        read(xml, ImporterProfile::Classic).unwrap()
    }

    fn pipeline(xml: &str) -> (DataValueSetHeader, Vec<DataValue>) {
        read(xml, ImporterProfile::Pipeline).unwrap()
    }

    fn classic_err(xml: &str) -> Error {
        read(xml, ImporterProfile::Classic).expect_err(xml)
    }

    const HEADER: &str = r#"<dataValueSet xmlns="http://dhis2.org/schema/dxf/2.0" dataSet="ds" completeDate="2012-01-09" period="201201" orgUnit="ou" attributeOptionCombo="aoc" idScheme="code" dataElementIdScheme="NAME" orgUnitIdScheme="uid" categoryOptionComboIdScheme="CODE" dataSetIdScheme="CODE" attributeOptionComboIdScheme="CODE" categoryIdScheme="NAME" categoryOptionIdScheme="NAME" dryRun="true" importStrategy="DELETE" unknown="x"/>"#;

    #[test]
    fn classic_header() {
        let (h, values) = classic(HEADER);
        assert!(values.is_empty());
        assert_eq!(h.data_set.as_deref(), Some("ds"));
        assert_eq!(h.complete_date.as_deref(), Some("2012-01-09"));
        assert_eq!(h.period.as_deref(), Some("201201"));
        assert_eq!(h.org_unit.as_deref(), Some("ou"));
        assert_eq!(h.attribute_option_combo.as_deref(), Some("aoc"));
        assert_eq!(h.id_scheme.as_deref(), Some("code"));
        assert_eq!(h.data_element_id_scheme.as_deref(), Some("NAME"));
        assert_eq!(h.org_unit_id_scheme.as_deref(), Some("uid"));
        assert_eq!(h.category_option_combo_id_scheme.as_deref(), Some("CODE"));
        assert_eq!(h.data_set_id_scheme.as_deref(), Some("CODE"));
        // Not read by the classic importer.
        assert_eq!(h.attribute_option_combo_id_scheme, None);
        assert_eq!(h.category_id_scheme, None);
        assert_eq!(h.category_option_id_scheme, None);
        assert_eq!(h.dry_run, Some(true));
        assert_eq!(h.strategy.as_deref(), Some("DELETE"));
        assert_eq!(h.attribute_category_options, None);
    }

    #[test]
    fn pipeline_header() {
        let (h, _) = pipeline(HEADER);
        assert_eq!(h.data_set.as_deref(), Some("ds"));
        assert_eq!(h.attribute_option_combo_id_scheme.as_deref(), Some("CODE"));
        assert_eq!(h.category_id_scheme.as_deref(), Some("NAME"));
        assert_eq!(h.category_option_id_scheme.as_deref(), Some("NAME"));
        assert_eq!(h.dry_run, Some(true));
        // importStrategy is no longer read from the payload.
        assert_eq!(h.strategy, None);
    }

    #[test]
    fn dry_run_rules() {
        let dry = |v: &str, p| {
            let xml = format!("<dataValueSet dryRun=\"{v}\"/>");
            read(&xml, p).unwrap().0.dry_run
        };
        use ImporterProfile::{Classic, Pipeline};
        assert_eq!(dry("true", Classic), Some(true));
        assert_eq!(dry("TRUE", Classic), None);
        assert_eq!(dry("false", Classic), None);
        assert_eq!(dry("yes", Classic), None);
        assert_eq!(dry("", Classic), None);
        assert_eq!(dry("true", Pipeline), Some(true));
        assert_eq!(dry("TRUE", Pipeline), Some(true));
        assert_eq!(dry("false", Pipeline), Some(false));
        assert_eq!(dry("yes", Pipeline), Some(false));
        assert_eq!(dry("", Pipeline), None);
        assert_eq!(classic("<dataValueSet/>").0.dry_run, None);
    }

    #[test]
    fn import_strategy_is_kept_as_written() {
        let (h, _) = classic("<dataValueSet importStrategy=\"create_and_update\"/>");
        assert_eq!(h.strategy.as_deref(), Some("create_and_update"));
    }

    #[test]
    fn empty_attributes_are_absent() {
        let (h, values) = classic(
            r#"<dataValueSet dataSet="" period="201201" attributeOptionCombo="">
              <dataValue dataElement="de" value="" comment="" followUp="" deleted=""/>
            </dataValueSet>"#,
        );
        assert_eq!(h.data_set, None);
        assert_eq!(h.attribute_option_combo, None);
        assert_eq!(h.period.as_deref(), Some("201201"));
        let v = &values[0];
        assert_eq!(v.data_element(), Some("de"));
        assert_eq!(v.value(), None);
        assert_eq!(v.comment(), None);
        assert_eq!(v.followup(), None);
        assert_eq!(v.deleted(), None);
    }

    #[test]
    fn value_attributes_classic_and_pipeline() {
        let xml = r#"<dataValueSet>
          <dataValue dataElement="de" period="201201" orgUnit="ou" categoryOptionCombo="coc"
            attributeOptionCombo="aoc" value="10" storedBy="john" created="2010-01-01"
            lastUpdated="2010-01-02" comment="c" followUp="True" deleted="TRUE" timestamp="x"/>
        </dataValueSet>"#;
        let (_, values) = classic(xml);
        let v = &values[0];
        let fields: Vec<_> = v.fields().map(|(f, t)| (f.name(), t.to_owned())).collect();
        assert_eq!(fields.len(), 10, "{fields:?}");
        assert_eq!(v.stored_by(), Some("john"));
        assert_eq!(v.created(), Some("2010-01-01"));
        assert_eq!(v.last_updated(), Some("2010-01-02"));
        assert_eq!(v.followup(), Some(true));
        assert_eq!(v.deleted(), Some(true));
        let (_, values) = pipeline(xml);
        let v = &values[0];
        assert_eq!(v.stored_by(), None);
        assert_eq!(v.created(), None);
        assert_eq!(v.last_updated(), None);
        assert_eq!(v.value(), Some("10"));
        assert_eq!(v.comment(), Some("c"));
        assert_eq!(v.followup(), Some(true));
        assert_eq!(v.deleted(), Some(true));
    }

    #[test]
    fn followup_spelling_and_flags() {
        let (_, values) = classic(
            r#"<dataValueSet>
              <dataValue dataElement="a" followup="true"/>
              <dataValue dataElement="b" followUp="false" deleted="no"/>
              <dataValue dataElement="c" followUp="yes" deleted="tRuE"/>
              <dataValue dataElement="d"/>
            </dataValueSet>"#,
        );
        let flags: Vec<_> = values.iter().map(|v| (v.followup(), v.deleted())).collect();
        assert_eq!(
            flags,
            vec![
                (None, None),
                (Some(false), Some(false)),
                (Some(false), Some(true)),
                (None, None)
            ]
        );
    }

    #[test]
    fn namespaces_and_prefixes() {
        let (h, values) = classic(
            r#"<d:dataValueSet xmlns:d="http://dhis2.org/schema/dxf/2.0" d:dataSet="ds" xmlns:dataSet="urn:x">
              <d:dataValue d:dataElement="a" value="1"/>
              <other:dataValue xmlns:other="urn:other" dataElement="b" x:value="2" value="3"/>
            </d:dataValueSet>"#,
        );
        assert_eq!(h.data_set.as_deref(), Some("ds"));
        assert_eq!(values.len(), 2);
        assert_eq!(values[0].data_element(), Some("a"));
        assert_eq!(values[0].value(), Some("1"));
        // The first attribute with a local name wins.
        assert_eq!(values[1].value(), Some("2"));
        let (h, values) =
            classic(r#"<dataValueSet dataSet="ds"><dataValue dataElement="a"/></dataValueSet>"#);
        assert_eq!(h.data_set.as_deref(), Some("ds"));
        assert_eq!(values.len(), 1);
    }

    #[test]
    fn classic_skips_anything_before_the_set() {
        let (h, values) = classic(
            r#"<?xml version="1.0" encoding="UTF-8"?>
            <!-- comment -->
            <envelope a="1"><meta><dataValue dataElement="not-read"/></meta>
              <dataValueSet dataSet="ds"><dataValue dataElement="a"/></dataValueSet>
              <dataValue dataElement="after"/>
            </envelope>"#,
        );
        assert_eq!(h.data_set.as_deref(), Some("ds"));
        assert_eq!(values.len(), 1);
        assert_eq!(values[0].data_element(), Some("a"));
    }

    #[test]
    fn pipeline_root_rules() {
        let e = read(
            "<envelope><dataValueSet/></envelope>",
            ImporterProfile::Pipeline,
        )
        .unwrap_err();
        assert!(matches!(e.kind(), ErrorKind::UnexpectedRoot { found } if found == "envelope"));
        assert_eq!(
            e.to_string(),
            "line 1, column 1: Neither <dataValueSet> nor <adx> root tag found but: <envelope>"
        );
        let e = read(
            "<!-- x --><adx xmlns=\"urn:ihe:qrph:adx:2015\"/>",
            ImporterProfile::Pipeline,
        )
        .unwrap_err();
        assert!(matches!(e.kind(), ErrorKind::Adx));
        assert_eq!(e.category(), Category::Data);
        let e = read("<!-- nothing -->", ImporterProfile::Pipeline).unwrap_err();
        assert!(matches!(e.kind(), ErrorKind::NoRootElement));
        let e = read("<adx/>", ImporterProfile::Classic).unwrap_err();
        assert!(matches!(e.kind(), ErrorKind::NoDataValueSet));
        assert_eq!(
            e.to_string(),
            "line 1, column 7: no <dataValueSet> element found"
        );
        assert!(matches!(classic_err("").kind(), ErrorKind::NoDataValueSet));
    }

    #[test]
    fn nested_wrapper_and_children_are_handled() {
        let (_, values) = classic(
            r#"<dataValueSet>
              <dataValues>
                <dataValue dataElement="a" value="1"><value>99</value><comment>x</comment></dataValue>
                <group><dataValue dataElement="b"/></group>
              </dataValues>
              <dataValue dataElement="c">text &amp; more<![CDATA[<ignored/>]]></dataValue>
            </dataValueSet>"#,
        );
        let des: Vec<_> = values.iter().map(|v| v.data_element().unwrap()).collect();
        assert_eq!(des, vec!["a", "b", "c"]);
        assert_eq!(values[0].value(), Some("1"));
        assert_eq!(values[0].comment(), None);
    }

    #[test]
    fn escapes_in_attributes() {
        let (h, values) = classic(
            "<dataValueSet dataSet=\"a&amp;b\">\
             <dataValue dataElement=\"d&#x41;&#66;\" comment=\"&lt;&gt;&quot;&apos; l1\nl2&#10;l3&#13;&#9;\" value='say \"hi\"'/>\
             </dataValueSet>",
        );
        assert_eq!(h.data_set.as_deref(), Some("a&b"));
        assert_eq!(values[0].data_element(), Some("dAB"));
        assert_eq!(values[0].comment(), Some("<>\"' l1 l2\nl3\r\t"));
        assert_eq!(values[0].value(), Some("say \"hi\""));
    }

    #[test]
    fn errors_have_positions_and_value_indexes() {
        let xml = "<dataValueSet>\n  <dataValue dataElement=\"a\"/>\n  <dataValue dataElement=\"b&c\"/>\n</dataValueSet>";
        let e = classic_err(xml);
        assert!(
            matches!(e.kind(), ErrorKind::InvalidAttributeValue { attribute, .. } if attribute == "dataElement")
        );
        assert_eq!(
            (e.line(), e.column(), e.value_index()),
            (Some(3), Some(28), Some(1))
        );

        let e = classic_err("<dataValueSet>\n<dataValue a=\"1\" a=\"2\"/></dataValueSet>");
        assert!(matches!(e.kind(), ErrorKind::DuplicateAttribute { name } if name == "a"));
        assert_eq!((e.line(), e.column()), (Some(2), Some(18)));

        let e = classic_err(
            "<dataValueSet>\n  <dataValue\n     dataElement=\"x\" value=\"1<2\"/>\n</dataValueSet>",
        );
        assert_eq!(
            (e.line(), e.column(), e.value_index()),
            (Some(3), Some(30), Some(0))
        );

        let e = classic_err("<dataValueSet dataSet=\"&bogus;\"/>");
        assert_eq!(
            (e.line(), e.column(), e.value_index()),
            (Some(1), Some(24), None)
        );
        assert!(e.to_string().contains("&bogus;"), "{e}");

        let e = classic_err("<dataValueSet><dataValue a=\"1\"b=\"2\"/></dataValueSet>");
        assert_eq!(e.category(), Category::Syntax);

        // Problems in elements that are not read are errors too.
        let e = classic_err("<dataValueSet><x a=\"1\" a=\"1\"/></dataValueSet>");
        assert!(matches!(e.kind(), ErrorKind::DuplicateAttribute { .. }));
        let e = classic_err("<dataValueSet/><x a=\"&\"/>");
        assert!(e.to_string().contains("second root"), "{e}");
    }

    #[test]
    fn truncated_input() {
        let full = "<dataValueSet>\n  <dataValue dataElement=\"a\" value=\"1\"/>\n  <dataValue dataElement=\"b\" value=\"2\"/>\n</dataValueSet>\n";
        for cut in 0..full.len() - 1 {
            let partial = &full[..cut];
            let result = read(partial, ImporterProfile::Classic);
            assert!(
                result.is_err(),
                "accepted a truncated document: {partial:?}"
            );
        }
        let e = classic_err("<dataValueSet>\n  <dataValue dataElement=\"a\"/>\n");
        assert!(e.is_eof());
        assert_eq!(
            e.to_string(),
            "line 3, column 1 (value #1): unexpected end of input: expected </dataValueSet>"
        );
        let e = classic_err("<dataValueSet>\n  <dataValue dataElement=\"a");
        assert_eq!(e.category(), Category::Syntax);
        assert!(e.is_eof());
        assert_eq!((e.line(), e.column()), (Some(2), Some(3)));
        assert!(read(full, ImporterProfile::Classic).is_ok());
    }

    #[test]
    fn trailing_content_and_bad_documents() {
        assert!(classic_err("<dataValueSet/>text")
            .to_string()
            .contains("after the end of the root element"));
        assert!(classic_err("<dataValueSet></dataValueSet><dataValueSet/>")
            .to_string()
            .contains("second root"));
        assert!(matches!(
            classic_err("<dataValueSet><dataValue></dataValues></dataValueSet>").kind(),
            ErrorKind::MismatchedEndTag { .. }
        ));
        assert!(matches!(
            read("<dataValueSet dataSet=\"\u{e9}\"/>", ImporterProfile::Classic).map(|r| r.0.data_set),
            Ok(Some(s)) if s == "\u{e9}"
        ));
        let mut reader =
            Reader::new(&b"<dataValueSet><dataValue dataElement=\"\xe9\"/></dataValueSet>"[..])
                .unwrap();
        let mut dv = DataValue::new();
        let e = reader.read_value(&mut dv).unwrap_err();
        assert!(matches!(e.kind(), ErrorKind::InvalidUtf8));
        assert_eq!(e.column(), Some(39));
        // After an error the reader is finished.
        assert!(!reader.read_value(&mut dv).unwrap());
    }

    #[test]
    fn reading_reuses_the_record() {
        let xml = "<dataValueSet><dataValue dataElement=\"a\" value=\"1\" followUp=\"true\"/><dataValue dataElement=\"b\"/></dataValueSet>";
        let mut reader = Reader::new(xml.as_bytes()).unwrap();
        let mut dv = DataValue::new();
        assert!(reader.read_value(&mut dv).unwrap());
        assert_eq!(dv.followup(), Some(true));
        assert!(reader.read_value(&mut dv).unwrap());
        assert_eq!(dv.data_element(), Some("b"));
        assert_eq!(dv.value(), None);
        assert_eq!(dv.followup(), None);
        assert_eq!(reader.values_read(), 2);
        assert!(!reader.read_value(&mut dv).unwrap());
        assert!(dv.is_empty());
        assert!(!reader.read_value(&mut dv).unwrap());
    }

    #[test]
    fn large_sets_stream() {
        let mut xml = String::from("<dataValueSet>");
        for i in 0..10_000 {
            xml.push_str(&format!(
                "\n<dataValue dataElement=\"de{i}\" value=\"{i}\"/>"
            ));
        }
        xml.push_str("\n</dataValueSet>");
        let mut reader =
            Reader::new(std::io::BufReader::with_capacity(64, xml.as_bytes())).unwrap();
        let mut dv = DataValue::new();
        let mut n = 0;
        while reader.read_value(&mut dv).unwrap() {
            assert_eq!(dv.value(), Some(n.to_string().as_str()));
            n += 1;
        }
        assert_eq!(n, 10_000);
    }

    #[test]
    fn characters_and_names_xml_does_not_allow_are_refused() {
        let e = classic_err("<dataValueSet>\n  <dataValue dataElement=\"a\"/>\0\n</dataValueSet>");
        assert!(
            matches!(
                e.kind(),
                ErrorKind::InvalidChar {
                    found: '\0',
                    context: "text"
                }
            ),
            "{e}"
        );
        assert_eq!(
            (e.line(), e.column(), e.value_index()),
            (Some(2), Some(31), Some(1))
        );
        let e =
            classic_err("<dataValueSet>\n<dataValue dataElement=\"a\" +x=\"1\"/></dataValueSet>");
        assert!(
            matches!(e.kind(), ErrorKind::InvalidName { what: "attribute", name } if name == "+x"),
            "{e}"
        );
        assert_eq!((e.line(), e.column()), (Some(2), Some(28)));
        let e = classic_err("<dataValueSet><data+Value dataElement=\"a\"/></dataValueSet>");
        assert!(
            matches!(e.kind(), ErrorKind::InvalidName { what: "element", name } if name == "data+Value"),
            "{e}"
        );
        let e = classic_err("<dataValueSet dataSet=\"\u{fffe}\"/>");
        assert!(
            matches!(e.kind(), ErrorKind::InvalidAttributeValue { attribute, .. } if attribute == "dataSet"),
            "{e}"
        );
        let e = classic_err("<dataValueSet><dataValue comment=\"a\u{1}\"/></dataValueSet>");
        assert!(
            matches!(e.kind(), ErrorKind::InvalidAttributeValue { .. }),
            "{e}"
        );
        // Everything the writer writes is read back: references to control characters and to
        // U+FFFE / U+FFFF.
        let (_, values) =
            classic("<dataValueSet><dataValue comment=\"&#1;&#65534;&#65535;\"/></dataValueSet>");
        assert_eq!(values[0].comment(), Some("\u{1}\u{fffe}\u{ffff}"));
    }

    #[test]
    fn limits_bound_every_token() {
        let limits = ReadLimits::default().with_max_token_bytes(64);
        let read = |xml: &str| -> Result<usize, Error> {
            let mut reader = Reader::with_limits(xml.as_bytes(), ImporterProfile::Classic, limits)?;
            assert_eq!(reader.limits(), limits);
            Ok(reader.values().collect::<Result<Vec<_>, _>>()?.len())
        };
        let long = "x".repeat(100);
        assert_eq!(
            read("<dataValueSet>\n<dataValue dataElement=\"a\" value=\"1\"/></dataValueSet>")
                .unwrap(),
            1
        );
        for (xml, what, line, column, index) in [
            (
                format!("<dataValueSet>\n<dataValue dataElement=\"a\" comment=\"{long}\"/></dataValueSet>"),
                "the value of attribute `comment`",
                2,
                37,
                Some(0),
            ),
            (
                format!("<dataValueSet dataSet=\"{long}\"/>"),
                "the value of attribute `dataSet`",
                1,
                24,
                None,
            ),
            (
                format!("<dataValueSet>\n<dataValue/>{long}</dataValueSet>"),
                "a text run",
                2,
                13,
                Some(1),
            ),
            (
                format!("<dataValueSet/>\n<!--{long}-->"),
                "a comment",
                2,
                1,
                None,
            ),
        ] {
            let e = read(&xml).unwrap_err();
            match e.kind() {
                ErrorKind::TokenTooLong { what: w, limit: 64 } => assert_eq!(w, what),
                _ => panic!("{xml}: {e}"),
            }
            assert_eq!(
                (e.line(), e.column(), e.value_index()),
                (Some(line), Some(column), index),
                "{xml}"
            );
        }
        // The default is the shared default.
        let reader = Reader::new("<dataValueSet/>".as_bytes()).unwrap();
        assert_eq!(reader.limits(), ReadLimits::default());
    }
}
