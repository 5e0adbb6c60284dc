//! Which commit introduced each sign-off, for every file at once.
//!
//! Blaming each file costs milliseconds, and a portfolio has thousands of
//! files, so history is walked once instead:
//!
//! 1. collect the commits reachable from HEAD and order them parents first;
//! 2. diff each commit's tree against its first parent's, descending only
//!    into folders that hold a requested file and whose tree ids differ;
//! 3. run `extract` once per distinct blob that appeared, in parallel;
//! 4. in that order, carry each file's state (its blob, and for each
//!    fingerprint the oldest commit that introduced it) from parents to
//!    children: a file the commit did not touch keeps its state, one it
//!    changed keeps the origin of every fingerprint a parent had and takes
//!    the commit itself for the others, and a merge takes the oldest origin
//!    among the parents that have the fingerprint.

use super::{Commit, GitError};
use gix::ObjectId;
use gix::prelude::FindExt;
use rayon::prelude::*;
use std::cmp::Reverse;
use std::collections::hash_map::Entry;
use std::collections::{BTreeMap, BTreeSet, BinaryHeap, HashMap, HashSet};

/// Memory for decoded trees per thread while diffing.
const TREE_CACHE_BYTES: usize = 16 << 20;

/// Each commit's changes, by position in the commit order: (file, new blob).
type Changes<Blob> = Vec<Vec<(u32, Blob)>>;

/// A file's state where the file is absent (or not a regular file).
const ABSENT: u32 = u32::MAX;

/// A commit reachable from HEAD.
struct Node {
    id: ObjectId,
    tree: ObjectId,
    /// Indices into the node list, without duplicates; empty for a root or a shallow boundary.
    parents: Vec<u32>,
    /// Committer time: orders unrelated commits, oldest first.
    time: i64,
}

/// The requested files as a tree of path components from the top of the work tree.
struct Trie {
    nodes: Vec<TrieNode>,
}

#[derive(Default)]
struct TrieNode {
    children: HashMap<Box<[u8]>, u32>,
    /// The index of the requested file at this path.
    file: Option<u32>,
}

impl Trie {
    fn new(prefix: &[String], files: &[String]) -> Trie {
        let mut trie = Trie { nodes: vec![TrieNode::default()] };
        for (index, file) in files.iter().enumerate() {
            let parts: Vec<&str> = prefix.iter().map(String::as_str).chain(file.split('/')).collect();
            // Such a path can name no tree entry: the file is absent everywhere.
            if parts.iter().any(|p| p.is_empty() || *p == "." || *p == "..") {
                continue;
            }
            let mut node = 0usize;
            for part in parts {
                let next = trie.nodes.len() as u32;
                let child = *trie.nodes[node].children.entry(part.as_bytes().into()).or_insert(next);
                if child == next {
                    trie.nodes.push(TrieNode::default());
                }
                node = child as usize;
            }
            trie.nodes[node].file.get_or_insert(index as u32);
        }
        trie
    }
}

/// One file's history state at one commit.
#[derive(PartialEq, Eq)]
struct State {
    blob: u32,
    /// (fingerprint, position of the commit that introduced it), sorted by fingerprint.
    origins: Box<[(u32, u32)]>,
}

