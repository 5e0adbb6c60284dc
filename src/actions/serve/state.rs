//! One build of the portfolio as `serve` holds it, and the pages made from it.
//!
//! A build stops after evaluation; pages are rendered when a browser asks for
//! them (and kept until the next build), which is what lets a change show up
//! quickly in a large portfolio: only the page being looked at is rendered.
//!
//! Only files the site has are kept, each rendered once however many
//! requests ask for it at the same moment, and kept as it is sent (the
//! reload script added) so that every request shares the same bytes: the
//! memory a build holds is at most the site's own size, whatever is asked.

use crate::core::diagnostics::Severity;
use crate::core::progress::Progress;
use crate::load::{self, Sources};
use crate::render::{self, Output};
use crate::validate;
use crate::{Checked, RunOptions};
use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};

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
    /// Every file of the site, listed when first needed (`Err`: the templates fail).
    paths: OnceLock<Result<BTreeSet<String>, String>>,
    /// The files asked for so far, each made once: an entry per file of the
    /// site, and one per request under way for a path it does not have
    /// (removed when it is answered).
    pages: Mutex<HashMap<String, Arc<OnceLock<Page>>>>,
    /// The page that answers a path the site does not have.
    not_found: OnceLock<Arc<[u8]>>,
    /// How many files were made (rendered or read), for tests.
    made: AtomicUsize,
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
            // What was validated before may no longer be what is on disk (a
            // replaced content/, a watcher that lost track): validate afresh.
            self.cache = validate::Cache::remembering();
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
        let mut snap = Snapshot::new(version, &self.root, checked.map_err(|e| e.to_string()));
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

/// A file as it is sent, or the reason there is none.
#[derive(Clone)]
pub enum Page {
    /// The bytes to send; an HTML page has the reload script (and, while
    /// there are errors, the overlay) in it already.
    Found(Arc<[u8]>),
    Missing,
    /// Rendering failed (a template error): the error page to send.
    Failed(Arc<[u8]>),
}

