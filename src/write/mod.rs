//! Puts a rendered [`Site`] on disk: it is written into a fresh folder beside
//! the target, made durable, and swapped in only when complete, so a failed,
//! killed or powered-off build leaves either the previous site or the new
//! one, never part of each.
//!
//! - `target` decides which output folders may be replaced at all;
//! - `scratch` names the staging folder and the previous site on its way
//!   out, and cleans up those that earlier builds left;
//! - `sources` tells, before anything is written, which files to copy cannot be read;
//! - `swap` puts the new site in place (in one step, or entry by entry
//!   inside a mount point);
//! - `hook` lets tests stop a debug build at its racy points.

mod hook;
mod scratch;
mod sources;
mod swap;
mod target;

use crate::render::{Output, Site};
use scratch::Scratch;
pub use sources::{cannot_read, unreadable};
use std::collections::BTreeSet;
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
pub use target::{MARKER, check_target};
use target::{MARKER_TEXT, absolute};

/// Why an output folder was refused or could not be written.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// A folder cutover will not write into (see [`check_target`]).
    #[error("refusing to write the site into {}: {why}", .out.display())]
    Refused {
        /// The output folder, as given.
        out: PathBuf,
        /// Why it is refused, and what to choose instead.
        why: String,
    },
    /// The output folder is `/` or has no parent to stage the site beside it.
    #[error("output folder has no parent")]
    NoParent,
    /// The folder that holds the output folder cannot be made.
    #[error("cannot create {}: {source}", .path.display())]
    Create {
        /// The folder or file.
        path: PathBuf,
        /// The system's error, with its kind.
        #[source]
        source: io::Error,
    },
    /// A file of the portfolio to copy into the site cannot be read.
    #[error("cannot read {}: {source}", .path.display())]
    Source {
        /// The folder or file.
        path: PathBuf,
        /// The system's error, with its kind.
        #[source]
        source: io::Error,
    },
    /// The staged site cannot be written or made durable.
    #[error("cannot write the site to {}: {source}", .out.display())]
    Write {
        /// The output folder.
        out: PathBuf,
        /// The system's error, with its kind.
        #[source]
        source: io::Error,
    },
    /// The output folder is busy (`EBUSY`): most likely a mount point.
    #[error(
        "cannot replace {}: the system says it is in use ({source}). If it is a mount point that cutover did not \
         recognise, build into a folder inside it instead (--out {}/site); the previous site is as it was",
        .out.display(),
        .out.display()
    )]
    Busy {
        /// The output folder.
        out: PathBuf,
        /// The system's error, with its kind.
        #[source]
        source: io::Error,
    },
    /// The new site cannot be swapped in for the previous one.
    #[error("cannot put the new site in place at {}: {source}; the previous site is as it was", .out.display())]
    Swap {
        /// The output folder.
        out: PathBuf,
        /// The system's error, with its kind.
        #[source]
        source: io::Error,
    },
}

/// Why one file of the site could not be put into the staging folder.
#[derive(Debug)]
pub enum PutError {
    /// The file to copy (its path relative to the site root) could not be
    /// read: the fault is in the portfolio, not in the output folder.
    Source(PathBuf, io::Error),
    /// The staging folder could not be written.
    Write(io::Error),
}

/// Writes `site` to `out`. `root` resolves attachment copies. Returns
/// warnings about folders of earlier builds that could not be removed.
pub fn write(site: &Site, root: &Path, out: &Path) -> Result<Vec<String>, WriteError> {
    write_counted(site, root, out, &AtomicUsize::new(0))
}

/// [`write()`](fn@write), counting the files written in `written` (for a progress bar).
pub(crate) fn write_counted(
    site: &Site,
    root: &Path,
    out: &Path,
    written: &AtomicUsize,
) -> Result<Vec<String>, WriteError> {
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
    scratch: Scratch,
    dir: PathBuf,
    /// The folders made inside `dir`: each is synced before the swap.
    folders: Mutex<BTreeSet<PathBuf>>,
    /// About leftovers of earlier builds that could not be removed.
    warnings: Vec<String>,
    finished: bool,
}

impl Staging {
    /// Starts a build's output: refuses an output folder that would overwrite
    /// the portfolio, and makes a staging folder beside it to write into.
    pub fn begin(root: &Path, out: &Path) -> Result<Staging, WriteError> {
        check_target(out, root)?;
        let out = absolute(out);
        let parent = out.parent().ok_or(WriteError::NoParent)?.to_path_buf();
        fs::create_dir_all(&parent).map_err(|source| WriteError::Create { path: parent.clone(), source })?;
        // A mount point cannot be renamed: its site is staged, and swapped, inside it.
        let scratch = if out.is_dir() && scratch::is_mount_point(&out) {
            Scratch::inside(&out)
        } else {
            Scratch::beside(&parent, &out)
        };
        let warnings = scratch.remove_leftovers();
        let dir = scratch.fresh("new");
        let staging = Staging {
            root: root.to_path_buf(),
            out,
            scratch,
            dir,
            folders: Mutex::new(BTreeSet::new()),
            warnings,
            finished: false,
        };
        // A folder of this name is left by an earlier process with this id, which has ended.
        if staging.dir.exists() {
            fs::remove_dir_all(&staging.dir).map_err(|e| staging.io_error(e))?;
        }
        fs::create_dir(&staging.dir).map_err(|e| staging.io_error(e))?;
        Ok(staging)
    }

