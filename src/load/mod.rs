//! Reads `content/` from disk: which files exist, their text, and problems
//! that stop a file from being read at all. Nothing here interprets YAML.

pub mod frontmatter;
pub mod git;
pub mod markdown;
pub mod root;
pub mod sanitize;
pub(crate) mod theme;
pub mod yaml;

use crate::core::diagnostics::{Code, Diagnostic};
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

/// Folders inside a workload are read this many levels deep (docs/limits.md).
const MAX_FOLDER_DEPTH: usize = 32;

/// Text files larger than this are refused without being read.
pub const MAX_TEXT_BYTES: u64 = 8 * 1024 * 1024;
/// Attachments larger than this are refused: they would be copied into every build.
pub(crate) const MAX_ATTACHMENT_BYTES: u64 = 64 * 1024 * 1024;

/// A text file, read and decoded.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// Relative to the site root, `/`-separated: how diagnostics name it.
    pub path: String,
    /// The text without a leading byte-order mark; shared with the evidence
    /// bodies cut from it (see `model::Body`).
    pub text: std::sync::Arc<String>,
}

/// One folder under `content/workloads/`.
#[derive(Debug, Clone)]
pub struct WorkloadSources {
    /// The folder name, which is the workload id if it is valid.
    pub id: String,
    /// Relative to the site root.
    pub dir: String,
    /// `workload.yaml`, when the folder has one.
    pub workload_yaml: Option<SourceFile>,
    /// `*.md` directly in the folder, sorted by name.
    pub evidence: Vec<SourceFile>,
    /// Every other file, relative to the folder, sorted.
    pub attachments: Vec<String>,
    /// The Markdown files among the attachments, read: published as pages
    /// when something published links them (see `crate::core::documents`).
    pub documents: Vec<SourceFile>,
    /// `*.md` files that could not be read (too large, not UTF-8...), already reported.
    pub unreadable: Vec<String>,
    /// Hex SHA-256 of each attachment, filled only when some evidence here is signed.
    pub attachment_digests: BTreeMap<String, String>,
}

/// Everything read from `content/`.
#[derive(Debug, Clone, Default)]
pub struct Sources {
    /// The site root the paths are relative to.
    pub root: PathBuf,
    /// `site.yaml`, when there is one.
    pub site: Option<SourceFile>,
    /// `checklist.yaml`, when the portfolio brings its own.
    pub checklist: Option<SourceFile>,
    /// Each folder under content/workloads/, sorted by name.
    pub workloads: Vec<WorkloadSources>,
    /// Each file of content/pages/, sorted by name.
    pub pages: Vec<SourceFile>,
    /// What reading found wrong (unreadable, too large, a symbolic link leading out...).
    pub diagnostics: Vec<Diagnostic>,
}

impl Sources {
    /// The text of a file by its site-relative path, for quoting source
    /// lines; `None` when it was not loaded or its text was let go (see
    /// `WorkloadSources::drop_texts`).
    pub fn text_of(&self, path: &str) -> Option<&str> {
        let top = self.site.iter().chain(self.checklist.iter()).chain(self.pages.iter());
        // Workloads are in folder order: find the folder first, not every file of the portfolio.
        // (Folders are sorted by id, unless `serve` added one since: then look at each.)
        let in_workload = path.strip_prefix("content/workloads/").and_then(|rest| {
            let id = rest.split('/').next()?;
            let w = match self.workloads.binary_search_by(|w| w.id.as_str().cmp(id)) {
                Ok(i) => &self.workloads[i],
                Err(_) => self.workloads.iter().find(|w| w.id == id)?,
            };
            w.workload_yaml.iter().chain(w.evidence.iter()).find(|f| f.path == path)
        });
        let file = in_workload.or_else(|| top.into_iter().find(|f| f.path == path))?;
        (!file.text.is_empty()).then_some(file.text.as_str())
    }
}

impl WorkloadSources {
    /// The files loading found in the folder: workload.yaml, evidence and attachments.
    pub(crate) fn file_count(&self) -> usize {
        usize::from(self.workload_yaml.is_some()) + self.evidence.len() + self.attachments.len()
    }

