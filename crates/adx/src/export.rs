//! DXF2 → ADX: [`AdxWriter`], a [`DataValueSink`] that writes DXF2 values as ADX groups,
//! disaggregations as category / category option identifiers, as DHIS2's ADX export does.

use std::fmt::Write as _;
use std::io::Write;

use dxf2_model::metadata::Identity;
use dxf2_model::{
    DataValue, DataValueSetHeader, DataValueSink, IdScheme, IdSchemes, ImporterProfile, Metadata,
    ObjectKind, Period, SchemeTarget, Uid,
};
use idscheme_resolver::{MetadataResolver, Resolver};
use rustc_hash::FxHashMap;

use crate::combos::{identifier, is_default_combo};
use crate::error::{Error, ErrorKind, MissingIdentifier};
use crate::java;
use crate::names::is_xml_name;
use crate::source::effective_id_schemes;
use crate::writer::AdxXmlWriter;

/// Builds an [`AdxWriter`]: how the incoming values name objects, and which identifiers to
/// write.
#[derive(Clone, Debug, Default)]
pub struct AdxWriterBuilder {
    input: IdSchemes,
    output: IdSchemes,
    data_set: Option<Uid>,
    extras: bool,
}

impl AdxWriterBuilder {
    /// Values named by UID; ADX written with DHIS2's export defaults (every identifier a code).
    pub fn new() -> AdxWriterBuilder {
        AdxWriterBuilder::default()
    }

    /// The id schemes the incoming values use (default UID; a header's own schemes win, as in
    /// an import).
    pub fn input_id_schemes(mut self, schemes: IdSchemes) -> AdxWriterBuilder {
        self.input = schemes;
        self
    }

    /// The output id schemes (`idScheme`, `dataSetIdScheme`, `orgUnitIdScheme`,
    /// `dataElementIdScheme`, `categoryIdScheme`, `categoryOptionIdScheme`): every one not
    /// given falls back to `idScheme`, and that to `CODE`, as DHIS2's ADX export does.
    pub fn output_id_schemes(mut self, schemes: IdSchemes) -> AdxWriterBuilder {
        self.output = schemes;
        self
    }

    /// The data set every group names (by UID), instead of the header's `dataSet` or the data
    /// set found for each value's data element.
    pub fn data_set(mut self, data_set: Uid) -> AdxWriterBuilder {
        self.data_set = Some(data_set);
        self
    }

    /// Also write what DHIS2's ADX import reads but its export leaves out, so that nothing is
    /// lost on the way back: `comment`, `followup="true"` and `deleted="true"`. Off by default
    /// (DHIS2's document).
    pub fn extras(mut self, extras: bool) -> AdxWriterBuilder {
        self.extras = extras;
        self
    }

    /// A writer to `out` against `metadata` (buffer `out`).
    pub fn build<W: Write>(self, metadata: &Metadata, out: W) -> AdxWriter<'_, W> {
        let output = effective_id_schemes(&self.output, ImporterProfile::Classic);
        AdxWriter {
            xml: AdxXmlWriter::new(out),
            md: metadata,
            resolver: MetadataResolver::new(metadata),
            configured_input: self.input,
            input: IdSchemes::default(),
            output,
            forced_data_set: self.data_set,
            extras: self.extras,
            header_data_set: None,
            defaults: DataValueSetHeader::default(),
            current: None,
            checked_data_sets: FxHashMap::default(),
            data_set_of: FxHashMap::default(),
            exploded: FxHashMap::default(),
            period: String::new(),
            written: 0,
            begun: false,
        }
    }
}

/// The key of a group: data set, period, org unit, attribute option combo.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct GroupKey {
    data_set: Uid,
    period: Period,
    org_unit: Uid,
    aoc: Uid,
}

