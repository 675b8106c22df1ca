//! DHIS2's refusals of ADX documents and mappings: the messages DHIS2 gives, and where in the
//! file (`../shared/spec/adx-spec.md` §3, §5).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use adx::{AdxSourceBuilder, Error, ErrorKind};
use common::{fixture, import};
use dxf2_model::metadata::{Category, CategoryOptionCombo};
use dxf2_model::{
    DataValue, DataValueSource, IdScheme, IdSchemes, ImportStatus, ImporterProfile, Metadata, Uid,
};

fn read_with(
    md: &Metadata,
    xml: &str,
    profile: ImporterProfile,
    request: IdSchemes,
    strict: bool,
) -> Result<Vec<DataValue>, Error> {
    let mut source = AdxSourceBuilder::new()
        .profile(profile)
        .id_schemes(request)
        .strict(strict)
        .build(md, xml.as_bytes());
    source.values().collect()
}

fn read(xml: &str) -> Result<Vec<DataValue>, Error> {
    read_with(
        &fixture(),
        xml,
        ImporterProfile::Classic,
        IdSchemes::default(),
        false,
    )
}

/// The error of a classic read, as `line:column group value: message`.
fn refusal(xml: &str) -> String {
    let e = read(xml).unwrap_err();
    where_and_what(&e)
}

fn where_and_what(e: &Error) -> String {
    let at = |v: Option<u64>| v.map_or("-".to_owned(), |v| v.to_string());
    format!(
        "{}:{} g{} v{}: {}",
        at(e.line()),
        at(e.column()),
        at(e.group_index()),
        at(e.value_index()),
        e.dhis2_message()
    )
}

const G: &str = r#"dataSet="MalariaDS" period="2020-01-01/P1M" orgUnit="123""#;

#[test]
fn group_refusals() {
    assert_eq!(
        refusal("<adx>\n  <group orgUnit=\"123\"/>\n</adx>"),
        "2:3 g0 v-: period attribute is required on 'group'"
    );
    assert_eq!(
        refusal("<adx><group period=\"2020-01-01/P1M\"/></adx>"),
        "1:6 g0 v-: orgUnit attribute is required on 'group'"
    );
    assert_eq!(
        refusal("<adx><group period=\"2020-01-07/P7D\" orgUnit=\"123\"/></adx>"),
        "1:6 g0 v-: P7D is not a supported duration type"
    );
    assert_eq!(
        refusal(&format!("<adx><group {G}/><group dataSet=\"Nope\" period=\"2020-01-01/P1M\" orgUnit=\"123\"/></adx>")),
        "1:72 g1 v-: No data set matching code 'Nope'"
    );
    assert_eq!(
        refusal("<adx><group dataSet=\"MalariaMechanismDS\" period=\"2020-01-01/P3M\" orgUnit=\"456\"/></adx>"),
        "1:6 g0 v-: Category combo Mechanism Category Combo must have Mechanism_category"
    );
    assert_eq!(
        refusal("<adx><group dataSet=\"MalariaMechanismDS\" mechanism=\"X\" period=\"2020-01-01/P3M\" orgUnit=\"456\"/></adx>"),
        "1:6 g0 v-: Invalid attributes: {mechanism=X}"
    );
    // An explicit attribute option combo wins: no explosion, no check.
    let values = read(
        "<adx><group dataSet=\"MalariaMechanismDS\" attributeOptionCombo=\"any\" period=\"2020-01-01/P3M\" orgUnit=\"456\">\
         <dataValue dataElement=\"Mal_text\" value=\"0\"><annotation>t</annotation></dataValue></group></adx>",
    )
    .unwrap();
    assert_eq!(values[0].attribute_option_combo(), Some("any"));
    // Without a data set the category attributes are ignored.
    let values = read(
        "<adx><group mechanism=\"X\" period=\"2020-01-01/P3M\" orgUnit=\"456\">\
         <dataValue dataElement=\"Mal_text\" value=\"0\"><annotation>t</annotation></dataValue></group></adx>",
    )
    .unwrap();
    assert_eq!(values[0].attribute_option_combo(), None);
}

