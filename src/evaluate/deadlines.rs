//! Who must act, and by when. Every sign-off that holds today holds until a
//! date: evidence until it goes stale, a waiver until it expires, a risk
//! until its review, a decommission hold until it ends, and a release has a
//! target. This module dates each of them, on the last day on which it still
//! holds, from the portfolio and its assessment; the site, `readiness.json`,
//! the calendars and the people pages all read the same [`Schedule`].

use crate::core::date::Date;
use crate::core::model::{ItemId, Portfolio, Status, Workload, WorkloadId};
use crate::evaluate::risks::risks_of;
use crate::evaluate::{Assessment, Decision, ItemState, WorkloadAssessment};
use serde::Serialize;
use std::collections::BTreeMap;

/// What falls due.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum DueKind {
    /// The last fresh day of validated evidence (`validated_on` + `max_age_days`).
    Stale,
    /// A waiver's `expires_on`.
    WaiverExpires,
    /// The target date of the workload's release.
    ReleaseTarget,
    /// The last day of a decommission hold.
    HoldEnds,
    /// A risk's `review_by`.
    RiskReview,
}

impl DueKind {
    pub fn as_str(self) -> &'static str {
        match self {
            DueKind::Stale => "stale",
            DueKind::WaiverExpires => "waiver-expires",
            DueKind::ReleaseTarget => "release-target",
            DueKind::HoldEnds => "hold-ends",
            DueKind::RiskReview => "risk-review",
        }
    }

    /// How a page heads the kind.
    pub fn label(self) -> &'static str {
        match self {
            DueKind::Stale => "evidence goes stale",
            DueKind::WaiverExpires => "waiver expires",
            DueKind::ReleaseTarget => "release target",
            DueKind::HoldEnds => "decommission hold ends",
            DueKind::RiskReview => "risk review",
        }
    }
}

/// One dated thing of one workload (or of a release, for its target).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Deadline {
    /// The last day on which it still holds.
    pub date: Date,
    pub kind: DueKind,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub item: Option<ItemId>,
    pub message: String,
    /// What tells this deadline apart from others of its kind, item and
    /// workload (a risk id, an asset name, a release id): part of its calendar UID.
    #[serde(skip)]
    pub key: String,
    /// Whether it holds on the as-of date (a stale item has nothing left to lapse).
    #[serde(skip)]
    pub holds: bool,
    /// Who signed what lapses (validator, waiver approver, risk acceptor), besides the owner.
    #[serde(skip)]
    pub signer: Option<String>,
}

/// An item satisfied today that will not be on its release's target date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AtRisk {
    pub item: ItemId,
    pub kind: DueKind,
    /// The last day on which the item is still satisfied.
    pub date: Date,
    pub message: String,
}

/// The dates of one workload.
#[derive(Debug, Clone, Default)]
pub struct WorkloadDates {
    /// Every date, past and future, sorted (date, kind, item, key).
    pub all: Vec<Deadline>,
    /// What lapses from the as-of date to the end of the attention window.
    pub due: Vec<Deadline>,
    pub at_risk: Vec<AtRisk>,
}

/// The dates of the whole portfolio, as of one day.
#[derive(Debug, Clone)]
pub struct Schedule {
    pub as_of: Date,
    /// The last day that "due soon" looks at: as-of + `attention_days`.
    pub horizon: Date,
    pub attention_days: u32,
    pub workloads: BTreeMap<WorkloadId, WorkloadDates>,
}

impl Schedule {
    pub fn of(p: &Portfolio, a: &Assessment) -> Schedule {
        let days = p.site.attention_days;
        let horizon = a.as_of.add_days(i64::from(days));
        let workloads = p
            .workloads
            .values()
            .filter_map(|w| Some((w.id.clone(), dates_of(p, w, a.workloads.get(&w.id)?, a.as_of, horizon))))
            .collect();
        Schedule { as_of: a.as_of, horizon, attention_days: days, workloads }
    }

    /// The dates of `id` (none for a workload that was not assessed).
    pub fn get(&self, id: &WorkloadId) -> &WorkloadDates {
        static NONE: WorkloadDates = WorkloadDates { all: Vec::new(), due: Vec::new(), at_risk: Vec::new() };
        self.workloads.get(id).unwrap_or(&NONE)
    }
}

