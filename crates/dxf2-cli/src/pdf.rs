//! `dxf2 pdf form`: the fillable PDF data entry form of a data set, in DHIS2's layout (`GET
//! /api/pdfForm/dataSet/{uid}`), made from the store's metadata; and what `dxf2 import` says
//! about a filled form it read.
//!
//! A facility without connectivity fills the form on a laptop (any PDF viewer), saves it, and
//! the district imports it with `dxf2 import FORM.pdf --store DB`, which reads it as DHIS2's PDF
//! import does: the org unit typed into `TXFD_OrgID` (resolved with `--org-unit-id-scheme`,
//! default UID), the period chosen in `TXFD_PeriodID`, one value per `TXFDDV_<dataElement>_<
//! optionCombo>` field. `--org-unit` and `--period` fill those two fields in beforehand.

use std::path::PathBuf;

use clap::{Args, Subcommand};
use dxf2_io::pdf::{write_form, FormOptions, PdfFormReader, DATA_FIELD_PREFIX};
use dxf2_io::{Compression, OutputBuilder};
use dxf2_model::metadata::{DataSet, OrganisationUnit};
use dxf2_model::{Metadata, Period, Uid};

use crate::args::EmptyFieldsArg;
use crate::location::StoreLocation;
use crate::{ui, Exit};

/// `dxf2 pdf …`.
#[derive(Subcommand, Debug)]
pub enum PdfCommand {
    /// Make the fillable PDF form of a data set, as DHIS2 does (`GET /api/pdfForm/dataSet/{uid}`):
    /// fill it in any PDF viewer, then `dxf2 import FORM.pdf --store DB`.
    Form(FormArgs),
}

/// Arguments of `dxf2 pdf form`.
#[derive(Args, Debug)]
pub struct FormArgs {
    /// The store whose metadata describes the data set: a SQLite file, or a PostgreSQL database
    /// as `postgres://user@host:port/db`.
    #[arg(long, value_name = "DB", value_parser = StoreLocation::parse)]
    pub store: StoreLocation,
    /// The data set (UID or code).
    #[arg(long, value_name = "DS")]
    pub data_set: String,
    /// Fill in the org unit beforehand (UID, code or name; the form holds its UID, which `dxf2
    /// import` reads by default). DHIS2 leaves the field empty.
    #[arg(long, value_name = "OU")]
    pub org_unit: Option<String>,
    /// Choose the period beforehand (an ISO period of the data set's period type). DHIS2 leaves
    /// it to the person filling the form, offering the periods from last year to two years ahead
    /// (five years back and six ahead for quarters and longer).
    #[arg(long, value_name = "P")]
    pub period: Option<String>,
    /// Where to write the form (`-` for stdout).
    #[arg(short, long, value_name = "FILE.pdf")]
    pub output: PathBuf,
}

/// The data set named by `text`: its UID, else its code.
pub fn find_data_set<'m>(metadata: &'m Metadata, text: &str) -> Result<&'m DataSet, Exit> {
    Uid::parse(text)
        .ok()
        .and_then(|uid| metadata.data_set(&uid))
        .or_else(|| {
            metadata
                .data_sets()
                .iter()
                .find(|ds| ds.id.code.as_deref() == Some(text))
        })
        .ok_or_else(|| {
            Exit::usage(format!(
                "--data-set {text}: the store holds no data set with this UID or code"
            ))
        })
}

/// The org unit named by `text`: its UID, else its code, else its name (DHIS2's
/// `IdentifiableObjectManager.search`).
pub fn find_org_unit<'m>(metadata: &'m Metadata, text: &str) -> Option<&'m OrganisationUnit> {
    if let Some(ou) = Uid::parse(text)
        .ok()
        .and_then(|uid| metadata.org_unit(&uid))
    {
        return Some(ou);
    }
    let units = metadata.org_units();
    units
        .iter()
        .find(|ou| ou.id.code.as_deref() == Some(text))
        .or_else(|| units.iter().find(|ou| ou.id.name.as_deref() == Some(text)))
}

/// Opens the store read-only and loads its metadata.
pub fn load_metadata(at: &StoreLocation) -> Result<Metadata, Exit> {
    let mut store = crate::store::open_existing(at, true)?;
    store
        .load_metadata()
        .map_err(|e| crate::store::store_error(at, &e))
}

