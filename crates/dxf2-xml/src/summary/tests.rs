//! Unit tests of the import summary reader and writer.

use dxf2_model::{
    IdScheme, IdSchemes, ImportConflict, ImportCount, ImportOptions, ImportStatus, ImportStrategy,
    ImportSummary, ReadLimits,
};

use super::*;
use crate::error::ErrorKind;
use dxf2_model::ImporterProfile;
use proptest::prelude::*;

fn round_trip(summary: &ImportSummary) -> ImportSummary {
    let mut xml = Vec::new();
    write_import_summary(&mut xml, summary).unwrap();
    read_import_summary(xml.as_slice())
        .unwrap_or_else(|e| panic!("{e}\n{}", String::from_utf8_lossy(&xml)))
}

/// What reading back a written summary gives: our additions (`profile`) are not written,
/// and an empty `objects` value reads back as null.
fn canonical(summary: &ImportSummary) -> ImportSummary {
    let mut s = summary.clone();
    s.profile = None;
    if let Some(o) = &mut s.import_options {
        o.profile = ImporterProfile::default();
    }
    for c in &mut s.conflicts {
        for (_, v) in &mut c.objects {
            if v.as_deref() == Some("") {
                *v = None;
            }
        }
    }
    s
}

fn example() -> ImportSummary {
    let options = ImportOptions {
        id_schemes: IdSchemes {
            id_scheme: Some(IdScheme::Code),
            data_element: Some(IdScheme::Attribute("uh6H2ff562G".into())),
            category_option: Some(IdScheme::Name),
            ..IdSchemes::default()
        },
        dry_run: true,
        strategy: ImportStrategy::Updates,
        preheat_cache: Some(false),
        strict_periods: true,
        strict_data_set_locking: true,
        first_row_is_header: false,
        data_set: Some("pBOMPrpg1QX".into()),
        atomic: true,
        ..ImportOptions::default()
    };
    ImportSummary {
        status: ImportStatus::Warning,
        import_options: Some(options),
        description: Some("Import process completed successfully".into()),
        import_count: ImportCount {
            imported: 1,
            updated: 2,
            ignored: 3,
            deleted: 4,
        },
        conflicts: vec![
            ImportConflict {
                object: Some("nonEx1sting".into()),
                objects: vec![("dataElement".into(), Some("nonEx1sting".into()))],
                value: "Data element not found or not accessible: `nonEx1sting`".into(),
                error_code: Some("E7610".into()),
                property: Some("dataElement".into()),
                indexes: Some(vec![0, 1]),
            },
            ImportConflict {
                object: Some("OrganisationUnit".into()),
                value: "Must be provided to complete data set".into(),
                ..ImportConflict::default()
            },
            ImportConflict {
                objects: vec![
                    ("organisationUnit".into(), Some("j7Hg26FpoIa".into())),
                    ("user".into(), None),
                ],
                value: "<&>\"' multi\nline\ttab\r".into(),
                error_code: Some("E7617".into()),
                indexes: Some(vec![]),
                ..ImportConflict::default()
            },
        ],
        rejected_indexes: vec![0, 1, 2],
        data_set_complete: Some("2012-01-09".into()),
        profile: Some(ImporterProfile::Classic),
    }
}

#[test]
fn summary_round_trips() {
    let s = example();
    assert_eq!(round_trip(&s), canonical(&s));
    let empty = ImportSummary::default();
    assert_eq!(round_trip(&empty), empty);
}

