//! Lookup tables over the metadata, built once per importer (preheat), so that validating a value
//! costs a few hash lookups and no allocation.

use chrono::NaiveDate;
use dxf2_model::metadata::{CategoryOptionCombo, DataElement, DataSet};
use dxf2_model::{Metadata, Uid};
use rustc_hash::{FxHashMap, FxHashSet};

/// Precomputed relations between metadata objects.
#[derive(Debug)]
pub struct MetadataIndex<'m> {
    /// The catalogue.
    pub metadata: &'m Metadata,
    /// The default category option combo.
    pub default_coc: Option<Uid>,
    cc_cocs: FxHashMap<Uid, FxHashSet<Uid>>,
    de_data_sets: FxHashMap<Uid, Vec<&'m DataSet>>,
    ou_data_sets: FxHashMap<Uid, Vec<&'m DataSet>>,
    option_codes: FxHashMap<Uid, FxHashSet<&'m str>>,
}

/// The date range and org unit restriction of an attribute option combo, from its options.
#[derive(Debug, Default)]
pub struct AocRestrictions<'m> {
    /// Latest start date of the options.
    pub start: Option<NaiveDate>,
    /// Earliest end date of the options.
    pub end: Option<NaiveDate>,
    /// Org unit lists of the options that have one (a unit must be in or below each list).
    pub org_unit_lists: Vec<&'m [Uid]>,
}

impl<'m> MetadataIndex<'m> {
    /// Builds the tables.
    pub fn new(metadata: &'m Metadata) -> MetadataIndex<'m> {
        let mut cc_cocs: FxHashMap<Uid, FxHashSet<Uid>> = FxHashMap::default();
        for coc in &metadata.category_option_combos {
            cc_cocs
                .entry(coc.category_combo)
                .or_default()
                .insert(coc.id.uid);
        }
        let mut de_data_sets: FxHashMap<Uid, Vec<&DataSet>> = FxHashMap::default();
        let mut ou_data_sets: FxHashMap<Uid, Vec<&DataSet>> = FxHashMap::default();
        for ds in &metadata.data_sets {
            for e in &ds.elements {
                de_data_sets.entry(e.data_element).or_default().push(ds);
            }
            for ou in &ds.org_units {
                ou_data_sets.entry(*ou).or_default().push(ds);
            }
        }
        let option_codes = metadata
            .option_sets
            .iter()
            .map(|os| {
                (
                    os.id.uid,
                    os.options
                        .iter()
                        .filter_map(|o| o.id.code.as_deref())
                        .collect(),
                )
            })
            .collect();
        MetadataIndex {
            metadata,
            default_coc: metadata.default_category_option_combo().map(|c| c.id.uid),
            cc_cocs,
            de_data_sets,
            ou_data_sets,
            option_codes,
        }
    }

    /// Data sets containing a data element.
    pub fn data_sets_of_element(&self, de: &Uid) -> &[&'m DataSet] {
        self.de_data_sets
            .get(de)
            .map(Vec::as_slice)
            .unwrap_or_default()
    }

    /// Data sets that have an org unit as a source.
    pub fn data_sets_of_org_unit(&self, ou: &Uid) -> &[&'m DataSet] {
        self.ou_data_sets
            .get(ou)
            .map(Vec::as_slice)
            .unwrap_or_default()
    }

    /// Whether a category option combo belongs to a category combo.
    pub fn combo_has_option_combo(&self, category_combo: &Uid, coc: &Uid) -> bool {
        self.cc_cocs
            .get(category_combo)
            .is_some_and(|s| s.contains(coc))
    }

    /// The option combos of a category combo.
    pub fn option_combos_of(&self, category_combo: &Uid) -> Option<&FxHashSet<Uid>> {
        self.cc_cocs.get(category_combo)
    }

    /// Whether `code` is an option code of the option set.
    pub fn is_option_code(&self, option_set: &Uid, code: &str) -> bool {
        self.option_codes
            .get(option_set)
            .is_some_and(|s| s.contains(code))
    }

    /// The category combos a data element's values may use: its own plus data set element overrides.
    pub fn element_combos(&self, de: &DataElement) -> impl Iterator<Item = Uid> + '_ {
        let uid = de.id.uid;
        std::iter::once(de.category_combo).chain(
            self.data_sets_of_element(&uid)
                .iter()
                .flat_map(move |ds| ds.elements.iter().filter(move |e| e.data_element == uid))
                .filter_map(|e| e.category_combo),
        )
    }

    /// Date range and org unit restrictions of an attribute option combo.
    pub fn aoc_restrictions(&self, aoc: &CategoryOptionCombo) -> AocRestrictions<'m> {
        let mut r = AocRestrictions::default();
        for uid in &aoc.options {
            let Some(option) = self.metadata.category_option(uid) else {
                continue;
            };
            if let Some(s) = option.start_date {
                r.start = Some(r.start.map_or(s, |c: NaiveDate| c.max(s)));
            }
            if let Some(e) = option.end_date {
                r.end = Some(r.end.map_or(e, |c: NaiveDate| c.min(e)));
            }
            if !option.org_units.is_empty() {
                r.org_unit_lists.push(option.org_units.as_slice());
            }
        }
        r
    }
}
