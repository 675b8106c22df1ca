//! The workload: generated metadata, and the arithmetic of how many periods the values need.

use std::collections::HashSet;
use std::fmt::Write as _;

use dxf2_model::metadata::{
    DEFAULT_CATEGORY_COMBO_UID, DEFAULT_CATEGORY_OPTION_UID, DEFAULT_CATEGORY_UID,
};
use dxf2_model::{PeriodType, Uid, ValueType, DEFAULT_CATEGORY_OPTION_COMBO_UID};

use crate::catalog::{self, Disaggregation, ElementSpec, Group, Kind};
use crate::SplitMix64;

/// The latest period of the values: December 2024 (values go back from there, never forward).
pub const LAST_PERIOD: &str = "202412";

/// The earliest year a period may fall in: a workload never needs more months than
/// `FIRST_YEAR..=2024` holds (with the default configuration that is ~300 million values; a
/// larger `values` is reduced to that, see [`Workload::values`]).
pub const FIRST_YEAR: u32 = 1100;

const LAST_YEAR: u32 = 2024;
const MAX_MONTHS: u64 = (LAST_YEAR - FIRST_YEAR + 1) as u64 * 12;

/// What to generate.
///
/// ```
/// use dxf2_testdata::WorkloadConfig;
/// let config = WorkloadConfig { values: 50_000, seed: 3, ..WorkloadConfig::default() };
/// assert_eq!(config.org_units, 200);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct WorkloadConfig {
    /// How many data values [`Workload::write_values`] writes (default 10,000).
    pub values: u64,
    /// The seed of every random draw (default 1).
    pub seed: u64,
    /// How many organisation units (default 200, at least 3): one country, one district per
    /// ~16 units, the rest facilities.
    pub org_units: u32,
    /// How many data elements (default 100, at least 1): the catalogue's 100 entries, cycled
    /// with a numbered name beyond that.
    pub data_elements: u32,
}

impl Default for WorkloadConfig {
    fn default() -> WorkloadConfig {
        WorkloadConfig {
            values: 10_000,
            seed: 1,
            org_units: 200,
            data_elements: 100,
        }
    }
}

/// A calendar date (year, month, day).
pub(crate) type Date = (u32, u32, u32);

pub(crate) struct OrgUnit {
    pub uid: Uid,
    pub code: String,
    pub name: String,
    pub parent: Option<usize>,
    pub level: u32,
    pub opening_date: Date,
    /// Size in percent of an average facility (scales counts).
    pub size_pct: u64,
    /// The user name written in `storedBy` for this unit's values.
    pub stored_by: String,
}

pub(crate) struct DataElement {
    pub uid: Uid,
    pub code: String,
    pub name: String,
    pub short_name: String,
    pub kind: Kind,
    pub value_type: ValueType,
    pub aggregation_type: &'static str,
    pub zero_is_significant: bool,
    /// Index into [`Workload::combos`], or `None` for the default combo.
    pub combo: Option<usize>,
}

pub(crate) struct CategoryOption {
    pub uid: Uid,
    pub code: &'static str,
    pub name: &'static str,
}

pub(crate) struct Category {
    pub uid: Uid,
    pub code: &'static str,
    pub name: &'static str,
    /// Indices into [`Workload::options`].
    pub options: Vec<usize>,
}

pub(crate) struct OptionCombo {
    pub uid: Uid,
    pub name: String,
    /// Indices into [`Workload::options`], in the combo's category order.
    pub options: Vec<usize>,
}

pub(crate) struct CategoryCombo {
    pub uid: Uid,
    pub code: &'static str,
    pub name: &'static str,
    /// Indices into [`Workload::categories`].
    pub categories: Vec<usize>,
    /// The full cartesian set, last category varying fastest.
    pub option_combos: Vec<OptionCombo>,
}

pub(crate) struct Source {
    /// Index into [`Workload::org_units`].
    pub org_unit: usize,
    /// Indices into [`Workload::data_elements`] this unit reports.
    pub elements: Vec<usize>,
}

pub(crate) struct DataSet {
    pub uid: Uid,
    pub code: &'static str,
    pub name: &'static str,
    pub short_name: &'static str,
    pub period_type: PeriodType,
    /// Indices into [`Workload::data_elements`].
    pub elements: Vec<usize>,
    pub sources: Vec<Source>,
}

