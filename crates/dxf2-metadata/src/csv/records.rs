//! The rows of a metadata CSV file as DHIS2's `DefaultCsvImportService` sees them: javacsv's
//! records (read here with the `csv` crate) and DHIS2's `getSafe` (blank = default, values cut
//! to a maximum length).

use std::io::{self, Read};

use dxf2_model::ReadLimits;

use super::{ClassKey, CsvError};

/// The `csv` crate's buffer: how far its reads may run ahead of the record being parsed.
const BUFFER_CAPACITY: usize = 8 * 1024;

/// Streams the records of one file; see [`Records::next_row`].
pub(crate) struct Records<R: Read> {
    class: ClassKey,
    limits: ReadLimits,
    reader: csv::Reader<Tracked<R>>,
    record: csv::ByteRecord,
}

impl<R: Read> Records<R> {
    /// A reader of `input` for `class`, bounded by `limits`.
    pub(crate) fn new(input: R, class: ClassKey, limits: ReadLimits) -> Records<R> {
        let bound = limits.max_record_bytes.saturating_add(BUFFER_CAPACITY) as u64;
        let reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .buffer_capacity(BUFFER_CAPACITY)
            .from_reader(Tracked::new(input, bound));
        Records {
            class,
            limits,
            reader,
            record: csv::ByteRecord::new(),
        }
    }

    /// The next row, or `None` at the end of the input. Empty lines are skipped, as javacsv
    /// skips them (a line of spaces is a row of one blank value).
    pub(crate) fn next_row(&mut self) -> Result<Option<Row>, CsvError> {
        let start_line = self.reader.position().line();
        match self.reader.read_byte_record(&mut self.record) {
            Ok(true) => {}
            Ok(false) => return Ok(None),
            Err(e) => return Err(self.read_error(e, start_line)),
        }
        let line = self.record_line();
        // Its values and the commas between them (quotes and the line end are not counted).
        let size = self.record.as_slice().len() + self.record.len().saturating_sub(1);
        if size > self.limits.max_record_bytes {
            return Err(CsvError::RecordTooLong {
                class: self.class,
                line,
                limit: self.limits.max_record_bytes,
            });
        }
        let mut fields = Vec::with_capacity(self.record.len());
        for (index, bytes) in self.record.iter().enumerate() {
            if bytes.len() > self.limits.max_token_bytes {
                return Err(CsvError::FieldTooLong {
                    class: self.class,
                    line,
                    column: index + 1,
                    limit: self.limits.max_token_bytes,
                });
            }
            let text = String::from_utf8_lossy(bytes);
            fields.push(text.trim_matches([' ', '\t']).to_owned());
        }
        // The record's end is where the next one may start: the bound runs from there.
        let end = self.reader.position().byte();
        self.reader.get_mut().record_start = end;
        Ok(Some(Row { line, fields }))
    }

    /// The line of the record just read: the `csv` crate's line count at its end, less the line
    /// feeds inside it (quoted) and the one that ended it. (The count at its start would include
    /// the empty lines skipped before it, and lag by one after a CRLF.)
    fn record_line(&self) -> u64 {
        let end = self.reader.position();
        let inside = self
            .record
            .as_slice()
            .iter()
            .filter(|b| **b == b'\n')
            .count() as u64;
        let ended_by_lf = end
            .byte()
            .checked_sub(1)
            .and_then(|last| self.reader.get_ref().byte_at(last))
            == Some(b'\n');
        end.line()
            .saturating_sub(inside)
            .saturating_sub(u64::from(ended_by_lf))
            .max(1)
    }

    fn read_error(&self, error: csv::Error, line: u64) -> CsvError {
        if self.reader.get_ref().tripped {
            return CsvError::RecordTooLong {
                class: self.class,
                line,
                limit: self.limits.max_record_bytes,
            };
        }
        let source = match error.into_kind() {
            csv::ErrorKind::Io(e) => e,
            other => io::Error::other(format!("{other:?}")),
        };
        CsvError::Io {
            class: self.class,
            line,
            source,
        }
    }
}

/// The input, counting what it hands to the `csv` crate: a record may not run further than
/// `bound` bytes past its start (so a line without end cannot fill memory), and the last chunk
/// is kept to tell which byte ended a record.
struct Tracked<R> {
    inner: R,
    bound: u64,
    delivered: u64,
    record_start: u64,
    tripped: bool,
    last_chunk: Vec<u8>,
    last_chunk_start: u64,
    before_last_chunk: Option<u8>,
}

