// The body of the value-note tests (included by `tests/positions.rs` and by the store crates'
// `engine_positions.rs`).

use common::import::*;
use common::store::*;
use dxf2_model::{
    BoxError, DataValue, DataValueSetHeader, DataValueSource, Field, ImportOptions, ImportStatus,
    ImportStrategy, ImportSummary, ImporterProfile, Metadata, TextPosition,
};
use idscheme_resolver::MetadataResolver;
use import_engine::{ImportOutcome, Importer, Superuser, UserAccess};

const DE_A: &str = "f7n9E0hX8qk";
const OU_A: &str = "DiszpKrYNg8";
const DS_A: &str = "pBOMPrpg1QX";
const NS: &str = "http://dhis2.org/schema/dxf/2.0";

/// A source that hides its reader's value positions.
struct NoPositions<S>(S);

impl<S: DataValueSource> DataValueSource for NoPositions<S> {
    type Error = S::Error;
    fn header(&self) -> &DataValueSetHeader {
        self.0.header()
    }
    fn read_value(&mut self, record: &mut DataValue) -> Result<bool, S::Error> {
        self.0.read_value(record)
    }
}

#[derive(Clone, Copy, Debug)]
enum Format {
    Xml,
    Json,
    Csv,
}

fn leak(text: &str) -> &'static [u8] {
    Box::leak(text.to_owned().into_boxed_str()).as_bytes()
}

/// Imports `text` as `format` with the profile's reader, as `user` (a superuser when `None`);
/// with `positions` false the reader's positions are hidden.
fn import(
    md: &Metadata,
    user: Option<&str>,
    format: Format,
    text: &str,
    options: &ImportOptions,
    positions: bool,
) -> ImportOutcome {
    let superuser = Superuser::default();
    let named;
    let access: &dyn import_engine::AccessPolicy = match user {
        Some(name) => {
            named = UserAccess::by_username(md, name).unwrap();
            &named
        }
        None => &superuser,
    };
    let importer = Importer::new(md, access).with_now(now());
    let mut resolver = MetadataResolver::new(md);
    let mut store = fresh_store();
    let bytes = leak(text);
    let profile = options.profile;
    let mut source: Box<dyn DataValueSource<Error = BoxError>> = match (format, positions) {
        (Format::Xml, true) => dxf2_xml::Reader::with_profile(bytes, profile)
            .unwrap()
            .boxed(),
        (Format::Xml, false) => {
            NoPositions(dxf2_xml::Reader::with_profile(bytes, profile).unwrap()).boxed()
        }
        (Format::Json, true) => dxf2_json::Reader::with_profile(bytes, profile)
            .unwrap()
            .boxed(),
        (Format::Json, false) => {
            NoPositions(dxf2_json::Reader::with_profile(bytes, profile).unwrap()).boxed()
        }
        (Format::Csv, true) => dxf2_csv::ReaderBuilder::from_options(options)
            .from_reader(bytes)
            .unwrap()
            .boxed(),
        (Format::Csv, false) => NoPositions(
            dxf2_csv::ReaderBuilder::from_options(options)
                .from_reader(bytes)
                .unwrap(),
        )
        .boxed(),
    };
    importer.import(&mut source, options, &mut resolver, &mut store, &mut |_| {})
}

fn json_doc(s: &ImportSummary) -> Vec<u8> {
    let mut out = Vec::new();
    dxf2_json::write_import_summary(&mut out, s).unwrap();
    out
}

fn xml_doc(s: &ImportSummary) -> Vec<u8> {
    let mut out = Vec::new();
    dxf2_xml::write_import_summary(&mut out, s).unwrap();
    out
}

