//! The workload dependency graph: cycles for validation, order for evaluation.
//! Iterative throughout, so a long dependency chain cannot overflow the stack.

use crate::model::WorkloadId;
use std::collections::{BTreeMap, BTreeSet, VecDeque};

/// Dependency cycles, each once, as paths starting at their smallest id: for
/// every workload on a cycle, the shortest cycle through it, so each is named.
/// Edges to unknown workloads are ignored.
pub fn cycles(edges: impl IntoIterator<Item = (WorkloadId, Vec<WorkloadId>)>) -> Vec<Vec<WorkloadId>> {
    let graph: BTreeMap<WorkloadId, Vec<WorkloadId>> = edges.into_iter().collect();
    let mut out = BTreeSet::new();
    for scc in strongly_connected(&graph) {
        if scc.len() < 2 {
            continue;
        }
        for start in &scc {
            if let Some(mut path) = shortest_cycle(&graph, &scc, start) {
                let min = path.iter().enumerate().min_by(|a, b| a.1.cmp(b.1)).map_or(0, |(i, _)| i);
                path.rotate_left(min);
                out.insert(path);
            }
        }
    }
    out.into_iter().collect()
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

fn strongly_connected(graph: &BTreeMap<WorkloadId, Vec<WorkloadId>>) -> Vec<BTreeSet<WorkloadId>> {
    // Iterative Tarjan.
    let ids: Vec<&WorkloadId> = graph.keys().collect();
    let index_of: BTreeMap<&WorkloadId, usize> = ids.iter().enumerate().map(|(i, id)| (*id, i)).collect();
    let succ: Vec<Vec<usize>> =
        ids.iter().map(|id| graph[*id].iter().filter_map(|d| index_of.get(d).copied()).collect()).collect();
    let n = ids.len();
    let (mut index, mut low, mut on_stack) = (vec![usize::MAX; n], vec![0; n], vec![false; n]);
    let (mut stack, mut next, mut out) = (Vec::new(), 0, Vec::new());
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
                let mut comp = BTreeSet::new();
                while let Some(w) = stack.pop() {
                    on_stack[w] = false;
                    comp.insert(ids[w].clone());
                    if w == v {
                        break;
                    }
                }
                out.push(comp);
            }
        }
    }
    out
}

fn shortest_cycle(
    graph: &BTreeMap<WorkloadId, Vec<WorkloadId>>,
    scc: &BTreeSet<WorkloadId>,
    start: &WorkloadId,
) -> Option<Vec<WorkloadId>> {
    let mut prev: BTreeMap<&WorkloadId, &WorkloadId> = BTreeMap::new();
    let mut queue = VecDeque::from([start]);
    while let Some(v) = queue.pop_front() {
        for w in graph[v].iter().filter(|w| scc.contains(*w)) {
            if w == start {
                let mut path = vec![v.clone()];
                let mut cur = v;
                while cur != start {
                    cur = prev[cur];
                    path.push(cur.clone());
                }
                path.reverse();
                return Some(path);
            }
            if !prev.contains_key(w) {
                prev.insert(w, v);
                queue.push_back(w);
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

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
