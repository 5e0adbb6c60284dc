//! One build of the portfolio as `serve` holds it, and the pages made from it.
//!
//! A build stops after evaluation; pages are rendered when a browser asks for
//! them (and kept until the next build), which is what lets a change show up
//! quickly in a large portfolio: only the page being looked at is rendered.

use crate::diagnostics::Severity;
use crate::render::{self, Output};
use crate::{Checked, RunOptions};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// What the server answers from until the next change.
pub struct Snapshot {
    /// Bumped by every build; pages carry it so that they know when to reload.
    pub version: u64,
    /// The build, or why it could not run at all (no content/ any more...).
    pub outcome: Result<Checked, String>,
    root: PathBuf,
    pages: Mutex<HashMap<String, Arc<Page>>>,
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
        Snapshot { version, outcome, root: root.to_path_buf(), pages: Mutex::new(HashMap::new()) }
    }

    /// Builds (load, validate, evaluate) the portfolio under `root`.
    pub fn build(version: u64, root: &Path, opts: &RunOptions) -> Snapshot {
        Snapshot::new(version, root, crate::check(root, opts).map_err(|e| e.0))
    }

    /// The number of errors, and the diagnostics as people read them.
    pub fn problems(&self) -> (usize, String) {
        match &self.outcome {
            Ok(c) => {
                let errors = c.report.diagnostics.iter().filter(|d| d.severity == Severity::Error).count();
                let text = if errors == 0 {
                    String::new()
                } else {
                    c.report.to_human(&|p: &str| c.sources.text_of(p).map(str::to_string), false)
                };
                (errors, text)
            }
            Err(why) => (1, format!("error: {why}\n")),
        }
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
        match render::render_with(&c.portfolio, &c.assessment, &c.theme, &|p| p == path) {
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