impl<R> Tracked<R> {
    fn new(inner: R, bound: u64) -> Tracked<R> {
        Tracked {
            inner,
            bound,
            delivered: 0,
            record_start: 0,
            tripped: false,
            last_chunk: Vec::new(),
            last_chunk_start: 0,
            before_last_chunk: None,
        }
    }

    /// The byte at `offset`, when it is in the last chunk or just before it (the `csv` crate
    /// refills its buffer only once it consumed all of it, so a record's last byte always is).
    fn byte_at(&self, offset: u64) -> Option<u8> {
        if offset >= self.last_chunk_start {
            let index = usize::try_from(offset - self.last_chunk_start).ok()?;
            self.last_chunk.get(index).copied()
        } else if offset + 1 == self.last_chunk_start {
            self.before_last_chunk
        } else {
            None
        }
    }
}

impl<R: Read> Read for Tracked<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.delivered.saturating_sub(self.record_start) > self.bound {
            self.tripped = true;
            return Err(io::Error::other("a CSV record passed the record bound"));
        }
        let n = self.inner.read(buf)?;
        if let Some(chunk) = buf.get(..n).filter(|c| !c.is_empty()) {
            self.before_last_chunk = self.last_chunk.last().copied();
            self.last_chunk.clear();
            self.last_chunk.extend_from_slice(chunk);
            self.last_chunk_start = self.delivered;
            self.delivered += n as u64;
        }
        Ok(n)
    }
}

/// One record: its values as javacsv gives them (decoded as UTF-8 with U+FFFD for invalid
/// bytes; spaces and tabs around a value removed), and the line it starts on.
#[derive(Clone, Debug)]
pub(crate) struct Row {
    /// The line of the record's first character, from 1.
    pub(crate) line: u64,
    fields: Vec<String>,
}

impl Row {
    /// A row of `fields` at `line` (for tests).
    #[cfg(test)]
    pub(crate) fn of(line: u64, fields: &[&str]) -> Row {
        Row {
            line,
            fields: fields.iter().map(|f| (*f).to_owned()).collect(),
        }
    }

    /// Value `index` as read, blank or not (DHIS2's `values[index]`).
    pub(crate) fn raw(&self, index: usize) -> Option<&str> {
        self.fields.get(index).map(String::as_str)
    }

    /// DHIS2's `getSafe(values, index, maxChars)`: `None` when the column is missing or blank,
    /// else the value cut to `max` UTF-16 units.
    pub(crate) fn get(&self, index: usize, max: Option<usize>) -> Option<String> {
        self.raw(index)
            .filter(|v| !is_blank(v))
            .map(|v| limit_length(v, max))
    }

    /// DHIS2's `getSafe(values, index, defaultValue, maxChars)`: the default (also cut to
    /// `max`) when the column is missing or blank.
    pub(crate) fn get_or(&self, index: usize, default: &str, max: Option<usize>) -> String {
        self.get(index, max)
            .unwrap_or_else(|| limit_length(default, max))
    }
}

/// Java's `StringUtils.isBlank`: empty, or only characters `Character.isWhitespace` accepts.
pub(crate) fn is_blank(text: &str) -> bool {
    text.chars().all(is_java_whitespace)
}

/// Java's `Character.isWhitespace`: the space separators but the no-break ones, the line and
/// paragraph separators, and the controls TAB, LF, VT, FF, CR and FS to US.
fn is_java_whitespace(c: char) -> bool {
    matches!(
        c,
        '\t' | '\n'
            | '\u{0B}'
            | '\u{0C}'
            | '\r'
            | '\u{1C}'..='\u{1F}'
            | ' '
            | '\u{1680}'
            | '\u{2000}'..='\u{2006}'
            | '\u{2008}'..='\u{200A}'
            | '\u{2028}'
            | '\u{2029}'
            | '\u{205F}'
            | '\u{3000}'
    )
}

