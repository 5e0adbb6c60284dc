//! The git repository that holds the site, read in-process with gitoxide.
//!
//! cutover never runs the `git` binary: a build must not depend on what is
//! installed, on `PATH`, or on hooks and aliases in the user's configuration.
//! This module answers the few questions the pipeline asks of history: where
//! `HEAD` is, whether the history is complete, who the user is, and which
//! commit introduced each sign-off ([`Repo::origins`]).

mod commit;
mod origins;
#[cfg(test)]
mod tests;
mod tree;

pub use commit::{Commit, KeyError, Signature, SignatureState, parse_public_key};
pub use ssh_key::PublicKey;
pub use tree::{BlobRef, Entry, LineCommit, Reader, TreeId};

use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};

pub use crate::core::vocabulary::BlobId;

/// The id git gives `bytes` as a blob. Repositories are read as SHA-1 ones
/// (the only object format built in); a SHA-256 one never matches, which
/// costs speed, not correctness.
pub fn blob_id(bytes: &[u8]) -> BlobId {
    match gix::objs::compute_hash(gix::hash::Kind::Sha1, gix::objs::Kind::Blob, bytes) {
        Ok(gix::ObjectId::Sha1(id)) => BlobId(id),
        _ => BlobId([0; 20]),
    }
}

/// A repository whose work tree holds the site root.
pub struct Repo {
    /// Thread-safe so that [`Repo::origins`] can read objects from rayon's threads.
    repo: gix::ThreadSafeRepository,
    /// The site root's folder inside the work tree, one entry per component
    /// (empty when the site root is the top of the work tree): callers speak
    /// in site-relative paths, trees in work-tree-relative ones.
    prefix: Vec<String>,
}

impl std::fmt::Debug for Repo {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.debug_struct("Repo").field("git_dir", &self.repo.git_dir()).field("prefix", &self.prefix).finish()
    }
}

/// A repository that exists but cannot be read (corrupt objects, unreadable
/// files, an invalid configuration).
#[derive(Debug, thiserror::Error)]
pub enum GitError {
    /// gitoxide failed at `what`; the message holds its whole chain of
    /// causes, since its top-level message alone is often too vague to act on.
    #[error("{what}: {causes}")]
    Gix {
        /// What was being read (`cannot read commit 1a2b...`).
        what: String,
        /// gitoxide's messages down the chain, joined with `: `.
        causes: String,
        /// gitoxide's error itself.
        #[source]
        source: gix::Error,
    },
    /// What the repository holds is not what it should be (an object of the
    /// wrong kind, a commit that cannot be parsed, a revision that names none).
    #[error("{0}")]
    Content(String),
}

impl GitError {
    /// `what` failed because of `err`, with gitoxide's whole chain of causes.
    fn from_gix(what: impl std::fmt::Display, err: impl Into<gix::Error>) -> GitError {
        let err = err.into();
        let mut causes: Vec<String> = Vec::new();
        for e in err.iter_errors() {
            let text = e.to_string();
            if !text.is_empty() && !causes.contains(&text) {
                causes.push(text);
            }
        }
        if causes.is_empty() {
            causes.push(err.to_string());
        }
        GitError::Gix { what: what.to_string(), causes: causes.join(": "), source: err }
    }
}

/// Finds the repository whose work tree holds `site_root` (walk up like git does).
/// Ok(None) when site_root is not inside a git work tree (including a bare repo); Err only when a repository exists but cannot be read.
pub fn discover(site_root: &Path) -> Result<Option<Repo>, GitError> {
    // Compare real paths: the site root may be given through a symbolic link
    // or as a relative path, and the work tree is reported resolved.
    let root = std::fs::canonicalize(site_root).unwrap_or_else(|_| site_root.to_path_buf());
    if !root.is_dir() {
        return Err(GitError::Content(format!(
            "cannot look for a git repository: {} is not a folder",
            site_root.display()
        )));
    }
    let repo = match gix::ThreadSafeRepository::discover(&root) {
        Ok(repo) => repo,
        Err(err) => {
            use gix::discover::upwards::Error as Upwards;
            return match err.downcast_any_ref::<Upwards>() {
                Some(
                    Upwards::NoGitRepository { .. }
                    | Upwards::NoGitRepositoryWithinCeiling { .. }
                    | Upwards::NoGitRepositoryWithinFs { .. },
                ) => Ok(None),
                _ => Err(GitError::from_gix(
                    format_args!("cannot open the git repository that holds {}", site_root.display()),
                    err,
                )),
            };
        }
    };
    let Some(workdir) = repo.work_dir() else { return Ok(None) };
    let workdir = std::fs::canonicalize(workdir).unwrap_or_else(|_| workdir.to_path_buf());
    let Some(prefix) = components_below(&root, &workdir) else { return Ok(None) };
    // Inside the repository's own folder (`.git/...`) is not in the work tree.
    if prefix.first().is_some_and(|c| c == ".git") {
        return Ok(None);
    }
    Ok(Some(Repo { repo, prefix }))
}

