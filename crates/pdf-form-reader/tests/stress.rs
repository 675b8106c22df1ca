//! Forms built by hand to stress the reader: fields nested in parents, values kept only on the
//! parent, UTF-16 strings, duplicate names, an incremental update (a form saved twice), a
//! compressed object stream, damaged, truncated and encrypted files.
//!
//! What the reader must make of them follows DHIS2's reading (`PdfDataEntryFormUtil
//! .getDataValueSet` in 2.42, `DataEntryInput.fromPdf` in 2.43+, dhis2-core) through its PDF
//! library's `AcroFields` (OpenPDF/iText: full names joined with `.`, inherited `/V`, the first
//! widget of a name, `getField`'s value rules), and the PDF 1.7 specification (§12.7.3
//! field dictionaries, §7.9.2 text strings, §7.5.6 incremental updates, §7.5.7 object streams).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod common;

use common::*;
use dxf2_model::ImporterProfile;
use pdf_form_reader::{fill, Category, EmptyFields, ErrorKind, FieldKind, PdfFormReader};

/// A PDF of `objects` (object `i + 1` is `objects[i]`, object 1 the catalogue), with a correct
/// cross-reference table.
fn pdf(objects: &[String]) -> Vec<u8> {
    let mut out = b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n".to_vec();
    let mut offsets = Vec::new();
    for (i, body) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n{body}\nendobj\n", i + 1).as_bytes());
    }
    let xref = out.len();
    out.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for offset in offsets {
        out.extend_from_slice(format!("{offset:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    out
}

/// Appends an incremental update to `base` that replaces object `id` with `body`.
fn update(base: &[u8], id: usize, body: &str, size: usize) -> Vec<u8> {
    let text = String::from_utf8_lossy(base);
    let prev: usize = text
        .rsplit("startxref")
        .next()
        .and_then(|t| t.split_whitespace().next())
        .and_then(|t| t.parse().ok())
        .unwrap();
    let mut out = base.to_vec();
    let offset = out.len();
    out.extend_from_slice(format!("{id} 0 obj\n{body}\nendobj\n").as_bytes());
    let xref = out.len();
    out.extend_from_slice(
        format!(
            "xref\n{id} 1\n{offset:010} 00000 n \ntrailer\n<< /Size {size} /Root 1 0 R /Prev {prev} >>\nstartxref\n{xref}\n%%EOF\n"
        )
        .as_bytes(),
    );
    out
}

/// `FE FF` + UTF-16BE, as a hexadecimal PDF string.
fn utf16(text: &str) -> String {
    let mut hex = String::from("<FEFF");
    for unit in text.encode_utf16() {
        hex.push_str(&format!("{unit:04X}"));
    }
    hex.push('>');
    hex
}

/// A hand-made form whose fields use every structure a filler may leave:
///
/// * 4: `TXFD_OrgID`, value in PDFDocEncoding;
/// * 5: `TXFD_PeriodID`, value in UTF-16BE;
/// * 6: a data field whose value is only on the parent, with two widget kids (7, 8);
/// * 9: a check box whose type and value are on the parent, the widget (10) holding the state;
/// * 11: a field named in UTF-16 whose value (Arabic-Indic digits) is in UTF-16;
/// * 12: a group `grp` holding the field `TXFDDV_…` (13): its full name `grp.TXFDDV_…` does
///   not start with `TXFDDV_`, so DHIS2 ignores it;
/// * 14 and 15: two fields of one name, the first one's value wins;
/// * 16: a choice field whose value is inherited from the AcroForm-level parent (17).
fn nested_form() -> Vec<String> {
    let de = DE_CASES;
    vec![
        "<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [4 0 R 5 0 R 6 0 R 9 0 R 11 0 R 12 0 R 14 0 R 15 0 R 17 0 R] >> >>".into(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".into(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Annots [4 0 R 5 0 R 7 0 R 8 0 R 10 0 R] >>".into(),
        "<< /FT /Tx /T (TXFD_OrgID) /V ( DiszpKrYNg8\\n) /Subtype /Widget /Rect [0 0 10 10] >>".into(),
        format!("<< /FT /Ch /Ff 131072 /T (TXFD_PeriodID) /V {} >>", utf16("202401")),
        format!("<< /FT /Tx /T (TXFDDV_{de}_{COC_F_U5}) /V (42) /Kids [7 0 R 8 0 R] >>"),
        "<< /Subtype /Widget /Parent 6 0 R /Rect [0 0 10 10] >>".into(),
        "<< /Subtype /Widget /Parent 6 0 R /Rect [0 20 10 30] /V (ignored: not the first widget) >>".into(),
        format!("<< /FT /Btn /T (TXFDDV_{DE_STOCKOUT}_{DEFAULT_COC}_T4) /V /On /Kids [10 0 R] >>"),
        "<< /Subtype /Widget /Parent 9 0 R /AS /On /Rect [0 0 10 10] >>".into(),
        format!("<< /FT /Tx /T {} /V {} >>", utf16(&field(DE_ARABIC, DEFAULT_COC)), utf16("١٢")),
        "<< /T (grp) /Kids [13 0 R] >>".into(),
        format!("<< /FT /Tx /Parent 12 0 R /T (TXFDDV_{DE_REMARK}_{DEFAULT_COC}) /V (hidden) >>"),
        format!("<< /FT /Tx /T (TXFDDV_{de}_{COC_M_U5}) /V (first) >>"),
        format!("<< /FT /Tx /T (TXFDDV_{de}_{COC_M_U5}) /V (second) >>"),
        format!("<< /Parent 17 0 R /T (TXFDDV_{DE_RESULT}_{DEFAULT_COC}) >>"),
        "<< /FT /Ch /Ff 131072 /V (NEG) /Kids [16 0 R] >>".into(),
    ]
}

#[test]
fn nested_fields_inherited_values_and_utf16_read_as_dhis2_reads_them() {
    let bytes = pdf(&nested_form());
    let mut reader = PdfFormReader::from_bytes(&bytes).unwrap();
    assert_eq!(reader.org_unit(), ORG_UNIT, "trimmed as Java trims");
    assert_eq!(reader.period(), "202401");
    let names: Vec<(&str, FieldKind, &str)> = reader
        .fields()
        .iter()
        .map(|f| (f.name.as_str(), f.kind, f.value.as_str()))
        .collect();
    assert!(names.contains(&(
        &format!("grp.TXFDDV_{DE_REMARK}_{DEFAULT_COC}"),
        FieldKind::Text,
        "hidden"
    )));
    let t = |de: &str, coc: &str, v: &str| (de.to_owned(), coc.to_owned(), Some(v.to_owned()));
    assert_eq!(
        triples(&values(&mut reader)),
        [
            t(DE_CASES, COC_F_U5, "42"),
            t(DE_STOCKOUT, DEFAULT_COC, "true"),
            t(DE_ARABIC, DEFAULT_COC, "١٢"),
            t(DE_CASES, COC_M_U5, "first"),
            t(DE_RESULT, DEFAULT_COC, "NEG"),
        ]
    );
}

#[test]
fn an_incremental_update_wins_over_the_first_save() {
    let objects = nested_form();
    let base = pdf(&objects);
    let changed =
        format!("<< /FT /Tx /T (TXFDDV_{DE_CASES}_{COC_F_U5}) /V (43) /Kids [7 0 R 8 0 R] >>");
    let saved_twice = update(&base, 6, &changed, objects.len() + 1);
    let mut reader = PdfFormReader::from_bytes(&saved_twice).unwrap();
    let read = values(&mut reader);
    assert_eq!(read[0].value(), Some("43"));

    // The same on a generated form saved twice by lopdf (an appended revision).
    let pdf = fill(
        &form(&options()),
        &[("TXFD_OrgID", ORG_UNIT), ("TXFD_PeriodID", "202401")],
    )
    .unwrap();
    let prev = lopdf::Document::load_mem(&pdf).unwrap();
    let target = field(DE_CASES, COC_M_O5);
    let id = prev
        .objects
        .iter()
        .find(|(_, o)| {
            o.as_dict()
                .ok()
                .and_then(|d| d.get(b"T").ok())
                .and_then(|t| t.as_str().ok())
                == Some(target.as_bytes())
        })
        .map(|(id, _)| *id)
        .unwrap();
    let mut incremental = lopdf::IncrementalDocument::create_from(pdf.clone(), prev);
    incremental.opt_clone_object_to_new_document(id).unwrap();
    incremental
        .new_document
        .get_dictionary_mut(id)
        .unwrap()
        .set("V", lopdf::Object::string_literal("99"));
    let mut saved = Vec::new();
    incremental.save_to(&mut saved).unwrap();
    assert!(saved.starts_with(&pdf), "an incremental update appends");
    let mut reader = PdfFormReader::from_bytes(&saved).unwrap();
    assert_eq!(
        triples(&values(&mut reader)),
        [(
            DE_CASES.to_owned(),
            COC_M_O5.to_owned(),
            Some("99".to_owned())
        )]
    );
}

#[test]
fn a_compressed_object_stream_is_read() {
    let mut doc = lopdf::Document::load_mem(&pdf(&nested_form())).unwrap();
    let mut out = Vec::new();
    let save = lopdf::SaveOptions::builder()
        .use_object_streams(true)
        .use_xref_streams(true)
        .build();
    doc.save_with_options(&mut out, save).unwrap();
    assert!(out.windows(7).any(|w| w == b"/ObjStm"));
    let saved = lopdf::Document::load_mem(&out).unwrap();
    assert!(
        matches!(
            saved.reference_table.get(6),
            Some(lopdf::xref::XrefEntry::Compressed { .. })
        ),
        "the data field is inside the compressed stream"
    );
    let mut reader = PdfFormReader::from_bytes(&out).unwrap();
    assert_eq!(values(&mut reader).len(), 5);
}

#[test]
fn a_pdf_without_a_form_is_e8001() {
    let bytes = pdf(&[
        "<< /Type /Catalog /Pages 2 0 R >>".into(),
        "<< /Type /Pages /Kids [] /Count 0 >>".into(),
    ]);
    let err = PdfFormReader::from_bytes(&bytes).unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::NoAcroForm));
    assert_eq!(err.code(), Some("E8001"));
    assert_eq!(err.category(), Category::Data);
}

#[test]
fn a_form_that_is_not_dhis2s_names_the_missing_field() {
    let bytes = pdf(&[
        "<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [3 0 R] >> >>".into(),
        "<< /Type /Pages /Kids [] /Count 0 >>".into(),
        "<< /FT /Tx /T (name) /V (Jane) >>".into(),
    ]);
    let err = PdfFormReader::from_bytes(&bytes).unwrap_err();
    assert_eq!(err.field(), Some("TXFD_OrgID"));
    assert_eq!(
        err.to_string(),
        "field `TXFD_OrgID`: the form has no field `TXFD_OrgID`: it is not a DHIS2 data set form"
    );
}

#[test]
fn damaged_and_truncated_files_fail_cleanly() {
    for bytes in [
        b"%PDF-1.7\n".to_vec(),
        b"%PDF-1.7\n1 0 obj << /Type /Catalog /AcroForm 2 0 R >> endobj trailer << /Root 1 0 R >>"
            .to_vec(),
        b"%PDF-1.4\n\x00\xFF\xFE garbage \x01 obj << <<<< (((( [[[[ endobj".to_vec(),
    ] {
        let err = PdfFormReader::from_bytes(&bytes).unwrap_err();
        assert!(
            matches!(
                err.kind(),
                ErrorKind::Damaged { .. } | ErrorKind::NoAcroForm
            ),
            "{err:?}"
        );
        assert!(err.code().is_some());
    }
    // Every prefix of a real form: an error or (the parser repairs what it can) a reading.
    let full = fill(
        &form(&options()),
        &[("TXFD_OrgID", ORG_UNIT), ("TXFD_PeriodID", "202401")],
    )
    .unwrap();
    for cut in (0..full.len()).step_by(97) {
        let _ = PdfFormReader::from_bytes(&full[..cut]);
    }
    // Flipped bytes anywhere.
    for (i, at) in (0..full.len()).step_by(131).enumerate() {
        let mut bytes = full.clone();
        bytes[at] ^= 0x55 + (i % 7) as u8;
        let _ = PdfFormReader::from_bytes(&bytes);
    }
}

#[test]
fn bytes_that_are_not_a_pdf_are_e8006() {
    let err = PdfFormReader::from_bytes(b"{}").unwrap_err();
    assert_eq!(err.code(), Some("E8006"));
    assert_eq!(err.category(), Category::Syntax);
    let err = PdfFormReader::from_reader(&b""[..]).unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::NotPdf));
}

