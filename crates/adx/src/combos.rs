//! Category attributes ⇄ category option combos, as DHIS2 maps them.
//!
//! A [`ComboMap`] prepares one category combo for one pair of schemes (`categoryIdScheme`,
//! `categoryOptionIdScheme`): the identifiers of its categories (the attribute names), and its
//! option combos keyed by the identifiers of their options. DHIS2 2.36–2.42
//! (`convertAttributesToDxf`, `CategoryComboMap`) keys them by the options in category order
//! (`"under5""F"`, option identifiers trimmed) and checks every category identifier against the
//! XML *Name* rule; DHIS2 2.43+ (`HibernateDataEntryStore`) compares unordered sets and checks
//! nothing. Errors are raised in DHIS2's order when a lookup needs them, not when the map is
//! built.

use dxf2_model::metadata::Identity;
use dxf2_model::{IdScheme, Metadata, Uid};
use rustc_hash::FxHashMap;

use crate::error::ErrorKind;
use crate::java;
use crate::names::is_xml_name;

/// The identifier of an object under a scheme (`None` when it has none; `ID` and `UUID`
/// identifiers do not exist offline).
pub(crate) fn identifier<'a>(id: &'a Identity, scheme: &IdScheme) -> Option<&'a str> {
    match scheme {
        IdScheme::Uid => Some(id.uid.as_str()),
        IdScheme::Code => id.code.as_deref(),
        IdScheme::Name => id.name.as_deref(),
        IdScheme::Attribute(attribute) => id.attribute_value(attribute),
        IdScheme::Id | IdScheme::Uuid => None,
    }
}

/// Whether a category combo is DHIS2's default (`CategoryCombo.isDefault`: named `default`), or
/// carries the default's well-known UID.
pub(crate) fn is_default_combo(md: &Metadata, combo: &Uid) -> bool {
    combo.as_str() == dxf2_model::metadata::DEFAULT_CATEGORY_COMBO_UID
        || md
            .category_combo(combo)
            .is_some_and(|c| c.id.name.as_deref() == Some("default"))
}

/// One category of a combo: its identifier under `categoryIdScheme` and its name.
#[derive(Clone, Debug)]
pub(crate) struct ComboCategory {
    pub(crate) key: Option<String>,
    pub(crate) name: Option<String>,
}

/// One category combo prepared for ADX (see the module docs).
#[derive(Debug)]
pub(crate) struct ComboMap {
    /// `CategoryCombo.isDefault`.
    pub(crate) is_default: bool,
    /// The combo's name.
    pub(crate) name: Option<String>,
    /// The categories, in combo order.
    pub(crate) categories: Vec<ComboCategory>,
    /// The first category whose identifier is missing or not an XML name (2.36–2.42 refuse the
    /// combo then).
    invalid_category: Option<ErrorKind>,
    /// The category indexes in the iteration order of a Java `HashMap` of their identifiers.
    pub(crate) hash_order: Vec<usize>,
    /// 2.36–2.42: composite key (`"o1""o2"`, category order, trimmed) → option combo, or the
    /// error building it (`CategoryComboMap`).
    by_key: Result<FxHashMap<String, Uid>, ErrorKind>,
    /// 2.43+: the sorted, distinct option identifiers of each option combo (metadata order),
    /// combos with an option lacking one left out.
    by_set: Vec<(Vec<String>, Uid)>,
}

