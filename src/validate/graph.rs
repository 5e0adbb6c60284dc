//! The workload dependency graph: cycles for validation, order for evaluation.
//! Iterative throughout, so a long dependency chain cannot overflow the stack.

use crate::core::model::WorkloadId;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet, VecDeque};

/// Dependency cycles, each once, as paths starting at their smallest id: for
/// every workload on a cycle, the shortest cycle through it (breadth first,
/// dependencies in the order written), so each is named. Edges to unknown
/// workloads are ignored.
///
/// The components are found once (Tarjan), and a search runs only from
/// workloads whose cycle is not known yet: a workload with one dependency and
/// one dependant inside its component lies on a run of such workloads whose
/// shortest cycles are all the same one, so one search names the whole run.
/// A cycle through 10,000 workloads is then one search, not 10,000.
pub fn cycles(edges: impl IntoIterator<Item = (WorkloadId, Vec<WorkloadId>)>) -> Vec<Vec<WorkloadId>> {
    cycles_counting(edges).0
}

/// [`cycles`], and how many vertices its searches visited (for a test that
/// the work stays linear in a long cycle).
fn cycles_counting(edges: impl IntoIterator<Item = (WorkloadId, Vec<WorkloadId>)>) -> (Vec<Vec<WorkloadId>>, usize) {
    let graph: BTreeMap<WorkloadId, Vec<WorkloadId>> = edges.into_iter().collect();
    let ids: Vec<&WorkloadId> = graph.keys().collect();
    let succ = indexed(&graph, &ids);
    let component = components(&succ);
    let mut size = vec![0usize; succ.len()];
    for c in &component {
        size[*c] += 1;
    }
    // Edges inside a component of two or more: the only ones a cycle can use.
    let inner: Vec<Vec<usize>> = succ
        .iter()
        .enumerate()
        .map(|(v, ws)| {
            let cyclic = size[component[v]] > 1;
            ws.iter().copied().filter(|w| cyclic && component[*w] == component[v]).collect()
        })
        .collect();
    let mut indegree = vec![0usize; inner.len()];
    for w in inner.iter().flatten() {
        indegree[*w] += 1;
    }
    let plain = |v: usize| indegree[v] == 1 && inner[v].len() == 1;
    let (mut named, mut search, mut out) = (vec![false; inner.len()], Search::new(inner.len()), BTreeSet::new());
    for start in 0..inner.len() {
        if inner[start].is_empty() || named[start] {
            continue;
        }
        let Some(mut path) = search.shortest_cycle(&inner, start) else {
            continue;
        };
        if plain(start) {
            // The run of plain workloads through `start`: right after it on
            // the path, and at the path's end (those before it).
            let after = path.iter().take_while(|v| plain(**v)).count();
            let before = path[after..].iter().rev().take_while(|v| plain(**v)).count();
            for v in path[..after].iter().chain(&path[path.len() - before..]) {
                named[*v] = true;
            }
        }
        // Ids are numbered in order, so the smallest number is the smallest id.
        let min = path.iter().enumerate().min_by_key(|(_, v)| **v).map_or(0, |(i, _)| i);
        path.rotate_left(min);
        out.insert(path);
    }
    let named = out.into_iter().map(|path| path.into_iter().map(|v| ids[v].clone()).collect()).collect();
    (named, search.visited)
}

/// Ids in an order where every workload comes after its dependencies; members
/// of cycles come last, in id order.
pub fn dependency_order(graph: &BTreeMap<WorkloadId, Vec<WorkloadId>>) -> Vec<WorkloadId> {
    let mut pending: BTreeMap<&WorkloadId, usize> = BTreeMap::new();
    let mut dependants: BTreeMap<&WorkloadId, Vec<&WorkloadId>> = BTreeMap::new();
    for (id, deps) in graph {
        let known: BTreeSet<&WorkloadId> = deps.iter().filter(|d| graph.contains_key(*d) && *d != id).collect();
        pending.insert(id, known.len());
        for d in known {
            dependants.entry(d).or_default().push(id);
        }
    }
    let mut queue: VecDeque<&WorkloadId> = pending.iter().filter(|(_, n)| **n == 0).map(|(id, _)| *id).collect();
    let mut order = Vec::with_capacity(graph.len());
    while let Some(id) = queue.pop_front() {
        order.push(id.clone());
        for d in dependants.get(id).into_iter().flatten() {
            let n = pending.get_mut(d).expect("known");
            *n -= 1;
            if *n == 0 {
                queue.push_back(d);
            }
        }
    }
    let placed: BTreeSet<WorkloadId> = order.iter().cloned().collect();
    order.extend(graph.keys().filter(|id| !placed.contains(*id)).cloned());
    order
}

