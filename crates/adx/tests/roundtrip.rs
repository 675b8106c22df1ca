//! Property: DXF2 → ADX → DXF2 keeps every value (data element, period, org unit, category
//! option combo, attribute option combo, value, in order) for any metadata whose objects all
//! have codes (category codes XML names, codes without surrounding white space, as DHIS2 trims
//! them), any periods ADX can carry, any texts.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use adx::{AdxSourceBuilder, AdxWriterBuilder};
use dxf2_model::metadata::{
    Category, CategoryCombo, CategoryOption, CategoryOptionCombo, DataElement, DataSet,
    DataSetElement, Identity, NaiveDate, OrganisationUnit,
};
use dxf2_model::{
    DataValue, DataValueSetHeader, DataValueSink, DataValueSource, Field, IdScheme, Metadata,
    ObjectKind, PeriodType, Uid, ValueType,
};
use idscheme_resolver::{MetadataResolver, Resolver};
use proptest::prelude::*;

fn uid(kind: char, i: usize) -> Uid {
    Uid::parse(&format!("{kind}{i:010}")).unwrap()
}

fn coded(kind: char, i: usize, code: String) -> Identity {
    Identity {
        code: Some(code),
        name: Some(format!("{kind} {i}")),
        ..Identity::new(uid(kind, i))
    }
}

/// A code: any text without surrounding white space, made unique by its index.
fn code_text() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9 &<>\"'/é€_.-]{0,8}".prop_map(|s| s.trim().to_owned())
}

/// What the metadata is built from: option counts per category, which categories the
/// disaggregation combo takes, data elements (numeric?, disaggregated?), codes.
#[derive(Debug, Clone)]
struct Shape {
    options_per_category: Vec<usize>,
    mechanisms: usize,
    elements: Vec<(bool, bool)>,
    org_units: usize,
    codes: Vec<String>,
}

fn shape() -> impl Strategy<Value = Shape> {
    (
        prop::collection::vec(1usize..4, 1..4),
        1usize..4,
        prop::collection::vec((any::<bool>(), any::<bool>()), 1..5),
        1usize..4,
        prop::collection::vec(code_text(), 64),
    )
        .prop_map(
            |(options_per_category, mechanisms, elements, org_units, codes)| Shape {
                options_per_category,
                mechanisms,
                elements,
                org_units,
                codes,
            },
        )
}

