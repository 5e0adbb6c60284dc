//! The checks over the whole dependency graph, on portfolios larger than a
//! team would write by hand: a cycle through thousands of workloads, names
//! that are no workload among thousands of ids, `depends_on` lists that
//! repeat entries. How fast they are is a benchmark (`benches/graph.rs`);
//! these tests pin what they report, which must not change with the speed.

use crate::common;

use common::{AS_OF, Diag, Portfolio};
use cutover::core::diagnostics::{did_you_mean, did_you_mean_among};
use proptest::prelude::*;
use std::collections::BTreeSet;

fn id(i: usize) -> String {
    format!("app-{i:05}")
}

fn workload_yaml(deps: &[String]) -> String {
    let mut yaml = String::from("name: W\nowner: o@example.org\ncriticality: standard\ndepends_on:\n");
    for d in deps {
        yaml.push_str(&format!("  - {d}\n"));
    }
    yaml
}

/// A portfolio of `n` workloads with nothing but a workload.yaml, workload
/// `i` depending on `deps(i)`.
fn tiny_workloads(tag: &str, n: usize, deps: impl Fn(usize) -> Vec<String>) -> Portfolio {
    let p = Portfolio::empty(tag);
    p.write("content/site.yaml", "title: T\norganisation: Example\n");
    for i in 0..n {
        p.write(&format!("content/workloads/{}/workload.yaml", id(i)), &workload_yaml(&deps(i)));
    }
    p
}

fn errors(p: &Portfolio) -> Vec<Diag> {
    p.diagnostics().into_iter().filter(|d| d.severity == "error").collect()
}

#[test]
fn a_cycle_through_every_workload_is_one_diagnostic_naming_them_all() {
    let n = 3000;
    let p = tiny_workloads("long-cycle", n, |i| vec![id((i + 1) % n)]);
    let d = errors(&p);
    assert_eq!(d.len(), 1, "{:?}", d.iter().map(|d| &d.message[..60]).collect::<Vec<_>>());
    assert_eq!(d[0].at(), ("E0304", "content/workloads/app-00000/workload.yaml", 5, 5));
    let mut path: Vec<String> = (0..n).map(id).collect();
    path.push(id(0));
    assert_eq!(d[0].message, format!("dependency cycle: {}", path.join(" -> ")));
}

#[test]
fn overlapping_cycles_in_a_large_portfolio_each_name_their_workloads() {
    // A ring of 2,000, and app-00010 also depending on app-00005: the short
    // cycle 5..10 and the long way round from app-00010 are both reported.
    let n = 2000;
    let p = tiny_workloads("chorded-cycle", n, |i| {
        let mut deps = vec![id((i + 1) % n)];
        if i == 10 {
            deps.push(id(5));
        }
        deps
    });
    let messages: Vec<String> = errors(&p).into_iter().map(|d| d.message).collect();
    let short: Vec<String> = (5..=10).chain([5]).map(id).collect();
    assert!(messages.contains(&format!("dependency cycle: {}", short.join(" -> "))), "{messages:?}");
    let long: Vec<String> = (0..=10).chain(11..n).chain([0]).map(id).collect();
    assert!(messages.contains(&format!("dependency cycle: {}", long.join(" -> "))), "{:?}", messages.len());
    assert_eq!(messages.len(), 2);
}

#[test]
fn a_long_list_with_repeats_counts_each_dependency_once() {
    // app-00000 names every other workload three times over. Nothing is
    // reported, and readiness gives each (blocked) dependency as a reason
    // once, in the order first written.
    let n = 300;
    let p = tiny_workloads("long-list", n, |i| match i {
        0 => (0..3).flat_map(|_| (1..n).map(id)).collect(),
        _ => vec![],
    });
    assert_eq!(errors(&p), vec![]);
    let readiness = p.readiness(AS_OF);
    let first = common::workload(&readiness, "app-00000");
    let deps: Vec<&str> = first["reasons"].as_array().unwrap().iter().filter_map(|r| r["workload"].as_str()).collect();
    let expected: Vec<String> = (1..n).map(id).collect();
    assert_eq!(deps, expected);
}

#[test]
fn names_that_are_no_workload_among_thousands_still_get_the_close_id() {
    let n = 5000;
    let typos = ["app-0l234", "app-0123", "ap-01234", "app-012345", "bpp-01234", "app01234", "pap-01234"];
    // `app-0123` is one edit from app-00123, app-01023, app-01123 ... and
    // app-01230 to app-01239: the first in sorted order is suggested.
    let p = tiny_workloads("unknown-names", n, |i| match i {
        0 => typos.iter().map(|s| s.to_string()).chain(["gone-00001".to_string()]).collect(),
        _ => vec![],
    });
    let d = errors(&p);
    assert_eq!(d.len(), typos.len() + 1);
    for (diag, typo) in d.iter().zip(typos) {
        assert_eq!(diag.message, format!("`{typo}` is not a workload in this portfolio"));
        let help = diag.help.as_deref().unwrap_or_default();
        let ids: Vec<String> = (0..n).map(id).collect();
        let expected = every_candidate(typo, ids.iter().map(String::as_str)).expect("a close id");
        assert_eq!(help, expected, "{typo}");
    }
    assert_eq!(d[1].help.as_deref(), Some("did you mean `app-00123`?"));
    assert_eq!(d[typos.len()].help.as_deref(), Some("depends_on names folders under content/workloads/"));
}

/// The did-you-mean search as it was before it was bounded: every candidate
/// weighed, the closest within a third of the word's length (at least 2),
/// the first in sorted order among equals.
fn every_candidate<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<String> {
    fn distance(a: &str, b: &str) -> usize {
        let b: Vec<char> = b.chars().collect();
        let mut prev: Vec<usize> = (0..=b.len()).collect();
        for (i, ca) in a.chars().enumerate() {
            let mut cur = vec![i + 1];
            for (j, cb) in b.iter().enumerate() {
                cur.push((prev[j] + usize::from(ca != *cb)).min(prev[j + 1] + 1).min(cur[j] + 1));
            }
            prev = cur;
        }
        prev[b.len()]
    }
    let limit = (word.chars().count() / 3).max(2);
    candidates
        .into_iter()
        .map(|c| (distance(word, c), c))
        .filter(|(d, _)| *d <= limit)
        .min()
        .map(|(_, c)| format!("did you mean `{c}`?"))
}

/// Short words over a few characters, some of several bytes and the last
/// character there is, so that prefixes are shared and skipped often.
fn word(max: usize) -> impl Strategy<Value = String> {
    proptest::collection::vec(proptest::sample::select(vec!['a', 'b', '-', 'é', '\u{10FFFF}']), 0..max)
        .prop_map(|cs| cs.into_iter().collect())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn suggestions_are_those_of_weighing_every_candidate(
        w in word(9),
        candidates in proptest::collection::vec(word(9), 0..40),
    ) {
        let expected = every_candidate(&w, candidates.iter().map(String::as_str));
        prop_assert_eq!(did_you_mean(&w, candidates.iter().map(String::as_str)), expected.clone());
        let set: BTreeSet<String> = candidates.iter().cloned().collect();
        prop_assert_eq!(did_you_mean_among(&w, &set), expected);
    }
}
