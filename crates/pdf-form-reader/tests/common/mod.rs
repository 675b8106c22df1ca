//! Shared by the behaviour tests: a small data set with every kind of field, and helpers.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use dxf2_model::metadata::{
    Category, CategoryCombo, CategoryOption, CategoryOptionCombo, DataElement, DataSet,
    DataSetElement, Identity, NaiveDate, OptionItem, OptionSet, OrganisationUnit, Sharing,
};
use dxf2_model::{DataValue, DataValueSource, Metadata, PeriodType, Uid, ValueType};
use pdf_form_reader::{write_form, FormOptions};

pub const DATA_SET: &str = "pBOMPrpg1QX";
pub const ORG_UNIT: &str = "DiszpKrYNg8";
/// Integer, disaggregated by sex × age (four option combos).
pub const DE_CASES: &str = "fbfJHSPpUQD";
/// TRUE_ONLY (a check box).
pub const DE_STOCKOUT: &str = "cYeuwXTCPkU";
/// BOOLEAN (a Yes/No drop-down).
pub const DE_REPORTED: &str = "Jtf34kNZhzP";
/// TEXT, named in French.
pub const DE_REMARK: &str = "hfdmMSPBgLG";
/// TEXT with an option set.
pub const DE_RESULT: &str = "x3Do5e7g4Qo";
/// NUMBER, named in Arabic.
pub const DE_ARABIC: &str = "s46m5MS0hxu";
pub const DEFAULT_COC: &str = "HllvX50cXC0";
pub const COMBO: &str = "ccSexAge001";
pub const COC_F_U5: &str = "cocFemU5001";
pub const COC_F_O5: &str = "cocFemO5001";
pub const COC_M_U5: &str = "cocMalU5001";
pub const COC_M_O5: &str = "cocMalO5001";
pub const OPTION_SET: &str = "osResult001";

pub fn uid(s: &str) -> Uid {
    Uid::parse(s).unwrap()
}

fn named(id: &str, name: &str) -> Identity {
    let mut identity = Identity::new(uid(id));
    identity.name = Some(name.to_owned());
    identity
}

fn option(id: &str, name: &str) -> CategoryOption {
    CategoryOption {
        id: named(id, name),
        start_date: None,
        end_date: None,
        org_units: Vec::new(),
        sharing: Sharing::default(),
    }
}

fn coc(id: &str, name: &str, options: [&str; 2]) -> CategoryOptionCombo {
    CategoryOptionCombo {
        id: named(id, name),
        category_combo: uid(COMBO),
        options: options.iter().map(|o| uid(o)).collect(),
        ignore_approval: false,
    }
}

fn element(id: &str, name: &str, value_type: ValueType) -> DataElement {
    DataElement::new(named(id, name), value_type)
}

/// The test data set: six data elements, nine fields.
pub fn metadata() -> Metadata {
    let mut cases = element(
        DE_CASES,
        "Malaria cases confirmed",
        ValueType::IntegerZeroOrPositive,
    );
    cases.category_combo = uid(COMBO);
    // Zeros are stored (DHIS2 drops zeros of elements where they are not significant).
    cases.zero_is_significant = true;
    let mut result = element(DE_RESULT, "Test result", ValueType::Text);
    result.option_set = Some(uid(OPTION_SET));
    let mut positive = named("optPositive", "Positif (confirmé)");
    positive.code = Some("POS".into());
    let mut negative = named("optNegative", "Négatif");
    negative.code = Some("NEG".into());
    let mut ds = DataSet::new(
        named(DATA_SET, "Rapport mensuel paludisme"),
        PeriodType::Monthly,
    );
    for de in [
        DE_CASES,
        DE_STOCKOUT,
        DE_REPORTED,
        DE_REMARK,
        DE_RESULT,
        DE_ARABIC,
    ] {
        ds.elements.push(DataSetElement {
            data_element: uid(de),
            category_combo: None,
        });
    }
    ds.org_units.push(uid(ORG_UNIT));
    Metadata::builder()
        .with(OrganisationUnit::new(named(ORG_UNIT, "Ngelehun CHC"), None))
        .with(option("optFemale01", "Female"))
        .with(option("optMale0001", "Male"))
        .with(option("optUnder501", "<5y"))
        .with(option("optOver5001", "5y+"))
        .with(Category {
            id: named("catSex00001", "Sex"),
            data_dimension_type: "DISAGGREGATION".into(),
            options: vec![uid("optFemale01"), uid("optMale0001")],
        })
        .with(Category {
            id: named("catAge00001", "Age"),
            data_dimension_type: "DISAGGREGATION".into(),
            options: vec![uid("optUnder501"), uid("optOver5001")],
        })
        .with(CategoryCombo {
            id: named(COMBO, "Sex and age"),
            data_dimension_type: "DISAGGREGATION".into(),
            categories: vec![uid("catSex00001"), uid("catAge00001")],
        })
        // Catalogue order differs from the cartesian product on purpose.
        .with(coc(COC_M_O5, "Male, 5y+", ["optMale0001", "optOver5001"]))
        .with(coc(COC_F_U5, "Female, <5y", ["optFemale01", "optUnder501"]))
        .with(coc(COC_M_U5, "Male, <5y", ["optMale0001", "optUnder501"]))
        .with(coc(COC_F_O5, "Female, 5y+", ["optFemale01", "optOver5001"]))
        .with(cases)
        .with(element(
            DE_STOCKOUT,
            "Stock-out of ACT",
            ValueType::TrueOnly,
        ))
        .with(element(DE_REPORTED, "Report reviewed", ValueType::Boolean))
        .with(element(
            DE_REMARK,
            "Remarque de l'infirmière",
            ValueType::Text,
        ))
        .with(result)
        .with(element(DE_ARABIC, "حالات الملاريا", ValueType::Number))
        .with(OptionSet {
            id: named(OPTION_SET, "Result"),
            value_type: ValueType::Text,
            options: vec![OptionItem { id: positive }, OptionItem { id: negative }],
        })
        .with(ds)
        .build()
        .unwrap()
}

/// The day the forms of the tests are made.
pub fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2024, 6, 15).unwrap()
}

pub fn options() -> FormOptions {
    FormOptions {
        today: today(),
        ..FormOptions::default()
    }
}

/// The test data set's form.
pub fn form(options: &FormOptions) -> Vec<u8> {
    let mut pdf = Vec::new();
    write_form(&metadata(), &uid(DATA_SET), options, &mut pdf).unwrap();
    pdf
}

/// Every value of a source.
pub fn values<S: DataValueSource>(source: &mut S) -> Vec<DataValue>
where
    S::Error: std::fmt::Debug,
{
    let mut out = Vec::new();
    let mut value = DataValue::new();
    while source.read_value(&mut value).unwrap() {
        out.push(value.clone());
    }
    out
}

/// `(data element, option combo, value)` of each value.
pub fn triples(values: &[DataValue]) -> Vec<(String, String, Option<String>)> {
    values
        .iter()
        .map(|v| {
            (
                v.data_element().unwrap_or_default().to_owned(),
                v.category_option_combo().unwrap_or_default().to_owned(),
                v.value().map(str::to_owned),
            )
        })
        .collect()
}

pub fn field(de: &str, coc: &str) -> String {
    format!("TXFDDV_{de}_{coc}")
}
