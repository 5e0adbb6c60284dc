//! What the checks over the whole dependency graph cost, against a plain
//! dependency chain of the same size: `cargo bench --bench graph`.
//!
//! Five portfolios of N tiny workloads (10,000 by default;
//! `CUTOVER_BENCH_WORKLOADS` changes it), each a `workload.yaml` and nothing
//! else, `app-00000` depending on `app-00001` and so on:
//!
//! - `chain`: only that chain, the yardstick;
//! - `cycle`: the chain closed into one cycle through every workload (the
//!   last depends on the first);
//! - `unknown`: the chain, and every workload also lists `gone-NNNNN`, a name
//!   that is no workload (N entries that each ask for a did-you-mean);
//! - `renamed`: the same with `app-NNNNN-old`, four edits from an id and
//!   within three or four of thousands: the did-you-mean's hardest case, where
//!   its bound (`SUGGEST_CELLS` in src/core/diagnostics/mod.rs) ends each search;
//! - `long-list`: the chain, and the first workload lists every other one
//!   eight times over (8 N entries, almost all duplicates).
//!
//! Each case is timed through [`cutover::check`], as `cutover check` runs it.
//! The goal (docs/PERFORMANCE.md) is at most three times `chain` for each.
//! Every case is checked with the errors it is built to have, and no other.
//!
//! `CUTOVER_GRAPH_BENCH_WRITE=DIR` only writes the five portfolios to
//! `DIR/<case>` and exits, to time the binary on them (`cutover check
//! DIR/cycle`) or to time a build that predates this bench.

use criterion::{Criterion, SamplingMode};
use cutover::RunOptions;
use cutover::core::date::Date;
use std::fs;
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::Duration;

const CASES: [&str; 5] = ["chain", "cycle", "unknown", "renamed", "long-list"];

/// How many times the first workload of `long-list` names each other one.
const REPEATS: usize = 8;

fn id(i: usize) -> String {
    format!("app-{i:05}")
}

/// The `depends_on` entries of workload `i` of `n` in `case`.
fn depends_on(case: &str, i: usize, n: usize) -> Vec<String> {
    let mut deps = Vec::new();
    if i + 1 < n {
        deps.push(id(i + 1));
    } else if case == "cycle" && n > 1 {
        deps.push(id(0));
    }
    match case {
        "unknown" => deps.push(format!("gone-{i:05}")),
        "renamed" => deps.push(format!("{}-old", id(i))),
        "long-list" if i == 0 => deps.extend((0..REPEATS).flat_map(|_| (1..n).map(id))),
        _ => {}
    }
    deps
}

/// Writes one case's portfolio under `root` (which must not exist yet).
fn write_case(root: &Path, case: &str, n: usize) -> std::io::Result<()> {
    let content = root.join("content");
    fs::create_dir_all(content.join("workloads"))?;
    fs::write(content.join("site.yaml"), "title: Graph benchmark\norganisation: Example\nas_of: 2026-11-26\n")?;
    for i in 0..n {
        let dir = content.join("workloads").join(id(i));
        fs::create_dir(&dir)?;
        let mut yaml = format!("name: App {i:05}\nowner: team@example.org\ncriticality: standard\ndepends_on:\n");
        for d in depends_on(case, i, n) {
            yaml.push_str("  - ");
            yaml.push_str(&d);
            yaml.push('\n');
        }
        fs::write(dir.join("workload.yaml"), yaml)?;
    }
    Ok(())
}

fn write_all(dir: &Path, n: usize) -> Vec<(&'static str, PathBuf)> {
    CASES
        .iter()
        .map(|case| {
            let root = dir.join(case);
            let _ = fs::remove_dir_all(&root);
            write_case(&root, case, n).unwrap_or_else(|e| panic!("write {}: {e}", root.display()));
            (*case, root)
        })
        .collect()
}

/// The one error code each case is built to have, and how many times.
fn expected_errors(case: &str, n: usize) -> (&'static str, usize) {
    match case {
        "cycle" => ("E0304", 1),
        "unknown" | "renamed" => ("E0303", n),
        _ => ("", 0),
    }
}

/// The generated portfolios, removed when dropped.
struct Portfolios(PathBuf);

impl Drop for Portfolios {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

fn check(root: &Path) -> cutover::Checked {
    let opts =
        RunOptions { as_of: Date::parse("2026-11-26"), bodies: cutover::validate::Bodies::None, ..Default::default() };
    cutover::check(root, &opts).expect("check runs")
}

fn graph(c: &mut Criterion, n: usize) {
    let dir = Portfolios(std::env::temp_dir().join(format!("cutover-graph-{}-{n}", std::process::id())));
    let cases = write_all(&dir.0, n);
    let mut g = c.benchmark_group(format!("graph/{n}"));
    g.sampling_mode(SamplingMode::Flat)
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(10));
    for (case, root) in &cases {
        let codes: Vec<&str> = check(root).report.diagnostics.iter().map(|d| d.code.as_str()).collect();
        let (code, count) = expected_errors(case, n);
        let errors = codes.iter().filter(|c| c.starts_with('E')).count();
        assert_eq!(errors, count, "{case}: {codes:?}");
        assert!(codes.iter().filter(|c| c.starts_with('E')).all(|c| *c == code), "{case}: {codes:?}");
        g.bench_function(*case, |b| b.iter(|| black_box(check(root))));
    }
    g.finish();
}

fn main() {
    let n = std::env::var("CUTOVER_BENCH_WORKLOADS").ok().and_then(|v| v.parse().ok()).unwrap_or(10_000);
    if let Some(dir) = std::env::var_os("CUTOVER_GRAPH_BENCH_WRITE") {
        for (_, root) in write_all(Path::new(&dir), n) {
            println!("{}", root.display());
        }
        return;
    }
    let mut c = Criterion::default().configure_from_args();
    graph(&mut c, n);
    c.final_summary();
}
