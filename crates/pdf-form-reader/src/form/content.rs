//! What a data set's form holds, worked out from the metadata before anything is drawn: the
//! title, the period choices, and one section of rows (one row per data element and category
//! option combo), each row with its label and its field.

use dxf2_model::metadata::{CategoryOptionCombo, DataElement, DataSet, Identity};
use dxf2_model::{Metadata, ObjectKind, Period, Uid, ValueType};

use super::periods::{period_choices, period_display};
use super::FormOptions;
use crate::error::{Error, ErrorKind};
use crate::{DATA_FIELD_PREFIX, ORG_UNIT_FIELD, PERIOD_FIELD};

/// Field widths and heights (points), as DHIS2's form makes them.
pub const TEXT_WIDTH: f32 = 160.0;
/// Width of a numeric text field.
pub const NUMBER_WIDTH: f32 = 35.0;
/// Width of the org unit and period fields.
pub const HEADER_FIELD_WIDTH: f32 = 220.0;
/// Height of text and choice fields.
pub const FIELD_HEIGHT: f32 = 12.0;
/// Side of a check box.
pub const CHECK_BOX_SIZE: f32 = 10.0;

/// The kind of widget a field is drawn as.
#[derive(Clone, Debug, PartialEq)]
pub enum Widget {
    /// A text field of a width; `numeric` for numbers (DHIS2's `TEXT_NUMBER` cell).
    Text {
        /// Width in points.
        width: f32,
        /// Whether the field takes numbers.
        numeric: bool,
    },
    /// A drop-down list of `(export value, display text)` choices.
    Combo {
        /// Width in points.
        width: f32,
        /// The choices.
        choices: Vec<(String, String)>,
    },
    /// A check box (`On` when ticked).
    CheckBox,
}

/// One AcroForm field of the form.
#[derive(Clone, Debug, PartialEq)]
pub struct FieldSpec {
    /// The field's name (`TXFDDV_…`, `TXFD_OrgID`, `TXFD_PeriodID`).
    pub name: String,
    /// Its widget.
    pub widget: Widget,
    /// The text a viewer shows when the pointer rests on it (the row's label, in full Unicode).
    pub tooltip: String,
    /// A value filled in beforehand.
    pub value: Option<String>,
}

/// One row of a section: a label and a field.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    /// `<data element name> <option combo name>` (a trailing space for the default combo).
    pub label: String,
    /// The field.
    pub field: FieldSpec,
}

/// A block of rows under a header (empty: no header).
#[derive(Clone, Debug, PartialEq)]
pub struct Section {
    /// The header.
    pub name: String,
    /// The rows.
    pub rows: Vec<Row>,
}

/// Everything the form shows.
#[derive(Clone, Debug, PartialEq)]
pub struct FormContent {
    /// The data set's UID.
    pub data_set: Uid,
    /// The title: the data set's name.
    pub title: String,
    /// The org unit field.
    pub org_unit: FieldSpec,
    /// The period field.
    pub period: FieldSpec,
    /// The data entry sections.
    pub sections: Vec<Section>,
}

/// A name to show: the name, else the code, else the UID.
fn display_name(id: &Identity) -> String {
    id.name
        .clone()
        .or_else(|| id.code.clone())
        .unwrap_or_else(|| id.uid.to_string())
}

fn not_found(kind: ObjectKind, uid: &Uid) -> Error {
    Error::new(ErrorKind::NotInMetadata {
        kind: crate::error::kind_name(kind),
        uid: uid.to_string(),
    })
}

/// Works out the form of a data set.
pub fn form_content(
    md: &Metadata,
    data_set: &Uid,
    options: &FormOptions,
) -> Result<FormContent, Error> {
    let ds = md
        .data_set(data_set)
        .ok_or_else(|| not_found(ObjectKind::DataSet, data_set))?;
    let period = period_field(ds, options)?;
    let org_unit = FieldSpec {
        name: ORG_UNIT_FIELD.to_owned(),
        widget: Widget::Text {
            width: HEADER_FIELD_WIDTH,
            numeric: false,
        },
        tooltip: "Organization unit identifier".to_owned(),
        value: options.org_unit.clone(),
    };
    let default_coc = md.default_category_option_combo().map(|c| c.id.uid);
    let mut rows = Vec::new();
    for element in &ds.elements {
        let de = md
            .data_element(&element.data_element)
            .ok_or_else(|| not_found(ObjectKind::DataElement, &element.data_element))?;
        for coc in md.data_element_option_combos(de) {
            let coc_name = if Some(coc.id.uid) == default_coc {
                String::new()
            } else {
                display_name(&coc.id)
            };
            let label = format!("{} {coc_name}", display_name(&de.id));
            let field = data_field(md, de, coc, &label, options);
            rows.push(Row { label, field });
        }
    }
    Ok(FormContent {
        data_set: ds.id.uid,
        title: display_name(&ds.id),
        org_unit,
        period,
        sections: vec![Section {
            name: String::new(),
            rows,
        }],
    })
}