/// DXF2 → ADX: writes the values of a data value set as an ADX document, as DHIS2's ADX export
/// (2.36–2.42, `DefaultAdxDataService.writeDataValueSet`) writes them; a [`DataValueSink`], so
/// any reader's values (or an export's) can be copied into it.
///
/// * Consecutive values with the same data set, period, org unit and attribute option combo
///   form one `group`: `dataSet`, `period` (ADX form), `orgUnit`, then the attribute option
///   combo's categories as attributes (none for the default combo).
/// * Each value: `dataElement`, its category option combo's categories as attributes (none
///   for the default combo), `value`; a data element that is not numeric is written
///   `value="0"` with the value in an `annotation`. Category attributes come in the order of a
///   Java `HashMap` of their names, as DHIS2 writes them (`sex="F" age="under5"`).
/// * The data set of a value: the one given to the builder, else the header's `dataSet`, else
///   the first data set (metadata order) holding the value's data element whose category combo
///   is the attribute option combo's ([`ErrorKind::NoDataSet`] when none).
/// * Identifiers are written under the output schemes (`CODE` unless told otherwise). An object
///   without one, or a category whose identifier is not an XML name, is
///   [`ErrorKind::MissingIdentifiers`], listing every such object of the data set (its own
///   identifier, its data elements', and the categories and options of its category combos —
///   checked when the data set is first used, before anything of it is written) or the org unit.
///   DHIS2 2.42 leaves such attributes out silently (an ADX file that cannot be read back);
///   [`check_identifiers`] finds them all before writing.
///
/// ```
/// use adx::AdxWriterBuilder;
/// use dxf2_model::metadata::{DataElement, DataSet, DataSetElement, Identity, OrganisationUnit};
/// use dxf2_model::{DataValue, DataValueSetHeader, DataValueSink, Field, Metadata, PeriodType, Uid, ValueType};
///
/// let uid = |s: &str| Uid::parse(s).unwrap();
/// let coded = |u: &str, code: &str| Identity { code: Some(code.into()), ..Identity::new(uid(u)) };
/// let mut ds = DataSet::new(coded("pBOMPrpg1QX", "MAL"), PeriodType::Monthly);
/// ds.elements.push(DataSetElement { data_element: uid("f7n9E0hX8qk"), category_combo: None });
/// let md = Metadata::builder()
///     .with(DataElement::new(coded("f7n9E0hX8qk", "CASES"), ValueType::Integer))
///     .with(OrganisationUnit::new(coded("DiszpKrYNg8", "OU_1"), None))
///     .with(ds)
///     .build()
///     .unwrap();
///
/// let mut writer = AdxWriterBuilder::new().build(&md, Vec::new());
/// writer.begin(&DataValueSetHeader::default())?;
/// writer.write_value(&DataValue::from_fields(&[
///     (Field::DataElement, "f7n9E0hX8qk"),
///     (Field::Period, "202401"),
///     (Field::OrgUnit, "DiszpKrYNg8"),
///     (Field::Value, "12"),
/// ]))?;
/// writer.finish()?;
/// assert_eq!(
///     String::from_utf8(writer.into_inner()).unwrap(),
///     "<adx xmlns=\"urn:ihe:qrph:adx:2015\"><group dataSet=\"MAL\" period=\"2024-01-01/P1M\" \
///      orgUnit=\"OU_1\"><dataValue dataElement=\"CASES\" value=\"12\"/></group></adx>"
/// );
/// # Ok::<(), adx::Error>(())
/// ```
pub struct AdxWriter<'m, W: Write> {
    xml: AdxXmlWriter<W>,
    md: &'m Metadata,
    resolver: MetadataResolver<'m>,
    configured_input: IdSchemes,
    input: IdSchemes,
    output: IdSchemes,
    forced_data_set: Option<Uid>,
    extras: bool,
    header_data_set: Option<Uid>,
    defaults: DataValueSetHeader,
    current: Option<GroupKey>,
    /// Data sets whose identifiers were checked.
    checked_data_sets: FxHashMap<Uid, ()>,
    /// (data element, attribute category combo) → data set.
    data_set_of: FxHashMap<(Uid, Uid), Option<Uid>>,
    /// Option combo → its category attributes, in writing order.
    exploded: FxHashMap<Uid, Vec<(String, String)>>,
    /// The current group's period in ADX form.
    period: String,
    written: u64,
    begun: bool,
}

