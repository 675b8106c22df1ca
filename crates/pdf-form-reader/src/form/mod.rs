//! Writing the fillable PDF form of a data set, in DHIS2's layout (`GET
//! /api/pdfForm/dataSet/{uid}`): [`write_form`] (to any `Write`) and [`form_document`] (the
//! lopdf document, for callers that add to it).
//!
//! What the form holds, from the metadata:
//!
//! * the title (the data set's name), a text field `TXFD_OrgID` for the org unit identifier and
//!   a drop-down `TXFD_PeriodID` whose choices show `<name> - <start> - <end>` and export the
//!   ISO period (the periods DHIS2 offers: see [`period_choices`]);
//! * one section (the model has no data set sections; DHIS2 draws the same single block for a
//!   data set without sections, with the data elements in an unspecified order, where this
//!   crate keeps the data set's order); one row per data element and category option combo
//!   (the element's own combo and every data set's override combo for it, options in
//!   cartesian product order), labelled `<data element> <option combo>`;
//! * one field per row, named `TXFDDV_<dataElement>_<categoryOptionCombo>`, by value type:
//!   `TRUE_ONLY` a check box (name suffix `_T4`, `On` when ticked), `BOOLEAN` a drop-down
//!   (`[No Value]`/`Yes`/`No` exporting ``/`true`/`false`), an element with an option set a
//!   drop-down of its options (exporting the option codes; DHIS2 draws a text field instead:
//!   [`FormOptions::option_set_choices`] `false` does that too), numbers a 35 pt text field,
//!   everything else a 160 pt text field;
//! * a Save button (`BTN_SAVEPDF`) and a footer with the page number.
//!
//! # Text outside Latin-1
//!
//! The form's static text (title, labels, footer) is drawn in the standard Helvetica font with
//! WinAnsiEncoding, without embedding a font: French and every other Latin-1 (Windows-1252)
//! text shows correctly; a character outside it (Arabic, Cyrillic, CJK, …) is drawn as `?` in
//! the label. Every field carries its full label, in Unicode, as its tooltip (`/TU`, shown when
//! the pointer rests on the field), option and period choices are Unicode text strings, and
//! what a person types (in any script) is kept as a Unicode value and read back exactly; how
//! a viewer draws typed non-Latin text depends on the viewer's fonts. Embedding a font with
//! Arabic glyphs would need a subsetting TrueType embedder and Arabic shaping, which lopdf does
//! not offer; DHIS2 itself switches to an embedded Noto Naskh Arabic font when the user's
//! language is Arabic.
//!
//! ```
//! use dxf2_model::metadata::{DataElement, DataSet, DataSetElement, Identity};
//! use dxf2_model::{DataValueSource, Metadata, PeriodType, Uid, ValueType};
//! use pdf_form_reader::{write_form, FormOptions, PdfFormReader};
//!
//! let uid = |s: &str| Uid::parse(s).unwrap();
//! let mut de = Identity::new(uid("fbfJHSPpUQD"));
//! de.name = Some("Cas de paludisme confirmés".into());
//! let mut ds = DataSet::new(Identity::new(uid("pBOMPrpg1QX")), PeriodType::Monthly);
//! ds.elements.push(DataSetElement { data_element: de.uid, category_combo: None });
//! let md = Metadata::builder()
//!     .with(DataElement::new(de, ValueType::Integer))
//!     .with(ds)
//!     .build()
//!     .unwrap();
//!
//! let mut pdf = Vec::new();
//! write_form(&md, &uid("pBOMPrpg1QX"), &FormOptions::default(), &mut pdf)?;
//! let form = PdfFormReader::builder()
//!     .empty_fields(pdf_form_reader::EmptyFields::Keep)
//!     .profile(dxf2_model::ImporterProfile::Pipeline)
//!     .from_bytes(&pdf)?;
//! let names: Vec<&str> = form.fields().iter().map(|f| f.name.as_str()).collect();
//! assert_eq!(names, ["TXFD_OrgID", "TXFD_PeriodID", "TXFDDV_fbfJHSPpUQD_HllvX50cXC0", "BTN_SAVEPDF"]);
//! assert_eq!(form.data_set_hint(), Some("pBOMPrpg1QX"));
//! # Ok::<(), pdf_form_reader::Error>(())
//! ```

mod content;
mod metrics;
mod periods;
mod render;

use std::io::Write;

use chrono::Utc;
use dxf2_model::metadata::NaiveDate;
use dxf2_model::{Metadata, Uid};
use lopdf::{Document, SaveOptions};

use crate::error::Error;

pub use periods::{period_choices, period_display};

/// How a form is made.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FormOptions {
    /// The day the form is made: it decides the periods offered and is printed in the footer.
    pub today: NaiveDate,
    /// The name printed in the footer (`generated from DHIS <name>`; DHIS2 prints the
    /// server's host name).
    pub server_name: String,
    /// Elements with an option set get a drop-down of the options (`true`, the default) or, as
    /// DHIS2 does, a plain text field (`false`).
    pub option_set_choices: bool,
    /// An org unit identifier filled in beforehand (DHIS2 leaves the field empty).
    pub org_unit: Option<String>,
    /// A period chosen beforehand (an ISO period of the data set's period type; added to the
    /// choices when outside DHIS2's window).
    pub period: Option<String>,
    /// Write the objects into compressed object streams with a cross-reference stream (PDF
    /// 1.5+, a smaller file) instead of a classic cross-reference table (the default, which
    /// every reader takes).
    pub object_streams: bool,
}

impl Default for FormOptions {
    /// Today (UTC), footer name `dxf2`, option sets as drop-downs, nothing filled in, a classic
    /// cross-reference table.
    fn default() -> Self {
        FormOptions {
            today: Utc::now().date_naive(),
            server_name: "dxf2".to_owned(),
            option_set_choices: true,
            org_unit: None,
            period: None,
            object_streams: false,
        }
    }
}

/// The form of a data set as a lopdf document (streams compressed, not yet saved).
///
/// Fails when the data set, one of its data elements, or the period to fill in cannot be used.
pub fn form_document(
    metadata: &Metadata,
    data_set: &Uid,
    options: &FormOptions,
) -> Result<Document, Error> {
    let content = content::form_content(metadata, data_set, options)?;
    render::render(&content, options)
}

/// Writes the form of a data set to `out`.
pub fn write_form<W: Write>(
    metadata: &Metadata,
    data_set: &Uid,
    options: &FormOptions,
    mut out: W,
) -> Result<(), Error> {
    let mut doc = form_document(metadata, data_set, options)?;
    let saved = if options.object_streams {
        let save = SaveOptions::builder()
            .use_object_streams(true)
            .use_xref_streams(true)
            .build();
        doc.save_with_options(&mut out, save)
    } else {
        doc.save_to(&mut out)
    };
    saved?;
    out.flush()?;
    Ok(())
}
