//! ADX → DXF2: [`AdxSource`], a [`DataValueSource`] that reads an ADX document and hands on
//! one DXF2 [`DataValue`] per `dataValue`, exactly as DHIS2's ADX import hands its values to the
//! DXF2 importer.

use std::fmt::Write as _;
use std::io::BufRead;

use dxf2_model::{
    DataValue, DataValueSetHeader, DataValueSource, Field, IdScheme, IdSchemes, ImportOptions,
    ImporterProfile, Metadata, ObjectKind, ReadLimits, SchemeTarget, TextPosition, Uid,
};
use idscheme_resolver::{MetadataResolver, Resolver};

use crate::combos::{identifier, ComboCache};
use crate::error::{Error, ErrorKind};
use crate::java;
use crate::period::parse_period;
use crate::reader::{AdxValue, Attributes, Reader, Step};

/// The id schemes an ADX import resolves with, from the request's: DHIS2 2.36–2.42 make `CODE`
/// the general scheme unless the request sets `idScheme` (`setDefaultIdScheme(CODE)`), so by
/// default every identifier of an ADX file — data set, org unit, data element, category,
/// category option, option combo — is a code; DHIS2 2.43+ keep the request's (`UID` by
/// default). Every target of the result is set: its specific scheme, else the general one
/// (2.43+: `ID` means `UID`). The classic importer resolves attribute option combos with the
/// category option combo scheme.
///
/// ```
/// use adx::effective_id_schemes;
/// use dxf2_model::{IdScheme, IdSchemes, ImporterProfile, SchemeTarget};
///
/// let request = IdSchemes { data_element: Some(IdScheme::Name), ..IdSchemes::default() };
/// let classic = effective_id_schemes(&request, ImporterProfile::Classic);
/// assert_eq!(classic.effective(SchemeTarget::DataElement), &IdScheme::Name);
/// assert_eq!(classic.effective(SchemeTarget::Category), &IdScheme::Code);
/// let pipeline = effective_id_schemes(&request, ImporterProfile::Pipeline);
/// assert_eq!(pipeline.effective(SchemeTarget::OrgUnit), &IdScheme::Uid);
/// ```
pub fn effective_id_schemes(request: &IdSchemes, profile: ImporterProfile) -> IdSchemes {
    let general = match (profile, &request.id_scheme) {
        (_, Some(scheme)) => scheme.clone(),
        (ImporterProfile::Classic, None) => IdScheme::Code,
        (ImporterProfile::Pipeline, None) => IdScheme::Uid,
    };
    let fix = |s: IdScheme| match (profile, s) {
        (ImporterProfile::Pipeline, IdScheme::Id) => IdScheme::Uid,
        (_, s) => s,
    };
    let mut out = IdSchemes {
        id_scheme: Some(fix(general.clone())),
        ..IdSchemes::default()
    };
    for target in SchemeTarget::ALL {
        let scheme = request.specific(target).cloned().unwrap_or(general.clone());
        *out.specific_mut(target) = Some(fix(scheme));
    }
    if profile == ImporterProfile::Classic {
        out.attribute_option_combo = out.category_option_combo.clone();
    }
    out
}

/// Builds an [`AdxSource`]: the importer generation, the request's id schemes, the reading
/// limits, and strictness.
#[derive(Clone, Debug, Default)]
pub struct AdxSourceBuilder {
    profile: ImporterProfile,
    id_schemes: IdSchemes,
    limits: ReadLimits,
    strict: bool,
}

impl AdxSourceBuilder {
    /// Classic (2.36–2.42), no request schemes, default limits, not strict.
    pub fn new() -> AdxSourceBuilder {
        AdxSourceBuilder::default()
    }

    /// Which DHIS2 generation to read and map like.
    pub fn profile(mut self, profile: ImporterProfile) -> AdxSourceBuilder {
        self.profile = profile;
        self
    }

    /// The request's id schemes (`idScheme`, `dataElementIdScheme`, …, `categoryIdScheme`,
    /// `categoryOptionIdScheme`); see [`effective_id_schemes`].
    pub fn id_schemes(mut self, schemes: IdSchemes) -> AdxSourceBuilder {
        self.id_schemes = schemes;
        self
    }

