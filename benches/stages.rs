//! Criterion benchmarks of the pipeline's stages, on a generated portfolio, so that a
//! regression shows where it is: `cargo bench --bench stages`.
//!
//! The portfolio (1,000 workloads by default; `CUTOVER_BENCH_WORKLOADS` changes it,
//! `CUTOVER_BENCH_SEED` the seed) is written by the generator of
//! `examples/gen_portfolio.rs` into a temporary folder that is removed at the end.
//! Whole-process timings, Hugo and the I/O floor are in `scripts/bench.sh`.

#[allow(dead_code)]
#[path = "../examples/gen_portfolio.rs"]
mod gen_portfolio;

use criterion::{Criterion, SamplingMode, criterion_group, criterion_main};
use cutover::core::diagnostics::Severity;
use std::hint::black_box;
use std::path::PathBuf;
use std::time::Duration;

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// A generated portfolio in a temporary folder, removed when dropped.
struct Portfolio(PathBuf);

impl Drop for Portfolio {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn stages(c: &mut Criterion) {
    let workloads: usize = env_or("CUTOVER_BENCH_WORKLOADS", 1000);
    let seed: u64 = env_or("CUTOVER_BENCH_SEED", 1);
    let dir = Portfolio(std::env::temp_dir().join(format!("cutover-stages-{}-{workloads}", std::process::id())));
    let _ = std::fs::remove_dir_all(&dir.0);
    gen_portfolio::generate(&dir.0, workloads, seed).expect("generate the portfolio");
    let root = dir.0.as_path();

    let sources = cutover::load::load(root).expect("load");
    let (portfolio, diags) = cutover::validate::validate(&sources);
    let errors = diags.iter().filter(|d| d.severity == Severity::Error).count();
    assert_eq!(errors, 0, "the generated portfolio has errors");
    let as_of = portfolio.site.as_of.expect("site.yaml has as_of");
    let assessment = cutover::evaluate::evaluate(&portfolio, as_of);
    let site = cutover::render::render(&portfolio, &assessment).expect("render");
    let out = dir.0.join("public");

    let mut g = c.benchmark_group(format!("stages/{workloads}"));
    g.sampling_mode(SamplingMode::Flat)
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(20));
    g.bench_function("load", |b| b.iter(|| black_box(cutover::load::load(root).expect("load"))));
    g.bench_function("validate", |b| b.iter(|| black_box(cutover::validate::validate(&sources))));
    g.bench_function("evaluate", |b| b.iter(|| black_box(cutover::evaluate::evaluate(&portfolio, as_of))));
    g.bench_function("render", |b| {
        b.iter(|| black_box(cutover::render::render(&portfolio, &assessment).expect("render")))
    });
    g.bench_function("write", |b| b.iter(|| cutover::write::write(&site, root, &out).expect("write")));
    g.finish();
}

criterion_group!(benches, stages);
criterion_main!(benches);
