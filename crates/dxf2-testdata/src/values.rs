//! Streaming the workload's data values into a sink.

use std::convert::Infallible;
use std::fmt::Write as _;

use dxf2_model::{DataValue, DataValueSetHeader, DataValueSink, Field, PeriodType};

use crate::catalog::{self, Kind};
use crate::workload::{month_at, DataElement, OrgUnit, Workload};
use crate::SplitMix64;

/// Mixed into the seed for the values' random stream, so that it is independent of the
/// metadata's draws and the same on every call of [`Workload::write_values`].
const VALUES_STREAM: u64 = 0xD1B5_4A32_D192_ED03;

/// Per mille of values with a comment.
const COMMENT_PER_MILLE: u64 = 50;

impl Workload {
    /// Writes the workload's data values to `sink`: `begin` with an empty header, exactly
    /// [`Workload::values`] values, then `finish`.
    ///
    /// Values are generated one at a time into one reused [`DataValue`]; nothing is collected.
    /// Order: month by month from December 2024 backwards; in each month the monthly data sets
    /// (and, at a quarter's last month, the quarterly one for that quarter), each source in
    /// turn, each element it reports, each category option combo. Every value carries
    /// `dataElement`, `period`, `orgUnit`, `categoryOptionCombo`, `attributeOptionCombo` (the
    /// default), `value`, `storedBy`, `followup` false and, on ~5% of the values, `comment`.
    /// No key (data element, period, org unit, category option combo, attribute option combo)
    /// repeats. Calling it twice writes the same values.
    pub fn write_values<S: DataValueSink + ?Sized>(&self, sink: &mut S) -> Result<(), S::Error> {
        sink.begin(&DataValueSetHeader::default())?;
        let mut rng = SplitMix64::new(self.config.seed ^ VALUES_STREAM);
        let mut record = DataValue::new();
        let mut period = String::with_capacity(8);
        let mut left = self.values;
        'months: for month_index in 0..self.months {
            let (year, month) = month_at(month_index);
            for ds in &self.data_sets {
                period.clear();
                let _ = match ds.period_type {
                    PeriodType::Quarterly if month.is_multiple_of(3) => {
                        write!(period, "{year:04}Q{}", month / 3)
                    }
                    PeriodType::Quarterly => continue,
                    _ => write!(period, "{year:04}{month:02}"),
                };
                for source in &ds.sources {
                    let Some(ou) = self.org_units.get(source.org_unit) else {
                        continue;
                    };
                    for de in source
                        .elements
                        .iter()
                        .filter_map(|&i| self.data_elements.get(i))
                    {
                        let combo = de.combo.and_then(|c| self.combos.get(c));
                        let cocs = combo.map_or(1, |c| c.option_combos.len());
                        for k in 0..cocs {
                            if left == 0 {
                                break 'months;
                            }
                            let coc = match combo.and_then(|c| c.option_combos.get(k)) {
                                Some(coc) => coc.uid,
                                None => self.default_option_combo,
                            };
                            record.clear();
                            record.set(Field::DataElement, de.uid.as_str());
                            record.set(Field::Period, &period);
                            record.set(Field::OrgUnit, ou.uid.as_str());
                            record.set(Field::CategoryOptionCombo, coc.as_str());
                            record.set(
                                Field::AttributeOptionCombo,
                                self.default_option_combo.as_str(),
                            );
                            fill_value(&mut rng, &mut record, de, ou, cocs as u64);
                            record.set(Field::StoredBy, &ou.stored_by);
                            if rng.chance(COMMENT_PER_MILLE) {
                                record.set(
                                    Field::Comment,
                                    rng.pick(catalog::COMMENTS).copied().unwrap_or(""),
                                );
                            }
                            record.set_followup(Some(false));
                            sink.write_value(&record)?;
                            left -= 1;
                        }
                    }
                }
            }
        }
        sink.finish()
    }

    /// Every value of [`Workload::write_values`], in memory (for benchmarks of writers; mind
    /// the size: a few hundred bytes per value).
    pub fn collect_values(&self) -> Vec<DataValue> {
        let mut sink = VecSink::default();
        match self.write_values(&mut sink) {
            Ok(()) => sink.values,
            Err(never) => match never {},
        }
    }
}

/// Sets `value` to a realistic text for the element's value type.
fn fill_value(
    rng: &mut SplitMix64,
    record: &mut DataValue,
    de: &DataElement,
    ou: &OrgUnit,
    cocs: u64,
) {
    let _ = record.set_with(Field::Value, |buf| match de.kind {
        Kind::Count(mean) => {
            // Mean in hundredths for this unit and combo, then ±50%.
            let hundredths = mean * ou.size_pct / cocs.max(1);
            let mut v = hundredths * rng.range(50, 150) / 10_000;
            if v == 0 && !de.zero_is_significant {
                v = 1; // A non-significant zero would not be stored by DHIS2.
            }
            write!(buf, "{v}")
        }
        Kind::Signed(mean) => {
            let base = mean * ou.size_pct / 100;
            if rng.chance(30) {
                // A negative balance: a data entry error, but a valid INTEGER.
                write!(buf, "-{}", rng.range(1, 40))
            } else {
                write!(buf, "{}", base * rng.range(0, 200) / 100)
            }
        }
        Kind::Number(min, max) => {
            let span = u64::try_from(max.saturating_sub(min)).unwrap_or(0);
            let tenths = min.saturating_add(i64::try_from(rng.below(span + 1)).unwrap_or(0));
            let sign = if tenths < 0 { "-" } else { "" };
            let abs = tenths.unsigned_abs();
            if abs.is_multiple_of(10) {
                write!(buf, "{sign}{}", abs / 10)
            } else {
                write!(buf, "{sign}{}.{}", abs / 10, abs % 10)
            }
        }
        Kind::Text(choices) => {
            buf.push_str(rng.pick(choices).copied().unwrap_or("None"));
            Ok(())
        }
        Kind::Boolean(per_mille) => {
            buf.push_str(if rng.chance(per_mille) {
                "true"
            } else {
                "false"
            });
            Ok(())
        }
    });
}

