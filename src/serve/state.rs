//! One build of the portfolio as `serve` holds it, and the pages made from it.
//!
//! A build stops after evaluation; pages are rendered when a browser asks for
//! them (and kept until the next build), which is what lets a change show up
//! quickly in a large portfolio: only the page being looked at is rendered.

use crate::diagnostics::Severity;
use crate::load::{self, Sources};
use crate::progress::Progress;
use crate::render::{self, Output};
use crate::validate;
use crate::{Checked, RunOptions};
use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// What the server answers from until the next change.
pub struct Snapshot {
    /// Bumped by every build; pages carry it so that they know when to reload.
    pub version: u64,
    /// The build, or why it could not run at all (no content/ any more...).
    /// Its `sources` are handed back to the [`Builder`] for the next build.
    pub outcome: Result<Checked, String>,
    /// The number of errors, and the diagnostics as people read them.
    problems: (usize, String),
    root: PathBuf,
    pages: Mutex<HashMap<String, Arc<Page>>>,
}

/// The number of errors and their text, worked out while the sources (for
/// quoting lines) are still at hand.
fn problems_of(outcome: &Result<Checked, String>) -> (usize, String) {
    match outcome {
        Ok(c) => {
            let errors = c.report.diagnostics.iter().filter(|d| d.severity == Severity::Error).count();
            let text = if errors == 0 { String::new() } else { c.report.to_human(&|p: &str| c.quote(p), false) };
            (errors, text)
        }
        Err(why) => (1, format!("error: {why}\n")),
    }
}

/// Builds snapshots, reading again only what changed: after a change inside
/// one workload folder, that folder is read and validated again and the
/// others are taken from the previous build; anything else (settings, the
/// checklist, pages, a folder added or removed) reads everything.
pub struct Builder {
    root: PathBuf,
    opts: RunOptions,
    sources: Option<Sources>,
    cache: validate::Cache,
}

/// What a set of changed paths (relative to the site root) needs.
#[derive(Debug, PartialEq, Eq)]
enum Plan {
    /// Only templates/ or static/: the sources are as they were.
    Theme,
    /// Files inside these workload folders.
    Workloads(BTreeSet<String>),
    Everything,
}

fn plan(changed: &[String]) -> Plan {
    let mut ids = BTreeSet::new();
    for path in changed {
        let parts: Vec<&str> = path.split('/').collect();
        match parts.as_slice() {
            ["templates" | "static", ..] => {}
            ["content", "workloads", id, _, ..] if !id.is_empty() => {
                ids.insert(id.to_string());
            }
            _ => return Plan::Everything,
        }
    }
    if ids.is_empty() { Plan::Theme } else { Plan::Workloads(ids) }
}

impl Builder {
    pub fn new(root: &Path, opts: &RunOptions) -> Builder {
        Builder { root: root.to_path_buf(), opts: opts.clone(), sources: None, cache: validate::Cache::remembering() }
    }

    /// Builds version `version` after the given paths changed (`[]` or `[""]`: read everything).
    pub fn build(&mut self, version: u64, changed: &[String]) -> Snapshot {
        let patched = match (&mut self.sources, plan(changed)) {
            (Some(_), Plan::Theme) => true,
            (Some(sources), Plan::Workloads(ids)) => patch(&self.root, sources, &ids, &mut self.cache),
            _ => false,
        };
        if !patched {
            self.sources = None;
            match load::load(&self.root) {
                Ok(s) => self.sources = Some(s),
                Err(e) => return Snapshot::new(version, &self.root, Err(e.0)),
            }
        }
        let Some(sources) = self.sources.take() else {
            return Snapshot::new(version, &self.root, Err("nothing was read".into()));
        };
        // The sources go into the build and come back out of it: no copy of
        // every file's text per build.
        let checked = crate::check_loaded(&self.root, sources, &self.opts, &Progress::new(), &mut self.cache);
        let mut snap = Snapshot::new(version, &self.root, checked.map_err(|e| e.0));
        if let Ok(c) = &mut snap.outcome {
            self.sources = Some(std::mem::take(&mut c.sources));
        }
        snap
    }
}

