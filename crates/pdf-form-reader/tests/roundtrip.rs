//! Generate a form → fill it as a PDF viewer does → read it back → exactly the values filled,
//! and imported through the import engine, exactly those values stored.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod common;

use common::*;
use dxf2_model::{
    DataValueSource, ImportOptions, ImportStatus, ImporterProfile, Period, ValueType,
};
use dxf2_store::{DataValueStore, ValueQuery};
use idscheme_resolver::MetadataResolver;
use import_engine::{Importer, MemoryStore, Superuser};
use pdf_form_reader::{fill, EmptyFields, FieldKind, FormOptions, PdfFormReader};
use proptest::prelude::*;

#[test]
fn the_form_has_dhis2s_fields_in_dhis2s_order() {
    let pdf = form(&options());
    assert!(pdf.starts_with(b"%PDF-1.7"));
    let reader = PdfFormReader::builder()
        .empty_fields(EmptyFields::Keep)
        .from_bytes(&pdf)
        .unwrap_err();
    // Nothing filled in: the classic import stops at the period.
    assert_eq!(
        reader.to_string(),
        "field `TXFD_PeriodID`: The period was not specified."
    );

    let reader = PdfFormReader::builder()
        .profile(ImporterProfile::Pipeline)
        .empty_fields(EmptyFields::Keep)
        .from_bytes(&pdf)
        .unwrap();
    let fields: Vec<(&str, FieldKind)> = reader
        .fields()
        .iter()
        .map(|f| (f.name.as_str(), f.kind))
        .collect();
    let expected = [
        ("TXFD_OrgID".to_owned(), FieldKind::Text),
        ("TXFD_PeriodID".to_owned(), FieldKind::ComboBox),
        // The combo's option combos in cartesian product order (sex outermost), whatever the
        // catalogue's order.
        (field(DE_CASES, COC_F_U5), FieldKind::Text),
        (field(DE_CASES, COC_F_O5), FieldKind::Text),
        (field(DE_CASES, COC_M_U5), FieldKind::Text),
        (field(DE_CASES, COC_M_O5), FieldKind::Text),
        (
            format!("{}_T4", field(DE_STOCKOUT, DEFAULT_COC)),
            FieldKind::CheckBox,
        ),
        (field(DE_REPORTED, DEFAULT_COC), FieldKind::ComboBox),
        (field(DE_REMARK, DEFAULT_COC), FieldKind::Text),
        (field(DE_RESULT, DEFAULT_COC), FieldKind::ComboBox),
        (field(DE_ARABIC, DEFAULT_COC), FieldKind::Text),
        ("BTN_SAVEPDF".to_owned(), FieldKind::PushButton),
    ];
    let expected: Vec<(&str, FieldKind)> = expected.iter().map(|(n, k)| (n.as_str(), *k)).collect();
    assert_eq!(fields, expected);
    // An unticked box reads `Off`, as DHIS2's own forms do; 2.43+ makes it `false`.
    let stockout = reader
        .fields()
        .iter()
        .find(|f| f.kind == FieldKind::CheckBox)
        .unwrap();
    assert_eq!(stockout.value, "Off");
    assert_eq!(reader.value_count(), 9);
    assert_eq!(reader.data_set_hint(), Some(DATA_SET));
}

/// The values a person types into the test form.
fn filled_values() -> Vec<(String, &'static str)> {
    vec![
        ("TXFD_OrgID".to_owned(), " DiszpKrYNg8 "),
        ("TXFD_PeriodID".to_owned(), "202401"),
        (field(DE_CASES, COC_F_U5), "12"),
        (field(DE_CASES, COC_M_O5), "0"),
        (format!("{}_T4", field(DE_STOCKOUT, DEFAULT_COC)), "On"),
        (field(DE_REPORTED, DEFAULT_COC), "false"),
        (
            field(DE_REMARK, DEFAULT_COC),
            "Rupture de stock signalée à l'équipe — ملاحظة",
        ),
        (field(DE_RESULT, DEFAULT_COC), "POS"),
        (field(DE_ARABIC, DEFAULT_COC), "3.5"),
    ]
}

fn filled_form() -> Vec<u8> {
    let values = filled_values();
    let pairs: Vec<(&str, &str)> = values.iter().map(|(n, v)| (n.as_str(), *v)).collect();
    fill(&form(&options()), &pairs).unwrap()
}

fn expected_triples() -> Vec<(String, String, Option<String>)> {
    let t = |de: &str, coc: &str, v: &str| (de.to_owned(), coc.to_owned(), Some(v.to_owned()));
    vec![
        t(DE_CASES, COC_F_U5, "12"),
        t(DE_CASES, COC_M_O5, "0"),
        t(DE_STOCKOUT, DEFAULT_COC, "true"),
        t(DE_REPORTED, DEFAULT_COC, "false"),
        t(
            DE_REMARK,
            DEFAULT_COC,
            "Rupture de stock signalée à l'équipe — ملاحظة",
        ),
        t(DE_RESULT, DEFAULT_COC, "POS"),
        t(DE_ARABIC, DEFAULT_COC, "3.5"),
    ]
}