/// Imports `text` with and without positions; asserts that DHIS2's summary documents are the
/// same and that the notes differ only in their positions. Returns the run with positions.
fn checked(
    md: &Metadata,
    user: Option<&str>,
    format: Format,
    text: &str,
    options: &ImportOptions,
) -> ImportOutcome {
    let with = import(md, user, format, text, options, true);
    let without = import(md, user, format, text, options, false);
    assert_eq!(
        String::from_utf8(json_doc(&with.summary)).unwrap(),
        String::from_utf8(json_doc(&without.summary)).unwrap(),
        "{format:?}"
    );
    assert_eq!(
        String::from_utf8(xml_doc(&with.summary)).unwrap(),
        String::from_utf8(xml_doc(&without.summary)).unwrap(),
        "{format:?}"
    );
    assert_eq!(
        with.value_notes.keys().collect::<Vec<_>>(),
        without.value_notes.keys().collect::<Vec<_>>()
    );
    for (index, note) in &without.value_notes {
        assert_eq!(note.position, None);
        let positioned = &with.value_notes[index];
        assert_eq!((positioned.field, &positioned.raw), (note.field, &note.raw));
    }
    with
}

/// `(index, line, column, field, raw)` of every note.
type Expected<'a> = (i64, u64, u64, Option<Field>, Option<&'a str>);

fn assert_notes(outcome: &ImportOutcome, expected: &[Expected<'_>]) {
    let found: Vec<Expected<'_>> = outcome
        .value_notes
        .iter()
        .map(|(i, n)| {
            let p = n.position.expect("a position");
            (*i, p.line, p.column, n.field, n.raw.as_deref())
        })
        .collect();
    assert_eq!(found, expected, "{:#?}", outcome.summary);
}

fn codes_of(s: &ImportSummary) -> Vec<(String, Vec<i64>)> {
    codes(s)
}

// ---------------------------------------------------------------------------------------------
// Classic (2.36–2.42), fixture C, as a superuser
// ---------------------------------------------------------------------------------------------

fn classic_md() -> Metadata {
    fixture("fixture_c.json")
}

/// The classic expectations shared by the three formats: value 1 is not an integer, value 2
/// names an unknown data element, value 3 has a period that does not exist.
fn assert_classic_conflicts(outcome: &ImportOutcome) {
    let s = &outcome.summary;
    assert_eq!(s.status, ImportStatus::Warning, "{s:#?}");
    assert_eq!(
        codes_of(s),
        [
            ("E7619".to_owned(), vec![1]),
            ("E7610".to_owned(), vec![2]),
            ("E7611".to_owned(), vec![3]),
        ]
    );
    assert_eq!(s.rejected_indexes, [1, 2, 3]);
    // DHIS2's texts unchanged: E7619 names the data element and the error, not the value.
    assert_eq!(
        s.conflicts[0].value,
        "Value must match value type of data element `f7n9E0hX8qk`: `Data value is not an integer`"
    );
}

#[test]
fn classic_xml_notes_give_line_column_and_string() {
    if store_skipped() {
        return;
    }
    let xml = format!(
        r#"<dataValueSet xmlns="{NS}">
  <dataValue dataElement="{DE_A}" period="201201" orgUnit="{OU_A}" value="1"/>
  <dataValue dataElement="{DE_A}" period="201202" orgUnit="{OU_A}" value="x"/>
  <dataValue dataElement="nonEx1sting" period="201203" orgUnit="{OU_A}" value="1"/>
    <dataValue dataElement="{DE_A}" period="2012W54" orgUnit="{OU_A}" value="1"/>
</dataValueSet>
"#
    );
    let o = ImportOptions::default();
    let outcome = checked(&classic_md(), None, Format::Xml, &xml, &o);
    assert_classic_conflicts(&outcome);
    assert_notes(
        &outcome,
        &[
            (1, 3, 3, Some(Field::Value), Some("x")),
            (2, 4, 3, Some(Field::DataElement), Some("nonEx1sting")),
            (3, 5, 5, Some(Field::Period), Some("2012W54")),
        ],
    );
    assert_eq!(
        outcome.note(1).unwrap().to_string(),
        "line 3, column 3: value `x`"
    );
    assert_eq!(
        outcome.position(2),
        Some(TextPosition { line: 4, column: 3 })
    );
    assert_eq!(outcome.note(0), None);
}

#[test]
fn classic_json_notes_give_line_column_and_string() {
    if store_skipped() {
        return;
    }
    let json = format!(
        r#"{{"dataValues": [
  {{"dataElement": "{DE_A}", "period": "201201", "orgUnit": "{OU_A}", "value": "1"}},
  {{"dataElement": "{DE_A}", "period": "201202", "orgUnit": "{OU_A}", "value": "x"}},
  {{"dataElement": "nonEx1sting", "period": "201203", "orgUnit": "{OU_A}", "value": "1"}},
     {{"dataElement": "{DE_A}", "period": "2012W54", "orgUnit": "{OU_A}", "value": "1"}}
]}}
"#
    );
    let o = ImportOptions::default();
    let outcome = checked(&classic_md(), None, Format::Json, &json, &o);
    assert_classic_conflicts(&outcome);
    assert_notes(
        &outcome,
        &[
            (1, 3, 3, Some(Field::Value), Some("x")),
            (2, 4, 3, Some(Field::DataElement), Some("nonEx1sting")),
            (3, 5, 6, Some(Field::Period), Some("2012W54")),
        ],
    );
}