pub(crate) struct User {
    pub uid: Uid,
    pub username: String,
    pub first_name: String,
    pub surname: String,
    pub superuser: bool,
    /// Index into [`Workload::org_units`].
    pub org_unit: usize,
}

/// A generated DHIS2 workload: metadata plus the recipe of its data values.
///
/// Building one is cheap (a few hundred objects); the values are generated on the fly by
/// [`Workload::write_values`].
pub struct Workload {
    pub(crate) config: WorkloadConfig,
    pub(crate) values: u64,
    pub(crate) months: u64,
    pub(crate) org_units: Vec<OrgUnit>,
    pub(crate) data_elements: Vec<DataElement>,
    pub(crate) options: Vec<CategoryOption>,
    pub(crate) categories: Vec<Category>,
    pub(crate) combos: Vec<CategoryCombo>,
    pub(crate) data_sets: Vec<DataSet>,
    pub(crate) users: Vec<User>,
    pub(crate) superuser_role: Uid,
    pub(crate) data_entry_role: Uid,
    pub(crate) level_uids: [Uid; 3],
    pub(crate) default_combo: Uid,
    pub(crate) default_option_combo: Uid,
}

/// Hands out fresh UIDs, never one of DHIS2's default UIDs and never twice.
struct UidSource {
    rng: SplitMix64,
    seen: HashSet<Uid>,
}

impl UidSource {
    fn new(rng: SplitMix64) -> UidSource {
        let seen = [
            DEFAULT_CATEGORY_OPTION_UID,
            DEFAULT_CATEGORY_UID,
            DEFAULT_CATEGORY_COMBO_UID,
            DEFAULT_CATEGORY_OPTION_COMBO_UID,
        ]
        .iter()
        .filter_map(|s| Uid::parse(s).ok())
        .collect();
        UidSource { rng, seen }
    }

    fn next(&mut self) -> Uid {
        loop {
            let rng = &mut self.rng;
            let uid = Uid::generate_with(|| rng.next_u64());
            if self.seen.insert(uid) {
                return uid;
            }
        }
    }
}

/// Generates distinct place names from syllables.
struct PlaceNames {
    used: HashSet<String>,
}

impl PlaceNames {
    fn next(&mut self, rng: &mut SplitMix64) -> String {
        for _ in 0..32 {
            let mut name = String::new();
            name.push_str(rng.pick(catalog::PLACE_HEADS).copied().unwrap_or("Ka"));
            name.push_str(rng.pick(catalog::PLACE_MIDS).copied().unwrap_or("la"));
            name.push_str(rng.pick(catalog::PLACE_TAILS).copied().unwrap_or(""));
            if self.used.insert(name.clone()) {
                return name;
            }
        }
        // The syllables are exhausted (thousands of units): number the names.
        let mut n = self.used.len();
        loop {
            let name = format!("Kalama {n}");
            if self.used.insert(name.clone()) {
                return name;
            }
            n += 1;
        }
    }
}

/// `ANC 1st visit` → `ANC_1ST_VISIT`.
fn code_of(name: &str) -> String {
    let mut code = String::new();
    for word in name
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        if !code.is_empty() {
            code.push('_');
        }
        code.push_str(&word.to_ascii_uppercase());
    }
    code
}

/// At most `max` characters of `s`.
fn truncate(s: &str, max: usize) -> String {
    s.chars().take(max).collect()
}

/// The year and month of the month `index` months before December 2024.
pub(crate) fn month_at(index: u64) -> (u32, u32) {
    let year = u64::from(LAST_YEAR).saturating_sub(index / 12);
    let month = 12 - index % 12;
    (
        u32::try_from(year).unwrap_or(0),
        u32::try_from(month).unwrap_or(1),
    )
}

