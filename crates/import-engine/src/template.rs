//! Data value set templates, as DHIS2 makes them (`GET /api/dataSets/{uid}/dataValueSet`,
//! `DataSetController.getDvs` → `getDataValueSetTemplate`, the same in 2.36–2.42 and 2.43+): one
//! value with an empty `value` for every data element of a data set × each of its category
//! option combos, optionally for a period and org units, ready to be filled in and imported.
//!
//! What DHIS2 writes, and so [`Template`] yields:
//!
//! * a comment `Data set: <name> (<uid>)` on the document, and, unless comments are off, a
//!   comment `Data element: <name>[ <option combo name>]` on every value (the option combo's name
//!   is left out for the default combo); XML shows them, JSON has none;
//! * per value, in this order: `dataElement` (the UID, or the code with
//!   [`TemplateScheme::Code`]; an element without a code then has no `dataElement`),
//!   `categoryOptionCombo` (always the UID), `period` (the ISO period, or empty), `orgUnit` (only
//!   when org units were asked for: the UID, or the code with [`TemplateScheme::Code`], empty
//!   when the unit has no code) and `value` (empty);
//! * with org units, the data elements are repeated per org unit, in the order asked; an org
//!   unit is looked up by UID, then code, then name (`IdentifiableObjectManager.search`), and one
//!   that matches nothing is skipped without a word (here: listed in [`Template::skipped`]);
//! * the option combos of an element are `DataElement.getSortedCategoryOptionCombos`: its own
//!   category combo's and every data set's override combo's, in the order of the cartesian
//!   product of the categories' options ([`Metadata::data_element_option_combos`]).
//!
//! Where this differs from DHIS2: the data elements come in the data set's order (DHIS2 takes
//! them from a hash set, in no defined order); a period is written whenever it is a valid ISO
//! period (DHIS2 writes `period=""` for a period its database does not hold yet).
//!
//! [`Template::write_to`] writes the template into any [`DataValueSink`] (a codec writer writes
//! it as an export document; the `dxf2 template` command writes DHIS2's exact template document
//! from [`Template::rows`]).
//!
//! ```
//! use dxf2_model::metadata::{DataElement, DataSet, DataSetElement, Identity, OrganisationUnit};
//! use dxf2_model::{Metadata, PeriodType, Uid, ValueType};
//! use import_engine::template::{Template, TemplateParams};
//!
//! let uid = |s: &str| Uid::parse(s).unwrap();
//! let mut ds = DataSet::new(Identity::new(uid("pBOMPrpg1QX")), PeriodType::Monthly);
//! ds.id.name = Some("Malaria".into());
//! ds.elements.push(DataSetElement { data_element: uid("fbfJHSPpUQD"), category_combo: None });
//! let mut de = Identity::new(uid("fbfJHSPpUQD"));
//! de.name = Some("Cases".into());
//! let md = Metadata::builder()
//!     .with(DataElement::new(de, ValueType::Integer))
//!     .with(OrganisationUnit::new(Identity::new(uid("DiszpKrYNg8")), None))
//!     .with(ds)
//!     .build()
//!     .unwrap();
//!
//! let params = TemplateParams {
//!     period: Some("202401".parse().unwrap()),
//!     org_units: vec!["DiszpKrYNg8".into()],
//!     ..TemplateParams::new(uid("pBOMPrpg1QX"))
//! };
//! let template = Template::new(&md, &params).unwrap();
//! assert_eq!(template.comment(), "Data set: Malaria (pBOMPrpg1QX)");
//! let row = &template.rows()[0];
//! assert_eq!(row.comment, "Data element: Cases");
//! assert_eq!(row.data_element.as_deref(), Some("fbfJHSPpUQD"));
//! assert_eq!(row.category_option_combo, uid("HllvX50cXC0"));
//! assert_eq!((row.period.as_str(), row.org_unit.as_deref()), ("202401", Some("DiszpKrYNg8")));
//! ```

use dxf2_model::metadata::{CategoryOptionCombo, DataElement, Identity, OrganisationUnit};
use dxf2_model::{DataValue, DataValueSetHeader, DataValueSink, Field, Metadata, Period, Uid};

