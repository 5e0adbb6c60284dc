//! Puts a signed text in place of an evidence file.
//!
//! The new text goes to a temporary file beside the file and is renamed over
//! it, so an interrupted `sign` leaves the old file whole. Around that:
//!
//! - the temporary file has a name of its own (created with `create_new`,
//!   never shared by two `sign`s) that starts with a dot, so loading skips
//!   it: it is never read as an attachment or as evidence;
//! - it gets the file's mode, and its owner and group where the system lets
//!   this process give them, before it is flushed to disk (`fsync`);
//! - just before the rename the file is read again: if it changed since
//!   `sign` read it (an editor saved it while the portfolio was being
//!   validated), nothing is written and the edit stays;
//! - a symbolic link is followed, and its target is what gets signed; a file
//!   with several hard links is refused (see [`Target::open`]);
//! - after the rename the folder is flushed too, so the new name survives a
//!   power cut.

use crate::Fatal;
use crate::core::text::printable;
use std::fs;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

/// The command that replaces a file, for its messages and its temporary
/// files' names: `sign` (an evidence file) or `import` (a workload.yaml).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Writer {
    Sign,
    Import,
}

impl Writer {
    fn verb(self) -> &'static str {
        match self {
            Writer::Sign => "sign",
            Writer::Import => "import",
        }
    }

    /// What the other names of a hard-linked file would be left as.
    fn left(self) -> &'static str {
        match self {
            Writer::Sign => "signing replaces it with a new file, which would leave the other names unsigned",
            Writer::Import => "importing replaces it with a new file, which would leave the other names as they were",
        }
    }
}

/// The file as `sign` or `import` found it.
pub(crate) struct Target {
    writer: Writer,
    /// Site-relative name, for messages.
    rel: String,
    /// The file itself, symbolic links resolved: what is replaced.
    path: PathBuf,
    /// Its bytes as read (byte-order mark included).
    original: Vec<u8>,
    meta: fs::Metadata,
}

impl Target {
    /// Opens `rel` (under `root`, in workload folder `dir`), following a
    /// symbolic link to its target, and checks that it is still the text
    /// that loading read (`loaded`, without byte-order mark).
    ///
    /// A file with more than one hard link is refused. Replacing it by
    /// rename would leave every other name with the unsigned text; writing
    /// through in place would not be atomic (a crash midway leaves half a
    /// file), and it would change files under names cutover cannot see,
    /// possibly outside the site root, which cutover never writes. Git
    /// checkouts do not make hard links, so one is rare and deliberate, and
    /// the person who made it is best placed to decide.
    pub(crate) fn open(writer: Writer, root: &Path, dir: &str, rel: &str, loaded: &str) -> Result<Target, Fatal> {
        let shown = printable(rel).into_owned();
        let verb = writer.verb();
        let cannot = |e: std::io::Error| Fatal::io("read", &shown, e);
        let path = fs::canonicalize(root.join(rel)).map_err(cannot)?;
        let folder = fs::canonicalize(root.join(dir)).map_err(cannot)?;
        if !path.starts_with(&folder) {
            return Err(Fatal::Refused(format!(
                "cannot {verb} {shown}: it is a symbolic link that leads outside its workload folder ({}); copy the file into the folder instead of linking to it",
                printable(&path.display().to_string())
            )));
        }
        let file = fs::File::open(&path).map_err(cannot)?;
        let meta = file.metadata().map_err(cannot)?;
        if !meta.is_file() {
            return Err(Fatal::Refused(format!("cannot {verb} {shown}: it is not a regular file")));
        }
        if let Some(links) = hard_links(&meta).filter(|n| *n > 1) {
            return Err(Fatal::Refused(format!(
                "cannot {verb} {shown}: the file has {links} hard links, and {}; make it a file of its own (`cp {shown} {shown}.copy && mv {shown}.copy {shown}`) and {verb} again",
                writer.left()
            )));
        }
        let mut original = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
        file.take(crate::load::MAX_TEXT_BYTES.saturating_add(1)).read_to_end(&mut original).map_err(cannot)?;
        let target = Target { writer, rel: shown, path, original, meta };
        if target.original[target.bom().len()..] != *loaded.as_bytes() {
            return Err(target.changed());
        }
        Ok(target)
    }

    /// The UTF-8 byte-order mark the file starts with, if any: kept on the signed file.
    pub(crate) fn bom(&self) -> &[u8] {
        if self.original.starts_with(b"\xef\xbb\xbf") { &self.original[..3] } else { &[] }
    }