/// The catalogue of a shape; every object coded.
fn catalogue(shape: &Shape) -> Metadata {
    let mut code_index = 0;
    let mut code = |prefix: &str| {
        code_index += 1;
        format!(
            "{prefix}{code_index}{}",
            shape.codes[code_index % shape.codes.len()]
        )
    };
    let mut md = Metadata::new();
    // Disaggregation categories (codes must be XML names) and their options.
    let mut option = 0;
    let mut categories = Vec::new();
    for (c, &n) in shape.options_per_category.iter().enumerate() {
        let mut options = Vec::new();
        for _ in 0..n {
            option += 1;
            md.insert(CategoryOption {
                id: coded('o', option, code("o")),
                start_date: None,
                end_date: None,
                org_units: Vec::new(),
                sharing: Default::default(),
            });
            options.push(uid('o', option));
        }
        md.insert(Category {
            id: coded('c', c, format!("cat_{c}")),
            data_dimension_type: "DISAGGREGATION".into(),
            options,
        });
        categories.push(uid('c', c));
    }
    md.insert(CategoryCombo {
        id: coded('k', 1, "disagg".into()),
        data_dimension_type: "DISAGGREGATION".into(),
        categories: categories.clone(),
    });
    // The cartesian product of the options.
    let mut combos: Vec<Vec<Uid>> = vec![Vec::new()];
    for category in &categories {
        let opts = md.category(category).unwrap().options.clone();
        combos = combos
            .into_iter()
            .flat_map(|prefix| {
                opts.iter().map(move |o| {
                    let mut next = prefix.clone();
                    next.push(*o);
                    next
                })
            })
            .collect();
    }
    let mut coc = 0;
    for options in combos {
        coc += 1;
        md.insert(CategoryOptionCombo {
            id: coded('q', coc, code("q")),
            category_combo: uid('k', 1),
            options,
            ignore_approval: false,
        });
    }
    // An attribute combo of mechanisms.
    let mut mechanisms = Vec::new();
    for _ in 0..shape.mechanisms {
        option += 1;
        md.insert(CategoryOption {
            id: coded('o', option, code("m")),
            start_date: None,
            end_date: None,
            org_units: Vec::new(),
            sharing: Default::default(),
        });
        mechanisms.push(uid('o', option));
    }
    md.insert(Category {
        id: coded('c', 99, "mechanism".into()),
        data_dimension_type: "ATTRIBUTE".into(),
        options: mechanisms.clone(),
    });
    md.insert(CategoryCombo {
        id: coded('k', 2, "mech".into()),
        data_dimension_type: "ATTRIBUTE".into(),
        categories: vec![uid('c', 99)],
    });
    for (i, m) in mechanisms.iter().enumerate() {
        md.insert(CategoryOptionCombo {
            id: coded('a', i, code("a")),
            category_combo: uid('k', 2),
            options: vec![*m],
            ignore_approval: false,
        });
    }
    // Data elements, two data sets (default and mechanism attribute combos), org units.
    let mut elements = Vec::new();
    for (i, (numeric, disaggregated)) in shape.elements.iter().enumerate() {
        let value_type = if *numeric {
            ValueType::Integer
        } else {
            ValueType::Text
        };
        let mut de = DataElement::new(coded('d', i, code("d")), value_type);
        if *disaggregated {
            de.category_combo = uid('k', 1);
        }
        md.insert(de);
        elements.push(DataSetElement {
            data_element: uid('d', i),
            category_combo: None,
        });
    }
    let mut plain = DataSet::new(coded('s', 1, code("s")), PeriodType::Monthly);
    plain.elements = elements.clone();
    md.insert(plain);
    let mut mech = DataSet::new(coded('s', 2, code("s")), PeriodType::Monthly);
    mech.elements = elements;
    mech.category_combo = uid('k', 2);
    md.insert(mech);
    for i in 0..shape.org_units {
        md.insert(OrganisationUnit::new(coded('u', i, code("u")), None));
    }
    md.finish().unwrap();
    md
}

/// Periods of every type DHIS2 2.36–2.42 reads back from ADX.
fn period(kind: usize, day: u32) -> String {
    let types = [
        PeriodType::Daily,
        PeriodType::Weekly,
        PeriodType::WeeklyWednesday,
        PeriodType::WeeklySunday,
        PeriodType::BiWeekly,
        PeriodType::Monthly,
        PeriodType::BiMonthly,
        PeriodType::Quarterly,
        PeriodType::SixMonthly,
        PeriodType::SixMonthlyApril,
        PeriodType::SixMonthlyNov,
        PeriodType::Yearly,
        PeriodType::FinancialApril,
        PeriodType::FinancialJuly,
        PeriodType::FinancialOct,
        PeriodType::FinancialNov,
    ];
    let date = NaiveDate::from_ymd_opt(
        2019 + i32::try_from(day / 336).unwrap(),
        1 + (day / 28) % 12,
        1 + day % 28,
    )
    .unwrap();
    types[kind % types.len()]
        .period_containing(date)
        .unwrap()
        .to_string()
}

/// One value to write: indexes into the catalogue's objects, and a value text.
#[derive(Debug, Clone)]
struct Pick {
    element: usize,
    org_unit: usize,
    period_kind: usize,
    day: u32,
    coc: usize,
    mechanism: Option<usize>,
    number: i64,
    text: String,
}