    /// Lets go of the files' texts: once a workload is validated, a lean
    /// `check` needs none of them (it reads again the few files a diagnostic
    /// quotes). The evidence files are forgotten; `workload_yaml` keeps its
    /// path with an empty text.
    pub(crate) fn drop_texts(&mut self) {
        self.evidence = Vec::new();
        if let Some(f) = &mut self.workload_yaml {
            f.text = Default::default();
        }
    }
}

/// Why the site root cannot be used at all (exit code 2, not a diagnostic).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct RootError(pub String);

/// Reads the portfolio under `root/content`.
pub fn load(root: &Path) -> Result<Sources, RootError> {
    let (mut sources, folders) = load_root(root)?;
    let loaded: Vec<(WorkloadSources, Vec<Diagnostic>)> =
        folders.par_iter().map(|(name, path)| load_workload_at(name, path)).collect();
    for (w, d) in loaded {
        sources.workloads.push(w);
        sources.diagnostics.extend(d);
    }
    Ok(sources)
}

/// Everything under `content/` but the workload folders, which it lists
/// (id and path, sorted) for the caller to read: [`load`] reads them all
/// first, `validate::validate_streaming` reads and validates them one by one.
pub(crate) fn load_root(root: &Path) -> Result<(Sources, Vec<(String, PathBuf)>), RootError> {
    let content = root.join("content");
    if !content.is_dir() {
        return Err(RootError(format!(
            "no `content/` folder in {}: run cutover from a site root, or pass the root as an argument",
            root.display()
        )));
    }
    let mut sources = Sources { root: root.to_path_buf(), ..Sources::default() };
    let mut diags = Vec::new();
    let mut workload_dirs = Vec::new();
    // Symbolic links may not lead out of content/ (nothing outside the site root is read).
    let inside = fs::canonicalize(&content).unwrap_or_else(|_| content.clone());
    if fs::canonicalize(root).is_ok_and(|r| !inside.starts_with(r)) {
        return Err(RootError(format!(
            "{} is a symbolic link to a folder outside the site root ({}); cutover reads nothing outside the site root: \
             move the evidence into content/ instead of linking to it",
            content.display(),
            inside.display()
        )));
    }
    for entry in sorted_entries(&content, "content", &inside, &mut diags) {
        let Entry { name, path, .. } = &entry;
        let rel = format!("content/{name}");
        match name.as_str() {
            "site.yaml" => sources.site = read_text(path, &rel, &mut diags),
            "checklist.yaml" => sources.checklist = read_text(path, &rel, &mut diags),
            "workloads" if entry.dir => {
                for w in sorted_entries(path, &rel, &inside, &mut diags) {
                    let Entry { name: wname, path: wpath, .. } = &w;
                    if w.symlink {
                        diags.push(
                            Diagnostic::new(
                                Code::E0004,
                                format!("{rel}/{wname}"),
                                1,
                                1,
                                "a workload folder may not be a symbolic link",
                            )
                            .with_help("move the folder into content/workloads/ instead of linking to it"),
                        );
                    } else if w.dir {
                        workload_dirs.push((wname.clone(), wpath.clone()));
                    } else {
                        diags.push(unused(
                            &format!("{rel}/{wname}"),
                            "files directly under content/workloads/ are not read; each workload is a folder",
                        ));
                    }
                }
            }
            "pages" if entry.dir => sources.pages = load_pages(path, &rel, &inside, &mut diags),
            "site.yml" | "checklist.yml" => {
                let want = name.replace(".yml", ".yaml");
                diags.push(unused(&rel, &format!("rename it to `{want}`: cutover reads only that name")));
            }
            _ => diags.push(unused(&rel, "content/ holds site.yaml, checklist.yaml, workloads/ and pages/")),
        }
    }
    sources.diagnostics = diags;
    Ok((sources, workload_dirs))
}

fn unused(rel: &str, why: &str) -> Diagnostic {
    Diagnostic::new(Code::W0003, rel, 1, 1, format!("`{rel}` is not used by cutover")).with_help(why.to_string())
}