#[test]
fn a_filled_form_reads_back_exactly_classic() {
    let mut reader = PdfFormReader::builder()
        .today(today())
        .from_bytes(&filled_form())
        .unwrap();
    assert_eq!((reader.org_unit(), reader.period()), (ORG_UNIT, "202401"));
    assert!(reader.header().is_empty());
    let values = values(&mut reader);
    assert_eq!(triples(&values), expected_triples());
    for v in &values {
        assert_eq!(v.org_unit(), Some(ORG_UNIT));
        assert_eq!(v.period(), Some("202401"));
        assert_eq!(v.stored_by(), Some("admin"));
        assert_eq!(v.comment(), Some("Imported by PDF Data Entry Form"));
        assert_eq!(v.last_updated(), Some("2024-06-15"));
        assert_eq!(v.followup(), Some(false));
        assert_eq!(v.attribute_option_combo(), None);
    }
}

#[test]
fn a_filled_form_reads_back_exactly_pipeline() {
    let mut reader = PdfFormReader::builder()
        .profile(ImporterProfile::Pipeline)
        .from_bytes(&filled_form())
        .unwrap();
    assert_eq!(reader.header().org_unit.as_deref(), Some(ORG_UNIT));
    assert_eq!(reader.header().period.as_deref(), Some("202401"));
    let values = values(&mut reader);
    assert_eq!(triples(&values), expected_triples());
    for v in &values {
        assert_eq!(
            (v.org_unit(), v.period(), v.comment(), v.stored_by()),
            (None, None, None, None)
        );
    }
}

/// A stored row: `(de, coc, value, comment)`.
type Row = (String, String, Option<String>, Option<String>);

/// The values stored after importing `pdf` with `profile`: `(de, coc, value, comment)`.
fn import(pdf: &[u8], profile: ImporterProfile, empty: EmptyFields) -> (ImportStatus, Vec<Row>) {
    let md = metadata();
    let mut reader = PdfFormReader::builder()
        .profile(profile)
        .empty_fields(empty)
        .from_bytes(pdf)
        .unwrap();
    let access = Superuser::default();
    let importer = Importer::new(&md, &access);
    let mut resolver = MetadataResolver::new(&md);
    let mut store = MemoryStore::new();
    let options = ImportOptions {
        profile,
        ..ImportOptions::default()
    };
    let outcome = importer.import(
        &mut reader,
        &options,
        &mut resolver,
        &mut store,
        &mut |_| {},
    );
    let query = ValueQuery {
        data_elements: md.data_elements().iter().map(|d| d.id.uid).collect(),
        periods: vec![Period::parse("202401").unwrap()],
        ..ValueQuery::default()
    };
    let mut stored = Vec::new();
    store
        .query(&query, &mut |row| {
            stored.push((
                row.key.data_element.to_string(),
                row.key.category_option_combo.to_string(),
                row.value.clone(),
                row.comment.clone(),
            ));
            Ok(())
        })
        .unwrap();
    stored.sort();
    (outcome.summary.status, stored)
}

#[test]
fn an_imported_form_stores_exactly_the_values_filled_in() {
    let mut expected: Vec<_> = expected_triples()
        .into_iter()
        .map(|(de, coc, v)| {
            (
                de,
                coc,
                v,
                Some("Imported by PDF Data Entry Form".to_owned()),
            )
        })
        .collect();
    expected.sort();
    let (status, stored) = import(&filled_form(), ImporterProfile::Classic, EmptyFields::Skip);
    assert_eq!(status, ImportStatus::Success);
    assert_eq!(stored, expected);

    // 2.43+ stores no comment.
    let (status, stored) = import(&filled_form(), ImporterProfile::Pipeline, EmptyFields::Skip);
    assert_eq!(status, ImportStatus::Success);
    let expected: Vec<_> = expected
        .into_iter()
        .map(|(de, coc, v, _)| (de, coc, v, None))
        .collect();
    assert_eq!(stored, expected);
}

#[test]
fn kept_empty_fields_do_what_dhis2_does_with_them() {
    // Classic: every untouched field becomes a comment-only value.
    let (status, stored) = import(&filled_form(), ImporterProfile::Classic, EmptyFields::Keep);
    assert_eq!(status, ImportStatus::Success);
    assert_eq!(stored.len(), 9);
    let empty: Vec<_> = stored.iter().filter(|r| r.2.is_none()).collect();
    assert_eq!(empty.len(), 2, "{stored:?}");
    assert!(empty
        .iter()
        .all(|r| r.3.as_deref() == Some("Imported by PDF Data Entry Form")));
    // 2.43+: refused (E8120), nothing more stored.
    let (status, stored) = import(&filled_form(), ImporterProfile::Pipeline, EmptyFields::Keep);
    assert_eq!(status, ImportStatus::Warning);
    assert_eq!(stored.len(), 7);
}

