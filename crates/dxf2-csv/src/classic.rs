//! The classic (2.36–2.42) record parser: javacsv 2.0's `CsvReader` with DHIS2's settings, as a
//! byte-level state machine over a reusable buffer.
//!
//! javacsv's rules (read from `com.csvreader.CsvReader.readRecord`/`endColumn`):
//!
//! * at the start of a field, spaces and tabs are skipped; a field that starts with `"` is
//!   quoted, anything else is unquoted;
//! * unquoted: runs to `,`, CR or LF; `"` is an ordinary character; trailing spaces and tabs are
//!   trimmed;
//! * quoted: runs to the closing `"`; `""` is one `"`; `,`, CR and LF are data; after the closing
//!   quote everything up to the next `,`, CR or LF is dropped; nothing is trimmed; an unclosed
//!   quote runs to the end of the input: javacsv completes the field at the end of the input
//!   without an error (`readRecord` ends the column when `hasMoreData` turns false), so DHIS2
//!   2.36–2.42 imports the rest of the file as one value (DHIS2's documentation says nothing of it).
//!   **This parser refuses it** ([`Fail::UnterminatedQuote`], naming where the quote opened):
//!   silently turning the rest of a file into one field loses every record in it;
//! * a record ends at CR or LF (so CRLF is a record end followed by an empty line); a line end
//!   seen before anything else of a record (no field, no leading whitespace) is an empty line and
//!   skipped — but a line holding only spaces is a record with one empty field;
//! * at the end of the input a started field, or a record whose last character was `,`, is
//!   completed;
//! * safety switch: a field longer than 100,000 characters (UTF-16 units; for an unquoted field
//!   counted before trailing whitespace is trimmed) or a record with more than 100,000 columns is
//!   an error.
//!
//! Besides javacsv's limits, the parser keeps to the reader's [`ReadLimits`]: no field longer
//! than `max_token_bytes` (its decoded bytes, as kept; checked before a run is stored, so memory
//! stays bounded) and no record longer than `max_record_bytes` (its raw bytes from its first byte,
//! line end excluded; this bounds the whitespace, junk and unkept columns that are never stored).
//! When both field limits are passed by the same run, javacsv's is reported.
//!
//! Speed, in the spirit of `csv-core`:
//!
//! * fast path: a record that lies on one line of the buffered chunk, holds no `"` and is
//!   shorter than both limits (so it cannot break either) is found with one `memchr3`, copied
//!   whole and split on commas;
//! * anything else goes through the state machine, which works on runs: inside a field it
//!   searches for the next byte that matters (`,`, CR or LF unquoted; `"` quoted) and copies the
//!   run whole. A field of `n` bytes holds at most `n` UTF-16 units, so characters are only
//!   counted once a field has grown past [`MAX_FIELD_CHARS`] bytes (and always for the columns
//!   that are not kept, whose bytes are not stored).

use std::io::{self, BufRead};

use dxf2_model::{ReadLimits, TextPosition};

use crate::text::{for_each_comma, trimmed, utf16_len, Tracker};
use crate::{MAX_COLUMNS, MAX_FIELD_CHARS};

/// Columns the classic reader keeps (0–10); columns 11+ are only counted.
pub(crate) const KEPT_COLUMNS: usize = 11;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    /// Between fields (javacsv's outer loop).
    StartField,
    /// Inside an unquoted field.
    Unquoted,
    /// Inside a quoted field.
    Quoted,
    /// Just after a `"` inside a quoted field: closing quote, or first half of `""`.
    QuoteSeen,
    /// After the closing quote, dropping characters up to the next `,`, CR or LF.
    Junk,
}

/// Why a record could not be read (the reader adds the record's position).
#[derive(Debug)]
pub(crate) enum Fail {
    Io(io::Error),
    /// javacsv's limit ([`MAX_FIELD_CHARS`]).
    FieldTooLong {
        column: usize,
        start: TextPosition,
    },
    /// [`ReadLimits::max_token_bytes`].
    TokenTooLong {
        column: usize,
        start: TextPosition,
    },
    /// [`ReadLimits::max_record_bytes`].
    RecordTooLong,
    TooManyColumns,
    /// The input ends inside the quoted field of `column` opened at `start`.
    UnterminatedQuote {
        column: usize,
        start: TextPosition,
    },
}

/// Where a field's content starts in the input (byte column), and whether it is quoted (then a
/// `"` of its text stands for two bytes of input).
#[derive(Clone, Copy, Debug)]
struct FieldStart {
    at: TextPosition,
    quoted: bool,
}

impl Default for FieldStart {
    fn default() -> FieldStart {
        FieldStart {
            at: TextPosition::START,
            quoted: false,
        }
    }
}