    /// The profile and the id schemes of an import's options.
    pub fn import_options(self, options: &ImportOptions) -> AdxSourceBuilder {
        self.profile(options.profile)
            .id_schemes(options.id_schemes.clone())
    }

    /// The reading limits (see [`ReadLimits`]).
    pub fn limits(mut self, limits: ReadLimits) -> AdxSourceBuilder {
        self.limits = limits;
        self
    }

    /// Refuse what DHIS2 2.36–2.42 silently loses: an option combo found from category
    /// attributes that has no identifier under the category option combo scheme (DHIS2 then
    /// imports the value under the default combo) is an
    /// [`ErrorKind::OptionComboWithoutIdentifier`]. Off by default.
    pub fn strict(mut self, strict: bool) -> AdxSourceBuilder {
        self.strict = strict;
        self
    }

    /// A source reading `input` against `metadata`. Only the 2.43+ profile reads anything now
    /// (up to the first group, whose data set goes into the header); every error of the input
    /// comes from [`DataValueSource::read_value`], so that an import reports it.
    pub fn build<R: BufRead>(self, metadata: &Metadata, input: R) -> AdxSource<'_, R> {
        let reader = Reader::with_options(input, self.profile, self.limits);
        let schemes = effective_id_schemes(&self.id_schemes, self.profile);
        let mut resolver = MetadataResolver::new(metadata);
        for (kind, target) in [
            (ObjectKind::DataSet, SchemeTarget::DataSet),
            (ObjectKind::DataElement, SchemeTarget::DataElement),
            (ObjectKind::OrganisationUnit, SchemeTarget::OrgUnit),
        ] {
            // A scheme that cannot be preheated fails on the first lookup instead.
            let _ = resolver.preheat(kind, schemes.effective(target));
        }
        let mut header = header_of(&schemes, self.profile);
        let mut reader = reader;
        // 2.43+ imports each group with its data set; the engine takes one per import: the
        // first group's, read ahead here.
        let peeked = match self.profile {
            ImporterProfile::Classic => None,
            ImporterProfile::Pipeline => {
                let step = reader.read_step();
                if let Ok(Step::Group) = step {
                    header.data_set = reader.group().get("dataSet").map(str::to_owned);
                }
                Some(step)
            }
        };
        AdxSource {
            peeked,
            reader,
            mapper: Mapper {
                md: metadata,
                resolver,
                schemes,
                profile: self.profile,
                strict: self.strict,
                combos: ComboCache::default(),
                scratch: String::new(),
            },
            header,
            group: GroupState::default(),
        }
    }
}

/// The header an ADX source hands on: every id scheme the values are written with, so that the
/// engine resolves them exactly as DHIS2's ADX import does (a payload's specific schemes win
/// over the request's under both generations). No data set on 2.36–2.42 (DHIS2 passes none).
fn header_of(schemes: &IdSchemes, profile: ImporterProfile) -> DataValueSetHeader {
    let name = |t: SchemeTarget| Some(schemes.effective(t).to_string());
    DataValueSetHeader {
        id_scheme: Some(schemes.general().to_string()),
        data_element_id_scheme: name(SchemeTarget::DataElement),
        org_unit_id_scheme: name(SchemeTarget::OrgUnit),
        category_option_combo_id_scheme: name(SchemeTarget::CategoryOptionCombo),
        data_set_id_scheme: name(SchemeTarget::DataSet),
        attribute_option_combo_id_scheme: match profile {
            ImporterProfile::Pipeline => name(SchemeTarget::AttributeOptionCombo),
            ImporterProfile::Classic => None,
        },
        ..DataValueSetHeader::default()
    }
}

/// The current group, mapped.
#[derive(Default)]
struct GroupState {
    /// The ISO period.
    period: String,
    /// The org unit as written.
    org_unit: Slot,
    /// The attribute option combo to hand on (as written, or found from category attributes).
    attribute_option_combo: Slot,
    /// The group's data set (2.43+ decodes category options through it).
    data_set: Option<Uid>,
}

/// An optional text in a buffer reused from group to group.
#[derive(Default)]
struct Slot {
    text: String,
    present: bool,
}

impl Slot {
    fn set(&mut self, text: Option<&str>) {
        self.text.clear();
        self.present = text.is_some();
        self.text.push_str(text.unwrap_or_default());
    }

