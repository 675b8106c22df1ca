//! Counting the features of one phase of an import and reporting them as
//! [`Progress`](dxf2_model::Progress) events: one when the phase starts (`done` 0), one every
//! [`EVERY`] features, and [`Progress::finished`] at its end.

use dxf2_model::{Phase, Progress};

/// Features between two progress events.
pub(crate) const EVERY: u64 = 1_000;

/// The features of one phase done so far.
pub(crate) struct Counter {
    phase: Phase,
    done: u64,
}

impl Counter {
    /// Starts `phase`: reports it with nothing done.
    pub(crate) fn start(phase: Phase, progress: &mut dyn FnMut(Progress)) -> Counter {
        progress(Progress::new(phase, 0));
        Counter { phase, done: 0 }
    }

    /// One more feature done; reports every [`EVERY`].
    pub(crate) fn tick(&mut self, progress: &mut dyn FnMut(Progress)) {
        self.done += 1;
        if self.done.is_multiple_of(EVERY) {
            progress(Progress::new(self.phase, self.done));
        }
    }

    /// The features done so far.
    pub(crate) fn done(&self) -> u64 {
        self.done
    }

    /// Ends the phase with `total` features done (at least as many as counted).
    pub(crate) fn finish(self, total: u64, progress: &mut dyn FnMut(Progress)) {
        progress(Progress::finished(self.phase, total.max(self.done)));
    }
}

/// A callback that ignores every event (the functions without progress).
pub(crate) fn ignore(_: Progress) {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports_the_start_every_thousand_and_the_end() {
        let mut seen = Vec::new();
        let mut progress = |p: Progress| seen.push(p);
        let mut counter = Counter::start(Phase::Read, &mut progress);
        for _ in 0..2_500 {
            counter.tick(&mut progress);
        }
        assert_eq!(counter.done(), 2_500);
        counter.finish(2_500, &mut progress);
        assert_eq!(
            seen,
            [
                Progress::new(Phase::Read, 0),
                Progress::new(Phase::Read, 1_000),
                Progress::new(Phase::Read, 2_000),
                Progress::finished(Phase::Read, 2_500),
            ]
        );
    }

    #[test]
    fn the_end_never_goes_below_what_was_counted() {
        let mut seen = Vec::new();
        let mut progress = |p: Progress| seen.push(p);
        let mut counter = Counter::start(Phase::Check, &mut progress);
        counter.tick(&mut progress);
        counter.tick(&mut progress);
        counter.finish(1, &mut progress);
        assert_eq!(seen.last(), Some(&Progress::finished(Phase::Check, 2)));
    }
}