/// `StringUtils.substring(text, 0, max)`: at most `max` UTF-16 units. A character that would
/// be cut in half (outside the Basic Multilingual Plane) is left out whole, where Java would
/// keep half a surrogate pair.
pub(crate) fn limit_length(text: &str, max: Option<usize>) -> String {
    let Some(max) = max else {
        return text.to_owned();
    };
    let mut units = 0;
    for (at, c) in text.char_indices() {
        units += c.len_utf16();
        if units > max {
            return text.get(..at).unwrap_or_default().to_owned();
        }
    }
    text.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(input: &str) -> Vec<(u64, Vec<String>)> {
        let mut records = Records::new(
            input.as_bytes(),
            ClassKey::DataElement,
            ReadLimits::default(),
        );
        let mut out = Vec::new();
        while let Ok(Some(row)) = records.next_row() {
            out.push((row.line, row.fields));
        }
        out
    }

    #[test]
    fn lines_are_those_of_each_records_first_character() {
        let lf = rows("a,b\n\n\nc\n\"multi\nline\",x\nlast");
        let lines: Vec<u64> = lf.iter().map(|r| r.0).collect();
        assert_eq!(lines, [1, 4, 5, 7]);
        let crlf = rows("a\r\nb\r\n\r\n\"q\r\nq\"\r\nz\r\n");
        let lines: Vec<u64> = crlf.iter().map(|r| r.0).collect();
        assert_eq!(lines, [1, 2, 4, 6]);
    }

    #[test]
    fn values_are_trimmed_of_spaces_and_tabs_and_decoded_lossily() {
        let r = rows(" a ,\tb\t, \"c\" \n\u{a0}x\n");
        assert_eq!(r[0].1, ["a", "b", "\"c\""]);
        assert_eq!(r[1].1, ["\u{a0}x"]);
        // Text after a closing quote is kept (javacsv drops it).
        assert_eq!(rows("\"c\"x,y\n")[0].1, ["cx", "y"]);
        let mut bad = Records::new(
            &b"caf\xe9,ok\n"[..],
            ClassKey::DataElement,
            ReadLimits::default(),
        );
        let row = bad.next_row().ok().flatten().map(|r| r.fields);
        assert_eq!(row, Some(vec!["caf\u{FFFD}".to_owned(), "ok".to_owned()]));
    }

    #[test]
    fn a_line_of_spaces_is_a_row_of_one_blank_value() {
        let r = rows("a\n   \nb\n");
        assert_eq!(r.len(), 3);
        assert_eq!(r[1].1, [""]);
    }

    #[test]
    fn bounds_name_the_record() {
        let limits = ReadLimits::default()
            .with_max_token_bytes(4)
            .with_max_record_bytes(10);
        let mut field = Records::new(&b"ok\nabcdef\n"[..], ClassKey::Category, limits);
        assert!(matches!(field.next_row(), Ok(Some(_))));
        let err = field.next_row().err();
        assert!(
            matches!(
                err,
                Some(CsvError::FieldTooLong {
                    line: 2,
                    column: 1,
                    limit: 4,
                    ..
                })
            ),
            "{err:?}"
        );
        let mut record = Records::new(&b"a,b,c,d,e,f,g\n"[..], ClassKey::Category, limits);
        assert!(matches!(
            record.next_row(),
            Err(CsvError::RecordTooLong { line: 1, .. })
        ));
        // A line without end far past the bound stops the read before it is held.
        let endless = std::io::repeat(b'x').take(1 << 24);
        let mut big = Records::new(endless, ClassKey::Category, limits);
        assert!(matches!(
            big.next_row(),
            Err(CsvError::RecordTooLong { .. })
        ));
    }

    #[test]
    fn get_safe_treats_blank_as_missing_and_cuts_to_utf16_units() {
        let row = Row::of(1, &["name", "", " \u{2003}", "abcdef", "a😀b"]);
        assert_eq!(row.get(0, None).as_deref(), Some("name"));
        assert_eq!(row.get(1, None), None);
        assert_eq!(row.get(2, None), None);
        assert_eq!(row.get(9, None), None);
        assert_eq!(row.get(3, Some(4)).as_deref(), Some("abcd"));
        assert_eq!(row.get(4, Some(2)).as_deref(), Some("a"));
        assert_eq!(row.get(4, Some(3)).as_deref(), Some("a😀"));
        assert_eq!(row.get_or(1, "aggregate", Some(3)), "agg");
        assert_eq!(row.raw(1), Some(""));
    }

    #[test]
    fn java_whitespace_excludes_no_break_spaces() {
        assert!(is_blank(""));
        assert!(is_blank(" \t\r\n\u{1F}\u{2028}\u{3000}"));
        assert!(!is_blank("\u{a0}"));
        assert!(!is_blank("\u{2007}"));
        assert!(!is_blank("\u{202F}"));
        assert!(!is_blank("\u{85}"));
    }
}