#[test]
fn value_refusals() {
    let doc = |value: &str| format!("<adx>\n<group {G}>\n{value}\n</group></adx>");
    assert_eq!(
        refusal(&doc("<dataValue value=\"1\"/>")),
        "3:1 g0 v0: dataElement attribute is required on 'dataValue'"
    );
    assert_eq!(
        refusal(&doc("<dataValue dataElement=\"Mal_num\"/>")),
        "3:1 g0 v0: value attribute is required on 'dataValue'"
    );
    assert_eq!(
        refusal(&doc("<dataValue dataElement=\"Mal_text\" value=\"0\"/><dataValue dataElement=\" Nope \" value=\"1\"/>")),
        "3:1 g0 v0: DataElement expects text annotation"
    );
    assert_eq!(
        refusal(&doc("<dataValue dataElement=\" Nope \" value=\"1\"/>")),
        "3:1 g0 v0: No data element matching code 'Nope'"
    );
    assert_eq!(
        refusal(&doc(
            "<dataValue dataElement=\"Mal_num\" sex=\"F\" value=\"1\"/>"
        )),
        "3:1 g0 v0: Category combo Age and Sex Category Combo must have Age_category"
    );
    assert_eq!(
        refusal(&doc(
            "<dataValue dataElement=\"Mal_num\" sex=\"X\" age=\"under5\" value=\"1\"/>"
        )),
        "3:1 g0 v0: Invalid attributes: {sex=X, age=under5}"
    );
    let e = read(&doc(
        "<dataValue dataElement=\"Mal_num\" sex=\"X\" age=\"under5\" value=\"1\"/>",
    ))
    .unwrap_err();
    assert_eq!(
        e.to_string(),
        "line 3, column 1 (group #1, value #1, index 0): Invalid attributes: {sex=X, age=under5}"
    );
    // An empty annotation is no value; a numeric element ignores its annotation.
    let values = read(&doc(
        "<dataValue dataElement=\"Mal_text\" value=\"0\"><annotation/></dataValue>\
         <dataValue dataElement=\"Mal_num\" sex=\"F\" age=\"under5\" value=\"7\" comment=\"c\" followup=\"TRUE\" deleted=\"no\"><annotation>x</annotation></dataValue>",
    ))
    .unwrap();
    assert_eq!(values[0].value(), None);
    assert_eq!(values[0].followup(), Some(false));
    assert_eq!(values[0].deleted(), None);
    assert_eq!(values[1].value(), Some("7"));
    assert_eq!(values[1].category_option_combo(), Some("F_Under5"));
    assert_eq!(values[1].comment(), Some("c"));
    assert_eq!(
        (values[1].followup(), values[1].deleted()),
        (Some(true), Some(false))
    );
}

#[test]
fn category_identifiers_must_be_xml_names() {
    let mut md = fixture();
    md.update::<Category>(&Uid::parse("ageeeeeeeee").unwrap(), |c| {
        c.id.name = Some("Age group".into())
    });
    let request = IdSchemes {
        category: Some(IdScheme::Name),
        ..IdSchemes::default()
    };
    let xml =
        format!("<adx><group {G}><dataValue dataElement=\"Mal_num\" value=\"1\"/></group></adx>");
    let e = read_with(&md, &xml, ImporterProfile::Classic, request, false).unwrap_err();
    assert_eq!(
        e.dhis2_message(),
        "Category NAME for Age group is missing or invalid: Age group"
    );
}

#[test]
fn option_combos_without_the_identifier_land_on_the_default_unless_strict() {
    let mut md = fixture();
    md.update::<CategoryOptionCombo>(&Uid::parse("FUnder55555").unwrap(), |c| c.id.code = None);
    let xml = format!("<adx><group {G}><dataValue dataElement=\"Mal_num\" sex=\"F\" age=\"under5\" value=\"1\"/></group></adx>");
    let values = read_with(
        &md,
        &xml,
        ImporterProfile::Classic,
        IdSchemes::default(),
        false,
    )
    .unwrap();
    assert_eq!(values[0].category_option_combo(), None);
    let e = read_with(
        &md,
        &xml,
        ImporterProfile::Classic,
        IdSchemes::default(),
        true,
    )
    .unwrap_err();
    assert!(
        matches!(e.kind(), ErrorKind::OptionComboWithoutIdentifier { .. }),
        "{e}"
    );
    assert_eq!(
        e.dhis2_message(),
        "category option combo `Female Under 5` (FUnder55555) has no CODE: the value cannot be handed on"
    );
}

