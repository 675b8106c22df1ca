//! [`Progress`]: what every importer of the workspace reports while it runs (data values,
//! metadata, geometry, tracker), so that a host shows one kind of progress for all of them.
//!
//! An importer calls the host's `FnMut(Progress)` now and then — every so many items, at each
//! change of [`Phase`], and once at the end of each phase with [`Progress::total`] set — never
//! per item on a hot path. What an item is depends on the importer: a data value, a metadata
//! object, a geometry feature, a tracker object.
//!
//! ```
//! use dxf2_model::{Phase, Progress};
//!
//! let mut seen = Vec::new();
//! let mut progress = |p: Progress| seen.push((p.phase.name(), p.done, p.total));
//! progress(Progress::new(Phase::Check, 1_000));
//! progress(Progress::finished(Phase::Check, 1_234));
//! assert_eq!(seen, [("check", 1_000, None), ("check", 1_234, Some(1_234))]);
//! ```

/// What an importer is doing.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Phase {
    /// Reading the input (parsing it into objects).
    Read,
    /// Checking what was read against the metadata and the store.
    Check,
    /// Writing the result to the store.
    Write,
    /// Reading, checking and writing at once, item by item (the data value importers, which
    /// stream).
    Import,
}

impl Phase {
    /// `read`, `check`, `write`, `import`.
    pub fn name(self) -> &'static str {
        match self {
            Phase::Read => "read",
            Phase::Check => "check",
            Phase::Write => "write",
            Phase::Import => "import",
        }
    }
}

/// A progress event of a running import; see the module docs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Progress {
    /// The phase.
    pub phase: Phase,
    /// Items done so far in this phase.
    pub done: u64,
    /// Items in this phase, when known (always in the last event of a phase).
    pub total: Option<u64>,
}

impl Progress {
    /// `done` items of `phase` so far, the total not known.
    pub fn new(phase: Phase, done: u64) -> Progress {
        Progress {
            phase,
            done,
            total: None,
        }
    }

    /// The end of `phase`: `done` items, all there were.
    pub fn finished(phase: Phase, done: u64) -> Progress {
        Progress {
            phase,
            done,
            total: Some(done),
        }
    }
}
