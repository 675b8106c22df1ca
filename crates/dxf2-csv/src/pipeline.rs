//! The 2.43+ ("new pipeline") CSV reader: DHIS2's hand-written `CSV` + `LineBuffer`
//! (`dhis-2/dhis-api/src/main/java/org/hisp/dhis/csv/`), mapped onto `DataEntryValue.Input`.
//!
//! * Header: `BufferedReader.readLine` (ends at CR, LF or CRLF), split on every comma (quotes are
//!   not special), cells trimmed of spaces/tabs, a cell enclosed in `"` unquoted. Names map to
//!   `DataEntryValue.Input` components by exact name, else by the lower-cased name.
//! * Data lines: read character by character up to CR or LF; an **empty line ends the input**,
//!   so the LF of a CRLF ends it right after the first data row.
//! * Fields: leading spaces/tabs skipped; `,` right away is a null field; a field starting with
//!   `"` runs to the next `"` (no `""` escape), whatever follows up to the next `,` is dropped;
//!   otherwise the field runs to the next `,` and trailing spaces/tabs are trimmed. A trailing
//!   `,` adds no field. The text `null` (quoted or not) is read as null.
//! * Extra columns (neither a `DataEntryValue.Input` component nor `storedBy`/`timestamp`) go
//!   into the value's category-option map (`@CSV.Any(ifAbsent = "categoryOptionCombo")`): a
//!   `HashMap` sized for the header's column count, created only when the line has a field for
//!   one of them, holding the raw cell (null, or the literal `null`, as they are); never when a
//!   header cell is spelt exactly `categoryOptionCombo`. `attributeOptions` is split on spaces
//!   and tabs into a `HashSet`. Both keep the iteration order of their Java collection, which
//!   DHIS2's messages print.

use std::io::{self, BufRead};

use dxf2_model::{DataValue, Field};

use crate::text::{push_lossy, Tracker};

/// What a header column feeds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Target {
    /// A text field of the data value.
    Field(Field),
    /// `followUp`.
    FollowUp,
    /// `deleted`.
    Deleted,
    /// `attributeCombo` (no [`dxf2_model::DataValue`] field).
    AttributeCombo,
    /// `attributeOptions` (no [`dxf2_model::DataValue`] field).
    AttributeOptions,
    /// `storedBy` / `timestamp`: explicitly ignored.
    Ignored,
    /// Anything else: collected into the category-options map.
    Extra,
}

/// One header column.
#[derive(Clone, Debug)]
pub(crate) struct Column {
    pub(crate) name: String,
    pub(crate) target: Target,
    /// `HashMap.hash` of the name (used to order the category-option map).
    hash: u32,
}

/// One field of the current line: a span of [`Pipeline::line`], or null.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Cell {
    start: usize,
    end: usize,
    null: bool,
}

/// Why the header or a line could not be read (the reader adds the position).
#[derive(Debug)]
pub(crate) enum Fail {
    Io(io::Error),
    NoHeaderLine,
    InvalidHeaderCell(String),
    EmptyHeader,
}

/// Header mapping and the current line.
#[derive(Debug)]
pub(crate) struct Pipeline {
    pub(crate) columns: Vec<Column>,
    /// Whether DHIS2 keeps the extra columns as category options: only when no header column is
    /// spelt exactly `categoryOptionCombo`.
    pub(crate) category_options_active: bool,
    raw: Vec<u8>,
    line: String,
    cells: Vec<Cell>,
    /// The header ended with CR: a directly following LF belongs to it (`readLine`).
    skip_lf: bool,
    /// Reusable: `(bucket, first column, column of the value)` of the current line's
    /// category-option map, or `(bucket, start, end)` of its attribute options.
    order: Vec<(u32, usize, usize)>,
}

fn lookup(name: &str) -> Option<Target> {
    Some(match name {
        "dataElement" | "dataelement" => Target::Field(Field::DataElement),
        "orgUnit" | "orgunit" => Target::Field(Field::OrgUnit),
        "categoryOptionCombo" | "categoryoptioncombo" => Target::Field(Field::CategoryOptionCombo),
        "attributeOptionCombo" | "attributeoptioncombo" => {
            Target::Field(Field::AttributeOptionCombo)
        }
        "attributeCombo" | "attributecombo" => Target::AttributeCombo,
        "attributeOptions" | "attributeoptions" => Target::AttributeOptions,
        "period" => Target::Field(Field::Period),
        "value" => Target::Field(Field::Value),
        "comment" => Target::Field(Field::Comment),
        "followUp" | "followup" => Target::FollowUp,
        "deleted" => Target::Deleted,
        "storedBy" | "storedby" | "timestamp" => Target::Ignored,
        _ => return None,
    })
}