#[test]
fn written_shape() {
    let mut xml = Vec::new();
    write_import_summary(&mut xml, &example()).unwrap();
    let xml = String::from_utf8(xml).unwrap();
    assert!(xml.starts_with("<?xml version='1.0' encoding='UTF-8'?>\n<importSummary xmlns=\"http://dhis2.org/schema/dxf/2.0\">\n  <responseType>ImportSummary</responseType>\n  <status>WARNING</status>\n  <importOptions>\n"), "{xml}");
    assert!(xml.contains("      <dataElementIdScheme>\n        <type>ATTRIBUTE</type>\n        <attribute>uh6H2ff562G</attribute>\n      </dataElementIdScheme>\n"), "{xml}");
    assert!(
        xml.contains("  <importCount imported=\"1\" updated=\"2\" ignored=\"3\" deleted=\"4\"/>\n")
    );
    assert!(xml.contains("    <conflict object=\"nonEx1sting\" value=\"Data element not found or not accessible: `nonEx1sting`\" errorCode=\"E7610\" property=\"dataElement\" indexes=\"0 1\">\n      <objects>\n        <dataElement>nonEx1sting</dataElement>\n      </objects>\n    </conflict>\n"), "{xml}");
    assert!(xml.contains("    <conflict object=\"OrganisationUnit\" value=\"Must be provided to complete data set\"/>\n"));
    assert!(xml.contains("        <user/>\n"));
    assert!(xml.contains("  <rejectedIndexes>\n    <rejectedIndexes>0</rejectedIndexes>\n"));
    assert!(xml.ends_with("  <dataSetComplete>2012-01-09</dataSetComplete>\n</importSummary>\n"));
    let mut xml = Vec::new();
    write_import_summary(&mut xml, &ImportSummary::default()).unwrap();
    let xml = String::from_utf8(xml).unwrap();
    assert!(
        xml.contains("  <conflicts/>\n  <rejectedIndexes/>\n</importSummary>"),
        "{xml}"
    );
}

#[test]
fn tolerant_reading() {
    let xml = r#"<?xml version="1.0" encoding="UTF-8"?>
<s:webMessage xmlns:s="http://dhis2.org/schema/dxf/2.0" httpStatus="Conflict" httpStatusCode="409" status="ERROR">
  <s:message>An error occurred, please check import summary.</s:message>
  <s:response responseType="ImportSummary">
<s:responseType>ImportSummary</s:responseType>
<s:status>ERROR</s:status>
<s:importCount><s:imported>0</s:imported><s:updated>0</s:updated><s:ignored>4</s:ignored><s:deleted>0</s:deleted></s:importCount>
<s:conflicts>
  <s:conflict errorCode="E7604" indexes="1" indexes="2, 3">
    <s:value>Attribute option combo not found or not accessible: `inValidUid1`</s:value>
    <s:objects><s:categoryOptionCombo>inValidUid1</s:categoryOptionCombo><s:dataSet xsi:nil="true" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"/></s:objects>
    <s:indexes><s:indexes>4</s:indexes></s:indexes>
    <s:unknown a="b"><deep/></s:unknown>
  </s:conflict>
</s:conflicts>
<conflict object="x" value="legacy"/>
<s:rejectedIndexes>5</s:rejectedIndexes>
<s:rejectedIndexes>6</s:rejectedIndexes>
<rejectedIndex>7</rejectedIndex>
<s:importOptions>
  <s:idSchemes><s:orgUnitIdScheme type="CODE"/><s:dataSetIdScheme>ATTRIBUTE:uh6H2ff562G</s:dataSetIdScheme><s:idScheme/></s:idSchemes>
  <s:importStrategy>create_and_update</s:importStrategy>
  <s:strictPeriods> TRUE </s:strictPeriods>
  <s:notificationLevel>INFO</s:notificationLevel>
</s:importOptions>
<s:description>The import process failed: x &amp; y</s:description>
  </s:response>
</s:webMessage>"#;
    let s = read_import_summary(xml.as_bytes()).unwrap();
    assert_eq!(s.status, ImportStatus::Error);
    assert_eq!(s.import_count.ignored, 4);
    assert_eq!(s.conflicts.len(), 2);
    let c = &s.conflicts[0];
    assert_eq!(c.error_code.as_deref(), Some("E7604"));
    assert_eq!(
        c.value,
        "Attribute option combo not found or not accessible: `inValidUid1`"
    );
    assert_eq!(c.indexes, Some(vec![1, 2, 3, 4]));
    assert_eq!(
        c.objects,
        vec![
            (
                "categoryOptionCombo".to_owned(),
                Some("inValidUid1".to_owned())
            ),
            ("dataSet".to_owned(), None)
        ]
    );
    assert_eq!(s.conflicts[1].object.as_deref(), Some("x"));
    assert_eq!(s.conflicts[1].indexes, None);
    assert_eq!(s.rejected_indexes, vec![5, 6, 7]);
    let o = s.import_options.unwrap();
    assert_eq!(o.id_schemes.org_unit, Some(IdScheme::Code));
    assert_eq!(
        o.id_schemes.data_set,
        Some(IdScheme::Attribute("uh6H2ff562G".into()))
    );
    assert_eq!(o.id_schemes.id_scheme, None);
    assert_eq!(o.strategy, ImportStrategy::CreateAndUpdate);
    assert!(o.strict_periods);
    assert!(o.first_row_is_header);
    assert_eq!(
        s.description.as_deref(),
        Some("The import process failed: x & y")
    );
}

