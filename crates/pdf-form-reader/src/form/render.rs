//! Draws a [`FormContent`] as a PDF with lopdf, in DHIS2's layout: A4 portrait, 36 pt margins,
//! the title, the org unit / period table (label column : field column = 1 : 3), the sections
//! (label column : field column = 2 : 1, bordered cells of light grey, labels right-aligned),
//! the Save button, and a footer with the page number on every page.
//!
//! Static text is Helvetica with WinAnsiEncoding (Latin-1 and the Windows-1252 extras); a
//! character outside it is drawn as `?`. Fields carry their full label as tooltip (`/TU`, a
//! Unicode text string), their values and choices as Unicode text strings, and the form asks
//! viewers to draw field appearances themselves (`/NeedAppearances true`), with drawn
//! appearances kept as a fallback.

use lopdf::content::{Content, Operation};
use lopdf::{dictionary, Dictionary, Document, Object, ObjectId, Stream, StringFormat};

use super::content::{FieldSpec, FormContent, Widget, CHECK_BOX_SIZE, FIELD_HEIGHT};
use super::metrics::{text_width, wrap};
use super::FormOptions;
use crate::error::{Error, ErrorKind};
use crate::text::{encode_text_string, winansi_byte};
use crate::{INFO_DATA_SET_KEY, SAVE_BUTTON_FIELD};

const PAGE_WIDTH: f32 = 595.0;
const PAGE_HEIGHT: f32 = 842.0;
const MARGIN: f32 = 36.0;
const TABLE_WIDTH: f32 = PAGE_WIDTH - 2.0 * MARGIN;
/// Where rows stop: above the footer.
const BOTTOM: f32 = MARGIN + 14.0;
const BODY_SIZE: f32 = 10.0;
const LINE: f32 = 12.0;
const PADDING: f32 = 2.0;
const MIN_ROW: f32 = 14.0;
/// Cell borders: grey HSB(0, 0, 0.863).
const BORDER_GREY: f32 = 0.863;
/// Field background: grey HSB(0, 0, 0.961).
const FIELD_GREY: f32 = 0.961;

/// `/Ff` bit 17: push button; bit 18: combo box.
const FF_PUSHBUTTON: i64 = 1 << 16;
const FF_COMBO: i64 = 1 << 17;
/// Annotation flag: print.
const PRINT: i64 = 4;

fn real(v: f32) -> Object {
    Object::Real(v)
}

/// A PDF text string (PDFDocEncoding or UTF-16BE).
fn text_string(text: &str) -> Object {
    Object::String(encode_text_string(text), StringFormat::Literal)
}

/// Bytes for a WinAnsi font.
fn winansi(text: &str) -> Object {
    Object::String(
        text.chars().map(winansi_byte).collect(),
        StringFormat::Literal,
    )
}

fn op(operator: &str, operands: Vec<Object>) -> Operation {
    Operation::new(operator, operands)
}

struct Page {
    id: ObjectId,
    ops: Vec<Operation>,
    annots: Vec<Object>,
}

struct Painter<'a> {
    doc: Document,
    options: &'a FormOptions,
    font: ObjectId,
    bold: ObjectId,
    zapf: ObjectId,
    /// Finished pages.
    pages: Vec<Page>,
    /// The page being drawn.
    current: Page,
    fields: Vec<Object>,
    /// Top of the free space on the current page.
    y: f32,
}

/// Draws the form.
pub fn render(content: &FormContent, options: &FormOptions) -> Result<Document, Error> {
    let mut doc = Document::with_version("1.7");
    let font = doc.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica",
        "Encoding" => "WinAnsiEncoding",
    });
    let bold = doc.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica-Bold",
        "Encoding" => "WinAnsiEncoding",
    });
    let zapf = doc.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "ZapfDingbats",
    });
    let first = Page {
        id: doc.new_object_id(),
        ops: Vec::new(),
        annots: Vec::new(),
    };
    let mut p = Painter {
        doc,
        options,
        font,
        bold,
        zapf,
        pages: Vec::new(),
        current: first,
        fields: Vec::new(),
        y: PAGE_HEIGHT - MARGIN,
    };
    p.title(&content.title);
    p.header_table(content)?;
    p.y -= 15.0;
    for section in &content.sections {
        p.y -= 15.0;
        if !section.name.is_empty() {
            p.ensure(20.0);
            let baseline = p.y - 14.0;
            p.text(
                true,
                14.0,
                (0.275, 0.510, 0.706),
                MARGIN,
                baseline,
                &section.name,
            );
            p.y -= 20.0;
        }
        for row in &section.rows {
            p.data_row(&row.label, &row.field)?;
        }
    }
    p.y -= 30.0;
    p.save_button(&content.title);
    p.finish(content)
}

