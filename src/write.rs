//! Puts a rendered [`Site`] on disk atomically: it is written into a fresh
//! folder beside the target and swapped in only when complete, so a failed or
//! killed build leaves the previous site as it was.

use crate::render::{Output, Site};
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

/// The file that marks a folder as made by cutover (and therefore safe to replace).
pub const MARKER: &str = ".cutover-site";

/// Why an output folder was refused or could not be written.
#[derive(Debug)]
pub struct WriteError(pub String);

/// Refuses output folders that must never be replaced: the site root, anything
/// holding or inside `content/`, `/`, the home folder, and folders not made by cutover.
pub fn check_target(out: &Path, root: &Path) -> Result<(), WriteError> {
    let abs = absolute(out);
    let root = absolute(root);
    let content = root.join("content");
    let home = std::env::var_os("HOME").map(|h| absolute(Path::new(&h)));
    let refuse = |why: &str| Err(WriteError(format!("refusing to write the site into {}: {why}", out.display())));
    if abs.parent().is_none() {
        return refuse("it is the file system root");
    }
    if home.as_deref() == Some(abs.as_path()) {
        return refuse("it is your home folder");
    }
    if abs == root || root.starts_with(&abs) {
        return refuse("it holds the site root; choose a folder such as public/");
    }
    if abs.starts_with(&content) {
        return refuse("it is inside content/, which holds your evidence");
    }
    if abs.exists() {
        if !abs.is_dir() {
            return refuse("it exists and is not a folder");
        }
        let empty = fs::read_dir(&abs).map(|mut d| d.next().is_none()).unwrap_or(false);
        if !empty && !abs.join(MARKER).is_file() {
            return refuse(&format!(
                "it exists and was not made by cutover (no {MARKER} file); remove it or choose another folder"
            ));
        }
    }
    Ok(())
}

/// Writes `site` to `out`. `root` resolves attachment copies.
pub fn write(site: &Site, root: &Path, out: &Path) -> Result<(), WriteError> {
    write_counted(site, root, out, &AtomicUsize::new(0))
}

/// [`write`], counting the files written in `written` (for a progress bar).
pub fn write_counted(site: &Site, root: &Path, out: &Path, written: &AtomicUsize) -> Result<(), WriteError> {
    let staging = Staging::begin(root, out)?;
    for (path, output) in site {
        staging.put(path, output).map_err(|e| staging.error(e))?;
        written.fetch_add(1, Ordering::Relaxed);
    }
    staging.finish()
}

/// A site being written: files go into a fresh folder beside the output, and
/// [`Staging::finish`] swaps it in whole. Dropped unfinished (an error, a
/// panic), it removes its folder and the previous site stays as it was.
/// `put` may be called from several threads, so pages can be written as they
/// are rendered instead of being held in memory.
pub struct Staging {
    root: PathBuf,
    out: PathBuf,
    parent: PathBuf,
    name: String,
    dir: PathBuf,
    finished: bool,
}

impl Staging {
    pub fn begin(root: &Path, out: &Path) -> Result<Staging, WriteError> {
        check_target(out, root)?;
        let out = absolute(out);
        let parent = out.parent().ok_or_else(|| WriteError("output folder has no parent".into()))?.to_path_buf();
        fs::create_dir_all(&parent).map_err(|e| WriteError(format!("cannot create {}: {e}", parent.display())))?;
        let name = out.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "public".into());
        remove_leftovers(&parent, &name);
        let dir = parent.join(format!(".{name}.cutover-new-{}", std::process::id()));
        let fresh = |d: &Path| -> io::Result<()> {
            if d.exists() {
                fs::remove_dir_all(d)?;
            }
            fs::create_dir_all(d)
        };
        let staging = Staging { root: root.to_path_buf(), out, parent, name, dir, finished: false };
        fresh(&staging.dir).map_err(|e| staging.error(e))?;
        Ok(staging)
    }

    /// Writes one file of the site. Its folder is made only when the write
    /// finds it missing: most files share a folder with one written before
    /// them, and asking first cost two system calls per file.
    pub fn put(&self, path: &str, output: &Output) -> io::Result<()> {
        let dest = self.dir.join(path);
        match self.write_file(&dest, output) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                if let Some(p) = dest.parent() {
                    fs::create_dir_all(p)?;
                }
                self.write_file(&dest, output)
            }
            done => done,
        }
    }

    /// An attachment is copied as plain data: `fs::copy` would also carry
    /// over its permission bits (an executable bit has no place in a
    /// published site) at the cost of two more system calls.
    fn write_file(&self, dest: &Path, output: &Output) -> io::Result<()> {
        match output {
            Output::Bytes(b) => fs::write(dest, b),
            Output::Copy(src) => {
                let mut from = fs::File::open(self.root.join(src))?;
                let mut to = fs::File::create(dest)?;
                io::copy(&mut from, &mut to).map(|_| ())
            }
        }
    }

    pub fn error(&self, e: io::Error) -> WriteError {
        WriteError(format!("cannot write the site to {}: {e}", self.out.display()))
    }

    /// Marks the folder as cutover's and swaps it in for the previous site.
    pub fn finish(mut self) -> Result<(), WriteError> {
        let marker = "This folder was generated by cutover and is replaced on every build.\n";
        fs::write(self.dir.join(MARKER), marker)
            .and_then(|()| swap(&self.dir, &self.out, &self.parent, &self.name))
            .map_err(|e| self.error(e))?;
        self.finished = true;
        Ok(())
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.finished {
            let _ = fs::remove_dir_all(&self.dir);
        }
    }
}

/// Removes staging folders that a killed build left beside the output, unless
/// the build that made them is still running.
fn remove_leftovers(parent: &Path, name: &str) {
    let Ok(entries) = fs::read_dir(parent) else { return };
    for entry in entries.flatten() {
        let file_name = entry.file_name();
        let Some(rest) = file_name.to_str().and_then(|n| {
            n.strip_prefix(&format!(".{name}.cutover-new-"))
                .or_else(|| n.strip_prefix(&format!(".{name}.cutover-old-")))
        }) else {
            continue;
        };
        let alive = rest.parse::<u32>().is_ok_and(|pid| Path::new(&format!("/proc/{pid}")).exists());
        if !alive {
            let _ = fs::remove_dir_all(entry.path());
        }
    }
}

fn swap(staging: &Path, out: &Path, parent: &Path, name: &str) -> io::Result<()> {
    if !out.exists() {
        return fs::rename(staging, out);
    }
    // Exchanging the two folders in one step means there is no moment at which
    // the output folder is missing; the old site ends up at `staging`.
    if exchange(staging, out).is_ok() {
        return fs::remove_dir_all(staging);
    }
    let old = parent.join(format!(".{name}.cutover-old-{}", std::process::id()));
    fs::rename(out, &old)?;
    if let Err(e) = fs::rename(staging, out) {
        let _ = fs::rename(&old, out);
        return Err(e);
    }
    fs::remove_dir_all(&old)
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

fn absolute(p: &Path) -> PathBuf {
    let base = if p.is_absolute() { PathBuf::new() } else { std::env::current_dir().unwrap_or_default() };
    let mut out = PathBuf::new();
    for c in base.join(p).components() {
        match c {
            std::path::Component::ParentDir => {
                out.pop();
            }
            std::path::Component::CurDir => {}
            other => out.push(other),
        }
    }
    fs::canonicalize(&out).unwrap_or(out)
}
