//! A spread workload: values of many facilities over many months, as a district or national
//! store receives them — N facilities × M monthly periods × K data elements (default 1,200 × 36
//! × 24 ≈ 1M values), with the metadata they need, in two orders: period then org unit (as real
//! exports come) and the same values shuffled (a seeded permutation).
//!
//! Nothing is held per value: [`Spread::write_xml`] and [`Spread::write_values`] compute the
//! `i`th value of either order from `i` alone, so any size streams in constant memory.
//!
//! ```
//! use dxf2_testdata::spread::{Spread, SpreadConfig, SpreadOrder};
//!
//! let spread = Spread::new(SpreadConfig { org_units: 3, months: 2, data_elements: 2, seed: 7 });
//! assert_eq!(spread.values(), 12);
//!
//! let mut xml = Vec::new();
//! spread.write_xml(SpreadOrder::PeriodThenOrgUnit, &mut xml).unwrap();
//! let xml = String::from_utf8(xml).unwrap();
//! assert_eq!(xml.matches("<dataValue ").count(), 12);
//! // The oldest month first: 2024-11 and 2024-12 (the last period is December 2024).
//! assert!(xml.find("period=\"202411\"").unwrap() < xml.find("period=\"202412\"").unwrap());
//!
//! let mut shuffled = Vec::new();
//! spread.write_xml(SpreadOrder::Shuffled, &mut shuffled).unwrap();
//! assert_ne!(xml.as_bytes(), shuffled.as_slice());
//!
//! let mut metadata = Vec::new();
//! spread.write_metadata_json(&mut metadata).unwrap();
//! let json: serde_json::Value = serde_json::from_slice(&metadata).unwrap();
//! // The facilities, one district per 60 of them and the country.
//! assert_eq!(json["organisationUnits"].as_array().unwrap().len(), 3 + 1 + 1);
//! assert_eq!(json["dataElements"].as_array().unwrap().len(), 2);
//! ```

use std::collections::HashSet;
use std::fmt::Write as _;
use std::io::{self, BufWriter, Write};

use dxf2_model::{DataValue, DataValueSetHeader, DataValueSink, Field, Uid};
use serde_json::{json, Value};

use crate::SplitMix64;

/// The UID of DHIS2's default category combo.
const DEFAULT_COMBO: &str = "bjDvmb4bfuf";
/// The UID of DHIS2's default category option combo.
const DEFAULT_OPTION_COMBO: &str = "HllvX50cXC0";
/// Facilities per district.
const FACILITIES_PER_DISTRICT: u32 = 60;
/// The last month of the values: December 2024.
const LAST_YEAR: u32 = 2024;

/// How big a spread workload is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SpreadConfig {
    /// Facilities reporting (each has values in every month for every data element). Default
    /// 1,200.
    pub org_units: u32,
    /// Monthly periods, ending December 2024. Default 36.
    pub months: u32,
    /// Data elements (integer, default category combo). Default 24.
    pub data_elements: u32,
    /// The seed of the UIDs, the values and the shuffle. Default 1.
    pub seed: u64,
}

impl Default for SpreadConfig {
    fn default() -> SpreadConfig {
        SpreadConfig {
            org_units: 1_200,
            months: 36,
            data_elements: 24,
            seed: 1,
        }
    }
}

impl SpreadConfig {
    /// A small workload for runs at CI speed: 120 facilities × 12 months × 24 data elements
    /// (34,560 values).
    pub fn small() -> SpreadConfig {
        SpreadConfig {
            org_units: 120,
            months: 12,
            ..SpreadConfig::default()
        }
    }

    /// The configuration with about `values` values: the default's 36 months and 24 data
    /// elements (fewer months when `values` is small), and as many facilities as that takes.
    pub fn with_values(values: u64) -> SpreadConfig {
        let default = SpreadConfig::default();
        let per_month = u64::from(default.data_elements) * 12;
        let months = (values / per_month).clamp(1, u64::from(default.months));
        let per_unit = u64::from(default.data_elements) * months;
        SpreadConfig {
            org_units: u32::try_from(values.div_ceil(per_unit).max(1)).unwrap_or(u32::MAX),
            months: u32::try_from(months).unwrap_or(default.months),
            ..default
        }
    }
}