impl Workload {
    /// Generates the workload's metadata from `config`.
    pub fn new(config: WorkloadConfig) -> Workload {
        let mut rng = SplitMix64::new(config.seed);
        let mut uids = UidSource::new(rng.fork());
        let default_combo = Uid::parse(DEFAULT_CATEGORY_COMBO_UID).unwrap_or_else(|_| uids.next());
        let default_option_combo =
            Uid::parse(DEFAULT_CATEGORY_OPTION_COMBO_UID).unwrap_or_else(|_| uids.next());

        let (options, categories, combos) = categories(&mut uids);
        let org_units = org_units(&config, &mut rng, &mut uids);
        let data_elements = data_elements(&config, &mut uids);
        let data_sets = data_sets(&data_elements, &org_units, &mut rng, &mut uids);
        let superuser_role = uids.next();
        let data_entry_role = uids.next();
        let users = users(&org_units, &mut uids);
        let level_uids = [uids.next(), uids.next(), uids.next()];

        let mut workload = Workload {
            config,
            values: 0,
            months: 0,
            org_units,
            data_elements,
            options,
            categories,
            combos,
            data_sets,
            users,
            superuser_role,
            data_entry_role,
            level_uids,
            default_combo,
            default_option_combo,
        };
        workload.plan_periods(&mut rng);
        workload
    }

    /// Counts the months the values need and dates every unit's opening before the first one.
    fn plan_periods(&mut self, rng: &mut SplitMix64) {
        let mut monthly = 0u64;
        let mut quarterly = 0u64;
        for ds in &self.data_sets {
            let cells: u64 = ds
                .sources
                .iter()
                .flat_map(|s| s.elements.iter())
                .map(|&de| self.option_combo_count(de))
                .sum();
            match ds.period_type {
                PeriodType::Quarterly => quarterly += cells,
                _ => monthly += cells,
            }
        }
        let mut capacity = 0u64;
        let mut months = 0u64;
        while capacity < self.config.values && months < MAX_MONTHS {
            let (_, month) = month_at(months);
            capacity += monthly
                + if month.is_multiple_of(3) {
                    quarterly
                } else {
                    0
                };
            months += 1;
        }
        self.values = self.config.values.min(capacity);
        self.months = months.max(1);

        let (first_year, _) = month_at(self.months - 1);
        for ou in &mut self.org_units {
            let years_before = match ou.level {
                1 => 31,
                2 => rng.range(26, 30),
                _ => rng.range(1, 25),
            };
            let year = first_year.saturating_sub(years_before as u32);
            ou.opening_date = if ou.level == 1 {
                (year, 1, 1)
            } else {
                (year, rng.range(1, 12) as u32, rng.range(1, 28) as u32)
            };
        }
    }

    /// The number of category option combos of a data element (1 for the default combo).
    pub(crate) fn option_combo_count(&self, data_element: usize) -> u64 {
        self.data_elements
            .get(data_element)
            .and_then(|de| de.combo)
            .and_then(|c| self.combos.get(c))
            .map_or(1, |c| c.option_combos.len() as u64)
    }

    /// The configuration this workload was built from.
    pub fn config(&self) -> &WorkloadConfig {
        &self.config
    }

    /// The number of values [`Workload::write_values`] writes: [`WorkloadConfig::values`],
    /// unless that exceeds what the periods from [`FIRST_YEAR`] to 2024 can hold.
    pub fn values(&self) -> u64 {
        self.values
    }

    /// The number of monthly periods the values span, going back from [`LAST_PERIOD`].
    pub fn months(&self) -> u64 {
        self.months
    }

    /// The earliest monthly period of the values (`yyyyMM`).
    pub fn first_period(&self) -> String {
        let (year, month) = month_at(self.months.saturating_sub(1));
        let mut s = String::new();
        let _ = write!(s, "{year:04}{month:02}");
        s
    }

    /// The number of organisation units.
    pub fn org_unit_count(&self) -> usize {
        self.org_units.len()
    }

    /// The number of data elements.
    pub fn data_element_count(&self) -> usize {
        self.data_elements.len()
    }

    /// The number of data sets.
    pub fn data_set_count(&self) -> usize {
        self.data_sets.len()
    }

    /// The number of (non-default) category option combos written to the metadata.
    pub fn category_option_combo_count(&self) -> usize {
        self.combos.iter().map(|c| c.option_combos.len()).sum()
    }

    /// The UID of the root organisation unit (the country), which the `admin` user is assigned.
    pub fn root_org_unit(&self) -> Option<Uid> {
        self.org_units.first().map(|ou| ou.uid)
    }

    /// The superuser's user name: `admin`.
    pub fn admin_username(&self) -> &str {
        self.users
            .iter()
            .find(|u| u.superuser)
            .map_or("admin", |u| u.username.as_str())
    }
}