    fn get(&self) -> Option<&str> {
        self.present.then_some(self.text.as_str())
    }
}

/// ADX → DXF2: reads an ADX document ([`Reader`]) and maps each `dataValue` to a DXF2
/// [`DataValue`] against a metadata catalogue, as DHIS2 does; a [`DataValueSource`], so the
/// import engine imports it unchanged (and any DXF2 writer converts it).
///
/// # What each value carries
///
/// Each group's `period` (converted to its ISO form, [`crate::period`]), `orgUnit` and
/// attribute option combo are copied into each of its values, as DHIS2 does when it hands an
/// ADX group to its DXF2 importer; the header carries the id schemes the values are written in.
///
/// DHIS2 2.36–2.42 ([`ImporterProfile::Classic`], as 2.42's `AdxDataValueSetReader`):
///
/// * a group needs `period` then `orgUnit` ([`ErrorKind::MissingAttribute`]); an unreadable
///   period is [`ErrorKind::Period`];
/// * the group's `attributeOptionCombo` is handed on as written; without it, a group with a
///   `dataSet` (looked up trimmed, [`ErrorKind::DataSetNotFound`]) has its category attributes
///   exploded against the data set's category combo into the attribute option combo;
/// * a value needs `dataElement` then `value` (also for text, whose real value is the
///   annotation); the data element (trimmed) must exist ([`ErrorKind::DataElementNotFound`]);
///   its `categoryOptionCombo` is handed on as written, else its category attributes are
///   exploded against the **data element's** category combo (data set overrides are not
///   considered); a data element that is not numeric takes its value from the `annotation`,
///   which it must have ([`ErrorKind::AnnotationMissing`]); an empty annotation is no value;
/// * explosion (`convertAttributesToDxf`): nothing for the default combo; each category's
///   identifier under `categoryIdScheme` must be an XML name
///   ([`ErrorKind::CategoryIdInvalid`]) and present as an attribute
///   ([`ErrorKind::CategoryMissing`]); the option combo whose options (under
///   `categoryOptionIdScheme`, in category order) are the attribute values must exist
///   ([`ErrorKind::InvalidAttributes`], [`ErrorKind::OptionComboIncomplete`],
///   [`ErrorKind::OptionWithoutIdentifier`]); it is handed on under the category option combo
///   scheme (for both combos) — when it has no identifier there, DHIS2 hands on nothing and
///   the value lands on the default combo (refused with [`AdxSourceBuilder::strict`]);
/// * `comment`, `storedBy`, `created`, `lastUpdated` are handed on; `followup` is `true` only
///   when written `true` (any case; absent is false); `deleted` likewise, absent unknown;
/// * the header has no data set: DHIS2 2.42 hands none on, so an ADX import never registers a
///   completion (`completeDate` is ignored).
///
/// DHIS2 2.43+ ([`ImporterProfile::Pipeline`], as `DataEntryInput.fromAdxXml` and
/// `decodeGroup`): the request's schemes without a `CODE` default; a group without a readable
/// `period` fails the import ([`ErrorKind::MissingPeriod`], [`ErrorKind::Period`]); the group's
/// `dataSet` must exist (`E8005`, `E8004`); without `attributeOptionCombo`, the group's other
/// attributes (not `orgUnit`, `period`, `dataSet`) name the attribute options through the data
/// set's combo (`E8101` without a data set; no match is no attribute option combo); a value
/// without `categoryOptionCombo` is decoded through its data element's combo **in the data
/// set** (`E8101` without a data set, `E8108` when no option combo has exactly those options —
/// also for a default-combo data element that does not name the default category); an
/// `annotation`, when present, is the value for every value type; `value` may be absent; only
/// `comment`, `followup` and `deleted` are handed on. Data element and org unit errors are
/// left to the engine (`E8102`–`E8107`, in DHIS2's order). DHIS2 imports each group with its
/// data set; the engine takes one data set per import, so the header carries the first group's
/// `dataSet` (read ahead when the source is built) and a group of another data set is refused
/// ([`ErrorKind::SeveralDataSets`]). The group's `completeDate` is not handed on.
///
/// Any such error ends the document (DHIS2 fails the whole import): see [`Error`] for how to
/// report it as DHIS2 does.
///
/// ```
/// use adx::AdxSourceBuilder;
/// use dxf2_model::metadata::{DataElement, Identity, OrganisationUnit};
/// use dxf2_model::{DataValue, DataValueSource, Metadata, Uid, ValueType};
///
/// let uid = |s: &str| Uid::parse(s).unwrap();
/// let mut de = DataElement::new(Identity::new(uid("f7n9E0hX8qk")), ValueType::Integer);
/// de.id.code = Some("CASES".into());
/// let md = Metadata::builder()
///     .with(de)
///     .with(OrganisationUnit::new(Identity::new(uid("DiszpKrYNg8")), None))
///     .build()
///     .unwrap();
///
/// let xml = r#"<adx xmlns="urn:ihe:qrph:adx:2015">
///   <group orgUnit="OU_1" period="2024-01-01/P3M">
///     <dataValue dataElement="CASES" value="12"/>
///   </group>
/// </adx>"#;
/// let mut source = AdxSourceBuilder::new().build(&md, xml.as_bytes());
/// assert_eq!(source.header().data_element_id_scheme.as_deref(), Some("CODE"));
/// let mut value = DataValue::new();
/// assert!(source.read_value(&mut value)?);
/// assert_eq!(value.data_element(), Some("CASES"));
/// assert_eq!(value.period(), Some("2024Q1"));
/// assert_eq!(value.org_unit(), Some("OU_1"));
/// assert_eq!(value.value(), Some("12"));
/// assert!(!source.read_value(&mut value)?);
/// # Ok::<(), adx::Error>(())
/// ```
pub struct AdxSource<'m, R> {
    /// A step read ahead (2.43+: the first group), handed out first.
    peeked: Option<Result<Step, Error>>,
    reader: Reader<R>,
    mapper: Mapper<'m>,
    header: DataValueSetHeader,
    group: GroupState,
}