/// How a template names data elements or org units (DHIS2's `dataElementIdScheme` and
/// `orgUnitIdScheme` of the template: only `CODE` changes anything; every other scheme, and the
/// default `ID`, writes UIDs).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum TemplateScheme {
    /// By UID (DHIS2's default).
    #[default]
    Uid,
    /// By code.
    Code,
}

/// What template to make: DHIS2's request parameters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TemplateParams {
    /// The data set.
    pub data_set: Uid,
    /// `period`: the period written on every value (none: empty).
    pub period: Option<Period>,
    /// `orgUnit`: org units, each a UID, code or name (none: no `orgUnit` on the values).
    pub org_units: Vec<String>,
    /// `comment` (default true): write the `Data element: …` comments.
    pub comments: bool,
    /// `orgUnitIdScheme`.
    pub org_unit_scheme: TemplateScheme,
    /// `dataElementIdScheme`.
    pub data_element_scheme: TemplateScheme,
}

impl TemplateParams {
    /// DHIS2's defaults for `data_set`: no period, no org units, comments, UIDs.
    pub fn new(data_set: Uid) -> TemplateParams {
        TemplateParams {
            data_set,
            period: None,
            org_units: Vec::new(),
            comments: true,
            org_unit_scheme: TemplateScheme::Uid,
            data_element_scheme: TemplateScheme::Uid,
        }
    }
}

/// A template that cannot be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TemplateError {
    /// The data set is not in the metadata (DHIS2 answers 404).
    #[error("DataSet with id {0} could not be found.")]
    DataSetNotFound(Uid),
    /// The data set names a data element the metadata lacks.
    #[error(
        "data set `{data_set}` names data element `{data_element}`, which is not in the metadata"
    )]
    DataElementMissing {
        /// The data set.
        data_set: Uid,
        /// The missing data element.
        data_element: Uid,
    },
}

/// One value of a template.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TemplateRow {
    /// `Data element: <label>` (empty when comments are off).
    pub comment: String,
    /// `dataElement`: UID or code; `None` for a code the element lacks (DHIS2 then writes no
    /// `dataElement`).
    pub data_element: Option<String>,
    /// `categoryOptionCombo`.
    pub category_option_combo: Uid,
    /// `period`: the ISO period or empty.
    pub period: String,
    /// `orgUnit`, when org units were asked for.
    pub org_unit: Option<String>,
}

impl TemplateRow {
    /// This row as a data value record (an empty `value`; `orgUnit` only when set).
    pub fn to_data_value(&self, record: &mut DataValue) {
        record.clear();
        if let Some(de) = &self.data_element {
            record.set(Field::DataElement, de);
        }
        record.set(
            Field::CategoryOptionCombo,
            self.category_option_combo.as_str(),
        );
        record.set(Field::Period, &self.period);
        if let Some(ou) = &self.org_unit {
            record.set(Field::OrgUnit, ou);
        }
        record.set(Field::Value, "");
    }
}

/// A data value set template (see the module docs).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Template {
    comment: String,
    rows: Vec<TemplateRow>,
    skipped: Vec<String>,
}

impl Template {
    /// The template of `params.data_set` against `metadata`.
    pub fn new(metadata: &Metadata, params: &TemplateParams) -> Result<Template, TemplateError> {
        let ds = metadata
            .data_set(&params.data_set)
            .ok_or(TemplateError::DataSetNotFound(params.data_set))?;
        let mut elements = Vec::with_capacity(ds.elements.len());
        for e in &ds.elements {
            let de = metadata.data_element(&e.data_element).ok_or(
                TemplateError::DataElementMissing {
                    data_set: ds.id.uid,
                    data_element: e.data_element,
                },
            )?;
            elements.push((de, metadata.data_element_option_combos(de)));
        }
        let period = params.period.map(|p| p.to_string()).unwrap_or_default();
        let mut rows = Vec::new();
        let mut skipped = Vec::new();
        let add = |ou: Option<String>, rows: &mut Vec<TemplateRow>| {
            for (de, combos) in &elements {
                for coc in combos {
                    rows.push(TemplateRow {
                        comment: if params.comments {
                            format!("Data element: {}", label(metadata, de, coc))
                        } else {
                            String::new()
                        },
                        data_element: match params.data_element_scheme {
                            TemplateScheme::Uid => Some(de.id.uid.to_string()),
                            TemplateScheme::Code => de.id.code.clone(),
                        },
                        category_option_combo: coc.id.uid,
                        period: period.clone(),
                        org_unit: ou.clone(),
                    });
                }
            }
        };
        if params.org_units.is_empty() {
            add(None, &mut rows);
        }
        for asked in &params.org_units {
            match search_org_unit(metadata, asked) {
                Some(ou) => {
                    let id = match params.org_unit_scheme {
                        TemplateScheme::Uid => ou.id.uid.to_string(),
                        TemplateScheme::Code => ou.id.code.clone().unwrap_or_default(),
                    };
                    add(Some(id), &mut rows);
                }
                None => skipped.push(asked.clone()),
            }
        }
        Ok(Template {
            comment: format!("Data set: {} ({})", display_name(&ds.id), ds.id.uid),
            rows,
            skipped,
        })
    }