pub(super) fn origins(
    shared: &gix::ThreadSafeRepository,
    head: ObjectId,
    prefix: &[String],
    files: &[String],
    known: &HashMap<ObjectId, Vec<String>>,
    extract: &(dyn Fn(&str, &[u8]) -> Vec<String> + Sync),
) -> Result<BTreeMap<String, BTreeMap<String, Commit>>, GitError> {
    let files: Vec<String> = files.iter().cloned().collect::<BTreeSet<_>>().into_iter().collect();
    let repo = shared.to_thread_local();
    let nodes = collect(&repo, head)?;
    let order = parents_first(&nodes);
    let trie = Trie::new(prefix, &files);

    // Each commit's changes to the requested files, by position in `order`.
    let changes: Changes<Option<ObjectId>> = order
        .par_iter()
        .map_init(
            || {
                // A commit's old tree is its parent's new one: keep recent trees decoded.
                let mut repo = shared.to_thread_local();
                repo.object_cache_size(TREE_CACHE_BYTES);
                repo
            },
            |repo, &c| {
                let node = &nodes[c as usize];
                let old = node.parents.first().map(|&p| nodes[p as usize].tree);
                let mut out = Vec::new();
                diff(repo, &trie, 0, old, Some(node.tree), &mut out)?;
                Ok(out)
            },
        )
        .collect::<Result<_, GitError>>()?;
    let (changes, blobs) = number_blobs(changes);
    let (blob_fingerprints, fingerprints) = fingerprint_blobs(shared, &blobs, &files, known, extract)?;
    let (head_row, states) = propagate(&nodes, &order, &changes, &blob_fingerprints, files.len());

    // The commits that are origins, each read once.
    let mut commits: HashMap<u32, Commit> = HashMap::new();
    let mut buf = Vec::new();
    let mut result = BTreeMap::new();
    for (file, &state) in files.iter().zip(head_row.iter()) {
        if state == ABSENT {
            continue;
        }
        let mut map = BTreeMap::new();
        for &(fp, pos) in states[state as usize].origins.iter() {
            let commit = match commits.entry(pos) {
                Entry::Occupied(known) => known.into_mut(),
                Entry::Vacant(slot) => {
                    let id = nodes[order[pos as usize] as usize].id;
                    let data = repo
                        .objects
                        .find(&id, &mut buf)
                        .map_err(|e| GitError::from_gix(format_args!("cannot read commit {id}"), e))?;
                    slot.insert(Commit::from_raw(id, data.data)?)
                }
            };
            map.insert(fingerprints[fp as usize].clone(), commit.clone());
        }
        result.insert(file.clone(), map);
    }
    Ok(result)
}

/// Replaces blob ids with indices into a list of distinct blobs (ABSENT for
/// a file that is gone); each blob comes with one file that holds it.
fn number_blobs(changes: Changes<Option<ObjectId>>) -> (Changes<u32>, Vec<(ObjectId, u32)>) {
    let mut index: HashMap<ObjectId, u32> = HashMap::new();
    let mut blobs: Vec<(ObjectId, u32)> = Vec::new();
    let changes = changes
        .into_iter()
        .map(|list| {
            list.into_iter()
                .map(|(file, blob)| {
                    let blob = blob.map_or(ABSENT, |id| {
                        *index.entry(id).or_insert_with(|| {
                            blobs.push((id, file));
                            blobs.len() as u32 - 1
                        })
                    });
                    (file, blob)
                })
                .collect()
        })
        .collect();
    (changes, blobs)
}

/// Runs `extract` on every blob, in parallel; returns each blob's
/// fingerprints as sorted indices into the list of distinct fingerprints.
fn fingerprint_blobs(
    shared: &gix::ThreadSafeRepository,
    blobs: &[(ObjectId, u32)],
    files: &[String],
    known: &HashMap<ObjectId, Vec<String>>,
    extract: &(dyn Fn(&str, &[u8]) -> Vec<String> + Sync),
) -> Result<(Vec<Vec<u32>>, Vec<String>), GitError> {
    let extracted: Vec<Vec<String>> = blobs
        .par_iter()
        .map_init(
            || (shared.to_thread_local(), Vec::new()),
            |(repo, buf), &(id, file)| {
                // A blob the caller already read (the work tree's copy) is not decompressed again.
                if let Some(prints) = known.get(&id) {
                    return Ok(prints.clone());
                }
                let path = &files[file as usize];
                let data = repo
                    .objects
                    .find(&id, buf)
                    .map_err(|e| GitError::from_gix(format_args!("cannot read {path} (blob {id})"), e))?;
                if data.kind != gix::objs::Kind::Blob {
                    return Err(GitError::Content(format!("object {id} should be a blob but is a {}", data.kind)));
                }
                Ok(extract(path, data.data))
            },
        )
        .collect::<Result<_, GitError>>()?;
    let mut index: HashMap<String, u32> = HashMap::new();
    let mut fingerprints: Vec<String> = Vec::new();
    let per_blob = extracted
        .into_iter()
        .map(|list| {
            let mut ids: Vec<u32> = list
                .into_iter()
                .map(|fp| {
                    *index.entry(fp).or_insert_with_key(|fp| {
                        fingerprints.push(fp.clone());
                        fingerprints.len() as u32 - 1
                    })
                })
                .collect();
            ids.sort_unstable();
            ids.dedup();
            ids
        })
        .collect();
    Ok((per_blob, fingerprints))
}

