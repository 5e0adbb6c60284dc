//! The day-by-day walk: which commit stands for each day, the portfolio of
//! that commit kept up to date folder by folder, and each day's decisions.
//!
//! Two things make 365 days cost little more than one build:
//! - a workload folder is read and validated only when its tree changes
//!   (site.yaml, the checklist or the set of pages changing means all of them,
//!   as in `serve`), so a file version is parsed once however many days hold it;
//! - a workload is decided again only on a day that can change its decision:
//!   its folder changed, a day came on which a rule compares one of its
//!   dates with the as-of date ([`boundaries`]), or a dependency's decision
//!   changed. Every other decision is the day before's. The test
//!   `incremental_days_match_full_evaluation` holds this to a full evaluation
//!   of every day.

use super::changes;
use super::snapshot::{self, Content};
use super::{Counts, Day, History};
use crate::core::checklist::Checklist;
use crate::core::date::Date;
use crate::core::diagnostics::{Diagnostic, Severity};
use crate::core::model::{FieldValue, Portfolio, Workload, WorkloadId};
use crate::evaluate::{Decision, decide_one};
use crate::load::git::{GitError, LineCommit, Repo, TreeId};
use crate::validate::Validator;
use rayon::prelude::*;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;

/// Walks the `days` days that end on `as_of`.
pub fn walk(repo: &Repo, root: &Path, as_of: Date, days: u32) -> Result<History, GitError> {
    walk_knowing(repo, root, as_of, days, &snapshot::Known::new())
}

/// [`walk`], reading the work tree's copy of the files in `known` instead of
/// decompressing their blobs.
pub(crate) fn walk_knowing(
    repo: &Repo,
    root: &Path,
    as_of: Date,
    days: u32,
    known: &snapshot::Known,
) -> Result<History, GitError> {
    let line = repo.first_parent_line()?;
    let plan = plan(&line, as_of, days);
    let mut state = State::new(repo, root, known);
    let mut out = History::default();
    // Decisions by workload number (see `Table`): the day before's, and the day's.
    let mut previous: Option<(Date, Vec<Option<Decision>>)> = None;
    let mut current: Option<usize> = None;
    let mut changed = Changed::default();
    for (date, c) in plan {
        let commit = &line[c];
        if current != Some(c) {
            current = Some(c);
            changed = state.apply(&commit.tree)?;
        } else {
            changed = Changed { all: false, ..changed };
            changed.caused.iter_mut().for_each(|c| *c = false);
        }
        let (decisions, by_commit) = state.decide(date, previous.as_ref(), &changed);
        let t = &state.table;
        let mut counts = Counts::default();
        let mut releases: Vec<Counts> = vec![Counts::default(); t.releases.len()];
        for (n, d) in decisions.iter().enumerate() {
            let Some(d) = *d else { continue };
            counts.add(d);
            if let Some(r) = t.release.get(n).copied().flatten() {
                releases[r as usize].add(d);
            }
        }
        if let Some((_, before)) = &previous {
            out.changes.extend(t.changes(before, &decisions, &by_commit, date, commit));
        }
        let releases = t.releases.iter().cloned().zip(releases).collect();
        out.days.push(Day { date, commit: commit.id.clone(), counts, releases });
        previous = Some((date, decisions));
    }
    Ok(out)
}

