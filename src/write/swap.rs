//! Putting the staged site in place of the previous one: in one step where
//! the system can exchange two folders, and never leaving the output folder
//! holding part of each.

use super::hook;
use super::scratch::Scratch;
use super::target::replaceable;
use std::ffi::OsString;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

/// How often a build tries again when other builds keep putting their site
/// at the output path between its two attempts (each attempt is two renames).
const ATTEMPTS: usize = 8;

/// Puts the folder `staging` at `out`, beside it on the same file system.
/// Returns where the previous site now is, if there was one: `staging`
/// after an exchange, `old` after the two-step replacement.
///
/// A plain rename is tried first: it succeeds only when nothing (or an empty
/// folder) is at `out`, and it fails as a whole when another build's site got
/// there first. Only then are the two folders exchanged, so two builds into
/// a folder that did not exist both succeed, the last one's site winning.
pub(super) fn swap_beside(staging: &Path, out: &Path, old: &Path) -> io::Result<Option<PathBuf>> {
    hook::pause("publish");
    for _ in 0..ATTEMPTS {
        match fs::rename(staging, out) {
            Ok(()) => return Ok(None),
            Err(e) if !occupied(&e) => return Err(e),
            Err(_) => {}
        }
        // The check made before the build, made again on what is there now.
        if !replaceable(out) {
            return Err(io::Error::other(format!(
                "{} was replaced during the build by a folder cutover did not make; it was left as it is",
                out.display()
            )));
        }
        match exchange(staging, out) {
            Ok(()) => return Ok(Some(staging.to_path_buf())),
            // Another build moved it away in between: try the rename again.
            Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
            Err(e) if no_exchange(&e) => return replace_in_two_steps(staging, out, old).map(Some),
            Err(e) => return Err(e),
        }
    }
    Err(io::Error::other("other builds kept replacing the output folder at the same moment; run the build again"))
}

/// Where the file system cannot exchange two folders: the previous site is
/// renamed aside, then the new one into its place (for a moment there is no
/// site at `out`), and a failure of the second rename renames it back.
fn replace_in_two_steps(staging: &Path, out: &Path, old: &Path) -> io::Result<PathBuf> {
    fs::rename(out, old)?;
    if let Err(e) = fs::rename(staging, out) {
        return match fs::rename(old, out) {
            Ok(()) => Err(e),
            Err(_) if occupied(&e) => Err(io::Error::other(format!(
                "another build put its site in place at the same moment; this build's site was not published, \
                 and the previous site is in {}",
                old.display()
            ))),
            Err(back) => Err(io::Error::other(format!(
                "{e}; putting the previous site back failed too ({back}): it is in {}",
                old.display()
            ))),
        };
    }
    Ok(old.to_path_buf())
}

/// One move of [`swap_inside`], remembered so that it can be undone.
enum Step {
    /// An entry of the previous site, moved into the `old` folder.
    Aside(OsString),
    /// An entry of the new site, moved from the staging folder into `out`.
    In(OsString),
    /// An entry exchanged between the staging folder and `out`.
    Exchanged(OsString),
}

/// Puts the site staged in `staging` into `out`, a mount point, entry by
/// entry: a mount point cannot be renamed, and only what is inside it can.
/// Each top-level entry of the new site is exchanged with the previous
/// site's entry of that name (or moved in), and the previous site's other
/// entries are moved into `old`; so for a moment a reader may find some
/// top-level entries new and others old. If a move fails, those made are
/// undone in reverse order and the previous site is as it was. A lock on
/// `out` keeps two builds from interleaving their moves.
pub(super) fn swap_inside(staging: &Path, out: &Path, old: &Path, scratch: &Scratch) -> io::Result<()> {
    let _lock = lock(out)?;
    hook::pause("publish");
    fs::create_dir(old)?;
    let mut done = Vec::new();
    let Err(e) = move_entries(staging, out, old, scratch, &mut done) else { return Ok(()) };
    match undo(&done, staging, out, old) {
        Ok(()) => Err(e),
        Err(back) => Err(io::Error::new(
            e.kind(),
            format!(
                "{e}; putting the previous site back failed too ({back}): what was moved aside is in {}",
                old.display()
            ),
        )),
    }
}

