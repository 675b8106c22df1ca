//! Category option decoding (DHIS2 2.43+ `HibernateDataEntryStore` id mappings): a value or a
//! set-level attribute option combo given as category options (a category → option map, or a
//! CSV file's `attributeCombo` + `attributeOptions`) becomes the option combo with exactly those
//! options (`E8101`, `E8108`, `E8126`, `E8127`).

use dxf2_model::{DataValue, SchemeTarget, Uid};
use rustc_hash::FxHashMap;

use super::decode::Stop;
use super::messages::{java_map, Arg, Problem};
use super::validate::element_category_combo;
use super::Run;
use crate::codes::*;
use crate::conflicts::java_list;
use crate::schemes::identifier;
use crate::Failure;

/// The option combos of one category combo keyed by the identifiers of their options
/// (`HibernateDataEntryStore.getDataElementCocIdMapping` / `getDataSetAocIdMapping`).
pub(super) struct ComboKey {
    /// The combo's categories under `categoryIdScheme` (`None`: the category lacks one).
    pub(super) categories: Vec<Option<String>>,
    /// Each option combo (metadata order) with the sorted, distinct identifiers of its options
    /// under `categoryOptionIdScheme`; a combo with an option lacking one is left out.
    pub(super) option_combos: Vec<(Vec<String>, Uid)>,
}

impl ComboKey {
    /// The option combo whose options are exactly the options `option_of` gives for the
    /// combo's categories (compared as sets, as DHIS2 compares `Set<String>` keys).
    pub(super) fn find<'a>(&self, option_of: impl Fn(&str) -> Option<&'a str>) -> Option<Uid> {
        let mut wanted: Vec<&str> = Vec::with_capacity(self.categories.len());
        for category in &self.categories {
            // A category without an identifier, or without an option, looks up `null`, which
            // no option combo's key holds.
            wanted.push(category.as_deref().and_then(&option_of)?);
        }
        wanted.sort_unstable();
        wanted.dedup();
        self.option_combos
            .iter()
            .find(|(ids, _)| ids.iter().map(String::as_str).eq(wanted.iter().copied()))
            .map(|(_, uid)| *uid)
    }
}

/// What category decoding looks up, built on first use and kept for the import.
#[derive(Default)]
pub(super) struct CategoryCache {
    /// Category combo → its option combos by option identifiers.
    pub(super) combos: FxHashMap<Uid, ComboKey>,
    /// (data set, data element) → the element's effective category combo (`None`: the element
    /// is not in the data set).
    pub(super) effective: FxHashMap<(Uid, Uid), Option<Uid>>,
}

impl<'m> Run<'_, 'm> {
    /// The category combo of a data set known to the metadata.
    pub(super) fn data_set_combo(&self, ds: &Uid) -> Option<Uid> {
        self.md.data_set(ds).map(|d| d.category_combo)
    }

    /// The option combos of `cc` keyed by option identifiers (built once per import).
    pub(super) fn combo_key<'c>(&self, cc: Uid, cache: &'c mut CategoryCache) -> &'c ComboKey {
        let md = self.md;
        let category_scheme = self.settings.schemes.effective(SchemeTarget::Category);
        let option_scheme = self
            .settings
            .schemes
            .effective(SchemeTarget::CategoryOption);
        cache.combos.entry(cc).or_insert_with(|| {
            let categories = md
                .category_combo(&cc)
                .map(|combo| {
                    combo
                        .categories
                        .iter()
                        .map(|c| {
                            md.category(c)
                                .and_then(|c| identifier(&c.id, category_scheme, true))
                                .map(str::to_owned)
                        })
                        .collect()
                })
                .unwrap_or_default();
            let option_combos = md
                .category_option_combos()
                .iter()
                .filter(|coc| coc.category_combo == cc)
                .filter_map(|coc| {
                    let mut ids = coc
                        .options
                        .iter()
                        .map(|o| {
                            md.category_option(o)
                                .and_then(|o| identifier(&o.id, option_scheme, true))
                                .map(str::to_owned)
                        })
                        .collect::<Option<Vec<String>>>()?;
                    ids.sort_unstable();
                    ids.dedup();
                    Some((ids, coc.id.uid))
                })
                .collect();
            ComboKey {
                categories,
                option_combos,
            }
        })
    }

    /// A value's category option combo from its category options (`decodeGroup`, COC part):
    /// the categories of the data element's effective category combo in the data set.
    pub(super) fn coc_from_options(
        &self,
        ds: Uid,
        de: Uid,
        de_raw: &str,
        dv: &DataValue,
        index: i64,
        cache: &mut CategoryCache,
    ) -> Result<Uid, Stop> {
        let md = self.md;
        let cc = *cache.effective.entry((ds, de)).or_insert_with(|| {
            let data_set = md.data_set(&ds)?;
            let element = md.data_element(&de)?;
            data_set
                .elements
                .iter()
                .any(|e| e.data_element == de)
                .then(|| element_category_combo(data_set, element))
        });
        let Some(cc) = cc else {
            // DHIS2 has no categories for an element outside the data set and fails with a
            // NullPointerException.
            return Err(Stop::Fail(Failure::rule(format!(
                "value #{index}: the category options of data element `{de_raw}` cannot be \
                 decoded: it is not in data set `{ds}`"
            ))));
        };
        let option_of = |category: &str| {
            dv.category_options()
                .find(|(c, _)| *c == category)
                .and_then(|(_, o)| o)
        };
        self.combo_key(cc, cache).find(option_of).ok_or_else(|| {
            Stop::Conflict(Problem::new(
                E8108,
                vec![Arg::Int(index), Arg::text(java_map(dv.category_options()))],
            ))
        })
    }

    /// A value's attribute option combo from `attributeCombo` and `attributeOptions`
    /// (`getCategoryComboAocIdMapping`: UIDs only, whatever the id schemes).
    pub(super) fn aoc_from_attribute_options(
        &self,
        combo: &str,
        dv: &DataValue,
        index: i64,
    ) -> Result<Uid, Stop> {
        let md = self.md;
        let cc = Uid::parse(combo).ok().filter(|cc| {
            md.category_combo(cc).is_some()
                && md
                    .category_option_combos()
                    .iter()
                    .any(|coc| coc.category_combo == *cc)
        });
        let Some(cc) = cc else {
            return Err(Stop::Conflict(Problem::new(
                E8126,
                vec![Arg::Int(index), Arg::text(combo)],
            )));
        };
        let found = dv.has_attribute_options().then(|| {
            // Both sides are sets: the reader keeps the options distinct.
            let mut given: Vec<&str> = dv.attribute_options().collect();
            given.sort_unstable();
            md.category_option_combos()
                .iter()
                .filter(|coc| coc.category_combo == cc)
                .find(|coc| {
                    let mut ids: Vec<&str> = coc.options.iter().map(Uid::as_str).collect();
                    ids.sort_unstable();
                    ids.dedup();
                    ids == given
                })
                .map(|coc| coc.id.uid)
        });
        found.flatten().ok_or_else(|| {
            let options = dv
                .has_attribute_options()
                .then(|| java_list(&dv.attribute_options().collect::<Vec<_>>()));
            Stop::Conflict(Problem::new(
                E8127,
                vec![Arg::Int(index), Arg::text(combo), Arg::Text(options)],
            ))
        })
    }
}
