//! `dxf2 template`: DHIS2's data value set template (`GET /api/dataSets/{uid}/dataValueSet`,
//! `DefaultDataValueSetService.getDataValueSetTemplate` and DHIS2's StAX and Jackson node
//! serialisers, branch 2.42 of dhis2/dhis2-core) in DHIS2's exact shape; filled in and imported,
//! the store holds exactly the values filled in.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;
mod offline_entry;

use common::{dxf2, err, exits, out, s, tmp};
use offline_entry::{store, stored, stored_in, Row};

#[test]
fn the_template_has_dhis2s_shape() {
    let dir = tmp("template-shape");
    let db = store(&dir);
    let xml = dir.join("deliveries.xml");
    let o = dxf2(&[
        "template",
        "--store",
        s(&db),
        "--data-set",
        "dsLocked001",
        "--period",
        "202402",
        "--org-unit",
        "ouClinicA01",
        "-o",
        s(&xml),
    ]);
    exits(&o, 0, &["wrote 1 values"]);
    assert_eq!(
        std::fs::read_to_string(&xml).unwrap(),
        "<?xml version='1.0' encoding='UTF-8'?>\
         <!--Data set: Deliveries (locked after 10 days) (dsLocked001)-->\
         <!--Data set: Deliveries (locked after 10 days) (dsLocked001)-->\
         <dataValueSet xmlns=\"http://dhis2.org/schema/dxf/2.0\">\
         <!--Data element: Deliveries-->\
         <dataValue dataElement=\"deLocked001\" categoryOptionCombo=\"HllvX50cXC0\" period=\"202402\" orgUnit=\"ouClinicA01\" value=\"\"/>\
         </dataValueSet>"
    );

    // JSON (DHIS2's default), without period and org unit, codes as asked.
    let o = dxf2(&[
        "template",
        "--store",
        s(&db),
        "--data-set",
        "LOCKED",
        "--data-element-id-scheme",
        "code",
    ]);
    exits(&o, 0, &[]);
    assert_eq!(
        out(&o),
        r#"{"dataValues":[{"dataElement":"LOCKED","categoryOptionCombo":"HllvX50cXC0","period":"","value":""}]}"#
    );

    // Every element × option combo of the monthly report, no comments, org units by code.
    let o = dxf2(&[
        "template",
        "--store",
        s(&db),
        "--data-set",
        "MONTHLY",
        "--comment",
        "false",
        "--org-unit",
        "CLINIC_A",
        "Clinique Sainte-Thérèse",
        "nowhere",
        "--org-unit-id-scheme",
        "CODE",
        "--format",
        "xml",
    ]);
    exits(
        &o,
        0,
        &["--org-unit nowhere: no org unit has this UID, code or name"],
    );
    let text = out(&o);
    assert!(!text.contains("Data element:"), "{text}");
    assert_eq!(
        text.matches("<dataValue ").count(),
        16,
        "8 rows for each org unit found: {text}"
    );
    assert_eq!(text.matches(r#"orgUnit="CLINIC_A""#).count(), 16, "{text}");
    assert!(text.contains(
        r#"<dataValue dataElement="deCases0001" categoryOptionCombo="cocFemale01" period="" orgUnit="CLINIC_A" value=""/><dataValue dataElement="deCases0001" categoryOptionCombo="cocMale0001""#
    ), "{text}");

    // Refusals.
    let o = dxf2(&["template", "--store", s(&db), "--data-set", "NOPE"]);
    exits(&o, 2, &["--data-set NOPE: the store holds no data set"]);
    let o = dxf2(&[
        "template",
        "--store",
        s(&db),
        "--data-set",
        "MONTHLY",
        "-o",
        s(&dir.join("t.csv")),
    ]);
    exits(&o, 2, &["DHIS2 makes templates in XML and JSON only"]);
    let o = dxf2(&[
        "template",
        "--store",
        s(&db),
        "--data-set",
        "MONTHLY",
        "--period",
        "2024-13",
    ]);
    exits(&o, 2, &["--period 2024-13: not an ISO period"]);
    assert!(err(&o).lines().count() <= 2, "{}", err(&o));
}

#[test]
fn a_filled_template_imports_exactly_the_filled_values() {
    let dir = tmp("template-fill");
    let db = store(&dir);
    for (format, id_scheme) in [("xml", "UID"), ("json", "CODE")] {
        let path = dir.join(format!("template.{format}"));
        let o = dxf2(&[
            "template",
            "--store",
            s(&db),
            "--data-set",
            "MONTHLY",
            "--period",
            "202402",
            "--org-unit",
            "ouClinicA01",
            "--org-unit-id-scheme",
            id_scheme,
            "--data-element-id-scheme",
            id_scheme,
            "-o",
            s(&path),
        ]);
        exits(&o, 0, &[]);
        let template = std::fs::read_to_string(&path).unwrap();
        // Fill three values as a person would, in the file's own syntax.
        let filled = fill(&template, format, id_scheme);
        std::fs::write(&path, filled).unwrap();
        let mut import = vec!["import", s(&path), "--store", s(&db)];
        if id_scheme == "CODE" {
            import.extend([
                "--data-element-id-scheme",
                "CODE",
                "--org-unit-id-scheme",
                "CODE",
            ]);
        }
        let o = dxf2(&import);
        exits(&o, 0, &[]);
        // The values left empty: DHIS2's E7618 conflicts, nothing stored for them.
        assert!(out(&o).contains("E7618"), "{}", out(&o));
        let expected = |de: &str, coc: &str, value: &str| Row {
            de: de.into(),
            coc: coc.into(),
            aoc: "HllvX50cXC0".into(),
            value: Some(value.into()),
            comment: None,
            followup: false,
        };
        let mut want = vec![
            expected("deCases0001", "cocMale0001", "4"),
            expected("deNote00001", "HllvX50cXC0", "rien à signaler"),
            expected("deStock0001", "HllvX50cXC0", "true"),
        ];
        want.sort();
        assert_eq!(stored(&db, "202402"), want, "{format}");
        // Delete them again for the next format.
        for (de, co) in [
            ("deCases0001", "cocMale0001"),
            ("deNote00001", "HllvX50cXC0"),
            ("deStock0001", "HllvX50cXC0"),
        ] {
            let o = dxf2(&[
                "value",
                "delete",
                "--store",
                s(&db),
                "--de",
                de,
                "--pe",
                "202402",
                "--ou",
                "ouClinicA01",
                "--co",
                co,
            ]);
            exits(&o, 0, &[]);
        }
        assert!(stored_in(&db, "dsMonthly01", "202402").is_empty());
    }
}

/// The template with three values filled in: Male cases 4, the remarks, and stock-out true.
fn fill(template: &str, format: &str, scheme: &str) -> String {
    let (cases, note, stock) = if scheme == "CODE" {
        ("CASES", "NOTE", "STOCKOUT")
    } else {
        ("deCases0001", "deNote00001", "deStock0001")
    };
    let mut text = template.to_owned();
    for (de, coc, value) in [
        (cases, "cocMale0001", "4"),
        (note, "HllvX50cXC0", "rien à signaler"),
        (stock, "HllvX50cXC0", "true"),
    ] {
        let (start, empty, filled) = match format {
            "xml" => (
                format!(r#"dataElement="{de}" categoryOptionCombo="{coc}""#),
                r#"value="""#.to_owned(),
                format!(r#"value="{value}""#),
            ),
            _ => (
                format!(r#""dataElement":"{de}","categoryOptionCombo":"{coc}""#),
                r#""value":"""#.to_owned(),
                format!(r#""value":"{value}""#),
            ),
        };
        let at = text.find(&start).unwrap();
        let value_at = at + text[at..].find(&empty).unwrap();
        text.replace_range(value_at..value_at + empty.len(), &filled);
    }
    text
}
