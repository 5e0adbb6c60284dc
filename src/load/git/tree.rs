//! What history and diff need of the repository: `HEAD`'s first-parent
//! line, a revision resolved to a commit, and the files of a tree at a
//! commit, read straight from the object database (never the work tree).

use super::{GitError, Repo};
use crate::core::date::Date;
use gix::ObjectId;
use gix::prelude::FindExt;

/// A tree (a folder at some commit), by its id: two folders with the same id
/// hold the very same files, so what was made of one serves for the other.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TreeId(ObjectId);

impl TreeId {
    /// A tree id that names no tree, for tests of what is built on commits.
    #[cfg(test)]
    pub(crate) fn null() -> TreeId {
        TreeId(ObjectId::null(gix::hash::Kind::Sha1))
    }
}

/// A file's content at some commit, by its id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct BlobRef(ObjectId);

impl BlobRef {
    /// The id as git names it, comparable with [`super::blob_id`] of the work tree's bytes.
    pub fn id(&self) -> super::BlobId {
        match self.0 {
            ObjectId::Sha1(b) => super::BlobId(b),
            #[allow(unreachable_patterns)]
            _ => super::BlobId([0; 20]),
        }
    }
}

/// One entry of a tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry {
    /// A folder, by its tree id.
    Folder(TreeId),
    /// A file, by its blob id.
    File(BlobRef),
    /// A symbolic link, a submodule: cutover reads neither from history.
    Other,
}

/// A commit on `HEAD`'s first-parent line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineCommit {
    /// Full hex.
    pub id: String,
    /// The commit's whole tree (the top of the work tree).
    pub tree: TreeId,
    /// The committer date as a calendar day in UTC: what decides the day a commit counts for.
    pub committed: Date,
    /// The author's e-mail, shown as what brought a change.
    pub author_email: String,
    /// The author's name, shown beside the e-mail.
    pub author_name: String,
    /// The first line of the message.
    pub subject: String,
}

impl LineCommit {
    /// The commit id as people quote it (7 digits).
    pub fn short_id(&self) -> &str {
        self.id.get(..7).unwrap_or(&self.id)
    }
}

/// Reads trees and blobs; one per thread (it is not `Sync`), made by [`Repo::reader`].
pub struct Reader {
    repo: gix::Repository,
    buf: Vec<u8>,
    prefix: Vec<String>,
}

/// Decoded trees kept per reader: consecutive commits share most folders.
const READER_CACHE_BYTES: usize = 8 << 20;

impl Repo {
    /// A reader of this repository's objects for the calling thread.
    pub fn reader(&self) -> Reader {
        let mut repo = self.repo.to_thread_local();
        repo.object_cache_size(READER_CACHE_BYTES);
        Reader { repo, buf: Vec::new(), prefix: self.prefix.clone() }
    }

    /// `HEAD`'s first-parent line, newest first (empty for an unborn `HEAD`).
    /// In a shallow clone the line stops where the history does.
    pub fn first_parent_line(&self) -> Result<Vec<LineCommit>, GitError> {
        let Some(head) = self.head_id()? else { return Ok(Vec::new()) };
        let mut reader = self.reader();
        let shallow: std::collections::HashSet<ObjectId> = reader
            .repo
            .shallow_commits()
            .map_err(|e| GitError::from_gix("cannot read the list of shallow commits", e))?
            .map(|list| list.iter().copied().collect())
            .unwrap_or_default();
        let mut line = Vec::new();
        let mut seen = std::collections::HashSet::new();
        let mut next = Some(head);
        while let Some(id) = next.take() {
            if !seen.insert(id) {
                break;
            }
            let (commit, parent) = reader.line_commit(id)?;
            line.push(commit);
            if !shallow.contains(&id) {
                next = parent;
            }
        }
        Ok(line)
    }

    /// The commit that `rev` names: `HEAD`, a branch, tag or remote branch
    /// (`main`, `origin/main`, `refs/...`), a commit id (whole or at least 4
    /// hex digits), each optionally followed by `~N`, `^` or `^N`. Err says in
    /// words why it names no commit.
    pub fn resolve(&self, rev: &str) -> Result<LineCommit, GitError> {
        let mut reader = self.reader();
        let (base, steps) = split_suffixes(rev)?;
        let mut id = reader.resolve_base(base, rev)?;
        for (parent, times) in steps {
            for _ in 0..times {
                let (_, parents) = reader.parents(id)?;
                let Some(p) = parents.get(parent.saturating_sub(1)).copied() else {
                    return Err(GitError::Content(format!(
                        "`{rev}` names no commit: {} has no parent number {parent} in this repository \
                         (in a shallow clone, fetch the whole history)",
                        &id.to_string()[..7]
                    )));
                };
                id = p;
            }
        }
        Ok(reader.line_commit(id)?.0)
    }
}

