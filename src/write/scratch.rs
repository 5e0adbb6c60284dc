//! The scratch folders of a build, the staged new site and the previous site
//! on its way out, and the clean-up of those that earlier builds left.
//!
//! They live beside the output folder, on the same file system, so that the
//! swap is a rename; or inside it when it is a mount point, which cannot be
//! renamed (see `swap::swap_inside`). Their names say whose they are: the
//! output folder's name (shortened when long), `new` or `old`, the process
//! id of the build that made them and a number of its own.

use std::ffi::OsStr;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// Output names longer than this are shortened in scratch names: a file name
/// may have at most 255 bytes, and `.<name>.cutover-new-<pid>-<n>` adds up to 44.
const LONGEST_NAME: usize = 64;
/// How much of a shortened name is kept, before the hash that tells long names apart.
const KEPT: usize = 32;

/// Where a build's scratch folders go, and how they are named.
#[derive(Debug, Clone)]
pub(super) struct Scratch {
    /// The folder that holds them.
    pub(super) dir: PathBuf,
    /// The start of every scratch name: `.<name>.cutover-`, or `.cutover-` inside a mount point.
    prefix: String,
    /// Whether `dir` is the output folder itself (a mount point).
    pub(super) inside: bool,
}

impl Scratch {
    /// Scratch folders beside the output folder `out`, in `parent`.
    pub(super) fn beside(parent: &Path, out: &Path) -> Scratch {
        let name = out.file_name().unwrap_or(OsStr::new("public"));
        Scratch { dir: parent.to_path_buf(), prefix: format!(".{}.cutover-", short_name(name)), inside: false }
    }

    /// Scratch folders inside the output folder `out`, a mount point.
    pub(super) fn inside(out: &Path) -> Scratch {
        Scratch { dir: out.to_path_buf(), prefix: ".cutover-".into(), inside: true }
    }

    /// A folder name no other build uses: `kind` is `new` or `old`. The
    /// number keeps two builds of one process (a library caller, a test)
    /// apart; the process id keeps processes apart.
    pub(super) fn fresh(&self, kind: &str) -> PathBuf {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        self.dir.join(format!("{}{kind}-{}-{n}", self.prefix, std::process::id()))
    }

    /// Whether the entry `name` of the folder is one of these scratch folders (of any build).
    pub(super) fn owns(&self, name: &OsStr) -> bool {
        self.build_of(name).is_some()
    }

    /// The process id in scratch name `name`, if it is one. Names from
    /// before the number was added (`…-new-<pid>`) are still recognised.
    fn build_of(&self, name: &OsStr) -> Option<u32> {
        let rest = name.to_str()?.strip_prefix(&self.prefix)?;
        let rest = rest.strip_prefix("new-").or_else(|| rest.strip_prefix("old-"))?;
        let pid = rest.split_once('-').map_or(rest, |(pid, n)| if n.parse::<u64>().is_ok() { pid } else { "" });
        pid.parse().ok()
    }

    /// Removes the scratch folders that builds which are no longer running
    /// left behind: a build killed before its swap, or a previous site that
    /// could not be removed. Returns a warning for each that still cannot be.
    pub(super) fn remove_leftovers(&self) -> Vec<String> {
        let Ok(entries) = fs::read_dir(&self.dir) else { return Vec::new() };
        let mut warnings = Vec::new();
        for entry in entries.flatten() {
            let Some(pid) = self.build_of(&entry.file_name()) else { continue };
            if still_building(pid) {
                continue;
            }
            if let Err(e) = fs::remove_dir_all(entry.path()) {
                warnings.push(format!(
                    "{} was left by an earlier build and could not be removed ({e}); remove it yourself",
                    entry.path().display()
                ));
            }
        }
        warnings.sort();
        warnings
    }
}

/// `name` itself when short, else its first bytes and a hash of all of it:
/// scratch names must fit in 255 bytes, and still tell apart two long
/// output names that share their start.
fn short_name(name: &OsStr) -> String {
    let text = name.to_string_lossy();
    if text.len() <= LONGEST_NAME && !text.contains('\u{fffd}') {
        return text.into_owned();
    }
    let mut end = KEPT;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}~{:016x}", &text[..end], fnv1a(name.as_encoded_bytes()))
}

/// FNV-1a, 64 bits: stable from one version of cutover to the next (which
/// std's hasher does not promise), so a later build still finds leftovers.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3))
}

/// Whether process `pid` may still be the build that made a scratch folder:
/// it is running and has the same command name as this one. A number alone
/// is not enough, since the system hands it to a new process once the
/// killed build is gone. Where `/proc` cannot say, assume it may be.
fn still_building(pid: u32) -> bool {
    let comm = |p: &str| fs::read_to_string(format!("/proc/{p}/comm"));
    match (comm(&pid.to_string()), comm("self")) {
        (Ok(theirs), Ok(ours)) => theirs == ours,
        (Err(_), Ok(_)) => false,
        _ => Path::new(&format!("/proc/{pid}")).exists(),
    }
}