/// The order in which the values are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SpreadOrder {
    /// Month by month (oldest first); in each month facility by facility; each facility's data
    /// elements together: how DHIS2 exports come.
    PeriodThenOrgUnit,
    /// The same values in a seeded pseudo-random order.
    Shuffled,
}

/// A spread workload: its metadata (a country, its districts, the facilities, the data
/// elements, one monthly data set, an `admin` superuser) and the recipe of its values.
#[derive(Clone, Debug)]
pub struct Spread {
    config: SpreadConfig,
    root: Uid,
    districts: Vec<Uid>,
    facilities: Vec<Uid>,
    elements: Vec<Uid>,
    data_set: Uid,
    admin: Uid,
    role: Uid,
    /// The bits of the shuffle's domain (a power of two at least the number of values).
    bits: u32,
    /// The shuffle's round keys.
    keys: [u64; 4],
}

impl Spread {
    /// The workload of `config` (a few thousand UIDs at most; values are made when written).
    /// Sizes of 0 count as 1.
    pub fn new(config: SpreadConfig) -> Spread {
        let config = SpreadConfig {
            org_units: config.org_units.max(1),
            months: config.months.max(1),
            data_elements: config.data_elements.max(1),
            seed: config.seed,
        };
        let mut rng = SplitMix64::new(config.seed ^ 0x5EED_5EED_5EED_5EED);
        let mut seen = HashSet::new();
        let mut next_uid = || loop {
            let uid = Uid::generate_with(|| rng.next_u64());
            if uid.as_str() != DEFAULT_COMBO
                && uid.as_str() != DEFAULT_OPTION_COMBO
                && seen.insert(uid)
            {
                return uid;
            }
        };
        let root = next_uid();
        let districts = (0..config.org_units.div_ceil(FACILITIES_PER_DISTRICT))
            .map(|_| next_uid())
            .collect();
        let facilities = (0..config.org_units).map(|_| next_uid()).collect();
        let elements = (0..config.data_elements).map(|_| next_uid()).collect();
        let (data_set, admin, role) = (next_uid(), next_uid(), next_uid());
        let mut key_rng = SplitMix64::new(config.seed ^ 0x0005_4FF1_E000_0000);
        let keys = [
            key_rng.next_u64(),
            key_rng.next_u64(),
            key_rng.next_u64(),
            key_rng.next_u64(),
        ];
        let total = u64::from(config.org_units)
            * u64::from(config.months)
            * u64::from(config.data_elements);
        // An even number of bits, at least 2, covering every index.
        let mut bits = 2;
        while bits < 64 && (1u64 << bits) < total {
            bits += 2;
        }
        Spread {
            config,
            root,
            districts,
            facilities,
            elements,
            data_set,
            admin,
            role,
            bits,
            keys,
        }
    }

    /// The configuration (sizes of 0 raised to 1).
    pub fn config(&self) -> SpreadConfig {
        self.config
    }

    /// How many values the workload has: facilities × months × data elements.
    pub fn values(&self) -> u64 {
        self.facilities.len() as u64 * u64::from(self.config.months) * self.elements.len() as u64
    }

    /// The `n`th value of `order`: (month index from the oldest, facility, data element, value).
    fn value_at(&self, order: SpreadOrder, n: u64) -> (u32, usize, usize, u64) {
        let i = match order {
            SpreadOrder::PeriodThenOrgUnit => n,
            SpreadOrder::Shuffled => self.shuffle(n),
        };
        let per_month = self.facilities.len() as u64 * self.elements.len() as u64;
        let month = u32::try_from(i / per_month).unwrap_or(0);
        let in_month = i % per_month;
        let facility = usize::try_from(in_month / self.elements.len() as u64).unwrap_or(0);
        let element = usize::try_from(in_month % self.elements.len() as u64).unwrap_or(0);
        // The value of a key, whatever the order: 1 to 999 (no zeros, which DHIS2 skips).
        let value =
            SplitMix64::new(self.config.seed ^ i.wrapping_mul(0x9E37_79B9_7F4A_7C15)).range(1, 999);
        (month, facility, element, value)
    }