/// The components of `path` below `base`, or None when it is not below it
/// or a component is not valid UTF-8 (git paths here are compared as text).
fn components_below(path: &Path, base: &Path) -> Option<Vec<String>> {
    let rest: PathBuf = path.strip_prefix(base).ok()?.to_path_buf();
    rest.components()
        .filter(|c| !matches!(c, Component::CurDir))
        .map(|c| match c {
            Component::Normal(part) => part.to_str().map(str::to_string),
            _ => None,
        })
        .collect()
}

impl Repo {
    /// The site root's folder inside the work tree, `/`-separated, ending in
    /// `/` (empty at the top): what turns a site-relative path into one that
    /// the repository's host (a pull request's annotations) knows.
    pub fn prefix(&self) -> String {
        self.prefix.iter().map(|p| format!("{p}/")).collect()
    }

    /// Whether the clone is shallow, so that history stops short (W0011).
    pub fn is_shallow(&self) -> bool {
        self.repo.to_thread_local().is_shallow().unwrap_or(false)
    }

    /// HEAD's commit id (full hex), None for an unborn HEAD (repository without commits).
    pub fn head(&self) -> Option<String> {
        self.head_id().ok().flatten().map(|id| id.to_string())
    }

    /// The commit HEAD points to after following references and tags;
    /// Ok(None) when HEAD is unborn, Err when a reference cannot be read.
    fn head_id(&self) -> Result<Option<gix::ObjectId>, GitError> {
        let repo = self.repo.to_thread_local();
        let mut head = repo.head().map_err(|e| GitError::from_gix("cannot read HEAD", e))?;
        if head.is_unborn() {
            return Ok(None);
        }
        let commit = head.peel_to_commit().map_err(|e| GitError::from_gix("cannot find the commit of HEAD", e))?;
        Ok(Some(commit.id))
    }

    /// `user.email` as git would resolve it for this repository (repo config, then global/user config, then system), None when unset.
    pub fn user_email(&self) -> Option<String> {
        let repo = self.repo.to_thread_local();
        let email = repo.config_snapshot().string("user.email")?;
        let email = String::from_utf8_lossy(email.as_ref()).trim().to_string();
        (!email.is_empty()).then_some(email)
    }

    /// For each file (path relative to the SITE ROOT, `/`-separated; the site root may be a subfolder of the work tree), and for each fingerprint that `extract` returns for HEAD's version of that file: the commit that introduced that fingerprint, i.e. the oldest commit C reachable from HEAD such that the file has that fingerprint in C and in every commit on some path from C to HEAD, and C's parents' versions do not have it (a root commit that has it introduced it). Files absent from HEAD are absent from the result.
    ///
    /// History is walked once, not blamed file by file: a blame costs
    /// milliseconds, and a portfolio has thousands of files. `extract` is
    /// called once per distinct blob (results are shared by blob id, so it
    /// must answer the same for the same bytes), in parallel, with the path
    /// of one file that holds the blob. "Oldest" among unrelated candidates
    /// (the same lines added on two branches) is the earlier committer date.
    /// A file present in HEAD with no fingerprints maps to an empty map.
    pub fn origins<F>(
        &self,
        files: &[String],
        extract: F,
    ) -> Result<BTreeMap<String, BTreeMap<String, Commit>>, GitError>
    where
        F: Fn(&str, &[u8]) -> Vec<String> + Sync,
    {
        self.origins_knowing(files, &[], extract)
    }

    /// [`Repo::origins`], told beforehand what `extract` answers for some
    /// blobs (the work tree's copies of the files, hashed with [`blob_id`]
    /// while they were loaded anyway): history mostly holds the very same
    /// blobs, and reading them back from the object database (decompressing
    /// each) is most of the cost.
    pub fn origins_knowing<F>(
        &self,
        files: &[String],
        known: &[(BlobId, Vec<String>)],
        extract: F,
    ) -> Result<BTreeMap<String, BTreeMap<String, Commit>>, GitError>
    where
        F: Fn(&str, &[u8]) -> Vec<String> + Sync,
    {
        let Some(head) = self.head_id()? else { return Ok(BTreeMap::new()) };
        let known: std::collections::HashMap<gix::ObjectId, Vec<String>> =
            known.iter().map(|(id, prints)| (gix::ObjectId::Sha1(id.0), prints.clone())).collect();
        origins::origins(&self.repo, head, &self.prefix, files, &known, &extract)
    }
}