/// A lock whose holder panicked still holds usable data here (a map of pages).
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Snapshot {
    pub fn new(version: u64, root: &Path, outcome: Result<Checked, String>) -> Snapshot {
        let problems = problems_of(&outcome);
        Snapshot {
            version,
            outcome,
            problems,
            root: root.to_path_buf(),
            paths: OnceLock::new(),
            pages: Mutex::new(HashMap::new()),
            not_found: OnceLock::new(),
            made: AtomicUsize::new(0),
        }
    }

    /// The number of errors, and the diagnostics as people read them.
    pub fn problems(&self) -> (usize, String) {
        self.problems.clone()
    }

    pub fn errors(&self) -> usize {
        self.problems.0
    }

    /// The site file at `path` (`index.html`, `workloads/x/index.html`, ...),
    /// made on first use. Requests for it at the same time wait for the one
    /// that makes it, and all get the same bytes. Only a file the site has is
    /// kept; after the first path it does not have, the list of the site's
    /// files answers such paths without rendering anything.
    pub fn page(&self, path: &str) -> Page {
        if let Some(Ok(paths)) = self.paths.get()
            && !paths.contains(path)
        {
            return Page::Missing;
        }
        let cell = Arc::clone(lock(&self.pages).entry(path.to_string()).or_default());
        let page = cell.get_or_init(|| self.make(path)).clone();
        if !matches!(page, Page::Found(_)) {
            // Not a file of the site (or it failed, and is tried again next time): not kept.
            let mut pages = lock(&self.pages);
            if pages.get(path).is_some_and(|kept| Arc::ptr_eq(kept, &cell)) {
                pages.remove(path);
            }
            drop(pages);
            if matches!(page, Page::Missing) {
                let _ = self.site_paths();
            }
        }
        page
    }

    /// Whether the site has a file at `path` (without making it).
    pub fn has(&self, path: &str) -> bool {
        self.site_paths().is_ok_and(|paths| paths.contains(path))
    }

    /// The page that answers a path the site does not have (status 404).
    pub fn not_found(&self) -> Arc<[u8]> {
        Arc::clone(self.not_found.get_or_init(|| self.inject(&placeholder("Not found"), None).into()))
    }

    /// How many files are kept.
    #[cfg(test)]
    pub fn kept(&self) -> usize {
        lock(&self.pages).len()
    }

    /// How many files were made (rendered or read) so far.
    #[cfg(test)]
    pub fn made(&self) -> usize {
        self.made.load(Ordering::Relaxed)
    }

    fn site_paths(&self) -> Result<&BTreeSet<String>, &str> {
        self.paths.get_or_init(|| self.list()).as_ref().map_err(String::as_str)
    }

    /// Every file of the site: the render pass, asked for nothing, names them all.
    fn list(&self) -> Result<BTreeSet<String>, String> {
        let Ok(c) = &self.outcome else {
            return Ok(BTreeSet::new());
        };
        let seen = Mutex::new(BTreeSet::new());
        let want = |path: &str| {
            lock(&seen).insert(path.to_string());
            false
        };
        render::render_into(
            &render::edition::Shown::internal(&c.portfolio),
            &c.assessment,
            &c.theme,
            c.templates.as_ref(),
            &want,
            &|_, _| Ok(()),
        )
        .map_err(|e| e.message)?;
        Ok(seen.into_inner().unwrap_or_else(std::sync::PoisonError::into_inner))
    }

    /// The file at `path` as it is sent.
    fn make(&self, path: &str) -> Page {
        self.made.fetch_add(1, Ordering::Relaxed);
        // In tests, a slow render: requests arriving together all find it under way.
        #[cfg(test)]
        std::thread::sleep(std::time::Duration::from_millis(20));
        match self.render(path) {
            Made::Bytes(b) if path.ends_with(".html") => Page::Found(self.inject(&b, None).into()),
            Made::Bytes(b) => Page::Found(b.into()),
            Made::Missing => Page::Missing,
            Made::Failed(why) => Page::Failed(self.inject(&placeholder("Rendering failed"), Some(&why)).into()),
        }
    }

    fn render(&self, path: &str) -> Made {
        let Ok(c) = &self.outcome else {
            return Made::Missing;
        };
        match render::render_with(
            &render::edition::Shown::internal(&c.portfolio),
            &c.assessment,
            &c.theme,
            c.templates.as_ref(),
            &|p| p == path,
        ) {
            Ok(mut site) => match site.remove(path) {
                Some(Output::Bytes(b)) => Made::Bytes(b),
                Some(Output::Copy(src)) => match std::fs::read(self.root.join(&src)) {
                    Ok(b) => Made::Bytes(b),
                    Err(e) => Made::Failed(format!("cannot read {}: {e}", src.display())),
                },
                None => Made::Missing,
            },
            Err(e) => Made::Failed(match e.diagnostic {
                Some(d) => Self::one(&d),
                None => format!("error: {}\n", e.message),
            }),
        }
    }

    fn one(d: &crate::core::diagnostics::Diagnostic) -> String {
        crate::core::diagnostics::Report::from_vec(vec![d.clone()], false).to_human(&|_| None, false)
    }

    /// Adds the reload script (and, while there are errors, the overlay) to a
    /// page: the stylesheet before its last `</head>`, the rest before its
    /// last `</body>` (at the start and the end when it has none).
    fn inject(&self, html: &[u8], failure: Option<&str>) -> Vec<u8> {
        let (errors, text) = &self.problems;
        let mut count = *errors;
        let mut text = text.clone();
        if let Some(why) = failure {
            text.push_str(why);
            count += 1;
        }
        let mut tail = format!("<script src=\"/__cutover/live.js?v={}\" defer></script>\n", self.version);
        if count > 0 {
            tail = format!(
                "<div id=\"cutover-overlay\" role=\"alert\"><div class=\"cutover-box\">\
                 <button type=\"button\" aria-label=\"Hide\">×</button>\
                 <h2>{count} {}: cutover build would not publish this site</h2><pre>{}</pre>\
                 <p>Fix the files and save: this page reloads by itself.</p></div></div>\n{tail}",
                if count == 1 { "error" } else { "errors" },
                escape(&text)
            );
        }
        let head = "<link rel=\"stylesheet\" href=\"/__cutover/live.css\">\n";
        let head_at = rfind(html, b"</head>").unwrap_or(0);
        let tail_at = rfind(html, b"</body>").unwrap_or(html.len());
        let mut cuts = [(head_at, head.as_bytes()), (tail_at, tail.as_bytes())];
        cuts.sort_by_key(|(at, _)| *at);
        let mut page = Vec::with_capacity(html.len() + head.len() + tail.len());
        let mut from = 0;
        for (at, insert) in cuts {
            page.extend_from_slice(&html[from..at]);
            page.extend_from_slice(insert);
            from = at;
        }
        page.extend_from_slice(&html[from..]);
        page
    }
}

/// What rendering one path gave.
enum Made {
    Bytes(Vec<u8>),
    Missing,
    Failed(String),
}

/// Where `needle` last occurs in `hay`.
fn rfind(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).rposition(|w| w == needle)
}