#[test]
fn documents_dhis2_refuses_or_accepts_whole() {
    // An empty ADX document is a successful import of nothing.
    let md = fixture();
    let done = import(
        &md,
        b"<adx xmlns=\"urn:ihe:qrph:adx:2015\"></adx>",
        ImporterProfile::Classic,
        IdSchemes::default(),
        None,
    );
    assert_eq!(done.outcome.summary.status, ImportStatus::Success);
    // No adx element: "The import process failed: null".
    let done = import(
        &md,
        b"<dataValueSet/>",
        ImporterProfile::Classic,
        IdSchemes::default(),
        None,
    );
    assert_eq!(done.outcome.summary.status, ImportStatus::Error);
    let e = read("<dataValueSet/>").unwrap_err();
    assert_eq!(
        e.dhis2_description(ImporterProfile::Classic).as_deref(),
        Some("The import process failed: null")
    );
    // No DTD is read, no external entity fetched.
    let e = read(
        "<!DOCTYPE adx [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>\n<adx><group period=\"&x;\" orgUnit=\"1\"/></adx>",
    )
    .unwrap_err();
    assert!(
        matches!(e.kind(), ErrorKind::InvalidReference { reference, .. } if reference == "x"),
        "{e}"
    );
    assert_eq!(e.line(), Some(2));
    // A mapping error fails the import as a whole: nothing is written.
    let xml = format!("<adx><group {G}><dataValue dataElement=\"Mal_num\" sex=\"F\" age=\"under5\" value=\"1\"/><dataValue dataElement=\"Nope\" value=\"1\"/></group></adx>");
    let done = import(
        &md,
        xml.as_bytes(),
        ImporterProfile::Classic,
        IdSchemes::default(),
        None,
    );
    assert_eq!(done.outcome.summary.status, ImportStatus::Error);
    assert!(done.rows.is_empty());
}

#[test]
fn pipeline_refusals() {
    let md = fixture();
    let pipeline = |xml: &str| {
        let request = IdSchemes {
            id_scheme: Some(IdScheme::Code),
            ..IdSchemes::default()
        };
        read_with(&md, xml, ImporterProfile::Pipeline, request, false).unwrap_err()
    };
    let e = pipeline("<adx><group orgUnit=\"123\"/></adx>");
    assert!(matches!(e.kind(), ErrorKind::MissingPeriod), "{e}");
    assert_eq!(
        e.dhis2_description(ImporterProfile::Pipeline).as_deref(),
        Some("Post-condition was null")
    );
    let e = pipeline(
        "<adx><group period=\"2020-01-01/P1M\" orgUnit=\"123\" mechanism=\"PEPFAR\"/></adx>",
    );
    assert_eq!(
        where_and_what(&e),
        "1:6 g0 v-: Value #* data set is required to decode category options: `{mechanism=PEPFAR}`"
    );
    let e = pipeline("<adx><group period=\"2020-01-01/P1M\" orgUnit=\"123\"><dataValue dataElement=\"Mal_num\" sex=\"F\" age=\"under5\" value=\"1\"/></group></adx>");
    assert_eq!(where_and_what(&e), "1:51 g0 v0: Value #0 data set is required to decode category options: `{sex=F, age=under5}`");
    assert_eq!(e.dhis2_code(), Some("E8101"));
    let e = pipeline(&format!("<adx><group {G}><dataValue dataElement=\"Mal_num\" sex=\"F\" age=\"X\" value=\"1\"/></group></adx>"));
    assert_eq!(
        e.dhis2_message(),
        "Value #0 category option combo not found: `{sex=F, age=X}`"
    );
    let e =
        pipeline("<adx><group dataSet=\"Nope\" period=\"2020-01-01/P1M\" orgUnit=\"123\"/></adx>");
    assert_eq!(e.dhis2_message(), "Data set not found: `Nope`");
    let e = pipeline(&format!("<adx><group {G}/><group dataSet=\"MalariaMechanismDS\" period=\"2020-01-01/P3M\" orgUnit=\"123\"/></adx>"));
    assert!(matches!(e.kind(), ErrorKind::SeveralDataSets { .. }), "{e}");
    // Categories as a set, the annotation as the value, no CODE default.
    let values = read_with(
        &md,
        &format!("<adx><group {G}><dataValue dataElement=\"Mal_num\" age=\"under5\" sex=\"F\"><annotation>9</annotation></dataValue></group></adx>"),
        ImporterProfile::Pipeline,
        IdSchemes { id_scheme: Some(IdScheme::Code), ..IdSchemes::default() },
        false,
    )
    .unwrap();
    assert_eq!(values[0].value(), Some("9"));
    assert_eq!(values[0].category_option_combo(), Some("F_Under5"));
    let e = read_with(
        &md,
        &format!("<adx><group {G}/></adx>"),
        ImporterProfile::Pipeline,
        IdSchemes::default(),
        false,
    )
    .unwrap_err();
    assert_eq!(e.dhis2_message(), "Data set UID not valid: `MalariaDS`");
}