/// Steps from a commit to an ancestor: (which parent, how many times).
type Steps = Vec<(usize, usize)>;

/// `rev` as its base and its `~N` / `^N` steps.
fn split_suffixes(rev: &str) -> Result<(&str, Steps), GitError> {
    let at = rev.find(['~', '^']).unwrap_or(rev.len());
    let (base, mut rest) = rev.split_at(at);
    let mut steps = Vec::new();
    while let Some(c) = rest.chars().next() {
        rest = &rest[c.len_utf8()..];
        let digits = rest.len() - rest.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        let n = if digits == 0 {
            1
        } else {
            rest[..digits]
                .parse::<usize>()
                .map_err(|_| GitError::Content(format!("`{rev}`: the number is too large")))?
        };
        rest = &rest[digits..];
        match c {
            '~' => steps.push((1, n)),
            '^' if n == 0 => {}
            '^' => steps.push((n, 1)),
            _ => {
                return Err(GitError::Content(format!(
                    "`{rev}` is not a revision cutover understands: write a branch, a tag or a commit id, \
                     optionally followed by ~N or ^N"
                )));
            }
        }
    }
    if base.is_empty() {
        return Err(GitError::Content(format!("`{rev}` is not a revision: it names no branch, tag or commit")));
    }
    Ok((base, steps))
}

impl Reader {
    /// The entries of tree `id`, by name (git's order).
    pub fn entries(&mut self, id: TreeId) -> Result<Vec<(String, Entry)>, GitError> {
        let data = self
            .repo
            .objects
            .find(&id.0, &mut self.buf)
            .map_err(|e| GitError::from_gix(format_args!("cannot read tree {}", id.0), e))?;
        if data.kind != gix::objs::Kind::Tree {
            return Err(GitError::Content(format!("object {} should be a tree but is a {}", id.0, data.kind)));
        }
        let mut out = Vec::new();
        for entry in gix::objs::TreeRefIter::from_bytes(data.data, id.0.kind()) {
            let entry =
                entry.map_err(|_| GitError::Content(format!("tree {} is corrupt: an entry cannot be parsed", id.0)))?;
            // A name that is not UTF-8 cannot be a workload or an evidence file.
            let Ok(name) = std::str::from_utf8(entry.filename.as_ref()) else { continue };
            let kind = if entry.mode.is_tree() {
                Entry::Folder(TreeId(entry.oid.to_owned()))
            } else if entry.mode.is_blob() {
                Entry::File(BlobRef(entry.oid.to_owned()))
            } else {
                Entry::Other
            };
            out.push((name.to_string(), kind));
        }
        Ok(out)
    }

    /// The bytes of a blob.
    pub fn blob(&mut self, id: BlobRef) -> Result<Vec<u8>, GitError> {
        let data = self
            .repo
            .objects
            .find(&id.0, &mut self.buf)
            .map_err(|e| GitError::from_gix(format_args!("cannot read blob {}", id.0), e))?;
        if data.kind != gix::objs::Kind::Blob {
            return Err(GitError::Content(format!("object {} should be a blob but is a {}", id.0, data.kind)));
        }
        Ok(data.data.to_vec())
    }

    /// The site root's folder in the commit whose whole tree is `top`
    /// (None when the commit does not have that folder).
    pub fn site_root(&mut self, top: TreeId) -> Result<Option<TreeId>, GitError> {
        let mut tree = top;
        for part in self.prefix.clone() {
            match self.entries(tree)?.into_iter().find(|(name, _)| *name == part) {
                Some((_, Entry::Folder(t))) => tree = t,
                _ => return Ok(None),
            }
        }
        Ok(Some(tree))
    }

