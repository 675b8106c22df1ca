//! Behaviour tests of `dxf2-xml` against DHIS2's own XML data value set payloads
//! (`shared/corpus/dhis2-core/datavalueset/*.xml`, described in the scenario table of
//! `datavalueset-scenarios.md`, section 2).

// Test code: failing loudly is the point.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::fs::File;
use std::io::BufReader;
use std::path::Path;

use dxf2::model::{DataValue, DataValueSetHeader, DataValueSink, ImporterProfile};
use dxf2::xml::{Reader, Writer};

/// What the scenario table says about one file: the number of values and some header fields.
struct Expected {
    file: &'static str,
    values: usize,
    data_set: Option<&'static str>,
    complete_date: Option<&'static str>,
    period: Option<&'static str>,
    org_unit: Option<&'static str>,
    attribute_option_combo: Option<&'static str>,
    id_scheme: Option<&'static str>,
}

const fn file(name: &'static str, values: usize) -> Expected {
    Expected {
        file: name,
        values,
        data_set: None,
        complete_date: None,
        period: None,
        org_unit: None,
        attribute_option_combo: None,
        id_scheme: None,
    }
}

const DS_A: Option<&str> = Some("pBOMPrpg1QX");

/// Every XML file of the corpus folder.
const FILES: &[Expected] = &[
    Expected {
        data_set: DS_A,
        ..file("dataValueSetA.xml", 3)
    },
    Expected {
        data_set: DS_A,
        complete_date: Some("2012-01-09"),
        period: Some("201201"),
        org_unit: Some("DiszpKrYNg8"),
        ..file("dataValueSetACatCombo.xml", 3)
    },
    Expected {
        data_set: Some("DS_A"),
        complete_date: Some("2012-01-09"),
        period: Some("201201"),
        org_unit: Some("OU_A"),
        id_scheme: Some("code"),
        ..file("dataValueSetACode.xml", 3)
    },
    Expected {
        data_set: DS_A,
        complete_date: Some("2012-01-09"),
        period: Some("201201"),
        org_unit: Some("DiszpKrYNg8"),
        ..file("dataValueSetANull.xml", 3)
    },
    Expected {
        data_set: DS_A,
        ..file("dataValueSetAUpdate.xml", 3)
    },
    file("dataValueSetB.xml", 12),
    file("dataValueSetBAttribute.xml", 12),
    file("dataValueSetBAttributeIdScheme.xml", 12),
    file("dataValueSetBCode.xml", 12),
    file("dataValueSetC.xml", 3),
    file("dataValueSetCCode.xml", 3),
    Expected {
        data_set: DS_A,
        complete_date: Some("2012-01-09"),
        period: Some("201201"),
        org_unit: Some("DiszpKrYNg8"),
        attribute_option_combo: Some("kjuiHgy67hg"),
        ..file("dataValueSetD.xml", 3)
    },
    // `attributeOptionCombo=""`: empty means absent.
    Expected {
        data_set: DS_A,
        complete_date: Some("2012-01-09"),
        period: Some("201201"),
        org_unit: Some("DiszpKrYNg8"),
        ..file("dataValueSetD2.xml", 3)
    },
    // The master version of E: `attributeOptionCombo=""`, no completeDate.
    Expected {
        data_set: DS_A,
        ..file("dataValueSetE.xml", 3)
    },
    Expected {
        data_set: DS_A,
        complete_date: Some("2012-01-09"),
        attribute_option_combo: Some("inValidUid1"),
        ..file("dataValueSetF.xml", 4)
    },
    Expected {
        data_set: DS_A,
        ..file("dataValueSetG.xml", 4)
    },
    Expected {
        data_set: DS_A,
        attribute_option_combo: Some("kjuiHgy67hg"),
        ..file("dataValueSetH.xml", 3)
    },
    Expected {
        data_set: DS_A,
        ..file("dataValueSetIllegalCoc.xml", 1)
    },
    Expected {
        data_set: DS_A,
        ..file("dataValueSetIllegalOrgUnit.xml", 1)
    },
    Expected {
        data_set: DS_A,
        complete_date: Some("2012-01-09"),
        period: Some("201201"),
        org_unit: Some("DiszpKrYNg8"),
        ..file("dataValueSetInvalid.xml", 3)
    },
    Expected {
        data_set: DS_A,
        ..file("dataValueSetNonStrict.xml", 3)
    },
];

