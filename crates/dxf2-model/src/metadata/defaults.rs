//! DHIS2's default category objects in a catalogue: adding them when absent, finding them, and
//! pointing references to their well-known UIDs at a catalogue's own defaults.

use super::{
    Category, CategoryCombo, CategoryOption, CategoryOptionCombo, Identity, Metadata, Sharing,
    DEFAULT_CATEGORY_COMBO_UID, DEFAULT_CATEGORY_OPTION_UID, DEFAULT_CATEGORY_UID,
};
use crate::Uid;

impl Metadata {
    /// The default category option combo: the one named exactly `default` (DHIS2 looks it up by
    /// name), else the one with the well-known UID.
    pub fn default_category_option_combo(&self) -> Option<&CategoryOptionCombo> {
        self.category_option_combos
            .iter()
            .find(|c| c.id.name.as_deref() == Some("default"))
            .or_else(|| {
                Uid::parse(crate::DEFAULT_CATEGORY_OPTION_COMBO_UID)
                    .ok()
                    .and_then(|u| self.category_option_combo(&u))
            })
    }

    /// Adds DHIS2's default category option, category, category combo and category option combo
    /// when no object named `default` of that kind exists, as DHIS2 creates them on a new
    /// database: all four named and coded `default`, with the well-known UIDs
    /// ([`DEFAULT_CATEGORY_OPTION_UID`], [`DEFAULT_CATEGORY_UID`], [`DEFAULT_CATEGORY_COMBO_UID`],
    /// [`DEFAULT_CATEGORY_OPTION_COMBO_UID`](crate::DEFAULT_CATEGORY_OPTION_COMBO_UID)), the
    /// dimension type `DISAGGREGATION`, and public sharing `rwrw----` on the option.
    pub fn ensure_defaults(&mut self) {
        let uid = |s: &str| Uid::parse(s).ok();
        let named = |name: &str, uid: Uid| Identity {
            uid,
            code: Some(name.to_owned()),
            name: Some(name.to_owned()),
            attribute_values: Vec::new(),
        };
        let (Some(opt), Some(cat), Some(cc), Some(coc)) = (
            uid(DEFAULT_CATEGORY_OPTION_UID),
            uid(DEFAULT_CATEGORY_UID),
            uid(DEFAULT_CATEGORY_COMBO_UID),
            uid(crate::DEFAULT_CATEGORY_OPTION_COMBO_UID),
        ) else {
            return;
        };
        if !self.category_options.iter().any(|o| is_default(&o.id)) {
            self.add_category_option(CategoryOption {
                id: named("default", opt),
                start_date: None,
                end_date: None,
                org_units: Vec::new(),
                sharing: Sharing {
                    public: Some("rwrw----".into()),
                    ..Sharing::default()
                },
            });
        }
        if !self.categories.iter().any(|o| is_default(&o.id)) {
            self.add_category(Category {
                id: named("default", cat),
                data_dimension_type: "DISAGGREGATION".into(),
                options: vec![opt],
            });
        }
        if !self.category_combos.iter().any(|o| is_default(&o.id)) {
            self.add_category_combo(CategoryCombo {
                id: named("default", cc),
                data_dimension_type: "DISAGGREGATION".into(),
                categories: vec![cat],
            });
        }
        if !self
            .category_option_combos
            .iter()
            .any(|o| is_default(&o.id))
        {
            self.add_category_option_combo(CategoryOptionCombo {
                id: named("default", coc),
                category_combo: cc,
                options: vec![opt],
                ignore_approval: false,
            });
        }
    }

    /// Points references to a default's well-known UID at the catalogue's own default of that
    /// kind.
    ///
    /// DHIS2 finds the default category objects by name (`default`), and a reference to a
    /// default's well-known UID is always valid. When the catalogue's default of a kind (the
    /// object named `default`) has another UID and no object has the well-known one, references
    /// to the well-known UID are changed to the catalogue's default: the category combo of data
    /// elements, category option combos, data sets and data set elements; the categories of
    /// category combos; the options of categories and category option combos.
    pub fn remap_default_uids(&mut self) {
        let combo = self.default_remap::<CategoryCombo>(DEFAULT_CATEGORY_COMBO_UID);
        if let Some(pair) = combo {
            for o in &mut self.data_elements {
                swap(&mut o.category_combo, pair);
            }
            for o in &mut self.category_option_combos {
                swap(&mut o.category_combo, pair);
            }
            for ds in &mut self.data_sets {
                swap(&mut ds.category_combo, pair);
                for u in ds
                    .elements
                    .iter_mut()
                    .filter_map(|e| e.category_combo.as_mut())
                {
                    swap(u, pair);
                }
            }
        }
        if let Some(pair) = self.default_remap::<Category>(DEFAULT_CATEGORY_UID) {
            for u in self
                .category_combos
                .iter_mut()
                .flat_map(|o| o.categories.iter_mut())
            {
                swap(u, pair);
            }
        }
        if let Some(pair) = self.default_remap::<CategoryOption>(DEFAULT_CATEGORY_OPTION_UID) {
            for u in self
                .categories
                .iter_mut()
                .flat_map(|o| o.options.iter_mut())
            {
                swap(u, pair);
            }
            for u in self
                .category_option_combos
                .iter_mut()
                .flat_map(|o| o.options.iter_mut())
            {
                swap(u, pair);
            }
        }
    }

    /// `(well-known UID, the catalogue's default)` when references to the first must be pointed
    /// at the second: no object has the well-known UID and the default named `default` has
    /// another.
    fn default_remap<T: super::CatalogObject>(&self, well_known: &str) -> Option<(Uid, Uid)> {
        let well_known = Uid::parse(well_known).ok()?;
        if self.get::<T>(&well_known).is_some() {
            return None;
        }
        let default = self
            .all::<T>()
            .iter()
            .map(|o| o.identity())
            .find(|id| is_default(id))?
            .uid;
        (default != well_known).then_some((well_known, default))
    }
}

/// Whether an object is its kind's default (DHIS2 looks defaults up by name).
fn is_default(id: &Identity) -> bool {
    id.name.as_deref() == Some("default")
}

fn swap(uid: &mut Uid, (from, to): (Uid, Uid)) {
    if *uid == from {
        *uid = to;
    }
}