impl<'m, R: BufRead> AdxSource<'m, R> {
    /// A classic (2.36–2.42) source with no request schemes (see [`AdxSourceBuilder`]).
    pub fn new(metadata: &'m Metadata, input: R) -> AdxSource<'m, R> {
        AdxSourceBuilder::new().build(metadata, input)
    }

    /// The effective id schemes (see [`effective_id_schemes`]).
    pub fn id_schemes(&self) -> &IdSchemes {
        &self.mapper.schemes
    }

    /// How many groups were read so far.
    pub fn groups_read(&self) -> u64 {
        self.reader.groups_read()
    }

    /// How many values were read so far.
    pub fn values_read(&self) -> u64 {
        self.reader.values_read()
    }

    /// Maps the group the reader just read.
    fn start_group(&mut self) -> Result<(), Error> {
        let group = self.reader.group();
        let attrs = group.attributes();
        let result = match self.mapper.profile {
            ImporterProfile::Classic => self.mapper.classic_group(attrs, &mut self.group),
            ImporterProfile::Pipeline
                if attrs.get("dataSet") != self.header.data_set.as_deref() =>
            {
                Err(ErrorKind::SeveralDataSets {
                    first: self.header.data_set.clone(),
                    found: attrs.get("dataSet").map(str::to_owned),
                })
            }
            ImporterProfile::Pipeline => self.mapper.pipeline_group(attrs, &mut self.group),
        };
        result.map_err(|kind| locate(kind, group.position()).with_group_index(group.index()))
    }

    /// Maps the value the reader just read into `record`.
    fn fill(&mut self, record: &mut DataValue) -> Result<(), Error> {
        let value = self.reader.value();
        let result = match self.mapper.profile {
            ImporterProfile::Classic => self.mapper.classic_value(&self.group, value, record),
            ImporterProfile::Pipeline => self.mapper.pipeline_value(&self.group, value, record),
        };
        result.map_err(|kind| {
            locate(kind, value.position())
                .with_group_index(self.reader.group().index())
                .with_value_index(value.index())
        })
    }
}

/// What maps groups and values: the metadata, its resolver, the schemes, the combo maps.
struct Mapper<'m> {
    md: &'m Metadata,
    resolver: MetadataResolver<'m>,
    schemes: IdSchemes,
    profile: ImporterProfile,
    strict: bool,
    combos: ComboCache,
    scratch: String,
}

impl<'m> Mapper<'m> {
    fn scheme(&self, target: SchemeTarget) -> &IdScheme {
        self.schemes.effective(target)
    }

