//! Decides each workload: promoted, ready or blocked, with every reason.
//! Sufficiency of evidence is decided here, never reported as an error.

pub(crate) mod deadlines;
pub(crate) mod decommission;
pub mod history;
pub(crate) mod item;
pub(crate) mod promotion;
pub(crate) mod risks;

use crate::core::checklist::ItemRole;
use crate::core::date::Date;
use crate::core::diagnostics::{Code, Diagnostic};
use crate::core::model::{Evidence, ItemId, Portfolio, ReleaseId, Status, Workload, WorkloadId};
use item::Rules;
use promotion::Promotion;
use rayon::prelude::*;
use serde::Serialize;
use std::collections::BTreeMap;

/// Whether a workload may go, has gone, or may not: the answer every page is built around.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Decision {
    /// Traffic has moved: the promotion item records the day, and that day has come.
    Promoted,
    /// Every required item is satisfied and no dependency holds it back: it may be promoted.
    Ready,
    /// At least one reason holds it back (see [`Reason`]).
    Blocked,
}

impl Decision {
    /// The word readiness.json and the pages use for it.
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Promoted => "promoted",
            Decision::Ready => "ready",
            Decision::Blocked => "blocked",
        }
    }
}

/// Why a workload is not ready: an item of its own, or a dependency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reason {
    /// The workload's own item that is not satisfied, if that is the reason.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub item: Option<ItemId>,
    /// The dependency that holds it back, if that is the reason.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub workload: Option<WorkloadId>,
    /// The reason in a sentence, as pages and readiness.json give it.
    pub message: String,
}

/// One checklist item of one workload, as evaluated on the as-of date.
#[derive(Debug, Clone, Serialize)]
pub struct ItemState {
    /// Which checklist item it is (also its evidence file's stem).
    pub id: ItemId,
    /// The status its evidence records (`not-started` without evidence).
    pub status: Status,
    /// Whether it counts towards readiness on the as-of date (validated and fresh, waived, not applicable...).
    pub satisfied: bool,
    /// Whether the workload's criticality requires the item.
    pub required: bool,
    /// What holds the item back, or what keeps it satisfied (a waiver's end).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Its sign-off is older than the item's `max_age_days`.
    pub stale: bool,
    /// A sign-off is recorded but does not count (wrong signer, expired, changed, not committed by its signer...).
    pub lapsed: bool,
    /// Done before an item in its `after` list.
    pub out_of_order: bool,
    /// Who committed the sign-off the status rests on, when the site is in git.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub provenance: Option<crate::core::model::Provenance>,
}

/// One workload decided, with the reasons and item states behind the decision.
#[derive(Debug, Clone, Serialize)]
pub struct WorkloadAssessment {
    /// The workload's id (its folder name).
    pub id: WorkloadId,
    /// What was decided.
    pub decision: Decision,
    /// Why it is blocked, in the order reports give them; empty unless blocked.
    pub reasons: Vec<Reason>,
    /// Every checklist item, in checklist order.
    pub items: Vec<ItemState>,
    /// Workloads that depend on this one, sorted.
    pub dependants: Vec<WorkloadId>,
    /// Where each of its on-premises assets stands in retirement.
    pub assets: Vec<decommission::AssetState>,
    /// The day it was promoted, once that day has come.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub promoted_on: Option<Date>,
    /// What its own evidence lacked on the day it was promoted (W0007).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub promoted_while_missing: Vec<Reason>,
}

/// A release's progress: how many of its workloads stand where.
#[derive(Debug, Clone, Serialize)]
pub struct ReleaseAssessment {
    /// The release, as workloads name it in `release:`.
    pub id: ReleaseId,
    /// Every workload in it is promoted (and it has at least one).
    pub complete: bool,
    /// Its workloads, by id.
    pub workloads: Vec<WorkloadId>,
    /// How many of them are promoted.
    pub promoted: usize,
    /// How many may be promoted.
    pub ready: usize,
    /// How many are blocked.
    pub blocked: usize,
}

