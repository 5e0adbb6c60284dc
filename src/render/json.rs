//! `readiness.json`, the machine-readable twin of the dashboard (shape fixed by FORMAT.md).

use crate::evaluate::{Assessment, Reason};
use crate::model::{ItemId, Portfolio, Status};
use serde::Serialize;

#[derive(Serialize)]
struct Doc<'a> {
    as_of: String,
    workloads: Vec<WorkloadJson<'a>>,
    releases: Vec<ReleaseJson<'a>>,
}

#[derive(Serialize)]
struct WorkloadJson<'a> {
    id: &'a str,
    name: &'a str,
    release: Option<&'a str>,
    criticality: &'static str,
    decision: &'static str,
    reasons: &'a [Reason],
    items: Vec<ItemJson<'a>>,
}

#[derive(Serialize)]
struct ItemJson<'a> {
    id: &'a ItemId,
    status: Status,
    satisfied: bool,
    required: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    note: Option<&'a str>,
}

#[derive(Serialize)]
struct ReleaseJson<'a> {
    id: &'a str,
    complete: bool,
}

pub fn readiness(p: &Portfolio, a: &Assessment) -> Vec<u8> {
    let doc = Doc {
        as_of: a.as_of.to_string(),
        workloads: p
            .workloads
            .values()
            .map(|w| {
                let wa = &a.workloads[&w.id];
                WorkloadJson {
                    id: w.id.as_str(),
                    name: &w.name,
                    release: w.release.as_ref().map(|r| r.as_str()),
                    criticality: w.criticality.as_str(),
                    decision: wa.decision.as_str(),
                    reasons: &wa.reasons,
                    items: wa
                        .items
                        .iter()
                        .map(|s| ItemJson {
                            id: &s.id,
                            status: s.status,
                            satisfied: s.satisfied,
                            required: s.required,
                            note: s.note.as_deref(),
                        })
                        .collect(),
                }
            })
            .collect(),
        releases: a
            .releases
            .iter()
            .map(|r| ReleaseJson {
                id: r.id.as_str(),
                complete: r.complete,
            })
            .collect(),
    };
    let mut out = serde_json::to_vec_pretty(&doc).expect("plain data serialises");
    out.push(b'\n');
    out
}