/// Sex, two age breakdowns, and the two combos (4 and 6 option combos).
fn categories(uids: &mut UidSource) -> (Vec<CategoryOption>, Vec<Category>, Vec<CategoryCombo>) {
    const OPTIONS: &[(&str, &str)] = &[
        ("SEX_FEMALE", "Female"),
        ("SEX_MALE", "Male"),
        ("AGE_LT5Y", "<5y"),
        ("AGE_GE5Y", "5y+"),
        ("AGE_0_11M", "0-11m"),
        ("AGE_12_59M", "12-59m"),
        ("AGE_5Y_PLUS", "5 years and over"),
    ];
    let options: Vec<CategoryOption> = OPTIONS
        .iter()
        .map(|&(code, name)| CategoryOption {
            uid: uids.next(),
            code,
            name,
        })
        .collect();
    let categories = vec![
        Category {
            uid: uids.next(),
            code: "SEX",
            name: "Sex",
            options: vec![0, 1],
        },
        Category {
            uid: uids.next(),
            code: "AGE_5Y",
            name: "Age (<5y/5y+)",
            options: vec![2, 3],
        },
        Category {
            uid: uids.next(),
            code: "AGE_GROUP",
            name: "Age group",
            options: vec![4, 5, 6],
        },
    ];
    let mut combos = vec![
        CategoryCombo {
            uid: uids.next(),
            code: "SEX_AGE_5Y",
            name: "Sex and age (<5y/5y+)",
            categories: vec![0, 1],
            option_combos: Vec::new(),
        },
        CategoryCombo {
            uid: uids.next(),
            code: "SEX_AGE_GROUP",
            name: "Sex and age group",
            categories: vec![0, 2],
            option_combos: Vec::new(),
        },
    ];
    for combo in &mut combos {
        // Cartesian product in category order, the last category varying fastest (§7.2).
        let mut sets: Vec<Vec<usize>> = vec![Vec::new()];
        for &c in &combo.categories {
            let opts = categories
                .get(c)
                .map(|c| c.options.as_slice())
                .unwrap_or_default();
            sets = sets
                .iter()
                .flat_map(|prefix| {
                    opts.iter().map(move |&o| {
                        let mut set = prefix.clone();
                        set.push(o);
                        set
                    })
                })
                .collect();
        }
        combo.option_combos = sets
            .into_iter()
            .map(|set| {
                let name = set
                    .iter()
                    .filter_map(|&o| options.get(o).map(|o| o.name))
                    .collect::<Vec<_>>()
                    .join(", ");
                OptionCombo {
                    uid: uids.next(),
                    name,
                    options: set,
                }
            })
            .collect();
    }
    (options, categories, combos)
}

fn org_units(config: &WorkloadConfig, rng: &mut SplitMix64, uids: &mut UidSource) -> Vec<OrgUnit> {
    let total = config.org_units.max(3) as usize;
    let districts = ((total - 1) / 16).max(1);
    let facilities = total - 1 - districts;
    let mut names = PlaceNames {
        used: HashSet::new(),
    };
    let mut units = Vec::with_capacity(total);
    let mut code = 100_001u64;
    let mut next_code = || {
        code += 1;
        format!("OU_{}", code - 1)
    };

    let country = names.next(rng);
    units.push(OrgUnit {
        uid: uids.next(),
        code: next_code(),
        name: country,
        parent: None,
        level: 1,
        opening_date: (1970, 1, 1),
        size_pct: 100,
        stored_by: "admin".to_owned(),
    });
    for _ in 0..districts {
        let place = names.next(rng);
        let stored_by = format!("{}_hmis", place.to_ascii_lowercase().replace(' ', "_"));
        units.push(OrgUnit {
            uid: uids.next(),
            code: next_code(),
            name: format!("{place} District"),
            parent: Some(0),
            level: 2,
            opening_date: (1970, 1, 1),
            size_pct: 100,
            stored_by,
        });
    }
    for i in 0..facilities {
        // Every district gets facilities; the rest are spread at random.
        let district = if i < districts {
            1 + i
        } else {
            1 + rng.below(districts as u64) as usize
        };
        let &(kind, lo, hi) = rng
            .pick(catalog::FACILITY_TYPES)
            .unwrap_or(&("CHP", 50, 110));
        let place = names.next(rng);
        let district_user = units
            .get(district)
            .map(|d| d.stored_by.clone())
            .unwrap_or_default();
        let stored_by = if rng.chance(150) {
            "admin".to_owned()
        } else {
            district_user
        };
        units.push(OrgUnit {
            uid: uids.next(),
            code: next_code(),
            name: truncate(&format!("{place} {kind}"), 50),
            parent: Some(district),
            level: 3,
            opening_date: (1970, 1, 1),
            size_pct: rng.range(lo, hi),
            stored_by,
        });
    }
    units
}