/// `dxf2 pdf form`.
pub fn run_form(args: &FormArgs) -> Result<u8, Exit> {
    let metadata = load_metadata(&args.store)?;
    let ds = find_data_set(&metadata, &args.data_set)?;
    let org_unit = match &args.org_unit {
        None => None,
        Some(text) => {
            let ou = find_org_unit(&metadata, text).ok_or_else(|| {
                Exit::usage(format!(
                    "--org-unit {text}: the store holds no org unit with this UID, code or name"
                ))
            })?;
            if !ds.org_units.is_empty() && !ds.org_units.contains(&ou.id.uid) {
                ui::warning(&format!(
                    "data set `{}` is not assigned to org unit `{}`: DHIS2 2.43+ refuses its values \
                     (E8022), 2.36-2.42 only with strict org units",
                    ds.id.uid, ou.id.uid
                ));
            }
            Some(ou.id.uid.to_string())
        }
    };
    let default_combo = metadata
        .default_category_option_combo()
        .map(|coc| coc.category_combo);
    if default_combo.is_some_and(|cc| cc != ds.category_combo) {
        ui::warning(&format!(
            "data set `{}` has an attribute category combo, but a PDF form (DHIS2's too) has no \
             field for the attribute option combo: its values get the default one, which DHIS2 \
             2.43+ refuses for this data set (E8023) and 2.36-2.42 only with strict attribute \
             option combos",
            ds.id.uid
        ));
    }
    if let Some(p) = &args.period {
        let period = Period::parse(p)
            .map_err(|_| Exit::usage(format!("--period {p}: not an ISO period")))?;
        if period.period_type() != ds.period_type {
            return Err(Exit::usage(format!(
                "--period {p}: a {} period, but data set `{}` is {}",
                period.period_type().name(),
                ds.id.uid,
                ds.period_type.name()
            )));
        }
    }
    let options = FormOptions {
        org_unit,
        period: args.period.clone(),
        ..FormOptions::default()
    };
    let mut builder = OutputBuilder::new();
    builder.compression(Compression::from_path(&args.output));
    if let Some(file) = args.store.file() {
        builder.protect(file);
    }
    let mut output = builder
        .create(&args.output)
        .map_err(|e| Exit::usage(e.to_string()))?;
    let written = write_form(&metadata, &ds.id.uid, &options, &mut output)
        .map_err(|e| e.to_string())
        .and_then(|()| output.commit().map_err(|e| e.to_string()));
    if let Err(e) = written {
        return Err(Exit {
            code: 1,
            message: format!("writing {}: {e}", args.output.display()),
        });
    }
    let name = ds.id.name.as_deref().unwrap_or(ds.id.uid.as_str());
    ui::note(&format!(
        "wrote the form of data set `{}` ({name}) to {}: fill it in a PDF viewer, then run `dxf2 \
         import {} --store {}`",
        ds.id.uid,
        args.output.display(),
        args.output.display(),
        args.store
    ));
    Ok(0)
}

/// What `dxf2 import` says about a filled form it read: how many data fields were filled in and
/// what happened to the empty ones, and a form made for a data set the metadata lacks.
pub fn read_notes(
    form: &PdfFormReader,
    name: &str,
    empty: EmptyFieldsArg,
    metadata: &Metadata,
) -> Vec<String> {
    let mut notes = Vec::new();
    let fields = form
        .fields()
        .iter()
        .filter(|f| f.name.starts_with(DATA_FIELD_PREFIX))
        .count();
    let values = form.value_count();
    if empty == EmptyFieldsArg::Skip && values < fields {
        notes.push(format!(
            "{name}: {values} of {fields} data fields filled in; the {} empty ones were left out \
             (--empty-fields keep hands them on, as DHIS2 does)",
            fields - values
        ));
    }
    if let Some(ds) = form.data_set_hint() {
        let known = Uid::parse(ds)
            .ok()
            .is_some_and(|uid| metadata.data_set(&uid).is_some());
        if !known {
            notes.push(format!(
                "{name} was made for data set `{ds}`, which the metadata does not hold"
            ));
        }
    }
    notes
}
