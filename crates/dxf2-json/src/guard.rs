//! A JSON-aware filter in front of `serde_json`, for the readers built on it (import summaries,
//! metadata): it watches the bytes go by and stops the input at the first string or number
//! longer than the token limit, at nesting deeper than [`MAX_DEPTH`], and (when asked) at a
//! `\u0000` escape, so that `serde_json` never buffers more than one bounded token.
//!
//! It does not check JSON's grammar (`serde_json` does); it only tracks whether a byte is in a
//! string, in a number or between tokens, and the line and column (in characters) of each
//! token's start.

use std::io::{self, Read};

use dxf2_model::ReadLimits;

use crate::tokenizer::MAX_DEPTH;

/// Why the guard stopped the input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum GuardStop {
    /// A string or number longer than `limit` bytes (as written) starts at `line`, `column`.
    TooLong {
        what: &'static str,
        limit: usize,
        line: u64,
        column: u64,
    },
    /// A `\u0000` escape at `line`, `column`.
    Nul { line: u64, column: u64 },
    /// An object or array deeper than `limit` levels opens at `line`, `column`.
    TooDeep {
        limit: usize,
        line: u64,
        column: u64,
    },
}

/// Where the guard is in the JSON text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    /// Between tokens (or in a literal).
    Outside,
    /// In a string.
    String,
    /// After a backslash in a string.
    Escape,
    /// After `\u` and this many hex digits, all zero so far when `zero`.
    Unicode { digits: u8, zero: bool },
    /// In a number.
    Number,
}

/// The filter: a [`Read`] that passes its input's bytes through unchanged until a limit is
/// exceeded, then fails with an I/O error and keeps the reason ([`TokenGuard::stop`]).
pub(crate) struct TokenGuard<R> {
    inner: R,
    max_token: usize,
    refuse_nul: bool,
    state: State,
    /// Bytes of the current string or number so far.
    token_len: usize,
    /// Where the current token (or escape) started.
    token_line: u64,
    token_column: u64,
    /// Open objects and arrays.
    depth: usize,
    /// The position of the next byte.
    line: u64,
    column: u64,
    stop: Option<GuardStop>,
}

impl<R: Read> TokenGuard<R> {
    /// A guard with `limits.max_token_bytes`; `refuse_nul` stops at `\u0000` in any string.
    pub(crate) fn new(inner: R, limits: ReadLimits, refuse_nul: bool) -> TokenGuard<R> {
        TokenGuard {
            inner,
            max_token: limits.max_token_bytes,
            refuse_nul,
            state: State::Outside,
            token_len: 0,
            token_line: 1,
            token_column: 1,
            depth: 0,
            line: 1,
            column: 1,
            stop: None,
        }
    }

    /// Why the input was stopped, if it was.
    pub(crate) fn stop(&self) -> Option<GuardStop> {
        self.stop
    }

    fn start_token(&mut self) {
        self.token_len = 0;
        self.token_line = self.line;
        self.token_column = self.column;
    }

    /// Counts one byte of the current token; `false` (and the reason kept) when too long.
    fn grow(&mut self, what: &'static str) -> bool {
        self.token_len = self.token_len.saturating_add(1);
        if self.token_len > self.max_token {
            self.stop = Some(GuardStop::TooLong {
                what,
                limit: self.max_token,
                line: self.token_line,
                column: self.token_column,
            });
            return false;
        }
        true
    }

    /// A byte between tokens; `false` when a limit is exceeded.
    fn outside(&mut self, b: u8) -> bool {
        match b {
            b'"' => {
                self.start_token();
                self.state = State::String;
                true
            }
            b'-' | b'0'..=b'9' => {
                self.start_token();
                self.state = State::Number;
                self.grow("a number")
            }
            b'[' | b'{' => {
                self.depth += 1;
                if self.depth > MAX_DEPTH {
                    self.stop = Some(GuardStop::TooDeep {
                        limit: MAX_DEPTH,
                        line: self.line,
                        column: self.column,
                    });
                    return false;
                }
                true
            }
            b']' | b'}' => {
                self.depth = self.depth.saturating_sub(1);
                true
            }
            _ => true,
        }
    }

