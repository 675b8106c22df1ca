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
//!   quote runs to the end of the input (no error);
//! * a record ends at CR or LF (so CRLF is a record end followed by an empty line); a line end
//!   seen before anything else of a record (no field, no leading whitespace) is an empty line and
//!   skipped — but a line holding only spaces is a record with one empty field;
//! * at the end of the input a started field, or a record whose last character was `,`, is
//!   completed;
//! * safety switch: a field longer than 100,000 characters (UTF-16 units; for an unquoted field
//!   counted before trailing whitespace is trimmed) or a record with more than 100,000 columns is
//!   an error.

use std::io::{self, BufRead};

use crate::text::{utf16_units, Tracker};
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

/// Why a record could not be read (the reader adds the position).
#[derive(Debug)]
pub(crate) enum Fail {
    Io(io::Error),
    FieldTooLong { column: usize },
    TooManyColumns,
}

/// The parser state and the current record's kept fields.
#[derive(Debug)]
pub(crate) struct Classic {
    /// Bytes of the kept fields of the current record, back to back.
    buf: Vec<u8>,
    /// End offset in `buf` of each kept field.
    ends: Vec<usize>,
    /// Fields completed in the current record.
    columns: usize,
    state: State,
    /// javacsv's `startedColumn` while in `StartField`: leading whitespace was seen.
    started: bool,
    /// Start offset in `buf` of the current field.
    field_start: usize,
    /// UTF-16 units of the current field so far.
    units: usize,
}

impl Classic {
    pub(crate) fn new() -> Classic {
        Classic {
            buf: Vec::new(),
            ends: Vec::with_capacity(KEPT_COLUMNS),
            columns: 0,
            state: State::StartField,
            started: false,
            field_start: 0,
            units: 0,
        }
    }

    /// Number of columns of the current record (also those not kept).
    pub(crate) fn columns(&self) -> usize {
        self.columns
    }

    /// Raw bytes of kept field `i` of the current record; empty when the record has fewer
    /// columns (javacsv's `get(i)` returns `""` then).
    pub(crate) fn field(&self, i: usize) -> &[u8] {
        let Some(&end) = self.ends.get(i) else {
            return &[];
        };
        let start = match i.checked_sub(1) {
            Some(prev) => self.ends.get(prev).copied().unwrap_or(0),
            None => 0,
        };
        self.buf.get(start..end).unwrap_or(&[])
    }

    fn reset(&mut self) {
        self.buf.clear();
        self.ends.clear();
        self.columns = 0;
        self.state = State::StartField;
        self.started = false;
        self.field_start = 0;
        self.units = 0;
    }

    /// Reads the next record. `Ok(false)` at the end of the input.
    pub(crate) fn read_record<R: BufRead>(
        &mut self,
        rdr: &mut R,
        track: &mut Tracker,
    ) -> Result<bool, Fail> {
        self.reset();
        loop {
            let (used, done) = {
                let chunk = match rdr.fill_buf() {
                    Ok(chunk) => chunk,
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                    Err(e) => return Err(Fail::Io(e)),
                };
                if chunk.is_empty() {
                    return self.finish();
                }
                self.feed(chunk, track)?
            };
            rdr.consume(used);
            if done {
                return Ok(true);
            }
        }
    }

