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

/// Items between two events of a [`PhaseCounter`].
pub const EVERY: u64 = 1_000;

/// Counts the items of one phase of an import and reports them: an event when the phase starts
/// (`done` 0), one every [`EVERY`] items, and [`Progress::finished`] at its end — what every
/// importer of the workspace sends.
///
/// ```
/// use dxf2_model::progress::PhaseCounter;
/// use dxf2_model::{Phase, Progress};
///
/// let mut seen = Vec::new();
/// let mut progress = |p: Progress| seen.push((p.done, p.total));
/// let mut counter = PhaseCounter::start(Phase::Check, &mut progress);
/// for _ in 0..2_500 {
///     counter.tick(&mut progress);
/// }
/// counter.finish(2_500, &mut progress);
/// assert_eq!(seen, [(0, None), (1_000, None), (2_000, None), (2_500, Some(2_500))]);
/// ```
#[derive(Debug)]
pub struct PhaseCounter {
    phase: Phase,
    done: u64,
}

impl PhaseCounter {
    /// Starts `phase`: reports it with nothing done.
    pub fn start(phase: Phase, progress: &mut dyn FnMut(Progress)) -> PhaseCounter {
        progress(Progress::new(phase, 0));
        PhaseCounter { phase, done: 0 }
    }

    /// One more item done; reports every [`EVERY`].
    #[inline]
    pub fn tick(&mut self, progress: &mut dyn FnMut(Progress)) {
        self.done += 1;
        if self.done.is_multiple_of(EVERY) {
            progress(Progress::new(self.phase, self.done));
        }
    }

    /// The items done so far.
    pub fn done(&self) -> u64 {
        self.done
    }

    /// Ends the phase with `total` items done (at least as many as counted).
    pub fn finish(self, total: u64, progress: &mut dyn FnMut(Progress)) {
        progress(Progress::finished(self.phase, total.max(self.done)));
    }
}

/// A progress callback that ignores every event (for the functions without progress).
pub fn ignore(_: Progress) {}
