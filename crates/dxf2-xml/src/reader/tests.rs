//! Unit tests of the data value set reader.

use super::*;
use crate::Category;

fn read(
    xml: &str,
    profile: ImporterProfile,
) -> Result<(DataValueSetHeader, Vec<DataValue>), Error> {
    let mut reader = Reader::with_profile(xml.as_bytes(), profile)?;
    let values = reader.values().collect::<Result<Vec<_>, _>>()?;
    Ok((reader.header().clone(), values))
}

fn classic(xml: &str) -> (DataValueSetHeader, Vec<DataValue>) {
    read(xml, ImporterProfile::Classic).unwrap()
}

fn pipeline(xml: &str) -> (DataValueSetHeader, Vec<DataValue>) {
    read(xml, ImporterProfile::Pipeline).unwrap()
}

fn classic_err(xml: &str) -> Error {
    read(xml, ImporterProfile::Classic).expect_err(xml)
}

const HEADER: &str = r#"<dataValueSet xmlns="http://dhis2.org/schema/dxf/2.0" dataSet="ds" completeDate="2012-01-09" period="201201" orgUnit="ou" attributeOptionCombo="aoc" idScheme="code" dataElementIdScheme="NAME" orgUnitIdScheme="uid" categoryOptionComboIdScheme="CODE" dataSetIdScheme="CODE" attributeOptionComboIdScheme="CODE" categoryIdScheme="NAME" categoryOptionIdScheme="NAME" dryRun="true" importStrategy="DELETE" unknown="x"/>"#;

#[test]
fn classic_header() {
    let (h, values) = classic(HEADER);
    assert!(values.is_empty());
    assert_eq!(h.data_set.as_deref(), Some("ds"));
    assert_eq!(h.complete_date.as_deref(), Some("2012-01-09"));
    assert_eq!(h.period.as_deref(), Some("201201"));
    assert_eq!(h.org_unit.as_deref(), Some("ou"));
    assert_eq!(h.attribute_option_combo.as_deref(), Some("aoc"));
    assert_eq!(h.id_scheme.as_deref(), Some("code"));
    assert_eq!(h.data_element_id_scheme.as_deref(), Some("NAME"));
    assert_eq!(h.org_unit_id_scheme.as_deref(), Some("uid"));
    assert_eq!(h.category_option_combo_id_scheme.as_deref(), Some("CODE"));
    assert_eq!(h.data_set_id_scheme.as_deref(), Some("CODE"));
    // Not read by the classic importer.
    assert_eq!(h.attribute_option_combo_id_scheme, None);
    assert_eq!(h.category_id_scheme, None);
    assert_eq!(h.category_option_id_scheme, None);
    assert_eq!(h.dry_run, Some(true));
    assert_eq!(h.strategy.as_deref(), Some("DELETE"));
    assert_eq!(h.attribute_category_options, None);
}

#[test]
fn pipeline_header() {
    let (h, _) = pipeline(HEADER);
    assert_eq!(h.data_set.as_deref(), Some("ds"));
    assert_eq!(h.attribute_option_combo_id_scheme.as_deref(), Some("CODE"));
    assert_eq!(h.category_id_scheme.as_deref(), Some("NAME"));
    assert_eq!(h.category_option_id_scheme.as_deref(), Some("NAME"));
    assert_eq!(h.dry_run, Some(true));
    // importStrategy is no longer read from the payload.
    assert_eq!(h.strategy, None);
}

#[test]
fn dry_run_rules() {
    let dry = |v: &str, p| {
        let xml = format!("<dataValueSet dryRun=\"{v}\"/>");
        read(&xml, p).unwrap().0.dry_run
    };
    use ImporterProfile::{Classic, Pipeline};
    assert_eq!(dry("true", Classic), Some(true));
    assert_eq!(dry("TRUE", Classic), None);
    assert_eq!(dry("false", Classic), None);
    assert_eq!(dry("yes", Classic), None);
    assert_eq!(dry("", Classic), None);
    assert_eq!(dry("true", Pipeline), Some(true));
    assert_eq!(dry("TRUE", Pipeline), Some(true));
    assert_eq!(dry("false", Pipeline), Some(false));
    assert_eq!(dry("yes", Pipeline), Some(false));
    assert_eq!(dry("", Pipeline), None);
    assert_eq!(classic("<dataValueSet/>").0.dry_run, None);
}