    /// The document's comment: `Data set: <name> (<uid>)`.
    pub fn comment(&self) -> &str {
        &self.comment
    }

    /// The values, in order.
    pub fn rows(&self) -> &[TemplateRow] {
        &self.rows
    }

    /// The org units asked for that matched nothing (DHIS2 skips them silently).
    pub fn skipped(&self) -> &[String] {
        &self.skipped
    }

    /// Writes the template into `sink`: an empty header, then every row as a value (see
    /// [`TemplateRow::to_data_value`]).
    pub fn write_to<K: DataValueSink>(&self, sink: &mut K) -> Result<u64, K::Error> {
        sink.begin(&DataValueSetHeader::default())?;
        let mut record = DataValue::new();
        for row in &self.rows {
            row.to_data_value(&mut record);
            sink.write_value(&record)?;
        }
        sink.finish()?;
        Ok(u64::try_from(self.rows.len()).unwrap_or(u64::MAX))
    }
}

/// DHIS2's `getDisplayName`: the name, else the code, else the UID.
fn display_name(id: &Identity) -> String {
    id.name
        .clone()
        .or_else(|| id.code.clone())
        .unwrap_or_else(|| id.uid.to_string())
}

/// `<element name>` for the default option combo, else `<element name> <option combo name>`.
fn label(metadata: &Metadata, de: &DataElement, coc: &CategoryOptionCombo) -> String {
    let name = display_name(&de.id);
    let is_default = metadata
        .default_category_option_combo()
        .is_some_and(|d| d.id.uid == coc.id.uid);
    if is_default {
        name
    } else {
        format!("{name} {}", display_name(&coc.id))
    }
}

