//! Properties of the decision engine (FORMAT.md, "What a workload's decision
//! is"), over portfolios generated in memory: `Sources` built directly, then
//! `validate` and `evaluate`, no disk.
//!
//! - A workload is never `ready` while a required item other than `promote`
//!   is unsatisfied, or while a dependency is blocked.
//! - Completing an item (a valid, satisfied evidence file) never turns a
//!   `ready` workload `blocked`.
//! - Decisions and reasons do not depend on the order of workloads or of
//!   evidence files in `Sources`.

use cutover::core::checklist::Checklist;
use cutover::core::date::Date;
use cutover::core::model::WorkloadId;
use cutover::evaluate::{Assessment, Decision, evaluate};
use cutover::load::{SourceFile, Sources, WorkloadSources};
use cutover::validate::validate;
use proptest::prelude::*;
use proptest::sample::Index;

const AS_OF: &str = "2026-11-26";
const CISO: &str = "carol.ciso@example.org";
const BUSINESS: &str = "bob.biz@example.org";
/// Someone who may validate items without a sign-off role, and no others.
const ANYONE: &str = "val.idator@example.org";
const CRITICALITIES: [&str; 3] = ["mission-critical", "business-critical", "standard"];
const RELEASES: [&str; 2] = ["wave-1", "wave-2"];

/// How one item of one workload stands, as its evidence file says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ev {
    /// No file.
    Missing,
    NotStarted,
    InProgress,
    Executed,
    Documented,
    /// Validated recently, by someone allowed to sign it off.
    Validated,
    /// Validated long ago: stale where the item has a freshness window.
    ValidatedLongAgo,
    /// Validated by someone outside the item's sign-off role (if it has one).
    ValidatedByOutsider,
    /// Not applicable: allowed for `domain-alignment` only, an error elsewhere.
    NotApplicable,
    /// Waived, the waiver in force on the as-of date.
    Waived,
    /// Waived, the waiver expired the day before the as-of date.
    WaiverExpired,
    /// Validated, but with an unknown field: an error in the file.
    Broken,
}

impl Ev {
    /// Whether this evidence satisfies `item` of the built-in checklist on the as-of date.
    fn satisfies(self, item: &str) -> bool {
        match self {
            Ev::Validated | Ev::Waived => true,
            Ev::ValidatedLongAgo => !["application-performance", "bcdr-validation"].contains(&item),
            Ev::ValidatedByOutsider => !["ciso-verification", "business-change-plan"].contains(&item),
            Ev::NotApplicable => item == "domain-alignment",
            _ => false,
        }
    }
}

/// Any state an item can be in.
fn item_state() -> impl Strategy<Value = Ev> {
    prop_oneof![
        Just(Ev::Missing),
        Just(Ev::NotStarted),
        Just(Ev::InProgress),
        Just(Ev::Executed),
        Just(Ev::Documented),
        Just(Ev::Validated),
        Just(Ev::ValidatedLongAgo),
        Just(Ev::ValidatedByOutsider),
        Just(Ev::NotApplicable),
        Just(Ev::Waived),
        Just(Ev::WaiverExpired),
        Just(Ev::Broken),
    ]
}

/// `promote` is mostly not started: a promoted workload decides nothing else.
fn promote_state() -> impl Strategy<Value = Ev> {
    prop_oneof![8 => Just(Ev::Missing), 1 => Just(Ev::InProgress), 1 => Just(Ev::Executed), 1 => Just(Ev::Validated)]
}

#[derive(Debug, Clone)]
struct Workload {
    criticality: usize,
    release: Option<usize>,
    /// Indices of earlier workloads (so the graph has no cycles).
    deps: Vec<Index>,
    /// One state per built-in checklist item, in checklist order.
    items: Vec<Ev>,
}

/// A workload starts complete (every item but `promote` validated) and up to
/// two items are then set to any state, so that `ready` and `blocked` are
/// both common.
fn workload() -> impl Strategy<Value = Workload> {
    (
        0..CRITICALITIES.len(),
        // Mostly the same release, so that a dependency that is only ready can still let a workload be ready.
        proptest::option::weighted(0.85, prop_oneof![3 => Just(0usize), 1 => Just(1usize)]),
        proptest::collection::vec(any::<Index>(), 0..3),
        proptest::collection::vec((0usize..14, item_state()), 0..3),
        promote_state(),
    )
        .prop_map(|(criticality, release, deps, changes, promote)| {
            let mut items = vec![Ev::Validated; 14];
            for (i, ev) in changes {
                items[i] = ev;
            }
            items.push(promote);
            Workload { criticality, release, deps, items }
        })
}