#[test]
fn import_strategy_is_kept_as_written() {
    let (h, _) = classic("<dataValueSet importStrategy=\"create_and_update\"/>");
    assert_eq!(h.strategy.as_deref(), Some("create_and_update"));
}

#[test]
fn empty_attributes_are_absent() {
    let (h, values) = classic(
        r#"<dataValueSet dataSet="" period="201201" attributeOptionCombo="">
          <dataValue dataElement="de" value="" comment="" followUp="" deleted=""/>
        </dataValueSet>"#,
    );
    assert_eq!(h.data_set, None);
    assert_eq!(h.attribute_option_combo, None);
    assert_eq!(h.period.as_deref(), Some("201201"));
    let v = &values[0];
    assert_eq!(v.data_element(), Some("de"));
    assert_eq!(v.value(), None);
    assert_eq!(v.comment(), None);
    assert_eq!(v.followup(), None);
    assert_eq!(v.deleted(), None);
}

#[test]
fn value_attributes_classic_and_pipeline() {
    let xml = r#"<dataValueSet>
      <dataValue dataElement="de" period="201201" orgUnit="ou" categoryOptionCombo="coc"
        attributeOptionCombo="aoc" value="10" storedBy="john" created="2010-01-01"
        lastUpdated="2010-01-02" comment="c" followUp="True" deleted="TRUE" timestamp="x"/>
    </dataValueSet>"#;
    let (_, values) = classic(xml);
    let v = &values[0];
    let fields: Vec<_> = v.fields().map(|(f, t)| (f.name(), t.to_owned())).collect();
    assert_eq!(fields.len(), 10, "{fields:?}");
    assert_eq!(v.stored_by(), Some("john"));
    assert_eq!(v.created(), Some("2010-01-01"));
    assert_eq!(v.last_updated(), Some("2010-01-02"));
    assert_eq!(v.followup(), Some(true));
    assert_eq!(v.deleted(), Some(true));
    let (_, values) = pipeline(xml);
    let v = &values[0];
    assert_eq!(v.stored_by(), None);
    assert_eq!(v.created(), None);
    assert_eq!(v.last_updated(), None);
    assert_eq!(v.value(), Some("10"));
    assert_eq!(v.comment(), Some("c"));
    assert_eq!(v.followup(), Some(true));
    assert_eq!(v.deleted(), Some(true));
}

#[test]
fn followup_spelling_and_flags() {
    let (_, values) = classic(
        r#"<dataValueSet>
          <dataValue dataElement="a" followup="true"/>
          <dataValue dataElement="b" followUp="false" deleted="no"/>
          <dataValue dataElement="c" followUp="yes" deleted="tRuE"/>
          <dataValue dataElement="d"/>
        </dataValueSet>"#,
    );
    let flags: Vec<_> = values.iter().map(|v| (v.followup(), v.deleted())).collect();
    assert_eq!(
        flags,
        vec![
            (None, None),
            (Some(false), Some(false)),
            (Some(false), Some(true)),
            (None, None)
        ]
    );
}

