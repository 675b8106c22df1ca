//! Writing an import summary document.

use std::io::{BufWriter, Write};

use dxf2_model::{
    EchoValue, IdScheme, ImportConflict, ImportOptions, ImportSummary, DXF2_NAMESPACE,
};

use crate::error::{Error, ErrorKind};
use crate::escape::{is_ncname, write_escaped, WriteProblem};

/// Writes an import summary as an XML document (see the [module docs](crate::summary) for the shape).
///
/// ```
/// use dxf2_model::{ImportCount, ImportStatus, ImportSummary};
/// use dxf2_xml::{read_import_summary, write_import_summary};
///
/// let summary = ImportSummary {
///     status: ImportStatus::Success,
///     description: Some("Import process completed successfully".into()),
///     import_count: ImportCount { imported: 3, ..ImportCount::default() },
///     data_set_complete: Some("false".into()),
///     ..ImportSummary::default()
/// };
/// let mut xml = Vec::new();
/// write_import_summary(&mut xml, &summary)?;
/// let text = String::from_utf8(xml.clone()).unwrap();
/// assert!(text.contains("<importCount imported=\"3\" updated=\"0\" ignored=\"0\" deleted=\"0\"/>"));
/// assert_eq!(read_import_summary(xml.as_slice())?, summary);
/// # Ok::<(), dxf2_xml::Error>(())
/// ```
pub fn write_import_summary<W: Write>(out: W, summary: &ImportSummary) -> Result<(), Error> {
    let mut w = Out {
        out: BufWriter::new(out),
        level: 0,
    };
    w.out
        .write_all(b"<?xml version='1.0' encoding='UTF-8'?>\n")?;
    w.start("importSummary", &[("xmlns", DXF2_NAMESPACE)], false)?;
    w.leaf("responseType", "ImportSummary")?;
    w.leaf("status", summary.status.name())?;
    if let Some(options) = &summary.import_options {
        write_options(&mut w, options)?;
    }
    if let Some(description) = &summary.description {
        w.leaf("description", description)?;
    }
    let count = &summary.import_count;
    let (imported, updated, ignored, deleted) = (
        count.imported.to_string(),
        count.updated.to_string(),
        count.ignored.to_string(),
        count.deleted.to_string(),
    );
    w.start(
        "importCount",
        &[
            ("imported", &imported),
            ("updated", &updated),
            ("ignored", &ignored),
            ("deleted", &deleted),
        ],
        true,
    )?;
    if summary.conflicts.is_empty() {
        w.start("conflicts", &[], true)?;
    } else {
        w.start("conflicts", &[], false)?;
        for conflict in &summary.conflicts {
            write_conflict(&mut w, conflict)?;
        }
        w.end("conflicts")?;
    }
    if summary.rejected_indexes.is_empty() {
        w.start("rejectedIndexes", &[], true)?;
    } else {
        w.start("rejectedIndexes", &[], false)?;
        for index in &summary.rejected_indexes {
            w.leaf("rejectedIndexes", &index.to_string())?;
        }
        w.end("rejectedIndexes")?;
    }
    if let Some(complete) = &summary.data_set_complete {
        w.leaf("dataSetComplete", complete)?;
    }
    w.end("importSummary")?;
    w.out.flush()?;
    Ok(())
}

pub(super) fn write_conflict<W: Write>(
    w: &mut Out<W>,
    conflict: &ImportConflict,
) -> Result<(), Error> {
    let indexes = conflict.indexes.as_ref().map(|list| {
        list.iter()
            .map(|i| i.to_string())
            .collect::<Vec<_>>()
            .join(" ")
    });
    let mut attrs: Vec<(&str, &str)> = Vec::with_capacity(5);
    if let Some(object) = &conflict.object {
        attrs.push(("object", object));
    }
    attrs.push(("value", &conflict.value));
    if let Some(code) = &conflict.error_code {
        attrs.push(("errorCode", code));
    }
    if let Some(property) = &conflict.property {
        attrs.push(("property", property));
    }
    if let Some(indexes) = &indexes {
        attrs.push(("indexes", indexes));
    }
    if conflict.objects.is_empty() {
        return w.start("conflict", &attrs, true);
    }
    w.start("conflict", &attrs, false)?;
    w.start("objects", &[], false)?;
    for (key, value) in &conflict.objects {
        if !is_ncname(key) {
            return Err(Error::new(ErrorKind::Unwritable {
                what: format!("conflict object key `{key}`"),
                reason: "not an XML element name",
            }));
        }
        match value {
            Some(value) if !value.is_empty() => w.leaf(key, value)?,
            _ => w.start(key, &[], true)?,
        }
    }
    w.end("objects")?;
    w.end("conflict")
}

