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
//!
//! Where this reader departs from DHIS2 to lose nothing:
//!
//! * A quoted field whose line ends before its closing `"` is refused
//!   ([`Fail::UnterminatedQuote`]). DHIS2 2.43's `LineBuffer` takes the rest of the line as the
//!   field (and the next line as a new row), which silently cuts a value with a line break in two.
//! * [`ReadLimits`]: a line longer than `max_record_bytes` is refused while it is read (at most
//!   that much is held), and so is a field longer than `max_token_bytes` (raw bytes from its
//!   first character, for a quoted field the one after the `"`; counted before trailing blanks
//!   are trimmed, as javacsv counts). Header cells are held to `max_token_bytes` too.
//! * Text that is not UTF-8 follows the [`Utf8Policy`] (the whole line is checked, header
//!   included).

use std::io::{self, BufRead};

use dxf2_model::{DataValue, Field, ReadLimits, TextPosition};

use crate::text::{invalid_sequences, raw_offset, Replaced, Tracker, Utf8Policy};

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

/// Why the header or a line could not be read (the reader adds the line's position).
#[derive(Debug)]
pub(crate) enum Fail {
    Io(io::Error),
    NoHeaderLine,
    InvalidHeaderCell(String),
    EmptyHeader,
    /// [`ReadLimits::max_record_bytes`].
    RecordTooLong,
    /// [`ReadLimits::max_token_bytes`]: field `column` of the line, starting at `start`.
    TokenTooLong {
        column: usize,
        start: TextPosition,
    },
    /// The line ends inside the quoted field `column` opened at `start`.
    UnterminatedQuote {
        column: usize,
        start: TextPosition,
    },
    /// Under [`Utf8Policy::Error`].
    InvalidUtf8 {
        at: TextPosition,
    },
}

/// The reader's bounds and its UTF-8 policy.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Rules {
    pub(crate) limits: ReadLimits,
    pub(crate) utf8: Utf8Policy,
}