/// A [`DataValueSink`] that keeps every value in a `Vec` (handy in tests and benchmarks).
///
/// ```
/// use dxf2_testdata::{VecSink, Workload, WorkloadConfig};
/// let workload = Workload::new(WorkloadConfig { values: 10, ..WorkloadConfig::default() });
/// let mut sink = VecSink::default();
/// workload.write_values(&mut sink).unwrap();
/// assert_eq!(sink.values.len(), 10);
/// assert!(sink.finished);
/// ```
#[derive(Clone, Debug, Default)]
pub struct VecSink {
    /// The header given to `begin`.
    pub header: DataValueSetHeader,
    /// The values written, in order.
    pub values: Vec<DataValue>,
    /// Whether `finish` was called.
    pub finished: bool,
}

impl DataValueSink for VecSink {
    type Error = Infallible;

    fn begin(&mut self, header: &DataValueSetHeader) -> Result<(), Infallible> {
        self.header = header.clone();
        Ok(())
    }

    fn write_value(&mut self, value: &DataValue) -> Result<(), Infallible> {
        self.values.push(value.clone());
        Ok(())
    }

    fn finish(&mut self) -> Result<(), Infallible> {
        self.finished = true;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;
    use crate::WorkloadConfig;

    fn workload(values: u64, seed: u64) -> Workload {
        Workload::new(WorkloadConfig {
            values,
            seed,
            ..WorkloadConfig::default()
        })
    }

    /// Renders values as text lines, to compare outputs byte for byte.
    fn render(values: &[DataValue]) -> String {
        values.iter().map(|v| format!("{v:?}\n")).collect()
    }

    #[test]
    fn exact_counts() {
        for n in [0, 1, 999, 28_000, 100_000] {
            let w = workload(n, 5);
            assert_eq!(w.values(), n);
            let mut sink = VecSink::default();
            w.write_values(&mut sink).unwrap();
            assert_eq!(sink.values.len() as u64, n);
            assert!(sink.header.is_empty());
            assert!(sink.finished);
        }
    }

    #[test]
    fn same_seed_same_values_other_seed_other_values() {
        let a = render(&workload(20_000, 11).collect_values());
        let b = render(&workload(20_000, 11).collect_values());
        assert_eq!(a, b);
        let w = workload(20_000, 11);
        assert_eq!(render(&w.collect_values()), render(&w.collect_values()));
        let c = render(&workload(20_000, 12).collect_values());
        assert_ne!(a, c);
    }

    #[test]
    fn values_do_not_depend_on_the_requested_count() {
        // The values do not depend on `values` except through how many are written.
        let small = workload(5_000, 3).collect_values();
        let large = workload(50_000, 3).collect_values();
        assert_eq!(render(&small), render(&large[..5_000]));
    }

    #[test]
    fn keys_are_distinct_and_complete() {
        let values = workload(200_000, 9).collect_values();
        let mut keys = HashSet::new();
        for v in &values {
            for field in [
                Field::DataElement,
                Field::Period,
                Field::OrgUnit,
                Field::CategoryOptionCombo,
                Field::AttributeOptionCombo,
                Field::Value,
                Field::StoredBy,
            ] {
                assert!(
                    v.get(field).is_some_and(|t| !t.is_empty()),
                    "{field:?} missing in {v:?}"
                );
            }
            assert_eq!(v.followup(), Some(false));
            assert_eq!(v.deleted(), None);
            assert_eq!(v.created(), None);
            let key = (
                v.data_element().unwrap().to_owned(),
                v.period().unwrap().to_owned(),
                v.org_unit().unwrap().to_owned(),
                v.category_option_combo().unwrap().to_owned(),
                v.attribute_option_combo().unwrap().to_owned(),
            );
            assert!(keys.insert(key), "duplicate key {v:?}");
        }
        assert_eq!(keys.len(), 200_000);
    }

    #[test]
    fn values_match_their_value_types_and_periods_are_past() {
        let w = workload(100_000, 4);
        let types: std::collections::HashMap<&str, dxf2_model::ValueType> = w
            .data_elements
            .iter()
            .map(|de| (de.uid.as_str(), de.value_type))
            .collect();
        let mut comments = 0;
        let mut quarterly = 0;
        let mut seen_types = HashSet::new();
        for v in w.collect_values() {
            let vt = types[v.data_element().unwrap()];
            seen_types.insert(vt);
            assert_eq!(vt.validate(v.value(), false), Ok(()), "{v:?}");
            let period: dxf2_model::Period = v.period().unwrap().parse().unwrap();
            assert!(
                period.end_date().to_string().as_str() <= "2024-12-31",
                "{v:?}"
            );
            if period.period_type() == PeriodType::Quarterly {
                quarterly += 1;
            }
            comments += usize::from(v.comment().is_some());
        }
        assert!((3_500..6_500).contains(&comments), "{comments} comments");
        assert!(quarterly > 0);
        assert_eq!(seen_types.len(), 5, "{seen_types:?}");
    }
}