fn dates_of(p: &Portfolio, w: &Workload, wa: &WorkloadAssessment, as_of: Date, horizon: Date) -> WorkloadDates {
    let mut all = Vec::new();
    let promoted = wa.decision == Decision::Promoted;
    for (item, state) in p.checklist.items.iter().zip(&wa.items) {
        let Some(ev) = w.evidence.get(&item.id) else { continue };
        // Once promoted, no sign-off of the workload's is needed again.
        if promoted || !state.required || ev.has_errors {
            continue;
        }
        let mut push = |date: Date, kind, key: String, message: String, signer: Option<String>| {
            let holds = state.satisfied && as_of <= date;
            all.push(Deadline { date, kind, item: Some(item.id.clone()), message, key, holds, signer });
        };
        match (ev.status, ev.validated_on, item.max_age_days, &ev.waiver) {
            (Status::Validated, Some(on), Some(max), _) => {
                let last = on.add_days(i64::from(max));
                let message = format!("{}: validated {on}, fresh until {last} ({max} days)", item.title);
                push(last, DueKind::Stale, String::new(), message, ev.validated_by.clone());
            }
            (Status::Waived, _, _, Some(wv)) => {
                let message =
                    format!("{}: waiver approved by {} ends on {}", item.title, wv.approved_by, wv.expires_on);
                push(wv.expires_on, DueKind::WaiverExpires, String::new(), message, Some(wv.approved_by.clone()));
            }
            _ => {}
        }
        if ev.status == Status::Validated {
            for r in risks_of(ev) {
                let Some(review) = r.review_by else { continue };
                let message = format!("{}: {} to be reviewed by {review}", item.title, r.label());
                push(review, DueKind::RiskReview, r.id.clone(), message, r.accepted_by.clone());
            }
        }
    }
    let release = w.release.as_ref().and_then(|id| p.site.releases.iter().find(|r| &r.id == id));
    if let Some((r, target)) = release.and_then(|r| Some((r, r.target?)))
        && !promoted
    {
        all.push(Deadline {
            date: target,
            kind: DueKind::ReleaseTarget,
            item: None,
            message: format!("{}: target date for {}", r.title, w.name),
            key: r.id.0.clone(),
            holds: as_of <= target,
            signer: None,
        });
    }
    for asset in &wa.assets {
        let Some(first_free) = asset.hold_ends else { continue };
        if asset.stage == crate::evaluate::decommission::AssetStage::Retired {
            continue;
        }
        let last = first_free.add_days(-1);
        all.push(Deadline {
            date: last,
            kind: DueKind::HoldEnds,
            item: None,
            message: format!("{}: decommission hold ends; may be retired from {first_free}", asset.name),
            key: asset.name.clone(),
            holds: as_of <= last,
            signer: None,
        });
    }
    all.sort_by(|x, y| (x.date, x.kind, &x.item, &x.key).cmp(&(y.date, y.kind, &y.item, &y.key)));
    let due = all.iter().filter(|d| d.holds && d.date <= horizon).cloned().collect();
    let at_risk = at_risk(&all, &wa.items, release.and_then(|r| r.target), as_of, promoted);
    WorkloadDates { all, due, at_risk }
}

/// Items satisfied today whose sign-off lapses before `target`: one entry
/// per item, at the first date it lapses.
fn at_risk(all: &[Deadline], items: &[ItemState], target: Option<Date>, as_of: Date, promoted: bool) -> Vec<AtRisk> {
    let Some(target) = target.filter(|t| *t > as_of && !promoted) else {
        return Vec::new();
    };
    let mut out: Vec<AtRisk> = Vec::new();
    for d in all.iter().filter(|d| d.holds && d.date < target) {
        let Some(item) = &d.item else { continue };
        if out.iter().any(|r| &r.item == item) || !items.iter().any(|s| &s.id == item && s.satisfied) {
            continue;
        }
        let what = match d.kind {
            DueKind::Stale => "goes stale",
            DueKind::WaiverExpires => "its waiver expires",
            _ => "its risk review is due",
        };
        let message = format!("{what} after {}, before the release target {target}", d.date);
        out.push(AtRisk { item: item.clone(), kind: d.kind, date: d.date, message });
    }
    out.sort_by(|x, y| (x.date, &x.item).cmp(&(y.date, &y.item)));
    out
}
