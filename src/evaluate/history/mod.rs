//! Readiness over time, from git: the portfolio evaluated on each of the last
//! `history_days` days (FORMAT.md, "History").
//!
//! On day D the portfolio is the tree of the last commit on `HEAD`'s
//! first-parent line committed (UTC) on or before D, judged as of D, so that
//! evidence goes stale and waivers lapse on days without commits. Each
//! commit's files are read from git objects (never the work tree) and go
//! through the build's own validation and evaluation (`snapshot`,
//! [`days`]); a workload folder is validated once per version (by tree id)
//! and a workload decided again only on a day that can change its decision.
//! `changes` turns the days into what changed, for the site and the feed.

pub(crate) mod changes;
pub mod days;
pub(crate) mod snapshot;

use crate::core::date::Date;
use crate::core::diagnostics::{Code, Diagnostic};
use crate::evaluate::Decision;
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::Path;

/// What a build knows of the portfolio's past.
#[derive(Debug, Clone, Default)]
pub enum Outcome {
    /// `history_days: 0`, or a run that does not read history (check, serve).
    #[default]
    Off,
    /// History cannot be read; the sentence says why (the site shows it in one line).
    Unavailable(String),
    /// The days and changes read from git.
    Ready(History),
}

impl Outcome {
    /// The history, when there is one to show.
    pub fn history(&self) -> Option<&History> {
        match self {
            Outcome::Ready(h) => Some(h),
            _ => None,
        }
    }
}

/// Workloads by decision.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    /// Workloads whose traffic has moved.
    pub promoted: usize,
    /// Workloads that may be promoted.
    pub ready: usize,
    /// Workloads held back by at least one reason.
    pub blocked: usize,
}

impl Counts {
    /// Counts one more workload with decision `d`.
    pub fn add(&mut self, d: Decision) {
        match d {
            Decision::Promoted => self.promoted += 1,
            Decision::Ready => self.ready += 1,
            Decision::Blocked => self.blocked += 1,
        }
    }

    /// How many workloads were counted, whatever their decision.
    pub fn total(&self) -> usize {
        self.promoted + self.ready + self.blocked
    }
}

/// The portfolio on one day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Day {
    /// The day, as of which the commit was evaluated.
    pub date: Date,
    /// The commit evaluated that day (full hex).
    pub commit: String,
    /// The portfolio's workloads by decision that day.
    #[serde(flatten)]
    pub counts: Counts,
    /// Each release that site.yaml defined that day.
    pub releases: BTreeMap<String, Counts>,
}

/// A workload whose decision differs from one day to the next.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    /// The day the decision changed.
    pub date: Date,
    /// The commit evaluated that day.
    pub commit: String,
    /// The e-mail of that commit's author when the commit brought the change;
    /// null when time alone did (evidence went stale, a waiver lapsed).
    pub author: Option<String>,
    /// The workload's id (its folder name).
    pub workload: String,
    /// null: the workload appeared that day.
    pub from: Option<Decision>,
    /// null: the workload went that day (removed or renamed).
    pub to: Option<Decision>,
    /// Not in history.json: the workload's name that day (or its id), and
    /// the commit's author name and subject, for the site and the feed.
    #[serde(skip)]
    pub name: String,
    /// The commit author's name, when the commit brought the change.
    #[serde(skip)]
    pub author_name: Option<String>,
    /// The commit's subject line, when the commit brought the change.
    #[serde(skip)]
    pub subject: Option<String>,
}

/// What history.json holds.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct History {
    /// Consecutive, oldest first.
    pub days: Vec<Day>,
    /// Oldest first; within a day, by workload id.
    pub changes: Vec<Change>,
}

impl History {
    /// history.json, pretty-printed like readiness.json.
    pub fn to_json(&self) -> Vec<u8> {
        let mut out = serde_json::to_vec_pretty(self).unwrap_or_default();
        out.push(b'\n');
        out
    }
}

/// The sentence a site shows outside a git work tree.
pub(crate) const NEEDS_GIT: &str =
    "History needs git: the site root is not inside a git work tree, so readiness over time is not shown.";
/// The sentence a site shows in a shallow clone.
pub(crate) const NEEDS_FULL_HISTORY: &str =
    "History needs the full git history: this clone is shallow, so readiness over time is not shown.";

/// Reads the history of the site under `root` for the `days` days ending on
/// `as_of` (`days` 0: off). Problems with git never fail the build: they
/// become a sentence on the site, and a warning where the user can act.
/// `at` is where `history_days` is written in site.yaml (line, column).
/// `known`: the work tree's files by blob id (see `snapshot::Known`).
pub(crate) fn compute(
    root: &Path,
    as_of: Date,
    (days, at): (u32, (u32, u32)),
    known: &snapshot::Known,
    diags: &mut Vec<Diagnostic>,
) -> Outcome {
    if days == 0 {
        return Outcome::Off;
    }
    let repo = match crate::load::git::discover(root) {
        Ok(Some(repo)) => repo,
        Ok(None) => return Outcome::Unavailable(NEEDS_GIT.into()),
        Err(e) => return unreadable(&e, at, diags),
    };
    if repo.is_shallow() {
        diags.push(
            Diagnostic::new(
                Code::W0011,
                "content/site.yaml",
                at.0,
                at.1,
                "this clone is shallow: history needs the full git history, so the site shows none",
            )
            .with_help(
                "fetch the whole history (`git fetch --unshallow`; in CI, a full checkout such as `fetch-depth: 0`), \
                 or set `history_days: 0`",
            ),
        );
        return Outcome::Unavailable(NEEDS_FULL_HISTORY.into());
    }
    match days::walk_knowing(&repo, root, as_of, days, known) {
        Ok(h) => Outcome::Ready(h),
        Err(e) => unreadable(&e, at, diags),
    }
}

fn unreadable(e: &crate::load::git::GitError, at: (u32, u32), diags: &mut Vec<Diagnostic>) -> Outcome {
    diags.push(
        Diagnostic::new(Code::W0008, "content/site.yaml", at.0, at.1, format!("the git history cannot be read: {e}"))
            .with_help("repair the repository (`git fsck` tells what is wrong), build from a fresh clone, or set `history_days: 0`"),
    );
    Outcome::Unavailable(format!("History could not be read from git ({e}), so readiness over time is not shown."))
}
