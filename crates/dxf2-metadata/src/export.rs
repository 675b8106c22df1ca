//! Exporting metadata from a [`Catalogue`] as DHIS2 does (`GET /api/metadata`): everything or
//! chosen types, or one object with its dependencies as DHIS2's dependency export collects them
//! (`GET /api/{dataSets|programs|categoryCombos|dataElementGroups|optionSets}/{uid}/metadata`).
//!
//! | root | collected |
//! |---|---|
//! | data set | the data set; each data set element's data element (with its combo, option set and comment option set) and combo; its sections (their data elements, indicators and greyed fields' data elements and option combos); its indicators (with their types); its legend sets; its combo; its compulsory operands' data elements and option combos; the option combos of every element's combo |
//! | data element | the data element, its combo, option set, comment option set |
//! | category combo | the combo, its categories with their options, its option combos with their options |
//! | option set | the set and its options |
//! | data element group | the group, its data elements, its legend sets |
//! | program | the program, its combo, tracked entity type, stages (with their data elements), tracked entity attributes (with their option sets), program rules (with their actions and what those name) and program rule variables (with what they name) |
//!
//! Every collected object also brings the attributes its attribute values use. Organisation
//! units, users and user groups are not collected (as in DHIS2). The output has DHIS2's shape:
//! `{"system": …, "<key>": […]}`, types in import order.

use std::collections::{BTreeMap, HashSet};

use serde_json::Value;

use crate::catalogue::Catalogue;
use crate::document::{Document, Object};
use crate::error::Error;
use crate::import::combinations;
use crate::{defaults, schema};

/// The export parameters DHIS2 honours for these exports.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ExportParams {
    /// The collection keys to export (`dataElements=true`…); empty: every type.
    pub types: Vec<String>,
    /// `skipSharing`: leave out `user`, `publicAccess`, `userGroupAccesses`, `userAccesses`,
    /// `sharing`.
    pub skip_sharing: bool,
    /// `defaults=EXCLUDE`: leave out the default category objects, and references to them.
    pub exclude_defaults: bool,
    /// The `system` header to write (`id`, `rev`, `version`, `date`).
    pub system: Option<Object>,
}

/// Exports every object of the chosen types (every type when none is chosen).
pub fn export<C: Catalogue + ?Sized>(cat: &C, params: &ExportParams) -> Result<Document, Error> {
    let keys = if params.types.is_empty() {
        cat.keys()?
    } else {
        let mut keys = params.types.clone();
        keys.sort_by_key(|k| (schema::order_of(k), k.clone()));
        keys.dedup();
        keys
    };
    let mut doc = Document::new();
    doc.system = params.system.clone();
    for key in keys {
        let mut objects = Vec::new();
        for o in cat.objects(&key)? {
            let o = o?;
            if params.exclude_defaults && is_default(&key, &o) {
                continue;
            }
            objects.push(shape(o.into_owned(), params));
        }
        if !objects.is_empty() {
            doc.types.push((key, objects));
        }
    }
    Ok(doc)
}

/// Exports the object of collection `key` with UID `uid` and its dependencies (see the
/// [module docs](self)). An unknown object gives an empty document; a type without a
/// dependency rule gives the object alone (with its attributes).
pub fn with_dependencies<C: Catalogue + ?Sized>(
    cat: &C,
    key: &str,
    uid: &str,
    params: &ExportParams,
) -> Result<Document, Error> {
    let mut c = Collector {
        cat,
        found: BTreeMap::new(),
        seen: HashSet::new(),
    };
    match key {
        "dataSets" => c.data_set(uid)?,
        "dataElements" => c.data_element(uid)?,
        "categoryCombos" => c.category_combo(uid)?,
        "optionSets" => c.option_set(uid)?,
        "dataElementGroups" => c.data_element_group(uid)?,
        "programs" => c.program(uid)?,
        other => {
            c.add(other, uid)?;
        }
    }
    let mut keys: Vec<String> = c.found.keys().cloned().collect();
    keys.sort_by_key(|k| (schema::order_of(k), k.clone()));
    let mut doc = Document::new();
    doc.system = params.system.clone();
    for k in keys {
        if let Some(objects) = c.found.remove(&k) {
            let list: Vec<Object> = objects
                .into_values()
                .filter(|o| !(params.exclude_defaults && is_default(&k, o)))
                .map(|o| shape(o, params))
                .collect();
            if !list.is_empty() {
                doc.types.push((k, list));
            }
        }
    }
    Ok(doc)
}

