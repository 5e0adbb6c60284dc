//! What changed from one day to the next, and the views of it that the
//! site and the feed show: the last days' changes, one workload's story.

use super::{Change, History};
use crate::core::date::Date;
use crate::evaluate::Decision;
use crate::load::git::LineCommit;
use std::collections::BTreeMap;

/// The workloads whose decision differs between `before` and `after` (the
/// decisions of the day before and of `date`), by id. `by_commit` says
/// whether the day's commit brought a change (else time alone did); a
/// workload that appears or goes always came with a commit.
pub fn between(
    before: &BTreeMap<String, Decision>,
    after: &BTreeMap<String, Decision>,
    date: Date,
    commit: &LineCommit,
    by_commit: &dyn Fn(&str) -> bool,
    name: &dyn Fn(&str) -> String,
) -> Vec<Change> {
    let ids: std::collections::BTreeSet<&String> = before.keys().chain(after.keys()).collect();
    ids.into_iter()
        .filter_map(|id| {
            let (from, to) = (before.get(id).copied(), after.get(id).copied());
            if from == to {
                return None;
            }
            let committed = from.is_none() || to.is_none() || by_commit(id);
            Some(Change {
                date,
                commit: commit.id.clone(),
                author: committed.then(|| commit.author_email.clone()),
                workload: id.clone(),
                from,
                to,
                name: name(id),
                author_name: committed.then(|| commit.author_name.clone()),
                subject: committed.then(|| commit.subject.clone()),
            })
        })
        .collect()
}

impl History {
    /// The changes of the `days` days that end on `as_of`, newest first.
    pub fn recent(&self, as_of: Date, days: i64) -> Vec<&Change> {
        let from = as_of.add_days(-(days - 1));
        self.changes.iter().rev().filter(|c| c.date >= from && c.date <= as_of).collect()
    }

    /// One workload's changes, oldest first.
    pub fn of(&self, workload: &str) -> Vec<&Change> {
        self.changes.iter().filter(|c| c.workload == workload).collect()
    }
}

impl Change {
    /// "ready to blocked", "appeared as ready", "removed (was promoted)".
    pub fn describe(&self) -> String {
        match (self.from, self.to) {
            (Some(f), Some(t)) => format!("{} to {}", f.as_str(), t.as_str()),
            (None, Some(t)) => format!("appeared as {}", t.as_str()),
            (Some(f), None) => format!("removed or renamed (was {})", f.as_str()),
            (None, None) => "unchanged".into(),
        }
    }

    /// Who or what brought it: the commit's author, or the passing of time.
    pub fn cause(&self) -> String {
        match (&self.author_name, &self.author) {
            (Some(n), Some(e)) if !n.is_empty() => format!("{n} <{e}>"),
            (_, Some(e)) => e.clone(),
            _ => "time (no commit changed it)".into(),
        }
    }

    /// The commit id as people quote it (7 digits).
    pub fn short_commit(&self) -> &str {
        self.commit.get(..7).unwrap_or(&self.commit)
    }
}