fn is_symlink(p: &Path) -> bool {
    fs::symlink_metadata(p).map(|m| m.file_type().is_symlink()).unwrap_or(false)
}

fn is_hidden(name: &str) -> bool {
    name.starts_with('.')
}

/// One entry of a folder. The kind comes from the directory listing itself
/// where it can (no `stat` per entry); a symbolic link's `dir` and `file`
/// describe its target.
struct Entry {
    name: String,
    path: PathBuf,
    symlink: bool,
    dir: bool,
    file: bool,
}

impl Entry {
    fn of(name: &str, entry: &fs::DirEntry) -> Entry {
        let path = entry.path();
        let (symlink, dir, file) = match entry.file_type() {
            Ok(t) if t.is_symlink() => (true, path.is_dir(), path.is_file()),
            Ok(t) => (false, t.is_dir(), t.is_file()),
            Err(_) => (is_symlink(&path), path.is_dir(), path.is_file()),
        };
        Entry { name: name.to_string(), path, symlink, dir, file }
    }
}

/// Directory entries sorted by name, hidden ones skipped, unreadable ones and
/// symbolic links that leave `inside` (or loop) reported and skipped.
fn sorted_entries(dir: &Path, rel: &str, inside: &Path, diags: &mut Vec<Diagnostic>) -> Vec<Entry> {
    let rd = match fs::read_dir(dir) {
        Ok(rd) => rd,
        Err(e) => {
            diags.push(Diagnostic::new(Code::E0001, rel, 1, 1, format!("cannot read folder: {e}")));
            return Vec::new();
        }
    };
    let mut out: Vec<Entry> = Vec::new();
    for entry in rd.flatten() {
        let name = entry.file_name();
        match name.to_str() {
            Some(n) if is_hidden(n) => {}
            Some(n) => {
                let e = Entry::of(n, &entry);
                if !e.symlink
                    || symlink_stays_inside(
                        &e.path,
                        Some(inside),
                        &format!("{rel}/{n}"),
                        "its folder (workload folder, or content/)",
                        diags,
                    )
                {
                    out.push(e);
                }
            }
            None => diags.push(Diagnostic::new(
                Code::E0002,
                format!("{rel}/{}", name.to_string_lossy()),
                1,
                1,
                "file name is not valid UTF-8",
            )),
        }
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out
}

/// Reads a text file: size limit, UTF-8 check, byte-order mark removed.
pub(crate) fn read_text(path: &Path, rel: &str, diags: &mut Vec<Diagnostic>) -> Option<SourceFile> {
    let err = |code, msg: String| Diagnostic::new(code, rel, 1, 1, msg);
    let bytes = match read_limited(path) {
        Ok(b) => b,
        Err(ReadError::TooLarge(len)) => {
            diags.push(
                err(Code::E0003, format!("file is {len} bytes, over the limit of {MAX_TEXT_BYTES} bytes"))
                    .with_help("split the evidence, and attach large material as separate files"),
            );
            return None;
        }
        Err(ReadError::NotAFile) => {
            diags.push(err(Code::E0001, "not a regular file".into()));
            return None;
        }
        Err(ReadError::Io(e)) => {
            diags.push(err(Code::E0001, format!("cannot read file: {e}")));
            return None;
        }
    };
    decode_text(bytes, rel, diags)
}

/// A text file's bytes as its text, with the rules [`read_text`] applies:
/// UTF-8 or a diagnostic at the first bad byte, byte-order mark removed.
/// History reads files from git this way, so that it sees what a build would.
pub(crate) fn decode_text(bytes: Vec<u8>, rel: &str, diags: &mut Vec<Diagnostic>) -> Option<SourceFile> {
    if bytes.len() as u64 > MAX_TEXT_BYTES {
        let len = bytes.len();
        diags.push(
            Diagnostic::new(
                Code::E0003,
                rel,
                1,
                1,
                format!("file is {len} bytes, over the limit of {MAX_TEXT_BYTES} bytes"),
            )
            .with_help("split the evidence, and attach large material as separate files"),
        );
        return None;
    }
    match String::from_utf8(bytes) {
        Ok(mut text) => {
            if text.starts_with('\u{feff}') {
                text.drain(..3);
            }
            Some(SourceFile { path: rel.to_string(), text: text.into() })
        }
        Err(e) => {
            let bytes = e.as_bytes();
            let valid = e.utf8_error().valid_up_to();
            let line = 1 + bytes[..valid].iter().filter(|b| **b == b'\n').count() as u32;
            let line_start = bytes[..valid].iter().rposition(|b| *b == b'\n').map_or(0, |i| i + 1);
            let column = 1 + String::from_utf8_lossy(&bytes[line_start..valid]).chars().count() as u32;
            diags.push(
                Diagnostic::new(Code::E0002, rel, line, column, format!("invalid UTF-8 at byte {valid}")).with_help(
                    "save the file as UTF-8; binary files belong in attachments, not in `.md` or `.yaml` files",
                ),
            );
            None
        }
    }
}

/// A Markdown attachment's text, read leniently (see where it is called);
/// `None` when it cannot be read at all.
fn read_document(path: &Path, rel: &str) -> Option<SourceFile> {
    let bytes = fs::read(path).ok()?;
    let mut text = match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
    };
    if text.starts_with('\u{feff}') {
        text.drain(..3);
    }
    Some(SourceFile { path: rel.to_string(), text: text.into() })
}