/// DHIS2's `IdentifiableObjectManager.search`: by UID, then code, then name.
fn search_org_unit<'m>(metadata: &'m Metadata, text: &str) -> Option<&'m OrganisationUnit> {
    if let Ok(uid) = Uid::parse(text) {
        if let Some(ou) = metadata.org_unit(&uid) {
            return Some(ou);
        }
    }
    let units = metadata.org_units();
    units
        .iter()
        .find(|ou| ou.id.code.as_deref() == Some(text))
        .or_else(|| units.iter().find(|ou| ou.id.name.as_deref() == Some(text)))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]

    use super::*;
    use dxf2_model::metadata::{Category, CategoryCombo, CategoryOption, DataSet, DataSetElement};
    use dxf2_model::{PeriodType, ValueType};

    fn uid(s: &str) -> Uid {
        Uid::parse(s).unwrap()
    }

    fn named(u: &str, name: &str, code: Option<&str>) -> Identity {
        let mut id = Identity::new(uid(u));
        id.name = Some(name.into());
        id.code = code.map(Into::into);
        id
    }

    /// A data set of two elements, one disaggregated by sex (options Female, Male) whose option
    /// combos are stored in the other order.
    fn metadata() -> Metadata {
        let mut b = Metadata::builder();
        for (u, n) in [("sexFemale01", "Female"), ("sexMale0001", "Male")] {
            b.push(CategoryOption {
                id: named(u, n, None),
                start_date: None,
                end_date: None,
                org_units: Vec::new(),
                sharing: Default::default(),
            });
        }
        b.push(Category {
            id: named("sexCateg001", "Sex", None),
            data_dimension_type: "DISAGGREGATION".into(),
            options: vec![uid("sexFemale01"), uid("sexMale0001")],
        });
        b.push(CategoryCombo {
            id: named("sexCombo001", "Sex", None),
            data_dimension_type: "DISAGGREGATION".into(),
            categories: vec![uid("sexCateg001")],
        });
        for (u, n, o) in [
            ("cocMale0001", "Male", "sexMale0001"),
            ("cocFemale01", "Female", "sexFemale01"),
        ] {
            b.push(CategoryOptionCombo {
                id: named(u, n, None),
                category_combo: uid("sexCombo001"),
                options: vec![uid(o)],
                ignore_approval: false,
            });
        }
        let mut cases = DataElement::new(
            named("deCases0001", "Cases", Some("CASES")),
            ValueType::Integer,
        );
        cases.category_combo = uid("sexCombo001");
        b.push(cases);
        b.push(DataElement::new(
            named("deStock0001", "Stock-out", None),
            ValueType::Boolean,
        ));
        b.push(OrganisationUnit::new(
            named("ouClinic001", "Clinic", Some("CL1")),
            None,
        ));
        b.push(OrganisationUnit::new(
            named("ouPost00001", "Post", None),
            None,
        ));
        let mut ds = DataSet::new(
            named("dsMonthly01", "Monthly report", None),
            PeriodType::Monthly,
        );
        for de in ["deCases0001", "deStock0001"] {
            ds.elements.push(DataSetElement {
                data_element: uid(de),
                category_combo: None,
            });
        }
        b.push(ds);
        b.build().unwrap()
    }

    #[test]
    fn every_element_and_option_combo_in_product_order() {
        let md = metadata();
        let t = Template::new(&md, &TemplateParams::new(uid("dsMonthly01"))).unwrap();
        assert_eq!(t.comment(), "Data set: Monthly report (dsMonthly01)");
        let rows: Vec<(&str, &str, &str)> = t
            .rows()
            .iter()
            .map(|r| {
                (
                    r.comment.as_str(),
                    r.data_element.as_deref().unwrap(),
                    r.category_option_combo.as_str(),
                )
            })
            .collect();
        assert_eq!(
            rows,
            [
                ("Data element: Cases Female", "deCases0001", "cocFemale01"),
                ("Data element: Cases Male", "deCases0001", "cocMale0001"),
                ("Data element: Stock-out", "deStock0001", "HllvX50cXC0"),
            ]
        );
        assert!(t
            .rows()
            .iter()
            .all(|r| r.period.is_empty() && r.org_unit.is_none()));
    }

    #[test]
    fn org_units_by_uid_code_or_name_and_codes_as_asked() {
        let md = metadata();
        let params = TemplateParams {
            period: Some("202402".parse().unwrap()),
            org_units: vec!["CL1".into(), "nowhere".into(), "Post".into()],
            comments: false,
            org_unit_scheme: TemplateScheme::Code,
            data_element_scheme: TemplateScheme::Code,
            ..TemplateParams::new(uid("dsMonthly01"))
        };
        let t = Template::new(&md, &params).unwrap();
        assert_eq!(t.skipped(), ["nowhere"]);
        assert_eq!(t.rows().len(), 6);
        let first = &t.rows()[0];
        assert_eq!(first.comment, "");
        assert_eq!(first.data_element.as_deref(), Some("CASES"));
        assert_eq!(first.org_unit.as_deref(), Some("CL1"));
        assert_eq!(first.period, "202402");
        // No code: DHIS2 writes no dataElement, and an empty orgUnit.
        let last = &t.rows()[5];
        assert_eq!(last.data_element, None);
        assert_eq!(last.org_unit.as_deref(), Some(""));
    }

    #[test]
    fn an_unknown_data_set_is_dhis2s_404() {
        let e = Template::new(&metadata(), &TemplateParams::new(uid("nowhere0001"))).unwrap_err();
        assert_eq!(
            e.to_string(),
            "DataSet with id nowhere0001 could not be found."
        );
    }
}