#[test]
fn namespaces_and_prefixes() {
    let (h, values) = classic(
        r#"<d:dataValueSet xmlns:d="http://dhis2.org/schema/dxf/2.0" d:dataSet="ds" xmlns:dataSet="urn:x">
          <d:dataValue d:dataElement="a" value="1"/>
          <other:dataValue xmlns:other="urn:other" dataElement="b" x:value="2" value="3"/>
        </d:dataValueSet>"#,
    );
    assert_eq!(h.data_set.as_deref(), Some("ds"));
    assert_eq!(values.len(), 2);
    assert_eq!(values[0].data_element(), Some("a"));
    assert_eq!(values[0].value(), Some("1"));
    // The first attribute with a local name wins.
    assert_eq!(values[1].value(), Some("2"));
    let (h, values) =
        classic(r#"<dataValueSet dataSet="ds"><dataValue dataElement="a"/></dataValueSet>"#);
    assert_eq!(h.data_set.as_deref(), Some("ds"));
    assert_eq!(values.len(), 1);
}

#[test]
fn classic_skips_anything_before_the_set() {
    let (h, values) = classic(
        r#"<?xml version="1.0" encoding="UTF-8"?>
        <!-- comment -->
        <envelope a="1"><meta><dataValue dataElement="not-read"/></meta>
          <dataValueSet dataSet="ds"><dataValue dataElement="a"/></dataValueSet>
          <dataValue dataElement="after"/>
        </envelope>"#,
    );
    assert_eq!(h.data_set.as_deref(), Some("ds"));
    assert_eq!(values.len(), 1);
    assert_eq!(values[0].data_element(), Some("a"));
}

#[test]
fn pipeline_root_rules() {
    let e = read(
        "<envelope><dataValueSet/></envelope>",
        ImporterProfile::Pipeline,
    )
    .unwrap_err();
    assert!(matches!(e.kind(), ErrorKind::UnexpectedRoot { found } if found == "envelope"));
    assert_eq!(
        e.to_string(),
        "line 1, column 1: Neither <dataValueSet> nor <adx> root tag found but: <envelope>"
    );
    let e = read(
        "<!-- x --><adx xmlns=\"urn:ihe:qrph:adx:2015\"/>",
        ImporterProfile::Pipeline,
    )
    .unwrap_err();
    assert!(matches!(e.kind(), ErrorKind::Adx));
    assert_eq!(e.category(), Category::Data);
    let e = read("<!-- nothing -->", ImporterProfile::Pipeline).unwrap_err();
    assert!(matches!(e.kind(), ErrorKind::NoRootElement));
    let e = read("<adx/>", ImporterProfile::Classic).unwrap_err();
    assert!(matches!(e.kind(), ErrorKind::NoDataValueSet));
    assert_eq!(
        e.to_string(),
        "line 1, column 7: no <dataValueSet> element found"
    );
    assert!(matches!(classic_err("").kind(), ErrorKind::NoDataValueSet));
}

#[test]
fn nested_wrapper_and_children_are_handled() {
    let (_, values) = classic(
        r#"<dataValueSet>
          <dataValues>
            <dataValue dataElement="a" value="1"><value>99</value><comment>x</comment></dataValue>
            <group><dataValue dataElement="b"/></group>
          </dataValues>
          <dataValue dataElement="c">text &amp; more<![CDATA[<ignored/>]]></dataValue>
        </dataValueSet>"#,
    );
    let des: Vec<_> = values.iter().map(|v| v.data_element().unwrap()).collect();
    assert_eq!(des, vec!["a", "b", "c"]);
    assert_eq!(values[0].value(), Some("1"));
    assert_eq!(values[0].comment(), None);
}

#[test]
fn escapes_in_attributes() {
    let (h, values) = classic(
        "<dataValueSet dataSet=\"a&amp;b\">\
         <dataValue dataElement=\"d&#x41;&#66;\" comment=\"&lt;&gt;&quot;&apos; l1\nl2&#10;l3&#13;&#9;\" value='say \"hi\"'/>\
         </dataValueSet>",
    );
    assert_eq!(h.data_set.as_deref(), Some("a&b"));
    assert_eq!(values[0].data_element(), Some("dAB"));
    assert_eq!(values[0].comment(), Some("<>\"' l1 l2\nl3\r\t"));
    assert_eq!(values[0].value(), Some("say \"hi\""));
}

#[test]
fn value_positions_are_the_start_tags() {
    for profile in [ImporterProfile::Classic, ImporterProfile::Pipeline] {
        let xml = "<dataValueSet>\n  <dataValue value=\"1\"/><dataValue\n value=\"2\"/>\n  \
                   <dataValues>\n    <é/><dataValue value=\"3\"></dataValue>\n  </dataValues>\n\
                   </dataValueSet>";
        let mut r = Reader::with_profile(xml.as_bytes(), profile).unwrap();
        assert_eq!(DataValueSource::value_position(&r), None);
        let mut dv = DataValue::new();
        let mut seen = Vec::new();
        while r.read_value(&mut dv).unwrap() {
            seen.push((dv.value().map(str::to_owned), r.value_position()));
        }
        let at = |line, column| Some(Position { line, column });
        assert_eq!(
            seen,
            [
                (Some("1".to_owned()), at(2, 3)),
                (Some("2".to_owned()), at(2, 25)),
                (Some("3".to_owned()), at(5, 9)),
            ]
        );
        // The end keeps the last value's position.
        assert_eq!(DataValueSource::value_position(&r), at(5, 9));
    }
}

#[test]
fn errors_have_positions_and_value_indexes() {
    let xml = "<dataValueSet>\n  <dataValue dataElement=\"a\"/>\n  <dataValue dataElement=\"b&c\"/>\n</dataValueSet>";
    let e = classic_err(xml);
    assert!(
        matches!(e.kind(), ErrorKind::InvalidAttributeValue { attribute, .. } if attribute == "dataElement")
    );
    assert_eq!(
        (e.line(), e.column(), e.value_index()),
        (Some(3), Some(28), Some(1))
    );

    let e = classic_err("<dataValueSet>\n<dataValue a=\"1\" a=\"2\"/></dataValueSet>");
    assert!(matches!(e.kind(), ErrorKind::DuplicateAttribute { name } if name == "a"));
    assert_eq!((e.line(), e.column()), (Some(2), Some(18)));

    let e = classic_err(
        "<dataValueSet>\n  <dataValue\n     dataElement=\"x\" value=\"1<2\"/>\n</dataValueSet>",
    );
    assert_eq!(
        (e.line(), e.column(), e.value_index()),
        (Some(3), Some(30), Some(0))
    );

    let e = classic_err("<dataValueSet dataSet=\"&bogus;\"/>");
    assert_eq!(
        (e.line(), e.column(), e.value_index()),
        (Some(1), Some(24), None)
    );
    assert!(e.to_string().contains("&bogus;"), "{e}");

    let e = classic_err("<dataValueSet><dataValue a=\"1\"b=\"2\"/></dataValueSet>");
    assert_eq!(e.category(), Category::Syntax);

    // Problems in elements that are not read are errors too.
    let e = classic_err("<dataValueSet><x a=\"1\" a=\"1\"/></dataValueSet>");
    assert!(matches!(e.kind(), ErrorKind::DuplicateAttribute { .. }));
    let e = classic_err("<dataValueSet/><x a=\"&\"/>");
    assert!(e.to_string().contains("second root"), "{e}");
}

#[test]
fn truncated_input() {
    let full = "<dataValueSet>\n  <dataValue dataElement=\"a\" value=\"1\"/>\n  <dataValue dataElement=\"b\" value=\"2\"/>\n</dataValueSet>\n";
    for cut in 0..full.len() - 1 {
        let partial = &full[..cut];
        let result = read(partial, ImporterProfile::Classic);
        assert!(
            result.is_err(),
            "accepted a truncated document: {partial:?}"
        );
    }
    let e = classic_err("<dataValueSet>\n  <dataValue dataElement=\"a\"/>\n");
    assert!(e.is_eof());
    assert_eq!(
        e.to_string(),
        "line 3, column 1 (value #2, index 1): unexpected end of input: expected </dataValueSet>"
    );
    let e = classic_err("<dataValueSet>\n  <dataValue dataElement=\"a");
    assert_eq!(e.category(), Category::Syntax);
    assert!(e.is_eof());
    assert_eq!((e.line(), e.column()), (Some(2), Some(3)));
    assert!(read(full, ImporterProfile::Classic).is_ok());
}

#[test]
fn trailing_content_and_bad_documents() {
    assert!(classic_err("<dataValueSet/>text")
        .to_string()
        .contains("after the end of the root element"));
    assert!(classic_err("<dataValueSet></dataValueSet><dataValueSet/>")
        .to_string()
        .contains("second root"));
    assert!(matches!(
        classic_err("<dataValueSet><dataValue></dataValues></dataValueSet>").kind(),
        ErrorKind::MismatchedEndTag { .. }
    ));
    assert!(matches!(
        read("<dataValueSet dataSet=\"\u{e9}\"/>", ImporterProfile::Classic).map(|r| r.0.data_set),
        Ok(Some(s)) if s == "\u{e9}"
    ));
    let mut reader =
        Reader::new(&b"<dataValueSet><dataValue dataElement=\"\xe9\"/></dataValueSet>"[..])
            .unwrap();
    let mut dv = DataValue::new();
    let e = reader.read_value(&mut dv).unwrap_err();
    assert!(matches!(e.kind(), ErrorKind::InvalidUtf8));
    assert_eq!(e.column(), Some(39));
    // After an error the reader is finished.
    assert!(!reader.read_value(&mut dv).unwrap());
}

#[test]
fn reading_reuses_the_record() {
    let xml = "<dataValueSet><dataValue dataElement=\"a\" value=\"1\" followUp=\"true\"/><dataValue dataElement=\"b\"/></dataValueSet>";
    let mut reader = Reader::new(xml.as_bytes()).unwrap();
    let mut dv = DataValue::new();
    assert!(reader.read_value(&mut dv).unwrap());
    assert_eq!(dv.followup(), Some(true));
    assert!(reader.read_value(&mut dv).unwrap());
    assert_eq!(dv.data_element(), Some("b"));
    assert_eq!(dv.value(), None);
    assert_eq!(dv.followup(), None);
    assert_eq!(reader.values_read(), 2);
    assert!(!reader.read_value(&mut dv).unwrap());
    assert!(dv.is_empty());
    assert!(!reader.read_value(&mut dv).unwrap());
}

#[test]
fn large_sets_stream() {
    let mut xml = String::from("<dataValueSet>");
    for i in 0..10_000 {
        xml.push_str(&format!(
            "\n<dataValue dataElement=\"de{i}\" value=\"{i}\"/>"
        ));
    }
    xml.push_str("\n</dataValueSet>");
    let mut reader = Reader::new(std::io::BufReader::with_capacity(64, xml.as_bytes())).unwrap();
    let mut dv = DataValue::new();
    let mut n = 0;
    while reader.read_value(&mut dv).unwrap() {
        assert_eq!(dv.value(), Some(n.to_string().as_str()));
        n += 1;
    }
    assert_eq!(n, 10_000);
}

#[test]
fn characters_and_names_xml_does_not_allow_are_refused() {
    let e = classic_err("<dataValueSet>\n  <dataValue dataElement=\"a\"/>\0\n</dataValueSet>");
    assert!(
        matches!(
            e.kind(),
            ErrorKind::InvalidChar {
                found: '\0',
                context: "text"
            }
        ),
        "{e}"
    );
    assert_eq!(
        (e.line(), e.column(), e.value_index()),
        (Some(2), Some(31), Some(1))
    );
    let e = classic_err("<dataValueSet>\n<dataValue dataElement=\"a\" +x=\"1\"/></dataValueSet>");
    assert!(
        matches!(e.kind(), ErrorKind::InvalidName { what: "attribute", name } if name == "+x"),
        "{e}"
    );
    assert_eq!((e.line(), e.column()), (Some(2), Some(28)));
    let e = classic_err("<dataValueSet><data+Value dataElement=\"a\"/></dataValueSet>");
    assert!(
        matches!(e.kind(), ErrorKind::InvalidName { what: "element", name } if name == "data+Value"),
        "{e}"
    );
    let e = classic_err("<dataValueSet dataSet=\"\u{fffe}\"/>");
    assert!(
        matches!(e.kind(), ErrorKind::InvalidAttributeValue { attribute, .. } if attribute == "dataSet"),
        "{e}"
    );
    let e = classic_err("<dataValueSet><dataValue comment=\"a\u{1}\"/></dataValueSet>");
    assert!(
        matches!(e.kind(), ErrorKind::InvalidAttributeValue { .. }),
        "{e}"
    );
    // Everything the writer writes is read back: references to control characters and to
    // U+FFFE / U+FFFF.
    let (_, values) =
        classic("<dataValueSet><dataValue comment=\"&#1;&#65534;&#65535;\"/></dataValueSet>");
    assert_eq!(values[0].comment(), Some("\u{1}\u{fffe}\u{ffff}"));
}

#[test]
fn limits_bound_every_token() {
    let limits = ReadLimits::default().with_max_token_bytes(64);
    let read = |xml: &str| -> Result<usize, Error> {
        let mut reader = Reader::with_limits(xml.as_bytes(), ImporterProfile::Classic, limits)?;
        assert_eq!(reader.limits(), limits);
        Ok(reader.values().collect::<Result<Vec<_>, _>>()?.len())
    };
    let long = "x".repeat(100);
    assert_eq!(
        read("<dataValueSet>\n<dataValue dataElement=\"a\" value=\"1\"/></dataValueSet>").unwrap(),
        1
    );
    for (xml, what, line, column, index) in [
        (
            format!(
                "<dataValueSet>\n<dataValue dataElement=\"a\" comment=\"{long}\"/></dataValueSet>"
            ),
            "the value of attribute `comment`",
            2,
            37,
            Some(0),
        ),
        (
            format!("<dataValueSet dataSet=\"{long}\"/>"),
            "the value of attribute `dataSet`",
            1,
            24,
            None,
        ),
        (
            format!("<dataValueSet>\n<dataValue/>{long}</dataValueSet>"),
            "a text run",
            2,
            13,
            Some(1),
        ),
        (
            format!("<dataValueSet/>\n<!--{long}-->"),
            "a comment",
            2,
            1,
            None,
        ),
    ] {
        let e = read(&xml).unwrap_err();
        match e.kind() {
            ErrorKind::TokenTooLong { what: w, limit: 64 } => assert_eq!(w, what),
            _ => panic!("{xml}: {e}"),
        }
        assert_eq!(
            (e.line(), e.column(), e.value_index()),
            (Some(line), Some(column), index),
            "{xml}"
        );
    }
    // The default is the shared default.
    let reader = Reader::new("<dataValueSet/>".as_bytes()).unwrap();
    assert_eq!(reader.limits(), ReadLimits::default());
}

#[test]
fn repeated_known_attributes_are_duplicates() {
    // Known names repeated: the hot path must still run the duplicate check.
    let e = classic_err(
        "<dataValueSet>\n<dataValue value=\"1\" period=\"2\" value=\"3\"/></dataValueSet>",
    );
    assert!(matches!(e.kind(), ErrorKind::DuplicateAttribute { name } if name == "value"));
    assert_eq!((e.line(), e.column()), (Some(2), Some(33)));
    let e = classic_err("<dataValueSet><dataValue d:value=\"1\" d:value=\"1\"/></dataValueSet>");
    assert!(matches!(e.kind(), ErrorKind::DuplicateAttribute { name } if name == "d:value"));
    let e = classic_err("<dataValueSet><dataValue followUp=\"\" followUp=\"\"/></dataValueSet>");
    assert!(matches!(e.kind(), ErrorKind::DuplicateAttribute { .. }));
    // The same local name under two prefixes is not a duplicate: the first one counts.
    let (_, values) =
        classic("<dataValueSet><dataValue d:value=\"1\" value=\"2\" e:value=\"\"/></dataValueSet>");
    assert_eq!(values[0].value(), Some("1"));
    // A bad value in a repeated attribute is found before the repetition.
    let e = classic_err("<dataValueSet><dataValue value=\"1\" value=\"&x;\"/></dataValueSet>");
    assert!(matches!(e.kind(), ErrorKind::InvalidAttributeValue { .. }));
}

mod model {
    //! The value attributes read from any list of attributes, against the reading rules of the
    //! crate docs computed here on their own.

    use proptest::prelude::*;

    use super::*;

    /// Qualified names: the known ones, prefixed ones, near misses, namespace declarations.
    const NAMES: &[&str] = &[
        "dataElement",
        "period",
        "orgUnit",
        "categoryOptionCombo",
        "attributeOptionCombo",
        "value",
        "storedBy",
        "created",
        "lastUpdated",
        "comment",
        "followUp",
        "deleted",
        "followup",
        "Value",
        "values",
        "x",
        "d:value",
        "e:value",
        "d:followUp",
        "d:dataElement",
        "xmlns",
        "xmlns:d",
        "d:x",
    ];

    /// Raw attribute values and what they decode to (`None`: not a valid value).
    const VALUES: &[(&str, Option<&str>)] = &[
        ("", Some("")),
        ("abc", Some("abc")),
        ("true", Some("true")),
        ("TRUE", Some("TRUE")),
        ("false", Some("false")),
        ("&#116;rue", Some("true")),
        ("a &amp; b", Some("a & b")),
        ("&lt;&gt;&quot;&apos;", Some("<>\"'")),
        ("l1\nl2\tx", Some("l1 l2 x")),
        ("\u{f000}é€😀", Some("\u{f000}é€😀")),
        ("HllvX50cXC0", Some("HllvX50cXC0")),
        (
            "2024-01-02T10:20:30.000+0000",
            Some("2024-01-02T10:20:30.000+0000"),
        ),
        ("a<b", None),
        ("&bogus;", None),
        ("x &", None),
    ];

    #[derive(Debug, PartialEq)]
    enum Outcome {
        Values(Vec<(Field, String)>, Option<bool>, Option<bool>),
        BadValue(String),
        Duplicate(String),
    }

    fn expected(attrs: &[(usize, usize)], profile: ImporterProfile) -> Outcome {
        if let Some(&(n, _)) = attrs.iter().find(|(_, v)| VALUES[*v].1.is_none()) {
            return Outcome::BadValue(NAMES[n].to_owned());
        }
        for (i, (n, _)) in attrs.iter().enumerate() {
            if attrs[i + 1..].iter().any(|(m, _)| m == n) {
                let later = attrs[i + 1..].iter().find(|(m, _)| m == n).unwrap();
                return Outcome::Duplicate(NAMES[later.0].to_owned());
            }
        }
        let classic = profile == ImporterProfile::Classic;
        let mut taken: Vec<&str> = Vec::new();
        let mut fields = Vec::new();
        let (mut followup, mut deleted) = (None, None);
        for &(n, v) in attrs {
            let name = NAMES[n];
            if name == "xmlns" || name.starts_with("xmlns:") {
                continue;
            }
            let local = name.split_once(':').map_or(name, |(_, l)| l);
            let field = match local {
                "storedBy" | "created" | "lastUpdated" if !classic => continue,
                "followUp" | "deleted" => None,
                other => match Field::from_name(other) {
                    Some(field) if Field::ALL.contains(&field) && field.name() == other => {
                        Some(field)
                    }
                    _ => continue,
                },
            };
            if taken.contains(&local) {
                continue;
            }
            taken.push(local);
            let text = VALUES[v].1.unwrap();
            match field {
                Some(field) if !text.is_empty() => fields.push((field, text.to_owned())),
                Some(_) => {}
                None => {
                    let flag = (!text.is_empty()).then(|| text.eq_ignore_ascii_case("true"));
                    if local == "followUp" {
                        followup = flag;
                    } else {
                        deleted = flag;
                    }
                }
            }
        }
        fields.sort_by_key(|(f, _)| *f as usize);
        Outcome::Values(fields, followup, deleted)
    }

    fn actual(attrs: &[(usize, usize)], profile: ImporterProfile) -> Outcome {
        let mut xml = "<dataValueSet>\n  <dataValue".to_owned();
        for &(n, v) in attrs {
            xml.push_str(&format!(" {}=\"{}\"", NAMES[n], VALUES[v].0));
        }
        xml.push_str("/>\n</dataValueSet>");
        match read(&xml, profile) {
            Ok((_, values)) => {
                let v = &values[0];
                let mut fields: Vec<_> = v.fields().map(|(f, t)| (f, t.to_owned())).collect();
                fields.sort_by_key(|(f, _)| *f as usize);
                Outcome::Values(fields, v.followup(), v.deleted())
            }
            Err(e) => match e.kind() {
                ErrorKind::InvalidAttributeValue { attribute, .. } => {
                    Outcome::BadValue(attribute.clone())
                }
                ErrorKind::DuplicateAttribute { name } => Outcome::Duplicate(name.clone()),
                other => panic!("{xml}: {other:?}"),
            },
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3000))]

        #[test]
        fn attributes_read_as_the_rules_say(
            attrs in proptest::collection::vec((0..NAMES.len(), 0..VALUES.len()), 0..12),
            pipeline: bool,
        ) {
            let profile = if pipeline { ImporterProfile::Pipeline } else { ImporterProfile::Classic };
            prop_assert_eq!(actual(&attrs, profile), expected(&attrs, profile));
        }
    }
}
