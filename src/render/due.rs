//! What the pages show of the [`Schedule`]: "Due in the next N days" on the
//! dashboard, the security view and each report; "at risk by the target
//! date" marks; and, for each open item of a report, who may sign it and by when.

use super::context::workload_href;
use super::people::People;
use crate::core::model::{Portfolio, Workload};
use crate::evaluate::Assessment;
use crate::evaluate::deadlines::{Deadline, DueKind, Schedule};
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Serialize)]
pub struct DueRow {
    pub date: String,
    pub days_left: i64,
    pub kind: &'static str,
    pub label: &'static str,
    pub workload_name: String,
    pub href: String,
    pub item: Option<String>,
    pub message: String,
    pub signer: Option<String>,
    pub signer_href: Option<String>,
    pub owner: String,
    pub owner_href: Option<String>,
}

/// One "due" list, with its window.
#[derive(Serialize)]
pub struct DueView {
    pub days: u32,
    pub horizon: String,
    pub rows: Vec<DueRow>,
}

/// The due list of the workloads (and kinds) that `keep` accepts, sorted by date.
pub fn due_view(
    root: &str,
    p: &Portfolio,
    s: &Schedule,
    people: &People,
    keep: &dyn Fn(&Workload, &Deadline) -> bool,
) -> DueView {
    let mut rows = Vec::new();
    for w in p.workloads.values() {
        for d in s.get(&w.id).due.iter().filter(|d| keep(w, d)) {
            rows.push(row(root, p, s, people, w, d));
        }
    }
    rows.sort_by(|x, y| (&x.date, &x.workload_name, &x.item).cmp(&(&y.date, &y.workload_name, &y.item)));
    DueView { days: s.attention_days, horizon: s.horizon.to_string(), rows }
}

/// Every date of one workload from the as-of date on (a report's "Dates ahead").
pub fn ahead(root: &str, p: &Portfolio, s: &Schedule, people: &People, w: &Workload) -> Vec<DueRow> {
    s.get(&w.id).all.iter().filter(|d| d.holds).map(|d| row(root, p, s, people, w, d)).collect()
}

fn row(root: &str, p: &Portfolio, s: &Schedule, people: &People, w: &Workload, d: &Deadline) -> DueRow {
    let href = workload_href(root, w.id.as_str());
    DueRow {
        date: d.date.to_string(),
        days_left: s.as_of.days_until(d.date),
        kind: d.kind.as_str(),
        label: d.kind.label(),
        workload_name: w.name.clone(),
        href: match &d.item {
            Some(i) => format!("{href}#item-{i}"),
            None => href,
        },
        item: d.item.as_ref().and_then(|i| p.checklist.item(i.as_str())).map(|i| i.title.clone()),
        message: d.message.clone(),
        signer_href: d.signer.as_deref().and_then(|who| people.href(root, who)),
        signer: d.signer.clone(),
        owner_href: people.href(root, &w.owner),
        owner: w.owner.clone(),
    }
}

/// The kinds the security view lists.
pub fn security_kind(d: &Deadline) -> bool {
    matches!(d.kind, DueKind::WaiverExpires | DueKind::RiskReview | DueKind::Stale)
}

#[derive(Serialize)]
pub struct AtRiskView {
    pub item: String,
    pub item_id: String,
    pub date: String,
    pub message: String,
}

/// Workload id -> its items at risk by the release target.
pub fn at_risk(
    p: &Portfolio,
    s: &Schedule,
    ids: &mut dyn Iterator<Item = &Workload>,
) -> BTreeMap<String, Vec<AtRiskView>> {
    ids.map(|w| {
        let list = s
            .get(&w.id)
            .at_risk
            .iter()
            .map(|r| AtRiskView {
                item: p.checklist.item(r.item.as_str()).map_or_else(|| r.item.0.clone(), |i| i.title.clone()),
                item_id: r.item.0.clone(),
                date: r.date.to_string(),
                message: r.message.clone(),
            })
            .collect();
        (w.id.0.clone(), list)
    })
    .collect()
}

#[derive(Serialize)]
pub struct Signer {
    pub name: String,
    pub href: Option<String>,
}

/// Who may sign an item, and by when.
#[derive(Serialize)]
pub struct WhoSigns {
    /// The sign-off role; `None` means anyone may validate.
    pub role: Option<String>,
    /// Its members on the as-of date.
    pub members: Vec<Signer>,
    /// The release target, in words.
    pub by: Option<String>,
}

/// Item id -> who may sign it, for each required item of `w` that is not
/// satisfied: the open and lapsed ones, which a report tells it for.
pub fn who_signs(
    root: &str,
    p: &Portfolio,
    a: &Assessment,
    people: &People,
    w: &Workload,
) -> BTreeMap<String, WhoSigns> {
    let release = w.release.as_ref().and_then(|id| p.site.releases.iter().find(|r| &r.id == id));
    let by = release.and_then(|r| Some(format!("{} ({})", r.target?, r.title)));
    let Some(wa) = a.workloads.get(&w.id) else { return BTreeMap::new() };
    p.checklist
        .items
        .iter()
        .zip(&wa.items)
        .filter(|(_, s)| s.required && !s.satisfied)
        .map(|(item, _)| {
            let members = item.signoff.as_deref().map_or_else(Vec::new, |role| {
                p.site
                    .approvers
                    .members(role)
                    .iter()
                    .filter(|m| m.serves_on(a.as_of))
                    .map(|m| Signer { name: m.person.clone(), href: people.href(root, &m.person) })
                    .collect()
            });
            (item.id.0.clone(), WhoSigns { role: item.signoff.clone(), members, by: by.clone() })
        })
        .collect()
}

/// What a workload report adds: its due list, every date ahead, its items at
/// risk by the target, who may sign each item, and the owner's page.
#[derive(Serialize)]
pub struct ReportDates {
    pub due: DueView,
    pub ahead: Vec<DueRow>,
    pub at_risk: Vec<AtRiskView>,
    pub who_signs: BTreeMap<String, WhoSigns>,
    pub owner_href: Option<String>,
    /// Every signer the report names (validators, waiver approvers) -> their page, if any.
    pub people_hrefs: BTreeMap<String, Option<String>>,
}

pub(super) fn report_dates(env: &super::Env, w: &Workload) -> ReportDates {
    let (root, p, s, people) = ("../../", env.p, &env.schedule, &env.people);
    ReportDates {
        // One workload's own list: never a walk over the portfolio per report.
        due: DueView {
            days: s.attention_days,
            horizon: s.horizon.to_string(),
            rows: s.get(&w.id).due.iter().map(|d| row(root, p, s, people, w, d)).collect(),
        },
        ahead: ahead(root, p, s, people, w),
        at_risk: at_risk(p, s, &mut std::iter::once(w)).remove(w.id.as_str()).unwrap_or_default(),
        who_signs: who_signs(root, p, env.a, people, w),
        owner_href: people.href(root, &w.owner),
        people_hrefs: w
            .evidence
            .values()
            .flat_map(|e| e.validated_by.iter().chain(e.waiver.as_ref().map(|wv| &wv.approved_by)))
            .map(|who| (who.clone(), people.href(root, who)))
            .collect(),
    }
}
