//! The workload's metadata as a DXF2 metadata JSON document.

use std::io;

use serde_json::{json, Value};

use crate::workload::{Date, Workload};

fn date((year, month, day): Date) -> String {
    format!("{year:04}-{month:02}-{day:02}")
}

fn reference(uid: impl AsRef<str>) -> Value {
    json!({ "id": uid.as_ref() })
}

impl Workload {
    /// Writes the workload's metadata as a DXF2 metadata JSON document (the `/api/metadata`
    /// shape: one top-level array per object type, objects referring to others by `{"id": …}`),
    /// pretty-printed.
    ///
    /// Top-level arrays: `userRoles` (a `Superuser` role with authority `ALL`, a `Data entry`
    /// role), `users` (`admin` on the root, one HMIS officer per district), `organisationUnits`
    /// (parents before children, with `openingDate` before the first period of the values),
    /// `organisationUnitLevels`, `categoryOptions`, `categories`, `categoryCombos`,
    /// `categoryOptionCombos` (the full cartesian set of each combo, §7.2; DHIS2's `default`
    /// objects are not written, references to them use their standard UIDs), `dataElements`
    /// and `dataSets` (`expiryDays` 0, `openFuturePeriods` 1, data-write public sharing).
    pub fn write_metadata_json<W: io::Write>(&self, w: W) -> io::Result<()> {
        serde_json::to_writer_pretty(w, &self.metadata_document()).map_err(io::Error::from)
    }