enum ReadError {
    TooLarge(u64),
    NotAFile,
    Io(std::io::Error),
}

/// A text file's bytes, with one `open`, one `fstat` and the reads: the size
/// limit and the regular-file check come from the open handle. The handle is
/// non-blocking so that a FIFO in the portfolio is refused, not waited on;
/// that makes no difference to reading a regular file.
fn read_limited(path: &Path) -> Result<Vec<u8>, ReadError> {
    use std::io::Read;
    let mut options = fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::custom_flags(&mut options, libc::O_NONBLOCK);
    let file = options.open(path).map_err(ReadError::Io)?;
    let meta = file.metadata().map_err(ReadError::Io)?;
    if !meta.is_file() {
        return Err(ReadError::NotAFile);
    }
    if meta.len() > MAX_TEXT_BYTES {
        return Err(ReadError::TooLarge(meta.len()));
    }
    // The file as it was when opened: reading stops at the size `fstat` gave,
    // which spares the read that would only find the end of the file.
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    file.take(meta.len()).read_to_end(&mut bytes).map_err(ReadError::Io)?;
    Ok(bytes)
}

fn load_pages(dir: &Path, rel: &str, inside: &Path, diags: &mut Vec<Diagnostic>) -> Vec<SourceFile> {
    let mut pages = Vec::new();
    for e in sorted_entries(dir, rel, inside, diags) {
        let file_rel = format!("{rel}/{}", e.name);
        if e.name.ends_with(".md") && e.file {
            pages.extend(read_text(&e.path, &file_rel, diags));
        } else {
            diags.push(unused(&file_rel, "content/pages/ holds `<page-id>.md` files"));
        }
    }
    pages
}

/// Reads one workload folder again, with the diagnostics about it: `serve`
/// does this after a change inside a folder, instead of reading every folder.
pub fn load_workload_dir(root: &Path, name: &str) -> (WorkloadSources, Vec<Diagnostic>) {
    load_workload_at(name, &root.join("content").join("workloads").join(name))
}

/// Reads the workload folder `dir`, whose id is `name`, with the diagnostics about it.
pub(crate) fn load_workload_at(name: &str, dir: &Path) -> (WorkloadSources, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let w = load_workload(name, dir, &mut diags);
    (w, diags)
}

