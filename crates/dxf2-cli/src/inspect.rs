//! What an input is, before a reader is trusted with it: a file of one format read as another, a
//! CSV that is not DHIS2's (another delimiter, a header naming no DHIS2 column, a first row that
//! is data), and what a JSON document that is not metadata is; and the note for a CSV whose last
//! line has no line end (the CSV reader tells that, once it has read to the end).
//!
//! DHIS2 reads such files without a word (a semicolon CSV gives one `E7610` per row, a metadata
//! package imports nothing with status SUCCESS); a careful user wants them refused, saying what
//! the file looks like and what to run instead.
//!
//! This logic is not specific to the command line: a host program embedding the readers needs it
//! too, and it belongs in `dxf2-io` (content checks) and `dxf2-csv` (header checks). It lives
//! here, self-contained, until it moves.

use std::path::Path;

use dxf2_io::Format;

/// Column names DHIS2's CSV readers know, lower-cased: the classic header (`dataelement`,
/// `period`, `orgunit`, `categoryoptioncombo`, `attributeoptioncombo`, `value`, `storedby`,
/// `lastupdated`, `comment`, `followup`, `deleted`), the names the 2.43+ reader maps
/// (`attributecombo`, `attributeoptions`, `timestamp`), `created`, and the short names of
/// DHIS2's own documentation (`catoptcombo`, `attroptcombo`).
const KNOWN_COLUMNS: [&str; 17] = [
    "dataelement",
    "period",
    "orgunit",
    "categoryoptioncombo",
    "attributeoptioncombo",
    "value",
    "storedby",
    "lastupdated",
    "comment",
    "followup",
    "deleted",
    "attributecombo",
    "attributeoptions",
    "timestamp",
    "created",
    "catoptcombo",
    "attroptcombo",
];

/// What the first bytes of a payload look like, when they clearly are not the format `format`
/// it is about to be read as: a PDF (`%PDF-`) read as anything else, XML for XML read as CSV,
/// JSON or PDF, JSON for JSON read as CSV, XML, ADX or PDF, and — by the root element, as DHIS2
/// tells them apart — ADX for an `adx` document read as DXF2 XML, XML for another root element
/// read as ADX. XML whose root element lies beyond `head` passes as either.
pub fn other_format(head: &[u8], format: Format) -> Option<Format> {
    if Format::is_pdf(head) {
        return (format != Format::Pdf).then_some(Format::Pdf);
    }
    let head = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    let looks = match head.iter().find(|b| !b.is_ascii_whitespace()) {
        Some(b'<') => match Format::from_xml_root(head) {
            Some(root) => root,
            None if matches!(format, Format::Xml | Format::Adx) => return None,
            None => Format::Xml,
        },
        Some(b'{') | Some(b'[') => Format::Json,
        _ => return None,
    };
    (looks != format).then_some(looks)
}

/// Why the first bytes of a CSV payload are not a DHIS2 data value set CSV, when they clearly are
/// not; `None` when they may be (also when too little is known: no complete first line, or no
/// data row after the header).
pub fn csv_problem(head: &[u8], first_row_is_header: bool) -> Option<String> {
    let head = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    let mut lines = head.split(|b| *b == b'\n');
    let first = lines.by_ref().find(|l| !is_blank(l))?;
    // The first line must be complete: the bytes after it exist (the split found a newline).
    let rest: Vec<&[u8]> = lines.collect();
    if rest.is_empty() {
        return None;
    }
    let has_data_row = if first_row_is_header {
        rest.iter().any(|l| !is_blank(l))
    } else {
        true
    };
    if !has_data_row {
        return None;
    }
    let first = String::from_utf8_lossy(first);
    let first = first.trim_end_matches('\r');
    if !first.contains(',') {
        for (delimiter, name) in [(';', "`;`"), ('\t', "tabs"), ('|', "`|`")] {
            if first.contains(delimiter) {
                return Some(format!(
                    "its fields are separated by {name}, but DHIS2 reads CSV separated by commas \
                     only (every row would be rejected): save the file with `,` as the separator"
                ));
            }
        }
    }
    if !first_row_is_header {
        return None;
    }
    let cells: Vec<String> = first
        .split(',')
        .map(|c| c.trim().trim_matches('"').trim().to_ascii_lowercase())
        .collect();
    if cells.iter().any(|c| KNOWN_COLUMNS.contains(&c.as_str())) {
        return None;
    }
    let shown: String = first.chars().take(80).collect();
    if cells.iter().any(|c| looks_like_data(c)) {
        return Some(format!(
            "its first row `{shown}` looks like data, not a header (DHIS2 would skip it as the \
             header): if the file has no header, give --first-row-is-header false"
        ));
    }
    Some(format!(
        "its header `{shown}` names no DHIS2 column (dataelement, period, orgunit, \
         categoryoptioncombo, attributeoptioncombo, value, …): this is not a DHIS2 data value \
         set CSV"
    ))
}