    /// Moves the state machine past one byte; `false` when a limit is exceeded.
    fn step(&mut self, b: u8) -> bool {
        let ok = match self.state {
            State::Outside => self.outside(b),
            State::Number => match b {
                b'0'..=b'9' | b'.' | b'e' | b'E' | b'+' | b'-' => self.grow("a number"),
                _ => {
                    self.state = State::Outside;
                    self.outside(b)
                }
            },
            State::String => match b {
                b'"' => {
                    self.state = State::Outside;
                    true
                }
                b'\\' => {
                    self.state = State::Escape;
                    self.grow("a string")
                }
                _ => self.grow("a string"),
            },
            State::Escape => {
                self.state = if b == b'u' {
                    State::Unicode {
                        digits: 0,
                        zero: true,
                    }
                } else {
                    State::String
                };
                self.grow("a string")
            }
            State::Unicode { digits, zero } => {
                if b.is_ascii_hexdigit() {
                    let zero = zero && b == b'0';
                    let digits = digits + 1;
                    if digits == 4 {
                        self.state = State::String;
                        if zero && self.refuse_nul {
                            // The escape started 5 characters back (`\u000`).
                            self.stop = Some(GuardStop::Nul {
                                line: self.line,
                                column: self.column.saturating_sub(5),
                            });
                            return false;
                        }
                    } else {
                        self.state = State::Unicode { digits, zero };
                    }
                } else {
                    // Not an escape `serde_json` accepts: it reports the error.
                    self.state = State::String;
                }
                self.grow("a string")
            }
        };
        if b == b'\n' {
            self.line += 1;
            self.column = 1;
        } else if (b & 0xC0) != 0x80 {
            self.column += 1;
        }
        ok
    }
}

impl<R: Read> Read for TokenGuard<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.stop.is_some() {
            return Err(stopped());
        }
        let n = self.inner.read(buf)?;
        for &b in buf.get(..n).unwrap_or_default() {
            if !self.step(b) {
                return Err(stopped());
            }
        }
        Ok(n)
    }
}

/// The I/O error the guard hands `serde_json` (the caller reports [`TokenGuard::stop`]).
fn stopped() -> io::Error {
    io::Error::other("the input exceeds a reader limit")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(input: &str, limits: ReadLimits, refuse_nul: bool) -> Option<GuardStop> {
        let mut guard = TokenGuard::new(input.as_bytes(), limits, refuse_nul);
        let mut out = Vec::new();
        let result = guard.read_to_end(&mut out);
        assert_eq!(result.is_err(), guard.stop().is_some());
        if result.is_ok() {
            assert_eq!(out, input.as_bytes());
        }
        guard.stop()
    }

    #[test]
    fn passes_what_fits() {
        // Strings count as written (`a\"b\\` is 6 bytes).
        let limits = ReadLimits::default().with_max_token_bytes(6);
        assert_eq!(
            run(r#"{"abcde":[12345,-1.5,"a\"b\\"],"x":true}"#, limits, true),
            None
        );
        assert_eq!(
            run(r#"["\u0001\u1000"]"#, ReadLimits::default(), true),
            None
        );
        assert_eq!(run(r#"["\u0000"]"#, limits, false), None);
    }

    #[test]
    fn stops_long_tokens_where_they_start() {
        let limits = ReadLimits::default().with_max_token_bytes(5);
        assert_eq!(
            run("{\n \"é\": \"abcdef\"}", limits, false),
            Some(GuardStop::TooLong {
                what: "a string",
                limit: 5,
                line: 2,
                column: 7
            })
        );
        assert_eq!(
            run("[1, 123456]", limits, false),
            Some(GuardStop::TooLong {
                what: "a number",
                limit: 5,
                line: 1,
                column: 5
            })
        );
    }

    #[test]
    fn stops_nul_and_depth() {
        assert_eq!(
            run(r#"{"a": "x\u0000"}"#, ReadLimits::default(), true),
            Some(GuardStop::Nul { line: 1, column: 9 })
        );
        let deep = "[".repeat(MAX_DEPTH + 1);
        assert!(matches!(
            run(&deep, ReadLimits::default(), false),
            Some(GuardStop::TooDeep { .. })
        ));
        let fine = format!("{}{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
        assert_eq!(run(&fine, ReadLimits::default(), false), None);
    }
}