impl ComboMap {
    /// Prepares `combo` (a combo missing from the metadata has no categories and no combos).
    pub(crate) fn new(
        md: &Metadata,
        combo: &Uid,
        category_scheme: &IdScheme,
        option_scheme: &IdScheme,
    ) -> ComboMap {
        let cc = md.category_combo(combo);
        let category_uids: &[Uid] = cc.map_or(&[], |c| c.categories.as_slice());
        let mut categories = Vec::with_capacity(category_uids.len());
        let mut invalid_category = None;
        for uid in category_uids {
            let category = md.category(uid);
            let key = category
                .and_then(|c| identifier(&c.id, category_scheme))
                .map(str::to_owned);
            let name = category.and_then(|c| c.id.name.clone());
            if invalid_category.is_none() && !key.as_deref().is_some_and(is_xml_name) {
                invalid_category = Some(ErrorKind::CategoryIdInvalid {
                    scheme: category_scheme.clone(),
                    category: name.clone(),
                    id: key.clone(),
                });
            }
            categories.push(ComboCategory { key, name });
        }
        let keys: Vec<&str> = categories
            .iter()
            .map(|c| c.key.as_deref().unwrap_or_default())
            .collect();
        let hash_order = java::hash_map_order(&keys);
        let option_combos: Vec<_> = md
            .category_option_combos()
            .iter()
            .filter(|coc| coc.category_combo == *combo)
            .collect();
        let by_key = (|| {
            let mut map = FxHashMap::default();
            for coc in &option_combos {
                let mut composite = String::new();
                for uid in category_uids {
                    let category = md.category(uid);
                    // `Category.getCategoryOption(coc)`: the category's first option in the combo.
                    let option = category
                        .and_then(|c| c.options.iter().find(|o| coc.options.contains(o)))
                        .and_then(|o| md.category_option(o));
                    let Some(option) = option else {
                        return Err(ErrorKind::OptionComboIncomplete {
                            category: category.and_then(|c| c.id.name.clone()),
                            option_combo: coc.id.name.clone(),
                        });
                    };
                    let Some(id) = identifier(&option.id, option_scheme) else {
                        return Err(ErrorKind::OptionWithoutIdentifier {
                            scheme: option_scheme.clone(),
                            option: option.id.name.clone(),
                        });
                    };
                    composite.push('"');
                    composite.push_str(java::trim(id));
                    composite.push('"');
                }
                map.insert(composite, coc.id.uid);
            }
            Ok(map)
        })();
        let by_set = option_combos
            .iter()
            .filter_map(|coc| {
                let mut ids = coc
                    .options
                    .iter()
                    .map(|o| {
                        md.category_option(o)
                            .and_then(|o| identifier(&o.id, option_scheme))
                            .map(str::to_owned)
                    })
                    .collect::<Option<Vec<String>>>()?;
                ids.sort_unstable();
                ids.dedup();
                Some((ids, coc.id.uid))
            })
            .collect();
        ComboMap {
            is_default: is_default_combo(md, combo),
            name: cc.and_then(|c| c.id.name.clone()),
            categories,
            invalid_category,
            hash_order,
            by_key,
            by_set,
        }
    }

    /// DHIS2 2.36–2.42's explosion of category attributes into an option combo
    /// (`convertAttributesToDxf`): `Ok(None)` for the default combo (no option combo is set);
    /// otherwise every category of the combo must have its attribute, and the option combo with
    /// exactly those options (in category order) must exist. `scratch` is a reused buffer.
    pub(crate) fn explode_classic<'a>(
        &self,
        get: impl Fn(&str) -> Option<&'a str>,
        scratch: &mut String,
    ) -> Result<Option<Uid>, ErrorKind> {
        if self.is_default {
            return Ok(None);
        }
        if let Some(e) = &self.invalid_category {
            return Err(clone_kind(e));
        }
        // The categories are walked in `HashMap` order: the first missing one is reported.
        for &i in &self.hash_order {
            let Some(category) = self.categories.get(i) else {
                continue;
            };
            if get(category.key.as_deref().unwrap_or_default()).is_none() {
                return Err(ErrorKind::CategoryMissing {
                    combo: self.name.clone(),
                    category: category.name.clone(),
                });
            }
        }
        let by_key = self.by_key.as_ref().map_err(clone_kind)?;
        scratch.clear();
        for category in &self.categories {
            scratch.push('"');
            scratch.push_str(get(category.key.as_deref().unwrap_or_default()).unwrap_or("null"));
            scratch.push('"');
        }
        match by_key.get(scratch.as_str()) {
            Some(uid) => Ok(Some(*uid)),
            None => {
                let pairs = self.hash_order.iter().filter_map(|&i| {
                    let key = self.categories.get(i)?.key.as_deref().unwrap_or_default();
                    Some((key, get(key)))
                });
                Err(ErrorKind::InvalidAttributes {
                    attributes: java::map_string(pairs),
                })
            }
        }
    }

    /// DHIS2 2.43+'s decoding of category options into an option combo: the options the map
    /// gives for the combo's categories, as a set, against each option combo's set of options.
    /// A category without an identifier or without an option in the map matches nothing.
    pub(crate) fn find_set<'a>(&self, get: impl Fn(&str) -> Option<&'a str>) -> Option<Uid> {
        let mut wanted: Vec<&str> = Vec::with_capacity(self.categories.len());
        for category in &self.categories {
            wanted.push(get(category.key.as_deref()?)?);
        }
        wanted.sort_unstable();
        wanted.dedup();
        self.by_set
            .iter()
            .find(|(ids, _)| ids.iter().map(String::as_str).eq(wanted.iter().copied()))
            .map(|(_, uid)| *uid)
    }
}