/// Every commit reachable from HEAD, HEAD first. The parents of a shallow
/// boundary are not in the repository and are left out, as git does.
fn collect(repo: &gix::Repository, head: ObjectId) -> Result<Vec<Node>, GitError> {
    let shallow: HashSet<ObjectId> = repo
        .shallow_commits()
        .map_err(|e| GitError::from_gix("cannot read the list of shallow commits", e))?
        .map(|list| list.iter().copied().collect())
        .unwrap_or_default();
    let mut index: HashMap<ObjectId, u32> = HashMap::from([(head, 0)]);
    let mut nodes = vec![Node { id: head, tree: head, parents: Vec::new(), time: 0 }];
    let mut todo = vec![0u32];
    let mut buf = Vec::new();
    while let Some(n) = todo.pop() {
        let id = nodes[n as usize].id;
        let data = repo
            .objects
            .find(&id, &mut buf)
            .map_err(|e| GitError::from_gix(format_args!("cannot read commit {id}"), e))?;
        let corrupt = |what: &str| GitError::Content(format!("commit {id} is corrupt: {what}"));
        if data.kind != gix::objs::Kind::Commit {
            return Err(corrupt(&format!("the object is a {}", data.kind)));
        }
        let commit =
            gix::objs::CommitRef::from_bytes(data.data, id.kind()).map_err(|_| corrupt("it cannot be parsed"))?;
        let tree = commit.tree();
        let time = commit.committer().map(|c| c.seconds()).unwrap_or(0);
        let mut parents = Vec::new();
        if !shallow.contains(&id) {
            for parent in commit.parents() {
                let next = nodes.len() as u32;
                let p = *index.entry(parent).or_insert(next);
                if p == next {
                    nodes.push(Node { id: parent, tree: parent, parents: Vec::new(), time: 0 });
                    todo.push(p);
                }
                if !parents.contains(&p) {
                    parents.push(p);
                }
            }
        }
        let node = &mut nodes[n as usize];
        (node.tree, node.parents, node.time) = (tree, parents, time);
    }
    Ok(nodes)
}

/// The nodes ordered parents before children; among commits whose parents
/// are all placed, the oldest committer time (then id) first. HEAD is last.
fn parents_first(nodes: &[Node]) -> Vec<u32> {
    let mut children: Vec<Vec<u32>> = vec![Vec::new(); nodes.len()];
    let mut waiting: Vec<usize> = nodes.iter().map(|n| n.parents.len()).collect();
    for (c, node) in nodes.iter().enumerate() {
        for &p in &node.parents {
            children[p as usize].push(c as u32);
        }
    }
    let key = |n: u32| Reverse((nodes[n as usize].time, nodes[n as usize].id, n));
    let mut ready: BinaryHeap<_> = (0..nodes.len() as u32).filter(|&n| waiting[n as usize] == 0).map(key).collect();
    let mut order = Vec::with_capacity(nodes.len());
    while let Some(Reverse((_, _, n))) = ready.pop() {
        order.push(n);
        for &c in &children[n as usize] {
            waiting[c as usize] -= 1;
            if waiting[c as usize] == 0 {
                ready.push(key(c));
            }
        }
    }
    order
}

/// A tree entry: mode and object id.
type TreeEntry = (gix::objs::tree::EntryMode, ObjectId);

