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
    /// Restrictions of the option combos that have any (most have none).
    restrictions: FxHashMap<Uid, AocRestrictions<'m>>,
}

/// The restrictions of an option combo whose options have no dates and no org units.
static UNRESTRICTED: AocRestrictions<'static> = AocRestrictions {
    start: None,
    end: None,
    org_unit_lists: Vec::new(),
};

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
        for coc in metadata.category_option_combos() {
            cc_cocs
                .entry(coc.category_combo)
                .or_default()
                .insert(coc.id.uid);
        }
        let mut de_data_sets: FxHashMap<Uid, Vec<&DataSet>> = FxHashMap::default();
        let mut ou_data_sets: FxHashMap<Uid, Vec<&DataSet>> = FxHashMap::default();
        for ds in metadata.data_sets() {
            for e in &ds.elements {
                de_data_sets.entry(e.data_element).or_default().push(ds);
            }
            for ou in &ds.org_units {
                ou_data_sets.entry(*ou).or_default().push(ds);
            }
        }
        let option_codes = metadata
            .option_sets()
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
        let restrictions = metadata
            .category_option_combos()
            .iter()
            .filter_map(|coc| {
                let r = compute_restrictions(metadata, coc);
                r.is_restricted().then_some((coc.id.uid, r))
            })
            .collect();
        MetadataIndex {
            metadata,
            default_coc: metadata.default_category_option_combo().map(|c| c.id.uid),
            cc_cocs,
            de_data_sets,
            ou_data_sets,
            option_codes,
            restrictions,
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

    /// Date range and org unit restrictions of an attribute option combo (computed anew; see
    /// [`restrictions_of`](MetadataIndex::restrictions_of) for the precomputed ones).
    pub fn aoc_restrictions(&self, aoc: &CategoryOptionCombo) -> AocRestrictions<'m> {
        compute_restrictions(self.metadata, aoc)
    }

    /// The precomputed restrictions of the option combo `coc` of the catalogue (none when it is
    /// unknown): the same as [`aoc_restrictions`](MetadataIndex::aoc_restrictions), without
    /// computing or allocating anything.
    pub fn restrictions_of(&self, coc: &Uid) -> &AocRestrictions<'m> {
        self.restrictions.get(coc).unwrap_or(&UNRESTRICTED)
    }
}

impl AocRestrictions<'_> {
    /// Whether the options restrict anything (a date or an org unit list).
    pub fn is_restricted(&self) -> bool {
        self.start.is_some() || self.end.is_some() || !self.org_unit_lists.is_empty()
    }
}

fn compute_restrictions<'m>(
    metadata: &'m Metadata,
    aoc: &CategoryOptionCombo,
) -> AocRestrictions<'m> {
    let mut r = AocRestrictions::default();
    for uid in &aoc.options {
        let Some(option) = metadata.category_option(uid) else {
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

#[cfg(test)]
mod tests {
    use dxf2_model::metadata::{CategoryOption, Identity, Sharing};

    use super::*;

    fn uid(s: &str) -> Uid {
        Uid::parse(s).unwrap()
    }

    #[test]
    fn precomputed_restrictions_equal_computed_ones() {
        let mut md = Metadata::new();
        md.ensure_defaults();
        let date = |d: u32| NaiveDate::from_ymd_opt(2024, 1, d);
        for (id, start, end, units) in [
            ("coAAAAAAAAA", date(5), date(20), vec![]),
            ("coBBBBBBBBB", date(10), None, vec![uid("ouAAAAAAAAA")]),
        ] {
            md.add_category_option(CategoryOption {
                id: Identity::new(uid(id)),
                start_date: start,
                end_date: end,
                org_units: units,
                sharing: Sharing::default(),
            });
        }
        md.add_category_option_combo(CategoryOptionCombo {
            id: Identity::new(uid("cocAAAAAAAA")),
            category_combo: uid("ccAAAAAAAAA"),
            options: vec![uid("coAAAAAAAAA"), uid("coBBBBBBBBB")],
            ignore_approval: false,
        });
        let index = MetadataIndex::new(&md);
        for coc in md.category_option_combos() {
            let computed = index.aoc_restrictions(coc);
            let stored = index.restrictions_of(&coc.id.uid);
            assert_eq!(
                (computed.start, computed.end, &computed.org_unit_lists),
                (stored.start, stored.end, &stored.org_unit_lists)
            );
        }
        let r = index.restrictions_of(&uid("cocAAAAAAAA"));
        assert_eq!((r.start, r.end), (date(10), date(20)));
        assert_eq!(r.org_unit_lists, [&[uid("ouAAAAAAAAA")][..]]);
        let default = index.default_coc.unwrap();
        assert!(!index.restrictions_of(&default).is_restricted());
        assert!(!index.restrictions_of(&uid("unknownUid1")).is_restricted());
    }
}
