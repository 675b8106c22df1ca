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
        }
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
mod tests {
    use super::*;

    /// Every record of `input` as lossily decoded fields (kept columns only).
    fn records(input: &[u8]) -> Vec<Vec<String>> {
        let mut p = Classic::new(ReadLimits::default());
        let mut t = Tracker::new();
        let mut rdr = input;
        let mut out = Vec::new();
        while p.read_record(&mut rdr, &mut t).unwrap() {
            let n = p.columns().min(KEPT_COLUMNS);
            out.push(
                (0..n)
                    .map(|i| String::from_utf8_lossy(p.field(i)).into_owned())
                    .collect(),
            );
        }
        out
    }

    fn rec(fields: &[&str]) -> Vec<String> {
        fields.iter().map(|s| s.to_string()).collect()
    }

    /// One record as seen by a test: where it starts (byte, line), its column count and its kept
    /// fields.
    type Seen = ((u64, u64), usize, Vec<Vec<u8>>);

    /// What a test sees of a whole input: its records, then where an unclosed quote opened.
    type Outcome = (Vec<Seen>, Option<TextPosition>);

    /// javacsv's rules byte by byte, in the plainest form: the model the parser must agree with
    /// (except that an unclosed quote at the end is refused rather than completed).
    fn model(input: &[u8]) -> Outcome {
        #[derive(PartialEq)]
        enum S {
            Start,
            Unquoted,
            Quoted,
            QuoteSeen,
            Junk,
        }
        fn end_field(fields: &mut Vec<Vec<u8>>, cur: &mut Vec<u8>, trim: bool) {
            while trim && matches!(cur.last(), Some(b' ' | b'\t')) {
                cur.pop();
            }
            fields.push(std::mem::take(cur));
        }
        let mut out = Vec::new();
        let mut t = Tracker::new();
        let (mut fields, mut cur) = (Vec::new(), Vec::new());
        let (mut s, mut started, mut start) = (S::Start, false, None);
        let mut quote = TextPosition::START;
        let mut record = |fields: &mut Vec<Vec<u8>>, start: &mut Option<(u64, u64)>| {
            let n = fields.len();
            fields.truncate(KEPT_COLUMNS);
            out.push((start.take().unwrap(), n, std::mem::take(fields)));
        };
        for &b in input {
            let line_end = b == b'\r' || b == b'\n';
            if line_end && s == S::Start && !started && fields.is_empty() {
                t.advance(b);
                continue;
            }
            start.get_or_insert((t.byte, t.line));
            if s == S::Start && b == b'"' {
                quote = t.here();
            }
            t.advance(b);
            let ends = match s {
                S::Start => match b {
                    b'"' => {
                        s = S::Quoted;
                        None
                    }
                    b' ' | b'\t' => {
                        started = true;
                        None
                    }
                    b',' | b'\r' | b'\n' => Some(false),
                    _ => {
                        s = S::Unquoted;
                        cur.push(b);
                        None
                    }
                },
                S::Unquoted => match b {
                    b',' | b'\r' | b'\n' => Some(true),
                    _ => {
                        cur.push(b);
                        None
                    }
                },
                S::Quoted => {
                    if b == b'"' {
                        s = S::QuoteSeen;
                    } else {
                        cur.push(b);
                    }
                    None
                }
                S::QuoteSeen => match b {
                    b'"' => {
                        s = S::Quoted;
                        cur.push(b);
                        None
                    }
                    b',' | b'\r' | b'\n' => Some(false),
                    _ => {
                        s = S::Junk;
                        None
                    }
                },
                S::Junk => match b {
                    b',' | b'\r' | b'\n' => Some(false),
                    _ => None,
                },
            };
            if let Some(trim) = ends {
                end_field(&mut fields, &mut cur, trim);
                s = S::Start;
                started = false;
                if line_end {
                    record(&mut fields, &mut start);
                }
            }
        }
        if s == S::Quoted {
            return (out, Some(quote));
        }
        if s != S::Start || started || !fields.is_empty() {
            end_field(&mut fields, &mut cur, s == S::Unquoted);
            record(&mut fields, &mut start);
        }
        (out, None)
    }