    /// A bijection of `0..values()`: a four-round Feistel network on `bits` bits, applied again
    /// while the result is out of range (cycle walking).
    fn shuffle(&self, n: u64) -> u64 {
        let total = self.values();
        let half = self.bits / 2;
        let mask = (1u64 << half) - 1;
        let mut x = n;
        loop {
            let (mut left, mut right) = (x >> half, x & mask);
            for key in self.keys {
                let f = SplitMix64::new(right ^ key).next_u64() & mask;
                (left, right) = (right, left ^ f);
            }
            x = (left << half) | right;
            if x < total {
                return x;
            }
        }
    }

    /// The ISO period of month `month` (0 is the oldest).
    fn period(&self, month: u32, out: &mut String) {
        // Months counted back from December of LAST_YEAR.
        let back = self.config.months - 1 - month;
        let index = LAST_YEAR * 12 + 11 - back;
        out.clear();
        let _ = write!(out, "{:04}{:02}", index / 12, index % 12 + 1);
    }

    /// Writes the values as a DXF2 XML data value set, in `order`, through a buffer of its own
    /// (`w` need not be buffered). Every value has `dataElement`, `period`, `orgUnit`,
    /// `categoryOptionCombo` and `attributeOptionCombo` (the defaults), `value`, `storedBy`,
    /// `created`, `lastUpdated` and `followUp`.
    pub fn write_xml<W: Write>(&self, order: SpreadOrder, w: W) -> io::Result<()> {
        let mut out = BufWriter::with_capacity(64 * 1024, w);
        out.write_all(
            b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
              <dataValueSet xmlns=\"http://dhis2.org/schema/dxf/2.0\">\n",
        )?;
        let mut line = String::with_capacity(400);
        let mut period = String::with_capacity(8);
        for n in 0..self.values() {
            let (month, facility, element, value) = self.value_at(order, n);
            self.period(month, &mut period);
            let (Some(ou), Some(de)) = (self.facilities.get(facility), self.elements.get(element))
            else {
                continue;
            };
            line.clear();
            let _ = writeln!(
                line,
                "  <dataValue dataElement=\"{de}\" period=\"{period}\" orgUnit=\"{ou}\" \
                 categoryOptionCombo=\"{DEFAULT_OPTION_COMBO}\" \
                 attributeOptionCombo=\"{DEFAULT_OPTION_COMBO}\" value=\"{value}\" \
                 storedBy=\"admin\" created=\"{0}-{1}-10T08:00:00.000+0000\" \
                 lastUpdated=\"{0}-{1}-10T08:00:00.000+0000\" followUp=\"false\"/>",
                period.get(..4).unwrap_or("2024"),
                period.get(4..).unwrap_or("01"),
            );
            out.write_all(line.as_bytes())?;
        }
        out.write_all(b"</dataValueSet>\n")?;
        out.flush()
    }

    /// Writes the values into `sink` in `order` (the fields of [`Spread::write_xml`]), through
    /// one reused record.
    pub fn write_values<S: DataValueSink + ?Sized>(
        &self,
        order: SpreadOrder,
        sink: &mut S,
    ) -> Result<(), S::Error> {
        sink.begin(&DataValueSetHeader::default())?;
        let mut record = DataValue::new();
        let (mut period, mut text) = (String::new(), String::new());
        for n in 0..self.values() {
            let (month, facility, element, value) = self.value_at(order, n);
            let (Some(ou), Some(de)) = (self.facilities.get(facility), self.elements.get(element))
            else {
                continue;
            };
            self.period(month, &mut period);
            record.clear();
            record.set(Field::DataElement, de.as_str());
            record.set(Field::Period, &period);
            record.set(Field::OrgUnit, ou.as_str());
            record.set(Field::CategoryOptionCombo, DEFAULT_OPTION_COMBO);
            record.set(Field::AttributeOptionCombo, DEFAULT_OPTION_COMBO);
            text.clear();
            let _ = write!(text, "{value}");
            record.set(Field::Value, &text);
            record.set(Field::StoredBy, "admin");
            text.clear();
            let _ = write!(
                text,
                "{}-{}-10T08:00:00.000+0000",
                period.get(..4).unwrap_or("2024"),
                period.get(4..).unwrap_or("01")
            );
            record.set(Field::Created, &text);
            record.set(Field::LastUpdated, &text);
            record.set_followup(Some(false));
            sink.write_value(&record)?;
        }
        sink.finish()
    }