    /// The metadata document as a JSON value.
    fn metadata_document(&self) -> Value {
        let root = self
            .org_units
            .first()
            .map(|ou| reference(ou.uid))
            .unwrap_or(Value::Null);
        let user_roles = json!([
            { "id": self.superuser_role.as_str(), "name": "Superuser", "authorities": ["ALL"] },
            {
                "id": self.data_entry_role.as_str(),
                "name": "Data entry",
                "authorities": ["F_DATAVALUE_ADD", "F_DATAVALUE_DELETE", "M_dhis-web-aggregate-data-entry"]
            }
        ]);
        let users: Vec<Value> = self
            .users
            .iter()
            .map(|u| {
                let role = if u.superuser {
                    self.superuser_role
                } else {
                    self.data_entry_role
                };
                let unit = self
                    .org_units
                    .get(u.org_unit)
                    .map(|ou| reference(ou.uid))
                    .unwrap_or(Value::Null);
                json!({
                    "id": u.uid.as_str(),
                    "username": u.username,
                    "firstName": u.first_name,
                    "surname": u.surname,
                    "userRoles": [reference(role)],
                    "organisationUnits": [unit],
                    "dataViewOrganisationUnits": [root.clone()],
                })
            })
            .collect();
        let org_units: Vec<Value> = self
            .org_units
            .iter()
            .map(|ou| {
                let mut object = json!({
                    "id": ou.uid.as_str(),
                    "code": ou.code,
                    "name": ou.name,
                    "shortName": ou.name,
                    "openingDate": date(ou.opening_date),
                });
                if let (Some(parent), Value::Object(map)) =
                    (ou.parent.and_then(|p| self.org_units.get(p)), &mut object)
                {
                    map.insert("parent".to_owned(), reference(parent.uid));
                }
                object
            })
            .collect();
        let levels = json!([
            { "id": self.level_uids[0].as_str(), "name": "Country", "level": 1 },
            { "id": self.level_uids[1].as_str(), "name": "District", "level": 2 },
            { "id": self.level_uids[2].as_str(), "name": "Facility", "level": 3 },
        ]);
        let category_options: Vec<Value> = self
            .options
            .iter()
            .map(|o| {
                json!({
                    "id": o.uid.as_str(), "code": o.code, "name": o.name, "shortName": o.name,
                    "sharing": { "public": "rwrw----" },
                })
            })
            .collect();
        let categories: Vec<Value> = self
            .categories
            .iter()
            .map(|c| {
                json!({
                    "id": c.uid.as_str(), "code": c.code, "name": c.name, "shortName": c.name,
                    "dataDimensionType": "DISAGGREGATION", "dataDimension": true,
                    "categoryOptions": c.options.iter().filter_map(|&o| self.options.get(o))
                        .map(|o| reference(o.uid)).collect::<Vec<_>>(),
                    "sharing": { "public": "rw------" },
                })
            })
            .collect();
        let combos: Vec<Value> = self
            .combos
            .iter()
            .map(|c| {
                json!({
                    "id": c.uid.as_str(), "code": c.code, "name": c.name,
                    "dataDimensionType": "DISAGGREGATION", "skipTotal": false,
                    "categories": c.categories.iter().filter_map(|&i| self.categories.get(i))
                        .map(|cat| reference(cat.uid)).collect::<Vec<_>>(),
                    "sharing": { "public": "rw------" },
                })
            })
            .collect();
        let option_combos: Vec<Value> = self
            .combos
            .iter()
            .flat_map(|c| c.option_combos.iter().map(move |coc| (c, coc)))
            .map(|(c, coc)| {
                json!({
                    "id": coc.uid.as_str(), "name": coc.name, "ignoreApproval": false,
                    "categoryCombo": reference(c.uid),
                    "categoryOptions": coc.options.iter().filter_map(|&o| self.options.get(o))
                        .map(|o| reference(o.uid)).collect::<Vec<_>>(),
                })
            })
            .collect();
        let data_elements: Vec<Value> = self
            .data_elements
            .iter()
            .map(|de| {
                let combo = de.combo.and_then(|c| self.combos.get(c)).map_or(self.default_combo, |c| c.uid);
                json!({
                    "id": de.uid.as_str(), "code": de.code, "name": de.name, "shortName": de.short_name,
                    "valueType": de.value_type.name(), "aggregationType": de.aggregation_type,
                    "domainType": "AGGREGATE", "zeroIsSignificant": de.zero_is_significant,
                    "categoryCombo": reference(combo),
                    "sharing": { "public": "rw------" },
                })
            })
            .collect();
        let data_sets: Vec<Value> = self
            .data_sets
            .iter()
            .map(|ds| {
                let elements: Vec<Value> = ds
                    .elements
                    .iter()
                    .filter_map(|&i| self.data_elements.get(i))
                    .map(|de| json!({ "dataElement": reference(de.uid), "dataSet": reference(ds.uid) }))
                    .collect();
                let sources: Vec<Value> = ds
                    .sources
                    .iter()
                    .filter_map(|s| self.org_units.get(s.org_unit))
                    .map(|ou| reference(ou.uid))
                    .collect();
                json!({
                    "id": ds.uid.as_str(), "code": ds.code, "name": ds.name, "shortName": ds.short_name,
                    "periodType": ds.period_type.name(),
                    "categoryCombo": reference(self.default_combo),
                    "expiryDays": 0, "openFuturePeriods": 1, "timelyDays": 15,
                    "dataSetElements": elements,
                    "organisationUnits": sources,
                    "sharing": { "public": "rwrw----" },
                })
            })
            .collect();
        json!({
            "userRoles": user_roles,
            "users": users,
            "organisationUnits": org_units,
            "organisationUnitLevels": levels,
            "categoryOptions": category_options,
            "categories": categories,
            "categoryCombos": combos,
            "categoryOptionCombos": option_combos,
            "dataElements": data_elements,
            "dataSets": data_sets,
        })
    }
}

#[cfg(test)]
mod tests {
    use dxf2_json::metadata::read_metadata;
    use dxf2_model::{Metadata, Period, PeriodType, Uid, ValueType};

    use crate::{Workload, WorkloadConfig};

    fn json_of(workload: &Workload) -> Vec<u8> {
        let mut out = Vec::new();
        workload.write_metadata_json(&mut out).unwrap();
        out
    }

    fn uid(s: Option<&str>) -> Uid {
        Uid::parse(s.unwrap()).unwrap()
    }

    #[test]
    fn same_seed_same_bytes() {
        let config = WorkloadConfig {
            values: 1_000,
            seed: 99,
            ..WorkloadConfig::default()
        };
        assert_eq!(
            json_of(&Workload::new(config)),
            json_of(&Workload::new(config))
        );
        let other = WorkloadConfig {
            seed: 100,
            ..config
        };
        assert_ne!(
            json_of(&Workload::new(config)),
            json_of(&Workload::new(other))
        );
    }

