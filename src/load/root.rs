//! Finding the site root from anywhere inside it, as cargo finds `Cargo.toml`.
//!
//! A site root is the folder that holds `content/`. Run from a workload's
//! folder (or from `content/`, or any folder below the root), a command walks
//! up until it reaches one, so nobody has to count `../` to run `check`.

use super::RootError;
use std::path::{Component, Path, PathBuf};

/// Whether `dir` is a site root beyond doubt: its `content/` holds what a
/// site's does (`site.yaml`, `checklist.yaml` or `workloads/`). Walking up
/// asks this rather than "has a `content/` folder", since a workload may be
/// named `content` (then `content/workloads/` holds a `content/` of its own).
fn is_site_root(dir: &Path) -> bool {
    let content = dir.join("content");
    content.join("site.yaml").is_file()
        || content.join("checklist.yaml").is_file()
        || content.join("workloads").is_dir()
}

/// The site root for a command: `given` (a root named on the command line)
/// or, when none was named, the current folder; either way, if that folder
/// is not a root, the nearest folder above it that is. A named folder that
/// holds `content/` is taken as it is, even an empty `content/`.
///
/// The path returned stays relative when the start was (`../..` from a
/// workload's folder), so that messages and default output folders read as
/// the user would write them.
pub fn find(given: Option<&Path>) -> Result<PathBuf, RootError> {
    let start = given.unwrap_or(Path::new("."));
    if is_site_root(start) || (given.is_some() && start.join("content").is_dir()) {
        return Ok(start.to_path_buf());
    }
    let absolute = std::fs::canonicalize(start)
        .map_err(|e| RootError(format!("no site root at {} ({e}): {WHAT_A_ROOT_IS}", start.display())))?;
    for (up, dir) in absolute.ancestors().enumerate().skip(1) {
        if is_site_root(dir) {
            // The same folder, written from `start` the way the user wrote `start`.
            let relative = climb(start, up);
            return Ok(match relative {
                Some(r) if is_site_root(&r) && same_folder(&r, dir) => r,
                _ => dir.to_path_buf(),
            });
        }
    }
    if given.is_none() && start.join("content").is_dir() {
        return Ok(start.to_path_buf());
    }
    Err(RootError(format!(
        "no site root at or above {}: {WHAT_A_ROOT_IS}",
        if given.is_some() { start.display().to_string() } else { "the current folder".into() }
    )))
}

const WHAT_A_ROOT_IS: &str = "a site root is the folder that holds content/ (with site.yaml or workloads/ in it); \
     run cutover from inside one, name it with --root, or start one with `cutover init`";

/// What to put before a site-relative path to make it relative to the top
/// of the repository, where CI services look for the files that annotations
/// and code-scanning results name: the site root's path from the top of the
/// git work tree that holds it (the nearest folder above with a `.git`),
/// else from the current folder when the root is inside it, else nothing.
/// Empty, or `/`-separated and ending in `/`.
pub fn repository_prefix(root: &Path) -> String {
    let Ok(root) = std::fs::canonicalize(root) else {
        return String::new();
    };
    let top = root.ancestors().find(|d| d.join(".git").exists()).map(Path::to_path_buf);
    let top = top.or_else(|| std::env::current_dir().ok().and_then(|d| std::fs::canonicalize(d).ok()));
    let Some(below) = top.as_deref().and_then(|t| root.strip_prefix(t).ok()) else {
        return String::new();
    };
    let parts: Vec<String> = below.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect();
    if parts.is_empty() { String::new() } else { format!("{}/", parts.join("/")) }
}

/// `start` with `up` levels removed: trailing names are dropped, and `..`
/// added once there are none left, so `content/workloads/x` up 3 is `.`.
fn climb(start: &Path, up: usize) -> Option<PathBuf> {
    if start.is_absolute() {
        return None;
    }
    let mut parts: Vec<Component> = start.components().filter(|c| *c != Component::CurDir).collect();
    let mut dotdots = 0;
    for _ in 0..up {
        match parts.last() {
            Some(Component::Normal(_)) => {
                parts.pop();
            }
            _ => dotdots += 1,
        }
    }
    let mut out: PathBuf = parts.iter().collect();
    for _ in 0..dotdots {
        out.push("..");
    }
    Some(if out.as_os_str().is_empty() { PathBuf::from(".") } else { out })
}

fn same_folder(a: &Path, b: &Path) -> bool {
    std::fs::canonicalize(a).is_ok_and(|a| a == b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn climbing_drops_names_then_adds_parents() {
        assert_eq!(climb(Path::new("content/workloads/x"), 3).unwrap(), PathBuf::from("."));
        assert_eq!(climb(Path::new("content/workloads/x"), 2).unwrap(), PathBuf::from("content"));
        assert_eq!(climb(Path::new("."), 2).unwrap(), PathBuf::from("../.."));
        assert_eq!(climb(Path::new("a"), 2).unwrap(), PathBuf::from(".."));
        assert_eq!(climb(Path::new("../a"), 2).unwrap(), PathBuf::from("../.."));
        assert!(climb(Path::new("/abs"), 1).is_none());
    }
}
