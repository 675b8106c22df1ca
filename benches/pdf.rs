//! PDF forms: reading a large filled form (open, walk the AcroForm, drain every value into one
//! reused record), beside lopdf's own loading of the same file, and writing the form.
//!
//! Size: `DXF2_BENCH_PDF_ELEMENTS` data elements of four option combos each (default 2,500, so
//! 10,000 data fields on about 260 pages).
//! Run: `cargo bench --bench pdf`; smoke test: `DXF2_BENCH_PDF_ELEMENTS=50 cargo bench --bench pdf -- --test`.
// Benchmark harness code: a broken set-up should stop the run loudly.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, SamplingMode, Throughput};
use dxf2_model::metadata::{
    Category, CategoryCombo, CategoryOption, CategoryOptionCombo, DataElement, DataSet,
    DataSetElement, Identity, NaiveDate, Sharing,
};
use dxf2_model::{DataValue, DataValueSource, Metadata, PeriodType, Uid, ValueType};
use pdf_form_reader::{fill, write_form, FormOptions, PdfFormReader};

fn uid(s: &str) -> Uid {
    Uid::parse(s).expect("UID")
}

fn elements() -> usize {
    std::env::var("DXF2_BENCH_PDF_ELEMENTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2_500)
}

/// A monthly data set of `n` integer elements disaggregated by sex × age.
fn metadata(n: usize) -> Metadata {
    let option = |id: &str| CategoryOption {
        id: Identity::new(uid(id)),
        start_date: None,
        end_date: None,
        org_units: Vec::new(),
        sharing: Sharing::default(),
    };
    let mut b = Metadata::builder()
        .with(option("optFemale01"))
        .with(option("optMale0001"))
        .with(option("optUnder501"))
        .with(option("optOver5001"))
        .with(Category {
            id: Identity::new(uid("catSex00001")),
            data_dimension_type: "DISAGGREGATION".into(),
            options: vec![uid("optFemale01"), uid("optMale0001")],
        })
        .with(Category {
            id: Identity::new(uid("catAge00001")),
            data_dimension_type: "DISAGGREGATION".into(),
            options: vec![uid("optUnder501"), uid("optOver5001")],
        })
        .with(CategoryCombo {
            id: Identity::new(uid("ccSexAge001")),
            data_dimension_type: "DISAGGREGATION".into(),
            categories: vec![uid("catSex00001"), uid("catAge00001")],
        });
    for (coc, a, b2) in [
        ("cocFemU5001", "optFemale01", "optUnder501"),
        ("cocFemO5001", "optFemale01", "optOver5001"),
        ("cocMalU5001", "optMale0001", "optUnder501"),
        ("cocMalO5001", "optMale0001", "optOver5001"),
    ] {
        b = b.with(CategoryOptionCombo {
            id: Identity::new(uid(coc)),
            category_combo: uid("ccSexAge001"),
            options: vec![uid(a), uid(b2)],
            ignore_approval: false,
        });
    }
    let mut ds = DataSet::new(Identity::new(uid("pBOMPrpg1QX")), PeriodType::Monthly);
    for i in 0..n {
        let de = uid(&format!("de{i:09}"));
        let mut id = Identity::new(de);
        id.name = Some(format!("Malaria cases confirmed, register line {i}"));
        let mut element = DataElement::new(id, ValueType::Integer);
        element.category_combo = uid("ccSexAge001");
        b = b.with(element);
        ds.elements.push(DataSetElement {
            data_element: de,
            category_combo: None,
        });
    }
    b.with(ds).build().expect("metadata")
}

fn options() -> FormOptions {
    FormOptions {
        today: NaiveDate::from_ymd_opt(2024, 6, 15).expect("date"),
        ..FormOptions::default()
    }
}

/// The form, every field filled.
fn filled_form(md: &Metadata) -> (Vec<u8>, u64) {
    let mut pdf = Vec::new();
    write_form(md, &uid("pBOMPrpg1QX"), &options(), &mut pdf).expect("form");
    let names: Vec<(String, String)> = md
        .data_elements()
        .iter()
        .flat_map(|de| {
            ["cocFemU5001", "cocFemO5001", "cocMalU5001", "cocMalO5001"]
                .into_iter()
                .enumerate()
                .map(move |(i, coc)| (format!("TXFDDV_{}_{coc}", de.id.uid), i.to_string()))
        })
        .collect();
    let mut pairs: Vec<(&str, &str)> = names
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    pairs.push(("TXFD_OrgID", "DiszpKrYNg8"));
    pairs.push(("TXFD_PeriodID", "202401"));
    (fill(&pdf, &pairs).expect("fill"), names.len() as u64)
}

fn read_form(bytes: &[u8]) -> u64 {
    let mut reader = PdfFormReader::from_bytes(bytes).expect("open form");
    let mut record = DataValue::new();
    let mut count = 0;
    while reader.read_value(&mut record).expect("read value") {
        black_box(&record);
        count += 1;
    }
    count
}

fn pdf(c: &mut Criterion) {
    let md = metadata(elements());
    let (bytes, values) = filled_form(&md);
    assert_eq!(read_form(&bytes), values);
    let mut group = c.benchmark_group("pdf");
    group
        .sampling_mode(SamplingMode::Flat)
        .sample_size(10)
        .measurement_time(Duration::from_secs(10))
        .throughput(Throughput::ElementsAndBytes {
            elements: values,
            bytes: bytes.len() as u64,
        });
    group.bench_function("read_form", |b| b.iter(|| read_form(black_box(&bytes))));
    group.bench_function("lopdf_load", |b| {
        b.iter(|| lopdf::Document::load_mem(black_box(&bytes)).expect("load"))
    });
    group.bench_function("write_form", |b| {
        b.iter(|| {
            let mut out = Vec::with_capacity(bytes.len());
            write_form(&md, &uid("pBOMPrpg1QX"), &options(), &mut out).expect("form");
            out.len()
        })
    });
    group.finish();
}

criterion_group!(benches, pdf);
criterion_main!(benches);
