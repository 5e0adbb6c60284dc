//! `cutover diff BASE`: what a change does to readiness (FORMAT.md, "Diff").
//!
//! Both sides go through the build's own validation and evaluation: `BASE`
//! (and `--head REV`) read from git objects, the work tree read as `check`
//! reads it; both judged as of the same date. Sign-off provenance is set
//! aside on both sides (a commit's own history is not what is compared), and
//! a workload with an error is blocked, as in history.

mod format;

use crate::core::date::Date;
use crate::core::diagnostics::Severity;
use crate::core::model::{Portfolio, ProvenancePolicy};
use crate::evaluate::history::snapshot::Content;
use crate::evaluate::{Assessment, Decision};
use crate::load::Sources;
use crate::load::git::Repo;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// What is compared with `BASE`.
#[derive(Debug, Clone)]
pub enum Head {
    /// The files as they are now, committed or not.
    WorkTree,
    /// A revision git can name (a branch, a tag, a commit id).
    Rev(String),
}

/// One side, evaluated.
struct Side {
    /// "worktree" or the commit's full id.
    label: String,
    sources: Sources,
    portfolio: Portfolio,
    assessment: Assessment,
    /// Workloads with an error in their files: blocked.
    broken: BTreeSet<String>,
}

impl Side {
    fn decision(&self, id: &str) -> Option<Decision> {
        if self.broken.contains(id) {
            return Some(Decision::Blocked);
        }
        self.assessment.workloads.get(id).map(|a| a.decision)
    }

    fn items(&self, id: &str) -> BTreeMap<String, bool> {
        let broken = self.broken.contains(id);
        self.assessment
            .workloads
            .get(id)
            .map(|a| a.items.iter().map(|s| (s.id.0.clone(), s.satisfied && !broken)).collect())
            .unwrap_or_default()
    }

    /// A file's text on this side, by site-relative path.
    fn text(&self, path: &str) -> Option<&str> {
        self.sources.text_of(path)
    }
}

/// One item whose satisfaction changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ItemChange {
    /// The checklist item.
    pub id: String,
    /// Whether it was satisfied at the base.
    pub from: bool,
    /// Whether it is satisfied at the head.
    pub to: bool,
}

/// One workload that changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WorkloadChange {
    /// The workload's id.
    pub id: String,
    /// Its decision at the base; none when the workload is new.
    pub from: Option<Decision>,
    /// Its decision at the head; none when the workload is gone.
    pub to: Option<Decision>,
    /// The decision got worse, or an item stopped being satisfied: what a pull request must not bring unnoticed.
    pub regression: bool,
    /// The items whose satisfaction changed, in checklist order.
    pub items: Vec<ItemChange>,
    /// Not in the JSON: its name, and the files (site-relative, with a line)
    /// whose change brought the regression, for annotations.
    #[serde(skip)]
    pub name: String,
    /// Each file (site-relative), line and reason that an annotation points at.
    #[serde(skip)]
    pub files: Vec<(String, u32, String)>,
}

/// The comparison.
#[derive(Debug, Clone, Serialize)]
pub struct Diff {
    /// The base side: the commit's full id.
    pub base: String,
    /// The head side: `worktree` or the commit's full id.
    pub head: String,
    /// The date both sides were decided as of.
    pub as_of: Date,
    /// Regressions first, then by id.
    pub workloads: Vec<WorkloadChange>,
    /// Not in the JSON: the address the site is published at (site.yaml
    /// `base_url`), to link each workload; and the site root's folder in the
    /// repository, to name files the way the repository's host does.
    #[serde(skip)]
    pub base_url: Option<String>,
    /// The site root's folder in the repository, `/`-separated.
    #[serde(skip)]
    pub prefix: String,
}

impl Diff {
    /// How many workloads regressed: `--fail-on-regression` fails when any did.
    pub fn regressions(&self) -> usize {
        self.workloads.iter().filter(|w| w.regression).count()
    }
}