/// The same days, the slow way: each day's commit read whole, validated
/// whole and evaluated whole. Kept as the definition that [`walk`] is held
/// to by the tests; `changes` name no author. A commit that stands for
/// several days is read and validated once, since validation does not look
/// at the date; it is evaluated whole on each of them.
pub fn walk_full(repo: &Repo, root: &Path, as_of: Date, days: u32) -> Result<History, GitError> {
    let line = repo.first_parent_line()?;
    let mut reader = repo.reader();
    let mut out = History::default();
    let mut previous: Option<BTreeMap<String, Decision>> = None;
    // The commit validated last (by its place in `line`), kept while it stands for the day.
    let mut validated: Option<(usize, Content, Portfolio, Vec<Diagnostic>)> = None;
    for (date, c) in plan(&line, as_of, days) {
        let kept = match validated.take() {
            Some(v) if v.0 == c => v,
            _ => {
                let content = Content::at(&mut reader, line[c].tree)?.unwrap_or_default();
                let sources = content.sources(&mut reader, root)?;
                let (mut portfolio, diags) = crate::validate::validate(&sources);
                portfolio.site.signoff_provenance = crate::core::model::ProvenancePolicy::None;
                (c, content, portfolio, diags)
            }
        };
        let (_, content, portfolio, diags) = validated.insert(kept);
        let assessment = crate::evaluate::evaluate(portfolio, date);
        let mut decisions: BTreeMap<String, Decision> =
            content.workloads.keys().map(|name| (name.clone(), Decision::Blocked)).collect();
        for (id, a) in &assessment.workloads {
            decisions.insert(id.0.clone(), a.decision);
        }
        for d in diags.iter().filter(|d| d.severity == Severity::Error) {
            if let Some(name) = d.file.strip_prefix("content/workloads/").and_then(|r| r.split('/').next())
                && let Some(decision) = decisions.get_mut(name)
            {
                *decision = Decision::Blocked;
            }
        }
        let mut counts = Counts::default();
        let mut releases: BTreeMap<String, Counts> =
            portfolio.site.releases.iter().map(|r| (r.id.0.clone(), Counts::default())).collect();
        for (id, d) in &decisions {
            counts.add(*d);
            let release = portfolio.workloads.get(id.as_str()).and_then(|w| w.release.as_ref());
            if let Some(r) = release.and_then(|r| releases.get_mut(r.as_str())) {
                r.add(*d);
            }
        }
        if let Some(before) = &previous {
            let name = |id: &str| id.to_string();
            out.changes.extend(changes::between(before, &decisions, date, &line[c], &|_| false, &name));
        }
        out.days.push(Day { date, commit: line[c].id.clone(), counts, releases });
        previous = Some(decisions);
    }
    Ok(out)
}

/// Each day of the window from the first that has a commit, with the
/// position in `line` (newest first) of the commit that stands for it: the
/// one nearest `HEAD` committed on or before that day.
pub fn plan(line: &[LineCommit], as_of: Date, days: u32) -> Vec<(Date, usize)> {
    // No day before the oldest commit has one: start there at the earliest
    // (so a window of thousands of years costs nothing).
    let Some(oldest) = line.iter().map(|c| c.committed).min() else { return Vec::new() };
    let first = as_of.add_days(-(i64::from(days) - 1)).max(oldest);
    let mut out = Vec::new();
    let mut date = first;
    while date <= as_of {
        if let Some(c) = line.iter().position(|c| c.committed <= date) {
            out.push((date, c));
        }
        date = date.add_days(1);
    }
    out
}

/// What a new commit changed: every workload, or these.
#[derive(Default)]
struct Changed {
    all: bool,
    /// By workload number: read again because its folder changed.
    caused: Vec<bool>,
}

/// The current commit's workloads by number, for the day loop: a day costs
/// a pass over arrays, not a lookup by name per workload. Numbers are given
/// once per name for the whole walk, so that decisions carry from one
/// commit to the next.
#[derive(Default)]
struct Table {
    /// Number -> name, and back; and the workload's name as people know it
    /// (the last one read: a workload that goes keeps it).
    names: Vec<String>,
    numbers: HashMap<String, u32>,
    titles: Vec<String>,
    /// Per number: the folder is there at this commit, its workload was read, it has an error.
    present: Vec<bool>,
    read: Vec<bool>,
    error: Vec<bool>,
    boundaries: Vec<Vec<Date>>,
    /// Its dependencies that are workloads of this commit.
    deps: Vec<Vec<u32>>,
    /// Its release, as a position in `releases`.
    release: Vec<Option<u32>>,
    releases: Vec<String>,
    /// The workloads read, in dependency order, and each one's place in it.
    order: Vec<u32>,
    position: Vec<u32>,
}