fn read(path: &Path, profile: ImporterProfile) -> (DataValueSetHeader, Vec<DataValue>) {
    let input = BufReader::new(File::open(path).unwrap());
    let mut reader =
        Reader::with_profile(input, profile).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let values = reader
        .values()
        .collect::<Result<Vec<_>, _>>()
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    (reader.header().clone(), values)
}

fn read_file(name: &str, profile: ImporterProfile) -> Option<(DataValueSetHeader, Vec<DataValue>)> {
    let path = common::corpus_file(&format!("datavalueset/{name}"))?;
    Some(read(&path, profile))
}

#[test]
fn every_xml_file_reads_as_the_scenario_table_says() {
    let Some(dir) = common::corpus_file("datavalueset") else {
        return;
    };
    let mut on_disk: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".xml"))
        .collect();
    on_disk.sort();
    let mut listed: Vec<String> = FILES.iter().map(|e| e.file.to_owned()).collect();
    listed.sort();
    assert_eq!(
        on_disk, listed,
        "the corpus has XML files this test does not describe"
    );

    for expected in FILES {
        for profile in [ImporterProfile::Classic, ImporterProfile::Pipeline] {
            let (header, values) = read(&dir.join(expected.file), profile);
            let what = format!("{} ({profile:?})", expected.file);
            assert_eq!(values.len(), expected.values, "{what}");
            assert_eq!(header.data_set.as_deref(), expected.data_set, "{what}");
            assert_eq!(
                header.complete_date.as_deref(),
                expected.complete_date,
                "{what}"
            );
            assert_eq!(header.period.as_deref(), expected.period, "{what}");
            assert_eq!(header.org_unit.as_deref(), expected.org_unit, "{what}");
            assert_eq!(
                header.attribute_option_combo.as_deref(),
                expected.attribute_option_combo,
                "{what}"
            );
            assert_eq!(header.id_scheme.as_deref(), expected.id_scheme, "{what}");
            assert_eq!(header.dry_run, None, "{what}");
            assert_eq!(header.strategy, None, "{what}");
            for v in &values {
                assert!(v.data_element().is_some(), "{what}: {v:?}");
                // The files write `followup="false"` (lower case), which the reader ignores.
                assert_eq!(v.followup(), None, "{what}: {v:?}");
                assert_eq!(v.deleted(), None, "{what}: {v:?}");
                assert_eq!(
                    v.stored_by(),
                    (profile == ImporterProfile::Classic).then_some("john"),
                    "{what}: {v:?}"
                );
            }
        }
    }
}

#[test]
fn data_value_set_b() {
    let Some((header, values)) = read_file("dataValueSetB.xml", ImporterProfile::Classic) else {
        return;
    };
    assert!(header.is_empty());
    assert_eq!(values.len(), 12);
    let mut i = 0;
    for de in ["f7n9E0hX8qk", "Ix2HsbDMLea", "eY5ehpbEsB7"] {
        for period in ["201201", "201202"] {
            for ou in ["DiszpKrYNg8", "BdfsJfj87js"] {
                let v = &values[i];
                assert_eq!(v.data_element(), Some(de));
                assert_eq!(v.period(), Some(period));
                assert_eq!(v.org_unit(), Some(ou));
                assert_eq!(v.value(), Some(format!("{}", 10001 + i).as_str()));
                assert_eq!(v.comment(), Some("comment"));
                assert_eq!(v.category_option_combo(), None);
                assert_eq!(v.attribute_option_combo(), None);
                let created = (i == 8 || i == 9).then_some("2010-01-01");
                assert_eq!(v.created(), created, "row {i}");
                i += 1;
            }
        }
    }
    // The 2.43+ pipeline does not read `created`.
    let (_, values) = read_file("dataValueSetB.xml", ImporterProfile::Pipeline).unwrap();
    assert!(values.iter().all(|v| v.created().is_none()));
}