/// Each workload's dependencies as numbers (the position of the id in `ids`),
/// unknown ones left out and each named once, in the order written.
fn indexed(graph: &BTreeMap<WorkloadId, Vec<WorkloadId>>, ids: &[&WorkloadId]) -> Vec<Vec<usize>> {
    let number: HashMap<&str, usize> = ids.iter().enumerate().map(|(i, id)| (id.as_str(), i)).collect();
    ids.iter()
        .map(|id| {
            let mut seen = HashSet::new();
            graph[*id].iter().filter_map(|d| number.get(d.as_str()).copied()).filter(|w| seen.insert(*w)).collect()
        })
        .collect()
}

/// The strongly connected component of every vertex (iterative Tarjan, so a
/// long chain cannot overflow the stack).
fn components(succ: &[Vec<usize>]) -> Vec<usize> {
    let n = succ.len();
    let (mut index, mut low, mut on_stack) = (vec![usize::MAX; n], vec![0; n], vec![false; n]);
    let (mut stack, mut next, mut component, mut found) = (Vec::new(), 0, vec![0; n], 0);
    for root in 0..n {
        if index[root] != usize::MAX {
            continue;
        }
        let mut work = vec![(root, 0usize)];
        while let Some(&mut (v, ref mut edge)) = work.last_mut() {
            if *edge == 0 {
                index[v] = next;
                low[v] = next;
                next += 1;
                stack.push(v);
                on_stack[v] = true;
            }
            if let Some(&w) = succ[v].get(*edge) {
                *edge += 1;
                if index[w] == usize::MAX {
                    work.push((w, 0));
                } else if on_stack[w] {
                    low[v] = low[v].min(index[w]);
                }
                continue;
            }
            work.pop();
            if let Some(&(parent, _)) = work.last() {
                low[parent] = low[parent].min(low[v]);
            }
            if low[v] == index[v] {
                while let Some(w) = stack.pop() {
                    on_stack[w] = false;
                    component[w] = found;
                    if w == v {
                        break;
                    }
                }
                found += 1;
            }
        }
    }
    component
}

/// Breadth-first searches for the shortest cycle through one vertex, reusing
/// their buffers: a search marks what it saw with its own stamp instead of
/// clearing a set.
struct Search {
    seen: Vec<u32>,
    prev: Vec<usize>,
    queue: Vec<usize>,
    stamp: u32,
    /// Vertices taken from the queue, over every search.
    visited: usize,
}

impl Search {
    fn new(n: usize) -> Search {
        Search { seen: vec![0; n], prev: vec![0; n], queue: Vec::new(), stamp: 0, visited: 0 }
    }