fn is_default(key: &str, o: &Object) -> bool {
    schema::DEFAULT_CLASSES.contains(&key)
        && o.get("name").and_then(Value::as_str) == Some(defaults::NAME)
}

fn is_default_uid(uid: &str) -> bool {
    [
        defaults::CATEGORY_OPTION,
        defaults::CATEGORY,
        defaults::CATEGORY_COMBO,
        defaults::CATEGORY_OPTION_COMBO,
    ]
    .contains(&uid)
}

/// Applies `skipSharing` and `defaults=EXCLUDE` to an object.
fn shape(mut o: Object, params: &ExportParams) -> Object {
    if params.skip_sharing {
        for f in [
            "user",
            "publicAccess",
            "userGroupAccesses",
            "userAccesses",
            "sharing",
        ] {
            o.remove(f);
        }
    }
    if params.exclude_defaults {
        let keys: Vec<String> = o.keys().cloned().collect();
        for k in keys {
            let drop = match o.get_mut(&k) {
                Some(Value::Object(r)) => r
                    .get("id")
                    .and_then(Value::as_str)
                    .is_some_and(is_default_uid),
                Some(Value::Array(items)) => {
                    items.retain(|r| {
                        !r.get("id")
                            .and_then(Value::as_str)
                            .is_some_and(is_default_uid)
                    });
                    false
                }
                _ => false,
            };
            if drop {
                o.remove(&k);
            }
        }
    }
    o
}

fn ref_uid(o: &Object, field: &str) -> Option<String> {
    o.get(field)?.get("id")?.as_str().map(str::to_owned)
}

fn ref_uids(o: &Object, field: &str) -> Vec<String> {
    match o.get(field) {
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(|r| r.get("id").and_then(Value::as_str).map(str::to_owned))
            .collect(),
        _ => Vec::new(),
    }
}

fn embedded<'o>(o: &'o Object, field: &str) -> Vec<&'o Object> {
    match o.get(field) {
        Some(Value::Array(items)) => items.iter().filter_map(Value::as_object).collect(),
        _ => Vec::new(),
    }
}

struct Collector<'c, C: ?Sized> {
    cat: &'c C,
    /// key → uid → object, in UID order.
    found: BTreeMap<String, BTreeMap<String, Object>>,
    seen: HashSet<(String, String)>,
}

