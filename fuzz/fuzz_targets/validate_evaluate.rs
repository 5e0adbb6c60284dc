//! A generated portfolio (a few workloads with dependencies, releases and
//! evidence of every status) through validate and evaluate. Checks:
//! - no panic, and every diagnostic points into an input;
//! - the decision rules hold (never `ready` with an unsatisfied required item
//!   or a dependency that holds it back);
//! - the result does not depend on the order of workloads or files;
//! - completing one item (a valid, satisfied evidence file) never turns a
//!   `ready` workload `blocked`.
#![no_main]

use cutover::evaluate::{Assessment, Decision, evaluate};
use cutover::load::{SourceFile, Sources};
use cutover::model::{Portfolio, WorkloadId};
use cutover::validate::validate;
use cutover_fuzz::generate::GenPortfolio;
use cutover_fuzz::{check_decisions, check_diagnostics};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fn run(sources: &Sources, g: &GenPortfolio) -> (Portfolio, Assessment, Vec<String>) {
    let (portfolio, mut diags) = validate(sources);
    let assessment = evaluate(&portfolio, g.as_of_date());
    check_decisions(&portfolio, &assessment);
    diags.extend(assessment.diagnostics.iter().cloned());
    check_diagnostics(sources, &diags);
    let mut shown: Vec<String> = diags.iter().map(|d| format!("{d:?}")).collect();
    shown.sort();
    (portfolio, assessment, shown)
}

fn decisions(a: &Assessment) -> Vec<String> {
    a.workloads.values().map(|w| format!("{} {:?} {:?}", w.id, w.decision, w.reasons)).collect()
}

/// With `CUTOVER_FUZZ_STATS=1`, each input prints its decisions, to see what the corpus reaches.
fn print_stats() -> bool {
    static ON: OnceLock<bool> = OnceLock::new();
    *ON.get_or_init(|| std::env::var_os("CUTOVER_FUZZ_STATS").is_some())
}

fuzz_target!(|g: GenPortfolio| {
    let sources = g.sources();
    let (portfolio, assessment, diags) = run(&sources, &g);
    if print_stats() {
        let count = |d| assessment.workloads.values().filter(|w| w.decision == d).count();
        eprintln!(
            "stats: workloads={} promoted={} ready={} blocked={} diagnostics={}",
            assessment.workloads.len(),
            count(Decision::Promoted),
            count(Decision::Ready),
            count(Decision::Blocked),
            diags.len()
        );
    }

    // The order of files on disk does not matter.
    let (_, again, diags_again) = run(&cutover_fuzz::generate::shuffled(&sources, g.shuffle), &g);
    assert_eq!(decisions(&assessment), decisions(&again), "decisions depend on file order");
    assert_eq!(diags, diags_again, "diagnostics depend on file order");

    // Completing one item never turns `ready` into `blocked`.
    if sources.workloads.is_empty() {
        return;
    }
    let w = usize::from(g.complete.0) % sources.workloads.len();
    let item = &portfolio.checklist.items[usize::from(g.complete.1) % portfolio.checklist.items.len()];
    let mut more = sources.clone();
    let ws = &mut more.workloads[w];
    let path = format!("{}/{}.md", ws.dir, item.id);
    ws.evidence.retain(|f| f.path != path);
    ws.evidence.push(SourceFile { path, text: g.satisfied_evidence(item).into() });
    ws.evidence.sort_by(|a, b| a.path.cmp(&b.path));
    let completed = WorkloadId(ws.id.clone());
    let (_, after, _) = run(&more, &g);
    if let Some(state) = after.workloads.get(&completed).and_then(|a| a.items.iter().find(|s| s.id == item.id)) {
        assert!(state.satisfied, "the completed item `{}` is not satisfied: {state:?}", item.id);
    }
    for (id, before) in &assessment.workloads {
        let now = after.workloads.get(id).map(|a| a.decision);
        if before.decision == Decision::Ready {
            assert_ne!(
                now,
                Some(Decision::Blocked),
                "{id} went from ready to blocked when `{}` was completed",
                item.id
            );
        }
    }
});