fn portfolio() -> impl Strategy<Value = Vec<Workload>> {
    proptest::collection::vec(workload(), 1..6)
}

fn id(i: usize) -> String {
    format!("w{i}")
}

fn deps_of(ws: &[Workload], i: usize) -> Vec<usize> {
    if i == 0 {
        return Vec::new();
    }
    let mut d: Vec<usize> = ws[i].deps.iter().map(|x| x.index(i)).collect();
    d.sort();
    d.dedup();
    d
}

fn file(path: String, text: String) -> SourceFile {
    SourceFile { path, text: text.into() }
}

const SITE: &str = "title: Properties\napprovers:\n  ciso: [carol.ciso@example.org]\n  business: [bob.biz@example.org]\nreleases:\n  - {id: wave-1, title: Wave 1}\n  - {id: wave-2, title: Wave 2}\n";

/// The item-specific fields of the built-in checklist, valid.
fn item_fields(item: &str) -> &'static str {
    match item {
        "data-classification" => "classification: confidential\n",
        "domain-alignment" => "domain: corp.example.org\n",
        "bcdr-validation" => "last_restore_test: 2026-11-02\n",
        "ciso-verification" => "risks:\n  - {id: r1, description: d, mitigation: m, accepted: true}\n",
        "promote" => {
            "promoted_on: 2026-11-21\ncutover:\n  - {record: a.example.org, type: A, from: 10.0.0.1, to: 10.1.0.1, ttl: 300}\n"
        }
        _ => "",
    }
}

/// Who may approve a waiver of `item` (FORMAT.md 1.1: its `waiver_signoff`, else its `signoff`).
fn waiver_approver(item: &str) -> &'static str {
    match item {
        "data-classification" => CISO,
        other => signer(other),
    }
}

fn signer(item: &str) -> &'static str {
    match item {
        "ciso-verification" => CISO,
        "business-change-plan" => BUSINESS,
        _ => ANYONE,
    }
}

/// The evidence file for `item` in state `ev`, or `None` for no file.
fn evidence(item: &str, ev: Ev) -> Option<String> {
    let fields = item_fields(item);
    let validated = |by: &str, executed: &str, on: &str, extra: &str| {
        format!(
            "---\nstatus: validated\nexecuted_on: {executed}\ndocumented_in: [reports/evidence.txt]\nvalidated_by: {by}\nvalidated_on: {on}\n{fields}{extra}---\nDone, see [the evidence](reports/evidence.txt).\n"
        )
    };
    let waived = |expires: &str| {
        format!(
            "---\nstatus: waived\nwaiver:\n  approved_by: {}\n  approved_on: 2026-11-01\n  expires_on: {expires}\n  reason: Vendor delay.\n  mitigation: Manual checks.\n---\nWaived.\n",
            waiver_approver(item)
        )
    };
    Some(match ev {
        Ev::Missing => return None,
        Ev::NotStarted => "---\nstatus: not-started\n---\n".into(),
        Ev::InProgress => "---\nstatus: in-progress\n---\nUnder way.\n".into(),
        Ev::Executed => {
            let promoted_on = if item == "promote" { "promoted_on: 2026-11-21\n" } else { "" };
            let restore = if item == "bcdr-validation" { "last_restore_test: 2026-11-02\n" } else { "" };
            format!("---\nstatus: executed\nexecuted_on: 2026-11-20\n{promoted_on}{restore}---\nDone.\n")
        }
        Ev::Documented => format!(
            "---\nstatus: documented\nexecuted_on: 2026-11-20\ndocumented_in: [reports/evidence.txt]\n{fields}---\nWritten up.\n"
        ),
        Ev::Validated => validated(signer(item), "2026-11-20", "2026-11-21", ""),
        Ev::ValidatedLongAgo => validated(signer(item), "2026-03-01", "2026-03-02", ""),
        Ev::ValidatedByOutsider => validated("mallory@example.org", "2026-11-20", "2026-11-21", ""),
        Ev::NotApplicable => "---\nstatus: not-applicable\njustification: Nothing to align.\n---\n".into(),
        Ev::Waived => waived("2026-12-31"),
        Ev::WaiverExpired => waived("2026-11-25"),
        Ev::Broken => validated(signer(item), "2026-11-20", "2026-11-21", "validatd_by: typo\n"),
    })
}

