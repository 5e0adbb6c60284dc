//! Finding changes by reading the folders, where they cannot be watched: the
//! size, modification time and inode of every file, compared with the last
//! look. Each look lists every file, so looks come at most once a second and
//! further apart in a portfolio large enough for a look to take a while
//! (ten times as long as the last look took): reading never takes more than
//! a tenth of one core.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime};

/// The shortest time between two looks.
const EVERY: Duration = Duration::from_secs(1);

/// What a look found at one path.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Stamp {
    /// A folder: only that it is there counts (its own time moves with every file added).
    Folder,
    File {
        len: u64,
        modified: Option<SystemTime>,
        inode: u64,
    },
}

pub struct Scan {
    root: PathBuf,
    folders: Vec<String>,
    seen: BTreeMap<String, Stamp>,
    every: Duration,
    next_at: Instant,
}

impl Scan {
    /// Takes a first look at `folders` under `root`.
    pub fn new(root: &Path, folders: &[&str]) -> Scan {
        let started = Instant::now();
        let folders: Vec<String> = folders.iter().map(|f| f.to_string()).collect();
        let seen = look(root, &folders);
        let every = pause_after(started.elapsed());
        Scan { root: root.to_path_buf(), folders, seen, every, next_at: Instant::now() + every }
    }

    /// How often it looks, for people.
    pub fn every_in_words(&self) -> String {
        match self.every.as_secs() {
            0 | 1 => "second".to_string(),
            n => format!("{n} seconds"),
        }
    }

    /// Waits up to `timeout` for the next look; the paths that changed since
    /// the last (relative to the root), or `None` when none did or it is not time yet.
    pub fn next(&mut self, timeout: Duration) -> Option<Vec<String>> {
        let wait = self.next_at.saturating_duration_since(Instant::now());
        if wait > timeout {
            std::thread::sleep(timeout);
            return None;
        }
        std::thread::sleep(wait);
        let started = Instant::now();
        let now = look(&self.root, &self.folders);
        self.every = pause_after(started.elapsed());
        self.next_at = Instant::now() + self.every;
        let changed = differences(&self.seen, &now);
        self.seen = now;
        (!changed.is_empty()).then_some(changed)
    }
}

fn pause_after(look_took: Duration) -> Duration {
    (look_took * 10).max(EVERY)
}

/// Every file and folder under the given folders of `root`, by path relative to it.
fn look(root: &Path, folders: &[String]) -> BTreeMap<String, Stamp> {
    let mut seen = BTreeMap::new();
    for folder in folders {
        for entry in walkdir::WalkDir::new(root.join(folder)).into_iter().flatten() {
            let Ok(rel) = entry.path().strip_prefix(root) else {
                continue;
            };
            let Ok(meta) = entry.metadata() else {
                continue;
            };
            let stamp = if meta.is_dir() {
                Stamp::Folder
            } else {
                Stamp::File { len: meta.len(), modified: meta.modified().ok(), inode: inode(&meta) }
            };
            seen.insert(rel.to_string_lossy().replace('\\', "/"), stamp);
        }
    }
    seen
}

#[cfg(unix)]
fn inode(meta: &std::fs::Metadata) -> u64 {
    std::os::unix::fs::MetadataExt::ino(meta)
}

#[cfg(not(unix))]
fn inode(_: &std::fs::Metadata) -> u64 {
    0
}

/// The paths added, removed or changed between two looks.
fn differences(before: &BTreeMap<String, Stamp>, after: &BTreeMap<String, Stamp>) -> Vec<String> {
    let changed = after.iter().filter(|(path, stamp)| before.get(*path) != Some(stamp)).map(|(p, _)| p);
    let removed = before.keys().filter(|path| !after.contains_key(*path));
    let mut all: Vec<String> = changed.chain(removed).cloned().collect();
    all.sort();
    all
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn looks_find_files_added_changed_and_removed() {
        let root = std::env::temp_dir().join(format!("cutover-scan-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(root.join("content/workloads/a")).unwrap();
        std::fs::create_dir_all(root.join("public")).unwrap();
        std::fs::write(root.join("content/site.yaml"), "title: x\n").unwrap();
        std::fs::write(root.join("content/workloads/a/stage.md"), "one\n").unwrap();
        let before = look(&root, &["content".to_string()]);
        assert!(before.contains_key("content/workloads/a/stage.md"));
        assert!(!before.keys().any(|k| k.starts_with("public")), "only the folders asked for");

        std::fs::write(root.join("content/workloads/a/stage.md"), "one two\n").unwrap();
        std::fs::write(root.join("content/workloads/a/new.md"), "new\n").unwrap();
        std::fs::remove_file(root.join("content/site.yaml")).unwrap();
        std::fs::create_dir_all(root.join("content/workloads/b")).unwrap();
        std::fs::write(root.join("public/x.html"), "ignored\n").unwrap();
        let after = look(&root, &["content".to_string()]);
        assert_eq!(
            differences(&before, &after),
            ["content/site.yaml", "content/workloads/a/new.md", "content/workloads/a/stage.md", "content/workloads/b",]
        );
        assert!(differences(&after, &after).is_empty());
        let _ = std::fs::remove_dir_all(&root);
    }

    #[test]
    fn looks_are_spaced_by_what_they_cost() {
        assert_eq!(pause_after(Duration::from_millis(5)), EVERY);
        assert_eq!(pause_after(Duration::from_millis(300)), Duration::from_secs(3));
    }
}