impl<'m, W: Write> AdxWriter<'m, W> {
    /// The underlying writer.
    pub fn into_inner(self) -> W {
        self.xml.into_inner()
    }

    /// The underlying writer, by reference.
    pub fn get_ref(&self) -> &W {
        self.xml.get_ref()
    }

    /// How many values were written.
    pub fn values_written(&self) -> u64 {
        self.written
    }

    fn resolve(&self, kind: ObjectKind, target: SchemeTarget, key: &str) -> Result<Uid, ErrorKind> {
        let scheme = self.input.effective(target);
        self.resolver
            .resolve(kind, scheme, key)?
            .ok_or_else(|| ErrorKind::UnknownObject {
                kind,
                key: key.to_owned(),
                scheme: scheme.clone(),
            })
    }

    /// An option combo as a value names it; absent (or empty) is the default combo.
    fn option_combo(&self, key: Option<&str>, target: SchemeTarget) -> Result<Uid, ErrorKind> {
        match key.filter(|k| !k.is_empty()) {
            Some(key) => self.resolve(ObjectKind::CategoryOptionCombo, target, key),
            None => self
                .md
                .default_category_option_combo()
                .map(|c| c.id.uid)
                .ok_or_else(|| ErrorKind::UnknownObject {
                    kind: ObjectKind::CategoryOptionCombo,
                    key: "default".to_owned(),
                    scheme: IdScheme::Name,
                }),
        }
    }