    /// Replaces the file with `bytes`, unless it changed since [`Target::open`]
    /// read it or `still_valid` (the last check before the rename) says no.
    pub(crate) fn replace(&self, bytes: &[u8], still_valid: &dyn Fn() -> Result<(), Fatal>) -> Result<(), Fatal> {
        let folder = self.path.parent().unwrap_or(Path::new("."));
        let cannot = |e: std::io::Error| Fatal::io("write", &self.rel, e);
        let (mut file, tmp) = create_temporary(folder, &self.path, self.writer).map_err(cannot)?;
        file.write_all(bytes).map_err(cannot)?;
        keep_owner_and_mode(&file, &self.meta).map_err(cannot)?;
        // The data must be on disk before the name points at it: a crash
        // after the rename must not leave an empty or partial file.
        file.sync_all().map_err(cannot)?;
        drop(file);
        pause_for_tests(tmp.path());
        let now = fs::read(&self.path).map_err(|e| Fatal::io("read", &self.rel, e))?;
        if now != self.original {
            return Err(self.changed());
        }
        still_valid()?;
        fs::rename(tmp.path(), &self.path).map_err(cannot)?;
        tmp.keep();
        // The rename is durable once the folder is on disk. The file is
        // already signed here, so a folder that cannot be flushed (some file
        // systems refuse) is no reason to report a failure.
        if let Ok(dir) = fs::File::open(folder) {
            let _ = dir.sync_all();
        }
        Ok(())
    }

    fn changed(&self) -> Fatal {
        let verb = self.writer.verb();
        let what = match self.writer {
            Writer::Sign => "sign what is there now",
            Writer::Import => "import into what is there now",
        };
        Fatal::Refused(format!(
            "{} changed while {verb} was running (it was saved after {verb} read it); nothing was written and the change is kept: run `cutover {verb}` again to {what}",
            self.rel
        ))
    }
}

/// A temporary file that is removed when dropped, unless kept.
struct Temporary(Option<PathBuf>);

impl Temporary {
    fn path(&self) -> &Path {
        self.0.as_deref().unwrap_or(Path::new(""))
    }

    /// It has been renamed into place: nothing to remove.
    fn keep(mut self) {
        self.0 = None;
    }
}

impl Drop for Temporary {
    fn drop(&mut self) {
        if let Some(p) = &self.0 {
            let _ = fs::remove_file(p);
        }
    }
}

/// Creates a new, empty file beside `path`, named `.<name>.cutover-<verb>-<pid>-<n>`:
/// hidden, so loading skips it, and made with `create_new`, so no other
/// process (another `sign` included) can have it open. Readable by its
/// owner only until [`keep_owner_and_mode`] gives it the file's mode.
fn create_temporary(folder: &Path, path: &Path, writer: Writer) -> std::io::Result<(fs::File, Temporary)> {
    use std::sync::atomic::{AtomicU32, Ordering};
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let short: String = name.chars().take(64).collect();
    let salt = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.subsec_nanos());
    let mut last = None;
    for _ in 0..100 {
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let tmp = folder.join(format!(".{short}.cutover-{}-{}-{salt:x}-{n}", writer.verb(), std::process::id()));
        let mut options = fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        match options.open(&tmp) {
            Ok(file) => return Ok((file, Temporary(Some(tmp)))),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => last = Some(e),
            Err(e) => return Err(e),
        }
    }
    Err(last.unwrap_or_else(|| std::io::Error::other("no free temporary name")))
}

/// Gives the new file the old one's permission bits, and its owner and
/// group where this process may: root may give any, others may keep the
/// group when they belong to it. Where the owner cannot be kept, the file
/// becomes the signer's, as any editor's save by rename would.
#[cfg(unix)]
fn keep_owner_and_mode(file: &fs::File, old: &fs::Metadata) -> std::io::Result<()> {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let new = file.metadata()?;
    if (new.uid(), new.gid()) != (old.uid(), old.gid())
        && std::os::unix::fs::fchown(file, Some(old.uid()), Some(old.gid())).is_err()
    {
        let _ = std::os::unix::fs::fchown(file, None, Some(old.gid()));
    }
    // After the owner: changing it may clear the set-user-ID and set-group-ID bits.
    file.set_permissions(fs::Permissions::from_mode(old.mode() & 0o7777))
}

#[cfg(not(unix))]
fn keep_owner_and_mode(file: &fs::File, old: &fs::Metadata) -> std::io::Result<()> {
    file.set_permissions(old.permissions())
}

#[cfg(unix)]
fn hard_links(meta: &fs::Metadata) -> Option<u64> {
    Some(std::os::unix::fs::MetadataExt::nlink(meta))
}

#[cfg(not(unix))]
fn hard_links(_: &fs::Metadata) -> Option<u64> {
    None
}

/// Test hook, compiled in debug builds only: with `CUTOVER_TEST_SIGN_PAUSE`
/// set to a path `P`, `sign` stops once the new text is written beside the
/// file, writes the temporary file's path to `P.paused`, and waits for
/// `P.resume` to exist (a minute at most) before it compares and renames.
/// Tests edit the file or run another `sign` in that window.
#[cfg(debug_assertions)]
fn pause_for_tests(tmp: &Path) {
    let Some(base) = std::env::var_os("CUTOVER_TEST_SIGN_PAUSE") else { return };
    let with = |suffix: &str| {
        let mut p = base.clone();
        p.push(suffix);
        PathBuf::from(p)
    };
    let staged = with(".paused.partial");
    if fs::write(&staged, tmp.as_os_str().as_encoded_bytes()).is_ok() {
        let _ = fs::rename(&staged, with(".paused"));
    }
    let resume = with(".resume");
    let until = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while !resume.exists() && std::time::Instant::now() < until {
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
}

#[cfg(not(debug_assertions))]
fn pause_for_tests(_: &Path) {}