fn load_workload(name: &str, dir: &Path, diags: &mut Vec<Diagnostic>) -> WorkloadSources {
    let rel = format!("content/workloads/{name}");
    let mut w = WorkloadSources {
        id: name.to_string(),
        dir: rel.clone(),
        workload_yaml: None,
        evidence: Vec::new(),
        attachments: Vec::new(),
        documents: Vec::new(),
        unreadable: Vec::new(),
        attachment_digests: BTreeMap::new(),
    };
    // Resolved only when the folder holds a symbolic link (it costs a readlink per path component).
    let mut canonical_dir: Option<Option<PathBuf>> = None;
    let walker =
        walkdir::WalkDir::new(dir).follow_links(false).sort_by_file_name().min_depth(1).max_depth(MAX_FOLDER_DEPTH);
    for entry in walker.into_iter().filter_entry(|e| !e.file_name().to_str().is_some_and(is_hidden)) {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                let at = e.path().map_or(rel.clone(), |p| site_rel(&rel, dir, p));
                diags.push(Diagnostic::new(Code::E0001, at, 1, 1, format!("cannot read: {e}")));
                continue;
            }
        };
        let Some(inner) = inner_path(dir, entry.path()) else {
            diags.push(Diagnostic::new(
                Code::E0002,
                site_rel(&rel, dir, entry.path()),
                1,
                1,
                "file name is not valid UTF-8",
            ));
            continue;
        };
        let file_rel = format!("{rel}/{inner}");
        if entry.path_is_symlink() {
            let inside = canonical_dir.get_or_insert_with(|| fs::canonicalize(dir).ok());
            if !symlink_stays_inside(
                entry.path(),
                inside.as_deref(),
                &file_rel,
                "its folder (workload folder, or content/)",
                diags,
            ) {
                continue;
            }
            if !entry.path().is_file() {
                // Following links to folders could loop (`self -> .`), and
                // a link through one would otherwise read as a missing file.
                diags.push(
                    Diagnostic::new(Code::E0004, &file_rel, 1, 1, "a symbolic link to a folder is not followed")
                        .with_help("move or copy the files into a real folder inside the workload folder"),
                );
                continue;
            }
        } else if !entry.file_type().is_file() {
            let too_deep = entry.file_type().is_dir() && entry.depth() == MAX_FOLDER_DEPTH;
            if too_deep && fs::read_dir(entry.path()).is_ok_and(|mut d| d.next().is_some()) {
                let msg = format!("folder nested {MAX_FOLDER_DEPTH} levels deep: the files in it are not read");
                let help = "move the files it holds to a shallower folder";
                diags.push(Diagnostic::new(Code::W0003, &file_rel, 1, 1, msg).with_help(help));
            }
            if !entry.file_type().is_dir() {
                let msg = "not a regular file (a FIFO, socket or device); cutover reads files and folders only";
                diags.push(
                    Diagnostic::new(Code::E0001, &file_rel, 1, 1, msg).with_help("remove it from the workload folder"),
                );
                if entry.depth() == 1 && inner.ends_with(".md") {
                    w.unreadable.push(inner);
                }
            }
            continue;
        }
        if entry.depth() == 1 && inner == "workload.yaml" {
            w.workload_yaml = read_text(entry.path(), &file_rel, diags);
        } else if entry.depth() == 1 && inner.ends_with(".md") {
            match read_text(entry.path(), &file_rel, diags) {
                Some(f) => w.evidence.push(f),
                None => w.unreadable.push(inner),
            }
        } else if entry.metadata().is_ok_and(|m| m.len() > MAX_ATTACHMENT_BYTES) {
            diags.push(
                Diagnostic::new(
                    Code::E0003,
                    &file_rel,
                    1,
                    1,
                    format!("attachment is over the limit of {MAX_ATTACHMENT_BYTES} bytes"),
                )
                .with_help(
                    "link to large material on a document store (an https URL) instead of copying it into the site",
                ),
            );
        } else {
            // A Markdown attachment is published as a page. It was published
            // unread before, so it is read leniently: nothing that built then
            // fails now (bytes that are not UTF-8 show as U+FFFD; the limit is
            // the attachment's). One that cannot be read at all stays a plain
            // attachment, which the copy then reports.
            if crate::core::documents::is_document(&inner)
                && let Some(doc) = read_document(entry.path(), &file_rel)
            {
                w.documents.push(doc);
            }
            w.attachments.push(inner);
        }
    }
    // Signed evidence covers the files it links to; hash them only when something was signed.
    if w.evidence.iter().any(|e| e.text.contains("validated_digest:")) {
        for a in &w.attachments {
            match fs::read(dir.join(a)) {
                Ok(bytes) => {
                    w.attachment_digests.insert(a.clone(), crate::core::digest::sha256_hex(&bytes));
                }
                Err(e) => diags.push(Diagnostic::new(
                    Code::E0001,
                    format!("{rel}/{a}"),
                    1,
                    1,
                    format!("cannot read file: {e}"),
                )),
            }
        }
    }
    w
}