    fn resolve(
        &self,
        kind: ObjectKind,
        target: SchemeTarget,
        key: &str,
    ) -> Result<Option<Uid>, ErrorKind> {
        Ok(self.resolver.resolve(kind, self.scheme(target), key)?)
    }

    fn classic_group(
        &mut self,
        attrs: &Attributes,
        group: &mut GroupState,
    ) -> Result<(), ErrorKind> {
        let period = attrs.get("period").ok_or(ErrorKind::MissingAttribute {
            element: "group",
            attribute: "period",
        })?;
        let org_unit = attrs.get("orgUnit").ok_or(ErrorKind::MissingAttribute {
            element: "group",
            attribute: "orgUnit",
        })?;
        let period = parse_period(period, self.profile).map_err(ErrorKind::Period)?;
        let mut aoc = attrs.get("attributeOptionCombo");
        if aoc.is_none() {
            if let Some(raw) = attrs.get("dataSet") {
                let found = match java::trim_to_null(Some(raw)) {
                    Some(key) => self.resolve(ObjectKind::DataSet, SchemeTarget::DataSet, key)?,
                    None => None,
                };
                let Some(data_set) = found.and_then(|uid| self.md.data_set(&uid)) else {
                    return Err(ErrorKind::DataSetNotFound {
                        scheme: self.scheme(SchemeTarget::DataSet).clone(),
                        key: raw.to_owned(),
                    });
                };
                let combo = data_set.category_combo;
                aoc = self.explode_classic(&combo, attrs)?;
            }
        }
        group.period.clear();
        let _ = write!(group.period, "{period}");
        group.org_unit.set(Some(org_unit));
        group.attribute_option_combo.set(aoc);
        group.data_set = None;
        Ok(())
    }