    /// The shortest cycle through `start`, as the path from `start` to the
    /// vertex that closes it. Among cycles of the same length, the one found
    /// first taking dependencies in the order written.
    fn shortest_cycle(&mut self, succ: &[Vec<usize>], start: usize) -> Option<Vec<usize>> {
        self.stamp += 1;
        self.queue.clear();
        self.queue.push(start);
        let mut head = 0;
        while let Some(&v) = self.queue.get(head) {
            head += 1;
            self.visited += 1;
            for &w in &succ[v] {
                if w == start {
                    let mut path = vec![v];
                    let mut cur = v;
                    while cur != start {
                        cur = self.prev[cur];
                        path.push(cur);
                    }
                    path.reverse();
                    return Some(path);
                }
                if self.seen[w] != self.stamp {
                    self.seen[w] = self.stamp;
                    self.prev[w] = v;
                    self.queue.push(w);
                }
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn g(edges: &[(&str, &[&str])]) -> Vec<(WorkloadId, Vec<WorkloadId>)> {
        edges.iter().map(|(a, b)| (WorkloadId::from(*a), b.iter().map(|x| WorkloadId::from(*x)).collect())).collect()
    }

    #[test]
    fn finds_each_cycle_once() {
        let c = cycles(g(&[("a", &["b"]), ("b", &["c"]), ("c", &["a"]), ("d", &["a"]), ("e", &["f"]), ("f", &["e"])]));
        let names: Vec<Vec<&str>> = c.iter().map(|p| p.iter().map(|x| x.as_str()).collect()).collect();
        assert_eq!(names, vec![vec!["a", "b", "c"], vec!["e", "f"]]);
        let c = cycles(g(&[("a", &["b", "c"]), ("b", &["c"]), ("c", &["a"])]));
        let names: Vec<Vec<&str>> = c.iter().map(|p| p.iter().map(|x| x.as_str()).collect()).collect();
        assert_eq!(names, vec![vec!["a", "b", "c"], vec!["a", "c"]], "every workload on a cycle is named");
        assert!(cycles(g(&[("a", &["b"]), ("b", &[])])).is_empty());
    }

    /// The definition `cycles` must keep: for every workload whose component
    /// holds two or more, the breadth-first shortest cycle through it.
    fn search_from_every_member(edges: &[(WorkloadId, Vec<WorkloadId>)]) -> Vec<Vec<WorkloadId>> {
        let graph: BTreeMap<WorkloadId, Vec<WorkloadId>> = edges.iter().cloned().collect();
        let reach = |from: &WorkloadId| -> BTreeSet<WorkloadId> {
            let (mut seen, mut todo) = (BTreeSet::new(), vec![from.clone()]);
            while let Some(v) = todo.pop() {
                for w in graph[&v].iter().filter(|w| graph.contains_key(*w)) {
                    if seen.insert(w.clone()) {
                        todo.push(w.clone());
                    }
                }
            }
            seen
        };
        let reaches: BTreeMap<&WorkloadId, BTreeSet<WorkloadId>> = graph.keys().map(|v| (v, reach(v))).collect();
        let mut out = BTreeSet::new();
        for start in graph.keys() {
            let scc: BTreeSet<&WorkloadId> =
                graph.keys().filter(|w| reaches[start].contains(*w) && reaches[*w].contains(start)).collect();
            if scc.len() < 2 {
                continue;
            }
            let mut prev: BTreeMap<&WorkloadId, &WorkloadId> = BTreeMap::new();
            let mut queue = VecDeque::from([start]);
            'search: while let Some(v) = queue.pop_front() {
                for w in graph[v].iter().filter(|w| scc.contains(w)) {
                    if w == start {
                        let mut path = vec![v.clone()];
                        let mut cur = v;
                        while cur != start {
                            cur = prev[cur];
                            path.push(cur.clone());
                        }
                        path.reverse();
                        let min = path.iter().enumerate().min_by(|a, b| a.1.cmp(b.1)).map_or(0, |(i, _)| i);
                        path.rotate_left(min);
                        out.insert(path);
                        break 'search;
                    }
                    if !prev.contains_key(w) {
                        prev.insert(w, v);
                        queue.push_back(w);
                    }
                }
            }
        }
        out.into_iter().collect()
    }

    /// Random graphs on a few ids (with unknown ids, repeats and self-loops),
    /// and rings with a few chords, where runs of plain workloads are long.
    fn graphs() -> impl Strategy<Value = Vec<(WorkloadId, Vec<WorkloadId>)>> {
        let id = |i: usize| WorkloadId(format!("w{i}"));
        let random = (1usize..9).prop_flat_map(move |n| {
            proptest::collection::vec(proptest::collection::vec(0..n + 2, 0..4), n).prop_map(move |deps| {
                deps.into_iter().enumerate().map(|(i, d)| (id(i), d.into_iter().map(id).collect())).collect()
            })
        });
        let rings = (2usize..30)
            .prop_flat_map(|n| {
                (Just((0..n).collect::<Vec<usize>>()).prop_shuffle(), proptest::collection::vec((0..n, 0..n), 0..4))
            })
            .prop_map(move |(label, chords)| {
                let n = label.len();
                (0..n)
                    .map(|i| {
                        let mut deps = vec![id(label[(i + 1) % n])];
                        deps.extend(chords.iter().filter(|(a, _)| *a == i).map(|(_, b)| id(label[*b])));
                        (id(label[i]), deps)
                    })
                    .collect()
            });
        prop_oneof![random, rings]
    }

    proptest! {
        #[test]
        fn names_the_same_cycles_as_a_search_from_every_member(edges in graphs()) {
            prop_assert_eq!(cycles(edges.clone()), search_from_every_member(&edges));
        }
    }

    #[test]
    fn one_search_covers_a_long_cycle() {
        let n = 10_000;
        let edges: Vec<(WorkloadId, Vec<WorkloadId>)> = (0..n)
            .map(|i| (WorkloadId(format!("w{i:05}")), vec![WorkloadId(format!("w{:05}", (i + 1) % n))]))
            .collect();
        let (found, visited) = cycles_counting(edges);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].len(), n);
        assert_eq!(found[0][0].as_str(), "w00000");
        assert!(visited <= 2 * n, "{visited} vertices visited for a cycle of {n}: a search from every member");
    }

    #[test]
    fn orders_dependencies_first_even_on_long_chains() {
        let n = 50_000;
        let edges: Vec<(WorkloadId, Vec<WorkloadId>)> = (0..n)
            .map(|i| {
                (
                    WorkloadId(format!("w{i:05}")),
                    if i + 1 < n { vec![WorkloadId(format!("w{:05}", i + 1))] } else { vec![] },
                )
            })
            .collect();
        let graph: BTreeMap<_, _> = edges.clone().into_iter().collect();
        let order = dependency_order(&graph);
        assert_eq!(order.first().unwrap().as_str(), "w49999");
        assert_eq!(order.last().unwrap().as_str(), "w00000");
        assert!(cycles(edges).is_empty());
    }
}