#[test]
fn data_value_set_a_code() {
    let Some((header, values)) = read_file("dataValueSetACode.xml", ImporterProfile::Classic)
    else {
        return;
    };
    assert_eq!(header.id_scheme.as_deref(), Some("code"));
    assert_eq!(header.data_set.as_deref(), Some("DS_A"));
    assert_eq!(header.complete_date.as_deref(), Some("2012-01-09"));
    assert_eq!(header.period.as_deref(), Some("201201"));
    assert_eq!(header.org_unit.as_deref(), Some("OU_A"));
    let des: Vec<_> = values.iter().map(|v| v.data_element().unwrap()).collect();
    assert_eq!(des, ["DE_A", "DE_B", "DE_C"]);
    let vals: Vec<_> = values.iter().map(|v| v.value().unwrap()).collect();
    assert_eq!(vals, ["10001", "10002", "10003"]);
    assert!(values
        .iter()
        .all(|v| v.period().is_none() && v.org_unit().is_none()));
}

#[test]
fn empty_values_are_absent_in_a_null() {
    let Some((_, values)) = read_file("dataValueSetANull.xml", ImporterProfile::Classic) else {
        return;
    };
    assert_eq!((values[0].value(), values[0].comment()), (None, None));
    assert_eq!((values[1].value(), values[1].comment()), (None, None));
    assert_eq!(values[2].value(), Some("10003"));
}

#[test]
fn category_option_combos_and_id_schemes() {
    let Some((_, values)) = read_file("dataValueSetACatCombo.xml", ImporterProfile::Classic) else {
        return;
    };
    let cocs: Vec<_> = values.iter().map(|v| v.category_option_combo()).collect();
    assert_eq!(cocs, [Some("kjuiHgy67hg"), Some("Gad33qy67g5"), None]);

    let (header, _) = read_file(
        "dataValueSetBAttributeIdScheme.xml",
        ImporterProfile::Classic,
    )
    .unwrap();
    assert_eq!(
        header.data_element_id_scheme.as_deref(),
        Some("ATTRIBUTE:uh6H2ff562G")
    );
    assert_eq!(
        header.org_unit_id_scheme.as_deref(),
        Some("ATTRIBUTE:uh6H2ff562G")
    );

    let (_, values) = read_file("dataValueSetNonStrict.xml", ImporterProfile::Classic).unwrap();
    let periods: Vec<_> = values.iter().map(|v| v.period().unwrap()).collect();
    assert_eq!(periods, ["201201", "2012Q2", "2012"]);
    assert_eq!(values[1].attribute_option_combo(), Some("Gad33qy67g5"));
}

#[test]
fn corpus_files_survive_a_write_and_read_back() {
    let Some(dir) = common::corpus_file("datavalueset") else {
        return;
    };
    for expected in FILES {
        for profile in [ImporterProfile::Classic, ImporterProfile::Pipeline] {
            let (header, values) = read(&dir.join(expected.file), profile);
            let mut writer = Writer::new(Vec::new());
            writer.begin(&header).unwrap();
            for v in &values {
                writer.write_value(v).unwrap();
            }
            writer.finish().unwrap();
            let xml = writer.into_inner().unwrap();
            let mut reader = Reader::with_profile(xml.as_slice(), profile).unwrap();
            let again: Vec<_> = reader.values().collect::<Result<_, _>>().unwrap();
            assert_eq!(reader.header(), &header, "{}", expected.file);
            // The writer always writes followUp: unknown becomes false.
            let canonical: Vec<_> = values
                .iter()
                .map(|v| {
                    let mut v = v.clone();
                    v.set_followup(Some(v.followup() == Some(true)));
                    v
                })
                .collect();
            assert_eq!(again, canonical, "{}", expected.file);
        }
    }
}