/// The changes from tree `old` to tree `new` (either may be missing) to the
/// files under trie node `node`: (file, its new blob or None when gone).
fn diff(
    repo: &gix::Repository,
    trie: &Trie,
    node: u32,
    old: Option<ObjectId>,
    new: Option<ObjectId>,
    out: &mut Vec<(u32, Option<ObjectId>)>,
) -> Result<(), GitError> {
    if old == new {
        return Ok(());
    }
    let (mut old_buf, mut new_buf) = (Vec::new(), Vec::new());
    let old_entries = read_tree(repo, old, &mut old_buf)?;
    let new_entries = read_tree(repo, new, &mut new_buf)?;
    // Both lists are in git's order, so one pass pairs them; only entries
    // that differ are looked up among the requested paths, so a folder of a
    // thousand workloads costs a comparison per unchanged entry.
    let children = &trie.nodes[node as usize].children;
    let mut changed: Vec<(u32, u8, TreeEntry)> = Vec::new();
    let mut note = |side: u8, entry: &gix::objs::tree::EntryRef<'_>| {
        if let Some(&child) = children.get(entry.filename.as_ref() as &[u8]) {
            changed.push((child, side, (entry.mode, entry.oid.to_owned())));
        }
    };
    let (mut i, mut j) = (0, 0);
    while i < old_entries.len() || j < new_entries.len() {
        let order = match (old_entries.get(i), new_entries.get(j)) {
            (Some(a), Some(b)) => git_order(a, b),
            (Some(_), None) => std::cmp::Ordering::Less,
            _ => std::cmp::Ordering::Greater,
        };
        match order {
            std::cmp::Ordering::Equal => {
                let (a, b) = (&old_entries[i], &new_entries[j]);
                if a.mode != b.mode || a.oid != b.oid {
                    note(0, a);
                    note(1, b);
                }
                (i, j) = (i + 1, j + 1);
            }
            std::cmp::Ordering::Less => {
                note(0, &old_entries[i]);
                i += 1;
            }
            std::cmp::Ordering::Greater => {
                note(1, &new_entries[j]);
                j += 1;
            }
        }
    }
    // A name may change kind (file to folder): pair the sides by trie node.
    changed.sort_unstable_by_key(|&(child, side, _)| (child, side));
    let mut k = 0;
    while k < changed.len() {
        let child = changed[k].0;
        let (mut old_entry, mut new_entry): (Option<TreeEntry>, Option<TreeEntry>) = (None, None);
        while k < changed.len() && changed[k].0 == child {
            let (_, side, entry) = changed[k];
            if side == 0 {
                old_entry = Some(entry)
            } else {
                new_entry = Some(entry)
            }
            k += 1;
        }
        let blob = |e: Option<TreeEntry>| e.filter(|(m, _)| m.is_blob()).map(|(_, id)| id);
        let tree = |e: Option<TreeEntry>| e.filter(|(m, _)| m.is_tree()).map(|(_, id)| id);
        let target = &trie.nodes[child as usize];
        if let Some(file) = target.file
            && blob(old_entry) != blob(new_entry)
        {
            out.push((file, blob(new_entry)));
        }
        if !target.children.is_empty() {
            diff(repo, trie, child, tree(old_entry), tree(new_entry), out)?;
        }
    }
    Ok(())
}

/// The entries of tree `id` (none when there is no tree), decoded from `buf`.
fn read_tree<'a>(
    repo: &gix::Repository,
    id: Option<ObjectId>,
    buf: &'a mut Vec<u8>,
) -> Result<Vec<gix::objs::tree::EntryRef<'a>>, GitError> {
    let Some(id) = id else { return Ok(Vec::new()) };
    let data = repo.objects.find(&id, buf).map_err(|e| GitError::from_gix(format_args!("cannot read tree {id}"), e))?;
    if data.kind != gix::objs::Kind::Tree {
        return Err(GitError::Content(format!("object {id} should be a tree but is a {}", data.kind)));
    }
    gix::objs::TreeRefIter::from_bytes(data.data, id.kind())
        .collect::<Result<_, _>>()
        .map_err(|_| GitError::Content(format!("tree {id} is corrupt: an entry cannot be parsed")))
}

/// Git's order of tree entries: by name, a folder's name followed by `/`.
fn git_order(a: &gix::objs::tree::EntryRef<'_>, b: &gix::objs::tree::EntryRef<'_>) -> std::cmp::Ordering {
    let (x, y): (&[u8], &[u8]) = (a.filename.as_ref(), b.filename.as_ref());
    let common = x.len().min(y.len());
    x[..common].cmp(&y[..common]).then_with(|| {
        let next = |name: &[u8], e: &gix::objs::tree::EntryRef<'_>| {
            name.get(common).copied().unwrap_or(if e.mode.is_tree() { b'/' } else { 0 })
        };
        next(x, a).cmp(&next(y, b))
    })
}