pub(super) fn write_options<W: Write>(w: &mut Out<W>, o: &ImportOptions) -> Result<(), Error> {
    w.start("importOptions", &[], false)?;
    let schemes: Vec<(&str, &IdScheme)> = o
        .id_schemes
        .echo_slots()
        .into_iter()
        .filter_map(|(name, scheme)| scheme.map(|s| (name, s)))
        .collect();
    if schemes.is_empty() {
        w.start("idSchemes", &[], true)?;
    } else {
        w.start("idSchemes", &[], false)?;
        for (name, scheme) in schemes {
            w.start(name, &[], false)?;
            w.leaf("type", scheme.type_name())?;
            if let Some(attribute) = scheme.attribute() {
                w.leaf("attribute", attribute)?;
            }
            w.end(name)?;
        }
        w.end("idSchemes")?;
    }
    for (name, value) in o.echo_members() {
        match value {
            EchoValue::Bool(b) => w.leaf(name, if b { "true" } else { "false" })?,
            EchoValue::Text(text) => w.leaf(name, text)?,
        }
    }
    w.end("importOptions")
}

/// A tiny indenting XML writer (two spaces per level, LF line ends).
pub(super) struct Out<W: Write> {
    out: BufWriter<W>,
    level: usize,
}

impl<W: Write> Out<W> {
    fn indent(&mut self) -> Result<(), Error> {
        for _ in 0..self.level {
            self.out.write_all(b"  ")?;
        }
        Ok(())
    }

    fn escaped(&mut self, what: &str, text: &str) -> Result<(), Error> {
        write_escaped(&mut self.out, text).map_err(|p| match p {
            WriteProblem::Io(e) => Error::new(ErrorKind::Io(e)),
            WriteProblem::Nul => Error::new(ErrorKind::Unwritable {
                what: what.to_owned(),
                reason: "U+0000 cannot be represented in XML",
            }),
        })
    }

    fn start(&mut self, name: &str, attrs: &[(&str, &str)], empty: bool) -> Result<(), Error> {
        self.indent()?;
        self.out.write_all(b"<")?;
        self.out.write_all(name.as_bytes())?;
        for (key, value) in attrs {
            self.out.write_all(b" ")?;
            self.out.write_all(key.as_bytes())?;
            self.out.write_all(b"=\"")?;
            self.escaped(&format!("attribute `{key}` of <{name}>"), value)?;
            self.out.write_all(b"\"")?;
        }
        if empty {
            self.out.write_all(b"/>\n")?;
        } else {
            self.out.write_all(b">\n")?;
            self.level += 1;
        }
        Ok(())
    }

    fn end(&mut self, name: &str) -> Result<(), Error> {
        self.level = self.level.saturating_sub(1);
        self.indent()?;
        self.out.write_all(b"</")?;
        self.out.write_all(name.as_bytes())?;
        self.out.write_all(b">\n")?;
        Ok(())
    }

    fn leaf(&mut self, name: &str, text: &str) -> Result<(), Error> {
        self.indent()?;
        self.out.write_all(b"<")?;
        self.out.write_all(name.as_bytes())?;
        self.out.write_all(b">")?;
        self.escaped(&format!("element <{name}>"), text)?;
        self.out.write_all(b"</")?;
        self.out.write_all(name.as_bytes())?;
        self.out.write_all(b">\n")?;
        Ok(())
    }
}