fn sources(ws: &[Workload], checklist: &Checklist) -> Sources {
    let mut s = Sources { site: Some(file("content/site.yaml".into(), SITE.into())), ..Sources::default() };
    for (i, w) in ws.iter().enumerate() {
        let dir = format!("content/workloads/{}", id(i));
        let mut yaml =
            format!("name: Workload {i}\nowner: team@example.org\ncriticality: {}\n", CRITICALITIES[w.criticality]);
        if let Some(r) = w.release {
            yaml += &format!("release: {}\n", RELEASES[r]);
        }
        let deps: Vec<String> = deps_of(ws, i).into_iter().map(id).collect();
        if !deps.is_empty() {
            yaml += &format!("depends_on: [{}]\n", deps.join(", "));
        }
        let mut evidence_files: Vec<SourceFile> = checklist
            .items
            .iter()
            .zip(&w.items)
            .filter_map(|(item, ev)| evidence(item.id.as_str(), *ev).map(|t| file(format!("{dir}/{}.md", item.id), t)))
            .collect();
        evidence_files.sort_by(|a, b| a.path.cmp(&b.path));
        s.workloads.push(WorkloadSources {
            id: id(i),
            workload_yaml: Some(file(format!("{dir}/workload.yaml"), yaml)),
            dir,
            evidence: evidence_files,
            attachments: vec!["reports/evidence.txt".into()],
            documents: Vec::new(),
            unreadable: Vec::new(),
            attachment_digests: Default::default(),
        });
    }
    s
}

fn assess(s: &Sources) -> Assessment {
    let (portfolio, _) = validate(s);
    evaluate(&portfolio, Date::parse(AS_OF).unwrap())
}

fn decision(a: &Assessment, i: usize) -> Decision {
    a.workloads[&WorkloadId(id(i))].decision
}

/// Decisions and reasons, in a form that compares whole.
fn outcome(a: &Assessment) -> Vec<String> {
    a.workloads.values().map(|w| format!("{} {:?} {:?}", w.id, w.decision, w.reasons)).collect()
}

