//! What the offline data entry tests (`pdf.rs`, `template.rs`, `value.rs`) share: a store made
//! from the import engine's fixture `offline-entry.json` (a monthly report with a sex
//! disaggregation and a funding attribute combo, TRUE_ONLY, BOOLEAN, option set, IMAGE and
//! FILE_RESOURCE elements, a data set locked after 10 days, a clerk whose hierarchy is one
//! district), the stored values read back through `dxf2 export`, and filling a PDF form with
//! pypdf, an independent PDF library.

#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::common::{dxf2, exits, s};

/// The metadata fixture.
pub fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../import-engine/tests/fixtures/offline-entry.json")
}

/// A store in `dir` holding the fixture's metadata.
pub fn store(dir: &Path) -> PathBuf {
    let db = dir.join("store.sqlite");
    let o = dxf2(&["metadata", "import", s(&fixture()), "--store", s(&db)]);
    exits(&o, 0, &[]);
    db
}

/// One stored value: data element, category option combo, attribute option combo, value,
/// comment, follow-up.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Row {
    pub de: String,
    pub coc: String,
    pub aoc: String,
    pub value: Option<String>,
    pub comment: Option<String>,
    pub followup: bool,
}

/// Every stored value of the monthly report for `pe` at Clinic A, through `dxf2 export` (JSON),
/// sorted.
pub fn stored(db: &Path, pe: &str) -> Vec<Row> {
    stored_in(db, "dsMonthly01", pe)
}

/// Every stored value of data set `ds` for `pe` at Clinic A, sorted.
pub fn stored_in(db: &Path, ds: &str, pe: &str) -> Vec<Row> {
    let o = dxf2(&[
        "export",
        "--store",
        s(db),
        "--data-set",
        ds,
        "--period",
        pe,
        "--org-unit",
        "ouClinicA01",
        "--format",
        "json",
    ]);
    exits(&o, 0, &[]);
    let doc: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let text =
        |v: &serde_json::Value, k: &str| v.get(k).and_then(|t| t.as_str()).map(str::to_owned);
    let mut rows: Vec<Row> = doc["dataValues"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| Row {
            de: text(v, "dataElement").unwrap(),
            coc: text(v, "categoryOptionCombo").unwrap(),
            aoc: text(v, "attributeOptionCombo").unwrap(),
            value: text(v, "value"),
            comment: text(v, "comment"),
            followup: v["followup"].as_bool().unwrap(),
        })
        .collect();
    rows.sort();
    rows
}

/// Whether pypdf is installed; without it a test says so and passes, except under `CI=true`,
/// where CI installs it (`.ci/run`) and its absence fails the test.
pub fn pypdf_available(test: &str) -> bool {
    let found = Command::new("python3")
        .args(["-c", "import pypdf"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "{test}: pypdf is not installed (python3 -m pip install pypdf); CI must have it"
        );
        eprintln!("SKIPPED {test}: pypdf is not installed (python3 -m pip install pypdf)");
    }
    found
}

/// Fills the form `from` with pypdf as a person would in a viewer and saves it as `to`:
/// `fields` are (field name, value); a check box takes `/On`.
pub fn fill_with_pypdf(from: &Path, to: &Path, fields: &[(&str, &str)]) {
    let values = serde_json::Value::Object(
        fields
            .iter()
            .map(|(k, v)| ((*k).to_owned(), serde_json::Value::String((*v).to_owned())))
            .collect(),
    );
    let script = r#"
import json, sys
from pypdf import PdfReader, PdfWriter
reader = PdfReader(sys.argv[1])
writer = PdfWriter(clone_from=reader)
values = json.loads(sys.argv[3])
for page in writer.pages:
    writer.update_page_form_field_values(page, values, auto_regenerate=False)
writer.write(sys.argv[2])
"#;
    let o = Command::new("python3")
        .args(["-c", script, s(from), s(to), &values.to_string()])
        .output()
        .unwrap();
    assert!(
        o.status.success(),
        "pypdf failed: {}",
        String::from_utf8_lossy(&o.stderr)
    );
}
