//! The decoded values of a 2.43+ import, kept until their group is validated: interned
//! identifiers, one text arena and the value's place in the source (about 60 bytes per value
//! plus its value and comment text).

use dxf2_model::{Period, TextPosition, Uid};
use rustc_hash::FxHashMap;

use super::decode::Stop;
use crate::Failure;

/// "No identifier" in an interned slot (absent category or attribute option combo).
pub(super) const NONE: u32 = u32::MAX;

/// Distinct UIDs, each with a small number.
#[derive(Default)]
pub(super) struct Interner {
    pub(super) uids: Vec<Uid>,
    pub(super) numbers: FxHashMap<Uid, u32>,
}

impl Interner {
    pub(super) fn intern(&mut self, uid: Uid) -> Result<u32, Stop> {
        if let Some(&n) = self.numbers.get(&uid) {
            return Ok(n);
        }
        let n = u32::try_from(self.uids.len())
            .ok()
            .filter(|n| *n != NONE)
            .ok_or_else(|| {
                Stop::Fail(Failure::rule("too many distinct identifiers in one import"))
            })?;
        self.uids.push(uid);
        self.numbers.insert(uid, n);
        Ok(n)
    }

    pub(super) fn uid(&self, n: u32) -> Option<Uid> {
        if n == NONE {
            return None;
        }
        self.uids.get(n as usize).copied()
    }
}

/// A text in the arena; `start == usize::MAX` means absent.
#[derive(Clone, Copy, Debug)]
pub(super) struct Span {
    pub(super) start: usize,
    pub(super) end: usize,
}

impl Span {
    pub(super) const ABSENT: Span = Span {
        start: usize::MAX,
        end: 0,
    };
}

/// Where a value starts in the source, in 8 bytes: line and column (1-based), `0` for unknown;
/// a line or column past `u32::MAX` is kept as `u32::MAX`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(super) struct Spot {
    line: u32,
    column: u32,
}

impl Spot {
    pub(super) fn new(position: Option<TextPosition>) -> Spot {
        let small = |n: u64| u32::try_from(n).unwrap_or(u32::MAX);
        match position {
            Some(p) => Spot {
                line: small(p.line),
                column: small(p.column),
            },
            None => Spot::default(),
        }
    }

    pub(super) fn position(self) -> Option<TextPosition> {
        (self.line > 0).then_some(TextPosition {
            line: u64::from(self.line),
            column: u64::from(self.column),
        })
    }
}

/// One decoded value: interned identifiers, texts in the arena.
#[derive(Clone, Copy, Debug)]
pub(super) struct Entry {
    pub(super) de: u32,
    pub(super) ou: u32,
    pub(super) coc: u32,
    pub(super) aoc: u32,
    pub(super) period: Period,
    pub(super) value: Span,
    pub(super) comment: Span,
    pub(super) followup: Option<bool>,
    pub(super) deleted: Option<bool>,
    /// Where the value starts in the source (for the notes on values in conflicts).
    pub(super) spot: Spot,
}

/// Every decoded value of the import, in payload order (the position is the value's index).
#[derive(Default)]
pub(super) struct Values {
    pub(super) entries: Vec<Entry>,
    pub(super) text: String,
    pub(super) ids: Interner,
}

impl Values {
    pub(super) fn push_text(&mut self, text: Option<&str>) -> Span {
        match text {
            Some(t) => {
                let start = self.text.len();
                self.text.push_str(t);
                Span {
                    start,
                    end: self.text.len(),
                }
            }
            None => Span::ABSENT,
        }
    }

    pub(super) fn text(&self, span: Span) -> Option<&str> {
        if span.start == usize::MAX {
            return None;
        }
        self.text.get(span.start..span.end)
    }

    pub(super) fn entry(&self, position: u32) -> Option<&Entry> {
        self.entries.get(position as usize)
    }

    pub(super) fn uid(&self, n: u32) -> Option<Uid> {
        self.ids.uid(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spots_keep_positions_in_eight_bytes() {
        assert_eq!(std::mem::size_of::<Spot>(), 8);
        let p = TextPosition { line: 7, column: 3 };
        assert_eq!(Spot::new(Some(p)).position(), Some(p));
        assert_eq!(Spot::new(None).position(), None);
        let far = TextPosition {
            line: u64::MAX,
            column: 1,
        };
        assert_eq!(
            Spot::new(Some(far)).position(),
            Some(TextPosition {
                line: u64::from(u32::MAX),
                column: 1
            })
        );
    }
}
