//! `readiness.json`, the machine-readable twin of the dashboard (shape fixed by FORMAT.md).

use crate::core::model::{ItemId, Portfolio, Status};
use crate::evaluate::{Assessment, Reason};
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
    #[serde(skip_serializing_if = "Option::is_none")]
    promoted_on: Option<String>,
    items: Vec<ItemJson<'a>>,
    /// What lapses within `attention_days` (see `crate::evaluate::deadlines`).
    due: &'a [crate::evaluate::deadlines::Deadline],
    at_risk: &'a [crate::evaluate::deadlines::AtRisk],
}

#[derive(Serialize)]
struct ItemJson<'a> {
    id: &'a ItemId,
    status: Status,
    satisfied: bool,
    required: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    note: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    provenance: Option<&'a crate::core::model::Provenance>,
}

#[derive(Serialize)]
struct ReleaseJson<'a> {
    id: &'a str,
    complete: bool,
}

pub fn readiness(p: &Portfolio, a: &Assessment, schedule: &crate::evaluate::deadlines::Schedule) -> Vec<u8> {
    let doc = Doc {
        as_of: a.as_of.to_string(),
        workloads: p
            .workloads
            .values()
            .map(|w| {
                let wa = &a.workloads[&w.id];
                let dates = schedule.get(&w.id);
                WorkloadJson {
                    id: w.id.as_str(),
                    name: &w.name,
                    release: w.release.as_ref().map(|r| r.as_str()),
                    criticality: w.criticality.as_str(),
                    decision: wa.decision.as_str(),
                    reasons: &wa.reasons,
                    promoted_on: wa.promoted_on.map(|d| d.to_string()),
                    items: wa
                        .items
                        .iter()
                        .map(|s| ItemJson {
                            id: &s.id,
                            status: s.status,
                            satisfied: s.satisfied,
                            required: s.required,
                            note: s.note.as_deref(),
                            provenance: s.provenance.as_ref(),
                        })
                        .collect(),
                    due: &dates.due,
                    at_risk: &dates.at_risk,
                }
            })
            .collect(),
        releases: a.releases.iter().map(|r| ReleaseJson { id: r.id.as_str(), complete: r.complete }).collect(),
    };
    // Room for the whole document up front (a generous estimate: room that is
    // never written is never touched, so costs nothing). Grown by doubling,
    // a buffer of megabytes is copied at each step into fresh memory.
    let mut out = Vec::with_capacity(1024 + p.workloads.len() * (512 + 256 * p.checklist.items.len()));
    serde_json::to_writer_pretty(&mut out, &doc).expect("plain data serialises");
    out.push(b'\n');
    out
}

#[derive(Serialize)]
struct SearchIndex<'a> {
    workloads: Vec<SearchWorkload<'a>>,
    releases: Vec<SearchLink<'a>>,
    items: Vec<SearchItem<'a>>,
    /// Owners and approvers, each with a page (see `super::people`).
    people: Vec<SearchLink<'a>>,
}

#[derive(Serialize)]
struct SearchWorkload<'a> {
    id: &'a str,
    name: &'a str,
    owner: &'a str,
    release: Option<&'a str>,
    release_title: Option<&'a str>,
    decision: &'static str,
    href: String,
}

#[derive(Serialize)]
struct SearchLink<'a> {
    id: &'a str,
    title: &'a str,
    href: String,
}

#[derive(Serialize)]
struct SearchItem<'a> {
    id: &'a str,
    title: &'a str,
    summary: &'a str,
    href: String,
}

/// The search data as a script (`window.CUTOVER_SEARCH = ...`), so that it
/// loads from `file://` where fetching JSON is not allowed. Hrefs are relative to the site root.
pub fn search_index(p: &Portfolio, a: &Assessment, people: &super::people::People) -> Vec<u8> {
    let title_of = |r: &str| p.site.releases.iter().find(|x| x.id.as_str() == r).map(|x| x.title.as_str());
    let index = SearchIndex {
        workloads: p
            .workloads
            .values()
            .map(|w| SearchWorkload {
                id: w.id.as_str(),
                name: &w.name,
                owner: &w.owner,
                release: w.release.as_ref().map(|r| r.as_str()),
                release_title: w.release.as_ref().and_then(|r| title_of(r.as_str())),
                decision: a.workloads[&w.id].decision.as_str(),
                href: format!("workloads/{}/index.html", w.id),
            })
            .collect(),
        releases: p
            .site
            .releases
            .iter()
            .map(|r| SearchLink { id: r.id.as_str(), title: &r.title, href: format!("releases/{}/index.html", r.id) })
            .collect(),
        items: p
            .checklist
            .items
            .iter()
            .map(|i| SearchItem {
                id: i.id.as_str(),
                title: &i.title,
                summary: &i.summary,
                href: format!("checklist/index.html#item-{}", i.id),
            })
            .collect(),
        people: people
            .list
            .iter()
            .map(|x| SearchLink { id: &x.id, title: &x.name, href: format!("people/{}/index.html", x.id) })
            .collect(),
    };
    // JSON is valid JavaScript; escaping `<` keeps a `</script>` in a name inert even if inlined.
    let json = serde_json::to_string(&index).expect("plain data serialises").replace('<', "\\u003c");
    format!("window.CUTOVER_SEARCH = {json};\n").into_bytes()
}