#[test]
fn summary_errors() {
    let e = read_import_summary("<dataValueSet/>".as_bytes()).unwrap_err();
    assert!(matches!(e.kind(), ErrorKind::NotAnImportSummary { found } if found == "dataValueSet"));
    let e = read_import_summary("<webMessage status=\"OK\"/>".as_bytes()).unwrap_err();
    assert!(matches!(
        e.kind(),
        ErrorKind::MissingElement { name: "response" }
    ));
    let e = read_import_summary(
        "<importSummary>\n  <status>FINE</status>\n</importSummary>".as_bytes(),
    )
    .unwrap_err();
    assert_eq!(
        e.to_string(),
        "line 2, column 3: invalid status `FINE`: expected SUCCESS, WARNING or ERROR"
    );
    let e = read_import_summary(
        "<importSummary><importCount imported=\"-1\"/></importSummary>".as_bytes(),
    )
    .unwrap_err();
    assert_eq!(e.category(), crate::Category::Data);
    let e = read_import_summary("<importSummary><status>OK".as_bytes()).unwrap_err();
    assert!(e.is_eof());
    let e = read_import_summary("".as_bytes()).unwrap_err();
    assert!(matches!(e.kind(), ErrorKind::MissingElement { .. }));
    let e = read_import_summary("<importSummary/>trailing".as_bytes()).unwrap_err();
    assert_eq!(e.category(), crate::Category::Syntax);
    let bad = ImportSummary {
        conflicts: vec![ImportConflict {
            objects: vec![("not a name".into(), None)],
            ..ImportConflict::default()
        }],
        ..ImportSummary::default()
    };
    assert!(write_import_summary(Vec::new(), &bad).is_err());
    let bad = ImportSummary {
        description: Some("\0".into()),
        ..ImportSummary::default()
    };
    let e = write_import_summary(Vec::new(), &bad).unwrap_err();
    assert!(e.to_string().contains("<description>"), "{e}");
}

fn text() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        prop_oneof![
            4 => any::<char>().prop_filter("no NUL", |c| *c != '\0'),
            1 => prop::sample::select(vec!['&', '<', '>', '"', '\'', '\n', '\r', '\t', ' ', '\u{1}']),
        ],
        0..10,
    )
    .prop_map(|chars| chars.into_iter().collect())
}

fn name() -> impl Strategy<Value = String> {
    "[a-zA-Z_][a-zA-Z0-9_.-]{0,8}"
}

fn conflict() -> impl Strategy<Value = ImportConflict> {
    (
        proptest::option::of(text()),
        proptest::collection::vec((name(), proptest::option::of(text())), 0..3),
        text(),
        proptest::option::of(text()),
        proptest::option::of(text()),
        proptest::option::of(proptest::collection::vec(any::<i64>(), 0..4)),
    )
        .prop_map(
            |(object, objects, value, error_code, property, indexes)| ImportConflict {
                object,
                objects,
                value,
                error_code,
                property,
                indexes,
            },
        )
}

proptest! {
    #[test]
    fn any_summary_round_trips(
        status in prop::sample::select(vec![ImportStatus::Success, ImportStatus::Warning, ImportStatus::Error]),
        description in proptest::option::of(text()),
        counts in any::<(u64, u64, u64, u64)>(),
        conflicts in proptest::collection::vec(conflict(), 0..3),
        rejected in proptest::collection::vec(any::<i64>(), 0..4),
        complete in proptest::option::of(text()),
        with_options in any::<bool>(),
        data_set in proptest::option::of(text()),
        flags in any::<[bool; 6]>(),
    ) {
        let import_options = with_options.then(|| ImportOptions {
            dry_run: flags[0],
            force: flags[1],
            strict_periods: flags[2],
            atomic: flags[3],
            first_row_is_header: flags[4],
            preheat_cache: flags[5].then_some(flags[0]),
            data_set: data_set.filter(|d| !d.is_empty()),
            ..ImportOptions::default()
        });
        let summary = ImportSummary {
            status,
            import_options,
            description,
            import_count: ImportCount { imported: counts.0, updated: counts.1, ignored: counts.2, deleted: counts.3 },
            conflicts,
            rejected_indexes: rejected,
            data_set_complete: complete,
            profile: None,
        };
        prop_assert_eq!(round_trip(&summary), canonical(&summary));
    }
}

