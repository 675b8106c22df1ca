//! The keys of a data value set and of a data value as each importer generation reads them,
//! and the readers of their values (texts, booleans, lists, maps, the 2.43+ `deletion`).

use std::io::BufRead;

use dxf2_model::{
    DataValueSetHeader, DeletionElement, DeletionScope, Field, ImporterProfile, SchemeTarget,
};

use crate::error::{Error, ErrorKind, JsonType, Position, Result};
use crate::tokenizer::Tokenizer;

/// What a string-typed key accepts, for messages.
pub(super) const SCALAR: &str = "a string, number, boolean or null";

/// What a category → option map accepts as an option, for messages.
pub(super) const OPTION: &str = "a category option (a string) or null";

/// What an element of a list or map costs beyond its text, counted against
/// [`ReadLimits::max_record_bytes`].
pub(super) const ENTRY_BYTES: usize = std::mem::size_of::<String>();

/// A set-level text key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum HeaderText {
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
pub(super) enum HeaderKey {
    DataValues,
    Text(HeaderText),
    DryRun,
    AttributeCategoryOptions,
    Deletion,
    Unknown,
}

impl HeaderKey {
    /// Classifies a top-level key (exact, case-sensitive names, as Jackson binds them).
    pub(super) fn of(profile: ImporterProfile, key: &[u8]) -> HeaderKey {
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
    pub(super) fn name(self) -> &'static str {
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

pub(super) fn header_slot(header: &mut DataValueSetHeader, key: HeaderText) -> &mut Option<String> {
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
pub(super) enum ValueKey {
    Text(Field),
    FollowUp(&'static str),
    Deleted,
    Unknown,
}

impl ValueKey {
    /// Classifies a key of a data value object (exact, case-sensitive names).
    pub(super) fn of(profile: ImporterProfile, key: &[u8]) -> ValueKey {
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
pub(super) fn read_opt_text<R: BufRead>(
    tok: &mut Tokenizer<R>,
    key: &'static str,
) -> Result<Option<String>> {
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

pub(super) fn wrong_type(
    key: &str,
    expected: &'static str,
    found: JsonType,
    at: Position,
) -> Error {
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
pub(super) fn read_opt_bool<R: BufRead>(
    tok: &mut Tokenizer<R>,
    key: &'static str,
) -> Result<Option<bool>> {
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
pub(super) fn read_text_list<R: BufRead>(
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
pub(super) fn read_option_into<R: BufRead>(
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
pub(super) fn read_key_into<R: BufRead>(tok: &mut Tokenizer<R>, out: &mut String) -> Result<()> {
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
pub(super) fn read_option_map<R: BufRead>(
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
pub(super) fn read_deletion<R: BufRead>(tok: &mut Tokenizer<R>) -> Result<Option<DeletionScope>> {
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
pub(super) fn read_deletion_elements<R: BufRead>(
    tok: &mut Tokenizer<R>,
) -> Result<Vec<DeletionElement>> {
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
pub(super) fn read_header_member<R: BufRead>(
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