fn pick() -> impl Strategy<Value = Pick> {
    (
        (any::<usize>(), any::<usize>(), any::<usize>(), 0u32..2000),
        (any::<usize>(), proptest::option::of(any::<usize>())),
        (any::<i64>(), "[^\u{0}]{1,12}"),
    )
        .prop_map(
            |((element, org_unit, period_kind, day), (coc, mechanism), (number, text))| Pick {
                element,
                org_unit,
                period_kind,
                day,
                coc,
                mechanism,
                number,
                text,
            },
        )
}

/// The DXF2 value of a pick (by UID), and its expected key and value.
fn value_of(md: &Metadata, shape: &Shape, p: &Pick) -> DataValue {
    let e = p.element % shape.elements.len();
    let (numeric, disaggregated) = shape.elements[e];
    let de = uid('d', e);
    let cocs: Vec<Uid> = md
        .category_option_combos()
        .iter()
        .filter(|c| {
            if disaggregated {
                c.category_combo == uid('k', 1)
            } else {
                c.id.name.as_deref() == Some("default")
            }
        })
        .map(|c| c.id.uid)
        .collect();
    let mut v = DataValue::from_fields(&[
        (Field::DataElement, de.as_str()),
        (Field::Period, &period(p.period_kind, p.day)),
        (
            Field::OrgUnit,
            uid('u', p.org_unit % shape.org_units).as_str(),
        ),
        (
            Field::CategoryOptionCombo,
            cocs[p.coc % cocs.len()].as_str(),
        ),
    ]);
    if let Some(m) = p.mechanism {
        v.set(
            Field::AttributeOptionCombo,
            uid('a', m % shape.mechanisms).as_str(),
        );
    }
    if numeric {
        v.set(Field::Value, &p.number.to_string());
    } else {
        v.set(Field::Value, &p.text);
    }
    v
}

/// A value's key and text with every identifier a UID (absent option combos: the default).
fn key(md: &Metadata, v: &DataValue, scheme: &IdScheme) -> [String; 6] {
    let resolver = MetadataResolver::new(md);
    let default = md
        .default_category_option_combo()
        .unwrap()
        .id
        .uid
        .to_string();
    let r = |kind, key: Option<&str>| match key {
        Some(k) => resolver
            .resolve(kind, scheme, k)
            .unwrap()
            .unwrap()
            .to_string(),
        None => default.clone(),
    };
    [
        r(ObjectKind::DataElement, v.data_element()),
        v.period().unwrap().to_owned(),
        r(ObjectKind::OrganisationUnit, v.org_unit()),
        r(ObjectKind::CategoryOptionCombo, v.category_option_combo()),
        r(ObjectKind::CategoryOptionCombo, v.attribute_option_combo()),
        v.value().unwrap_or_default().to_owned(),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn dxf2_to_adx_to_dxf2_keeps_every_value(
        shape in shape(),
        picks in prop::collection::vec(pick(), 0..40),
    ) {
        let md = catalogue(&shape);
        let values: Vec<DataValue> = picks.iter().map(|p| value_of(&md, &shape, p)).collect();
        // DXF2 → ADX, with DHIS2's export defaults (codes).
        prop_assert!(adx::check_identifiers(
            &md,
            &[uid('s', 1), uid('s', 2)],
            &[],
            &Default::default()
        ).is_empty());
        let mut writer = AdxWriterBuilder::new().build(&md, Vec::new());
        writer.begin(&DataValueSetHeader::default()).unwrap();
        for v in &values {
            writer.write_value(v).unwrap();
        }
        writer.finish().unwrap();
        let adx = writer.into_inner();
        // ADX → DXF2, with DHIS2 2.42's import defaults (codes).
        let mut source = AdxSourceBuilder::new().build(&md, adx.as_slice());
        let back: Vec<DataValue> = source
            .values()
            .collect::<Result<_, _>>()
            .map_err(|e| TestCaseError::fail(format!("{e}\n{}", String::from_utf8_lossy(&adx))))?;
        prop_assert_eq!(back.len(), values.len());
        for (before, after) in values.iter().zip(&back) {
            prop_assert_eq!(key(&md, before, &IdScheme::Uid), key(&md, after, &IdScheme::Code));
        }
    }
}