#[test]
fn a_file_over_the_bound_is_refused_before_parsing() {
    let pdf = form(&options());
    let err = PdfFormReader::builder()
        .max_bytes(1000)
        .from_reader(&pdf[..])
        .unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::TooLarge { limit: 1000 }));
    assert_eq!(err.category(), Category::Limit);
}

fn encrypted(pdf: &[u8], user_password: &str) -> Vec<u8> {
    use lopdf::{EncryptionState, EncryptionVersion, Permissions};
    let mut doc = lopdf::Document::load_mem(pdf).unwrap();
    let version = EncryptionVersion::V2 {
        document: &doc,
        owner_password: "owner",
        user_password,
        key_length: 128,
        permissions: Permissions::all(),
    };
    let state = EncryptionState::try_from(version).unwrap();
    doc.encrypt(&state).unwrap();
    let mut out = Vec::new();
    doc.save_to(&mut out).unwrap();
    out
}

#[test]
fn encrypted_forms_open_with_their_password_and_fail_clearly_without() {
    let filled = fill(
        &form(&options()),
        &[
            ("TXFD_OrgID", ORG_UNIT),
            ("TXFD_PeriodID", "202401"),
            (&field(DE_CASES, COC_F_O5), "5"),
        ],
    )
    .unwrap();
    let expected = [(
        DE_CASES.to_owned(),
        COC_F_O5.to_owned(),
        Some("5".to_owned()),
    )];

    // An empty user password (owner-restricted forms): read as it is, as DHIS2 does.
    let open = encrypted(&filled, "");
    assert!(open.windows(8).any(|w| w == b"/Encrypt"));
    let mut reader = PdfFormReader::from_bytes(&open).unwrap();
    assert_eq!(triples(&values(&mut reader)), expected);

    let locked = encrypted(&filled, "secret");
    let err = PdfFormReader::from_bytes(&locked).unwrap_err();
    assert!(
        matches!(
            err.kind(),
            ErrorKind::Encrypted {
                password_given: false
            }
        ),
        "{err:?}"
    );
    assert_eq!(err.code(), Some("E8006"));
    assert_eq!(err.category(), Category::Unsupported);
    let err = PdfFormReader::builder()
        .password("wrong")
        .from_bytes(&locked)
        .unwrap_err();
    assert!(
        matches!(
            err.kind(),
            ErrorKind::Encrypted {
                password_given: true
            }
        ),
        "{err:?}"
    );
    let mut reader = PdfFormReader::builder()
        .password("secret")
        .from_bytes(&locked)
        .unwrap();
    assert_eq!(triples(&values(&mut reader)), expected);
}

