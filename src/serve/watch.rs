//! Watching the site root: `content/` (settings and evidence), `templates/`
//! and `static/`, and nothing else, so that a large `public/` or `target/`
//! beside them costs nothing. Bursts of events (an editor's save is often a
//! write, a rename and a chmod) are gathered into one rebuild.

use notify::{RecursiveMode, Watcher};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::Duration;

/// The folders under the site root whose changes matter.
pub const WATCHED: &[&str] = &["content", "templates", "static"];

/// Events closer together than this are one change.
const SETTLE: Duration = Duration::from_millis(15);

pub struct Watch {
    watcher: notify::RecommendedWatcher,
    events: Receiver<notify::Result<notify::Event>>,
    root: PathBuf,
    watching: Vec<PathBuf>,
}

impl Watch {
    pub fn new(root: &Path) -> notify::Result<Watch> {
        let (tx, events) = channel();
        let watcher = notify::recommended_watcher(move |e| {
            let _ = tx.send(e);
        })?;
        let mut w = Watch { watcher, events, root: root.to_path_buf(), watching: Vec::new() };
        // The root itself, not recursively: to notice templates/ or static/ appearing.
        w.watcher.watch(root, RecursiveMode::NonRecursive)?;
        w.refresh();
        Ok(w)
    }

    /// Starts watching each watched folder that exists and is not watched yet.
    fn refresh(&mut self) {
        for name in WATCHED {
            let dir = self.root.join(name);
            if dir.is_dir()
                && !self.watching.contains(&dir)
                && self.watcher.watch(&dir, RecursiveMode::Recursive).is_ok()
            {
                self.watching.push(dir);
            }
        }
        self.watching.retain(|d| d.is_dir());
    }

    /// Waits up to `timeout` for a change; returns the changed paths (relative
    /// to the site root) once the burst has settled, or `None` on timeout.
    pub fn next(&mut self, timeout: Duration) -> Option<Vec<String>> {
        let first = match self.events.recv_timeout(timeout) {
            Ok(e) => e,
            Err(RecvTimeoutError::Timeout | RecvTimeoutError::Disconnected) => return None,
        };
        let mut paths = Vec::new();
        self.collect(first, &mut paths);
        while let Ok(e) = self.events.recv_timeout(SETTLE) {
            self.collect(e, &mut paths);
        }
        self.refresh();
        paths.sort();
        paths.dedup();
        (!paths.is_empty()).then_some(paths)
    }

    fn collect(&self, event: notify::Result<notify::Event>, out: &mut Vec<String>) {
        let Ok(event) = event else {
            // The watcher lost track (an overflow): rebuild everything.
            out.push(String::new());
            return;
        };
        if matches!(event.kind, notify::EventKind::Access(_)) {
            return;
        }
        for p in event.paths {
            let Ok(rel) = p.strip_prefix(&self.root) else {
                continue;
            };
            let rel = rel.to_string_lossy().replace('\\', "/");
            let top = rel.split('/').next().unwrap_or_default();
            if WATCHED.contains(&top) {
                out.push(rel);
            }
        }
    }
}