/// The period choice field, with the preset period (when given) among its choices.
fn period_field(ds: &DataSet, options: &FormOptions) -> Result<FieldSpec, Error> {
    if !ds.period_type.has_iso_form() {
        return Err(Error::new(ErrorKind::FormPeriod {
            period: ds.period_type.name().to_owned(),
            reason: "this period type has no ISO periods, so no form can name one".to_owned(),
        }));
    }
    let mut periods = period_choices(ds.period_type, options.today);
    let preset = match options.period.as_deref() {
        Some(raw) => {
            let p = Period::parse(raw).map_err(|e| {
                Error::in_field(
                    ErrorKind::FormPeriod {
                        period: raw.to_owned(),
                        reason: e.to_string(),
                    },
                    PERIOD_FIELD,
                )
            })?;
            if p.period_type() != ds.period_type {
                return Err(Error::in_field(
                    ErrorKind::FormPeriod {
                        period: raw.to_owned(),
                        reason: format!(
                            "the data set's period type is {}, not {}",
                            ds.period_type.name(),
                            p.period_type().name()
                        ),
                    },
                    PERIOD_FIELD,
                ));
            }
            if !periods.contains(&p) {
                periods.push(p);
                periods.sort_by_key(Period::start_date);
            }
            Some(p.to_string())
        }
        None => None,
    };
    Ok(FieldSpec {
        name: PERIOD_FIELD.to_owned(),
        widget: Widget::Combo {
            width: HEADER_FIELD_WIDTH,
            choices: periods
                .iter()
                .map(|p| (p.to_string(), period_display(p)))
                .collect(),
        },
        tooltip: "Period".to_owned(),
        value: preset,
    })
}

/// The field of one data element and option combo, by value type.
fn data_field(
    md: &Metadata,
    de: &DataElement,
    coc: &CategoryOptionCombo,
    label: &str,
    options: &FormOptions,
) -> FieldSpec {
    let base = format!("{DATA_FIELD_PREFIX}{}_{}", de.id.uid, coc.id.uid);
    let option_set = de
        .option_set
        .filter(|_| options.option_set_choices)
        .and_then(|uid| md.option_set(&uid));
    let (name, widget) = match (de.value_type, option_set) {
        (ValueType::TrueOnly, _) => (format!("{base}_T4"), Widget::CheckBox),
        (ValueType::Boolean, _) => (
            base,
            Widget::Combo {
                width: TEXT_WIDTH,
                choices: vec![
                    (String::new(), "[No Value]".to_owned()),
                    ("true".to_owned(), "Yes".to_owned()),
                    ("false".to_owned(), "No".to_owned()),
                ],
            },
        ),
        (_, Some(set)) => {
            let mut choices = vec![(String::new(), "[No Value]".to_owned())];
            choices.extend(set.options.iter().filter_map(|o| {
                let code = o.id.code.clone()?;
                let shown = o.id.name.clone().unwrap_or_else(|| code.clone());
                Some((code, shown))
            }));
            (
                base,
                Widget::Combo {
                    width: TEXT_WIDTH,
                    choices,
                },
            )
        }
        (vt, None) if vt.is_numeric() => (
            base,
            Widget::Text {
                width: NUMBER_WIDTH,
                numeric: true,
            },
        ),
        _ => (
            base,
            Widget::Text {
                width: TEXT_WIDTH,
                numeric: false,
            },
        ),
    };
    FieldSpec {
        name,
        widget,
        tooltip: label.trim_end().to_owned(),
        value: None,
    }
}
