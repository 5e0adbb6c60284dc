//! Watching the site root: `content/` (settings and evidence), `templates/`
//! and `static/`, and nothing else, so that a large `public/` or `target/`
//! beside them costs nothing. Bursts of events (an editor's save is often a
//! write, a rename and a chmod) are gathered into one rebuild.
//!
//! A watched folder replaced by another one (`git checkout`, `rsync
//! --delay-updates`, a restore: the new folder renamed over the old) is
//! watched again, since the system's watches stay with the old folder.
//! Where watching fails (past the system's limit on watched folders, or
//! where there is nothing to watch with) serve says so once and reads the
//! folders every so often instead ([`scan`]).

use super::scan::Scan;
use notify::{RecursiveMode, Watcher};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, channel};
use std::time::Duration;

/// The folders under the site root whose changes matter.
pub const WATCHED: &[&str] = &["content", "templates", "static"];

/// Events closer together than this are one change.
const SETTLE: Duration = Duration::from_millis(15);

/// Where changes come from: the system's notifications, or reading the folders.
pub struct Watch {
    root: PathBuf,
    how: How,
}

enum How {
    Events(Events),
    Scanning(Scan),
}

impl Watch {
    /// Watches `root`; where the system will not, reads it every so often
    /// (and says so on stderr).
    pub fn new(root: &Path) -> Watch {
        let how = match Events::new(root) {
            Ok(events) => How::Events(events),
            Err(why) => How::Scanning(fall_back(root, &why)),
        };
        Watch { root: root.to_path_buf(), how }
    }

    /// Waits up to `timeout` for a change; returns the changed paths (relative
    /// to the site root; `""` means "read everything") once the burst has
    /// settled, or `None` when nothing changed.
    pub fn next(&mut self, timeout: Duration) -> Option<Vec<String>> {
        let failed = match &mut self.how {
            How::Scanning(scan) => return scan.next(timeout),
            How::Events(events) => match events.next(timeout) {
                Ok(changed) => return changed,
                Err(why) => why,
            },
        };
        self.how = How::Scanning(fall_back(&self.root, &failed));
        // Whatever changed while the watches were failing went unseen.
        Some(vec![String::new()])
    }
}

/// Reading the folders instead of watching, said once: this is the only place
/// that switches, and nothing switches back.
fn fall_back(root: &Path, why: &WatchError) -> Scan {
    let scan = Scan::new(root, WATCHED);
    eprintln!(
        "warning: cannot watch {} for changes ({why}); looking for changes every {} instead",
        root.display(),
        scan.every_in_words()
    );
    scan
}

/// The system's notifications about the watched folders.
struct Events {
    watcher: notify::RecommendedWatcher,
    events: Receiver<notify::Result<notify::Event>>,
    root: PathBuf,
    /// Each watched folder, and which folder it was when the watch began.
    watching: Vec<(PathBuf, Identity)>,
    hook: hook::Limit,
}

/// What a burst of events amounts to.
#[derive(Default)]
struct Burst {
    paths: Vec<String>,
    /// Watched folders that were themselves created, removed or renamed.
    replaced: BTreeSet<String>,
    /// Why watching stopped working, if it did.
    failed: Option<WatchError>,
}

impl Events {
    fn new(root: &Path) -> Result<Events, WatchError> {
        let (tx, events) = channel();
        let watcher = notify::recommended_watcher(move |e| {
            let _ = tx.send(e);
        })
        .map_err(WatchError::from)?;
        let mut w =
            Events { watcher, events, root: root.to_path_buf(), watching: Vec::new(), hook: hook::Limit::new() };
        // The root itself, not recursively: to see the watched folders appear,
        // disappear or be replaced.
        w.watch(root, RecursiveMode::NonRecursive)?;
        w.refresh(&BTreeSet::new())?;
        Ok(w)
    }

    fn watch(&mut self, dir: &Path, mode: RecursiveMode) -> Result<(), WatchError> {
        self.hook.check()?;
        Ok(self.watcher.watch(dir, mode)?)
    }