/// Where in the current line a field starts, tracked byte by byte only once the line is longer
/// than [`ReadLimits::max_token_bytes`] (so no field of a shorter line can break it): the rules
/// of [`Pipeline::split`], over raw bytes as they arrive.
#[derive(Clone, Copy, Debug, Default)]
struct FieldScan {
    /// Bytes of the line scanned so far.
    pos: usize,
    /// The current field's index.
    column: usize,
    /// Offset of the current field's first content byte.
    from: usize,
    state: ScanState,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
enum ScanState {
    /// Before a field: blanks are skipped.
    #[default]
    Indent,
    Unquoted,
    Quoted,
    /// After a quoted field's closing `"`, up to the next `,`.
    Junk,
}

impl FieldScan {
    /// Scans the next `bytes` of the line; `Err((column, offset))` when a field grows longer than
    /// `max` bytes.
    fn feed(&mut self, bytes: &[u8], max: usize) -> Result<(), (usize, usize)> {
        for &b in bytes {
            match self.state {
                ScanState::Indent => match b {
                    b' ' | b'\t' => {}
                    b',' => self.column = self.column.saturating_add(1),
                    b'"' => {
                        self.state = ScanState::Quoted;
                        self.from = self.pos.saturating_add(1);
                    }
                    _ => {
                        self.state = ScanState::Unquoted;
                        self.from = self.pos;
                    }
                },
                ScanState::Unquoted | ScanState::Junk => {
                    if b == b',' {
                        self.state = ScanState::Indent;
                        self.column = self.column.saturating_add(1);
                    }
                }
                ScanState::Quoted => {
                    if b == b'"' {
                        self.state = ScanState::Junk;
                    }
                }
            }
            self.pos = self.pos.saturating_add(1);
            let open = matches!(self.state, ScanState::Unquoted | ScanState::Quoted);
            if open && self.pos.saturating_sub(self.from) > max {
                return Err((self.column, self.from));
            }
        }
        Ok(())
    }
}

/// A 1-based byte column from a 0-based offset in the line.
fn column_of(offset: usize) -> u64 {
    u64::try_from(offset).unwrap_or(u64::MAX).saturating_add(1)
}

/// Header mapping and the current line.
#[derive(Debug)]
pub(crate) struct Pipeline {
    pub(crate) columns: Vec<Column>,
    /// Whether DHIS2 keeps the extra columns as category options: only when no header column is
    /// spelt exactly `categoryOptionCombo`.
    pub(crate) category_options_active: bool,
    /// The current line as read, when it is not UTF-8 and `line` is its lossy decoding (to give
    /// positions in the input); empty otherwise.
    raw: Vec<u8>,
    /// The current line as text (its buffer is reused to read the next line).
    line: String,
    rules: Rules,
    cells: Vec<Cell>,
    /// The header ended with CR: a directly following LF belongs to it (`readLine`).
    skip_lf: bool,
    /// Reusable: `(bucket, first column, column of the value)` of the current line's
    /// category-option map, or `(bucket, start, end)` of its attribute options.
    order: Vec<(u32, usize, usize)>,
    /// The last line read (header or data) was ended by the end of the input, not by CR or LF.
    unterminated: bool,
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

/// The offset in the line as read of byte `offset` of its text: the same unless the line was
/// decoded lossily (then `raw` holds it).
fn lossy_offset(raw: &[u8], offset: usize) -> usize {
    if raw.is_empty() {
        offset
    } else {
        raw_offset(raw, offset)
    }
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
/// adds nothing. Each cell comes with its offset in `line`.
fn split_on_comma(line: &str) -> Vec<(usize, &str)> {
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
        cells.push((from, line.get(from..to_b).unwrap_or("")));
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
///
/// Refuses a line longer than [`ReadLimits::max_record_bytes`] and, with `scan` (data lines), a
/// field longer than [`ReadLimits::max_token_bytes`], before storing the bytes that break them.
fn read_line<R: BufRead>(
    rdr: &mut R,
    raw: &mut Vec<u8>,
    track: &mut Tracker,
    limits: ReadLimits,
    mut scan: Option<&mut FieldScan>,
) -> Result<Option<u8>, Fail> {
    raw.clear();
    let line = track.line;
    loop {
        let (used, term) = {
            let chunk = match rdr.fill_buf() {
                Ok(chunk) => chunk,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(Fail::Io(e)),
            };
            if chunk.is_empty() {
                return Ok(None);
            }
            let (text, term) = match memchr::memchr2(b'\r', b'\n', chunk) {
                Some(i) => {
                    let (text, rest) = chunk.split_at(i);
                    (text, rest.first().copied())
                }
                None => (chunk, None),
            };
            let len = raw.len().saturating_add(text.len());
            if len > limits.max_token_bytes {
                if let Some(scan) = scan.as_deref_mut() {
                    let max = limits.max_token_bytes;
                    let unscanned = raw.get(scan.pos..).unwrap_or(&[]);
                    let found = scan
                        .feed(unscanned, max)
                        .and_then(|()| scan.feed(text, max));
                    if let Err((field, from)) = found {
                        let start = TextPosition {
                            line,
                            column: column_of(from),
                        };
                        return Err(Fail::TokenTooLong {
                            column: field,
                            start,
                        });
                    }
                }
            }
            if len > limits.max_record_bytes {
                return Err(Fail::RecordTooLong);
            }
            raw.extend_from_slice(text);
            track.advance_plain(text.len());
            match term {
                Some(t) => {
                    track.advance(t);
                    (text.len().saturating_add(1), term)
                }
                None => (text.len(), None),
            }
        };
        rdr.consume(used);
        if term.is_some() {
            return Ok(term);
        }
    }
}

/// Turns a line as read into text under `utf8`: valid UTF-8 (the usual case) is taken as it
/// is, without a copy. Otherwise [`Utf8Policy::Error`] fails at the first invalid byte and
/// [`Utf8Policy::Replace`] decodes lossily into `text`, notes the replacements in `replaced` and
/// keeps the bytes in `raw` (for positions).
fn decode(
    bytes: Vec<u8>,
    line: u64,
    utf8: Utf8Policy,
    replaced: &mut Replaced,
    text: &mut String,
    raw: &mut Vec<u8>,
) -> Result<(), Fail> {
    raw.clear();
    match String::from_utf8(bytes) {
        Ok(valid) => {
            *text = valid;
            Ok(())
        }
        Err(e) => {
            let bytes = e.into_bytes();
            let (count, first) = invalid_sequences(&bytes);
            let at = TextPosition {
                line,
                column: column_of(first.unwrap_or(0)),
            };
            match utf8 {
                Utf8Policy::Error => Err(Fail::InvalidUtf8 { at }),
                Utf8Policy::Replace => {
                    replaced.note(count, at);
                    *text = String::from_utf8_lossy(&bytes).into_owned();
                    *raw = bytes;
                    Ok(())
                }
            }
        }
    }
}

impl Pipeline {
    /// Reads and maps the header line.
    pub(crate) fn open<R: BufRead>(
        rdr: &mut R,
        track: &mut Tracker,
        rules: Rules,
        replaced: &mut Replaced,
    ) -> Result<Pipeline, Fail> {
        let mut bytes = Vec::new();
        let term = read_line(rdr, &mut bytes, track, rules.limits, None)?;
        if term.is_none() && bytes.is_empty() {
            return Err(Fail::NoHeaderLine);
        }
        let (mut header, mut raw) = (String::new(), Vec::new());
        decode(bytes, 1, rules.utf8, replaced, &mut header, &mut raw)?;
        let mut columns = Vec::new();
        let cells = split_on_comma(&header);
        for (column, &(offset, cell)) in cells.iter().enumerate() {
            if cell.len() > rules.limits.max_token_bytes {
                return Err(Fail::TokenTooLong {
                    column,
                    start: TextPosition {
                        line: 1,
                        column: column_of(lossy_offset(&raw, offset)),
                    },
                });
            }
        }
        for (_, cell) in cells {
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
            raw: Vec::new(),
            line: String::new(),
            rules,
            cells: Vec::new(),
            skip_lf: term == Some(b'\r'),
            order: Vec::new(),
            unterminated: term.is_none(),
        })
    }

    /// Whether the last line read (the header, or a data line) was ended by the end of the input
    /// rather than by CR or LF. Meaningful once [`Pipeline::read_line`] has returned `Ok(false)`.
    pub(crate) fn unterminated(&self) -> bool {
        self.unterminated
    }

    /// Reads and splits the next data line. `Ok(false)` at an empty line or the end.
    pub(crate) fn read_line<R: BufRead>(
        &mut self,
        rdr: &mut R,
        track: &mut Tracker,
        replaced: &mut Replaced,
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
        let line = track.line;
        // The text buffer of the last line is reused for the bytes of this one.
        let mut bytes = std::mem::take(&mut self.line).into_bytes();
        self.cells.clear();
        let mut scan = FieldScan::default();
        let term = read_line(rdr, &mut bytes, track, self.rules.limits, Some(&mut scan))?;
        if bytes.is_empty() {
            self.line = String::from_utf8(bytes).unwrap_or_default();
            return Ok(false);
        }
        if self.columns.is_empty() {
            // DHIS2 sizes its line buffer as 50 × columns: no room for a single character.
            return Err(Fail::EmptyHeader);
        }
        if term.is_none() {
            // The end of the input ended this line: it is the last.
            self.unterminated = true;
        }
        let utf8 = self.rules.utf8;
        decode(bytes, line, utf8, replaced, &mut self.line, &mut self.raw)?;
        self.split()
            .map_err(|(column, offset)| Fail::UnterminatedQuote {
                column,
                start: TextPosition {
                    line,
                    column: column_of(lossy_offset(&self.raw, offset)),
                },
            })?;
        Ok(true)
    }

    /// `LineBuffer.split` over the current line; `Err((field, offset))` for a quoted field whose
    /// closing `"` is missing (DHIS2 2.43 would take the rest of the line).
    fn split(&mut self) -> Result<(), (usize, usize)> {
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
                    if quote >= to {
                        return Err((self.cells.len(), from));
                    }
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
        Ok(())
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
mod tests;