    /// A commit of the line, with its first parent.
    fn line_commit(&mut self, id: ObjectId) -> Result<(LineCommit, Option<ObjectId>), GitError> {
        let data = self
            .repo
            .objects
            .find(&id, &mut self.buf)
            .map_err(|e| GitError::from_gix(format_args!("cannot read commit {id}"), e))?;
        let corrupt = |what: &str| GitError::Content(format!("commit {id} is corrupt: {what}"));
        if data.kind != gix::objs::Kind::Commit {
            return Err(GitError::Content(format!("{id} is a {}, not a commit", data.kind)));
        }
        let commit =
            gix::objs::CommitRef::from_bytes(data.data, id.kind()).map_err(|_| corrupt("it cannot be parsed"))?;
        let committed = commit.committer().map_err(|_| corrupt("its committer line cannot be parsed"))?.seconds();
        let author = commit.author().map_err(|_| corrupt("its author line cannot be parsed"))?.trim();
        let subject = String::from_utf8_lossy(commit.message_summary().as_ref()).into_owned();
        let line = LineCommit {
            id: id.to_string(),
            tree: TreeId(commit.tree()),
            committed: Date::from_days_since_epoch(committed.div_euclid(86_400)),
            author_email: String::from_utf8_lossy(author.email).into_owned(),
            author_name: String::from_utf8_lossy(author.name).into_owned(),
            subject,
        };
        Ok((line, commit.parents().next()))
    }

    fn parents(&mut self, id: ObjectId) -> Result<(ObjectId, Vec<ObjectId>), GitError> {
        let data = self
            .repo
            .objects
            .find(&id, &mut self.buf)
            .map_err(|e| GitError::from_gix(format_args!("cannot read commit {id}"), e))?;
        let commit = gix::objs::CommitRef::from_bytes(data.data, id.kind())
            .map_err(|_| GitError::Content(format!("commit {id} is corrupt: it cannot be parsed")))?;
        Ok((id, commit.parents().collect()))
    }

    /// A branch, tag, remote branch or commit id, peeled to its commit.
    fn resolve_base(&mut self, base: &str, rev: &str) -> Result<ObjectId, GitError> {
        let not_commit = |what: String| GitError::Content(format!("`{rev}` names {what}, not a commit"));
        let found = match self.repo.try_find_reference(base) {
            Ok(Some(mut r)) => Some(
                r.peel_to_commit()
                    .map_err(|e| GitError::from_gix(format_args!("`{rev}` cannot be followed to a commit"), e))?
                    .id,
            ),
            Ok(None) => None,
            // An id such as `1a2b3c4` is not a valid reference name to every store: look it up as an id.
            Err(_) => None,
        };
        if let Some(id) = found {
            return Ok(id);
        }
        let hex = base.len() >= 4 && base.len() <= 40 && base.bytes().all(|b| b.is_ascii_hexdigit());
        if !hex {
            return Err(GitError::Content(format!(
                "`{rev}` is not a revision in this repository: no branch, tag or remote branch is called `{base}` \
                 (in CI, fetch it first, for example `git fetch origin main`, with the whole history)"
            )));
        }
        let id = if base.len() == 40 {
            ObjectId::from_hex(base.as_bytes()).map_err(|_| GitError::Content(format!("`{rev}` is not a commit id")))?
        } else {
            let prefix = gix::hash::Prefix::from_hex(base)
                .map_err(|_| GitError::Content(format!("`{rev}` is not a commit id")))?;
            match self.repo.objects.lookup_prefix(prefix, None) {
                Ok(Some(Ok(id))) => id,
                Ok(Some(Err(()))) => {
                    return Err(GitError::Content(format!(
                        "`{rev}` is ambiguous: several objects start with it; give more digits"
                    )));
                }
                Ok(None) => {
                    return Err(GitError::Content(format!(
                        "`{rev}` is not a revision in this repository: no object starts with it"
                    )));
                }
                Err(e) => return Err(GitError::Content(format!("cannot look `{rev}` up: {e}"))),
            }
        };
        match self.repo.objects.find(&id, &mut self.buf) {
            Ok(data) if data.kind == gix::objs::Kind::Commit => Ok(id),
            Ok(data) if data.kind == gix::objs::Kind::Tag => {
                let obj = self
                    .repo
                    .find_object(id)
                    .map_err(|e| GitError::from_gix(format_args!("cannot read `{rev}`"), e))?;
                obj.peel_to_commit().map(|c| c.id).map_err(|_| not_commit("a tag of something else".into()))
            }
            Ok(data) => Err(not_commit(format!("a {}", data.kind))),
            Err(_) => {
                Err(GitError::Content(format!("`{rev}` is not a revision in this repository: there is no such commit")))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::split_suffixes;

    #[test]
    fn suffixes() {
        assert_eq!(split_suffixes("main").unwrap(), ("main", vec![]));
        assert_eq!(split_suffixes("HEAD~3").unwrap(), ("HEAD", vec![(1, 3)]));
        assert_eq!(split_suffixes("HEAD^^2~").unwrap(), ("HEAD", vec![(1, 1), (2, 1), (1, 1)]));
        assert_eq!(split_suffixes("a^0").unwrap(), ("a", vec![]));
        assert!(split_suffixes("~1").is_err());
    }
}
