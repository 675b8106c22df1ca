//! What WHO's metadata packages (`dhis2/metadata-package-development`, `metadata/*/…/metadata.json`)
//! teach, in two small packages of ours (`tests/fixtures/who/`): a `package` header; a user whose
//! roles sit in its legacy `userCredentials` and are not in the package; user groups and sharing
//! naming them; legacy `publicAccess`/`userGroupAccesses` beside `sharing`; the default category
//! objects included; translations, attribute values, legend sets, option sets; types this
//! library does not model (data entry forms, validation rules, visualizations, dashboards,
//! program stage sections); a tracker program with its stages, attributes, rules, actions and
//! variables. Each imports with no error at the DHIS2 version it was made for (2.36) and
//! round-trips: exported and imported into an empty target, it gives the same objects.
//!
//! With `DXF2_WHO_PACKAGES=DIR` (a directory of real package files, named with their DHIS2
//! version such as `…_DHIS2.36…json`), `real_packages` imports each at its version (2.36 at the
//! least) and checks that every package that imports without error round-trips.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]

mod common;

use common::*;
use dxf2_metadata::catalogue::MemoryCatalogue;
use dxf2_metadata::export::{export, ExportParams};
use dxf2_metadata::import::{ImportParams, Status};
use dxf2_metadata::{read_json, write_json, Document};

/// Imports into a fresh target, exports everything, imports that into another fresh target.
fn round_trip(d: &Document, p: &ImportParams) -> (MemoryCatalogue, MemoryCatalogue) {
    let mut first = MemoryCatalogue::with_dhis2_defaults();
    let r = commit(&mut first, d, p);
    assert_eq!(
        r.report.status,
        Status::Ok,
        "{:?}",
        r.report.error_reports().take(3).collect::<Vec<_>>()
    );
    let exported = export(&first, &ExportParams::default()).unwrap();
    let mut text = Vec::new();
    write_json(&exported, &mut text).unwrap();
    let back = read_json(&text[..]).unwrap().document;
    let mut second = MemoryCatalogue::with_dhis2_defaults();
    let r = commit(&mut second, &back, p);
    assert_eq!(r.report.status, Status::Ok);
    (first, second)
}

#[test]
fn aggregate_package_at_its_version() {
    let d = fixture("who/aggregate_package.json");
    let p = params_for("2.36");
    let r = run(&MemoryCatalogue::with_dhis2_defaults(), &d, &p);
    assert_eq!(r.report.status, Status::Ok, "{:?}", codes(&r));
    let skipped: Vec<&str> = r.skipped.iter().map(|s| s.key.as_str()).collect();
    assert_eq!(
        skipped,
        [
            "dataEntryForms",
            "validationRules",
            "visualizations",
            "dashboards"
        ]
    );
    // The package's default objects are not counted (one each of the four types).
    let defaults = 4;
    let unmodelled = 4;
    assert_eq!(r.report.stats.created, d.len() - defaults - unmodelled);
    let (first, second) = round_trip(&d, &p);
    assert_eq!(first, second);
    let de = first.get("dataElements", "CWHBMa4nC9J").unwrap();
    assert_eq!(de["translations"][0]["value"], "MINI - Cas");
    assert_eq!(
        first.get("options", "tRzD1d3Vpny").unwrap()["sortOrder"],
        1,
        "its position in the set"
    );
}

/// On DHIS2 2.38 and later a user's roles are checked wherever they are written.
#[test]
fn aggregate_package_on_a_later_server() {
    let d = fixture("who/aggregate_package.json");
    let r = run(
        &MemoryCatalogue::with_dhis2_defaults(),
        &d,
        &params_for("2.42"),
    );
    assert_eq!(r.report.status, Status::Error);
    assert_eq!(codes(&r), ["E5002"]);
    assert_eq!(
        r.report.error_reports().next().unwrap().message,
        "Invalid reference [yrB6vc5Ip3r] (UserRole) on object Admin WHO [vUeLeQMSwhN] (User) for association `userRole`"
    );
    assert!(r.changes.is_empty());
}

#[test]
fn tracker_package_at_its_version_and_later() {
    let d = fixture("who/tracker_package.json");
    for version in ["2.36", "2.43"] {
        let p = params_for(version);
        let r = run(&MemoryCatalogue::with_dhis2_defaults(), &d, &p);
        assert_eq!(r.report.status, Status::Ok, "{version}: {:?}", codes(&r));
        assert_eq!(r.skipped.len(), 1, "programStageSections");
        let (first, second) = round_trip(&d, &p);
        assert_eq!(first, second);
    }
}

/// Real packages, when a directory of them is given.
#[test]
fn real_packages() {
    let Some(dir) = std::env::var_os("DXF2_WHO_PACKAGES") else {
        eprintln!("note: DXF2_WHO_PACKAGES not set: real WHO packages not tried");
        return;
    };
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    paths.sort();
    let mut ok = 0;
    for path in paths
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
    {
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let minor: u32 = name
            .split("DHIS2.")
            .nth(1)
            .and_then(|v| v.get(..2))
            .and_then(|v| v.parse().ok())
            .unwrap_or(42);
        let p = params_for(&format!("2.{}", minor.clamp(36, 44)));
        let file = std::fs::File::open(path).unwrap();
        let d = read_json(std::io::BufReader::new(file))
            .unwrap_or_else(|e| panic!("{name}: {e}"))
            .document;
        let r = run(&MemoryCatalogue::with_dhis2_defaults(), &d, &p);
        eprintln!("{name}: {:?} {:?}", r.report.status, r.report.stats);
        if r.report.status == Status::Ok {
            let (first, second) = round_trip(&d, &p);
            assert_eq!(first, second, "{name}");
            ok += 1;
        }
    }
    eprintln!("{ok} packages imported without error and round-tripped");
}