    /// Watches each watched folder that exists and is not watched as it is
    /// now: new, or replaced by another folder since its watch began.
    fn refresh(&mut self, replaced: &BTreeSet<String>) -> Result<(), WatchError> {
        for name in WATCHED {
            let dir = self.root.join(name);
            let now = identity(&dir);
            let known = self.watching.iter().position(|(d, _)| d == &dir);
            if let Some(i) = known {
                if now.is_some_and(|id| id == self.watching[i].1) && !replaced.contains(*name) {
                    continue;
                }
                // Gone or replaced: the old watches (if the system kept any) go too.
                let _ = self.watcher.unwatch(&dir);
                self.watching.remove(i);
            }
            if let Some(id) = now {
                self.watch(&dir, RecursiveMode::Recursive)?;
                self.watching.push((dir, id));
            }
        }
        Ok(())
    }

    fn next(&mut self, timeout: Duration) -> Result<Option<Vec<String>>, WatchError> {
        let Ok(first) = self.events.recv_timeout(timeout) else {
            return Ok(None);
        };
        let mut burst = Burst::default();
        self.collect(first, &mut burst);
        while let Ok(e) = self.events.recv_timeout(SETTLE) {
            self.collect(e, &mut burst);
        }
        if let Some(why) = burst.failed {
            return Err(why);
        }
        self.refresh(&burst.replaced)?;
        let mut paths = burst.paths;
        paths.sort();
        paths.dedup();
        Ok((!paths.is_empty()).then_some(paths))
    }

    fn collect(&self, event: notify::Result<notify::Event>, burst: &mut Burst) {
        let event = match event {
            Ok(e) => e,
            Err(e) if matches!(e.kind, notify::ErrorKind::MaxFilesWatch) => {
                // A folder created since could not be watched: its changes would go unseen.
                burst.failed = Some(e.into());
                return;
            }
            Err(_) => {
                // The watcher lost track: read everything.
                burst.paths.push(String::new());
                return;
            }
        };
        if event.need_rescan() {
            // Events were dropped (the system's queue overflowed): read everything.
            burst.paths.push(String::new());
        }
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
                if top == rel {
                    burst.replaced.insert(rel.clone());
                }
                burst.paths.push(rel);
            }
        }
    }
}

/// Why watching failed, in words that say what to do about it.
#[derive(Debug, thiserror::Error)]
enum WatchError {
    /// The system's limit on watches, which the user can raise.
    #[error("the system's limit on watched folders is reached; on Linux, raising fs.inotify.max_user_watches lifts it")]
    Limit(#[source] notify::Error),
    #[error("{0}")]
    Other(#[source] notify::Error),
}

impl From<notify::Error> for WatchError {
    fn from(e: notify::Error) -> WatchError {
        match e.kind {
            notify::ErrorKind::MaxFilesWatch => WatchError::Limit(e),
            _ => WatchError::Other(e),
        }
    }
}

/// Which folder is at a path (device and inode), `None` when none is.
type Identity = (u64, u64);

#[cfg(unix)]
fn identity(dir: &Path) -> Option<Identity> {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(dir).ok().filter(|m| m.is_dir()).map(|m| (m.dev(), m.ino()))
}

/// Without inodes, a replaced folder is known from the events about it alone.
#[cfg(not(unix))]
fn identity(dir: &Path) -> Option<Identity> {
    dir.is_dir().then_some((0, 0))
}

/// A way for tests to reach the system's limit on watches: in debug builds
/// only, `CUTOVER_DEBUG_WATCH_FAIL=N` lets the first N watches succeed and
/// fails every later one as the limit does (`0`: the first already fails).
mod hook {
    pub struct Limit {
        #[cfg(debug_assertions)]
        left: Option<usize>,
    }

    impl Limit {
        pub fn new() -> Limit {
            Limit {
                #[cfg(debug_assertions)]
                left: std::env::var("CUTOVER_DEBUG_WATCH_FAIL").ok().and_then(|v| v.trim().parse().ok()),
            }
        }

        #[cfg(debug_assertions)]
        pub fn check(&mut self) -> notify::Result<()> {
            match &mut self.left {
                Some(0) => Err(notify::Error::new(notify::ErrorKind::MaxFilesWatch)),
                Some(n) => {
                    *n -= 1;
                    Ok(())
                }
                None => Ok(()),
            }
        }

        #[cfg(not(debug_assertions))]
        pub fn check(&mut self) -> notify::Result<()> {
            Ok(())
        }
    }
}
