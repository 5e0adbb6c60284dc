//! `content/` as it was at a commit, read from git objects into the same
//! [`Sources`] that loading makes of the work tree, so that validation and
//! evaluation are the very ones a build runs.
//!
//! The rules follow `load`: hidden names are skipped, `*.md` directly in a
//! workload folder is evidence, every other file is an attachment, folders
//! are read 32 levels deep, texts are UTF-8 with the byte-order mark removed.
//! What git holds and a work tree would not (symbolic links, submodules) is
//! left out: history never follows a link.

use crate::core::diagnostics::Diagnostic;
use crate::load::git::{BlobRef, Entry, GitError, Reader, TreeId};
use crate::load::{SourceFile, Sources, WorkloadSources};
use std::collections::BTreeMap;

/// Files of the work tree by their git blob id (a build hashed each evidence
/// file while validating it): most versions that history reads are the very
/// ones in the work tree, and reading a file back is much cheaper than
/// decompressing its blob.
pub type Known = std::collections::HashMap<crate::load::git::BlobId, std::path::PathBuf>;

/// A blob's bytes: the work tree's copy when it is known to be the same
/// (and still is: it is hashed again), else from the object database.
fn bytes(reader: &mut Reader, blob: BlobRef, known: &Known) -> Result<Vec<u8>, GitError> {
    if let Some(path) = known.get(&blob.id())
        && let Ok(bytes) = std::fs::read(path)
        && crate::load::git::blob_id(&bytes) == blob.id()
    {
        return Ok(bytes);
    }
    reader.blob(blob)
}

/// How deep a workload folder is read (as `load` does).
const MAX_FOLDER_DEPTH: usize = 32;

/// The top of `content/` at one commit: what decides how every workload is read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Content {
    pub site: Option<BlobRef>,
    pub checklist: Option<BlobRef>,
    pub pages: Option<TreeId>,
    /// Workload folder name -> its tree.
    pub workloads: BTreeMap<String, TreeId>,
}

impl Content {
    /// `content/` in the commit whose whole tree is `top`; None when the
    /// commit has no `content/` folder at the site root.
    pub fn at(reader: &mut Reader, top: TreeId) -> Result<Option<Content>, GitError> {
        let Some(root) = reader.site_root(top)? else { return Ok(None) };
        let Some(content) = folder(reader.entries(root)?, "content") else { return Ok(None) };
        let mut out = Content::default();
        for (name, entry) in reader.entries(content)? {
            match (name.as_str(), entry) {
                ("site.yaml", Entry::File(b)) => out.site = Some(b),
                ("checklist.yaml", Entry::File(b)) => out.checklist = Some(b),
                ("pages", Entry::Folder(t)) => out.pages = Some(t),
                ("workloads", Entry::Folder(t)) => {
                    for (w, e) in reader.entries(t)? {
                        if let (false, Entry::Folder(tree)) = (is_hidden(&w), e) {
                            out.workloads.insert(w, tree);
                        }
                    }
                }
                _ => {}
            }
        }
        Ok(Some(out))
    }

    /// Everything but the workload folders: site.yaml, checklist.yaml, pages.
    pub fn top_sources(&self, reader: &mut Reader, root: &std::path::Path) -> Result<Sources, GitError> {
        let mut diags = Vec::new();
        let mut text = |blob: Option<BlobRef>, rel: &str, diags: &mut Vec<Diagnostic>| -> Result<_, GitError> {
            Ok(match blob {
                Some(b) => crate::load::decode_text(reader.blob(b)?, rel, diags),
                None => None,
            })
        };
        let site = text(self.site, "content/site.yaml", &mut diags)?;
        let checklist = text(self.checklist, "content/checklist.yaml", &mut diags)?;
        let mut pages = Vec::new();
        if let Some(tree) = self.pages {
            for (name, entry) in reader.entries(tree)? {
                if let (true, false, Entry::File(b)) = (name.ends_with(".md"), is_hidden(&name), entry) {
                    let rel = format!("content/pages/{name}");
                    pages.extend(crate::load::decode_text(reader.blob(b)?, &rel, &mut diags));
                }
            }
        }
        Ok(Sources { root: root.to_path_buf(), site, checklist, workloads: Vec::new(), pages, diagnostics: diags })
    }

    /// The whole of `content/`, as [`crate::load::load`] reads the work tree.
    pub fn sources(&self, reader: &mut Reader, root: &std::path::Path) -> Result<Sources, GitError> {
        let mut sources = self.top_sources(reader, root)?;
        for (name, tree) in &self.workloads {
            let (w, d) = workload(reader, name, *tree, &Known::new())?;
            sources.workloads.push(w);
            sources.diagnostics.extend(d);
        }
        Ok(sources)
    }
}

fn folder(entries: Vec<(String, Entry)>, name: &str) -> Option<TreeId> {
    entries.into_iter().find_map(|(n, e)| match e {
        Entry::Folder(t) if n == name => Some(t),
        _ => None,
    })
}

fn is_hidden(name: &str) -> bool {
    name.starts_with('.')
}

/// One workload folder at a commit, with the problems that stop a file from being read.
pub fn workload(
    reader: &mut Reader,
    name: &str,
    tree: TreeId,
    known: &Known,
) -> Result<(WorkloadSources, Vec<Diagnostic>), GitError> {
    let dir = format!("content/workloads/{name}");
    let mut diags = Vec::new();
    let mut w = WorkloadSources {
        id: name.to_string(),
        dir: dir.clone(),
        workload_yaml: None,
        evidence: Vec::new(),
        attachments: Vec::new(),
        // History decides; it publishes no page, so it does not read documents.
        documents: Vec::new(),
        unreadable: Vec::new(),
        attachment_digests: BTreeMap::new(),
    };
    let mut blobs: BTreeMap<String, BlobRef> = BTreeMap::new();
    let mut todo = vec![(String::new(), tree, 1usize)];
    while let Some((inner, tree, depth)) = todo.pop() {
        for (entry_name, entry) in reader.entries(tree)? {
            if is_hidden(&entry_name) {
                continue;
            }
            let path = if inner.is_empty() { entry_name.clone() } else { format!("{inner}/{entry_name}") };
            match entry {
                Entry::Folder(t) if depth < MAX_FOLDER_DEPTH => todo.push((path, t, depth + 1)),
                Entry::Folder(_) | Entry::Other => {}
                Entry::File(b) if depth == 1 && path == "workload.yaml" => {
                    w.workload_yaml = crate::load::decode_text(reader.blob(b)?, &format!("{dir}/{path}"), &mut diags);
                }
                Entry::File(b) if depth == 1 && path.ends_with(".md") => {
                    match crate::load::decode_text(bytes(reader, b, known)?, &format!("{dir}/{path}"), &mut diags) {
                        Some(f) => w.evidence.push(f),
                        None => w.unreadable.push(path),
                    }
                }
                Entry::File(b) => {
                    blobs.insert(path.clone(), b);
                    w.attachments.push(path);
                }
            }
        }
    }
    w.evidence.sort_by(|a: &SourceFile, b| a.path.cmp(&b.path));
    w.attachments.sort();
    // Signed evidence covers the files it links to (as `load` does).
    if w.evidence.iter().any(|e| e.text.contains("validated_digest:")) {
        for (path, b) in blobs {
            w.attachment_digests.insert(path, crate::core::digest::sha256_hex(&reader.blob(b)?));
        }
    }
    Ok((w, diags))
}