impl Painter<'_> {
    fn new_page(&mut self) {
        let next = Page {
            id: self.doc.new_object_id(),
            ops: Vec::new(),
            annots: Vec::new(),
        };
        let done = std::mem::replace(&mut self.current, next);
        self.pages.push(done);
        self.y = PAGE_HEIGHT - MARGIN;
    }

    /// Starts a new page unless `height` fits on this one.
    fn ensure(&mut self, height: f32) {
        if self.y - height < BOTTOM {
            self.new_page();
        }
    }

    fn page(&mut self) -> &mut Page {
        &mut self.current
    }

    fn text(
        &mut self,
        bold: bool,
        size: f32,
        rgb: (f32, f32, f32),
        x: f32,
        baseline: f32,
        text: &str,
    ) {
        let font = if bold { "F2" } else { "F1" };
        let ops = vec![
            op("BT", vec![]),
            op("rg", vec![real(rgb.0), real(rgb.1), real(rgb.2)]),
            op("Tf", vec![font.into(), real(size)]),
            op("Td", vec![real(x), real(baseline)]),
            op("Tj", vec![winansi(text)]),
            op("ET", vec![]),
        ];
        self.page().ops.extend(ops);
    }

    /// A cell border (0.1 pt, light grey).
    fn cell(&mut self, x: f32, top: f32, width: f32, height: f32) {
        let ops = vec![
            op("q", vec![]),
            op("w", vec![real(0.1)]),
            op("G", vec![real(BORDER_GREY)]),
            op(
                "re",
                vec![real(x), real(top - height), real(width), real(height)],
            ),
            op("S", vec![]),
            op("Q", vec![]),
        ];
        self.page().ops.extend(ops);
    }

    fn title(&mut self, title: &str) {
        for line in wrap(title, 16.0, true, TABLE_WIDTH) {
            self.ensure(24.0);
            let baseline = self.y - 16.0;
            self.text(true, 16.0, (0.0, 0.0, 0.502), MARGIN, baseline, &line);
            self.y -= 24.0;
        }
        // DHIS2 prints the description (none in the model) and a blank line.
        self.y -= 16.0;
    }

    /// The org unit and period rows: label : field = 1 : 3, borderless.
    fn header_table(&mut self, content: &FormContent) -> Result<(), Error> {
        let label_width = TABLE_WIDTH / 4.0;
        for (label, field) in [
            ("Organization unit identifier", &content.org_unit),
            ("Period", &content.period),
        ] {
            self.ensure(20.0);
            let top = self.y;
            let x = MARGIN + label_width - PADDING - text_width(label, BODY_SIZE, false);
            self.text(
                false,
                BODY_SIZE,
                (0.0, 0.0, 0.0),
                x,
                top - PADDING - 9.0,
                label,
            );
            self.field(field, MARGIN + label_width + 3.0, top - 0.5)?;
            self.y -= 20.0;
        }
        Ok(())
    }

    /// One row of a section: the label (wrapped, right-aligned) and the field.
    fn data_row(&mut self, label: &str, field: &FieldSpec) -> Result<(), Error> {
        let label_width = TABLE_WIDTH * 2.0 / 3.0;
        let entry_width = TABLE_WIDTH - label_width;
        let lines = wrap(label, BODY_SIZE, false, label_width - 2.0 * PADDING);
        let height = (lines.len() as f32 * LINE + 2.0 * PADDING).max(MIN_ROW + 2.0);
        self.ensure(height);
        let top = self.y;
        self.cell(MARGIN, top, label_width, height);
        self.cell(MARGIN + label_width, top, entry_width, height);
        for (i, line) in lines.iter().enumerate() {
            let baseline = top - PADDING - 9.0 - i as f32 * LINE;
            let x = MARGIN + label_width - PADDING - text_width(line, BODY_SIZE, false);
            self.text(false, BODY_SIZE, (0.0, 0.0, 0.0), x, baseline, line);
        }
        self.field(field, MARGIN + label_width + 3.0, top - 0.5 - PADDING)?;
        self.y -= height;
        Ok(())
    }

    /// An appearance stream (form XObject) of `width` × `height`.
    fn appearance(
        &mut self,
        width: f32,
        height: f32,
        ops: Vec<Operation>,
    ) -> Result<ObjectId, Error> {
        let bytes = Content { operations: ops }.encode().map_err(|e| {
            Error::new(ErrorKind::Write {
                message: e.to_string(),
            })
        })?;
        let dict = dictionary! {
            "Type" => "XObject", "Subtype" => "Form",
            "BBox" => vec![real(0.0), real(0.0), real(width), real(height)],
            "Resources" => dictionary! { "Font" => dictionary! {
                "Helv" => self.font, "ZaDb" => self.zapf,
            } },
        };
        Ok(self.doc.add_object(Stream::new(dict, bytes)))
    }

    /// Background and border of a text or choice field, and its text.
    fn box_ops(width: f32, height: f32, text: Option<&str>, right: bool) -> Vec<Operation> {
        let mut ops = vec![
            op("g", vec![real(FIELD_GREY)]),
            op("re", vec![real(0.0), real(0.0), real(width), real(height)]),
            op("f", vec![]),
            op("G", vec![real(0.0)]),
            op("w", vec![real(1.0)]),
            op(
                "re",
                vec![real(0.5), real(0.5), real(width - 1.0), real(height - 1.0)],
            ),
            op("S", vec![]),
        ];
        if let Some(text) = text.filter(|t| !t.is_empty()) {
            let size = 9.0;
            let x = if right {
                (width - 2.0 - text_width(text, size, false)).max(2.0)
            } else {
                2.0
            };
            ops.extend([
                op("BMC", vec!["Tx".into()]),
                op("q", vec![]),
                op("BT", vec![]),
                op("g", vec![real(0.0)]),
                op("Tf", vec!["Helv".into(), real(size)]),
                op("Td", vec![real(x), real(3.0)]),
                op("Tj", vec![winansi(text)]),
                op("ET", vec![]),
                op("Q", vec![]),
                op("EMC", vec![]),
            ]);
        }
        ops
    }

    /// Adds an AcroForm field (merged with its widget) with its top-left corner at `x`, `top`.
    fn field(&mut self, spec: &FieldSpec, x: f32, top: f32) -> Result<(), Error> {
        let page = self.page().id;
        let mut dict = dictionary! {
            "Type" => "Annot", "Subtype" => "Widget", "F" => PRINT, "P" => page,
            "T" => text_string(&spec.name), "TU" => text_string(&spec.tooltip),
        };
        match &spec.widget {
            Widget::Text { width, .. } => {
                let (w, h) = (*width, FIELD_HEIGHT);
                let ap = self.appearance(w, h, Self::box_ops(w, h, spec.value.as_deref(), true))?;
                dict.set("FT", "Tx");
                dict.set("Q", 2);
                dict.set("DA", text_string("/Helv 9 Tf 0 g"));
                dict.set(
                    "MK",
                    dictionary! { "BC" => vec![real(0.0)], "BG" => vec![real(FIELD_GREY)] },
                );
                dict.set("Rect", rect(x, top, w, h));
                dict.set("AP", dictionary! { "N" => ap });
                if let Some(v) = &spec.value {
                    dict.set("V", text_string(v));
                }
            }
            Widget::Combo { width, choices } => {
                let (w, h) = (*width, FIELD_HEIGHT);
                let shown = spec.value.as_deref().and_then(|v| {
                    choices
                        .iter()
                        .find(|(e, _)| e == v)
                        .map(|(_, d)| d.as_str())
                });
                let ap = self.appearance(w, h, Self::box_ops(w, h, shown, false))?;
                dict.set("FT", "Ch");
                dict.set("Ff", FF_COMBO);
                dict.set("DA", text_string("/Helv 9 Tf 0 g"));
                dict.set(
                    "MK",
                    dictionary! { "BC" => vec![real(0.0)], "BG" => vec![real(FIELD_GREY)] },
                );
                dict.set("Rect", rect(x, top, w, h));
                dict.set("AP", dictionary! { "N" => ap });
                let opt: Vec<Object> = choices
                    .iter()
                    .map(|(export, display)| {
                        Object::Array(vec![text_string(export), text_string(display)])
                    })
                    .collect();
                dict.set("Opt", opt);
                if let Some(v) = &spec.value {
                    dict.set("V", text_string(v));
                }
            }
            Widget::CheckBox => {
                let s = CHECK_BOX_SIZE;
                let off = self.appearance(
                    s,
                    s,
                    vec![
                        op("g", vec![real(1.0)]),
                        op("re", vec![real(0.0), real(0.0), real(s), real(s)]),
                        op("f", vec![]),
                        op("G", vec![real(0.0)]),
                        op("w", vec![real(1.0)]),
                        op(
                            "re",
                            vec![real(0.5), real(0.5), real(s - 1.0), real(s - 1.0)],
                        ),
                        op("S", vec![]),
                    ],
                )?;
                let on = self.appearance(
                    s,
                    s,
                    vec![
                        op("rg", vec![real(1.0), real(0.502), real(0.502)]),
                        op("re", vec![real(0.0), real(0.0), real(s), real(s)]),
                        op("f", vec![]),
                        op("G", vec![real(0.0)]),
                        op("w", vec![real(1.0)]),
                        op(
                            "re",
                            vec![real(0.5), real(0.5), real(s - 1.0), real(s - 1.0)],
                        ),
                        op("S", vec![]),
                        op("m", vec![real(2.0), real(2.0)]),
                        op("l", vec![real(s - 2.0), real(s - 2.0)]),
                        op("m", vec![real(2.0), real(s - 2.0)]),
                        op("l", vec![real(s - 2.0), real(2.0)]),
                        op("S", vec![]),
                    ],
                )?;
                let ticked = spec.value.as_deref() == Some("true");
                let state = if ticked { "On" } else { "Off" };
                dict.set("FT", "Btn");
                dict.set("DA", text_string("/ZaDb 0 Tf 0 g"));
                dict.set(
                    "MK",
                    dictionary! { "BC" => vec![real(0.0)], "CA" => text_string("8") },
                );
                dict.set("Rect", rect(x + 2.0, top - 1.5, s, s));
                dict.set("V", state);
                dict.set("AS", state);
                dict.set(
                    "AP",
                    dictionary! {
                        "N" => dictionary! { "On" => on, "Off" => off },
                    },
                );
            }
        }
        if spec.name == crate::ORG_UNIT_FIELD {
            dict.set("AA", dictionary! { "Bl" => dictionary! {
                "S" => "JavaScript",
                "JS" => text_string("if (event.value == '') app.alert('Please enter org unit identifier');"),
            } });
        }
        let id = self.doc.add_object(dict);
        self.page().annots.push(id.into());
        self.fields.push(id.into());
        Ok(())
    }

    /// The Save button: 20 % of the width, centred; saves the form under
    /// `<period> <org unit> <data set>.pdf` after asking.
    fn save_button(&mut self, title: &str) {
        let (w, h) = (TABLE_WIDTH / 5.0, 15.0);
        self.ensure(h + 4.0);
        let x = MARGIN + (TABLE_WIDTH - w) / 2.0;
        let top = self.y;
        let caption = "Save PDF";
        let ops = vec![
            op("g", vec![real(0.75)]),
            op("re", vec![real(0.0), real(0.0), real(w), real(h)]),
            op("f", vec![]),
            op("G", vec![real(0.0)]),
            op("w", vec![real(1.0)]),
            op(
                "re",
                vec![real(0.5), real(0.5), real(w - 1.0), real(h - 1.0)],
            ),
            op("S", vec![]),
            op("BT", vec![]),
            op("g", vec![real(0.0)]),
            op("Tf", vec!["Helv".into(), real(10.0)]),
            op(
                "Td",
                vec![
                    real((w - text_width(caption, 10.0, false)) / 2.0),
                    real(4.0),
                ],
            ),
            op("Tj", vec![winansi(caption)]),
            op("ET", vec![]),
        ];
        let Ok(ap) = self.appearance(w, h, ops) else {
            return;
        };
        let script = format!(
            "var name = this.getField('{}').value + ' ' + this.getField('{}').value + ' ' + {} + '.pdf';\
             if (app.alert('Save the form as ' + name + ' ?', 1, 2) == 4) this.saveAs(name);",
            crate::PERIOD_FIELD,
            crate::ORG_UNIT_FIELD,
            js_string(title),
        );
        let page = self.page().id;
        let dict = dictionary! {
            "Type" => "Annot", "Subtype" => "Widget", "F" => PRINT, "P" => page,
            "FT" => "Btn", "Ff" => FF_PUSHBUTTON, "T" => text_string(SAVE_BUTTON_FIELD),
            "Rect" => rect(x, top, w, h),
            "DA" => text_string("/Helv 10 Tf 0 g"),
            "MK" => dictionary! {
                "BG" => vec![real(0.75)], "BC" => vec![real(0.0)], "CA" => text_string(caption),
            },
            "BS" => dictionary! { "W" => 1, "S" => "B" },
            "A" => dictionary! { "S" => "JavaScript", "JS" => text_string(&script) },
            "AP" => dictionary! { "N" => ap },
        };
        let id = self.doc.add_object(dict);
        self.page().annots.push(id.into());
        self.fields.push(id.into());
        self.y -= h;
    }

    /// Footers, page objects, the AcroForm, the catalogue and the document information.
    fn finish(mut self, content: &FormContent) -> Result<Document, Error> {
        let footer = format!(
            "PDF Template [v 1.00] generated from DHIS {} on {}",
            self.options.server_name,
            self.options.today.format("%Y-%m-%d")
        );
        let pages_id = self.doc.new_object_id();
        let resources = self.doc.add_object(dictionary! {
            "Font" => dictionary! { "F1" => self.font, "F2" => self.bold },
        });
        let mut pages = std::mem::take(&mut self.pages);
        let last = std::mem::replace(
            &mut self.current,
            Page {
                id: pages_id,
                ops: Vec::new(),
                annots: Vec::new(),
            },
        );
        pages.push(last);
        let mut kids = Vec::with_capacity(pages.len());
        for (number, page) in pages.into_iter().enumerate() {
            let text = format!("{footer} {}", number + 1);
            let x = PAGE_WIDTH - MARGIN - text_width(&text, 8.0, false);
            let mut ops = page.ops;
            ops.extend([
                op("BT", vec![]),
                op("rg", vec![real(0.0), real(0.0), real(0.0)]),
                op("Tf", vec!["F1".into(), real(8.0)]),
                op("Td", vec![real(x), real(MARGIN - 12.0)]),
                op("Tj", vec![winansi(&text)]),
                op("ET", vec![]),
            ]);
            let bytes = Content { operations: ops }.encode().map_err(|e| {
                Error::new(ErrorKind::Write {
                    message: e.to_string(),
                })
            })?;
            let contents = self.doc.add_object(Stream::new(dictionary! {}, bytes));
            self.doc.set_object(
                page.id,
                dictionary! {
                    "Type" => "Page", "Parent" => pages_id, "Contents" => contents,
                    "Resources" => resources,
                    "MediaBox" => vec![real(0.0), real(0.0), real(PAGE_WIDTH), real(PAGE_HEIGHT)],
                    "Annots" => page.annots,
                },
            );
            kids.push(Object::Reference(page.id));
        }
        let count = i64::try_from(kids.len()).unwrap_or(i64::MAX);
        self.doc.set_object(
            pages_id,
            dictionary! { "Type" => "Pages", "Kids" => kids, "Count" => count },
        );
        let acro_form = self.doc.add_object(dictionary! {
            "Fields" => std::mem::take(&mut self.fields),
            "NeedAppearances" => true,
            "DA" => text_string("/Helv 0 Tf 0 g"),
            "DR" => dictionary! { "Font" => dictionary! { "Helv" => self.font, "ZaDb" => self.zapf } },
        });
        let catalog = self.doc.add_object(dictionary! {
            "Type" => "Catalog", "Pages" => pages_id, "AcroForm" => acro_form,
        });
        let info = self.doc.add_object(info(content));
        self.doc.trailer.set("Root", catalog);
        self.doc.trailer.set("Info", info);
        let id = Object::String(
            file_id(content, self.options).to_vec(),
            StringFormat::Hexadecimal,
        );
        self.doc.trailer.set("ID", vec![id.clone(), id]);
        self.doc.compress();
        Ok(self.doc)
    }
}

fn info(content: &FormContent) -> Dictionary {
    dictionary! {
        "Title" => text_string(&content.title),
        "Producer" => text_string(concat!("pdf-form-reader ", env!("CARGO_PKG_VERSION"))),
        INFO_DATA_SET_KEY => text_string(content.data_set.as_str()),
    }
}

/// The file identifier: 16 bytes from the data set, the day and the title (FNV-1a), so that
/// the same form made twice is the same file.
fn file_id(content: &FormContent, options: &FormOptions) -> [u8; 16] {
    let mut out = [0u8; 16];
    let seed = format!("{}|{}|{}", content.data_set, options.today, content.title);
    for (half, chunk) in out.chunks_mut(8).enumerate() {
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325 ^ half as u64;
        for byte in seed.bytes() {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
        chunk.copy_from_slice(&hash.to_be_bytes());
    }
    out
}

/// `[x, top − height, x + width, top]`.
fn rect(x: f32, top: f32, width: f32, height: f32) -> Vec<Object> {
    vec![real(x), real(top - height), real(x + width), real(top)]
}

/// A JavaScript string literal.
fn js_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('\'');
    for c in text.chars() {
        match c {
            '\'' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            _ => out.push(c),
        }
    }
    out.push('\'');
    out
}