/// A moderate number of cases keeps `cargo test` quick (each case validates a
/// whole portfolio in a debug build); `PROPTEST_CASES=5000` runs a deeper search.
fn config() -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(64);
    ProptestConfig { cases, failure_persistence: None, ..ProptestConfig::default() }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn never_ready_with_an_unsatisfied_required_item_or_a_blocked_dependency(ws in portfolio()) {
        let checklist = cutover::validate::checklist::builtin();
        let a = assess(&sources(&ws, &checklist));
        prop_assert_eq!(a.workloads.len(), ws.len());
        for (i, w) in ws.iter().enumerate() {
            if decision(&a, i) != Decision::Ready {
                continue;
            }
            for (item, ev) in checklist.items.iter().zip(&w.items) {
                if item.id.as_str() != "promote" {
                    prop_assert!(ev.satisfies(item.id.as_str()), "{} is ready while `{}` is {:?}", id(i), item.id, ev);
                }
            }
            for d in deps_of(&ws, i) {
                let dep = decision(&a, d);
                prop_assert_ne!(dep, Decision::Blocked, "{} is ready while its dependency {} is blocked", id(i), id(d));
                let same_release = w.release.is_some() && w.release == ws[d].release;
                prop_assert!(
                    dep == Decision::Promoted || same_release,
                    "{} is ready while {} is only ready, in another release", id(i), id(d)
                );
            }
        }
    }

    /// The whole rule, as an oracle computed from what the generator wrote:
    /// promoted when `promote` is executed; else ready when every other item
    /// is satisfied and each dependency is promoted, or ready in the same
    /// release; else blocked.
    #[test]
    fn decisions_follow_the_rule(ws in portfolio()) {
        let checklist = cutover::validate::checklist::builtin();
        let a = assess(&sources(&ws, &checklist));
        let mut expected: Vec<Decision> = Vec::new();
        for (i, w) in ws.iter().enumerate() {
            let all_satisfied = checklist.items.iter().zip(&w.items)
                .all(|(item, ev)| item.id.as_str() == "promote" || ev.satisfies(item.id.as_str()));
            let deps_allow = deps_of(&ws, i).into_iter().all(|d| match expected[d] {
                Decision::Promoted => true,
                Decision::Ready => w.release.is_some() && w.release == ws[d].release,
                Decision::Blocked => false,
            });
            expected.push(if matches!(w.items[14], Ev::Executed | Ev::Validated) {
                Decision::Promoted
            } else if all_satisfied && deps_allow {
                Decision::Ready
            } else {
                Decision::Blocked
            });
        }
        for (i, want) in expected.iter().enumerate() {
            prop_assert_eq!(decision(&a, i), *want, "{}: {:?}", id(i), a.workloads[&WorkloadId(id(i))].reasons);
        }
    }

    #[test]
    fn completing_an_item_never_turns_ready_into_blocked(ws in portfolio(), which in any::<Index>(), pick in any::<Index>()) {
        let checklist = cutover::validate::checklist::builtin();
        let before = assess(&sources(&ws, &checklist));
        let mut more = ws.clone();
        let w = which.index(more.len());
        // An item that is not yet validated (often `promote`), else any.
        let open: Vec<usize> = (0..15).filter(|i| more[w].items[*i] != Ev::Validated).collect();
        let item = if open.is_empty() { pick.index(15) } else { open[pick.index(open.len())] };
        more[w].items[item] = Ev::Validated;
        let after = assess(&sources(&more, &checklist));
        let state = after.workloads[&WorkloadId(id(w))].items.iter().find(|s| s.id == checklist.items[item].id).unwrap();
        prop_assert!(state.satisfied, "the completed item is satisfied: {:?}", state);
        for i in 0..ws.len() {
            if decision(&before, i) == Decision::Ready {
                prop_assert_ne!(
                    decision(&after, i), Decision::Blocked,
                    "{} went from ready to blocked when `{}` of {} was completed", id(i), checklist.items[item].id, id(w)
                );
            }
        }
    }

    #[test]
    fn the_result_does_not_depend_on_file_order(ws in portfolio(), seed in any::<u64>()) {
        let checklist = cutover::validate::checklist::builtin();
        let s = sources(&ws, &checklist);
        let mut shuffled = s.clone();
        let mut rng = seed | 1;
        let mut next = move |n: usize| {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            (rng % n as u64) as usize
        };
        for i in (1..shuffled.workloads.len()).rev() {
            let j = next(i + 1);
            shuffled.workloads.swap(i, j);
        }
        for w in &mut shuffled.workloads {
            for i in (1..w.evidence.len()).rev() {
                let j = next(i + 1);
                w.evidence.swap(i, j);
            }
        }
        prop_assert_eq!(outcome(&assess(&s)), outcome(&assess(&shuffled)));
    }
}

/// The properties above say nothing if the generator never makes a workload
/// ready: check that it reaches every decision, also with dependencies.
#[test]
fn generated_portfolios_reach_every_decision() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let checklist = cutover::validate::checklist::builtin();
    let mut runner = TestRunner::deterministic();
    let (mut promoted, mut ready, mut blocked, mut ready_with_deps) = (0, 0, 0, 0);
    for _ in 0..40 {
        let ws = portfolio().new_tree(&mut runner).unwrap().current();
        let a = assess(&sources(&ws, &checklist));
        for i in 0..ws.len() {
            match decision(&a, i) {
                Decision::Promoted => promoted += 1,
                Decision::Ready if !deps_of(&ws, i).is_empty() => {
                    ready += 1;
                    ready_with_deps += 1;
                }
                Decision::Ready => ready += 1,
                Decision::Blocked => blocked += 1,
            }
        }
    }
    assert!(
        promoted > 0 && ready > 10 && blocked > 10 && ready_with_deps > 0,
        "promoted {promoted}, ready {ready} ({ready_with_deps} with dependencies), blocked {blocked}"
    );
}
