//! `dxf2 template`: the data value set template of a data set, as DHIS2 makes it (`GET
//! /api/dataSets/{uid}/dataValueSet`): every data element × category option combo with an empty
//! value, to fill in and import with `dxf2 import`.
//!
//! The document is DHIS2's, byte for byte where DHIS2's serialisers decide: XML as its StAX node
//! serialiser writes it (declaration with single quotes, the `Data set: …` comment, which DHIS2
//! writes twice, a `Data element: …` comment before each value with `--comment true`, attributes
//! `dataElement`, `categoryOptionCombo`, `period`, `orgUnit`, `value`, no line breaks) or JSON
//! (`{"dataValues":[…]}`, the same keys, no comments). The rows come from the library
//! ([`import_engine::template`]), which also writes them into any data value writer.

use std::io::Write;
use std::path::PathBuf;

use clap::{Args, ValueEnum};
use dxf2_io::{Compression, OutputBuilder};
use dxf2_model::Period;
use import_engine::template::{Template, TemplateParams, TemplateRow, TemplateScheme};

use crate::location::StoreLocation;
use crate::pdf::{find_data_set, load_metadata};
use crate::{ui, Exit};

/// Arguments of `dxf2 template`.
#[derive(Args, Debug)]
pub struct TemplateArgs {
    /// The store whose metadata describes the data set: a SQLite file, or a PostgreSQL database
    /// as `postgres://user@host:port/db`.
    #[arg(long, value_name = "DB", value_parser = StoreLocation::parse)]
    pub store: StoreLocation,
    /// The data set (UID or code).
    #[arg(long, value_name = "DS")]
    pub data_set: String,
    /// The period written on every value (an ISO period; none: `period=""`, to fill in).
    #[arg(long, value_name = "P")]
    pub period: Option<String>,
    /// Org units (UID, code or name each, as DHIS2 looks them up): the values are repeated for
    /// each, with its `orgUnit`. One that matches nothing is left out, as DHIS2 does.
    #[arg(long, value_name = "OU", num_args = 1..)]
    pub org_unit: Vec<String>,
    /// Write a `Data element: …` comment before each value (XML).
    #[arg(long, value_name = "BOOL", default_value_t = true, action = clap::ArgAction::Set)]
    pub comment: bool,
    /// How org units are written: by UID or by code.
    #[arg(long, value_enum, ignore_case = true, value_name = "SCHEME", default_value_t = SchemeArg::Uid)]
    pub org_unit_id_scheme: SchemeArg,
    /// How data elements are written: by UID or by code.
    #[arg(long, value_enum, ignore_case = true, value_name = "SCHEME", default_value_t = SchemeArg::Uid)]
    pub data_element_id_scheme: SchemeArg,
    /// The format written (default: from the output name, else JSON, as DHIS2).
    #[arg(long, value_enum)]
    pub format: Option<TemplateFormat>,
    /// Where to write the template (`-` or none: stdout; `.gz`/`.zip` compress it).
    #[arg(short, long, value_name = "FILE.xml|.json")]
    pub output: Option<PathBuf>,
}

/// The identifier a template writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum SchemeArg {
    /// UIDs.
    #[value(name = "UID")]
    Uid,
    /// Codes.
    #[value(name = "CODE")]
    Code,
}

impl From<SchemeArg> for TemplateScheme {
    fn from(s: SchemeArg) -> TemplateScheme {
        match s {
            SchemeArg::Uid => TemplateScheme::Uid,
            SchemeArg::Code => TemplateScheme::Code,
        }
    }
}

/// The format of a template.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum TemplateFormat {
    /// DHIS2's XML template.
    Xml,
    /// DHIS2's JSON template.
    Json,
}

/// `dxf2 template`.
pub fn run(args: &TemplateArgs) -> Result<u8, Exit> {
    let out = args.output.clone().unwrap_or_else(|| PathBuf::from("-"));
    let format = output_format(args, &out)?;
    let period = match &args.period {
        None => None,
        Some(p) => Some(
            Period::parse(p)
                .map_err(|_| Exit::usage(format!("--period {p}: not an ISO period")))?,
        ),
    };
    let metadata = load_metadata(&args.store)?;
    let ds = find_data_set(&metadata, &args.data_set)?;
    if let Some(p) = &period {
        if p.period_type() != ds.period_type {
            ui::warning(&format!(
                "--period {p} is {}, but data set `{}` is {}: DHIS2 2.43+ refuses its values \
                 (E8021), 2.36-2.42 only with --strict-periods",
                p.period_type().name(),
                ds.id.uid,
                ds.period_type.name()
            ));
        }
    }
    let params = TemplateParams {
        period,
        org_units: args.org_unit.clone(),
        comments: args.comment,
        org_unit_scheme: args.org_unit_id_scheme.into(),
        data_element_scheme: args.data_element_id_scheme.into(),
        ..TemplateParams::new(ds.id.uid)
    };
    let template = Template::new(&metadata, &params).map_err(|e| Exit {
        code: 1,
        message: format!("--data-set {}: {e}", args.data_set),
    })?;
    for skipped in template.skipped() {
        ui::warning(&format!(
            "--org-unit {skipped}: no org unit has this UID, code or name; left out, as DHIS2 does"
        ));
    }
    let missing_codes = template
        .rows()
        .iter()
        .filter(|r| r.data_element.is_none())
        .count();
    if missing_codes > 0 {
        ui::warning(&format!(
            "{missing_codes} values have no dataElement: their data elements have no code \
             (DHIS2 writes them so too)"
        ));
    }
    let text = match format {
        TemplateFormat::Xml => xml(&template),
        TemplateFormat::Json => json(&template),
    };
    let mut builder = OutputBuilder::new();
    builder.compression(Compression::from_path(&out));
    if let Some(file) = args.store.file() {
        builder.protect(file);
    }
    let mut output = builder
        .create(&out)
        .map_err(|e| Exit::usage(e.to_string()))?;
    let written = output
        .write_all(text.as_bytes())
        .map_err(|e| e.to_string())
        .and_then(|()| output.commit().map_err(|e| e.to_string()));
    match written {
        Ok(()) => {}
        Err(e) if e.contains("Broken pipe") => return Ok(0),
        Err(e) => {
            return Err(Exit {
                code: 1,
                message: format!("writing {}: {e}", out.display()),
            })
        }
    }
    if out.as_os_str() != "-" {
        ui::note(&format!(
            "wrote {} values to {}: fill in their values, then run `dxf2 import {} --store {}`",
            template.rows().len(),
            out.display(),
            out.display(),
            args.store
        ));
    }
    Ok(0)
}