fn placeholder(title: &str) -> Vec<u8> {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title}</title></head>\
         <body><h1>{title}</h1><p><a href=\"/\">Dashboard</a></p></body></html>\n"
    )
    .into_bytes()
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
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

    fn fixture() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/base")
    }

    fn snapshot() -> Snapshot {
        let snap = Builder::new(&fixture(), &RunOptions::default()).build(1, &[]);
        assert!(snap.outcome.is_ok());
        snap
    }

    fn bytes(page: Page) -> Arc<[u8]> {
        match page {
            Page::Found(b) => b,
            Page::Missing => panic!("missing"),
            Page::Failed(b) => panic!("failed: {}", String::from_utf8_lossy(&b)),
        }
    }

    /// Asking for paths the site does not have, however many and however
    /// long, keeps nothing (nor renders anything).
    #[test]
    fn paths_the_site_does_not_have_are_never_kept() {
        let snap = snapshot();
        let long = "x".repeat(10_000);
        for i in 0..2_000 {
            assert!(matches!(snap.page(&format!("no/such/{i}/{long}")), Page::Missing));
            assert!(matches!(snap.page(&format!("workloads/nobody-{i}/index.html")), Page::Missing));
        }
        assert_eq!(snap.kept(), 0);
        assert_eq!(snap.made(), 1, "only the first is rendered: the list of files answers the rest");
        assert!(!snap.has("no/such/0"));
    }

    /// Every file of the site, asked for twice, plus paths it does not have:
    /// one entry and one rendering per file of the site.
    #[test]
    fn what_is_kept_is_bounded_by_the_site() {
        let snap = snapshot();
        let paths = snap.site_paths().unwrap().clone();
        assert!(paths.contains("index.html") && paths.contains("workloads/alpha/index.html"), "{paths:?}");
        for round in 0..2 {
            for path in &paths {
                assert!(matches!(snap.page(path), Page::Found(_)), "{path}");
                assert!(matches!(snap.page(&format!("{path}.{round}")), Page::Missing));
            }
        }
        assert_eq!(snap.kept(), paths.len());
        assert_eq!(snap.made(), paths.len());
        assert!(!snap.has("no/such/path"));
    }

    /// Requests for the same page at the same moment wait for one rendering
    /// and all get the same bytes (not a copy each), the reload script in them.
    #[test]
    fn simultaneous_requests_share_one_rendering() {
        let snap = Arc::new(snapshot());
        let barrier = Arc::new(std::sync::Barrier::new(16));
        let threads: Vec<_> = (0..16)
            .map(|_| {
                let (snap, barrier) = (Arc::clone(&snap), Arc::clone(&barrier));
                std::thread::spawn(move || {
                    barrier.wait();
                    bytes(snap.page("index.html"))
                })
            })
            .collect();
        let pages: Vec<Arc<[u8]>> = threads.into_iter().map(|t| t.join().unwrap()).collect();
        assert_eq!(snap.made(), 1, "rendered once");
        assert!(snap.paths.get().is_none(), "a file of the site is made without listing them all first");
        assert!(pages.iter().all(|p| Arc::ptr_eq(p, &pages[0])), "one copy of the bytes");
        let again = bytes(snap.page("index.html"));
        assert!(Arc::ptr_eq(&again, &pages[0]));
        let text = String::from_utf8_lossy(&again);
        assert!(text.contains("<script src=\"/__cutover/live.js?v=1\" defer></script>\n</body>"), "injected once");
        assert_eq!(text.matches("/__cutover/live.css").count(), 1);
    }

    /// After a full read (content/ replaced, the watcher lost track), what
    /// was validated before is not taken for what is on disk now.
    #[test]
    fn a_full_read_validates_afresh() {
        let root = std::env::temp_dir().join(format!("cutover-serve-state-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        copy(&fixture(), &root);
        let mut builder = Builder::new(&root, &RunOptions::default());
        let first = builder.build(1, &[]);
        let name = |s: &Snapshot| s.outcome.as_ref().unwrap().portfolio.workloads.values().next().unwrap().name.clone();
        assert_eq!(name(&first), "Alpha");
        let yaml = root.join("content/workloads/alpha/workload.yaml");
        let text = std::fs::read_to_string(&yaml).unwrap().replace("name: Alpha", "name: Replaced");
        std::fs::write(&yaml, text).unwrap();
        assert_eq!(name(&builder.build(2, &[String::new()])), "Replaced");
        assert_eq!(name(&builder.build(3, &["content".to_string()])), "Replaced");
        let _ = std::fs::remove_dir_all(&root);
    }

    fn copy(from: &Path, to: &Path) {
        std::fs::create_dir_all(to).unwrap();
        for e in std::fs::read_dir(from).unwrap().flatten() {
            if e.file_type().unwrap().is_dir() {
                copy(&e.path(), &to.join(e.file_name()));
            } else {
                std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
            }
        }
    }

    #[test]
    fn the_reload_script_goes_before_the_last_body_end() {
        let snap = Snapshot::new(7, Path::new("."), Err("no content/".into()));
        let page = String::from_utf8(snap.inject(b"<html><head></head><body>x</body></html>", None)).unwrap();
        assert!(page.starts_with("<html><head><link rel=\"stylesheet\" href=\"/__cutover/live.css\">\n</head><body>x"));
        assert!(page.contains("cutover-overlay"), "the build failed: the overlay says why");
        assert!(page.ends_with("<script src=\"/__cutover/live.js?v=7\" defer></script>\n</body></html>"), "{page}");
        let bare = String::from_utf8(snap.inject(b"plain", None)).unwrap();
        assert!(bare.starts_with("<link") && bare.contains("plain<div id=\"cutover-overlay\""), "{bare}");
    }
}