#[test]
fn classic_csv_notes_give_the_record_line() {
    if store_skipped() {
        return;
    }
    let csv = format!(
        "dataelement,period,orgunit,catoptcombo,attroptcombo,value\n\
         {DE_A},201201,{OU_A},,,1\n\
         {DE_A},201202,{OU_A},,,x\n\
         nonEx1sting,201203,{OU_A},,,1\n\
         {DE_A},2012W54,{OU_A},,,1\n"
    );
    let o = ImportOptions::default();
    let outcome = checked(&classic_md(), None, Format::Csv, &csv, &o);
    assert_classic_conflicts(&outcome);
    assert_notes(
        &outcome,
        &[
            (1, 3, 1, Some(Field::Value), Some("x")),
            (2, 4, 1, Some(Field::DataElement), Some("nonEx1sting")),
            (3, 5, 1, Some(Field::Period), Some("2012W54")),
        ],
    );
}

#[test]
fn classic_null_period_note_names_the_set_level_period() {
    if store_skipped() {
        return;
    }
    // The set-level period does not parse; the values have none of their own. DHIS2 says
    // "Period not valid: `null`"; the note says which string was wrong.
    let xml = format!(
        r#"<dataValueSet xmlns="{NS}" period="202413">
  <dataValue dataElement="{DE_A}" orgUnit="{OU_A}" value="1"/>
  <dataValue dataElement="{DE_A}" orgUnit="{OU_A}" value="2"/>
</dataValueSet>"#
    );
    let o = ImportOptions::default();
    let outcome = checked(&classic_md(), None, Format::Xml, &xml, &o);
    let s = &outcome.summary;
    assert_eq!(codes_of(s), [("E7611".to_owned(), vec![0, 1])]);
    assert_eq!(s.conflicts[0].value, "Period not valid: `null`");
    assert_notes(
        &outcome,
        &[
            (0, 2, 3, Some(Field::Period), Some("202413")),
            (1, 3, 3, Some(Field::Period), Some("202413")),
        ],
    );
    assert_eq!(
        outcome.note(0).unwrap().to_string(),
        "line 2, column 3: period `202413`"
    );
}