/// The parser state and the current record's kept fields.
#[derive(Debug)]
pub(crate) struct Classic {
    /// Bytes of the current record's kept fields (with what separates them on the fast path).
    buf: Vec<u8>,
    /// `(start, end)` in `buf` of each kept field.
    spans: Vec<(usize, usize)>,
    /// Fields completed in the current record.
    columns: usize,
    state: State,
    /// javacsv's `startedColumn` while in `StartField`: leading whitespace was seen.
    started: bool,
    /// Start offset in `buf` of the current field.
    field_start: usize,
    /// Whether `units` counts the current field's UTF-16 units: from the start for a column that
    /// is not kept, else once the field is longer than the limit in bytes.
    counting: bool,
    /// UTF-16 units of the current field so far, while `counting`.
    units: usize,
    /// Bytes of the current field so far (as kept: `""` counts one).
    field_bytes: usize,
    /// Where the current field's content starts.
    start: FieldStart,
    /// Where each kept field starts, beside `spans` (state-machine records only).
    starts: Vec<FieldStart>,
    /// The line of the current record when the fast path read it: `buf` is then that line as
    /// written, from its first byte.
    verbatim_line: Option<u64>,
    /// [`ReadLimits::max_token_bytes`].
    max_token: usize,
    /// [`ReadLimits::max_record_bytes`], in the tracker's unit.
    max_record: u64,
    /// Lines at least this long leave the fast path (they might break a limit).
    fast_max: usize,
    /// The last record was completed by the end of the input, not by a line end (set once, at
    /// the end: never on the path of a record that ends with its line).
    unterminated: bool,
}

/// The bytes that end a run of unquoted (or junk) field content.
#[inline]
fn ends_unquoted(b: u8) -> bool {
    matches!(b, b',' | b'\r' | b'\n')
}

impl Classic {
    pub(crate) fn new(limits: ReadLimits) -> Classic {
        Classic {
            buf: Vec::new(),
            spans: Vec::with_capacity(KEPT_COLUMNS),
            columns: 0,
            state: State::StartField,
            started: false,
            field_start: 0,
            counting: false,
            units: 0,
            field_bytes: 0,
            start: FieldStart::default(),
            starts: Vec::with_capacity(KEPT_COLUMNS),
            verbatim_line: None,
            max_token: limits.max_token_bytes,
            max_record: u64::try_from(limits.max_record_bytes).unwrap_or(u64::MAX),
            fast_max: MAX_FIELD_CHARS
                .min(MAX_COLUMNS)
                .min(limits.max_token_bytes)
                .min(limits.max_record_bytes),
            unterminated: false,
        }
    }

    /// Whether the last record read was ended by the end of the input rather than by a line end
    /// (javacsv completes it all the same). Meaningful once [`Classic::read_record`] has
    /// returned `Ok(false)`.
    pub(crate) fn unterminated(&self) -> bool {
        self.unterminated
    }

    /// Number of columns of the current record (also those not kept).
    pub(crate) fn columns(&self) -> usize {
        self.columns
    }

    /// The bytes holding the kept fields of the current record (see [`Classic::span`]).
    pub(crate) fn bytes(&self) -> &[u8] {
        &self.buf
    }

    /// Where kept field `i` of the current record lies in [`Classic::bytes`]; an empty span when
    /// the record has fewer columns (javacsv's `get(i)` returns `""` then).
    pub(crate) fn span(&self, i: usize) -> (usize, usize) {
        self.spans.get(i).copied().unwrap_or((0, 0))
    }

    /// Raw bytes of kept field `i` of the current record; empty when the record has fewer
    /// columns (javacsv's `get(i)` returns `""` then).
    pub(crate) fn field(&self, i: usize) -> &[u8] {
        let (start, end) = self.span(i);
        self.buf.get(start..end).unwrap_or(&[])
    }

    /// Where byte `offset` of kept field `i` of the current record is in the input (byte
    /// column): for the error or the warning about invalid UTF-8 there.
    pub(crate) fn position_in_field(&self, i: usize, offset: usize) -> TextPosition {
        let (start, _) = self.span(i);
        if let Some(line) = self.verbatim_line {
            let column = start.saturating_add(offset).saturating_add(1);
            return TextPosition {
                line,
                column: u64::try_from(column).unwrap_or(u64::MAX),
            };
        }
        let field = self.starts.get(i).copied().unwrap_or_default();
        let before = self
            .buf
            .get(start..start.saturating_add(offset))
            .unwrap_or(&[]);
        let mut at = field.at;
        let mut prev_cr = false;
        for &b in before {
            match b {
                b'\r' => {
                    at.line = at.line.saturating_add(1);
                    at.column = 1;
                    prev_cr = true;
                    continue;
                }
                b'\n' => {
                    if !prev_cr {
                        at.line = at.line.saturating_add(1);
                    }
                    at.column = 1;
                }
                // `""` in the input.
                b'"' if field.quoted => at.column = at.column.saturating_add(2),
                _ => at.column = at.column.saturating_add(1),
            }
            prev_cr = false;
        }
        at
    }