fn data_elements(config: &WorkloadConfig, uids: &mut UidSource) -> Vec<DataElement> {
    let count = config.data_elements.max(1) as usize;
    let mut codes = HashSet::new();
    catalog::ELEMENTS
        .iter()
        .cycle()
        .take(count)
        .enumerate()
        .map(|(i, spec): (usize, &ElementSpec)| {
            let round = i / catalog::ELEMENTS.len();
            let name = if round == 0 {
                spec.name.to_owned()
            } else {
                format!("{} {}", spec.name, round + 1)
            };
            let mut code = truncate(&code_of(&name), 50);
            let mut n = 2;
            while !codes.insert(code.clone()) {
                code = format!("{}_{n}", truncate(&code_of(&name), 45));
                n += 1;
            }
            let (value_type, aggregation_type, zero_is_significant) = match spec.kind {
                // Zero is significant where a zero means something (deaths, stock-out days).
                Kind::Count(mean) => (ValueType::IntegerZeroOrPositive, "SUM", mean <= 2),
                Kind::Signed(_) => (ValueType::Integer, "SUM", true),
                Kind::Number(..) => (ValueType::Number, "AVERAGE", true),
                Kind::Text(_) => (ValueType::Text, "NONE", false),
                Kind::Boolean(_) => (ValueType::Boolean, "COUNT", false),
            };
            let combo = match spec.disaggregation {
                Disaggregation::None => None,
                Disaggregation::SexAge4 => Some(0),
                Disaggregation::SexAge6 => Some(1),
            };
            DataElement {
                uid: uids.next(),
                code,
                short_name: truncate(&name, 50),
                name,
                kind: spec.kind,
                value_type,
                aggregation_type,
                zero_is_significant,
                combo,
            }
        })
        .collect()
}

fn data_sets(
    elements: &[DataElement],
    org_units: &[OrgUnit],
    rng: &mut SplitMix64,
    uids: &mut UidSource,
) -> Vec<DataSet> {
    let specs: [(Group, &str, &str, &str, PeriodType, u64); 3] = [
        (
            Group::Facility,
            "DS_FACILITY_MONTHLY",
            "Facility monthly report",
            "Facility monthly",
            PeriodType::Monthly,
            1000,
        ),
        (
            Group::Epi,
            "DS_EPI_MONTHLY",
            "EPI monthly report",
            "EPI monthly",
            PeriodType::Monthly,
            850,
        ),
        (
            Group::Assessment,
            "DS_FACILITY_QUARTERLY",
            "Quarterly facility assessment",
            "Facility assessment",
            PeriodType::Quarterly,
            700,
        ),
    ];
    let groups: Vec<Group> = catalog::ELEMENTS.iter().map(|e| e.group).collect();
    specs
        .iter()
        .map(|&(group, code, name, short_name, period_type, share)| {
            let members: Vec<usize> = (0..elements.len())
                .filter(|i| groups.get(i % groups.len().max(1)) == Some(&group))
                .collect();
            let mut sources = Vec::new();
            for (index, ou) in org_units.iter().enumerate() {
                if ou.level != 3 || !rng.chance(share) {
                    continue;
                }
                // A facility reports most, not all, of the set's elements.
                let mut reported: Vec<usize> = members
                    .iter()
                    .copied()
                    .filter(|_| rng.chance(900))
                    .collect();
                if reported.is_empty() {
                    reported.extend(members.first());
                }
                sources.push(Source {
                    org_unit: index,
                    elements: reported,
                });
            }
            if sources.is_empty() {
                // Tiny configurations: the set still has a source.
                if let Some(index) = org_units.iter().position(|ou| ou.level == 3) {
                    sources.push(Source {
                        org_unit: index,
                        elements: members.clone(),
                    });
                }
            }
            DataSet {
                uid: uids.next(),
                code,
                name,
                short_name,
                period_type,
                elements: members,
                sources,
            }
        })
        .collect()
}