#[test]
fn classic_missing_strings_and_rejections_without_conflict_are_noted() {
    if store_skipped() {
        return;
    }
    let md = classic_md();
    let mut o = ImportOptions::default();
    o.require_category_option_combo = true;
    let xml = format!(
        r#"<dataValueSet xmlns="{NS}">
  <dataValue dataElement="{DE_A}" period="201201" orgUnit="{OU_A}"/>
  <dataValue dataElement="{DE_A}" period="201202" orgUnit="{OU_A}" value="3"/>
</dataValueSet>"#
    );
    let outcome = checked(&md, None, Format::Xml, &xml, &o);
    assert_eq!(
        codes_of(&outcome.summary),
        [("E7618".to_owned(), vec![0]), ("E7630".to_owned(), vec![1])]
    );
    assert_notes(
        &outcome,
        &[
            (0, 2, 3, Some(Field::Value), None),
            (1, 3, 3, Some(Field::CategoryOptionCombo), None),
        ],
    );
    assert_eq!(
        outcome.note(0).unwrap().to_string(),
        "line 2, column 3: value missing"
    );

    // CREATE over a stored value rejects it without a conflict (rejectedIndexes only): its
    // position is noted, with no field.
    let mut store = fresh_store();
    let access = Superuser::default();
    let importer = Importer::new(&md, &access).with_now(now());
    let one = format!(
        r#"<dataValueSet xmlns="{NS}">
<dataValue dataElement="{DE_A}" period="201201" orgUnit="{OU_A}" value="1"/>
</dataValueSet>"#
    );
    let mut create = ImportOptions::default();
    let mut resolver = MetadataResolver::new(&md);
    let mut first = dxf2_xml::Reader::new(leak(&one)).unwrap();
    importer.import(&mut first, &create, &mut resolver, &mut store, &mut |_| {});
    create.strategy = ImportStrategy::Create;
    let mut again = dxf2_xml::Reader::new(leak(&one)).unwrap();
    let outcome = importer.import(&mut again, &create, &mut resolver, &mut store, &mut |_| {});
    assert!(outcome.summary.conflicts.is_empty());
    assert_eq!(outcome.summary.rejected_indexes, [0]);
    let note = outcome.note(0).unwrap();
    assert_eq!((note.field, note.raw.as_deref()), (None, None));
    assert_eq!(note.to_string(), "line 2, column 1");
}

#[test]
fn classic_long_strings_are_cut_in_notes_only() {
    if store_skipped() {
        return;
    }
    let long = "9".repeat(300) + "x";
    let xml = format!(
        r#"<dataValueSet xmlns="{NS}">
<dataValue dataElement="{DE_A}" period="201201" orgUnit="{OU_A}" value="{long}"/>
</dataValueSet>"#
    );
    let outcome = checked(
        &classic_md(),
        None,
        Format::Xml,
        &xml,
        &ImportOptions::default(),
    );
    let raw = outcome.note(0).unwrap().raw.clone().unwrap();
    assert_eq!(raw.chars().count(), import_engine::MAX_NOTE_CHARS + 1);
    assert!(raw.ends_with('…') && raw.starts_with("999"));
}

// ---------------------------------------------------------------------------------------------
// 2.43+ pipeline, fixture M, as the admin superuser
// ---------------------------------------------------------------------------------------------

const ADMIN: Option<&str> = Some("admin");

fn pipeline() -> ImportOptions {
    let mut o = ImportOptions::default();
    o.strategy = ImportStrategy::CreateAndUpdate;
    o.profile = ImporterProfile::Pipeline;
    o
}

fn pipeline_md() -> Metadata {
    fixture("fixture_m.json")
}

#[test]
fn pipeline_value_errors_are_noted_in_every_format() {
    if store_skipped() {
        return;
    }
    let md = pipeline_md();
    let xml = format!(
        r#"<dataValueSet xmlns="{NS}" dataSet="{DS_A}">
  <dataValue dataElement="{DE_A}" period="201201" orgUnit="{OU_A}" value="1"/>
  <dataValue dataElement="{DE_A}" period="201202" orgUnit="{OU_A}" value="x"/>
</dataValueSet>"#
    );
    let json = format!(
        r#"{{"dataSet": "{DS_A}", "dataValues": [
  {{"dataElement": "{DE_A}", "period": "201201", "orgUnit": "{OU_A}", "value": "1"}},
  {{"dataElement": "{DE_A}", "period": "201202", "orgUnit": "{OU_A}", "value": "x"}}
]}}"#
    );
    let csv = format!(
        "dataElement,period,orgUnit,value\n{DE_A},201201,{OU_A},1\n{DE_A},201202,{OU_A},x\n"
    );
    let mut o = pipeline();
    for (format, text, column) in [
        (Format::Xml, &xml, 3),
        (Format::Json, &json, 3),
        (Format::Csv, &csv, 1),
    ] {
        o.data_set = matches!(format, Format::Csv).then(|| DS_A.to_owned());
        let outcome = checked(&md, ADMIN, format, text, &o);
        let s = &outcome.summary;
        assert_eq!(codes_of(s), [("E8122".to_owned(), vec![1])], "{format:?}");
        assert_eq!(
            s.conflicts[0].value,
            "Value #1 value `x` is no valid INTEGER: value_not_integer"
        );
        assert_notes(&outcome, &[(1, 3, column, Some(Field::Value), Some("x"))]);
    }
}