/// Why a diff cannot be made (exit code 2).
#[derive(Debug, thiserror::Error)]
pub enum DiffError {
    /// The site root is not inside a git work tree.
    #[error("cutover diff compares git revisions, and {} is not inside a git work tree", .root.display())]
    NotInRepository {
        /// The site root, as given.
        root: std::path::PathBuf,
    },
    /// The repository, a revision or a tree of it cannot be read.
    #[error(transparent)]
    Git(#[from] crate::load::git::GitError),
    /// The work tree's portfolio cannot be read at all.
    #[error(transparent)]
    Root(#[from] crate::load::RootError),
    /// The date to compare on cannot be known.
    #[error(transparent)]
    AsOf(Box<crate::Fatal>),
}

/// Compares the portfolio at `base` with `head`, as of `as_of` (else the
/// head's site.yaml `as_of`, `SOURCE_DATE_EPOCH`, or today).
pub fn diff(root: &Path, base: &str, head: &Head, as_of: Option<Date>) -> Result<Diff, DiffError> {
    let repo = match crate::load::git::discover(root) {
        Ok(Some(repo)) => repo,
        Ok(None) => {
            return Err(DiffError::NotInRepository { root: root.to_path_buf() });
        }
        Err(e) => return Err(e.into()),
    };
    let base_side = at_rev(&repo, root, base)?;
    let head_side = match head {
        Head::WorkTree => worktree(root)?,
        Head::Rev(rev) => at_rev(&repo, root, rev)?,
    };
    let epoch = std::env::var("SOURCE_DATE_EPOCH").ok();
    let as_of = crate::resolve_as_of(as_of, head_side.1.site.as_of, epoch.as_deref())
        .map_err(|e| DiffError::AsOf(Box::new(e)))?;
    let base_side = evaluate(base_side, as_of);
    let head_side = evaluate(head_side, as_of);
    Ok(compare(&base_side, &head_side, as_of, &repo))
}

/// A side before evaluation: its label, sources, portfolio and broken workloads.
type Loaded = (String, Portfolio, Sources, BTreeSet<String>);

fn at_rev(repo: &Repo, root: &Path, rev: &str) -> Result<Loaded, DiffError> {
    let commit = repo.resolve(rev)?;
    let mut reader = repo.reader();
    let content = Content::at(&mut reader, commit.tree)?.unwrap_or_default();
    let sources = content.sources(&mut reader, root)?;
    let (label, portfolio, sources, broken) = validated(commit.id, sources);
    Ok((label, portfolio, sources, broken))
}

fn worktree(root: &Path) -> Result<Loaded, DiffError> {
    let sources = crate::load::load(root)?;
    Ok(validated("worktree".into(), sources))
}

fn validated(label: String, sources: Sources) -> Loaded {
    let (mut portfolio, diags) = crate::validate::validate(&sources);
    portfolio.site.signoff_provenance = ProvenancePolicy::None;
    let mut broken: BTreeSet<String> = sources.workloads.iter().map(|w| w.id.clone()).collect();
    broken.retain(|id| !portfolio.workloads.contains_key(id.as_str()));
    for d in diags.iter().filter(|d| d.severity == Severity::Error) {
        if let Some(name) = d.file.strip_prefix("content/workloads/").and_then(|r| r.split('/').next()) {
            broken.insert(name.to_string());
        }
    }
    (label, portfolio, sources, broken)
}

fn evaluate((label, portfolio, sources, broken): Loaded, as_of: Date) -> Side {
    let assessment = crate::evaluate::evaluate(&portfolio, as_of);
    Side { label, sources, portfolio, assessment, broken }
}

/// How good a decision is: a regression makes it smaller.
fn rank(d: Decision) -> u8 {
    match d {
        Decision::Promoted => 2,
        Decision::Ready => 1,
        Decision::Blocked => 0,
    }
}

fn compare(base: &Side, head: &Side, as_of: Date, repo: &Repo) -> Diff {
    let mut ids: BTreeSet<String> = base.assessment.workloads.keys().map(|k| k.0.clone()).collect();
    ids.extend(base.broken.iter().cloned());
    ids.extend(head.assessment.workloads.keys().map(|k| k.0.clone()));
    ids.extend(head.broken.iter().cloned());
    let mut out = Vec::new();
    for id in ids {
        let (from, to) = (base.decision(&id), head.decision(&id));
        let items = match (from, to) {
            (Some(_), Some(_)) => item_changes(&base.items(&id), &head.items(&id)),
            _ => Vec::new(),
        };
        if from == to && items.is_empty() {
            continue;
        }
        let worse = matches!((from, to), (Some(f), Some(t)) if rank(t) < rank(f));
        let regression = worse || items.iter().any(|i| i.from && !i.to);
        let name = head
            .portfolio
            .workloads
            .get(id.as_str())
            .or_else(|| base.portfolio.workloads.get(id.as_str()))
            .map_or_else(|| id.clone(), |w| w.name.clone());
        let files = if regression { culprits(base, head, &id, &items) } else { Vec::new() };
        out.push(WorkloadChange { id, from, to, regression, items, name, files });
    }
    out.sort_by(|a, b| b.regression.cmp(&a.regression).then_with(|| a.id.cmp(&b.id)));
    Diff {
        base: base.label.clone(),
        head: head.label.clone(),
        as_of,
        workloads: out,
        base_url: head.portfolio.site.base_url.clone(),
        prefix: repo.prefix(),
    }
}

fn item_changes(base: &BTreeMap<String, bool>, head: &BTreeMap<String, bool>) -> Vec<ItemChange> {
    head.iter()
        .filter_map(|(id, &to)| {
            let from = *base.get(id)?;
            (from != to).then(|| ItemChange { id: id.clone(), from, to })
        })
        .collect()
}

/// The files whose change brought a workload's regression, each with the
/// line to point at and what to say: an item's evidence file (at its
/// status), else workload.yaml, else site.yaml or the checklist when they
/// changed; as a last resort the workload.yaml the decision rests on.
fn culprits(base: &Side, head: &Side, id: &str, items: &[ItemChange]) -> Vec<(String, u32, String)> {
    let changed = |path: &str| base.text(path) != head.text(path);
    let mut out = Vec::new();
    let head_w = head.portfolio.workloads.get(id);
    for i in items.iter().filter(|i| i.from && !i.to) {
        let ev = head_w.and_then(|w| w.evidence.get(i.id.as_str()));
        let note = head
            .assessment
            .workloads
            .get(id)
            .and_then(|a| a.items.iter().find(|s| s.id.0 == i.id))
            .and_then(|s| s.note.clone())
            .unwrap_or_else(|| "not satisfied".into());
        let message = format!("{id}: `{}` is no longer satisfied ({note})", i.id);
        match ev {
            Some(e) if changed(&e.file) => out.push((e.file.clone(), e.status_line.max(1), message)),
            _ => {
                let file = format!("content/workloads/{id}/{}.md", i.id);
                if changed(&file) || head.text(&file).is_none() && base.text(&file).is_some() {
                    out.push((file, 1, message));
                }
            }
        }
    }
    let yaml = format!("content/workloads/{id}/workload.yaml");
    let reasons: Vec<String> = head
        .assessment
        .workloads
        .get(id)
        .map(|a| a.reasons.iter().filter(|r| r.item.is_none()).map(|r| r.message.clone()).collect())
        .unwrap_or_default();
    let (from, to) = (base.decision(id), head.decision(id));
    let decision = match (from, to) {
        (Some(f), Some(t)) => format!("{id}: {} to {}", f.as_str(), t.as_str()),
        _ => id.to_string(),
    };
    let why = if reasons.is_empty() { String::new() } else { format!(" ({})", reasons.join("; ")) };
    if out.is_empty() || changed(&yaml) {
        for file in [yaml.as_str(), "content/site.yaml", "content/checklist.yaml"] {
            if changed(file) && (file == yaml || out.is_empty()) {
                out.push((file.to_string(), 1, format!("{decision}{why}")));
            }
        }
    }
    if out.is_empty() {
        out.push((yaml, 1, format!("{decision}{why}")));
    }
    out
}