    fn reset(&mut self) {
        self.buf.clear();
        self.spans.clear();
        self.starts.clear();
        self.verbatim_line = None;
        self.columns = 0;
        self.state = State::StartField;
        self.started = false;
        self.field_start = 0;
        self.counting = false;
        self.units = 0;
        self.field_bytes = 0;
    }

    /// Reads the next record. `Ok(false)` at the end of the input.
    pub(crate) fn read_record<R: BufRead>(
        &mut self,
        rdr: &mut R,
        track: &mut Tracker,
    ) -> Result<bool, Fail> {
        self.reset();
        track.record_start = None;
        loop {
            let (used, done) = {
                let chunk = match rdr.fill_buf() {
                    Ok(chunk) => chunk,
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                    Err(e) => return Err(Fail::Io(e)),
                };
                if chunk.is_empty() {
                    return self.finish(track);
                }
                let skipped = self.skip_empty_lines(chunk, track);
                let rest = chunk.get(skipped..).unwrap_or(&[]);
                let (used, done) = match self.fast_record(rest, track) {
                    Some(used) => (used, true),
                    None => self.feed(rest, track)?,
                };
                (skipped + used, done)
            };
            rdr.consume(used);
            if done {
                return Ok(true);
            }
        }
    }

    /// Whether nothing of the current record has been seen yet.
    fn at_record_start(&self) -> bool {
        self.state == State::StartField && !self.started && self.columns == 0
    }

    /// SkipEmptyRecords: consumes the line ends at the start of `chunk` when nothing of a record
    /// has been seen; returns how many.
    fn skip_empty_lines(&mut self, chunk: &[u8], track: &mut Tracker) -> usize {
        if !self.at_record_start() {
            return 0;
        }
        let mut skipped = 0;
        for &b in chunk.iter().take_while(|&&b| b == b'\r' || b == b'\n') {
            track.advance(b);
            skipped += 1;
        }
        skipped
    }

    /// The fast path: reads a whole record from `chunk` when it is simple (see the module
    /// documentation) and returns the bytes used; `None` (having used nothing) leaves the record
    /// to [`Classic::feed`].
    fn fast_record(&mut self, chunk: &[u8], track: &mut Tracker) -> Option<usize> {
        if !self.at_record_start() {
            return None;
        }
        // The line end, unless a quote comes first.
        let end = memchr::memchr3(b'\r', b'\n', b'"', chunk)?;
        let (line, tail) = chunk.split_at(end);
        let term = match tail.first() {
            Some(&b) if b != b'"' => b,
            _ => return None,
        };
        // Under every limit: no field, no column count and no record length can exceed them.
        if line.is_empty() || line.len() >= self.fast_max {
            return None;
        }
        self.verbatim_line = Some(track.line);
        track.mark_record_start();
        track.advance_plain(line.len());
        track.advance(term);
        self.buf.extend_from_slice(line);
        let mut start = 0;
        let mut field_end = |end: usize| {
            if self.spans.len() < KEPT_COLUMNS {
                self.spans.push(trimmed(line, start, end));
            }
            self.columns += 1;
            start = end + 1;
        };
        for_each_comma(line, &mut field_end);
        field_end(line.len());
        Some(line.len() + 1)
    }

