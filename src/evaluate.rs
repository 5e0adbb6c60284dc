//! Decides each workload: promoted, ready or blocked, with every reason.
//! Sufficiency of evidence is decided here, never reported as an error.

use crate::checklist::Item;
use crate::date::Date;
use crate::diagnostics::{Code, Diagnostic};
use crate::model::{Evidence, ItemId, Portfolio, ReleaseId, Status, Workload, WorkloadId};
use rayon::prelude::*;
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Decision {
    Promoted,
    Ready,
    Blocked,
}

impl Decision {
    pub const ALL: [Decision; 3] = [Decision::Promoted, Decision::Ready, Decision::Blocked];

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
    #[serde(skip_serializing_if = "Option::is_none")]
    pub item: Option<ItemId>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub workload: Option<WorkloadId>,
    pub message: String,
}

/// One checklist item of one workload, as evaluated on the as-of date.
#[derive(Debug, Clone, Serialize)]
pub struct ItemState {
    pub id: ItemId,
    pub status: Status,
    pub satisfied: bool,
    /// Whether the workload's criticality requires the item.
    pub required: bool,
    /// What holds the item back, or what keeps it satisfied (a waiver's end).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    pub stale: bool,
    pub out_of_order: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct WorkloadAssessment {
    pub id: WorkloadId,
    pub decision: Decision,
    pub reasons: Vec<Reason>,
    pub items: Vec<ItemState>,
    /// Workloads that depend on this one, sorted.
    pub dependants: Vec<WorkloadId>,
    pub assets: Vec<crate::decommission::AssetState>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ReleaseAssessment {
    pub id: ReleaseId,
    pub complete: bool,
    pub workloads: Vec<WorkloadId>,
    pub promoted: usize,
    pub ready: usize,
    pub blocked: usize,
}

/// The evaluated portfolio.
#[derive(Debug, Clone)]
pub struct Assessment {
    pub as_of: Date,
    pub workloads: BTreeMap<WorkloadId, WorkloadAssessment>,
    pub releases: Vec<ReleaseAssessment>,
    /// Out-of-order warnings.
    pub diagnostics: Vec<Diagnostic>,
}

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
    for id in crate::graph::dependency_order(&graph) {
        let w = &portfolio.workloads[&id];
        let items = items_of.remove(&id).unwrap_or_default();
        let (decision, reasons) = decide(w, &items, portfolio, &workloads);
        let mut deps_of_me = dependants.remove(&id).unwrap_or_default();
        deps_of_me.sort();
        let assets = crate::decommission::assess(w, portfolio.site.decommission_hold_days, as_of, &mut diagnostics);
        workloads
            .insert(id.clone(), WorkloadAssessment { id, decision, reasons, items, dependants: deps_of_me, assets });
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
    Assessment { as_of, workloads, releases, diagnostics }
}

fn item_states(portfolio: &Portfolio, w: &Workload, as_of: Date, diags: &mut Vec<Diagnostic>) -> Vec<ItemState> {
    let checklist = &portfolio.checklist;
    let mut states: Vec<ItemState> = checklist
        .items
        .iter()
        .map(|item| {
            let (satisfied, note, stale) =
                satisfaction(item, w.evidence.get(&item.id).map(Box::as_ref), portfolio, as_of);
            ItemState {
                id: item.id.clone(),
                status: w.evidence.get(&item.id).map_or(Status::NotStarted, |e| e.status),
                satisfied,
                required: item.required_for(w.criticality),
                note,
                stale,
                out_of_order: false,
            }
        })
        .collect();
    for (state, item) in states.iter_mut().zip(&checklist.items) {
        let Some(ev) = w.evidence.get(&item.id).filter(|e| e.status.at_least(Status::Executed)) else {
            continue;
        };
        // Freshness and waiver expiry do not count here: a predecessor that was
        // signed off and later went stale does not make a finished step out of order.
        let missing: Vec<&str> = item
            .after
            .iter()
            .filter_map(|a| checklist.item(a.as_str()))
            .filter(|a| {
                a.required_for(w.criticality) && !signed_off(a, w.evidence.get(&a.id).map(Box::as_ref), portfolio)
            })
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

/// Whether an item was ever properly closed: validated by an authorised person,
/// waived, or not applicable where allowed, regardless of freshness or expiry.
fn signed_off(item: &Item, ev: Option<&Evidence>, portfolio: &Portfolio) -> bool {
    let Some(e) = ev.filter(|e| !e.has_errors) else { return false };
    match e.status {
        Status::Validated => e.validated_on.is_some_and(|on| validated(item, e, portfolio, on).0),
        Status::Waived => e.waiver.is_some(),
        Status::NotApplicable => item.allow_not_applicable,
        _ => false,
    }
}

/// Whether an item counts as done on the as-of date, a note saying why (not),
/// and whether it is stale.
fn satisfaction(
    item: &Item,
    ev: Option<&Evidence>,
    portfolio: &Portfolio,
    as_of: Date,
) -> (bool, Option<String>, bool) {
    let Some(ev) = ev else {
        return (false, Some("not started".into()), false);
    };
    if ev.changed_after_signoff {
        let on = ev.validated_on.map(|d| format!(" on {d}")).unwrap_or_default();
        let by = ev.validated_by.as_deref().map(|p| format!(" by {p}")).unwrap_or_default();
        return (false, Some(format!("changed after sign-off{on}{by}")), false);
    }
    if ev.has_errors {
        return (false, Some("evidence has errors".into()), false);
    }
    match ev.status {
        Status::Validated => validated(item, ev, portfolio, as_of),
        Status::NotApplicable if item.allow_not_applicable => (true, None, false),
        Status::NotApplicable => (false, Some("not-applicable is not allowed for this item".into()), false),
        Status::Waived => match &ev.waiver {
            Some(w) if as_of <= w.expires_on => (true, Some(format!("waived until {}", w.expires_on)), false),
            Some(w) => (false, Some(format!("waiver expired on {}", w.expires_on)), false),
            None => (false, Some("waived without a waiver".into()), false),
        },
        Status::NotStarted => (false, Some("not started".into()), false),
        Status::InProgress => (false, Some("in progress".into()), false),
        Status::Executed => (false, Some("executed, not yet documented or validated".into()), false),
        Status::Documented => (false, Some("documented, not yet validated".into()), false),
    }
}

fn validated(item: &Item, ev: &Evidence, portfolio: &Portfolio, as_of: Date) -> (bool, Option<String>, bool) {
    let by = ev.validated_by.as_deref().unwrap_or_default();
    if let Some(role) = &item.signoff {
        let approvers = portfolio.site.approvers.get(role).map(Vec::as_slice).unwrap_or_default();
        if !approvers.iter().any(|a| a == by) {
            return (false, Some(format!("validated by {by}, who is not an approver for role `{role}`")), false);
        }
    }
    // Evidence dated after the as-of date had not been validated on it (a
    // typo such as 2099 would otherwise stay fresh for ever).
    if let Some(on) = ev.validated_on
        && on > as_of
    {
        return (false, Some(format!("validated {on}, after the as-of date {as_of}")), false);
    }
    if let (Some(max), Some(on)) = (item.max_age_days, ev.validated_on)
        && on.days_until(as_of) > i64::from(max)
    {
        return (false, Some(format!("validated {on}, older than {max} days")), true);
    }
    (true, None, false)
}

fn decide(
    w: &Workload,
    items: &[ItemState],
    portfolio: &Portfolio,
    decided: &BTreeMap<WorkloadId, WorkloadAssessment>,
) -> (Decision, Vec<Reason>) {
    let promote_done = w.evidence.values().any(|e| e.item.as_str() == "promote" && e.status.at_least(Status::Executed));
    if promote_done {
        return (Decision::Promoted, Vec::new());
    }
    let mut reasons = Vec::new();
    for (state, item) in items.iter().zip(&portfolio.checklist.items) {
        let broken = w.evidence.get(&item.id).is_some_and(|e| e.has_errors);
        if item.id.as_str() == "promote" && !broken {
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
        let message = match decided.get(dep) {
            None if portfolio.workloads.contains_key(dep) => "dependency waits on a dependency cycle".to_string(),
            None => "dependency could not be read".to_string(),
            Some(d) => match d.decision {
                Decision::Promoted => continue,
                Decision::Ready if same_release(w, &portfolio.workloads[dep]) => continue,
                Decision::Ready => "dependency is ready but in another release; it must be promoted first".to_string(),
                Decision::Blocked => "dependency is blocked".to_string(),
            },
        };
        reasons.push(Reason { item: None, workload: Some(dep.clone()), message });
    }
    let decision = if reasons.is_empty() { Decision::Ready } else { Decision::Blocked };
    (decision, reasons)
}

fn same_release(a: &Workload, b: &Workload) -> bool {
    a.release.is_some() && a.release == b.release
}