    /// Writes the metadata as a DXF2 metadata JSON document (`/api/metadata` shape):
    /// `userRoles` and `users` (`admin`, authority `ALL`, on the country), `organisationUnits`
    /// (the country, its districts, the facilities, parents first, opened in 2000),
    /// `dataElements` (integer, `SUM`, default category combo) and `dataSets` (one monthly set
    /// of every data element, every facility a source, `openFuturePeriods` 1).
    pub fn write_metadata_json<W: Write>(&self, w: W) -> io::Result<()> {
        serde_json::to_writer(BufWriter::new(w), &self.metadata_document()).map_err(io::Error::from)
    }

    fn metadata_document(&self) -> Value {
        let reference = |uid: &Uid| json!({ "id": uid.as_str() });
        let unit = |uid: &Uid, name: String, parent: Option<&Uid>| {
            let mut object = json!({
                "id": uid.as_str(), "name": name.clone(), "shortName": name,
                "openingDate": "2000-01-01",
            });
            if let (Some(parent), Value::Object(map)) = (parent, &mut object) {
                map.insert("parent".to_owned(), reference(parent));
            }
            object
        };
        let mut org_units = vec![unit(&self.root, "Country".to_owned(), None)];
        for (i, d) in self.districts.iter().enumerate() {
            org_units.push(unit(d, format!("District {}", i + 1), Some(&self.root)));
        }
        for (i, f) in self.facilities.iter().enumerate() {
            let district = self
                .districts
                .get(i / FACILITIES_PER_DISTRICT as usize)
                .unwrap_or(&self.root);
            org_units.push(unit(f, format!("Facility {}", i + 1), Some(district)));
        }
        let elements: Vec<Value> = self
            .elements
            .iter()
            .enumerate()
            .map(|(i, de)| {
                json!({
                    "id": de.as_str(), "name": format!("Count {}", i + 1),
                    "shortName": format!("Count {}", i + 1), "valueType": "INTEGER",
                    "aggregationType": "SUM", "domainType": "AGGREGATE",
                    "zeroIsSignificant": false, "categoryCombo": { "id": DEFAULT_COMBO },
                    "sharing": { "public": "rw------" },
                })
            })
            .collect();
        let data_set_elements: Vec<Value> = self
            .elements
            .iter()
            .map(|de| json!({ "dataElement": reference(de), "dataSet": reference(&self.data_set) }))
            .collect();
        let sources: Vec<Value> = self.facilities.iter().map(reference).collect();
        json!({
            "userRoles": [{ "id": self.role.as_str(), "name": "Superuser", "authorities": ["ALL"] }],
            "users": [{
                "id": self.admin.as_str(), "username": "admin", "firstName": "Admin",
                "surname": "Admin", "userRoles": [reference(&self.role)],
                "organisationUnits": [reference(&self.root)],
                "dataViewOrganisationUnits": [reference(&self.root)],
            }],
            "organisationUnits": org_units,
            "dataElements": elements,
            "dataSets": [{
                "id": self.data_set.as_str(), "name": "Monthly report",
                "shortName": "Monthly report", "periodType": "Monthly",
                "categoryCombo": { "id": DEFAULT_COMBO },
                "expiryDays": 0, "openFuturePeriods": 1,
                "dataSetElements": data_set_elements,
                "organisationUnits": sources,
                "sharing": { "public": "rwrw----" },
            }],
        })
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;
    use crate::VecSink;

    fn keys(spread: &Spread, order: SpreadOrder) -> Vec<(String, String, String, String)> {
        let mut sink = VecSink::default();
        spread.write_values(order, &mut sink).unwrap();
        sink.values
            .iter()
            .map(|v| {
                (
                    v.period().unwrap().to_owned(),
                    v.org_unit().unwrap().to_owned(),
                    v.data_element().unwrap().to_owned(),
                    v.value().unwrap().to_owned(),
                )
            })
            .collect()
    }

    #[test]
    fn both_orders_hold_the_same_distinct_values() {
        let spread = Spread::new(SpreadConfig {
            org_units: 7,
            months: 5,
            data_elements: 3,
            seed: 3,
        });
        assert_eq!(spread.values(), 105);
        let ordered = keys(&spread, SpreadOrder::PeriodThenOrgUnit);
        let shuffled = keys(&spread, SpreadOrder::Shuffled);
        assert_eq!(ordered.len(), 105);
        assert_ne!(ordered, shuffled);
        let a: HashSet<_> = ordered.iter().cloned().collect();
        let b: HashSet<_> = shuffled.iter().cloned().collect();
        assert_eq!(a.len(), 105, "keys are distinct");
        assert_eq!(a, b, "the same values, keys and values alike");
        // Period, then org unit: sorted by period, each facility's values together.
        assert!(ordered.windows(2).all(|w| w[0].0 <= w[1].0));
        assert_eq!(ordered.first().unwrap().0, "202408");
        assert_eq!(ordered.last().unwrap().0, "202412");
        assert!(ordered[..3].iter().all(|k| k.1 == ordered[0].1));
    }

    #[test]
    fn the_same_seed_gives_the_same_bytes() {
        let config = SpreadConfig {
            org_units: 5,
            months: 14,
            data_elements: 2,
            seed: 9,
        };
        let xml = |config, order| {
            let mut out = Vec::new();
            Spread::new(config).write_xml(order, &mut out).unwrap();
            out
        };
        assert_eq!(
            xml(config, SpreadOrder::Shuffled),
            xml(config, SpreadOrder::Shuffled)
        );
        let other = SpreadConfig { seed: 10, ..config };
        assert_ne!(
            xml(config, SpreadOrder::Shuffled),
            xml(other, SpreadOrder::Shuffled)
        );
        // Months go back across a year's end.
        let text = String::from_utf8(xml(config, SpreadOrder::PeriodThenOrgUnit)).unwrap();
        assert!(text.contains("period=\"202311\"") && !text.contains("period=\"202310\""));
    }

    #[test]
    fn sizes() {
        let default = Spread::new(SpreadConfig::default());
        assert_eq!(default.values(), 1_036_800);
        assert_eq!(Spread::new(SpreadConfig::small()).values(), 34_560);
        let c = SpreadConfig::with_values(1_000_000);
        assert_eq!((c.months, c.data_elements), (36, 24));
        assert!(Spread::new(c).values() >= 1_000_000);
        let c = SpreadConfig::with_values(10_000);
        assert!(Spread::new(c).values() >= 10_000 && c.months < 36);
        assert_eq!(Spread::new(SpreadConfig::with_values(0)).values(), 24);
    }

    #[test]
    fn the_metadata_is_readable_and_fits_the_values() {
        let spread = Spread::new(SpreadConfig {
            org_units: 130,
            months: 2,
            data_elements: 4,
            seed: 1,
        });
        let mut json = Vec::new();
        spread.write_metadata_json(&mut json).unwrap();
        let md = dxf2_json::metadata::read_metadata(json.as_slice()).unwrap();
        assert_eq!(md.org_units().len(), 130 + 3 + 1);
        let ds = &md.data_sets()[0];
        assert_eq!(ds.org_units.len(), 130);
        assert_eq!(ds.elements.len(), 4);
        for (pe, ou, de, _) in keys(&spread, SpreadOrder::Shuffled) {
            let ou = Uid::parse(&ou).unwrap();
            assert!(ds.org_units.contains(&ou));
            assert!(md.data_element(&Uid::parse(&de).unwrap()).is_some());
            assert!(md.org_unit_level(&ou) == Some(3));
            assert!(pe == "202411" || pe == "202412");
        }
    }
}