/// Carries every file's state through the commits in `order`; returns HEAD's
/// row (a state index per file, or ABSENT) and the states it points into.
fn propagate(
    nodes: &[Node],
    order: &[u32],
    changes: &Changes<u32>,
    blob_fingerprints: &[Vec<u32>],
    file_count: usize,
) -> (Vec<u32>, Vec<State>) {
    let mut position = vec![0u32; nodes.len()];
    for (pos, &n) in order.iter().enumerate() {
        position[n as usize] = pos as u32;
    }
    let mut children_left = vec![0u32; order.len()];
    for node in nodes {
        for &p in &node.parents {
            children_left[position[p as usize] as usize] += 1;
        }
    }
    let mut states: Vec<State> = Vec::new();
    // A row per commit whose children are not all computed yet.
    let mut rows: Vec<Option<Vec<u32>>> = vec![None; order.len()];
    let mut changed_in = vec![u32::MAX; file_count];
    let mut before = Vec::new();
    for (pos, &n) in order.iter().enumerate() {
        let parents: Vec<usize> = nodes[n as usize].parents.iter().map(|&p| position[p as usize] as usize).collect();
        // Linear history hands its row down instead of copying it.
        let mut row = match parents.first() {
            Some(&p) if children_left[p] == 1 => rows[p].take(),
            Some(&p) => rows[p].clone(),
            None => None,
        }
        .unwrap_or_else(|| vec![ABSENT; file_count]);
        let others: Vec<&Vec<u32>> = parents.iter().skip(1).filter_map(|&p| rows[p].as_ref()).collect();
        for &(file, blob) in &changes[pos] {
            let file = file as usize;
            changed_in[file] = pos as u32;
            before.clear();
            before.push(row[file]);
            before.extend(others.iter().map(|r| r[file]));
            row[file] = settle(&mut states, blob_fingerprints, blob, &before, pos as u32);
        }
        if !others.is_empty() {
            // A merge: a file it did not change may still have older origins on another side.
            for file in 0..file_count {
                let current = row[file];
                if changed_in[file] == pos as u32 || current == ABSENT || others.iter().all(|r| r[file] == current) {
                    continue;
                }
                before.clear();
                before.push(current);
                before.extend(others.iter().map(|r| r[file]));
                let blob = states[current as usize].blob;
                row[file] = settle(&mut states, blob_fingerprints, blob, &before, pos as u32);
            }
        }
        rows[pos] = Some(row);
        for &p in &parents {
            children_left[p] -= 1;
            if children_left[p] == 0 {
                rows[p] = None;
            }
        }
    }
    let head = order.len().checked_sub(1).and_then(|last| rows[last].take()).unwrap_or_default();
    (head, states)
}

/// The state of a file that holds `blob` in the commit at `pos`, whose
/// parents' states of the file are `parents`: each fingerprint keeps the
/// oldest origin among the parents that have it, or starts at `pos`.
fn settle(states: &mut Vec<State>, blob_fingerprints: &[Vec<u32>], blob: u32, parents: &[u32], pos: u32) -> u32 {
    if blob == ABSENT {
        return ABSENT;
    }
    let origins: Box<[(u32, u32)]> = blob_fingerprints[blob as usize]
        .iter()
        .map(|&fp| {
            let inherited = parents
                .iter()
                .filter_map(|&s| states.get(s as usize))
                .filter_map(|s| s.origins.binary_search_by_key(&fp, |o| o.0).ok().map(|i| s.origins[i].1))
                .min();
            (fp, inherited.unwrap_or(pos))
        })
        .collect();
    let state = State { blob, origins };
    // A parent's state when it is the same: most merges change nothing.
    if let Some(&same) = parents.iter().find(|&&s| states.get(s as usize) == Some(&state)) {
        return same;
    }
    states.push(state);
    states.len() as u32 - 1
}