/// Whether the folder `dir` (a resolved path) is a mount point: on another
/// device than its parent, or, for a bind mount of a folder of the same file
/// system, listed in the mount table.
pub(super) fn is_mount_point(dir: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let dev = |p: &Path| fs::metadata(p).map(|m| m.dev());
        match (dev(dir), dir.parent().map(dev)) {
            (Ok(a), Some(Ok(b))) if a != b => return true,
            (Ok(_), _) => {}
            (Err(_), _) => return false,
        }
    }
    mounted_at(dir)
}

/// Whether `/proc/self/mountinfo` lists a mount at `dir`.
#[cfg(target_os = "linux")]
fn mounted_at(dir: &Path) -> bool {
    let Ok(table) = fs::read_to_string("/proc/self/mountinfo") else { return false };
    table.lines().filter_map(|line| line.split(' ').nth(4)).any(|at| Path::new(&unescape_mount(at)) == dir)
}

#[cfg(not(target_os = "linux"))]
fn mounted_at(_: &Path) -> bool {
    false
}

/// A mount point as the mount table spells it: space, tab, newline and
/// backslash as `\` and three octal digits.
#[cfg(any(target_os = "linux", test))]
fn unescape_mount(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let octal = b.get(i + 1..i + 4).filter(|d| b[i] == b'\\' && d.iter().all(|c| (b'0'..=b'7').contains(c)));
        match octal {
            Some(d) => {
                out.push(d.iter().fold(0u8, |n, c| n.wrapping_mul(8).wrapping_add(c - b'0')));
                i += 4;
            }
            None => {
                out.push(b[i]);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scratch_names_fit_whatever_the_output_name() {
        for len in [1, 64, 65, 200, 237, 255] {
            let out = PathBuf::from("/srv").join("é".repeat(len / 2) + &"x".repeat(len % 2));
            let s = Scratch::beside(Path::new("/srv"), &out);
            let name = s.fresh("new");
            let name = name.file_name().unwrap();
            assert!(name.len() <= 120, "{len}: {name:?}");
            assert!(s.owns(name), "{len}: {name:?}");
        }
        let long = |c: &str| Scratch::beside(Path::new("/srv"), &PathBuf::from("/srv").join("a".repeat(100) + c));
        assert_ne!(long("1").prefix, long("2").prefix, "long names that share their start are told apart");
        assert_eq!(Scratch::beside(Path::new("/srv"), Path::new("/srv/public")).prefix, ".public.cutover-");
    }

    #[test]
    fn scratch_names_are_recognised_only_for_their_output_folder() {
        let s = Scratch::beside(Path::new("/srv"), Path::new("/srv/site"));
        let pid = |n: &str| s.build_of(OsStr::new(n));
        assert_eq!(pid(".site.cutover-new-42-7"), Some(42));
        assert_eq!(pid(".site.cutover-old-42-0"), Some(42));
        assert_eq!(pid(".site.cutover-new-42"), Some(42), "the naming of earlier versions");
        for other in [
            ".site2.cutover-new-42-0",
            ".site.cutover-new-x",
            ".site.cutover-tmp-42-0",
            "site",
            ".site.cutover-new-42-z",
        ] {
            assert_eq!(pid(other), None, "{other}");
        }
        assert!(Scratch::inside(Path::new("/srv/site")).owns(OsStr::new(".cutover-old-9-1")));
    }

    #[test]
    #[cfg(target_os = "linux")]
    fn mount_points_are_read_as_the_table_spells_them() {
        assert_eq!(unescape_mount(r"/srv/my\040site"), "/srv/my site");
        assert_eq!(unescape_mount(r"/a\134b\011c"), "/a\\b\tc");
        assert_eq!(unescape_mount(r"/a\9b\04"), r"/a\9b\04");
        assert!(is_mount_point(Path::new("/proc")), "/proc is a file system of its own");
        assert!(!is_mount_point(&std::env::current_dir().unwrap().join("src")));
    }

    #[test]
    #[cfg(target_os = "linux")]
    fn a_scratch_folder_belongs_to_a_running_process_of_the_same_name() {
        assert!(still_building(std::process::id()), "this process");
        let mut other = std::process::Command::new("sleep").arg("5").spawn().unwrap();
        assert!(!still_building(other.id()), "a running process of another name");
        other.kill().unwrap();
        other.wait().unwrap();
        assert!(!still_building(other.id()), "a process that has ended");
    }
}
