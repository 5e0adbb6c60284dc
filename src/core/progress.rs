//! How far a run has got, for whoever is watching: counters that the stages
//! bump and another thread may read at any time, plus each stage's duration.
//!
//! The library never draws anything: the binary turns these into a progress
//! bar on a terminal and into `--verbose` timings, and stays silent otherwise.

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// The pipeline's stages, in order (the crate documentation in src/lib.rs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Reading content/ from disk.
    Load,
    /// Checking every file against the schema and building the model.
    Validate,
    /// Reading git history for who committed each sign-off.
    Provenance,
    /// Deciding each workload as of the date.
    Evaluate,
    /// Evaluating the portfolio of each past day, from git.
    History,
    /// Turning the assessment into pages and files in memory.
    Render,
    /// Writing the site and swapping it into place.
    Write,
}

impl Stage {
    /// Every stage, in the order a build runs them.
    pub(crate) const ALL: [Stage; 7] =
        [Stage::Load, Stage::Validate, Stage::Provenance, Stage::Evaluate, Stage::History, Stage::Render, Stage::Write];

    /// The stage's name in `--verbose` timings.
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Load => "load",
            Stage::Validate => "validate",
            Stage::Provenance => "provenance",
            Stage::Evaluate => "evaluate",
            Stage::History => "history",
            Stage::Render => "render",
            Stage::Write => "write",
        }
    }
}

/// Counters for one run. All methods take `&self`, so one value can be shared with a watcher.
#[derive(Debug, Default)]
pub struct Progress {
    /// 0 before the first stage, else the running stage's index + 1.
    stage: AtomicUsize,
    /// Files read from content/ (known once loading is done).
    pub files_read: AtomicUsize,
    /// Files the site will have (known once rendering is done).
    pub pages_total: AtomicUsize,
    /// Files written so far.
    pub pages_written: AtomicUsize,
    timings: Mutex<Vec<(Stage, Duration)>>,
    /// Things the user should know that are not about the portfolio (a
    /// previous site that could not be removed); the binary prints them.
    warnings: Mutex<Vec<String>>,
}

impl Progress {
    /// Counters at zero, before any stage.
    pub fn new() -> Progress {
        Progress::default()
    }

    /// The stage running now, if any.
    pub fn stage(&self) -> Option<Stage> {
        Stage::ALL.get(self.stage.load(Ordering::Relaxed).checked_sub(1)?).copied()
    }

    /// Runs `f` as `stage`, recording how long it took.
    pub fn time<T>(&self, stage: Stage, f: impl FnOnce() -> T) -> T {
        let index = Stage::ALL.iter().position(|s| *s == stage).unwrap_or(0);
        self.stage.store(index + 1, Ordering::Relaxed);
        let start = Instant::now();
        let out = f();
        if let Ok(mut t) = self.timings.lock() {
            t.push((stage, start.elapsed()));
        }
        out
    }

    /// Each stage that ran, with its duration, in the order they ran.
    pub fn timings(&self) -> Vec<(Stage, Duration)> {
        self.timings.lock().map(|t| t.clone()).unwrap_or_default()
    }

    /// Records a warning for whoever runs the build (see [`Progress::warnings`]).
    pub fn warn(&self, text: String) {
        if let Ok(mut w) = self.warnings.lock() {
            w.push(text);
        }
    }

    /// The warnings recorded so far, in order.
    pub fn warnings(&self) -> Vec<String> {
        self.warnings.lock().map(|w| w.clone()).unwrap_or_default()
    }

    /// Reads one of the counters, for a watcher on another thread.
    pub fn count(counter: &AtomicUsize) -> usize {
        counter.load(Ordering::Relaxed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stages_are_timed_in_order() {
        let p = Progress::new();
        assert_eq!(p.stage(), None);
        let x = p.time(Stage::Load, || {
            assert_eq!(p.stage(), Some(Stage::Load));
            7
        });
        p.time(Stage::Validate, || ());
        assert_eq!(x, 7);
        let names: Vec<&str> = p.timings().iter().map(|(s, _)| s.as_str()).collect();
        assert_eq!(names, ["load", "validate"]);
    }
}
