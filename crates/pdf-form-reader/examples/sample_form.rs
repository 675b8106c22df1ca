//! Writes the form of the tests' sample data set (French and Arabic names, a disaggregated
//! element, a check box, a Yes/No list and an option set) to `sample-form.pdf`, and a filled
//! copy to `sample-form-filled.pdf`, in the directory given (default: the current one).
//!
//! Run: `cargo run -p pdf-form-reader --example sample_form -- /tmp`, then look at the pages
//! (`pdftoppm -png -r 80 /tmp/sample-form-filled.pdf /tmp/page`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../tests/common/mod.rs"]
mod common;

use std::path::PathBuf;

use common::*;

fn main() {
    let dir = PathBuf::from(std::env::args().nth(1).unwrap_or_else(|| ".".into()));
    let pdf = form(&options());
    std::fs::write(dir.join("sample-form.pdf"), &pdf).expect("write the form");
    let cases = field(DE_CASES, COC_F_U5);
    let stockout = format!("{}_T4", field(DE_STOCKOUT, DEFAULT_COC));
    let remark = field(DE_REMARK, DEFAULT_COC);
    let filled = pdf_form_reader::fill(
        &pdf,
        &[
            ("TXFD_OrgID", ORG_UNIT),
            ("TXFD_PeriodID", "202401"),
            (&cases, "12"),
            (&stockout, "On"),
            (&remark, "Rupture de stock signalée"),
        ],
    )
    .expect("fill the form");
    std::fs::write(dir.join("sample-form-filled.pdf"), filled).expect("write the filled form");
    println!("wrote {}", dir.join("sample-form.pdf").display());
}