/// The evaluated portfolio.
#[derive(Debug, Clone)]
pub struct Assessment {
    /// The date decisions were made as of.
    pub as_of: Date,
    /// Each workload's decision, by id.
    pub workloads: BTreeMap<WorkloadId, WorkloadAssessment>,
    /// Each release of site.yaml, in its order.
    pub releases: Vec<ReleaseAssessment>,
    /// Out-of-order warnings.
    pub diagnostics: Vec<Diagnostic>,
    /// The portfolio over time, when a build read it from git (see [`crate::evaluate::history`]).
    pub history: std::sync::Arc<crate::evaluate::history::Outcome>,
}

/// Decides every workload of `portfolio` as of `as_of`: item states in
/// parallel, then decisions in dependency order, then each release's progress.
pub fn evaluate(portfolio: &Portfolio, as_of: Date) -> Assessment {
    let graph: BTreeMap<WorkloadId, Vec<WorkloadId>> =
        portfolio.workloads.iter().map(|(id, w)| (id.clone(), w.depends_on.clone())).collect();
    let mut dependants: BTreeMap<WorkloadId, Vec<WorkloadId>> = BTreeMap::new();
    for (id, deps) in &graph {
        for d in deps {
            dependants.entry(d.clone()).or_default().push(id.clone());
        }
    }
    // Item states depend on the workload alone: worked out in parallel, collected in id order.
    let states: Vec<(&WorkloadId, Vec<ItemState>, Vec<Diagnostic>)> = portfolio
        .workloads
        .par_iter()
        .map(|(id, w)| {
            let mut d = Vec::new();
            let items = item_states(portfolio, w, as_of, &mut d);
            (id, items, d)
        })
        .collect();
    let mut diagnostics = Vec::new();
    let mut items_of: BTreeMap<&WorkloadId, Vec<ItemState>> = BTreeMap::new();
    for (id, items, d) in states {
        items_of.insert(id, items);
        diagnostics.extend(d);
    }
    let mut workloads: BTreeMap<WorkloadId, WorkloadAssessment> = BTreeMap::new();
    for id in crate::validate::graph::dependency_order(&graph) {
        let w = &portfolio.workloads[&id];
        let mut items = items_of.remove(&id).unwrap_or_default();
        let Decided { decision, reasons, promotion } =
            decide(w, &mut items, portfolio, &|d| workloads.get(d).map(|a| a.decision), as_of);
        let (promoted_on, promoted_while_missing) = match promotion {
            Promotion::Done(on) => (Some(on), flag_early_promotion(portfolio, w, on, &mut diagnostics)),
            _ => (None, Vec::new()),
        };
        let mut deps_of_me = dependants.remove(&id).unwrap_or_default();
        deps_of_me.sort();
        let recorded = promotion::recorded_on(&portfolio.checklist, w);
        let hold = portfolio.site.decommission_hold_days;
        let assets = decommission::assess(w, recorded, hold, as_of, &mut diagnostics);
        workloads.insert(
            id.clone(),
            WorkloadAssessment {
                id,
                decision,
                reasons,
                items,
                dependants: deps_of_me,
                assets,
                promoted_on,
                promoted_while_missing,
            },
        );
    }
    let mut by_release: BTreeMap<&ReleaseId, Vec<&WorkloadAssessment>> = BTreeMap::new();
    for a in workloads.values() {
        if let Some(r) = &portfolio.workloads[&a.id].release {
            by_release.entry(r).or_default().push(a);
        }
    }
    let releases = portfolio
        .site
        .releases
        .iter()
        .map(|r| {
            let members: Vec<&WorkloadAssessment> = by_release.remove(&r.id).unwrap_or_default();
            let count = |d: Decision| members.iter().filter(|a| a.decision == d).count();
            ReleaseAssessment {
                id: r.id.clone(),
                complete: !members.is_empty() && members.iter().all(|a| a.decision == Decision::Promoted),
                workloads: members.iter().map(|a| a.id.clone()).collect(),
                promoted: count(Decision::Promoted),
                ready: count(Decision::Ready),
                blocked: count(Decision::Blocked),
            }
        })
        .collect();
    Assessment { as_of, workloads, releases, diagnostics, history: Default::default() }
}