#[test]
fn pipeline_decoding_error_notes_the_value_behind_index_minus_one() {
    if store_skipped() {
        return;
    }
    let md = pipeline_md();
    let xml = format!(
        r#"<dataValueSet xmlns="{NS}" dataSet="{DS_A}">
  <dataValue dataElement="{DE_A}" period="201201" orgUnit="{OU_A}" value="1"/>
  <dataValue dataElement="DE_A" period="201202" orgUnit="{OU_A}" value="2"/>
</dataValueSet>"#
    );
    let outcome = checked(&md, ADMIN, Format::Xml, &xml, &pipeline());
    let s = &outcome.summary;
    assert_eq!(codes_of(s), [("E8104".to_owned(), vec![-1])]);
    assert_eq!(
        s.conflicts[0].value,
        "Value #1 data element UID not valid: `DE_A`"
    );
    assert_notes(
        &outcome,
        &[(1, 3, 3, Some(Field::DataElement), Some("DE_A"))],
    );
}

#[test]
fn pipeline_group_failure_notes_the_first_value_holding_each_listed_object() {
    if store_skipped() {
        return;
    }
    let md = pipeline_md();
    let json = format!(
        r#"{{"dataSet": "{DS_A}", "dataValues": [
  {{"dataElement": "{DE_A}", "period": "201201", "orgUnit": "{OU_A}", "value": "1"}},
  {{"dataElement": "nonEx1sting", "period": "201201", "orgUnit": "{OU_A}", "value": "1"}},
  {{"dataElement": "nonEx1sting", "period": "201202", "orgUnit": "{OU_A}", "value": "1"}},
  {{"dataElement": "nonExisting", "period": "201202", "orgUnit": "{OU_A}", "value": "1"}}
]}}"#
    );
    let outcome = checked(&md, ADMIN, Format::Json, &json, &pipeline());
    let s = &outcome.summary;
    assert_eq!(s.status, ImportStatus::Error);
    assert_eq!(codes_of(s), [("E8020".to_owned(), vec![0, 1, 2, 3])]);
    assert_eq!(
        s.conflicts[0].value,
        "Data set pBOMPrpg1QX not usable with data element(s): `[nonEx1sting, nonExisting]`"
    );
    // One note per data element listed (not one per value of the group).
    assert_notes(
        &outcome,
        &[
            (1, 3, 3, Some(Field::DataElement), Some("nonEx1sting")),
            (3, 5, 3, Some(Field::DataElement), Some("nonExisting")),
        ],
    );
}

#[test]
fn pipeline_atomic_failure_notes_its_value_errors() {
    if store_skipped() {
        return;
    }
    let md = pipeline_md();
    let xml = format!(
        r#"<dataValueSet xmlns="{NS}" dataSet="{DS_A}">
  <dataValue dataElement="{DE_A}" period="201201" orgUnit="{OU_A}" value="1"/>
  <dataValue dataElement="{DE_A}" period="201202" orgUnit="{OU_A}" value="x"/>
</dataValueSet>"#
    );
    let mut o = pipeline();
    o.atomic = true;
    let outcome = checked(&md, ADMIN, Format::Xml, &xml, &o);
    assert_eq!(
        codes_of(&outcome.summary),
        [("E8000".to_owned(), vec![0, 1])]
    );
    assert_notes(&outcome, &[(1, 3, 3, Some(Field::Value), Some("x"))]);
}
