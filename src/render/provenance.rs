//! The provenance table of the security view: for every sign-off, who
//! committed it. A CISO reads it for the exceptions: sign-offs committed by
//! someone other than their signer, and sign-offs not committed at all.

use super::context::workload_href;
use crate::core::approvers::same_person;
use crate::core::model::{Evidence, Portfolio, Provenance, ProvenanceState, Status};
use crate::evaluate::Assessment;
use serde::Serialize;

#[derive(Serialize, Default)]
pub struct ProvenanceView {
    /// Whether any sign-off has a git record (the site root is in a work tree with history).
    pub in_git: bool,
    /// `signoff_provenance` from site.yaml.
    pub policy: &'static str,
    /// Sign-offs per state, in the order of [`ProvenanceState::ALL`].
    pub counts: Vec<StateCount>,
    /// Committed by someone other than the signer.
    pub foreign: Vec<SignoffRow>,
    pub uncommitted: Vec<SignoffRow>,
}

#[derive(Serialize)]
pub struct StateCount {
    pub state: &'static str,
    pub count: usize,
}

/// One sign-off and the commit that recorded it.
#[derive(Serialize)]
pub struct SignoffRow {
    pub workload_name: String,
    pub href: String,
    pub item: String,
    /// "validation" or "waiver".
    pub kind: &'static str,
    pub signer: String,
    pub on: String,
    pub commit: String,
    pub author: String,
    pub state: &'static str,
    /// Whether the sign-off counts on the as-of date.
    pub counts: bool,
}

/// The sign-offs of one piece of evidence: its validation and its waiver, with their records.
pub fn signoffs(ev: &Evidence) -> Vec<(&'static str, &str, String, Option<&Provenance>)> {
    let mut out = Vec::new();
    if ev.status == Status::Validated
        && let (Some(by), Some(on)) = (&ev.validated_by, ev.validated_on)
    {
        out.push(("validation", by.as_str(), on.to_string(), ev.provenance.as_ref()));
    }
    if let (Status::Waived, Some(w)) = (ev.status, &ev.waiver) {
        out.push(("waiver", w.approved_by.as_str(), w.approved_on.to_string(), w.provenance.as_ref()));
    }
    out
}

pub fn view(root: &str, p: &Portfolio, a: &Assessment) -> ProvenanceView {
    let mut counts = [0usize; 4];
    let mut view = ProvenanceView { policy: p.site.signoff_provenance.as_str(), ..Default::default() };
    for w in p.workloads.values() {
        for ev in w.evidence.values() {
            for (kind, signer, on, prov) in signoffs(ev) {
                let Some(prov) = prov else { continue };
                view.in_git = true;
                counts[ProvenanceState::ALL.iter().position(|s| *s == prov.state).unwrap_or(0)] += 1;
                let foreign = prov.author.as_deref().is_some_and(|a| !same_person(a, signer));
                let uncommitted = prov.state == ProvenanceState::Uncommitted;
                if !foreign && !uncommitted {
                    continue;
                }
                let satisfied = a
                    .workloads
                    .get(&w.id)
                    .and_then(|wa| wa.items.iter().find(|s| s.id == ev.item))
                    .is_some_and(|s| s.satisfied);
                let row = SignoffRow {
                    workload_name: w.name.clone(),
                    href: format!("{}#item-{}", workload_href(root, w.id.as_str()), ev.item),
                    item: p.checklist.item(ev.item.as_str()).map_or_else(|| ev.item.0.clone(), |i| i.title.clone()),
                    kind,
                    signer: signer.to_string(),
                    on,
                    commit: prov.short_commit().to_string(),
                    author: prov.author.clone().unwrap_or_default(),
                    state: prov.state.as_str(),
                    counts: satisfied,
                };
                if uncommitted { view.uncommitted.push(row) } else { view.foreign.push(row) }
            }
        }
    }
    view.counts =
        ProvenanceState::ALL.iter().zip(counts).map(|(s, count)| StateCount { state: s.as_str(), count }).collect();
    view
}