/// The format: `--format`, else the output name (`.xml`, `.json`, through `.gz`/`.zip`), else
/// JSON; a name of another format is refused.
fn output_format(args: &TemplateArgs, out: &std::path::Path) -> Result<TemplateFormat, Exit> {
    let named = match dxf2_io::Format::from_path(out) {
        None => None,
        Some(dxf2_io::Format::Xml) => Some(TemplateFormat::Xml),
        Some(dxf2_io::Format::Json) => Some(TemplateFormat::Json),
        Some(other) => {
            return Err(Exit::usage(format!(
                "{}: the name says {}, but DHIS2 makes templates in XML and JSON only: name it \
                 .xml or .json",
                out.display(),
                other.name().to_uppercase()
            )))
        }
    };
    match (args.format, named) {
        (Some(given), Some(named)) if given != named => Err(Exit::usage(format!(
            "{}: the name says {named:?} but --format says {given:?}: rename the file or correct \
             --format",
            out.display()
        ))),
        (Some(given), _) => Ok(given),
        (None, Some(named)) => Ok(named),
        (None, None) => Ok(TemplateFormat::Json),
    }
}

/// DHIS2's XML template (`StAXNodeSerializer` over Woodstox).
pub fn xml(template: &Template) -> String {
    let mut out = String::from("<?xml version='1.0' encoding='UTF-8'?>");
    let comment = xml_comment(template.comment());
    // DHIS2 writes the root node's comment twice: once before the root element, and again as
    // the comment of the element itself.
    out.push_str(&comment);
    out.push_str(&comment);
    out.push_str(r#"<dataValueSet xmlns="http://dhis2.org/schema/dxf/2.0">"#);
    for row in template.rows() {
        if !row.comment.is_empty() {
            out.push_str(&xml_comment(&row.comment));
        }
        out.push_str("<dataValue");
        for (name, value) in attributes(row) {
            out.push_str(&format!(r#" {name}="{}""#, xml_escape(value)));
        }
        out.push_str("/>");
    }
    out.push_str("</dataValueSet>");
    out
}

/// DHIS2's JSON template (`Jackson2JsonNodeSerializer`): keys in the order DHIS2 adds them.
pub fn json(template: &Template) -> String {
    let quoted = |s: &str| serde_json::Value::String(s.to_owned()).to_string();
    let mut out = String::from(r#"{"dataValues":["#);
    for (i, row) in template.rows().iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push('{');
        for (j, (name, value)) in attributes(row).into_iter().enumerate() {
            if j > 0 {
                out.push(',');
            }
            out.push_str(&format!(r#""{name}":{}"#, quoted(value)));
        }
        out.push('}');
    }
    out.push_str("]}");
    out
}

/// A row's attributes in DHIS2's order: `dataElement` (when there is one), `categoryOptionCombo`,
/// `period`, `orgUnit` (when asked for), `value`.
fn attributes(row: &TemplateRow) -> Vec<(&'static str, &str)> {
    let mut a = Vec::with_capacity(5);
    if let Some(de) = &row.data_element {
        a.push(("dataElement", de.as_str()));
    }
    a.push(("categoryOptionCombo", row.category_option_combo.as_str()));
    a.push(("period", row.period.as_str()));
    if let Some(ou) = &row.org_unit {
        a.push(("orgUnit", ou.as_str()));
    }
    a.push(("value", ""));
    a
}

/// An XML comment (a `--` inside, which XML does not allow, is written `- -`).
fn xml_comment(text: &str) -> String {
    let mut text = text.to_owned();
    while text.contains("--") {
        text = text.replace("--", "- -");
    }
    if text.ends_with('-') {
        text.push(' ');
    }
    format!("<!--{text}-->")
}

fn xml_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_stay_well_formed() {
        assert_eq!(
            xml_comment("Data element: A--B"),
            "<!--Data element: A- -B-->"
        );
        assert_eq!(xml_comment("x-"), "<!--x- -->");
        assert_eq!(xml_escape(r#"a<b & "c""#), "a&lt;b &amp; &quot;c&quot;");
    }
}