fn users(org_units: &[OrgUnit], uids: &mut UidSource) -> Vec<User> {
    let mut users = vec![User {
        uid: uids.next(),
        username: "admin".to_owned(),
        first_name: "System".to_owned(),
        surname: "Administrator".to_owned(),
        superuser: true,
        org_unit: 0,
    }];
    for (index, ou) in org_units.iter().enumerate().filter(|(_, ou)| ou.level == 2) {
        users.push(User {
            uid: uids.next(),
            username: ou.stored_by.clone(),
            first_name: "HMIS officer".to_owned(),
            surname: ou.name.clone(),
            superuser: false,
            org_unit: index,
        });
    }
    users
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalogue_has_100_elements_with_unique_names() {
        assert_eq!(catalog::ELEMENTS.len(), 100);
        let names: HashSet<&str> = catalog::ELEMENTS.iter().map(|e| e.name).collect();
        assert_eq!(names.len(), 100);
    }

    #[test]
    fn months_count_back_from_december_2024() {
        assert_eq!(month_at(0), (2024, 12));
        assert_eq!(month_at(11), (2024, 1));
        assert_eq!(month_at(12), (2023, 12));
        assert_eq!(month_at(25), (2022, 11));
    }

    #[test]
    fn codes_are_derived_from_names() {
        assert_eq!(code_of("ANC 1st visit"), "ANC_1ST_VISIT");
        assert_eq!(
            code_of("Average length of stay (days)"),
            "AVERAGE_LENGTH_OF_STAY_DAYS"
        );
    }

    #[test]
    fn default_shape() {
        let w = Workload::new(WorkloadConfig::default());
        assert_eq!(w.org_unit_count(), 200);
        assert_eq!(w.org_units.iter().filter(|o| o.level == 2).count(), 12);
        assert_eq!(w.data_element_count(), 100);
        assert_eq!(w.data_set_count(), 3);
        assert_eq!(w.category_option_combo_count(), 10);
        assert_eq!(w.users.len(), 13);
        assert!(w
            .data_sets
            .iter()
            .all(|ds| !ds.sources.is_empty() && !ds.elements.is_empty()));
        // Every district has a facility.
        for d in 1..=12 {
            assert!(w.org_units.iter().any(|o| o.parent == Some(d)));
        }
    }

    #[test]
    fn opening_dates_precede_the_first_period() {
        let w = Workload::new(WorkloadConfig {
            values: 3_000_000,
            ..WorkloadConfig::default()
        });
        let (first_year, _) = month_at(w.months() - 1);
        assert!(w.org_units.iter().all(|o| o.opening_date.0 < first_year));
        assert!(w.first_period().starts_with(&first_year.to_string()));
    }

    #[test]
    fn huge_requests_are_capped() {
        let w = Workload::new(WorkloadConfig {
            values: u64::MAX,
            org_units: 3,
            data_elements: 1,
            ..Default::default()
        });
        assert_eq!(w.months(), MAX_MONTHS);
        assert!(w.values() < u64::MAX);
        assert!(w.first_period().starts_with("1100"));
    }

    #[test]
    fn small_and_large_configurations() {
        let w = Workload::new(WorkloadConfig {
            org_units: 0,
            data_elements: 0,
            ..Default::default()
        });
        assert_eq!(w.org_unit_count(), 3);
        assert_eq!(w.data_element_count(), 1);
        let w = Workload::new(WorkloadConfig {
            org_units: 3_000,
            data_elements: 250,
            ..Default::default()
        });
        assert_eq!(w.org_unit_count(), 3_000);
        let names: HashSet<&str> = w.data_elements.iter().map(|d| d.name.as_str()).collect();
        assert_eq!(names.len(), 250);
        let codes: HashSet<&str> = w.data_elements.iter().map(|d| d.code.as_str()).collect();
        assert_eq!(codes.len(), 250);
        let ou_names: HashSet<&str> = w.org_units.iter().map(|o| o.name.as_str()).collect();
        assert_eq!(ou_names.len(), 3_000);
    }
}