/// Reads the folders `ids` again into `sources`; `false` when that is not
/// enough (a folder was added or removed), and everything must be read.
fn patch(root: &Path, sources: &mut Sources, ids: &BTreeSet<String>, cache: &mut validate::Cache) -> bool {
    let known = |id: &String| sources.workloads.iter().any(|w| &w.id == id);
    if !ids.iter().all(|id| known(id) && root.join("content/workloads").join(id).is_dir()) {
        return false;
    }
    for id in ids {
        let (fresh, diags) = load::load_workload_dir(root, id);
        let dir = fresh.dir.clone();
        let inside = format!("{dir}/");
        sources.diagnostics.retain(|d| d.file != dir && !d.file.starts_with(&inside));
        sources.diagnostics.extend(diags);
        if let Some(w) = sources.workloads.iter_mut().find(|w| &w.id == id) {
            *w = fresh;
        }
        cache.forget(id);
    }
    true
}

/// One response body, or the reason there is none.
pub enum Page {
    Found(Vec<u8>),
    Missing,
    /// Rendering failed (a template error): the text explains where.
    Failed(String),
}

impl Snapshot {
    pub fn new(version: u64, root: &Path, outcome: Result<Checked, String>) -> Snapshot {
        let problems = problems_of(&outcome);
        Snapshot { version, outcome, problems, root: root.to_path_buf(), pages: Mutex::new(HashMap::new()) }
    }

    /// The number of errors, and the diagnostics as people read them.
    pub fn problems(&self) -> (usize, String) {
        self.problems.clone()
    }

    /// The site file at `path` (`index.html`, `workloads/x/index.html`, ...), rendered on first use.
    pub fn page(&self, path: &str) -> Arc<Page> {
        if let Some(p) = self.pages.lock().ok().and_then(|m| m.get(path).cloned()) {
            return p;
        }
        let page = Arc::new(self.render(path));
        if let Ok(mut m) = self.pages.lock() {
            m.insert(path.to_string(), Arc::clone(&page));
        }
        page
    }

    fn render(&self, path: &str) -> Page {
        let Ok(c) = &self.outcome else {
            return Page::Missing;
        };
        match render::render_with(&c.portfolio, &c.assessment, &c.theme, c.templates.as_ref(), &|p| p == path) {
            Ok(site) => match site.get(path) {
                Some(Output::Bytes(b)) => Page::Found(b.clone()),
                Some(Output::Copy(src)) => match std::fs::read(self.root.join(src)) {
                    Ok(b) => Page::Found(b),
                    Err(e) => Page::Failed(format!("cannot read {}: {e}", src.display())),
                },
                None => Page::Missing,
            },
            Err(e) => Page::Failed(match e.diagnostic {
                Some(d) => Self::one(&d),
                None => format!("error: {}\n", e.message),
            }),
        }
    }

    fn one(d: &crate::diagnostics::Diagnostic) -> String {
        crate::diagnostics::Report::from_vec(vec![d.clone()], false).to_human(&|_| None, false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_are_planned_by_where_they_are() {
        let p = |v: &[&str]| plan(&v.iter().map(|s| s.to_string()).collect::<Vec<_>>());
        assert_eq!(p(&["templates/base.html", "static/x.png"]), Plan::Theme);
        let ids = |v: &[&str]| Plan::Workloads(v.iter().map(|s| s.to_string()).collect());
        assert_eq!(p(&["content/workloads/a/stage.md", "content/workloads/b/r/x.txt"]), ids(&["a", "b"]));
        assert_eq!(p(&["content/workloads/a/stage.md", "content/site.yaml"]), Plan::Everything);
        assert_eq!(p(&["content/workloads/a"]), Plan::Everything, "a folder added or removed");
        assert_eq!(p(&[""]), Plan::Everything, "the watcher lost track");
    }
}