impl Table {
    fn number(&mut self, name: &str) -> u32 {
        if let Some(&n) = self.numbers.get(name) {
            return n;
        }
        let n = self.names.len() as u32;
        self.names.push(name.to_string());
        self.titles.push(name.to_string());
        self.numbers.insert(name.to_string(), n);
        n
    }

    /// The changes from `before` to `after` on `date`, by workload id.
    fn changes(
        &self,
        before: &[Option<Decision>],
        after: &[Option<Decision>],
        by_commit: &[bool],
        date: Date,
        commit: &LineCommit,
    ) -> Vec<super::Change> {
        let mut moved: Vec<usize> = (0..after.len().max(before.len()))
            .filter(|&n| before.get(n).copied().flatten() != after.get(n).copied().flatten())
            .collect();
        moved.sort_by(|a, b| self.names[*a].cmp(&self.names[*b]));
        moved
            .into_iter()
            .map(|n| {
                let (from, to) = (before.get(n).copied().flatten(), after.get(n).copied().flatten());
                let committed = from.is_none() || to.is_none() || by_commit.get(n).copied().unwrap_or(false);
                super::Change {
                    date,
                    commit: commit.id.clone(),
                    author: committed.then(|| commit.author_email.clone()),
                    workload: self.names[n].clone(),
                    from,
                    to,
                    name: self.titles[n].clone(),
                    author_name: committed.then(|| commit.author_name.clone()),
                    subject: committed.then(|| commit.subject.clone()),
                }
            })
            .collect()
    }
}

/// A workload folder as validated at the current commit.
struct Folder {
    /// An error in its files: the workload is blocked that day, whatever its evidence says.
    error: bool,
    /// The days on which its own evidence may be judged differently than the day before.
    boundaries: Vec<Date>,
    /// workload.yaml's text, to find the folders that name a workload that comes or goes.
    yaml: String,
}

struct State<'r> {
    repo: &'r Repo,
    root: &'r Path,
    known: &'r snapshot::Known,
    content: Option<Content>,
    validator: Option<Validator>,
    portfolio: Portfolio,
    folders: BTreeMap<String, Folder>,
    table: Table,
}