/// The target of a header name: exact name, else lower-cased name, else an extra column.
pub(crate) fn target_of(name: &str) -> Target {
    lookup(name)
        .or_else(|| lookup(&name.to_lowercase()))
        .unwrap_or(Target::Extra)
}

fn is_indent(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

/// Java's `String.hashCode` (over UTF-16 code units) spread as `HashMap.hash` does.
pub(crate) fn java_hash(text: &str) -> u32 {
    let h = text.encode_utf16().fold(0i32, |h, unit| {
        h.wrapping_mul(31).wrapping_add(i32::from(unit))
    });
    let h = h as u32;
    h ^ (h >> 16)
}

/// The table size of a Java `HashMap` created with `initial` capacity once it holds `size`
/// entries (`tableSizeFor`, then doubling whenever the size passes 3/4 of the table).
pub(crate) fn java_table_size(initial: usize, size: usize) -> usize {
    const MAX: usize = 1 << 30;
    // `(int) (cap * 0.75f)` for a power of two, without overflow.
    let threshold = |cap: usize| cap / 4 * 3 + (cap % 4) * 3 / 4;
    let mut cap = initial
        .max(1)
        .checked_next_power_of_two()
        .unwrap_or(MAX)
        .min(MAX);
    while size > threshold(cap) && cap < MAX {
        cap *= 2;
    }
    cap
}

/// Sorts by bucket, keeping the insertion order within a bucket (a Java `HashMap`'s iteration
/// order); an insertion sort, so that nothing is allocated.
fn sort_by_bucket(items: &mut [(u32, usize, usize)]) {
    for i in 1..items.len() {
        let mut j = i;
        while j > 0 {
            let (Some(a), Some(b)) = (items.get(j - 1), items.get(j)) else {
                break;
            };
            if a.0 <= b.0 {
                break;
            }
            items.swap(j - 1, j);
            j -= 1;
        }
    }
}

/// `CSV.splitOnIndent`: the parts of `value` between spaces and tabs, as byte ranges. A value
/// without any is one part; a run of blanks at the end yields a last empty part.
fn split_on_indent(value: &str, mut each: impl FnMut(usize, usize)) {
    let bytes = value.as_bytes();
    let n = bytes.len();
    if !bytes.iter().any(|&b| is_indent(b)) {
        each(0, n);
        return;
    }
    let mut from = 0;
    while from < n {
        while bytes.get(from).is_some_and(|&b| is_indent(b)) {
            from += 1;
        }
        let mut to = from;
        while bytes.get(to).is_some_and(|&b| !is_indent(b)) {
            to += 1;
        }
        each(from, to);
        from = to + 1;
    }
}

/// `CSV.splitOnComma`: every comma splits, cells trimmed of spaces and tabs, a trailing comma
/// adds nothing.
fn split_on_comma(line: &str) -> Vec<&str> {
    let bytes = line.as_bytes();
    let n = bytes.len();
    let mut cells = Vec::new();
    let mut from = 0;
    while from < n {
        while bytes.get(from).is_some_and(|&b| is_indent(b)) {
            from += 1;
        }
        let mut to = from;
        while bytes.get(to).is_some_and(|&b| b != b',') {
            to += 1;
        }
        let mut to_b = to;
        while to_b > from && bytes.get(to_b - 1).is_some_and(|&b| is_indent(b)) {
            to_b -= 1;
        }
        cells.push(line.get(from..to_b).unwrap_or(""));
        from = to + 1;
    }
    cells
}

/// `CSV.unquote`: strips one pair of enclosing quotes. A lone `"` fails in DHIS2
/// (`substring(1, 0)`).
fn unquote(cell: &str) -> Result<&str, Fail> {
    if cell.starts_with('"') && cell.ends_with('"') {
        if cell.len() < 2 {
            return Err(Fail::InvalidHeaderCell(cell.to_owned()));
        }
        Ok(cell.get(1..cell.len() - 1).unwrap_or(""))
    } else {
        Ok(cell)
    }
}

/// Reads up to CR, LF or the end into `raw` (cleared first), consuming the terminator.
/// Returns the terminator, or `None` at the end of the input.
fn read_line<R: BufRead>(
    rdr: &mut R,
    raw: &mut Vec<u8>,
    track: &mut Tracker,
) -> io::Result<Option<u8>> {
    raw.clear();
    loop {
        let (used, term) = {
            let chunk = match rdr.fill_buf() {
                Ok(chunk) => chunk,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if chunk.is_empty() {
                return Ok(None);
            }
            match memchr::memchr2(b'\r', b'\n', chunk) {
                Some(i) => {
                    let (text, rest) = chunk.split_at(i);
                    raw.extend_from_slice(text);
                    track.advance_plain(text.len());
                    let term = rest.first().copied();
                    if let Some(t) = term {
                        track.advance(t);
                    }
                    (i + 1, term)
                }
                None => {
                    raw.extend_from_slice(chunk);
                    track.advance_plain(chunk.len());
                    (chunk.len(), None)
                }
            }
        };
        rdr.consume(used);
        if term.is_some() {
            return Ok(term);
        }
    }
}

impl Pipeline {
    /// Reads and maps the header line.
    pub(crate) fn open<R: BufRead>(rdr: &mut R, track: &mut Tracker) -> Result<Pipeline, Fail> {
        let mut raw = Vec::new();
        let term = read_line(rdr, &mut raw, track).map_err(Fail::Io)?;
        if term.is_none() && raw.is_empty() {
            return Err(Fail::NoHeaderLine);
        }
        let mut header = String::new();
        push_lossy(&mut header, &raw);
        let mut columns = Vec::new();
        for cell in split_on_comma(&header) {
            let name = unquote(cell)?;
            columns.push(Column {
                name: name.to_owned(),
                target: target_of(name),
                hash: java_hash(name),
            });
        }
        let category_options_active = !columns.iter().any(|c| c.name == "categoryOptionCombo");
        Ok(Pipeline {
            columns,
            category_options_active,
            raw,
            line: String::new(),
            cells: Vec::new(),
            skip_lf: term == Some(b'\r'),
            order: Vec::new(),
        })
    }

    /// Reads and splits the next data line. `Ok(false)` at an empty line or the end.
    pub(crate) fn read_line<R: BufRead>(
        &mut self,
        rdr: &mut R,
        track: &mut Tracker,
    ) -> Result<bool, Fail> {
        if self.skip_lf {
            self.skip_lf = false;
            let next = loop {
                match rdr.fill_buf() {
                    Ok(chunk) => break chunk.first().copied(),
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                    Err(e) => return Err(Fail::Io(e)),
                }
            };
            if next == Some(b'\n') {
                rdr.consume(1);
                track.advance(b'\n');
            }
        }
        track.record_start = Some((track.byte, track.line));
        read_line(rdr, &mut self.raw, track).map_err(Fail::Io)?;
        self.line.clear();
        self.cells.clear();
        if self.raw.is_empty() {
            return Ok(false);
        }
        if self.columns.is_empty() {
            // DHIS2 sizes its line buffer as 50 × columns: no room for a single character.
            return Err(Fail::EmptyHeader);
        }
        push_lossy(&mut self.line, &self.raw);
        self.split();
        Ok(true)
    }

    /// `LineBuffer.split` over the current line.
    fn split(&mut self) {
        let bytes = self.line.as_bytes();
        let to = bytes.len();
        let skip_indent = |mut i: usize| {
            while bytes.get(i).is_some_and(|&b| is_indent(b)) {
                i += 1;
            }
            i
        };
        let next = |c: u8, mut i: usize| {
            while bytes.get(i).is_some_and(|&b| b != c) {
                i += 1;
            }
            i.min(to)
        };
        let mut from = skip_indent(0);
        while from < to {
            match bytes.get(from) {
                Some(b',') => {
                    self.cells.push(Cell {
                        start: from,
                        end: from,
                        null: true,
                    });
                    from = skip_indent(from + 1);
                }
                Some(b'"') => {
                    let quote = next(b'"', from + 1);
                    self.cells.push(Cell {
                        start: from + 1,
                        end: quote,
                        null: false,
                    });
                    let comma = next(b',', skip_indent(quote.saturating_add(1)));
                    from = skip_indent(comma.saturating_add(1));
                }
                _ => {
                    let comma = next(b',', from);
                    let mut end = comma;
                    while end > from && bytes.get(end - 1).is_some_and(|&b| is_indent(b)) {
                        end -= 1;
                    }
                    self.cells.push(Cell {
                        start: from,
                        end,
                        null: false,
                    });
                    from = skip_indent(comma.saturating_add(1));
                }
            }
        }
    }

    /// Number of fields of the current line.
    pub(crate) fn cell_count(&self) -> usize {
        self.cells.len()
    }

    /// Field `i` of the current line: `None` for null (or missing).
    pub(crate) fn cell(&self, i: usize) -> Option<&str> {
        let cell = self.cells.get(i)?;
        if cell.null {
            return None;
        }
        self.line.get(cell.start..cell.end)
    }

    /// The value DHIS2 passes to a component: null, or the literal `null`, is `None`.
    pub(crate) fn component(&self, i: usize) -> Option<&str> {
        self.cell(i).filter(|t| *t != "null")
    }

    /// Columns that have a field on the current line (DHIS2 maps `min(columns, fields)`).
    pub(crate) fn mapped(&self) -> impl Iterator<Item = (usize, &Column)> + '_ {
        self.columns.iter().enumerate().take(self.cells.len())
    }

    /// The component value of the last mapped column of `target` (the last one wins).
    pub(crate) fn last_component(&self, target: Target) -> Option<&str> {
        let (i, _) = self.mapped().filter(|(_, c)| c.target == target).last()?;
        self.component(i)
    }

    /// Puts the current line's 2.43 extras into `record`: the category-option map (when DHIS2
    /// builds one), `attributeCombo` and `attributeOptions`, in the iteration order of DHIS2's
    /// Java collections.
    pub(crate) fn fill_extras(&mut self, record: &mut DataValue) {
        if self.category_options_active {
            self.fill_category_options(record);
        }
        if let Some(combo) = self.last_component(Target::AttributeCombo) {
            record.set_attribute_combo(Some(combo));
        }
        self.fill_attribute_options(record);
    }

    fn fill_category_options(&mut self, record: &mut DataValue) {
        self.order.clear();
        let mapped = self.columns.len().min(self.cells.len());
        for (i, column) in self.columns.iter().enumerate().take(mapped) {
            if column.target != Target::Extra {
                continue;
            }
            // `Map.put`: a repeated name keeps its first place and takes the later cell.
            let columns = &self.columns;
            let same = |first: usize| columns.get(first).is_some_and(|c| c.name == column.name);
            match self.order.iter_mut().find(|(_, first, _)| same(*first)) {
                Some(entry) => entry.2 = i,
                None => self.order.push((column.hash, i, i)),
            }
        }
        if self.order.is_empty() {
            return;
        }
        let mask = java_table_size(self.columns.len(), self.order.len()) - 1;
        for entry in &mut self.order {
            entry.0 &= mask as u32;
        }
        sort_by_bucket(&mut self.order);
        record.start_category_options();
        for &(_, first, value) in &self.order {
            if let Some(column) = self.columns.get(first) {
                record.put_category_option(&column.name, self.cell(value));
            }
        }
    }

    fn fill_attribute_options(&mut self, record: &mut DataValue) {
        let Some((i, _)) = self
            .mapped()
            .filter(|(_, c)| c.target == Target::AttributeOptions)
            .last()
        else {
            return;
        };
        if self.component(i).is_none() {
            return;
        }
        let Some(&Cell { start, end, .. }) = self.cells.get(i) else {
            return;
        };
        // `Collectors.toSet()`: a `HashSet` of default capacity.
        self.order.clear();
        let line = &self.line;
        let order = &mut self.order;
        let text = line.get(start..end).unwrap_or_default();
        split_on_indent(text, |from, to| {
            let part = |(_, s, e): &(u32, usize, usize)| line.get(*s..*e);
            let (from, to) = (start + from, start + to);
            let this = line.get(from..to);
            if !order.iter().any(|o| part(o) == this) {
                order.push((java_hash(this.unwrap_or_default()), from, to));
            }
        });
        let mask = java_table_size(16, self.order.len()) - 1;
        for entry in &mut self.order {
            entry.0 &= mask as u32;
        }
        sort_by_bucket(&mut self.order);
        record.start_attribute_options();
        for &(_, from, to) in &self.order {
            if let Some(part) = self.line.get(from..to) {
                record.add_attribute_option(part);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn open(input: &str) -> (Pipeline, &[u8], Tracker) {
        let mut rdr = input.as_bytes();
        let mut t = Tracker::new();
        let p = Pipeline::open(&mut rdr, &mut t).unwrap();
        (p, rdr, t)
    }

    fn lines(input: &str) -> Vec<Vec<Option<String>>> {
        let (mut p, mut rdr, mut t) = open(input);
        let mut out = Vec::new();
        while p.read_line(&mut rdr, &mut t).unwrap() {
            out.push(
                (0..p.cell_count())
                    .map(|i| p.cell(i).map(str::to_owned))
                    .collect(),
            );
        }
        out
    }

    fn s(t: &str) -> Option<String> {
        Some(t.to_owned())
    }

    #[test]
    fn header_split_unquote_and_map() {
        let (p, _, _) = open(" \"dataelement\" , Period,ORGUNIT,categoryOptionCombo,x y,,storedBy,TimeStamp,\"\",a,\n");
        let names: Vec<&str> = p.columns.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "dataelement",
                "Period",
                "ORGUNIT",
                "categoryOptionCombo",
                "x y",
                "",
                "storedBy",
                "TimeStamp",
                "",
                "a"
            ]
        );
        let targets: Vec<Target> = p.columns.iter().map(|c| c.target).collect();
        assert_eq!(
            targets,
            [
                Target::Field(Field::DataElement),
                Target::Field(Field::Period),
                Target::Field(Field::OrgUnit),
                Target::Field(Field::CategoryOptionCombo),
                Target::Extra,
                Target::Extra,
                Target::Ignored,
                Target::Ignored,
                Target::Extra,
                Target::Extra
            ]
        );
        assert!(!p.category_options_active);
        let (p, _, _) = open("categoryoptioncombo,age\n");
        assert!(p.category_options_active);
    }

    #[test]
    fn header_quotes_do_not_protect_commas() {
        let (p, _, _) = open("\"a,b\",c");
        let names: Vec<&str> = p.columns.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["\"a", "b\"", "c"]);
    }

    #[test]
    fn header_errors() {
        let mut t = Tracker::new();
        assert!(matches!(
            Pipeline::open(&mut &b""[..], &mut t),
            Err(Fail::NoHeaderLine)
        ));
        assert!(matches!(
            Pipeline::open(&mut &b"a,\",b"[..], &mut t),
            Err(Fail::InvalidHeaderCell(c)) if c == "\""
        ));
        // An empty first line is a header without columns: fine until data follows.
        let (mut p, mut rdr, mut t) = open("\n");
        assert!(!p.read_line(&mut rdr, &mut t).unwrap());
        let (mut p, mut rdr, mut t) = open("\nx\n");
        assert!(matches!(
            p.read_line(&mut rdr, &mut t),
            Err(Fail::EmptyHeader)
        ));
    }

    #[test]
    fn fields_quoting_and_nulls() {
        assert_eq!(
            lines("h\n a b ,,\"\",\" q \" junk , \"x\"\"y\",null,\"null\",\"unterminated\n"),
            vec![vec![
                s("a b"),
                None,
                s(""),
                s(" q "),
                s("x"),
                s("null"),
                s("null"),
                s("unterminated")
            ]]
        );
    }

    #[test]
    fn trailing_comma_adds_no_field_leading_comma_is_null() {
        assert_eq!(lines("h\na,\n,b\n"), vec![vec![s("a")], vec![None, s("b")]]);
        assert_eq!(lines("h\n\"a\",\n"), vec![vec![s("a")]]);
    }

    #[test]
    fn empty_line_ends_input() {
        assert_eq!(lines("h\na\n\nb\n"), vec![vec![s("a")]]);
    }

    #[test]
    fn crlf_stops_after_first_row_but_header_crlf_is_fine() {
        assert_eq!(lines("h\r\na\r\nb\r\n"), vec![vec![s("a")]]);
        assert_eq!(lines("h\ra\rb\r"), vec![vec![s("a")], vec![s("b")]]);
        // LF after a CR-ended header is skipped once.
        assert_eq!(lines("h\r\n\na"), Vec::<Vec<Option<String>>>::new());
    }

    #[test]
    fn small_chunks() {
        let input = "h,i\r\n \"a\" , b \nc,d";
        let mut rdr = io::BufReader::with_capacity(1, input.as_bytes());
        let mut t = Tracker::new();
        let mut p = Pipeline::open(&mut rdr, &mut t).unwrap();
        let mut out = Vec::new();
        while p.read_line(&mut rdr, &mut t).unwrap() {
            out.push(
                (0..p.cell_count())
                    .map(|i| p.cell(i).map(str::to_owned))
                    .collect::<Vec<_>>(),
            );
        }
        assert_eq!(out, vec![vec![s("a"), s("b")], vec![s("c"), s("d")]]);
    }
}
