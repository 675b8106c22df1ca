//! Fuzz target of the ADX reader, writer and mapping.
//!
//! Arbitrary bytes are read with both importer profiles: reading must never panic. When a
//! document reads completely, its groups and values are written with `AdxXmlWriter` and read
//! back: the same groups, attributes and annotations must come out. The bytes are also mapped
//! to DXF2 values (`AdxSource`) against a small coded catalogue, which must never panic either.

#![no_main]

use std::sync::OnceLock;

use adx::{AdxSourceBuilder, AdxXmlWriter, Reader, Step};
use dxf2_model::metadata::{
    Category, CategoryCombo, CategoryOption, CategoryOptionCombo, DataElement, DataSet,
    DataSetElement, Identity, OrganisationUnit,
};
use dxf2_model::{
    DataValue, DataValueSource, ImporterProfile, Metadata, PeriodType, ReadLimits, Uid, ValueType,
};
use libfuzzer_sys::fuzz_target;

#[derive(Debug, PartialEq)]
enum Item {
    Group(Vec<(String, String)>),
    Value(Vec<(String, String)>, Option<String>),
}

fn attributes(attrs: &adx::Attributes) -> Vec<(String, String)> {
    attrs
        .iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
}

/// Every group and value of a document, or `None` when it is refused.
fn read_items(data: &[u8], profile: ImporterProfile) -> Option<Vec<Item>> {
    let limits = ReadLimits::default().with_max_token_bytes(64 * 1024);
    let mut reader = Reader::with_options(data, profile, limits);
    let mut items = Vec::new();
    loop {
        match reader.read_step().ok()? {
            Step::Group => items.push(Item::Group(attributes(reader.group().attributes()))),
            Step::Value => items.push(Item::Value(
                attributes(reader.value().attributes()),
                reader.value().annotation().map(str::to_owned),
            )),
            Step::End => return Some(items),
        }
    }
}

fn write_items(items: &[Item]) -> Vec<u8> {
    let pairs = |a: &[(String, String)]| -> Vec<(String, String)> { a.to_vec() };
    let mut w = AdxXmlWriter::new(Vec::new());
    w.start().expect("start");
    for item in items {
        match item {
            Item::Group(a) => {
                let a = pairs(a);
                w.start_group(a.iter().map(|(k, v)| (k.as_str(), v.as_str())))
                    .expect("a group that was read can be written");
            }
            Item::Value(a, annotation) => {
                let a = pairs(a);
                w.write_value(
                    a.iter().map(|(k, v)| (k.as_str(), v.as_str())),
                    annotation.as_deref(),
                )
                .expect("a value that was read can be written");
            }
        }
    }
    w.finish().expect("finish");
    w.into_inner()
}

/// A local name `xmlns` (from `p:xmlns`) would be written as a namespace declaration.
fn writable(items: &[Item]) -> bool {
    items.iter().all(|item| match item {
        Item::Group(a) | Item::Value(a, _) => a.iter().all(|(k, _)| k != "xmlns"),
    })
}

/// A small catalogue, every object coded: data set `DS` with element `DE` (INTEGER, sex × age)
/// and `T` (TEXT), org unit `OU`.
fn metadata() -> &'static Metadata {
    static MD: OnceLock<Metadata> = OnceLock::new();
    MD.get_or_init(|| {
        let uid = |s: &str| Uid::parse(s).expect("uid");
        let id = |u: &str, code: &str| Identity {
            code: Some(code.to_owned()),
            name: Some(code.to_owned()),
            ..Identity::new(uid(u))
        };
        let option = |u: &str, code: &str| CategoryOption {
            id: id(u, code),
            start_date: None,
            end_date: None,
            org_units: Vec::new(),
            sharing: Default::default(),
        };
        let mut de = DataElement::new(id("deAAAAAAAAA", "DE"), ValueType::Integer);
        de.category_combo = uid("ccAAAAAAAAA");
        let mut ds = DataSet::new(id("dsAAAAAAAAA", "DS"), PeriodType::Monthly);
        for e in ["deAAAAAAAAA", "deTTTTTTTTT"] {
            ds.elements.push(DataSetElement {
                data_element: uid(e),
                category_combo: None,
            });
        }
        let mut b = Metadata::builder()
            .with(option("opFFFFFFFFF", "F"))
            .with(option("opMMMMMMMMM", "M"))
            .with(option("opYYYYYYYYY", "young"))
            .with(Category {
                id: id("caSSSSSSSSS", "sex"),
                data_dimension_type: "DISAGGREGATION".into(),
                options: vec![uid("opFFFFFFFFF"), uid("opMMMMMMMMM")],
            })
            .with(Category {
                id: id("caAAAAAAAAA", "age"),
                data_dimension_type: "DISAGGREGATION".into(),
                options: vec![uid("opYYYYYYYYY")],
            })
            .with(CategoryCombo {
                id: id("ccAAAAAAAAA", "sexAge"),
                data_dimension_type: "DISAGGREGATION".into(),
                categories: vec![uid("caSSSSSSSSS"), uid("caAAAAAAAAA")],
            })
            .with(de)
            .with(DataElement::new(id("deTTTTTTTTT", "T"), ValueType::Text))
            .with(OrganisationUnit::new(id("ouAAAAAAAAA", "OU"), None))
            .with(ds);
        for (u, code, sex) in [
            ("coFFFFFFFFF", "FY", "opFFFFFFFFF"),
            ("coMMMMMMMMM", "MY", "opMMMMMMMMM"),
        ] {
            b = b.with(CategoryOptionCombo {
                id: id(u, code),
                category_combo: uid("ccAAAAAAAAA"),
                options: vec![uid(sex), uid("opYYYYYYYYY")],
                ignore_approval: false,
            });
        }
        b.build().expect("catalogue")
    })
}

fuzz_target!(|data: &[u8]| {
    for profile in [ImporterProfile::Classic, ImporterProfile::Pipeline] {
        if let Some(items) = read_items(data, profile) {
            if writable(&items) {
                let xml = write_items(&items);
                assert_eq!(
                    read_items(&xml, profile),
                    Some(items),
                    "{}",
                    String::from_utf8_lossy(&xml)
                );
            }
        }
        let mut source = AdxSourceBuilder::new()
            .profile(profile)
            .limits(ReadLimits::default().with_max_token_bytes(64 * 1024))
            .build(metadata(), data);
        let mut value = DataValue::new();
        let mut values = 0u32;
        while let Ok(true) = source.read_value(&mut value) {
            values += 1;
            assert!(values <= u32::try_from(data.len()).unwrap_or(u32::MAX));
        }
    }
});