    /// Classic explosion against `combo`, the option combo written under the category option
    /// combo scheme (`None`: default combo, or no identifier and not strict).
    fn explode_classic(
        &mut self,
        combo: &Uid,
        attrs: &Attributes,
    ) -> Result<Option<&'m str>, ErrorKind> {
        let category_scheme = self.schemes.effective(SchemeTarget::Category);
        let option_scheme = self.schemes.effective(SchemeTarget::CategoryOption);
        let map = self
            .combos
            .get(self.md, combo, category_scheme, option_scheme);
        let Some(uid) = map.explode_classic(|k| attrs.get(k), &mut self.scratch)? else {
            return Ok(None);
        };
        self.written_combo(uid, SchemeTarget::CategoryOptionCombo, self.strict)
    }

    /// An option combo found from category attributes, written under the scheme of `target`.
    fn written_combo(
        &self,
        uid: Uid,
        target: SchemeTarget,
        strict: bool,
    ) -> Result<Option<&'m str>, ErrorKind> {
        let scheme = self.scheme(target);
        let coc = self.md.category_option_combo(&uid);
        match coc.and_then(|c| identifier(&c.id, scheme)) {
            Some(id) => Ok(Some(id)),
            None if !strict => Ok(None),
            None => Err(ErrorKind::OptionComboWithoutIdentifier {
                kind: ObjectKind::CategoryOptionCombo,
                uid,
                name: coc.and_then(|c| c.id.name.clone()),
                scheme: scheme.clone(),
            }),
        }
    }

    fn pipeline_group(
        &mut self,
        attrs: &Attributes,
        group: &mut GroupState,
    ) -> Result<(), ErrorKind> {
        let period = attrs.get("period").ok_or(ErrorKind::MissingPeriod)?;
        let period = parse_period(period, self.profile).map_err(ErrorKind::Period)?;
        let data_set = match attrs.get("dataSet") {
            Some(raw) => Some(self.pipeline_data_set(raw)?),
            None => None,
        };
        let in_map = |k: &str| !matches!(k, "orgUnit" | "period" | "dataSet");
        let mut aoc = attrs.get("attributeOptionCombo");
        if aoc.is_none() && attrs.iter().any(|(k, _)| in_map(k)) {
            let Some(ds) = data_set else {
                let map = java::map_string(
                    attrs
                        .iter()
                        .filter(|(k, _)| in_map(k))
                        .map(|(k, v)| (k, Some(v))),
                );
                return Err(conflict("E8101", &["*", &map]));
            };
            if let Some(combo) = self.md.data_set(&ds).map(|d| d.category_combo) {
                let category_scheme = self.schemes.effective(SchemeTarget::Category);
                let option_scheme = self.schemes.effective(SchemeTarget::CategoryOption);
                let map = self
                    .combos
                    .get(self.md, &combo, category_scheme, option_scheme);
                if let Some(uid) = map.find_set(|k| attrs.get(k)) {
                    aoc = self.written_combo(uid, SchemeTarget::AttributeOptionCombo, true)?;
                }
            }
        }
        group.period.clear();
        let _ = write!(group.period, "{period}");
        group.org_unit.set(attrs.get("orgUnit"));
        group.attribute_option_combo.set(aoc);
        group.data_set = data_set;
        Ok(())
    }

    /// The group's data set on 2.43+: `E8005` not found, `E8004` not a UID.
    fn pipeline_data_set(&self, raw: &str) -> Result<Uid, ErrorKind> {
        let scheme = self.scheme(SchemeTarget::DataSet);
        if *scheme == IdScheme::Uid && Uid::parse(raw).is_err() {
            return Err(conflict("E8004", &[raw]));
        }
        self.resolve(ObjectKind::DataSet, SchemeTarget::DataSet, raw)?
            .filter(|uid| self.md.data_set(uid).is_some())
            .ok_or_else(|| conflict("E8005", &[raw]))
    }

    fn classic_value(
        &mut self,
        group: &GroupState,
        value: &AdxValue,
        record: &mut DataValue,
    ) -> Result<(), ErrorKind> {
        let attrs = value.attributes();
        let de_raw = attrs
            .get("dataElement")
            .ok_or(ErrorKind::MissingAttribute {
                element: "dataValue",
                attribute: "dataElement",
            })?;
        let text = attrs.get("value").ok_or(ErrorKind::MissingAttribute {
            element: "dataValue",
            attribute: "value",
        })?;
        let key = java::trim_to_null(Some(de_raw));
        let found = match key {
            Some(key) => self.resolve(ObjectKind::DataElement, SchemeTarget::DataElement, key)?,
            None => None,
        };
        let Some(de) = found.and_then(|uid| self.md.data_element(&uid)) else {
            return Err(ErrorKind::DataElementNotFound {
                scheme: self.scheme(SchemeTarget::DataElement).clone(),
                key: key.map(str::to_owned),
            });
        };
        let (combo, numeric) = (de.category_combo, de.value_type.is_numeric());
        let coc = match attrs.get("categoryOptionCombo") {
            Some(c) => Some(c),
            None => self.explode_classic(&combo, attrs)?,
        };
        let text = if numeric {
            Some(text)
        } else {
            match value.annotation() {
                None => return Err(ErrorKind::AnnotationMissing),
                Some("") => None,
                Some(annotation) => Some(annotation),
            }
        };
        record.clear();
        record.set(Field::DataElement, de_raw);
        fill_group(group, coc, record);
        if let Some(text) = text {
            record.set(Field::Value, text);
        }
        for (field, name) in [
            (Field::StoredBy, "storedBy"),
            (Field::Created, "created"),
            (Field::LastUpdated, "lastUpdated"),
            (Field::Comment, "comment"),
        ] {
            if let Some(text) = attrs.get(name) {
                record.set(field, text);
            }
        }
        record.set_followup(Some(attrs.get("followup").is_some_and(parse_boolean)));
        record.set_deleted(attrs.get("deleted").map(parse_boolean));
        Ok(())
    }

    fn pipeline_value(
        &mut self,
        group: &GroupState,
        value: &AdxValue,
        record: &mut DataValue,
    ) -> Result<(), ErrorKind> {
        let attrs = value.attributes();
        let de_raw = attrs.get("dataElement");
        let coc = match attrs.get("categoryOptionCombo") {
            Some(c) => Some(c),
            None => self.pipeline_coc(group, attrs, de_raw, value.index())?,
        };
        record.clear();
        if let Some(de) = de_raw {
            record.set(Field::DataElement, de);
        }
        fill_group(group, coc, record);
        if let Some(text) = value.annotation().or(attrs.get("value")) {
            record.set(Field::Value, text);
        }
        if let Some(comment) = attrs.get("comment") {
            record.set(Field::Comment, comment);
        }
        record.set_followup(attrs.get("followup").map(parse_boolean));
        record.set_deleted(attrs.get("deleted").map(parse_boolean));
        Ok(())
    }

    /// 2.43+: a value's option combo from its category attributes (every attribute but
    /// `dataElement`, `value`, `comment`, `followup`). `Ok(None)` leaves the value to the
    /// engine, which reports its data element or org unit first, as DHIS2 decodes them first.
    fn pipeline_coc(
        &mut self,
        group: &GroupState,
        attrs: &Attributes,
        de_raw: Option<&str>,
        index: u64,
    ) -> Result<Option<&'m str>, ErrorKind> {
        let in_map = |k: &str| !matches!(k, "dataElement" | "value" | "comment" | "followup");
        let map_text = || {
            java::map_string(
                attrs
                    .iter()
                    .filter(|(k, _)| in_map(k))
                    .map(|(k, v)| (k, Some(v))),
            )
        };
        let de = match de_raw {
            Some(raw) => self.resolve(ObjectKind::DataElement, SchemeTarget::DataElement, raw)?,
            None => None,
        };
        let ou = match group.org_unit.get() {
            Some(raw) => self.resolve(ObjectKind::OrganisationUnit, SchemeTarget::OrgUnit, raw)?,
            None => None,
        };
        let (Some(de), Some(_)) = (de, ou) else {
            return Ok(None);
        };
        let Some(ds) = group.data_set else {
            return Err(conflict("E8101", &[&index.to_string(), &map_text()]));
        };
        let (Some(data_set), Some(element)) = (self.md.data_set(&ds), self.md.data_element(&de))
        else {
            return Ok(None);
        };
        let Some(combo) = data_set
            .elements
            .iter()
            .find(|e| e.data_element == de)
            .map(|e| e.category_combo.unwrap_or(element.category_combo))
        else {
            let de_text = de_raw.unwrap_or_default();
            return Err(ErrorKind::Conflict {
                code: "E8020",
                message: format!("Data set {ds} not usable with data element(s): `[{de_text}]`"),
                key: format!("{ds}-[{de_text}]"),
            });
        };
        let category_scheme = self.schemes.effective(SchemeTarget::Category);
        let option_scheme = self.schemes.effective(SchemeTarget::CategoryOption);
        let map = self
            .combos
            .get(self.md, &combo, category_scheme, option_scheme);
        match map.find_set(|k| if in_map(k) { attrs.get(k) } else { None }) {
            Some(uid) => self.written_combo(uid, SchemeTarget::CategoryOptionCombo, true),
            None => Err(conflict("E8108", &[&index.to_string(), &map_text()])),
        }
    }
}