impl<'r> State<'r> {
    fn new(repo: &'r Repo, root: &'r Path, known: &'r snapshot::Known) -> State<'r> {
        let portfolio = Portfolio {
            site: Default::default(),
            checklist: crate::validate::checklist::builtin(),
            workloads: BTreeMap::new(),
            pages: Vec::new(),
        };
        State {
            repo,
            root,
            known,
            content: None,
            validator: None,
            portfolio,
            folders: BTreeMap::new(),
            table: Table::default(),
        }
    }

    /// Moves to the commit whose whole tree is `top`.
    fn apply(&mut self, top: &TreeId) -> Result<Changed, GitError> {
        let mut reader = self.repo.reader();
        let content = Content::at(&mut reader, *top)?.unwrap_or_default();
        if self.content.as_ref() == Some(&content) {
            return Ok(Changed::default());
        }
        let before = self.content.take().unwrap_or_default();
        let top_changed =
            (before.site, before.checklist, before.pages) != (content.site, content.checklist, content.pages);
        let names_changed = !before.workloads.keys().eq(content.workloads.keys());
        // Folders to read again: those whose tree changed, and, when workloads
        // come or go, those whose workload.yaml names one of them.
        let mut redo: BTreeSet<String> = content
            .workloads
            .iter()
            .filter(|(name, tree)| before.workloads.get(*name) != Some(*tree))
            .map(|(name, _)| name.clone())
            .collect();
        // A new site.yaml reads every workload again only when what workloads
        // are validated against changed: whether it has errors, and its
        // releases. The checklist (or the pages it may name) changes everything.
        let mut all =
            self.validator.is_none() || (before.checklist, before.pages) != (content.checklist, content.pages);
        if top_changed || names_changed || self.validator.is_none() {
            let known: BTreeSet<String> = content.workloads.keys().cloned().collect();
            let top_sources = content.top_sources(&mut reader, self.root)?;
            let (validator, _) = Validator::new(&top_sources, known);
            all |= self.validator.as_ref().is_none_or(|old| old.workload_context() != validator.workload_context());
            self.portfolio.site = validator.site().clone();
            // Past sign-offs are judged without their own history (as under `none`).
            self.portfolio.site.signoff_provenance = crate::core::model::ProvenancePolicy::None;
            self.portfolio.checklist = validator.checklist().clone();
            self.validator = Some(validator);
        }
        if all {
            redo = content.workloads.keys().cloned().collect();
        } else if names_changed {
            let moved: Vec<&String> = before
                .workloads
                .keys()
                .filter(|n| !content.workloads.contains_key(*n))
                .chain(content.workloads.keys().filter(|n| !before.workloads.contains_key(*n)))
                .collect();
            for (name, f) in &self.folders {
                if content.workloads.contains_key(name) && moved.iter().any(|m| f.yaml.contains(m.as_str())) {
                    redo.insert(name.clone());
                }
            }
        }
        let gone: Vec<String> = self.folders.keys().filter(|n| !content.workloads.contains_key(*n)).cloned().collect();
        for name in gone {
            self.folders.remove(&name);
            self.portfolio.workloads.remove(name.as_str());
        }
        let validator = self.validator.as_ref().ok_or_else(|| GitError::Content("history: no validator".into()))?;
        let (repo, known) = (self.repo, self.known);
        let jobs: Vec<(&String, &TreeId)> = redo.iter().filter_map(|n| content.workloads.get_key_value(n)).collect();
        let read: Vec<(String, Option<Workload>, Folder)> = jobs
            .par_iter()
            .map_init(
                || repo.reader(),
                |reader, (name, tree)| -> Result<_, GitError> {
                    let (sources, load_diags) = snapshot::workload(reader, name, **tree, known)?;
                    let (mut workload, diags) = validator.workload(&sources);
                    let error = load_diags.iter().chain(&diags).any(|d| d.severity == Severity::Error);
                    if let Some(w) = &mut workload {
                        for e in w.evidence.values_mut() {
                            e.body = Default::default();
                        }
                    }
                    let boundaries =
                        workload.as_ref().map(|w| boundaries(w, validator.checklist())).unwrap_or_default();
                    let yaml = sources.workload_yaml.as_ref().map(|f| f.text.to_string()).unwrap_or_default();
                    Ok(((*name).clone(), workload, Folder { error, boundaries, yaml }))
                },
            )
            .collect::<Result<_, GitError>>()?;
        let mut graph_changed = names_changed || all;
        for (name, workload, folder) in read {
            let old = self.portfolio.workloads.remove(name.as_str());
            graph_changed |=
                old.as_ref().map(|w| (&w.depends_on, &w.id)) != workload.as_ref().map(|w| (&w.depends_on, &w.id));
            if let Some(w) = workload {
                self.portfolio.workloads.insert(w.id.clone(), w);
            }
            self.folders.insert(name, folder);
        }
        let order = if graph_changed {
            let graph: BTreeMap<WorkloadId, Vec<WorkloadId>> =
                self.portfolio.workloads.iter().map(|(id, w)| (id.clone(), w.depends_on.clone())).collect();
            Some(crate::validate::graph::dependency_order(&graph))
        } else {
            None
        };
        self.content = Some(content);
        let caused = self.number_workloads(order, &redo);
        Ok(Changed { all: all || top_changed || graph_changed, caused })
    }

    /// Fills the table for the current commit (`order`: the new dependency
    /// order, when it changed); returns which numbers `redo` names.
    fn number_workloads(&mut self, order: Option<Vec<WorkloadId>>, redo: &BTreeSet<String>) -> Vec<bool> {
        let t = &mut self.table;
        for name in self.folders.keys() {
            t.number(name);
        }
        for w in self.portfolio.workloads.values() {
            for d in &w.depends_on {
                t.number(d.as_str());
            }
        }
        let size = t.names.len();
        t.present = vec![false; size];
        t.read = vec![false; size];
        t.error = vec![false; size];
        t.boundaries.resize(size, Vec::new());
        t.deps = vec![Vec::new(); size];
        t.release = vec![None; size];
        t.releases = self.portfolio.site.releases.iter().map(|r| r.id.0.clone()).collect();
        for (name, f) in &self.folders {
            let n = t.numbers[name.as_str()] as usize;
            t.present[n] = true;
            t.error[n] = f.error;
            if redo.contains(name) {
                t.boundaries[n] = f.boundaries.clone();
            }
        }
        for (id, w) in &self.portfolio.workloads {
            let n = t.numbers[id.as_str()] as usize;
            t.read[n] = true;
            t.titles[n].clone_from(&w.name);
            t.deps[n] = w.depends_on.iter().map(|d| t.numbers[d.as_str()]).collect();
            t.release[n] =
                w.release.as_ref().and_then(|r| t.releases.iter().position(|x| x == r.as_str())).map(|p| p as u32);
        }
        if let Some(order) = order {
            t.order = order.iter().map(|id| t.numbers[id.as_str()]).collect();
        }
        t.position = vec![u32::MAX; size];
        for (p, &n) in t.order.iter().enumerate() {
            t.position[n as usize] = p as u32;
        }
        let mut caused = vec![false; size];
        for name in redo {
            caused[t.numbers[name.as_str()] as usize] = true;
        }
        caused
    }

    /// Every workload's decision on `date` by number, given the day
    /// before's, and the workloads whose decision the day's commit may have
    /// changed (their folder, or a dependency's, changed), as opposed to time alone.
    fn decide(
        &self,
        date: Date,
        previous: Option<&(Date, Vec<Option<Decision>>)>,
        changed: &Changed,
    ) -> (Vec<Option<Decision>>, Vec<bool>) {
        let t = &self.table;
        let size = t.names.len();
        let mut out: Vec<Option<Decision>> = vec![None; size];
        let mut by_commit = vec![false; size];
        let mut moved = vec![false; size];
        let caused = |n: usize| changed.all || changed.caused.get(n).copied().unwrap_or(false);
        // Folders too broken to read are there, and blocked.
        for n in 0..size {
            if t.present[n] && !t.read[n] {
                out[n] = Some(Decision::Blocked);
                by_commit[n] = caused(n);
            }
        }
        for (pos, &n) in t.order.iter().enumerate() {
            let n = n as usize;
            let before = previous.and_then(|(_, p)| p.get(n).copied().flatten());
            let redo = match (previous, before) {
                (Some((prev, _)), Some(_)) => {
                    caused(n) || crosses(&t.boundaries[n], *prev, date) || t.deps[n].iter().any(|&d| moved[d as usize])
                }
                _ => true,
            };
            let decision = match (redo, before) {
                (false, Some(d)) => d,
                _ if t.error[n] => Decision::Blocked,
                _ => match self.portfolio.workloads.get(t.names[n].as_str()) {
                    Some(w) => decide_one(&self.portfolio, w, date, &|dep| {
                        let d = *t.numbers.get(dep.as_str())? as usize;
                        if (t.position[d] as usize) < pos { out[d] } else { None }
                    }),
                    None => Decision::Blocked,
                },
            };
            moved[n] = before != Some(decision);
            by_commit[n] = caused(n) || t.deps[n].iter().any(|&d| moved[d as usize] && by_commit[d as usize]);
            out[n] = Some(decision);
        }
        (out, by_commit)
    }
}

/// Whether a boundary falls after `prev` and on or before `date`.
fn crosses(boundaries: &[Date], prev: Date, date: Date) -> bool {
    let i = boundaries.partition_point(|b| *b <= prev);
    boundaries.get(i).is_some_and(|b| *b <= date)
}

/// The days on which a workload's evidence may be judged differently than
/// the day before, from what the rules compare with the as-of date: a
/// validation counts from its day and goes stale the day after
/// `max_age_days` run out; a waiver counts from `approved_on` and lapses the
/// day after `expires_on`; a promotion happens on its day (`promoted_on`, a
/// date field, else `executed_on`). Any other date field (such as a risk's
/// `review_by`) counts on its day and the day after. Kept tight: a day with
/// no boundary costs a workload nothing.
pub fn boundaries(w: &Workload, checklist: &Checklist) -> Vec<Date> {
    let mut out = Vec::new();
    for (item, ev) in &w.evidence {
        if let Some(on) = ev.validated_on {
            out.push(on);
            if let Some(max) = checklist.item(item.as_str()).and_then(|i| i.max_age_days) {
                out.push(on.add_days(i64::from(max) + 1));
            }
        }
        if let Some(waiver) = &ev.waiver {
            out.extend([waiver.approved_on, waiver.expires_on.add_days(1)]);
        }
        out.extend(ev.executed_on);
        let mut dates = Vec::new();
        for (_, v) in &ev.fields {
            field_dates(v, &mut dates);
        }
        out.extend(dates.into_iter().flat_map(|d| [d, d.add_days(1)]));
    }
    out.sort_unstable();
    out.dedup();
    out
}

fn field_dates(v: &FieldValue, out: &mut Vec<Date>) {
    match v {
        FieldValue::Date(d) => out.push(*d),
        FieldValue::List(list) => list.iter().for_each(|v| field_dates(v, out)),
        FieldValue::Record(fields) => fields.iter().for_each(|(_, v)| field_dates(v, out)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        Date::parse(s).unwrap()
    }

    fn commit(day: &str) -> LineCommit {
        LineCommit {
            id: day.into(),
            tree: crate::load::git::TreeId::null(),
            committed: d(day),
            author_email: String::new(),
            author_name: String::new(),
            subject: String::new(),
        }
    }

    #[test]
    fn each_day_takes_the_newest_commit_made_by_then() {
        // Newest first, as the line is walked; the middle one was committed later than its child.
        let line = [commit("2026-03-05"), commit("2026-03-07"), commit("2026-03-01")];
        let plan = plan(&line, d("2026-03-08"), 10);
        let got: Vec<(String, usize)> = plan.iter().map(|(day, c)| (day.to_string(), *c)).collect();
        let want = [
            ("2026-03-01", 2),
            ("2026-03-02", 2),
            ("2026-03-03", 2),
            ("2026-03-04", 2),
            ("2026-03-05", 0),
            ("2026-03-06", 0),
            ("2026-03-07", 0),
            ("2026-03-08", 0),
        ];
        assert_eq!(got, want.map(|(a, b)| (a.to_string(), b)));
        assert_eq!(super::plan(&line, d("2026-03-08"), u32::MAX).len(), 8, "a huge window starts at the oldest commit");
        assert!(super::plan(&[], d("2026-03-08"), 90).is_empty());
    }

    #[test]
    fn boundaries_are_found_between_two_days() {
        let b = vec![d("2026-01-05"), d("2026-01-10")];
        assert!(!crosses(&b, d("2026-01-01"), d("2026-01-04")));
        assert!(crosses(&b, d("2026-01-04"), d("2026-01-05")));
        assert!(!crosses(&b, d("2026-01-05"), d("2026-01-09")));
        assert!(crosses(&b, d("2026-01-05"), d("2026-01-10")));
        assert!(!crosses(&b, d("2026-01-10"), d("2026-02-10")));
    }
}