fn is_blank(line: &[u8]) -> bool {
    line.iter().all(|b| b.is_ascii_whitespace())
}

/// A cell that is a UID (11 letters or digits, starting with a letter) or starts like a period
/// (four digits: `2024`, `202409`, `2024Q3`, `2024W36`).
fn looks_like_data(cell: &str) -> bool {
    let bytes = cell.as_bytes();
    let uid = bytes.len() == 11
        && bytes.first().is_some_and(u8::is_ascii_alphabetic)
        && bytes.iter().all(u8::is_ascii_alphanumeric)
        && bytes.iter().any(u8::is_ascii_digit);
    let period = bytes.len() >= 4 && bytes.iter().take(4).all(u8::is_ascii_digit);
    uid || period
}

/// The note for a CSV input `name` whose last record has no line end, at `line` (as
/// [`dxf2_io::AnyReader::last_record_unterminated`] tells it, for a file, stdin, gzip or zip
/// alike): DHIS2 imports that record as it is, though the file may have been cut short in it.
pub fn cut_short_note(name: &str, line: u64) -> String {
    format!(
        "the last line of {name} (line {line}) has no line end: the file may be cut short at \
         line {line} (DHIS2 imports that line as it is; check its last value)"
    )
}

/// What a JSON document given to `dxf2 metadata import` that held no metadata object is, read
/// with the data value set reader: what it is and what to run instead, or `None` for an empty
/// document (`{}`) or one that cannot be told.
pub fn not_metadata(path: &Path) -> Option<String> {
    let limits = dxf2_io::DecompressionLimits::default();
    let input = dxf2_io::Input::open(path, &limits).ok()?;
    let options = dxf2_io::ReaderOptions::default();
    match dxf2_io::AnyReader::open(input, Format::Json, &options) {
        Ok(mut reader) => {
            use dxf2_model::DataValueSource;
            let mut value = dxf2_model::DataValue::new();
            match reader.read_value(&mut value) {
                Ok(true) => Some(format!(
                    "it is a DHIS2 data value set, not metadata: run `dxf2 import {} --store DB`",
                    path.display()
                )),
                _ => None,
            }
        }
        Err(e) => match e.kind() {
            dxf2_io::ErrorKind::Json(j) => match j.kind() {
                dxf2_json::ErrorKind::NotADataValueSet {
                    looks_like, keys, ..
                } => {
                    let keys: Vec<String> = keys.iter().map(|k| format!("`{k}`")).collect();
                    Some(format!(
                        "it holds no DHIS2 metadata (its top-level keys: {}); {}",
                        keys.join(", "),
                        match looks_like {
                            dxf2_json::DocumentKind::Unknown
                            | dxf2_json::DocumentKind::Metadata => {
                                "DHIS2 metadata has keys such as `organisationUnits`, \
                                 `dataElements`, `dataSets`"
                                    .to_owned()
                            }
                            other => format!("it looks like {other}"),
                        }
                    ))
                }
                _ => None,
            },
            _ => None,
        },
    }
}

