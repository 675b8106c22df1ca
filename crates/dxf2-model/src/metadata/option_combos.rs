//! The category option combos of a data element as DHIS2's data entry lists them (PDF forms,
//! data value set templates): its category combo's, then those of the data sets' overrides,
//! each combo's in the cartesian product order of its categories' options.

use super::objects::{CategoryOptionCombo, DataElement};
use super::Metadata;
use crate::Uid;

impl Metadata {
    /// The option combos a data element is entered with: those of its category combo, then
    /// those of any data set's category combo override for it, each combo's in the cartesian
    /// product order of its categories' options (combos not in the product follow none; a combo
    /// without categories lists its option combos in catalogue order), each once.
    pub fn data_element_option_combos(&self, de: &DataElement) -> Vec<&CategoryOptionCombo> {
        let mut combos = vec![de.category_combo];
        for ds in self.data_sets() {
            for element in ds.elements.iter().filter(|e| e.data_element == de.id.uid) {
                if let Some(cc) = element.category_combo {
                    if !combos.contains(&cc) {
                        combos.push(cc);
                    }
                }
            }
        }
        let mut out: Vec<&CategoryOptionCombo> = Vec::new();
        for cc in combos {
            for coc in self.option_combos_in_order(&cc) {
                if !out.iter().any(|c| c.id.uid == coc.id.uid) {
                    out.push(coc);
                }
            }
        }
        out
    }

    /// The option combos of category combo `cc` in the cartesian product order of its
    /// categories' options.
    pub fn option_combos_in_order(&self, cc: &Uid) -> Vec<&CategoryOptionCombo> {
        let members: Vec<&CategoryOptionCombo> = self
            .category_option_combos()
            .iter()
            .filter(|c| c.category_combo == *cc)
            .collect();
        let categories: Vec<&[Uid]> = self
            .category_combo(cc)
            .map(|combo| {
                combo
                    .categories
                    .iter()
                    .filter_map(|c| self.category(c).map(|c| c.options.as_slice()))
                    .collect()
            })
            .unwrap_or_default();
        if categories.is_empty() {
            return members;
        }
        let mut product: Vec<Vec<Uid>> = vec![Vec::new()];
        for options in &categories {
            product = product
                .iter()
                .flat_map(|prefix| {
                    options.iter().map(move |o| {
                        let mut next = prefix.clone();
                        next.push(*o);
                        next
                    })
                })
                .collect();
        }
        product
            .iter()
            .filter_map(|options| {
                members.iter().copied().find(|coc| {
                    coc.options.len() == options.len()
                        && options.iter().all(|o| coc.options.contains(o))
                })
            })
            .collect()
    }
}