fn move_entries(staging: &Path, out: &Path, old: &Path, scratch: &Scratch, done: &mut Vec<Step>) -> io::Result<()> {
    let new = entries(staging)?;
    let previous: Vec<OsString> = entries(out)?.into_iter().filter(|n| !scratch.owns(n) && !new.contains(n)).collect();
    for name in previous {
        hook::fail(&format!("swap-entry-{}", done.len()))?;
        fs::rename(out.join(&name), old.join(&name))?;
        done.push(Step::Aside(name));
    }
    for name in new {
        hook::fail(&format!("swap-entry-{}", done.len()))?;
        let (from, to) = (staging.join(&name), out.join(&name));
        if fs::symlink_metadata(&to).is_err() {
            fs::rename(&from, &to)?;
            done.push(Step::In(name));
            continue;
        }
        match exchange(&from, &to) {
            Ok(()) => done.push(Step::Exchanged(name)),
            Err(e) if no_exchange(&e) => {
                fs::rename(&to, old.join(&name))?;
                done.push(Step::Aside(name.clone()));
                fs::rename(&from, &to)?;
                done.push(Step::In(name));
            }
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// Reverses the moves in `done`, last first; keeps going past a failure and returns the first.
fn undo(done: &[Step], staging: &Path, out: &Path, old: &Path) -> io::Result<()> {
    let mut first = Ok(());
    for step in done.iter().rev() {
        let undone = match step {
            Step::Aside(n) => fs::rename(old.join(n), out.join(n)),
            Step::In(n) => fs::rename(out.join(n), staging.join(n)),
            Step::Exchanged(n) => exchange(&staging.join(n), &out.join(n)),
        };
        if first.is_ok() {
            first = undone;
        }
    }
    first
}

/// The names in `dir`, sorted.
fn entries(dir: &Path) -> io::Result<Vec<OsString>> {
    let mut names = fs::read_dir(dir)?.map(|e| e.map(|e| e.file_name())).collect::<io::Result<Vec<_>>>()?;
    names.sort();
    Ok(names)
}

/// A rename that failed because something is already at the target.
fn occupied(e: &io::Error) -> bool {
    matches!(e.kind(), io::ErrorKind::DirectoryNotEmpty | io::ErrorKind::AlreadyExists)
}

/// An exchange that failed because the system or the file system has none.
fn no_exchange(e: &io::Error) -> bool {
    matches!(e.kind(), io::ErrorKind::Unsupported | io::ErrorKind::InvalidInput)
}

/// Flushes a folder's entries to the disk, so that the names in it survive a power loss.
pub(super) fn sync_dir(dir: &Path) -> io::Result<()> {
    fs::File::open(dir)?.sync_all()
}

/// An exclusive lock on the folder `dir`, held until the file is dropped.
#[cfg(unix)]
fn lock(dir: &Path) -> io::Result<fs::File> {
    use std::os::fd::AsRawFd;
    let file = fs::File::open(dir)?;
    // SAFETY: the descriptor is open for the duration of the call.
    if unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX) } == 0 {
        Ok(file)
    } else {
        Err(io::Error::last_os_error())
    }
}

#[cfg(not(unix))]
fn lock(dir: &Path) -> io::Result<fs::File> {
    fs::File::open(dir)
}

/// Atomically exchanges two paths (Linux `renameat2(RENAME_EXCHANGE)`).
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> io::Result<()> {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    let ca = CString::new(a.as_os_str().as_bytes())?;
    let cb = CString::new(b.as_os_str().as_bytes())?;
    // SAFETY: both pointers are valid NUL-terminated paths for the duration of the call.
    let rc =
        unsafe { libc::renameat2(libc::AT_FDCWD, ca.as_ptr(), libc::AT_FDCWD, cb.as_ptr(), libc::RENAME_EXCHANGE) };
    if rc == 0 { Ok(()) } else { Err(io::Error::last_os_error()) }
}

#[cfg(not(target_os = "linux"))]
fn exchange(_: &Path, _: &Path) -> io::Result<()> {
    Err(io::Error::new(io::ErrorKind::Unsupported, "no atomic exchange on this platform"))
}