/// Copies the group's period, org unit and attribute option combo, and the option combo, into
/// a value.
fn fill_group(group: &GroupState, coc: Option<&str>, record: &mut DataValue) {
    record.set(Field::Period, &group.period);
    if let Some(ou) = group.org_unit.get() {
        record.set(Field::OrgUnit, ou);
    }
    if let Some(coc) = coc {
        record.set(Field::CategoryOptionCombo, coc);
    }
    if let Some(aoc) = group.attribute_option_combo.get() {
        record.set(Field::AttributeOptionCombo, aoc);
    }
}

/// Java's `Boolean.parseBoolean`: `true` in any letter case.
fn parse_boolean(s: &str) -> bool {
    s.eq_ignore_ascii_case("true")
}

/// A DHIS2 2.43+ decoding error with its code's template filled in.
fn conflict(code: &'static str, args: &[&str]) -> ErrorKind {
    let template = match code {
        "E8004" => "Data set UID not valid: `{0}`",
        "E8005" => "Data set not found: `{0}`",
        "E8101" => "Value #{0} data set is required to decode category options: `{1}`",
        _ => "Value #{0} category option combo not found: `{1}`",
    };
    let mut message = template.to_owned();
    for (i, arg) in args.iter().enumerate() {
        // Java's MessageFormat groups the thousands of an int.
        let shown = match arg.parse::<i64>() {
            Ok(n) if i == 0 && code.starts_with("E81") => group_thousands(n),
            _ => (*arg).to_owned(),
        };
        message = message.replace(&format!("{{{i}}}"), &shown);
    }
    ErrorKind::Conflict {
        code,
        message,
        key: args.join("-"),
    }
}