    /// What the parser reads from `input` through a buffer of `capacity` bytes.
    fn parsed(input: &[u8], capacity: usize) -> Outcome {
        let mut p = Classic::new(ReadLimits::default());
        let mut t = Tracker::new();
        let mut rdr = io::BufReader::with_capacity(capacity, input);
        let mut out = Vec::new();
        loop {
            match p.read_record(&mut rdr, &mut t) {
                Ok(true) => {}
                Ok(false) => return (out, None),
                Err(Fail::UnterminatedQuote { start, .. }) => return (out, Some(start)),
                Err(e) => panic!("{e:?}"),
            }
            let n = p.columns().min(KEPT_COLUMNS);
            let fields = (0..n).map(|i| p.field(i).to_vec()).collect();
            out.push((t.record_start.unwrap(), p.columns(), fields));
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2000))]

        /// The fast path and the run-based state machine, over any chunking, agree with the
        /// byte-by-byte model: same records, columns and record starts.
        #[test]
        fn agrees_with_the_byte_by_byte_model(
            input in proptest::collection::vec(
                proptest::sample::select(vec![
                    b'a', b'b', b',', b',', b'"', b'"', b' ', b'\t', b'\r', b'\n', b'\n', 0xC3,
                    0xA9, 0xFF,
                ]),
                0..120,
            ),
            capacity in 1usize..40,
        ) {
            let want = model(&input);
            proptest::prop_assert_eq!(&parsed(&input, 1), &want);
            proptest::prop_assert_eq!(&parsed(&input, capacity), &want);
            proptest::prop_assert_eq!(&parsed(&input, 8192), &want);
        }
    }

    #[test]
    fn unquoted_trimmed_quoted_verbatim() {
        assert_eq!(
            records(b"  a b \t, \" x \" ,\tc\n"),
            vec![rec(&["a b", " x ", "c"])]
        );
    }

    #[test]
    fn doubled_quotes_and_specials_inside_quotes() {
        assert_eq!(
            records(b"\"a\"\"b\",\"c,d\",\"e\nf\",\"\"\"\"\n"),
            vec![rec(&["a\"b", "c,d", "e\nf", "\""])]
        );
    }

    #[test]
    fn junk_after_closing_quote_is_dropped() {
        assert_eq!(records(b"\"a\"xyz,b\n"), vec![rec(&["a", "b"])]);
        assert_eq!(records(b"\"a\"  \n"), vec![rec(&["a"])]);
    }

    #[test]
    fn quote_inside_unquoted_is_data() {
        assert_eq!(records(b"a\"b\"c,d\n"), vec![rec(&["a\"b\"c", "d"])]);
    }

    #[test]
    fn record_ends_cr_lf_crlf_and_empty_lines_skipped() {
        let want = vec![rec(&["a"]), rec(&["b"]), rec(&["c"]), rec(&["d"])];
        assert_eq!(records(b"a\rb\nc\r\nd"), want);
        assert_eq!(records(b"\n\r\n\ra\n\n\nb\r\r\nc\n\nd\n\n"), want);
    }

    #[test]
    fn whitespace_only_line_is_a_record() {
        assert_eq!(
            records(b"a\n  \t\nb\n"),
            vec![rec(&["a"]), rec(&[""]), rec(&["b"])]
        );
    }

    #[test]
    fn trailing_delimiter_and_empty_fields() {
        assert_eq!(
            records(b"a,\n,,\n"),
            vec![rec(&["a", ""]), rec(&["", "", ""])]
        );
        // At the end of the input too.
        assert_eq!(records(b"a,"), vec![rec(&["a", ""])]);
        assert_eq!(records(b"a, "), vec![rec(&["a", ""])]);
        assert_eq!(records(b"\"\""), vec![rec(&[""])]);
        assert_eq!(records(b"   "), vec![rec(&[""])]);
        assert_eq!(records(b""), Vec::<Vec<String>>::new());
        assert_eq!(records(b"\n\r\n"), Vec::<Vec<String>>::new());
    }

    fn first_fail(input: &[u8], limits: ReadLimits) -> Fail {
        let mut p = Classic::new(limits);
        let mut t = Tracker::new();
        let mut rdr = io::BufReader::with_capacity(7, input);
        loop {
            match p.read_record(&mut rdr, &mut t) {
                Ok(true) => {}
                Ok(false) => panic!("no failure"),
                Err(e) => return e,
            }
        }
    }

    fn at(line: u64, column: u64) -> TextPosition {
        TextPosition { line, column }
    }

    #[test]
    fn unclosed_quote_is_refused_where_it_opened() {
        // javacsv would read `abc\ndef` as one field.
        let fail = first_fail(b"\"abc\ndef", ReadLimits::default());
        assert!(
            matches!(fail, Fail::UnterminatedQuote { column: 0, start } if start == at(1, 1)),
            "{fail:?}"
        );
        let fail = first_fail(b"a,b\r\nde,pe, \"ou\n\"\"x,y\nz\n", ReadLimits::default());
        assert!(
            matches!(fail, Fail::UnterminatedQuote { column: 2, start } if start == at(2, 8)),
            "{fail:?}"
        );
        // Closed at the very end: fine.
        assert_eq!(records(b"\"abc\ndef\""), vec![rec(&["abc\ndef"])]);
    }

    #[test]
    fn token_limit_in_bytes() {
        let limits = ReadLimits::default().with_max_token_bytes(10);
        // Ten bytes are fine, in both paths.
        let mut p = Classic::new(limits);
        let mut t = Tracker::new();
        let mut rdr = &b"0123456789,\"0123456789\"\n"[..];
        assert!(p.read_record(&mut rdr, &mut t).unwrap());
        assert_eq!(p.field(1), b"0123456789");
        // Eleven are not; `""` counts one byte, as kept.
        let fail = first_fail(b"x\n\"\"\"012345678\"\"\"", limits);
        assert!(
            matches!(fail, Fail::TokenTooLong { column: 0, start } if start == at(2, 2)),
            "{fail:?}"
        );
        let fail = first_fail(b"a, 01234567890 ,c", limits);
        assert!(
            matches!(fail, Fail::TokenTooLong { column: 1, start } if start == at(1, 4)),
            "{fail:?}"
        );
        // Columns that are not kept are held to it too.
        let long = format!("{}x12345678901\n", ",".repeat(12));
        assert!(matches!(
            first_fail(long.as_bytes(), limits),
            Fail::TokenTooLong { column: 12, .. }
        ));
        // Multi-byte text: bytes, not characters.
        assert!(matches!(
            first_fail("éééééé".as_bytes(), limits),
            Fail::TokenTooLong { .. }
        ));
    }

    #[test]
    fn javacsv_limit_wins_over_an_equal_byte_limit() {
        let limits = ReadLimits::default().with_max_token_bytes(MAX_FIELD_CHARS);
        let long = "x".repeat(MAX_FIELD_CHARS + 1);
        assert!(matches!(
            first_fail(long.as_bytes(), limits),
            Fail::FieldTooLong { column: 0, .. }
        ));
        // A field of continuation bytes counts no UTF-16 unit: only the byte limit stops it.
        let junk = vec![0x80u8; ReadLimits::DEFAULT_MAX_TOKEN_BYTES + 1];
        assert!(matches!(
            first_fail(&junk, ReadLimits::default()),
            Fail::TokenTooLong { column: 0, .. }
        ));
    }

    #[test]
    fn record_limit_counts_raw_bytes() {
        let limits = ReadLimits::default()
            .with_max_token_bytes(8)
            .with_max_record_bytes(12);
        // Twelve bytes (the line end not counted) are fine.
        let mut p = Classic::new(limits);
        let mut t = Tracker::new();
        let mut rdr = &b"\"ab\"xx,cd,e\r\n"[..];
        assert!(p.read_record(&mut rdr, &mut t).unwrap());
        assert_eq!(p.columns(), 3);
        // Junk after a closing quote, blanks and empty fields are never stored but still count.
        for input in [
            &b"\"ab\"xxxxxxxxxxxxxxxxx\n"[..],
            b"                       \n",
            b"a,,,,,,,,,,,,,,,,,,,,,,,,,,,\n",
            b"h\n\"ab\n\ncd\",\"ef\n\n\",x",
        ] {
            assert!(
                matches!(first_fail(input, limits), Fail::RecordTooLong),
                "{input:?}"
            );
        }
    }

    #[test]
    fn positions_in_fields() {
        let mut p = Classic::new(ReadLimits::default());
        let mut t = Tracker::new();
        // Fast path: the line as written.
        let mut rdr = &b"ab, cd\n x\"\"y, \"p\"\"q\r\nr\", z\n"[..];
        assert!(p.read_record(&mut rdr, &mut t).unwrap());
        assert_eq!(p.position_in_field(1, 1), at(1, 6));
        // State machine: `""` is two bytes, a line break inside quotes starts a line.
        assert!(p.read_record(&mut rdr, &mut t).unwrap());
        assert_eq!(p.field(0), b"x\"\"y");
        assert_eq!(p.position_in_field(0, 3), at(2, 5));
        assert_eq!(p.field(1), b"p\"q\r\nr");
        assert_eq!(p.position_in_field(1, 2), at(2, 12));
        assert_eq!(p.position_in_field(1, 5), at(3, 1));
        assert_eq!(p.position_in_field(2, 0), at(3, 5));
    }

    #[test]
    fn bom_is_kept_and_makes_the_field_unquoted() {
        let input = "\u{FEFF}\"de\",\"x\"\n";
        assert_eq!(
            records(input.as_bytes()),
            vec![rec(&["\u{FEFF}\"de\"", "x"])]
        );
    }

    #[test]
    fn columns_beyond_eleven_are_counted_not_kept() {
        let line = (0..15).map(|i| i.to_string()).collect::<Vec<_>>().join(",");
        let mut p = Classic::new(ReadLimits::default());
        let mut t = Tracker::new();
        let mut rdr = line.as_bytes();
        assert!(p.read_record(&mut rdr, &mut t).unwrap());
        assert_eq!(p.columns(), 15);
        assert_eq!(p.field(10), b"10");
        assert_eq!(p.field(11), b"");
    }

    #[test]
    fn field_limit_counts_java_chars() {
        let ok = "a".repeat(MAX_FIELD_CHARS);
        assert_eq!(records(ok.as_bytes())[0][0].len(), MAX_FIELD_CHARS);
        // Trailing whitespace counts before it is trimmed.
        let mut p = Classic::new(ReadLimits::default());
        let mut t = Tracker::new();
        let long = format!("{ok} ,x");
        let mut rdr = long.as_bytes();
        assert!(matches!(
            p.read_record(&mut rdr, &mut t),
            Err(Fail::FieldTooLong { column: 0, .. })
        ));
        // Quoted: the decoded length counts (`""` is one).
        let q = format!("x,\"{}\"\"\"", "b".repeat(MAX_FIELD_CHARS - 1));
        assert_eq!(records(q.as_bytes())[0][1].len(), MAX_FIELD_CHARS);
        let q = format!("x,\"{}\"\"\"", "b".repeat(MAX_FIELD_CHARS));
        let mut rdr = q.as_bytes();
        let mut p = Classic::new(ReadLimits::default());
        assert!(matches!(
            p.read_record(&mut rdr, &mut t),
            Err(Fail::FieldTooLong { column: 1, .. })
        ));
        // Leading whitespace does not count.
        let lead = format!("{}{ok}", " ".repeat(10));
        assert_eq!(records(lead.as_bytes())[0][0].len(), MAX_FIELD_CHARS);
        // A surrogate pair counts 2.
        let emoji = "😀".repeat(MAX_FIELD_CHARS / 2 + 1);
        let mut rdr = emoji.as_bytes();
        let mut p = Classic::new(ReadLimits::default());
        assert!(matches!(
            p.read_record(&mut rdr, &mut t),
            Err(Fail::FieldTooLong { column: 0, .. })
        ));
    }

    #[test]
    fn column_limit() {
        let ok = ",".repeat(MAX_COLUMNS - 1);
        let mut p = Classic::new(ReadLimits::default());
        let mut t = Tracker::new();
        let mut rdr = ok.as_bytes();
        assert!(p.read_record(&mut rdr, &mut t).unwrap());
        assert_eq!(p.columns(), MAX_COLUMNS);
        let bad = ",".repeat(MAX_COLUMNS);
        let mut rdr = bad.as_bytes();
        assert!(matches!(
            p.read_record(&mut rdr, &mut t),
            Err(Fail::TooManyColumns)
        ));
    }

    #[test]
    fn small_chunks_give_the_same_records() {
        let input: &[u8] = b" a ,\"b\"\"c\" x,\r\n\r\n\"d\ne\",f\rg";
        let whole = records(input);
        let mut p = Classic::new(ReadLimits::default());
        let mut t = Tracker::new();
        let mut rdr = io::BufReader::with_capacity(1, input);
        let mut out = Vec::new();
        while p.read_record(&mut rdr, &mut t).unwrap() {
            let n = p.columns().min(KEPT_COLUMNS);
            out.push(
                (0..n)
                    .map(|i| String::from_utf8_lossy(p.field(i)).into_owned())
                    .collect::<Vec<_>>(),
            );
        }
        assert_eq!(out, whole);
        assert_eq!(
            whole,
            vec![rec(&["a", "b\"c", ""]), rec(&["d\ne", "f"]), rec(&["g"])]
        );
    }
}