    /// Writes one file of the site. Its folder is made only when the write
    /// finds it missing: most files share a folder with one written before
    /// them, and asking first cost two system calls per file.
    pub fn put(&self, path: &str, output: &Output) -> Result<(), PutError> {
        let dest = self.dir.join(path);
        match self.write_file(&dest, output) {
            Err(PutError::Write(e)) if e.kind() == io::ErrorKind::NotFound => {
                if let Some(p) = dest.parent() {
                    self.make_folder(p).map_err(PutError::Write)?;
                }
                self.write_file(&dest, output)
            }
            done => done,
        }
    }

    /// Writes and syncs one file: the swap must never make visible a site
    /// whose files a power loss could still empty. An attachment is copied
    /// as plain data: `fs::copy` would also carry over its permission bits
    /// (an executable bit has no place in a published site).
    fn write_file(&self, dest: &Path, output: &Output) -> Result<(), PutError> {
        let file = match output {
            Output::Bytes(b) => {
                let mut to = fs::File::create(dest).map_err(PutError::Write)?;
                to.write_all(b).map_err(PutError::Write)?;
                to
            }
            Output::Copy(src) => {
                let mut from = fs::File::open(self.root.join(src)).map_err(|e| PutError::Source(src.clone(), e))?;
                let mut to = fs::File::create(dest).map_err(PutError::Write)?;
                io::copy(&mut from, &mut to).map_err(PutError::Write)?;
                to
            }
        };
        file.sync_data().map_err(PutError::Write)
    }

    /// Makes folder `p` and its missing parents inside the staging folder,
    /// remembering each so that [`Staging::finish`] syncs it.
    fn make_folder(&self, p: &Path) -> io::Result<()> {
        fs::create_dir_all(p)?;
        let mut folders = self.folders.lock().map_err(|_| io::Error::other("a writer thread failed"))?;
        for folder in p.ancestors().take_while(|f| *f != self.dir) {
            if !folders.insert(folder.to_path_buf()) {
                break;
            }
        }
        Ok(())
    }

    /// The error to report for a file that could not be put in place.
    pub fn error(&self, e: PutError) -> WriteError {
        match e {
            PutError::Source(path, source) => WriteError::Source { path, source },
            PutError::Write(e) => self.io_error(e),
        }
    }

    fn io_error(&self, source: io::Error) -> WriteError {
        WriteError::Write { out: self.out.clone(), source }
    }

    /// Marks the folder as cutover's, makes it durable, and swaps it in for
    /// the previous site. The build has succeeded once the new site is in
    /// place: a previous site that cannot be removed then (a read-only folder,
    /// files of another user) is left under a scratch name for the next build
    /// to remove, and told about in the returned warnings.
    pub fn finish(mut self) -> Result<Vec<String>, WriteError> {
        self.seal().map_err(|e| self.io_error(e))?;
        let old = self.scratch.fresh("old");
        let swapped = if self.scratch.inside {
            swap::swap_inside(&self.dir, &self.out, &old, &self.scratch).map(|()| vec![self.dir.clone(), old.clone()])
        } else {
            swap::swap_beside(&self.dir, &self.out, &old).map(|previous| previous.into_iter().collect())
        };
        let previous = match swapped {
            Ok(previous) => previous,
            Err(e) => {
                // Empty unless a failed swap could not put everything back (its error says so).
                let _ = fs::remove_dir(&old);
                return Err(self.swap_error(e));
            }
        };
        self.finished = true;
        let mut warnings = std::mem::take(&mut self.warnings);
        if let Err(e) = swap::sync_dir(&self.scratch.dir) {
            warnings.push(format!("the new site is in place, but syncing {} failed: {e}", self.scratch.dir.display()));
        }
        for folder in previous {
            // After an exchange beside the output, the previous site is in the
            // staging folder: its name should say what it holds.
            let renamed = !self.scratch.inside && folder == self.dir && fs::rename(&folder, &old).is_ok();
            warnings.extend(retire(if renamed { &old } else { &folder }));
        }
        Ok(warnings)
    }

    /// Writes the marker, then syncs every folder of the staged site (the
    /// files were synced as they were written). The folders are synced from
    /// several threads: a file system commits syncs that wait together at once.
    fn seal(&self) -> io::Result<()> {
        use rayon::prelude::*;
        let mut marker = fs::File::create(self.dir.join(MARKER))?;
        marker.write_all(MARKER_TEXT.as_bytes())?;
        marker.sync_data()?;
        let folders = self.folders.lock().map_err(|_| io::Error::other("a writer thread failed"))?;
        folders.par_iter().try_for_each(|f| swap::sync_dir(f))?;
        swap::sync_dir(&self.dir)
    }

    fn swap_error(&self, source: io::Error) -> WriteError {
        let out = self.out.clone();
        if source.raw_os_error() == Some(libc::EBUSY) {
            return WriteError::Busy { out, source };
        }
        WriteError::Swap { out, source }
    }
}

/// Removes a previous site's folder once the new site is in place; a
/// failure is a warning, not a failed build.
fn retire(folder: &Path) -> Option<String> {
    let e = fs::remove_dir_all(folder).err().filter(|e| e.kind() != io::ErrorKind::NotFound)?;
    Some(format!(
        "the previous site was replaced, but its copy in {} could not be removed ({e}); \
         the next build will try again, or remove it yourself",
        folder.display()
    ))
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.finished {
            let _ = fs::remove_dir_all(&self.dir);
        }
    }
}