#[test]
fn object_streams_and_prefilled_header_fields_read_back() {
    let options = FormOptions {
        object_streams: true,
        org_unit: Some(ORG_UNIT.into()),
        period: Some("2019-12".replace('-', "")),
        ..options()
    };
    let pdf = form(&options);
    assert!(pdf.windows(b"/ObjStm".len()).any(|w| w == b"/ObjStm"));
    let filled = fill(&pdf, &[(&field(DE_CASES, COC_F_U5), "7")]).unwrap();
    let mut reader = PdfFormReader::from_bytes(&pdf).unwrap();
    assert_eq!((reader.org_unit(), reader.period()), (ORG_UNIT, "201912"));
    assert_eq!(values(&mut reader).len(), 0);
    let mut reader = PdfFormReader::from_bytes(&filled).unwrap();
    assert_eq!(
        triples(&values(&mut reader)),
        [(
            DE_CASES.to_owned(),
            COC_F_U5.to_owned(),
            Some("7".to_owned())
        )]
    );
}

#[test]
fn option_sets_can_be_text_fields_as_in_dhis2() {
    let options = FormOptions {
        option_set_choices: false,
        ..options()
    };
    let reader = PdfFormReader::builder()
        .profile(ImporterProfile::Pipeline)
        .from_bytes(&form(&options))
        .unwrap();
    let result = reader
        .fields()
        .iter()
        .find(|f| f.name == field(DE_RESULT, DEFAULT_COC))
        .unwrap();
    assert_eq!(result.kind, FieldKind::Text);
}

#[test]
fn a_large_form_spans_pages_and_reads_back() {
    use dxf2_model::metadata::{DataElement, DataSet, DataSetElement, Identity};
    use dxf2_model::{Metadata, PeriodType, Uid};
    let mut ds = DataSet::new(Identity::new(uid(DATA_SET)), PeriodType::Weekly);
    let mut builder = Metadata::builder();
    let mut names = Vec::new();
    for i in 0..300 {
        let de = Uid::parse(&format!("de{i:09}")).unwrap();
        let mut id = Identity::new(de);
        id.name = Some(format!("Data element number {i} with a rather long name that wraps onto a second line of the label column"));
        builder = builder.with(DataElement::new(id, ValueType::Integer));
        ds.elements.push(DataSetElement {
            data_element: de,
            category_combo: None,
        });
        names.push((field(de.as_str(), DEFAULT_COC), (i * 7).to_string()));
    }
    let md = builder.with(ds).build().unwrap();
    let mut pdf = Vec::new();
    pdf_form_reader::write_form(&md, &uid(DATA_SET), &options(), &mut pdf).unwrap();
    let doc = lopdf::Document::load_mem(&pdf).unwrap();
    assert!(
        doc.get_pages().len() > 10,
        "{} pages",
        doc.get_pages().len()
    );
    let mut pairs: Vec<(&str, &str)> = names
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    pairs.push(("TXFD_OrgID", ORG_UNIT));
    pairs.push(("TXFD_PeriodID", "2024W3"));
    let mut reader = PdfFormReader::from_bytes(&fill(&pdf, &pairs).unwrap()).unwrap();
    let read: Vec<String> = values(&mut reader)
        .iter()
        .map(|v| v.value().unwrap().to_owned())
        .collect();
    let expected: Vec<String> = names.iter().map(|(_, v)| v.clone()).collect();
    assert_eq!(read, expected);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    /// Whatever is typed (any Unicode text but control characters) reads back exactly.
    #[test]
    fn any_typed_text_reads_back(
        remark in "[^\\p{Cc}]{1,40}",
        count in 0u32..100_000,
        tick in any::<bool>(),
    ) {
        prop_assume!(!remark.trim_matches(|c: char| c <= ' ').is_empty());
        let cases = field(DE_CASES, COC_M_U5);
        let remark_field = field(DE_REMARK, DEFAULT_COC);
        let stockout = format!("{}_T4", field(DE_STOCKOUT, DEFAULT_COC));
        let count = count.to_string();
        let state = if tick { "On" } else { "Off" };
        let pdf = fill(&form(&options()), &[
            ("TXFD_OrgID", ORG_UNIT), ("TXFD_PeriodID", "202402"),
            (&cases, &count), (&remark_field, &remark), (&stockout, state),
        ]).unwrap();
        let mut reader = PdfFormReader::from_bytes(&pdf).unwrap();
        let mut expected = vec![(DE_CASES.to_owned(), COC_M_U5.to_owned(), Some(count.clone()))];
        if tick {
            expected.push((DE_STOCKOUT.to_owned(), DEFAULT_COC.to_owned(), Some("true".to_owned())));
        }
        expected.push((DE_REMARK.to_owned(), DEFAULT_COC.to_owned(), Some(remark.clone())));
        prop_assert_eq!(triples(&values(&mut reader)), expected);
    }
}