/// A copy of one of the (cloneable) kinds a combo map keeps.
fn clone_kind(e: &ErrorKind) -> ErrorKind {
    match e {
        ErrorKind::CategoryIdInvalid {
            scheme,
            category,
            id,
        } => ErrorKind::CategoryIdInvalid {
            scheme: scheme.clone(),
            category: category.clone(),
            id: id.clone(),
        },
        ErrorKind::OptionComboIncomplete {
            category,
            option_combo,
        } => ErrorKind::OptionComboIncomplete {
            category: category.clone(),
            option_combo: option_combo.clone(),
        },
        ErrorKind::OptionWithoutIdentifier { scheme, option } => {
            ErrorKind::OptionWithoutIdentifier {
                scheme: scheme.clone(),
                option: option.clone(),
            }
        }
        other => ErrorKind::Syntax {
            message: other.to_string(),
        },
    }
}

/// The maps of the combos used so far, built once each.
#[derive(Default)]
pub(crate) struct ComboCache {
    maps: FxHashMap<Uid, ComboMap>,
}

impl ComboCache {
    /// The map of `combo`, built on first use.
    pub(crate) fn get(
        &mut self,
        md: &Metadata,
        combo: &Uid,
        category_scheme: &IdScheme,
        option_scheme: &IdScheme,
    ) -> &ComboMap {
        self.maps
            .entry(*combo)
            .or_insert_with(|| ComboMap::new(md, combo, category_scheme, option_scheme))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
pub(crate) mod tests {
    use super::*;
    use dxf2_model::metadata::{Category, CategoryCombo, CategoryOption, CategoryOptionCombo};

    pub(crate) fn uid(s: &str) -> Uid {
        Uid::parse(s).unwrap()
    }

    fn identity(u: &str, code: &str, name: &str) -> Identity {
        Identity {
            code: Some(code.into()),
            name: Some(name.into()),
            ..Identity::new(uid(u))
        }
    }

    /// DHIS2's test combo: age (under5, over5) × sex (F, M), with every option combo.
    pub(crate) fn age_sex() -> Metadata {
        let mut md = Metadata::new();
        for (u, code, name) in [
            ("under555555", "under5", "Under 5"),
            ("over5555555", "over5", "Over 5"),
            ("FFFFFFFFFFF", "F", "Female"),
            ("MMMMMMMMMMM", "M", "Male"),
        ] {
            md.add_category_option(CategoryOption {
                id: identity(u, code, name),
                start_date: None,
                end_date: None,
                org_units: Vec::new(),
                sharing: Default::default(),
            });
        }
        for (u, code, name, options) in [
            (
                "ageeeeeeeee",
                "age",
                "Age_category",
                ["under555555", "over5555555"],
            ),
            (
                "sexxxxxxxxx",
                "sex",
                "Sex_category",
                ["FFFFFFFFFFF", "MMMMMMMMMMM"],
            ),
        ] {
            md.add_category(Category {
                id: identity(u, code, name),
                data_dimension_type: "DISAGGREGATION".into(),
                options: options.iter().map(|o| uid(o)).collect(),
            });
        }
        md.add_category_combo(CategoryCombo {
            id: identity("ccAgeSex123", "ccAgeSex", "Age and Sex Category Combo"),
            data_dimension_type: "DISAGGREGATION".into(),
            categories: vec![uid("ageeeeeeeee"), uid("sexxxxxxxxx")],
        });
        for (u, code, name, options) in [
            (
                "FUnder55555",
                "F_Under5",
                "Female Under 5",
                ["FFFFFFFFFFF", "under555555"],
            ),
            (
                "MUnder55555",
                "M_Under5",
                "Male Under 5",
                ["MMMMMMMMMMM", "under555555"],
            ),
            (
                "FOver555555",
                "F_Over5",
                "Female Over 5",
                ["FFFFFFFFFFF", "over5555555"],
            ),
            (
                "MOver555555",
                "M_Over5",
                "Male Over 5",
                ["MMMMMMMMMMM", "over5555555"],
            ),
        ] {
            md.add_category_option_combo(CategoryOptionCombo {
                id: identity(u, code, name),
                category_combo: uid("ccAgeSex123"),
                options: options.iter().map(|o| uid(o)).collect(),
                ignore_approval: false,
            });
        }
        md.finish().unwrap();
        md
    }

    fn attrs<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<&'a str> + 'a {
        move |k| pairs.iter().find(|(n, _)| *n == k).map(|(_, v)| *v)
    }

    #[test]
    fn classic_explosion() {
        let md = age_sex();
        let map = ComboMap::new(&md, &uid("ccAgeSex123"), &IdScheme::Code, &IdScheme::Code);
        let mut scratch = String::new();
        let found = map
            .explode_classic(attrs(&[("sex", "F"), ("age", "under5")]), &mut scratch)
            .unwrap();
        assert_eq!(found, Some(uid("FUnder55555")));
        let e = map
            .explode_classic(attrs(&[("sex", "X"), ("age", "under5")]), &mut scratch)
            .unwrap_err();
        assert_eq!(e.to_string(), "Invalid attributes: {sex=X, age=under5}");
        let e = map
            .explode_classic(attrs(&[("sex", "F")]), &mut scratch)
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "Category combo Age and Sex Category Combo must have Age_category"
        );
        // Both missing: the first in HashMap order (sex, bucket 7) is reported.
        let e = map.explode_classic(attrs(&[]), &mut scratch).unwrap_err();
        assert_eq!(
            e.to_string(),
            "Category combo Age and Sex Category Combo must have Sex_category"
        );
        // Option identifiers are trimmed on the metadata side only.
        let e = map
            .explode_classic(attrs(&[("sex", " F"), ("age", "under5")]), &mut scratch)
            .unwrap_err();
        assert!(matches!(e, ErrorKind::InvalidAttributes { .. }));
    }

    #[test]
    fn classic_explosion_errors_from_metadata() {
        let mut md = age_sex();
        // A category name is an identifier like any other while it is an XML name.
        let map = ComboMap::new(&md, &uid("ccAgeSex123"), &IdScheme::Name, &IdScheme::Uid);
        let found = map
            .explode_classic(
                attrs(&[
                    ("Sex_category", "FFFFFFFFFFF"),
                    ("Age_category", "under555555"),
                ]),
                &mut String::new(),
            )
            .unwrap();
        assert_eq!(found, Some(uid("FUnder55555")));
        md.update::<Category>(&uid("ageeeeeeeee"), |c| {
            c.id.name = Some("Age group".into())
        });
        let map = ComboMap::new(&md, &uid("ccAgeSex123"), &IdScheme::Name, &IdScheme::Code);
        let e = map
            .explode_classic(attrs(&[]), &mut String::new())
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "Category NAME for Age group is missing or invalid: Age group"
        );
        // An option without a code.
        md.update::<CategoryOption>(&uid("MMMMMMMMMMM"), |o| o.id.code = None);
        let map = ComboMap::new(&md, &uid("ccAgeSex123"), &IdScheme::Code, &IdScheme::Code);
        let e = map
            .explode_classic(
                attrs(&[("sex", "F"), ("age", "under5")]),
                &mut String::new(),
            )
            .unwrap_err();
        assert_eq!(e.to_string(), "No CODE identifier for CategoryOption: Male");
        // The default combo maps to nothing.
        let default = md
            .category_combos()
            .iter()
            .find(|c| c.id.name.as_deref() == Some("default"))
            .unwrap()
            .id
            .uid;
        let map = ComboMap::new(&md, &default, &IdScheme::Code, &IdScheme::Code);
        assert_eq!(
            map.explode_classic(attrs(&[]), &mut String::new()).unwrap(),
            None
        );
    }

    #[test]
    fn pipeline_sets() {
        let md = age_sex();
        let map = ComboMap::new(&md, &uid("ccAgeSex123"), &IdScheme::Uid, &IdScheme::Uid);
        let found = map.find_set(attrs(&[
            ("sexxxxxxxxx", "MMMMMMMMMMM"),
            ("ageeeeeeeee", "over5555555"),
        ]));
        assert_eq!(found, Some(uid("MOver555555")));
        assert_eq!(map.find_set(attrs(&[("sexxxxxxxxx", "MMMMMMMMMMM")])), None);
        // Names as identifiers are fine on 2.43+ (no XML name check).
        let map = ComboMap::new(&md, &uid("ccAgeSex123"), &IdScheme::Name, &IdScheme::Name);
        let found = map.find_set(attrs(&[
            ("Age_category", "Under 5"),
            ("Sex_category", "Female"),
        ]));
        assert_eq!(found, Some(uid("FUnder55555")));
    }
}