/// One workload's decision on `as_of`, as [`evaluate`] makes it, given the
/// decisions of the workloads that come before it in dependency order
/// (`None` for any other): history decides again only the workloads that a
/// day changes, and takes every other decision from the day before.
pub(crate) fn decide_one(
    portfolio: &Portfolio,
    w: &Workload,
    as_of: Date,
    decided: &dyn Fn(&WorkloadId) -> Option<Decision>,
) -> Decision {
    let mut items = item_states(portfolio, w, as_of, &mut Vec::new());
    decide(w, &mut items, portfolio, decided, as_of).decision
}

fn item_states(portfolio: &Portfolio, w: &Workload, as_of: Date, diags: &mut Vec<Diagnostic>) -> Vec<ItemState> {
    let checklist = &portfolio.checklist;
    let rules = Rules { site: &portfolio.site, checklist, day: "the as-of date" };
    let mut states: Vec<ItemState> = checklist
        .items
        .iter()
        .map(|item| {
            let ev = w.evidence.get(&item.id).map(Box::as_ref);
            let v = rules.judge(item, ev, as_of);
            ItemState {
                id: item.id.clone(),
                status: ev.map_or(Status::NotStarted, |e| e.status),
                satisfied: v.satisfied,
                required: item.required_for(w.criticality),
                note: v.note,
                stale: v.stale,
                lapsed: v.lapsed,
                out_of_order: false,
                provenance: ev.and_then(signoff_provenance).cloned(),
            }
        })
        .collect();
    // A promotion that has happened is checked as a whole, dates included (W0007).
    let promoted = matches!(promotion::promotion(checklist, w, as_of), Promotion::Done(_));
    for (state, item) in states.iter_mut().zip(&checklist.items) {
        let Some(ev) = w.evidence.get(&item.id).filter(|e| e.status.at_least(Status::Executed)) else {
            continue;
        };
        if promoted && item.role == Some(ItemRole::Promotion) {
            continue;
        }
        // Freshness and waiver expiry do not count here: a predecessor that was
        // signed off and later went stale does not make a finished step out of order.
        let missing: Vec<&str> = item
            .after
            .iter()
            .filter_map(|a| checklist.item(a.as_str()))
            .filter(|a| a.required_for(w.criticality) && !rules.signed_off(a, w.evidence.get(&a.id).map(Box::as_ref)))
            .map(|a| a.id.as_str())
            .collect();
        if missing.is_empty() {
            continue;
        }
        state.out_of_order = true;
        let list = missing.iter().map(|m| format!("`{m}`")).collect::<Vec<_>>().join(", ");
        let (verb, one) = if missing.len() == 1 { ("is", "it") } else { ("are", "them") };
        diags.push(
            Diagnostic::new(
                Code::W0001,
                &ev.file,
                ev.status_line,
                ev.status_column,
                format!("`{}` is {} while {list} {verb} not satisfied", item.id, ev.status),
            )
            .with_help(format!(
                "`{}` comes after {list} in the checklist; finish {one} first, or record why the order was broken",
                item.id
            )),
        );
    }
    states
}

/// The git record of the sign-off that the evidence's status rests on.
fn signoff_provenance(ev: &Evidence) -> Option<&crate::core::model::Provenance> {
    match ev.status {
        Status::Validated => ev.provenance.as_ref(),
        Status::Waived => ev.waiver.as_ref().and_then(|w| w.provenance.as_ref()),
        _ => None,
    }
}

/// What the evaluation of one workload adds beyond its items.
struct Decided {
    decision: Decision,
    reasons: Vec<Reason>,
    promotion: Promotion,
}