/// What a file that is not JSON, given to `dxf2 metadata import`, looks like: a data value set
/// (XML or CSV) or DHIS2 metadata XML, from its first bytes.
pub fn not_json_metadata(head: &[u8], path: &Path) -> Option<String> {
    let text = String::from_utf8_lossy(head);
    let trimmed = text.trim_start_matches('\u{FEFF}').trim_start();
    if trimmed.starts_with('<') {
        if Format::from_xml_root(head) == Some(Format::Adx) {
            return Some(format!(
                "it is an ADX data file, not metadata: run `dxf2 import {} --store DB`",
                path.display()
            ));
        }
        if text.contains("<dataValueSet") {
            return Some(format!(
                "it is a DHIS2 data value set (XML), not metadata: run `dxf2 import {} --store DB`",
                path.display()
            ));
        }
        if text.contains("<metadata") {
            return Some(
                "it is DHIS2 metadata XML: only metadata JSON is read; export the metadata from \
                 DHIS2 as JSON (`/api/metadata.json`)"
                    .to_owned(),
            );
        }
        return Some("it is XML, not DHIS2 metadata JSON".to_owned());
    }
    if trimmed.starts_with('{') || trimmed.starts_with('[') || trimmed.is_empty() {
        return None;
    }
    if csv_problem(head, true).is_none() && text.lines().next().is_some_and(|l| l.contains(',')) {
        return Some(format!(
            "it looks like a DHIS2 data value set (CSV), not metadata: run `dxf2 import {} --store DB`",
            path.display()
        ));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cut_short_note_names_the_line() {
        assert_eq!(
            cut_short_note("cut.csv", 3),
            "the last line of cut.csv (line 3) has no line end: the file may be cut short at \
             line 3 (DHIS2 imports that line as it is; check its last value)"
        );
    }

    #[test]
    fn formats_read_as_another() {
        assert_eq!(other_format(b"  <?xml", Format::Csv), Some(Format::Xml));
        assert_eq!(other_format(b"{\"a\":1}", Format::Xml), Some(Format::Json));
        assert_eq!(other_format(b"<x/>", Format::Xml), None);
        assert_eq!(other_format(b"dataelement,period", Format::Csv), None);
        // DXF2 XML and ADX, by their root element.
        let adx = b"<?xml version=\"1.0\"?><adx xmlns=\"urn:ihe:qrph:adx:2015\">";
        assert_eq!(other_format(adx, Format::Xml), Some(Format::Adx));
        assert_eq!(other_format(adx, Format::Adx), None);
        assert_eq!(other_format(adx, Format::Csv), Some(Format::Adx));
        assert_eq!(
            other_format(b"<dataValueSet>", Format::Adx),
            Some(Format::Xml)
        );
        assert_eq!(other_format(b"{}", Format::Adx), Some(Format::Json));
        // The root beyond what was read: either XML.
        assert_eq!(other_format(b"<!-- long", Format::Adx), None);
        assert_eq!(other_format(b"<!-- long", Format::Xml), None);
        assert_eq!(other_format(b"<!-- long", Format::Json), Some(Format::Xml));
        // PDF forms, by their signature.
        assert_eq!(other_format(b"%PDF-1.4\n", Format::Xml), Some(Format::Pdf));
        assert_eq!(other_format(b"%PDF-1.4\n", Format::Csv), Some(Format::Pdf));
        assert_eq!(other_format(b"%PDF-1.4\n", Format::Pdf), None);
        assert_eq!(other_format(b"{}", Format::Pdf), Some(Format::Json));
        assert_eq!(other_format(b"dataelement,period", Format::Pdf), None);
    }

    #[test]
    fn csv_heads() {
        let ok = b"dataelement,period,orgunit,coc,aoc,value\nfbfJHSPpUQD,202401,DiszpKrYNg8,,,1\n";
        assert_eq!(csv_problem(ok, true), None);
        let semicolons = b"dataelement;period;orgunit;value\na;202401;b;1\n";
        assert!(csv_problem(semicolons, true).unwrap().contains("`;`"));
        assert!(csv_problem(semicolons, false).unwrap().contains("`;`"));
        let no_header = b"fbfJHSPpUQD,202401,DiszpKrYNg8,,,1\nfbfJHSPpUQD,202402,DiszpKrYNg8,,,2\n";
        assert!(csv_problem(no_header, true)
            .unwrap()
            .contains("--first-row-is-header false"));
        assert_eq!(csv_problem(no_header, false), None);
        let unknown = b"name,age\nAda,36\n";
        assert!(csv_problem(unknown, true)
            .unwrap()
            .contains("names no DHIS2 column"));
        // Header only, an incomplete first line, blank input: nothing to say.
        assert_eq!(csv_problem(b"name,age\n", true), None);
        assert_eq!(csv_problem(b"name,age", true), None);
        assert_eq!(csv_problem(b"\n\n\n", true), None);
        assert_eq!(
            csv_problem(b"\"dataelement\",\"period\"\r\nx,y\r\n", true),
            None
        );
    }
}