    /// Runs the state machine over `chunk`; returns the bytes used and whether a record ended.
    fn feed(&mut self, chunk: &[u8], track: &mut Tracker) -> Result<(usize, bool), Fail> {
        let mut rest = chunk;
        while let Some((&b, after)) = rest.split_first() {
            self.check_record(track)?;
            match self.state {
                State::StartField => {
                    let line_end = b == b'\r' || b == b'\n';
                    if line_end && !self.started && self.columns == 0 {
                        // SkipEmptyRecords: a line end before anything of a record.
                        track.advance(b);
                        rest = after;
                        continue;
                    }
                    track.mark_record_start();
                    match b {
                        b'\r' | b'\n' => {
                            track.advance(b);
                            self.end_field(false)?;
                            return Ok((used(chunk, after), true));
                        }
                        b'"' => {
                            let mut at = track.here();
                            at.column = at.column.saturating_add(1);
                            self.start = FieldStart { at, quoted: true };
                            self.state = State::Quoted;
                        }
                        b',' => self.end_field(false)?,
                        b' ' | b'\t' => self.started = true,
                        _ => {
                            // Content: the run is scanned (from this byte) as unquoted.
                            self.start = FieldStart {
                                at: track.here(),
                                quoted: false,
                            };
                            self.state = State::Unquoted;
                            continue;
                        }
                    }
                    track.advance(b);
                    rest = after;
                }
                State::Unquoted | State::Junk => {
                    let n = rest
                        .iter()
                        .position(|&b| ends_unquoted(b))
                        .unwrap_or(rest.len());
                    let (run, tail) = rest.split_at(n);
                    if self.state == State::Unquoted {
                        self.content(run)?;
                    }
                    track.advance_plain(n);
                    self.check_record(track)?;
                    let Some((&end, after)) = tail.split_first() else {
                        break;
                    };
                    track.advance(end);
                    rest = after;
                    self.end_field(self.state == State::Unquoted)?;
                    if end != b',' {
                        return Ok((used(chunk, after), true));
                    }
                }
                State::Quoted => {
                    let n = memchr::memchr(b'"', rest).unwrap_or(rest.len());
                    let (run, tail) = rest.split_at(n);
                    self.content(run)?;
                    track.advance_all(run);
                    self.check_record(track)?;
                    let Some((&quote, after)) = tail.split_first() else {
                        break;
                    };
                    track.advance(quote);
                    rest = after;
                    self.state = State::QuoteSeen;
                }
                State::QuoteSeen => {
                    track.advance(b);
                    rest = after;
                    match b {
                        b'"' => {
                            self.state = State::Quoted;
                            self.content(b"\"")?;
                        }
                        b',' => self.end_field(false)?,
                        b'\r' | b'\n' => {
                            self.end_field(false)?;
                            return Ok((used(chunk, after), true));
                        }
                        _ => self.state = State::Junk,
                    }
                }
            }
        }
        Ok((chunk.len(), false))
    }

    /// [`ReadLimits::max_record_bytes`]: the record's bytes so far (line end excluded).
    #[inline]
    fn check_record(&self, track: &Tracker) -> Result<(), Fail> {
        match track.record_start {
            Some((start, _)) if track.byte.saturating_sub(start) > self.max_record => {
                Err(Fail::RecordTooLong)
            }
            _ => Ok(()),
        }
    }

    /// End of input: completes a started field or a record ending in `,`; refuses a quoted field
    /// still open (see the module documentation).
    fn finish(&mut self, track: &Tracker) -> Result<bool, Fail> {
        self.check_record(track)?;
        if self.state == State::Quoted {
            let mut start = self.start.at;
            start.column = start.column.saturating_sub(1);
            return Err(Fail::UnterminatedQuote {
                column: self.columns,
                start,
            });
        }
        let pending = self.state != State::StartField || self.started || self.columns > 0;
        if pending {
            let trim = self.state == State::Unquoted;
            self.end_field(trim)?;
            self.unterminated = true;
        }
        Ok(pending)
    }

    /// A run of field content (decoded: `""` arrives as one `"`). Both limits are checked before
    /// the run is stored.
    #[inline]
    fn content(&mut self, run: &[u8]) -> Result<(), Fail> {
        let bytes = self.field_bytes.saturating_add(run.len());
        if self.counting {
            self.units = self.units.saturating_add(utf16_len(run));
        } else if bytes > MAX_FIELD_CHARS {
            // A kept field (the others count from their start): at most one UTF-16 unit per
            // byte, so characters are only counted once the bytes pass the limit.
            let field = self.buf.get(self.field_start..).unwrap_or(&[]);
            self.counting = true;
            self.units = utf16_len(field).saturating_add(utf16_len(run));
        }
        if self.units > MAX_FIELD_CHARS {
            return Err(Fail::FieldTooLong {
                column: self.columns,
                start: self.start.at,
            });
        }
        if bytes > self.max_token {
            return Err(Fail::TokenTooLong {
                column: self.columns,
                start: self.start.at,
            });
        }
        self.field_bytes = bytes;
        if self.columns < KEPT_COLUMNS {
            self.buf.extend_from_slice(run);
        }
        Ok(())
    }

    /// Completes the current field (javacsv `endColumn`).
    fn end_field(&mut self, trim: bool) -> Result<(), Fail> {
        if self.columns >= MAX_COLUMNS {
            return Err(Fail::TooManyColumns);
        }
        if self.columns < KEPT_COLUMNS {
            if trim {
                while self.buf.len() > self.field_start
                    && matches!(self.buf.last(), Some(b' ' | b'\t'))
                {
                    self.buf.pop();
                }
            }
            self.spans.push((self.field_start, self.buf.len()));
            self.starts.push(self.start);
        }
        self.columns = self.columns.saturating_add(1);
        self.field_start = self.buf.len();
        self.state = State::StartField;
        self.started = false;
        self.counting = self.columns >= KEPT_COLUMNS;
        self.units = 0;
        self.field_bytes = 0;
        Ok(())
    }
}

/// Bytes of `chunk` used when `after` (a tail of it) is what is left.
fn used(chunk: &[u8], after: &[u8]) -> usize {
    chunk.len().saturating_sub(after.len())
}

#[cfg(test)]
mod tests;