/// `1234567` → `1,234,567`.
fn group_thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 {
        out.insert(0, '-');
    }
    out
}

fn locate(kind: ErrorKind, position: Option<TextPosition>) -> Error {
    match position {
        Some(p) => Error::at(kind, p),
        None => Error::new(kind),
    }
}

impl<R: BufRead> DataValueSource for AdxSource<'_, R> {
    type Error = Error;

    fn header(&self) -> &DataValueSetHeader {
        &self.header
    }

    fn read_value(&mut self, record: &mut DataValue) -> Result<bool, Error> {
        record.clear();
        loop {
            let step = match self.peeked.take() {
                Some(step) => step?,
                None => self.reader.read_step()?,
            };
            match step {
                Step::Group => self.start_group()?,
                Step::Value => {
                    self.fill(record)?;
                    return Ok(true);
                }
                Step::End => return Ok(false),
            }
        }
    }

    fn value_position(&self) -> Option<TextPosition> {
        (self.reader.values_read() > 0)
            .then(|| self.reader.value().position())
            .flatten()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn schemes_default_to_code_on_classic_only() {
        let none = IdSchemes::default();
        let classic = effective_id_schemes(&none, ImporterProfile::Classic);
        for target in SchemeTarget::ALL {
            assert_eq!(classic.effective(target), &IdScheme::Code, "{target:?}");
        }
        let pipeline = effective_id_schemes(&none, ImporterProfile::Pipeline);
        for target in SchemeTarget::ALL {
            assert_eq!(pipeline.effective(target), &IdScheme::Uid, "{target:?}");
        }
        let request = IdSchemes {
            id_scheme: Some(IdScheme::Uid),
            category_option_combo: Some(IdScheme::Name),
            attribute_option_combo: Some(IdScheme::Code),
            ..IdSchemes::default()
        };
        let classic = effective_id_schemes(&request, ImporterProfile::Classic);
        assert_eq!(classic.effective(SchemeTarget::DataSet), &IdScheme::Uid);
        // The classic importer resolves attribute option combos with the COC scheme.
        assert_eq!(
            classic.effective(SchemeTarget::AttributeOptionCombo),
            &IdScheme::Name
        );
        let pipeline = effective_id_schemes(&request, ImporterProfile::Pipeline);
        assert_eq!(
            pipeline.effective(SchemeTarget::AttributeOptionCombo),
            &IdScheme::Code
        );
        let ids = IdSchemes {
            id_scheme: Some(IdScheme::Id),
            ..IdSchemes::default()
        };
        assert_eq!(
            effective_id_schemes(&ids, ImporterProfile::Pipeline).effective(SchemeTarget::OrgUnit),
            &IdScheme::Uid
        );
    }

    #[test]
    fn header_names_every_scheme() {
        let schemes = effective_id_schemes(&IdSchemes::default(), ImporterProfile::Classic);
        let header = header_of(&schemes, ImporterProfile::Classic);
        assert_eq!(header.id_scheme.as_deref(), Some("CODE"));
        assert_eq!(
            header.category_option_combo_id_scheme.as_deref(),
            Some("CODE")
        );
        assert_eq!(header.attribute_option_combo_id_scheme, None);
        assert_eq!(header.data_set, None);
        let parsed = header.id_schemes(false).unwrap();
        let merged = IdSchemes::classic_merge(
            &parsed,
            &IdSchemes {
                data_element: Some(IdScheme::Name),
                ..IdSchemes::default()
            },
        );
        assert_eq!(merged.effective(SchemeTarget::DataElement), &IdScheme::Code);
    }

    #[test]
    fn conflicts_render_like_java() {
        let c = conflict("E8108", &["1234", "{sex=X}"]);
        assert_eq!(
            c.to_string(),
            "Value #1,234 category option combo not found: `{sex=X}`"
        );
        assert!(matches!(c, ErrorKind::Conflict { key, .. } if key == "1234-{sex=X}"));
        assert_eq!(group_thousands(-1234), "-1,234");
        assert_eq!(group_thousands(999), "999");
        assert!(parse_boolean("TRUE"));
        assert!(!parse_boolean("yes"));
    }
}