#[test]
fn reference_cycles_and_deep_nesting_end() {
    let mut objects = vec![
        "<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [3 0 R 4 0 R 5 0 R 6 0 R] >> >>"
            .into(),
        "<< /Type /Pages /Kids [] /Count 0 >>".into(),
        "<< /T (loop) /Kids [3 0 R] >>".into(),
        "<< /FT /Tx /T (TXFD_OrgID) /V (ou) >>".into(),
        "<< /FT /Tx /T (TXFD_PeriodID) /V (202401) >>".to_string(),
    ];
    // A chain of 200 parents.
    let first = objects.len() + 1;
    for i in 0..200 {
        objects.push(format!("<< /T (n{i}) /Kids [{} 0 R] >>", first + i + 1));
    }
    objects.push("<< /FT /Tx /T (deep) /V (x) >>".into());
    let mut reader = PdfFormReader::builder()
        .empty_fields(EmptyFields::Keep)
        .from_bytes(&pdf(&objects))
        .unwrap();
    assert_eq!(values(&mut reader).len(), 0);
}

#[test]
fn bad_data_field_names_are_named() {
    let bytes = pdf(&[
        "<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [3 0 R 4 0 R 5 0 R] >> >>".into(),
        "<< /Type /Pages /Kids [] /Count 0 >>".into(),
        "<< /FT /Tx /T (TXFD_OrgID) /V (ou) >>".into(),
        "<< /FT /Tx /T (TXFD_PeriodID) /V (202401) >>".into(),
        "<< /FT /Tx /T (TXFDDV_onlyOnePart) /V (1) >>".into(),
    ]);
    for profile in [ImporterProfile::Classic, ImporterProfile::Pipeline] {
        let err = PdfFormReader::builder()
            .profile(profile)
            .from_bytes(&bytes)
            .unwrap_err();
        assert_eq!(err.field(), Some("TXFDDV_onlyOnePart"));
        assert!(matches!(err.kind(), ErrorKind::BadFieldName { .. }));
    }
}