fn decide(
    w: &Workload,
    items: &mut [ItemState],
    portfolio: &Portfolio,
    decided: &dyn Fn(&WorkloadId) -> Option<Decision>,
    as_of: Date,
) -> Decided {
    let checklist = &portfolio.checklist;
    let promotion_item = checklist.role_id(ItemRole::Promotion);
    let promotion = promotion::promotion(checklist, w, as_of);
    if let Promotion::Done(_) = promotion {
        return Decided { decision: Decision::Promoted, reasons: Vec::new(), promotion };
    }
    let mut reasons = Vec::new();
    for (state, item) in items.iter().zip(&checklist.items) {
        let broken = w.evidence.get(&item.id).is_some_and(|e| e.has_errors);
        if Some(&item.id) == promotion_item && !broken {
            continue;
        }
        if (state.required && !state.satisfied) || broken {
            reasons.push(Reason {
                item: Some(item.id.clone()),
                workload: None,
                message: state.note.clone().unwrap_or_else(|| "not satisfied".into()),
            });
        }
    }
    for dep in &w.depends_on {
        let message = match decided(dep) {
            None if portfolio.workloads.contains_key(dep) => "dependency waits on a dependency cycle".to_string(),
            None => "dependency could not be read".to_string(),
            Some(d) => match d {
                Decision::Promoted => continue,
                Decision::Ready if same_release(w, &portfolio.workloads[dep]) => continue,
                Decision::Ready => ready_elsewhere(w, &portfolio.workloads[dep], portfolio),
                Decision::Blocked => "dependency is blocked".to_string(),
            },
        };
        reasons.push(Reason { item: None, workload: Some(dep.clone()), message });
    }
    if let (Promotion::Scheduled(on), Some(id)) = (promotion, promotion_item) {
        let note = format!("promotion scheduled for {on}");
        if let Some(state) = items.iter_mut().find(|s| &s.id == id) {
            state.note = Some(note.clone());
        }
        if !reasons.is_empty() {
            reasons.push(Reason { item: Some(id.clone()), workload: None, message: note });
        }
    }
    let decision = if reasons.is_empty() { Decision::Ready } else { Decision::Blocked };
    Decided { decision, reasons, promotion }
}

/// W0007: the workload was promoted on `on` while its own evidence, judged as of that day, was not all there.
fn flag_early_promotion(portfolio: &Portfolio, w: &Workload, on: Date, diags: &mut Vec<Diagnostic>) -> Vec<Reason> {
    let rules = Rules { site: &portfolio.site, checklist: &portfolio.checklist, day: "the promotion day" };
    let missing = promotion::missing_on(rules, w, on);
    let Some(ev) = portfolio.checklist.role_id(ItemRole::Promotion).and_then(|id| w.evidence.get(id)) else {
        return missing;
    };
    if !missing.is_empty() {
        let list: Vec<String> = missing
            .iter()
            .map(|r| format!("`{}` ({})", r.item.as_ref().map_or("", |i| i.as_str()), r.message))
            .collect();
        diags.push(
            Diagnostic::new(
                Code::W0007,
                &ev.file,
                ev.status_line,
                ev.status_column,
                format!("{} was promoted on {on} while not ready: {}", w.name, list.join(", ")),
            )
            .with_help("on its promotion day these items were not satisfied; complete their evidence, and record in the promotion evidence why it went ahead"),
        );
    }
    missing
}

/// Why a ready dependency still holds `w` back: it is not in `w`'s release,
/// said as it is. A workload with no release, or a dependency with none, is
/// never told that the other is "in another release".
fn ready_elsewhere(w: &Workload, dep: &Workload, portfolio: &Portfolio) -> String {
    let title = |id: &ReleaseId| {
        portfolio.site.releases.iter().find(|r| r.id == *id).map_or_else(|| id.0.clone(), |r| r.title.clone())
    };
    match (&w.release, &dep.release) {
        (None, _) => {
            "dependency is ready but not yet promoted; a workload with no release waits until it is promoted".into()
        }
        (Some(_), None) => "dependency is ready but has no release; it must be promoted first".into(),
        (Some(_), Some(other)) => {
            format!("dependency is ready but in release {}; it must be promoted first", title(other))
        }
    }
}

fn same_release(a: &Workload, b: &Workload) -> bool {
    a.release.is_some() && a.release == b.release
}