#[test]
fn only_what_the_writer_can_write_is_read() {
    // A literal NUL in a text: refused with its position (the writer cannot write it).
    let e = read_import_summary(
        "<importSummary><description>\0</description></importSummary>".as_bytes(),
    )
    .unwrap_err();
    assert!(
        matches!(e.kind(), ErrorKind::InvalidChar { found: '\0', .. }),
        "{e}"
    );
    assert_eq!((e.line(), e.column()), (Some(1), Some(29)));
    // A key that is not an XML name.
    let e = read_import_summary(
        "<importSummary><conflict><objects><+e/></objects></conflict></importSummary>".as_bytes(),
    )
    .unwrap_err();
    assert!(
        matches!(e.kind(), ErrorKind::InvalidName { what: "element", name } if name == "+e"),
        "{e}"
    );
    assert_eq!((e.line(), e.column()), (Some(1), Some(36)));
    let e = read_import_summary("<importSummary a:b:c=\"1\"/>".as_bytes()).unwrap_err();
    assert!(
        matches!(
            e.kind(),
            ErrorKind::InvalidName {
                what: "attribute",
                ..
            }
        ),
        "{e}"
    );
    // Every key read can be written back: any XML name without `:`.
    let xml = "<importSummary><conflict><objects><\u{e9}l\u{e9}ment>x</\u{e9}l\u{e9}ment><p:_k.1>y</p:_k.1></objects></conflict></importSummary>";
    let s = read_import_summary(xml.as_bytes()).unwrap();
    assert_eq!(
        s.conflicts[0].objects,
        vec![
            ("\u{e9}l\u{e9}ment".to_owned(), Some("x".to_owned())),
            ("_k.1".to_owned(), Some("y".to_owned()))
        ]
    );
    assert_eq!(round_trip(&s), s);
    for key in ["a:b", "+e", "1a", ""] {
        let bad = ImportSummary {
            conflicts: vec![ImportConflict {
                objects: vec![(key.into(), None)],
                ..ImportConflict::default()
            }],
            ..ImportSummary::default()
        };
        assert!(write_import_summary(Vec::new(), &bad).is_err(), "{key}");
    }
    // Characters that are only written as references read back.
    let s = ImportSummary {
        description: Some("\u{1}\u{fffe}\u{ffff}".into()),
        ..ImportSummary::default()
    };
    assert_eq!(round_trip(&s), s);
}

#[test]
fn texts_are_bounded_and_unknown_elements_kept_nowhere() {
    let limits = ReadLimits::default().with_max_token_bytes(64);
    // Each event is short, but the text of <description> adds up past the limit.
    let pieces = "abc&amp;".repeat(20);
    let xml = format!("<importSummary>\n  <description>{pieces}</description></importSummary>");
    let e = read_import_summary_with_limits(xml.as_bytes(), limits).unwrap_err();
    assert!(
        matches!(e.kind(), ErrorKind::TokenTooLong { what, limit: 64 } if what == "the text of <description>"),
        "{e}"
    );
    assert_eq!((e.line(), e.column()), (Some(2), Some(3)));
    let xml = format!(
        "<importSummary><rejectedIndexes>{}</rejectedIndexes></importSummary>",
        "1 &#32;".repeat(40)
    );
    assert!(read_import_summary_with_limits(xml.as_bytes(), limits).is_err());
    // The same text in an element the reader does not know is skipped, not kept.
    let xml = format!("<importSummary><unknown>{pieces}<deep>{pieces}</deep></unknown><status>OK</status></importSummary>");
    assert_eq!(
        read_import_summary_with_limits(xml.as_bytes(), limits)
            .unwrap()
            .status,
        ImportStatus::Success
    );
    // One long token.
    let xml = format!("<importSummary><!--{}--></importSummary>", "x".repeat(100));
    let e = read_import_summary_with_limits(xml.as_bytes(), limits).unwrap_err();
    assert!(
        matches!(e.kind(), ErrorKind::TokenTooLong { what, .. } if what == "a comment"),
        "{e}"
    );
    assert_eq!(e.column(), Some(16));
}