    #[test]
    fn readable_by_the_metadata_reader() {
        let w = Workload::new(WorkloadConfig::default());
        let metadata = read_metadata(json_of(&w).as_slice()).unwrap();
        assert_eq!(metadata.org_units().len(), 200);
        assert_eq!(metadata.data_elements().len(), 100);
        assert_eq!(metadata.data_sets().len(), 3);
        // 7 options, 3 categories, 2 combos, 10 option combos, plus DHIS2's defaults.
        assert_eq!(metadata.category_options().len(), 8);
        assert_eq!(metadata.categories().len(), 4);
        assert_eq!(metadata.category_combos().len(), 3);
        assert_eq!(metadata.category_option_combos().len(), 11);
        let admin = metadata.user_by_username("admin").unwrap();
        assert!(admin.is_superuser());
        assert_eq!(admin.org_units, vec![w.root_org_unit().unwrap()]);
        assert_eq!(metadata.users().len(), 13);

        let root = &metadata.org_units()[0];
        assert_eq!(root.parent, None);
        assert!(metadata
            .org_units()
            .iter()
            .skip(1)
            .all(|ou| ou.parent.is_some()));
        assert_eq!(
            metadata
                .org_units()
                .iter()
                .filter(|ou| metadata.org_unit_level(&ou.id.uid) == Some(3))
                .count(),
            187
        );

        let types: Vec<ValueType> = metadata
            .data_elements()
            .iter()
            .map(|de| de.value_type)
            .collect();
        assert!(types.iter().filter(|t| t.is_numeric()).count() >= 80);
        assert!(types.contains(&ValueType::Text) && types.contains(&ValueType::Boolean));
        let disaggregated = metadata
            .data_elements()
            .iter()
            .filter(|de| de.category_combo.as_str() != "bjDvmb4bfuf")
            .count();
        assert!((20..50).contains(&disaggregated), "{disaggregated}");
        for combo in metadata
            .category_combos()
            .iter()
            .filter(|c| c.id.uid.as_str() != "bjDvmb4bfuf")
        {
            let cocs = metadata
                .category_option_combos()
                .iter()
                .filter(|coc| coc.category_combo == combo.id.uid);
            assert!([4, 6].contains(&cocs.count()));
        }
        let period_types: Vec<PeriodType> = metadata
            .data_sets()
            .iter()
            .map(|ds| ds.period_type)
            .collect();
        assert_eq!(
            period_types,
            [
                PeriodType::Monthly,
                PeriodType::Monthly,
                PeriodType::Quarterly
            ]
        );
        for ds in metadata.data_sets() {
            assert_eq!(ds.expiry_days, 0);
            assert_eq!(ds.open_future_periods, 1);
            assert!(!ds.elements.is_empty() && !ds.org_units.is_empty());
        }
    }

    /// Every value fits the metadata: its element is in a data set that has its org unit as a
    /// source and its period type, its option combo belongs to the element's combo, and the unit
    /// was open at the period's start.
    #[test]
    fn values_fit_the_metadata() {
        let w = Workload::new(WorkloadConfig {
            values: 60_000,
            seed: 21,
            ..WorkloadConfig::default()
        });
        let metadata: Metadata = read_metadata(json_of(&w).as_slice()).unwrap();
        for v in w.collect_values() {
            let de = metadata.data_element(&uid(v.data_element())).unwrap();
            let ou = metadata.org_unit(&uid(v.org_unit())).unwrap();
            let period: Period = v.period().unwrap().parse().unwrap();
            let coc = metadata
                .category_option_combo(&uid(v.category_option_combo()))
                .unwrap();
            assert_eq!(coc.category_combo, de.category_combo, "{v:?}");
            assert!(metadata
                .category_option_combo(&uid(v.attribute_option_combo()))
                .is_some());
            assert!(metadata
                .data_sets()
                .iter()
                .any(|ds| ds.period_type == period.period_type()
                    && ds.org_units.contains(&ou.id.uid)
                    && ds.elements.iter().any(|e| e.data_element == de.id.uid)));
            assert!(ou.opening_date.unwrap() <= period.start_date(), "{v:?}");
        }
    }
}