    /// Runs the state machine over `chunk`; returns the bytes used and whether a record ended.
    fn feed(&mut self, chunk: &[u8], track: &mut Tracker) -> Result<(usize, bool), Fail> {
        for (i, &b) in chunk.iter().enumerate() {
            let line_end = b == b'\r' || b == b'\n';
            if line_end && self.state == State::StartField && !self.started && self.columns == 0 {
                // SkipEmptyRecords: a line end before anything of a record.
                track.advance(b);
                continue;
            }
            track.mark_record_start();
            track.advance(b);
            let used = i.saturating_add(1);
            match self.state {
                State::StartField => match b {
                    b'\r' | b'\n' => {
                        self.end_field(false)?;
                        return Ok((used, true));
                    }
                    b'"' => {
                        self.state = State::Quoted;
                        self.units = 0;
                    }
                    b',' => self.end_field(false)?,
                    b' ' | b'\t' => self.started = true,
                    _ => {
                        self.state = State::Unquoted;
                        self.units = 0;
                        self.content(b)?;
                    }
                },
                State::Unquoted => match b {
                    b',' => self.end_field(true)?,
                    b'\r' | b'\n' => {
                        self.end_field(true)?;
                        return Ok((used, true));
                    }
                    _ => self.content(b)?,
                },
                State::Quoted => match b {
                    b'"' => self.state = State::QuoteSeen,
                    _ => self.content(b)?,
                },
                State::QuoteSeen => match b {
                    b'"' => {
                        self.state = State::Quoted;
                        self.content(b'"')?;
                    }
                    b',' => self.end_field(false)?,
                    b'\r' | b'\n' => {
                        self.end_field(false)?;
                        return Ok((used, true));
                    }
                    _ => self.state = State::Junk,
                },
                State::Junk => match b {
                    b',' => self.end_field(false)?,
                    b'\r' | b'\n' => {
                        self.end_field(false)?;
                        return Ok((used, true));
                    }
                    _ => {}
                },
            }
        }
        Ok((chunk.len(), false))
    }

    /// End of input: completes a started field or a record ending in `,`.
    fn finish(&mut self) -> Result<bool, Fail> {
        let pending = self.state != State::StartField || self.started || self.columns > 0;
        if pending {
            let trim = self.state == State::Unquoted;
            self.end_field(trim)?;
        }
        Ok(pending)
    }

    /// One byte of field content.
    #[inline]
    fn content(&mut self, b: u8) -> Result<(), Fail> {
        self.units = self.units.saturating_add(utf16_units(b));
        if self.units > MAX_FIELD_CHARS {
            return Err(Fail::FieldTooLong {
                column: self.columns,
            });
        }
        if self.columns < KEPT_COLUMNS {
            self.buf.push(b);
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
            self.ends.push(self.buf.len());
        }
        self.columns = self.columns.saturating_add(1);
        self.field_start = self.buf.len();
        self.state = State::StartField;
        self.started = false;
        self.units = 0;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every record of `input` as lossily decoded fields (kept columns only).
    fn records(input: &[u8]) -> Vec<Vec<String>> {
        let mut p = Classic::new();
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

    #[test]
    fn unclosed_quote_runs_to_end() {
        assert_eq!(records(b"\"abc\ndef"), vec![rec(&["abc\ndef"])]);
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
        let mut p = Classic::new();
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
        let mut p = Classic::new();
        let mut t = Tracker::new();
        let long = format!("{ok} ,x");
        let mut rdr = long.as_bytes();
        assert!(matches!(
            p.read_record(&mut rdr, &mut t),
            Err(Fail::FieldTooLong { column: 0 })
        ));
        // Quoted: the decoded length counts (`""` is one).
        let q = format!("x,\"{}\"\"\"", "b".repeat(MAX_FIELD_CHARS - 1));
        assert_eq!(records(q.as_bytes())[0][1].len(), MAX_FIELD_CHARS);
        let q = format!("x,\"{}\"\"\"", "b".repeat(MAX_FIELD_CHARS));
        let mut rdr = q.as_bytes();
        let mut p = Classic::new();
        assert!(matches!(
            p.read_record(&mut rdr, &mut t),
            Err(Fail::FieldTooLong { column: 1 })
        ));
        // Leading whitespace does not count.
        let lead = format!("{}{ok}", " ".repeat(10));
        assert_eq!(records(lead.as_bytes())[0][0].len(), MAX_FIELD_CHARS);
        // A surrogate pair counts 2.
        let emoji = "😀".repeat(MAX_FIELD_CHARS / 2 + 1);
        let mut rdr = emoji.as_bytes();
        let mut p = Classic::new();
        assert!(matches!(
            p.read_record(&mut rdr, &mut t),
            Err(Fail::FieldTooLong { column: 0 })
        ));
    }

    #[test]
    fn column_limit() {
        let ok = ",".repeat(MAX_COLUMNS - 1);
        let mut p = Classic::new();
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
        let mut p = Classic::new();
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