impl<C: Catalogue + ?Sized> Collector<'_, C> {
    /// Adds the object (and the attributes its values use); `None` when unknown or already added.
    fn add(&mut self, key: &str, uid: &str) -> Result<Option<Object>, Error> {
        if !self.seen.insert((key.to_owned(), uid.to_owned())) {
            return Ok(None);
        }
        let Some(o) = self.cat.object(key, uid)? else {
            return Ok(None);
        };
        let o = o.into_owned();
        if let Some(Value::Array(values)) = o.get("attributeValues") {
            let attributes: Vec<String> = values
                .iter()
                .filter_map(|v| v.get("attribute")?.get("id")?.as_str().map(str::to_owned))
                .collect();
            for a in attributes {
                self.add("attributes", &a)?;
            }
        }
        self.found
            .entry(key.to_owned())
            .or_default()
            .insert(uid.to_owned(), o.clone());
        Ok(Some(o))
    }

    fn data_set(&mut self, uid: &str) -> Result<(), Error> {
        let Some(ds) = self.add("dataSets", uid)? else {
            return Ok(());
        };
        let mut combos = Vec::new();
        for dse in embedded(&ds, "dataSetElements") {
            let Some(de_uid) = ref_uid(dse, "dataElement") else {
                continue;
            };
            let de = self
                .cat
                .object("dataElements", &de_uid)?
                .map(|o| o.into_owned());
            self.data_element(&de_uid)?;
            match ref_uid(dse, "categoryCombo") {
                Some(c) => {
                    self.category_combo(&c)?;
                    combos.push(c);
                }
                None => {
                    if let Some(c) = de.as_ref().and_then(|d| ref_uid(d, "categoryCombo")) {
                        combos.push(c);
                    }
                }
            }
        }
        for section in self.cat.objects("sections")? {
            let section = section?;
            if ref_uid(&section, "dataSet").as_deref() == Some(uid) {
                let s_uid = section.get("id").and_then(Value::as_str).map(str::to_owned);
                if let Some(s_uid) = s_uid {
                    self.section(&s_uid)?;
                }
            }
        }
        for i in ref_uids(&ds, "indicators") {
            self.indicator(&i)?;
        }
        if let Some(form) = ref_uid(&ds, "dataEntryForm") {
            self.add("dataEntryForms", &form)?;
        }
        for l in ref_uids(&ds, "legendSets") {
            self.add("legendSets", &l)?;
        }
        if let Some(c) = ref_uid(&ds, "categoryCombo") {
            self.category_combo(&c)?;
        }
        for op in embedded(&ds, "compulsoryDataElementOperands") {
            self.operand(op)?;
        }
        for c in combos {
            self.option_combos_of(&c)?;
        }
        Ok(())
    }

    fn operand(&mut self, op: &Object) -> Result<(), Error> {
        if let Some(de) = ref_uid(op, "dataElement") {
            self.data_element(&de)?;
        }
        if let Some(coc) = ref_uid(op, "categoryOptionCombo") {
            self.option_combo(&coc)?;
        }
        Ok(())
    }

    fn section(&mut self, uid: &str) -> Result<(), Error> {
        let Some(s) = self.add("sections", uid)? else {
            return Ok(());
        };
        for op in embedded(&s, "greyedFields") {
            self.operand(op)?;
        }
        for i in ref_uids(&s, "indicators") {
            self.indicator(&i)?;
        }
        for de in ref_uids(&s, "dataElements") {
            self.data_element(&de)?;
        }
        Ok(())
    }

    fn indicator(&mut self, uid: &str) -> Result<(), Error> {
        if let Some(i) = self.add("indicators", uid)? {
            if let Some(t) = ref_uid(&i, "indicatorType") {
                self.add("indicatorTypes", &t)?;
            }
        }
        Ok(())
    }

    fn data_element(&mut self, uid: &str) -> Result<(), Error> {
        let Some(de) = self.add("dataElements", uid)? else {
            return Ok(());
        };
        if let Some(c) = ref_uid(&de, "categoryCombo") {
            self.category_combo(&c)?;
        }
        for f in ["optionSet", "commentOptionSet"] {
            if let Some(s) = ref_uid(&de, f) {
                self.option_set(&s)?;
            }
        }
        Ok(())
    }

    fn category_combo(&mut self, uid: &str) -> Result<(), Error> {
        let Some(combo) = self.add("categoryCombos", uid)? else {
            return Ok(());
        };
        for c in ref_uids(&combo, "categories") {
            if let Some(category) = self.add("categories", &c)? {
                for o in ref_uids(&category, "categoryOptions") {
                    self.add("categoryOptions", &o)?;
                }
            }
        }
        self.option_combos_of(uid)
    }

    fn option_combos_of(&mut self, combo: &str) -> Result<(), Error> {
        let mut cocs = Vec::new();
        for o in self.cat.objects("categoryOptionCombos")? {
            let o = o?;
            if ref_uid(&o, "categoryCombo").as_deref() == Some(combo) {
                if let Some(uid) = o.get("id").and_then(Value::as_str) {
                    cocs.push(uid.to_owned());
                }
            }
        }
        for c in cocs {
            self.option_combo(&c)?;
        }
        Ok(())
    }

    fn option_combo(&mut self, uid: &str) -> Result<(), Error> {
        if let Some(coc) = self.add("categoryOptionCombos", uid)? {
            for o in ref_uids(&coc, "categoryOptions") {
                self.add("categoryOptions", &o)?;
            }
        }
        Ok(())
    }

    fn option_set(&mut self, uid: &str) -> Result<(), Error> {
        if let Some(set) = self.add("optionSets", uid)? {
            for o in ref_uids(&set, "options") {
                self.add("options", &o)?;
            }
        }
        Ok(())
    }

    fn data_element_group(&mut self, uid: &str) -> Result<(), Error> {
        let Some(g) = self.add("dataElementGroups", uid)? else {
            return Ok(());
        };
        for de in ref_uids(&g, "dataElements") {
            self.data_element(&de)?;
        }
        for l in ref_uids(&g, "legendSets") {
            self.add("legendSets", &l)?;
        }
        Ok(())
    }

    fn attribute(&mut self, uid: &str) -> Result<(), Error> {
        if let Some(tea) = self.add("trackedEntityAttributes", uid)? {
            if let Some(s) = ref_uid(&tea, "optionSet") {
                self.option_set(&s)?;
            }
        }
        Ok(())
    }

    fn program(&mut self, uid: &str) -> Result<(), Error> {
        let Some(p) = self.add("programs", uid)? else {
            return Ok(());
        };
        if let Some(c) = ref_uid(&p, "categoryCombo") {
            self.category_combo(&c)?;
        }
        if let Some(t) = ref_uid(&p, "trackedEntityType") {
            self.add("trackedEntityTypes", &t)?;
        }
        for s in ref_uids(&p, "programStages") {
            if let Some(stage) = self.add("programStages", &s)? {
                for psde in embedded(&stage, "programStageDataElements") {
                    if let Some(de) = ref_uid(psde, "dataElement") {
                        self.data_element(&de)?;
                    }
                }
            }
        }
        for ptea in embedded(&p, "programTrackedEntityAttributes") {
            if let Some(a) = ref_uid(ptea, "trackedEntityAttribute") {
                self.attribute(&a)?;
            }
        }
        let mut rules = Vec::new();
        for r in self.cat.objects("programRules")? {
            let r = r?;
            if ref_uid(&r, "program").as_deref() == Some(uid) {
                if let Some(id) = r.get("id").and_then(Value::as_str) {
                    rules.push(id.to_owned());
                }
            }
        }
        for r in rules {
            let Some(rule) = self.add("programRules", &r)? else {
                continue;
            };
            for a in ref_uids(&rule, "programRuleActions") {
                if let Some(action) = self.add("programRuleActions", &a)? {
                    self.named_by(&action)?;
                    if let Some(g) = ref_uid(&action, "optionGroup") {
                        if let Some(group) = self.add("optionGroups", &g)? {
                            if let Some(s) = ref_uid(&group, "optionSet") {
                                self.option_set(&s)?;
                            }
                        }
                    }
                }
            }
        }
        let mut variables = Vec::new();
        for v in self.cat.objects("programRuleVariables")? {
            let v = v?;
            if ref_uid(&v, "program").as_deref() == Some(uid) {
                if let Some(id) = v.get("id").and_then(Value::as_str) {
                    variables.push(id.to_owned());
                }
            }
        }
        for v in variables {
            if let Some(variable) = self.add("programRuleVariables", &v)? {
                self.named_by(&variable)?;
            }
        }
        Ok(())
    }

    /// The data element, tracked entity attribute and stage a rule action or variable names.
    fn named_by(&mut self, o: &Object) -> Result<(), Error> {
        if let Some(de) = ref_uid(o, "dataElement") {
            self.data_element(&de)?;
        }
        if let Some(a) = ref_uid(o, "trackedEntityAttribute") {
            self.attribute(&a)?;
        }
        if let Some(s) = ref_uid(o, "programStage") {
            self.add("programStages", &s)?;
        }
        Ok(())
    }
}

/// The option combos a category combo's categories call for, as option UID lists, in DHIS2's
/// order (for callers checking a catalogue).
pub fn expected_option_combos<C: Catalogue + ?Sized>(
    cat: &C,
    combo: &str,
) -> Result<Vec<Vec<String>>, Error> {
    let Some(c) = cat.object("categoryCombos", combo)? else {
        return Ok(Vec::new());
    };
    let mut lists = Vec::new();
    for category in ref_uids(&c, "categories") {
        let options = match cat.object("categories", &category)? {
            Some(cat_obj) => ref_uids(&cat_obj, "categoryOptions"),
            None => Vec::new(),
        };
        lists.push(options);
    }
    Ok(combinations(&lists))
}