/// A symlink may point only inside `dir` (named `outside` in the message:
/// its workload folder, `content/`, the site root).
pub(crate) fn symlink_stays_inside(
    path: &Path,
    dir: Option<&Path>,
    rel: &str,
    outside: &str,
    diags: &mut Vec<Diagnostic>,
) -> bool {
    match (fs::canonicalize(path), dir) {
        (Ok(target), Some(dir)) if target.starts_with(dir) => true,
        (Ok(_), _) => {
            diags.push(
                Diagnostic::new(Code::E0004, rel, 1, 1, format!("symbolic link points outside {outside}")).with_help(
                    "copy the file here instead of linking to it; cutover reads nothing outside the site root",
                ),
            );
            false
        }
        (Err(e), _) => {
            diags.push(Diagnostic::new(Code::E0004, rel, 1, 1, format!("symbolic link cannot be followed: {e}")));
            false
        }
    }
}

/// A walked entry's path below `dir`, with `/` between names; `None` if it is
/// not UTF-8. walkdir makes each entry's path by joining names onto `dir`, so
/// on Unix that is the text after `dir`: taken as it is, it costs a fraction
/// of splitting both paths into components (2,000 instructions an entry,
/// 1.5% of a build).
fn inner_path(dir: &Path, p: &Path) -> Option<String> {
    let d = dir.as_os_str().as_encoded_bytes();
    let rest = cfg!(unix)
        .then(|| p.as_os_str().as_encoded_bytes().strip_prefix(d))
        .flatten()
        .and_then(|r| r.strip_prefix(b"/").or(d.ends_with(b"/").then_some(r)))
        .filter(|r| !r.is_empty() && !r.starts_with(b"/"));
    match rest {
        Some(rest) => std::str::from_utf8(rest).ok().map(str::to_string),
        None => p.strip_prefix(dir).ok().and_then(slash_path),
    }
}

fn slash_path(p: &Path) -> Option<String> {
    let parts: Option<Vec<&str>> = p.components().map(|c| c.as_os_str().to_str()).collect();
    parts.map(|v| v.join("/"))
}

fn site_rel(rel: &str, dir: &Path, p: &Path) -> String {
    match p.strip_prefix(dir) {
        Ok(inner) => format!("{rel}/{}", inner.to_string_lossy().replace('\\', "/")),
        Err(_) => rel.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inner_paths_match_a_component_walk() {
        for (dir, p) in [
            ("content/workloads/a", "content/workloads/a/stage.md"),
            ("content/workloads/a/", "content/workloads/a/stage.md"),
            ("content/workloads/a", "content/workloads/a/runbooks/deep/x y.txt"),
            ("/abs/w", "/abs/w/ä.md"),
            ("w", "w"),
            ("content/workloads/a", "content/workloads/ab/stage.md"),
        ] {
            let (dir, p) = (Path::new(dir), Path::new(p));
            assert_eq!(inner_path(dir, p), p.strip_prefix(dir).ok().and_then(slash_path), "{dir:?} {p:?}");
        }
        assert_eq!(inner_path(Path::new("w"), Path::new("w/runbooks/a.md")).as_deref(), Some("runbooks/a.md"));
        assert_eq!(inner_path(Path::new("w"), Path::new("wx/a.md")), None, "not under the folder");
    }

    #[cfg(unix)]
    #[test]
    fn a_name_that_is_not_utf8_has_no_inner_path() {
        use std::os::unix::ffi::OsStrExt;
        let p = Path::new("w").join(std::ffi::OsStr::from_bytes(b"bad\xff.md"));
        assert_eq!(inner_path(Path::new("w"), &p), None);
    }
}