    /// The identifier of an object under the output scheme of `target`.
    fn output_id(
        &self,
        id: &'m Identity,
        kind: ObjectKind,
        target: SchemeTarget,
    ) -> Result<&'m str, ErrorKind> {
        let scheme = self.output.effective(target);
        identifier(id, scheme).ok_or_else(|| ErrorKind::MissingIdentifiers {
            objects: vec![missing(id, kind, scheme, None)],
        })
    }

    /// The data set of a value's data element with an attribute option combo.
    fn data_set_for(&mut self, de: Uid, de_raw: &str, aoc: Uid) -> Result<Uid, ErrorKind> {
        if let Some(ds) = self.forced_data_set.or(self.header_data_set) {
            return Ok(ds);
        }
        let combo = self
            .md
            .category_option_combo(&aoc)
            .map(|c| c.category_combo)
            .unwrap_or(aoc);
        let md = self.md;
        let found = *self.data_set_of.entry((de, combo)).or_insert_with(|| {
            md.data_sets()
                .iter()
                .find(|ds| {
                    ds.category_combo == combo && ds.elements.iter().any(|e| e.data_element == de)
                })
                .map(|ds| ds.id.uid)
        });
        found.ok_or_else(|| ErrorKind::NoDataSet {
            data_element: de_raw.to_owned(),
            with_attribute_combo: !is_default_combo(md, &combo),
        })
    }

    /// Checks a data set's identifiers once (before anything of it is written).
    fn check_data_set(&mut self, ds: Uid) -> Result<(), ErrorKind> {
        if self.checked_data_sets.contains_key(&ds) {
            return Ok(());
        }
        let objects = check_identifiers(self.md, &[ds], &[], &self.output);
        if !objects.is_empty() {
            return Err(ErrorKind::MissingIdentifiers { objects });
        }
        self.checked_data_sets.insert(ds, ());
        Ok(())
    }

    /// Computes the category attributes of an option combo once (see `exploded`).
    fn explode(&mut self, coc: Uid) -> Result<(), ErrorKind> {
        if !self.exploded.contains_key(&coc) {
            let pairs = exploded_attributes(self.md, &coc, &self.output)?;
            self.exploded.insert(coc, pairs);
        }
        Ok(())
    }

    /// Writes one value; the header's period, org unit and attribute option combo fill the
    /// value's absent ones.
    fn write(&mut self, value: &DataValue) -> Result<(), ErrorKind> {
        let defaults = std::mem::take(&mut self.defaults);
        let result = self.write_with(value, &defaults);
        self.defaults = defaults;
        result
    }

    fn write_with(
        &mut self,
        value: &DataValue,
        defaults: &DataValueSetHeader,
    ) -> Result<(), ErrorKind> {
        use dxf2_model::Field;
        fn pick<'a>(own: Option<&'a str>, header: Option<&'a str>) -> Option<&'a str> {
            own.filter(|s| !s.is_empty()).or(header)
        }
        let de_raw = pick(value.data_element(), None).ok_or(ErrorKind::MissingField {
            field: "dataElement",
        })?;
        let period_raw = pick(value.get(Field::Period), defaults.period.as_deref())
            .ok_or(ErrorKind::MissingField { field: "period" })?;
        let ou_raw = pick(value.get(Field::OrgUnit), defaults.org_unit.as_deref())
            .ok_or(ErrorKind::MissingField { field: "orgUnit" })?;
        let aoc_raw = pick(
            value.get(Field::AttributeOptionCombo),
            defaults.attribute_option_combo.as_deref(),
        );
        let de = self.resolve(ObjectKind::DataElement, SchemeTarget::DataElement, de_raw)?;
        let ou = self.resolve(ObjectKind::OrganisationUnit, SchemeTarget::OrgUnit, ou_raw)?;
        let coc = self.option_combo(
            value.category_option_combo(),
            SchemeTarget::CategoryOptionCombo,
        )?;
        let aoc = self.option_combo(aoc_raw, SchemeTarget::AttributeOptionCombo)?;
        let period = Period::parse_with(period_raw, ImporterProfile::Pipeline).map_err(|e| {
            ErrorKind::InvalidPeriod {
                period: period_raw.to_owned(),
                reason: e.to_string(),
            }
        })?;
        let data_set = self.data_set_for(de, de_raw, aoc)?;
        self.check_data_set(data_set)?;
        let key = GroupKey {
            data_set,
            period,
            org_unit: ou,
            aoc,
        };
        if self.current != Some(key) {
            self.start_group(key)?;
        }
        let md = self.md;
        let element = md
            .data_element(&de)
            .ok_or_else(|| ErrorKind::UnknownObject {
                kind: ObjectKind::DataElement,
                key: de_raw.to_owned(),
                scheme: self.input.effective(SchemeTarget::DataElement).clone(),
            })?;
        let de_id = self.output_id(
            &element.id,
            ObjectKind::DataElement,
            SchemeTarget::DataElement,
        )?;
        let numeric = element.value_type.is_numeric();
        let text = value.value();
        let extras = self.extras;
        self.explode(coc)?;
        let categories = self
            .exploded
            .get(&coc)
            .map(Vec::as_slice)
            .unwrap_or_default();
        let (value_attribute, annotation) = if numeric {
            (text.unwrap_or_default(), None)
        } else {
            ("0", Some(text.unwrap_or_default()))
        };
        let comment = value.comment().filter(|_| extras).map(|c| ("comment", c));
        let followup = (extras && value.followup() == Some(true)).then_some(("followup", "true"));
        let deleted = (extras && value.deleted() == Some(true)).then_some(("deleted", "true"));
        let attributes = std::iter::once(("dataElement", de_id))
            .chain(categories.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .chain(std::iter::once(("value", value_attribute)))
            .chain(comment)
            .chain(followup)
            .chain(deleted);
        self.xml
            .write_value(attributes, annotation)
            .map_err(Error::into_kind)?;
        Ok(())
    }

    fn start_group(&mut self, key: GroupKey) -> Result<(), ErrorKind> {
        let md = self.md;
        let ds = md
            .data_set(&key.data_set)
            .ok_or_else(|| ErrorKind::UnknownObject {
                kind: ObjectKind::DataSet,
                key: key.data_set.to_string(),
                scheme: IdScheme::Uid,
            })?;
        let ou = md
            .org_unit(&key.org_unit)
            .ok_or_else(|| ErrorKind::UnknownObject {
                kind: ObjectKind::OrganisationUnit,
                key: key.org_unit.to_string(),
                scheme: IdScheme::Uid,
            })?;
        let ds_id = self.output_id(&ds.id, ObjectKind::DataSet, SchemeTarget::DataSet)?;
        let ou_id = self.output_id(&ou.id, ObjectKind::OrganisationUnit, SchemeTarget::OrgUnit)?;
        // The ADX form of the period, in a reused buffer (`Period::to_adx`).
        self.period.clear();
        let start = key.period.start_date();
        let _ = write!(
            self.period,
            "{}/{}",
            start,
            key.period.period_type().iso_duration()
        );
        self.explode(key.aoc)?;
        let categories = self
            .exploded
            .get(&key.aoc)
            .map(Vec::as_slice)
            .unwrap_or_default();
        let attributes = [
            ("dataSet", ds_id),
            ("period", self.period.as_str()),
            ("orgUnit", ou_id),
        ]
        .into_iter()
        .chain(categories.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        self.xml.start_group(attributes).map_err(Error::into_kind)?;
        self.current = Some(key);
        Ok(())
    }
}

fn missing(
    id: &Identity,
    kind: ObjectKind,
    scheme: &IdScheme,
    invalid: Option<&str>,
) -> MissingIdentifier {
    MissingIdentifier {
        kind,
        uid: id.uid,
        name: id.name.clone(),
        scheme: scheme.clone(),
        invalid: invalid.map(str::to_owned),
    }
}

/// The category attributes of an option combo under the output schemes, in a Java `HashMap`'s
/// order of the category identifiers (none for the default combo).
fn exploded_attributes(
    md: &Metadata,
    coc: &Uid,
    output: &IdSchemes,
) -> Result<Vec<(String, String)>, ErrorKind> {
    let Some(option_combo) = md.category_option_combo(coc) else {
        return Err(ErrorKind::UnknownObject {
            kind: ObjectKind::CategoryOptionCombo,
            key: coc.to_string(),
            scheme: IdScheme::Uid,
        });
    };
    if is_default_combo(md, &option_combo.category_combo) {
        return Ok(Vec::new());
    }
    let category_scheme = output.effective(SchemeTarget::Category);
    let option_scheme = output.effective(SchemeTarget::CategoryOption);
    let mut pairs = Vec::new();
    let mut lacking = Vec::new();
    let categories = md
        .category_combo(&option_combo.category_combo)
        .map(|c| c.categories.as_slice())
        .unwrap_or_default();
    for category in categories.iter().filter_map(|c| md.category(c)) {
        let key = identifier(&category.id, category_scheme);
        let option = category
            .options
            .iter()
            .find(|o| option_combo.options.contains(o))
            .and_then(|o| md.category_option(o));
        let value = option.and_then(|o| identifier(&o.id, option_scheme));
        match (
            key.filter(|k| is_xml_name(k)),
            value.filter(|v| !v.is_empty()),
        ) {
            (Some(k), Some(v)) => pairs.push((k.to_owned(), v.to_owned())),
            (k, v) => {
                if k.is_none() {
                    lacking.push(missing(
                        &category.id,
                        ObjectKind::Category,
                        category_scheme,
                        key,
                    ));
                }
                if v.is_none() {
                    match option {
                        Some(o) => lacking.push(missing(
                            &o.id,
                            ObjectKind::CategoryOption,
                            option_scheme,
                            None,
                        )),
                        None => lacking.push(missing(
                            &option_combo.id,
                            ObjectKind::CategoryOptionCombo,
                            option_scheme,
                            None,
                        )),
                    }
                }
            }
        }
    }
    if !lacking.is_empty() {
        return Err(ErrorKind::MissingIdentifiers { objects: lacking });
    }
    let order = java::hash_map_order(&pairs.iter().map(|(k, _)| k.as_str()).collect::<Vec<_>>());
    Ok(order
        .into_iter()
        .filter_map(|i| pairs.get(i).cloned())
        .collect())
}

/// Every object an ADX export of `data_sets` and `org_units` cannot name under the output
/// schemes `output` (as given to [`AdxWriterBuilder::output_id_schemes`]; unset schemes are
/// `CODE`): each data set, its data elements, the categories and options of the option combos
/// of its attribute combo and of its elements' combos (a category identifier must also be an
/// XML name), and each org unit. Empty when the export can be written. Objects appear once, in
/// that order.
///
/// ```
/// use adx::check_identifiers;
/// use dxf2_model::metadata::{DataSet, Identity};
/// use dxf2_model::{IdSchemes, Metadata, PeriodType, Uid};
///
/// let ds = Uid::parse("pBOMPrpg1QX").unwrap();
/// let md = Metadata::builder()
///     .with(DataSet::new(Identity::new(ds), PeriodType::Monthly))
///     .build()
///     .unwrap();
/// let missing = check_identifiers(&md, &[ds], &[], &IdSchemes::default());
/// assert_eq!(missing.len(), 1);
/// assert_eq!(missing[0].to_string(), "data set pBOMPrpg1QX has no CODE");
/// ```
pub fn check_identifiers(
    md: &Metadata,
    data_sets: &[Uid],
    org_units: &[Uid],
    output: &IdSchemes,
) -> Vec<MissingIdentifier> {
    let output = effective_id_schemes(output, ImporterProfile::Classic);
    let mut lacking: Vec<MissingIdentifier> = Vec::new();
    let mut add = |m: MissingIdentifier| {
        if !lacking.iter().any(|l| l.kind == m.kind && l.uid == m.uid) {
            lacking.push(m);
        }
    };
    for ds in data_sets.iter().filter_map(|u| md.data_set(u)) {
        let scheme = output.effective(SchemeTarget::DataSet);
        if identifier(&ds.id, scheme).is_none() {
            add(missing(&ds.id, ObjectKind::DataSet, scheme, None));
        }
        let mut combos = vec![ds.category_combo];
        for element in &ds.elements {
            let Some(de) = md.data_element(&element.data_element) else {
                continue;
            };
            let scheme = output.effective(SchemeTarget::DataElement);
            if identifier(&de.id, scheme).is_none() {
                add(missing(&de.id, ObjectKind::DataElement, scheme, None));
            }
            let combo = element.category_combo.unwrap_or(de.category_combo);
            if !combos.contains(&combo) {
                combos.push(combo);
            }
        }
        for combo in combos {
            for coc in md
                .category_option_combos()
                .iter()
                .filter(|c| c.category_combo == combo)
            {
                if let Err(ErrorKind::MissingIdentifiers { objects }) =
                    exploded_attributes(md, &coc.id.uid, &output)
                {
                    objects.into_iter().for_each(&mut add);
                }
            }
        }
    }
    for ou in org_units.iter().filter_map(|u| md.org_unit(u)) {
        let scheme = output.effective(SchemeTarget::OrgUnit);
        if identifier(&ou.id, scheme).is_none() {
            add(missing(&ou.id, ObjectKind::OrganisationUnit, scheme, None));
        }
    }
    lacking
}

impl<W: Write> DataValueSink for AdxWriter<'_, W> {
    type Error = Error;

    fn begin(&mut self, header: &DataValueSetHeader) -> Result<(), Error> {
        if self.begun {
            return Err(Error::new(ErrorKind::WriterState {
                message: "begin called twice",
            }));
        }
        let payload = header
            .id_schemes(true)
            .map_err(|e| Error::new(ErrorKind::Model(e)))?;
        self.input = IdSchemes::classic_merge(&payload, &self.configured_input);
        if let IdScheme::Id = self.input.effective(SchemeTarget::AttributeOptionCombo) {
            self.input.attribute_option_combo = self.input.category_option_combo.clone();
        }
        for (kind, target) in [
            (ObjectKind::DataElement, SchemeTarget::DataElement),
            (ObjectKind::OrganisationUnit, SchemeTarget::OrgUnit),
            (
                ObjectKind::CategoryOptionCombo,
                SchemeTarget::CategoryOptionCombo,
            ),
            (ObjectKind::DataSet, SchemeTarget::DataSet),
        ] {
            let _ = self.resolver.preheat(kind, self.input.effective(target));
        }
        self.header_data_set = match header.data_set.as_deref().filter(|d| !d.is_empty()) {
            Some(raw) => Some(
                self.resolve(ObjectKind::DataSet, SchemeTarget::DataSet, raw)
                    .map_err(Error::new)?,
            ),
            None => None,
        };
        self.defaults = header.clone();
        self.begun = true;
        self.xml.start()
    }

    fn write_value(&mut self, value: &DataValue) -> Result<(), Error> {
        if !self.begun {
            return Err(Error::new(ErrorKind::WriterState {
                message: "a value before begin",
            }));
        }
        let index = self.written;
        self.write(value)
            .map_err(|kind| Error::new(kind).with_value_index(index))?;
        self.written += 1;
        Ok(())
    }

    fn finish(&mut self) -> Result<(), Error> {
        self.xml.finish()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]
mod tests {
    use super::*;
    use crate::combos::tests::{age_sex, uid};
    use dxf2_model::metadata::{Category, DataElement, DataSet, DataSetElement, OrganisationUnit};
    use dxf2_model::{Field, PeriodType, ValueType};

    fn catalogue() -> Metadata {
        let mut md = age_sex();
        let coded = |u: &str, code: &str, name: &str| Identity {
            code: Some(code.into()),
            name: Some(name.into()),
            ..Identity::new(uid(u))
        };
        let mut de = DataElement::new(
            coded("MalNummmmmm", "Mal_num", "Malaria numeric"),
            ValueType::Integer,
        );
        de.category_combo = uid("ccAgeSex123");
        md.insert(de);
        md.insert(DataElement::new(
            coded("MalTexttttt", "Mal_text", "Malaria text"),
            ValueType::Text,
        ));
        let mut ds = DataSet::new(
            coded("MalariaDSSS", "MalariaDS", "Malaria DS"),
            PeriodType::Monthly,
        );
        for de in ["MalNummmmmm", "MalTexttttt"] {
            ds.elements.push(DataSetElement {
                data_element: uid(de),
                category_combo: None,
            });
        }
        md.insert(ds);
        md.insert(OrganisationUnit::new(
            coded("P1233333333", "123", "Provincial Hospital"),
            None,
        ));
        md.finish().unwrap();
        md
    }

    fn write(
        md: &Metadata,
        builder: AdxWriterBuilder,
        values: &[DataValue],
    ) -> Result<String, Error> {
        let mut w = builder.build(md, Vec::new());
        w.begin(&DataValueSetHeader::default())?;
        for v in values {
            w.write_value(v)?;
        }
        w.finish()?;
        Ok(String::from_utf8(w.into_inner()).unwrap())
    }

    fn value(de: &str, period: &str, coc: Option<&str>, text: &str) -> DataValue {
        let mut v = DataValue::from_fields(&[
            (Field::DataElement, de),
            (Field::Period, period),
            (Field::OrgUnit, "P1233333333"),
            (Field::Value, text),
        ]);
        if let Some(c) = coc {
            v.set(Field::CategoryOptionCombo, c);
        }
        v
    }

    /// DHIS2's `exportA.adx.xml` (test A: dataElement NAME, category NAME, categoryOption UID).
    #[test]
    fn writes_dhis2_export_a() {
        let md = catalogue();
        let out = write(
            &md,
            AdxWriterBuilder::new().output_id_schemes(IdSchemes {
                data_element: Some(IdScheme::Name),
                category: Some(IdScheme::Name),
                category_option: Some(IdScheme::Uid),
                ..IdSchemes::default()
            }),
            &[
                value("MalNummmmmm", "202001", Some("FUnder55555"), "1"),
                value("MalTexttttt", "202002", None, "Some text"),
            ],
        )
        .unwrap();
        assert_eq!(
            out,
            "<adx xmlns=\"urn:ihe:qrph:adx:2015\">\
             <group dataSet=\"MalariaDS\" period=\"2020-01-01/P1M\" orgUnit=\"123\">\
             <dataValue dataElement=\"Malaria numeric\" Age_category=\"under555555\" Sex_category=\"FFFFFFFFFFF\" value=\"1\"/>\
             </group>\
             <group dataSet=\"MalariaDS\" period=\"2020-02-01/P1M\" orgUnit=\"123\">\
             <dataValue dataElement=\"Malaria text\" value=\"0\"><annotation>Some text</annotation></dataValue>\
             </group></adx>"
        );
        // Codes (the default): `sex` before `age`, as in DHIS2's exportB.adx.xml.
        let out = write(
            &md,
            AdxWriterBuilder::new(),
            &[value("MalNummmmmm", "202001", Some("FUnder55555"), "1")],
        )
        .unwrap();
        assert!(
            out.contains(
                "<dataValue dataElement=\"Mal_num\" sex=\"F\" age=\"under5\" value=\"1\"/>"
            ),
            "{out}"
        );
    }

    #[test]
    fn lists_what_lacks_identifiers() {
        let mut md = catalogue();
        md.update::<Category>(&uid("sexxxxxxxxx"), |c| c.id.code = Some("the sex".into()));
        md.update::<DataElement>(&uid("MalTexttttt"), |d| d.id.code = None);
        let e = write(
            &md,
            AdxWriterBuilder::new(),
            &[value("MalNummmmmm", "202001", None, "1")],
        )
        .unwrap_err();
        let ErrorKind::MissingIdentifiers { objects } = e.kind() else {
            panic!("{e}")
        };
        let shown: Vec<String> = objects.iter().map(ToString::to_string).collect();
        assert_eq!(
            shown,
            [
                "data element `Malaria text` (MalTexttttt) has no CODE",
                "category `Sex_category` (sexxxxxxxxx) has CODE `the sex`, which is not an XML name",
            ]
        );
        assert_eq!(e.value_index(), Some(0));
        assert_eq!(
            check_identifiers(
                &md,
                &[uid("MalariaDSSS")],
                &[uid("P1233333333")],
                &IdSchemes::default()
            )
            .len(),
            2
        );
    }

    #[test]
    fn values_need_a_data_set_and_known_objects() {
        let md = catalogue();
        let mut lonely = md.clone();
        lonely.remove::<DataSet>(&uid("MalariaDSSS"));
        let e = write(
            &lonely,
            AdxWriterBuilder::new(),
            &[value("MalTexttttt", "202001", None, "x")],
        )
        .unwrap_err();
        assert!(matches!(e.kind(), ErrorKind::NoDataSet { .. }), "{e}");
        let e = write(
            &md,
            AdxWriterBuilder::new(),
            &[value("nonExisting", "202001", None, "x")],
        )
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "(value #1, index 0): data element `nonExisting` (UID) is not in the metadata"
        );
        let e = write(
            &md,
            AdxWriterBuilder::new(),
            &[value("MalTexttttt", "202013", None, "x")],
        )
        .unwrap_err();
        assert!(matches!(e.kind(), ErrorKind::InvalidPeriod { .. }), "{e}");
    }
}
